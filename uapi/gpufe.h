/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * gpufe: one front-end character device for many GPUs.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef _UAPI_GPUFE_H_
#define _UAPI_GPUFE_H_

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: gpufe uAPI overview
 *
 * A process opens ``/dev/gpufe`` (with ``O_CLOEXEC``) and issues ioctls on
 * the file descriptor. Every object a file descriptor creates is named by a
 * handle that is only meaningful on that file descriptor.
 *
 * The ioctls:
 *
 * - &GPUFE_IOCTL_VERSION: the interface version and the feature bits.
 * - &GPUFE_IOCTL_QUERY: device and engine discovery.
 * - &GPUFE_IOCTL_BO_CREATE, &GPUFE_IOCTL_BO_DESTROY: buffer objects, mapped
 *   with mmap() on the same file descriptor at the offset BO_CREATE returns.
 * - &GPUFE_IOCTL_BO_EXPORT, &GPUFE_IOCTL_BO_IMPORT: share buffers as dma-buf
 *   file descriptors, with this and other drivers.
 * - &GPUFE_IOCTL_CTX_CREATE, &GPUFE_IOCTL_CTX_DESTROY,
 *   &GPUFE_IOCTL_CTX_STATUS: contexts, each bound to one engine.
 * - &GPUFE_IOCTL_SUBMIT: run a command stream on a context's engine.
 * - &GPUFE_IOCTL_WAIT: wait for a context's job to complete.
 * - read() and poll() on the file descriptor: completion events, a
 *   &struct gpufe_event per context whose jobs completed.
 * - mmap() at %GPUFE_COMPLETION_MMAP_OFFSET: the client's completion page,
 *   a &struct gpufe_completion_slot per context, read-only, to see which
 *   jobs completed without a system call.
 * - &GPUFE_IOCTL_PARTITION_CREATE, &GPUFE_IOCTL_PARTITION_OPEN,
 *   &GPUFE_IOCTL_PARTITION_REVOKE: partitions, slices of a device that an
 *   administrator hands to other processes as file descriptors or nodes.
 * - mmap() at %GPUFE_CONFIG_REG_MMAP_OFFSET: a partition client's
 *   configuration register, read-only.
 *
 * Rules that hold for every ioctl:
 *
 * - All fields have fixed sizes; pointers travel in ``__u64`` fields.
 * - Every ``flags`` bit that is not defined and every ``pad`` field must be
 *   zero; the kernel checks them before it looks anything up and fails with
 *   ``-EINVAL`` otherwise.
 * - Structures grow only at their end. The kernel accepts a structure that
 *   is shorter than its own (an older user space; the missing tail reads as
 *   zero) and one that is longer (a newer user space) as long as the tail it
 *   does not know is zero, failing with ``-E2BIG`` if not. A structure
 *   shorter than the first version of it fails with ``-EINVAL``. Output is
 *   written up to the smaller of the two sizes.
 * - An unknown ioctl number, or a known number with the wrong direction
 *   bits, fails with ``-ENOTTY``.
 * - An ioctl that fails changes nothing, with one exception: an ioctl
 *   whose argument cannot be written back at the end fails with
 *   ``-EFAULT`` after it did its work (QUERY's result written, a buffer,
 *   context or job made, a file descriptor installed).
 * - Buffers are mapped with ``MAP_SHARED``; a private mapping fails with
 *   ``-EINVAL``.
 * - Handles (buffers, contexts) are per file descriptor and never 0. A
 *   buffer has one handle per file descriptor, whichever way it arrived
 *   (created, or imported again), and BO_DESTROY drops it for all its
 *   users on that file descriptor; a destroyed buffer handle may be
 *   reused at once. Context handles are handed out cyclically, so a
 *   completion event of a destroyed context never names a new one.
 */

/**
 * DOC: gpufe uAPI changelog
 *
 * 1.0 - First version: &GPUFE_IOCTL_VERSION, &GPUFE_IOCTL_QUERY with
 *       &GPUFE_QUERY_DEVICES and &GPUFE_QUERY_ENGINES.
 * 1.1 - The data path: buffer objects and mmap, dma-buf export and import,
 *       contexts, SUBMIT with sync_file in- and out-fences and implicit
 *       dma_resv synchronisation, WAIT, completion events.
 * 1.2 - Completion pages: every client has one, mapped read-only at
 *       %GPUFE_COMPLETION_MMAP_OFFSET, with a &struct gpufe_completion_slot
 *       per context; &struct gpufe_ctx_create grows @slot_offset, where
 *       the new context's slot is. &GPUFE_FEATURE_COMPLETION_PAGE.
 * 1.2.1 - Hardening, no new structure: &GPUFE_IOCTL_BO_EXPORT through a
 *       read-only handle fails with ``-EACCES`` when the buffer's dma-buf
 *       is writable; buffers imported from other drivers count against
 *       the memory limits (``-EDQUOT``); buffer memory is also limited per
 *       user (``user_mem_mib``); unread completion events of destroyed
 *       contexts are at most ``max_contexts`` per file, further ones are
 *       dropped.
 * 1.3 - Partitions: &GPUFE_IOCTL_PARTITION_CREATE, &GPUFE_IOCTL_PARTITION_OPEN,
 *       &GPUFE_IOCTL_PARTITION_REVOKE; the configuration register,
 *       &struct gpufe_config_reg, read with &GPUFE_QUERY_CONFIG_REG or
 *       mapped at %GPUFE_CONFIG_REG_MMAP_OFFSET; &GPUFE_QUERY_PARTITIONS;
 *       persistent partitions' device nodes; &GPUFE_FEATURE_PARTITIONS.
 * 1.4 - Scheduling: jobs wait in the front-end's per-engine run queues and
 *       share engine time by policy, weight and priority; a job that hangs
 *       on its engine fails with ``-ETIME`` and its context is banned after
 *       ``hang_limit`` hangs (SUBMIT: ``-ECANCELED``); closing a file
 *       cancels its jobs not yet on an engine (``-ECANCELED``);
 *       &struct gpufe_ctx_status grows @busy_ns, @hangs and @queued and
 *       reports %GPUFE_CTX_STATE_BANNED; &struct gpufe_partition_create's
 *       @pad becomes @engine_timeout_ms; &GPUFE_FEATURE_SCHED.
 */
#define GPUFE_VERSION_MAJOR		1
#define GPUFE_VERSION_MINOR		4
#define GPUFE_VERSION_PATCH		0

/**
 * define GPUFE_DEVICE_PATH - the front-end's device node
 */
#define GPUFE_DEVICE_PATH		"/dev/gpufe"

/* Not listed by any in-tree user in ioctl-number.rst. */
#define GPUFE_IOCTL_BASE		0xC7

/**
 * define GPUFE_FEATURE_DISCOVERY - feature bit: &GPUFE_IOCTL_QUERY lists
 * devices and engines
 */
#define GPUFE_FEATURE_DISCOVERY		_BITULL(0)

/**
 * define GPUFE_FEATURE_DATAPATH - feature bit: buffers, dma-buf sharing,
 * contexts, SUBMIT, WAIT and completion events
 */
#define GPUFE_FEATURE_DATAPATH		_BITULL(1)

/**
 * define GPUFE_FEATURE_COMPLETION_PAGE - feature bit: the completion page
 * (mmap() at %GPUFE_COMPLETION_MMAP_OFFSET) and
 * &gpufe_ctx_create.slot_offset
 */
#define GPUFE_FEATURE_COMPLETION_PAGE	_BITULL(2)

/**
 * define GPUFE_FEATURE_PARTITIONS - feature bit: partitions, the
 * configuration register, &GPUFE_QUERY_CONFIG_REG and
 * &GPUFE_QUERY_PARTITIONS
 */
#define GPUFE_FEATURE_PARTITIONS	_BITULL(3)

/**
 * define GPUFE_FEATURE_SCHED - feature bit: the front-end schedules jobs
 * (run queues, policies, engine-time accounting, hang recovery and bans;
 * since 1.4)
 */
#define GPUFE_FEATURE_SCHED		_BITULL(4)

/**
 * struct gpufe_version - the interface version
 *
 * Filled by &GPUFE_IOCTL_VERSION. A user space built against major version
 * M works with any kernel that reports major version M; the minor version
 * grows with every compatible addition and names the ioctls and fields that
 * exist (see the changelog above). A user space that passes a larger
 * structure (a newer version of it) gets the fields this kernel does not
 * know cleared to zero.
 */
struct gpufe_version {
	/** @major: the major version, %GPUFE_VERSION_MAJOR */
	__u16 major;
	/** @minor: the minor version, %GPUFE_VERSION_MINOR */
	__u16 minor;
	/** @patch: the patch level, %GPUFE_VERSION_PATCH */
	__u16 patch;
	/** @pad: always written as zero */
	__u16 pad;
	/** @features: the GPUFE_FEATURE_* bits this kernel supports */
	__u64 features;
};

/**
 * enum gpufe_engine_class - what an engine does
 *
 * @GPUFE_ENGINE_CLASS_COMPUTE: runs compute work
 * @GPUFE_ENGINE_CLASS_COPY: copies and fills memory
 * @GPUFE_ENGINE_CLASS_VIDEO: video decode and encode
 *
 * Later versions may add classes: user space skips engines of a class it
 * does not know.
 */
enum gpufe_engine_class {
	GPUFE_ENGINE_CLASS_COMPUTE = 0,
	GPUFE_ENGINE_CLASS_COPY = 1,
	GPUFE_ENGINE_CLASS_VIDEO = 2,
};

/**
 * define GPUFE_NAME_LEN - size of a device or back-end name, with the NUL
 */
#define GPUFE_NAME_LEN			32

/**
 * define GPUFE_ENGINE_NAME_LEN - size of an engine name, with the NUL
 */
#define GPUFE_ENGINE_NAME_LEN		16

/**
 * struct gpufe_device_info - one device, as &GPUFE_QUERY_DEVICES reports it
 */
struct gpufe_device_info {
	/**
	 * @device_id: the device's id, never 0. Ids are not reused soon: a
	 * device that goes away and comes back gets a new one.
	 */
	__u32 device_id;
	/** @num_engines: how many engines this client may use */
	__u32 num_engines;
	/** @mem_size: bytes of device memory, 0 when the device has none */
	__u64 mem_size;
	/** @name: the device's name, NUL-terminated, e.g. "swgpu0" */
	char name[GPUFE_NAME_LEN];
	/** @backend: the back-end driving it, NUL-terminated, e.g. "swgpu" */
	char backend[GPUFE_NAME_LEN];
};

/**
 * struct gpufe_query_devices - the result of &GPUFE_QUERY_DEVICES
 */
struct gpufe_query_devices {
	/** @num_devices: number of entries in @devices */
	__u32 num_devices;
	/**
	 * @entry_size: bytes from one entry of @devices to the next, at
	 * least sizeof(struct gpufe_device_info) as the caller knows it:
	 * entries grow at their end in later versions
	 */
	__u32 entry_size;
	/** @devices: the devices, by ascending @device_id */
	struct gpufe_device_info devices[];
};

/**
 * struct gpufe_engine_info - one engine, as &GPUFE_QUERY_ENGINES reports it
 *
 * Engines are reported as the client sees them: only those it may use,
 * with instances numbered densely from 0 within each class.
 */
struct gpufe_engine_info {
	/** @engine_class: an &enum gpufe_engine_class */
	__u16 engine_class;
	/** @engine_instance: the instance within @engine_class */
	__u16 engine_instance;
	/** @pad: always written as zero */
	__u32 pad;
	/** @name: the engine's name, NUL-terminated, e.g. "compute0" */
	char name[GPUFE_ENGINE_NAME_LEN];
};

/**
 * struct gpufe_query_engines - the result of &GPUFE_QUERY_ENGINES
 */
struct gpufe_query_engines {
	/** @device_id: the device the engines belong to */
	__u32 device_id;
	/** @num_engines: number of entries in @engines */
	__u32 num_engines;
	/**
	 * @entry_size: bytes from one entry of @engines to the next, at
	 * least sizeof(struct gpufe_engine_info) as the caller knows it
	 */
	__u32 entry_size;
	/** @pad: always written as zero */
	__u32 pad;
	/** @engines: the engines, by class then instance */
	struct gpufe_engine_info engines[];
};

/**
 * define GPUFE_QUERY_DEVICES - query: the devices, a &struct
 * gpufe_query_devices
 */
#define GPUFE_QUERY_DEVICES		0

/**
 * define GPUFE_QUERY_ENGINES - query: one device's engines, a &struct
 * gpufe_query_engines
 */
#define GPUFE_QUERY_ENGINES		1

/**
 * define GPUFE_QUERY_CONFIG_REG - query (since 1.3): the client's
 * configuration register for one device, a &struct gpufe_config_reg
 */
#define GPUFE_QUERY_CONFIG_REG		2

/**
 * define GPUFE_QUERY_PARTITIONS - query (since 1.3): the partitions, a
 * &struct gpufe_query_partitions
 */
#define GPUFE_QUERY_PARTITIONS		3

/**
 * struct gpufe_query - argument of &GPUFE_IOCTL_QUERY
 *
 * Called with @size 0 (and @data 0), the kernel writes the size the result
 * needs into @size and nothing else. Called with @size at least that large,
 * it writes the result to @data and sets @size to the bytes written. The
 * result can grow between the two calls (a device was added): a @size that
 * is not 0 but too small fails with ``-ENOSPC``, leaving @size as it was,
 * and the caller probes again.
 *
 * Everything is reported as the client sees it: a client of a partition
 * sees only the partition's device, with only the partition's engines,
 * numbered densely per class.
 *
 * Errors: ``-EINVAL`` for an unknown @query, a @flags bit set, a non-zero
 * @device_id on &GPUFE_QUERY_DEVICES or &GPUFE_QUERY_PARTITIONS, or a
 * non-zero @data with @size 0; ``-ENODEV`` for a @device_id that names no
 * device the client sees (0, one never registered, one that has been
 * unplugged, or, in a partition, any device but the partition's);
 * ``-ENOSPC`` for a @size too small; ``-EFAULT`` for a @data the kernel
 * cannot write.
 */
struct gpufe_query {
	/** @query: one of the GPUFE_QUERY_* values */
	__u32 query;
	/** @flags: MBZ */
	__u32 flags;
	/** @device_id: the device, for &GPUFE_QUERY_ENGINES; MBZ otherwise */
	__u32 device_id;
	/** @size: in: bytes at @data, or 0 to ask; out: bytes needed or written */
	__u32 size;
	/** @data: user pointer to the result buffer */
	__u64 data;
};

/**
 * define GPUFE_IOCTL_VERSION - report the interface version
 *
 * Takes a &struct gpufe_version; cannot fail but for a bad pointer.
 */
#define GPUFE_IOCTL_VERSION	_IOR(GPUFE_IOCTL_BASE, 0x00, struct gpufe_version)

/**
 * define GPUFE_IOCTL_QUERY - discover devices and engines
 *
 * Takes a &struct gpufe_query.
 */
#define GPUFE_IOCTL_QUERY	_IOWR(GPUFE_IOCTL_BASE, 0x01, struct gpufe_query)

/**
 * struct gpufe_bo_create - argument of &GPUFE_IOCTL_BO_CREATE
 *
 * Creates a buffer object of zero-filled system memory. Its size is
 * rounded up to a whole number of pages and counts against the client's
 * memory limit until the last reference to it is gone.
 *
 * Errors: ``-EINVAL`` for a @flags bit set or @size 0; ``-E2BIG`` for a
 * @size above the largest buffer (``max_bo_mib``, a module parameter);
 * ``-EDQUOT`` when the client's buffers would exceed its memory limit
 * (``client_mem_mib``), or the buffers of all the clients of the user
 * that opened the file would exceed theirs (``user_mem_mib``), or the
 * buffers of a partition's clients its quota (a client of a partition
 * with a quota is held to it instead of ``user_mem_mib``); ``-ENODEV``
 * (since 1.3) for a client that sees no device (``partitions_mandatory``);
 * ``-ENOMEM``.
 */
struct gpufe_bo_create {
	/** @size: in: bytes wanted; out: bytes allocated */
	__u64 size;
	/** @flags: MBZ */
	__u32 flags;
	/** @handle: out: the buffer's handle, never 0 */
	__u32 handle;
	/**
	 * @mmap_offset: out: the offset to pass to mmap() on this file
	 * descriptor to map the buffer; a page-aligned offset past it maps
	 * from that far into the buffer. The offset ranges of two buffers
	 * never overlap. Offsets are above 4 GiB: 32-bit processes need a
	 * 64-bit off_t (``_FILE_OFFSET_BITS=64``).
	 */
	__u64 mmap_offset;
};

/**
 * struct gpufe_bo_destroy - argument of &GPUFE_IOCTL_BO_DESTROY
 *
 * Drops the handle. The memory stays, and stays charged to its creator,
 * while a job, a mapping or a dma-buf still uses it.
 *
 * Errors: ``-EINVAL`` for a non-zero @pad; ``-ENOENT`` for a @handle this
 * file descriptor does not have.
 */
struct gpufe_bo_destroy {
	/** @handle: the buffer */
	__u32 handle;
	/** @pad: MBZ */
	__u32 pad;
};

/**
 * define GPUFE_BO_EXPORT_CLOEXEC - &struct gpufe_bo_export flag: the new
 * file descriptor is close-on-exec
 */
#define GPUFE_BO_EXPORT_CLOEXEC		0x1
/**
 * define GPUFE_BO_EXPORT_RDWR - &struct gpufe_bo_export flag: the dma-buf
 * may be mapped for writing. A buffer has one dma-buf: its first export
 * decides whether it is writable.
 */
#define GPUFE_BO_EXPORT_RDWR		0x2

/**
 * struct gpufe_bo_export - argument of &GPUFE_IOCTL_BO_EXPORT
 *
 * Makes a dma-buf of a buffer. Exporting the same buffer again gives
 * another file descriptor for the same dma-buf. Its dma_resv is the
 * buffer's: jobs of every driver that use the dma-buf synchronise through
 * it.
 *
 * Errors: ``-EINVAL`` for an unknown @flags bit or a non-zero @pad;
 * ``-ENOENT`` for an unknown @handle; ``-EACCES`` for
 * %GPUFE_BO_EXPORT_RDWR when the buffer's dma-buf or the handle is
 * read-only, and (since 1.2.1) for any export through a read-only handle
 * when the buffer's dma-buf is writable: a read-only handle never hands
 * out write access; ``-EMFILE`` when the process has no free file
 * descriptor.
 */
struct gpufe_bo_export {
	/** @handle: the buffer */
	__u32 handle;
	/** @flags: GPUFE_BO_EXPORT_CLOEXEC, GPUFE_BO_EXPORT_RDWR */
	__u32 flags;
	/** @fd: out: the dma-buf file descriptor */
	__s32 fd;
	/** @pad: MBZ */
	__u32 pad;
};

/**
 * struct gpufe_bo_import - argument of &GPUFE_IOCTL_BO_IMPORT
 *
 * Makes a buffer of a dma-buf. A dma-buf gpufe exported itself gives back
 * the buffer it was made of (the same memory); one from another driver
 * must be CPU-mappable system memory. Importing the same dma-buf twice on
 * one file descriptor gives the same handle. A read-only dma-buf gives a
 * read-only handle: a writable mapping fails with ``-EACCES``, and so do
 * a SUBMIT that writes the buffer and a writable export; importing a
 * writable dma-buf of the same buffer makes the handle writable.
 *
 * A dma-buf of another driver is attached to and pinned, mapped into the
 * kernel and counted against the client's memory limits,
 * as a buffer it created; the import first waits, interruptibly, for the
 * fences already in the dma-buf's reservation object.
 *
 * Errors: ``-EINVAL`` for a non-zero @flags or @pad; ``-EBADF`` for an @fd
 * that is not open; ``-EINVAL`` for one that is not a dma-buf;
 * ``-EOPNOTSUPP`` for a dma-buf the kernel cannot map for the CPU;
 * ``-EDQUOT`` (since 1.2.1) and ``-ENODEV`` (since 1.3) as for
 * &GPUFE_IOCTL_BO_CREATE; ``-EINTR``
 * when a signal interrupts the wait.
 */
struct gpufe_bo_import {
	/** @fd: the dma-buf file descriptor; it stays the caller's */
	__s32 fd;
	/** @flags: MBZ */
	__u32 flags;
	/** @handle: out: the buffer's handle */
	__u32 handle;
	/** @pad: MBZ */
	__u32 pad;
	/** @size: out: the buffer's size in bytes */
	__u64 size;
	/** @mmap_offset: out: as in &struct gpufe_bo_create */
	__u64 mmap_offset;
};

/**
 * define GPUFE_PRIORITY_LOW - the lowest context priority
 */
#define GPUFE_PRIORITY_LOW		(-1)
/**
 * define GPUFE_PRIORITY_NORMAL - the default context priority
 */
#define GPUFE_PRIORITY_NORMAL		0
/**
 * define GPUFE_PRIORITY_HIGH - the highest context priority; needs
 * ``CAP_SYS_NICE``
 */
#define GPUFE_PRIORITY_HIGH		1

/**
 * struct gpufe_ctx_create - argument of &GPUFE_IOCTL_CTX_CREATE
 *
 * A context is a queue of jobs on one engine of one device. Jobs of a
 * context complete in submission order; their sequence numbers count from
 * 1.
 *
 * Errors: ``-EINVAL`` for a @flags bit set, a non-zero @pad, or a
 * @priority out of range; ``-EPERM`` for %GPUFE_PRIORITY_HIGH without
 * ``CAP_SYS_NICE``; ``-ENODEV`` for an unknown @device_id; ``-ENOENT`` for
 * an engine (@engine_class, @engine_instance) the device does not show this
 * client; ``-EMFILE`` when the client has ``max_contexts`` contexts or no
 * completion slot is free (%GPUFE_COMPLETION_MAX_SLOTS). A context counts
 * until its handle is gone and its jobs have completed. A file keeps at
 * most ``max_contexts`` unread completion events of destroyed contexts
 * (since 1.2.1): the events of further ones are dropped.
 */
struct gpufe_ctx_create {
	/** @device_id: the device */
	__u32 device_id;
	/** @engine_class: an &enum gpufe_engine_class */
	__u16 engine_class;
	/** @engine_instance: as &GPUFE_QUERY_ENGINES reports it */
	__u16 engine_instance;
	/** @priority: GPUFE_PRIORITY_LOW to GPUFE_PRIORITY_HIGH */
	__s32 priority;
	/** @flags: MBZ */
	__u32 flags;
	/** @ctx_id: out: the context's handle, never 0 */
	__u32 ctx_id;
	/** @pad: MBZ */
	__u32 pad;
	/**
	 * @slot_offset: out (since 1.2): the byte offset of the context's
	 * &struct gpufe_completion_slot in the client's completion page
	 * mapping, a multiple of sizeof(struct gpufe_completion_slot) below
	 * %GPUFE_COMPLETION_MAX_SIZE. The slot is the context's until it is
	 * destroyed and its last job is done; a later context may get it
	 * again.
	 */
	__u64 slot_offset;
};

/**
 * struct gpufe_ctx_destroy - argument of &GPUFE_IOCTL_CTX_DESTROY
 *
 * Drops the handle. Jobs already submitted still run and signal their
 * fences.
 *
 * Errors: ``-EINVAL`` for a non-zero @pad; ``-ENOENT`` for an unknown
 * @ctx_id.
 */
struct gpufe_ctx_destroy {
	/** @ctx_id: the context */
	__u32 ctx_id;
	/** @pad: MBZ */
	__u32 pad;
};

/**
 * enum gpufe_ctx_state - what a context can still do
 *
 * @GPUFE_CTX_STATE_ACTIVE: accepts jobs
 * @GPUFE_CTX_STATE_LOST: its device is gone; SUBMIT fails with ``-ENODEV``
 * @GPUFE_CTX_STATE_BANNED: its jobs hung the engine ``hang_limit`` times;
 *	SUBMIT fails with ``-ECANCELED`` (since 1.4)
 */
enum gpufe_ctx_state {
	GPUFE_CTX_STATE_ACTIVE = 0,
	GPUFE_CTX_STATE_LOST = 1,
	GPUFE_CTX_STATE_BANNED = 2,
};

/**
 * struct gpufe_ctx_status - argument of &GPUFE_IOCTL_CTX_STATUS
 *
 * Errors: ``-EINVAL`` for a non-zero @flags; ``-ENOENT`` for an unknown
 * @ctx_id.
 */
struct gpufe_ctx_status {
	/** @ctx_id: the context */
	__u32 ctx_id;
	/** @flags: MBZ */
	__u32 flags;
	/** @submitted: out: the sequence number of the last job submitted */
	__u64 submitted;
	/** @completed: out: every job up to this sequence number completed */
	__u64 completed;
	/**
	 * @error: out: 0, or the negative errno of the last job that failed
	 * (its fence signalled with that error)
	 */
	__s32 error;
	/** @state: out: an &enum gpufe_ctx_state */
	__u32 state;
	/**
	 * @busy_ns: out (since 1.4): engine time the context's jobs used, in
	 * nanoseconds, as the back-end reported each job's start and end;
	 * what the scheduler charged the context's client and partition
	 */
	__u64 busy_ns;
	/** @hangs: out (since 1.4): jobs of the context that hung the engine */
	__u32 hangs;
	/**
	 * @queued: out (since 1.4): jobs submitted and not yet handed to the
	 * engine
	 */
	__u32 queued;
};

/**
 * define GPUFE_SUBMIT_BO_READ - &struct gpufe_submit_bo flag: the job
 * reads the buffer
 */
#define GPUFE_SUBMIT_BO_READ		0x1
/**
 * define GPUFE_SUBMIT_BO_WRITE - &struct gpufe_submit_bo flag: the job
 * writes the buffer
 */
#define GPUFE_SUBMIT_BO_WRITE		0x2

/**
 * struct gpufe_submit_bo - one entry of a job's buffer list
 *
 * Commands name buffers by their index in the list. A buffer may appear
 * once. A job waits for the buffer's pending writers when it reads it and
 * for every pending user when it writes it (implicit synchronisation
 * through the buffer's dma_resv, shared with every driver the buffer is
 * exported to), and adds its own fence as a reader or a writer.
 */
struct gpufe_submit_bo {
	/** @handle: the buffer */
	__u32 handle;
	/** @flags: GPUFE_SUBMIT_BO_READ and/or GPUFE_SUBMIT_BO_WRITE */
	__u32 flags;
};

/**
 * define GPUFE_SUBMIT_IN_FENCE - &struct gpufe_submit flag: the job waits
 * for the sync_file @in_fence_fd
 */
#define GPUFE_SUBMIT_IN_FENCE		0x1
/**
 * define GPUFE_SUBMIT_OUT_FENCE - &struct gpufe_submit flag: return a
 * sync_file of the job's fence in @out_fence_fd
 */
#define GPUFE_SUBMIT_OUT_FENCE		0x2

/**
 * define GPUFE_SUBMIT_MAX_CMDS_SIZE - the largest command stream, in bytes
 */
#define GPUFE_SUBMIT_MAX_CMDS_SIZE	65536
/**
 * define GPUFE_SUBMIT_MAX_BOS - the longest buffer list
 */
#define GPUFE_SUBMIT_MAX_BOS		64

/**
 * struct gpufe_submit - argument of &GPUFE_IOCTL_SUBMIT
 *
 * Queues a job: a command stream in the format of the context's back-end
 * (uapi/gpufe_swgpu.h for swgpu), copied in, and checked against the
 * buffer list before anything is queued. The job runs once its in-fence,
 * the implicit fences of its buffers and the previous job of its context
 * have signalled. Its fence signals, with an error if it failed, in finite
 * time: a dependency from outside gpufe that does not signal within
 * ``job_timeout_ms`` (a module parameter) fails the job with
 * ``-ETIMEDOUT`` (gpufe's own fences signal in bounded time by
 * themselves), and a failed job's fence still signals after those of the
 * jobs ahead of it. A client with ``max_inflight_jobs`` jobs not yet
 * completed waits in SUBMIT (interruptibly) until a quarter of them (at
 * least one) completed.
 *
 * Errors: ``-EINVAL`` for an unknown @flags bit, an @in_fence_fd without
 * %GPUFE_SUBMIT_IN_FENCE (it must be 0 then), a @cmds_size that is 0, not a
 * multiple of 4 or above %GPUFE_SUBMIT_MAX_CMDS_SIZE, more than
 * %GPUFE_SUBMIT_MAX_BOS buffers, a buffer entry with no or unknown flags or
 * listed twice, an @in_fence_fd that is not a sync_file, or a command stream
 * the back-end rejects (an unknown opcode, a command the engine cannot run,
 * an access outside a buffer or against its flags); ``-ENOENT`` for an
 * unknown @ctx_id or buffer handle; ``-EACCES`` for a read-only buffer
 * handle listed with %GPUFE_SUBMIT_BO_WRITE; ``-ENODEV`` when the context's
 * device is gone; ``-ECANCELED`` (since 1.4) when the context is banned
 * (%GPUFE_CTX_STATE_BANNED); ``-EOPNOTSUPP`` when the context's device
 * reaches buffers by DMA and a buffer was imported from another driver's
 * dma-buf (buffers gpufe made, also re-imported, are fine); ``-EFAULT`` for
 * @cmds or @bos the kernel cannot read; ``-EMFILE`` when no file descriptor
 * is free for the out-fence; ``-ENOMEM`` when memory runs out, also when a
 * buffer cannot be mapped for the device's DMA. Nothing is queued on error.
 *
 * A job's fence signals with an error when the job fails (since 1.4):
 * ``-ETIME`` when it ran on its engine longer than its timeout
 * (``engine_timeout_ms``, or its partition's) and the engine was reset;
 * ``-ECANCELED`` when its file was closed, or its context banned, before the
 * job reached an engine (jobs already on an engine finish); ``-ETIMEDOUT``
 * when a dependency from outside gpufe did not signal within
 * ``job_timeout_ms``; ``-ENODEV`` when its device or partition went away
 * first; the back-end's error (``-EIO`` from swgpu) when the job faulted.
 */
struct gpufe_submit {
	/** @ctx_id: the context */
	__u32 ctx_id;
	/** @flags: GPUFE_SUBMIT_IN_FENCE, GPUFE_SUBMIT_OUT_FENCE */
	__u32 flags;
	/** @cmds: user pointer to the command stream */
	__u64 cmds;
	/** @bos: user pointer to @num_bos &struct gpufe_submit_bo */
	__u64 bos;
	/** @cmds_size: bytes at @cmds */
	__u32 cmds_size;
	/** @num_bos: entries at @bos */
	__u32 num_bos;
	/** @in_fence_fd: with GPUFE_SUBMIT_IN_FENCE, a sync_file to wait for */
	__s32 in_fence_fd;
	/**
	 * @out_fence_fd: out: with GPUFE_SUBMIT_OUT_FENCE, the job's
	 * sync_file, close-on-exec
	 */
	__s32 out_fence_fd;
	/** @seqno: out: the job's sequence number in its context */
	__u64 seqno;
};

/**
 * struct gpufe_wait - argument of &GPUFE_IOCTL_WAIT
 *
 * Waits until the job @seqno of the context has completed, successfully or
 * not (&GPUFE_IOCTL_CTX_STATUS and the job's fence tell which). The wait is
 * interruptible; as @timeout_ns is absolute, a restarted call waits for
 * the same deadline.
 *
 * Errors: ``-EINVAL`` for a non-zero @flags, or a @seqno of 0 or above the
 * last submitted; ``-ENOENT`` for an unknown @ctx_id; ``-ETIME`` when
 * @timeout_ns passes first; ``-EINTR``/``-ERESTARTSYS`` on a signal.
 */
struct gpufe_wait {
	/** @ctx_id: the context */
	__u32 ctx_id;
	/** @flags: MBZ */
	__u32 flags;
	/** @seqno: the job to wait for */
	__u64 seqno;
	/**
	 * @timeout_ns: absolute CLOCK_MONOTONIC deadline in nanoseconds; one
	 * in the past polls
	 */
	__s64 timeout_ns;
};

/**
 * define GPUFE_EVENT_COMPLETION - &struct gpufe_event type: jobs of a
 * context completed
 */
#define GPUFE_EVENT_COMPLETION		1

/**
 * struct gpufe_event - what read() on /dev/gpufe returns
 *
 * poll() reports the file descriptor readable when a context's completed
 * sequence number has advanced since its last event was read. read()
 * returns whole events, as many as fit, one per such context, and fails
 * with ``-EAGAIN`` on a non-blocking file when there is none (a blocking
 * read waits); a buffer smaller than one event fails with ``-EINVAL``.
 * Events of one context coalesce: a client that reads late gets one event
 * carrying the latest sequence number, never a backlog.
 */
struct gpufe_event {
	/** @type: GPUFE_EVENT_COMPLETION */
	__u32 type;
	/**
	 * @length: bytes of this event, these fields included, a multiple
	 * of 8; later versions may add event types and fields, and user
	 * space steps over what it does not know by @length
	 */
	__u32 length;
	/** @ctx_id: the context */
	__u32 ctx_id;
	/** @error: 0, or the error of the last job that failed */
	__s32 error;
	/** @seqno: every job up to this sequence number completed */
	__u64 seqno;
};

/**
 * DOC: gpufe completion page
 *
 * Every client (open file of ``/dev/gpufe``) has a completion page: memory
 * the kernel allocates for it and the client maps read-only with
 * ``mmap(NULL, size, PROT_READ, MAP_SHARED, fd,
 * GPUFE_COMPLETION_MMAP_OFFSET)``. It holds one &struct gpufe_completion_slot
 * per context of the client, at &gpufe_ctx_create.slot_offset; a client
 * with more contexts than fit in one page gets more pages, so the mapping
 * may cover up to %GPUFE_COMPLETION_MAX_SIZE bytes. Slots are handed out
 * lowest first: a client with n contexts alive needs the first
 * n * sizeof(struct gpufe_completion_slot) bytes, rounded up to pages.
 * A page of the mapping exists once a context has had a slot on it;
 * reading one that does not exist yet raises SIGBUS.
 *
 * When a job of a context completes, its slot's @seqno becomes the job's
 * sequence number, so a client learns that job N is done by reading the
 * slot, without a system call: job N is done once @seqno >= N. Read
 * @seqno with acquire ordering (``__atomic_load_n(&slot->seqno,
 * __ATOMIC_ACQUIRE)``; a 32-bit program needs a 64-bit load that does
 * not write, as GCC emits for i586 and later, not a cmpxchg8b, which
 * faults on the read-only page): the writer stores it with release ordering after
 * the job's results and the slot's @error, so a reader that sees a
 * sequence number also sees those. The kernel's own wake-ups (WAIT,
 * events, fences) come from the same slots: the GPU, or its back-end,
 * writes the slot and raises one interrupt, and the kernel finds whose
 * slot moved.
 *
 * The page is read-only for the client: a writable mapping fails with
 * ``-EACCES`` and so does mprotect() to make it writable; a store to it
 * faults (SIGSEGV). Only the file's own contexts have slots on it: no
 * mapping of another file descriptor's page can be made through this
 * one.
 *
 * mmap() fails with ``-EINVAL`` for a private (``MAP_PRIVATE``) mapping,
 * for one that reaches past %GPUFE_COMPLETION_MAX_SIZE, and with
 * ``-EACCES`` for ``PROT_WRITE``.
 *
 * Across fork(): a child shares its parent's open file, and so its
 * client, contexts and completion page; an inherited mapping keeps
 * showing the client's completions, the parent's and the child's alike.
 * A process that wants its own completion page opens ``/dev/gpufe``
 * itself.
 */

/**
 * define GPUFE_COMPLETION_MMAP_OFFSET - the mmap() offset of the
 * completion page (buffers are mapped at offsets of 4 GiB and above)
 */
#define GPUFE_COMPLETION_MMAP_OFFSET	0

/**
 * define GPUFE_COMPLETION_MAX_SIZE - the largest completion page mapping,
 * in bytes
 */
#define GPUFE_COMPLETION_MAX_SIZE	0x100000

/**
 * struct gpufe_completion_slot - one context's slot on the completion page
 *
 * Written only by the kernel and the GPU; read-only to the client.
 */
struct gpufe_completion_slot {
	/**
	 * @seqno: every job of the context up to this sequence number has
	 * completed (0 before the first); written with release ordering,
	 * read it with acquire ordering
	 */
	__u64 seqno;
	/**
	 * @error: 0, or the negative errno of the context's last job that
	 * failed; written before the @seqno of that job, so it may already
	 * show a failure of a job after @seqno
	 */
	__s32 error;
	/** @pad: reads as zero */
	__u32 pad;
};

/**
 * define GPUFE_COMPLETION_MAX_SLOTS - the most contexts (slots) a client
 * can have at once
 */
#define GPUFE_COMPLETION_MAX_SLOTS	\
	(GPUFE_COMPLETION_MAX_SIZE / sizeof(struct gpufe_completion_slot))

/**
 * DOC: gpufe partitions
 *
 * A partition is a slice of one device: a subset of its engines (the
 * engine mask), a scheduling weight, a memory quota and an optional limit
 * on its clients. An administrator (``CAP_SYS_ADMIN`` in the initial user
 * namespace) creates one with &GPUFE_IOCTL_PARTITION_CREATE on a
 * ``/dev/gpufe`` file descriptor and gets back a new file descriptor, a
 * client restricted to the partition, in the spirit of a DRM lease:
 *
 * - Everything done through that file descriptor, and through its
 *   duplicates, inherited copies and copies passed over a UNIX socket,
 *   sees only the partition: &GPUFE_IOCTL_QUERY lists the partition's
 *   device with only its engines, numbered densely from 0 within each
 *   class (the partition's compute0 may be the device's compute1), and
 *   &GPUFE_IOCTL_CTX_CREATE takes engines in that numbering. An engine
 *   outside the mask fails exactly as an engine that does not exist.
 * - &GPUFE_IOCTL_PARTITION_OPEN with @partition_id 0 on such a file
 *   descriptor opens a further client of the same partition, with handles
 *   and a completion page of its own. No client of a partition can create
 *   partitions, open another one or change its own.
 * - Buffer memory that the partition's clients create or import counts
 *   against the partition's quota (as it counts against
 *   ``client_mem_mib``), failing with ``-EDQUOT`` beyond it.
 * - A partition lives while a file descriptor of one of its clients is
 *   open. A persistent partition (%GPUFE_PARTITION_PERSISTENT) lives until
 *   revoked (&GPUFE_IOCTL_PARTITION_REVOKE), an administrator can open
 *   clients of it by id (&GPUFE_IOCTL_PARTITION_OPEN), and it has a device
 *   node of its own, ``/dev/gpufe-part<id>``, with the owner, group and
 *   mode given at creation: its open() gives a new client restricted to
 *   the partition, with access checked like any other node's; it must be
 *   opened for reading and writing (``-EACCES`` otherwise), and fails
 *   with ``-ENODEV`` once the partition has ended, also through a copy
 *   of the node made before (its minor is not given to another partition
 *   before 2^20 more are made), and with ``-EUSERS`` when the partition
 *   has @max_clients clients.
 * - When a partition ends (its last client's file is closed, or it is
 *   revoked), every later ioctl and mmap() of its clients fails with
 *   ``-ENODEV``; their jobs not yet handed to the engine fail with
 *   ``-ENODEV``, those on an engine complete; every fence signals, and
 *   read() and poll() keep reporting the completion events, so waiters
 *   wake. The partition's node goes, and its register shows
 *   %GPUFE_CONFIG_REG_REVOKED. Calls already under way when it ends
 *   may still complete (a SUBMIT then returns a job that fails).
 *
 * With the module parameter ``partitions_mandatory`` set, a client that a
 * process without ``CAP_SYS_ADMIN`` (in the initial user namespace) opens
 * on ``/dev/gpufe`` sees no device (and so no engine): &GPUFE_QUERY_DEVICES
 * lists none, every device id fails with
 * ``-ENODEV``, and so do buffer creation and import. Such a process uses
 * GPUs only through a partition's file descriptor or node.
 */

/**
 * DOC: gpufe configuration register
 *
 * Each partition has a configuration register, a &struct gpufe_config_reg.
 * The front-end keeps the real one, whose engine mask names the device's
 * engines as a client without partition numbers them (bit i is the i-th
 * engine &GPUFE_QUERY_ENGINES reports to such a client, by class then
 * instance). A client of the partition reads an emulated copy, with
 * %GPUFE_CONFIG_REG_DENSE set: its engine mask names its own engines, in
 * its own dense numbering, so it is the low bits of the mask, and it
 * learns nothing of the engines it cannot use. A client without partition
 * reads a register for the whole device, with @partition_id 0.
 *
 * A client reads its register with &GPUFE_QUERY_CONFIG_REG, and a client
 * of a partition can also map it read-only:
 * ``mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, GPUFE_CONFIG_REG_MMAP_OFFSET)``
 * (the page holds the register at offset 0, the rest reads as zero; the
 * mapping is of one page). The page is kept current: revoking the
 * partition sets %GPUFE_CONFIG_REG_REVOKED in it.
 *
 * The same layout sits in memory a hypervisor shares with a virtual
 * machine: the host's front-end writes the emulated register of the VM's
 * partition there, and the guest's driver reads it when it loads. The
 * writer fills every field and writes @magic last; a reader checks
 * @magic, then @version (a major version: a reader refuses one it does
 * not know) and @size (at least the size of version 1; fields beyond
 * what it knows are skipped), and that @engine_mask and @engines agree.
 * A new flag, or any change a reader of an older version would misread,
 * comes with a new version; readers refuse flags they do not know.
 * All fields are in the byte order of the CPU (host and guest share it).
 */

/**
 * define GPUFE_CONFIG_REG_MAGIC - &gpufe_config_reg.magic, "GPFC" in
 * little-endian memory
 */
#define GPUFE_CONFIG_REG_MAGIC		0x43465047
/**
 * define GPUFE_CONFIG_REG_VERSION - the register layout's version
 */
#define GPUFE_CONFIG_REG_VERSION	1
/**
 * define GPUFE_CONFIG_REG_CLASSES - entries of &gpufe_config_reg.engines,
 * one per &enum gpufe_engine_class value, room left for classes to come
 */
#define GPUFE_CONFIG_REG_CLASSES	4
/**
 * define GPUFE_CONFIG_REG_PERSISTENT - &gpufe_config_reg.flags: the
 * partition lives until revoked
 */
#define GPUFE_CONFIG_REG_PERSISTENT	0x1
/**
 * define GPUFE_CONFIG_REG_REVOKED - &gpufe_config_reg.flags: the partition
 * has ended; its clients can do nothing more
 */
#define GPUFE_CONFIG_REG_REVOKED	0x2
/**
 * define GPUFE_CONFIG_REG_DENSE - &gpufe_config_reg.flags: an emulated
 * copy, whose @engine_mask is in the reader's dense numbering
 */
#define GPUFE_CONFIG_REG_DENSE		0x4
/**
 * define GPUFE_CONFIG_REG_MMAP_OFFSET - the mmap() offset of a partition
 * client's register page
 */
#define GPUFE_CONFIG_REG_MMAP_OFFSET	0x100000

/**
 * struct gpufe_config_reg - a partition's configuration register
 *
 * 56 bytes in version 1. See "gpufe configuration register" above for
 * who writes and reads it.
 */
struct gpufe_config_reg {
	/** @magic: %GPUFE_CONFIG_REG_MAGIC, written last */
	__u32 magic;
	/** @version: %GPUFE_CONFIG_REG_VERSION */
	__u16 version;
	/** @size: bytes of the register, at least 56 */
	__u16 size;
	/** @partition_id: the partition, or 0 for a whole device */
	__u32 partition_id;
	/** @device_id: the device, as &GPUFE_QUERY_DEVICES reports it */
	__u32 device_id;
	/**
	 * @engine_mask: the engines of the partition: bit i is the i-th
	 * engine, by class then instance, in the device's numbering, or in
	 * the reader's own with %GPUFE_CONFIG_REG_DENSE; never 0
	 */
	__u64 engine_mask;
	/**
	 * @engines: how many engines of each class (indexed by &enum
	 * gpufe_engine_class) the mask holds; the entries of classes that do
	 * not exist are 0
	 */
	__u16 engines[GPUFE_CONFIG_REG_CLASSES];
	/** @mem_quota: bytes of buffer memory the partition may use, 0: no quota */
	__u64 mem_quota;
	/**
	 * @weight: the partition's share of its engines' time relative to
	 * other partitions', 1 to %GPUFE_PARTITION_MAX_WEIGHT; 0 for a
	 * whole device
	 */
	__u32 weight;
	/** @flags: GPUFE_CONFIG_REG_* */
	__u32 flags;
	/** @max_clients: clients the partition may have at once, 0: no limit */
	__u32 max_clients;
	/** @pad: zero */
	__u32 pad;
};

/**
 * define GPUFE_PARTITION_MAX_WEIGHT - the largest partition weight
 */
#define GPUFE_PARTITION_MAX_WEIGHT	1000

/**
 * define GPUFE_PARTITION_MAX - partition ids are 1 to GPUFE_PARTITION_MAX - 1
 */
#define GPUFE_PARTITION_MAX		256

/**
 * define GPUFE_PARTITION_PERSISTENT - &struct gpufe_partition_create flag:
 * the partition lives until revoked, and has a device node
 */
#define GPUFE_PARTITION_PERSISTENT	0x1

/**
 * define GPUFE_PARTITION_NODE_PATH - printf() format of a persistent
 * partition's device node, given its id
 */
#define GPUFE_PARTITION_NODE_PATH	"/dev/gpufe-part%u"

/**
 * struct gpufe_partition_create - argument of &GPUFE_IOCTL_PARTITION_CREATE
 *
 * Creates a partition of a device and returns a file descriptor of a new
 * client restricted to it, opened read-write and close-on-exec.
 *
 * Errors: ``-EPERM`` without ``CAP_SYS_ADMIN`` in the initial user
 * namespace, or through a client of a partition; ``-EINVAL`` for an unknown
 * @flags bit, an @engine_timeout_ms above %GPUFE_ENGINE_TIMEOUT_MAX_MS, an
 * @engine_mask of 0 or naming an engine the device does not have, a @weight
 * of 0 or above %GPUFE_PARTITION_MAX_WEIGHT, node fields (@node_uid,
 * @node_gid, @node_mode) without %GPUFE_PARTITION_PERSISTENT, a @node_mode
 * with bits beyond 0777, or a @node_uid or @node_gid that has no mapping in
 * the caller's user namespace; ``-ENODEV`` for an unknown @device_id;
 * ``-ENOSPC`` when every partition id is in use; ``-EMFILE`` when the
 * process has no free file descriptor; ``-ENOMEM``.
 */
struct gpufe_partition_create {
	/** @device_id: the device to take a slice of */
	__u32 device_id;
	/** @flags: GPUFE_PARTITION_PERSISTENT */
	__u32 flags;
	/** @engine_mask: the engines, numbered as in &struct gpufe_config_reg */
	__u64 engine_mask;
	/** @mem_quota: bytes of buffer memory, 0 for no quota */
	__u64 mem_quota;
	/** @weight: 1 to %GPUFE_PARTITION_MAX_WEIGHT */
	__u32 weight;
	/** @max_clients: clients at once, 0 for no limit */
	__u32 max_clients;
	/** @node_uid: with %GPUFE_PARTITION_PERSISTENT, the node's owner */
	__u32 node_uid;
	/** @node_gid: with %GPUFE_PARTITION_PERSISTENT, the node's group */
	__u32 node_gid;
	/** @node_mode: with %GPUFE_PARTITION_PERSISTENT, the node's mode */
	__u32 node_mode;
	/** @partition_id: out: the partition's id */
	__u32 partition_id;
	/** @fd: out: a client of the partition */
	__s32 fd;
	/**
	 * @engine_timeout_ms: since 1.4: how long a job of the partition may
	 * run on its engine before it counts as hung, 1 to
	 * %GPUFE_ENGINE_TIMEOUT_MAX_MS; 0 for the ``engine_timeout_ms``
	 * module parameter (before 1.4 this was a pad, MBZ)
	 */
	__u32 engine_timeout_ms;
};

/**
 * define GPUFE_ENGINE_TIMEOUT_MAX_MS - the longest engine timeout, in
 * milliseconds
 */
#define GPUFE_ENGINE_TIMEOUT_MAX_MS	600000

/**
 * struct gpufe_partition_open - argument of &GPUFE_IOCTL_PARTITION_OPEN
 *
 * Opens a new client of a partition, with handles, events and a completion
 * page of its own, and returns its file descriptor, opened read-write and
 * close-on-exec. A client of a partition opens further clients of its
 * own partition (@partition_id 0, or its own id); an administrator opens
 * clients of any partition by id from a client without partition.
 *
 * Errors: ``-EINVAL`` for a non-zero @flags or @pad, or @partition_id 0
 * from a client without partition; ``-EPERM`` for another partition's id
 * from a client of a partition, or any id without ``CAP_SYS_ADMIN`` in
 * the initial user namespace; ``-ENOENT`` for an id that names no
 * partition; ``-EUSERS`` when the partition has @max_clients clients;
 * ``-ENODEV`` when the caller's own partition has ended; ``-EMFILE``.
 */
struct gpufe_partition_open {
	/** @partition_id: the partition, 0 for the caller's */
	__u32 partition_id;
	/** @flags: MBZ */
	__u32 flags;
	/** @fd: out: the new client's file descriptor */
	__s32 fd;
	/** @pad: MBZ */
	__u32 pad;
};

/**
 * struct gpufe_partition_revoke - argument of &GPUFE_IOCTL_PARTITION_REVOKE
 *
 * Ends a partition, persistent or not, as described in "gpufe
 * partitions".
 *
 * Errors: ``-EINVAL`` for a non-zero @flags; ``-EPERM`` without
 * ``CAP_SYS_ADMIN`` in the initial user namespace, or through a client of
 * a partition; ``-ENOENT`` for an id that names no partition.
 */
struct gpufe_partition_revoke {
	/** @partition_id: the partition */
	__u32 partition_id;
	/** @flags: MBZ */
	__u32 flags;
};

/**
 * struct gpufe_partition_info - one partition, as &GPUFE_QUERY_PARTITIONS
 * reports it
 */
struct gpufe_partition_info {
	/** @partition_id: the partition's id */
	__u32 partition_id;
	/** @device_id: its device */
	__u32 device_id;
	/**
	 * @engine_mask: its engines, numbered as in the caller's register
	 * (densely for a client of the partition)
	 */
	__u64 engine_mask;
	/** @mem_quota: bytes, 0 for no quota */
	__u64 mem_quota;
	/** @mem_used: bytes of buffer memory its clients use now */
	__u64 mem_used;
	/** @weight: its weight */
	__u32 weight;
	/** @flags: GPUFE_CONFIG_REG_PERSISTENT */
	__u32 flags;
	/** @max_clients: its limit on clients, 0 for none */
	__u32 max_clients;
	/** @num_clients: its clients now */
	__u32 num_clients;
};

/**
 * struct gpufe_query_partitions - the result of &GPUFE_QUERY_PARTITIONS
 *
 * A client without partition gets every partition when the caller has
 * ``CAP_SYS_ADMIN`` (in the initial user namespace) and none otherwise;
 * a client of a partition gets its own.
 */
struct gpufe_query_partitions {
	/** @num_partitions: number of entries in @partitions */
	__u32 num_partitions;
	/**
	 * @entry_size: bytes from one entry of @partitions to the next, at
	 * least sizeof(struct gpufe_partition_info) as the caller knows it
	 */
	__u32 entry_size;
	/** @partitions: the partitions, by ascending id */
	struct gpufe_partition_info partitions[];
};

/**
 * define GPUFE_IOCTL_BO_CREATE - create a buffer object
 *
 * Takes a &struct gpufe_bo_create.
 */
#define GPUFE_IOCTL_BO_CREATE	_IOWR(GPUFE_IOCTL_BASE, 0x02, struct gpufe_bo_create)

/**
 * define GPUFE_IOCTL_BO_DESTROY - drop a buffer handle
 *
 * Takes a &struct gpufe_bo_destroy.
 */
#define GPUFE_IOCTL_BO_DESTROY	_IOW(GPUFE_IOCTL_BASE, 0x03, struct gpufe_bo_destroy)

/**
 * define GPUFE_IOCTL_BO_EXPORT - export a buffer as a dma-buf
 *
 * Takes a &struct gpufe_bo_export.
 */
#define GPUFE_IOCTL_BO_EXPORT	_IOWR(GPUFE_IOCTL_BASE, 0x04, struct gpufe_bo_export)

/**
 * define GPUFE_IOCTL_BO_IMPORT - import a dma-buf as a buffer
 *
 * Takes a &struct gpufe_bo_import.
 */
#define GPUFE_IOCTL_BO_IMPORT	_IOWR(GPUFE_IOCTL_BASE, 0x05, struct gpufe_bo_import)

/**
 * define GPUFE_IOCTL_CTX_CREATE - create a context
 *
 * Takes a &struct gpufe_ctx_create.
 */
#define GPUFE_IOCTL_CTX_CREATE	_IOWR(GPUFE_IOCTL_BASE, 0x06, struct gpufe_ctx_create)

/**
 * define GPUFE_IOCTL_CTX_DESTROY - drop a context handle
 *
 * Takes a &struct gpufe_ctx_destroy.
 */
#define GPUFE_IOCTL_CTX_DESTROY	_IOW(GPUFE_IOCTL_BASE, 0x07, struct gpufe_ctx_destroy)

/**
 * define GPUFE_IOCTL_CTX_STATUS - a context's progress
 *
 * Takes a &struct gpufe_ctx_status.
 */
#define GPUFE_IOCTL_CTX_STATUS	_IOWR(GPUFE_IOCTL_BASE, 0x08, struct gpufe_ctx_status)

/**
 * define GPUFE_IOCTL_SUBMIT - queue a job
 *
 * Takes a &struct gpufe_submit.
 */
#define GPUFE_IOCTL_SUBMIT	_IOWR(GPUFE_IOCTL_BASE, 0x09, struct gpufe_submit)

/**
 * define GPUFE_IOCTL_WAIT - wait for a job
 *
 * Takes a &struct gpufe_wait.
 */
#define GPUFE_IOCTL_WAIT	_IOW(GPUFE_IOCTL_BASE, 0x0a, struct gpufe_wait)

/**
 * define GPUFE_IOCTL_PARTITION_CREATE - create a partition
 *
 * Takes a &struct gpufe_partition_create.
 */
#define GPUFE_IOCTL_PARTITION_CREATE	_IOWR(GPUFE_IOCTL_BASE, 0x0b, struct gpufe_partition_create)

/**
 * define GPUFE_IOCTL_PARTITION_OPEN - open a client of a partition
 *
 * Takes a &struct gpufe_partition_open.
 */
#define GPUFE_IOCTL_PARTITION_OPEN	_IOWR(GPUFE_IOCTL_BASE, 0x0c, struct gpufe_partition_open)

/**
 * define GPUFE_IOCTL_PARTITION_REVOKE - end a partition
 *
 * Takes a &struct gpufe_partition_revoke.
 */
#define GPUFE_IOCTL_PARTITION_REVOKE	_IOW(GPUFE_IOCTL_BASE, 0x0d, struct gpufe_partition_revoke)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_GPUFE_H_ */
