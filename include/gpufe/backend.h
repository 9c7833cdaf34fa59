/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between the gpufe front-end and its back-ends.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef _GPUFE_BACKEND_H_
#define _GPUFE_BACKEND_H_

#include <linux/types.h>

#include <gpufe.h>

/**
 * DOC: back-end interface
 *
 * A back-end module drives one or more GPUs. For each GPU it fills a
 * &struct gpufe_device_desc and calls gpufe_device_register() with a const
 * &struct gpufe_backend_ops table; it gets back an opaque &struct
 * gpufe_device, the front-end's handle for that GPU. The front-end copies
 * everything it needs out of the description, so the description may live
 * on the stack.
 *
 * gpufe_device_unregister() may be called at any time, also while clients
 * still use the device. It makes the device invisible to new lookups, waits
 * for every front-end call into the back-end for this device that is
 * already running, and returns. From then on the front-end never calls the
 * back-end for this device again and never touches its private data, so
 * the back-end may free both. Clients that still name the device get
 * ``-ENODEV``. A back-end module's exit function unregisters all its
 * devices; that is what makes unloading a back-end safe while clients hold
 * the device open.
 *
 * A back-end never sees a &struct file, a user pointer or a client handle.
 */

struct gpufe_device;

/**
 * struct gpufe_engine_desc - one engine of a GPU
 * @engine_class: an &enum gpufe_engine_class
 * @instance: the back-end's instance number within @engine_class; the
 *	(@engine_class, @instance) pairs of a device are unique
 * @name: the back-end's name for the engine (logs and debugfs), shorter
 *	than %GPUFE_ENGINE_NAME_LEN
 *
 * Clients see engines renumbered densely within each class, in ascending
 * @instance order, and named after class and that dense number.
 */
struct gpufe_engine_desc {
	u32 engine_class;
	u16 instance;
	const char *name;
};

/**
 * struct gpufe_device_desc - what a back-end says about a GPU it registers
 * @name: the GPU's name, unique among devices, shorter than %GPUFE_NAME_LEN
 * @mem_size: bytes of device memory, 0 if none
 * @num_engines: number of entries in @engines, 1 to %GPUFE_MAX_ENGINES
 * @engines: the engines
 */
struct gpufe_device_desc {
	const char *name;
	u64 mem_size;
	unsigned int num_engines;
	const struct gpufe_engine_desc *engines;
};

/**
 * struct gpufe_backend_ops - a back-end's entry points
 * @owner: the back-end module, %THIS_MODULE
 * @name: the back-end's name as user space sees it, e.g. "swgpu", shorter
 *	than %GPUFE_NAME_LEN
 *
 * The job entry points (validate, run, reset) join this table with the
 * data path. Every call the front-end makes through it runs between
 * gpufe_device_enter() and gpufe_device_exit().
 */
struct gpufe_backend_ops {
	struct module *owner;
	const char *name;
};

/* The most engines one device may have: engine masks are 64 bits wide. */
#define GPUFE_MAX_ENGINES	64
/* The most devices the front-end serves at once. */
#define GPUFE_MAX_DEVICES	64

struct gpufe_device *gpufe_device_register(const struct gpufe_device_desc *desc,
					   const struct gpufe_backend_ops *ops,
					   void *priv);
void gpufe_device_unregister(struct gpufe_device *gdev);
void *gpufe_device_priv(const struct gpufe_device *gdev);
u32 gpufe_device_id(const struct gpufe_device *gdev);

#endif /* _GPUFE_BACKEND_H_ */
