// SPDX-License-Identifier: MIT
/*
 * gpufe-bench: figures of merit for gpufe, each a ratio to a floor
 * measured in the same run, so that they mean something under emulation.
 *
 * Every figure is one line, "NAME: RATIO". The lines before it, starting
 * with "# ", give the medians behind the ratio, in ns, and their spread
 * (min..max of a few runs, p10..p90 of many samples), to judge the noise.
 *
 * Every WAIT has a deadline; whatever fails is printed and the program
 * exits with status 1.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

#define NSEC_PER_SEC		1000000000ull
/* The deadline of every WAIT, from its start. */
#define WAIT_TIMEOUT_NS		(60 * NSEC_PER_SEC)
/* How long to wait for the kernel to reach a state we poll for. */
#define POLL_TIMEOUT_NS		(30 * NSEC_PER_SEC)

/* Runs of each measurement, alternated with the runs of its floor. */
#define REPEATS			5
#define MAX_REPEATS		16

/* batched_job_vs_null_ioctl */
#define NULL_IOCTLS		100000
#define BATCH_JOBS		10000

/* route_cost_4096_vs_1 */
#define ROUTE_JOBS		500
#define IDLE_CLIENTS		4096
/*
 * Where the waker and the waiter run, and the host, make whole runs
 * differ far more than the jobs of one run do: many short runs.
 */
#define ROUTE_REPEATS		15

/* wake_latency_64_vs_1 */
#define WAKE_WAITERS		63
#define WAKE_SAMPLES		400
/*
 * Samples per gate: the two cases alternate gate by gate, many short
 * gates rather than a few long ones, so that the load of the machine
 * (the host's too) changes under both alike.
 */
#define WAKE_SEGMENT_SAMPLES	10
#define WAKE_MAX_SEGMENTS	200
/*
 * A gate stays shut this long. Samples are taken from GATE_SETTLE_NS after
 * it shut, in both cases alike (the waiters are asleep by then), until
 * GATE_SAMPLING_NS, well before it opens.
 */
#define GATE_US			300000
#define GATE_SETTLE_NS		(100 * 1000000ull)
#define GATE_SAMPLING_NS	(250 * 1000000ull)

/* noop_roundtrip_vs_pipe */
#define ROUNDTRIPS		5000

#define DEBUGFS_DIR		"/sys/kernel/debug/gpufe/"

_Static_assert(REPEATS <= MAX_REPEATS && ROUTE_REPEATS <= MAX_REPEATS,
	       "alternated_figure() keeps at most MAX_REPEATS runs");

/* The bench's own client: its device and one context per engine class. */
static struct {
	int fd;
	uint32_t dev;
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

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_nsec = ms * 1000000 };

	nanosleep(&ts, NULL);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/*
 * One side of a figure, "# NAME: WHAT: median M ns, SPREAD lo..hi (n N)":
 * min..max of up to 9 values, p10..p90 of more. Returns the median.
 */
static double report_side(const char *name, const char *what, double *v,
			  int n)
{
	double m = median(v, n);
	int tail = n < 10 ? 0 : n / 10;

	printf("# %s: %s: median %.0f ns, %s %.0f..%.0f (n %d)\n", name, what,
	       m, tail ? "p10..p90" : "min..max", v[tail], v[n - 1 - tail], n);
	return m;
}

/* A figure: the median of @v over the median of the floor @floor. */
static void report(const char *name, const char *what, double *v, int n,
		   const char *floor_what, double *floor, int floor_n)
{
	double m = report_side(name, what, v, n);
	double f = report_side(name, floor_what, floor, floor_n);

	printf("%s: %.2f\n", name, m / f);
}

typedef double (*measure_fn)(void);

/*
 * A figure from @runs runs of @fn over @runs runs of its floor @floor_fn:
 * both run once to warm up, then alternately, so that drift of the machine
 * hits both alike.
 */
static void alternated_figure(const char *name, int runs, const char *what,
			      measure_fn fn, const char *floor_what,
			      measure_fn floor_fn)
{
	double v[MAX_REPEATS], floor[MAX_REPEATS];
	int i;

	floor_fn();
	fn();
	for (i = 0; i < runs; i++) {
		floor[i] = floor_fn();
		v[i] = fn();
	}
	report(name, what, v, runs, floor_what, floor, runs);
}

static void raise_fd_limit(rlim_t n)
{
	struct rlimit rl = { .rlim_cur = n, .rlim_max = n };

	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit(RLIMIT_NOFILE)");
}

/* Read a small text file (procfs, debugfs) into @buf, NUL-terminated. */
static void read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len;

	if (fd < 0)
		die(path);
	len = read(fd, buf, size - 1);
	if (len < 0)
		die(path);
	buf[len] = '\0';
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

static uint32_t first_device(int fd)
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
	return res.dev[0].device_id;
}

/* A context on instance 0 of @engine_class of the bench's device. */
static uint32_t ctx_create(int fd, uint16_t engine_class)
{
	struct gpufe_ctx_create cc = {
		.device_id = bench.dev,
		.engine_class = engine_class,
	};

	if (ioctl(fd, GPUFE_IOCTL_CTX_CREATE, &cc))
		die("CTX_CREATE");
	return cc.ctx_id;
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

static uint64_t ctx_completed(int fd, uint32_t ctx)
{
	struct gpufe_ctx_status st = { .ctx_id = ctx };

	if (ioctl(fd, GPUFE_IOCTL_CTX_STATUS, &st))
		die("CTX_STATUS");
	return st.completed;
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

static double batched_job_ns(void)
{
	uint64_t t0 = now_ns(), seqno = 0;
	int i;

	for (i = 0; i < BATCH_JOBS; i++)
		seqno = submit_nop(bench.fd, bench.copy_ctx);
	wait_job(bench.fd, bench.copy_ctx, seqno);
	return per_item_ns(t0, BATCH_JOBS);
}

static void batched_job_figure(void)
{
	alternated_figure("batched_job_vs_null_ioctl", REPEATS,
			  "batched NOP job", batched_job_ns,
			  "null ioctl", null_ioctl_ns);
}

/* ------------------------------------------------------------------------
 * route_cost_4096_vs_1: the router's ns per interrupt spent finding whose
 * slots moved (route_ns and routes of the device in debugfs route; the
 * delivery that follows, the same whoever else is open, is deliver_ns and
 * the subject of wake_latency_64_vs_1) while the bench's client waits ROUTE_JOBS
 * NOPs one by one, each one interrupt, with IDLE_CLIENTS idle clients open
 * (one context each on the same device, nothing submitted) over the same
 * with the bench's client alone.
 */

struct route_stats {
	uint64_t routes;
	uint64_t route_ns;
	uint64_t slots_scanned;
};

static struct route_stats read_route_stats(void)
{
	char text[8192], *line, *save;

	read_text(DEBUGFS_DIR "route", text, sizeof(text));
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strtoul(line, NULL, 10) == bench.dev)
			return (struct route_stats){
				.routes = field(line, "routes"),
				.route_ns = field(line, "route_ns"),
				.slots_scanned = field(line, "slots_scanned"),
			};
	}
	fail(DEBUGFS_DIR "route has no line for device %u", bench.dev);
}

/* What the last run alone and with idle clients saw, for the reader. */
struct route_diag {
	double mean_ns;		/* route_ns / routes over the whole run */
	double routes;		/* router runs per job */
	double scanned;		/* slots scanned per router run */
};

static struct route_diag diag_alone, diag_idle;

/*
 * The median of route_ns over the jobs that made exactly one router run,
 * read before and after each job: a median per interrupt, so that the
 * host preempting the VM during a few router runs does not decide it.
 */
static double route_cost_ns(struct route_diag *diag)
{
	static double cost[ROUTE_JOBS];
	struct route_stats first, a, b;
	uint64_t routes;
	int i, n = 0;

	first = b = read_route_stats();
	for (i = 0; i < ROUTE_JOBS; i++) {
		a = b;
		nop_roundtrip();
		b = read_route_stats();
		if (b.routes - a.routes == 1)
			cost[n++] = (double)(b.route_ns - a.route_ns);
	}
	routes = b.routes - first.routes;
	if (n < ROUTE_JOBS / 2)
		fail("route: %d of %d jobs made exactly one router run (%llu runs in all)",
		     n, ROUTE_JOBS, (unsigned long long)routes);
	diag->mean_ns = (double)(b.route_ns - first.route_ns) / (double)routes;
	diag->routes = (double)routes / ROUTE_JOBS;
	diag->scanned = (double)(b.slots_scanned - first.slots_scanned) /
			(double)routes;
	return median(cost, n);
}

static double route_cost_alone_ns(void)
{
	return route_cost_ns(&diag_alone);
}

static unsigned long gpufe_clients(void)
{
	char text[256];
	unsigned long n;

	read_text(DEBUGFS_DIR "counters", text, sizeof(text));
	if (sscanf(text, "clients %lu", &n) != 1)
		fail(DEBUGFS_DIR "counters does not start with \"clients N\"");
	return n;
}

static double route_cost_idle_ns(void)
{
	static int fds[IDLE_CLIENTS];
	unsigned long before = gpufe_clients();
	uint64_t deadline;
	double ns;
	int i;

	for (i = 0; i < IDLE_CLIENTS; i++) {
		fds[i] = open_client();
		ctx_create(fds[i], GPUFE_ENGINE_CLASS_COPY);
	}
	ns = route_cost_ns(&diag_idle);
	for (i = 0; i < IDLE_CLIENTS; i++)
		close(fds[i]);

	/* Let the clients go before the next run measures without them. */
	deadline = now_ns() + POLL_TIMEOUT_NS;
	while (gpufe_clients() != before) {
		if (now_ns() > deadline)
			fail("%d closed clients still there after 30 s",
			     IDLE_CLIENTS);
		sleep_ms(1);
	}
	return ns;
}

static void route_diag_print(const char *what, const struct route_diag *d)
{
	printf("# route_cost_4096_vs_1: %s, last run: mean %.0f ns per router run, %.2f router runs per job, %.1f slots scanned per router run\n",
	       what, d->mean_ns, d->routes, d->scanned);
}

static void route_cost_figure(void)
{
	alternated_figure("route_cost_4096_vs_1", ROUTE_REPEATS,
			  "4096 idle clients", route_cost_idle_ns,
			  "1 client", route_cost_alone_ns);
	route_diag_print("4096 idle clients", &diag_idle);
	route_diag_print("1 client", &diag_alone);
}

/* ------------------------------------------------------------------------
 * wake_latency_64_vs_1: from the TIMESTAMP that ends a job to the return
 * of the WAIT its client sleeps in, with WAKE_WAITERS other clients asleep
 * in WAIT on jobs of their own, over the same with the client alone.
 *
 * The others' jobs are NOPs on the video engine, queued in the back-end
 * behind a GATE_US DELAY job there (the gate): every interrupt makes the
 * router scan their slots too, and none of them may wake. The measured
 * jobs run on the compute engine, and a sample counts only if the gate was
 * still shut when it ended. Both cases run under a gate, alternately.
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
	uint64_t gate_start;
	uint32_t stamp_bo;
	const uint64_t *stamp;	/* where TIMESTAMP writes, mapped */
	size_t stamp_size;
	uint64_t last_stamp;
} wake;

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	uint64_t seqno = submit_nop(w->fd, w->ctx);

	__atomic_store_n(&w->tid, gettid(), __ATOMIC_RELEASE);
	wait_job(w->fd, w->ctx, seqno);
	return NULL;
}

/* Whether thread @tid of this process sleeps in GPUFE_IOCTL_WAIT. */
static bool sleeps_in_wait(pid_t tid)
{
	char path[64], text[256];
	unsigned long fd, cmd;
	long nr;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	read_text(path, text, sizeof(text));
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
	struct swgpu_cmd_timestamp ts = { .opcode = SWGPU_CMD_TIMESTAMP };
	struct gpufe_submit_bo bo = {
		.handle = wake.stamp_bo,
		.flags = GPUFE_SUBMIT_BO_WRITE,
	};
	uint64_t woke, stamp;

	wait_job(bench.fd, bench.compute_ctx,
		 submit(bench.fd, bench.compute_ctx, &ts, sizeof(ts), &bo));
	woke = now_ns();
	stamp = __atomic_load_n(wake.stamp, __ATOMIC_ACQUIRE);
	if (stamp <= wake.last_stamp || stamp > woke)
		fail("TIMESTAMP wrote %llu (before: %llu, woke at %llu)",
		     (unsigned long long)stamp,
		     (unsigned long long)wake.last_stamp,
		     (unsigned long long)woke);
	wake.last_stamp = stamp;
	return (double)(woke - stamp);
}

/*
 * Shut a gate, put @nwaiters clients to sleep behind it, take up to @want
 * samples while it stays shut, then open it and let everything finish.
 * Returns the number of samples taken.
 */
static int wake_segment(int nwaiters, double *samples, int want)
{
	struct swgpu_cmd_delay_us delay = {
		.opcode = SWGPU_CMD_DELAY_US,
		.usecs = GATE_US,
	};
	int i, n = 0;

	if (!want)
		return 0;
	wake.gate_start = now_ns();
	wake.gate_seqno = submit(bench.fd, bench.video_ctx, &delay,
				 sizeof(delay), NULL);
	for (i = 0; i < nwaiters; i++) {
		wake.waiters[i].tid = 0;
		check_errno(pthread_create(&wake.waiters[i].thread, NULL,
					   waiter_main, &wake.waiters[i]),
			    "pthread_create");
	}
	if (waiters_asleep(nwaiters)) {
		while (now_ns() - wake.gate_start < GATE_SETTLE_NS)
			sleep_ms(1);
		while (n < want &&
		       now_ns() - wake.gate_start < GATE_SAMPLING_NS) {
			double s = wake_sample();

			if (!gate_shut())
				break;
			samples[n++] = s;
		}
	}
	wait_job(bench.fd, bench.video_ctx, wake.gate_seqno);
	if (now_ns() - wake.gate_start < GATE_US * 1000ull)
		fail("the gate's %u us DELAY job ended after %llu us", GATE_US,
		     (unsigned long long)(now_ns() - wake.gate_start) / 1000);
	for (i = 0; i < nwaiters; i++)
		check_errno(pthread_join(wake.waiters[i].thread, NULL),
			    "pthread_join");
	return n;
}

/* The timestamp buffer and the waiters' clients, for all the gates. */
static void wake_setup(void)
{
	struct gpufe_bo_create bc = { .size = sizeof(uint64_t) };
	void *map;
	int i;

	if (ioctl(bench.fd, GPUFE_IOCTL_BO_CREATE, &bc))
		die("BO_CREATE");
	map = mmap(NULL, bc.size, PROT_READ, MAP_SHARED, bench.fd,
		   bc.mmap_offset);
	if (map == MAP_FAILED)
		die("mmap of the timestamp buffer");
	wake.stamp_bo = bc.handle;
	wake.stamp = map;
	wake.stamp_size = bc.size;
	for (i = 0; i < WAKE_WAITERS; i++) {
		wake.waiters[i].fd = open_client();
		wake.waiters[i].ctx = ctx_create(wake.waiters[i].fd,
						 GPUFE_ENGINE_CLASS_VIDEO);
	}
}

static void wake_teardown(void)
{
	struct gpufe_bo_destroy bd = { .handle = wake.stamp_bo };
	int i;

	for (i = 0; i < WAKE_WAITERS; i++)
		close(wake.waiters[i].fd);
	munmap((void *)wake.stamp, wake.stamp_size);
	if (ioctl(bench.fd, GPUFE_IOCTL_BO_DESTROY, &bd))
		die("BO_DESTROY");
}

static void wake_latency_figure(void)
{
	/* [0]: the measured client alone, [1]: with WAKE_WAITERS others */
	double v[2][WAKE_SAMPLES];
	int n[2] = { 0, 0 }, seg;

	wake_setup();
	wake_sample();	/* warm up */
	for (seg = 0; n[0] < WAKE_SAMPLES || n[1] < WAKE_SAMPLES; seg++) {
		int crowd = seg % 2, want = WAKE_SAMPLES - n[crowd];

		if (seg == WAKE_MAX_SEGMENTS)
			fail("wake latency: %d and %d of %d samples after %d gates",
			     n[0], n[1], WAKE_SAMPLES, seg);
		if (want > WAKE_SEGMENT_SAMPLES)
			want = WAKE_SEGMENT_SAMPLES;
		n[crowd] += wake_segment(crowd ? WAKE_WAITERS : 0,
					 v[crowd] + n[crowd], want);
	}
	wake_teardown();
	report("wake_latency_64_vs_1", "64 waiting", v[1], WAKE_SAMPLES,
	       "1 waiting", v[0], WAKE_SAMPLES);
}

/* ------------------------------------------------------------------------
 * noop_roundtrip_vs_pipe: submitting one NOP and sleeping in WAIT until it
 * is done, over a two-thread pipe ping-pong round trip. A run is
 * ROUNDTRIPS round trips in a row, each timed, and gives their median; the
 * figure takes the median of REPEATS runs of each.
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
	alternated_figure("noop_roundtrip_vs_pipe", REPEATS,
			  "NOP submit+WAIT", noop_roundtrip_ns,
			  "pipe ping-pong", pipe_roundtrip_ns);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	raise_fd_limit(IDLE_CLIENTS + WAKE_WAITERS + 256);

	bench.fd = open_client();
	bench.dev = first_device(bench.fd);
	bench.copy_ctx = ctx_create(bench.fd, GPUFE_ENGINE_CLASS_COPY);
	bench.compute_ctx = ctx_create(bench.fd, GPUFE_ENGINE_CLASS_COMPUTE);
	bench.video_ctx = ctx_create(bench.fd, GPUFE_ENGINE_CLASS_VIDEO);

	batched_job_figure();
	route_cost_figure();
	wake_latency_figure();
	noop_roundtrip_figure();

	close(bench.fd);
	return 0;
}
