/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between the gpufe front-end and its back-ends.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef _GPUFE_BACKEND_H_
#define _GPUFE_BACKEND_H_

#include <linux/dma-mapping.h>
#include <linux/list.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

#include <gpufe.h>

/**
 * DOC: back-end interface
 *
 * A back-end module drives one or more GPUs. For each GPU it fills a
 * &struct gpufe_device_desc and calls gpufe_device_register() with a const
 * &struct gpufe_backend_ops table; it gets back an opaque &struct
 * gpufe_device, the front-end's handle for that GPU. The front-end copies
 * everything it needs out of the description, so the description may live
 * on the stack.
 *
 * gpufe_device_unregister() may be called at any time, also while clients
 * still use the device. It makes the device invisible to new lookups, waits
 * for every front-end call into the back-end for this device that is
 * already running, and returns. From then on the front-end never calls the
 * back-end for this device again and never touches its private data, so
 * the back-end may free both. Clients that still name the device get
 * ``-ENODEV``. A back-end module's exit function unregisters all its
 * devices; that is what makes unloading a back-end safe while clients hold
 * the device open.
 *
 * A back-end never sees a &struct file, a user pointer or a client handle.
 *
 * Buffers: a job's buffers come with a kernel mapping each
 * (&gpufe_job_bo.vaddr). A back-end whose device reads and writes them by
 * DMA sets &gpufe_device_desc.map_bos: a job @validate accepted then also
 * has each buffer mapped for &gpufe_device_desc.dma_dev through the DMA
 * API (&gpufe_job_bo.sgt) while the back-end holds it. A buffer is mapped
 * once per device, by the first job in flight on the device that names
 * it; the jobs after it share the mapping until the last of them is done,
 * or the back-end calls gpufe_device_release(), which unmaps whatever is
 * left: no mapping outlives the back-end's hold on the device, and the
 * back-end never maps or unmaps one. The mapping is %DMA_BIDIRECTIONAL
 * with %DMA_ATTR_SKIP_CPU_SYNC, so the back-end syncs around its device's
 * accesses: dma_sync_sgtable_for_device() (or a range of it) before the
 * device reads what the CPU wrote, dma_sync_sgtable_for_cpu() after the
 * device wrote and before gpufe_job_complete() (both are free on a
 * cache-coherent device without bounce buffers). The front-end has no
 * pages of its own for a buffer imported from another driver's dma-buf:
 * on such a device, a job naming one fails in SUBMIT (``-EOPNOTSUPP``)
 * and never reaches the back-end.
 *
 * Jobs: the front-end checks everything that is the same for every GPU (the
 * context, the buffer handles and their flags, fences) and asks the
 * back-end's @validate whether a command stream is one its engine can run
 * on those buffers; a job that passes is queued. When its dependencies have
 * signalled, it waits in the front-end's run queue of its engine, and the
 * front-end's scheduler (Documentation/scheduler.rst) decides when it goes
 * to @run. The back-end runs the jobs of an engine in the order it got
 * them. It holds jobs of at most &gpufe_device_desc.credits contexts of an
 * engine at a time: each credit is a run of consecutive jobs of one
 * context, one job, or up to %GPUFE_CREDIT_MAX_JOBS short ones (by their
 * measured engine time). The front-end hands the next over when the
 * router has seen one complete, or when @take_back gave some back.
 *
 * Engine time: the back-end stores the CLOCK_MONOTONIC time at which an
 * engine starts a job in &gpufe_job.start_ns, and the time it ends in
 * &gpufe_job.end_ns, before it completes the job. The scheduler charges
 * the difference to the job's client and partition, and measures a job's
 * run time for hang detection from @start_ns.
 *
 * Hangs and preemption: @take_back gives jobs back to the front-end. With
 * @reset false, it hands back the jobs of the engine that have not started
 * (the front-end does this to let a higher-priority job go first); with
 * @reset true, it also stops the job that runs, resets the engine and
 * hands that job back too (the front-end does this when a job ran longer
 * than its timeout). Jobs handed back are the front-end's again; the
 * back-end never completes them and must not touch them afterwards.
 *
 * Completions travel through completion slots and one interrupt, as on a
 * GPU that cannot interrupt each client on its own: every job carries the
 * address of its context's &struct gpufe_completion_slot and its sequence
 * number. When a job ends, the back-end calls gpufe_job_complete(), which
 * stores the job's error and then, with release ordering, its sequence
 * number into the slot (a device that writes the slot itself by DMA does
 * the same at &gpufe_job.slot_dma: results, then the sequence number; a
 * job that fails is completed with gpufe_job_complete() from the CPU,
 * which records its error);
 * then it raises its interrupt, gpufe_device_irq(), once for any number of
 * completions. The front-end finds whose slots moved and signals exactly
 * those jobs' fences. Documentation/completion.rst has the rules.
 *
 * Every job given to @run must be completed or handed back, also when the device is
 * unregistered meanwhile: after gpufe_device_unregister() returns, no new
 * job arrives, and the back-end completes (or fails, with ``-ENODEV``)
 * those it holds, raises its last interrupt, and only then drops its
 * reference on the device with gpufe_device_release() and frees its own data.
 */

struct gpufe_device;

/**
 * struct gpufe_engine_desc - one engine of a GPU
 * @engine_class: an &enum gpufe_engine_class
 * @instance: the back-end's instance number within @engine_class; the
 *	(@engine_class, @instance) pairs of a device are unique
 * @name: the back-end's name for the engine (logs and debugfs), shorter
 *	than %GPUFE_ENGINE_NAME_LEN
 *
 * Clients see engines renumbered densely within each class, in ascending
 * @instance order, and named after class and that dense number.
 */
struct gpufe_engine_desc {
	u32 engine_class;
	u16 instance;
	const char *name;
};

/**
 * struct gpufe_device_desc - what a back-end says about a GPU it registers
 * @name: the GPU's name, unique among devices, shorter than %GPUFE_NAME_LEN
 * @mem_size: bytes of device memory, 0 if none
 * @num_engines: number of entries in @engines, 1 to %GPUFE_MAX_ENGINES
 * @engines: the engines
 * @credits: runs of jobs of one engine the back-end holds at most, 1 to
 *	%GPUFE_MAX_CREDITS; 0 means 1: so at most @credits x
 *	%GPUFE_CREDIT_MAX_JOBS jobs. Few is better: jobs the back-end holds
 *	are no longer the scheduler's to order
 * @dma_dev: the device that writes completion slots by DMA, or NULL when
 *	the back-end writes them with the CPU (gpufe_job_complete()); the
 *	front-end maps the completion pages for it and hands the slot's
 *	address in &gpufe_job.slot_dma, until gpufe_device_release(), and
 *	holds a reference on it until the device is freed
 * @map_bos: map every job's buffers for @dma_dev (&gpufe_job_bo.sgt);
 *	needs @dma_dev (gpufe_device_register() fails with -EINVAL
 *	without)
 */
struct gpufe_device_desc {
	const char *name;
	u64 mem_size;
	unsigned int num_engines;
	const struct gpufe_engine_desc *engines;
	unsigned int credits;
	struct device *dma_dev;
	bool map_bos;
};

/**
 * struct gpufe_job_bo - a buffer as a job sees it
 * @vaddr: a kernel mapping of the whole buffer, valid until the job is done
 * @sgt: with &gpufe_device_desc.map_bos, the buffer's pages mapped for
 *	&gpufe_device_desc.dma_dev (walk it with for_each_sgtable_dma_sg()),
 *	%DMA_BIDIRECTIONAL with %DMA_ATTR_SKIP_CPU_SYNC, in segments no
 *	longer than dma_get_max_seg_size() and dma_max_mapping_size() of the
 *	device; valid from @run while the back-end holds the job; NULL
 *	in @validate and without map_bos
 * @size: the buffer's size in bytes
 * @flags: %GPUFE_SUBMIT_BO_READ and/or %GPUFE_SUBMIT_BO_WRITE: what the
 *	job may do with it
 */
struct gpufe_job_bo {
	void *vaddr;
	struct sg_table *sgt;
	u64 size;
	u32 flags;
};

/**
 * struct gpufe_job - a job as the back-end sees it
 * @engine: the engine to run on, an index into the &gpufe_device_desc
 *	engines the back-end registered
 * @cmds: the command stream, in kernel memory, 4-byte aligned
 * @cmds_size: bytes at @cmds, a multiple of 4
 * @num_bos: entries in @bos
 * @bos: the buffer list; commands name buffers by index in it
 * @seqno: the job's sequence number, what its slot says once it is done
 * @slot: the kernel mapping of the job's completion slot
 * @slot_dma: the slot's DMA address for &gpufe_device_desc.dma_dev; 0 when
 *	the device has none or cannot share the slot's page with the CPU
 *	without cache maintenance or bounce buffers: then the back-end
 *	completes the job from the CPU, with gpufe_job_complete()
 * @irq_hint: what to pass to gpufe_device_irq() for an interrupt raised
 *	for this job alone
 * @start_ns: the back-end's: CLOCK_MONOTONIC ns at which the engine
 *	started the job, stored with WRITE_ONCE(); 0 until then (the
 *	front-end clears it before each @run)
 * @end_ns: the back-end's: CLOCK_MONOTONIC ns at which the job ended,
 *	stored before the job is completed
 * @link: the back-end's, from @run until gpufe_job_complete(); @take_back
 *	hands jobs back on it
 *
 * The front-end owns the job; the back-end may keep a pointer from @run
 * until it calls gpufe_job_complete() or, for a device that writes @slot
 * by DMA, until the slot shows @seqno.
 */
struct gpufe_job {
	unsigned int engine;
	const void *cmds;
	u32 cmds_size;
	unsigned int num_bos;
	const struct gpufe_job_bo *bos;
	u64 seqno;
	struct gpufe_completion_slot *slot;
	dma_addr_t slot_dma;
	u32 irq_hint;
	u64 start_ns;
	u64 end_ns;
	struct list_head link;
};

/**
 * struct gpufe_backend_ops - a back-end's entry points
 * @owner: the back-end module, %THIS_MODULE
 * @name: the back-end's name as user space sees it, e.g. "swgpu", shorter
 *	than %GPUFE_NAME_LEN
 * @validate: check a job's command stream against its engine and buffers;
 *	may sleep, must not change anything; returns 0 or -EINVAL
 * @run: start a job; must not sleep (it may be called from a fence
 *	callback or an interrupt handler); the back-end calls
 *	gpufe_job_complete() when the job ends, then gpufe_device_irq()
 * @take_back: hand back, by adding them to @jobs through &gpufe_job.link
 *	in the order @run got them, the jobs of @engine the engine has not
 *	started; with @reset, first stop the job that runs, reset the engine
 *	and hand that job back too (it goes first on @jobs). Jobs that
 *	completed before are not handed back. May sleep, but fences wait
 *	for it: it must not allocate memory with reclaim (GFP_KERNEL) or
 *	wait for a fence. Called from process context, never twice at once
 *	for one engine. Optional: a
 *	back-end without it gets no hang recovery and no preemption of jobs
 *	it has not started
 *
 * Every call the front-end makes through this table for a device happens
 * before gpufe_device_unregister() of that device returns.
 */
struct gpufe_backend_ops {
	struct module *owner;
	const char *name;
	int (*validate)(struct gpufe_device *gdev, const struct gpufe_job *job);
	void (*run)(struct gpufe_device *gdev, struct gpufe_job *job);
	void (*take_back)(struct gpufe_device *gdev, unsigned int engine,
			  bool reset, struct list_head *jobs);
};

/* The most engines one device may have: engine masks are 64 bits wide. */
#define GPUFE_MAX_ENGINES	64
/* The most credits a back-end may declare per engine. */
#define GPUFE_MAX_CREDITS	16
/* The most jobs of one credit: a run of short jobs of one context. */
#define GPUFE_CREDIT_MAX_JOBS	16
/* The most devices the front-end serves at once. */
#define GPUFE_MAX_DEVICES	64
/* gpufe_device_irq(): the interrupt names no job. */
#define GPUFE_IRQ_NO_HINT	U32_MAX

struct gpufe_device *gpufe_device_register(const struct gpufe_device_desc *desc,
					   const struct gpufe_backend_ops *ops,
					   void *priv);
void gpufe_device_unregister(struct gpufe_device *gdev);
void gpufe_device_release(struct gpufe_device *gdev);
void *gpufe_device_priv(const struct gpufe_device *gdev);
u32 gpufe_device_id(const struct gpufe_device *gdev);
void gpufe_device_irq(struct gpufe_device *gdev, u32 hint);
void gpufe_job_complete(struct gpufe_job *job, int error);

#endif /* _GPUFE_BACKEND_H_ */
