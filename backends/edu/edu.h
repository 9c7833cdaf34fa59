/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gpufe_edu's private header: the edu device's registers, and the device
 * and engine structures shared by its files.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef _EDU_H_
#define _EDU_H_

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <gpufe/backend.h>

/*
 * "PCI: Introduce PCI_IRQ_INTX" (2023) renamed PCI_IRQ_LEGACY, and 6.10
 * removed the old name: 6.1 has only PCI_IRQ_LEGACY, 6.12 only
 * PCI_IRQ_INTX. Kept here rather than in frontend/gpufe_compat.h, which
 * is the front-end's.
 */
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX		PCI_IRQ_LEGACY
#endif

/* The device: QEMU's educational PCI device, hw/misc/edu.c. */
#define EDU_PCI_VENDOR_ID	0x1234
#define EDU_PCI_DEVICE_ID	0x11e8

/*
 * BAR 0 registers. Below 0x80 only 4-byte accesses work, from 0x80 4 or
 * 8 bytes.
 */
#define EDU_REG_ID		0x00	/* 0xRRrr00ed: major, minor, 0xed */
#define EDU_REG_LIVENESS	0x04	/* reads back the bitwise NOT */
#define EDU_REG_FACTORIAL	0x08	/* write n: start; read: n! */
#define EDU_REG_STATUS		0x20
#define  EDU_STATUS_COMPUTING	BIT(0)	/* read-only: the factorial runs */
#define  EDU_STATUS_IRQFACT	BIT(7)	/* raise EDU_IRQ_FACT when done */
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_RAISE	0x60
#define EDU_REG_IRQ_ACK		0x64	/* write the bits to clear them */
#define  EDU_IRQ_FACT		BIT(0)
#define  EDU_IRQ_DMA		BIT(8)
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define  EDU_DMA_RUN		BIT(0)	/* write: start; read: busy */
#define  EDU_DMA_FROM_DEV	BIT(1)	/* device buffer to RAM */
#define  EDU_DMA_IRQ		BIT(2)	/* raise EDU_IRQ_DMA when done */
/* The lowest the ID register's low byte and liveness register need. */
#define EDU_REGS_SIZE		0x100

#define EDU_ID_MAGIC		0xed
/*
 * The device's DMA buffer, at this device address. QEMU 7.2 aborts the
 * whole VM for a transfer that does not lie strictly inside it (it must
 * also end before the buffer's last byte), or of 0 bytes.
 */
#define EDU_DMA_BUF_ADDR	0x40000
#define EDU_DMA_BUF_SIZE	0x1000
/*
 * The DMA address bits the device keeps (module parameter dma_bits): 28
 * by default, 32 when QEMU runs it with dma_mask=0xffffffff.
 */
#define EDU_DMA_BITS_DEFAULT	28
#define EDU_DMA_BITS_MAX	32

/*
 * How long an operation takes at most before its engine's watchdog looks
 * (about 4 times what it takes under QEMU), and how long a reset or the
 * teardown waits for one to end.
 */
#define EDU_DMA_TIMEOUT_MS	500
#define EDU_FACT_TIMEOUT_MS	100
#define EDU_IDLE_TIMEOUT_MS	1000
#define EDU_IDLE_POLL_US	5000

/* The engines, in the order they are registered (&gpufe_job.engine). */
enum edu_engine_id {
	EDU_ENGINE_COPY,
	EDU_ENGINE_COMPUTE,
	EDU_NUM_ENGINES,
};

/**
 * enum edu_op - what an engine has the device do
 * @EDU_OP_NONE: nothing
 * @EDU_OP_DMA_IN: a DMA transfer from memory to the device's buffer
 * @EDU_OP_DMA_OUT: a DMA transfer from the device's buffer to memory
 * @EDU_OP_FACTORIAL: a factorial
 */
enum edu_op {
	EDU_OP_NONE,
	EDU_OP_DMA_IN,
	EDU_OP_DMA_OUT,
	EDU_OP_FACTORIAL,
};

/**
 * struct edu_cursor - how far an engine has got with its running job
 * @error: what checking the job again at its start found, 0 if nothing
 * @pos: the offset in the stream of the command under way, in bytes
 * @done: the bytes of the COPY at @pos that are in their destination
 * @chunk: the bytes of the chunk under way, 0 between chunks
 * @in_buf: the chunk is in the device's buffer: it goes out next
 * @dst: the DMA address the chunk under way goes to
 */
struct edu_cursor {
	int error;
	u32 pos;
	u64 done;
	u32 chunk;
	bool in_buf;
	dma_addr_t dst;
};

struct edu_device;

/**
 * struct edu_engine - one engine of an edu device
 * @edu: the device it belongs to
 * @id: its &enum edu_engine_id
 * @engine_class: its &enum gpufe_engine_class
 * @name: its name, as the front-end shows it
 * @irq_bit: the interrupt status bit its operations raise
 * @timeout_ms: how long its operations may take before the watchdog looks
 * @work: advances the engine: finishes the operation that ended, starts
 *	the next; queued by the interrupt handler, the watchdog and
 *	edu_job_run(), on the device's workqueue
 * @watchdog: armed for every operation started: if the operation's
 *	interrupt has not come by its deadline, looks at the busy bit and,
 *	if the operation is done, counts a lost interrupt and queues @work
 * @irq_pending: set by the interrupt handler when @irq_bit came, cleared
 *	by @work before it looks at the device
 * @lock: protects @running, @cursor, @op, @deadline_ns and the device's
 *	registers of this engine; held by @work, @watchdog, the reset of
 *	edu_job_take_back() and the teardown, never in interrupt context.
 *	Nothing that holds it allocates memory or waits for a fence
 * @running: the job the engine runs, from when @work took it off @queue
 *	until it completes it or hands it back; NULL when idle
 * @cursor: how far @running has got
 * @op: the operation the device does for this engine; it stays while
 *	the device is busy with it, even if @running was handed back
 * @deadline_ns: when @watchdog looks at @op
 * @queue_lock: protects @queue and @dying; taken inside @lock, and in
 *	edu_job_run(), which may run in interrupt context
 * @queue: the jobs edu_job_run() got that have not started, linked
 *	through &gpufe_job.link, in the order they came
 * @dying: set once by the teardown: from then on no job and no
 *	operation starts; written under both locks, read under either
 */
struct edu_engine {
	struct edu_device *edu;
	enum edu_engine_id id;
	u32 engine_class;
	const char *name;
	u32 irq_bit;
	unsigned int timeout_ms;
	struct work_struct work;
	struct delayed_work watchdog;
	atomic_t irq_pending;
	struct mutex lock; /* protects running, cursor, op, deadline_ns */
	struct gpufe_job *running;
	struct edu_cursor cursor;
	enum edu_op op;
	u64 deadline_ns;
	spinlock_t queue_lock; /* protects queue and dying */
	struct list_head queue;
	bool dying;
};

/**
 * struct edu_device - one edu device, one gpufe device
 * @pdev: the PCI device
 * @mmio: BAR 0
 * @gdev: the front-end's device, set by probe once
 *	gpufe_device_register() has returned
 * @started: set by probe, with release semantics, after @gdev: until
 *	then the engines' work items do nothing (edu_job_run() only
 *	queues); read with acquire semantics
 * @name: the gpufe device's name, "edu-" and the PCI address
 * @dma_mask: the DMA mask set on @pdev: every DMA address programmed
 *	lies within it
 * @irq: the Linux interrupt number of the device's one vector
 * @wq: runs the engines' @work and @watchdog items
 * @drop_irqs: sysfs ``drop_irqs``: interrupts the handler acknowledges
 *	and then drops, for tests of the watchdog
 * @lost_irqs: sysfs ``lost_irqs``: operations the watchdogs found done
 *	without their interrupt
 * @master_lock: protects @master_off and the bus master bit once probe
 *	has set it; taken inside &edu_engine.lock
 * @master_off: a reset handed back a job whose transfer was still under
 *	way and turned bus mastering off; it goes on again once the device's
 *	DMA busy bit is clear, before the next operation starts
 * @engines: the engines, indexed by &enum edu_engine_id
 */
struct edu_device {
	struct pci_dev *pdev;
	void __iomem *mmio;
	struct gpufe_device *gdev;
	bool started;
	char name[GPUFE_NAME_LEN];
	u64 dma_mask;
	int irq;
	struct workqueue_struct *wq;
	atomic_t drop_irqs;
	atomic_t lost_irqs;
	struct mutex master_lock; /* protects master_off, the bus master bit */
	bool master_off;
	struct edu_engine engines[EDU_NUM_ENGINES];
};

static inline u32 edu_read(const struct edu_device *edu, u32 reg)
{
	return readl(edu->mmio + reg);
}

static inline void edu_write(const struct edu_device *edu, u32 reg, u32 val)
{
	writel(val, edu->mmio + reg);
}

/* edu_cmd.c */
int edu_job_check(u32 engine_class, const struct gpufe_job *job);
u32 edu_copy_chunk(u64 src_offset, u64 dst_offset, u64 length, u64 done);

/* edu_engine.c */
void edu_engine_init(struct edu_engine *engine, struct edu_device *edu,
		     enum edu_engine_id id);
void edu_engine_stop(struct edu_engine *engine);
void edu_engine_fail_all(struct edu_engine *engine, int error);
void edu_engine_fini(struct edu_engine *engine);
int edu_engine_wait_idle(struct edu_engine *engine);
int edu_job_validate(struct gpufe_device *gdev, const struct gpufe_job *job);
void edu_job_run(struct gpufe_device *gdev, struct gpufe_job *job);
void edu_job_take_back(struct gpufe_device *gdev, unsigned int engine_idx,
		       bool reset, struct list_head *jobs);

/* edu_irq.c */
int edu_irq_init(struct edu_device *edu);
void edu_irq_fini(struct edu_device *edu);

#endif /* _EDU_H_ */
