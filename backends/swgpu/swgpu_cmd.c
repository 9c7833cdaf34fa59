// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: swgpu command processor
 *
 * This file is what makes a swgpu engine run jobs: the engines' queues,
 * and the checking and execution of the command stream that
 * uapi/gpufe_swgpu.h defines.
 *
 * Checking. swgpu_job_validate() walks the whole stream and rejects it with
 * ``-EINVAL``, changing nothing, for: an unknown opcode; a command cut off
 * by the end of the stream; a non-zero pad; a command the engine's class
 * cannot run (NOP, DELAY_US, TIMESTAMP, FAULT and HANG run everywhere,
 * FILL and COPY on compute and copy engines, VADD on compute engines
 * only); a HANG while the ``allow_hang`` module parameter is not set; a
 * buffer index not below the length of the buffer list; a range whose end
 * overflows or lies beyond the buffer; a misaligned range (a FILL offset
 * or length or a VADD offset that is not a multiple of 4, a TIMESTAMP
 * offset that is not a multiple of 8); a VADD count whose size in bytes
 * overflows a __u64; writing a buffer listed without
 * %GPUFE_SUBMIT_BO_WRITE or reading one listed without
 * %GPUFE_SUBMIT_BO_READ; more than %SWGPU_MAX_DELAY_US of delay in one
 * job; a COPY between overlapping ranges of one buffer. FILL, COPY and
 * VADD of zero bytes are accepted and do nothing, but their buffers,
 * flags and offsets are checked as for any other length (an empty range
 * may end at the end of the buffer, not beyond it). Reasons are logged
 * with pr_debug() only: user space chooses these inputs.
 *
 * Queues. swgpu_job_run() must not sleep: it appends the job to its
 * engine's queue and queues the engine's work item on the engine's own
 * ordered workqueue. The work item takes jobs off the queue one at a time,
 * in the order they arrived, runs their commands with the CPU on the
 * buffers' kernel mappings and reports each job through its completion
 * slot and the GPU's interrupt (swgpu_irq.c). Engines run in parallel,
 * each on its workqueue. swgpu declares 2 credits: an engine holds the
 * job it runs and the next one, so it goes from one to the next without
 * waiting for the front-end, and a job that becomes more urgent waits at
 * most for the running one once the front-end takes the other back.
 *
 * Engine time. A job starts when the work item takes it off the queue,
 * under the engine's lock: that is when &gpufe_job.start_ns is stamped.
 * &gpufe_job.end_ns is stamped when its last command has run (or it
 * failed), before its slot is written, and also when a reset stopped it,
 * before it is handed back, so that the front-end can charge the time it
 * took. A job failed without reaching an engine gets both stamps at once.
 * A job handed back without a reset never started: its stamps are as the
 * front-end left them.
 *
 * Taking jobs back. swgpu_job_take_back() is the back-end's
 * &gpufe_backend_ops.take_back. Without a reset it moves the engine's
 * queue, the jobs that have not started, to the front-end's list, and the
 * running job goes on. With a reset, if a job runs, it marks the engine
 * resetting and wakes it: the running job stops at its next command or
 * slice (a DELAY_US or a HANG that sleeps is woken at once), and the work
 * item leaves it, not completed, for swgpu_job_take_back() to hand back
 * first, then the queue; meanwhile the work item starts no job. A job
 * that got to its end before it saw the mark is completed as usual and
 * not handed back. Either way swgpu_job_take_back() waits until the work
 * item has let go of the job, so when it returns after a reset every job
 * the engine got is either on the front-end's list or completed (its
 * slot written; its interrupt raised or moderated). Then it clears the
 * mark, and the engine runs the jobs it gets from then on. Jobs that
 * swgpu_job_run() adds while a reset waits are handed back too: they have
 * not started either.
 *
 * Whether the running job is completed or handed back is decided by the
 * work item alone, which needs no lock for it: a job returns the reset's
 * own code only if it saw the mark, and the mark is cleared only after
 * the work item let go of the job. The lock makes the rest exact: a job
 * starts (leaves the queue and becomes the running one) in one locked
 * step, and the work item gives it up in another, so
 * swgpu_job_take_back() finds every job either on the queue, running or
 * done.
 *
 * Execution checks every command again, with the same code, right before
 * it runs it: a stream that was not validated, or a buffer list that
 * changed, fails the job with ``-EINVAL`` at the first bad command (those
 * before it have run) instead of touching memory outside a buffer; so does
 * a buffer without a kernel mapping, with a warning, as that is a
 * front-end bug. Large FILL, COPY and VADD commands run in slices with a
 * chance to reschedule between them.
 *
 * Fault injection. A FAULT ends its job with ``-EIO``, the commands before
 * it having run. A HANG keeps the engine busy until the engine is reset,
 * which hands the job back to the front-end, or stopped for teardown,
 * which fails it with ``-ENODEV``; it sleeps meanwhile, so a hung engine
 * costs no CPU time. ``allow_hang`` is looked at when a job is validated,
 * not when it runs: a HANG job that was accepted stays one.
 *
 * Teardown. swgpu_engine_stop() marks the engine dying; the running job
 * sees the mark at its next command or slice (a DELAY_US or HANG that
 * sleeps is woken) and fails with ``-ENODEV``, and so do the jobs queued
 * behind it, at their first command, so a GPU's teardown waits at most
 * about one slice. The engine's worker fails them one after the other: a
 * completion slot says that every job up to its sequence number is done,
 * so the jobs of an engine complete in the order they arrived, also when
 * they fail. Every job handed to swgpu_job_run() is completed exactly
 * once, or handed back by swgpu_job_take_back() and then not touched.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/bug.h>
#include <linux/dma-fence.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/wait.h>

#include <gpufe.h>
#include <gpufe_swgpu.h>

#include "swgpu.h"

/* Bytes a FILL, COPY or VADD handles between two chances to reschedule. */
#define SWGPU_EXEC_SLICE		SZ_1M
/*
 * The longest one sleep of a DELAY_US or HANG lasts. Setting the resetting
 * or dying mark wakes it; it looks at the marks after each sleep besides.
 */
#define SWGPU_SLEEP_SLICE_US		10000
/*
 * What a command returns when a reset stopped its job: the job is handed
 * back, so this is never reported.
 */
#define SWGPU_EXEC_RESET		(-ECANCELED)

/* The command sizes are ABI: the stream has no length fields. */
static_assert(sizeof(struct swgpu_cmd_nop) == 4);
static_assert(sizeof(struct swgpu_cmd_fill) == 32);
static_assert(sizeof(struct swgpu_cmd_copy) == 40);
static_assert(sizeof(struct swgpu_cmd_vadd) == 48);
static_assert(sizeof(struct swgpu_cmd_delay_us) == 8);
static_assert(sizeof(struct swgpu_cmd_timestamp) == 16);
static_assert(sizeof(struct swgpu_cmd_fault) == 8);
static_assert(sizeof(struct swgpu_cmd_hang) == 8);

/**
 * union swgpu_cmd - a command copied out of the stream
 * @opcode: the opcode every command starts with
 * @nop: %SWGPU_CMD_NOP
 * @fill: %SWGPU_CMD_FILL
 * @copy: %SWGPU_CMD_COPY
 * @vadd: %SWGPU_CMD_VADD
 * @delay_us: %SWGPU_CMD_DELAY_US
 * @timestamp: %SWGPU_CMD_TIMESTAMP
 * @fault: %SWGPU_CMD_FAULT
 * @hang: %SWGPU_CMD_HANG
 *
 * The stream is only 4-byte aligned, so commands with __u64 fields are
 * copied into this union before they are looked at.
 */
union swgpu_cmd {
	u32 opcode;
	struct swgpu_cmd_nop nop;
	struct swgpu_cmd_fill fill;
	struct swgpu_cmd_copy copy;
	struct swgpu_cmd_vadd vadd;
	struct swgpu_cmd_delay_us delay_us;
	struct swgpu_cmd_timestamp timestamp;
	struct swgpu_cmd_fault fault;
	struct swgpu_cmd_hang hang;
};

/**
 * struct swgpu_exec - a job's command stream being checked or run
 * @engine: the engine the job is for
 * @job: the job
 * @run: false to check the stream only, true to check and run it
 * @pos: the offset of the current command in the stream, in bytes
 * @delay_us: the delay the commands up to here ask for, in microseconds
 * @bytes: the bytes the commands up to here touch
 */
struct swgpu_exec {
	struct swgpu_engine *engine;
	const struct gpufe_job *job;
	bool run;
	u32 pos;
	u64 delay_us;
	u64 bytes;
};

/* pr_debug() about the command @ex is at, one call site per message. */
#define swgpu_exec_dbg(ex, fmt, ...)					\
	do {								\
		const struct swgpu_exec *ex_ = (ex);			\
									\
		pr_debug("%s/%s: command at byte %u: " fmt,		\
			 ex_->engine->gpu->name, ex_->engine->name,	\
			 ex_->pos, ##__VA_ARGS__);			\
	} while (0)

/**
 * struct swgpu_cmd_ops - what swgpu knows about one opcode
 * @name: the opcode's name, for the debug log
 * @size: the command's size in bytes
 * @classes: BIT() of each &enum gpufe_engine_class that may run it
 * @check: checks the command against the job, NULL if there is nothing to
 *	check; returns 0 or -EINVAL
 * @exec: runs a checked command, NULL if it does nothing; returns 0 or
 *	the job's error (-EINVAL, -EIO, -ENODEV), or %SWGPU_EXEC_RESET if a
 *	reset stopped it
 */
struct swgpu_cmd_ops {
	const char *name;
	size_t size;
	u32 classes;
	int (*check)(struct swgpu_exec *ex, const union swgpu_cmd *cmd);
	int (*exec)(struct swgpu_exec *ex, const union swgpu_cmd *cmd);
};

#define SWGPU_CLASSES_ALL	(BIT(GPUFE_ENGINE_CLASS_COMPUTE) |	\
				 BIT(GPUFE_ENGINE_CLASS_COPY) |		\
				 BIT(GPUFE_ENGINE_CLASS_VIDEO))
#define SWGPU_CLASSES_MEMORY	(BIT(GPUFE_ENGINE_CLASS_COMPUTE) |	\
				 BIT(GPUFE_ENGINE_CLASS_COPY))
#define SWGPU_CLASSES_COMPUTE	BIT(GPUFE_ENGINE_CLASS_COMPUTE)

/*
 * swgpu_exec_bo_check() - check one buffer access of a command: @bo names a
 * buffer of the job, [@offset, @offset + @length) lies inside it, @offset is
 * a multiple of @align, the buffer's flags allow @access, and the job
 * touches no more than SWGPU_MAX_JOB_BYTES in all.
 */
static int swgpu_exec_bo_check(struct swgpu_exec *ex, const char *what,
			       u32 bo, u64 offset, u64 length, u32 align,
			       u32 access)
{
	const struct gpufe_job_bo *jbo;
	u64 end;

	if (bo >= ex->job->num_bos) {
		swgpu_exec_dbg(ex, "%s buffer %u, the list has %u\n", what, bo,
			       ex->job->num_bos);
		return -EINVAL;
	}
	jbo = &ex->job->bos[array_index_nospec(bo, ex->job->num_bos)];

	if (!IS_ALIGNED(offset, align)) {
		swgpu_exec_dbg(ex, "%s offset %llu is not a multiple of %u\n",
			       what, offset, align);
		return -EINVAL;
	}
	if (check_add_overflow(offset, length, &end) || end > jbo->size) {
		swgpu_exec_dbg(ex, "%s range %llu+%llu is outside buffer %u of %llu bytes\n",
			       what, offset, length, bo, jbo->size);
		return -EINVAL;
	}
	if ((jbo->flags & access) != access) {
		swgpu_exec_dbg(ex, "%s buffer %u is not listed for %s\n", what,
			       bo, access & GPUFE_SUBMIT_BO_WRITE ?
			       "writing" : "reading");
		return -EINVAL;
	}
	/* Each range fits in a buffer: the sum cannot overflow. */
	ex->bytes += length;
	if (ex->bytes > SWGPU_MAX_JOB_BYTES) {
		swgpu_exec_dbg(ex, "%s brings the job to %llu bytes, more than %llu\n",
			       what, ex->bytes, SWGPU_MAX_JOB_BYTES);
		return -EINVAL;
	}
	return 0;
}

/* The kernel address of byte @offset of buffer @bo, which has been checked. */
static void *swgpu_exec_bo_ptr(const struct swgpu_exec *ex, u32 bo,
			       u64 offset)
{
	return ex->job->bos[bo].vaddr + offset;
}

/*
 * swgpu_exec_stopped() - whether the running job must stop: -ENODEV if the
 * engine is going away, SWGPU_EXEC_RESET if it is being reset, else 0.
 * The marks are read without the lock: a job sees them soon enough, and
 * SWGPU_EXEC_RESET only while swgpu_job_take_back() waits for the job.
 */
static int swgpu_exec_stopped(const struct swgpu_engine *engine)
{
	if (READ_ONCE(engine->dying))
		return -ENODEV;
	if (READ_ONCE(engine->resetting))
		return SWGPU_EXEC_RESET;
	return 0;
}

/*
 * swgpu_exec_yield() - between two slices of a command: let others run,
 * and stop if the engine is going away or being reset.
 */
static int swgpu_exec_yield(const struct swgpu_exec *ex)
{
	cond_resched();
	return swgpu_exec_stopped(ex->engine);
}

/*
 * swgpu_exec_sleep() - sleep @usecs microseconds, or less if the job must
 * stop: returns what swgpu_exec_stopped() says afterwards.
 */
static int swgpu_exec_sleep(const struct swgpu_exec *ex, u32 usecs)
{
	struct swgpu_engine *engine = ex->engine;

	wait_event_hrtimeout(engine->waitq, swgpu_exec_stopped(engine),
			     ns_to_ktime((u64)usecs * NSEC_PER_USEC));
	return swgpu_exec_stopped(engine);
}

static int swgpu_fill_check(struct swgpu_exec *ex, const union swgpu_cmd *cmd)
{
	const struct swgpu_cmd_fill *fill = &cmd->fill;

	if (fill->pad) {
		swgpu_exec_dbg(ex, "FILL pad is not zero\n");
		return -EINVAL;
	}
	if (!IS_ALIGNED(fill->length, sizeof(u32))) {
		swgpu_exec_dbg(ex, "FILL length %llu is not a multiple of 4\n",
			       fill->length);
		return -EINVAL;
	}
	return swgpu_exec_bo_check(ex, "FILL", fill->bo, fill->offset,
				   fill->length, sizeof(u32),
				   GPUFE_SUBMIT_BO_WRITE);
}

static int swgpu_fill_exec(struct swgpu_exec *ex, const union swgpu_cmd *cmd)
{
	const struct swgpu_cmd_fill *fill = &cmd->fill;
	u32 *dst = swgpu_exec_bo_ptr(ex, fill->bo, fill->offset);
	u64 left = fill->length / sizeof(u32);
	size_t n;
	int ret;

	while (left) {
		n = min_t(u64, left, SWGPU_EXEC_SLICE / sizeof(u32));
		memset32(dst, fill->value, n);
		dst += n;
		left -= n;
		ret = swgpu_exec_yield(ex);
		if (ret)
			return ret;
	}
	return 0;
}

static int swgpu_copy_check(struct swgpu_exec *ex, const union swgpu_cmd *cmd)
{
	const struct swgpu_cmd_copy *copy = &cmd->copy;
	int ret;

	if (copy->pad) {
		swgpu_exec_dbg(ex, "COPY pad is not zero\n");
		return -EINVAL;
	}
	ret = swgpu_exec_bo_check(ex, "COPY source", copy->src_bo,
				  copy->src_offset, copy->length, 1,
				  GPUFE_SUBMIT_BO_READ);
	if (ret)
		return ret;
	ret = swgpu_exec_bo_check(ex, "COPY destination", copy->dst_bo,
				  copy->dst_offset, copy->length, 1,
				  GPUFE_SUBMIT_BO_WRITE);
	if (ret)
		return ret;

	/* Both ranges are inside one buffer now: their ends cannot overflow. */
	if (copy->src_bo == copy->dst_bo && copy->length &&
	    copy->src_offset < copy->dst_offset + copy->length &&
	    copy->dst_offset < copy->src_offset + copy->length) {
		swgpu_exec_dbg(ex, "COPY ranges %llu+%llu and %llu+%llu of buffer %u overlap\n",
			       copy->src_offset, copy->length,
			       copy->dst_offset, copy->length, copy->src_bo);
		return -EINVAL;
	}
	return 0;
}

static int swgpu_copy_exec(struct swgpu_exec *ex, const union swgpu_cmd *cmd)
{
	const struct swgpu_cmd_copy *copy = &cmd->copy;
	const u8 *src = swgpu_exec_bo_ptr(ex, copy->src_bo, copy->src_offset);
	u8 *dst = swgpu_exec_bo_ptr(ex, copy->dst_bo, copy->dst_offset);
	u64 left = copy->length;
	size_t n;
	int ret;

	/*
	 * The ranges do not overlap (checked), so copying front to back in
	 * slices gives what one memcpy() would.
	 */
	while (left) {
		n = min_t(u64, left, SWGPU_EXEC_SLICE);
		memcpy(dst, src, n);
		src += n;
		dst += n;
		left -= n;
		ret = swgpu_exec_yield(ex);
		if (ret)
			return ret;
	}
	return 0;
}

static int swgpu_vadd_check(struct swgpu_exec *ex, const union swgpu_cmd *cmd)
{
	const struct swgpu_cmd_vadd *vadd = &cmd->vadd;
	u64 length;
	int ret;

	if (check_mul_overflow(vadd->count, (u64)sizeof(u32), &length)) {
		swgpu_exec_dbg(ex, "VADD count %llu is too large\n",
			       vadd->count);
		return -EINVAL;
	}
	ret = swgpu_exec_bo_check(ex, "VADD a", vadd->a_bo, vadd->a_offset,
				  length, sizeof(u32), GPUFE_SUBMIT_BO_READ);
	if (ret)
		return ret;
	ret = swgpu_exec_bo_check(ex, "VADD b", vadd->b_bo, vadd->b_offset,
				  length, sizeof(u32), GPUFE_SUBMIT_BO_READ);
	if (ret)
		return ret;
	return swgpu_exec_bo_check(ex, "VADD destination", vadd->dst_bo,
				   vadd->dst_offset, length, sizeof(u32),
				   GPUFE_SUBMIT_BO_WRITE);
}

static int swgpu_vadd_exec(struct swgpu_exec *ex, const union swgpu_cmd *cmd)
{
	const struct swgpu_cmd_vadd *vadd = &cmd->vadd;
	const u32 *a = swgpu_exec_bo_ptr(ex, vadd->a_bo, vadd->a_offset);
	const u32 *b = swgpu_exec_bo_ptr(ex, vadd->b_bo, vadd->b_offset);
	u32 *dst = swgpu_exec_bo_ptr(ex, vadd->dst_bo, vadd->dst_offset);
	u64 left = vadd->count;
	size_t i, n;
	int ret;

	/* Element by element, front to back: dst may be a or b itself. */
	while (left) {
		n = min_t(u64, left, SWGPU_EXEC_SLICE / sizeof(u32));
		for (i = 0; i < n; i++)
			dst[i] = a[i] + b[i];
		a += n;
		b += n;
		dst += n;
		left -= n;
		ret = swgpu_exec_yield(ex);
		if (ret)
			return ret;
	}
	return 0;
}

static int swgpu_delay_us_check(struct swgpu_exec *ex,
				const union swgpu_cmd *cmd)
{
	/* The sum stops at the first command over the limit: no overflow. */
	ex->delay_us += cmd->delay_us.usecs;
	if (ex->delay_us > SWGPU_MAX_DELAY_US) {
		swgpu_exec_dbg(ex, "DELAY_US brings the job's delay to %llu us, more than %u\n",
			       ex->delay_us, SWGPU_MAX_DELAY_US);
		return -EINVAL;
	}
	return 0;
}

static int swgpu_delay_us_exec(struct swgpu_exec *ex,
			       const union swgpu_cmd *cmd)
{
	ktime_t end = ktime_add_us(ktime_get(), cmd->delay_us.usecs);
	s64 left;
	int ret;

	for (;;) {
		left = ktime_us_delta(end, ktime_get());
		if (left <= 0)
			return 0;
		ret = swgpu_exec_sleep(ex, min_t(s64, left,
						 SWGPU_SLEEP_SLICE_US));
		if (ret)
			return ret;
	}
}

static int swgpu_timestamp_check(struct swgpu_exec *ex,
				 const union swgpu_cmd *cmd)
{
	const struct swgpu_cmd_timestamp *ts = &cmd->timestamp;

	return swgpu_exec_bo_check(ex, "TIMESTAMP", ts->bo, ts->offset,
				   sizeof(u64), sizeof(u64),
				   GPUFE_SUBMIT_BO_WRITE);
}

static int swgpu_timestamp_exec(struct swgpu_exec *ex,
				const union swgpu_cmd *cmd)
{
	const struct swgpu_cmd_timestamp *ts = &cmd->timestamp;
	u64 now = ktime_get_ns();

	memcpy(swgpu_exec_bo_ptr(ex, ts->bo, ts->offset), &now, sizeof(now));
	return 0;
}

static int swgpu_fault_check(struct swgpu_exec *ex, const union swgpu_cmd *cmd)
{
	if (cmd->fault.pad) {
		swgpu_exec_dbg(ex, "FAULT pad is not zero\n");
		return -EINVAL;
	}
	return 0;
}

static int swgpu_fault_exec(struct swgpu_exec *ex, const union swgpu_cmd *cmd)
{
	return -EIO;
}

static int swgpu_hang_check(struct swgpu_exec *ex, const union swgpu_cmd *cmd)
{
	if (cmd->hang.pad) {
		swgpu_exec_dbg(ex, "HANG pad is not zero\n");
		return -EINVAL;
	}
	/* What is accepted, not what runs: an accepted HANG job stays one. */
	if (!ex->run && !READ_ONCE(swgpu_allow_hang)) {
		swgpu_exec_dbg(ex, "HANG needs the allow_hang module parameter\n");
		return -EINVAL;
	}
	return 0;
}

static int swgpu_hang_exec(struct swgpu_exec *ex, const union swgpu_cmd *cmd)
{
	int ret;

	/* Asleep until a reset or the teardown wakes it. */
	do {
		ret = swgpu_exec_sleep(ex, SWGPU_SLEEP_SLICE_US);
	} while (!ret);
	return ret;
}

static const struct swgpu_cmd_ops swgpu_cmd_ops[] = {
	[SWGPU_CMD_NOP] = {
		.name = "NOP",
		.size = sizeof(struct swgpu_cmd_nop),
		.classes = SWGPU_CLASSES_ALL,
	},
	[SWGPU_CMD_FILL] = {
		.name = "FILL",
		.size = sizeof(struct swgpu_cmd_fill),
		.classes = SWGPU_CLASSES_MEMORY,
		.check = swgpu_fill_check,
		.exec = swgpu_fill_exec,
	},
	[SWGPU_CMD_COPY] = {
		.name = "COPY",
		.size = sizeof(struct swgpu_cmd_copy),
		.classes = SWGPU_CLASSES_MEMORY,
		.check = swgpu_copy_check,
		.exec = swgpu_copy_exec,
	},
	[SWGPU_CMD_VADD] = {
		.name = "VADD",
		.size = sizeof(struct swgpu_cmd_vadd),
		.classes = SWGPU_CLASSES_COMPUTE,
		.check = swgpu_vadd_check,
		.exec = swgpu_vadd_exec,
	},
	[SWGPU_CMD_DELAY_US] = {
		.name = "DELAY_US",
		.size = sizeof(struct swgpu_cmd_delay_us),
		.classes = SWGPU_CLASSES_ALL,
		.check = swgpu_delay_us_check,
		.exec = swgpu_delay_us_exec,
	},
	[SWGPU_CMD_TIMESTAMP] = {
		.name = "TIMESTAMP",
		.size = sizeof(struct swgpu_cmd_timestamp),
		.classes = SWGPU_CLASSES_ALL,
		.check = swgpu_timestamp_check,
		.exec = swgpu_timestamp_exec,
	},
	[SWGPU_CMD_FAULT] = {
		.name = "FAULT",
		.size = sizeof(struct swgpu_cmd_fault),
		.classes = SWGPU_CLASSES_ALL,
		.check = swgpu_fault_check,
		.exec = swgpu_fault_exec,
	},
	[SWGPU_CMD_HANG] = {
		.name = "HANG",
		.size = sizeof(struct swgpu_cmd_hang),
		.classes = SWGPU_CLASSES_ALL,
		.check = swgpu_hang_check,
		.exec = swgpu_hang_exec,
	},
};

/*
 * swgpu_exec_decode() - copy the command at @ex->pos into @cmd and return
 * what swgpu knows about its opcode, or NULL if the opcode is unknown or
 * the command is cut off.
 */
static const struct swgpu_cmd_ops *swgpu_exec_decode(struct swgpu_exec *ex,
						     union swgpu_cmd *cmd)
{
	const u8 *at = (const u8 *)ex->job->cmds + ex->pos;
	u32 left = ex->job->cmds_size - ex->pos;
	const struct swgpu_cmd_ops *ops;
	u32 opcode;

	if (left < sizeof(opcode)) {
		swgpu_exec_dbg(ex, "%u bytes left, too few for an opcode\n",
			       left);
		return NULL;
	}
	memcpy(&opcode, at, sizeof(opcode));
	if (opcode >= ARRAY_SIZE(swgpu_cmd_ops)) {
		swgpu_exec_dbg(ex, "unknown opcode %#x\n", opcode);
		return NULL;
	}
	ops = &swgpu_cmd_ops[array_index_nospec(opcode,
						ARRAY_SIZE(swgpu_cmd_ops))];
	if (!ops->size) {
		swgpu_exec_dbg(ex, "unknown opcode %#x\n", opcode);
		return NULL;
	}
	if (left < ops->size) {
		swgpu_exec_dbg(ex, "%s needs %zu bytes, %u left\n", ops->name,
			       ops->size, left);
		return NULL;
	}
	memcpy(cmd, at, ops->size);
	return ops;
}

/*
 * swgpu_exec_process() - check each command of the job; if @ex->run is
 * set, execute each one right after its check. Returns 0, -EINVAL for a
 * command that fails its check, or what a command's execution returned.
 */
static int swgpu_exec_process(struct swgpu_exec *ex)
{
	u32 engine_class = ex->engine->engine_class;
	const struct swgpu_cmd_ops *ops;
	union swgpu_cmd cmd;
	int ret;

	for (ex->pos = 0; ex->pos < ex->job->cmds_size; ex->pos += ops->size) {
		ops = swgpu_exec_decode(ex, &cmd);
		if (!ops)
			return -EINVAL;
		if (engine_class >= BITS_PER_TYPE(ops->classes) ||
		    !(ops->classes & BIT(engine_class))) {
			swgpu_exec_dbg(ex, "%s cannot run on engine class %u\n",
				       ops->name, engine_class);
			return -EINVAL;
		}
		if (ops->check) {
			ret = ops->check(ex, &cmd);
			if (ret)
				return ret;
		}
		if (!ex->run)
			continue;
		ret = swgpu_exec_stopped(ex->engine);
		if (ret)
			return ret;
		if (ops->exec) {
			ret = ops->exec(ex, &cmd);
			if (ret)
				return ret;
		}
		cond_resched();
	}
	return 0;
}

/**
 * swgpu_job_validate() - check a job's command stream before it is queued
 * @gdev: the device, registered by swgpu
 * @job: the job; its buffers' @vaddr are not looked at
 *
 * The back-end's &gpufe_backend_ops.validate: see "swgpu command
 * processor" for what is rejected. May sleep; changes nothing.
 *
 * Return: 0 if swgpu can run the job, -EINVAL if not.
 */
int swgpu_job_validate(struct gpufe_device *gdev, const struct gpufe_job *job)
{
	struct swgpu *gpu = gpufe_device_priv(gdev);
	struct swgpu_exec ex = { .job = job };

	if (job->engine >= gpu->num_engines) {
		pr_debug("%s: engine %u, the GPU has %u\n", gpu->name,
			 job->engine, gpu->num_engines);
		return -EINVAL;
	}
	ex.engine = &gpu->engines[array_index_nospec(job->engine,
						     gpu->num_engines)];
	return swgpu_exec_process(&ex);
}

/*
 * Run one job on @engine: returns the error its completion reports, or
 * SWGPU_EXEC_RESET if a reset stopped it.
 */
static int swgpu_job_exec(struct swgpu_engine *engine,
			  const struct gpufe_job *job)
{
	struct swgpu_exec ex = { .engine = engine, .job = job, .run = true };
	unsigned int i;

	/* Fault injection: fail_next_jobs in debugfs. */
	if (atomic_dec_if_positive(&swgpu_fail_next_jobs) >= 0)
		return -EIO;

	for (i = 0; i < job->num_bos; i++)
		if (WARN_ON_ONCE(!job->bos[i].vaddr))
			return -EINVAL;
	return swgpu_exec_process(&ex);
}

/*
 * The next job of an engine, which becomes its running job, stamped with
 * its start. An idle engine keeps looking for SWGPU_IDLE_POLL_NS before
 * its worker sleeps, as a GPU's command streamer sees a doorbell without
 * being woken: back-to-back submissions then cost no wake-up each. While
 * a reset is under way the engine starts nothing: the queue is the
 * reset's to hand back.
 */
static struct gpufe_job *swgpu_engine_next(struct swgpu_engine *engine)
{
	u64 until = ktime_get_ns() + SWGPU_IDLE_POLL_NS;

	for (;;) {
		struct gpufe_job *job = NULL;
		bool idle;
		u64 now;

		spin_lock_irq(&engine->lock);
		now = ktime_get_ns();
		if (!engine->resetting)
			job = list_first_entry_or_null(&engine->queue,
						       struct gpufe_job, link);
		if (job) {
			/* One step for swgpu_job_take_back(): queued, running. */
			list_del_init(&job->link);
			engine->running = job;
			WRITE_ONCE(job->start_ns, now);
		}
		idle = !job && (engine->resetting || now > until ||
				need_resched());
		/* While it polls, swgpu_job_run() need not queue the work. */
		engine->polling = !job && !idle;
		spin_unlock_irq(&engine->lock);
		if (job || idle)
			return job;
		cpu_relax();
	}
}

/*
 * swgpu_engine_let_go() - the worker is done with the engine's running
 * job: it has completed it, or it leaves it, @stopped by a reset, to
 * swgpu_job_take_back(), which it wakes.
 */
static void swgpu_engine_let_go(struct swgpu_engine *engine,
				struct gpufe_job *stopped)
{
	bool resetting;

	spin_lock_irq(&engine->lock);
	engine->running = NULL;
	engine->stopped = stopped;
	resetting = engine->resetting;
	spin_unlock_irq(&engine->lock);
	if (resetting)
		wake_up(&engine->waitq);
}

static void swgpu_engine_work(struct work_struct *work)
{
	struct swgpu_engine *engine = container_of(work, struct swgpu_engine,
						   work);
	struct gpufe_job *job;
	int ret;
	/*
	 * The jobs' fences wait for this work: lockdep checks that it never
	 * waits for memory or for a lock held around a fence wait.
	 */
	bool cookie = dma_fence_begin_signalling();

	for (;;) {
		job = swgpu_engine_next(engine);
		if (!job)
			break;

		ret = swgpu_job_exec(engine, job);
		/*
		 * The job returns the reset's code only if it saw the mark,
		 * which stays set until the job is let go: then the reset
		 * waits for it. Any other end completes it, reset or not.
		 */
		job->end_ns = ktime_get_ns();
		if (ret == SWGPU_EXEC_RESET) {
			swgpu_engine_let_go(engine, job);
		} else {
			swgpu_job_complete(engine, job, ret);
			swgpu_engine_let_go(engine, NULL);
		}
		cond_resched();
	}
	dma_fence_end_signalling(cookie);
}

/* Complete a job that never started, without sleeping. */
static void swgpu_job_fail_now(struct swgpu *gpu, struct gpufe_job *job,
			       int error)
{
	u64 now = ktime_get_ns();
	u32 hint = job->irq_hint;

	WRITE_ONCE(job->start_ns, now);
	job->end_ns = now;
	gpufe_job_complete(job, error);
	swgpu_irq_raise(gpu, hint);
}

/**
 * swgpu_job_run() - start a job that passed swgpu_job_validate()
 * @gdev: the device, registered by swgpu
 * @job: the job
 *
 * The back-end's &gpufe_backend_ops.run: queues the job on its engine.
 * Does not sleep; may be called with interrupts disabled. The job is
 * completed from the engine's workqueue, or handed back by
 * swgpu_job_take_back(), or completed at once (-EINVAL, -ENODEV) if the
 * front-end breaks its side of the interface.
 */
void swgpu_job_run(struct gpufe_device *gdev, struct gpufe_job *job)
{
	struct swgpu *gpu = gpufe_device_priv(gdev);
	struct swgpu_engine *engine;
	unsigned long flags;
	bool dying;

	if (WARN_ON_ONCE(job->engine >= gpu->num_engines)) {
		swgpu_job_fail_now(gpu, job, -EINVAL);
		return;
	}
	engine = &gpu->engines[array_index_nospec(job->engine,
						  gpu->num_engines)];

	spin_lock_irqsave(&engine->lock, flags);
	dying = engine->dying;
	if (!dying) {
		list_add_tail(&job->link, &engine->queue);
		/*
		 * Under the lock: swgpu_engine_stop() orders the workqueue's
		 * end. A polling worker finds the job without a kick. During
		 * a reset the worker starts nothing, and the reset hands the
		 * job back.
		 */
		if (!engine->polling)
			queue_work(engine->wq, &engine->work);
	}
	spin_unlock_irqrestore(&engine->lock, flags);

	/* No job arrives after gpufe_device_unregister() has returned. */
	if (WARN_ON_ONCE(dying))
		swgpu_job_fail_now(gpu, job, -ENODEV);
}

/**
 * swgpu_job_take_back() - hand an engine's jobs back to the front-end
 * @gdev: the device, registered by swgpu
 * @engine_idx: the engine, an index into the GPU's engines
 * @reset: stop the running job and hand it back too
 * @jobs: where the jobs go, through &gpufe_job.link, in the order
 *	swgpu_job_run() got them (with @reset, the stopped job first)
 *
 * The back-end's &gpufe_backend_ops.take_back; see "swgpu command
 * processor". Without @reset it does not sleep; with @reset it waits for
 * the running job to stop, at most about one command slice (or, with
 * ``late_slot_write_us``, for a job that finished to be completed).
 * Called from process context, never twice at once for one engine;
 * swgpu_job_run() may run meanwhile.
 */
void swgpu_job_take_back(struct gpufe_device *gdev, unsigned int engine_idx,
			 bool reset, struct list_head *jobs)
{
	struct swgpu *gpu = gpufe_device_priv(gdev);
	struct swgpu_engine *engine;

	if (WARN_ON_ONCE(engine_idx >= gpu->num_engines))
		return;
	engine = &gpu->engines[array_index_nospec(engine_idx,
						  gpu->num_engines)];

	spin_lock_irq(&engine->lock);
	if (reset && engine->running) {
		WRITE_ONCE(engine->resetting, true);
		/* A DELAY_US or HANG that sleeps sees the mark now. */
		wake_up(&engine->waitq);
		wait_event_lock_irq(engine->waitq, !engine->running,
				    engine->lock);
		if (engine->stopped) {
			list_add_tail(&engine->stopped->link, jobs);
			engine->stopped = NULL;
		}
		/* The queue goes below: nothing is left for the worker. */
		WRITE_ONCE(engine->resetting, false);
	}
	list_splice_tail_init(&engine->queue, jobs);
	spin_unlock_irq(&engine->lock);
}

/**
 * swgpu_engine_init() - set up an engine's queue and workqueue
 * @engine: the engine, zeroed
 * @gpu: the GPU it belongs to, with @index set
 * @engine_class: its &enum gpufe_engine_class
 * @name: its name, shorter than %GPUFE_ENGINE_NAME_LEN
 *
 * Undone by swgpu_engine_fini().
 *
 * Return: 0 or -ENOMEM.
 */
int swgpu_engine_init(struct swgpu_engine *engine, struct swgpu *gpu,
		      u32 engine_class, const char *name)
{
	engine->gpu = gpu;
	engine->engine_class = engine_class;
	strscpy(engine->name, name, sizeof(engine->name));
	spin_lock_init(&engine->lock);
	INIT_LIST_HEAD(&engine->queue);
	INIT_WORK(&engine->work, swgpu_engine_work);
	init_waitqueue_head(&engine->waitq);

	/*
	 * The work item signals job fences, which memory reclaim may wait
	 * for: it must make progress without allocating a worker.
	 */
	engine->wq = alloc_ordered_workqueue("swgpu%u-%s", WQ_MEM_RECLAIM,
					     gpu->index, engine->name);
	if (!engine->wq)
		return -ENOMEM;
	return 0;
}

/**
 * swgpu_engine_stop() - make an engine fail its jobs
 * @engine: the engine
 *
 * Call after gpufe_device_unregister(): marks the engine dying, so that
 * the job that is running ends at its next command or slice, with
 * -ENODEV, and the engine's worker fails those queued behind it, in
 * order; swgpu_engine_fini() waits for them. May sleep.
 */
void swgpu_engine_stop(struct swgpu_engine *engine)
{
	spin_lock_irq(&engine->lock);
	WRITE_ONCE(engine->dying, true);
	if (!list_empty(&engine->queue) && !engine->polling)
		queue_work(engine->wq, &engine->work);
	spin_unlock_irq(&engine->lock);
	/* A DELAY_US or HANG that sleeps ends now. */
	wake_up(&engine->waitq);
}

/**
 * swgpu_engine_fini() - undo swgpu_engine_init()
 * @engine: the engine, stopped with swgpu_engine_stop() if it ever got a job
 *
 * Waits for the job that is running, if any, to end. May sleep.
 */
void swgpu_engine_fini(struct swgpu_engine *engine)
{
	flush_workqueue(engine->wq);
	destroy_workqueue(engine->wq);
	WARN_ON_ONCE(!list_empty(&engine->queue) || engine->running ||
		     engine->stopped);
}
