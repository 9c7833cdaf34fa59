// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: the front-end
 *
 * gpufe.ko registers the misc device /dev/gpufe, through which every
 * process reaches every GPU the back-ends register. This file holds the
 * module's init and exit, the file operations and the ioctl dispatcher.
 *
 * The dispatcher follows drivers/dma-buf/dma-heap.c: a table indexed by
 * _IOC_NR() (clamped with array_index_nospec()), the argument copied into a
 * kernel buffer of the kernel's size for the ioctl. A shorter structure
 * from an older user space is zero-extended; a longer one from a newer user
 * space is accepted only if the tail the kernel does not know is zero
 * (copy_struct_from_user()). Output is copied back up to the smaller size,
 * and a longer user structure gets its unknown tail cleared.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nospec.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "gpufe_drv.h"

unsigned int gpufe_client_mem_mib = 1024;
module_param_named(client_mem_mib, gpufe_client_mem_mib, uint, 0644);
MODULE_PARM_DESC(client_mem_mib, "Buffer memory one client may create, MiB (default 1024)");

unsigned int gpufe_user_mem_mib = 4096;
module_param_named(user_mem_mib, gpufe_user_mem_mib, uint, 0644);
MODULE_PARM_DESC(user_mem_mib, "Buffer memory all clients of one user may create or import, MiB (default 4096)");

unsigned int gpufe_max_bo_mib = 256;
module_param_named(max_bo_mib, gpufe_max_bo_mib, uint, 0644);
MODULE_PARM_DESC(max_bo_mib, "Largest buffer, MiB (default 256)");

unsigned int gpufe_job_timeout_ms = 10000;
module_param_named(job_timeout_ms, gpufe_job_timeout_ms, uint, 0644);
MODULE_PARM_DESC(job_timeout_ms, "How long a job waits for a dependency from outside gpufe before it fails, ms (default 10000)");

unsigned int gpufe_engine_timeout_ms = 5000;
module_param_named(engine_timeout_ms, gpufe_engine_timeout_ms, uint, 0644);
MODULE_PARM_DESC(engine_timeout_ms, "How long a job may run on its engine before it counts as hung, ms, unless its partition says otherwise (default 5000)");

unsigned int gpufe_hang_limit = 3;
module_param_named(hang_limit, gpufe_hang_limit, uint, 0644);
MODULE_PARM_DESC(hang_limit, "Hangs after which a context is banned (default 3)");

unsigned int gpufe_prio_starvation_ms = 100;
module_param_named(prio_starvation_ms, gpufe_prio_starvation_ms, uint, 0644);
MODULE_PARM_DESC(prio_starvation_ms, "Engine time higher-priority clients of a partition may use ahead of a lower-priority one that waits, ms (default 100)");

unsigned int gpufe_max_contexts = 1024;
module_param_named(max_contexts, gpufe_max_contexts, uint, 0644);
MODULE_PARM_DESC(max_contexts, "Contexts one client may create (default 1024)");

unsigned int gpufe_route_watchdog_ms = 10;
module_param_named(route_watchdog_ms, gpufe_route_watchdog_ms, uint, 0644);
MODULE_PARM_DESC(route_watchdog_ms, "While jobs are in flight on a device, how often its completion slots are scanned without an interrupt, ms (1-1000, default 10)");

bool gpufe_partitions_mandatory;
module_param_named(partitions_mandatory, gpufe_partitions_mandatory, bool, 0644);
MODULE_PARM_DESC(partitions_mandatory, "A client that a process without CAP_SYS_ADMIN opens on /dev/gpufe sees no device; only partitions give access (default N)");

unsigned int gpufe_max_inflight_jobs = 4096;
module_param_named(max_inflight_jobs, gpufe_max_inflight_jobs, uint, 0644);
MODULE_PARM_DESC(max_inflight_jobs, "Jobs one client may have submitted and not completed; SUBMIT waits beyond (default 4096)");

/*
 * Runs context work, which hands jobs over and finishes deliveries, so
 * fences wait for it: it must make progress without allocating, and runs
 * nothing else, nothing that may block on memory or on other drivers.
 */
struct workqueue_struct *gpufe_wq;
/*
 * Runs what fences do not wait for: dropping finished jobs' buffers,
 * freeing fences, retiring and freeing contexts, shrinking route arrays.
 * The module's exit destroys it, which waits for the work items that
 * drop the last module references.
 */
struct workqueue_struct *gpufe_cleanup_wq;
/*
 * Runs the completion router for large pending sets and its watchdog,
 * which fences wait for: it must make progress without allocating.
 */
struct workqueue_struct *gpufe_route_wq;

/**
 * struct gpufe_ioctl_desc - one entry of the ioctl table
 * @cmd: the ioctl number with the kernel's direction and size
 * @min_size: the size of the first version of the argument
 * @func: the handler, given the argument in kernel memory
 * @name: the ioctl's name, for debug messages
 */
struct gpufe_ioctl_desc {
	unsigned int cmd;
	unsigned int min_size;
	int (*func)(struct gpufe_client *client, void *data);
	const char *name;
};

static const struct gpufe_ioctl_desc gpufe_ioctls[] = {
	[_IOC_NR(GPUFE_IOCTL_VERSION)] = {
		.cmd = GPUFE_IOCTL_VERSION,
		.min_size = sizeof(struct gpufe_version),
		.func = gpufe_ioctl_version,
		.name = "VERSION",
	},
	[_IOC_NR(GPUFE_IOCTL_QUERY)] = {
		.cmd = GPUFE_IOCTL_QUERY,
		.min_size = sizeof(struct gpufe_query),
		.func = gpufe_ioctl_query,
		.name = "QUERY",
	},
	[_IOC_NR(GPUFE_IOCTL_BO_CREATE)] = {
		.cmd = GPUFE_IOCTL_BO_CREATE,
		.min_size = sizeof(struct gpufe_bo_create),
		.func = gpufe_ioctl_bo_create,
		.name = "BO_CREATE",
	},
	[_IOC_NR(GPUFE_IOCTL_BO_DESTROY)] = {
		.cmd = GPUFE_IOCTL_BO_DESTROY,
		.min_size = sizeof(struct gpufe_bo_destroy),
		.func = gpufe_ioctl_bo_destroy,
		.name = "BO_DESTROY",
	},
	[_IOC_NR(GPUFE_IOCTL_BO_EXPORT)] = {
		.cmd = GPUFE_IOCTL_BO_EXPORT,
		.min_size = sizeof(struct gpufe_bo_export),
		.func = gpufe_ioctl_bo_export,
		.name = "BO_EXPORT",
	},
	[_IOC_NR(GPUFE_IOCTL_BO_IMPORT)] = {
		.cmd = GPUFE_IOCTL_BO_IMPORT,
		.min_size = sizeof(struct gpufe_bo_import),
		.func = gpufe_ioctl_bo_import,
		.name = "BO_IMPORT",
	},
	[_IOC_NR(GPUFE_IOCTL_CTX_CREATE)] = {
		.cmd = GPUFE_IOCTL_CTX_CREATE,
		/* 1.1's, without slot_offset */
		.min_size = offsetof(struct gpufe_ctx_create, slot_offset),
		.func = gpufe_ioctl_ctx_create,
		.name = "CTX_CREATE",
	},
	[_IOC_NR(GPUFE_IOCTL_CTX_DESTROY)] = {
		.cmd = GPUFE_IOCTL_CTX_DESTROY,
		.min_size = sizeof(struct gpufe_ctx_destroy),
		.func = gpufe_ioctl_ctx_destroy,
		.name = "CTX_DESTROY",
	},
	[_IOC_NR(GPUFE_IOCTL_CTX_STATUS)] = {
		.cmd = GPUFE_IOCTL_CTX_STATUS,
		.min_size = offsetof(struct gpufe_ctx_status, busy_ns),
		.func = gpufe_ioctl_ctx_status,
		.name = "CTX_STATUS",
	},
	[_IOC_NR(GPUFE_IOCTL_SUBMIT)] = {
		.cmd = GPUFE_IOCTL_SUBMIT,
		.min_size = sizeof(struct gpufe_submit),
		.func = gpufe_ioctl_submit,
		.name = "SUBMIT",
	},
	[_IOC_NR(GPUFE_IOCTL_WAIT)] = {
		.cmd = GPUFE_IOCTL_WAIT,
		.min_size = sizeof(struct gpufe_wait),
		.func = gpufe_ioctl_wait,
		.name = "WAIT",
	},
	[_IOC_NR(GPUFE_IOCTL_PARTITION_CREATE)] = {
		.cmd = GPUFE_IOCTL_PARTITION_CREATE,
		.min_size = sizeof(struct gpufe_partition_create),
		.func = gpufe_ioctl_partition_create,
		.name = "PARTITION_CREATE",
	},
	[_IOC_NR(GPUFE_IOCTL_PARTITION_OPEN)] = {
		.cmd = GPUFE_IOCTL_PARTITION_OPEN,
		.min_size = sizeof(struct gpufe_partition_open),
		.func = gpufe_ioctl_partition_open,
		.name = "PARTITION_OPEN",
	},
	[_IOC_NR(GPUFE_IOCTL_PARTITION_REVOKE)] = {
		.cmd = GPUFE_IOCTL_PARTITION_REVOKE,
		.min_size = sizeof(struct gpufe_partition_revoke),
		.func = gpufe_ioctl_partition_revoke,
		.name = "PARTITION_REVOKE",
	},
};

/* Large enough for every argument in the table. */
#define GPUFE_IOCTL_MAX_SIZE	64

static long gpufe_ioctl(struct file *file, unsigned int ucmd,
			unsigned long arg)
{
	struct gpufe_client *client = file->private_data;
	const struct gpufe_ioctl_desc *desc;
	void __user *uptr = (void __user *)arg;
	u64 kdata[GPUFE_IOCTL_MAX_SIZE / sizeof(u64)];
	unsigned int nr = _IOC_NR(ucmd);
	unsigned int usize = _IOC_SIZE(ucmd);
	unsigned int ksize;
	int ret;

	if (_IOC_TYPE(ucmd) != GPUFE_IOCTL_BASE ||
	    nr >= ARRAY_SIZE(gpufe_ioctls))
		return -ENOTTY;
	nr = array_index_nospec(nr, ARRAY_SIZE(gpufe_ioctls));
	desc = &gpufe_ioctls[nr];
	if (!desc->func || _IOC_DIR(ucmd) != _IOC_DIR(desc->cmd))
		return -ENOTTY;

	/* A client of a partition that ended can do nothing more. */
	if (gpufe_client_revoked(client))
		return -ENODEV;

	ksize = _IOC_SIZE(desc->cmd);
	if (usize < desc->min_size) {
		pr_debug("%s: size %u below %u\n", desc->name, usize,
			 desc->min_size);
		return -EINVAL;
	}

	if (_IOC_DIR(desc->cmd) & _IOC_WRITE) {
		ret = copy_struct_from_user(kdata, ksize, uptr, usize);
		if (ret) {
			pr_debug("%s: cannot read argument: %d\n", desc->name,
				 ret);
			return ret;
		}
	} else {
		memset(kdata, 0, ksize);
	}

	ret = desc->func(client, kdata);
	if (ret) {
		pr_debug("%s: %d\n", desc->name, ret);
		return ret;
	}

	if (_IOC_DIR(desc->cmd) & _IOC_READ) {
		if (copy_to_user(uptr, kdata, min(usize, ksize)))
			return -EFAULT;
		if (usize > ksize && clear_user(uptr + ksize, usize - ksize))
			return -EFAULT;
	}
	return 0;
}

static int gpufe_open(struct inode *inode, struct file *file)
{
	struct gpufe_client *client;

	client = gpufe_client_create(NULL);
	if (IS_ERR(client))
		return PTR_ERR(client);

	file->private_data = client;
	return 0;
}

static int gpufe_release(struct inode *inode, struct file *file)
{
	gpufe_client_close(file->private_data);
	return 0;
}

static int gpufe_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct gpufe_client *client = file->private_data;

	if (gpufe_client_revoked(client))
		return -ENODEV;
	/*
	 * The completion page's window, the register page's above it, the
	 * buffers' above 4 GiB.
	 */
	if (vma->vm_pgoff < GPUFE_COMPLETION_MAX_SIZE >> PAGE_SHIFT)
		return gpufe_cpage_mmap(client, vma);
	if (vma->vm_pgoff < gpufe_bo_mmap_offset(1) >> PAGE_SHIFT)
		return gpufe_reg_mmap(client, vma);
	return gpufe_bo_mmap(client, vma);
}

static void gpufe_show_fdinfo(struct seq_file *m, struct file *file)
{
	gpufe_client_fdinfo(file->private_data, m);
}

static ssize_t gpufe_read(struct file *file, char __user *buf, size_t count,
			  loff_t *pos)
{
	return gpufe_events_read(file->private_data, buf, count,
				 file->f_flags & O_NONBLOCK);
}

static __poll_t gpufe_poll(struct file *file, poll_table *wait)
{
	return gpufe_events_poll(file->private_data, file, wait);
}

/* Also the file operations of the clients PARTITION_CREATE/OPEN make. */
const struct file_operations gpufe_fops = {
	.owner = THIS_MODULE,
	.open = gpufe_open,
	.release = gpufe_release,
	.unlocked_ioctl = gpufe_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = gpufe_mmap,
	.read = gpufe_read,
	.poll = gpufe_poll,
	.show_fdinfo = gpufe_show_fdinfo,
	.llseek = noop_llseek,
};

/* A persistent partition's node: its open() gives a client of it. */
const struct file_operations gpufe_part_node_fops = {
	.owner = THIS_MODULE,
	.open = gpufe_partition_node_open,
	.release = gpufe_release,
	.unlocked_ioctl = gpufe_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = gpufe_mmap,
	.read = gpufe_read,
	.poll = gpufe_poll,
	.show_fdinfo = gpufe_show_fdinfo,
	.llseek = noop_llseek,
};

static struct miscdevice gpufe_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "gpufe",
	.fops = &gpufe_fops,
	.mode = 0666,
};

/**
 * gpufe_misc_device - the device of /dev/gpufe
 *
 * What gpufe attaches to other drivers' dma-bufs with: the CPU, which
 * reaches all of memory.
 *
 * Return: the misc device's struct device.
 */
struct device *gpufe_misc_device(void)
{
	return gpufe_misc.this_device;
}

/*
 * The uAPI is the same on every ABI: sizes are pinned here, and every
 * structure is a multiple of 8 bytes with explicit padding.
 */
static void __init gpufe_uapi_size_check(void)
{
	BUILD_BUG_ON(sizeof(struct gpufe_version) != 16);
	BUILD_BUG_ON(sizeof(struct gpufe_device_info) != 80);
	BUILD_BUG_ON(sizeof(struct gpufe_query_devices) != 8);
	BUILD_BUG_ON(sizeof(struct gpufe_engine_info) != 24);
	BUILD_BUG_ON(sizeof(struct gpufe_query_engines) != 16);
	BUILD_BUG_ON(sizeof(struct gpufe_query) != 24);
	BUILD_BUG_ON(sizeof(struct gpufe_bo_create) != 24);
	BUILD_BUG_ON(sizeof(struct gpufe_bo_destroy) != 8);
	BUILD_BUG_ON(sizeof(struct gpufe_bo_export) != 16);
	BUILD_BUG_ON(sizeof(struct gpufe_bo_import) != 32);
	BUILD_BUG_ON(sizeof(struct gpufe_ctx_create) != 32);
	BUILD_BUG_ON(sizeof(struct gpufe_completion_slot) != 16);
	BUILD_BUG_ON(GPUFE_COMPLETION_MAX_SIZE % PAGE_SIZE);
	BUILD_BUG_ON(GPUFE_COMPLETION_MMAP_OFFSET + GPUFE_COMPLETION_MAX_SIZE >
		     BIT_ULL(32));
	BUILD_BUG_ON(sizeof(struct gpufe_ctx_destroy) != 8);
	BUILD_BUG_ON(sizeof(struct gpufe_ctx_status) != 48);
	BUILD_BUG_ON(sizeof(struct gpufe_submit_bo) != 8);
	BUILD_BUG_ON(sizeof(struct gpufe_submit) != 48);
	BUILD_BUG_ON(sizeof(struct gpufe_wait) != 24);
	BUILD_BUG_ON(sizeof(struct gpufe_event) != 24);
	BUILD_BUG_ON(sizeof(struct gpufe_config_reg) != GPUFE_CONFIG_REG_SIZE_V1);
	BUILD_BUG_ON(sizeof(struct gpufe_config_reg) > PAGE_SIZE);
	BUILD_BUG_ON(GPUFE_NUM_ENGINE_CLASSES > GPUFE_CONFIG_REG_CLASSES);
	BUILD_BUG_ON(GPUFE_MAX_ENGINES > GPUFE_CONFIG_REG_MAX_ENGINES);
	BUILD_BUG_ON(GPUFE_CONFIG_REG_MMAP_OFFSET !=
		     GPUFE_COMPLETION_MMAP_OFFSET + GPUFE_COMPLETION_MAX_SIZE);
	BUILD_BUG_ON(sizeof(struct gpufe_partition_create) != 56);
	BUILD_BUG_ON(sizeof(struct gpufe_partition_open) != 16);
	BUILD_BUG_ON(sizeof(struct gpufe_partition_revoke) != 8);
	BUILD_BUG_ON(sizeof(struct gpufe_partition_info) != 48);
	BUILD_BUG_ON(sizeof(struct gpufe_query_partitions) != 8);
	BUILD_BUG_ON(sizeof(struct gpufe_partition_create) >
		     GPUFE_IOCTL_MAX_SIZE);
	BUILD_BUG_ON(sizeof(struct gpufe_version) > GPUFE_IOCTL_MAX_SIZE);
	BUILD_BUG_ON(sizeof(struct gpufe_query) > GPUFE_IOCTL_MAX_SIZE);
	BUILD_BUG_ON(sizeof(struct gpufe_bo_create) > GPUFE_IOCTL_MAX_SIZE);
	BUILD_BUG_ON(sizeof(struct gpufe_bo_import) > GPUFE_IOCTL_MAX_SIZE);
	BUILD_BUG_ON(sizeof(struct gpufe_ctx_status) > GPUFE_IOCTL_MAX_SIZE);
	BUILD_BUG_ON(sizeof(struct gpufe_submit) > GPUFE_IOCTL_MAX_SIZE);
	BUILD_BUG_ON(sizeof(struct gpufe_wait) > GPUFE_IOCTL_MAX_SIZE);
}

static int __init gpufe_init(void)
{
	int ret;

	gpufe_uapi_size_check();

	gpufe_wq = alloc_workqueue("gpufe",
				   WQ_UNBOUND | WQ_HIGHPRI | WQ_MEM_RECLAIM, 0);
	if (!gpufe_wq)
		return -ENOMEM;
	gpufe_route_wq = alloc_workqueue("gpufe-route",
					 WQ_HIGHPRI | WQ_MEM_RECLAIM, 0);
	if (!gpufe_route_wq) {
		ret = -ENOMEM;
		goto err_destroy_wq;
	}
	gpufe_cleanup_wq = alloc_workqueue("gpufe-cleanup", WQ_UNBOUND, 0);
	if (!gpufe_cleanup_wq) {
		ret = -ENOMEM;
		goto err_destroy_route_wq;
	}
	ret = gpufe_jobs_init();
	if (ret)
		goto err_destroy_cleanup_wq;

	gpufe_debugfs_init();

	ret = gpufe_partitions_init();
	if (ret) {
		pr_err("cannot register the partitions' nodes: %d\n", ret);
		goto err_debugfs_fini;
	}
	/* Last: from here on, files hold the module. */
	ret = misc_register(&gpufe_misc);
	if (ret) {
		pr_err("cannot register /dev/gpufe: %d\n", ret);
		goto err_partitions_fini;
	}
	pr_info("uAPI %u.%u.%u\n", GPUFE_VERSION_MAJOR, GPUFE_VERSION_MINOR,
		GPUFE_VERSION_PATCH);
	return 0;

err_partitions_fini:
	gpufe_partitions_fini();
err_debugfs_fini:
	gpufe_debugfs_fini();
	gpufe_jobs_fini();
err_destroy_cleanup_wq:
	destroy_workqueue(gpufe_cleanup_wq);
err_destroy_route_wq:
	destroy_workqueue(gpufe_route_wq);
err_destroy_wq:
	destroy_workqueue(gpufe_wq);
	return ret;
}

static void __exit gpufe_exit(void)
{
	misc_deregister(&gpufe_misc);
	gpufe_partitions_fini();
	gpufe_debugfs_fini();
	/* Every file is closed and every back-end gone: no job can end now. */
	gpufe_jobs_fini();
	/* Waits for the works that dropped the last module references. */
	destroy_workqueue(gpufe_cleanup_wq);
	destroy_workqueue(gpufe_wq);
	/* Every device is freed: their routers' work is done. */
	destroy_workqueue(gpufe_route_wq);
	gpufe_devices_fini();
	gpufe_users_fini();
	/*
	 * A fence's release may still be on its way out of gpufe's text in
	 * another thread, preempted after handing the fence to
	 * gpufe_cleanup_wq (gpufe_job.c): wait until every thread has passed a voluntary
	 * context switch.
	 */
	synchronize_rcu_tasks();
}

module_init(gpufe_init);
module_exit(gpufe_exit);

MODULE_DESCRIPTION("gpufe: one front-end device for many GPUs");
MODULE_AUTHOR("The gpufe authors");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
