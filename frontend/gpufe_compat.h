/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels gpufe builds for (6.1 to 6.12), in one
 * place. Each shim names the upstream change that made it necessary; the
 * Kbuild file probes the kernel's headers for what a shim needs to know.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef _GPUFE_COMPAT_H_
#define _GPUFE_COMPAT_H_

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/mm.h>

/*
 * 6.2, "dma-buf: Add unlocked variant of vmapping functions" and the
 * dma-buf locking convention that came with it: dma_buf_vmap() wants the
 * reservation lock held, which gpufe takes interruptibly, as user space
 * waits for it. Before, dma_buf_vmap() took a lock of its own, which must
 * not nest inside the reservation lock. frontend/Kbuild defines
 * GPUFE_HAVE_DMA_BUF_VMAP_UNLOCKED when the kernel has the new functions.
 *
 * gpufe_dma_buf_pin_vmap() pins a dma-buf through @attach, a dynamic
 * attachment (none: a static attachment pinned it already), and maps it
 * into the kernel; gpufe_dma_buf_vunmap_unpin() undoes it. Pinning wants
 * the reservation lock on every kernel.
 */
#ifndef GPUFE_HAVE_DMA_BUF_VMAP_UNLOCKED
static inline void gpufe_dma_buf_unpin(struct dma_buf *dmabuf,
				       struct dma_buf_attachment *attach)
{
	dma_resv_lock(dmabuf->resv, NULL);
	dma_buf_unpin(attach);
	dma_resv_unlock(dmabuf->resv);
}

static inline int gpufe_dma_buf_pin_vmap(struct dma_buf *dmabuf,
					 struct dma_buf_attachment *attach,
					 struct iosys_map *map)
{
	int ret;

	if (attach) {
		ret = dma_resv_lock_interruptible(dmabuf->resv, NULL);
		if (ret)
			return ret;
		ret = dma_buf_pin(attach);
		dma_resv_unlock(dmabuf->resv);
		if (ret)
			return ret;
	}
	ret = dma_buf_vmap(dmabuf, map);
	if (ret && attach)
		gpufe_dma_buf_unpin(dmabuf, attach);
	return ret;
}

static inline void gpufe_dma_buf_vunmap_unpin(struct dma_buf *dmabuf,
					      struct dma_buf_attachment *attach,
					      struct iosys_map *map)
{
	dma_buf_vunmap(dmabuf, map);
	if (attach)
		gpufe_dma_buf_unpin(dmabuf, attach);
}
#else
static inline int gpufe_dma_buf_pin_vmap(struct dma_buf *dmabuf,
					 struct dma_buf_attachment *attach,
					 struct iosys_map *map)
{
	int ret;

	ret = dma_resv_lock_interruptible(dmabuf->resv, NULL);
	if (ret)
		return ret;
	if (attach)
		ret = dma_buf_pin(attach);
	if (!ret) {
		ret = dma_buf_vmap(dmabuf, map);
		if (ret && attach)
			dma_buf_unpin(attach);
	}
	dma_resv_unlock(dmabuf->resv);
	return ret;
}

static inline void gpufe_dma_buf_vunmap_unpin(struct dma_buf *dmabuf,
					      struct dma_buf_attachment *attach,
					      struct iosys_map *map)
{
	dma_resv_lock(dmabuf->resv, NULL);
	dma_buf_vunmap(dmabuf, map);
	if (attach)
		dma_buf_unpin(attach);
	dma_resv_unlock(dmabuf->resv);
}
#endif

/*
 * 6.3, "mm: introduce vma->vm_flags wrapper functions": vm_flags became
 * read-only outside the wrappers. frontend/Kbuild defines
 * GPUFE_HAVE_VM_FLAGS_SET when the kernel has vm_flags_set().
 */
static inline void gpufe_vm_flags_set(struct vm_area_struct *vma,
				      unsigned long flags)
{
#ifdef GPUFE_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void gpufe_vm_flags_clear(struct vm_area_struct *vma,
					unsigned long flags)
{
#ifdef GPUFE_HAVE_VM_FLAGS_SET
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/*
 * 6.2, "driver core: make struct device_type.devnode() take a const *":
 * frontend/Kbuild defines GPUFE_HAVE_CONST_DEVNODE when it does.
 */
#ifdef GPUFE_HAVE_CONST_DEVNODE
#define gpufe_devnode_const const
#else
#define gpufe_devnode_const
#endif

#endif /* _GPUFE_COMPAT_H_ */
