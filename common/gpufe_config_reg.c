// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: partition configuration register
 *
 * A partition's configuration register, &struct gpufe_config_reg, is built
 * here, checked here and moved in and out of shared memory here, and the
 * partition's dense engine numbering is translated here to the device's
 * and back. The file knows nothing of devices, partitions or locks, so
 * the kernel front-end, the hypervisor component and host tools share it
 * unchanged.
 *
 * Engine numbering. A device's engines are numbered by class, then
 * instance, as a client without partition sees them: given the per-class
 * counts of &struct gpufe_engine_layout, device engine i is of class c
 * where count[0] + ... + count[c - 1] <= i < count[0] + ... + count[c],
 * and is that class's (i - count[0] - ... - count[c - 1])-th instance. A
 * device has at most %GPUFE_CONFIG_REG_MAX_ENGINES (64) engines, one per
 * bit of the engine mask. The real register's engine mask is in this
 * numbering. A client of the partition numbers only the engines in the
 * mask, again by class then instance, densely from 0 within each class:
 * with counts {2, 2, 0, 0} and mask 0b1010, the partition's compute0 is
 * the device's engine 1 (its compute1) and its copy0 the device's engine
 * 3 (its copy1). The emulated register, which that client reads, has the
 * mask in the dense numbering: the low bits, one per engine, classes in
 * order, so its per-class counts are those of the real register.
 *
 * Shared memory. The register may sit in memory that another party reads
 * (a mapped page) or writes (memory a hypervisor shares with its guest).
 * The writer stores every field, then &gpufe_config_reg.magic with release
 * ordering; the reader loads the magic with acquire ordering, and once it
 * sees the magic it sees the fields written before it. The reader copies
 * the register once and checks only its copy, so a writer that changes the
 * memory under it (a hostile guest or host) cannot make a checked value
 * change after the check. Nothing is trusted that came from shared memory: every field of
 * a decoded register is checked before use.
 */

#include "gpufe_config_reg.h"

/*
 * Compat: the kernel and user space differ only in where the types and
 * memcpy() come from, and how a population count, a trailing-zero count
 * and the acquire/release accesses to the magic are spelt.
 */
#ifdef __KERNEL__
#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <asm/barrier.h>

#define gpufe_config_reg_hweight64(x)	hweight64(x)
/* Only ever called with x != 0. */
#define gpufe_config_reg_ffs64(x)	__ffs64(x)
/* Pairs with gpufe_config_reg_store_release() in the writer. */
#define gpufe_config_reg_load_acquire(p)	smp_load_acquire(p)
/* Pairs with gpufe_config_reg_load_acquire() in the reader. */
#define gpufe_config_reg_store_release(p, v)	smp_store_release(p, v)
#else
#include <assert.h>
#include <string.h>

typedef __u64 u64;
typedef __u32 u32;
typedef __u16 u16;

/* Unsigned, as the kernel's are. */
#define gpufe_config_reg_hweight64(x) \
	((unsigned int)__builtin_popcountll(x))
/* Only ever called with x != 0. */
#define gpufe_config_reg_ffs64(x)	((unsigned int)__builtin_ctzll(x))
/* Pairs with gpufe_config_reg_store_release() in the writer. */
#define gpufe_config_reg_load_acquire(p) \
	__atomic_load_n((p), __ATOMIC_ACQUIRE)
/* Pairs with gpufe_config_reg_load_acquire() in the reader. */
#define gpufe_config_reg_store_release(p, v) \
	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#endif

/* The flags a real register may have; DENSE marks an emulated one. */
#define GPUFE_CONFIG_REG_REAL_FLAGS \
	(GPUFE_CONFIG_REG_PERSISTENT | GPUFE_CONFIG_REG_REVOKED)
#define GPUFE_CONFIG_REG_FLAGS \
	(GPUFE_CONFIG_REG_REAL_FLAGS | GPUFE_CONFIG_REG_DENSE)

/* The magic is the first field, the only one stored alone; then the body. */
#define GPUFE_CONFIG_REG_BODY	offsetof(struct gpufe_config_reg, version)

static_assert(sizeof(struct gpufe_config_reg) == GPUFE_CONFIG_REG_SIZE_V1,
	      "the register is 56 bytes in version 1");
static_assert(offsetof(struct gpufe_config_reg, magic) == 0,
	      "the magic comes first");

/**
 * gpufe_config_reg_low_bits() - a mask of the low bits
 * @n: how many bits; 64 or more gives all of them
 *
 * Return: a mask with bits 0 to @n - 1 set, the others clear.
 */
static u64 gpufe_config_reg_low_bits(unsigned int n)
{
	return n >= GPUFE_CONFIG_REG_MAX_ENGINES ? ~0ULL : (1ULL << n) - 1;
}

/**
 * gpufe_config_reg_range() - a mask of consecutive engines
 * @lo: the first engine
 * @hi: the engine after the last; at least @lo
 *
 * Engines at or beyond %GPUFE_CONFIG_REG_MAX_ENGINES have no bit, so
 * a range reaching past them is cut short there.
 *
 * Return: a mask with bits @lo to @hi - 1 set, the others clear.
 */
static u64 gpufe_config_reg_range(unsigned int lo, unsigned int hi)
{
	return gpufe_config_reg_low_bits(hi) & ~gpufe_config_reg_low_bits(lo);
}

/**
 * gpufe_config_reg_total() - how many engines a device has
 * @dev: the device's engines, per class
 *
 * Cannot overflow: four 16-bit counts fit in an unsigned int.
 *
 * Return: the sum of @dev's per-class counts.
 */
static unsigned int
gpufe_config_reg_total(const struct gpufe_engine_layout *dev)
{
	unsigned int total = 0;
	unsigned int c;

	for (c = 0; c < GPUFE_CONFIG_REG_CLASSES; c++)
		total += dev->count[c];
	return total;
}

/**
 * gpufe_config_reg_weight_ok() - check a weight against its partition id
 * @partition_id: the partition, or 0 for a whole device
 * @weight: the weight
 *
 * Return: true if @weight is 1 to %GPUFE_PARTITION_MAX_WEIGHT for a
 * partition, or 0 for a whole device.
 */
static bool gpufe_config_reg_weight_ok(u32 partition_id, u32 weight)
{
	if (!partition_id)
		return !weight;
	return weight && weight <= GPUFE_PARTITION_MAX_WEIGHT;
}

/**
 * gpufe_config_reg_init() - fill a real register
 * @reg: the register to fill
 * @dev: the device's engines, per class; at least one, at most
 *	%GPUFE_CONFIG_REG_MAX_ENGINES in all
 * @device_id: the device's id
 * @partition_id: the partition's id, or 0 for a register of the whole
 *	device
 * @engine_mask: the partition's engines in the device's numbering (see
 *	"partition configuration register" above): bit i is device engine i;
 *	not 0, and no bit for an engine @dev does not have
 * @mem_quota: bytes of buffer memory the partition may use, 0: no quota
 * @weight: the partition's weight, 1 to %GPUFE_PARTITION_MAX_WEIGHT; 0
 *	when @partition_id is 0
 * @max_clients: clients the partition may have at once, 0: no limit
 * @flags: %GPUFE_CONFIG_REG_PERSISTENT, %GPUFE_CONFIG_REG_REVOKED;
 *	%GPUFE_CONFIG_REG_DENSE is only for gpufe_config_reg_emulate()
 *
 * Fills @reg with the current magic, version and size (that of
 * &struct gpufe_config_reg, %GPUFE_CONFIG_REG_SIZE_V1), the arguments, a
 * zero pad, and in each &gpufe_config_reg.engines entry the number of
 * @engine_mask bits in that class's range of @dev. The result passes
 * gpufe_config_reg_validate().
 *
 * Context: any.
 *
 * Return: 0 on success. -EINVAL, with @reg untouched, if @dev has no
 * engine or more than %GPUFE_CONFIG_REG_MAX_ENGINES, if @engine_mask is 0
 * or names an engine @dev does not have, if @flags has a bit other than
 * %GPUFE_CONFIG_REG_PERSISTENT and %GPUFE_CONFIG_REG_REVOKED, or if
 * @weight is out of range for @partition_id: 0 or above
 * %GPUFE_PARTITION_MAX_WEIGHT for a partition, other than 0 for a whole
 * device.
 */
int gpufe_config_reg_init(struct gpufe_config_reg *reg,
			  const struct gpufe_engine_layout *dev,
			  __u32 device_id, __u32 partition_id,
			  __u64 engine_mask, __u64 mem_quota, __u32 weight,
			  __u32 max_clients, __u32 flags)
{
	unsigned int total = gpufe_config_reg_total(dev);
	unsigned int c, lo = 0;

	if (!total || total > GPUFE_CONFIG_REG_MAX_ENGINES)
		return -EINVAL;
	if (!engine_mask || (engine_mask & ~gpufe_config_reg_low_bits(total)))
		return -EINVAL;
	if (flags & ~GPUFE_CONFIG_REG_REAL_FLAGS)
		return -EINVAL;
	if (!gpufe_config_reg_weight_ok(partition_id, weight))
		return -EINVAL;

	memset(reg, 0, sizeof(*reg));
	reg->magic = GPUFE_CONFIG_REG_MAGIC;
	reg->version = GPUFE_CONFIG_REG_VERSION;
	reg->size = sizeof(*reg);
	reg->partition_id = partition_id;
	reg->device_id = device_id;
	reg->engine_mask = engine_mask;
	for (c = 0; c < GPUFE_CONFIG_REG_CLASSES; c++) {
		u64 in_class = gpufe_config_reg_range(lo, lo + dev->count[c]);

		reg->engines[c] =
			gpufe_config_reg_hweight64(engine_mask & in_class);
		lo += dev->count[c];
	}
	reg->mem_quota = mem_quota;
	reg->weight = weight;
	reg->flags = flags;
	reg->max_clients = max_clients;
	return 0;
}

/**
 * gpufe_config_reg_emulate() - the register a client of the partition reads
 * @real: the real register, as gpufe_config_reg_init() filled it
 * @emu: the emulated register to fill; may be @real itself, but must not
 *	overlap it otherwise
 *
 * Copies @real into @emu, replacing the engine mask by the dense one (its
 * low n bits, n the number of bits in @real's mask, up to all 64) and
 * adding %GPUFE_CONFIG_REG_DENSE to the flags. The per-class engine
 * counts stay as they are: the dense numbering keeps the classes in order,
 * so each class has the same number of engines in both masks. A client
 * reading @emu learns how many engines of each class it has, not which of
 * the device's they are.
 *
 * Emulating an emulated register gives it back unchanged.
 *
 * Context: any.
 */
void gpufe_config_reg_emulate(const struct gpufe_config_reg *real,
			      struct gpufe_config_reg *emu)
{
	unsigned int n = gpufe_config_reg_hweight64(real->engine_mask);
	u64 dense = gpufe_config_reg_low_bits(n);

	if (emu != real)
		*emu = *real;
	emu->engine_mask = dense;
	emu->flags |= GPUFE_CONFIG_REG_DENSE;
}

/**
 * gpufe_config_reg_validate() - check a register's consistency
 * @reg: the register; may hold anything, e.g. a copy of guest memory
 *
 * Checks what a register says about itself, in this order: the magic, the
 * version, then everything else. Fields this version does not know (those
 * past %GPUFE_CONFIG_REG_SIZE_V1 when the size is larger) are not looked
 * at. A register of a whole device (partition id 0) has weight 0; one of a
 * partition has a weight of 1 to %GPUFE_PARTITION_MAX_WEIGHT. Nothing is
 * checked against a device: that the engine mask names engines a device has
 * is up to the caller.
 *
 * Context: any.
 *
 * Return: 0 if @reg is consistent. -ENODEV if its magic is not
 * %GPUFE_CONFIG_REG_MAGIC (no register there). -EPROTONOSUPPORT if its
 * version is not %GPUFE_CONFIG_REG_VERSION. -EINVAL if its size is below
 * %GPUFE_CONFIG_REG_SIZE_V1, its engine mask is 0, the per-class counts do
 * not add up to the number of bits in the engine mask, a flag is unknown,
 * the pad is not 0, the weight is out of range for its partition id, or
 * %GPUFE_CONFIG_REG_DENSE is set and the mask is not the low bits.
 */
int gpufe_config_reg_validate(const struct gpufe_config_reg *reg)
{
	unsigned int engines = 0;
	unsigned int c;

	if (reg->magic != GPUFE_CONFIG_REG_MAGIC)
		return -ENODEV;
	if (reg->version != GPUFE_CONFIG_REG_VERSION)
		return -EPROTONOSUPPORT;
	if (reg->size < GPUFE_CONFIG_REG_SIZE_V1)
		return -EINVAL;
	if (!reg->engine_mask)
		return -EINVAL;
	for (c = 0; c < GPUFE_CONFIG_REG_CLASSES; c++)
		engines += reg->engines[c];
	if (engines != gpufe_config_reg_hweight64(reg->engine_mask))
		return -EINVAL;
	if (reg->flags & ~GPUFE_CONFIG_REG_FLAGS)
		return -EINVAL;
	if (reg->pad)
		return -EINVAL;
	if (!gpufe_config_reg_weight_ok(reg->partition_id, reg->weight))
		return -EINVAL;
	/* The low bits, and only they, are set: adding 1 carries through. */
	if ((reg->flags & GPUFE_CONFIG_REG_DENSE) &&
	    (reg->engine_mask & (reg->engine_mask + 1)))
		return -EINVAL;
	return 0;
}

/**
 * gpufe_config_reg_encode() - publish a register in shared memory
 * @mem: where to write it: at least sizeof(struct gpufe_config_reg) bytes,
 *	8-byte aligned, not overlapping @reg
 * @reg: the register to write, as it is (its magic included)
 *
 * Writes every field but the magic with plain stores, then the magic with
 * release ordering, so that a reader whose acquire load (see
 * gpufe_config_reg_decode()) sees the magic also sees every other field.
 * Exactly sizeof(struct gpufe_config_reg) bytes are written, whatever
 * @reg's size says.
 *
 * The ordering covers a register written into memory that holds no magic
 * (zeroed, say). Rewriting a register that a reader may be decoding at
 * that moment can give the reader a mix of old and new bytes, which
 * gpufe_config_reg_validate() need not catch; the writer must keep such
 * readers out by other means. A rewrite that changes only bits of the
 * low byte of the flags (setting %GPUFE_CONFIG_REG_REVOKED, say) changes
 * one byte, so the reader gets either the old or the new register.
 *
 * Context: any.
 */
void gpufe_config_reg_encode(void *mem, const struct gpufe_config_reg *reg)
{
	memcpy((char *)mem + GPUFE_CONFIG_REG_BODY,
	       (const char *)reg + GPUFE_CONFIG_REG_BODY,
	       sizeof(*reg) - GPUFE_CONFIG_REG_BODY);
	gpufe_config_reg_store_release((u32 *)mem, reg->magic);
}

/**
 * gpufe_config_reg_decode() - read a register from shared memory
 * @mem: where it is: 8-byte aligned; a peer may be writing it concurrently
 * @len: bytes readable at @mem
 * @reg: output, a copy of the register
 *
 * Loads the magic with acquire ordering (pairing with the release store of
 * gpufe_config_reg_encode()), then copies the rest of the register, each
 * byte of @mem read once, into @reg, and checks only that copy: the size
 * it claims must fit in @len, and it must pass gpufe_config_reg_validate().
 * Only sizeof(struct gpufe_config_reg) bytes are read; fields beyond what
 * this version knows are skipped.
 *
 * Context: any.
 *
 * Return: 0 if @reg now holds a valid register. -EINVAL if @len is below
 * %GPUFE_CONFIG_REG_SIZE_V1, with @reg untouched. Otherwise @reg holds the
 * bytes read, and the error is that of gpufe_config_reg_validate(), or,
 * for a register that passes it, -EINVAL if its size exceeds @len.
 */
int gpufe_config_reg_decode(const void *mem, size_t len,
			    struct gpufe_config_reg *reg)
{
	u32 magic;
	int ret;

	if (len < GPUFE_CONFIG_REG_SIZE_V1)
		return -EINVAL;

	magic = gpufe_config_reg_load_acquire((const u32 *)mem);
	memcpy((char *)reg + GPUFE_CONFIG_REG_BODY,
	       (const char *)mem + GPUFE_CONFIG_REG_BODY,
	       sizeof(*reg) - GPUFE_CONFIG_REG_BODY);
	reg->magic = magic;

	ret = gpufe_config_reg_validate(reg);
	if (ret)
		return ret;
	if (reg->size > len)
		return -EINVAL;
	return 0;
}

/**
 * gpufe_config_reg_to_device() - a partition's engine in device numbering
 * @real: the real register (not an emulated one)
 * @dev: the device's engines, per class; at most
 *	%GPUFE_CONFIG_REG_MAX_ENGINES in all
 * @engine_class: the engine's class, an &enum gpufe_engine_class value
 * @instance: the engine's instance in the partition's dense numbering:
 *	the @instance-th (from 0) of @real's engines of that class
 *
 * Finds the @instance-th bit set in @real's engine mask within
 * @engine_class's range of @dev. With counts {2, 2, 0, 0} and mask 0b1010,
 * (compute, 0) is device engine 1 and (copy, 0) device engine 3. Any
 * value of the arguments is safe; mask bits beyond @dev's engines are
 * never returned.
 *
 * Context: any.
 *
 * Return: the engine's index in the device's numbering (by class, then
 * instance, from 0). -ENOENT if @engine_class is not below
 * %GPUFE_CONFIG_REG_CLASSES or the partition has no such engine. -EINVAL
 * if @real has %GPUFE_CONFIG_REG_DENSE set, or @dev has more than
 * %GPUFE_CONFIG_REG_MAX_ENGINES engines.
 */
int gpufe_config_reg_to_device(const struct gpufe_config_reg *real,
			       const struct gpufe_engine_layout *dev,
			       unsigned int engine_class,
			       unsigned int instance)
{
	unsigned int c, lo = 0;
	u64 in_class;

	if (real->flags & GPUFE_CONFIG_REG_DENSE)
		return -EINVAL;
	if (gpufe_config_reg_total(dev) > GPUFE_CONFIG_REG_MAX_ENGINES)
		return -EINVAL;
	if (engine_class >= GPUFE_CONFIG_REG_CLASSES)
		return -ENOENT;

	for (c = 0; c < engine_class; c++)
		lo += dev->count[c];
	in_class = real->engine_mask &
		   gpufe_config_reg_range(lo, lo + dev->count[engine_class]);
	if (instance >= gpufe_config_reg_hweight64(in_class))
		return -ENOENT;
	/* Drop the lowest @instance bits; fewer than 64 iterations. */
	while (instance--)
		in_class &= in_class - 1;
	return gpufe_config_reg_ffs64(in_class);
}

/**
 * gpufe_config_reg_from_device() - a device engine in partition numbering
 * @real: the real register (not an emulated one)
 * @dev: the device's engines, per class; at most
 *	%GPUFE_CONFIG_REG_MAX_ENGINES in all
 * @index: the engine's index in the device's numbering
 * @engine_class: output, the engine's class
 * @instance: output, the engine's instance in the partition's dense
 *	numbering
 *
 * The inverse of gpufe_config_reg_to_device(): finds the class whose range
 * of @dev holds @index, and counts the bits of @real's engine mask below
 * @index in that range. Any value of the arguments is safe.
 *
 * Context: any.
 *
 * Return: 0, with @engine_class and @instance set. -ENOENT if @index is
 * not an engine of @dev or not one of the partition's. -EINVAL if @real
 * has %GPUFE_CONFIG_REG_DENSE set, or @dev has more than
 * %GPUFE_CONFIG_REG_MAX_ENGINES engines. On error, @engine_class and
 * @instance are untouched.
 */
int gpufe_config_reg_from_device(const struct gpufe_config_reg *real,
				 const struct gpufe_engine_layout *dev,
				 unsigned int index,
				 unsigned int *engine_class,
				 unsigned int *instance)
{
	unsigned int total = gpufe_config_reg_total(dev);
	unsigned int c, lo = 0;

	if (real->flags & GPUFE_CONFIG_REG_DENSE)
		return -EINVAL;
	if (total > GPUFE_CONFIG_REG_MAX_ENGINES)
		return -EINVAL;
	/* @index < total <= 64: the shift is defined. */
	if (index >= total || !(real->engine_mask & (1ULL << index)))
		return -ENOENT;

	/* Some class's range holds @index, as @index < total. */
	for (c = 0; index >= lo + dev->count[c]; c++)
		lo += dev->count[c];
	*engine_class = c;
	*instance = gpufe_config_reg_hweight64(real->engine_mask &
					       gpufe_config_reg_range(lo, index));
	return 0;
}
