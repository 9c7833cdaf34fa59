// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/*
 * fake_kernel.c as an LD_PRELOAD library, so that the examples (which link
 * the real libgpuclient.so and know nothing of the fake) can run on the
 * host: "make check-examples" runs each with GPUFE_DEVICE=FAKE_PATH.
 *
 * The calls the unit tests' linker redirects with --wrap are interposed
 * here instead and handed to the same __wrap_*() functions; their
 * __real_*() are the next definitions, libc's. The fake kernel is a 1.2
 * one, completion page included, with two swgpu devices (ids 1 and 2)
 * whose jobs complete as soon as they are queued. (fcntl() is interposed
 * too, for the fake's bookkeeping of duplicated descriptors; the examples
 * do not use partitions.)
 */

#define _GNU_SOURCE	/* RTLD_NEXT, O_TMPFILE */

#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fake_kernel.h"

/* Prototypes for -Wmissing-prototypes; the libc headers declare the rest. */
int open64(const char *path, int flags, ...);

static void *fake_next(const char *name)
{
	void *fn = dlsym(RTLD_NEXT, name);

	if (!fn) {
		fprintf(stderr, "fake-gpufe: no next %s\n", name);
		abort();
	}
	return fn;
}

#define FAKE_NEXT(var, name)						\
	do {								\
		if (!(var))						\
			*(void **)&(var) = fake_next(name);		\
	} while (0)

static mode_t fake_mode(int flags, va_list ap)
{
	return flags & (O_CREAT | O_TMPFILE) ? va_arg(ap, mode_t) : 0;
}

/* --- the next (libc) definitions, as the fake calls them ------------- */

int __real_ioctl(int fd, unsigned long req, ...)
{
	static int (*next)(int, unsigned long, ...);
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	FAKE_NEXT(next, "ioctl");
	return next(fd, req, arg);
}

int __real_open(const char *path, int flags, ...)
{
	static int (*next)(const char *, int, ...);
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = fake_mode(flags, ap);
	va_end(ap);
	FAKE_NEXT(next, "open");
	return next(path, flags, mode);
}

int __real_open64(const char *path, int flags, ...)
{
	static int (*next)(const char *, int, ...);
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = fake_mode(flags, ap);
	va_end(ap);
	FAKE_NEXT(next, "open64");
	return next(path, flags, mode);
}

int __real_close(int fd)
{
	static int (*next)(int);

	FAKE_NEXT(next, "close");
	return next(fd);
}

void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	static void *(*next)(void *, size_t, int, int, int, off_t);

	FAKE_NEXT(next, "mmap");
	return next(addr, len, prot, flags, fd, off);
}

int __real_munmap(void *addr, size_t len)
{
	static int (*next)(void *, size_t);

	FAKE_NEXT(next, "munmap");
	return next(addr, len);
}

ssize_t __real_read(int fd, void *buf, size_t count)
{
	static ssize_t (*next)(int, void *, size_t);

	FAKE_NEXT(next, "read");
	return next(fd, buf, count);
}

int __real_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	static int (*next)(struct pollfd *, nfds_t, int);

	FAKE_NEXT(next, "poll");
	return next(fds, nfds, timeout);
}

int __real_fcntl(int fd, int cmd, ...)
{
	static int (*next)(int, int, ...);
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	FAKE_NEXT(next, "fcntl");
	return next(fd, cmd, arg);
}

/* --- the interposed calls --------------------------------------------- */

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	return __wrap_ioctl(fd, req, arg);
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = fake_mode(flags, ap);
	va_end(ap);
	return __wrap_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = fake_mode(flags, ap);
	va_end(ap);
	return __wrap_open64(path, flags, mode);
}

int close(int fd)
{
	return __wrap_close(fd);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return __wrap_mmap(addr, len, prot, flags, fd, off);
}

int munmap(void *addr, size_t len)
{
	return __wrap_munmap(addr, len);
}

ssize_t read(int fd, void *buf, size_t count)
{
	return __wrap_read(fd, buf, count);
}

int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	return __wrap_poll(fds, nfds, timeout);
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return __wrap_fcntl(fd, cmd, arg);
}

__attribute__((constructor)) static void fake_preload_init(void)
{
	fake_reset();
	fake_set_completion_page();
	fake_add_swgpu(1, "swgpu0");
	fake_add_swgpu(2, "swgpu1");
	fk.auto_complete = 1;
}
