// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: edu engines
 *
 * An edu device has two units that work independently: a DMA engine, which
 * moves up to 4095 bytes between memory and the device's 4 KiB buffer in
 * about 100 ms, and a factorial unit. gpufe_edu makes each an engine: the
 * copy engine runs COPY commands, each chunk (edu_copy_chunk()) as two
 * transfers, memory to the device's buffer and back out to the
 * destination; the compute engine runs FACTORIAL commands, each one
 * computation whose result the CPU stores through the buffer's kernel
 * mapping. The engines run at the same time; each runs its jobs one after
 * the other, in the order edu_job_run() got them, and holds at most the
 * jobs of one credit (&gpufe_device_desc.credits is 1).
 *
 * State machine. Each engine is advanced by its work item (&edu_engine.work)
 * on the device's workqueue, under the engine's mutex: if an operation is
 * under way and the device's busy bit for it (DMA command bit 0, status
 * bit 0) is clear, it is finished (the second transfer of a chunk is
 * started, the chunk counted, a factorial's result stored); then the
 * engine's next operation starts, or, when its job has none left, the job
 * ends: its &gpufe_job.end_ns is stamped, and, with the mutex dropped,
 * gpufe_job_complete() and then one gpufe_device_irq() for all the jobs
 * the work item completed (with the job's &gpufe_job.irq_hint if there is
 * one). An idle engine takes the next job off its queue, stamps its
 * &gpufe_job.start_ns and checks its stream again (edu_job_check()). The
 * busy bit, not the interrupt, decides that an operation is done: the
 * device cannot tell whose work raised an interrupt, and a late one (after
 * a reset, or after the watchdog made it up) must not end the operation
 * that runs now. Before every transfer, its count is checked to be 1 to
 * %EDU_CHUNK_MAX bytes (QEMU aborts the VM otherwise) and its DMA address
 * range to lie in one DMA segment of the buffer and within the device's
 * DMA mask; a job that fails this ends with ``-EIO``.
 *
 * Buffers come mapped for the device without CPU syncs (backend.h), so
 * each chunk is synced for the device before its transfer in, its
 * destination for the device before the transfer out and for the CPU
 * after it, each exactly the bytes the device touches: a factorial's
 * result, which the CPU stores through the buffer's kernel mapping, is
 * never overwritten from a bounce buffer.
 *
 * Interrupts (edu_irq.c): the hard interrupt handler acknowledges the
 * status bits, marks the engines they belong to (&edu_engine.irq_pending)
 * and queues their work items.
 *
 * Lost interrupts: every operation started arms the engine's watchdog,
 * %EDU_DMA_TIMEOUT_MS for a transfer, %EDU_FACT_TIMEOUT_MS for a
 * factorial. When it fires and the operation is still under way, it
 * looks at the busy bit: still busy, it waits that long again; done and
 * no interrupt came for it, it counts a lost interrupt (sysfs
 * ``lost_irqs``) and queues the work item, which goes on as if the
 * interrupt had come.
 *
 * Taking jobs back (edu_job_take_back()). Without a reset, the queue goes
 * back, and the running job goes on. With a reset, under the engine's
 * mutex (so no operation starts meanwhile), it waits, sleeping, up to
 * %EDU_IDLE_TIMEOUT_MS for the operation under way to end (neither a
 * transfer nor a factorial can be stopped), acknowledges the interrupt
 * that operation raised, sets the factorial interrupt enable again, and
 * hands back the running job, then the queue. A device that stays busy
 * longer keeps its operation on the engine, so that nothing new starts
 * on the engine until the busy bit clears, and the job goes back anyway;
 * if that operation is a transfer, which could still write into the
 * job's buffers once they are unmapped and reused, bus mastering goes off
 * first (&edu_device.master_off), and on again only when an engine about
 * to start an operation finds the device's DMA busy bit clear. Meanwhile
 * no MSI reaches the CPU either: the watchdogs make up the interrupts.
 *
 * Probe: a job may arrive before gpufe_device_register() returns, before
 * probe has stored &edu_device.gdev. edu_job_run() queues it, but the
 * work items do nothing until probe has published &edu_device.started
 * (release, read with acquire, after &edu_device.gdev); then probe kicks
 * every engine's work item.
 *
 * Teardown (edu_drv.c): edu_engine_stop() marks the engine dying, so that
 * neither a job nor an operation starts from then on; the driver waits
 * for the device to finish what it does (edu_engine_wait_idle());
 * edu_engine_fail_all() completes the running job and the queue with
 * ``-ENODEV``; edu_engine_fini() cancels the work items.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-fence.h>
#include <linux/iopoll.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/scatterlist.h>
#include <linux/string.h>

#include <gpufe.h>
#include <gpufe_edu.h>

#include "edu.h"

/* Whether the device is still busy with @engine's operation @op. */
static bool edu_op_busy(const struct edu_engine *engine, enum edu_op op)
{
	const struct edu_device *edu = engine->edu;

	switch (op) {
	case EDU_OP_DMA_IN:
	case EDU_OP_DMA_OUT:
		return edu_read(edu, EDU_REG_DMA_CMD) & EDU_DMA_RUN;
	case EDU_OP_FACTORIAL:
		return edu_read(edu, EDU_REG_STATUS) & EDU_STATUS_COMPUTING;
	default:
		return false;
	}
}

/* The busy bit of all operations @engine may start. */
static bool edu_engine_busy(const struct edu_engine *engine)
{
	return edu_op_busy(engine, engine->id == EDU_ENGINE_COPY ?
			   EDU_OP_DMA_IN : EDU_OP_FACTORIAL);
}

/**
 * edu_engine_wait_idle() - wait for the device to finish an engine's work
 * @engine: the engine, whose mutex the caller may hold
 *
 * Sleeps, polling the busy bit, at most %EDU_IDLE_TIMEOUT_MS.
 *
 * Return: 0 once the device is idle, -ETIMEDOUT if it still is not.
 */
int edu_engine_wait_idle(struct edu_engine *engine)
{
	bool busy;

	return read_poll_timeout(edu_engine_busy, busy, !busy,
				 EDU_IDLE_POLL_US, EDU_IDLE_TIMEOUT_MS * 1000,
				 false, engine);
}

/* Started @op: the device works for @engine, watched by its watchdog. */
static void edu_op_started_locked(struct edu_engine *engine, enum edu_op op)
{
	lockdep_assert_held(&engine->lock);
	engine->op = op;
	engine->deadline_ns = ktime_get_ns() +
			      (u64)engine->timeout_ms * NSEC_PER_MSEC;
	mod_delayed_work(engine->edu->wq, &engine->watchdog,
			 msecs_to_jiffies(engine->timeout_ms) + 1);
}

/*
 * edu_bo_dma_addr() - the DMA address of bytes [@offset, @offset + @len)
 * of a buffer, which must lie in one DMA segment of its mapping and within
 * the device's DMA mask.
 */
static int edu_bo_dma_addr(const struct edu_device *edu,
			   const struct gpufe_job_bo *bo, u64 offset, u32 len,
			   dma_addr_t *addr)
{
	struct scatterlist *sg;
	u64 start = 0, last;
	unsigned int i;

	if (!bo->sgt)
		return -EIO;
	for_each_sgtable_dma_sg(bo->sgt, sg, i) {
		u64 seg_len = sg_dma_len(sg);

		if (offset >= start + seg_len) {
			start += seg_len;
			continue;
		}
		if (offset + len > start + seg_len)
			return -EIO;
		*addr = sg_dma_address(sg) + (offset - start);
		if (check_add_overflow((u64)*addr, (u64)len - 1, &last) ||
		    last > edu->dma_mask)
			return -EIO;
		return 0;
	}
	return -EIO;
}

/* Start a transfer of @len bytes from @src to @dst for the copy engine. */
static int edu_dma_start_locked(struct edu_engine *engine, enum edu_op op,
				dma_addr_t src, dma_addr_t dst, u32 len)
{
	struct edu_device *edu = engine->edu;
	u64 buf = op == EDU_OP_DMA_IN ? dst : src;
	u32 cmd = EDU_DMA_RUN | EDU_DMA_IRQ;

	lockdep_assert_held(&engine->lock);
	/* Defensive: QEMU aborts the whole VM for a transfer out of range. */
	if (!len || len > EDU_CHUNK_MAX || buf != EDU_DMA_BUF_ADDR)
		return -EIO;
	if (op == EDU_OP_DMA_OUT)
		cmd |= EDU_DMA_FROM_DEV;
	writeq(src, edu->mmio + EDU_REG_DMA_SRC);
	writeq(dst, edu->mmio + EDU_REG_DMA_DST);
	writeq(len, edu->mmio + EDU_REG_DMA_COUNT);
	writeq(cmd, edu->mmio + EDU_REG_DMA_CMD);
	edu_op_started_locked(engine, op);
	return 1;
}

/*
 * The next operation of the copy engine's running job: 1 when it started
 * one, 0 when the job is done, or the job's error.
 */
static int edu_copy_step_locked(struct edu_engine *engine)
{
	const struct gpufe_job *job = engine->running;
	struct edu_cursor *cur = &engine->cursor;
	struct edu_cmd_copy copy;
	dma_addr_t src, dst;
	u32 len;
	int ret;

	lockdep_assert_held(&engine->lock);
	if (cur->in_buf) {
		/* Mapped without CPU syncs (backend.h): ours to do. */
		dma_sync_single_for_device(&engine->edu->pdev->dev, cur->dst,
					   cur->chunk, DMA_FROM_DEVICE);
		return edu_dma_start_locked(engine, EDU_OP_DMA_OUT,
					    EDU_DMA_BUF_ADDR, cur->dst,
					    cur->chunk);
	}
	for (;;) {
		if (cur->pos >= job->cmds_size)
			return 0;
		/* Checked when the job started: a whole COPY. */
		memcpy(&copy, (const u8 *)job->cmds + cur->pos, sizeof(copy));
		if (cur->done < copy.length)
			break;
		cur->pos += sizeof(copy);
		cur->done = 0;
	}
	len = edu_copy_chunk(copy.src_offset, copy.dst_offset, copy.length,
			     cur->done);
	ret = edu_bo_dma_addr(engine->edu, &job->bos[copy.src_bo],
			      copy.src_offset + cur->done, len, &src);
	if (!ret)
		ret = edu_bo_dma_addr(engine->edu, &job->bos[copy.dst_bo],
				      copy.dst_offset + cur->done, len, &dst);
	if (ret)
		return ret;
	cur->chunk = len;
	cur->dst = dst;
	dma_sync_single_for_device(&engine->edu->pdev->dev, src, len,
				   DMA_TO_DEVICE);
	return edu_dma_start_locked(engine, EDU_OP_DMA_IN, src,
				    EDU_DMA_BUF_ADDR, len);
}

/* As edu_copy_step_locked(), for the compute engine. */
static int edu_compute_step_locked(struct edu_engine *engine)
{
	const struct gpufe_job *job = engine->running;
	struct edu_cursor *cur = &engine->cursor;
	struct edu_cmd_factorial fact;

	lockdep_assert_held(&engine->lock);
	if (cur->pos >= job->cmds_size)
		return 0;
	/* Checked when the job started: a whole FACTORIAL. */
	memcpy(&fact, (const u8 *)job->cmds + cur->pos, sizeof(fact));
	if (!job->bos[fact.dst_bo].vaddr)
		return -EIO;
	edu_write(engine->edu, EDU_REG_FACTORIAL, fact.n);
	edu_op_started_locked(engine, EDU_OP_FACTORIAL);
	return 1;
}

/*
 * The device finished @engine's operation: take its result into the
 * running job, if the engine still has it.
 */
static void edu_op_finish_locked(struct edu_engine *engine)
{
	const struct gpufe_job *job = engine->running;
	struct edu_cursor *cur = &engine->cursor;
	struct edu_cmd_factorial fact;
	enum edu_op op = engine->op;
	u32 result;

	lockdep_assert_held(&engine->lock);
	engine->op = EDU_OP_NONE;
	/* A reset handed the job back while the device was stuck with it. */
	if (!job)
		return;
	switch (op) {
	case EDU_OP_DMA_IN:
		cur->in_buf = true;
		break;
	case EDU_OP_DMA_OUT:
		/* The CPU sees the chunk before the job completes. */
		dma_sync_single_for_cpu(&engine->edu->pdev->dev, cur->dst,
					cur->chunk, DMA_FROM_DEVICE);
		cur->in_buf = false;
		cur->done += cur->chunk;
		cur->chunk = 0;
		break;
	case EDU_OP_FACTORIAL:
		result = edu_read(engine->edu, EDU_REG_FACTORIAL);
		memcpy(&fact, (const u8 *)job->cmds + cur->pos, sizeof(fact));
		/* 4-byte aligned in a page-aligned mapping; checked vaddr. */
		WRITE_ONCE(*(u32 *)(job->bos[fact.dst_bo].vaddr +
				    fact.dst_offset), result);
		cur->pos += sizeof(fact);
		break;
	default:
		break;
	}
}

/* Make the first job of the queue the running one; false if none. */
static bool edu_engine_start_locked(struct edu_engine *engine)
{
	struct gpufe_job *job;

	lockdep_assert_held(&engine->lock);
	spin_lock_irq(&engine->queue_lock);
	job = list_first_entry_or_null(&engine->queue, struct gpufe_job, link);
	if (job)
		list_del_init(&job->link);
	spin_unlock_irq(&engine->queue_lock);
	if (!job)
		return false;

	engine->running = job;
	WRITE_ONCE(job->start_ns, ktime_get_ns());
	memset(&engine->cursor, 0, sizeof(engine->cursor));
	engine->cursor.error = edu_job_check(engine->engine_class, job);
	return true;
}

/*
 * Bus mastering, turned off by a reset that handed back a job whose
 * transfer was still under way, goes on again once the transfer has
 * ended: called before an operation starts on either engine. Only the
 * copy engine transfers, and it keeps its stuck operation until the
 * device's DMA busy bit clears: it may get here with bus mastering off,
 * but never while the transfer that made it so is still under way.
 */
static void edu_master_restore_locked(struct edu_engine *engine)
{
	struct edu_device *edu = engine->edu;

	lockdep_assert_held(&engine->lock);
	mutex_lock(&edu->master_lock);
	if (edu->master_off &&
	    !(edu_read(edu, EDU_REG_DMA_CMD) & EDU_DMA_RUN)) {
		pci_set_master(edu->pdev);
		edu->master_off = false;
	}
	mutex_unlock(&edu->master_lock);
}

/*
 * edu_engine_advance_locked() - take the engine as far as it goes without
 * waiting for the device: returns the running job if it has ended (no
 * longer the engine's; *@error says how), to be completed by the caller,
 * or NULL when the engine waits for the device or has nothing to do.
 */
static struct gpufe_job *edu_engine_advance_locked(struct edu_engine *engine,
						   int *error)
{
	struct gpufe_job *job;
	int ret;

	lockdep_assert_held(&engine->lock);
	if (engine->op != EDU_OP_NONE) {
		if (edu_op_busy(engine, engine->op))
			return NULL;
		edu_op_finish_locked(engine);
	}
	/* Written under this lock too: no operation starts once it is set. */
	if (engine->dying)
		return NULL;
	edu_master_restore_locked(engine);
	if (!engine->running && !edu_engine_start_locked(engine))
		return NULL;

	ret = engine->cursor.error;
	if (!ret)
		ret = engine->id == EDU_ENGINE_COPY ?
		      edu_copy_step_locked(engine) :
		      edu_compute_step_locked(engine);
	if (ret > 0)
		return NULL;

	job = engine->running;
	engine->running = NULL;
	job->end_ns = ktime_get_ns();
	*error = ret;
	return job;
}

static void edu_engine_work(struct work_struct *work)
{
	struct edu_engine *engine = container_of(work, struct edu_engine,
						 work);
	struct edu_device *edu = engine->edu;
	u32 hint = GPUFE_IRQ_NO_HINT;
	unsigned int completed = 0;
	struct gpufe_job *job;
	bool cookie;
	int error;

	/*
	 * Until probe has stored @edu->gdev, nothing runs: a job may arrive
	 * before gpufe_device_register() returns. Probe kicks us after.
	 */
	if (!smp_load_acquire(&edu->started))
		return;
	/*
	 * The jobs' fences wait for this work: lockdep checks that it never
	 * waits for memory or for a lock held around a fence wait.
	 */
	cookie = dma_fence_begin_signalling();
	/* Before the device is looked at: an interrupt after it queues us. */
	atomic_set(&engine->irq_pending, 0);
	mutex_lock(&engine->lock);
	while ((job = edu_engine_advance_locked(engine, &error))) {
		/* The job is no longer the engine's: completed unlocked. */
		mutex_unlock(&engine->lock);
		hint = job->irq_hint;
		gpufe_job_complete(job, error);
		completed++;
		mutex_lock(&engine->lock);
	}
	mutex_unlock(&engine->lock);
	if (completed)
		gpufe_device_irq(edu->gdev,
				 completed == 1 ? hint : GPUFE_IRQ_NO_HINT);
	dma_fence_end_signalling(cookie);
}

static void edu_engine_watchdog(struct work_struct *work)
{
	struct edu_engine *engine = container_of(to_delayed_work(work),
						 struct edu_engine, watchdog);
	struct edu_device *edu = engine->edu;
	u64 now;

	mutex_lock(&engine->lock);
	if (engine->op == EDU_OP_NONE || engine->dying)
		goto out_unlock;
	now = ktime_get_ns();
	if (now < engine->deadline_ns) {
		/* Fired for an operation before this one. */
		mod_delayed_work(edu->wq, &engine->watchdog,
				 nsecs_to_jiffies(engine->deadline_ns - now) + 1);
		goto out_unlock;
	}
	if (edu_op_busy(engine, engine->op)) {
		/* Slow, not lost: look again later. */
		edu_op_started_locked(engine, engine->op);
		goto out_unlock;
	}
	if (!atomic_read(&engine->irq_pending))
		atomic_inc(&edu->lost_irqs);
	queue_work(edu->wq, &engine->work);
out_unlock:
	mutex_unlock(&engine->lock);
}

/* Complete a job that never reached the engine, in any context. */
static void edu_job_fail_now(struct gpufe_device *gdev, struct gpufe_job *job,
			     int error)
{
	u64 now = ktime_get_ns();
	u32 hint = job->irq_hint;

	WRITE_ONCE(job->start_ns, now);
	job->end_ns = now;
	gpufe_job_complete(job, error);
	gpufe_device_irq(gdev, hint);
}

/**
 * edu_job_validate() - check a job's command stream before it is queued
 * @gdev: the device, registered by gpufe_edu
 * @job: the job
 *
 * The back-end's &gpufe_backend_ops.validate: see "edu command checking".
 * Changes nothing.
 *
 * Return: 0 if the job's engine can run it, -EINVAL if not.
 */
int edu_job_validate(struct gpufe_device *gdev, const struct gpufe_job *job)
{
	struct edu_device *edu = gpufe_device_priv(gdev);

	if (job->engine >= EDU_NUM_ENGINES) {
		pr_debug("%s: engine %u, the device has %u\n", edu->name,
			 job->engine, EDU_NUM_ENGINES);
		return -EINVAL;
	}
	return edu_job_check(edu->engines[array_index_nospec(job->engine,
					   EDU_NUM_ENGINES)].engine_class, job);
}

/**
 * edu_job_run() - queue a job that passed edu_job_validate()
 * @gdev: the device, registered by gpufe_edu
 * @job: the job
 *
 * The back-end's &gpufe_backend_ops.run: queues the job on its engine and
 * kicks the engine's work item. Does not sleep; may be called with
 * interrupts disabled. The job is completed by the engine's work item,
 * handed back by edu_job_take_back(), failed by the teardown, or failed
 * at once (-EINVAL, -ENODEV) if the front-end breaks its side of the
 * interface.
 */
void edu_job_run(struct gpufe_device *gdev, struct gpufe_job *job)
{
	struct edu_device *edu = gpufe_device_priv(gdev);
	struct edu_engine *engine;
	unsigned long flags;
	bool dying;

	if (WARN_ON_ONCE(job->engine >= EDU_NUM_ENGINES)) {
		edu_job_fail_now(gdev, job, -EINVAL);
		return;
	}
	engine = &edu->engines[array_index_nospec(job->engine,
						  EDU_NUM_ENGINES)];

	spin_lock_irqsave(&engine->queue_lock, flags);
	dying = engine->dying;
	if (!dying) {
		list_add_tail(&job->link, &engine->queue);
		queue_work(edu->wq, &engine->work);
	}
	spin_unlock_irqrestore(&engine->queue_lock, flags);

	/* No job arrives after gpufe_device_unregister() has returned. */
	if (WARN_ON_ONCE(dying))
		edu_job_fail_now(gdev, job, -ENODEV);
}

/**
 * edu_job_take_back() - hand an engine's jobs back to the front-end
 * @gdev: the device, registered by gpufe_edu
 * @engine_idx: the engine, an index into the device's engines
 * @reset: stop the running job and hand it back too
 * @jobs: where the jobs go, through &gpufe_job.link, in the order
 *	edu_job_run() got them (with @reset, the running job first)
 *
 * The back-end's &gpufe_backend_ops.take_back; see "edu engines". Without
 * @reset it does not sleep; with @reset it sleeps until the operation
 * under way ends, at most %EDU_IDLE_TIMEOUT_MS. Allocates nothing and
 * waits for no fence.
 */
void edu_job_take_back(struct gpufe_device *gdev, unsigned int engine_idx,
		       bool reset, struct list_head *jobs)
{
	struct edu_device *edu = gpufe_device_priv(gdev);
	struct edu_engine *engine;
	struct gpufe_job *job;

	if (WARN_ON_ONCE(engine_idx >= EDU_NUM_ENGINES))
		return;
	engine = &edu->engines[array_index_nospec(engine_idx,
						  EDU_NUM_ENGINES)];

	if (!reset) {
		spin_lock_irq(&engine->queue_lock);
		list_splice_tail_init(&engine->queue, jobs);
		spin_unlock_irq(&engine->queue_lock);
		return;
	}

	/* Held throughout: no operation and no job starts meanwhile. */
	mutex_lock(&engine->lock);
	if (engine->op != EDU_OP_NONE) {
		if (!edu_engine_wait_idle(engine)) {
			/* Its interrupt, if it has not been handled yet. */
			edu_write(edu, EDU_REG_IRQ_ACK, engine->irq_bit);
			atomic_set(&engine->irq_pending, 0);
			engine->op = EDU_OP_NONE;
		} else {
			/* Kept: nothing starts until the device is done. */
			dev_warn_ratelimited(&edu->pdev->dev,
					     "%s stays busy after a reset\n",
					     engine->name);
			/*
			 * The job goes back and its buffers with it, while
			 * the transfer may still write into them: no DMA
			 * reaches memory (MSIs neither, the watchdogs make
			 * up for them) until edu_master_restore_locked().
			 */
			if (engine->op != EDU_OP_FACTORIAL) {
				mutex_lock(&edu->master_lock);
				pci_clear_master(edu->pdev);
				edu->master_off = true;
				mutex_unlock(&edu->master_lock);
			}
		}
	}
	if (engine->id == EDU_ENGINE_COMPUTE)
		edu_write(edu, EDU_REG_STATUS, EDU_STATUS_IRQFACT);

	job = engine->running;
	if (job) {
		engine->running = NULL;
		job->end_ns = ktime_get_ns();
		list_add_tail(&job->link, jobs);
	}
	spin_lock_irq(&engine->queue_lock);
	list_splice_tail_init(&engine->queue, jobs);
	spin_unlock_irq(&engine->queue_lock);
	mutex_unlock(&engine->lock);
}

/**
 * edu_engine_init() - set up an engine
 * @engine: the engine, zeroed
 * @edu: the device it belongs to, with its workqueue
 * @id: which engine it is
 */
void edu_engine_init(struct edu_engine *engine, struct edu_device *edu,
		     enum edu_engine_id id)
{
	engine->edu = edu;
	engine->id = id;
	if (id == EDU_ENGINE_COPY) {
		engine->engine_class = GPUFE_ENGINE_CLASS_COPY;
		engine->name = "copy0";
		engine->irq_bit = EDU_IRQ_DMA;
		engine->timeout_ms = EDU_DMA_TIMEOUT_MS;
	} else {
		engine->engine_class = GPUFE_ENGINE_CLASS_COMPUTE;
		engine->name = "compute0";
		engine->irq_bit = EDU_IRQ_FACT;
		engine->timeout_ms = EDU_FACT_TIMEOUT_MS;
	}
	INIT_WORK(&engine->work, edu_engine_work);
	INIT_DELAYED_WORK(&engine->watchdog, edu_engine_watchdog);
	atomic_set(&engine->irq_pending, 0);
	mutex_init(&engine->lock);
	spin_lock_init(&engine->queue_lock);
	INIT_LIST_HEAD(&engine->queue);
}

/**
 * edu_engine_stop() - start no job and no operation any more
 * @engine: the engine
 *
 * Call after gpufe_device_unregister(). The operation under way, if any,
 * goes on: edu_engine_wait_idle() waits for it. May sleep.
 */
void edu_engine_stop(struct edu_engine *engine)
{
	mutex_lock(&engine->lock);
	spin_lock_irq(&engine->queue_lock);
	engine->dying = true;
	spin_unlock_irq(&engine->queue_lock);
	mutex_unlock(&engine->lock);
}

/**
 * edu_engine_fail_all() - complete every job an engine holds
 * @engine: the engine, stopped, whose device no longer works for it
 * @error: the jobs' error
 *
 * Completes the running job, then the queue, in order; the caller raises
 * the interrupt. May sleep.
 */
void edu_engine_fail_all(struct edu_engine *engine, int error)
{
	struct gpufe_job *job, *next;
	LIST_HEAD(jobs);
	u64 now;

	mutex_lock(&engine->lock);
	engine->op = EDU_OP_NONE;
	job = engine->running;
	engine->running = NULL;
	if (job)
		list_add_tail(&job->link, &jobs);
	spin_lock_irq(&engine->queue_lock);
	list_splice_tail_init(&engine->queue, &jobs);
	spin_unlock_irq(&engine->queue_lock);
	mutex_unlock(&engine->lock);

	list_for_each_entry_safe(job, next, &jobs, link) {
		list_del_init(&job->link);
		now = ktime_get_ns();
		if (!job->start_ns)
			WRITE_ONCE(job->start_ns, now);
		job->end_ns = now;
		gpufe_job_complete(job, error);
	}
}

/**
 * edu_engine_fini() - undo edu_engine_init()
 * @engine: the engine, stopped, holding no job, whose device raises no
 *	interrupt any more
 */
void edu_engine_fini(struct edu_engine *engine)
{
	/* The watchdog may queue the work: first. */
	cancel_delayed_work_sync(&engine->watchdog);
	cancel_work_sync(&engine->work);
	mutex_destroy(&engine->lock);
}
