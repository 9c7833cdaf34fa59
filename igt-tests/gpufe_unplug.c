// SPDX-License-Identifier: GPL-2.0
/*
 * gpufe_unplug: hot-unplug with the scheduler (uAPI 1.4). Unloading the
 * swgpu back-end idle and under load, with jobs queued in the front-end
 * and running on every engine of both GPUs: every fence signals, with
 * success or -ENODEV, waiters in WAIT, poll() and read() wake, contexts
 * are lost and nothing leaks (the module's reference count and debugfs
 * gpufe/counters return to where they were). One GPU unregistered alone
 * through swgpu's debugfs unplug knob while the other carries on.
 *
 * Every subtest leaves gpufe_swgpu loaded as the VM script loaded it,
 * with all its GPUs: its fixture's teardown reloads it, in the parent,
 * when the subtest unloaded it or unplugged a GPU and did not put it back.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gpufe_test.h"

#define MAX_DEVS	16
#define MAX_ENGINES	64
/* A job still running, for certain, when the unplug comes. */
#define LONG_US		SWGPU_MAX_DELAY_US
#define SHORT_US	10000
#define FILL_VALUE(k)	(0x0ddba110u + (k))

struct counts {
	long long clients, devices, device_objects, bos, contexts, partitions;
	long long refcnt;
};

FIXTURE(unplug) {
	int fd;
	int num_devs;
	__u32 devs[MAX_DEVS];
	struct counts base;	/* with fd open and every GPU registered */
	bool reload;		/* the teardown reloads swgpu */
};

static int counts_read(struct counts *c)
{
	c->clients = gpufe_counter("clients");
	c->devices = gpufe_counter("devices");
	c->device_objects = gpufe_counter("device_objects");
	c->bos = gpufe_counter("bos");
	c->contexts = gpufe_counter("contexts");
	c->partitions = gpufe_counter("partitions");
	c->refcnt = gpufe_module_refcnt();
	if (c->clients < 0 || c->devices < 0 || c->device_objects < 0 ||
	    c->bos < 0 || c->contexts < 0 || c->refcnt < 0)
		return -EIO;
	return 0;
}

/*
 * Unload swgpu (if loaded) and load it with its default parameters. An
 * unload refused while the last references go is retried, bounded.
 */
static int swgpu_reload(void)
{
	int i, ret = 0;

	for (i = 0; i < 200 && gpufe_module_loaded(SWGPU_MODULE); i++) {
		ret = gpufe_module_unload(SWGPU_MODULE);
		if (!ret || ret == -ENOENT)
			break;
		gpufe_sleep_ms(50);
	}
	if (gpufe_module_loaded(SWGPU_MODULE))
		return ret ? ret : -EBUSY;
	return gpufe_module_load(SWGPU_MODULE, "");
}

FIXTURE_SETUP(unplug)
{
	const char *missing = NULL;
	char path[PATH_MAX];
	int ret;

	self->fd = -1;
	GPUFE_SKIP_IN_PARTITION("unloads swgpu and unplugs its GPUs");
	if (access(GPUFE_DEV, F_OK))
		SKIP(return, GPUFE_DEV " is absent: gpufe.ko not loaded");
	if (!gpufe_module_loaded(SWGPU_MODULE)) {
		if (gpufe_module_path(SWGPU_MODULE, path, sizeof(path)))
			SKIP(return, "the swgpu back-end is not installed");
		ASSERT_EQ(0, gpufe_module_load(SWGPU_MODULE, ""));
	}
	ret = gpufe_sched_fixture_open(&self->fd, self->devs, MAX_DEVS,
				       &self->num_devs, &missing);
	if (ret > 0)
		SKIP(return, "%s", missing);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, counts_read(&self->base));
}

FIXTURE_TEARDOWN_PARENT(unplug)
{
	if (self->reload || !gpufe_module_loaded(SWGPU_MODULE))
		swgpu_reload();
}

/* --- helpers -------------------------------------------------------------------- */

/* Everything is back to the baseline, waiting (bounded) for what is freed late. */
static void expect_baseline(struct __test_metadata *_metadata,
			    FIXTURE_DATA(unplug) *self)
{
	const struct counts *b = &self->base;

	EXPECT_EQ(b->clients, gpufe_counter_at_most("clients", b->clients));
	EXPECT_EQ(b->bos, gpufe_counter_at_most("bos", b->bos));
	EXPECT_EQ(b->contexts, gpufe_counter_at_most("contexts", b->contexts));
	EXPECT_EQ(b->partitions, gpufe_counter_at_most("partitions", b->partitions));
	EXPECT_EQ(b->device_objects,
		  gpufe_counter_at_most("device_objects", b->device_objects));
	EXPECT_EQ(b->devices, gpufe_counter("devices"));
	EXPECT_EQ(b->refcnt, gpufe_refcnt_at_most(b->refcnt));
}

/* The swgpu index (N of "swgpuN") of a device, or -errno. */
static int swgpu_index(int fd, __u32 dev)
{
	struct gpufe_query_devices *devs;
	unsigned int i, idx;
	int ret = -ENODEV;

	ret = gpufe_query_fetch(fd, GPUFE_QUERY_DEVICES, 0, (void **)&devs);
	if (ret)
		return ret;
	ret = -ENODEV;
	for (i = 0; i < devs->num_devices; i++) {
		const struct gpufe_device_info *d = (const void *)
			((const char *)devs->devices + (size_t)i * devs->entry_size);

		if (d->device_id == dev && sscanf(d->name, "swgpu%u", &idx) == 1)
			ret = idx;
	}
	free(devs);
	return ret;
}

/* Whether fd sees device dev. */
static bool sees(int fd, __u32 dev)
{
	__u32 ids[MAX_DEVS];
	int i, n = gpufe_swgpu_ids(fd, ids, MAX_DEVS);

	for (i = 0; i < n; i++)
		if (ids[i] == dev)
			return true;
	return false;
}

/* A GPU's sysfs directory. */
static void gpu_dir(__u32 dev, char *path, size_t size)
{
	snprintf(path, size, GPUFE_SYSFS_GPU, dev);
}

/* A job of one DELAY on ctx with an out-fence: its sync_file, or -errno. */
static int submit_delay_fenced(int fd, __u32 ctx, __u32 us, __u64 *seqno)
{
	struct gpufe_cmds c = { 0 };

	gpufe_emit_delay(&c, us);
	return gpufe_submit_fenced(fd, ctx, &c, NULL, 0, -1, seqno);
}

/* A FILL of page k of bo after a DELAY, with an out-fence: its sync_file. */
static int submit_fill_page(int fd, __u32 ctx, __u32 bo, unsigned int k,
			    __u32 delay_us)
{
	struct gpufe_submit_bo b = { bo, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_cmds c = { 0 };

	if (delay_us)
		gpufe_emit_delay(&c, delay_us);
	gpufe_emit_fill(&c, 0, 4096ULL * k, 4096, FILL_VALUE(k));
	return gpufe_submit_fenced(fd, ctx, &c, &b, 1, -1, NULL);
}

/* SUBMIT of a NOP: 0 or -errno. */
static int submit_nop(int fd, __u32 ctx)
{
	struct gpufe_cmds c = { 0 };
	__u64 seqno;

	gpufe_emit_nop(&c);
	return gpufe_submit_cmds(fd, ctx, &c, NULL, 0, &seqno);
}

/* A NOP run on ctx to its end without error: 0, or -errno. */
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
	if (!ret && (st.error || st.completed != seqno))
		ret = -EIO;
	return ret;
}

/* The waiters' kinds. */
enum { WAITER_WAIT, WAITER_POLL, WAITER_READ };

/*
 * A child that sleeps until a job is done: in WAIT on (fd, ctx, seqno),
 * in poll() on the sync_file fence, or in a blocking read() of fd's next
 * event. It exits 0 when woken as it should be, 10 + something when not.
 */
static pid_t waiter(int kind, int fd, __u32 ctx, __u64 seqno, int fence)
{
	pid_t pid = fork();
	struct gpufe_event ev;
	int ret;

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	switch (kind) {
	case WAITER_WAIT:
		ret = gpufe_wait_until(fd, ctx, seqno,
				       gpufe_now_ns() + 3 * GPUFE_TIMEOUT_NS);
		_exit(ret ? 11 : 0);
	case WAITER_POLL:
		ret = gpufe_poll_fd(fence, POLLIN, 3 * GPUFE_TIMEOUT_MS);
		_exit(ret == POLLIN ? 0 : 12);
	default:
		ret = read(fd, &ev, sizeof(ev));
		if (ret != sizeof(ev))
			_exit(13);
		if (ev.ctx_id != ctx || ev.seqno != seqno)
			_exit(14);
		_exit(ev.error == 0 || ev.error == -ENODEV ? 0 : 15);
	}
}

/* A waiter woke and exited 0, bounded. */
static void expect_woken(struct __test_metadata *_metadata, pid_t pid,
			 const char *what)
{
	int status = 0;

	ASSERT_EQ(0, gpufe_waitpid_timeout(pid, &status, GPUFE_TIMEOUT_MS)) {
		TH_LOG("the waiter in %s did not wake", what);
	}
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("the waiter in %s: check %d failed", what,
		       WEXITSTATUS(status));
	}
}

/*
 * A context after its device went: all its jobs completed, the context
 * LOST, SUBMIT refused with ENODEV; its error ENODEV if jobs of it
 * failed so, 0 if it was idle (error: which).
 */
static void expect_lost(struct __test_metadata *_metadata, int fd, __u32 ctx,
			int error)
{
	struct gpufe_ctx_status st;

	ASSERT_EQ(0, gpufe_get_status(fd, ctx, &st));
	EXPECT_EQ(GPUFE_CTX_STATE_LOST, st.state);
	EXPECT_EQ(st.submitted, st.completed);
	EXPECT_EQ(error, st.error);
	EXPECT_EQ(0, st.queued);
	EXPECT_EQ(-ENODEV, submit_nop(fd, ctx));
	ASSERT_EQ(0, gpufe_get_status(fd, ctx, &st));
	EXPECT_EQ(st.submitted, st.completed);
}

/* A fence of a job of a device that went: it signalled, with success or ENODEV. */
static int expect_gone_fence(struct __test_metadata *_metadata, int fence)
{
	int st = gpufe_fence_wait(fence, GPUFE_TIMEOUT_MS, NULL);

	EXPECT_TRUE(st == 1 || st == -ENODEV) {
		TH_LOG("a fence of the GPU that went: %d", st);
	}
	return st;
}

/* --- unloading ------------------------------------------------------------------ */

TEST_F(unplug, unload_idle)
{
	__u32 ctx[MAX_DEVS], ids[MAX_DEVS], old_max = 0;
	struct gpufe_buffer b;
	char path[64], policy[32];
	int fd, d, n;

	describe("Unloading swgpu with idle clients: their contexts are LOST (SUBMIT ENODEV), the GPUs leave sysfs and debugfs gpufe/sched; reloaded, they come back under new ids with the default policy, and nothing leaks");
	fd = gpufe_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, gpufe_buffer_create(fd, 4096, &b));
	for (d = 0; d < self->num_devs; d++) {
		ASSERT_EQ(0, gpufe_create_ctx(fd, self->devs[d],
					      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx[d]));
		ASSERT_EQ(0, run_nop(fd, ctx[d]));
		ASSERT_LE(0, gpufe_sched_stat(self->devs[d], "queued"));
		if (self->devs[d] > old_max)
			old_max = self->devs[d];
	}

	self->reload = true;
	ASSERT_EQ(0, gpufe_module_unload(SWGPU_MODULE));
	EXPECT_EQ(0, gpufe_counter("devices"));
	for (d = 0; d < self->num_devs; d++) {
		expect_lost(_metadata, fd, ctx[d], 0);
		EXPECT_EQ(-ENOENT, gpufe_sched_stat(self->devs[d], "queued"));
		gpu_dir(self->devs[d], path, sizeof(path));
		EXPECT_TRUE(gpufe_path_goes(path)) {
			TH_LOG("%s stays", path);
		}
	}

	ASSERT_EQ(0, gpufe_module_load(SWGPU_MODULE, ""));
	self->reload = false;
	n = gpufe_swgpu_ids(fd, ids, MAX_DEVS);
	ASSERT_EQ(self->num_devs, n);
	for (d = 0; d < n; d++) {
		__u32 c;

		EXPECT_LT(old_max, ids[d]);
		ASSERT_EQ(0, gpufe_policy_get(ids[d], policy, sizeof(policy)));
		EXPECT_STREQ("equal-share", policy);
		EXPECT_EQ(0, gpufe_sched_stat(ids[d], "queued"));
		EXPECT_EQ(0, gpufe_sched_stat(ids[d], "held"));
		ASSERT_EQ(0, gpufe_create_ctx(fd, ids[d],
					      GPUFE_ENGINE_CLASS_COMPUTE, 0, &c));
		EXPECT_EQ(0, run_nop(fd, c));
	}
	EXPECT_EQ(0, gpufe_buffer_destroy(fd, &b));
	EXPECT_EQ(0, close(fd));
	expect_baseline(_metadata, self);
}

#define LOAD_CLIENTS	3
#define LOAD_QUEUED	20
#define LOAD_CTXS	(MAX_DEVS * 4)

struct load_ctx {
	int fd;		/* one of the clients' */
	__u32 ctx;
	__u64 last;
	int fences[1 + LOAD_QUEUED];
};

TEST_F_TIMEOUT(unplug, unload_under_load, 90)
{
	static struct load_ctx lc[LOAD_CTXS];
	struct gpufe_engine_info engines[MAX_ENGINES];
	int fds[LOAD_CLIENTS], rfd, rfence, n = 0, d, e, ne, i, j;
	int ok = 0, nodev = 0;
	__u32 rctx;
	__u64 rseqno;
	pid_t w[3];

	describe("Unloading swgpu with jobs running and queued on every engine of both GPUs, from several clients: every fence signals, with success or ENODEV (ENODEV for those that never ran), waiters in WAIT, poll() and read() wake, the contexts are LOST; once the clients close nothing leaks");
	for (i = 0; i < LOAD_CLIENTS; i++) {
		fds[i] = gpufe_open();
		ASSERT_LE(0, fds[i]);
	}
	for (d = 0; d < self->num_devs && d < MAX_DEVS; d++) {
		ne = gpufe_engines(self->fd, self->devs[d], engines, MAX_ENGINES);
		ASSERT_LT(0, ne);
		for (e = 0; e < ne && n < LOAD_CTXS; e++, n++) {
			lc[n].fd = fds[n % LOAD_CLIENTS];
			ASSERT_EQ(0, gpufe_create_ctx(lc[n].fd, self->devs[d],
						      engines[e].engine_class,
						      engines[e].engine_instance,
						      &lc[n].ctx));
		}
	}
	/* A client whose only job is a long one: a read() waits for it. */
	rfd = gpufe_open();
	ASSERT_LE(0, rfd);
	ASSERT_EQ(0, gpufe_create_ctx(rfd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &rctx));

	for (i = 0; i < n; i++) {
		for (j = 0; j <= LOAD_QUEUED; j++) {
			lc[i].fences[j] = submit_delay_fenced(lc[i].fd, lc[i].ctx,
							      j ? SHORT_US : LONG_US,
							      &lc[i].last);
			ASSERT_LE(0, lc[i].fences[j]);
		}
	}
	rfence = submit_delay_fenced(rfd, rctx, LONG_US, &rseqno);
	ASSERT_LE(0, rfence);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, gpufe_await_handed(lc[i].fd, lc[i].ctx));

	w[0] = waiter(WAITER_WAIT, lc[0].fd, lc[0].ctx, lc[0].last, -1);
	ASSERT_LT(0, w[0]);
	w[1] = waiter(WAITER_POLL, -1, 0, 0, lc[n - 1].fences[LOAD_QUEUED]);
	ASSERT_LT(0, w[1]);
	w[2] = waiter(WAITER_READ, rfd, rctx, rseqno, -1);
	ASSERT_LT(0, w[2]);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, gpufe_await_sleeping(w[i]));

	self->reload = true;
	ASSERT_EQ(0, gpufe_module_unload(SWGPU_MODULE));

	for (i = 0; i < n; i++) {
		for (j = 0; j <= LOAD_QUEUED; j++) {
			int st = expect_gone_fence(_metadata, lc[i].fences[j]);

			ok += st == 1;
			nodev += st == -ENODEV;
			/* The last could not have run before the unload. */
			if (j == LOAD_QUEUED)
				EXPECT_EQ(-ENODEV, st);
			close(lc[i].fences[j]);
		}
		expect_lost(_metadata, lc[i].fd, lc[i].ctx, -ENODEV);
	}
	EXPECT_EQ(-ENODEV, gpufe_fence_wait(rfence, GPUFE_TIMEOUT_MS, NULL));
	close(rfence);
	ksft_print_msg("%d contexts: %d jobs succeeded, %d failed with ENODEV\n",
		       n, ok, nodev);
	expect_woken(_metadata, w[0], "WAIT");
	expect_woken(_metadata, w[1], "poll() on a fence");
	expect_woken(_metadata, w[2], "read()");
	EXPECT_EQ(0, gpufe_counter("devices"));

	for (i = 0; i < LOAD_CLIENTS; i++)
		EXPECT_EQ(0, close(fds[i]));
	EXPECT_EQ(0, close(rfd));
	ASSERT_EQ(0, gpufe_module_load(SWGPU_MODULE, ""));
	self->reload = false;
	expect_baseline(_metadata, self);
}

/* --- one GPU ---------------------------------------------------------------------- */

#define VICTIM_QUEUED	10
#define SURVIVOR_JOBS	30
#define SURVIVOR_AFTER	10

TEST_F_TIMEOUT(unplug, unplug_one_gpu, 90)
{
	int vf[2][1 + VICTIM_QUEUED], sf[SURVIVOR_JOBS + SURVIVOR_AFTER];
	__u32 victim, survivor, vctx[2], sctx, sctx2, c;
	struct gpufe_buffer sb;
	struct gpufe_ctx_status st;
	__u64 vlast[2];
	char idx[16], path[64];
	int fd, vi, i, j;
	pid_t w;

	describe("Writing a GPU's index to debugfs gpufe_swgpu/unplug unregisters it alone, under load: its fences signal (success or ENODEV), its contexts are LOST, its waiter wakes, it leaves QUERY, sysfs and debugfs; the other GPU's jobs, queued before and after, complete with the right data; reloading swgpu brings both back");
	if (self->num_devs < 2)
		SKIP(return, "needs two swgpu devices (gpufe_swgpu num_gpus=2, the default)");
	ASSERT_EQ(0, access(SWGPU_UNPLUG, F_OK)) {
		TH_LOG("no %s", SWGPU_UNPLUG);
	}
	survivor = self->devs[0];
	victim = self->devs[self->num_devs - 1];
	vi = swgpu_index(self->fd, victim);
	ASSERT_LE(0, vi);
	snprintf(idx, sizeof(idx), "%d", vi);

	fd = gpufe_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, gpufe_create_ctx(fd, victim, GPUFE_ENGINE_CLASS_COMPUTE, 0,
				      &vctx[0]));
	ASSERT_EQ(0, gpufe_create_ctx(fd, victim, GPUFE_ENGINE_CLASS_COMPUTE,
				      gpufe_engine_count(fd, victim,
							 GPUFE_ENGINE_CLASS_COMPUTE) > 1,
				      &vctx[1]));
	ASSERT_EQ(0, gpufe_create_ctx(fd, survivor, GPUFE_ENGINE_CLASS_COMPUTE, 0,
				      &sctx));
	ASSERT_EQ(0, gpufe_buffer_create(fd, 4096 * (SURVIVOR_JOBS + SURVIVOR_AFTER),
					 &sb));
	for (i = 0; i < 2; i++)
		for (j = 0; j <= VICTIM_QUEUED; j++) {
			vf[i][j] = submit_delay_fenced(fd, vctx[i],
						       j ? SHORT_US : LONG_US,
						       &vlast[i]);
			ASSERT_LE(0, vf[i][j]);
		}
	for (j = 0; j < SURVIVOR_JOBS; j++) {
		sf[j] = submit_fill_page(fd, sctx, sb.handle, j, SHORT_US);
		ASSERT_LE(0, sf[j]);
	}
	ASSERT_EQ(0, gpufe_await_handed(fd, vctx[0]));
	ASSERT_EQ(0, gpufe_await_handed(fd, sctx));
	w = waiter(WAITER_WAIT, fd, vctx[0], vlast[0], -1);
	ASSERT_LT(0, w);
	ASSERT_EQ(0, gpufe_await_sleeping(w));

	self->reload = true;
	ASSERT_EQ(0, gpufe_write_text(SWGPU_UNPLUG, idx));

	/* The survivor takes more work at once. */
	for (j = SURVIVOR_JOBS; j < SURVIVOR_JOBS + SURVIVOR_AFTER; j++) {
		sf[j] = submit_fill_page(fd, sctx, sb.handle, j, 0);
		ASSERT_LE(0, sf[j]);
	}
	for (i = 0; i < 2; i++) {
		for (j = 0; j <= VICTIM_QUEUED; j++) {
			int s = expect_gone_fence(_metadata, vf[i][j]);

			if (j == VICTIM_QUEUED)
				EXPECT_EQ(-ENODEV, s);
			close(vf[i][j]);
		}
		expect_lost(_metadata, fd, vctx[i], -ENODEV);
	}
	expect_woken(_metadata, w, "WAIT on the unplugged GPU");
	EXPECT_EQ(-ENODEV, gpufe_create_ctx(fd, victim, GPUFE_ENGINE_CLASS_COMPUTE,
					    0, &c));
	EXPECT_FALSE(sees(fd, victim));
	EXPECT_TRUE(sees(fd, survivor));
	EXPECT_EQ(self->num_devs - 1, gpufe_swgpu_ids(fd, (__u32[MAX_DEVS]){ 0 },
						     MAX_DEVS));
	EXPECT_EQ(self->base.devices - 1, gpufe_counter("devices"));
	gpu_dir(victim, path, sizeof(path));
	EXPECT_TRUE(gpufe_path_goes(path));
	EXPECT_EQ(-ENOENT, gpufe_sched_stat(victim, "queued"));
	EXPECT_EQ(-ENOENT, gpufe_route_stat(victim, "pending"));
	/* Gone already: a second unplug of it finds nothing. */
	EXPECT_EQ(-ENODEV, gpufe_write_text(SWGPU_UNPLUG, idx));

	for (j = 0; j < SURVIVOR_JOBS + SURVIVOR_AFTER; j++) {
		EXPECT_EQ(1, gpufe_fence_wait(sf[j], GPUFE_TIMEOUT_MS, NULL)) {
			TH_LOG("the other GPU's job %d", j);
		}
		close(sf[j]);
		EXPECT_EQ(-1, gpufe_find_not((char *)sb.map + 4096 * j, 1024,
					     FILL_VALUE(j)));
	}
	ASSERT_EQ(0, gpufe_get_status(fd, sctx, &st));
	EXPECT_EQ(GPUFE_CTX_STATE_ACTIVE, st.state);
	EXPECT_EQ(0, st.error);
	EXPECT_EQ(SURVIVOR_JOBS + SURVIVOR_AFTER, st.completed);
	ASSERT_EQ(0, gpufe_create_ctx(fd, survivor, GPUFE_ENGINE_CLASS_COMPUTE, 0,
				      &sctx2));
	EXPECT_EQ(0, run_nop(fd, sctx2));
	EXPECT_LE(0, gpufe_sched_stat(survivor, "queued"));

	/* Once its contexts are gone, the GPU's object goes. */
	EXPECT_EQ(0, gpufe_buffer_destroy(fd, &sb));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(self->base.device_objects - 1,
		  gpufe_counter_at_most("device_objects",
					self->base.device_objects - 1));

	ASSERT_EQ(0, swgpu_reload());
	self->reload = false;
	EXPECT_EQ(self->num_devs, gpufe_swgpu_ids(self->fd, (__u32[MAX_DEVS]){ 0 },
						  MAX_DEVS));
	expect_baseline(_metadata, self);
}

TEST_F(unplug, unplug_then_unload)
{
	__u32 victim, ctx;
	char idx[16];
	int fd, vi;

	describe("Unloading swgpu after one of its GPUs was unplugged, with a context still on that GPU and one on the other, unregisters the rest cleanly; reloaded, all its GPUs are back and nothing leaks");
	if (self->num_devs < 2)
		SKIP(return, "needs two swgpu devices (gpufe_swgpu num_gpus=2, the default)");
	ASSERT_EQ(0, access(SWGPU_UNPLUG, F_OK));
	victim = self->devs[0];
	vi = swgpu_index(self->fd, victim);
	ASSERT_LE(0, vi);
	snprintf(idx, sizeof(idx), "%d", vi);
	fd = gpufe_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, gpufe_create_ctx(fd, victim, GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx));
	ASSERT_EQ(0, run_nop(fd, ctx));

	self->reload = true;
	ASSERT_EQ(0, gpufe_write_text(SWGPU_UNPLUG, idx));
	expect_lost(_metadata, fd, ctx, 0);
	EXPECT_TRUE(sees(fd, self->devs[1]));
	ASSERT_EQ(0, gpufe_create_ctx(fd, self->devs[1],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx));
	EXPECT_EQ(0, run_nop(fd, ctx));

	ASSERT_EQ(0, gpufe_module_unload(SWGPU_MODULE));
	expect_lost(_metadata, fd, ctx, 0);
	EXPECT_EQ(0, gpufe_counter("devices"));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, gpufe_counter_at_most("device_objects", 0));

	ASSERT_EQ(0, gpufe_module_load(SWGPU_MODULE, ""));
	self->reload = false;
	EXPECT_EQ(self->num_devs, gpufe_swgpu_ids(self->fd, (__u32[MAX_DEVS]){ 0 },
						  MAX_DEVS));
	expect_baseline(_metadata, self);
}

TEST_F(unplug, bad_unplug_index)
{
	static const char *const not_numbers[] = {
		"-1", "abc", "1x", "\n", " ", "0x1", "1 2",
	};
	static const char *const no_gpu[] = { "16", "99", "4000000000" };
	char idx[16];
	unsigned int i;

	describe("Writing gpufe_swgpu/unplug the index of no GPU fails with ENODEV, anything but a decimal number with EINVAL (one too large for 32 bits fails too); none unplugs anything");
	ASSERT_EQ(0, access(SWGPU_UNPLUG, F_OK));
	snprintf(idx, sizeof(idx), "%d", self->num_devs);
	EXPECT_EQ(-ENODEV, gpufe_write_text(SWGPU_UNPLUG, idx)) {
		TH_LOG("wrote \"%s\", one past the last GPU", idx);
	}
	for (i = 0; i < ARRAY_SIZE(no_gpu); i++) {
		EXPECT_EQ(-ENODEV, gpufe_write_text(SWGPU_UNPLUG, no_gpu[i])) {
			TH_LOG("wrote \"%s\"", no_gpu[i]);
		}
	}
	for (i = 0; i < ARRAY_SIZE(not_numbers); i++) {
		EXPECT_EQ(-EINVAL, gpufe_write_text(SWGPU_UNPLUG, not_numbers[i])) {
			TH_LOG("wrote \"%s\"", not_numbers[i]);
		}
	}
	EXPECT_NE(0, gpufe_write_text(SWGPU_UNPLUG, "4294967296"));
	EXPECT_EQ(self->num_devs, gpufe_swgpu_ids(self->fd, (__u32[MAX_DEVS]){ 0 },
						  MAX_DEVS));
	EXPECT_EQ(self->base.devices, gpufe_counter("devices"));
	for (i = 0; i < (unsigned int)self->num_devs; i++) {
		__u32 ctx;

		ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[i],
					      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx));
		EXPECT_EQ(0, run_nop(self->fd, ctx));
	}
}

GPUFE_TEST_MAIN
