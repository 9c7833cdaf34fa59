// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/*
 * Host unit tests for what libgpuclient 1.4 adds for the kernel's
 * scheduler (interface 1.4): gpuclient_ctx_status2() with its engine time,
 * hangs, queued jobs and the banned state, on a 1.4 kernel and on older
 * ones (whose shorter CTX_STATUS leaves those fields 0); swgpu's FAULT and
 * HANG builders and what becomes of their jobs; priorities; and
 * gpuclient_partition_create2() with a partition's engine timeout. Against
 * the fake kernel in fake_kernel.c, as a 1.4 one with two swgpu devices
 * (compute0, compute1, copy0, video0 each) unless a test says otherwise.
 * test_gpuclient.c runs them after the partition tests; sched_cleanup()
 * releases what a test left in the s_* variables.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "gpuclient_priv.h"
#include "fake_kernel.h"
#include "harness.h"
#include "tests.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NSEC_PER_USEC	1000ULL

/* Owned by the runner: released after every test. */
static gpuclient_handle s_h;
static gpuclient_ctx_handle s_ctx[4];
static gpuclient_bo_handle s_bo;
static gpuclient_cmdbuf_handle s_cb;
static int s_fds[4];
static unsigned int s_num_fds;

/* What an untouched output parameter still holds. */
#define SENTINEL_U32	0xdeadbeefu
#define SENTINEL_U64	0xdeadbeefcafef00dULL
#define SENTINEL_FD	(-12345)

/*
 * The library's structures are its ABI: the 1.4 ones are the older ones
 * with fields added at the end, and never change again.
 */
_Static_assert(sizeof(struct gpuclient_ctx_status2) == 40,
	       "struct gpuclient_ctx_status2 layout");
_Static_assert(offsetof(struct gpuclient_ctx_status2, busy_ns) ==
	       sizeof(struct gpuclient_ctx_status),
	       "struct gpuclient_ctx_status2 extends gpuclient_ctx_status");
_Static_assert(offsetof(struct gpuclient_ctx_status2, state) ==
	       offsetof(struct gpuclient_ctx_status, state),
	       "struct gpuclient_ctx_status2 extends gpuclient_ctx_status");
_Static_assert(sizeof(struct gpuclient_partition_params2) == 48,
	       "struct gpuclient_partition_params2 layout");
_Static_assert(offsetof(struct gpuclient_partition_params2,
			engine_timeout_ms) ==
	       offsetof(struct gpuclient_partition_params, node_mode) + 4,
	       "struct gpuclient_partition_params2 extends the 1.3 one");
_Static_assert(offsetof(struct gpuclient_partition_params2, node_mode) ==
	       offsetof(struct gpuclient_partition_params, node_mode),
	       "struct gpuclient_partition_params2 extends the 1.3 one");

void sched_cleanup(void)
{
	unsigned int i;

	gpuclient_cmdbuf_destroy(s_cb);
	gpuclient_bo_destroy(s_bo);
	for (i = 0; i < ARRAY_SIZE(s_ctx); i++)
		gpuclient_ctx_destroy(s_ctx[i]);
	gpuclient_close(s_h);
	while (s_num_fds)
		close(s_fds[--s_num_fds]);
	s_cb = NULL;
	s_bo = NULL;
	memset(s_ctx, 0, sizeof(s_ctx));
	s_h = NULL;
}

static int keep_fd(int fd)
{
	if (fd >= 0 && s_num_fds < ARRAY_SIZE(s_fds))
		s_fds[s_num_fds++] = fd;
	return fd;
}

/* Two swgpu devices on a kernel set up by @set_version, opened as s_h. */
static int setup_with(void (*set_version)(void))
{
	set_version();
	if (!fake_add_swgpu(1, "swgpu0") || !fake_add_swgpu(2, "swgpu1"))
		return -ENOMEM;
	return gpuclient_open(FAKE_PATH, &s_h);
}

/* A 1.4 kernel. */
static int setup(void)
{
	return setup_with(fake_set_sched);
}

static int sfd(void)
{
	return gpuclient_get_fd(s_h);
}

static int copy_ctx(gpuclient_ctx_handle *ctx)
{
	return gpuclient_ctx_create(s_h, 1, GPUCLIENT_ENGINE_CLASS_COPY, 0,
				    GPUCLIENT_PRIORITY_NORMAL, ctx);
}

static struct fake_ctx *fctx(gpuclient_ctx_handle ctx)
{
	return fake_ctx(sfd(), gpuclient_ctx_get_id(ctx));
}

/* Submit s_cb on @ctx: its sequence number, or 0 on failure. */
static uint64_t submit_cb(gpuclient_ctx_handle ctx)
{
	uint64_t seqno = 0;

	return gpuclient_submit(ctx, s_cb, -1, NULL, &seqno) ? 0 : seqno;
}

/* A job of one command appended by @cmd, on @ctx: its seqno or 0. */
static uint64_t submit_one(gpuclient_ctx_handle ctx,
			   int (*cmd)(gpuclient_cmdbuf_handle cb))
{
	gpuclient_cmdbuf_handle cb;
	uint64_t seqno = 0;

	if (gpuclient_cmdbuf_create(&cb))
		return 0;
	if (cmd(cb) || gpuclient_submit(ctx, cb, -1, NULL, &seqno))
		seqno = 0;
	gpuclient_cmdbuf_destroy(cb);
	return seqno;
}

/* --- the version --------------------------------------------------------- */

static void sched_version(void)
{
	struct gpuclient_version v;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_get_version(s_h, &v), ==, 0);
	CHECK_INT(v.minor, ==, 4);
	CHECK(v.features & GPUCLIENT_FEATURE_SCHED);
	CHECK(v.features & GPUCLIENT_FEATURE_PARTITIONS);
	CHECK_INT(GPUCLIENT_FEATURE_SCHED, ==, GPUFE_FEATURE_SCHED);
	CHECK_INT(GPUCLIENT_CTX_STATE_BANNED, ==, GPUFE_CTX_STATE_BANNED);
	CHECK_INT(GPUCLIENT_ENGINE_TIMEOUT_MAX_MS, ==,
		  GPUFE_ENGINE_TIMEOUT_MAX_MS);
}

/* --- the builders ----------------------------------------------------------- */

static void cmd_fault_hang_encoding(void)
{
	const struct swgpu_cmd_nop nop = { .opcode = SWGPU_CMD_NOP };
	const struct swgpu_cmd_fault fault = { .opcode = SWGPU_CMD_FAULT };
	const struct swgpu_cmd_hang hang = { .opcode = SWGPU_CMD_HANG };
	uint8_t want[64];
	size_t n = 0;

	/* A NOP first: what follows is only 4-byte aligned. */
	memcpy(want + n, &nop, sizeof(nop));
	n += sizeof(nop);
	memcpy(want + n, &fault, sizeof(fault));
	n += sizeof(fault);
	memcpy(want + n, &hang, sizeof(hang));
	n += sizeof(hang);
	CHECK_INT(sizeof(fault), ==, 8);
	CHECK_INT(sizeof(hang), ==, 8);

	CHECK_INT(setup(), ==, 0);
	fk.allow_hang = 1;
	CHECK_INT(copy_ctx(&s_ctx[0]), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_create(&s_cb), ==, 0);
	CHECK_INT(gpuclient_cmd_nop(s_cb), ==, 0);
	CHECK_INT(gpuclient_cmd_fault(s_cb), ==, 0);
	CHECK_INT(gpuclient_cmd_hang(s_cb), ==, 0);
	CHECK_INT(s_cb->size, ==, n);
	CHECK(!memcmp(s_cb->cmds, want, n));

	/* The kernel gets exactly that, and takes it. */
	CHECK_INT(submit_cb(s_ctx[0]), ==, 1);
	CHECK_INT(fk.last_submit.args.cmds_size, ==, n);
	CHECK(!memcmp(fk.last_submit.cmds, want, n));
	CHECK_INT(fk.last_submit.args.num_bos, ==, 0);

	CHECK_INT(gpuclient_cmd_fault(NULL), ==, -EINVAL);
	CHECK_INT(gpuclient_cmd_hang(NULL), ==, -EINVAL);
}

static void cmd_fault_hang_overflow(void)
{
	const size_t max = GPUCLIENT_CMDBUF_MAX_SIZE;
	size_t i;

	CHECK_INT(gpuclient_cmdbuf_create(&s_cb), ==, 0);
	/* 4 bytes short of the limit: neither 8-byte command fits. */
	for (i = 0; i < (max - 4) / sizeof(struct swgpu_cmd_nop); i++)
		if (gpuclient_cmd_nop(s_cb))
			break;
	CHECK_INT(s_cb->size, ==, max - 4);
	CHECK_INT(gpuclient_cmd_fault(s_cb), ==, -E2BIG);
	CHECK_INT(gpuclient_cmd_hang(s_cb), ==, -E2BIG);
	CHECK_INT(s_cb->size, ==, max - 4);
	/* 8 short: each fits, exactly. */
	gpuclient_cmdbuf_reset(s_cb);
	for (i = 0; i < (max - 16) / sizeof(struct swgpu_cmd_nop); i++)
		if (gpuclient_cmd_nop(s_cb))
			break;
	CHECK_INT(gpuclient_cmd_fault(s_cb), ==, 0);
	CHECK_INT(gpuclient_cmd_hang(s_cb), ==, 0);
	CHECK_INT(s_cb->size, ==, max);
	CHECK_INT(gpuclient_cmd_fault(s_cb), ==, -E2BIG);
	CHECK_INT(s_cb->size, ==, max);
}

/* A FAULT ends its job with -EIO; the commands before it ran. */
static void fault_job(void)
{
	struct gpuclient_ctx_status2 st;
	struct gpuclient_event ev;
	uint32_t idx, *words;
	void *map;

	CHECK_INT(setup(), ==, 0);
	fk.auto_complete = 1;
	CHECK_INT(copy_ctx(&s_ctx[0]), ==, 0);
	CHECK_INT(gpuclient_bo_create(s_h, 4096, &s_bo), ==, 0);
	CHECK_INT(gpuclient_bo_map(s_bo, &map), ==, 0);
	words = map;
	CHECK_INT(gpuclient_cmdbuf_create(&s_cb), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_add_bo(s_cb, s_bo, GPUCLIENT_BO_WRITE, &idx),
		  ==, 0);
	CHECK_INT(gpuclient_cmd_fill(s_cb, idx, 0, 4, 0x11111111), ==, 0);
	CHECK_INT(gpuclient_cmd_fault(s_cb), ==, 0);
	CHECK_INT(gpuclient_cmd_fill(s_cb, idx, 4, 4, 0x22222222), ==, 0);
	CHECK_INT(submit_cb(s_ctx[0]), ==, 1);

	CHECK_INT(gpuclient_wait(s_ctx[0], 1, 0), ==, 0);
	CHECK_INT(words[0], ==, 0x11111111);
	CHECK_INT(words[1], ==, 0);
	CHECK_INT(gpuclient_ctx_status2(s_ctx[0], &st), ==, 0);
	CHECK_INT(st.completed, ==, 1);
	CHECK_INT(st.error, ==, -EIO);
	CHECK_INT(st.state, ==, GPUCLIENT_CTX_STATE_ACTIVE);
	CHECK_INT(st.hangs, ==, 0);
	CHECK_INT(gpuclient_read_events(s_h, &ev, 1, 0), ==, 1);
	CHECK_INT(ev.seqno, ==, 1);
	CHECK_INT(ev.error, ==, -EIO);

	/* A fault bans nothing: the context takes jobs. */
	CHECK_INT(submit_one(s_ctx[0], gpuclient_cmd_nop), ==, 2);
}

/* Without allow_hang, swgpu refuses a HANG: -EINVAL, nothing queued. */
static void hang_refused(void)
{
	struct gpuclient_ctx_status2 st;
	uint64_t seqno = SENTINEL_U64;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(&s_ctx[0]), ==, 0);
	CHECK_INT(gpuclient_cmdbuf_create(&s_cb), ==, 0);
	CHECK_INT(gpuclient_cmd_hang(s_cb), ==, 0);
	CHECK_INT(gpuclient_submit(s_ctx[0], s_cb, -1, NULL, &seqno), ==,
		  -EINVAL);
	CHECK_INT(seqno, ==, SENTINEL_U64);
	CHECK_INT(gpuclient_ctx_status2(s_ctx[0], &st), ==, 0);
	CHECK_INT(st.submitted, ==, 0);
	CHECK_INT(st.queued, ==, 0);
	fk.einval = 0;		/* provoked */
}

/* Before 1.4, FAULT and HANG are opcodes swgpu does not know. */
static void fault_hang_old_kernel(void)
{
	CHECK_INT(setup_with(fake_set_partitions), ==, 0);
	fk.allow_hang = 1;
	CHECK_INT(copy_ctx(&s_ctx[0]), ==, 0);
	CHECK_INT(submit_one(s_ctx[0], gpuclient_cmd_fault), ==, 0);
	CHECK_INT(submit_one(s_ctx[0], gpuclient_cmd_hang), ==, 0);
	CHECK_INT(fk.submits, ==, 0);
	fk.einval = 0;		/* provoked */
}

/*
 * A HANG job holds its engine until the kernel resets it: -ETIME, counted;
 * at the hang limit the context is banned and SUBMIT fails -ECANCELED.
 */
static void hang_and_ban(void)
{
	struct gpuclient_ctx_status2 st;
	struct gpuclient_ctx_status old;
	uint64_t seqno = SENTINEL_U64;

	CHECK_INT(setup(), ==, 0);
	fk.allow_hang = 1;
	fk.auto_complete = 1;
	fk.hang_limit = 2;
	CHECK_INT(copy_ctx(&s_ctx[0]), ==, 0);
	CHECK_INT(copy_ctx(&s_ctx[1]), ==, 0);

	CHECK_INT(submit_one(s_ctx[0], gpuclient_cmd_hang), ==, 1);
	CHECK_INT(submit_one(s_ctx[0], gpuclient_cmd_nop), ==, 2);
	CHECK_INT(gpuclient_wait(s_ctx[0], 1, 0), ==, -ETIME);
	CHECK_INT(gpuclient_ctx_done(s_ctx[0], 1), ==, 0);
	CHECK_INT(gpuclient_ctx_status2(s_ctx[0], &st), ==, 0);
	CHECK_INT(st.submitted, ==, 2);
	CHECK_INT(st.completed, ==, 0);
	CHECK_INT(st.queued, ==, 1);	/* the NOP, behind the hung job */
	CHECK_INT(st.hangs, ==, 0);

	/* Recovered: the hung job failed, the one behind it ran. */
	CHECK_INT(fake_hang_reset(sfd(), gpuclient_ctx_get_id(s_ctx[0])), ==, 0);
	CHECK_INT(gpuclient_wait(s_ctx[0], 2, 0), ==, 0);
	CHECK_INT(gpuclient_ctx_status2(s_ctx[0], &st), ==, 0);
	CHECK_INT(st.completed, ==, 2);
	CHECK_INT(st.error, ==, -ETIME);
	CHECK_INT(st.hangs, ==, 1);
	CHECK_INT(st.queued, ==, 0);
	CHECK_INT(st.state, ==, GPUCLIENT_CTX_STATE_ACTIVE);

	/* The second hang bans it; its queued job is cancelled. */
	CHECK_INT(submit_one(s_ctx[0], gpuclient_cmd_hang), ==, 3);
	CHECK_INT(submit_one(s_ctx[0], gpuclient_cmd_nop), ==, 4);
	CHECK_INT(fake_hang_reset(sfd(), gpuclient_ctx_get_id(s_ctx[0])), ==, 0);
	CHECK_INT(gpuclient_ctx_status2(s_ctx[0], &st), ==, 0);
	CHECK_INT(st.hangs, ==, 2);
	CHECK_INT(st.state, ==, GPUCLIENT_CTX_STATE_BANNED);
	CHECK_INT(st.completed, ==, 4);
	CHECK_INT(st.error, ==, -ECANCELED);
	CHECK_INT(gpuclient_ctx_status(s_ctx[0], &old), ==, 0);
	CHECK_INT(old.state, ==, GPUCLIENT_CTX_STATE_BANNED);

	CHECK_INT(gpuclient_cmdbuf_create(&s_cb), ==, 0);
	CHECK_INT(gpuclient_cmd_nop(s_cb), ==, 0);
	CHECK_INT(gpuclient_submit(s_ctx[0], s_cb, -1, NULL, &seqno), ==,
		  -ECANCELED);
	CHECK_INT(seqno, ==, SENTINEL_U64);

	/* The other context knows nothing of it. */
	CHECK_INT(gpuclient_ctx_status2(s_ctx[1], &st), ==, 0);
	CHECK_INT(st.hangs, ==, 0);
	CHECK_INT(st.state, ==, GPUCLIENT_CTX_STATE_ACTIVE);
	CHECK_INT(submit_cb(s_ctx[1]), ==, 1);
}

/* --- the status -------------------------------------------------------------- */

static void ctx_status2_fields(void)
{
	struct gpuclient_ctx_status2 st;
	struct gpuclient_ctx_status old;
	struct fake_ctx *fc;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(&s_ctx[0]), ==, 0);
	memset(&st, 0xa5, sizeof(st));
	CHECK_INT(gpuclient_ctx_status2(s_ctx[0], &st), ==, 0);
	CHECK_INT(st.submitted, ==, 0);
	CHECK_INT(st.completed, ==, 0);
	CHECK_INT(st.error, ==, 0);
	CHECK_INT(st.state, ==, GPUCLIENT_CTX_STATE_ACTIVE);
	CHECK_INT(st.busy_ns, ==, 0);
	CHECK_INT(st.hangs, ==, 0);
	CHECK_INT(st.queued, ==, 0);

	/* 1500 + 250 us of engine time, in two jobs; a third queued. */
	CHECK_INT(gpuclient_cmdbuf_create(&s_cb), ==, 0);
	CHECK_INT(gpuclient_cmd_delay_us(s_cb, 1500), ==, 0);
	CHECK_INT(submit_cb(s_ctx[0]), ==, 1);
	gpuclient_cmdbuf_reset(s_cb);
	CHECK_INT(gpuclient_cmd_delay_us(s_cb, 250), ==, 0);
	CHECK_INT(submit_cb(s_ctx[0]), ==, 2);
	CHECK_INT(submit_one(s_ctx[0], gpuclient_cmd_nop), ==, 3);
	fake_complete(sfd(), gpuclient_ctx_get_id(s_ctx[0]), 1, -EIO);

	CHECK_INT(gpuclient_ctx_status2(s_ctx[0], &st), ==, 0);
	CHECK_INT(st.submitted, ==, 3);
	CHECK_INT(st.completed, ==, 1);
	CHECK_INT(st.error, ==, -EIO);
	CHECK_INT(st.busy_ns, ==, 1750 * NSEC_PER_USEC);
	CHECK_INT(st.queued, ==, 2);

	/* Every field as the kernel wrote it, the full 64 and 32 bits. */
	fc = fctx(s_ctx[0]);
	CHECK(fc != NULL);
	fc->busy_ns = 0x123456789abcdef0ULL;
	fc->hangs = 0xfffffffeu;
	fc->state = GPUFE_CTX_STATE_BANNED;
	CHECK_INT(gpuclient_ctx_status2(s_ctx[0], &st), ==, 0);
	CHECK(st.busy_ns == 0x123456789abcdef0ULL);
	CHECK_INT(st.hangs, ==, 0xfffffffeu);
	CHECK_INT(st.state, ==, GPUCLIENT_CTX_STATE_BANNED);

	/* The first four are gpuclient_ctx_status()'s. */
	CHECK_INT(gpuclient_ctx_status(s_ctx[0], &old), ==, 0);
	CHECK_INT(old.submitted, ==, st.submitted);
	CHECK_INT(old.completed, ==, st.completed);
	CHECK_INT(old.error, ==, st.error);
	CHECK_INT(old.state, ==, st.state);

	CHECK_INT(gpuclient_ctx_status2(NULL, &st), ==, -EINVAL);
	CHECK_INT(gpuclient_ctx_status2(s_ctx[0], NULL), ==, -EINVAL);
}

static void ctx_status2_errors(void)
{
	struct gpufe_ctx_destroy destroy = { 0 };
	struct gpuclient_ctx_status2 st;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(&s_ctx[0]), ==, 0);
	fake_inject(EINTR);
	CHECK_INT(gpuclient_ctx_status2(s_ctx[0], &st), ==, 0);
	fake_inject(EFAULT);
	memset(&st, 0xa5, sizeof(st));
	CHECK_INT(gpuclient_ctx_status2(s_ctx[0], &st), ==, -EFAULT);
	CHECK(st.busy_ns == 0xa5a5a5a5a5a5a5a5ULL);

	/* A context gone behind the library's back: -ENOENT, untouched. */
	destroy.ctx_id = gpuclient_ctx_get_id(s_ctx[0]);
	CHECK_INT(ioctl(sfd(), GPUFE_IOCTL_CTX_DESTROY, &destroy), ==, 0);
	CHECK_INT(gpuclient_ctx_status2(s_ctx[0], &st), ==, -ENOENT);
	CHECK(st.busy_ns == 0xa5a5a5a5a5a5a5a5ULL);
	CHECK_INT(st.queued, ==, 0xa5a5a5a5u);
	CHECK_INT(gpuclient_ctx_destroy(s_ctx[0]), ==, -ENOENT);
	s_ctx[0] = NULL;
}

/*
 * Before 1.4 the kernel's CTX_STATUS is 32 bytes: it takes the library's
 * 48 (the tail is zero), writes back 32 and clears the rest, so whatever
 * it may have counted, the new fields read 0. The 1.2 (completion page)
 * and 1.1 kernels take it just as well.
 */
static void ctx_status2_old_kernel(void)
{
	static void (*const versions[])(void) = {
		fake_set_partitions, fake_set_completion_page,
		fake_set_datapath,
	};
	struct gpuclient_ctx_status2 st;
	struct fake_ctx *fc;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		sched_cleanup();
		fake_reset();
		CHECK_INT(setup_with(versions[i]), ==, 0);
		CHECK_INT(copy_ctx(&s_ctx[0]), ==, 0);
		CHECK_INT(gpuclient_cmdbuf_create(&s_cb), ==, 0);
		CHECK_INT(gpuclient_cmd_delay_us(s_cb, 1000), ==, 0);
		CHECK_INT(submit_cb(s_ctx[0]), ==, 1);
		CHECK_INT(submit_cb(s_ctx[0]), ==, 2);
		fc = fctx(s_ctx[0]);
		CHECK(fc != NULL);
		/* What a 1.4 kernel would report: a 1.3 one cannot. */
		CHECK(fc->busy_ns != 0);
		fc->hangs = 2;

		memset(&st, 0xa5, sizeof(st));
		CHECK_INT(gpuclient_ctx_status2(s_ctx[0], &st), ==, 0);
		CHECK_INT(st.submitted, ==, 2);
		CHECK_INT(st.completed, ==, 0);
		CHECK_INT(st.error, ==, 0);
		CHECK_INT(st.state, ==, GPUCLIENT_CTX_STATE_ACTIVE);
		CHECK_INT(st.busy_ns, ==, 0);
		CHECK_INT(st.hangs, ==, 0);
		CHECK_INT(st.queued, ==, 0);
		/* Without the completion page, ctx_done asks CTX_STATUS. */
		CHECK_INT(gpuclient_ctx_done(s_ctx[0], 2), ==, 0);
		fake_complete(sfd(), gpuclient_ctx_get_id(s_ctx[0]), 2, 0);
		CHECK_INT(gpuclient_ctx_done(s_ctx[0], 2), ==, 1);
	}
}

/* The 1.3 layout of CTX_STATUS, as an older program passes it. */
struct ctx_status_v13 {
	__u32 ctx_id;
	__u32 flags;
	__u64 submitted;
	__u64 completed;
	__s32 error;
	__u32 state;
};

#define CTX_STATUS_V13 _IOWR(GPUFE_IOCTL_BASE, 0x08, struct ctx_status_v13)

/*
 * The fake follows the uAPI's rules for a structure that grew, both ways:
 * a 1.4 kernel serves a 1.3 program's 32 bytes, and a 1.3 kernel refuses
 * a 48-byte one whose tail is not zero (-E2BIG), clearing a zero one.
 */
static void ctx_status_sizes(void)
{
	struct ctx_status_v13 v13;
	struct gpufe_ctx_status v14;
	uint8_t buf[sizeof(v13) + 8];

	_Static_assert(sizeof(struct ctx_status_v13) == 32, "1.3 layout");
	CHECK_INT(setup(), ==, 0);
	CHECK_INT(copy_ctx(&s_ctx[0]), ==, 0);
	CHECK_INT(submit_one(s_ctx[0], gpuclient_cmd_nop), ==, 1);

	memset(buf, 0x5a, sizeof(buf));
	memset(&v13, 0, sizeof(v13));
	v13.ctx_id = gpuclient_ctx_get_id(s_ctx[0]);
	memcpy(buf, &v13, sizeof(v13));
	CHECK_INT(ioctl(sfd(), CTX_STATUS_V13, buf), ==, 0);
	memcpy(&v13, buf, sizeof(v13));
	CHECK_INT(v13.submitted, ==, 1);
	/* Nothing written past the 32 bytes the program knows. */
	CHECK_INT(buf[sizeof(v13)], ==, 0x5a);
	sched_cleanup();

	fake_reset();
	CHECK_INT(setup_with(fake_set_partitions), ==, 0);
	CHECK_INT(copy_ctx(&s_ctx[0]), ==, 0);
	memset(&v14, 0, sizeof(v14));
	v14.ctx_id = gpuclient_ctx_get_id(s_ctx[0]);
	v14.hangs = 1;
	CHECK_INT(ioctl(sfd(), GPUFE_IOCTL_CTX_STATUS, &v14), ==, -1);
	CHECK_INT(errno, ==, E2BIG);
	v14.hangs = 0;
	fctx(s_ctx[0])->busy_ns = 99;
	CHECK_INT(ioctl(sfd(), GPUFE_IOCTL_CTX_STATUS, &v14), ==, 0);
	CHECK_INT(v14.busy_ns, ==, 0);
	CHECK_INT(ioctl(sfd(), CTX_STATUS_V13, &v13), ==, 0);
}

/* --- priorities ----------------------------------------------------------- */

static void ctx_priorities(void)
{
	static const int32_t prios[] = {
		GPUCLIENT_PRIORITY_LOW, GPUCLIENT_PRIORITY_NORMAL,
		GPUCLIENT_PRIORITY_HIGH,
	};
	gpuclient_ctx_handle ctx = NULL;
	unsigned int i;

	CHECK_INT(setup(), ==, 0);
	for (i = 0; i < ARRAY_SIZE(prios); i++) {
		CHECK_INT(gpuclient_ctx_create(s_h, 2,
					       GPUCLIENT_ENGINE_CLASS_COMPUTE,
					       1, prios[i], &s_ctx[i]), ==, 0);
		CHECK_INT(fctx(s_ctx[i])->priority, ==, prios[i]);
	}
	CHECK_INT(GPUCLIENT_PRIORITY_LOW, ==, GPUFE_PRIORITY_LOW);
	CHECK_INT(GPUCLIENT_PRIORITY_HIGH, ==, GPUFE_PRIORITY_HIGH);

	/* High needs CAP_SYS_NICE; low does not. */
	fk.deny_high_priority = 1;
	CHECK_INT(gpuclient_ctx_create(s_h, 1, GPUCLIENT_ENGINE_CLASS_COPY, 0,
				       GPUCLIENT_PRIORITY_HIGH, &ctx), ==,
		  -EPERM);
	CHECK(ctx == NULL);
	CHECK_INT(gpuclient_ctx_create(s_h, 1, GPUCLIENT_ENGINE_CLASS_COPY, 0,
				       GPUCLIENT_PRIORITY_LOW, &s_ctx[3]), ==,
		  0);
}

/* --- partitions' engine timeouts ------------------------------------------ */

static struct gpuclient_partition_params2 usual_params2(void)
{
	struct gpuclient_partition_params2 p = {
		.device_id = 1,
		.engine_mask = 0x6,
		.mem_quota = 1 << 20,
		.weight = 250,
		.max_clients = 4,
		.engine_timeout_ms = 750,
	};

	return p;
}

static void partition_create2(void)
{
	static const uint32_t timeouts[] = {
		750, 1, GPUCLIENT_ENGINE_TIMEOUT_MAX_MS, 0,
	};
	struct gpuclient_partition_params2 params = usual_params2();
	const struct fake_partition *fp;
	uint32_t id = SENTINEL_U32;
	int fd = SENTINEL_FD;
	unsigned int i;

	CHECK_INT(setup(), ==, 0);
	for (i = 0; i < ARRAY_SIZE(timeouts); i++) {
		params.engine_timeout_ms = timeouts[i];
		CHECK_INT(gpuclient_partition_create2(s_h, &params, &id, &fd),
			  ==, 0);
		keep_fd(fd);
		fp = fake_partition(id);
		CHECK(fp != NULL);
		CHECK_INT(fp->engine_timeout_ms, ==, timeouts[i]);
		CHECK_INT(fk.last_partition_create.engine_timeout_ms, ==,
			  timeouts[i]);
	}

	/* Every other field reached the kernel as given. */
	CHECK_INT(fk.last_partition_create.device_id, ==, 1);
	CHECK_INT(fk.last_partition_create.flags, ==, 0);
	CHECK(fk.last_partition_create.engine_mask == 0x6);
	CHECK(fk.last_partition_create.mem_quota == 1 << 20);
	CHECK_INT(fk.last_partition_create.weight, ==, 250);
	CHECK_INT(fk.last_partition_create.max_clients, ==, 4);

	/* Persistent, with node fields, no descriptor wanted. */
	params.flags = GPUCLIENT_PARTITION_PERSISTENT;
	params.node_uid = 1000;
	params.node_gid = 100;
	params.node_mode = 0640;
	params.engine_timeout_ms = 20;
	id = SENTINEL_U32;
	CHECK_INT(gpuclient_partition_create2(s_h, &params, &id, NULL), ==, 0);
	CHECK_INT(fk.last_partition_create.flags, ==,
		  GPUFE_PARTITION_PERSISTENT);
	CHECK_INT(fk.last_partition_create.node_uid, ==, 1000);
	CHECK_INT(fk.last_partition_create.node_gid, ==, 100);
	CHECK_INT(fk.last_partition_create.node_mode, ==, 0640);
	CHECK_INT(fk.last_partition_create.engine_timeout_ms, ==, 20);
	CHECK(fake_partition(id) != NULL);
	CHECK_INT(fake_partition(id)->engine_timeout_ms, ==, 20);
}

static void partition_create2_errors(void)
{
	struct gpuclient_partition_params2 params = usual_params2();
	uint32_t id = SENTINEL_U32;
	int fd = SENTINEL_FD;
	unsigned int calls;

	CHECK_INT(setup(), ==, 0);
	/* The kernel checks the range. */
	params.engine_timeout_ms = GPUCLIENT_ENGINE_TIMEOUT_MAX_MS + 1;
	CHECK_INT(gpuclient_partition_create2(s_h, &params, &id, &fd), ==,
		  -EINVAL);
	params.engine_timeout_ms = UINT32_MAX;
	CHECK_INT(gpuclient_partition_create2(s_h, &params, &id, &fd), ==,
		  -EINVAL);
	fk.einval = 0;		/* provoked */
	CHECK_INT(fk.partition_creates, ==, 0);

	/* The library checks what it translates, without an ioctl. */
	params = usual_params2();
	calls = fk.ioctl_calls;
	CHECK_INT(gpuclient_partition_create2(NULL, &params, &id, &fd), ==,
		  -EINVAL);
	CHECK_INT(gpuclient_partition_create2(s_h, NULL, &id, &fd), ==,
		  -EINVAL);
	params.flags = 0x2;
	CHECK_INT(gpuclient_partition_create2(s_h, &params, &id, &fd), ==,
		  -EINVAL);
	params.flags = 0;
	CHECK_INT(gpuclient_partition_create2(s_h, &params, &id, NULL), ==,
		  -EINVAL);
	CHECK_INT(fk.ioctl_calls, ==, calls);

	/* Other kernel errors come through unchanged. */
	fk.not_admin = 1;
	CHECK_INT(gpuclient_partition_create2(s_h, &params, &id, &fd), ==,
		  -EPERM);
	fk.not_admin = 0;
	params.device_id = 3;
	CHECK_INT(gpuclient_partition_create2(s_h, &params, &id, &fd), ==,
		  -ENODEV);
	CHECK_INT(id, ==, SENTINEL_U32);
	CHECK_INT(fd, ==, SENTINEL_FD);
}

/*
 * gpuclient_partition_create() is create2 with the kernel's timeout: it
 * sends 0 where 1.3 had its pad, on a 1.4 kernel and a 1.3 one alike.
 */
static void partition_create_default_timeout(void)
{
	struct gpuclient_partition_params params = {
		.device_id = 2, .engine_mask = 0x1, .weight = 100,
	};
	uint32_t id = 0;
	int fd = -1;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(gpuclient_partition_create(s_h, &params, &id, &fd), ==, 0);
	keep_fd(fd);
	CHECK_INT(fk.last_partition_create.engine_timeout_ms, ==, 0);
	CHECK_INT(fake_partition(id)->engine_timeout_ms, ==, 0);
	CHECK_INT(fk.last_partition_create.device_id, ==, 2);
	CHECK_INT(gpuclient_partition_create(s_h, NULL, &id, &fd), ==, -EINVAL);
}

/*
 * A 1.3 kernel has no engine timeouts: a timeout fails -EOPNOTSUPP without
 * an ioctl (the kernel would take it for a pad: -EINVAL); none works.
 */
static void partition_create2_old_kernel(void)
{
	struct gpuclient_partition_params2 params = usual_params2();
	uint32_t id = SENTINEL_U32;
	int fd = SENTINEL_FD;
	unsigned int calls;

	CHECK_INT(setup_with(fake_set_partitions), ==, 0);
	calls = fk.ioctl_calls;
	CHECK_INT(gpuclient_partition_create2(s_h, &params, &id, &fd), ==,
		  -EOPNOTSUPP);
	CHECK_INT(fk.ioctl_calls, ==, calls);
	CHECK_INT(id, ==, SENTINEL_U32);
	CHECK_INT(fd, ==, SENTINEL_FD);

	params.engine_timeout_ms = 0;
	CHECK_INT(gpuclient_partition_create2(s_h, &params, &id, &fd), ==, 0);
	keep_fd(fd);
	CHECK_INT(fk.last_partition_create.engine_timeout_ms, ==, 0);
	CHECK_INT(fk.partition_creates, ==, 1);
	sched_cleanup();

	/* Before partitions, nothing. */
	fake_reset();
	CHECK_INT(setup_with(fake_set_completion_page), ==, 0);
	calls = fk.ioctl_calls;
	CHECK_INT(gpuclient_partition_create2(s_h, &params, &id, &fd), ==,
		  -EOPNOTSUPP);
	CHECK_INT(fk.ioctl_calls, ==, calls);
}

const struct test sched_tests[] = {
	TEST(sched_version, "a 1.4 kernel reports the scheduler"),
	TEST(cmd_fault_hang_encoding, "FAULT and HANG encoded as gpufe_swgpu.h says"),
	TEST(cmd_fault_hang_overflow, "FAULT and HANG past 64 KiB: -E2BIG, unchanged"),
	TEST(fault_job, "a FAULT ends its job with -EIO after what came before"),
	TEST(hang_refused, "a HANG without allow_hang: -EINVAL, nothing queued"),
	TEST(fault_hang_old_kernel, "before 1.4 FAULT and HANG are unknown: -EINVAL"),
	TEST(hang_and_ban, "a hang fails -ETIME and counts; at the limit the context is banned"),
	TEST(ctx_status2_fields, "status2: engine time, hangs, queued, banned, status's fields"),
	TEST(ctx_status2_errors, "status2: EINTR retried, errors reach the caller, output untouched"),
	TEST(ctx_status2_old_kernel, "status2 before 1.4: the new fields read 0"),
	TEST(ctx_status_sizes, "CTX_STATUS of 32 and 48 bytes on 1.4 and 1.3 kernels"),
	TEST(ctx_priorities, "low, normal and high reach the kernel; high may be refused"),
	TEST(partition_create2, "engine timeouts reach the kernel with every other field"),
	TEST(partition_create2_errors, "out-of-range timeouts, bad arguments, kernel errors"),
	TEST(partition_create_default_timeout, "the 1.3 call sends the kernel's default timeout"),
	TEST(partition_create2_old_kernel, "a 1.3 kernel: a timeout is -EOPNOTSUPP, none works"),
};

const unsigned int num_sched_tests = ARRAY_SIZE(sched_tests);
