// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: version and discovery
 *
 * GPUFE_IOCTL_VERSION reports the interface version and feature bits.
 * GPUFE_IOCTL_QUERY lists the devices and, per device, the engines a client
 * may use, with the two-call size protocol of xe's DEVICE_QUERY: a call
 * with size 0 learns the size, a second call fetches. Results are built in
 * a kernel buffer under the registry lock and copied out after it is
 * dropped, so a fault on the user buffer never happens under a lock.
 */

#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "gpufe_drv.h"

#define GPUFE_FEATURES	(GPUFE_FEATURE_DISCOVERY | GPUFE_FEATURE_DATAPATH | \
			 GPUFE_FEATURE_COMPLETION_PAGE | GPUFE_FEATURE_PARTITIONS | \
			 GPUFE_FEATURE_SCHED)

/**
 * gpufe_ioctl_version - GPUFE_IOCTL_VERSION
 * @client: the caller
 * @data: a &struct gpufe_version, zeroed by the dispatcher
 *
 * Return: 0.
 */
int gpufe_ioctl_version(struct gpufe_client *client, void *data)
{
	struct gpufe_version *v = data;

	v->major = GPUFE_VERSION_MAJOR;
	v->minor = GPUFE_VERSION_MINOR;
	v->patch = GPUFE_VERSION_PATCH;
	v->features = GPUFE_FEATURES;
	return 0;
}

/**
 * gpufe_query_size - answer the size probe of a query
 * @q: the query
 * @needed: the bytes of its result
 *
 * Return: 1 when the probe is answered, 0 to go on, or -ENOSPC when the
 * caller's buffer is too small.
 */
int gpufe_query_size(struct gpufe_query *q, size_t needed)
{
	if (!q->size) {
		q->size = needed;
		return 1;
	}
	return q->size < needed ? -ENOSPC : 0;
}

/**
 * gpufe_query_copy_out - copy a query's result to the caller
 * @q: the query
 * @res: the result
 * @size: its bytes
 *
 * Return: 0 or -EFAULT.
 */
int gpufe_query_copy_out(struct gpufe_query *q, const void *res, size_t size)
{
	if (copy_to_user(u64_to_user_ptr(q->data), res, size))
		return -EFAULT;
	q->size = size;
	return 0;
}

static void gpufe_device_info_fill(struct gpufe_device_info *info,
				   const struct gpufe_client *client,
				   const struct gpufe_device *gdev)
{
	info->device_id = gdev->id;
	info->num_engines = gpufe_client_num_engines(client, gdev);
	info->mem_size = gdev->mem_size;
	strscpy(info->name, gdev->name, sizeof(info->name));
	strscpy(info->backend, gdev->backend, sizeof(info->backend));
}

static int gpufe_query_devices(struct gpufe_client *client,
			       struct gpufe_query *q)
{
	struct gpufe_query_devices *res;
	struct gpufe_device *gdev;
	unsigned long index = 0;
	unsigned int n = 0;
	size_t size;
	int ret;

	mutex_lock(&gpufe_registry_lock);
	while ((gdev = gpufe_device_next_locked(&index)))
		n += gpufe_client_sees(client, gdev);
	size = struct_size(res, devices, n);
	ret = gpufe_query_size(q, size);
	if (ret) {
		mutex_unlock(&gpufe_registry_lock);
		return ret < 0 ? ret : 0;
	}

	res = kzalloc(size, GFP_KERNEL);
	if (!res) {
		mutex_unlock(&gpufe_registry_lock);
		return -ENOMEM;
	}
	n = 0;
	index = 0;
	while ((gdev = gpufe_device_next_locked(&index)))
		if (gpufe_client_sees(client, gdev))
			gpufe_device_info_fill(&res->devices[n++], client, gdev);
	res->num_devices = n;
	res->entry_size = sizeof(res->devices[0]);
	mutex_unlock(&gpufe_registry_lock);

	ret = gpufe_query_copy_out(q, res, size);
	kfree(res);
	return ret;
}

static const char * const gpufe_engine_class_names[GPUFE_NUM_ENGINE_CLASSES] = {
	[GPUFE_ENGINE_CLASS_COMPUTE] = "compute",
	[GPUFE_ENGINE_CLASS_COPY] = "copy",
	[GPUFE_ENGINE_CLASS_VIDEO] = "video",
};

/**
 * gpufe_engine_class_name - the name of an engine class
 * @engine_class: an &enum gpufe_engine_class
 *
 * Return: the class's name, as engine names start, e.g. "compute".
 */
const char *gpufe_engine_class_name(u32 engine_class)
{
	if (engine_class >= GPUFE_NUM_ENGINE_CLASSES)
		return "unknown";
	return gpufe_engine_class_names[engine_class];
}

/* The device @q names, if the client sees it, with a reference. */
static struct gpufe_device *gpufe_query_device(struct gpufe_client *client,
					       struct gpufe_query *q)
{
	struct gpufe_device *gdev = gpufe_device_lookup(q->device_id);

	if (gdev && !gpufe_client_sees(client, gdev)) {
		gpufe_device_put(gdev);
		gdev = NULL;
	}
	return gdev;
}

static int gpufe_query_engines(struct gpufe_client *client,
			       struct gpufe_query *q)
{
	struct gpufe_query_engines *res;
	struct gpufe_device *gdev;
	unsigned int i, n;
	size_t size;
	int ret;

	gdev = gpufe_query_device(client, q);
	if (!gdev)
		return -ENODEV;

	/* Engines are fixed at registration: no back-end call, no enter. */
	n = gpufe_client_num_engines(client, gdev);
	size = struct_size(res, engines, n);
	ret = gpufe_query_size(q, size);
	if (ret) {
		ret = ret < 0 ? ret : 0;
		goto out_put;
	}

	res = kzalloc(size, GFP_KERNEL);
	if (!res) {
		ret = -ENOMEM;
		goto out_put;
	}
	res->device_id = gdev->id;
	res->num_engines = n;
	res->entry_size = sizeof(res->engines[0]);
	for (i = 0; i < n; i++) {
		struct gpufe_view_engine e = gpufe_client_engine(client, gdev, i);
		struct gpufe_engine_info *info = &res->engines[i];

		info->engine_class = e.engine->engine_class;
		info->engine_instance = e.instance;
		snprintf(info->name, sizeof(info->name), "%s%u",
			 gpufe_engine_class_name(e.engine->engine_class),
			 e.instance);
	}

	ret = gpufe_query_copy_out(q, res, size);
	kfree(res);
out_put:
	gpufe_device_put(gdev);
	return ret;
}

static int gpufe_query_config_reg(struct gpufe_client *client,
				  struct gpufe_query *q)
{
	struct gpufe_config_reg reg;
	struct gpufe_device *gdev;
	int ret;

	gdev = gpufe_query_device(client, q);
	if (!gdev)
		return -ENODEV;
	ret = gpufe_query_size(q, sizeof(reg));
	if (!ret) {
		gpufe_client_config_reg(client, gdev, &reg);
		ret = gpufe_query_copy_out(q, &reg, sizeof(reg));
	}
	gpufe_device_put(gdev);
	return ret < 0 ? ret : 0;
}

/**
 * gpufe_ioctl_query - GPUFE_IOCTL_QUERY
 * @client: the caller
 * @data: a &struct gpufe_query
 *
 * Return: 0, or the negative errno &struct gpufe_query documents.
 */
int gpufe_ioctl_query(struct gpufe_client *client, void *data)
{
	struct gpufe_query *q = data;

	if (q->flags)
		return -EINVAL;
	if ((q->query == GPUFE_QUERY_DEVICES ||
	     q->query == GPUFE_QUERY_PARTITIONS) && q->device_id)
		return -EINVAL;
	if (!q->size && q->data)
		return -EINVAL;

	switch (q->query) {
	case GPUFE_QUERY_DEVICES:
		return gpufe_query_devices(client, q);
	case GPUFE_QUERY_ENGINES:
		return gpufe_query_engines(client, q);
	case GPUFE_QUERY_CONFIG_REG:
		return gpufe_query_config_reg(client, q);
	case GPUFE_QUERY_PARTITIONS:
		return gpufe_query_partitions(client, q);
	default:
		return -EINVAL;
	}
}
