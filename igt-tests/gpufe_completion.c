// SPDX-License-Identifier: GPL-2.0
/*
 * gpufe_completion: the completion page (uAPI 1.2): its layout, its
 * read-only mapping and the mappings it refuses, slots following their
 * contexts' jobs and errors, isolation between clients, fork() and slot
 * reuse; and the interrupt routing behind it: completions delivered
 * exactly once to exactly their clients, idle clients neither woken nor
 * scanned, lost interrupts and late slot writes made up by the watchdog,
 * and waiting by sleeping, spinning or both.
 *
 * With GPUFE_TEST_BACKEND=edu (the gpufe_completion@edu variant), against
 * an edu GPU: the page, its mappings, the slots, the ways to wait and
 * fork() run with edu jobs (a FACTORIAL where swgpu FILLs, a 1-byte COPY
 * on the copy engine where a job must take a while); the subtests of
 * swgpu's knobs and delays skip.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <sys/resource.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gpufe_test.h"

#define MAX_DEVS	16
#define MAX_ENGINES	64
#define SLOT_SIZE	sizeof(struct gpufe_completion_slot)
#define FILL_VALUE	0x5107f111u

/*
 * The longest job there is: still running, for certain, when the few
 * system calls that follow its submission return (as in gpufe_fence).
 */
#define LONG_US		SWGPU_MAX_DELAY_US
/* A job long enough that its waiter waits for it. */
#define SHORT_US	20000

FIXTURE(completion) {
	int fd;
	int num_devs;
	__u32 devs[MAX_DEVS];
	size_t page_size;
	const void *page;		/* the first page of fd's completion page */
	struct gpufe_buffer buf;	/* 64 KiB for the jobs to fill */
	bool restore_knobs;		/* a swgpu knob was set: put all back to 0 */
	bool reload_swgpu;		/* swgpu was loaded with parameters */
	long long watchdog_ms;		/* route_watchdog_ms to put back, or -1 */
};

FIXTURE_SETUP(completion)
{
	const char *missing = NULL;
	int ret;

	self->fd = -1;
	self->watchdog_ms = -1;
	ret = gpufe_fixture_open(&self->fd, self->devs, MAX_DEVS,
				 &self->num_devs, &missing);
	if (ret > 0)
		SKIP(return, "%s", missing);
	ASSERT_EQ(0, ret);
	missing = gpufe_completion_missing(self->fd);
	if (missing)
		SKIP(return, "%s", missing);
	self->page_size = sysconf(_SC_PAGESIZE);
	ASSERT_EQ(0, gpufe_completion_map(self->fd, self->page_size, &self->page));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 1 << 16, &self->buf));
}

/*
 * In the parent of the subtest's process, so that the knobs go back even
 * when the subtest died of a signal. The file and the mappings went with
 * that process.
 */
FIXTURE_TEARDOWN_PARENT(completion)
{
	if (self->reload_swgpu) {
		gpufe_module_unload(SWGPU_MODULE);
		gpufe_module_load(SWGPU_MODULE, "");
	}
	if (self->restore_knobs) {
		gpufe_write_ull(SWGPU_DEBUGFS "/drop_irq_every", 0);
		gpufe_write_ull(SWGPU_DEBUGFS "/late_slot_write_us", 0);
		gpufe_write_ull(SWGPU_DEBUGFS "/fail_next_jobs", 0);
	}
	if (self->watchdog_ms >= 0)
		gpufe_write_ull(GPUFE_PARAMS "/route_watchdog_ms",
				self->watchdog_ms);
}

/* --- helpers ---------------------------------------------------------------- */

/* An engine that runs FILL (compute or copy). */
struct engine_ref {
	__u32 dev;
	__u16 engine_class;
	__u16 engine_instance;
};

/*
 * The engines that run FILL on the first ndevs devices, interleaved over
 * the devices (dev0's first, dev1's first, dev0's second, ...): how many.
 */
static int fill_engines(int fd, const __u32 *devs, int ndevs,
			struct engine_ref *out, int max)
{
	struct engine_ref per[2][MAX_ENGINES];
	int count[2] = { 0, 0 }, d, i, n = 0;

	if (ndevs > 2)
		ndevs = 2;
	for (d = 0; d < ndevs; d++) {
		struct gpufe_engine_info e[MAX_ENGINES];
		int ne = gpufe_engines(fd, devs[d], e, MAX_ENGINES);

		if (ne < 0)
			return ne;
		for (i = 0; i < ne && i < MAX_ENGINES; i++) {
			if (e[i].engine_class != GPUFE_ENGINE_CLASS_COMPUTE &&
			    e[i].engine_class != GPUFE_ENGINE_CLASS_COPY)
				continue;
			per[d][count[d]++] = (struct engine_ref){
				devs[d], e[i].engine_class, e[i].engine_instance,
			};
		}
	}
	for (i = 0; i < MAX_ENGINES && n < max; i++)
		for (d = 0; d < ndevs && n < max; d++)
			if (i < count[d])
				out[n++] = per[d][i];
	return n;
}

/* Queue a FILL of [offset, offset + len) of bo with value, after delay_us. */
static int submit_fill(int fd, __u32 ctx, __u32 bo, __u64 offset, __u64 len,
		       __u32 value, __u32 delay_us, __u64 *seqno)
{
	struct gpufe_submit_bo b = { bo, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_cmds c = { 0 };

	if (delay_us)
		gpufe_emit_delay(&c, delay_us);
	gpufe_emit_fill(&c, 0, offset, len, value);
	return gpufe_submit_cmds(fd, ctx, &c, &b, 1, seqno);
}

/*
 * A job that writes value k to the 4 KiB at offset of bo: a FILL of
 * FILL_VALUE + k after delay_us; on edu (GPUFE_TEST_BACKEND), which has no
 * delay, a FACTORIAL of value_n(k) into the word at offset.
 */
static __u32 value_n(unsigned int k)
{
	return k % EDU_MAX_FACTORIAL_N + 1;
}

static int submit_value(int fd, __u32 ctx, __u32 bo, __u64 offset,
			unsigned int k, __u32 delay_us, __u64 *seqno)
{
	struct gpufe_submit_bo b = { bo, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_cmds c = { 0 };

	if (gpufe_backend_swgpu())
		return submit_fill(fd, ctx, bo, offset, 4096, FILL_VALUE + k,
				   delay_us, seqno);
	gpufe_emit_edu_factorial(&c, value_n(k), 0, offset);
	return gpufe_submit_cmds(fd, ctx, &c, &b, 1, seqno);
}

/* Whether the 4 KiB at offset of a mapping hold what submit_value(k) wrote. */
static bool value_at(const void *map, __u64 offset, unsigned int k)
{
	if (gpufe_backend_swgpu())
		return gpufe_find_not((const char *)map + (uintptr_t)offset,
				      4096 / 4, FILL_VALUE + k) == -1;
	return *(const volatile __u32 *)((const char *)map + (uintptr_t)offset) ==
	       gpufe_factorial(value_n(k));
}

/*
 * A NOP after delay_us; on another back-end (GPUFE_TEST_BACKEND) its
 * smallest job on a compute context, without delay.
 */
static int submit_nop(int fd, __u32 ctx, __u32 delay_us, __u64 *seqno)
{
	struct gpufe_cmds c = { 0 };

	if (!gpufe_backend_swgpu())
		return delay_us ? -EOPNOTSUPP :
		       gpufe_submit_min(fd, ctx, GPUFE_ENGINE_CLASS_COMPUTE, seqno);
	gpufe_emit_nop(&c);
	if (delay_us)
		gpufe_emit_delay(&c, delay_us);
	return gpufe_submit_cmds(fd, ctx, &c, NULL, 0, seqno);
}

/* Whether len bytes at offset of a mapping all hold value. */
static bool filled(const void *map, __u64 offset, __u64 len, __u32 value)
{
	return gpufe_find_not((const char *)map + (uintptr_t)offset, len / 4,
			      value) == -1;
}

/*
 * An fdinfo counter once it has caught up with want (or the bound
 * passed): the wake-up that told us the jobs were done may come a little
 * before the counting. Never waits once the counter is there, so a count
 * above want shows as it is.
 */
static long long fdinfo_reaching(pid_t pid, int fd, const char *key,
				 long long want)
{
	__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;
	struct timespec ms = { 0, 1000000 };
	long long v;

	for (;;) {
		v = gpufe_fdinfo(pid, fd, key);
		if (v < 0 || v >= want || gpufe_now_ns() > end)
			return v;
		nanosleep(&ms, NULL);
	}
}

/* A route counter summed over every swgpu device, or -errno. */
static long long route_sum(FIXTURE_DATA(completion) *self, const char *key)
{
	long long sum = 0;
	int d;

	for (d = 0; d < self->num_devs; d++) {
		long long v = gpufe_route_stat(self->devs[d], key);

		if (v < 0)
			return v;
		sum += v;
	}
	return sum;
}

static long long swgpu_counter(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), SWGPU_DEBUGFS "/%s", name);
	return gpufe_read_ull(path);
}

/* Why the routing subtests cannot run (a debugfs file absent), or NULL. */
static const char *routing_missing(void)
{
	static const char *const knobs[] = {
		"drop_irq_every", "late_slot_write_us", "fail_next_jobs",
		"irqs_raised", "irqs_dropped", "late_writes",
	};
	char path[128];
	unsigned int i;

	if (access(GPUFE_DEBUGFS "/route", R_OK))
		return GPUFE_DEBUGFS "/route is missing";
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		snprintf(path, sizeof(path), SWGPU_DEBUGFS "/%s", knobs[i]);
		if (access(path, R_OK))
			return "the swgpu debugfs knobs are missing (" SWGPU_DEBUGFS ")";
	}
	return NULL;
}

/* Set a swgpu knob; the teardown puts every knob back to 0. */
static void set_knob(struct __test_metadata *_metadata,
		     FIXTURE_DATA(completion) *self, const char *name,
		     unsigned long long v)
{
	char path[128];

	snprintf(path, sizeof(path), SWGPU_DEBUGFS "/%s", name);
	self->restore_knobs = true;
	ASSERT_EQ(0, gpufe_write_ull(path, v)) {
		TH_LOG("writing %llu to %s", v, path);
	}
}

/*
 * Make sure the routing watchdog runs (route_watchdog_ms not 0), putting
 * the old value back in the teardown if it had to change it.
 */
static void need_watchdog(struct __test_metadata *_metadata,
			  FIXTURE_DATA(completion) *self)
{
	long long ms = gpufe_read_ull(GPUFE_PARAMS "/route_watchdog_ms");

	ASSERT_LE(0, ms) {
		TH_LOG("no " GPUFE_PARAMS "/route_watchdog_ms");
	}
	if (ms)
		return;
	self->watchdog_ms = 0;
	ASSERT_EQ(0, gpufe_write_ull(GPUFE_PARAMS "/route_watchdog_ms", 10));
}

/*
 * A second mapping of the page works after a refused one and agrees with
 * the fixture's: a new context's job shows on both.
 */
static void expect_page_works(struct __test_metadata *_metadata,
			      FIXTURE_DATA(completion) *self)
{
	const void *page = NULL;
	__u64 off, seqno;
	__u32 ctx;

	ASSERT_EQ(0, gpufe_completion_map(self->fd, self->page_size, &page));
	ASSERT_EQ(0, gpufe_create_ctx_slot(self->fd, self->devs[0],
					   GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx, &off));
	ASSERT_GT(self->page_size, off);
	ASSERT_EQ(0, submit_nop(self->fd, ctx, 0, &seqno));
	ASSERT_EQ(0, gpufe_sync(self->fd, ctx, seqno));
	EXPECT_EQ(seqno, gpufe_slot_seqno(gpufe_slot(page, off)));
	EXPECT_EQ(seqno, gpufe_slot_seqno(gpufe_slot(self->page, off)));
	EXPECT_EQ(0, gpufe_slot_error(gpufe_slot(page, off)));
	EXPECT_EQ(0, munmap((void *)page, self->page_size));
	EXPECT_EQ(0, gpufe_destroy_ctx(self->fd, ctx));
}

/* Reap a child within timeout_ms; its exit code, or -1 if none. */
static int reap(struct __test_metadata *_metadata, pid_t child, int timeout_ms)
{
	int status = 0, ret;

	ret = gpufe_waitpid_timeout(child, &status, timeout_ms);
	EXPECT_EQ(0, ret) {
		TH_LOG("child %d did not exit in %d ms", child, timeout_ms);
	}
	if (ret)
		return -1;
	EXPECT_TRUE(WIFEXITED(status)) {
		TH_LOG("child %d died of signal %d", child,
		       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* --- the page --------------------------------------------------------------- */

TEST_F(completion, basic_page_layout)
{
	struct gpufe_engine_info e[MAX_ENGINES];
	__u32 ctx[MAX_ENGINES];
	__u64 off[MAX_ENGINES], last[MAX_ENGINES];
	int n, i, k, j;

	describe("Contexts on every engine get distinct 16-byte slots on the page reading 0/0, then each its last completed seqno, as CTX_STATUS says");
	n = gpufe_engines(self->fd, self->devs[0], e, MAX_ENGINES);
	ASSERT_LT(0, n);
	if (n > 16)
		n = 16;		/* 64 KiB of buffer: a 4 KiB region each */
	for (i = 0; i < n; i++) {
		const struct gpufe_completion_slot *s;

		ASSERT_EQ(0, gpufe_create_ctx_slot(self->fd, self->devs[0],
						   e[i].engine_class,
						   e[i].engine_instance,
						   &ctx[i], &off[i]));
		EXPECT_EQ(0, off[i] % SLOT_SIZE);
		ASSERT_GE(self->page_size, off[i] + SLOT_SIZE) {
			TH_LOG("%s: slot_offset %llu", e[i].name,
			       (unsigned long long)off[i]);
		}
		for (j = 0; j < i; j++) {
			ASSERT_NE(off[j], off[i]);
		}
		s = gpufe_slot(self->page, off[i]);
		EXPECT_EQ(0, gpufe_slot_seqno(s));
		EXPECT_EQ(0, gpufe_slot_error(s));
		EXPECT_EQ(0, s->pad);
	}

	/* i + 1 jobs on engine i, so that every context ends elsewhere. */
	for (i = 0; i < n; i++) {
		bool fills = e[i].engine_class == GPUFE_ENGINE_CLASS_COMPUTE ||
			     e[i].engine_class == GPUFE_ENGINE_CLASS_COPY;

		for (k = 0; k <= i; k++) {
			if (!gpufe_backend_swgpu()) {
				struct gpufe_submit_bo b[1];
				struct gpufe_cmds c = { 0 };
				__u32 nb;

				ASSERT_EQ(0, gpufe_min_job(e[i].engine_class,
							   self->buf.handle,
							   4096 * i, &c, b, &nb));
				ASSERT_EQ(0, gpufe_submit_cmds(self->fd, ctx[i],
							       &c, b, nb,
							       &last[i]));
			} else if (fills) {
				ASSERT_EQ(0, submit_fill(self->fd, ctx[i],
							 self->buf.handle,
							 4096 * i, 4096,
							 FILL_VALUE + 256 * i + k,
							 0, &last[i]));
			} else {
				ASSERT_EQ(0, submit_nop(self->fd, ctx[i], 0,
							&last[i]));
			}
		}
		EXPECT_EQ(i + 1, last[i]);
	}
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, gpufe_sync(self->fd, ctx[i], last[i]));
	}
	for (i = 0; i < n; i++) {
		const struct gpufe_completion_slot *s = gpufe_slot(self->page, off[i]);
		struct gpufe_ctx_status st;

		ASSERT_EQ(0, gpufe_get_status(self->fd, ctx[i], &st));
		EXPECT_EQ(last[i], gpufe_slot_seqno(s)) {
			TH_LOG("%s", e[i].name);
		}
		EXPECT_EQ(st.completed, gpufe_slot_seqno(s));
		EXPECT_EQ(0, gpufe_slot_error(s));
		EXPECT_EQ(0, s->pad);
		if (!gpufe_backend_swgpu()) {
			/* edu's compute job: 0! = 1 at the region's start. */
			if (e[i].engine_class == GPUFE_ENGINE_CLASS_COMPUTE)
				EXPECT_EQ(1, *(const __u32 *)((const char *)
						self->buf.map + 4096 * i));
		} else if (e[i].engine_class == GPUFE_ENGINE_CLASS_COMPUTE ||
		    e[i].engine_class == GPUFE_ENGINE_CLASS_COPY) {
			EXPECT_TRUE(filled(self->buf.map, 4096 * i, 4096,
					   FILL_VALUE + 256 * i + i));
		}
	}
}

TEST_F(completion, basic_read_only)
{
	const struct gpufe_completion_slot *s;
	__u64 off, seqno;
	pid_t child;
	__u32 ctx;

	describe("The page maps read-only and shared; a store to it kills the process with SIGSEGV and changes nothing; mprotect() to write fails with EACCES");
	ASSERT_EQ(0, gpufe_create_ctx_slot(self->fd, self->devs[0],
					   GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx, &off));
	s = gpufe_slot(self->page, off);
	ASSERT_EQ(0, submit_nop(self->fd, ctx, 0, &seqno));
	ASSERT_EQ(0, gpufe_sync(self->fd, ctx, seqno));
	ASSERT_EQ(1, gpufe_slot_seqno(s));

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		struct rlimit none = { 0, 0 };
		volatile __u64 *w = (volatile __u64 *)(uintptr_t)&s->seqno;

		setrlimit(RLIMIT_CORE, &none);
		*w = 0xdeadbeef;
		_exit(0);
	}
	{
		int status = 0;

		ASSERT_EQ(0, gpufe_waitpid_timeout(child, &status, GPUFE_TIMEOUT_MS));
		EXPECT_TRUE(WIFSIGNALED(status)) {
			TH_LOG("the store did not fault: the child exited %d",
			       WEXITSTATUS(status));
		}
		if (WIFSIGNALED(status)) {
			EXPECT_EQ(SIGSEGV, WTERMSIG(status));
		}
	}
	EXPECT_EQ(1, gpufe_slot_seqno(s));

	EXPECT_EQ(-1, mprotect((void *)self->page, self->page_size,
			       PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* Still mapped, still read-only, still following the context. */
	ASSERT_EQ(0, submit_nop(self->fd, ctx, 0, &seqno));
	ASSERT_EQ(0, gpufe_sync(self->fd, ctx, seqno));
	EXPECT_EQ(2, gpufe_slot_seqno(s));
	EXPECT_EQ(0, gpufe_slot_error(s));
}

TEST_F(completion, page_without_slots_faults)
{
	const struct gpufe_completion_slot *s;
	const volatile __u64 *beyond;
	const void *map = NULL;
	int status, fd;
	__u64 off, seqno;
	__u32 ctx;
	pid_t pid;

	describe("A mapping may reach past the pages that hold slots, but reading such a page raises SIGBUS; the pages with slots work");
	fd = gpufe_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, gpufe_completion_map(fd, 2 * self->page_size, &map));
	ASSERT_EQ(0, gpufe_create_ctx_slot(fd, self->devs[0],
					   GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx, &off));
	ASSERT_GT(self->page_size, off);
	s = gpufe_slot(map, off);
	beyond = (const volatile __u64 *)((const char *)map + self->page_size);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(*beyond == 0 ? 0 : 1);
	ASSERT_EQ(0, gpufe_waitpid_timeout(pid, &status, GPUFE_TIMEOUT_MS));
	EXPECT_TRUE(WIFSIGNALED(status));
	if (WIFSIGNALED(status))
		EXPECT_EQ(SIGBUS, WTERMSIG(status));

	ASSERT_EQ(0, submit_nop(fd, ctx, 0, &seqno));
	ASSERT_EQ(0, gpufe_sync(fd, ctx, seqno));
	EXPECT_EQ(seqno, gpufe_slot_seqno(s));
	EXPECT_EQ(0, munmap((void *)map, 2 * self->page_size));
	close(fd);
}

TEST_F(completion, bad_mmap_write)
{
	static const int prots[] = { PROT_READ | PROT_WRITE, PROT_WRITE };
	unsigned int i;

	describe("mmap() of the page with PROT_WRITE fails with EACCES and changes nothing");
	for (i = 0; i < ARRAY_SIZE(prots); i++) {
		void *p = mmap(NULL, self->page_size, prots[i], MAP_SHARED,
			       self->fd, GPUFE_COMPLETION_MMAP_OFFSET);

		EXPECT_EQ(MAP_FAILED, p) {
			TH_LOG("prot %#x", prots[i]);
		}
		if (p != MAP_FAILED) {
			munmap(p, self->page_size);
		} else {
			EXPECT_EQ(EACCES, errno);
		}
	}
	expect_page_works(_metadata, self);
}

TEST_F(completion, bad_mmap_private)
{
	void *p;

	describe("A MAP_PRIVATE mapping of the page fails with EINVAL and changes nothing");
	p = mmap(NULL, self->page_size, PROT_READ, MAP_PRIVATE, self->fd,
		 GPUFE_COMPLETION_MMAP_OFFSET);
	EXPECT_EQ(MAP_FAILED, p);
	if (p != MAP_FAILED) {
		munmap(p, self->page_size);
	} else {
		EXPECT_EQ(EINVAL, errno);
	}
	expect_page_works(_metadata, self);
}

TEST_F(completion, bad_mmap_size)
{
	const size_t sizes[] = {
		GPUFE_COMPLETION_MAX_SIZE + self->page_size,
		2 * GPUFE_COMPLETION_MAX_SIZE,
	};
	const void *whole = NULL;
	struct gpufe_version v;
	__u64 off, seqno;
	unsigned int i;
	__u32 ctx;

	describe("A mapping of the page reaching past GPUFE_COMPLETION_MAX_SIZE, by its length or its offset, fails with EINVAL and changes nothing; one of exactly that size works; where the room ends a client without partition maps nothing (ENODEV), one of a partition its register page");
	ASSERT_EQ(0, gpufe_completion_map(self->fd, GPUFE_COMPLETION_MAX_SIZE,
					  &whole));
	ASSERT_EQ(0, gpufe_create_ctx_slot(self->fd, self->devs[0],
					   GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx, &off));
	ASSERT_EQ(0, submit_nop(self->fd, ctx, 0, &seqno));
	ASSERT_EQ(0, gpufe_sync(self->fd, ctx, seqno));
	EXPECT_EQ(seqno, gpufe_slot_seqno(gpufe_slot(whole, off)));
	EXPECT_EQ(0, munmap((void *)whole, GPUFE_COMPLETION_MAX_SIZE));

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		void *p = mmap(NULL, sizes[i], PROT_READ, MAP_SHARED, self->fd,
			       GPUFE_COMPLETION_MMAP_OFFSET);

		EXPECT_EQ(MAP_FAILED, p) {
			TH_LOG("length %zu", sizes[i]);
		}
		if (p != MAP_FAILED) {
			munmap(p, sizes[i]);
		} else {
			EXPECT_EQ(EINVAL, errno);
		}
	}
	/* Two pages from the room's last, one past its end; and its last. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * self->page_size, PROT_READ,
				   MAP_SHARED, self->fd,
				   GPUFE_COMPLETION_MAX_SIZE - self->page_size));
	EXPECT_EQ(EINVAL, errno);
	whole = mmap(NULL, self->page_size, PROT_READ, MAP_SHARED, self->fd,
		     GPUFE_COMPLETION_MAX_SIZE - self->page_size);
	ASSERT_NE(MAP_FAILED, whole);
	EXPECT_EQ(0, munmap((void *)whole, self->page_size));

	/*
	 * A page's worth starting where the room ends is no completion page:
	 * since 1.3 it is where a client of a partition maps its register
	 * (GPUFE_CONFIG_REG_MMAP_OFFSET), and a client without partition has
	 * nothing there.
	 */
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_VERSION, &v));
	whole = mmap(NULL, self->page_size, PROT_READ, MAP_SHARED, self->fd,
		     GPUFE_COMPLETION_MAX_SIZE);
	if (gpufe_in_partition()) {
		ASSERT_NE(MAP_FAILED, whole);
		EXPECT_EQ(GPUFE_CONFIG_REG_MAGIC,
			  __atomic_load_n((const __u32 *)whole, __ATOMIC_ACQUIRE));
		EXPECT_EQ(0, munmap((void *)whole, self->page_size));
	} else {
		EXPECT_EQ(MAP_FAILED, whole);
		EXPECT_EQ(v.features & GPUFE_FEATURE_PARTITIONS ? ENODEV : EINVAL,
			  errno);
	}
	expect_page_works(_metadata, self);
}

TEST_F(completion, slot_second_page)
{
	const __u64 per_page = self->page_size / SLOT_SIZE;
	long long max = gpufe_read_ull(GPUFE_PARAMS "/max_contexts");
	const void *two = NULL;
	__u64 off = 0, seqno, i;
	__u32 ctx = 0;

	describe("Contexts past one page of slots get slots on the next page, which a larger mapping shows");
	if (max < 0)
		SKIP(return, "no " GPUFE_PARAMS "/max_contexts");
	if ((unsigned long long)max < per_page + 1)
		SKIP(return, "max_contexts %lld: fewer than a page of slots", max);
	for (i = 0; i <= per_page; i++) {
		ASSERT_EQ(0, gpufe_create_ctx_slot(self->fd, self->devs[0],
						   GPUFE_ENGINE_CLASS_COMPUTE, 0,
						   &ctx, &off)) {
			TH_LOG("context %llu", (unsigned long long)i + 1);
		}
		ASSERT_EQ(i * SLOT_SIZE, off);
	}
	ASSERT_EQ(0, gpufe_completion_map(self->fd, 2 * self->page_size, &two));
	EXPECT_EQ(0, gpufe_slot_seqno(gpufe_slot(two, off)));
	ASSERT_EQ(0, submit_nop(self->fd, ctx, 0, &seqno));
	ASSERT_EQ(0, gpufe_sync(self->fd, ctx, seqno));
	EXPECT_EQ(seqno, gpufe_slot_seqno(gpufe_slot(two, off)));
	EXPECT_EQ(0, gpufe_slot_error(gpufe_slot(two, off)));
	EXPECT_EQ(0, munmap((void *)two, 2 * self->page_size));
}

/* --- slots and jobs ---------------------------------------------------------- */

TEST_F(completion, slot_error)
{
	const struct gpufe_completion_slot *s;
	struct gpufe_ctx_status st;
	const char *missing = routing_missing();
	__u64 off, seqno;
	__u32 ctx;

	describe("A failed job's slot shows its seqno and -EIO, as CTX_STATUS; a good job after it moves the seqno and the error sticks");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's debugfs knob fail_next_jobs");
	GPUFE_SKIP_IN_PARTITION("fails jobs through swgpu's debugfs knob fail_next_jobs, device-wide");
	if (missing)
		SKIP(return, "%s", missing);
	ASSERT_EQ(0, gpufe_create_ctx_slot(self->fd, self->devs[0],
					   GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx, &off));
	s = gpufe_slot(self->page, off);

	set_knob(_metadata, self, "fail_next_jobs", 1);
	ASSERT_EQ(0, submit_fill(self->fd, ctx, self->buf.handle, 0, 4096,
				 FILL_VALUE, 0, &seqno));
	ASSERT_EQ(0, gpufe_sync(self->fd, ctx, seqno));
	EXPECT_EQ(0, gpufe_read_ull(SWGPU_DEBUGFS "/fail_next_jobs")) {
		TH_LOG("the failure was not this job's");
	}
	EXPECT_EQ(1, gpufe_slot_seqno(s));
	EXPECT_EQ(-EIO, gpufe_slot_error(s));
	EXPECT_EQ(0, s->pad);
	ASSERT_EQ(0, gpufe_get_status(self->fd, ctx, &st));
	EXPECT_EQ(1, st.completed);
	EXPECT_EQ(-EIO, st.error);
	/* It failed without running. */
	EXPECT_TRUE(filled(self->buf.map, 0, 4096, 0));

	ASSERT_EQ(0, submit_fill(self->fd, ctx, self->buf.handle, 0, 4096,
				 FILL_VALUE, 0, &seqno));
	ASSERT_EQ(0, gpufe_sync(self->fd, ctx, seqno));
	EXPECT_EQ(2, gpufe_slot_seqno(s));
	EXPECT_EQ(-EIO, gpufe_slot_error(s));
	ASSERT_EQ(0, gpufe_get_status(self->fd, ctx, &st));
	EXPECT_EQ(2, st.completed);
	EXPECT_EQ(-EIO, st.error);
	EXPECT_TRUE(filled(self->buf.map, 0, 4096, FILL_VALUE));
}

#define UNREACH_A_CTXS	4
#define UNREACH_B_CTXS	2
#define UNREACH_JOBS	32

TEST_F(completion, other_client_unreachable)
{
	__u32 a_ctx[UNREACH_A_CTXS], b_ctx[UNREACH_B_CTXS];
	__u64 a_off[UNREACH_A_CTXS], b_off[UNREACH_B_CTXS];
	__u64 last[UNREACH_A_CTXS];
	const pid_t me = getpid();
	const void *b_page = NULL;
	unsigned char *zero;
	int fd_b, i, j;

	describe("Another client's page never shows this client's completions at the same slot offsets, its file cannot name this client's contexts, and fdinfo counts each client's own jobs");
	fd_b = gpufe_open();
	ASSERT_LE(0, fd_b);
	ASSERT_EQ(0, gpufe_completion_map(fd_b, self->page_size, &b_page));
	for (i = 0; i < UNREACH_A_CTXS; i++) {
		ASSERT_EQ(0, gpufe_create_ctx_slot(self->fd, self->devs[0],
						   GPUFE_ENGINE_CLASS_COMPUTE, 0,
						   &a_ctx[i], &a_off[i]));
	}
	for (i = 0; i < UNREACH_B_CTXS; i++) {
		ASSERT_EQ(0, gpufe_create_ctx_slot(fd_b, self->devs[0],
						   GPUFE_ENGINE_CLASS_COMPUTE, 0,
						   &b_ctx[i], &b_off[i]));
		/* Lowest first on both: the same offsets. */
		EXPECT_EQ(a_off[i], b_off[i]);
	}
	EXPECT_NE(gpufe_fdinfo(me, self->fd, "drm-client-id"),
		  gpufe_fdinfo(me, fd_b, "drm-client-id"));
	ASSERT_EQ(0, gpufe_fdinfo(me, self->fd, "gpufe-jobs-completed"));
	ASSERT_EQ(0, gpufe_fdinfo(me, fd_b, "gpufe-jobs-completed"));

	for (j = 0; j < UNREACH_JOBS; j++) {
		for (i = 0; i < UNREACH_A_CTXS; i++) {
			ASSERT_EQ(0, submit_value(self->fd, a_ctx[i],
						  self->buf.handle, 4096 * i, j,
						  j % 8 ? 0 : 100, &last[i]));
		}
	}
	for (i = 0; i < UNREACH_A_CTXS; i++) {
		ASSERT_EQ(0, gpufe_sync(self->fd, a_ctx[i], last[i]));
		EXPECT_EQ(UNREACH_JOBS, gpufe_slot_seqno(gpufe_slot(self->page, a_off[i])));
		EXPECT_TRUE(value_at(self->buf.map, 4096 * i, UNREACH_JOBS - 1));
	}

	/* B's page is untouched, at A's offsets and everywhere else. */
	for (i = 0; i < UNREACH_A_CTXS; i++) {
		EXPECT_EQ(0, gpufe_slot_seqno(gpufe_slot(b_page, a_off[i])));
		EXPECT_EQ(0, gpufe_slot_error(gpufe_slot(b_page, a_off[i])));
	}
	zero = calloc(1, self->page_size);
	ASSERT_NE(NULL, zero);
	EXPECT_EQ(0, memcmp(b_page, zero, self->page_size));
	free(zero);
	EXPECT_EQ(0, gpufe_poll_fd(fd_b, POLLIN, 0));

	/* A's context ids that B does not have are nothing to B. */
	for (i = 0; i < UNREACH_A_CTXS; i++) {
		struct gpufe_ctx_status st;
		__u64 seqno;
		bool b_has = false;

		for (j = 0; j < UNREACH_B_CTXS; j++)
			b_has |= b_ctx[j] == a_ctx[i];
		if (b_has) {
			/* The same number names B's own, idle context. */
			ASSERT_EQ(0, gpufe_get_status(fd_b, a_ctx[i], &st));
			EXPECT_EQ(0, st.submitted);
			continue;
		}
		EXPECT_EQ(-ENOENT, gpufe_get_status(fd_b, a_ctx[i], &st));
		EXPECT_EQ(-ENOENT, gpufe_wait_until(fd_b, a_ctx[i], 1, 0));
		EXPECT_EQ(-ENOENT, submit_nop(fd_b, a_ctx[i], 0, &seqno));
		EXPECT_EQ(-ENOENT, gpufe_destroy_ctx(fd_b, a_ctx[i]));
	}

	EXPECT_EQ(UNREACH_A_CTXS * UNREACH_JOBS,
		  fdinfo_reaching(me, self->fd, "gpufe-jobs-completed",
				  UNREACH_A_CTXS * UNREACH_JOBS));
	EXPECT_LT(0, gpufe_fdinfo(me, self->fd, "gpufe-deliveries"));
	EXPECT_EQ(0, gpufe_fdinfo(me, fd_b, "gpufe-jobs-completed"));
	EXPECT_EQ(0, gpufe_fdinfo(me, fd_b, "gpufe-deliveries"));
	EXPECT_EQ(0, gpufe_fdinfo(me, fd_b, "gpufe-wakeups"));
	/* A's slots show A's work, B's contexts still say nothing happened. */
	for (i = 0; i < UNREACH_B_CTXS; i++) {
		struct gpufe_ctx_status st;

		ASSERT_EQ(0, gpufe_get_status(fd_b, b_ctx[i], &st));
		EXPECT_EQ(0, st.completed);
	}
	munmap((void *)b_page, self->page_size);
	close(fd_b);
}

/* --- many clients ------------------------------------------------------------ */

#define MC_PROCS	16
#define MC_CTXS		8
#define MC_JOBS		64
#define MC_REGION	1024

static __u32 mc_value(int proc, int ctx, int job)
{
	return 0x80000000u | (__u32)proc << 20 | (__u32)ctx << 12 | (__u32)job;
}

/*
 * One process of many_clients_exactly_once, on its own file: MC_CTXS
 * contexts, each with its own buffer, MC_JOBS rounds of one FILL per
 * context, each job waited for (WAIT or spinning on the slot, in turn) and
 * its data checked before the next. 0, or the number of the failed check.
 */
static int mc_child(const struct engine_ref *eng, int neng, int proc, int go)
{
	struct gpufe_buffer bufs[MC_CTXS];
	__u64 off[MC_CTXS], seqno[MC_CTXS];
	__u32 ctx[MC_CTXS];
	const unsigned char *p;
	const void *page = NULL;
	size_t page_size = sysconf(_SC_PAGESIZE), b;
	long long count;
	int fd, k, j;
	char c;

	fd = gpufe_open();
	if (fd < 0)
		return 10;
	if (gpufe_completion_map(fd, page_size, &page))
		return 11;
	for (k = 0; k < MC_CTXS; k++) {
		const struct engine_ref *e = &eng[k % neng];

		if (gpufe_buffer_create(fd, MC_REGION, &bufs[k]))
			return 12;
		if (gpufe_create_ctx_slot(fd, e->dev, e->engine_class,
					  e->engine_instance, &ctx[k], &off[k]))
			return 13;
		if (off[k] != k * SLOT_SIZE)
			return 14;
	}
	/* Everyone starts at once: the parent closes the other end. */
	if (read(go, &c, 1) != 0)
		return 15;

	for (j = 0; j < MC_JOBS; j++) {
		for (k = 0; k < MC_CTXS; k++) {
			if (submit_fill(fd, ctx[k], bufs[k].handle, 0, MC_REGION,
					mc_value(proc, k, j),
					(j + k) % 8 == 7 ? 200 : 0, &seqno[k]))
				return 16;
			if (seqno[k] != (__u64)j + 1)
				return 17;
		}
		for (k = 0; k < MC_CTXS; k++) {
			const struct gpufe_completion_slot *s = gpufe_slot(page, off[k]);

			if ((j + k + proc) & 1) {
				if (gpufe_sync(fd, ctx[k], seqno[k]))
					return 18;
			} else {
				if (gpufe_slot_spin(s, seqno[k], gpufe_now_ns() +
						    GPUFE_TIMEOUT_NS))
					return 19;
			}
			/* Done means done: not before, nor someone else's. */
			if (gpufe_slot_seqno(s) != seqno[k])
				return 20;
			if (gpufe_slot_error(s))
				return 21;
			if (!filled(bufs[k].map, 0, MC_REGION, mc_value(proc, k, j)))
				return 22;
		}
	}
	/* Every fence signalled; then count them. */
	for (k = 0; k < MC_CTXS; k++) {
		struct gpufe_ctx_status st;

		if (gpufe_sync(fd, ctx[k], MC_JOBS))
			return 23;
		if (gpufe_get_status(fd, ctx[k], &st) || st.completed != MC_JOBS ||
		    st.error)
			return 24;
		if (gpufe_slot_seqno(gpufe_slot(page, off[k])) != MC_JOBS)
			return 25;
	}
	/* Nothing but this client's own slots was ever written. */
	p = page;
	for (b = MC_CTXS * SLOT_SIZE; b < page_size; b++)
		if (p[b])
			return 26;
	count = fdinfo_reaching(getpid(), fd, "gpufe-jobs-completed",
				MC_CTXS * MC_JOBS);
	if (count < MC_CTXS * MC_JOBS)
		return 27;	/* fewer, or no such line */
	if (count > MC_CTXS * MC_JOBS)
		return 28;	/* more */
	if (gpufe_fdinfo(getpid(), fd, "gpufe-deliveries") <= 0)
		return 29;
	return 0;
}

TEST_F_TIMEOUT(completion, many_clients_exactly_once, 300)
{
	struct engine_ref eng[MAX_ENGINES];
	pid_t pids[MC_PROCS];
	__s64 deadline;
	int go[2], neng, i;

	describe("16 processes, 8 contexts each over both GPUs, 64 jobs per context waited by WAIT or by spinning: each job's data is there when its completion is, and fdinfo counts every job exactly once");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's FILL on many engines, at swgpu's speed");
	neng = fill_engines(self->fd, self->devs, self->num_devs, eng, MAX_ENGINES);
	ASSERT_LT(0, neng);
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	for (i = 0; i < MC_PROCS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			close(go[1]);
			_exit(mc_child(eng, neng, i, go[0]));
		}
	}
	close(go[0]);
	close(go[1]);

	deadline = gpufe_now_ns() + 240 * 1000000000LL;
	for (i = 0; i < MC_PROCS; i++) {
		__s64 left = (deadline - gpufe_now_ns()) / 1000000;
		int code = reap(_metadata, pids[i], left > 0 ? left : 0);

		EXPECT_EQ(0, code) {
			TH_LOG("process %d failed check %d", i, code);
		}
	}
}

/* --- idle clients ------------------------------------------------------------ */

#define IDLE_CLIENTS	32
#define ACTIVE_JOBS	200

/*
 * An idle client: its own file and context, nothing submitted, blocked in
 * poll() on its file until the parent closes the release pipe. Reports its
 * fd on the ready pipe first. 0, or the failed check.
 */
static int idle_child(__u32 dev, int ready, int release)
{
	struct pollfd p[2];
	int fd, ret;
	__u32 ctx;

	fd = gpufe_open();
	if (fd < 0)
		return 10;
	if (gpufe_create_ctx(fd, dev, GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx))
		return 11;
	if (write(ready, &fd, sizeof(fd)) != sizeof(fd))
		return 12;
	p[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = release, .events = POLLIN };
	do {
		ret = poll(p, 2, 6 * GPUFE_TIMEOUT_MS);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return 13;
	if (!ret)
		return 14;	/* never released */
	if (p[0].revents)
		return 15;	/* something completed for an idle client */
	return 0;
}

struct route_snap {
	long long routes, watchdog_scans, slots_scanned;
};

/*
 * The routing counters of a device once nothing is pending there and they
 * have stopped moving (two reads agree), so that no scan is half counted.
 */
static int route_quiet(__u32 dev, struct route_snap *snap)
{
	__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;
	struct timespec ms = { 0, 1000000 };
	struct route_snap prev = { -1, -1, -1 };

	for (;;) {
		long long pending = gpufe_route_stat(dev, "pending");

		snap->routes = gpufe_route_stat(dev, "routes");
		snap->watchdog_scans = gpufe_route_stat(dev, "watchdog_scans");
		snap->slots_scanned = gpufe_route_stat(dev, "slots_scanned");
		if (pending < 0 || snap->routes < 0 ||
		    snap->watchdog_scans < 0 || snap->slots_scanned < 0)
			return -ENOENT;
		if (!pending && !memcmp(snap, &prev, sizeof(prev)))
			return 0;
		if (gpufe_now_ns() > end)
			return -ETIME;
		prev = *snap;
		nanosleep(&ms, NULL);
	}
}

TEST_F_TIMEOUT(completion, idle_clients_not_woken, 120)
{
	const __u32 dev = self->devs[0];
	const char *missing = routing_missing();
	const pid_t me = getpid();
	struct route_snap before, after;
	pid_t pids[IDLE_CLIENTS];
	int fds[IDLE_CLIENTS];
	int ready[2], release[2], i;
	long long scanned, runs;
	__s64 end;
	__u64 seqno;
	__u32 ctx;

	describe("32 clients blocked in poll() with nothing submitted are never woken nor delivered to while another runs 200 jobs, and the router scans only the context with work");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's DELAY_US and debugfs counters");
	GPUFE_SKIP_IN_PARTITION("counts the whole device's routing (debugfs gpufe/route)");
	if (missing)
		SKIP(return, "%s", missing);
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, dev, GPUFE_ENGINE_CLASS_COMPUTE,
				      0, &ctx));
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(release, O_CLOEXEC));
	for (i = 0; i < IDLE_CLIENTS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			close(ready[0]);
			close(release[1]);
			_exit(idle_child(dev, ready[1], release[0]));
		}
	}
	close(ready[1]);
	close(release[0]);
	/* The children's fds come in any order; each child's is the same. */
	for (i = 0; i < IDLE_CLIENTS; i++) {
		ASSERT_EQ(POLLIN, gpufe_poll_fd(ready[0], POLLIN, GPUFE_TIMEOUT_MS));
		ASSERT_EQ(sizeof(fds[i]), read(ready[0], &fds[i], sizeof(fds[i])));
	}
	/* All asleep in poll() before the work starts. */
	end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;
	for (i = 0; i < IDLE_CLIENTS; i++) {
		while (!gpufe_pid_sleeping(pids[i])) {
			ASSERT_GT(end, gpufe_now_ns()) {
				TH_LOG("idle client %d never slept", i);
			}
		}
	}

	ASSERT_EQ(0, route_quiet(dev, &before));
	for (i = 0; i < ACTIVE_JOBS; i++) {
		/* The last is long: its WAIT sleeps for certain. */
		ASSERT_EQ(0, submit_fill(self->fd, ctx, self->buf.handle, 0, 4096,
					 FILL_VALUE + i,
					 i == ACTIVE_JOBS - 1 ? LONG_US : 500,
					 &seqno));
		ASSERT_EQ(0, gpufe_sync(self->fd, ctx, seqno));
		ASSERT_TRUE(filled(self->buf.map, 0, 4096, FILL_VALUE + i));
	}
	ASSERT_EQ(0, route_quiet(dev, &after));

	for (i = 0; i < IDLE_CLIENTS; i++) {
		int status;

		/* Still waiting: read while they wait. */
		EXPECT_EQ(0, waitpid(pids[i], &status, WNOHANG)) {
			TH_LOG("idle client %d left poll() early", i);
		}
		EXPECT_EQ(0, gpufe_fdinfo(pids[i], fds[i], "gpufe-wakeups")) {
			TH_LOG("idle client %d", i);
		}
		EXPECT_EQ(0, gpufe_fdinfo(pids[i], fds[i], "gpufe-deliveries")) {
			TH_LOG("idle client %d", i);
		}
		EXPECT_EQ(0, gpufe_fdinfo(pids[i], fds[i], "gpufe-jobs-completed")) {
			TH_LOG("idle client %d", i);
		}
	}
	EXPECT_EQ(ACTIVE_JOBS, fdinfo_reaching(me, self->fd, "gpufe-jobs-completed",
					       ACTIVE_JOBS));
	EXPECT_LT(0, gpufe_fdinfo(me, self->fd, "gpufe-deliveries"));
	EXPECT_LT(0, gpufe_fdinfo(me, self->fd, "gpufe-wakeups"));

	/* One context had work: no scan read more than its one slot. */
	scanned = after.slots_scanned - before.slots_scanned;
	runs = (after.routes - before.routes) +
	       (after.watchdog_scans - before.watchdog_scans);
	ksft_print_msg("active phase: %lld routes, %lld watchdog scans, %lld slots read\n",
		       after.routes - before.routes,
		       after.watchdog_scans - before.watchdog_scans, scanned);
	EXPECT_LT(0, after.routes - before.routes);
	EXPECT_GE(1 * runs, scanned) {
		TH_LOG("%lld slots read by %lld scans with one context pending",
		       scanned, runs);
	}

	close(release[1]);
	for (i = 0; i < IDLE_CLIENTS; i++) {
		int code = reap(_metadata, pids[i], GPUFE_TIMEOUT_MS);

		EXPECT_EQ(0, code) {
			TH_LOG("idle client %d failed check %d", i, code);
		}
	}
	close(ready[0]);
}

/* --- lost and early interrupts ---------------------------------------------- */

#define LOST_CTXS	4
#define LOST_SEQ_JOBS	100
#define LOST_BATCH	25

TEST_F_TIMEOUT(completion, dropped_interrupts, 120)
{
	struct engine_ref eng[MAX_ENGINES];
	struct gpufe_buffer bufs[LOST_CTXS];
	__u64 off[LOST_CTXS], seqno[LOST_CTXS] = { 0 };
	__u32 ctx[LOST_CTXS];
	const char *missing = routing_missing();
	const pid_t me = getpid();
	long long dropped0, wd0, jobs0, dropped1, wd1;
	int neng, i, k;

	describe("With every second interrupt dropped, jobs run one at a time and in batches all complete with their data, found by the watchdog");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's debugfs knob drop_irq_every");
	GPUFE_SKIP_IN_PARTITION("drops the device's interrupts (swgpu debugfs knobs) and counts its routing");
	if (missing)
		SKIP(return, "%s", missing);
	need_watchdog(_metadata, self);
	neng = fill_engines(self->fd, self->devs, self->num_devs, eng, MAX_ENGINES);
	ASSERT_LT(0, neng);
	for (k = 0; k < LOST_CTXS; k++) {
		const struct engine_ref *e = &eng[k % neng];

		ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4096, &bufs[k]));
		ASSERT_EQ(0, gpufe_create_ctx_slot(self->fd, e->dev, e->engine_class,
						   e->engine_instance, &ctx[k], &off[k]));
	}
	dropped0 = swgpu_counter("irqs_dropped");
	wd0 = route_sum(self, "watchdog_delivered");
	jobs0 = gpufe_fdinfo(me, self->fd, "gpufe-jobs-completed");
	ASSERT_LE(0, dropped0);
	ASSERT_LE(0, wd0);
	ASSERT_LE(0, jobs0);
	set_knob(_metadata, self, "drop_irq_every", 2);

	/* One at a time: a dropped interrupt's job is the only one pending. */
	for (i = 0; i < LOST_SEQ_JOBS; i++) {
		k = i % LOST_CTXS;
		ASSERT_EQ(0, submit_fill(self->fd, ctx[k], bufs[k].handle, 0,
					 4096, FILL_VALUE + i, 0, &seqno[k]));
		ASSERT_EQ(0, gpufe_sync(self->fd, ctx[k], seqno[k])) {
			TH_LOG("job %d", i);
		}
		ASSERT_TRUE(filled(bufs[k].map, 0, 4096, FILL_VALUE + i));
		ASSERT_EQ(seqno[k], gpufe_slot_seqno(gpufe_slot(self->page, off[k])));
	}
	dropped1 = swgpu_counter("irqs_dropped");
	wd1 = route_sum(self, "watchdog_delivered");
	ksft_print_msg("one at a time: %lld interrupts dropped, %lld found by the watchdog\n",
		       dropped1 - dropped0, wd1 - wd0);
	EXPECT_LT(dropped0, dropped1);
	EXPECT_LT(wd0, wd1) {
		TH_LOG("%lld interrupts dropped, none of their jobs found by the watchdog",
		       dropped1 - dropped0);
	}

	/* Batches: each job fills its own word; wait for the last only. */
	for (i = 0; i < LOST_BATCH; i++) {
		for (k = 0; k < LOST_CTXS; k++) {
			ASSERT_EQ(0, submit_fill(self->fd, ctx[k], bufs[k].handle,
						 4 * i, 4, FILL_VALUE ^ i, 0,
						 &seqno[k]));
		}
	}
	for (k = 0; k < LOST_CTXS; k++) {
		ASSERT_EQ(0, gpufe_sync(self->fd, ctx[k], seqno[k]));
		EXPECT_EQ(seqno[k], gpufe_slot_seqno(gpufe_slot(self->page, off[k])));
		for (i = 0; i < LOST_BATCH; i++) {
			EXPECT_EQ(FILL_VALUE ^ i, ((__u32 *)bufs[k].map)[i]);
		}
	}
	EXPECT_EQ(jobs0 + LOST_SEQ_JOBS + LOST_CTXS * LOST_BATCH,
		  fdinfo_reaching(me, self->fd, "gpufe-jobs-completed",
				  jobs0 + LOST_SEQ_JOBS + LOST_CTXS * LOST_BATCH));
}

#define LATE_JOBS	20

TEST_F_TIMEOUT(completion, late_slot_writes, 120)
{
	__u32 ctx[2];
	__u64 off[2], seqno;
	const char *missing = routing_missing();
	const pid_t me = getpid();
	long long late0, wd0, jobs0, late1, wd1;
	int i, k;

	describe("With slots written 2 ms after the interrupt, every job completes with its data and seqno, found by the watchdog");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's debugfs knob late_slot_write_us");
	GPUFE_SKIP_IN_PARTITION("delays the device's slot writes (swgpu debugfs knobs) and counts its routing");
	if (missing)
		SKIP(return, "%s", missing);
	need_watchdog(_metadata, self);
	for (k = 0; k < 2; k++) {
		ASSERT_EQ(0, gpufe_create_ctx_slot(self->fd,
						   self->devs[k % self->num_devs],
						   GPUFE_ENGINE_CLASS_COMPUTE, 0,
						   &ctx[k], &off[k]));
	}
	late0 = swgpu_counter("late_writes");
	wd0 = route_sum(self, "watchdog_delivered");
	jobs0 = gpufe_fdinfo(me, self->fd, "gpufe-jobs-completed");
	ASSERT_LE(0, late0);
	ASSERT_LE(0, wd0);
	ASSERT_LE(0, jobs0);
	set_knob(_metadata, self, "late_slot_write_us", 2000);

	for (i = 0; i < LATE_JOBS; i++) {
		const struct gpufe_completion_slot *s;
		struct gpufe_ctx_status st;

		k = i % 2;
		s = gpufe_slot(self->page, off[k]);
		ASSERT_EQ(0, submit_fill(self->fd, ctx[k], self->buf.handle,
					 4096 * k, 4096, FILL_VALUE + i, 0, &seqno));
		if (i % 4 == 3) {
			/* Spinning sees the slot when it is written, data first. */
			ASSERT_EQ(0, gpufe_slot_spin(s, seqno, gpufe_now_ns() +
						     GPUFE_TIMEOUT_NS));
			EXPECT_TRUE(filled(self->buf.map, 4096 * k, 4096,
					   FILL_VALUE + i));
		}
		ASSERT_EQ(0, gpufe_sync(self->fd, ctx[k], seqno)) {
			TH_LOG("job %d", i);
		}
		EXPECT_TRUE(filled(self->buf.map, 4096 * k, 4096, FILL_VALUE + i));
		EXPECT_EQ(seqno, gpufe_slot_seqno(s));
		EXPECT_EQ(0, gpufe_slot_error(s));
		ASSERT_EQ(0, gpufe_get_status(self->fd, ctx[k], &st));
		EXPECT_EQ(seqno, st.completed);
	}
	late1 = swgpu_counter("late_writes");
	wd1 = route_sum(self, "watchdog_delivered");
	ksft_print_msg("%lld late slot writes, %lld found by the watchdog\n",
		       late1 - late0, wd1 - wd0);
	EXPECT_LT(late0, late1);
	EXPECT_LT(wd0, wd1);
	EXPECT_EQ(jobs0 + LATE_JOBS,
		  fdinfo_reaching(me, self->fd, "gpufe-jobs-completed",
				  jobs0 + LATE_JOBS));
}

/* --- ways to wait ------------------------------------------------------------ */

TEST_F(completion, wait_sleep)
{
	const struct gpufe_completion_slot *s;
	const pid_t me = getpid();
	long long wakeups;
	__u64 off, seqno;
	__u32 ctx;

	describe("WAIT sleeps until a running job is done: its data is there, its slot shows it, and the client's fdinfo counts the wake-up");
	if (!gpufe_backend_swgpu()) {
		struct gpufe_submit_bo b = {
			self->buf.handle,
			GPUFE_SUBMIT_BO_READ | GPUFE_SUBMIT_BO_WRITE,
		};
		struct gpufe_cmds c = { 0 };

		/* edu: a 1-byte DMA copy on the copy engine, some 0.2 s. */
		if (!gpufe_backend_edu() ||
		    gpufe_engine_count(self->fd, self->devs[0],
				       GPUFE_ENGINE_CLASS_COPY) < 1)
			SKIP(return, "needs a long job: swgpu's DELAY_US or edu's copy engine");
		ASSERT_EQ(0, gpufe_create_ctx_slot(self->fd, self->devs[0],
						   GPUFE_ENGINE_CLASS_COPY, 0,
						   &ctx, &off));
		s = gpufe_slot(self->page, off);
		wakeups = gpufe_fdinfo(me, self->fd, "gpufe-wakeups");
		ASSERT_LE(0, wakeups);
		((volatile __u8 *)self->buf.map)[8192] = 0xab;
		gpufe_emit_edu_copy(&c, 0, 8192, 0, 0, 1);
		ASSERT_EQ(0, gpufe_submit_cmds(self->fd, ctx, &c, &b, 1, &seqno));
		EXPECT_EQ(0, gpufe_slot_seqno(s));
		ASSERT_EQ(0, gpufe_sync(self->fd, ctx, seqno));
		EXPECT_EQ(seqno, gpufe_slot_seqno(s));
		EXPECT_EQ(0xab, ((volatile __u8 *)self->buf.map)[0]);
		EXPECT_LT(wakeups, gpufe_fdinfo(me, self->fd, "gpufe-wakeups"));
		return;
	}
	ASSERT_EQ(0, gpufe_create_ctx_slot(self->fd, self->devs[0],
					   GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx, &off));
	s = gpufe_slot(self->page, off);
	wakeups = gpufe_fdinfo(me, self->fd, "gpufe-wakeups");
	ASSERT_LE(0, wakeups);
	ASSERT_EQ(0, submit_fill(self->fd, ctx, self->buf.handle, 0, 4096,
				 FILL_VALUE, LONG_US, &seqno));
	EXPECT_EQ(0, gpufe_slot_seqno(s));
	ASSERT_EQ(0, gpufe_sync(self->fd, ctx, seqno));
	EXPECT_EQ(seqno, gpufe_slot_seqno(s));
	EXPECT_TRUE(filled(self->buf.map, 0, 4096, FILL_VALUE));
	EXPECT_LT(wakeups, gpufe_fdinfo(me, self->fd, "gpufe-wakeups"));
}

TEST_F(completion, wait_spin)
{
	const struct gpufe_completion_slot *s;
	const pid_t me = getpid();
	long long wakeups;
	__u64 off, seqno;
	int round;
	__u32 ctx;

	describe("Spinning on the slot sees a running job complete with its data visible, and the spinner is never woken");
	ASSERT_EQ(0, gpufe_create_ctx_slot(self->fd, self->devs[0],
					   GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx, &off));
	s = gpufe_slot(self->page, off);
	wakeups = gpufe_fdinfo(me, self->fd, "gpufe-wakeups");
	ASSERT_LE(0, wakeups);
	for (round = 0; round < 8; round++) {
		ASSERT_EQ(0, submit_value(self->fd, ctx, self->buf.handle, 0,
					  round, SHORT_US, &seqno));
		ASSERT_EQ(0, gpufe_slot_spin(s, seqno, gpufe_now_ns() +
					     GPUFE_TIMEOUT_NS));
		/* The acquire load pairs with the release: the data is there. */
		ASSERT_TRUE(value_at(self->buf.map, 0, round));
		EXPECT_EQ(0, gpufe_slot_error(s));
	}
	EXPECT_EQ(wakeups, gpufe_fdinfo(me, self->fd, "gpufe-wakeups"));
	ASSERT_EQ(0, gpufe_sync(self->fd, ctx, seqno));
}

/*
 * Spin on the slot for budget_ns, then sleep in WAIT: 0 or -errno; *spun
 * says whether the spinning saw the job done.
 */
static int wait_hybrid(int fd, __u32 ctx, const struct gpufe_completion_slot *s,
		       __u64 seqno, __s64 budget_ns, bool *spun)
{
	*spun = !gpufe_slot_spin(s, seqno, gpufe_now_ns() + budget_ns);
	if (*spun)
		return 0;
	return gpufe_sync(fd, ctx, seqno);
}

TEST_F(completion, wait_hybrid)
{
	static const __u32 delays[] = { 0, SHORT_US, 0, 1000, SHORT_US, 0 };
	const struct gpufe_completion_slot *s;
	unsigned int i, spun_count = 0;
	__u64 off, seqno;
	__u32 ctx;

	describe("Spinning 50 us on the slot and then sleeping in WAIT completes short and long jobs alike, with their data");
	ASSERT_EQ(0, gpufe_create_ctx_slot(self->fd, self->devs[0],
					   GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx, &off));
	s = gpufe_slot(self->page, off);
	for (i = 0; i < ARRAY_SIZE(delays); i++) {
		struct gpufe_ctx_status st;
		bool spun;

		ASSERT_EQ(0, submit_value(self->fd, ctx, self->buf.handle, 0,
					  i, delays[i], &seqno));
		ASSERT_EQ(0, wait_hybrid(self->fd, ctx, s, seqno, 50000, &spun));
		spun_count += spun;
		EXPECT_TRUE(value_at(self->buf.map, 0, i)) {
			TH_LOG("job %u, finished %s", i, spun ? "spinning" : "in WAIT");
		}
		EXPECT_EQ(seqno, gpufe_slot_seqno(s));
		/* The fence too, whichever way the wait ended. */
		ASSERT_EQ(0, gpufe_sync(self->fd, ctx, seqno));
		ASSERT_EQ(0, gpufe_get_status(self->fd, ctx, &st));
		EXPECT_EQ(seqno, st.completed);
	}
	ksft_print_msg("%u of %zu jobs seen done while spinning\n", spun_count,
		       ARRAY_SIZE(delays));
}

/* --- fork() ------------------------------------------------------------------ */

TEST_F(completion, fork_child)
{
	const struct gpufe_completion_slot *s;
	__u64 off, seqno;
	pid_t child;
	int code;
	__u32 ctx;

	describe("A forked child shares its parent's client and page both ways; a child that opens /dev/gpufe itself gets its own page");
	ASSERT_EQ(0, gpufe_create_ctx_slot(self->fd, self->devs[0],
					   GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx, &off));
	ASSERT_EQ(0, off);
	s = gpufe_slot(self->page, off);

	/* The parent's job, seen done through the child's inherited mapping. */
	ASSERT_EQ(0, submit_value(self->fd, ctx, self->buf.handle, 0, 0,
				  SHORT_US, &seqno));
	ASSERT_EQ(1, seqno);
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		if (gpufe_slot_spin(s, 1, gpufe_now_ns() + GPUFE_TIMEOUT_NS))
			_exit(10);
		if (!value_at(self->buf.map, 0, 0))
			_exit(11);
		_exit(0);
	}
	code = reap(_metadata, child, 2 * GPUFE_TIMEOUT_MS);
	EXPECT_EQ(0, code) {
		TH_LOG("the child's check %d failed", code);
	}
	ASSERT_EQ(0, gpufe_sync(self->fd, ctx, 1));

	/* The child's job on the inherited file, seen on the parent's page. */
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		__u64 sq;

		if (submit_value(self->fd, ctx, self->buf.handle, 4096, 1,
				 SHORT_US, &sq))
			_exit(12);
		if (sq != 2)
			_exit(13);
		_exit(0);
	}
	code = reap(_metadata, child, GPUFE_TIMEOUT_MS);
	ASSERT_EQ(0, code) {
		TH_LOG("the child's check %d failed", code);
	}
	ASSERT_EQ(0, gpufe_slot_spin(s, 2, gpufe_now_ns() + GPUFE_TIMEOUT_NS));
	EXPECT_TRUE(value_at(self->buf.map, 4096, 1));
	ASSERT_EQ(0, gpufe_sync(self->fd, ctx, 2));
	EXPECT_EQ(2, fdinfo_reaching(getpid(), self->fd, "gpufe-jobs-completed", 2));

	/* A child with its own file has its own page, from slot 0. */
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		const struct gpufe_completion_slot *own;
		const void *page = NULL;
		__u64 o, sq;
		__u32 c;
		int fd = gpufe_open();

		if (fd < 0)
			_exit(20);
		if (gpufe_completion_map(fd, self->page_size, &page))
			_exit(21);
		if (gpufe_create_ctx_slot(fd, self->devs[0],
					  GPUFE_ENGINE_CLASS_COMPUTE, 0, &c, &o))
			_exit(22);
		if (o != 0)
			_exit(23);
		own = gpufe_slot(page, o);
		if (gpufe_slot_seqno(own) || gpufe_slot_error(own))
			_exit(24);
		if (submit_nop(fd, c, 0, &sq) || sq != 1)
			_exit(25);
		if (gpufe_sync(fd, c, sq))
			_exit(26);
		if (gpufe_slot_seqno(own) != 1)
			_exit(27);
		/* The inherited page: the parent's slot 0 is unmoved. */
		if (gpufe_slot_seqno(s) != 2)
			_exit(28);
		_exit(0);
	}
	code = reap(_metadata, child, 2 * GPUFE_TIMEOUT_MS);
	EXPECT_EQ(0, code) {
		TH_LOG("the child's check %d failed", code);
	}
	EXPECT_EQ(2, gpufe_slot_seqno(s));
	EXPECT_EQ(0, gpufe_slot_error(s));
}

/* --- slot reuse -------------------------------------------------------------- */

/*
 * Create contexts until one gets the slot at want (a freed slot comes back
 * once its context is released, which may lag its last job a little),
 * destroying the others; every slot given out meanwhile must be free, not
 * one of the live ones in busy[]. 0 with the context, or -errno.
 */
static int create_at_slot(struct __test_metadata *_metadata, int fd, __u32 dev,
			  __u64 want, const __u64 *busy, int nbusy, __u32 *ctx)
{
	__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;
	struct timespec ms = { 0, 1000000 };
	int i, ret;

	for (;;) {
		__u64 off;

		ret = gpufe_create_ctx_slot(fd, dev, GPUFE_ENGINE_CLASS_COMPUTE,
					    0, ctx, &off);
		if (ret)
			return ret;
		if (off == want)
			return 0;
		for (i = 0; i < nbusy; i++) {
			EXPECT_NE(busy[i], off);
		}
		gpufe_destroy_ctx(fd, *ctx);
		if (gpufe_now_ns() > end)
			return -ETIME;
		nanosleep(&ms, NULL);
	}
}

/* Read (and drop) the file's pending completion events; how many. */
static int drain_events(int fd)
{
	struct gpufe_event ev[16];
	int fl = fcntl(fd, F_GETFL), n = 0;
	ssize_t got;

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while ((got = read(fd, ev, sizeof(ev))) > 0)
		n += got / sizeof(ev[0]);
	fcntl(fd, F_SETFL, fl);
	return n;
}

/*
 * create_at_slot(), and when the slot does not come back in time, find
 * out what holds it: the file's unread completion events (read them), or
 * the fence of the last job left in the buffer it wrote (a job of live_ctx
 * writes the buffer over).
 */
static void expect_slot_back(struct __test_metadata *_metadata,
			     FIXTURE_DATA(completion) *self, __u64 want,
			     const __u64 *busy, int nbusy, __u32 live_ctx,
			     __u32 *ctx)
{
	const char *held = "nothing tried";
	int first, ret, events;
	__u64 seqno;

	first = ret = create_at_slot(_metadata, self->fd, self->devs[0], want,
				     busy, nbusy, ctx);
	if (ret == -ETIME) {
		events = drain_events(self->fd);
		ret = create_at_slot(_metadata, self->fd, self->devs[0], want,
				     busy, nbusy, ctx);
		held = events ? "the file's unread completion events" :
				"nothing (there were no unread events)";
	}
	if (ret == -ETIME) {
		ASSERT_EQ(0, submit_fill(self->fd, live_ctx, self->buf.handle,
					 0, 4096, 0, 0, &seqno));
		ASSERT_EQ(0, gpufe_sync(self->fd, live_ctx, seqno));
		ret = create_at_slot(_metadata, self->fd, self->devs[0], want,
				     busy, nbusy, ctx);
		held = "the last job's fence, left in the buffer it wrote";
	}
	EXPECT_EQ(0, first) {
		TH_LOG("slot %llu was not given back within %d ms of its context's destruction and last job; %s: %s",
		       (unsigned long long)want, GPUFE_TIMEOUT_MS,
		       ret ? "nothing tried gave it back" : "what held it", held);
	}
	ASSERT_EQ(0, ret);
}

TEST_F_TIMEOUT(completion, slot_reuse, 120)
{
	const struct gpufe_completion_slot *s1, *s2;
	struct gpufe_submit_bo bo = { 0, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_submit sub;
	struct gpufe_cmds c = { 0 };
	__u32 ctx[3], again, other;
	__u64 off[3], busy[3], seqno, o;
	int i, err;

	describe("A destroyed context's slot, once its jobs are done, goes to the next context created, reading 0/0; while its job runs, it is not given out");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's FILL and DELAY_US");
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, gpufe_create_ctx_slot(self->fd, self->devs[0],
						   GPUFE_ENGINE_CLASS_COMPUTE, 0,
						   &ctx[i], &off[i]));
		ASSERT_EQ(i * SLOT_SIZE, off[i]);
	}
	s1 = gpufe_slot(self->page, off[1]);
	s2 = gpufe_slot(self->page, off[2]);

	busy[0] = off[0];
	busy[1] = off[2];

	/* Done and destroyed: the lowest free slot, fresh. */
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, submit_nop(self->fd, ctx[1], 0, &seqno));
	}
	ASSERT_EQ(0, gpufe_sync(self->fd, ctx[1], seqno));
	ASSERT_EQ(3, gpufe_slot_seqno(s1));
	ASSERT_EQ(0, gpufe_destroy_ctx(self->fd, ctx[1]));
	expect_slot_back(_metadata, self, off[1], busy, 2, ctx[0], &again);
	EXPECT_NE(ctx[1], again);
	EXPECT_EQ(0, gpufe_slot_seqno(s1));
	EXPECT_EQ(0, gpufe_slot_error(s1));
	EXPECT_EQ(0, s1->pad);

	/* The same after jobs that wrote a buffer. */
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, submit_fill(self->fd, again, self->buf.handle, 0,
					 4096, FILL_VALUE + i, 0, &seqno));
	}
	ASSERT_EQ(0, gpufe_sync(self->fd, again, seqno));
	ASSERT_EQ(3, gpufe_slot_seqno(s1));
	EXPECT_TRUE(filled(self->buf.map, 0, 4096, FILL_VALUE + 2));
	ASSERT_EQ(0, gpufe_destroy_ctx(self->fd, again));
	expect_slot_back(_metadata, self, off[1], busy, 2, ctx[0], &again);
	EXPECT_EQ(0, gpufe_slot_seqno(s1));
	EXPECT_EQ(0, gpufe_slot_error(s1));
	ASSERT_EQ(0, submit_nop(self->fd, again, 0, &seqno));
	EXPECT_EQ(1, seqno);
	ASSERT_EQ(0, gpufe_sync(self->fd, again, seqno));
	EXPECT_EQ(1, gpufe_slot_seqno(s1));

	/* Destroyed with a job running: the slot stays the job's. */
	memset(&sub, 0, sizeof(sub));
	bo.handle = self->buf.handle;
	gpufe_emit_delay(&c, LONG_US);
	gpufe_emit_fill(&c, 0, 0, 4096, FILL_VALUE);
	sub.ctx_id = ctx[2];
	sub.flags = GPUFE_SUBMIT_OUT_FENCE;
	sub.cmds = (uintptr_t)c.buf;
	sub.cmds_size = c.size;
	sub.bos = (uintptr_t)&bo;
	sub.num_bos = 1;
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_SUBMIT, &sub));
	ASSERT_LE(0, sub.out_fence_fd);
	ASSERT_EQ(0, gpufe_destroy_ctx(self->fd, ctx[2]));
	ASSERT_EQ(0, gpufe_create_ctx_slot(self->fd, self->devs[0],
					   GPUFE_ENGINE_CLASS_COMPUTE, 0, &other, &o));
	EXPECT_NE(off[2], o);
	EXPECT_EQ(3 * SLOT_SIZE, o);
	/* The job still completes into its slot. */
	ASSERT_EQ(POLLIN, gpufe_poll_fd(sub.out_fence_fd, POLLIN, GPUFE_TIMEOUT_MS));
	EXPECT_EQ(1, gpufe_fence_status(sub.out_fence_fd, NULL, &err));
	EXPECT_EQ(0, err);
	close(sub.out_fence_fd);
	EXPECT_TRUE(filled(self->buf.map, 0, 4096, FILL_VALUE));
	busy[2] = o;
	busy[1] = off[1];
	expect_slot_back(_metadata, self, off[2], busy, 3, ctx[0], &again);
	EXPECT_EQ(0, gpufe_slot_seqno(s2));
	EXPECT_EQ(0, gpufe_slot_error(s2));
}

/* --- a large pending set ------------------------------------------------------ */

/* More than the hard-IRQ router scans itself (128), in several chunks. */
#define MANY_PENDING	300

/* The most contexts a device's back-end can hold jobs of: engines x credits. */
static long long sched_held_bound(int fd, __u32 dev)
{
	struct gpufe_engine_info engines[64];
	int n = gpufe_engines(fd, dev, engines, 64);

	return n < 0 ? n : n * gpufe_sched_stat(dev, "credits");
}

TEST_F_TIMEOUT(completion, many_pending_contexts, 120)
{
	const struct gpufe_completion_slot *s;
	const void *map = NULL;
	__u32 ctx[MANY_PENDING], gate;
	__u64 off[MANY_PENDING], seqno[MANY_PENDING], gate_seqno, last = 0;
	long long delivered, watchdog_delivered;
	int i;

	describe("300 contexts with jobs queued behind a long job: only those in the back-end's hands (engines x credits) are pending, the others wait in the run queue; each completes into its slot");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's DELAY_US and video engine");
	if (gpufe_engine_count(self->fd, self->devs[0],
			       GPUFE_ENGINE_CLASS_VIDEO) < 1)
		SKIP(return, "swgpu0 shows no video engine");
	GPUFE_SKIP_IN_PARTITION("counts the whole device's routing (debugfs gpufe/route)");
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_VIDEO, 0, &gate));
	for (i = 0; i < MANY_PENDING; i++) {
		ASSERT_EQ(0, gpufe_create_ctx_slot(self->fd, self->devs[0],
						   GPUFE_ENGINE_CLASS_VIDEO, 0,
						   &ctx[i], &off[i]));
		if (off[i] > last)
			last = off[i];
	}
	ASSERT_EQ(0, gpufe_completion_map(self->fd, last + self->page_size,
					  &map));
	delivered = gpufe_route_stat(self->devs[0], "delivered");
	watchdog_delivered = gpufe_route_stat(self->devs[0],
					      "watchdog_delivered");

	/* The gate first: everything after it waits in the back-end. */
	ASSERT_EQ(0, submit_nop(self->fd, gate, 200000, &gate_seqno));
	for (i = 0; i < MANY_PENDING; i++)
		ASSERT_EQ(0, submit_nop(self->fd, ctx[i], 0, &seqno[i]));
	/* Queued work does not grow the set the router scans. */
	EXPECT_GE(sched_held_bound(self->fd, self->devs[0]),
		  gpufe_route_stat(self->devs[0], "pending"));
	EXPECT_LT(MANY_PENDING / 2, gpufe_sched_stat(self->devs[0], "queued")) {
		TH_LOG("the gate job ended before the others were queued");
	}

	for (i = 0; i < MANY_PENDING; i++) {
		s = gpufe_slot(map, off[i]);
		ASSERT_EQ(0, gpufe_sync(self->fd, ctx[i], seqno[i]));
		EXPECT_EQ(seqno[i], gpufe_slot_seqno(s));
	}
	ASSERT_EQ(0, gpufe_sync(self->fd, gate, gate_seqno));
	/* Every context delivered to, by interrupts or by the watchdog. */
	EXPECT_LE(delivered + watchdog_delivered + MANY_PENDING,
		  gpufe_route_stat(self->devs[0], "delivered") +
		  gpufe_route_stat(self->devs[0], "watchdog_delivered"));
	for (i = 0; i < MANY_PENDING; i++)
		EXPECT_EQ(0, gpufe_destroy_ctx(self->fd, ctx[i]));
	EXPECT_EQ(0, munmap((void *)map, last + self->page_size));
}

/* --- the route arrays' size ----------------------------------------------------- */

/* Contexts route-capacity-shrinks makes on one device, and its bound after. */
#define CAPACITY_CTXS	600
#define CAPACITY_IDLE	64

/* A device's route capacity, once below want (bounded); or -errno. */
static long long route_capacity_below(__u32 dev, long long want)
{
	__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;
	struct timespec ms = { 0, 1000000 };
	long long v;

	for (;;) {
		v = gpufe_route_stat(dev, "capacity");
		if (v < 0 || v < want || gpufe_now_ns() > end)
			return v;
		nanosleep(&ms, NULL);
	}
}

TEST_F_TIMEOUT(completion, route_capacity_shrinks, 120)
{
	static __u32 ctx[CAPACITY_CTXS];
	static __u64 seqno[CAPACITY_CTXS];
	long long ctxs = gpufe_counter("contexts"), cap;
	struct gpufe_event ev[64];
	int i, events = 0;
	ssize_t n;

	describe("A device's route arrays grow with its contexts and shrink back once they retired (destroyed, jobs done, events read): debugfs gpufe/route's capacity");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's DELAY_US, and reloads gpufe_swgpu");
	GPUFE_SKIP_IN_PARTITION("measures the whole device's route arrays (debugfs gpufe/route)");
	cap = gpufe_route_stat(self->devs[0], "capacity");
	ASSERT_LE(0, cap) {
		TH_LOG("debugfs gpufe/route has no capacity for device %u",
		       self->devs[0]);
	}
	ASSERT_EQ(0, gpufe_set_nonblock(self->fd));
	for (i = 0; i < CAPACITY_CTXS; i++) {
		ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
					      GPUFE_ENGINE_CLASS_COMPUTE, 0,
					      &ctx[i])) {
			TH_LOG("context %d of %d", i + 1, CAPACITY_CTXS);
		}
		ASSERT_EQ(0, submit_nop(self->fd, ctx[i], 0, &seqno[i]));
	}
	cap = gpufe_route_stat(self->devs[0], "capacity");
	EXPECT_LE(CAPACITY_CTXS, cap);

	for (i = 0; i < CAPACITY_CTXS; i++) {
		ASSERT_EQ(0, gpufe_sync(self->fd, ctx[i], seqno[i]));
		ASSERT_EQ(0, gpufe_destroy_ctx(self->fd, ctx[i]));
	}
	while ((n = read(self->fd, ev, sizeof(ev))) > 0)
		events += n / sizeof(ev[0]);
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(CAPACITY_CTXS, events);

	cap = route_capacity_below(self->devs[0], CAPACITY_IDLE);
	EXPECT_GT(CAPACITY_IDLE, cap) {
		TH_LOG("the route arrays still have room for %lld contexts with none left on the device",
		       cap);
	}
	EXPECT_LE(0, ctxs) {
		TH_LOG("debugfs gpufe/counters has no contexts");
	}
	if (ctxs >= 0)
		EXPECT_EQ(ctxs, gpufe_counter_at_most("contexts", ctxs));
}

/* --- a GPU that writes its slots by DMA --------------------------------------- */

#define DMA_JOBS	32

TEST_F_TIMEOUT(completion, dma_slots, 120)
{
	const struct gpufe_completion_slot *s;
	struct gpufe_buffer buf;
	struct gpufe_ctx_status st;
	__u64 off, seqno = 0;
	__u32 devs[MAX_DEVS], ctx;
	const void *page = NULL;
	int fd, i;

	describe("A GPU that writes slots through the DMA address the front-end mapped (swgpu dma_slots=1): each job's slot, data and fence are right, a failed job's error too");
	GPUFE_SKIP_UNLESS_SWGPU("swgpu's dma_slots parameter");
	GPUFE_SKIP_IN_PARTITION("reloads swgpu, unplugging the partition's device");
	if (access(SWGPU_DEBUGFS "/dma_writes", F_OK))
		SKIP(return, "swgpu has no dma_slots parameter");
	/* Other GPUs of the fixture's fd go away: it has nothing on them. */
	self->reload_swgpu = true;
	ASSERT_EQ(0, gpufe_module_unload(SWGPU_MODULE));
	ASSERT_EQ(0, gpufe_module_load(SWGPU_MODULE, "dma_slots=1"));
	/* A new module instance: its counters start from 0. */
	ASSERT_EQ(0, gpufe_read_ull(SWGPU_DEBUGFS "/dma_writes"));

	fd = gpufe_open();
	ASSERT_LE(0, fd);
	ASSERT_LT(0, gpufe_swgpu_ids(fd, devs, MAX_DEVS));
	ASSERT_EQ(0, gpufe_completion_map(fd, self->page_size, &page));
	ASSERT_EQ(0, gpufe_buffer_create(fd, 4096, &buf));
	ASSERT_EQ(0, gpufe_create_ctx_slot(fd, devs[0], GPUFE_ENGINE_CLASS_COMPUTE,
					   0, &ctx, &off));
	s = gpufe_slot(page, off);

	for (i = 0; i < DMA_JOBS; i++) {
		ASSERT_EQ(0, submit_fill(fd, ctx, buf.handle, 0, 4096,
					 FILL_VALUE + i, i % 2 ? 500 : 0, &seqno));
		/* Alternately by sleeping and by spinning on the slot. */
		if (i % 2) {
			ASSERT_EQ(0, gpufe_slot_spin(s, seqno, gpufe_now_ns() +
						     GPUFE_TIMEOUT_NS));
		} else {
			ASSERT_EQ(0, gpufe_sync(fd, ctx, seqno));
		}
		EXPECT_EQ(seqno, gpufe_slot_seqno(s));
		EXPECT_EQ(0, gpufe_slot_error(s));
		ASSERT_TRUE(filled(buf.map, 0, 4096, FILL_VALUE + i));
	}
	EXPECT_EQ(DMA_JOBS, gpufe_read_ull(SWGPU_DEBUGFS "/dma_writes"));
	EXPECT_EQ(0, gpufe_read_ull(SWGPU_DEBUGFS "/dma_mismatches"));

	/* A failed job is completed from the CPU, with its error. */
	set_knob(_metadata, self, "fail_next_jobs", 1);
	ASSERT_EQ(0, submit_fill(fd, ctx, buf.handle, 0, 4096, FILL_VALUE, 0,
				 &seqno));
	ASSERT_EQ(0, gpufe_sync(fd, ctx, seqno));
	EXPECT_EQ(seqno, gpufe_slot_seqno(s));
	EXPECT_EQ(-EIO, gpufe_slot_error(s));
	ASSERT_EQ(0, gpufe_get_status(fd, ctx, &st));
	EXPECT_EQ(-EIO, st.error);
	EXPECT_EQ(DMA_JOBS, gpufe_read_ull(SWGPU_DEBUGFS "/dma_writes"));

	EXPECT_EQ(0, gpufe_destroy_ctx(fd, ctx));
	EXPECT_EQ(0, gpufe_buffer_destroy(fd, &buf));
	close(fd);
}

GPUFE_TEST_MAIN
