/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gpufe front-end: private declarations shared by the front-end's files.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef _GPUFE_DRV_H_
#define _GPUFE_DRV_H_

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include <gpufe.h>
#include <gpufe/backend.h>

#define GPUFE_NUM_ENGINE_CLASSES	(GPUFE_ENGINE_CLASS_VIDEO + 1)

/**
 * struct gpufe_engine - one engine of a device, as the front-end keeps it
 * @engine_class: an &enum gpufe_engine_class
 * @hw_instance: the back-end's instance number
 * @instance: the dense instance number within the class
 * @hw_name: the back-end's name for the engine
 */
struct gpufe_engine {
	u32 engine_class;
	u16 hw_instance;
	u16 instance;
	char hw_name[GPUFE_ENGINE_NAME_LEN];
};

/**
 * struct gpufe_device - the front-end's side of a GPU
 * @ref: the registry holds one reference until unregister; every lookup
 *	takes one more
 * @id: the id user space names the device by, never 0
 * @unplugged: set once by gpufe_device_unregister(); read with
 *	gpufe_device_unplugged() between gpufe_device_enter() and
 *	gpufe_device_exit()
 * @ops: the back-end's entry points, valid while !@unplugged
 * @priv: the back-end's private data, valid while !@unplugged
 * @name: the device's name
 * @backend: the back-end's name, copied so it outlives the module
 * @mem_size: bytes of device memory
 * @num_engines: number of entries in @engines
 * @engines: sorted by class, then back-end instance
 *
 * Everything but @ref and @unplugged is fixed at registration.
 */
struct gpufe_device {
	struct kref ref;
	u32 id;
	bool unplugged;
	const struct gpufe_backend_ops *ops;
	void *priv;
	char name[GPUFE_NAME_LEN];
	char backend[GPUFE_NAME_LEN];
	u64 mem_size;
	unsigned int num_engines;
	struct gpufe_engine engines[];
};

/**
 * struct gpufe_client - one open file of /dev/gpufe
 * @id: the client's id, unique among open clients
 * @pid: the process that opened the file
 */
struct gpufe_client {
	u32 id;
	struct pid *pid;
};

/* gpufe_client.c */
struct gpufe_client *gpufe_client_create(void);
void gpufe_client_destroy(struct gpufe_client *client);
unsigned long gpufe_client_count(void);
void gpufe_clients_show(struct seq_file *m);

/* gpufe_device.c */
extern struct mutex gpufe_registry_lock;
struct gpufe_device *gpufe_device_lookup(u32 id);
void gpufe_device_put(struct gpufe_device *gdev);
int gpufe_device_enter(void);
void gpufe_device_exit(int idx);
bool gpufe_device_unplugged(const struct gpufe_device *gdev);
unsigned int gpufe_device_count_locked(void);
struct gpufe_device *gpufe_device_next_locked(unsigned long *index);
long gpufe_device_objects(void);
void gpufe_devices_show(struct seq_file *m);
void gpufe_devices_fini(void);

/* gpufe_query.c */
int gpufe_ioctl_version(struct gpufe_client *client, void *data);
int gpufe_ioctl_query(struct gpufe_client *client, void *data);

/* gpufe_debugfs.c */
void gpufe_debugfs_init(void);
void gpufe_debugfs_fini(void);

#endif /* _GPUFE_DRV_H_ */
