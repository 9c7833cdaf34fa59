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
 * - An ioctl that fails changes nothing.
 */

/**
 * DOC: gpufe uAPI changelog
 *
 * 1.0 - First version: &GPUFE_IOCTL_VERSION, &GPUFE_IOCTL_QUERY with
 *       &GPUFE_QUERY_DEVICES and &GPUFE_QUERY_ENGINES.
 */
#define GPUFE_VERSION_MAJOR		1
#define GPUFE_VERSION_MINOR		0
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

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_GPUFE_H_ */
