// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: dma-buf sharing
 *
 * A buffer gpufe created exports as a dma-buf whose reservation object is
 * the buffer's own, so implicit synchronisation works across every driver
 * that uses the dma-buf: a gpufe job waits for the fences others left in
 * it and leaves its own. Importers that map it for DMA get a scatterlist of
 * the buffer's pinned pages; CPU importers get its kernel mapping; mmap()
 * of the dma-buf maps the shmem file.
 *
 * Importing a dma-buf gpufe exported gives back the buffer itself. A
 * dma-buf of another driver (vgem, a dma-heap, a GPU driver) is imported if
 * it can be mapped for the CPU in system memory: the software back-ends
 * reach buffers through the CPU. gpufe attaches to it, which pins it
 * (gpufe_bo.c).
 *
 * Read-only sharing: a buffer has one dma-buf while it has handles, and
 * its first export decides whether it is writable. A read-only handle
 * (from a read-only dma-buf) never hands out write access: it cannot
 * export writable, nor export the buffer at all while the buffer's
 * dma-buf is writable.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/fcntl.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "gpufe_drv.h"

static struct sg_table *gpufe_dmabuf_map(struct dma_buf_attachment *attach,
					 enum dma_data_direction dir)
{
	struct gpufe_bo *bo = attach->dmabuf->priv;
	struct sg_table *sgt;
	int ret;

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);

	ret = sg_alloc_table_from_pages(sgt, bo->pages, bo->size >> PAGE_SHIFT,
					0, bo->size, GFP_KERNEL);
	if (ret)
		goto err_free;

	ret = dma_map_sgtable(attach->dev, sgt, dir, 0);
	if (ret)
		goto err_free_table;
	return sgt;

err_free_table:
	sg_free_table(sgt);
err_free:
	kfree(sgt);
	return ERR_PTR(ret);
}

static void gpufe_dmabuf_unmap(struct dma_buf_attachment *attach,
			       struct sg_table *sgt,
			       enum dma_data_direction dir)
{
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
}

static int gpufe_dmabuf_mmap(struct dma_buf *dmabuf,
			     struct vm_area_struct *vma)
{
	return gpufe_bo_mmap_pages(dmabuf->priv, vma);
}

static int gpufe_dmabuf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct gpufe_bo *bo = dmabuf->priv;

	iosys_map_set_vaddr(map, bo->vaddr);
	return 0;
}

static void gpufe_dmabuf_release(struct dma_buf *dmabuf)
{
	gpufe_bo_put(dmabuf->priv);
}

static const struct dma_buf_ops gpufe_dmabuf_ops = {
	.map_dma_buf = gpufe_dmabuf_map,
	.unmap_dma_buf = gpufe_dmabuf_unmap,
	.mmap = gpufe_dmabuf_mmap,
	.vmap = gpufe_dmabuf_vmap,
	.release = gpufe_dmabuf_release,
};

/**
 * gpufe_bo_is_gpufe_dmabuf - whether gpufe exported a dma-buf
 * @dmabuf: the dma-buf
 *
 * Return: true if @dmabuf was made of a gpufe buffer.
 */
bool gpufe_bo_is_gpufe_dmabuf(const struct dma_buf *dmabuf)
{
	return dmabuf->ops == &gpufe_dmabuf_ops;
}

/* Whether a dma-buf may be written through. */
static bool gpufe_dmabuf_writable(const struct dma_buf *dmabuf)
{
	return dmabuf->file->f_mode & FMODE_WRITE;
}

/*
 * The buffer's dma-buf, made on first export, writable if @rdwr; a new
 * file reference. A read-only dma-buf cannot be exported writable, nor a
 * writable one through a read-only handle (@readonly).
 */
static struct dma_buf *gpufe_bo_dmabuf_get(struct gpufe_bo *bo, bool rdwr,
					   bool readonly)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf;
	bool writable;

	mutex_lock(&bo->lock);
	/*
	 * The last handle went while the caller looked: caching a dma-buf
	 * now would keep it and the buffer alive forever.
	 */
	if (!bo->handle_count) {
		mutex_unlock(&bo->lock);
		return ERR_PTR(-ENOENT);
	}
	if (!bo->export) {
		exp_info.ops = &gpufe_dmabuf_ops;
		exp_info.size = bo->size;
		exp_info.flags = rdwr ? O_RDWR : O_RDONLY;
		exp_info.resv = bo->resv;
		exp_info.priv = gpufe_bo_get(bo);
		dmabuf = dma_buf_export(&exp_info);
		if (IS_ERR(dmabuf)) {
			mutex_unlock(&bo->lock);
			gpufe_bo_put(bo);
			return dmabuf;
		}
		bo->export = dmabuf;
	}
	writable = gpufe_dmabuf_writable(bo->export);
	if ((rdwr && !writable) || (readonly && writable)) {
		mutex_unlock(&bo->lock);
		return ERR_PTR(-EACCES);
	}
	get_dma_buf(bo->export);
	dmabuf = bo->export;
	mutex_unlock(&bo->lock);
	return dmabuf;
}

#define GPUFE_BO_EXPORT_FLAGS	(GPUFE_BO_EXPORT_CLOEXEC | GPUFE_BO_EXPORT_RDWR)

/**
 * gpufe_ioctl_bo_export - GPUFE_IOCTL_BO_EXPORT
 * @client: the caller
 * @data: a &struct gpufe_bo_export
 *
 * Return: 0, or the negative errno &struct gpufe_bo_export documents.
 */
int gpufe_ioctl_bo_export(struct gpufe_client *client, void *data)
{
	struct gpufe_bo_export *args = data;
	bool rdwr = args->flags & GPUFE_BO_EXPORT_RDWR;
	struct dma_buf *dmabuf;
	struct gpufe_bo *bo;
	bool readonly;
	int flags, fd;

	if ((args->flags & ~GPUFE_BO_EXPORT_FLAGS) || args->pad)
		return -EINVAL;

	bo = gpufe_bo_lookup(client, args->handle, &readonly);
	if (!bo)
		return -ENOENT;
	if (rdwr && readonly) {
		gpufe_bo_put(bo);
		return -EACCES;
	}

	if (bo->import) {
		/*
		 * Hand back the dma-buf it came from; a read-only handle came
		 * from a read-only one.
		 */
		get_dma_buf(bo->import);
		dmabuf = bo->import;
	} else {
		dmabuf = gpufe_bo_dmabuf_get(bo, rdwr, readonly);
	}
	gpufe_bo_put(bo);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	flags = args->flags & GPUFE_BO_EXPORT_CLOEXEC ? O_CLOEXEC : 0;
	fd = dma_buf_fd(dmabuf, flags);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	args->fd = fd;
	return 0;
}

/**
 * gpufe_ioctl_bo_import - GPUFE_IOCTL_BO_IMPORT
 * @client: the caller
 * @data: a &struct gpufe_bo_import
 *
 * Return: 0, or the negative errno &struct gpufe_bo_import documents.
 */
int gpufe_ioctl_bo_import(struct gpufe_client *client, void *data)
{
	struct gpufe_bo_import *args = data;
	struct dma_buf *dmabuf, *own = NULL;
	struct gpufe_bo *bo = NULL, *entry;
	unsigned long handle;
	bool readonly;
	u32 found = 0;
	int ret;

	if (args->flags || args->pad)
		return -EINVAL;
	/* No buffer for a client that sees no device, whoever's it is. */
	if (client->hidden)
		return -ENODEV;

	dmabuf = dma_buf_get(args->fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	readonly = !gpufe_dmabuf_writable(dmabuf);

	/*
	 * gpufe accesses another driver's buffer with the CPU from the
	 * import on: wait for what others do with it first, interruptibly
	 * and before taking the lock other imports of the client wait for.
	 */
	if (!gpufe_bo_is_gpufe_dmabuf(dmabuf)) {
		long wait = dma_resv_wait_timeout(dmabuf->resv,
						  dma_resv_usage_rw(!readonly),
						  true, MAX_SCHEDULE_TIMEOUT);

		if (wait < 0) {
			dma_buf_put(dmabuf);
			return wait;
		}
	}

	ret = mutex_lock_interruptible(&client->import_lock);
	if (ret) {
		dma_buf_put(dmabuf);
		return ret;
	}
	if (gpufe_bo_is_gpufe_dmabuf(dmabuf)) {
		bo = gpufe_bo_get(dmabuf->priv);
		own = dmabuf;
		found = gpufe_bo_handle_find(client, bo);
	} else {
		/* The same foreign dma-buf imported before: same handle. */
		xa_lock(&client->bos);
		xa_for_each(&client->bos, handle, entry) {
			if (entry->import == dmabuf) {
				bo = gpufe_bo_get(entry);
				found = handle;
				break;
			}
		}
		xa_unlock(&client->bos);
		if (bo) {
			dma_buf_put(dmabuf);
		} else {
			bo = gpufe_bo_alloc_import(client, dmabuf, readonly);
			if (IS_ERR(bo)) {
				mutex_unlock(&client->import_lock);
				dma_buf_put(dmabuf);
				return PTR_ERR(bo);
			}
		}
	}

	/*
	 * BO_DESTROY does not take import_lock: the handle found may be gone,
	 * or name a new buffer, by now.
	 */
	if (found) {
		xa_lock(&client->bos);
		if (xa_load(&client->bos, found) != bo) {
			found = 0;
		} else if (!readonly) {
			/* A writable import makes the handle writable. */
			__xa_clear_mark(&client->bos, found,
					GPUFE_BO_MARK_READONLY);
		}
		xa_unlock(&client->bos);
	}
	if (found) {
		args->handle = found;
		ret = 0;
	} else {
		ret = gpufe_bo_handle_create(client, bo, readonly,
					     &args->handle);
	}
	mutex_unlock(&client->import_lock);

	if (own) {
		/*
		 * The buffer has a handle now: its one dma-buf is this one
		 * again if the cache had let it go. Unless that handle, and
		 * every other, went meanwhile: the cache would then keep the
		 * dma-buf and the buffer alive for ever.
		 */
		mutex_lock(&bo->lock);
		if (!ret && !bo->export && bo->handle_count) {
			bo->export = own;
			own = NULL;
		}
		mutex_unlock(&bo->lock);
		if (own)
			dma_buf_put(own);
	}
	if (!ret) {
		args->size = bo->size;
		args->mmap_offset = gpufe_bo_mmap_offset(args->handle);
	}
	gpufe_bo_put(bo);
	return ret;
}
