/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gpufe front-end: private declarations shared by the front-end's files.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef _GPUFE_DRV_H_
#define _GPUFE_DRV_H_

#include <linux/atomic.h>
#include <linux/dma-direction.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/hrtimer.h>
#include <linux/idr.h>
#include <linux/iosys-map.h>
#include <linux/irq_work.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <gpufe.h>
#include <gpufe/backend.h>

#include "gpufe_config_reg.h"
#include "gpufe_route.h"

struct device;
struct dma_buf;
struct file;
struct gpufe_sched_client;
struct gpufe_sched_engine;
struct gpufe_user;
struct inode;
struct seq_file;
struct vm_area_struct;

#define GPUFE_NUM_ENGINE_CLASSES	(GPUFE_ENGINE_CLASS_VIDEO + 1)

/* The most jobs one delivery signals with interrupts off. */
#define GPUFE_DELIVER_BATCH	64

/**
 * struct gpufe_engine - one engine of a device, as the front-end keeps it
 * @engine_class: an &enum gpufe_engine_class
 * @hw_instance: the back-end's instance number
 * @instance: the dense instance number within the class
 * @hw_index: the engine's index in the back-end's description
 * @hw_name: the back-end's name for the engine
 */
struct gpufe_engine {
	u32 engine_class;
	u16 hw_instance;
	u16 instance;
	unsigned int hw_index;
	char hw_name[GPUFE_ENGINE_NAME_LEN];
};

/**
 * struct gpufe_route - a device's completion routing (gpufe_irq.c)
 * @lock: protects @slots, @ctxs, @num_pending, @capacity and each pending
 *	context's @route_idx and @handed; taken in the router's hard-IRQ
 *	context, so with interrupts off everywhere else
 * @slots: what gpufe_route_scan() scans: the completion slots of the
 *	contexts with jobs in the back-end's hands, and what was delivered
 * @ctxs: the context of each entry of @slots
 * @num_pending: entries in use in @slots and @ctxs
 * @capacity: entries allocated, at least @num_ctxs, so that a context
 *	becomes pending without allocating
 * @resize_lock: serialises changes of @num_ctxs and of the arrays' size;
 *	held while allocating, so no router may take it
 * @num_ctxs: contexts alive on the device
 * @shrink_work: gives the arrays' memory back when contexts went
 * @hint: the hint of the last interrupt not yet routed
 * @irq_work: the router, queued by gpufe_device_irq()
 * @work: the router for pending sets too large for hard-IRQ context
 * @watchdog: rescans while contexts are pending, so a lost interrupt
 *	only delays a completion
 * @watchdog_idle: the watchdog's scans in a row that found nothing to
 *	deliver; each doubles its delay, and an interrupt resets it
 * @irqs: interrupts the back-end raised
 * @routes: router runs for interrupts
 * @hint_hits: interrupts whose hint named a context whose slot moved
 * @slots_scanned: slots read by all scans
 * @delivered: deliveries to contexts by router runs for interrupts
 * @watchdog_scans: scans the watchdog made
 * @watchdog_delivered: deliveries the watchdog made
 * @route_ns: time the router runs for interrupts spent finding whose
 *	slots moved (the hint, the scans, the pending set's upkeep), in
 *	nanoseconds
 * @deliver_ns: time they spent delivering (fences, events, wake-ups)
 */
struct gpufe_route {
	spinlock_t lock; /* protects the pending set; see above */
	struct gpufe_route_slot *slots;
	struct gpufe_ctx **ctxs;
	unsigned int num_pending;
	unsigned int capacity;
	struct mutex resize_lock; /* protects num_ctxs, resizing */
	unsigned int num_ctxs;
	struct work_struct shrink_work;
	u32 hint;
	struct irq_work irq_work;
	struct work_struct work;
	struct delayed_work watchdog;
	unsigned int watchdog_idle;
	atomic64_t irqs;
	atomic64_t routes;
	atomic64_t hint_hits;
	atomic64_t slots_scanned;
	atomic64_t delivered;
	atomic64_t watchdog_scans;
	atomic64_t watchdog_delivered;
	atomic64_t route_ns;
	atomic64_t deliver_ns;
};

/**
 * enum gpufe_sched_policy - how a device's engines are shared
 * @GPUFE_SCHED_BEST_EFFORT: work-conserving; partitions take turns job by
 *	job, without weights
 * @GPUFE_SCHED_EQUAL_SHARE: work-conserving; partitions with work get
 *	equal shares of engine time
 * @GPUFE_SCHED_FIXED_SHARE: every partition gets at most its weight's
 *	share of engine time, even when the engine would be idle
 * @GPUFE_SCHED_NUM_POLICIES: the number of policies
 */
enum gpufe_sched_policy {
	GPUFE_SCHED_BEST_EFFORT,
	GPUFE_SCHED_EQUAL_SHARE,
	GPUFE_SCHED_FIXED_SHARE,
	GPUFE_SCHED_NUM_POLICIES,
};

/**
 * struct gpufe_sched - a device's scheduler (gpufe_sched.c)
 * @policy: an &enum gpufe_sched_policy; each engine's run queue is put in
 *	its order under that engine's lock after it changes
 * @credits: jobs of an engine the back-end holds at most
 * @can_take_back: the back-end has &gpufe_backend_ops.take_back
 * @weight_sum: the weights of the device's partitions that have not ended
 * @engines: one run queue per engine, as &gpufe_device.engines' hw_index
 * @hang_work: looks for jobs that ran longer than their timeout
 * @dev: /sys/class/gpufe/gpu<id>, or NULL
 * @hangs: jobs that hung an engine
 * @resets: engine resets
 * @bans: contexts banned
 * @cancelled: jobs cancelled before they reached an engine
 * @taken_back: jobs the back-end handed back unstarted
 */
struct gpufe_sched {
	int policy;
	unsigned int credits;
	bool can_take_back;
	atomic_t weight_sum;
	struct gpufe_sched_engine *engines;
	struct delayed_work hang_work;
	struct device *dev;
	atomic64_t hangs;
	atomic64_t resets;
	atomic64_t bans;
	atomic64_t cancelled;
	atomic64_t taken_back;
};

/**
 * struct gpufe_sched_entity - a context as the scheduler sees it
 * @se: its engine's run queue
 * @sclient: its client's share of that engine
 * @priority: GPUFE_PRIORITY_*
 * @link: in the engine's list of entities, under @se's lock
 * @queue: jobs not yet handed to the back-end, in order; under @se's lock
 * @queued: entries on @queue
 * @ready: on its client's ready list: the head of @queue may run
 * @ready_link: in that list
 * @dep: the fence the head of @queue waits for, with @dep_cb armed on
 *	it; under @se's lock
 * @dep_cb: wakes the context's work when @dep signals
 * @busy_ns: engine time its jobs used
 * @avg_ns: a moving average of its jobs' engine time; under @se's lock
 * @held: its jobs the back-end holds; under @se's lock
 * @hangs: its jobs that hung the engine; under @se's lock
 * @banned: it hung the engine ``hang_limit`` times: it takes no more jobs
 */
struct gpufe_sched_entity {
	struct gpufe_sched_engine *se;
	struct gpufe_sched_client *sclient;
	int priority;
	struct list_head link;
	struct list_head queue;
	unsigned int queued;
	bool ready;
	struct list_head ready_link;
	struct dma_fence *dep;
	struct dma_fence_cb dep_cb;
	atomic64_t busy_ns;
	u64 avg_ns;
	unsigned int held;
	unsigned int hangs;
	bool banned;
};

/**
 * struct gpufe_job_fe - the front-end's side of a job
 * @fence: the job's fence, freed with the job (gpufe_job_cache)
 * @base: what the back-end sees
 * @ctx: the context (a reference, dropped with the fence)
 * @link: in the context's queue until handed to the back-end, then in its
 *	inflight list until it signals; or, if it failed before reaching the
 *	back-end, in its failed list until it signals
 * @held_link: in the engine's list of jobs the back-end holds
 * @held: on that list
 * @run_head: the first on that list of a run of its context's jobs: it
 *	holds the run's credit
 * @deadline: CLOCK_MONOTONIC ns by which its dependencies must have
 *	signalled
 * @num_deps: entries in @deps
 * @next_dep: the first dependency not yet seen signalled
 * @deps: fences to wait for (references)
 * @bos: the buffers (references), in the order of @base.bos
 * @free_node: on gpufe_jobs_done, for gpufe_jobs_done_work to drop what
 *	may need to sleep, then the job's own fence reference; after the
 *	fence's last reference, on gpufe_fences_dead
 * @inline_cmds: holds a short command stream, saving an allocation
 * @error: why the job failed, before reaching the back-end or in it
 *	(gpufe_job_complete(), published by the slot's release)
 */
struct gpufe_job_fe {
	struct dma_fence fence;
	struct gpufe_job base;
	struct gpufe_ctx *ctx;
	struct list_head link;
	struct list_head held_link;
	bool held;
	bool run_head;
	u64 deadline;
	unsigned int num_deps;
	unsigned int next_dep;
	struct dma_fence **deps;
	struct gpufe_bo **bos;
	struct llist_node free_node;
	u32 inline_cmds[16];
	int error;
};

/**
 * struct gpufe_device - the front-end's side of a GPU
 * @ref: the back-end holds one reference from gpufe_device_register()
 *	until its gpufe_device_release(), past gpufe_device_unregister(); every
 *	lookup and every context takes one more
 * @id: the id user space names the device by, never 0
 * @unplugged: set once by gpufe_device_unregister(); read with
 *	gpufe_device_unplugged() between gpufe_device_enter() and
 *	gpufe_device_exit()
 * @ops: the back-end's entry points, valid while !@unplugged
 * @priv: the back-end's private data, valid while !@unplugged
 * @name: the device's name
 * @backend: the back-end's name, copied so it outlives the module
 * @mem_size: bytes of device memory
 * @dma_dev: the device that writes completion slots by DMA (a
 *	reference), or NULL
 * @dma_lock: protects @dma_maps and @dma_released
 * @dma_maps: the completion pages mapped for @dma_dev, by page frame
 * @dma_released: gpufe_device_release() unmapped them all
 * @map_bos: every job's buffers are mapped for @dma_dev
 *	(&gpufe_device_desc.map_bos)
 * @bo_maps: the buffers mapped for @dma_dev (&gpufe_bo_dma.dev_link),
 *	under @dma_lock, until their last job is done with them or
 *	gpufe_device_release() unmaps them
 * @route: completion routing
 * @sched: the scheduler (gpufe_sched.c)
 * @num_engines: number of entries in @engines
 * @engines: sorted by class, then back-end instance
 *
 * Everything but @ref, @unplugged, @dma_maps, @dma_released, @bo_maps
 * and @route is fixed at registration.
 */
struct gpufe_device {
	struct kref ref;
	u32 id;
	bool unplugged;
	const struct gpufe_backend_ops *ops;
	void *priv;
	char name[GPUFE_NAME_LEN];
	char backend[GPUFE_NAME_LEN];
	u64 mem_size;
	struct device *dma_dev;
	struct mutex dma_lock; /* protects dma_maps, dma_released */
	struct xarray dma_maps;
	bool dma_released;
	bool map_bos;
	struct list_head bo_maps;
	struct gpufe_route route;
	struct gpufe_sched sched;
	unsigned int num_engines;
	struct gpufe_engine engines[];
};

/**
 * struct gpufe_partition_params - what a partition is made of
 * @device_id: the device
 * @engine_mask: its engines, in the device's numbering
 * @mem_quota: bytes of buffer memory its clients may use, 0: no quota
 * @weight: its scheduling weight, 1 to %GPUFE_PARTITION_MAX_WEIGHT
 * @max_clients: clients it may have at once, 0: no limit
 * @engine_timeout_ms: how long its jobs may run on an engine, 0 for the
 *	``engine_timeout_ms`` module parameter
 * @persistent: it lives until revoked, and has a device node
 * @node_uid: the node's owner
 * @node_gid: the node's group
 * @node_mode: the node's permission bits, 0 for 0600
 */
struct gpufe_partition_params {
	u32 device_id;
	u64 engine_mask;
	u64 mem_quota;
	u32 weight;
	u32 max_clients;
	u32 engine_timeout_ms;
	bool persistent;
	kuid_t node_uid;
	kgid_t node_gid;
	umode_t node_mode;
};

/**
 * struct gpufe_view_engine - an engine as a client sees it
 * @engine: the device's engine
 * @instance: its instance in the client's dense numbering
 */
struct gpufe_view_engine {
	const struct gpufe_engine *engine;
	u16 instance;
};

/**
 * struct gpufe_partition - a slice of one device (gpufe_partition.c)
 * @ref: the registration, each client, each lookup and each mapping of
 *	the register page hold one
 * @id: the partition's id, 1 to %GPUFE_PARTITION_MAX - 1
 * @minor: a persistent partition's node's minor, never reused before
 *	the minor space wraps, so that a stale copy of a revoked
 *	partition's node opens nothing; 0 for a partition without node
 * @gdev: the device (a reference)
 * @layout: the device's engines per class
 * @reg: the real configuration register, fixed at creation
 * @emu: the emulated register the partition's clients read; its
 *	%GPUFE_CONFIG_REG_REVOKED flag is set under gpufe_partitions_lock
 * @reg_page: @emu as the clients map it
 * @num_engines: entries of @engines
 * @engines: the partition's engines in its clients' numbering
 * @engine_timeout_ms: how long its jobs may run on an engine, 0 for the
 *	module parameter
 * @persistent: created persistent
 * @node_uid: the node's owner
 * @node_gid: the node's group
 * @node_mode: the node's permission bits
 * @mem_used: bytes of buffer memory charged to the partition's clients
 * @users: the clients' files, the creator's hold and, for a persistent
 *	partition, its own until revoked; the partition ends at 0; under
 *	gpufe_partitions_lock
 * @num_clients: the clients, bounded by @reg.max_clients; under
 *	gpufe_partitions_lock, read without it for sysfs
 * @clients: the clients, closed ones too until they are freed (their
 *	contexts can outlive their files), under gpufe_partitions_lock
 * @ended: revoked, or its last user went; written under
 *	gpufe_partitions_lock, read with READ_ONCE() anywhere
 * @dev: the partition in sysfs, and its node's device for a persistent
 *	one; NULL once the partition ended
 */
struct gpufe_partition {
	struct kref ref;
	u32 id;
	u32 minor;
	struct gpufe_device *gdev;
	struct gpufe_engine_layout layout;
	struct gpufe_config_reg reg;
	struct gpufe_config_reg emu;
	struct page *reg_page;
	unsigned int num_engines;
	struct gpufe_view_engine engines[GPUFE_MAX_ENGINES];
	u32 engine_timeout_ms;
	bool persistent;
	kuid_t node_uid;
	kgid_t node_gid;
	umode_t node_mode;
	atomic64_t mem_used;
	unsigned int users;
	unsigned int num_clients;
	struct list_head clients;
	bool ended;
	struct device *dev;
};

/**
 * struct gpufe_client - one open file of /dev/gpufe
 * @ref: the file holds one reference, each context and buffer it made one
 * @id: the client's id, unique among open clients
 * @serial: unique for the module's lifetime, never reused
 * @pid: the process that opened the file
 * @user: the user charged for the client's buffer memory, with @mem_used
 * @bos: buffer handles to &struct gpufe_bo, one reference each
 * @ctxs: context handles to &struct gpufe_ctx, one reference each
 * @next_ctx_id: where the cyclic allocation of context handles goes on
 * @mem_used: bytes of the buffers this client created or imported from
 *	another driver, still alive
 * @import_lock: serialises BO_IMPORT, so one dma-buf gets one handle
 * @num_ctxs: contexts with a handle or a job not yet signalled (bounded
 *	by max_contexts)
 * @jobs_inflight: jobs submitted and not yet done, at most
 *	max_inflight_jobs
 * @throttle_wq: SUBMIT waits here while the client has too many jobs
 * @event_lock: protects @events, @closed, @orphan_events and each
 *	context's @event_pending and @orphan
 * @events: contexts with an unread completion event
 * @orphan_events: events on @events of contexts whose handle is gone, at
 *	most max_contexts: more are dropped
 * @closed: the file is gone: no more events
 * @event_wq: read() and poll() wait here
 * @cpage_lock: serialises the allocation of completion pages
 * @cpages: the completion pages by page index, allocated on demand
 * @slot_ida: the completion slots in use
 * @jobs_completed: jobs whose fences signalled (fdinfo)
 * @deliveries: times the router delivered completions here (fdinfo)
 * @wakeups: times a sleeping waiter was woken (fdinfo)
 * @part: the partition the client is restricted to (a reference), or
 *	NULL; fixed at creation
 * @part_link: in @part's list of clients
 * @hidden: a client without partition that sees no device
 *	(``partitions_mandatory``); fixed at creation
 * @ctx_lock: protects @ctx_list
 * @ctx_list: every context of the client not yet being freed, with or
 *	without handle, for revocation to kick
 */
struct gpufe_client {
	struct kref ref;
	u32 id;
	unsigned long serial;
	struct pid *pid;
	struct gpufe_user *user;
	struct xarray bos;
	struct xarray ctxs;
	u32 next_ctx_id;
	atomic64_t mem_used;
	struct mutex import_lock; /* serialises imports */
	atomic_t num_ctxs;
	atomic_t jobs_inflight;
	wait_queue_head_t throttle_wq;
	spinlock_t event_lock; /* protects events and their counts, closed */
	struct list_head events;
	unsigned int orphan_events;
	bool closed;
	wait_queue_head_t event_wq;
	struct mutex cpage_lock; /* serialises completion page allocation */
	struct xarray cpages;
	struct ida slot_ida;
	atomic64_t jobs_completed;
	atomic64_t deliveries;
	atomic64_t wakeups;
	struct gpufe_partition *part;
	struct list_head part_link;
	bool hidden;
	spinlock_t ctx_lock; /* protects ctx_list */
	struct list_head ctx_list;
};

/**
 * struct gpufe_bo - a buffer object
 * @ref: each handle, job, mapping and the exported dma-buf hold one
 * @size: bytes, a whole number of pages
 * @owner: the client charged for the memory (a reference): its creator,
 *	or the client that imported it from another driver
 * @resv: the reservation object: @own_resv, or the imported dma-buf's
 * @vaddr: a kernel mapping of the whole buffer
 * @shmem: the shmem file holding the pages of a buffer gpufe created
 * @pages: its pages, pinned for the buffer's lifetime
 * @own_resv: the reservation object of a buffer gpufe created
 * @import: the dma-buf a buffer was imported from (a reference)
 * @import_attach: gpufe's attachment to @import, which pins it
 * @import_dir: the direction of gpufe's CPU access to @import
 * @import_map: the kernel mapping of @import
 * @lock: protects @handle_count, @export and @dma_maps
 * @handle_count: handles naming the buffer, over every client
 * @export: the dma-buf made of the buffer, kept while it has handles
 * @dma_maps: its mappings for devices' DMA (&gpufe_bo_dma.bo_link), while
 *	jobs in flight use them (gpufe_bo_dma_map())
 */
struct gpufe_bo {
	struct kref ref;
	u64 size;
	struct gpufe_client *owner;
	struct dma_resv *resv;
	void *vaddr;
	struct file *shmem;
	struct page **pages;
	struct dma_resv own_resv;
	struct dma_buf *import;
	struct dma_buf_attachment *import_attach;
	enum dma_data_direction import_dir;
	struct iosys_map import_map;
	struct mutex lock; /* protects handle_count, export */
	unsigned int handle_count;
	struct dma_buf *export;
	struct list_head dma_maps;
};

/**
 * struct gpufe_bo_dma - a buffer's pages mapped for a device's DMA
 * @bo_link: in the buffer's &gpufe_bo.dma_maps, under its lock
 * @dev_link: in the device's &gpufe_device.bo_maps while mapped, under its
 *	&gpufe_device.dma_lock; empty once unmapped
 * @gdev: the device (a reference)
 * @sgt: the pages, mapped %DMA_BIDIRECTIONAL with %DMA_ATTR_SKIP_CPU_SYNC
 *	until unmapped: by the last user's gpufe_bo_dma_unmap(), or by
 *	gpufe_device_release() if that comes first
 * @users: jobs using it, under the buffer's lock
 */
struct gpufe_bo_dma {
	struct list_head bo_link;
	struct list_head dev_link;
	struct gpufe_device *gdev;
	struct sg_table sgt;
	unsigned int users;
};

/**
 * struct gpufe_timeline - a context's jobs as fences
 * @context: the dma_fence context of the jobs' fences
 * @name: the fences' timeline name
 * @submit_lock: serialises submissions: seqnos and implicit fences
 * @submitted: the last sequence number given out, written under
 *	@submit_lock; atomic64 so that 32-bit readers never see it torn
 * @lock: the fences' lock; protects @error, @inflight and @failed, and
 *	serialises the writers of @completed
 * @inflight: jobs in the back-end's hands, in order, under @lock
 * @failed: jobs that failed before reaching the back-end, in order,
 *	waiting for the jobs ahead of them to complete before they signal,
 *	under @lock; no job after the first of them goes to the back-end
 *	meanwhile, so that the front-end is then the only writer of the
 *	completion slot
 * @completed: every job up to this sequence number has completed;
 *	written under @lock, read without it
 * @deliver_to: what the router saw in the slot and left to the context's
 *	work to deliver, for want of budget; under @lock
 * @error: the error of the last job that failed
 */
struct gpufe_timeline {
	u64 context;
	char name[GPUFE_NAME_LEN + GPUFE_ENGINE_NAME_LEN + 16];
	struct mutex submit_lock; /* serialises submissions */
	atomic64_t submitted;
	spinlock_t lock; /* fence lock; protects completed, error, failed */
	struct list_head inflight;
	struct list_head failed;
	atomic64_t completed;
	u64 deliver_to;
	int error;
};

/**
 * struct gpufe_ctx_route - a context as the completion router sees it
 * @slot: the context's completion slot, on its client's completion page
 * @slot_index: the slot's number, @slot_offset / sizeof(*@slot)
 * @slot_dma: @slot's DMA address for the device's @dma_dev, or 0
 * @slot_page: @slot's page
 * @reserved: the device's pending set has room for the context
 * @idx: the context's entry in the device's pending set, or -1; under the
 *	device's route lock
 * @handed: the last sequence number in the back-end's hands; under the
 *	device's route lock
 */
struct gpufe_ctx_route {
	struct gpufe_completion_slot *slot;
	unsigned int slot_index;
	dma_addr_t slot_dma;
	struct page *slot_page;
	bool reserved;
	int idx;
	u64 handed;
};

/**
 * struct gpufe_ctx_events - a context's completions as its client sees them
 * @wq: WAIT sleeps here
 * @link: in the client's event list, under its @event_lock
 * @pending: on that list
 * @orphan: the handle is gone; under the client's @event_lock
 */
struct gpufe_ctx_events {
	wait_queue_head_t wq;
	struct list_head link;
	bool pending;
	bool orphan;
};

/**
 * struct gpufe_ctx - a context: a queue of jobs on one engine
 * @ref: the handle, each job and a pending event hold one
 * @id: the handle, in the client's namespace
 * @client: the owner (a reference)
 * @gdev: the device (a reference)
 * @engine: the engine, in @gdev
 * @ent: the scheduling entity: run queue, priority, engine time
 * @tl: the fence timeline
 * @rt: completion routing
 * @ev: completion events
 * @work: waits for the dependencies of the head of the queue, delivers
 *	what the router left, fails jobs that can no longer run
 * @release_work: frees the context in process context
 * @rcu: the context is freed after a grace period, for lockless lookups
 * @active: the handle and every job given a sequence number and not yet
 *	signalled; at zero the context retires: it gives its slot and its
 *	place in the device's pending set back and no longer counts against
 *	max_contexts, however long its fences and events keep the structure
 *	alive
 * @retired: gpufe_ctx_retire() ran
 * @retire_work: retires the context in process context, when its last
 *	active reference went in interrupt context
 * @client_link: in the client's @ctx_list, until the release starts
 */
struct gpufe_ctx {
	struct kref ref;
	u32 id;
	struct gpufe_client *client;
	struct gpufe_device *gdev;
	const struct gpufe_engine *engine;
	struct gpufe_sched_entity ent;
	struct gpufe_timeline tl;
	struct gpufe_ctx_route rt;
	struct gpufe_ctx_events ev;
	struct delayed_work work;
	struct work_struct release_work;
	struct rcu_head rcu;
	atomic_t active;
	bool retired;
	struct work_struct retire_work;
	struct list_head client_link;
};

/* gpufe_drv.c */
extern unsigned int gpufe_client_mem_mib;
extern unsigned int gpufe_user_mem_mib;
extern unsigned int gpufe_max_bo_mib;
extern unsigned int gpufe_job_timeout_ms;
extern unsigned int gpufe_engine_timeout_ms;
extern unsigned int gpufe_hang_limit;
extern unsigned int gpufe_prio_starvation_ms;
extern unsigned int gpufe_max_contexts;
extern unsigned int gpufe_max_inflight_jobs;
extern unsigned int gpufe_route_watchdog_ms;
extern bool gpufe_partitions_mandatory;
extern const struct file_operations gpufe_fops;
extern const struct file_operations gpufe_part_node_fops;
extern struct workqueue_struct *gpufe_wq;
extern struct workqueue_struct *gpufe_route_wq;
extern struct workqueue_struct *gpufe_cleanup_wq;
struct device *gpufe_misc_device(void);

/* gpufe_client.c */
struct gpufe_client *gpufe_client_create(struct gpufe_partition *part);
struct file *gpufe_client_file(struct gpufe_client *client);
void gpufe_client_close(struct gpufe_client *client);
struct gpufe_client *gpufe_client_get(struct gpufe_client *client);
void gpufe_client_put(struct gpufe_client *client);
unsigned long gpufe_client_count(void);
void gpufe_clients_show(struct seq_file *m);
void gpufe_client_fdinfo(struct gpufe_client *client, struct seq_file *m);
int gpufe_client_charge(struct gpufe_client *client, u64 size);
void gpufe_client_uncharge(struct gpufe_client *client, u64 size);
void gpufe_users_fini(void);

/* gpufe_cpage.c */
int gpufe_slot_alloc(struct gpufe_ctx *ctx);
void gpufe_slot_free(struct gpufe_ctx *ctx);
void gpufe_slot_unmap(struct gpufe_ctx *ctx);
void gpufe_slot_write(struct gpufe_completion_slot *slot, u64 seqno,
		      int error);
int gpufe_cpage_mmap(struct gpufe_client *client, struct vm_area_struct *vma);
void gpufe_client_cpages_fini(struct gpufe_client *client);

/* gpufe_irq.c */
void gpufe_route_init(struct gpufe_device *gdev);
void gpufe_route_fini(struct gpufe_device *gdev);
int gpufe_route_reserve(struct gpufe_device *gdev);
void gpufe_route_unreserve(struct gpufe_device *gdev);
void gpufe_route_forget(struct gpufe_ctx *ctx);
u32 gpufe_route_add(struct gpufe_ctx *ctx, u64 seqno);
void gpufe_route_poll(struct gpufe_device *gdev);
void gpufe_route_take_back(struct gpufe_ctx *ctx, u64 seqno);
void gpufe_route_show(struct seq_file *m);

/* gpufe_bo.c */
struct gpufe_bo *gpufe_bo_lookup(struct gpufe_client *client, u32 handle,
				 bool *readonly);
long gpufe_bo_objects(void);
struct gpufe_bo *gpufe_bo_get(struct gpufe_bo *bo);
void gpufe_bo_put(struct gpufe_bo *bo);
struct sg_table *gpufe_bo_dma_map(struct gpufe_bo *bo,
				  struct gpufe_device *gdev);
void gpufe_bo_dma_unmap(struct gpufe_bo *bo, struct sg_table *sgt);
void gpufe_bo_dma_unmap_locked(struct gpufe_bo_dma *map);
int gpufe_bo_handle_create(struct gpufe_client *client, struct gpufe_bo *bo,
			   bool readonly, u32 *handle);
u32 gpufe_bo_handle_find(struct gpufe_client *client,
			 const struct gpufe_bo *bo);

/* The mark of read-only handles in &gpufe_client.bos (0 is the allocator's). */
#define GPUFE_BO_MARK_READONLY	XA_MARK_1
struct gpufe_bo *gpufe_bo_alloc_import(struct gpufe_client *client,
				       struct dma_buf *dmabuf, bool readonly);
void gpufe_client_bos_fini(struct gpufe_client *client);
int gpufe_bo_mmap(struct gpufe_client *client, struct vm_area_struct *vma);
u64 gpufe_bo_mmap_offset(u32 handle);
int gpufe_bo_mmap_pages(struct gpufe_bo *bo, struct vm_area_struct *vma);
int gpufe_ioctl_bo_create(struct gpufe_client *client, void *data);
int gpufe_ioctl_bo_destroy(struct gpufe_client *client, void *data);

/* gpufe_prime.c */
int gpufe_ioctl_bo_export(struct gpufe_client *client, void *data);
int gpufe_ioctl_bo_import(struct gpufe_client *client, void *data);
bool gpufe_bo_is_gpufe_dmabuf(const struct dma_buf *dmabuf);

/* gpufe_ctx.c */
struct gpufe_ctx *gpufe_ctx_lookup(struct gpufe_client *client, u32 id);
struct gpufe_ctx *gpufe_ctx_get(struct gpufe_ctx *ctx);
void gpufe_ctx_put(struct gpufe_ctx *ctx);
bool gpufe_ctx_active_get(struct gpufe_ctx *ctx);
void gpufe_ctx_active_put(struct gpufe_ctx *ctx);
void gpufe_ctx_active_sub_atomic(struct gpufe_ctx *ctx, unsigned int n);
void gpufe_ctx_orphan(struct gpufe_ctx *ctx);
long gpufe_ctx_objects(void);
void gpufe_client_ctxs_fini(struct gpufe_client *client);
void gpufe_client_ctxs_kick(struct gpufe_client *client);
int gpufe_ioctl_ctx_create(struct gpufe_client *client, void *data);
int gpufe_ioctl_ctx_destroy(struct gpufe_client *client, void *data);
int gpufe_ioctl_ctx_status(struct gpufe_client *client, void *data);

/* gpufe_job.c */
bool gpufe_ctx_deliver(struct gpufe_ctx *ctx, u64 seqno, unsigned int *budget);
void gpufe_ctx_deliver_rest(struct gpufe_ctx *ctx);
void gpufe_job_fail_locked(struct gpufe_ctx *ctx, struct gpufe_job_fe *job,
			   int error);
bool gpufe_job_is_gpufe(const struct dma_fence *fence);
void gpufe_resv_scrub(struct dma_resv *resv);
int gpufe_jobs_init(void);
void gpufe_jobs_fini(void);
int gpufe_ioctl_submit(struct gpufe_client *client, void *data);
int gpufe_ioctl_wait(struct gpufe_client *client, void *data);
ssize_t gpufe_events_read(struct gpufe_client *client, char __user *buf,
			  size_t count, bool nonblock);
__poll_t gpufe_events_poll(struct gpufe_client *client, struct file *file,
			   poll_table *wait);
void gpufe_client_events_fini(struct gpufe_client *client);

/* gpufe_device.c */
extern struct mutex gpufe_registry_lock;
struct gpufe_device *gpufe_device_lookup(u32 id);
struct gpufe_device *gpufe_device_get(struct gpufe_device *gdev);
void gpufe_device_put(struct gpufe_device *gdev);
dma_addr_t gpufe_device_map_page(struct gpufe_device *gdev, struct page *page);
void gpufe_device_unmap_page(struct gpufe_device *gdev, struct page *page);
int gpufe_device_enter(void);
void gpufe_device_exit(int idx);
bool gpufe_device_unplugged(const struct gpufe_device *gdev);
unsigned int gpufe_device_count_locked(void);
struct gpufe_device *gpufe_device_next_locked(unsigned long *index);
long gpufe_device_objects(void);
void gpufe_devices_show(struct seq_file *m);
void gpufe_devices_fini(void);
void gpufe_device_layout(const struct gpufe_device *gdev,
			 struct gpufe_engine_layout *layout);

/* gpufe_query.c */
int gpufe_ioctl_version(struct gpufe_client *client, void *data);
int gpufe_ioctl_query(struct gpufe_client *client, void *data);
int gpufe_query_size(struct gpufe_query *q, size_t needed);
const char *gpufe_engine_class_name(u32 engine_class);
int gpufe_query_copy_out(struct gpufe_query *q, const void *res, size_t size);

/* gpufe_partition.c */
extern struct mutex gpufe_partitions_lock;
extern struct class gpufe_class;
struct gpufe_partition *gpufe_partition_create(const struct gpufe_partition_params *p);
struct gpufe_partition *gpufe_partition_lookup(u32 id);
void gpufe_partition_close(struct gpufe_partition *part);
void gpufe_partition_revoke(struct gpufe_partition *part);
void gpufe_partition_put(struct gpufe_partition *part);
int gpufe_partition_add_client(struct gpufe_partition *part,
			       struct gpufe_client *client);
void gpufe_partition_remove_client(struct gpufe_client *client);
void gpufe_partition_forget_client(struct gpufe_client *client);
void gpufe_partitions_device_gone(struct gpufe_device *gdev);
long gpufe_partition_objects(void);
void gpufe_partitions_show(struct seq_file *m);
int gpufe_partitions_init(void);
void gpufe_partitions_fini(void);
int gpufe_partition_node_open(struct inode *inode, struct file *file);
int gpufe_reg_mmap(struct gpufe_client *client, struct vm_area_struct *vma);
bool gpufe_client_revoked(const struct gpufe_client *client);
bool gpufe_client_sees(const struct gpufe_client *client,
		       const struct gpufe_device *gdev);
unsigned int gpufe_client_num_engines(const struct gpufe_client *client,
				      const struct gpufe_device *gdev);
struct gpufe_view_engine gpufe_client_engine(const struct gpufe_client *client,
					     const struct gpufe_device *gdev,
					     unsigned int index);
const struct gpufe_engine *
gpufe_client_engine_find(const struct gpufe_client *client,
			 const struct gpufe_device *gdev, u32 engine_class,
			 u32 instance);
void gpufe_client_config_reg(const struct gpufe_client *client,
			     const struct gpufe_device *gdev,
			     struct gpufe_config_reg *reg);
int gpufe_query_partitions(struct gpufe_client *client, struct gpufe_query *q);
int gpufe_ioctl_partition_create(struct gpufe_client *client, void *data);
int gpufe_ioctl_partition_open(struct gpufe_client *client, void *data);
int gpufe_ioctl_partition_revoke(struct gpufe_client *client, void *data);

/* gpufe_sched.c */
int gpufe_sched_init(struct gpufe_device *gdev, unsigned int credits);
void gpufe_sched_register(struct gpufe_device *gdev);
void gpufe_sched_device_gone(struct gpufe_device *gdev);
void gpufe_sched_fini(struct gpufe_device *gdev);
int gpufe_sched_entity_init(struct gpufe_ctx *ctx, int priority);
void gpufe_sched_entity_stop(struct gpufe_ctx *ctx);
void gpufe_sched_entity_fini(struct gpufe_ctx *ctx);
void gpufe_sched_push(struct gpufe_job_fe *job);
bool gpufe_sched_done(struct gpufe_ctx *ctx, struct list_head *done);
void gpufe_sched_kick(struct gpufe_sched_engine *se);
void gpufe_sched_client_cancel(struct gpufe_client *client);
void gpufe_ctx_work(struct work_struct *work);
unsigned int gpufe_sched_queued(struct gpufe_ctx *ctx);
void gpufe_sched_show(struct seq_file *m);
int gpufe_sched_class_init(void);

/* gpufe_debugfs.c */
void gpufe_debugfs_init(void);
void gpufe_debugfs_fini(void);

#endif /* _GPUFE_DRV_H_ */
