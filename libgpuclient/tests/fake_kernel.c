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
 */

#define _GNU_SOURCE	/* O_TMPFILE */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "fake_kernel.h"

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
	fk.version.minor = GPUFE_VERSION_MINOR;
	fk.version.patch = GPUFE_VERSION_PATCH;
	fk.version.features = GPUFE_FEATURE_DISCOVERY;
}

unsigned int fake_close_leftovers(void)
{
	unsigned int n = fk.num_fds;

	while (fk.num_fds)
		__real_close(fk.fds[--fk.num_fds]);
	return n;
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

static int fake_query_devices(struct gpufe_query *q)
{
	uint32_t es = sizeof(struct gpufe_device_info) + fk.entry_extra;
	uint32_t need = sizeof(struct gpufe_query_devices) +
			fk.num_devices * es;
	struct gpufe_query_devices *res;
	unsigned int i;

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
	res->num_devices = fk.num_devices + fk.corrupt_count;
	res->entry_size = es;
	/* Entries too small to hold the fields: leave them zero. */
	for (i = 0; fk.entry_extra >= 0 && i < fk.num_devices; i++) {
		struct gpufe_device_info *d = (void *)((char *)res->devices +
						       i * es);

		d->device_id = fk.devices[i].id;
		d->num_engines = fk.devices[i].num_engines;
		d->mem_size = fk.devices[i].mem_size;
		memcpy(d->name, fk.devices[i].name, sizeof(d->name));
		memcpy(d->backend, fk.devices[i].backend, sizeof(d->backend));
	}
	q->size = need;
	return 0;
}

static int fake_query_engines(struct gpufe_query *q)
{
	const struct fake_device *dev = fake_find(q->device_id);
	struct gpufe_query_engines *res;
	unsigned int i;
	uint32_t need, es;

	if (!dev)
		return -ENODEV;

	es = sizeof(struct gpufe_engine_info) + fk.entry_extra;
	need = sizeof(struct gpufe_query_engines) + dev->num_engines * es;
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
	res->num_engines = dev->num_engines + fk.corrupt_count;
	res->entry_size = es;
	for (i = 0; fk.entry_extra >= 0 && i < dev->num_engines; i++) {
		struct gpufe_engine_info *e = (void *)((char *)res->engines +
						       i * es);

		e->engine_class = dev->engines[i].engine_class;
		e->engine_instance = dev->engines[i].engine_instance;
		memcpy(e->name, dev->engines[i].name, sizeof(e->name));
	}
	q->size = need;
	return 0;
}

static int fake_query(struct gpufe_query *arg)
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
		ret = fake_query_devices(&q);
		break;
	case GPUFE_QUERY_ENGINES:
		ret = fake_query_engines(&q);
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

static int fake_ioctl(unsigned long req, void *arg)
{
	if (req == GPUFE_IOCTL_VERSION) {
		memcpy(arg, &fk.version, sizeof(fk.version));
		return 0;
	}
	if (req == GPUFE_IOCTL_QUERY)
		return fake_query(arg);
	return -ENOTTY;
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
	if (fk.inject_pos < fk.inject_len) {
		int err = fk.inject[fk.inject_pos++];

		if (err) {
			errno = err;
			return -1;
		}
	}

	ret = fake_ioctl(req, arg);
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
	int fd;

	if (fk.num_fds == FAKE_MAX_FDS) {
		errno = EMFILE;
		return -1;
	}
	fd = __real_open("/dev/null", flags);
	if (fd >= 0)
		fk.fds[fk.num_fds++] = fd;
	(void)path;
	return fd;
}

int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	fake_record_open(path, flags);
	if (!strcmp(path, FAKE_PATH))
		return fake_open(path, flags);
	return __real_open(path, flags, mode);
}

int __wrap_open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	fake_record_open(path, flags);
	if (!strcmp(path, FAKE_PATH))
		return fake_open(path, flags);
	return __real_open64(path, flags, mode);
}

int __wrap_close(int fd)
{
	unsigned int i;

	for (i = 0; i < fk.num_fds; i++) {
		if (fk.fds[i] == fd) {
			fk.fds[i] = fk.fds[--fk.num_fds];
			break;
		}
	}
	return __real_close(fd);
}
