// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: submitting and waiting
 *
 * gpuclient_submit() hands a &struct gpuclient_cmdbuf to GPUFE_IOCTL_SUBMIT
 * on a context; gpuclient_wait() waits for one of the context's jobs with
 * GPUFE_IOCTL_WAIT.
 *
 * The application gives gpuclient_wait() a relative timeout; the kernel
 * takes an absolute CLOCK_MONOTONIC deadline. The deadline is computed once,
 * before the first call, so that the calls gpuclient_ioctl() repeats after
 * a signal wait for the same deadline, not for a fresh timeout each time.
 * gpuclient_wait_mode() (gpuclient_completion.c) sleeps through the same
 * helper, gpuclient_wait_deadline().
 */

#include <errno.h>
#include <stdint.h>

#include "gpuclient_priv.h"

_Static_assert(sizeof(struct gpufe_submit) == 48,
	       "struct gpufe_submit layout");
_Static_assert(sizeof(struct gpufe_wait) == 24, "struct gpufe_wait layout");

gpuclient_public int gpuclient_submit(gpuclient_ctx_handle ctx,
				      gpuclient_cmdbuf_handle cb,
				      int in_fence_fd, int *out_fence_fd,
				      uint64_t *seqno)
{
	struct gpufe_submit args = { 0 };
	int ret;

	if (!ctx || !cb || !cb->size)
		return -EINVAL;
	if (in_fence_fd < -1)
		return -EBADF;
	if (cb->dev && cb->dev != ctx->dev)
		return -EXDEV;

	args.ctx_id = ctx->id;
	args.cmds = (uintptr_t)cb->cmds;
	args.cmds_size = (uint32_t)cb->size;
	if (cb->num_bos) {
		args.bos = (uintptr_t)cb->bos;
		args.num_bos = cb->num_bos;
	}
	if (in_fence_fd >= 0) {
		args.flags |= GPUFE_SUBMIT_IN_FENCE;
		args.in_fence_fd = in_fence_fd;
	}
	if (out_fence_fd)
		args.flags |= GPUFE_SUBMIT_OUT_FENCE;

	ret = gpuclient_ioctl(ctx->dev->fd, GPUFE_IOCTL_SUBMIT, &args);
	if (ret)
		return ret;

	if (out_fence_fd)
		*out_fence_fd = args.out_fence_fd;
	if (seqno)
		*seqno = args.seqno;
	return 0;
}

/**
 * gpuclient_wait_deadline() - GPUFE_IOCTL_WAIT until an absolute deadline
 * @ctx: the context
 * @seqno: the job, not 0
 * @deadline: the CLOCK_MONOTONIC deadline in nanoseconds
 *
 * The calls gpuclient_ioctl() repeats after a signal wait for the same
 * @deadline.
 *
 * Return: 0 once the job completed; -ETIME when @deadline passed first; or
 * another negative errno from the kernel.
 */
int gpuclient_wait_deadline(struct gpuclient_ctx *ctx, uint64_t seqno,
			    int64_t deadline)
{
	struct gpufe_wait args = { 0 };

	args.ctx_id = ctx->id;
	args.seqno = seqno;
	args.timeout_ns = deadline;
	return gpuclient_ioctl(ctx->dev->fd, GPUFE_IOCTL_WAIT, &args);
}

gpuclient_public int gpuclient_wait(gpuclient_ctx_handle ctx, uint64_t seqno,
				    uint64_t timeout_ns)
{
	int64_t now, deadline;
	int ret;

	if (!ctx || !seqno)
		return -EINVAL;

	ret = gpuclient_now_ns(&now);
	if (ret)
		return ret;
	deadline = gpuclient_deadline_after(now, timeout_ns);
	return gpuclient_wait_deadline(ctx, seqno, deadline);
}
