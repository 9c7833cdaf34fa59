// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: swgpu command streams
 *
 * A &struct gpuclient_cmdbuf collects what one GPUFE_IOCTL_SUBMIT sends: a
 * command stream in the format of uapi/gpufe_swgpu.h (or, built with the
 * gpuclient_cmd_edu_*() functions, of uapi/gpufe_edu.h) and the buffer
 * list its commands index. The builder does not know which back-end the
 * job goes to: a stream is one back-end's commands, the caller's to match
 * with the context's device. The stream grows by doubling up to
 * %GPUFE_SUBMIT_MAX_CMDS_SIZE; a command that would take it past that fails
 * with -E2BIG and leaves the builder as it was, as does every other
 * failure.
 *
 * Commands are packed back to back, so a command that follows a 4-byte
 * NOP is only 4-byte aligned: they are copied in with memcpy(), never
 * stored through a structure pointer.
 *
 * The builder checks what only it knows (a buffer index is one of its
 * list); offsets, lengths, alignment, engine classes and access flags are
 * the kernel's to check at submit time.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gpufe_edu.h>

#include "gpuclient_priv.h"

_Static_assert(sizeof(struct gpufe_submit_bo) == 8,
	       "struct gpufe_submit_bo layout");
_Static_assert(sizeof(struct swgpu_cmd_nop) == 4, "struct swgpu_cmd_nop");
_Static_assert(sizeof(struct swgpu_cmd_fill) == 32, "struct swgpu_cmd_fill");
_Static_assert(sizeof(struct swgpu_cmd_copy) == 40, "struct swgpu_cmd_copy");
_Static_assert(sizeof(struct swgpu_cmd_vadd) == 48, "struct swgpu_cmd_vadd");
_Static_assert(sizeof(struct swgpu_cmd_delay_us) == 8,
	       "struct swgpu_cmd_delay_us");
_Static_assert(sizeof(struct swgpu_cmd_timestamp) == 16,
	       "struct swgpu_cmd_timestamp");
_Static_assert(sizeof(struct swgpu_cmd_fault) == 8, "struct swgpu_cmd_fault");
_Static_assert(sizeof(struct swgpu_cmd_hang) == 8, "struct swgpu_cmd_hang");
_Static_assert(sizeof(struct edu_cmd_copy) == 40, "struct edu_cmd_copy");
_Static_assert(sizeof(struct edu_cmd_factorial) == 24,
	       "struct edu_cmd_factorial");

_Static_assert(GPUCLIENT_BO_READ == GPUFE_SUBMIT_BO_READ, "bo read flag");
_Static_assert(GPUCLIENT_BO_WRITE == GPUFE_SUBMIT_BO_WRITE, "bo write flag");
_Static_assert(GPUCLIENT_CMDBUF_MAX_SIZE == GPUFE_SUBMIT_MAX_CMDS_SIZE,
	       "the kernel's largest stream");
_Static_assert(GPUCLIENT_CMDBUF_MAX_BOS == GPUFE_SUBMIT_MAX_BOS,
	       "the kernel's longest buffer list");
_Static_assert((GPUCLIENT_CMDBUF_MAX_SIZE & (GPUCLIENT_CMDBUF_MAX_SIZE - 1)) ==
	       0 && GPUCLIENT_CMDBUF_INITIAL <= GPUCLIENT_CMDBUF_MAX_SIZE,
	       "doubling from the first allocation reaches the maximum");

gpuclient_public int gpuclient_cmdbuf_create(gpuclient_cmdbuf_handle *out)
{
	struct gpuclient_cmdbuf *cb;

	if (!out)
		return -EINVAL;

	cb = calloc(1, sizeof(*cb));
	if (!cb)
		return -ENOMEM;
	*out = cb;
	return 0;
}

gpuclient_public void gpuclient_cmdbuf_destroy(gpuclient_cmdbuf_handle cb)
{
	if (!cb)
		return;
	free(cb->cmds);
	free(cb);
}

gpuclient_public void gpuclient_cmdbuf_reset(gpuclient_cmdbuf_handle cb)
{
	if (!cb)
		return;
	/* The allocation stays for the next stream. */
	cb->size = 0;
	cb->num_bos = 0;
	cb->dev = NULL;
}

gpuclient_public int gpuclient_cmdbuf_add_bo(gpuclient_cmdbuf_handle cb,
					     gpuclient_bo_handle bo,
					     uint32_t flags, uint32_t *index)
{
	uint32_t i;

	if (!cb || !bo || !index)
		return -EINVAL;
	if (!flags || (flags & ~(GPUCLIENT_BO_READ | GPUCLIENT_BO_WRITE)))
		return -EINVAL;
	/* Handles name buffers of one descriptor only. */
	if (cb->dev && cb->dev != bo->dev)
		return -EXDEV;

	for (i = 0; i < cb->num_bos; i++) {
		if (cb->bos[i].handle == bo->handle) {
			cb->bos[i].flags |= flags;
			*index = i;
			return 0;
		}
	}
	if (cb->num_bos == GPUFE_SUBMIT_MAX_BOS)
		return -E2BIG;

	cb->bos[i].handle = bo->handle;
	cb->bos[i].flags = flags;
	cb->num_bos++;
	cb->dev = bo->dev;
	*index = i;
	return 0;
}

/* Append @size bytes of command, growing the stream as needed. */
static int gpuclient_cmdbuf_emit(struct gpuclient_cmdbuf *cb, const void *cmd,
				 size_t size)
{
	if (size > GPUFE_SUBMIT_MAX_CMDS_SIZE - cb->size)
		return -E2BIG;

	if (cb->size + size > cb->capacity) {
		size_t capacity = cb->capacity ? cb->capacity :
				  GPUCLIENT_CMDBUF_INITIAL;
		uint8_t *cmds;

		while (capacity < cb->size + size)
			capacity *= 2;
		cmds = realloc(cb->cmds, capacity);
		if (!cmds)
			return -ENOMEM;
		cb->cmds = cmds;
		cb->capacity = capacity;
	}

	memcpy(cb->cmds + cb->size, cmd, size);
	cb->size += size;
	return 0;
}

static int gpuclient_cmdbuf_has_bo(const struct gpuclient_cmdbuf *cb,
				   uint32_t index)
{
	return index < cb->num_bos;
}

gpuclient_public int gpuclient_cmd_nop(gpuclient_cmdbuf_handle cb)
{
	const struct swgpu_cmd_nop cmd = { .opcode = SWGPU_CMD_NOP };

	if (!cb)
		return -EINVAL;
	return gpuclient_cmdbuf_emit(cb, &cmd, sizeof(cmd));
}

gpuclient_public int gpuclient_cmd_fill(gpuclient_cmdbuf_handle cb,
					uint32_t bo_index, uint64_t offset,
					uint64_t length, uint32_t value)
{
	const struct swgpu_cmd_fill cmd = {
		.opcode = SWGPU_CMD_FILL,
		.bo = bo_index,
		.offset = offset,
		.length = length,
		.value = value,
	};

	if (!cb || !gpuclient_cmdbuf_has_bo(cb, bo_index))
		return -EINVAL;
	return gpuclient_cmdbuf_emit(cb, &cmd, sizeof(cmd));
}

gpuclient_public int gpuclient_cmd_copy(gpuclient_cmdbuf_handle cb,
					uint32_t src_index, uint32_t dst_index,
					uint64_t src_offset,
					uint64_t dst_offset, uint64_t length)
{
	const struct swgpu_cmd_copy cmd = {
		.opcode = SWGPU_CMD_COPY,
		.src_bo = src_index,
		.dst_bo = dst_index,
		.src_offset = src_offset,
		.dst_offset = dst_offset,
		.length = length,
	};

	if (!cb || !gpuclient_cmdbuf_has_bo(cb, src_index) ||
	    !gpuclient_cmdbuf_has_bo(cb, dst_index))
		return -EINVAL;
	return gpuclient_cmdbuf_emit(cb, &cmd, sizeof(cmd));
}

gpuclient_public int gpuclient_cmd_vadd(gpuclient_cmdbuf_handle cb,
					uint32_t a_index, uint32_t b_index,
					uint32_t dst_index, uint64_t a_offset,
					uint64_t b_offset, uint64_t dst_offset,
					uint64_t count)
{
	const struct swgpu_cmd_vadd cmd = {
		.opcode = SWGPU_CMD_VADD,
		.a_bo = a_index,
		.b_bo = b_index,
		.dst_bo = dst_index,
		.a_offset = a_offset,
		.b_offset = b_offset,
		.dst_offset = dst_offset,
		.count = count,
	};

	if (!cb || !gpuclient_cmdbuf_has_bo(cb, a_index) ||
	    !gpuclient_cmdbuf_has_bo(cb, b_index) ||
	    !gpuclient_cmdbuf_has_bo(cb, dst_index))
		return -EINVAL;
	return gpuclient_cmdbuf_emit(cb, &cmd, sizeof(cmd));
}

gpuclient_public int gpuclient_cmd_delay_us(gpuclient_cmdbuf_handle cb,
					    uint32_t usecs)
{
	const struct swgpu_cmd_delay_us cmd = {
		.opcode = SWGPU_CMD_DELAY_US,
		.usecs = usecs,
	};

	if (!cb)
		return -EINVAL;
	return gpuclient_cmdbuf_emit(cb, &cmd, sizeof(cmd));
}

gpuclient_public int gpuclient_cmd_timestamp(gpuclient_cmdbuf_handle cb,
					     uint32_t bo_index, uint64_t offset)
{
	const struct swgpu_cmd_timestamp cmd = {
		.opcode = SWGPU_CMD_TIMESTAMP,
		.bo = bo_index,
		.offset = offset,
	};

	if (!cb || !gpuclient_cmdbuf_has_bo(cb, bo_index))
		return -EINVAL;
	return gpuclient_cmdbuf_emit(cb, &cmd, sizeof(cmd));
}

gpuclient_public int gpuclient_cmd_fault(gpuclient_cmdbuf_handle cb)
{
	const struct swgpu_cmd_fault cmd = { .opcode = SWGPU_CMD_FAULT };

	if (!cb)
		return -EINVAL;
	return gpuclient_cmdbuf_emit(cb, &cmd, sizeof(cmd));
}

gpuclient_public int gpuclient_cmd_hang(gpuclient_cmdbuf_handle cb)
{
	const struct swgpu_cmd_hang cmd = { .opcode = SWGPU_CMD_HANG };

	if (!cb)
		return -EINVAL;
	return gpuclient_cmdbuf_emit(cb, &cmd, sizeof(cmd));
}

gpuclient_public int gpuclient_cmd_edu_copy(gpuclient_cmdbuf_handle cb,
					    uint32_t src_index,
					    uint32_t dst_index,
					    uint64_t src_offset,
					    uint64_t dst_offset,
					    uint64_t length)
{
	const struct edu_cmd_copy cmd = {
		.opcode = EDU_CMD_COPY,
		.src_bo = src_index,
		.dst_bo = dst_index,
		.src_offset = src_offset,
		.dst_offset = dst_offset,
		.length = length,
	};

	if (!cb || !gpuclient_cmdbuf_has_bo(cb, src_index) ||
	    !gpuclient_cmdbuf_has_bo(cb, dst_index))
		return -EINVAL;
	return gpuclient_cmdbuf_emit(cb, &cmd, sizeof(cmd));
}

gpuclient_public int gpuclient_cmd_edu_factorial(gpuclient_cmdbuf_handle cb,
						 uint32_t dst_index,
						 uint64_t dst_offset,
						 uint32_t n)
{
	const struct edu_cmd_factorial cmd = {
		.opcode = EDU_CMD_FACTORIAL,
		.n = n,
		.dst_bo = dst_index,
		.dst_offset = dst_offset,
	};

	if (!cb || !gpuclient_cmdbuf_has_bo(cb, dst_index))
		return -EINVAL;
	return gpuclient_cmdbuf_emit(cb, &cmd, sizeof(cmd));
}
