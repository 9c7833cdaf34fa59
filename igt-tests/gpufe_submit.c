// SPDX-License-Identifier: GPL-2.0
/*
 * gpufe_submit: contexts, SUBMIT and WAIT with swgpu's command set, and
 * every validation path of CTX_CREATE, CTX_DESTROY, CTX_STATUS, SUBMIT
 * and WAIT.
 *
 * With GPUFE_TEST_BACKEND=edu (the gpufe_submit@edu variant), against an
 * edu GPU: the baseline job is a FACTORIAL into x on compute0, a NOP is
 * the back-end's smallest job (gpufe_min_job()), and the subtests of
 * swgpu's command set and of its commands' validation skip.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <linux/capability.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gpufe_test.h"

#define MAX_DEVS	16
#define FILL_VALUE	0xc0ffee11u
#define SEQNO_POISON	0xa5a5a5a5a5a5a5a5ULL

FIXTURE(submit) {
	int fd;
	int num_devs;
	__u32 devs[MAX_DEVS];	/* the swgpu devices */
	__u32 ctx;		/* compute0 of devs[0] */
	struct gpufe_buffer x;	/* two pages, what the baseline job fills */
	struct gpufe_buffer y;	/* two pages, what the baseline copy writes */
	struct gpufe_saved_params params;	/* to restore */
};

FIXTURE_SETUP(submit)
{
	const char *missing = NULL;
	int ret;

	self->fd = -1;
	ret = gpufe_fixture_open(&self->fd, self->devs, MAX_DEVS,
				 &self->num_devs, &missing);
	if (ret > 0)
		SKIP(return, "%s", missing);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &self->ctx));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 2 * sysconf(_SC_PAGESIZE),
					 &self->x));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 2 * sysconf(_SC_PAGESIZE),
					 &self->y));
}

/*
 * In the parent of the subtest's process, so that the parameters go back
 * even when the subtest died of a signal; its file went with it.
 */
FIXTURE_TEARDOWN_PARENT(submit)
{
	gpufe_params_restore(&self->params);
}

/* --- jobs built field by field, for the bad-* subtests -------------------- */

struct job {
	struct gpufe_submit s;
	struct gpufe_submit_bo bos[GPUFE_SUBMIT_MAX_BOS + 1];
	struct gpufe_cmds c;
};

/* Point the submit at the job's commands and its first num_bos buffers. */
static void job_seal(struct job *j, __u32 ctx, __u32 num_bos)
{
	j->s.ctx_id = ctx;
	j->s.cmds = (uintptr_t)j->c.buf;
	j->s.cmds_size = j->c.size;
	j->s.bos = (uintptr_t)j->bos;
	j->s.num_bos = num_bos;
}

/*
 * The baseline: fill all of x with FILL_VALUE; valid as it stands. On edu
 * (GPUFE_TEST_BACKEND) a FACTORIAL of EDU_MAX_FACTORIAL_N into x's first
 * word instead, with the same buffer list.
 */
static void job_fill(struct job *j, FIXTURE_DATA(submit) *self)
{
	memset(j, 0, sizeof(*j));
	j->bos[0].handle = self->x.handle;
	j->bos[0].flags = GPUFE_SUBMIT_BO_WRITE;
	if (gpufe_backend_swgpu())
		gpufe_emit_fill(&j->c, 0, 0, self->x.size, FILL_VALUE);
	else
		gpufe_emit_edu_factorial(&j->c, EDU_MAX_FACTORIAL_N, 0, 0);
	job_seal(j, self->ctx, 1);
}

/*
 * A job the other client's subtests submit: a NOP without buffers; on
 * another back-end, whose smallest job needs a buffer, the baseline.
 */
static void job_nop(struct job *j, FIXTURE_DATA(submit) *self)
{
	job_fill(j, self);
	if (!gpufe_backend_swgpu())
		return;
	j->s.num_bos = 0;
	j->c.size = 0;
	gpufe_emit_nop(&j->c);
	j->s.cmds_size = j->c.size;
}

/* The fill command of the baseline, to break one of its fields. */
static struct swgpu_cmd_fill fill_cmd(FIXTURE_DATA(submit) *self)
{
	struct swgpu_cmd_fill f = {
		.opcode = SWGPU_CMD_FILL,
		.bo = 0,
		.offset = 0,
		.length = self->x.size,
		.value = FILL_VALUE,
	};

	return f;
}

/* A job of exactly one command, with the baseline's buffer list. */
static void job_one_cmd(struct job *j, FIXTURE_DATA(submit) *self,
			const void *cmd, size_t size)
{
	job_fill(j, self);
	j->c.size = 0;
	gpufe_cmds_add(&j->c, cmd, size);
	j->s.cmds_size = j->c.size;
}

/* The copy baseline: x (read) to y (written), one page. */
static void job_copy(struct job *j, FIXTURE_DATA(submit) *self)
{
	memset(j, 0, sizeof(*j));
	j->bos[0].handle = self->x.handle;
	j->bos[0].flags = GPUFE_SUBMIT_BO_READ;
	j->bos[1].handle = self->y.handle;
	j->bos[1].flags = GPUFE_SUBMIT_BO_WRITE;
	gpufe_emit_copy(&j->c, 0, 0, 1, 0, sysconf(_SC_PAGESIZE));
	job_seal(j, self->ctx, 2);
}

static struct swgpu_cmd_copy copy_cmd(void)
{
	struct swgpu_cmd_copy c = {
		.opcode = SWGPU_CMD_COPY,
		.src_bo = 0,
		.dst_bo = 1,
		.length = sysconf(_SC_PAGESIZE),
	};

	return c;
}

/* A job of exactly one command, with the copy baseline's buffer list. */
static void job_one_copy_cmd(struct job *j, FIXTURE_DATA(submit) *self,
			     const void *cmd, size_t size)
{
	job_copy(j, self);
	j->c.size = 0;
	gpufe_cmds_add(&j->c, cmd, size);
	j->s.cmds_size = j->c.size;
}

/*
 * Submit a NOP (the back-end's smallest job) on ctx, a compute context,
 * and wait for it; its seqno, or 0 on failure.
 */
static __u64 run_nop(int fd, __u32 ctx)
{
	__u64 seqno;

	if (gpufe_submit_min(fd, ctx, GPUFE_ENGINE_CLASS_COMPUTE, &seqno))
		return 0;
	return gpufe_sync(fd, ctx, seqno) ? 0 : seqno;
}

/*
 * Submit a job that must be refused with err (fmt says what it breaks, for
 * the log) and check that nothing happened: no output written, no sequence
 * number taken, x and y unchanged once a NOP queued after it has completed
 * (the jobs of a context complete in order, so a job queued by mistake
 * would have run by then).
 */
static void __attribute__((format(printf, 5, 6)))
expect_rejected(struct __test_metadata *_metadata, FIXTURE_DATA(submit) *self,
		struct job *j, int err, const char *fmt, ...)
{
	struct gpufe_ctx_status before, after;
	size_t size = self->x.size;
	void *x0 = malloc(size), *y0 = malloc(size);
	__s32 out_fd = j->s.out_fence_fd;
	int was = _metadata->exit_code;
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	ASSERT_NE(NULL, x0);
	ASSERT_NE(NULL, y0);
	memcpy(x0, self->x.map, size);
	memcpy(y0, self->y.map, size);
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx, &before));

	j->s.seqno = SEQNO_POISON;
	EXPECT_EQ(err, gpufe_ioctl(self->fd, GPUFE_IOCTL_SUBMIT, &j->s));
	EXPECT_EQ(SEQNO_POISON, j->s.seqno);
	EXPECT_EQ(out_fd, j->s.out_fence_fd);

	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx, &after));
	EXPECT_EQ(before.submitted, after.submitted);
	EXPECT_EQ(before.submitted + 1, run_nop(self->fd, self->ctx));
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx, &after));
	EXPECT_EQ(0, after.error);
	EXPECT_EQ(0, memcmp(x0, self->x.map, size));
	EXPECT_EQ(0, memcmp(y0, self->y.map, size));
	if (_metadata->exit_code != was)
		TH_LOG("the refused job: %s", what);
	free(x0);
	free(y0);
}

/* Submit a job that must be accepted and wait for it; its seqno. */
static __u64 expect_runs(struct __test_metadata *_metadata,
			 FIXTURE_DATA(submit) *self, struct job *j)
{
	struct gpufe_ctx_status st;

	EXPECT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_SUBMIT, &j->s));
	if (_metadata->exit_code)
		return 0;
	EXPECT_EQ(0, gpufe_sync(self->fd, j->s.ctx_id, j->s.seqno));
	EXPECT_EQ(0, gpufe_get_status(self->fd, j->s.ctx_id, &st));
	EXPECT_EQ(0, st.error);
	return j->s.seqno;
}

static void *unmapped_page(void)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, page);
	return p;
}

/* --- the command set ------------------------------------------------------ */

TEST_F(submit, basic_nop)
{
	struct gpufe_ctx_status st;
	struct gpufe_cmds c = { 0 };
	__u32 ctx2;
	__u64 seqno;
	int i;

	describe("NOP jobs get sequence numbers 1, 2, 3 per context, and STATUS follows them");
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx, &st));
	EXPECT_EQ(0, st.submitted);
	EXPECT_EQ(0, st.completed);
	EXPECT_EQ(0, st.error);
	EXPECT_EQ(GPUFE_CTX_STATE_ACTIVE, st.state);

	gpufe_emit_nop(&c);
	for (i = 1; i <= 3; i++) {
		seqno = 0;
		if (gpufe_backend_swgpu()) {
			ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c,
						       NULL, 0, &seqno));
		} else {
			ASSERT_EQ(0, gpufe_submit_min(self->fd, self->ctx,
						      GPUFE_ENGINE_CLASS_COMPUTE,
						      &seqno));
		}
		EXPECT_EQ(i, seqno);
		ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx, &st));
		EXPECT_EQ(i, st.submitted);
		ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, seqno));
		ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx, &st));
		EXPECT_EQ(i, st.submitted);
		EXPECT_EQ(i, st.completed);
		EXPECT_EQ(0, st.error);
	}

	/* Another context counts on its own. */
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx2));
	if (gpufe_backend_swgpu()) {
		ASSERT_EQ(0, gpufe_submit_cmds(self->fd, ctx2, &c, NULL, 0, &seqno));
	} else {
		ASSERT_EQ(0, gpufe_submit_min(self->fd, ctx2,
					      GPUFE_ENGINE_CLASS_COMPUTE, &seqno));
	}
	EXPECT_EQ(1, seqno);
	EXPECT_EQ(0, gpufe_sync(self->fd, ctx2, seqno));
}

TEST_F(submit, basic_fill)
{
	struct gpufe_submit_bo bo = { self->x.handle, GPUFE_SUBMIT_BO_WRITE };
	const size_t words = self->x.size / 4;
	struct gpufe_cmds c = { 0 };
	const __u32 *w = self->x.map;
	__u64 seqno;
	size_t i;

	describe("FILL writes its value to every word of its range and nothing else");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's FILL");
	gpufe_emit_fill(&c, 0, 0, self->x.size, 0x11111111);
	gpufe_emit_fill(&c, 0, 4096 + 12, 400, 0x22222222);
	gpufe_emit_fill(&c, 0, self->x.size - 8, 4, 0x33333333);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c, &bo, 1, &seqno));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, seqno));
	for (i = 0; i < words; i++) {
		__u32 want = 0x11111111;

		if (i >= (4096 + 12) / 4 && i < (4096 + 12 + 400) / 4)
			want = 0x22222222;
		if (i == words - 2)
			want = 0x33333333;
		ASSERT_EQ(want, w[i]) {
			TH_LOG("word %zu", i);
		}
	}
}

TEST_F(submit, basic_copy)
{
	struct gpufe_submit_bo bos[] = {
		{ self->x.handle, GPUFE_SUBMIT_BO_READ },
		{ self->y.handle, GPUFE_SUBMIT_BO_WRITE },
	};
	const unsigned char *src = self->x.map, *dst = self->y.map;
	struct gpufe_cmds c = { 0 };
	__u64 seqno;
	size_t i;

	describe("COPY copies unaligned byte ranges between buffers and within one, touching nothing else");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's COPY (any length, on a compute engine)");
	for (i = 0; i < self->x.size; i++)
		((unsigned char *)self->x.map)[i] = (unsigned char)(i * 7 + 3);
	gpufe_emit_copy(&c, 0, 3, 1, 5, 1001);
	/* Within y, from its copied range to a disjoint one. */
	gpufe_emit_copy(&c, 1, 5, 1, 4096 + 1, 1001);
	bos[1].flags |= GPUFE_SUBMIT_BO_READ;
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c, bos, 2, &seqno));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, seqno));
	for (i = 0; i < self->y.size; i++) {
		unsigned char want = 0;

		if (i >= 5 && i < 5 + 1001)
			want = src[i - 5 + 3];
		else if (i >= 4097 && i < 4097 + 1001)
			want = src[i - 4097 + 3];
		ASSERT_EQ(want, dst[i]) {
			TH_LOG("byte %zu", i);
		}
	}
}

TEST_F(submit, copy_across_gpus)
{
	struct gpufe_bo_export e = {
		.handle = self->x.handle,
		.flags = GPUFE_BO_EXPORT_CLOEXEC | GPUFE_BO_EXPORT_RDWR,
	};
	struct gpufe_bo_import imp = { 0 };
	struct gpufe_submit_bo bos_a[1], bos_b[2];
	struct gpufe_cmds a = { 0 }, b = { 0 };
	__u32 ctx_b;
	__u64 seq_a, seq_b;
	__u16 cls;
	void *xi;

	describe("A buffer filled on one GPU and copied by another, through its dma-buf import, arrives whole");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's DELAY_US and FILL");
	if (self->num_devs < 2)
		SKIP(return, "needs two swgpu devices");
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_EXPORT, &e));
	ASSERT_LE(0, e.fd);
	imp.fd = e.fd;
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_IMPORT, &imp));
	close(e.fd);
	EXPECT_EQ(self->x.size, imp.size);

	/* The import is the same memory. */
	xi = mmap(NULL, imp.size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		  imp.mmap_offset);
	ASSERT_NE(MAP_FAILED, xi);
	((__u32 *)self->x.map)[7] = 0x5eed;
	EXPECT_EQ(0x5eed, ((__u32 *)xi)[7]);
	munmap(xi, imp.size);

	cls = gpufe_engine_count(self->fd, self->devs[1], GPUFE_ENGINE_CLASS_COPY) > 0 ?
	      GPUFE_ENGINE_CLASS_COPY : GPUFE_ENGINE_CLASS_COMPUTE;
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[1], cls, 0, &ctx_b));

	/* A is slow: B must wait for it through the buffer's dma_resv. */
	bos_a[0] = (struct gpufe_submit_bo){ self->x.handle, GPUFE_SUBMIT_BO_WRITE };
	gpufe_emit_delay(&a, 20000);
	gpufe_emit_fill(&a, 0, 0, self->x.size, FILL_VALUE);
	bos_b[0] = (struct gpufe_submit_bo){ imp.handle, GPUFE_SUBMIT_BO_READ };
	bos_b[1] = (struct gpufe_submit_bo){ self->y.handle, GPUFE_SUBMIT_BO_WRITE };
	gpufe_emit_copy(&b, 0, 0, 1, 0, self->x.size);

	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &a, bos_a, 1, &seq_a));
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, ctx_b, &b, bos_b, 2, &seq_b));
	ASSERT_EQ(0, gpufe_sync(self->fd, ctx_b, seq_b));
	EXPECT_EQ(-1, gpufe_find_not(self->y.map, self->y.size / 4, FILL_VALUE));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, seq_a));
	EXPECT_EQ(-1, gpufe_find_not(self->x.map, self->x.size / 4, FILL_VALUE));
}

TEST_F(submit, basic_vadd)
{
	struct gpufe_submit_bo bos[] = {
		{ self->x.handle, GPUFE_SUBMIT_BO_READ | GPUFE_SUBMIT_BO_WRITE },
		{ self->y.handle, GPUFE_SUBMIT_BO_WRITE },
	};
	const size_t n = 1000;
	__u32 *a = self->x.map, *b = a + 1024, *dst = self->y.map;
	__u32 want[1000];
	struct gpufe_cmds c = { 0 };
	__u64 seqno;
	size_t i;

	describe("VADD on a compute engine adds 32-bit vectors modulo 2^32, also in place");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's VADD");
	for (i = 0; i < n; i++) {
		a[i] = 0xfffffff0u + i * 3;
		b[i] = (__u32)i ^ 0x5a5a5a5au;
		want[i] = a[i] + b[i];
	}
	gpufe_emit_vadd(&c, 0, 0, 0, 4096, 1, 8, n);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c, bos, 2, &seqno));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, seqno));
	EXPECT_EQ(0, dst[0]);
	EXPECT_EQ(0, dst[1]);
	EXPECT_EQ(0, memcmp(want, dst + 2, sizeof(want)));
	EXPECT_EQ(0, dst[2 + n]);

	/* In place: a += b. */
	c.size = 0;
	gpufe_emit_vadd(&c, 0, 0, 0, 4096, 0, 0, n);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c, bos, 1, &seqno));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, seqno));
	EXPECT_EQ(0, memcmp(want, a, sizeof(want)));
}

TEST_F(submit, delay)
{
	struct gpufe_submit_bo bx = { self->x.handle, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_submit_bo by = { self->y.handle, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_ctx_status st;
	struct gpufe_cmds c = { 0 };
	__s64 deadline;
	__u64 seqno;

	describe("DELAY_US jobs complete; WAIT on a running one with a passed or near deadline says ETIME, then 0");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's DELAY_US");
	gpufe_emit_delay(&c, 20000);
	gpufe_emit_fill(&c, 0, 0, self->x.size, FILL_VALUE);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c, &bx, 1, &seqno));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, seqno));
	EXPECT_EQ(-1, gpufe_find_not(self->x.map, self->x.size / 4, FILL_VALUE));

	/*
	 * The longest job one may ask for: it is still running when the
	 * next two calls return, a second before it ends.
	 */
	c.size = 0;
	gpufe_emit_delay(&c, SWGPU_MAX_DELAY_US);
	gpufe_emit_fill(&c, 0, 0, self->y.size, FILL_VALUE);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c, &by, 1, &seqno));
	EXPECT_EQ(-ETIME, gpufe_wait_until(self->fd, self->ctx, seqno, 0));
	deadline = gpufe_now_ns() + 10000000;
	EXPECT_EQ(-ETIME, gpufe_wait_until(self->fd, self->ctx, seqno, deadline));
	EXPECT_LE(deadline, gpufe_now_ns());
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx, &st));
	EXPECT_EQ(seqno - 1, st.completed);
	EXPECT_EQ(seqno, st.submitted);

	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, seqno));
	EXPECT_EQ(-1, gpufe_find_not(self->y.map, self->y.size / 4, FILL_VALUE));
	/* A deadline in the past polls: a completed job is done. */
	EXPECT_EQ(0, gpufe_wait_until(self->fd, self->ctx, seqno, 0));
	EXPECT_EQ(0, gpufe_wait_until(self->fd, self->ctx, 1, 0));
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx, &st));
	EXPECT_EQ(seqno, st.completed);
}

TEST_F(submit, timestamp)
{
	struct gpufe_submit_bo bo = { self->x.handle, GPUFE_SUBMIT_BO_WRITE };
	const __u64 *ts = self->x.map;
	struct gpufe_cmds c = { 0 };
	__u64 s1, s2;
	__s64 t0, t1;

	describe("TIMESTAMP writes CLOCK_MONOTONIC ns: non-zero, within the submit-to-wait window, increasing");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's TIMESTAMP");
	t0 = gpufe_now_ns();
	gpufe_emit_timestamp(&c, 0, 0);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c, &bo, 1, &s1));
	c.size = 0;
	gpufe_emit_timestamp(&c, 0, 4096 + 8);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c, &bo, 1, &s2));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, s2));
	t1 = gpufe_now_ns();

	EXPECT_NE(0, ts[0]);
	EXPECT_LE((__u64)t0, ts[0]);
	EXPECT_LE(ts[0], ts[(4096 + 8) / 8]);
	EXPECT_LE(ts[(4096 + 8) / 8], (__u64)t1);
	EXPECT_EQ(0, ts[1]);
}

#define IN_ORDER_JOBS 64

TEST_F(submit, in_order)
{
	struct gpufe_submit_bo bos[] = {
		{ self->x.handle, GPUFE_SUBMIT_BO_WRITE },
		{ self->y.handle, GPUFE_SUBMIT_BO_WRITE },
	};
	const __u64 *ts = self->y.map;
	struct gpufe_ctx_status st;
	__u64 seqno = 0;
	unsigned int i;

	describe("64 jobs of one context run and complete in submission order");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's TIMESTAMP");
	for (i = 1; i <= IN_ORDER_JOBS; i++) {
		struct gpufe_cmds c = { 0 };

		gpufe_emit_fill(&c, 0, 0, 4, i);
		gpufe_emit_timestamp(&c, 1, 8 * i);
		ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c, bos, 2, &seqno));
		ASSERT_EQ(i, seqno);
	}
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, seqno));
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx, &st));
	EXPECT_EQ(IN_ORDER_JOBS, st.completed);
	EXPECT_EQ(IN_ORDER_JOBS, ((__u32 *)self->x.map)[0]);
	for (i = 1; i <= IN_ORDER_JOBS; i++) {
		EXPECT_NE(0, ts[i]);
		if (i > 1) {
			EXPECT_LE(ts[i - 1], ts[i]) {
				TH_LOG("job %u ran before job %u", i, i - 1);
			}
		}
	}
}

/* Which engine classes may run an opcode (the table in gpufe_swgpu.h). */
static bool class_runs(__u16 engine_class, __u32 opcode)
{
	switch (opcode) {
	case SWGPU_CMD_FILL:
	case SWGPU_CMD_COPY:
		return engine_class == GPUFE_ENGINE_CLASS_COMPUTE ||
		       engine_class == GPUFE_ENGINE_CLASS_COPY;
	case SWGPU_CMD_VADD:
		return engine_class == GPUFE_ENGINE_CLASS_COMPUTE;
	default:
		return true;
	}
}

TEST_F(submit, engine_classes)
{
	static const __u32 opcodes[] = {
		SWGPU_CMD_NOP, SWGPU_CMD_FILL, SWGPU_CMD_COPY, SWGPU_CMD_VADD,
		SWGPU_CMD_DELAY_US, SWGPU_CMD_TIMESTAMP,
	};
	struct gpufe_submit_bo bos[] = {
		{ self->x.handle, GPUFE_SUBMIT_BO_READ | GPUFE_SUBMIT_BO_WRITE },
		{ self->y.handle, GPUFE_SUBMIT_BO_READ | GPUFE_SUBMIT_BO_WRITE },
	};
	struct gpufe_engine_info engines[64];
	unsigned int i, k;
	int n;

	describe("Every engine runs the commands of its class and refuses the others with EINVAL, queueing nothing");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's command set");
	n = gpufe_engines(self->fd, self->devs[0], engines, 64);
	ASSERT_LT(0, n);
	for (i = 0; i < (unsigned int)n && i < 64; i++) {
		const struct gpufe_engine_info *e = &engines[i];
		__u32 ctx;

		if (e->engine_class > GPUFE_ENGINE_CLASS_VIDEO)
			continue;
		ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
					      e->engine_class, e->engine_instance, &ctx));
		for (k = 0; k < ARRAY_SIZE(opcodes); k++) {
			struct gpufe_ctx_status before, after;
			struct gpufe_cmds c = { 0 };
			__u64 seqno = 0;
			int ret;

			switch (opcodes[k]) {
			case SWGPU_CMD_NOP:
				gpufe_emit_nop(&c);
				break;
			case SWGPU_CMD_FILL:
				gpufe_emit_fill(&c, 0, 0, 64, 1);
				break;
			case SWGPU_CMD_COPY:
				gpufe_emit_copy(&c, 0, 0, 1, 0, 64);
				break;
			case SWGPU_CMD_VADD:
				gpufe_emit_vadd(&c, 0, 0, 0, 64, 1, 0, 16);
				break;
			case SWGPU_CMD_DELAY_US:
				gpufe_emit_delay(&c, 1);
				break;
			case SWGPU_CMD_TIMESTAMP:
				gpufe_emit_timestamp(&c, 1, 0);
				break;
			}
			ASSERT_EQ(0, gpufe_get_status(self->fd, ctx, &before));
			ret = gpufe_submit_cmds(self->fd, ctx, &c, bos, 2, &seqno);
			if (class_runs(e->engine_class, opcodes[k])) {
				EXPECT_EQ(0, ret) {
					TH_LOG("%s refused opcode %u", e->name, opcodes[k]);
				}
				if (!ret) {
					EXPECT_EQ(0, gpufe_sync(self->fd, ctx, seqno));
				}
			} else {
				EXPECT_EQ(-EINVAL, ret) {
					TH_LOG("%s took opcode %u", e->name, opcodes[k]);
				}
			}
			ASSERT_EQ(0, gpufe_get_status(self->fd, ctx, &after));
			EXPECT_EQ(0, after.error);
			EXPECT_EQ(before.submitted + !ret, after.submitted);
		}
		EXPECT_EQ(0, gpufe_destroy_ctx(self->fd, ctx));
	}
}

TEST_F(submit, bo_destroy_while_busy)
{
	struct gpufe_submit_bo bo = { 0, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_bo_create cr = { .size = 1 << 20 };
	struct gpufe_ctx_status st;
	struct gpufe_cmds c = { 0 };
	__u64 seqno;

	describe("BO_DESTROY of a buffer a queued job writes succeeds; the job still runs and completes cleanly");
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_CREATE, &cr));
	bo.handle = cr.handle;
	if (gpufe_backend_swgpu()) {
		gpufe_emit_delay(&c, 20000);
		gpufe_emit_fill(&c, 0, 0, cr.size, FILL_VALUE);
	} else {
		gpufe_emit_edu_factorial(&c, EDU_MAX_FACTORIAL_N, 0, cr.size - 4);
	}
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c, &bo, 1, &seqno));
	ASSERT_EQ(0, gpufe_destroy_bo(self->fd, cr.handle));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, seqno));
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx, &st));
	EXPECT_EQ(0, st.error);
	EXPECT_EQ(seqno, st.completed);
}

/* --- contexts ------------------------------------------------------------- */

TEST_F(submit, ctx_basic)
{
	__u32 ids[MAX_DEVS * 64];
	unsigned int n = 0, i, j;
	int d;

	describe("A context on every engine of every GPU: distinct non-zero ids, fresh status, destroy once");
	ids[n++] = self->ctx;
	for (d = 0; d < self->num_devs; d++) {
		struct gpufe_engine_info engines[64];
		int ne = gpufe_engines(self->fd, self->devs[d], engines, 64);

		ASSERT_LT(0, ne);
		for (i = 0; i < (unsigned int)ne && i < 64; i++) {
			struct gpufe_ctx_status st;
			__u32 ctx = 0;

			ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[d],
						      engines[i].engine_class,
						      engines[i].engine_instance, &ctx));
			ASSERT_NE(0, ctx);
			for (j = 0; j < n; j++) {
				ASSERT_NE(ids[j], ctx);
			}
			ids[n++] = ctx;
			ASSERT_EQ(0, gpufe_get_status(self->fd, ctx, &st));
			EXPECT_EQ(ctx, st.ctx_id);
			EXPECT_EQ(0, st.submitted);
			EXPECT_EQ(0, st.completed);
			EXPECT_EQ(0, st.error);
			EXPECT_EQ(GPUFE_CTX_STATE_ACTIVE, st.state);
		}
	}
	for (j = 1; j < n; j++) {
		struct gpufe_ctx_status st;

		EXPECT_EQ(0, gpufe_destroy_ctx(self->fd, ids[j]));
		EXPECT_EQ(-ENOENT, gpufe_destroy_ctx(self->fd, ids[j]));
		EXPECT_EQ(-ENOENT, gpufe_get_status(self->fd, ids[j], &st));
	}
	/* The others are untouched. */
	EXPECT_EQ(1, run_nop(self->fd, self->ctx));
}

static bool has_cap_sys_nice(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_TO_INDEX(CAP_SYS_NICE)].effective & CAP_TO_MASK(CAP_SYS_NICE);
}

static int drop_cap_sys_nice(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_TO_INDEX(CAP_SYS_NICE)].effective &= ~CAP_TO_MASK(CAP_SYS_NICE);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

static int create_prio(int fd, __u32 dev, __s32 priority, __u32 *ctx)
{
	struct gpufe_ctx_create c = {
		.device_id = dev,
		.engine_class = GPUFE_ENGINE_CLASS_COMPUTE,
		.priority = priority,
	};
	int ret = gpufe_ioctl(fd, GPUFE_IOCTL_CTX_CREATE, &c);

	if (!ret && ctx)
		*ctx = c.ctx_id;
	return ret;
}

TEST_F(submit, ctx_priority)
{
	__u32 ctx;
	pid_t child;
	int status;

	describe("LOW and NORMAL contexts need nothing; HIGH needs CAP_SYS_NICE and fails with EPERM without it");
	ASSERT_EQ(0, create_prio(self->fd, self->devs[0], GPUFE_PRIORITY_LOW, &ctx));
	EXPECT_EQ(1, run_nop(self->fd, ctx));
	ASSERT_EQ(0, create_prio(self->fd, self->devs[0], GPUFE_PRIORITY_NORMAL, &ctx));
	EXPECT_EQ(1, run_nop(self->fd, ctx));
	if (has_cap_sys_nice()) {
		ASSERT_EQ(0, create_prio(self->fd, self->devs[0], GPUFE_PRIORITY_HIGH, &ctx));
		EXPECT_EQ(1, run_nop(self->fd, ctx));
	} else {
		EXPECT_EQ(-EPERM, create_prio(self->fd, self->devs[0],
					      GPUFE_PRIORITY_HIGH, &ctx));
	}

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		int fd;

		if (drop_cap_sys_nice())
			_exit(10);
		fd = gpufe_open();
		if (fd < 0)
			_exit(11);
		if (create_prio(fd, self->devs[0], GPUFE_PRIORITY_HIGH, NULL) != -EPERM)
			_exit(12);
		if (create_prio(fd, self->devs[0], GPUFE_PRIORITY_LOW, NULL))
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("the child without CAP_SYS_NICE failed check %d",
		       WEXITSTATUS(status) - 10);
	}
}

TEST_F_TIMEOUT(submit, ctx_limit, 120)
{
	long long max = gpufe_read_ull(GPUFE_PARAMS "/max_contexts");
	struct gpufe_ctx_create c;
	__u32 first = 0, ctx;
	long long n;

	describe("A client holds at most max_contexts contexts: one more fails with EMFILE until one is destroyed");
	if (max < 0)
		SKIP(return, "no /sys/module/gpufe/parameters/max_contexts");
	if (max > 65536)
		SKIP(return, "max_contexts %lld is too many to create", max);
	/* The fixture holds one already. */
	for (n = 1; n < max; n++) {
		ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
					      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx)) {
			TH_LOG("context %lld of %lld", n + 1, max);
		}
		if (n == 1)
			first = ctx;
	}
	memset(&c, 0, sizeof(c));
	c.device_id = self->devs[0];
	EXPECT_EQ(-EMFILE, gpufe_ioctl(self->fd, GPUFE_IOCTL_CTX_CREATE, &c));
	EXPECT_EQ(0, c.ctx_id);
	ASSERT_EQ(0, gpufe_destroy_ctx(self->fd, max > 1 ? first : self->ctx));
	EXPECT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_CTX_CREATE, &c));
	c.ctx_id = 0;
	EXPECT_EQ(-EMFILE, gpufe_ioctl(self->fd, GPUFE_IOCTL_CTX_CREATE, &c));
}

/* max_contexts while ctx-limit-unread-events runs, and its rounds. */
#define UNREAD_MAX_CTXS	8
#define UNREAD_ROUNDS	(3 * UNREAD_MAX_CTXS)

/* Read a non-blocking file's events into ev (up to n): how many, or -errno. */
static int read_all_events(int fd, struct gpufe_event *ev, int n)
{
	int got = 0;

	while (got < n) {
		ssize_t r = read(fd, &ev[got], (n - got) * sizeof(*ev));

		if (r < 0)
			return errno == EAGAIN ? got : -errno;
		got += r / sizeof(*ev);
	}
	return got;
}

TEST_F_TIMEOUT(submit, ctx_limit_unread_events, 60)
{
	struct gpufe_event ev[UNREAD_MAX_CTXS + 1];
	__u32 ctx[UNREAD_ROUNDS];
	long long ctxs = gpufe_counter("contexts");
	int fd, i, j, n;

	describe("Unread completion events of destroyed contexts are bounded by max_contexts: a client that never reads them goes on creating contexts, and no more than max_contexts of them stay alive for their events");
	GPUFE_SKIP_IN_PARTITION("sets max_contexts and counts the whole device's contexts (debugfs gpufe/counters)");
	ASSERT_LE(0, ctxs) {
		TH_LOG("debugfs gpufe/counters has no contexts");
	}
	ASSERT_EQ(0, gpufe_param_set(&self->params, "max_contexts",
				     UNREAD_MAX_CTXS));
	fd = gpufe_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, gpufe_set_nonblock(fd));

	for (i = 0; i < UNREAD_ROUNDS; i++) {
		ASSERT_EQ(0, gpufe_create_ctx(fd, self->devs[0],
					      GPUFE_ENGINE_CLASS_COMPUTE, 0,
					      &ctx[i])) {
			TH_LOG("round %d of %d", i + 1, UNREAD_ROUNDS);
		}
		ASSERT_EQ(1, run_nop(fd, ctx[i]));
		ASSERT_EQ(0, gpufe_destroy_ctx(fd, ctx[i]));
	}
	/* Those kept for their events, no more (the rest is freed by work). */
	EXPECT_GE(ctxs + UNREAD_MAX_CTXS,
		  gpufe_counter_at_most("contexts", ctxs + UNREAD_MAX_CTXS));

	/* The first max_contexts events were kept, with their jobs. */
	n = read_all_events(fd, ev, UNREAD_MAX_CTXS + 1);
	EXPECT_EQ(UNREAD_MAX_CTXS, n);
	for (i = 0; i < n && i < UNREAD_MAX_CTXS; i++) {
		for (j = 0; j < UNREAD_MAX_CTXS && ev[i].ctx_id != ctx[j]; j++)
			;
		EXPECT_GT(UNREAD_MAX_CTXS, j) {
			TH_LOG("event %d names context %u", i, ev[i].ctx_id);
		}
		EXPECT_EQ(1, ev[i].seqno);
	}

	close(fd);
	EXPECT_EQ(ctxs, gpufe_counter_at_most("contexts", ctxs));
}

TEST_F(submit, ctx_destroy_while_busy)
{
	struct job j;
	int ioctl_err;

	describe("CTX_DESTROY with a job queued: the job still runs and its fence signals without error");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's DELAY_US, for a job still queued");
	job_fill(&j, self);
	j.c.size = 0;
	gpufe_emit_delay(&j.c, 20000);
	gpufe_emit_fill(&j.c, 0, 0, self->x.size, FILL_VALUE);
	j.s.cmds_size = j.c.size;
	j.s.flags = GPUFE_SUBMIT_OUT_FENCE;
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_SUBMIT, &j.s));
	ASSERT_LE(0, j.s.out_fence_fd);
	ASSERT_EQ(0, gpufe_destroy_ctx(self->fd, self->ctx));
	EXPECT_EQ(-ENOENT, gpufe_wait_until(self->fd, self->ctx, j.s.seqno, 0));

	ASSERT_EQ(POLLIN, gpufe_poll_fd(j.s.out_fence_fd, POLLIN, GPUFE_TIMEOUT_MS));
	EXPECT_EQ(1, gpufe_fence_status(j.s.out_fence_fd, NULL, &ioctl_err));
	EXPECT_EQ(0, ioctl_err);
	EXPECT_EQ(-1, gpufe_find_not(self->x.map, self->x.size / 4, FILL_VALUE));
	close(j.s.out_fence_fd);
}

/* --- other clients -------------------------------------------------------- */

TEST_F(submit, isolation_other_fd)
{
	struct gpufe_ctx_status st;
	struct job j;
	__u32 ctx2;
	int fd2;

	describe("Another open file of the same process cannot name this file's contexts or buffers: ENOENT");
	job_fill(&j, self);
	fd2 = gpufe_open();
	ASSERT_LE(0, fd2);
	/* fd2 has no context and no buffer, so no id can name one of its own. */
	EXPECT_EQ(-ENOENT, gpufe_get_status(fd2, self->ctx, &st));
	EXPECT_EQ(-ENOENT, gpufe_wait_until(fd2, self->ctx, 1, 0));
	job_nop(&j, self);
	EXPECT_EQ(-ENOENT, gpufe_ioctl(fd2, GPUFE_IOCTL_SUBMIT, &j.s));
	EXPECT_EQ(-ENOENT, gpufe_destroy_ctx(fd2, self->ctx));

	/* Its own context with this file's buffer. */
	job_fill(&j, self);
	ASSERT_EQ(0, gpufe_create_ctx(fd2, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx2));
	j.s.ctx_id = ctx2;
	EXPECT_EQ(-ENOENT, gpufe_ioctl(fd2, GPUFE_IOCTL_SUBMIT, &j.s));
	close(fd2);

	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx, &st));
	EXPECT_EQ(0, st.submitted);
	EXPECT_EQ(-1, gpufe_find_not(self->x.map, self->x.size / 4, 0));
	EXPECT_EQ(1, run_nop(self->fd, self->ctx));
}

TEST_F(submit, isolation_other_process)
{
	struct gpufe_ctx_status st;
	pid_t child;
	int status;

	describe("A forked child with its own file cannot use its parent's context or buffer handles: ENOENT");
	ASSERT_EQ(1, run_nop(self->fd, self->ctx));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		struct gpufe_ctx_status cst;
		struct job j;
		__u32 ctx;
		int fd = gpufe_open();

		if (fd < 0)
			_exit(10);
		if (gpufe_get_status(fd, self->ctx, &cst) != -ENOENT)
			_exit(11);
		if (gpufe_wait_until(fd, self->ctx, 1, 0) != -ENOENT)
			_exit(12);
		job_nop(&j, self);
		if (gpufe_ioctl(fd, GPUFE_IOCTL_SUBMIT, &j.s) != -ENOENT)
			_exit(13);
		if (gpufe_destroy_ctx(fd, self->ctx) != -ENOENT)
			_exit(14);
		if (gpufe_create_ctx(fd, self->devs[0],
				     GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx))
			_exit(15);
		job_fill(&j, self);
		j.s.ctx_id = ctx;
		if (gpufe_ioctl(fd, GPUFE_IOCTL_SUBMIT, &j.s) != -ENOENT)
			_exit(16);
		if (gpufe_destroy_bo(fd, self->x.handle) != -ENOENT)
			_exit(17);
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("the child's check %d failed", WEXITSTATUS(status) - 10);
	}
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx, &st));
	EXPECT_EQ(1, st.submitted);
	EXPECT_EQ(-1, gpufe_find_not(self->x.map, self->x.size / 4, 0));
	EXPECT_EQ(2, run_nop(self->fd, self->ctx));
}

/* --- CTX_CREATE, CTX_DESTROY, CTX_STATUS validation ------------------------ */

static struct gpufe_ctx_create ctx_create_arg(FIXTURE_DATA(submit) *self)
{
	struct gpufe_ctx_create c = {
		.device_id = self->devs[0],
		.engine_class = GPUFE_ENGINE_CLASS_COMPUTE,
		.engine_instance = 0,
		.priority = GPUFE_PRIORITY_NORMAL,
	};

	return c;
}

/* CTX_CREATE must fail with err, leaving ctx_id as it was. */
static void expect_ctx_refused(struct __test_metadata *_metadata, int fd,
			       struct gpufe_ctx_create *c, int err)
{
	c->ctx_id = 0;
	EXPECT_EQ(err, gpufe_ioctl(fd, GPUFE_IOCTL_CTX_CREATE, c));
	EXPECT_EQ(0, c->ctx_id);
}

TEST_F(submit, bad_ctx_flags)
{
	unsigned int bit;

	describe("Every flags bit of CTX_CREATE is reserved and fails with EINVAL");
	for (bit = 0; bit < 32; bit++) {
		struct gpufe_ctx_create c = ctx_create_arg(self);

		c.flags = 1u << bit;
		expect_ctx_refused(_metadata, self->fd, &c, -EINVAL);
	}
}

TEST_F(submit, bad_ctx_pad)
{
	struct gpufe_ctx_create c = ctx_create_arg(self);

	describe("CTX_CREATE with a non-zero pad fails with EINVAL");
	c.pad = 1;
	expect_ctx_refused(_metadata, self->fd, &c, -EINVAL);
	c.pad = 0x80000000u;
	expect_ctx_refused(_metadata, self->fd, &c, -EINVAL);
}

TEST_F(submit, bad_priority)
{
	static const __s32 prios[] = {
		GPUFE_PRIORITY_LOW - 1, GPUFE_PRIORITY_HIGH + 1, INT_MAX, INT_MIN,
	};
	unsigned int i;

	describe("CTX_CREATE with a priority outside LOW..HIGH fails with EINVAL");
	for (i = 0; i < ARRAY_SIZE(prios); i++) {
		struct gpufe_ctx_create c = ctx_create_arg(self);

		c.priority = prios[i];
		expect_ctx_refused(_metadata, self->fd, &c, -EINVAL);
	}
}

TEST_F(submit, bad_device)
{
	__u32 ids[] = { 0, ~0u, 0 };
	unsigned int i;

	describe("CTX_CREATE on device id 0 or an id no device has fails with ENODEV");
	ids[2] = self->devs[self->num_devs - 1] + 1000;
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		struct gpufe_ctx_create c = ctx_create_arg(self);

		c.device_id = ids[i];
		expect_ctx_refused(_metadata, self->fd, &c, -ENODEV);
	}
}

TEST_F(submit, bad_engine_class)
{
	static const __u16 classes[] = { GPUFE_ENGINE_CLASS_VIDEO + 1, 0x7fff, 0xffff };
	unsigned int i;

	describe("CTX_CREATE on an engine class the device does not have fails with ENOENT");
	for (i = 0; i < ARRAY_SIZE(classes); i++) {
		struct gpufe_ctx_create c = ctx_create_arg(self);

		c.engine_class = classes[i];
		expect_ctx_refused(_metadata, self->fd, &c, -ENOENT);
	}
}

TEST_F(submit, bad_engine_instance)
{
	__u16 cls;

	describe("CTX_CREATE on an instance one past the last of its class, or 0xffff, fails with ENOENT");
	for (cls = GPUFE_ENGINE_CLASS_COMPUTE; cls <= GPUFE_ENGINE_CLASS_VIDEO; cls++) {
		struct gpufe_ctx_create c = ctx_create_arg(self);
		int n = gpufe_engine_count(self->fd, self->devs[0], cls);

		ASSERT_LE(0, n);
		c.engine_class = cls;
		c.engine_instance = n;
		expect_ctx_refused(_metadata, self->fd, &c, -ENOENT);
		c.engine_instance = 0xffff;
		expect_ctx_refused(_metadata, self->fd, &c, -ENOENT);
	}
}

TEST_F(submit, bad_ctx_destroy_handle)
{
	struct gpufe_ctx_status st;
	__u32 gone;

	describe("CTX_DESTROY of an id the file does not have fails with ENOENT and leaves others alone");
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &gone));
	ASSERT_EQ(0, gpufe_destroy_ctx(self->fd, gone));
	EXPECT_EQ(-ENOENT, gpufe_destroy_ctx(self->fd, gone));
	EXPECT_EQ(-ENOENT, gpufe_destroy_ctx(self->fd, 0));
	EXPECT_EQ(-ENOENT, gpufe_destroy_ctx(self->fd, ~0u));
	EXPECT_EQ(0, gpufe_get_status(self->fd, self->ctx, &st));
}

TEST_F(submit, bad_ctx_destroy_pad)
{
	struct gpufe_ctx_destroy d = { .ctx_id = self->ctx, .pad = 1 };
	struct gpufe_ctx_status st;

	describe("CTX_DESTROY with a non-zero pad fails with EINVAL and keeps the context");
	EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, GPUFE_IOCTL_CTX_DESTROY, &d));
	EXPECT_EQ(0, gpufe_get_status(self->fd, self->ctx, &st));
	EXPECT_EQ(1, run_nop(self->fd, self->ctx));
}

TEST_F(submit, bad_status_flags)
{
	unsigned int bit;

	describe("Every flags bit of CTX_STATUS is reserved and fails with EINVAL, writing nothing");
	for (bit = 0; bit < 32; bit++) {
		struct gpufe_ctx_status st = {
			.ctx_id = self->ctx,
			.flags = 1u << bit,
			.submitted = SEQNO_POISON,
			.completed = SEQNO_POISON,
		};

		EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, GPUFE_IOCTL_CTX_STATUS, &st));
		EXPECT_EQ(SEQNO_POISON, st.submitted);
		EXPECT_EQ(SEQNO_POISON, st.completed);
	}
}

TEST_F(submit, bad_status_ctx)
{
	const __u32 ids[] = { 0, ~0u, self->ctx + 1000 };
	unsigned int i;

	describe("CTX_STATUS of an id the file does not have fails with ENOENT");
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		struct gpufe_ctx_status st = {
			.ctx_id = ids[i],
			.submitted = SEQNO_POISON,
		};

		EXPECT_EQ(-ENOENT, gpufe_ioctl(self->fd, GPUFE_IOCTL_CTX_STATUS, &st));
		EXPECT_EQ(SEQNO_POISON, st.submitted);
	}
}

/* --- SUBMIT validation ---------------------------------------------------- */

TEST_F(submit, basic_baseline)
{
	struct job j;

	describe("The job every bad-* subtest breaks one field of is valid and fills x");
	if (gpufe_backend_edu()) {
		/* On edu: a FACTORIAL of EDU_MAX_FACTORIAL_N into x's first word. */
		job_fill(&j, self);
		EXPECT_EQ(1, expect_runs(_metadata, self, &j));
		EXPECT_EQ(gpufe_factorial(EDU_MAX_FACTORIAL_N),
			  ((__u32 *)self->x.map)[0]);
		EXPECT_EQ(-1, gpufe_find_not((__u32 *)self->x.map + 1,
					     self->x.size / 4 - 1, 0));
		return;
	}
	GPUFE_SKIP_UNLESS_SWGPU("a baseline job of the back-end");
	job_fill(&j, self);
	EXPECT_EQ(1, expect_runs(_metadata, self, &j));
	EXPECT_EQ(-1, gpufe_find_not(self->x.map, self->x.size / 4, FILL_VALUE));
	job_copy(&j, self);
	EXPECT_EQ(2, expect_runs(_metadata, self, &j));
	EXPECT_EQ(-1, gpufe_find_not(self->y.map, sysconf(_SC_PAGESIZE) / 4,
				     FILL_VALUE));
}

TEST_F(submit, bad_submit_flags)
{
	unsigned int bit;

	describe("SUBMIT with an unknown flags bit fails with EINVAL and queues nothing");
	for (bit = 2; bit < 32; bit++) {
		struct job j;

		job_fill(&j, self);
		j.s.flags = 1u << bit;
		expect_rejected(_metadata, self, &j, -EINVAL, "flags bit %u", bit);
	}
}

TEST_F(submit, bad_in_fence_fd)
{
	struct job j;
	struct gpufe_cmds c = { 0 };
	struct gpufe_submit s = { .ctx_id = self->ctx, .flags = GPUFE_SUBMIT_OUT_FENCE };

	describe("SUBMIT with an in_fence_fd but no IN_FENCE flag fails with EINVAL, even for a real sync_file");
	if (gpufe_backend_swgpu()) {
		gpufe_emit_nop(&c);
		s.cmds = (uintptr_t)c.buf;
		s.cmds_size = c.size;
		ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_SUBMIT, &s));
	} else {
		s.out_fence_fd = gpufe_submit_min_ex(self->fd, self->ctx,
						     GPUFE_ENGINE_CLASS_COMPUTE,
						     true, -1, &s.seqno);
	}
	ASSERT_LE(0, s.out_fence_fd);
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, s.seqno));

	job_fill(&j, self);
	j.s.in_fence_fd = s.out_fence_fd;
	expect_rejected(_metadata, self, &j, -EINVAL,
			"in_fence_fd %d without IN_FENCE", j.s.in_fence_fd);
	close(s.out_fence_fd);
}

TEST_F(submit, bad_cmds_size_zero)
{
	struct job j;

	describe("SUBMIT with cmds_size 0 fails with EINVAL");
	job_fill(&j, self);
	j.s.cmds_size = 0;
	expect_rejected(_metadata, self, &j, -EINVAL, "cmds_size 0");
}

TEST_F(submit, bad_cmds_size_unaligned)
{
	static const __u32 sizes[] = { 1, 2, 3, 30, 31, 33 };
	unsigned int i;

	describe("SUBMIT with a cmds_size that is not a multiple of 4 fails with EINVAL");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct job j;

		job_fill(&j, self);
		j.s.cmds_size = sizes[i];
		expect_rejected(_metadata, self, &j, -EINVAL, "cmds_size %u", sizes[i]);
	}
}

TEST_F(submit, bad_cmds_size_large)
{
	const size_t max = GPUFE_SUBMIT_MAX_CMDS_SIZE;
	__u32 *nops = malloc(max + 4);
	const __u32 sizes[] = { max + 4, 0x80000000u, ~3u };
	struct job j;
	unsigned int i;

	describe("SUBMIT of MAX_CMDS_SIZE bytes of NOPs runs; 4 bytes more, or far more, fails with EINVAL");
	GPUFE_SKIP_UNLESS_SWGPU("a stream of MAX_CMDS_SIZE bytes of swgpu NOPs");
	ASSERT_NE(NULL, nops);
	for (i = 0; i < (max + 4) / 4; i++)
		nops[i] = SWGPU_CMD_NOP;
	job_fill(&j, self);
	j.s.num_bos = 0;
	j.s.cmds = (uintptr_t)nops;
	j.s.cmds_size = max;
	EXPECT_EQ(1, expect_runs(_metadata, self, &j));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		j.s.cmds_size = sizes[i];
		expect_rejected(_metadata, self, &j, -EINVAL, "cmds_size %#x", sizes[i]);
	}
	free(nops);
}

TEST_F(submit, bad_num_bos)
{
	struct gpufe_buffer many[GPUFE_SUBMIT_MAX_BOS];
	struct job j;
	unsigned int i;

	describe("SUBMIT with MAX_BOS buffers runs; with one more fails with EINVAL");
	job_fill(&j, self);
	for (i = 0; i < GPUFE_SUBMIT_MAX_BOS; i++) {
		ASSERT_EQ(0, gpufe_buffer_create(self->fd, 1, &many[i]));
		j.bos[i + 1].handle = many[i].handle;
		j.bos[i + 1].flags = GPUFE_SUBMIT_BO_READ;
	}
	j.s.num_bos = GPUFE_SUBMIT_MAX_BOS;
	EXPECT_EQ(1, expect_runs(_metadata, self, &j));
	j.s.num_bos = GPUFE_SUBMIT_MAX_BOS + 1;
	expect_rejected(_metadata, self, &j, -EINVAL, "num_bos %u", j.s.num_bos);
	j.s.num_bos = ~0u;
	expect_rejected(_metadata, self, &j, -EINVAL, "num_bos %u", j.s.num_bos);
}

TEST_F(submit, bad_bo_flags_zero)
{
	struct job j;

	describe("A buffer list entry with no flags fails with EINVAL");
	job_fill(&j, self);
	j.bos[0].flags = 0;
	expect_rejected(_metadata, self, &j, -EINVAL, "bo flags 0");
}

TEST_F(submit, bad_bo_flags_unknown)
{
	unsigned int bit;

	describe("A buffer list entry with an unknown flags bit fails with EINVAL");
	for (bit = 2; bit < 32; bit++) {
		struct job j;

		job_fill(&j, self);
		j.bos[0].flags |= 1u << bit;
		expect_rejected(_metadata, self, &j, -EINVAL, "bo flags bit %u", bit);
	}
}

TEST_F(submit, bad_bo_twice)
{
	struct job j;

	describe("A buffer listed twice fails with EINVAL, with the same or different flags");
	job_fill(&j, self);
	j.bos[1] = j.bos[0];
	j.s.num_bos = 2;
	expect_rejected(_metadata, self, &j, -EINVAL, "x listed twice, WRITE both times");
	j.bos[1].flags = GPUFE_SUBMIT_BO_READ;
	expect_rejected(_metadata, self, &j, -EINVAL, "x listed WRITE, then READ");
}

TEST_F(submit, bad_bo_handle)
{
	__u32 handles[] = { 0, ~0u, 0 };
	struct gpufe_bo_create c = { .size = 1 };
	unsigned int i;

	describe("A buffer list entry with a handle the file does not have fails with ENOENT");
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_CREATE, &c));
	ASSERT_EQ(0, gpufe_destroy_bo(self->fd, c.handle));
	handles[2] = c.handle;
	for (i = 0; i < ARRAY_SIZE(handles); i++) {
		struct job j;

		job_fill(&j, self);
		j.bos[0].handle = handles[i];
		expect_rejected(_metadata, self, &j, -ENOENT, "bo handle %#x", handles[i]);
	}
}

TEST_F(submit, bad_ctx)
{
	__u32 ids[] = { 0, ~0u, 0 };
	unsigned int i;

	describe("SUBMIT on a context id the file does not have fails with ENOENT");
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ids[2]));
	ASSERT_EQ(0, gpufe_destroy_ctx(self->fd, ids[2]));
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		struct job j;

		job_fill(&j, self);
		j.s.ctx_id = ids[i];
		expect_rejected(_metadata, self, &j, -ENOENT, "ctx_id %#x", ids[i]);
	}
}

TEST_F(submit, bad_cmds_pointer)
{
	long page = sysconf(_SC_PAGESIZE);
	struct swgpu_cmd_fill f = fill_cmd(self);
	unsigned char *two;
	struct job j;

	describe("SUBMIT with a cmds pointer the kernel cannot read, wholly or in part, fails with EFAULT");
	job_fill(&j, self);
	j.s.cmds = 0;
	expect_rejected(_metadata, self, &j, -EFAULT, "cmds NULL");
	j.s.cmds = (uintptr_t)unmapped_page();
	expect_rejected(_metadata, self, &j, -EFAULT, "cmds unmapped");

	/* The command's first half at the end of a page, the rest unmapped. */
	two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, two);
	memcpy(two + page - sizeof(f) / 2, &f, sizeof(f) / 2);
	ASSERT_EQ(0, munmap(two + page, page));
	j.s.cmds = (uintptr_t)(two + page - sizeof(f) / 2);
	expect_rejected(_metadata, self, &j, -EFAULT, "cmds half mapped");
	munmap(two, page);
}

TEST_F(submit, bad_bos_pointer)
{
	struct job j;

	describe("SUBMIT with a bos pointer the kernel cannot read fails with EFAULT");
	job_fill(&j, self);
	j.s.bos = 0;
	expect_rejected(_metadata, self, &j, -EFAULT, "bos NULL");
	j.s.bos = (uintptr_t)unmapped_page();
	expect_rejected(_metadata, self, &j, -EFAULT, "bos unmapped");
}

TEST_F(submit, bad_opcode)
{
	static const __u32 opcodes[] = {
		0, SWGPU_CMD_HANG + 1, 0xff, 0x80000002u, ~0u,
	};
	unsigned int i;

	describe("A command with an unknown opcode fails with EINVAL");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's command format");
	for (i = 0; i < ARRAY_SIZE(opcodes); i++) {
		struct swgpu_cmd_fill f = fill_cmd(self);
		struct job j;

		f.opcode = opcodes[i];
		job_one_cmd(&j, self, &f, sizeof(f));
		expect_rejected(_metadata, self, &j, -EINVAL, "opcode %#x", opcodes[i]);
	}
}

TEST_F(submit, bad_cmd_truncated)
{
	struct swgpu_cmd_fill f = fill_cmd(self);
	__u32 size;

	describe("A stream that ends inside a command fails with EINVAL, alone or after a valid command");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's command format");
	for (size = 4; size < sizeof(f); size += 4) {
		struct job j;

		job_one_cmd(&j, self, &f, sizeof(f));
		j.s.cmds_size = size;
		expect_rejected(_metadata, self, &j, -EINVAL, "fill cut to %u bytes", size);

		/* A NOP, then the cut-off fill. */
		job_fill(&j, self);
		j.c.size = 0;
		gpufe_emit_nop(&j.c);
		gpufe_cmds_add(&j.c, &f, sizeof(f));
		j.s.cmds_size = 4 + size;
		expect_rejected(_metadata, self, &j, -EINVAL,
				"nop, then fill cut to %u bytes", size);
	}
}

TEST_F(submit, bad_cmd_pad)
{
	struct swgpu_cmd_fill f = fill_cmd(self);
	struct swgpu_cmd_copy c = copy_cmd();
	struct job j;

	describe("A command with a non-zero pad (FILL, COPY) fails with EINVAL");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's command format");
	f.pad = 1;
	job_one_cmd(&j, self, &f, sizeof(f));
	expect_rejected(_metadata, self, &j, -EINVAL, "fill pad %#x", f.pad);
	f.pad = 0x80000000u;
	job_one_cmd(&j, self, &f, sizeof(f));
	expect_rejected(_metadata, self, &j, -EINVAL, "fill pad %#x", f.pad);

	memset(self->x.map, 0x5a, self->x.size);
	c.pad = 1;
	job_one_copy_cmd(&j, self, &c, sizeof(c));
	expect_rejected(_metadata, self, &j, -EINVAL, "copy pad %#x", c.pad);
}

TEST_F(submit, bad_bo_index)
{
	/* The fill's list has 1 entry, the copy's 2. */
	static const __u32 idx[][2] = { { 1, 2 }, { 64, 64 }, { ~0u, ~0u } };
	unsigned int i;

	describe("A command naming a buffer index past the end of the list fails with EINVAL");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's FILL and COPY");
	memset(self->x.map, 0x5a, self->x.size);
	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		struct swgpu_cmd_fill f = fill_cmd(self);
		struct swgpu_cmd_copy c = copy_cmd();
		struct job j;

		f.bo = idx[i][0];
		job_one_cmd(&j, self, &f, sizeof(f));
		expect_rejected(_metadata, self, &j, -EINVAL, "fill bo %u", f.bo);

		c.dst_bo = idx[i][1];
		job_one_copy_cmd(&j, self, &c, sizeof(c));
		expect_rejected(_metadata, self, &j, -EINVAL, "copy dst_bo %u", c.dst_bo);
	}
}

/* A FILL of each (offset, length) in @ranges is rejected with EINVAL. */
static void expect_fills_rejected(struct __test_metadata *_metadata,
				  FIXTURE_DATA(submit) *self,
				  const __u64 (*ranges)[2], unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct swgpu_cmd_fill f = fill_cmd(self);
		struct job j;

		f.offset = ranges[i][0];
		f.length = ranges[i][1];
		job_one_cmd(&j, self, &f, sizeof(f));
		expect_rejected(_metadata, self, &j, -EINVAL, "ranges[%u]", i);
	}
}

TEST_F(submit, bad_fill_range)
{
	const __u64 size = self->x.size;
	const __u64 ranges[][2] = {
		{ size, 4 },			/* just past the end */
		{ 0, size + 4 },		/* one word too long */
		{ size - 4, 8 },		/* straddles the end */
		{ ~0ULL - 3, 8 },		/* offset + length wraps */
		{ 4, ~0ULL - 3 },		/* so does this */
		{ 1ULL << 62, 1ULL << 62 },
	};

	describe("FILL of a range outside its buffer, including ranges whose end wraps around, fails with EINVAL");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's FILL");
	expect_fills_rejected(_metadata, self, ranges, ARRAY_SIZE(ranges));
}

TEST_F(submit, bad_fill_align)
{
	const __u64 ranges[][2] = { { 2, 8 }, { 1, 4 }, { 0, 6 }, { 4, 1 } };

	describe("FILL with an offset or length that is not a multiple of 4 fails with EINVAL");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's FILL");
	expect_fills_rejected(_metadata, self, ranges, ARRAY_SIZE(ranges));
}

TEST_F(submit, bad_copy_range)
{
	const __u64 size = self->x.size;
	const __u64 cases[][3] = {	/* src_offset, dst_offset, length */
		{ size - 100, 0, 101 },
		{ 0, size - 100, 101 },
		{ 0, 0, size + 1 },
		{ ~0ULL - 9, 0, 20 },
		{ 0, ~0ULL - 9, 20 },
		{ 16, 16, ~0ULL - 7 },
	};
	unsigned int i;

	describe("COPY with a source or destination range outside its buffer, or wrapping, fails with EINVAL");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's COPY");
	memset(self->x.map, 0x5a, self->x.size);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct swgpu_cmd_copy c = copy_cmd();
		struct job j;

		c.src_offset = cases[i][0];
		c.dst_offset = cases[i][1];
		c.length = cases[i][2];
		job_one_copy_cmd(&j, self, &c, sizeof(c));
		expect_rejected(_metadata, self, &j, -EINVAL, "cases[%u]", i);
	}
}

TEST_F(submit, bad_copy_overlap)
{
	const __u64 cases[][2] = { { 0, 4 }, { 4, 0 }, { 100, 100 }, { 0, 4095 } };
	size_t i;

	describe("COPY within one buffer between overlapping ranges fails with EINVAL");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's COPY");
	for (i = 0; i < self->y.size; i++)
		((unsigned char *)self->y.map)[i] = (unsigned char)(i * 13 + 1);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct swgpu_cmd_copy c = copy_cmd();
		struct job j;

		c.src_bo = 1;
		c.src_offset = cases[i][0];
		c.dst_offset = cases[i][1];
		c.length = 4096;
		job_one_copy_cmd(&j, self, &c, sizeof(c));
		j.bos[1].flags |= GPUFE_SUBMIT_BO_READ;
		expect_rejected(_metadata, self, &j, -EINVAL, "cases[%zu]", i);
	}
}

/* A valid VADD over x and y: y[0..n) = x[0..n) + x[1024..1024+n). */
static struct swgpu_cmd_vadd vadd_cmd(void)
{
	struct swgpu_cmd_vadd v = {
		.opcode = SWGPU_CMD_VADD,
		.a_bo = 0, .b_bo = 0, .dst_bo = 1,
		.a_offset = 0, .b_offset = 4096, .dst_offset = 0,
		.count = 64,
	};

	return v;
}

TEST_F(submit, bad_vadd)
{
	const __u64 size = self->x.size;
	const struct {
		__u64 a_offset, b_offset, dst_offset, count;
	} cases[] = {
		{ 2, 4096, 0, 64 },		/* a misaligned */
		{ 0, 4097, 0, 64 },		/* b misaligned */
		{ 0, 4096, 6, 64 },		/* dst misaligned */
		{ size - 4, 4096, 0, 64 },	/* a runs past the end */
		{ 0, size, 0, 64 },		/* b starts at the end */
		{ 0, 4096, size - 252, 64 },	/* dst runs 4 bytes past */
		{ 0, 0, 0, size / 4 + 1 },	/* one element too many */
		{ 0, 0, 0, 1ULL << 62 },	/* count * 4 wraps to 0 */
		{ 0, 0, 0, (1ULL << 62) + 1 },	/* count * 4 wraps to 4 */
	};
	unsigned int i;

	describe("VADD with a misaligned offset, a range outside a buffer, or a count that wraps fails with EINVAL");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's VADD");
	memset(self->x.map, 0x5a, self->x.size);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct swgpu_cmd_vadd v = vadd_cmd();
		struct job j;

		v.a_offset = cases[i].a_offset;
		v.b_offset = cases[i].b_offset;
		v.dst_offset = cases[i].dst_offset;
		v.count = cases[i].count;
		job_one_copy_cmd(&j, self, &v, sizeof(v));
		expect_rejected(_metadata, self, &j, -EINVAL, "cases[%u]", i);
	}
}

TEST_F(submit, bad_timestamp)
{
	const __u64 offsets[] = { 4, 12, self->x.size - 4, self->x.size, ~0ULL - 7 };
	unsigned int i;

	describe("TIMESTAMP at an offset that is not a multiple of 8 or outside its buffer fails with EINVAL");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's TIMESTAMP");
	for (i = 0; i < ARRAY_SIZE(offsets); i++) {
		struct swgpu_cmd_timestamp t = {
			.opcode = SWGPU_CMD_TIMESTAMP,
			.bo = 0,
			.offset = offsets[i],
		};
		struct job j;

		job_one_cmd(&j, self, &t, sizeof(t));
		expect_rejected(_metadata, self, &j, -EINVAL, "offsets[%u]", i);
	}
}

TEST_F(submit, bad_write_readonly)
{
	struct job j;

	describe("A job that writes a buffer listed only for READ fails with EINVAL");
	job_fill(&j, self);
	j.bos[0].flags = GPUFE_SUBMIT_BO_READ;
	expect_rejected(_metadata, self, &j, -EINVAL, "fill of a READ-only x");
	if (!gpufe_backend_swgpu())
		return;		/* the copy of x to y is swgpu's */

	memset(self->x.map, 0x5a, self->x.size);
	job_copy(&j, self);
	j.bos[1].flags = GPUFE_SUBMIT_BO_READ;
	expect_rejected(_metadata, self, &j, -EINVAL, "copy to a READ-only y");
}

TEST_F(submit, bad_read_writeonly)
{
	struct job j;

	describe("A job that reads a buffer listed only for WRITE fails with EINVAL");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's COPY on a compute engine");
	memset(self->x.map, 0x5a, self->x.size);
	job_copy(&j, self);
	j.bos[0].flags = GPUFE_SUBMIT_BO_WRITE;
	expect_rejected(_metadata, self, &j, -EINVAL, "copy from a WRITE-only x");
}

TEST_F(submit, bad_delay)
{
	static const __u32 delays[][2] = {
		{ SWGPU_MAX_DELAY_US + 1, 0 },
		{ SWGPU_MAX_DELAY_US / 2 + 1, SWGPU_MAX_DELAY_US / 2 },
		{ ~0u, 0 },
		{ 0x80000000u, 0x80000000u },	/* the sum wraps to 0 in 32 bits */
		{ ~0u, 1 },			/* and to 0 this way */
	};
	unsigned int i;

	describe("Jobs asking for more than SWGPU_MAX_DELAY_US of delay in all, however it adds up, fail with EINVAL");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's DELAY_US");
	for (i = 0; i < ARRAY_SIZE(delays); i++) {
		struct job j;

		job_fill(&j, self);
		j.c.size = 0;
		gpufe_emit_delay(&j.c, delays[i][0]);
		if (delays[i][1])
			gpufe_emit_delay(&j.c, delays[i][1]);
		gpufe_emit_fill(&j.c, 0, 0, self->x.size, FILL_VALUE);
		j.s.cmds_size = j.c.size;
		expect_rejected(_metadata, self, &j, -EINVAL, "delays %u + %u",
				delays[i][0], delays[i][1]);
	}
}

TEST_F(submit, bad_job_bytes)
{
	const __u64 half = 16ull << 20;
	struct gpufe_submit_bo bos[1];
	struct gpufe_ctx_status before, after;
	struct gpufe_buffer big;
	struct gpufe_cmds c = { 0 };
	unsigned int i, n;
	__u64 seqno = SEQNO_POISON;

	describe("A job whose commands touch more than SWGPU_MAX_JOB_BYTES in all fails with EINVAL and changes nothing");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's SWGPU_MAX_JOB_BYTES");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 2 * half, &big));
	bos[0].handle = big.handle;
	bos[0].flags = GPUFE_SUBMIT_BO_READ | GPUFE_SUBMIT_BO_WRITE;
	memset(big.map, 0x5a, half);
	memset((char *)big.map + half, 0, half);

	/* Each COPY counts its source and its destination: 32 MiB. */
	n = SWGPU_MAX_JOB_BYTES / (2 * half) + 1;
	for (i = 0; i < n; i++)
		gpufe_emit_copy(&c, 0, 0, 0, half, half);

	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx, &before));
	EXPECT_EQ(-EINVAL, gpufe_submit_cmds(self->fd, self->ctx, &c, bos, 1,
					     &seqno));
	EXPECT_EQ(SEQNO_POISON, seqno);
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx, &after));
	EXPECT_EQ(before.submitted, after.submitted);
	EXPECT_EQ(before.submitted + 1, run_nop(self->fd, self->ctx));
	EXPECT_EQ(0, ((volatile __u8 *)big.map)[half]);
	EXPECT_EQ(0, ((volatile __u8 *)big.map)[2 * half - 1]);
	EXPECT_EQ(0, gpufe_buffer_destroy(self->fd, &big));
}

/* --- WAIT validation ------------------------------------------------------ */

TEST_F(submit, bad_wait_flags)
{
	unsigned int bit;

	describe("Every flags bit of WAIT is reserved and fails with EINVAL");
	ASSERT_EQ(1, run_nop(self->fd, self->ctx));
	for (bit = 0; bit < 32; bit++) {
		struct gpufe_wait w = {
			.ctx_id = self->ctx,
			.flags = 1u << bit,
			.seqno = 1,
			.timeout_ns = gpufe_now_ns() + GPUFE_TIMEOUT_NS,
		};

		EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, GPUFE_IOCTL_WAIT, &w));
	}
}

TEST_F(submit, bad_wait_seqno)
{
	const __u64 seqnos[] = { 0, 2, 3, ~0ULL };
	unsigned int i;

	describe("WAIT for seqno 0 or one above the last submitted fails with EINVAL at once");
	ASSERT_EQ(1, run_nop(self->fd, self->ctx));
	for (i = 0; i < ARRAY_SIZE(seqnos); i++) {
		EXPECT_EQ(-EINVAL, gpufe_wait_until(self->fd, self->ctx, seqnos[i],
						    gpufe_now_ns() + GPUFE_TIMEOUT_NS));
	}
}

TEST_F(submit, bad_wait_ctx)
{
	__u32 ids[] = { 0, ~0u, 0 };
	unsigned int i;

	describe("WAIT on a context id the file does not have fails with ENOENT");
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ids[2]));
	ASSERT_EQ(1, run_nop(self->fd, ids[2]));
	ASSERT_EQ(0, gpufe_destroy_ctx(self->fd, ids[2]));
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		EXPECT_EQ(-ENOENT, gpufe_wait_until(self->fd, ids[i], 1,
						    gpufe_now_ns() + GPUFE_TIMEOUT_NS));
	}
}

GPUFE_TEST_MAIN
