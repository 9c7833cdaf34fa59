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
 * 6.2, "dma-buf: Add unlocked variant of vmapping functions" and "dma-buf:
 * Add unlocked variant of attachment-mapping functions", with the dma-buf
 * locking convention that came with them: dma_buf_vmap() and
 * dma_buf_map_attachment() want the reservation lock held, which gpufe
 * takes interruptibly, as user space waits for it. Before, they took
 * what they needed themselves. frontend/Kbuild defines
 * GPUFE_HAVE_DMA_BUF_VMAP_UNLOCKED when the kernel has the new functions.
 *
 * gpufe_dma_buf_map() maps @attach's dma-buf for the attachment, which
 * pins it, and into the kernel; gpufe_dma_buf_unmap() undoes it.
 */
#ifndef GPUFE_HAVE_DMA_BUF_VMAP_UNLOCKED
static inline int gpufe_dma_buf_map(struct dma_buf_attachment *attach,
				    struct sg_table **sgt,
				    struct iosys_map *map)
{
	int ret;

	*sgt = dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(*sgt))
		return PTR_ERR(*sgt);
	ret = dma_buf_vmap(attach->dmabuf, map);
	if (ret)
		dma_buf_unmap_attachment(attach, *sgt, DMA_BIDIRECTIONAL);
	return ret;
}

static inline void gpufe_dma_buf_unmap(struct dma_buf_attachment *attach,
				       struct sg_table *sgt,
				       struct iosys_map *map)
{
	dma_buf_vunmap(attach->dmabuf, map);
	dma_buf_unmap_attachment(attach, sgt, DMA_BIDIRECTIONAL);
}
#else
static inline int gpufe_dma_buf_map(struct dma_buf_attachment *attach,
				    struct sg_table **sgt,
				    struct iosys_map *map)
{
	struct dma_resv *resv = attach->dmabuf->resv;
	int ret;

	ret = dma_resv_lock_interruptible(resv, NULL);
	if (ret)
		return ret;
	*sgt = dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(*sgt)) {
		ret = PTR_ERR(*sgt);
	} else {
		ret = dma_buf_vmap(attach->dmabuf, map);
		if (ret)
			dma_buf_unmap_attachment(attach, *sgt,
						 DMA_BIDIRECTIONAL);
	}
	dma_resv_unlock(resv);
	return ret;
}

static inline void gpufe_dma_buf_unmap(struct dma_buf_attachment *attach,
				       struct sg_table *sgt,
				       struct iosys_map *map)
{
	dma_buf_vunmap_unlocked(attach->dmabuf, map);
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
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

#endif /* _GPUFE_COMPAT_H_ */
