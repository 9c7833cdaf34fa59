/* SPDX-License-Identifier: MIT */
/*
 * A fake /dev/gpufe for the host unit tests.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef GPUCLIENT_FAKE_KERNEL_H
#define GPUCLIENT_FAKE_KERNEL_H

#include <poll.h>
#include <stdint.h>
#include <sys/types.h>

#include <gpufe.h>

/*
 * The test binary is linked with -Wl,--wrap= for ioctl, open, open64,
 * close, mmap, munmap, read, poll and fcntl: opening FAKE_PATH yields a
 * real descriptor (of /dev/null) that the fake kernel then owns; ioctl(),
 * mmap(), read() and poll() on it are served by fake_kernel.c, and
 * fcntl() duplicates are tracked, following uapi/gpufe.h to
 * the letter. Every other path and descriptor goes to the real system
 * calls. fake_preload.c builds the same fake as an LD_PRELOAD library for
 * the examples.
 *
 * Each fake descriptor is a client with its own buffer and context
 * namespaces. A buffer's memory is a memfd: mmap() on the client maps it,
 * an export is a duplicate of it (standing in for a dma-buf) and an import
 * recognises it by its name and inode. SUBMIT checks the stream as swgpu does, records
 * it in fk.last_submit and runs it at once on the buffers' memory; the
 * context's completed sequence number moves only when the test says so
 * (fake_complete(), fk.auto_complete, fk.complete_on_wait), so that waits,
 * statuses and events are under the test's control. Nothing ever sleeps:
 * a WAIT or poll() that would block returns as if its timeout had passed.
 *
 * With fake_set_completion_page() the fake is a 1.2 kernel: each client
 * has a completion page (a memfd of GPUFE_COMPLETION_MAX_SIZE bytes, made
 * at its first context), mapped read-only at offset 0 through a read-only
 * descriptor of it, so that mprotect() cannot make it writable either;
 * CTX_CREATE hands out the lowest free slot and clears it, and a job's
 * completion stores the slot's error and then, with release ordering, its
 * seqno. Without it (a 1.0 or 1.1 kernel) CTX_CREATE's structure ends
 * before slot_offset: the fake takes a longer one only with a zero tail
 * and writes back what it knows, as the uAPI's rules say. Simplified: a
 * destroyed context's slot is free at once, pending jobs or not.
 *
 * With fake_set_partitions() the fake is a 1.3 kernel with partitions.
 * The caller is an administrator unless fk.not_admin is set. A partition
 * is a fake_partition; its clients are fake clients whose @part points at
 * it, opened (PARTITION_CREATE, PARTITION_OPEN) on a new descriptor of
 * /dev/null, read-write and close-on-exec, and they see what the uAPI's
 * "gpufe partitions" says: QUERY lists the partition's device alone, with
 * the mask's engines numbered densely per class (named after their class
 * and dense instance), CTX_CREATE takes that numbering, and buffers count
 * against the quota. A non-persistent partition ends when the last
 * descriptor of its last client closes; a revoked one at once: then every
 * ioctl and mmap() of its clients fails with -ENODEV, and its register
 * page shows GPUFE_CONFIG_REG_REVOKED. The page is a memfd, mapped
 * read-only through a read-only descriptor of it, like the completion
 * page; the fake keeps a writable mapping (reg_page) that tests may
 * scribble on. Descriptors duplicated with fcntl(F_DUPFD[_CLOEXEC]) (the
 * one way the library duplicates) share their client, as a dup shares
 * its open file; the client goes with its last descriptor.
 *
 * With fake_set_sched() the fake is a 1.4 kernel that schedules: CTX_STATUS
 * grew to 48 bytes (busy_ns, hangs, queued; the fake before 1.4 takes the
 * longer structure with a zero tail, writes back its 32 bytes and clears
 * the rest, as the uAPI's rules and the real dispatcher do), swgpu's FAULT
 * and HANG commands are known (before 1.4 they are unknown opcodes:
 * -EINVAL), HANG only with fk.allow_hang, and PARTITION_CREATE takes
 * engine_timeout_ms where 1.3 had a pad. Simplified: a job's DELAY_US adds
 * to its context's busy_ns when it runs, at SUBMIT; queued counts the
 * jobs submitted and not completed, but a hung one (which is "on the
 * engine"). A job that reaches FAULT stops there and completes with -EIO
 * under fk.auto_complete; one that reaches HANG stops there and never
 * completes, nor do the context's later jobs, until fake_hang_reset()
 * fails it with -ETIME as the kernel's hang recovery would: the context's
 * hangs grow, and at fk.hang_limit it is banned (state BANNED, its
 * later jobs fail with -ECANCELED, SUBMIT fails with -ECANCELED).
 */
#define FAKE_PATH		"/nonexistent/fake-gpufe"
#define FAKE_MAX_DEVICES	64
#define FAKE_MAX_ENGINES	16
#define FAKE_MAX_FDS		16
#define FAKE_MAX_INJECT		32
#define FAKE_MAX_BOS		80	/* per client: more than a list holds */
#define FAKE_MAX_CTXS		512	/* per client: > a 4 KiB page of slots */
#define FAKE_MAX_LOG		32
#define FAKE_MAX_PARTITIONS	8	/* ids 1 to 8 */
#define FAKE_PAGE_SIZE		4096
/* Buffers are mapped from 4 GiB up; below is the completion page. */
#define FAKE_BO_MMAP_BASE	(1ULL << 32)

struct fake_engine {
	uint16_t engine_class;
	uint16_t engine_instance;
	char name[GPUFE_ENGINE_NAME_LEN];
};

struct fake_device {
	uint32_t id;
	uint64_t mem_size;
	char name[GPUFE_NAME_LEN];
	char backend[GPUFE_NAME_LEN];
	unsigned int num_engines;
	struct fake_engine engines[FAKE_MAX_ENGINES];
};

struct fake_bo {
	uint32_t handle;	/* 0: a free slot */
	uint64_t size;		/* whole pages */
	int memfd;		/* the memory, close-on-exec */
	dev_t st_dev;		/* the memfd's identity, for imports */
	ino_t st_ino;
	void *vaddr;		/* the fake's own mapping, for running jobs */
};

struct fake_ctx {
	uint32_t id;		/* 0: a free slot */
	uint32_t device_id;
	uint16_t engine_class;
	uint16_t engine_instance;
	int32_t priority;
	uint64_t submitted;
	uint64_t completed;
	int32_t error;
	uint32_t state;
	int event_pending;
	/* 1.4: the scheduler's counters, and the job that hangs, if any */
	uint64_t busy_ns;
	uint32_t hangs;
	uint64_t hung_seqno;	/* 0: none */
	/* 1.2: the context's completion slot, and where it is on the page */
	struct gpufe_completion_slot *slot;
	uint64_t slot_offset;
};

/* A partition (1.3). */
struct fake_partition {
	uint32_t id;		/* 0: a free slot */
	uint32_t device_id;
	uint32_t flags;		/* GPUFE_PARTITION_PERSISTENT */
	uint64_t engine_mask;	/* in the device's numbering */
	uint64_t mem_quota;
	uint32_t weight;
	uint32_t max_clients;
	uint32_t node_uid;
	uint32_t node_gid;
	uint32_t node_mode;
	uint32_t engine_timeout_ms;	/* 1.4; 0: the module's */
	int ended;		/* revoked, or its last client went */
	/* the emulated register's page: a memfd, read-only, and the fake's */
	int reg_fd;
	int reg_rofd;
	struct gpufe_config_reg *reg_page;
};

struct fake_client {
	int in_use;
	int fd;			/* its first descriptor */
	unsigned int nfds;	/* descriptors open on it (dups) */
	int open_flags;
	struct fake_partition *part;	/* NULL: no partition */
	struct fake_bo bos[FAKE_MAX_BOS];	/* handle = index + 1 */
	struct fake_ctx ctxs[FAKE_MAX_CTXS];	/* id = index + 1 */
	/* contexts with a pending event, oldest first */
	uint32_t events[FAKE_MAX_CTXS];
	unsigned int num_events;
	/* 1.2: the completion page, from the first context on */
	int page_fd;		/* a memfd, while @page is set */
	int page_rofd;		/* the same, opened read-only, for clients */
	struct gpufe_completion_slot *page;	/* the fake's own mapping */
};

/* The last SUBMIT that succeeded, as the kernel copied it in. */
struct fake_submit {
	struct gpufe_submit args;
	uint8_t cmds[GPUFE_SUBMIT_MAX_CMDS_SIZE];
	struct gpufe_submit_bo bos[GPUFE_SUBMIT_MAX_BOS];
};

struct fake_kernel {
	/* what GPUFE_IOCTL_VERSION answers */
	struct gpufe_version version;

	/* the devices, by ascending id */
	unsigned int num_devices;
	struct fake_device devices[FAKE_MAX_DEVICES];

	/*
	 * Called after each successful size-0 probe of GPUFE_IOCTL_QUERY,
	 * before the caller can fetch: the place to add or remove devices.
	 */
	void (*after_probe)(const struct gpufe_query *q);

	/*
	 * Errors to fail the next ioctl() calls with, one per call, in
	 * order; 0 lets that call through.
	 */
	int inject[FAKE_MAX_INJECT];
	unsigned int inject_len;
	unsigned int inject_pos;

	/* Added to the entry count written in a result: a lying kernel. */
	int corrupt_count;
	/* XORed into the device id an engine result names. */
	uint32_t corrupt_device_id;

	/*
	 * Bytes each result entry has beyond what this uAPI header knows:
	 * a newer kernel's larger entries. Negative: entries smaller than
	 * the header's, a malformed answer.
	 */
	int entry_extra;

	/* Put an event of an unknown type, 16 bytes, before the next read's. */
	int unknown_event;

	/* data path knobs */
	int auto_complete;		/* jobs complete as they are queued */
	int complete_on_wait;		/* a WAIT that would block completes */
	int deny_high_priority;		/* no CAP_SYS_NICE: -EPERM */
	uint64_t max_bo_size;		/* larger: -E2BIG */
	unsigned int max_contexts;	/* per client; more: -EMFILE */
	uint64_t slot_offset_xor;	/* XORed into CTX_CREATE's slot_offset */
	int completion_mmap_error;	/* fail the next page mmap() so */
	int allow_hang;			/* 1.4: swgpu takes HANG commands */
	uint32_t hang_limit;		/* 1.4: hangs that ban a context */

	/* poll(): fail the next this many calls with EINTR */
	unsigned int poll_eintr;
	/* called when a poll() on @fd would block, before it gives up */
	void (*on_poll)(int fd);
	/* called when a poll() on @fd reports it readable */
	void (*after_poll)(int fd);

	/* data path records */
	struct fake_submit last_submit;
	unsigned int submits;		/* successful SUBMITs */
	int64_t wait_deadlines[FAKE_MAX_LOG];	/* every WAIT, in order */
	unsigned int num_waits;
	int poll_timeouts[FAKE_MAX_LOG];	/* every poll() of a fake fd */
	unsigned int poll_calls;
	unsigned int read_calls;	/* read() of a fake fd */
	size_t last_read_count;		/* the count of the last one */
	unsigned int read_truncate;	/* bytes the next read() loses */
	unsigned int blocking_reads;	/* of those, on a blocking fd */
	unsigned int mmaps;		/* successful buffer mmap()s */
	unsigned int munmaps;		/* munmap() of exactly such a mapping */
	struct {
		void *addr;
		size_t len;
	} maps[FAKE_MAX_LOG];		/* mappings, of either kind, still there */
	unsigned int num_maps;
	/* completion page mmap() calls, every one, in order */
	struct {
		size_t len;
		int prot;
		int flags;
		off_t off;
		int ret;		/* 0 or the errno it failed with */
	} page_maps[FAKE_MAX_LOG];
	unsigned int num_page_maps;
	unsigned int page_mmaps;	/* of those, the successful ones */
	uint32_t last_export_flags;
	unsigned int bo_destroys;	/* successful BO_DESTROYs */
	unsigned int ctx_destroys;	/* successful CTX_DESTROYs */

	/* statistics */
	unsigned int ioctl_calls;	/* every ioctl() on a fake fd */
	unsigned int probes;		/* successful size-0 queries */
	unsigned int fetches;		/* successful result writes */
	unsigned int enospc;		/* fetches failed with -ENOSPC */
	unsigned int einval;		/* any call failed with -EINVAL */

	/* partitions (1.3) */
	int not_admin;			/* no CAP_SYS_ADMIN: -EPERM */
	unsigned int max_partitions;	/* ids in use at once; more: -ENOSPC */
	struct fake_partition partitions[FAKE_MAX_PARTITIONS];
	struct gpufe_partition_create last_partition_create;
	unsigned int partition_creates;	/* successful ones */
	unsigned int partition_opens;	/* successful ones */
	/*
	 * CONFIG_REG answers: 1 a bad magic, 2 version 2, 3 size 48, 4 a
	 * class count off by one, 5 another device's id, 6 a zero mask (and
	 * counts), 7 an unknown flag, 8 a non-zero pad, 9 a weight for a whole
	 * device, 10 a dense mask that is not the low bits, 11 a size beyond
	 * the answer
	 */
	int corrupt_config_reg;
	/* fail the next fcntl() of this command on a fake fd with this errno */
	int fcntl_cmd;
	int fcntl_error;

	/* fake descriptors currently open, and the client of each */
	int fds[FAKE_MAX_FDS];
	struct fake_client *fd_clients[FAKE_MAX_FDS];
	unsigned int num_fds;
	struct fake_client clients[FAKE_MAX_FDS];

	/* the last open() call, fake or not */
	char last_open_path[256];
	int last_open_flags;
};

extern struct fake_kernel fk;

/* Forget everything; the version becomes 1.0.0 with discovery. */
void fake_reset(void);
/* Become a 1.1 kernel with the data path. */
void fake_set_datapath(void);
/* Become a 1.2 kernel with the data path and completion pages. */
void fake_set_completion_page(void);
/* Become a 1.3 kernel: the above and partitions. */
void fake_set_partitions(void);
/* Become a 1.4 kernel: the above and the scheduler. */
void fake_set_sched(void);
/* Close descriptors a failed test left open; returns how many. */
unsigned int fake_close_leftovers(void);

struct fake_device *fake_add_device(uint32_t id, const char *name,
				    const char *backend, uint64_t mem_size);
void fake_add_engine(struct fake_device *dev, uint16_t engine_class,
		     uint16_t engine_instance, const char *name);
/* A device with the usual four engines: compute0, compute1, copy0, video0. */
struct fake_device *fake_add_swgpu(uint32_t id, const char *name);
/*
 * A gpufe_edu device: back-end "edu", compute0 and copy0, no memory. SUBMIT
 * on its contexts checks the stream as uapi/gpufe_edu.h says (opcodes,
 * sizes, pads, engine classes, buffer indices, ranges and flags, COPY
 * length and overlap, FACTORIAL's n and alignment, the chunk and factorial
 * limits) and runs it at once: a COPY with memcpy(), a FACTORIAL computed.
 */
struct fake_device *fake_add_edu(uint32_t id, const char *name);
void fake_remove_device(uint32_t id);
void fake_inject(int err);
int fake_fd_is_open(int fd);

/* The data path, by client descriptor. */
struct fake_client *fake_client(int fd);
struct fake_bo *fake_bo(int fd, uint32_t handle);
struct fake_ctx *fake_ctx(int fd, uint32_t ctx_id);
/*
 * Complete the context's jobs up to @seqno, the last with @error. Safe to
 * call from another thread while the test's thread only reads the
 * completion page (spins), not while it calls into the fake.
 */
void fake_complete(int fd, uint32_t ctx_id, uint64_t seqno, int32_t error);
/*
 * Recover the context's hung job as the kernel would: it fails with
 * -ETIME, its hang counts, and the jobs behind it run (under
 * fk.auto_complete) or, once the context is banned, fail with -ECANCELED.
 * 0, or -ENOENT without a hung job.
 */
int fake_hang_reset(int fd, uint32_t ctx_id);
/* Count the live buffers and contexts of every client. */
unsigned int fake_count_bos(void);
unsigned int fake_count_ctxs(void);

/* Partitions, by id (ended ones included), and their clients. */
struct fake_partition *fake_partition(uint32_t id);
unsigned int fake_partition_clients(const struct fake_partition *p);
/* Make a partition as an administrator would; its first client's fd. */
int fake_partition_add(uint32_t device_id, uint64_t engine_mask,
		       uint32_t flags);

/* The real calls, as the linker's --wrap names them. */
int __real_ioctl(int fd, unsigned long req, ...);
int __real_open(const char *path, int flags, ...);
int __real_open64(const char *path, int flags, ...);
int __real_close(int fd);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off);
int __real_munmap(void *addr, size_t len);
ssize_t __real_read(int fd, void *buf, size_t count);
int __real_poll(struct pollfd *fds, nfds_t nfds, int timeout);
int __real_fcntl(int fd, int cmd, ...);

/* The link-time wrappers. */
int __wrap_ioctl(int fd, unsigned long req, ...);
int __wrap_open(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);
int __wrap_close(int fd);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off);
int __wrap_munmap(void *addr, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t count);
int __wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout);
int __wrap_fcntl(int fd, int cmd, ...);

#endif /* GPUCLIENT_FAKE_KERNEL_H */
