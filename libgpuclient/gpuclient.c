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
 *
 * A handle can also be made of a descriptor the process already has
 * (gpuclient_open_fd(), and gpuclient_open() through ``GPUFE_FD``): the
 * version is read through it first, so that a descriptor of another
 * driver fails with -ENOTTY and a kernel without partitions is never sent
 * GPUFE_IOCTL_PARTITION_OPEN; then a partition's descriptor gives a new
 * client of the partition, and any other gpufe descriptor (PARTITION_OPEN
 * answers -EINVAL: no partition to open a client of) a duplicate. The
 * descriptors the kernel hands out are close-on-exec but blocking, so
 * ``O_NONBLOCK`` is set on each with fcntl(2).
 */

#define _GNU_SOURCE	/* secure_getenv() */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
_Static_assert(GPUCLIENT_FEATURE_PARTITIONS == GPUFE_FEATURE_PARTITIONS,
	       "library feature bits are the uAPI's");
_Static_assert(GPUCLIENT_FEATURE_SCHED == GPUFE_FEATURE_SCHED,
	       "library feature bits are the uAPI's");
_Static_assert(sizeof(struct gpufe_partition_open) == 16,
	       "struct gpufe_partition_open layout");

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
 * gpuclient_has_partitions() - does the kernel offer partitions?
 * @dev: the device
 *
 * Return: non-zero if the kernel reported GPUFE_FEATURE_PARTITIONS
 * (interface 1.3 and later).
 */
int gpuclient_has_partitions(const struct gpuclient_device *dev)
{
	return !!(dev->kversion.features & GPUFE_FEATURE_PARTITIONS);
}

/**
 * gpuclient_has_sched() - does the front-end schedule jobs?
 * @dev: the device
 *
 * Return: non-zero if the kernel reported GPUFE_FEATURE_SCHED (interface
 * 1.4 and later): engine timeouts of partitions, engine-time accounting,
 * hang recovery and bans.
 */
int gpuclient_has_sched(const struct gpuclient_device *dev)
{
	return !!(dev->kversion.features & GPUFE_FEATURE_SCHED);
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

/* Read the kernel's interface version through @fd and check its major. */
static int gpuclient_read_version(int fd, struct gpufe_version *kv)
{
	int ret;

	ret = gpuclient_ioctl(fd, GPUFE_IOCTL_VERSION, kv);
	if (ret)
		return ret;
	return kv->major == GPUFE_VERSION_MAJOR ? 0 : -EPROTONOSUPPORT;
}

/*
 * gpuclient_device_new() - make a handle of an open descriptor
 *
 * Takes @fd over, closing it on failure. @kv is the version read through
 * it (or through the descriptor it was made from), or NULL to read it here.
 */
static int gpuclient_device_new(int fd, const struct gpufe_version *kv,
				gpuclient_handle *out)
{
	struct gpuclient_device *dev;
	int ret;

	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		ret = -ENOMEM;
		goto err_close;
	}
	dev->fd = fd;

	ret = -pthread_mutex_init(&dev->bo_lock, NULL);
	if (ret)
		goto err_free;
	ret = -pthread_mutex_init(&dev->completion_lock, NULL);
	if (ret)
		goto err_bo_lock_destroy;

	if (kv)
		dev->kversion = *kv;
	else
		ret = gpuclient_read_version(fd, &dev->kversion);
	if (ret)
		goto err_completion_lock_destroy;

	atomic_init(&dev->refcount, 1);
	*out = dev;
	return 0;

err_completion_lock_destroy:
	pthread_mutex_destroy(&dev->completion_lock);
err_bo_lock_destroy:
	pthread_mutex_destroy(&dev->bo_lock);
err_free:
	free(dev);
err_close:
	close(fd);
	return ret;
}

/* Make a descriptor the kernel handed out non-blocking, as open() does. */
static int gpuclient_set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags == -1)
		return -errno;
	if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags | O_NONBLOCK))
		return -errno;
	return 0;
}

/*
 * gpuclient_partition_open_fd() - GPUFE_IOCTL_PARTITION_OPEN, made ready
 *
 * Opens a client of partition @partition_id (0: @fd's own) through @fd and
 * makes it non-blocking; *@new_fd is the new descriptor.
 */
static int gpuclient_partition_open_fd(int fd, uint32_t partition_id,
				       int *new_fd)
{
	struct gpufe_partition_open args = { .partition_id = partition_id };
	int ret;

	ret = gpuclient_ioctl(fd, GPUFE_IOCTL_PARTITION_OPEN, &args);
	if (ret)
		return ret;
	if (args.fd < 0)
		return -EPROTO;
	ret = gpuclient_set_nonblock(args.fd);
	if (ret) {
		close(args.fd);
		return ret;
	}
	*new_fd = args.fd;
	return 0;
}

/* A close-on-exec, non-blocking duplicate of @fd, sharing its client. */
static int gpuclient_dup_fd(int fd, int *new_fd)
{
	int dup_fd, ret;

	dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd == -1)
		return -errno;
	ret = gpuclient_set_nonblock(dup_fd);
	if (ret) {
		close(dup_fd);
		return ret;
	}
	*new_fd = dup_fd;
	return 0;
}

gpuclient_public int gpuclient_open_fd(int fd, gpuclient_handle *out)
{
	struct gpufe_version kv;
	int new_fd, ret;

	if (!out)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;

	ret = gpuclient_read_version(fd, &kv);
	if (ret)
		return ret;

	if (kv.features & GPUFE_FEATURE_PARTITIONS)
		ret = gpuclient_partition_open_fd(fd, 0, &new_fd);
	else
		ret = -EINVAL;	/* no partitions, so not a partition's */
	/* -EINVAL: a client without partition, to be shared. */
	if (ret == -EINVAL)
		ret = gpuclient_dup_fd(fd, &new_fd);
	if (ret)
		return ret;

	return gpuclient_device_new(new_fd, &kv, out);
}

gpuclient_public int gpuclient_open_partition(gpuclient_handle h,
					      uint32_t partition_id,
					      gpuclient_handle *out)
{
	int new_fd, ret;

	if (!h || !out)
		return -EINVAL;
	if (!gpuclient_has_partitions(h))
		return -EOPNOTSUPP;

	ret = gpuclient_partition_open_fd(h->fd, partition_id, &new_fd);
	if (ret)
		return ret;
	return gpuclient_device_new(new_fd, &h->kversion, out);
}

/* $GPUFE_FD: a descriptor number in decimal, nothing else. */
static int gpuclient_parse_fd(const char *str, int *fd)
{
	long long n = 0;
	const char *p;

	if (!*str)
		return -EINVAL;
	for (p = str; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		n = n * 10 + (*p - '0');
		if (n > INT_MAX)
			return -EINVAL;
	}
	*fd = (int)n;
	return 0;
}

gpuclient_public int gpuclient_open(const char *path, gpuclient_handle *out)
{
	const char *env;
	int fd, ret;

	if (!out)
		return -EINVAL;

	if (!path) {
		/* The partition's descriptor first: see gpuclient.h. */
		env = secure_getenv(GPUCLIENT_FD_ENV);
		if (env) {
			ret = gpuclient_parse_fd(env, &fd);
			if (ret)
				return ret;
			return gpuclient_open_fd(fd, out);
		}
		path = secure_getenv(GPUCLIENT_DEVICE_ENV);
		if (!path || !*path)
			path = GPUCLIENT_DEFAULT_PATH;
	}

	do {
		fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	} while (fd == -1 && errno == EINTR);
	if (fd == -1)
		return -errno;

	return gpuclient_device_new(fd, NULL, out);
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
