/* SPDX-License-Identifier: MIT */
/*
 * A fake /dev/gpufe for the host unit tests.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef GPUCLIENT_FAKE_KERNEL_H
#define GPUCLIENT_FAKE_KERNEL_H

#include <stdint.h>

#include <gpufe.h>

/*
 * The test binary is linked with -Wl,--wrap=ioctl,--wrap=open,--wrap=close:
 * opening FAKE_PATH yields a real descriptor (of /dev/null) that the fake
 * kernel then owns; ioctl() on it is served by fake_kernel.c, following
 * uapi/gpufe.h to the letter. Every other path and descriptor goes to the
 * real system calls.
 */
#define FAKE_PATH		"/nonexistent/fake-gpufe"
#define FAKE_MAX_DEVICES	64
#define FAKE_MAX_ENGINES	16
#define FAKE_MAX_FDS		16
#define FAKE_MAX_INJECT		32

struct fake_engine {
	uint16_t engine_class;
	uint16_t engine_instance;
	char name[GPUFE_ENGINE_NAME_LEN];
};

struct fake_device {
	uint32_t id;
	uint64_t mem_size;
	char name[GPUFE_NAME_LEN];
	char backend[GPUFE_NAME_LEN];
	unsigned int num_engines;
	struct fake_engine engines[FAKE_MAX_ENGINES];
};

struct fake_kernel {
	/* what GPUFE_IOCTL_VERSION answers */
	struct gpufe_version version;

	/* the devices, by ascending id */
	unsigned int num_devices;
	struct fake_device devices[FAKE_MAX_DEVICES];

	/*
	 * Called after each successful size-0 probe of GPUFE_IOCTL_QUERY,
	 * before the caller can fetch: the place to add or remove devices.
	 */
	void (*after_probe)(const struct gpufe_query *q);

	/*
	 * Errors to fail the next ioctl() calls with, one per call, in
	 * order; 0 lets that call through.
	 */
	int inject[FAKE_MAX_INJECT];
	unsigned int inject_len;
	unsigned int inject_pos;

	/* Added to the entry count written in a result: a lying kernel. */
	int corrupt_count;
	/* XORed into the device id an engine result names. */
	uint32_t corrupt_device_id;

	/*
	 * Bytes each result entry has beyond what this uAPI header knows:
	 * a newer kernel's larger entries. Negative: entries smaller than
	 * the header's, a malformed answer.
	 */
	int entry_extra;

	/* statistics */
	unsigned int ioctl_calls;	/* every ioctl() on a fake fd */
	unsigned int probes;		/* successful size-0 queries */
	unsigned int fetches;		/* successful result writes */
	unsigned int enospc;		/* fetches failed with -ENOSPC */
	unsigned int einval;		/* any call failed with -EINVAL */

	/* fake descriptors currently open */
	int fds[FAKE_MAX_FDS];
	unsigned int num_fds;

	/* the last open() call, fake or not */
	char last_open_path[256];
	int last_open_flags;
};

extern struct fake_kernel fk;

/* Forget everything; the version becomes 1.0.0 with discovery. */
void fake_reset(void);
/* Close descriptors a failed test left open; returns how many. */
unsigned int fake_close_leftovers(void);

struct fake_device *fake_add_device(uint32_t id, const char *name,
				    const char *backend, uint64_t mem_size);
void fake_add_engine(struct fake_device *dev, uint16_t engine_class,
		     uint16_t engine_instance, const char *name);
/* A device with the usual four engines: compute0, compute1, copy0, video0. */
struct fake_device *fake_add_swgpu(uint32_t id, const char *name);
void fake_remove_device(uint32_t id);
void fake_inject(int err);
int fake_fd_is_open(int fd);

/* The real calls, as the linker's --wrap names them. */
int __real_ioctl(int fd, unsigned long req, ...);
int __real_open(const char *path, int flags, ...);
int __real_open64(const char *path, int flags, ...);
int __real_close(int fd);

/* The link-time wrappers. */
int __wrap_ioctl(int fd, unsigned long req, ...);
int __wrap_open(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);
int __wrap_close(int fd);

#endif /* GPUCLIENT_FAKE_KERNEL_H */
