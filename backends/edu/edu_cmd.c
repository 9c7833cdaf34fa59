// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: edu command checking
 *
 * This file checks command streams against uapi/gpufe_edu.h.
 * edu_job_check() walks a whole stream and rejects it with ``-EINVAL``,
 * changing nothing, for: an unknown opcode; a command cut off by the end
 * of the stream; a non-zero pad; a command its engine's class cannot run
 * (COPY runs on the copy engine, FACTORIAL on the compute engine); a
 * buffer index not below the length of the buffer list; a range whose
 * end overflows or lies beyond its buffer; a source listed without
 * %GPUFE_SUBMIT_BO_READ or a destination without %GPUFE_SUBMIT_BO_WRITE;
 * a COPY of 0 bytes or between overlapping ranges of one buffer; a
 * FACTORIAL of an n above %EDU_MAX_FACTORIAL_N or to an offset that is
 * not a multiple of 4; more than %EDU_MAX_JOB_CHUNKS chunks of copying
 * or more than %EDU_MAX_JOB_FACTORIALS factorials in the job. An empty
 * stream is accepted and does nothing. Reasons are logged with
 * pr_debug() only: user space chooses these inputs.
 *
 * It is the back-end's &gpufe_backend_ops.validate, and the engines run
 * it again on each job when it starts (edu_engine.c): a job that was not
 * validated, or whose buffer list changed, fails with ``-EINVAL`` before
 * the device sees any of it, so that no address the device is given lies
 * outside a buffer. edu_copy_chunk() is the one definition of a chunk
 * that the check counts and the copy engine moves.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/minmax.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include <gpufe.h>
#include <gpufe_edu.h>

#include "edu.h"

/* The command sizes are ABI: the stream has no length fields. */
static_assert(sizeof(struct edu_cmd_copy) == 40);
static_assert(sizeof(struct edu_cmd_factorial) == 24);
/* A chunk fits the device's buffer, and never reaches its last byte. */
static_assert(EDU_CHUNK_MAX < EDU_DMA_BUF_SIZE);
/*
 * A chunk never crosses a 4096-byte boundary of either buffer offset, so
 * it lies in one page, and so in one DMA segment, of each buffer.
 */
static_assert(PAGE_SIZE % SZ_4K == 0);

/**
 * struct edu_check - a command stream being checked
 * @job: the job
 * @pos: the offset of the current command in the stream, in bytes
 * @chunks: the chunks the COPY commands up to here need
 * @factorials: the FACTORIAL commands up to here
 */
struct edu_check {
	const struct gpufe_job *job;
	u32 pos;
	u32 chunks;
	u32 factorials;
};

/* pr_debug() about the command @chk is at, one call site per message. */
#define edu_check_dbg(chk, fmt, ...)					\
	pr_debug("command at byte %u: " fmt, (chk)->pos, ##__VA_ARGS__)

/**
 * edu_copy_chunk() - the size of the next chunk of a COPY
 * @src_offset: the COPY's source offset
 * @dst_offset: the COPY's destination offset
 * @length: the COPY's length
 * @done: the bytes of it that earlier chunks moved, below @length
 *
 * A chunk ends at the first of: the end of the copy, the next 4096-byte
 * boundary of its source offset or of its destination offset, and
 * %EDU_CHUNK_MAX bytes after its start.
 *
 * Return: the chunk's size in bytes, 1 to %EDU_CHUNK_MAX.
 */
u32 edu_copy_chunk(u64 src_offset, u64 dst_offset, u64 length, u64 done)
{
	u64 src = src_offset + done, dst = dst_offset + done;
	u64 n = min_t(u64, length - done, EDU_CHUNK_MAX);

	n = min_t(u64, n, SZ_4K - (src & (SZ_4K - 1)));
	n = min_t(u64, n, SZ_4K - (dst & (SZ_4K - 1)));
	return n;
}

/*
 * edu_check_bo() - check one buffer access of a command: @bo names a
 * buffer of the job, [@offset, @offset + @length) lies inside it and its
 * flags allow @access.
 */
static int edu_check_bo(const struct edu_check *chk, const char *what, u32 bo,
			u64 offset, u64 length, u32 access)
{
	const struct gpufe_job_bo *jbo;
	u64 end;

	if (bo >= chk->job->num_bos) {
		edu_check_dbg(chk, "%s buffer %u, the list has %u\n", what, bo,
			      chk->job->num_bos);
		return -EINVAL;
	}
	jbo = &chk->job->bos[array_index_nospec(bo, chk->job->num_bos)];
	if (check_add_overflow(offset, length, &end) || end > jbo->size) {
		edu_check_dbg(chk, "%s range %llu+%llu is outside buffer %u of %llu bytes\n",
			      what, offset, length, bo, jbo->size);
		return -EINVAL;
	}
	if ((jbo->flags & access) != access) {
		edu_check_dbg(chk, "%s buffer %u is not listed for %s\n", what,
			      bo, access & GPUFE_SUBMIT_BO_WRITE ?
			      "writing" : "reading");
		return -EINVAL;
	}
	return 0;
}

static int edu_check_copy(struct edu_check *chk,
			  const struct edu_cmd_copy *copy)
{
	u64 done;
	int ret;

	if (copy->pad) {
		edu_check_dbg(chk, "COPY pad is not zero\n");
		return -EINVAL;
	}
	if (!copy->length) {
		edu_check_dbg(chk, "COPY of 0 bytes\n");
		return -EINVAL;
	}
	ret = edu_check_bo(chk, "COPY source", copy->src_bo, copy->src_offset,
			   copy->length, GPUFE_SUBMIT_BO_READ);
	if (ret)
		return ret;
	ret = edu_check_bo(chk, "COPY destination", copy->dst_bo,
			   copy->dst_offset, copy->length,
			   GPUFE_SUBMIT_BO_WRITE);
	if (ret)
		return ret;
	/* Both ranges are inside one buffer now: their ends cannot overflow. */
	if (copy->src_bo == copy->dst_bo &&
	    copy->src_offset < copy->dst_offset + copy->length &&
	    copy->dst_offset < copy->src_offset + copy->length) {
		edu_check_dbg(chk, "COPY ranges %llu+%llu and %llu+%llu of buffer %u overlap\n",
			      copy->src_offset, copy->length, copy->dst_offset,
			      copy->length, copy->src_bo);
		return -EINVAL;
	}
	/* Counted as the copy engine moves them; stops past the limit. */
	for (done = 0; done < copy->length;
	     done += edu_copy_chunk(copy->src_offset, copy->dst_offset,
				    copy->length, done)) {
		if (++chk->chunks > EDU_MAX_JOB_CHUNKS) {
			edu_check_dbg(chk, "COPY needs more than %u chunks in the job\n",
				      EDU_MAX_JOB_CHUNKS);
			return -EINVAL;
		}
	}
	return 0;
}

static int edu_check_factorial(struct edu_check *chk,
			       const struct edu_cmd_factorial *fact)
{
	if (fact->pad) {
		edu_check_dbg(chk, "FACTORIAL pad is not zero\n");
		return -EINVAL;
	}
	if (fact->n > EDU_MAX_FACTORIAL_N) {
		edu_check_dbg(chk, "FACTORIAL of %u, more than %u\n", fact->n,
			      EDU_MAX_FACTORIAL_N);
		return -EINVAL;
	}
	if (!IS_ALIGNED(fact->dst_offset, sizeof(u32))) {
		edu_check_dbg(chk, "FACTORIAL offset %llu is not a multiple of 4\n",
			      fact->dst_offset);
		return -EINVAL;
	}
	if (++chk->factorials > EDU_MAX_JOB_FACTORIALS) {
		edu_check_dbg(chk, "more than %u FACTORIAL commands in the job\n",
			      EDU_MAX_JOB_FACTORIALS);
		return -EINVAL;
	}
	return edu_check_bo(chk, "FACTORIAL", fact->dst_bo, fact->dst_offset,
			    sizeof(u32), GPUFE_SUBMIT_BO_WRITE);
}

/*
 * edu_check_one() - check the command at @chk->pos; set *@size to its
 * size.
 */
static int edu_check_one(struct edu_check *chk, u32 engine_class, u32 *size)
{
	const u8 *at = (const u8 *)chk->job->cmds + chk->pos;
	u32 left = chk->job->cmds_size - chk->pos;
	struct edu_cmd_factorial fact;
	struct edu_cmd_copy copy;
	u32 opcode;

	if (left < sizeof(opcode)) {
		edu_check_dbg(chk, "%u bytes left, too few for an opcode\n",
			      left);
		return -EINVAL;
	}
	memcpy(&opcode, at, sizeof(opcode));
	switch (opcode) {
	case EDU_CMD_COPY:
		*size = sizeof(copy);
		if (engine_class != GPUFE_ENGINE_CLASS_COPY) {
			edu_check_dbg(chk, "COPY runs on the copy engine only\n");
			return -EINVAL;
		}
		if (left < sizeof(copy)) {
			edu_check_dbg(chk, "COPY needs %zu bytes, %u left\n",
				      sizeof(copy), left);
			return -EINVAL;
		}
		memcpy(&copy, at, sizeof(copy));
		return edu_check_copy(chk, &copy);
	case EDU_CMD_FACTORIAL:
		*size = sizeof(fact);
		if (engine_class != GPUFE_ENGINE_CLASS_COMPUTE) {
			edu_check_dbg(chk, "FACTORIAL runs on the compute engine only\n");
			return -EINVAL;
		}
		if (left < sizeof(fact)) {
			edu_check_dbg(chk, "FACTORIAL needs %zu bytes, %u left\n",
				      sizeof(fact), left);
			return -EINVAL;
		}
		memcpy(&fact, at, sizeof(fact));
		return edu_check_factorial(chk, &fact);
	default:
		edu_check_dbg(chk, "unknown opcode %#x\n", opcode);
		return -EINVAL;
	}
}

/**
 * edu_job_check() - check a job's command stream
 * @engine_class: the class of the engine the job is for
 * @job: the job; its buffers' @vaddr and @sgt are not looked at
 *
 * See "edu command checking" for what is rejected. May be called in any
 * context; changes nothing.
 *
 * Return: 0 if the engine can run the job, -EINVAL if not.
 */
int edu_job_check(u32 engine_class, const struct gpufe_job *job)
{
	struct edu_check chk = { .job = job };
	u32 size;
	int ret;

	for (chk.pos = 0; chk.pos < job->cmds_size; chk.pos += size) {
		ret = edu_check_one(&chk, engine_class, &size);
		if (ret)
			return ret;
	}
	return 0;
}
