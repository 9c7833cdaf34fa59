// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: contexts
 *
 * A context is a client's queue of jobs on one engine of one device, with
 * a priority, a dma_fence timeline (its jobs' fences, sequence numbers
 * from 1) and a completed sequence number. It is the scheduler's entity
 * (gpufe_sched.c): jobs of a context are handed to the back-end in
 * submission order; a back-end runs an engine's jobs in the order it got
 * them, so they also complete in order.
 *
 * A context holds references on its client and its device. The handle,
 * every job and a pending completion event hold references on the
 * context; the last one may be dropped from a fence callback, so the
 * context is freed from a work item, which can wait for its own work.
 * Its jobs' fences can live long after that (in a buffer's dma_resv, a
 * sync_file), so what a context really uses is given back earlier: once
 * its handle is gone and its last job signalled, it retires, giving its
 * completion slot back and leaving the count of ``max_contexts``.
 *
 * Each context has a completion slot on its client's completion page
 * (gpufe_cpage.c) and a reserved place in its device's set of pending
 * contexts (gpufe_irq.c).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/dma-fence.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "gpufe_drv.h"

/* Context structures alive, for debugfs. */
static atomic_long_t gpufe_ctx_objs = ATOMIC_LONG_INIT(0);

/**
 * gpufe_ctx_objects - the number of context structures alive
 *
 * Return: how many contexts are allocated, retired ones included.
 */
long gpufe_ctx_objects(void)
{
	return atomic_long_read(&gpufe_ctx_objs);
}

/*
 * The handle is gone and no job is unsignalled: nothing writes the slot
 * any more. Once, in process context, after the context left its
 * client's count (gpufe_ctx_uncount()); the release does both for a
 * context that never became active.
 */
static void gpufe_ctx_retire(struct gpufe_ctx *ctx)
{
	might_sleep();
	if (ctx->rt.reserved)
		gpufe_route_forget(ctx);
	gpufe_slot_free(ctx);
	if (ctx->rt.reserved) {
		gpufe_route_unreserve(ctx->gdev);
		ctx->rt.reserved = false;
	}
	ctx->retired = true;
}

/*
 * The last active reference went: the context leaves max_contexts at
 * once, from any context, so that a CTX_CREATE after the WAIT that saw its
 * last job never fails for a retirement still on its way.
 */
static void gpufe_ctx_uncount(struct gpufe_ctx *ctx)
{
	atomic_dec(&ctx->client->num_ctxs);
}

static void gpufe_ctx_retire_work(struct work_struct *work)
{
	struct gpufe_ctx *ctx = container_of(work, struct gpufe_ctx,
					     retire_work);

	gpufe_ctx_retire(ctx);
	gpufe_ctx_put(ctx);
}

/**
 * gpufe_ctx_active_get - keep a context active for a new job
 * @ctx: the context
 *
 * Return: false if the context has retired (its handle is gone and its
 * jobs are done), true with an active reference otherwise.
 */
bool gpufe_ctx_active_get(struct gpufe_ctx *ctx)
{
	return atomic_inc_not_zero(&ctx->active);
}

/**
 * gpufe_ctx_active_put - the handle went, or a job signalled
 * @ctx: the context
 *
 * May sleep: the last active reference retires the context.
 */
void gpufe_ctx_active_put(struct gpufe_ctx *ctx)
{
	might_sleep();
	if (atomic_dec_and_test(&ctx->active)) {
		gpufe_ctx_uncount(ctx);
		gpufe_ctx_retire(ctx);
	}
}

/**
 * gpufe_ctx_active_sub_atomic - drop @n active references, as
 *	gpufe_ctx_active_put() would one by one, from any context
 * @ctx: the context
 * @n: how many: its jobs that signalled
 *
 * Callable from any context, hard interrupts included: the last active
 * reference retires the context from a work item.
 */
void gpufe_ctx_active_sub_atomic(struct gpufe_ctx *ctx, unsigned int n)
{
	if (atomic_sub_and_test(n, &ctx->active)) {
		gpufe_ctx_uncount(ctx);
		gpufe_ctx_get(ctx);
		queue_work(gpufe_cleanup_wq, &ctx->retire_work);
	}
}

/*
 * Give a new context its completion slot and its place in the device's
 * pending set. Undone by gpufe_ctx_fini_device(), also when it fails
 * half-way.
 */
static int gpufe_ctx_init_device(struct gpufe_ctx *ctx)
{
	int ret;

	ret = gpufe_slot_alloc(ctx);
	if (ret)
		return ret;
	ret = gpufe_route_reserve(ctx->gdev);
	if (ret)
		return ret;
	ctx->rt.reserved = true;
	return 0;
}

static void gpufe_ctx_fini_device(struct gpufe_ctx *ctx)
{
	gpufe_slot_unmap(ctx);
}

static void gpufe_ctx_release_work(struct work_struct *work)
{
	struct gpufe_ctx *ctx = container_of(work, struct gpufe_ctx,
					     release_work);

	/* Out of reach of gpufe_client_ctxs_kick() before the cancel. */
	spin_lock(&ctx->client->ctx_lock);
	list_del(&ctx->client_link);
	spin_unlock(&ctx->client->ctx_lock);
	/* Nothing queues the work after this. */
	gpufe_sched_entity_stop(ctx);
	cancel_delayed_work_sync(&ctx->work);
	gpufe_sched_entity_fini(ctx);
	WARN_ON(!list_empty(&ctx->tl.failed) || !list_empty(&ctx->tl.inflight) ||
		ctx->rt.idx >= 0);
	if (!ctx->retired) {
		gpufe_ctx_uncount(ctx);
		gpufe_ctx_retire(ctx);
	}
	gpufe_ctx_fini_device(ctx);
	gpufe_device_put(ctx->gdev);
	gpufe_client_put(ctx->client);
	mutex_destroy(&ctx->tl.submit_lock);
	kfree_rcu(ctx, rcu);
	atomic_long_dec(&gpufe_ctx_objs);
	/*
	 * Last: the module's exit destroys gpufe_cleanup_wq, which waits for
	 * this work to return before the module's text goes.
	 */
	module_put(THIS_MODULE);
}

static void gpufe_ctx_release(struct kref *ref)
{
	struct gpufe_ctx *ctx = container_of(ref, struct gpufe_ctx, ref);

	queue_work(gpufe_cleanup_wq, &ctx->release_work);
}

/**
 * gpufe_ctx_get - take a reference on a context
 * @ctx: the context
 *
 * Return: @ctx.
 */
struct gpufe_ctx *gpufe_ctx_get(struct gpufe_ctx *ctx)
{
	kref_get(&ctx->ref);
	return ctx;
}

/**
 * gpufe_ctx_put - drop a reference on a context
 * @ctx: the context, may be NULL
 *
 * Callable from any context.
 */
void gpufe_ctx_put(struct gpufe_ctx *ctx)
{
	if (ctx)
		kref_put(&ctx->ref, gpufe_ctx_release);
}

/**
 * gpufe_ctx_lookup - find a client's context by handle
 * @client: the client
 * @id: the handle
 *
 * Return: the context with a reference for the caller, or NULL.
 */
struct gpufe_ctx *gpufe_ctx_lookup(struct gpufe_client *client, u32 id)
{
	struct gpufe_ctx *ctx;

	/* Contexts are freed after a grace period: no lock needed. */
	rcu_read_lock();
	ctx = xa_load(&client->ctxs, id);
	if (ctx && !kref_get_unless_zero(&ctx->ref))
		ctx = NULL;
	rcu_read_unlock();
	return ctx;
}

/* A context's handle was erased: drop what it held. May sleep. */
static void gpufe_ctx_handle_drop(struct gpufe_ctx *ctx)
{
	gpufe_ctx_orphan(ctx);
	gpufe_ctx_active_put(ctx);
	gpufe_ctx_put(ctx);
}

/**
 * gpufe_client_ctxs_kick - run the work of every context of a client
 * @client: the client
 *
 * Every context, with or without handle, whose release has not started:
 * what each does depends on the state of its client, which changed (its
 * partition ended). Process context.
 */
void gpufe_client_ctxs_kick(struct gpufe_client *client)
{
	struct gpufe_ctx *ctx;

	spin_lock(&client->ctx_lock);
	list_for_each_entry(ctx, &client->ctx_list, client_link)
		mod_delayed_work(gpufe_wq, &ctx->work, 0);
	spin_unlock(&client->ctx_lock);
}

/**
 * gpufe_client_ctxs_fini - drop every context handle of a closing client
 * @client: the client
 */
void gpufe_client_ctxs_fini(struct gpufe_client *client)
{
	struct gpufe_ctx *ctx;
	unsigned long id;

	xa_for_each(&client->ctxs, id, ctx) {
		xa_erase(&client->ctxs, id);
		gpufe_ctx_handle_drop(ctx);
	}
}

/**
 * gpufe_ioctl_ctx_create - GPUFE_IOCTL_CTX_CREATE
 * @client: the caller
 * @data: a &struct gpufe_ctx_create
 *
 * Return: 0, or the negative errno &struct gpufe_ctx_create documents.
 */
int gpufe_ioctl_ctx_create(struct gpufe_client *client, void *data)
{
	struct gpufe_ctx_create *args = data;
	const struct gpufe_engine *engine;
	struct gpufe_device *gdev;
	struct gpufe_ctx *ctx;
	int ret;

	if (args->flags || args->pad)
		return -EINVAL;
	if (args->priority < GPUFE_PRIORITY_LOW ||
	    args->priority > GPUFE_PRIORITY_HIGH)
		return -EINVAL;
	if (args->priority == GPUFE_PRIORITY_HIGH && !capable(CAP_SYS_NICE))
		return -EPERM;

	gdev = gpufe_device_lookup(args->device_id);
	if (!gdev)
		return -ENODEV;
	if (!gpufe_client_sees(client, gdev)) {
		ret = -ENODEV;
		goto err_put_device;
	}
	/* The client's numbering: a partition's engines, densely. */
	engine = gpufe_client_engine_find(client, gdev, args->engine_class,
					  args->engine_instance);
	if (!engine) {
		ret = -ENOENT;
		goto err_put_device;
	}
	/* Contexts alive count, also those whose handle is gone. */
	if (atomic_inc_return(&client->num_ctxs) > gpufe_max_contexts) {
		ret = -EMFILE;
		goto err_dec_ctxs;
	}

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx) {
		ret = -ENOMEM;
		goto err_dec_ctxs;
	}
	kref_init(&ctx->ref);
	/* The handle's; a failed creation retires in the release. */
	atomic_set(&ctx->active, 1);
	atomic_long_inc(&gpufe_ctx_objs);
	/*
	 * Jobs' fences outlive the file (sync_files, other drivers' dma_resv)
	 * and call into this module when released: each context, which they
	 * hold, holds the module.
	 */
	__module_get(THIS_MODULE);
	ctx->client = gpufe_client_get(client);
	ctx->gdev = gdev;
	ctx->engine = engine;
	ctx->tl.context = dma_fence_context_alloc(1);
	mutex_init(&ctx->tl.submit_lock);
	spin_lock_init(&ctx->tl.lock);
	INIT_LIST_HEAD(&ctx->tl.inflight);
	INIT_LIST_HEAD(&ctx->tl.failed);
	ctx->rt.idx = -1;
	INIT_DELAYED_WORK(&ctx->work, gpufe_ctx_work);
	INIT_WORK(&ctx->release_work, gpufe_ctx_release_work);
	INIT_WORK(&ctx->retire_work, gpufe_ctx_retire_work);
	init_waitqueue_head(&ctx->ev.wq);
	INIT_LIST_HEAD(&ctx->ev.link);
	INIT_LIST_HEAD(&ctx->client_link);

	ret = gpufe_sched_entity_init(ctx, args->priority);
	if (!ret)
		ret = gpufe_ctx_init_device(ctx);
	if (ret) {
		gpufe_ctx_put(ctx);
		return ret;
	}
	/* Whole for gpufe_client_ctxs_kick() and the cancel at close. */
	spin_lock(&client->ctx_lock);
	list_add_tail(&ctx->client_link, &client->ctx_list);
	spin_unlock(&client->ctx_lock);
	/* Reserve the handle; publish the context only once it is whole. */
	ret = xa_alloc_cyclic(&client->ctxs, &ctx->id, NULL, xa_limit_31b,
			      &client->next_ctx_id, GFP_KERNEL_ACCOUNT);
	if (ret < 0) {
		gpufe_ctx_put(ctx);
		return ret;
	}
	/* Named as the client names the engine: it may see no more. */
	snprintf(ctx->tl.name, sizeof(ctx->tl.name), "%s-%s%u-c%u-%u",
		 gdev->name, gpufe_engine_class_name(engine->engine_class),
		 args->engine_instance, client->id, ctx->id);
	args->ctx_id = ctx->id;
	args->slot_offset = (u64)ctx->rt.slot_index *
			    sizeof(struct gpufe_completion_slot);

	/* The reserved entry is there: storing needs no memory. */
	xa_store(&client->ctxs, ctx->id, ctx, GFP_KERNEL);
	return 0;

err_dec_ctxs:
	atomic_dec(&client->num_ctxs);
err_put_device:
	gpufe_device_put(gdev);
	return ret;
}

/**
 * gpufe_ioctl_ctx_destroy - GPUFE_IOCTL_CTX_DESTROY
 * @client: the caller
 * @data: a &struct gpufe_ctx_destroy
 *
 * Return: 0, or the negative errno &struct gpufe_ctx_destroy documents.
 */
int gpufe_ioctl_ctx_destroy(struct gpufe_client *client, void *data)
{
	struct gpufe_ctx_destroy *args = data;
	struct gpufe_ctx *ctx;

	if (args->pad)
		return -EINVAL;

	/* Not a handle CTX_CREATE has reserved and not yet returned. */
	xa_lock(&client->ctxs);
	ctx = xa_load(&client->ctxs, args->ctx_id);
	if (ctx)
		__xa_erase(&client->ctxs, args->ctx_id);
	xa_unlock(&client->ctxs);
	if (!ctx)
		return -ENOENT;
	gpufe_ctx_handle_drop(ctx);
	return 0;
}

/**
 * gpufe_ioctl_ctx_status - GPUFE_IOCTL_CTX_STATUS
 * @client: the caller
 * @data: a &struct gpufe_ctx_status
 *
 * Return: 0, or the negative errno &struct gpufe_ctx_status documents.
 */
int gpufe_ioctl_ctx_status(struct gpufe_client *client, void *data)
{
	struct gpufe_ctx_status *args = data;
	struct gpufe_ctx *ctx;
	int idx;

	if (args->flags)
		return -EINVAL;

	ctx = gpufe_ctx_lookup(client, args->ctx_id);
	if (!ctx)
		return -ENOENT;

	args->submitted = atomic64_read(&ctx->tl.submitted);
	spin_lock_irq(&ctx->tl.lock);
	args->completed = atomic64_read(&ctx->tl.completed);
	args->error = ctx->tl.error;
	spin_unlock_irq(&ctx->tl.lock);

	args->busy_ns = atomic64_read(&ctx->ent.busy_ns);
	args->hangs = READ_ONCE(ctx->ent.hangs);
	args->queued = gpufe_sched_queued(ctx);

	idx = gpufe_device_enter();
	if (gpufe_device_unplugged(ctx->gdev))
		args->state = GPUFE_CTX_STATE_LOST;
	else if (READ_ONCE(ctx->ent.banned))
		args->state = GPUFE_CTX_STATE_BANNED;
	else
		args->state = GPUFE_CTX_STATE_ACTIVE;
	gpufe_device_exit(idx);

	gpufe_ctx_put(ctx);
	return 0;
}
