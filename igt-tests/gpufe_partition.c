// SPDX-License-Identifier: GPL-2.0
/*
 * gpufe_partition: partitions (uAPI 1.3). PARTITION_CREATE, PARTITION_OPEN
 * and PARTITION_REVOKE with every validation path of theirs; what a client
 * of a partition sees (its device, with its engines numbered densely) and
 * what it cannot reach (other engines and devices, other partitions, the
 * administration); the configuration register, read with QUERY_CONFIG_REG
 * and mapped read-only; persistent partitions and their device nodes;
 * memory quotas (which replace user_mem_mib for a partition's clients),
 * client limits, revocation with jobs running and queued (on contexts
 * with a handle or without), the partitions_mandatory parameter and the
 * sysfs attributes (root's only).
 *
 * The subtests run as root and act as an unprivileged user in forked
 * children that drop to nobody (uid and gid 65534, no groups) or enter a
 * user namespace of their own. The children check with EXPECT and ASSERT,
 * which report through the harness's shared metadata.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

/* libdrm's copy of the kernel's drm.h, for raw ioctls on vgem: no libdrm. */
#include <drm.h>

#include "kselftest_harness.h"
#include "gpufe_test.h"

#define MAX_DEVS	16
#define MAX_ENGINES	64
#define NOBODY		65534
/* The exit status of a child that found the subtest cannot run. */
#define CHILD_SKIP	77
/* The register mapping's length, as the uAPI spells it. */
#define REG_PAGE	4096
#define FILL_VALUE	0x9a27f111u
/* What the kernel must leave in the outputs of a call that fails. */
#define POISON_FD	(-0x5a5a)
#define POISON_ID	0xa5a5a5a5u
#define POISON_HANDLE	0xa5a5a5a5u
#define SEQNO_NONE	0xa5a5a5a5a5a5a5a5ULL
#define SYSFS_PART	"/sys/class/gpufe/gpufe-part%u"
#define MANDATORY	GPUFE_PARAMS "/partitions_mandatory"

_Static_assert(sizeof(struct gpufe_config_reg) == 56, "gpufe_config_reg v1");
_Static_assert(sizeof(struct gpufe_partition_create) == 56, "partition_create");
_Static_assert(sizeof(struct gpufe_partition_open) == 16, "partition_open");
_Static_assert(sizeof(struct gpufe_partition_revoke) == 8, "partition_revoke");
_Static_assert(sizeof(struct gpufe_partition_info) == 48, "partition_info");

#define CREATE_IOWR(size) _IOC(_IOC_READ | _IOC_WRITE, GPUFE_IOCTL_BASE, \
			       _IOC_NR(GPUFE_IOCTL_PARTITION_CREATE), (size))

FIXTURE(partition) {
	int fd;			/* root's client without partition */
	int num_devs;
	__u32 devs[MAX_DEVS];	/* the swgpu devices */
	__u32 dev;		/* swgpu0 */
	int num_engines;
	/* swgpu0's engines in the device's numbering: bit i is engines[i] */
	struct gpufe_engine_info engines[MAX_ENGINES];
	unsigned int per_class[GPUFE_CONFIG_REG_CLASSES];
	/* the other devices root's client sees, of any back-end */
	int num_others;
	__u32 others[MAX_DEVS];
	size_t page;
	/*
	 * For the teardown, which runs in the parent (the fixture is shared
	 * with it): the partitions the subtest made, to revoke, and
	 * partitions_mandatory as it was ('Y' or 'N'), if it changed it.
	 */
	unsigned int num_ids;
	__u32 ids[GPUFE_PARTITION_MAX];
	char mandatory;
	/* other module parameters the subtest changed (user_mem_mib) */
	struct gpufe_saved_params params;
};

static int revoke_part(int fd, __u32 id);
static int mandatory_set(int on);

FIXTURE_SETUP(partition)
{
	struct gpufe_query_devices *devs;
	struct gpufe_version v;
	int i;

	self->fd = -1;
	self->page = sysconf(_SC_PAGESIZE);
	if (gpufe_in_partition())
		SKIP(return, "needs a client without partition, and " GPUFE_FD_ENV " is set");
	if (access(GPUFE_DEV, F_OK))
		SKIP(return, GPUFE_DEV " is absent: gpufe.ko not loaded");
	self->fd = gpufe_open_device();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_VERSION, &v));
	if (v.major != GPUFE_VERSION_MAJOR || v.minor < 3 ||
	    !(v.features & GPUFE_FEATURE_PARTITIONS))
		SKIP(return, "the kernel has no partitions (uAPI 1.3, GPUFE_FEATURE_PARTITIONS)");
	self->num_devs = gpufe_swgpu_ids(self->fd, self->devs, MAX_DEVS);
	ASSERT_LE(0, self->num_devs);
	if (!self->num_devs)
		SKIP(return, "no swgpu device: gpufe_swgpu not loaded");
	self->dev = self->devs[0];
	self->num_engines = gpufe_engines(self->fd, self->dev, self->engines,
					  MAX_ENGINES);
	ASSERT_LT(0, self->num_engines);
	ASSERT_GE(MAX_ENGINES, self->num_engines);
	for (i = 0; i < self->num_engines; i++) {
		ASSERT_GT(GPUFE_CONFIG_REG_CLASSES, self->engines[i].engine_class);
		self->per_class[self->engines[i].engine_class]++;
	}
	ASSERT_EQ(0, gpufe_query_fetch(self->fd, GPUFE_QUERY_DEVICES, 0,
				       (void **)&devs));
	for (i = 0; i < (int)devs->num_devices && self->num_others < MAX_DEVS; i++) {
		const struct gpufe_device_info *d = (const void *)
			((const char *)devs->devices + (size_t)i * devs->entry_size);

		if (d->device_id != self->dev)
			self->others[self->num_others++] = d->device_id;
	}
	free(devs);
}

/*
 * In the parent of the subtest's process, so that it runs even when the
 * subtest died: the files of that process, and with them its partitions
 * that were not persistent, are gone; the persistent ones are revoked,
 * and the module parameters it changed put back.
 */
FIXTURE_TEARDOWN_PARENT(partition)
{
	unsigned int i;
	int fd;

	if (self->mandatory)
		mandatory_set(self->mandatory == 'Y');
	gpufe_params_restore(&self->params);
	if (!self->num_ids)
		return;
	fd = gpufe_open_device();
	if (fd < 0)
		return;
	for (i = 0; i < self->num_ids; i++)
		revoke_part(fd, self->ids[i]);
	close(fd);
}

/* --- helpers: partitions ----------------------------------------------------- */

static __u64 bit(int i)
{
	return 1ULL << i;
}

/* The mask of engines 0 to n - 1. */
static __u64 low_bits(int n)
{
	return n >= 64 ? ~0ULL : bit(n) - 1;
}

/* Remember a partition for the teardown to revoke. */
static void note_id(FIXTURE_DATA(partition) *self, __u32 id)
{
	unsigned int i;

	for (i = 0; i < self->num_ids; i++)
		if (self->ids[i] == id)
			return;
	if (self->num_ids < ARRAY_SIZE(self->ids))
		self->ids[self->num_ids++] = id;
}

/*
 * A valid PARTITION_CREATE of swgpu0's engines in mask, weight 100,
 * nothing else; its outputs poisoned.
 */
static struct gpufe_partition_create create_arg(FIXTURE_DATA(partition) *self,
						__u64 mask)
{
	struct gpufe_partition_create c = {
		.device_id = self->dev,
		.engine_mask = mask,
		.weight = 100,
		.partition_id = POISON_ID,
		.fd = POISON_FD,
	};

	return c;
}

/* PARTITION_CREATE through fd: 0 or -errno; what it made is noted. */
static int create_on(FIXTURE_DATA(partition) *self, int fd,
		     struct gpufe_partition_create *c)
{
	int ret = gpufe_ioctl(fd, GPUFE_IOCTL_PARTITION_CREATE, c);

	if (!ret)
		note_id(self, c->partition_id);
	return ret;
}

/* PARTITION_CREATE through root's client: the new client, or -errno. */
static int create_part(FIXTURE_DATA(partition) *self,
		       struct gpufe_partition_create *c)
{
	int ret = create_on(self, self->fd, c);

	return ret ? ret : c->fd;
}

/* A partition of swgpu0's engines in mask: its first client, or -errno. */
static int simple_part(FIXTURE_DATA(partition) *self, __u64 mask, __u32 *id)
{
	struct gpufe_partition_create c = create_arg(self, mask);
	int fd = create_part(self, &c);

	if (fd >= 0 && id)
		*id = c.partition_id;
	return fd;
}

/* PARTITION_OPEN: the new client, or -errno. */
static int open_part(int fd, __u32 id)
{
	struct gpufe_partition_open o = { .partition_id = id, .fd = POISON_FD };
	int ret = gpufe_ioctl(fd, GPUFE_IOCTL_PARTITION_OPEN, &o);

	return ret ? ret : o.fd;
}

static int revoke_part(int fd, __u32 id)
{
	struct gpufe_partition_revoke r = { .partition_id = id };

	return gpufe_ioctl(fd, GPUFE_IOCTL_PARTITION_REVOKE, &r);
}

/* The partitions fd sees, into info[] (up to max): how many, or -errno. */
static int list_parts(int fd, struct gpufe_partition_info *info, int max)
{
	struct gpufe_query_partitions *q;
	int i, ret;

	ret = gpufe_query_fetch(fd, GPUFE_QUERY_PARTITIONS, 0, (void **)&q);
	if (ret)
		return ret;
	if (q->num_partitions && q->entry_size < sizeof(*info)) {
		free(q);
		return -EPROTO;
	}
	for (i = 0; i < (int)q->num_partitions && i < max; i++)
		memcpy(&info[i], (const char *)q->partitions +
		       (size_t)i * q->entry_size, sizeof(*info));
	ret = q->num_partitions;
	free(q);
	return ret;
}

/* Partition id as fd sees it: 1 with *info, 0 if it is not listed, -errno. */
static int find_part(int fd, __u32 id, struct gpufe_partition_info *info)
{
	struct gpufe_partition_info all[GPUFE_PARTITION_MAX];
	int i, n = list_parts(fd, all, GPUFE_PARTITION_MAX);

	if (n < 0)
		return n;
	for (i = 0; i < n && i < GPUFE_PARTITION_MAX; i++) {
		if (all[i].partition_id != id)
			continue;
		if (info)
			*info = all[i];
		return 1;
	}
	return 0;
}

/*
 * Whether partition id leaves fd's list, within GPUFE_TIMEOUT_MS: the end
 * of a partition whose last client closed may lag the close a little.
 */
static bool part_ends(int fd, __u32 id)
{
	__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;
	struct timespec ms = { 0, 1000000 };

	for (;;) {
		int ret = find_part(fd, id, NULL);

		if (ret <= 0)
			return ret == 0;
		if (gpufe_now_ns() > end)
			return false;
		nanosleep(&ms, NULL);
	}
}

struct part_field {
	int fd;
	__u32 id;
	size_t offset;	/* of a __u32 or __u64 in gpufe_partition_info */
	size_t size;
};

static long long part_field_read(const void *arg)
{
	const struct part_field *f = arg;
	struct gpufe_partition_info info;
	int ret = find_part(f->fd, f->id, &info);

	if (ret <= 0)
		return ret ? ret : -ENOENT;
	if (f->size == sizeof(__u64))
		return *(const __u64 *)((const char *)&info + f->offset);
	return *(const __u32 *)((const char *)&info + f->offset);
}

/*
 * A field of partition id's entry (mem_used, num_clients) once it is at
 * most want, bounded: memory and clients that went are given back by
 * work items. The last value read, or -errno.
 */
#define part_field_at_most(fd_, id_, field, want)			\
	gpufe_settle_at_most(part_field_read, &(struct part_field){	\
		.fd = (fd_), .id = (id_),				\
		.offset = offsetof(struct gpufe_partition_info, field),	\
		.size = sizeof(((struct gpufe_partition_info *)0)->field), \
	}, (want))

/* A field of partition id's entry now, or -errno. */
#define part_field(fd_, id_, field) \
	part_field_at_most(fd_, id_, field, LLONG_MAX)

/* What a bad-* call must leave as it was. */
struct snapshot {
	int n;
	struct gpufe_partition_info p[GPUFE_PARTITION_MAX];
	int fds;
};

static void snap(struct __test_metadata *_metadata,
		 FIXTURE_DATA(partition) *self, struct snapshot *s)
{
	s->n = list_parts(self->fd, s->p, GPUFE_PARTITION_MAX);
	ASSERT_LE(0, s->n);
	s->fds = gpufe_count_fds();
	ASSERT_LT(0, s->fds);
}

/*
 * Nothing changed since s: the same partitions with the same fields
 * (clients and memory in use included), and no new descriptor.
 */
static void expect_unchanged(struct __test_metadata *_metadata,
			     FIXTURE_DATA(partition) *self,
			     const struct snapshot *s)
{
	static struct snapshot now;
	int i;

	snap(_metadata, self, &now);
	EXPECT_EQ(s->fds, now.fds) {
		TH_LOG("%d descriptors before, %d after", s->fds, now.fds);
	}
	EXPECT_EQ(s->n, now.n);
	for (i = 0; i < s->n && i < now.n; i++) {
		EXPECT_EQ(0, memcmp(&s->p[i], &now.p[i], sizeof(now.p[i]))) {
			TH_LOG("partition %u changed", s->p[i].partition_id);
		}
	}
}

/*
 * PARTITION_CREATE through fd must fail with err and change nothing:
 * outputs, partitions, descriptors (what says what the call breaks).
 */
static void expect_create_refused(struct __test_metadata *_metadata,
				  FIXTURE_DATA(partition) *self, int fd,
				  struct gpufe_partition_create c, int err,
				  const char *what)
{
	static struct snapshot before;
	int was = _metadata->exit_code, ret;

	snap(_metadata, self, &before);
	c.fd = POISON_FD;
	c.partition_id = POISON_ID;
	ret = create_on(self, fd, &c);
	EXPECT_EQ(err, ret);
	if (!ret)
		close(c.fd);
	else
		expect_unchanged(_metadata, self, &before);
	EXPECT_EQ(POISON_FD, c.fd);
	EXPECT_EQ(POISON_ID, c.partition_id);
	if (_metadata->exit_code != was)
		TH_LOG("the refused PARTITION_CREATE: %s", what);
}

/* PARTITION_OPEN through fd must fail with err and change nothing. */
static void expect_open_refused(struct __test_metadata *_metadata,
				FIXTURE_DATA(partition) *self, int fd,
				struct gpufe_partition_open o, int err,
				const char *what)
{
	static struct snapshot before;
	int was = _metadata->exit_code, ret;

	snap(_metadata, self, &before);
	o.fd = POISON_FD;
	ret = gpufe_ioctl(fd, GPUFE_IOCTL_PARTITION_OPEN, &o);
	EXPECT_EQ(err, ret);
	if (!ret)
		close(o.fd);
	else
		expect_unchanged(_metadata, self, &before);
	EXPECT_EQ(POISON_FD, o.fd);
	if (_metadata->exit_code != was)
		TH_LOG("the refused PARTITION_OPEN: %s", what);
}

/* PARTITION_REVOKE through fd must fail with err and change nothing. */
static void expect_revoke_refused(struct __test_metadata *_metadata,
				  FIXTURE_DATA(partition) *self, int fd,
				  struct gpufe_partition_revoke r, int err,
				  const char *what)
{
	static struct snapshot before;
	int was = _metadata->exit_code;

	snap(_metadata, self, &before);
	EXPECT_EQ(err, gpufe_ioctl(fd, GPUFE_IOCTL_PARTITION_REVOKE, &r));
	expect_unchanged(_metadata, self, &before);
	if (_metadata->exit_code != was)
		TH_LOG("the refused PARTITION_REVOKE: %s", what);
}

/* Whether fd is close-on-exec and open for reading and writing. */
static bool cloexec_rdwr(int fd)
{
	int fdfl = fcntl(fd, F_GETFD), fl = fcntl(fd, F_GETFL);

	return fdfl >= 0 && (fdfl & FD_CLOEXEC) && fl >= 0 &&
	       (fl & O_ACCMODE) == O_RDWR;
}

/* An id no partition has now (1 to GPUFE_PARTITION_MAX - 1), or 0. */
static __u32 unused_id(int fd)
{
	__u32 id;

	for (id = GPUFE_PARTITION_MAX - 1; id > 0; id--)
		if (find_part(fd, id, NULL) == 0)
			return id;
	return 0;
}

/* --- helpers: engines and jobs ------------------------------------------------ */

struct eng {
	__u16 cls;
	__u16 inst;
};

/*
 * Engine idx of swgpu0 (the device's numbering) as a client of a
 * partition of mask numbers it: the instances of its class in the mask
 * before it.
 */
static struct eng dense_engine(FIXTURE_DATA(partition) *self, __u64 mask,
			       int idx)
{
	struct eng e = { self->engines[idx].engine_class, 0 };
	int i;

	for (i = 0; i < idx; i++)
		if ((mask & bit(i)) && self->engines[i].engine_class == e.cls)
			e.inst++;
	return e;
}

/* How many engines of each class the mask holds. */
static void mask_classes(FIXTURE_DATA(partition) *self, __u64 mask,
			 unsigned int counts[GPUFE_CONFIG_REG_CLASSES])
{
	int i;

	memset(counts, 0, GPUFE_CONFIG_REG_CLASSES * sizeof(counts[0]));
	for (i = 0; i < self->num_engines; i++)
		if (mask & bit(i))
			counts[self->engines[i].engine_class]++;
}

/* The first engine of swgpu0 of a class, in the device's numbering, or -1. */
static int first_of_class(FIXTURE_DATA(partition) *self, __u16 cls)
{
	int i;

	for (i = 0; i < self->num_engines; i++)
		if (self->engines[i].engine_class == cls)
			return i;
	return -1;
}

/* Whether an engine runs FILL (compute and copy engines do). */
static bool fills(__u16 cls)
{
	return cls == GPUFE_ENGINE_CLASS_COMPUTE || cls == GPUFE_ENGINE_CLASS_COPY;
}

/* A context on engine e of dev, a NOP run on it and the context gone: 0 or -errno. */
static int run_nop(int fd, __u32 dev, struct eng e)
{
	struct gpufe_ctx_status st;
	struct gpufe_cmds c = { 0 };
	__u64 seqno = 0;
	__u32 ctx;
	int ret;

	ret = gpufe_create_ctx(fd, dev, e.cls, e.inst, &ctx);
	if (ret)
		return ret;
	gpufe_emit_nop(&c);
	ret = gpufe_submit_cmds(fd, ctx, &c, NULL, 0, &seqno);
	if (!ret)
		ret = gpufe_sync(fd, ctx, seqno);
	if (!ret)
		ret = gpufe_get_status(fd, ctx, &st);
	if (!ret && (st.error || st.completed != seqno))
		ret = -EIO;
	gpufe_destroy_ctx(fd, ctx);
	return ret;
}

/*
 * A buffer, a context on engine e (which must run FILL) and a FILL of the
 * buffer, whose data is checked through its mapping: 0 or -errno.
 */
static int run_fill(int fd, __u32 dev, struct eng e, __u32 value)
{
	struct gpufe_buffer b;
	struct gpufe_submit_bo bo;
	struct gpufe_cmds c = { 0 };
	__u64 seqno = 0;
	__u32 ctx;
	int ret;

	ret = gpufe_buffer_create(fd, 4096, &b);
	if (ret)
		return ret;
	ret = gpufe_create_ctx(fd, dev, e.cls, e.inst, &ctx);
	if (ret)
		goto out;
	bo.handle = b.handle;
	bo.flags = GPUFE_SUBMIT_BO_WRITE;
	gpufe_emit_fill(&c, 0, 0, 4096, value);
	ret = gpufe_submit_cmds(fd, ctx, &c, &bo, 1, &seqno);
	if (!ret)
		ret = gpufe_sync(fd, ctx, seqno);
	if (!ret && gpufe_find_not(b.map, 4096 / 4, value) != -1)
		ret = -EIO;
	gpufe_destroy_ctx(fd, ctx);
out:
	gpufe_buffer_destroy(fd, &b);
	return ret;
}

/* A job with an out-fence; its sync_file, or -errno. */
static int submit_fenced(int fd, __u32 ctx, const struct gpufe_cmds *c,
			 const struct gpufe_submit_bo *bos, __u32 num_bos,
			 int in_fence)
{
	return gpufe_submit_fenced(fd, ctx, c, bos, num_bos, in_fence, NULL);
}

/* Until the 64-bit word at p is not 0 (a job began), bounded: 0 or -ETIME. */
static int await_nonzero(const void *p)
{
	__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;

	while (!__atomic_load_n((const __u64 *)p, __ATOMIC_ACQUIRE)) {
		if (gpufe_now_ns() > end)
			return -ETIME;
		sched_yield();
	}
	return 0;
}

/* Export a buffer of fd as a writable dma-buf: its fd, or -errno. */
static int export_rdwr(int fd, __u32 handle)
{
	struct gpufe_bo_export e = {
		.handle = handle,
		.flags = GPUFE_BO_EXPORT_CLOEXEC | GPUFE_BO_EXPORT_RDWR,
		.fd = -1,
	};
	int ret = gpufe_ioctl(fd, GPUFE_IOCTL_BO_EXPORT, &e);

	return ret ? ret : e.fd;
}

/* BO_IMPORT of a dma-buf: 0 with the handle and size, or -errno. */
static int import_dmabuf(int fd, int dmabuf, __u32 *handle, __u64 *size)
{
	struct gpufe_bo_import imp = {
		.fd = dmabuf,
		.handle = POISON_HANDLE,
	};
	int ret = gpufe_ioctl(fd, GPUFE_IOCTL_BO_IMPORT, &imp);

	*handle = imp.handle;
	if (!ret && size)
		*size = imp.size;
	return ret;
}

/* BO_CREATE without mapping: 0 with the handle, or -errno (handle untouched). */
static int create_bo(int fd, __u64 size, __u32 *handle)
{
	struct gpufe_bo_create c = { .size = size, .handle = POISON_HANDLE };
	int ret = gpufe_ioctl(fd, GPUFE_IOCTL_BO_CREATE, &c);

	*handle = c.handle;
	if (ret && c.size != size)
		return -EPROTO;	/* a failed call wrote its argument */
	return ret;
}

/* --- helpers: the register ------------------------------------------------------ */

/* QUERY_CONFIG_REG: 0 with the register and the size the kernel gave, or -errno. */
static int get_reg(int fd, __u32 dev, struct gpufe_config_reg *reg, __u32 *size)
{
	struct gpufe_query q = { .query = GPUFE_QUERY_CONFIG_REG, .device_id = dev };
	void *buf;
	int ret;

	ret = gpufe_ioctl(fd, GPUFE_IOCTL_QUERY, &q);
	if (ret)
		return ret;
	if (size)
		*size = q.size;
	if (q.size < sizeof(*reg))
		return -EPROTO;
	buf = calloc(1, q.size);
	if (!buf)
		return -ENOMEM;
	q.data = (uintptr_t)buf;
	ret = gpufe_ioctl(fd, GPUFE_IOCTL_QUERY, &q);
	if (!ret)
		memcpy(reg, buf, sizeof(*reg));
	free(buf);
	return ret;
}

/* Map a client's register page read-only: the mapping, or MAP_FAILED. */
static const void *map_reg(int fd)
{
	return mmap(NULL, REG_PAGE, PROT_READ, MAP_SHARED, fd,
		    GPUFE_CONFIG_REG_MMAP_OFFSET);
}

/* The register on a mapped page, its magic read first with acquire ordering. */
static void read_reg(const void *page, struct gpufe_config_reg *reg)
{
	__u32 magic = __atomic_load_n((const __u32 *)page, __ATOMIC_ACQUIRE);

	memcpy(reg, page, sizeof(*reg));
	reg->magic = magic;
}

/* The register of a client of the partition c created, as it must read. */
static void expect_part_reg(struct __test_metadata *_metadata,
			    FIXTURE_DATA(partition) *self,
			    const struct gpufe_config_reg *reg,
			    const struct gpufe_partition_create *c)
{
	unsigned int counts[GPUFE_CONFIG_REG_CLASSES];
	int i, n = __builtin_popcountll(c->engine_mask);
	__u32 flags = GPUFE_CONFIG_REG_DENSE;

	if (c->flags & GPUFE_PARTITION_PERSISTENT)
		flags |= GPUFE_CONFIG_REG_PERSISTENT;
	mask_classes(self, c->engine_mask, counts);
	EXPECT_EQ(GPUFE_CONFIG_REG_MAGIC, reg->magic);
	EXPECT_EQ(GPUFE_CONFIG_REG_VERSION, reg->version);
	EXPECT_EQ(sizeof(*reg), reg->size);
	EXPECT_EQ(c->partition_id, reg->partition_id);
	EXPECT_EQ(c->device_id, reg->device_id);
	EXPECT_EQ(low_bits(n), reg->engine_mask);
	for (i = 0; i < GPUFE_CONFIG_REG_CLASSES; i++) {
		EXPECT_EQ(counts[i], reg->engines[i]) {
			TH_LOG("class %d", i);
		}
	}
	EXPECT_EQ(c->mem_quota, reg->mem_quota);
	EXPECT_EQ(c->weight, reg->weight);
	EXPECT_EQ(flags, reg->flags);
	EXPECT_EQ(c->max_clients, reg->max_clients);
	EXPECT_EQ(0, reg->pad);
}

/* --- helpers: what a client sees --------------------------------------------------- */

/*
 * A client of a partition of mask sees swgpu0 alone, with the mask's
 * engines numbered densely per class and named after that numbering.
 */
static void expect_view(struct __test_metadata *_metadata,
			FIXTURE_DATA(partition) *self, int fd, __u64 mask)
{
	static const char *const class_names[] = { "compute", "copy", "video" };
	struct gpufe_engine_info e[MAX_ENGINES];
	struct gpufe_query_devices *devs;
	unsigned int counts[GPUFE_CONFIG_REG_CLASSES], seen[GPUFE_CONFIG_REG_CLASSES] = { 0 };
	int i, n, k = __builtin_popcountll(mask);

	ASSERT_EQ(0, gpufe_query_fetch(fd, GPUFE_QUERY_DEVICES, 0, (void **)&devs));
	EXPECT_EQ(1, devs->num_devices);
	if (devs->num_devices >= 1) {
		EXPECT_EQ(self->dev, devs->devices[0].device_id);
		EXPECT_STREQ("swgpu", devs->devices[0].backend);
		EXPECT_EQ(k, devs->devices[0].num_engines);
	}
	free(devs);

	mask_classes(self, mask, counts);
	n = gpufe_engines(fd, self->dev, e, MAX_ENGINES);
	ASSERT_EQ(k, n);
	for (i = 0; i < n; i++) {
		char name[GPUFE_ENGINE_NAME_LEN];
		__u16 cls = e[i].engine_class;

		ASSERT_GT(GPUFE_CONFIG_REG_CLASSES, cls);
		if (i) {
			EXPECT_LE(e[i - 1].engine_class, cls);
		}
		EXPECT_EQ(seen[cls], e[i].engine_instance);
		if (cls < ARRAY_SIZE(class_names)) {
			snprintf(name, sizeof(name), "%s%u", class_names[cls],
				 e[i].engine_instance);
			EXPECT_STREQ(name, e[i].name);
		}
		seen[cls]++;
	}
	for (i = 0; i < GPUFE_CONFIG_REG_CLASSES; i++) {
		EXPECT_EQ(counts[i], seen[i]) {
			TH_LOG("class %d", i);
		}
	}
}

/*
 * CTX_CREATE through fd on (cls, inst) of dev must fail with err, make
 * nothing and leave ctx_id as it was.
 */
static void expect_ctx_refused(struct __test_metadata *_metadata, int fd,
			       __u32 dev, __u16 cls, __u16 inst, int err)
{
	struct gpufe_ctx_create c = {
		.device_id = dev,
		.engine_class = cls,
		.engine_instance = inst,
		.ctx_id = POISON_HANDLE,
	};

	EXPECT_EQ(err, gpufe_ioctl(fd, GPUFE_IOCTL_CTX_CREATE, &c)) {
		TH_LOG("device %u, class %u, instance %u", dev, cls, inst);
	}
	EXPECT_EQ(POISON_HANDLE, c.ctx_id);
}

/*
 * A client of a partition of mask reaches no engine beyond its own: in
 * each class, the instance after its last (an engine of the device
 * outside the mask, where the device has one) fails as an instance that
 * does not exist, with ENOENT; and every device but swgpu0 is unknown to
 * it: ENODEV from QUERY_ENGINES, QUERY_CONFIG_REG and CTX_CREATE.
 */
static void expect_bounded(struct __test_metadata *_metadata,
			   FIXTURE_DATA(partition) *self, int fd, __u64 mask)
{
	unsigned int counts[GPUFE_CONFIG_REG_CLASSES];
	__u32 others[MAX_DEVS + 3];
	int i, n = 0;

	mask_classes(self, mask, counts);
	for (i = 0; i < GPUFE_CONFIG_REG_CLASSES; i++) {
		expect_ctx_refused(_metadata, fd, self->dev, i, counts[i], -ENOENT);
		expect_ctx_refused(_metadata, fd, self->dev, i, 0xffff, -ENOENT);
	}
	expect_ctx_refused(_metadata, fd, self->dev, 0xffff, 0, -ENOENT);

	/* The devices root's client sees, but swgpu0; and ids of none. */
	for (i = 0; i < self->num_others; i++)
		others[n++] = self->others[i];
	others[n++] = 0;
	others[n++] = ~0u;
	others[n++] = self->devs[self->num_devs - 1] + 1000;
	for (i = 0; i < n; i++) {
		struct gpufe_query q = { .query = GPUFE_QUERY_ENGINES,
					 .device_id = others[i] };
		struct gpufe_query r = { .query = GPUFE_QUERY_CONFIG_REG,
					 .device_id = others[i] };

		EXPECT_EQ(-ENODEV, gpufe_ioctl(fd, GPUFE_IOCTL_QUERY, &q)) {
			TH_LOG("QUERY_ENGINES of device %u", others[i]);
		}
		EXPECT_EQ(0, q.size);
		EXPECT_EQ(-ENODEV, gpufe_ioctl(fd, GPUFE_IOCTL_QUERY, &r)) {
			TH_LOG("QUERY_CONFIG_REG of device %u", others[i]);
		}
		EXPECT_EQ(0, r.size);
		expect_ctx_refused(_metadata, fd, others[i],
				   GPUFE_ENGINE_CLASS_COMPUTE, 0, -ENODEV);
	}
}

/*
 * Every ioctl of a client of a partition that ended fails with ENODEV,
 * writing nothing; so do its mmap()s. ctx and bo are its context and
 * buffer, e an engine of its.
 */
static void expect_client_ended(struct __test_metadata *_metadata,
				FIXTURE_DATA(partition) *self, int fd,
				__u32 ctx, __u32 bo, struct eng e)
{
	struct gpufe_partition_create pc = create_arg(self, 1);
	struct gpufe_partition_revoke pr = { .partition_id = 1 };
	struct gpufe_partition_open po = { .fd = POISON_FD };
	struct gpufe_query qd = { .query = GPUFE_QUERY_DEVICES };
	struct gpufe_query qr = { .query = GPUFE_QUERY_CONFIG_REG,
				  .device_id = self->dev };
	struct gpufe_query qp = { .query = GPUFE_QUERY_PARTITIONS };
	struct gpufe_bo_create bc = { .size = 4096, .handle = POISON_HANDLE };
	struct gpufe_bo_export be = { .handle = bo, .fd = POISON_FD,
				      .flags = GPUFE_BO_EXPORT_CLOEXEC };
	struct gpufe_ctx_status st;
	struct gpufe_version v;
	struct gpufe_cmds c = { 0 };
	__u64 seqno = SEQNO_NONE;
	__u32 ctx2 = POISON_HANDLE;
	void *m;

	memset(&v, 0, sizeof(v));
	EXPECT_EQ(-ENODEV, gpufe_ioctl(fd, GPUFE_IOCTL_VERSION, &v));
	EXPECT_EQ(0, v.major);
	EXPECT_EQ(-ENODEV, gpufe_ioctl(fd, GPUFE_IOCTL_QUERY, &qd));
	EXPECT_EQ(0, qd.size);
	EXPECT_EQ(-ENODEV, gpufe_ioctl(fd, GPUFE_IOCTL_QUERY, &qr));
	EXPECT_EQ(-ENODEV, gpufe_ioctl(fd, GPUFE_IOCTL_QUERY, &qp));
	EXPECT_EQ(-ENODEV, gpufe_ioctl(fd, GPUFE_IOCTL_BO_CREATE, &bc));
	EXPECT_EQ(POISON_HANDLE, bc.handle);
	EXPECT_EQ(-ENODEV, gpufe_ioctl(fd, GPUFE_IOCTL_BO_EXPORT, &be));
	EXPECT_EQ(POISON_FD, be.fd);
	EXPECT_EQ(-ENODEV, gpufe_destroy_bo(fd, bo));
	EXPECT_EQ(-ENODEV, gpufe_create_ctx(fd, self->dev, e.cls, e.inst, &ctx2));
	EXPECT_EQ(POISON_HANDLE, ctx2);
	EXPECT_EQ(-ENODEV, gpufe_get_status(fd, ctx, &st));
	gpufe_emit_nop(&c);
	EXPECT_EQ(-ENODEV, gpufe_submit_cmds(fd, ctx, &c, NULL, 0, &seqno));
	EXPECT_EQ(SEQNO_NONE, seqno);
	EXPECT_EQ(-ENODEV, gpufe_wait_until(fd, ctx, 1, 0));
	EXPECT_EQ(-ENODEV, gpufe_destroy_ctx(fd, ctx));
	EXPECT_EQ(-ENODEV, gpufe_ioctl(fd, GPUFE_IOCTL_PARTITION_OPEN, &po));
	EXPECT_EQ(POISON_FD, po.fd);
	EXPECT_EQ(-ENODEV, gpufe_ioctl(fd, GPUFE_IOCTL_PARTITION_CREATE, &pc));
	EXPECT_EQ(POISON_FD, pc.fd);
	EXPECT_EQ(-ENODEV, gpufe_ioctl(fd, GPUFE_IOCTL_PARTITION_REVOKE, &pr));

	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd,
		 GPUFE_COMPLETION_MMAP_OFFSET);
	EXPECT_EQ(MAP_FAILED, m);
	if (m != MAP_FAILED) {
		munmap(m, 4096);
	} else {
		EXPECT_EQ(ENODEV, errno);
	}
	m = (void *)map_reg(fd);
	EXPECT_EQ(MAP_FAILED, m);
	if (m != MAP_FAILED) {
		munmap(m, REG_PAGE);
	} else {
		EXPECT_EQ(ENODEV, errno);
	}
}

/* --- helpers: other users ------------------------------------------------------------ */

static bool has_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap);
}

/* Become nobody: no groups, gid and uid 65534. 0 or -errno. */
static int drop_to_nobody(void)
{
	if (setgroups(0, NULL))
		return -errno;
	if (setgid(NOBODY))
		return -errno;
	if (setuid(NOBODY))
		return -errno;
	return 0;
}

/* fork() a child that dies with the subtest's process. */
static pid_t fork_child(void)
{
	pid_t pid = fork();

	if (!pid)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return pid;
}

/*
 * Reap a child, bounded: its exit status, or -1 after a failure if it did
 * not exit in time or died of a signal. The child's own checks report
 * through _metadata.
 */
static int reap(struct __test_metadata *_metadata, pid_t pid)
{
	int status = 0, ret;

	ret = gpufe_waitpid_timeout(pid, &status, 3 * GPUFE_TIMEOUT_MS);
	EXPECT_EQ(0, ret) {
		TH_LOG("child %d did not exit in time", pid);
	}
	if (ret)
		return -1;
	EXPECT_TRUE(WIFEXITED(status)) {
		TH_LOG("child %d died of signal %d", pid,
		       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Enter a user namespace of one's own: 0, CHILD_SKIP if there is none, or -errno. */
static int enter_userns(void)
{
	if (!unshare(CLONE_NEWUSER))
		return 0;
	if (errno == EINVAL || errno == EPERM || errno == ENOSYS)
		return CHILD_SKIP;
	return -errno;
}

/* Send a descriptor over a UNIX socket: 0 or -errno. */
static int send_fd(int sock, int fd)
{
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;

	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &m, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

/* Receive a descriptor sent by send_fd(), bounded: it, or -errno. */
static int recv_fd(int sock)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	int fd, ret;

	ret = gpufe_poll_fd(sock, POLLIN, GPUFE_TIMEOUT_MS);
	if (ret <= 0)
		return ret ? ret : -ETIME;
	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
		return -errno;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* Wait for one byte on a pipe or socket, bounded: 0 or -errno. */
static int await_byte(int fd)
{
	char byte;
	int ret = gpufe_poll_fd(fd, POLLIN, 3 * GPUFE_TIMEOUT_MS);

	if (ret <= 0)
		return ret ? ret : -ETIME;
	return read(fd, &byte, 1) == 1 ? 0 : -EPIPE;
}

static int send_byte(int fd)
{
	return write(fd, "x", 1) == 1 ? 0 : -errno;
}

/* --- helpers: sysfs, the module parameter, vgem ------------------------------------ */

/* A partition's sysfs attribute as a number (decimal, or hex with 0x), or -errno. */
static long long part_attr(__u32 id, const char *name)
{
	char path[128], buf[64], *end;
	unsigned long long v;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYSFS_PART "/%s", id, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n ? -errno : -EINVAL;
	buf[n] = '\0';
	errno = 0;
	v = strtoull(buf, &end, 0);
	if (errno || end == buf || (*end && *end != '\n') || v > LLONG_MAX)
		return -EINVAL;
	return v;
}

/* A partition's sysfs attribute as text into buf: its length, or -errno. */
static int part_attr_text(__u32 id, const char *name, char *buf, size_t size)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYSFS_PART "/%s", id, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static bool part_sysfs_exists(__u32 id)
{
	char path[64];

	snprintf(path, sizeof(path), SYSFS_PART, id);
	return access(path, F_OK) == 0;
}

/*
 * Whether a path is gone (ENOENT), or goes within GPUFE_TIMEOUT_MS: what
 * an ended partition leaves in sysfs and /dev may go after its end.
 */
static bool path_goes(const char *path)
{
	__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;
	struct timespec ms = { 0, 1000000 };
	struct stat st;

	while (!stat(path, &st) || errno != ENOENT) {
		if (gpufe_now_ns() > end)
			return false;
		nanosleep(&ms, NULL);
	}
	return true;
}

static bool part_sysfs_goes(__u32 id)
{
	char path[64];

	snprintf(path, sizeof(path), SYSFS_PART, id);
	return path_goes(path);
}

/* partitions_mandatory: 1 (Y), 0 (N), or -errno. */
static int mandatory_get(void)
{
	char buf[8] = "";
	FILE *f = fopen(MANDATORY, "re");
	bool got;

	if (!f)
		return -errno;
	got = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!got)
		return -EIO;
	return buf[0] == 'Y' ? 1 : buf[0] == 'N' ? 0 : -EINVAL;
}

/* Set partitions_mandatory: 0 once it reads back so, or -errno. */
static int mandatory_set(int on)
{
	FILE *f = fopen(MANDATORY, "we");
	int ret = 0;

	if (!f)
		return -errno;
	if (fputs(on ? "Y\n" : "N\n", f) < 0)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && mandatory_get() != !!on)
		ret = -EIO;
	return ret;
}

/* Set partitions_mandatory, remembering its first value for the teardown. */
static int mandatory_change(FIXTURE_DATA(partition) *self, int on)
{
	int old = mandatory_get();

	if (old < 0)
		return old;
	if (!self->mandatory)
		self->mandatory = old ? 'Y' : 'N';
	return mandatory_set(on);
}

/* vgem's card node, found with DRM_IOCTL_VERSION; or -ENOENT. */
static int vgem_open(void)
{
	char path[32];
	int i;

	for (i = 0; i < 16; i++) {
		struct drm_version v;
		char name[16] = "";
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&v, 0, sizeof(v));
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (!gpufe_ioctl(fd, DRM_IOCTL_VERSION, &v) && v.name_len == 4 &&
		    !memcmp(name, "vgem", 4))
			return fd;
		close(fd);
	}
	return -ENOENT;
}

/* A vgem buffer of size bytes (4 KiB pages) as a dma-buf: its fd, or -errno. */
static int vgem_dmabuf(int vgem, __u64 size)
{
	struct drm_mode_create_dumb c = {
		.width = 1024, .height = size / 4096, .bpp = 32,
	};
	struct drm_prime_handle p = { .flags = DRM_CLOEXEC | DRM_RDWR, .fd = -1 };
	struct drm_gem_close g = { 0 };
	int ret;

	ret = gpufe_ioctl(vgem, DRM_IOCTL_MODE_CREATE_DUMB, &c);
	if (ret)
		return ret;
	if (c.size != size)
		return -EPROTO;
	p.handle = c.handle;
	ret = gpufe_ioctl(vgem, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);
	/* The dma-buf keeps the buffer. */
	g.handle = c.handle;
	gpufe_ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &g);
	return ret ? ret : p.fd;
}

/* --- creating, ending ---------------------------------------------------------------- */

TEST_F(partition, basic_create_destroy)
{
	struct gpufe_partition_create c = create_arg(self, bit(0));
	struct gpufe_query q = { .query = GPUFE_QUERY_PARTITIONS };
	struct gpufe_query_partitions *all;
	struct gpufe_partition_info info;
	struct gpufe_version v;
	char node[64];
	struct stat st;
	unsigned int i;
	int p;

	describe("PARTITION_CREATE gives a close-on-exec read-write client; QUERY_PARTITIONS lists the partition as created, with one client; closing that client ends it");
	c.weight = 7;
	c.max_clients = 3;
	c.mem_quota = 16 * self->page;
	p = create_part(self, &c);
	ASSERT_LE(0, p);
	EXPECT_LT(0, c.partition_id);
	EXPECT_GT(GPUFE_PARTITION_MAX, c.partition_id);
	EXPECT_TRUE(cloexec_rdwr(p));
	ASSERT_EQ(0, gpufe_ioctl(p, GPUFE_IOCTL_VERSION, &v));
	EXPECT_EQ(GPUFE_VERSION_MAJOR, v.major);
	EXPECT_NE(0, v.features & GPUFE_FEATURE_PARTITIONS);

	/* The layout: a header and whole entries, by ascending id. */
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_QUERY, &q));
	ASSERT_EQ(0, gpufe_query_fetch(self->fd, GPUFE_QUERY_PARTITIONS, 0,
				       (void **)&all));
	EXPECT_EQ(sizeof(struct gpufe_partition_info), all->entry_size);
	EXPECT_LE(1, all->num_partitions);
	EXPECT_EQ(sizeof(*all) + all->num_partitions * sizeof(all->partitions[0]),
		  q.size);
	for (i = 1; i < all->num_partitions; i++) {
		EXPECT_LT(all->partitions[i - 1].partition_id,
			  all->partitions[i].partition_id);
	}
	free(all);

	ASSERT_EQ(1, find_part(self->fd, c.partition_id, &info));
	EXPECT_EQ(self->dev, info.device_id);
	EXPECT_EQ(bit(0), info.engine_mask);
	EXPECT_EQ(16 * self->page, info.mem_quota);
	EXPECT_EQ(0, info.mem_used);
	EXPECT_EQ(7, info.weight);
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(3, info.max_clients);
	EXPECT_EQ(1, info.num_clients);

	/* Not persistent: no node; in sysfs all the same. */
	snprintf(node, sizeof(node), GPUFE_PARTITION_NODE_PATH, c.partition_id);
	EXPECT_EQ(-1, stat(node, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_TRUE(part_sysfs_exists(c.partition_id));

	EXPECT_EQ(0, close(p));
	EXPECT_TRUE(part_ends(self->fd, c.partition_id));
	EXPECT_TRUE(part_sysfs_goes(c.partition_id));
	EXPECT_EQ(-ENOENT, open_part(self->fd, c.partition_id));
	EXPECT_EQ(-ENOENT, revoke_part(self->fd, c.partition_id));
}

TEST_F(partition, basic_revoke)
{
	struct gpufe_config_reg reg;
	const void *page;
	struct eng e0 = dense_engine(self, bit(0), 0);
	__u32 id, ctx, bo, ctx_q;
	int p, q;

	describe("After PARTITION_REVOKE every ioctl and mmap() of each client of the partition fails with ENODEV, VERSION included; the mapped register shows REVOKED; the id is gone");
	p = simple_part(self, bit(0), &id);
	ASSERT_LE(0, p);
	q = open_part(p, 0);
	ASSERT_LE(0, q);
	page = map_reg(p);
	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, create_bo(p, 4096, &bo));
	ASSERT_EQ(0, gpufe_create_ctx(p, self->dev, e0.cls, e0.inst, &ctx));
	ASSERT_EQ(0, gpufe_create_ctx(q, self->dev, e0.cls, e0.inst, &ctx_q));
	ASSERT_EQ(0, run_nop(p, self->dev, e0));
	read_reg(page, &reg);
	EXPECT_EQ(0, reg.flags & GPUFE_CONFIG_REG_REVOKED);

	ASSERT_EQ(0, revoke_part(self->fd, id));
	expect_client_ended(_metadata, self, p, ctx, bo, e0);
	expect_client_ended(_metadata, self, q, ctx_q, bo, e0);
	read_reg(page, &reg);
	EXPECT_EQ(GPUFE_CONFIG_REG_MAGIC, reg.magic);
	EXPECT_EQ(id, reg.partition_id);
	EXPECT_NE(0, reg.flags & GPUFE_CONFIG_REG_REVOKED);

	EXPECT_EQ(0, find_part(self->fd, id, NULL));
	EXPECT_TRUE(part_sysfs_goes(id));
	EXPECT_EQ(-ENOENT, open_part(self->fd, id));
	EXPECT_EQ(-ENOENT, revoke_part(self->fd, id));
	/* Root's own client is not a client of it. */
	EXPECT_EQ(0, run_nop(self->fd, self->dev, (struct eng){ e0.cls, 0 }));
	munmap((void *)page, REG_PAGE);
	EXPECT_EQ(0, close(q));
	EXPECT_EQ(0, close(p));
}

TEST_F(partition, create_struct_sizes)
{
	struct {
		struct gpufe_partition_create c;
		__u64 future[2];
	} big;
	struct gpufe_partition_info info;

	describe("A newer user space's larger PARTITION_CREATE works when its tail is zero, and leaves the tail alone");
	memset(&big, 0, sizeof(big));
	big.c = create_arg(self, bit(0));
	ASSERT_EQ(0, gpufe_ioctl(self->fd, CREATE_IOWR(sizeof(big)), &big));
	note_id(self, big.c.partition_id);
	ASSERT_LE(0, big.c.fd);
	EXPECT_TRUE(cloexec_rdwr(big.c.fd));
	EXPECT_EQ(0, big.future[0]);
	EXPECT_EQ(0, big.future[1]);
	ASSERT_EQ(1, find_part(self->fd, big.c.partition_id, &info));
	EXPECT_EQ(bit(0), info.engine_mask);
	EXPECT_EQ(1, info.num_clients);
	close(big.c.fd);
	EXPECT_TRUE(part_ends(self->fd, big.c.partition_id));
}

/* --- who may ------------------------------------------------------------------------- */

TEST_F(partition, non_admin_refused)
{
	struct gpufe_partition_info before, after;
	__u32 id;
	pid_t pid;
	int p;

	describe("Without CAP_SYS_ADMIN (as nobody), PARTITION_CREATE, PARTITION_OPEN by id and PARTITION_REVOKE fail with EPERM, on its own client and on root's, and change nothing");
	p = simple_part(self, bit(0), &id);
	ASSERT_LE(0, p);
	ASSERT_EQ(1, find_part(self->fd, id, &before));

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct gpufe_partition_create c = create_arg(self, bit(0));
		struct gpufe_partition_open o = { .partition_id = id };
		struct gpufe_partition_revoke r = { .partition_id = id };
		int fd;

		close(p);
		ASSERT_EQ(0, drop_to_nobody());
		ASSERT_FALSE(has_cap(CAP_SYS_ADMIN));
		fd = gpufe_open_device();
		ASSERT_LE(0, fd);
		expect_create_refused(_metadata, self, fd, c, -EPERM, "as nobody");
		c.flags = GPUFE_PARTITION_PERSISTENT;
		c.node_uid = NOBODY;
		c.node_gid = NOBODY;
		c.node_mode = 0600;
		expect_create_refused(_metadata, self, fd, c, -EPERM,
				      "persistent, as nobody");
		expect_open_refused(_metadata, self, fd, o, -EPERM, "as nobody");
		expect_revoke_refused(_metadata, self, fd, r, -EPERM, "as nobody");
		/* Partitions exist, but listing them is an administrator's. */
		EXPECT_EQ(0, list_parts(fd, NULL, 0));
		EXPECT_EQ(0, list_parts(self->fd, NULL, 0));
		/* Root opened it; nobody calls: the caller is what counts. */
		c = create_arg(self, bit(0));
		expect_create_refused(_metadata, self, self->fd, c, -EPERM,
				      "as nobody, on root's client");
		expect_open_refused(_metadata, self, self->fd, o, -EPERM,
				    "as nobody, on root's client");
		expect_revoke_refused(_metadata, self, self->fd, r, -EPERM,
				      "as nobody, on root's client");
		close(fd);
		_exit(0);
	}
	EXPECT_EQ(0, reap(_metadata, pid));
	ASSERT_EQ(1, find_part(self->fd, id, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(after)));
	EXPECT_EQ(0, run_nop(p, self->dev, dense_engine(self, bit(0), 0)));
	close(p);
}

TEST_F(partition, userns_admin_refused)
{
	struct gpufe_partition_info before, after;
	__u32 id;
	pid_t pid;
	int p, code;

	describe("A process with every capability in a user namespace of its own, but not in the initial one, gets EPERM from PARTITION_CREATE, _OPEN by id and _REVOKE");
	p = simple_part(self, bit(0), &id);
	ASSERT_LE(0, p);
	ASSERT_EQ(1, find_part(self->fd, id, &before));

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct gpufe_partition_create c = create_arg(self, bit(0));
		struct gpufe_partition_open o = { .partition_id = id };
		struct gpufe_partition_revoke r = { .partition_id = id };
		int fd, ret;

		close(p);
		ret = enter_userns();
		if (ret == CHILD_SKIP)
			_exit(CHILD_SKIP);
		ASSERT_EQ(0, ret);
		ASSERT_TRUE(has_cap(CAP_SYS_ADMIN));
		fd = gpufe_open_device();
		ASSERT_LE(0, fd);
		expect_create_refused(_metadata, self, fd, c, -EPERM,
				      "in a user namespace");
		expect_open_refused(_metadata, self, fd, o, -EPERM,
				    "in a user namespace");
		expect_revoke_refused(_metadata, self, fd, r, -EPERM,
				      "in a user namespace");
		expect_create_refused(_metadata, self, self->fd, c, -EPERM,
				      "in a user namespace, on root's client");
		expect_revoke_refused(_metadata, self, self->fd, r, -EPERM,
				      "in a user namespace, on root's client");
		close(fd);
		_exit(0);
	}
	code = reap(_metadata, pid);
	if (code == CHILD_SKIP) {
		close(p);
		SKIP(return, "unshare(CLONE_NEWUSER) is not available");
	}
	EXPECT_EQ(0, code);
	ASSERT_EQ(1, find_part(self->fd, id, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(after)));
	close(p);
}

/* --- the view of a partition's client ----------------------------------------------- */

/*
 * A mask of the last engine of every class of swgpu0: renumbered, each is
 * instance 0; -1 as the index of a class with two engines or more if
 * there is none.
 */
static __u64 last_of_each_class(FIXTURE_DATA(partition) *self, int *wide)
{
	__u64 mask = 0;
	int i;

	*wide = -1;
	for (i = 0; i < self->num_engines; i++) {
		bool last = i + 1 == self->num_engines ||
			    self->engines[i + 1].engine_class !=
			    self->engines[i].engine_class;

		if (!last)
			continue;
		mask |= bit(i);
		if (self->engines[i].engine_instance > 0 && *wide < 0)
			*wide = i;
	}
	return mask;
}

TEST_F(partition, mask_renumbered)
{
	struct gpufe_partition_create c;
	struct gpufe_partition_info info;
	struct gpufe_config_reg reg;
	__u64 mask;
	int p, wide, i, n;

	describe("A partition of the last engine of each class sees them as instance 0 of their class, named so, in QUERY, its register and QUERY_PARTITIONS; root sees the device's numbering");
	mask = last_of_each_class(self, &wide);
	if (wide < 0)
		SKIP(return, "swgpu0 has no class with two engines: nothing to renumber");
	c = create_arg(self, mask);
	p = create_part(self, &c);
	ASSERT_LE(0, p);
	expect_view(_metadata, self, p, mask);
	n = __builtin_popcountll(mask);

	ASSERT_EQ(0, get_reg(p, self->dev, &reg, NULL));
	expect_part_reg(_metadata, self, &reg, &c);

	ASSERT_EQ(1, list_parts(p, &info, 1));
	EXPECT_EQ(c.partition_id, info.partition_id);
	EXPECT_EQ(low_bits(n), info.engine_mask);
	ASSERT_EQ(1, find_part(self->fd, c.partition_id, &info));
	EXPECT_EQ(mask, info.engine_mask);
	EXPECT_EQ(mask, part_attr(c.partition_id, "engine_mask"));

	/* Each engine by its new name; none after the last of a class. */
	for (i = 0; i < self->num_engines; i++) {
		if (!(mask & bit(i)))
			continue;
		EXPECT_EQ(0, run_nop(p, self->dev, dense_engine(self, mask, i))) {
			TH_LOG("the device's %s", self->engines[i].name);
		}
	}
	expect_bounded(_metadata, self, p, mask);
	close(p);
}

/* Submit count DELAY jobs of the longest delay on ctx; the last seqno. */
static int submit_busy(int fd, __u32 ctx, int count, __u64 *seqno)
{
	struct gpufe_cmds c = { 0 };
	int i, ret = 0;

	gpufe_emit_delay(&c, SWGPU_MAX_DELAY_US);
	for (i = 0; i < count && !ret; i++)
		ret = gpufe_submit_cmds(fd, ctx, &c, NULL, 0, seqno);
	return ret;
}

TEST_F_TIMEOUT(partition, mask_renumbered_same_engine, 60)
{
	struct gpufe_ctx_status st;
	struct gpufe_cmds nop = { 0 };
	struct eng dense = { 0, 0 };
	__u32 ctx0, ctx1, ctx_p;
	__u64 busy, seqno;
	int p, i0, i1;

	describe("The partition's compute0 that is the device's compute1 runs on compute1: its jobs wait behind compute1's, not behind compute0's");
	i0 = first_of_class(self, GPUFE_ENGINE_CLASS_COMPUTE);
	if (i0 < 0 || self->per_class[GPUFE_ENGINE_CLASS_COMPUTE] < 2)
		SKIP(return, "swgpu0 has fewer than two compute engines");
	i1 = i0 + 1;
	dense = dense_engine(self, bit(i1), i1);
	ASSERT_EQ(0, dense.inst);
	p = simple_part(self, bit(i1), NULL);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->dev, GPUFE_ENGINE_CLASS_COMPUTE,
				      0, &ctx0));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->dev, GPUFE_ENGINE_CLASS_COMPUTE,
				      1, &ctx1));
	ASSERT_EQ(0, gpufe_create_ctx(p, self->dev, dense.cls, dense.inst, &ctx_p));

	/* The device's compute0 busy for 3 s: the partition's job passes it. */
	gpufe_emit_nop(&nop);
	ASSERT_EQ(0, submit_busy(self->fd, ctx0, 3, &busy));
	ASSERT_EQ(0, gpufe_submit_cmds(p, ctx_p, &nop, NULL, 0, &seqno));
	ASSERT_EQ(0, gpufe_sync(p, ctx_p, seqno));
	ASSERT_EQ(0, gpufe_get_status(self->fd, ctx0, &st));
	EXPECT_GT(busy, st.completed) {
		TH_LOG("the partition's job waited for the device's compute0");
	}
	ASSERT_EQ(0, gpufe_sync(self->fd, ctx0, busy));

	/* The device's compute1 busy: the partition's job comes after. */
	ASSERT_EQ(0, submit_busy(self->fd, ctx1, 1, &busy));
	ASSERT_EQ(0, gpufe_submit_cmds(p, ctx_p, &nop, NULL, 0, &seqno));
	ASSERT_EQ(0, gpufe_sync(p, ctx_p, seqno));
	ASSERT_EQ(0, gpufe_get_status(self->fd, ctx1, &st));
	EXPECT_EQ(busy, st.completed) {
		TH_LOG("the partition's job ran beside the device's compute1");
	}
	ASSERT_EQ(0, gpufe_sync(self->fd, ctx1, busy));
	close(p);
}

TEST_F(partition, masked_engine_unusable)
{
	__u64 mask = bit(0);
	int p;

	describe("A partition of one engine shows only it; every other engine of its device fails CTX_CREATE with ENOENT as a nonexistent one does, and every other device id fails QUERY_ENGINES, QUERY_CONFIG_REG and CTX_CREATE with ENODEV");
	if (self->num_engines < 2)
		SKIP(return, "swgpu0 has one engine: nothing to mask");
	p = simple_part(self, mask, NULL);
	ASSERT_LE(0, p);
	expect_view(_metadata, self, p, mask);
	expect_bounded(_metadata, self, p, mask);
	/* What it has still works after all that. */
	EXPECT_EQ(0, run_nop(p, self->dev, dense_engine(self, mask, 0)));
	close(p);
}

/* --- the register -------------------------------------------------------------------- */

TEST_F(partition, config_reg_whole_device)
{
	int d;

	describe("A client without partition reads each device's register as a whole: partition_id 0, weight 0, every engine in the mask, no DENSE flag");
	for (d = 0; d < self->num_devs; d++) {
		struct gpufe_engine_info e[MAX_ENGINES];
		unsigned int counts[GPUFE_CONFIG_REG_CLASSES] = { 0 };
		struct gpufe_config_reg reg;
		__u32 size = 0;
		int i, n;

		n = gpufe_engines(self->fd, self->devs[d], e, MAX_ENGINES);
		ASSERT_LT(0, n);
		for (i = 0; i < n; i++)
			counts[e[i].engine_class]++;
		ASSERT_EQ(0, get_reg(self->fd, self->devs[d], &reg, &size));
		EXPECT_EQ(sizeof(reg), size);
		EXPECT_EQ(GPUFE_CONFIG_REG_MAGIC, reg.magic);
		EXPECT_EQ(GPUFE_CONFIG_REG_VERSION, reg.version);
		EXPECT_EQ(sizeof(reg), reg.size);
		EXPECT_EQ(0, reg.partition_id);
		EXPECT_EQ(self->devs[d], reg.device_id);
		EXPECT_EQ(low_bits(n), reg.engine_mask);
		for (i = 0; i < GPUFE_CONFIG_REG_CLASSES; i++) {
			EXPECT_EQ(counts[i], reg.engines[i]);
		}
		EXPECT_EQ(0, reg.mem_quota);
		EXPECT_EQ(0, reg.weight);
		EXPECT_EQ(0, reg.flags);
		EXPECT_EQ(0, reg.max_clients);
		EXPECT_EQ(0, reg.pad);
	}
}

TEST_F(partition, register_matches_query)
{
	static const __u32 flags[] = { 0, GPUFE_PARTITION_PERSISTENT };
	unsigned int k;
	__u64 mask;
	int wide;

	describe("A partition client's register, by QUERY_CONFIG_REG and on its mapped page, is the emulated one: DENSE, the low bits, per-class counts, id, quota, weight, limit and PERSISTENT as created; every client of it reads the same");
	mask = last_of_each_class(self, &wide);
	for (k = 0; k < ARRAY_SIZE(flags); k++) {
		struct gpufe_partition_create c = create_arg(self, mask);
		struct gpufe_config_reg reg, reg2, mapped;
		const unsigned char *page;
		__u32 size = 0;
		int p, q, i;

		c.flags = flags[k];
		c.mem_quota = (k + 3) * 1024 * self->page;
		c.weight = 333 + k;
		c.max_clients = 5 + k;
		if (c.flags & GPUFE_PARTITION_PERSISTENT)
			c.node_mode = 0600;
		p = create_part(self, &c);
		ASSERT_LE(0, p);
		ASSERT_EQ(0, get_reg(p, self->dev, &reg, &size));
		EXPECT_EQ(sizeof(reg), size);
		expect_part_reg(_metadata, self, &reg, &c);

		page = map_reg(p);
		ASSERT_NE(MAP_FAILED, page);
		read_reg(page, &mapped);
		EXPECT_EQ(0, memcmp(&reg, &mapped, sizeof(reg)));
		for (i = sizeof(reg); i < REG_PAGE; i++) {
			ASSERT_EQ(0, page[i]) {
				TH_LOG("byte %d of the register page", i);
			}
		}

		q = open_part(p, 0);
		ASSERT_LE(0, q);
		ASSERT_EQ(0, get_reg(q, self->dev, &reg2, NULL));
		EXPECT_EQ(0, memcmp(&reg, &reg2, sizeof(reg)));
		munmap((void *)page, REG_PAGE);
		close(q);
		close(p);
		if (c.flags & GPUFE_PARTITION_PERSISTENT) {
			EXPECT_EQ(0, revoke_part(self->fd, c.partition_id));
		}
	}
}

TEST_F(partition, register_page)
{
	struct gpufe_config_reg reg, seen;
	const void *page;
	__u32 id;
	pid_t pid;
	int p, code;

	describe("The register page maps read-only and shared: a store faults, mprotect() to write fails with EACCES, and the mapping shows REVOKED once the partition is revoked");
	p = simple_part(self, bit(0), &id);
	ASSERT_LE(0, p);
	page = map_reg(p);
	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, get_reg(p, self->dev, &reg, NULL));
	read_reg(page, &seen);
	EXPECT_EQ(0, memcmp(&reg, &seen, sizeof(reg)));

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct rlimit none = { 0, 0 };

		setrlimit(RLIMIT_CORE, &none);
		*(volatile __u32 *)(uintptr_t)page = 0xdeadbeef;
		_exit(0);
	}
	{
		int status = 0;

		ASSERT_EQ(0, gpufe_waitpid_timeout(pid, &status, GPUFE_TIMEOUT_MS));
		EXPECT_TRUE(WIFSIGNALED(status));
		if (WIFSIGNALED(status)) {
			EXPECT_EQ(SIGSEGV, WTERMSIG(status));
		}
	}
	EXPECT_EQ(GPUFE_CONFIG_REG_MAGIC,
		  __atomic_load_n((const __u32 *)page, __ATOMIC_ACQUIRE));
	EXPECT_EQ(-1, mprotect((void *)page, REG_PAGE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);

	ASSERT_EQ(0, revoke_part(self->fd, id));
	read_reg(page, &seen);
	EXPECT_EQ(reg.flags | GPUFE_CONFIG_REG_REVOKED, seen.flags);
	seen.flags = reg.flags;
	EXPECT_EQ(0, memcmp(&reg, &seen, sizeof(reg)));
	/* Readable as long as it is mapped, in a child too. */
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(__atomic_load_n((const __u32 *)page, __ATOMIC_ACQUIRE) ==
		      GPUFE_CONFIG_REG_MAGIC ? 0 : 1);
	code = reap(_metadata, pid);
	EXPECT_EQ(0, code);
	EXPECT_EQ(0, munmap((void *)page, REG_PAGE));
	close(p);
}

/* --- passing a partition on ------------------------------------------------------------ */

TEST_F(partition, scm_rights_unprivileged)
{
	struct gpufe_partition_info info;
	struct gpufe_partition_create c;
	int sv[2], p, code;
	__u64 mask = bit(0);
	pid_t pid;

	describe("A partition's client sent over a UNIX socket to a process that dropped to nobody works there (QUERY, CTX_CREATE, SUBMIT) and stays restricted to the partition");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		if (errno == EAFNOSUPPORT)
			SKIP(return, "no AF_UNIX sockets");
		ASSERT_EQ(0, -errno);
	}
	if (self->num_engines > 1)
		mask |= bit(self->num_engines - 1);

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct gpufe_partition_create cc = create_arg(self, mask);
		struct gpufe_partition_revoke r;
		struct gpufe_config_reg reg;
		struct eng e0 = dense_engine(self, mask, 0);
		int fd, q;

		close(sv[0]);
		close(self->fd);
		ASSERT_EQ(0, drop_to_nobody());
		ASSERT_FALSE(has_cap(CAP_SYS_ADMIN));
		fd = recv_fd(sv[1]);
		ASSERT_LE(0, fd);

		expect_view(_metadata, self, fd, mask);
		ASSERT_EQ(0, get_reg(fd, self->dev, &reg, NULL));
		EXPECT_NE(0, reg.flags & GPUFE_CONFIG_REG_DENSE);
		EXPECT_EQ(low_bits(__builtin_popcountll(mask)), reg.engine_mask);
		if (fills(e0.cls)) {
			EXPECT_EQ(0, run_fill(fd, self->dev, e0, FILL_VALUE));
		} else {
			EXPECT_EQ(0, run_nop(fd, self->dev, e0));
		}
		expect_bounded(_metadata, self, fd, mask);

		/* No way out: no partition of its own, no other, no revoke. */
		EXPECT_EQ(-EPERM, gpufe_ioctl(fd, GPUFE_IOCTL_PARTITION_CREATE, &cc));
		EXPECT_EQ(POISON_FD, cc.fd);
		r.partition_id = reg.partition_id;
		r.flags = 0;
		EXPECT_EQ(-EPERM, gpufe_ioctl(fd, GPUFE_IOCTL_PARTITION_REVOKE, &r));
		/* A further client of its own partition, as restricted. */
		q = open_part(fd, 0);
		ASSERT_LE(0, q);
		EXPECT_TRUE(cloexec_rdwr(q));
		expect_view(_metadata, self, q, mask);
		EXPECT_EQ(0, run_nop(q, self->dev, e0));
		close(q);
		/* Held until the parent has looked. */
		ASSERT_EQ(0, send_byte(sv[1]));
		ASSERT_EQ(0, await_byte(sv[1]));
		close(fd);
		_exit(0);
	}
	close(sv[1]);
	c = create_arg(self, mask);
	p = create_part(self, &c);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, send_fd(sv[0], p));
	/* The child's copy is the only one now: it holds the partition. */
	ASSERT_EQ(0, close(p));
	EXPECT_EQ(0, await_byte(sv[0]));
	EXPECT_EQ(1, find_part(self->fd, c.partition_id, &info));
	EXPECT_EQ(1, part_field_at_most(self->fd, c.partition_id, num_clients, 1));
	/* Without SIGPIPE, should the child be gone already. */
	EXPECT_EQ(1, send(sv[0], "x", 1, MSG_NOSIGNAL));
	code = reap(_metadata, pid);
	EXPECT_EQ(0, code);
	EXPECT_TRUE(part_ends(self->fd, c.partition_id));
	close(sv[0]);
}

TEST_F(partition, no_create_no_widen)
{
	struct gpufe_partition_info p1_before, p2_before, info;
	struct gpufe_config_reg reg_before, reg_after;
	struct gpufe_partition_create c;
	struct gpufe_partition_open o = { 0 };
	struct gpufe_partition_revoke r = { 0 };
	__u32 id1, id2;
	int p1, p2, q, n;

	describe("Root acting through a partition's client cannot create partitions (EPERM), open or revoke another (EPERM) or revoke its own; it opens clients of its own only, as restricted; nothing changes");
	p1 = simple_part(self, bit(0), &id1);
	ASSERT_LE(0, p1);
	p2 = simple_part(self, low_bits(self->num_engines), &id2);
	ASSERT_LE(0, p2);
	ASSERT_EQ(1, find_part(self->fd, id1, &p1_before));
	ASSERT_EQ(1, find_part(self->fd, id2, &p2_before));
	ASSERT_EQ(0, get_reg(p1, self->dev, &reg_before, NULL));

	c = create_arg(self, low_bits(self->num_engines));
	expect_create_refused(_metadata, self, p1, c, -EPERM, "through a partition");
	c.flags = GPUFE_PARTITION_PERSISTENT;
	expect_create_refused(_metadata, self, p1, c, -EPERM,
			      "persistent, through a partition");
	o.partition_id = id2;
	expect_open_refused(_metadata, self, p1, o, -EPERM, "another partition's id");
	r.partition_id = id2;
	expect_revoke_refused(_metadata, self, p1, r, -EPERM, "another partition");
	r.partition_id = id1;
	expect_revoke_refused(_metadata, self, p1, r, -EPERM, "its own partition");

	/* Its own, by 0 or by id: a client just as restricted. */
	q = open_part(p1, id1);
	ASSERT_LE(0, q);
	expect_view(_metadata, self, q, bit(0));
	c.flags = 0;
	expect_create_refused(_metadata, self, q, c, -EPERM,
			      "through a client opened through a partition");
	close(q);

	/* It sees itself, alone, in its own numbering. */
	n = list_parts(p1, &info, 1);
	EXPECT_EQ(1, n);
	EXPECT_EQ(id1, info.partition_id);
	EXPECT_EQ(bit(0), info.engine_mask);

	ASSERT_EQ(1, find_part(self->fd, id1, &info));
	EXPECT_EQ(0, memcmp(&p1_before, &info, sizeof(info)));
	ASSERT_EQ(1, find_part(self->fd, id2, &info));
	EXPECT_EQ(0, memcmp(&p2_before, &info, sizeof(info)));
	ASSERT_EQ(0, get_reg(p1, self->dev, &reg_after, NULL));
	EXPECT_EQ(0, memcmp(&reg_before, &reg_after, sizeof(reg_after)));
	expect_bounded(_metadata, self, p1, bit(0));
	close(p2);
	close(p1);
}

TEST_F(partition, independent_clients)
{
	struct gpufe_submit_bo bo;
	struct gpufe_ctx_status st;
	struct gpufe_buffer b;
	struct gpufe_cmds c = { 0 };
	struct gpufe_event ev;
	const void *page_p = NULL, *page_q = NULL;
	unsigned char *zero;
	struct eng e0 = dense_engine(self, bit(0), 0);
	__u64 off_p, off_q, seqno;
	__u32 id, ctx_p, ctx_q;
	int p, q;

	describe("Two clients of one partition have their own handles, completion pages and events; the partition lives until the last of them closes");
	p = simple_part(self, bit(0), &id);
	ASSERT_LE(0, p);
	q = open_part(p, 0);
	ASSERT_LE(0, q);
	EXPECT_TRUE(cloexec_rdwr(q));
	EXPECT_EQ(2, part_field(self->fd, id, num_clients));
	if (gpufe_client_id(p) >= 0) {
		EXPECT_NE(gpufe_client_id(p), gpufe_client_id(q));
	}
	ASSERT_EQ(0, gpufe_completion_map(p, self->page, &page_p));
	ASSERT_EQ(0, gpufe_completion_map(q, self->page, &page_q));

	ASSERT_EQ(0, gpufe_buffer_create(p, 4096, &b));
	ASSERT_EQ(0, gpufe_create_ctx_slot(p, self->dev, e0.cls, e0.inst, &ctx_p,
					   &off_p));
	/* q has nothing yet: nothing of p's is anything to it. */
	EXPECT_EQ(-ENOENT, gpufe_get_status(q, ctx_p, &st));
	EXPECT_EQ(-ENOENT, gpufe_wait_until(q, ctx_p, 1, 0));
	gpufe_emit_nop(&c);
	EXPECT_EQ(-ENOENT, gpufe_submit_cmds(q, ctx_p, &c, NULL, 0, &seqno));
	EXPECT_EQ(-ENOENT, gpufe_destroy_ctx(q, ctx_p));
	EXPECT_EQ(-ENOENT, gpufe_destroy_bo(q, b.handle));

	ASSERT_EQ(0, gpufe_create_ctx_slot(q, self->dev, e0.cls, e0.inst, &ctx_q,
					   &off_q));
	/* Lowest first on each page of its own: the same offset. */
	EXPECT_EQ(off_p, off_q);

	c.size = 0;
	if (fills(e0.cls)) {
		bo.handle = b.handle;
		bo.flags = GPUFE_SUBMIT_BO_WRITE;
		gpufe_emit_fill(&c, 0, 0, 4096, FILL_VALUE);
		ASSERT_EQ(0, gpufe_submit_cmds(p, ctx_p, &c, &bo, 1, &seqno));
	} else {
		gpufe_emit_nop(&c);
		ASSERT_EQ(0, gpufe_submit_cmds(p, ctx_p, &c, NULL, 0, &seqno));
	}
	ASSERT_EQ(0, gpufe_sync(p, ctx_p, seqno));
	EXPECT_EQ(seqno, gpufe_slot_seqno(gpufe_slot(page_p, off_p)));
	if (fills(e0.cls)) {
		EXPECT_EQ(-1, gpufe_find_not(b.map, 4096 / 4, FILL_VALUE));
	}
	zero = calloc(1, self->page);
	ASSERT_NE(NULL, zero);
	EXPECT_EQ(0, memcmp(page_q, zero, self->page));
	free(zero);
	EXPECT_EQ(0, gpufe_poll_fd(q, POLLIN, 0));
	ASSERT_EQ(POLLIN, gpufe_poll_fd(p, POLLIN, GPUFE_TIMEOUT_MS));
	ASSERT_EQ(sizeof(ev), read(p, &ev, sizeof(ev)));
	EXPECT_EQ(ctx_p, ev.ctx_id);
	EXPECT_EQ(seqno, ev.seqno);

	/* q's job shows on q's page only. */
	c.size = 0;
	gpufe_emit_nop(&c);
	ASSERT_EQ(0, gpufe_submit_cmds(q, ctx_q, &c, NULL, 0, &seqno));
	ASSERT_EQ(0, gpufe_sync(q, ctx_q, seqno));
	EXPECT_EQ(1, gpufe_slot_seqno(gpufe_slot(page_q, off_q)));
	EXPECT_EQ(1, gpufe_slot_seqno(gpufe_slot(page_p, off_p)));
	EXPECT_EQ(0, gpufe_poll_fd(p, POLLIN, 0));

	/* The creator goes; the partition stays for q. */
	munmap((void *)page_p, self->page);
	gpufe_buffer_destroy(p, &b);
	ASSERT_EQ(0, close(p));
	EXPECT_EQ(1, part_field_at_most(self->fd, id, num_clients, 1));
	EXPECT_EQ(0, run_nop(q, self->dev, e0));
	munmap((void *)page_q, self->page);
	ASSERT_EQ(0, close(q));
	EXPECT_TRUE(part_ends(self->fd, id));
}

/* --- persistent partitions ---------------------------------------------------------- */

/* A persistent partition of mask whose node has the owner and mode given. */
static int persistent_part(FIXTURE_DATA(partition) *self, __u64 mask,
			   __u32 uid, __u32 gid, __u32 mode, __u32 *id)
{
	struct gpufe_partition_create c = create_arg(self, mask);
	int fd;

	c.flags = GPUFE_PARTITION_PERSISTENT;
	c.node_uid = uid;
	c.node_gid = gid;
	c.node_mode = mode;
	fd = create_part(self, &c);
	if (fd >= 0)
		*id = c.partition_id;
	return fd;
}

static void node_path(char *buf, size_t size, __u32 id)
{
	snprintf(buf, size, GPUFE_PARTITION_NODE_PATH, id);
}

/*
 * open() of a node with flags must fail with err (what says which node
 * and who opens it).
 */
static void expect_node_refused(struct __test_metadata *_metadata,
				const char *path, int flags, int err,
				const char *what)
{
	int fd = open(path, flags | O_CLOEXEC), e = errno;

	EXPECT_EQ(-1, fd) {
		TH_LOG("%s: %s opened it with flags %#o", path, what, flags);
	}
	if (fd >= 0) {
		close(fd);
	} else {
		EXPECT_EQ(err, e) {
			TH_LOG("%s: %s, flags %#o: %s", path, what, flags,
			       strerror(e));
		}
	}
}

TEST_F_TIMEOUT(partition, persistent_node, 60)
{
	static const struct {
		__u32 uid, gid, mode;
		int nobody_err;		/* what open() as nobody gives */
	} nodes[] = {
		{ NOBODY, NOBODY, 0600, 0 },	/* nobody's own */
		{ 0, 0, 0660, EACCES },		/* root's, and group root's */
		{ 0, 0, 0666, 0 },		/* root's, open to all */
		{ 0, NOBODY, 0640, EACCES },	/* read-only for the group */
	};
	__u32 ids[ARRAY_SIZE(nodes)];
	struct gpufe_version v;
	__u64 mask = bit(0);
	char path[64];
	struct stat st;
	unsigned int i;
	pid_t pid;
	int early, fd;

	describe("A persistent partition outlives its creator's client and has a node /dev/gpufe-part<id> with the owner and mode given: nobody opens it where the mode allows (EACCES where not) and gets a working client of the partition; opened for reading only or writing only, it fails with EACCES whatever the mode allows, root's open() too, and makes no client; after revoke the node is gone and its clients get ENODEV");
	for (i = 0; i < ARRAY_SIZE(nodes); i++) {
		fd = persistent_part(self, mask, nodes[i].uid, nodes[i].gid,
				     nodes[i].mode, &ids[i]);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, close(fd));
		EXPECT_EQ(1, find_part(self->fd, ids[i], NULL));
		node_path(path, sizeof(path), ids[i]);
		ASSERT_EQ(0, stat(path, &st)) {
			TH_LOG("%s: %s", path, strerror(errno));
		}
		EXPECT_TRUE(S_ISCHR(st.st_mode));
		EXPECT_EQ(nodes[i].mode, st.st_mode & 07777);
		EXPECT_EQ(nodes[i].uid, st.st_uid);
		EXPECT_EQ(nodes[i].gid, st.st_gid);
	}

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(self->fd);
		ASSERT_EQ(0, drop_to_nobody());
		for (i = 0; i < ARRAY_SIZE(nodes); i++) {
			struct gpufe_config_reg reg;
			int nfd;

			node_path(path, sizeof(path), ids[i]);
			/*
			 * Read-only or write-only: refused, where the mode
			 * allows it (nobody's own, 0666, the group's read)
			 * as where it does not.
			 */
			expect_node_refused(_metadata, path, O_RDONLY, EACCES,
					    "nobody");
			expect_node_refused(_metadata, path, O_WRONLY, EACCES,
					    "nobody");
			nfd = open(path, O_RDWR | O_CLOEXEC);
			if (nodes[i].nobody_err) {
				EXPECT_EQ(-1, nfd) {
					TH_LOG("nobody opened %s", path);
				}
				if (nfd >= 0) {
					close(nfd);
				} else {
					EXPECT_EQ(nodes[i].nobody_err, errno);
				}
				continue;
			}
			ASSERT_LE(0, nfd) {
				TH_LOG("%s: %s", path, strerror(errno));
			}
			expect_view(_metadata, self, nfd, mask);
			ASSERT_EQ(0, get_reg(nfd, self->dev, &reg, NULL));
			EXPECT_EQ(ids[i], reg.partition_id);
			EXPECT_EQ(GPUFE_CONFIG_REG_DENSE | GPUFE_CONFIG_REG_PERSISTENT,
				  reg.flags);
			EXPECT_EQ(0, run_nop(nfd, self->dev,
					     dense_engine(self, mask, 0)));
			expect_bounded(_metadata, self, nfd, mask);
			EXPECT_EQ(-EPERM, revoke_part(nfd, ids[i]));
			close(nfd);
		}
		_exit(0);
	}
	EXPECT_EQ(0, reap(_metadata, pid));

	/*
	 * Root passes every mode check: only the driver refuses a client
	 * that could not both read and write, and makes none.
	 */
	for (i = 0; i < ARRAY_SIZE(nodes); i++) {
		EXPECT_EQ(0, part_field_at_most(self->fd, ids[i], num_clients, 0));
		node_path(path, sizeof(path), ids[i]);
		expect_node_refused(_metadata, path, O_RDONLY, EACCES, "root");
		expect_node_refused(_metadata, path, O_WRONLY, EACCES, "root");
		expect_node_refused(_metadata, path, O_WRONLY | O_APPEND,
				    EACCES, "root");
		EXPECT_EQ(0, part_field(self->fd, ids[i], num_clients));
	}

	/* A client from the node, then the revoke. */
	node_path(path, sizeof(path), ids[0]);
	early = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, early);
	/* The child's clients are gone, or going. */
	EXPECT_EQ(1, part_field_at_most(self->fd, ids[0], num_clients, 1));
	for (i = 0; i < ARRAY_SIZE(nodes); i++) {
		node_path(path, sizeof(path), ids[i]);
		ASSERT_EQ(0, revoke_part(self->fd, ids[i]));
		EXPECT_TRUE(path_goes(path)) {
			TH_LOG("%s is still there", path);
		}
		EXPECT_EQ(0, find_part(self->fd, ids[i], NULL));
	}
	EXPECT_EQ(-ENODEV, gpufe_ioctl(early, GPUFE_IOCTL_VERSION, &v));
	close(early);
}

/* The device number of a persistent partition's node: 0 with it, or -errno. */
static int node_rdev(__u32 id, dev_t *rdev)
{
	char path[64];
	struct stat st;

	node_path(path, sizeof(path), id);
	if (stat(path, &st))
		return -errno;
	if (!S_ISCHR(st.st_mode))
		return -ENOTTY;
	*rdev = st.st_rdev;
	return 0;
}

/* open() of a node as a client: the descriptor, or -errno. */
static int open_node(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

TEST_F_TIMEOUT(partition, persistent_node_stale_copy, 180)
{
	struct gpufe_config_reg reg;
	char dir[] = "/tmp/gpufe-stale-XXXXXX", copy[64], path[64];
	dev_t rdev_a, rdev;
	__u32 id_a, id;
	unsigned int made = 0;
	bool again = false;
	int fd, cfd;

	describe("A copy of a persistent partition's node (mknod of its major:minor) opens that partition while it lives; once it is revoked, the copy opens nothing (ENODEV) through later persistent partitions, up to one that gets the same id again, whose node has another minor");
	fd = persistent_part(self, bit(0), 0, 0, 0600, &id_a);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, node_rdev(id_a, &rdev_a));
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(copy, sizeof(copy), "%s/node", dir);
	ASSERT_EQ(0, mknod(copy, S_IFCHR | 0600, rdev_a)) {
		TH_LOG("mknod %s: %s", copy, strerror(errno));
	}

	/* The copy is the node while the partition lives. */
	cfd = open_node(copy);
	if (cfd == -EACCES) {
		unlink(copy);
		rmdir(dir);
		SKIP(return, "/tmp does not allow device nodes (nodev)");
	}
	ASSERT_LE(0, cfd) {
		TH_LOG("%s: %s", copy, strerror(-cfd));
	}
	ASSERT_EQ(0, get_reg(cfd, self->dev, &reg, NULL));
	EXPECT_EQ(id_a, reg.partition_id);
	EXPECT_EQ(1, part_field(self->fd, id_a, num_clients));
	ASSERT_EQ(0, close(cfd));
	EXPECT_EQ(0, part_field_at_most(self->fd, id_a, num_clients, 0));

	ASSERT_EQ(0, revoke_part(self->fd, id_a));
	node_path(path, sizeof(path), id_a);
	EXPECT_TRUE(path_goes(path));
	EXPECT_EQ(-ENODEV, open_node(copy));

	/*
	 * Later persistent partitions, each revoked before the next, until
	 * one has id_a again: ids are handed out cyclically from 1 to 255,
	 * so within as many. None is reached through the copy.
	 */
	while (!again && made < 2 * GPUFE_PARTITION_MAX) {
		fd = persistent_part(self, bit(0), 0, 0, 0600, &id);
		ASSERT_LE(0, fd) {
			TH_LOG("persistent partition %u after the revoke: %s",
			       made + 1, strerror(-fd));
		}
		made++;
		again = id == id_a;
		ASSERT_EQ(0, node_rdev(id, &rdev)) {
			TH_LOG("partition %u's node", id);
		}
		EXPECT_EQ(major(rdev_a), major(rdev));
		EXPECT_NE(minor(rdev_a), minor(rdev)) {
			TH_LOG("partition %u (the %uth after) has the revoked partition %u's minor %u",
			       id, made, id_a, minor(rdev));
		}
		cfd = open_node(copy);
		EXPECT_EQ(-ENODEV, cfd) {
			TH_LOG("the stale copy opened with partition %u alive (the %uth after)",
			       id, made);
		}
		if (cfd >= 0)
			close(cfd);
		if (again) {
			/* Its own node, at the revoked one's path, is its. */
			cfd = open_node(path);
			ASSERT_LE(0, cfd) {
				TH_LOG("%s: %s", path, strerror(-cfd));
			}
			ASSERT_EQ(0, get_reg(cfd, self->dev, &reg, NULL));
			EXPECT_EQ(id, reg.partition_id);
			close(cfd);
		}
		ASSERT_EQ(0, close(fd));
		ASSERT_EQ(0, revoke_part(self->fd, id));
		if (_metadata->exit_code)
			break;
	}
	EXPECT_TRUE(again) {
		TH_LOG("id %u did not come back in %u persistent partitions",
		       id_a, made);
	}
	EXPECT_EQ(-ENODEV, open_node(copy));
	unlink(copy);
	rmdir(dir);
}

TEST_F(partition, persistent_open_by_id)
{
	struct gpufe_partition_info info;
	struct gpufe_config_reg reg;
	__u64 mask = bit(0);
	__u32 id;
	int fd;

	describe("A persistent partition with no client stays listed; root opens clients of it by id from its own client (close-on-exec, working, restricted) until it is revoked, then ENOENT");
	fd = persistent_part(self, mask, 0, 0, 0600, &id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(1, find_part(self->fd, id, &info));
	EXPECT_EQ(0, part_field_at_most(self->fd, id, num_clients, 0));
	EXPECT_EQ(GPUFE_CONFIG_REG_PERSISTENT, info.flags);

	fd = open_part(self->fd, id);
	ASSERT_LE(0, fd);
	EXPECT_TRUE(cloexec_rdwr(fd));
	EXPECT_EQ(1, part_field(self->fd, id, num_clients));
	expect_view(_metadata, self, fd, mask);
	ASSERT_EQ(0, get_reg(fd, self->dev, &reg, NULL));
	EXPECT_EQ(id, reg.partition_id);
	EXPECT_EQ(0, run_nop(fd, self->dev, dense_engine(self, mask, 0)));
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(0, part_field_at_most(self->fd, id, num_clients, 0));
	EXPECT_EQ(1, find_part(self->fd, id, NULL));

	ASSERT_EQ(0, revoke_part(self->fd, id));
	EXPECT_EQ(0, find_part(self->fd, id, NULL));
	EXPECT_EQ(-ENOENT, open_part(self->fd, id));
}

/* --- limits --------------------------------------------------------------------------- */

/* BO_CREATE that must fail with EDQUOT and make nothing. */
static void expect_bo_refused(struct __test_metadata *_metadata,
			      FIXTURE_DATA(partition) *self, int fd, __u32 id,
			      __u64 size)
{
	long long used = part_field(self->fd, id, mem_used);
	__u32 handle;

	EXPECT_EQ(-EDQUOT, create_bo(fd, size, &handle)) {
		TH_LOG("BO_CREATE of %llu bytes with %lld of the quota used",
		       (unsigned long long)size, used);
	}
	EXPECT_EQ(POISON_HANDLE, handle);
	EXPECT_EQ(used, part_field(self->fd, id, mem_used));
}

TEST_F(partition, quota_create)
{
	const __u64 pg = self->page;
	struct gpufe_partition_create c = create_arg(self, bit(0));
	__u32 a, b, d, e, plain;
	int p, q;

	describe("BO_CREATE of a partition's clients counts, in whole pages, against the quota they share: EDQUOT beyond it and nothing made; destroyed buffers and closed clients give their memory back");
	c.mem_quota = 4 * pg;
	p = create_part(self, &c);
	ASSERT_LE(0, p);
	q = open_part(p, 0);
	ASSERT_LE(0, q);
	EXPECT_EQ(0, part_field(self->fd, c.partition_id, mem_used));

	ASSERT_EQ(0, create_bo(p, 1, &a));
	EXPECT_EQ(pg, part_field(self->fd, c.partition_id, mem_used));
	ASSERT_EQ(0, create_bo(q, 2 * pg, &b));
	EXPECT_EQ(3 * pg, part_field(self->fd, c.partition_id, mem_used));
	expect_bo_refused(_metadata, self, p, c.partition_id, 2 * pg);
	expect_bo_refused(_metadata, self, q, c.partition_id, pg + 1);
	/* Exactly up to the quota. */
	ASSERT_EQ(0, create_bo(p, pg, &d));
	EXPECT_EQ(4 * pg, part_field(self->fd, c.partition_id, mem_used));
	EXPECT_EQ(4 * pg, part_attr(c.partition_id, "mem_used"));
	expect_bo_refused(_metadata, self, q, c.partition_id, 1);
	expect_bo_refused(_metadata, self, p, c.partition_id, 1);

	/* Freed, given back. */
	ASSERT_EQ(0, gpufe_destroy_bo(q, b));
	EXPECT_EQ(2 * pg, part_field_at_most(self->fd, c.partition_id, mem_used,
					     2 * pg));
	ASSERT_EQ(0, create_bo(q, 2 * pg, &e));
	EXPECT_EQ(4 * pg, part_field(self->fd, c.partition_id, mem_used));
	ASSERT_EQ(0, close(q));
	EXPECT_EQ(2 * pg, part_field_at_most(self->fd, c.partition_id, mem_used,
					     2 * pg));
	ASSERT_EQ(0, create_bo(p, pg, &e));

	/* Root's own client has no part in it. */
	ASSERT_EQ(0, create_bo(self->fd, 8 * pg, &plain));
	EXPECT_EQ(3 * pg, part_field(self->fd, c.partition_id, mem_used));
	EXPECT_EQ(0, gpufe_destroy_bo(self->fd, plain));
	EXPECT_EQ(4 * pg, part_attr(c.partition_id, "mem_quota"));
	close(p);
}

TEST_F(partition, quota_import)
{
	const __u64 pg = 4096;
	struct gpufe_partition_create c1 = create_arg(self, bit(0));
	struct gpufe_partition_create c2 = create_arg(self, bit(0));
	__u32 h, h2, small, big;
	__u64 size = 0;
	int vgem, dmabuf, p1, p2, fds;

	describe("A dma-buf of another driver (vgem) imported by a partition's client counts against the partition's quota: EDQUOT beyond it with nothing made, once however often it is imported, given back when its handle goes");
	if (self->page != pg)
		SKIP(return, "pages of %zu bytes: vgem's buffers here are of 4 KiB pages",
		     self->page);
	vgem = vgem_open();
	if (vgem < 0)
		SKIP(return, "no vgem device: load vgem.ko");
	dmabuf = vgem_dmabuf(vgem, 4 * pg);
	ASSERT_LE(0, dmabuf);

	c1.mem_quota = 3 * pg;
	p1 = create_part(self, &c1);
	ASSERT_LE(0, p1);
	fds = gpufe_count_fds();
	EXPECT_EQ(-EDQUOT, import_dmabuf(p1, dmabuf, &h, NULL));
	EXPECT_EQ(POISON_HANDLE, h);
	EXPECT_EQ(0, part_field(self->fd, c1.partition_id, mem_used));
	EXPECT_EQ(fds, gpufe_count_fds());

	c2.mem_quota = 6 * pg;
	p2 = create_part(self, &c2);
	ASSERT_LE(0, p2);
	ASSERT_EQ(0, create_bo(p2, pg, &small));
	ASSERT_EQ(0, import_dmabuf(p2, dmabuf, &h, &size));
	EXPECT_EQ(4 * pg, size);
	EXPECT_EQ(5 * pg, part_field(self->fd, c2.partition_id, mem_used));
	/* The same dma-buf again: the same buffer, counted once. */
	ASSERT_EQ(0, import_dmabuf(p2, dmabuf, &h2, NULL));
	EXPECT_EQ(h, h2);
	EXPECT_EQ(5 * pg, part_field(self->fd, c2.partition_id, mem_used));
	expect_bo_refused(_metadata, self, p2, c2.partition_id, 2 * pg);

	ASSERT_EQ(0, gpufe_destroy_bo(p2, h));
	EXPECT_EQ(pg, part_field_at_most(self->fd, c2.partition_id, mem_used, pg));
	ASSERT_EQ(0, create_bo(p2, 2 * pg, &big));
	EXPECT_EQ(3 * pg, part_field(self->fd, c2.partition_id, mem_used));
	/* The first partition still cannot, and has nothing. */
	EXPECT_EQ(-EDQUOT, import_dmabuf(p1, dmabuf, &h, NULL));
	EXPECT_EQ(0, part_field(self->fd, c1.partition_id, mem_used));
	close(p2);
	close(p1);
	close(dmabuf);
	close(vgem);
}

#define MIB		(1ULL << 20)
/* user_mem_mib for quota_replaces_user_limit, and the quota beyond it. */
#define USER_LIMIT_MIB	2
#define QUOTA_MIB	8

/*
 * The buffers of a client of a partition with a quota of QUOTA_MIB, with
 * user_mem_mib at USER_LIMIT_MIB: 6 MiB, past the user's limit, in 3 MiB
 * buffers. 0 or -errno.
 */
static int beyond_user_limit(int fd)
{
	__u32 h;
	int ret;

	ret = create_bo(fd, 3 * MIB, &h);
	if (!ret)
		ret = create_bo(fd, 3 * MIB, &h);
	return ret;
}

TEST_F_TIMEOUT(partition, quota_replaces_user_limit, 60)
{
	struct gpufe_partition_create c = create_arg(self, bit(0));
	struct gpufe_partition_create c0 = create_arg(self, bit(0));
	__u32 h, plain, idn;
	int p, q, p0, fd;
	char node[64];
	pid_t pid;

	describe("A client of a partition with a quota is held to the quota, not to user_mem_mib: with user_mem_mib at 2 MiB and a quota of 8 MiB, root's client of it (and nobody's, opened on its node) makes 6 MiB of buffers and its clients together stop at the quota with EDQUOT, while the user's own clients are still held to 2 MiB; a client of a partition without quota is held to user_mem_mib too");
	ASSERT_EQ(0, gpufe_param_set(&self->params, "user_mem_mib",
				     USER_LIMIT_MIB)) {
		TH_LOG("cannot set " GPUFE_PARAMS "/user_mem_mib");
	}
	c.mem_quota = QUOTA_MIB * MIB;
	p = create_part(self, &c);
	ASSERT_LE(0, p);
	EXPECT_EQ(0, beyond_user_limit(p));
	EXPECT_EQ(6 * MIB, part_field(self->fd, c.partition_id, mem_used));

	/* None of that counts against root: its own client gets its 2 MiB. */
	EXPECT_EQ(0, create_bo(self->fd, USER_LIMIT_MIB * MIB, &plain));
	EXPECT_EQ(-EDQUOT, create_bo(self->fd, 4096, &h));
	EXPECT_EQ(POISON_HANDLE, h);
	/* And the user's limit reached does not stop the partition's. */
	q = open_part(p, 0);
	ASSERT_LE(0, q);
	EXPECT_EQ(0, create_bo(q, MIB, &h));
	EXPECT_EQ(7 * MIB, part_field(self->fd, c.partition_id, mem_used));
	/* Two clients together: up to the quota exactly, then EDQUOT. */
	expect_bo_refused(_metadata, self, q, c.partition_id, 2 * MIB);
	expect_bo_refused(_metadata, self, p, c.partition_id, MIB + 1);
	EXPECT_EQ(0, create_bo(p, MIB, &h));
	EXPECT_EQ(QUOTA_MIB * MIB, part_field(self->fd, c.partition_id, mem_used));
	expect_bo_refused(_metadata, self, q, c.partition_id, 1);
	expect_bo_refused(_metadata, self, p, c.partition_id, 1);
	EXPECT_EQ(0, gpufe_destroy_bo(self->fd, plain));

	/* Without quota: the user's limit, shared with root's own client. */
	p0 = create_part(self, &c0);
	ASSERT_LE(0, p0);
	EXPECT_EQ(0, create_bo(p0, MIB, &h));
	EXPECT_EQ(0, create_bo(self->fd, MIB, &plain));
	EXPECT_EQ(MIB, part_field(self->fd, c0.partition_id, mem_used));
	expect_bo_refused(_metadata, self, p0, c0.partition_id, 1);
	EXPECT_EQ(-EDQUOT, create_bo(self->fd, 1, &h));
	EXPECT_EQ(0, gpufe_destroy_bo(self->fd, plain));
	/* What root's client gave back, the partition's client may take. */
	EXPECT_EQ(0, create_bo(p0, MIB, &h));
	expect_bo_refused(_metadata, self, p0, c0.partition_id, 1);
	EXPECT_EQ(2 * MIB, part_field(self->fd, c0.partition_id, mem_used));
	close(p0);
	close(q);
	close(p);

	/* Whoever opens the client: nobody, on a node of nobody's. */
	c = create_arg(self, bit(0));
	c.flags = GPUFE_PARTITION_PERSISTENT;
	c.node_uid = NOBODY;
	c.node_gid = NOBODY;
	c.node_mode = 0600;
	c.mem_quota = QUOTA_MIB * MIB;
	fd = create_part(self, &c);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	idn = c.partition_id;
	node_path(node, sizeof(node), idn);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (!pid) {
		int nfd, own;

		close(self->fd);
		ASSERT_EQ(0, drop_to_nobody());
		own = gpufe_open_device();
		ASSERT_LE(0, own);
		nfd = open(node, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, nfd) {
			TH_LOG("%s: %s", node, strerror(errno));
		}
		EXPECT_EQ(0, beyond_user_limit(nfd));
		EXPECT_EQ(6 * MIB, part_field(nfd, idn, mem_used));
		EXPECT_EQ(0, create_bo(own, USER_LIMIT_MIB * MIB, &h));
		EXPECT_EQ(-EDQUOT, create_bo(own, 1, &h));
		EXPECT_EQ(0, create_bo(nfd, 2 * MIB, &h));
		EXPECT_EQ(-EDQUOT, create_bo(nfd, 1, &h));
		close(nfd);
		close(own);
		_exit(0);
	}
	EXPECT_EQ(0, reap(_metadata, pid));
	EXPECT_EQ(0, part_field_at_most(self->fd, idn, mem_used, 0));
	EXPECT_EQ(0, revoke_part(self->fd, idn));
}

TEST_F(partition, max_clients)
{
	struct gpufe_partition_create c = create_arg(self, bit(0));
	struct gpufe_partition_open o = { 0 };
	char path[64];
	int p, q, d, n1, n2, err;

	describe("A partition has at most max_clients clients: PARTITION_OPEN, by 0 or by id, and its node's open() fail with EUSERS beyond, making nothing; a dup() is no client; a closed client makes room");
	c.max_clients = 2;
	p = create_part(self, &c);
	ASSERT_LE(0, p);
	q = open_part(p, 0);
	ASSERT_LE(0, q);
	EXPECT_EQ(2, part_field(self->fd, c.partition_id, num_clients));
	EXPECT_EQ(2, part_attr(c.partition_id, "clients"));
	d = dup(p);
	ASSERT_LE(0, d);
	EXPECT_EQ(2, part_field(self->fd, c.partition_id, num_clients));
	expect_open_refused(_metadata, self, p, o, -EUSERS, "a third client");
	expect_open_refused(_metadata, self, q, o, -EUSERS, "a third, through the second");
	o.partition_id = c.partition_id;
	expect_open_refused(_metadata, self, d, o, -EUSERS, "a third, by id");
	ASSERT_EQ(0, close(q));
	EXPECT_EQ(1, part_field_at_most(self->fd, c.partition_id, num_clients, 1));
	q = open_part(d, 0);
	ASSERT_LE(0, q);
	close(q);
	close(d);
	close(p);

	/* A persistent one of one client: its node and root by id alike. */
	c = create_arg(self, bit(0));
	c.flags = GPUFE_PARTITION_PERSISTENT;
	c.node_mode = 0600;
	c.max_clients = 1;
	p = create_part(self, &c);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, close(p));
	EXPECT_EQ(0, part_field_at_most(self->fd, c.partition_id, num_clients, 0));
	node_path(path, sizeof(path), c.partition_id);
	n1 = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, n1);
	n2 = open(path, O_RDWR | O_CLOEXEC);
	err = errno;
	EXPECT_EQ(-1, n2);
	if (n2 >= 0) {
		close(n2);
	} else {
		EXPECT_EQ(EUSERS, err);
	}
	o.partition_id = c.partition_id;
	expect_open_refused(_metadata, self, self->fd, o, -EUSERS,
			    "a second client of a persistent one, by id");
	EXPECT_EQ(1, part_field(self->fd, c.partition_id, num_clients));
	ASSERT_EQ(0, close(n1));
	EXPECT_EQ(0, part_field_at_most(self->fd, c.partition_id, num_clients, 0));
	q = open_part(self->fd, c.partition_id);
	ASSERT_LE(0, q);
	close(q);
	EXPECT_EQ(0, revoke_part(self->fd, c.partition_id));
}

/* --- revocation with work in flight --------------------------------------------------- */

/* A buffer of root's, mapped, and the partition client's import of it. */
struct shared_buf {
	struct gpufe_buffer b;	/* root's */
	__u32 handle;		/* the partition client's */
};

static int share_buf(FIXTURE_DATA(partition) *self, int fd, __u64 size,
		     struct shared_buf *s)
{
	int dmabuf, ret;

	ret = gpufe_buffer_create(self->fd, size, &s->b);
	if (ret)
		return ret;
	dmabuf = export_rdwr(self->fd, s->b.handle);
	if (dmabuf < 0)
		return dmabuf;
	ret = import_dmabuf(fd, dmabuf, &s->handle, NULL);
	close(dmabuf);
	return ret;
}

/* Wait for a fence: its status (1, or its error), or 0 if it did not signal in time. */
static int fence_result(int fence, __u64 *ts)
{
	int err, status;

	if (gpufe_poll_fd(fence, POLLIN, 3 * GPUFE_TIMEOUT_MS) != POLLIN)
		return 0;
	status = gpufe_fence_status(fence, ts, &err);
	return err ? err : status;
}

/*
 * Read events from a non-blocking client until ctx's has reached seqno,
 * bounded: that event's error, or 1 if none came.
 */
/*
 * Read events until contexts ctx[0] and ctx[1] reported seqno[0] and
 * seqno[1], or the timeout: error[i] is the error of the event that did,
 * 1 if none did; seen[i] the last seqno reported. One read() may return
 * the events of both, so both are collected together.
 */
static void events_of(int fd, const __u32 ctx[2], const __u64 seqno[2],
		      int error[2], __u64 seen[2])
{
	__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;
	struct gpufe_event ev[8];
	int i, j;

	for (j = 0; j < 2; j++) {
		error[j] = 1;
		seen[j] = 0;
	}
	for (;;) {
		ssize_t n = read(fd, ev, sizeof(ev));

		for (i = 0; n > 0 && i < n / (ssize_t)sizeof(ev[0]); i++) {
			for (j = 0; j < 2; j++) {
				if (ev[i].ctx_id != ctx[j])
					continue;
				seen[j] = ev[i].seqno;
				if (ev[i].seqno >= seqno[j])
					error[j] = ev[i].error;
			}
		}
		if (error[0] != 1 && error[1] != 1)
			return;
		if (gpufe_now_ns() > end)
			return;
		gpufe_poll_fd(fd, POLLIN, 100);
	}
}

/* A second engine of a partition of mask that runs FILL, else its first. */
static struct eng second_fill_engine(FIXTURE_DATA(partition) *self, __u64 mask)
{
	int i, first = -1;

	for (i = 0; i < self->num_engines; i++) {
		if (!(mask & bit(i)) || !fills(self->engines[i].engine_class))
			continue;
		if (first >= 0)
			return dense_engine(self, mask, i);
		first = i;
	}
	return dense_engine(self, mask, first);
}

TEST_F_TIMEOUT(partition, revoke_queued_and_running, 60)
{
	struct shared_buf out, quiet;
	struct gpufe_submit_bo bos[2];
	struct gpufe_config_reg reg;
	struct gpufe_cmds c = { 0 };
	const void *page;
	__u64 mask, ts1 = 0, ts2 = 0, seen[2];
	__u32 id, c1, c2;
	struct eng e0, e1;
	int p, f1, f2, f3, err, ev_err[2];

	describe("PARTITION_REVOKE with a job on the engine and jobs queued: the running job completes with its data, the queued ones fail with ENODEV and write nothing; every fence signals and read()/poll() still deliver the events");
	if (!fills(self->engines[0].engine_class))
		SKIP(return, "swgpu0's first engine runs no FILL");
	mask = bit(0);
	if (self->num_engines > 1)
		mask |= bit(1);
	p = simple_part(self, mask, &id);
	ASSERT_LE(0, p);
	e0 = dense_engine(self, mask, 0);
	e1 = second_fill_engine(self, mask);
	ASSERT_EQ(0, share_buf(self, p, 2 * 4096, &out));
	ASSERT_EQ(0, share_buf(self, p, 4096, &quiet));
	ASSERT_EQ(0, gpufe_create_ctx(p, self->dev, e0.cls, e0.inst, &c1));
	ASSERT_EQ(0, gpufe_create_ctx(p, self->dev, e1.cls, e1.inst, &c2));
	ASSERT_EQ(0, gpufe_set_nonblock(p));
	page = map_reg(p);
	ASSERT_NE(MAP_FAILED, page);

	/* Running: it stamps the time first, then takes a second. */
	bos[0] = (struct gpufe_submit_bo){ out.handle, GPUFE_SUBMIT_BO_WRITE };
	gpufe_emit_timestamp(&c, 0, 0);
	gpufe_emit_delay(&c, SWGPU_MAX_DELAY_US);
	gpufe_emit_fill(&c, 0, 4096, 4096, FILL_VALUE);
	f1 = submit_fenced(p, c1, &c, bos, 1, -1);
	ASSERT_LE(0, f1);
	ASSERT_EQ(0, await_nonzero(out.b.map));

	/* Queued behind it in gpufe: by its buffer, and by its fence. */
	bos[0].flags = GPUFE_SUBMIT_BO_READ;
	bos[1] = (struct gpufe_submit_bo){ quiet.handle, GPUFE_SUBMIT_BO_WRITE };
	c.size = 0;
	gpufe_emit_fill(&c, 1, 0, 4096, FILL_VALUE + 1);
	f2 = submit_fenced(p, c1, &c, bos, 2, -1);
	ASSERT_LE(0, f2);
	c.size = 0;
	gpufe_emit_fill(&c, 0, 0, 4096, FILL_VALUE + 2);
	f3 = submit_fenced(p, c2, &c, &bos[1], 1, f1);
	ASSERT_LE(0, f3);

	ASSERT_EQ(0, revoke_part(self->fd, id));
	EXPECT_EQ(0, gpufe_fence_status(f1, NULL, &err)) {
		TH_LOG("the running job ended before the revoke: too slow a machine for this test");
	}
	expect_client_ended(_metadata, self, p, c1, out.handle, e0);
	read_reg(page, &reg);
	EXPECT_NE(0, reg.flags & GPUFE_CONFIG_REG_REVOKED);
	EXPECT_EQ(0, find_part(self->fd, id, NULL));

	EXPECT_EQ(1, fence_result(f1, &ts1));
	EXPECT_EQ(-ENODEV, fence_result(f2, &ts2));
	EXPECT_EQ(-ENODEV, fence_result(f3, NULL));
	/* A failed job signals after the jobs ahead of it. */
	EXPECT_LE(ts1, ts2);
	EXPECT_EQ(-1, gpufe_find_not((const char *)out.b.map + 4096, 4096 / 4,
				     FILL_VALUE));
	EXPECT_EQ(-1, gpufe_find_not(quiet.b.map, 4096 / 4, 0));

	EXPECT_EQ(POLLIN, gpufe_poll_fd(p, POLLIN, GPUFE_TIMEOUT_MS));
	events_of(p, (__u32[2]){ c1, c2 }, (__u64[2]){ 2, 1 }, ev_err, seen);
	EXPECT_EQ(-ENODEV, ev_err[0]) {
		TH_LOG("context %u's events reached %llu", c1,
		       (unsigned long long)seen[0]);
	}
	EXPECT_EQ(-ENODEV, ev_err[1]) {
		TH_LOG("context %u's events reached %llu", c2,
		       (unsigned long long)seen[1]);
	}
	close(f1);
	close(f2);
	close(f3);
	munmap((void *)page, REG_PAGE);
	close(p);
	gpufe_buffer_destroy(self->fd, &out.b);
	gpufe_buffer_destroy(self->fd, &quiet.b);
}

/* Jobs of SWGPU_MAX_DELAY_US each that hold revoke_destroyed_context's dependency. */
#define HOLD_JOBS	4

TEST_F_TIMEOUT(partition, revoke_destroyed_context, 60)
{
	struct gpufe_ctx_status st;
	struct gpufe_cmds c = { 0 };
	struct eng e0 = dense_engine(self, bit(0), 0);
	__u64 busy = 0;
	__u32 id, rctx, pctx, keep, cctx;
	int p, pc, dep, f, fk, fc, err, i, ret, status;

	describe("PARTITION_REVOKE reaches a context whose handle was destroyed: its job queued behind a fence that has not signalled fails with ENODEV at once, before that fence signals, as does the job of a context that kept its handle; the job of a client whose file was closed was cancelled (ECANCELED) by the close, also before that fence");
	i = first_of_class(self, GPUFE_ENGINE_CLASS_COMPUTE);
	if (i < 0)
		SKIP(return, "swgpu0 has no compute engine");
	p = simple_part(self, bit(0), &id);
	ASSERT_LE(0, p);

	/* The dependency: the last of root's jobs, seconds away. */
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->dev,
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &rctx));
	ASSERT_EQ(0, submit_busy(self->fd, rctx, HOLD_JOBS - 1, &busy));
	gpufe_emit_delay(&c, SWGPU_MAX_DELAY_US);
	dep = submit_fenced(self->fd, rctx, &c, NULL, 0, -1);
	ASSERT_LE(0, dep);

	/* A job of the partition's waits for it; its context's handle goes. */
	ASSERT_EQ(0, gpufe_create_ctx(p, self->dev, e0.cls, e0.inst, &pctx));
	ASSERT_EQ(0, gpufe_create_ctx(p, self->dev, e0.cls, e0.inst, &keep));
	c.size = 0;
	gpufe_emit_nop(&c);
	f = submit_fenced(p, pctx, &c, NULL, 0, dep);
	ASSERT_LE(0, f);
	fk = submit_fenced(p, keep, &c, NULL, 0, dep);
	ASSERT_LE(0, fk);
	/* A further client of the partition, whose file goes. */
	pc = open_part(p, 0);
	ASSERT_LE(0, pc);
	ASSERT_EQ(0, gpufe_create_ctx(pc, self->dev, e0.cls, e0.inst, &cctx));
	fc = submit_fenced(pc, cctx, &c, NULL, 0, dep);
	ASSERT_LE(0, fc);
	close(pc);
	ASSERT_EQ(0, gpufe_destroy_ctx(p, pctx));
	EXPECT_EQ(-ENOENT, gpufe_get_status(p, pctx, &st));
	EXPECT_EQ(0, gpufe_fence_status(f, NULL, &err));
	EXPECT_EQ(0, err);
	ASSERT_EQ(0, gpufe_fence_status(dep, NULL, &err)) {
		TH_LOG("root's jobs ended before the revoke: too slow a machine for this test");
	}

	ASSERT_EQ(0, revoke_part(self->fd, id));
	/* Not a timing: which of the two fences signals first. */
	ret = fence_result(f, NULL);
	status = gpufe_fence_status(dep, NULL, &err);
	EXPECT_EQ(-ENODEV, ret);
	EXPECT_EQ(0, err);
	EXPECT_EQ(0, status) {
		TH_LOG("the job of the context without handle signalled (%d) only after its dependency did",
		       ret);
	}
	ret = fence_result(fk, NULL);
	status = gpufe_fence_status(dep, NULL, &err);
	EXPECT_EQ(-ENODEV, ret);
	EXPECT_EQ(0, status) {
		TH_LOG("the job of the context with a handle signalled (%d) only after its dependency did",
		       ret);
	}
	/* Its close, before the revoke, cancelled it (since 1.4). */
	ret = fence_result(fc, NULL);
	status = gpufe_fence_status(dep, NULL, &err);
	EXPECT_EQ(-ECANCELED, ret);
	EXPECT_EQ(0, status) {
		TH_LOG("the job of the closed client signalled (%d) only after its dependency did",
		       ret);
	}

	/* The dependency runs its course, unharmed. */
	EXPECT_EQ(1, fence_result(dep, NULL));
	ASSERT_EQ(0, gpufe_get_status(self->fd, rctx, &st));
	EXPECT_EQ(0, st.error);
	EXPECT_EQ(busy + 1, st.completed);
	EXPECT_EQ(0, gpufe_destroy_ctx(self->fd, rctx));
	close(fc);
	close(fk);
	close(f);
	close(dep);
	close(p);
}

TEST_F_TIMEOUT(partition, revoke_other_undisturbed, 60)
{
	struct shared_buf b1, b2;
	struct gpufe_submit_bo bo;
	struct gpufe_partition_info info;
	struct gpufe_config_reg reg;
	struct gpufe_ctx_status st;
	struct gpufe_version v;
	struct gpufe_cmds c = { 0 };
	const void *page2;
	struct eng e0 = dense_engine(self, bit(0), 0);
	__u32 id1, id2, ctx1, ctx2;
	int p1, p2, f1, f2a, f2b;

	describe("Revoking one partition while another shares its engine, with a job of each on the engine and one queued: the other's jobs complete with their data, and it goes on working, listed and not revoked");
	if (!fills(e0.cls))
		SKIP(return, "swgpu0's first engine runs no FILL");
	p1 = simple_part(self, bit(0), &id1);
	ASSERT_LE(0, p1);
	p2 = simple_part(self, bit(0), &id2);
	ASSERT_LE(0, p2);
	ASSERT_EQ(0, share_buf(self, p1, 2 * 4096, &b1));
	ASSERT_EQ(0, share_buf(self, p2, 2 * 4096, &b2));
	ASSERT_EQ(0, gpufe_create_ctx(p1, self->dev, e0.cls, e0.inst, &ctx1));
	ASSERT_EQ(0, gpufe_create_ctx(p2, self->dev, e0.cls, e0.inst, &ctx2));
	page2 = map_reg(p2);
	ASSERT_NE(MAP_FAILED, page2);

	bo = (struct gpufe_submit_bo){ b1.handle, GPUFE_SUBMIT_BO_WRITE };
	gpufe_emit_timestamp(&c, 0, 0);
	gpufe_emit_delay(&c, SWGPU_MAX_DELAY_US / 2);
	gpufe_emit_fill(&c, 0, 4096, 4096, FILL_VALUE);
	f1 = submit_fenced(p1, ctx1, &c, &bo, 1, -1);
	ASSERT_LE(0, f1);
	ASSERT_EQ(0, await_nonzero(b1.b.map));

	/* p2's first job waits for the engine, its second for the first. */
	bo = (struct gpufe_submit_bo){ b2.handle, GPUFE_SUBMIT_BO_WRITE };
	c.size = 0;
	gpufe_emit_fill(&c, 0, 4096, 4096, FILL_VALUE + 1);
	f2a = submit_fenced(p2, ctx2, &c, &bo, 1, -1);
	ASSERT_LE(0, f2a);
	c.size = 0;
	gpufe_emit_fill(&c, 0, 0, 4096, FILL_VALUE + 2);
	f2b = submit_fenced(p2, ctx2, &c, &bo, 1, -1);
	ASSERT_LE(0, f2b);

	ASSERT_EQ(0, revoke_part(self->fd, id1));
	EXPECT_EQ(1, fence_result(f1, NULL));
	EXPECT_EQ(1, fence_result(f2a, NULL));
	EXPECT_EQ(1, fence_result(f2b, NULL));
	EXPECT_EQ(-1, gpufe_find_not((const char *)b1.b.map + 4096, 4096 / 4,
				     FILL_VALUE));
	EXPECT_EQ(-1, gpufe_find_not((const char *)b2.b.map + 4096, 4096 / 4,
				     FILL_VALUE + 1));
	EXPECT_EQ(-1, gpufe_find_not(b2.b.map, 4096 / 4, FILL_VALUE + 2));

	ASSERT_EQ(0, gpufe_get_status(p2, ctx2, &st));
	EXPECT_EQ(2, st.completed);
	EXPECT_EQ(0, st.error);
	EXPECT_EQ(GPUFE_CTX_STATE_ACTIVE, st.state);
	ASSERT_EQ(1, find_part(self->fd, id2, &info));
	EXPECT_EQ(1, info.num_clients);
	ASSERT_EQ(0, get_reg(p2, self->dev, &reg, NULL));
	EXPECT_EQ(0, reg.flags & GPUFE_CONFIG_REG_REVOKED);
	read_reg(page2, &reg);
	EXPECT_EQ(0, reg.flags & GPUFE_CONFIG_REG_REVOKED);
	EXPECT_EQ(0, run_nop(p2, self->dev, e0));
	EXPECT_EQ(0, run_nop(self->fd, self->dev, (struct eng){ e0.cls, 0 }));
	EXPECT_EQ(-ENODEV, gpufe_ioctl(p1, GPUFE_IOCTL_VERSION, &v));
	close(f1);
	close(f2a);
	close(f2b);
	munmap((void *)page2, REG_PAGE);
	close(p2);
	close(p1);
	gpufe_buffer_destroy(self->fd, &b1.b);
	gpufe_buffer_destroy(self->fd, &b2.b);
}

TEST_F(partition, two_partitions_isolated)
{
	struct gpufe_partition_info info[2];
	struct gpufe_partition_open o = { 0 };
	struct gpufe_config_reg reg;
	struct gpufe_ctx_status st;
	struct gpufe_cmds c = { 0 };
	struct eng e1, e2;
	__u32 id1, id2, ctx1, bo1;
	__u64 seqno;
	int p1, p2, n;

	describe("Two partitions of disjoint engines: each sees its own engine and itself only, cannot name the other's objects (ENOENT) or open it (EPERM), and both run work at once");
	if (self->num_engines < 2)
		SKIP(return, "swgpu0 has one engine");
	p1 = simple_part(self, bit(0), &id1);
	ASSERT_LE(0, p1);
	p2 = simple_part(self, bit(1), &id2);
	ASSERT_LE(0, p2);
	e1 = dense_engine(self, bit(0), 0);
	e2 = dense_engine(self, bit(1), 1);
	expect_view(_metadata, self, p1, bit(0));
	expect_view(_metadata, self, p2, bit(1));

	ASSERT_EQ(0, create_bo(p1, 4096, &bo1));
	ASSERT_EQ(0, gpufe_create_ctx(p1, self->dev, e1.cls, e1.inst, &ctx1));
	/* p2 has no objects: p1's ids name nothing there. */
	EXPECT_EQ(-ENOENT, gpufe_get_status(p2, ctx1, &st));
	EXPECT_EQ(-ENOENT, gpufe_destroy_ctx(p2, ctx1));
	EXPECT_EQ(-ENOENT, gpufe_destroy_bo(p2, bo1));
	gpufe_emit_nop(&c);
	EXPECT_EQ(-ENOENT, gpufe_submit_cmds(p2, ctx1, &c, NULL, 0, &seqno));

	o.partition_id = id1;
	expect_open_refused(_metadata, self, p2, o, -EPERM, "the other partition");
	o.partition_id = id2;
	expect_open_refused(_metadata, self, p1, o, -EPERM, "the other partition");

	n = list_parts(p1, info, 2);
	EXPECT_EQ(1, n);
	EXPECT_EQ(id1, info[0].partition_id);
	n = list_parts(p2, info, 2);
	EXPECT_EQ(1, n);
	EXPECT_EQ(id2, info[0].partition_id);
	EXPECT_EQ(1, info[0].engine_mask);
	ASSERT_EQ(1, find_part(self->fd, id2, &info[1]));
	EXPECT_EQ(bit(1), info[1].engine_mask);
	ASSERT_EQ(0, get_reg(p2, self->dev, &reg, NULL));
	EXPECT_EQ(id2, reg.partition_id);

	/* Both at work at once. */
	c.size = 0;
	gpufe_emit_delay(&c, 20000);
	ASSERT_EQ(0, gpufe_submit_cmds(p1, ctx1, &c, NULL, 0, &seqno));
	EXPECT_EQ(0, run_nop(p2, self->dev, e2));
	EXPECT_EQ(0, gpufe_sync(p1, ctx1, seqno));
	ASSERT_EQ(0, gpufe_get_status(p1, ctx1, &st));
	EXPECT_EQ(0, st.error);
	close(p2);
	close(p1);
}

/* --- partitions_mandatory ---------------------------------------------------------------- */

/*
 * What a client that sees no device gets: no device, ENODEV on every id;
 * no partition listed, though some exist; ENODEV from BO_CREATE, and from
 * BO_IMPORT of each dma-buf of dmabufs[] (n of them), with nothing made.
 */
static void expect_hidden(struct __test_metadata *_metadata,
			  FIXTURE_DATA(partition) *self, int fd,
			  const int *dmabufs, int n)
{
	static const __u64 sizes[] = { 1, 4096, 1 << 20 };
	struct gpufe_query_devices *devs;
	struct gpufe_partition_info info;
	unsigned int i;
	__u32 handle;
	int d;

	ASSERT_EQ(0, gpufe_query_fetch(fd, GPUFE_QUERY_DEVICES, 0, (void **)&devs));
	EXPECT_EQ(0, devs->num_devices);
	free(devs);
	EXPECT_EQ(0, list_parts(fd, &info, 1));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		EXPECT_EQ(-ENODEV, create_bo(fd, sizes[i], &handle)) {
			TH_LOG("BO_CREATE of %llu bytes by a client that sees no device",
			       (unsigned long long)sizes[i]);
		}
		EXPECT_EQ(POISON_HANDLE, handle);
	}
	for (d = 0; d < n; d++) {
		EXPECT_EQ(-ENODEV, import_dmabuf(fd, dmabufs[d], &handle, NULL)) {
			TH_LOG("BO_IMPORT of dma-buf %d of %d by a client that sees no device",
			       d, n);
		}
		EXPECT_EQ(POISON_HANDLE, handle);
	}
	for (d = 0; d < self->num_devs; d++) {
		struct gpufe_query q = { .query = GPUFE_QUERY_ENGINES,
					 .device_id = self->devs[d] };
		struct gpufe_query r = { .query = GPUFE_QUERY_CONFIG_REG,
					 .device_id = self->devs[d] };

		EXPECT_EQ(-ENODEV, gpufe_ioctl(fd, GPUFE_IOCTL_QUERY, &q));
		EXPECT_EQ(-ENODEV, gpufe_ioctl(fd, GPUFE_IOCTL_QUERY, &r));
		expect_ctx_refused(_metadata, fd, self->devs[d],
				   self->engines[0].engine_class, 0, -ENODEV);
	}
}

/* A client that sees every swgpu device with all its engines. */
static void expect_whole(struct __test_metadata *_metadata,
			 FIXTURE_DATA(partition) *self, int fd)
{
	struct gpufe_engine_info e[MAX_ENGINES];
	__u32 ids[MAX_DEVS];

	EXPECT_EQ(self->num_devs, gpufe_swgpu_ids(fd, ids, MAX_DEVS));
	EXPECT_EQ(self->num_engines, gpufe_engines(fd, self->dev, e, MAX_ENGINES));
	EXPECT_EQ(0, run_nop(fd, self->dev,
			     (struct eng){ self->engines[0].engine_class, 0 }));
}

TEST_F_TIMEOUT(partition, mandatory_mode, 60)
{
	struct gpufe_buffer rootbuf;
	__u64 mask = bit(0);
	int ready[2], go[2], p, fd, code, vgem, dmabufs[2], num_dmabufs = 0;
	char node[64];
	__u32 pid_id;
	pid_t pid;

	describe("With partitions_mandatory, a client that a process without CAP_SYS_ADMIN opens on /dev/gpufe sees no device (ENODEV on every id) and no partition, and gets ENODEV from BO_CREATE and from BO_IMPORT (of vgem's dma-buf and of root's); one opened before the switch still sees them, root's is unaffected, and partitions (descriptor or node) still work");
	if (mandatory_get() < 0)
		SKIP(return, "no " MANDATORY);
	ASSERT_EQ(0, mandatory_change(self, 0));
	p = simple_part(self, mask, NULL);
	ASSERT_LE(0, p);
	fd = persistent_part(self, mask, 0, 0, 0666, &pid_id);
	ASSERT_LE(0, fd);
	close(fd);
	node_path(node, sizeof(node), pid_id);
	ASSERT_LE(2, list_parts(self->fd, NULL, 0));

	/* Dma-bufs for the hidden clients to import: root's, and vgem's. */
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4096, &rootbuf));
	dmabufs[num_dmabufs] = export_rdwr(self->fd, rootbuf.handle);
	ASSERT_LE(0, dmabufs[num_dmabufs]);
	num_dmabufs++;
	vgem = vgem_open();
	if (vgem >= 0 && self->page == 4096) {
		dmabufs[num_dmabufs] = vgem_dmabuf(vgem, 4096);
		ASSERT_LE(0, dmabufs[num_dmabufs]);
		num_dmabufs++;
	} else {
		ksft_print_msg("%s: no vgem device (or pages not of 4 KiB): the import of another driver's dma-buf is not checked\n",
			       _metadata->name);
	}
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (!pid) {
		int before, after, nfd, q, i;
		__u32 bo;

		close(ready[0]);
		close(go[1]);
		ASSERT_EQ(0, drop_to_nobody());
		before = gpufe_open_device();
		ASSERT_LE(0, before);
		ASSERT_EQ(0, send_byte(ready[1]));
		ASSERT_EQ(0, await_byte(go[0]));

		after = gpufe_open_device();
		ASSERT_LE(0, after);
		expect_hidden(_metadata, self, after, dmabufs, num_dmabufs);
		/* Decided at open: the earlier client still sees it all. */
		expect_whole(_metadata, self, before);
		/* Listing partitions is an administrator's, hidden or not. */
		EXPECT_EQ(0, list_parts(before, NULL, 0));
		for (i = 0; i < num_dmabufs; i++) {
			__u32 handle;

			EXPECT_EQ(0, import_dmabuf(before, dmabufs[i], &handle,
						   NULL)) {
				TH_LOG("dma-buf %d, into the client opened before the switch",
				       i);
			}
		}
		EXPECT_EQ(0, create_bo(before, 4096, &bo));
		/* The partition it inherited works. */
		expect_view(_metadata, self, p, mask);
		EXPECT_EQ(0, run_nop(p, self->dev, dense_engine(self, mask, 0)));
		q = open_part(p, 0);
		ASSERT_LE(0, q);
		EXPECT_EQ(0, run_nop(q, self->dev, dense_engine(self, mask, 0)));
		close(q);
		/* And so does the node. */
		nfd = open(node, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, nfd) {
			TH_LOG("%s: %s", node, strerror(errno));
		}
		expect_view(_metadata, self, nfd, mask);
		EXPECT_EQ(0, run_nop(nfd, self->dev, dense_engine(self, mask, 0)));
		close(nfd);
		close(after);
		close(before);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	ASSERT_EQ(0, await_byte(ready[0]));
	ASSERT_EQ(0, mandatory_change(self, 1));
	/* Root's new clients see everything. */
	fd = gpufe_open_device();
	ASSERT_LE(0, fd);
	expect_whole(_metadata, self, fd);
	close(fd);
	ASSERT_EQ(0, send_byte(go[1]));
	EXPECT_EQ(0, reap(_metadata, pid));

	/* Root in a user namespace of its own is no administrator either. */
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (!pid) {
		int ret = enter_userns();

		if (ret == CHILD_SKIP)
			_exit(CHILD_SKIP);
		ASSERT_EQ(0, ret);
		fd = gpufe_open_device();
		ASSERT_LE(0, fd);
		expect_hidden(_metadata, self, fd, dmabufs, num_dmabufs);
		close(fd);
		_exit(0);
	}
	code = reap(_metadata, pid);
	if (code == CHILD_SKIP) {
		ksft_print_msg("no user namespaces: that case is not checked\n");
	} else {
		EXPECT_EQ(0, code);
	}

	/* Switched off, nobody's new clients see the devices again. */
	ASSERT_EQ(0, mandatory_change(self, 0));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (!pid) {
		ASSERT_EQ(0, drop_to_nobody());
		fd = gpufe_open_device();
		ASSERT_LE(0, fd);
		expect_whole(_metadata, self, fd);
		close(fd);
		_exit(0);
	}
	EXPECT_EQ(0, reap(_metadata, pid));
	close(ready[0]);
	close(go[1]);
	close(p);
	EXPECT_EQ(0, revoke_part(self->fd, pid_id));
	while (num_dmabufs)
		close(dmabufs[--num_dmabufs]);
	if (vgem >= 0)
		close(vgem);
	gpufe_buffer_destroy(self->fd, &rootbuf);
}

/* --- sysfs ------------------------------------------------------------------------------- */

/* A partition's attributes, all of them. */
static const char *const part_attrs[] = {
	"device_id", "engine_mask", "engines", "weight", "mem_quota",
	"mem_used", "clients", "max_clients", "persistent",
};

TEST_F(partition, sysfs_attributes)
{
	struct gpufe_partition_create c;
	__u64 mask = bit(0);
	char names[256];
	unsigned int i;
	__u32 id, bo;
	pid_t pid;
	int p, q;

	describe("/sys/class/gpufe/gpufe-part<id>/ shows a live partition as created and follows its clients and memory; its attributes are root's only (mode 0400: EACCES for nobody, a client of the partition or not); it goes with the partition");
	if (self->num_engines > 1)
		mask |= bit(self->num_engines - 1);
	c = create_arg(self, mask);
	c.flags = GPUFE_PARTITION_PERSISTENT;
	c.node_mode = 0600;
	c.weight = 42;
	c.max_clients = 5;
	c.mem_quota = 64 * self->page;
	p = create_part(self, &c);
	ASSERT_LE(0, p);
	ASSERT_TRUE(part_sysfs_exists(c.partition_id));
	EXPECT_EQ(self->dev, part_attr(c.partition_id, "device_id"));
	EXPECT_EQ(mask, part_attr(c.partition_id, "engine_mask"));
	EXPECT_EQ(42, part_attr(c.partition_id, "weight"));
	EXPECT_EQ(64 * self->page, part_attr(c.partition_id, "mem_quota"));
	EXPECT_EQ(0, part_attr(c.partition_id, "mem_used"));
	EXPECT_EQ(1, part_attr(c.partition_id, "clients"));
	EXPECT_EQ(5, part_attr(c.partition_id, "max_clients"));
	EXPECT_EQ(1, part_attr(c.partition_id, "persistent"));

	/* Root's only: a tenant learns nothing of partitions there. */
	for (i = 0; i < ARRAY_SIZE(part_attrs); i++) {
		char path[128];
		struct stat st;

		snprintf(path, sizeof(path), SYSFS_PART "/%s", c.partition_id,
			 part_attrs[i]);
		ASSERT_EQ(0, stat(path, &st)) {
			TH_LOG("%s: %s", path, strerror(errno));
		}
		EXPECT_EQ(0400, st.st_mode & 07777) {
			TH_LOG("%s has mode %#o", path, st.st_mode & 07777);
		}
		EXPECT_EQ(0, st.st_uid);
	}
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(self->fd);
		ASSERT_EQ(0, drop_to_nobody());
		/* Holding a client of the partition changes nothing. */
		ASSERT_TRUE(cloexec_rdwr(p));
		for (i = 0; i < ARRAY_SIZE(part_attrs); i++) {
			EXPECT_EQ(-EACCES, part_attr(c.partition_id,
						     part_attrs[i])) {
				TH_LOG("nobody read %s", part_attrs[i]);
			}
		}
		_exit(0);
	}
	EXPECT_EQ(0, reap(_metadata, pid));
	/* engines is a list of names: root reads it. */
	ASSERT_LT(0, part_attr_text(c.partition_id, "engines", names,
				    sizeof(names)));
	EXPECT_EQ(0, strncmp(names, self->engines[0].name,
			     strlen(self->engines[0].name))) {
		TH_LOG("engines: %s", names);
	}

	q = open_part(p, 0);
	ASSERT_LE(0, q);
	EXPECT_EQ(2, part_attr(c.partition_id, "clients"));
	ASSERT_EQ(0, create_bo(q, 1, &bo));
	EXPECT_EQ(self->page, part_attr(c.partition_id, "mem_used"));
	close(q);
	EXPECT_EQ(0, part_field_at_most(self->fd, c.partition_id, mem_used, 0));
	EXPECT_EQ(0, part_attr(c.partition_id, "mem_used"));
	EXPECT_EQ(1, part_field_at_most(self->fd, c.partition_id, num_clients, 1));
	EXPECT_EQ(1, part_attr(c.partition_id, "clients"));
	close(p);

	/* Not persistent: 0. */
	q = simple_part(self, bit(0), &id);
	ASSERT_LE(0, q);
	EXPECT_EQ(0, part_attr(id, "persistent"));
	EXPECT_EQ(0, part_attr(id, "max_clients"));
	EXPECT_EQ(0, part_attr(id, "mem_quota"));
	close(q);
	EXPECT_TRUE(part_ends(self->fd, id));
	EXPECT_TRUE(part_sysfs_goes(id));

	ASSERT_EQ(0, revoke_part(self->fd, c.partition_id));
	EXPECT_TRUE(part_sysfs_goes(c.partition_id));
}

/* --- running out ------------------------------------------------------------------------ */

TEST_F_TIMEOUT(partition, create_no_free_id, 120)
{
	static int fds[GPUFE_PARTITION_MAX];
	static bool used[GPUFE_PARTITION_MAX];
	struct gpufe_partition_create c;
	int n = 0, existing, ret, i;

	describe("Partitions take ids 1 to 255, each once; with all in use, PARTITION_CREATE fails with ENOSPC and changes nothing, and ending one frees its id");
	existing = list_parts(self->fd, NULL, 0);
	ASSERT_LE(0, existing);
	for (;;) {
		c = create_arg(self, bit(0));
		ret = create_on(self, self->fd, &c);
		if (ret)
			break;
		ASSERT_GT(GPUFE_PARTITION_MAX - existing, n + 1) {
			TH_LOG("more partitions than ids");
		}
		ASSERT_LT(0, c.partition_id);
		ASSERT_GT(GPUFE_PARTITION_MAX, c.partition_id);
		ASSERT_FALSE(used[c.partition_id]) {
			TH_LOG("id %u given twice", c.partition_id);
		}
		used[c.partition_id] = true;
		fds[n++] = c.fd;
	}
	EXPECT_EQ(-ENOSPC, ret);
	EXPECT_EQ(GPUFE_PARTITION_MAX - 1 - existing, n);
	expect_create_refused(_metadata, self, self->fd, create_arg(self, bit(0)),
			      -ENOSPC, "every id in use");

	/* One ends: its id is free again. */
	ASSERT_LT(0, n);
	close(fds[--n]);
	for (i = 0; i < 1000; i++) {
		c = create_arg(self, bit(0));
		ret = create_on(self, self->fd, &c);
		if (ret != -ENOSPC)
			break;
		usleep(10000);
	}
	EXPECT_EQ(0, ret);
	if (!ret)
		fds[n++] = c.fd;
	while (n)
		close(fds[--n]);
}

TEST_F(partition, create_no_free_fd)
{
	static struct snapshot before;
	struct gpufe_partition_create c = create_arg(self, bit(0));
	struct rlimit old;
	int ret;

	describe("PARTITION_CREATE with no free descriptor fails with EMFILE and makes no partition");
	snap(_metadata, self, &before);
	ASSERT_EQ(0, gpufe_exhaust_fds(&old));
	ret = create_on(self, self->fd, &c);
	gpufe_restore_fds(&old);
	EXPECT_EQ(-EMFILE, ret);
	if (!ret)
		close(c.fd);
	EXPECT_EQ(POISON_FD, c.fd);
	expect_unchanged(_metadata, self, &before);
}

TEST_F(partition, open_no_free_fd)
{
	static struct snapshot before;
	struct gpufe_partition_open o = { .fd = POISON_FD };
	struct rlimit old;
	int p, ret;

	describe("PARTITION_OPEN with no free descriptor fails with EMFILE and adds no client");
	p = simple_part(self, bit(0), NULL);
	ASSERT_LE(0, p);
	snap(_metadata, self, &before);
	ASSERT_EQ(0, gpufe_exhaust_fds(&old));
	ret = gpufe_ioctl(p, GPUFE_IOCTL_PARTITION_OPEN, &o);
	gpufe_restore_fds(&old);
	EXPECT_EQ(-EMFILE, ret);
	if (!ret)
		close(o.fd);
	EXPECT_EQ(POISON_FD, o.fd);
	expect_unchanged(_metadata, self, &before);
	close(p);
}

/* --- PARTITION_CREATE validation ----------------------------------------------------------- */

TEST_F(partition, bad_create_flags)
{
	unsigned int b;

	describe("PARTITION_CREATE with a flags bit other than PERSISTENT fails with EINVAL and changes nothing");
	for (b = 1; b < 32; b++) {
		struct gpufe_partition_create c = create_arg(self, bit(0));
		char what[32];

		c.flags = 1u << b;
		snprintf(what, sizeof(what), "flags bit %u", b);
		expect_create_refused(_metadata, self, self->fd, c, -EINVAL, what);
		c.flags |= GPUFE_PARTITION_PERSISTENT;
		expect_create_refused(_metadata, self, self->fd, c, -EINVAL, what);
	}
}

TEST_F(partition, bad_create_engine_timeout)
{
	static const __u32 timeouts[] = {
		GPUFE_ENGINE_TIMEOUT_MAX_MS + 1, 0x80000000u, ~0u,
	};
	unsigned int i;

	describe("PARTITION_CREATE with an engine_timeout_ms above GPUFE_ENGINE_TIMEOUT_MAX_MS fails with EINVAL and changes nothing");
	for (i = 0; i < ARRAY_SIZE(timeouts); i++) {
		struct gpufe_partition_create c = create_arg(self, bit(0));
		char what[48];

		c.engine_timeout_ms = timeouts[i];
		snprintf(what, sizeof(what), "engine_timeout_ms %u", timeouts[i]);
		expect_create_refused(_metadata, self, self->fd, c, -EINVAL, what);
		c.flags = GPUFE_PARTITION_PERSISTENT;
		expect_create_refused(_metadata, self, self->fd, c, -EINVAL, what);
	}
}

TEST_F(partition, create_engine_timeout)
{
	static const __u32 timeouts[] = {
		0, 1, 200, GPUFE_ENGINE_TIMEOUT_MAX_MS,
	};
	struct eng e0 = dense_engine(self, bit(0), 0);
	unsigned int i;

	describe("PARTITION_CREATE takes an engine_timeout_ms of 0 (the module parameter) up to GPUFE_ENGINE_TIMEOUT_MAX_MS and leaves it in its argument; the partition's clients run jobs");
	for (i = 0; i < ARRAY_SIZE(timeouts); i++) {
		struct gpufe_partition_create c = create_arg(self, bit(0));
		int p;

		c.engine_timeout_ms = timeouts[i];
		p = create_part(self, &c);
		ASSERT_LE(0, p) {
			TH_LOG("engine_timeout_ms %u", timeouts[i]);
		}
		EXPECT_EQ(timeouts[i], c.engine_timeout_ms);
		EXPECT_EQ(1, find_part(self->fd, c.partition_id, NULL));
		/*
		 * A NOP, not under a timeout so short that a VM's stall
		 * between the job's start and end would count as a hang.
		 */
		if (!timeouts[i] || timeouts[i] >= 200) {
			EXPECT_EQ(0, run_nop(p, self->dev, e0)) {
				TH_LOG("engine_timeout_ms %u", timeouts[i]);
			}
		}
		EXPECT_EQ(0, close(p));
		EXPECT_TRUE(part_ends(self->fd, c.partition_id));
	}
}

TEST_F(partition, bad_create_size)
{
	struct {
		struct gpufe_partition_create c;
		__u64 future[2];
	} big;
	struct gpufe_partition_create c = create_arg(self, bit(0));
	static struct snapshot before;

	describe("PARTITION_CREATE shorter than its first version fails with EINVAL, a longer one with a non-zero tail with E2BIG; neither changes anything");
	snap(_metadata, self, &before);
	EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, CREATE_IOWR(sizeof(c) - 8), &c));
	EXPECT_EQ(POISON_FD, c.fd);
	expect_unchanged(_metadata, self, &before);

	memset(&big, 0, sizeof(big));
	big.c = create_arg(self, bit(0));
	big.future[1] = 1;
	EXPECT_EQ(-E2BIG, gpufe_ioctl(self->fd, CREATE_IOWR(sizeof(big)), &big));
	EXPECT_EQ(POISON_FD, big.c.fd);
	EXPECT_EQ(POISON_ID, big.c.partition_id);
	expect_unchanged(_metadata, self, &before);
}

TEST_F(partition, bad_create_mask_zero)
{
	struct gpufe_partition_create c = create_arg(self, 0);

	describe("PARTITION_CREATE of no engine fails with EINVAL and changes nothing");
	expect_create_refused(_metadata, self, self->fd, c, -EINVAL, "engine_mask 0");
	c.flags = GPUFE_PARTITION_PERSISTENT;
	expect_create_refused(_metadata, self, self->fd, c, -EINVAL,
			      "engine_mask 0, persistent");
}

TEST_F(partition, bad_create_mask_beyond)
{
	const __u64 all = low_bits(self->num_engines);
	__u64 masks[5];
	unsigned int i, n = 0;

	describe("PARTITION_CREATE naming an engine past the device's last, alone or with real ones, fails with EINVAL and changes nothing");
	if (self->num_engines < 64) {
		masks[n++] = bit(self->num_engines);
		masks[n++] = all | bit(self->num_engines);
		masks[n++] = bit(0) | bit(63);
		masks[n++] = ~0ULL;
	}
	if (self->num_engines < 63)
		masks[n++] = bit(62);
	if (!n)
		SKIP(return, "swgpu0 has 64 engines: every bit is one");
	for (i = 0; i < n; i++) {
		struct gpufe_partition_create c = create_arg(self, masks[i]);
		char what[48];

		snprintf(what, sizeof(what), "engine_mask %#llx",
			 (unsigned long long)masks[i]);
		expect_create_refused(_metadata, self, self->fd, c, -EINVAL, what);
	}
}

TEST_F(partition, bad_create_weight_zero)
{
	struct gpufe_partition_create c = create_arg(self, bit(0));
	int p;

	describe("PARTITION_CREATE with weight 0 fails with EINVAL and changes nothing; weight 1 works");
	c.weight = 0;
	expect_create_refused(_metadata, self, self->fd, c, -EINVAL, "weight 0");
	c.weight = 1;
	p = create_part(self, &c);
	ASSERT_LE(0, p);
	EXPECT_EQ(1, part_field(self->fd, c.partition_id, weight));
	close(p);
}

TEST_F(partition, bad_create_weight_big)
{
	static const __u32 weights[] = {
		GPUFE_PARTITION_MAX_WEIGHT + 1, 0x80000000u, ~0u,
	};
	struct gpufe_partition_create c = create_arg(self, bit(0));
	unsigned int i;
	int p;

	describe("PARTITION_CREATE with a weight above GPUFE_PARTITION_MAX_WEIGHT fails with EINVAL and changes nothing; the maximum works");
	for (i = 0; i < ARRAY_SIZE(weights); i++) {
		c.weight = weights[i];
		expect_create_refused(_metadata, self, self->fd, c, -EINVAL,
				      "weight too big");
	}
	c.weight = GPUFE_PARTITION_MAX_WEIGHT;
	p = create_part(self, &c);
	ASSERT_LE(0, p);
	EXPECT_EQ(GPUFE_PARTITION_MAX_WEIGHT,
		  part_field(self->fd, c.partition_id, weight));
	close(p);
}

TEST_F(partition, bad_create_node_not_persistent)
{
	struct gpufe_partition_create c;

	describe("PARTITION_CREATE with node_uid, node_gid or node_mode but without PERSISTENT fails with EINVAL and changes nothing");
	c = create_arg(self, bit(0));
	c.node_uid = NOBODY;
	expect_create_refused(_metadata, self, self->fd, c, -EINVAL, "node_uid");
	c = create_arg(self, bit(0));
	c.node_gid = NOBODY;
	expect_create_refused(_metadata, self, self->fd, c, -EINVAL, "node_gid");
	c = create_arg(self, bit(0));
	c.node_mode = 0600;
	expect_create_refused(_metadata, self, self->fd, c, -EINVAL, "node_mode");
}

TEST_F(partition, bad_create_mode)
{
	static const __u32 modes[] = {
		01000, 02600, 04600, 0100600, 0170000 | 0666, ~0u,
	};
	unsigned int i;

	describe("A persistent PARTITION_CREATE with node_mode bits beyond 0777 fails with EINVAL and changes nothing");
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		struct gpufe_partition_create c = create_arg(self, bit(0));
		char what[32];

		c.flags = GPUFE_PARTITION_PERSISTENT;
		c.node_mode = modes[i];
		snprintf(what, sizeof(what), "node_mode %#o", modes[i]);
		expect_create_refused(_metadata, self, self->fd, c, -EINVAL, what);
	}
}

TEST_F(partition, bad_create_node_owner)
{
	struct gpufe_partition_create c;

	describe("A persistent PARTITION_CREATE whose node_uid or node_gid has no mapping in the caller's user namespace ((u32)-1) fails with EINVAL and changes nothing");
	c = create_arg(self, bit(0));
	c.flags = GPUFE_PARTITION_PERSISTENT;
	c.node_mode = 0600;
	c.node_uid = ~0u;
	expect_create_refused(_metadata, self, self->fd, c, -EINVAL, "node_uid -1");
	c.node_uid = 0;
	c.node_gid = ~0u;
	expect_create_refused(_metadata, self, self->fd, c, -EINVAL, "node_gid -1");
}

TEST_F(partition, bad_create_device)
{
	__u32 ids[3] = { 0, ~0u, 0 };
	unsigned int i;
	int d;

	describe("PARTITION_CREATE on device id 0 or an id no device has fails with ENODEV and changes nothing");
	ids[2] = self->dev;
	for (d = 0; d < self->num_others; d++)
		if (self->others[d] > ids[2])
			ids[2] = self->others[d];
	ids[2] += 1000;
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		struct gpufe_partition_create c = create_arg(self, bit(0));
		char what[32];

		c.device_id = ids[i];
		snprintf(what, sizeof(what), "device_id %u", ids[i]);
		expect_create_refused(_metadata, self, self->fd, c, -ENODEV, what);
	}
}

TEST_F(partition, bad_create_through_partition)
{
	struct gpufe_partition_create c = create_arg(self, bit(0));
	int p;

	describe("PARTITION_CREATE through a partition's client fails with EPERM, root's as well, and changes nothing");
	p = simple_part(self, bit(0), NULL);
	ASSERT_LE(0, p);
	expect_create_refused(_metadata, self, p, c, -EPERM, "through a partition");
	/* Checked before the arguments: a bad one changes nothing to that. */
	c.device_id = 0;
	expect_create_refused(_metadata, self, p, c, -EPERM,
			      "through a partition, device 0");
	close(p);
}

/* --- PARTITION_OPEN validation --------------------------------------------------------------- */

TEST_F(partition, bad_open_flags)
{
	struct gpufe_partition_open o = { 0 };
	unsigned int b;
	__u32 id;
	int p;

	describe("Every flags bit of PARTITION_OPEN fails with EINVAL and changes nothing, from a partition's client and from root's by id");
	p = simple_part(self, bit(0), &id);
	ASSERT_LE(0, p);
	for (b = 0; b < 32; b++) {
		o.flags = 1u << b;
		o.partition_id = 0;
		expect_open_refused(_metadata, self, p, o, -EINVAL, "flags, by 0");
		o.partition_id = id;
		expect_open_refused(_metadata, self, self->fd, o, -EINVAL,
				    "flags, by id");
	}
	close(p);
}

TEST_F(partition, bad_open_pad)
{
	struct gpufe_partition_open o = { .pad = 1 };
	__u32 id;
	int p;

	describe("PARTITION_OPEN with a non-zero pad fails with EINVAL and changes nothing");
	p = simple_part(self, bit(0), &id);
	ASSERT_LE(0, p);
	expect_open_refused(_metadata, self, p, o, -EINVAL, "pad, by 0");
	o.partition_id = id;
	o.pad = 0x80000000u;
	expect_open_refused(_metadata, self, self->fd, o, -EINVAL, "pad, by id");
	close(p);
}

TEST_F(partition, bad_open_id_zero_plain)
{
	struct gpufe_partition_open o = { .partition_id = 0 };
	int p;

	describe("PARTITION_OPEN of partition 0 (the caller's) from a client without partition fails with EINVAL and changes nothing");
	p = simple_part(self, bit(0), NULL);
	ASSERT_LE(0, p);
	expect_open_refused(_metadata, self, self->fd, o, -EINVAL, "id 0, no partition");
	close(p);
}

TEST_F(partition, bad_open_unknown)
{
	struct gpufe_partition_open o = { 0 };
	__u32 ids[4];
	unsigned int i;
	__u32 ended;
	int p;

	describe("PARTITION_OPEN by an id that names no partition (never used, ended, out of range) fails with ENOENT and changes nothing");
	p = simple_part(self, bit(0), &ended);
	ASSERT_LE(0, p);
	close(p);
	ASSERT_TRUE(part_ends(self->fd, ended));
	ids[0] = ended;
	ids[1] = unused_id(self->fd);
	ids[2] = GPUFE_PARTITION_MAX;
	ids[3] = ~0u;
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		char what[32];

		o.partition_id = ids[i];
		snprintf(what, sizeof(what), "id %u", ids[i]);
		expect_open_refused(_metadata, self, self->fd, o, -ENOENT, what);
	}
}

TEST_F(partition, bad_open_other_partition)
{
	struct gpufe_partition_open o = { 0 };
	__u32 id1, id2, idp;
	int p1, p2, fd;

	describe("PARTITION_OPEN of another partition from a partition's client fails with EPERM and changes nothing, whether the other is persistent or not");
	p1 = simple_part(self, bit(0), &id1);
	ASSERT_LE(0, p1);
	p2 = simple_part(self, bit(0), &id2);
	ASSERT_LE(0, p2);
	fd = persistent_part(self, bit(0), 0, 0, 0600, &idp);
	ASSERT_LE(0, fd);
	close(fd);
	o.partition_id = id2;
	expect_open_refused(_metadata, self, p1, o, -EPERM, "the other");
	o.partition_id = idp;
	expect_open_refused(_metadata, self, p1, o, -EPERM, "a persistent other");
	o.partition_id = id1;
	expect_open_refused(_metadata, self, p2, o, -EPERM, "the other, the other way");
	close(p2);
	close(p1);
	EXPECT_EQ(0, revoke_part(self->fd, idp));
}

TEST_F(partition, bad_open_ended)
{
	struct gpufe_partition_open o = { .fd = POISON_FD };
	__u32 id;
	int p;

	describe("PARTITION_OPEN from a client of a revoked partition fails with ENODEV and makes nothing");
	p = simple_part(self, bit(0), &id);
	ASSERT_LE(0, p);
	ASSERT_EQ(0, revoke_part(self->fd, id));
	expect_open_refused(_metadata, self, p, o, -ENODEV, "revoked, by 0");
	o.partition_id = id;
	expect_open_refused(_metadata, self, p, o, -ENODEV, "revoked, by id");
	close(p);
}

/* --- PARTITION_REVOKE validation ------------------------------------------------------------- */

TEST_F(partition, bad_revoke_flags)
{
	struct gpufe_partition_revoke r = { 0 };
	unsigned int b;
	__u32 id;
	int p;

	describe("Every flags bit of PARTITION_REVOKE fails with EINVAL and leaves the partition working");
	p = simple_part(self, bit(0), &id);
	ASSERT_LE(0, p);
	r.partition_id = id;
	for (b = 0; b < 32; b++) {
		r.flags = 1u << b;
		expect_revoke_refused(_metadata, self, self->fd, r, -EINVAL, "flags");
	}
	EXPECT_EQ(0, run_nop(p, self->dev, dense_engine(self, bit(0), 0)));
	close(p);
}

TEST_F(partition, bad_revoke_unknown)
{
	struct gpufe_partition_revoke r = { 0 };
	__u32 ids[5];
	unsigned int i;
	__u32 ended, live;
	int p, q;

	describe("PARTITION_REVOKE of an id that names no partition (0, never used, ended, out of range) fails with ENOENT and changes nothing");
	/* Made first, so that it cannot take the ended one's id. */
	q = simple_part(self, bit(0), &live);
	ASSERT_LE(0, q);
	p = simple_part(self, bit(0), &ended);
	ASSERT_LE(0, p);
	close(p);
	ASSERT_TRUE(part_ends(self->fd, ended));
	ids[0] = 0;
	ids[1] = ended;
	ids[2] = unused_id(self->fd);
	ids[3] = GPUFE_PARTITION_MAX;
	ids[4] = ~0u;
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		r.partition_id = ids[i];
		expect_revoke_refused(_metadata, self, self->fd, r, -ENOENT,
				      "no such partition");
	}
	EXPECT_EQ(0, run_nop(q, self->dev, dense_engine(self, bit(0), 0)));
	close(q);
}

TEST_F(partition, bad_revoke_through_partition)
{
	struct gpufe_partition_revoke r = { 0 };
	__u32 id1, id2;
	int p1, p2;

	describe("PARTITION_REVOKE through a partition's client fails with EPERM, root's as well, for its own partition and another, and changes nothing");
	p1 = simple_part(self, bit(0), &id1);
	ASSERT_LE(0, p1);
	p2 = simple_part(self, bit(0), &id2);
	ASSERT_LE(0, p2);
	r.partition_id = id1;
	expect_revoke_refused(_metadata, self, p1, r, -EPERM, "its own");
	r.partition_id = id2;
	expect_revoke_refused(_metadata, self, p1, r, -EPERM, "another");
	EXPECT_EQ(0, run_nop(p1, self->dev, dense_engine(self, bit(0), 0)));
	EXPECT_EQ(0, run_nop(p2, self->dev, dense_engine(self, bit(0), 0)));
	close(p2);
	close(p1);
}

/* --- QUERY validation ----------------------------------------------------------------------- */

TEST_F(partition, bad_query_partitions_device_id)
{
	const __u32 ids[] = { self->dev, 1, ~0u };
	unsigned int i;
	int p;

	describe("QUERY_PARTITIONS with a non-zero device_id fails with EINVAL and writes nothing, for root's client and a partition's");
	p = simple_part(self, bit(0), NULL);
	ASSERT_LE(0, p);
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		struct gpufe_query q = {
			.query = GPUFE_QUERY_PARTITIONS,
			.device_id = ids[i],
		};

		EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, GPUFE_IOCTL_QUERY, &q));
		EXPECT_EQ(0, q.size);
		EXPECT_EQ(-EINVAL, gpufe_ioctl(p, GPUFE_IOCTL_QUERY, &q));
		EXPECT_EQ(0, q.size);
	}
	close(p);
}

TEST_F(partition, bad_config_reg_device)
{
	__u32 ids[MAX_DEVS + 3];
	unsigned int i, n = 0;
	int p, d;

	describe("QUERY_CONFIG_REG of device 0 or a device the client does not see fails with ENODEV and writes nothing; for a partition's client, that is every device but its own");
	p = simple_part(self, bit(0), NULL);
	ASSERT_LE(0, p);
	ids[n++] = 0;
	ids[n++] = ~0u;
	ids[n] = self->dev;
	for (d = 0; d < self->num_others; d++)
		if (self->others[d] > ids[n])
			ids[n] = self->others[d];
	ids[n++] += 1000;
	for (i = 0; i < n; i++) {
		unsigned char buf[sizeof(struct gpufe_config_reg)];
		struct gpufe_query q = {
			.query = GPUFE_QUERY_CONFIG_REG,
			.device_id = ids[i],
			.size = sizeof(buf),
			.data = (uintptr_t)buf,
		};

		memset(buf, 0xa5, sizeof(buf));
		EXPECT_EQ(-ENODEV, gpufe_ioctl(self->fd, GPUFE_IOCTL_QUERY, &q));
		EXPECT_EQ(sizeof(buf), q.size);
		EXPECT_EQ(0xa5, buf[0]);
		q.size = 0;
		q.data = 0;
		EXPECT_EQ(-ENODEV, gpufe_ioctl(p, GPUFE_IOCTL_QUERY, &q));
		EXPECT_EQ(0, q.size);
	}
	for (d = 0; d < self->num_others; d++) {
		struct gpufe_query q = {
			.query = GPUFE_QUERY_CONFIG_REG,
			.device_id = self->others[d],
		};

		EXPECT_EQ(-ENODEV, gpufe_ioctl(p, GPUFE_IOCTL_QUERY, &q)) {
			TH_LOG("device %u", self->others[d]);
		}
		EXPECT_EQ(0, q.size);
	}
	close(p);
}

/* --- the register page's mappings ------------------------------------------------------------ */

/* A partition client's register page maps, read-only, and reads right. */
static void expect_reg_maps(struct __test_metadata *_metadata, int fd, __u32 id)
{
	struct gpufe_config_reg reg;
	const void *page = map_reg(fd);

	ASSERT_NE(MAP_FAILED, page);
	read_reg(page, &reg);
	EXPECT_EQ(GPUFE_CONFIG_REG_MAGIC, reg.magic);
	EXPECT_EQ(id, reg.partition_id);
	munmap((void *)page, REG_PAGE);
}

TEST_F(partition, bad_mmap_write)
{
	static const int prots[] = { PROT_READ | PROT_WRITE, PROT_WRITE };
	unsigned int i;
	__u32 id;
	int p;

	describe("mmap() of the register page with PROT_WRITE fails with EACCES; a read-only mapping works after");
	p = simple_part(self, bit(0), &id);
	ASSERT_LE(0, p);
	for (i = 0; i < ARRAY_SIZE(prots); i++) {
		void *m = mmap(NULL, REG_PAGE, prots[i], MAP_SHARED, p,
			       GPUFE_CONFIG_REG_MMAP_OFFSET);

		EXPECT_EQ(MAP_FAILED, m) {
			TH_LOG("prot %#x", prots[i]);
		}
		if (m != MAP_FAILED) {
			munmap(m, REG_PAGE);
		} else {
			EXPECT_EQ(EACCES, errno);
		}
	}
	expect_reg_maps(_metadata, p, id);
	close(p);
}

TEST_F(partition, bad_mmap_private)
{
	void *m;
	__u32 id;
	int p;

	describe("A MAP_PRIVATE mapping of the register page fails with EINVAL; a shared one works after");
	p = simple_part(self, bit(0), &id);
	ASSERT_LE(0, p);
	m = mmap(NULL, REG_PAGE, PROT_READ, MAP_PRIVATE, p,
		 GPUFE_CONFIG_REG_MMAP_OFFSET);
	EXPECT_EQ(MAP_FAILED, m);
	if (m != MAP_FAILED) {
		munmap(m, REG_PAGE);
	} else {
		EXPECT_EQ(EINVAL, errno);
	}
	expect_reg_maps(_metadata, p, id);
	close(p);
}

TEST_F(partition, bad_mmap_size)
{
	static const size_t sizes[] = { 2 * REG_PAGE, 16 * REG_PAGE };
	unsigned int i;
	__u32 id;
	int p;

	describe("A mapping of the register page longer than one page fails with EINVAL; one page works after");
	p = simple_part(self, bit(0), &id);
	ASSERT_LE(0, p);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		void *m = mmap(NULL, sizes[i], PROT_READ, MAP_SHARED, p,
			       GPUFE_CONFIG_REG_MMAP_OFFSET);

		EXPECT_EQ(MAP_FAILED, m) {
			TH_LOG("length %zu", sizes[i]);
		}
		if (m != MAP_FAILED) {
			munmap(m, sizes[i]);
		} else {
			EXPECT_EQ(EINVAL, errno);
		}
	}
	expect_reg_maps(_metadata, p, id);
	close(p);
}

TEST_F(partition, bad_mmap_plain)
{
	struct gpufe_config_reg reg;
	void *m;

	describe("mmap() at the register page's offset on a client without partition fails with ENODEV; its register is for QUERY_CONFIG_REG");
	m = mmap(NULL, REG_PAGE, PROT_READ, MAP_SHARED, self->fd,
		 GPUFE_CONFIG_REG_MMAP_OFFSET);
	EXPECT_EQ(MAP_FAILED, m);
	if (m != MAP_FAILED) {
		munmap(m, REG_PAGE);
	} else {
		EXPECT_EQ(ENODEV, errno);
	}
	EXPECT_EQ(0, get_reg(self->fd, self->dev, &reg, NULL));
	EXPECT_EQ(0, reg.partition_id);
}

/* mmap() of one page of fd at off must fail with err (who says whose fd). */
static void expect_mmap_refused(struct __test_metadata *_metadata, int fd,
				__u64 off, int err, const char *who)
{
	void *m = mmap(NULL, REG_PAGE, PROT_READ, MAP_SHARED, fd, (off_t)off);
	int e = errno;

	EXPECT_EQ(MAP_FAILED, m) {
		TH_LOG("%s: offset %#llx mapped", who, (unsigned long long)off);
	}
	if (m != MAP_FAILED) {
		munmap(m, REG_PAGE);
	} else {
		EXPECT_EQ(err, e) {
			TH_LOG("%s: offset %#llx: %s", who,
			       (unsigned long long)off, strerror(e));
		}
	}
}

TEST_F(partition, bad_mmap_offset)
{
	const __u64 offs[] = {
		GPUFE_CONFIG_REG_MMAP_OFFSET + self->page,
		GPUFE_CONFIG_REG_MMAP_OFFSET + 16 * self->page,
		0x80000000ULL,
		(1ULL << 32) - self->page,
	};
	unsigned int i;
	__u32 id;
	int p;

	describe("mmap() at an offset between the register page's and 4 GiB that is not the register page's fails with EINVAL, on a client without partition as on a partition's; on a client without partition the register page's own offset fails with ENODEV");
	p = simple_part(self, bit(0), &id);
	ASSERT_LE(0, p);
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		expect_mmap_refused(_metadata, self->fd, offs[i], EINVAL,
				    "a client without partition");
		expect_mmap_refused(_metadata, p, offs[i], EINVAL,
				    "a partition's client");
	}
	expect_mmap_refused(_metadata, self->fd, GPUFE_CONFIG_REG_MMAP_OFFSET,
			    ENODEV, "a client without partition");
	expect_reg_maps(_metadata, p, id);
	close(p);
}

GPUFE_TEST_MAIN
