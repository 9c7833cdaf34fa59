// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/*
 * A fake gpufe kernel: GPUFE_IOCTL_VERSION and GPUFE_IOCTL_QUERY exactly as
 * uapi/gpufe.h documents them (size-0 probe, -ENOSPC for a short buffer
 * that leaves the argument untouched, -ENODEV for an unknown device,
 * -EINVAL for a flag, a stray device id or a data pointer with size 0,
 * -ENOTTY for anything else), plus hooks to change the device table
 * between the probe and the fetch and to fail calls on demand.
 *
 * With fake_set_datapath(), the 1.1 data path too: buffers (mmap, export,
 * import), contexts, SUBMIT with the swgpu stream checks, WAIT, CTX_STATUS
 * and completion events through read() and poll(), each validating its
 * flags and pads before any lookup, as the uAPI says. With
 * fake_set_completion_page(), the 1.2 completion page as well, with
 * fake_set_partitions() the 1.3 partitions and their registers, and with
 * fake_set_sched() the 1.4 scheduler's counters, hangs, faults and bans.
 * A device of back-end "edu" (fake_add_edu()) takes gpufe_edu's streams
 * instead of swgpu's, checked as uapi/gpufe_edu.h says.
 * See fake_kernel.h for what is simplified.
 */

#define _GNU_SOURCE	/* O_TMPFILE, memfd_create(), F_DUPFD_CLOEXEC */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gpufe_edu.h>
#include <gpufe_swgpu.h>

#include "fake_kernel.h"

/* What the fake's buffer memfds are called; a dma-buf is one of them. */
#define FAKE_BO_NAME	"fake-gpufe-bo"
/* What the completion page memfds are called. */
#define FAKE_PAGE_NAME	"fake-gpufe-completion"

/* The size of the first version of struct gpufe_ctx_create, 1.1's. */
#define FAKE_CTX_CREATE_V1_SIZE	\
	offsetof(struct gpufe_ctx_create, slot_offset)
/* The size of the first version of struct gpufe_ctx_status, 1.1's to 1.3's. */
#define FAKE_CTX_STATUS_V1_SIZE	\
	offsetof(struct gpufe_ctx_status, busy_ns)

struct fake_kernel fk;

static void fake_set_name(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	/* A name of @size characters or more fills the field: no NUL. */
	memset(dst, 0, size);
	memcpy(dst, src, len < size ? len : size);
}

void fake_reset(void)
{
	fake_close_leftovers();
	memset(&fk, 0, sizeof(fk));
	fk.version.major = GPUFE_VERSION_MAJOR;
	fk.version.minor = 0;
	fk.version.patch = 0;
	fk.version.features = GPUFE_FEATURE_DISCOVERY;
	fk.max_bo_size = 256ULL << 20;
	fk.max_contexts = FAKE_MAX_CTXS;
	fk.max_partitions = FAKE_MAX_PARTITIONS;
	fk.hang_limit = 3;
}

void fake_set_datapath(void)
{
	fk.version.minor = 1;
	fk.version.features |= GPUFE_FEATURE_DATAPATH;
}

void fake_set_completion_page(void)
{
	fk.version.minor = 2;
	fk.version.features |= GPUFE_FEATURE_DATAPATH |
			       GPUFE_FEATURE_COMPLETION_PAGE;
}

void fake_set_partitions(void)
{
	fk.version.minor = 3;
	fk.version.features |= GPUFE_FEATURE_DATAPATH |
			       GPUFE_FEATURE_COMPLETION_PAGE |
			       GPUFE_FEATURE_PARTITIONS;
}

void fake_set_sched(void)
{
	fake_set_partitions();
	fk.version.minor = 4;
	fk.version.features |= GPUFE_FEATURE_SCHED;
}

static int fake_has_sched(void)
{
	return !!(fk.version.features & GPUFE_FEATURE_SCHED);
}

static int fake_has_completion_page(void)
{
	return !!(fk.version.features & GPUFE_FEATURE_COMPLETION_PAGE);
}

static int fake_has_partitions(void)
{
	return !!(fk.version.features & GPUFE_FEATURE_PARTITIONS);
}

static size_t fake_sys_page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* --- partitions, the part the clients' lifetimes need --------------- */

struct fake_partition *fake_partition(uint32_t id)
{
	unsigned int i;

	for (i = 0; id && i < FAKE_MAX_PARTITIONS; i++)
		if (fk.partitions[i].id == id)
			return &fk.partitions[i];
	return NULL;
}

unsigned int fake_partition_clients(const struct fake_partition *p)
{
	unsigned int i, n = 0;

	for (i = 0; i < FAKE_MAX_FDS; i++)
		n += fk.clients[i].in_use && fk.clients[i].part == p;
	return n;
}

static void fake_partition_free(struct fake_partition *p)
{
	if (p->reg_page) {
		__real_munmap(p->reg_page, fake_sys_page());
		__real_close(p->reg_rofd);
		__real_close(p->reg_fd);
	}
	memset(p, 0, sizeof(*p));
}

/* The partition ends: its register says so, its clients get -ENODEV. */
static void fake_partition_end(struct fake_partition *p)
{
	p->ended = 1;
	if (p->reg_page)
		__atomic_fetch_or(&p->reg_page->flags, GPUFE_CONFIG_REG_REVOKED,
				  __ATOMIC_RELEASE);
	if (!fake_partition_clients(p))
		fake_partition_free(p);
}

/* A client of @p went: a non-persistent partition ends with its last. */
static void fake_partition_client_gone(struct fake_partition *p)
{
	if (fake_partition_clients(p))
		return;
	if (p->ended || !(p->flags & GPUFE_PARTITION_PERSISTENT))
		fake_partition_end(p);
}

static void fake_bo_free(struct fake_bo *bo)
{
	if (bo->vaddr)
		__real_munmap(bo->vaddr, bo->size);
	__real_close(bo->memfd);
	memset(bo, 0, sizeof(*bo));
}

static void fake_client_release(struct fake_client *c)
{
	struct fake_partition *p = c->part;
	unsigned int i;

	for (i = 0; i < FAKE_MAX_BOS; i++)
		if (c->bos[i].handle)
			fake_bo_free(&c->bos[i]);
	if (c->page) {
		__real_munmap(c->page, GPUFE_COMPLETION_MAX_SIZE);
		__real_close(c->page_rofd);
		__real_close(c->page_fd);
	}
	memset(c, 0, sizeof(*c));
	if (p)
		fake_partition_client_gone(p);
}

unsigned int fake_close_leftovers(void)
{
	unsigned int n = fk.num_fds, i;

	while (fk.num_fds)
		__real_close(fk.fds[--fk.num_fds]);
	for (i = 0; i < FAKE_MAX_FDS; i++)
		if (fk.clients[i].in_use)
			fake_client_release(&fk.clients[i]);
	for (i = 0; i < FAKE_MAX_PARTITIONS; i++)
		if (fk.partitions[i].id)
			fake_partition_free(&fk.partitions[i]);
	return n;
}

/*
 * A new client on a new descriptor of /dev/null opened with @flags, of
 * partition @p (or none): its descriptor, or -errno.
 */
static int fake_client_new(int flags, struct fake_partition *p)
{
	struct fake_client *c = NULL;
	unsigned int i;
	int fd;

	for (i = 0; i < FAKE_MAX_FDS && !c; i++)
		if (!fk.clients[i].in_use)
			c = &fk.clients[i];
	if (fk.num_fds == FAKE_MAX_FDS || !c)
		return -EMFILE;
	fd = __real_open("/dev/null", flags);
	if (fd < 0)
		return -errno;
	memset(c, 0, sizeof(*c));
	c->in_use = 1;
	c->fd = fd;
	c->nfds = 1;
	c->open_flags = flags;
	c->part = p;
	fk.fds[fk.num_fds] = fd;
	fk.fd_clients[fk.num_fds] = c;
	fk.num_fds++;
	return fd;
}

static struct fake_device *fake_find(uint32_t id)
{
	unsigned int i;

	for (i = 0; i < fk.num_devices; i++)
		if (fk.devices[i].id == id)
			return &fk.devices[i];
	return NULL;
}

struct fake_device *fake_add_device(uint32_t id, const char *name,
				    const char *backend, uint64_t mem_size)
{
	struct fake_device *dev;
	unsigned int pos = 0;

	if (fk.num_devices == FAKE_MAX_DEVICES || !id || fake_find(id))
		return NULL;

	while (pos < fk.num_devices && fk.devices[pos].id < id)
		pos++;
	memmove(&fk.devices[pos + 1], &fk.devices[pos],
		(fk.num_devices - pos) * sizeof(fk.devices[0]));
	fk.num_devices++;

	dev = &fk.devices[pos];
	memset(dev, 0, sizeof(*dev));
	dev->id = id;
	dev->mem_size = mem_size;
	fake_set_name(dev->name, sizeof(dev->name), name);
	fake_set_name(dev->backend, sizeof(dev->backend), backend);
	return dev;
}

void fake_add_engine(struct fake_device *dev, uint16_t engine_class,
		     uint16_t engine_instance, const char *name)
{
	struct fake_engine *e;

	if (dev->num_engines == FAKE_MAX_ENGINES)
		return;
	e = &dev->engines[dev->num_engines++];
	e->engine_class = engine_class;
	e->engine_instance = engine_instance;
	fake_set_name(e->name, sizeof(e->name), name);
}

struct fake_device *fake_add_swgpu(uint32_t id, const char *name)
{
	struct fake_device *dev = fake_add_device(id, name, "swgpu", 256 << 20);

	if (!dev)
		return NULL;
	fake_add_engine(dev, GPUFE_ENGINE_CLASS_COMPUTE, 0, "compute0");
	fake_add_engine(dev, GPUFE_ENGINE_CLASS_COMPUTE, 1, "compute1");
	fake_add_engine(dev, GPUFE_ENGINE_CLASS_COPY, 0, "copy0");
	fake_add_engine(dev, GPUFE_ENGINE_CLASS_VIDEO, 0, "video0");
	return dev;
}

struct fake_device *fake_add_edu(uint32_t id, const char *name)
{
	struct fake_device *dev = fake_add_device(id, name, "edu", 0);

	if (!dev)
		return NULL;
	fake_add_engine(dev, GPUFE_ENGINE_CLASS_COMPUTE, 0, "compute0");
	fake_add_engine(dev, GPUFE_ENGINE_CLASS_COPY, 0, "copy0");
	return dev;
}

void fake_remove_device(uint32_t id)
{
	struct fake_device *dev = fake_find(id);
	unsigned int pos;

	if (!dev)
		return;
	pos = (unsigned int)(dev - fk.devices);
	memmove(dev, dev + 1,
		(fk.num_devices - pos - 1) * sizeof(fk.devices[0]));
	fk.num_devices--;
}

void fake_inject(int err)
{
	if (fk.inject_len < FAKE_MAX_INJECT)
		fk.inject[fk.inject_len++] = err;
}

int fake_fd_is_open(int fd)
{
	unsigned int i;

	for (i = 0; i < fk.num_fds; i++)
		if (fk.fds[i] == fd)
			return 1;
	return 0;
}

/* An engine as a client sees it: the device's, and its name and instance. */
struct fake_view_engine {
	const struct fake_engine *engine;
	uint16_t instance;
	char name[GPUFE_ENGINE_NAME_LEN];
};

static const char *fake_class_name(uint16_t engine_class)
{
	switch (engine_class) {
	case GPUFE_ENGINE_CLASS_COMPUTE:
		return "compute";
	case GPUFE_ENGINE_CLASS_COPY:
		return "copy";
	case GPUFE_ENGINE_CLASS_VIDEO:
		return "video";
	default:
		return "engine";
	}
}

/*
 * The engines of @dev that @c sees, by class then instance: all of them
 * without a partition; the partition's, numbered densely per class and
 * named after that, with one. Returns how many went into @view.
 */
static unsigned int fake_view(const struct fake_client *c,
			      const struct fake_device *dev,
			      struct fake_view_engine *view)
{
	const struct fake_partition *p = c ? c->part : NULL;
	unsigned int i, j, n = 0;

	for (i = 0; i < dev->num_engines; i++) {
		struct fake_view_engine *v = &view[n];

		if (p && !(p->engine_mask & (1ULL << i)))
			continue;
		v->engine = &dev->engines[i];
		if (!p) {
			v->instance = v->engine->engine_instance;
			memcpy(v->name, v->engine->name, sizeof(v->name));
		} else {
			v->instance = 0;
			for (j = 0; j < n; j++)
				v->instance += view[j].engine->engine_class ==
					       v->engine->engine_class;
			memset(v->name, 0, sizeof(v->name));
			snprintf(v->name, sizeof(v->name), "%s%u",
				 fake_class_name(v->engine->engine_class),
				 (unsigned int)v->instance);
		}
		n++;
	}
	return n;
}

/* The device @c may see by @id: any, or its partition's. */
static const struct fake_device *fake_visible(const struct fake_client *c,
					      uint32_t id)
{
	if (c && c->part && c->part->device_id != id)
		return NULL;
	return fake_find(id);
}

static int fake_query_devices(const struct fake_client *c,
			      struct gpufe_query *q)
{
	struct fake_view_engine view[FAKE_MAX_ENGINES];
	uint32_t es = sizeof(struct gpufe_device_info) + fk.entry_extra;
	const struct fake_device *devs[FAKE_MAX_DEVICES];
	struct gpufe_query_devices *res;
	unsigned int i, n = 0;
	uint32_t need;

	for (i = 0; i < fk.num_devices; i++)
		if (fake_visible(c, fk.devices[i].id))
			devs[n++] = &fk.devices[i];
	need = sizeof(struct gpufe_query_devices) + n * es;

	if (q->size == 0) {
		q->size = need;
		return 1;
	}
	if (q->size < need)
		return -ENOSPC;
	if (!q->data)
		return -EFAULT;

	res = (struct gpufe_query_devices *)(uintptr_t)q->data;
	memset(res, 0, need);
	res->num_devices = n + fk.corrupt_count;
	res->entry_size = es;
	/* Entries too small to hold the fields: leave them zero. */
	for (i = 0; fk.entry_extra >= 0 && i < n; i++) {
		struct gpufe_device_info *d = (void *)((char *)res->devices +
						       i * es);

		d->device_id = devs[i]->id;
		d->num_engines = fake_view(c, devs[i], view);
		d->mem_size = devs[i]->mem_size;
		memcpy(d->name, devs[i]->name, sizeof(d->name));
		memcpy(d->backend, devs[i]->backend, sizeof(d->backend));
	}
	q->size = need;
	return 0;
}

static int fake_query_engines(const struct fake_client *c,
			      struct gpufe_query *q)
{
	const struct fake_device *dev = fake_visible(c, q->device_id);
	struct fake_view_engine view[FAKE_MAX_ENGINES];
	struct gpufe_query_engines *res;
	unsigned int i, n;
	uint32_t need, es;

	if (!dev)
		return -ENODEV;

	n = fake_view(c, dev, view);
	es = sizeof(struct gpufe_engine_info) + fk.entry_extra;
	need = sizeof(struct gpufe_query_engines) + n * es;
	if (q->size == 0) {
		q->size = need;
		return 1;
	}
	if (q->size < need)
		return -ENOSPC;
	if (!q->data)
		return -EFAULT;

	res = (struct gpufe_query_engines *)(uintptr_t)q->data;
	memset(res, 0, need);
	res->device_id = dev->id ^ fk.corrupt_device_id;
	res->num_engines = n + fk.corrupt_count;
	res->entry_size = es;
	for (i = 0; fk.entry_extra >= 0 && i < n; i++) {
		struct gpufe_engine_info *e = (void *)((char *)res->engines +
						       i * es);

		e->engine_class = view[i].engine->engine_class;
		e->engine_instance = view[i].instance;
		memcpy(e->name, view[i].name, sizeof(e->name));
	}
	q->size = need;
	return 0;
}

/* A mask of the low @n bits. */
static uint64_t fake_low_bits(unsigned int n)
{
	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

/*
 * The register of partition @p (its emulated one, as its clients read
 * it), or with @p NULL of the whole of @dev.
 */
static void fake_reg_fill(struct gpufe_config_reg *reg,
			  const struct fake_partition *p,
			  const struct fake_device *dev)
{
	uint64_t mask = p ? p->engine_mask : fake_low_bits(dev->num_engines);
	unsigned int i;

	memset(reg, 0, sizeof(*reg));
	reg->magic = GPUFE_CONFIG_REG_MAGIC;
	reg->version = GPUFE_CONFIG_REG_VERSION;
	reg->size = sizeof(*reg);
	reg->device_id = dev->id;
	for (i = 0; i < dev->num_engines; i++)
		if ((mask & (1ULL << i)) &&
		    dev->engines[i].engine_class < GPUFE_CONFIG_REG_CLASSES)
			reg->engines[dev->engines[i].engine_class]++;
	reg->engine_mask = mask;
	if (!p)
		return;
	reg->partition_id = p->id;
	reg->engine_mask = fake_low_bits(__builtin_popcountll(mask));
	reg->mem_quota = p->mem_quota;
	reg->weight = p->weight;
	reg->flags = GPUFE_CONFIG_REG_DENSE |
		     (p->flags & GPUFE_PARTITION_PERSISTENT ?
		      GPUFE_CONFIG_REG_PERSISTENT : 0) |
		     (p->ended ? GPUFE_CONFIG_REG_REVOKED : 0);
	reg->max_clients = p->max_clients;
}

static int fake_query_config_reg(const struct fake_client *c,
				 struct gpufe_query *q)
{
	const struct fake_device *dev = fake_visible(c, q->device_id);
	struct gpufe_config_reg reg;

	if (!dev)
		return -ENODEV;
	if (q->size == 0) {
		q->size = sizeof(reg);
		return 1;
	}
	if (q->size < sizeof(reg))
		return -ENOSPC;
	if (!q->data)
		return -EFAULT;

	fake_reg_fill(&reg, c->part, dev);
	switch (fk.corrupt_config_reg) {
	case 1:
		reg.magic ^= 1;
		break;
	case 2:
		reg.version = GPUFE_CONFIG_REG_VERSION + 1;
		break;
	case 3:
		reg.size = sizeof(reg) - 8;
		break;
	case 4:
		reg.engines[0]++;
		break;
	case 5:
		reg.device_id ^= 1;
		break;
	case 6:
		reg.engine_mask = 0;
		memset(reg.engines, 0, sizeof(reg.engines));
		break;
	case 7:
		reg.flags |= 0x80;
		break;
	case 8:
		reg.pad = 1;
		break;
	case 9:
		reg.weight = 1;
		break;
	case 10:
		reg.flags |= GPUFE_CONFIG_REG_DENSE;
		reg.engine_mask <<= 1;
		break;
	case 11:
		reg.size = sizeof(reg) + 8;
		break;
	}
	memcpy((void *)(uintptr_t)q->data, &reg, sizeof(reg));
	q->size = sizeof(reg);
	return 0;
}

/* Bytes of buffer memory the clients of @p use. */
static uint64_t fake_partition_mem_used(const struct fake_partition *p)
{
	uint64_t used = 0;
	unsigned int i, j;

	for (i = 0; i < FAKE_MAX_FDS; i++) {
		const struct fake_client *c = &fk.clients[i];

		for (j = 0; c->in_use && c->part == p && j < FAKE_MAX_BOS; j++)
			if (c->bos[j].handle)
				used += c->bos[j].size;
	}
	return used;
}

static int fake_query_partitions(const struct fake_client *c,
				 struct gpufe_query *q)
{
	uint32_t es = sizeof(struct gpufe_partition_info) + fk.entry_extra;
	const struct fake_partition *parts[FAKE_MAX_PARTITIONS];
	struct gpufe_query_partitions *res;
	unsigned int i, n = 0;
	uint32_t need, id;

	if (c->part) {
		parts[n++] = c->part;
	} else {
		for (id = 1; id <= FAKE_MAX_PARTITIONS; id++) {
			const struct fake_partition *p = fake_partition(id);

			if (p && !p->ended)
				parts[n++] = p;
		}
	}
	need = sizeof(*res) + n * es;

	if (q->size == 0) {
		q->size = need;
		return 1;
	}
	if (q->size < need)
		return -ENOSPC;
	if (!q->data)
		return -EFAULT;

	res = (struct gpufe_query_partitions *)(uintptr_t)q->data;
	memset(res, 0, need);
	res->num_partitions = n + fk.corrupt_count;
	res->entry_size = es;
	for (i = 0; fk.entry_extra >= 0 && i < n; i++) {
		const struct fake_partition *p = parts[i];
		struct gpufe_partition_info *k = (void *)
			((char *)res->partitions + i * es);

		k->partition_id = p->id;
		k->device_id = p->device_id;
		k->engine_mask = c->part ?
			fake_low_bits(__builtin_popcountll(p->engine_mask)) :
			p->engine_mask;
		k->mem_quota = p->mem_quota;
		k->mem_used = fake_partition_mem_used(p);
		k->weight = p->weight;
		k->flags = p->flags & GPUFE_PARTITION_PERSISTENT ?
			   GPUFE_CONFIG_REG_PERSISTENT : 0;
		k->max_clients = p->max_clients;
		k->num_clients = fake_partition_clients(p);
	}
	q->size = need;
	return 0;
}

static int fake_query(const struct fake_client *c, struct gpufe_query *arg)
{
	struct gpufe_query q = *arg;
	int ret;

	/* Every MBZ field is checked before anything is looked up. */
	if (q.flags)
		return -EINVAL;
	if (q.size == 0 && q.data)
		return -EINVAL;

	switch (q.query) {
	case GPUFE_QUERY_DEVICES:
		if (q.device_id)
			return -EINVAL;
		ret = fake_query_devices(c, &q);
		break;
	case GPUFE_QUERY_ENGINES:
		ret = fake_query_engines(c, &q);
		break;
	case GPUFE_QUERY_CONFIG_REG:
		if (!fake_has_partitions())
			return -EINVAL;
		ret = fake_query_config_reg(c, &q);
		break;
	case GPUFE_QUERY_PARTITIONS:
		if (!fake_has_partitions() || q.device_id)
			return -EINVAL;
		ret = fake_query_partitions(c, &q);
		break;
	default:
		return -EINVAL;
	}

	if (ret == -ENOSPC)
		fk.enospc++;
	if (ret < 0)
		return ret;	/* a failed call changes nothing */

	*arg = q;
	if (ret == 1) {
		fk.probes++;
		if (fk.after_probe)
			fk.after_probe(arg);
	} else {
		fk.fetches++;
	}
	return 0;
}

/* --- the data path ------------------------------------------------- */

struct fake_client *fake_client(int fd)
{
	unsigned int i;

	for (i = 0; i < fk.num_fds; i++)
		if (fk.fds[i] == fd)
			return fk.fd_clients[i];
	return NULL;
}

static struct fake_bo *fake_client_bo(struct fake_client *c, uint32_t handle)
{
	if (!handle || handle > FAKE_MAX_BOS || !c->bos[handle - 1].handle)
		return NULL;
	return &c->bos[handle - 1];
}

static struct fake_ctx *fake_client_ctx(struct fake_client *c, uint32_t id)
{
	if (!id || id > FAKE_MAX_CTXS || !c->ctxs[id - 1].id)
		return NULL;
	return &c->ctxs[id - 1];
}

struct fake_bo *fake_bo(int fd, uint32_t handle)
{
	struct fake_client *c = fake_client(fd);

	return c ? fake_client_bo(c, handle) : NULL;
}

struct fake_ctx *fake_ctx(int fd, uint32_t ctx_id)
{
	struct fake_client *c = fake_client(fd);

	return c ? fake_client_ctx(c, ctx_id) : NULL;
}

unsigned int fake_count_bos(void)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < FAKE_MAX_FDS; i++)
		for (j = 0; fk.clients[i].in_use && j < FAKE_MAX_BOS; j++)
			n += !!fk.clients[i].bos[j].handle;
	return n;
}

unsigned int fake_count_ctxs(void)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < FAKE_MAX_FDS; i++)
		for (j = 0; fk.clients[i].in_use && j < FAKE_MAX_CTXS; j++)
			n += !!fk.clients[i].ctxs[j].id;
	return n;
}

/* The lowest free handle, as the kernel's xa_alloc() gives them out. */
static struct fake_bo *fake_bo_slot(struct fake_client *c, uint32_t *handle)
{
	unsigned int i;

	for (i = 0; i < FAKE_MAX_BOS; i++) {
		if (!c->bos[i].handle) {
			*handle = i + 1;
			return &c->bos[i];
		}
	}
	return NULL;
}

/* Give @slot the memory of @memfd (which it then owns). */
static int fake_bo_init(struct fake_bo *bo, uint32_t handle, int memfd)
{
	struct stat st;
	void *vaddr;

	if (fstat(memfd, &st)) {
		__real_close(memfd);
		return -errno;
	}
	vaddr = __real_mmap(NULL, st.st_size, PROT_READ | PROT_WRITE,
			    MAP_SHARED, memfd, 0);
	if (vaddr == MAP_FAILED) {
		__real_close(memfd);
		return -ENOMEM;
	}
	bo->handle = handle;
	bo->size = st.st_size;
	bo->memfd = memfd;
	bo->st_dev = st.st_dev;
	bo->st_ino = st.st_ino;
	bo->vaddr = vaddr;
	return 0;
}

static int fake_bo_create(struct fake_client *c, struct gpufe_bo_create *args)
{
	struct fake_bo *bo;
	uint32_t handle;
	uint64_t size;
	int memfd, ret;

	if (args->flags || !args->size)
		return -EINVAL;
	if (args->size > fk.max_bo_size)
		return -E2BIG;
	size = (args->size + FAKE_PAGE_SIZE - 1) & ~(uint64_t)(FAKE_PAGE_SIZE - 1);
	/* Simplified: imports do not count against a partition's quota. */
	if (c->part && c->part->mem_quota &&
	    size > c->part->mem_quota - fake_partition_mem_used(c->part))
		return -EDQUOT;

	bo = fake_bo_slot(c, &handle);
	if (!bo)
		return -EDQUOT;
	memfd = memfd_create(FAKE_BO_NAME, MFD_CLOEXEC);
	if (memfd < 0)
		return -ENOMEM;
	if (ftruncate(memfd, (off_t)size)) {
		__real_close(memfd);
		return -ENOMEM;
	}
	ret = fake_bo_init(bo, handle, memfd);
	if (ret)
		return ret;

	args->size = size;
	args->handle = handle;
	args->mmap_offset = FAKE_BO_MMAP_BASE +
			    (uint64_t)handle * FAKE_PAGE_SIZE;
	return 0;
}

static int fake_bo_destroy(struct fake_client *c,
			   const struct gpufe_bo_destroy *args)
{
	struct fake_bo *bo;

	if (args->pad)
		return -EINVAL;
	bo = fake_client_bo(c, args->handle);
	if (!bo)
		return -ENOENT;
	fake_bo_free(bo);
	fk.bo_destroys++;
	return 0;
}

static int fake_bo_export(struct fake_client *c, struct gpufe_bo_export *args)
{
	const uint32_t known = GPUFE_BO_EXPORT_CLOEXEC | GPUFE_BO_EXPORT_RDWR;
	struct fake_bo *bo;
	int fd;

	if ((args->flags & ~known) || args->pad)
		return -EINVAL;
	bo = fake_client_bo(c, args->handle);
	if (!bo)
		return -ENOENT;

	fd = fcntl(bo->memfd, args->flags & GPUFE_BO_EXPORT_CLOEXEC ?
			      F_DUPFD_CLOEXEC : F_DUPFD, 0);
	if (fd < 0)
		return -errno;
	fk.last_export_flags = args->flags;
	args->fd = fd;
	return 0;
}

/* Is @fd one of the fake's buffers, a dma-buf? By its memfd name. */
static int fake_is_dmabuf(int fd)
{
	static const char want[] = "/memfd:" FAKE_BO_NAME " (deleted)";
	char path[64], target[sizeof(want) + 1];
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	len = readlink(path, target, sizeof(target));
	return len == (ssize_t)sizeof(want) - 1 && !memcmp(target, want, len);
}

static int fake_bo_import(struct fake_client *c, struct gpufe_bo_import *args)
{
	struct fake_bo *bo;
	struct stat st;
	uint32_t handle;
	unsigned int i;
	int memfd, ret;

	if (args->flags || args->pad)
		return -EINVAL;
	if (fstat(args->fd, &st))
		return -EBADF;
	if (!fake_is_dmabuf(args->fd))
		return -EINVAL;

	/* Already this client's: the same handle. */
	for (i = 0; i < FAKE_MAX_BOS; i++) {
		bo = &c->bos[i];
		if (bo->handle && bo->st_dev == st.st_dev &&
		    bo->st_ino == st.st_ino) {
			handle = bo->handle;
			goto out;
		}
	}

	/* A dma-buf outlives the buffer it was exported from. */
	bo = fake_bo_slot(c, &handle);
	if (!bo)
		return -EDQUOT;
	memfd = fcntl(args->fd, F_DUPFD_CLOEXEC, 0);
	if (memfd < 0)
		return -errno;
	ret = fake_bo_init(bo, handle, memfd);
	if (ret)
		return ret;
out:
	args->handle = handle;
	args->size = bo->size;
	args->mmap_offset = FAKE_BO_MMAP_BASE +
			    (uint64_t)handle * FAKE_PAGE_SIZE;
	return 0;
}

/* Make the client's completion page, zero-filled, if it has none yet. */
static int fake_page_get(struct fake_client *c)
{
	char path[64];
	void *page;
	int fd, rofd;

	if (c->page)
		return 0;
	fd = memfd_create(FAKE_PAGE_NAME, MFD_CLOEXEC);
	if (fd < 0)
		return -ENOMEM;
	if (ftruncate(fd, GPUFE_COMPLETION_MAX_SIZE))
		goto err_close;
	/* What clients map: a read-only file cannot be mapped writable. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rofd = __real_open(path, O_RDONLY | O_CLOEXEC);
	if (rofd < 0)
		goto err_close;
	page = __real_mmap(NULL, GPUFE_COMPLETION_MAX_SIZE,
			   PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (page == MAP_FAILED) {
		__real_close(rofd);
		goto err_close;
	}
	c->page_fd = fd;
	c->page_rofd = rofd;
	c->page = page;
	return 0;

err_close:
	__real_close(fd);
	return -ENOMEM;
}

/* The lowest slot no live context of @c has, as the kernel gives them. */
static unsigned int fake_slot_alloc(const struct fake_client *c)
{
	unsigned int slot, i;

	for (slot = 0;; slot++) {
		for (i = 0; i < FAKE_MAX_CTXS; i++)
			if (c->ctxs[i].id && c->ctxs[i].slot == &c->page[slot])
				break;
		if (i == FAKE_MAX_CTXS)
			return slot;
	}
}

static int fake_ctx_create(struct fake_client *c, struct gpufe_ctx_create *args)
{
	struct fake_view_engine view[FAKE_MAX_ENGINES];
	const struct fake_device *dev;
	struct fake_ctx *ctx = NULL;
	unsigned int i, n, live = 0;

	if (args->flags || args->pad)
		return -EINVAL;
	if (args->priority < GPUFE_PRIORITY_LOW ||
	    args->priority > GPUFE_PRIORITY_HIGH)
		return -EINVAL;
	if (args->priority == GPUFE_PRIORITY_HIGH && fk.deny_high_priority)
		return -EPERM;

	dev = fake_visible(c, args->device_id);
	if (!dev)
		return -ENODEV;
	/* In the client's numbering: a partition's engines, densely. */
	n = fake_view(c, dev, view);
	for (i = 0; i < n; i++)
		if (view[i].engine->engine_class == args->engine_class &&
		    view[i].instance == args->engine_instance)
			break;
	if (i == n)
		return -ENOENT;

	for (i = 0; i < FAKE_MAX_CTXS; i++) {
		if (c->ctxs[i].id)
			live++;
		else if (!ctx)
			ctx = &c->ctxs[i];
	}
	if (!ctx || live >= fk.max_contexts)
		return -EMFILE;
	if (fake_has_completion_page() && fake_page_get(c))
		return -ENOMEM;

	memset(ctx, 0, sizeof(*ctx));
	if (fake_has_completion_page()) {
		unsigned int slot = fake_slot_alloc(c);

		/* A reused slot starts over, as the new context's jobs do. */
		ctx->slot = &c->page[slot];
		ctx->slot_offset = slot * sizeof(*ctx->slot);
		__atomic_store_n(&ctx->slot->error, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&ctx->slot->seqno, 0, __ATOMIC_RELEASE);
		args->slot_offset = ctx->slot_offset ^ fk.slot_offset_xor;
	}
	ctx->id = (uint32_t)(ctx - c->ctxs) + 1;
	ctx->device_id = args->device_id;
	ctx->engine_class = args->engine_class;
	ctx->engine_instance = args->engine_instance;
	ctx->priority = args->priority;
	args->ctx_id = ctx->id;
	return 0;
}

static void fake_event_drop(struct fake_client *c, uint32_t ctx_id)
{
	unsigned int i;

	for (i = 0; i < c->num_events; i++) {
		if (c->events[i] == ctx_id) {
			memmove(&c->events[i], &c->events[i + 1],
				(c->num_events - i - 1) * sizeof(c->events[0]));
			c->num_events--;
			return;
		}
	}
}

static int fake_ctx_destroy(struct fake_client *c,
			    const struct gpufe_ctx_destroy *args)
{
	struct fake_ctx *ctx;

	if (args->pad)
		return -EINVAL;
	ctx = fake_client_ctx(c, args->ctx_id);
	if (!ctx)
		return -ENOENT;
	/* Simplified: the kernel would still deliver a pending event. */
	fake_event_drop(c, ctx->id);
	memset(ctx, 0, sizeof(*ctx));
	fk.ctx_destroys++;
	return 0;
}

static int fake_ctx_status(struct fake_client *c, struct gpufe_ctx_status *args)
{
	const struct fake_ctx *ctx;

	if (args->flags)
		return -EINVAL;
	ctx = fake_client_ctx(c, args->ctx_id);
	if (!ctx)
		return -ENOENT;
	args->submitted = ctx->submitted;
	args->completed = ctx->completed;
	args->error = ctx->error;
	args->state = ctx->state;
	/* Written whatever the version: the caller copies out what it knows. */
	args->busy_ns = ctx->busy_ns;
	args->hangs = ctx->hangs;
	args->queued = (uint32_t)(ctx->submitted - ctx->completed -
				  !!ctx->hung_seqno);
	return 0;
}

static void fake_ctx_complete(struct fake_client *c, struct fake_ctx *ctx,
			      uint64_t seqno, int32_t error)
{
	if (seqno > ctx->submitted)
		seqno = ctx->submitted;
	if (seqno <= ctx->completed)
		return;
	ctx->completed = seqno;
	if (error)
		ctx->error = error;
	/* The error first, then the seqno that publishes it (and the job). */
	if (ctx->slot) {
		__atomic_store_n(&ctx->slot->error, ctx->error, __ATOMIC_RELAXED);
		__atomic_store_n(&ctx->slot->seqno, seqno, __ATOMIC_RELEASE);
	}
	if (!ctx->event_pending) {
		ctx->event_pending = 1;
		c->events[c->num_events++] = ctx->id;
	}
}

void fake_complete(int fd, uint32_t ctx_id, uint64_t seqno, int32_t error)
{
	struct fake_client *c = fake_client(fd);
	struct fake_ctx *ctx = c ? fake_client_ctx(c, ctx_id) : NULL;

	if (ctx)
		fake_ctx_complete(c, ctx, seqno, error);
}

int fake_hang_reset(int fd, uint32_t ctx_id)
{
	struct fake_client *c = fake_client(fd);
	struct fake_ctx *ctx = c ? fake_client_ctx(c, ctx_id) : NULL;
	uint64_t hung;

	if (!ctx || !ctx->hung_seqno)
		return -ENOENT;
	hung = ctx->hung_seqno;
	ctx->hung_seqno = 0;
	/* The jobs before it were done; it fails. */
	fake_ctx_complete(c, ctx, hung - 1, 0);
	fake_ctx_complete(c, ctx, hung, -ETIME);
	ctx->hangs++;
	if (ctx->hangs >= fk.hang_limit) {
		ctx->state = GPUFE_CTX_STATE_BANNED;
		fake_ctx_complete(c, ctx, ctx->submitted, -ECANCELED);
	} else if (fk.auto_complete) {
		fake_ctx_complete(c, ctx, ctx->submitted, 0);
	}
	return 0;
}

/* What one swgpu command is, for the checks and the run. */
union fake_cmd {
	uint32_t opcode;
	struct swgpu_cmd_nop nop;
	struct swgpu_cmd_fill fill;
	struct swgpu_cmd_copy copy;
	struct swgpu_cmd_vadd vadd;
	struct swgpu_cmd_delay_us delay;
	struct swgpu_cmd_timestamp timestamp;
	struct swgpu_cmd_fault fault;
	struct swgpu_cmd_hang hang;
};

static size_t fake_cmd_size(uint32_t opcode)
{
	switch (opcode) {
	case SWGPU_CMD_NOP:
		return sizeof(struct swgpu_cmd_nop);
	case SWGPU_CMD_FILL:
		return sizeof(struct swgpu_cmd_fill);
	case SWGPU_CMD_COPY:
		return sizeof(struct swgpu_cmd_copy);
	case SWGPU_CMD_VADD:
		return sizeof(struct swgpu_cmd_vadd);
	case SWGPU_CMD_DELAY_US:
		return sizeof(struct swgpu_cmd_delay_us);
	case SWGPU_CMD_TIMESTAMP:
		return sizeof(struct swgpu_cmd_timestamp);
	/* Unknown opcodes before 1.4. */
	case SWGPU_CMD_FAULT:
		return fake_has_sched() ? sizeof(struct swgpu_cmd_fault) : 0;
	case SWGPU_CMD_HANG:
		return fake_has_sched() ? sizeof(struct swgpu_cmd_hang) : 0;
	default:
		return 0;
	}
}

/* A job being checked or run: its buffers, in list order. */
struct fake_job {
	const struct gpufe_submit_bo *list;
	struct fake_bo *bos[GPUFE_SUBMIT_MAX_BOS];
	uint32_t num_bos;
	uint16_t engine_class;
};

/* May the job touch [offset, offset + length) of buffer @index so? */
static int fake_range_ok(const struct fake_job *job, uint32_t index,
			 uint64_t offset, uint64_t length, uint64_t align,
			 uint32_t access)
{
	const struct fake_bo *bo;

	if (index >= job->num_bos)
		return 0;
	bo = job->bos[index];
	if (!(job->list[index].flags & access))
		return 0;
	if (offset % align || length % align)
		return 0;
	return offset <= bo->size && length <= bo->size - offset;
}

static int fake_cmd_check(const struct fake_job *job, const union fake_cmd *cmd,
			  uint64_t *delay)
{
	const int copy_class = job->engine_class == GPUFE_ENGINE_CLASS_COPY;
	const int compute = job->engine_class == GPUFE_ENGINE_CLASS_COMPUTE;
	uint64_t len;

	switch (cmd->opcode) {
	case SWGPU_CMD_NOP:
		return 1;
	case SWGPU_CMD_FILL:
		return (compute || copy_class) && !cmd->fill.pad &&
		       fake_range_ok(job, cmd->fill.bo, cmd->fill.offset,
				     cmd->fill.length, 4, GPUFE_SUBMIT_BO_WRITE);
	case SWGPU_CMD_COPY:
		if (!(compute || copy_class) || cmd->copy.pad)
			return 0;
		len = cmd->copy.length;
		if (!fake_range_ok(job, cmd->copy.src_bo, cmd->copy.src_offset,
				   len, 1, GPUFE_SUBMIT_BO_READ) ||
		    !fake_range_ok(job, cmd->copy.dst_bo, cmd->copy.dst_offset,
				   len, 1, GPUFE_SUBMIT_BO_WRITE))
			return 0;
		/* One buffer: the ranges must not overlap. */
		return cmd->copy.src_bo != cmd->copy.dst_bo || !len ||
		       cmd->copy.src_offset + len <= cmd->copy.dst_offset ||
		       cmd->copy.dst_offset + len <= cmd->copy.src_offset;
	case SWGPU_CMD_VADD:
		if (!compute || cmd->vadd.count > UINT64_MAX / 4)
			return 0;
		len = cmd->vadd.count * 4;
		return fake_range_ok(job, cmd->vadd.a_bo, cmd->vadd.a_offset,
				     len, 4, GPUFE_SUBMIT_BO_READ) &&
		       fake_range_ok(job, cmd->vadd.b_bo, cmd->vadd.b_offset,
				     len, 4, GPUFE_SUBMIT_BO_READ) &&
		       fake_range_ok(job, cmd->vadd.dst_bo,
				     cmd->vadd.dst_offset, len, 4,
				     GPUFE_SUBMIT_BO_WRITE);
	case SWGPU_CMD_DELAY_US:
		*delay += cmd->delay.usecs;
		return *delay <= SWGPU_MAX_DELAY_US;
	case SWGPU_CMD_TIMESTAMP:
		return fake_range_ok(job, cmd->timestamp.bo,
				     cmd->timestamp.offset, 8, 8,
				     GPUFE_SUBMIT_BO_WRITE);
	case SWGPU_CMD_FAULT:
		return !cmd->fault.pad;
	case SWGPU_CMD_HANG:
		return !cmd->hang.pad && fk.allow_hang;
	default:
		return 0;
	}
}

/* Decode the command at @at of @left bytes; 0 if there is none whole. */
static size_t fake_cmd_decode(const uint8_t *at, size_t left,
			      union fake_cmd *cmd)
{
	uint32_t opcode;
	size_t size;

	if (left < sizeof(opcode))
		return 0;
	memcpy(&opcode, at, sizeof(opcode));
	size = fake_cmd_size(opcode);
	if (!size || size > left)
		return 0;
	memset(cmd, 0, sizeof(*cmd));
	memcpy(cmd, at, size);
	return size;
}

static int fake_stream_check(const struct fake_job *job, const uint8_t *cmds,
			     size_t size)
{
	uint64_t delay = 0;
	size_t pos = 0, n;
	union fake_cmd cmd;

	while (pos < size) {
		n = fake_cmd_decode(cmds + pos, size - pos, &cmd);
		if (!n || !fake_cmd_check(job, &cmd, &delay))
			return -EINVAL;
		pos += n;
	}
	return 0;
}

/* What running a stream came to. */
#define FAKE_RUN_DONE	0	/* every command ran */
#define FAKE_RUN_FAULT	1	/* it stopped at a FAULT: -EIO */
#define FAKE_RUN_HANG	2	/* it stopped at a HANG */

/* Run a checked stream; its DELAY_US add up in @delay_us. */
static int fake_stream_run(const struct fake_job *job, const uint8_t *cmds,
			   size_t size, uint64_t *delay_us)
{
	size_t pos = 0;
	union fake_cmd cmd;

	while (pos < size) {
		uint8_t *a, *b, *d;
		struct timespec ts;
		uint64_t i, now;
		uint32_t x, y;

		pos += fake_cmd_decode(cmds + pos, size - pos, &cmd);
		switch (cmd.opcode) {
		case SWGPU_CMD_FILL:
			d = (uint8_t *)job->bos[cmd.fill.bo]->vaddr +
			    cmd.fill.offset;
			for (i = 0; i < cmd.fill.length; i += 4)
				memcpy(d + i, &cmd.fill.value, 4);
			break;
		case SWGPU_CMD_COPY:
			memcpy((uint8_t *)job->bos[cmd.copy.dst_bo]->vaddr +
			       cmd.copy.dst_offset,
			       (uint8_t *)job->bos[cmd.copy.src_bo]->vaddr +
			       cmd.copy.src_offset, cmd.copy.length);
			break;
		case SWGPU_CMD_VADD:
			a = (uint8_t *)job->bos[cmd.vadd.a_bo]->vaddr +
			    cmd.vadd.a_offset;
			b = (uint8_t *)job->bos[cmd.vadd.b_bo]->vaddr +
			    cmd.vadd.b_offset;
			d = (uint8_t *)job->bos[cmd.vadd.dst_bo]->vaddr +
			    cmd.vadd.dst_offset;
			for (i = 0; i < cmd.vadd.count; i++) {
				memcpy(&x, a + 4 * i, 4);
				memcpy(&y, b + 4 * i, 4);
				x += y;
				memcpy(d + 4 * i, &x, 4);
			}
			break;
		case SWGPU_CMD_TIMESTAMP:
			clock_gettime(CLOCK_MONOTONIC, &ts);
			now = (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
			memcpy((uint8_t *)job->bos[cmd.timestamp.bo]->vaddr +
			       cmd.timestamp.offset, &now, sizeof(now));
			break;
		case SWGPU_CMD_DELAY_US:	/* accounted, not slept */
			*delay_us += cmd.delay.usecs;
			break;
		case SWGPU_CMD_FAULT:
			return FAKE_RUN_FAULT;
		case SWGPU_CMD_HANG:
			return FAKE_RUN_HANG;
		default:	/* NOP */
			break;
		}
	}
	return FAKE_RUN_DONE;
}

/* --- gpufe_edu's streams ---------------------------------------------- */

/* What one edu command is. */
union fake_edu_cmd {
	uint32_t opcode;
	struct edu_cmd_copy copy;
	struct edu_cmd_factorial factorial;
};

/* Decode the edu command at @at of @left bytes; 0 if there is none whole. */
static size_t fake_edu_decode(const uint8_t *at, size_t left,
			      union fake_edu_cmd *cmd)
{
	uint32_t opcode;
	size_t size;

	if (left < sizeof(opcode))
		return 0;
	memcpy(&opcode, at, sizeof(opcode));
	switch (opcode) {
	case EDU_CMD_COPY:
		size = sizeof(struct edu_cmd_copy);
		break;
	case EDU_CMD_FACTORIAL:
		size = sizeof(struct edu_cmd_factorial);
		break;
	default:
		return 0;
	}
	if (size > left)
		return 0;
	memset(cmd, 0, sizeof(*cmd));
	memcpy(cmd, at, size);
	return size;
}

/*
 * The chunks of a copy, as uapi/gpufe_edu.h splits it: at every 4096-byte
 * boundary of either offset and every EDU_CHUNK_MAX bytes.
 */
static uint64_t fake_edu_chunks(uint64_t src, uint64_t dst, uint64_t length)
{
	uint64_t n = 0, step;

	while (length) {
		step = length;
		if (step > 4096 - src % 4096)
			step = 4096 - src % 4096;
		if (step > 4096 - dst % 4096)
			step = 4096 - dst % 4096;
		if (step > EDU_CHUNK_MAX)
			step = EDU_CHUNK_MAX;
		src += step;
		dst += step;
		length -= step;
		n++;
	}
	return n;
}

static int fake_edu_check(const struct fake_job *job, const uint8_t *cmds,
			  size_t size)
{
	uint64_t chunks = 0, factorials = 0;
	union fake_edu_cmd cmd;
	size_t pos = 0, n;

	while (pos < size) {
		n = fake_edu_decode(cmds + pos, size - pos, &cmd);
		if (!n)
			return -EINVAL;
		pos += n;
		if (cmd.opcode == EDU_CMD_COPY) {
			const struct edu_cmd_copy *c = &cmd.copy;

			if (job->engine_class != GPUFE_ENGINE_CLASS_COPY ||
			    c->pad || !c->length ||
			    !fake_range_ok(job, c->src_bo, c->src_offset,
					   c->length, 1, GPUFE_SUBMIT_BO_READ) ||
			    !fake_range_ok(job, c->dst_bo, c->dst_offset,
					   c->length, 1, GPUFE_SUBMIT_BO_WRITE))
				return -EINVAL;
			if (c->src_bo == c->dst_bo &&
			    c->src_offset < c->dst_offset + c->length &&
			    c->dst_offset < c->src_offset + c->length)
				return -EINVAL;
			chunks += fake_edu_chunks(c->src_offset, c->dst_offset,
						  c->length);
			if (chunks > EDU_MAX_JOB_CHUNKS)
				return -EINVAL;
		} else {
			const struct edu_cmd_factorial *f = &cmd.factorial;

			if (job->engine_class != GPUFE_ENGINE_CLASS_COMPUTE ||
			    f->pad || f->n > EDU_MAX_FACTORIAL_N ||
			    !fake_range_ok(job, f->dst_bo, f->dst_offset, 4, 4,
					   GPUFE_SUBMIT_BO_WRITE) ||
			    ++factorials > EDU_MAX_JOB_FACTORIALS)
				return -EINVAL;
		}
	}
	return 0;
}

/* Run a checked edu stream. */
static void fake_edu_run(const struct fake_job *job, const uint8_t *cmds,
			 size_t size)
{
	union fake_edu_cmd cmd;
	size_t pos = 0;

	while (pos < size) {
		pos += fake_edu_decode(cmds + pos, size - pos, &cmd);
		if (cmd.opcode == EDU_CMD_COPY) {
			memcpy((uint8_t *)job->bos[cmd.copy.dst_bo]->vaddr +
			       cmd.copy.dst_offset,
			       (uint8_t *)job->bos[cmd.copy.src_bo]->vaddr +
			       cmd.copy.src_offset, cmd.copy.length);
		} else {
			uint32_t v = 1, i;

			for (i = 2; i <= cmd.factorial.n; i++)
				v *= i;
			memcpy((uint8_t *)job->bos[cmd.factorial.dst_bo]->vaddr +
			       cmd.factorial.dst_offset, &v, sizeof(v));
		}
	}
}

static int fake_submit(struct fake_client *c, struct gpufe_submit *args)
{
	const uint32_t known = GPUFE_SUBMIT_IN_FENCE | GPUFE_SUBMIT_OUT_FENCE;
	const struct gpufe_submit_bo *ubos;
	const struct fake_device *dev;
	struct fake_job job = { 0 };
	struct fake_ctx *ctx;
	uint64_t delay_us = 0;
	unsigned int i, j;
	int out_fd = -1, ret, run, edu;

	/* The argument and the buffer list first, then the lookups. */
	if (args->flags & ~known)
		return -EINVAL;
	if (!(args->flags & GPUFE_SUBMIT_IN_FENCE) && args->in_fence_fd)
		return -EINVAL;
	if (!args->cmds_size || args->cmds_size % 4 ||
	    args->cmds_size > GPUFE_SUBMIT_MAX_CMDS_SIZE)
		return -EINVAL;
	if (args->num_bos > GPUFE_SUBMIT_MAX_BOS)
		return -EINVAL;
	if (!args->cmds || (args->num_bos && !args->bos))
		return -EFAULT;

	ubos = (const struct gpufe_submit_bo *)(uintptr_t)args->bos;
	for (i = 0; i < args->num_bos; i++) {
		if (!ubos[i].flags || (ubos[i].flags & ~(GPUFE_SUBMIT_BO_READ |
							GPUFE_SUBMIT_BO_WRITE)))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (ubos[j].handle == ubos[i].handle)
				return -EINVAL;
	}
	job.list = ubos;
	job.num_bos = args->num_bos;
	for (i = 0; i < args->num_bos; i++) {
		job.bos[i] = fake_client_bo(c, ubos[i].handle);
		if (!job.bos[i])
			return -ENOENT;
	}

	ctx = fake_client_ctx(c, args->ctx_id);
	if (!ctx)
		return -ENOENT;
	if (ctx->state == GPUFE_CTX_STATE_LOST)
		return -ENODEV;
	if (ctx->state == GPUFE_CTX_STATE_BANNED)
		return -ECANCELED;
	if ((args->flags & GPUFE_SUBMIT_IN_FENCE) &&
	    fcntl(args->in_fence_fd, F_GETFD) < 0)
		return -EINVAL;		/* not a sync_file */

	job.engine_class = ctx->engine_class;
	dev = fake_find(ctx->device_id);
	edu = dev && !strcmp(dev->backend, "edu");
	if (edu)
		ret = fake_edu_check(&job, (const uint8_t *)(uintptr_t)args->cmds,
				     args->cmds_size);
	else
		ret = fake_stream_check(&job,
					(const uint8_t *)(uintptr_t)args->cmds,
					args->cmds_size);
	if (ret)
		return ret;

	if (args->flags & GPUFE_SUBMIT_OUT_FENCE) {
		/* A sync_file stands in as /dev/null, close-on-exec. */
		out_fd = __real_open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (out_fd < 0)
			return -EMFILE;
	}

	fk.last_submit.args = *args;
	memcpy(fk.last_submit.cmds, (const void *)(uintptr_t)args->cmds,
	       args->cmds_size);
	if (args->num_bos)
		memcpy(fk.last_submit.bos, ubos, args->num_bos * sizeof(*ubos));
	fk.submits++;

	if (edu) {
		fake_edu_run(&job, (const uint8_t *)(uintptr_t)args->cmds,
			     args->cmds_size);
		run = FAKE_RUN_DONE;
	} else {
		run = fake_stream_run(&job,
				      (const uint8_t *)(uintptr_t)args->cmds,
				      args->cmds_size, &delay_us);
	}
	ctx->submitted++;
	ctx->busy_ns += delay_us * 1000;
	/* One hung job at a time: a later HANG job of the context just ran. */
	if (run == FAKE_RUN_HANG && !ctx->hung_seqno)
		ctx->hung_seqno = ctx->submitted;
	if (fk.auto_complete && !ctx->hung_seqno)
		fake_ctx_complete(c, ctx, ctx->submitted,
				  run == FAKE_RUN_FAULT ? -EIO : 0);

	if (out_fd >= 0)
		args->out_fence_fd = out_fd;
	args->seqno = ctx->submitted;
	return 0;
}

static int64_t fake_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int fake_wait(struct fake_client *c, const struct gpufe_wait *args)
{
	struct fake_ctx *ctx;

	if (args->flags)
		return -EINVAL;
	ctx = fake_client_ctx(c, args->ctx_id);
	if (!ctx)
		return -ENOENT;
	if (!args->seqno || args->seqno > ctx->submitted)
		return -EINVAL;
	if (ctx->completed >= args->seqno)
		return 0;
	if (args->timeout_ns <= fake_now_ns())
		return -ETIME;
	if (fk.complete_on_wait) {
		fake_ctx_complete(c, ctx, args->seqno, 0);
		return 0;
	}
	return -ETIME;	/* as if the deadline passed: nothing sleeps here */
}

/* --- partitions (1.3) ------------------------------------------------ */

/* Make @p's register page: a memfd holding its emulated register. */
static int fake_reg_page_make(struct fake_partition *p,
			      const struct fake_device *dev)
{
	struct gpufe_config_reg reg;
	char path[64];
	void *page;
	int fd, rofd;

	fd = memfd_create("fake-gpufe-config-reg", MFD_CLOEXEC);
	if (fd < 0)
		return -ENOMEM;
	if (ftruncate(fd, (off_t)fake_sys_page()))
		goto err_close;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rofd = __real_open(path, O_RDONLY | O_CLOEXEC);
	if (rofd < 0)
		goto err_close;
	page = __real_mmap(NULL, fake_sys_page(), PROT_READ | PROT_WRITE,
			   MAP_SHARED, fd, 0);
	if (page == MAP_FAILED) {
		__real_close(rofd);
		goto err_close;
	}
	p->reg_fd = fd;
	p->reg_rofd = rofd;
	p->reg_page = page;
	fake_reg_fill(&reg, p, dev);
	memcpy(page, &reg, sizeof(reg));
	return 0;

err_close:
	__real_close(fd);
	return -ENOMEM;
}

/* The lowest free id, as the kernel hands them out, and its slot. */
static struct fake_partition *fake_partition_slot(void)
{
	struct fake_partition *p = NULL;
	unsigned int i;
	uint32_t id;

	for (id = 1; id <= fk.max_partitions; id++)
		if (!fake_partition(id))
			break;
	if (id > fk.max_partitions)
		return NULL;
	for (i = 0; i < FAKE_MAX_PARTITIONS && !p; i++)
		if (!fk.partitions[i].id)
			p = &fk.partitions[i];
	if (p) {
		memset(p, 0, sizeof(*p));
		p->id = id;
	}
	return p;
}

static int fake_partition_create(struct fake_client *c,
				 struct gpufe_partition_create *args)
{
	const uint32_t node = args->node_uid | args->node_gid | args->node_mode;
	const struct fake_device *dev;
	struct fake_partition *p;
	int fd, ret;

	if (args->flags & ~GPUFE_PARTITION_PERSISTENT)
		return -EINVAL;
	/* 1.3's pad, MBZ; 1.4's engine timeout, at most the maximum. */
	if (!fake_has_sched() && args->engine_timeout_ms)
		return -EINVAL;
	if (args->engine_timeout_ms > GPUFE_ENGINE_TIMEOUT_MAX_MS)
		return -EINVAL;
	if (fk.not_admin || c->part)
		return -EPERM;
	if (!(args->flags & GPUFE_PARTITION_PERSISTENT) && node)
		return -EINVAL;
	if (args->node_mode & ~0777u)
		return -EINVAL;
	if (!args->weight || args->weight > GPUFE_PARTITION_MAX_WEIGHT)
		return -EINVAL;
	dev = fake_find(args->device_id);
	if (!dev)
		return -ENODEV;
	if (!args->engine_mask ||
	    (args->engine_mask & ~fake_low_bits(dev->num_engines)))
		return -EINVAL;

	p = fake_partition_slot();
	if (!p)
		return -ENOSPC;
	p->device_id = args->device_id;
	p->flags = args->flags;
	p->engine_mask = args->engine_mask;
	p->mem_quota = args->mem_quota;
	p->weight = args->weight;
	p->max_clients = args->max_clients;
	p->node_uid = args->node_uid;
	p->node_gid = args->node_gid;
	p->node_mode = args->node_mode;
	p->engine_timeout_ms = args->engine_timeout_ms;
	ret = fake_reg_page_make(p, dev);
	if (ret) {
		fake_partition_free(p);
		return ret;
	}
	fd = fake_client_new(O_RDWR | O_CLOEXEC, p);
	if (fd < 0) {
		fake_partition_free(p);
		return fd;
	}

	args->partition_id = p->id;
	args->fd = fd;
	fk.last_partition_create = *args;
	fk.partition_creates++;
	return 0;
}

static int fake_partition_open(struct fake_client *c,
			       struct gpufe_partition_open *args)
{
	struct fake_partition *p;
	int fd;

	if (args->flags || args->pad)
		return -EINVAL;
	if (c->part) {
		if (args->partition_id && args->partition_id != c->part->id)
			return -EPERM;
		p = c->part;
	} else {
		if (!args->partition_id)
			return -EINVAL;
		if (fk.not_admin)
			return -EPERM;
		p = fake_partition(args->partition_id);
		if (!p || p->ended)
			return -ENOENT;
	}
	if (p->max_clients && fake_partition_clients(p) >= p->max_clients)
		return -EUSERS;

	fd = fake_client_new(O_RDWR | O_CLOEXEC, p);
	if (fd < 0)
		return fd;
	args->fd = fd;
	fk.partition_opens++;
	return 0;
}

static int fake_partition_revoke(struct fake_client *c,
				 const struct gpufe_partition_revoke *args)
{
	struct fake_partition *p;

	if (args->flags)
		return -EINVAL;
	if (fk.not_admin || c->part)
		return -EPERM;
	p = fake_partition(args->partition_id);
	if (!p || p->ended)
		return -ENOENT;
	fake_partition_end(p);
	return 0;
}

int fake_partition_add(uint32_t device_id, uint64_t engine_mask,
		       uint32_t flags)
{
	struct gpufe_partition_create args = {
		.device_id = device_id,
		.flags = flags,
		.engine_mask = engine_mask,
		.weight = 100,
	};
	struct fake_client admin = { .in_use = 0 };
	int not_admin = fk.not_admin;
	int ret;

	fk.not_admin = 0;
	ret = fake_partition_create(&admin, &args);
	fk.not_admin = not_admin;
	return ret ? ret : args.fd;
}

static int fake_datapath_ioctl(struct fake_client *c, unsigned long req,
			       void *arg)
{
	switch (req) {
	case GPUFE_IOCTL_PARTITION_CREATE:
		return fake_has_partitions() ?
		       fake_partition_create(c, arg) : -ENOTTY;
	case GPUFE_IOCTL_PARTITION_OPEN:
		return fake_has_partitions() ?
		       fake_partition_open(c, arg) : -ENOTTY;
	case GPUFE_IOCTL_PARTITION_REVOKE:
		return fake_has_partitions() ?
		       fake_partition_revoke(c, arg) : -ENOTTY;
	case GPUFE_IOCTL_BO_CREATE:
		return fake_bo_create(c, arg);
	case GPUFE_IOCTL_BO_DESTROY:
		return fake_bo_destroy(c, arg);
	case GPUFE_IOCTL_BO_EXPORT:
		return fake_bo_export(c, arg);
	case GPUFE_IOCTL_BO_IMPORT:
		return fake_bo_import(c, arg);
	case GPUFE_IOCTL_CTX_CREATE:
		return fake_ctx_create(c, arg);
	case GPUFE_IOCTL_CTX_DESTROY:
		return fake_ctx_destroy(c, arg);
	case GPUFE_IOCTL_CTX_STATUS:
		return fake_ctx_status(c, arg);
	case GPUFE_IOCTL_SUBMIT:
		return fake_submit(c, arg);
	case GPUFE_IOCTL_WAIT:
		return fake_wait(c, arg);
	default:
		return -ENOTTY;
	}
}

/* Is @req the ioctl @known, of whatever size? */
static int fake_same_ioctl(unsigned long req, unsigned long known)
{
	return _IOC_TYPE(req) == _IOC_TYPE(known) &&
	       _IOC_NR(req) == _IOC_NR(known) &&
	       _IOC_DIR(req) == _IOC_DIR(known);
}

static int fake_ctx_create_any(struct fake_client *c, void *args)
{
	return fake_ctx_create(c, args);
}

static int fake_ctx_status_any(struct fake_client *c, void *args)
{
	return fake_ctx_status(c, args);
}

/*
 * A structure that grew (CTX_CREATE in 1.2, CTX_STATUS in 1.4), of whatever
 * size the caller's ioctl number says, against the kernel's own size
 * @ksize, as the real dispatcher takes it: shorter than the first version
 * (@v1_size) fails with -EINVAL; a tail the kernel does not know must be
 * zero (-E2BIG); what is missing reads as zero; the result is written back
 * up to the smaller of the two sizes, and a longer caller's tail is
 * cleared.
 */
static int fake_sized(struct fake_client *c, unsigned long req, void *arg,
		      size_t v1_size, size_t ksize,
		      int (*handler)(struct fake_client *c, void *args))
{
	const size_t usize = _IOC_SIZE(req);
	const size_t n = usize < ksize ? usize : ksize;
	uint64_t args[8] = { 0 };
	size_t i;
	int ret;

	if (ksize > sizeof(args))
		return -ENOTTY;
	if (usize < v1_size)
		return -EINVAL;
	for (i = ksize; i < usize; i++)
		if (((const uint8_t *)arg)[i])
			return -E2BIG;
	memcpy(args, arg, n);
	ret = handler(c, args);
	if (ret)
		return ret;
	memcpy(arg, args, n);
	if (usize > ksize)
		memset((uint8_t *)arg + ksize, 0, usize - ksize);
	return 0;
}

/*
 * An ioctl fails as a whole: the handlers write their results into a copy
 * of the argument, published only on success.
 */
static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	struct fake_client *c = fake_client(fd);
	uint64_t copy[8];
	size_t size = _IOC_SIZE(req);
	int ret;

	/* A client of a partition that ended can do nothing more. */
	if (c->part && c->part->ended)
		return -ENODEV;
	if (req == GPUFE_IOCTL_VERSION) {
		memcpy(arg, &fk.version, sizeof(fk.version));
		return 0;
	}
	if (req == GPUFE_IOCTL_QUERY)
		return fake_query(c, arg);
	/* A 1.0 kernel does not know the data path's numbers. */
	if (!(fk.version.features & GPUFE_FEATURE_DATAPATH))
		return -ENOTTY;
	if (fake_same_ioctl(req, GPUFE_IOCTL_CTX_CREATE))
		return fake_sized(c, req, arg, FAKE_CTX_CREATE_V1_SIZE,
				  fake_has_completion_page() ?
				  sizeof(struct gpufe_ctx_create) :
				  FAKE_CTX_CREATE_V1_SIZE,
				  fake_ctx_create_any);
	if (fake_same_ioctl(req, GPUFE_IOCTL_CTX_STATUS))
		return fake_sized(c, req, arg, FAKE_CTX_STATUS_V1_SIZE,
				  fake_has_sched() ?
				  sizeof(struct gpufe_ctx_status) :
				  FAKE_CTX_STATUS_V1_SIZE,
				  fake_ctx_status_any);
	if (size > sizeof(copy))
		return -ENOTTY;

	memcpy(copy, arg, size);
	ret = fake_datapath_ioctl(c, req, copy);
	if (!ret && (_IOC_DIR(req) & _IOC_READ))
		memcpy(arg, copy, size);
	return ret;
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);

	if (!fake_fd_is_open(fd))
		return __real_ioctl(fd, req, arg);

	fk.ioctl_calls++;
	/* Recorded before any injected failure: every attempt counts. */
	if (req == GPUFE_IOCTL_WAIT && fk.num_waits < FAKE_MAX_LOG)
		fk.wait_deadlines[fk.num_waits++] =
			((const struct gpufe_wait *)arg)->timeout_ns;
	if (fk.inject_pos < fk.inject_len) {
		int err = fk.inject[fk.inject_pos++];

		if (err) {
			errno = err;
			return -1;
		}
	}

	ret = fake_ioctl(fd, req, arg);
	if (ret < 0) {
		if (ret == -EINVAL)
			fk.einval++;
		errno = -ret;
		return -1;
	}
	return ret;
}

static void fake_record_open(const char *path, int flags)
{
	size_t len = strlen(path);

	if (len >= sizeof(fk.last_open_path))
		len = sizeof(fk.last_open_path) - 1;
	memcpy(fk.last_open_path, path, len);
	fk.last_open_path[len] = '\0';
	fk.last_open_flags = flags;
}

static int fake_open(const char *path, int flags)
{
	int fd = fake_client_new(flags, NULL);

	(void)path;
	if (fd < 0) {
		errno = -fd;
		return -1;
	}
	return fd;
}

/* The mode argument of open(), present only when a file may be created. */
#define FAKE_OPEN_MODE(flags, mode)					\
	do {								\
		if ((flags) & (O_CREAT | O_TMPFILE)) {			\
			va_list ap;					\
									\
			va_start(ap, flags);				\
			(mode) = va_arg(ap, mode_t);			\
			va_end(ap);					\
		}							\
	} while (0)

/* Our node goes to the fake, anything else to @real_open. */
static int fake_open_or(const char *path, int flags, mode_t mode,
			int (*real_open)(const char *, int, ...))
{
	fake_record_open(path, flags);
	if (!strcmp(path, FAKE_PATH))
		return fake_open(path, flags);
	return real_open(path, flags, mode);
}

int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	FAKE_OPEN_MODE(flags, mode);
	return fake_open_or(path, flags, mode, __real_open);
}

int __wrap_open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	FAKE_OPEN_MODE(flags, mode);
	return fake_open_or(path, flags, mode, __real_open64);
}

int __wrap_close(int fd)
{
	struct fake_client *c = fake_client(fd);
	unsigned int i;

	for (i = 0; i < fk.num_fds; i++) {
		if (fk.fds[i] == fd) {
			fk.num_fds--;
			fk.fds[i] = fk.fds[fk.num_fds];
			fk.fd_clients[i] = fk.fd_clients[fk.num_fds];
			break;
		}
	}
	/* The client goes with its last descriptor, as an open file does. */
	if (c && !--c->nfds)
		fake_client_release(c);
	return __real_close(fd);
}

/*
 * Duplicates of a fake descriptor share its client; every other fcntl()
 * goes through, but for the failures a test asks for.
 */
int __wrap_fcntl(int fd, int cmd, ...)
{
	struct fake_client *c = fake_client(fd);
	va_list ap;
	void *arg;
	int ret;

	/* As libc's own fcntl() takes it: one word, whatever the command. */
	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);

	if (!c)
		return __real_fcntl(fd, cmd, arg);
	if (fk.fcntl_error && fk.fcntl_cmd == cmd) {
		errno = fk.fcntl_error;
		fk.fcntl_error = 0;
		return -1;
	}
	if (cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC)
		return __real_fcntl(fd, cmd, arg);
	if (fk.num_fds == FAKE_MAX_FDS) {
		errno = EMFILE;
		return -1;
	}
	ret = __real_fcntl(fd, cmd, arg);
	if (ret >= 0) {
		fk.fds[fk.num_fds] = ret;
		fk.fd_clients[fk.num_fds] = c;
		fk.num_fds++;
		c->nfds++;
	}
	return ret;
}

static void fake_record_map(void *addr, size_t len)
{
	if (fk.num_maps < FAKE_MAX_LOG) {
		fk.maps[fk.num_maps].addr = addr;
		fk.maps[fk.num_maps].len = len;
		fk.num_maps++;
	}
}

/* The completion page, as the uAPI's "DOC: gpufe completion page" says. */
static int fake_page_mmap(struct fake_client *c, void **addr, size_t len,
			  int prot, int flags, off_t off)
{
	int ret;

	if (!fake_has_completion_page())
		return -EINVAL;		/* no buffer there, nothing else */
	if ((flags & (MAP_SHARED | MAP_PRIVATE)) == MAP_PRIVATE)
		return -EINVAL;
	if (off < 0 || off % FAKE_PAGE_SIZE || !len ||
	    len > GPUFE_COMPLETION_MAX_SIZE ||
	    (uint64_t)off > GPUFE_COMPLETION_MAX_SIZE - len)
		return -EINVAL;
	if (prot & PROT_WRITE)
		return -EACCES;
	if (fk.completion_mmap_error) {
		ret = -fk.completion_mmap_error;
		fk.completion_mmap_error = 0;
		return ret;
	}
	ret = fake_page_get(c);
	if (ret)
		return ret;
	*addr = __real_mmap(*addr, len, prot, flags, c->page_rofd, off);
	if (*addr == MAP_FAILED)
		return -errno;
	fake_record_map(*addr, len);
	fk.page_mmaps++;
	return 0;
}

/* The register page of a partition's client, as the uAPI describes it. */
static int fake_reg_mmap(struct fake_client *c, void **addr, size_t len,
			 int prot, int flags)
{
	if (!c->part)
		return -ENODEV;		/* only a partition's clients have one */
	if ((flags & (MAP_SHARED | MAP_PRIVATE)) == MAP_PRIVATE)
		return -EINVAL;
	if (!len || len > fake_sys_page())
		return -EINVAL;
	if (prot & PROT_WRITE)
		return -EACCES;
	*addr = __real_mmap(*addr, len, prot, flags, c->part->reg_rofd, 0);
	if (*addr == MAP_FAILED)
		return -errno;
	fake_record_map(*addr, len);
	return 0;
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	struct fake_client *c = fake_client(fd);
	const struct fake_bo *bo;
	uint64_t handle;
	int ret;

	if (!c)
		return __real_mmap(addr, len, prot, flags, fd, off);
	if (c->part && c->part->ended) {
		errno = ENODEV;
		return MAP_FAILED;
	}
	if (off == GPUFE_CONFIG_REG_MMAP_OFFSET && fake_has_partitions()) {
		ret = fake_reg_mmap(c, &addr, len, prot, flags);
		if (ret) {
			errno = -ret;
			return MAP_FAILED;
		}
		return addr;
	}

	if ((uint64_t)off < FAKE_BO_MMAP_BASE) {
		ret = fake_page_mmap(c, &addr, len, prot, flags, off);
		if (fk.num_page_maps < FAKE_MAX_LOG) {
			fk.page_maps[fk.num_page_maps].len = len;
			fk.page_maps[fk.num_page_maps].prot = prot;
			fk.page_maps[fk.num_page_maps].flags = flags;
			fk.page_maps[fk.num_page_maps].off = off;
			fk.page_maps[fk.num_page_maps].ret = -ret;
			fk.num_page_maps++;
		}
		if (ret) {
			errno = -ret;
			return MAP_FAILED;
		}
		return addr;
	}

	/* The offset names the buffer, as BASE + handle << PAGE_SHIFT. */
	handle = ((uint64_t)off - FAKE_BO_MMAP_BASE) / FAKE_PAGE_SIZE;
	bo = off % FAKE_PAGE_SIZE || handle > UINT32_MAX ? NULL :
	     fake_client_bo(c, (uint32_t)handle);
	if (!bo || !len || len > bo->size) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	addr = __real_mmap(addr, len, prot, flags, bo->memfd, 0);
	if (addr != MAP_FAILED) {
		fk.mmaps++;
		fake_record_map(addr, len);
	}
	return addr;
}

int __wrap_munmap(void *addr, size_t len)
{
	unsigned int i;

	for (i = 0; i < fk.num_maps; i++) {
		if (fk.maps[i].addr == addr && fk.maps[i].len == len) {
			fk.maps[i] = fk.maps[--fk.num_maps];
			fk.munmaps++;
			break;
		}
	}
	return __real_munmap(addr, len);
}

ssize_t __wrap_read(int fd, void *buf, size_t count)
{
	struct fake_client *c = fake_client(fd);
	size_t done = 0;

	if (!c)
		return __real_read(fd, buf, count);

	fk.read_calls++;
	fk.last_read_count = count;
	if (count < sizeof(struct gpufe_event)) {
		errno = EINVAL;
		return -1;
	}
	if (fk.unknown_event && c->num_events &&
	    count >= 16 + sizeof(struct gpufe_event)) {
		const __u32 unknown[4] = { 0x7fffffff, 16, 0, 0 };

		fk.unknown_event = 0;
		memcpy(buf, unknown, sizeof(unknown));
		done = sizeof(unknown);
	}
	if (!c->num_events) {
		/* A blocking read would sleep; this fake never does. */
		if (!(__real_fcntl(fd, F_GETFL) & O_NONBLOCK))
			fk.blocking_reads++;
		errno = EAGAIN;
		return -1;
	}
	while (c->num_events && count - done >= sizeof(struct gpufe_event)) {
		struct fake_ctx *ctx = fake_client_ctx(c, c->events[0]);
		struct gpufe_event ev = {
			.type = GPUFE_EVENT_COMPLETION,
			.length = sizeof(ev),
			.ctx_id = ctx->id,
			.seqno = ctx->completed,
			.error = ctx->error,
		};

		ctx->event_pending = 0;
		fake_event_drop(c, ctx->id);
		memcpy((char *)buf + done, &ev, sizeof(ev));
		done += sizeof(ev);
	}
	/* A broken kernel: part of an event goes missing. */
	if (fk.read_truncate && fk.read_truncate <= done) {
		done -= fk.read_truncate;
		fk.read_truncate = 0;
	}
	return (ssize_t)done;
}

int __wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	struct fake_client *c = nfds == 1 ? fake_client(fds[0].fd) : NULL;

	if (!c)
		return __real_poll(fds, nfds, timeout);

	if (fk.poll_calls < FAKE_MAX_LOG)
		fk.poll_timeouts[fk.poll_calls] = timeout;
	fk.poll_calls++;
	if (fk.poll_eintr) {
		fk.poll_eintr--;
		errno = EINTR;
		return -1;
	}
	if (!c->num_events && timeout && fk.on_poll)
		fk.on_poll(c->fd);
	fds[0].revents = c->num_events ? fds[0].events & (POLLIN | POLLRDNORM) : 0;
	if (fds[0].revents && fk.after_poll)
		fk.after_poll(c->fd);
	return !!fds[0].revents;
}
