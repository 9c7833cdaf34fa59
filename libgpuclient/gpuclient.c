// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: device handles
 *
 * Opening and closing a gpufe device, the interface version check, the
 * device's reference count, the deadline arithmetic of the waits, and
 * gpuclient_ioctl(), the one place the library calls ioctl(2).
 *
 * The device node is opened ``O_NONBLOCK``: gpuclient_read_events() polls
 * before it reads, and a read that another thread's read emptied must come
 * back with -EAGAIN instead of blocking. The gpufe ioctls ignore the flag.
 */

#define _GNU_SOURCE	/* secure_getenv() */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "gpuclient_priv.h"

_Static_assert(sizeof(struct gpufe_version) == 16,
	       "struct gpufe_version layout");
_Static_assert(GPUCLIENT_FEATURE_DISCOVERY == GPUFE_FEATURE_DISCOVERY,
	       "library feature bits are the uAPI's");
_Static_assert(GPUCLIENT_FEATURE_DATAPATH == GPUFE_FEATURE_DATAPATH,
	       "library feature bits are the uAPI's");
_Static_assert(GPUCLIENT_FEATURE_COMPLETION_PAGE ==
	       GPUFE_FEATURE_COMPLETION_PAGE,
	       "library feature bits are the uAPI's");

/**
 * gpuclient_ioctl() - issue an ioctl, restarting it after a signal
 * @fd: the file descriptor
 * @req: the ioctl request
 * @arg: the ioctl argument
 *
 * Retries on EINTR only, like libdrm's drmIoctl(). EAGAIN is an answer
 * (a query that cannot be served now) and goes back to the caller.
 *
 * Return: 0 on success, -errno on failure.
 */
int gpuclient_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && errno == EINTR);

	return ret == -1 ? -errno : 0;
}

/**
 * gpuclient_device_get() - take a reference on a device
 * @dev: the device
 */
void gpuclient_device_get(struct gpuclient_device *dev)
{
	atomic_fetch_add_explicit(&dev->refcount, 1, memory_order_relaxed);
}

/**
 * gpuclient_device_put() - drop a reference on a device
 * @dev: the device
 *
 * The last reference unmaps the completion page, closes the descriptor and
 * frees the device.
 */
void gpuclient_device_put(struct gpuclient_device *dev)
{
	if (atomic_fetch_sub_explicit(&dev->refcount, 1,
				      memory_order_acq_rel) != 1)
		return;
	gpuclient_completion_fini(dev);
	pthread_mutex_destroy(&dev->completion_lock);
	pthread_mutex_destroy(&dev->bo_lock);
	close(dev->fd);
	free(dev);
}

/**
 * gpuclient_has_datapath() - does the kernel offer buffers, contexts & co.?
 * @dev: the device
 *
 * Return: non-zero if the kernel reported GPUFE_FEATURE_DATAPATH.
 */
int gpuclient_has_datapath(const struct gpuclient_device *dev)
{
	return !!(dev->kversion.features & GPUFE_FEATURE_DATAPATH);
}

/**
 * gpuclient_has_completion_page() - can contexts be watched without a syscall?
 * @dev: the device
 *
 * Return: non-zero if the kernel reported GPUFE_FEATURE_COMPLETION_PAGE
 * (interface 1.2 and later). Without it &gpufe_ctx_create.slot_offset is
 * not there: an older kernel writes back only the fields it knows.
 */
int gpuclient_has_completion_page(const struct gpuclient_device *dev)
{
	return !!(dev->kversion.features & GPUFE_FEATURE_COMPLETION_PAGE);
}

/**
 * gpuclient_now_ns() - the CLOCK_MONOTONIC time, the clock of gpufe deadlines
 * @now: set to the time in nanoseconds
 *
 * Return: 0, or -errno from clock_gettime(2).
 */
int gpuclient_now_ns(int64_t *now)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return -errno;
	*now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	return 0;
}

/**
 * gpuclient_deadline_after() - the gpufe deadline a relative timeout gives
 * @now: the CLOCK_MONOTONIC time in nanoseconds, from gpuclient_now_ns()
 * @timeout_ns: nanoseconds from @now
 *
 * Saturates: an infinite or huge timeout is the farthest deadline,
 * INT64_MAX, never one wrapped into the past.
 *
 * Return: the absolute CLOCK_MONOTONIC deadline in nanoseconds.
 */
int64_t gpuclient_deadline_after(int64_t now, uint64_t timeout_ns)
{
	if (now < 0 || timeout_ns > (uint64_t)(INT64_MAX - now))
		return INT64_MAX;
	return now + (int64_t)timeout_ns;
}

static const char *gpuclient_default_path(void)
{
	const char *path = secure_getenv(GPUCLIENT_DEVICE_ENV);

	if (!path || !*path)
		path = GPUCLIENT_DEFAULT_PATH;
	return path;
}

gpuclient_public int gpuclient_open(const char *path, gpuclient_handle *out)
{
	struct gpuclient_device *dev;
	int ret;

	if (!out)
		return -EINVAL;
	if (!path)
		path = gpuclient_default_path();

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;

	ret = -pthread_mutex_init(&dev->bo_lock, NULL);
	if (ret)
		goto err_free;
	ret = -pthread_mutex_init(&dev->completion_lock, NULL);
	if (ret)
		goto err_bo_lock_destroy;

	do {
		dev->fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	} while (dev->fd == -1 && errno == EINTR);
	if (dev->fd == -1) {
		ret = -errno;
		goto err_completion_lock_destroy;
	}

	ret = gpuclient_ioctl(dev->fd, GPUFE_IOCTL_VERSION, &dev->kversion);
	if (ret)
		goto err_close;

	if (dev->kversion.major != GPUFE_VERSION_MAJOR) {
		ret = -EPROTONOSUPPORT;
		goto err_close;
	}

	atomic_init(&dev->refcount, 1);
	*out = dev;
	return 0;

err_close:
	close(dev->fd);
err_completion_lock_destroy:
	pthread_mutex_destroy(&dev->completion_lock);
err_bo_lock_destroy:
	pthread_mutex_destroy(&dev->bo_lock);
err_free:
	free(dev);
	return ret;
}

gpuclient_public void gpuclient_close(gpuclient_handle h)
{
	if (h)
		gpuclient_device_put(h);
}

gpuclient_public int gpuclient_get_fd(gpuclient_handle h)
{
	if (!h)
		return -EINVAL;
	return h->fd;
}

gpuclient_public int gpuclient_get_version(gpuclient_handle h,
					   struct gpuclient_version *v)
{
	if (!h || !v)
		return -EINVAL;

	memset(v, 0, sizeof(*v));
	v->major = h->kversion.major;
	v->minor = h->kversion.minor;
	v->patch = h->kversion.patch;
	v->features = h->kversion.features;
	return 0;
}
