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
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <gpufe/backend.h>

#define SWGPU_MAX_GPUS			16
#define SWGPU_MAX_ENGINES_PER_CLASS	16
#define SWGPU_MAX_ENGINES		(3 * SWGPU_MAX_ENGINES_PER_CLASS)

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

static unsigned int mem_mib = 256;
module_param(mem_mib, uint, 0444);
MODULE_PARM_DESC(mem_mib, "Memory per GPU in MiB (default 256)");

/**
 * struct swgpu - one software GPU
 * @gdev: the front-end's device
 * @index: the GPU's number within this module
 * @name: the GPU's name
 * @num_engines: number of entries in @engine_names
 * @engine_names: storage for the engines' names
 */
struct swgpu {
	struct gpufe_device *gdev;
	unsigned int index;
	char name[GPUFE_NAME_LEN];
	unsigned int num_engines;
	char engine_names[SWGPU_MAX_ENGINES][GPUFE_ENGINE_NAME_LEN];
};

static const struct gpufe_backend_ops swgpu_ops = {
	.owner = THIS_MODULE,
	.name = "swgpu",
};

static struct swgpu *swgpus[SWGPU_MAX_GPUS];

static unsigned int swgpu_add_engines(struct swgpu *gpu,
				      struct gpufe_engine_desc *engines,
				      unsigned int n, u32 engine_class,
				      const char *prefix, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++, n++) {
		snprintf(gpu->engine_names[n], GPUFE_ENGINE_NAME_LEN, "%s%u",
			 prefix, i);
		engines[n].engine_class = engine_class;
		engines[n].instance = i;
		engines[n].name = gpu->engine_names[n];
	}
	return n;
}

static struct swgpu *swgpu_create(unsigned int index)
{
	struct gpufe_engine_desc *engines;
	struct gpufe_device_desc desc;
	struct swgpu *gpu;
	unsigned int n;
	int ret;

	gpu = kzalloc(sizeof(*gpu), GFP_KERNEL);
	engines = kcalloc(num_compute + num_copy + num_video, sizeof(*engines),
			  GFP_KERNEL);
	if (!gpu || !engines) {
		ret = -ENOMEM;
		goto err_free;
	}

	gpu->index = index;
	snprintf(gpu->name, sizeof(gpu->name), "swgpu%u", index);
	n = swgpu_add_engines(gpu, engines, 0, GPUFE_ENGINE_CLASS_COMPUTE,
			      "ce", num_compute);
	n = swgpu_add_engines(gpu, engines, n, GPUFE_ENGINE_CLASS_COPY,
			      "bcs", num_copy);
	n = swgpu_add_engines(gpu, engines, n, GPUFE_ENGINE_CLASS_VIDEO,
			      "vcs", num_video);
	gpu->num_engines = n;

	desc = (struct gpufe_device_desc) {
		.name = gpu->name,
		.mem_size = (u64)mem_mib << 20,
		.num_engines = n,
		.engines = engines,
	};
	gpu->gdev = gpufe_device_register(&desc, &swgpu_ops, gpu);
	if (IS_ERR(gpu->gdev)) {
		ret = PTR_ERR(gpu->gdev);
		pr_err("%s: cannot register: %d\n", gpu->name, ret);
		goto err_free;
	}

	kfree(engines);
	return gpu;

err_free:
	kfree(engines);
	kfree(gpu);
	return ERR_PTR(ret);
}

static void swgpu_destroy(struct swgpu *gpu)
{
	gpufe_device_unregister(gpu->gdev);
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
	return ret;
}

static void __exit swgpu_exit(void)
{
	swgpu_destroy_all();
}

module_init(swgpu_init);
module_exit(swgpu_exit);

MODULE_DESCRIPTION("gpufe software GPU back-end");
MODULE_AUTHOR("The gpufe authors");
MODULE_LICENSE("GPL");
