// SPDX-License-Identifier: GPL-2.0
/*
 * gpufe_hang: timeouts and recovery (uAPI 1.4) with swgpu's fault
 * injection. A job that runs on its engine longer than its timeout (the
 * engine_timeout_ms module parameter, or its partition's) is a hang: its
 * fence signals -ETIME, the engine is reset, the innocent jobs the reset
 * took off the engine run again with the right data, other engines and
 * GPUs carry on; after hang_limit hangs a context is banned (SUBMIT
 * -ECANCELED, CTX_STATUS state BANNED); time spent queued is not engine
 * time; the sysfs and debugfs counters follow. swgpu's HANG is refused
 * unless allow_hang is set; FAULT fails a job with -EIO.
 *
 * Every module parameter a subtest changes is put back by its fixture's
 * teardown, in the parent, even when the subtest died.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <sched.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gpufe_test.h"

#define MAX_DEVS	16
/* The engine timeout of the subtests that hang an engine. */
#define HANG_MS		200
/*
 * The most a hang may take to be found and its fence to signal past its
 * timeout: the check runs every quarter of a timeout, then the VM's
 * scheduling slack (the VM may be emulated on a busy machine).
 */
#define HANG_SLACK_MS	(HANG_MS / 4 + 1500)
#define FILL_A		0x4a4a0001u
#define FILL_B		0x4a4a0002u
#define FILL_C		0x4a4a0003u

FIXTURE(hang) {
	int fd;
	int num_devs;
	__u32 devs[MAX_DEVS];
	/* for the teardown, in the parent */
	struct gpufe_saved_params params;
	int allow_hang;		/* allow_hang as it was, or -1 if untouched */
};

FIXTURE_SETUP(hang)
{
	const char *missing = NULL;
	int ret;

	self->fd = -1;
	self->allow_hang = -1;
	ret = gpufe_sched_fixture_open(&self->fd, self->devs, MAX_DEVS,
				       &self->num_devs, &missing);
	if (ret > 0)
		SKIP(return, "%s", missing);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN_PARENT(hang)
{
	gpufe_params_restore(&self->params);
	if (self->allow_hang >= 0)
		gpufe_allow_hang_set(self->allow_hang);
}

/* --- helpers ----------------------------------------------------------------- */

/* Set swgpu's allow_hang, remembering what it was for the teardown. */
static int allow_hang(FIXTURE_DATA(hang) *self, bool on)
{
	if (self->allow_hang < 0) {
		int was = gpufe_allow_hang_get();

		if (was < 0)
			return was;
		self->allow_hang = was;
	}
	return gpufe_allow_hang_set(on);
}

/* HANG allowed and the module's engine timeout set to ms. */
static void hang_prepare(struct __test_metadata *_metadata,
		       FIXTURE_DATA(hang) *self, unsigned int ms)
{
	ASSERT_EQ(0, allow_hang(self, true));
	ASSERT_EQ(0, gpufe_param_set(&self->params, "engine_timeout_ms", ms));
}

/*
 * A job on ctx that fills bo's first page with FILL_A, hangs, and would
 * fill its second page with FILL_B after: its sync_file, or -errno.
 */
static int submit_hang(int fd, __u32 ctx, __u32 bo)
{
	struct gpufe_submit_bo b = { bo, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_cmds c = { 0 };

	gpufe_emit_fill(&c, 0, 0, 4096, FILL_A);
	gpufe_emit_hang(&c);
	gpufe_emit_fill(&c, 0, 4096, 4096, FILL_B);
	return gpufe_submit_fenced(fd, ctx, &c, &b, 1, -1, NULL);
}

/* A job that hangs and touches no buffer: its sync_file, or -errno. */
static int submit_bare_hang(int fd, __u32 ctx)
{
	struct gpufe_cmds c = { 0 };

	gpufe_emit_hang(&c);
	return gpufe_submit_fenced(fd, ctx, &c, NULL, 0, -1, NULL);
}

/* A FILL of [offset, offset + len) of bo on ctx, after delay_us: its sync_file. */
static int submit_fill(int fd, __u32 ctx, __u32 bo, __u64 offset, __u64 len,
		       __u32 value, __u32 delay_us)
{
	struct gpufe_submit_bo b = { bo, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_cmds c = { 0 };

	if (delay_us)
		gpufe_emit_delay(&c, delay_us);
	gpufe_emit_fill(&c, 0, offset, len, value);
	return gpufe_submit_fenced(fd, ctx, &c, &b, 1, -1, NULL);
}

/* Submit a NOP on ctx and wait for it: 0, the job's error, or -errno. */
static int run_nop(int fd, __u32 ctx)
{
	struct gpufe_ctx_status st;
	struct gpufe_cmds c = { 0 };
	__u64 seqno;
	int ret;

	gpufe_emit_nop(&c);
	ret = gpufe_submit_cmds(fd, ctx, &c, NULL, 0, &seqno);
	if (!ret)
		ret = gpufe_sync(fd, ctx, seqno);
	if (!ret)
		ret = gpufe_get_status(fd, ctx, &st);
	if (!ret && st.completed < seqno)
		ret = -EPROTO;
	return ret;
}

/* A 64-bit word of a mapping, loaded once. */
static __u64 word64(const void *map, size_t index)
{
	return __atomic_load_n((const __u64 *)map + index, __ATOMIC_ACQUIRE);
}

struct counters {
	long long hangs, resets, bans;
};

/* A GPU's sysfs hangs, resets and bans; 0 or -errno. */
static int gpu_counters(__u32 dev, struct counters *c)
{
	c->hangs = gpufe_gpu_attr(dev, "hangs");
	c->resets = gpufe_gpu_attr(dev, "resets");
	c->bans = gpufe_gpu_attr(dev, "bans");
	if (c->hangs < 0)
		return c->hangs;
	if (c->resets < 0)
		return c->resets;
	return c->bans < 0 ? c->bans : 0;
}

/*
 * Wait for a hang's fence: it must signal -ETIME no sooner than ms after
 * t_submit (its job started after that) and no later than ms plus
 * HANG_SLACK_MS. Its signal time into *signalled if not NULL.
 */
static void expect_hang_fence(struct __test_metadata *_metadata, int fence,
			      __s64 t_submit, unsigned int ms, __u64 *signalled)
{
	__u64 ts = 0;
	int st = gpufe_fence_wait(fence, ms + HANG_SLACK_MS + GPUFE_TIMEOUT_MS, &ts);

	ASSERT_EQ(-ETIME, st) {
		TH_LOG("the hung job's fence: %d", st);
	}
	ksft_print_msg("a hang under a %u ms timeout signalled after %.1f ms\n",
		       ms, (double)((__s64)ts - t_submit) / 1e6);
	EXPECT_LE(t_submit + ms * 1000000LL, (__s64)ts);
	EXPECT_GE(t_submit + (ms + HANG_SLACK_MS) * 1000000LL, (__s64)ts) {
		TH_LOG("found %.1f ms after its submission, under a %u ms timeout",
		       (double)((__s64)ts - t_submit) / 1e6, ms);
	}
	if (signalled)
		*signalled = ts;
}

/* --- hangs --------------------------------------------------------------------- */

TEST_F_TIMEOUT(hang, hang_detected_and_reset, 60)
{
	struct gpufe_buffer x;
	struct gpufe_ctx_status st;
	struct counters c0, c1;
	__u32 ctx, ctx2;
	__s64 t;
	int f;

	describe("A job that hangs its engine (swgpu HANG) fails with ETIME once engine_timeout_ms (200) has passed and not much later; the commands before the HANG ran, those after did not; the engine is reset and runs jobs again");
	hang_prepare(_metadata, self, HANG_MS);
	ASSERT_EQ(0, gpu_counters(self->devs[0], &c0));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 2 * 4096, &x));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx));
	t = gpufe_now_ns();
	f = submit_hang(self->fd, ctx, x.handle);
	ASSERT_LE(0, f);
	expect_hang_fence(_metadata, f, t, HANG_MS, NULL);
	close(f);

	EXPECT_EQ(-1, gpufe_find_not(x.map, 1024, FILL_A));
	EXPECT_EQ(-1, gpufe_find_not((char *)x.map + 4096, 1024, 0));
	ASSERT_EQ(0, gpufe_get_status(self->fd, ctx, &st));
	EXPECT_EQ(1, st.completed);
	EXPECT_EQ(-ETIME, st.error);
	EXPECT_EQ(1, st.hangs);
	EXPECT_EQ(GPUFE_CTX_STATE_ACTIVE, st.state);
	EXPECT_EQ(0, st.queued);
	/* Completed, with an error: WAIT returns at once. */
	EXPECT_EQ(0, gpufe_wait_until(self->fd, ctx, 1, 0));

	/* The engine works again, for the guilty context and another. */
	f = submit_fill(self->fd, ctx, x.handle, 4096, 4096, FILL_C, 0);
	ASSERT_LE(0, f);
	EXPECT_EQ(1, gpufe_fence_wait(f, GPUFE_TIMEOUT_MS, NULL));
	close(f);
	EXPECT_EQ(-1, gpufe_find_not((char *)x.map + 4096, 1024, FILL_C));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx2));
	EXPECT_EQ(0, run_nop(self->fd, ctx2));
	ASSERT_EQ(0, gpufe_get_status(self->fd, ctx2, &st));
	EXPECT_EQ(0, st.error);
	EXPECT_EQ(0, st.hangs);

	ASSERT_EQ(0, gpu_counters(self->devs[0], &c1));
	EXPECT_EQ(c0.hangs + 1, c1.hangs);
	EXPECT_EQ(c0.resets + 1, c1.resets);
	EXPECT_EQ(c0.bans, c1.bans);
}

#define INNOCENT_N	256	/* elements of the in-place VADD */

TEST_F_TIMEOUT(hang, innocent_jobs_rerun, 60)
{
	struct gpufe_buffer v, y, z;
	struct gpufe_ctx_status st;
	struct gpufe_submit_bo bos[2];
	struct gpufe_cmds c;
	__u32 hctx, ictx, want[INNOCENT_N], *a, *b;
	long long back0, back1;
	int hc, ic, f, fi[3], i;

	describe("Another client's jobs queued on the engine that hangs, one of them in the back-end's hands, run after the reset, each exactly once: an in-place VADD, a FILL and a COPY of its result give the right data");
	hang_prepare(_metadata, self, HANG_MS);
	back0 = gpufe_sched_stat(self->devs[0], "taken_back");
	ASSERT_LE(0, back0);
	hc = gpufe_open();
	ASSERT_LE(0, hc);
	ic = gpufe_open();
	ASSERT_LE(0, ic);
	ASSERT_EQ(0, gpufe_create_ctx(hc, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &hctx));
	ASSERT_EQ(0, gpufe_create_ctx(ic, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ictx));
	ASSERT_EQ(0, gpufe_buffer_create(ic, 2 * 4096, &v));
	ASSERT_EQ(0, gpufe_buffer_create(ic, 4096, &y));
	ASSERT_EQ(0, gpufe_buffer_create(ic, 4096, &z));
	a = v.map;
	b = (__u32 *)((char *)v.map + 4096);
	for (i = 0; i < INNOCENT_N; i++) {
		a[i] = 1000 + i;
		b[i] = 7 * i + 1;
		want[i] = a[i] + b[i];
	}

	f = submit_bare_hang(hc, hctx);
	ASSERT_LE(0, f);
	/* a += b: run twice, it would give a + 2b. */
	bos[0] = (struct gpufe_submit_bo){ v.handle,
		GPUFE_SUBMIT_BO_READ | GPUFE_SUBMIT_BO_WRITE };
	memset(&c, 0, sizeof(c));
	gpufe_emit_vadd(&c, 0, 0, 0, 4096, 0, 0, INNOCENT_N);
	fi[0] = gpufe_submit_fenced(ic, ictx, &c, bos, 1, -1, NULL);
	ASSERT_LE(0, fi[0]);
	fi[1] = submit_fill(ic, ictx, y.handle, 0, 4096, FILL_C, 0);
	ASSERT_LE(0, fi[1]);
	bos[0] = (struct gpufe_submit_bo){ y.handle, GPUFE_SUBMIT_BO_READ };
	bos[1] = (struct gpufe_submit_bo){ z.handle, GPUFE_SUBMIT_BO_WRITE };
	memset(&c, 0, sizeof(c));
	gpufe_emit_copy(&c, 0, 0, 1, 0, 4096);
	fi[2] = gpufe_submit_fenced(ic, ictx, &c, bos, 2, -1, NULL);
	ASSERT_LE(0, fi[2]);

	EXPECT_EQ(-ETIME, gpufe_fence_wait(f, HANG_MS + HANG_SLACK_MS + GPUFE_TIMEOUT_MS,
					   NULL));
	close(f);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(1, gpufe_fence_wait(fi[i], GPUFE_TIMEOUT_MS, NULL)) {
			TH_LOG("innocent job %d", i);
		}
		close(fi[i]);
	}
	EXPECT_EQ(0, memcmp(want, a, sizeof(want))) {
		for (i = 0; i < INNOCENT_N && a[i] == want[i]; i++)
			;
		TH_LOG("element %d: %u, want %u (a + 2b would be %u)", i,
		       a[i], want[i], want[i] + b[i]);
	}
	EXPECT_EQ(-1, gpufe_find_not(y.map, 1024, FILL_C));
	EXPECT_EQ(-1, gpufe_find_not(z.map, 1024, FILL_C));
	ASSERT_EQ(0, gpufe_get_status(ic, ictx, &st));
	EXPECT_EQ(3, st.completed);
	EXPECT_EQ(0, st.error);
	EXPECT_EQ(0, st.hangs);
	EXPECT_EQ(GPUFE_CTX_STATE_ACTIVE, st.state);
	ASSERT_EQ(0, gpufe_get_status(hc, hctx, &st));
	EXPECT_EQ(1, st.hangs);
	/* The reset handed back at least the job that hung. */
	back1 = gpufe_sched_stat(self->devs[0], "taken_back");
	EXPECT_LT(back0, back1);
	close(hc);
	close(ic);
}

/* Jobs of a chain on each engine that keeps working. */
#define OTHER_JOBS	5
#define OTHER_US	20000
#define OTHER_HANG_MS	400
/*
 * Jobs on the hung engine's neighbour, each shorter than the timeout,
 * back to back: one of them runs while the hang is found and reset.
 */
#define SPAN_JOBS	3
#define SPAN_US		250000

struct other {
	int fd;		/* the client's */
	__u32 dev;
	__u16 cls;
	__u32 ctx;
	struct gpufe_buffer buf;
	int fences[OTHER_JOBS];
};

TEST_F_TIMEOUT(hang, other_engines_and_gpus_unaffected, 60)
{
	struct other o[3];
	struct gpufe_buffer sb, hb;
	struct gpufe_ctx_status st;
	struct counters c0[2], c1[2];
	struct gpufe_submit_bo bo;
	struct gpufe_cmds c;
	__u32 hctx, sctx;
	__u64 hang_ts = 0, ts = 0;
	long long back0, back1;
	int no = 0, i, j, f, fs[SPAN_JOBS];
	__s64 t;

	describe("While an engine hangs and is reset, jobs running on another engine of the same GPU run on undisturbed, each once, and chains of jobs on the GPU's copy engine and on the other GPU complete meanwhile with the right data; only the hung engine's GPU counts a reset, and nothing is taken back");
	hang_prepare(_metadata, self, OTHER_HANG_MS);
	if (gpufe_engine_count(self->fd, self->devs[0],
			       GPUFE_ENGINE_CLASS_COMPUTE) < 2)
		SKIP(return, "swgpu0 needs two compute engines");
	for (i = 0; i < self->num_devs && i < 2; i++)
		ASSERT_EQ(0, gpu_counters(self->devs[i], &c0[i]));
	back0 = gpufe_sched_stat(self->devs[0], "taken_back");
	ASSERT_LE(0, back0);
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 2 * 4096, &hb));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4096, &sb));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &hctx));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 1, &sctx));
	if (gpufe_engine_count(self->fd, self->devs[0], GPUFE_ENGINE_CLASS_COPY) > 0)
		o[no++] = (struct other){ .dev = self->devs[0],
					  .cls = GPUFE_ENGINE_CLASS_COPY };
	if (self->num_devs > 1)
		o[no++] = (struct other){ .dev = self->devs[1],
					  .cls = GPUFE_ENGINE_CLASS_COMPUTE };
	for (i = 0; i < no; i++) {
		o[i].fd = gpufe_open();
		ASSERT_LE(0, o[i].fd);
		ASSERT_EQ(0, gpufe_create_ctx(o[i].fd, o[i].dev, o[i].cls, 0,
					      &o[i].ctx));
		ASSERT_EQ(0, gpufe_buffer_create(o[i].fd, OTHER_JOBS * 4096,
						 &o[i].buf));
	}

	t = gpufe_now_ns();
	f = submit_hang(self->fd, hctx, hb.handle);
	ASSERT_LE(0, f);
	/* The neighbour's jobs: each stamps its start and its end. */
	bo = (struct gpufe_submit_bo){ sb.handle, GPUFE_SUBMIT_BO_WRITE };
	for (j = 0; j < SPAN_JOBS; j++) {
		memset(&c, 0, sizeof(c));
		gpufe_emit_timestamp(&c, 0, 16 * j);
		gpufe_emit_delay(&c, SPAN_US);
		gpufe_emit_timestamp(&c, 0, 16 * j + 8);
		fs[j] = gpufe_submit_fenced(self->fd, sctx, &c, &bo, 1, -1, NULL);
		ASSERT_LE(0, fs[j]);
	}
	for (i = 0; i < no; i++)
		for (j = 0; j < OTHER_JOBS; j++) {
			o[i].fences[j] = submit_fill(o[i].fd, o[i].ctx,
						     o[i].buf.handle, 4096 * j,
						     4096, FILL_C + j, OTHER_US);
			ASSERT_LE(0, o[i].fences[j]);
		}

	expect_hang_fence(_metadata, f, t, OTHER_HANG_MS, &hang_ts);
	close(f);
	for (i = 0; i < no; i++) {
		for (j = 0; j < OTHER_JOBS; j++) {
			EXPECT_EQ(1, gpufe_fence_wait(o[i].fences[j],
						      GPUFE_TIMEOUT_MS, &ts));
			EXPECT_GT(hang_ts, ts) {
				TH_LOG("engine %d's job %d waited for the hang", i, j);
			}
			close(o[i].fences[j]);
			EXPECT_EQ(-1, gpufe_find_not((char *)o[i].buf.map + 4096 * j,
						     1024, FILL_C + j));
		}
		ASSERT_EQ(0, gpufe_get_status(o[i].fd, o[i].ctx, &st));
		EXPECT_EQ(0, st.error);
		EXPECT_EQ(0, st.hangs);
	}
	for (j = 0; j < SPAN_JOBS; j++) {
		EXPECT_EQ(1, gpufe_fence_wait(fs[j], GPUFE_TIMEOUT_MS, NULL));
		close(fs[j]);
		EXPECT_NE(0, word64(sb.map, 2 * j));
		EXPECT_LE(word64(sb.map, 2 * j) + SPAN_US * 1000ULL,
			  word64(sb.map, 2 * j + 1));
		if (j)
			EXPECT_LE(word64(sb.map, 2 * j - 1), word64(sb.map, 2 * j));
	}
	/* They were under way when the hang was found. */
	EXPECT_GT(hang_ts, word64(sb.map, 0));
	ASSERT_EQ(0, gpufe_get_status(self->fd, sctx, &st));
	EXPECT_EQ(SPAN_JOBS, st.completed);
	EXPECT_EQ(0, st.error);
	EXPECT_EQ(0, st.hangs);

	for (i = 0; i < self->num_devs && i < 2; i++)
		ASSERT_EQ(0, gpu_counters(self->devs[i], &c1[i]));
	EXPECT_EQ(c0[0].resets + 1, c1[0].resets);
	EXPECT_EQ(c0[0].hangs + 1, c1[0].hangs);
	if (self->num_devs > 1) {
		EXPECT_EQ(c0[1].resets, c1[1].resets);
		EXPECT_EQ(c0[1].hangs, c1[1].hangs);
	}
	/* The hung engine held nothing else; the others' jobs stayed put. */
	back1 = gpufe_sched_stat(self->devs[0], "taken_back");
	EXPECT_EQ(back0, back1);
	for (i = 0; i < no; i++)
		close(o[i].fd);
}

#define BAN_LIMIT	2

TEST_F_TIMEOUT(hang, ban_after_limit, 60)
{
	struct gpufe_buffer x;
	struct gpufe_ctx_status st;
	struct counters c0, c1;
	struct gpufe_cmds c = { 0 };
	__u32 ctx, ctx2;
	__u64 seqno = 0xa5a5;
	int f[BAN_LIMIT], q[2], i;
	__s64 t;

	describe("A context whose jobs hang hang_limit (2) times is banned: CTX_STATUS says BANNED with 2 hangs, its queued jobs fail with ECANCELED, SUBMIT fails with ECANCELED; before the limit it stays ACTIVE; the client's other context works");
	hang_prepare(_metadata, self, HANG_MS);
	ASSERT_EQ(0, gpufe_param_set(&self->params, "hang_limit", BAN_LIMIT));
	ASSERT_EQ(0, gpu_counters(self->devs[0], &c0));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 2 * 4096, &x));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx2));

	for (i = 0; i < BAN_LIMIT; i++) {
		t = gpufe_now_ns();
		f[i] = submit_bare_hang(self->fd, ctx);
		ASSERT_LE(0, f[i]);
		if (i == BAN_LIMIT - 1) {
			/* Queued behind the last hang. */
			q[0] = submit_fill(self->fd, ctx, x.handle, 0, 4096, FILL_A, 0);
			ASSERT_LE(0, q[0]);
			q[1] = submit_fill(self->fd, ctx, x.handle, 4096, 4096, FILL_B, 0);
			ASSERT_LE(0, q[1]);
		}
		expect_hang_fence(_metadata, f[i], t, HANG_MS, NULL);
		close(f[i]);
		ASSERT_EQ(0, gpufe_get_status(self->fd, ctx, &st));
		EXPECT_EQ(i + 1, st.hangs);
		if (i < BAN_LIMIT - 1) {
			EXPECT_EQ(GPUFE_CTX_STATE_ACTIVE, st.state);
			EXPECT_EQ(-ETIME, st.error);
		}
	}
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(-ECANCELED, gpufe_fence_wait(q[i], GPUFE_TIMEOUT_MS, NULL));
		close(q[i]);
	}
	EXPECT_EQ(-1, gpufe_find_not(x.map, 2 * 1024, 0));
	ASSERT_EQ(0, gpufe_get_status(self->fd, ctx, &st));
	EXPECT_EQ(GPUFE_CTX_STATE_BANNED, st.state);
	EXPECT_EQ(BAN_LIMIT, st.hangs);
	EXPECT_EQ(BAN_LIMIT + 2, st.submitted);
	EXPECT_EQ(BAN_LIMIT + 2, st.completed);
	EXPECT_EQ(-ECANCELED, st.error);
	EXPECT_EQ(0, st.queued);
	EXPECT_EQ(0, gpufe_wait_until(self->fd, ctx, BAN_LIMIT + 2, 0));

	gpufe_emit_nop(&c);
	EXPECT_EQ(-ECANCELED, gpufe_submit_cmds(self->fd, ctx, &c, NULL, 0, &seqno));
	EXPECT_EQ(0xa5a5, seqno);
	ASSERT_EQ(0, gpufe_get_status(self->fd, ctx, &st));
	EXPECT_EQ(BAN_LIMIT + 2, st.submitted);
	EXPECT_EQ(GPUFE_CTX_STATE_BANNED, st.state);

	EXPECT_EQ(0, run_nop(self->fd, ctx2));
	ASSERT_EQ(0, gpufe_get_status(self->fd, ctx2, &st));
	EXPECT_EQ(GPUFE_CTX_STATE_ACTIVE, st.state);
	EXPECT_EQ(0, st.error);

	ASSERT_EQ(0, gpu_counters(self->devs[0], &c1));
	EXPECT_EQ(c0.hangs + BAN_LIMIT, c1.hangs);
	EXPECT_EQ(c0.resets + BAN_LIMIT, c1.resets);
	EXPECT_EQ(c0.bans + 1, c1.bans);
	EXPECT_EQ(0, gpufe_destroy_ctx(self->fd, ctx));
}

TEST_F_TIMEOUT(hang, status_and_counters, 60)
{
	const struct gpufe_completion_slot *slot;
	struct gpufe_ctx_status st;
	struct gpufe_event ev;
	struct counters c0, c1;
	const void *page = NULL;
	long long dh, dr, db;
	char path[128];
	__u64 off;
	__u32 ctx;
	__s64 t;
	int fd, f;

	describe("A hang shows everywhere: CTX_STATUS (error ETIME, hangs 1), the completion slot and event (ETIME), sysfs hangs and resets (+1, bans +0), and debugfs gpufe/sched, whose counters are sysfs's");
	GPUFE_SKIP_IN_PARTITION("reads the whole device's counters");
	hang_prepare(_metadata, self, HANG_MS);
	fd = gpufe_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, gpufe_create_ctx_slot(fd, self->devs[0],
					   GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx, &off));
	ASSERT_EQ(0, gpufe_completion_map(fd, sysconf(_SC_PAGESIZE), &page));
	ASSERT_GT((__u64)sysconf(_SC_PAGESIZE), off);
	slot = gpufe_slot(page, off);
	ASSERT_EQ(0, gpu_counters(self->devs[0], &c0));
	EXPECT_EQ(c0.hangs, gpufe_sched_stat(self->devs[0], "hangs"));
	EXPECT_EQ(c0.resets, gpufe_sched_stat(self->devs[0], "resets"));
	EXPECT_EQ(c0.bans, gpufe_sched_stat(self->devs[0], "bans"));

	t = gpufe_now_ns();
	f = submit_bare_hang(fd, ctx);
	ASSERT_LE(0, f);
	expect_hang_fence(_metadata, f, t, HANG_MS, NULL);
	close(f);

	ASSERT_EQ(0, gpufe_get_status(fd, ctx, &st));
	EXPECT_EQ(-ETIME, st.error);
	EXPECT_EQ(1, st.hangs);
	EXPECT_EQ(1, st.completed);
	EXPECT_EQ(GPUFE_CTX_STATE_ACTIVE, st.state);
	EXPECT_EQ(1, gpufe_slot_seqno(slot));
	EXPECT_EQ(-ETIME, gpufe_slot_error(slot));
	ASSERT_EQ(0, gpufe_set_nonblock(fd));
	ASSERT_EQ(sizeof(ev), read(fd, &ev, sizeof(ev)));
	EXPECT_EQ(GPUFE_EVENT_COMPLETION, ev.type);
	EXPECT_EQ(ctx, ev.ctx_id);
	EXPECT_EQ(1, ev.seqno);
	EXPECT_EQ(-ETIME, ev.error);

	ASSERT_EQ(0, gpu_counters(self->devs[0], &c1));
	dh = c1.hangs - c0.hangs;
	dr = c1.resets - c0.resets;
	db = c1.bans - c0.bans;
	EXPECT_EQ(1, dh);
	EXPECT_EQ(1, dr);
	EXPECT_EQ(0, db);
	EXPECT_EQ(c1.hangs, gpufe_sched_stat(self->devs[0], "hangs"));
	EXPECT_EQ(c1.resets, gpufe_sched_stat(self->devs[0], "resets"));
	EXPECT_EQ(c1.bans, gpufe_sched_stat(self->devs[0], "bans"));
	/* Read-only counters. */
	gpufe_gpu_attr_path(self->devs[0], "hangs", path, sizeof(path));
	EXPECT_NE(0, gpufe_write_ull(path, 0));
	EXPECT_EQ(c1.hangs, gpufe_gpu_attr(self->devs[0], "hangs"));
	munmap((void *)page, sysconf(_SC_PAGESIZE));
	close(fd);
}

TEST_F_TIMEOUT(hang, partition_engine_timeout, 60)
{
	struct gpufe_partition_create pc = {
		.weight = 100,
		.engine_timeout_ms = HANG_MS,
		.fd = -1,
	};
	struct gpufe_engine_info engines[64];
	struct gpufe_ctx_status st;
	__u32 pctx, ctx;
	int n, i, f;
	__s64 t;

	describe("A partition's engine_timeout_ms (200) overrides the module's (20000): its job that hangs fails with ETIME after 200 ms; a client without partition on the same engine then runs jobs");
	GPUFE_SKIP_IN_PARTITION("creates a partition");
	ASSERT_EQ(0, allow_hang(self, true));
	ASSERT_EQ(0, gpufe_param_set(&self->params, "engine_timeout_ms", 20000));
	n = gpufe_engines(self->fd, self->devs[0], engines, 64);
	ASSERT_LT(0, n);
	for (i = 0; i < n && engines[i].engine_class != GPUFE_ENGINE_CLASS_COMPUTE; i++)
		;
	ASSERT_GT(n, i);
	pc.device_id = self->devs[0];
	pc.engine_mask = 1ULL << i;
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_PARTITION_CREATE, &pc));
	ASSERT_EQ(0, gpufe_create_ctx(pc.fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &pctx));
	t = gpufe_now_ns();
	f = submit_bare_hang(pc.fd, pctx);
	ASSERT_LE(0, f);
	expect_hang_fence(_metadata, f, t, HANG_MS, NULL);
	close(f);
	ASSERT_EQ(0, gpufe_get_status(pc.fd, pctx, &st));
	EXPECT_EQ(1, st.hangs);
	EXPECT_EQ(-ETIME, st.error);

	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx));
	EXPECT_EQ(0, run_nop(self->fd, ctx));
	close(pc.fd);
}

#define QUEUED_JOBS	6
#define QUEUED_US	100000
#define QUEUED_MS	400

TEST_F_TIMEOUT(hang, queued_time_not_counted, 60)
{
	struct gpufe_ctx_status st;
	struct counters c0, c1;
	__u32 ctx[3];
	int f[QUEUED_JOBS], i;

	describe("Only engine time counts toward the timeout: six 100 ms jobs of three contexts on one engine, the last queued for 500 ms, under a 400 ms timeout all succeed and nothing hangs");
	hang_prepare(_metadata, self, QUEUED_MS);
	ASSERT_EQ(0, gpu_counters(self->devs[0], &c0));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
					      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx[i]));
	for (i = 0; i < QUEUED_JOBS; i++) {
		struct gpufe_cmds c = { 0 };

		gpufe_emit_delay(&c, QUEUED_US);
		f[i] = gpufe_submit_fenced(self->fd, ctx[i % 3], &c, NULL, 0, -1, NULL);
		ASSERT_LE(0, f[i]);
	}
	for (i = 0; i < QUEUED_JOBS; i++) {
		EXPECT_EQ(1, gpufe_fence_wait(f[i], GPUFE_TIMEOUT_MS, NULL)) {
			TH_LOG("job %d", i);
		}
		close(f[i]);
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, gpufe_get_status(self->fd, ctx[i], &st));
		EXPECT_EQ(0, st.error);
		EXPECT_EQ(0, st.hangs);
		EXPECT_LE(2 * QUEUED_US * 1000ULL, st.busy_ns);
	}
	ASSERT_EQ(0, gpu_counters(self->devs[0], &c1));
	EXPECT_EQ(c0.hangs, c1.hangs);
	EXPECT_EQ(c0.resets, c1.resets);
}

/* --- faults ------------------------------------------------------------------------ */

TEST_F(hang, fault_eio)
{
	struct gpufe_buffer x;
	struct gpufe_ctx_status st;
	struct gpufe_submit_bo bo;
	struct counters c0, c1;
	struct gpufe_cmds c = { 0 };
	__u32 ctx;
	int f;

	describe("A job that reaches a swgpu FAULT fails with EIO: the commands before it ran, those after did not; no hang, no reset; the context carries on");
	ASSERT_EQ(0, gpu_counters(self->devs[0], &c0));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 2 * 4096, &x));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx));
	bo = (struct gpufe_submit_bo){ x.handle, GPUFE_SUBMIT_BO_WRITE };
	gpufe_emit_fill(&c, 0, 0, 4096, FILL_A);
	gpufe_emit_fault(&c);
	gpufe_emit_fill(&c, 0, 4096, 4096, FILL_B);
	f = gpufe_submit_fenced(self->fd, ctx, &c, &bo, 1, -1, NULL);
	ASSERT_LE(0, f);
	EXPECT_EQ(-EIO, gpufe_fence_wait(f, GPUFE_TIMEOUT_MS, NULL));
	close(f);
	EXPECT_EQ(-1, gpufe_find_not(x.map, 1024, FILL_A));
	EXPECT_EQ(-1, gpufe_find_not((char *)x.map + 4096, 1024, 0));
	ASSERT_EQ(0, gpufe_get_status(self->fd, ctx, &st));
	EXPECT_EQ(-EIO, st.error);
	EXPECT_EQ(0, st.hangs);
	EXPECT_EQ(1, st.completed);
	EXPECT_EQ(GPUFE_CTX_STATE_ACTIVE, st.state);

	f = submit_fill(self->fd, ctx, x.handle, 4096, 4096, FILL_C, 0);
	ASSERT_LE(0, f);
	EXPECT_EQ(1, gpufe_fence_wait(f, GPUFE_TIMEOUT_MS, NULL));
	close(f);
	EXPECT_EQ(-1, gpufe_find_not((char *)x.map + 4096, 1024, FILL_C));
	ASSERT_EQ(0, gpu_counters(self->devs[0], &c1));
	EXPECT_EQ(c0.hangs, c1.hangs);
	EXPECT_EQ(c0.resets, c1.resets);
}

/* --- refused --------------------------------------------------------------------- */

/* SUBMIT of c must fail with err and change nothing on ctx. */
static void expect_submit_refused(struct __test_metadata *_metadata, int fd,
				  __u32 ctx, const struct gpufe_cmds *c, int err,
				  const char *what)
{
	struct gpufe_submit s = {
		.ctx_id = ctx,
		.flags = GPUFE_SUBMIT_OUT_FENCE,
		.cmds = (uintptr_t)c->buf,
		.cmds_size = c->size,
		.out_fence_fd = -0x5a5a,
		.seqno = 0xa5a5a5a5ULL,
	};
	struct gpufe_ctx_status before, after;
	int fds = gpufe_count_fds();

	ASSERT_EQ(0, gpufe_get_status(fd, ctx, &before));
	EXPECT_EQ(err, gpufe_ioctl(fd, GPUFE_IOCTL_SUBMIT, &s)) {
		TH_LOG("%s", what);
	}
	EXPECT_EQ(-0x5a5a, s.out_fence_fd);
	EXPECT_EQ(0xa5a5a5a5ULL, s.seqno);
	EXPECT_EQ(fds, gpufe_count_fds());
	ASSERT_EQ(0, gpufe_get_status(fd, ctx, &after));
	EXPECT_EQ(before.submitted, after.submitted);
	EXPECT_EQ(0, run_nop(fd, ctx));
	ASSERT_EQ(0, gpufe_get_status(fd, ctx, &after));
	EXPECT_EQ(before.submitted + 1, after.completed);
	EXPECT_EQ(0, after.error);
	EXPECT_EQ(0, after.hangs);
}

TEST_F(hang, bad_hang_not_allowed)
{
	struct gpufe_cmds c = { 0 };
	__u32 ctx;

	describe("With allow_hang N, SUBMIT of a job with a HANG, alone or after other commands, fails with EINVAL and queues nothing");
	ASSERT_EQ(0, allow_hang(self, false));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx));
	gpufe_emit_hang(&c);
	expect_submit_refused(_metadata, self->fd, ctx, &c, -EINVAL, "HANG");
	c.size = 0;
	gpufe_emit_nop(&c);
	gpufe_emit_delay(&c, 1000);
	gpufe_emit_hang(&c);
	expect_submit_refused(_metadata, self->fd, ctx, &c, -EINVAL,
			      "NOP, DELAY_US, HANG");
}

TEST_F(hang, bad_fault_hang_pad)
{
	struct swgpu_cmd_fault fault = { .opcode = SWGPU_CMD_FAULT };
	struct swgpu_cmd_hang hang = { .opcode = SWGPU_CMD_HANG };
	static const __u32 pads[] = { 1, 0x80000000u, ~0u };
	unsigned int i;
	__u32 ctx;

	describe("FAULT or HANG with a non-zero pad fails with EINVAL (HANG even with allow_hang Y) and queues nothing");
	ASSERT_EQ(0, allow_hang(self, true));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx));
	for (i = 0; i < ARRAY_SIZE(pads); i++) {
		struct gpufe_cmds c = { 0 };

		fault.pad = pads[i];
		gpufe_cmds_add(&c, &fault, sizeof(fault));
		expect_submit_refused(_metadata, self->fd, ctx, &c, -EINVAL,
				      "FAULT with a pad");
		c.size = 0;
		hang.pad = pads[i];
		gpufe_cmds_add(&c, &hang, sizeof(hang));
		expect_submit_refused(_metadata, self->fd, ctx, &c, -EINVAL,
				      "HANG with a pad");
	}
}

GPUFE_TEST_MAIN
