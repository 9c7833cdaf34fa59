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
 */

/** define GPUCLIENT_DEFAULT_PATH - the device node gpuclient_open() uses */
#define GPUCLIENT_DEFAULT_PATH		"/dev/gpufe"
/** define GPUCLIENT_DEVICE_ENV - environment variable overriding it */
#define GPUCLIENT_DEVICE_ENV		"GPUFE_DEVICE"

/** define GPUCLIENT_FEATURE_DISCOVERY - device and engine queries work */
#define GPUCLIENT_FEATURE_DISCOVERY	(1ULL << 0)

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
 * gpuclient_open() - open a gpufe device
 * @path: the device node; NULL means the value of the ``GPUFE_DEVICE``
 *	environment variable if it is set and not empty (ignored in setuid
 *	and setgid programs), else ``/dev/gpufe``
 * @out: where to store the new handle; untouched on error
 *
 * Opens @path with ``O_RDWR | O_CLOEXEC`` and reads the interface version.
 * A kernel whose major version differs from the one libgpuclient was built
 * for is refused.
 *
 * Return: 0 on success; -EINVAL if @out is NULL; -EPROTONOSUPPORT if the
 * kernel's major interface version differs; -ENOTTY if @path is not a gpufe
 * device; -ENOMEM; or the negative errno from open(2) (-ENOENT, -EACCES, ...)
 * or from the version ioctl.
 */
int gpuclient_open(const char *path, gpuclient_handle *out);

/**
 * gpuclient_close() - close a gpufe device
 * @h: the handle to release, or NULL (which does nothing)
 *
 * Closes the file descriptor and frees the handle. Lists returned by the
 * query functions stay valid and must still be freed.
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

#if defined(__cplusplus)
}
#endif

#endif /* GPUCLIENT_H */
