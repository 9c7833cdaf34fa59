/* SPDX-License-Identifier: MIT */
/*
 * libgpuclient: the user-space library for the gpufe front-end device.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef GPUCLIENT_H
#define GPUCLIENT_H

#include <stdint.h>

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: libgpuclient overview
 *
 * libgpuclient wraps the ``/dev/gpufe`` ioctls. An application opens the
 * device with gpuclient_open(), which hands back an opaque
 * &gpuclient_handle, and releases it with gpuclient_close().
 *
 * Every function that can fail returns 0 (or, for gpuclient_get_fd(), a
 * non-negative value) on success and a negative errno value on failure;
 * ``strerror(-ret)`` describes it. errno itself is not part of the
 * interface. On failure, output parameters are left untouched.
 *
 * The structures below belong to the library, not to the kernel: the
 * kernel's uAPI structures can grow without changing them. Their layout is
 * part of the ABI of ``libgpuclient.so.1``; a field is only ever added
 * under a new soname.
 *
 * A handle may be used from several threads at once; gpuclient_close()
 * must not race with any other use of the same handle.
 *
 * Since version 1.1 the library also drives the data path, on kernels that
 * report %GPUCLIENT_FEATURE_DATAPATH (elsewhere these calls fail with
 * -EOPNOTSUPP): buffer objects (&gpuclient_bo_handle) that can be mapped
 * and shared as dma-bufs, contexts (&gpuclient_ctx_handle) that run jobs on
 * one engine, a builder for swgpu command streams
 * (&gpuclient_cmdbuf_handle), submission, waiting and completion events. A
 * typical job::
 *
 *	gpuclient_bo_create(h, 4096, &bo);
 *	gpuclient_ctx_create(h, dev_id, GPUCLIENT_ENGINE_CLASS_COPY, 0,
 *			     GPUCLIENT_PRIORITY_NORMAL, &ctx);
 *	gpuclient_cmdbuf_create(&cb);
 *	gpuclient_cmdbuf_add_bo(cb, bo, GPUCLIENT_BO_WRITE, &idx);
 *	gpuclient_cmd_fill(cb, idx, 0, 4096, 0xcafef00d);
 *	gpuclient_submit(ctx, cb, -1, NULL, &seqno);
 *	gpuclient_wait(ctx, seqno, 1000000000);
 *	gpuclient_bo_map(bo, &ptr);
 *
 * Buffers and contexts keep their device open: gpuclient_close() may come
 * first, the descriptor closes when the last of them is destroyed. A buffer
 * or context may be used from several threads at once, but its destroy
 * must not race with another use of it. A command-stream builder belongs
 * to one thread at a time.
 *
 * Since version 1.2, on kernels that report
 * %GPUCLIENT_FEATURE_COMPLETION_PAGE, the library maps the client's
 * completion page, read-only, at the first gpuclient_ctx_create(): the
 * kernel keeps there, for every context, the sequence number of its last
 * completed job. gpuclient_ctx_done() tells whether a job is done without
 * a system call, and gpuclient_wait_mode() waits in one of three
 * &enum gpuclient_wait_mode ways: asleep in the kernel
 * (%GPUCLIENT_WAIT_SLEEP, what gpuclient_wait() does), spinning on the
 * page (%GPUCLIENT_WAIT_SPIN: the lowest latency, one CPU busy), or
 * spinning for a while and then asleep (%GPUCLIENT_WAIT_HYBRID). On older
 * kernels both work all the same, through system calls: gpuclient_ctx_done()
 * asks the kernel and every mode sleeps. For instance::
 *
 *	gpuclient_submit(ctx, cb, -1, NULL, &seqno);
 *	gpuclient_wait_mode(ctx, seqno, 1000000000, GPUCLIENT_WAIT_HYBRID,
 *			    50000);
 *
 * Since version 1.3, on kernels that report %GPUCLIENT_FEATURE_PARTITIONS,
 * the library handles partitions: slices of one device (some of its
 * engines, a memory quota, a scheduling weight, a limit on clients) whose
 * clients see nothing else. An administrator creates one with
 * gpuclient_partition_create(), which returns the partition's first
 * client as a file descriptor, lists them with gpuclient_query_partitions()
 * and ends them with gpuclient_partition_revoke(). A program given such a
 * descriptor opens a client of the partition with gpuclient_open_fd(), or,
 * unmodified, through the ``GPUFE_FD`` environment variable that
 * gpuclient_open() honours; an administrator opens one by id with
 * gpuclient_open_partition(). gpuclient_config_reg() reads the
 * configuration register, what a client's partition is made of, and
 * gpuclient_config_reg_map() maps it read-only. A partition's client
 * creates buffers and contexts exactly as any other, naming its engines
 * as gpuclient_query_engines() lists them to it (numbered densely within
 * each class). For instance, to run a program in a partition of
 * compute1 and copy0 of a device with compute0, compute1, copy0 and
 * video0 (engine mask bits 1 and 2)::
 *
 *	struct gpuclient_partition_params p = {
 *		.device_id = dev_id, .engine_mask = 0x6, .weight = 100,
 *	};
 *
 *	gpuclient_partition_create(h, &p, &id, &fd);
 *	fcntl(fd, F_SETFD, 0);
 *	snprintf(buf, sizeof(buf), "%d", fd);
 *	setenv(GPUCLIENT_FD_ENV, buf, 1);
 *	execvp(argv[0], argv);
 *
 * Since version 1.4, on kernels that report %GPUCLIENT_FEATURE_SCHED, the
 * front-end schedules jobs: they share engine time by the GPU's policy,
 * the partitions' weights and the contexts' priorities, a job that runs
 * on its engine longer than its timeout fails with -ETIME, and a context
 * whose jobs hung the engine too often is banned
 * (%GPUCLIENT_CTX_STATE_BANNED: gpuclient_submit() fails with -ECANCELED).
 * gpuclient_ctx_status2() reports what the scheduler counted for a
 * context (engine time used, hangs, jobs still queued) along with what
 * gpuclient_ctx_status() reports; gpuclient_partition_create2() takes a
 * partition's engine timeout. gpuclient_cmd_fault() and gpuclient_cmd_hang()
 * append swgpu's fault-injection commands, for tests. For instance, to
 * see how much engine time a context's jobs took::
 *
 *	struct gpuclient_ctx_status2 st;
 *
 *	gpuclient_wait(ctx, seqno, GPUCLIENT_TIMEOUT_INFINITE);
 *	gpuclient_ctx_status2(ctx, &st);
 *	printf("%llu ns on the engine, %u hangs\n",
 *	       (unsigned long long)st.busy_ns, st.hangs);
 *
 * The structures of the library do not grow (see above): what 1.4 adds
 * comes in new structures, &struct gpuclient_ctx_status2 and &struct
 * gpuclient_partition_params2, each a superset of the one it extends,
 * with new functions that take them. *
 * Since version 1.5 the builder also makes command streams for gpufe_edu,
 * the back-end for QEMU's ``edu`` PCI device (devices named ``edu-`` and
 * their PCI address, back-end "edu"): gpuclient_cmd_edu_copy() for its
 * copy engine, gpuclient_cmd_edu_factorial() for its compute engine
 * (``<gpufe_edu.h>`` describes the format). It needs no newer kernel
 * interface: any kernel with %GPUCLIENT_FEATURE_DATAPATH runs the jobs on
 * an edu device. A stream is one back-end's: the builder does not know
 * which device a job goes to, and the kernel reads a stream in the format
 * of the context's back-end, so swgpu commands sent to an edu device (or
 * edu commands to a swgpu one) are misread, most often refused with
 * -EINVAL. For instance, 5! into the first word of a buffer::
 *
 *	gpuclient_ctx_create(h, edu_id, GPUCLIENT_ENGINE_CLASS_COMPUTE, 0,
 *			     GPUCLIENT_PRIORITY_NORMAL, &ctx);
 *	gpuclient_cmdbuf_add_bo(cb, bo, GPUCLIENT_BO_WRITE, &idx);
 *	gpuclient_cmd_edu_factorial(cb, idx, 0, 5);
 *	gpuclient_submit(ctx, cb, -1, NULL, &seqno);
 */

/** define GPUCLIENT_DEFAULT_PATH - the device node gpuclient_open() uses */
#define GPUCLIENT_DEFAULT_PATH		"/dev/gpufe"
/** define GPUCLIENT_DEVICE_ENV - environment variable overriding it */
#define GPUCLIENT_DEVICE_ENV		"GPUFE_DEVICE"
/**
 * define GPUCLIENT_FD_ENV - environment variable naming a descriptor that
 * gpuclient_open() opens a client through, instead of a device node
 */
#define GPUCLIENT_FD_ENV		"GPUFE_FD"

/** define GPUCLIENT_FEATURE_DISCOVERY - device and engine queries work */
#define GPUCLIENT_FEATURE_DISCOVERY	(1ULL << 0)
/**
 * define GPUCLIENT_FEATURE_DATAPATH - buffers, contexts, submission, waits
 * and events work (kernel interface 1.1 and later)
 */
#define GPUCLIENT_FEATURE_DATAPATH	(1ULL << 1)
/**
 * define GPUCLIENT_FEATURE_COMPLETION_PAGE - contexts have a slot on the
 * completion page: gpuclient_ctx_done() and the spinning modes of
 * gpuclient_wait_mode() need no system call (kernel interface 1.2 and
 * later)
 */
#define GPUCLIENT_FEATURE_COMPLETION_PAGE	(1ULL << 2)
/**
 * define GPUCLIENT_FEATURE_PARTITIONS - partitions and their configuration
 * register (kernel interface 1.3 and later)
 */
#define GPUCLIENT_FEATURE_PARTITIONS	(1ULL << 3)
/**
 * define GPUCLIENT_FEATURE_SCHED - the front-end schedules jobs: engine-time
 * accounting, priorities, hang recovery and bans, and partitions' engine
 * timeouts (kernel interface 1.4 and later)
 */
#define GPUCLIENT_FEATURE_SCHED		(1ULL << 4)

/** define GPUCLIENT_NAME_LEN - size of a device or back-end name, with NUL */
#define GPUCLIENT_NAME_LEN		32
/** define GPUCLIENT_ENGINE_NAME_LEN - size of an engine name, with NUL */
#define GPUCLIENT_ENGINE_NAME_LEN	16

/*
 * gpuclient_handle: an open gpufe device. Opaque; obtained from
 * gpuclient_open(), released with gpuclient_close(). (A plain comment:
 * kernel-doc cannot parse a pointer typedef.)
 */
typedef struct gpuclient_device *gpuclient_handle;

/*
 * gpuclient_bo_handle: a buffer object. Opaque; from gpuclient_bo_create()
 * or gpuclient_bo_import(), released with gpuclient_bo_destroy().
 */
typedef struct gpuclient_bo *gpuclient_bo_handle;

/*
 * gpuclient_ctx_handle: a context, a queue of jobs on one engine. Opaque;
 * from gpuclient_ctx_create(), released with gpuclient_ctx_destroy().
 */
typedef struct gpuclient_ctx *gpuclient_ctx_handle;

/*
 * gpuclient_cmdbuf_handle: a command stream (swgpu's, or since 1.5
 * edu's) and its buffer list being built. Opaque; from gpuclient_cmdbuf_create(), released with
 * gpuclient_cmdbuf_destroy().
 */
typedef struct gpuclient_cmdbuf *gpuclient_cmdbuf_handle;

/** define GPUCLIENT_PRIORITY_LOW - the lowest context priority */
#define GPUCLIENT_PRIORITY_LOW		(-1)
/** define GPUCLIENT_PRIORITY_NORMAL - the default context priority */
#define GPUCLIENT_PRIORITY_NORMAL	0
/** define GPUCLIENT_PRIORITY_HIGH - the highest; needs CAP_SYS_NICE */
#define GPUCLIENT_PRIORITY_HIGH		1

/** define GPUCLIENT_BO_READ - gpuclient_cmdbuf_add_bo(): the job reads it */
#define GPUCLIENT_BO_READ		0x1
/** define GPUCLIENT_BO_WRITE - gpuclient_cmdbuf_add_bo(): the job writes it */
#define GPUCLIENT_BO_WRITE		0x2

/** define GPUCLIENT_CMDBUF_MAX_SIZE - the largest command stream, bytes */
#define GPUCLIENT_CMDBUF_MAX_SIZE	65536
/** define GPUCLIENT_CMDBUF_MAX_BOS - the longest buffer list */
#define GPUCLIENT_CMDBUF_MAX_BOS	64

/** define GPUCLIENT_TIMEOUT_INFINITE - gpuclient_wait(): no timeout */
#define GPUCLIENT_TIMEOUT_INFINITE	UINT64_MAX

/** define GPUCLIENT_EVENT_COMPLETION - event type: jobs of a context done */
#define GPUCLIENT_EVENT_COMPLETION	1

/**
 * define GPUCLIENT_PARTITION_PERSISTENT - &gpuclient_partition_params.flags
 * and &gpuclient_partition_info.flags: the partition lives until revoked
 * and has a device node, %GPUCLIENT_PARTITION_NODE_PATH
 */
#define GPUCLIENT_PARTITION_PERSISTENT	0x1
/** define GPUCLIENT_PARTITION_MAX_WEIGHT - the largest partition weight */
#define GPUCLIENT_PARTITION_MAX_WEIGHT	1000
/**
 * define GPUCLIENT_PARTITION_NODE_PATH - printf() format of a persistent
 * partition's device node, given its id as an unsigned int
 */
#define GPUCLIENT_PARTITION_NODE_PATH	"/dev/gpufe-part%u"
/**
 * define GPUCLIENT_ENGINE_TIMEOUT_MAX_MS - the longest engine timeout of a
 * partition, &gpuclient_partition_params2.engine_timeout_ms, in
 * milliseconds
 */
#define GPUCLIENT_ENGINE_TIMEOUT_MAX_MS	600000

/**
 * define GPUCLIENT_CONFIG_REG_PERSISTENT - register flag, set when the
 * partition lives until revoked
 */
#define GPUCLIENT_CONFIG_REG_PERSISTENT	0x1
/**
 * define GPUCLIENT_CONFIG_REG_REVOKED - register flag, set once the
 * partition has ended and its clients can do nothing more
 */
#define GPUCLIENT_CONFIG_REG_REVOKED	0x2
/**
 * define GPUCLIENT_CONFIG_REG_DENSE - register flag, set when the engine
 * mask is in the reader's own numbering (a client of the partition reads)
 */
#define GPUCLIENT_CONFIG_REG_DENSE	0x4
/**
 * define GPUCLIENT_CONFIG_REG_CLASSES - entries of
 * &gpuclient_config_reg.engines, one per engine class
 */
#define GPUCLIENT_CONFIG_REG_CLASSES	4

/**
 * enum gpuclient_engine_class - what an engine does
 *
 * @GPUCLIENT_ENGINE_CLASS_COMPUTE: runs compute work
 * @GPUCLIENT_ENGINE_CLASS_COPY: copies and fills memory
 * @GPUCLIENT_ENGINE_CLASS_VIDEO: video decode and encode
 *
 * A newer kernel may report classes not listed here;
 * gpuclient_engine_class_name() calls them "unknown".
 */
enum gpuclient_engine_class {
	GPUCLIENT_ENGINE_CLASS_COMPUTE = 0,
	GPUCLIENT_ENGINE_CLASS_COPY = 1,
	GPUCLIENT_ENGINE_CLASS_VIDEO = 2,
};

/**
 * enum gpuclient_ctx_state - what a context can still do
 *
 * @GPUCLIENT_CTX_STATE_ACTIVE: accepts jobs
 * @GPUCLIENT_CTX_STATE_LOST: its device is gone; gpuclient_submit() fails
 *	with -ENODEV
 * @GPUCLIENT_CTX_STATE_BANNED: its jobs hung the engine as often as the
 *	kernel allows (its ``hang_limit`` parameter); gpuclient_submit()
 *	fails with -ECANCELED (kernel interface 1.4 and later)
 *
 * A newer kernel may report states not listed here; a context in one it
 * does not know should be taken as unable to accept jobs.
 */
enum gpuclient_ctx_state {
	GPUCLIENT_CTX_STATE_ACTIVE = 0,
	GPUCLIENT_CTX_STATE_LOST = 1,
	GPUCLIENT_CTX_STATE_BANNED = 2,
};

/**
 * enum gpuclient_wait_mode - how gpuclient_wait_mode() waits
 *
 * @GPUCLIENT_WAIT_SLEEP: asleep in the kernel, as gpuclient_wait() does:
 *	no CPU time while waiting, a wake-up's latency at the end
 * @GPUCLIENT_WAIT_SPIN: polling the context's slot on the completion page,
 *	without a system call: the lowest latency, one CPU busy meanwhile
 * @GPUCLIENT_WAIT_HYBRID: spinning for a while, then asleep in the kernel
 *
 * Without %GPUCLIENT_FEATURE_COMPLETION_PAGE there is no slot to poll:
 * every mode sleeps.
 */
enum gpuclient_wait_mode {
	GPUCLIENT_WAIT_SLEEP = 0,
	GPUCLIENT_WAIT_SPIN = 1,
	GPUCLIENT_WAIT_HYBRID = 2,
};

/**
 * struct gpuclient_version - the kernel's gpufe interface version
 *
 * @major: major version; always the one libgpuclient was built for
 * @minor: minor version; grows with every compatible addition
 * @patch: patch level
 * @features: the kernel's feature bits: GPUCLIENT_FEATURE_* here, the
 *	same values as the GPUFE_FEATURE_* bits of ``<gpufe.h>``
 */
struct gpuclient_version {
	uint32_t major;
	uint32_t minor;
	uint32_t patch;
	uint64_t features;
};

/**
 * struct gpuclient_device_info - one device
 *
 * @device_id: the device's id, never 0; pass it to
 *	gpuclient_query_engines()
 * @num_engines: number of engines this client may use
 * @mem_size: bytes of device memory, 0 when the device has none
 * @name: the device's name, always NUL-terminated, e.g. "swgpu0"
 * @backend: the back-end driving it, always NUL-terminated, e.g. "swgpu"
 */
struct gpuclient_device_info {
	uint32_t device_id;
	uint32_t num_engines;
	uint64_t mem_size;
	char name[GPUCLIENT_NAME_LEN];
	char backend[GPUCLIENT_NAME_LEN];
};

/**
 * struct gpuclient_engine_info - one engine of a device
 *
 * @engine_class: an &enum gpuclient_engine_class value
 * @engine_instance: the instance within @engine_class, numbered densely
 *	from 0 among the engines this client may use
 * @name: the engine's name, always NUL-terminated, e.g. "compute0"
 */
struct gpuclient_engine_info {
	uint32_t engine_class;
	uint32_t engine_instance;
	char name[GPUCLIENT_ENGINE_NAME_LEN];
};

/**
 * struct gpuclient_ctx_status - a context's progress
 *
 * @submitted: the sequence number of the last job submitted, 0 for none
 * @completed: every job up to this sequence number has completed
 * @error: 0, or the negative errno of the last job that failed
 * @state: an &enum gpuclient_ctx_state value
 */
struct gpuclient_ctx_status {
	uint64_t submitted;
	uint64_t completed;
	int32_t error;
	uint32_t state;
};

/**
 * struct gpuclient_ctx_status2 - a context's progress and what the
 * scheduler counted for it (since 1.4)
 *
 * @submitted: the sequence number of the last job submitted, 0 for none
 * @completed: every job up to this sequence number has completed
 * @error: 0, or the negative errno of the last job that failed: -ETIME for
 *	a job that hung its engine, -ECANCELED for one cancelled before it
 *	reached an engine, -EIO for a job that faulted, ...
 * @state: an &enum gpuclient_ctx_state value
 * @busy_ns: engine time the context's jobs used, in nanoseconds, as the
 *	back-end stamped each job's start and end; what the scheduler
 *	charged the context for
 * @hangs: jobs of the context that ran longer than their timeout and had
 *	their engine reset
 * @queued: jobs submitted and not yet handed to the engine
 *
 * The first four fields are those of &struct gpuclient_ctx_status. On a
 * kernel without %GPUCLIENT_FEATURE_SCHED, @busy_ns, @hangs and @queued
 * are 0.
 */
struct gpuclient_ctx_status2 {
	uint64_t submitted;
	uint64_t completed;
	int32_t error;
	uint32_t state;
	uint64_t busy_ns;
	uint32_t hangs;
	uint32_t queued;
};

/**
 * struct gpuclient_event - a completion event
 *
 * @type: %GPUCLIENT_EVENT_COMPLETION
 * @ctx_id: the context, as gpuclient_ctx_get_id() reports it
 * @seqno: every job of the context up to this sequence number completed
 * @error: 0, or the negative errno of the context's last failed job
 */
struct gpuclient_event {
	uint32_t type;
	uint32_t ctx_id;
	uint64_t seqno;
	int32_t error;
};

/**
 * struct gpuclient_partition_params - what a new partition is made of
 *
 * @device_id: the device to take a slice of, a
 *	&gpuclient_device_info.device_id
 * @flags: 0 or %GPUCLIENT_PARTITION_PERSISTENT
 * @engine_mask: the partition's engines: bit i is the i-th engine that
 *	gpuclient_query_engines() lists to a client without partition (by
 *	class, then instance); not 0
 * @mem_quota: bytes of buffer memory the partition's clients may use
 *	together, 0 for no quota
 * @weight: the partition's share of its engines' time relative to other
 *	partitions', 1 to %GPUCLIENT_PARTITION_MAX_WEIGHT
 * @max_clients: how many clients the partition may have at once (its
 *	first, the descriptor gpuclient_partition_create() returns,
 *	included), 0 for no limit
 * @node_uid: with %GPUCLIENT_PARTITION_PERSISTENT, the owner of the
 *	partition's device node; 0 otherwise
 * @node_gid: with %GPUCLIENT_PARTITION_PERSISTENT, the node's group; 0
 *	otherwise
 * @node_mode: with %GPUCLIENT_PARTITION_PERSISTENT, the node's permission
 *	bits, at most 0777; 0 otherwise
 */
struct gpuclient_partition_params {
	uint32_t device_id;
	uint32_t flags;
	uint64_t engine_mask;
	uint64_t mem_quota;
	uint32_t weight;
	uint32_t max_clients;
	uint32_t node_uid;
	uint32_t node_gid;
	uint32_t node_mode;
};

/**
 * struct gpuclient_partition_params2 - what a new partition is made of,
 * with its scheduling (since 1.4)
 *
 * @device_id: as &gpuclient_partition_params.device_id
 * @flags: as &gpuclient_partition_params.flags
 * @engine_mask: as &gpuclient_partition_params.engine_mask
 * @mem_quota: as &gpuclient_partition_params.mem_quota
 * @weight: as &gpuclient_partition_params.weight
 * @max_clients: as &gpuclient_partition_params.max_clients
 * @node_uid: as &gpuclient_partition_params.node_uid
 * @node_gid: as &gpuclient_partition_params.node_gid
 * @node_mode: as &gpuclient_partition_params.node_mode
 * @engine_timeout_ms: how long a job of the partition may run on its
 *	engine before it counts as hung (its engine is reset and the job
 *	fails with -ETIME), 1 to %GPUCLIENT_ENGINE_TIMEOUT_MAX_MS; 0 for the
 *	kernel's default, its ``engine_timeout_ms`` parameter. Not 0 needs
 *	%GPUCLIENT_FEATURE_SCHED
 *
 * &struct gpuclient_partition_params with one field more, at the end.
 */
struct gpuclient_partition_params2 {
	uint32_t device_id;
	uint32_t flags;
	uint64_t engine_mask;
	uint64_t mem_quota;
	uint32_t weight;
	uint32_t max_clients;
	uint32_t node_uid;
	uint32_t node_gid;
	uint32_t node_mode;
	uint32_t engine_timeout_ms;
};

/**
 * struct gpuclient_partition_info - one partition
 *
 * @partition_id: the partition's id, never 0
 * @device_id: its device
 * @engine_mask: its engines, as &gpuclient_partition_params.engine_mask
 *	numbers them for a client without partition; for a client of the
 *	partition, in its own numbering: the low bits, one per engine it
 *	sees
 * @mem_quota: bytes of buffer memory, 0 for no quota
 * @mem_used: bytes of buffer memory its clients use now
 * @weight: its weight
 * @flags: %GPUCLIENT_PARTITION_PERSISTENT or 0
 * @max_clients: its limit on clients, 0 for none
 * @num_clients: its clients now
 */
struct gpuclient_partition_info {
	uint32_t partition_id;
	uint32_t device_id;
	uint64_t engine_mask;
	uint64_t mem_quota;
	uint64_t mem_used;
	uint32_t weight;
	uint32_t flags;
	uint32_t max_clients;
	uint32_t num_clients;
};

/**
 * struct gpuclient_config_reg - a configuration register, as read
 *
 * @partition_id: the partition, or 0 for the register of a whole device
 *	(the reader is a client without partition)
 * @device_id: the device
 * @engine_mask: the engines: bit i is the i-th engine by class then
 *	instance, in the device's numbering, or, with
 *	%GPUCLIENT_CONFIG_REG_DENSE, in the reader's own (so the low bits)
 * @engines: how many engines of each class (indexed by
 *	&enum gpuclient_engine_class) @engine_mask holds
 * @mem_quota: bytes of buffer memory the partition may use, 0: no quota
 * @weight: the partition's weight, 1 to %GPUCLIENT_PARTITION_MAX_WEIGHT;
 *	0 for a whole device
 * @flags: GPUCLIENT_CONFIG_REG_* bits; bits this library does not name
 *	are passed on as the kernel set them
 * @max_clients: clients the partition may have at once, 0: no limit
 */
struct gpuclient_config_reg {
	uint32_t partition_id;
	uint32_t device_id;
	uint64_t engine_mask;
	uint32_t engines[GPUCLIENT_CONFIG_REG_CLASSES];
	uint64_t mem_quota;
	uint32_t weight;
	uint32_t flags;
	uint32_t max_clients;
};

/* The kernel's register layout, in <gpufe.h>, for gpuclient_config_reg_map(). */
struct gpufe_config_reg;

/**
 * gpuclient_open() - open a gpufe device
 * @path: the device node; NULL means the default, chosen by the
 *	environment (see below)
 * @out: where to store the new handle; untouched on error
 *
 * Opens @path with ``O_RDWR | O_CLOEXEC | O_NONBLOCK`` and reads the
 * interface version. A kernel whose major version differs from the one
 * libgpuclient was built for is refused; an older minor version is
 * accepted, and what it lacks fails with -EOPNOTSUPP. As the descriptor is
 * non-blocking, a read(2) on gpuclient_get_fd() fails with -EAGAIN instead
 * of waiting; poll(2) it, or use gpuclient_read_events().
 *
 * With @path NULL, the first of these that applies decides:
 *
 * 1. ``GPUFE_FD`` (%GPUCLIENT_FD_ENV) is set: the handle is
 *    gpuclient_open_fd() of the descriptor it names, in decimal, a client
 *    of that descriptor's partition. Set but empty, or anything but a
 *    descriptor number, is an error, never a reason to open a node
 *    instead: a program started in a partition must not end up with the
 *    whole device because the descriptor was lost on the way.
 * 2. ``GPUFE_DEVICE`` (%GPUCLIENT_DEVICE_ENV) is set and not empty: that
 *    node is opened.
 * 3. ``/dev/gpufe`` (%GPUCLIENT_DEFAULT_PATH) is opened.
 *
 * Both variables are ignored in setuid and setgid programs. An explicit
 * @path is opened whatever they say. ``GPUFE_FD`` restricts programs that
 * cooperate (every libgpuclient program that opens the default device);
 * it does not confine one that opens a node by itself, which the kernel's
 * ``partitions_mandatory`` parameter and the node's permissions do.
 *
 * Return: 0 on success; -EINVAL if @out is NULL, or ``GPUFE_FD`` is set
 * but not a decimal number from 0 to INT_MAX; -EPROTONOSUPPORT if the
 * kernel's major interface version differs; -ENOTTY if @path is not a gpufe
 * device; -ENOMEM; or the negative errno from open(2) (-ENOENT, -EACCES, ...)
 * or from the version ioctl; through ``GPUFE_FD``, the errors of
 * gpuclient_open_fd() (-EBADF for a descriptor that is not open).
 */
int gpuclient_open(const char *path, gpuclient_handle *out);

/**
 * gpuclient_open_fd() - open a client through a gpufe file descriptor
 * @fd: a descriptor of a gpufe client: a partition's (from
 *	gpuclient_partition_create(), a partition's node, or inherited), or
 *	one of ``/dev/gpufe`` itself; it stays the caller's, open, to close
 * @out: where to store the new handle; untouched on error
 *
 * For a client of a partition, opens a new, independent client of the
 * same partition (GPUFE_IOCTL_PARTITION_OPEN), with buffers, contexts,
 * events and a completion page of its own; it counts against the
 * partition's client limit, as @fd does. For any other gpufe descriptor
 * (the kernel answers that it belongs to no partition, or the kernel has
 * no partitions), the handle uses a close-on-exec duplicate of @fd, and
 * so shares @fd's client: its buffers, contexts and events, and its file
 * status flags, of which the library sets ``O_NONBLOCK``.
 *
 * The new descriptor is close-on-exec and non-blocking, as gpuclient_open()
 * makes it, and the version is checked the same way.
 *
 * Return: 0 on success; -EINVAL if @out is NULL; -EBADF if @fd is
 * negative or not open; -ENOTTY if @fd is not a gpufe descriptor;
 * -EPROTONOSUPPORT if the kernel's major interface version differs;
 * -ENODEV if @fd's partition has ended; -EUSERS if the partition has as
 * many clients as it may; -EMFILE; -ENOMEM; or another negative errno
 * from the kernel or fcntl(2).
 */
int gpuclient_open_fd(int fd, gpuclient_handle *out);

/**
 * gpuclient_close() - close a gpufe device
 * @h: the handle to release, or NULL (which does nothing)
 *
 * Releases the handle; @h must not be used afterwards. The file descriptor
 * closes now, or, while buffers or contexts of the device remain, when the
 * last of them is destroyed; until then they keep working. Lists returned
 * by the query functions stay valid and must still be freed.
 */
void gpuclient_close(gpuclient_handle h);

/**
 * gpuclient_get_fd() - the file descriptor behind a handle
 * @h: an open handle
 *
 * The descriptor stays owned by the handle: do not close it.
 *
 * Return: the file descriptor, or -EINVAL if @h is NULL.
 */
int gpuclient_get_fd(gpuclient_handle h);

/**
 * gpuclient_get_version() - the kernel's interface version
 * @h: an open handle
 * @v: filled with the version read by gpuclient_open()
 *
 * Return: 0 on success, -EINVAL if @h or @v is NULL.
 */
int gpuclient_get_version(gpuclient_handle h, struct gpuclient_version *v);

/**
 * gpuclient_query_devices() - list the devices
 * @h: an open handle
 * @list: set to a newly allocated array of *@count entries, by ascending
 *	device id, to be freed with gpuclient_free_devices(); set to NULL
 *	when there is no device
 * @count: set to the number of entries
 *
 * The list can change while it is being read (a device appears); the query
 * is then repeated, at most 8 times in all.
 *
 * Return: 0 on success; -EINVAL if an argument is NULL; -EOPNOTSUPP if the
 * kernel does not offer device discovery; -EAGAIN if the list kept changing
 * through every attempt; -EPROTO if the kernel's answer is malformed;
 * -ENOMEM; or the negative errno from the query ioctl.
 */
int gpuclient_query_devices(gpuclient_handle h,
			    struct gpuclient_device_info **list,
			    uint32_t *count);

/**
 * gpuclient_free_devices() - free a list from gpuclient_query_devices()
 * @list: the list, or NULL
 */
void gpuclient_free_devices(struct gpuclient_device_info *list);

/**
 * gpuclient_query_engines() - list the engines of one device
 * @h: an open handle
 * @device_id: the device, a &gpuclient_device_info.device_id
 * @list: set to a newly allocated array of *@count entries, by class then
 *	instance, to be freed with gpuclient_free_engines(); set to NULL when
 *	the client may use no engine of this device
 * @count: set to the number of entries
 *
 * Only the engines this client may use are listed.
 *
 * Return: 0 on success; -ENODEV if @device_id names no device (or the
 * device was unplugged); otherwise as gpuclient_query_devices().
 */
int gpuclient_query_engines(gpuclient_handle h, uint32_t device_id,
			    struct gpuclient_engine_info **list,
			    uint32_t *count);

/**
 * gpuclient_free_engines() - free a list from gpuclient_query_engines()
 * @list: the list, or NULL
 */
void gpuclient_free_engines(struct gpuclient_engine_info *list);

/**
 * gpuclient_engine_class_name() - the name of an engine class
 * @engine_class: an &enum gpuclient_engine_class value
 *
 * Return: "compute", "copy", "video", or "unknown" for any other value;
 * a static string.
 */
const char *gpuclient_engine_class_name(uint32_t engine_class);

/**
 * gpuclient_bo_create() - create a buffer object
 * @h: an open handle
 * @size: bytes wanted, not 0; rounded up to whole pages
 * @out: set to the new buffer
 *
 * The buffer is zero-filled system memory that counts against the
 * client's memory limit.
 *
 * Return: 0 on success; -EINVAL if @h or @out is NULL or @size is 0;
 * -EOPNOTSUPP without %GPUCLIENT_FEATURE_DATAPATH; -E2BIG for a @size above
 * the kernel's largest buffer; -EDQUOT when the client's limit would be
 * passed; -ENOMEM; or another negative errno from the kernel.
 */
int gpuclient_bo_create(gpuclient_handle h, uint64_t size,
			gpuclient_bo_handle *out);

/**
 * gpuclient_bo_destroy() - release a buffer object
 * @bo: the buffer, or NULL (which does nothing)
 *
 * Drops one reference: one per gpuclient_bo_create() and one per
 * gpuclient_bo_import() that returned this object. The last unmaps the
 * buffer and drops the kernel's handle; the memory itself stays while a
 * job or a dma-buf still uses it. @bo is released whatever the return
 * value and must not be used afterwards.
 *
 * Return: 0, or the negative errno of the kernel's destroy ioctl (-ENOENT
 * if the handle was destroyed behind the library's back).
 */
int gpuclient_bo_destroy(gpuclient_bo_handle bo);

/**
 * gpuclient_bo_map() - map a buffer object for the CPU
 * @bo: the buffer
 * @ptr: set to the mapping of the whole buffer, readable and writable
 *
 * The first call mmap()s the buffer shared; later calls return the same
 * mapping. It stays until the buffer is destroyed: do not munmap() it.
 * The CPU sees what a job wrote once gpuclient_wait() reports the job done.
 *
 * Return: 0 on success; -EINVAL if an argument is NULL; or the negative
 * errno from mmap(2).
 */
int gpuclient_bo_map(gpuclient_bo_handle bo, void **ptr);

/**
 * gpuclient_bo_get_handle() - the kernel's handle of a buffer object
 * @bo: the buffer
 *
 * For use with the raw ioctls on gpuclient_get_fd(); do not destroy it.
 *
 * Return: the handle, or 0 (never a handle) if @bo is NULL.
 */
uint32_t gpuclient_bo_get_handle(gpuclient_bo_handle bo);

/**
 * gpuclient_bo_get_size() - the size of a buffer object
 * @bo: the buffer
 *
 * Return: its size in bytes, a whole number of pages, or 0 if @bo is NULL.
 */
uint64_t gpuclient_bo_get_size(gpuclient_bo_handle bo);

/**
 * gpuclient_bo_export() - share a buffer object as a dma-buf
 * @bo: the buffer
 * @fd: set to a new dma-buf file descriptor, close-on-exec and writable;
 *	the caller closes it
 *
 * Jobs of every driver that use the dma-buf synchronise with gpufe's jobs
 * implicitly.
 *
 * Return: 0 on success; -EINVAL if an argument is NULL; -EMFILE when the
 * process has no free descriptor; -ENOENT if the handle was destroyed
 * behind the library's back; or another negative errno from the kernel.
 */
int gpuclient_bo_export(gpuclient_bo_handle bo, int *fd);

/**
 * gpuclient_bo_import() - make a buffer object of a dma-buf
 * @h: an open handle
 * @fd: the dma-buf; it stays the caller's to close
 * @out: set to the buffer
 *
 * A dma-buf that @h already has a buffer object for (imported before, or
 * exported from a buffer of @h) gives back that object with one more
 * reference, to be dropped with gpuclient_bo_destroy() like any other.
 *
 * Return: 0 on success; -EINVAL if @h or @out is NULL, or (from the
 * kernel) @fd is not a dma-buf; -EBADF if @fd is not open;
 * -EOPNOTSUPP without %GPUCLIENT_FEATURE_DATAPATH or for a dma-buf the
 * kernel cannot map for the CPU; -ENOMEM; or another negative errno from
 * the kernel.
 */
int gpuclient_bo_import(gpuclient_handle h, int fd, gpuclient_bo_handle *out);

/**
 * gpuclient_ctx_create() - create a context on one engine
 * @h: an open handle
 * @device_id: the device, a &gpuclient_device_info.device_id
 * @engine_class: an &enum gpuclient_engine_class value
 * @engine_instance: the instance, as gpuclient_query_engines() lists it
 * @priority: %GPUCLIENT_PRIORITY_LOW, %GPUCLIENT_PRIORITY_NORMAL or
 *	%GPUCLIENT_PRIORITY_HIGH
 * @out: set to the new context
 *
 * Jobs of a context run one after another, in submission order; their
 * sequence numbers count from 1.
 *
 * With %GPUCLIENT_FEATURE_SCHED, @priority orders the jobs of the
 * contexts of one partition (or of the clients without partition) that
 * wait for the same engine: a higher-priority job goes first, waiting at
 * most for the job already running there, while the kernel bounds how
 * much engine time higher priorities take ahead of a waiting lower one
 * (its ``prio_starvation_ms`` parameter). Priorities do not move time
 * between partitions, whose weights decide. Before 1.4 the kernel stores
 * the priority and does not use it.
 *
 * With %GPUCLIENT_FEATURE_COMPLETION_PAGE, the first context of @h maps
 * the client's completion page, read-only; a later context whose slot
 * lies beyond that mapping maps it again, larger. The mappings stay until
 * @h and every buffer and context of it are gone.
 *
 * Return: 0 on success; -EINVAL if @h or @out is NULL or (from the kernel)
 * @priority is out of range; -EOPNOTSUPP without
 * %GPUCLIENT_FEATURE_DATAPATH; -EPERM for %GPUCLIENT_PRIORITY_HIGH without
 * CAP_SYS_NICE; -ENODEV for an unknown device; -ENOENT for an engine the
 * device does not show this client; -EMFILE when the client has as many
 * contexts as it may; -ENOMEM; -EPROTO if the kernel put the context's
 * completion slot where the uAPI does not allow; or the negative errno
 * from mmap(2) of the completion page. When the mapping fails, the kernel
 * context just made is destroyed again.
 */
int gpuclient_ctx_create(gpuclient_handle h, uint32_t device_id,
			 uint32_t engine_class, uint32_t engine_instance,
			 int32_t priority, gpuclient_ctx_handle *out);

/**
 * gpuclient_ctx_destroy() - release a context
 * @ctx: the context, or NULL (which does nothing)
 *
 * Jobs already submitted still run and signal their fences. @ctx is
 * released whatever the return value and must not be used afterwards.
 *
 * Return: 0, or the negative errno of the kernel's destroy ioctl.
 */
int gpuclient_ctx_destroy(gpuclient_ctx_handle ctx);

/**
 * gpuclient_ctx_get_id() - the kernel's id of a context
 * @ctx: the context
 *
 * This is the &gpuclient_event.ctx_id of the context's events.
 *
 * Return: the id, or 0 (never an id) if @ctx is NULL.
 */
uint32_t gpuclient_ctx_get_id(gpuclient_ctx_handle ctx);

/**
 * gpuclient_ctx_status() - a context's progress
 * @ctx: the context
 * @status: filled with the context's status
 *
 * gpuclient_ctx_status2() reports the same and what the scheduler counted
 * (since 1.4).
 *
 * Return: 0 on success; -EINVAL if an argument is NULL; or the negative
 * errno from the kernel.
 */
int gpuclient_ctx_status(gpuclient_ctx_handle ctx,
			 struct gpuclient_ctx_status *status);

/**
 * gpuclient_ctx_status2() - a context's progress and scheduling counters
 * @ctx: the context
 * @status: filled with the context's status, in one snapshot
 *
 * What gpuclient_ctx_status() reports, and the engine time, hangs and
 * queued jobs the scheduler counts (since 1.4). On an older kernel the
 * call works all the same and those three read 0: check
 * %GPUCLIENT_FEATURE_SCHED in gpuclient_get_version() to tell a context
 * that has used no engine time from a kernel that does not count it.
 *
 * Engine time is what shares are made of: the share two contexts got of
 * an engine over an interval is the difference of their @busy_ns, read
 * before and after.
 *
 * Return: 0 on success; -EINVAL if an argument is NULL; or the negative
 * errno from the kernel (-ENOENT for a context that no longer exists in
 * the kernel).
 */
int gpuclient_ctx_status2(gpuclient_ctx_handle ctx,
			  struct gpuclient_ctx_status2 *status);

/**
 * gpuclient_cmdbuf_create() - create an empty swgpu command-stream builder
 * @out: set to the new builder
 *
 * Return: 0 on success; -EINVAL if @out is NULL; -ENOMEM.
 */
int gpuclient_cmdbuf_create(gpuclient_cmdbuf_handle *out);

/**
 * gpuclient_cmdbuf_destroy() - free a command-stream builder
 * @cb: the builder, or NULL (which does nothing)
 */
void gpuclient_cmdbuf_destroy(gpuclient_cmdbuf_handle cb);

/**
 * gpuclient_cmdbuf_reset() - empty a builder for the next job
 * @cb: the builder, or NULL (which does nothing)
 *
 * Forgets the commands and the buffer list, keeping the memory.
 */
void gpuclient_cmdbuf_reset(gpuclient_cmdbuf_handle cb);

/**
 * gpuclient_cmdbuf_add_bo() - put a buffer on the job's buffer list
 * @cb: the builder
 * @bo: the buffer; it must stay alive until the job is submitted
 * @flags: %GPUCLIENT_BO_READ and/or %GPUCLIENT_BO_WRITE: how the job uses
 *	it, which also decides what it waits for (a reader waits for pending
 *	writers, a writer for every pending user)
 * @index: set to the buffer's index, the one commands name it by
 *
 * Adding a buffer that is already listed ORs @flags into its entry and
 * gives its index again. All buffers of one list belong to one device
 * handle.
 *
 * Return: 0 on success; -EINVAL if a pointer is NULL or @flags is 0 or has
 * an unknown bit; -EXDEV if @bo belongs to another device handle than the
 * buffers listed; -E2BIG if the list already has
 * %GPUCLIENT_CMDBUF_MAX_BOS entries. On error, @cb is unchanged.
 */
int gpuclient_cmdbuf_add_bo(gpuclient_cmdbuf_handle cb, gpuclient_bo_handle bo,
			    uint32_t flags, uint32_t *index);

/**
 * gpuclient_cmd_nop() - append a command that does nothing
 * @cb: the builder
 *
 * Every gpuclient_cmd_*() function appends one swgpu command (see
 * ``<gpufe_swgpu.h>`` for what each does, the engines it runs on and the
 * alignment it needs; the kernel checks those at submit time), or, for the
 * gpuclient_cmd_edu_*() ones, one edu command (``<gpufe_edu.h>``), and
 * names buffers by their index from gpuclient_cmdbuf_add_bo(). On error
 * the builder is unchanged.
 *
 * Return: 0 on success; -EINVAL if @cb is NULL or (for the commands that
 * take buffers) an index is not on the buffer list; -E2BIG if the stream
 * would grow past %GPUCLIENT_CMDBUF_MAX_SIZE bytes; -ENOMEM.
 */
int gpuclient_cmd_nop(gpuclient_cmdbuf_handle cb);

/**
 * gpuclient_cmd_fill() - append: fill a range with a 32-bit value
 * @cb: the builder
 * @bo_index: the buffer, listed with %GPUCLIENT_BO_WRITE
 * @offset: first byte, a multiple of 4
 * @length: bytes, a multiple of 4
 * @value: stored in every 32-bit word of the range
 *
 * Runs on compute and copy engines.
 *
 * Return: as gpuclient_cmd_nop().
 */
int gpuclient_cmd_fill(gpuclient_cmdbuf_handle cb, uint32_t bo_index,
		       uint64_t offset, uint64_t length, uint32_t value);

/**
 * gpuclient_cmd_copy() - append: copy bytes between buffers
 * @cb: the builder
 * @src_index: the source buffer, listed with %GPUCLIENT_BO_READ
 * @dst_index: the destination buffer, listed with %GPUCLIENT_BO_WRITE
 * @src_offset: first source byte
 * @dst_offset: first destination byte
 * @length: bytes
 *
 * Runs on compute and copy engines. Within one buffer, the ranges must not
 * overlap.
 *
 * Return: as gpuclient_cmd_nop().
 */
int gpuclient_cmd_copy(gpuclient_cmdbuf_handle cb, uint32_t src_index,
		       uint32_t dst_index, uint64_t src_offset,
		       uint64_t dst_offset, uint64_t length);

/**
 * gpuclient_cmd_vadd() - append: dst[i] = a[i] + b[i] on 32-bit integers
 * @cb: the builder
 * @a_index: the first source buffer, listed with %GPUCLIENT_BO_READ
 * @b_index: the second source buffer, listed with %GPUCLIENT_BO_READ
 * @dst_index: the destination buffer, listed with %GPUCLIENT_BO_WRITE
 * @a_offset: first byte of a, a multiple of 4
 * @b_offset: first byte of b, a multiple of 4
 * @dst_offset: first byte of dst, a multiple of 4
 * @count: number of elements
 *
 * Runs on compute engines only; sums wrap modulo 2^32. The destination
 * may be one of the sources.
 *
 * Return: as gpuclient_cmd_nop().
 */
int gpuclient_cmd_vadd(gpuclient_cmdbuf_handle cb, uint32_t a_index,
		       uint32_t b_index, uint32_t dst_index, uint64_t a_offset,
		       uint64_t b_offset, uint64_t dst_offset, uint64_t count);

/**
 * gpuclient_cmd_delay_us() - append: keep the engine busy
 * @cb: the builder
 * @usecs: microseconds; a job may ask for at most one second in all
 *
 * Runs on every engine.
 *
 * Return: as gpuclient_cmd_nop().
 */
int gpuclient_cmd_delay_us(gpuclient_cmdbuf_handle cb, uint32_t usecs);

/**
 * gpuclient_cmd_timestamp() - append: write the engine's clock
 * @cb: the builder
 * @bo_index: the buffer, listed with %GPUCLIENT_BO_WRITE
 * @offset: where the uint64_t goes, a multiple of 8
 *
 * Writes the CLOCK_MONOTONIC time in nanoseconds at which the command ran.
 * Runs on every engine.
 *
 * Return: as gpuclient_cmd_nop().
 */
int gpuclient_cmd_timestamp(gpuclient_cmdbuf_handle cb, uint32_t bo_index,
			    uint64_t offset);

/**
 * gpuclient_cmd_fault() - append: end the job with an error (fault injection)
 * @cb: the builder
 *
 * The job ends at this command, its fence and its context reporting -EIO;
 * the commands before it have run, those after it do not. Runs on every
 * engine. For testing how a program copes with a job that fails.
 *
 * Return: as gpuclient_cmd_nop().
 */
int gpuclient_cmd_fault(gpuclient_cmdbuf_handle cb);

/**
 * gpuclient_cmd_hang() - append: keep the engine busy until it is reset
 * (fault injection)
 * @cb: the builder
 *
 * The engine stays busy with the job at this command until the kernel
 * finds it hung: since 1.4, after the job's engine timeout (the
 * ``engine_timeout_ms`` parameter, or its partition's), the engine is
 * reset and the job fails with -ETIME, counting against its context's
 * hang limit. The commands before it have run. Runs on every engine.
 *
 * swgpu accepts it only while its ``allow_hang`` module parameter is set:
 * otherwise gpuclient_submit() fails with -EINVAL. The builder does not
 * know which kernel the job goes to and appends it regardless.
 *
 * Return: as gpuclient_cmd_nop().
 */
int gpuclient_cmd_hang(gpuclient_cmdbuf_handle cb);

/**
 * gpuclient_cmd_edu_copy() - append: copy bytes between buffers on an edu
 * device's copy engine (since 1.5)
 * @cb: the builder
 * @src_index: the source buffer, listed with %GPUCLIENT_BO_READ
 * @dst_index: the destination buffer, listed with %GPUCLIENT_BO_WRITE
 * @src_offset: first source byte, any alignment
 * @dst_offset: first destination byte, any alignment
 * @length: bytes, at least 1
 *
 * Appends an edu ``EDU_CMD_COPY`` (``<gpufe_edu.h>``), which runs on the
 * copy engine of a gpufe_edu device only. Within one buffer the ranges
 * must not overlap. The device copies by DMA in chunks, each ending at
 * the copy's end, the next 4096-byte boundary of either offset, or
 * ``EDU_CHUNK_MAX`` (4095) bytes after its start, whichever comes
 * first, each taking about 200 ms under QEMU; the kernel refuses a job
 * whose copies need more than ``EDU_MAX_JOB_CHUNKS`` (16) chunks in all.
 *
 * Return: as gpuclient_cmd_nop().
 */
int gpuclient_cmd_edu_copy(gpuclient_cmdbuf_handle cb, uint32_t src_index,
			   uint32_t dst_index, uint64_t src_offset,
			   uint64_t dst_offset, uint64_t length);

/**
 * gpuclient_cmd_edu_factorial() - append: store n! on an edu device's
 * compute engine (since 1.5)
 * @cb: the builder
 * @dst_index: the buffer, listed with %GPUCLIENT_BO_WRITE
 * @dst_offset: where the uint32_t result goes, a multiple of 4
 * @n: the value, at most ``EDU_MAX_FACTORIAL_N`` (12, whose factorial is
 *	the largest that fits in 32 bits)
 *
 * Appends an edu ``EDU_CMD_FACTORIAL`` (``<gpufe_edu.h>``), which runs on
 * the compute engine of a gpufe_edu device only; the kernel refuses a job
 * of more than ``EDU_MAX_JOB_FACTORIALS`` (64) of them.
 *
 * Return: as gpuclient_cmd_nop().
 */
int gpuclient_cmd_edu_factorial(gpuclient_cmdbuf_handle cb, uint32_t dst_index,
				uint64_t dst_offset, uint32_t n);

/**
 * gpuclient_submit() - queue a job on a context
 * @ctx: the context
 * @cb: the commands and buffer list; unchanged, ready to be submitted
 *	again or reset
 * @in_fence_fd: a sync_file the job waits for, or -1 for none; it stays
 *	the caller's
 * @out_fence_fd: if not NULL, set to a new sync_file (close-on-exec) that
 *	signals when the job completes; the caller closes it
 * @seqno: if not NULL, set to the job's sequence number in @ctx
 *
 * The job runs once its in-fence, the pending users of its buffers (see
 * gpuclient_cmdbuf_add_bo()) and the previous job of @ctx are done. It
 * completes in finite time: a dependency that takes too long fails it with
 * -ETIMEDOUT, which gpuclient_ctx_status() and the events then report.
 *
 * A queued job can still fail; its fence, gpuclient_ctx_status() and the
 * events then report the error: since 1.4, -ETIME when it ran on its engine
 * longer than its timeout (the engine was reset), -ECANCELED when its
 * device file was closed, or its context banned, before it reached an
 * engine (jobs already on an engine finish), and swgpu's -EIO for a
 * FAULT (gpuclient_cmd_fault()); -ENODEV when its device or partition
 * went away first.
 *
 * Return: 0 on success; -EINVAL if @ctx or @cb is NULL, @cb has no
 * command, or (from the kernel) the stream or buffer list is invalid
 * (also a HANG command the kernel does not allow); -EBADF for an
 * @in_fence_fd below -1; -EXDEV if @cb's buffers belong to another device
 * handle than @ctx; -ENOENT for a context or buffer that no longer exists
 * in the kernel; -ENODEV when the context's device is gone; -ECANCELED
 * when the context is banned (%GPUCLIENT_CTX_STATE_BANNED); -EMFILE when
 * no descriptor is free for the out-fence; or another negative errno from
 * the kernel. Nothing is queued on error.
 */
int gpuclient_submit(gpuclient_ctx_handle ctx, gpuclient_cmdbuf_handle cb,
		     int in_fence_fd, int *out_fence_fd, uint64_t *seqno);

/**
 * gpuclient_wait() - wait for a job to complete
 * @ctx: the context
 * @seqno: the job, as gpuclient_submit() returned it
 * @timeout_ns: how long to wait at most, from now; 0 only checks;
 *	%GPUCLIENT_TIMEOUT_INFINITE (or any value past the end of the
 *	monotonic clock) waits until the job completes
 *
 * The timeout becomes one CLOCK_MONOTONIC deadline when the call starts;
 * a signal does not restart it. The job may have failed:
 * gpuclient_ctx_status() tells.
 *
 * Return: 0 once job @seqno and every job before it completed; -ETIME if
 * the deadline passed first; -EINVAL if @ctx is NULL or @seqno is 0 or
 * (from the kernel) not yet submitted; -ENOENT for a context that no longer
 * exists in the kernel; or another negative errno.
 */
int gpuclient_wait(gpuclient_ctx_handle ctx, uint64_t seqno,
		   uint64_t timeout_ns);

/**
 * gpuclient_ctx_done() - has a job completed?
 * @ctx: the context
 * @seqno: the job, as gpuclient_submit() returned it
 *
 * Reads the context's slot on the completion page: no system call and no
 * lock, cheap enough to call in a loop. Once it answers 1, what the job
 * and the jobs before it wrote is visible to the calling thread, as after
 * gpuclient_wait(); the job may have failed, which gpuclient_ctx_status()
 * tells. On a kernel without %GPUCLIENT_FEATURE_COMPLETION_PAGE it asks the
 * kernel instead, with one GPUFE_IOCTL_CTX_STATUS. A @seqno not yet
 * submitted is not done.
 *
 * Return: 1 if job @seqno and every job before it completed; 0 if not yet;
 * -EINVAL if @ctx is NULL or @seqno is 0; without the completion page, the
 * negative errno of the status ioctl (-ENOENT for a context that no longer
 * exists in the kernel).
 */
int gpuclient_ctx_done(gpuclient_ctx_handle ctx, uint64_t seqno);

/**
 * gpuclient_wait_mode() - wait for a job, asleep, spinning or both
 * @ctx: the context
 * @seqno: the job, as gpuclient_submit() returned it
 * @timeout_ns: how long to wait at most, from now, as for gpuclient_wait():
 *	0 only checks; %GPUCLIENT_TIMEOUT_INFINITE (or any value past the end
 *	of the monotonic clock) waits until the job completes
 * @mode: an &enum gpuclient_wait_mode value
 * @spin_ns: for %GPUCLIENT_WAIT_HYBRID, how long to spin before sleeping,
 *	bounded by the timeout; ignored by the other modes
 *
 * The timeout becomes one CLOCK_MONOTONIC deadline when the call starts,
 * shared by the spinning and the sleeping; a signal does not restart it.
 *
 * %GPUCLIENT_WAIT_SLEEP is gpuclient_wait(). %GPUCLIENT_WAIT_SPIN reads the
 * context's completion slot in a loop, with a CPU pause hint between two
 * reads and a look at the clock every few hundred, until the job is done
 * or the deadline passes; it makes no system call (the clock is read
 * through the vDSO) and keeps the calling CPU busy throughout. It cannot
 * tell a job not yet submitted from one still running: for a @seqno never
 * submitted it spins until the deadline and returns -ETIME, where the
 * kernel's wait fails with -EINVAL. %GPUCLIENT_WAIT_HYBRID spins for
 * @spin_ns, or until the deadline if that comes first, then sleeps in the
 * kernel until the same deadline (if it has passed, the kernel only
 * checks). A job found done while spinning returns at once, without a
 * system call.
 *
 * On a kernel without %GPUCLIENT_FEATURE_COMPLETION_PAGE,
 * %GPUCLIENT_WAIT_SPIN and %GPUCLIENT_WAIT_HYBRID sleep as
 * %GPUCLIENT_WAIT_SLEEP does.
 *
 * Return: 0 once job @seqno and every job before it completed; -ETIME if
 * the deadline passed first; -EINVAL if @ctx is NULL, @seqno is 0, @mode
 * is not an &enum gpuclient_wait_mode value, or (from the kernel, when
 * sleeping) @seqno is not yet submitted; -ENOENT (when sleeping) for a
 * context that no longer exists in the kernel; or another negative errno.
 */
int gpuclient_wait_mode(gpuclient_ctx_handle ctx, uint64_t seqno,
			uint64_t timeout_ns, uint32_t mode, uint64_t spin_ns);

/**
 * gpuclient_read_events() - read completion events
 * @h: an open handle
 * @ev: where to store the events
 * @max: room at @ev, in events; not 0
 * @timeout_ms: how long to wait for the first event: -1 forever, 0 not at
 *	all
 *
 * Waits (with poll(2)) until at least one event is pending, then returns
 * those pending, at most @max (and at most 32) per call. The kernel keeps
 * one pending event per context, carrying its latest completed sequence
 * number: an application that reads late gets one event, not a backlog.
 * The timeout is one CLOCK_MONOTONIC deadline across signals and across
 * events another thread read first. Events of types this library does not
 * know (from a later kernel) are stepped over by their length.
 *
 * Return: the number of events stored, at least 1; -ETIME if none came
 * before the timeout; -EINVAL if @h or @ev is NULL or @max is 0;
 * -EOPNOTSUPP without %GPUCLIENT_FEATURE_DATAPATH; -EPROTO if the kernel
 * returned a partial event; or the negative errno from poll(2) or read(2).
 */
int gpuclient_read_events(gpuclient_handle h, struct gpuclient_event *ev,
			  unsigned int max, int timeout_ms);

/**
 * gpuclient_partition_create() - create a partition of a device
 * @h: an open handle, of a client without partition
 * @params: what the partition is made of
 * @partition_id: if not NULL, set to the new partition's id
 * @fd: if not NULL, set to the partition's first client, a new descriptor
 *	opened read-write and close-on-exec, the caller's to close; NULL
 *	(only with %GPUCLIENT_PARTITION_PERSISTENT) closes it at once
 *
 * Needs ``CAP_SYS_ADMIN`` in the initial user namespace. The partition
 * lives while a descriptor of one of its clients is open (@fd, its
 * duplicates and inherited copies, and the clients opened through them);
 * with %GPUCLIENT_PARTITION_PERSISTENT, until gpuclient_partition_revoke(),
 * and it then also has a device node, %GPUCLIENT_PARTITION_NODE_PATH with
 * its id, owned by @params->node_uid and @params->node_gid with the
 * permission bits @params->node_mode. Hand @fd to the program meant to
 * use the partition (clear its close-on-exec flag and name it in
 * ``GPUFE_FD``, or pass it over a UNIX socket); that program opens it
 * with gpuclient_open_fd().
 *
 * Return: 0 on success; -EINVAL if @h or @params is NULL, @params->flags
 * has a bit this library does not know, @fd is NULL without
 * %GPUCLIENT_PARTITION_PERSISTENT, or (from the kernel) another field is
 * invalid: an @engine_mask of 0 or naming an engine the device does not
 * have, a weight out of range, node fields without
 * %GPUCLIENT_PARTITION_PERSISTENT or a mode beyond 0777, an owner or
 * group with no mapping in the caller's user namespace; -EOPNOTSUPP
 * without %GPUCLIENT_FEATURE_PARTITIONS; -EPERM without ``CAP_SYS_ADMIN``,
 * or through a client of a partition; -ENODEV for an unknown device;
 * -ENOSPC when every partition id is in use; -EMFILE; -ENOMEM; -EPROTO if
 * the kernel's answer is malformed; or another negative errno from the
 * kernel.
 */
int gpuclient_partition_create(gpuclient_handle h,
			       const struct gpuclient_partition_params *params,
			       uint32_t *partition_id, int *fd);

/**
 * gpuclient_partition_create2() - create a partition, with its engine
 * timeout (since 1.4)
 * @h: an open handle, of a client without partition
 * @params: what the partition is made of
 * @partition_id: if not NULL, set to the new partition's id
 * @fd: if not NULL, set to the partition's first client, as
 *	gpuclient_partition_create() says
 *
 * gpuclient_partition_create() with @params->engine_timeout_ms: how long a
 * job of the partition may run on its engine before the kernel takes it
 * for hung, instead of the kernel's ``engine_timeout_ms`` parameter. With
 * @params->engine_timeout_ms 0 it is gpuclient_partition_create(), on any
 * kernel with partitions.
 *
 * Return: as gpuclient_partition_create(); and -EINVAL (from the kernel)
 * for an @params->engine_timeout_ms above %GPUCLIENT_ENGINE_TIMEOUT_MAX_MS;
 * -EOPNOTSUPP for an @params->engine_timeout_ms other than 0 without
 * %GPUCLIENT_FEATURE_SCHED (no ioctl is made).
 */
int gpuclient_partition_create2(gpuclient_handle h,
				const struct gpuclient_partition_params2 *params,
				uint32_t *partition_id, int *fd);

/**
 * gpuclient_partition_revoke() - end a partition
 * @h: an open handle, of a client without partition
 * @partition_id: the partition, persistent or not
 *
 * Needs ``CAP_SYS_ADMIN`` in the initial user namespace. From then on
 * every call of the partition's clients fails with -ENODEV (their jobs
 * already on an engine complete, those not yet there fail), its node
 * goes, and its register shows %GPUCLIENT_CONFIG_REG_REVOKED.
 *
 * Return: 0 on success; -EINVAL if @h is NULL; -EOPNOTSUPP without
 * %GPUCLIENT_FEATURE_PARTITIONS; -EPERM without ``CAP_SYS_ADMIN``, or
 * through a client of a partition; -ENOENT if @partition_id names no
 * partition; or another negative errno from the kernel.
 */
int gpuclient_partition_revoke(gpuclient_handle h, uint32_t partition_id);

/**
 * gpuclient_open_partition() - open a new client of a partition by id
 * @h: an open handle
 * @partition_id: the partition; 0 for @h's own partition
 * @out: where to store the new handle; untouched on error
 *
 * An administrator (``CAP_SYS_ADMIN`` in the initial user namespace) opens
 * clients of any partition through a client without partition; a client
 * of a partition opens further clients of its own (@partition_id 0 or its
 * own id). The new client is independent of @h, as gpuclient_open_fd()
 * describes, and its handle outlives gpuclient_close(@h).
 *
 * Return: 0 on success; -EINVAL if @h or @out is NULL, or (from the
 * kernel) @partition_id is 0 and @h belongs to no partition;
 * -EOPNOTSUPP without %GPUCLIENT_FEATURE_PARTITIONS; -EPERM without
 * ``CAP_SYS_ADMIN``, or for another partition than @h's own; -ENOENT if
 * @partition_id names no partition; -EUSERS if the partition has as many
 * clients as it may; -ENODEV if @h's own partition has ended; -EMFILE;
 * -ENOMEM; or another negative errno from the kernel or fcntl(2).
 */
int gpuclient_open_partition(gpuclient_handle h, uint32_t partition_id,
			     gpuclient_handle *out);

/**
 * gpuclient_query_partitions() - list the partitions
 * @h: an open handle
 * @list: set to a newly allocated array of *@count entries, by ascending
 *	id, to be freed with gpuclient_free_partitions(); set to NULL when
 *	there is none
 * @count: set to the number of entries
 *
 * A client without partition gets every partition; a client of a
 * partition gets its own, with its engine mask in its own numbering. The
 * query is repeated, at most 8 times in all, while the list changes under
 * it, as gpuclient_query_devices() does.
 *
 * Return: 0 on success; -EINVAL if an argument is NULL; -EOPNOTSUPP
 * without %GPUCLIENT_FEATURE_PARTITIONS; -ENODEV if @h's partition has
 * ended; otherwise as gpuclient_query_devices().
 */
int gpuclient_query_partitions(gpuclient_handle h,
			       struct gpuclient_partition_info **list,
			       uint32_t *count);

/**
 * gpuclient_free_partitions() - free a list from gpuclient_query_partitions()
 * @list: the list, or NULL
 */
void gpuclient_free_partitions(struct gpuclient_partition_info *list);

/**
 * gpuclient_config_reg() - read the configuration register for a device
 * @h: an open handle
 * @device_id: the device, a &gpuclient_device_info.device_id
 * @reg: filled with the register
 *
 * A client of a partition reads its partition's register, in its own
 * engine numbering (%GPUCLIENT_CONFIG_REG_DENSE); a client without
 * partition reads a register of the whole device, with partition id 0.
 * The register is checked as the uAPI tells a reader to: its magic, its
 * version, its size, and that its engine mask and per-class counts agree;
 * and as the kernel checks its own: a non-zero engine mask, no unknown
 * flag, a zero pad, a weight of 0 for a whole device and of 1 to
 * %GPUCLIENT_PARTITION_MAX_WEIGHT for a partition, and with
 * %GPUCLIENT_CONFIG_REG_DENSE a mask of low bits.
 *
 * Return: 0 on success; -EINVAL if @h or @reg is NULL; -EOPNOTSUPP
 * without %GPUCLIENT_FEATURE_PARTITIONS; -ENODEV if @device_id names no
 * device @h sees (any device but its partition's, for a client of a
 * partition) or @h's partition has ended; -EPROTONOSUPPORT for a register
 * version this library does not know; -EPROTO for a malformed register;
 * otherwise as gpuclient_query_devices().
 */
int gpuclient_config_reg(gpuclient_handle h, uint32_t device_id,
			 struct gpuclient_config_reg *reg);

/**
 * gpuclient_config_reg_map() - map a partition client's register read-only
 * @h: an open handle, of a client of a partition
 * @reg: set to the register, in a new read-only shared mapping of one
 *	page (``<gpufe.h>`` describes its layout)
 *
 * The kernel keeps the page current: once the partition ends, its
 * @flags has %GPUCLIENT_CONFIG_REG_REVOKED, which a program can watch
 * without a system call (load @flags with
 * ``__atomic_load_n(&reg->flags, __ATOMIC_ACQUIRE)``). The register is
 * checked as gpuclient_config_reg() checks it before it is handed out.
 * The mapping stays until gpuclient_config_reg_unmap(), also after
 * gpuclient_close(@h).
 *
 * Return: 0 on success; -EINVAL if @h or @reg is NULL; -EOPNOTSUPP
 * without %GPUCLIENT_FEATURE_PARTITIONS; -EPROTONOSUPPORT or -EPROTO as
 * gpuclient_config_reg() (the page is unmapped again); or the negative
 * errno from mmap(2): -ENODEV for a client without partition, or once
 * the partition has ended.
 */
int gpuclient_config_reg_map(gpuclient_handle h,
			     const struct gpufe_config_reg **reg);

/**
 * gpuclient_config_reg_unmap() - unmap a register gpuclient_config_reg_map() mapped
 * @reg: the register, or NULL (which does nothing)
 */
void gpuclient_config_reg_unmap(const struct gpufe_config_reg *reg);

#if defined(__cplusplus)
}
#endif

#endif /* GPUCLIENT_H */
