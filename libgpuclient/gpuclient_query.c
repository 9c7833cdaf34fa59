// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: device and engine discovery
 *
 * GPUFE_IOCTL_QUERY is a two-step protocol: a call with size 0 asks how
 * many bytes the result needs, a second call with a buffer that large
 * fetches it. A device can appear between the two calls, in which case the
 * fetch fails with -ENOSPC and the whole exchange starts over, at most
 * GPUCLIENT_QUERY_ATTEMPTS times; then the caller gets -EAGAIN. A device
 * can also disappear between the calls; the fetch then simply returns
 * fewer entries.
 *
 * The kernel's answer is checked for consistency (its size must be exactly
 * a header and its entry count times its entry size, an entry size no
 * smaller than the one this library knows; a later kernel's larger entries
 * are read up to what the library knows) and copied into library-owned structures, with every
 * name NUL-terminated whatever the kernel wrote.
 */

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "gpuclient_priv.h"

_Static_assert(sizeof(struct gpufe_query) == 24, "struct gpufe_query layout");
_Static_assert(sizeof(struct gpufe_query_devices) == 8,
	       "struct gpufe_query_devices layout");
_Static_assert(sizeof(struct gpufe_device_info) == 80,
	       "struct gpufe_device_info layout");
_Static_assert(sizeof(struct gpufe_query_engines) == 16,
	       "struct gpufe_query_engines layout");
_Static_assert(sizeof(struct gpufe_engine_info) == 24,
	       "struct gpufe_engine_info layout");

/* The library's engine classes are the uAPI's, passed through unchanged. */
_Static_assert((int)GPUCLIENT_ENGINE_CLASS_COMPUTE ==
	       (int)GPUFE_ENGINE_CLASS_COMPUTE, "engine class compute");
_Static_assert((int)GPUCLIENT_ENGINE_CLASS_COPY == (int)GPUFE_ENGINE_CLASS_COPY,
	       "engine class copy");
_Static_assert((int)GPUCLIENT_ENGINE_CLASS_VIDEO ==
	       (int)GPUFE_ENGINE_CLASS_VIDEO, "engine class video");

/**
 * gpuclient_query() - run one GPUFE_IOCTL_QUERY to completion
 * @h: the device
 * @query: a GPUFE_QUERY_* value
 * @device_id: the query's device, or 0
 * @min_size: the fewest bytes a well-formed result has
 * @out: set to a malloc()ed buffer holding the result
 * @out_size: set to the bytes of result at *@out, at least @min_size
 *
 * Return: 0 on success; -EOPNOTSUPP without GPUFE_FEATURE_DISCOVERY;
 * -EAGAIN if the result kept growing; -EPROTO for a result shorter than
 * @min_size or longer than the buffer; -ENOMEM; or the ioctl's errno.
 */
int gpuclient_query(gpuclient_handle h, uint32_t query, uint32_t device_id,
		    size_t min_size, void **out, uint32_t *out_size)
{
	unsigned int attempt;

	if (!(h->kversion.features & GPUFE_FEATURE_DISCOVERY))
		return -EOPNOTSUPP;

	for (attempt = 0; attempt < GPUCLIENT_QUERY_ATTEMPTS; attempt++) {
		struct gpufe_query q = {
			.query = query,
			.device_id = device_id,
		};
		uint32_t need;
		void *buf;
		int ret;

		ret = gpuclient_ioctl(h->fd, GPUFE_IOCTL_QUERY, &q);
		if (ret)
			return ret;
		if (q.size < min_size)
			return -EPROTO;
		need = q.size;

		buf = calloc(1, need);
		if (!buf)
			return -ENOMEM;

		q.data = (uintptr_t)buf;
		ret = gpuclient_ioctl(h->fd, GPUFE_IOCTL_QUERY, &q);
		if (ret == -ENOSPC) {
			/* The result grew since the probe: ask again. */
			free(buf);
			continue;
		}
		if (!ret && (q.size < min_size || q.size > need))
			ret = -EPROTO;
		if (ret) {
			free(buf);
			return ret;
		}

		*out = buf;
		*out_size = q.size;
		return 0;
	}

	return -EAGAIN;
}

/* Copy a fixed-size, possibly unterminated name; always NUL-terminates. */
static void gpuclient_copy_name(char *dst, size_t dst_size,
				const char *src, size_t src_size)
{
	size_t len = strnlen(src, src_size);

	if (len > dst_size - 1)
		len = dst_size - 1;
	memcpy(dst, src, len);
	memset(dst + len, 0, dst_size - len);
}

/**
 * gpuclient_check_size() - check the size of a query's list result
 * @size: the bytes of the result
 * @hdr: the bytes of its header
 * @n: its entry count
 * @entry_size: the bytes from one entry to the next
 * @known: the size of an entry as this library knows it
 *
 * Return: non-zero if the result is exactly the header plus @n entries of
 * @entry_size bytes, each at least @known bytes.
 */
int gpuclient_check_size(uint32_t size, size_t hdr, uint32_t n,
			 uint32_t entry_size, size_t known)
{
	return entry_size >= known &&
	       (uint64_t)size == (uint64_t)hdr + (uint64_t)n * entry_size;
}

gpuclient_public int
gpuclient_query_devices(gpuclient_handle h,
			struct gpuclient_device_info **list, uint32_t *count)
{
	const struct gpufe_query_devices *res;
	struct gpuclient_device_info *devs = NULL;
	uint32_t size, n, i;
	void *buf;
	int ret;

	if (!h || !list || !count)
		return -EINVAL;

	ret = gpuclient_query(h, GPUFE_QUERY_DEVICES, 0, sizeof(*res),
			      &buf, &size);
	if (ret)
		return ret;

	res = buf;
	n = res->num_devices;
	if (!gpuclient_check_size(size, sizeof(*res), n, res->entry_size,
				  sizeof(res->devices[0]))) {
		ret = -EPROTO;
		goto out_free;
	}

	if (n) {
		devs = calloc(n, sizeof(*devs));
		if (!devs) {
			ret = -ENOMEM;
			goto out_free;
		}
	}

	for (i = 0; i < n; i++) {
		const struct gpufe_device_info *k = (const void *)
			((const char *)res->devices + (size_t)i * res->entry_size);

		devs[i].device_id = k->device_id;
		devs[i].num_engines = k->num_engines;
		devs[i].mem_size = k->mem_size;
		gpuclient_copy_name(devs[i].name, sizeof(devs[i].name),
				    k->name, sizeof(k->name));
		gpuclient_copy_name(devs[i].backend, sizeof(devs[i].backend),
				    k->backend, sizeof(k->backend));
	}

	*list = devs;
	*count = n;
out_free:
	free(buf);
	return ret;
}

gpuclient_public void gpuclient_free_devices(struct gpuclient_device_info *list)
{
	free(list);
}

gpuclient_public int
gpuclient_query_engines(gpuclient_handle h, uint32_t device_id,
			struct gpuclient_engine_info **list, uint32_t *count)
{
	const struct gpufe_query_engines *res;
	struct gpuclient_engine_info *engines = NULL;
	uint32_t size, n, i;
	void *buf;
	int ret;

	if (!h || !list || !count)
		return -EINVAL;

	ret = gpuclient_query(h, GPUFE_QUERY_ENGINES, device_id, sizeof(*res),
			      &buf, &size);
	if (ret)
		return ret;

	res = buf;
	n = res->num_engines;
	if (res->device_id != device_id ||
	    !gpuclient_check_size(size, sizeof(*res), n, res->entry_size,
				  sizeof(res->engines[0]))) {
		ret = -EPROTO;
		goto out_free;
	}

	if (n) {
		engines = calloc(n, sizeof(*engines));
		if (!engines) {
			ret = -ENOMEM;
			goto out_free;
		}
	}

	for (i = 0; i < n; i++) {
		const struct gpufe_engine_info *k = (const void *)
			((const char *)res->engines + (size_t)i * res->entry_size);

		engines[i].engine_class = k->engine_class;
		engines[i].engine_instance = k->engine_instance;
		gpuclient_copy_name(engines[i].name, sizeof(engines[i].name),
				    k->name, sizeof(k->name));
	}

	*list = engines;
	*count = n;
out_free:
	free(buf);
	return ret;
}

gpuclient_public void gpuclient_free_engines(struct gpuclient_engine_info *list)
{
	free(list);
}

gpuclient_public const char *gpuclient_engine_class_name(uint32_t engine_class)
{
	switch (engine_class) {
	case GPUCLIENT_ENGINE_CLASS_COMPUTE:
		return "compute";
	case GPUCLIENT_ENGINE_CLASS_COPY:
		return "copy";
	case GPUCLIENT_ENGINE_CLASS_VIDEO:
		return "video";
	default:
		return "unknown";
	}
}
