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
 * unregisters them. The module parameters are read at load time only,
 * except ``allow_hang``, which may be changed at any time: while it is
 * set, swgpu accepts jobs with a HANG command, which keeps its engine
 * busy until the front-end resets the engine (see "swgpu command
 * processor"); it is off by default, as only tests want that.
 *
 * Every engine holds at most 2 jobs (&gpufe_device_desc.credits): the one
 * it runs and the next. swgpu implements &gpufe_backend_ops.take_back, so
 * the front-end can take back the job that waits and reset an engine
 * whose job hangs.
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
 *
 * Hot-unplug of one GPU: writing a GPU's index N to
 * ``/sys/kernel/debug/gpufe_swgpu/unplug`` tears swgpuN down in that same
 * order while the module and the other GPUs stay: its jobs complete, or
 * fail with ``-ENODEV``, and its clients get ``-ENODEV`` from then on.
 * The write returns once the GPU is gone; it fails with ``-ENODEV`` for an
 * index that names no GPU (any more) and with ``-EINVAL`` for anything
 * but a decimal number. The GPU comes back only when gpufe_swgpu is
 * loaded again; unloading skips the GPUs already unplugged. A mutex
 * serialises unplugs with each other and with the module's exit, which
 * also removes the file (and waits for a write under way) before it tears
 * down the GPUs that are left.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/platform_device.h>
#include <linux/printk.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <gpufe/backend.h>

#include "swgpu.h"

#define SWGPU_MAX_GPUS			16
#define SWGPU_MAX_ENGINES_PER_CLASS	16
/* Jobs per engine: the one that runs and the next. */
#define SWGPU_CREDITS			2

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

bool swgpu_allow_hang;
module_param_named(allow_hang, swgpu_allow_hang, bool, 0644);
MODULE_PARM_DESC(allow_hang, "Accept jobs with a HANG command, which keeps its engine busy until the engine is reset (for tests; default off)");

static const struct gpufe_backend_ops swgpu_ops = {
	.owner = THIS_MODULE,
	.name = "swgpu",
	.validate = swgpu_job_validate,
	.run = swgpu_job_run,
	.take_back = swgpu_job_take_back,
};

static DEFINE_MUTEX(swgpus_lock); /* protects swgpus */
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
		.credits = SWGPU_CREDITS,
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

/* Undo swgpu_create(): unregister the GPU, end its jobs, free it. */
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

/* Destroy the GPUs that are left, newest first. */
static void swgpu_destroy_all(void)
{
	unsigned int i = SWGPU_MAX_GPUS;

	mutex_lock(&swgpus_lock);
	while (i--) {
		if (swgpus[i])
			swgpu_destroy(swgpus[i]);
		swgpus[i] = NULL;
	}
	mutex_unlock(&swgpus_lock);
}

/* debugfs ``unplug``: destroy the GPU whose index is written. */
static ssize_t swgpu_unplug_write(struct file *file, const char __user *buf,
				  size_t count, loff_t *ppos)
{
	struct swgpu *gpu = NULL;
	unsigned int index;
	ssize_t ret;

	ret = kstrtouint_from_user(buf, count, 10, &index);
	/* A number too large for a GPU names none. */
	if (ret == -ERANGE)
		return -ENODEV;
	if (ret)
		return ret;

	mutex_lock(&swgpus_lock);
	if (index < SWGPU_MAX_GPUS) {
		index = array_index_nospec(index, SWGPU_MAX_GPUS);
		gpu = swgpus[index];
		swgpus[index] = NULL;
	}
	ret = -ENODEV;
	if (gpu) {
		pr_info("%s: unplugged\n", gpu->name);
		swgpu_destroy(gpu);
		ret = count;
	}
	mutex_unlock(&swgpus_lock);
	return ret;
}

static const struct file_operations swgpu_unplug_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = swgpu_unplug_write,
	.llseek = noop_llseek,
};

static int __init swgpu_init(void)
{
	struct dentry *debugfs;
	struct swgpu *gpu;
	unsigned int i;
	int ret;

	ret = swgpu_params_check();
	if (ret)
		return ret;

	debugfs = swgpu_debugfs_init();

	mutex_lock(&swgpus_lock);
	for (i = 0; i < num_gpus; i++) {
		gpu = swgpu_create(i);
		if (IS_ERR(gpu)) {
			mutex_unlock(&swgpus_lock);
			ret = PTR_ERR(gpu);
			goto err_destroy_all;
		}
		swgpus[i] = gpu;
	}
	mutex_unlock(&swgpus_lock);

	/* Last: no GPU is unplugged before they all exist. */
	debugfs_create_file("unplug", 0200, debugfs, NULL, &swgpu_unplug_fops);
	return 0;

err_destroy_all:
	swgpu_destroy_all();
	swgpu_debugfs_fini();
	return ret;
}

static void __exit swgpu_exit(void)
{
	/* First, so that no unplug starts and the one under way ends. */
	swgpu_debugfs_fini();
	swgpu_destroy_all();
}

module_init(swgpu_init);
module_exit(swgpu_exit);

MODULE_DESCRIPTION("gpufe software GPU back-end");
MODULE_AUTHOR("The gpufe authors");
MODULE_LICENSE("GPL");
