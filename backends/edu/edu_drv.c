// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: gpufe_edu, QEMU's edu device as a GPU
 *
 * gpufe_edu.ko is a PCI driver for QEMU's educational device (``-device
 * edu``, PCI 1234:11e8; QEMU's docs/specs/edu.rst). It registers each edu
 * device as one gpufe device, named ``edu-`` and its PCI address, with a
 * copy engine and a compute engine (uapi/gpufe_edu.h has the commands,
 * edu_engine.c how they run). The device reads and writes the jobs'
 * buffers by DMA, so the device asks the front-end to map every job's
 * buffers for it (&gpufe_device_desc.map_bos) and is its own
 * &gpufe_device_desc.dma_dev; it writes no completion slot itself. Each
 * engine holds one credit: it can do one thing at a time.
 *
 * DMA mask: the device keeps the low 28 bits of every DMA address, unless
 * QEMU runs it with ``-device edu,dma_mask=0xffffffff``: then 32. The
 * module parameter ``dma_bits`` (28 to 32, default 28) says which, and is
 * the device's DMA mask in every case; behind a translating IOMMU 28 is
 * right anyway: the IOMMU hands out addresses below it. Without one (no
 * IOMMU, or an identity domain), if that mask does not reach all memory
 * and there are no bounce buffers (swiotlb), probe fails with ``-EIO``:
 * a buffer above the mask could not be mapped. The VM runner starts its
 * VMs without an IOMMU with ``dma_mask=0xffffffff`` and
 * ``gpufe_edu.dma_bits=32`` on the kernel command line.
 *
 * sysfs, in the PCI device's directory:
 *
 * - ``drop_irqs`` (0644): while above 0, the interrupt handler drops each
 *   interrupt after acknowledging it, and counts this down; for tests of
 *   the watchdogs ("edu interrupts"). Writing sets it, 0 to 2^31 - 1.
 * - ``lost_irqs`` (0444): operations the watchdogs found done without
 *   their interrupt.
 *
 * Removal (PCI remove, also under load, and unloading the module): the
 * gpufe device is unregistered first, after which no job arrives and no
 * client reaches the driver; the engines start nothing more; the driver
 * waits, at most %EDU_IDLE_TIMEOUT_MS, for the operations under way (a
 * transfer or a factorial cannot be stopped), and turns off bus mastering
 * if the device stays busy; every job the engines still hold fails with
 * ``-ENODEV``, and one last gpufe_device_irq() reports them; the
 * interrupt is freed and the work items cancelled; then
 * gpufe_device_release(), and, after the driver's remove returns, the
 * PCI device's managed resources (BAR mapping, regions, enable) go. A
 * removed device found again by a rescan probes afresh; probe waits for
 * an operation a former driver left running.
 */

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/kstrtox.h>
#include <linux/limits.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include <gpufe/backend.h>

#include "edu.h"

/* One thing at a time on each engine. */
#define EDU_CREDITS	1

static unsigned int dma_bits = EDU_DMA_BITS_DEFAULT;

static int dma_bits_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, EDU_DMA_BITS_DEFAULT,
				     EDU_DMA_BITS_MAX);
}

static const struct kernel_param_ops dma_bits_ops = {
	.set = dma_bits_set,
	.get = param_get_uint,
};
module_param_cb(dma_bits, &dma_bits_ops, &dma_bits, 0444);
MODULE_PARM_DESC(dma_bits,
		 "the DMA address bits the device keeps: 28 unless QEMU runs it with dma_mask=0xffffffff, then 32");

static const struct gpufe_backend_ops edu_ops = {
	.owner = THIS_MODULE,
	.name = "edu",
	.validate = edu_job_validate,
	.run = edu_job_run,
	.take_back = edu_job_take_back,
};

static ssize_t drop_irqs_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct edu_device *edu = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%d\n", atomic_read(&edu->drop_irqs));
}

static ssize_t drop_irqs_store(struct device *dev,
			       struct device_attribute *attr, const char *buf,
			       size_t count)
{
	struct edu_device *edu = dev_get_drvdata(dev);
	unsigned int val;
	int ret;

	ret = kstrtouint(buf, 0, &val);
	if (ret)
		return ret;
	if (val > INT_MAX)
		return -EINVAL;
	atomic_set(&edu->drop_irqs, val);
	return count;
}
static DEVICE_ATTR_RW(drop_irqs);

static ssize_t lost_irqs_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct edu_device *edu = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%d\n", atomic_read(&edu->lost_irqs));
}
static DEVICE_ATTR_RO(lost_irqs);

static struct attribute *edu_attrs[] = {
	&dev_attr_drop_irqs.attr,
	&dev_attr_lost_irqs.attr,
	NULL
};
ATTRIBUTE_GROUPS(edu);

/* Is this the edu device, and does it answer? */
static int edu_hw_check(struct edu_device *edu)
{
	u32 id = edu_read(edu, EDU_REG_ID);

	if ((id & 0xff) != EDU_ID_MAGIC) {
		dev_err(&edu->pdev->dev, "unknown ID %#010x\n", id);
		return -ENODEV;
	}
	edu_write(edu, EDU_REG_LIVENESS, 0x5a5aa5a5);
	if (edu_read(edu, EDU_REG_LIVENESS) != ~0x5a5aa5a5u) {
		dev_err(&edu->pdev->dev, "does not answer\n");
		return -ENODEV;
	}
	return 0;
}

/* Wait for what the device does; -ETIMEDOUT if it stays busy. */
static int edu_hw_wait_idle(struct edu_device *edu)
{
	int ret = 0;
	unsigned int i;

	for (i = 0; i < EDU_NUM_ENGINES; i++)
		if (edu_engine_wait_idle(&edu->engines[i]))
			ret = -ETIMEDOUT;
	return ret;
}

/* Does an IOMMU translate the device's DMA (an identity domain does not)? */
static bool edu_iommu_translates(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	return domain && (domain->type & __IOMMU_DOMAIN_PAGING);
}

/*
 * Are there bounce buffers for a device whose mask does not reach all
 * memory? dma-direct caps a mapping's size exactly when swiotlb bounces
 * for such a device. (is_swiotlb_active() says it, but 6.12 does not
 * export it.)
 */
static bool edu_can_bounce(struct device *dev)
{
	return dma_max_mapping_size(dev) != SIZE_MAX;
}

static int edu_dma_init(struct edu_device *edu)
{
	struct device *dev = &edu->pdev->dev;
	u64 mask = DMA_BIT_MASK(dma_bits);
	int ret;

	ret = dma_set_mask_and_coherent(dev, mask);
	if (ret) {
		dev_err(dev, "no %u-bit DMA: %d\n", dma_bits, ret);
		return ret;
	}
	/* Else dma-direct would WARN on, and fail, any buffer above it. */
	if (!edu_iommu_translates(dev) && dma_get_required_mask(dev) > mask &&
	    !edu_can_bounce(dev)) {
		dev_err(dev,
			"dma_bits=%u does not reach all memory, with neither IOMMU nor bounce buffers: start QEMU with -device edu,dma_mask=0xffffffff and load gpufe_edu with dma_bits=32, or put an IOMMU in front of the device\n",
			dma_bits);
		return -EIO;
	}
	edu->dma_mask = mask;
	return 0;
}

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct gpufe_engine_desc engines[EDU_NUM_ENGINES];
	struct gpufe_device_desc desc;
	struct gpufe_device *gdev;
	struct edu_device *edu;
	unsigned int i;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	if (pci_resource_len(pdev, 0) < EDU_REGS_SIZE ||
	    !(pci_resource_flags(pdev, 0) & IORESOURCE_MEM))
		return -ENODEV;
	ret = pcim_iomap_regions(pdev, BIT(0), KBUILD_MODNAME);
	if (ret)
		return ret;

	edu = devm_kzalloc(&pdev->dev, sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu->pdev = pdev;
	edu->mmio = pcim_iomap_table(pdev)[0];
	snprintf(edu->name, sizeof(edu->name), "edu-%s", pci_name(pdev));
	atomic_set(&edu->drop_irqs, 0);
	atomic_set(&edu->lost_irqs, 0);
	mutex_init(&edu->master_lock);
	for (i = 0; i < EDU_NUM_ENGINES; i++)
		edu_engine_init(&edu->engines[i], edu, i);

	ret = edu_hw_check(edu);
	if (ret)
		return ret;
	ret = edu_dma_init(edu);
	if (ret)
		return ret;
	/* A driver before may have left something running. */
	if (edu_hw_wait_idle(edu)) {
		dev_err(&pdev->dev, "stays busy\n");
		return -EBUSY;
	}

	edu->wq = alloc_workqueue("gpufe_%s", WQ_MEM_RECLAIM | WQ_HIGHPRI, 0,
				  edu->name);
	if (!edu->wq)
		return -ENOMEM;
	/* Without it, neither a transfer nor an MSI reaches memory. */
	pci_set_master(pdev);
	ret = edu_irq_init(edu);
	if (ret) {
		dev_err(&pdev->dev, "no interrupt: %d\n", ret);
		goto err_clear_master;
	}

	pci_set_drvdata(pdev, edu);
	for (i = 0; i < EDU_NUM_ENGINES; i++)
		engines[i] = (struct gpufe_engine_desc) {
			.engine_class = edu->engines[i].engine_class,
			.instance = 0,
			.name = edu->engines[i].name,
		};
	desc = (struct gpufe_device_desc) {
		.name = edu->name,
		.num_engines = EDU_NUM_ENGINES,
		.engines = engines,
		.credits = EDU_CREDITS,
		.dma_dev = &pdev->dev,
		.map_bos = true,
	};
	/* Clients may submit before this returns: edu_job_run() queues. */
	gdev = gpufe_device_register(&desc, &edu_ops, edu);
	if (IS_ERR(gdev)) {
		ret = PTR_ERR(gdev);
		dev_err(&pdev->dev, "cannot register: %d\n", ret);
		goto err_irq_fini;
	}
	edu->gdev = gdev;
	/* The work items use @edu->gdev from now on (edu_engine_work()). */
	smp_store_release(&edu->started, true);
	/* Start the jobs that came before. */
	for (i = 0; i < EDU_NUM_ENGINES; i++)
		queue_work(edu->wq, &edu->engines[i].work);
	return 0;

err_irq_fini:
	edu_irq_fini(edu);
err_clear_master:
	pci_clear_master(pdev);
	for (i = 0; i < EDU_NUM_ENGINES; i++)
		edu_engine_fini(&edu->engines[i]);
	destroy_workqueue(edu->wq);
	mutex_destroy(&edu->master_lock);
	return ret;
}

static void edu_remove(struct pci_dev *pdev)
{
	struct edu_device *edu = pci_get_drvdata(pdev);
	unsigned int i;

	/* From here on no job arrives and no client reaches the driver. */
	gpufe_device_unregister(edu->gdev);
	for (i = 0; i < EDU_NUM_ENGINES; i++)
		edu_engine_stop(&edu->engines[i]);
	/* Nothing can stop a transfer but this: the buffers go next. */
	if (edu_hw_wait_idle(edu)) {
		dev_warn(&pdev->dev, "stays busy; bus mastering off\n");
		pci_clear_master(pdev);
	}
	for (i = 0; i < EDU_NUM_ENGINES; i++)
		edu_engine_fail_all(&edu->engines[i], -ENODEV);
	/* The last interrupt, also for completions the front-end missed. */
	gpufe_device_irq(edu->gdev, GPUFE_IRQ_NO_HINT);
	edu_irq_fini(edu);
	for (i = 0; i < EDU_NUM_ENGINES; i++)
		edu_engine_fini(&edu->engines[i]);
	destroy_workqueue(edu->wq);
	mutex_destroy(&edu->master_lock);
	gpufe_device_release(edu->gdev);
	pci_clear_master(pdev);
	/* pcim and devm: the mapping, the regions, the enable, @edu. */
}

static const struct pci_device_id edu_pci_ids[] = {
	{ PCI_DEVICE(EDU_PCI_VENDOR_ID, EDU_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_pci_ids);

static struct pci_driver edu_pci_driver = {
	.name = KBUILD_MODNAME,
	.id_table = edu_pci_ids,
	.probe = edu_probe,
	.remove = edu_remove,
	.dev_groups = edu_groups,
};
module_pci_driver(edu_pci_driver);

MODULE_DESCRIPTION("gpufe back-end for QEMU's edu PCI device");
MODULE_AUTHOR("The gpufe authors");
MODULE_LICENSE("GPL");
