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
 * here, as the library translates them, and that a kernel before 1.4 is
 * not sent an engine timeout: there the field is a pad, which it would
 * refuse with -EINVAL, where the caller is owed -EOPNOTSUPP.
 * gpuclient_partition_create() is gpuclient_partition_create2() with the
 * kernel's default timeout. What comes back is checked before
 * it is believed: a created partition's id and descriptor, the size of
 * the partition list as gpuclient_query_devices() checks the device list,
 * and the register with gpufe_config_reg_decode(), the project's shared
 * reader (common/gpufe_config_reg.c, compiled into the library and not
 * exported): besides what the uAPI's "gpufe configuration register" tells
 * a reader to check (its magic, a version this library knows, a size of at
 * least version 1's, whose further fields are skipped, and engine counts
 * that agree with the mask), it refuses a zero mask, an unknown flag, a
 * non-zero pad, a weight out of range for the partition id, and a dense
 * mask that is not the low bits. Its errors become the library's, as
 * gpuclient_config_reg_read() says.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gpuclient_priv.h"
#include "gpufe_config_reg.h"

_Static_assert(sizeof(struct gpufe_partition_create) == 56,
	       "struct gpufe_partition_create layout");
_Static_assert(offsetof(struct gpufe_partition_create, engine_timeout_ms) ==
	       52, "struct gpufe_partition_create: 1.3's pad");
_Static_assert(GPUCLIENT_ENGINE_TIMEOUT_MAX_MS == GPUFE_ENGINE_TIMEOUT_MAX_MS,
	       "the kernel's longest engine timeout");
_Static_assert(sizeof(struct gpufe_partition_revoke) == 8,
	       "struct gpufe_partition_revoke layout");
_Static_assert(sizeof(struct gpufe_partition_info) == 48,
	       "struct gpufe_partition_info layout");
_Static_assert(sizeof(struct gpufe_query_partitions) == 8,
	       "struct gpufe_query_partitions layout");
_Static_assert(sizeof(struct gpufe_config_reg) == GPUFE_CONFIG_REG_SIZE_V1,
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
gpuclient_partition_create2(gpuclient_handle h,
			    const struct gpuclient_partition_params2 *params,
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
	if (params->engine_timeout_ms && !gpuclient_has_sched(h))
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
	args.engine_timeout_ms = params->engine_timeout_ms;

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

gpuclient_public int
gpuclient_partition_create(gpuclient_handle h,
			   const struct gpuclient_partition_params *params,
			   uint32_t *partition_id, int *fd)
{
	struct gpuclient_partition_params2 p2;

	if (!params)
		return -EINVAL;
	memset(&p2, 0, sizeof(p2));
	p2.device_id = params->device_id;
	p2.flags = params->flags;
	p2.engine_mask = params->engine_mask;
	p2.mem_quota = params->mem_quota;
	p2.weight = params->weight;
	p2.max_clients = params->max_clients;
	p2.node_uid = params->node_uid;
	p2.node_gid = params->node_gid;
	p2.node_mode = params->node_mode;
	return gpuclient_partition_create2(h, &p2, partition_id, fd);
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
 * gpuclient_config_reg_read() - copy a register out of @len readable bytes
 * at @mem (8-byte aligned) into @reg and check the copy, with
 * gpufe_config_reg_decode()
 *
 * Return: 0, or the library's error for a register it cannot use:
 * -EPROTONOSUPPORT for a version it does not know, as the shared code
 * says; -EPROTO for anything else, where the shared code says -ENODEV (no
 * magic) or -EINVAL (malformed), as to the library's callers -ENODEV is a
 * device they cannot see and -EINVAL an argument of theirs.
 */
static int gpuclient_config_reg_read(const void *mem, size_t len,
				     struct gpufe_config_reg *reg)
{
	int ret = gpufe_config_reg_decode(mem, len, reg);

	if (!ret || ret == -EPROTONOSUPPORT)
		return ret;
	return -EPROTO;
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
	struct gpufe_config_reg copy;
	uint32_t size;
	void *buf;
	int ret;

	if (!h || !reg)
		return -EINVAL;
	if (!gpuclient_has_partitions(h))
		return -EOPNOTSUPP;

	/* At least version 1's size; malloc()ed, so aligned enough. */
	ret = gpuclient_query(h, GPUFE_QUERY_CONFIG_REG, device_id,
			      sizeof(copy), &buf, &size);
	if (ret)
		return ret;

	ret = gpuclient_config_reg_read(buf, size, &copy);
	free(buf);
	if (ret)
		return ret;
	/* A register of another device than asked for is not an answer. */
	if (copy.device_id != device_id)
		return -EPROTO;
	gpuclient_config_reg_copy(reg, &copy);
	return 0;
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

	/* Copied once (the magic first, as the writer stores it last), checked. */
	ret = gpuclient_config_reg_read(addr, page, &copy);
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
