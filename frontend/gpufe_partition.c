// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: partitions
 *
 * A partition is a slice of one device: an engine mask, a weight, a
 * memory quota and a limit on its clients, kept as the real configuration
 * register (common/gpufe_config_reg.c) from which the emulated copy its
 * clients read is derived. Its clients see the device through it: the
 * query, context and register paths ask gpufe_client_sees(),
 * gpufe_client_engine() and gpufe_client_engine_find(), and nothing else
 * resolves an engine for a client.
 *
 * Creation, lookup, revocation and a client of a partition are kernel
 * functions (gpufe_partition_create(), gpufe_partition_lookup(),
 * gpufe_partition_revoke(), gpufe_client_create()); the ioctls wrap them,
 * so that an in-kernel user, the hypervisor component, makes partitions
 * and clients of them exactly as an administrator's process does.
 *
 * Lifetime: @users counts what keeps a partition alive: its clients'
 * files, a creator's hold and, for a persistent partition, its own hold
 * until revoked. When @users reaches zero or an administrator revokes
 * it, the partition ends: its id, its sysfs directory and its node go,
 * its register shows %GPUFE_CONFIG_REG_REVOKED, its clients' ioctls fail
 * with -ENODEV and their contexts are kicked, so that jobs not yet handed
 * to the device fail with -ENODEV. The structure lives on, refcounted,
 * while clients, lookups and mappings of the register page use it.
 * Ending a partition and changing its clients happen under
 * gpufe_partitions_lock; sysfs reads take no lock, and the sysfs device is
 * removed, draining them, before the structure can go.
 *
 * A persistent partition's node, ``/dev/gpufe-part<id>``, is a minor of
 * gpufe's own character device region, a whole major's worth of minors
 * handed out cyclically, so that a copy of a revoked partition's node
 * (bind-mounted or made with mknod in a container) opens no later
 * partition before 2^20 more persistent partitions were made; the owner,
 * group and mode given at creation reach devtmpfs through the device
 * type's devnode callback. Opening it takes read and write access.
 *
 * Every partition, persistent or not, is a device of the ``gpufe`` class,
 * ``/sys/class/gpufe/gpufe-part<id>/``, its attributes readable by root
 * only: a tenant learns nothing of other partitions there.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/bitops.h>
#include <linux/capability.h>
#include <linux/cdev.h>
#include <linux/cred.h>
#include <linux/device.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "gpufe_compat.h"
#include "gpufe_drv.h"

DEFINE_MUTEX(gpufe_partitions_lock); /* partitions: ends, users, clients */
/* The partitions not yet ended, by id; under gpufe_partitions_lock. */
static DEFINE_XARRAY_ALLOC1(gpufe_partitions);
static u32 gpufe_next_partition_id;
/* The persistent partitions' nodes, by minor; under gpufe_partitions_lock. */
static DEFINE_XARRAY_ALLOC1(gpufe_part_minors);
static u32 gpufe_next_part_minor;
static atomic_long_t gpufe_partition_objs = ATOMIC_LONG_INIT(0);

/* The nodes' minors: a whole major's worth, handed out cyclically. */
#define GPUFE_PART_MINORS	(MINORMASK + 1)
static dev_t gpufe_part_devt;
static struct cdev gpufe_part_cdev;

struct class gpufe_class = {
	.name = "gpufe",
};

/**
 * gpufe_partition_objects - the number of partition structures alive
 *
 * Return: how many partitions are allocated, ended ones included.
 */
long gpufe_partition_objects(void)
{
	return atomic_long_read(&gpufe_partition_objs);
}

static void gpufe_partition_release(struct kref *ref)
{
	struct gpufe_partition *part = container_of(ref, struct gpufe_partition,
						    ref);

	WARN_ON(atomic64_read(&part->mem_used));
	/* Mappings hold their own references on the page. */
	if (part->reg_page)
		put_page(part->reg_page);
	gpufe_device_put(part->gdev);
	kfree(part);
	atomic_long_dec(&gpufe_partition_objs);
}

/**
 * gpufe_partition_put - drop a reference on a partition
 * @part: the partition
 */
void gpufe_partition_put(struct gpufe_partition *part)
{
	kref_put(&part->ref, gpufe_partition_release);
}

/* sysfs: /sys/class/gpufe/gpufe-part<id>/ */

static struct gpufe_partition *to_part(const struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t device_id_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_part(dev)->reg.device_id);
}
static DEVICE_ATTR_ADMIN_RO(device_id);

static ssize_t engine_mask_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%llx\n",
			  (unsigned long long)to_part(dev)->reg.engine_mask);
}
static DEVICE_ATTR_ADMIN_RO(engine_mask);

static ssize_t engines_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct gpufe_partition *part = to_part(dev);
	unsigned int i;
	int len = 0;

	for (i = 0; i < part->num_engines; i++) {
		const struct gpufe_engine *e = part->engines[i].engine;

		len += sysfs_emit_at(buf, len, "%s%s%u", i ? " " : "",
				     gpufe_engine_class_name(e->engine_class),
				     e->instance);
	}
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_ADMIN_RO(engines);

static ssize_t weight_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%u\n", to_part(dev)->reg.weight);
}
static DEVICE_ATTR_ADMIN_RO(weight);

static ssize_t mem_quota_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  (unsigned long long)to_part(dev)->reg.mem_quota);
}
static DEVICE_ATTR_ADMIN_RO(mem_quota);

static ssize_t mem_used_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  (long long)atomic64_read(&to_part(dev)->mem_used));
}
static DEVICE_ATTR_ADMIN_RO(mem_used);

static ssize_t clients_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_part(dev)->num_clients));
}
static DEVICE_ATTR_ADMIN_RO(clients);

static ssize_t max_clients_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_part(dev)->reg.max_clients);
}
static DEVICE_ATTR_ADMIN_RO(max_clients);

static ssize_t persistent_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", to_part(dev)->persistent);
}
static DEVICE_ATTR_ADMIN_RO(persistent);

static struct attribute *gpufe_part_attrs[] = {
	&dev_attr_device_id.attr,
	&dev_attr_engine_mask.attr,
	&dev_attr_engines.attr,
	&dev_attr_weight.attr,
	&dev_attr_mem_quota.attr,
	&dev_attr_mem_used.attr,
	&dev_attr_clients.attr,
	&dev_attr_max_clients.attr,
	&dev_attr_persistent.attr,
	NULL
};
ATTRIBUTE_GROUPS(gpufe_part);

/* The node's owner and mode, for devtmpfs; the name is the device's. */
static char *gpufe_part_devnode(gpufe_devnode_const struct device *dev,
				umode_t *mode, kuid_t *uid, kgid_t *gid)
{
	const struct gpufe_partition *part = to_part(dev);

	if (mode)
		*mode = part->node_mode ?: 0600;
	if (uid)
		*uid = part->node_uid;
	if (gid)
		*gid = part->node_gid;
	return NULL;
}

static const struct device_type gpufe_part_type = {
	.name = "gpufe-partition",
	.groups = gpufe_part_groups,
	.devnode = gpufe_part_devnode,
};

static void gpufe_part_dev_release(struct device *dev)
{
	kfree(dev);
}

/* Under gpufe_partitions_lock: the partition's sysfs device and node. */
static int gpufe_partition_dev_add(struct gpufe_partition *part)
{
	struct device *dev;
	int ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	device_initialize(dev);
	dev->class = &gpufe_class;
	dev->type = &gpufe_part_type;
	dev->parent = gpufe_misc_device();
	dev->release = gpufe_part_dev_release;
	if (part->persistent)
		dev->devt = MKDEV(MAJOR(gpufe_part_devt), part->minor);
	dev_set_drvdata(dev, part);
	ret = dev_set_name(dev, "gpufe-part%u", part->id);
	if (!ret)
		ret = device_add(dev);
	if (ret) {
		put_device(dev);
		return ret;
	}
	part->dev = dev;
	return 0;
}

/*
 * End a partition, under gpufe_partitions_lock. Return: true if it ended
 * now; the caller then drops the registration's reference, after the
 * lock.
 */
static bool gpufe_partition_end_locked(struct gpufe_partition *part)
{
	struct gpufe_client *client;

	lockdep_assert_held(&gpufe_partitions_lock);
	if (part->ended)
		return false;
	WRITE_ONCE(part->ended, true);
	xa_erase(&gpufe_partitions, part->id);
	/* Fixed-share's denominator counts partitions that have not ended. */
	atomic_sub(part->reg.weight, &part->gdev->sched.weight_sum);

	if (part->minor)
		xa_erase(&gpufe_part_minors, part->minor);
	part->emu.flags |= GPUFE_CONFIG_REG_REVOKED;
	gpufe_config_reg_encode(page_address(part->reg_page), &part->emu);

	list_for_each_entry(client, &part->clients, part_link)
		gpufe_client_ctxs_kick(client);

	/* Drains sysfs readers and removes the node. */
	if (part->dev)
		device_unregister(part->dev);
	part->dev = NULL;
	return true;
}

/**
 * gpufe_partition_create - create a partition of a device
 * @p: what it is made of
 *
 * The in-kernel API that &GPUFE_IOCTL_PARTITION_CREATE wraps. Permission
 * is the caller's to check.
 *
 * Return: the partition, with a hold that keeps it alive and that the
 * caller gives back with gpufe_partition_close(); or an ERR_PTR():
 * -ENODEV for an unknown or unplugged device, -EINVAL for an engine mask
 * of no or unknown engines or a weight out of range, -ENOSPC when every
 * id is in use, -ENOMEM.
 */
struct gpufe_partition *gpufe_partition_create(const struct gpufe_partition_params *p)
{
	struct gpufe_partition *part;
	struct gpufe_device *gdev;
	unsigned int i, cls, inst;
	int ret, idx;

	if (p->engine_timeout_ms > GPUFE_ENGINE_TIMEOUT_MAX_MS)
		return ERR_PTR(-EINVAL);
	gdev = gpufe_device_lookup(p->device_id);
	if (!gdev)
		return ERR_PTR(-ENODEV);

	part = kzalloc(sizeof(*part), GFP_KERNEL_ACCOUNT);
	if (!part) {
		gpufe_device_put(gdev);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&part->ref);
	part->gdev = gdev;
	atomic_long_inc(&gpufe_partition_objs);
	atomic64_set(&part->mem_used, 0);
	INIT_LIST_HEAD(&part->clients);
	part->persistent = p->persistent;
	part->engine_timeout_ms = p->engine_timeout_ms;
	part->node_uid = p->node_uid;
	part->node_gid = p->node_gid;
	part->node_mode = p->node_mode;
	gpufe_device_layout(gdev, &part->layout);
	part->reg_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!part->reg_page) {
		part->ended = true;
		gpufe_partition_put(part);
		return ERR_PTR(-ENOMEM);
	}

	/* Validated with a provisional id, the real one comes below. */
	ret = gpufe_config_reg_init(&part->reg, &part->layout, gdev->id, 1,
				    p->engine_mask, p->mem_quota, p->weight,
				    p->max_clients, p->persistent ?
				    GPUFE_CONFIG_REG_PERSISTENT : 0);
	if (ret)
		goto err_put;
	for (i = 0; i < gdev->num_engines; i++) {
		if (gpufe_config_reg_from_device(&part->reg, &part->layout, i,
						 &cls, &inst))
			continue;
		part->engines[part->num_engines].engine = &gdev->engines[i];
		part->engines[part->num_engines++].instance = inst;
	}

	mutex_lock(&gpufe_partitions_lock);
	/* Serialised with gpufe_partitions_device_gone() by the lock. */
	idx = gpufe_device_enter();
	ret = gpufe_device_unplugged(gdev) ? -ENODEV : 0;
	gpufe_device_exit(idx);
	if (ret)
		goto err_unlock;
	ret = xa_alloc_cyclic(&gpufe_partitions, &part->id, part,
			      XA_LIMIT(1, GPUFE_PARTITION_MAX - 1),
			      &gpufe_next_partition_id, GFP_KERNEL);
	if (ret < 0) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto err_unlock;
	}
	part->reg.partition_id = part->id;
	/* Fixed-share's denominator, until the partition ends. */
	atomic_add(part->reg.weight, &gdev->sched.weight_sum);
	gpufe_config_reg_emulate(&part->reg, &part->emu);
	gpufe_config_reg_encode(page_address(part->reg_page), &part->emu);

	if (part->persistent) {
		ret = xa_alloc_cyclic(&gpufe_part_minors, &part->minor, part,
				      XA_LIMIT(1, GPUFE_PART_MINORS - 1),
				      &gpufe_next_part_minor, GFP_KERNEL);
		if (ret < 0) {
			ret = ret == -EBUSY ? -ENOSPC : ret;
			goto err_erase;
		}
	}
	ret = gpufe_partition_dev_add(part);
	if (ret) {
		if (part->minor)
			xa_erase(&gpufe_part_minors, part->minor);
		goto err_erase;
	}
	/* The caller's hold, with a reference; the registration has one. */
	part->users = 1 + part->persistent;
	kref_get(&part->ref);
	mutex_unlock(&gpufe_partitions_lock);
	return part;

err_erase:
	atomic_sub(part->reg.weight, &gdev->sched.weight_sum);
	xa_erase(&gpufe_partitions, part->id);
err_unlock:
	mutex_unlock(&gpufe_partitions_lock);
err_put:
	part->ended = true;
	gpufe_partition_put(part);
	return ERR_PTR(ret);
}

/* A partition not yet ended, by its index in @xa (an id or a minor). */
static struct gpufe_partition *gpufe_partition_find(struct xarray *xa,
						    unsigned long index)
{
	struct gpufe_partition *part;

	mutex_lock(&gpufe_partitions_lock);
	part = xa_load(xa, index);
	if (part)
		kref_get(&part->ref);
	mutex_unlock(&gpufe_partitions_lock);
	return part;
}

/**
 * gpufe_partition_lookup - find a partition that has not ended, by id
 * @id: the partition's id
 *
 * Return: the partition with a reference the caller drops with
 * gpufe_partition_put(), or NULL.
 */
struct gpufe_partition *gpufe_partition_lookup(u32 id)
{
	return gpufe_partition_find(&gpufe_partitions, id);
}

/* Drop a user; the last ends the partition. Under gpufe_partitions_lock. */
static bool gpufe_partition_unuse_locked(struct gpufe_partition *part)
{
	lockdep_assert_held(&gpufe_partitions_lock);
	if (--part->users)
		return false;
	return gpufe_partition_end_locked(part);
}

/**
 * gpufe_partition_close - give back the hold gpufe_partition_create() gave
 * @part: the partition
 *
 * A partition that is not persistent ends with its last hold and client.
 */
void gpufe_partition_close(struct gpufe_partition *part)
{
	bool ended;

	mutex_lock(&gpufe_partitions_lock);
	ended = gpufe_partition_unuse_locked(part);
	mutex_unlock(&gpufe_partitions_lock);
	if (ended)
		gpufe_partition_put(part);
	gpufe_partition_put(part);
}

/**
 * gpufe_partition_revoke - end a partition now
 * @part: the partition
 *
 * Its clients' calls fail with -ENODEV from now on, their jobs not yet on
 * the device fail, its node and id go. Nothing happens to a partition
 * that has ended already.
 */
void gpufe_partition_revoke(struct gpufe_partition *part)
{
	bool ended;

	mutex_lock(&gpufe_partitions_lock);
	ended = gpufe_partition_end_locked(part);
	mutex_unlock(&gpufe_partitions_lock);
	if (ended)
		gpufe_partition_put(part);
}

/**
 * gpufe_partition_add_client - make a new client one of a partition's
 * @part: the partition
 * @client: the client, being created
 *
 * Return: 0; -ENODEV if the partition has ended; -EUSERS if it has its
 * maximum of clients.
 */
int gpufe_partition_add_client(struct gpufe_partition *part,
			       struct gpufe_client *client)
{
	int ret = 0;

	mutex_lock(&gpufe_partitions_lock);
	if (part->ended) {
		ret = -ENODEV;
	} else if (part->reg.max_clients &&
		   part->num_clients >= part->reg.max_clients) {
		ret = -EUSERS;
	} else {
		kref_get(&part->ref);
		part->users++;
		WRITE_ONCE(part->num_clients, part->num_clients + 1);
		list_add_tail(&client->part_link, &part->clients);
		client->part = part;
	}
	mutex_unlock(&gpufe_partitions_lock);
	return ret;
}

/**
 * gpufe_partition_remove_client - a client of a partition is closed
 * @client: the client
 *
 * The client no longer counts as one of the partition's, but stays on its
 * list, so that ending the partition still reaches the contexts that
 * outlive the file, until gpufe_partition_forget_client().
 */
void gpufe_partition_remove_client(struct gpufe_client *client)
{
	struct gpufe_partition *part = client->part;
	bool ended;

	mutex_lock(&gpufe_partitions_lock);
	WRITE_ONCE(part->num_clients, part->num_clients - 1);
	ended = gpufe_partition_unuse_locked(part);
	mutex_unlock(&gpufe_partitions_lock);
	if (ended)
		gpufe_partition_put(part);
}

/**
 * gpufe_partition_forget_client - a client of a partition is being freed
 * @client: the client, closed, with no context left
 *
 * Takes the client off the partition's list. May sleep. The client's
 * reference on the partition is the caller's to drop, after.
 */
void gpufe_partition_forget_client(struct gpufe_client *client)
{
	mutex_lock(&gpufe_partitions_lock);
	list_del(&client->part_link);
	mutex_unlock(&gpufe_partitions_lock);
}

/**
 * gpufe_partitions_device_gone - end the partitions of an unplugged device
 * @gdev: the device, unplugged
 */
void gpufe_partitions_device_gone(struct gpufe_device *gdev)
{
	struct gpufe_partition *part;
	unsigned long id;
	bool ended;

	do {
		ended = false;
		mutex_lock(&gpufe_partitions_lock);
		xa_for_each(&gpufe_partitions, id, part) {
			if (part->gdev == gdev) {
				ended = gpufe_partition_end_locked(part);
				break;
			}
		}
		mutex_unlock(&gpufe_partitions_lock);
		if (ended)
			gpufe_partition_put(part);
	} while (ended);
}

/**
 * gpufe_client_revoked - whether a client's partition has ended
 * @client: the client
 *
 * Return: true if the client is one of a partition that has ended.
 */
bool gpufe_client_revoked(const struct gpufe_client *client)
{
	return client->part && READ_ONCE(client->part->ended);
}

/**
 * gpufe_client_sees - whether a client sees a device
 * @client: the client
 * @gdev: the device
 *
 * Return: true if @client may use @gdev.
 */
bool gpufe_client_sees(const struct gpufe_client *client,
		       const struct gpufe_device *gdev)
{
	if (client->hidden)
		return false;
	return !client->part || client->part->gdev == gdev;
}

/**
 * gpufe_client_num_engines - how many engines of a device a client sees
 * @client: the client
 * @gdev: a device gpufe_client_sees()
 *
 * Return: the number of engines.
 */
unsigned int gpufe_client_num_engines(const struct gpufe_client *client,
				      const struct gpufe_device *gdev)
{
	return client->part ? client->part->num_engines : gdev->num_engines;
}

/**
 * gpufe_client_engine - one engine of a device as a client sees it
 * @client: the client
 * @gdev: a device gpufe_client_sees()
 * @index: below gpufe_client_num_engines()
 *
 * Return: the engine and its instance in the client's numbering; engines
 * come by class, then instance.
 */
struct gpufe_view_engine gpufe_client_engine(const struct gpufe_client *client,
					     const struct gpufe_device *gdev,
					     unsigned int index)
{
	if (client->part)
		return client->part->engines[index];
	return (struct gpufe_view_engine) {
		.engine = &gdev->engines[index],
		.instance = gdev->engines[index].instance,
	};
}

/**
 * gpufe_client_engine_find - resolve an engine a client names
 * @client: the client
 * @gdev: a device gpufe_client_sees()
 * @engine_class: the class
 * @instance: the instance, in the client's numbering
 *
 * Return: the device's engine, or NULL if the client sees no such engine,
 * whether the device lacks it or the client's partition does.
 */
const struct gpufe_engine *
gpufe_client_engine_find(const struct gpufe_client *client,
			 const struct gpufe_device *gdev, u32 engine_class,
			 u32 instance)
{
	struct gpufe_partition *part = client->part;
	unsigned int i;
	int index;

	if (part) {
		index = gpufe_config_reg_to_device(&part->reg, &part->layout,
						   engine_class, instance);
		return index < 0 ? NULL : &gdev->engines[index];
	}
	for (i = 0; i < gdev->num_engines; i++)
		if (gdev->engines[i].engine_class == engine_class &&
		    gdev->engines[i].instance == instance)
			return &gdev->engines[i];
	return NULL;
}

/**
 * gpufe_client_config_reg - the register a client reads for a device
 * @client: the client
 * @gdev: a device gpufe_client_sees()
 * @reg: the register: the partition's emulated one, or, for a client
 *	without partition, one of the whole device
 */
void gpufe_client_config_reg(const struct gpufe_client *client,
			     const struct gpufe_device *gdev,
			     struct gpufe_config_reg *reg)
{
	struct gpufe_engine_layout layout;

	if (client->part) {
		mutex_lock(&gpufe_partitions_lock);
		*reg = client->part->emu;
		mutex_unlock(&gpufe_partitions_lock);
		return;
	}
	gpufe_device_layout(gdev, &layout);
	/* Cannot fail: a registered device has 1 to 64 engines. */
	WARN_ON(gpufe_config_reg_init(reg, &layout, gdev->id, 0,
				      GENMASK_ULL(gdev->num_engines - 1, 0),
				      0, 0, 0, 0));
}

/**
 * gpufe_reg_mmap - map a partition client's register page, read-only
 * @client: the client whose file is mapped
 * @vma: the mapping, at %GPUFE_CONFIG_REG_MMAP_OFFSET
 *
 * Return: 0; -EINVAL for an offset that is not the register page's;
 * -ENODEV for a client without partition; -EINVAL for a private mapping
 * or one of more than a page; -EACCES for a writable one.
 */
int gpufe_reg_mmap(struct gpufe_client *client, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff != GPUFE_CONFIG_REG_MMAP_OFFSET >> PAGE_SHIFT)
		return -EINVAL;
	if (!client->part)
		return -ENODEV;
	if (!(vma->vm_flags & VM_MAYSHARE) || vma_pages(vma) != 1)
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE)
		return -EACCES;

	gpufe_vm_flags_clear(vma, VM_MAYWRITE);
	gpufe_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	/* The mapping holds the page, not the partition. */
	return vm_insert_page(vma, vma->vm_start, client->part->reg_page);
}

static void gpufe_partition_info_fill(struct gpufe_partition_info *info,
				      const struct gpufe_partition *part,
				      bool dense)
{
	info->partition_id = part->id;
	info->device_id = part->reg.device_id;
	info->engine_mask = dense ? part->emu.engine_mask : part->reg.engine_mask;
	info->mem_quota = part->reg.mem_quota;
	info->mem_used = atomic64_read(&part->mem_used);
	info->weight = part->reg.weight;
	info->flags = part->reg.flags & GPUFE_CONFIG_REG_PERSISTENT;
	info->max_clients = part->reg.max_clients;
	info->num_clients = part->num_clients;
}

/**
 * gpufe_query_partitions - GPUFE_QUERY_PARTITIONS
 * @client: the caller
 * @q: the query, checked by the caller
 *
 * Return: 0, -ENOSPC, -EFAULT or -ENOMEM.
 */
int gpufe_query_partitions(struct gpufe_client *client, struct gpufe_query *q)
{
	/* Partitions are the administrator's business, as in sysfs. */
	bool all = !client->part && capable(CAP_SYS_ADMIN);
	struct gpufe_query_partitions *res;
	struct gpufe_partition *part;
	unsigned int n = 0;
	unsigned long id;
	size_t size;
	int ret;

	mutex_lock(&gpufe_partitions_lock);
	if (client->part) {
		n = 1;
	} else if (all) {
		xa_for_each(&gpufe_partitions, id, part)
			n++;
	}
	size = struct_size(res, partitions, n);
	ret = gpufe_query_size(q, size);
	if (ret) {
		mutex_unlock(&gpufe_partitions_lock);
		return ret < 0 ? ret : 0;
	}
	res = kzalloc(size, GFP_KERNEL);
	if (!res) {
		mutex_unlock(&gpufe_partitions_lock);
		return -ENOMEM;
	}
	res->num_partitions = n;
	res->entry_size = sizeof(res->partitions[0]);
	if (client->part) {
		gpufe_partition_info_fill(&res->partitions[0], client->part,
					  true);
	} else if (all) {
		n = 0;
		xa_for_each(&gpufe_partitions, id, part)
			gpufe_partition_info_fill(&res->partitions[n++], part,
						  false);
	}
	mutex_unlock(&gpufe_partitions_lock);

	ret = gpufe_query_copy_out(q, res, size);
	kfree(res);
	return ret;
}

/* An administrator: CAP_SYS_ADMIN in the initial user namespace. */
static bool gpufe_partition_admin(const struct gpufe_client *client)
{
	return !client->part && capable(CAP_SYS_ADMIN);
}

/*
 * Open a new client of @part and install a file descriptor of it, last,
 * so that nothing needs undoing after.
 */
static int gpufe_partition_client_fd(struct gpufe_partition *part, s32 *fdp)
{
	struct gpufe_client *client;
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	client = gpufe_client_create(part);
	if (IS_ERR(client)) {
		put_unused_fd(fd);
		return PTR_ERR(client);
	}
	file = gpufe_client_file(client);
	if (IS_ERR(file)) {
		gpufe_client_close(client);
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	*fdp = fd;
	return 0;
}

/**
 * gpufe_ioctl_partition_create - GPUFE_IOCTL_PARTITION_CREATE
 * @client: the caller
 * @data: a &struct gpufe_partition_create
 *
 * Return: 0, or the negative errno &struct gpufe_partition_create
 * documents.
 */
int gpufe_ioctl_partition_create(struct gpufe_client *client, void *data)
{
	struct gpufe_partition_create *args = data;
	bool persistent = args->flags & GPUFE_PARTITION_PERSISTENT;
	struct gpufe_partition_params p = {
		.device_id = args->device_id,
		.engine_mask = args->engine_mask,
		.mem_quota = args->mem_quota,
		.weight = args->weight,
		.max_clients = args->max_clients,
		.engine_timeout_ms = args->engine_timeout_ms,
		.persistent = persistent,
		.node_uid = GLOBAL_ROOT_UID,
		.node_gid = GLOBAL_ROOT_GID,
		.node_mode = args->node_mode,
	};
	struct gpufe_partition *part;
	int ret;

	if (args->flags & ~GPUFE_PARTITION_PERSISTENT ||
	    args->engine_timeout_ms > GPUFE_ENGINE_TIMEOUT_MAX_MS)
		return -EINVAL;
	if (!gpufe_partition_admin(client))
		return -EPERM;
	if (!persistent && (args->node_uid || args->node_gid ||
			    args->node_mode))
		return -EINVAL;
	if (args->node_mode & ~0777)
		return -EINVAL;
	if (persistent) {
		p.node_uid = make_kuid(current_user_ns(), args->node_uid);
		p.node_gid = make_kgid(current_user_ns(), args->node_gid);
		if (!uid_valid(p.node_uid) || !gid_valid(p.node_gid))
			return -EINVAL;
	}

	part = gpufe_partition_create(&p);
	if (IS_ERR(part))
		return PTR_ERR(part);
	ret = gpufe_partition_client_fd(part, &args->fd);
	if (ret)
		gpufe_partition_revoke(part);
	else
		args->partition_id = part->id;
	gpufe_partition_close(part);
	return ret;
}

/**
 * gpufe_ioctl_partition_open - GPUFE_IOCTL_PARTITION_OPEN
 * @client: the caller
 * @data: a &struct gpufe_partition_open
 *
 * Return: 0, or the negative errno &struct gpufe_partition_open documents.
 */
int gpufe_ioctl_partition_open(struct gpufe_client *client, void *data)
{
	struct gpufe_partition_open *args = data;
	struct gpufe_partition *part;
	int ret;

	if (args->flags || args->pad)
		return -EINVAL;
	if (client->part) {
		if (args->partition_id && args->partition_id != client->part->id)
			return -EPERM;
		return gpufe_partition_client_fd(client->part, &args->fd);
	}
	if (!args->partition_id)
		return -EINVAL;
	if (!gpufe_partition_admin(client))
		return -EPERM;
	part = gpufe_partition_lookup(args->partition_id);
	if (!part)
		return -ENOENT;
	ret = gpufe_partition_client_fd(part, &args->fd);
	gpufe_partition_put(part);
	/* It ended between the lookup and the open. */
	return ret == -ENODEV ? -ENOENT : ret;
}

/**
 * gpufe_ioctl_partition_revoke - GPUFE_IOCTL_PARTITION_REVOKE
 * @client: the caller
 * @data: a &struct gpufe_partition_revoke
 *
 * Return: 0, or the negative errno &struct gpufe_partition_revoke
 * documents.
 */
int gpufe_ioctl_partition_revoke(struct gpufe_client *client, void *data)
{
	struct gpufe_partition_revoke *args = data;
	struct gpufe_partition *part;

	if (args->flags)
		return -EINVAL;
	if (!gpufe_partition_admin(client))
		return -EPERM;
	part = gpufe_partition_lookup(args->partition_id);
	if (!part)
		return -ENOENT;
	gpufe_partition_revoke(part);
	gpufe_partition_put(part);
	return 0;
}

/**
 * gpufe_partition_node_open - open() of a persistent partition's node
 * @inode: the node; its minor names the partition
 * @file: the file, which becomes a client of the partition
 *
 * Return: 0; -EACCES for a file not opened for both reading and writing;
 * -ENODEV if the partition has ended (also for a stale copy of its node,
 * whose minor no later partition gets before the minors wrap); -EUSERS
 * if it has its maximum of clients; -ENOMEM.
 */
int gpufe_partition_node_open(struct inode *inode, struct file *file)
{
	struct gpufe_partition *part;
	struct gpufe_client *client;

	/* A client reads and writes: so must the opener be allowed to. */
	if ((file->f_mode & (FMODE_READ | FMODE_WRITE)) !=
	    (FMODE_READ | FMODE_WRITE))
		return -EACCES;
	part = gpufe_partition_find(&gpufe_part_minors, iminor(inode));
	if (!part)
		return -ENODEV;
	client = gpufe_client_create(part);
	gpufe_partition_put(part);
	if (IS_ERR(client))
		return PTR_ERR(client);
	file->private_data = client;
	return 0;
}

/**
 * gpufe_partitions_show - print the partitions for debugfs
 * @m: the seq_file
 */
void gpufe_partitions_show(struct seq_file *m)
{
	struct gpufe_partition *part;
	unsigned long id;

	mutex_lock(&gpufe_partitions_lock);
	xa_for_each(&gpufe_partitions, id, part)
		seq_printf(m, "%u device=%u mask=0x%llx users=%u clients=%u mem=%lld\n",
			   part->id, part->reg.device_id,
			   (unsigned long long)part->reg.engine_mask,
			   part->users, part->num_clients,
			   (long long)atomic64_read(&part->mem_used));
	mutex_unlock(&gpufe_partitions_lock);
}

/**
 * gpufe_partitions_init - the gpufe class and the partitions' node region
 *
 * Return: 0 or a negative errno.
 */
int gpufe_partitions_init(void)
{
	int ret;

	ret = class_register(&gpufe_class);
	if (ret)
		return ret;
	ret = alloc_chrdev_region(&gpufe_part_devt, 0, GPUFE_PART_MINORS,
				  "gpufe-part");
	if (ret)
		goto err_class;
	cdev_init(&gpufe_part_cdev, &gpufe_part_node_fops);
	gpufe_part_cdev.owner = THIS_MODULE;
	ret = cdev_add(&gpufe_part_cdev, gpufe_part_devt, GPUFE_PART_MINORS);
	if (ret)
		goto err_region;
	return 0;

err_region:
	unregister_chrdev_region(gpufe_part_devt, GPUFE_PART_MINORS);
err_class:
	class_unregister(&gpufe_class);
	return ret;
}

/**
 * gpufe_partitions_fini - at module exit, when every device is gone
 */
void gpufe_partitions_fini(void)
{
	/* Every device's partitions ended when it was unregistered. */
	WARN_ON(!xa_empty(&gpufe_partitions));
	cdev_del(&gpufe_part_cdev);
	unregister_chrdev_region(gpufe_part_devt, GPUFE_PART_MINORS);
	class_unregister(&gpufe_class);
}
