// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: clients
 *
 * Every open file of /dev/gpufe is a client. A client owns the objects it
 * creates, buffers and contexts, in two per-client xarrays: their handles
 * mean something only on that file, so one client can never name
 * another's objects. Each client has an id, unique among open clients,
 * kept in one global xarray so that debugfs can walk the clients.
 *
 * Closing the file drops every handle; jobs already submitted still run to
 * completion and signal their fences, holding references on the contexts
 * and buffers they use, and each context holds a reference on its client,
 * so the client's memory goes with the last of them.
 *
 * Memory: the buffers a client creates, and the buffers of other drivers
 * it imports (which gpufe maps into the kernel), count against two
 * limits, ``client_mem_mib`` for the client and ``user_mem_mib`` for the
 * sum over every client opened by the same user (the real uid of the
 * process that opened the file), so that opening more files gains
 * nothing. (A user namespace's users are users of their own: a container
 * is bounded by its memory cgroup.) Buffer pages and the front-end's
 * structures for them are charged to the memory cgroup of the process
 * that made them.
 *
 * Lock classes: a client's xarrays and IDA are initialised in one
 * function, where lockdep would give their locks one class; each gets its
 * own, since the completion slots' IDA is freed from any context while
 * the handle xarrays are locked with interrupts on.
 *
 * A client's fdinfo (``/proc/<pid>/fdinfo/<fd>``) follows the DRM usage
 * statistics format (Documentation/gpu/drm-usage-stats.rst) for the keys
 * it shares with it, and adds gpufe's own:
 *
 * - ``drm-driver``: ``gpufe``
 * - ``drm-client-id``: the client's id, unique among open clients
 * - ``gpufe-jobs-completed``: jobs of the client whose fences signalled
 * - ``gpufe-deliveries``: times the completion router delivered to the
 *   client (one delivery may signal several jobs)
 * - ``gpufe-wakeups``: times a sleeping waiter of the client (WAIT,
 *   read(), poll()) was woken
 * - ``gpufe-partition``: the id of the client's partition, for a client
 *   of one
 *
 * A client of a partition (gpufe_partition.c) holds its partition, and
 * its buffer memory counts against the partition's quota; when the
 * partition has one, it replaces ``user_mem_mib`` for the client, so that
 * the clients an administrator's tools open for a partition do not eat
 * the administrator's own limit, and clients opened on a partition's node
 * are held the same way. A client that sees no device
 * (``partitions_mandatory``) cannot make buffers.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/idr.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>

#include "gpufe_drv.h"

/* Never reused, unlike client ids: the scheduler keys clients by it. */
static atomic_long_t gpufe_client_serial = ATOMIC_LONG_INIT(0);

static DEFINE_XARRAY_ALLOC1(gpufe_clients); /* xa_lock protects the walks below */
static u32 gpufe_next_client_id;

/**
 * struct gpufe_user - what the clients of one user hold
 * @uid: the user, in the initial user namespace
 * @clients: clients of the user not yet freed, under gpufe_users_lock
 * @mem_used: bytes of buffer memory charged to the user's clients
 */
struct gpufe_user {
	unsigned long uid;
	unsigned int clients;
	atomic64_t mem_used;
};

/* The users with clients, by uid. */
static DEFINE_XARRAY(gpufe_users);
static DEFINE_MUTEX(gpufe_users_lock); /* protects gpufe_users, clients */

static struct lock_class_key gpufe_bos_key;
static struct lock_class_key gpufe_ctxs_key;
static struct lock_class_key gpufe_cpages_key;
static struct lock_class_key gpufe_slot_ida_key;

/* The user of the current process, for a new client of it. */
static struct gpufe_user *gpufe_user_get(void)
{
	unsigned long uid = from_kuid(&init_user_ns, current_uid());
	struct gpufe_user *user;

	mutex_lock(&gpufe_users_lock);
	user = xa_load(&gpufe_users, uid);
	if (!user) {
		user = kzalloc(sizeof(*user), GFP_KERNEL_ACCOUNT);
		if (user) {
			user->uid = uid;
			atomic64_set(&user->mem_used, 0);
			if (xa_err(xa_store(&gpufe_users, uid, user,
					    GFP_KERNEL_ACCOUNT))) {
				kfree(user);
				user = NULL;
			}
		}
	}
	if (user)
		user->clients++;
	mutex_unlock(&gpufe_users_lock);
	return user;
}

/* A client of @user is freed; the last one frees @user. */
static void gpufe_user_put(struct gpufe_user *user)
{
	mutex_lock(&gpufe_users_lock);
	if (!--user->clients) {
		/* Every buffer held its client: none is charged now. */
		WARN_ON(atomic64_read(&user->mem_used));
		xa_erase(&gpufe_users, user->uid);
		kfree(user);
	}
	mutex_unlock(&gpufe_users_lock);
}

/**
 * gpufe_users_fini - at module exit, when every client is freed
 */
void gpufe_users_fini(void)
{
	WARN_ON(!xa_empty(&gpufe_users));
	xa_destroy(&gpufe_users);
}

/* Add @size to @used unless that passes @limit, in bytes. */
static bool gpufe_mem_add(atomic64_t *used, u64 size, u64 limit)
{
	if ((u64)atomic64_add_return(size, used) > limit) {
		atomic64_sub(size, used);
		return false;
	}
	return true;
}

/*
 * Whether a client's buffers count against its user's limit: not those
 * of a partition with a quota, which the quota bounds instead, whoever
 * opened the client (an administrator's tool, a container's user).
 */
static bool gpufe_client_user_charged(const struct gpufe_client *client)
{
	return !client->part || !client->part->reg.mem_quota;
}

/**
 * gpufe_client_charge - charge buffer memory to a client and its user
 * @client: the client
 * @size: bytes
 *
 * A client of a partition with a quota is held to the quota instead of
 * its user's limit.
 *
 * Return: 0; -EDQUOT when @client, its user or its partition would pass
 * its limit (``client_mem_mib``, ``user_mem_mib``, the partition's
 * quota), changing nothing; -ENODEV for a client that sees no device
 * (``partitions_mandatory``).
 */
int gpufe_client_charge(struct gpufe_client *client, u64 size)
{
	bool user = gpufe_client_user_charged(client);

	/* Memory is for devices: a client that sees none gets none. */
	if (client->hidden)
		return -ENODEV;
	if (!gpufe_mem_add(&client->mem_used, size,
			   (u64)READ_ONCE(gpufe_client_mem_mib) << 20))
		return -EDQUOT;
	if (user && !gpufe_mem_add(&client->user->mem_used, size,
				   (u64)READ_ONCE(gpufe_user_mem_mib) << 20))
		goto err_client;
	/* A quota of 0 is none; the partition's usage is counted anyway. */
	if (client->part &&
	    !gpufe_mem_add(&client->part->mem_used, size,
			   client->part->reg.mem_quota ?: U64_MAX))
		goto err_user;
	return 0;

err_user:
	if (user)
		atomic64_sub(size, &client->user->mem_used);
err_client:
	atomic64_sub(size, &client->mem_used);
	return -EDQUOT;
}

/**
 * gpufe_client_uncharge - give back what gpufe_client_charge() took
 * @client: the client
 * @size: bytes
 */
void gpufe_client_uncharge(struct gpufe_client *client, u64 size)
{
	if (client->part)
		atomic64_sub(size, &client->part->mem_used);
	if (gpufe_client_user_charged(client))
		atomic64_sub(size, &client->user->mem_used);
	atomic64_sub(size, &client->mem_used);
}

/**
 * gpufe_client_create - make a client
 * @part: the partition the client is restricted to, or NULL
 *
 * The client of a newly opened file, or of a file
 * gpufe_client_file() makes. A client without partition that a process
 * without ``CAP_SYS_ADMIN`` opens sees no device while
 * ``partitions_mandatory`` is set.
 *
 * Return: the client, or an ERR_PTR(): -ENOMEM; -EBUSY when every client
 * id is in use; -ENODEV when @part has ended; -EUSERS when it has its
 * maximum of clients.
 */
struct gpufe_client *gpufe_client_create(struct gpufe_partition *part)
{
	struct gpufe_client *client;
	int ret;

	client = kzalloc(sizeof(*client), GFP_KERNEL_ACCOUNT);
	if (!client)
		return ERR_PTR(-ENOMEM);
	client->user = gpufe_user_get();
	if (!client->user) {
		kfree(client);
		return ERR_PTR(-ENOMEM);
	}

	kref_init(&client->ref);
	xa_init_flags(&client->bos, XA_FLAGS_ALLOC1);
	lockdep_set_class(&client->bos.xa_lock, &gpufe_bos_key);
	xa_init_flags(&client->ctxs, XA_FLAGS_ALLOC1);
	lockdep_set_class(&client->ctxs.xa_lock, &gpufe_ctxs_key);
	atomic64_set(&client->mem_used, 0);
	mutex_init(&client->import_lock);
	atomic_set(&client->num_ctxs, 0);
	atomic_set(&client->jobs_inflight, 0);
	init_waitqueue_head(&client->throttle_wq);
	spin_lock_init(&client->event_lock);
	INIT_LIST_HEAD(&client->events);
	init_waitqueue_head(&client->event_wq);
	mutex_init(&client->cpage_lock);
	xa_init(&client->cpages);
	lockdep_set_class(&client->cpages.xa_lock, &gpufe_cpages_key);
	ida_init(&client->slot_ida);
	lockdep_set_class(&client->slot_ida.xa.xa_lock, &gpufe_slot_ida_key);
	atomic64_set(&client->jobs_completed, 0);
	atomic64_set(&client->deliveries, 0);
	atomic64_set(&client->wakeups, 0);
	client->pid = get_task_pid(current, PIDTYPE_TGID);
	INIT_LIST_HEAD(&client->part_link);
	spin_lock_init(&client->ctx_lock);
	INIT_LIST_HEAD(&client->ctx_list);
	client->serial = atomic_long_inc_return(&gpufe_client_serial);
	client->hidden = !part && READ_ONCE(gpufe_partitions_mandatory) &&
			 !capable(CAP_SYS_ADMIN);

	ret = part ? gpufe_partition_add_client(part, client) : 0;
	if (!ret)
		ret = xa_alloc_cyclic(&gpufe_clients, &client->id, client,
				      xa_limit_31b, &gpufe_next_client_id,
				      GFP_KERNEL_ACCOUNT);
	if (ret < 0) {
		if (client->part) {
			gpufe_partition_remove_client(client);
			gpufe_partition_forget_client(client);
			gpufe_partition_put(client->part);
		}
		gpufe_client_cpages_fini(client);
		put_pid(client->pid);
		gpufe_user_put(client->user);
		kfree(client);
		return ERR_PTR(ret);
	}
	return client;
}

static void gpufe_client_release(struct kref *ref)
{
	struct gpufe_client *client = container_of(ref, struct gpufe_client,
						   ref);

	WARN_ON(atomic64_read(&client->mem_used));
	xa_destroy(&client->bos);
	xa_destroy(&client->ctxs);
	gpufe_client_cpages_fini(client);
	mutex_destroy(&client->import_lock);
	put_pid(client->pid);
	gpufe_user_put(client->user);
	WARN_ON(!list_empty(&client->ctx_list));
	if (client->part) {
		gpufe_partition_forget_client(client);
		gpufe_partition_put(client->part);
	}
	kfree(client);
}

/**
 * gpufe_client_get - take a reference on a client
 * @client: the client
 *
 * Return: @client.
 */
struct gpufe_client *gpufe_client_get(struct gpufe_client *client)
{
	kref_get(&client->ref);
	return client;
}

/**
 * gpufe_client_put - drop a reference on a client
 * @client: the client
 */
void gpufe_client_put(struct gpufe_client *client)
{
	kref_put(&client->ref, gpufe_client_release);
}

/**
 * gpufe_client_close - the file of a client is being released
 * @client: the client
 *
 * Cancels the client's jobs that have not reached an engine (their
 * fences signal with ``-ECANCELED``), drops every handle and pending
 * event, and the file's reference.
 */
void gpufe_client_close(struct gpufe_client *client)
{
	xa_erase(&gpufe_clients, client->id);
	/* What has not reached an engine is cancelled. */
	gpufe_sched_client_cancel(client);
	gpufe_client_ctxs_fini(client);
	gpufe_client_bos_fini(client);
	gpufe_client_events_fini(client);
	if (client->part)
		gpufe_partition_remove_client(client);
	gpufe_client_put(client);
}

/**
 * gpufe_client_file - make a file of a client that has none
 * @client: the client, from gpufe_client_create()
 *
 * The file owns the client: its release closes it. On failure the client
 * is still the caller's, to close with gpufe_client_close().
 *
 * Return: the file, opened for reading and writing, or an ERR_PTR().
 */
struct file *gpufe_client_file(struct gpufe_client *client)
{
	return anon_inode_getfile("[gpufe]", &gpufe_fops, client, O_RDWR);
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
		seq_printf(m, "%u pid=%d mem=%lld partition=%u\n", client->id,
			   pid_vnr(client->pid),
			   (long long)atomic64_read(&client->mem_used),
			   client->part ? client->part->id : 0);
	xa_unlock(&gpufe_clients);
}

/**
 * gpufe_client_fdinfo - print a client's fdinfo
 * @client: the client
 * @m: the seq_file of /proc/<pid>/fdinfo/<fd>
 */
void gpufe_client_fdinfo(struct gpufe_client *client, struct seq_file *m)
{
	seq_puts(m, "drm-driver:\tgpufe\n");
	seq_printf(m, "drm-client-id:\t%u\n", client->id);
	if (client->part)
		seq_printf(m, "gpufe-partition:\t%u\n", client->part->id);
	seq_printf(m, "gpufe-jobs-completed:\t%lld\n",
		   (long long)atomic64_read(&client->jobs_completed));
	seq_printf(m, "gpufe-deliveries:\t%lld\n",
		   (long long)atomic64_read(&client->deliveries));
	seq_printf(m, "gpufe-wakeups:\t%lld\n",
		   (long long)atomic64_read(&client->wakeups));
}
