// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: completion routing
 *
 * A GPU that raises one interrupt for all work tells its clients apart
 * through completion slots: every context has a 64-bit slot on its
 * client's completion page. When a job finishes, the writer (the GPU, or
 * a back-end on its behalf) first makes the job's results visible, then
 * stores the job's sequence number into the slot with release ordering,
 * then raises the interrupt. The interrupt handler reads the slots of the
 * contexts with outstanding work with acquire ordering and delivers a
 * completion to exactly those whose slot advanced past the last value it
 * delivered. The acquire load pairs with the writer's release store: once
 * the reader sees a sequence number, it also sees everything the writer
 * stored before it.
 *
 * This file is that search and nothing else. It knows nothing of
 * clients, fences or locks, so the kernel front-end, the hypervisor
 * component and host tools share it unchanged. The caller picks which
 * slots to scan (only contexts with outstanding work, so the cost does
 * not grow with idle clients), serialises scans of one slot array, and
 * delivers what a scan reports.
 *
 * Sequence numbers are compared as unsigned 64-bit values and are assumed
 * never to wrap: at one job per nanosecond, 2^64 lasts 584 years. A slot
 * whose value goes backwards (a buggy or hostile writer) is never
 * delivered; it is delivered again only once it passes the last value
 * delivered.
 *
 * Nothing is lost: a scan reports a slot until its ``seen`` catches up,
 * so a completion not yet visible to one scan, or not reported because
 * the output was full, is reported by the next one.
 */

#include "gpufe_route.h"

/*
 * Read @slot once; if it advanced past what was delivered, remember the
 * new value and say so.
 */
static bool gpufe_route_advance(struct gpufe_route_slot *slot)
{
	u64 seqno = gpufe_route_load_acquire(slot->seqno);

	if (seqno <= slot->seen)
		return false;
	slot->seen = seqno;
	return true;
}

/**
 * gpufe_route_check_hint() - check only the slot an interrupt names
 * @slots: the slots of the contexts with outstanding work
 * @n: number of entries in @slots
 * @hint: index into @slots suggested by the interrupt, or
 *	GPUFE_ROUTE_NO_HINT
 *
 * The fast path for an interrupt that names its context. The hint is only
 * a hint: it is trusted only if that slot really advanced, and an
 * out-of-range @hint is ignored. A false return says nothing about the
 * other slots; the caller scans them with gpufe_route_scan().
 *
 * Ordering: the writer stores the job's results, then the sequence number
 * with release ordering, then raises the interrupt. The slot is read with
 * acquire ordering, which pairs with that release: when this returns
 * true, the results of every job up to the new sequence number are
 * visible to the caller.
 *
 * Context: any, including hard IRQ. Must not run concurrently with
 * another check or scan of @slots.
 *
 * Return: true if the hinted slot advanced; its ``seen`` is then updated
 * to the value read. False otherwise, with ``seen`` unchanged.
 */
bool gpufe_route_check_hint(struct gpufe_route_slot *slots, unsigned int n,
			    unsigned int hint)
{
	if (hint >= n)
		return false;
	return gpufe_route_advance(&slots[hint]);
}

/**
 * gpufe_route_scan() - find the slots that advanced
 * @slots: the slots of the contexts with outstanding work
 * @n: number of entries in @slots
 * @hint: index into @slots suggested by the interrupt, or
 *	GPUFE_ROUTE_NO_HINT
 * @advanced: output, the indices of the slots that advanced
 * @max: capacity of @advanced
 *
 * Reads the slots and records the index of each whose value is greater
 * than its ``seen`` into @advanced, updating ``seen`` to the value read.
 * The hinted slot comes first if it advanced; the others follow in slot
 * order. The hint is only a hint: it is trusted only if that slot really
 * advanced, an out-of-range @hint is ignored, and the scan covers all @n
 * slots either way, so a wrong hint never hides another completion.
 *
 * If more than @max slots advanced, the scan stops after recording @max
 * of them; the rest keep their old ``seen`` and are found by the next
 * scan. Nothing is lost: a caller that gets @max back scans again.
 *
 * Ordering: the writer stores the job's results, then the sequence number
 * with release ordering, then raises the interrupt. Each slot is read
 * with acquire ordering, which pairs with that release: for every slot
 * recorded, the results of every job up to the new ``seen`` are visible
 * to the caller. A write that is not yet visible is simply not recorded
 * by this scan, and is found by the next.
 *
 * Context: any, including hard IRQ. Must not run concurrently with
 * another check or scan of @slots.
 *
 * Return: the number of indices recorded in @advanced, at most @max;
 * no index is recorded twice.
 */
unsigned int gpufe_route_scan(struct gpufe_route_slot *slots, unsigned int n,
			      unsigned int hint, unsigned int *advanced,
			      unsigned int max)
{
	unsigned int count = 0;
	unsigned int i;

	if (!max)
		return 0;

	if (gpufe_route_check_hint(slots, n, hint)) {
		advanced[count++] = hint;
		if (count == max)
			return count;
	} else {
		hint = GPUFE_ROUTE_NO_HINT;
	}

	/*
	 * The hint test is off the common path: a recorded hint that moved
	 * again since only gets its newer ``seen``, it is not recorded twice.
	 * Stop as soon as @advanced is full, before reading another slot, so
	 * that no slot's ``seen`` moves unless the slot is recorded.
	 */
	for (i = 0; i < n; i++) {
		if (!gpufe_route_advance(&slots[i]) || i == hint)
			continue;
		advanced[count++] = i;
		if (count == max)
			break;
	}
	return count;
}
