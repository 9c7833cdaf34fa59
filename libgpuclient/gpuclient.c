// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: device handles
 *
 * Opening and closing a gpufe device, the interface version check, and
 * gpuclient_ioctl(), the one place the library calls ioctl(2).
 */

#define _GNU_SOURCE	/* secure_getenv() */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "gpuclient_priv.h"

_Static_assert(sizeof(struct gpufe_version) == 16,
	       "struct gpufe_version layout");
_Static_assert(GPUCLIENT_FEATURE_DISCOVERY == GPUFE_FEATURE_DISCOVERY,
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

	do {
		dev->fd = open(path, O_RDWR | O_CLOEXEC);
	} while (dev->fd == -1 && errno == EINTR);
	if (dev->fd == -1) {
		ret = -errno;
		goto err_free;
	}

	ret = gpuclient_ioctl(dev->fd, GPUFE_IOCTL_VERSION, &dev->kversion);
	if (ret)
		goto err_close;

	if (dev->kversion.major != GPUFE_VERSION_MAJOR) {
		ret = -EPROTONOSUPPORT;
		goto err_close;
	}

	*out = dev;
	return 0;

err_close:
	close(dev->fd);
err_free:
	free(dev);
	return ret;
}

gpuclient_public void gpuclient_close(gpuclient_handle h)
{
	if (!h)
		return;
	close(h->fd);
	free(h);
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
