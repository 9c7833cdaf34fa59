// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host unit tests of the configuration register, common/gpufe_config_reg.c.
 * Built under ASan and UBSan by "make check"; every buffer the code reads
 * or writes is allocated to its exact size, so that an access beyond it
 * fails the run. The engine numbering is checked against a reference
 * written here the slow, obvious way.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpufe_config_reg.h"

typedef unsigned long long u64;

/* --- harness --------------------------------------------------------- */

static int test_failed;

#define test_fail(...)							\
	do {								\
		fprintf(stderr, "# %s:%d: ", __FILE__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		test_failed = 1;					\
	} while (0)

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			test_fail("check failed: %s", #cond);		\
			goto out;					\
		}							\
	} while (0)

#define CHECK_INT(a, op, b)						\
	do {								\
		long long check_a_ = (a);				\
		long long check_b_ = (b);				\
		if (!(check_a_ op check_b_)) {				\
			test_fail("check failed: %s %s %s (%lld vs %lld)", \
				  #a, #op, #b, check_a_, check_b_);	\
			goto out;					\
		}							\
	} while (0)

#define CHECK_U64(a, op, b)						\
	do {								\
		u64 check_a_ = (a);					\
		u64 check_b_ = (b);					\
		if (!(check_a_ op check_b_)) {				\
			test_fail("check failed: %s %s %s (%#llx vs %#llx)", \
				  #a, #op, #b, check_a_, check_b_);	\
			goto out;					\
		}							\
	} while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define REG_SIZE	sizeof(struct gpufe_config_reg)
#define CLASSES		GPUFE_CONFIG_REG_CLASSES
#define MAX_ENGINES	GPUFE_CONFIG_REG_MAX_ENGINES
#define MAX_WEIGHT	GPUFE_PARTITION_MAX_WEIGHT
#define REAL_FLAGS	(GPUFE_CONFIG_REG_PERSISTENT | GPUFE_CONFIG_REG_REVOKED)

/* Marks what a call must leave untouched. */
#define UNTOUCHED	0xa5
#define UNTOUCHED_INT	0xdeadbeefU

/* Deterministic PRNG: xorshift64 with a fixed seed. */
static u64 xorshift64(u64 *state)
{
	u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

static unsigned int popcount(u64 x)
{
	unsigned int n = 0;

	for (; x; x >>= 1)
		n += x & 1;
	return n;
}

static u64 low_bits(unsigned int n)
{
	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

static struct gpufe_engine_layout layout(unsigned int compute,
					 unsigned int copy,
					 unsigned int video,
					 unsigned int fourth)
{
	struct gpufe_engine_layout dev = {
		.count = { compute, copy, video, fourth },
	};

	return dev;
}

static unsigned int layout_total(const struct gpufe_engine_layout *dev)
{
	unsigned int c, total = 0;

	for (c = 0; c < CLASSES; c++)
		total += dev->count[c];
	return total;
}

/* A register buffer of exactly @size bytes, filled with @fill. */
static void *buf_new(size_t size, int fill)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		abort();
	memset(p, fill, size);
	return p;
}

static bool all_bytes(const void *p, size_t size, unsigned char byte)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < size; i++)
		if (b[i] != byte)
			return false;
	return true;
}

/*
 * A valid real register of a partition, built field by field, not by
 * gpufe_config_reg_init(): counts {2, 2, 0, 0}, mask 0b1010.
 */
static struct gpufe_config_reg good_reg(void)
{
	struct gpufe_config_reg reg;

	memset(&reg, 0, sizeof(reg));
	reg.magic = GPUFE_CONFIG_REG_MAGIC;
	reg.version = GPUFE_CONFIG_REG_VERSION;
	reg.size = GPUFE_CONFIG_REG_SIZE_V1;
	reg.partition_id = 7;
	reg.device_id = 3;
	reg.engine_mask = 0xa;
	reg.engines[0] = 1;
	reg.engines[1] = 1;
	reg.mem_quota = 1ULL << 33;
	reg.weight = 100;
	reg.flags = GPUFE_CONFIG_REG_PERSISTENT;
	reg.max_clients = 4;
	return reg;
}

/* --- the reference --------------------------------------------------- */

/*
 * The engine numbering the slow way: walk the device's engines by class
 * then instance, and number those in @mask densely per class.
 * dense[c][k] is the device index of the partition's k-th engine of class
 * c, or -1; cls[i] and inst[i] are device engine i's class and dense
 * instance, or -1 if it is not in @mask.
 */
struct ref_map {
	int dense[CLASSES][MAX_ENGINES + 1];
	int cls[MAX_ENGINES];
	int inst[MAX_ENGINES];
	unsigned int engines[CLASSES];
};

static void ref_map(const struct gpufe_engine_layout *dev, u64 mask,
		    struct ref_map *m)
{
	unsigned int c, k, i = 0;

	memset(m->dense, 0xff, sizeof(m->dense));
	memset(m->cls, 0xff, sizeof(m->cls));
	memset(m->inst, 0xff, sizeof(m->inst));
	for (c = 0; c < CLASSES; c++) {
		m->engines[c] = 0;
		for (k = 0; k < dev->count[c]; k++, i++) {
			if (i >= MAX_ENGINES || !(mask >> i & 1))
				continue;
			m->cls[i] = c;
			m->inst[i] = m->engines[c];
			m->dense[c][m->engines[c]++] = i;
		}
	}
}

/* What decode must answer for the bytes at @mem, written independently. */
static int ref_decode(const unsigned char *mem, size_t len)
{
	struct gpufe_config_reg r;
	unsigned int sum;

	if (len < 56)
		return -EINVAL;
	memcpy(&r, mem, sizeof(r));
	if (r.magic != 0x43465047)
		return -ENODEV;
	if (r.version != 1)
		return -EPROTONOSUPPORT;
	sum = r.engines[0] + r.engines[1] + r.engines[2] + r.engines[3];
	if (r.size < 56 || !r.engine_mask || sum != popcount(r.engine_mask) ||
	    (r.flags & ~7U) || r.pad || r.weight > 1000 ||
	    (r.partition_id && !r.weight) || (!r.partition_id && r.weight))
		return -EINVAL;
	if ((r.flags & 4) && r.engine_mask != low_bits(sum))
		return -EINVAL;
	if (r.size > len)
		return -EINVAL;
	return 0;
}

/*
 * Check to_device() and from_device() against the reference for every
 * class (and one past), every instance (and a few past), every device
 * index (and a few past), for @real on @dev.
 */
static void check_map(const struct gpufe_config_reg *real,
		      const struct gpufe_engine_layout *dev)
{
	static const unsigned int far[] = {
		MAX_ENGINES, MAX_ENGINES + 1, 1000, UINT_MAX - 1, UINT_MAX,
	};
	struct ref_map m;
	unsigned int c, k, i, total = layout_total(dev);

	ref_map(dev, real->engine_mask, &m);
	for (c = 0; c < CLASSES; c++) {
		CHECK_INT(real->engines[c], ==, m.engines[c]);
		for (k = 0; k <= m.engines[c] + 2; k++) {
			int want = k < m.engines[c] ? m.dense[c][k] : -ENOENT;

			CHECK_INT(gpufe_config_reg_to_device(real, dev, c, k),
				  ==, want);
		}
		for (k = 0; k < ARRAY_SIZE(far); k++)
			CHECK_INT(gpufe_config_reg_to_device(real, dev, c,
							     far[k]),
				  ==, -ENOENT);
	}
	for (k = 0; k < ARRAY_SIZE(far); k++) {
		CHECK_INT(gpufe_config_reg_to_device(real, dev, CLASSES + k, 0),
			  ==, -ENOENT);
		CHECK_INT(gpufe_config_reg_to_device(real, dev, far[k], 0),
			  ==, -ENOENT);
	}

	for (i = 0; i < total + 3; i++) {
		unsigned int cls = UNTOUCHED_INT, inst = UNTOUCHED_INT;
		int ret = gpufe_config_reg_from_device(real, dev, i, &cls,
						       &inst);

		if (i < total && m.cls[i] >= 0) {
			CHECK_INT(ret, ==, 0);
			CHECK_INT(cls, ==, m.cls[i]);
			CHECK_INT(inst, ==, m.inst[i]);
			/* The round trip. */
			CHECK_INT(gpufe_config_reg_to_device(real, dev, cls,
							     inst), ==, i);
		} else {
			CHECK_INT(ret, ==, -ENOENT);
			CHECK_INT(cls, ==, UNTOUCHED_INT);
			CHECK_INT(inst, ==, UNTOUCHED_INT);
		}
	}
	for (k = 0; k < ARRAY_SIZE(far); k++) {
		unsigned int cls = UNTOUCHED_INT, inst = UNTOUCHED_INT;

		CHECK_INT(gpufe_config_reg_from_device(real, dev, far[k], &cls,
						       &inst), ==, -ENOENT);
		CHECK_INT(cls, ==, UNTOUCHED_INT);
		CHECK_INT(inst, ==, UNTOUCHED_INT);
	}
out:
	return;
}

/* --- init ------------------------------------------------------------ */

static void init_basic(void)
{
	struct gpufe_engine_layout dev = layout(2, 2, 0, 0);
	struct gpufe_config_reg reg;
	struct gpufe_config_reg want = good_reg();

	memset(&reg, UNTOUCHED, sizeof(reg));
	CHECK_INT(gpufe_config_reg_init(&reg, &dev, 3, 7, 0xa, 1ULL << 33, 100,
					4, GPUFE_CONFIG_REG_PERSISTENT), ==, 0);
	CHECK_INT(reg.magic, ==, GPUFE_CONFIG_REG_MAGIC);
	CHECK_INT(reg.version, ==, GPUFE_CONFIG_REG_VERSION);
	CHECK_INT(reg.size, ==, 56);
	CHECK_INT(reg.size, ==, GPUFE_CONFIG_REG_SIZE_V1);
	CHECK_INT(reg.partition_id, ==, 7);
	CHECK_INT(reg.device_id, ==, 3);
	CHECK_U64(reg.engine_mask, ==, 0xa);
	CHECK_INT(reg.engines[0], ==, 1);
	CHECK_INT(reg.engines[1], ==, 1);
	CHECK_INT(reg.engines[2], ==, 0);
	CHECK_INT(reg.engines[3], ==, 0);
	CHECK_U64(reg.mem_quota, ==, 1ULL << 33);
	CHECK_INT(reg.weight, ==, 100);
	CHECK_INT(reg.flags, ==, GPUFE_CONFIG_REG_PERSISTENT);
	CHECK_INT(reg.max_clients, ==, 4);
	CHECK_INT(reg.pad, ==, 0);
	/* Every byte, padding included. */
	CHECK(!memcmp(&reg, &want, sizeof(reg)));
	CHECK_INT(gpufe_config_reg_validate(&reg), ==, 0);
out:
	return;
}

static void init_engines_per_class(void)
{
	static const struct {
		unsigned int count[CLASSES];
		u64 mask;
		unsigned int engines[CLASSES];
	} cases[] = {
		{ { 4, 2, 2, 0 }, 0xff, { 4, 2, 2, 0 } },
		{ { 4, 2, 2, 0 }, 0xc1, { 1, 0, 2, 0 } },
		{ { 0, 3, 0, 1 }, 0x9, { 0, 1, 0, 1 } },
		{ { 1, 0, 0, 0 }, 0x1, { 1, 0, 0, 0 } },
		{ { 0, 0, 0, 64 }, 1ULL << 63, { 0, 0, 0, 1 } },
		{ { 64, 0, 0, 0 }, ~0ULL, { 64, 0, 0, 0 } },
		{ { 16, 16, 16, 16 }, ~0ULL, { 16, 16, 16, 16 } },
		{ { 16, 16, 16, 16 }, 0x8000800080008000ULL, { 1, 1, 1, 1 } },
		{ { 60, 2, 1, 1 }, 0xd000000000000001ULL, { 1, 1, 1, 1 } },
		{ { 60, 2, 1, 1 }, 0x9000000000000001ULL, { 1, 1, 0, 1 } },
	};
	unsigned int i, c;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct gpufe_engine_layout dev;
		struct gpufe_config_reg reg;

		for (c = 0; c < CLASSES; c++)
			dev.count[c] = cases[i].count[c];
		CHECK_INT(gpufe_config_reg_init(&reg, &dev, 1, 1,
						cases[i].mask, 0, 1, 0, 0),
			  ==, 0);
		CHECK_U64(reg.engine_mask, ==, cases[i].mask);
		for (c = 0; c < CLASSES; c++)
			CHECK_INT(reg.engines[c], ==, cases[i].engines[c]);
		CHECK_INT(gpufe_config_reg_validate(&reg), ==, 0);
	}
out:
	return;
}

static void init_whole_device(void)
{
	struct gpufe_engine_layout dev = layout(3, 1, 1, 0);
	struct gpufe_config_reg reg;

	/* Partition 0: weight 0, no quota, no limit, flags as given. */
	CHECK_INT(gpufe_config_reg_init(&reg, &dev, 9, 0, 0x1f, 0, 0, 0,
					REAL_FLAGS), ==, 0);
	CHECK_INT(reg.partition_id, ==, 0);
	CHECK_INT(reg.weight, ==, 0);
	CHECK_INT(reg.flags, ==, REAL_FLAGS);
	CHECK_INT(reg.engines[0], ==, 3);
	CHECK_INT(reg.engines[1], ==, 1);
	CHECK_INT(reg.engines[2], ==, 1);
	CHECK_INT(gpufe_config_reg_validate(&reg), ==, 0);
	/* The largest values of the free fields pass. */
	CHECK_INT(gpufe_config_reg_init(&reg, &dev, UINT_MAX, UINT_MAX, 0x1f,
					~0ULL, MAX_WEIGHT, UINT_MAX, 0), ==, 0);
	CHECK_INT(reg.device_id, ==, UINT_MAX);
	CHECK_INT(reg.partition_id, ==, UINT_MAX);
	CHECK_U64(reg.mem_quota, ==, ~0ULL);
	CHECK_INT(reg.max_clients, ==, UINT_MAX);
	CHECK_INT(gpufe_config_reg_validate(&reg), ==, 0);
out:
	return;
}

/*
 * One gpufe_config_reg_init() that must fail with -EINVAL and leave the
 * register untouched; the arguments are those of init_basic but one.
 */
struct init_args {
	struct gpufe_engine_layout dev;
	__u32 partition_id;
	__u64 engine_mask;
	__u32 weight;
	__u32 flags;
};

static struct init_args good_args(void)
{
	struct init_args a = {
		.dev = layout(2, 2, 0, 0),
		.partition_id = 7,
		.engine_mask = 0xa,
		.weight = 100,
		.flags = GPUFE_CONFIG_REG_PERSISTENT,
	};

	return a;
}

static int init_with(const struct init_args *a, struct gpufe_config_reg *reg)
{
	return gpufe_config_reg_init(reg, &a->dev, 3, a->partition_id,
				     a->engine_mask, 1ULL << 33, a->weight, 4,
				     a->flags);
}

/* Returns false, after reporting, if @a was not refused as it should be. */
static bool init_refused(const struct init_args *a, int line)
{
	struct gpufe_config_reg reg;
	int ret;

	memset(&reg, UNTOUCHED, sizeof(reg));
	ret = init_with(a, &reg);
	if (ret != -EINVAL) {
		test_fail("line %d: init returned %d, not -EINVAL", line, ret);
		return false;
	}
	if (!all_bytes(&reg, sizeof(reg), UNTOUCHED)) {
		test_fail("line %d: a refused init wrote the register", line);
		return false;
	}
	return true;
}

static bool init_accepted(const struct init_args *a, int line)
{
	struct gpufe_config_reg reg;
	int ret = init_with(a, &reg);

	if (ret) {
		test_fail("line %d: init returned %d, not 0", line, ret);
		return false;
	}
	ret = gpufe_config_reg_validate(&reg);
	if (ret) {
		test_fail("line %d: init's register fails validate: %d", line,
			  ret);
		return false;
	}
	return true;
}

#define REFUSED(a)	CHECK(init_refused(&(a), __LINE__))
#define ACCEPTED(a)	CHECK(init_accepted(&(a), __LINE__))

static void init_bad_layout(void)
{
	struct init_args a = good_args();

	ACCEPTED(a);
	a.dev = layout(0, 0, 0, 0);
	REFUSED(a);
	a.dev = layout(17, 16, 16, 16);		/* 65 engines */
	REFUSED(a);
	a.dev = layout(0, 0, 0, 65);
	REFUSED(a);
	a.dev = layout(65535, 65535, 65535, 65535);
	REFUSED(a);
	/* A layout that wraps a 16-bit sum to 2 engines. */
	a.dev = layout(65535, 3, 0, 0);
	a.engine_mask = 0x1;
	REFUSED(a);
	a.engine_mask = 0xa;
	a.dev = layout(16, 16, 16, 16);		/* 64: the most */
	ACCEPTED(a);
	a.dev = layout(0, 0, 0, 64);
	ACCEPTED(a);
out:
	return;
}

static void init_bad_mask(void)
{
	struct init_args a = good_args();

	a.engine_mask = 0;
	REFUSED(a);
	/* Total 4: bit 4 names an engine the device does not have. */
	a.engine_mask = 0x10;
	REFUSED(a);
	a.engine_mask = 0x1f;
	REFUSED(a);
	a.engine_mask = 0xa | 1ULL << 63;
	REFUSED(a);
	a.engine_mask = 0xf;
	ACCEPTED(a);
	a.dev = layout(16, 16, 16, 15);		/* 63 engines */
	a.engine_mask = 1ULL << 63;
	REFUSED(a);
	a.engine_mask = 1ULL << 62;
	ACCEPTED(a);
	a.dev = layout(16, 16, 16, 16);
	a.engine_mask = 1ULL << 63;
	ACCEPTED(a);
	a.engine_mask = ~0ULL;
	ACCEPTED(a);
out:
	return;
}

static void init_bad_flags(void)
{
	struct init_args a = good_args();
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		a.flags = 1U << bit;
		if (a.flags & REAL_FLAGS)
			ACCEPTED(a);
		else
			REFUSED(a);
		/* With the valid flags too. */
		a.flags |= REAL_FLAGS;
		if (a.flags == REAL_FLAGS)
			ACCEPTED(a);
		else
			REFUSED(a);
	}
	/* DENSE in particular: init makes real registers only. */
	a.flags = GPUFE_CONFIG_REG_DENSE;
	REFUSED(a);
	a.flags = 0;
	ACCEPTED(a);
out:
	return;
}

static void init_bad_weight(void)
{
	struct init_args a = good_args();

	/* A partition: 1 to MAX_WEIGHT. */
	a.weight = 0;
	REFUSED(a);
	a.weight = MAX_WEIGHT + 1;
	REFUSED(a);
	a.weight = UINT_MAX;
	REFUSED(a);
	a.weight = 1;
	ACCEPTED(a);
	a.weight = MAX_WEIGHT;
	ACCEPTED(a);
	/* A whole device: 0 only. */
	a.partition_id = 0;
	a.weight = 1;
	REFUSED(a);
	a.weight = MAX_WEIGHT;
	REFUSED(a);
	a.weight = 0;
	ACCEPTED(a);
out:
	return;
}

/* --- emulate --------------------------------------------------------- */

/* @emu is @real but for the dense mask and DENSE, byte for byte. */
static bool is_emulation_of(const struct gpufe_config_reg *emu,
			    const struct gpufe_config_reg *real)
{
	struct gpufe_config_reg want = *real;

	want.engine_mask = low_bits(popcount(real->engine_mask));
	want.flags |= GPUFE_CONFIG_REG_DENSE;
	return !memcmp(emu, &want, sizeof(want));
}

static void emulate_basic(void)
{
	struct gpufe_engine_layout dev = layout(2, 2, 0, 0);
	struct gpufe_config_reg real, emu;

	CHECK_INT(gpufe_config_reg_init(&real, &dev, 3, 7, 0xa, 1ULL << 33,
					100, 4, REAL_FLAGS), ==, 0);
	memset(&emu, UNTOUCHED, sizeof(emu));
	gpufe_config_reg_emulate(&real, &emu);
	CHECK_U64(emu.engine_mask, ==, 0x3);
	CHECK_INT(emu.flags, ==, REAL_FLAGS | GPUFE_CONFIG_REG_DENSE);
	CHECK_INT(emu.engines[0], ==, 1);
	CHECK_INT(emu.engines[1], ==, 1);
	CHECK_INT(emu.engines[2], ==, 0);
	CHECK_INT(emu.engines[3], ==, 0);
	CHECK_INT(emu.partition_id, ==, 7);
	CHECK_INT(emu.device_id, ==, 3);
	CHECK_U64(emu.mem_quota, ==, 1ULL << 33);
	CHECK_INT(emu.weight, ==, 100);
	CHECK_INT(emu.max_clients, ==, 4);
	CHECK_INT(emu.pad, ==, 0);
	CHECK(is_emulation_of(&emu, &real));
	CHECK_INT(gpufe_config_reg_validate(&emu), ==, 0);
	/* The real register is read only. */
	CHECK_U64(real.engine_mask, ==, 0xa);
	CHECK_INT(real.flags, ==, REAL_FLAGS);
	/* An emulated register is refused by the renumbering. */
	CHECK_INT(gpufe_config_reg_to_device(&emu, &dev, 0, 0), ==, -EINVAL);
out:
	return;
}

static void emulate_wide(void)
{
	static const struct {
		unsigned int count[CLASSES];
		u64 mask;
		u64 dense;
	} cases[] = {
		{ { 64, 0, 0, 0 }, ~0ULL, ~0ULL },
		{ { 16, 16, 16, 16 }, ~0ULL, ~0ULL },
		{ { 16, 16, 16, 16 }, ~1ULL, ~0ULL >> 1 },
		{ { 16, 16, 16, 16 }, ~0ULL >> 1, ~0ULL >> 1 },
		{ { 0, 0, 0, 64 }, 1ULL << 63, 1 },
		{ { 32, 32, 0, 0 }, 0xaaaaaaaaaaaaaaaaULL, 0xffffffffULL },
		{ { 32, 32, 0, 0 }, 0xffffffff00000000ULL, 0xffffffffULL },
		{ { 1, 1, 1, 61 }, 0x8000000000000007ULL, 0xf },
	};
	unsigned int i, c;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct gpufe_engine_layout dev;
		struct gpufe_config_reg real, emu;

		for (c = 0; c < CLASSES; c++)
			dev.count[c] = cases[i].count[c];
		CHECK_INT(gpufe_config_reg_init(&real, &dev, 1, 2,
						cases[i].mask, 0, 5, 0, 0),
			  ==, 0);
		gpufe_config_reg_emulate(&real, &emu);
		CHECK_U64(emu.engine_mask, ==, cases[i].dense);
		CHECK(is_emulation_of(&emu, &real));
		CHECK_INT(gpufe_config_reg_validate(&emu), ==, 0);
	}
out:
	return;
}

static void emulate_in_place(void)
{
	struct gpufe_engine_layout dev = layout(16, 16, 16, 16);
	struct gpufe_config_reg reg, copy, again;

	CHECK_INT(gpufe_config_reg_init(&reg, &dev, 1, 2, 0x8000000100000010ULL,
					0, 5, 0, GPUFE_CONFIG_REG_REVOKED),
		  ==, 0);
	copy = reg;
	gpufe_config_reg_emulate(&reg, &reg);
	CHECK_U64(reg.engine_mask, ==, 0x7);
	CHECK(is_emulation_of(&reg, &copy));
	/* Emulating an emulated register changes nothing. */
	gpufe_config_reg_emulate(&reg, &again);
	CHECK(!memcmp(&again, &reg, sizeof(reg)));
out:
	return;
}

/* --- the engine numbering -------------------------------------------- */

static void map_example(void)
{
	struct gpufe_engine_layout dev = layout(2, 2, 0, 0);
	struct gpufe_config_reg real;
	unsigned int cls = UNTOUCHED_INT, inst = UNTOUCHED_INT;

	CHECK_INT(gpufe_config_reg_init(&real, &dev, 3, 7, 0xa, 0, 100, 0, 0),
		  ==, 0);
	/* The partition's compute0 is the device's compute1, engine 1. */
	CHECK_INT(gpufe_config_reg_to_device(&real, &dev,
					     GPUFE_ENGINE_CLASS_COMPUTE, 0),
		  ==, 1);
	/* Its copy0 is the device's copy1, engine 3. */
	CHECK_INT(gpufe_config_reg_to_device(&real, &dev,
					     GPUFE_ENGINE_CLASS_COPY, 0),
		  ==, 3);
	CHECK_INT(gpufe_config_reg_to_device(&real, &dev,
					     GPUFE_ENGINE_CLASS_COMPUTE, 1),
		  ==, -ENOENT);
	CHECK_INT(gpufe_config_reg_to_device(&real, &dev,
					     GPUFE_ENGINE_CLASS_VIDEO, 0),
		  ==, -ENOENT);
	CHECK_INT(gpufe_config_reg_to_device(&real, &dev, 3, 0), ==, -ENOENT);
	CHECK_INT(gpufe_config_reg_to_device(&real, &dev, 4, 0), ==, -ENOENT);

	CHECK_INT(gpufe_config_reg_from_device(&real, &dev, 0, &cls, &inst),
		  ==, -ENOENT);
	CHECK_INT(cls, ==, UNTOUCHED_INT);
	CHECK_INT(inst, ==, UNTOUCHED_INT);
	CHECK_INT(gpufe_config_reg_from_device(&real, &dev, 1, &cls, &inst),
		  ==, 0);
	CHECK_INT(cls, ==, GPUFE_ENGINE_CLASS_COMPUTE);
	CHECK_INT(inst, ==, 0);
	CHECK_INT(gpufe_config_reg_from_device(&real, &dev, 3, &cls, &inst),
		  ==, 0);
	CHECK_INT(cls, ==, GPUFE_ENGINE_CLASS_COPY);
	CHECK_INT(inst, ==, 0);
	cls = UNTOUCHED_INT;
	inst = UNTOUCHED_INT;
	CHECK_INT(gpufe_config_reg_from_device(&real, &dev, 2, &cls, &inst),
		  ==, -ENOENT);
	CHECK_INT(gpufe_config_reg_from_device(&real, &dev, 4, &cls, &inst),
		  ==, -ENOENT);
	CHECK_INT(cls, ==, UNTOUCHED_INT);
	CHECK_INT(inst, ==, UNTOUCHED_INT);
	check_map(&real, &dev);
out:
	return;
}

static void map_layouts(void)
{
	static const unsigned int layouts[][CLASSES] = {
		{ 2, 2, 0, 0 }, { 1, 0, 0, 0 }, { 0, 0, 0, 1 },
		{ 4, 2, 2, 0 }, { 0, 3, 0, 5 }, { 8, 0, 8, 0 },
		{ 64, 0, 0, 0 }, { 0, 64, 0, 0 }, { 0, 0, 0, 64 },
		{ 16, 16, 16, 16 }, { 1, 62, 0, 1 }, { 33, 0, 31, 0 },
		{ 5, 7, 11, 13 },
	};
	u64 rng = 0x9e3779b97f4a7c15ULL;
	unsigned int l, c, round;

	for (l = 0; l < ARRAY_SIZE(layouts); l++) {
		struct gpufe_engine_layout dev;
		struct gpufe_config_reg real;
		unsigned int total;
		u64 all;

		for (c = 0; c < CLASSES; c++)
			dev.count[c] = layouts[l][c];
		total = layout_total(&dev);
		all = low_bits(total);
		for (round = 0; round < 200; round++) {
			u64 mask;

			/* The whole device first, then random subsets. */
			mask = round ? xorshift64(&rng) & all : all;
			if (round % 3 == 2)	/* sparse ones, too */
				mask &= xorshift64(&rng);
			if (!mask)
				continue;
			CHECK_INT(gpufe_config_reg_init(&real, &dev, 1, 1,
							mask, 0, 1, 0, 0),
				  ==, 0);
			check_map(&real, &dev);
			if (test_failed) {
				test_fail("layout %u mask %#llx", l, mask);
				goto out;
			}
		}
	}
out:
	return;
}

/* Every mask of some layouts of up to 10 engines, against the reference. */
static void map_exhaustive(void)
{
	static const unsigned int layouts[][CLASSES] = {
		{ 2, 2, 0, 0 }, { 3, 2, 0, 3 }, { 1, 0, 2, 1 },
		{ 0, 4, 4, 0 }, { 10, 0, 0, 0 }, { 1, 2, 3, 4 },
	};
	unsigned int l, c, masks = 0;

	for (l = 0; l < ARRAY_SIZE(layouts); l++) {
		struct gpufe_engine_layout dev;
		u64 mask, all;

		for (c = 0; c < CLASSES; c++)
			dev.count[c] = layouts[l][c];
		all = low_bits(layout_total(&dev));
		for (mask = 1; mask <= all; mask++) {
			struct gpufe_config_reg real, emu;

			CHECK_INT(gpufe_config_reg_init(&real, &dev, 1, 1,
							mask, 0, 1, 0, 0),
				  ==, 0);
			check_map(&real, &dev);
			gpufe_config_reg_emulate(&real, &emu);
			CHECK(is_emulation_of(&emu, &real));
			CHECK_INT(gpufe_config_reg_validate(&emu), ==, 0);
			if (test_failed) {
				test_fail("layout %u mask %#llx", l, mask);
				goto out;
			}
			masks++;
		}
	}
	CHECK_INT(masks, ==, 15 + 255 + 15 + 255 + 1023 + 1023);
out:
	return;
}

static void map_bad_args(void)
{
	struct gpufe_engine_layout dev = layout(2, 2, 0, 0);
	struct gpufe_engine_layout big = layout(16, 16, 16, 17);
	struct gpufe_engine_layout none = layout(0, 0, 0, 0);
	struct gpufe_config_reg real;
	unsigned int cls = UNTOUCHED_INT, inst = UNTOUCHED_INT;
	unsigned int i;

	CHECK_INT(gpufe_config_reg_init(&real, &dev, 3, 7, 0xa, 0, 100, 0, 0),
		  ==, 0);

	/* An emulated register is not in the device's numbering. */
	real.flags |= GPUFE_CONFIG_REG_DENSE;
	CHECK_INT(gpufe_config_reg_to_device(&real, &dev, 0, 0), ==, -EINVAL);
	CHECK_INT(gpufe_config_reg_from_device(&real, &dev, 1, &cls, &inst),
		  ==, -EINVAL);
	CHECK_INT(cls, ==, UNTOUCHED_INT);
	CHECK_INT(inst, ==, UNTOUCHED_INT);
	real.flags &= ~GPUFE_CONFIG_REG_DENSE;
	CHECK_INT(gpufe_config_reg_to_device(&real, &dev, 0, 0), ==, 1);

	/* A layout of more engines than a mask has bits. */
	CHECK_INT(gpufe_config_reg_to_device(&real, &big, 0, 0), ==, -EINVAL);
	CHECK_INT(gpufe_config_reg_from_device(&real, &big, 1, &cls, &inst),
		  ==, -EINVAL);
	CHECK_INT(cls, ==, UNTOUCHED_INT);
	CHECK_INT(inst, ==, UNTOUCHED_INT);

	/* A layout of no engine: there is no engine to find. */
	for (i = 0; i < CLASSES; i++)
		CHECK_INT(gpufe_config_reg_to_device(&real, &none, i, 0), ==,
			  -ENOENT);
	for (i = 0; i < 4; i++)
		CHECK_INT(gpufe_config_reg_from_device(&real, &none, i, &cls,
						       &inst), ==, -ENOENT);

	/*
	 * Mask bits beyond the layout (a register and a layout that do not
	 * belong together) are never found.
	 */
	real.engine_mask = ~0ULL;
	CHECK_INT(gpufe_config_reg_to_device(&real, &dev, 1, 1), ==, 3);
	CHECK_INT(gpufe_config_reg_to_device(&real, &dev, 1, 2), ==, -ENOENT);
	CHECK_INT(gpufe_config_reg_to_device(&real, &dev, 2, 0), ==, -ENOENT);
	CHECK_INT(gpufe_config_reg_to_device(&real, &dev, 3, 0), ==, -ENOENT);
	CHECK_INT(gpufe_config_reg_from_device(&real, &dev, 4, &cls, &inst),
		  ==, -ENOENT);
	CHECK_INT(gpufe_config_reg_from_device(&real, &dev, 63, &cls, &inst),
		  ==, -ENOENT);
	CHECK_INT(cls, ==, UNTOUCHED_INT);
	CHECK_INT(inst, ==, UNTOUCHED_INT);
	/* Even a mask of 0 is safe. */
	real.engine_mask = 0;
	real.engines[0] = 0;
	real.engines[1] = 0;
	check_map(&real, &dev);
out:
	return;
}

/* --- validate -------------------------------------------------------- */

/* @reg must fail validate with @err; returns false after reporting. */
static bool refused_with(const struct gpufe_config_reg *reg, int err,
			 int line)
{
	int ret = gpufe_config_reg_validate(reg);

	if (ret != err) {
		test_fail("line %d: validate returned %d, not %d", line, ret,
			  err);
		return false;
	}
	return true;
}

#define VALID(r)		CHECK(refused_with(&(r), 0, __LINE__))
#define INVALID(r, err)		CHECK(refused_with(&(r), (err), __LINE__))

static void validate_good(void)
{
	struct gpufe_config_reg reg = good_reg();
	struct gpufe_config_reg emu;

	VALID(reg);
	/* A larger size: a later version's fields, skipped. */
	reg.size = 64;
	VALID(reg);
	reg.size = 0xffff;
	VALID(reg);
	reg = good_reg();
	/* The engines[] of a class this version does not know count. */
	reg.engines[1] = 0;
	reg.engines[3] = 1;
	VALID(reg);
	/* A whole device. */
	reg = good_reg();
	reg.partition_id = 0;
	reg.weight = 0;
	VALID(reg);
	reg = good_reg();
	gpufe_config_reg_emulate(&reg, &emu);
	VALID(emu);
out:
	return;
}

static void validate_bad_magic(void)
{
	struct gpufe_config_reg reg = good_reg();

	reg.magic = 0;
	INVALID(reg, -ENODEV);
	reg.magic = GPUFE_CONFIG_REG_MAGIC ^ 1;
	INVALID(reg, -ENODEV);
	reg.magic = 0x47504643;			/* the other byte order */
	INVALID(reg, -ENODEV);
	/* Nothing else is looked at without the magic. */
	reg.version = 2;
	reg.pad = 1;
	INVALID(reg, -ENODEV);
out:
	return;
}

static void validate_bad_version(void)
{
	struct gpufe_config_reg reg = good_reg();

	reg.version = 0;
	INVALID(reg, -EPROTONOSUPPORT);
	reg.version = GPUFE_CONFIG_REG_VERSION + 1;
	INVALID(reg, -EPROTONOSUPPORT);
	reg.version = 0xffff;
	INVALID(reg, -EPROTONOSUPPORT);
	/* The version is checked before the rest. */
	reg.size = 0;
	reg.engine_mask = 0;
	INVALID(reg, -EPROTONOSUPPORT);
out:
	return;
}

static void validate_bad_size(void)
{
	struct gpufe_config_reg reg = good_reg();

	reg.size = GPUFE_CONFIG_REG_SIZE_V1 - 1;
	INVALID(reg, -EINVAL);
	reg.size = 0;
	INVALID(reg, -EINVAL);
	reg.size = 8;
	INVALID(reg, -EINVAL);
out:
	return;
}

static void validate_bad_mask(void)
{
	struct gpufe_config_reg reg = good_reg();

	/* No engine at all, the counts agreeing. */
	reg.engine_mask = 0;
	reg.engines[0] = 0;
	reg.engines[1] = 0;
	INVALID(reg, -EINVAL);
out:
	return;
}

static void validate_bad_engines(void)
{
	struct gpufe_config_reg reg = good_reg();

	/* One more than the mask has. */
	reg.engines[2] = 1;
	INVALID(reg, -EINVAL);
	/* One fewer. */
	reg = good_reg();
	reg.engines[1] = 0;
	INVALID(reg, -EINVAL);
	/* A mask with a bit more. */
	reg = good_reg();
	reg.engine_mask |= 1ULL << 63;
	INVALID(reg, -EINVAL);
	/* Counts that wrap a 16-bit sum to the right value. */
	reg = good_reg();
	reg.engines[0] = 0xffff;
	reg.engines[1] = 3;
	INVALID(reg, -EINVAL);
	/* All 64, in any class split, agree. */
	reg = good_reg();
	reg.engine_mask = ~0ULL;
	reg.engines[0] = 10;
	reg.engines[1] = 20;
	reg.engines[2] = 30;
	reg.engines[3] = 4;
	VALID(reg);
	reg.engines[3] = 5;
	INVALID(reg, -EINVAL);
out:
	return;
}

static void validate_bad_flags(void)
{
	struct gpufe_config_reg reg = good_reg();
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		reg.flags = 1U << bit;
		if (bit == 2)	/* DENSE, whose mask 0b1010 is not dense */
			INVALID(reg, -EINVAL);
		else if (bit < 2)
			VALID(reg);
		else
			INVALID(reg, -EINVAL);
	}
out:
	return;
}

static void validate_bad_pad(void)
{
	struct gpufe_config_reg reg = good_reg();

	reg.pad = 1;
	INVALID(reg, -EINVAL);
	reg.pad = 0x80000000U;
	INVALID(reg, -EINVAL);
out:
	return;
}

static void validate_bad_weight(void)
{
	struct gpufe_config_reg reg = good_reg();

	reg.weight = MAX_WEIGHT + 1;
	INVALID(reg, -EINVAL);
	reg.weight = UINT_MAX;
	INVALID(reg, -EINVAL);
	reg.weight = 0;
	INVALID(reg, -EINVAL);
	reg.weight = MAX_WEIGHT;
	VALID(reg);
	reg.weight = 1;
	VALID(reg);
	/* A whole device has weight 0. */
	reg.partition_id = 0;
	INVALID(reg, -EINVAL);
	reg.weight = MAX_WEIGHT + 1;
	INVALID(reg, -EINVAL);
	reg.weight = 0;
	VALID(reg);
out:
	return;
}

static void validate_bad_dense(void)
{
	struct gpufe_config_reg reg = good_reg();

	reg.flags |= GPUFE_CONFIG_REG_DENSE;
	INVALID(reg, -EINVAL);		/* 0b1010 */
	reg.engine_mask = 0x3;
	VALID(reg);
	reg.engine_mask = 0x6;
	INVALID(reg, -EINVAL);
	reg.engine_mask = 0x5;
	INVALID(reg, -EINVAL);
	reg.engine_mask = 1ULL << 63 | 1;
	INVALID(reg, -EINVAL);
	/* All 64 engines: the mask all ones. */
	reg.engine_mask = ~0ULL;
	reg.engines[0] = 64;
	reg.engines[1] = 0;
	VALID(reg);
	reg.engine_mask = ~0ULL >> 1;
	reg.engines[0] = 63;
	VALID(reg);
	reg.engine_mask = ~1ULL;
	INVALID(reg, -EINVAL);
	reg.engine_mask = 0x7ffffffffffffffeULL;	/* bits 1..62 */
	reg.engines[0] = 62;
	INVALID(reg, -EINVAL);
	/* Without DENSE, the same masks are fine. */
	reg.flags &= ~GPUFE_CONFIG_REG_DENSE;
	VALID(reg);
out:
	return;
}

/* --- encode and decode ----------------------------------------------- */

static void encode_decode_round_trip(void)
{
	struct gpufe_engine_layout dev = layout(16, 16, 16, 16);
	struct gpufe_config_reg reg, emu, out;
	/* Exactly the register: ASan catches a byte more. */
	unsigned char *mem = buf_new(REG_SIZE, 0);
	unsigned char *page = buf_new(4096, 0);

	CHECK_INT(gpufe_config_reg_init(&reg, &dev, 0x11223344, 0x55,
					0x8000000000f0000fULL,
					0x0123456789abcdefULL, 777, 9,
					REAL_FLAGS), ==, 0);
	gpufe_config_reg_encode(mem, &reg);
	/* The layout in memory is the struct's, in the CPU's byte order. */
	CHECK(!memcmp(mem, &reg, REG_SIZE));
	CHECK(!memcmp(mem, "GPFC", 4));
	memset(&out, UNTOUCHED, sizeof(out));
	CHECK_INT(gpufe_config_reg_decode(mem, REG_SIZE, &out), ==, 0);
	CHECK(!memcmp(&out, &reg, sizeof(out)));

	/* An emulated one, into a zeroed page: the rest stays zero. */
	gpufe_config_reg_emulate(&reg, &emu);
	gpufe_config_reg_encode(page, &emu);
	CHECK(!memcmp(page, &emu, REG_SIZE));
	CHECK(all_bytes(page + REG_SIZE, 4096 - REG_SIZE, 0));
	CHECK_INT(gpufe_config_reg_decode(page, 4096, &out), ==, 0);
	CHECK(!memcmp(&out, &emu, sizeof(out)));

	/* Rewriting with REVOKED set is seen. */
	emu.flags |= GPUFE_CONFIG_REG_REVOKED;
	gpufe_config_reg_encode(page, &emu);
	CHECK_INT(gpufe_config_reg_decode(page, 4096, &out), ==, 0);
	CHECK_INT(out.flags, ==, emu.flags);

	/* Encode writes what it is given, invalid or not. */
	reg.magic = 0x12345678;
	reg.pad = 5;
	gpufe_config_reg_encode(mem, &reg);
	CHECK(!memcmp(mem, &reg, REG_SIZE));
	CHECK_INT(gpufe_config_reg_decode(mem, REG_SIZE, &out), ==, -ENODEV);
out:
	free(page);
	free(mem);
}

static void decode_short(void)
{
	struct gpufe_config_reg reg = good_reg(), out;
	unsigned char *mem = buf_new(REG_SIZE, 0);
	size_t len;

	gpufe_config_reg_encode(mem, &reg);
	for (len = 0; len < GPUFE_CONFIG_REG_SIZE_V1; len++) {
		/* Exactly len bytes: ASan catches a read past them. */
		unsigned char *part = buf_new(len, 0);

		memcpy(part, mem, len);
		memset(&out, UNTOUCHED, sizeof(out));
		CHECK_INT(gpufe_config_reg_decode(part, len, &out), ==,
			  -EINVAL);
		CHECK(all_bytes(&out, sizeof(out), UNTOUCHED));
		free(part);
	}
	CHECK_INT(gpufe_config_reg_decode(mem, REG_SIZE, &out), ==, 0);
out:
	free(mem);
}

static void decode_sizes(void)
{
	struct gpufe_config_reg reg = good_reg(), out;
	unsigned char *mem = buf_new(128, 0x5c);

	/* A later version's register: 72 bytes, the rest unknown here. */
	reg.size = 72;
	gpufe_config_reg_encode(mem, &reg);
	CHECK_INT(mem[REG_SIZE], ==, 0x5c);	/* only the struct written */
	CHECK_INT(gpufe_config_reg_decode(mem, 128, &out), ==, 0);
	CHECK(!memcmp(&out, &reg, sizeof(out)));
	CHECK_INT(gpufe_config_reg_decode(mem, 72, &out), ==, 0);
	/* A size beyond the memory there is. */
	CHECK_INT(gpufe_config_reg_decode(mem, 71, &out), ==, -EINVAL);
	CHECK_INT(gpufe_config_reg_decode(mem, 56, &out), ==, -EINVAL);
	reg.size = 0xffff;
	gpufe_config_reg_encode(mem, &reg);
	CHECK_INT(gpufe_config_reg_decode(mem, 128, &out), ==, -EINVAL);
	CHECK_INT(gpufe_config_reg_decode(mem, 0xffff, &out), ==, 0);
	CHECK_INT(gpufe_config_reg_decode(mem, SIZE_MAX, &out), ==, 0);
	/* A size below version 1's. */
	reg.size = 55;
	gpufe_config_reg_encode(mem, &reg);
	CHECK_INT(gpufe_config_reg_decode(mem, 128, &out), ==, -EINVAL);
	/* Garbage without the magic is no register, whatever its size. */
	reg.magic = 0;
	reg.size = 0xffff;
	gpufe_config_reg_encode(mem, &reg);
	CHECK_INT(gpufe_config_reg_decode(mem, 56, &out), ==, -ENODEV);
out:
	free(mem);
}

static void decode_garbage(void)
{
	unsigned char *mem = buf_new(REG_SIZE, 0);
	struct gpufe_config_reg out;
	u64 rng = 0x2545f4914f6cdd1dULL;
	unsigned int nodev = 0, noproto = 0, inval = 0;
	unsigned int round, i;

	/* Zeroed memory: nothing written yet. */
	CHECK_INT(gpufe_config_reg_decode(mem, REG_SIZE, &out), ==, -ENODEV);
	memset(mem, 0xff, REG_SIZE);
	CHECK_INT(gpufe_config_reg_decode(mem, REG_SIZE, &out), ==, -ENODEV);

	for (round = 0; round < 100000; round++) {
		int want, got;

		for (i = 0; i < REG_SIZE; i += 8) {
			u64 r = xorshift64(&rng);

			memcpy(mem + i, &r, 8);
		}
		/* Half of them with a magic, some with the version too. */
		if (round % 2)
			memcpy(mem, "GPFC", 4);
		if (round % 4 == 1) {
			mem[4] = 1;
			mem[5] = 0;
		}
		want = ref_decode(mem, REG_SIZE);
		got = gpufe_config_reg_decode(mem, REG_SIZE, &out);
		CHECK_INT(got, ==, want);
		nodev += got == -ENODEV;
		noproto += got == -EPROTONOSUPPORT;
		inval += got == -EINVAL;
		/* What was read is what is there. */
		CHECK(!memcmp(&out, mem, sizeof(out)));
	}
	/* Each check was reached. */
	CHECK_INT(nodev, >, 0);
	CHECK_INT(noproto, >, 0);
	CHECK_INT(inval, >, 0);
out:
	free(mem);
}

/*
 * A valid register with random fields changed: decode agrees with the
 * reference on every one, and accepts a fair share.
 */
static void decode_mutations(void)
{
	struct gpufe_engine_layout dev = layout(8, 4, 2, 2);
	unsigned char *mem = buf_new(REG_SIZE, 0);
	unsigned int round, i, accepted = 0, refused = 0;
	u64 rng = 0x853c49e6748fea9bULL;
	struct gpufe_config_reg reg, out;

	for (round = 0; round < 100000; round++) {
		u64 r = xorshift64(&rng);
		size_t len = REG_SIZE + (r >> 40) % 16;
		unsigned char *m;
		int want;

		CHECK_INT(gpufe_config_reg_init(&reg, &dev, 1 + r % 3,
						r >> 3 & 1,
						1 + (r >> 4) % 0xffff, 0,
						r >> 3 & 1 ? 1 + (r >> 20) % 1000 : 0,
						0, r >> 30 & 3), ==, 0);
		if (r >> 32 & 1)
			gpufe_config_reg_emulate(&reg, &reg);
		gpufe_config_reg_encode(mem, &reg);
		/* Zero to three byte changes, anywhere. */
		for (i = 0; i < (r >> 33) % 4; i++) {
			u64 b = xorshift64(&rng);

			mem[b % REG_SIZE] = b >> 8;
		}
		m = buf_new(len, 0);
		memcpy(m, mem, REG_SIZE);
		want = ref_decode(m, len);
		CHECK_INT(gpufe_config_reg_decode(m, len, &out), ==, want);
		CHECK(!memcmp(&out, m, sizeof(out)));
		free(m);
		if (want)
			refused++;
		else
			accepted++;
	}
	/* The run exercised both outcomes. */
	CHECK_INT(accepted, >, 10000);
	CHECK_INT(refused, >, 10000);
out:
	free(mem);
}

/* --- a concurrent reader --------------------------------------------- */

#define CONC_REGS	256
#define CONC_ROUNDS	1000

/*
 * Each slot two cache lines of its own (the array is allocated 64-byte
 * aligned), the register across them: the magic, version and size at the
 * end of the first, the rest in the second. A writer whose stores to the
 * two lines became visible out of order, or a reader whose loads did,
 * would show up as a register seen half written.
 */
struct conc_slot {
	unsigned char head[64 - 8];
	unsigned char mem[REG_SIZE];
	unsigned char tail[128 - 64 - REG_SIZE + 8];
};

struct conc {
	struct conc_slot *slots;
	int started;		/* atomic */
};

/* Register @i, different in every field from its neighbours. */
static void conc_reg(unsigned int i, struct gpufe_config_reg *reg)
{
	struct gpufe_engine_layout dev = layout(16, 16, 16, 16);
	u64 mask = (u64)(i + 1) * 0x9e3779b97f4a7c15ULL;
	int ret;

	ret = gpufe_config_reg_init(reg, &dev, i + 1, i % 255 + 1,
				    mask ? mask : 1, (u64)i << 20 | i,
				    i % MAX_WEIGHT + 1, i, i % 4);
	if (ret)
		abort();
	if (i % 2)
		gpufe_config_reg_emulate(reg, reg);
}

static void *conc_write(void *arg)
{
	struct conc *c = arg;
	struct gpufe_config_reg reg;
	unsigned int i;

	__atomic_store_n(&c->started, 1, __ATOMIC_RELEASE);
	for (i = 0; i < CONC_REGS; i++) {
		conc_reg(i, &reg);
		gpufe_config_reg_encode(c->slots[i].mem, &reg);
		/* Let the reader in, even on one CPU. */
		if (i % 64 == 0)
			sched_yield();
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A writer publishes registers into zeroed slots in order; the reader
 * follows, decoding each slot until the magic shows. Once it does, the
 * whole register must be there: decode succeeds with exactly what was
 * written.
 */
static void conc_round(double deadline, unsigned long long *waits)
{
	struct conc c = { 0 };
	struct gpufe_config_reg want, got;
	pthread_t tid;
	unsigned int i;
	bool running = false;
	int ret;

	c.slots = aligned_alloc(64, CONC_REGS * sizeof(*c.slots));
	CHECK(c.slots);
	memset(c.slots, 0, CONC_REGS * sizeof(*c.slots));
	CHECK(!pthread_create(&tid, NULL, conc_write, &c));
	running = true;
	while (!__atomic_load_n(&c.started, __ATOMIC_ACQUIRE))
		sched_yield();

	for (i = 0; i < CONC_REGS; i++) {
		conc_reg(i, &want);
		while ((ret = gpufe_config_reg_decode(c.slots[i].mem, REG_SIZE,
						      &got)) == -ENODEV) {
			(*waits)++;
			if (now() > deadline) {
				test_fail("slot %u still empty at the deadline",
					  i);
				goto out;
			}
		}
		if (ret || memcmp(&got, &want, sizeof(got))) {
			test_fail("slot %u: decode %d, %s", i, ret,
				  ret ? "" : "a register not the one written");
			goto out;
		}
	}
out:
	if (running)
		pthread_join(tid, NULL);
	free(c.slots);
}

/*
 * Races are found by chance, most often as a round starts: as many short
 * rounds as fit in half a second, at least one.
 */
static void concurrent_publish(void)
{
	unsigned long long waits = 0;
	double start = now();
	unsigned int round;

	for (round = 0; round < CONC_ROUNDS && !test_failed; round++) {
		if (round && now() - start > 0.5)
			break;
		conc_round(start + 5, &waits);
	}
	printf("# concurrent: %u rounds of %u registers, %llu empty reads\n",
	       round, CONC_REGS, waits);
	/* The reader ran alongside the writer, not only after it. */
	if (!test_failed && !waits)
		test_fail("no interleaving: the reader never waited");
}

/* --- runner ---------------------------------------------------------- */

struct test {
	const char *name;
	const char *desc;
	void (*fn)(void);
};

#define TEST(tname, tdesc) { .name = #tname, .desc = tdesc, .fn = tname }

static const struct test tests[] = {
	TEST(init_basic, "init fills every field of a real register"),
	TEST(init_engines_per_class, "init counts the mask's engines per class"),
	TEST(init_whole_device, "init of a whole device, and extreme values"),
	TEST(init_bad_layout, "init refuses 0 or over 64 engines"),
	TEST(init_bad_mask, "init refuses a mask of 0 or beyond the device"),
	TEST(init_bad_flags, "init refuses DENSE and unknown flags"),
	TEST(init_bad_weight, "init refuses a weight out of range"),
	TEST(emulate_basic, "emulate: dense mask, DENSE, the rest copied"),
	TEST(emulate_wide, "emulate masks of up to 64 engines"),
	TEST(emulate_in_place, "emulate in place, and of an emulated register"),
	TEST(map_example, "renumbering of counts {2,2,0,0}, mask 0b1010"),
	TEST(map_layouts, "renumbering round trips, layouts up to 64 engines"),
	TEST(map_exhaustive, "renumbering of every mask of small layouts"),
	TEST(map_bad_args, "renumbering refuses DENSE and bad layouts"),
	TEST(validate_good, "validate accepts consistent registers"),
	TEST(validate_bad_magic, "validate: a wrong magic is -ENODEV"),
	TEST(validate_bad_version, "validate: a wrong version is -EPROTONOSUPPORT"),
	TEST(validate_bad_size, "validate: a size below 56 is -EINVAL"),
	TEST(validate_bad_mask, "validate: a mask of 0 is -EINVAL"),
	TEST(validate_bad_engines, "validate: counts not matching the mask"),
	TEST(validate_bad_flags, "validate: unknown flags are -EINVAL"),
	TEST(validate_bad_pad, "validate: a non-zero pad is -EINVAL"),
	TEST(validate_bad_weight, "validate: a weight out of range is -EINVAL"),
	TEST(validate_bad_dense, "validate: DENSE needs the low bits"),
	TEST(encode_decode_round_trip, "encode then decode gives the register"),
	TEST(decode_short, "decode of fewer than 56 bytes is -EINVAL"),
	TEST(decode_sizes, "decode of larger sizes, and sizes beyond len"),
	TEST(decode_garbage, "decode of random bytes matches the reference"),
	TEST(decode_mutations, "decode of altered registers matches the reference"),
	TEST(concurrent_publish, "a reader that sees the magic sees the register"),
};

int main(void)
{
	unsigned int i, n = ARRAY_SIZE(tests);
	unsigned int passed = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("1..%u\n", n);
	for (i = 0; i < n; i++) {
		test_failed = 0;
		tests[i].fn();
		if (test_failed) {
			failed++;
			printf("not ok %u - %s # %s\n", i + 1, tests[i].name,
			       tests[i].desc);
		} else {
			passed++;
			printf("ok %u - %s # %s\n", i + 1, tests[i].name,
			       tests[i].desc);
		}
	}
	printf("config_reg: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
