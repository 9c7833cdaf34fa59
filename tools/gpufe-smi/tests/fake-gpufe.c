// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/*
 * An LD_PRELOAD fake of /dev/gpufe, enough for gpufe-smi's host smoke
 * test: opening FAKE_GPUFE_PATH yields a descriptor whose
 * GPUFE_IOCTL_VERSION and GPUFE_IOCTL_QUERY are answered here, and, on a
 * kernel with partitions, GPUFE_IOCTL_PARTITION_CREATE, _OPEN and _REVOKE
 * too, following uapi/gpufe.h. libgpuclient's unit tests carry the
 * thorough fake; this one only has to show what gpufe-smi prints and
 * passes on.
 *
 * The fake's descriptors are memfds, known by their names (through
 * /proc/self/fd), so that they stay fake in a program that inherits one
 * across exec, as "gpufe-smi partition run" passes them on: a
 * "fake-gpufe" memfd is a client of the device, and a "fake-gpufe-part"
 * one a client of a partition, the partition itself (a struct fake_part)
 * stored in the memfd. Further clients of a partition are duplicates of
 * the same memfd, so that its count of clients is theirs.
 *
 * Environment: FAKE_GPUFE_DEVICES (how many of the table's devices exist,
 * default all), FAKE_GPUFE_MAJOR (the reported major version),
 * FAKE_GPUFE_UNPLUG (a device id whose engine query fails with -ENODEV),
 * FAKE_GPUFE_PARTITIONS (1: a 1.3 kernel with partitions; otherwise 1.0),
 * FAKE_GPUFE_SCHED (1: a 1.4 kernel, with partitions and the scheduler:
 * PARTITION_CREATE takes an engine timeout where 1.3 has a pad),
 * FAKE_GPUFE_STATE (a file holding the persistent partitions, one line
 * each: "ID DEVICE MASK QUOTA USED WEIGHT FLAGS MAX_CLIENTS CLIENTS",
 * read and rewritten by the calls that need it, so that they outlive the
 * process), FAKE_GPUFE_NOADMIN (1: the caller lacks CAP_SYS_ADMIN) and
 * FAKE_GPUFE_LOG (a file each PARTITION_CREATE appends its argument to).
 * A partition that is not persistent lives in its descriptors only;
 * CONFIG_REG queries and the register page are not faked. The
 * scheduler's sysfs attributes are no business of the fake: the tests
 * point $GPUFE_SYSFS at a tree of files of their own.
 */

#define _GNU_SOURCE	/* RTLD_NEXT, memfd_create(), F_DUPFD_CLOEXEC */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gpufe.h>

#define FAKE_GPUFE_PATH	"/nonexistent/fake-gpufe"
#define FAKE_DEV_NAME	"fake-gpufe"
#define FAKE_PART_NAME	"fake-gpufe-part"
#define FAKE_MAX_PARTS	16
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

typedef int (*open_fn)(const char *path, int flags, ...);
typedef int (*ioctl_fn)(int fd, unsigned long req, ...);

struct fake_device {
	uint32_t id;
	uint64_t mem_size;
	const char *name;
	const char *backend;
	unsigned int num_engines;
	struct {
		uint16_t engine_class;
		uint16_t engine_instance;
		const char *name;
	} engines[4];
};

static const struct fake_device fake_devices[] = {
	{ 1, 256ULL << 20, "swgpu0", "swgpu", 4, {
		{ GPUFE_ENGINE_CLASS_COMPUTE, 0, "compute0" },
		{ GPUFE_ENGINE_CLASS_COMPUTE, 1, "compute1" },
		{ GPUFE_ENGINE_CLASS_COPY, 0, "copy0" },
		{ GPUFE_ENGINE_CLASS_VIDEO, 0, "video0" } } },
	{ 2, 256ULL << 20, "swgpu1", "swgpu", 4, {
		{ GPUFE_ENGINE_CLASS_COMPUTE, 0, "compute0" },
		{ GPUFE_ENGINE_CLASS_COMPUTE, 1, "compute1" },
		{ GPUFE_ENGINE_CLASS_COPY, 0, "copy0" },
		{ GPUFE_ENGINE_CLASS_VIDEO, 0, "video0" } } },
	{ 12, 3ULL << 29, "edu0", "edu", 1, {
		{ GPUFE_ENGINE_CLASS_COMPUTE, 0, "compute0" } } },
	{ 13, 0, "vgpu\"0\x1b", "vgpu", 0, { { 0, 0, NULL } } },
};

/* A partition, as its clients' memfds and the state file hold it. */
struct fake_part {
	uint32_t id;
	uint32_t device_id;
	uint64_t engine_mask;	/* in the device's numbering */
	uint64_t mem_quota;
	uint64_t mem_used;
	uint32_t weight;
	uint32_t flags;		/* GPUFE_CONFIG_REG_PERSISTENT */
	uint32_t max_clients;
	uint32_t num_clients;
};

/* What a descriptor is to the fake. */
enum fake_kind {
	FAKE_NONE,
	FAKE_DEV,	/* a client of the device */
	FAKE_PART,	/* a client of a partition */
};

static unsigned int env_uint(const char *name, unsigned int def)
{
	const char *v = getenv(name);

	return v && *v ? (unsigned int)strtoul(v, NULL, 0) : def;
}

static int fake_has_sched(void)
{
	return env_uint("FAKE_GPUFE_SCHED", 0) == 1;
}

static int fake_has_partitions(void)
{
	return env_uint("FAKE_GPUFE_PARTITIONS", 0) == 1 || fake_has_sched();
}

static unsigned int fake_num_devices(void)
{
	unsigned int n = ARRAY_SIZE(fake_devices);
	unsigned int want = env_uint("FAKE_GPUFE_DEVICES", n);

	return want < n ? want : n;
}

static const struct fake_device *fake_find(uint32_t id)
{
	unsigned int i, n = fake_num_devices();

	for (i = 0; i < n; i++)
		if (fake_devices[i].id == id)
			return &fake_devices[i];
	return NULL;
}

static uint64_t fake_low_bits(unsigned int n)
{
	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

/* Which of the fake's descriptors @fd is; a partition's is read in @p. */
static enum fake_kind fake_kind(int fd, struct fake_part *p)
{
	static const char dev[] = "/memfd:" FAKE_DEV_NAME " (deleted)";
	static const char part[] = "/memfd:" FAKE_PART_NAME " (deleted)";
	char path[64], target[64];
	ssize_t len;

	if (fd < 0)
		return FAKE_NONE;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	len = readlink(path, target, sizeof(target) - 1);
	if (len < 0)
		return FAKE_NONE;
	target[len] = '\0';
	if (!strcmp(target, dev))
		return FAKE_DEV;
	if (!strcmp(target, part) &&
	    pread(fd, p, sizeof(*p), 0) == (ssize_t)sizeof(*p))
		return FAKE_PART;
	return FAKE_NONE;
}

static void fake_name(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	memset(dst, 0, size);
	memcpy(dst, src, len < size ? len : size);
}

/* --- the persistent partitions, in FAKE_GPUFE_STATE ------------------ */

static unsigned int fake_load(struct fake_part *parts)
{
	const char *path = getenv("FAKE_GPUFE_STATE");
	unsigned int n = 0;
	FILE *f;

	if (!path)
		return 0;
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (n < FAKE_MAX_PARTS) {
		struct fake_part *p = &parts[n];

		memset(p, 0, sizeof(*p));
		if (fscanf(f, "%" SCNu32 " %" SCNu32 " %" SCNx64 " %" SCNu64
			   " %" SCNu64 " %" SCNu32 " %" SCNu32 " %" SCNu32
			   " %" SCNu32, &p->id, &p->device_id, &p->engine_mask,
			   &p->mem_quota, &p->mem_used, &p->weight, &p->flags,
			   &p->max_clients, &p->num_clients) != 9)
			break;
		n++;
	}
	fclose(f);
	return n;
}

static int fake_save(const struct fake_part *parts, unsigned int n)
{
	const char *path = getenv("FAKE_GPUFE_STATE");
	unsigned int i;
	FILE *f;

	if (!path)
		return 0;
	f = fopen(path, "w");
	if (!f)
		return -EIO;
	for (i = 0; i < n; i++)
		fprintf(f, "%" PRIu32 " %" PRIu32 " %" PRIx64 " %" PRIu64 " %"
			PRIu64 " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32
			"\n", parts[i].id, parts[i].device_id,
			parts[i].engine_mask, parts[i].mem_quota,
			parts[i].mem_used, parts[i].weight, parts[i].flags,
			parts[i].max_clients, parts[i].num_clients);
	return fclose(f) ? -EIO : 0;
}

/* --- queries ---------------------------------------------------------- */

/* The devices the caller sees: all, or its partition's. */
static int fake_visible(const struct fake_part *p, const struct fake_device *d)
{
	return !p || p->device_id == d->id;
}

static int fake_query_devices(const struct fake_part *p, struct gpufe_query *q)
{
	unsigned int i, n = fake_num_devices(), k = 0, m = 0;
	struct gpufe_query_devices *res;
	uint32_t need;

	for (i = 0; i < n; i++)
		m += fake_visible(p, &fake_devices[i]);
	need = sizeof(*res) + m * sizeof(struct gpufe_device_info);
	if (q->device_id)
		return -EINVAL;
	if (!q->size) {
		q->size = need;
		return 0;
	}
	if (q->size < need)
		return -ENOSPC;

	res = (struct gpufe_query_devices *)(uintptr_t)q->data;
	memset(res, 0, need);
	res->num_devices = m;
	res->entry_size = sizeof(res->devices[0]);
	for (i = 0; i < n; i++) {
		const struct fake_device *d = &fake_devices[i];
		struct gpufe_device_info *info = &res->devices[k];

		if (!fake_visible(p, d))
			continue;
		info->device_id = d->id;
		info->num_engines = p ? __builtin_popcountll(p->engine_mask) :
				    d->num_engines;
		info->mem_size = d->mem_size;
		fake_name(info->name, GPUFE_NAME_LEN, d->name);
		fake_name(info->backend, GPUFE_NAME_LEN, d->backend);
		k++;
	}
	q->size = need;
	return 0;
}

static const char *fake_class_name(uint16_t engine_class)
{
	switch (engine_class) {
	case GPUFE_ENGINE_CLASS_COMPUTE:
		return "compute";
	case GPUFE_ENGINE_CLASS_COPY:
		return "copy";
	default:
		return "video";
	}
}

static int fake_query_engines(const struct fake_part *p, struct gpufe_query *q)
{
	const struct fake_device *d = fake_find(q->device_id);
	struct gpufe_query_engines *res;
	unsigned int i, j, n = 0;
	uint32_t need;

	if (!d || !fake_visible(p, d) ||
	    d->id == env_uint("FAKE_GPUFE_UNPLUG", 0))
		return -ENODEV;

	for (i = 0; i < d->num_engines; i++)
		n += !p || (p->engine_mask & (1ULL << i));
	need = sizeof(*res) + n * sizeof(struct gpufe_engine_info);
	if (!q->size) {
		q->size = need;
		return 0;
	}
	if (q->size < need)
		return -ENOSPC;

	res = (struct gpufe_query_engines *)(uintptr_t)q->data;
	memset(res, 0, need);
	res->device_id = d->id;
	res->num_engines = n;
	res->entry_size = sizeof(res->engines[0]);
	for (i = 0, n = 0; i < d->num_engines; i++) {
		struct gpufe_engine_info *e = &res->engines[n];
		char name[GPUFE_ENGINE_NAME_LEN];

		if (p && !(p->engine_mask & (1ULL << i)))
			continue;
		e->engine_class = d->engines[i].engine_class;
		e->engine_instance = d->engines[i].engine_instance;
		fake_name(e->name, GPUFE_ENGINE_NAME_LEN, d->engines[i].name);
		if (p) {
			/* Dense: the partition's own numbering. */
			e->engine_instance = 0;
			for (j = 0; j < n; j++)
				e->engine_instance += res->engines[j].engine_class ==
						      e->engine_class;
			snprintf(name, sizeof(name), "%s%u",
				 fake_class_name(e->engine_class),
				 (unsigned int)e->engine_instance);
			fake_name(e->name, GPUFE_ENGINE_NAME_LEN, name);
		}
		n++;
	}
	q->size = need;
	return 0;
}

static int fake_query_partitions(const struct fake_part *p,
				 struct gpufe_query *q)
{
	struct fake_part parts[FAKE_MAX_PARTS];
	struct gpufe_query_partitions *res;
	unsigned int i, n;
	uint32_t need;

	if (q->device_id)
		return -EINVAL;
	if (p) {
		parts[0] = *p;
		parts[0].engine_mask =
			fake_low_bits(__builtin_popcountll(p->engine_mask));
		n = 1;
	} else {
		n = fake_load(parts);
	}
	need = sizeof(*res) + n * sizeof(struct gpufe_partition_info);
	if (!q->size) {
		q->size = need;
		return 0;
	}
	if (q->size < need)
		return -ENOSPC;

	res = (struct gpufe_query_partitions *)(uintptr_t)q->data;
	memset(res, 0, need);
	res->num_partitions = n;
	res->entry_size = sizeof(res->partitions[0]);
	for (i = 0; i < n; i++) {
		struct gpufe_partition_info *k = &res->partitions[i];

		k->partition_id = parts[i].id;
		k->device_id = parts[i].device_id;
		k->engine_mask = parts[i].engine_mask;
		k->mem_quota = parts[i].mem_quota;
		k->mem_used = parts[i].mem_used;
		k->weight = parts[i].weight;
		k->flags = parts[i].flags;
		k->max_clients = parts[i].max_clients;
		k->num_clients = parts[i].num_clients;
	}
	q->size = need;
	return 0;
}

/* --- partitions -------------------------------------------------------- */

/* A new client of partition @p, in a new memfd: its descriptor. */
static int fake_part_fd(const struct fake_part *p)
{
	int fd = memfd_create(FAKE_PART_NAME, MFD_CLOEXEC);

	if (fd < 0)
		return -EMFILE;
	if (pwrite(fd, p, sizeof(*p), 0) != (ssize_t)sizeof(*p)) {
		close(fd);
		return -EIO;
	}
	return fd;
}

static void fake_log_create(const struct gpufe_partition_create *c)
{
	const char *path = getenv("FAKE_GPUFE_LOG");
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "a");
	if (!f)
		return;
	fprintf(f, "create device=%" PRIu32 " flags=%" PRIu32 " mask=0x%"
		PRIx64 " quota=%" PRIu64 " weight=%" PRIu32 " max_clients=%"
		PRIu32 " uid=%" PRIu32 " gid=%" PRIu32 " mode=%04" PRIo32
		" timeout=%" PRIu32 "\n",
		c->device_id, c->flags, (uint64_t)c->engine_mask,
		(uint64_t)c->mem_quota,
		c->weight, c->max_clients, c->node_uid, c->node_gid,
		c->node_mode, c->engine_timeout_ms);
	fclose(f);
}

static int fake_partition_create(const struct fake_part *caller,
				 struct gpufe_partition_create *c)
{
	const int persistent = c->flags & GPUFE_PARTITION_PERSISTENT;
	struct fake_part parts[FAKE_MAX_PARTS], p = { 0 };
	const struct fake_device *d;
	unsigned int n, i;
	int fd, ret;

	if (c->flags & ~GPUFE_PARTITION_PERSISTENT)
		return -EINVAL;
	/* 1.3's pad, MBZ; 1.4's engine timeout, up to the maximum. */
	if (!fake_has_sched() && c->engine_timeout_ms)
		return -EINVAL;
	if (c->engine_timeout_ms > GPUFE_ENGINE_TIMEOUT_MAX_MS)
		return -EINVAL;
	if (caller || env_uint("FAKE_GPUFE_NOADMIN", 0))
		return -EPERM;
	if (!persistent && (c->node_uid || c->node_gid || c->node_mode))
		return -EINVAL;
	if (c->node_mode & ~0777u)
		return -EINVAL;
	if (!c->weight || c->weight > GPUFE_PARTITION_MAX_WEIGHT)
		return -EINVAL;
	d = fake_find(c->device_id);
	if (!d)
		return -ENODEV;
	if (!c->engine_mask ||
	    (c->engine_mask & ~fake_low_bits(d->num_engines)))
		return -EINVAL;

	/* The lowest free id. */
	n = fake_load(parts);
	for (p.id = 1; p.id < GPUFE_PARTITION_MAX; p.id++) {
		for (i = 0; i < n && parts[i].id != p.id; i++)
			;
		if (i == n)
			break;
	}
	if (p.id == GPUFE_PARTITION_MAX || n == FAKE_MAX_PARTS)
		return -ENOSPC;
	p.device_id = c->device_id;
	p.engine_mask = c->engine_mask;
	p.mem_quota = c->mem_quota;
	p.weight = c->weight;
	p.flags = persistent ? GPUFE_CONFIG_REG_PERSISTENT : 0;
	p.max_clients = c->max_clients;
	p.num_clients = 1;

	fd = fake_part_fd(&p);
	if (fd < 0)
		return fd;
	if (persistent) {
		parts[n] = p;
		parts[n].num_clients = 0;	/* the creator's goes soon */
		ret = fake_save(parts, n + 1);
		if (ret) {
			close(fd);
			return ret;
		}
	}
	fake_log_create(c);
	c->partition_id = p.id;
	c->fd = fd;
	return 0;
}

static int fake_partition_open(int fd, const struct fake_part *caller,
			       struct gpufe_partition_open *o)
{
	struct fake_part parts[FAKE_MAX_PARTS], p;
	unsigned int n, i;
	int new_fd;

	if (o->flags || o->pad)
		return -EINVAL;
	if (caller) {
		if (o->partition_id && o->partition_id != caller->id)
			return -EPERM;
		if (caller->max_clients &&
		    caller->num_clients >= caller->max_clients)
			return -EUSERS;
		/* One more client of the same memfd: the count is shared. */
		p = *caller;
		p.num_clients++;
		new_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (new_fd < 0)
			return -errno;
		if (pwrite(fd, &p, sizeof(p), 0) != (ssize_t)sizeof(p)) {
			close(new_fd);
			return -EIO;
		}
		o->fd = new_fd;
		return 0;
	}
	if (!o->partition_id)
		return -EINVAL;
	if (env_uint("FAKE_GPUFE_NOADMIN", 0))
		return -EPERM;
	n = fake_load(parts);
	for (i = 0; i < n && parts[i].id != o->partition_id; i++)
		;
	if (i == n)
		return -ENOENT;
	parts[i].num_clients++;
	new_fd = fake_part_fd(&parts[i]);
	if (new_fd < 0)
		return new_fd;
	o->fd = new_fd;
	return 0;
}

static int fake_partition_revoke(const struct fake_part *caller,
				 const struct gpufe_partition_revoke *r)
{
	struct fake_part parts[FAKE_MAX_PARTS];
	unsigned int n, i;

	if (r->flags)
		return -EINVAL;
	if (caller || env_uint("FAKE_GPUFE_NOADMIN", 0))
		return -EPERM;
	n = fake_load(parts);
	for (i = 0; i < n && parts[i].id != r->partition_id; i++)
		;
	if (i == n)
		return -ENOENT;
	memmove(&parts[i], &parts[i + 1], (n - i - 1) * sizeof(parts[0]));
	return fake_save(parts, n - 1);
}

static int fake_ioctl(int fd, const struct fake_part *p, unsigned long req,
		      void *arg)
{
	if (req == GPUFE_IOCTL_VERSION) {
		/*
		 * A 1.0 kernel, a 1.3 one with partitions, or a 1.4 one that
		 * also schedules: discovery, partitions and the scheduler's
		 * engine timeouts are all this fake implements, and the
		 * expected output must not move with the uAPI header.
		 */
		struct gpufe_version v = {
			.major = env_uint("FAKE_GPUFE_MAJOR",
					  GPUFE_VERSION_MAJOR),
			.minor = fake_has_sched() ? 4 :
				 fake_has_partitions() ? 3 : 0,
			.patch = 0,
			.features = GPUFE_FEATURE_DISCOVERY |
				    (fake_has_partitions() ?
				     GPUFE_FEATURE_PARTITIONS : 0) |
				    (fake_has_sched() ? GPUFE_FEATURE_SCHED : 0),
		};

		memcpy(arg, &v, sizeof(v));
		return 0;
	}
	if (req == GPUFE_IOCTL_QUERY) {
		struct gpufe_query *q = arg;

		if (q->flags || (!q->size && q->data))
			return -EINVAL;
		if (q->query == GPUFE_QUERY_DEVICES)
			return fake_query_devices(p, q);
		if (q->query == GPUFE_QUERY_ENGINES)
			return fake_query_engines(p, q);
		if (q->query == GPUFE_QUERY_PARTITIONS && fake_has_partitions())
			return fake_query_partitions(p, q);
		return -EINVAL;
	}
	if (!fake_has_partitions())
		return -ENOTTY;
	if (req == GPUFE_IOCTL_PARTITION_CREATE)
		return fake_partition_create(p, arg);
	if (req == GPUFE_IOCTL_PARTITION_OPEN)
		return fake_partition_open(fd, p, arg);
	if (req == GPUFE_IOCTL_PARTITION_REVOKE)
		return fake_partition_revoke(p, arg);
	return -ENOTTY;
}

int open(const char *path, int flags, ...)
{
	open_fn real_open = (open_fn)dlsym(RTLD_NEXT, "open");
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (strcmp(path, FAKE_GPUFE_PATH))
		return real_open(path, flags, mode);
	return memfd_create(FAKE_DEV_NAME,
			    flags & O_CLOEXEC ? MFD_CLOEXEC : 0);
}

int ioctl(int fd, unsigned long req, ...)
{
	ioctl_fn real_ioctl = (ioctl_fn)dlsym(RTLD_NEXT, "ioctl");
	struct fake_part part;
	enum fake_kind kind;
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);

	kind = fake_kind(fd, &part);
	if (kind == FAKE_NONE)
		return real_ioctl(fd, req, arg);
	ret = fake_ioctl(fd, kind == FAKE_PART ? &part : NULL, req, arg);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return 0;
}
