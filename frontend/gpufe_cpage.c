// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: completion pages
 *
 * Every client has a completion page: memory the front-end allocates, one
 * &struct gpufe_completion_slot per context, mapped read-only into the
 * client at %GPUFE_COMPLETION_MMAP_OFFSET. A client whose contexts do not
 * fit in one page gets more pages, up to %GPUFE_COMPLETION_MAX_SIZE bytes
 * in all. A page is allocated, and charged to the memory cgroup of the
 * process that caused it, when a context first needs a slot on it; a
 * mapping shows only those pages, and touching one that does not exist
 * raises SIGBUS, so the memory a client pins is what its contexts needed
 * at most. Pages live until the client is freed; each context holds a
 * reference on its client, so a slot outlives every job that can write
 * it.
 *
 * Slot numbers come from an IDA, lowest first, so a client's slots stay
 * packed at the start of its page. A slot is given back when its context
 * retires, after its handle went and its last job completed; the next
 * context to get it finds it reset to zero.
 *
 * The back-end writes a job's slot with gpufe_slot_write() (through
 * gpufe_job_complete()): the error first, then the sequence number with
 * release ordering. A device that writes by DMA gets the slot's address
 * for its &gpufe_device_desc.dma_dev: each page is mapped once per
 * device while contexts of that device have slots on it, and only where
 * the device and the CPU then share the memory without cache maintenance
 * or bounce buffers; elsewhere the job's DMA address is 0 and the
 * back-end writes with the CPU. gpufe_device_release() unmaps all of a
 * device's pages before its DMA device can go. The front-end writes a slot
 * itself only for a job that failed before reaching the back-end, and
 * only when the back-end holds no job of that context.
 *
 * The mapping is made of the pages' frame numbers (VM_PFNMAP), inserted
 * on fault, like a buffer's; it holds a reference on the client, and so
 * on the pages, until it goes.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/mm.h>

#include "gpufe_compat.h"
#include "gpufe_drv.h"

#define GPUFE_SLOT_SIZE		sizeof(struct gpufe_completion_slot)
#define GPUFE_SLOTS_PER_PAGE	(PAGE_SIZE / GPUFE_SLOT_SIZE)
#define GPUFE_CPAGE_MAX_PAGES	(GPUFE_COMPLETION_MAX_SIZE >> PAGE_SHIFT)

/* The completion page @index of @client, allocated if it has none yet. */
static struct page *gpufe_cpage_get(struct gpufe_client *client,
				    pgoff_t index)
{
	struct page *page;
	int ret;

	mutex_lock(&client->cpage_lock);
	page = xa_load(&client->cpages, index);
	if (!page) {
		page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (page) {
			ret = xa_err(xa_store(&client->cpages, index, page,
					      GFP_KERNEL_ACCOUNT));
			if (ret) {
				__free_page(page);
				page = NULL;
			}
		}
	}
	mutex_unlock(&client->cpage_lock);
	return page;
}

/**
 * gpufe_slot_write - store a completion into a slot
 * @slot: the slot
 * @seqno: every job up to this sequence number has completed
 * @error: 0, or the negative errno of the job @seqno
 *
 * The error first, then the sequence number with release ordering: a
 * reader that sees @seqno with an acquire load also sees the error and
 * everything the writer stored before, the job's results among them.
 * Callable from any context.
 */
void gpufe_slot_write(struct gpufe_completion_slot *slot, u64 seqno,
		      int error)
{
	if (error)
		WRITE_ONCE(slot->error, error);
	/* Pairs with the router's and user space's acquire of the seqno. */
	smp_store_release(&slot->seqno, seqno);
}

/**
 * gpufe_slot_alloc - give a new context its completion slot
 * @ctx: the context, with @client and @gdev set
 *
 * Return: 0, -EMFILE when the client has %GPUFE_COMPLETION_MAX_SLOTS
 * slots, -ENOMEM.
 */
int gpufe_slot_alloc(struct gpufe_ctx *ctx)
{
	struct gpufe_client *client = ctx->client;
	unsigned int offset;
	dma_addr_t dma;
	struct page *page;
	int index;

	index = ida_alloc_max(&client->slot_ida, GPUFE_COMPLETION_MAX_SLOTS - 1,
			      GFP_KERNEL_ACCOUNT);
	if (index < 0)
		return index == -ENOSPC ? -EMFILE : index;

	page = gpufe_cpage_get(client, index / GPUFE_SLOTS_PER_PAGE);
	if (!page)
		goto err_free_index;
	offset = (index % GPUFE_SLOTS_PER_PAGE) * GPUFE_SLOT_SIZE;

	/* Without a DMA address the back-end writes the slot with the CPU. */
	if (ctx->gdev->dma_dev) {
		dma = gpufe_device_map_page(ctx->gdev, page);
		if (dma)
			ctx->rt.slot_dma = dma + offset;
	}

	ctx->rt.slot_page = page;
	ctx->rt.slot_index = index;
	ctx->rt.slot = page_address(page) + offset;
	/* A slot given back by an earlier context starts again from zero. */
	WRITE_ONCE(ctx->rt.slot->error, 0);
	WRITE_ONCE(ctx->rt.slot->pad, 0);
	/* Pairs with user space's acquire: the error reads 0 with it. */
	smp_store_release(&ctx->rt.slot->seqno, 0);
	return 0;

err_free_index:
	ida_free(&client->slot_ida, index);
	return -ENOMEM;
}

/**
 * gpufe_slot_free - give a retiring context's slot back
 * @ctx: the context; no job of it is in flight
 */
void gpufe_slot_free(struct gpufe_ctx *ctx)
{
	if (!ctx->rt.slot)
		return;
	ida_free(&ctx->client->slot_ida, ctx->rt.slot_index);
	ctx->rt.slot = NULL;
}

/**
 * gpufe_slot_unmap - drop a freed context's DMA mapping of its slot page
 * @ctx: the context, being freed
 *
 * Done when the context is freed, after gpufe_slot_free() at its
 * retirement. May sleep. The slot itself may belong to another context by
 * now; the page stays mapped while any context of the device has a slot
 * on it.
 */
void gpufe_slot_unmap(struct gpufe_ctx *ctx)
{
	if (ctx->rt.slot_dma)
		gpufe_device_unmap_page(ctx->gdev, ctx->rt.slot_page);
	ctx->rt.slot_dma = 0;
}

static vm_fault_t gpufe_cpage_vm_fault(struct vm_fault *vmf)
{
	struct gpufe_client *client = vmf->vma->vm_private_data;
	struct page *page;

	/* Pages are never freed before the client, which the mapping holds. */
	page = xa_load(&client->cpages, vmf->pgoff);
	if (!page)
		return VM_FAULT_SIGBUS;
	return vmf_insert_pfn(vmf->vma, vmf->address, page_to_pfn(page));
}

static void gpufe_cpage_vm_open(struct vm_area_struct *vma)
{
	gpufe_client_get(vma->vm_private_data);
}

static void gpufe_cpage_vm_close(struct vm_area_struct *vma)
{
	gpufe_client_put(vma->vm_private_data);
}

static const struct vm_operations_struct gpufe_cpage_vm_ops = {
	.fault = gpufe_cpage_vm_fault,
	.open = gpufe_cpage_vm_open,
	.close = gpufe_cpage_vm_close,
};

/**
 * gpufe_cpage_mmap - map a client's completion page, read-only
 * @client: the client whose file is mapped
 * @vma: the mapping, at a page offset below %GPUFE_COMPLETION_MAX_SIZE
 *
 * Return: 0; -EINVAL for a private mapping or one that reaches past
 * %GPUFE_COMPLETION_MAX_SIZE; -EACCES for a writable one.
 */
int gpufe_cpage_mmap(struct gpufe_client *client, struct vm_area_struct *vma)
{
	/* A shared mapping of a file opened read-only lost VM_SHARED. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff >= GPUFE_CPAGE_MAX_PAGES ||
	    vma_pages(vma) > GPUFE_CPAGE_MAX_PAGES - vma->vm_pgoff)
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE)
		return -EACCES;

	/* Never writable, not even by a later mprotect(). */
	gpufe_vm_flags_clear(vma, VM_MAYWRITE);
	gpufe_vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	vma->vm_ops = &gpufe_cpage_vm_ops;
	vma->vm_private_data = gpufe_client_get(client);
	return 0;
}

/**
 * gpufe_client_cpages_fini - free a client's completion pages
 * @client: the client, being freed: no context and no mapping is left
 */
void gpufe_client_cpages_fini(struct gpufe_client *client)
{
	struct page *page;
	unsigned long index;

	xa_for_each(&client->cpages, index, page)
		__free_page(page);
	xa_destroy(&client->cpages);
	ida_destroy(&client->slot_ida);
	mutex_destroy(&client->cpage_lock);
}
