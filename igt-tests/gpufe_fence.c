// SPDX-License-Identifier: GPL-2.0
/*
 * gpufe_fence: sync_file out- and in-fences, implicit synchronisation
 * through shared buffers, WAIT timeouts and signals, completion events
 * read() and poll()ed from the file, and the reference a sync_file holds
 * on gpufe.ko.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gpufe_test.h"

#define MAX_DEVS	16
#define FILL_VALUE	0x600df00du

/*
 * The longest job there is. The few subtests that need a job to be still
 * running when they look use it: a second is far longer than the couple of
 * system calls they make meanwhile.
 */
#define LONG_US		SWGPU_MAX_DELAY_US

FIXTURE(fence) {
	int fd;
	int num_devs;
	__u32 devs[MAX_DEVS];
	__u32 ctx_a;		/* compute0 of devs[0] */
	__u32 ctx_b;		/* another engine of devs[0] if it has one */
	bool b_own_engine;	/* ctx_b is on another engine than ctx_a */
	struct gpufe_buffer x, y, t;
};

FIXTURE_SETUP(fence)
{
	const char *missing = NULL;
	__u16 cls_b = GPUFE_ENGINE_CLASS_COMPUTE, inst_b = 0;
	int ret;

	self->fd = -1;
	ret = gpufe_fixture_open(&self->fd, self->devs, MAX_DEVS,
				 &self->num_devs, &missing);
	if (ret > 0)
		SKIP(return, "%s", missing);
	ASSERT_EQ(0, ret);
	if (gpufe_engine_count(self->fd, self->devs[0], GPUFE_ENGINE_CLASS_COPY) > 0)
		cls_b = GPUFE_ENGINE_CLASS_COPY;
	else if (gpufe_engine_count(self->fd, self->devs[0],
				    GPUFE_ENGINE_CLASS_COMPUTE) > 1)
		inst_b = 1;
	self->b_own_engine = cls_b != GPUFE_ENGINE_CLASS_COMPUTE || inst_b;
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &self->ctx_a));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0], cls_b, inst_b,
				      &self->ctx_b));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 1 << 16, &self->x));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 1 << 16, &self->y));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4096, &self->t));
}

FIXTURE_TEARDOWN(fence)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Queue a job with fences: flags, an in-fence, the out-fence returned. */
static int submit_fenced(int fd, __u32 ctx, const struct gpufe_cmds *c,
			 const struct gpufe_submit_bo *bos, __u32 num_bos,
			 __u32 flags, int in_fence, int *out_fence,
			 __u64 *seqno)
{
	struct gpufe_submit s = {
		.ctx_id = ctx,
		.flags = flags,
		.cmds = (uintptr_t)c->buf,
		.cmds_size = c->size,
		.bos = (uintptr_t)bos,
		.num_bos = num_bos,
		.in_fence_fd = (flags & GPUFE_SUBMIT_IN_FENCE) ? in_fence : 0,
		.out_fence_fd = -1,
	};
	int ret = gpufe_ioctl(fd, GPUFE_IOCTL_SUBMIT, &s);

	if (ret)
		return ret;
	if (out_fence)
		*out_fence = s.out_fence_fd;
	if (seqno)
		*seqno = s.seqno;
	return 0;
}

/* --- out-fences ----------------------------------------------------------- */

TEST_F(fence, basic_out_fence)
{
	struct gpufe_submit_bo bo = { self->x.handle, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_cmds c = { 0 };
	struct gpufe_ctx_status st;
	int fence = -1, err;
	__u64 seqno, ts = 0;
	__s64 t0, t1;

	describe("OUT_FENCE returns a sync_file that turns readable, signalled without error, when the job is done");
	gpufe_emit_delay(&c, 20000);
	gpufe_emit_fill(&c, 0, 0, self->x.size, FILL_VALUE);
	t0 = gpufe_now_ns();
	ASSERT_EQ(0, submit_fenced(self->fd, self->ctx_a, &c, &bo, 1,
				   GPUFE_SUBMIT_OUT_FENCE, 0, &fence, &seqno));
	ASSERT_LE(0, fence);
	ASSERT_EQ(POLLIN, gpufe_poll_fd(fence, POLLIN, GPUFE_TIMEOUT_MS));
	t1 = gpufe_now_ns();

	EXPECT_EQ(1, gpufe_fence_status(fence, &ts, &err));
	EXPECT_EQ(0, err);
	EXPECT_LE((__u64)t0, ts);
	EXPECT_LE(ts, (__u64)t1);
	/* Signalled means done: no WAIT needed to see the job's effects. */
	EXPECT_EQ(-1, gpufe_find_not(self->x.map, self->x.size / 4, FILL_VALUE));
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx_a, &st));
	EXPECT_EQ(seqno, st.completed);
	EXPECT_EQ(0, st.error);
	close(fence);
}

TEST_F(fence, out_fence_pending)
{
	struct gpufe_cmds c = { 0 };
	int fence = -1, err;

	describe("The out-fence of a running job is not readable and reports pending; it signals when the job ends");
	gpufe_emit_delay(&c, LONG_US);
	ASSERT_EQ(0, submit_fenced(self->fd, self->ctx_a, &c, NULL, 0,
				   GPUFE_SUBMIT_OUT_FENCE, 0, &fence, NULL));
	ASSERT_LE(0, fence);
	EXPECT_EQ(0, gpufe_poll_fd(fence, POLLIN, 0));
	EXPECT_EQ(0, gpufe_fence_status(fence, NULL, &err));
	EXPECT_EQ(0, err);
	ASSERT_EQ(POLLIN, gpufe_poll_fd(fence, POLLIN, GPUFE_TIMEOUT_MS));
	EXPECT_EQ(1, gpufe_fence_status(fence, NULL, &err));
	close(fence);
}

TEST_F(fence, out_fence_each_job)
{
	int fences[8], i, err;
	struct gpufe_cmds c = { 0 };

	describe("Every job gets its own out-fence, and they signal in the context's order");
	gpufe_emit_delay(&c, 2000);
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, submit_fenced(self->fd, self->ctx_a, &c, NULL, 0,
					   GPUFE_SUBMIT_OUT_FENCE, 0, &fences[i], NULL));
		ASSERT_LE(0, fences[i]);
	}
	ASSERT_EQ(POLLIN, gpufe_poll_fd(fences[7], POLLIN, GPUFE_TIMEOUT_MS));
	/* The last one signalled, so every earlier one has. */
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(POLLIN, gpufe_poll_fd(fences[i], POLLIN, 0));
		EXPECT_EQ(1, gpufe_fence_status(fences[i], NULL, &err));
		close(fences[i]);
	}
}

TEST_F(fence, bad_out_fence_emfile)
{
	struct gpufe_ctx_status before, after;
	struct gpufe_cmds c = { 0 };
	struct rlimit old;
	int fence = -1;

	describe("OUT_FENCE with no free file descriptor fails with EMFILE and queues nothing");
	gpufe_emit_nop(&c);
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx_a, &before));
	ASSERT_EQ(0, gpufe_exhaust_fds(&old));
	EXPECT_EQ(-EMFILE, submit_fenced(self->fd, self->ctx_a, &c, NULL, 0,
					 GPUFE_SUBMIT_OUT_FENCE, 0, &fence, NULL));
	gpufe_restore_fds(&old);
	EXPECT_EQ(-1, fence);
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx_a, &after));
	EXPECT_EQ(before.submitted, after.submitted);
}

/* --- in-fences and implicit synchronisation ------------------------------- */

TEST_F(fence, in_fence_order)
{
	struct gpufe_submit_bo bx = { self->x.handle, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_submit_bo bt = { self->t.handle, GPUFE_SUBMIT_BO_WRITE };
	const __u64 *ta = self->x.map, *tb = self->t.map;
	struct gpufe_cmds a = { 0 }, b = { 0 };
	struct gpufe_ctx_status st;
	__u64 seq_b;
	int fence = -1;

	describe("A job with another context's out-fence as IN_FENCE, sharing no buffer with it, runs after it");
	gpufe_emit_delay(&a, 20000);
	gpufe_emit_timestamp(&a, 0, 0);
	gpufe_emit_timestamp(&b, 0, 0);
	ASSERT_EQ(0, submit_fenced(self->fd, self->ctx_a, &a, &bx, 1,
				   GPUFE_SUBMIT_OUT_FENCE, 0, &fence, NULL));
	ASSERT_EQ(0, submit_fenced(self->fd, self->ctx_b, &b, &bt, 1,
				   GPUFE_SUBMIT_IN_FENCE, fence, NULL, &seq_b));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx_b, seq_b));
	/* B ran after A's fence signalled: A is complete and ran first. */
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx_a, &st));
	EXPECT_EQ(1, st.completed);
	EXPECT_NE(0, ta[0]);
	EXPECT_LE(ta[0], tb[0]);
	close(fence);
}

TEST_F(fence, in_fence_copy)
{
	struct gpufe_submit_bo bx = { self->x.handle, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_submit_bo bxy[] = {
		{ self->x.handle, GPUFE_SUBMIT_BO_READ },
		{ self->y.handle, GPUFE_SUBMIT_BO_WRITE },
	};
	struct gpufe_cmds a = { 0 }, b = { 0 };
	__u64 seq_b;
	int fence = -1;

	describe("A copy of X to Y fenced on a slow fill of X on another context copies the filled data");
	gpufe_emit_delay(&a, 20000);
	gpufe_emit_fill(&a, 0, 0, self->x.size, FILL_VALUE);
	gpufe_emit_copy(&b, 0, 0, 1, 0, self->x.size);
	ASSERT_EQ(0, submit_fenced(self->fd, self->ctx_a, &a, &bx, 1,
				   GPUFE_SUBMIT_OUT_FENCE, 0, &fence, NULL));
	ASSERT_EQ(0, submit_fenced(self->fd, self->ctx_b, &b, bxy, 2,
				   GPUFE_SUBMIT_IN_FENCE, fence, NULL, &seq_b));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx_b, seq_b));
	EXPECT_EQ(-1, gpufe_find_not(self->y.map, self->y.size / 4, FILL_VALUE));
	close(fence);
}

TEST_F(fence, in_fence_across_gpus)
{
	struct gpufe_submit_bo bx = { self->x.handle, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_submit_bo bt = { self->t.handle, GPUFE_SUBMIT_BO_WRITE };
	const __u64 *ta = self->x.map, *tb = self->t.map;
	struct gpufe_cmds a = { 0 }, b = { 0 };
	__u64 seq_b;
	__u32 ctx;
	int fence = -1;

	describe("An out-fence of one GPU orders a job on another GPU");
	if (self->num_devs < 2)
		SKIP(return, "needs two swgpu devices");
	gpufe_emit_delay(&a, 20000);
	gpufe_emit_timestamp(&a, 0, 0);
	gpufe_emit_timestamp(&b, 0, 0);
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[1],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx));
	ASSERT_EQ(0, submit_fenced(self->fd, self->ctx_a, &a, &bx, 1,
				   GPUFE_SUBMIT_OUT_FENCE, 0, &fence, NULL));
	ASSERT_EQ(0, submit_fenced(self->fd, ctx, &b, &bt, 1,
				   GPUFE_SUBMIT_IN_FENCE, fence, NULL, &seq_b));
	ASSERT_EQ(0, gpufe_sync(self->fd, ctx, seq_b));
	EXPECT_NE(0, ta[0]);
	EXPECT_LE(ta[0], tb[0]);
	close(fence);
}

TEST_F(fence, in_fence_signalled)
{
	struct gpufe_cmds c = { 0 };
	struct gpufe_ctx_status st;
	int fence = -1;
	__u64 seqno;

	describe("An in-fence that has already signalled does not hold the job, and the caller keeps its fd");
	gpufe_emit_nop(&c);
	ASSERT_EQ(0, submit_fenced(self->fd, self->ctx_a, &c, NULL, 0,
				   GPUFE_SUBMIT_OUT_FENCE, 0, &fence, &seqno));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx_a, seqno));
	ASSERT_EQ(0, submit_fenced(self->fd, self->ctx_b, &c, NULL, 0,
				   GPUFE_SUBMIT_IN_FENCE, fence, NULL, &seqno));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx_b, seqno));
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx_b, &st));
	EXPECT_EQ(0, st.error);
	/* The in-fence fd is still the caller's. */
	EXPECT_EQ(POLLIN, gpufe_poll_fd(fence, POLLIN, 0));
	EXPECT_EQ(0, close(fence));
}

TEST_F(fence, implicit_read_after_write)
{
	struct gpufe_submit_bo bx = { self->x.handle, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_submit_bo bxy[] = {
		{ self->x.handle, GPUFE_SUBMIT_BO_READ },
		{ self->y.handle, GPUFE_SUBMIT_BO_WRITE },
	};
	struct gpufe_cmds a = { 0 }, b = { 0 };
	__u64 seq_a, seq_b;

	describe("Without fences, a job reading X waits for another context's pending write of X");
	gpufe_emit_delay(&a, 20000);
	gpufe_emit_fill(&a, 0, 0, self->x.size, FILL_VALUE);
	gpufe_emit_copy(&b, 0, 0, 1, 0, self->x.size);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx_a, &a, &bx, 1, &seq_a));
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx_b, &b, bxy, 2, &seq_b));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx_b, seq_b));
	EXPECT_EQ(-1, gpufe_find_not(self->y.map, self->y.size / 4, FILL_VALUE));
	EXPECT_EQ(0, gpufe_sync(self->fd, self->ctx_a, seq_a));
}

TEST_F(fence, implicit_write_after_read)
{
	struct gpufe_submit_bo bxy[] = {
		{ self->x.handle, GPUFE_SUBMIT_BO_READ },
		{ self->y.handle, GPUFE_SUBMIT_BO_WRITE },
	};
	struct gpufe_submit_bo bx = { self->x.handle, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_cmds a = { 0 }, b = { 0 };
	__u64 seq_a, seq_b;

	describe("Without fences, a job writing X waits for another context's pending read of X");
	memset(self->x.map, 0x42, self->x.size);
	gpufe_emit_delay(&a, 20000);
	gpufe_emit_copy(&a, 0, 0, 1, 0, self->x.size);
	gpufe_emit_fill(&b, 0, 0, self->x.size, FILL_VALUE);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx_a, &a, bxy, 2, &seq_a));
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx_b, &b, &bx, 1, &seq_b));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx_b, seq_b));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx_a, seq_a));
	/* A read X before B overwrote it. */
	EXPECT_EQ(-1, gpufe_find_not(self->y.map, self->y.size / 4, 0x42424242));
	EXPECT_EQ(-1, gpufe_find_not(self->x.map, self->x.size / 4, FILL_VALUE));
}

TEST_F(fence, implicit_write_after_write)
{
	struct gpufe_submit_bo bx = { self->x.handle, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_cmds a = { 0 }, b = { 0 };
	__u64 seq_a, seq_b;

	describe("Without fences, two contexts' writes of X land in submission order");
	gpufe_emit_delay(&a, 20000);
	gpufe_emit_fill(&a, 0, 0, self->x.size, 0x11111111);
	gpufe_emit_fill(&b, 0, 0, self->x.size, 0x22222222);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx_a, &a, &bx, 1, &seq_a));
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx_b, &b, &bx, 1, &seq_b));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx_b, seq_b));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx_a, seq_a));
	EXPECT_EQ(-1, gpufe_find_not(self->x.map, self->x.size / 4, 0x22222222));
}

TEST_F(fence, implicit_read_read)
{
	struct gpufe_submit_bo bxy[] = {
		{ self->x.handle, GPUFE_SUBMIT_BO_READ },
		{ self->y.handle, GPUFE_SUBMIT_BO_WRITE },
	};
	struct gpufe_submit_bo bxt[] = {
		{ self->x.handle, GPUFE_SUBMIT_BO_READ },
		{ self->t.handle, GPUFE_SUBMIT_BO_WRITE },
	};
	struct gpufe_cmds a = { 0 }, b = { 0 };
	__u64 seq_a, seq_b;

	describe("Two readers of X do not wait for each other: the second completes while the first still runs");
	if (!self->b_own_engine)
		SKIP(return, "swgpu0 has a single compute engine and no copy engine");
	gpufe_emit_delay(&a, LONG_US);
	gpufe_emit_copy(&a, 0, 0, 1, 0, 64);
	gpufe_emit_copy(&b, 0, 0, 1, 0, 64);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx_a, &a, bxy, 2, &seq_a));
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx_b, &b, bxt, 2, &seq_b));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx_b, seq_b));
	EXPECT_EQ(-ETIME, gpufe_wait_until(self->fd, self->ctx_a, seq_a, 0));
	EXPECT_EQ(0, gpufe_sync(self->fd, self->ctx_a, seq_a));
}

/* in_fence must not be a sync_file; a NOP with it must be refused. */
static void expect_in_fence_refused(struct __test_metadata *_metadata,
				    FIXTURE_DATA(fence) *self, int in_fence,
				    const char *what)
{
	struct gpufe_ctx_status before, after;
	struct gpufe_cmds c = { 0 };
	__u64 seqno = 0;

	gpufe_emit_nop(&c);
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx_a, &before));
	EXPECT_EQ(-EINVAL, submit_fenced(self->fd, self->ctx_a, &c, NULL, 0,
					 GPUFE_SUBMIT_IN_FENCE, in_fence, NULL, &seqno)) {
		TH_LOG("in-fence: %s", what);
	}
	EXPECT_EQ(0, seqno);
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx_a, &after));
	EXPECT_EQ(before.submitted, after.submitted);
}

TEST_F(fence, bad_in_fence_not_sync_file)
{
	struct gpufe_bo_export e = {
		.handle = self->x.handle,
		.flags = GPUFE_BO_EXPORT_CLOEXEC,
	};
	int efd;

	describe("IN_FENCE with an open fd that is not a sync_file (eventfd, dma-buf, /dev/gpufe) fails with EINVAL");
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	expect_in_fence_refused(_metadata, self, efd, "an eventfd");
	close(efd);
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_EXPORT, &e));
	expect_in_fence_refused(_metadata, self, e.fd, "a dma-buf");
	close(e.fd);
	expect_in_fence_refused(_metadata, self, self->fd, "/dev/gpufe");
}

TEST_F(fence, bad_in_fence_closed)
{
	int fd;

	describe("IN_FENCE with a closed or negative fd fails with EINVAL");
	fd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, fd);
	close(fd);
	expect_in_fence_refused(_metadata, self, fd, "a closed fd");
	expect_in_fence_refused(_metadata, self, -1, "-1");
	expect_in_fence_refused(_metadata, self, INT_MAX, "INT_MAX");
}

/* --- WAIT ----------------------------------------------------------------- */

TEST_F(fence, wait_timeout)
{
	struct gpufe_ctx_status st;
	struct gpufe_cmds c = { 0 };
	__s64 deadline;
	__u64 seqno;

	describe("WAIT on a running job fails with ETIME no earlier than its deadline; the job then completes");
	gpufe_emit_delay(&c, LONG_US);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx_a, &c, NULL, 0, &seqno));
	deadline = gpufe_now_ns() + 50 * 1000000LL;
	EXPECT_EQ(-ETIME, gpufe_wait_until(self->fd, self->ctx_a, seqno, deadline));
	EXPECT_LE(deadline, gpufe_now_ns());
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx_a, &st));
	EXPECT_EQ(0, st.completed);
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx_a, seqno));
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx_a, &st));
	EXPECT_EQ(seqno, st.completed);
}

static volatile sig_atomic_t signals_caught;

static void on_signal(int sig)
{
	signals_caught++;
}

/*
 * Fork a child that sends SIGUSR1 to this process once it sleeps (in the
 * WAIT the caller makes next), within GPUFE_TIMEOUT_NS.
 */
static pid_t signal_when_asleep(void)
{
	pid_t parent = getpid();
	pid_t child = fork();

	if (child)
		return child;
	{
		__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;

		while (!gpufe_pid_sleeping(parent)) {
			if (gpufe_now_ns() > end)
				_exit(1);
			sched_yield();
		}
		kill(parent, SIGUSR1);
		_exit(0);
	}
}

static void wait_signalled(struct __test_metadata *_metadata,
			   FIXTURE_DATA(fence) *self, bool restart)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct gpufe_cmds c = { 0 };
	struct gpufe_wait w = { .ctx_id = self->ctx_a };
	int ret, err, status;
	pid_t child;

	if (restart)
		sa.sa_flags = SA_RESTART;
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	gpufe_emit_delay(&c, LONG_US);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx_a, &c, NULL, 0, &w.seqno));
	w.timeout_ns = gpufe_now_ns() + GPUFE_TIMEOUT_NS;

	child = signal_when_asleep();
	ASSERT_LE(0, child);
	ret = ioctl(self->fd, GPUFE_IOCTL_WAIT, &w);	/* not retried on EINTR */
	err = errno;
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("this process never slept in WAIT");
	}
	EXPECT_EQ(1, signals_caught);
	if (restart) {
		EXPECT_EQ(0, ret) {
			TH_LOG("errno %d", err);
		}
	} else {
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EINTR, err);
		/* Asked again with the same absolute deadline, it completes. */
		EXPECT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_WAIT, &w));
	}
}

TEST_F(fence, wait_interrupted)
{
	describe("A signal without SA_RESTART interrupts a WAIT with EINTR; asked again, the WAIT completes");
	wait_signalled(_metadata, self, false);
}

TEST_F(fence, wait_restarted)
{
	describe("A signal with SA_RESTART during a WAIT restarts it transparently, to the same deadline");
	wait_signalled(_metadata, self, true);
}

/* --- completion events ---------------------------------------------------- */

/* read() returning bytes or -errno. */
static ssize_t read_events(int fd, void *buf, size_t size)
{
	ssize_t n = read(fd, buf, size);

	return n < 0 ? -errno : n;
}

/* Run n NOPs on ctx, wait for the last, and wait for the file to poll readable. */
static int nops_and_event(int fd, __u32 ctx, int n)
{
	struct gpufe_cmds c = { 0 };
	__u64 seqno = 0;
	int i, ret;

	gpufe_emit_nop(&c);
	for (i = 0; i < n; i++) {
		ret = gpufe_submit_cmds(fd, ctx, &c, NULL, 0, &seqno);
		if (ret)
			return ret;
	}
	ret = gpufe_sync(fd, ctx, seqno);
	if (ret)
		return ret;
	ret = gpufe_poll_fd(fd, POLLIN, GPUFE_TIMEOUT_MS);
	if (ret < 0)
		return ret;
	return ret & POLLIN ? 0 : -ETIME;
}

TEST_F(fence, basic_events)
{
	struct gpufe_event ev[4];

	describe("poll() turns readable after a job completes; read() returns one event with its context and seqno");
	ASSERT_EQ(0, gpufe_set_nonblock(self->fd));
	EXPECT_EQ(0, gpufe_poll_fd(self->fd, POLLIN, 0));
	EXPECT_EQ(-EAGAIN, read_events(self->fd, ev, sizeof(ev)));

	ASSERT_EQ(0, nops_and_event(self->fd, self->ctx_a, 1));
	memset(ev, 0xa5, sizeof(ev));
	ASSERT_EQ(sizeof(ev[0]), read_events(self->fd, ev, sizeof(ev)));
	EXPECT_EQ(GPUFE_EVENT_COMPLETION, ev[0].type);
	EXPECT_EQ(self->ctx_a, ev[0].ctx_id);
	EXPECT_EQ(1, ev[0].seqno);
	EXPECT_EQ(0, ev[0].error);
	EXPECT_EQ(sizeof(ev[0]), ev[0].length);

	/* Read, the event is gone. */
	EXPECT_EQ(0, gpufe_poll_fd(self->fd, POLLIN, 0));
	EXPECT_EQ(-EAGAIN, read_events(self->fd, ev, sizeof(ev)));

	ASSERT_EQ(0, nops_and_event(self->fd, self->ctx_a, 1));
	ASSERT_EQ(sizeof(ev[0]), read_events(self->fd, ev, sizeof(ev)));
	EXPECT_EQ(2, ev[0].seqno);
}

TEST_F(fence, events_coalesce)
{
	struct gpufe_event ev[8];

	describe("Several jobs completed before a read give one event carrying the last seqno, not a backlog");
	ASSERT_EQ(0, gpufe_set_nonblock(self->fd));
	ASSERT_EQ(0, nops_and_event(self->fd, self->ctx_a, 5));
	ASSERT_EQ(sizeof(ev[0]), read_events(self->fd, ev, sizeof(ev)));
	EXPECT_EQ(self->ctx_a, ev[0].ctx_id);
	EXPECT_EQ(5, ev[0].seqno);
	EXPECT_EQ(-EAGAIN, read_events(self->fd, ev, sizeof(ev)));
}

TEST_F(fence, events_per_context)
{
	struct gpufe_event ev[8];
	int i;

	describe("Each context with completions has its own event; read() returns only whole events that fit");
	ASSERT_EQ(0, gpufe_set_nonblock(self->fd));
	ASSERT_EQ(0, nops_and_event(self->fd, self->ctx_a, 2));
	ASSERT_EQ(0, nops_and_event(self->fd, self->ctx_b, 3));
	ASSERT_EQ(2 * sizeof(ev[0]), read_events(self->fd, ev, sizeof(ev)));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(GPUFE_EVENT_COMPLETION, ev[i].type);
		if (ev[i].ctx_id == self->ctx_a) {
			EXPECT_EQ(2, ev[i].seqno);
		} else {
			EXPECT_EQ(self->ctx_b, ev[i].ctx_id);
			EXPECT_EQ(3, ev[i].seqno);
		}
	}
	EXPECT_NE(ev[0].ctx_id, ev[1].ctx_id);

	/* Room for one and a half: one comes now, the other on the next read. */
	ASSERT_EQ(0, nops_and_event(self->fd, self->ctx_a, 1));
	ASSERT_EQ(0, nops_and_event(self->fd, self->ctx_b, 1));
	ASSERT_EQ(sizeof(ev[0]), read_events(self->fd, ev, sizeof(ev[0]) * 3 / 2));
	ASSERT_EQ(sizeof(ev[0]), read_events(self->fd, &ev[1], sizeof(ev[0])));
	EXPECT_NE(ev[0].ctx_id, ev[1].ctx_id);
	EXPECT_EQ(-EAGAIN, read_events(self->fd, ev, sizeof(ev)));
}

TEST_F(fence, events_per_client)
{
	struct gpufe_event ev;
	__u32 ctx2;
	int fd2;

	describe("A client never sees another client's completion events");
	fd2 = gpufe_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, gpufe_set_nonblock(fd2));
	ASSERT_EQ(0, gpufe_create_ctx(fd2, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx2));
	ASSERT_EQ(0, nops_and_event(self->fd, self->ctx_a, 1));
	EXPECT_EQ(0, gpufe_poll_fd(fd2, POLLIN, 0));
	EXPECT_EQ(-EAGAIN, read_events(fd2, &ev, sizeof(ev)));

	ASSERT_EQ(0, nops_and_event(fd2, ctx2, 1));
	ASSERT_EQ(sizeof(ev), read_events(fd2, &ev, sizeof(ev)));
	EXPECT_EQ(ctx2, ev.ctx_id);
	EXPECT_EQ(1, ev.seqno);
	EXPECT_EQ(-EAGAIN, read_events(fd2, &ev, sizeof(ev)));
	close(fd2);

	/* This client's own event is still there, exactly once. */
	ASSERT_EQ(0, gpufe_set_nonblock(self->fd));
	ASSERT_EQ(sizeof(ev), read_events(self->fd, &ev, sizeof(ev)));
	EXPECT_EQ(self->ctx_a, ev.ctx_id);
	EXPECT_EQ(-EAGAIN, read_events(self->fd, &ev, sizeof(ev)));
}

TEST_F(fence, events_blocking_read)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct gpufe_cmds c = { 0 };
	struct gpufe_event ev;
	ssize_t n;

	describe("A blocking read() with no event waits for the next completion");
	/* A read that never returns is cut short by SIGALRM, as EINTR. */
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	gpufe_emit_delay(&c, 20000);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx_a, &c, NULL, 0, NULL));
	alarm(GPUFE_TIMEOUT_MS / 1000);
	n = read_events(self->fd, &ev, sizeof(ev));
	alarm(0);
	ASSERT_EQ(sizeof(ev), n);
	EXPECT_EQ(self->ctx_a, ev.ctx_id);
	EXPECT_EQ(1, ev.seqno);
}

TEST_F(fence, bad_event_read_size)
{
	struct gpufe_event ev[2];
	const size_t sizes[] = { 0, 1, sizeof(ev[0]) - 1 };
	unsigned int i;

	describe("read() into a buffer smaller than one event fails with EINVAL and leaves the event pending");
	ASSERT_EQ(0, gpufe_set_nonblock(self->fd));
	ASSERT_EQ(0, nops_and_event(self->fd, self->ctx_a, 1));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		EXPECT_EQ(-EINVAL, read_events(self->fd, ev, sizes[i])) {
			TH_LOG("read of %zu bytes", sizes[i]);
		}
	}
	EXPECT_EQ(POLLIN, gpufe_poll_fd(self->fd, POLLIN, 0));
	ASSERT_EQ(sizeof(ev[0]), read_events(self->fd, ev, sizeof(ev)));
	EXPECT_EQ(1, ev[0].seqno);
}

TEST_F(fence, close_while_busy)
{
	struct gpufe_cmds c = { 0 };
	int fd2, fence = -1, err;
	__u32 ctx2;

	describe("Closing the file with a job running still signals the job's out-fence");
	fd2 = gpufe_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, gpufe_create_ctx(fd2, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx2));
	gpufe_emit_delay(&c, 20000);
	ASSERT_EQ(0, submit_fenced(fd2, ctx2, &c, NULL, 0,
				   GPUFE_SUBMIT_OUT_FENCE, 0, &fence, NULL));
	ASSERT_EQ(0, close(fd2));
	ASSERT_EQ(POLLIN, gpufe_poll_fd(fence, POLLIN, GPUFE_TIMEOUT_MS));
	EXPECT_NE(0, gpufe_fence_status(fence, NULL, &err));
	EXPECT_EQ(0, err);
	close(fence);
}

/* --- gpufe.ko's references ---------------------------------------------------- */

TEST_F_TIMEOUT(fence, sync_file_holds_module, 60)
{
	long long ref = gpufe_module_refcnt(), ctxs = gpufe_counter("contexts");
	long long now;
	struct gpufe_cmds c = { 0 };
	int fd2, fence = -1, err;
	__u32 ctx2;

	describe("A sync_file of a gpufe job keeps gpufe.ko referenced after the job's file is closed, and lets it go once closed itself");
	ASSERT_LE(0, ref);
	fd2 = gpufe_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, gpufe_create_ctx(fd2, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx2));
	gpufe_emit_nop(&c);
	ASSERT_EQ(0, submit_fenced(fd2, ctx2, &c, NULL, 0,
				   GPUFE_SUBMIT_OUT_FENCE, 0, &fence, NULL));
	ASSERT_EQ(POLLIN, gpufe_poll_fd(fence, POLLIN, GPUFE_TIMEOUT_MS));
	ASSERT_EQ(0, close(fd2));

	/* Signalled, the fence still calls into gpufe (its names, its release). */
	EXPECT_EQ(1, gpufe_fence_status(fence, NULL, &err));
	EXPECT_EQ(0, err);
	EXPECT_LT(ref, gpufe_module_refcnt());
	ASSERT_EQ(0, close(fence));
	now = gpufe_refcnt_at_most(ref);
	EXPECT_EQ(ref, now) {
		TH_LOG("gpufe.ko holds %lld references more than before", now - ref);
	}
	EXPECT_LE(0, ctxs) {
		TH_LOG("debugfs gpufe/counters has no contexts");
	}
	if (ctxs >= 0)
		EXPECT_EQ(ctxs, gpufe_counter_at_most("contexts", ctxs));
}

GPUFE_TEST_MAIN
