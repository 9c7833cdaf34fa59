/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The configuration register of a partition: encode, decode, validate,
 * and the dense renumbering of its engines both ways. Kernel/user-neutral;
 * see gpufe_config_reg.c.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef GPUFE_CONFIG_REG_H
#define GPUFE_CONFIG_REG_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#endif

#include <gpufe.h>

/* The size of version 1 of the register. */
#define GPUFE_CONFIG_REG_SIZE_V1	56

/* The most engines a register can name: the bits of its mask. */
#define GPUFE_CONFIG_REG_MAX_ENGINES	64

/**
 * struct gpufe_engine_layout - a device's engines, per class
 * @count: how many engines of each class the device has; its engines are
 *	numbered by class, then instance: engine i is of the first class c
 *	whose counts up to and including c pass i
 */
struct gpufe_engine_layout {
	__u16 count[GPUFE_CONFIG_REG_CLASSES];
};

int gpufe_config_reg_init(struct gpufe_config_reg *reg,
			  const struct gpufe_engine_layout *dev,
			  __u32 device_id, __u32 partition_id,
			  __u64 engine_mask, __u64 mem_quota, __u32 weight,
			  __u32 max_clients, __u32 flags);
void gpufe_config_reg_emulate(const struct gpufe_config_reg *real,
			      struct gpufe_config_reg *emu);
int gpufe_config_reg_validate(const struct gpufe_config_reg *reg);
void gpufe_config_reg_encode(void *mem, const struct gpufe_config_reg *reg);
int gpufe_config_reg_decode(const void *mem, size_t len,
			    struct gpufe_config_reg *reg);
int gpufe_config_reg_to_device(const struct gpufe_config_reg *real,
			       const struct gpufe_engine_layout *dev,
			       unsigned int engine_class,
			       unsigned int instance);
int gpufe_config_reg_from_device(const struct gpufe_config_reg *real,
				 const struct gpufe_engine_layout *dev,
				 unsigned int index,
				 unsigned int *engine_class,
				 unsigned int *instance);

#endif /* GPUFE_CONFIG_REG_H */
