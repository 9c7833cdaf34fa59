// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: buffer objects
 *
 * A buffer gpufe creates is a shmem file whose pages are pinned and mapped
 * into the kernel (vmap) for as long as the buffer lives, so that a
 * back-end can reach them from any context and a CPU mapping in user space
 * sees the same pages. It is charged to the client that created it, against
 * ``client_mem_mib``, and to that client's user, against ``user_mem_mib``,
 * until it is freed; its pages are shmem pages, charged to the memory
 * cgroup of the process that created it, and so are the front-end's
 * structures for it.
 *
 * A buffer imported from another driver's dma-buf is mapped into the
 * kernel and in CPU access (dma_buf_begin_cpu_access()) for as long as
 * gpufe holds it; the mapping is charged to the importing client and its
 * user as a buffer it created would be. gpufe attaches to it for as long,
 * which pins it: a dynamic exporter (one with a pin operation) through a
 * dynamic attachment and dma_buf_pin(), any other through a static
 * attachment, whose attach operation pins (drm_gem_map_attach(), for
 * the GEM drivers whose vmap does not). Neither kind of attachment makes
 * the dma-buf core map the buffer for gpufe's device: gpufe reaches it
 * only through the kernel mapping. The CPU-access bracket cannot be per job: the
 * bracket's start waits for every fence in the dma-buf, the job's own
 * among them. Before gpufe lets go of the dma-buf, its own signalled
 * fences in the reservation object are replaced by a signalled stub, so
 * that they do not keep gpufe.ko loaded.
 *
 * User space maps a buffer with mmap() on /dev/gpufe at the offset
 * BO_CREATE or BO_IMPORT returned, or at a page offset into it: each handle
 * owns a window of %GPUFE_BO_MMAP_STRIDE bytes of the file's offset space,
 * so the ranges of different buffers never overlap (as with DRM's fake
 * offsets), and no buffer is larger than a window. A mapping holds a
 * reference on the buffer, as a GEM mapping does, so it outlives the
 * handle and the memory stays charged to its client until the last
 * mapping goes; its pages, pinned already, are inserted on fault. A buffer
 * imported from another driver is mapped through its dma-buf.
 *
 * Each handle holds a reference on its buffer; so do jobs using it and the
 * dma-buf it was exported as. The buffer counts its handles over every
 * client (@handle_count) because the exported dma-buf is cached on the
 * buffer only while some handle names it, as DRM does with GEM handles:
 * the dma-buf holds the buffer, so a cache held beyond the last handle
 * would keep both alive forever.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "gpufe_compat.h"
#include "gpufe_drv.h"

/* Each handle's window of mmap offsets; handles are 31 bits wide. */
#define GPUFE_BO_MMAP_SHIFT	32
#define GPUFE_BO_MMAP_STRIDE	BIT_ULL(GPUFE_BO_MMAP_SHIFT)
#define GPUFE_BO_MMAP_PGSHIFT	(GPUFE_BO_MMAP_SHIFT - PAGE_SHIFT)

/**
 * gpufe_bo_mmap_offset - the mmap offset of a handle
 * @handle: the handle
 *
 * Return: the offset user space passes to mmap() for the buffer's start.
 */
u64 gpufe_bo_mmap_offset(u32 handle)
{
	return (u64)handle << GPUFE_BO_MMAP_SHIFT;
}

/* Buffer objects alive, for debugfs. */
static atomic_long_t gpufe_bo_objs = ATOMIC_LONG_INIT(0);

/**
 * gpufe_bo_objects - the number of buffer objects alive
 *
 * Return: how many buffers are allocated.
 */
long gpufe_bo_objects(void)
{
	return atomic_long_read(&gpufe_bo_objs);
}

/* Let go of another driver's dma-buf; undoes gpufe_bo_import_map(). */
static void gpufe_bo_import_unmap(struct gpufe_bo *bo)
{
	struct dma_buf *dmabuf = bo->import;

	gpufe_resv_scrub(dmabuf->resv);
	dma_buf_end_cpu_access(dmabuf, bo->import_dir);
	gpufe_dma_buf_vunmap_unpin(dmabuf,
				   dma_buf_is_dynamic(dmabuf) ?
				   bo->import_attach : NULL,
				   &bo->import_map);
	dma_buf_detach(dmabuf, bo->import_attach);
}

/**
 * gpufe_bo_dma_unmap_locked - unmap a buffer from a device's DMA
 * @map: the mapping, not yet unmapped
 *
 * Under the device's dma_lock: from the last job's gpufe_bo_dma_unmap(),
 * or from gpufe_device_release(), whichever comes first.
 */
void gpufe_bo_dma_unmap_locked(struct gpufe_bo_dma *map)
{
	struct gpufe_device *gdev = map->gdev;

	lockdep_assert_held(&gdev->dma_lock);
	dma_unmap_sgtable(gdev->dma_dev, &map->sgt, DMA_BIDIRECTIONAL,
			  DMA_ATTR_SKIP_CPU_SYNC);
	list_del_init(&map->dev_link);
}

/**
 * gpufe_bo_dma_map - map a buffer for a device's DMA, for one job
 * @bo: a buffer gpufe created (not an import)
 * @gdev: a device with a DMA device, between gpufe_device_enter() and
 *	gpufe_device_exit()
 *
 * The first job in flight on the device that names the buffer maps its
 * pages for the device's DMA device, %DMA_BIDIRECTIONAL with
 * %DMA_ATTR_SKIP_CPU_SYNC (a buffer's jobs read and write it in any order,
 * so the back-end syncs around its device's accesses); the jobs after it
 * share that mapping, one per buffer and device as the DMA API wants for
 * memory a device writes, until the last of them calls
 * gpufe_bo_dma_unmap(), or the back-end releases the device first. May
 * sleep.
 *
 * Return: the mapping, or an ERR_PTR(): -EOPNOTSUPP for an imported
 * buffer (gpufe has no pages of its own to map), -ENODEV when the device
 * has been released, -ENOMEM when memory ran out or the DMA API could not
 * map the pages.
 */
struct sg_table *gpufe_bo_dma_map(struct gpufe_bo *bo,
				  struct gpufe_device *gdev)
{
	struct device *dev = gdev->dma_dev;
	struct gpufe_bo_dma *map;
	unsigned int max_segment;
	int ret;

	if (!bo->pages)
		return ERR_PTR(-EOPNOTSUPP);

	mutex_lock(&bo->lock);
	list_for_each_entry(map, &bo->dma_maps, bo_link) {
		if (map->gdev != gdev)
			continue;
		/*
		 * Unmapped by gpufe_device_release(): no new user. (SUBMIT's
		 * device section rules that out; the API does not rely on it.)
		 */
		mutex_lock(&gdev->dma_lock);
		ret = list_empty(&map->dev_link) ? -ENODEV : 0;
		mutex_unlock(&gdev->dma_lock);
		if (ret) {
			map = ERR_PTR(ret);
			goto out_unlock;
		}
		map->users++;
		goto out_unlock;
	}

	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map) {
		map = ERR_PTR(-ENOMEM);
		goto out_unlock;
	}
	/* Segments the device and any bounce buffer can take. */
	max_segment = min_t(size_t, dma_get_max_seg_size(dev),
			    dma_max_mapping_size(dev));
	ret = sg_alloc_table_from_pages_segment(&map->sgt, bo->pages,
						bo->size >> PAGE_SHIFT, 0,
						bo->size, max_segment,
						GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err_free;

	mutex_lock(&gdev->dma_lock);
	ret = -ENODEV;
	if (gdev->dma_released)
		goto err_unlock_dev;
	ret = dma_map_sgtable(dev, &map->sgt, DMA_BIDIRECTIONAL,
			      DMA_ATTR_SKIP_CPU_SYNC);
	if (ret) {
		ret = -ENOMEM;
		goto err_unlock_dev;
	}
	map->gdev = gpufe_device_get(gdev);
	map->users = 1;
	list_add_tail(&map->dev_link, &gdev->bo_maps);
	mutex_unlock(&gdev->dma_lock);
	list_add_tail(&map->bo_link, &bo->dma_maps);
	goto out_unlock;

err_unlock_dev:
	mutex_unlock(&gdev->dma_lock);
	sg_free_table(&map->sgt);
err_free:
	kfree(map);
	map = ERR_PTR(ret);
out_unlock:
	mutex_unlock(&bo->lock);
	return IS_ERR(map) ? ERR_CAST(map) : &map->sgt;
}

/**
 * gpufe_bo_dma_unmap - a job is done with a buffer's mapping
 * @bo: the buffer
 * @sgt: what gpufe_bo_dma_map() returned for the job
 *
 * The last job using the mapping unmaps it, unless gpufe_device_release()
 * did already, and frees it. May sleep.
 */
void gpufe_bo_dma_unmap(struct gpufe_bo *bo, struct sg_table *sgt)
{
	struct gpufe_bo_dma *map = container_of(sgt, struct gpufe_bo_dma, sgt);
	struct gpufe_device *gdev = map->gdev;
	bool last;

	mutex_lock(&bo->lock);
	last = !--map->users;
	if (last) {
		list_del(&map->bo_link);
		mutex_lock(&gdev->dma_lock);
		if (!list_empty(&map->dev_link))
			gpufe_bo_dma_unmap_locked(map);
		mutex_unlock(&gdev->dma_lock);
	}
	mutex_unlock(&bo->lock);
	if (last) {
		sg_free_table(&map->sgt);
		gpufe_device_put(gdev);
		kfree(map);
	}
}

static void gpufe_bo_release(struct kref *ref)
{
	struct gpufe_bo *bo = container_of(ref, struct gpufe_bo, ref);
	pgoff_t i, n = bo->size >> PAGE_SHIFT;

	/* Each job using a mapping holds the buffer. */
	WARN_ON(!list_empty(&bo->dma_maps));
	if (bo->import) {
		gpufe_bo_import_unmap(bo);
		dma_buf_put(bo->import);
	} else {
		vunmap(bo->vaddr);
		for (i = 0; i < n; i++)
			put_page(bo->pages[i]);
		kvfree(bo->pages);
		mapping_clear_unevictable(bo->shmem->f_mapping);
		fput(bo->shmem);
		dma_resv_fini(&bo->own_resv);
	}
	if (bo->owner) {
		gpufe_client_uncharge(bo->owner, bo->size);
		gpufe_client_put(bo->owner);
	}
	mutex_destroy(&bo->lock);
	kfree(bo);
	atomic_long_dec(&gpufe_bo_objs);
}

/**
 * gpufe_bo_get - take a reference on a buffer
 * @bo: the buffer
 *
 * Return: @bo.
 */
struct gpufe_bo *gpufe_bo_get(struct gpufe_bo *bo)
{
	kref_get(&bo->ref);
	return bo;
}

/**
 * gpufe_bo_put - drop a reference on a buffer
 * @bo: the buffer, may be NULL
 *
 * May sleep: the last reference unmaps and frees the pages.
 */
void gpufe_bo_put(struct gpufe_bo *bo)
{
	if (bo)
		kref_put(&bo->ref, gpufe_bo_release);
}

/*
 * A new buffer of @size bytes, charged to @client (which it holds); undone
 * by gpufe_bo_free() until its kref is in use.
 */
static struct gpufe_bo *gpufe_bo_alloc(struct gpufe_client *client, u64 size)
{
	struct gpufe_bo *bo;
	int ret;

	ret = gpufe_client_charge(client, size);
	if (ret)
		return ERR_PTR(ret);
	bo = kzalloc(sizeof(*bo), GFP_KERNEL_ACCOUNT);
	if (!bo) {
		gpufe_client_uncharge(client, size);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&bo->ref);
	mutex_init(&bo->lock);
	INIT_LIST_HEAD(&bo->dma_maps);
	bo->size = size;
	bo->owner = gpufe_client_get(client);
	atomic_long_inc(&gpufe_bo_objs);
	return bo;
}

static void gpufe_bo_free(struct gpufe_bo *bo)
{
	gpufe_client_uncharge(bo->owner, bo->size);
	gpufe_client_put(bo->owner);
	mutex_destroy(&bo->lock);
	kfree(bo);
	atomic_long_dec(&gpufe_bo_objs);
}

static int gpufe_bo_pin_pages(struct gpufe_bo *bo)
{
	struct address_space *mapping = bo->shmem->f_mapping;
	pgoff_t i, n = bo->size >> PAGE_SHIFT;

	bo->pages = kvcalloc(n, sizeof(*bo->pages), GFP_KERNEL_ACCOUNT);
	if (!bo->pages)
		return -ENOMEM;

	mapping_set_unevictable(mapping);
	for (i = 0; i < n; i++) {
		struct page *page = shmem_read_mapping_page(mapping, i);

		if (IS_ERR(page))
			goto err_put_pages;
		bo->pages[i] = page;
	}

	bo->vaddr = vmap(bo->pages, n, VM_MAP, PAGE_KERNEL);
	if (!bo->vaddr)
		goto err_put_pages;
	return 0;

err_put_pages:
	while (i--)
		put_page(bo->pages[i]);
	mapping_clear_unevictable(mapping);
	kvfree(bo->pages);
	bo->pages = NULL;
	return -ENOMEM;
}

static struct gpufe_bo *gpufe_bo_create(struct gpufe_client *client, u64 size)
{
	struct gpufe_bo *bo;
	int ret;

	bo = gpufe_bo_alloc(client, size);
	if (IS_ERR(bo))
		return bo;
	dma_resv_init(&bo->own_resv);
	bo->resv = &bo->own_resv;

	bo->shmem = shmem_file_setup("gpufe-bo", size, VM_NORESERVE);
	if (IS_ERR(bo->shmem)) {
		ret = PTR_ERR(bo->shmem);
		goto err_free;
	}

	ret = gpufe_bo_pin_pages(bo);
	if (ret)
		goto err_fput;
	return bo;

err_fput:
	fput(bo->shmem);
err_free:
	dma_resv_fini(&bo->own_resv);
	gpufe_bo_free(bo);
	return ERR_PTR(ret);
}

/* Pinned for as long as gpufe holds it: the exporter never moves it. */
static void gpufe_bo_move_notify(struct dma_buf_attachment *attach)
{
}

static const struct dma_buf_attach_ops gpufe_bo_attach_ops = {
	.move_notify = gpufe_bo_move_notify,
};

/*
 * Attach to another driver's dma-buf, which pins it, map it into the
 * kernel and begin CPU access; undone by gpufe_bo_import_unmap().
 */
static int gpufe_bo_import_map(struct gpufe_bo *bo, struct dma_buf *dmabuf)
{
	bool dynamic = dma_buf_is_dynamic(dmabuf);
	int ret;

	/* Same dynamism on both sides: the core maps nothing at attach. */
	if (dynamic)
		bo->import_attach = dma_buf_dynamic_attach(dmabuf,
							   gpufe_misc_device(),
							   &gpufe_bo_attach_ops,
							   bo);
	else
		bo->import_attach = dma_buf_attach(dmabuf,
						   gpufe_misc_device());
	if (IS_ERR(bo->import_attach))
		return PTR_ERR(bo->import_attach);

	ret = gpufe_dma_buf_pin_vmap(dmabuf,
				     dynamic ? bo->import_attach : NULL,
				     &bo->import_map);
	if (ret)
		goto err_detach;
	if (bo->import_map.is_iomem) {
		ret = -EOPNOTSUPP;
		goto err_unmap;
	}
	/* The caller waited for the fences already in the dma-buf. */
	ret = dma_buf_begin_cpu_access(dmabuf, bo->import_dir);
	if (ret)
		goto err_unmap;
	return 0;

err_unmap:
	gpufe_dma_buf_vunmap_unpin(dmabuf,
				   dynamic ? bo->import_attach : NULL,
				   &bo->import_map);
err_detach:
	dma_buf_detach(dmabuf, bo->import_attach);
	return ret;
}

/**
 * gpufe_bo_alloc_import - make a buffer of another driver's dma-buf
 * @client: the importer, charged for it
 * @dmabuf: the dma-buf; the buffer takes over the caller's reference
 * @readonly: the dma-buf may only be read
 *
 * Return: the buffer, or an ERR_PTR(): -EOPNOTSUPP if the dma-buf has no
 * CPU mapping in system memory, -EDQUOT, -ENOMEM, -ERESTARTSYS.
 */
struct gpufe_bo *gpufe_bo_alloc_import(struct gpufe_client *client,
				       struct dma_buf *dmabuf, bool readonly)
{
	struct gpufe_bo *bo;
	int ret;

	if (!PAGE_ALIGNED(dmabuf->size) || dmabuf->size > GPUFE_BO_MMAP_STRIDE)
		return ERR_PTR(-EOPNOTSUPP);

	bo = gpufe_bo_alloc(client, dmabuf->size);
	if (IS_ERR(bo))
		return bo;

	/* The CPU's direction: reads, or reads and writes. */
	bo->import_dir = readonly ? DMA_FROM_DEVICE : DMA_BIDIRECTIONAL;
	ret = gpufe_bo_import_map(bo, dmabuf);
	if (ret) {
		gpufe_bo_free(bo);
		/* Mapping failed: what gpufe cannot reach with the CPU. */
		return ERR_PTR(ret == -ERESTARTSYS || ret == -EINTR ||
			       ret == -ENOMEM ? ret : -EOPNOTSUPP);
	}
	bo->vaddr = bo->import_map.vaddr;
	bo->import = dmabuf;
	bo->resv = dmabuf->resv;
	return bo;
}

/**
 * gpufe_bo_handle_create - give a client a handle on a buffer
 * @client: the client
 * @bo: the buffer; the handle takes a new reference
 * @readonly: the handle may only read the buffer
 * @handle: out: the handle
 *
 * Return: 0, or -ENOMEM or -EBUSY when the client has no free handle.
 */
int gpufe_bo_handle_create(struct gpufe_client *client, struct gpufe_bo *bo,
			   bool readonly, u32 *handle)
{
	int ret;

	mutex_lock(&bo->lock);
	/* The mark is set before any lookup can see the handle. */
	xa_lock(&client->bos);
	ret = __xa_alloc(&client->bos, handle, bo, xa_limit_31b,
			 GFP_KERNEL_ACCOUNT);
	if (!ret && readonly)
		__xa_set_mark(&client->bos, *handle, GPUFE_BO_MARK_READONLY);
	xa_unlock(&client->bos);
	if (!ret) {
		bo->handle_count++;
		gpufe_bo_get(bo);
	}
	mutex_unlock(&bo->lock);
	return ret;
}

/* A handle is gone: drop the export cache with the last one. */
static void gpufe_bo_handle_drop(struct gpufe_bo *bo)
{
	struct dma_buf *export = NULL;

	mutex_lock(&bo->lock);
	if (!--bo->handle_count) {
		export = bo->export;
		bo->export = NULL;
	}
	mutex_unlock(&bo->lock);

	if (export)
		dma_buf_put(export);
	gpufe_bo_put(bo);
}

/**
 * gpufe_bo_handle_find - the handle a client already has on a buffer
 * @client: the client
 * @bo: the buffer
 *
 * Return: the handle, or 0 if the client has none.
 */
u32 gpufe_bo_handle_find(struct gpufe_client *client,
			 const struct gpufe_bo *bo)
{
	struct gpufe_bo *entry;
	unsigned long handle;
	u32 found = 0;

	xa_lock(&client->bos);
	xa_for_each(&client->bos, handle, entry) {
		if (entry == bo) {
			found = handle;
			break;
		}
	}
	xa_unlock(&client->bos);
	return found;
}

/**
 * gpufe_bo_lookup - find a client's buffer by handle
 * @client: the client
 * @handle: the handle
 * @readonly: out: whether the handle may only read the buffer
 *
 * A buffer imported from a read-only dma-buf gets a read-only handle: no
 * writable mapping, no job writing it, no writable export. The buffer and
 * the handle's mode are read in one locked lookup: a handle number can
 * name another buffer, with another mode, as soon as the lock is dropped.
 *
 * Return: the buffer with a reference for the caller, or NULL.
 */
struct gpufe_bo *gpufe_bo_lookup(struct gpufe_client *client, u32 handle,
				 bool *readonly)
{
	struct gpufe_bo *bo;

	xa_lock(&client->bos);
	bo = xa_load(&client->bos, handle);
	if (bo) {
		gpufe_bo_get(bo);
		*readonly = xa_get_mark(&client->bos, handle,
					GPUFE_BO_MARK_READONLY);
	}
	xa_unlock(&client->bos);
	return bo;
}

/**
 * gpufe_client_bos_fini - drop every buffer handle of a closing client
 * @client: the client
 */
void gpufe_client_bos_fini(struct gpufe_client *client)
{
	struct gpufe_bo *bo;
	unsigned long handle;

	xa_for_each(&client->bos, handle, bo) {
		xa_erase(&client->bos, handle);
		gpufe_bo_handle_drop(bo);
	}
}

static vm_fault_t gpufe_bo_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct gpufe_bo *bo = vma->vm_private_data;
	pgoff_t i = vmf->pgoff;

	if (i >= bo->size >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	return vmf_insert_pfn(vma, vmf->address, page_to_pfn(bo->pages[i]));
}

static void gpufe_bo_vm_open(struct vm_area_struct *vma)
{
	gpufe_bo_get(vma->vm_private_data);
}

static void gpufe_bo_vm_close(struct vm_area_struct *vma)
{
	gpufe_bo_put(vma->vm_private_data);
}

static const struct vm_operations_struct gpufe_bo_vm_ops = {
	.fault = gpufe_bo_vm_fault,
	.open = gpufe_bo_vm_open,
	.close = gpufe_bo_vm_close,
};

/**
 * gpufe_bo_mmap_pages - map a buffer gpufe created, holding a reference
 * @bo: the buffer
 * @vma: the mapping; its vm_pgoff is the first page of @bo to map
 *
 * Return: 0, or -EINVAL for a private (copy-on-write) mapping or one that
 * reaches past the buffer's end.
 */
int gpufe_bo_mmap_pages(struct gpufe_bo *bo, struct vm_area_struct *vma)
{
	/* vmf_insert_pfn() cannot do copy-on-write: MAP_SHARED only. */
	if (is_cow_mapping(vma->vm_flags))
		return -EINVAL;
	if (vma->vm_pgoff + vma_pages(vma) > bo->size >> PAGE_SHIFT)
		return -EINVAL;

	gpufe_vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	/* As the kernel's own mapping, vmap()'s PAGE_KERNEL, sees them. */
	vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	vma->vm_ops = &gpufe_bo_vm_ops;
	vma->vm_private_data = gpufe_bo_get(bo);
	return 0;
}

/**
 * gpufe_bo_mmap - map a buffer into user space
 * @client: the client whose file is mapped
 * @vma: the mapping; its offset names the buffer
 *
 * Return: 0, -EINVAL when the offset names no buffer of the client, the
 * mapping is private or reaches past the buffer's end, -EACCES for a
 * writable mapping of a read-only handle.
 */
int gpufe_bo_mmap(struct gpufe_client *client, struct vm_area_struct *vma)
{
	unsigned long handle = vma->vm_pgoff >> GPUFE_BO_MMAP_PGSHIFT;
	unsigned long first = vma->vm_pgoff & (BIT(GPUFE_BO_MMAP_PGSHIFT) - 1);
	struct gpufe_bo *bo;
	bool readonly;
	int ret;

	if (handle > U32_MAX)
		return -EINVAL;
	/*
	 * Private mappings are refused before VM_MAYWRITE goes, without
	 * which none would look private. VM_MAYSHARE: a shared mapping of a
	 * file opened read-only has lost VM_SHARED already.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	bo = gpufe_bo_lookup(client, handle, &readonly);
	if (!bo)
		return -EINVAL;
	if (first + vma_pages(vma) > bo->size >> PAGE_SHIFT) {
		ret = -EINVAL;
		goto out_put;
	}
	if (readonly) {
		if (vma->vm_flags & VM_WRITE) {
			ret = -EACCES;
			goto out_put;
		}
		gpufe_vm_flags_clear(vma, VM_MAYWRITE);
	}

	if (bo->import) {
		ret = dma_buf_mmap(bo->import, vma, first);
	} else {
		vma->vm_pgoff = first;
		ret = gpufe_bo_mmap_pages(bo, vma);
	}
out_put:
	gpufe_bo_put(bo);
	return ret;
}

/**
 * gpufe_ioctl_bo_create - GPUFE_IOCTL_BO_CREATE
 * @client: the caller
 * @data: a &struct gpufe_bo_create
 *
 * Return: 0, or the negative errno &struct gpufe_bo_create documents.
 */
int gpufe_ioctl_bo_create(struct gpufe_client *client, void *data)
{
	struct gpufe_bo_create *args = data;
	struct gpufe_bo *bo;
	u64 size;
	int ret;

	if (args->flags || !args->size)
		return -EINVAL;
	if (args->size > (u64)gpufe_max_bo_mib << 20 ||
	    args->size > GPUFE_BO_MMAP_STRIDE)
		return -E2BIG;
	size = PAGE_ALIGN(args->size);

	bo = gpufe_bo_create(client, size);
	if (IS_ERR(bo))
		return PTR_ERR(bo);

	ret = gpufe_bo_handle_create(client, bo, false, &args->handle);
	gpufe_bo_put(bo);
	if (ret)
		return ret;

	args->size = size;
	args->mmap_offset = gpufe_bo_mmap_offset(args->handle);
	return 0;
}

/**
 * gpufe_ioctl_bo_destroy - GPUFE_IOCTL_BO_DESTROY
 * @client: the caller
 * @data: a &struct gpufe_bo_destroy
 *
 * Return: 0, or the negative errno &struct gpufe_bo_destroy documents.
 */
int gpufe_ioctl_bo_destroy(struct gpufe_client *client, void *data)
{
	struct gpufe_bo_destroy *args = data;
	struct gpufe_bo *bo;

	if (args->pad)
		return -EINVAL;

	/*
	 * Looked up first: an allocating xarray keeps index 0 reserved, and
	 * erasing it would let the next buffer get handle 0.
	 */
	xa_lock(&client->bos);
	bo = xa_load(&client->bos, args->handle);
	if (bo)
		__xa_erase(&client->bos, args->handle);
	xa_unlock(&client->bos);
	if (!bo)
		return -ENOENT;
	gpufe_bo_handle_drop(bo);
	return 0;
}
