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

gpuclient_public int gpuclient_wait(gpuclient_ctx_handle ctx, uint64_t seqno,
				    uint64_t timeout_ns)
{
	struct gpufe_wait args = { 0 };
	int64_t now;
	int ret;

	if (!ctx || !seqno)
		return -EINVAL;

	ret = gpuclient_now_ns(&now);
	if (ret)
		return ret;

	args.ctx_id = ctx->id;
	args.seqno = seqno;
	/* Saturates: an infinite or huge timeout is the farthest deadline. */
	if (now < 0 || timeout_ns > (uint64_t)(INT64_MAX - now))
		args.timeout_ns = INT64_MAX;
	else
		args.timeout_ns = now + (int64_t)timeout_ns;

	return gpuclient_ioctl(ctx->dev->fd, GPUFE_IOCTL_WAIT, &args);
}
