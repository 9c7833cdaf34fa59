/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The command format of gpufe_edu, the back-end for QEMU's edu device.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef _UAPI_GPUFE_EDU_H_
#define _UAPI_GPUFE_EDU_H_

#include <linux/types.h>

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: edu command stream
 *
 * gpufe_edu drives QEMU's educational PCI device (``-device edu``, PCI
 * 1234:11e8) as a GPU of two engines: a copy engine (class
 * %GPUFE_ENGINE_CLASS_COPY), which copies bytes between buffers by DMA
 * through the device's 4 KiB buffer, and a compute engine (class
 * %GPUFE_ENGINE_CLASS_COMPUTE), which computes factorials with the
 * device's factorial unit. Each edu device is one gpufe device named
 * ``edu-`` and its PCI address.
 *
 * A command stream (&struct gpufe_submit @cmds) is a sequence of the
 * commands below, each starting with its ``__u32`` opcode, its size fixed
 * by the opcode; buffers are named by their index in the submit's buffer
 * list. The back-end checks the whole stream before the job is queued and
 * rejects it with ``-EINVAL`` for an unknown opcode, a truncated command,
 * a non-zero pad, a command its engine's class cannot run, a buffer index
 * out of the list, a range outside a buffer, a buffer written without
 * %GPUFE_SUBMIT_BO_WRITE or read without %GPUFE_SUBMIT_BO_READ, a COPY of
 * 0 bytes or between overlapping ranges of one buffer, a FACTORIAL of a
 * value above %EDU_MAX_FACTORIAL_N or to a misaligned offset, more than
 * %EDU_MAX_JOB_CHUNKS chunks of copying or more than
 * %EDU_MAX_JOB_FACTORIALS factorials in one job. Those limits bound how
 * long a job runs on a device this slow.
 *
 * A COPY moves its bytes in chunks, each with two DMA transfers of the
 * device (memory to the device's buffer, and back out), about 100 ms each
 * under QEMU. Each chunk ends at the first of: the end of the copy, the
 * next 4096-byte boundary of its source offset or of its destination
 * offset, and %EDU_CHUNK_MAX bytes after the chunk's start. So a copy of
 * 1 byte is one chunk; of 4096 bytes between page-aligned offsets two
 * (4095 bytes, then 1); of 8192 bytes between page-aligned offsets four;
 * of 100 bytes from source offset 4090 to destination offset 0 two (6
 * bytes, then 94).
 *
 * ========================  ======================  =====================
 * opcode                    runs on                 does
 * ========================  ======================  =====================
 * %EDU_CMD_COPY             copy                    copy bytes by DMA
 * %EDU_CMD_FACTORIAL        compute                 store n! as a __u32
 * ========================  ======================  =====================
 */

#define EDU_CMD_COPY		0x01
#define EDU_CMD_FACTORIAL	0x02

/**
 * define EDU_CHUNK_MAX - the most bytes one DMA transfer of the device
 * moves (its buffer is 4096 bytes, and QEMU refuses a transfer that
 * reaches its end)
 */
#define EDU_CHUNK_MAX		4095

/**
 * define EDU_MAX_JOB_CHUNKS - the most chunks the COPY commands of one
 * job may need
 */
#define EDU_MAX_JOB_CHUNKS	16

/**
 * define EDU_MAX_FACTORIAL_N - the largest n whose factorial fits in 32
 * bits
 */
#define EDU_MAX_FACTORIAL_N	12

/**
 * define EDU_MAX_JOB_FACTORIALS - the most FACTORIAL commands in one job
 */
#define EDU_MAX_JOB_FACTORIALS	64

/**
 * struct edu_cmd_copy - copy bytes between buffers, by DMA
 *
 * Source and destination may be the same buffer if the ranges do not
 * overlap. Offsets and length need no alignment.
 */
struct edu_cmd_copy {
	/** @opcode: EDU_CMD_COPY */
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
	/** @length: bytes, at least 1 */
	__u64 length;
};

/**
 * struct edu_cmd_factorial - compute n! and store it
 *
 * The result, a ``__u32``, goes to @dst_offset, a multiple of 4.
 */
struct edu_cmd_factorial {
	/** @opcode: EDU_CMD_FACTORIAL */
	__u32 opcode;
	/** @n: the value, at most %EDU_MAX_FACTORIAL_N */
	__u32 n;
	/** @dst_bo: the buffer, written */
	__u32 dst_bo;
	/** @pad: MBZ */
	__u32 pad;
	/** @dst_offset: where the result goes */
	__u64 dst_offset;
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_GPUFE_EDU_H_ */
