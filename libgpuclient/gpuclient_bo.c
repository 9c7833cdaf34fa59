// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: buffer objects
 *
 * A &struct gpuclient_bo wraps one kernel buffer handle of one device
 * descriptor. The kernel gives a buffer a single handle per descriptor: a
 * dma-buf imported twice, or a buffer exported and imported back on the
 * same descriptor, yields the handle it already has, and one BO_DESTROY
 * drops it for every user. The library therefore keeps one object per
 * handle (&gpuclient_device.bos) with a reference count: an import that
 * finds its handle takes a reference, gpuclient_bo_destroy() drops one,
 * and only the last unmaps the buffer and destroys the kernel handle.
 *
 * The CPU mapping is made on first use and kept until the buffer is
 * destroyed.
 */

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "gpuclient_priv.h"

_Static_assert(sizeof(struct gpufe_bo_create) == 24,
	       "struct gpufe_bo_create layout");
_Static_assert(sizeof(struct gpufe_bo_destroy) == 8,
	       "struct gpufe_bo_destroy layout");
_Static_assert(sizeof(struct gpufe_bo_export) == 16,
	       "struct gpufe_bo_export layout");
_Static_assert(sizeof(struct gpufe_bo_import) == 32,
	       "struct gpufe_bo_import layout");

/* Under dev->bo_lock. */
static struct gpuclient_bo *gpuclient_bo_find_locked(struct gpuclient_device *dev,
						     uint32_t handle)
{
	struct gpuclient_bo *bo;

	for (bo = dev->bos; bo; bo = bo->next)
		if (bo->handle == handle)
			return bo;
	return NULL;
}

/* Under dev->bo_lock. */
static void gpuclient_bo_unlink_locked(struct gpuclient_bo *bo)
{
	struct gpuclient_bo **link = &bo->dev->bos;

	while (*link != bo)
		link = &(*link)->next;
	*link = bo->next;
}

/*
 * Fill in and list a new object for a handle the kernel just gave out;
 * under dev->bo_lock. Takes a device reference for it.
 */
static void gpuclient_bo_add_locked(struct gpuclient_device *dev,
				    struct gpuclient_bo *bo, uint32_t handle,
				    uint64_t size, uint64_t mmap_offset)
{
	gpuclient_device_get(dev);
	bo->dev = dev;
	bo->refcount = 1;
	bo->handle = handle;
	bo->size = size;
	bo->mmap_offset = mmap_offset;
	bo->map = NULL;
	bo->next = dev->bos;
	dev->bos = bo;
}

gpuclient_public int gpuclient_bo_create(gpuclient_handle h, uint64_t size,
					 gpuclient_bo_handle *out)
{
	struct gpufe_bo_create args = { .size = size };
	struct gpuclient_bo *bo;
	int ret;

	if (!h || !out || !size)
		return -EINVAL;
	if (!gpuclient_has_datapath(h))
		return -EOPNOTSUPP;

	/* Allocated first: nothing can fail once the kernel has a handle. */
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return -ENOMEM;

	ret = gpuclient_ioctl(h->fd, GPUFE_IOCTL_BO_CREATE, &args);
	if (ret) {
		free(bo);
		return ret;
	}

	pthread_mutex_lock(&h->bo_lock);
	gpuclient_bo_add_locked(h, bo, args.handle, args.size,
				args.mmap_offset);
	pthread_mutex_unlock(&h->bo_lock);

	*out = bo;
	return 0;
}

gpuclient_public int gpuclient_bo_destroy(gpuclient_bo_handle bo)
{
	struct gpuclient_device *dev;
	struct gpufe_bo_destroy args = { 0 };
	int ret;

	if (!bo)
		return 0;
	dev = bo->dev;

	pthread_mutex_lock(&dev->bo_lock);
	if (--bo->refcount) {
		pthread_mutex_unlock(&dev->bo_lock);
		return 0;
	}
	if (bo->map)
		munmap(bo->map, bo->size);
	args.handle = bo->handle;
	/* Still locked: an import must not find the handle half gone. */
	ret = gpuclient_ioctl(dev->fd, GPUFE_IOCTL_BO_DESTROY, &args);
	gpuclient_bo_unlink_locked(bo);
	pthread_mutex_unlock(&dev->bo_lock);

	free(bo);
	gpuclient_device_put(dev);
	return ret;
}

gpuclient_public int gpuclient_bo_map(gpuclient_bo_handle bo, void **ptr)
{
	struct gpuclient_device *dev;
	int ret = 0;
	void *map;

	if (!bo || !ptr)
		return -EINVAL;
	dev = bo->dev;

	pthread_mutex_lock(&dev->bo_lock);
	map = bo->map;
	if (!map) {
		map = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   dev->fd, (off_t)bo->mmap_offset);
		if (map == MAP_FAILED)
			ret = -errno;
		else
			bo->map = map;
	}
	pthread_mutex_unlock(&dev->bo_lock);

	if (!ret)
		*ptr = map;
	return ret;
}

gpuclient_public uint32_t gpuclient_bo_get_handle(gpuclient_bo_handle bo)
{
	return bo ? bo->handle : 0;
}

gpuclient_public uint64_t gpuclient_bo_get_size(gpuclient_bo_handle bo)
{
	return bo ? bo->size : 0;
}

gpuclient_public int gpuclient_bo_export(gpuclient_bo_handle bo, int *fd)
{
	struct gpufe_bo_export args = {
		.flags = GPUFE_BO_EXPORT_CLOEXEC | GPUFE_BO_EXPORT_RDWR,
	};
	int ret;

	if (!bo || !fd)
		return -EINVAL;

	args.handle = bo->handle;
	ret = gpuclient_ioctl(bo->dev->fd, GPUFE_IOCTL_BO_EXPORT, &args);
	if (ret)
		return ret;

	*fd = args.fd;
	return 0;
}

gpuclient_public int gpuclient_bo_import(gpuclient_handle h, int fd,
					 gpuclient_bo_handle *out)
{
	struct gpufe_bo_import args = { .fd = fd };
	struct gpuclient_bo *bo, *found;
	int ret;

	if (!h || !out)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	if (!gpuclient_has_datapath(h))
		return -EOPNOTSUPP;

	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return -ENOMEM;

	pthread_mutex_lock(&h->bo_lock);
	ret = gpuclient_ioctl(h->fd, GPUFE_IOCTL_BO_IMPORT, &args);
	if (ret)
		goto out_unlock;

	found = gpuclient_bo_find_locked(h, args.handle);
	if (found) {
		found->refcount++;
	} else {
		gpuclient_bo_add_locked(h, bo, args.handle, args.size,
					args.mmap_offset);
		found = bo;
		bo = NULL;
	}
	*out = found;

out_unlock:
	pthread_mutex_unlock(&h->bo_lock);
	free(bo);
	return ret;
}

