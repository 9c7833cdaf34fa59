/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the igt-tests binaries. Include after
 * kselftest_harness.h, once per binary.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef _GPUFE_TEST_H_
#define _GPUFE_TEST_H_

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <poll.h>
#include <time.h>
#include <linux/sync_file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <gpufe.h>
#include <gpufe_swgpu.h>
#include <gpufe_edu.h>

#define GPUFE_DEV		"/dev/gpufe"
#define GPUFE_DEBUGFS		"/sys/kernel/debug/gpufe"
#define SWGPU_MODULE		"gpufe_swgpu"
#define SWGPU_PARAMS		"/sys/module/gpufe_swgpu/parameters"
#define GPUFE_PARAMS		"/sys/module/gpufe/parameters"

/*
 * The bound on every wait for something that must happen: generous, as the
 * VM may run under TCG on a busy machine. Nothing waits this long when the
 * kernel works.
 */
#define GPUFE_TIMEOUT_MS	10000
#define GPUFE_TIMEOUT_NS	(GPUFE_TIMEOUT_MS * 1000000LL)

/*
 * describe() - the one-line description of a subtest, printed as a TAP
 * diagnostic when it runs.
 */
#define describe(text)	ksft_print_msg("%s: %s\n", _metadata->name, text)

/* ioctl() returning 0 or -errno, retried on EINTR like libdrm's drmIoctl. */
static inline int gpufe_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && errno == EINTR);
	return ret == -1 ? -errno : 0;
}

/*
 * GPUFE_FD=n, as "gpufe-smi partition run" sets it: the tests run as
 * clients of the partition whose client descriptor n is. Each client a
 * test opens is then a new one of that partition (PARTITION_OPEN with
 * partition_id 0), not a client of /dev/gpufe.
 */
#define GPUFE_FD_ENV		"GPUFE_FD"

/*
 * The descriptor GPUFE_FD names: n, -1 when GPUFE_FD is unset or empty,
 * or -EINVAL when it is not a descriptor number.
 */
static inline int gpufe_partition_fd(void)
{
	const char *s = getenv(GPUFE_FD_ENV);
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > INT_MAX)
		return -EINVAL;
	return v;
}

/* Whether the tests run inside a partition (GPUFE_FD is set). */
static inline bool gpufe_in_partition(void)
{
	return gpufe_partition_fd() != -1;
}

/*
 * The reason a subtest gives for skipping inside a partition, when it
 * needs what only a client of the whole device has: @what names it.
 */
#define GPUFE_SKIP_IN_PARTITION(what)					\
	do {								\
		if (gpufe_in_partition())				\
			SKIP(return, "%s: not for a client of a partition "	\
			     "(" GPUFE_FD_ENV " is set)", what);		\
	} while (0)

/* A client of /dev/gpufe itself, whatever GPUFE_FD says; -1 with errno. */
static inline int gpufe_open_device(void)
{
	return open(GPUFE_DEV, O_RDWR | O_CLOEXEC);
}

/*
 * A new client: of /dev/gpufe, or inside a partition (GPUFE_FD) a new
 * client of that partition. The descriptor, or -1 with errno set.
 */
static inline int gpufe_open(void)
{
	struct gpufe_partition_open o = { .partition_id = 0, .fd = -1 };
	int pfd = gpufe_partition_fd(), ret;

	if (pfd == -1)
		return gpufe_open_device();
	if (pfd < 0) {
		errno = EINVAL;
		return -1;
	}
	ret = gpufe_ioctl(pfd, GPUFE_IOCTL_PARTITION_OPEN, &o);
	if (ret) {
		errno = -ret;
		return -1;
	}
	return o.fd;
}

/*
 * How many descriptors the process has open, or -errno: taken before and
 * after a call that must fail, it shows that the call leaked none.
 */
static inline int gpufe_count_fds(void)
{
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own */
}

/* Read one unsigned integer from a file; -errno on failure. */
static inline long long gpufe_read_ull(const char *path)
{
	unsigned long long v;
	FILE *f = fopen(path, "re");
	int n;

	if (!f)
		return -errno;
	n = fscanf(f, "%llu", &v);
	fclose(f);
	return n == 1 ? (long long)v : -EINVAL;
}

/* Write one unsigned integer to a file (a module parameter); 0 or -errno. */
static inline int gpufe_write_ull(const char *path, unsigned long long v)
{
	FILE *f = fopen(path, "we");
	int ret = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%llu\n", v) < 0)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

/* One "name value" line of debugfs gpufe/counters; -errno on failure. */
static inline long long gpufe_counter(const char *name)
{
	char key[64];
	long long v;
	FILE *f = fopen(GPUFE_DEBUGFS "/counters", "re");
	long long ret = -ENOENT;

	if (!f)
		return -errno;
	while (fscanf(f, "%63s %lld", key, &v) == 2) {
		if (!strcmp(key, name)) {
			ret = v;
			break;
		}
	}
	fclose(f);
	return ret;
}

static inline int gpufe_module_loaded(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	return access(path, F_OK) == 0;
}

/* The path of a module of the running kernel, found in modules.dep. */
static inline int gpufe_module_path(const char *name, char *path, size_t size)
{
	struct utsname u;
	char dep[512], line[1024], want[128];
	FILE *f;
	int ret = -ENOENT;

	if (uname(&u))
		return -errno;
	snprintf(dep, sizeof(dep), "/lib/modules/%s/modules.dep", u.release);
	snprintf(want, sizeof(want), "/%s.ko:", name);
	f = fopen(dep, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strstr(line, want);

		if (!colon)
			continue;
		colon[strlen(want) - 1] = '\0';
		if (line[0] == '/')
			snprintf(path, size, "%s", line);
		else
			snprintf(path, size, "/lib/modules/%s/%s", u.release,
				 line);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/*
 * Append to opts (size bytes) the kernel command line's parameters of
 * module name, "name.param=value" as "param=value", as modprobe does:
 * the kernel itself hands them only to built-in code.
 */
static inline void gpufe_cmdline_params(const char *name, char *opts,
					size_t size)
{
	char line[4096], *tok, *save = NULL;
	size_t len = strlen(name), used = strlen(opts);
	FILE *f = fopen("/proc/cmdline", "re");

	if (!f)
		return;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	for (tok = strtok_r(line, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (strncmp(tok, name, len) || tok[len] != '.' ||
		    !strchr(tok + len + 1, '='))
			continue;
		used += snprintf(opts + used, used < size ? size - used : 0,
				 "%s%s", used ? " " : "", tok + len + 1);
	}
	if (used >= size)
		opts[size - 1] = '\0';
}

/*
 * Load a module through finit_module(), with the kernel command line's
 * parameters for it (as modprobe), then params; 0 or -errno.
 */
static inline int gpufe_module_load(const char *name, const char *params)
{
	char path[PATH_MAX], opts[1024] = "";
	int fd, ret;

	ret = gpufe_module_path(name, path, sizeof(path));
	if (ret)
		return ret;
	gpufe_cmdline_params(name, opts, sizeof(opts));
	if (params[0])
		snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts),
			 "%s%s", opts[0] ? " " : "", params);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, opts, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* Unload a module; 0 or -errno. */
static inline int gpufe_module_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/* --- the data path (uAPI 1.1) ------------------------------------------ */

/* CLOCK_MONOTONIC in nanoseconds, the clock of every gpufe deadline. */
static inline __s64 gpufe_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Why the data-path tests cannot run against this kernel, or NULL. */
static inline const char *gpufe_datapath_missing(int fd)
{
	struct gpufe_version v;

	if (gpufe_ioctl(fd, GPUFE_IOCTL_VERSION, &v))
		return "GPUFE_IOCTL_VERSION failed";
	if (v.major != GPUFE_VERSION_MAJOR || v.minor < 1 ||
	    !(v.features & GPUFE_FEATURE_DATAPATH))
		return "the kernel has no data path (uAPI 1.1, GPUFE_FEATURE_DATAPATH)";
	return NULL;
}

/*
 * Fetch a whole query result into a malloc()ed buffer; 0 or -errno. A
 * result that grew between the size probe and the fetch (ENOSPC) is asked
 * for again.
 */
static inline int gpufe_query_fetch(int fd, __u32 what, __u32 device_id,
				    void **out)
{
	unsigned int tries;
	int ret = -ENOSPC;

	for (tries = 0; tries < 100 && ret == -ENOSPC; tries++) {
		struct gpufe_query q = { .query = what, .device_id = device_id };
		void *buf;

		ret = gpufe_ioctl(fd, GPUFE_IOCTL_QUERY, &q);
		if (ret)
			return ret;
		buf = calloc(1, q.size);
		if (!buf)
			return -ENOMEM;
		q.data = (uintptr_t)buf;
		ret = gpufe_ioctl(fd, GPUFE_IOCTL_QUERY, &q);
		if (!ret)
			*out = buf;
		else
			free(buf);
	}
	return ret;
}

/* The ids of the swgpu devices, ascending: how many (up to max), or -errno. */
static inline int gpufe_swgpu_ids(int fd, __u32 *ids, unsigned int max)
{
	struct gpufe_query_devices *devs;
	unsigned int i, n = 0;
	int ret;

	ret = gpufe_query_fetch(fd, GPUFE_QUERY_DEVICES, 0, (void **)&devs);
	if (ret)
		return ret;
	for (i = 0; i < devs->num_devices && n < max; i++) {
		const struct gpufe_device_info *d = (const void *)
			((const char *)devs->devices + (size_t)i * devs->entry_size);

		if (!strcmp(d->backend, "swgpu"))
			ids[n++] = d->device_id;
	}
	free(devs);
	return n;
}

/*
 * GPUFE_TEST_BACKEND=name, as the <binary>@<back-end> variants set it
 * (gpufe_backend_variant.sh.in): the fixtures that honour it (those of
 * gpufe_submit, gpufe_completion and gpufe_sched) run against the devices
 * of that back-end instead of swgpu's, build their jobs with
 * gpufe_min_job() and the like, and skip with a reason the subtests that
 * need swgpu's commands or knobs. Unset or empty: swgpu, as always.
 */
#define GPUFE_TEST_BACKEND_ENV	"GPUFE_TEST_BACKEND"
#define GPUFE_BACKEND_SWGPU	"swgpu"
#define GPUFE_BACKEND_EDU	"edu"

/* The back-end the tests run against: GPUFE_TEST_BACKEND, or "swgpu". */
static inline const char *gpufe_test_backend(void)
{
	const char *s = getenv(GPUFE_TEST_BACKEND_ENV);

	return s && *s ? s : GPUFE_BACKEND_SWGPU;
}

/* Whether the tests run against swgpu (GPUFE_TEST_BACKEND unset). */
static inline bool gpufe_backend_swgpu(void)
{
	return !strcmp(gpufe_test_backend(), GPUFE_BACKEND_SWGPU);
}

/* Whether the tests run against edu (GPUFE_TEST_BACKEND=edu). */
static inline bool gpufe_backend_edu(void)
{
	return !strcmp(gpufe_test_backend(), GPUFE_BACKEND_EDU);
}

/*
 * The reason a subtest gives for skipping on a back-end other than swgpu,
 * when it needs swgpu's commands or knobs: @what names them.
 */
#define GPUFE_SKIP_UNLESS_SWGPU(what)					\
	do {								\
		if (!gpufe_backend_swgpu())				\
			SKIP(return, "needs %s: swgpu only, not for the "	\
			     "%s back-end (" GPUFE_TEST_BACKEND_ENV ")",	\
			     what, gpufe_test_backend());		\
	} while (0)

/*
 * The ids of the devices of a back-end, ascending: how many (up to max),
 * or -errno.
 */
static inline int gpufe_backend_ids(int fd, const char *backend, __u32 *ids,
				    unsigned int max)
{
	struct gpufe_query_devices *devs;
	unsigned int i, n = 0;
	int ret;

	ret = gpufe_query_fetch(fd, GPUFE_QUERY_DEVICES, 0, (void **)&devs);
	if (ret)
		return ret;
	for (i = 0; i < devs->num_devices && n < max; i++) {
		const struct gpufe_device_info *d = (const void *)
			((const char *)devs->devices + (size_t)i * devs->entry_size);

		if (!strcmp(d->backend, backend))
			ids[n++] = d->device_id;
	}
	free(devs);
	return n;
}

/*
 * The engines a device shows this client, copied into engines[] (up to
 * max): how many there are, or -errno.
 */
static inline int gpufe_engines(int fd, __u32 dev,
				struct gpufe_engine_info *engines,
				unsigned int max)
{
	struct gpufe_query_engines *q;
	unsigned int i;
	int ret;

	ret = gpufe_query_fetch(fd, GPUFE_QUERY_ENGINES, dev, (void **)&q);
	if (ret)
		return ret;
	for (i = 0; i < q->num_engines && i < max; i++)
		memcpy(&engines[i], (const char *)q->engines +
		       (size_t)i * q->entry_size, sizeof(engines[i]));
	ret = q->num_engines;
	free(q);
	return ret;
}

/* How many engines of a class a device shows this client, or -errno. */
static inline int gpufe_engine_count(int fd, __u32 dev, __u16 engine_class)
{
	struct gpufe_engine_info engines[64];
	int i, n, count = 0;

	n = gpufe_engines(fd, dev, engines, 64);
	if (n < 0)
		return n;
	for (i = 0; i < n && i < 64; i++)
		count += engines[i].engine_class == engine_class;
	return count;
}

/* A buffer object with its mapping. */
struct gpufe_buffer {
	__u32 handle;
	__u64 size;		/* as the kernel rounded it */
	__u64 mmap_offset;
	void *map;		/* the whole buffer, MAP_SHARED */
};

static inline int gpufe_destroy_bo(int fd, __u32 handle)
{
	struct gpufe_bo_destroy d = { .handle = handle };

	return gpufe_ioctl(fd, GPUFE_IOCTL_BO_DESTROY, &d);
}

/* Create a buffer and map it; 0 or -errno. */
static inline int gpufe_buffer_create(int fd, __u64 size, struct gpufe_buffer *b)
{
	struct gpufe_bo_create c = { .size = size };
	int ret;

	ret = gpufe_ioctl(fd, GPUFE_IOCTL_BO_CREATE, &c);
	if (ret)
		return ret;
	b->handle = c.handle;
	b->size = c.size;
	b->mmap_offset = c.mmap_offset;
	b->map = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      c.mmap_offset);
	if (b->map == MAP_FAILED) {
		ret = -errno;
		b->map = NULL;
		gpufe_destroy_bo(fd, c.handle);
	}
	return ret;
}

/* Unmap and destroy a buffer; 0 or -errno. */
static inline int gpufe_buffer_destroy(int fd, struct gpufe_buffer *b)
{
	if (b->map)
		munmap(b->map, b->size);
	b->map = NULL;
	return gpufe_destroy_bo(fd, b->handle);
}

/* Index of the first of n 32-bit words that is not value, or -1. */
static inline long gpufe_find_not(const void *p, size_t n, __u32 value)
{
	const __u32 *w = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i] != value)
			return i;
	return -1;
}

static inline int gpufe_create_ctx(int fd, __u32 dev, __u16 engine_class,
				   __u16 engine_instance, __u32 *ctx_id)
{
	struct gpufe_ctx_create c = {
		.device_id = dev,
		.engine_class = engine_class,
		.engine_instance = engine_instance,
	};
	int ret = gpufe_ioctl(fd, GPUFE_IOCTL_CTX_CREATE, &c);

	if (!ret)
		*ctx_id = c.ctx_id;
	return ret;
}

static inline int gpufe_destroy_ctx(int fd, __u32 ctx_id)
{
	struct gpufe_ctx_destroy d = { .ctx_id = ctx_id };

	return gpufe_ioctl(fd, GPUFE_IOCTL_CTX_DESTROY, &d);
}

static inline int gpufe_get_status(int fd, __u32 ctx_id,
				   struct gpufe_ctx_status *st)
{
	memset(st, 0, sizeof(*st));
	st->ctx_id = ctx_id;
	return gpufe_ioctl(fd, GPUFE_IOCTL_CTX_STATUS, st);
}

/* A swgpu command stream under construction. */
#define GPUFE_CMDS_MAX	2048

struct gpufe_cmds {
	__u32 size;
	__u8 buf[GPUFE_CMDS_MAX] __attribute__((aligned(8)));
};

/* Append one command, built by the caller (e.g. with a field made bad). */
static inline void gpufe_cmds_add(struct gpufe_cmds *c, const void *cmd,
				  size_t size)
{
	if (c->size + size > sizeof(c->buf))
		abort();
	memcpy(c->buf + c->size, cmd, size);
	c->size += size;
}

static inline void gpufe_emit_nop(struct gpufe_cmds *c)
{
	struct swgpu_cmd_nop cmd = { .opcode = SWGPU_CMD_NOP };

	gpufe_cmds_add(c, &cmd, sizeof(cmd));
}

static inline void gpufe_emit_fill(struct gpufe_cmds *c, __u32 bo,
				   __u64 offset, __u64 length, __u32 value)
{
	struct swgpu_cmd_fill cmd = {
		.opcode = SWGPU_CMD_FILL, .bo = bo,
		.offset = offset, .length = length, .value = value,
	};

	gpufe_cmds_add(c, &cmd, sizeof(cmd));
}

static inline void gpufe_emit_copy(struct gpufe_cmds *c, __u32 src_bo,
				   __u64 src_offset, __u32 dst_bo,
				   __u64 dst_offset, __u64 length)
{
	struct swgpu_cmd_copy cmd = {
		.opcode = SWGPU_CMD_COPY, .src_bo = src_bo, .dst_bo = dst_bo,
		.src_offset = src_offset, .dst_offset = dst_offset,
		.length = length,
	};

	gpufe_cmds_add(c, &cmd, sizeof(cmd));
}

static inline void gpufe_emit_vadd(struct gpufe_cmds *c, __u32 a_bo,
				   __u64 a_offset, __u32 b_bo, __u64 b_offset,
				   __u32 dst_bo, __u64 dst_offset, __u64 count)
{
	struct swgpu_cmd_vadd cmd = {
		.opcode = SWGPU_CMD_VADD,
		.a_bo = a_bo, .b_bo = b_bo, .dst_bo = dst_bo,
		.a_offset = a_offset, .b_offset = b_offset,
		.dst_offset = dst_offset, .count = count,
	};

	gpufe_cmds_add(c, &cmd, sizeof(cmd));
}

static inline void gpufe_emit_delay(struct gpufe_cmds *c, __u32 usecs)
{
	struct swgpu_cmd_delay_us cmd = {
		.opcode = SWGPU_CMD_DELAY_US, .usecs = usecs,
	};

	gpufe_cmds_add(c, &cmd, sizeof(cmd));
}

static inline void gpufe_emit_timestamp(struct gpufe_cmds *c, __u32 bo,
					__u64 offset)
{
	struct swgpu_cmd_timestamp cmd = {
		.opcode = SWGPU_CMD_TIMESTAMP, .bo = bo, .offset = offset,
	};

	gpufe_cmds_add(c, &cmd, sizeof(cmd));
}

/* Queue a job without fences; 0 or -errno, its sequence number in *seqno. */
static inline int gpufe_submit_cmds(int fd, __u32 ctx_id,
				    const struct gpufe_cmds *c,
				    const struct gpufe_submit_bo *bos,
				    __u32 num_bos, __u64 *seqno)
{
	struct gpufe_submit s = {
		.ctx_id = ctx_id,
		.cmds = (uintptr_t)c->buf,
		.cmds_size = c->size,
		.bos = (uintptr_t)bos,
		.num_bos = num_bos,
	};
	int ret = gpufe_ioctl(fd, GPUFE_IOCTL_SUBMIT, &s);

	if (!ret && seqno)
		*seqno = s.seqno;
	return ret;
}

/* WAIT until an absolute CLOCK_MONOTONIC deadline; 0 or -errno. */
static inline int gpufe_wait_until(int fd, __u32 ctx_id, __u64 seqno,
				   __s64 deadline_ns)
{
	struct gpufe_wait w = {
		.ctx_id = ctx_id,
		.seqno = seqno,
		.timeout_ns = deadline_ns,
	};

	return gpufe_ioctl(fd, GPUFE_IOCTL_WAIT, &w);
}

/* WAIT for a job that must complete, bounded by GPUFE_TIMEOUT_NS. */
static inline int gpufe_sync(int fd, __u32 ctx_id, __u64 seqno)
{
	return gpufe_wait_until(fd, ctx_id, seqno,
				gpufe_now_ns() + GPUFE_TIMEOUT_NS);
}

/* poll() one fd for events; the revents, 0 on timeout, or -errno. */
static inline int gpufe_poll_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int ret;

	do {
		ret = poll(&p, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	return ret ? p.revents : 0;
}

/*
 * The state of a single-fence sync_file: 1 signalled, 0 pending, or the
 * fence's negative error; with the signal time in *timestamp_ns when it
 * signalled. -errno in *ioctl_err (0 on success) if SYNC_IOC_FILE_INFO
 * itself failed.
 */
static inline int gpufe_fence_status(int fence_fd, __u64 *timestamp_ns,
				     int *ioctl_err)
{
	struct sync_fence_info fi;
	struct sync_file_info info;

	memset(&fi, 0, sizeof(fi));
	memset(&info, 0, sizeof(info));
	info.num_fences = 1;
	info.sync_fence_info = (uintptr_t)&fi;
	*ioctl_err = gpufe_ioctl(fence_fd, SYNC_IOC_FILE_INFO, &info);
	if (*ioctl_err)
		return 0;
	if (timestamp_ns)
		*timestamp_ns = fi.timestamp_ns;
	return info.status;
}

/* Make reads of a file non-blocking; 0 or -errno. */
static inline int gpufe_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	return 0;
}

/*
 * Lower RLIMIT_NOFILE to the lowest free descriptor, so that no new one can
 * be allocated; the previous limit goes into *old for gpufe_restore_fds().
 */
static inline int gpufe_exhaust_fds(struct rlimit *old)
{
	struct rlimit lim;
	int lowest;

	if (getrlimit(RLIMIT_NOFILE, old))
		return -errno;
	lowest = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (lowest < 0)
		return -errno;
	close(lowest);
	lim.rlim_cur = lowest;
	lim.rlim_max = old->rlim_max;
	return setrlimit(RLIMIT_NOFILE, &lim) ? -errno : 0;
}

static inline void gpufe_restore_fds(const struct rlimit *old)
{
	setrlimit(RLIMIT_NOFILE, old);
}

/*
 * Run the subtests under igt-style names: the harness names a subtest
 * after its C identifier (basic_version); igt and this project's docs name
 * it basic-version.
 */
static inline void gpufe_test_dashify_names(void)
{
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	for (f = __fixture_list; f; f = f->next) {
		for (t = f->tests; t; t = t->next) {
			char *name = strdup(t->name);
			char *p;

			if (!name)
				continue;
			for (p = name; *p; p++)
				if (*p == '_')
					*p = '-';
			t->name = name;
		}
	}
}

#define GPUFE_TEST_MAIN						\
	int main(int argc, char **argv)				\
	{							\
		gpufe_test_dashify_names();			\
		return test_harness_run(argc, argv);		\
	}

/*
 * The start every data-path fixture shares: open a client into *fd (of
 * /dev/gpufe, or of the partition GPUFE_FD names) and, when @devs is
 * given, list the swgpu devices it sees into it. 0 on success, 1 to
 * skip with the reason in *why, -errno on failure.
 */
static inline int gpufe_fixture_open(int *fd, __u32 *devs, int max_devs,
				     int *num_devs, const char **why)
{
	int n;

	*fd = -1;
	if (!gpufe_in_partition() && access(GPUFE_DEV, F_OK)) {
		*why = GPUFE_DEV " is absent: gpufe.ko not loaded";
		return 1;
	}
	*fd = gpufe_open();
	if (*fd < 0)
		return -errno;
	*why = gpufe_datapath_missing(*fd);
	if (*why)
		return 1;
	if (!devs)
		return 0;
	if (gpufe_backend_swgpu())
		*num_devs = gpufe_swgpu_ids(*fd, devs, max_devs);
	else
		*num_devs = gpufe_backend_ids(*fd, gpufe_test_backend(), devs,
					      max_devs);
	if (*num_devs < 0)
		return *num_devs;
	if (!*num_devs) {
		if (gpufe_backend_swgpu()) {
			*why = "no swgpu device: gpufe_swgpu not loaded";
		} else {
			static char why_buf[128];

			snprintf(why_buf, sizeof(why_buf),
				 "no device of the %s back-end ("
				 GPUFE_TEST_BACKEND_ENV "): gpufe_%s not loaded",
				 gpufe_test_backend(), gpufe_test_backend());
			*why = why_buf;
		}
		return 1;
	}
	n = gpufe_engine_count(*fd, devs[0], GPUFE_ENGINE_CLASS_COMPUTE);
	if (n < 0)
		return n;
	if (!n) {
		*why = gpufe_in_partition() ?
		       "the partition (" GPUFE_FD_ENV ") has no compute engine" :
		       gpufe_backend_swgpu() ? "swgpu0 shows no compute engine" :
		       "the back-end's first device shows no compute engine";
		return 1;
	}
	return 0;
}

/* --- jobs of the selected back-end (GPUFE_TEST_BACKEND) ------------------- */

/*
 * The smallest job of the selected back-end on an engine of engine_class,
 * into c and bos[0] (*num_bos: 0 or 1):
 *   swgpu: a NOP, no buffer;
 *   edu, compute: a FACTORIAL of 0 (1) into the word at scratch_offset of
 *         the buffer scratch (a few ms);
 *   edu, copy: a 1-byte COPY within scratch, from scratch_offset to
 *         scratch_offset + 8 (one DMA chunk, about 0.2 s under QEMU).
 * scratch: a buffer handle of at least scratch_offset + 16 bytes, unused
 * on swgpu. 0, or -EOPNOTSUPP for a back-end or class without one.
 */
static inline int gpufe_min_job(__u16 engine_class, __u32 scratch,
				__u64 scratch_offset, struct gpufe_cmds *c,
				struct gpufe_submit_bo *bos, __u32 *num_bos)
{
	*num_bos = 0;
	if (gpufe_backend_swgpu()) {
		gpufe_emit_nop(c);
		return 0;
	}
	if (!gpufe_backend_edu())
		return -EOPNOTSUPP;
	bos[0].handle = scratch;
	bos[0].flags = GPUFE_SUBMIT_BO_WRITE;
	*num_bos = 1;
	if (engine_class == GPUFE_ENGINE_CLASS_COMPUTE) {
		struct edu_cmd_factorial f = {
			.opcode = EDU_CMD_FACTORIAL, .n = 0, .dst_bo = 0,
			.dst_offset = scratch_offset,
		};

		gpufe_cmds_add(c, &f, sizeof(f));
		return 0;
	}
	if (engine_class == GPUFE_ENGINE_CLASS_COPY) {
		struct edu_cmd_copy k = {
			.opcode = EDU_CMD_COPY, .src_bo = 0, .dst_bo = 0,
			.src_offset = scratch_offset,
			.dst_offset = scratch_offset + 8, .length = 1,
		};

		bos[0].flags |= GPUFE_SUBMIT_BO_READ;
		gpufe_cmds_add(c, &k, sizeof(k));
		return 0;
	}
	return -EOPNOTSUPP;
}

/* An edu FACTORIAL of n into the word at offset of buffer index bo. */
static inline void gpufe_emit_edu_factorial(struct gpufe_cmds *c, __u32 n,
					    __u32 bo, __u64 offset)
{
	struct edu_cmd_factorial f = {
		.opcode = EDU_CMD_FACTORIAL, .n = n, .dst_bo = bo,
		.dst_offset = offset,
	};

	gpufe_cmds_add(c, &f, sizeof(f));
}

/* An edu COPY of length bytes between buffer indexes. */
static inline void gpufe_emit_edu_copy(struct gpufe_cmds *c, __u32 src_bo,
				       __u64 src_offset, __u32 dst_bo,
				       __u64 dst_offset, __u64 length)
{
	struct edu_cmd_copy k = {
		.opcode = EDU_CMD_COPY, .src_bo = src_bo, .dst_bo = dst_bo,
		.src_offset = src_offset, .dst_offset = dst_offset,
		.length = length,
	};

	gpufe_cmds_add(c, &k, sizeof(k));
}

/* n! modulo 2^32, as an edu FACTORIAL stores it (n <= EDU_MAX_FACTORIAL_N). */
static inline __u32 gpufe_factorial(__u32 n)
{
	__u32 v = 1;

	while (n > 1)
		v *= n--;
	return v;
}

/*
 * Queue the smallest job of the selected back-end on ctx, an engine of
 * engine_class (with an out-fence when fenced, and an in-fence unless
 * in_fence < 0): 0 (or, fenced, its sync_file) or -errno, its sequence
 * number in *seqno if not NULL. A back-end whose job needs a buffer gets
 * a scratch buffer of its own, destroyed once queued (the job holds it).
 */
static inline int gpufe_submit_min_ex(int fd, __u32 ctx, __u16 engine_class,
				      bool fenced, int in_fence, __u64 *seqno)
{
	struct gpufe_submit_bo bos[1];
	struct gpufe_cmds c = { 0 };
	struct gpufe_submit s = { .ctx_id = ctx, .out_fence_fd = -1 };
	struct gpufe_bo_create bc = { .size = 4096 };
	__u32 num_bos;
	int ret;

	if (!gpufe_backend_swgpu()) {
		ret = gpufe_ioctl(fd, GPUFE_IOCTL_BO_CREATE, &bc);
		if (ret)
			return ret;
	}
	ret = gpufe_min_job(engine_class, bc.handle, 0, &c, bos, &num_bos);
	if (!ret) {
		s.cmds = (uintptr_t)c.buf;
		s.cmds_size = c.size;
		s.bos = (uintptr_t)bos;
		s.num_bos = num_bos;
		if (fenced)
			s.flags |= GPUFE_SUBMIT_OUT_FENCE;
		if (in_fence >= 0) {
			s.flags |= GPUFE_SUBMIT_IN_FENCE;
			s.in_fence_fd = in_fence;
		}
		ret = gpufe_ioctl(fd, GPUFE_IOCTL_SUBMIT, &s);
	}
	if (bc.handle)
		gpufe_destroy_bo(fd, bc.handle);
	if (ret)
		return ret;
	if (seqno)
		*seqno = s.seqno;
	return fenced ? s.out_fence_fd : 0;
}

/* gpufe_submit_min_ex() without fences: 0 or -errno. */
static inline int gpufe_submit_min(int fd, __u32 ctx, __u16 engine_class,
				   __u64 *seqno)
{
	return gpufe_submit_min_ex(fd, ctx, engine_class, false, -1, seqno);
}

/* --- the completion page (uAPI 1.2) ------------------------------------- */

#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#define SWGPU_DEBUGFS		"/sys/kernel/debug/gpufe_swgpu"

/* Why the completion-page tests cannot run against this kernel, or NULL. */
static inline const char *gpufe_completion_missing(int fd)
{
	struct gpufe_version v;

	if (gpufe_ioctl(fd, GPUFE_IOCTL_VERSION, &v))
		return "GPUFE_IOCTL_VERSION failed";
	if (v.major != GPUFE_VERSION_MAJOR || v.minor < 2 ||
	    !(v.features & GPUFE_FEATURE_COMPLETION_PAGE))
		return "the kernel has no completion page (uAPI 1.2, GPUFE_FEATURE_COMPLETION_PAGE)";
	return NULL;
}

/* Map size bytes of a client's completion page read-only; 0 or -errno. */
static inline int gpufe_completion_map(int fd, size_t size, const void **page)
{
	void *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd,
		       GPUFE_COMPLETION_MMAP_OFFSET);

	if (p == MAP_FAILED)
		return -errno;
	*page = p;
	return 0;
}

/* CTX_CREATE that also returns where the context's slot is. */
static inline int gpufe_create_ctx_slot(int fd, __u32 dev, __u16 engine_class,
					__u16 engine_instance, __u32 *ctx_id,
					__u64 *slot_offset)
{
	struct gpufe_ctx_create c = {
		.device_id = dev,
		.engine_class = engine_class,
		.engine_instance = engine_instance,
		.slot_offset = ~0ULL,
	};
	int ret = gpufe_ioctl(fd, GPUFE_IOCTL_CTX_CREATE, &c);

	if (!ret) {
		*ctx_id = c.ctx_id;
		*slot_offset = c.slot_offset;
	}
	return ret;
}

/* The slot at a byte offset of a mapped completion page. */
static inline const struct gpufe_completion_slot *
gpufe_slot(const void *page, __u64 slot_offset)
{
	return (const void *)((const char *)page + (uintptr_t)slot_offset);
}

/* A slot's seqno, loaded with acquire ordering as the uAPI asks. */
static inline __u64 gpufe_slot_seqno(const struct gpufe_completion_slot *s)
{
	return __atomic_load_n(&s->seqno, __ATOMIC_ACQUIRE);
}

/* A slot's error; read after gpufe_slot_seqno() to see the job's error. */
static inline __s32 gpufe_slot_error(const struct gpufe_completion_slot *s)
{
	return __atomic_load_n(&s->error, __ATOMIC_RELAXED);
}

/*
 * Spin on a slot, never sleeping in the kernel, until it shows seqno or the
 * absolute CLOCK_MONOTONIC deadline passes: 0 or -ETIME. It yields the CPU
 * between looks, so that spinners do not starve the GPU's own threads.
 */
static inline int gpufe_slot_spin(const struct gpufe_completion_slot *s,
				  __u64 seqno, __s64 deadline_ns)
{
	while (gpufe_slot_seqno(s) < seqno) {
		if (gpufe_now_ns() > deadline_ns)
			return gpufe_slot_seqno(s) >= seqno ? 0 : -ETIME;
		sched_yield();
	}
	return 0;
}

/*
 * One "key:<whitespace>value" line of /proc/<pid>/fdinfo/<fd> (e.g.
 * gpufe-jobs-completed): the value, -ENOENT without such a line, or -errno.
 */
static inline long long gpufe_fdinfo(pid_t pid, int fd, const char *key)
{
	char path[64], line[256];
	size_t len = strlen(key);
	long long ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *end;
		long long v;

		if (strncmp(line, key, len) || line[len] != ':')
			continue;
		errno = 0;
		v = strtoll(line + len + 1, &end, 0);
		ret = errno || end == line + len + 1 || v < 0 ? -EINVAL : v;
		break;
	}
	fclose(f);
	return ret;
}

/*
 * One key of one device's line of debugfs gpufe/route ("<device_id> <name>
 * key=N ..."): the value, -ENOENT if the device or the key is not there,
 * or -errno.
 */
static inline long long gpufe_dev_stat(const char *file, __u32 device_id,
				       const char *key);

static inline long long gpufe_route_stat(__u32 device_id, const char *key)
{
	return gpufe_dev_stat("route", device_id, key);
}

/* Whether a process is asleep (state S in /proc/pid/stat). */
static inline bool gpufe_pid_sleeping(pid_t pid)
{
	char path[64], buf[512];
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

/*
 * waitpid() for a child, bounded: 0 with its status, or -ETIME after
 * timeout_ms (the child is then killed and reaped), or -errno.
 */
static inline int gpufe_waitpid_timeout(pid_t pid, int *status, int timeout_ms)
{
	__s64 deadline = gpufe_now_ns() + timeout_ms * 1000000LL;
	int pidfd = syscall(SYS_pidfd_open, pid, 0);
	pid_t ret;

	for (;;) {
		ret = waitpid(pid, status, WNOHANG);
		if (ret == pid)
			break;
		if (ret < 0 && errno != EINTR) {
			ret = -errno;
			goto out;
		}
		if (gpufe_now_ns() > deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			ret = -ETIME;
			goto out;
		}
		if (pidfd >= 0) {
			/* Readable once the child has exited. */
			gpufe_poll_fd(pidfd, POLLIN, 100);
		} else {
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	ret = 0;
out:
	if (pidfd >= 0)
		close(pidfd);
	return ret;
}

/* --- leaks, module references and module parameters ---------------------- */

#define GPUFE_MODULE_REFCNT	"/sys/module/gpufe/refcnt"

/* gpufe.ko's reference count, or -errno. */
static inline long long gpufe_module_refcnt(void)
{
	return gpufe_read_ull(GPUFE_MODULE_REFCNT);
}

/*
 * Wait, bounded by GPUFE_TIMEOUT_MS, until read(arg) is at most want, as
 * a count of objects does once what frees them asynchronously (work items,
 * RCU) has run: the last value read, or -errno. Returns at once when the
 * value is there already, so a count that stays above shows as it is.
 */
static inline long long gpufe_settle_at_most(long long (*read)(const void *),
					     const void *arg, long long want)
{
	__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;
	struct timespec ms = { 0, 1000000 };
	long long v;

	for (;;) {
		v = read(arg);
		if (v < 0 || v <= want || gpufe_now_ns() > end)
			return v;
		nanosleep(&ms, NULL);
	}
}

static inline long long gpufe_refcnt_read(const void *unused)
{
	return gpufe_module_refcnt();
}

static inline long long gpufe_counter_read(const void *name)
{
	return gpufe_counter(name);
}

/* debugfs gpufe/counters' name, once at most want (bounded); or -errno. */
static inline long long gpufe_counter_at_most(const char *name, long long want)
{
	return gpufe_settle_at_most(gpufe_counter_read, name, want);
}

/* gpufe.ko's reference count, once at most want (bounded); or -errno. */
static inline long long gpufe_refcnt_at_most(long long want)
{
	return gpufe_settle_at_most(gpufe_refcnt_read, NULL, want);
}

/* A client's id (fdinfo's drm-client-id), or -errno. */
static inline long long gpufe_client_id(int fd)
{
	return gpufe_fdinfo(getpid(), fd, "drm-client-id");
}

/*
 * The mem= of a client's line of debugfs gpufe/clients ("<id> pid=P
 * mem=M"): the bytes of buffers charged to it, -ENOENT if it is not
 * listed, or -errno.
 */
static inline long long gpufe_client_mem(long long id)
{
	char line[256];
	long long ret = -ENOENT;
	FILE *f = fopen(GPUFE_DEBUGFS "/clients", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		const char *mem = strstr(line, " mem=");
		char *end;

		if (strtoll(line, &end, 10) != id || end == line || !mem)
			continue;
		ret = strtoll(mem + 5, &end, 10);
		if (end == mem + 5 || ret < 0)
			ret = -EINVAL;
		break;
	}
	fclose(f);
	return ret;
}

/*
 * gpufe's module parameters a subtest changed, with the values they had,
 * for its fixture's teardown to put back: a FIXTURE_TEARDOWN_PARENT, so
 * that they go back even when the subtest's process died.
 */
#define GPUFE_SAVED_PARAMS_MAX	4

struct gpufe_saved_params {
	unsigned int n;
	struct {
		char name[32];
		unsigned long long value;
	} p[GPUFE_SAVED_PARAMS_MAX];
};

/*
 * Set gpufe's parameter name to v, remembering in s the value it had
 * first; 0, -ENOENT without such a parameter, or -errno.
 */
static inline int gpufe_param_set(struct gpufe_saved_params *s,
				  const char *name, unsigned long long v)
{
	char path[128];
	long long old;
	unsigned int i;
	int ret;

	snprintf(path, sizeof(path), GPUFE_PARAMS "/%s", name);
	old = gpufe_read_ull(path);
	if (old < 0)
		return (int)old;
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->p[i].name, name))
			break;
	if (i == s->n) {
		if (i == GPUFE_SAVED_PARAMS_MAX)
			return -ENOSPC;
		snprintf(s->p[i].name, sizeof(s->p[i].name), "%s", name);
		s->p[i].value = old;
		s->n++;
	}
	ret = gpufe_write_ull(path, v);
	if (!ret && gpufe_read_ull(path) != (long long)v)
		ret = -EIO;
	return ret;
}

/* Put back every parameter gpufe_param_set() changed, last first. */
static inline void gpufe_params_restore(struct gpufe_saved_params *s)
{
	char path[128];

	while (s->n) {
		s->n--;
		snprintf(path, sizeof(path), GPUFE_PARAMS "/%s", s->p[s->n].name);
		gpufe_write_ull(path, s->p[s->n].value);
	}
}

/* --- scheduling (uAPI 1.4) ----------------------------------------------- */

_Static_assert(sizeof(struct gpufe_ctx_status) == 48,
	       "struct gpufe_ctx_status of uAPI 1.4");

#define GPUFE_SYSFS_GPU		"/sys/class/gpufe/gpu%u"
#define SWGPU_UNPLUG		SWGPU_DEBUGFS "/unplug"
#define SWGPU_ALLOW_HANG	SWGPU_PARAMS "/allow_hang"

/* Why the scheduling tests cannot run against this kernel, or NULL. */
static inline const char *gpufe_sched_missing(int fd)
{
	struct gpufe_version v;

	if (gpufe_ioctl(fd, GPUFE_IOCTL_VERSION, &v))
		return "GPUFE_IOCTL_VERSION failed";
	if (v.major != GPUFE_VERSION_MAJOR || v.minor < 4 ||
	    !(v.features & GPUFE_FEATURE_SCHED))
		return "the kernel has no scheduler (uAPI 1.4, GPUFE_FEATURE_SCHED)";
	return NULL;
}

/*
 * gpufe_fixture_open(), then what a scheduler's test needs: 0, a
 * positive value with *@missing saying what is missing, or -errno.
 */
static inline int gpufe_sched_fixture_open(int *fd, __u32 *devs, int max_devs,
					   int *num_devs, const char **missing)
{
	int ret = gpufe_fixture_open(fd, devs, max_devs, num_devs, missing);

	if (ret)
		return ret;
	*missing = gpufe_sched_missing(*fd);
	return *missing ? 1 : 0;
}

/* Whether the kernel has partitions (uAPI 1.3, GPUFE_FEATURE_PARTITIONS). */
static inline bool gpufe_has_partitions(int fd)
{
	struct gpufe_version v;

	return !gpufe_ioctl(fd, GPUFE_IOCTL_VERSION, &v) &&
	       v.major == GPUFE_VERSION_MAJOR && v.minor >= 3 &&
	       (v.features & GPUFE_FEATURE_PARTITIONS);
}

/*
 * One key of one device's line of a debugfs file whose lines read
 * "<device_id> <name> key=N ..." (gpufe/route, gpufe/sched): the value,
 * -ENOENT if the device or the key is not there, or -errno. A value that
 * is not a number (sched's policy=) reads as -EINVAL.
 */
static inline long long gpufe_dev_stat(const char *file, __u32 device_id,
				       const char *key)
{
	char path[128], line[1024];
	size_t len = strlen(key);
	long long ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), GPUFE_DEBUGFS "/%s", file);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *tok, *save = NULL, *end;

		tok = strtok_r(line, " \t\n", &save);
		if (!tok || strtoul(tok, &end, 10) != device_id || *end)
			continue;
		strtok_r(NULL, " \t\n", &save);		/* the name */
		while ((tok = strtok_r(NULL, " \t\n", &save))) {
			if (strncmp(tok, key, len) || tok[len] != '=')
				continue;
			errno = 0;
			ret = strtoll(tok + len + 1, &end, 10);
			if (errno || *end || end == tok + len + 1 || ret < 0)
				ret = -EINVAL;
			break;
		}
		break;
	}
	fclose(f);
	return ret;
}

/* One key of a device's line of debugfs gpufe/sched, or -errno. */
static inline long long gpufe_sched_stat(__u32 device_id, const char *key)
{
	return gpufe_dev_stat("sched", device_id, key);
}

/*
 * The policy= word of a device's line of debugfs gpufe/sched into buf:
 * 0, -ENOENT, or -errno.
 */
static inline int gpufe_sched_stat_policy(__u32 device_id, char *buf,
					  size_t size)
{
	char line[1024];
	int ret = -ENOENT;
	FILE *f = fopen(GPUFE_DEBUGFS "/sched", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *tok, *save = NULL, *end;

		tok = strtok_r(line, " \t\n", &save);
		if (!tok || strtoul(tok, &end, 10) != device_id || *end)
			continue;
		while ((tok = strtok_r(NULL, " \t\n", &save))) {
			if (strncmp(tok, "policy=", 7))
				continue;
			snprintf(buf, size, "%s", tok + 7);
			ret = 0;
			break;
		}
		break;
	}
	fclose(f);
	return ret;
}

/* The path of a GPU's sysfs attribute, /sys/class/gpufe/gpu<id>/<attr>. */
static inline void gpufe_gpu_attr_path(__u32 device_id, const char *attr,
				       char *path, size_t size)
{
	char dir[64];

	snprintf(dir, sizeof(dir), GPUFE_SYSFS_GPU, device_id);
	snprintf(path, size, "%s/%s", dir, attr);
}

/*
 * Read a sysfs attribute (or any small file) into buf, NUL-terminated,
 * with a trailing newline removed: its length, or -errno.
 */
static inline int gpufe_read_text(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}

/*
 * Write text to a sysfs attribute or debugfs knob in one write(): 0, or
 * the -errno of open() or write() (a short write reads as -EIO).
 */
static inline int gpufe_write_text(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

/* A GPU's sched_policy into buf (without the newline): 0 or -errno. */
static inline int gpufe_policy_get(__u32 device_id, char *buf, size_t size)
{
	char path[128];
	int n;

	gpufe_gpu_attr_path(device_id, "sched_policy", path, sizeof(path));
	n = gpufe_read_text(path, buf, size);
	return n < 0 ? n : 0;
}

/* Write a GPU's sched_policy as given (no newline added): 0 or -errno. */
static inline int gpufe_policy_set(__u32 device_id, const char *policy)
{
	char path[128];

	gpufe_gpu_attr_path(device_id, "sched_policy", path, sizeof(path));
	return gpufe_write_text(path, policy);
}

/* A GPU's numeric sysfs attribute (hangs, resets, bans), or -errno. */
static inline long long gpufe_gpu_attr(__u32 device_id, const char *attr)
{
	char path[128];

	gpufe_gpu_attr_path(device_id, attr, path, sizeof(path));
	return gpufe_read_ull(path);
}

/*
 * The sched_policy of up to GPUFE_SAVED_POLICIES_MAX GPUs a subtest
 * switched, as they were, for its fixture's teardown (in the parent) to
 * put back.
 */
#define GPUFE_SAVED_POLICIES_MAX	16

struct gpufe_saved_policies {
	unsigned int n;
	struct {
		__u32 device_id;
		char policy[32];
	} p[GPUFE_SAVED_POLICIES_MAX];
};

/*
 * Switch a GPU's policy, remembering in s the one it had first: 0 or
 * -errno (a write the kernel refuses changes nothing to remember).
 */
static inline int gpufe_policy_switch(struct gpufe_saved_policies *s,
				      __u32 device_id, const char *policy)
{
	char old[32], now[32];
	unsigned int i;
	int ret;

	ret = gpufe_policy_get(device_id, old, sizeof(old));
	if (ret)
		return ret;
	for (i = 0; i < s->n; i++)
		if (s->p[i].device_id == device_id)
			break;
	if (i == s->n) {
		if (i == GPUFE_SAVED_POLICIES_MAX)
			return -ENOSPC;
		s->p[i].device_id = device_id;
		snprintf(s->p[i].policy, sizeof(s->p[i].policy), "%s", old);
		s->n++;
	}
	ret = gpufe_policy_set(device_id, policy);
	if (ret)
		return ret;
	ret = gpufe_policy_get(device_id, now, sizeof(now));
	if (!ret && (strlen(now) != strcspn(policy, "\n") ||
		     strncmp(now, policy, strlen(now))))
		ret = -EIO;
	return ret;
}

/* Put back every policy gpufe_policy_switch() changed, last first. */
static inline void gpufe_policies_restore(struct gpufe_saved_policies *s)
{
	while (s->n) {
		s->n--;
		gpufe_policy_set(s->p[s->n].device_id, s->p[s->n].policy);
	}
}

/* A boolean module parameter (Y/N, 1/0): 1, 0, or -errno. */
static inline int gpufe_read_bool(const char *path)
{
	char buf[8];
	int n = gpufe_read_text(path, buf, sizeof(buf));

	if (n < 0)
		return n;
	if (buf[0] == 'Y' || buf[0] == 'y' || buf[0] == '1')
		return 1;
	if (buf[0] == 'N' || buf[0] == 'n' || buf[0] == '0')
		return 0;
	return -EINVAL;
}

/* swgpu's allow_hang: 1, 0, or -errno. */
static inline int gpufe_allow_hang_get(void)
{
	return gpufe_read_bool(SWGPU_ALLOW_HANG);
}

/* Set swgpu's allow_hang; 0 or -errno. */
static inline int gpufe_allow_hang_set(bool on)
{
	int ret = gpufe_write_text(SWGPU_ALLOW_HANG, on ? "Y" : "N");

	if (!ret && gpufe_allow_hang_get() != on)
		ret = -EIO;
	return ret;
}

static inline void gpufe_emit_fault(struct gpufe_cmds *c)
{
	struct swgpu_cmd_fault cmd = { .opcode = SWGPU_CMD_FAULT };

	gpufe_cmds_add(c, &cmd, sizeof(cmd));
}

static inline void gpufe_emit_hang(struct gpufe_cmds *c)
{
	struct swgpu_cmd_hang cmd = { .opcode = SWGPU_CMD_HANG };

	gpufe_cmds_add(c, &cmd, sizeof(cmd));
}

/* CTX_CREATE with a priority; 0 or -errno. */
static inline int gpufe_create_ctx_prio(int fd, __u32 dev, __u16 engine_class,
					__u16 engine_instance, __s32 priority,
					__u32 *ctx_id)
{
	struct gpufe_ctx_create c = {
		.device_id = dev,
		.engine_class = engine_class,
		.engine_instance = engine_instance,
		.priority = priority,
	};
	int ret = gpufe_ioctl(fd, GPUFE_IOCTL_CTX_CREATE, &c);

	if (!ret)
		*ctx_id = c.ctx_id;
	return ret;
}

/*
 * Queue a job with an out-fence (and an in-fence unless in_fence < 0):
 * its sync_file, or -errno; its sequence number in *seqno if not NULL.
 */
static inline int gpufe_submit_fenced(int fd, __u32 ctx_id,
				      const struct gpufe_cmds *c,
				      const struct gpufe_submit_bo *bos,
				      __u32 num_bos, int in_fence, __u64 *seqno)
{
	struct gpufe_submit s = {
		.ctx_id = ctx_id,
		.flags = GPUFE_SUBMIT_OUT_FENCE,
		.cmds = (uintptr_t)c->buf,
		.cmds_size = c->size,
		.bos = (uintptr_t)bos,
		.num_bos = num_bos,
		.out_fence_fd = -1,
	};
	int ret;

	if (in_fence >= 0) {
		s.flags |= GPUFE_SUBMIT_IN_FENCE;
		s.in_fence_fd = in_fence;
	}
	ret = gpufe_ioctl(fd, GPUFE_IOCTL_SUBMIT, &s);
	if (ret)
		return ret;
	if (seqno)
		*seqno = s.seqno;
	return s.out_fence_fd;
}

/*
 * Wait, bounded by timeout_ms, for a sync_file to signal: its status (1
 * signalled without error, or the fence's negative error), with the
 * signal time in *timestamp_ns if not NULL; 0 if it did not signal in
 * time; or -EPROTO when SYNC_IOC_FILE_INFO itself fails.
 */
static inline int gpufe_fence_wait(int fence_fd, int timeout_ms,
				   __u64 *timestamp_ns)
{
	int err, st;

	gpufe_poll_fd(fence_fd, POLLIN, timeout_ms);
	st = gpufe_fence_status(fence_fd, timestamp_ns, &err);
	return err ? -EPROTO : st;
}

/* The sum of a context's CTX_STATUS fields a share is computed from. */
struct gpufe_busy {
	__u64 busy_ns;
	__u64 completed;
	__u64 submitted;
	__u32 queued;
};

/* CTX_STATUS into a gpufe_busy; 0 or -errno. */
static inline int gpufe_busy_read(int fd, __u32 ctx_id, struct gpufe_busy *b)
{
	struct gpufe_ctx_status st;
	int ret = gpufe_get_status(fd, ctx_id, &st);

	if (ret)
		return ret;
	b->busy_ns = st.busy_ns;
	b->completed = st.completed;
	b->submitted = st.submitted;
	b->queued = st.queued;
	return 0;
}

/* Sleep for ms milliseconds, through signals. */
static inline void gpufe_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Until ctx's first job has gone to the engine, bounded: 0 or -errno. */
static inline int gpufe_await_handed(int fd, __u32 ctx)
{
	__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;
	struct gpufe_ctx_status st;
	int ret;

	for (;;) {
		ret = gpufe_get_status(fd, ctx, &st);
		if (ret)
			return ret;
		if (st.queued < st.submitted || st.completed)
			return 0;
		if (gpufe_now_ns() > end)
			return -ETIME;
		gpufe_sleep_ms(1);
	}
}

/* Until a process sleeps, bounded: 0 or -ETIME. */
static inline int gpufe_await_sleeping(pid_t pid)
{
	__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;

	while (!gpufe_pid_sleeping(pid)) {
		if (gpufe_now_ns() > end)
			return -ETIME;
		gpufe_sleep_ms(1);
	}
	return 0;
}

/*
 * Whether a path is gone (ENOENT), or goes within GPUFE_TIMEOUT_MS.
 */
static inline bool gpufe_path_goes(const char *path)
{
	__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;

	while (!access(path, F_OK) || errno != ENOENT) {
		if (gpufe_now_ns() > end)
			return false;
		gpufe_sleep_ms(1);
	}
	return true;
}

#endif /* _GPUFE_TEST_H_ */
