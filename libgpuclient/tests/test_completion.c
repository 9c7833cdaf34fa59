// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/*
 * Host unit tests for the libgpuclient completion page (interface 1.2):
 * the lazy mapping and its growth, gpuclient_ctx_done() and the wait modes
 * of gpuclient_wait_mode(), and their fallbacks on a 1.1 kernel, against
 * the fake kernel in fake_kernel.c. test_gpuclient.c runs them after the
 * data-path tests; completion_cleanup() releases what a test left in the
 * c_* variables.
 *
 * The fake never sleeps: a WAIT that would block returns -ETIME at once
 * (or completes the job, with fk.complete_on_wait). Spinning waits do spin,
 * for a few milliseconds at most; no test asserts how long anything took.
 */

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "gpuclient_priv.h"
#include "fake_kernel.h"
#include "harness.h"
#include "tests.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

/* Slots beyond a 4 KiB page: the page holds 256. */
#define MANY_CTXS	300

/* Owned by the runner: destroyed after every test. */
static gpuclient_handle c_h;
static gpuclient_ctx_handle c_ctx[MANY_CTXS];

/* What an untouched output parameter still holds. */
static char sentinel_obj;
#define SENTINEL_CTX	((gpuclient_ctx_handle)(void *)&sentinel_obj)

_Static_assert(MANY_CTXS <= FAKE_MAX_CTXS, "the fake holds the contexts");

void completion_cleanup(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c_ctx); i++)
		gpuclient_ctx_destroy(c_ctx[i]);
	gpuclient_close(c_h);
	memset(c_ctx, 0, sizeof(c_ctx));
	c_h = NULL;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * (int64_t)NSEC_PER_SEC + ts.tv_nsec;
}

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* A 1.2 kernel with the completion page and one swgpu device, as c_h. */
static int setup(void)
{
	fake_set_completion_page();
	if (!fake_add_swgpu(1, "swgpu0"))
		return -ENOMEM;
	return gpuclient_open(FAKE_PATH, &c_h);
}

/* The same as a 1.1 kernel: no completion page, a 24-byte CTX_CREATE. */
static int setup_1_1(void)
{
	fake_set_datapath();
	if (!fake_add_swgpu(1, "swgpu0"))
		return -ENOMEM;
	return gpuclient_open(FAKE_PATH, &c_h);
}

static int cfd(void)
{
	return gpuclient_get_fd(c_h);
}

static int copy_ctx(gpuclient_ctx_handle *ctx)
{
	return gpuclient_ctx_create(c_h, 1, GPUCLIENT_ENGINE_CLASS_COPY, 0,
				    GPUCLIENT_PRIORITY_NORMAL, ctx);
}

static const struct fake_ctx *fctx(gpuclient_ctx_handle ctx)
{
	return fake_ctx(cfd(), gpuclient_ctx_get_id(ctx));
}

/* Complete @ctx's jobs up to @seqno, as the GPU would. */
static void complete(gpuclient_ctx_handle ctx, uint64_t seqno)
{
	fake_complete(cfd(), gpuclient_ctx_get_id(ctx), seqno, 0);
}

static int raw_ctx_destroy(int fd, uint32_t ctx_id)
{
	struct gpufe_ctx_destroy args = { .ctx_id = ctx_id };

	return ioctl(fd, GPUFE_IOCTL_CTX_DESTROY, &args) ? -errno : 0;
}

/* --- the mapping ------------------------------------------------------ */

static void completion_map_lazy(void)
{
	struct gpuclient_version v;
	void *base;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_get_version(c_h, &v), ==, 0);
	CHECK_INT(v.minor, ==, 2);
	CHECK(v.features & GPUCLIENT_FEATURE_COMPLETION_PAGE);
	CHECK_INT(fk.num_page_maps, ==, 0);	/* not at open */

	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	CHECK_INT(fk.num_page_maps, ==, 1);
	CHECK_INT(fk.page_maps[0].ret, ==, 0);
	CHECK_INT(fk.page_maps[0].prot, ==, PROT_READ);
	CHECK_INT(fk.page_maps[0].flags, ==, MAP_SHARED);
	CHECK_INT(fk.page_maps[0].off, ==, GPUFE_COMPLETION_MMAP_OFFSET);
	CHECK_INT(fk.page_maps[0].len, ==, page_size());
	CHECK(c_ctx[0]->slot != NULL);
	CHECK_INT(fctx(c_ctx[0])->slot_offset, ==, 0);

	/* The next slot is on the same page: no second mapping. */
	CHECK_INT(copy_ctx(&c_ctx[1]), ==, 0);
	CHECK_INT(fk.num_page_maps, ==, 1);
	CHECK_INT(fctx(c_ctx[1])->slot_offset, ==,
		  sizeof(struct gpufe_completion_slot));
	CHECK((const char *)c_ctx[1]->slot - (const char *)c_ctx[0]->slot ==
	      sizeof(struct gpufe_completion_slot));

	/* Read-only for good: it cannot be made writable. */
	base = (void *)(uintptr_t)c_ctx[0]->slot;
	CHECK_INT(mprotect(base, page_size(), PROT_READ | PROT_WRITE), ==, -1);
	CHECK_INT(errno, ==, EACCES);
}

static void completion_map_grows(void)
{
	const size_t per_page = page_size() / sizeof(struct gpufe_completion_slot);
	unsigned int i;

	if (per_page >= MANY_CTXS) {
		printf("# SKIP: %zu slots fit in one page\n", per_page);
		return;
	}
	CHECK_INT(setup(), ==, 0);
	for (i = 0; i < MANY_CTXS; i++) {
		CHECK_INT(copy_ctx(&c_ctx[i]), ==, 0);
		CHECK_INT(fctx(c_ctx[i])->slot_offset, ==,
			  i * sizeof(struct gpufe_completion_slot));
		CHECK_INT(fk.page_mmaps, ==, i < per_page ? 1 : 2);
	}
	/* A second, larger mapping covers the slots past the first page. */
	CHECK_INT(fk.num_page_maps, ==, 2);
	CHECK_INT(fk.page_maps[1].ret, ==, 0);
	CHECK_INT(fk.page_maps[1].off, ==, GPUFE_COMPLETION_MMAP_OFFSET);
	CHECK_INT(fk.page_maps[1].len, >=,
		  MANY_CTXS * sizeof(struct gpufe_completion_slot));
	CHECK_INT(fk.page_maps[1].len % page_size(), ==, 0);

	/* Old and new slots alike see completions. */
	CHECK_INT(submit_nop(c_ctx[0]), ==, 1);
	CHECK_INT(submit_nop(c_ctx[MANY_CTXS - 1]), ==, 1);
	CHECK_INT(gpuclient_ctx_done(c_ctx[0], 1), ==, 0);
	CHECK_INT(gpuclient_ctx_done(c_ctx[MANY_CTXS - 1], 1), ==, 0);
	complete(c_ctx[0], 1);
	complete(c_ctx[MANY_CTXS - 1], 1);
	CHECK_INT(gpuclient_ctx_done(c_ctx[0], 1), ==, 1);
	CHECK_INT(gpuclient_ctx_done(c_ctx[MANY_CTXS - 1], 1), ==, 1);

	/* Both mappings stay while the device lives, contexts or not. */
	for (i = 0; i < MANY_CTXS; i++) {
		CHECK_INT(gpuclient_ctx_destroy(c_ctx[i]), ==, 0);
		c_ctx[i] = NULL;
	}
	CHECK_INT(fk.num_maps, ==, 2);
	gpuclient_close(c_h);
	c_h = NULL;
	CHECK_INT(fk.num_maps, ==, 0);
	CHECK_INT(fk.munmaps, ==, 2);
}

static void completion_map_error(void)
{
	gpuclient_ctx_handle ctx = SENTINEL_CTX;

	CHECK_INT(setup(), ==, 0);
	fk.completion_mmap_error = ENOMEM;
	CHECK_INT(copy_ctx(&ctx), ==, -ENOMEM);
	CHECK(ctx == SENTINEL_CTX);
	/* The kernel context it made is gone again. */
	CHECK_INT(fk.ctx_destroys, ==, 1);
	CHECK_INT(fake_count_ctxs(), ==, 0);
	CHECK_INT(fk.num_maps, ==, 0);

	/* The next creation maps the page. */
	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	CHECK_INT(fk.page_mmaps, ==, 1);
}

static void completion_bad_slot_offset(void)
{
	gpuclient_ctx_handle ctx = SENTINEL_CTX;

	CHECK_INT(setup(), ==, 0);
	/* Misaligned, then past the largest page: -EPROTO, no mapping. */
	fk.slot_offset_xor = 8;
	CHECK_INT(copy_ctx(&ctx), ==, -EPROTO);
	fk.slot_offset_xor = GPUFE_COMPLETION_MAX_SIZE;
	CHECK_INT(copy_ctx(&ctx), ==, -EPROTO);
	CHECK(ctx == SENTINEL_CTX);
	CHECK_INT(fk.num_page_maps, ==, 0);
	CHECK_INT(fk.ctx_destroys, ==, 2);
	CHECK_INT(fake_count_ctxs(), ==, 0);

	/* The last slot there can be is fine. */
	fk.slot_offset_xor = GPUFE_COMPLETION_MAX_SIZE -
			     sizeof(struct gpufe_completion_slot);
	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	CHECK_INT(fk.page_maps[0].len, ==, GPUFE_COMPLETION_MAX_SIZE);
}

/* --- gpuclient_ctx_done() ----------------------------------------------- */

static void ctx_done_basic(void)
{
	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(c_ctx[0]), ==, 1);
	CHECK_INT(submit_nop(c_ctx[0]), ==, 2);

	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_ctx_done(c_ctx[0], 1), ==, 0);
	CHECK_INT(gpuclient_ctx_done(c_ctx[0], 2), ==, 0);
	complete(c_ctx[0], 1);
	CHECK_INT(gpuclient_ctx_done(c_ctx[0], 1), ==, 1);
	CHECK_INT(gpuclient_ctx_done(c_ctx[0], 2), ==, 0);
	fake_complete(cfd(), gpuclient_ctx_get_id(c_ctx[0]), 2, -EIO);
	CHECK_INT(gpuclient_ctx_done(c_ctx[0], 1), ==, 1);
	CHECK_INT(gpuclient_ctx_done(c_ctx[0], 2), ==, 1);
	/* Not submitted yet: not done. */
	CHECK_INT(gpuclient_ctx_done(c_ctx[0], 3), ==, 0);
	/* All from the page. */
	CHECK_INT(fk.ioctl_calls, ==, 0);
}

static void ctx_done_bad_args(void)
{
	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_ctx_done(NULL, 1), ==, -EINVAL);
	CHECK_INT(gpuclient_ctx_done(c_ctx[0], 0), ==, -EINVAL);
	CHECK_INT(fk.ioctl_calls, ==, 0);
}

static void ctx_slot_reused(void)
{
	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(c_ctx[0]), ==, 1);
	CHECK_INT(submit_nop(c_ctx[0]), ==, 2);
	complete(c_ctx[0], 2);
	CHECK_INT(gpuclient_ctx_destroy(c_ctx[0]), ==, 0);
	c_ctx[0] = NULL;

	/* The same slot, cleared: the old context's jobs are not the new's. */
	CHECK_INT(copy_ctx(&c_ctx[1]), ==, 0);
	CHECK_INT(fctx(c_ctx[1])->slot_offset, ==, 0);
	CHECK_INT(gpuclient_ctx_done(c_ctx[1], 1), ==, 0);
	CHECK_INT(submit_nop(c_ctx[1]), ==, 1);
	complete(c_ctx[1], 1);
	CHECK_INT(gpuclient_ctx_done(c_ctx[1], 1), ==, 1);
	CHECK_INT(gpuclient_ctx_done(c_ctx[1], 2), ==, 0);
}

/* --- gpuclient_wait_mode() ---------------------------------------------- */

static void wait_spin_done(void)
{
	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(c_ctx[0]), ==, 1);
	complete(c_ctx[0], 1);
	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, 0, GPUCLIENT_WAIT_SPIN, 0),
		  ==, 0);
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, NSEC_PER_MSEC,
				      GPUCLIENT_WAIT_SPIN, 0), ==, 0);
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, GPUCLIENT_TIMEOUT_INFINITE,
				      GPUCLIENT_WAIT_SPIN, 0), ==, 0);
	CHECK_INT(fk.ioctl_calls, ==, 0);
}

static void wait_spin_timeout(void)
{
	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(c_ctx[0]), ==, 1);
	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, 0, GPUCLIENT_WAIT_SPIN, 0),
		  ==, -ETIME);
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, 2 * NSEC_PER_MSEC,
				      GPUCLIENT_WAIT_SPIN, 0), ==, -ETIME);
	/* Spinning is reading the page, and the clock: never an ioctl. */
	CHECK_INT(fk.ioctl_calls, ==, 0);
	CHECK_INT(fk.num_waits, ==, 0);
}

static void wait_spin_unsubmitted(void)
{
	/* Documented: spinning cannot tell "never submitted", it times out. */
	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(c_ctx[0]), ==, 1);
	complete(c_ctx[0], 1);
	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 2, NSEC_PER_MSEC,
				      GPUCLIENT_WAIT_SPIN, 0), ==, -ETIME);
	CHECK_INT(fk.ioctl_calls, ==, 0);
}

struct completer {
	int fd;
	uint32_t ctx_id;
	uint64_t seqno;
	atomic_int go;
};

static void *completer_fn(void *arg)
{
	struct completer *c = arg;
	const struct timespec ms = { .tv_nsec = NSEC_PER_MSEC };

	/*
	 * Wait for the go, then a little more so that the other thread is
	 * most likely spinning; it gets 0 either way.
	 */
	while (!atomic_load(&c->go))
		nanosleep(&ms, NULL);
	nanosleep(&ms, NULL);
	fake_complete(c->fd, c->ctx_id, c->seqno, 0);
	return NULL;
}

static void wait_spin_other_thread(void)
{
	struct completer c = { 0 };
	pthread_t tid;
	int ret;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(c_ctx[0]), ==, 1);
	CHECK_INT(submit_nop(c_ctx[0]), ==, 2);
	c.fd = cfd();
	c.ctx_id = gpuclient_ctx_get_id(c_ctx[0]);
	c.seqno = 2;
	CHECK_INT(pthread_create(&tid, NULL, completer_fn, &c), ==, 0);

	fk.ioctl_calls = 0;
	atomic_store(&c.go, 1);
	/* Bounded: a lost completion fails the test, it does not hang it. */
	ret = gpuclient_wait_mode(c_ctx[0], 2, 10 * NSEC_PER_SEC,
				  GPUCLIENT_WAIT_SPIN, 0);
	pthread_join(tid, NULL);
	CHECK_INT(ret, ==, 0);
	CHECK_INT(fk.ioctl_calls, ==, 0);
	CHECK_INT(gpuclient_ctx_done(c_ctx[0], 2), ==, 1);
}

static void wait_sleep_mode(void)
{
	const uint64_t timeout = 5 * NSEC_PER_SEC;
	int64_t before, after;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(c_ctx[0]), ==, 1);
	CHECK_INT(submit_nop(c_ctx[0]), ==, 2);

	/* gpuclient_wait(): the WAIT ioctl, with an absolute deadline. */
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, 0, GPUCLIENT_WAIT_SLEEP, 0),
		  ==, -ETIME);
	CHECK_INT(fk.num_waits, ==, 1);
	complete(c_ctx[0], 1);
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, 0, GPUCLIENT_WAIT_SLEEP, 0),
		  ==, 0);
	CHECK_INT(fk.num_waits, ==, 2);

	fk.complete_on_wait = 1;
	before = now_ns();
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 2, timeout,
				      GPUCLIENT_WAIT_SLEEP, 12345), ==, 0);
	after = now_ns();
	CHECK_INT(fk.num_waits, ==, 3);
	CHECK_INT(fk.wait_deadlines[2], >=, before + (int64_t)timeout);
	CHECK_INT(fk.wait_deadlines[2], <=, after + (int64_t)timeout);

	/* Not submitted: the kernel says so. */
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 3, 0, GPUCLIENT_WAIT_SLEEP, 0),
		  ==, -EINVAL);
	fk.einval = 0;
}

static void wait_hybrid_done(void)
{
	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(c_ctx[0]), ==, 1);
	complete(c_ctx[0], 1);
	fk.ioctl_calls = 0;
	/* Found done while spinning: no sleep, no ioctl. */
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, NSEC_PER_SEC,
				      GPUCLIENT_WAIT_HYBRID, NSEC_PER_MSEC),
		  ==, 0);
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, 0, GPUCLIENT_WAIT_HYBRID, 0),
		  ==, 0);
	CHECK_INT(fk.ioctl_calls, ==, 0);
}

static void wait_hybrid_timeout(void)
{
	const uint64_t timeout = 3 * NSEC_PER_MSEC;
	int64_t before, after;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(c_ctx[0]), ==, 1);

	/* Spins 1 ms, then sleeps until the deadline of the whole call. */
	before = now_ns();
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, timeout,
				      GPUCLIENT_WAIT_HYBRID, NSEC_PER_MSEC),
		  ==, -ETIME);
	after = now_ns();
	CHECK_INT(fk.num_waits, ==, 1);
	CHECK_INT(fk.wait_deadlines[0], >=, before + (int64_t)timeout);
	CHECK_INT(fk.wait_deadlines[0], <=, after + (int64_t)timeout);

	/* A spin longer than the timeout ends at the deadline: the kernel checks. */
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, 2 * NSEC_PER_MSEC,
				      GPUCLIENT_WAIT_HYBRID, UINT64_MAX),
		  ==, -ETIME);
	CHECK_INT(fk.num_waits, ==, 2);
	CHECK_INT(fk.wait_deadlines[1], <=, now_ns());

	/* No spin at all: straight to sleep. */
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, 2 * NSEC_PER_MSEC,
				      GPUCLIENT_WAIT_HYBRID, 0), ==, -ETIME);
	CHECK_INT(fk.num_waits, ==, 3);
}

static void wait_hybrid_sleeps(void)
{
	const uint64_t timeout = 10 * NSEC_PER_SEC;
	int64_t before, after;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(c_ctx[0]), ==, 1);
	fk.complete_on_wait = 1;
	before = now_ns();
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, timeout,
				      GPUCLIENT_WAIT_HYBRID, NSEC_PER_MSEC),
		  ==, 0);
	after = now_ns();
	/* One WAIT, for the deadline computed on entry. */
	CHECK_INT(fk.num_waits, ==, 1);
	CHECK_INT(fk.wait_deadlines[0], >=, before + (int64_t)timeout);
	CHECK_INT(fk.wait_deadlines[0], <=, after + (int64_t)timeout);
	CHECK_INT(gpuclient_ctx_done(c_ctx[0], 1), ==, 1);
}

static void wait_mode_bad_args(void)
{
	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(c_ctx[0]), ==, 1);
	complete(c_ctx[0], 1);
	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_wait_mode(NULL, 1, 0, GPUCLIENT_WAIT_SLEEP, 0), ==,
		  -EINVAL);
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 0, 0, GPUCLIENT_WAIT_SPIN, 0),
		  ==, -EINVAL);
	/* Even for a job that is done. */
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, 0, 3, 0), ==, -EINVAL);
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, 0, UINT32_MAX, 0), ==,
		  -EINVAL);
	CHECK_INT(fk.ioctl_calls, ==, 0);
}

/* --- a 1.1 kernel --------------------------------------------------------- */

static void fallback_ctx_create(void)
{
	struct gpuclient_version v;

	CHECK_INT(setup_1_1(), ==, 0);
	CHECK_INT(gpuclient_get_version(c_h, &v), ==, 0);
	CHECK_INT(v.minor, ==, 1);
	CHECK(!(v.features & GPUCLIENT_FEATURE_COMPLETION_PAGE));
	/* The 32-byte structure is taken (its tail is zero); no slot. */
	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	CHECK_INT(copy_ctx(&c_ctx[1]), ==, 0);
	CHECK(c_ctx[0]->slot == NULL);
	CHECK(c_ctx[1]->slot == NULL);
	CHECK(fctx(c_ctx[0])->slot == NULL);
	CHECK_INT(fk.num_page_maps, ==, 0);
}

static void fallback_ctx_done(void)
{
	CHECK_INT(setup_1_1(), ==, 0);
	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(c_ctx[0]), ==, 1);

	/* One CTX_STATUS per question. */
	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_ctx_done(c_ctx[0], 1), ==, 0);
	CHECK_INT(fk.ioctl_calls, ==, 1);
	complete(c_ctx[0], 1);
	CHECK_INT(gpuclient_ctx_done(c_ctx[0], 1), ==, 1);
	CHECK_INT(gpuclient_ctx_done(c_ctx[0], 2), ==, 0);
	CHECK_INT(fk.ioctl_calls, ==, 3);
	CHECK_INT(gpuclient_ctx_done(c_ctx[0], 0), ==, -EINVAL);
	CHECK_INT(fk.ioctl_calls, ==, 3);

	/* The kernel's errors come through. */
	CHECK_INT(raw_ctx_destroy(cfd(), gpuclient_ctx_get_id(c_ctx[0])), ==, 0);
	CHECK_INT(gpuclient_ctx_done(c_ctx[0], 1), ==, -ENOENT);
	CHECK_INT(gpuclient_ctx_destroy(c_ctx[0]), ==, -ENOENT);
	c_ctx[0] = NULL;
}

static void fallback_wait_mode(void)
{
	static const uint32_t modes[] = {
		GPUCLIENT_WAIT_SLEEP, GPUCLIENT_WAIT_SPIN, GPUCLIENT_WAIT_HYBRID,
	};
	unsigned int i;

	CHECK_INT(setup_1_1(), ==, 0);
	CHECK_INT(copy_ctx(&c_ctx[0]), ==, 0);
	CHECK_INT(submit_nop(c_ctx[0]), ==, 1);

	/* Every mode sleeps: one WAIT each, nothing spun. */
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, 2 * NSEC_PER_MSEC,
					      modes[i], NSEC_PER_MSEC), ==,
			  -ETIME);
		CHECK_INT(fk.num_waits, ==, i + 1);
	}
	complete(c_ctx[0], 1);
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, 0, modes[i],
					      NSEC_PER_MSEC), ==, 0);
		CHECK_INT(fk.num_waits, ==, ARRAY_SIZE(modes) + i + 1);
	}
	/* Not submitted: the kernel's -EINVAL, in every mode. */
	for (i = 0; i < ARRAY_SIZE(modes); i++)
		CHECK_INT(gpuclient_wait_mode(c_ctx[0], 2, 0, modes[i], 0), ==,
			  -EINVAL);
	fk.einval = 0;
	/* An unknown mode is still refused before any ioctl. */
	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_wait_mode(c_ctx[0], 1, 0, 3, 0), ==, -EINVAL);
	CHECK_INT(fk.ioctl_calls, ==, 0);
}

const struct test completion_tests[] = {
	TEST(completion_map_lazy, "the page is mapped read-only, shared, at offset 0, at the first context"),
	TEST(completion_map_grows, "contexts past the first page: a larger mapping, the old one kept"),
	TEST(completion_map_error, "a failed mapping fails the creation with its errno, context destroyed"),
	TEST(completion_bad_slot_offset, "a slot offset the uAPI does not allow: -EPROTO"),
	TEST(ctx_done_basic, "done before and after completion, without an ioctl"),
	TEST(ctx_done_bad_args, "NULL context or seqno 0: -EINVAL, no ioctl"),
	TEST(ctx_slot_reused, "a reused slot starts over for its new context"),
	TEST(wait_spin_done, "spinning on a done job returns 0, no ioctl"),
	TEST(wait_spin_timeout, "spinning times out with -ETIME, no ioctl"),
	TEST(wait_spin_unsubmitted, "spinning on a job never submitted times out"),
	TEST(wait_spin_other_thread, "a spinning wait sees another thread's completion"),
	TEST(wait_sleep_mode, "SLEEP is gpuclient_wait(): one WAIT, absolute deadline"),
	TEST(wait_hybrid_done, "HYBRID on a done job returns while spinning, no ioctl"),
	TEST(wait_hybrid_timeout, "HYBRID spins, then sleeps to the same deadline: -ETIME"),
	TEST(wait_hybrid_sleeps, "HYBRID completes in its sleep, one WAIT"),
	TEST(wait_mode_bad_args, "NULL context, seqno 0, unknown mode: -EINVAL, no ioctl"),
	TEST(fallback_ctx_create, "1.1 kernel: contexts without a slot, no mapping"),
	TEST(fallback_ctx_done, "1.1 kernel: done asks CTX_STATUS"),
	TEST(fallback_wait_mode, "1.1 kernel: every wait mode sleeps"),
};

const unsigned int num_completion_tests = ARRAY_SIZE(completion_tests);
