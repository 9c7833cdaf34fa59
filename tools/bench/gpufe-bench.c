// SPDX-License-Identifier: MIT
/*
 * gpufe-bench: figures of merit for gpufe, each a ratio to a floor
 * measured in the same run, or a share of engine time the kernel itself
 * accounted, so that they mean something under emulation.
 *
 * Every figure is one line, "NAME: VALUE (SPREAD; GOAL, met|missed)",
 * SPREAD being the min..max of the figure's value in each of several
 * repetitions and GOAL the figure's goal. VALUE is the median of those
 * per-repetition values, but for the figures whose repetitions hold many
 * samples each (route_cost_*, wake_latency_64_vs_1): there it is the
 * median of every sample of the measurement over the median of every
 * sample of its floor, which are no less interleaved and depend less on
 * the few repetitions that the host disturbed. The lines before it,
 * starting with "# ", give what is behind it (in ns unless they say
 * otherwise), to judge the noise. A measurement and its floor alternate
 * repetition by repetition (in ABBA order), so that a change of pace of
 * the machine (the host may stall the VM for milliseconds) hits both
 * alike. The latency figures keep their threads and the engines' workers
 * on one CPU (same_cpu_begin() says why), their floors alike.
 *
 * Every WAIT has a deadline; whatever fails is printed and the program
 * exits with status 1. A figure that misses its goal does not fail the run.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <gpufe.h>
#include <gpufe_swgpu.h>

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define NSEC_PER_SEC		1000000000ull
#define NSEC_PER_MSEC		1000000ull
/* The deadline of every WAIT, from its start. */
#define WAIT_TIMEOUT_NS		(60 * NSEC_PER_SEC)
/* How long to wait for the kernel to reach a state we poll for. */
#define POLL_TIMEOUT_NS		(30 * NSEC_PER_SEC)

/* Repetitions of a figure and its floor, alternated. */
#define REPEATS			15
#define MAX_REPEATS		64

/* batched_job_vs_null_ioctl */
#define NULL_IOCTLS		100000
#define BATCH_JOBS		10000

/* route_cost_4096_vs_1 and route_cost_4096_queued_vs_1 */
#define ROUTE_JOBS		500
/* The fewest jobs with one router run each a measurement must have. */
#define ROUTE_JOBS_MIN		100
#define ROUTE_CLIENTS		4096
/*
 * Where the waker and the waiter run, and the host, make whole runs
 * differ far more than the jobs of one run do: many short runs.
 */
#define ROUTE_ROUNDS		25
/* The long job the queued jobs wait behind. */
#define ROUTE_GATE_US		600000
/* The pause after opening or closing the clients, before measuring. */
#define ROUTE_SETTLE_NS		(100 * NSEC_PER_MSEC)
/* The queued jobs' measurement ends this far into the long job. */
#define ROUTE_GATE_END_NS	(450 * NSEC_PER_MSEC)
/* Tries of a round whose long job ended before its measurement. */
#define ROUTE_GATE_TRIES	3

/* wake_latency_64_vs_1 */
#define WAKE_WAITERS		63
/* Pairs of gates, one alone and one with the waiters, in ABBA order. */
#define WAKE_PAIRS		40
/* Samples per gate: at most, and at least for the gate to count. */
#define WAKE_SEGMENT_SAMPLES	100
#define WAKE_SEGMENT_MIN	50
/*
 * A gate stays shut this long. Samples are taken from GATE_SETTLE_NS after
 * the waiters are asleep (or after the gate shut, alone), in both cases
 * alike, while the gate stays shut.
 */
#define GATE_US			300000
#define GATE_SETTLE_NS		(20 * NSEC_PER_MSEC)

/* noop_roundtrip_vs_pipe */
#define ROUNDTRIPS		2000

/*
 * The scheduling figures. A loader keeps LOAD_AHEAD_US of DELAY jobs (at
 * least LOAD_MIN_DEPTH) submitted and not completed on its context.
 */
#define LOAD_AHEAD_US		40000
#define LOAD_MIN_DEPTH		4
#define SHORT_JOB_US		1000
#define LONG_JOB_US		10000
/* share_*_pct: windows of engine time, back to back, after a warm-up. */
#define SHARE_WINDOWS		9
#define SHARE_WINDOW_NS		(2 * NSEC_PER_SEC)
#define SHARE_WARMUP_NS		(500 * NSEC_PER_MSEC)
/* high_prio_wait_vs_job */
#define PRIO_REPEATS		15
#define PRIO_SAMPLES		10
/* Submissions are this far apart, at random within it. */
#define PRIO_GAP_MIN_US		3000
#define PRIO_GAP_SPAN_US	20000
/* throughput_2gpu_vs_1 */
#define TPUT_CLIENTS		4
#define TPUT_JOB_US		10000
#define TPUT_REPEATS		7
#define TPUT_WINDOW_NS		(3 * NSEC_PER_SEC)
#define TPUT_WARMUP_NS		(200 * NSEC_PER_MSEC)

#define DEBUGFS_DIR		"/sys/kernel/debug/gpufe/"
#define SYSFS_GPU		"/sys/class/gpufe/gpu%u/"

_Static_assert(REPEATS <= MAX_REPEATS && ROUTE_ROUNDS <= MAX_REPEATS &&
	       WAKE_PAIRS <= MAX_REPEATS &&
	       SHARE_WINDOWS <= MAX_REPEATS && PRIO_REPEATS <= MAX_REPEATS &&
	       TPUT_REPEATS <= MAX_REPEATS,
	       "figures keep at most MAX_REPEATS repetitions");

/* The bench's own client: its device and one context per engine class. */
static struct {
	int fd;
	uint32_t dev;
	uint32_t dev2;		/* the second device, 0 if none */
	uint32_t copy_ctx;
	uint32_t compute_ctx;
	uint32_t video_ctx;
} bench;

/* ------------------------------------------------------------------------
 * Shared helpers
 */

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("gpufe-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void __attribute__((noreturn)) die(const char *what)
{
	fail("%s: %s", what, strerror(errno));
}

/* For the functions that return an error number instead of setting errno. */
static void check_errno(int err, const char *what)
{
	if (err) {
		errno = err;
		die(what);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = ns / NSEC_PER_SEC,
		.tv_nsec = ns % NSEC_PER_SEC,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void sleep_ms(long ms)
{
	sleep_ns(ms * NSEC_PER_MSEC);
}

static double absd(double x)
{
	return x < 0 ? -x : x;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of @v (sorted in place). */
static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The @q quantile (0..1) of @v, sorted, by nearest rank. */
static double quantile(const double *v, int n, double q)
{
	int i = (int)(q * (n - 1) + 0.5);

	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

/*
 * One side of a figure, "# NAME: WHAT: median M UNIT, SPREAD lo..hi (n N)":
 * min..max of up to 9 values, p10..p90 of more. Sorts @v; returns the
 * median.
 */
static double report_side_unit(const char *name, const char *what, double *v,
			       int n, const char *unit)
{
	double m = median(v, n);
	bool many = n >= 10;

	printf("# %s: %s: median %.*f%s, %s %.*f..%.*f (n %d)\n", name, what,
	       *unit ? 0 : 3, m, unit, many ? "p10..p90" : "min..max",
	       *unit ? 0 : 3, many ? quantile(v, n, 0.1) : v[0],
	       *unit ? 0 : 3, many ? quantile(v, n, 0.9) : v[n - 1], n);
	return m;
}

static double report_side(const char *name, const char *what, double *v,
			  int n)
{
	return report_side_unit(name, what, v, n, " ns");
}

/* Figures that met their goal, of all the figures printed. */
static int figures_met, figures_printed;

/*
 * A figure of value @m, with the spread of its per-repetition values @v
 * (sorted here), against its goal: at most @goal, or at least with
 * @at_least.
 */
static void figure_value(const char *name, double m, double *v, int n,
			 bool at_least, double goal)
{
	bool met = at_least ? m >= goal : m <= goal;

	qsort(v, n, sizeof(*v), cmp_double);
	printf("# %s: per repetition: median %.3f, p25..p75 %.3f..%.3f, min..max %.3f..%.3f (n %d)\n",
	       name, median(v, n), quantile(v, n, 0.25), quantile(v, n, 0.75),
	       v[0], v[n - 1], n);
	printf("%s: %.2f (min..max %.2f..%.2f, n %d; goal %s %g, %s)\n",
	       name, m, v[0], v[n - 1], n, at_least ? ">=" : "<=", goal,
	       met ? "met" : "missed");
	figures_printed++;
	figures_met += met;
}

/* A figure: the median of its per-repetition values @v. */
static void figure(const char *name, double *v, int n, bool at_least,
		   double goal)
{
	figure_value(name, median(v, n), v, n, at_least, goal);
}

typedef double (*measure_fn)(void);

/*
 * A figure from @runs runs of @fn and @runs runs of its floor @floor_fn:
 * both run once to warm up, then in ABBA order; the figure is the median
 * of the ratios of each run to the floor run next to it.
 */
static void alternated_figure(const char *name, int runs, const char *what,
			      measure_fn fn, const char *floor_what,
			      measure_fn floor_fn, double goal)
{
	double v[MAX_REPEATS], floor[MAX_REPEATS], ratio[MAX_REPEATS];
	int i;

	floor_fn();
	fn();
	for (i = 0; i < runs; i++) {
		if (i % 2) {
			v[i] = fn();
			floor[i] = floor_fn();
		} else {
			floor[i] = floor_fn();
			v[i] = fn();
		}
		ratio[i] = v[i] / floor[i];
	}
	report_side(name, what, v, runs);
	report_side(name, floor_what, floor, runs);
	figure(name, ratio, runs, false, goal);
}

static void raise_fd_limit(rlim_t n)
{
	struct rlimit rl = { .rlim_cur = n, .rlim_max = n };

	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit(RLIMIT_NOFILE)");
}

/*
 * Read a small text file (procfs, debugfs, sysfs) into @buf,
 * NUL-terminated; false if it does not exist.
 */
static bool try_read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len;

	if (fd < 0 && errno == ENOENT)
		return false;
	if (fd < 0)
		die(path);
	len = read(fd, buf, size - 1);
	if (len < 0)
		die(path);
	buf[len] = '\0';
	close(fd);
	return true;
}

static void read_text(const char *path, char *buf, size_t size)
{
	if (!try_read_text(path, buf, size)) {
		errno = ENOENT;
		die(path);
	}
}

static void write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(text);

	if (fd < 0)
		die(path);
	if (write(fd, text, len) != (ssize_t)len)
		die(path);
	close(fd);
}

/* The value of "@key=N" in @text (a debugfs line), which must have it. */
static uint64_t field(const char *text, const char *key)
{
	char pattern[64];
	const char *p;

	snprintf(pattern, sizeof(pattern), " %s=", key);
	p = strstr(text, pattern);
	if (!p)
		fail("no %s= in \"%s\"", key, text);
	return strtoull(p + strlen(pattern), NULL, 10);
}

/*
 * The line of device @dev in the debugfs file @name (one line per device,
 * starting with its id) into @line; false if the file has none.
 */
static bool debugfs_device_line(const char *name, uint32_t dev, char *line,
				size_t size)
{
	char path[128], text[8192], *l, *save;

	snprintf(path, sizeof(path), DEBUGFS_DIR "%s", name);
	if (!try_read_text(path, text, sizeof(text)))
		return false;
	for (l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		if (strtoul(l, NULL, 10) == dev) {
			snprintf(line, size, "%s", l);
			return true;
		}
	}
	return false;
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	check_errno(pthread_setaffinity_np(pthread_self(), sizeof(set), &set),
		    "pthread_setaffinity_np");
}

/* Let the calling thread run on every CPU again. */
static void unpin(void)
{
	cpu_set_t set;
	long i, n = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	for (i = 0; i < n && i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	check_errno(pthread_setaffinity_np(pthread_self(), sizeof(set), &set),
		    "pthread_setaffinity_np");
}

/*
 * One CPU for a client and the engine that serves it. Under emulation
 * (TCG), a wake-up that crosses vCPUs waits for the host to run the woken
 * vCPU's thread: milliseconds on a busy host, and whether a wake-up
 * crosses depends on where the scheduler happened to put the engine's
 * worker (swgpu's engines are unbound workqueues) and the client, so that
 * the mix of slow and fast wake-ups, not gpufe, decided the medians of
 * whole runs. same_cpu_begin() puts the calling thread and every unbound
 * workqueue's workers (the engines', gpufe's) on the last CPU;
 * same_cpu_end() undoes it. Both cases of a figure run under it alike.
 */
#define WQ_CPUMASK		"/sys/devices/virtual/workqueue/cpumask"

static char saved_wq_cpumask[256];
static int same_cpu = -1;

static void same_cpu_end(void)
{
	if (saved_wq_cpumask[0])
		write_text(WQ_CPUMASK, saved_wq_cpumask);
	saved_wq_cpumask[0] = '\0';
	if (same_cpu >= 0)
		unpin();
	same_cpu = -1;
}

/* Returns the CPU, or -1 if the workqueues cannot be placed. */
static int same_cpu_begin(void)
{
	static bool registered;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	char mask[16];

	if (n < 2 || n > 32 || access(WQ_CPUMASK, W_OK))
		return -1;
	read_text(WQ_CPUMASK, saved_wq_cpumask, sizeof(saved_wq_cpumask));
	if (!registered) {
		atexit(same_cpu_end);
		registered = true;
	}
	same_cpu = (int)n - 1;
	snprintf(mask, sizeof(mask), "%lx", 1ul << same_cpu);
	write_text(WQ_CPUMASK, mask);
	pin_to_cpu(same_cpu);
	return same_cpu;
}

/* ------------------------------------------------------------------------
 * gpufe helpers
 */

static int open_client(void)
{
	int fd = open(GPUFE_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die(GPUFE_DEVICE_PATH);
	return fd;
}

/* The first two devices the client @fd sees (the second 0 if none). */
static void find_devices(int fd, uint32_t *first, uint32_t *second)
{
	struct {
		struct gpufe_query_devices hdr;
		struct gpufe_device_info dev[64];
	} res;
	struct gpufe_query q = {
		.query = GPUFE_QUERY_DEVICES,
		.size = sizeof(res),
		.data = (uintptr_t)&res,
	};

	if (ioctl(fd, GPUFE_IOCTL_QUERY, &q))
		die("QUERY");
	if (!res.hdr.num_devices)
		fail("no device");
	*first = res.dev[0].device_id;
	*second = res.hdr.num_devices > 1 ? res.dev[1].device_id : 0;
}

/*
 * The index of engine @instance of @engine_class of device @dev among the
 * engines QUERY_ENGINES lists to the bench's client: its bit in an engine
 * mask.
 */
static unsigned int engine_bit(uint32_t dev, uint16_t engine_class,
			       uint16_t instance)
{
	struct {
		struct gpufe_query_engines hdr;
		struct gpufe_engine_info engine[64];
	} res;
	struct gpufe_query q = {
		.query = GPUFE_QUERY_ENGINES,
		.device_id = dev,
		.size = sizeof(res),
		.data = (uintptr_t)&res,
	};
	unsigned int i;

	if (ioctl(bench.fd, GPUFE_IOCTL_QUERY, &q))
		die("QUERY engines");
	for (i = 0; i < res.hdr.num_engines; i++)
		if (res.engine[i].engine_class == engine_class &&
		    res.engine[i].engine_instance == instance)
			return i;
	fail("device %u has no engine %u of class %u", dev, instance,
	     engine_class);
}

/* A context on instance 0 of @engine_class of @dev, with @priority. */
static uint32_t ctx_create_on(int fd, uint32_t dev, uint16_t engine_class,
			      int priority)
{
	struct gpufe_ctx_create cc = {
		.device_id = dev,
		.engine_class = engine_class,
		.priority = priority,
	};

	if (ioctl(fd, GPUFE_IOCTL_CTX_CREATE, &cc))
		die("CTX_CREATE");
	return cc.ctx_id;
}

/* A context on instance 0 of @engine_class of the bench's device. */
static uint32_t ctx_create(int fd, uint16_t engine_class)
{
	return ctx_create_on(fd, bench.dev, engine_class,
			     GPUFE_PRIORITY_NORMAL);
}

/*
 * Queue @size bytes of commands on @ctx, with one buffer @bo (or none).
 * Returns the job's sequence number.
 */
static uint64_t submit(int fd, uint32_t ctx, const void *cmds, uint32_t size,
		       const struct gpufe_submit_bo *bo)
{
	struct gpufe_submit s = {
		.ctx_id = ctx,
		.cmds = (uintptr_t)cmds,
		.cmds_size = size,
		.bos = (uintptr_t)bo,
		.num_bos = bo ? 1 : 0,
	};

	if (ioctl(fd, GPUFE_IOCTL_SUBMIT, &s))
		die("SUBMIT");
	return s.seqno;
}

static uint64_t submit_nop(int fd, uint32_t ctx)
{
	static const struct swgpu_cmd_nop nop = { .opcode = SWGPU_CMD_NOP };

	return submit(fd, ctx, &nop, sizeof(nop), NULL);
}

/* A job that keeps its engine busy for @usecs. */
static uint64_t submit_delay(int fd, uint32_t ctx, uint32_t usecs)
{
	struct swgpu_cmd_delay_us delay = {
		.opcode = SWGPU_CMD_DELAY_US,
		.usecs = usecs,
	};

	return submit(fd, ctx, &delay, sizeof(delay), NULL);
}

/* Sleep in WAIT until job @seqno of @ctx is done, for WAIT_TIMEOUT_NS. */
static void wait_job(int fd, uint32_t ctx, uint64_t seqno)
{
	struct gpufe_wait w = {
		.ctx_id = ctx,
		.seqno = seqno,
		.timeout_ns = now_ns() + WAIT_TIMEOUT_NS,
	};
	int ret;

	do {
		ret = ioctl(fd, GPUFE_IOCTL_WAIT, &w);
	} while (ret && errno == EINTR);
	if (ret)
		fail("WAIT for job %llu of context %u: %s",
		     (unsigned long long)seqno, ctx, strerror(errno));
}

static struct gpufe_ctx_status ctx_status(int fd, uint32_t ctx)
{
	struct gpufe_ctx_status st = { .ctx_id = ctx };

	if (ioctl(fd, GPUFE_IOCTL_CTX_STATUS, &st))
		die("CTX_STATUS");
	return st;
}

static uint64_t ctx_completed(int fd, uint32_t ctx)
{
	return ctx_status(fd, ctx).completed;
}

/* One NOP job on the bench's copy context, waited for. */
static void nop_roundtrip(void)
{
	wait_job(bench.fd, bench.copy_ctx,
		 submit_nop(bench.fd, bench.copy_ctx));
}

/* Per-item ns of what ran since @t0, @n items. */
static double per_item_ns(uint64_t t0, int n)
{
	return (double)(now_ns() - t0) / n;
}

/* A buffer for TIMESTAMP commands, created on @fd and mapped. */
struct stamp_buf {
	int fd;
	uint32_t handle;
	const uint64_t *stamp;
	size_t size;
	uint64_t last;		/* the last value read */
};

static void stamp_buf_init(struct stamp_buf *b, int fd)
{
	struct gpufe_bo_create bc = { .size = sizeof(uint64_t) };
	void *map;

	if (ioctl(fd, GPUFE_IOCTL_BO_CREATE, &bc))
		die("BO_CREATE");
	map = mmap(NULL, bc.size, PROT_READ, MAP_SHARED, fd, bc.mmap_offset);
	if (map == MAP_FAILED)
		die("mmap of a timestamp buffer");
	b->fd = fd;
	b->handle = bc.handle;
	b->stamp = map;
	b->size = bc.size;
	b->last = 0;
}

static void stamp_buf_fini(struct stamp_buf *b)
{
	struct gpufe_bo_destroy bd = { .handle = b->handle };

	munmap((void *)b->stamp, b->size);
	if (ioctl(b->fd, GPUFE_IOCTL_BO_DESTROY, &bd))
		die("BO_DESTROY");
}

/*
 * Run one TIMESTAMP job on @ctx of the buffer's client and wait for it.
 * Returns the engine's CLOCK_MONOTONIC time when it ran; *@woke, if not
 * NULL, gets the time WAIT returned.
 */
static uint64_t stamp_job(struct stamp_buf *b, uint32_t ctx, uint64_t *woke)
{
	struct swgpu_cmd_timestamp ts = { .opcode = SWGPU_CMD_TIMESTAMP };
	struct gpufe_submit_bo bo = {
		.handle = b->handle,
		.flags = GPUFE_SUBMIT_BO_WRITE,
	};
	uint64_t t, stamp;

	wait_job(b->fd, ctx, submit(b->fd, ctx, &ts, sizeof(ts), &bo));
	t = now_ns();
	stamp = __atomic_load_n(b->stamp, __ATOMIC_ACQUIRE);
	if (stamp <= b->last || stamp > t)
		fail("TIMESTAMP wrote %llu (before: %llu, woke at %llu)",
		     (unsigned long long)stamp, (unsigned long long)b->last,
		     (unsigned long long)t);
	b->last = stamp;
	if (woke)
		*woke = t;
	return stamp;
}

/* gpufe's count @key ("clients", "contexts", ...) in debugfs counters. */
static unsigned long gpufe_count(const char *key)
{
	char text[512], pattern[64];
	const char *p;

	read_text(DEBUGFS_DIR "counters", text, sizeof(text));
	snprintf(pattern, sizeof(pattern), "%s ", key);
	for (p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, pattern, strlen(pattern)))
			return strtoul(p + strlen(pattern), NULL, 10);
	fail(DEBUGFS_DIR "counters has no \"%s N\"", key);
}

/*
 * Wait until gpufe counts @clients clients and @contexts contexts again,
 * after closing some: the retiring of their contexts happens in work
 * items, which must not run under the next measurement.
 */
static void wait_counts(unsigned long clients, unsigned long contexts)
{
	uint64_t deadline = now_ns() + POLL_TIMEOUT_NS;

	while (gpufe_count("clients") > clients ||
	       gpufe_count("contexts") > contexts) {
		if (now_ns() > deadline)
			fail("%lu clients and %lu contexts still there after 30 s, not %lu and %lu",
			     gpufe_count("clients"), gpufe_count("contexts"),
			     clients, contexts);
		sleep_ms(1);
	}
}

/* ------------------------------------------------------------------------
 * Scheduling helpers: policies, partitions, loaders.
 */

/* The policies found at start, restored on exit: [0] bench.dev, [1] dev2. */
static char saved_policy[2][32];

static void policy_path(uint32_t dev, char *path, size_t size)
{
	snprintf(path, size, SYSFS_GPU "sched_policy", dev);
}

static void policy_get(uint32_t dev, char *buf, size_t size)
{
	char path[128];

	policy_path(dev, path, sizeof(path));
	read_text(path, buf, size);
	buf[strcspn(buf, "\n")] = '\0';
}

static void policy_set(uint32_t dev, const char *policy)
{
	char path[128];

	policy_path(dev, path, sizeof(path));
	write_text(path, policy);
}

static void policy_restore(void)
{
	if (saved_policy[0][0])
		policy_set(bench.dev, saved_policy[0]);
	if (saved_policy[1][0])
		policy_set(bench.dev2, saved_policy[1]);
}

static void policy_save(void)
{
	policy_get(bench.dev, saved_policy[0], sizeof(saved_policy[0]));
	if (bench.dev2)
		policy_get(bench.dev2, saved_policy[1],
			   sizeof(saved_policy[1]));
	atexit(policy_restore);
}

/*
 * A partition of the bench's device with the engines of @mask and
 * @weight; returns the file descriptor of its first client.
 */
static int partition_create(uint64_t mask, uint32_t weight)
{
	struct gpufe_partition_create pc = {
		.device_id = bench.dev,
		.engine_mask = mask,
		.weight = weight,
	};

	if (ioctl(bench.fd, GPUFE_IOCTL_PARTITION_CREATE, &pc))
		die("PARTITION_CREATE");
	return pc.fd;
}

/* Another client of the partition of @fd. */
static int partition_open(int fd)
{
	struct gpufe_partition_open po = { .partition_id = 0 };

	if (ioctl(fd, GPUFE_IOCTL_PARTITION_OPEN, &po))
		die("PARTITION_OPEN");
	return po.fd;
}

static unsigned int partitions_alive(void)
{
	static struct {
		struct gpufe_query_partitions hdr;
		struct gpufe_partition_info part[GPUFE_PARTITION_MAX];
	} res;
	struct gpufe_query q = {
		.query = GPUFE_QUERY_PARTITIONS,
		.size = sizeof(res),
		.data = (uintptr_t)&res,
	};

	if (ioctl(bench.fd, GPUFE_IOCTL_QUERY, &q))
		die("QUERY partitions");
	return res.hdr.num_partitions;
}

/* Wait until the partitions whose clients were closed have ended. */
static void wait_no_partitions(void)
{
	uint64_t deadline = now_ns() + POLL_TIMEOUT_NS;

	while (partitions_alive()) {
		if (now_ns() > deadline)
			fail("%u partitions still there after 30 s",
			     partitions_alive());
		sleep_ms(1);
	}
}

/*
 * A loader: a thread that keeps a context's engine saturated with DELAY
 * jobs of @job_us, with at least @depth of them submitted and not
 * completed while it runs, so that the context always has jobs waiting
 * in the scheduler's run queue.
 */
struct loader {
	int fd;
	uint32_t ctx;
	uint32_t job_us;
	uint64_t depth;
	int stop;		/* atomic */
	pthread_t thread;
};

static void *loader_main(void *arg)
{
	struct loader *l = arg;
	uint64_t seqno = 0;

	while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE)) {
		seqno = submit_delay(l->fd, l->ctx, l->job_us);
		if (seqno > l->depth)
			wait_job(l->fd, l->ctx, seqno - l->depth);
	}
	if (seqno)
		wait_job(l->fd, l->ctx, seqno);
	return NULL;
}

static void loader_start(struct loader *l, int fd, uint32_t ctx,
			 uint32_t job_us)
{
	l->fd = fd;
	l->ctx = ctx;
	l->job_us = job_us;
	l->depth = LOAD_AHEAD_US / job_us;
	if (l->depth < LOAD_MIN_DEPTH)
		l->depth = LOAD_MIN_DEPTH;
	l->stop = 0;
	check_errno(pthread_create(&l->thread, NULL, loader_main, l),
		    "pthread_create");
}

/* Stop submitting, and wait until the loader's jobs are done. */
static void loader_stop(struct loader *l)
{
	__atomic_store_n(&l->stop, 1, __ATOMIC_RELEASE);
	check_errno(pthread_join(l->thread, NULL), "pthread_join");
}

/* Engine time and jobs of a context, and when they were read. */
struct busy_mark {
	uint64_t busy_ns;
	uint64_t completed;
};

/*
 * Read the engine time of the @n loaders' contexts right after a job of
 * loader @align completed (it has the longest jobs: the others' engine
 * time is then off by less than one of their shorter jobs). Returns the
 * time of the reading.
 */
static uint64_t busy_marks(struct loader *l, int n, int align,
			   struct busy_mark *mark)
{
	struct gpufe_ctx_status st = ctx_status(l[align].fd, l[align].ctx);
	uint64_t t;
	int i;

	wait_job(l[align].fd, l[align].ctx, st.completed + 1);
	t = now_ns();
	for (i = 0; i < n; i++) {
		st = ctx_status(l[i].fd, l[i].ctx);
		mark[i].busy_ns = st.busy_ns;
		mark[i].completed = st.completed;
	}
	return t;
}

/* The router's counters of the bench's device, from debugfs route. */
struct route_stats {
	uint64_t irqs;
	uint64_t routes;
	uint64_t route_ns;
	uint64_t slots_scanned;
};

static struct route_stats read_route_stats(void)
{
	char line[512];

	if (!debugfs_device_line("route", bench.dev, line, sizeof(line)))
		fail(DEBUGFS_DIR "route is missing or has no line for device %u",
		     bench.dev);
	return (struct route_stats){
		.irqs = field(line, "irqs"),
		.routes = field(line, "routes"),
		.route_ns = field(line, "route_ns"),
		.slots_scanned = field(line, "slots_scanned"),
	};
}

/* The scheduler's count @key of the bench's device (debugfs sched), or 0. */
static uint64_t sched_count(const char *key)
{
	char line[512];

	if (!debugfs_device_line("sched", bench.dev, line, sizeof(line)))
		return 0;
	return field(line, key);
}

/* ------------------------------------------------------------------------
 * batched_job_vs_null_ioctl: the per-job cost of BATCH_JOBS NOPs submitted
 * back to back, the last one waited for, over a null ioctl (VERSION).
 */

static double null_ioctl_ns(void)
{
	struct gpufe_version v;
	uint64_t t0 = now_ns();
	int i;

	for (i = 0; i < NULL_IOCTLS; i++)
		if (ioctl(bench.fd, GPUFE_IOCTL_VERSION, &v))
			die("VERSION");
	return per_item_ns(t0, NULL_IOCTLS);
}

/* Interrupts and router runs of the batched runs, for the reader. */
static struct route_stats batched_routes;

static double batched_job_ns(void)
{
	struct route_stats a = read_route_stats(), b;
	uint64_t t0 = now_ns(), seqno = 0;
	double ns;
	int i;

	for (i = 0; i < BATCH_JOBS; i++)
		seqno = submit_nop(bench.fd, bench.copy_ctx);
	wait_job(bench.fd, bench.copy_ctx, seqno);
	ns = per_item_ns(t0, BATCH_JOBS);
	b = read_route_stats();
	batched_routes.irqs += b.irqs - a.irqs;
	batched_routes.routes += b.routes - a.routes;
	return ns;
}

static void batched_job_figure(void)
{
	alternated_figure("batched_job_vs_null_ioctl", REPEATS,
			  "batched NOP job", batched_job_ns,
			  "null ioctl", null_ioctl_ns, 4);
	printf("# batched_job_vs_null_ioctl: per batched job: %.3f interrupts, %.3f router runs (all runs)\n",
	       (double)batched_routes.irqs / ((REPEATS + 1) * BATCH_JOBS),
	       (double)batched_routes.routes / ((REPEATS + 1) * BATCH_JOBS));
}

/* ------------------------------------------------------------------------
 * route_cost_4096_vs_1 and route_cost_4096_queued_vs_1: the router's ns
 * per interrupt spent finding whose slots moved (route_ns and routes of
 * the device in debugfs route; the delivery that follows, the same
 * whoever else is open, is deliver_ns and the subject of
 * wake_latency_64_vs_1) while the bench's client waits ROUTE_JOBS NOPs on
 * its copy engine one by one, each one interrupt:
 *
 * - route_cost_4096_vs_1: with ROUTE_CLIENTS idle clients open (a context
 *   each on the same device, nothing submitted), over the same with the
 *   bench's client alone;
 * - route_cost_4096_queued_vs_1: with ROUTE_CLIENTS clients each holding
 *   a NOP queued on the video engine behind a long job there (a DELAY of
 *   ROUTE_GATE_US that the bench's client submitted first), over the same
 *   with one client holding a NOP queued behind it.
 *
 * A round measures the four cases, the clients opened once for both
 * figures; each figure is the median of every interrupt measured with the
 * clients over that without, over ROUTE_ROUNDS rounds. The bench's client
 * runs on one CPU with the engines' workers (see same_cpu_begin()), so
 * that a round trip takes the same short path each time.
 */

/* What the last run of a case saw, for the reader. */
struct route_diag {
	/* route_ns of every interrupt measured since the warm-up */
	double pool[ROUTE_ROUNDS * ROUTE_JOBS];
	int npool;
	int jobs;		/* jobs measured */
	double mean_ns;		/* route_ns / routes over the whole run */
	double routes;		/* router runs per job */
	double scanned;		/* slots scanned per router run */
	char sched[256];	/* the device's debugfs sched line, if any */
};

static struct route_diag diag_alone, diag_idle, diag_queued, diag_queued1;

/*
 * The median of route_ns over the jobs that made exactly one router run,
 * read before and after each job: a median per interrupt, so that the
 * host preempting the VM during a few router runs does not decide it.
 * ROUTE_JOBS jobs, or fewer if @deadline (CLOCK_MONOTONIC ns, 0 for none)
 * comes first.
 */
static double route_cost_ns(struct route_diag *diag, uint64_t deadline)
{
	static double cost[ROUTE_JOBS];
	struct route_stats first, a, b;
	uint64_t routes;
	int i, n = 0;

	first = b = read_route_stats();
	for (i = 0; i < ROUTE_JOBS; i++) {
		if (deadline && now_ns() > deadline)
			break;
		a = b;
		nop_roundtrip();
		b = read_route_stats();
		if (b.routes - a.routes == 1)
			cost[n++] = (double)(b.route_ns - a.route_ns);
	}
	routes = b.routes - first.routes;
	if (diag->npool + n <= ROUTE_ROUNDS * ROUTE_JOBS) {
		memcpy(diag->pool + diag->npool, cost, n * sizeof(*cost));
		diag->npool += n;
	}
	if (n < ROUTE_JOBS_MIN)
		fail("route: %d of %d jobs made exactly one router run (%llu runs in all)",
		     n, i, (unsigned long long)routes);
	diag->jobs = i;
	diag->mean_ns = (double)(b.route_ns - first.route_ns) / (double)routes;
	diag->routes = (double)routes / i;
	diag->scanned = (double)(b.slots_scanned - first.slots_scanned) /
			(double)routes;
	return median(cost, n);
}

/* The clients of a round: a context each on the copy and video engines. */
static struct {
	int fd[ROUTE_CLIENTS];
	uint32_t copy_ctx[ROUTE_CLIENTS];
	uint32_t video_ctx[ROUTE_CLIENTS];
	uint64_t seqno[ROUTE_CLIENTS];
	/* gpufe's clients and contexts before they opened */
	unsigned long clients, contexts;
} rc;


static void route_clients_open(void)
{
	int i;

	rc.clients = gpufe_count("clients");
	rc.contexts = gpufe_count("contexts");
	for (i = 0; i < ROUTE_CLIENTS; i++) {
		rc.fd[i] = open_client();
		rc.copy_ctx[i] = ctx_create(rc.fd[i], GPUFE_ENGINE_CLASS_COPY);
		rc.video_ctx[i] = ctx_create(rc.fd[i],
					     GPUFE_ENGINE_CLASS_VIDEO);
	}
	sleep_ns(ROUTE_SETTLE_NS);
}

/* Close them and let them go before a case measures without them. */
static void route_clients_close(void)
{
	int i;

	for (i = 0; i < ROUTE_CLIENTS; i++)
		close(rc.fd[i]);
	wait_counts(rc.clients, rc.contexts);
	sleep_ns(ROUTE_SETTLE_NS);
}

static double route_cost_alone_ns(void)
{
	return route_cost_ns(&diag_alone, 0);
}

static double route_cost_idle_ns(void)
{
	return route_cost_ns(&diag_idle, 0);
}

/*
 * The route cost while @n clients (@fd, @ctx) each hold a NOP queued on
 * the video engine behind a long job there. The measurement must end
 * before the long job does; a round where it did not is measured again.
 */
static double route_cost_queued_ns(int n, const int *fd, const uint32_t *ctx,
				   struct route_diag *diag)
{
	int tries, i;

	for (tries = 0; tries < ROUTE_GATE_TRIES; tries++) {
		uint64_t gate = submit_delay(bench.fd, bench.video_ctx,
					     ROUTE_GATE_US);
		uint64_t t0 = now_ns();
		int npool = diag->npool;
		bool shut;
		double ns;

		for (i = 0; i < n; i++)
			rc.seqno[i] = submit_nop(fd[i], ctx[i]);
		if (!debugfs_device_line("sched", bench.dev, diag->sched,
					 sizeof(diag->sched)))
			diag->sched[0] = '\0';
		ns = route_cost_ns(diag, t0 + ROUTE_GATE_END_NS);
		shut = ctx_completed(bench.fd, bench.video_ctx) < gate;

		wait_job(bench.fd, bench.video_ctx, gate);
		for (i = 0; i < n; i++)
			wait_job(fd[i], ctx[i], rc.seqno[i]);
		if (shut)
			return ns;
		diag->npool = npool;
		printf("# route_cost_4096_queued_vs_1: %d queued: the long job ended %llu ms into the measurement; again\n",
		       n, (unsigned long long)(now_ns() - t0) / NSEC_PER_MSEC);
	}
	fail("route: the measurement with %d queued jobs outlasted a %u us job %d times",
	     n, ROUTE_GATE_US, ROUTE_GATE_TRIES);
}

static double route_cost_queued_ns_all(void)
{
	return route_cost_queued_ns(ROUTE_CLIENTS, rc.fd, rc.video_ctx,
				    &diag_queued);
}

/*
 * The floor's one client is a new one each round, as the 4096 are: where
 * its completion slot lands in memory changes the cost of reading it
 * under emulation, and one client kept for the whole run biased the
 * floor of that run.
 */
static double route_cost_queued_ns_one(void)
{
	unsigned long clients = gpufe_count("clients");
	unsigned long contexts = gpufe_count("contexts");
	int fd = open_client();
	uint32_t ctx = ctx_create(fd, GPUFE_ENGINE_CLASS_VIDEO);
	double ns;

	ns = route_cost_queued_ns(1, &fd, &ctx, &diag_queued1);
	close(fd);
	wait_counts(clients, contexts);
	return ns;
}

static void route_diag_print(const char *name, const char *what,
			     const struct route_diag *d)
{
	printf("# %s: %s, last run: %d jobs, mean %.0f ns per router run, %.2f router runs per job, %.1f slots scanned per router run\n",
	       name, what, d->jobs, d->mean_ns, d->routes, d->scanned);
	if (d->sched[0])
		printf("# %s: %s, sched when measuring: %s\n", name, what,
		       d->sched);
}

/* The ratio of the medians of all the interrupts of two cases. */
static double route_pooled(const char *name, struct route_diag *d,
			   struct route_diag *floor)
{
	double m = report_side(name, "every interrupt of every round",
			       d->pool, d->npool);
	double f = report_side(name, "every interrupt of every round, floor",
			       floor->pool, floor->npool);

	return m / f;
}

static void route_cost_figures(void)
{
	static const char idle_name[] = "route_cost_4096_vs_1";
	static const char queued_name[] = "route_cost_4096_queued_vs_1";
	double alone[MAX_REPEATS], idle[MAX_REPEATS], queued[MAX_REPEATS],
	       queued1[MAX_REPEATS], r_idle[MAX_REPEATS],
	       r_queued[MAX_REPEATS];
	int cpu, r;

	cpu = same_cpu_begin();

	/* Warm up. */
	route_cost_alone_ns();
	route_cost_queued_ns_one();
	diag_alone.npool = diag_queued1.npool = 0;
	for (r = 0; r < ROUTE_ROUNDS; r++) {
		if (r % 2 == 0) {
			alone[r] = route_cost_alone_ns();
			queued1[r] = route_cost_queued_ns_one();
		}
		route_clients_open();
		if (r % 2 == 0) {
			idle[r] = route_cost_idle_ns();
			queued[r] = route_cost_queued_ns_all();
		} else {
			queued[r] = route_cost_queued_ns_all();
			idle[r] = route_cost_idle_ns();
		}
		route_clients_close();
		if (r % 2) {
			queued1[r] = route_cost_queued_ns_one();
			alone[r] = route_cost_alone_ns();
		}
		r_idle[r] = idle[r] / alone[r];
		r_queued[r] = queued[r] / queued1[r];
	}
	same_cpu_end();

	if (cpu >= 0)
		printf("# route: the bench's client and the workqueues on CPU %d\n",
		       cpu);
	report_side(idle_name, "4096 idle clients, median per round", idle,
		    ROUTE_ROUNDS);
	report_side(idle_name, "1 client, median per round", alone,
		    ROUTE_ROUNDS);
	route_diag_print(idle_name, "4096 idle clients", &diag_idle);
	route_diag_print(idle_name, "1 client", &diag_alone);
	figure_value(idle_name, route_pooled(idle_name, &diag_idle, &diag_alone),
		     r_idle, ROUTE_ROUNDS, false, 1.1);

	report_side(queued_name, "4096 clients with a job queued, median per round",
		    queued, ROUTE_ROUNDS);
	report_side(queued_name, "1 client with a job queued, median per round",
		    queued1, ROUTE_ROUNDS);
	route_diag_print(queued_name, "4096 queued", &diag_queued);
	route_diag_print(queued_name, "1 queued", &diag_queued1);
	figure_value(queued_name,
		     route_pooled(queued_name, &diag_queued, &diag_queued1),
		     r_queued, ROUTE_ROUNDS, false, 1.1);
}

/* ------------------------------------------------------------------------
 * wake_latency_64_vs_1: from the TIMESTAMP that ends a job to the return
 * of the WAIT its client sleeps in, with WAKE_WAITERS other clients asleep
 * in WAIT on jobs of their own, over the same with the client alone.
 *
 * The others' jobs are NOPs on the video engine, queued behind a GATE_US
 * DELAY job there (the gate): none of them may wake. The measured jobs
 * run on the compute engine, and a sample counts only if the gate was
 * still shut when it ended. Both cases run under gates, in pairs of gates
 * (ABBA order), up to WAKE_SEGMENT_SAMPLES samples a gate; the figure is
 * the median of every sample with the waiters over that of every sample
 * alone. The measured client and the engines' workers share one CPU (see
 * same_cpu_begin()); the waiters may run anywhere.
 */

struct waiter {
	pthread_t thread;
	int fd;
	uint32_t ctx;
	pid_t tid;	/* set, atomically, once its job is submitted */
};

static struct {
	struct waiter waiters[WAKE_WAITERS];
	uint64_t gate_seqno;	/* the gate job, on bench.video_ctx */
	struct stamp_buf stamp;
} wake;

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	uint64_t seqno;

	unpin();
	seqno = submit_nop(w->fd, w->ctx);
	__atomic_store_n(&w->tid, gettid(), __ATOMIC_RELEASE);
	wait_job(w->fd, w->ctx, seqno);
	return NULL;
}

/*
 * Whether thread @tid of this process sleeps in GPUFE_IOCTL_WAIT; false
 * also if it is gone (the gate opened and its job completed).
 */
static bool sleeps_in_wait(pid_t tid)
{
	char path[64], text[256];
	unsigned long fd, cmd;
	ssize_t len;
	long nr;
	int f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return false;
	len = read(f, text, sizeof(text) - 1);
	close(f);
	if (len < 0)
		return false;
	text[len] = '\0';
	return sscanf(text, "%ld %lx %lx", &nr, &fd, &cmd) == 3 &&
	       nr == SYS_ioctl && cmd == GPUFE_IOCTL_WAIT;
}

static bool gate_shut(void)
{
	return ctx_completed(bench.fd, bench.video_ctx) < wake.gate_seqno;
}

/* Wait until the first @n waiters sleep in WAIT; false if the gate opened. */
static bool waiters_asleep(int n)
{
	uint64_t deadline = now_ns() + POLL_TIMEOUT_NS;
	int i = 0;

	while (i < n) {
		pid_t tid = __atomic_load_n(&wake.waiters[i].tid,
					    __ATOMIC_ACQUIRE);

		if (tid && sleeps_in_wait(tid)) {
			i++;
			continue;
		}
		if (!gate_shut())
			return false;
		if (now_ns() > deadline)
			fail("waiter %d not asleep in WAIT after 30 s", i);
		sleep_ms(1);
	}
	return true;
}

/* One sample: ns from the job's TIMESTAMP to our return from WAIT. */
static double wake_sample(void)
{
	uint64_t woke, stamp = stamp_job(&wake.stamp, bench.compute_ctx,
					 &woke);

	return (double)(woke - stamp);
}

/*
 * Shut a gate, put @nwaiters clients to sleep behind it, take up to @want
 * samples while it stays shut, then open it and let everything finish.
 * Returns the number of samples taken.
 */
static int wake_segment(int nwaiters, double *samples, int want)
{
	uint64_t start;
	int i, n = 0;

	start = now_ns();
	wake.gate_seqno = submit_delay(bench.fd, bench.video_ctx, GATE_US);
	for (i = 0; i < nwaiters; i++) {
		wake.waiters[i].tid = 0;
		check_errno(pthread_create(&wake.waiters[i].thread, NULL,
					   waiter_main, &wake.waiters[i]),
			    "pthread_create");
	}
	if (waiters_asleep(nwaiters)) {
		uint64_t settled = now_ns() + GATE_SETTLE_NS;

		while (now_ns() < settled)
			sleep_ms(1);
		while (n < want) {
			double s = wake_sample();

			if (!gate_shut())
				break;
			samples[n++] = s;
		}
	}
	wait_job(bench.fd, bench.video_ctx, wake.gate_seqno);
	if (now_ns() - start < GATE_US * 1000ull)
		fail("the gate's %u us DELAY job ended after %llu us", GATE_US,
		     (unsigned long long)(now_ns() - start) / 1000);
	for (i = 0; i < nwaiters; i++)
		check_errno(pthread_join(wake.waiters[i].thread, NULL),
			    "pthread_join");
	return n;
}

/* The timestamp buffer and the waiters' clients, for all the gates. */
static void wake_setup(void)
{
	int i;

	stamp_buf_init(&wake.stamp, bench.fd);
	for (i = 0; i < WAKE_WAITERS; i++) {
		wake.waiters[i].fd = open_client();
		wake.waiters[i].ctx = ctx_create(wake.waiters[i].fd,
						 GPUFE_ENGINE_CLASS_VIDEO);
	}
}

static void wake_teardown(void)
{
	int i;

	for (i = 0; i < WAKE_WAITERS; i++)
		close(wake.waiters[i].fd);
	stamp_buf_fini(&wake.stamp);
}

/*
 * A gate of @nwaiters with at least WAKE_SEGMENT_MIN samples (tried up to
 * five times); its samples go to @all, and it returns their median.
 */
static double wake_segment_median(int nwaiters, double *all, int *nall)
{
	double *s = all + *nall;
	int tries, n = 0;

	for (tries = 0; tries < 5; tries++) {
		n = wake_segment(nwaiters, s, WAKE_SEGMENT_SAMPLES);
		if (n >= WAKE_SEGMENT_MIN) {
			double m;

			*nall += n;
			m = median(s, n);
			return m;
		}
	}
	fail("wake latency: %d samples before the %u us gate opened, 5 times",
	     n, GATE_US);
}

static void wake_latency_figure(void)
{
	static const char name[] = "wake_latency_64_vs_1";
	static double all[2][WAKE_PAIRS * WAKE_SEGMENT_SAMPLES];
	double crowd[MAX_REPEATS], alone[MAX_REPEATS], ratio[MAX_REPEATS];
	int nall[2] = { 0, 0 }, cpu, i;
	double m;

	cpu = same_cpu_begin();
	wake_setup();
	wake_sample();	/* warm up */
	for (i = 0; i < WAKE_PAIRS; i++) {
		if (i % 2) {
			crowd[i] = wake_segment_median(WAKE_WAITERS, all[1],
						       &nall[1]);
			alone[i] = wake_segment_median(0, all[0], &nall[0]);
		} else {
			alone[i] = wake_segment_median(0, all[0], &nall[0]);
			crowd[i] = wake_segment_median(WAKE_WAITERS, all[1],
						       &nall[1]);
		}
		ratio[i] = crowd[i] / alone[i];
	}
	wake_teardown();
	same_cpu_end();
	if (cpu >= 0)
		printf("# %s: the measured client and the workqueues on CPU %d\n",
		       name, cpu);
	else
		printf("# %s: the workqueues could not be placed: client and engine may be on different CPUs\n",
		       name);
	report_side(name, "64 waiting, median per gate", crowd, WAKE_PAIRS);
	report_side(name, "1 waiting, median per gate", alone, WAKE_PAIRS);
	m = report_side(name, "64 waiting, every sample", all[1], nall[1]);
	m /= report_side(name, "1 waiting, every sample", all[0], nall[0]);
	figure_value(name, m, ratio, WAKE_PAIRS, false, 1.2);
}

/* ------------------------------------------------------------------------
 * noop_roundtrip_vs_pipe: submitting one NOP and sleeping in WAIT until it
 * is done, over a two-thread pipe ping-pong round trip. A run is
 * ROUNDTRIPS round trips in a row, each timed, and gives their median; the
 * figure is the median of the ratios of REPEATS runs of each, in ABBA
 * order. Both run on one CPU with the engines' workers (see
 * same_cpu_begin()): the pipe's two threads, and the client and the
 * engine that runs its NOP.
 */

/* Move one byte from @from to @to, either may be -1 for none. */
static void relay_byte(int from, int to)
{
	char c = 0;

	if (from >= 0 && read(from, &c, 1) != 1)
		die("pipe read");
	if (to >= 0 && write(to, &c, 1) != 1)
		die("pipe write");
}

/* The two pipes of the ping-pong: [0] read end, [1] write end. */
static int ping[2], pong[2];

/* The far side of the ping-pong: what comes on ping goes back on pong. */
static void *pong_main(void *unused)
{
	int i;

	(void)unused;
	for (i = 0; i < ROUNDTRIPS; i++)
		relay_byte(ping[0], pong[1]);
	return NULL;
}

static void pipe_roundtrip(void)
{
	relay_byte(-1, ping[1]);
	relay_byte(pong[0], -1);
}

/* The median of ROUNDTRIPS calls of @op, each timed on its own. */
static double median_roundtrip_ns(void (*op)(void))
{
	static double ns[ROUNDTRIPS];
	uint64_t t0;
	int i;

	for (i = 0; i < ROUNDTRIPS; i++) {
		t0 = now_ns();
		op();
		ns[i] = (double)(now_ns() - t0);
	}
	return median(ns, ROUNDTRIPS);
}

static double noop_roundtrip_ns(void)
{
	return median_roundtrip_ns(nop_roundtrip);
}

static double pipe_roundtrip_ns(void)
{
	pthread_t thread;
	double ns;
	int i;

	if (pipe2(ping, O_CLOEXEC) || pipe2(pong, O_CLOEXEC))
		die("pipe2");
	check_errno(pthread_create(&thread, NULL, pong_main, NULL),
		    "pthread_create");
	ns = median_roundtrip_ns(pipe_roundtrip);
	check_errno(pthread_join(thread, NULL), "pthread_join");
	for (i = 0; i < 2; i++) {
		close(ping[i]);
		close(pong[i]);
	}
	return ns;
}

static void noop_roundtrip_figure(void)
{
	int cpu = same_cpu_begin();

	if (cpu >= 0)
		printf("# noop_roundtrip_vs_pipe: both on CPU %d, with the workqueues\n",
		       cpu);
	else
		printf("# noop_roundtrip_vs_pipe: the workqueues could not be placed: threads and engine may be on different CPUs\n");
	alternated_figure("noop_roundtrip_vs_pipe", REPEATS,
			  "NOP submit+WAIT", noop_roundtrip_ns,
			  "pipe ping-pong", pipe_roundtrip_ns, 1.5);
	same_cpu_end();
}

/* ------------------------------------------------------------------------
 * share_error_equal_pct, share_error_weighted_pct: two loaders saturate
 * compute engine 0 of the bench's device, one with SHORT_JOB_US DELAY
 * jobs and the other with LONG_JOB_US ones; in each of SHARE_WINDOWS
 * windows of SHARE_WINDOW_NS, back to back after a warm-up, the short
 * jobs' share of the engine time the kernel accounted to the two contexts
 * (CTX_STATUS busy_ns) is measured; the figure is the median over the
 * windows of its distance to the share the policy promises, in points:
 *
 * - equal: two clients without partition, under equal-share: 50%;
 * - weighted: each client in a partition of its own, the short jobs'
 *   weighing 2 and the long jobs' 1, under fixed-share: 66.7%.
 *
 * fixed_share_cap_error_pct: under fixed-share, a partition of weight 1
 * next to an idle one of weight 3 runs alone, with both loaders as its
 * clients; its share is their engine time over the elapsed time
 * (CLOCK_MONOTONIC), and the figure the median of its distance to 25%.
 *
 * The windows start and end right after a long job completed, so that
 * accounting at job ends blurs them by less than a short job.
 */

/* Per window: the short jobs' share in %, and the pair's busy share. */
struct share_windows {
	double share[MAX_REPEATS];	/* short jobs' share of the pair's */
	double busy[MAX_REPEATS];	/* both's engine time over elapsed */
	double job_ns[2][MAX_REPEATS];	/* mean engine time per job */
	double jobs_per_s[2][MAX_REPEATS];
};

/*
 * Measure the windows with a loader of short jobs on @fd[0] and one of
 * long jobs on @fd[1], each on a compute context of its own, started here
 * and stopped at the end.
 */
static void share_measure(const int fd[2], struct share_windows *w)
{
	struct busy_mark a[2], b[2];
	struct loader l[2];
	uint64_t ta, tb;
	int i, k;

	for (k = 0; k < 2; k++)
		loader_start(&l[k], fd[k],
			     ctx_create(fd[k], GPUFE_ENGINE_CLASS_COMPUTE),
			     k ? LONG_JOB_US : SHORT_JOB_US);
	sleep_ns(SHARE_WARMUP_NS);
	tb = busy_marks(l, 2, 1, b);
	for (i = 0; i < SHARE_WINDOWS; i++) {
		double d[2], sum;

		ta = tb;
		memcpy(a, b, sizeof(a));
		sleep_ns(SHARE_WINDOW_NS);
		tb = busy_marks(l, 2, 1, b);
		for (k = 0; k < 2; k++) {
			uint64_t jobs = b[k].completed - a[k].completed;

			d[k] = (double)(b[k].busy_ns - a[k].busy_ns);
			w->job_ns[k][i] = jobs ? d[k] / jobs : 0;
			w->jobs_per_s[k][i] = jobs * 1e9 / (double)(tb - ta);
		}
		sum = d[0] + d[1];
		if (sum <= 0)
			fail("share: no engine time accounted in %llu ms (busy_ns does not move)",
			     (unsigned long long)(tb - ta) / NSEC_PER_MSEC);
		w->share[i] = 100 * d[0] / sum;
		w->busy[i] = 100 * sum / (double)(tb - ta);
	}
	for (k = 0; k < 2; k++)
		loader_stop(&l[k]);
}

/*
 * The "#" lines of share windows, then the figure: the median distance
 * of @value (w->share or w->busy) per window to @target.
 */
static void share_report(const char *name, struct share_windows *w,
			 const char *share_what, const double *value,
			 double target)
{
	double err[MAX_REPEATS];
	char what[128];
	int i, k;

	for (i = 0; i < SHARE_WINDOWS; i++)
		err[i] = absd(value[i] - target);

	for (k = 0; k < 2; k++) {
		snprintf(what, sizeof(what), "%s jobs, engine time per job",
			 k ? "10 ms" : "1 ms");
		report_side(name, what, w->job_ns[k], SHARE_WINDOWS);
		snprintf(what, sizeof(what), "%s jobs, jobs per second",
			 k ? "10 ms" : "1 ms");
		report_side_unit(name, what, w->jobs_per_s[k], SHARE_WINDOWS,
				 "");
	}
	report_side_unit(name, "1 ms jobs' share of the pair's engine time, %",
			 w->share, SHARE_WINDOWS, "");
	report_side_unit(name, "the pair's engine time over elapsed time, %",
			 w->busy, SHARE_WINDOWS, "");
	printf("# %s: %s: target %.1f%%\n", name, share_what, target);
	figure(name, err, SHARE_WINDOWS, false, 3);
}

static uint64_t compute0_mask(void)
{
	return 1ull << engine_bit(bench.dev, GPUFE_ENGINE_CLASS_COMPUTE, 0);
}

static void share_equal_figure(void)
{
	static const char name[] = "share_error_equal_pct";
	struct share_windows w;
	int fd[2], i;

	policy_set(bench.dev, "equal-share");
	for (i = 0; i < 2; i++)
		fd[i] = open_client();
	share_measure(fd, &w);
	for (i = 0; i < 2; i++)
		close(fd[i]);
	policy_set(bench.dev, saved_policy[0]);

	share_report(name, &w, "1 ms jobs' share, two clients, equal-share",
		     w.share, 50);
}

static void share_weighted_figure(void)
{
	static const char name[] = "share_error_weighted_pct";
	static const uint32_t weight[2] = { 2, 1 };
	struct share_windows w;
	int fd[2], i;

	policy_set(bench.dev, "fixed-share");
	for (i = 0; i < 2; i++)
		fd[i] = partition_create(compute0_mask(), weight[i]);
	share_measure(fd, &w);
	for (i = 0; i < 2; i++)
		close(fd[i]);
	wait_no_partitions();
	policy_set(bench.dev, saved_policy[0]);

	share_report(name, &w,
		     "1 ms jobs' share, partitions weighing 2 (1 ms jobs) and 1 (10 ms jobs), fixed-share",
		     w.share, 100.0 * weight[0] / (weight[0] + weight[1]));
}

static void fixed_share_cap_figure(void)
{
	static const char name[] = "fixed_share_cap_error_pct";
	static const uint32_t weight[2] = { 1, 3 };	/* [1] stays idle */
	struct share_windows w;
	int part[2], fd[2], i;

	policy_set(bench.dev, "fixed-share");
	for (i = 0; i < 2; i++)
		part[i] = partition_create(compute0_mask(), weight[i]);
	fd[0] = part[0];
	fd[1] = partition_open(part[0]);
	share_measure(fd, &w);
	close(fd[1]);
	for (i = 0; i < 2; i++)
		close(part[i]);
	wait_no_partitions();
	policy_set(bench.dev, saved_policy[0]);

	share_report(name, &w,
		     "the partition's engine time over elapsed time, weights 1 (running) and 3 (idle), fixed-share",
		     w.busy, 100.0 * weight[0] / (weight[0] + weight[1]));
}

/* ------------------------------------------------------------------------
 * high_prio_wait_vs_job: a loader of LOW priority saturates compute
 * engine 0 with LONG_JOB_US DELAY jobs; another client submits, at random
 * moments (PRIO_GAP_MIN_US to PRIO_GAP_MIN_US + PRIO_GAP_SPAN_US apart), a
 * TIMESTAMP job from a context of HIGH priority on that engine. Its wait
 * is from just before its SUBMIT to the engine's time stamp: at most the
 * rest of the low job that runs if the scheduler takes back the low job
 * the back-end holds but has not started. A repetition is PRIO_SAMPLES
 * such jobs; its value is their longest wait over the mean engine time of
 * a low job in the repetition (CTX_STATUS); the figure the median over
 * PRIO_REPEATS repetitions. The clients run on one CPU with the
 * workqueues (see same_cpu_begin()): the engine's worker and the
 * router's work items, woken across vCPUs, would cost milliseconds of the
 * host's scheduling under emulation.
 */

static void high_prio_figure(void)
{
	static const char name[] = "high_prio_wait_vs_job";
	static double waits[PRIO_REPEATS * PRIO_SAMPLES],
		      in_jobs[PRIO_REPEATS * PRIO_SAMPLES];
	double worst[MAX_REPEATS], job[MAX_REPEATS], ratio[MAX_REPEATS];
	static const double edge[] = { 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2 };
	int hist[ARRAY_SIZE(edge) + 1] = { 0 };
	uint64_t taken_back;
	unsigned int seed = 1, k;
	int cpu;
	struct stamp_buf stamp;
	struct loader low;
	uint32_t high_ctx;
	int fd_low, fd_high, r, i, n = 0;

	policy_set(bench.dev, "equal-share");
	cpu = same_cpu_begin();
	fd_low = open_client();
	fd_high = open_client();
	high_ctx = ctx_create_on(fd_high, bench.dev, GPUFE_ENGINE_CLASS_COMPUTE,
				 GPUFE_PRIORITY_HIGH);
	stamp_buf_init(&stamp, fd_high);
	loader_start(&low, fd_low,
		     ctx_create_on(fd_low, bench.dev,
				   GPUFE_ENGINE_CLASS_COMPUTE,
				   GPUFE_PRIORITY_LOW),
		     LONG_JOB_US);
	sleep_ns(SHARE_WARMUP_NS);

	taken_back = sched_count("taken_back");
	for (r = 0; r < PRIO_REPEATS; r++) {
		struct gpufe_ctx_status a = ctx_status(fd_low, low.ctx), b;

		worst[r] = 0;
		for (i = 0; i < PRIO_SAMPLES; i++) {
			uint64_t t0, stamp_ns;
			double wait;

			sleep_ns((PRIO_GAP_MIN_US +
				  rand_r(&seed) % PRIO_GAP_SPAN_US) * 1000ull);
			t0 = now_ns();
			stamp_ns = stamp_job(&stamp, high_ctx, NULL);
			wait = stamp_ns > t0 ? (double)(stamp_ns - t0) : 0;
			waits[n++] = wait;
			if (wait > worst[r])
				worst[r] = wait;
		}
		b = ctx_status(fd_low, low.ctx);
		if (b.completed == a.completed)
			fail("%s: no low-priority job completed in a repetition",
			     name);
		job[r] = (double)(b.busy_ns - a.busy_ns) /
			 (double)(b.completed - a.completed);
		ratio[r] = worst[r] / job[r];
		for (i = n - PRIO_SAMPLES; i < n; i++) {
			in_jobs[i] = waits[i] / job[r];
			for (k = 0; k < ARRAY_SIZE(edge); k++)
				if (in_jobs[i] < edge[k])
					break;
			hist[k]++;
		}
	}
	taken_back = sched_count("taken_back") - taken_back;
	loader_stop(&low);
	stamp_buf_fini(&stamp);
	close(fd_high);
	close(fd_low);
	same_cpu_end();
	policy_set(bench.dev, saved_policy[0]);

	if (cpu >= 0)
		printf("# %s: the clients and the workqueues on CPU %d\n", name,
		       cpu);

	report_side(name, "high-priority job's wait, all", waits, n);
	report_side(name, "longest wait per repetition", worst, PRIO_REPEATS);
	report_side(name, "low-priority job's engine time", job,
		    PRIO_REPEATS);
	report_side_unit(name, "each wait over its repetition's job", in_jobs,
			 n, "");
	printf("# %s: waits in low jobs:", name);
	for (k = 0; k <= ARRAY_SIZE(edge); k++)
		printf(" %s%g: %d", k < ARRAY_SIZE(edge) ? "<" : ">=",
		       edge[k < ARRAY_SIZE(edge) ? k : k - 1], hist[k]);
	printf("; %llu jobs taken back (debugfs sched)\n",
	       (unsigned long long)taken_back);
	figure(name, ratio, PRIO_REPEATS, false, 1.5);
}

/* ------------------------------------------------------------------------
 * throughput_2gpu_vs_1: TPUT_CLIENTS clients, each with a loader of
 * TPUT_JOB_US DELAY jobs on compute engine 0; jobs completed per second
 * over TPUT_WINDOW_NS with the clients spread over the two GPUs (half on
 * each) over the same with all of them on the first GPU. Repetitions
 * alternate (ABBA); the figure is the median of the ratios.
 *
 * Under emulation a DELAY overshoots by a good part of a millisecond,
 * more when both vCPUs are busy: jobs of 10 ms keep that from deciding a
 * figure about the front-end. The engine time per job and the engines'
 * busy time over elapsed time, printed for both cases, tell the two
 * apart: a front-end that serialised the GPUs would leave engines idle.
 */

static struct {
	int fd[TPUT_CLIENTS];
	uint32_t ctx[TPUT_CLIENTS][2];	/* on bench.dev, on bench.dev2 */
} tput;

/* Per phase: engine time per job and per engine over elapsed time. */
struct tput_diag {
	double job_ns[MAX_REPEATS];
	double busy_pct[MAX_REPEATS];
};

static struct tput_diag tput_diag[2];	/* [0] 1 GPU, [1] 2 GPUs */

static double tput_jobs_per_s(int gpus, int rep)
{
	struct loader l[TPUT_CLIENTS];
	struct gpufe_ctx_status st;
	uint64_t t0, t1, c0 = 0, c1 = 0, b0 = 0, b1 = 0;
	int i;

	for (i = 0; i < TPUT_CLIENTS; i++)
		loader_start(&l[i], tput.fd[i],
			     tput.ctx[i][gpus == 2 ? i % 2 : 0], TPUT_JOB_US);
	sleep_ns(TPUT_WARMUP_NS);
	t0 = now_ns();
	for (i = 0; i < TPUT_CLIENTS; i++) {
		st = ctx_status(l[i].fd, l[i].ctx);
		c0 += st.completed;
		b0 += st.busy_ns;
	}
	sleep_ns(TPUT_WINDOW_NS);
	for (i = 0; i < TPUT_CLIENTS; i++) {
		st = ctx_status(l[i].fd, l[i].ctx);
		c1 += st.completed;
		b1 += st.busy_ns;
	}
	t1 = now_ns();
	for (i = 0; i < TPUT_CLIENTS; i++)
		loader_stop(&l[i]);
	tput_diag[gpus - 1].job_ns[rep] = c1 > c0 ?
		(double)(b1 - b0) / (double)(c1 - c0) : 0;
	tput_diag[gpus - 1].busy_pct[rep] = 100.0 * (double)(b1 - b0) /
					    gpus / (double)(t1 - t0);
	return (double)(c1 - c0) * 1e9 / (double)(t1 - t0);
}

static void throughput_figure(void)
{
	static const char name[] = "throughput_2gpu_vs_1";
	double one[MAX_REPEATS], two[MAX_REPEATS], ratio[MAX_REPEATS];
	int i;

	if (!bench.dev2)
		fail("%s: one device only", name);
	for (i = 0; i < TPUT_CLIENTS; i++) {
		tput.fd[i] = open_client();
		tput.ctx[i][0] = ctx_create_on(tput.fd[i], bench.dev,
					       GPUFE_ENGINE_CLASS_COMPUTE,
					       GPUFE_PRIORITY_NORMAL);
		tput.ctx[i][1] = ctx_create_on(tput.fd[i], bench.dev2,
					       GPUFE_ENGINE_CLASS_COMPUTE,
					       GPUFE_PRIORITY_NORMAL);
	}
	for (i = 0; i < TPUT_REPEATS; i++) {
		if (i % 2) {
			two[i] = tput_jobs_per_s(2, i);
			one[i] = tput_jobs_per_s(1, i);
		} else {
			one[i] = tput_jobs_per_s(1, i);
			two[i] = tput_jobs_per_s(2, i);
		}
		ratio[i] = two[i] / one[i];
	}
	for (i = 0; i < TPUT_CLIENTS; i++)
		close(tput.fd[i]);
	report_side_unit(name, "2 GPUs, jobs per second", two, TPUT_REPEATS,
			 "");
	report_side_unit(name, "1 GPU, jobs per second", one, TPUT_REPEATS,
			 "");
	for (i = 0; i < 2; i++) {
		char what[96];

		snprintf(what, sizeof(what), "%d GPU%s, engine time per job",
			 i + 1, i ? "s" : "");
		report_side(name, what, tput_diag[i].job_ns, TPUT_REPEATS);
		snprintf(what, sizeof(what),
			 "%d GPU%s, engine time over elapsed time per engine, %%",
			 i + 1, i ? "s" : "");
		report_side_unit(name, what, tput_diag[i].busy_pct,
				 TPUT_REPEATS, "");
	}
	figure(name, ratio, TPUT_REPEATS, true, 1.8);
}

/*
 * Run a figure, and say how long it took; with GPUFE_BENCH_ONLY set, only
 * the figures whose names contain it.
 */
static void timed(void (*fn)(void), const char *what)
{
	const char *only = getenv("GPUFE_BENCH_ONLY");
	uint64_t t0 = now_ns();

	if (only && !strstr(what, only))
		return;

	fn();
	printf("# %s: took %.1f s\n", what, (double)(now_ns() - t0) / 1e9);
}

int main(void)
{
	struct gpufe_version v;

	setvbuf(stdout, NULL, _IOLBF, 0);
	raise_fd_limit(ROUTE_CLIENTS + WAKE_WAITERS + 256);

	bench.fd = open_client();
	if (ioctl(bench.fd, GPUFE_IOCTL_VERSION, &v))
		die("VERSION");
	if (!(v.features & GPUFE_FEATURE_SCHED))
		fail("the kernel's gpufe %u.%u has no scheduler (GPUFE_FEATURE_SCHED)",
		     v.major, v.minor);
	find_devices(bench.fd, &bench.dev, &bench.dev2);
	bench.copy_ctx = ctx_create(bench.fd, GPUFE_ENGINE_CLASS_COPY);
	bench.compute_ctx = ctx_create(bench.fd, GPUFE_ENGINE_CLASS_COMPUTE);
	bench.video_ctx = ctx_create(bench.fd, GPUFE_ENGINE_CLASS_VIDEO);
	policy_save();

	timed(batched_job_figure, "batched_job_vs_null_ioctl");
	timed(route_cost_figures, "route_cost_4096_vs_1, route_cost_4096_queued_vs_1");
	timed(wake_latency_figure, "wake_latency_64_vs_1");
	timed(noop_roundtrip_figure, "noop_roundtrip_vs_pipe");
	timed(share_equal_figure, "share_error_equal_pct");
	timed(share_weighted_figure, "share_error_weighted_pct");
	timed(fixed_share_cap_figure, "fixed_share_cap_error_pct");
	timed(high_prio_figure, "high_prio_wait_vs_job");
	timed(throughput_figure, "throughput_2gpu_vs_1");

	printf("# %d of %d figures met their goal\n", figures_met,
	       figures_printed);
	close(bench.fd);
	return 0;
}
