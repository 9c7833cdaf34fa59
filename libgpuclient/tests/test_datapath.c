// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/*
 * Host unit tests for the libgpuclient data path (interface 1.1): buffers,
 * contexts, the swgpu command-stream builder, submission, waits and
 * events, against the fake kernel in fake_kernel.c, as a 1.2 one (with the
 * completion page; test_completion.c covers that and the 1.1 fallbacks). test_gpuclient.c runs
 * them after its own; datapath_cleanup() releases what a test left in the
 * d_* variables.
 */

#define _GNU_SOURCE	/* F_GETFD & co. */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "gpuclient_priv.h"
#include "fake_kernel.h"
#include "harness.h"
#include "tests.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NSEC_PER_SEC	1000000000LL

/* Owned by the runner: destroyed after every test. */
static gpuclient_handle d_h, d_h2;
static gpuclient_bo_handle d_bo[4];
static gpuclient_ctx_handle d_ctx[4];
static gpuclient_cmdbuf_handle d_cb;
static gpuclient_bo_handle d_many[GPUCLIENT_CMDBUF_MAX_BOS + 1];

/* What an untouched output parameter still holds. */
static char sentinel_obj;
#define SENTINEL_BO	((gpuclient_bo_handle)(void *)&sentinel_obj)
#define SENTINEL_CTX	((gpuclient_ctx_handle)(void *)&sentinel_obj)
#define SENTINEL_CB	((gpuclient_cmdbuf_handle)(void *)&sentinel_obj)
#define SENTINEL_PTR	((void *)&sentinel_obj)
#define SENTINEL_U32	0xdeadbeefu
#define SENTINEL_U64	0xdeadbeefcafef00dULL
#define SENTINEL_FD	(-12345)

void datapath_cleanup(void)
{
	unsigned int i;

	gpuclient_cmdbuf_destroy(d_cb);
	for (i = 0; i < ARRAY_SIZE(d_bo); i++)
		gpuclient_bo_destroy(d_bo[i]);
	for (i = 0; i < ARRAY_SIZE(d_many); i++)
		gpuclient_bo_destroy(d_many[i]);
	for (i = 0; i < ARRAY_SIZE(d_ctx); i++)
		gpuclient_ctx_destroy(d_ctx[i]);
	gpuclient_close(d_h);
	gpuclient_close(d_h2);
	d_cb = NULL;
	memset(d_bo, 0, sizeof(d_bo));
	memset(d_many, 0, sizeof(d_many));
	memset(d_ctx, 0, sizeof(d_ctx));
	d_h = d_h2 = NULL;
	fk.on_poll = NULL;
	fk.after_poll = NULL;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* A 1.2 kernel with two swgpu devices, opened as d_h. */
static int setup(void)
{
	fake_set_completion_page();
	if (!fake_add_swgpu(1, "swgpu0") || !fake_add_swgpu(2, "swgpu1"))
		return -ENOMEM;
	return gpuclient_open(FAKE_PATH, &d_h);
}

static int dfd(void)
{
	return gpuclient_get_fd(d_h);
}

static int copy_ctx(gpuclient_handle h, gpuclient_ctx_handle *ctx)
{
	return gpuclient_ctx_create(h, 1, GPUCLIENT_ENGINE_CLASS_COPY, 0,
				    GPUCLIENT_PRIORITY_NORMAL, ctx);
}

static int compute_ctx(gpuclient_handle h, gpuclient_ctx_handle *ctx)
{
	return gpuclient_ctx_create(h, 1, GPUCLIENT_ENGINE_CLASS_COMPUTE, 0,
				    GPUCLIENT_PRIORITY_NORMAL, ctx);
}

/* Destroy a kernel buffer handle behind the library's back. */
static int raw_bo_destroy(int fd, uint32_t handle)
{
	struct gpufe_bo_destroy args = { .handle = handle };

	return ioctl(fd, GPUFE_IOCTL_BO_DESTROY, &args) ? -errno : 0;
}

static int raw_ctx_destroy(int fd, uint32_t ctx_id)
{
	struct gpufe_ctx_destroy args = { .ctx_id = ctx_id };

	return ioctl(fd, GPUFE_IOCTL_CTX_DESTROY, &args) ? -errno : 0;
}

/* A one-command job that writes @bo; returns its sequence number or 0. */
static uint64_t submit_fill(gpuclient_ctx_handle ctx, gpuclient_bo_handle bo,
			    uint32_t value)
{
	gpuclient_cmdbuf_handle cb;
	uint64_t seqno = 0;
	uint32_t idx;

	if (gpuclient_cmdbuf_create(&cb))
		return 0;
	if (gpuclient_cmdbuf_add_bo(cb, bo, GPUCLIENT_BO_WRITE, &idx) ||
	    gpuclient_cmd_fill(cb, idx, 0, gpuclient_bo_get_size(bo), value) ||
	    gpuclient_submit(ctx, cb, -1, NULL, &seqno))
		seqno = 0;
	gpuclient_cmdbuf_destroy(cb);
	return seqno;
}

uint64_t submit_nop(gpuclient_ctx_handle ctx)
{
	gpuclient_cmdbuf_handle cb;
	uint64_t seqno = 0;

	if (gpuclient_cmdbuf_create(&cb))
		return 0;
	if (gpuclient_cmd_nop(cb) || gpuclient_submit(ctx, cb, -1, NULL, &seqno))
		seqno = 0;
	gpuclient_cmdbuf_destroy(cb);
	return seqno;
}

/* --- features --------------------------------------------------------- */

static void datapath_version(void)
{
	struct gpuclient_version v;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_get_version(d_h, &v), ==, 0);
	CHECK_INT(v.minor, ==, 2);
	CHECK(v.features & GPUCLIENT_FEATURE_DATAPATH);
	CHECK(v.features & GPUCLIENT_FEATURE_DISCOVERY);
	CHECK(v.features & GPUCLIENT_FEATURE_COMPLETION_PAGE);
}

static void datapath_unsupported(void)
{
	gpuclient_bo_handle bo = SENTINEL_BO;
	gpuclient_ctx_handle ctx = SENTINEL_CTX;
	struct gpuclient_event ev;
	struct gpuclient_version v;
	int fd;

	/* fake_reset() left a 1.0 kernel: open and discovery still work. */
	fake_add_swgpu(1, "swgpu0");
	CHECK_INT(gpuclient_open(FAKE_PATH, &d_h), ==, 0);
	CHECK_INT(gpuclient_get_version(d_h, &v), ==, 0);
	CHECK_INT(v.minor, ==, 0);
	CHECK(!(v.features & GPUCLIENT_FEATURE_DATAPATH));

	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK_INT(fd, >=, 0);
	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &bo), ==, -EOPNOTSUPP);
	CHECK_INT(gpuclient_bo_import(d_h, fd, &bo), ==, -EOPNOTSUPP);
	close(fd);
	CHECK_INT(copy_ctx(d_h, &ctx), ==, -EOPNOTSUPP);
	CHECK_INT(gpuclient_read_events(d_h, &ev, 1, 0), ==, -EOPNOTSUPP);
	CHECK_INT(fk.ioctl_calls, ==, 0);
	CHECK_INT(fk.poll_calls, ==, 0);
	CHECK(bo == SENTINEL_BO);
	CHECK(ctx == SENTINEL_CTX);
}

static void datapath_old_kernel_enotty(void)
{
	struct gpufe_bo_create args = { .size = 4096 };

	/* What the library never sends a 1.0 kernel, the fake refuses. */
	CHECK_INT(gpuclient_open(FAKE_PATH, &d_h), ==, 0);
	CHECK_INT(ioctl(dfd(), GPUFE_IOCTL_BO_CREATE, &args), ==, -1);
	CHECK_INT(errno, ==, ENOTTY);
}

/* --- buffers ---------------------------------------------------------- */

static void bo_create_basic(void)
{
	struct fake_bo *fbo;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 100, &d_bo[0]), ==, 0);
	CHECK_INT(gpuclient_bo_get_size(d_bo[0]), ==, 4096);
	CHECK_INT(gpuclient_bo_get_handle(d_bo[0]), !=, 0);
	fbo = fake_bo(dfd(), gpuclient_bo_get_handle(d_bo[0]));
	CHECK(fbo != NULL);
	CHECK_INT(fbo->size, ==, 4096);

	CHECK_INT(gpuclient_bo_create(d_h, 3 * 4096 + 1, &d_bo[1]), ==, 0);
	CHECK_INT(gpuclient_bo_get_size(d_bo[1]), ==, 4 * 4096);
	CHECK_INT(gpuclient_bo_get_handle(d_bo[1]), !=,
		  gpuclient_bo_get_handle(d_bo[0]));

	CHECK_INT(gpuclient_bo_destroy(d_bo[0]), ==, 0);
	d_bo[0] = NULL;
	CHECK_INT(fk.bo_destroys, ==, 1);
	CHECK_INT(fake_count_bos(), ==, 1);
}

static void bo_create_bad_args(void)
{
	gpuclient_bo_handle bo = SENTINEL_BO;

	CHECK_INT(setup(), ==, 0);
	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_bo_create(NULL, 4096, &bo), ==, -EINVAL);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, NULL), ==, -EINVAL);
	CHECK_INT(gpuclient_bo_create(d_h, 0, &bo), ==, -EINVAL);
	CHECK_INT(fk.ioctl_calls, ==, 0);
	CHECK(bo == SENTINEL_BO);
	CHECK_INT(gpuclient_bo_get_handle(NULL), ==, 0);
	CHECK_INT(gpuclient_bo_get_size(NULL), ==, 0);
	CHECK_INT(gpuclient_bo_destroy(NULL), ==, 0);
}

static void bo_create_kernel_errors(void)
{
	gpuclient_bo_handle bo = SENTINEL_BO;

	CHECK_INT(setup(), ==, 0);
	fk.max_bo_size = 1 << 20;
	CHECK_INT(gpuclient_bo_create(d_h, (1 << 20) + 1, &bo), ==, -E2BIG);
	fake_inject(ENOMEM);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &bo), ==, -ENOMEM);
	fake_inject(EDQUOT);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &bo), ==, -EDQUOT);
	CHECK(bo == SENTINEL_BO);
	CHECK_INT(fake_count_bos(), ==, 0);
}

static void bo_create_eintr(void)
{
	CHECK_INT(setup(), ==, 0);
	fk.ioctl_calls = 0;
	fake_inject(EINTR);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &d_bo[0]), ==, 0);
	CHECK_INT(fk.ioctl_calls, ==, 2);
	CHECK_INT(fake_count_bos(), ==, 1);
}

static void bo_destroy_unknown(void)
{
	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &d_bo[0]), ==, 0);
	CHECK_INT(raw_bo_destroy(dfd(), gpuclient_bo_get_handle(d_bo[0])), ==,
		  0);
	/* Surfaces, and the object is released all the same. */
	CHECK_INT(gpuclient_bo_destroy(d_bo[0]), ==, -ENOENT);
	d_bo[0] = NULL;
}

static void bo_map(void)
{
	struct fake_bo *fbo;
	uint32_t *words;
	void *p1 = NULL, *p2 = NULL;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 8192, &d_bo[0]), ==, 0);
	CHECK_INT(gpuclient_bo_map(d_bo[0], &p1), ==, 0);
	CHECK(p1 != NULL);
	CHECK_INT(fk.mmaps, ==, 1);
	CHECK_INT(gpuclient_bo_map(d_bo[0], &p2), ==, 0);
	CHECK(p1 == p2);
	CHECK_INT(fk.mmaps, ==, 1);

	/* Shared with the kernel's view of the buffer, writable. */
	words = p1;
	words[0] = 0x11223344;
	words[2047] = 0x55667788;
	fbo = fake_bo(dfd(), gpuclient_bo_get_handle(d_bo[0]));
	CHECK(fbo != NULL);
	CHECK_INT(((uint32_t *)fbo->vaddr)[0], ==, 0x11223344);
	CHECK_INT(((uint32_t *)fbo->vaddr)[2047], ==, 0x55667788);
	/* The buffer was zero-filled. */
	CHECK_INT(words[1], ==, 0);

	/* Unmapped, all of it, on destroy. */
	CHECK_INT(fk.num_maps, ==, 1);
	CHECK_INT(gpuclient_bo_destroy(d_bo[0]), ==, 0);
	d_bo[0] = NULL;
	CHECK_INT(fk.munmaps, ==, 1);
	CHECK_INT(fk.num_maps, ==, 0);
}

static void bo_map_error(void)
{
	void *ptr = SENTINEL_PTR;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &d_bo[0]), ==, 0);
	CHECK_INT(gpuclient_bo_map(NULL, &ptr), ==, -EINVAL);
	CHECK_INT(gpuclient_bo_map(d_bo[0], NULL), ==, -EINVAL);
	CHECK_INT(raw_bo_destroy(dfd(), gpuclient_bo_get_handle(d_bo[0])), ==,
		  0);
	CHECK_INT(gpuclient_bo_map(d_bo[0], &ptr), ==, -EINVAL);
	CHECK(ptr == SENTINEL_PTR);
	CHECK_INT(gpuclient_bo_destroy(d_bo[0]), ==, -ENOENT);
	d_bo[0] = NULL;
}

static void bo_export(void)
{
	int fd = SENTINEL_FD;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &d_bo[0]), ==, 0);
	CHECK_INT(gpuclient_bo_export(d_bo[0], &fd), ==, 0);
	CHECK_INT(fd, >=, 0);
	CHECK_INT(fk.last_export_flags, ==,
		  GPUFE_BO_EXPORT_CLOEXEC | GPUFE_BO_EXPORT_RDWR);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

static void bo_export_unknown(void)
{
	int fd = SENTINEL_FD;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &d_bo[0]), ==, 0);
	CHECK_INT(gpuclient_bo_export(NULL, &fd), ==, -EINVAL);
	CHECK_INT(gpuclient_bo_export(d_bo[0], NULL), ==, -EINVAL);
	CHECK_INT(raw_bo_destroy(dfd(), gpuclient_bo_get_handle(d_bo[0])), ==,
		  0);
	CHECK_INT(gpuclient_bo_export(d_bo[0], &fd), ==, -ENOENT);
	CHECK_INT(fd, ==, SENTINEL_FD);
	CHECK_INT(gpuclient_bo_destroy(d_bo[0]), ==, -ENOENT);
	d_bo[0] = NULL;
}

static void bo_import_other_handle(void)
{
	uint32_t *a, *b;
	void *pa, *pb;
	int fd;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_open(FAKE_PATH, &d_h2), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 3 * 4096, &d_bo[0]), ==, 0);
	CHECK_INT(gpuclient_bo_export(d_bo[0], &fd), ==, 0);
	CHECK_INT(gpuclient_bo_import(d_h2, fd, &d_bo[1]), ==, 0);
	close(fd);

	CHECK(d_bo[1] != d_bo[0]);
	CHECK_INT(gpuclient_bo_get_size(d_bo[1]), ==, 3 * 4096);
	CHECK(fake_bo(gpuclient_get_fd(d_h2),
		      gpuclient_bo_get_handle(d_bo[1])) != NULL);

	/* The same memory through both handles. */
	CHECK_INT(gpuclient_bo_map(d_bo[0], &pa), ==, 0);
	CHECK_INT(gpuclient_bo_map(d_bo[1], &pb), ==, 0);
	a = pa;
	b = pb;
	a[100] = 0xfeedface;
	CHECK_INT(b[100], ==, 0xfeedface);
}

static void bo_import_same_handle(void)
{
	gpuclient_bo_handle again = SENTINEL_BO;
	int fd;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &d_bo[0]), ==, 0);
	CHECK_INT(gpuclient_bo_export(d_bo[0], &fd), ==, 0);

	/* The kernel hands back the buffer's handle: the same object. */
	CHECK_INT(gpuclient_bo_import(d_h, fd, &again), ==, 0);
	CHECK(again == d_bo[0]);
	CHECK_INT(gpuclient_bo_import(d_h, fd, &again), ==, 0);
	CHECK(again == d_bo[0]);
	close(fd);

	/* Three references: only the last destroy reaches the kernel. */
	CHECK_INT(gpuclient_bo_destroy(again), ==, 0);
	CHECK_INT(gpuclient_bo_destroy(again), ==, 0);
	CHECK_INT(fk.bo_destroys, ==, 0);
	CHECK_INT(fake_count_bos(), ==, 1);
	CHECK_INT(gpuclient_bo_destroy(d_bo[0]), ==, 0);
	d_bo[0] = NULL;
	CHECK_INT(fk.bo_destroys, ==, 1);
	CHECK_INT(fake_count_bos(), ==, 0);
}

static void bo_import_reused_handle(void)
{
	uint32_t old_handle;
	int fd;

	/*
	 * The kernel reuses a destroyed handle at once; an import of the
	 * old buffer must not find the new buffer's object.
	 */
	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &d_bo[0]), ==, 0);
	old_handle = gpuclient_bo_get_handle(d_bo[0]);
	CHECK_INT(gpuclient_bo_export(d_bo[0], &fd), ==, 0);
	CHECK_INT(gpuclient_bo_destroy(d_bo[0]), ==, 0);
	d_bo[0] = NULL;

	CHECK_INT(gpuclient_bo_create(d_h, 8192, &d_bo[1]), ==, 0);
	CHECK_INT(gpuclient_bo_get_handle(d_bo[1]), ==, old_handle);
	CHECK_INT(gpuclient_bo_import(d_h, fd, &d_bo[2]), ==, 0);
	close(fd);
	CHECK(d_bo[2] != d_bo[1]);
	CHECK_INT(gpuclient_bo_get_handle(d_bo[2]), !=, old_handle);
	CHECK_INT(gpuclient_bo_get_size(d_bo[2]), ==, 4096);
	CHECK_INT(gpuclient_bo_get_size(d_bo[1]), ==, 8192);
}

static void bo_import_errors(void)
{
	gpuclient_bo_handle bo = SENTINEL_BO;
	int fd;

	CHECK_INT(setup(), ==, 0);
	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_bo_import(d_h, -1, &bo), ==, -EBADF);
	CHECK_INT(gpuclient_bo_import(NULL, 0, &bo), ==, -EINVAL);
	CHECK_INT(gpuclient_bo_import(d_h, 0, NULL), ==, -EINVAL);
	CHECK_INT(fk.ioctl_calls, ==, 0);

	/* Not a dma-buf. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK_INT(fd, >=, 0);
	CHECK_INT(gpuclient_bo_import(d_h, fd, &bo), ==, -EINVAL);
	fk.einval = 0;	/* the kernel's verdict on the fd, as intended */
	close(fd);
	/* Not open. */
	CHECK_INT(gpuclient_bo_import(d_h, fd, &bo), ==, -EBADF);
	CHECK(bo == SENTINEL_BO);
	CHECK_INT(fake_count_bos(), ==, 0);
}

struct import_thread {
	gpuclient_handle h;
	int fd;
	int ret;
};

static void *import_thread_fn(void *arg)
{
	struct import_thread *t = arg;
	gpuclient_bo_handle bo;
	int i;

	for (i = 0; i < 500 && !t->ret; i++) {
		t->ret = gpuclient_bo_import(t->h, t->fd, &bo);
		if (!t->ret)
			t->ret = gpuclient_bo_destroy(bo);
	}
	return NULL;
}

static void bo_import_threads(void)
{
	struct import_thread t[4];
	pthread_t tid[4];
	unsigned int i;
	int fd;

	/* Imports and destroys race on one handle; the count holds. */
	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &d_bo[0]), ==, 0);
	CHECK_INT(gpuclient_bo_export(d_bo[0], &fd), ==, 0);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		t[i].h = d_h;
		t[i].fd = fd;
		t[i].ret = 0;
		CHECK_INT(pthread_create(&tid[i], NULL, import_thread_fn, &t[i]),
			  ==, 0);
	}
	for (i = 0; i < ARRAY_SIZE(t); i++)
		pthread_join(tid[i], NULL);
	close(fd);
	for (i = 0; i < ARRAY_SIZE(t); i++)
		CHECK_INT(t[i].ret, ==, 0);
	CHECK_INT(fk.bo_destroys, ==, 0);
	CHECK(fake_bo(dfd(), gpuclient_bo_get_handle(d_bo[0])) != NULL);
}

/* --- contexts --------------------------------------------------------- */

static void ctx_create_basic(void)
{
	const struct fake_ctx *fctx;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_ctx_create(d_h, 2, GPUCLIENT_ENGINE_CLASS_COMPUTE,
				       1, GPUCLIENT_PRIORITY_LOW, &d_ctx[0]),
		  ==, 0);
	CHECK_INT(gpuclient_ctx_get_id(d_ctx[0]), !=, 0);
	fctx = fake_ctx(dfd(), gpuclient_ctx_get_id(d_ctx[0]));
	CHECK(fctx != NULL);
	CHECK_INT(fctx->device_id, ==, 2);
	CHECK_INT(fctx->engine_class, ==, GPUFE_ENGINE_CLASS_COMPUTE);
	CHECK_INT(fctx->engine_instance, ==, 1);
	CHECK_INT(fctx->priority, ==, GPUFE_PRIORITY_LOW);

	CHECK_INT(gpuclient_ctx_create(d_h, 1, GPUCLIENT_ENGINE_CLASS_VIDEO, 0,
				       GPUCLIENT_PRIORITY_HIGH, &d_ctx[1]),
		  ==, 0);
	CHECK_INT(gpuclient_ctx_get_id(d_ctx[1]), !=,
		  gpuclient_ctx_get_id(d_ctx[0]));

	CHECK_INT(gpuclient_ctx_destroy(d_ctx[0]), ==, 0);
	d_ctx[0] = NULL;
	CHECK_INT(fk.ctx_destroys, ==, 1);
	CHECK_INT(fake_count_ctxs(), ==, 1);
	CHECK_INT(gpuclient_ctx_destroy(NULL), ==, 0);
	CHECK_INT(gpuclient_ctx_get_id(NULL), ==, 0);
}

static void ctx_create_errors(void)
{
	gpuclient_ctx_handle ctx = SENTINEL_CTX;
	unsigned int i;

	CHECK_INT(setup(), ==, 0);
	fk.ioctl_calls = 0;
	CHECK_INT(copy_ctx(NULL, &ctx), ==, -EINVAL);
	CHECK_INT(copy_ctx(d_h, NULL), ==, -EINVAL);
	/* Not representable in the uAPI's 16 bits: no such engine. */
	CHECK_INT(gpuclient_ctx_create(d_h, 1, 0x10001, 0, 0, &ctx), ==,
		  -ENOENT);
	CHECK_INT(gpuclient_ctx_create(d_h, 1, GPUCLIENT_ENGINE_CLASS_COPY,
				       0x10000, 0, &ctx), ==, -ENOENT);
	CHECK_INT(fk.ioctl_calls, ==, 0);

	CHECK_INT(gpuclient_ctx_create(d_h, 3, GPUCLIENT_ENGINE_CLASS_COPY, 0,
				       0, &ctx), ==, -ENODEV);
	CHECK_INT(gpuclient_ctx_create(d_h, 1, GPUCLIENT_ENGINE_CLASS_VIDEO, 1,
				       0, &ctx), ==, -ENOENT);
	CHECK_INT(gpuclient_ctx_create(d_h, 1, GPUCLIENT_ENGINE_CLASS_COPY, 0,
				       2, &ctx), ==, -EINVAL);
	CHECK_INT(gpuclient_ctx_create(d_h, 1, GPUCLIENT_ENGINE_CLASS_COPY, 0,
				       -2, &ctx), ==, -EINVAL);
	fk.einval = 0;	/* the priorities were meant to be refused */
	fk.deny_high_priority = 1;
	CHECK_INT(gpuclient_ctx_create(d_h, 1, GPUCLIENT_ENGINE_CLASS_COPY, 0,
				       GPUCLIENT_PRIORITY_HIGH, &ctx), ==,
		  -EPERM);
	fk.max_contexts = ARRAY_SIZE(d_ctx);
	for (i = 0; i < ARRAY_SIZE(d_ctx); i++)
		CHECK_INT(copy_ctx(d_h, &d_ctx[i]), ==, 0);
	CHECK_INT(copy_ctx(d_h, &ctx), ==, -EMFILE);
	CHECK(ctx == SENTINEL_CTX);
}

static void ctx_status(void)
{
	struct gpuclient_ctx_status st;
	struct fake_ctx *fctx;
	uint64_t seqno;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	memset(&st, 0xa5, sizeof(st));
	CHECK_INT(gpuclient_ctx_status(d_ctx[0], &st), ==, 0);
	CHECK_INT(st.submitted, ==, 0);
	CHECK_INT(st.completed, ==, 0);
	CHECK_INT(st.error, ==, 0);
	CHECK_INT(st.state, ==, GPUCLIENT_CTX_STATE_ACTIVE);

	CHECK_INT(submit_nop(d_ctx[0]), ==, 1);
	CHECK_INT(submit_nop(d_ctx[0]), ==, 2);
	seqno = submit_nop(d_ctx[0]);
	CHECK_INT(seqno, ==, 3);
	fake_complete(dfd(), gpuclient_ctx_get_id(d_ctx[0]), 2, -EIO);
	CHECK_INT(gpuclient_ctx_status(d_ctx[0], &st), ==, 0);
	CHECK_INT(st.submitted, ==, 3);
	CHECK_INT(st.completed, ==, 2);
	CHECK_INT(st.error, ==, -EIO);

	fctx = fake_ctx(dfd(), gpuclient_ctx_get_id(d_ctx[0]));
	CHECK(fctx != NULL);
	fctx->state = GPUFE_CTX_STATE_LOST;
	CHECK_INT(gpuclient_ctx_status(d_ctx[0], &st), ==, 0);
	CHECK_INT(st.state, ==, GPUCLIENT_CTX_STATE_LOST);
	CHECK_INT(submit_nop(d_ctx[0]), ==, 0);		/* -ENODEV */

	CHECK_INT(gpuclient_ctx_status(NULL, &st), ==, -EINVAL);
	CHECK_INT(gpuclient_ctx_status(d_ctx[0], NULL), ==, -EINVAL);
}

static void ctx_unknown(void)
{
	struct gpuclient_ctx_status st;
	uint64_t seqno = SENTINEL_U64;
	uint32_t id;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_create(&d_cb), ==, 0);
	CHECK_INT(gpuclient_cmd_nop(d_cb), ==, 0);
	CHECK_INT(gpuclient_submit(d_ctx[0], d_cb, -1, NULL, &seqno), ==, 0);
	CHECK_INT(seqno, ==, 1);
	id = gpuclient_ctx_get_id(d_ctx[0]);
	CHECK_INT(raw_ctx_destroy(dfd(), id), ==, 0);

	/* -ENOENT from the kernel reaches the caller everywhere. */
	memset(&st, 0xa5, sizeof(st));
	CHECK_INT(gpuclient_ctx_status(d_ctx[0], &st), ==, -ENOENT);
	CHECK_INT(st.submitted, ==, 0xa5a5a5a5a5a5a5a5ULL);
	seqno = SENTINEL_U64;
	CHECK_INT(gpuclient_submit(d_ctx[0], d_cb, -1, NULL, &seqno), ==,
		  -ENOENT);
	CHECK_INT(seqno, ==, SENTINEL_U64);
	CHECK_INT(gpuclient_wait(d_ctx[0], 1, 0), ==, -ENOENT);
	CHECK_INT(gpuclient_ctx_destroy(d_ctx[0]), ==, -ENOENT);
	d_ctx[0] = NULL;
}

/* --- the command-stream builder ------------------------------------- */

static void cmdbuf_encoding(void)
{
	const struct swgpu_cmd_nop nop = { .opcode = SWGPU_CMD_NOP };
	const struct swgpu_cmd_fill fill = {
		.opcode = SWGPU_CMD_FILL, .bo = 1, .offset = 8,
		.length = 4088, .value = 0xabcd1234,
	};
	const struct swgpu_cmd_copy copy = {
		.opcode = SWGPU_CMD_COPY, .src_bo = 0, .dst_bo = 1,
		.src_offset = 16, .dst_offset = 4096, .length = 100,
	};
	const struct swgpu_cmd_vadd vadd = {
		.opcode = SWGPU_CMD_VADD, .a_bo = 0, .b_bo = 0, .dst_bo = 1,
		.a_offset = 0, .b_offset = 4096, .dst_offset = 8192,
		.count = 1024,
	};
	const struct swgpu_cmd_delay_us delay = {
		.opcode = SWGPU_CMD_DELAY_US, .usecs = 1500,
	};
	const struct swgpu_cmd_timestamp ts = {
		.opcode = SWGPU_CMD_TIMESTAMP, .bo = 1, .offset = 16384,
	};
	uint8_t want[256];
	size_t n = 0;
	uint32_t a, b;
	uint64_t seqno;

	/* A NOP first: everything after it is only 4-byte aligned. */
	memcpy(want + n, &nop, sizeof(nop));
	n += sizeof(nop);
	memcpy(want + n, &fill, sizeof(fill));
	n += sizeof(fill);
	memcpy(want + n, &copy, sizeof(copy));
	n += sizeof(copy);
	memcpy(want + n, &vadd, sizeof(vadd));
	n += sizeof(vadd);
	memcpy(want + n, &delay, sizeof(delay));
	n += sizeof(delay);
	memcpy(want + n, &ts, sizeof(ts));
	n += sizeof(ts);

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(compute_ctx(d_h, &d_ctx[0]), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 4 * 4096, &d_bo[0]), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 5 * 4096, &d_bo[1]), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_create(&d_cb), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[0], GPUCLIENT_BO_READ, &a),
		  ==, 0);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[1], GPUCLIENT_BO_WRITE,
					  &b), ==, 0);
	CHECK_INT(a, ==, 0);
	CHECK_INT(b, ==, 1);

	CHECK_INT(gpuclient_cmd_nop(d_cb), ==, 0);
	CHECK_INT(gpuclient_cmd_fill(d_cb, b, 8, 4088, 0xabcd1234), ==, 0);
	CHECK_INT(gpuclient_cmd_copy(d_cb, a, b, 16, 4096, 100), ==, 0);
	CHECK_INT(gpuclient_cmd_vadd(d_cb, a, a, b, 0, 4096, 8192, 1024), ==, 0);
	CHECK_INT(gpuclient_cmd_delay_us(d_cb, 1500), ==, 0);
	CHECK_INT(gpuclient_cmd_timestamp(d_cb, b, 16384), ==, 0);
	CHECK_INT(d_cb->size, ==, n);

	CHECK_INT(gpuclient_submit(d_ctx[0], d_cb, -1, NULL, &seqno), ==, 0);
	CHECK_INT(fk.submits, ==, 1);
	CHECK_INT(fk.last_submit.args.cmds_size, ==, n);
	CHECK(!memcmp(fk.last_submit.cmds, want, n));
	CHECK_INT(fk.last_submit.args.num_bos, ==, 2);
	CHECK_INT(fk.last_submit.bos[0].handle, ==,
		  gpuclient_bo_get_handle(d_bo[0]));
	CHECK_INT(fk.last_submit.bos[0].flags, ==, GPUFE_SUBMIT_BO_READ);
	CHECK_INT(fk.last_submit.bos[1].handle, ==,
		  gpuclient_bo_get_handle(d_bo[1]));
	CHECK_INT(fk.last_submit.bos[1].flags, ==, GPUFE_SUBMIT_BO_WRITE);
}

static void cmdbuf_add_bo_dedup(void)
{
	uint32_t i0, i1, again;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &d_bo[0]), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &d_bo[1]), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_create(&d_cb), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[0], GPUCLIENT_BO_READ,
					  &i0), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[1], GPUCLIENT_BO_WRITE,
					  &i1), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[0], GPUCLIENT_BO_WRITE,
					  &again), ==, 0);
	CHECK_INT(again, ==, i0);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[1], GPUCLIENT_BO_WRITE,
					  &again), ==, 0);
	CHECK_INT(again, ==, i1);
	CHECK_INT(d_cb->num_bos, ==, 2);
	CHECK_INT(d_cb->bos[i0].flags, ==,
		  GPUFE_SUBMIT_BO_READ | GPUFE_SUBMIT_BO_WRITE);
	CHECK_INT(d_cb->bos[i1].flags, ==, GPUFE_SUBMIT_BO_WRITE);
}

static void cmdbuf_add_bo_errors(void)
{
	const uint32_t max = GPUCLIENT_CMDBUF_MAX_BOS;
	uint32_t idx = SENTINEL_U32, i;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_open(FAKE_PATH, &d_h2), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &d_bo[0]), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h2, 4096, &d_bo[1]), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_create(&d_cb), ==, 0);

	CHECK_INT(gpuclient_cmdbuf_add_bo(NULL, d_bo[0], 1, &idx), ==, -EINVAL);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, NULL, 1, &idx), ==, -EINVAL);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[0], 1, NULL), ==, -EINVAL);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[0], 0, &idx), ==, -EINVAL);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[0], 4, &idx), ==, -EINVAL);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[0], 3 | 8, &idx), ==,
		  -EINVAL);
	CHECK_INT(d_cb->num_bos, ==, 0);
	CHECK_INT(idx, ==, SENTINEL_U32);

	/* Buffers of two descriptors cannot share a list. */
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[0], 1, &idx), ==, 0);
	CHECK_INT(idx, ==, 0);
	idx = SENTINEL_U32;
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[1], 1, &idx), ==, -EXDEV);
	CHECK_INT(idx, ==, SENTINEL_U32);
	CHECK_INT(d_cb->num_bos, ==, 1);

	/* A full list: one more buffer is refused, a listed one is not. */
	gpuclient_cmdbuf_reset(d_cb);
	for (i = 0; i <= max; i++)
		CHECK_INT(gpuclient_bo_create(d_h, 4096, &d_many[i]), ==, 0);
	for (i = 0; i < max; i++) {
		CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_many[i],
						  GPUCLIENT_BO_READ, &idx), ==, 0);
		CHECK_INT(idx, ==, i);
	}
	idx = SENTINEL_U32;
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_many[max], GPUCLIENT_BO_READ,
					  &idx), ==, -E2BIG);
	CHECK_INT(idx, ==, SENTINEL_U32);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_many[5], GPUCLIENT_BO_WRITE,
					  &idx), ==, 0);
	CHECK_INT(idx, ==, 5);
	CHECK_INT(d_cb->num_bos, ==, max);
}

static void cmdbuf_bad_index(void)
{
	uint32_t idx;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &d_bo[0]), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_create(&d_cb), ==, 0);
	CHECK_INT(gpuclient_cmd_fill(d_cb, 0, 0, 4, 0), ==, -EINVAL);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[0], 3, &idx), ==, 0);
	CHECK_INT(gpuclient_cmd_fill(d_cb, 1, 0, 4, 0), ==, -EINVAL);
	CHECK_INT(gpuclient_cmd_copy(d_cb, 0, 1, 0, 0, 4), ==, -EINVAL);
	CHECK_INT(gpuclient_cmd_copy(d_cb, 1, 0, 0, 0, 4), ==, -EINVAL);
	CHECK_INT(gpuclient_cmd_vadd(d_cb, 1, 0, 0, 0, 0, 0, 1), ==, -EINVAL);
	CHECK_INT(gpuclient_cmd_vadd(d_cb, 0, 1, 0, 0, 0, 0, 1), ==, -EINVAL);
	CHECK_INT(gpuclient_cmd_vadd(d_cb, 0, 0, 1, 0, 0, 0, 1), ==, -EINVAL);
	CHECK_INT(gpuclient_cmd_timestamp(d_cb, 1, 0), ==, -EINVAL);
	CHECK_INT(d_cb->size, ==, 0);

	CHECK_INT(gpuclient_cmd_nop(NULL), ==, -EINVAL);
	CHECK_INT(gpuclient_cmd_fill(NULL, 0, 0, 4, 0), ==, -EINVAL);
	CHECK_INT(gpuclient_cmd_copy(NULL, 0, 0, 0, 4, 4), ==, -EINVAL);
	CHECK_INT(gpuclient_cmd_vadd(NULL, 0, 0, 0, 0, 0, 0, 1), ==, -EINVAL);
	CHECK_INT(gpuclient_cmd_delay_us(NULL, 1), ==, -EINVAL);
	CHECK_INT(gpuclient_cmd_timestamp(NULL, 0, 0), ==, -EINVAL);
	CHECK_INT(gpuclient_cmdbuf_create(NULL), ==, -EINVAL);
}

static void cmdbuf_overflow(void)
{
	const size_t max = GPUCLIENT_CMDBUF_MAX_SIZE;
	uint64_t seqno;
	uint32_t idx;
	size_t i;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &d_bo[0]), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_create(&d_cb), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[0], 3, &idx), ==, 0);

	/* Up to 28 bytes short of the limit: a 32-byte FILL does not fit. */
	for (i = 0; i < (max - 28) / sizeof(struct swgpu_cmd_nop); i++)
		if (gpuclient_cmd_nop(d_cb))
			break;
	CHECK_INT(d_cb->size, ==, max - 28);
	CHECK_INT(gpuclient_cmd_fill(d_cb, idx, 0, 4, 1), ==, -E2BIG);
	CHECK_INT(gpuclient_cmd_vadd(d_cb, idx, idx, idx, 0, 0, 0, 1), ==,
		  -E2BIG);
	CHECK_INT(gpuclient_cmd_copy(d_cb, idx, idx, 0, 8, 4), ==, -E2BIG);
	CHECK_INT(d_cb->size, ==, max - 28);
	/* But a TIMESTAMP (16) and a DELAY_US (8) do, exactly 4 short. */
	CHECK_INT(gpuclient_cmd_timestamp(d_cb, idx, 0), ==, 0);
	CHECK_INT(gpuclient_cmd_delay_us(d_cb, 1), ==, 0);
	CHECK_INT(gpuclient_cmd_delay_us(d_cb, 1), ==, -E2BIG);
	CHECK_INT(gpuclient_cmd_nop(d_cb), ==, 0);
	CHECK_INT(d_cb->size, ==, max);
	CHECK_INT(gpuclient_cmd_nop(d_cb), ==, -E2BIG);
	CHECK_INT(d_cb->size, ==, max);

	/* The largest stream is one the kernel accepts. */
	CHECK_INT(gpuclient_submit(d_ctx[0], d_cb, -1, NULL, &seqno), ==, 0);
	CHECK_INT(fk.last_submit.args.cmds_size, ==, max);
}

static void cmdbuf_reset(void)
{
	uint64_t seqno = SENTINEL_U64;
	uint32_t idx;
	uint8_t *before;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_open(FAKE_PATH, &d_h2), ==, 0);
	CHECK_INT(copy_ctx(d_h2, &d_ctx[0]), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &d_bo[0]), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h2, 4096, &d_bo[1]), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_create(&d_cb), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[0], 2, &idx), ==, 0);
	CHECK_INT(gpuclient_cmd_fill(d_cb, idx, 0, 4096, 7), ==, 0);
	before = d_cb->cmds;

	gpuclient_cmdbuf_reset(d_cb);
	gpuclient_cmdbuf_reset(NULL);
	CHECK_INT(d_cb->size, ==, 0);
	CHECK_INT(d_cb->num_bos, ==, 0);
	CHECK(d_cb->cmds == before);	/* the memory stays */

	/* Empty: nothing to submit, and no ioctl for it. */
	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_submit(d_ctx[0], d_cb, -1, NULL, &seqno), ==,
		  -EINVAL);
	CHECK_INT(fk.ioctl_calls, ==, 0);
	CHECK_INT(seqno, ==, SENTINEL_U64);

	/* The list may now hold the other descriptor's buffers. */
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[1], 2, &idx), ==, 0);
	CHECK_INT(gpuclient_cmd_fill(d_cb, idx, 0, 4096, 7), ==, 0);
	CHECK_INT(gpuclient_submit(d_ctx[0], d_cb, -1, NULL, &seqno), ==, 0);
	CHECK_INT(seqno, ==, 1);
}

/* --- submit ----------------------------------------------------------- */

static void submit_runs_job(void)
{
	const struct fake_ctx *fctx;
	uint32_t *words;
	uint64_t seqno = 0;
	void *map;
	unsigned int i;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 8192, &d_bo[0]), ==, 0);
	seqno = submit_fill(d_ctx[0], d_bo[0], 0x600dcafe);
	CHECK_INT(seqno, ==, 1);
	CHECK_INT(submit_fill(d_ctx[0], d_bo[0], 0x600dcafe), ==, 2);
	CHECK_INT(fk.last_submit.args.flags, ==, 0);
	CHECK_INT(fk.last_submit.args.in_fence_fd, ==, 0);
	CHECK_INT(fk.last_submit.args.ctx_id, ==,
		  gpuclient_ctx_get_id(d_ctx[0]));
	fctx = fake_ctx(dfd(), gpuclient_ctx_get_id(d_ctx[0]));
	CHECK_INT(fctx->submitted, ==, 2);

	CHECK_INT(gpuclient_bo_map(d_bo[0], &map), ==, 0);
	words = map;
	for (i = 0; i < 2048; i++)
		if (words[i] != 0x600dcafe)
			break;
	CHECK_INT(i, ==, 2048);
}

static void submit_no_bos(void)
{
	uint64_t seqno = 0;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_create(&d_cb), ==, 0);
	CHECK_INT(gpuclient_cmd_delay_us(d_cb, 10), ==, 0);
	/* Output pointers are optional. */
	CHECK_INT(gpuclient_submit(d_ctx[0], d_cb, -1, NULL, NULL), ==, 0);
	CHECK_INT(gpuclient_submit(d_ctx[0], d_cb, -1, NULL, &seqno), ==, 0);
	CHECK_INT(seqno, ==, 2);
	CHECK_INT(fk.last_submit.args.num_bos, ==, 0);
	CHECK_INT(fk.last_submit.args.bos, ==, 0);
}

static void submit_fences(void)
{
	int in_fd, out_fd = SENTINEL_FD;
	uint64_t seqno;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_create(&d_cb), ==, 0);
	CHECK_INT(gpuclient_cmd_nop(d_cb), ==, 0);

	in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);	/* a "sync_file" */
	CHECK_INT(in_fd, >=, 0);
	CHECK_INT(gpuclient_submit(d_ctx[0], d_cb, in_fd, &out_fd, &seqno), ==,
		  0);
	CHECK_INT(fk.last_submit.args.flags, ==,
		  GPUFE_SUBMIT_IN_FENCE | GPUFE_SUBMIT_OUT_FENCE);
	CHECK_INT(fk.last_submit.args.in_fence_fd, ==, in_fd);
	CHECK_INT(out_fd, >=, 0);
	CHECK_INT(out_fd, !=, in_fd);
	CHECK(fcntl(out_fd, F_GETFD) & FD_CLOEXEC);
	close(out_fd);

	/* An in-fence alone. */
	out_fd = SENTINEL_FD;
	CHECK_INT(gpuclient_submit(d_ctx[0], d_cb, in_fd, NULL, &seqno), ==, 0);
	CHECK_INT(fk.last_submit.args.flags, ==, GPUFE_SUBMIT_IN_FENCE);
	close(in_fd);

	/* A closed in-fence is the kernel's to refuse. */
	CHECK_INT(gpuclient_submit(d_ctx[0], d_cb, in_fd, &out_fd, &seqno), ==,
		  -EINVAL);
	fk.einval = 0;
	CHECK_INT(out_fd, ==, SENTINEL_FD);
}

static void submit_bad_args(void)
{
	int out_fd = SENTINEL_FD;
	uint64_t seqno = SENTINEL_U64;
	uint32_t idx;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_open(FAKE_PATH, &d_h2), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h2, 4096, &d_bo[0]), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_create(&d_cb), ==, 0);
	CHECK_INT(gpuclient_cmd_nop(d_cb), ==, 0);

	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_submit(NULL, d_cb, -1, &out_fd, &seqno), ==,
		  -EINVAL);
	CHECK_INT(gpuclient_submit(d_ctx[0], NULL, -1, &out_fd, &seqno), ==,
		  -EINVAL);
	CHECK_INT(gpuclient_submit(d_ctx[0], d_cb, -2, &out_fd, &seqno), ==,
		  -EBADF);
	/* The list names buffers of d_h2; the context is d_h's. */
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[0], 2, &idx), ==, 0);
	CHECK_INT(gpuclient_submit(d_ctx[0], d_cb, -1, &out_fd, &seqno), ==,
		  -EXDEV);
	CHECK_INT(fk.ioctl_calls, ==, 0);
	CHECK_INT(out_fd, ==, SENTINEL_FD);
	CHECK_INT(seqno, ==, SENTINEL_U64);
}

static void submit_kernel_rejects(void)
{
	int out_fd = SENTINEL_FD;
	uint64_t seqno = SENTINEL_U64;
	uint32_t idx;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	CHECK_INT(gpuclient_bo_create(d_h, 4096, &d_bo[0]), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_create(&d_cb), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[0], 3, &idx), ==, 0);

	/* A VADD on a copy engine. */
	CHECK_INT(gpuclient_cmd_vadd(d_cb, idx, idx, idx, 0, 0, 0, 4), ==, 0);
	CHECK_INT(gpuclient_submit(d_ctx[0], d_cb, -1, &out_fd, &seqno), ==,
		  -EINVAL);
	/* A FILL beyond the buffer. */
	gpuclient_cmdbuf_reset(d_cb);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[0], 2, &idx), ==, 0);
	CHECK_INT(gpuclient_cmd_fill(d_cb, idx, 4096, 4, 0), ==, 0);
	CHECK_INT(gpuclient_submit(d_ctx[0], d_cb, -1, &out_fd, &seqno), ==,
		  -EINVAL);
	fk.einval = 0;	/* both streams were meant to be refused */

	/* A buffer destroyed behind the library's back. */
	gpuclient_cmdbuf_reset(d_cb);
	CHECK_INT(gpuclient_cmdbuf_add_bo(d_cb, d_bo[0], 2, &idx), ==, 0);
	CHECK_INT(gpuclient_cmd_fill(d_cb, idx, 0, 4, 0), ==, 0);
	CHECK_INT(raw_bo_destroy(dfd(), gpuclient_bo_get_handle(d_bo[0])), ==,
		  0);
	CHECK_INT(gpuclient_submit(d_ctx[0], d_cb, -1, &out_fd, &seqno), ==,
		  -ENOENT);

	CHECK_INT(fk.submits, ==, 0);
	CHECK_INT(out_fd, ==, SENTINEL_FD);
	CHECK_INT(seqno, ==, SENTINEL_U64);
	CHECK_INT(gpuclient_bo_destroy(d_bo[0]), ==, -ENOENT);
	d_bo[0] = NULL;
}

/* --- wait ------------------------------------------------------------- */

static void wait_done(void)
{
	uint64_t seqno;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	seqno = submit_nop(d_ctx[0]);
	CHECK_INT(seqno, ==, 1);
	fake_complete(dfd(), gpuclient_ctx_get_id(d_ctx[0]), seqno, 0);
	CHECK_INT(gpuclient_wait(d_ctx[0], seqno, 0), ==, 0);
	CHECK_INT(gpuclient_wait(d_ctx[0], seqno, 1000), ==, 0);
	CHECK_INT(fk.num_waits, ==, 2);
}

static void wait_timeout(void)
{
	int64_t before;
	uint64_t seqno;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	seqno = submit_nop(d_ctx[0]);
	CHECK_INT(seqno, ==, 1);
	before = now_ns();
	CHECK_INT(gpuclient_wait(d_ctx[0], seqno, 0), ==, -ETIME);
	CHECK_INT(fk.num_waits, ==, 1);
	/* 0 polls: the deadline is now, already past when the kernel looks. */
	CHECK_INT(fk.wait_deadlines[0], >=, before);
	CHECK_INT(fk.wait_deadlines[0], <=, now_ns());
	/* A later deadline the fake treats as passed. */
	CHECK_INT(gpuclient_wait(d_ctx[0], seqno, NSEC_PER_SEC), ==, -ETIME);
}

static void wait_deadline(void)
{
	const int64_t timeout = 5 * NSEC_PER_SEC;
	int64_t before, after;
	uint64_t seqno;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	seqno = submit_nop(d_ctx[0]);
	fk.complete_on_wait = 1;
	before = now_ns();
	CHECK_INT(gpuclient_wait(d_ctx[0], seqno, timeout), ==, 0);
	after = now_ns();
	/* Relative for the caller, absolute CLOCK_MONOTONIC for the kernel. */
	CHECK_INT(fk.num_waits, ==, 1);
	CHECK_INT(fk.wait_deadlines[0], >=, before + timeout);
	CHECK_INT(fk.wait_deadlines[0], <=, after + timeout);
}

static void wait_eintr_same_deadline(void)
{
	uint64_t seqno;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	seqno = submit_nop(d_ctx[0]);
	fk.complete_on_wait = 1;
	fk.ioctl_calls = 0;
	fake_inject(EINTR);
	fake_inject(EINTR);
	fake_inject(EINTR);
	CHECK_INT(gpuclient_wait(d_ctx[0], seqno, 2 * NSEC_PER_SEC), ==, 0);
	CHECK_INT(fk.ioctl_calls, ==, 4);
	CHECK_INT(fk.num_waits, ==, 4);
	/* Every restart waits for the deadline computed once. */
	CHECK_INT(fk.wait_deadlines[1], ==, fk.wait_deadlines[0]);
	CHECK_INT(fk.wait_deadlines[2], ==, fk.wait_deadlines[0]);
	CHECK_INT(fk.wait_deadlines[3], ==, fk.wait_deadlines[0]);
}

static void wait_infinite(void)
{
	uint64_t seqno;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	seqno = submit_nop(d_ctx[0]);
	fk.complete_on_wait = 1;
	CHECK_INT(gpuclient_wait(d_ctx[0], seqno, GPUCLIENT_TIMEOUT_INFINITE),
		  ==, 0);
	seqno = submit_nop(d_ctx[0]);
	CHECK_INT(gpuclient_wait(d_ctx[0], seqno, (uint64_t)INT64_MAX), ==, 0);
	seqno = submit_nop(d_ctx[0]);
	CHECK_INT(gpuclient_wait(d_ctx[0], seqno,
				 (uint64_t)INT64_MAX - now_ns() + 1), ==, 0);
	/* Saturated, never wrapped into the past. */
	CHECK_INT(fk.num_waits, ==, 3);
	CHECK_INT(fk.wait_deadlines[0], ==, INT64_MAX);
	CHECK_INT(fk.wait_deadlines[1], ==, INT64_MAX);
	CHECK_INT(fk.wait_deadlines[2], ==, INT64_MAX);
}

static void wait_bad_args(void)
{
	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(d_ctx[0]), ==, 1);
	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_wait(NULL, 1, 0), ==, -EINVAL);
	CHECK_INT(gpuclient_wait(d_ctx[0], 0, 0), ==, -EINVAL);
	CHECK_INT(fk.ioctl_calls, ==, 0);
	/* Not submitted yet: the kernel's to refuse. */
	CHECK_INT(gpuclient_wait(d_ctx[0], 2, 0), ==, -EINVAL);
	fk.einval = 0;
}

/* --- events ----------------------------------------------------------- */

static void events_basic(void)
{
	struct gpuclient_event ev[8];
	uint32_t id0, id1;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	CHECK_INT(compute_ctx(d_h, &d_ctx[1]), ==, 0);
	id0 = gpuclient_ctx_get_id(d_ctx[0]);
	id1 = gpuclient_ctx_get_id(d_ctx[1]);
	CHECK_INT(submit_nop(d_ctx[1]), ==, 1);
	CHECK_INT(submit_nop(d_ctx[0]), ==, 1);
	CHECK_INT(submit_nop(d_ctx[0]), ==, 2);
	fake_complete(dfd(), id1, 1, -EIO);
	fake_complete(dfd(), id0, 2, 0);

	memset(ev, 0xa5, sizeof(ev));
	CHECK_INT(gpuclient_read_events(d_h, ev, ARRAY_SIZE(ev), 0), ==, 2);
	CHECK_INT(ev[0].type, ==, GPUCLIENT_EVENT_COMPLETION);
	CHECK_INT(ev[0].ctx_id, ==, id1);
	CHECK_INT(ev[0].seqno, ==, 1);
	CHECK_INT(ev[0].error, ==, -EIO);
	CHECK_INT(ev[1].type, ==, GPUCLIENT_EVENT_COMPLETION);
	CHECK_INT(ev[1].ctx_id, ==, id0);
	CHECK_INT(ev[1].seqno, ==, 2);
	CHECK_INT(ev[1].error, ==, 0);
	CHECK_INT(ev[2].ctx_id, ==, 0xa5a5a5a5);	/* untouched */
	CHECK_INT(fk.last_read_count, ==, ARRAY_SIZE(ev) *
		  sizeof(struct gpufe_event));

	/* Nothing left. */
	CHECK_INT(gpuclient_read_events(d_h, ev, ARRAY_SIZE(ev), 0), ==, -ETIME);
	CHECK_INT(fk.blocking_reads, ==, 0);
}

static void events_unknown_type(void)
{
	struct gpuclient_event ev[8];
	uint32_t id0;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	id0 = gpuclient_ctx_get_id(d_ctx[0]);
	CHECK_INT(submit_nop(d_ctx[0]), ==, 1);
	fake_complete(dfd(), id0, 1, 0);
	fk.unknown_event = 1;

	memset(ev, 0xa5, sizeof(ev));
	CHECK_INT(gpuclient_read_events(d_h, ev, ARRAY_SIZE(ev), 0), ==, 1);
	CHECK_INT(fk.unknown_event, ==, 0);	/* it was read, and skipped */
	CHECK_INT(ev[0].type, ==, GPUCLIENT_EVENT_COMPLETION);
	CHECK_INT(ev[0].ctx_id, ==, id0);
	CHECK_INT(ev[0].seqno, ==, 1);
	CHECK_INT(ev[1].ctx_id, ==, 0xa5a5a5a5);	/* untouched */
}

static void events_coalesce(void)
{
	struct gpuclient_event ev[4];

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(d_ctx[0]), ==, 1);
	CHECK_INT(submit_nop(d_ctx[0]), ==, 2);
	CHECK_INT(submit_nop(d_ctx[0]), ==, 3);
	fake_complete(dfd(), gpuclient_ctx_get_id(d_ctx[0]), 1, 0);
	fake_complete(dfd(), gpuclient_ctx_get_id(d_ctx[0]), 3, 0);
	CHECK_INT(gpuclient_read_events(d_h, ev, ARRAY_SIZE(ev), 0), ==, 1);
	CHECK_INT(ev[0].seqno, ==, 3);
}

static void events_max(void)
{
	struct gpuclient_event ev[3], many[100];
	unsigned int i;

	CHECK_INT(setup(), ==, 0);
	for (i = 0; i < 3; i++) {
		CHECK_INT(copy_ctx(d_h, &d_ctx[i]), ==, 0);
		CHECK_INT(submit_nop(d_ctx[i]), ==, 1);
		fake_complete(dfd(), gpuclient_ctx_get_id(d_ctx[i]), 1, 0);
	}
	CHECK_INT(gpuclient_read_events(d_h, ev, 2, 0), ==, 2);
	CHECK_INT(fk.last_read_count, ==, 2 * sizeof(struct gpufe_event));
	CHECK_INT(ev[0].ctx_id, ==, gpuclient_ctx_get_id(d_ctx[0]));
	CHECK_INT(ev[1].ctx_id, ==, gpuclient_ctx_get_id(d_ctx[1]));
	CHECK_INT(gpuclient_read_events(d_h, ev, 1, 0), ==, 1);
	CHECK_INT(ev[0].ctx_id, ==, gpuclient_ctx_get_id(d_ctx[2]));

	/* A huge @max is read in batches the library can hold. */
	CHECK_INT(submit_nop(d_ctx[0]), ==, 2);
	fake_complete(dfd(), gpuclient_ctx_get_id(d_ctx[0]), 2, 0);
	CHECK_INT(gpuclient_read_events(d_h, many, ARRAY_SIZE(many), 0), ==, 1);
	CHECK_INT(fk.last_read_count, ==,
		  GPUCLIENT_EVENT_BATCH * sizeof(struct gpufe_event));
}

/* What hook_complete() completes when a poll() would block. */
static uint32_t hook_ctx_id;
static uint64_t hook_seqno;

static void hook_complete(int fd)
{
	fake_complete(fd, hook_ctx_id, hook_seqno, 0);
}

static void events_timeout(void)
{
	struct gpuclient_event ev = { .seqno = SENTINEL_U64 };

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(d_ctx[0]), ==, 1);

	/* Nothing comes: -ETIME after one poll() of at most the timeout. */
	CHECK_INT(gpuclient_read_events(d_h, &ev, 1, 50), ==, -ETIME);
	CHECK_INT(fk.poll_calls, ==, 1);
	CHECK_INT(fk.poll_timeouts[0], >, 0);
	CHECK_INT(fk.poll_timeouts[0], <=, 50);
	CHECK_INT(fk.read_calls, ==, 0);
	CHECK_INT(ev.seqno, ==, SENTINEL_U64);

	/* The job completes while the caller waits, forever. */
	hook_ctx_id = gpuclient_ctx_get_id(d_ctx[0]);
	hook_seqno = 1;
	fk.on_poll = hook_complete;
	CHECK_INT(gpuclient_read_events(d_h, &ev, 1, -1), ==, 1);
	CHECK_INT(fk.poll_timeouts[1], ==, -1);
	CHECK_INT(ev.ctx_id, ==, hook_ctx_id);
	CHECK_INT(ev.seqno, ==, 1);
}

static void events_eintr(void)
{
	struct gpuclient_event ev;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(d_ctx[0]), ==, 1);
	hook_ctx_id = gpuclient_ctx_get_id(d_ctx[0]);
	hook_seqno = 1;
	fk.on_poll = hook_complete;
	fk.poll_eintr = 2;
	CHECK_INT(gpuclient_read_events(d_h, &ev, 1, 10000), ==, 1);
	CHECK_INT(fk.poll_calls, ==, 3);
	/* One deadline: what is left of it only shrinks. */
	CHECK_INT(fk.poll_timeouts[0], <=, 10000);
	CHECK_INT(fk.poll_timeouts[1], <=, fk.poll_timeouts[0]);
	CHECK_INT(fk.poll_timeouts[2], <=, fk.poll_timeouts[1]);
	CHECK_INT(fk.poll_timeouts[2], >, 9000);
}

static void hook_steal(int fd)
{
	struct fake_client *c = fake_client(fd);
	unsigned int i;

	/* Another thread reads the events between poll() and read(). */
	for (i = 0; i < c->num_events; i++)
		c->ctxs[c->events[i] - 1].event_pending = 0;
	c->num_events = 0;
	fk.after_poll = NULL;
}

static void events_raced(void)
{
	struct gpuclient_event ev = { .seqno = SENTINEL_U64 };
	uint32_t id;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	id = gpuclient_ctx_get_id(d_ctx[0]);
	CHECK_INT(submit_nop(d_ctx[0]), ==, 1);
	CHECK_INT(submit_nop(d_ctx[0]), ==, 2);
	CHECK_INT(submit_nop(d_ctx[0]), ==, 3);

	/* Stolen, and nothing else comes in time: -ETIME, not a hang. */
	fake_complete(dfd(), id, 1, 0);
	fk.after_poll = hook_steal;
	CHECK_INT(gpuclient_read_events(d_h, &ev, 1, 0), ==, -ETIME);
	CHECK_INT(fk.read_calls, ==, 1);
	CHECK_INT(fk.poll_calls, ==, 2);
	CHECK_INT(ev.seqno, ==, SENTINEL_U64);

	/* Stolen, then job 3 completes while the caller polls again. */
	fake_complete(dfd(), id, 2, 0);
	fk.after_poll = hook_steal;
	fk.on_poll = hook_complete;
	hook_ctx_id = id;
	hook_seqno = 3;
	fk.read_calls = 0;
	CHECK_INT(gpuclient_read_events(d_h, &ev, 1, -1), ==, 1);
	CHECK_INT(fk.read_calls, ==, 2);
	CHECK_INT(ev.seqno, ==, 3);
	CHECK_INT(fk.blocking_reads, ==, 0);
}

static void events_bad_args(void)
{
	struct gpuclient_event ev = { .seqno = SENTINEL_U64 };

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_read_events(NULL, &ev, 1, 0), ==, -EINVAL);
	CHECK_INT(gpuclient_read_events(d_h, NULL, 1, 0), ==, -EINVAL);
	CHECK_INT(gpuclient_read_events(d_h, &ev, 0, 0), ==, -EINVAL);
	CHECK_INT(fk.poll_calls, ==, 0);
	CHECK_INT(ev.seqno, ==, SENTINEL_U64);
}

static void events_partial(void)
{
	struct gpuclient_event ev = { .seqno = SENTINEL_U64 };

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(d_h, &d_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(d_ctx[0]), ==, 1);
	fake_complete(dfd(), gpuclient_ctx_get_id(d_ctx[0]), 1, 0);
	fk.read_truncate = 4;
	CHECK_INT(gpuclient_read_events(d_h, &ev, 1, 0), ==, -EPROTO);
	CHECK_INT(ev.seqno, ==, SENTINEL_U64);
}

/* --- lifetimes ---------------------------------------------------------- */

static void close_with_live_objects(void)
{
	struct gpuclient_ctx_status st;
	gpuclient_handle h;
	void *map;
	int fd;

	CHECK_INT(setup(), ==, 0);
	h = d_h;
	fd = dfd();
	CHECK_INT(gpuclient_bo_create(h, 4096, &d_bo[0]), ==, 0);
	CHECK_INT(copy_ctx(h, &d_ctx[0]), ==, 0);

	/* Closed by the application, kept open by its objects. */
	gpuclient_close(h);
	d_h = NULL;
	CHECK_INT(fk.num_fds, ==, 1);
	CHECK(fake_fd_is_open(fd));
	CHECK_INT(gpuclient_bo_map(d_bo[0], &map), ==, 0);
	CHECK_INT(gpuclient_ctx_status(d_ctx[0], &st), ==, 0);

	CHECK_INT(gpuclient_bo_destroy(d_bo[0]), ==, 0);
	d_bo[0] = NULL;
	CHECK_INT(fk.num_fds, ==, 1);
	CHECK_INT(gpuclient_ctx_destroy(d_ctx[0]), ==, 0);
	d_ctx[0] = NULL;
	CHECK_INT(fk.num_fds, ==, 0);
	CHECK_INT(fk.bo_destroys, ==, 1);
	CHECK_INT(fk.ctx_destroys, ==, 1);
}

const struct test datapath_tests[] = {
	TEST(datapath_version, "a 1.2 kernel reports the data path and the completion page"),
	TEST(datapath_unsupported, "1.0 kernel: open works, data path -EOPNOTSUPP, no ioctl"),
	TEST(datapath_old_kernel_enotty, "the fake 1.0 kernel refuses data-path ioctls"),
	TEST(bo_create_basic, "buffers: sizes rounded to pages, handles, destroy"),
	TEST(bo_create_bad_args, "bad buffer arguments: -EINVAL, no ioctl"),
	TEST(bo_create_kernel_errors, "kernel errors on create reach the caller"),
	TEST(bo_create_eintr, "EINTR on create is retried"),
	TEST(bo_destroy_unknown, "destroying a handle the kernel lost: -ENOENT"),
	TEST(bo_map, "one cached shared mapping, unmapped on destroy"),
	TEST(bo_map_error, "a failed mmap returns -errno, pointer untouched"),
	TEST(bo_export, "export asks for CLOEXEC | RDWR, fd is close-on-exec"),
	TEST(bo_export_unknown, "export of a lost handle: -ENOENT"),
	TEST(bo_import_other_handle, "import on another handle: same memory"),
	TEST(bo_import_same_handle, "import of an own buffer: same object, refcounted"),
	TEST(bo_import_reused_handle, "a reused kernel handle is not mistaken"),
	TEST(bo_import_errors, "bad fds: -EBADF, non-dma-buf: -EINVAL"),
	TEST(bo_import_threads, "concurrent imports and destroys keep the count"),
	TEST(ctx_create_basic, "contexts: fields reach the kernel, ids, destroy"),
	TEST(ctx_create_errors, "context creation errors, untouched output"),
	TEST(ctx_status, "status: submitted, completed, error, state"),
	TEST(ctx_unknown, "a context the kernel lost: -ENOENT everywhere"),
	TEST(cmdbuf_encoding, "every command encoded as gpufe_swgpu.h says"),
	TEST(cmdbuf_add_bo_dedup, "a buffer added twice: one entry, flags ORed"),
	TEST(cmdbuf_add_bo_errors, "bad flags, other device, full list"),
	TEST(cmdbuf_bad_index, "commands naming unlisted buffers: -EINVAL"),
	TEST(cmdbuf_overflow, "a stream past 64 KiB: -E2BIG, unchanged"),
	TEST(cmdbuf_reset, "reset empties the stream and the list"),
	TEST(submit_runs_job, "submit: seqnos count from 1, the job runs"),
	TEST(submit_no_bos, "a job without buffers sends no list"),
	TEST(submit_fences, "in- and out-fences set their flags"),
	TEST(submit_bad_args, "bad submit arguments: no ioctl, untouched outputs"),
	TEST(submit_kernel_rejects, "streams the kernel refuses: nothing queued"),
	TEST(wait_done, "waiting for a completed job succeeds"),
	TEST(wait_timeout, "an incomplete job: -ETIME"),
	TEST(wait_deadline, "a relative timeout becomes an absolute deadline"),
	TEST(wait_eintr_same_deadline, "EINTR retries keep the same deadline"),
	TEST(wait_infinite, "an infinite timeout saturates, never wraps"),
	TEST(wait_bad_args, "seqno 0 or unsubmitted: -EINVAL"),
	TEST(events_basic, "events: one per context, every field"),
	TEST(events_unknown_type, "events of an unknown type are stepped over by length"),
	TEST(events_coalesce, "completions of one context coalesce"),
	TEST(events_max, "at most max events per call"),
	TEST(events_timeout, "no event in time: -ETIME; forever waits"),
	TEST(events_eintr, "poll EINTR retried against one deadline"),
	TEST(events_raced, "events stolen between poll and read: no hang"),
	TEST(events_bad_args, "bad event arguments: -EINVAL"),
	TEST(events_partial, "a partial event: -EPROTO"),
	TEST(close_with_live_objects, "buffers and contexts keep the device open"),
};

const unsigned int num_datapath_tests = ARRAY_SIZE(datapath_tests);
