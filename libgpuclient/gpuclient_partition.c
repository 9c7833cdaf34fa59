// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: partitions
 *
 * Creating and revoking partitions, listing them, and reading the
 * configuration register, by query or through its read-only page
 * (interface 1.3, GPUFE_FEATURE_PARTITIONS). Opening clients of a
 * partition is in gpuclient.c, with the other ways of making a handle.
 *
 * The library passes what the caller asks for to the kernel, which checks
 * it: only the flags of &struct gpuclient_partition_params are checked
 * here, as the library translates them. What comes back is checked before
 * it is believed: a created partition's id and descriptor, the size of
 * the partition list as gpuclient_query_devices() checks the device list,
 * and the register as the uAPI's "gpufe configuration register" tells a
 * reader: its magic, its version (one this library knows), its size (at
 * least version 1's; a later version's further fields are skipped) and
 * that its engine mask and per-class counts agree. Other fields (flags,
 * weight) are passed on as the kernel wrote them.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gpuclient_priv.h"

/* The size of version 1 of the register, the least a reader accepts. */
#define GPUCLIENT_CONFIG_REG_SIZE_V1	56

_Static_assert(sizeof(struct gpufe_partition_create) == 56,
	       "struct gpufe_partition_create layout");
_Static_assert(sizeof(struct gpufe_partition_revoke) == 8,
	       "struct gpufe_partition_revoke layout");
_Static_assert(sizeof(struct gpufe_partition_info) == 48,
	       "struct gpufe_partition_info layout");
_Static_assert(sizeof(struct gpufe_query_partitions) == 8,
	       "struct gpufe_query_partitions layout");
_Static_assert(sizeof(struct gpufe_config_reg) == GPUCLIENT_CONFIG_REG_SIZE_V1,
	       "struct gpufe_config_reg layout");

/* The library's constants are the uAPI's, passed through unchanged. */
_Static_assert(GPUCLIENT_PARTITION_PERSISTENT == GPUFE_PARTITION_PERSISTENT,
	       "partition flag persistent");
_Static_assert(GPUCLIENT_PARTITION_PERSISTENT == GPUFE_CONFIG_REG_PERSISTENT,
	       "partition info flag persistent");
_Static_assert(GPUCLIENT_PARTITION_MAX_WEIGHT == GPUFE_PARTITION_MAX_WEIGHT,
	       "partition weight");
_Static_assert(GPUCLIENT_CONFIG_REG_PERSISTENT == GPUFE_CONFIG_REG_PERSISTENT,
	       "register flag persistent");
_Static_assert(GPUCLIENT_CONFIG_REG_REVOKED == GPUFE_CONFIG_REG_REVOKED,
	       "register flag revoked");
_Static_assert(GPUCLIENT_CONFIG_REG_DENSE == GPUFE_CONFIG_REG_DENSE,
	       "register flag dense");
_Static_assert(GPUCLIENT_CONFIG_REG_CLASSES == GPUFE_CONFIG_REG_CLASSES,
	       "register engine classes");

gpuclient_public int
gpuclient_partition_create(gpuclient_handle h,
			   const struct gpuclient_partition_params *params,
			   uint32_t *partition_id, int *fd)
{
	struct gpufe_partition_create args;
	int ret;

	if (!h || !params)
		return -EINVAL;
	if (params->flags & ~GPUCLIENT_PARTITION_PERSISTENT)
		return -EINVAL;
	/* Closing the only client of a partition ends it at once. */
	if (!fd && !(params->flags & GPUCLIENT_PARTITION_PERSISTENT))
		return -EINVAL;
	if (!gpuclient_has_partitions(h))
		return -EOPNOTSUPP;

	memset(&args, 0, sizeof(args));
	args.device_id = params->device_id;
	args.flags = params->flags;
	args.engine_mask = params->engine_mask;
	args.mem_quota = params->mem_quota;
	args.weight = params->weight;
	args.max_clients = params->max_clients;
	args.node_uid = params->node_uid;
	args.node_gid = params->node_gid;
	args.node_mode = params->node_mode;

	ret = gpuclient_ioctl(h->fd, GPUFE_IOCTL_PARTITION_CREATE, &args);
	if (ret)
		return ret;
	if (args.fd < 0)
		return -EPROTO;
	if (!args.partition_id) {
		close(args.fd);
		return -EPROTO;
	}

	if (partition_id)
		*partition_id = args.partition_id;
	if (fd)
		*fd = args.fd;
	else
		close(args.fd);
	return 0;
}

gpuclient_public int gpuclient_partition_revoke(gpuclient_handle h,
						uint32_t partition_id)
{
	struct gpufe_partition_revoke args = { .partition_id = partition_id };

	if (!h)
		return -EINVAL;
	if (!gpuclient_has_partitions(h))
		return -EOPNOTSUPP;
	return gpuclient_ioctl(h->fd, GPUFE_IOCTL_PARTITION_REVOKE, &args);
}

gpuclient_public int
gpuclient_query_partitions(gpuclient_handle h,
			   struct gpuclient_partition_info **list,
			   uint32_t *count)
{
	const struct gpufe_query_partitions *res;
	struct gpuclient_partition_info *parts = NULL;
	uint32_t size, n, i;
	void *buf;
	int ret;

	if (!h || !list || !count)
		return -EINVAL;
	if (!gpuclient_has_partitions(h))
		return -EOPNOTSUPP;

	ret = gpuclient_query(h, GPUFE_QUERY_PARTITIONS, 0, sizeof(*res),
			      &buf, &size);
	if (ret)
		return ret;

	res = buf;
	n = res->num_partitions;
	if (!gpuclient_check_size(size, sizeof(*res), n, res->entry_size,
				  sizeof(res->partitions[0]))) {
		ret = -EPROTO;
		goto out_free;
	}

	if (n) {
		parts = calloc(n, sizeof(*parts));
		if (!parts) {
			ret = -ENOMEM;
			goto out_free;
		}
	}

	for (i = 0; i < n; i++) {
		const struct gpufe_partition_info *k = (const void *)
			((const char *)res->partitions +
			 (size_t)i * res->entry_size);

		parts[i].partition_id = k->partition_id;
		parts[i].device_id = k->device_id;
		parts[i].engine_mask = k->engine_mask;
		parts[i].mem_quota = k->mem_quota;
		parts[i].mem_used = k->mem_used;
		parts[i].weight = k->weight;
		parts[i].flags = k->flags;
		parts[i].max_clients = k->max_clients;
		parts[i].num_clients = k->num_clients;
	}

	*list = parts;
	*count = n;
out_free:
	free(buf);
	return ret;
}

gpuclient_public void
gpuclient_free_partitions(struct gpuclient_partition_info *list)
{
	free(list);
}

/*
 * gpuclient_config_reg_check() - check a register as the uAPI tells a
 * reader to, given that @len bytes of it could be read
 */
static int gpuclient_config_reg_check(const struct gpufe_config_reg *reg,
				      size_t len)
{
	unsigned int c, engines = 0;

	if (reg->magic != GPUFE_CONFIG_REG_MAGIC)
		return -EPROTO;
	if (reg->version != GPUFE_CONFIG_REG_VERSION)
		return -EPROTONOSUPPORT;
	if (reg->size < GPUCLIENT_CONFIG_REG_SIZE_V1 || reg->size > len)
		return -EPROTO;
	for (c = 0; c < GPUFE_CONFIG_REG_CLASSES; c++)
		engines += reg->engines[c];
	if (engines != (unsigned int)__builtin_popcountll(reg->engine_mask))
		return -EPROTO;
	return 0;
}

static void gpuclient_config_reg_copy(struct gpuclient_config_reg *out,
				      const struct gpufe_config_reg *reg)
{
	unsigned int c;

	memset(out, 0, sizeof(*out));
	out->partition_id = reg->partition_id;
	out->device_id = reg->device_id;
	out->engine_mask = reg->engine_mask;
	for (c = 0; c < GPUCLIENT_CONFIG_REG_CLASSES; c++)
		out->engines[c] = reg->engines[c];
	out->mem_quota = reg->mem_quota;
	out->weight = reg->weight;
	out->flags = reg->flags;
	out->max_clients = reg->max_clients;
}

gpuclient_public int gpuclient_config_reg(gpuclient_handle h,
					  uint32_t device_id,
					  struct gpuclient_config_reg *reg)
{
	const struct gpufe_config_reg *res;
	uint32_t size;
	void *buf;
	int ret;

	if (!h || !reg)
		return -EINVAL;
	if (!gpuclient_has_partitions(h))
		return -EOPNOTSUPP;

	ret = gpuclient_query(h, GPUFE_QUERY_CONFIG_REG, device_id,
			      sizeof(*res), &buf, &size);
	if (ret)
		return ret;

	res = buf;
	ret = gpuclient_config_reg_check(res, size);
	/* A register of another device than asked for is not an answer. */
	if (!ret && res->device_id != device_id)
		ret = -EPROTO;
	if (!ret)
		gpuclient_config_reg_copy(reg, res);
	free(buf);
	return ret;
}

gpuclient_public int gpuclient_config_reg_map(gpuclient_handle h,
					      const struct gpufe_config_reg **reg)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct gpufe_config_reg copy;
	void *addr;
	int ret;

	if (!h || !reg)
		return -EINVAL;
	if (!gpuclient_has_partitions(h))
		return -EOPNOTSUPP;

	addr = mmap(NULL, page, PROT_READ, MAP_SHARED, h->fd,
		    GPUFE_CONFIG_REG_MMAP_OFFSET);
	if (addr == MAP_FAILED)
		return -errno;

	/* The magic first, as the writer stores it last; then the rest. */
	copy.magic = __atomic_load_n((const uint32_t *)addr, __ATOMIC_ACQUIRE);
	memcpy((char *)&copy + sizeof(copy.magic),
	       (const char *)addr + sizeof(copy.magic),
	       sizeof(copy) - sizeof(copy.magic));
	ret = gpuclient_config_reg_check(&copy, page);
	if (ret) {
		munmap(addr, page);
		return ret;
	}

	*reg = addr;
	return 0;
}

gpuclient_public void
gpuclient_config_reg_unmap(const struct gpufe_config_reg *reg)
{
	if (reg)
		munmap((void *)reg, (size_t)sysconf(_SC_PAGESIZE));
}
