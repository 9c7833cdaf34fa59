// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: completion page
 *
 * A kernel with GPUFE_FEATURE_COMPLETION_PAGE keeps, for every client, a
 * page of &struct gpufe_completion_slot, one per context, whose @seqno it
 * stores (with release ordering) as the context's jobs complete. Mapped
 * read-only, it answers "is job N done?" with one acquire load and no
 * system call: gpuclient_ctx_done() and the spinning modes of
 * gpuclient_wait_mode().
 *
 * The page is mapped per device handle, at the first gpuclient_ctx_create().
 * The kernel hands slots out lowest first, so the mapping serves later
 * contexts too until the contexts alive outgrow it; then the page is
 * mapped again, at least twice as large (and at most
 * GPUFE_COMPLETION_MAX_SIZE), so that a handle makes a handful of mappings
 * in all. The smaller mappings stay: another thread may be spinning on a
 * slot through one of them. All go with the device's last reference, which
 * outlives every context.
 *
 * Without the feature, contexts have no slot and gpuclient_ctx_done()
 * asks the kernel (GPUFE_IOCTL_CTX_STATUS), gpuclient_wait_mode() sleeps
 * (GPUFE_IOCTL_WAIT).
 *
 * A spinning wait puts a CPU pause hint between two loads of the slot and
 * reads the clock only every GPUCLIENT_SPIN_CLOCK_INTERVAL loads:
 * clock_gettime(CLOCK_MONOTONIC) goes through the vDSO, without a system
 * call, but costs more than a load. The deadline is computed once, on
 * entry; a hybrid wait spins for part of it and sleeps in the kernel for
 * the rest of the same deadline.
 */

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gpuclient_priv.h"

_Static_assert(sizeof(struct gpufe_completion_slot) == 16,
	       "struct gpufe_completion_slot layout");
_Static_assert(GPUFE_COMPLETION_MMAP_OFFSET == 0,
	       "the completion page is mapped at offset 0");

/**
 * gpuclient_completion_slot() - point at a context's completion slot
 * @dev: the device
 * @slot_offset: the slot's offset, as GPUFE_IOCTL_CTX_CREATE returned it
 * @slot: set to the slot, in a mapping that lives as long as @dev
 *
 * Maps the completion page, or maps it again larger, if what is mapped
 * does not reach the slot.
 *
 * Return: 0 on success; -EPROTO for a @slot_offset the uAPI does not
 * allow (misaligned, or past GPUFE_COMPLETION_MAX_SIZE); -ENOMEM; or the
 * negative errno from mmap(2).
 */
int gpuclient_completion_slot(struct gpuclient_device *dev,
			      uint64_t slot_offset,
			      const struct gpufe_completion_slot **slot)
{
	const size_t slot_size = sizeof(struct gpufe_completion_slot);
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct gpuclient_completion_map *map, *old;
	size_t need;
	int ret = 0;

	if (slot_offset % slot_size ||
	    slot_offset > GPUFE_COMPLETION_MAX_SIZE - slot_size)
		return -EPROTO;

	pthread_mutex_lock(&dev->completion_lock);
	old = dev->completion_maps;
	need = (size_t)slot_offset + slot_size;
	if (old && old->size >= need)
		goto out_found;

	map = malloc(sizeof(*map));
	if (!map) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	/* Whole pages, twice the last mapping, within what may be mapped. */
	map->size = (need + page - 1) / page * page;
	if (old && map->size < 2 * old->size)
		map->size = 2 * old->size;
	if (map->size > GPUFE_COMPLETION_MAX_SIZE)
		map->size = GPUFE_COMPLETION_MAX_SIZE;
	map->addr = mmap(NULL, map->size, PROT_READ, MAP_SHARED, dev->fd,
			 GPUFE_COMPLETION_MMAP_OFFSET);
	if (map->addr == MAP_FAILED) {
		ret = -errno;
		free(map);
		goto out_unlock;
	}
	map->next = old;
	dev->completion_maps = map;

out_found:
	*slot = (const struct gpufe_completion_slot *)
		((const char *)dev->completion_maps->addr + slot_offset);
out_unlock:
	pthread_mutex_unlock(&dev->completion_lock);
	return ret;
}

/**
 * gpuclient_completion_fini() - unmap a device's completion page mappings
 * @dev: the device, with no context left
 */
void gpuclient_completion_fini(struct gpuclient_device *dev)
{
	struct gpuclient_completion_map *map, *next;

	for (map = dev->completion_maps; map; map = next) {
		next = map->next;
		munmap(map->addr, map->size);
		free(map);
	}
	dev->completion_maps = NULL;
}

static int gpuclient_slot_done(const struct gpufe_completion_slot *slot,
			       uint64_t seqno)
{
	return __atomic_load_n(&slot->seqno, __ATOMIC_ACQUIRE) >= seqno;
}

/* A hint to the CPU that this is a spin loop; nothing where there is none. */
static inline void gpuclient_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/*
 * Poll @slot until job @seqno is done or @deadline passes, without a system
 * call. Returns 0 when done, -ETIME at the deadline, or -errno from the
 * clock.
 */
static int gpuclient_spin(const struct gpufe_completion_slot *slot,
			  uint64_t seqno, int64_t deadline)
{
	unsigned int polls = 0;
	int64_t now;
	int ret;

	for (;;) {
		if (gpuclient_slot_done(slot, seqno))
			return 0;
		if (polls++ % GPUCLIENT_SPIN_CLOCK_INTERVAL == 0) {
			ret = gpuclient_now_ns(&now);
			if (ret)
				return ret;
			/* A last look: the job may have completed meanwhile. */
			if (now >= deadline)
				return gpuclient_slot_done(slot, seqno) ? 0 :
								     -ETIME;
		}
		gpuclient_cpu_relax();
	}
}

gpuclient_public int gpuclient_ctx_done(gpuclient_ctx_handle ctx,
					uint64_t seqno)
{
	struct gpuclient_ctx_status status;
	int ret;

	if (!ctx || !seqno)
		return -EINVAL;
	if (ctx->slot)
		return gpuclient_slot_done(ctx->slot, seqno);

	ret = gpuclient_ctx_status(ctx, &status);
	if (ret)
		return ret;
	return status.completed >= seqno;
}

gpuclient_public int gpuclient_wait_mode(gpuclient_ctx_handle ctx,
					 uint64_t seqno, uint64_t timeout_ns,
					 uint32_t mode, uint64_t spin_ns)
{
	int64_t now, deadline, spin_deadline;
	int ret;

	if (!ctx || !seqno)
		return -EINVAL;
	if (mode != GPUCLIENT_WAIT_SLEEP && mode != GPUCLIENT_WAIT_SPIN &&
	    mode != GPUCLIENT_WAIT_HYBRID)
		return -EINVAL;

	ret = gpuclient_now_ns(&now);
	if (ret)
		return ret;
	deadline = gpuclient_deadline_after(now, timeout_ns);

	/* Without a completion page there is nothing to spin on. */
	if (!ctx->slot || mode == GPUCLIENT_WAIT_SLEEP)
		return gpuclient_wait_deadline(ctx, seqno, deadline);
	if (mode == GPUCLIENT_WAIT_SPIN)
		return gpuclient_spin(ctx->slot, seqno, deadline);

	spin_deadline = gpuclient_deadline_after(now, spin_ns);
	if (spin_deadline > deadline)
		spin_deadline = deadline;
	ret = gpuclient_spin(ctx->slot, seqno, spin_deadline);
	if (ret != -ETIME)
		return ret;
	/* The rest of the same deadline; if none is left, the kernel checks. */
	return gpuclient_wait_deadline(ctx, seqno, deadline);
}
