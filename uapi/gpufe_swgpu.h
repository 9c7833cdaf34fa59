/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The command format of swgpu, the gpufe software GPU.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef _UAPI_GPUFE_SWGPU_H_
#define _UAPI_GPUFE_SWGPU_H_

#include <linux/types.h>

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: swgpu command stream
 *
 * A command stream (&struct gpufe_submit @cmds) is a sequence of commands,
 * each a structure below that starts with its ``__u32`` opcode; a
 * command's size is fixed by its opcode and is a multiple of 4 bytes.
 * Commands follow each other at 4-byte boundaries, so the ``__u64`` fields
 * of a command after a NOP are not 8-byte aligned: build and read streams
 * with memcpy().
 * Buffers are named by their index in the submit's buffer list. The
 * back-end checks the whole stream before the job is queued and rejects it
 * with ``-EINVAL`` for an unknown opcode, a truncated command, a non-zero
 * pad, a command the engine's class cannot run, a buffer index out of the
 * list, a range outside a buffer, a misaligned range where alignment is
 * required, a buffer written without %GPUFE_SUBMIT_BO_WRITE or read
 * without %GPUFE_SUBMIT_BO_READ, a COPY between overlapping ranges of one
 * buffer, more than %SWGPU_MAX_DELAY_US of delay in one job, or more than
 * %SWGPU_MAX_JOB_BYTES of buffer ranges in one job (a COPY counts its
 * source and destination, a VADD its three vectors), which bounds how long
 * a job runs. Commands of length 0 do nothing but are checked all the
 * same.
 *
 * ========================  ======================  =====================
 * opcode                    runs on                 does
 * ========================  ======================  =====================
 * %SWGPU_CMD_NOP            every engine            nothing
 * %SWGPU_CMD_FILL           compute, copy           fill with a 32-bit value
 * %SWGPU_CMD_COPY           compute, copy           copy bytes
 * %SWGPU_CMD_VADD           compute                 add 32-bit vectors
 * %SWGPU_CMD_DELAY_US       every engine            stay busy
 * %SWGPU_CMD_TIMESTAMP      every engine            write the engine clock
 * %SWGPU_CMD_FAULT          every engine            end the job with -EIO
 * %SWGPU_CMD_HANG           every engine            never end, until reset
 * ========================  ======================  =====================
 *
 * FAULT and HANG inject faults, for tests. A job that reaches a FAULT ends
 * there, reporting ``-EIO``; the commands before it have run. HANG is
 * accepted only while swgpu's ``allow_hang`` module parameter is set
 * (``-EINVAL`` otherwise): the engine then stays busy with the job until
 * the front-end resets it, which hands the job back; the commands before
 * the HANG have run.
 */

#define SWGPU_CMD_NOP		0x01
#define SWGPU_CMD_FILL		0x02
#define SWGPU_CMD_COPY		0x03
#define SWGPU_CMD_VADD		0x04
#define SWGPU_CMD_DELAY_US	0x05
#define SWGPU_CMD_TIMESTAMP	0x06
#define SWGPU_CMD_FAULT		0x07
#define SWGPU_CMD_HANG		0x08

/**
 * define SWGPU_MAX_DELAY_US - the most delay the commands of one job may
 * ask for, in microseconds
 */
#define SWGPU_MAX_DELAY_US	1000000

/**
 * define SWGPU_MAX_JOB_BYTES - the most bytes of buffer ranges the commands
 * of one job may touch
 */
#define SWGPU_MAX_JOB_BYTES	0x40000000ULL

/**
 * struct swgpu_cmd_nop - do nothing
 */
struct swgpu_cmd_nop {
	/** @opcode: SWGPU_CMD_NOP */
	__u32 opcode;
};

/**
 * struct swgpu_cmd_fill - fill a range with a 32-bit value
 *
 * @offset and @length are multiples of 4.
 */
struct swgpu_cmd_fill {
	/** @opcode: SWGPU_CMD_FILL */
	__u32 opcode;
	/** @bo: the buffer, written */
	__u32 bo;
	/** @offset: first byte */
	__u64 offset;
	/** @length: bytes */
	__u64 length;
	/** @value: the value stored in every 32-bit word */
	__u32 value;
	/** @pad: MBZ */
	__u32 pad;
};

/**
 * struct swgpu_cmd_copy - copy bytes between buffers
 *
 * Source and destination may be the same buffer if the ranges do not
 * overlap.
 */
struct swgpu_cmd_copy {
	/** @opcode: SWGPU_CMD_COPY */
	__u32 opcode;
	/** @src_bo: the source buffer, read */
	__u32 src_bo;
	/** @dst_bo: the destination buffer, written */
	__u32 dst_bo;
	/** @pad: MBZ */
	__u32 pad;
	/** @src_offset: first source byte */
	__u64 src_offset;
	/** @dst_offset: first destination byte */
	__u64 dst_offset;
	/** @length: bytes */
	__u64 length;
};

/**
 * struct swgpu_cmd_vadd - dst[i] = a[i] + b[i], 32-bit integers, modulo 2^32
 *
 * Offsets are multiples of 4; the destination may be one of the sources.
 */
struct swgpu_cmd_vadd {
	/** @opcode: SWGPU_CMD_VADD */
	__u32 opcode;
	/** @a_bo: the first source buffer, read */
	__u32 a_bo;
	/** @b_bo: the second source buffer, read */
	__u32 b_bo;
	/** @dst_bo: the destination buffer, written */
	__u32 dst_bo;
	/** @a_offset: first byte of a */
	__u64 a_offset;
	/** @b_offset: first byte of b */
	__u64 b_offset;
	/** @dst_offset: first byte of dst */
	__u64 dst_offset;
	/** @count: number of elements */
	__u64 count;
};

/**
 * struct swgpu_cmd_delay_us - keep the engine busy
 */
struct swgpu_cmd_delay_us {
	/** @opcode: SWGPU_CMD_DELAY_US */
	__u32 opcode;
	/** @usecs: microseconds */
	__u32 usecs;
};

/**
 * struct swgpu_cmd_timestamp - write the engine's clock
 *
 * Writes the CLOCK_MONOTONIC time in nanoseconds at which the command ran,
 * as a __u64, at an offset that is a multiple of 8.
 */
struct swgpu_cmd_timestamp {
	/** @opcode: SWGPU_CMD_TIMESTAMP */
	__u32 opcode;
	/** @bo: the buffer, written */
	__u32 bo;
	/** @offset: where */
	__u64 offset;
};

/**
 * struct swgpu_cmd_fault - end the job with -EIO
 */
struct swgpu_cmd_fault {
	/** @opcode: SWGPU_CMD_FAULT */
	__u32 opcode;
	/** @pad: MBZ */
	__u32 pad;
};

/**
 * struct swgpu_cmd_hang - keep the engine busy until it is reset
 *
 * Accepted only while the ``allow_hang`` module parameter of swgpu is set.
 */
struct swgpu_cmd_hang {
	/** @opcode: SWGPU_CMD_HANG */
	__u32 opcode;
	/** @pad: MBZ */
	__u32 pad;
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_GPUFE_SWGPU_H_ */
