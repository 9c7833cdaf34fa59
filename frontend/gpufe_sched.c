// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: the scheduler
 *
 * Jobs whose dependencies have signalled wait in the front-end, in a run
 * queue per engine (&struct gpufe_sched_engine); the back-end holds at
 * most &gpufe_device_desc.credits jobs of an engine. Each time the router
 * sees one of them complete, or a job becomes ready on an engine with a
 * free credit, the scheduler chooses the next job. So the device's
 * pending set, which the router scans, holds at most engines x credits
 * contexts, however many jobs and clients wait.
 *
 * Shares are of engine time. The back-end stamps each job's start and
 * end (&gpufe_job.start_ns, &gpufe_job.end_ns); when the job completes,
 * its busy time is charged to its context, its client's share of the
 * engine and its partition's. The run queue is two levels of virtual
 * time, as in weighted fair queueing: the partitions of the engine
 * (&struct gpufe_sched_group; clients without partition form group 0),
 * ordered by their virtual time, which advances by busy time divided by
 * the partition's weight; inside each, its clients (&struct
 * gpufe_sched_client), ordered by their own virtual time, which advances
 * by busy time (equal shares). The scheduler takes the group with the
 * least virtual time, in it the client with the least, and of that
 * client's contexts the one of the highest priority that is ready, round
 * robin among equals. A group or client that comes back from idle starts
 * no further behind the virtual time of the last one chosen than
 * %GPUFE_SCHED_WAKE_SLACK_NS, so idleness earns little; one whose jobs
 * depend on each other, and so leaves the run queue while each runs,
 * keeps its place.
 *
 * Policies, per device, switched at run time through sysfs:
 *
 * - best-effort: partitions take turns, job by job, with no weights and
 *   no time accounting between them; work-conserving.
 * - equal-share: the partitions with work share engine time equally;
 *   work-conserving.
 * - fixed-share: each partition gets at most weight / (sum of the weights
 *   of the device's partitions) of each engine's time, even when the
 *   engine would otherwise be idle: a job of a partition may not start
 *   before the partition's cap time, which each job moves on by its busy
 *   time divided by that share. Group 0 (clients without partition) is
 *   not capped and weighs %GPUFE_SCHED_DEFAULT_WEIGHT.
 *
 * Priorities order clients inside a partition: a client's key is its
 * virtual time, plus half ``prio_starvation_ms`` if its best ready
 * context is of normal priority, plus all of it for low priority. A
 * higher-priority client goes first until it has used up to
 * ``prio_starvation_ms`` more engine time than a lower one that waits:
 * that is the bound on starvation.
 *
 * Preemption at job boundaries: when a context becomes ready and the
 * back-end holds a job on its engine that has not started, of lower
 * priority and from a client of the same partition that the new one
 * goes before, the scheduler asks the back-end to hand back the jobs it
 * has not started (&gpufe_backend_ops.take_back) and chooses again, so a
 * high-priority job waits at most for the job that runs.
 *
 * Hangs: while the back-end holds jobs, a work item checks the job that
 * runs on each engine. One that ran longer than its timeout
 * (``engine_timeout_ms``, or its partition's) is looked at again after
 * a scan of the completion slots (its interrupt may be late); if it is
 * still running, the back-end resets the engine and hands back what it
 * held. The job that hung fails with ``-ETIME``, its context counts a
 * hang and, after ``hang_limit`` of them, is banned: its queued jobs fail
 * with ``-ECANCELED`` and SUBMIT refuses it. The other jobs handed back go
 * to the head of their queues and run again. Other engines are not
 * touched.
 *
 * Closing a file cancels its jobs that have not reached an engine: their
 * fences signal with ``-ECANCELED``, after the jobs ahead of them.
 *
 * Locking: each engine's lock (irq-safe) protects its run queue, its
 * groups' and clients' trees and keys, its entities' queues and the
 * jobs the back-end holds; it nests outside the contexts' fence locks and
 * the route lock, and the back-end's @run is called under it. Groups and
 * clients are created and freed under the engine's mutex, with the
 * contexts that use them.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/dma-fence.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/rbtree.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>

#include "gpufe_drv.h"

/* The weight of group 0, the clients without partition. */
#define GPUFE_SCHED_DEFAULT_WEIGHT	100
/*
 * How far ahead of the clock a fixed-share partition's cap time may run
 * before it waits: a burst, so that jobs handed over together and the
 * engine's gaps between jobs do not make it lose its share.
 */
#define GPUFE_SCHED_CAP_BURST_NS	(20 * NSEC_PER_MSEC)
/*
 * How far behind the virtual clock a group or client that comes back
 * may start: a client whose jobs depend on each other leaves the run
 * queue while each runs, and must not lose its place for that.
 */
#define GPUFE_SCHED_WAKE_SLACK_NS	(50 * NSEC_PER_MSEC)
/*
 * Short jobs of one context go to the back-end in runs: a credit is a run
 * of up to GPUFE_CREDIT_MAX_JOBS jobs of one context whose measured
 * engine times add up to GPUFE_SCHED_BATCH_NS at most.
 */
#define GPUFE_SCHED_BATCH_NS		(1 * NSEC_PER_MSEC)
/* The hang check's period bounds, in milliseconds. */
#define GPUFE_HANG_CHECK_MIN_MS		10
#define GPUFE_HANG_CHECK_MAX_MS		250

/**
 * struct gpufe_sched_engine - an engine's run queue
 * @sched: the device's scheduler
 * @gdev: the device
 * @index: the engine's index in the back-end's description
 * @lock: protects everything below but @mutex, @groups and @clients
 * @mutex: serialises creating and freeing groups and clients
 * @groups: every group of the engine, under @mutex
 * @clients: every client of the engine, by serial, under @mutex
 * @ready: the groups with a ready client, by key
 * @vclock: the virtual time of the last group chosen
 * @ticket: best-effort's turn counter
 * @held: jobs the back-end holds
 * @runs: runs of jobs of one context it holds, at most the credits
 * @held_jobs: those jobs, in the order it got them
 * @queued: jobs in the engine's entities' queues
 * @resetting: a reset or a take-back is under way: no job goes over
 * @entities: every entity of the engine
 * @take_back_lock: one take-back at a time (&gpufe_backend_ops.take_back)
 * @cap_timer: fixed-share: chooses again when a capped group may run
 * @preempt_work: takes unstarted jobs back for a higher-priority one
 */
struct gpufe_sched_engine {
	struct gpufe_sched *sched;
	struct gpufe_device *gdev;
	unsigned int index;
	spinlock_t lock; /* protects the run queue; see above */
	struct mutex mutex; /* protects groups, clients */
	struct list_head groups;
	struct xarray clients;
	struct rb_root_cached ready;
	u64 vclock;
	u64 ticket;
	unsigned int held;
	unsigned int runs;
	struct list_head held_jobs;
	unsigned int queued;
	bool resetting;
	struct list_head entities;
	struct mutex take_back_lock; /* serialises take_back */
	struct hrtimer cap_timer;
	struct work_struct preempt_work;
};

/**
 * struct gpufe_sched_group - a partition's share of an engine
 * @se: the engine
 * @part: the partition, NULL for clients without partition; only
 *	compared, never dereferenced after creation
 * @weight: the partition's weight
 * @timeout_ms: the partition's engine timeout, 0 for the default
 * @users: clients using it, under the engine's mutex
 * @link: in the engine's @groups
 * @node: in the engine's @ready
 * @on_rq: in it
 * @key: its place there: virtual time, or best-effort's turn
 * @vtime: virtual time: busy time over weight
 * @cap_ns: fixed-share: CLOCK_MONOTONIC ns before which it may not start
 *	a job
 * @ready: its clients with a ready context, by key
 * @vclock: the virtual time of the last client chosen
 */
struct gpufe_sched_group {
	struct gpufe_sched_engine *se;
	const struct gpufe_partition *part;
	u32 weight;
	u32 timeout_ms;
	unsigned int users;
	struct list_head link;
	struct rb_node node;
	bool on_rq;
	u64 key;
	u64 vtime;
	u64 cap_ns;
	struct rb_root_cached ready;
	u64 vclock;
};

/**
 * struct gpufe_sched_client - a client's share of an engine
 * @group: its partition's share
 * @serial: the client's &gpufe_client.serial
 * @users: its contexts on the engine, under the engine's mutex
 * @node: in the group's @ready
 * @on_rq: in it
 * @key: its place there
 * @vtime: virtual time: busy time
 * @ready: its ready contexts, per priority, highest last
 */
struct gpufe_sched_client {
	struct gpufe_sched_group *group;
	unsigned long serial;
	unsigned int users;
	struct rb_node node;
	bool on_rq;
	u64 key;
	u64 vtime;
	struct list_head ready[GPUFE_PRIORITY_HIGH - GPUFE_PRIORITY_LOW + 1];
};

/* Serialises policy changes. */
static DEFINE_MUTEX(gpufe_sched_policy_lock);

static const char * const gpufe_sched_policy_names[] = {
	[GPUFE_SCHED_BEST_EFFORT] = "best-effort",
	[GPUFE_SCHED_EQUAL_SHARE] = "equal-share",
	[GPUFE_SCHED_FIXED_SHARE] = "fixed-share",
};

static struct gpufe_job_fe *to_job_fe_base(struct gpufe_job *base)
{
	return container_of(base, struct gpufe_job_fe, base);
}

static unsigned int gpufe_prio_index(int priority)
{
	return priority - GPUFE_PRIORITY_LOW;
}

/* Where one that comes back starts: not before the clock less the slack. */
static u64 gpufe_sched_wake_vtime(u64 vtime, u64 clock)
{
	if (clock > GPUFE_SCHED_WAKE_SLACK_NS)
		clock -= GPUFE_SCHED_WAKE_SLACK_NS;
	else
		clock = 0;
	return max(vtime, clock);
}

static bool gpufe_group_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct gpufe_sched_group, node)->key <
	       rb_entry(b, struct gpufe_sched_group, node)->key;
}

static bool gpufe_sclient_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct gpufe_sched_client, node)->key <
	       rb_entry(b, struct gpufe_sched_client, node)->key;
}

/* The highest priority with a ready context, or INT_MIN for none. */
static int gpufe_sclient_top_prio(const struct gpufe_sched_client *sc)
{
	int prio;

	for (prio = GPUFE_PRIORITY_HIGH; prio >= GPUFE_PRIORITY_LOW; prio--)
		if (!list_empty(&sc->ready[gpufe_prio_index(prio)]))
			return prio;
	return INT_MIN;
}

/* Put a group that has a ready client on its engine's run queue. */
static void gpufe_group_enqueue_locked(struct gpufe_sched_group *g)
{
	struct gpufe_sched_engine *se = g->se;
	int policy = READ_ONCE(se->sched->policy);

	lockdep_assert_held(&se->lock);
	if (g->on_rq)
		return;
	/* Idleness earns nothing beyond the slack. */
	g->vtime = gpufe_sched_wake_vtime(g->vtime, se->vclock);
	if (policy == GPUFE_SCHED_BEST_EFFORT)
		g->key = ++se->ticket;
	else
		g->key = g->vtime;
	rb_add_cached(&g->node, &se->ready, gpufe_group_less);
	g->on_rq = true;
}

static void gpufe_group_dequeue_locked(struct gpufe_sched_group *g)
{
	lockdep_assert_held(&g->se->lock);
	if (!g->on_rq)
		return;
	rb_erase_cached(&g->node, &g->se->ready);
	g->on_rq = false;
}

/* Put a client back in its place in its group after its key changed. */
static void gpufe_sclient_requeue_locked(struct gpufe_sched_client *sc)
{
	struct gpufe_sched_group *g = sc->group;
	int top = gpufe_sclient_top_prio(sc);
	u64 bound = (u64)READ_ONCE(gpufe_prio_starvation_ms) * NSEC_PER_MSEC;

	lockdep_assert_held(&g->se->lock);
	if (sc->on_rq) {
		rb_erase_cached(&sc->node, &g->ready);
		sc->on_rq = false;
	}
	if (top == INT_MIN) {
		if (RB_EMPTY_ROOT(&g->ready.rb_root))
			gpufe_group_dequeue_locked(g);
		return;
	}
	/* HIGH 0, NORMAL half the bound, LOW the bound. */
	sc->key = sc->vtime + div_u64((GPUFE_PRIORITY_HIGH - top) * bound, 2);
	rb_add_cached(&sc->node, &g->ready, gpufe_sclient_less);
	sc->on_rq = true;
	gpufe_group_enqueue_locked(g);
}

/*
 * The head of an entity's queue may run: put it on the run queue. A
 * client that comes back starts no further behind than the slack, unless
 * @keep: its jobs were only taken back.
 */
static void gpufe_entity_make_ready_locked(struct gpufe_sched_entity *ent,
					   bool keep)
{
	struct gpufe_sched_client *sc = ent->sclient;

	lockdep_assert_held(&ent->se->lock);
	if (ent->ready || list_empty(&ent->queue))
		return;
	if (!keep && gpufe_sclient_top_prio(sc) == INT_MIN)
		sc->vtime = gpufe_sched_wake_vtime(sc->vtime, sc->group->vclock);
	list_add_tail(&ent->ready_link,
		      &sc->ready[gpufe_prio_index(ent->priority)]);
	ent->ready = true;
	gpufe_sclient_requeue_locked(sc);
}

static void gpufe_entity_unready_locked(struct gpufe_sched_entity *ent)
{
	lockdep_assert_held(&ent->se->lock);
	if (!ent->ready)
		return;
	list_del_init(&ent->ready_link);
	ent->ready = false;
	gpufe_sclient_requeue_locked(ent->sclient);
}

/*
 * Whether every dependency of a job has signalled already. Only the
 * context's work moves @next_dep on.
 */
static bool gpufe_job_deps_signaled(const struct gpufe_job_fe *job)
{
	unsigned int i;

	for (i = READ_ONCE(job->next_dep); i < job->num_deps; i++)
		if (!dma_fence_is_signaled(job->deps[i]))
			return false;
	return true;
}

static struct gpufe_job_fe *gpufe_entity_head(struct gpufe_sched_entity *ent)
{
	return list_first_entry_or_null(&ent->queue, struct gpufe_job_fe,
					link);
}

/*
 * After the head of an entity's queue changed: ready if the new head's
 * dependencies have signalled, else the context's work waits for them.
 * @keep: as for gpufe_entity_make_ready_locked().
 */
static void gpufe_entity_update_locked(struct gpufe_sched_entity *ent,
				       bool keep)
{
	struct gpufe_ctx *ctx = container_of(ent, struct gpufe_ctx, ent);
	struct gpufe_job_fe *head = gpufe_entity_head(ent);

	if (head && gpufe_job_deps_signaled(head) &&
	    !gpufe_client_revoked(ctx->client)) {
		gpufe_entity_make_ready_locked(ent, keep);
		return;
	}
	gpufe_entity_unready_locked(ent);
	if (head)
		mod_delayed_work(gpufe_wq, &ctx->work, 0);
}

/* Take the head of a ready entity's queue. */
static struct gpufe_job_fe *gpufe_entity_take_locked(struct gpufe_sched_entity *ent)
{
	struct gpufe_job_fe *job = gpufe_entity_head(ent);

	lockdep_assert_held(&ent->se->lock);
	list_del(&job->link);
	ent->queued--;
	ent->se->queued--;
	gpufe_entity_update_locked(ent, true);
	return job;
}

/* The group whose turn it is, or NULL; arms the cap timer if need be. */
static struct gpufe_sched_group *gpufe_sched_pick_group(struct gpufe_sched_engine *se)
{
	int policy = READ_ONCE(se->sched->policy);
	struct gpufe_sched_group *g;
	u64 now = 0, wake = U64_MAX;
	struct rb_node *node;

	for (node = rb_first_cached(&se->ready); node; node = rb_next(node)) {
		g = rb_entry(node, struct gpufe_sched_group, node);
		if (policy != GPUFE_SCHED_FIXED_SHARE || !g->part)
			return g;
		if (!now)
			now = ktime_get_ns();
		if (g->cap_ns <= now + GPUFE_SCHED_CAP_BURST_NS)
			return g;
		wake = min(wake, g->cap_ns - GPUFE_SCHED_CAP_BURST_NS);
	}
	if (wake != U64_MAX)
		hrtimer_start(&se->cap_timer, ns_to_ktime(wake),
			      HRTIMER_MODE_ABS);
	return NULL;
}

/*
 * Take the next job off the run queue: the group whose turn it is, its
 * client with the least key, that client's best ready context.
 */
static struct gpufe_job_fe *gpufe_sched_pick_locked(struct gpufe_sched_engine *se)
{
	struct gpufe_sched_entity *ent = NULL;
	struct gpufe_sched_client *sc;
	struct gpufe_sched_group *g;
	int prio;

	lockdep_assert_held(&se->lock);
	g = gpufe_sched_pick_group(se);
	if (!g)
		return NULL;
	sc = rb_entry(rb_first_cached(&g->ready), struct gpufe_sched_client,
		      node);
	for (prio = GPUFE_PRIORITY_HIGH; prio >= GPUFE_PRIORITY_LOW; prio--) {
		ent = list_first_entry_or_null(&sc->ready[gpufe_prio_index(prio)],
					       struct gpufe_sched_entity,
					       ready_link);
		if (ent)
			break;
	}
	if (WARN_ON_ONCE(!ent))
		return NULL;

	se->vclock = max(se->vclock, g->vtime);
	g->vclock = max(g->vclock, sc->vtime);
	if (READ_ONCE(se->sched->policy) == GPUFE_SCHED_BEST_EFFORT) {
		/* The next turn is the others'. */
		gpufe_group_dequeue_locked(g);
		gpufe_group_enqueue_locked(g);
	}

	/* Round robin among the client's contexts of one priority. */
	list_move_tail(&ent->ready_link, &sc->ready[gpufe_prio_index(ent->priority)]);
	return gpufe_entity_take_locked(ent);
}

static u32 gpufe_job_engine_timeout_ms(const struct gpufe_job_fe *job)
{
	u32 ms = job->ctx->ent.sclient->group->timeout_ms;

	return ms ?: READ_ONCE(gpufe_engine_timeout_ms);
}

static void gpufe_sched_arm_hang_check(struct gpufe_sched *sched)
{
	unsigned int ms = clamp(READ_ONCE(gpufe_engine_timeout_ms) / 4,
				GPUFE_HANG_CHECK_MIN_MS,
				GPUFE_HANG_CHECK_MAX_MS);

	/* A no-op while it is pending: it checks at least that often. */
	queue_delayed_work(gpufe_wq, &sched->hang_work, msecs_to_jiffies(ms));
}

/*
 * Whether the next job of @ent goes with the run of @n jobs being handed
 * over: it may run, and the run stays short enough by the jobs' measured
 * engine time.
 */
static bool gpufe_sched_batch_locked(struct gpufe_sched_entity *ent,
				     unsigned int n)
{
	return ent->ready && n < GPUFE_CREDIT_MAX_JOBS &&
	       (n + 1) * ent->avg_ns <= GPUFE_SCHED_BATCH_NS;
}

/*
 * Hand the back-end a run, which takes a credit: @job, just taken off the
 * run queue, and the next short jobs of its context. The context becomes
 * pending for the router once, up to the run's last job, before the
 * back-end sees any of them. Jobs that the context's failed list blocks
 * (behind an earlier job that failed and waits to signal) go back to the
 * head of its queue, and the context waits until the failed jobs
 * signalled. Returns false if nothing went over.
 */
static bool gpufe_sched_run_locked(struct gpufe_sched_engine *se,
				   struct gpufe_job_fe *job)
{
	struct gpufe_ctx *ctx = job->ctx;
	struct gpufe_sched_entity *ent = &ctx->ent;
	struct gpufe_device *gdev = se->gdev;
	struct gpufe_job_fe *first, *next, *head = NULL;
	u64 blocker = U64_MAX, last = 0;
	unsigned int n = 1, held = 0;
	LIST_HEAD(run);
	u32 hint;

	lockdep_assert_held(&se->lock);
	list_add_tail(&job->link, &run);
	while (gpufe_sched_batch_locked(ent, n)) {
		list_add_tail(&gpufe_entity_take_locked(ent)->link, &run);
		n++;
	}

	spin_lock(&ctx->tl.lock);
	first = list_first_entry_or_null(&ctx->tl.failed, struct gpufe_job_fe,
					 link);
	if (first)
		blocker = first->fence.seqno;
	list_for_each_entry_safe(job, next, &run, link) {
		if (job->fence.seqno > blocker)
			break;
		list_move_tail(&job->link, &ctx->tl.inflight);
		if (!head)
			head = job;
		job->held = true;
		job->run_head = job == head;
		job->base.start_ns = 0;
		job->base.end_ns = 0;
		list_add_tail(&job->held_link, &se->held_jobs);
		last = job->fence.seqno;
		held++;
	}
	spin_unlock(&ctx->tl.lock);

	if (held < n) {
		/* Blocked: back to the head of the queue, in order. */
		list_splice(&run, &ent->queue);
		ent->queued += n - held;
		se->queued += n - held;
		gpufe_entity_unready_locked(ent);
	}
	if (!held)
		return false;

	se->held += held;
	se->runs++;
	ent->held += held;
	/* Pending before the back-end can write the slot. */
	hint = gpufe_route_add(ctx, last);
	/* The engine's lock keeps them on the list until they are done. */
	job = head;
	list_for_each_entry_from(job, &se->held_jobs, held_link) {
		job->base.irq_hint = hint;
		gdev->ops->run(gdev, &job->base);
	}
	return true;
}

/*
 * Hand runs to the back-end while it has credits. Under the engine's
 * lock, between gpufe_device_enter() and gpufe_device_exit(), the device
 * not unplugged. Returns true if any went over.
 */
static bool gpufe_sched_kick_locked(struct gpufe_sched_engine *se)
{
	struct gpufe_job_fe *job;
	bool ran = false;

	lockdep_assert_held(&se->lock);
	while (!se->resetting && se->runs < se->sched->credits) {
		job = gpufe_sched_pick_locked(se);
		if (!job)
			break;
		if (gpufe_client_revoked(job->ctx->client)) {
			gpufe_job_fail_locked(job->ctx, job, -ENODEV);
			continue;
		}
		ran |= gpufe_sched_run_locked(se, job);
	}
	return ran;
}

/**
 * gpufe_sched_kick - hand jobs to the back-end while it has credits
 * @se: the engine
 *
 * A job whose client's partition ended fails instead. Once the device is
 * gone, nothing: gpufe_sched_device_gone() failed what was queued, and
 * nothing is queued after. Callable from any context.
 */
void gpufe_sched_kick(struct gpufe_sched_engine *se)
{
	unsigned long flags;
	bool ran;
	int idx;

	idx = gpufe_device_enter();
	if (gpufe_device_unplugged(se->gdev))
		goto out;
	spin_lock_irqsave(&se->lock, flags);
	ran = gpufe_sched_kick_locked(se);
	spin_unlock_irqrestore(&se->lock, flags);
	if (ran)
		gpufe_sched_arm_hang_check(se->sched);
out:
	gpufe_device_exit(idx);
}

static enum hrtimer_restart gpufe_sched_cap_timer(struct hrtimer *timer)
{
	gpufe_sched_kick(container_of(timer, struct gpufe_sched_engine,
				      cap_timer));
	return HRTIMER_NORESTART;
}

/*
 * Whether the back-end holds a job it has not started that @ent would
 * have gone before: of lower priority, in the same partition, whose
 * client comes after @ent's in the run queue (the starvation bound may
 * have put it first).
 */
static bool gpufe_sched_lower_waits_locked(struct gpufe_sched_engine *se,
					   struct gpufe_sched_entity *ent)
{
	struct gpufe_sched_client *sc = ent->sclient;
	struct gpufe_job_fe *job;

	list_for_each_entry(job, &se->held_jobs, held_link) {
		struct gpufe_sched_entity *other = &job->ctx->ent;

		if (!READ_ONCE(job->base.start_ns) &&
		    other->priority < ent->priority &&
		    other->sclient->group == sc->group &&
		    other->sclient->key > sc->key)
			return true;
	}
	return false;
}

/*
 * A job is no longer in the back-end's hands. If it started a run, the
 * next job of the run, if still held, starts it now; else the run ends
 * and its credit comes back.
 */
static void gpufe_sched_unhold_locked(struct gpufe_sched_engine *se,
				      struct gpufe_job_fe *job)
{
	lockdep_assert_held(&se->lock);
	if (job->run_head) {
		struct gpufe_job_fe *next = list_next_entry(job, held_link);

		if (!list_entry_is_head(next, &se->held_jobs, held_link) &&
		    next->ctx == job->ctx && !next->run_head)
			next->run_head = true;
		else
			se->runs--;
		job->run_head = false;
	}
	list_del(&job->held_link);
	job->held = false;
	se->held--;
	job->ctx->ent.held--;
}

/*
 * Whether an entity that just became ready should have the back-end hand
 * back the jobs it has not started: it holds one of lower priority.
 */
static bool gpufe_sched_want_preempt_locked(struct gpufe_sched_engine *se,
					    struct gpufe_sched_entity *ent)
{
	return ent->ready && se->runs >= se->sched->credits &&
	       se->sched->can_take_back &&
	       gpufe_sched_lower_waits_locked(se, ent);
}

/*
 * Jobs the back-end handed back, under the engine's lock: off its books,
 * back to the head of their queues (the list is in the order they were
 * handed over, so from its tail), except @guilty.
 */
static void gpufe_sched_requeue_locked(struct gpufe_sched_engine *se,
				       struct list_head *jobs,
				       struct gpufe_job_fe *guilty)
{
	struct gpufe_job *base, *prev;

	lockdep_assert_held(&se->lock);
	list_for_each_entry_safe_reverse(base, prev, jobs, link) {
		struct gpufe_job_fe *job = to_job_fe_base(base);
		struct gpufe_ctx *ctx = job->ctx;

		list_del_init(&base->link);
		if (WARN_ON_ONCE(!job->held))
			continue;
		gpufe_sched_unhold_locked(se, job);
		spin_lock(&ctx->tl.lock);
		list_del(&job->link);
		spin_unlock(&ctx->tl.lock);
		/* Not in the back-end's hands: the router need not look. */
		gpufe_route_take_back(ctx, job->fence.seqno);
		if (job == guilty)
			continue;
		/*
		 * A job a reset stopped that was not the one overdue (that
		 * one ended just before): it may have half run, and running
		 * it again could be wrong. It fails.
		 */
		if (READ_ONCE(base->start_ns)) {
			gpufe_job_fail_locked(ctx, job, -ECANCELED);
			continue;
		}
		atomic64_inc(&se->sched->taken_back);
		list_add(&job->link, &ctx->ent.queue);
		ctx->ent.queued++;
		se->queued++;
		gpufe_entity_update_locked(&ctx->ent, true);
	}
}

/*
 * Take the jobs the back-end has not started back, and choose again.
 * Process context.
 */
static void gpufe_sched_preempt(struct gpufe_sched_engine *se)
{
	struct gpufe_device *gdev = se->gdev;
	bool cookie = dma_fence_begin_signalling();
	LIST_HEAD(jobs);
	int idx;

	mutex_lock(&se->take_back_lock);
	idx = gpufe_device_enter();
	if (!gpufe_device_unplugged(gdev)) {
		spin_lock_irq(&se->lock);
		se->resetting = true;
		spin_unlock_irq(&se->lock);
		gdev->ops->take_back(gdev, se->index, false, &jobs);
		spin_lock_irq(&se->lock);
		gpufe_sched_requeue_locked(se, &jobs, NULL);
		se->resetting = false;
		spin_unlock_irq(&se->lock);
	}
	gpufe_device_exit(idx);
	mutex_unlock(&se->take_back_lock);
	gpufe_sched_kick(se);
	dma_fence_end_signalling(cookie);
}

static void gpufe_sched_preempt_work(struct work_struct *work)
{
	gpufe_sched_preempt(container_of(work, struct gpufe_sched_engine,
					 preempt_work));
}

/**
 * gpufe_sched_push - a job has its sequence number: queue it
 * @job: the job, with its fence initialised
 *
 * The job goes to the tail of its context's queue and, if it is the head
 * and ready, on the run queue; then the scheduler hands over what it can,
 * first taking back the back-end's unstarted jobs that the new one goes
 * before. From SUBMIT, between gpufe_device_enter() and
 * gpufe_device_exit(): may sleep.
 */
void gpufe_sched_push(struct gpufe_job_fe *job)
{
	struct gpufe_sched_entity *ent = &job->ctx->ent;
	struct gpufe_sched_engine *se = ent->se;
	bool preempt = false, ran = false;
	unsigned long flags;

	spin_lock_irqsave(&se->lock, flags);
	if (READ_ONCE(ent->banned)) {
		/* Banned since SUBMIT looked. */
		gpufe_job_fail_locked(job->ctx, job, -ECANCELED);
		spin_unlock_irqrestore(&se->lock, flags);
		return;
	}
	list_add_tail(&job->link, &ent->queue);
	ent->queued++;
	se->queued++;
	if (gpufe_entity_head(ent) == job) {
		gpufe_entity_update_locked(ent, false);
		preempt = gpufe_sched_want_preempt_locked(se, ent);
	}
	/* In the same section: a busy engine costs one lock round. */
	if (!preempt && !gpufe_device_unplugged(se->gdev))
		ran = gpufe_sched_kick_locked(se);
	spin_unlock_irqrestore(&se->lock, flags);
	/* SUBMIT may sleep: no work item to wake on another CPU. */
	if (preempt)
		gpufe_sched_preempt(se);
	else if (ran)
		gpufe_sched_arm_hang_check(se->sched);
}

/*
 * A job of an entity ran from @start to @end: into the entity's average
 * and, under fixed-share, its partition's cap, job by job (the time
 * between jobs must not count as charged). Returns its engine time, 0 if
 * the back-end did not say, for gpufe_sched_charge_locked().
 */
static u64 gpufe_sched_job_time_locked(struct gpufe_sched_entity *ent,
				       u64 start, u64 end)
{
	struct gpufe_sched_engine *se = ent->se;
	struct gpufe_sched_group *g = ent->sclient->group;
	u64 t;

	lockdep_assert_held(&se->lock);
	if (!start || end <= start)
		return 0;
	t = end - start;
	ent->avg_ns = ent->avg_ns - (ent->avg_ns >> 3) + (t >> 3);
	if (g->part && READ_ONCE(se->sched->policy) == GPUFE_SCHED_FIXED_SHARE) {
		u32 sum = max(atomic_read(&se->sched->weight_sum), 1);

		g->cap_ns = max(g->cap_ns, start) + div_u64(t * sum, g->weight);
	}
	return t;
}

/*
 * Charge engine time @t, the sum of gpufe_sched_job_time_locked()'s, to
 * an entity, its client and its partition, and move them to their new
 * places in the run queue.
 */
static void gpufe_sched_charge_locked(struct gpufe_sched_entity *ent, u64 t)
{
	struct gpufe_sched_engine *se = ent->se;
	struct gpufe_sched_client *sc = ent->sclient;
	struct gpufe_sched_group *g = sc->group;
	int policy = READ_ONCE(se->sched->policy);

	lockdep_assert_held(&se->lock);
	if (!t)
		return;
	atomic64_add(t, &ent->busy_ns);
	sc->vtime += t;
	g->vtime += div_u64(t * GPUFE_SCHED_DEFAULT_WEIGHT,
			    policy == GPUFE_SCHED_EQUAL_SHARE ?
			    GPUFE_SCHED_DEFAULT_WEIGHT : g->weight);
	if (sc->on_rq)
		gpufe_sclient_requeue_locked(sc);
	if (g->on_rq && policy != GPUFE_SCHED_BEST_EFFORT) {
		gpufe_group_dequeue_locked(g);
		gpufe_group_enqueue_locked(g);
	}
}

/**
 * gpufe_sched_done - jobs of a context signalled: give their credits back
 * @ctx: the context
 * @done: the jobs, linked through their @link, in order
 *
 * Charges the engine time of those the back-end held to the context, its
 * client and its partition, at once. Callable from any context.
 *
 * Return: true if credits came back: the caller then calls
 * gpufe_sched_kick() for the context's engine.
 */
bool gpufe_sched_done(struct gpufe_ctx *ctx, struct list_head *done)
{
	struct gpufe_sched_engine *se = ctx->ent.se;
	struct gpufe_job_fe *job;
	unsigned long flags;
	bool freed = false;
	u64 t = 0;

	spin_lock_irqsave(&se->lock, flags);
	list_for_each_entry(job, done, link) {
		if (!job->held)
			continue;
		gpufe_sched_unhold_locked(se, job);
		freed = true;
		t += gpufe_sched_job_time_locked(&ctx->ent,
						 READ_ONCE(job->base.start_ns),
						 READ_ONCE(job->base.end_ns));
	}
	gpufe_sched_charge_locked(&ctx->ent, t);
	spin_unlock_irqrestore(&se->lock, flags);
	return freed;
}

/*
 * Take every queued job of a context off the run queue, under its
 * engine's lock, onto @jobs, for gpufe_sched_fail_jobs() after the lock.
 */
static void gpufe_sched_cancel_locked(struct gpufe_ctx *ctx, int error,
				      struct list_head *jobs)
{
	struct gpufe_sched_entity *ent = &ctx->ent;
	struct gpufe_sched_engine *se = ent->se;

	lockdep_assert_held(&se->lock);
	gpufe_entity_unready_locked(ent);
	se->queued -= ent->queued;
	if (error == -ECANCELED)
		atomic64_add(ent->queued, &se->sched->cancelled);
	ent->queued = 0;
	list_splice_tail_init(&ent->queue, jobs);
}

/*
 * Fail jobs taken off the run queue, in order, without the engine's lock:
 * there may be thousands, each signalling and waking.
 */
static void gpufe_sched_fail_jobs(struct list_head *jobs, int error)
{
	struct gpufe_job_fe *job, *next;

	list_for_each_entry_safe(job, next, jobs, link) {
		list_del(&job->link);
		gpufe_job_fail_locked(job->ctx, job, error);
		cond_resched();
	}
}

/**
 * gpufe_sched_client_cancel - a client's file is closing
 * @client: the client
 *
 * Its jobs that have not reached an engine fail with ``-ECANCELED``.
 */
void gpufe_sched_client_cancel(struct gpufe_client *client)
{
	struct gpufe_ctx *ctx;
	LIST_HEAD(jobs);

	spin_lock(&client->ctx_lock);
	list_for_each_entry(ctx, &client->ctx_list, client_link) {
		struct gpufe_sched_engine *se = ctx->ent.se;

		spin_lock_irq(&se->lock);
		gpufe_sched_cancel_locked(ctx, -ECANCELED, &jobs);
		spin_unlock_irq(&se->lock);
		/* Its work lets go of the dependency it waited for. */
		mod_delayed_work(gpufe_wq, &ctx->work, 0);
	}
	spin_unlock(&client->ctx_lock);
	/* The jobs hold their contexts. */
	gpufe_sched_fail_jobs(&jobs, -ECANCELED);
}

/**
 * gpufe_sched_queued - jobs of a context waiting in the front-end
 * @ctx: the context
 *
 * Return: how many.
 */
unsigned int gpufe_sched_queued(struct gpufe_ctx *ctx)
{
	struct gpufe_sched_engine *se = ctx->ent.se;
	unsigned int n;

	spin_lock_irq(&se->lock);
	n = ctx->ent.queued;
	spin_unlock_irq(&se->lock);
	return n;
}

static void gpufe_ctx_dep_cb(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct gpufe_ctx *ctx = container_of(cb, struct gpufe_ctx, ent.dep_cb);

	mod_delayed_work(gpufe_wq, &ctx->work, 0);
}

/*
 * Disarm the dependency callback, under the engine's lock; afterwards it
 * is not running either.
 */
static void gpufe_ctx_dep_clear(struct gpufe_ctx *ctx)
{
	lockdep_assert_held(&ctx->ent.se->lock);
	if (!ctx->ent.dep)
		return;
	dma_fence_remove_callback(ctx->ent.dep, &ctx->ent.dep_cb);
	dma_fence_put(ctx->ent.dep);
	ctx->ent.dep = NULL;
}

/*
 * Whether the head job may run: 0 if its dependencies have signalled,
 * -EAGAIN if it must wait (a callback and the deadline re-queue the work),
 * -ETIMEDOUT if its deadline passed first.
 */
static int gpufe_job_deps_ready(struct gpufe_ctx *ctx, struct gpufe_job_fe *job)
{
	u64 now;

	lockdep_assert_held(&ctx->ent.se->lock);
	while (job->next_dep < job->num_deps) {
		struct dma_fence *fence = job->deps[job->next_dep];

		if (ctx->ent.dep != fence) {
			gpufe_ctx_dep_clear(ctx);
			if (dma_fence_add_callback(fence, &ctx->ent.dep_cb,
						   gpufe_ctx_dep_cb)) {
				job->next_dep++;	/* already signalled */
				continue;
			}
			ctx->ent.dep = dma_fence_get(fence);
		}
		if (dma_fence_is_signaled(fence)) {
			gpufe_ctx_dep_clear(ctx);
			job->next_dep++;
			continue;
		}
		/* A gpufe fence signals in bounded time by itself. */
		if (gpufe_job_is_gpufe(fence))
			return -EAGAIN;
		now = ktime_get_ns();
		if (now >= job->deadline) {
			gpufe_ctx_dep_clear(ctx);
			return -ETIMEDOUT;
		}
		/*
		 * Re-check at the deadline. Not mod_delayed_work(): if the
		 * callback already queued the work to run now, that must stand.
		 */
		queue_delayed_work(gpufe_wq, &ctx->work,
				   nsecs_to_jiffies(job->deadline - now) + 1);
		return -EAGAIN;
	}
	return 0;
}

/**
 * gpufe_ctx_work - wait for the dependencies of a context's next job
 * @work: the context's @work
 *
 * Delivers what the router left for want of budget; puts the context on
 * its engine's run queue once the head of its queue may run, or fails
 * that job if a foreign dependency timed out or the client's partition
 * ended.
 */
void gpufe_ctx_work(struct work_struct *work)
{
	struct gpufe_ctx *ctx = container_of(to_delayed_work(work),
					     struct gpufe_ctx, work);
	struct gpufe_sched_engine *se = ctx->ent.se;
	/* Fences wait for this work: no waiting for memory or fences here. */
	bool cookie = dma_fence_begin_signalling();
	bool preempt = false, kick = false;
	unsigned int failed = 0;
	LIST_HEAD(jobs);

	gpufe_ctx_deliver_rest(ctx);
	/* Kicked while its creation failed half-way: nothing to do. */
	if (!se)
		goto out;
	/*
	 * Under the engine's lock throughout: other paths (close, a ban, a
	 * revoke, the device's end) take queued jobs away and fail them.
	 */
	spin_lock_irq(&se->lock);
	/* A revoked partition's jobs wait for nothing. */
	if (gpufe_client_revoked(ctx->client)) {
		gpufe_sched_cancel_locked(ctx, -ENODEV, &jobs);
		gpufe_ctx_dep_clear(ctx);
		spin_unlock_irq(&se->lock);
		gpufe_sched_fail_jobs(&jobs, -ENODEV);
		goto out;
	}
	for (;;) {
		struct gpufe_job_fe *job = gpufe_entity_head(&ctx->ent);
		int ret;

		if (!job) {
			gpufe_ctx_dep_clear(ctx);
			break;
		}
		ret = gpufe_job_deps_ready(ctx, job);
		if (ret == -EAGAIN)
			break;
		if (ret) {
			list_del(&job->link);
			ctx->ent.queued--;
			se->queued--;
			gpufe_job_fail_locked(ctx, job, ret);
			/* A batch with interrupts off; the rest in the next run. */
			if (++failed == GPUFE_DELIVER_BATCH) {
				mod_delayed_work(gpufe_wq, &ctx->work, 0);
				break;
			}
			continue;
		}
		gpufe_entity_make_ready_locked(&ctx->ent, false);
		preempt = gpufe_sched_want_preempt_locked(se, &ctx->ent);
		kick = true;
		break;
	}
	spin_unlock_irq(&se->lock);
	if (preempt)
		queue_work(gpufe_wq, &se->preempt_work);
	if (kick)
		gpufe_sched_kick(se);
out:
	dma_fence_end_signalling(cookie);
}

/* The job that runs on @se, if it ran longer than its timeout. */
/* Whether a job started longer than its timeout ago. */
static bool gpufe_job_overdue(const struct gpufe_job_fe *job, u64 now)
{
	u64 start = READ_ONCE(job->base.start_ns);
	u64 ms = gpufe_job_engine_timeout_ms(job);

	/* A timeout of 0: no hang detection. */
	return ms && start && now > start && now - start > ms * NSEC_PER_MSEC;
}

static struct gpufe_job_fe *gpufe_sched_overdue_locked(struct gpufe_sched_engine *se,
						       u64 now)
{
	struct gpufe_job_fe *job;

	lockdep_assert_held(&se->lock);
	list_for_each_entry(job, &se->held_jobs, held_link) {
		/* Not started, or ended and on its way to the router. */
		if (!READ_ONCE(job->base.start_ns) ||
		    READ_ONCE(job->base.end_ns))
			continue;
		/* Jobs start in order: the first started one runs. */
		return gpufe_job_overdue(job, now) ? job : NULL;
	}
	return NULL;
}

/* The job that hung: fail it, count the hang, ban its context at last. */
static void gpufe_sched_guilty_locked(struct gpufe_sched_engine *se,
				      struct gpufe_job_fe *job, u64 now,
				      struct list_head *cancelled)
{
	struct gpufe_ctx *ctx = job->ctx;
	struct gpufe_sched_entity *ent = &ctx->ent;
	u64 start = READ_ONCE(job->base.start_ns);

	lockdep_assert_held(&se->lock);
	atomic64_inc(&se->sched->hangs);
	pr_notice_ratelimited("device %u: %s: job %llu of %s hung; engine reset\n",
			      se->gdev->id, ctx->engine->hw_name,
			      job->fence.seqno, ctx->tl.name);
	/* The time it held the engine counts, as any job's. */
	gpufe_sched_charge_locked(ent, gpufe_sched_job_time_locked(ent, start,
								   now));
	gpufe_job_fail_locked(ctx, job, -ETIME);
	if (++ent->hangs < READ_ONCE(gpufe_hang_limit) || ent->banned)
		return;
	WRITE_ONCE(ent->banned, true);
	atomic64_inc(&se->sched->bans);
	gpufe_sched_cancel_locked(ctx, -ECANCELED, cancelled);
	/* Its work lets go of the dependency it waited for. */
	mod_delayed_work(gpufe_wq, &ctx->work, 0);
}

/* Reset an engine whose running job is overdue. Process context. */
static void gpufe_sched_reset(struct gpufe_sched_engine *se)
{
	struct gpufe_device *gdev = se->gdev;
	struct gpufe_job_fe *guilty = NULL;
	LIST_HEAD(cancelled);
	LIST_HEAD(jobs);
	int idx;

	mutex_lock(&se->take_back_lock);
	idx = gpufe_device_enter();
	if (gpufe_device_unplugged(gdev) || !se->sched->can_take_back)
		goto out;
	spin_lock_irq(&se->lock);
	se->resetting = true;
	spin_unlock_irq(&se->lock);

	gdev->ops->take_back(gdev, se->index, true, &jobs);
	atomic64_inc(&se->sched->resets);

	spin_lock_irq(&se->lock);
	if (!list_empty(&jobs)) {
		u64 now = ktime_get_ns();
		struct gpufe_job_fe *first;

		first = to_job_fe_base(list_first_entry(&jobs, struct gpufe_job,
							link));
		/*
		 * What ran at the reset: the job found overdue, unless that
		 * one ended just before and another started since.
		 */
		if (gpufe_job_overdue(first, now))
			guilty = first;
		gpufe_sched_requeue_locked(se, &jobs, guilty);
		if (guilty)
			gpufe_sched_guilty_locked(se, guilty, now, &cancelled);
	}
	se->resetting = false;
	spin_unlock_irq(&se->lock);
out:
	gpufe_device_exit(idx);
	mutex_unlock(&se->take_back_lock);
	gpufe_sched_fail_jobs(&cancelled, -ECANCELED);
	gpufe_sched_kick(se);
}

static void gpufe_sched_hang_work(struct work_struct *work)
{
	struct gpufe_sched *sched = container_of(to_delayed_work(work),
						 struct gpufe_sched,
						 hang_work);
	struct gpufe_device *gdev = container_of(sched, struct gpufe_device,
						 sched);
	bool cookie = dma_fence_begin_signalling();
	bool busy = false, overdue = false;
	unsigned int i;

	for (i = 0; i < gdev->num_engines; i++) {
		struct gpufe_sched_engine *se = &sched->engines[i];

		spin_lock_irq(&se->lock);
		overdue |= !!gpufe_sched_overdue_locked(se, ktime_get_ns());
		spin_unlock_irq(&se->lock);
	}
	/* The interrupt may be late: look at the slots before blaming. */
	if (overdue)
		gpufe_route_poll(gdev);
	for (i = 0; i < gdev->num_engines; i++) {
		struct gpufe_sched_engine *se = &sched->engines[i];
		bool hung;

		spin_lock_irq(&se->lock);
		hung = overdue && gpufe_sched_overdue_locked(se, ktime_get_ns());
		spin_unlock_irq(&se->lock);
		if (hung)
			gpufe_sched_reset(se);
		spin_lock_irq(&se->lock);
		busy |= se->held;
		spin_unlock_irq(&se->lock);
	}
	if (busy)
		gpufe_sched_arm_hang_check(sched);
	dma_fence_end_signalling(cookie);
}

/* The group of a partition (0: none) on an engine; under its mutex. */
static struct gpufe_sched_group *gpufe_sched_group_get(struct gpufe_sched_engine *se,
						       struct gpufe_partition *part)
{
	struct gpufe_sched_group *g;

	lockdep_assert_held(&se->mutex);
	list_for_each_entry(g, &se->groups, link) {
		if (g->part == part) {
			g->users++;
			return g;
		}
	}
	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!g)
		return NULL;
	g->se = se;
	g->part = part;
	g->weight = part ? part->reg.weight : GPUFE_SCHED_DEFAULT_WEIGHT;
	g->timeout_ms = part ? part->engine_timeout_ms : 0;
	g->users = 1;
	g->ready = RB_ROOT_CACHED;
	RB_CLEAR_NODE(&g->node);
	list_add_tail(&g->link, &se->groups);
	return g;
}

static void gpufe_sched_group_put(struct gpufe_sched_group *g)
{
	lockdep_assert_held(&g->se->mutex);
	if (--g->users)
		return;
	WARN_ON(g->on_rq);
	list_del(&g->link);
	kfree(g);
}

/* A client's share of an engine; under the engine's mutex. */
static struct gpufe_sched_client *gpufe_sched_client_get(struct gpufe_sched_engine *se,
							 struct gpufe_client *client)
{
	struct gpufe_sched_client *sc;
	unsigned int i;

	lockdep_assert_held(&se->mutex);
	sc = xa_load(&se->clients, client->serial);
	if (sc) {
		sc->users++;
		return sc;
	}
	sc = kzalloc(sizeof(*sc), GFP_KERNEL_ACCOUNT);
	if (!sc)
		return NULL;
	sc->serial = client->serial;
	sc->users = 1;
	for (i = 0; i < ARRAY_SIZE(sc->ready); i++)
		INIT_LIST_HEAD(&sc->ready[i]);
	sc->group = gpufe_sched_group_get(se, client->part);
	if (!sc->group ||
	    xa_err(xa_store(&se->clients, sc->serial, sc, GFP_KERNEL_ACCOUNT))) {
		if (sc->group)
			gpufe_sched_group_put(sc->group);
		kfree(sc);
		return NULL;
	}
	return sc;
}

static void gpufe_sched_client_put(struct gpufe_sched_engine *se,
				   struct gpufe_sched_client *sc)
{
	lockdep_assert_held(&se->mutex);
	if (--sc->users)
		return;
	WARN_ON(sc->on_rq);
	xa_erase(&se->clients, sc->serial);
	gpufe_sched_group_put(sc->group);
	kfree(sc);
}

/**
 * gpufe_sched_entity_init - put a new context on its engine's books
 * @ctx: the context, with its client, device and engine set
 * @priority: GPUFE_PRIORITY_*
 *
 * Return: 0 or -ENOMEM.
 */
int gpufe_sched_entity_init(struct gpufe_ctx *ctx, int priority)
{
	struct gpufe_sched_entity *ent = &ctx->ent;
	struct gpufe_sched_engine *se;

	se = &ctx->gdev->sched.engines[ctx->engine->hw_index];
	ent->priority = priority;
	/* Not batched before its jobs were measured. */
	ent->avg_ns = GPUFE_SCHED_BATCH_NS;
	INIT_LIST_HEAD(&ent->queue);
	INIT_LIST_HEAD(&ent->ready_link);
	atomic64_set(&ent->busy_ns, 0);
	mutex_lock(&se->mutex);
	ent->sclient = gpufe_sched_client_get(se, ctx->client);
	mutex_unlock(&se->mutex);
	if (!ent->sclient)
		return -ENOMEM;
	ent->se = se;
	spin_lock_irq(&se->lock);
	list_add_tail(&ent->link, &se->entities);
	spin_unlock_irq(&se->lock);
	return 0;
}

/**
 * gpufe_sched_entity_stop - let go of what a context's work waits for
 * @ctx: the context, whose release started: nothing queues its work but
 *	its dependency callback, which this disarms
 */
void gpufe_sched_entity_stop(struct gpufe_ctx *ctx)
{
	struct gpufe_sched_entity *ent = &ctx->ent;
	struct gpufe_sched_engine *se = ent->se;

	if (!se)
		return;
	spin_lock_irq(&se->lock);
	gpufe_ctx_dep_clear(ctx);
	/* Out of gpufe_sched_device_gone()'s reach, which kicks the work. */
	list_del_init(&ent->link);
	spin_unlock_irq(&se->lock);
}

/**
 * gpufe_sched_entity_fini - take a context off its engine's books
 * @ctx: the context, with no job left and its work cancelled; process
 *	context
 */
void gpufe_sched_entity_fini(struct gpufe_ctx *ctx)
{
	struct gpufe_sched_entity *ent = &ctx->ent;
	struct gpufe_sched_engine *se = ent->se;

	if (!se)
		return;
	spin_lock_irq(&se->lock);
	/* The work is not running: the dependency is ours to drop. */
	gpufe_ctx_dep_clear(ctx);
	list_del_init(&ent->link);
	spin_unlock_irq(&se->lock);
	WARN_ON(ent->ready || !list_empty(&ent->queue));
	mutex_lock(&se->mutex);
	gpufe_sched_client_put(se, ent->sclient);
	mutex_unlock(&se->mutex);
}

/**
 * gpufe_sched_init - set up a new device's scheduler
 * @gdev: the device
 * @credits: jobs per engine the back-end holds, 0 for 1
 *
 * Return: 0 or -ENOMEM; gpufe_sched_fini() undoes it either way.
 */
int gpufe_sched_init(struct gpufe_device *gdev, unsigned int credits)
{
	struct gpufe_sched *sched = &gdev->sched;
	unsigned int i;

	sched->policy = GPUFE_SCHED_EQUAL_SHARE;
	sched->credits = credits ?: 1;
	sched->can_take_back = gdev->ops->take_back;
	INIT_DELAYED_WORK(&sched->hang_work, gpufe_sched_hang_work);
	sched->engines = kcalloc(gdev->num_engines, sizeof(*sched->engines),
				 GFP_KERNEL);
	if (!sched->engines)
		return -ENOMEM;
	for (i = 0; i < gdev->num_engines; i++) {
		struct gpufe_sched_engine *se = &sched->engines[i];

		se->sched = sched;
		se->gdev = gdev;
		se->index = i;
		spin_lock_init(&se->lock);
		mutex_init(&se->mutex);
		INIT_LIST_HEAD(&se->groups);
		xa_init(&se->clients);
		se->ready = RB_ROOT_CACHED;
		INIT_LIST_HEAD(&se->held_jobs);
		INIT_LIST_HEAD(&se->entities);
		mutex_init(&se->take_back_lock);
		hrtimer_init(&se->cap_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
		se->cap_timer.function = gpufe_sched_cap_timer;
		INIT_WORK(&se->preempt_work, gpufe_sched_preempt_work);
	}
	return 0;
}

/**
 * gpufe_sched_device_gone - the device was unregistered
 * @gdev: the device
 *
 * Fails every queued job with ``-ENODEV``; the back-end completes or
 * fails those it holds. Process context.
 */
void gpufe_sched_device_gone(struct gpufe_device *gdev)
{
	struct gpufe_sched *sched = &gdev->sched;
	unsigned int i;

	if (sched->dev)
		device_unregister(sched->dev);
	sched->dev = NULL;
	for (i = 0; i < gdev->num_engines; i++) {
		struct gpufe_sched_engine *se = &sched->engines[i];
		struct gpufe_sched_entity *ent;
		LIST_HEAD(jobs);

		cancel_work_sync(&se->preempt_work);
		hrtimer_cancel(&se->cap_timer);
		/* Nothing is queued after this: SUBMIT sees the device gone. */
		spin_lock_irq(&se->lock);
		list_for_each_entry(ent, &se->entities, link) {
			struct gpufe_ctx *ctx = container_of(ent, struct gpufe_ctx,
							     ent);

			gpufe_sched_cancel_locked(ctx, -ENODEV, &jobs);
			mod_delayed_work(gpufe_wq, &ctx->work, 0);
		}
		spin_unlock_irq(&se->lock);
		gpufe_sched_fail_jobs(&jobs, -ENODEV);
	}
	cancel_delayed_work_sync(&sched->hang_work);
}

/**
 * gpufe_sched_fini - free a device's scheduler
 * @gdev: the device, which no context uses any more
 */
void gpufe_sched_fini(struct gpufe_device *gdev)
{
	struct gpufe_sched *sched = &gdev->sched;
	unsigned int i;

	if (!sched->engines)
		return;
	for (i = 0; i < gdev->num_engines; i++) {
		struct gpufe_sched_engine *se = &sched->engines[i];

		cancel_work_sync(&se->preempt_work);
		hrtimer_cancel(&se->cap_timer);
		WARN_ON(se->held || se->runs || se->queued ||
			!list_empty(&se->groups) ||
			!list_empty(&se->entities));
		xa_destroy(&se->clients);
		mutex_destroy(&se->take_back_lock);
		mutex_destroy(&se->mutex);
	}
	/* Last: the works above may have armed it. */
	cancel_delayed_work_sync(&sched->hang_work);
	kfree(sched->engines);
}

static struct gpufe_device *gpufe_sched_dev_gdev(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t sched_policy_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct gpufe_device *gdev = gpufe_sched_dev_gdev(dev);

	return sysfs_emit(buf, "%s\n",
			  gpufe_sched_policy_names[READ_ONCE(gdev->sched.policy)]);
}

static ssize_t sched_policy_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t count)
{
	struct gpufe_device *gdev = gpufe_sched_dev_gdev(dev);
	struct gpufe_sched *sched = &gdev->sched;
	int policy;
	unsigned int i;

	policy = sysfs_match_string(gpufe_sched_policy_names, buf);
	if (policy < 0)
		return policy;

	/*
	 * Every engine's run queue is ordered by the policy's keys: each is
	 * put in the new order under its lock. Until then, groups that come
	 * and go on it take the new keys, which costs a turn at most.
	 */
	mutex_lock(&gpufe_sched_policy_lock);
	WRITE_ONCE(sched->policy, policy);
	for (i = 0; i < gdev->num_engines; i++) {
		struct gpufe_sched_engine *se = &sched->engines[i];
		struct gpufe_sched_group *g;

		mutex_lock(&se->mutex);
		spin_lock_irq(&se->lock);
		list_for_each_entry(g, &se->groups, link) {
			/* Caps count from now: none was kept meanwhile. */
			g->cap_ns = 0;
			if (!g->on_rq)
				continue;
			gpufe_group_dequeue_locked(g);
			gpufe_group_enqueue_locked(g);
		}
		spin_unlock_irq(&se->lock);
		mutex_unlock(&se->mutex);
	}
	mutex_unlock(&gpufe_sched_policy_lock);
	for (i = 0; i < gdev->num_engines; i++)
		gpufe_sched_kick(&sched->engines[i]);
	return count;
}
static DEVICE_ATTR_RW(sched_policy);

/**
 * struct gpufe_counter_attr - a read-only sysfs file of a scheduler counter
 * @attr: the attribute
 * @offset: the counter's offset in &struct gpufe_sched
 */
struct gpufe_counter_attr {
	struct device_attribute attr;
	size_t offset;
};

static ssize_t gpufe_counter_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	const struct gpufe_counter_attr *ca =
		container_of(attr, struct gpufe_counter_attr, attr);
	struct gpufe_sched *sched = &gpufe_sched_dev_gdev(dev)->sched;
	atomic64_t *counter = (void *)sched + ca->offset;

	return sysfs_emit(buf, "%lld\n", (long long)atomic64_read(counter));
}

static struct gpufe_counter_attr dev_attr_hangs = {
	.attr = __ATTR(hangs, 0444, gpufe_counter_show, NULL),
	.offset = offsetof(struct gpufe_sched, hangs),
};

static struct gpufe_counter_attr dev_attr_resets = {
	.attr = __ATTR(resets, 0444, gpufe_counter_show, NULL),
	.offset = offsetof(struct gpufe_sched, resets),
};

static struct gpufe_counter_attr dev_attr_bans = {
	.attr = __ATTR(bans, 0444, gpufe_counter_show, NULL),
	.offset = offsetof(struct gpufe_sched, bans),
};

static struct attribute *gpufe_gpu_attrs[] = {
	&dev_attr_sched_policy.attr,
	&dev_attr_hangs.attr.attr,
	&dev_attr_resets.attr.attr,
	&dev_attr_bans.attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(gpufe_gpu);

/**
 * gpufe_sched_register - show a registered device in sysfs
 * @gdev: the device, with its id
 *
 * /sys/class/gpufe/gpu<id>/; a failure only costs the knobs.
 */
void gpufe_sched_register(struct gpufe_device *gdev)
{
	struct device *dev;

	dev = device_create_with_groups(&gpufe_class, NULL, MKDEV(0, 0), gdev,
					gpufe_gpu_groups, "gpu%u", gdev->id);
	if (IS_ERR(dev)) {
		pr_warn("device %u: no sysfs directory: %ld\n", gdev->id,
			PTR_ERR(dev));
		return;
	}
	gdev->sched.dev = dev;
}

/**
 * gpufe_sched_show - print every device's scheduler for debugfs
 * @m: the seq_file
 */
void gpufe_sched_show(struct seq_file *m)
{
	struct gpufe_device *gdev;
	unsigned long index = 0;

	mutex_lock(&gpufe_registry_lock);
	while ((gdev = gpufe_device_next_locked(&index))) {
		struct gpufe_sched *sched = &gdev->sched;
		unsigned int i, queued = 0, held = 0;

		for (i = 0; i < gdev->num_engines; i++) {
			struct gpufe_sched_engine *se = &sched->engines[i];

			spin_lock_irq(&se->lock);
			queued += se->queued;
			held += se->held;
			spin_unlock_irq(&se->lock);
		}
		seq_printf(m, "%u %s policy=%s queued=%u held=%u credits=%u hangs=%lld resets=%lld bans=%lld cancelled=%lld taken_back=%lld\n",
			   gdev->id, gdev->name,
			   gpufe_sched_policy_names[READ_ONCE(sched->policy)],
			   queued, held, sched->credits,
			   (long long)atomic64_read(&sched->hangs),
			   (long long)atomic64_read(&sched->resets),
			   (long long)atomic64_read(&sched->bans),
			   (long long)atomic64_read(&sched->cancelled),
			   (long long)atomic64_read(&sched->taken_back));
	}
	mutex_unlock(&gpufe_registry_lock);
}
