/* SPDX-License-Identifier: MIT */
/*
 * libgpuclient internals, shared by the library's .c files and its tests.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef GPUCLIENT_PRIV_H
#define GPUCLIENT_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include <gpufe.h>
#include <gpufe_swgpu.h>

#include "gpuclient.h"

/*
 * The library is built with -fvisibility=hidden; only definitions marked
 * gpuclient_public are exported, and gpuclient.sym must list exactly them
 * ("make check" compares both with the built library).
 */
#define gpuclient_public __attribute__((visibility("default")))

/* How many probe-and-fetch rounds a query makes before giving up. */
#define GPUCLIENT_QUERY_ATTEMPTS	8

/* How many events gpuclient_read_events() reads with one read(2). */
#define GPUCLIENT_EVENT_BATCH		32

/* The first allocation of a command stream, in bytes. */
#define GPUCLIENT_CMDBUF_INITIAL	256

/* How many polls of a completion slot a spinning wait makes per clock read. */
#define GPUCLIENT_SPIN_CLOCK_INTERVAL	256

/**
 * struct gpuclient_completion_map - one mapping of a completion page
 *
 * Made by gpuclient_completion_slot(), unmapped only when the device's last
 * reference goes: a thread may still be spinning on a slot through it.
 */
struct gpuclient_completion_map {
	/** @next: the next older, smaller mapping of the device */
	struct gpuclient_completion_map *next;
	/** @addr: where the page is mapped, read-only */
	void *addr;
	/** @size: bytes mapped from GPUFE_COMPLETION_MMAP_OFFSET */
	size_t size;
};

/**
 * struct gpuclient_device - an open gpufe device, behind &gpuclient_handle
 *
 * @fd and @kversion are immutable after gpuclient_open() returns, so they
 * are read without a lock.
 *
 * Every buffer and context holds a reference on its device, and so does
 * the application's handle until gpuclient_close(): the descriptor closes
 * with the last of them.
 *
 * The kernel gives a buffer one handle per file descriptor however often it
 * is imported, and reuses a handle as soon as it is destroyed. @bos lists
 * every buffer object of the library by kernel handle, so that an import of
 * a buffer this descriptor already has returns the same object with one
 * more reference; @bo_lock is held across the import and destroy ioctls so
 * that a handle is never looked up between its destruction in the kernel
 * and its removal from @bos.
 *
 * The completion page (kernels with GPUFE_FEATURE_COMPLETION_PAGE) is mapped
 * at the first context creation, and mapped again, larger, when a context's
 * slot lies beyond what is mapped; @completion_maps keeps every mapping, the
 * largest first, until the last reference goes, as contexts point into the
 * older ones. @completion_lock is never held with @bo_lock.
 */
struct gpuclient_device {
	/** @fd: the open /dev/gpufe file descriptor */
	int fd;
	/** @kversion: what GPUFE_IOCTL_VERSION reported at open */
	struct gpufe_version kversion;
	/** @refcount: the handle's reference plus one per buffer and context */
	atomic_uint refcount;
	/** @bo_lock: protects @bos, and every buffer's refcount and map */
	pthread_mutex_t bo_lock;
	/** @bos: the buffer objects, a singly linked list through next */
	struct gpuclient_bo *bos;
	/** @completion_lock: protects @completion_maps */
	pthread_mutex_t completion_lock;
	/**
	 * @completion_maps: the completion page mappings, the largest (the
	 * newest) first; NULL before the first context
	 */
	struct gpuclient_completion_map *completion_maps;
};

/**
 * struct gpuclient_bo - a buffer object, behind &gpuclient_bo_handle
 */
struct gpuclient_bo {
	/** @dev: the device, referenced */
	struct gpuclient_device *dev;
	/** @next: the next buffer of @dev, under &gpuclient_device.bo_lock */
	struct gpuclient_bo *next;
	/** @refcount: creations and imports not yet destroyed; bo_lock */
	unsigned int refcount;
	/** @handle: the kernel's handle, never 0 */
	uint32_t handle;
	/** @size: bytes, as the kernel allocated them */
	uint64_t size;
	/** @mmap_offset: where to mmap() the buffer on @dev's descriptor */
	uint64_t mmap_offset;
	/** @map: the CPU mapping, or NULL before the first map; bo_lock */
	void *map;
};

/**
 * struct gpuclient_ctx - a context, behind &gpuclient_ctx_handle
 */
struct gpuclient_ctx {
	/** @dev: the device, referenced */
	struct gpuclient_device *dev;
	/** @id: the kernel's context id, never 0 */
	uint32_t id;
	/**
	 * @slot: the context's slot on the completion page, inside one of
	 * &gpuclient_device.completion_maps; NULL when the kernel has no
	 * completion page
	 */
	const struct gpufe_completion_slot *slot;
};

/**
 * struct gpuclient_cmdbuf - a swgpu command stream and its buffer list
 *
 * Not locked: one builder belongs to one thread at a time.
 */
struct gpuclient_cmdbuf {
	/** @cmds: the stream, @size bytes used of @capacity */
	uint8_t *cmds;
	/** @size: bytes of commands */
	size_t size;
	/** @capacity: bytes allocated at @cmds */
	size_t capacity;
	/** @dev: the device of the listed buffers, NULL while none is */
	struct gpuclient_device *dev;
	/** @num_bos: entries used in @bos */
	uint32_t num_bos;
	/** @bos: the buffer list, as GPUFE_IOCTL_SUBMIT takes it */
	struct gpufe_submit_bo bos[GPUFE_SUBMIT_MAX_BOS];
};

/* gpuclient.c */
int gpuclient_ioctl(int fd, unsigned long req, void *arg);
void gpuclient_device_get(struct gpuclient_device *dev);
void gpuclient_device_put(struct gpuclient_device *dev);
int gpuclient_has_datapath(const struct gpuclient_device *dev);
int gpuclient_has_completion_page(const struct gpuclient_device *dev);
int gpuclient_has_partitions(const struct gpuclient_device *dev);
int gpuclient_has_sched(const struct gpuclient_device *dev);
int gpuclient_now_ns(int64_t *now);
int64_t gpuclient_deadline_after(int64_t now, uint64_t timeout_ns);

/* gpuclient_query.c */
int gpuclient_query(gpuclient_handle h, uint32_t query, uint32_t device_id,
		    size_t min_size, void **out, uint32_t *out_size);
int gpuclient_check_size(uint32_t size, size_t hdr, uint32_t n,
			 uint32_t entry_size, size_t known);

/* gpuclient_submit.c */
int gpuclient_wait_deadline(struct gpuclient_ctx *ctx, uint64_t seqno,
			    int64_t deadline);

/* gpuclient_completion.c */
int gpuclient_completion_slot(struct gpuclient_device *dev,
			      uint64_t slot_offset,
			      const struct gpufe_completion_slot **slot);
void gpuclient_completion_fini(struct gpuclient_device *dev);

#endif /* GPUCLIENT_PRIV_H */
