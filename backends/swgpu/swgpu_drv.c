// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: swgpu, the software GPU
 *
 * gpufe_swgpu.ko models GPUs in software so that the front-end can be
 * exercised without hardware. On load it registers @num_gpus GPUs named
 * swgpu0, swgpu1, ..., each with @num_compute compute, @num_copy copy and
 * @num_video video engines and @mem_mib MiB of memory; on unload it
 * unregisters them. The module parameters are read at load time only.
 *
 * With ``dma_slots`` set, each GPU also registers a platform device of
 * its own as its &gpufe_device_desc.dma_dev, and writes the slots of the
 * jobs that succeed through their DMA address (&gpufe_job.slot_dma), as a
 * device that writes them by DMA would; see swgpu_irq.c.
 *
 * This file holds the module, its parameters and the registration of the
 * GPUs; swgpu_cmd.c holds the engines' queues and the command processor,
 * swgpu_irq.c the GPU's interrupt and the fault-injection knobs.
 * A GPU goes away in this order: gpufe_device_unregister(), after which no
 * job arrives; swgpu_engine_stop() on every engine, which fails the jobs
 * that have not started with ``-ENODEV`` and makes the running ones stop
 * early; swgpu_engine_fini() on every engine, which waits for them and
 * destroys the workqueues; swgpu_irq_fini(), which waits for the last
 * interrupt; gpufe_device_release(), after which the device is not touched;
 * then the memory is freed.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/platform_device.h>
#include <linux/printk.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <gpufe/backend.h>

#include "swgpu.h"

#define SWGPU_MAX_GPUS			16
#define SWGPU_MAX_ENGINES_PER_CLASS	16

static unsigned int num_gpus = 2;
module_param(num_gpus, uint, 0444);
MODULE_PARM_DESC(num_gpus, "Number of software GPUs (1-16, default 2)");

static unsigned int num_compute = 2;
module_param(num_compute, uint, 0444);
MODULE_PARM_DESC(num_compute, "Compute engines per GPU (0-16, default 2)");

static unsigned int num_copy = 1;
module_param(num_copy, uint, 0444);
MODULE_PARM_DESC(num_copy, "Copy engines per GPU (0-16, default 1)");

static unsigned int num_video = 1;
module_param(num_video, uint, 0444);
MODULE_PARM_DESC(num_video, "Video engines per GPU (0-16, default 1)");

static bool dma_slots;
module_param(dma_slots, bool, 0444);
MODULE_PARM_DESC(dma_slots, "Write completion slots through their DMA address, as a device that writes them by DMA does (default off)");

static unsigned int mem_mib = 256;
module_param(mem_mib, uint, 0444);
MODULE_PARM_DESC(mem_mib, "Memory per GPU in MiB (default 256)");

static const struct gpufe_backend_ops swgpu_ops = {
	.owner = THIS_MODULE,
	.name = "swgpu",
	.validate = swgpu_job_validate,
	.run = swgpu_job_run,
};

static struct swgpu *swgpus[SWGPU_MAX_GPUS];

/* Undo swgpu_engines_add(): the initialised engines, newest first. */
static void swgpu_engines_fini(struct swgpu *gpu)
{
	while (gpu->num_engines)
		swgpu_engine_fini(&gpu->engines[--gpu->num_engines]);
}

/*
 * Initialise @count engines of @engine_class named @prefix0, @prefix1, ...
 * after those @gpu has, and describe them in @descs at the same indexes.
 */
static int swgpu_engines_add(struct swgpu *gpu,
			     struct gpufe_engine_desc *descs, u32 engine_class,
			     const char *prefix, unsigned int count)
{
	char name[GPUFE_ENGINE_NAME_LEN];
	struct swgpu_engine *engine;
	unsigned int i;
	int ret;

	for (i = 0; i < count; i++) {
		engine = &gpu->engines[gpu->num_engines];
		snprintf(name, sizeof(name), "%s%u", prefix, i);
		ret = swgpu_engine_init(engine, gpu, engine_class, name);
		if (ret)
			return ret;
		descs[gpu->num_engines] = (struct gpufe_engine_desc) {
			.engine_class = engine_class,
			.instance = i,
			.name = engine->name,
		};
		gpu->num_engines++;
	}
	return 0;
}

/* The device that stands for @gpu in DMA: no IOMMU, a 64-bit mask. */
static int swgpu_dma_dev_create(struct swgpu *gpu)
{
	struct platform_device *pdev;
	int ret;

	pdev = platform_device_register_simple("gpufe_swgpu", gpu->index,
					       NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret) {
		platform_device_unregister(pdev);
		return ret;
	}
	gpu->pdev = pdev;
	return 0;
}

static struct swgpu *swgpu_create(unsigned int index)
{
	unsigned int n = num_compute + num_copy + num_video;
	struct gpufe_engine_desc *descs;
	struct gpufe_device_desc desc;
	struct swgpu *gpu;
	int ret;

	gpu = kzalloc(struct_size(gpu, engines, n), GFP_KERNEL);
	if (!gpu)
		return ERR_PTR(-ENOMEM);
	descs = kcalloc(n, sizeof(*descs), GFP_KERNEL);
	if (!descs) {
		ret = -ENOMEM;
		goto err_free_gpu;
	}

	gpu->index = index;
	snprintf(gpu->name, sizeof(gpu->name), "swgpu%u", index);
	swgpu_irq_init(gpu);
	ret = swgpu_engines_add(gpu, descs, GPUFE_ENGINE_CLASS_COMPUTE, "ce",
				num_compute);
	if (!ret)
		ret = swgpu_engines_add(gpu, descs, GPUFE_ENGINE_CLASS_COPY,
					"bcs", num_copy);
	if (!ret)
		ret = swgpu_engines_add(gpu, descs, GPUFE_ENGINE_CLASS_VIDEO,
					"vcs", num_video);
	if (ret)
		goto err_engines_fini;

	desc = (struct gpufe_device_desc) {
		.name = gpu->name,
		.mem_size = (u64)mem_mib << 20,
		.num_engines = gpu->num_engines,
		.engines = descs,
	};
	if (dma_slots) {
		ret = swgpu_dma_dev_create(gpu);
		if (ret)
			goto err_engines_fini;
		desc.dma_dev = &gpu->pdev->dev;
	}
	gpu->gdev = gpufe_device_register(&desc, &swgpu_ops, gpu);
	if (IS_ERR(gpu->gdev)) {
		ret = PTR_ERR(gpu->gdev);
		pr_err("%s: cannot register: %d\n", gpu->name, ret);
		goto err_dma_dev_destroy;
	}

	kfree(descs);
	return gpu;

err_dma_dev_destroy:
	if (gpu->pdev)
		platform_device_unregister(gpu->pdev);
err_engines_fini:
	swgpu_engines_fini(gpu);
	kfree(descs);
err_free_gpu:
	kfree(gpu);
	return ERR_PTR(ret);
}

static void swgpu_destroy(struct swgpu *gpu)
{
	unsigned int i;

	/* From here on no job arrives and validate/run are not called. */
	gpufe_device_unregister(gpu->gdev);
	/* Stop every engine first, so that they wind down in parallel. */
	for (i = 0; i < gpu->num_engines; i++)
		swgpu_engine_stop(&gpu->engines[i]);
	swgpu_engines_fini(gpu);
	/* Every job is complete; the last interrupt has been handled. */
	swgpu_irq_fini(gpu);
	gpufe_device_release(gpu->gdev);
	/* The front-end may still hold the device, with a reference. */
	if (gpu->pdev)
		platform_device_unregister(gpu->pdev);
	kfree(gpu);
}

static int swgpu_params_check(void)
{
	if (!num_gpus || num_gpus > SWGPU_MAX_GPUS) {
		pr_err("num_gpus=%u: must be 1 to %u\n", num_gpus,
		       SWGPU_MAX_GPUS);
		return -EINVAL;
	}
	if (num_compute > SWGPU_MAX_ENGINES_PER_CLASS ||
	    num_copy > SWGPU_MAX_ENGINES_PER_CLASS ||
	    num_video > SWGPU_MAX_ENGINES_PER_CLASS ||
	    !(num_compute + num_copy + num_video)) {
		pr_err("engines %u/%u/%u: each class 0 to %u, at least one engine\n",
		       num_compute, num_copy, num_video,
		       SWGPU_MAX_ENGINES_PER_CLASS);
		return -EINVAL;
	}
	if (mem_mib > SZ_1M) {
		pr_err("mem_mib=%u: at most %u\n", mem_mib, SZ_1M);
		return -EINVAL;
	}
	return 0;
}

static void swgpu_destroy_all(void)
{
	unsigned int i = SWGPU_MAX_GPUS;

	while (i--) {
		if (swgpus[i])
			swgpu_destroy(swgpus[i]);
		swgpus[i] = NULL;
	}
}

static int __init swgpu_init(void)
{
	unsigned int i;
	int ret;

	ret = swgpu_params_check();
	if (ret)
		return ret;

	swgpu_debugfs_init();

	for (i = 0; i < num_gpus; i++) {
		swgpus[i] = swgpu_create(i);
		if (IS_ERR(swgpus[i])) {
			ret = PTR_ERR(swgpus[i]);
			swgpus[i] = NULL;
			goto err_destroy_all;
		}
	}
	return 0;

err_destroy_all:
	swgpu_destroy_all();
	swgpu_debugfs_fini();
	return ret;
}

static void __exit swgpu_exit(void)
{
	swgpu_destroy_all();
	swgpu_debugfs_fini();
}

module_init(swgpu_init);
module_exit(swgpu_exit);

MODULE_DESCRIPTION("gpufe software GPU back-end");
MODULE_AUTHOR("The gpufe authors");
MODULE_LICENSE("GPL");
