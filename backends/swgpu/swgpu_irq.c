// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: swgpu interrupts and fault injection
 *
 * A swgpu GPU behaves like a GPU that cannot interrupt each client on its
 * own: when an engine finishes a job, it writes the job's completion slot
 * (gpufe_job_complete(): the error, then the sequence number with release
 * ordering) and raises the GPU's one interrupt. The interrupt is an
 * irq_work, so its handler runs in hard interrupt context as a real one
 * would; it calls the front-end's gpufe_device_irq(). Interrupts coalesce:
 * completions that come while the interrupt is pending are reported by
 * that one interrupt, which then carries no hint; a lone completion's
 * interrupt carries its job's &gpufe_job.irq_hint.
 *
 * Interrupt moderation, as GPUs and network cards have it: a job that
 * completes while more jobs wait on its engine (the engine is busy
 * anyway) does not interrupt at once; an hrtimer raises the interrupt
 * %SWGPU_IRQ_MODERATION_US later, for every completion since, unless the
 * engine runs dry first, which raises it at once. A completion on an idle
 * engine is never delayed, and a busy engine's completions wait at most
 * that long, also behind a long job. An engine being reset counts as
 * idle, as the jobs waiting on it go back to the front-end; when the
 * front-end takes the waiting jobs back, the completions the timer holds
 * still come within that time. A GPU's teardown raises the interrupt for
 * completions the timer still holds.
 *
 * ``/sys/kernel/debug/gpufe_swgpu/`` has knobs, for every swgpu GPU, to
 * prove that the front-end loses nothing when the hardware misbehaves:
 *
 * - ``drop_irq_every``: 0 (default) or N: every Nth interrupt of a GPU is
 *   dropped, never reaching the front-end.
 * - ``late_slot_write_us``: 0 (default) or the microseconds (at most
 *   100000) by which an engine writes a finished job's slot after it has
 *   raised the job's interrupt, so that the interrupt finds nothing.
 * - ``fail_next_jobs``: the next N jobs to start, on any engine, fail with
 *   ``-EIO`` without running a command.
 * - ``irqs_raised``, ``irqs_dropped``, ``late_writes``: what happened,
 *   read-only.
 * - ``dma_writes``, ``dma_mismatches``: with the ``dma_slots`` module
 *   parameter, slots written through their DMA address, and slots whose
 *   DMA address did not lead back to them (then written with the CPU);
 *   read-only.
 * - ``unplug``: write-only; writing a GPU's index N unregisters swgpuN
 *   alone, as a hot-unplug would, while the other GPUs carry on (see
 *   "swgpu, the software GPU").
 *
 * The DMA writes: swgpu's platform device sits behind no IOMMU, so a DMA
 * address is a physical address, which the CPU reaches through the
 * kernel's direct map; the engine stores the job's sequence number there
 * with release ordering, as a device's ordered write would land. A job
 * that fails is completed with gpufe_job_complete() instead, which
 * records its error: a device reports errors to its driver, which
 * completes the failed job from the CPU.
 *
 * debugfs is not ABI.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-direct.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/minmax.h>
#include <linux/platform_device.h>

#include "swgpu.h"

/* The longest late_slot_write_us honoured. */
#define SWGPU_MAX_LATE_US	100000
/* How long a busy engine's completions may wait for their interrupt. */
#define SWGPU_IRQ_MODERATION_US	50

static u32 swgpu_drop_irq_every;
static u32 swgpu_late_slot_write_us;
atomic_t swgpu_fail_next_jobs = ATOMIC_INIT(0);
static atomic_t swgpu_irqs_raised = ATOMIC_INIT(0);
static atomic_t swgpu_irqs_dropped = ATOMIC_INIT(0);
static atomic_t swgpu_late_writes = ATOMIC_INIT(0);
static atomic_t swgpu_dma_writes = ATOMIC_INIT(0);
static atomic_t swgpu_dma_mismatches = ATOMIC_INIT(0);

static struct dentry *swgpu_debugfs_root;

/* The interrupt handler, in hard interrupt context. */
static void swgpu_irq_handle(struct swgpu *gpu)
{
	u32 every = READ_ONCE(swgpu_drop_irq_every);
	unsigned int events = atomic_xchg(&gpu->irq_events, 0);
	u32 hint;

	if (!events)
		return;
	/* A hint that a racing raise overwrote is still only a hint. */
	hint = events == 1 ? READ_ONCE(gpu->irq_hint) : GPUFE_IRQ_NO_HINT;
	atomic_inc(&swgpu_irqs_raised);
	if (every && !(atomic_inc_return(&gpu->irq_count) % every)) {
		atomic_inc(&swgpu_irqs_dropped);
		return;
	}
	gpufe_device_irq(gpu->gdev, hint);
}

static void swgpu_irq_work(struct irq_work *work)
{
	swgpu_irq_handle(container_of(work, struct swgpu, irq));
}

static enum hrtimer_restart swgpu_irq_timer(struct hrtimer *timer)
{
	struct swgpu *gpu = container_of(timer, struct swgpu, irq_timer);

	/* Before the events are taken: a later deferral arms it again. */
	atomic_set(&gpu->irq_timer_armed, 0);
	swgpu_irq_handle(gpu);
	return HRTIMER_NORESTART;
}

/*
 * Report a completion of a busy engine by the moderation timer, which
 * a raise before it expires makes report nothing.
 */
static void swgpu_irq_defer(struct swgpu *gpu)
{
	atomic_inc(&gpu->irq_events);
	if (!atomic_cmpxchg(&gpu->irq_timer_armed, 0, 1))
		hrtimer_start(&gpu->irq_timer,
			      ns_to_ktime(SWGPU_IRQ_MODERATION_US * NSEC_PER_USEC),
			      HRTIMER_MODE_REL_HARD);
}

/**
 * swgpu_irq_raise() - raise a GPU's interrupt
 * @gpu: the GPU
 * @hint: the &gpufe_job.irq_hint of the job it reports, or
 *	%GPUFE_IRQ_NO_HINT
 *
 * After the slot writes it reports. Callable from any context.
 */
void swgpu_irq_raise(struct swgpu *gpu, u32 hint)
{
	WRITE_ONCE(gpu->irq_hint, hint);
	atomic_inc(&gpu->irq_events);
	irq_work_queue(&gpu->irq);
}

/* Write a finished job's slot: by "DMA" if the GPU has a DMA device. */
static void swgpu_slot_write(struct swgpu *gpu, struct gpufe_job *job,
			     int error)
{
	struct gpufe_completion_slot *slot;

	if (!gpu->pdev || error || !job->slot_dma) {
		gpufe_job_complete(job, error);
		return;
	}
	slot = phys_to_virt(dma_to_phys(&gpu->pdev->dev, job->slot_dma));
	if (slot != job->slot) {
		atomic_inc(&swgpu_dma_mismatches);
		gpufe_job_complete(job, error);
		return;
	}
	/* As gpufe_job_complete(): after the job's results, release. */
	smp_store_release(&slot->seqno, job->seqno);
	atomic_inc(&swgpu_dma_writes);
}

/**
 * swgpu_job_complete() - report a job that ended on an engine
 * @engine: the engine it ran on
 * @job: the job; not touched afterwards
 * @error: 0 or the job's negative errno
 *
 * Writes the job's slot and raises the interrupt (at once if the engine
 * has no other job waiting, else moderated), or, with
 * ``late_slot_write_us`` set, raises the interrupt first and writes the
 * slot that much later. May sleep.
 */
void swgpu_job_complete(struct swgpu_engine *engine, struct gpufe_job *job,
			int error)
{
	u32 late = min_t(u32, READ_ONCE(swgpu_late_slot_write_us),
			 SWGPU_MAX_LATE_US);
	u32 hint = job->irq_hint;

	if (!late) {
		swgpu_slot_write(engine->gpu, job, error);
		/*
		 * A hint: the engine's lock orders nothing here. A reset
		 * hands the waiting jobs back: the engine runs dry.
		 */
		if (list_empty_careful(&engine->queue) ||
		    READ_ONCE(engine->resetting))
			swgpu_irq_raise(engine->gpu, hint);
		else
			swgpu_irq_defer(engine->gpu);
		return;
	}
	swgpu_irq_raise(engine->gpu, hint);
	usleep_range(late, late + late / 8 + 1);
	swgpu_slot_write(engine->gpu, job, error);
	atomic_inc(&swgpu_late_writes);
}

/**
 * swgpu_irq_init() - set up a GPU's interrupt
 * @gpu: the GPU
 */
void swgpu_irq_init(struct swgpu *gpu)
{
	init_irq_work(&gpu->irq, swgpu_irq_work);
	hrtimer_init(&gpu->irq_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	gpu->irq_timer.function = swgpu_irq_timer;
	atomic_set(&gpu->irq_timer_armed, 0);
	atomic_set(&gpu->irq_events, 0);
	atomic_set(&gpu->irq_count, 0);
}

/**
 * swgpu_irq_fini() - wait for a GPU's last interrupt
 * @gpu: the GPU, whose engines raise no more interrupts
 */
void swgpu_irq_fini(struct swgpu *gpu)
{
	/*
	 * An engine that ran dry raised at once, but one whose waiting jobs
	 * the front-end took back may leave completions to the timer.
	 */
	if (hrtimer_cancel(&gpu->irq_timer))
		irq_work_queue(&gpu->irq);
	irq_work_sync(&gpu->irq);
}

/**
 * swgpu_debugfs_init() - create /sys/kernel/debug/gpufe_swgpu/
 *
 * Failures are not errors: debugfs is optional.
 *
 * Return: the directory, where swgpu_drv.c adds ``unplug``.
 */
struct dentry *swgpu_debugfs_init(void)
{
	struct dentry *d = debugfs_create_dir("gpufe_swgpu", NULL);

	swgpu_debugfs_root = d;
	debugfs_create_u32("drop_irq_every", 0644, d, &swgpu_drop_irq_every);
	debugfs_create_u32("late_slot_write_us", 0644, d,
			   &swgpu_late_slot_write_us);
	debugfs_create_atomic_t("fail_next_jobs", 0644, d,
				&swgpu_fail_next_jobs);
	debugfs_create_atomic_t("irqs_raised", 0444, d, &swgpu_irqs_raised);
	debugfs_create_atomic_t("irqs_dropped", 0444, d, &swgpu_irqs_dropped);
	debugfs_create_atomic_t("late_writes", 0444, d, &swgpu_late_writes);
	debugfs_create_atomic_t("dma_writes", 0444, d, &swgpu_dma_writes);
	debugfs_create_atomic_t("dma_mismatches", 0444, d,
				&swgpu_dma_mismatches);
	return d;
}

/**
 * swgpu_debugfs_fini() - remove /sys/kernel/debug/gpufe_swgpu/
 */
void swgpu_debugfs_fini(void)
{
	debugfs_remove_recursive(swgpu_debugfs_root);
}
