// SPDX-License-Identifier: GPL-2.0
/*
 * gpufe_fuzz: a structure-aware fuzzer of the whole gpufe uAPI, run by
 * several threads and processes at once; afterwards the device must still
 * work and every object the fuzzing made must be gone.
 *
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: gpufe_fuzz design
 *
 * Workers. A subtest forks worker processes (one for ``basic-single``,
 * several for ``processes``), each running one or more worker threads.
 * Before forking, the subtest opens two clients, with a context, a buffer,
 * a mapping, a job and a dma-buf each, that every worker process inherits:
 * processes share those files, and open their own besides. The workers of
 * all processes also pass descriptors to each other over one datagram
 * socket (SCM_RIGHTS; not on a kernel without AF_UNIX), and fork
 * short-lived children that go on using what they inherited and exit,
 * with or without closing it.
 *
 * The pool. The threads of a process share a pool of what they hold, under
 * one rwlock: descriptors (gpufe clients, with the buffer and context
 * handles made on them, sizes, engines, slot offsets and last sequence
 * numbers; dma-bufs; sync_files; an eventfd, /dev/null, a pipe, an epoll),
 * the mappings, and recently destroyed handles. A thread picks from the
 * pool under the read lock and calls the kernel without it, so another
 * thread may close, dup2() over or munmap what it uses at any moment: that
 * is the point. Closes, munmap() and mremap() take the write lock, and the
 * fuzzer touches a mapping, or hands one to the kernel as a buffer, only
 * under the read lock, so that it never scribbles over memory that was
 * unmapped and reused by the process itself. A descriptor is sent to
 * another process, and a forked child's copy of the pool taken, under the
 * read lock too, so that what the pool says of a descriptor is true of
 * the file under its number; and a result checked against what the pool
 * says (read() of events) counts only if no descriptor of the pool was
 * closed meanwhile.
 *
 * Arguments. Each op builds its argument field by field, most fields
 * valid (live handles, real sizes, the engines QUERY reported, swgpu
 * command streams whose commands fit their engine class and stay within
 * the job's buffers and their flags, in-fences that are gpufe's own
 * sync_files), with one or two fields made bad: stale, foreign or made-up
 * handles, reserved flag and pad bits, zero and huge sizes, unaligned
 * offsets, truncated or unknown commands, bad descriptors, and bad
 * pointers (NULL, unmapped, straddling a guard page, read-only so that the
 * write-back fails after the work was done, kernel and non-canonical
 * addresses, and the process's own gpufe mappings, so that the kernel
 * faults on gpufe memory while it handles a gpufe call). Raw ioctls vary
 * the number, type, direction and size bits with a plausible argument
 * behind them. Besides the ioctls: mmap() of buffers, dma-bufs, the
 * completion page and the register page with every protection and bad
 * offsets and lengths, munmap() of whole and partial mappings, mremap(),
 * mprotect(), madvise(), msync(), loads and stores through the mappings,
 * reads of completion slots, read() and poll() of events, epoll, dma-buf
 * and sync_file ioctls, open(), close(), dup(), dup2() over a live
 * descriptor, fcntl(), fork(), descriptor exhaustion, fdinfo,
 * /proc/self/mem and the gpufe debugfs files (read only).
 *
 * Partitions. The fuzzer runs as root, so it makes partitions too:
 * PARTITION_CREATE of subsets of the engines the subtest found, with
 * weights, small quotas, client limits and persistent nodes (now and then
 * with one field bad), PARTITION_OPEN and PARTITION_REVOKE of partitions
 * alive, ended and made up, open() of persistent partitions' nodes, the
 * configuration register (QUERY_CONFIG_REG, QUERY_PARTITIONS and its
 * page's mmap()). The descriptors these give are clients like the others:
 * every op uses them, picking engines in the partition's dense numbering,
 * and goes on using them once their partition is revoked (each ioctl then
 * fails with ENODEV). Partitions the fuzzing made are listed in the
 * shared state, so that any process can open or revoke them; the
 * partitions that existed before a subtest are left alone, and at its end
 * every partition alive that it made (the persistent ones outlive their
 * descriptors) is revoked.
 *
 * Bounds. Every call is bounded: each thread has a timer that sends it a
 * signal (caught, without SA_RESTART) every 20 to 100 ms, so a blocking
 * read(), an epoll or a WAIT with an endless deadline returns EINTR;
 * WAIT deadlines are short anyway, poll() timeouts a few milliseconds,
 * jobs small (buffers of at most 1 MiB, a few commands, DELAY_US of at
 * most a few hundred microseconds: a check of the final stream makes any
 * job that would stay longer invalid), and in-fences only gpufe's own. A
 * subtest stops after a number of calls, shared by all workers, or a wall
 * clock deadline, whichever comes first; GPUFE_FUZZ_CALLS and
 * GPUFE_FUZZ_SECONDS override both for every subtest. Workers that do not
 * exit in time are killed and fail the subtest.
 *
 * Faults. A load or store through a mapping the fuzzer made with odd
 * protections or lengths, or that races an munmap() of a shared page, may
 * fault: those accesses run under sigsetjmp() with SIGSEGV and SIGBUS
 * handlers that siglongjmp() back. A fault anywhere else kills the worker,
 * after it printed the op it was in, and fails the subtest.
 *
 * Oracles. The kernel log (the VM runner fails a run on any WARNING, BUG,
 * lockdep, KASAN or hung-task report); no worker or child crashing or
 * hanging; no ioctl returning a positive value or an errno outside those
 * the uAPI documents (a kernel-internal one such as ERESTARTSYS
 * especially); outputs of successful calls that keep the uAPI's promises
 * (non-zero handles, page-multiple sizes, buffer offsets above 4 GiB, slot
 * offsets within the page, events of whole, well-formed records, an
 * ioctl that writes its argument back failing when it cannot); partition
 * clients that are close-on-exec and read-write, see one device with the
 * engines of their mask and a dense register (asked under the pool's read
 * lock, so that the descriptor stays the one asked about), a register page
 * that cannot be mapped or made writable, PARTITION_CREATE failing for a
 * field that is certainly bad, and ENODEV from a client of a partition
 * just revoked; and at the end, with every process reaped and the
 * partitions revoked, a fresh client that fills a buffer on every compute
 * and copy engine and reads the data back, and the debugfs object
 * counters back to where they were.
 *
 * Replay. The seed is printed; GPUFE_FUZZ_SEED=<seed> replays the same
 * choices (each subtest, process and thread derive their own from it).
 * With one thread the run repeats as far as the kernel's timing allows;
 * GPUFE_FUZZ_TRACE=1 logs every op, e.g. with
 * ``GPUFE_FUZZ_SEED=0x1234 GPUFE_FUZZ_TRACE=1 gpufe_fuzz -t basic-single``;
 * GPUFE_FUZZ_STATS=1 prints, per op, how many calls succeeded and how
 * many failed with each errno, to see which paths a run reached.
 */

#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <linux/dma-buf.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gpufe_test.h"

#ifndef DMA_BUF_IOCTL_EXPORT_SYNC_FILE
struct dma_buf_export_sync_file {
	__u32 flags;
	__s32 fd;
};

struct dma_buf_import_sync_file {
	__u32 flags;
	__s32 fd;
};

#define DMA_BUF_IOCTL_EXPORT_SYNC_FILE	_IOWR(DMA_BUF_BASE, 2, struct dma_buf_export_sync_file)
#define DMA_BUF_IOCTL_IMPORT_SYNC_FILE	_IOW(DMA_BUF_BASE, 3, struct dma_buf_import_sync_file)
#endif

/* SYNC_IOC_SET_DEADLINE (Linux 6.5), absent from older headers. */
struct fuzz_sync_set_deadline {
	__u64 deadline_ns;
	__u64 pad;
};

#define FUZZ_SYNC_IOC_SET_DEADLINE	_IOW(SYNC_IOC_MAGIC, 5, struct fuzz_sync_set_deadline)

#define MAX_DEVS	8
#define MAX_ENGINES	32
#define MAX_PROCS	8
#define MAX_THREADS	8
#define MAX_FDS		48	/* descriptors a process's pool holds */
#define MAX_CLIENTS	12	/* distinct gpufe clients among them */
#define MAX_BOS		16	/* tracked buffer handles per client */
#define MAX_CTXS	8	/* tracked contexts per client */
#define MAX_MAPS	32
#define MAX_KIDS	4	/* forked children alive per process */
#define NDEAD		8	/* destroyed handles remembered */
#define NLOG		16	/* kinds of anomaly kept for the report */
#define LOG_LEN		256
#define NERRNO		136	/* errnos counted one by one; the rest at 0 */
#define NPARTS		32	/* partitions made, remembered for all processes */
#define PART_WORDS	(GPUFE_PARTITION_MAX / 32)
/* Persistent partitions a subtest makes at most: they hold ids until revoked. */
#define MAX_PERSISTENT	40

/* Bytes of buffers a process's pool may have created and not destroyed. */
#define BO_BUDGET	(24ULL << 20)
/* The most DELAY_US and buffer bytes a job the fuzzer lets through has. */
#define JOB_MAX_DELAY_US	20000
#define JOB_MAX_BYTES		(8ULL << 20)

#define SIGKICK		SIGUSR2
#define PAGE		4096UL

/*
 * A worker's arena: argument structures, a job's buffer list and
 * commands, read() and QUERY results, and at its end room to place an
 * object so that it runs into the PROT_NONE page that follows.
 */
#define ARG_OFF		0
#define ARG_MAX		16384		/* the largest _IOC_SIZE, and some */
#define BOS_OFF		16384
#define BUF_OFF		20480
#define BUF_MAX		8192
#define CMDS_OFF	28672
#define CMDS_MAX	(GPUFE_SUBMIT_MAX_CMDS_SIZE + 64)
#define TAIL_SIZE	16384
#define ARENA_SIZE	(((CMDS_OFF + CMDS_MAX + TAIL_SIZE) + PAGE - 1) & ~(PAGE - 1))

/* --- configuration and shared state --------------------------------------- */

struct fuzz_cfg {
	const char *name;
	int procs;
	int threads;
	long calls;
	int seconds;
	bool churn;	/* weights favour open, close, dup and fork */
	bool forks;	/* fork() children */
};

#define FUZZ_OPS(X)					\
	X(version,	2,	1)			\
	X(query,	4,	2)			\
	X(bo_create,	8,	4)			\
	X(bo_destroy,	4,	2)			\
	X(bo_export,	4,	4)			\
	X(bo_import,	4,	3)			\
	X(ctx_create,	5,	3)			\
	X(ctx_destroy,	3,	2)			\
	X(ctx_status,	3,	1)			\
	X(submit,	18,	8)			\
	X(wait,		6,	3)			\
	X(raw_ioctl,	6,	2)			\
	X(mmap,		6,	4)			\
	X(munmap,	3,	2)			\
	X(vma,		2,	1)			\
	X(touch,	5,	2)			\
	X(slot,		3,	1)			\
	X(read,		4,	2)			\
	X(poll,		3,	2)			\
	X(epoll,	1,	2)			\
	X(open,		2,	10)			\
	X(close,	2,	10)			\
	X(dup,		2,	8)			\
	X(fcntl,	1,	2)			\
	X(fork,		1,	4)			\
	X(send_fd,	1,	3)			\
	X(recv_fd,	1,	3)			\
	X(sync_file,	3,	2)			\
	X(dmabuf,	3,	2)			\
	X(introspect,	1,	1)			\
	X(emfile,	1,	1)			\
	X(part_create,	1,	1)			\
	X(part_open,	1,	2)			\
	X(part_revoke,	1,	1)

enum {
#define X(name, w, wc) OP_##name,
	FUZZ_OPS(X)
#undef X
	NUM_OPS
};

/* What all processes of a subtest share, in a MAP_SHARED mapping. */
struct shared {
	long calls_left;
	__s64 deadline_ns;
	int stop;
	unsigned int anomalies;
	/* The first report of each kind (its format), and how many there were. */
	struct {
		const char *fmt;
		unsigned int count;
		char msg[LOG_LEN];
	} log[NLOG];
	unsigned long op_calls[NUM_OPS];
	unsigned long op_ok[NUM_OPS];
	unsigned long op_errno[NUM_OPS][NERRNO];	/* for GPUFE_FUZZ_STATS */
	unsigned long faults;		/* probed accesses that faulted */
	unsigned long kids;		/* fork()ed children */
	unsigned long fds_passed;	/* descriptors received over the socket */
	/*
	 * Partitions the subtest made, the last NPARTS of them (alive or
	 * ended: hints, which another process may be overwriting), and the
	 * ids of all it made, to revoke those still alive at its end.
	 */
	struct spart {
		__u32 id;
		__u32 dev;
		__u64 mask;		/* in the device's numbering */
		__u32 persistent;
		__u32 pad;
	} parts[NPARTS];
	unsigned int parts_i;
	unsigned int persistent_made;
	__u32 made[PART_WORDS];
};

/* The devices and engines, as the subtest found them. */
static struct topo {
	int ndevs;
	__u32 devs[MAX_DEVS];
	int neng[MAX_DEVS];
	struct gpufe_engine_info eng[MAX_DEVS][MAX_ENGINES];
} topo;

/* The partitions alive before the subtest: the fuzzing leaves them alone. */
static __u32 parts_before[PART_WORDS];

static __u64 base_seed;
static bool trace;
static bool stats;
static long env_calls = -1;
static int env_seconds = -1;

/* --- the pool -------------------------------------------------------------- */

enum fkind { FK_GPUFE = 1, FK_DMABUF, FK_SYNC, FK_EPOLL, FK_OTHER };

struct fent {
	int kind;
	int fd;
	int client;		/* FK_GPUFE: index into pool.clients */
	bool rw;		/* FK_DMABUF: opened read-write */
	__u64 size;		/* FK_DMABUF: bytes */
};

struct fbo {
	__u32 handle;
	__u32 ro;		/* imported from a read-only dma-buf */
	__u64 size;
	__u64 offset;		/* mmap offset */
};

struct fctx {
	__u32 id;
	__u32 dev;
	__u16 cls;
	__u16 inst;
	__u32 pad;
	__u64 slot;		/* slot offset on the completion page */
	__u64 submitted;	/* the last seqno this process saw it take */
};

struct client {
	int refs;		/* pool descriptors of it; 0: slot free */
	unsigned int gen;	/* changes whenever the slot is reused */
	/*
	 * A client of a partition, as far as the pool knows (a hint: the
	 * kernel is asked where it matters): its id, device and engines in
	 * the device's numbering (0: not known). 0: no partition.
	 */
	__u32 part;
	__u32 part_dev;
	__u64 part_mask;
	int nbos;
	int nctxs;
	struct fbo bos[MAX_BOS];
	struct fctx ctxs[MAX_CTXS];
};

enum mkind { MK_BO = 1, MK_CPAGE, MK_DMABUF, MK_REG, MK_OTHER };

struct ment {
	void *addr;
	size_t len;
	int prot;
	int kind;
	int client;		/* MK_CPAGE, MK_BO: index into pool.clients */
	unsigned int cgen;
};

struct pool {
	pthread_rwlock_t lock;
	unsigned int gen;
	unsigned int closes;	/* descriptors of the pool closed so far */
	int nfds;
	struct fent fds[MAX_FDS];
	struct client clients[MAX_CLIENTS];
	int nmaps;
	struct ment maps[MAX_MAPS];
	__u32 dead_bos[NDEAD];
	__u32 dead_ctxs[NDEAD];
	unsigned int dead_bo_i;
	unsigned int dead_ctx_i;
	int nkids;
	pid_t kids[MAX_KIDS];
	__u64 bo_bytes;
};

/* A gpufe descriptor picked from the pool, with a copy of its client. */
struct gpick {
	int fd;
	int ci;			/* client index, -1 if fd is not a known client */
	unsigned int cgen;
	unsigned int closes;	/* pool.closes when it was picked */
	struct client cl;
};

/* What one call chose, for the code that looks at its result. */
struct call {
	struct gpick g;
	int bi;			/* index into g.cl.bos of the buffer used, or -1 */
	int xi;			/* index into g.cl.ctxs of the context used, or -1 */
	__u32 handle;
	__u32 ctx;
	__u32 flags;
	__u64 size;
	bool rw;
	bool faithful;		/* the kernel read the argument as built */
	bool bad;		/* a field the kernel must refuse was made bad */
	__u32 part;		/* PARTITION_OPEN, _REVOKE: the id asked for */
	unsigned int gen;	/* PARTITION_REVOKE: pool.gen before the call */
};

struct rng {
	__u64 s[4];
};

struct worker {
	struct shared *sh;
	struct pool *p;
	const struct fuzz_cfg *cfg;
	struct rng r;
	int proc;
	int thread;
	bool is_kid;
	int sock[2];
	unsigned long calls;
	const char *op;		/* the op under way, for a crash report */
	__u8 *arena;		/* ARENA_SIZE bytes, then a PROT_NONE page */
	__u8 *ro_rw;		/* one page, writable ... */
	__u8 *ro;		/* ... and the same page read-only */
	bool maplocked;		/* a pointer into a pool mapping is in use */
	timer_t timer;
	bool has_timer;
	struct call c;
};

static __thread struct worker *tls_w;
static __thread sigjmp_buf probe_env;
static __thread volatile sig_atomic_t probe_armed;

/* --- random numbers -------------------------------------------------------- */

static __u64 splitmix64(__u64 *x)
{
	__u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, __u64 seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline __u64 rotl64(__u64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static __u64 rnd64(struct worker *w)
{
	__u64 *s = w->r.s;
	__u64 res = rotl64(s[1] * 5, 7) * 9;
	__u64 t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return res;
}

/* Uniform in [0, n); 0 for n == 0. */
static __u32 rnd(struct worker *w, __u32 n)
{
	return (__u32)(((rnd64(w) >> 32) * (__u64)n) >> 32);
}

static bool pct(struct worker *w, unsigned int percent)
{
	return rnd(w, 100) < percent;
}

static const __u64 interesting[] = {
	0, 1, 2, 3, 4, 7, 8, 15, 16, 23, 24, 31, 32, 48, 63, 64, 0xff, 0x100,
	0xfff, 0x1000, 0x1001, 0x1ffc, 0xffff, 0x10000, 0x10004, 0x7fffffff,
	0x80000000, 0xfffffffc, 0xffffffff, 0x100000000ULL, 0x100001000ULL,
	0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xfffffffffffff000ULL,
	0xfffffffffffffffcULL, 0xffffffffffffffffULL,
};

static __u64 any64(struct worker *w)
{
	switch (rnd(w, 4)) {
	case 0:
	case 1:
		return interesting[rnd(w, ARRAY_SIZE(interesting))];
	case 2:
		return rnd(w, 256);
	default:
		return rnd64(w);
	}
}

static __u32 any32(struct worker *w)
{
	return (__u32)any64(w);
}

/* One random bit of a 32-bit word, above the first @valid bits. */
static __u32 bad_bit(struct worker *w, unsigned int valid)
{
	return 1u << (valid + rnd(w, 32 - valid));
}

static void fill_random(struct worker *w, void *buf, size_t n)
{
	__u8 *b = buf;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (__u8)rnd64(w);
}

/* --- reporting -------------------------------------------------------------- */

static void say(const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t r = write(STDERR_FILENO, s, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		s += r;
		n -= r;
	}
}

/*
 * Something the kernel did that the uAPI rules out: fails the subtest.
 * Reports of one kind (one format string: the same in every process of
 * the subtest, all forked from it) are counted, the first one kept.
 */
static void __attribute__((format(printf, 2, 3)))
anomaly(struct worker *w, const char *fmt, ...)
{
	struct shared *sh = w->sh;
	const char *none = NULL;
	va_list ap;
	int i, n;

	__atomic_add_fetch(&sh->anomalies, 1, __ATOMIC_RELAXED);
	for (i = 0; i < NLOG; i++) {
		if (__atomic_load_n(&sh->log[i].fmt, __ATOMIC_ACQUIRE) == fmt)
			break;
		if (__atomic_compare_exchange_n(&sh->log[i].fmt, &none, fmt,
						false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			char *msg = sh->log[i].msg;

			n = snprintf(msg, LOG_LEN, "p%d.t%d%s call %lu %s: ",
				     w->proc, w->thread,
				     w->is_kid ? " (child)" : "", w->calls,
				     w->op ? w->op : "setup");
			va_start(ap, fmt);
			vsnprintf(msg + n, LOG_LEN - n, fmt, ap);
			va_end(ap);
			break;
		}
		none = NULL;
	}
	if (i < NLOG)
		__atomic_add_fetch(&sh->log[i].count, 1, __ATOMIC_RELAXED);
}

/* SIGSEGV and SIGBUS: back to the probe that expected them, or die loudly. */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	struct worker *w = tls_w;
	char msg[256];

	if (probe_armed) {
		probe_armed = 0;
		siglongjmp(probe_env, 1);
	}
	snprintf(msg, sizeof(msg),
		 "# gpufe_fuzz: p%d.t%d%s died of signal %d at %p in op %s, call %lu\n",
		 w ? w->proc : -1, w ? w->thread : -1,
		 w && w->is_kid ? " (child)" : "", sig, si->si_addr,
		 w && w->op ? w->op : "?", w ? w->calls : 0);
	say(msg);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_kick(int sig)
{
}

static void install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	/* No SA_RESTART: the kick makes blocking calls return EINTR. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGKICK, &sa, NULL);

	signal(SIGPIPE, SIG_IGN);
}

/* A timer that signals this thread every 20 to 100 ms. */
static void kick_start(struct worker *w)
{
	struct itimerspec its;
	struct sigevent sev;
	long ns = (20 + rnd(w, 81)) * 1000000L;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGKICK;
	sev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &w->timer))
		return;
	its.it_interval.tv_sec = 0;
	its.it_interval.tv_nsec = ns;
	its.it_value = its.it_interval;
	w->has_timer = !timer_settime(w->timer, 0, &its, NULL);
	if (!w->has_timer)
		timer_delete(w->timer);
}

static void kick_stop(struct worker *w)
{
	if (w->has_timer)
		timer_delete(w->timer);
	w->has_timer = false;
}

/* --- probes: accesses that may fault ----------------------------------------- */

struct access {
	volatile __u8 *p;
	size_t n;
	int how;		/* 0 read, 1 write, 2 both */
	__u8 val;
	__u64 sum;
};

static void __attribute__((noinline)) do_access(struct access *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		if (a->how != 1)
			a->sum += a->p[i];
		if (a->how != 0)
			a->p[i] = a->val;
	}
}

/* Run an access with SIGSEGV and SIGBUS caught: false if it faulted. */
static bool probed(struct worker *w, struct access *a)
{
	if (sigsetjmp(probe_env, 1)) {
		__atomic_add_fetch(&w->sh->faults, 1, __ATOMIC_RELAXED);
		return false;
	}
	probe_armed = 1;
	do_access(a);
	probe_armed = 0;
	return true;
}

struct slot_read {
	const struct gpufe_completion_slot *s;
	__u64 seqno;
	__s32 error;
};

static void __attribute__((noinline)) do_slot_read(struct slot_read *r)
{
	r->seqno = gpufe_slot_seqno(r->s);
	r->error = gpufe_slot_error(r->s);
}

static bool probed_slot(struct worker *w, struct slot_read *r)
{
	if (sigsetjmp(probe_env, 1)) {
		__atomic_add_fetch(&w->sh->faults, 1, __ATOMIC_RELAXED);
		return false;
	}
	probe_armed = 1;
	do_slot_read(r);
	probe_armed = 0;
	return true;
}

struct copy_probe {
	const volatile __u8 *src;
	__u8 *dst;
	size_t n;
};

static void __attribute__((noinline)) do_copy(struct copy_probe *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		c->dst[i] = c->src[i];
}

/* Copy from a mapping that may fault: false if it did. */
static bool probed_copy(struct worker *w, void *dst, const void *src, size_t n)
{
	struct copy_probe c = { .src = src, .dst = dst, .n = n };

	if (sigsetjmp(probe_env, 1)) {
		__atomic_add_fetch(&w->sh->faults, 1, __ATOMIC_RELAXED);
		return false;
	}
	probe_armed = 1;
	do_copy(&c);
	probe_armed = 0;
	return true;
}

/* --- pool bookkeeping -------------------------------------------------------- */

static void rdlock(struct worker *w)
{
	pthread_rwlock_rdlock(&w->p->lock);
}

static void wrlock(struct worker *w)
{
	pthread_rwlock_wrlock(&w->p->lock);
}

static void unlock(struct worker *w)
{
	pthread_rwlock_unlock(&w->p->lock);
}

/* A free client slot, or -1. Under the write lock. */
static int client_new(struct pool *p)
{
	int i;

	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &p->clients[i];

		if (c->refs)
			continue;
		memset(c, 0, sizeof(*c));
		c->gen = ++p->gen;
		return i;
	}
	return -1;
}

/* The client a pick named, if it is still the same; under a lock. */
static struct client *client_of(struct pool *p, int ci, unsigned int cgen)
{
	struct client *c;

	if (ci < 0 || ci >= MAX_CLIENTS)
		return NULL;
	c = &p->clients[ci];
	return c->refs && c->gen == cgen ? c : NULL;
}

/* Close and forget descriptor i. Under the write lock. */
static void fd_del(struct pool *p, int i)
{
	struct fent *f = &p->fds[i];

	close(f->fd);
	p->closes++;
	if (f->kind == FK_GPUFE && --p->clients[f->client].refs == 0)
		p->clients[f->client].gen = ++p->gen;
	*f = p->fds[--p->nfds];
}

/*
 * Record a descriptor: a new client for FK_GPUFE with client < 0. When the
 * pool is full, a random older one is closed first. Under the write lock.
 * The index of the client, or -1 (and fd closed) when none was free.
 */
static int fd_add(struct worker *w, int kind, int fd, int client, __u64 size,
		  bool rw)
{
	struct pool *p = w->p;
	struct fent *f;

	if (fd < 0)
		return -1;
	if (p->nfds == MAX_FDS)
		fd_del(p, rnd(w, p->nfds));
	if (kind == FK_GPUFE && client < 0) {
		client = client_new(p);
		if (client < 0) {
			close(fd);
			return -1;
		}
	}
	if (kind == FK_GPUFE)
		p->clients[client].refs++;
	f = &p->fds[p->nfds++];
	f->kind = kind;
	f->fd = fd;
	f->client = kind == FK_GPUFE ? client : -1;
	f->rw = rw;
	f->size = size;
	return client;
}

static void fd_add_locked(struct worker *w, int kind, int fd, __u64 size,
			  bool rw)
{
	wrlock(w);
	fd_add(w, kind, fd, -1, size, rw);
	unlock(w);
}

static void map_del(struct pool *p, int i)
{
	munmap(p->maps[i].addr, p->maps[i].len);
	p->maps[i] = p->maps[--p->nmaps];
}

static void map_add(struct worker *w, void *addr, size_t len, int prot,
		    int kind, int client, unsigned int cgen)
{
	struct pool *p = w->p;
	struct ment *m;

	wrlock(w);
	if (p->nmaps == MAX_MAPS)
		map_del(p, rnd(w, p->nmaps));
	m = &p->maps[p->nmaps++];
	m->addr = addr;
	m->len = len;
	m->prot = prot;
	m->kind = kind;
	m->client = client;
	m->cgen = cgen;
	unlock(w);
}

static void dead_bo_push(struct pool *p, __u32 handle)
{
	p->dead_bos[p->dead_bo_i++ % NDEAD] = handle;
}

static void dead_ctx_push(struct pool *p, __u32 id)
{
	p->dead_ctxs[p->dead_ctx_i++ % NDEAD] = id;
}

/* Forget a buffer handle of a client (destroyed, or found gone). */
static void bo_forget(struct worker *w, int ci, unsigned int cgen, __u32 handle)
{
	struct client *c;
	int i;

	wrlock(w);
	c = client_of(w->p, ci, cgen);
	for (i = 0; c && i < c->nbos; i++) {
		if (c->bos[i].handle != handle)
			continue;
		if (w->p->bo_bytes >= c->bos[i].size)
			w->p->bo_bytes -= c->bos[i].size;
		c->bos[i] = c->bos[--c->nbos];
		dead_bo_push(w->p, handle);
		break;
	}
	unlock(w);
}

static void ctx_forget(struct worker *w, int ci, unsigned int cgen, __u32 id)
{
	struct client *c;
	int i;

	wrlock(w);
	c = client_of(w->p, ci, cgen);
	for (i = 0; c && i < c->nctxs; i++) {
		if (c->ctxs[i].id != id)
			continue;
		c->ctxs[i] = c->ctxs[--c->nctxs];
		dead_ctx_push(w->p, id);
		break;
	}
	unlock(w);
}

/* A bad descriptor: a pool one of another kind, or one that is not open. */
static int bad_fd(struct worker *w)
{
	static const int nums[] = { -1, -2, INT_MIN, INT_MAX, 1 << 20, 1023 };
	struct pool *p = w->p;
	int fd;

	if (pct(w, 60)) {
		rdlock(w);
		fd = p->nfds ? p->fds[rnd(w, p->nfds)].fd : -1;
		unlock(w);
		return fd;
	}
	return nums[rnd(w, ARRAY_SIZE(nums))];
}

static int open_gpufe(struct worker *w, int extra)
{
	int fd = open(GPUFE_DEV, O_RDWR | O_CLOEXEC | extra);

	if (fd >= 0)
		fd_add_locked(w, FK_GPUFE, fd, 0, true);
	return fd;
}

/*
 * The descriptor for a gpufe call: mostly a pool client, copied into g,
 * else a bad one (g->ci is then -1).
 */
static int gpufe_fd(struct worker *w, struct gpick *g)
{
	struct pool *p = w->p;
	int idx[MAX_FDS], n = 0, i, tries;

	memset(g, 0, sizeof(*g));
	g->ci = -1;
	g->fd = -1;
	for (tries = 0; tries < 2; tries++) {
		rdlock(w);
		for (i = n = 0; i < p->nfds; i++)
			if (p->fds[i].kind == FK_GPUFE)
				idx[n++] = i;
		if (n && pct(w, 92)) {
			const struct fent *f = &p->fds[idx[rnd(w, n)]];

			g->fd = f->fd;
			g->ci = f->client;
			g->cgen = p->clients[f->client].gen;
			g->cl = p->clients[f->client];
			g->closes = p->closes;
		}
		unlock(w);
		if (g->ci >= 0)
			return g->fd;
		/* None left: open one now and then, so that work goes on. */
		if (n || tries || pct(w, 50))
			break;
		open_gpufe(w, pct(w, 50) ? O_NONBLOCK : 0);
	}
	g->fd = bad_fd(w);
	return g->fd;
}

/* A pool descriptor of a kind, or a bad one now and then; -1 if none. */
static int pick_fd(struct worker *w, int kind, struct fent *out)
{
	struct pool *p = w->p;
	int idx[MAX_FDS], n = 0, i, fd = -1;

	rdlock(w);
	for (i = 0; i < p->nfds; i++)
		if (p->fds[i].kind == kind)
			idx[n++] = i;
	if (n) {
		i = idx[rnd(w, n)];
		fd = p->fds[i].fd;
		if (out)
			*out = p->fds[i];
	}
	unlock(w);
	return fd;
}

static __u32 dead_or_foreign_bo(struct worker *w)
{
	struct pool *p = w->p;
	__u32 h = 0;
	int i;

	rdlock(w);
	if (pct(w, 50)) {
		h = p->dead_bos[rnd(w, NDEAD)];
	} else {
		i = rnd(w, MAX_CLIENTS);
		if (p->clients[i].refs && p->clients[i].nbos)
			h = p->clients[i].bos[rnd(w, p->clients[i].nbos)].handle;
	}
	unlock(w);
	return h;
}

static __u32 dead_or_foreign_ctx(struct worker *w)
{
	struct pool *p = w->p;
	__u32 id = 0;
	int i;

	rdlock(w);
	if (pct(w, 50)) {
		id = p->dead_ctxs[rnd(w, NDEAD)];
	} else {
		i = rnd(w, MAX_CLIENTS);
		if (p->clients[i].refs && p->clients[i].nctxs)
			id = p->clients[i].ctxs[rnd(w, p->clients[i].nctxs)].id;
	}
	unlock(w);
	return id;
}

static __u32 made_up_handle(struct worker *w)
{
	switch (rnd(w, 4)) {
	case 0:
		return 0;
	case 1:
		return 1 + rnd(w, 64);
	case 2:
		return ~0u - rnd(w, 2);
	default:
		return any32(w);
	}
}

/* A buffer handle for the call: w->c.bi says which tracked one, or -1. */
static __u32 pick_bo(struct worker *w)
{
	const struct client *cl = &w->c.g.cl;
	unsigned int r = rnd(w, 100);

	w->c.bi = -1;
	if (cl->nbos && r < 82) {
		w->c.bi = rnd(w, cl->nbos);
		return cl->bos[w->c.bi].handle;
	}
	if (r < 94)
		return dead_or_foreign_bo(w);
	return made_up_handle(w);
}

static __u32 pick_ctx(struct worker *w)
{
	const struct client *cl = &w->c.g.cl;
	unsigned int r = rnd(w, 100);

	w->c.xi = -1;
	if (cl->nctxs && r < 85) {
		w->c.xi = rnd(w, cl->nctxs);
		return cl->ctxs[w->c.xi].id;
	}
	if (r < 95)
		return dead_or_foreign_ctx(w);
	return made_up_handle(w);
}

/* --- partitions: the shared list, ids, what a client sees -------------------- */

static bool id_in(const __u32 *bits, __u32 id)
{
	return id < GPUFE_PARTITION_MAX && (bits[id / 32] >> (id % 32) & 1);
}

/* Remember a partition the fuzzing made, for all processes and the end. */
static void part_note(struct worker *w, __u32 id, __u32 dev, __u64 mask,
		      bool persistent)
{
	struct shared *sh = w->sh;
	struct spart *sp;

	if (!id || id >= GPUFE_PARTITION_MAX)
		return;
	__atomic_fetch_or(&sh->made[id / 32], 1u << (id % 32), __ATOMIC_RELAXED);
	sp = &sh->parts[__atomic_fetch_add(&sh->parts_i, 1, __ATOMIC_RELAXED) %
			NPARTS];
	sp->dev = dev;
	sp->mask = mask;
	sp->persistent = persistent;
	__atomic_store_n(&sp->id, id, __ATOMIC_RELEASE);
}

/* What the shared list last said of a partition; false if nothing. */
static bool part_find(struct worker *w, __u32 id, struct spart *out)
{
	struct shared *sh = w->sh;
	unsigned int n = __atomic_load_n(&sh->parts_i, __ATOMIC_RELAXED), i;

	for (i = 0; id && i < NPARTS && i < n; i++) {
		const struct spart *sp = &sh->parts[(n - 1 - i) % NPARTS];

		if (__atomic_load_n(&sp->id, __ATOMIC_ACQUIRE) == id) {
			*out = *sp;
			return true;
		}
	}
	return false;
}

/*
 * A partition id to open or revoke: mostly one of those the fuzzing made,
 * the newest ones first (alive or ended by now), else one in range, else
 * any number; never one of a partition that was there before the subtest.
 */
static __u32 part_pick_id(struct worker *w, bool persistent)
{
	struct shared *sh = w->sh;
	unsigned int n = __atomic_load_n(&sh->parts_i, __ATOMIC_RELAXED);
	unsigned int r = rnd(w, 100), k = n < NPARTS ? n : NPARTS, back, tries;
	__u32 id;

	if (k && r < 80) {
		for (tries = 0; tries < 4; tries++) {
			const struct spart *sp;

			back = pct(w, 60) ? rnd(w, k < 4 ? k : 4) : rnd(w, k);
			sp = &sh->parts[(n - 1 - back) % NPARTS];
			id = __atomic_load_n(&sp->id, __ATOMIC_ACQUIRE);
			if (!persistent || sp->persistent)
				break;
		}
	} else if (r < 92) {
		id = 1 + rnd(w, GPUFE_PARTITION_MAX - 1);
	} else {
		id = (__u32[]){ 0, GPUFE_PARTITION_MAX, ~0u, any32(w) }[rnd(w, 4)];
	}
	return id_in(parts_before, id) ? GPUFE_PARTITION_MAX : id;
}

static int topo_index(__u32 dev)
{
	int d;

	for (d = 0; d < topo.ndevs; d++)
		if (topo.devs[d] == dev)
			return d;
	return -1;
}

/*
 * An engine a client sees, in its own numbering: any of the subtest's
 * for a client without partition; one of its partition's, renumbered
 * densely within its class, for a client of a partition whose engines
 * the pool knows. False if there is none.
 */
static bool pick_engine(struct worker *w, const struct client *cl, __u32 *dev,
			__u16 *cls, __u16 *inst)
{
	const struct gpufe_engine_info *e;
	int d, i, k, n = 0, idx[MAX_ENGINES];

	d = cl && cl->part && cl->part_mask ? topo_index(cl->part_dev) : -1;
	if (d >= 0) {
		for (i = 0; i < topo.neng[d]; i++)
			if (cl->part_mask >> i & 1)
				idx[n++] = i;
		if (!n)
			return false;
		i = idx[rnd(w, n)];
		*dev = topo.devs[d];
		*cls = topo.eng[d][i].engine_class;
		*inst = 0;
		for (k = 0; k < i; k++)
			if ((cl->part_mask >> k & 1) &&
			    topo.eng[d][k].engine_class == *cls)
				(*inst)++;
		return true;
	}
	if (!topo.ndevs)
		return false;
	d = rnd(w, topo.ndevs);
	if (!topo.neng[d])
		return false;
	e = &topo.eng[d][rnd(w, topo.neng[d])];
	*dev = topo.devs[d];
	*cls = e->engine_class;
	*inst = e->engine_instance;
	return true;
}

/* A device for a call of a client: its partition's mostly, if it has one. */
static int pick_dev_index(struct worker *w, const struct client *cl)
{
	int d = cl && cl->part ? topo_index(cl->part_dev) : -1;

	if (d >= 0 && pct(w, 90))
		return d;
	return topo.ndevs ? rnd(w, topo.ndevs) : 0;
}

/*
 * A gpufe descriptor of a client of a partition (part), or of one without
 * (!part), as the pool knows them; as gpufe_fd() if there is none.
 */
static int gpufe_fd_of(struct worker *w, struct gpick *g, bool part)
{
	struct pool *p = w->p;
	int idx[MAX_FDS], n = 0, i;

	memset(g, 0, sizeof(*g));
	rdlock(w);
	for (i = 0; i < p->nfds; i++)
		if (p->fds[i].kind == FK_GPUFE &&
		    !p->clients[p->fds[i].client].part == !part)
			idx[n++] = i;
	if (n) {
		const struct fent *f = &p->fds[idx[rnd(w, n)]];

		g->fd = f->fd;
		g->ci = f->client;
		g->cgen = p->clients[f->client].gen;
		g->cl = p->clients[f->client];
		g->closes = p->closes;
	}
	unlock(w);
	return n ? g->fd : gpufe_fd(w, g);
}

/* Add a client of a partition to the pool; under the write lock. */
static void part_client_add(struct worker *w, int fd, __u32 id, __u32 dev,
			    __u64 mask)
{
	int ci = fd_add(w, FK_GPUFE, fd, -1, 0, true);

	if (ci < 0)
		return;
	w->p->clients[ci].part = id;
	w->p->clients[ci].part_dev = dev;
	w->p->clients[ci].part_mask = mask;
}

/* Close every descriptor of a client: one of a revoked partition, say. */
static void client_drop(struct worker *w, int ci, unsigned int cgen)
{
	struct pool *p = w->p;
	int i;

	wrlock(w);
	if (client_of(p, ci, cgen))
		for (i = p->nfds - 1; i >= 0; i--)
			if (p->fds[i].kind == FK_GPUFE && p->fds[i].client == ci)
				fd_del(p, i);
	unlock(w);
}

static __u64 low_bits(unsigned int n)
{
	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

/* A QUERY of what into buf: 0 or -errno (EINTR retried). */
static int query_into(int fd, __u32 what, __u32 dev, void *buf, __u32 size)
{
	struct gpufe_query q = {
		.query = what, .device_id = dev, .size = size,
		.data = (uintptr_t)buf,
	};

	return gpufe_ioctl(fd, GPUFE_IOCTL_QUERY, &q);
}

/*
 * What any configuration register a client reads promises: a whole
 * register whose counts agree with its mask, a partition's dense one
 * (its engines the low bits of the mask, a weight) or, with partition
 * id 0, the whole device's.
 */
static void reg_check(struct worker *w, const struct gpufe_config_reg *r,
		      const char *from)
{
	unsigned int n = __builtin_popcountll(r->engine_mask), sum = 0, c;
	bool dense = r->flags & GPUFE_CONFIG_REG_DENSE, bad;

	for (c = 0; c < GPUFE_CONFIG_REG_CLASSES; c++)
		sum += r->engines[c];
	bad = r->magic != GPUFE_CONFIG_REG_MAGIC ||
	      r->version != GPUFE_CONFIG_REG_VERSION ||
	      r->size < sizeof(*r) || !r->engine_mask || n != sum || r->pad ||
	      r->partition_id >= GPUFE_PARTITION_MAX ||
	      !!r->partition_id != dense;
	if (r->partition_id)
		bad |= r->engine_mask != low_bits(n) || !r->weight ||
		       r->weight > GPUFE_PARTITION_MAX_WEIGHT;
	else
		bad |= r->weight != 0;
	if (bad)
		anomaly(w, "%s: register magic %#x version %u size %u partition %u device %u mask %#llx engines %u/%u/%u/%u weight %u flags %#x",
			from, r->magic, r->version, r->size, r->partition_id,
			r->device_id, (unsigned long long)r->engine_mask,
			r->engines[0], r->engines[1], r->engines[2],
			r->engines[3], r->weight, r->flags);
}

struct devs_buf {
	struct gpufe_query_devices h;
	struct gpufe_device_info d[MAX_DEVS + 1];
};

struct engines_buf {
	struct gpufe_query_engines h;
	struct gpufe_engine_info e[MAX_ENGINES * 2 + 1];
};

struct parts_buf {
	struct gpufe_query_partitions h;
	struct gpufe_partition_info p[GPUFE_PARTITION_MAX];
};

/*
 * What one client sees, asked under the read lock, so that no thread of
 * the process closes or replaces the descriptor between the questions.
 * A client of a partition (its fdinfo says which) sees one device, with
 * as many engines as its mask has, lists its own partition alone, and
 * reads its partition's dense register; a client without partition reads
 * the device's; any client reads a well-formed one.
 */
static void view_check(struct worker *w)
{
	struct pool *p = w->p;
	struct devs_buf *devs = calloc(1, sizeof(*devs));
	struct engines_buf *engs = calloc(1, sizeof(*engs));
	struct parts_buf *parts = calloc(1, sizeof(*parts));
	struct gpufe_config_reg reg;
	const struct gpufe_device_info *di;
	int idx[MAX_FDS], n = 0, i, fd;
	unsigned int ne;
	long long part;

	if (!devs || !engs || !parts)
		goto out_free;
	rdlock(w);
	for (i = 0; i < p->nfds; i++)
		if (p->fds[i].kind == FK_GPUFE &&
		    (p->clients[p->fds[i].client].part || pct(w, 30)))
			idx[n++] = i;
	if (!n)
		goto out_unlock;
	fd = p->fds[idx[rnd(w, n)]].fd;
	/* > 0: a client of that partition; -ENOENT: of none; else unknown. */
	part = gpufe_fdinfo(getpid(), fd, "gpufe-partition");
	if (query_into(fd, GPUFE_QUERY_DEVICES, 0, devs, sizeof(*devs)) ||
	    devs->h.entry_size < sizeof(struct gpufe_device_info))
		goto out_unlock;
	if (part > 0 && devs->h.num_devices > 1)
		anomaly(w, "a client of partition %lld sees %u devices", part,
			devs->h.num_devices);
	if (!devs->h.num_devices)
		goto out_unlock;
	di = &devs->h.devices[0];
	if (query_into(fd, GPUFE_QUERY_CONFIG_REG, di->device_id, &reg,
		       sizeof(reg)))
		goto out_unlock;
	reg_check(w, &reg, "QUERY_CONFIG_REG");
	if ((part > 0 && reg.partition_id != part) ||
	    (part == -ENOENT && reg.partition_id))
		anomaly(w, "a client of partition %lld (fdinfo) reads a register of partition %u, flags %#x",
			part > 0 ? part : 0, reg.partition_id, reg.flags);
	if (!reg.partition_id)
		goto out_unlock;
	ne = __builtin_popcountll(reg.engine_mask);
	if (devs->h.num_devices != 1 || di->num_engines != ne ||
	    di->device_id != reg.device_id)
		anomaly(w, "a client of partition %u sees %u devices, the first %u with %u engines; its register has device %u, %u engines",
			reg.partition_id, devs->h.num_devices, di->device_id,
			di->num_engines, reg.device_id, ne);
	if (!query_into(fd, GPUFE_QUERY_ENGINES, reg.device_id, engs,
			sizeof(*engs)) && engs->h.num_engines != ne)
		anomaly(w, "a client of partition %u lists %u engines, its mask %#llx has %u",
			reg.partition_id, engs->h.num_engines,
			(unsigned long long)reg.engine_mask, ne);
	if (!query_into(fd, GPUFE_QUERY_PARTITIONS, 0, parts, sizeof(*parts)) &&
	    (parts->h.num_partitions != 1 ||
	     parts->h.partitions[0].partition_id != reg.partition_id ||
	     parts->h.partitions[0].engine_mask != reg.engine_mask))
		anomaly(w, "a client of partition %u (mask %#llx) lists %u partitions, the first %u with mask %#llx",
			reg.partition_id, (unsigned long long)reg.engine_mask,
			parts->h.num_partitions,
			parts->h.partitions[0].partition_id,
			(unsigned long long)parts->h.partitions[0].engine_mask);
out_unlock:
	unlock(w);
out_free:
	free(devs);
	free(engs);
	free(parts);
}

/*
 * A descriptor PARTITION_CREATE or _OPEN just gave, that no other thread
 * knows yet: close-on-exec and read-write, as documented.
 */
static void part_fd_check(struct worker *w, int fd, const char *what)
{
	int fdfl = fcntl(fd, F_GETFD), fl = fcntl(fd, F_GETFL);

	if (fdfl < 0 || !(fdfl & FD_CLOEXEC) || fl < 0 ||
	    (fl & O_ACCMODE) != O_RDWR)
		anomaly(w, "%s gave fd %d with fd flags %#x, file flags %#x",
			what, fd, fdfl, fl);
}

/*
 * The new client of a partition just made (the argument as the kernel
 * read it): one device, the one asked for, with the engines of the mask,
 * and a register that says what was asked. Unless it has been revoked
 * meanwhile: every query then fails with ENODEV.
 */
static void part_create_check(struct worker *w, int fd,
			      const struct gpufe_partition_create *a)
{
	struct devs_buf *devs = calloc(1, sizeof(*devs));
	unsigned int ne = __builtin_popcountll(a->engine_mask);
	struct gpufe_config_reg reg;

	if (devs && !query_into(fd, GPUFE_QUERY_DEVICES, 0, devs, sizeof(*devs)) &&
	    (devs->h.num_devices != 1 ||
	     devs->h.devices[0].device_id != a->device_id ||
	     devs->h.devices[0].num_engines != ne))
		anomaly(w, "a new partition of device %u, mask %#llx: its client sees %u devices, the first %u with %u engines",
			a->device_id, (unsigned long long)a->engine_mask,
			devs->h.num_devices, devs->h.devices[0].device_id,
			devs->h.devices[0].num_engines);
	free(devs);
	if (query_into(fd, GPUFE_QUERY_CONFIG_REG, a->device_id, &reg,
		       sizeof(reg)))
		return;
	reg_check(w, &reg, "QUERY_CONFIG_REG of a new partition");
	if (reg.partition_id != a->partition_id ||
	    reg.device_id != a->device_id ||
	    reg.engine_mask != low_bits(ne) || reg.weight != a->weight ||
	    reg.max_clients != a->max_clients ||
	    reg.mem_quota != a->mem_quota ||
	    !(reg.flags & GPUFE_CONFIG_REG_PERSISTENT) !=
	    !(a->flags & GPUFE_PARTITION_PERSISTENT))
		anomaly(w, "a new partition %u of device %u, mask %#llx, weight %u, max_clients %u, quota %llu, flags %#x: register %u %u %#llx %u %u %llu %#x",
			a->partition_id, a->device_id,
			(unsigned long long)a->engine_mask, a->weight,
			a->max_clients, (unsigned long long)a->mem_quota,
			a->flags, reg.partition_id, reg.device_id,
			(unsigned long long)reg.engine_mask, reg.weight,
			reg.max_clients, (unsigned long long)reg.mem_quota,
			reg.flags);
}

/*
 * After partition id was revoked: a client the pool had before (client
 * generation up to gen) whose fdinfo names that partition answers every
 * ioctl with ENODEV. Asked under the read lock, so that the descriptor
 * stays the one fdinfo described.
 */
static void revoked_check(struct worker *w, __u32 id, unsigned int gen)
{
	struct pool *p = w->p;
	int i, checked = 0;

	rdlock(w);
	for (i = 0; i < p->nfds && checked < 2; i++) {
		const struct fent *f = &p->fds[i];
		const struct client *c = &p->clients[f->client];
		struct gpufe_version v;
		int ret;

		if (f->kind != FK_GPUFE || c->part != id || c->gen > gen ||
		    gpufe_fdinfo(getpid(), f->fd, "gpufe-partition") != id)
			continue;
		checked++;
		ret = gpufe_ioctl(f->fd, GPUFE_IOCTL_VERSION, &v);
		if (ret != -ENODEV)
			anomaly(w, "a client of partition %u answered VERSION with %d after the revoke",
				id, ret);
	}
	unlock(w);
}

/* --- pointers ----------------------------------------------------------------- */

enum {
	P_OK, P_NULL, P_GUARD, P_STRADDLE, P_RO, P_KERNEL, P_HIGH, P_UNALIGNED,
	P_MAPPING, NPTR
};

struct ptrsel {
	__u64 v;		/* what the kernel gets */
	void *out;		/* where to read what it wrote, or NULL */
	int kind;
};

/* An address the kernel must refuse, for an ioctl's argument or a field. */
static __u64 kernel_addr(struct worker *w, bool is_arg)
{
	static const __u64 k64[] = {
		0xffff888000000000ULL, 0xffffffff81000000ULL,
		0xffffc90000000000ULL, 0xfffffffffffff000ULL,
	};

	if (sizeof(long) == 4 && is_arg)
		return pct(w, 50) ? 0xfffff000u : 0xffffe800u;
	return k64[rnd(w, ARRAY_SIZE(k64))];
}

static __u64 high_addr(struct worker *w, void *obj, bool is_arg)
{
	if (sizeof(long) == 4)
		return is_arg ? 0xffffe000u : (1ULL << 32) | (uintptr_t)obj;
	/* Just past user space, and the first non-canonical address. */
	return pct(w, 50) ? 0x0000800000000000ULL : 0x8000000000000000ULL;
}

/* Release what a P_MAPPING pointer held. */
static void ptr_done(struct worker *w)
{
	if (w->maplocked) {
		w->maplocked = false;
		unlock(w);
	}
}

/*
 * Where to tell the kernel an object of size bytes at obj (in the arena)
 * is: mostly obj itself, else a bad place, with obj's bytes copied there
 * where that makes sense. is_arg: an ioctl's argument rather than a
 * pointer field inside one.
 */
static struct ptrsel place(struct worker *w, void *obj, size_t size,
			   bool is_arg, unsigned int bad_pct)
{
	struct ptrsel ps = { .v = (uintptr_t)obj, .out = obj, .kind = P_OK };
	struct pool *p = w->p;
	size_t n;
	__u8 *dst;

	if (!pct(w, bad_pct))
		return ps;
	ps.kind = 1 + rnd(w, NPTR - 1);
	ps.out = NULL;
	switch (ps.kind) {
	case P_NULL:
		ps.v = 0;
		break;
	case P_GUARD:
		ps.v = (uintptr_t)(w->arena + ARENA_SIZE) + rnd(w, 64);
		break;
	case P_STRADDLE:
		/* The first n bytes readable, the rest in the guard page. */
		n = size ? rnd(w, size < TAIL_SIZE ? size : TAIL_SIZE) : 0;
		dst = w->arena + ARENA_SIZE - n;
		memmove(dst, obj, n);
		ps.v = (uintptr_t)dst;
		break;
	case P_RO:
		memcpy(w->ro_rw, obj, size < PAGE ? size : PAGE);
		ps.v = (uintptr_t)w->ro;
		break;
	case P_KERNEL:
		ps.v = kernel_addr(w, is_arg);
		break;
	case P_HIGH:
		ps.v = high_addr(w, obj, is_arg);
		break;
	case P_UNALIGNED:
		if (size > ARG_MAX - 8 || (__u8 *)obj != w->arena + ARG_OFF) {
			ps.kind = P_OK;
			ps.out = obj;
			break;
		}
		dst = (__u8 *)obj + 1 + rnd(w, 7);
		memmove(dst, obj, size);
		ps.v = (uintptr_t)dst;
		ps.out = dst;
		break;
	case P_MAPPING:
		if (!w->maplocked) {
			rdlock(w);
			if (p->nmaps) {
				const struct ment *m = &p->maps[rnd(w, p->nmaps)];
				size_t off = m->len > size ?
					     rnd(w, m->len - size + 1) : 0;

				if (pct(w, 50))
					off &= ~(PAGE - 1);
				ps.v = (uintptr_t)m->addr + off;
				w->maplocked = true;	/* until ptr_done() */
				break;
			}
			unlock(w);
		}
		/* One pointer into the mappings at a time, and only if any. */
		ps.kind = P_OK;
		ps.out = obj;
		break;
	}
	return ps;
}

/* The argument area, its first size (+ some) bytes zeroed. */
static void *arg_buf(struct worker *w, size_t size)
{
	void *a = w->arena + ARG_OFF;

	memset(a, 0, size + 64 < ARG_MAX ? size + 64 : ARG_MAX);
	return a;
}

/*
 * ioctl() without retrying on EINTR (signals are part of the fuzzing):
 * 0 or -errno. check: the descriptor was meant as a gpufe one, so the
 * errno must be one that the uAPI documents.
 */
static int fz_ioctl(struct worker *w, int fd, unsigned long req, __u64 arg,
		    bool check)
{
	int ret = ioctl(fd, req, (void *)(uintptr_t)arg);
	int err = ret == -1 ? errno : 0;

	if (ret > 0)
		anomaly(w, "ioctl %#lx returned %d", req, ret);
	if (err >= 512)
		anomaly(w, "ioctl %#lx failed with kernel-internal errno %d",
			req, err);
	if (check && err) {
		switch (err) {
		case EINVAL: case ENOENT: case EFAULT: case E2BIG:
		case ENOSPC: case ENODEV: case EDQUOT: case ENOMEM:
		case EMFILE: case ENFILE: case EACCES: case EPERM:
		case ETIME: case EINTR: case EBADF: case ENOTTY:
		case EOPNOTSUPP: case EAGAIN: case EUSERS:
			break;
		default:
			anomaly(w, "ioctl %#lx failed with undocumented errno %d (%s)",
				req, err, strerror(err));
		}
	}
	return -err;
}

/* --- swgpu command streams ------------------------------------------------------- */

/* What a command may do with the buffer at an index of the job's list. */
struct jbo {
	__u32 flags;
	__u64 size;
};

static const __u32 cmd_size[] = {
	[SWGPU_CMD_NOP] = sizeof(struct swgpu_cmd_nop),
	[SWGPU_CMD_FILL] = sizeof(struct swgpu_cmd_fill),
	[SWGPU_CMD_COPY] = sizeof(struct swgpu_cmd_copy),
	[SWGPU_CMD_VADD] = sizeof(struct swgpu_cmd_vadd),
	[SWGPU_CMD_DELAY_US] = sizeof(struct swgpu_cmd_delay_us),
	[SWGPU_CMD_TIMESTAMP] = sizeof(struct swgpu_cmd_timestamp),
};

/* An index of the list whose entry allows flag and holds min bytes, or -1. */
static int jbo_pick(struct worker *w, const struct jbo *jb, int nb, __u32 flag,
		    __u64 min)
{
	int i, start = nb ? rnd(w, nb) : 0;

	for (i = 0; i < nb; i++) {
		int j = (start + i) % nb;

		if ((jb[j].flags & flag) && jb[j].size >= min)
			return j;
	}
	return -1;
}

/* A length up to max, a multiple of align: short ones mostly. */
static __u64 some_len(struct worker *w, __u64 max, __u64 align)
{
	__u64 len = pct(w, 15) ? max : rnd(w, (__u32)(max < 65536 ? max : 65536) + 1);

	return len & ~(align - 1);
}

/*
 * Append one command for an engine class to out; a valid one when the
 * buffers allow. Its size.
 */
static size_t gen_cmd(struct worker *w, __u8 *out, int cls,
		      const struct jbo *jb, int nb)
{
	int op, a, b, d;

	switch (cls) {
	case GPUFE_ENGINE_CLASS_COMPUTE:
		op = 1 + rnd(w, 6);
		break;
	case GPUFE_ENGINE_CLASS_COPY:
		op = 1 + rnd(w, 6);
		if (op == SWGPU_CMD_VADD)
			op = SWGPU_CMD_COPY;
		break;
	default:
		op = (int[]){ SWGPU_CMD_NOP, SWGPU_CMD_DELAY_US,
			      SWGPU_CMD_TIMESTAMP }[rnd(w, 3)];
		break;
	}
	/* Delays are short and rare: engines are shared by everyone. */
	if (op == SWGPU_CMD_DELAY_US && pct(w, 50))
		op = SWGPU_CMD_NOP;

	switch (op) {
	case SWGPU_CMD_FILL: {
		struct swgpu_cmd_fill c = { .opcode = op };

		d = jbo_pick(w, jb, nb, GPUFE_SUBMIT_BO_WRITE, 4);
		if (d < 0)
			break;
		c.bo = d;
		c.offset = (__u64)rnd(w, jb[d].size / 4) * 4;
		c.length = some_len(w, jb[d].size - c.offset, 4);
		c.value = (__u32)rnd64(w);
		memcpy(out, &c, sizeof(c));
		return sizeof(c);
	}
	case SWGPU_CMD_COPY: {
		struct swgpu_cmd_copy c = { .opcode = op };

		a = jbo_pick(w, jb, nb, GPUFE_SUBMIT_BO_READ, 1);
		d = jbo_pick(w, jb, nb, GPUFE_SUBMIT_BO_WRITE, 1);
		if (a < 0 || d < 0)
			break;
		c.src_bo = a;
		c.dst_bo = d;
		if (a == d) {
			/* Two halves of one buffer: never overlapping. */
			__u64 half = jb[a].size / 2;

			c.length = some_len(w, half, 1);
			c.src_offset = rnd(w, half - c.length + 1);
			c.dst_offset = half + rnd(w, half - c.length + 1);
			if (pct(w, 50)) {
				__u64 t = c.src_offset;

				c.src_offset = c.dst_offset;
				c.dst_offset = t;
			}
		} else {
			__u64 max = jb[a].size < jb[d].size ? jb[a].size : jb[d].size;

			c.length = some_len(w, max, 1);
			c.src_offset = rnd(w, jb[a].size - c.length + 1);
			c.dst_offset = rnd(w, jb[d].size - c.length + 1);
		}
		memcpy(out, &c, sizeof(c));
		return sizeof(c);
	}
	case SWGPU_CMD_VADD: {
		struct swgpu_cmd_vadd c = { .opcode = op };
		__u64 ca, cb, cd, n;

		a = jbo_pick(w, jb, nb, GPUFE_SUBMIT_BO_READ, 4);
		b = jbo_pick(w, jb, nb, GPUFE_SUBMIT_BO_READ, 4);
		d = jbo_pick(w, jb, nb, GPUFE_SUBMIT_BO_WRITE, 4);
		if (a < 0 || b < 0 || d < 0)
			break;
		c.a_bo = a;
		c.b_bo = b;
		c.dst_bo = d;
		/* In place (dst one of the sources, same offset) or apart. */
		if (d == a || d == b || pct(w, 30)) {
			c.a_offset = c.b_offset = c.dst_offset = 0;
		} else {
			c.a_offset = (__u64)rnd(w, jb[a].size / 4) * 4;
			c.b_offset = (__u64)rnd(w, jb[b].size / 4) * 4;
			c.dst_offset = (__u64)rnd(w, jb[d].size / 4) * 4;
		}
		if (d == a)
			c.dst_offset = c.a_offset;
		if (d == b)
			c.dst_offset = c.b_offset;
		if (a == b)
			c.b_offset = c.a_offset;
		if (d == a && d == b)
			c.dst_offset = c.b_offset = c.a_offset;
		ca = (jb[a].size - c.a_offset) / 4;
		cb = (jb[b].size - c.b_offset) / 4;
		cd = (jb[d].size - c.dst_offset) / 4;
		n = ca < cb ? ca : cb;
		n = n < cd ? n : cd;
		c.count = some_len(w, n, 1);
		memcpy(out, &c, sizeof(c));
		return sizeof(c);
	}
	case SWGPU_CMD_DELAY_US: {
		struct swgpu_cmd_delay_us c = {
			.opcode = op, .usecs = rnd(w, 300),
		};

		memcpy(out, &c, sizeof(c));
		return sizeof(c);
	}
	case SWGPU_CMD_TIMESTAMP: {
		struct swgpu_cmd_timestamp c = { .opcode = op };

		d = jbo_pick(w, jb, nb, GPUFE_SUBMIT_BO_WRITE, 8);
		if (d < 0)
			break;
		c.bo = d;
		c.offset = (__u64)rnd(w, jb[d].size / 8) * 8;
		memcpy(out, &c, sizeof(c));
		return sizeof(c);
	}
	}
	{
		struct swgpu_cmd_nop c = { .opcode = SWGPU_CMD_NOP };

		memcpy(out, &c, sizeof(c));
		return sizeof(c);
	}
}

/* Break one field of the command at cmd (size bytes). */
static void mutate_cmd(struct worker *w, __u8 *cmd, size_t size)
{
	size_t off;

	switch (rnd(w, 4)) {
	case 0: {
		/* An unknown opcode, or a known one of another size. */
		__u32 op = pct(w, 50) ? any32(w) : rnd(w, 9);

		memcpy(cmd, &op, 4);
		return;
	}
	default:
		if (size < 8)
			return;
		off = 4 * (1 + rnd(w, (size - 4) / 4));
		if (off + 8 <= size && pct(w, 50)) {
			__u64 v = any64(w);

			memcpy(cmd + off, &v, 8);
		} else {
			__u32 v = any32(w);

			memcpy(cmd + off, &v, 4);
		}
	}
}

/*
 * Parse a stream as swgpu does and make it invalid (an unknown opcode up
 * front) if it would keep an engine busy for long: more than
 * JOB_MAX_DELAY_US of delay or JOB_MAX_BYTES of buffer ranges. A stream
 * that swgpu rejects anyway needs nothing.
 */
static void keep_job_short(__u8 *cmds, size_t size)
{
	__u64 delay = 0, bytes = 0;
	size_t pos = 0;

	while (pos + 4 <= size) {
		__u32 op;

		memcpy(&op, cmds + pos, 4);
		if (op >= ARRAY_SIZE(cmd_size) || !cmd_size[op] ||
		    pos + cmd_size[op] > size)
			return;
		if (op == SWGPU_CMD_DELAY_US) {
			struct swgpu_cmd_delay_us c;

			memcpy(&c, cmds + pos, sizeof(c));
			delay += c.usecs;
		} else if (op == SWGPU_CMD_FILL) {
			struct swgpu_cmd_fill c;

			memcpy(&c, cmds + pos, sizeof(c));
			bytes += c.length > JOB_MAX_BYTES ? JOB_MAX_BYTES : c.length;
		} else if (op == SWGPU_CMD_COPY) {
			struct swgpu_cmd_copy c;

			memcpy(&c, cmds + pos, sizeof(c));
			bytes += 2 * (c.length > JOB_MAX_BYTES ? JOB_MAX_BYTES : c.length);
		} else if (op == SWGPU_CMD_VADD) {
			struct swgpu_cmd_vadd c;

			memcpy(&c, cmds + pos, sizeof(c));
			bytes += 12 * (c.count > JOB_MAX_BYTES ? JOB_MAX_BYTES : c.count);
		}
		pos += cmd_size[op];
	}
	if (delay > JOB_MAX_DELAY_US || bytes > JOB_MAX_BYTES) {
		__u32 bad = 0xdead0000;

		memcpy(cmds, &bad, 4);
	}
}

/* --- the ioctls, built field by field ------------------------------------------- */

struct iodesc {
	const char *name;
	unsigned long req;
	size_t size;
	void (*build)(struct worker *w, void *arg);
	void (*post)(struct worker *w, const void *out, int ret);
};

static void build_version(struct worker *w, void *arg)
{
	if (pct(w, 50))
		fill_random(w, arg, sizeof(struct gpufe_version));
}

static void post_version(struct worker *w, const void *out, int ret)
{
	const struct gpufe_version *v = out;

	if (ret || !v)
		return;
	if (v->major != GPUFE_VERSION_MAJOR || v->pad)
		anomaly(w, "VERSION says %u.%u.%u pad %u", v->major, v->minor,
			v->patch, v->pad);
}

static void build_query(struct worker *w, void *arg)
{
	struct gpufe_query *q = arg;
	const struct client *cl = &w->c.g.cl;
	__u32 need;
	int d = pick_dev_index(w, cl);
	bool per_dev;
	struct ptrsel ps;

	switch (rnd(w, 13)) {
	case 0:
		q->query = pct(w, 50) ? 4 + rnd(w, 4) : any32(w);
		break;
	case 1: case 2: case 3: case 4:
		q->query = GPUFE_QUERY_DEVICES;
		break;
	case 5: case 6: case 7: case 8:
		q->query = GPUFE_QUERY_ENGINES;
		break;
	case 9: case 10:
		q->query = GPUFE_QUERY_CONFIG_REG;
		break;
	default:
		q->query = GPUFE_QUERY_PARTITIONS;
		break;
	}
	per_dev = q->query == GPUFE_QUERY_ENGINES ||
		  q->query == GPUFE_QUERY_CONFIG_REG;
	if (pct(w, 5))
		q->flags = bad_bit(w, 0);
	if (per_dev)
		q->device_id = pct(w, 85) && topo.ndevs ? topo.devs[d] : any32(w);
	else if (pct(w, 5))
		q->device_id = any32(w);
	if (q->query == GPUFE_QUERY_ENGINES)
		need = sizeof(struct gpufe_query_engines) +
		       (cl->part && cl->part_mask ?
			__builtin_popcountll(cl->part_mask) : topo.neng[d]) *
		       sizeof(struct gpufe_engine_info);
	else if (q->query == GPUFE_QUERY_CONFIG_REG)
		need = sizeof(struct gpufe_config_reg);
	else if (q->query == GPUFE_QUERY_PARTITIONS)
		need = sizeof(struct gpufe_query_partitions) +
		       (cl->part ? 1 : 1 + rnd(w, 8)) *
		       sizeof(struct gpufe_partition_info);
	else
		need = sizeof(struct gpufe_query_devices) +
		       (cl->part ? 1 : topo.ndevs) *
		       sizeof(struct gpufe_device_info);
	switch (rnd(w, 8)) {
	case 0: case 1:
		q->size = 0;	/* ask for the size */
		break;
	case 2:
		q->size = need;
		break;
	case 3:
		q->size = rnd(w, need);
		break;
	case 4:
		q->size = any32(w);
		break;
	default:
		q->size = BUF_MAX;
		break;
	}
	if (q->size || pct(w, 10)) {
		ps = place(w, w->arena + BUF_OFF, q->size < BUF_MAX ? q->size : BUF_MAX,
			   false, 20);
		q->data = ps.v;
	}
	w->c.size = q->size;
}

static void post_query(struct worker *w, const void *out, int ret)
{
	const struct gpufe_query *q = out;
	const __u8 *buf = w->arena + BUF_OFF;

	/* Now and then, what a client (of a partition, mostly) sees. */
	if (pct(w, 10))
		view_check(w);
	if (ret || !q)
		return;
	if (w->c.size && q->size > w->c.size)
		anomaly(w, "QUERY wrote %u bytes into %llu", q->size,
			(unsigned long long)w->c.size);
	if (q->data != (uintptr_t)buf || !w->c.size || q->size < 8)
		return;
	if (q->query == GPUFE_QUERY_DEVICES || q->query == GPUFE_QUERY_ENGINES) {
		__u32 entry = ((const __u32 *)buf)[
			q->query == GPUFE_QUERY_DEVICES ? 1 : 2];

		if (q->query == GPUFE_QUERY_DEVICES &&
		    entry < sizeof(struct gpufe_device_info))
			anomaly(w, "QUERY_DEVICES entry_size %u", entry);
		if (q->query == GPUFE_QUERY_ENGINES && q->size >= 12 &&
		    entry < sizeof(struct gpufe_engine_info))
			anomaly(w, "QUERY_ENGINES entry_size %u", entry);
	} else if (q->query == GPUFE_QUERY_CONFIG_REG) {
		struct gpufe_config_reg reg;

		if (q->size < sizeof(reg)) {
			anomaly(w, "QUERY_CONFIG_REG wrote %u bytes", q->size);
			return;
		}
		memcpy(&reg, buf, sizeof(reg));
		reg_check(w, &reg, "QUERY_CONFIG_REG");
	} else if (q->query == GPUFE_QUERY_PARTITIONS) {
		const struct gpufe_query_partitions *h = (const void *)buf;
		__u32 i, last = 0;

		if (h->entry_size < sizeof(struct gpufe_partition_info) ||
		    sizeof(*h) + (__u64)h->num_partitions * h->entry_size > q->size) {
			anomaly(w, "QUERY_PARTITIONS: %u entries of %u bytes in %u",
				h->num_partitions, h->entry_size, q->size);
			return;
		}
		for (i = 0; i < h->num_partitions; i++) {
			struct gpufe_partition_info pi;

			memcpy(&pi, buf + sizeof(*h) + (size_t)i * h->entry_size,
			       sizeof(pi));
			if (pi.partition_id <= last ||
			    pi.partition_id >= GPUFE_PARTITION_MAX ||
			    !pi.engine_mask || !pi.weight ||
			    pi.weight > GPUFE_PARTITION_MAX_WEIGHT ||
			    (pi.flags & ~GPUFE_CONFIG_REG_PERSISTENT) ||
			    (pi.max_clients && pi.num_clients > pi.max_clients))
				anomaly(w, "QUERY_PARTITIONS entry %u after %u: mask %#llx weight %u flags %#x clients %u of %u",
					pi.partition_id, last,
					(unsigned long long)pi.engine_mask,
					pi.weight, pi.flags, pi.num_clients,
					pi.max_clients);
			last = pi.partition_id;
		}
	}
}

/* A buffer size: small and valid mostly, within the process's budget. */
static __u64 bo_size(struct worker *w)
{
	static const __u64 bad[] = {
		0, 1ULL << 33, 1ULL << 40, ~0ULL, 1ULL << 63,
		0xfffffffffffff001ULL, -PAGE, 0x100000001ULL,
	};
	bool room = w->p->bo_bytes < BO_BUDGET;
	unsigned int r = rnd(w, 100);

	if (r < 45 || (!room && r < 88))
		return PAGE * (1 + rnd(w, 4));
	if (r < 70)
		return 1 + rnd(w, 65536);
	if (r < 80 && room)
		return 65536 * (1 + rnd(w, 4));
	if (r < 82 && room)
		return (256 + rnd(w, 769)) << 10;	/* 256 KiB to 1 MiB */
	return bad[rnd(w, ARRAY_SIZE(bad))];
}

static void build_bo_create(struct worker *w, void *arg)
{
	struct gpufe_bo_create *a = arg;

	a->size = bo_size(w);
	if (pct(w, 5))
		a->flags = bad_bit(w, 0);
	if (pct(w, 20)) {
		a->handle = any32(w);
		a->mmap_offset = any64(w);
	}
	w->c.size = a->size;
}

/* Record a buffer handle on the call's client; false if there is no room. */
static bool bo_record(struct worker *w, __u32 handle, __u64 size,
		      __u64 offset, bool ro)
{
	struct client *c;
	bool done = false;
	int i;

	wrlock(w);
	c = client_of(w->p, w->c.g.ci, w->c.g.cgen);
	for (i = 0; c && i < c->nbos; i++) {
		if (c->bos[i].handle == handle) {
			/* Imported again: the same buffer, maybe writable now. */
			c->bos[i].ro = c->bos[i].ro && ro;
			done = true;
		}
	}
	if (c && !done && c->nbos < MAX_BOS) {
		c->bos[c->nbos].handle = handle;
		c->bos[c->nbos].size = size;
		c->bos[c->nbos].offset = offset;
		c->bos[c->nbos].ro = ro;
		c->nbos++;
		w->p->bo_bytes += size;
		done = true;
	}
	unlock(w);
	return done;
}

static void post_bo_create(struct worker *w, const void *out, int ret)
{
	const struct gpufe_bo_create *a = out;

	if (ret || !a)
		return;
	if (!a->handle)
		anomaly(w, "BO_CREATE returned handle 0 (size %llu, mmap_offset %#llx)",
			(unsigned long long)a->size,
			(unsigned long long)a->mmap_offset);
	else if (a->size < w->c.size || a->size % PAGE ||
		 a->mmap_offset < (1ULL << 32) || a->mmap_offset % PAGE)
		anomaly(w, "BO_CREATE of %llu: handle %u size %llu offset %#llx",
			(unsigned long long)w->c.size, a->handle,
			(unsigned long long)a->size,
			(unsigned long long)a->mmap_offset);
	if (!bo_record(w, a->handle, a->size, a->mmap_offset, false))
		gpufe_destroy_bo(w->c.g.fd, a->handle);
}

static void build_bo_destroy(struct worker *w, void *arg)
{
	struct gpufe_bo_destroy *a = arg;

	a->handle = w->c.handle = pick_bo(w);
	if (pct(w, 5))
		a->pad = any32(w) | 1;
}

static void post_bo_destroy(struct worker *w, const void *out, int ret)
{
	/* Not when the kernel read a mapping's bytes as the argument. */
	if (!ret && !w->c.handle && w->c.faithful)
		anomaly(w, "BO_DESTROY of handle 0 succeeded: a buffer had handle 0");
	if ((!ret || ret == -ENOENT) && w->c.bi >= 0)
		bo_forget(w, w->c.g.ci, w->c.g.cgen, w->c.handle);
}

static void build_bo_export(struct worker *w, void *arg)
{
	static const __u32 flags[] = {
		0, GPUFE_BO_EXPORT_CLOEXEC, GPUFE_BO_EXPORT_RDWR,
		GPUFE_BO_EXPORT_CLOEXEC | GPUFE_BO_EXPORT_RDWR,
	};
	struct gpufe_bo_export *a = arg;

	a->handle = w->c.handle = pick_bo(w);
	a->flags = flags[rnd(w, 4)];
	if (pct(w, 5))
		a->flags |= bad_bit(w, 2);
	if (pct(w, 5))
		a->pad = any32(w) | 1;
	a->fd = pct(w, 50) ? -1 : (int)any32(w);
	w->c.flags = a->flags;
	w->c.size = w->c.bi >= 0 ? w->c.g.cl.bos[w->c.bi].size : 0;
}

static bool fd_rw(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && (fl & O_ACCMODE) == O_RDWR;
}

static void post_bo_export(struct worker *w, const void *out, int ret)
{
	const struct gpufe_bo_export *a = out;
	off_t size;

	if (ret == -ENOENT && w->c.bi >= 0)
		bo_forget(w, w->c.g.ci, w->c.g.cgen, w->c.handle);
	if (ret || !a)
		return;
	if (a->fd < 0) {
		anomaly(w, "BO_EXPORT returned fd %d", a->fd);
		return;
	}
	size = lseek(a->fd, 0, SEEK_END);
	fd_add_locked(w, FK_DMABUF, a->fd, size > 0 ? (__u64)size : 0,
		      fd_rw(a->fd));
}

static void build_bo_import(struct worker *w, void *arg)
{
	struct gpufe_bo_import *a = arg;
	struct fent f;

	a->fd = -1;
	if (pct(w, 80))
		a->fd = pick_fd(w, FK_DMABUF, &f);
	if (a->fd < 0 || pct(w, 10))
		a->fd = bad_fd(w);
	if (pct(w, 5))
		a->flags = bad_bit(w, 0);
	if (pct(w, 5))
		a->pad = any32(w) | 1;
	if (pct(w, 20)) {
		a->handle = any32(w);
		a->size = any64(w);
		a->mmap_offset = any64(w);
	}
	w->c.rw = a->fd >= 0 && fd_rw(a->fd);
}

static void post_bo_import(struct worker *w, const void *out, int ret)
{
	const struct gpufe_bo_import *a = out;

	if (ret || !a)
		return;
	if (!a->handle)
		anomaly(w, "BO_IMPORT returned handle 0 (size %llu, mmap_offset %#llx)",
			(unsigned long long)a->size,
			(unsigned long long)a->mmap_offset);
	else if (!a->size || a->size % PAGE || a->mmap_offset < (1ULL << 32))
		anomaly(w, "BO_IMPORT: handle %u size %llu offset %#llx",
			a->handle, (unsigned long long)a->size,
			(unsigned long long)a->mmap_offset);
	/* Not tracked: the handle lives until its client goes. */
	bo_record(w, a->handle, a->size, a->mmap_offset, !w->c.rw);
}

static void build_ctx_create(struct worker *w, void *arg)
{
	struct gpufe_ctx_create *a = arg;
	bool good_dev = topo.ndevs && pct(w, 90);
	__u32 dev = 0;
	__u16 cls = 0, inst = 0;

	/* An engine the client sees: a partition's in its numbering. */
	if (good_dev && pick_engine(w, &w->c.g.cl, &dev, &cls, &inst) &&
	    pct(w, 90)) {
		a->device_id = dev;
		a->engine_class = cls;
		a->engine_instance = inst;
	} else {
		a->device_id = good_dev ? topo.devs[rnd(w, topo.ndevs)] :
			       (__u32[]){ 0, ~0u, 0x7fffffff, 1000 }[rnd(w, 4)];
		a->engine_class = pct(w, 70) ? rnd(w, 4) : (__u16)any32(w);
		a->engine_instance = pct(w, 70) ? rnd(w, 4) : (__u16)any32(w);
	}
	switch (rnd(w, 10)) {
	case 0:
		a->priority = GPUFE_PRIORITY_LOW;
		break;
	case 1:
		a->priority = GPUFE_PRIORITY_HIGH;
		break;
	case 2:
		a->priority = (int)any32(w);
		break;
	default:
		a->priority = GPUFE_PRIORITY_NORMAL;
		break;
	}
	if (pct(w, 5))
		a->flags = bad_bit(w, 0);
	if (pct(w, 5))
		a->pad = any32(w) | 1;
	if (pct(w, 20)) {
		a->ctx_id = any32(w);
		a->slot_offset = any64(w);
	}
}

static void post_ctx_create(struct worker *w, const void *out, int ret)
{
	const struct gpufe_ctx_create *a = out;
	struct client *c;
	bool done = false;

	if (ret || !a)
		return;
	if (!a->ctx_id || a->slot_offset >= GPUFE_COMPLETION_MAX_SIZE ||
	    a->slot_offset % sizeof(struct gpufe_completion_slot))
		anomaly(w, "CTX_CREATE: id %u slot_offset %#llx", a->ctx_id,
			(unsigned long long)a->slot_offset);
	wrlock(w);
	c = client_of(w->p, w->c.g.ci, w->c.g.cgen);
	if (c && c->nctxs < MAX_CTXS) {
		struct fctx *x = &c->ctxs[c->nctxs++];

		memset(x, 0, sizeof(*x));
		x->id = a->ctx_id;
		x->dev = a->device_id;
		x->cls = a->engine_class;
		x->inst = a->engine_instance;
		x->slot = a->slot_offset;
		done = true;
	}
	unlock(w);
	if (!done)
		gpufe_destroy_ctx(w->c.g.fd, a->ctx_id);
}

static void build_ctx_destroy(struct worker *w, void *arg)
{
	struct gpufe_ctx_destroy *a = arg;

	a->ctx_id = w->c.ctx = pick_ctx(w);
	if (pct(w, 5))
		a->pad = any32(w) | 1;
}

static void post_ctx_destroy(struct worker *w, const void *out, int ret)
{
	if (!ret && !w->c.ctx && w->c.faithful)
		anomaly(w, "CTX_DESTROY of context 0 succeeded: a context had id 0");
	if ((!ret || ret == -ENOENT) && w->c.xi >= 0)
		ctx_forget(w, w->c.g.ci, w->c.g.cgen, w->c.ctx);
}

static void build_ctx_status(struct worker *w, void *arg)
{
	struct gpufe_ctx_status *a = arg;

	a->ctx_id = w->c.ctx = pick_ctx(w);
	if (pct(w, 5))
		a->flags = bad_bit(w, 0);
	if (pct(w, 30))
		fill_random(w, &a->submitted, sizeof(*a) - 8);
}

static void post_ctx_status(struct worker *w, const void *out, int ret)
{
	const struct gpufe_ctx_status *a = out;

	if (ret == -ENOENT && w->c.xi >= 0)
		ctx_forget(w, w->c.g.ci, w->c.g.cgen, w->c.ctx);
	if (ret || !a)
		return;
	if (a->completed > a->submitted || a->state > GPUFE_CTX_STATE_LOST ||
	    a->error > 0)
		anomaly(w, "CTX_STATUS: submitted %llu completed %llu error %d state %u",
			(unsigned long long)a->submitted,
			(unsigned long long)a->completed, a->error, a->state);
}

/* Break one or two things of a job about to be submitted. */
static void mutate_submit(struct worker *w, struct gpufe_submit *s,
			  struct gpufe_submit_bo *bl, __u8 *cmds)
{
	static const __u32 sizes[] = {
		0, 1, 2, 3, GPUFE_SUBMIT_MAX_CMDS_SIZE,
		GPUFE_SUBMIT_MAX_CMDS_SIZE + 4, ~0u, 0x80000000u,
	};
	struct ptrsel ps;
	int n = 1 + rnd(w, 2);

	while (n--) {
		switch (rnd(w, 11)) {
		case 0:
			s->ctx_id = pct(w, 50) ? dead_or_foreign_ctx(w) :
				    made_up_handle(w);
			break;
		case 1:
			s->flags |= bad_bit(w, 2);
			break;
		case 2:
			/* A descriptor without the flag, or the flag without one. */
			if (s->flags & GPUFE_SUBMIT_IN_FENCE) {
				s->flags &= ~GPUFE_SUBMIT_IN_FENCE;
			} else {
				s->flags |= pct(w, 50) ? GPUFE_SUBMIT_IN_FENCE : 0;
				s->in_fence_fd = bad_fd(w);
			}
			break;
		case 3:
			ps = place(w, cmds, s->cmds_size, false, 100);
			s->cmds = ps.v;
			break;
		case 4:
			if (pct(w, 50))
				s->cmds_size = sizes[rnd(w, ARRAY_SIZE(sizes))];
			else
				s->cmds_size += (int)rnd(w, 9) - 4;
			break;
		case 5:
			ps = place(w, bl, s->num_bos * sizeof(*bl), false, 100);
			s->bos = ps.v;
			break;
		case 6:
			s->num_bos = (__u32[]){ 0, GPUFE_SUBMIT_MAX_BOS + 1, ~0u,
						s->num_bos + 1 }[rnd(w, 4)];
			if (s->num_bos && s->num_bos <= GPUFE_SUBMIT_MAX_BOS + 1)
				fill_random(w, &bl[s->num_bos - 1], sizeof(*bl));
			break;
		case 7:
			if (!s->num_bos || s->num_bos > GPUFE_SUBMIT_MAX_BOS)
				break;
			switch (rnd(w, 4)) {
			case 0:
				bl[rnd(w, s->num_bos)].handle = pct(w, 50) ?
					dead_or_foreign_bo(w) : made_up_handle(w);
				break;
			case 1:
				bl[rnd(w, s->num_bos)].flags = pct(w, 50) ? 0 :
					any32(w);
				break;
			case 2:
				bl[rnd(w, s->num_bos)].flags |= GPUFE_SUBMIT_BO_WRITE;
				break;
			default:
				/* A buffer listed twice. */
				if (s->num_bos < GPUFE_SUBMIT_MAX_BOS) {
					bl[s->num_bos] = bl[rnd(w, s->num_bos)];
					s->num_bos++;
				}
				break;
			}
			break;
		case 8:
			if (s->cmds_size && s->cmds_size <= CMDS_MAX)
				cmds[rnd(w, s->cmds_size)] ^= 1 << rnd(w, 8);
			break;
		case 9:
			/* Truncate the stream mid-command. */
			if (s->cmds_size > 4)
				s->cmds_size = 4 * (1 + rnd(w, s->cmds_size / 4 - 1));
			break;
		default:
			if (s->cmds_size >= 4 && s->cmds_size <= CMDS_MAX)
				mutate_cmd(w, cmds + 4 * rnd(w, s->cmds_size / 4),
					   s->cmds_size % 4 ? 4 : 8);
			break;
		}
	}
}

/*
 * A client picked for a job that has no context or no buffer gets one
 * now and then, so that jobs run on clients opened, received or dup()ed
 * during the run too. Recorded in the pool and in the call's copy.
 */
static void ensure_ctx_and_bo(struct worker *w)
{
	struct client *cl = &w->c.g.cl, *c;
	struct fctx x = { .id = 0 };

	if (w->c.g.ci < 0)
		return;
	if (!cl->nctxs && pct(w, 75) &&
	    pick_engine(w, cl, &x.dev, &x.cls, &x.inst)) {
		if (!gpufe_create_ctx_slot(w->c.g.fd, x.dev, x.cls, x.inst,
					   &x.id, &x.slot)) {
			wrlock(w);
			c = client_of(w->p, w->c.g.ci, w->c.g.cgen);
			if (c && c->nctxs < MAX_CTXS)
				c->ctxs[c->nctxs++] = x;
			unlock(w);
			cl->ctxs[cl->nctxs++] = x;
		}
	}
	if (!cl->nbos && pct(w, 75)) {
		struct gpufe_bo_create a = { .size = PAGE * (1 + rnd(w, 4)) };

		if (!gpufe_ioctl(w->c.g.fd, GPUFE_IOCTL_BO_CREATE, &a) && a.handle) {
			if (bo_record(w, a.handle, a.size, a.mmap_offset, false)) {
				cl->bos[0].handle = a.handle;
				cl->bos[0].size = a.size;
				cl->bos[0].offset = a.mmap_offset;
				cl->bos[0].ro = 0;
				cl->nbos = 1;
			}
		}
	}
}

static void build_submit(struct worker *w, void *arg)
{
	struct gpufe_submit *s = arg;
	struct gpufe_submit_bo *bl = (void *)(w->arena + BOS_OFF);
	struct jbo jb[GPUFE_SUBMIT_MAX_BOS];
	const struct client *cl = &w->c.g.cl;
	__u8 *cmds = w->arena + CMDS_OFF;
	int perm[MAX_BOS], nb = 0, i, cls;
	size_t size = 0;

	ensure_ctx_and_bo(w);
	s->ctx_id = w->c.ctx = pick_ctx(w);
	cls = w->c.xi >= 0 ? cl->ctxs[w->c.xi].cls : (int)rnd(w, 3);

	/* The buffer list: up to four of the client's, in random order. */
	for (i = 0; i < cl->nbos; i++)
		perm[i] = i;
	for (i = cl->nbos - 1; i > 0; i--) {
		int j = rnd(w, i + 1), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	if (cl->nbos)
		nb = rnd(w, (cl->nbos < 4 ? cl->nbos : 4) + 1);
	for (i = 0; i < nb; i++) {
		const struct fbo *b = &cl->bos[perm[i]];

		bl[i].handle = b->handle;
		bl[i].flags = b->ro ? GPUFE_SUBMIT_BO_READ : 1 + rnd(w, 3);
		jb[i].flags = bl[i].flags;
		jb[i].size = b->size;
	}

	if (pct(w, 2)) {
		/* A long stream of NOPs, up to the limit. */
		struct swgpu_cmd_nop nop = { .opcode = SWGPU_CMD_NOP };

		size = 4 * (1 + rnd(w, GPUFE_SUBMIT_MAX_CMDS_SIZE / 4));
		for (i = 0; i < (int)size; i += 4)
			memcpy(cmds + i, &nop, 4);
	} else {
		int n = 1 + rnd(w, 6);

		while (n--)
			size += gen_cmd(w, cmds + size, cls, jb, nb);
		if (pct(w, 3)) {
			/* A command the engine's class cannot run. */
			struct swgpu_cmd_vadd v = { .opcode = SWGPU_CMD_VADD };

			memcpy(cmds + size, &v, sizeof(v));
			size += sizeof(v);
		}
	}
	/* Junk after the stream, for a cmds_size made too large. */
	memset(cmds + size, pct(w, 50) ? 0 : 0xff, 64);

	s->cmds = (uintptr_t)cmds;
	s->cmds_size = size;
	s->bos = (uintptr_t)bl;
	s->num_bos = nb;
	if (pct(w, 30)) {
		int fd = pick_fd(w, FK_SYNC, NULL);

		if (fd >= 0) {
			s->flags |= GPUFE_SUBMIT_IN_FENCE;
			s->in_fence_fd = fd;
		}
	}
	if (pct(w, 40))
		s->flags |= GPUFE_SUBMIT_OUT_FENCE;
	if (pct(w, 10)) {
		s->out_fence_fd = any32(w);
		s->seqno = any64(w);
	}
	if (pct(w, 25))
		mutate_submit(w, s, bl, cmds);
	if (s->cmds == (uintptr_t)cmds && s->cmds_size <= CMDS_MAX)
		keep_job_short(cmds, s->cmds_size);
	w->c.flags = s->flags;
}

static void post_submit(struct worker *w, const void *out, int ret)
{
	const struct gpufe_submit *s = out;
	struct client *c;
	int i;

	if (ret == -ENOENT && w->c.xi >= 0 && s && s->ctx_id == w->c.ctx) {
		/* The context, or one of the buffers, is gone. */
		struct gpufe_ctx_status st;

		if (gpufe_get_status(w->c.g.fd, w->c.ctx, &st) == -ENOENT)
			ctx_forget(w, w->c.g.ci, w->c.g.cgen, w->c.ctx);
	}
	if (ret || !s)
		return;
	if (!s->seqno)
		anomaly(w, "SUBMIT gave seqno 0");
	if (w->c.flags & GPUFE_SUBMIT_OUT_FENCE) {
		if (s->out_fence_fd < 0)
			anomaly(w, "SUBMIT gave out-fence fd %d", s->out_fence_fd);
		else
			fd_add_locked(w, FK_SYNC, s->out_fence_fd, 0, false);
	}
	wrlock(w);
	c = client_of(w->p, w->c.g.ci, w->c.g.cgen);
	for (i = 0; c && i < c->nctxs; i++)
		if (c->ctxs[i].id == s->ctx_id && c->ctxs[i].submitted < s->seqno)
			c->ctxs[i].submitted = s->seqno;
	unlock(w);
}

static void build_wait(struct worker *w, void *arg)
{
	struct gpufe_wait *a = arg;
	__u64 sub = 0;
	__s64 now = gpufe_now_ns();

	a->ctx_id = w->c.ctx = pick_ctx(w);
	if (w->c.xi >= 0)
		sub = w->c.g.cl.ctxs[w->c.xi].submitted;
	switch (rnd(w, 10)) {
	case 0:
		a->seqno = sub + 1;
		break;
	case 1:
		a->seqno = pct(w, 50) ? 0 : any64(w);
		break;
	case 2:
		a->seqno = sub;
		break;
	default:
		a->seqno = sub ? 1 + rnd(w, sub) : 1;
		break;
	}
	switch (rnd(w, 20)) {
	case 0:
		a->timeout_ns = 0;
		break;
	case 1:
		a->timeout_ns = INT64_MIN;
		break;
	case 2:
		/* Endless: the job's completion or the kick ends it. */
		a->timeout_ns = INT64_MAX;
		break;
	case 3: case 4:
		a->timeout_ns = now + rnd(w, 30000000);
		break;
	case 5: case 6: case 7: case 8: case 9: case 10: case 11:
		a->timeout_ns = now - rnd(w, 1000000);
		break;
	default:
		a->timeout_ns = now + rnd(w, 3000000);
		break;
	}
	if (pct(w, 5))
		a->flags = bad_bit(w, 0);
}

static void post_wait(struct worker *w, const void *out, int ret)
{
	if (ret == -ENOENT && w->c.xi >= 0)
		ctx_forget(w, w->c.g.ci, w->c.g.cgen, w->c.ctx);
}

/*
 * A partition of one of the subtest's devices: an engine mask that is a
 * subset of the device's, a weight, a memory quota (small now and then,
 * so that buffers run into it), a limit of clients (one to three now and
 * then, so that opens run into it), persistence with a node; and now and
 * then one field made bad.
 */
static void build_part_create(struct worker *w, void *arg)
{
	struct gpufe_partition_create *a = arg;
	int d = topo.ndevs ? rnd(w, topo.ndevs) : 0;
	unsigned int n = topo.ndevs ? topo.neng[d] : 0, r;
	__u64 all = low_bits(n);

	a->device_id = topo.ndevs ? topo.devs[d] : 0;
	switch (rnd(w, 4)) {
	case 0:
		a->engine_mask = n ? 1ULL << rnd(w, n) : 0;
		break;
	case 1:
		a->engine_mask = all;
		break;
	default:
		a->engine_mask = rnd64(w) & all;
		if (!a->engine_mask && n)
			a->engine_mask = 1ULL << rnd(w, n);
		break;
	}
	a->weight = pct(w, 20) ? (pct(w, 50) ? 1 : GPUFE_PARTITION_MAX_WEIGHT) :
		    1 + rnd(w, GPUFE_PARTITION_MAX_WEIGHT);
	r = rnd(w, 100);
	if (r < 45)
		a->mem_quota = 0;
	else if (r < 75)
		a->mem_quota = PAGE * (1 + rnd(w, 16));
	else if (r < 95)
		a->mem_quota = (__u64)(1 + rnd(w, 64)) << 20;
	else
		a->mem_quota = any64(w);
	r = rnd(w, 100);
	a->max_clients = r < 60 ? 0 : r < 95 ? 1 + rnd(w, 3) : any32(w);
	if (pct(w, 25) && __atomic_load_n(&w->sh->persistent_made,
					   __ATOMIC_RELAXED) < MAX_PERSISTENT) {
		a->flags = GPUFE_PARTITION_PERSISTENT;
		a->node_uid = (__u32[]){ 0, 0, 65534, 1000 }[rnd(w, 4)];
		a->node_gid = (__u32[]){ 0, 0, 65534, 1000 }[rnd(w, 4)];
		a->node_mode = (__u32[]){ 0, 0600, 0660, 0666, 0640, 0 }[rnd(w, 6)];
		if (!a->node_mode && pct(w, 50))
			a->node_mode = rnd(w, 01000);
	}
	if (pct(w, 15)) {
		/* One field the kernel must refuse. */
		w->c.bad = true;
		switch (rnd(w, 10)) {
		case 0:
			a->engine_mask = 0;
			break;
		case 1:
			/*
			 * topo holds MAX_ENGINES at most, and inside a
			 * partition (GPUFE_FD) only the partition's: the
			 * device may have more.
			 */
			if (n >= MAX_ENGINES || gpufe_in_partition())
				w->c.bad = false;
			a->engine_mask |= 1ULL << (n + rnd(w, 64 - n));
			break;
		case 2:
			a->weight = pct(w, 50) ? 0 : GPUFE_PARTITION_MAX_WEIGHT +
				    1 + rnd(w, ~0u - GPUFE_PARTITION_MAX_WEIGHT);
			break;
		case 3:
			a->flags |= bad_bit(w, 1);
			break;
		case 4:
			a->engine_timeout_ms = GPUFE_ENGINE_TIMEOUT_MAX_MS + 1 +
				rnd(w, ~0u - GPUFE_ENGINE_TIMEOUT_MAX_MS - 1);
			break;
		case 5:
			/* Node fields without a node. */
			a->flags = 0;
			if (pct(w, 50))
				a->node_mode = 0600;
			else
				a->node_uid = 1 + rnd(w, 1000);
			break;
		case 6:
			a->node_mode |= 01000 << rnd(w, 3);
			break;
		case 7:
			/* No uid or gid maps to -1. */
			if (pct(w, 50))
				a->node_uid = ~0u;
			else
				a->node_gid = ~0u;
			break;
		default:
			/* Not certain to be unknown to the kernel. */
			w->c.bad = false;
			a->device_id = (__u32[]){ 0, ~0u, 0x7fffffff, 1000 }[rnd(w, 4)];
			break;
		}
	}
	if (pct(w, 20)) {
		a->partition_id = any32(w);
		a->fd = (int)any32(w);
	}
}

static void post_part_create(struct worker *w, const void *out, int ret)
{
	const struct gpufe_partition_create *a = out;
	bool persistent;

	if (ret || !a)
		return;
	if (w->c.bad && w->c.faithful)
		anomaly(w, "PARTITION_CREATE succeeded with a bad field: device %u flags %#x mask %#llx weight %u uid %u gid %u mode %#o engine_timeout_ms %u",
			a->device_id, a->flags,
			(unsigned long long)a->engine_mask, a->weight,
			a->node_uid, a->node_gid, a->node_mode,
			a->engine_timeout_ms);
	if (a->fd < 0 || !a->partition_id ||
	    a->partition_id >= GPUFE_PARTITION_MAX) {
		anomaly(w, "PARTITION_CREATE gave partition %u, fd %d",
			a->partition_id, a->fd);
		return;
	}
	persistent = a->flags & GPUFE_PARTITION_PERSISTENT;
	if (persistent)
		__atomic_add_fetch(&w->sh->persistent_made, 1, __ATOMIC_RELAXED);
	part_note(w, a->partition_id, a->device_id, a->engine_mask, persistent);
	part_fd_check(w, a->fd, "PARTITION_CREATE");
	if (pct(w, 50))
		part_create_check(w, a->fd, a);
	wrlock(w);
	part_client_add(w, a->fd, a->partition_id, a->device_id,
			a->engine_mask);
	unlock(w);
}

/*
 * A partition to open a client of: from a client of a partition, its own
 * (id 0 mostly); from one without, any the fuzzing made, alive or ended.
 */
static void build_part_open(struct worker *w, void *arg)
{
	struct gpufe_partition_open *a = arg;
	const struct client *cl = &w->c.g.cl;
	unsigned int r = rnd(w, 100);

	if (cl->part)
		a->partition_id = r < 70 ? 0 : r < 85 ? cl->part :
				  part_pick_id(w, false);
	else
		a->partition_id = r < 8 ? 0 : part_pick_id(w, false);
	if (pct(w, 4))
		a->flags = bad_bit(w, 0);
	if (pct(w, 4))
		a->pad = any32(w) | 1;
	if (pct(w, 20))
		a->fd = (int)any32(w);
	w->c.part = a->partition_id;
}

static void post_part_open(struct worker *w, const void *out, int ret)
{
	const struct gpufe_partition_open *a = out;
	const struct client *cl = &w->c.g.cl;
	struct spart sp = { .id = 0 };
	__u32 id = w->c.part;

	if (ret || !a)
		return;
	if (a->fd < 0) {
		anomaly(w, "PARTITION_OPEN gave fd %d", a->fd);
		return;
	}
	part_fd_check(w, a->fd, "PARTITION_OPEN");
	/* The caller's own partition, or one by id, as far as known. */
	if (cl->part && (!id || id == cl->part)) {
		sp.id = cl->part;
		sp.dev = cl->part_dev;
		sp.mask = cl->part_mask;
	} else if (!part_find(w, id, &sp)) {
		sp.id = id;
	}
	wrlock(w);
	part_client_add(w, a->fd, sp.id, sp.dev, sp.mask);
	unlock(w);
}

static void build_part_revoke(struct worker *w, void *arg)
{
	struct gpufe_partition_revoke *a = arg;

	/* Persistent ones mostly: they do not end by themselves. */
	a->partition_id = w->c.part = part_pick_id(w, pct(w, 60));
	if (pct(w, 5))
		a->flags = bad_bit(w, 0);
	rdlock(w);
	w->c.gen = w->p->gen;
	unlock(w);
}

static void post_part_revoke(struct worker *w, const void *out, int ret)
{
	struct pool *p = w->p;
	int i, ci = -1;
	unsigned int cgen = 0;

	if (ret)
		return;
	if (w->c.faithful && pct(w, 50))
		revoked_check(w, w->c.part, w->c.gen);
	/* Forget a client of it now and then; the others stay, revoked. */
	if (!pct(w, 30))
		return;
	rdlock(w);
	for (i = 0; i < p->nfds; i++) {
		const struct fent *f = &p->fds[i];

		if (f->kind == FK_GPUFE && p->clients[f->client].part == w->c.part) {
			ci = f->client;
			cgen = p->clients[ci].gen;
			break;
		}
	}
	unlock(w);
	if (ci >= 0)
		client_drop(w, ci, cgen);
}

static const struct iodesc iodescs[] = {
	{ "VERSION", GPUFE_IOCTL_VERSION, sizeof(struct gpufe_version),
	  build_version, post_version },
	{ "QUERY", GPUFE_IOCTL_QUERY, sizeof(struct gpufe_query),
	  build_query, post_query },
	{ "BO_CREATE", GPUFE_IOCTL_BO_CREATE, sizeof(struct gpufe_bo_create),
	  build_bo_create, post_bo_create },
	{ "BO_DESTROY", GPUFE_IOCTL_BO_DESTROY, sizeof(struct gpufe_bo_destroy),
	  build_bo_destroy, post_bo_destroy },
	{ "BO_EXPORT", GPUFE_IOCTL_BO_EXPORT, sizeof(struct gpufe_bo_export),
	  build_bo_export, post_bo_export },
	{ "BO_IMPORT", GPUFE_IOCTL_BO_IMPORT, sizeof(struct gpufe_bo_import),
	  build_bo_import, post_bo_import },
	{ "CTX_CREATE", GPUFE_IOCTL_CTX_CREATE, sizeof(struct gpufe_ctx_create),
	  build_ctx_create, post_ctx_create },
	{ "CTX_DESTROY", GPUFE_IOCTL_CTX_DESTROY, sizeof(struct gpufe_ctx_destroy),
	  build_ctx_destroy, post_ctx_destroy },
	{ "CTX_STATUS", GPUFE_IOCTL_CTX_STATUS, sizeof(struct gpufe_ctx_status),
	  build_ctx_status, post_ctx_status },
	{ "SUBMIT", GPUFE_IOCTL_SUBMIT, sizeof(struct gpufe_submit),
	  build_submit, post_submit },
	{ "WAIT", GPUFE_IOCTL_WAIT, sizeof(struct gpufe_wait),
	  build_wait, post_wait },
	{ "PARTITION_CREATE", GPUFE_IOCTL_PARTITION_CREATE,
	  sizeof(struct gpufe_partition_create),
	  build_part_create, post_part_create },
	{ "PARTITION_OPEN", GPUFE_IOCTL_PARTITION_OPEN,
	  sizeof(struct gpufe_partition_open),
	  build_part_open, post_part_open },
	{ "PARTITION_REVOKE", GPUFE_IOCTL_PARTITION_REVOKE,
	  sizeof(struct gpufe_partition_revoke),
	  build_part_revoke, post_part_revoke },
};

/* One typed gpufe ioctl: iodescs[nr] with an argument built for it. */
static int ioctl_op(struct worker *w, unsigned int nr)
{
	const struct iodesc *d = &iodescs[nr];
	void *arg = arg_buf(w, d->size);
	struct ptrsel ps;
	int fd, ret;

	memset(&w->c, 0, sizeof(w->c));
	w->c.bi = w->c.xi = -1;
	/*
	 * Clients of partitions open their own partition's; only clients
	 * without partition create and revoke partitions.
	 */
	if (d->req == GPUFE_IOCTL_PARTITION_OPEN && pct(w, 60))
		fd = gpufe_fd_of(w, &w->c.g, true);
	else if ((d->req == GPUFE_IOCTL_PARTITION_CREATE ||
		  d->req == GPUFE_IOCTL_PARTITION_REVOKE) && pct(w, 75))
		fd = gpufe_fd_of(w, &w->c.g, false);
	else
		fd = gpufe_fd(w, &w->c.g);
	d->build(w, arg);
	ps = place(w, arg, d->size, true, 12);
	w->c.faithful = ps.kind == P_OK || ps.kind == P_UNALIGNED ||
			ps.kind == P_RO;
	ret = fz_ioctl(w, fd, d->req, ps.v, w->c.g.ci >= 0);
	if (!ret && ps.kind == P_RO && (_IOC_DIR(d->req) & _IOC_READ))
		anomaly(w, "%s succeeded on a read-only argument", d->name);
	ptr_done(w);
	d->post(w, ps.out, ret);
	/* A client of an ended partition is forgotten now and then. */
	if (ret == -ENODEV && w->c.g.ci >= 0 && w->c.g.cl.part && pct(w, 10))
		client_drop(w, w->c.g.ci, w->c.g.cgen);
	return ret;
}

static int op_version(struct worker *w)
{
	return ioctl_op(w, 0);
}

static int op_query(struct worker *w)
{
	return ioctl_op(w, 1);
}

static int op_bo_create(struct worker *w)
{
	return ioctl_op(w, 2);
}

static int op_bo_destroy(struct worker *w)
{
	return ioctl_op(w, 3);
}

static int op_bo_export(struct worker *w)
{
	return ioctl_op(w, 4);
}

static int op_bo_import(struct worker *w)
{
	return ioctl_op(w, 5);
}

static int op_ctx_create(struct worker *w)
{
	return ioctl_op(w, 6);
}

static int op_ctx_destroy(struct worker *w)
{
	return ioctl_op(w, 7);
}

static int op_ctx_status(struct worker *w)
{
	return ioctl_op(w, 8);
}

static int op_submit(struct worker *w)
{
	return ioctl_op(w, 9);
}

static int op_wait(struct worker *w)
{
	return ioctl_op(w, 10);
}

static int op_part_create(struct worker *w)
{
	return ioctl_op(w, 11);
}

static int op_part_open(struct worker *w)
{
	return ioctl_op(w, 12);
}

static int op_part_revoke(struct worker *w)
{
	return ioctl_op(w, 13);
}

/*
 * An ioctl with its number, type, direction or size bits changed, over a
 * plausible argument with a zero or non-zero tail.
 */
static int op_raw_ioctl(struct worker *w)
{
	unsigned int nr, type = GPUFE_IOCTL_BASE, dir, size, r;
	const struct iodesc *d = NULL;
	struct ptrsel ps;
	__u8 *arg;
	int fd, ret;

	r = rnd(w, 100);
	if (r < 75)
		nr = rnd(w, ARRAY_SIZE(iodescs));
	else if (r < 85)
		nr = ARRAY_SIZE(iodescs) + rnd(w, 6);
	else if (r < 90)
		nr = 0xff;
	else
		nr = rnd(w, 256);
	if (nr < ARRAY_SIZE(iodescs))
		d = &iodescs[nr];

	memset(&w->c, 0, sizeof(w->c));
	w->c.bi = w->c.xi = -1;
	fd = gpufe_fd(w, &w->c.g);
	/* Other types only on gpufe's own files. */
	if (w->c.g.ci >= 0 && pct(w, 8))
		type = pct(w, 50) ? 'b' : rnd(w, 256);

	dir = d && pct(w, 80) ? _IOC_DIR(d->req) : rnd(w, 4);
	r = rnd(w, 100);
	if (!d || r < 10)
		size = rnd(w, 256);
	else if (r < 60)
		size = d->size;
	else if (r < 70)
		size = d->size + (int)(rnd(w, 17)) - 8;
	else if (r < 80)
		size = 0;
	else if (r < 95)
		size = d->size + rnd(w, 64);
	else
		size = _IOC_SIZEMASK;
	size &= _IOC_SIZEMASK;

	arg = arg_buf(w, size);
	if (d)
		d->build(w, arg);
	else
		fill_random(w, arg, size < 64 ? size : 64);
	if (d && size > d->size && pct(w, 25))
		fill_random(w, arg + d->size + rnd(w, size - d->size), 1);

	ps = place(w, arg, size, true, 12);
	w->c.faithful = ps.kind == P_OK || ps.kind == P_UNALIGNED ||
			ps.kind == P_RO;
	ret = fz_ioctl(w, fd, _IOC(dir, type, nr, size), ps.v, false);
	ptr_done(w);
	/* What it made, when the kernel wrote all of it back. */
	if (!ret && d && type == GPUFE_IOCTL_BASE && size >= d->size &&
	    dir == _IOC_DIR(d->req) && w->c.g.ci >= 0)
		d->post(w, ps.out, ret);
	return ret;
}

/* --- mappings ------------------------------------------------------------------- */

/*
 * Whether the mapping at addr is of a gpufe client, as /proc/self/maps
 * says (not of a dma-buf, as a descriptor may have become meanwhile): of
 * /dev/gpufe, of a persistent partition's node, or of the anonymous file
 * of a client PARTITION_CREATE or _OPEN made. Made at an offset below
 * 4 GiB, such a mapping is of the completion page or, at
 * GPUFE_CONFIG_REG_MMAP_OFFSET, of the register page; the offset /proc
 * shows is no help, as buffer mappings rewrite theirs.
 */
static bool mapped_from_gpufe(const void *addr)
{
	FILE *f = fopen("/proc/self/maps", "re");
	bool ret = false;
	char line[512];

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end;
		char path[256] = "";

		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %255s", &start,
			   &end, path) < 2)
			continue;
		if ((uintptr_t)addr < start || (uintptr_t)addr >= end)
			continue;
		ret = !strcmp(path, GPUFE_DEV) ||
		      !strcmp(path, "anon_inode:[gpufe]") ||
		      !strncmp(path, "/dev/gpufe-part", 15);
		break;
	}
	fclose(f);
	return ret;
}

static int some_prot(struct worker *w, bool readonly)
{
	static const int prots[] = {
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ,
		PROT_NONE, PROT_WRITE, PROT_READ | PROT_WRITE | PROT_EXEC,
		PROT_READ | PROT_EXEC,
	};

	if (readonly && pct(w, 75))
		return PROT_READ;
	return prots[rnd(w, ARRAY_SIZE(prots))];
}

static int some_mflags(struct worker *w)
{
	int fl = MAP_SHARED;

	switch (rnd(w, 30)) {
	case 0:
		fl = MAP_PRIVATE;
		break;
	case 1:
		/* MAP_SHARED_VALIDATE with a flag it does not know. */
		fl = 0x03 | 0x200000;
		break;
	case 2:
		fl = MAP_SHARED | MAP_NORESERVE;
		break;
	}
	if (pct(w, 10))
		fl |= MAP_POPULATE;
	return fl;
}

static int op_mmap(struct worker *w)
{
	static const __u64 bad_off[] = {
		PAGE, 1ULL << 31, (1ULL << 32) - PAGE, 1ULL << 40,
		~0ULL & ~(PAGE - 1), 0x7fffffffffff000ULL,
		GPUFE_COMPLETION_MAX_SIZE,
	};
	struct gpick g;
	int fd, kind, prot, flags, ci = -1;
	unsigned int cgen = 0;
	__u64 off = 0, pages = 1, first;
	size_t len;
	void *p;

	switch (rnd(w, 22)) {
	case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
	case 8: case 9: {
		fd = gpufe_fd(w, &g);
		kind = MK_BO;
		if (g.cl.nbos && pct(w, 95)) {
			const struct fbo *b = &g.cl.bos[rnd(w, g.cl.nbos)];

			pages = b->size / PAGE;
			first = pct(w, 75) ? 0 : rnd(w, pages);
			off = b->offset + first * PAGE;
			pages -= first;
			if (pct(w, 15))
				pages = 1 + rnd(w, pages);
			else if (pct(w, 5))
				pages++;
			prot = some_prot(w, b->ro);
		} else {
			off = bad_off[rnd(w, ARRAY_SIZE(bad_off))];
			prot = some_prot(w, false);
		}
		ci = g.ci;
		cgen = g.cgen;
		break;
	}
	case 10: case 11: case 12: case 13: case 14:
		fd = gpufe_fd(w, &g);
		kind = MK_CPAGE;
		ci = g.ci;
		cgen = g.cgen;
		switch (rnd(w, 10)) {
		case 0:
			pages = GPUFE_COMPLETION_MAX_SIZE / PAGE;
			break;
		case 1:
			pages = GPUFE_COMPLETION_MAX_SIZE / PAGE + 1;
			break;
		case 2:
			off = PAGE * (1 + rnd(w, 4));
			break;
		default:
			pages = 1 + rnd(w, 3);
			break;
		}
		prot = some_prot(w, true);
		break;
	case 15: case 16: case 17: {
		struct fent f = { .size = 0 };

		kind = MK_DMABUF;
		fd = pick_fd(w, FK_DMABUF, &f);
		if (fd < 0)
			fd = bad_fd(w);
		pages = f.size / PAGE;
		if (!pages)
			pages = 1;
		first = pct(w, 75) ? 0 : rnd(w, pages);
		off = first * PAGE;
		pages -= first;
		if (pct(w, 5))
			pages++;
		prot = some_prot(w, !f.rw);
		break;
	}
	case 18: case 19: {
		/* The register page: of a partition's client, one page. */
		static const __s64 delta[] = {
			-(__s64)PAGE, PAGE, 2 * PAGE, 1,
			-(__s64)GPUFE_CONFIG_REG_MMAP_OFFSET,
		};

		fd = pct(w, 75) ? gpufe_fd_of(w, &g, true) : gpufe_fd(w, &g);
		kind = MK_REG;
		ci = g.ci;
		cgen = g.cgen;
		off = GPUFE_CONFIG_REG_MMAP_OFFSET;
		if (pct(w, 10))
			off += delta[rnd(w, ARRAY_SIZE(delta))];
		if (pct(w, 15))
			pages = pct(w, 50) ? 2 : 1 + rnd(w, 16);
		prot = some_prot(w, true);
		break;
	}
	default:
		/* Something that is not gpufe's, or no offset it has. */
		kind = MK_OTHER;
		fd = pct(w, 50) ? bad_fd(w) : gpufe_fd(w, &g);
		off = bad_off[rnd(w, ARRAY_SIZE(bad_off))];
		prot = some_prot(w, false);
		break;
	}
	len = pages * PAGE;
	if (pct(w, 3))
		len = pct(w, 50) ? 0 : len - 1 - rnd(w, PAGE - 1);
	flags = some_mflags(w);
	p = mmap(NULL, len, prot, flags, fd, (off_t)off);
	if (p == MAP_FAILED)
		return -errno;
	/* The fd may have become a dma-buf meanwhile: ask what was mapped. */
	if ((prot & PROT_WRITE) && off < (1ULL << 32) && mapped_from_gpufe(p))
		anomaly(w, "a writable mapping at %#llx (completion or register page) succeeded",
			(unsigned long long)off);
	/* Nothing else knows the mapping yet: it stays what was mapped. */
	if (off == GPUFE_CONFIG_REG_MMAP_OFFSET && mapped_from_gpufe(p)) {
		struct gpufe_config_reg reg;

		if (len > PAGE)
			anomaly(w, "a mapping of %zu bytes of the register page succeeded",
				len);
		if ((prot & PROT_READ) && probed_copy(w, &reg, p, sizeof(reg))) {
			reg_check(w, &reg, "the register page");
			if (!reg.partition_id)
				anomaly(w, "the register page has partition 0");
		}
	}
	map_add(w, p, len ? (len + PAGE - 1) & ~(PAGE - 1) : PAGE, prot, kind,
		ci, cgen);
	return 0;
}

static int op_munmap(struct worker *w)
{
	struct pool *p = w->p;
	struct ment m, *e;
	size_t pages, a, b;
	int i, ret;

	wrlock(w);
	if (!p->nmaps) {
		unlock(w);
		return 1;
	}
	i = rnd(w, p->nmaps);
	e = &p->maps[i];
	m = *e;
	pages = m.len / PAGE;
	if (pct(w, 70) || pages < 2) {
		map_del(p, i);
		unlock(w);
		return 0;
	}
	/* A part: the pages [a, b), leaving what is left on either side. */
	a = rnd(w, pages);
	b = a + 1 + rnd(w, pages - a);
	ret = munmap((__u8 *)m.addr + a * PAGE, (b - a) * PAGE) ? -errno : 0;
	if (!ret) {
		e->len = a * PAGE;
		if (!a)
			*e = p->maps[--p->nmaps];
		if (b < pages) {
			if (p->nmaps == MAX_MAPS) {
				munmap((__u8 *)m.addr + b * PAGE, (pages - b) * PAGE);
			} else {
				e = &p->maps[p->nmaps++];
				*e = m;
				e->addr = (__u8 *)m.addr + b * PAGE;
				e->len = (pages - b) * PAGE;
			}
		}
	}
	unlock(w);
	return ret;
}

/* mprotect(), madvise(), msync() and mremap() of a mapping. */
static int op_vma(struct worker *w)
{
	static const int advice[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
		MADV_DONTNEED, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK,
		MADV_DONTDUMP, MADV_DODUMP, 20 /* COLD */, 21 /* PAGEOUT */,
		22 /* POPULATE_READ */, 23 /* POPULATE_WRITE */, MADV_HUGEPAGE,
	};
	static const int msflags[] = {
		MS_ASYNC, MS_SYNC, MS_INVALIDATE, MS_SYNC | MS_INVALIDATE,
		MS_ASYNC | MS_SYNC,
	};
	struct pool *p = w->p;
	struct ment *m;
	size_t pages, newlen, first, n_pages;
	void *n;
	int ret = 0, prot;

	wrlock(w);
	if (!p->nmaps) {
		unlock(w);
		return 1;
	}
	m = &p->maps[rnd(w, p->nmaps)];
	pages = m->len / PAGE;
	switch (rnd(w, 4)) {
	case 0:
		prot = some_prot(w, false);
		ret = mprotect(m->addr, m->len, prot) ? -errno : 0;
		if (!ret)
			m->prot = prot;
		if (!ret && (m->kind == MK_CPAGE || m->kind == MK_REG) &&
		    (prot & PROT_WRITE) && mapped_from_gpufe(m->addr))
			anomaly(w, "mprotect() made the completion or register page writable");
		break;
	case 1:
		/* Within the mapping: next to it may be the process's own. */
		first = rnd(w, pages);
		n_pages = 1 + rnd(w, pages - first);
		ret = madvise((__u8 *)m->addr + PAGE * first, PAGE * n_pages,
			      advice[rnd(w, ARRAY_SIZE(advice))]) ? -errno : 0;
		break;
	case 2:
		ret = msync(m->addr, m->len,
			    msflags[rnd(w, ARRAY_SIZE(msflags))]) ? -errno : 0;
		break;
	default:
		newlen = pct(w, 50) && pages > 1 ? PAGE * (1 + rnd(w, pages - 1)) :
			 m->len + PAGE * rnd(w, 3);
		n = mremap(m->addr, m->len, newlen, MREMAP_MAYMOVE);
		if (n == MAP_FAILED) {
			ret = -errno;
		} else {
			m->addr = n;
			m->len = newlen;
		}
		break;
	}
	unlock(w);
	return ret;
}

/* Loads and stores through a mapping; faults are expected and caught. */
static int op_touch(struct worker *w)
{
	struct pool *p = w->p;
	struct access a = { .sum = 0 };
	const struct ment *m;
	size_t off;
	bool ok;

	rdlock(w);
	if (!p->nmaps) {
		unlock(w);
		return 1;
	}
	m = &p->maps[rnd(w, p->nmaps)];
	off = rnd(w, m->len) & ~3UL;
	a.p = (__u8 *)m->addr + off;
	a.n = pct(w, 80) ? 4 + rnd(w, 60) : 65536;
	if (off + a.n > m->len)
		a.n = m->len - off;
	a.val = (__u8)rnd64(w);
	/* Writes where the protection allows, now and then where it does not. */
	a.how = (m->prot & PROT_WRITE) || pct(w, 5) ? rnd(w, 3) : 0;
	ok = probed(w, &a);
	unlock(w);
	return ok ? 0 : -EFAULT;
}

/* A completion slot of a context, read as the uAPI says. */
static int op_slot(struct worker *w)
{
	struct pool *p = w->p;
	struct slot_read r = { .s = NULL };
	int i, n = 0, idx[MAX_MAPS];
	const struct ment *m;
	const struct client *c;
	__u64 off;
	bool ok;

	rdlock(w);
	for (i = 0; i < p->nmaps; i++)
		if (p->maps[i].kind == MK_CPAGE && (p->maps[i].prot & PROT_READ))
			idx[n++] = i;
	if (!n) {
		unlock(w);
		return 1;
	}
	m = &p->maps[idx[rnd(w, n)]];
	c = client_of(p, m->client, m->cgen);
	if (c && c->nctxs && pct(w, 90))
		off = c->ctxs[rnd(w, c->nctxs)].slot;
	else
		off = rnd(w, m->len / sizeof(*r.s)) * sizeof(*r.s);
	if (off + sizeof(*r.s) > m->len) {
		unlock(w);
		return 1;
	}
	r.s = gpufe_slot(m->addr, off);
	ok = probed_slot(w, &r);
	unlock(w);
	return ok ? 0 : -EFAULT;
}

/* --- events, poll, epoll ----------------------------------------------------------- */

static int op_read(struct worker *w)
{
	static const size_t counts[] = {
		0, 1, 23, 24, 25, 47, 48, 100, 240, BUF_MAX,
	};
	struct gpick g;
	size_t count = counts[rnd(w, ARRAY_SIZE(counts))];
	struct ptrsel ps;
	ssize_t n;
	int fd, err;
	bool same;

	fd = gpufe_fd(w, &g);
	/* A blocking read with nothing to read waits for the kick: rarely. */
	if (pct(w, 70) && !(fcntl(fd, F_GETFL) & O_NONBLOCK) &&
	    gpufe_poll_fd(fd, POLLIN, rnd(w, 3)) <= 0)
		return 1;
	ps = place(w, w->arena + BUF_OFF, count, false, 15);
	n = read(fd, (void *)(uintptr_t)ps.v, count);
	err = n < 0 ? errno : 0;
	ptr_done(w);
	/*
	 * Whether the descriptor stayed the client picked: another thread
	 * may have closed it and opened some other file under its number.
	 */
	rdlock(w);
	same = w->p->closes == g.closes;
	unlock(w);
	if (g.ci >= 0 && n > 0 && same) {
		size_t i;

		if ((size_t)n > count || n % sizeof(struct gpufe_event))
			anomaly(w, "read() of %zu gave %zd bytes of events",
				count, n);
		for (i = 0; ps.out && i + sizeof(struct gpufe_event) <= (size_t)n;
		     i += sizeof(struct gpufe_event)) {
			struct gpufe_event ev;

			memcpy(&ev, (__u8 *)ps.out + i, sizeof(ev));
			if (ev.type != GPUFE_EVENT_COMPLETION ||
			    ev.length != sizeof(ev) || !ev.ctx_id ||
			    !ev.seqno || ev.error > 0)
				anomaly(w, "event type %u length %u ctx %u seqno %llu error %d",
					ev.type, ev.length, ev.ctx_id,
					(unsigned long long)ev.seqno, ev.error);
		}
	}
	if (err >= 512)
		anomaly(w, "read() failed with kernel-internal errno %d", err);
	return -err;
}

static int op_poll(struct worker *w)
{
	struct pollfd *pf = (void *)(w->arena + BUF_OFF);
	struct pool *p = w->p;
	int n = 1 + rnd(w, 4), i, ret;
	struct ptrsel ps;

	rdlock(w);
	for (i = 0; i < n; i++) {
		pf[i].fd = p->nfds && pct(w, 90) ? p->fds[rnd(w, p->nfds)].fd : -1;
		pf[i].events = POLLIN | (pct(w, 30) ? POLLOUT : 0) |
			       (pct(w, 10) ? POLLPRI : 0) | POLLRDNORM;
		pf[i].revents = 0;
	}
	unlock(w);
	ps = place(w, pf, n * sizeof(*pf), false, 5);
	ret = poll((void *)(uintptr_t)ps.v, n, rnd(w, 5));
	ptr_done(w);
	return ret < 0 ? -errno : 0;
}

static int op_epoll(struct worker *w)
{
	struct epoll_event ev[4];
	int ep, fd, ret;

	ep = pick_fd(w, FK_EPOLL, NULL);
	if (ep < 0) {
		ep = epoll_create1(EPOLL_CLOEXEC);
		if (ep < 0)
			return -errno;
		fd_add_locked(w, FK_EPOLL, ep, 0, false);
	}
	switch (rnd(w, 3)) {
	case 0: {
		struct gpick g;

		fd = pct(w, 70) ? gpufe_fd(w, &g) : bad_fd(w);
		ev[0].events = EPOLLIN | (pct(w, 30) ? EPOLLET : 0) |
			       (pct(w, 10) ? EPOLLONESHOT : 0) |
			       (pct(w, 20) ? EPOLLOUT : 0);
		ev[0].data.u64 = rnd64(w);
		ret = epoll_ctl(ep, pct(w, 70) ? EPOLL_CTL_ADD :
				pct(w, 50) ? EPOLL_CTL_DEL : EPOLL_CTL_MOD,
				fd, ev);
		break;
	}
	default:
		ret = epoll_wait(ep, ev, 4, rnd(w, 5));
		break;
	}
	return ret < 0 ? -errno : 0;
}

/* --- descriptors ------------------------------------------------------------------- */

static int op_open(struct worker *w)
{
	static const int acc[] = { O_RDWR, O_RDWR, O_RDWR, O_RDONLY, O_WRONLY };
	int fd, kind = FK_GPUFE, extra = 0;

	switch (rnd(w, 20)) {
	case 0:
		fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		kind = FK_OTHER;
		break;
	case 1:
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		kind = FK_OTHER;
		break;
	case 2: {
		int pfd[2];

		if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK))
			return -errno;
		fd_add_locked(w, FK_OTHER, pfd[1], 0, false);
		fd = pfd[0];
		kind = FK_OTHER;
		break;
	}
	case 3:
		fd = open(GPUFE_DEV, O_PATH | O_CLOEXEC);
		kind = FK_OTHER;
		break;
	case 4: case 5: {
		/* A persistent partition's node: alive, gone, or never made. */
		struct spart sp = { .id = 0 };
		char path[48];
		__u32 id = part_pick_id(w, true);

		snprintf(path, sizeof(path), GPUFE_PARTITION_NODE_PATH, id);
		fd = open(path, acc[rnd(w, ARRAY_SIZE(acc))] | O_CLOEXEC |
			  (pct(w, 50) ? O_NONBLOCK : 0));
		if (fd < 0)
			return -errno;
		if (!part_find(w, id, &sp))
			sp.id = id;
		wrlock(w);
		part_client_add(w, fd, sp.id, sp.dev, sp.mask);
		unlock(w);
		return 0;
	}
	default:
		if (pct(w, 50))
			extra |= O_NONBLOCK;
		if (pct(w, 80))
			extra |= O_CLOEXEC;
		fd = open(GPUFE_DEV, acc[rnd(w, ARRAY_SIZE(acc))] | extra);
		break;
	}
	if (fd < 0)
		return -errno;
	fd_add_locked(w, kind, fd, 0, true);
	return 0;
}

static int op_close(struct worker *w)
{
	struct pool *p = w->p;

	wrlock(w);
	if (p->nfds)
		fd_del(p, rnd(w, p->nfds));
	unlock(w);
	return 0;
}

/* dup(), fcntl(F_DUPFD_CLOEXEC), or dup3() over another pool descriptor. */
static int op_dup(struct worker *w)
{
	struct pool *p = w->p;
	struct fent f;
	int i, j, fd, ret = 0;

	wrlock(w);
	if (!p->nfds) {
		unlock(w);
		return 1;
	}
	i = rnd(w, p->nfds);
	f = p->fds[i];
	if (p->nfds > 1 && pct(w, 25)) {
		j = rnd(w, p->nfds);
		if (j != i) {
			/* dup3() closes what the target was: forget it first. */
			int target = p->fds[j].fd;

			if (p->fds[j].kind == FK_GPUFE &&
			    --p->clients[p->fds[j].client].refs == 0)
				p->clients[p->fds[j].client].gen = ++p->gen;
			p->fds[j] = p->fds[--p->nfds];
			p->closes++;
			fd = dup3(f.fd, target, O_CLOEXEC);
			if (fd < 0) {
				ret = -errno;
				close(target);
			} else {
				fd_add(w, f.kind, fd, f.client, f.size, f.rw);
			}
			unlock(w);
			return ret;
		}
	}
	fd = pct(w, 50) ? dup(f.fd) : fcntl(f.fd, F_DUPFD_CLOEXEC, 3 + rnd(w, 64));
	if (fd < 0)
		ret = -errno;
	else
		fd_add(w, f.kind, fd, f.client, f.size, f.rw);
	unlock(w);
	return ret;
}

static int op_fcntl(struct worker *w)
{
	struct gpick g;
	int fd = gpufe_fd(w, &g), fl;

	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -errno;
	fl ^= O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl) ? -errno : 0;
}

/* What travels with a descriptor over the socket. */
struct fdmsg {
	int kind;
	bool rw;
	__u64 size;
	struct client cl;	/* FK_GPUFE: the handles made on it */
};

static int op_send_fd(struct worker *w)
{
	struct pool *p = w->p;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct fdmsg m;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	const struct fent *f;
	int fd, ret;

	if (w->sock[0] < 0)
		return 1;
	memset(&m, 0, sizeof(m));
	memset(u.buf, 0, sizeof(u.buf));
	rdlock(w);
	if (!p->nfds) {
		unlock(w);
		return 1;
	}
	f = &p->fds[rnd(w, p->nfds)];
	fd = f->fd;
	m.kind = f->kind;
	m.rw = f->rw;
	m.size = f->size;
	if (f->kind == FK_GPUFE)
		m.cl = p->clients[f->client];
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	/*
	 * Still under the read lock, so that what travels is the file the
	 * pool says (a descriptor closed and reused meanwhile would make the
	 * receiver's record of it wrong); MSG_DONTWAIT: it does not block.
	 */
	ret = sendmsg(w->sock[0], &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (ret < 0)
		ret = -errno;
	unlock(w);
	return ret < 0 ? ret : 0;
}

static int op_recv_fd(struct worker *w)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct fdmsg m;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	int fd = -1, ci;
	ssize_t n;

	if (w->sock[1] < 0)
		return 1;
	n = recvmsg(w->sock[1], &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	if (fd < 0)
		return 1;
	__atomic_add_fetch(&w->sh->fds_passed, 1, __ATOMIC_RELAXED);
	if (n != sizeof(m)) {
		close(fd);
		return 1;
	}
	m.cl.refs = 0;
	wrlock(w);
	ci = fd_add(w, m.kind, fd, -1, m.size, m.rw);
	if (m.kind == FK_GPUFE && ci >= 0) {
		/* Its handles, as the sender knew them: they are this client's. */
		struct client *c = &w->p->clients[ci];

		c->nbos = m.cl.nbos <= MAX_BOS ? m.cl.nbos : 0;
		c->nctxs = m.cl.nctxs <= MAX_CTXS ? m.cl.nctxs : 0;
		c->part = m.cl.part;
		c->part_dev = m.cl.part_dev;
		c->part_mask = m.cl.part_mask;
		memcpy(c->bos, m.cl.bos, sizeof(c->bos));
		memcpy(c->ctxs, m.cl.ctxs, sizeof(c->ctxs));
	}
	unlock(w);
	return 0;
}

/* --- sync_file and dma-buf ------------------------------------------------------- */

static int op_sync_file(struct worker *w)
{
	struct fent f;
	int fd = pick_fd(w, FK_SYNC, &f), ret;
	struct ptrsel ps;

	if (fd < 0 || pct(w, 5))
		fd = bad_fd(w);
	switch (rnd(w, 4)) {
	case 0: {
		struct sync_merge_data *m = arg_buf(w, sizeof(*m));

		snprintf(m->name, sizeof(m->name), "fuzz");
		m->fd2 = pick_fd(w, FK_SYNC, NULL);
		if (m->fd2 < 0 || pct(w, 10))
			m->fd2 = pct(w, 50) ? fd : bad_fd(w);
		if (pct(w, 5))
			m->flags = any32(w);
		if (pct(w, 5))
			m->pad = any32(w);
		m->fence = -1;
		ps = place(w, m, sizeof(*m), true, 5);
		ret = fz_ioctl(w, fd, SYNC_IOC_MERGE, ps.v, false);
		ptr_done(w);
		if (!ret && ps.out)
			fd_add_locked(w, FK_SYNC,
				      ((struct sync_merge_data *)ps.out)->fence,
				      0, false);
		return ret;
	}
	case 1: {
		struct sync_file_info *info = arg_buf(w, sizeof(*info));
		struct ptrsel ds;

		info->num_fences = pct(w, 50) ? 0 : pct(w, 80) ? 1 + rnd(w, 4) :
				   any32(w);
		ds = place(w, w->arena + BUF_OFF, BUF_MAX, false, 10);
		info->sync_fence_info = ds.v;
		if (pct(w, 5))
			info->flags = any32(w);
		ps = place(w, info, sizeof(*info), true, 5);
		ret = fz_ioctl(w, fd, SYNC_IOC_FILE_INFO, ps.v, false);
		ptr_done(w);
		return ret;
	}
	case 2: {
		struct fuzz_sync_set_deadline *d = arg_buf(w, sizeof(*d));

		d->deadline_ns = pct(w, 50) ? gpufe_now_ns() + rnd(w, 1000000) :
				 any64(w);
		if (pct(w, 5))
			d->pad = any64(w);
		ret = fz_ioctl(w, fd, FUZZ_SYNC_IOC_SET_DEADLINE,
			       (uintptr_t)d, false);
		return ret;
	}
	default:
		ret = gpufe_poll_fd(fd, POLLIN, rnd(w, 3));
		return ret < 0 ? ret : 0;
	}
}

static int op_dmabuf(struct worker *w)
{
	static const __u32 sync_flags[] = {
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE,
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW,
		DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ,
		DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE,
		DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW,
	};
	struct fent f;
	int fd = pick_fd(w, FK_DMABUF, &f), ret;

	if (fd < 0 || pct(w, 5))
		fd = bad_fd(w);
	switch (rnd(w, 5)) {
	case 0: {
		struct dma_buf_sync *s = arg_buf(w, sizeof(*s));

		s->flags = pct(w, 85) ? sync_flags[rnd(w, ARRAY_SIZE(sync_flags))] :
			   any64(w);
		return fz_ioctl(w, fd, DMA_BUF_IOCTL_SYNC, (uintptr_t)s, false);
	}
	case 1: {
		struct dma_buf_export_sync_file *e = arg_buf(w, sizeof(*e));

		e->flags = pct(w, 85) ? 1 + rnd(w, 3) : any32(w);
		e->fd = -1;
		ret = fz_ioctl(w, fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE,
			       (uintptr_t)e, false);
		if (!ret)
			fd_add_locked(w, FK_SYNC, e->fd, 0, false);
		return ret;
	}
	case 2: {
		struct dma_buf_import_sync_file *i = arg_buf(w, sizeof(*i));

		i->flags = pct(w, 85) ? 1 + rnd(w, 3) : any32(w);
		i->fd = pick_fd(w, FK_SYNC, NULL);
		if (i->fd < 0 || pct(w, 10))
			i->fd = bad_fd(w);
		return fz_ioctl(w, fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE,
				(uintptr_t)i, false);
	}
	case 3: {
		char *name = arg_buf(w, 64);
		struct ptrsel ps;

		memset(name, 'f', rnd(w, 40));
		ps = place(w, name, 64, false, 10);
		ret = fz_ioctl(w, fd, DMA_BUF_SET_NAME, ps.v, false);
		ptr_done(w);
		return ret;
	}
	default: {
		off_t o = lseek(fd, pct(w, 50) ? 0 : (off_t)any64(w),
				(int[]){ SEEK_SET, SEEK_CUR, SEEK_END }[rnd(w, 3)]);

		return o < 0 ? -errno : 0;
	}
	}
}

/* --- processes ----------------------------------------------------------------------- */

static void worker_loop(struct worker *w);

/* Reap the pool's children: all of them, waiting boundedly, if all. */
static void reap_kids(struct worker *w, bool all)
{
	struct pool *p = w->p;
	int i, status;

	for (i = 0; i < p->nkids; ) {
		pid_t pid = p->kids[i];
		int ret;

		if (all) {
			ret = gpufe_waitpid_timeout(pid, &status, GPUFE_TIMEOUT_MS);
			if (ret == -ETIME)
				anomaly(w, "forked child %d did not exit in %d ms",
					pid, GPUFE_TIMEOUT_MS);
			else if (ret)
				status = 0;
		} else {
			ret = waitpid(pid, &status, WNOHANG);
			if (ret == 0) {
				i++;
				continue;
			}
			ret = ret == pid ? 0 : -ECHILD;
		}
		if (!ret && WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
			anomaly(w, "forked child %d died of signal %d", pid,
				WTERMSIG(status));
		if (!ret && WIFEXITED(status) && WEXITSTATUS(status))
			anomaly(w, "forked child %d exited with %d", pid,
				WEXITSTATUS(status));
		p->kids[i] = p->kids[--p->nkids];
	}
}

static void close_all(struct pool *p)
{
	while (p->nmaps)
		map_del(p, p->nmaps - 1);
	while (p->nfds)
		fd_del(p, p->nfds - 1);
}

/*
 * fork(): the child goes on for a few dozen ops with a copy of the pool
 * (what it inherited), then exits, closing things itself or not.
 */
static int op_fork(struct worker *w)
{
	struct pool *copy;
	pid_t pid;
	int err;

	if (w->is_kid || !w->cfg->forks)
		return 1;
	wrlock(w);
	reap_kids(w, false);
	if (w->p->nkids == MAX_KIDS) {
		unlock(w);
		return 1;
	}
	unlock(w);
	copy = malloc(sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	/*
	 * The copy and the descriptors the child inherits must agree: no
	 * thread closes one of the pool and opens another file under its
	 * number between the two, so fork() under the read lock too.
	 */
	rdlock(w);
	memcpy(copy, w->p, sizeof(*copy));
	fflush(NULL);
	pid = fork();
	err = errno;
	if (pid)
		unlock(w);
	if (pid < 0) {
		free(copy);
		return -err;
	}
	if (!pid) {
		struct worker kid = *w;
		long ops = 10 + rnd(w, 50);

		pthread_rwlock_init(&copy->lock, NULL);
		copy->nkids = 0;
		kid.p = copy;
		kid.is_kid = true;
		kid.maplocked = false;
		kid.has_timer = false;
		rng_seed(&kid.r, rnd64(w));
		tls_w = &kid;
		kick_start(&kid);
		while (ops-- && !__atomic_load_n(&kid.sh->stop, __ATOMIC_RELAXED)) {
			/* One op of the loop at a time, on the shared budget. */
			worker_loop(&kid);
		}
		kick_stop(&kid);
		if (pct(&kid, 50))
			close_all(copy);
		_exit(0);
	}
	free(copy);
	__atomic_add_fetch(&w->sh->kids, 1, __ATOMIC_RELAXED);
	wrlock(w);
	w->p->kids[w->p->nkids++] = pid;
	unlock(w);
	return 0;
}

/* Run out of descriptors, then try what needs one. */
static int op_emfile(struct worker *w)
{
	struct rlimit old;
	int ret;

	/* Process-wide: the other threads get EMFILE for a moment too. */
	if (gpufe_exhaust_fds(&old))
		return 1;
	switch (rnd(w, 6)) {
	case 0:
		ret = op_bo_export(w);
		break;
	case 1:
		ret = op_submit(w);
		break;
	case 2:
		ret = op_sync_file(w);
		break;
	case 3:
		/* A partition made, then undone for want of a descriptor. */
		ret = op_part_create(w);
		break;
	case 4:
		ret = op_part_open(w);
		break;
	default:
		ret = op_dmabuf(w);
		break;
	}
	gpufe_restore_fds(&old);
	return ret;
}

/* Read a file to its end; bytes read or -errno. */
static long slurp(const char *path)
{
	char buf[4096];
	long total = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
	}
	close(fd);
	return total;
}

/* fdinfo, /proc/self/maps and mem, the gpufe debugfs files. */
static int op_introspect(struct worker *w)
{
	static const char *const files[] = {
		GPUFE_DEBUGFS "/clients", GPUFE_DEBUGFS "/devices",
		GPUFE_DEBUGFS "/route", GPUFE_DEBUGFS "/counters",
		"/proc/self/maps", "/proc/self/smaps",
	};
	char path[64];
	long ret;

	switch (rnd(w, 3)) {
	case 0: {
		int fd = bad_fd(w);

		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
		ret = slurp(path);
		break;
	}
	case 1: {
		struct pool *p = w->p;
		char buf[64];
		int fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return -errno;
		rdlock(w);
		ret = 1;
		if (p->nmaps) {
			const struct ment *m = &p->maps[rnd(w, p->nmaps)];

			ret = pread(fd, buf, sizeof(buf),
				    (off_t)(uintptr_t)m->addr + rnd(w, m->len - 63));
			ret = ret < 0 ? -errno : 0;
		}
		unlock(w);
		close(fd);
		return ret;
	}
	default:
		ret = slurp(files[rnd(w, ARRAY_SIZE(files))]);
		break;
	}
	return ret < 0 ? (int)ret : 0;
}

/* --- the worker loop ---------------------------------------------------------------- */

static const struct fuzz_op {
	const char *name;
	int (*fn)(struct worker *w);
	unsigned int weight[2];
} ops[NUM_OPS] = {
#define X(n, wt, wc) [OP_##n] = { #n, op_##n, { wt, wc } },
	FUZZ_OPS(X)
#undef X
};

static bool budget_take(struct worker *w)
{
	struct shared *sh = w->sh;

	if (__atomic_load_n(&sh->stop, __ATOMIC_RELAXED))
		return false;
	if (__atomic_sub_fetch(&sh->calls_left, 1, __ATOMIC_RELAXED) < 0 ||
	    gpufe_now_ns() > sh->deadline_ns) {
		__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
		return false;
	}
	return true;
}

static int pick_op(struct worker *w)
{
	int prof = w->cfg->churn, i;
	unsigned int total = 0, r;

	for (i = 0; i < NUM_OPS; i++)
		total += ops[i].weight[prof];
	r = rnd(w, total);
	for (i = 0; i < NUM_OPS; i++) {
		if (r < ops[i].weight[prof])
			return i;
		r -= ops[i].weight[prof];
	}
	return 0;
}

/* Run ops until the budget is spent; a forked child runs one at a time. */
static void worker_loop(struct worker *w)
{
	do {
		int op, ret;

		if (!budget_take(w))
			return;
		op = pick_op(w);
		w->op = ops[op].name;
		w->calls++;
		if (trace) {
			char msg[96];

			snprintf(msg, sizeof(msg), "# fuzz p%d.t%d%s #%lu %s\n",
				 w->proc, w->thread, w->is_kid ? "c" : "",
				 w->calls, w->op);
			say(msg);
		}
		ret = ops[op].fn(w);
		__atomic_add_fetch(&w->sh->op_calls[op], 1, __ATOMIC_RELAXED);
		if (!ret)
			__atomic_add_fetch(&w->sh->op_ok[op], 1, __ATOMIC_RELAXED);
		else if (ret < 0)
			__atomic_add_fetch(&w->sh->op_errno[op][-ret < NERRNO ? -ret : 0],
					   1, __ATOMIC_RELAXED);
		w->op = NULL;
	} while (!w->is_kid);
}

/* The arena and the read-only page of a worker; false if out of memory. */
static bool worker_init(struct worker *w)
{
	int mfd;

	w->arena = mmap(NULL, ARENA_SIZE + PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->arena == MAP_FAILED)
		return false;
	if (mprotect(w->arena + ARENA_SIZE, PAGE, PROT_NONE))
		return false;
	mfd = memfd_create("gpufe-fuzz-ro", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, PAGE))
		return false;
	w->ro_rw = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	/* The read-only view, followed by a PROT_NONE page. */
	w->ro = mmap(NULL, 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	if (w->ro_rw == MAP_FAILED || w->ro == MAP_FAILED)
		return false;
	if (mmap(w->ro, PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, mfd, 0) ==
	    MAP_FAILED)
		return false;
	close(mfd);
	return true;
}

static void *thread_main(void *arg)
{
	struct worker *w = arg;

	tls_w = w;
	kick_start(w);
	worker_loop(w);
	kick_stop(w);
	return NULL;
}

/* A worker process: threads on a copy of the subtest's pool. Never returns. */
static void __attribute__((noreturn))
worker_process(struct shared *sh, const struct fuzz_cfg *cfg,
	       const struct pool *initial, int proc, int sock[2], __u64 seed)
{
	struct worker ws[MAX_THREADS];
	pthread_t tids[MAX_THREADS];
	struct pool *p = malloc(sizeof(*p));
	int i, started = 1;

	if (!p)
		_exit(3);
	memcpy(p, initial, sizeof(*p));
	pthread_rwlock_init(&p->lock, NULL);
	install_handlers();
	memset(ws, 0, sizeof(ws));
	for (i = 0; i < cfg->threads; i++) {
		struct worker *w = &ws[i];
		__u64 s = seed ^ (0x9e3779b97f4a7c15ULL * (proc * MAX_THREADS + i + 1));

		w->sh = sh;
		w->p = p;
		w->cfg = cfg;
		w->proc = proc;
		w->thread = i;
		w->sock[0] = sock[0];
		w->sock[1] = sock[1];
		rng_seed(&w->r, splitmix64(&s));
		if (!worker_init(w))
			_exit(3);
	}
	for (i = 1; i < cfg->threads; i++) {
		if (pthread_create(&tids[i], NULL, thread_main, &ws[i]))
			break;
		started++;
	}
	thread_main(&ws[0]);
	for (i = 1; i < started; i++)
		pthread_join(tids[i], NULL);

	reap_kids(&ws[0], true);
	/* Tear down by hand, or leave it all to exit(). */
	switch (rnd(&ws[0], 3)) {
	case 0:
		close_all(p);
		break;
	case 1: {
		int j, k;

		for (j = 0; j < MAX_CLIENTS; j++) {
			struct client *c = &p->clients[j];
			int fd = -1;

			for (k = 0; k < p->nfds; k++)
				if (p->fds[k].kind == FK_GPUFE && p->fds[k].client == j)
					fd = p->fds[k].fd;
			for (k = 0; fd >= 0 && k < c->nctxs; k++)
				gpufe_destroy_ctx(fd, c->ctxs[k].id);
			for (k = 0; fd >= 0 && k < c->nbos; k++)
				gpufe_destroy_bo(fd, c->bos[k].handle);
		}
		close_all(p);
		break;
	}
	default:
		break;
	}
	_exit(0);
}

/* --- the subtests --------------------------------------------------------------------- */

struct counters {
	long long clients, devices, device_objects, bos, contexts;
	long long partitions;	/* structures, ended ones too; -1: unknown */
	long long refcnt;	/* gpufe.ko's: files, dma-bufs, contexts */
};

static int read_counters(struct counters *c)
{
	c->refcnt = gpufe_read_ull("/sys/module/gpufe/refcnt");
	if (c->refcnt < 0)
		c->refcnt = -1;
	c->clients = gpufe_counter("clients");
	c->devices = gpufe_counter("devices");
	c->device_objects = gpufe_counter("device_objects");
	c->bos = gpufe_counter("bos");
	c->contexts = gpufe_counter("contexts");
	c->partitions = gpufe_counter("partitions");
	if (c->partitions < 0)
		c->partitions = -1;
	if (c->clients < 0 || c->devices < 0 || c->device_objects < 0 ||
	    c->bos < 0 || c->contexts < 0)
		return -ENOENT;
	return 0;
}

static bool counters_equal(const struct counters *a, const struct counters *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Wait, boundedly, until the counters are back to want. */
static bool counters_settle(const struct counters *want, struct counters *now,
			    int timeout_ms)
{
	__s64 deadline = gpufe_now_ns() + timeout_ms * 1000000LL;

	for (;;) {
		if (!read_counters(now) && counters_equal(want, now))
			return true;
		if (gpufe_now_ns() > deadline)
			return false;
		gpufe_poll_fd(-1, 0, 10);
	}
}

/*
 * On every compute and copy engine of every swgpu device, a fresh client
 * fills a buffer and reads it back. How many engines failed.
 */
static int device_works(struct __test_metadata *_metadata)
{
	int fd = gpufe_open(), failed = 0, d, e;

	if (fd < 0) {
		TH_LOG("open(%s): %s", GPUFE_DEV, strerror(errno));
		return 1;
	}
	for (d = 0; d < topo.ndevs; d++) {
		for (e = 0; e < topo.neng[d]; e++) {
			const struct gpufe_engine_info *en = &topo.eng[d][e];
			__u32 value = 0x5a000000u | (d << 8) | e, ctx = 0;
			struct gpufe_submit_bo bo = { .flags = GPUFE_SUBMIT_BO_WRITE };
			struct gpufe_buffer b = { .map = NULL };
			struct gpufe_cmds c = { .size = 0 };
			struct gpufe_ctx_status st;
			__u64 seqno = 0;
			int ret;

			if (en->engine_class != GPUFE_ENGINE_CLASS_COMPUTE &&
			    en->engine_class != GPUFE_ENGINE_CLASS_COPY)
				continue;
			ret = gpufe_create_ctx(fd, topo.devs[d], en->engine_class,
					       en->engine_instance, &ctx);
			if (!ret)
				ret = gpufe_buffer_create(fd, 2 * PAGE, &b);
			if (!ret) {
				bo.handle = b.handle;
				gpufe_emit_fill(&c, 0, 0, b.size, value);
				ret = gpufe_submit_cmds(fd, ctx, &c, &bo, 1, &seqno);
			}
			if (!ret)
				ret = gpufe_sync(fd, ctx, seqno);
			if (!ret)
				ret = gpufe_get_status(fd, ctx, &st);
			if (!ret && st.error)
				ret = st.error;
			if (!ret && gpufe_find_not(b.map, b.size / 4, value) >= 0)
				ret = -EIO;
			if (ret) {
				TH_LOG("device %u engine %s: a fill job failed: %d (%s)",
				       topo.devs[d], en->name, ret, strerror(-ret));
				failed++;
			}
			if (b.map)
				gpufe_buffer_destroy(fd, &b);
			if (ctx)
				gpufe_destroy_ctx(fd, ctx);
		}
	}
	close(fd);
	return failed;
}

/*
 * What the workers inherit: two clients with a context, a buffer, its
 * mapping, the completion page, a job and a dma-buf each, and a client of
 * a partition of the first device, that all processes share (and may
 * revoke).
 */
static void initial_pool(struct worker *w)
{
	int i;

	for (i = 0; i < 2; i++) {
		struct gpufe_buffer b = { .map = NULL };
		struct gpufe_cmds c = { .size = 0 };
		struct gpufe_submit_bo bo = { .flags = GPUFE_SUBMIT_BO_WRITE };
		struct gpufe_bo_export e = { .flags = GPUFE_BO_EXPORT_RDWR };
		struct fctx x = { .cls = GPUFE_ENGINE_CLASS_COMPUTE };
		const void *page = NULL;
		struct client *cl;
		int fd = gpufe_open(), ci;

		if (fd < 0)
			return;
		wrlock(w);
		ci = fd_add(w, FK_GPUFE, fd, -1, 0, true);
		unlock(w);
		if (ci < 0)
			return;
		cl = &w->p->clients[ci];
		x.dev = topo.devs[0];
		if (gpufe_create_ctx_slot(fd, x.dev, x.cls, 0, &x.id, &x.slot))
			continue;
		cl->ctxs[cl->nctxs++] = x;
		if (gpufe_buffer_create(fd, 4 * PAGE, &b))
			continue;
		cl->bos[cl->nbos].handle = b.handle;
		cl->bos[cl->nbos].size = b.size;
		cl->bos[cl->nbos].offset = b.mmap_offset;
		cl->nbos++;
		map_add(w, b.map, b.size, PROT_READ | PROT_WRITE, MK_BO, ci,
			cl->gen);
		if (!gpufe_completion_map(fd, PAGE, &page))
			map_add(w, (void *)page, PAGE, PROT_READ, MK_CPAGE, ci,
				cl->gen);
		bo.handle = b.handle;
		gpufe_emit_fill(&c, 0, 0, b.size, 0x1234 + i);
		if (!gpufe_submit_cmds(fd, x.id, &c, &bo, 1, &cl->ctxs[0].submitted)) {
			e.handle = b.handle;
			if (!gpufe_ioctl(fd, GPUFE_IOCTL_BO_EXPORT, &e)) {
				wrlock(w);
				fd_add(w, FK_DMABUF, e.fd, -1, b.size, true);
				unlock(w);
			}
		}
	}
	if (topo.ndevs && topo.neng[0]) {
		struct gpufe_partition_create a = {
			.device_id = topo.devs[0],
			.engine_mask = rnd64(w) & low_bits(topo.neng[0]),
			.weight = 1 + rnd(w, GPUFE_PARTITION_MAX_WEIGHT),
		};
		int fd = gpufe_open_device();

		if (!a.engine_mask)
			a.engine_mask = 1;
		if (fd >= 0 && !gpufe_ioctl(fd, GPUFE_IOCTL_PARTITION_CREATE, &a)) {
			part_note(w, a.partition_id, a.device_id, a.engine_mask,
				  false);
			wrlock(w);
			part_client_add(w, a.fd, a.partition_id, a.device_id,
					a.engine_mask);
			unlock(w);
		}
		if (fd >= 0)
			close(fd);
	}
}

/* Reap every child left, orphans of killed workers included; how many hung. */
static int reap_all(int timeout_ms)
{
	__s64 deadline = gpufe_now_ns() + timeout_ms * 1000000LL;
	int status, hung = 0;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0)
			continue;
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			return hung;	/* ECHILD: none left */
		if (gpufe_now_ns() > deadline)
			break;
		gpufe_poll_fd(-1, 0, 10);
	}
	/* Still running: kill what /proc lists as our children. */
	{
		char path[64], buf[4096], *tok, *save = NULL;
		long n;
		int fd;

		snprintf(path, sizeof(path), "/proc/self/task/%d/children",
			 (int)gettid());
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = '\0';
		for (tok = strtok_r(buf, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save)) {
			kill(atoi(tok), SIGKILL);
			hung++;
		}
	}
	while (waitpid(-1, &status, 0) > 0 || errno == EINTR)
		;
	return hung ? hung : 1;
}

/* The ids of the partitions alive, as a client without partition lists them. */
static int parts_alive(__u32 *bits)
{
	struct gpufe_query_partitions *res;
	int fd = gpufe_open_device(), ret;
	__u32 i;

	memset(bits, 0, PART_WORDS * sizeof(*bits));
	if (fd < 0)
		return -errno;
	ret = gpufe_query_fetch(fd, GPUFE_QUERY_PARTITIONS, 0, (void **)&res);
	close(fd);
	if (ret)
		return ret;
	for (i = 0; i < res->num_partitions; i++) {
		const struct gpufe_partition_info *pi = (const void *)
			((const char *)res->partitions + (size_t)i * res->entry_size);

		if (pi->partition_id < GPUFE_PARTITION_MAX)
			bits[pi->partition_id / 32] |= 1u << (pi->partition_id % 32);
	}
	free(res);
	return 0;
}

/* The shared state of the subtest under way, for the teardown. */
static struct shared *cur_sh;

/*
 * Revoke every partition alive that the subtest made: the persistent ones
 * outlive their descriptors, and the binaries that run next must find
 * none. A partition alive before the subtest is left alone, unless its id
 * was one that the subtest made (it then ended and the id was reused).
 * How many were revoked, or -errno; *left: how many partitions that were
 * not there before are still alive after.
 */
static int parts_revoke_made(const struct shared *sh, int *left)
{
	__u32 alive[PART_WORDS], id;
	int fd, n = 0, ret;

	*left = 0;
	ret = parts_alive(alive);
	if (ret)
		return ret;
	fd = gpufe_open_device();
	if (fd < 0)
		return -errno;
	for (id = 1; id < GPUFE_PARTITION_MAX; id++) {
		struct gpufe_partition_revoke r = { .partition_id = id };

		if (!id_in(alive, id) ||
		    (id_in(parts_before, id) && !id_in(sh->made, id)))
			continue;
		n += !gpufe_ioctl(fd, GPUFE_IOCTL_PARTITION_REVOKE, &r);
	}
	close(fd);
	if (!parts_alive(alive))
		for (id = 1; id < GPUFE_PARTITION_MAX; id++)
			*left += id_in(alive, id) && !id_in(parts_before, id);
	return n;
}

static __u64 subtest_seed(const char *name)
{
	__u64 s = base_seed;
	const char *c;

	for (c = name; *c; c++)
		s = (s ^ (__u8)*c) * 0x100000001b3ULL;
	return splitmix64(&s);
}

FIXTURE(fuzz) {
	int unused;
};

FIXTURE_SETUP(fuzz)
{
	const char *missing = NULL;
	int fd, ret, d, n;

	memset(&topo, 0, sizeof(topo));
	ret = gpufe_fixture_open(&fd, topo.devs, MAX_DEVS, &topo.ndevs,
				 &missing);
	if (ret > 0) {
		if (fd >= 0)
			close(fd);
		SKIP(return, "%s", missing);
	}
	ASSERT_EQ(0, ret);
	for (d = 0; d < topo.ndevs; d++) {
		n = gpufe_engines(fd, topo.devs[d], topo.eng[d], MAX_ENGINES);
		ASSERT_LE(0, n);
		topo.neng[d] = n < MAX_ENGINES ? n : MAX_ENGINES;
	}
	close(fd);
}

FIXTURE_TEARDOWN(fuzz)
{
	int left;

	/* A subtest that stopped half-way leaves no partition either. */
	if (cur_sh)
		parts_revoke_made(cur_sh, &left);
	cur_sh = NULL;
}

static void run_fuzz(struct __test_metadata *_metadata,
		     const struct fuzz_cfg *cfg_in)
{
	struct fuzz_cfg cfg = *cfg_in;
	__u64 seed = subtest_seed(cfg.name);
	struct counters before, after;
	struct worker parent;
	struct pool *init;
	struct shared *sh;
	pid_t pids[MAX_PROCS];
	__s64 start = gpufe_now_ns();
	bool have_counters;
	int sock[2], i, failed, status, hung, revoked, left;
	unsigned long total = 0, ok = 0;
	char line[1024];
	size_t len = 0;

	if (env_calls > 0)
		cfg.calls = env_calls;
	if (env_seconds > 0)
		cfg.seconds = env_seconds;
	ksft_print_msg("%s: seed %#llx (GPUFE_FUZZ_SEED=%#llx replays it); at most %ld calls in %d s by %d process(es) x %d thread(s)\n",
		       _metadata->name, (unsigned long long)base_seed,
		       (unsigned long long)base_seed, cfg.calls, cfg.seconds,
		       cfg.procs, cfg.threads);

	/* Orphans of a killed worker come back to be reaped here. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	have_counters = !read_counters(&before);
	if (!have_counters)
		TH_LOG("no %s/counters: the leak check is skipped", GPUFE_DEBUGFS);
	ASSERT_EQ(0, device_works(_metadata)) {
		TH_LOG("the device did not work before the fuzzing");
	}

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	sh->calls_left = cfg.calls;
	sh->deadline_ns = start + cfg.seconds * 1000000000LL;
	/* Those the fuzzing must leave alone (none, mostly). */
	if (parts_alive(parts_before))
		memset(parts_before, 0, sizeof(parts_before));
	cur_sh = sh;
	/* A kernel without networking (the debug one) passes no descriptors. */
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sock)) {
		ksft_print_msg("%s: no AF_UNIX socket (%s): no descriptors are passed\n",
			       _metadata->name, strerror(errno));
		sock[0] = sock[1] = -1;
	}

	init = calloc(1, sizeof(*init));
	ASSERT_NE(NULL, init);
	pthread_rwlock_init(&init->lock, NULL);
	memset(&parent, 0, sizeof(parent));
	parent.sh = sh;
	parent.p = init;
	parent.cfg = &cfg;
	parent.proc = -1;
	rng_seed(&parent.r, seed);
	initial_pool(&parent);

	fflush(NULL);
	for (i = 0; i < cfg.procs; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i])
			worker_process(sh, &cfg, init, i, sock, seed);
	}
	/* The workers hold all of it now. */
	if (sock[0] >= 0) {
		close(sock[0]);
		close(sock[1]);
	}
	close_all(init);
	free(init);

	failed = 0;
	for (i = 0; i < cfg.procs; i++) {
		__s64 left = start + (cfg.seconds + 30) * 1000000000LL -
			     gpufe_now_ns();
		int ret = gpufe_waitpid_timeout(pids[i], &status,
						left > 0 ? left / 1000000 : 1);

		if (ret == -ETIME) {
			TH_LOG("worker %d did not finish within %d s of the deadline: killed",
			       i, 30);
			failed++;
		} else if (ret) {
			TH_LOG("waitpid(worker %d): %d", i, ret);
			failed++;
		} else if (WIFSIGNALED(status)) {
			TH_LOG("worker %d died of signal %d", i, WTERMSIG(status));
			failed++;
		} else if (WEXITSTATUS(status)) {
			TH_LOG("worker %d exited with %d", i, WEXITSTATUS(status));
			failed++;
		}
	}
	hung = reap_all(GPUFE_TIMEOUT_MS);
	EXPECT_EQ(0, failed);
	EXPECT_EQ(0, hung) {
		TH_LOG("%d forked children outlived their workers", hung);
	}
	revoked = parts_revoke_made(sh, &left);
	EXPECT_EQ(0, left) {
		TH_LOG("%d partitions the fuzzing made outlived its end and their revoke",
		       left);
	}

	for (i = 0; i < NUM_OPS; i++) {
		total += sh->op_calls[i];
		ok += sh->op_ok[i];
		len += snprintf(line + len, sizeof(line) - len, " %s %lu/%lu",
				ops[i].name, sh->op_ok[i], sh->op_calls[i]);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
	}
	ksft_print_msg("%s: %lu calls (%lu succeeded) in %.1f s; %lu probed faults, %lu children, %lu fds passed\n",
		       _metadata->name, total, ok,
		       (gpufe_now_ns() - start) / 1e9, sh->faults, sh->kids,
		       sh->fds_passed);
	ksft_print_msg("%s: ok/calls:%s\n", _metadata->name, line);
	ksft_print_msg("%s: %u partitions made (%u persistent), %d revoked at the end\n",
		       _metadata->name, sh->parts_i, sh->persistent_made,
		       revoked);
	for (i = 0; stats && i < NUM_OPS; i++) {
		int e;

		len = snprintf(line, sizeof(line), "%s: %s: %lu ok",
			       _metadata->name, ops[i].name, sh->op_ok[i]);
		for (e = 0; e < NERRNO && len < sizeof(line); e++)
			if (sh->op_errno[i][e])
				len += snprintf(line + len, sizeof(line) - len,
						", %s %lu", e ? strerrorname_np(e) : "other",
						sh->op_errno[i][e]);
		ksft_print_msg("%s\n", line);
	}
	for (i = 0; i < NLOG && sh->log[i].fmt; i++)
		TH_LOG("anomaly (%u times, the first:) %s", sh->log[i].count,
		       sh->log[i].msg);
	EXPECT_EQ(0, sh->anomalies) {
		TH_LOG("seed %#llx", (unsigned long long)base_seed);
	}

	EXPECT_EQ(0, device_works(_metadata)) {
		TH_LOG("the device no longer works after the fuzzing (seed %#llx)",
		       (unsigned long long)base_seed);
	}
	if (have_counters && !counters_settle(&before, &after, 3 * GPUFE_TIMEOUT_MS)) {
		TH_LOG("before: clients %lld devices %lld device_objects %lld bos %lld contexts %lld partitions %lld refcnt %lld",
		       before.clients, before.devices, before.device_objects,
		       before.bos, before.contexts, before.partitions,
		       before.refcnt);
		TH_LOG("after:  clients %lld devices %lld device_objects %lld bos %lld contexts %lld partitions %lld refcnt %lld",
		       after.clients, after.devices, after.device_objects,
		       after.bos, after.contexts, after.partitions,
		       after.refcnt);
		EXPECT_TRUE(false) {
			TH_LOG("gpufe objects leaked (seed %#llx)",
			       (unsigned long long)base_seed);
		}
	}
	cur_sh = NULL;
	munmap(sh, sizeof(*sh));
}

static const struct fuzz_cfg cfg_single = {
	.name = "basic-single", .procs = 1, .threads = 1,
	.calls = 3000, .seconds = 5,
};

static const struct fuzz_cfg cfg_threads = {
	.name = "threads", .procs = 1, .threads = 4,
	.calls = 15000, .seconds = 15, .forks = true,
};

static const struct fuzz_cfg cfg_processes = {
	.name = "processes", .procs = 3, .threads = 2,
	.calls = 22000, .seconds = 18, .forks = true,
};

static const struct fuzz_cfg cfg_churn = {
	.name = "fd-churn", .procs = 2, .threads = 3,
	.calls = 10000, .seconds = 8, .churn = true, .forks = true,
};

TEST_F_TIMEOUT(fuzz, basic_single, 90)
{
	describe("One thread calls every gpufe entry point with mostly valid, partly broken arguments; the device still works and nothing leaks");
	run_fuzz(_metadata, &cfg_single);
}

TEST_F_TIMEOUT(fuzz, threads, 120)
{
	describe("Four threads of one process fuzz shared clients, closing and unmapping what the others use; the device still works and nothing leaks");
	run_fuzz(_metadata, &cfg_threads);
}

TEST_F_TIMEOUT(fuzz, processes, 120)
{
	describe("Three processes of two threads fuzz inherited and own clients, pass fds to each other and fork; the device still works and nothing leaks");
	run_fuzz(_metadata, &cfg_processes);
}

TEST_F_TIMEOUT(fuzz, fd_churn, 90)
{
	describe("Two processes of three threads open, dup, close and fork all the time around jobs and mappings; the device still works and nothing leaks");
	run_fuzz(_metadata, &cfg_churn);
}

int main(int argc, char **argv)
{
	const char *s = getenv("GPUFE_FUZZ_SEED");
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	if (s && *s) {
		base_seed = strtoull(s, NULL, 0);
	} else {
		__u64 x = gpufe_now_ns() ^ ((__u64)getpid() << 32);

		base_seed = splitmix64(&x);
	}
	trace = getenv("GPUFE_FUZZ_TRACE") && *getenv("GPUFE_FUZZ_TRACE") &&
		strcmp(getenv("GPUFE_FUZZ_TRACE"), "0");
	stats = getenv("GPUFE_FUZZ_STATS") && *getenv("GPUFE_FUZZ_STATS") &&
		strcmp(getenv("GPUFE_FUZZ_STATS"), "0");
	s = getenv("GPUFE_FUZZ_CALLS");
	if (s && *s)
		env_calls = strtol(s, NULL, 0);
	s = getenv("GPUFE_FUZZ_SECONDS");
	if (s && *s)
		env_seconds = strtol(s, NULL, 0);

	/* A longer run needs a longer harness timeout. */
	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			if (env_seconds > 0 && t->timeout < env_seconds + 70)
				t->timeout = env_seconds + 70;
	gpufe_test_dashify_names();
	return test_harness_run(argc, argv);
}
