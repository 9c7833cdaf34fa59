// SPDX-License-Identifier: GPL-2.0
/*
 * gpufe_sched: the front-end's scheduler (uAPI 1.4). Engine time as
 * CTX_STATUS accounts it; dependencies across engines and GPUs that hold
 * no engine while they wait; priorities, and the bound on how long a
 * higher priority may keep a lower one waiting; the policies, switched at
 * run time through sysfs (best-effort, equal-share, fixed-share) and what
 * each does between partitions; fair shares of engine time between
 * clients with jobs of unequal length; weights; the fixed-share cap of a
 * partition running alone; close() cancelling a client's queued jobs; and
 * queued work kept out of the completion router's scan.
 *
 * With GPUFE_TEST_BACKEND=edu (the gpufe_sched@edu variant), against edu
 * GPUs, with edu jobs: dependencies across engines and GPUs, the policy
 * switch and its validation, and close() cancelling queued work; the
 * subtests that need swgpu's DELAY_US or TIMESTAMP (engine time, shares,
 * priorities, the routing scan) skip.
 *
 * Shares are read from the engine time the kernel accounted (busy_ns of
 * CTX_STATUS) over an interval, never from wall-clock time, and the
 * error they may show is a few jobs' worth of time over that interval:
 * what a scheduler that charges jobs as they end, with a few jobs in the
 * back-end's hands, can lag at either end of it. Only the fixed-share cap
 * of a partition alone compares engine time with the wall time it was
 * capped over.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gpufe_test.h"

#define MAX_DEVS	16
#define MAX_ENGINES	64
#define MAX_LOADS	4
#define NOBODY		65534

/* The short and the long jobs of the share subtests, as in make bench. */
#define SHORT_US	1000
#define LONG_US		10000
/* Engine time, summed over the loads, that a share is measured over. */
#define SHARE_BUSY_NS	3000000000LL
/*
 * The error a share may show: this many jobs of the longest kind in the
 * mix, over the engine time of the interval. A scheduler that charges a
 * job when it ends, with up to credits jobs of an engine in the back-end's
 * hands, is a few jobs off the ideal at each end of the interval.
 */
#define SHARE_TOL_JOBS	8
/* A job on the engine that the loads queue up behind while they are made. */
#define GATE_US		300000

static const char *const policy_names[] = {
	"best-effort", "equal-share", "fixed-share",
};

FIXTURE(sched) {
	int fd;			/* a client, of the device or of GPUFE_FD's partition */
	int num_devs;
	__u32 devs[MAX_DEVS];	/* the swgpu devices */
	int num_engines;	/* of devs[0], as fd sees them */
	struct gpufe_engine_info engines[MAX_ENGINES];
	int compute0;		/* the index of devs[0]'s compute0 in engines[] */
	/* for the teardown, in the parent: what the subtest changed */
	struct gpufe_saved_policies policies;
	struct gpufe_saved_params params;
};

FIXTURE_SETUP(sched)
{
	const char *missing = NULL;
	int ret, i;

	self->fd = -1;
	ret = gpufe_sched_fixture_open(&self->fd, self->devs, MAX_DEVS,
				       &self->num_devs, &missing);
	if (ret > 0)
		SKIP(return, "%s", missing);
	ASSERT_EQ(0, ret);
	self->num_engines = gpufe_engines(self->fd, self->devs[0],
					  self->engines, MAX_ENGINES);
	ASSERT_LT(0, self->num_engines);
	ASSERT_GE(MAX_ENGINES, self->num_engines);
	self->compute0 = -1;
	for (i = 0; i < self->num_engines && self->compute0 < 0; i++)
		if (self->engines[i].engine_class == GPUFE_ENGINE_CLASS_COMPUTE)
			self->compute0 = i;
	ASSERT_LE(0, self->compute0);
}

/*
 * In the parent of the subtest's process, so that the policies and
 * parameters go back even when the subtest died; its files, and with them
 * its partitions, went with it.
 */
FIXTURE_TEARDOWN_PARENT(sched)
{
	gpufe_policies_restore(&self->policies);
	gpufe_params_restore(&self->params);
}

/* --- helpers ------------------------------------------------------------- */

struct eng {
	__u16 cls;
	__u16 inst;
};

static const struct eng compute0 = { GPUFE_ENGINE_CLASS_COMPUTE, 0 };

/*
 * An engine of dev other than compute0 that runs FILL and COPY: copy0, or
 * compute1. 0, or -ENOENT without one.
 */
static int other_engine(int fd, __u32 dev, struct eng *e)
{
	if (gpufe_engine_count(fd, dev, GPUFE_ENGINE_CLASS_COPY) > 0) {
		*e = (struct eng){ GPUFE_ENGINE_CLASS_COPY, 0 };
		return 0;
	}
	if (gpufe_engine_count(fd, dev, GPUFE_ENGINE_CLASS_COMPUTE) > 1) {
		*e = (struct eng){ GPUFE_ENGINE_CLASS_COMPUTE, 1 };
		return 0;
	}
	return -ENOENT;
}

/* A job of one DELAY on ctx, with an out-fence: its sync_file, or -errno. */
static int submit_delay_fenced(int fd, __u32 ctx, __u32 us)
{
	struct gpufe_cmds c = { 0 };

	gpufe_emit_delay(&c, us);
	return gpufe_submit_fenced(fd, ctx, &c, NULL, 0, -1, NULL);
}

/* A job of one DELAY on ctx; 0 or -errno, its seqno in *seqno. */
static int submit_delay(int fd, __u32 ctx, __u32 us, __u64 *seqno)
{
	struct gpufe_cmds c = { 0 };

	gpufe_emit_delay(&c, us);
	return gpufe_submit_cmds(fd, ctx, &c, NULL, 0, seqno);
}

/* A job that writes the engine clock at its start to bo at offset, then waits us. */
static int submit_stamped(int fd, __u32 ctx, __u32 bo, __u64 offset, __u32 us,
			  __u64 *seqno)
{
	struct gpufe_submit_bo b = { bo, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_cmds c = { 0 };

	gpufe_emit_timestamp(&c, 0, offset);
	if (us)
		gpufe_emit_delay(&c, us);
	return gpufe_submit_cmds(fd, ctx, &c, &b, 1, seqno);
}

/* A 64-bit word of a mapping, loaded once. */
static __u64 word64(const void *map, size_t index)
{
	return __atomic_load_n((const __u64 *)map + index, __ATOMIC_ACQUIRE);
}

/* Until the 64-bit word at p is not 0 (a job began), bounded: 0 or -ETIME. */
static int await_nonzero(const void *p)
{
	__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;

	while (!word64(p, 0)) {
		if (gpufe_now_ns() > end)
			return -ETIME;
		sched_yield();
	}
	return 0;
}

/* Until ctx has completed at least want jobs, bounded: 0 or -errno. */
static int await_completed(int fd, __u32 ctx, __u64 want)
{
	__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;
	struct gpufe_ctx_status st;
	int ret;

	for (;;) {
		ret = gpufe_get_status(fd, ctx, &st);
		if (ret)
			return ret;
		if (st.completed >= want)
			return 0;
		if (gpufe_now_ns() > end)
			return -ETIME;
		gpufe_sleep_ms(1);
	}
}

/* Export a buffer as a writable dma-buf: its fd, or -errno. */
static int export_rdwr(int fd, __u32 handle)
{
	struct gpufe_bo_export e = {
		.handle = handle,
		.flags = GPUFE_BO_EXPORT_CLOEXEC | GPUFE_BO_EXPORT_RDWR,
		.fd = -1,
	};
	int ret = gpufe_ioctl(fd, GPUFE_IOCTL_BO_EXPORT, &e);

	return ret ? ret : e.fd;
}

/* --- helpers: partitions -------------------------------------------------- */

/* Why partitions cannot be made here, or NULL. */
static const char *partitions_missing(FIXTURE_DATA(sched) *self)
{
	if (gpufe_in_partition())
		return "creates partitions: not for a client of a partition (" GPUFE_FD_ENV " is set)";
	if (!gpufe_has_partitions(self->fd))
		return "the kernel has no partitions (uAPI 1.3, GPUFE_FEATURE_PARTITIONS)";
	return NULL;
}

/*
 * A partition of devs[0]'s compute0 with a weight: its first client, or
 * -errno. It ends when that client is closed (at the latest when the
 * subtest's process exits).
 */
static int part_new(FIXTURE_DATA(sched) *self, __u32 weight)
{
	struct gpufe_partition_create c = {
		.device_id = self->devs[0],
		.engine_mask = 1ULL << self->compute0,
		.weight = weight,
		.fd = -1,
	};
	int ret = gpufe_ioctl(self->fd, GPUFE_IOCTL_PARTITION_CREATE, &c);

	return ret ? ret : c.fd;
}

/* The sum of the weights of a device's partitions, or -errno. */
static long long weight_sum(int fd, __u32 dev)
{
	struct gpufe_query_partitions *q;
	long long sum = 0;
	unsigned int i;
	int ret;

	ret = gpufe_query_fetch(fd, GPUFE_QUERY_PARTITIONS, 0, (void **)&q);
	if (ret)
		return ret;
	for (i = 0; i < q->num_partitions; i++) {
		const struct gpufe_partition_info *p = (const void *)
			((const char *)q->partitions + (size_t)i * q->entry_size);

		if (p->device_id == dev)
			sum += p->weight;
	}
	free(q);
	return sum;
}

/* --- helpers: loads ------------------------------------------------------- */

/*
 * A load: a context that keeps its engine busy with DELAY jobs of one
 * length, depth of them queued, topped up as they run.
 */
struct load {
	const char *name;
	int fd;			/* its client: its own, or a partition's */
	__u32 ctx;
	__u32 job_us;
	unsigned int depth;
	struct gpufe_busy s0, s1;	/* the interval's start and end */
	bool dry;		/* its queue ran empty in the interval */
};

/*
 * A load on compute0 of dev, through its own client fd (which it owns
 * from here on), with jobs of job_us and enough of them queued for
 * depth_ns of engine time: 0 or -errno.
 */
static int load_init(struct load *l, const char *name, int fd, __u32 dev,
		     __u32 job_us, __s64 depth_ns)
{
	memset(l, 0, sizeof(*l));
	l->name = name;
	l->fd = fd;
	l->job_us = job_us;
	l->depth = depth_ns / (job_us * 1000LL) + 8;
	if (l->depth > 3000)
		l->depth = 3000;
	return gpufe_create_ctx(fd, dev, GPUFE_ENGINE_CLASS_COMPUTE, 0, &l->ctx);
}

static int load_submit(struct load *l, unsigned int n)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = submit_delay(l->fd, l->ctx, l->job_us, NULL);
		if (ret)
			return ret;
	}
	return 0;
}

/* Queue the loads' jobs, taking turns in batches, up to their depths. */
static int loads_fill(struct load *l, int n)
{
	unsigned int done, round;
	int i, ret;

	for (round = 0;; round++) {
		done = 0;
		for (i = 0; i < n; i++) {
			unsigned int from = round * 64, count = 64;

			if (from >= l[i].depth) {
				done++;
				continue;
			}
			if (from + count > l[i].depth)
				count = l[i].depth - from;
			ret = load_submit(&l[i], count);
			if (ret)
				return ret;
		}
		if (done == (unsigned int)n)
			return 0;
	}
}

/* Top a load up to its depth when its queue is down to a quarter of it. */
static int load_topup(struct load *l, const struct gpufe_busy *b)
{
	if (b->queued >= l->depth / 4)
		return 0;
	return load_submit(l, l->depth - b->queued);
}

static void loads_close(struct load *l, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (l[i].fd >= 0)
			close(l[i].fd);
		l[i].fd = -1;
	}
}

/*
 * Run the loads on their engine and take their accounts at the start (s0)
 * and at the end (s1) of an interval: once each has had jobs complete,
 * until busy_ns of engine time went to them together, or wall_ns passed
 * (whichever is not 0). *elapsed_ns gets the interval's wall time.
 */
static void loads_measure(struct __test_metadata *_metadata, struct load *l,
			  int n, __s64 busy_ns, __s64 wall_ns, __s64 *elapsed_ns)
{
	__s64 deadline = gpufe_now_ns() + 6 * GPUFE_TIMEOUT_NS, t0, t1, sum;
	__u64 first[MAX_LOADS];
	struct gpufe_busy b;
	int i, started;

	ASSERT_GE(MAX_LOADS, n);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, gpufe_busy_read(l[i].fd, l[i].ctx, &b));
		first[i] = b.completed;
		l[i].dry = false;
	}
	/* Warm up: two jobs of each have run. */
	for (;;) {
		for (started = 0, i = 0; i < n; i++) {
			ASSERT_EQ(0, gpufe_busy_read(l[i].fd, l[i].ctx, &b));
			started += b.completed >= first[i] + 2;
			ASSERT_EQ(0, load_topup(&l[i], &b));
		}
		if (started == n)
			break;
		ASSERT_LT(gpufe_now_ns(), deadline) {
			TH_LOG("the loads did not all start");
		}
		gpufe_sleep_ms(5);
	}
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, gpufe_busy_read(l[i].fd, l[i].ctx, &l[i].s0));
	t0 = gpufe_now_ns();
	for (;;) {
		gpufe_sleep_ms(20);
		for (sum = 0, i = 0; i < n; i++) {
			ASSERT_EQ(0, gpufe_busy_read(l[i].fd, l[i].ctx, &b));
			if (!b.queued)
				l[i].dry = true;
			sum += b.busy_ns - l[i].s0.busy_ns;
			ASSERT_EQ(0, load_topup(&l[i], &b));
		}
		t1 = gpufe_now_ns();
		if ((busy_ns && sum >= busy_ns) || (wall_ns && t1 - t0 >= wall_ns))
			break;
		ASSERT_LT(t1, deadline) {
			TH_LOG("%lld ms of engine time in %lld ms",
			       (long long)sum / 1000000,
			       (long long)(t1 - t0) / 1000000);
		}
	}
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, gpufe_busy_read(l[i].fd, l[i].ctx, &l[i].s1));
	*elapsed_ns = gpufe_now_ns() - t0;
	for (i = 0; i < n; i++) {
		EXPECT_FALSE(l[i].dry || !l[i].s1.queued) {
			TH_LOG("load %s ran out of queued jobs: the engine was not saturated",
			       l[i].name);
		}
		EXPECT_LT(l[i].s0.busy_ns, l[i].s1.busy_ns) {
			TH_LOG("load %s had no engine time in the interval",
			       l[i].name);
		}
	}
}

static __s64 dbusy(const struct load *l)
{
	return l->s1.busy_ns - l->s0.busy_ns;
}

static __s64 djobs(const struct load *l)
{
	return l->s1.completed - l->s0.completed;
}

/* The engine time of one of the load's jobs in the interval, on average. */
static double job_ns(const struct load *l)
{
	return djobs(l) ? (double)dbusy(l) / djobs(l) : l->job_us * 1000.0;
}

static double absd(double v)
{
	return v < 0 ? -v : v;
}

/* A fraction in basis points (1/100 of a percentage point), for the logs. */
static long long bp(double v)
{
	return (long long)(v * 10000 + (v < 0 ? -0.5 : 0.5));
}

/*
 * Load idx's share of the loads' engine time in the interval must be
 * want (0 to 1), give or take SHARE_TOL_JOBS of the longest jobs.
 */
static void expect_share(struct __test_metadata *_metadata, const char *what,
			 const struct load *l, int n, int idx, double want)
{
	double total = 0, longest = 0, got, tol;
	int i;

	for (i = 0; i < n; i++) {
		total += dbusy(&l[i]);
		if (job_ns(&l[i]) > longest)
			longest = job_ns(&l[i]);
	}
	ASSERT_LT(0, total);
	got = dbusy(&l[idx]) / total;
	tol = SHARE_TOL_JOBS * longest / total;
	ksft_print_msg("%s: %s has %.2f%% of %.0f ms of engine time (want %.2f%% +- %.2f); jobs:",
		       what, l[idx].name, 100 * got, total / 1e6, 100 * want,
		       100 * tol);
	for (i = 0; i < n; i++)
		printf(" %s %lld x %.2f ms", l[i].name, (long long)djobs(&l[i]),
		       job_ns(&l[i]) / 1e6);
	printf("\n");
	EXPECT_GE(bp(tol), bp(absd(got - want))) {
		TH_LOG("%s: %s got %.2f%% of the engine time, want %.2f%% +- %.2f",
		       what, l[idx].name, 100 * got, 100 * want, 100 * tol);
	}
}

/*
 * A gate: a job of GATE_US on devs[0]'s compute0, from the fixture's client,
 * that the loads queue up behind while they are made. 0 or -errno.
 */
static int gate_start(FIXTURE_DATA(sched) *self, __u32 *ctx, __u64 *seqno)
{
	int ret = gpufe_create_ctx(self->fd, self->devs[0],
				   GPUFE_ENGINE_CLASS_COMPUTE, 0, ctx);

	return ret ? ret : submit_delay(self->fd, *ctx, GATE_US, seqno);
}

static void switch_policy(struct __test_metadata *_metadata,
			  FIXTURE_DATA(sched) *self, const char *policy)
{
	ASSERT_EQ(0, gpufe_policy_switch(&self->policies, self->devs[0], policy)) {
		TH_LOG("switching swgpu0 to %s", policy);
	}
}

/*
 * Two partitions of devs[0]'s compute0 weighted w_a and w_b under policy,
 * a with SHORT_US jobs, b with LONG_US jobs, both saturating the engine:
 * their accounts over SHARE_BUSY_NS of engine time into l[0] and l[1].
 */
static void two_partitions(struct __test_metadata *_metadata,
			   FIXTURE_DATA(sched) *self, const char *policy,
			   __u32 w_a, __u32 w_b, struct load *l)
{
	const char *missing = partitions_missing(self);
	__u32 gate;
	__u64 gate_seqno;
	__s64 elapsed;
	int pa, pb;

	if (missing)
		SKIP(return, "%s", missing);
	switch_policy(_metadata, self, policy);
	pa = part_new(self, w_a);
	ASSERT_LE(0, pa);
	pb = part_new(self, w_b);
	ASSERT_LE(0, pb);
	ASSERT_EQ(0, load_init(&l[0], "partition a", pa, self->devs[0],
			       SHORT_US, SHARE_BUSY_NS * 3 / 2));
	ASSERT_EQ(0, load_init(&l[1], "partition b", pb, self->devs[0],
			       LONG_US, SHARE_BUSY_NS * 3 / 2));
	ASSERT_EQ(0, gate_start(self, &gate, &gate_seqno));
	ASSERT_EQ(0, loads_fill(l, 2));
	loads_measure(_metadata, l, 2, SHARE_BUSY_NS, 0, &elapsed);
	ASSERT_EQ(0, gpufe_sync(self->fd, gate, gate_seqno));
}

/* --- engine time ---------------------------------------------------------- */

TEST_F(sched, busy_accounting)
{
	struct gpufe_ctx_status st, gst;
	__u32 ctx, gate;
	__u64 seqno = 0, gate_seqno = 0;
	long long credits;
	__s64 t0, t1;
	int i;

	describe("CTX_STATUS accounts a context's engine time (busy_ns): at least its jobs' DELAY, and with another context's on the same engine at most the wall time they spanned; queued counts its jobs not yet on the engine");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's DELAY_US, for jobs of a known length");
	credits = gpufe_sched_stat(self->devs[0], "credits");
	ASSERT_LT(0, credits) {
		TH_LOG("debugfs gpufe/sched has no credits= for swgpu0");
	}
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &gate));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx));
	ASSERT_EQ(0, gpufe_get_status(self->fd, ctx, &st));
	EXPECT_EQ(0, st.busy_ns);
	EXPECT_EQ(0, st.hangs);
	EXPECT_EQ(0, st.queued);

	t0 = gpufe_now_ns();
	ASSERT_EQ(0, submit_delay(self->fd, gate, 200000, &gate_seqno));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, submit_delay(self->fd, ctx, 20000, &seqno));
	ASSERT_EQ(0, gpufe_get_status(self->fd, ctx, &st));
	EXPECT_EQ(5, st.submitted);
	/* Behind the gate: at most credits - 1 of them in the back-end's hands. */
	EXPECT_LE(5 - (credits - 1), (long long)st.queued);
	EXPECT_GE(5, st.queued);
	EXPECT_EQ(0, st.busy_ns);

	ASSERT_EQ(0, gpufe_sync(self->fd, ctx, seqno));
	ASSERT_EQ(0, gpufe_sync(self->fd, gate, gate_seqno));
	t1 = gpufe_now_ns();
	ASSERT_EQ(0, gpufe_get_status(self->fd, ctx, &st));
	ASSERT_EQ(0, gpufe_get_status(self->fd, gate, &gst));
	EXPECT_EQ(0, st.queued);
	EXPECT_EQ(5, st.completed);
	EXPECT_EQ(0, st.error);
	EXPECT_LE(5 * 20000000ULL, st.busy_ns);
	EXPECT_LE(200000000ULL, gst.busy_ns);
	/* One engine runs one job at a time. */
	EXPECT_GE((__u64)(t1 - t0), st.busy_ns + gst.busy_ns) {
		TH_LOG("%llu + %llu ns of engine time in %lld ns",
		       (unsigned long long)st.busy_ns,
		       (unsigned long long)gst.busy_ns, (long long)(t1 - t0));
	}
}

/* --- dependencies ----------------------------------------------------------- */

#define DEP_VA	0xdeb0000au
#define DEP_VB	0xdeb0000bu
#define DEP_VD	0xdeb0000du

/*
 * deps-across-engines-and-gpus on edu GPUs (GPUFE_TEST_BACKEND=edu): A, a
 * 4-chunk DMA copy on GPU 0's copy engine (some 0.8 s); B, a FACTORIAL on
 * GPU 0's compute engine after A's fence; C, GPU 1's copy engine, copies
 * B's result after B's fence and its buffer's; D, GPU 1's compute engine,
 * after C's fence. The order shows in the fences' signal times and in C's
 * data; a job of another context on each engine where B, C or D waits
 * ends before A.
 */
static void deps_edu(struct __test_metadata *_metadata,
		     FIXTURE_DATA(sched) *self)
{
	struct gpufe_buffer src, p, q, r, s;
	struct gpufe_submit_bo bos[2];
	__u32 ca, cb, cc, cd, ci[3];
	__u64 ts_a = 0, ts_b = 0, ts_c = 0, ts_d = 0, ts_i;
	struct gpufe_cmds c;
	int fa, fb, fc, fd_, fi[3], i;
	const __u16 cp = GPUFE_ENGINE_CLASS_COPY, cm = GPUFE_ENGINE_CLASS_COMPUTE;

	if (self->num_devs < 2)
		SKIP(return, "needs two edu devices");
	if (gpufe_engine_count(self->fd, self->devs[0], cp) < 1 ||
	    gpufe_engine_count(self->fd, self->devs[1], cp) < 1)
		SKIP(return, "needs a copy engine on both GPUs");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 2 * 4096, &src));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 2 * 4096, &p));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4096, &q));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4096, &r));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4096, &s));
	for (i = 0; i < 2 * 4096; i++)
		((__u8 *)src.map)[i] = (__u8)(i * 7 + 1);
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0], cp, 0, &ca));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0], cm, 0, &cb));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[1], cp, 0, &cc));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[1], cm, 0, &cd));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0], cm, 0, &ci[0]));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[1], cp, 0, &ci[1]));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[1], cm, 0, &ci[2]));

	/* A: P = SRC, two pages, four chunks. */
	bos[0] = (struct gpufe_submit_bo){ src.handle, GPUFE_SUBMIT_BO_READ };
	bos[1] = (struct gpufe_submit_bo){ p.handle, GPUFE_SUBMIT_BO_WRITE };
	memset(&c, 0, sizeof(c));
	gpufe_emit_edu_copy(&c, 0, 0, 1, 0, 2 * 4096);
	fa = gpufe_submit_fenced(self->fd, ca, &c, bos, 2, -1, NULL);
	ASSERT_LE(0, fa);

	/* B, after A by its in-fence only: Q[0] = 5!. */
	bos[0] = (struct gpufe_submit_bo){ q.handle, GPUFE_SUBMIT_BO_WRITE };
	memset(&c, 0, sizeof(c));
	gpufe_emit_edu_factorial(&c, 5, 0, 0);
	fb = gpufe_submit_fenced(self->fd, cb, &c, bos, 1, fa, NULL);
	ASSERT_LE(0, fb);

	/* C, after B by its in-fence and Q's fences: R[0] = Q[0]. */
	bos[0] = (struct gpufe_submit_bo){ q.handle, GPUFE_SUBMIT_BO_READ };
	bos[1] = (struct gpufe_submit_bo){ r.handle, GPUFE_SUBMIT_BO_WRITE };
	memset(&c, 0, sizeof(c));
	gpufe_emit_edu_copy(&c, 0, 0, 1, 0, 4);
	fc = gpufe_submit_fenced(self->fd, cc, &c, bos, 2, fb, NULL);
	ASSERT_LE(0, fc);

	/* D, after C by its in-fence only: S[0] = 7!. */
	bos[0] = (struct gpufe_submit_bo){ s.handle, GPUFE_SUBMIT_BO_WRITE };
	memset(&c, 0, sizeof(c));
	gpufe_emit_edu_factorial(&c, 7, 0, 0);
	fd_ = gpufe_submit_fenced(self->fd, cd, &c, bos, 1, fc, NULL);
	ASSERT_LE(0, fd_);

	/* Independent jobs on the engines where B, C and D wait. */
	for (i = 0; i < 3; i++) {
		fi[i] = gpufe_submit_min_ex(self->fd, ci[i], i == 1 ? cp : cm,
					    true, -1, NULL);
		ASSERT_LE(0, fi[i]);
	}

	EXPECT_EQ(1, gpufe_fence_wait(fd_, GPUFE_TIMEOUT_MS, &ts_d));
	EXPECT_EQ(1, gpufe_fence_wait(fc, GPUFE_TIMEOUT_MS, &ts_c));
	EXPECT_EQ(1, gpufe_fence_wait(fb, GPUFE_TIMEOUT_MS, &ts_b));
	EXPECT_EQ(1, gpufe_fence_wait(fa, GPUFE_TIMEOUT_MS, &ts_a));
	for (i = 0; i < 3; i++) {
		ts_i = 0;
		EXPECT_EQ(1, gpufe_fence_wait(fi[i], GPUFE_TIMEOUT_MS, &ts_i));
		EXPECT_GT(ts_a, ts_i) {
			TH_LOG("the independent job %d waited for A, on another engine", i);
		}
		close(fi[i]);
	}
	EXPECT_LE(ts_a, ts_b);
	EXPECT_LE(ts_b, ts_c);
	EXPECT_LE(ts_c, ts_d);
	EXPECT_EQ(0, memcmp(src.map, p.map, 2 * 4096));
	EXPECT_EQ(gpufe_factorial(5), ((__u32 *)q.map)[0]);
	EXPECT_EQ(gpufe_factorial(5), ((__u32 *)r.map)[0]);
	EXPECT_EQ(gpufe_factorial(7), ((__u32 *)s.map)[0]);
	close(fa);
	close(fb);
	close(fc);
	close(fd_);
}

TEST_F(sched, deps_across_engines_and_gpus)
{
	/* P, Q, R, S: data; TA..TD, TI[3]: timestamps (start at 0, end at 8). */
	struct gpufe_buffer p, q, r, s, ta, tb, tc, td, ti[3];
	struct gpufe_submit_bo bos[3];
	__u32 ca, cb, cc, cd, ci[3];
	struct eng x0, x1;
	struct gpufe_cmds c;
	int fa, fb, fc, fd_, fi[3], i;
	__u64 a_end;

	describe("A chain of jobs over two engines of each GPU, through in-fences and a buffer's implicit fences, runs in order with the right data; jobs of other contexts on the engines where its jobs wait run meanwhile");
	if (gpufe_backend_edu()) {
		deps_edu(_metadata, self);
		return;
	}
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's TIMESTAMP, DELAY_US and FILL");
	if (self->num_devs < 2)
		SKIP(return, "needs two swgpu devices (gpufe_swgpu num_gpus=2, the default)");
	if (other_engine(self->fd, self->devs[0], &x0) ||
	    other_engine(self->fd, self->devs[1], &x1))
		SKIP(return, "needs a copy engine or a second compute engine on both GPUs");

	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4096, &p));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4096, &q));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4096, &r));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4096, &s));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4096, &ta));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4096, &tb));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4096, &tc));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4096, &td));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4096, &ti[i]));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0], compute0.cls,
				      compute0.inst, &ca));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0], x0.cls, x0.inst, &cb));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[1], compute0.cls,
				      compute0.inst, &cc));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[1], x1.cls, x1.inst, &cd));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0], x0.cls, x0.inst, &ci[0]));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[1], compute0.cls,
				      compute0.inst, &ci[1]));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[1], x1.cls, x1.inst, &ci[2]));

	/* A, GPU 0 compute0: long, then P = VA. */
	bos[0] = (struct gpufe_submit_bo){ p.handle, GPUFE_SUBMIT_BO_WRITE };
	bos[1] = (struct gpufe_submit_bo){ ta.handle, GPUFE_SUBMIT_BO_WRITE };
	memset(&c, 0, sizeof(c));
	gpufe_emit_timestamp(&c, 1, 0);
	gpufe_emit_delay(&c, GATE_US);
	gpufe_emit_fill(&c, 0, 0, 4096, DEP_VA);
	gpufe_emit_timestamp(&c, 1, 8);
	fa = gpufe_submit_fenced(self->fd, ca, &c, bos, 2, -1, NULL);
	ASSERT_LE(0, fa);

	/* B, GPU 0's other engine: after A by its in-fence only; Q = VB. */
	bos[0] = (struct gpufe_submit_bo){ q.handle, GPUFE_SUBMIT_BO_WRITE };
	bos[1] = (struct gpufe_submit_bo){ tb.handle, GPUFE_SUBMIT_BO_WRITE };
	memset(&c, 0, sizeof(c));
	gpufe_emit_timestamp(&c, 1, 0);
	gpufe_emit_fill(&c, 0, 0, 4096, DEP_VB);
	gpufe_emit_timestamp(&c, 1, 8);
	fb = gpufe_submit_fenced(self->fd, cb, &c, bos, 2, fa, NULL);
	ASSERT_LE(0, fb);

	/* C, GPU 1 compute0: after B by its in-fence and Q's fences; R = Q. */
	bos[0] = (struct gpufe_submit_bo){ q.handle, GPUFE_SUBMIT_BO_READ };
	bos[1] = (struct gpufe_submit_bo){ r.handle, GPUFE_SUBMIT_BO_WRITE };
	bos[2] = (struct gpufe_submit_bo){ tc.handle, GPUFE_SUBMIT_BO_WRITE };
	memset(&c, 0, sizeof(c));
	gpufe_emit_timestamp(&c, 2, 0);
	gpufe_emit_copy(&c, 0, 0, 1, 0, 4096);
	gpufe_emit_timestamp(&c, 2, 8);
	fc = gpufe_submit_fenced(self->fd, cc, &c, bos, 3, fb, NULL);
	ASSERT_LE(0, fc);

	/* D, GPU 1's other engine: after C by its in-fence only; S = VD. */
	bos[0] = (struct gpufe_submit_bo){ s.handle, GPUFE_SUBMIT_BO_WRITE };
	bos[1] = (struct gpufe_submit_bo){ td.handle, GPUFE_SUBMIT_BO_WRITE };
	memset(&c, 0, sizeof(c));
	gpufe_emit_timestamp(&c, 1, 0);
	gpufe_emit_fill(&c, 0, 0, 4096, DEP_VD);
	gpufe_emit_timestamp(&c, 1, 8);
	fd_ = gpufe_submit_fenced(self->fd, cd, &c, bos, 2, fc, NULL);
	ASSERT_LE(0, fd_);

	/* Independent jobs on the engines where B, C and D wait. */
	for (i = 0; i < 3; i++) {
		struct gpufe_submit_bo bo = { ti[i].handle, GPUFE_SUBMIT_BO_WRITE };

		memset(&c, 0, sizeof(c));
		gpufe_emit_timestamp(&c, 0, 0);
		fi[i] = gpufe_submit_fenced(self->fd, ci[i], &c, &bo, 1, -1, NULL);
		ASSERT_LE(0, fi[i]);
	}

	EXPECT_EQ(1, gpufe_fence_wait(fd_, GPUFE_TIMEOUT_MS, NULL));
	EXPECT_EQ(1, gpufe_fence_wait(fc, GPUFE_TIMEOUT_MS, NULL));
	EXPECT_EQ(1, gpufe_fence_wait(fb, GPUFE_TIMEOUT_MS, NULL));
	EXPECT_EQ(1, gpufe_fence_wait(fa, GPUFE_TIMEOUT_MS, NULL));
	a_end = word64(ta.map, 1);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(1, gpufe_fence_wait(fi[i], GPUFE_TIMEOUT_MS, NULL));
		EXPECT_NE(0, word64(ti[i].map, 0));
		EXPECT_GT(a_end, word64(ti[i].map, 0)) {
			TH_LOG("the independent job %d waited for A, on another engine", i);
		}
		close(fi[i]);
	}
	EXPECT_NE(0, word64(ta.map, 0));
	EXPECT_LE(a_end, word64(tb.map, 0));
	EXPECT_LE(word64(tb.map, 1), word64(tc.map, 0));
	EXPECT_LE(word64(tc.map, 1), word64(td.map, 0));
	EXPECT_NE(0, word64(td.map, 1));
	EXPECT_EQ(-1, gpufe_find_not(p.map, 1024, DEP_VA));
	EXPECT_EQ(-1, gpufe_find_not(q.map, 1024, DEP_VB));
	EXPECT_EQ(-1, gpufe_find_not(r.map, 1024, DEP_VB));
	EXPECT_EQ(-1, gpufe_find_not(s.map, 1024, DEP_VD));
	close(fa);
	close(fb);
	close(fc);
	close(fd_);
}

/* --- priorities -------------------------------------------------------------- */

/* LOW contexts, each with its own timestamp buffer, so that both credits are used. */
#define PRIO_LOW_CTXS	2
#define PRIO_LOW_JOBS	24	/* per context */
#define PRIO_TRIALS	3

/* How many of the nonzero 64-bit words of the maps fall in (from, to). */
static int starts_between(void *const *maps, int nmaps, int nwords,
			  __u64 from, __u64 to)
{
	int i, j, n = 0;

	for (i = 0; i < nmaps; i++)
		for (j = 0; j < nwords; j++) {
			__u64 t = word64(maps[i], j);

			n += t > from && t < to;
		}
	return n;
}

TEST_F_TIMEOUT(sched, priority_high_first, 60)
{
	struct gpufe_buffer lb[PRIO_LOW_CTXS], hb;
	__u32 lctx[PRIO_LOW_CTXS], hctx;
	void *maps[PRIO_LOW_CTXS];
	int lo, hi, i, j, trial, total = 0, ret;

	describe("A HIGH context's job, submitted while a LOW client's 10 ms jobs saturate the engine, starts as soon as the job running there ends: no LOW job queued before it starts first, not even one in the back-end's hands");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's TIMESTAMP and DELAY_US");
	lo = gpufe_open();
	ASSERT_LE(0, lo);
	hi = gpufe_open();
	ASSERT_LE(0, hi);
	ret = gpufe_create_ctx_prio(hi, self->devs[0], compute0.cls,
				    compute0.inst, GPUFE_PRIORITY_HIGH, &hctx);
	if (ret == -EPERM)
		SKIP(return, "a HIGH context needs CAP_SYS_NICE");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, gpufe_buffer_create(hi, 4096, &hb));
	for (i = 0; i < PRIO_LOW_CTXS; i++) {
		ASSERT_EQ(0, gpufe_create_ctx_prio(lo, self->devs[0], compute0.cls,
						   compute0.inst,
						   GPUFE_PRIORITY_LOW, &lctx[i]));
		ASSERT_EQ(0, gpufe_buffer_create(lo, 4096, &lb[i]));
		maps[i] = lb[i].map;
	}
	for (j = 0; j < PRIO_LOW_JOBS; j++)
		for (i = 0; i < PRIO_LOW_CTXS; i++)
			ASSERT_EQ(0, submit_stamped(lo, lctx[i], lb[i].handle,
						    8 * j, LONG_US, NULL));

	for (trial = 0; trial < PRIO_TRIALS; trial++) {
		struct gpufe_ctx_status st;
		__u64 done = 0, queued = 0, seqno, t_ret, t_high;
		int n;

		/* Into the LOW jobs' steady state: both credits theirs. */
		for (;;) {
			done = queued = 0;
			for (i = 0; i < PRIO_LOW_CTXS; i++) {
				ASSERT_EQ(0, gpufe_get_status(lo, lctx[i], &st));
				done += st.completed;
				queued += st.queued;
			}
			if (done >= 3 + 10 * trial)
				break;
			gpufe_sleep_ms(1);
		}
		ASSERT_LE(PRIO_LOW_CTXS, queued) {
			TH_LOG("trial %d: the LOW jobs ran out", trial);
		}
		ASSERT_EQ(0, submit_stamped(hi, hctx, hb.handle, 8 * trial, 0,
					    &seqno));
		t_ret = gpufe_now_ns();
		ASSERT_EQ(0, gpufe_sync(hi, hctx, seqno));
		t_high = word64(hb.map, trial);
		ASSERT_NE(0, t_high);
		n = starts_between(maps, PRIO_LOW_CTXS, PRIO_LOW_JOBS, t_ret, t_high);
		ksft_print_msg("trial %d: HIGH started %.2f ms after SUBMIT returned, after %d LOW job(s) started\n",
			       trial, (double)(t_high - t_ret) / 1e6, n);
		EXPECT_GE(1, n) {
			TH_LOG("trial %d: %d LOW jobs started after the HIGH job was queued and before it", trial, n);
		}
		total += n;
	}
	/* One start may race with the SUBMIT; without taking jobs back, every trial has one. */
	EXPECT_GE(1, total) {
		TH_LOG("%d LOW jobs started ahead of HIGH jobs in %d trials",
		       total, PRIO_TRIALS);
	}
	close(lo);
	close(hi);
}

#define STARVE_HIGH_CTXS	2
#define STARVE_HIGH_JOBS	200	/* per context: more than run before the LOW job comes */

TEST_F_TIMEOUT(sched, priority_starvation_bound, 60)
{
	struct gpufe_buffer hb[STARVE_HIGH_CTXS], lb;
	struct gpufe_ctx_status st;
	__u32 hctx[STARVE_HIGH_CTXS], lctx;
	void *maps[STARVE_HIGH_CTXS];
	__u64 seqno, t_ret, t_low, done, busy = 0, jobs = 0;
	const unsigned int bound_ms = 100;
	int lo, hi, i, j, n, after, ret;
	double avg;

	describe("While a HIGH client's 10 ms jobs saturate the engine, a LOW job waits for at most prio_starvation_ms of their engine time (set to 100), give or take three jobs");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's TIMESTAMP and DELAY_US");
	ASSERT_EQ(0, gpufe_param_set(&self->params, "prio_starvation_ms", bound_ms));
	lo = gpufe_open();
	ASSERT_LE(0, lo);
	hi = gpufe_open();
	ASSERT_LE(0, hi);
	for (i = 0; i < STARVE_HIGH_CTXS; i++) {
		ret = gpufe_create_ctx_prio(hi, self->devs[0], compute0.cls,
					    compute0.inst, GPUFE_PRIORITY_HIGH,
					    &hctx[i]);
		if (ret == -EPERM)
			SKIP(return, "a HIGH context needs CAP_SYS_NICE");
		ASSERT_EQ(0, ret);
		ASSERT_EQ(0, gpufe_buffer_create(hi, 4096, &hb[i]));
		maps[i] = hb[i].map;
	}
	ASSERT_EQ(0, gpufe_create_ctx_prio(lo, self->devs[0], compute0.cls,
					   compute0.inst, GPUFE_PRIORITY_LOW, &lctx));
	ASSERT_EQ(0, gpufe_buffer_create(lo, 4096, &lb));
	for (j = 0; j < STARVE_HIGH_JOBS; j++)
		for (i = 0; i < STARVE_HIGH_CTXS; i++)
			ASSERT_EQ(0, submit_stamped(hi, hctx[i], hb[i].handle,
						    8 * j, LONG_US, NULL));
	ASSERT_EQ(0, await_completed(hi, hctx[0], 2));

	ASSERT_EQ(0, submit_stamped(lo, lctx, lb.handle, 0, 0, &seqno));
	t_ret = gpufe_now_ns();
	ASSERT_EQ(0, gpufe_sync(lo, lctx, seqno));
	t_low = word64(lb.map, 0);
	ASSERT_NE(0, t_low);
	ASSERT_EQ(0, gpufe_get_status(lo, lctx, &st));
	EXPECT_EQ(0, st.error);

	n = starts_between(maps, STARVE_HIGH_CTXS, STARVE_HIGH_JOBS, t_ret, t_low);
	after = starts_between(maps, STARVE_HIGH_CTXS, STARVE_HIGH_JOBS, t_low,
			       ~0ULL);
	for (i = 0; i < STARVE_HIGH_CTXS; i++) {
		ASSERT_EQ(0, gpufe_get_status(hi, hctx[i], &st));
		busy += st.busy_ns;
		jobs += st.completed;
	}
	done = jobs;
	ASSERT_LT(0, done);
	avg = (double)busy / jobs;
	ksft_print_msg("the LOW job started after %d HIGH jobs of %.2f ms (bound %u ms)\n",
		       n, avg / 1e6, bound_ms);
	EXPECT_GE((long long)(bound_ms * 1e6 + 3 * avg), (long long)(n * avg)) {
		TH_LOG("HIGH jobs took %.1f ms of engine time ahead of the waiting LOW job",
		       n * avg / 1e6);
	}
	close(lo);
	close(hi);
	/*
	 * Started before the HIGH client ran out of work, or the test says
	 * nothing: a LOW job starved to the end fails the check above, one
	 * that came when little was left proves nothing.
	 */
	if (!after && bound_ms * 1e6 + 3 * avg >= n * avg)
		SKIP(return, "the HIGH jobs had all started before the LOW job came: too slow a machine for this test");
}

/* --- policies ------------------------------------------------------------------ */

TEST_F(sched, policy_switch)
{
	char now[32], dbg[32], other[32] = "", buf[40];
	struct gpufe_ctx_status st;
	__u32 ctx;
	__u64 seqno = 0;
	unsigned int i, nl;

	describe("sched_policy reads equal-share by default and switches at run time to each policy, with or without a trailing newline, while jobs run; debugfs gpufe/sched follows; another GPU keeps its own");
	ASSERT_EQ(0, gpufe_policy_get(self->devs[0], now, sizeof(now)));
	EXPECT_STREQ("equal-share", now);
	if (self->num_devs > 1)
		ASSERT_EQ(0, gpufe_policy_get(self->devs[1], other, sizeof(other)));

	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0], compute0.cls,
				      compute0.inst, &ctx));
	for (i = 0; i < 20; i++) {
		if (gpufe_backend_swgpu()) {
			ASSERT_EQ(0, submit_delay(self->fd, ctx, 5000, &seqno));
		} else {
			ASSERT_EQ(0, gpufe_submit_min(self->fd, ctx,
						      compute0.cls, &seqno));
		}
	}
	for (i = 0; i < ARRAY_SIZE(policy_names); i++) {
		for (nl = 0; nl < 2; nl++) {
			snprintf(buf, sizeof(buf), "%s%s", policy_names[i],
				 nl ? "\n" : "");
			ASSERT_EQ(0, gpufe_policy_switch(&self->policies,
							 self->devs[0], buf));
			ASSERT_EQ(0, gpufe_policy_get(self->devs[0], now,
						      sizeof(now)));
			EXPECT_STREQ(policy_names[i], now);
			ASSERT_EQ(0, gpufe_sched_stat_policy(self->devs[0], dbg,
							     sizeof(dbg)));
			EXPECT_STREQ(policy_names[i], dbg);
			if (self->num_devs > 1) {
				ASSERT_EQ(0, gpufe_policy_get(self->devs[1], now,
							      sizeof(now)));
				EXPECT_STREQ(other, now);
			}
		}
	}
	ASSERT_EQ(0, gpufe_sync(self->fd, ctx, seqno));
	ASSERT_EQ(0, gpufe_get_status(self->fd, ctx, &st));
	EXPECT_EQ(20, st.completed);
	EXPECT_EQ(0, st.error);
}

TEST_F(sched, bad_policy)
{
	static const char *const bad[] = {
		"\n", "bogus", "best", "equal", "equal-shares", "equal_share",
		"Fixed-Share", "fixed-share extra", "best-effort\n\n",
		" equal-share", "1", "fixed-share\nbest-effort",
	};
	char now[32];
	unsigned int i;
	pid_t child;
	int status;

	describe("Writing sched_policy anything but a policy's name fails with EINVAL, a user without privileges gets EACCES; neither changes the policy");
	ASSERT_EQ(0, gpufe_policy_switch(&self->policies, self->devs[0],
					 "fixed-share"));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, gpufe_policy_set(self->devs[0], bad[i])) {
			TH_LOG("wrote \"%s\"", bad[i]);
		}
		ASSERT_EQ(0, gpufe_policy_get(self->devs[0], now, sizeof(now)));
		EXPECT_STREQ("fixed-share", now);
	}

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(10);
		_exit(gpufe_policy_set(self->devs[0], "best-effort") == -EACCES ?
		      0 : 11);
	}
	ASSERT_EQ(0, gpufe_waitpid_timeout(child, &status, GPUFE_TIMEOUT_MS));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("nobody's write: check %d failed", WEXITSTATUS(status) - 10);
	}
	ASSERT_EQ(0, gpufe_policy_get(self->devs[0], now, sizeof(now)));
	EXPECT_STREQ("fixed-share", now);
}

TEST_F_TIMEOUT(sched, policy_best_effort, 120)
{
	struct load l[2];
	long long diff;

	describe("best-effort: two partitions (weights 200 and 100, 1 ms and 10 ms jobs) saturating an engine take turns job by job, whatever their weights and job lengths");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's DELAY_US, for loads of a known length");
	two_partitions(_metadata, self, "best-effort", 200, 100, l);
	if (_metadata->exit_code == KSFT_SKIP)
		return;
	diff = djobs(&l[0]) - djobs(&l[1]);
	ksft_print_msg("best-effort: %lld and %lld jobs; partition b has %.2f%% of the engine time\n",
		       (long long)djobs(&l[0]), (long long)djobs(&l[1]),
		       100.0 * dbusy(&l[1]) / (dbusy(&l[0]) + dbusy(&l[1])));
	EXPECT_GE(SHARE_TOL_JOBS, diff < 0 ? -diff : diff) {
		TH_LOG("%lld jobs of partition a against %lld of partition b",
		       (long long)djobs(&l[0]), (long long)djobs(&l[1]));
	}
	loads_close(l, 2);
}

TEST_F_TIMEOUT(sched, policy_equal_share, 120)
{
	struct load l[2];

	describe("equal-share: two partitions (weights 200 and 100, 1 ms and 10 ms jobs) saturating an engine get half of its time each");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's DELAY_US, for loads of a known length");
	two_partitions(_metadata, self, "equal-share", 200, 100, l);
	if (_metadata->exit_code == KSFT_SKIP)
		return;
	expect_share(_metadata, "equal-share", l, 2, 0, 0.5);
	loads_close(l, 2);
}

TEST_F_TIMEOUT(sched, policy_fixed_share_weights, 120)
{
	struct load l[2];

	describe("fixed-share: two partitions weighted 2:1 (1 ms and 10 ms jobs) saturating an engine share its time 2:1 (66.7%)");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's DELAY_US, for loads of a known length");
	two_partitions(_metadata, self, "fixed-share", 200, 100, l);
	if (_metadata->exit_code == KSFT_SKIP)
		return;
	expect_share(_metadata, "fixed-share 2:1", l, 2, 0, 200.0 / 300.0);
	loads_close(l, 2);
}

TEST_F_TIMEOUT(sched, fair_share_unequal_jobs, 120)
{
	struct load l[2];
	__u32 gate;
	__u64 gate_seqno;
	__s64 elapsed;
	int a, b;

	describe("equal-share: two clients saturating an engine, one with 1 ms jobs and one with 10 ms jobs, get half of its time each");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's DELAY_US, for loads of a known length");
	switch_policy(_metadata, self, "equal-share");
	a = gpufe_open();
	ASSERT_LE(0, a);
	b = gpufe_open();
	ASSERT_LE(0, b);
	ASSERT_EQ(0, load_init(&l[0], "1 ms client", a, self->devs[0], SHORT_US,
			       SHARE_BUSY_NS * 3 / 4));
	ASSERT_EQ(0, load_init(&l[1], "10 ms client", b, self->devs[0], LONG_US,
			       SHARE_BUSY_NS * 3 / 4));
	ASSERT_EQ(0, gate_start(self, &gate, &gate_seqno));
	ASSERT_EQ(0, loads_fill(l, 2));
	loads_measure(_metadata, l, 2, SHARE_BUSY_NS, 0, &elapsed);
	ASSERT_EQ(0, gpufe_sync(self->fd, gate, gate_seqno));
	expect_share(_metadata, "equal-share, 1 ms against 10 ms", l, 2, 0, 0.5);
	loads_close(l, 2);
}

/*
 * The tolerance of a share of wall time: two of the load's jobs over the
 * interval (one at either end, not yet accounted), and 10 points.
 */
static double wall_tol(const struct load *l, __s64 elapsed_ns)
{
	return 2 * job_ns(l) / elapsed_ns + 0.10;
}

TEST_F_TIMEOUT(sched, fixed_share_cap_alone, 120)
{
	const char *missing = partitions_missing(self);
	long long sum;
	struct load l;
	__s64 elapsed;
	double want, got, tol;
	int p1, p2;

	describe("fixed-share caps a partition at its weight's share (100 of 400: 25%) of its engine's time even when it runs alone; equal-share lets it have the whole engine");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's DELAY_US, for loads of a known length");
	if (missing)
		SKIP(return, "%s", missing);
	switch_policy(_metadata, self, "fixed-share");
	p1 = part_new(self, 100);
	ASSERT_LE(0, p1);
	p2 = part_new(self, 300);	/* idle, open to the end */
	ASSERT_LE(0, p2);
	sum = weight_sum(self->fd, self->devs[0]);
	ASSERT_LE(400, sum);
	want = 100.0 / sum;
	ASSERT_EQ(0, load_init(&l, "partition of weight 100", p1, self->devs[0],
			       LONG_US, 1000000000LL));
	ASSERT_EQ(0, loads_fill(&l, 1));
	loads_measure(_metadata, &l, 1, 0, 2500000000LL, &elapsed);
	got = (double)dbusy(&l) / elapsed;
	tol = wall_tol(&l, elapsed);
	ksft_print_msg("fixed-share: alone, %.2f%% of %.0f ms (want %.2f%% +- %.2f)\n",
		       100 * got, elapsed / 1e6, 100 * want, 100 * tol);
	EXPECT_GE(bp(tol), bp(absd(got - want))) {
		TH_LOG("alone under fixed-share, %.2f%% of the engine's time; want %.2f%% +- %.2f",
		       100 * got, 100 * want, 100 * tol);
	}

	/* Work-conserving: the same partition, alone, takes the engine. */
	switch_policy(_metadata, self, "equal-share");
	loads_measure(_metadata, &l, 1, 0, 1000000000LL, &elapsed);
	got = (double)dbusy(&l) / elapsed;
	tol = wall_tol(&l, elapsed);
	ksft_print_msg("equal-share: alone, %.2f%% of %.0f ms\n", 100 * got,
		       elapsed / 1e6);
	EXPECT_LE(bp(1 - tol), bp(got)) {
		TH_LOG("alone under equal-share, only %.2f%% of the engine's time",
		       100 * got);
	}
	loads_close(&l, 1);
	close(p2);
}

/* --- close() ---------------------------------------------------------------------- */

#define CANCEL_JOBS	8
#define CANCEL_VALUE(k)	(0xcace0000u + (k))
#define OTHER_JOBS	4
#define OTHER_VALUE(k)	(0x07e40000u + (k))

/*
 * close-cancels-queued on edu GPUs (GPUFE_TEST_BACKEND=edu), on GPU 0's
 * copy engine E (one job in the back-end's hands, 0.2 s a chunk): a's
 * jobs work within W, b's buffer that a imports unmapped (a mapping of a's
 * own would keep its file open): the first a 4-chunk copy of W's first two
 * pages to the next two, then 1-byte copies of byte k + 1 to W_MARK; a's
 * job on GPU 0's compute engine waits for b's 8-chunk copy on GPU 1; b's
 * 1-byte copies on E.
 */
#define W_JOB0		8192
#define W_SRC(k)	(16384 + (k))
#define W_MARK		20480

static void cancel_edu(struct __test_metadata *_metadata,
		       FIXTURE_DATA(sched) *self)
{
	const __u16 cp = GPUFE_ENGINE_CLASS_COPY, cm = GPUFE_ENGINE_CLASS_COMPUTE;
	struct gpufe_bo_import imp = { 0 };
	struct gpufe_buffer w, x, bsrc, big;
	struct gpufe_submit_bo bos[2];
	struct gpufe_ctx_status st;
	struct gpufe_cmds c;
	__u32 wa, actx, actx2, bctx, bctx2;
	int a, b, dmabuf, fa[CANCEL_JOBS], fdep, fb[OTHER_JOBS], fw;
	int status[CANCEL_JOBS], last_ok = 0, cancelled = 0, i;
	long long cancelled0, cancelled1;

	if (self->num_devs < 2)
		SKIP(return, "needs two edu devices");
	if (gpufe_engine_count(self->fd, self->devs[0], cp) < 1 ||
	    gpufe_engine_count(self->fd, self->devs[1], cp) < 1)
		SKIP(return, "needs a copy engine on both GPUs");
	cancelled0 = gpufe_sched_stat(self->devs[0], "cancelled");
	ASSERT_LE(0, cancelled0);
	b = gpufe_open();
	ASSERT_LE(0, b);
	a = gpufe_open();
	ASSERT_LE(0, a);
	/* W is b's, mapped there; a writes it through an import. */
	ASSERT_EQ(0, gpufe_buffer_create(b, 6 * 4096, &w));
	ASSERT_EQ(0, gpufe_buffer_create(b, OTHER_JOBS * 4096, &x));
	ASSERT_EQ(0, gpufe_buffer_create(b, 4 * 4096, &bsrc));
	ASSERT_EQ(0, gpufe_buffer_create(b, 4 * 4096, &big));
	memset(w.map, 0x5a, 2 * 4096);
	for (i = 0; i < CANCEL_JOBS; i++)
		((__u8 *)w.map)[W_SRC(i)] = i + 1;
	memset(bsrc.map, 0x3c, bsrc.size);
	for (i = 0; i < OTHER_JOBS; i++)
		((__u8 *)x.map)[4096 * i + 8] = 0x40 + i;
	dmabuf = export_rdwr(b, w.handle);
	ASSERT_LE(0, dmabuf);
	imp.fd = dmabuf;
	ASSERT_EQ(0, gpufe_ioctl(a, GPUFE_IOCTL_BO_IMPORT, &imp));
	wa = imp.handle;
	close(dmabuf);
	ASSERT_EQ(0, gpufe_create_ctx(a, self->devs[0], cp, 0, &actx));
	ASSERT_EQ(0, gpufe_create_ctx(a, self->devs[0], cm, 0, &actx2));
	ASSERT_EQ(0, gpufe_create_ctx(b, self->devs[0], cp, 0, &bctx));
	ASSERT_EQ(0, gpufe_create_ctx(b, self->devs[1], cp, 0, &bctx2));

	/* b's long job on GPU 1, that a's second context waits for. */
	bos[0] = (struct gpufe_submit_bo){ bsrc.handle, GPUFE_SUBMIT_BO_READ };
	bos[1] = (struct gpufe_submit_bo){ big.handle, GPUFE_SUBMIT_BO_WRITE };
	memset(&c, 0, sizeof(c));
	gpufe_emit_edu_copy(&c, 0, 0, 1, 0, 4 * 4096);
	fw = gpufe_submit_fenced(b, bctx2, &c, bos, 2, -1, NULL);
	ASSERT_LE(0, fw);
	for (i = 0; i < CANCEL_JOBS; i++) {
		bos[0] = (struct gpufe_submit_bo){
			wa, GPUFE_SUBMIT_BO_READ | GPUFE_SUBMIT_BO_WRITE,
		};
		memset(&c, 0, sizeof(c));
		if (!i)
			gpufe_emit_edu_copy(&c, 0, 0, 0, W_JOB0, 2 * 4096);
		else
			gpufe_emit_edu_copy(&c, 0, W_SRC(i), 0, W_MARK, 1);
		fa[i] = gpufe_submit_fenced(a, actx, &c, bos, 1, -1, NULL);
		ASSERT_LE(0, fa[i]);
	}
	fdep = gpufe_submit_min_ex(a, actx2, cm, true, fw, NULL);
	ASSERT_LE(0, fdep);
	for (i = 0; i < OTHER_JOBS; i++) {
		bos[0] = (struct gpufe_submit_bo){
			x.handle, GPUFE_SUBMIT_BO_READ | GPUFE_SUBMIT_BO_WRITE,
		};
		memset(&c, 0, sizeof(c));
		gpufe_emit_edu_copy(&c, 0, 4096 * i + 8, 0, 4096 * i, 1);
		fb[i] = gpufe_submit_fenced(b, bctx, &c, bos, 1, -1, NULL);
		ASSERT_LE(0, fb[i]);
	}

	/* a's first job is on the engine: its first chunk has landed. */
	ASSERT_EQ(0, await_nonzero((char *)w.map + W_JOB0));
	ASSERT_EQ(0, close(a));

	for (i = 0; i < CANCEL_JOBS; i++) {
		status[i] = gpufe_fence_wait(fa[i], GPUFE_TIMEOUT_MS, NULL);
		close(fa[i]);
	}
	EXPECT_EQ(1, status[0]) {
		TH_LOG("the job on the engine ended with %d", status[0]);
	}
	for (i = 1; i < CANCEL_JOBS; i++) {
		if (status[i] == 1 && !cancelled)
			last_ok = i;
		else
			cancelled++;
		/* The second may have been in the back-end's hands. */
		if (i >= 2 || status[i] != 1)
			EXPECT_EQ(-ECANCELED, status[i]) {
				TH_LOG("a's job %d ended with %d", i, status[i]);
			}
	}
	EXPECT_EQ(-ECANCELED, gpufe_fence_wait(fdep, GPUFE_TIMEOUT_MS, NULL));
	close(fdep);
	/* What the last job that ran wrote; the cancelled ones wrote nothing. */
	EXPECT_EQ(-1, gpufe_find_not((char *)w.map + W_JOB0, 2 * 4096 / 4,
				     0x5a5a5a5au));
	EXPECT_EQ(last_ok ? last_ok + 1 : 0, ((__u8 *)w.map)[W_MARK]);

	EXPECT_EQ(1, gpufe_fence_wait(fw, GPUFE_TIMEOUT_MS, NULL));
	close(fw);
	for (i = 0; i < OTHER_JOBS; i++) {
		EXPECT_EQ(1, gpufe_fence_wait(fb[i], GPUFE_TIMEOUT_MS, NULL));
		close(fb[i]);
		EXPECT_EQ(0x40 + i, ((__u8 *)x.map)[4096 * i]);
	}
	ASSERT_EQ(0, gpufe_get_status(b, bctx, &st));
	EXPECT_EQ(OTHER_JOBS, st.completed);
	EXPECT_EQ(0, st.error);
	cancelled1 = gpufe_sched_stat(self->devs[0], "cancelled");
	EXPECT_LE(cancelled0 + cancelled + 1, cancelled1) {
		TH_LOG("debugfs gpufe/sched cancelled= went from %lld to %lld, %d jobs were cancelled",
		       cancelled0, cancelled1, cancelled + 1);
	}
	close(b);
}

TEST_F_TIMEOUT(sched, close_cancels_queued, 60)
{
	struct gpufe_bo_import imp = { 0 };
	struct gpufe_buffer w, x;
	struct gpufe_ctx_status st;
	struct gpufe_cmds c;
	__u32 wa, actx, actx2, bctx, bctx2;
	int a, b, dmabuf, fa[CANCEL_JOBS], fdep, fb[OTHER_JOBS], fw;
	int status[CANCEL_JOBS], last_ok = 0, cancelled = 0, i;
	long long cancelled0, cancelled1;
	struct eng x0;

	describe("close() of a client cancels its jobs still in the front-end, ready or waiting for a dependency (their fences signal ECANCELED), lets its job on the engine finish, and leaves another client's jobs on the same engine alone");
	if (gpufe_backend_edu()) {
		cancel_edu(_metadata, self);
		return;
	}
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's TIMESTAMP, DELAY_US and FILL");
	ASSERT_EQ(0, other_engine(self->fd, self->devs[0], &x0));
	cancelled0 = gpufe_sched_stat(self->devs[0], "cancelled");
	ASSERT_LE(0, cancelled0);
	b = gpufe_open();
	ASSERT_LE(0, b);
	a = gpufe_open();
	ASSERT_LE(0, a);
	/* W is b's, mapped there; a uses it through an import, unmapped. */
	ASSERT_EQ(0, gpufe_buffer_create(b, 2 * 4096, &w));
	ASSERT_EQ(0, gpufe_buffer_create(b, OTHER_JOBS * 4096, &x));
	dmabuf = export_rdwr(b, w.handle);
	ASSERT_LE(0, dmabuf);
	imp.fd = dmabuf;
	ASSERT_EQ(0, gpufe_ioctl(a, GPUFE_IOCTL_BO_IMPORT, &imp));
	wa = imp.handle;
	close(dmabuf);
	ASSERT_EQ(0, gpufe_create_ctx(a, self->devs[0], compute0.cls,
				      compute0.inst, &actx));
	ASSERT_EQ(0, gpufe_create_ctx(a, self->devs[0], x0.cls, x0.inst, &actx2));
	ASSERT_EQ(0, gpufe_create_ctx(b, self->devs[0], compute0.cls,
				      compute0.inst, &bctx));
	ASSERT_EQ(0, gpufe_create_ctx(b, self->devs[0], x0.cls, x0.inst, &bctx2));

	/* b's long job on the other engine, that a's second context waits for. */
	fw = submit_delay_fenced(b, bctx2, 2 * GATE_US);
	ASSERT_LE(0, fw);
	for (i = 0; i < CANCEL_JOBS; i++) {
		struct gpufe_submit_bo bo = { wa, GPUFE_SUBMIT_BO_WRITE };

		memset(&c, 0, sizeof(c));
		if (!i) {
			gpufe_emit_timestamp(&c, 0, 0);
			gpufe_emit_delay(&c, GATE_US);
		}
		gpufe_emit_fill(&c, 0, 4096, 4096, CANCEL_VALUE(i));
		fa[i] = gpufe_submit_fenced(a, actx, &c, &bo, 1, -1, NULL);
		ASSERT_LE(0, fa[i]);
	}
	memset(&c, 0, sizeof(c));
	gpufe_emit_nop(&c);
	fdep = gpufe_submit_fenced(a, actx2, &c, NULL, 0, fw, NULL);
	ASSERT_LE(0, fdep);
	for (i = 0; i < OTHER_JOBS; i++) {
		struct gpufe_submit_bo bo = { x.handle, GPUFE_SUBMIT_BO_WRITE };

		memset(&c, 0, sizeof(c));
		gpufe_emit_fill(&c, 0, 4096 * i, 4096, OTHER_VALUE(i));
		fb[i] = gpufe_submit_fenced(b, bctx, &c, &bo, 1, -1, NULL);
		ASSERT_LE(0, fb[i]);
	}

	/* a's first job is on the engine. */
	ASSERT_EQ(0, await_nonzero(w.map));
	ASSERT_EQ(0, close(a));

	for (i = 0; i < CANCEL_JOBS; i++) {
		status[i] = gpufe_fence_wait(fa[i], GPUFE_TIMEOUT_MS, NULL);
		close(fa[i]);
	}
	EXPECT_EQ(1, status[0]) {
		TH_LOG("the job on the engine ended with %d", status[0]);
	}
	for (i = 1; i < CANCEL_JOBS; i++) {
		if (status[i] == 1 && !cancelled)
			last_ok = i;
		else
			cancelled++;
		/* The second may have been in the back-end's hands. */
		if (i >= 2 || status[i] != 1)
			EXPECT_EQ(-ECANCELED, status[i]) {
				TH_LOG("a's job %d ended with %d", i, status[i]);
			}
	}
	EXPECT_EQ(-ECANCELED, gpufe_fence_wait(fdep, GPUFE_TIMEOUT_MS, NULL));
	close(fdep);
	/* What the last job that ran wrote; the cancelled ones wrote nothing. */
	EXPECT_EQ(-1, gpufe_find_not((char *)w.map + 4096, 1024,
				     CANCEL_VALUE(last_ok)));

	EXPECT_EQ(1, gpufe_fence_wait(fw, GPUFE_TIMEOUT_MS, NULL));
	close(fw);
	for (i = 0; i < OTHER_JOBS; i++) {
		EXPECT_EQ(1, gpufe_fence_wait(fb[i], GPUFE_TIMEOUT_MS, NULL));
		close(fb[i]);
		EXPECT_EQ(-1, gpufe_find_not((char *)x.map + 4096 * i, 1024,
					     OTHER_VALUE(i)));
	}
	ASSERT_EQ(0, gpufe_get_status(b, bctx, &st));
	EXPECT_EQ(OTHER_JOBS, st.completed);
	EXPECT_EQ(0, st.error);
	cancelled1 = gpufe_sched_stat(self->devs[0], "cancelled");
	EXPECT_LE(cancelled0 + cancelled + 1, cancelled1) {
		TH_LOG("debugfs gpufe/sched cancelled= went from %lld to %lld, %d jobs were cancelled",
		       cancelled0, cancelled1, cancelled + 1);
	}
	close(b);
}

/* --- the routing scan -------------------------------------------------------- */

#define SCAN_CLIENTS	32
#define SCAN_CTXS	8	/* per client */

TEST_F_TIMEOUT(sched, queued_work_bounded_route_scan, 60)
{
	const int total = SCAN_CLIENTS * SCAN_CTXS;
	int fds[SCAN_CLIENTS], i, j, e;
	__u32 ctx[SCAN_CLIENTS][SCAN_CTXS], gate[MAX_ENGINES];
	__u64 gate_seqno[MAX_ENGINES], seqno;
	long long credits, bound, pending, held, queued, sum;
	long long routes0, scans0, slots0, routes1, scans1, slots1;
	struct gpufe_ctx_status st;
	struct gpufe_cmds c = { 0 };

	describe("With 256 contexts of 32 clients holding jobs queued behind long jobs, the router's pending set and the jobs in the back-end's hands stay within engines x credits, and each scan reads no more slots than that");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's DELAY_US, for long gate jobs");
	GPUFE_SKIP_IN_PARTITION("counts the whole device's routing (debugfs gpufe/route)");
	credits = gpufe_sched_stat(self->devs[0], "credits");
	ASSERT_LT(0, credits);
	bound = self->num_engines * credits;
	for (i = 0; i < SCAN_CLIENTS; i++) {
		fds[i] = gpufe_open();
		ASSERT_LE(0, fds[i]);
		for (j = 0; j < SCAN_CTXS; j++) {
			const struct gpufe_engine_info *en =
				&self->engines[(i * SCAN_CTXS + j) % self->num_engines];

			ASSERT_EQ(0, gpufe_create_ctx(fds[i], self->devs[0],
						      en->engine_class,
						      en->engine_instance,
						      &ctx[i][j]));
		}
	}
	routes0 = gpufe_route_stat(self->devs[0], "routes");
	scans0 = gpufe_route_stat(self->devs[0], "watchdog_scans");
	slots0 = gpufe_route_stat(self->devs[0], "slots_scanned");
	ASSERT_LE(0, routes0);
	ASSERT_LE(0, scans0);
	ASSERT_LE(0, slots0);

	/* Two long jobs on every engine, then a NOP on every context. */
	for (e = 0; e < self->num_engines; e++) {
		ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
					      self->engines[e].engine_class,
					      self->engines[e].engine_instance,
					      &gate[e]));
		ASSERT_EQ(0, submit_delay(self->fd, gate[e], SWGPU_MAX_DELAY_US, NULL));
		ASSERT_EQ(0, submit_delay(self->fd, gate[e], SWGPU_MAX_DELAY_US,
					  &gate_seqno[e]));
	}
	gpufe_emit_nop(&c);
	for (i = 0; i < SCAN_CLIENTS; i++)
		for (j = 0; j < SCAN_CTXS; j++)
			ASSERT_EQ(0, gpufe_submit_cmds(fds[i], ctx[i][j], &c,
						       NULL, 0, &seqno));

	pending = gpufe_route_stat(self->devs[0], "pending");
	held = gpufe_sched_stat(self->devs[0], "held");
	queued = gpufe_sched_stat(self->devs[0], "queued");
	for (e = 0; e < self->num_engines; e++) {
		ASSERT_EQ(0, gpufe_get_status(self->fd, gate[e], &st));
		ASSERT_GT(gate_seqno[e], st.completed) {
			TH_LOG("the long jobs on engine %d ended before the counters were read", e);
		}
	}
	ksft_print_msg("%d jobs queued: pending=%lld held=%lld queued=%lld (engines x credits = %lld)\n",
		       total, pending, held, queued, bound);
	EXPECT_LE(0, pending);
	EXPECT_GE(bound, pending);
	EXPECT_LE(0, held);
	EXPECT_GE(bound, held);
	EXPECT_LE(total - bound, queued);
	/* The contexts count the same jobs as waiting. */
	for (i = 0, sum = 0; i < SCAN_CLIENTS; i++)
		for (j = 0; j < SCAN_CTXS; j++) {
			ASSERT_EQ(0, gpufe_get_status(fds[i], ctx[i][j], &st));
			EXPECT_GE(1, st.queued);
			sum += st.queued;
		}
	EXPECT_LE(total - bound, sum);

	for (i = 0; i < SCAN_CLIENTS; i++)
		for (j = 0; j < SCAN_CTXS; j++) {
			ASSERT_EQ(0, gpufe_sync(fds[i], ctx[i][j], 1));
			ASSERT_EQ(0, gpufe_get_status(fds[i], ctx[i][j], &st));
			EXPECT_EQ(0, st.error);
		}
	for (e = 0; e < self->num_engines; e++)
		ASSERT_EQ(0, gpufe_sync(self->fd, gate[e], gate_seqno[e]));

	routes1 = gpufe_route_stat(self->devs[0], "routes");
	scans1 = gpufe_route_stat(self->devs[0], "watchdog_scans");
	slots1 = gpufe_route_stat(self->devs[0], "slots_scanned");
	ksft_print_msg("%lld slots read by %lld routes and %lld watchdog scans\n",
		       slots1 - slots0, routes1 - routes0, scans1 - scans0);
	EXPECT_GE((routes1 - routes0 + scans1 - scans0) * bound, slots1 - slots0);
	for (i = 0; i < SCAN_CLIENTS; i++)
		close(fds[i]);
}

GPUFE_TEST_MAIN
