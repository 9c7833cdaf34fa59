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
 */
#define GPUFE_VERSION_MAJOR		1
#define GPUFE_VERSION_MINOR		2
#define GPUFE_VERSION_PATCH		1

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
 * struct gpufe_query - argument of &GPUFE_IOCTL_QUERY
 *
 * Called with @size 0 (and @data 0), the kernel writes the size the result
 * needs into @size and nothing else. Called with @size at least that large,
 * it writes the result to @data and sets @size to the bytes written. The
 * result can grow between the two calls (a device was added): a @size that
 * is not 0 but too small fails with ``-ENOSPC``, leaving @size as it was,
 * and the caller probes again.
 *
 * Errors: ``-EINVAL`` for an unknown @query, a @flags bit set, a non-zero
 * @device_id on &GPUFE_QUERY_DEVICES, or a non-zero @data with @size 0;
 * ``-ENODEV`` for a @device_id that names no device (0, one never
 * registered, or one that has been unplugged); ``-ENOSPC`` for a @size
 * too small; ``-EFAULT`` for a @data the kernel cannot write.
 */
struct gpufe_query {
	/** @query: GPUFE_QUERY_DEVICES or GPUFE_QUERY_ENGINES */
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
 * that opened the file would exceed theirs (``user_mem_mib``);
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
 * ``-EDQUOT`` (since 1.2.1) as for &GPUFE_IOCTL_BO_CREATE; ``-EINTR``
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
 */
enum gpufe_ctx_state {
	GPUFE_CTX_STATE_ACTIVE = 0,
	GPUFE_CTX_STATE_LOST = 1,
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
 * completed waits in SUBMIT (interruptibly) until one completes.
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
 * device is gone; ``-EFAULT`` for @cmds or @bos the kernel cannot read; ``-EMFILE``
 * when no file descriptor is free for the out-fence. Nothing is queued on
 * error.
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

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_GPUFE_H_ */
