// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: clients
 *
 * Every open file of /dev/gpufe is a client. A client owns the objects it
 * creates; their handles mean something only on that file. Each client has
 * an id, unique among open clients (the ``drm-client-id`` of fdinfo), kept
 * in one xarray so that debugfs and, later, interrupt routing can walk the
 * clients.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "gpufe_drv.h"

static DEFINE_XARRAY_ALLOC1(gpufe_clients); /* xa_lock protects the walk in gpufe_clients_show() */
static u32 gpufe_next_client_id;

/**
 * gpufe_client_create - make the client of a newly opened file
 *
 * Return: the client, or an ERR_PTR(): -ENOMEM, or -EBUSY when every
 * client id is in use.
 */
struct gpufe_client *gpufe_client_create(void)
{
	struct gpufe_client *client;
	int ret;

	client = kzalloc(sizeof(*client), GFP_KERNEL);
	if (!client)
		return ERR_PTR(-ENOMEM);

	client->pid = get_task_pid(current, PIDTYPE_TGID);
	ret = xa_alloc_cyclic(&gpufe_clients, &client->id, client,
			      xa_limit_31b, &gpufe_next_client_id, GFP_KERNEL);
	if (ret < 0) {
		put_pid(client->pid);
		kfree(client);
		return ERR_PTR(ret);
	}
	return client;
}

/**
 * gpufe_client_destroy - free the client of a file being released
 * @client: the client
 */
void gpufe_client_destroy(struct gpufe_client *client)
{
	xa_erase(&gpufe_clients, client->id);
	put_pid(client->pid);
	kfree(client);
}

/**
 * gpufe_client_count - the number of open clients
 *
 * Return: how many clients are open.
 */
unsigned long gpufe_client_count(void)
{
	struct gpufe_client *client;
	unsigned long id, n = 0;

	xa_lock(&gpufe_clients);
	xa_for_each(&gpufe_clients, id, client)
		n++;
	xa_unlock(&gpufe_clients);
	return n;
}

/**
 * gpufe_clients_show - print the open clients for debugfs
 * @m: the seq_file
 */
void gpufe_clients_show(struct seq_file *m)
{
	struct gpufe_client *client;
	unsigned long id;

	xa_lock(&gpufe_clients);
	xa_for_each(&gpufe_clients, id, client)
		seq_printf(m, "%u pid=%d\n", client->id,
			   pid_vnr(client->pid));
	xa_unlock(&gpufe_clients);
}
