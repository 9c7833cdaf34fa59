/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swgpu's private header: the GPU and engine structures shared by its files.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef _SWGPU_H_
#define _SWGPU_H_

/* How long an idle engine looks for new work before its worker sleeps. */
#define SWGPU_IDLE_POLL_NS	(50 * NSEC_PER_USEC)

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <gpufe/backend.h>

struct dentry;
struct platform_device;
struct swgpu;

/**
 * struct swgpu_engine - one engine of a software GPU
 * @gpu: the GPU the engine belongs to
 * @engine_class: its &enum gpufe_engine_class, which decides the commands
 *	it may run
 * @name: its name, e.g. "ce0"
 * @wq: an ordered workqueue of its own that runs @work, so that the engine
 *	runs one job at a time while the other engines run in parallel
 * @work: runs the jobs on @queue, oldest first
 * @lock: protects @queue, @running, @stopped, @resetting, @dying and
 *	@polling
 * @queue: the jobs handed to swgpu_job_run() that have not started yet,
 *	linked through &gpufe_job.link, in the order they arrived
 * @running: the job @work took off @queue, from then until it has
 *	completed it or handed it to swgpu_job_take_back(); NULL when @work
 *	holds no job. Once the job's slot is written the front-end may free
 *	it: then the pointer is only compared with NULL
 * @stopped: the job a reset stopped, which @work left here for
 *	swgpu_job_take_back() to hand back
 * @resetting: set by swgpu_job_take_back() while it resets the engine;
 *	the running job stops at its next command or slice, and @work starts
 *	no job
 * @dying: set once by swgpu_engine_stop(); from then on no job starts and
 *	a running job stops at its next command
 * @polling: @work is looking at @queue for a while before it sleeps, so a
 *	new job needs no queue_work()
 * @waitq: woken when @resetting or @dying is set (a sleeping DELAY_US or
 *	HANG stops at once) and when @running becomes NULL while @resetting
 *	is set (swgpu_job_take_back() waits for that)
 *
 * @resetting and @dying are written under @lock and read without it by
 * the commands, which only need to see them soon.
 */
struct swgpu_engine {
	struct swgpu *gpu;
	u32 engine_class;
	char name[GPUFE_ENGINE_NAME_LEN];
	struct workqueue_struct *wq;
	struct work_struct work;
	spinlock_t lock; /* protects queue, running, stopped and the flags */
	struct list_head queue;
	struct gpufe_job *running;
	struct gpufe_job *stopped;
	bool resetting;
	bool dying;
	bool polling;
	wait_queue_head_t waitq;
};

/**
 * struct swgpu - one software GPU
 * @gdev: the front-end's device
 * @index: the GPU's number within this module
 * @name: the GPU's name
 * @pdev: with ``dma_slots``, the platform device that stands for the GPU
 *	and "writes" completion slots by DMA; NULL otherwise
 * @irq: the GPU's interrupt; its handler calls gpufe_device_irq()
 * @irq_timer: raises the interrupt for moderated completions
 * @irq_timer_armed: @irq_timer is started and has not fired yet
 * @irq_events: completions raised since the handler last ran
 * @irq_hint: the hint of the last completion raised
 * @irq_count: interrupts handled, for ``drop_irq_every``
 * @num_engines: number of initialised entries in @engines
 * @engines: the engines, in the order of the &gpufe_device_desc engines
 *	(so &gpufe_job.engine indexes this array)
 */
struct swgpu {
	struct gpufe_device *gdev;
	unsigned int index;
	char name[GPUFE_NAME_LEN];
	struct platform_device *pdev;
	struct irq_work irq;
	struct hrtimer irq_timer;
	atomic_t irq_timer_armed;
	atomic_t irq_events;
	u32 irq_hint;
	atomic_t irq_count;
	unsigned int num_engines;
	struct swgpu_engine engines[];
};

/* swgpu_cmd.c */
int swgpu_engine_init(struct swgpu_engine *engine, struct swgpu *gpu,
		      u32 engine_class, const char *name);
void swgpu_engine_stop(struct swgpu_engine *engine);
void swgpu_engine_fini(struct swgpu_engine *engine);
int swgpu_job_validate(struct gpufe_device *gdev, const struct gpufe_job *job);
void swgpu_job_run(struct gpufe_device *gdev, struct gpufe_job *job);
void swgpu_job_take_back(struct gpufe_device *gdev, unsigned int engine,
			 bool reset, struct list_head *jobs);

/* swgpu_drv.c */
extern bool swgpu_allow_hang;

/* swgpu_irq.c */
extern atomic_t swgpu_fail_next_jobs;
void swgpu_irq_raise(struct swgpu *gpu, u32 hint);
void swgpu_job_complete(struct swgpu_engine *engine, struct gpufe_job *job,
			int error);
void swgpu_irq_init(struct swgpu *gpu);
void swgpu_irq_fini(struct swgpu *gpu);
struct dentry *swgpu_debugfs_init(void);
void swgpu_debugfs_fini(void);

#endif /* _SWGPU_H_ */
