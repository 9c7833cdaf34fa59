/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Completion routing: find the contexts whose completion slot advanced.
 * Kernel/user-neutral; see gpufe_route.c.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef GPUFE_ROUTE_H
#define GPUFE_ROUTE_H

/*
 * Compat: the only difference between the kernel and user space is where
 * the types come from and how an acquire load is spelt. u64 is unsigned
 * long long on both sides, as the kernel (and the uAPI's __u64) define it,
 * so a pointer to a __u64 slot on a shared page fits either way.
 */
#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/compiler.h>
#include <asm/barrier.h>

/* Pairs with the writer's release store of the seqno; see gpufe_route.c. */
#define gpufe_route_load_acquire(p) smp_load_acquire(p)
#else
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

typedef unsigned long long u64;

/* Pairs with the writer's release store of the seqno; see gpufe_route.c. */
#define gpufe_route_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#endif

/* The hint to pass when the interrupt names no context. */
#define GPUFE_ROUTE_NO_HINT (~0U)

/**
 * struct gpufe_route_slot - what a reader tracks per pending context
 * @seqno: the context's completion slot; the writer stores the sequence
 *	number of each finished job there, with release ordering
 * @seen: the last sequence number delivered for this context
 *
 * The reader owns @seen; scans of the same array must be serialised.
 */
struct gpufe_route_slot {
	const u64 *seqno;
	u64 seen;
};

bool gpufe_route_check_hint(struct gpufe_route_slot *slots, unsigned int n,
			    unsigned int hint);
unsigned int gpufe_route_scan(struct gpufe_route_slot *slots, unsigned int n,
			      unsigned int hint, unsigned int *advanced,
			      unsigned int max);

#endif /* GPUFE_ROUTE_H */
