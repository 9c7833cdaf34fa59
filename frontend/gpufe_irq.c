// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: completion routing
 *
 * A back-end completes a job by writing its sequence number into the job's
 * completion slot (gpufe_job_complete()) and then raises one interrupt,
 * gpufe_device_irq(), for any number of completions. The interrupt entry
 * only notes the hint and queues the device's router, an irq_work; the
 * router reads the slots and delivers to exactly the contexts whose slot
 * moved: their jobs' fences signal, their waiters and only theirs wake.
 *
 * What is scanned: each device keeps a pending set, the contexts that have
 * jobs in the back-end's hands, with the slot and the last sequence number
 * delivered of each, in the arrays common/gpufe_route.c scans. A context
 * enters the set when a job is handed to the back-end and leaves it when
 * the router has seen its slot reach the last job handed over. Idle
 * contexts and idle clients are not in it, so the cost of an interrupt
 * does not grow with them. The arrays are sized when contexts are created,
 * so entering the set never allocates.
 *
 * The hint: an interrupt may name a job's context (&gpufe_job.irq_hint, its
 * context's place in the pending set when the job was handed over, so
 * that a hint costs no lookup and nothing that grows with the contexts
 * on the device). The router reads that slot first and delivers it first
 * if it moved; it is only a hint, and every interrupt rescans the whole
 * pending set, so a wrong or stale hint (the context moved in the set, or
 * left it), a coalesced interrupt or a write that was not yet visible at
 * the last interrupt costs nothing but a little time.
 *
 * Lost interrupts: while the set is not empty, a watchdog scans it, first
 * ``route_watchdog_ms`` after the set became non-empty or after an
 * interrupt that found nothing (its slot write may come after it), then
 * at twice the interval after each scan that found nothing, up to
 * %GPUFE_ROUTE_WATCHDOG_MAX_MS: a completion whose interrupt never came is
 * delivered within that bound, one whose slot was written after its
 * interrupt within about ``route_watchdog_ms``, and a long job costs a
 * few scans, not a hundred a second.
 *
 * Bounded work with interrupts off: the router runs as an irq_work, in
 * hard-IRQ context, when at most %GPUFE_ROUTE_IRQ_SCAN contexts are
 * pending, and delivers to at most %GPUFE_ROUTE_BATCH of those whose slot
 * moved, signalling at most %GPUFE_DELIVER_BATCH jobs in all, the common
 * case; the process-context router signals at most that many per context.
 * A context with more jobs to signal gets the rest from its own work
 * item, up to what the router saw in its slot. A larger set, which user space can make as
 * large as it has contexts, or more completions than that, go to a work
 * item on a high-priority, reclaim-safe workqueue, which scans the whole
 * set once, %GPUFE_ROUTE_CHUNK slots at a time with interrupts off, and
 * delivers from process context, with a chance to reschedule between
 * contexts; so does the watchdog.
 *
 * Locking: the device's route lock protects the set; the router holds it
 * to scan, takes a reference on each context whose slot moved and drops
 * the lock before it delivers, with the context's own lock. Deliveries of
 * one context may race (an interrupt and the watchdog); they are
 * idempotent, as a delivery signals only jobs not yet signalled.
 *
 * The pending set's arrays grow as contexts are created on the device, so
 * that a context becomes pending without allocating, and shrink again, in
 * a work item, when a quarter of them is in use: a context gives its place
 * back when it retires, however long its fences keep it allocated.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "gpufe_drv.h"

/* The most pending slots the hard-IRQ router scans itself. */
#define GPUFE_ROUTE_IRQ_SCAN	128
/* The most contexts it delivers to; the work item does the rest. */
#define GPUFE_ROUTE_BATCH	16
/* The slots the process-context router scans with interrupts off at once. */
#define GPUFE_ROUTE_CHUNK	64
/* The longest the watchdog waits between scans that find nothing. */
#define GPUFE_ROUTE_WATCHDOG_MAX_MS	1000

/* The pending set's first allocation, in contexts. */
#define GPUFE_ROUTE_MIN_CAPACITY	16

/**
 * struct gpufe_route_hit - a context whose slot moved
 * @ctx: the context (a reference)
 * @seen: its slot's value, to deliver up to
 */
struct gpufe_route_hit {
	struct gpufe_ctx *ctx;
	u64 seen;
};

static void gpufe_route_remove_locked(struct gpufe_route *route,
				      struct gpufe_ctx *ctx)
{
	unsigned int i = ctx->rt.idx;
	unsigned int last = --route->num_pending;

	lockdep_assert_held(&route->lock);

	if (i != last) {
		route->slots[i] = route->slots[last];
		route->ctxs[i] = route->ctxs[last];
		route->ctxs[i]->rt.idx = i;
	}
	ctx->rt.idx = -1;
}

/*
 * One scan of the pending set's entries [@lo, @hi): record in @hits, with
 * a reference each, the contexts whose slot moved, at most @max (slots
 * past that keep what they showed for the next scan), and drop from the
 * set those that have nothing more in the back-end's hands. Returns how
 * many.
 */
static unsigned int gpufe_route_scan_locked(struct gpufe_route *route,
					    unsigned int lo, unsigned int hi,
					    u32 hint, bool *hint_hit,
					    unsigned int *advanced,
					    struct gpufe_route_hit *hits,
					    unsigned int max)
{
	unsigned int n, i, idx;

	lockdep_assert_held(&route->lock);

	/* The core ignores a hint past the range; its value never matters. */
	BUILD_BUG_ON(GPUFE_IRQ_NO_HINT != GPUFE_ROUTE_NO_HINT);
	hint = hint >= lo && hint < hi ? hint - lo : GPUFE_ROUTE_NO_HINT;
	n = gpufe_route_scan(route->slots + lo, hi - lo, hint, advanced, max);
	atomic64_add(hi - lo, &route->slots_scanned);
	*hint_hit = n && hint != GPUFE_ROUTE_NO_HINT && advanced[0] == hint;

	for (i = 0; i < n; i++) {
		idx = lo + advanced[i];
		hits[i].ctx = gpufe_ctx_get(route->ctxs[idx]);
		hits[i].seen = route->slots[idx].seen;
	}
	/* After the loop above: removing moves entries around. */
	for (i = 0; i < n; i++)
		if (hits[i].seen >= hits[i].ctx->rt.handed)
			gpufe_route_remove_locked(route, hits[i].ctx);
	return n;
}

/*
 * Deliver what a scan found, and drop its references; signal at most
 * GPUFE_DELIVER_BATCH jobs in all in hard-IRQ context, per context in
 * process context (the contexts' work items signal the rest).
 */
static void gpufe_route_deliver(struct gpufe_route_hit *hits, unsigned int n,
				bool may_sleep)
{
	unsigned int i, budget = GPUFE_DELIVER_BATCH;

	for (i = 0; i < n; i++) {
		if (may_sleep)
			budget = GPUFE_DELIVER_BATCH;
		gpufe_ctx_deliver(hits[i].ctx, hits[i].seen, &budget);
		gpufe_ctx_put(hits[i].ctx);
		if (may_sleep)
			cond_resched();
	}
}

/**
 * struct gpufe_route_run - what one router run did, for the counters
 * @delivered: contexts delivered to
 * @hint_hit: the hinted slot moved
 * @scan_ns: time spent finding whose slots moved
 * @deliver_ns: time spent delivering
 */
struct gpufe_route_run {
	unsigned int delivered;
	bool hint_hit;
	u64 scan_ns;
	u64 deliver_ns;
};

static void gpufe_route_count(struct gpufe_route *route,
			      const struct gpufe_route_run *run, bool watchdog)
{
	if (watchdog) {
		atomic64_inc(&route->watchdog_scans);
		atomic64_add(run->delivered, &route->watchdog_delivered);
		return;
	}
	atomic64_inc(&route->routes);
	atomic64_add(run->delivered, &route->delivered);
	if (run->hint_hit)
		atomic64_inc(&route->hint_hits);
	atomic64_add(run->scan_ns, &route->route_ns);
	atomic64_add(run->deliver_ns, &route->deliver_ns);
}

/*
 * Scan the whole pending set and deliver what moved, in process context:
 * for the watchdog, and for interrupts that find more pending contexts,
 * or more that moved, than the hard-IRQ router handles. The set is
 * scanned in chunks of GPUFE_ROUTE_CHUNK with the lock dropped between
 * them, from the top down: a removal moves the set's last entry, one
 * scanned already or added since (with nothing yet to report), into the
 * hole, so no entry is missed however the set changes meanwhile.
 */
static unsigned int gpufe_route_run_all(struct gpufe_route *route,
					bool watchdog)
{
	struct gpufe_route_hit hits[GPUFE_ROUTE_CHUNK];
	unsigned int advanced[GPUFE_ROUTE_CHUNK];
	struct gpufe_route_run run = {};
	unsigned int lo, hi, n;
	bool hit, cookie;
	u64 t;

	/* Fences wait for this work: no waiting for memory or fences here. */
	cookie = dma_fence_begin_signalling();
	spin_lock_irq(&route->lock);
	for (hi = route->num_pending; hi; hi = min(lo, route->num_pending)) {
		lo = hi > GPUFE_ROUTE_CHUNK ? hi - GPUFE_ROUTE_CHUNK : 0;
		t = ktime_get_ns();
		n = gpufe_route_scan_locked(route, lo, hi, GPUFE_IRQ_NO_HINT,
					    &hit, advanced, hits,
					    GPUFE_ROUTE_CHUNK);
		spin_unlock_irq(&route->lock);
		run.scan_ns += ktime_get_ns() - t;

		t = ktime_get_ns();
		gpufe_route_deliver(hits, n, true);
		run.deliver_ns += ktime_get_ns() - t;
		run.delivered += n;
		cond_resched();
		spin_lock_irq(&route->lock);
	}
	spin_unlock_irq(&route->lock);
	dma_fence_end_signalling(cookie);
	gpufe_route_count(route, &run, watchdog);
	return run.delivered;
}

/* The watchdog's delay after @idle scans in a row found nothing. */
static unsigned long gpufe_route_watchdog_delay(unsigned int idle)
{
	unsigned int ms = clamp(READ_ONCE(gpufe_route_watchdog_ms), 1U,
				GPUFE_ROUTE_WATCHDOG_MAX_MS);

	ms <<= min(idle, 10U);
	return msecs_to_jiffies(min(ms, GPUFE_ROUTE_WATCHDOG_MAX_MS));
}

static void gpufe_route_work(struct work_struct *work)
{
	struct gpufe_route *route = container_of(work, struct gpufe_route,
						 work);
	bool pending;

	/* As in gpufe_route_irq_work(): nothing found, look again soon. */
	if (!gpufe_route_run_all(route, false)) {
		spin_lock_irq(&route->lock);
		pending = route->num_pending;
		spin_unlock_irq(&route->lock);
		if (pending)
			mod_delayed_work(gpufe_route_wq, &route->watchdog,
					 gpufe_route_watchdog_delay(0));
	}
}

/*
 * The router, in hard-IRQ context: one scan of at most
 * GPUFE_ROUTE_IRQ_SCAN slots and at most GPUFE_ROUTE_BATCH deliveries; a
 * larger set, or more slots that moved, go to gpufe_route_work(), so that
 * the time spent with interrupts off stays bounded whatever user space
 * does.
 */
static void gpufe_route_irq_work(struct irq_work *work)
{
	struct gpufe_route *route = container_of(work, struct gpufe_route,
						 irq_work);
	struct gpufe_route_hit hits[GPUFE_ROUTE_BATCH];
	unsigned int advanced[GPUFE_ROUTE_BATCH];
	u32 hint = xchg(&route->hint, GPUFE_IRQ_NO_HINT);
	struct gpufe_route_run run = {};
	u64 start = ktime_get_ns();
	unsigned int n, pending;
	unsigned long flags;

	spin_lock_irqsave(&route->lock, flags);
	if (route->num_pending > GPUFE_ROUTE_IRQ_SCAN) {
		spin_unlock_irqrestore(&route->lock, flags);
		queue_work(gpufe_route_wq, &route->work);
		return;
	}
	n = gpufe_route_scan_locked(route, 0, route->num_pending, hint,
				    &run.hint_hit, advanced, hits,
				    GPUFE_ROUTE_BATCH);
	pending = route->num_pending;
	spin_unlock_irqrestore(&route->lock, flags);
	run.scan_ns = ktime_get_ns() - start;
	/*
	 * An interrupt that finds nothing may have come before its slot
	 * write (a DMA write after its MSI): the watchdog looks again soon,
	 * however long it had backed off.
	 */
	if (!n && pending)
		mod_delayed_work(gpufe_route_wq, &route->watchdog,
				 gpufe_route_watchdog_delay(0));
	/* Full: more may have moved, which the scan left for the next. */
	if (n == GPUFE_ROUTE_BATCH)
		queue_work(gpufe_route_wq, &route->work);
	gpufe_route_deliver(hits, n, false);

	run.delivered = n;
	run.deliver_ns = ktime_get_ns() - start - run.scan_ns;
	gpufe_route_count(route, &run, false);
}

static void gpufe_route_watchdog(struct work_struct *work)
{
	struct gpufe_route *route = container_of(to_delayed_work(work),
						 struct gpufe_route, watchdog);
	unsigned int pending, idle;

	idle = gpufe_route_run_all(route, true) ? 0 :
	       READ_ONCE(route->watchdog_idle) + 1;
	WRITE_ONCE(route->watchdog_idle, idle);

	spin_lock_irq(&route->lock);
	pending = route->num_pending;
	spin_unlock_irq(&route->lock);
	/* Not mod_delayed_work(): an interrupt may have armed it sooner. */
	if (pending)
		queue_delayed_work(gpufe_route_wq, &route->watchdog,
				   gpufe_route_watchdog_delay(idle));
}

/**
 * gpufe_route_poll - scan a device's pending set now
 * @gdev: the device
 *
 * Delivers every completion whose slot moved, as the watchdog would; for
 * the hang check, before it blames a job. Process context.
 */
void gpufe_route_poll(struct gpufe_device *gdev)
{
	gpufe_route_run_all(&gdev->route, true);
}

/**
 * gpufe_device_irq - the back-end's interrupt
 * @gdev: the device
 * @hint: the &gpufe_job.irq_hint of a job whose completion this interrupt
 *	reports, or %GPUFE_IRQ_NO_HINT
 *
 * Raise after gpufe_job_complete() (or the device's own slot write), once
 * for any number of completions. Every interrupt makes the front-end scan
 * every slot with a job in flight on the device, so one interrupt for
 * several completions, a wrong hint, or an interrupt raised before its
 * slot write became visible is harmless; a lost interrupt only delays
 * completions until the next interrupt or the ``route_watchdog_ms``
 * watchdog.
 *
 * Context: any, including hard IRQ. Valid until the back-end's
 * gpufe_device_release(), also after gpufe_device_unregister().
 */
void gpufe_device_irq(struct gpufe_device *gdev, u32 hint)
{
	struct gpufe_route *route = &gdev->route;

	atomic64_inc(&route->irqs);
	WRITE_ONCE(route->hint, hint);
	/* The device is alive: the watchdog starts again from its shortest. */
	WRITE_ONCE(route->watchdog_idle, 0);
	irq_work_queue(&route->irq_work);
}
EXPORT_SYMBOL_GPL(gpufe_device_irq);

/**
 * gpufe_route_add - a context's job goes to the back-end
 * @ctx: the context
 * @seqno: the job's sequence number
 *
 * Makes the context pending on its device, if it is not yet, before the
 * back-end can write the job's slot. Callable from any context, also
 * with interrupts off (under the scheduler's engine lock).
 *
 * Return: the job's interrupt hint, the context's place in the set.
 */
u32 gpufe_route_add(struct gpufe_ctx *ctx, u64 seqno)
{
	struct gpufe_route *route = &ctx->gdev->route;
	unsigned long flags;
	bool first = false;
	unsigned int i;

	spin_lock_irqsave(&route->lock, flags);
	ctx->rt.handed = seqno;
	if (ctx->rt.idx < 0) {
		/* gpufe_route_reserve() made room for every context. */
		i = route->num_pending++;
		route->slots[i].seqno = &ctx->rt.slot->seqno;
		/* Whatever the slot says now was delivered already. */
		route->slots[i].seen = smp_load_acquire(&ctx->rt.slot->seqno);
		route->ctxs[i] = ctx;
		ctx->rt.idx = i;
		first = !i;
	}
	i = ctx->rt.idx;
	spin_unlock_irqrestore(&route->lock, flags);

	if (first) {
		WRITE_ONCE(route->watchdog_idle, 0);
		mod_delayed_work(gpufe_route_wq, &route->watchdog,
				 gpufe_route_watchdog_delay(0));
	}
	return i;
}

/*
 * Give the pending set room for @capacity contexts; under resize_lock,
 * with @capacity at least num_ctxs. Returns 0 or -ENOMEM.
 */
static int gpufe_route_resize_locked(struct gpufe_route *route,
				     unsigned int capacity)
{
	struct gpufe_route_slot *slots;
	struct gpufe_ctx **ctxs;

	lockdep_assert_held(&route->resize_lock);

	/* Charged to whoever makes the device's contexts outgrow them. */
	slots = kvmalloc_array(capacity, sizeof(*slots), GFP_KERNEL_ACCOUNT);
	ctxs = kvmalloc_array(capacity, sizeof(*ctxs), GFP_KERNEL_ACCOUNT);
	if (!slots || !ctxs) {
		kvfree(slots);
		kvfree(ctxs);
		return -ENOMEM;
	}

	/* No router takes resize_lock: none waits for this allocation. */
	spin_lock_irq(&route->lock);
	/* Pending contexts are alive ones: they fit in @capacity. */
	memcpy(slots, route->slots, route->num_pending * sizeof(*slots));
	memcpy(ctxs, route->ctxs, route->num_pending * sizeof(*ctxs));
	swap(route->slots, slots);
	swap(route->ctxs, ctxs);
	route->capacity = capacity;
	spin_unlock_irq(&route->lock);
	/* The old arrays: the router reads the arrays only under the lock. */
	kvfree(slots);
	kvfree(ctxs);
	return 0;
}

/**
 * gpufe_route_reserve - make room for one more context in the pending set
 * @gdev: the device a context is being created on
 *
 * Undone by gpufe_route_unreserve().
 *
 * Return: 0 or -ENOMEM.
 */
int gpufe_route_reserve(struct gpufe_device *gdev)
{
	struct gpufe_route *route = &gdev->route;
	int ret = 0;

	mutex_lock(&route->resize_lock);
	if (route->num_ctxs >= route->capacity)
		ret = gpufe_route_resize_locked(route,
						max(route->capacity * 2,
						    GPUFE_ROUTE_MIN_CAPACITY));
	if (!ret)
		route->num_ctxs++;
	mutex_unlock(&route->resize_lock);
	return ret;
}

/**
 * gpufe_route_take_back - the back-end handed a context's job back
 * @ctx: the context
 * @seqno: the job's sequence number; the back-end holds no later job of
 *	the context
 *
 * The context leaves its device's pending set if the router has seen
 * every job it still has in the back-end's hands, so that jobs waiting to
 * run again cost no scan. Callable from any context.
 */
void gpufe_route_take_back(struct gpufe_ctx *ctx, u64 seqno)
{
	struct gpufe_route *route = &ctx->gdev->route;
	unsigned long flags;

	spin_lock_irqsave(&route->lock, flags);
	ctx->rt.handed = seqno - 1;
	if (ctx->rt.idx >= 0 &&
	    route->slots[ctx->rt.idx].seen >= ctx->rt.handed)
		gpufe_route_remove_locked(route, ctx);
	spin_unlock_irqrestore(&route->lock, flags);
}

/**
 * gpufe_route_forget - take a retiring context out of the pending set
 * @ctx: the context, whose jobs have all signalled
 *
 * A context leaves the set when the router sees its last job's slot
 * value, and its jobs are never signalled past what the router saw, so
 * it has normally left already; this makes sure that the set never keeps
 * a context that is going away.
 */
void gpufe_route_forget(struct gpufe_ctx *ctx)
{
	struct gpufe_route *route = &ctx->gdev->route;
	unsigned long flags;

	spin_lock_irqsave(&route->lock, flags);
	if (ctx->rt.idx >= 0)
		gpufe_route_remove_locked(route, ctx);
	spin_unlock_irqrestore(&route->lock, flags);
}

/**
 * gpufe_route_unreserve - a context of the device retired
 * @gdev: the device
 *
 * May sleep.
 */
void gpufe_route_unreserve(struct gpufe_device *gdev)
{
	struct gpufe_route *route = &gdev->route;
	bool shrink;

	mutex_lock(&route->resize_lock);
	route->num_ctxs--;
	shrink = route->capacity > GPUFE_ROUTE_MIN_CAPACITY &&
		 route->num_ctxs < route->capacity / 4;
	mutex_unlock(&route->resize_lock);
	if (shrink)
		queue_work(gpufe_cleanup_wq, &route->shrink_work);
}

/* Halve the arrays while a quarter of them or less is in use. */
static void gpufe_route_shrink_work(struct work_struct *work)
{
	struct gpufe_route *route = container_of(work, struct gpufe_route,
						 shrink_work);
	unsigned int capacity;

	mutex_lock(&route->resize_lock);
	capacity = route->capacity;
	while (capacity > GPUFE_ROUTE_MIN_CAPACITY &&
	       route->num_ctxs < capacity / 4)
		capacity /= 2;
	/* Failing to shrink is harmless: the old arrays stay. */
	if (capacity != route->capacity)
		gpufe_route_resize_locked(route, capacity);
	mutex_unlock(&route->resize_lock);
}

/**
 * gpufe_route_init - set up a new device's routing
 * @gdev: the device
 */
void gpufe_route_init(struct gpufe_device *gdev)
{
	struct gpufe_route *route = &gdev->route;

	spin_lock_init(&route->lock);
	mutex_init(&route->resize_lock);
	route->hint = GPUFE_IRQ_NO_HINT;
	init_irq_work(&route->irq_work, gpufe_route_irq_work);
	INIT_WORK(&route->work, gpufe_route_work);
	INIT_DELAYED_WORK(&route->watchdog, gpufe_route_watchdog);
	INIT_WORK(&route->shrink_work, gpufe_route_shrink_work);
}

/**
 * gpufe_route_fini - tear a device's routing down
 * @gdev: the device, whose last reference is gone: no context is left and
 *	the back-end raises no more interrupts
 *
 * May sleep.
 */
void gpufe_route_fini(struct gpufe_device *gdev)
{
	struct gpufe_route *route = &gdev->route;

	/* The interrupt may queue the work; the watchdog queues nothing. */
	irq_work_sync(&route->irq_work);
	cancel_work_sync(&route->work);
	cancel_delayed_work_sync(&route->watchdog);
	cancel_work_sync(&route->shrink_work);
	WARN_ON(route->num_pending || route->num_ctxs);
	kvfree(route->slots);
	kvfree(route->ctxs);
	mutex_destroy(&route->resize_lock);
}

/**
 * gpufe_route_show - print every device's routing counters for debugfs
 * @m: the seq_file
 */
void gpufe_route_show(struct seq_file *m)
{
	struct gpufe_device *gdev;
	unsigned long index = 0;
	unsigned int pending, capacity;

	mutex_lock(&gpufe_registry_lock);
	while ((gdev = gpufe_device_next_locked(&index))) {
		struct gpufe_route *route = &gdev->route;

		spin_lock_irq(&route->lock);
		pending = route->num_pending;
		capacity = route->capacity;
		spin_unlock_irq(&route->lock);
		seq_printf(m, "%u %s irqs=%lld routes=%lld hint_hits=%lld slots_scanned=%lld delivered=%lld watchdog_scans=%lld watchdog_delivered=%lld route_ns=%lld deliver_ns=%lld pending=%u capacity=%u\n",
			   gdev->id, gdev->name,
			   (long long)atomic64_read(&route->irqs),
			   (long long)atomic64_read(&route->routes),
			   (long long)atomic64_read(&route->hint_hits),
			   (long long)atomic64_read(&route->slots_scanned),
			   (long long)atomic64_read(&route->delivered),
			   (long long)atomic64_read(&route->watchdog_scans),
			   (long long)atomic64_read(&route->watchdog_delivered),
			   (long long)atomic64_read(&route->route_ns),
			   (long long)atomic64_read(&route->deliver_ns),
			   pending, capacity);
	}
	mutex_unlock(&gpufe_registry_lock);
}
