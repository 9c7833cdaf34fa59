// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: contexts
 *
 * A &struct gpuclient_ctx wraps one kernel context: a queue of jobs on one
 * engine of one device, whose sequence numbers count from 1. It holds a
 * reference on its &struct gpuclient_device, so the descriptor outlives
 * gpuclient_close() until the context is destroyed.
 *
 * On a kernel with GPUFE_FEATURE_COMPLETION_PAGE, CTX_CREATE also says
 * where the context's completion slot is, and the context points at it
 * through the device's completion page mapping (gpuclient_completion.c).
 * The library always passes the 1.2 structure; a 1.1 kernel accepts it
 * (its tail, @slot_offset, is zero on input) and writes back only the
 * fields it knows, so @slot_offset is read only when the feature bit says
 * it is there.
 *
 * CTX_STATUS grew the same way in 1.4 (@busy_ns, @hangs, @queued). The
 * library always passes the 1.4 structure, zeroed: an older kernel takes
 * it (the tail it does not know is zero), writes back the 32 bytes it
 * knows and clears the rest, so the new fields read 0 there, as
 * gpuclient_ctx_status2() documents, with no need to look at the version.
 */

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "gpuclient_priv.h"

_Static_assert(sizeof(struct gpufe_ctx_create) == 32,
	       "struct gpufe_ctx_create layout");
_Static_assert(offsetof(struct gpufe_ctx_create, slot_offset) == 24,
	       "struct gpufe_ctx_create: 1.1 ends where slot_offset starts");
_Static_assert(sizeof(struct gpufe_ctx_destroy) == 8,
	       "struct gpufe_ctx_destroy layout");
_Static_assert(sizeof(struct gpufe_ctx_status) == 48,
	       "struct gpufe_ctx_status layout");
_Static_assert(offsetof(struct gpufe_ctx_status, busy_ns) == 32,
	       "struct gpufe_ctx_status: 1.3 ends where busy_ns starts");

_Static_assert(GPUCLIENT_PRIORITY_LOW == GPUFE_PRIORITY_LOW, "priority low");
_Static_assert(GPUCLIENT_PRIORITY_NORMAL == GPUFE_PRIORITY_NORMAL,
	       "priority normal");
_Static_assert(GPUCLIENT_PRIORITY_HIGH == GPUFE_PRIORITY_HIGH,
	       "priority high");
_Static_assert((int)GPUCLIENT_CTX_STATE_ACTIVE == (int)GPUFE_CTX_STATE_ACTIVE,
	       "context state active");
_Static_assert((int)GPUCLIENT_CTX_STATE_LOST == (int)GPUFE_CTX_STATE_LOST,
	       "context state lost");
_Static_assert((int)GPUCLIENT_CTX_STATE_BANNED == (int)GPUFE_CTX_STATE_BANNED,
	       "context state banned");

gpuclient_public int gpuclient_ctx_create(gpuclient_handle h,
					  uint32_t device_id,
					  uint32_t engine_class,
					  uint32_t engine_instance,
					  int32_t priority,
					  gpuclient_ctx_handle *out)
{
	struct gpufe_ctx_create args = {
		.device_id = device_id,
		.engine_class = (uint16_t)engine_class,
		.engine_instance = (uint16_t)engine_instance,
		.priority = priority,
	};
	struct gpufe_ctx_destroy destroy = { 0 };
	struct gpuclient_ctx *ctx;
	int ret;

	if (!h || !out)
		return -EINVAL;
	if (!gpuclient_has_datapath(h))
		return -EOPNOTSUPP;
	/* The uAPI's fields are 16 bits wide: no such engine exists. */
	if (engine_class > UINT16_MAX || engine_instance > UINT16_MAX)
		return -ENOENT;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;

	ret = gpuclient_ioctl(h->fd, GPUFE_IOCTL_CTX_CREATE, &args);
	if (ret)
		goto err_free;

	if (gpuclient_has_completion_page(h)) {
		ret = gpuclient_completion_slot(h, args.slot_offset,
						&ctx->slot);
		if (ret)
			goto err_ctx_destroy;
	}

	gpuclient_device_get(h);
	ctx->dev = h;
	ctx->id = args.ctx_id;
	*out = ctx;
	return 0;

err_ctx_destroy:
	destroy.ctx_id = args.ctx_id;
	gpuclient_ioctl(h->fd, GPUFE_IOCTL_CTX_DESTROY, &destroy);
err_free:
	free(ctx);
	return ret;
}

gpuclient_public int gpuclient_ctx_destroy(gpuclient_ctx_handle ctx)
{
	struct gpufe_ctx_destroy args = { 0 };
	int ret;

	if (!ctx)
		return 0;

	args.ctx_id = ctx->id;
	ret = gpuclient_ioctl(ctx->dev->fd, GPUFE_IOCTL_CTX_DESTROY, &args);
	gpuclient_device_put(ctx->dev);
	free(ctx);
	return ret;
}

gpuclient_public uint32_t gpuclient_ctx_get_id(gpuclient_ctx_handle ctx)
{
	return ctx ? ctx->id : 0;
}

/* One CTX_STATUS of @ctx into @args, zeroed first (see "contexts" above). */
static int gpuclient_ctx_status_read(struct gpuclient_ctx *ctx,
				     struct gpufe_ctx_status *args)
{
	memset(args, 0, sizeof(*args));
	args->ctx_id = ctx->id;
	return gpuclient_ioctl(ctx->dev->fd, GPUFE_IOCTL_CTX_STATUS, args);
}

gpuclient_public int gpuclient_ctx_status(gpuclient_ctx_handle ctx,
					  struct gpuclient_ctx_status *status)
{
	struct gpufe_ctx_status args;
	int ret;

	if (!ctx || !status)
		return -EINVAL;

	ret = gpuclient_ctx_status_read(ctx, &args);
	if (ret)
		return ret;

	memset(status, 0, sizeof(*status));
	status->submitted = args.submitted;
	status->completed = args.completed;
	status->error = args.error;
	status->state = args.state;
	return 0;
}

gpuclient_public int gpuclient_ctx_status2(gpuclient_ctx_handle ctx,
					   struct gpuclient_ctx_status2 *status)
{
	struct gpufe_ctx_status args;
	int ret;

	if (!ctx || !status)
		return -EINVAL;

	ret = gpuclient_ctx_status_read(ctx, &args);
	if (ret)
		return ret;

	memset(status, 0, sizeof(*status));
	status->submitted = args.submitted;
	status->completed = args.completed;
	status->error = args.error;
	status->state = args.state;
	status->busy_ns = args.busy_ns;
	status->hangs = args.hangs;
	status->queued = args.queued;
	return 0;
}
