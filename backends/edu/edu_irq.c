// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: edu interrupts
 *
 * An edu device has one interrupt: an MSI vector if the platform gives
 * one, else INTx, which is level-triggered and may be shared. Its status
 * register says what raised it: %EDU_IRQ_FACT, a factorial done (when
 * the status register's %EDU_STATUS_IRQFACT is set, which the driver
 * does at probe and after every reset), and %EDU_IRQ_DMA, a transfer
 * done (every transfer asks for it).
 *
 * The hard interrupt handler reads the status, writes the bits back to
 * the acknowledge register, which clears them (and lowers INTx), marks
 * the engine each bit belongs to (&edu_engine.irq_pending) and queues
 * that engine's work item, which looks at the device and advances the
 * engine (edu_engine.c). The handler neither waits nor logs. An
 * interrupt with no status bit set is not this device's.
 *
 * Fault injection: while sysfs ``drop_irqs`` is above 0, the handler
 * acknowledges an interrupt and then drops it, counting ``drop_irqs``
 * down: the engines' watchdogs then find the operations done and count
 * them in ``lost_irqs``.
 */

#include <linux/atomic.h>
#include <linux/interrupt.h>
#include <linux/pci.h>

#include "edu.h"

static irqreturn_t edu_irq_handler(int irq, void *arg)
{
	struct edu_device *edu = arg;
	unsigned int i;
	u32 status;

	status = edu_read(edu, EDU_REG_IRQ_STATUS);
	/* Not ours (shared INTx), or the device has gone. */
	if (!status || status == U32_MAX)
		return IRQ_NONE;
	edu_write(edu, EDU_REG_IRQ_ACK, status);

	if (atomic_dec_if_positive(&edu->drop_irqs) >= 0)
		return IRQ_HANDLED;

	for (i = 0; i < EDU_NUM_ENGINES; i++) {
		struct edu_engine *engine = &edu->engines[i];

		if (status & engine->irq_bit) {
			atomic_set(&engine->irq_pending, 1);
			queue_work(edu->wq, &engine->work);
		}
	}
	return IRQ_HANDLED;
}

/**
 * edu_irq_init() - set up and enable a device's interrupt
 * @edu: the device, with its engines and workqueue set up
 *
 * Allocates the one vector (MSI, else INTx), installs the handler,
 * acknowledges whatever the device's status register holds, and sets the
 * factorial's interrupt enable. Undone by edu_irq_fini().
 *
 * Return: 0 or a negative errno.
 */
int edu_irq_init(struct edu_device *edu)
{
	struct pci_dev *pdev = edu->pdev;
	int ret;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;
	edu->irq = pci_irq_vector(pdev, 0);
	if (edu->irq < 0) {
		ret = edu->irq;
		goto err_free_vectors;
	}
	/* Left over from a driver before: not ours to report. */
	edu_write(edu, EDU_REG_IRQ_ACK, edu_read(edu, EDU_REG_IRQ_STATUS));
	ret = request_irq(edu->irq, edu_irq_handler, IRQF_SHARED, edu->name,
			  edu);
	if (ret)
		goto err_free_vectors;
	edu_write(edu, EDU_REG_STATUS, EDU_STATUS_IRQFACT);
	return 0;

err_free_vectors:
	pci_free_irq_vectors(pdev);
	return ret;
}

/**
 * edu_irq_fini() - disable and free a device's interrupt
 * @edu: the device
 *
 * Waits for a handler that runs. Afterwards no engine's work item is
 * queued by an interrupt.
 */
void edu_irq_fini(struct edu_device *edu)
{
	edu_write(edu, EDU_REG_STATUS, 0);
	free_irq(edu->irq, edu);
	pci_free_irq_vectors(edu->pdev);
}
