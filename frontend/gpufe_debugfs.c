// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: debugfs
 *
 * /sys/kernel/debug/gpufe/ shows the front-end's internals:
 *
 * - ``devices``: one line per registered device: id, name, back-end,
 *   references held, the back-end's engine names.
 * - ``clients``: one line per open client: id and process id.
 * - ``route``: one line per registered device: id, name, and the completion
 *   router's counters: ``irqs`` (interrupts the back-end raised),
 *   ``routes`` (router runs for them), ``hint_hits`` (runs whose hint named
 *   a context whose slot moved), ``slots_scanned`` (slots read by all
 *   scans), ``delivered`` (deliveries by those runs), ``watchdog_scans``,
 *   ``watchdog_delivered`` (deliveries the watchdog found), ``route_ns``
 *   (time the runs for interrupts spent finding whose slots moved),
 *   ``deliver_ns`` (time they spent signalling fences and waking waiters),
 *   ``pending`` (contexts with jobs in the back-end's hands now) and
 *   ``capacity`` (contexts the pending set's arrays have room for).
 * - ``counters``: ``clients``, ``devices``, ``device_objects`` (devices
 *   allocated and not yet freed, registered or not), ``bos`` (buffer
 *   objects alive) and ``contexts`` (context structures alive, retired ones
 *   included) and ``partitions`` (partition structures alive, ended ones
 *   included); tests read these to prove that nothing leaks.
 * - ``partitions``: per partition not yet ended, its device, engine mask,
 *   users, clients and buffer memory.
 * - ``sched``: one line per registered device: id, name, and the
 *   scheduler's state: ``policy``, ``queued`` (jobs in the run queues),
 *   ``held`` (jobs in the back-end's hands), ``credits`` (per engine),
 *   ``hangs``, ``resets``, ``bans``, ``cancelled`` (jobs cancelled before
 *   they reached an engine) and ``taken_back`` (jobs the back-end handed
 *   back unstarted, to run later).
 *
 * debugfs is not ABI; tools use the ioctls.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "gpufe_drv.h"

static struct dentry *gpufe_debugfs_root;

static int devices_show(struct seq_file *m, void *unused)
{
	gpufe_devices_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(devices);

static int clients_show(struct seq_file *m, void *unused)
{
	gpufe_clients_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(clients);

static int route_show(struct seq_file *m, void *unused)
{
	gpufe_route_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(route);

static int sched_show(struct seq_file *m, void *unused)
{
	gpufe_sched_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sched);

static int partitions_show(struct seq_file *m, void *unused)
{
	gpufe_partitions_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(partitions);

static int counters_show(struct seq_file *m, void *unused)
{
	unsigned int devices;

	mutex_lock(&gpufe_registry_lock);
	devices = gpufe_device_count_locked();
	mutex_unlock(&gpufe_registry_lock);

	seq_printf(m, "clients %lu\n", gpufe_client_count());
	seq_printf(m, "devices %u\n", devices);
	seq_printf(m, "device_objects %ld\n", gpufe_device_objects());
	seq_printf(m, "bos %ld\n", gpufe_bo_objects());
	seq_printf(m, "contexts %ld\n", gpufe_ctx_objects());
	seq_printf(m, "partitions %ld\n", gpufe_partition_objects());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(counters);

/**
 * gpufe_debugfs_init - create /sys/kernel/debug/gpufe/
 *
 * Failures are not errors: debugfs is optional.
 */
void gpufe_debugfs_init(void)
{
	gpufe_debugfs_root = debugfs_create_dir("gpufe", NULL);
	debugfs_create_file("devices", 0444, gpufe_debugfs_root, NULL,
			    &devices_fops);
	debugfs_create_file("clients", 0444, gpufe_debugfs_root, NULL,
			    &clients_fops);
	debugfs_create_file("route", 0444, gpufe_debugfs_root, NULL,
			    &route_fops);
	debugfs_create_file("counters", 0444, gpufe_debugfs_root, NULL,
			    &counters_fops);
	debugfs_create_file("partitions", 0444, gpufe_debugfs_root, NULL,
			    &partitions_fops);
	debugfs_create_file("sched", 0444, gpufe_debugfs_root, NULL,
			    &sched_fops);
}

/**
 * gpufe_debugfs_fini - remove /sys/kernel/debug/gpufe/
 */
void gpufe_debugfs_fini(void)
{
	debugfs_remove_recursive(gpufe_debugfs_root);
}
