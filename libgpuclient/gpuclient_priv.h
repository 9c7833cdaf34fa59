/* SPDX-License-Identifier: MIT */
/*
 * libgpuclient internals, shared by the library's .c files and its tests.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef GPUCLIENT_PRIV_H
#define GPUCLIENT_PRIV_H

#include <gpufe.h>

#include "gpuclient.h"

/*
 * The library is built with -fvisibility=hidden; only definitions marked
 * gpuclient_public are exported, and gpuclient.sym must list exactly them
 * ("make check" compares both with the built library).
 */
#define gpuclient_public __attribute__((visibility("default")))

/* How many probe-and-fetch rounds a query makes before giving up. */
#define GPUCLIENT_QUERY_ATTEMPTS	8

/**
 * struct gpuclient_device - an open gpufe device, behind &gpuclient_handle
 *
 * Immutable after gpuclient_open() returns, so a handle can be used from
 * several threads without a lock.
 */
struct gpuclient_device {
	/** @fd: the open /dev/gpufe file descriptor */
	int fd;
	/** @kversion: what GPUFE_IOCTL_VERSION reported at open */
	struct gpufe_version kversion;
};

/* gpuclient.c */
int gpuclient_ioctl(int fd, unsigned long req, void *arg);

#endif /* GPUCLIENT_PRIV_H */
