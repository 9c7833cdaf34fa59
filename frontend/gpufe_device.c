// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: device registry
 *
 * Every GPU a back-end registers becomes a &struct gpufe_device in one
 * registry, an allocating xarray that maps the device id user space sees
 * to the device. Ids start at 1 and are handed out cyclically, so a device
 * that goes away and comes back gets a new id and a stale id held by a
 * client never names the newcomer.
 *
 * Lifetime: the back-end holds one reference on each device from
 * registration until its gpufe_device_release(), which comes after
 * unregistration, once it has completed every job it held and raised its
 * last interrupt; a lookup by id and every context take another for as
 * long as they use the device. Hot-unplug works like drm_dev_unplug():
 * gpufe_device_unregister() removes the device from the registry, marks it
 * unplugged and waits in synchronize_srcu() for every caller that is inside
 * gpufe_device_enter()/gpufe_device_exit(). Every front-end path that calls
 * into the back-end or touches its private data runs inside that pair, so
 * once unregister returns the back-end is never called again for the
 * device.
 *
 * Locking: gpufe_registry_lock serialises registration, unregistration and
 * snapshots of the whole registry; a lookup by id needs only the xarray's
 * own lock.
 *
 * DMA: for a device with a DMA device, the front-end maps the completion
 * pages of its contexts and, with &gpufe_device_desc.map_bos, the buffers
 * its jobs use (gpufe_bo_dma_map()). Both kinds of mapping end, at the
 * latest, in gpufe_device_release(), under the device's dma_lock, before
 * the back-end may let its DMA device go; none is made afterwards.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/srcu.h>
#include <linux/string.h>

#include "gpufe_drv.h"

/* protects gpufe_devices (changes and snapshots) and gpufe_num_devices */
DEFINE_MUTEX(gpufe_registry_lock);
static DEFINE_XARRAY_ALLOC1(gpufe_devices);
static u32 gpufe_next_device_id;
static unsigned int gpufe_num_devices;
DEFINE_STATIC_SRCU(gpufe_unplug_srcu);

/* Devices allocated and not yet freed, registered or not: a leak shows. */
static atomic_long_t gpufe_device_objs = ATOMIC_LONG_INIT(0);

static bool gpufe_name_valid(const char *name, size_t size)
{
	return name && name[0] && strnlen(name, size) < size;
}

static int gpufe_device_desc_check(const struct gpufe_device_desc *desc,
				   const struct gpufe_backend_ops *ops)
{
	unsigned int i, j;

	if (!ops || !ops->owner || !gpufe_name_valid(ops->name, GPUFE_NAME_LEN))
		return -EINVAL;
	if (!desc || !gpufe_name_valid(desc->name, GPUFE_NAME_LEN))
		return -EINVAL;
	if (!desc->engines || !desc->num_engines ||
	    desc->num_engines > GPUFE_MAX_ENGINES)
		return -EINVAL;
	if (desc->credits > GPUFE_MAX_CREDITS)
		return -EINVAL;
	if (desc->map_bos && !desc->dma_dev)
		return -EINVAL;

	for (i = 0; i < desc->num_engines; i++) {
		const struct gpufe_engine_desc *e = &desc->engines[i];

		if (e->engine_class >= GPUFE_NUM_ENGINE_CLASSES ||
		    !gpufe_name_valid(e->name, GPUFE_ENGINE_NAME_LEN))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (desc->engines[j].engine_class == e->engine_class &&
			    desc->engines[j].instance == e->instance)
				return -EINVAL;
	}
	return 0;
}

static int gpufe_engine_cmp(const void *a, const void *b)
{
	const struct gpufe_engine *ea = a, *eb = b;

	if (ea->engine_class != eb->engine_class)
		return ea->engine_class < eb->engine_class ? -1 : 1;
	return ea->hw_instance < eb->hw_instance ? -1 : 1;
}

static void gpufe_device_free(struct kref *ref)
{
	struct gpufe_device *gdev = container_of(ref, struct gpufe_device, ref);

	gpufe_sched_fini(gdev);
	gpufe_route_fini(gdev);
	WARN_ON(!list_empty(&gdev->bo_maps));
	WARN_ON(!xa_empty(&gdev->dma_maps));
	xa_destroy(&gdev->dma_maps);
	mutex_destroy(&gdev->dma_lock);
	put_device(gdev->dma_dev);
	kfree(gdev);
	atomic_long_dec(&gpufe_device_objs);
}

/**
 * gpufe_device_put - drop a reference on a device
 * @gdev: the device, may be NULL
 *
 * May sleep.
 */
void gpufe_device_put(struct gpufe_device *gdev)
{
	might_sleep();
	if (gdev)
		kref_put(&gdev->ref, gpufe_device_free);
}

/**
 * struct gpufe_page_map - a completion page mapped for a device's DMA
 * @addr: its DMA address
 * @users: contexts on the device with a slot on the page
 */
struct gpufe_page_map {
	dma_addr_t addr;
	unsigned int users;
};

/**
 * gpufe_device_map_page - map a completion page for a device's DMA
 * @gdev: a device with a &gpufe_device_desc.dma_dev
 * @page: the page
 *
 * A page is mapped once per device, however many of its slots the
 * device's contexts use; undone by gpufe_device_unmap_page() for each
 * successful call, or all at once by gpufe_device_release().
 *
 * Return: the page's DMA address, or 0 when the device cannot write the
 * page without cache maintenance or bounce buffers (dma_need_sync()),
 * has been released, or the mapping failed: then the back-end writes
 * the slots with the CPU.
 */
dma_addr_t gpufe_device_map_page(struct gpufe_device *gdev, struct page *page)
{
	unsigned long pfn = page_to_pfn(page);
	struct gpufe_page_map *map;
	dma_addr_t addr = 0;

	mutex_lock(&gdev->dma_lock);
	if (gdev->dma_released)
		goto out_unlock;
	map = xa_load(&gdev->dma_maps, pfn);
	if (map) {
		map->users++;
		addr = map->addr;
		goto out_unlock;
	}

	/*
	 * Kept only where no sync is ever needed (below): skipping the syncs
	 * also lets two devices map one page without DMA-API debug taking
	 * it for overlapping streaming DMA.
	 */
	addr = dma_map_page_attrs(gdev->dma_dev, page, 0, PAGE_SIZE,
				  DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
	if (dma_mapping_error(gdev->dma_dev, addr)) {
		addr = 0;
		goto out_unlock;
	}
	/* Shared memory both sides see at once, or none at all. */
	if (!addr || dma_need_sync(gdev->dma_dev, addr))
		goto err_unmap;
	map = kmalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map)
		goto err_unmap;
	map->addr = addr;
	map->users = 1;
	if (xa_err(xa_store(&gdev->dma_maps, pfn, map, GFP_KERNEL_ACCOUNT))) {
		kfree(map);
		goto err_unmap;
	}
	goto out_unlock;

err_unmap:
	dma_unmap_page_attrs(gdev->dma_dev, addr, PAGE_SIZE, DMA_BIDIRECTIONAL,
			     DMA_ATTR_SKIP_CPU_SYNC);
	addr = 0;
out_unlock:
	mutex_unlock(&gdev->dma_lock);
	return addr;
}

/**
 * gpufe_device_unmap_page - undo one gpufe_device_map_page()
 * @gdev: the device
 * @page: the page
 */
void gpufe_device_unmap_page(struct gpufe_device *gdev, struct page *page)
{
	unsigned long pfn = page_to_pfn(page);
	struct gpufe_page_map *map;

	mutex_lock(&gdev->dma_lock);
	/* After gpufe_device_release() nothing is mapped any more. */
	map = xa_load(&gdev->dma_maps, pfn);
	if (map && !--map->users) {
		xa_erase(&gdev->dma_maps, pfn);
		dma_unmap_page_attrs(gdev->dma_dev, map->addr, PAGE_SIZE,
				     DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
		kfree(map);
	}
	mutex_unlock(&gdev->dma_lock);
}

/**
 * gpufe_device_release - the back-end is done with a device
 * @gdev: the device, unregistered
 *
 * The back-end calls this once gpufe_device_unregister() has returned,
 * every job it held is completed and it raises no more interrupts (its
 * handler has finished). The front-end unmaps the completion pages and
 * the buffers still mapped for jobs whose resources are not dropped yet
 * (gpufe_bo_dma_map()) from the device's DMA device, while that
 * still exists, and drops the reference gpufe_device_register() gave the
 * back-end, which must not use @gdev afterwards. May sleep.
 */
void gpufe_device_release(struct gpufe_device *gdev)
{
	struct gpufe_bo_dma *bmap, *next;
	struct gpufe_page_map *map;
	unsigned long pfn;

	mutex_lock(&gdev->dma_lock);
	gdev->dma_released = true;
	/* Unmapped; freed by the last job using each (gpufe_bo_dma_unmap()). */
	list_for_each_entry_safe(bmap, next, &gdev->bo_maps, dev_link)
		gpufe_bo_dma_unmap_locked(bmap);
	xa_for_each(&gdev->dma_maps, pfn, map) {
		xa_erase(&gdev->dma_maps, pfn);
		dma_unmap_page_attrs(gdev->dma_dev, map->addr, PAGE_SIZE,
				     DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
		kfree(map);
	}
	mutex_unlock(&gdev->dma_lock);
	gpufe_device_put(gdev);
}
EXPORT_SYMBOL_GPL(gpufe_device_release);

static struct gpufe_device *
gpufe_device_alloc(const struct gpufe_device_desc *desc,
		   const struct gpufe_backend_ops *ops, void *priv)
{
	unsigned int dense[GPUFE_NUM_ENGINE_CLASSES] = {};
	struct gpufe_device *gdev;
	unsigned int i;

	gdev = kzalloc(struct_size(gdev, engines, desc->num_engines),
		       GFP_KERNEL);
	if (!gdev)
		return NULL;
	atomic_long_inc(&gpufe_device_objs);

	kref_init(&gdev->ref);
	gdev->ops = ops;
	gdev->priv = priv;
	strscpy(gdev->name, desc->name, sizeof(gdev->name));
	strscpy(gdev->backend, ops->name, sizeof(gdev->backend));
	gdev->mem_size = desc->mem_size;
	gdev->dma_dev = get_device(desc->dma_dev);
	mutex_init(&gdev->dma_lock);
	xa_init(&gdev->dma_maps);
	gdev->map_bos = desc->map_bos;
	INIT_LIST_HEAD(&gdev->bo_maps);
	gpufe_route_init(gdev);
	gdev->num_engines = desc->num_engines;

	for (i = 0; i < desc->num_engines; i++) {
		struct gpufe_engine *e = &gdev->engines[i];

		e->engine_class = desc->engines[i].engine_class;
		e->hw_instance = desc->engines[i].instance;
		e->hw_index = i;
		strscpy(e->hw_name, desc->engines[i].name, sizeof(e->hw_name));
	}
	sort(gdev->engines, gdev->num_engines, sizeof(gdev->engines[0]),
	     gpufe_engine_cmp, NULL);
	for (i = 0; i < gdev->num_engines; i++)
		gdev->engines[i].instance = dense[gdev->engines[i].engine_class]++;

	if (gpufe_sched_init(gdev, desc->credits)) {
		gpufe_device_put(gdev);
		return NULL;
	}
	return gdev;
}

static bool gpufe_device_name_taken_locked(const char *name)
{
	struct gpufe_device *gdev;
	unsigned long id;

	lockdep_assert_held(&gpufe_registry_lock);

	xa_for_each(&gpufe_devices, id, gdev)
		if (!strcmp(gdev->name, name))
			return true;
	return false;
}

/**
 * gpufe_device_register - make a GPU available to clients
 * @desc: what the GPU is; copied, need not outlive the call
 * @ops: the back-end's entry points; must outlive the registration
 * @priv: the back-end's private data for this GPU
 *
 * The back-end owns a reference on the device from here until its
 * gpufe_device_release().
 *
 * Return: the front-end's device, or an ERR_PTR(): -EINVAL for a bad
 * description (also &gpufe_device_desc.map_bos without a DMA device),
 * -EEXIST when a device of that name exists, -ENOSPC when
 * %GPUFE_MAX_DEVICES devices are registered, -ENOMEM.
 */
struct gpufe_device *gpufe_device_register(const struct gpufe_device_desc *desc,
					   const struct gpufe_backend_ops *ops,
					   void *priv)
{
	struct gpufe_device *gdev;
	int ret;

	ret = gpufe_device_desc_check(desc, ops);
	if (ret)
		return ERR_PTR(ret);

	gdev = gpufe_device_alloc(desc, ops, priv);
	if (!gdev)
		return ERR_PTR(-ENOMEM);

	mutex_lock(&gpufe_registry_lock);
	if (gpufe_device_name_taken_locked(gdev->name)) {
		ret = -EEXIST;
	} else if (gpufe_num_devices >= GPUFE_MAX_DEVICES) {
		ret = -ENOSPC;
	} else {
		ret = xa_alloc_cyclic(&gpufe_devices, &gdev->id, gdev,
				      xa_limit_31b, &gpufe_next_device_id,
				      GFP_KERNEL);
		if (ret >= 0)
			gpufe_num_devices++;
	}
	mutex_unlock(&gpufe_registry_lock);

	if (ret < 0) {
		gpufe_device_put(gdev);
		return ERR_PTR(ret);
	}

	gpufe_sched_register(gdev);
	pr_info("device %u: %s (%s), %u engines\n",
		gdev->id, gdev->name, gdev->backend, gdev->num_engines);
	return gdev;
}
EXPORT_SYMBOL_GPL(gpufe_device_register);

/**
 * gpufe_device_unregister - take a GPU away from clients
 * @gdev: the device gpufe_device_register() returned
 *
 * May sleep. Returns once no front-end call into the back-end for @gdev is
 * running; none starts afterwards. Clients that still name the device get
 * -ENODEV from then on. The back-end's reference stays: it completes the
 * jobs it holds (gpufe_job_complete() and gpufe_device_irq() still work),
 * then drops it with gpufe_device_release().
 */
void gpufe_device_unregister(struct gpufe_device *gdev)
{
	mutex_lock(&gpufe_registry_lock);
	xa_erase(&gpufe_devices, gdev->id);
	gpufe_num_devices--;
	mutex_unlock(&gpufe_registry_lock);

	WRITE_ONCE(gdev->unplugged, true);
	synchronize_srcu(&gpufe_unplug_srcu);
	/* Queued jobs fail; the back-end ends those it holds. */
	gpufe_sched_device_gone(gdev);
	/* A partition of a device that is gone has nothing left to give. */
	gpufe_partitions_device_gone(gdev);

	pr_info("device %u: %s unregistered\n", gdev->id, gdev->name);
}
EXPORT_SYMBOL_GPL(gpufe_device_unregister);

/**
 * gpufe_device_priv - the back-end's private data of a device
 * @gdev: the device
 *
 * Return: the @priv given to gpufe_device_register().
 */
void *gpufe_device_priv(const struct gpufe_device *gdev)
{
	return gdev->priv;
}
EXPORT_SYMBOL_GPL(gpufe_device_priv);

/**
 * gpufe_device_id - the id user space knows a device by
 * @gdev: the device
 *
 * Return: the device id, never 0.
 */
u32 gpufe_device_id(const struct gpufe_device *gdev)
{
	return gdev->id;
}
EXPORT_SYMBOL_GPL(gpufe_device_id);

/**
 * gpufe_device_layout - a device's engines per class
 * @gdev: the device
 * @layout: filled with how many engines of each class it has
 */
void gpufe_device_layout(const struct gpufe_device *gdev,
			 struct gpufe_engine_layout *layout)
{
	unsigned int i;

	memset(layout, 0, sizeof(*layout));
	for (i = 0; i < gdev->num_engines; i++)
		layout->count[gdev->engines[i].engine_class]++;
}

/**
 * gpufe_device_lookup - find a registered device by id
 * @id: the device id
 *
 * Return: the device with a reference the caller drops with
 * gpufe_device_put(), or NULL if no registered device has that id.
 */
struct gpufe_device *gpufe_device_lookup(u32 id)
{
	struct gpufe_device *gdev;

	xa_lock(&gpufe_devices);
	gdev = xa_load(&gpufe_devices, id);
	if (gdev)
		kref_get(&gdev->ref);
	xa_unlock(&gpufe_devices);

	return gdev;
}

/**
 * gpufe_device_get - take another reference on a device
 * @gdev: the device
 *
 * Return: @gdev.
 */
struct gpufe_device *gpufe_device_get(struct gpufe_device *gdev)
{
	kref_get(&gdev->ref);
	return gdev;
}

/**
 * gpufe_device_enter - begin a section that may use the back-end
 *
 * Inside the section, a device that gpufe_device_unplugged() says is still
 * plugged stays usable: gpufe_device_unregister() waits for the section to
 * end before it returns to the back-end.
 *
 * Return: the SRCU index to hand to gpufe_device_exit().
 */
int gpufe_device_enter(void)
	__acquires(&gpufe_unplug_srcu)
{
	return srcu_read_lock(&gpufe_unplug_srcu);
}

/**
 * gpufe_device_exit - end a section begun by gpufe_device_enter()
 * @idx: the index gpufe_device_enter() returned
 */
void gpufe_device_exit(int idx)
	__releases(&gpufe_unplug_srcu)
{
	srcu_read_unlock(&gpufe_unplug_srcu, idx);
}

/**
 * gpufe_device_unplugged - whether a device's back-end has gone
 * @gdev: the device
 *
 * Return: true once gpufe_device_unregister() has begun. Call between
 * gpufe_device_enter() and gpufe_device_exit(); a device found plugged
 * there stays plugged until gpufe_device_exit().
 */
bool gpufe_device_unplugged(const struct gpufe_device *gdev)
{
	return READ_ONCE(gdev->unplugged);
}

/**
 * gpufe_device_count_locked - the number of registered devices
 *
 * Return: the number of registered devices.
 */
unsigned int gpufe_device_count_locked(void)
{
	lockdep_assert_held(&gpufe_registry_lock);
	return gpufe_num_devices;
}

/**
 * gpufe_device_next_locked - iterate over registered devices by id
 * @index: in: the smallest id to return; out: one past the id returned
 *
 * Return: the registered device with the smallest id at or above @index,
 * or NULL when there is none. Valid while gpufe_registry_lock is held.
 */
struct gpufe_device *gpufe_device_next_locked(unsigned long *index)
{
	struct gpufe_device *gdev;

	lockdep_assert_held(&gpufe_registry_lock);

	gdev = xa_find(&gpufe_devices, index, ULONG_MAX, XA_PRESENT);
	if (gdev)
		(*index)++;
	return gdev;
}

/**
 * gpufe_device_objects - devices allocated and not yet freed
 *
 * Return: the number of &struct gpufe_device objects alive, registered or
 * not; debugfs shows it so tests can see a leak.
 */
long gpufe_device_objects(void)
{
	return atomic_long_read(&gpufe_device_objs);
}

/**
 * gpufe_devices_show - print the registry for debugfs
 * @m: the seq_file
 */
void gpufe_devices_show(struct seq_file *m)
{
	struct gpufe_device *gdev;
	unsigned long id;
	unsigned int i;

	mutex_lock(&gpufe_registry_lock);
	xa_for_each(&gpufe_devices, id, gdev) {
		seq_printf(m, "%u %s backend=%s refs=%u engines=",
			   gdev->id, gdev->name, gdev->backend,
			   kref_read(&gdev->ref));
		for (i = 0; i < gdev->num_engines; i++)
			seq_printf(m, "%s%s", i ? "," : "",
				   gdev->engines[i].hw_name);
		seq_putc(m, '\n');
	}
	mutex_unlock(&gpufe_registry_lock);
}

/**
 * gpufe_devices_fini - tear the registry down at module exit
 *
 * Every back-end depends on the front-end's symbols, so all of them have
 * unloaded, and unregistered their devices, before this runs.
 */
void gpufe_devices_fini(void)
{
	WARN_ON(!xa_empty(&gpufe_devices));
	xa_destroy(&gpufe_devices);
}
