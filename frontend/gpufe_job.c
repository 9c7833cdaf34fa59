// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: jobs, fences and completion events
 *
 * SUBMIT turns a command stream into a job: everything user space passed
 * is copied and checked (flags, sizes, the buffer list, the context, the
 * in-fence, the back-end's @validate) before anything is published, so a
 * failed SUBMIT changes nothing. Then, under the context's submit lock and
 * the reservation locks of all its buffers (taken together with a
 * ww_acquire_ctx), the job collects its dependencies, gets the next
 * sequence number and a dma_fence on the context's timeline, and leaves
 * that fence in every buffer's dma_resv as a reader or a writer.
 *
 * On a device with &gpufe_device_desc.map_bos, the job's buffers come
 * with their mappings for its DMA device (gpufe_bo_dma_map(), once
 * @validate accepted the job), which it shares with the other jobs in
 * flight on that device, until the last is done or the device released.
 *
 * Then the job goes to the scheduler (gpufe_sched.c): the context's work
 * item waits (with one fence callback, never blocking a thread) until each
 * dependency of the head of the context's queue has signalled, and the
 * engine's run queue decides when it goes to the back-end. A dependency
 * from outside gpufe that has not signalled within ``job_timeout_ms``
 * fails the job with ``-ETIMEDOUT`` (gpufe's own fences
 * signal in bounded time by themselves), so every fence signals in finite
 * time; a device that went away fails its jobs with ``-ENODEV``. A job
 * that fails before reaching the back-end signals only after the jobs
 * ahead of it in its context, from the context's failed list.
 *
 * The back-end reports the end of a job through the job's completion slot
 * (gpufe_job_complete()) and its interrupt; the router (gpufe_irq.c)
 * finds the slots that moved and calls gpufe_ctx_deliver(), from any
 * context: the fences of the context's jobs up to the slot's sequence
 * number signal, in order, the context's completed sequence number
 * advances, WAIT callers wake, and the context is queued once on its
 * client's event list for read() and poll(). What may sleep (dropping
 * buffers) happens in a work item.
 *
 * A job that fails before reaching the back-end has its slot written by
 * the front-end when its turn comes. So that the slot has one writer at a
 * time, no job of a context that comes after such a failed job goes to the
 * back-end while the failed job waits for the jobs ahead of it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/jiffies.h>
#include <linux/llist.h>
#include <linux/sched/signal.h>
#include <linux/bsearch.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/sync_file.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "gpufe_drv.h"

/* Jobs done, whose resources one work item drops in batches. */
static LLIST_HEAD(gpufe_jobs_done);
static void gpufe_jobs_done_work(struct work_struct *work);
static DECLARE_WORK(gpufe_jobs_done_cleanup, gpufe_jobs_done_work);

/*
 * Jobs, with their fences, come from a cache of their own: one is
 * allocated and freed per SUBMIT. User space writes only the inline
 * command stream.
 */
static struct kmem_cache *gpufe_job_cache;

/*
 * Fences whose last reference went, freed by a work item a tick later:
 * fences end in bursts, and one wake-up frees a burst.
 */
static LLIST_HEAD(gpufe_fences_dead);
static void gpufe_fences_free_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(gpufe_fences_free, gpufe_fences_free_work);

static struct gpufe_job_fe *to_job_fe(struct dma_fence *fence)
{
	return container_of(fence, struct gpufe_job_fe, fence);
}

static const char *gpufe_fence_get_driver_name(struct dma_fence *fence)
{
	return "gpufe";
}

static const char *gpufe_fence_get_timeline_name(struct dma_fence *fence)
{
	return to_job_fe(fence)->ctx->tl.name;
}

/*
 * Module lifetime: the dma-fence core calls a fence's ops, which live in
 * this module, until the fence is freed, so every fence holds its context
 * and each context holds the module. The last fence reference may be
 * dropped by any thread, in any driver: the release only hands the fence
 * to gpufe_fences_free_work(), on gpufe_cleanup_wq, which frees it after
 * an RCU grace period and drops the context, whose release drops the
 * module reference, on the same queue. The module's exit flushes that
 * work and waits for the grace periods (gpufe_jobs_fini()), destroys the
 * queue, and then waits with synchronize_rcu_tasks() for any thread still
 * on its way out of this function.
 */
static void gpufe_fence_release(struct dma_fence *fence)
{
	struct gpufe_job_fe *job = to_job_fe(fence);

	if (llist_add(&job->free_node, &gpufe_fences_dead))
		queue_delayed_work(gpufe_cleanup_wq, &gpufe_fences_free, 1);
}

/* After a grace period: dma_fence_get_rcu() may still look at it. */
static void gpufe_job_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(gpufe_job_cache,
			container_of(rcu, struct gpufe_job_fe, fence.rcu));
}

static void gpufe_fences_free_work(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&gpufe_fences_dead);
	struct gpufe_job_fe *job, *next;

	llist_for_each_entry_safe(job, next, list, free_node) {
		struct gpufe_ctx *ctx = job->ctx;

		/* Queued before the module reference can go. */
		call_rcu(&job->fence.rcu, gpufe_job_free_rcu);
		gpufe_ctx_put(ctx);
	}
}

static const struct dma_fence_ops gpufe_fence_ops = {
	.use_64bit_seqno = true,
	.get_driver_name = gpufe_fence_get_driver_name,
	.get_timeline_name = gpufe_fence_get_timeline_name,
	.release = gpufe_fence_release,
};

/**
 * gpufe_job_is_gpufe - whether a fence is a gpufe job's
 * @fence: the fence
 *
 * Return: true for the fence of a gpufe job, which signals in bounded
 * time by itself.
 */
bool gpufe_job_is_gpufe(const struct dma_fence *fence)
{
	return fence->ops == &gpufe_fence_ops;
}

/*
 * Drop what the job holds besides its context. Sleeps only to drop
 * buffers: without any, callable from any context.
 */
static void gpufe_job_put_resources(struct gpufe_job_fe *job)
{
	unsigned int i;

	for (i = 0; i < job->num_deps; i++)
		dma_fence_put(job->deps[i]);
	kfree(job->deps);
	for (i = 0; i < job->base.num_bos; i++) {
		/* Set by gpufe_job_validate() on a map_bos device only. */
		if (job->base.bos[i].sgt)
			gpufe_bo_dma_unmap(job->bos[i], job->base.bos[i].sgt);
		gpufe_bo_put(job->bos[i]);
	}
	kfree(job->bos);
	kfree(job->base.bos);
	if (job->base.cmds != job->inline_cmds)
		kvfree(job->base.cmds);
}

static void gpufe_jobs_done_work(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&gpufe_jobs_done);
	struct gpufe_job_fe *job, *next;

	llist_for_each_entry_safe(job, next, list, free_node) {
		gpufe_job_put_resources(job);
		dma_fence_put(&job->fence);
	}
}

/**
 * gpufe_jobs_init - create the jobs' cache
 *
 * Return: 0 or -ENOMEM.
 */
int __init gpufe_jobs_init(void)
{
	gpufe_job_cache =
		kmem_cache_create_usercopy("gpufe_job",
					   sizeof(struct gpufe_job_fe), 0,
					   SLAB_ACCOUNT,
					   offsetof(struct gpufe_job_fe,
						    inline_cmds),
					   sizeof_field(struct gpufe_job_fe,
							inline_cmds),
					   NULL);
	return gpufe_job_cache ? 0 : -ENOMEM;
}

/**
 * gpufe_jobs_fini - wait until every finished job has been freed, and
 *	destroy the jobs' cache
 *
 * For module exit, once no job can finish any more.
 */
void gpufe_jobs_fini(void)
{
	flush_work(&gpufe_jobs_done_cleanup);
	flush_delayed_work(&gpufe_fences_free);
	/* The grace periods of the last fences. */
	rcu_barrier();
	kmem_cache_destroy(gpufe_job_cache);
}

static int gpufe_u64_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/**
 * gpufe_resv_scrub - let go of gpufe's signalled fences in a reservation
 * @resv: the reservation object of a buffer of another driver that gpufe
 *	drops
 *
 * A signalled gpufe fence left in another driver's reservation object
 * would keep its context, and so gpufe.ko, alive for as long as that
 * buffer lives. Replaces the fences of every gpufe context whose fences
 * in @resv have all signalled with the signalled stub fence. May sleep.
 */
void gpufe_resv_scrub(struct dma_resv *resv)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence, *stub;
	unsigned int n = 0, max = 0;
	u64 *busy;

	dma_resv_lock(resv, NULL);
	dma_resv_for_each_fence(&cursor, resv, DMA_RESV_USAGE_BOOKKEEP, fence)
		max += fence->ops == &gpufe_fence_ops;
	if (!max)
		goto out_unlock;
	/* Without memory, the fences stay: the module stays loaded. */
	busy = kmalloc_array(max, sizeof(*busy), GFP_KERNEL);
	if (!busy)
		goto out_unlock;

	/* First the contexts with a fence that has not signalled. */
	dma_resv_for_each_fence(&cursor, resv, DMA_RESV_USAGE_BOOKKEEP, fence)
		if (fence->ops == &gpufe_fence_ops &&
		    !dma_fence_is_signaled(fence))
			busy[n++] = fence->context;
	sort(busy, n, sizeof(*busy), gpufe_u64_cmp, NULL);

	/*
	 * Then the others' fences, all signalled. Replacing them keeps the
	 * list's order and length: the cursor goes on where it was.
	 */
	stub = dma_fence_get_stub();
	dma_resv_for_each_fence(&cursor, resv, DMA_RESV_USAGE_BOOKKEEP, fence)
		if (fence->ops == &gpufe_fence_ops &&
		    !bsearch(&fence->context, busy, n, sizeof(*busy),
			     gpufe_u64_cmp))
			dma_resv_replace_fences(resv, fence->context, stub,
						dma_resv_iter_usage(&cursor));
	dma_fence_put(stub);
	kfree(busy);
out_unlock:
	dma_resv_unlock(resv);
}

/* Wake the sleepers of @wq, if any, counting it for the client's fdinfo. */
static void gpufe_client_wake(struct gpufe_client *client,
			      struct wait_queue_head *wq, bool interruptible)
{
	if (!wq_has_sleeper(wq))
		return;
	atomic64_inc(&client->wakeups);
	if (interruptible)
		wake_up_interruptible(wq);
	else
		wake_up_all(wq);
}

/*
 * Events of contexts whose handle is gone are bounded like those of live
 * ones, by max_contexts: past that, an orphan's event is dropped.
 */
static bool gpufe_orphan_event_room_locked(struct gpufe_client *client)
{
	lockdep_assert_held(&client->event_lock);

	return client->orphan_events < READ_ONCE(gpufe_max_contexts);
}

static void gpufe_ctx_event(struct gpufe_ctx *ctx)
{
	struct gpufe_client *client = ctx->client;
	unsigned long flags;

	spin_lock_irqsave(&client->event_lock, flags);
	if (!ctx->ev.pending && !client->closed &&
	    (!ctx->ev.orphan || gpufe_orphan_event_room_locked(client))) {
		ctx->ev.pending = true;
		list_add_tail(&ctx->ev.link, &client->events);
		gpufe_ctx_get(ctx);
		if (ctx->ev.orphan)
			client->orphan_events++;
	}
	spin_unlock_irqrestore(&client->event_lock, flags);
	gpufe_client_wake(client, &client->event_wq, true);
}

/**
 * gpufe_ctx_orphan - a context's handle is gone
 * @ctx: the context
 *
 * Its completion events now count among the client's orphan events; one
 * unread already is dropped if there is no room for it.
 */
void gpufe_ctx_orphan(struct gpufe_ctx *ctx)
{
	struct gpufe_client *client = ctx->client;
	bool drop = false;

	spin_lock_irq(&client->event_lock);
	ctx->ev.orphan = true;
	if (ctx->ev.pending) {
		if (gpufe_orphan_event_room_locked(client)) {
			client->orphan_events++;
		} else {
			list_del_init(&ctx->ev.link);
			ctx->ev.pending = false;
			drop = true;
		}
	}
	spin_unlock_irq(&client->event_lock);
	if (drop)
		gpufe_ctx_put(ctx);
}

/* Under the fence lock: the job's fence signals, the context advances. */
static void gpufe_job_signal_locked(struct gpufe_ctx *ctx,
				    struct gpufe_job_fe *job, int error)
{
	lockdep_assert_held(&ctx->tl.lock);

	if (error) {
		dma_fence_set_error(&job->fence, error);
		ctx->tl.error = error;
	}
	if (job->fence.seqno > atomic64_read(&ctx->tl.completed))
		atomic64_set(&ctx->tl.completed, job->fence.seqno);
	dma_fence_signal_locked(&job->fence);
	atomic64_inc(&ctx->client->jobs_completed);
}

/* After jobs of @ctx signalled: its event, then its waiters. */
static void gpufe_ctx_done_notify(struct gpufe_ctx *ctx)
{
	/* The event first: a WAIT that returns may read() it at once. */
	gpufe_ctx_event(ctx);
	gpufe_client_wake(ctx->client, &ctx->ev.wq, false);
}

/*
 * @n jobs of @client are done, or a SUBMIT gave its place back. A SUBMIT
 * waiting for a place wakes once a quarter of max_inflight_jobs is free,
 * not at each completion: the client then submits in bursts instead of
 * one job per wake-up. Jobs in flight always end, so it always wakes.
 */
static void gpufe_client_inflight_sub(struct gpufe_client *client,
				      unsigned int n)
{
	unsigned int max = READ_ONCE(gpufe_max_inflight_jobs);
	unsigned int left = atomic_sub_return(n, &client->jobs_inflight);

	if (left <= max - max / 4 && wq_has_sleeper(&client->throttle_wq))
		wake_up(&client->throttle_wq);
}

/* Take a place for a job, if the client has fewer than max_inflight_jobs. */
static bool gpufe_client_inflight_get(struct gpufe_client *client)
{
	int n = atomic_read(&client->jobs_inflight);

	do {
		if ((unsigned int)n >= READ_ONCE(gpufe_max_inflight_jobs))
			return false;
	} while (!atomic_try_cmpxchg(&client->jobs_inflight, &n, n + 1));
	return true;
}

/*
 * Signalled jobs of @ctx, on @done, leave the client's count and the
 * context's active count, @ctx hears of them (its event, its waiters),
 * and they are freed: last, as their references may be all that keeps
 * @ctx. Callable from any context.
 */
static void gpufe_jobs_finish(struct gpufe_ctx *ctx, struct list_head *done)
{
	struct gpufe_job_fe *job, *next;
	unsigned int n = 0;

	list_for_each_entry(job, done, link)
		n++;
	if (!n)
		return;
	/* Counted out first: a woken waiter finds them so. */
	gpufe_ctx_active_sub_atomic(ctx, n);
	gpufe_client_inflight_sub(ctx->client, n);
	gpufe_ctx_done_notify(ctx);

	list_for_each_entry_safe(job, next, done, link) {
		/*
		 * Dropping a buffer, a dependency or a vmalloc()ed command
		 * stream may sleep or run other drivers' code: a job without
		 * any is freed here, others by a work item, in batches.
		 */
		if (!job->base.num_bos && !job->num_deps &&
		    job->base.cmds == job->inline_cmds) {
			gpufe_job_put_resources(job);
			dma_fence_put(&job->fence);
		} else if (llist_add(&job->free_node, &gpufe_jobs_done)) {
			queue_work(gpufe_cleanup_wq, &gpufe_jobs_done_cleanup);
		}
	}
}

/**
 * gpufe_job_complete - a job has ended: write its completion slot
 * @base: the job the back-end got through its @run
 * @error: 0, or the negative errno it failed with
 *
 * Stores @error, then the job's sequence number with release ordering,
 * into the job's completion slot; the back-end calls it after the job's
 * results are in memory and raises gpufe_device_irq() afterwards (once
 * for any number of completions). The job's fence signals when the
 * router sees the slot move. Callable from any context, including hard
 * interrupts. The back-end must not touch the job afterwards.
 */
void gpufe_job_complete(struct gpufe_job *base, int error)
{
	struct gpufe_job_fe *job = container_of(base, struct gpufe_job_fe,
						base);

	/* Published by the release below: the router reads it after. */
	job->error = error;
	gpufe_slot_write(base->slot, base->seqno, error);
}
EXPORT_SYMBOL_GPL(gpufe_job_complete);

/*
 * Under the fence lock: signal the failed jobs whose turn has come, in
 * order and at most *@budget of them, writing the slot for each, and move
 * them to @done. Sets *@unblocked if any signalled, so that the jobs after
 * them may go to the back-end again. Returns true if the budget ran out.
 */
static bool gpufe_ctx_signal_failed_locked(struct gpufe_ctx *ctx,
					   struct list_head *done,
					   unsigned int *budget,
					   bool *unblocked)
{
	struct gpufe_job_fe *job, *next;
	bool more = false;

	lockdep_assert_held(&ctx->tl.lock);
	*unblocked = false;

	list_for_each_entry_safe(job, next, &ctx->tl.failed, link) {
		if (job->fence.seqno != atomic64_read(&ctx->tl.completed) + 1)
			break;
		if (!*budget) {
			more = true;
			break;
		}
		/* The back-end holds no job of @ctx: the slot is ours. */
		gpufe_slot_write(ctx->rt.slot, job->fence.seqno, job->error);
		gpufe_job_signal_locked(ctx, job, job->error);
		list_move_tail(&job->link, done);
		--*budget;
		/* Jobs after it may go to the back-end now. */
		*unblocked = true;
	}
	return more;
}

/**
 * gpufe_ctx_deliver - signal a context's jobs up to a sequence number
 * @ctx: the context
 * @seqno: what its completion slot showed to the router
 * @budget: in/out: the most jobs to signal, less those signalled
 *
 * Called by the router for a context whose slot moved. Signals every job
 * of @ctx up to @seqno that has not signalled yet, in order, then the
 * failed jobs that waited for them, and wakes the context's waiters.
 * Idempotent: a second delivery of the same @seqno does nothing. Callable
 * from any context, including hard interrupts. If @budget runs out first,
 * the context's work delivers the rest, up to @seqno: never further than
 * the router has seen, so that a context never retires while it is
 * still in its device's pending set.
 *
 * Return: true if the budget ran out first.
 */
bool gpufe_ctx_deliver(struct gpufe_ctx *ctx, u64 seqno, unsigned int *budget)
{
	struct gpufe_job_fe *job, *next;
	LIST_HEAD(done);
	unsigned long flags;
	bool unblocked = false, more = false;

	spin_lock_irqsave(&ctx->tl.lock, flags);
	list_for_each_entry_safe(job, next, &ctx->tl.inflight, link) {
		if (job->fence.seqno > seqno)
			break;
		if (!*budget) {
			more = true;
			break;
		}
		gpufe_job_signal_locked(ctx, job, job->error);
		list_move_tail(&job->link, &done);
		--*budget;
	}
	if (!more)
		more = gpufe_ctx_signal_failed_locked(ctx, &done, budget,
						      &unblocked);
	if (more)
		ctx->tl.deliver_to = max(ctx->tl.deliver_to, seqno);
	spin_unlock_irqrestore(&ctx->tl.lock, flags);

	if (more || unblocked)
		mod_delayed_work(gpufe_wq, &ctx->work, 0);
	if (!list_empty(&done)) {
		/* Before they are finished: they may be freed then. */
		bool kick = gpufe_sched_done(ctx, &done);

		atomic64_inc(&ctx->client->deliveries);
		gpufe_jobs_finish(ctx, &done);
		/* The next jobs, after the waiters heard of these. */
		if (kick)
			gpufe_sched_kick(ctx->ent.se);
	}
	return more;
}

/**
 * gpufe_ctx_deliver_rest - deliver what the router left for want of budget
 * @ctx: the context
 *
 * In the context's work: what gpufe_ctx_deliver() left, a batch at a time.
 */
void gpufe_ctx_deliver_rest(struct gpufe_ctx *ctx)
{
	unsigned int budget;
	u64 seqno;

	do {
		spin_lock_irq(&ctx->tl.lock);
		seqno = ctx->tl.deliver_to;
		spin_unlock_irq(&ctx->tl.lock);
		budget = GPUFE_DELIVER_BATCH;
		cond_resched();
	} while (gpufe_ctx_deliver(ctx, seqno, &budget));
}

/**
 * gpufe_job_fail_locked - fail a job that is not in the back-end's hands
 * @ctx: its context
 * @job: the job, on no list
 * @error: its error
 *
 * Its fence must not signal before those of the jobs ahead of it in the
 * context, which may still run: if they have not all completed, it waits
 * on the context's failed list, and the completion of its predecessor
 * signals it. Callable from any context, also under the engine's lock.
 */
void gpufe_job_fail_locked(struct gpufe_ctx *ctx, struct gpufe_job_fe *job,
			   int error)
{
	unsigned int budget = GPUFE_DELIVER_BATCH;
	struct gpufe_job_fe *next;
	LIST_HEAD(done);
	unsigned long flags;
	bool unblocked;

	job->error = error;
	spin_lock_irqsave(&ctx->tl.lock, flags);
	/*
	 * In sequence order: a job taken back from the back-end may fail
	 * after later ones of its context did.
	 */
	list_for_each_entry_reverse(next, &ctx->tl.failed, link)
		if (next->fence.seqno < job->fence.seqno)
			break;
	list_add(&job->link, &next->link);
	/* Signalled at once if every job ahead of it has signalled. */
	if (gpufe_ctx_signal_failed_locked(ctx, &done, &budget, &unblocked) ||
	    unblocked)
		mod_delayed_work(gpufe_wq, &ctx->work, 0);
	spin_unlock_irqrestore(&ctx->tl.lock, flags);

	gpufe_jobs_finish(ctx, &done);
}

#define GPUFE_SUBMIT_FLAGS	(GPUFE_SUBMIT_IN_FENCE | GPUFE_SUBMIT_OUT_FENCE)
#define GPUFE_SUBMIT_BO_FLAGS	(GPUFE_SUBMIT_BO_READ | GPUFE_SUBMIT_BO_WRITE)

static int gpufe_submit_check(const struct gpufe_submit *args)
{
	if (args->flags & ~GPUFE_SUBMIT_FLAGS)
		return -EINVAL;
	if (!(args->flags & GPUFE_SUBMIT_IN_FENCE) && args->in_fence_fd)
		return -EINVAL;
	if (!args->cmds_size || args->cmds_size % 4 ||
	    args->cmds_size > GPUFE_SUBMIT_MAX_CMDS_SIZE)
		return -EINVAL;
	if (args->num_bos > GPUFE_SUBMIT_MAX_BOS)
		return -EINVAL;
	return 0;
}

/* Copy in and check the buffer list, then look the buffers up. */
static int gpufe_submit_bos(struct gpufe_client *client,
			    const struct gpufe_submit *args,
			    struct gpufe_job_fe *job)
{
	struct gpufe_submit_bo *ubos;
	struct gpufe_job_bo *jbos;
	unsigned int i, j, n = args->num_bos;
	int ret = 0;

	if (!n)
		return 0;

	ubos = kmalloc_array(n, sizeof(*ubos), GFP_KERNEL_ACCOUNT);
	jbos = kcalloc(n, sizeof(*jbos), GFP_KERNEL_ACCOUNT);
	job->bos = kcalloc(n, sizeof(*job->bos), GFP_KERNEL_ACCOUNT);
	job->base.bos = jbos;
	if (!ubos || !jbos || !job->bos) {
		ret = -ENOMEM;
		goto out_free;
	}
	if (copy_from_user(ubos, u64_to_user_ptr(args->bos),
			   n * sizeof(*ubos))) {
		ret = -EFAULT;
		goto out_free;
	}

	for (i = 0; i < n; i++) {
		if (!ubos[i].flags || ubos[i].flags & ~GPUFE_SUBMIT_BO_FLAGS) {
			ret = -EINVAL;
			goto out_free;
		}
		for (j = 0; j < i; j++) {
			if (ubos[j].handle == ubos[i].handle) {
				ret = -EINVAL;
				goto out_free;
			}
		}
	}

	for (i = 0; i < n; i++) {
		bool readonly;
		struct gpufe_bo *bo = gpufe_bo_lookup(client, ubos[i].handle,
						      &readonly);

		if (!bo) {
			ret = -ENOENT;
			goto out_free;
		}
		job->bos[i] = bo;
		job->base.num_bos = i + 1;
		if ((ubos[i].flags & GPUFE_SUBMIT_BO_WRITE) && readonly) {
			ret = -EACCES;
			goto out_free;
		}
		jbos[i].vaddr = bo->vaddr;
		jbos[i].size = bo->size;
		jbos[i].flags = ubos[i].flags;
	}

out_free:
	kfree(ubos);
	return ret;
}

/* Lock the reservation objects of all the job's buffers (ww-mutex dance). */
static int gpufe_job_lock_resvs(struct gpufe_job_fe *job,
				struct ww_acquire_ctx *ticket)
{
	unsigned int n = job->base.num_bos;
	int contended = -1;
	int i, j, ret;

	if (!n)
		return 0;
	ww_acquire_init(ticket, &reservation_ww_class);
retry:
	if (contended != -1) {
		ret = dma_resv_lock_slow_interruptible(job->bos[contended]->resv,
						       ticket);
		if (ret) {
			ww_acquire_fini(ticket);
			return ret;
		}
	}
	for (i = 0; i < n; i++) {
		if (i == contended)
			continue;
		ret = dma_resv_lock_interruptible(job->bos[i]->resv, ticket);
		if (!ret)
			continue;

		for (j = 0; j < i; j++)
			dma_resv_unlock(job->bos[j]->resv);
		if (contended > i)
			dma_resv_unlock(job->bos[contended]->resv);
		if (ret == -EDEADLK) {
			contended = i;
			goto retry;
		}
		ww_acquire_fini(ticket);
		/* -EALREADY: two buffers share one dma_resv. */
		return ret == -EALREADY ? -EINVAL : ret;
	}
	ww_acquire_done(ticket);
	return 0;
}

static void gpufe_job_unlock_resvs(struct gpufe_job_fe *job,
				   struct ww_acquire_ctx *ticket)
{
	unsigned int i;

	if (!job->base.num_bos)
		return;
	for (i = 0; i < job->base.num_bos; i++)
		dma_resv_unlock(job->bos[i]->resv);
	ww_acquire_fini(ticket);
}

static int gpufe_job_add_deps(struct gpufe_job_fe *job,
			      struct dma_fence **fences, unsigned int n)
{
	struct dma_fence **deps;

	if (!n)
		return 0;
	deps = krealloc_array(job->deps, job->num_deps + n, sizeof(*deps),
			      GFP_KERNEL_ACCOUNT);
	if (!deps)
		return -ENOMEM;
	memcpy(deps + job->num_deps, fences, n * sizeof(*deps));
	job->deps = deps;
	job->num_deps += n;
	return 0;
}

/*
 * Under the reservation locks: collect the implicit dependencies of every
 * buffer and make room for the job's fence in each.
 */
static int gpufe_job_implicit_deps(struct gpufe_job_fe *job)
{
	unsigned int i, k;
	int ret;

	for (i = 0; i < job->base.num_bos; i++) {
		struct dma_resv *resv = job->bos[i]->resv;
		bool write = job->base.bos[i].flags & GPUFE_SUBMIT_BO_WRITE;
		struct dma_fence **fences;
		unsigned int n;

		ret = dma_resv_reserve_fences(resv, 1);
		if (ret)
			return ret;
		ret = dma_resv_get_fences(resv, dma_resv_usage_rw(write), &n,
					  &fences);
		if (ret)
			return ret;
		ret = gpufe_job_add_deps(job, fences, n);
		if (ret) {
			for (k = 0; k < n; k++)
				dma_fence_put(fences[k]);
		}
		kfree(fences);
		if (ret)
			return ret;
	}
	return 0;
}

static void gpufe_job_publish_fence(struct gpufe_job_fe *job)
{
	unsigned int i;

	for (i = 0; i < job->base.num_bos; i++) {
		bool write = job->base.bos[i].flags & GPUFE_SUBMIT_BO_WRITE;

		dma_resv_add_fence(job->bos[i]->resv, &job->fence,
				   write ? DMA_RESV_USAGE_WRITE :
				   DMA_RESV_USAGE_READ);
	}
}

/*
 * Between gpufe_device_enter() and gpufe_device_exit(). On a device with
 * map_bos, a job the back-end accepts gets its buffers mapped for the
 * device's DMA (gpufe_bo_dma_map()), until gpufe_job_put_resources(): a
 * refused one maps nothing.
 */
static int gpufe_job_validate(struct gpufe_ctx *ctx, struct gpufe_job_fe *job)
{
	struct gpufe_device *gdev = ctx->gdev;
	struct gpufe_job_bo *jbos = (struct gpufe_job_bo *)job->base.bos;
	struct sg_table *sgt;
	unsigned int i;
	int ret;

	if (gpufe_device_unplugged(gdev))
		return -ENODEV;
	ret = gdev->ops->validate(gdev, &job->base);
	for (i = 0; !ret && gdev->map_bos && i < job->base.num_bos; i++) {
		sgt = gpufe_bo_dma_map(job->bos[i], gdev);
		if (IS_ERR(sgt))
			return PTR_ERR(sgt);
		jbos[i].sgt = sgt;
	}
	return ret;
}

/*
 * Give the job its sequence number and fence, and queue it; between
 * gpufe_device_enter() and gpufe_device_exit(), for the fast path. Once
 * queued, the job may complete and be freed at any time: @seqno is the
 * caller's copy of its sequence number.
 */
static int gpufe_job_queue(struct gpufe_ctx *ctx, struct gpufe_job_fe *job,
			   bool want_sync_file, struct sync_file **sync_file,
			   u64 *seqno)
{
	struct ww_acquire_ctx ticket;
	int ret;

	ret = mutex_lock_interruptible(&ctx->tl.submit_lock);
	if (ret)
		return ret;
	ret = gpufe_job_lock_resvs(job, &ticket);
	if (ret)
		goto out_unlock_submit;
	ret = gpufe_job_implicit_deps(job);
	if (ret)
		goto out_unlock_resvs;

	/* Racing CTX_DESTROY: the context retired, its slot is gone. */
	if (!gpufe_ctx_active_get(ctx)) {
		ret = -ENOENT;
		goto out_unlock_resvs;
	}
	*seqno = atomic64_read(&ctx->tl.submitted) + 1;
	dma_fence_init(&job->fence, &gpufe_fence_ops, &ctx->tl.lock,
		       ctx->tl.context, *seqno);
	if (want_sync_file) {
		*sync_file = sync_file_create(&job->fence);
		if (!*sync_file) {
			/* Never published: no one else can see this fence. */
			ret = -ENOMEM;
			goto out_active_put;
		}
	}
	atomic64_set(&ctx->tl.submitted, *seqno);
	job->base.seqno = *seqno;
	job->base.slot = ctx->rt.slot;
	job->base.slot_dma = ctx->rt.slot_dma;
	/*
	 * A reference of its own: once handed over, the job may complete and
	 * drop it before this function is done with the context.
	 */
	job->ctx = gpufe_ctx_get(ctx);
	if (job->num_deps)
		job->deadline = ktime_get_ns() +
				(u64)gpufe_job_timeout_ms * NSEC_PER_MSEC;
	gpufe_job_publish_fence(job);
	gpufe_job_unlock_resvs(job, &ticket);

	/* Under the submit lock: the queue stays in sequence order. */
	gpufe_sched_push(job);
	mutex_unlock(&ctx->tl.submit_lock);
	return 0;

out_active_put:
	gpufe_ctx_active_put(ctx);
out_unlock_resvs:
	gpufe_job_unlock_resvs(job, &ticket);
out_unlock_submit:
	mutex_unlock(&ctx->tl.submit_lock);
	return ret;
}

/**
 * gpufe_ioctl_submit - GPUFE_IOCTL_SUBMIT
 * @client: the caller
 * @data: a &struct gpufe_submit
 *
 * Return: 0, or the negative errno &struct gpufe_submit documents.
 */
int gpufe_ioctl_submit(struct gpufe_client *client, void *data)
{
	struct gpufe_submit *args = data;
	struct sync_file *sync_file = NULL;
	struct gpufe_job_fe *job;
	struct gpufe_ctx *ctx = NULL;
	void *cmds;
	int out_fd = -1;
	int idx;
	int ret;

	ret = gpufe_submit_check(args);
	if (ret)
		return ret;

	/* Too many jobs in flight: wait for some to finish. */
	ret = wait_event_interruptible(client->throttle_wq,
				       gpufe_client_inflight_get(client));
	if (ret)
		return ret;

	job = kmem_cache_zalloc(gpufe_job_cache, GFP_KERNEL);
	if (!job) {
		gpufe_client_inflight_sub(client, 1);
		return -ENOMEM;
	}
	INIT_LIST_HEAD(&job->base.link);

	ret = gpufe_submit_bos(client, args, job);
	if (ret)
		goto err_free;

	if (args->cmds_size <= sizeof(job->inline_cmds))
		cmds = job->inline_cmds;
	else
		cmds = kvmalloc(args->cmds_size, GFP_KERNEL_ACCOUNT);
	if (!cmds) {
		ret = -ENOMEM;
		goto err_free;
	}
	job->base.cmds = cmds;
	job->base.cmds_size = args->cmds_size;
	if (copy_from_user(cmds, u64_to_user_ptr(args->cmds),
			   args->cmds_size)) {
		ret = -EFAULT;
		goto err_free;
	}

	ctx = gpufe_ctx_lookup(client, args->ctx_id);
	if (!ctx) {
		ret = -ENOENT;
		goto err_free;
	}
	if (READ_ONCE(ctx->ent.banned)) {
		ret = -ECANCELED;
		goto err_free;
	}
	job->base.engine = ctx->engine->hw_index;

	if (args->flags & GPUFE_SUBMIT_IN_FENCE) {
		struct dma_fence *in = sync_file_get_fence(args->in_fence_fd);

		if (!in) {
			ret = -EINVAL;
			goto err_free;
		}
		ret = gpufe_job_add_deps(job, &in, 1);
		if (ret) {
			dma_fence_put(in);
			goto err_free;
		}
	}

	if (args->flags & GPUFE_SUBMIT_OUT_FENCE) {
		out_fd = get_unused_fd_flags(O_CLOEXEC);
		if (out_fd < 0) {
			ret = out_fd;
			goto err_free;
		}
	}

	/*
	 * One section for validate and, on the fast path, run: an unplug
	 * waits for it, and the back-end sees both or neither.
	 */
	idx = gpufe_device_enter();
	ret = gpufe_job_validate(ctx, job);
	if (!ret)
		ret = gpufe_job_queue(ctx, job, out_fd >= 0, &sync_file,
				      &args->seqno);
	gpufe_device_exit(idx);
	if (ret)
		goto err_put_fd;

	if (sync_file) {
		fd_install(out_fd, sync_file->file);
		args->out_fence_fd = out_fd;
	}
	gpufe_ctx_put(ctx);
	return 0;

err_put_fd:
	if (out_fd >= 0)
		put_unused_fd(out_fd);
err_free:
	gpufe_job_put_resources(job);
	gpufe_ctx_put(ctx);
	kmem_cache_free(gpufe_job_cache, job);
	gpufe_client_inflight_sub(client, 1);
	return ret;
}

static bool gpufe_ctx_reached(struct gpufe_ctx *ctx, u64 seqno)
{
	return atomic64_read(&ctx->tl.completed) >= seqno;
}

/**
 * gpufe_ioctl_wait - GPUFE_IOCTL_WAIT
 * @client: the caller
 * @data: a &struct gpufe_wait
 *
 * Return: 0, or the negative errno &struct gpufe_wait documents.
 */
int gpufe_ioctl_wait(struct gpufe_client *client, void *data)
{
	struct gpufe_wait *args = data;
	struct gpufe_ctx *ctx;
	s64 remaining;
	long ret;

	if (args->flags)
		return -EINVAL;

	ctx = gpufe_ctx_lookup(client, args->ctx_id);
	if (!ctx)
		return -ENOENT;

	ret = !args->seqno || args->seqno > atomic64_read(&ctx->tl.submitted) ?
		-EINVAL : 0;
	if (ret)
		goto out_put;

	if (gpufe_ctx_reached(ctx, args->seqno))
		goto out_put;

	/* Jiffies are coarse: sleep again until the deadline really passed. */
	for (;;) {
		s64 now = ktime_get_ns();

		/* Compared first: the difference cannot overflow then. */
		if (args->timeout_ns <= now) {
			ret = -ETIME;
			break;
		}
		remaining = args->timeout_ns - now;
		ret = wait_event_interruptible_timeout(ctx->ev.wq,
						       gpufe_ctx_reached(ctx, args->seqno),
						       min_t(u64, nsecs_to_jiffies64(remaining) + 1,
							     MAX_SCHEDULE_TIMEOUT));
		if (ret) {
			ret = ret < 0 ? ret : 0;
			break;
		}
	}

out_put:
	gpufe_ctx_put(ctx);
	return ret;
}

static struct gpufe_ctx *gpufe_event_pop(struct gpufe_client *client)
{
	struct gpufe_ctx *ctx;

	spin_lock_irq(&client->event_lock);
	ctx = list_first_entry_or_null(&client->events, struct gpufe_ctx,
				       ev.link);
	if (ctx) {
		list_del_init(&ctx->ev.link);
		ctx->ev.pending = false;
		if (ctx->ev.orphan)
			client->orphan_events--;
	}
	spin_unlock_irq(&client->event_lock);
	return ctx;
}

/* Put an event back at the head; the list holds @ctx's reference again. */
static void gpufe_event_unpop(struct gpufe_client *client,
			      struct gpufe_ctx *ctx)
{
	spin_lock_irq(&client->event_lock);
	if (!ctx->ev.pending && !client->closed) {
		ctx->ev.pending = true;
		list_add(&ctx->ev.link, &client->events);
		/* It was on the list a moment ago: room is not checked. */
		if (ctx->ev.orphan)
			client->orphan_events++;
		ctx = NULL;
	}
	spin_unlock_irq(&client->event_lock);
	gpufe_ctx_put(ctx);
}

/**
 * gpufe_events_read - read() on /dev/gpufe
 * @client: the reader
 * @buf: where to
 * @count: bytes
 * @nonblock: the file is O_NONBLOCK
 *
 * Return: bytes read, or a negative errno: -EINVAL for a buffer smaller
 * than one event, -EAGAIN, -ERESTARTSYS, -EFAULT.
 */
ssize_t gpufe_events_read(struct gpufe_client *client, char __user *buf,
			  size_t count, bool nonblock)
{
	ssize_t done = 0;

	if (count < sizeof(struct gpufe_event))
		return -EINVAL;

	while (count - done >= sizeof(struct gpufe_event)) {
		struct gpufe_event ev = {
			.type = GPUFE_EVENT_COMPLETION,
			.length = sizeof(ev),
		};
		struct gpufe_ctx *ctx = gpufe_event_pop(client);
		int ret;

		if (!ctx) {
			if (done)
				break;
			if (nonblock)
				return -EAGAIN;
			ret = wait_event_interruptible(client->event_wq,
						       !list_empty(&client->events));
			if (ret)
				return ret;
			continue;
		}

		spin_lock_irq(&ctx->tl.lock);
		ev.ctx_id = ctx->id;
		ev.seqno = atomic64_read(&ctx->tl.completed);
		ev.error = ctx->tl.error;
		spin_unlock_irq(&ctx->tl.lock);

		if (copy_to_user(buf + done, &ev, sizeof(ev))) {
			gpufe_event_unpop(client, ctx);
			return done ? done : -EFAULT;
		}
		gpufe_ctx_put(ctx);
		done += sizeof(ev);
	}
	return done;
}

/**
 * gpufe_events_poll - poll() on /dev/gpufe
 * @client: the poller
 * @file: its file
 * @wait: the poll table
 *
 * Return: EPOLLIN | EPOLLRDNORM when an event is waiting.
 */
__poll_t gpufe_events_poll(struct gpufe_client *client, struct file *file,
			   poll_table *wait)
{
	poll_wait(file, &client->event_wq, wait);
	return list_empty_careful(&client->events) ? 0 : EPOLLIN | EPOLLRDNORM;
}

/**
 * gpufe_client_events_fini - drop the pending events of a closing client
 * @client: the client
 *
 * No event is queued afterwards.
 */
void gpufe_client_events_fini(struct gpufe_client *client)
{
	struct gpufe_ctx *ctx;

	spin_lock_irq(&client->event_lock);
	client->closed = true;
	spin_unlock_irq(&client->event_lock);

	while ((ctx = gpufe_event_pop(client)))
		gpufe_ctx_put(ctx);
}
