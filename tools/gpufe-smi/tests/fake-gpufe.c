// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/*
 * An LD_PRELOAD fake of /dev/gpufe, enough for gpufe-smi's host smoke
 * test: opening FAKE_GPUFE_PATH yields a descriptor (of /dev/null) whose
 * GPUFE_IOCTL_VERSION and GPUFE_IOCTL_QUERY are answered here, following
 * uapi/gpufe.h. libgpuclient's unit tests carry the thorough fake; this one
 * only has to show what gpufe-smi prints.
 *
 * Environment: FAKE_GPUFE_DEVICES (how many of the table's devices exist,
 * default all), FAKE_GPUFE_MAJOR (the reported major version),
 * FAKE_GPUFE_UNPLUG (a device id whose engine query fails with -ENODEV).
 */

#define _GNU_SOURCE	/* RTLD_NEXT */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <gpufe.h>

#define FAKE_GPUFE_PATH	"/nonexistent/fake-gpufe"
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

static int fake_fd = -1;

static unsigned int env_uint(const char *name, unsigned int def)
{
	const char *v = getenv(name);

	return v && *v ? (unsigned int)strtoul(v, NULL, 0) : def;
}

static unsigned int fake_num_devices(void)
{
	unsigned int n = ARRAY_SIZE(fake_devices);
	unsigned int want = env_uint("FAKE_GPUFE_DEVICES", n);

	return want < n ? want : n;
}

static void fake_name(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	memset(dst, 0, size);
	memcpy(dst, src, len < size ? len : size);
}

static int fake_query_devices(struct gpufe_query *q)
{
	unsigned int i, n = fake_num_devices();
	uint32_t need = sizeof(struct gpufe_query_devices) +
			n * sizeof(struct gpufe_device_info);
	struct gpufe_query_devices *res;

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
	res->num_devices = n;
	res->entry_size = sizeof(res->devices[0]);
	for (i = 0; i < n; i++) {
		const struct fake_device *d = &fake_devices[i];

		res->devices[i].device_id = d->id;
		res->devices[i].num_engines = d->num_engines;
		res->devices[i].mem_size = d->mem_size;
		fake_name(res->devices[i].name, GPUFE_NAME_LEN, d->name);
		fake_name(res->devices[i].backend, GPUFE_NAME_LEN, d->backend);
	}
	q->size = need;
	return 0;
}

static int fake_query_engines(struct gpufe_query *q)
{
	const struct fake_device *d = NULL;
	struct gpufe_query_engines *res;
	unsigned int i, n = fake_num_devices();
	uint32_t need;

	for (i = 0; i < n; i++)
		if (fake_devices[i].id == q->device_id)
			d = &fake_devices[i];
	if (!d || d->id == env_uint("FAKE_GPUFE_UNPLUG", 0))
		return -ENODEV;

	need = sizeof(struct gpufe_query_engines) +
	       d->num_engines * sizeof(struct gpufe_engine_info);
	if (!q->size) {
		q->size = need;
		return 0;
	}
	if (q->size < need)
		return -ENOSPC;

	res = (struct gpufe_query_engines *)(uintptr_t)q->data;
	memset(res, 0, need);
	res->device_id = d->id;
	res->num_engines = d->num_engines;
	res->entry_size = sizeof(res->engines[0]);
	for (i = 0; i < d->num_engines; i++) {
		res->engines[i].engine_class = d->engines[i].engine_class;
		res->engines[i].engine_instance = d->engines[i].engine_instance;
		fake_name(res->engines[i].name, GPUFE_ENGINE_NAME_LEN,
			  d->engines[i].name);
	}
	q->size = need;
	return 0;
}

static int fake_ioctl(unsigned long req, void *arg)
{
	if (req == GPUFE_IOCTL_VERSION) {
		/*
		 * A 1.0 kernel: discovery is all this fake implements, and
		 * the expected output must not move with the uAPI header.
		 */
		struct gpufe_version v = {
			.major = env_uint("FAKE_GPUFE_MAJOR",
					  GPUFE_VERSION_MAJOR),
			.minor = 0,
			.patch = 0,
			.features = GPUFE_FEATURE_DISCOVERY,
		};

		memcpy(arg, &v, sizeof(v));
		return 0;
	}
	if (req == GPUFE_IOCTL_QUERY) {
		struct gpufe_query *q = arg;

		if (q->flags || (!q->size && q->data))
			return -EINVAL;
		if (q->query == GPUFE_QUERY_DEVICES)
			return fake_query_devices(q);
		if (q->query == GPUFE_QUERY_ENGINES)
			return fake_query_engines(q);
		return -EINVAL;
	}
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
	fake_fd = real_open("/dev/null", flags);
	return fake_fd;
}

int ioctl(int fd, unsigned long req, ...)
{
	ioctl_fn real_ioctl = (ioctl_fn)dlsym(RTLD_NEXT, "ioctl");
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);

	if (fd < 0 || fd != fake_fd)
		return real_ioctl(fd, req, arg);
	ret = fake_ioctl(req, arg);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return 0;
}
