// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/*
 * Host unit tests for what libgpuclient 1.5 adds: the builders of
 * gpufe_edu's commands, gpuclient_cmd_edu_copy() and
 * gpuclient_cmd_edu_factorial(). The bytes they append are checked against
 * the structures of uapi/gpufe_edu.h and against the layout written out by
 * hand, their errors against the conventions of the swgpu builders, and
 * their jobs are run by the fake kernel's edu device (fake_add_edu()),
 * which checks streams as uapi/gpufe_edu.h says. test_gpuclient.c runs
 * them after the scheduler's; edu_cleanup() releases what a test left in
 * the e_* variables.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <gpufe_edu.h>

#include "gpuclient_priv.h"
#include "fake_kernel.h"
#include "harness.h"
#include "tests.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Owned by the runner: released after every test. */
static gpuclient_handle e_h;
static gpuclient_ctx_handle e_ctx[2];
static gpuclient_bo_handle e_bo[2];
static gpuclient_cmdbuf_handle e_cb;

/* The layout gpufe_edu.h gives, which the byte checks below spell out. */
_Static_assert(sizeof(struct edu_cmd_copy) == 40, "struct edu_cmd_copy");
_Static_assert(offsetof(struct edu_cmd_copy, opcode) == 0, "copy opcode");
_Static_assert(offsetof(struct edu_cmd_copy, src_bo) == 4, "copy src_bo");
_Static_assert(offsetof(struct edu_cmd_copy, dst_bo) == 8, "copy dst_bo");
_Static_assert(offsetof(struct edu_cmd_copy, pad) == 12, "copy pad");
_Static_assert(offsetof(struct edu_cmd_copy, src_offset) == 16,
	       "copy src_offset");
_Static_assert(offsetof(struct edu_cmd_copy, dst_offset) == 24,
	       "copy dst_offset");
_Static_assert(offsetof(struct edu_cmd_copy, length) == 32, "copy length");
_Static_assert(sizeof(struct edu_cmd_factorial) == 24,
	       "struct edu_cmd_factorial");
_Static_assert(offsetof(struct edu_cmd_factorial, opcode) == 0,
	       "factorial opcode");
_Static_assert(offsetof(struct edu_cmd_factorial, n) == 4, "factorial n");
_Static_assert(offsetof(struct edu_cmd_factorial, dst_bo) == 8,
	       "factorial dst_bo");
_Static_assert(offsetof(struct edu_cmd_factorial, pad) == 12,
	       "factorial pad");
_Static_assert(offsetof(struct edu_cmd_factorial, dst_offset) == 16,
	       "factorial dst_offset");

void edu_cleanup(void)
{
	unsigned int i;

	gpuclient_cmdbuf_destroy(e_cb);
	for (i = 0; i < ARRAY_SIZE(e_bo); i++)
		gpuclient_bo_destroy(e_bo[i]);
	for (i = 0; i < ARRAY_SIZE(e_ctx); i++)
		gpuclient_ctx_destroy(e_ctx[i]);
	gpuclient_close(e_h);
	e_cb = NULL;
	memset(e_bo, 0, sizeof(e_bo));
	memset(e_ctx, 0, sizeof(e_ctx));
	e_h = NULL;
}

/*
 * A 1.4 kernel with a swgpu device (1) and an edu device (2, compute0 and
 * copy0), opened as e_h, with two buffers of two pages.
 */
static int setup(void)
{
	unsigned int i;
	int ret;

	fake_set_sched();
	if (!fake_add_swgpu(1, "swgpu0") || !fake_add_edu(2, "edu-0000:00:04.0"))
		return -ENOMEM;
	ret = gpuclient_open(FAKE_PATH, &e_h);
	for (i = 0; !ret && i < ARRAY_SIZE(e_bo); i++)
		ret = gpuclient_bo_create(e_h, 2 * 4096, &e_bo[i]);
	return ret;
}

/* Store a little-endian integer of @size bytes at @p. */
static void put_le(uint8_t *p, uint64_t v, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* --- the bytes ------------------------------------------------------------ */

static void edu_encoding(void)
{
	const struct swgpu_cmd_nop nop = { .opcode = SWGPU_CMD_NOP };
	const struct edu_cmd_copy copy = {
		.opcode = EDU_CMD_COPY,
		.src_bo = 1,
		.dst_bo = 0,
		.src_offset = 0x0123456789abcdefULL,
		.dst_offset = 0xfedcba9876543211ULL,
		.length = 0x100000001ULL,
	};
	const struct edu_cmd_factorial fact = {
		.opcode = EDU_CMD_FACTORIAL,
		.n = 12,
		.dst_bo = 1,
		.dst_offset = 0x8000000000000004ULL,
	};
	uint8_t want[4 + 40 + 24], bytes[40 + 24];
	uint32_t i0, i1;

	/* The structures of the header, after a NOP: 4-byte aligned only. */
	memcpy(want, &nop, sizeof(nop));
	memcpy(want + 4, &copy, sizeof(copy));
	memcpy(want + 44, &fact, sizeof(fact));

	/* And the same, byte by byte, as the header lays them out. */
	memset(bytes, 0, sizeof(bytes));
	put_le(bytes + 0, EDU_CMD_COPY, 4);
	put_le(bytes + 4, 1, 4);
	put_le(bytes + 8, 0, 4);
	put_le(bytes + 12, 0, 4);
	put_le(bytes + 16, 0x0123456789abcdefULL, 8);
	put_le(bytes + 24, 0xfedcba9876543211ULL, 8);
	put_le(bytes + 32, 0x100000001ULL, 8);
	put_le(bytes + 40, EDU_CMD_FACTORIAL, 4);
	put_le(bytes + 44, 12, 4);
	put_le(bytes + 48, 1, 4);
	put_le(bytes + 52, 0, 4);
	put_le(bytes + 56, 0x8000000000000004ULL, 8);
	CHECK(!memcmp(want + 4, bytes, sizeof(bytes)));
	CHECK_INT(EDU_CMD_COPY, ==, 1);
	CHECK_INT(EDU_CMD_FACTORIAL, ==, 2);

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_create(&e_cb), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_add_bo(e_cb, e_bo[0], GPUCLIENT_BO_WRITE,
					  &i0), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_add_bo(e_cb, e_bo[1], GPUCLIENT_BO_READ,
					  &i1), ==, 0);
	CHECK_INT(i0, ==, 0);
	CHECK_INT(i1, ==, 1);
	CHECK_INT(gpuclient_cmd_nop(e_cb), ==, 0);
	/* Source first, as gpuclient_cmd_copy() takes them. */
	CHECK_INT(gpuclient_cmd_edu_copy(e_cb, i1, i0, 0x0123456789abcdefULL,
					 0xfedcba9876543211ULL, 0x100000001ULL),
		  ==, 0);
	CHECK_INT(gpuclient_cmd_edu_factorial(e_cb, i1, 0x8000000000000004ULL,
					      12), ==, 0);
	CHECK_INT(e_cb->size, ==, sizeof(want));
	CHECK(!memcmp(e_cb->cmds, want, sizeof(want)));
	/* The builder's list is untouched by the commands. */
	CHECK_INT(e_cb->num_bos, ==, 2);
	CHECK_INT(e_cb->bos[0].flags, ==, GPUCLIENT_BO_WRITE);
	CHECK_INT(e_cb->bos[1].flags, ==, GPUCLIENT_BO_READ);

	/* Values the kernel refuses are the kernel's to refuse. */
	gpuclient_cmdbuf_reset(e_cb);
	CHECK_INT(gpuclient_cmdbuf_add_bo(e_cb, e_bo[0], GPUCLIENT_BO_READ,
					  &i0), ==, 0);
	CHECK_INT(gpuclient_cmd_edu_copy(e_cb, i0, i0, 0, 0, 0), ==, 0);
	CHECK_INT(gpuclient_cmd_edu_factorial(e_cb, i0, 3, 0xffffffffu), ==, 0);
	CHECK_INT(e_cb->size, ==, 40 + 24);
	memcpy(&i1, e_cb->cmds + 40 + 4, 4);
	CHECK_INT(i1, ==, 0xffffffffu);
}

/* --- the errors ------------------------------------------------------------ */

static void edu_errors(void)
{
	const size_t max = GPUCLIENT_CMDBUF_MAX_SIZE;
	uint32_t idx;
	size_t i;

	CHECK_INT(gpuclient_cmd_edu_copy(NULL, 0, 0, 0, 0, 1), ==, -EINVAL);
	CHECK_INT(gpuclient_cmd_edu_factorial(NULL, 0, 0, 1), ==, -EINVAL);

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_create(&e_cb), ==, 0);
	/* No buffer listed: no index is one. */
	CHECK_INT(gpuclient_cmd_edu_copy(e_cb, 0, 0, 0, 4096, 1), ==, -EINVAL);
	CHECK_INT(gpuclient_cmd_edu_factorial(e_cb, 0, 0, 1), ==, -EINVAL);
	CHECK_INT(e_cb->size, ==, 0);

	CHECK_INT(gpuclient_cmdbuf_add_bo(e_cb, e_bo[0],
					  GPUCLIENT_BO_READ | GPUCLIENT_BO_WRITE,
					  &idx), ==, 0);
	CHECK_INT(gpuclient_cmd_edu_factorial(e_cb, idx, 0, 5), ==, 0);
	/* Either index off the list; the stream stays as it was. */
	CHECK_INT(gpuclient_cmd_edu_copy(e_cb, 1, 0, 0, 4096, 1), ==, -EINVAL);
	CHECK_INT(gpuclient_cmd_edu_copy(e_cb, 0, 1, 0, 4096, 1), ==, -EINVAL);
	CHECK_INT(gpuclient_cmd_edu_copy(e_cb, UINT32_MAX, 0, 0, 4096, 1), ==,
		  -EINVAL);
	CHECK_INT(gpuclient_cmd_edu_factorial(e_cb, 1, 0, 5), ==, -EINVAL);
	CHECK_INT(e_cb->size, ==, sizeof(struct edu_cmd_factorial));
	CHECK_INT(e_cb->num_bos, ==, 1);

	/* Past 64 KiB: -E2BIG, nothing appended; up to it, exactly. */
	gpuclient_cmdbuf_reset(e_cb);
	CHECK_INT(gpuclient_cmdbuf_add_bo(e_cb, e_bo[0], GPUCLIENT_BO_WRITE,
					  &idx), ==, 0);
	for (i = 0; i < (max - 36) / 4; i++)
		if (gpuclient_cmd_nop(e_cb))
			break;
	CHECK_INT(e_cb->size, ==, max - 36);
	CHECK_INT(gpuclient_cmd_edu_copy(e_cb, idx, idx, 0, 4096, 1), ==, -E2BIG);
	CHECK_INT(e_cb->size, ==, max - 36);
	CHECK_INT(gpuclient_cmd_edu_factorial(e_cb, idx, 0, 1), ==, 0);
	CHECK_INT(e_cb->size, ==, max - 12);
	CHECK_INT(gpuclient_cmd_edu_factorial(e_cb, idx, 0, 1), ==, -E2BIG);
	CHECK_INT(e_cb->size, ==, max - 12);
	gpuclient_cmdbuf_reset(e_cb);
	CHECK_INT(gpuclient_cmdbuf_add_bo(e_cb, e_bo[0], GPUCLIENT_BO_WRITE,
					  &idx), ==, 0);
	for (i = 0; i < (max - 40) / 4; i++)
		if (gpuclient_cmd_nop(e_cb))
			break;
	CHECK_INT(gpuclient_cmd_edu_copy(e_cb, idx, idx, 0, 4096, 1), ==, 0);
	CHECK_INT(e_cb->size, ==, max);
}

/* --- jobs ------------------------------------------------------------------- */

/* Submit e_cb on @ctx: its sequence number, or 0 on failure. */
static uint64_t submit_cb(gpuclient_ctx_handle ctx)
{
	uint64_t seqno = 0;

	return gpuclient_submit(ctx, e_cb, -1, NULL, &seqno) ? 0 : seqno;
}

static void edu_jobs(void)
{
	static const uint32_t fact[] = { 1, 1, 2, 6, 24, 120, 720, 5040,
					 40320, 362880, 3628800, 39916800,
					 479001600 };
	struct gpuclient_ctx_status st;
	uint8_t *src, *dst;
	uint32_t is, id, v;
	unsigned int i;

	CHECK_INT(setup(), ==, 0);
	fk.auto_complete = 1;
	CHECK_INT(gpuclient_ctx_create(e_h, 2, GPUCLIENT_ENGINE_CLASS_COPY, 0,
				       GPUCLIENT_PRIORITY_NORMAL, &e_ctx[0]), ==, 0);
	CHECK_INT(gpuclient_ctx_create(e_h, 2, GPUCLIENT_ENGINE_CLASS_COMPUTE, 0,
				       GPUCLIENT_PRIORITY_NORMAL, &e_ctx[1]), ==, 0);
	CHECK_INT(gpuclient_bo_map(e_bo[0], (void **)&src), ==, 0);
	CHECK_INT(gpuclient_bo_map(e_bo[1], (void **)&dst), ==, 0);
	for (i = 0; i < 2 * 4096; i++)
		src[i] = (uint8_t)(i * 7 + 3);

	/* A copy across a page, odd offsets on both sides. */
	CHECK_INT(gpuclient_cmdbuf_create(&e_cb), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_add_bo(e_cb, e_bo[0], GPUCLIENT_BO_READ,
					  &is), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_add_bo(e_cb, e_bo[1], GPUCLIENT_BO_WRITE,
					  &id), ==, 0);
	CHECK_INT(gpuclient_cmd_edu_copy(e_cb, is, id, 4093, 1, 100), ==, 0);
	CHECK_INT(submit_cb(e_ctx[0]), ==, 1);
	/* The kernel got the stream and the list as built. */
	CHECK_INT(fk.last_submit.args.cmds_size, ==, sizeof(struct edu_cmd_copy));
	CHECK(!memcmp(fk.last_submit.cmds, e_cb->cmds, e_cb->size));
	CHECK_INT(fk.last_submit.args.num_bos, ==, 2);
	CHECK_INT(fk.last_submit.bos[0].flags, ==, GPUFE_SUBMIT_BO_READ);
	CHECK_INT(fk.last_submit.bos[1].flags, ==, GPUFE_SUBMIT_BO_WRITE);
	CHECK_INT(gpuclient_wait(e_ctx[0], 1, 0), ==, 0);
	CHECK(!memcmp(dst + 1, src + 4093, 100));
	CHECK_INT(dst[0], ==, 0);
	CHECK_INT(dst[101], ==, 0);

	/* 0! to 12! in one job on the compute engine. */
	gpuclient_cmdbuf_reset(e_cb);
	CHECK_INT(gpuclient_cmdbuf_add_bo(e_cb, e_bo[1], GPUCLIENT_BO_WRITE,
					  &id), ==, 0);
	for (i = 0; i < ARRAY_SIZE(fact); i++)
		CHECK_INT(gpuclient_cmd_edu_factorial(e_cb, id, 4096 + 4 * i, i),
			  ==, 0);
	CHECK_INT(submit_cb(e_ctx[1]), ==, 1);
	CHECK_INT(gpuclient_wait(e_ctx[1], 1, 0), ==, 0);
	for (i = 0; i < ARRAY_SIZE(fact); i++) {
		memcpy(&v, dst + 4096 + 4 * i, 4);
		CHECK_INT(v, ==, fact[i]);
	}
	CHECK_INT(gpuclient_ctx_status(e_ctx[1], &st), ==, 0);
	CHECK_INT(st.error, ==, 0);

	/* A FACTORIAL on the copy engine: the kernel's -EINVAL, nothing queued. */
	CHECK_INT(submit_cb(e_ctx[0]), ==, 0);
	CHECK_INT(gpuclient_ctx_status(e_ctx[0], &st), ==, 0);
	CHECK_INT(st.submitted, ==, 1);
	fk.einval = 0;
}

const struct test edu_tests[] = {
	TEST(edu_encoding, "edu COPY and FACTORIAL encoded as gpufe_edu.h says"),
	TEST(edu_errors, "edu builders: NULL, unlisted buffers, 64 KiB; unchanged"),
	TEST(edu_jobs, "edu jobs reach the kernel as built and compute the right data"),
};

const unsigned int num_edu_tests = ARRAY_SIZE(edu_tests);
