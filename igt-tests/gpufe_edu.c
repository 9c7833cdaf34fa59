// SPDX-License-Identifier: GPL-2.0
/*
 * gpufe_edu: the back-end of QEMU's educational PCI device ("-device edu",
 * 1234:11e8) through the uAPI. Every edu PCI device becomes one gpufe
 * device, "edu-<PCI address>", with a copy engine that copies by DMA in
 * chunks and a compute engine that computes factorials (uapi/gpufe_edu.h).
 * Copies of every shape and factorials give the right bytes, also from two
 * clients on both devices at once and behind an IOMMU; a dropped interrupt
 * is made up by the back-end's watchdog; a device removed from the PCI bus
 * under load completes or fails its jobs with ENODEV while the other one
 * carries on, and comes back on a rescan; a copy longer than the engine
 * timeout is a hang that resets the engine, whose innocent jobs run again;
 * and every stream uapi/gpufe_edu.h says the back-end rejects fails SUBMIT
 * with EINVAL, queueing nothing.
 *
 * Nothing loads gpufe_edu but this binary: each subtest's fixture loads it
 * and its teardown (in the parent, also when the subtest died) unloads it,
 * puts back a removed PCI device and the module parameters it changed, so
 * that the other binaries see only swgpu's GPUs. Without an edu PCI device
 * every subtest skips.
 *
 * A chunk of a copy takes about 200 ms under QEMU (two DMA transfers of
 * 100 ms of virtual time): the subtests copy little, and their waits are
 * bounds for completion, never thresholds on speed.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

/* libdrm's copy of the kernel's drm.h, for raw ioctls on vgem: no libdrm. */
#include <drm.h>

#include "kselftest_harness.h"
#include "gpufe_test.h"

#include <gpufe_edu.h>

#define EDU_MODULE		"gpufe_edu"
#define EDU_BACKEND		"edu"
#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define PCI_DEVICES		"/sys/bus/pci/devices"
#define PCI_RESCAN		"/sys/bus/pci/rescan"
#define IOMMU_CLASS		"/sys/class/iommu"

#define MAX_EDU			8
#define PCI_ADDR_LEN		32
#define PAGE			4096ULL

/* About how long a chunk of a copy takes under QEMU, for the bounds. */
#define CHUNK_MS		200
/* The bound on a job of n chunks: generous, the VM may be emulated. */
#define JOB_MS(n)		(GPUFE_TIMEOUT_MS + 5 * CHUNK_MS * (n))

/* The engine timeout of reset-after-timeout, well above a chunk. */
#define RESET_TIMEOUT_MS	1000

/* 12!, the largest factorial of 32 bits. */
#define FACT_12			479001600u

struct edu_dev {
	char addr[PCI_ADDR_LEN];	/* its PCI address, 0000:00:04.0 */
	__u32 id;			/* its gpufe device, 0 if none */
};

FIXTURE(edu) {
	int fd;
	int num;			/* edu PCI devices */
	struct edu_dev dev[MAX_EDU];	/* by PCI address */
	/* for the teardown, in the parent */
	struct gpufe_saved_params params;
	char removed[PCI_ADDR_LEN];	/* a device removed, not rescanned */
};

/* --- PCI and the module ------------------------------------------------------ */

static int addr_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* A hexadecimal sysfs attribute of a PCI device (vendor, device), or -errno. */
static long pci_attr_hex(const char *addr, const char *attr)
{
	char path[128], buf[32], *end;
	long v;
	int n;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/%s", addr, attr);
	n = gpufe_read_text(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	v = strtol(buf, &end, 16);
	return end == buf ? -EINVAL : v;
}

/* The PCI addresses of the edu devices, sorted: how many (up to max), or -errno. */
static int edu_pci_scan(char (*addrs)[PCI_ADDR_LEN], int max)
{
	DIR *d = opendir(PCI_DEVICES);
	struct dirent *e;
	int n = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)) && n < max) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= PCI_ADDR_LEN)
			continue;
		if (pci_attr_hex(e->d_name, "vendor") == EDU_VENDOR &&
		    pci_attr_hex(e->d_name, "device") == EDU_DEVICE)
			snprintf(addrs[n++], PCI_ADDR_LEN, "%s", e->d_name);
	}
	closedir(d);
	qsort(addrs, n, PCI_ADDR_LEN, addr_cmp);
	return n;
}

/* The path of a PCI device's attribute. */
static void pci_path(const char *addr, const char *attr, char *path,
		     size_t size)
{
	snprintf(path, size, PCI_DEVICES "/%s/%s", addr, attr);
}

/* Unload gpufe_edu, retried (bounded) while its last references go. */
static int edu_unload(void)
{
	int i, ret = 0;

	for (i = 0; i < 200 && gpufe_module_loaded(EDU_MODULE); i++) {
		ret = gpufe_module_unload(EDU_MODULE);
		if (!ret || ret == -ENOENT)
			break;
		gpufe_sleep_ms(50);
	}
	if (gpufe_module_loaded(EDU_MODULE))
		return ret ? ret : -EBUSY;
	return 0;
}

/* The edu devices fd sees, into infos (up to max): how many, or -errno. */
static int edu_devices(int fd, struct gpufe_device_info *infos, int max)
{
	struct gpufe_query_devices *devs;
	unsigned int i;
	int n = 0, ret;

	ret = gpufe_query_fetch(fd, GPUFE_QUERY_DEVICES, 0, (void **)&devs);
	if (ret)
		return ret;
	for (i = 0; i < devs->num_devices; i++) {
		const struct gpufe_device_info *d = (const void *)
			((const char *)devs->devices + (size_t)i * devs->entry_size);

		if (strcmp(d->backend, EDU_BACKEND))
			continue;
		if (n < max)
			memcpy(&infos[n], d, sizeof(*d));
		n++;
	}
	free(devs);
	return n;
}

/* The gpufe device of the edu PCI device at addr, as fd sees it, or 0. */
static __u32 edu_id_of(int fd, const char *addr)
{
	struct gpufe_device_info infos[MAX_EDU * 2];
	char name[GPUFE_NAME_LEN];
	int i, n = edu_devices(fd, infos, MAX_EDU * 2);

	snprintf(name, sizeof(name), "edu-%s", addr);
	for (i = 0; i < n && i < MAX_EDU * 2; i++)
		if (!strcmp(infos[i].name, name))
			return infos[i].device_id;
	return 0;
}

/*
 * Wait, bounded, until every edu PCI device of self has its gpufe device,
 * filling in their ids: 0, or -ETIME with the ids found so far.
 */
static int edu_await_devices(int fd, struct edu_dev *dev, int num)
{
	__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;
	int i, missing;

	for (;;) {
		missing = 0;
		for (i = 0; i < num; i++) {
			dev[i].id = edu_id_of(fd, dev[i].addr);
			missing += !dev[i].id;
		}
		if (!missing)
			return 0;
		if (gpufe_now_ns() > end)
			return -ETIME;
		gpufe_sleep_ms(10);
	}
}

FIXTURE_SETUP(edu)
{
	char addrs[MAX_EDU][PCI_ADDR_LEN], path[PATH_MAX];
	const char *missing;
	int i, n, ret;

	self->fd = -1;
	GPUFE_SKIP_IN_PARTITION("loads gpufe_edu and removes PCI devices");
	n = edu_pci_scan(addrs, MAX_EDU);
	ASSERT_LE(0, n);
	if (!n)
		SKIP(return, "no edu PCI device (1234:11e8): not a VM with -device edu");
	if (access(GPUFE_DEV, F_OK))
		SKIP(return, GPUFE_DEV " is absent: gpufe.ko not loaded");
	ASSERT_EQ(0, gpufe_module_path(EDU_MODULE, path, sizeof(path))) {
		TH_LOG("%d edu PCI devices but no %s.ko in modules.dep", n,
		       EDU_MODULE);
	}
	self->num = n;
	for (i = 0; i < n; i++)
		memcpy(self->dev[i].addr, addrs[i], PCI_ADDR_LEN);

	ret = gpufe_module_load(EDU_MODULE, "");
	ASSERT_TRUE(!ret || ret == -EEXIST) {
		TH_LOG("loading %s: %s", EDU_MODULE, strerror(-ret));
	}
	/* The teardown does not run when the setup fails: unload here. */
	self->fd = gpufe_open();
	if (self->fd < 0) {
		ret = -errno;
		edu_unload();
		ASSERT_LE(0, ret);
	}
	missing = gpufe_datapath_missing(self->fd);
	if (missing) {
		close(self->fd);
		edu_unload();
		SKIP(return, "%s", missing);
	}
	/* A device that never comes fails the subtests that need it. */
	if (edu_await_devices(self->fd, self->dev, n))
		ksft_print_msg("not every edu PCI device has its gpufe device\n");
}

FIXTURE_TEARDOWN_PARENT(edu)
{
	__s64 end;

	gpufe_params_restore(&self->params);
	if (self->removed[0]) {
		char path[128];

		gpufe_write_text(PCI_RESCAN, "1");
		pci_path(self->removed, "vendor", path, sizeof(path));
		end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;
		while (access(path, F_OK) && gpufe_now_ns() < end)
			gpufe_sleep_ms(10);
		self->removed[0] = '\0';
	}
	if (edu_unload())
		ksft_print_msg("%s stays loaded\n", EDU_MODULE);
}

/* --- data ------------------------------------------------------------------------- */

/* Fill n bytes with a pseudo-random pattern of a seed (xorshift32). */
static void fill_random(void *p, size_t n, __u32 seed)
{
	__u8 *b = p;
	__u32 x = seed * 2654435761u + 0x9e3779b9u;
	size_t i;

	if (!x)
		x = 1;
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (__u8)x;
	}
}

/* The first byte where a and b differ, or -1. */
static long first_diff(const void *a, const void *b, size_t n)
{
	const __u8 *x = a, *y = b;
	size_t i;

	for (i = 0; i < n; i++)
		if (x[i] != y[i])
			return i;
	return -1;
}

static __u32 fact(__u32 n)
{
	__u32 v = 1;

	while (n > 1)
		v *= n--;
	return v;
}

/*
 * The chunks of a copy as uapi/gpufe_edu.h splits it: at every 4096-byte
 * boundary of either offset and every EDU_CHUNK_MAX bytes.
 */
static unsigned int copy_chunks(__u64 src, __u64 dst, __u64 length)
{
	unsigned int n = 0;
	__u64 step;

	while (length) {
		step = length;
		if (step > PAGE - src % PAGE)
			step = PAGE - src % PAGE;
		if (step > PAGE - dst % PAGE)
			step = PAGE - dst % PAGE;
		if (step > EDU_CHUNK_MAX)
			step = EDU_CHUNK_MAX;
		src += step;
		dst += step;
		length -= step;
		n++;
	}
	return n;
}

/* --- commands and jobs ------------------------------------------------------------ */

static void emit_copy(struct gpufe_cmds *c, __u32 src_bo, __u64 src_offset,
		      __u32 dst_bo, __u64 dst_offset, __u64 length)
{
	struct edu_cmd_copy cmd = {
		.opcode = EDU_CMD_COPY,
		.src_bo = src_bo,
		.dst_bo = dst_bo,
		.src_offset = src_offset,
		.dst_offset = dst_offset,
		.length = length,
	};

	gpufe_cmds_add(c, &cmd, sizeof(cmd));
}

static void emit_fact(struct gpufe_cmds *c, __u32 n, __u32 dst_bo,
		      __u64 dst_offset)
{
	struct edu_cmd_factorial cmd = {
		.opcode = EDU_CMD_FACTORIAL,
		.n = n,
		.dst_bo = dst_bo,
		.dst_offset = dst_offset,
	};

	gpufe_cmds_add(c, &cmd, sizeof(cmd));
}

/* A job of src -> dst copies, buffer 0 read and 1 written: its sync_file. */
static int submit_copy2(int fd, __u32 ctx, const struct gpufe_cmds *c,
			__u32 src, __u32 dst, __u64 *seqno)
{
	struct gpufe_submit_bo bos[2] = {
		{ src, GPUFE_SUBMIT_BO_READ },
		{ dst, GPUFE_SUBMIT_BO_WRITE },
	};

	return gpufe_submit_fenced(fd, ctx, c, bos, 2, -1, seqno);
}

/* A job of one copy between two buffers: its sync_file, or -errno. */
static int submit_copy(int fd, __u32 ctx, __u32 src, __u64 src_offset,
		       __u32 dst, __u64 dst_offset, __u64 length)
{
	struct gpufe_cmds c = { 0 };

	emit_copy(&c, 0, src_offset, 1, dst_offset, length);
	return submit_copy2(fd, ctx, &c, src, dst, NULL);
}

/* A job of FACTORIALs of 0..12 to bo at base + 4 * n: its sync_file. */
static int submit_facts(int fd, __u32 ctx, __u32 bo, __u64 base)
{
	struct gpufe_submit_bo b = { bo, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_cmds c = { 0 };
	__u32 n;

	for (n = 0; n <= EDU_MAX_FACTORIAL_N; n++)
		emit_fact(&c, n, 0, base + 4 * n);
	return gpufe_submit_fenced(fd, ctx, &c, &b, 1, -1, NULL);
}

/* Whether base + 4 * n holds n! for n = 0..12: -1, or the first n wrong. */
static int facts_wrong(const void *map, __u64 base)
{
	__u32 n, v;

	for (n = 0; n <= EDU_MAX_FACTORIAL_N; n++) {
		memcpy(&v, (const char *)map + base + 4 * n, 4);
		if (v != fact(n))
			return n;
	}
	return -1;
}

/* Wait for a job's fence, bounded, and close it: its status (1: success). */
static int fence_done(int fence, int timeout_ms)
{
	int st = gpufe_fence_wait(fence, timeout_ms, NULL);

	close(fence);
	return st;
}

/* The contexts of one device's two engines. */
static int edu_ctxs(int fd, __u32 dev, __u32 *copy, __u32 *compute)
{
	int ret = gpufe_create_ctx(fd, dev, GPUFE_ENGINE_CLASS_COPY, 0, copy);

	if (!ret && compute)
		ret = gpufe_create_ctx(fd, dev, GPUFE_ENGINE_CLASS_COMPUTE, 0,
				       compute);
	return ret;
}

/*
 * At least want edu devices, or skip; every one has its gpufe device, or
 * fail.
 */
#define NEED_DEVICES(want)						\
	do {								\
		int nd_;						\
									\
		if (self->num < (want))					\
			SKIP(return, "needs %d edu PCI devices, the VM has %d", \
			     (want), self->num);			\
		for (nd_ = 0; nd_ < self->num; nd_++) {			\
			ASSERT_NE(0, self->dev[nd_].id) {		\
				TH_LOG("%s has no gpufe device",	\
				       self->dev[nd_].addr);		\
			}						\
		}							\
	} while (0)

/*
 * One verified copy and one factorial on a device, from a client of its
 * own: 0, or what failed (-errno, or a positive step number).
 */
static int device_works(__u32 dev, __u32 seed)
{
	struct gpufe_buffer s, d;
	__u8 want[PAGE];
	__u32 cctx, kctx;
	int fd, ret, f;

	fd = gpufe_open();
	if (fd < 0)
		return -errno;
	ret = edu_ctxs(fd, dev, &cctx, &kctx);
	if (!ret)
		ret = gpufe_buffer_create(fd, PAGE, &s);
	if (!ret)
		ret = gpufe_buffer_create(fd, PAGE, &d);
	if (ret)
		goto out;
	fill_random(s.map, PAGE, seed);
	fill_random(d.map, PAGE, ~seed);
	memcpy(want, d.map, PAGE);
	memcpy(want + 1000, (__u8 *)s.map + 77, 777);
	f = submit_copy(fd, cctx, s.handle, 77, d.handle, 1000, 777);
	ret = f < 0 ? f : fence_done(f, JOB_MS(1)) == 1 ? 0 : 1;
	if (!ret && first_diff(want, d.map, PAGE) >= 0)
		ret = 2;
	if (!ret) {
		f = submit_facts(fd, kctx, s.handle, 0);
		ret = f < 0 ? f : fence_done(f, JOB_MS(1)) == 1 ? 0 : 3;
	}
	if (!ret && facts_wrong(s.map, 0) >= 0)
		ret = 4;
out:
	close(fd);
	return ret;
}

/* --- discovery --------------------------------------------------------------------- */

TEST_F(edu, discover)
{
	struct gpufe_device_info infos[MAX_EDU * 2];
	struct gpufe_engine_info engines[64];
	char name[GPUFE_NAME_LEN], path[128];
	int i, j, n, ne, copies, computes, named;

	describe("Every edu PCI device (1234:11e8) is exactly one gpufe device of back-end edu, named edu-<PCI address>, with two engines: copy0 and compute0; its PCI device has gpufe_edu's drop_irqs and lost_irqs");
	n = edu_devices(self->fd, infos, MAX_EDU * 2);
	ksft_print_msg("%d edu PCI devices, %d gpufe devices of back-end edu\n",
		       self->num, n);
	ASSERT_EQ(self->num, n);
	for (i = 0; i < self->num; i++) {
		snprintf(name, sizeof(name), "edu-%s", self->dev[i].addr);
		for (j = named = 0; j < n; j++)
			named += !strcmp(infos[j].name, name);
		EXPECT_EQ(1, named) {
			TH_LOG("%d gpufe devices named %s", named, name);
		}
		ASSERT_NE(0, self->dev[i].id);
		pci_path(self->dev[i].addr, "driver", path, sizeof(path));
		EXPECT_EQ(0, access(path, F_OK)) {
			TH_LOG("%s is bound to no driver", self->dev[i].addr);
		}
		pci_path(self->dev[i].addr, "lost_irqs", path, sizeof(path));
		EXPECT_LE(0, gpufe_read_ull(path)) {
			TH_LOG("%s: no readable lost_irqs", self->dev[i].addr);
		}
		pci_path(self->dev[i].addr, "drop_irqs", path, sizeof(path));
		EXPECT_EQ(0, access(path, W_OK)) {
			TH_LOG("%s: no writable drop_irqs", self->dev[i].addr);
		}
	}
	for (j = 0; j < n; j++) {
		EXPECT_EQ(2, infos[j].num_engines) {
			TH_LOG("%s", infos[j].name);
		}
		ne = gpufe_engines(self->fd, infos[j].device_id, engines, 64);
		ASSERT_EQ(2, ne) {
			TH_LOG("%s shows %d engines", infos[j].name, ne);
		}
		copies = computes = 0;
		for (i = 0; i < ne; i++) {
			EXPECT_EQ(0, engines[i].engine_instance);
			copies += engines[i].engine_class == GPUFE_ENGINE_CLASS_COPY;
			computes += engines[i].engine_class == GPUFE_ENGINE_CLASS_COMPUTE;
		}
		EXPECT_EQ(1, copies);
		EXPECT_EQ(1, computes);
		/* By class then instance: compute first. */
		EXPECT_STREQ("compute0", engines[0].name);
		EXPECT_STREQ("copy0", engines[1].name);
	}
}

/* --- copies ---------------------------------------------------------------------- */

struct copy_case {
	const char *what;
	__u64 src_offset, dst_offset, length;
};

/* Buffers of four pages; each case copies into a buffer of its own. */
#define CASE_BO		(4 * PAGE)

static const struct copy_case copy_cases[] = {
	{ "1 byte", 0, 0, 1 },
	{ "4095 bytes, page-aligned (one chunk)", 0, 0, EDU_CHUNK_MAX },
	{ "4096 bytes, page-aligned (two chunks)", 0, 0, PAGE },
	{ "3 * 4095 bytes, page-aligned", 0, 0, 3 * EDU_CHUNK_MAX },
	{ "odd offsets, src 4093 -> dst 1, 5000 bytes", 4093, 1, 5000 },
	{ "odd offsets, to the last byte of dst", 1, CASE_BO - 777, 777 },
	{ "from the last bytes of src, 4094 bytes", CASE_BO - 4094, 4099, 4094 },
};

#define NUM_CASES	ARRAY_SIZE(copy_cases)

struct copy_run {
	struct gpufe_buffer src, dst[NUM_CASES];
	__u8 *want[NUM_CASES];
	__u8 *src0;
	int fences[NUM_CASES];
};

/* Queue every copy case on a device's copy context. */
static void copy_cases_queue(struct __test_metadata *_metadata, int fd,
			     __u32 ctx, struct copy_run *r, __u32 seed)
{
	unsigned int k;

	ASSERT_EQ(0, gpufe_buffer_create(fd, CASE_BO, &r->src));
	r->src0 = malloc(CASE_BO);
	ASSERT_NE(NULL, r->src0);
	fill_random(r->src.map, CASE_BO, seed);
	memcpy(r->src0, r->src.map, CASE_BO);
	for (k = 0; k < NUM_CASES; k++) {
		const struct copy_case *cc = &copy_cases[k];

		ASSERT_EQ(0, gpufe_buffer_create(fd, CASE_BO, &r->dst[k]));
		fill_random(r->dst[k].map, CASE_BO, seed + 1 + k);
		r->want[k] = malloc(CASE_BO);
		ASSERT_NE(NULL, r->want[k]);
		memcpy(r->want[k], r->dst[k].map, CASE_BO);
		memcpy(r->want[k] + cc->dst_offset, r->src0 + cc->src_offset,
		       cc->length);
		r->fences[k] = submit_copy(fd, ctx, r->src.handle, cc->src_offset,
					   r->dst[k].handle, cc->dst_offset,
					   cc->length);
		ASSERT_LE(0, r->fences[k]) {
			TH_LOG("%s", cc->what);
		}
	}
}

/* Every case completed with its range copied and nothing else touched. */
static void copy_cases_check(struct __test_metadata *_metadata,
			     struct copy_run *r, const char *where)
{
	unsigned int k;
	long at;

	for (k = 0; k < NUM_CASES; k++) {
		const struct copy_case *cc = &copy_cases[k];
		unsigned int n = copy_chunks(cc->src_offset, cc->dst_offset,
					     cc->length);
		int st = fence_done(r->fences[k], JOB_MS(n));

		EXPECT_EQ(1, st) {
			TH_LOG("%s: %s (%u chunks): fence %d", where, cc->what,
			       n, st);
		}
		at = first_diff(r->want[k], r->dst[k].map, CASE_BO);
		EXPECT_EQ(-1, at) {
			TH_LOG("%s: %s: dst byte %ld is %#x, want %#x (%s)",
			       where, cc->what, at,
			       ((__u8 *)r->dst[k].map)[at], r->want[k][at],
			       (__u64)at >= cc->dst_offset &&
			       (__u64)at < cc->dst_offset + cc->length ?
			       "copied" : "outside the copy");
		}
		free(r->want[k]);
	}
	at = first_diff(r->src0, r->src.map, CASE_BO);
	EXPECT_EQ(-1, at) {
		TH_LOG("%s: the source changed at byte %ld", where, at);
	}
	free(r->src0);
}

TEST_F_TIMEOUT(edu, copy_sizes, 90)
{
	static struct copy_run runs[MAX_EDU];
	__u32 ctx;
	char where[64];
	int i;

	describe("Copies of 1, 4095, 4096 and 3 * 4095 bytes, between odd offsets across pages and up to a buffer's last byte, on every device at once, copy a random pattern exactly: the destination's other bytes and the source stay as they were");
	NEED_DEVICES(1);
	for (i = 0; i < self->num; i++) {
		ASSERT_EQ(0, edu_ctxs(self->fd, self->dev[i].id, &ctx, NULL));
		copy_cases_queue(_metadata, self->fd, ctx, &runs[i], 1000 * i + 1);
	}
	for (i = 0; i < self->num; i++) {
		snprintf(where, sizeof(where), "edu-%s", self->dev[i].addr);
		copy_cases_check(_metadata, &runs[i], where);
	}
}

/* --- factorials -------------------------------------------------------------------- */

TEST_F_TIMEOUT(edu, factorial, 60)
{
	struct gpufe_buffer b[MAX_EDU];
	__u32 ctx, want[2 * (EDU_MAX_FACTORIAL_N + 1)], n;
	__u8 page[PAGE];
	int f[MAX_EDU], i, st;
	long at;

	describe("One job of FACTORIALs of 0 to 12 on each device's compute engine stores n! (12! = 479001600, the largest of 32 bits) in every other 32-bit word; the words between stay as they were");
	NEED_DEVICES(1);
	ASSERT_EQ(FACT_12, fact(12));
	for (i = 0; i < self->num; i++) {
		struct gpufe_submit_bo bo;
		struct gpufe_cmds c = { 0 };

		ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->dev[i].id,
					      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx));
		ASSERT_EQ(0, gpufe_buffer_create(self->fd, PAGE, &b[i]));
		fill_random(b[i].map, PAGE, 7 + i);
		for (n = 0; n <= EDU_MAX_FACTORIAL_N; n++)
			emit_fact(&c, n, 0, 8 * n + 4);
		bo = (struct gpufe_submit_bo){ b[i].handle, GPUFE_SUBMIT_BO_WRITE };
		f[i] = gpufe_submit_fenced(self->fd, ctx, &c, &bo, 1, -1, NULL);
		ASSERT_LE(0, f[i]);
	}
	for (i = 0; i < self->num; i++) {
		st = fence_done(f[i], JOB_MS(1));
		EXPECT_EQ(1, st) {
			TH_LOG("edu-%s: fence %d", self->dev[i].addr, st);
		}
		fill_random(want, sizeof(want), 7 + i);
		for (n = 0; n <= EDU_MAX_FACTORIAL_N; n++)
			want[2 * n + 1] = fact(n);
		at = first_diff(want, b[i].map, sizeof(want));
		EXPECT_EQ(-1, at) {
			TH_LOG("edu-%s: word %ld is %u, want %u", self->dev[i].addr,
			       at / 4, ((__u32 *)b[i].map)[at / 4], want[at / 4]);
		}
		EXPECT_EQ(FACT_12, ((__u32 *)b[i].map)[2 * 12 + 1]);
		/* And the rest of the page is as it was. */
		fill_random(page, PAGE, 7 + i);
		EXPECT_EQ(-1, first_diff(page + sizeof(want),
					 (__u8 *)b[i].map + sizeof(want),
					 PAGE - sizeof(want)));
	}
}

/* --- jobs sharing a buffer --------------------------------------------------------- */

TEST_F_TIMEOUT(edu, shared_buffer, 60)
{
	static const struct { __u64 src, dst, len; } jobs[] = {
		{ 0, 0, 100 },
		{ 200, 1000, 100 },	/* the same page as the first */
		{ 5000, 5000, 100 },	/* the next page */
	};
	struct gpufe_buffer s, x;
	struct gpufe_submit_bo bo;
	struct gpufe_cmds c = { 0 };
	__u8 want[2 * PAGE];
	int f[ARRAY_SIZE(jobs) + 1], st;
	__u32 cctx, kctx, n, v;
	unsigned int j;
	long at;

	describe("Copy jobs queued back to back into disjoint ranges of one buffer, and a job of FACTORIALs into the same page from the compute engine after them (implicit sync orders it behind the copies), all sharing the buffer's one mapping: each job's bytes are there in the end, none undone by another's");
	NEED_DEVICES(1);
	ASSERT_EQ(0, edu_ctxs(self->fd, self->dev[0].id, &cctx, &kctx));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 2 * PAGE, &s));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 2 * PAGE, &x));
	fill_random(s.map, 2 * PAGE, 61);
	fill_random(x.map, 2 * PAGE, 62);
	memcpy(want, x.map, 2 * PAGE);
	for (j = 0; j < ARRAY_SIZE(jobs); j++) {
		f[j] = submit_copy(self->fd, cctx, s.handle, jobs[j].src, x.handle,
				   jobs[j].dst, jobs[j].len);
		ASSERT_LE(0, f[j]);
		memcpy(want + jobs[j].dst, (__u8 *)s.map + jobs[j].src,
		       jobs[j].len);
	}
	for (n = 0; n <= EDU_MAX_FACTORIAL_N; n++) {
		emit_fact(&c, n, 0, 2048 + 4 * n);
		v = fact(n);
		memcpy(want + 2048 + 4 * n, &v, 4);
	}
	bo = (struct gpufe_submit_bo){ x.handle, GPUFE_SUBMIT_BO_WRITE };
	f[j] = gpufe_submit_fenced(self->fd, kctx, &c, &bo, 1, -1, NULL);
	ASSERT_LE(0, f[j]);
	for (j = 0; j <= ARRAY_SIZE(jobs); j++) {
		st = fence_done(f[j], JOB_MS(2 * ARRAY_SIZE(jobs)));
		EXPECT_EQ(1, st) {
			TH_LOG("job %u: fence %d", j, st);
		}
	}
	at = first_diff(want, x.map, 2 * PAGE);
	EXPECT_EQ(-1, at) {
		TH_LOG("byte %ld is %#x, want %#x", at, ((__u8 *)x.map)[at],
		       want[at]);
	}
	for (j = 0; j < ARRAY_SIZE(jobs); j++) {
		EXPECT_EQ(-1, first_diff(want + jobs[j].dst,
					 (__u8 *)x.map + jobs[j].dst,
					 jobs[j].len)) {
			TH_LOG("copy job %u's bytes are not there", j);
		}
	}
	EXPECT_EQ(-1, facts_wrong(x.map, 2048)) {
		TH_LOG("the factorials are not there");
	}
}

/* --- two clients at once -------------------------------------------------------------- */

#define CONC_CLIENTS	2
#define CONC_COPIES	3
#define CONC_FACTS	2
#define CONC_LEN	1000

/*
 * A client's work, in a child: on every device, CONC_COPIES copies of
 * CONC_LEN bytes (one chunk each) and CONC_FACTS jobs of factorials,
 * queued at once and verified. 0, or the step that failed.
 */
static int conc_client(const struct edu_dev *dev, int num, int start_fd,
		       __u32 seed)
{
	struct {
		__u32 cctx, kctx;
		struct gpufe_buffer src, dst, fb;
		int f[CONC_COPIES + CONC_FACTS];
	} d[MAX_EDU];
	__u8 want[PAGE];
	char c;
	int fd, i, j;

	fd = gpufe_open();
	if (fd < 0)
		return 1;
	for (i = 0; i < num; i++) {
		if (edu_ctxs(fd, dev[i].id, &d[i].cctx, &d[i].kctx) ||
		    gpufe_buffer_create(fd, PAGE, &d[i].src) ||
		    gpufe_buffer_create(fd, PAGE, &d[i].dst) ||
		    gpufe_buffer_create(fd, PAGE, &d[i].fb))
			return 2;
		fill_random(d[i].src.map, PAGE, seed + i);
	}
	/* Both clients start together. */
	if (read(start_fd, &c, 1) < 0)
		return 3;
	for (i = 0; i < num; i++) {
		for (j = 0; j < CONC_COPIES; j++) {
			d[i].f[j] = submit_copy(fd, d[i].cctx, d[i].src.handle,
						1 + 1024 * j, d[i].dst.handle,
						3 + 1024 * j, CONC_LEN);
			if (d[i].f[j] < 0)
				return 4;
		}
		for (j = 0; j < CONC_FACTS; j++) {
			d[i].f[CONC_COPIES + j] =
				submit_facts(fd, d[i].kctx, d[i].fb.handle, 64 * j);
			if (d[i].f[CONC_COPIES + j] < 0)
				return 5;
		}
	}
	for (i = 0; i < num; i++) {
		for (j = 0; j < CONC_COPIES + CONC_FACTS; j++)
			if (fence_done(d[i].f[j], JOB_MS(2 * CONC_CLIENTS *
							 CONC_COPIES)) != 1)
				return 6;
		memset(want, 0, PAGE);
		for (j = 0; j < CONC_COPIES; j++)
			memcpy(want + 3 + 1024 * j,
			       (__u8 *)d[i].src.map + 1 + 1024 * j, CONC_LEN);
		if (first_diff(want, d[i].dst.map, PAGE) >= 0)
			return 7;
		for (j = 0; j < CONC_FACTS; j++)
			if (facts_wrong(d[i].fb.map, 64 * j) >= 0)
				return 8;
	}
	close(fd);
	return 0;
}

TEST_F_TIMEOUT(edu, concurrent, 90)
{
	pid_t pid[CONC_CLIENTS];
	int go[2], i, status;

	describe("Two processes, each its own client, queue copies and factorials on both engines of every device at once: every job completes and every byte is right");
	NEED_DEVICES(1);
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	for (i = 0; i < CONC_CLIENTS; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(go[1]);
			_exit(conc_client(self->dev, self->num, go[0],
					  0x1000 * (i + 1)));
		}
	}
	close(go[0]);
	close(go[1]);	/* go */
	for (i = 0; i < CONC_CLIENTS; i++) {
		ASSERT_EQ(0, gpufe_waitpid_timeout(pid[i], &status,
						   3 * GPUFE_TIMEOUT_MS)) {
			TH_LOG("client %d did not finish", i);
		}
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) {
			TH_LOG("client %d: step %d failed", i, WEXITSTATUS(status));
		}
	}
}

/* --- a lost interrupt --------------------------------------------------------------- */

TEST_F_TIMEOUT(edu, lost_irq, 60)
{
	struct gpufe_buffer s, d;
	char drop[128], lost[128];
	long long lost0, lost1;
	__u32 cctx, kctx;
	int f, st;

	describe("With drop_irqs 1 the device's next interrupt is dropped: a FACTORIAL and a 1-byte copy still complete with the right data, and lost_irqs counts at least one interrupt the watchdog made up");
	NEED_DEVICES(1);
	pci_path(self->dev[0].addr, "drop_irqs", drop, sizeof(drop));
	pci_path(self->dev[0].addr, "lost_irqs", lost, sizeof(lost));
	lost0 = gpufe_read_ull(lost);
	ASSERT_LE(0, lost0);
	ASSERT_EQ(0, edu_ctxs(self->fd, self->dev[0].id, &cctx, &kctx));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, PAGE, &s));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, PAGE, &d));
	fill_random(s.map, PAGE, 99);

	ASSERT_EQ(0, gpufe_write_text(drop, "1"));
	f = submit_facts(self->fd, kctx, d.handle, 0);
	ASSERT_LE(0, f);
	st = fence_done(f, JOB_MS(1));
	EXPECT_EQ(1, st);
	EXPECT_EQ(-1, facts_wrong(d.map, 0));
	f = submit_copy(self->fd, cctx, s.handle, 4095, d.handle, 2048, 1);
	ASSERT_LE(0, f);
	st = fence_done(f, JOB_MS(1));
	EXPECT_EQ(1, st);
	EXPECT_EQ(((__u8 *)s.map)[4095], ((__u8 *)d.map)[2048]);
	EXPECT_EQ(0, ((__u8 *)d.map)[2047]);
	EXPECT_EQ(0, ((__u8 *)d.map)[2049]);
	lost1 = gpufe_read_ull(lost);
	ksft_print_msg("lost_irqs %lld -> %lld\n", lost0, lost1);
	EXPECT_LE(lost0 + 1, lost1);
}

/* --- removing a device -------------------------------------------------------------- */

#define RM_JOBS		4
#define RM_COPIES	3	/* single-chunk copies per job */

/* Until fd sees a device named edu-addr, bounded: its id, or 0. */
static __u32 await_edu(int fd, const char *addr)
{
	__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;
	__u32 id;

	while (!(id = edu_id_of(fd, addr)) && gpufe_now_ns() < end)
		gpufe_sleep_ms(10);
	return id;
}

TEST_F_TIMEOUT(edu, remove_under_load, 90)
{
	struct gpufe_buffer src, dst, ssrc, sdst;
	int f[RM_JOBS], sf, i, j, ok = 0, nodev = 0, st, status;
	struct gpufe_ctx_status cs;
	const struct edu_dev *victim, *other;
	char path[128];
	__u32 vctx, sctx, id;
	__u64 last = 0;
	bool failed = false;
	pid_t w;
	long at;

	describe("Removing an edu device from the PCI bus once its first copy job is done, with the next ones running and queued: every job's fence signals in bounded time, done with the right data or failed with ENODEV (those after a failed one too), WAIT returns, the context is LOST; the other device's job meanwhile is right and it keeps working; a PCI rescan brings the device back under a new id, and it works");
	NEED_DEVICES(2);
	victim = &self->dev[self->num - 1];
	other = &self->dev[0];

	ASSERT_EQ(0, gpufe_create_ctx(self->fd, victim->id,
				      GPUFE_ENGINE_CLASS_COPY, 0, &vctx));
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, other->id,
				      GPUFE_ENGINE_CLASS_COPY, 0, &sctx));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, RM_COPIES * PAGE, &src));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, RM_JOBS * RM_COPIES * PAGE,
					 &dst));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 2 * PAGE, &ssrc));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 2 * PAGE, &sdst));
	fill_random(src.map, src.size, 31);
	fill_random(ssrc.map, ssrc.size, 32);

	for (j = 0; j < RM_JOBS; j++) {
		struct gpufe_cmds c = { 0 };

		for (i = 0; i < RM_COPIES; i++)
			emit_copy(&c, 0, i * PAGE, 1,
				  (j * RM_COPIES + i) * PAGE, EDU_CHUNK_MAX);
		f[j] = submit_copy2(self->fd, vctx, &c, src.handle, dst.handle,
				    &last);
		ASSERT_LE(0, f[j]);
	}
	sf = submit_copy(self->fd, sctx, ssrc.handle, 5, sdst.handle, 4093, 4096);
	ASSERT_LE(0, sf);
	ASSERT_EQ(0, gpufe_await_handed(self->fd, vctx));
	/* A waiter in WAIT for the last job. */
	w = fork();
	ASSERT_LE(0, w);
	if (!w) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(gpufe_wait_until(self->fd, vctx, last,
				       gpufe_now_ns() + 3 * GPUFE_TIMEOUT_NS) ? 1 : 0);
	}
	ASSERT_EQ(0, gpufe_await_sleeping(w));

	/* The first job done, the next ones running and queued. */
	st = fence_done(f[0], JOB_MS(RM_COPIES));
	ASSERT_EQ(1, st) {
		TH_LOG("the first job, before the removal: fence %d", st);
	}
	f[0] = -1;

	memcpy(self->removed, victim->addr, PCI_ADDR_LEN);
	pci_path(victim->addr, "remove", path, sizeof(path));
	ASSERT_EQ(0, gpufe_write_text(path, "1"));

	for (j = 0; j < RM_JOBS; j++) {
		st = f[j] < 0 ? 1 : fence_done(f[j], JOB_MS(RM_COPIES * RM_JOBS));
		EXPECT_TRUE(st == 1 || st == -ENODEV) {
			TH_LOG("job %d of the removed device: fence %d", j, st);
		}
		if (st == 1) {
			EXPECT_FALSE(failed) {
				TH_LOG("job %d completed after one that failed", j);
			}
			ok++;
			for (i = 0; i < RM_COPIES; i++) {
				at = first_diff((__u8 *)src.map + i * PAGE,
						(__u8 *)dst.map +
						(j * RM_COPIES + i) * PAGE,
						EDU_CHUNK_MAX);
				EXPECT_EQ(-1, at) {
					TH_LOG("job %d, copy %d: byte %ld", j, i, at);
				}
			}
		} else {
			failed = true;
			nodev += st == -ENODEV;
		}
	}
	ksft_print_msg("%d jobs of the removed device completed, %d failed with ENODEV\n",
		       ok, nodev);
	/* Under load: at least the last job was still queued. */
	EXPECT_LE(1, nodev);
	EXPECT_EQ(0, gpufe_sync(self->fd, vctx, last));
	ASSERT_EQ(0, gpufe_waitpid_timeout(w, &status, GPUFE_TIMEOUT_MS));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
		TH_LOG("the waiter in WAIT did not return 0");
	}
	ASSERT_EQ(0, gpufe_get_status(self->fd, vctx, &cs));
	EXPECT_EQ(GPUFE_CTX_STATE_LOST, cs.state);
	EXPECT_EQ(last, cs.submitted);
	EXPECT_EQ(last, cs.completed);
	EXPECT_EQ(0, cs.queued);
	EXPECT_EQ(-ENODEV, submit_copy(self->fd, vctx, src.handle, 0,
				       dst.handle, 0, 1));
	EXPECT_EQ(0, edu_id_of(self->fd, victim->addr));
	pci_path(victim->addr, "", path, sizeof(path));
	EXPECT_TRUE(gpufe_path_goes(path));

	/* The other device: its job, and more. */
	st = fence_done(sf, JOB_MS(3));
	EXPECT_EQ(1, st);
	EXPECT_EQ(-1, first_diff((__u8 *)ssrc.map + 5, (__u8 *)sdst.map + 4093,
				 4096));
	EXPECT_EQ(0, ((__u8 *)sdst.map)[4092]);
	EXPECT_EQ(0, ((__u8 *)sdst.map)[4093 + 4096]);
	EXPECT_EQ(0, device_works(other->id, 33));

	/* Back, under a new id. */
	ASSERT_EQ(0, gpufe_write_text(PCI_RESCAN, "1"));
	id = await_edu(self->fd, victim->addr);
	ASSERT_NE(0, id) {
		TH_LOG("edu-%s did not come back", victim->addr);
	}
	self->removed[0] = '\0';
	EXPECT_NE(victim->id, id);
	EXPECT_LT(victim->id, id);
	EXPECT_EQ(0, device_works(id, 34));
	EXPECT_EQ(self->num, edu_devices(self->fd, (struct gpufe_device_info[MAX_EDU * 2]){ 0 },
					 MAX_EDU * 2));
	ASSERT_EQ(0, gpufe_get_status(self->fd, vctx, &cs));
	EXPECT_EQ(GPUFE_CTX_STATE_LOST, cs.state);
}

TEST_F_TIMEOUT(edu, unload_under_load, 90)
{
	struct gpufe_buffer src, dst[MAX_EDU];
	int f[MAX_EDU][RM_JOBS], i, j, k, n, st, ok = 0, nodev = 0;
	__u32 ctx[MAX_EDU], id;
	__u64 last[MAX_EDU] = { 0 };
	struct gpufe_ctx_status cs;
	bool failed;
	long at;

	describe("Unloading gpufe_edu while every edu device has copy jobs running and queued: the unload succeeds, every job's fence signals in bounded time, done with the right data or failed with ENODEV (those after a failed one too), each context is LOST with nothing queued; loading it again brings every device back under a new id, and each works");
	NEED_DEVICES(1);
	n = self->num;
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, RM_COPIES * PAGE, &src));
	fill_random(src.map, src.size, 41);
	for (k = 0; k < n; k++) {
		/* One each: a shared one would order the devices' jobs. */
		ASSERT_EQ(0, gpufe_buffer_create(self->fd,
						 RM_JOBS * RM_COPIES * PAGE,
						 &dst[k]));
		ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->dev[k].id,
					      GPUFE_ENGINE_CLASS_COPY, 0,
					      &ctx[k]));
		for (j = 0; j < RM_JOBS; j++) {
			struct gpufe_cmds c = { 0 };

			for (i = 0; i < RM_COPIES; i++)
				emit_copy(&c, 0, i * PAGE, 1,
					  (j * RM_COPIES + i) * PAGE,
					  EDU_CHUNK_MAX);
			f[k][j] = submit_copy2(self->fd, ctx[k], &c,
					       src.handle, dst[k].handle,
					       &last[k]);
			ASSERT_LE(0, f[k][j]);
		}
		ASSERT_EQ(0, gpufe_await_handed(self->fd, ctx[k]));
	}

	ASSERT_EQ(0, edu_unload());
	for (k = 0; k < n; k++) {
		int dev_ok = ok, dev_nodev = nodev;

		failed = false;
		for (j = 0; j < RM_JOBS; j++) {
			st = fence_done(f[k][j], JOB_MS(RM_COPIES * RM_JOBS));
			EXPECT_TRUE(st == 1 || st == -ENODEV) {
				TH_LOG("device %d, job %d: fence %d", k, j, st);
			}
			if (st != 1) {
				failed = true;
				nodev += st == -ENODEV;
				continue;
			}
			EXPECT_FALSE(failed) {
				TH_LOG("device %d, job %d completed after one that failed",
				       k, j);
			}
			ok++;
			for (i = 0; i < RM_COPIES; i++) {
				at = first_diff((__u8 *)src.map + i * PAGE,
						(__u8 *)dst[k].map +
						(j * RM_COPIES + i) * PAGE,
						EDU_CHUNK_MAX);
				EXPECT_EQ(-1, at) {
					TH_LOG("device %d, job %d, copy %d: byte %ld",
					       k, j, i, at);
				}
			}
		}
		ASSERT_EQ(0, gpufe_get_status(self->fd, ctx[k], &cs));
		EXPECT_EQ(GPUFE_CTX_STATE_LOST, cs.state);
		EXPECT_EQ(last[k], cs.completed);
		EXPECT_EQ(0, cs.queued);
		EXPECT_EQ(0, edu_id_of(self->fd, self->dev[k].addr));
		ksft_print_msg("edu-%s: %d jobs completed, %d failed with ENODEV\n",
			       self->dev[k].addr, ok - dev_ok, nodev - dev_nodev);
	}
	/* Each device had jobs queued behind its first: some failed. */
	EXPECT_LE(n, nodev);

	ASSERT_EQ(0, gpufe_module_load(EDU_MODULE, ""));
	for (k = 0; k < n; k++) {
		id = await_edu(self->fd, self->dev[k].addr);
		ASSERT_NE(0, id) {
			TH_LOG("edu-%s did not come back", self->dev[k].addr);
		}
		EXPECT_LT(self->dev[k].id, id);
		EXPECT_EQ(0, device_works(id, 42 + k));
	}
}

/* --- a hang -------------------------------------------------------------------------- */

TEST_F_TIMEOUT(edu, reset_after_timeout, 90)
{
	struct gpufe_buffer src, dst, is, id;
	struct gpufe_ctx_status st;
	struct gpufe_cmds c = { 0 };
	long long hangs0, resets0;
	const char *missing;
	__u32 gctx, ictx, dev;
	int ic, f, fi, i, s;
	long at;

	describe("Under an engine timeout of 1 s, a copy of EDU_MAX_JOB_CHUNKS (16) chunks, about 3.2 s, is a hang: its fence fails with ETIME, the engine is reset; another client's copy queued behind it on the same engine completes with the right data; the hung context then copies again");
	NEED_DEVICES(1);
	missing = gpufe_sched_missing(self->fd);
	if (missing)
		SKIP(return, "%s", missing);
	dev = self->dev[0].id;
	ASSERT_EQ(0, gpufe_param_set(&self->params, "engine_timeout_ms",
				     RESET_TIMEOUT_MS));
	hangs0 = gpufe_gpu_attr(dev, "hangs");
	resets0 = gpufe_gpu_attr(dev, "resets");
	ASSERT_LE(0, hangs0);
	ASSERT_LE(0, resets0);
	ic = gpufe_open();
	ASSERT_LE(0, ic);
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, dev, GPUFE_ENGINE_CLASS_COPY, 0,
				      &gctx));
	ASSERT_EQ(0, gpufe_create_ctx(ic, dev, GPUFE_ENGINE_CLASS_COPY, 0, &ictx));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, EDU_MAX_JOB_CHUNKS * PAGE,
					 &src));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, EDU_MAX_JOB_CHUNKS * PAGE,
					 &dst));
	ASSERT_EQ(0, gpufe_buffer_create(ic, PAGE, &is));
	ASSERT_EQ(0, gpufe_buffer_create(ic, PAGE, &id));
	fill_random(src.map, src.size, 41);
	fill_random(is.map, is.size, 42);

	/* One chunk per copy: 16 chunks, the most a job may have. */
	for (i = 0; i < EDU_MAX_JOB_CHUNKS; i++)
		emit_copy(&c, 0, i * PAGE, 1, i * PAGE, EDU_CHUNK_MAX);
	f = submit_copy2(self->fd, gctx, &c, src.handle, dst.handle, NULL);
	ASSERT_LE(0, f) {
		TH_LOG("a job of %d chunks was refused", EDU_MAX_JOB_CHUNKS);
	}
	fi = submit_copy(ic, ictx, is.handle, 3, id.handle, 1, 2000);
	ASSERT_LE(0, fi);

	s = fence_done(f, RESET_TIMEOUT_MS + JOB_MS(EDU_MAX_JOB_CHUNKS));
	EXPECT_EQ(-ETIME, s) {
		TH_LOG("the long copy's fence: %d", s);
	}
	s = fence_done(fi, JOB_MS(1));
	EXPECT_EQ(1, s) {
		TH_LOG("the innocent copy's fence: %d", s);
	}
	EXPECT_EQ(-1, first_diff((__u8 *)is.map + 3, (__u8 *)id.map + 1, 2000));
	EXPECT_EQ(0, ((__u8 *)id.map)[0]);
	EXPECT_EQ(0, ((__u8 *)id.map)[2001]);
	ASSERT_EQ(0, gpufe_get_status(ic, ictx, &st));
	EXPECT_EQ(1, st.completed);
	EXPECT_EQ(0, st.error);
	EXPECT_EQ(0, st.hangs);
	ASSERT_EQ(0, gpufe_get_status(self->fd, gctx, &st));
	EXPECT_EQ(1, st.completed);
	EXPECT_EQ(-ETIME, st.error);
	EXPECT_EQ(1, st.hangs);
	EXPECT_EQ(GPUFE_CTX_STATE_ACTIVE, st.state);
	EXPECT_EQ(hangs0 + 1, gpufe_gpu_attr(dev, "hangs"));
	EXPECT_EQ(resets0 + 1, gpufe_gpu_attr(dev, "resets"));

	/* The engine works again, for the hung context too. */
	memset(dst.map, 0, dst.size);
	f = submit_copy(self->fd, gctx, src.handle, 4093, dst.handle, 5, 6);
	ASSERT_LE(0, f);
	EXPECT_EQ(1, fence_done(f, JOB_MS(2)));
	at = first_diff((__u8 *)src.map + 4093, (__u8 *)dst.map + 5, 6);
	EXPECT_EQ(-1, at);
	EXPECT_EQ(0, ((__u8 *)dst.map)[4]);
	EXPECT_EQ(0, ((__u8 *)dst.map)[11]);
	ASSERT_EQ(0, gpufe_get_status(self->fd, gctx, &st));
	EXPECT_EQ(2, st.completed);
	close(ic);
}

/* --- behind an IOMMU ------------------------------------------------------------------ */

/* Whether a directory has an entry besides . and .. */
static bool dir_has_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool any = false;

	if (!d)
		return false;
	while (!any && (e = readdir(d)))
		any = e->d_name[0] != '.';
	closedir(d);
	return any;
}

TEST_F_TIMEOUT(edu, iommu, 90)
{
	static struct copy_run runs[MAX_EDU];
	char path[128], link[256], where[64];
	struct gpufe_buffer fb[MAX_EDU];
	int fk[MAX_EDU], i;
	__u32 cctx, kctx;
	ssize_t n;

	describe("With an IOMMU (/sys/class/iommu not empty: the iommu lane), every edu PCI device is in an IOMMU group that translates its DMA, and the copies of copy-sizes and the factorials still give the right bytes on every device");
	NEED_DEVICES(1);
	if (!dir_has_entries(IOMMU_CLASS))
		SKIP(return, "no IOMMU (" IOMMU_CLASS " is empty): not the iommu lane");
	for (i = 0; i < self->num; i++) {
		pci_path(self->dev[i].addr, "iommu_group", path, sizeof(path));
		n = readlink(path, link, sizeof(link) - 1);
		ASSERT_LT(0, n) {
			TH_LOG("%s has no iommu_group", self->dev[i].addr);
		}
		link[n] = '\0';
		ksft_print_msg("%s: %s\n", self->dev[i].addr, link);
		/* Translated (DMA, DMA-FQ), not passed through (identity). */
		pci_path(self->dev[i].addr, "iommu_group/type", path,
			 sizeof(path));
		ASSERT_LT(0, gpufe_read_text(path, link, sizeof(link)));
		EXPECT_EQ(0, strncmp(link, "DMA", 3)) {
			TH_LOG("%s: IOMMU group of type %s", self->dev[i].addr,
			       link);
		}
	}
	for (i = 0; i < self->num; i++) {
		ASSERT_EQ(0, edu_ctxs(self->fd, self->dev[i].id, &cctx, &kctx));
		copy_cases_queue(_metadata, self->fd, cctx, &runs[i], 500 + i);
		ASSERT_EQ(0, gpufe_buffer_create(self->fd, PAGE, &fb[i]));
		fk[i] = submit_facts(self->fd, kctx, fb[i].handle, 4096 - 52);
		ASSERT_LE(0, fk[i]);
	}
	for (i = 0; i < self->num; i++) {
		snprintf(where, sizeof(where), "edu-%s", self->dev[i].addr);
		copy_cases_check(_metadata, &runs[i], where);
		EXPECT_EQ(1, fence_done(fk[i], JOB_MS(1)));
		EXPECT_EQ(-1, facts_wrong(fb[i].map, 4096 - 52));
	}
}

/* --- refused streams ------------------------------------------------------------------ */

/*
 * What a bad-* subtest works with, on the first device: a context on each
 * engine, a source buffer a of random bytes and a destination b of other
 * random bytes, of two pages each, and their first contents.
 */
struct bad {
	int fd;
	__u32 dev, copy, compute;
	struct gpufe_buffer a, b;
	__u8 a0[2 * PAGE], b0[2 * PAGE];
};

static void bad_setup(struct __test_metadata *_metadata,
		      FIXTURE_DATA(edu) *self, struct bad *bd)
{
	bd->fd = self->fd;
	bd->dev = self->dev[0].id;
	ASSERT_EQ(0, edu_ctxs(bd->fd, bd->dev, &bd->copy, &bd->compute));
	ASSERT_EQ(0, gpufe_buffer_create(bd->fd, 2 * PAGE, &bd->a));
	ASSERT_EQ(0, gpufe_buffer_create(bd->fd, 2 * PAGE, &bd->b));
	ASSERT_EQ(2 * PAGE, bd->a.size);
	fill_random(bd->a.map, 2 * PAGE, 51);
	fill_random(bd->b.map, 2 * PAGE, 52);
	memcpy(bd->a0, bd->a.map, 2 * PAGE);
	memcpy(bd->b0, bd->b.map, 2 * PAGE);
}

/* The fixture's first device, or skip; then bad_setup(). */
#define BAD_SETUP(bd)							\
	do {								\
		NEED_DEVICES(1);					\
		bad_setup(_metadata, self, bd);				\
	} while (0)

/* The usual list: a read (index 0), b written (index 1). */
#define BAD_BOS(bd) ((struct gpufe_submit_bo[2]){			\
	{ (bd)->a.handle, GPUFE_SUBMIT_BO_READ },			\
	{ (bd)->b.handle, GPUFE_SUBMIT_BO_WRITE } })

/*
 * SUBMIT of c on ctx with the list bos must fail with err, touch none of
 * its outputs, make no descriptor and queue nothing (the context's status
 * stays as it was).
 */
static void expect_refused(struct __test_metadata *_metadata, int fd,
			   __u32 ctx, const struct gpufe_cmds *c,
			   const struct gpufe_submit_bo *bos, __u32 num_bos,
			   int err, const char *what)
{
	struct gpufe_submit s = {
		.ctx_id = ctx,
		.flags = GPUFE_SUBMIT_OUT_FENCE,
		.cmds = (uintptr_t)c->buf,
		.cmds_size = c->size,
		.bos = (uintptr_t)bos,
		.num_bos = num_bos,
		.out_fence_fd = -0x5a5a,
		.seqno = 0xa5a5a5a5ULL,
	};
	struct gpufe_ctx_status before, after;
	int fds = gpufe_count_fds(), ret;

	ASSERT_EQ(0, gpufe_get_status(fd, ctx, &before));
	ret = gpufe_ioctl(fd, GPUFE_IOCTL_SUBMIT, &s);
	EXPECT_EQ(err, ret) {
		TH_LOG("%s: SUBMIT returned %d (%s), want %d", what, ret,
		       strerror(-ret), err);
	}
	if (!ret) {
		/* Accepted: let it end before going on. */
		gpufe_fence_wait(s.out_fence_fd, JOB_MS(EDU_MAX_JOB_CHUNKS), NULL);
		close(s.out_fence_fd);
		return;
	}
	EXPECT_EQ(-0x5a5a, s.out_fence_fd);
	EXPECT_EQ(0xa5a5a5a5ULL, s.seqno);
	EXPECT_EQ(fds, gpufe_count_fds());
	ASSERT_EQ(0, gpufe_get_status(fd, ctx, &after));
	EXPECT_EQ(before.submitted, after.submitted) {
		TH_LOG("%s: a job was queued", what);
	}
	EXPECT_EQ(before.completed, after.completed);
	EXPECT_EQ(before.queued, after.queued);
	EXPECT_EQ(before.error, after.error);
}

/*
 * The end of a bad-* subtest: a valid job on each context it used (copy,
 * compute, or both) gets sequence number 1, nothing having been queued
 * before, and completes; the buffers then hold what those jobs wrote and
 * nothing else.
 */
static void bad_finish(struct __test_metadata *_metadata, struct bad *bd,
		       bool copy, bool compute)
{
	__u64 seqno = 0;
	__u32 v = 0;
	int f;

	if (copy) {
		struct gpufe_cmds c = { 0 };

		emit_copy(&c, 0, 4095, 1, PAGE + 7, 1);
		f = submit_copy2(bd->fd, bd->copy, &c, bd->a.handle,
				 bd->b.handle, &seqno);
		ASSERT_LE(0, f);
		EXPECT_EQ(1, seqno) {
			TH_LOG("the copy context had jobs queued before");
		}
		EXPECT_EQ(1, fence_done(f, JOB_MS(1)));
		bd->b0[PAGE + 7] = bd->a0[4095];
	}
	if (compute) {
		struct gpufe_submit_bo bo = { bd->b.handle, GPUFE_SUBMIT_BO_WRITE };
		struct gpufe_cmds c = { 0 };

		emit_fact(&c, 7, 0, 2 * PAGE - 4);
		f = gpufe_submit_fenced(bd->fd, bd->compute, &c, &bo, 1, -1,
					&seqno);
		ASSERT_LE(0, f);
		EXPECT_EQ(1, seqno) {
			TH_LOG("the compute context had jobs queued before");
		}
		EXPECT_EQ(1, fence_done(f, JOB_MS(1)));
		v = fact(7);
		memcpy(bd->b0 + 2 * PAGE - 4, &v, 4);
	}
	EXPECT_EQ(-1, first_diff(bd->a0, bd->a.map, 2 * PAGE));
	EXPECT_EQ(-1, first_diff(bd->b0, bd->b.map, 2 * PAGE)) {
		TH_LOG("b's byte %ld", first_diff(bd->b0, bd->b.map, 2 * PAGE));
	}
}

TEST_F(edu, bad_unknown_opcode)
{
	static const __u32 opcodes[] = { 0, 3, 0x100, 0x80000001u, ~0u };
	struct bad bd;
	unsigned int i;
	char what[64];

	describe("An unknown opcode, alone, padded to a COPY's size, or after a valid command, fails SUBMIT with EINVAL on either engine and queues nothing");
	BAD_SETUP(&bd);
	for (i = 0; i < ARRAY_SIZE(opcodes); i++) {
		struct edu_cmd_copy big = { .opcode = opcodes[i] };
		struct gpufe_cmds c = { 0 };

		snprintf(what, sizeof(what), "opcode %#x", opcodes[i]);
		gpufe_cmds_add(&c, &opcodes[i], 4);
		expect_refused(_metadata, bd.fd, bd.copy, &c, BAD_BOS(&bd), 2,
			       -EINVAL, what);
		expect_refused(_metadata, bd.fd, bd.compute, &c, BAD_BOS(&bd), 2,
			       -EINVAL, what);
		c.size = 0;
		gpufe_cmds_add(&c, &big, sizeof(big));
		expect_refused(_metadata, bd.fd, bd.copy, &c, BAD_BOS(&bd), 2,
			       -EINVAL, what);
		c.size = 0;
		emit_copy(&c, 0, 0, 1, 0, 16);
		gpufe_cmds_add(&c, &opcodes[i], 4);
		expect_refused(_metadata, bd.fd, bd.copy, &c, BAD_BOS(&bd), 2,
			       -EINVAL, "a COPY, then an unknown opcode");
		c.size = 0;
		emit_fact(&c, 3, 1, 0);
		gpufe_cmds_add(&c, &big, sizeof(big));
		expect_refused(_metadata, bd.fd, bd.compute, &c, BAD_BOS(&bd), 2,
			       -EINVAL, "a FACTORIAL, then an unknown opcode");
	}
	bad_finish(_metadata, &bd, true, true);
}

TEST_F(edu, bad_truncated)
{
	struct edu_cmd_copy copy = {
		.opcode = EDU_CMD_COPY, .src_bo = 0, .dst_bo = 1, .length = 16,
	};
	struct edu_cmd_factorial fct = {
		.opcode = EDU_CMD_FACTORIAL, .n = 3, .dst_bo = 1,
	};
	struct bad bd;
	unsigned int len;
	char what[64];

	describe("A COPY or a FACTORIAL cut short at any 4-byte boundary, alone or after a whole command, fails SUBMIT with EINVAL and queues nothing");
	BAD_SETUP(&bd);
	for (len = 4; len < sizeof(copy); len += 4) {
		struct gpufe_cmds c = { 0 };

		snprintf(what, sizeof(what), "a COPY of %u bytes", len);
		gpufe_cmds_add(&c, &copy, len);
		expect_refused(_metadata, bd.fd, bd.copy, &c, BAD_BOS(&bd), 2,
			       -EINVAL, what);
		c.size = 0;
		gpufe_cmds_add(&c, &copy, sizeof(copy));
		gpufe_cmds_add(&c, &copy, len);
		expect_refused(_metadata, bd.fd, bd.copy, &c, BAD_BOS(&bd), 2,
			       -EINVAL, what);
	}
	for (len = 4; len < sizeof(fct); len += 4) {
		struct gpufe_cmds c = { 0 };

		snprintf(what, sizeof(what), "a FACTORIAL of %u bytes", len);
		gpufe_cmds_add(&c, &fct, len);
		expect_refused(_metadata, bd.fd, bd.compute, &c, BAD_BOS(&bd), 2,
			       -EINVAL, what);
		c.size = 0;
		gpufe_cmds_add(&c, &fct, sizeof(fct));
		gpufe_cmds_add(&c, &fct, len);
		expect_refused(_metadata, bd.fd, bd.compute, &c, BAD_BOS(&bd), 2,
			       -EINVAL, what);
	}
	bad_finish(_metadata, &bd, true, true);
}

static const __u32 bad_pads[] = { 1, 0x100, 0x80000000u, ~0u };

TEST_F(edu, bad_pad_copy)
{
	struct bad bd;
	unsigned int i;

	describe("A COPY with a non-zero pad fails SUBMIT with EINVAL and queues nothing");
	BAD_SETUP(&bd);
	for (i = 0; i < ARRAY_SIZE(bad_pads); i++) {
		struct edu_cmd_copy cmd = {
			.opcode = EDU_CMD_COPY, .src_bo = 0, .dst_bo = 1,
			.pad = bad_pads[i], .length = 16,
		};
		struct gpufe_cmds c = { 0 };

		gpufe_cmds_add(&c, &cmd, sizeof(cmd));
		expect_refused(_metadata, bd.fd, bd.copy, &c, BAD_BOS(&bd), 2,
			       -EINVAL, "COPY with a pad");
	}
	bad_finish(_metadata, &bd, true, false);
}

TEST_F(edu, bad_pad_factorial)
{
	struct bad bd;
	unsigned int i;

	describe("A FACTORIAL with a non-zero pad fails SUBMIT with EINVAL and queues nothing");
	BAD_SETUP(&bd);
	for (i = 0; i < ARRAY_SIZE(bad_pads); i++) {
		struct edu_cmd_factorial cmd = {
			.opcode = EDU_CMD_FACTORIAL, .n = 5, .dst_bo = 1,
			.pad = bad_pads[i],
		};
		struct gpufe_cmds c = { 0 };

		gpufe_cmds_add(&c, &cmd, sizeof(cmd));
		expect_refused(_metadata, bd.fd, bd.compute, &c, BAD_BOS(&bd), 2,
			       -EINVAL, "FACTORIAL with a pad");
	}
	bad_finish(_metadata, &bd, false, true);
}

TEST_F(edu, bad_copy_on_compute)
{
	struct gpufe_cmds c = { 0 };
	struct bad bd;

	describe("A valid COPY on the compute engine fails SUBMIT with EINVAL and queues nothing");
	BAD_SETUP(&bd);
	emit_copy(&c, 0, 0, 1, 0, 16);
	expect_refused(_metadata, bd.fd, bd.compute, &c, BAD_BOS(&bd), 2,
		       -EINVAL, "COPY on compute");
	emit_fact(&c, 4, 1, 64);
	expect_refused(_metadata, bd.fd, bd.compute, &c, BAD_BOS(&bd), 2,
		       -EINVAL, "COPY, FACTORIAL on compute");
	bad_finish(_metadata, &bd, false, true);
}

TEST_F(edu, bad_factorial_on_copy)
{
	struct gpufe_cmds c = { 0 };
	struct bad bd;

	describe("A valid FACTORIAL on the copy engine fails SUBMIT with EINVAL and queues nothing");
	BAD_SETUP(&bd);
	emit_fact(&c, 4, 1, 64);
	expect_refused(_metadata, bd.fd, bd.copy, &c, BAD_BOS(&bd), 2,
		       -EINVAL, "FACTORIAL on copy");
	emit_copy(&c, 0, 0, 1, 0, 16);
	expect_refused(_metadata, bd.fd, bd.copy, &c, BAD_BOS(&bd), 2,
		       -EINVAL, "FACTORIAL, COPY on copy");
	bad_finish(_metadata, &bd, true, false);
}

TEST_F(edu, bad_bo_index)
{
	static const __u32 idx[] = { 2, 3, 64, ~0u };
	struct bad bd;
	unsigned int i;

	describe("A buffer index past the list (COPY's source or destination, FACTORIAL's destination; also with no list) fails SUBMIT with EINVAL and queues nothing");
	BAD_SETUP(&bd);
	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		struct gpufe_cmds c = { 0 };

		emit_copy(&c, idx[i], 0, 1, 0, 16);
		expect_refused(_metadata, bd.fd, bd.copy, &c, BAD_BOS(&bd), 2,
			       -EINVAL, "COPY's source past the list");
		c.size = 0;
		emit_copy(&c, 0, 0, idx[i], 0, 16);
		expect_refused(_metadata, bd.fd, bd.copy, &c, BAD_BOS(&bd), 2,
			       -EINVAL, "COPY's destination past the list");
		c.size = 0;
		emit_fact(&c, 5, idx[i], 0);
		expect_refused(_metadata, bd.fd, bd.compute, &c, BAD_BOS(&bd), 2,
			       -EINVAL, "FACTORIAL's destination past the list");
	}
	{
		struct gpufe_cmds c = { 0 };

		emit_copy(&c, 0, 0, 0, 4096, 16);
		expect_refused(_metadata, bd.fd, bd.copy, &c, NULL, 0, -EINVAL,
			       "COPY with no list");
		c.size = 0;
		emit_fact(&c, 5, 0, 0);
		expect_refused(_metadata, bd.fd, bd.compute, &c, NULL, 0, -EINVAL,
			       "FACTORIAL with no list");
		/* Index 1 of a list of one. */
		c.size = 0;
		emit_copy(&c, 0, 0, 1, 0, 16);
		expect_refused(_metadata, bd.fd, bd.copy, &c, BAD_BOS(&bd), 1,
			       -EINVAL, "COPY to index 1 of a list of one");
	}
	bad_finish(_metadata, &bd, true, true);
}

/* Ranges that leave a buffer of two pages: offset, length. */
static const struct { __u64 offset, length; } bad_ranges[] = {
	{ 2 * PAGE, 1 },		/* just past the end */
	{ 2 * PAGE - 1, 2 },		/* over the end by one */
	{ 0, 2 * PAGE + 1 },		/* longer than the buffer */
	{ 1, 2 * PAGE },
	{ 3 * PAGE, 16 },		/* well past */
	{ ~0ULL, 2 },			/* wraps */
	{ 16, ~0ULL - 8 },		/* wraps */
	{ 1ULL << 63, 1ULL << 63 },	/* wraps to 0 */
};

TEST_F(edu, bad_range_copy_src)
{
	struct bad bd;
	unsigned int i;
	char what[96];

	describe("A COPY whose source range leaves its buffer (past the end, over it, or wrapping around 2^64) fails SUBMIT with EINVAL and queues nothing");
	BAD_SETUP(&bd);
	for (i = 0; i < ARRAY_SIZE(bad_ranges); i++) {
		struct gpufe_cmds c = { 0 };

		snprintf(what, sizeof(what), "source %#llx + %#llx",
			 (unsigned long long)bad_ranges[i].offset,
			 (unsigned long long)bad_ranges[i].length);
		emit_copy(&c, 0, bad_ranges[i].offset, 1, 0,
			  bad_ranges[i].length);
		expect_refused(_metadata, bd.fd, bd.copy, &c, BAD_BOS(&bd), 2,
			       -EINVAL, what);
	}
	bad_finish(_metadata, &bd, true, false);
}

TEST_F(edu, bad_range_copy_dst)
{
	struct bad bd;
	unsigned int i;
	char what[96];

	describe("A COPY whose destination range leaves its buffer (past the end, over it, or wrapping around 2^64) fails SUBMIT with EINVAL and queues nothing");
	BAD_SETUP(&bd);
	for (i = 0; i < ARRAY_SIZE(bad_ranges); i++) {
		struct gpufe_cmds c = { 0 };

		snprintf(what, sizeof(what), "destination %#llx + %#llx",
			 (unsigned long long)bad_ranges[i].offset,
			 (unsigned long long)bad_ranges[i].length);
		emit_copy(&c, 0, 0, 1, bad_ranges[i].offset,
			  bad_ranges[i].length);
		expect_refused(_metadata, bd.fd, bd.copy, &c, BAD_BOS(&bd), 2,
			       -EINVAL, what);
	}
	bad_finish(_metadata, &bd, true, false);
}

TEST_F(edu, bad_range_factorial_dst)
{
	static const __u64 offsets[] = {
		2 * PAGE, 2 * PAGE + 4, 3 * PAGE, ~0ULL - 3, 1ULL << 63,
	};
	struct bad bd;
	unsigned int i;
	char what[64];

	describe("A FACTORIAL whose 4-byte result leaves its buffer (at its end, past it, near 2^64) fails SUBMIT with EINVAL and queues nothing; the last word is fine");
	BAD_SETUP(&bd);
	for (i = 0; i < ARRAY_SIZE(offsets); i++) {
		struct gpufe_cmds c = { 0 };

		snprintf(what, sizeof(what), "result at %#llx",
			 (unsigned long long)offsets[i]);
		emit_fact(&c, 6, 1, offsets[i]);
		expect_refused(_metadata, bd.fd, bd.compute, &c, BAD_BOS(&bd), 2,
			       -EINVAL, what);
	}
	/* bad_finish() writes the last word. */
	bad_finish(_metadata, &bd, false, true);
}

TEST_F(edu, bad_write_without_flag)
{
	struct gpufe_submit_bo ro[2] = {
		{ 0, GPUFE_SUBMIT_BO_READ }, { 0, GPUFE_SUBMIT_BO_READ },
	};
	struct gpufe_cmds c = { 0 };
	struct bad bd;

	describe("A COPY or a FACTORIAL that writes a buffer listed without GPUFE_SUBMIT_BO_WRITE (only READ) fails SUBMIT with EINVAL and queues nothing");
	BAD_SETUP(&bd);
	ro[0].handle = bd.a.handle;
	ro[1].handle = bd.b.handle;
	emit_copy(&c, 0, 0, 1, 0, 16);
	expect_refused(_metadata, bd.fd, bd.copy, &c, ro, 2, -EINVAL,
		       "COPY to a buffer listed READ");
	c.size = 0;
	emit_copy(&c, 0, 0, 0, PAGE, 16);
	expect_refused(_metadata, bd.fd, bd.copy, &c, ro, 1, -EINVAL,
		       "COPY within a buffer listed READ");
	c.size = 0;
	emit_fact(&c, 5, 1, 0);
	expect_refused(_metadata, bd.fd, bd.compute, &c, ro, 2, -EINVAL,
		       "FACTORIAL to a buffer listed READ");
	bad_finish(_metadata, &bd, true, true);
}

TEST_F(edu, bad_read_without_flag)
{
	struct gpufe_submit_bo wo[2] = {
		{ 0, GPUFE_SUBMIT_BO_WRITE }, { 0, GPUFE_SUBMIT_BO_WRITE },
	};
	struct gpufe_cmds c = { 0 };
	struct bad bd;

	describe("A COPY that reads a buffer listed without GPUFE_SUBMIT_BO_READ (only WRITE) fails SUBMIT with EINVAL and queues nothing");
	BAD_SETUP(&bd);
	wo[0].handle = bd.a.handle;
	wo[1].handle = bd.b.handle;
	emit_copy(&c, 0, 0, 1, 0, 16);
	expect_refused(_metadata, bd.fd, bd.copy, &c, wo, 2, -EINVAL,
		       "COPY from a buffer listed WRITE");
	c.size = 0;
	emit_copy(&c, 1, 0, 1, PAGE, 16);
	expect_refused(_metadata, bd.fd, bd.copy, &c, wo, 2, -EINVAL,
		       "COPY within a buffer listed WRITE");
	bad_finish(_metadata, &bd, true, false);
}

TEST_F(edu, bad_zero_length_copy)
{
	static const __u64 offsets[] = { 0, 1, 2 * PAGE };
	struct bad bd;
	unsigned int i;

	describe("A COPY of 0 bytes, anywhere, alone or after a valid COPY, fails SUBMIT with EINVAL and queues nothing");
	BAD_SETUP(&bd);
	for (i = 0; i < ARRAY_SIZE(offsets); i++) {
		struct gpufe_cmds c = { 0 };

		emit_copy(&c, 0, offsets[i], 1, offsets[i], 0);
		expect_refused(_metadata, bd.fd, bd.copy, &c, BAD_BOS(&bd), 2,
			       -EINVAL, "COPY of 0 bytes");
		c.size = 0;
		emit_copy(&c, 0, 0, 1, 0, 16);
		emit_copy(&c, 0, offsets[i], 1, offsets[i], 0);
		expect_refused(_metadata, bd.fd, bd.copy, &c, BAD_BOS(&bd), 2,
			       -EINVAL, "a COPY, then one of 0 bytes");
	}
	bad_finish(_metadata, &bd, true, false);
}

TEST_F(edu, bad_overlapping_copy)
{
	static const struct { __u64 src, dst, len; } overlaps[] = {
		{ 0, 0, 1 },		/* the same byte */
		{ 0, 100, 101 },	/* the source runs into the destination */
		{ 100, 0, 101 },	/* and the other way */
		{ 4095, 4096, 2 },	/* by one byte, across pages */
		{ 0, 1, 2 * PAGE - 1 },
	};
	struct gpufe_submit_bo rw;
	struct bad bd;
	unsigned int i;
	char what[96];
	int f;

	describe("A COPY between overlapping ranges of one buffer fails SUBMIT with EINVAL and queues nothing; adjacent ranges of one buffer copy fine");
	BAD_SETUP(&bd);
	rw = (struct gpufe_submit_bo){ bd.b.handle,
		GPUFE_SUBMIT_BO_READ | GPUFE_SUBMIT_BO_WRITE };
	for (i = 0; i < ARRAY_SIZE(overlaps); i++) {
		struct gpufe_cmds c = { 0 };

		snprintf(what, sizeof(what), "%llu bytes from %llu to %llu",
			 (unsigned long long)overlaps[i].len,
			 (unsigned long long)overlaps[i].src,
			 (unsigned long long)overlaps[i].dst);
		emit_copy(&c, 0, overlaps[i].src, 0, overlaps[i].dst,
			  overlaps[i].len);
		expect_refused(_metadata, bd.fd, bd.copy, &c, &rw, 1, -EINVAL,
			       what);
	}
	bad_finish(_metadata, &bd, true, false);
	/* Adjacent: b[100..199] -> b[200..299]. */
	{
		struct gpufe_cmds c = { 0 };

		emit_copy(&c, 0, 100, 0, 200, 100);
		f = gpufe_submit_fenced(bd.fd, bd.copy, &c, &rw, 1, -1, NULL);
		ASSERT_LE(0, f);
		EXPECT_EQ(1, fence_done(f, JOB_MS(1)));
		memcpy(bd.b0 + 200, bd.b0 + 100, 100);
		EXPECT_EQ(-1, first_diff(bd.b0, bd.b.map, 2 * PAGE));
	}
}

TEST_F(edu, bad_factorial_n)
{
	static const __u32 ns[] = { EDU_MAX_FACTORIAL_N + 1, 20, 0x80000000u,
				    ~0u };
	struct bad bd;
	unsigned int i;
	char what[64];

	describe("A FACTORIAL of n above 12 (whose n! does not fit in 32 bits) fails SUBMIT with EINVAL and queues nothing");
	BAD_SETUP(&bd);
	for (i = 0; i < ARRAY_SIZE(ns); i++) {
		struct gpufe_cmds c = { 0 };

		snprintf(what, sizeof(what), "FACTORIAL of %u", ns[i]);
		emit_fact(&c, ns[i], 1, 0);
		expect_refused(_metadata, bd.fd, bd.compute, &c, BAD_BOS(&bd), 2,
			       -EINVAL, what);
		c.size = 0;
		emit_fact(&c, EDU_MAX_FACTORIAL_N, 1, 0);
		emit_fact(&c, ns[i], 1, 4);
		expect_refused(_metadata, bd.fd, bd.compute, &c, BAD_BOS(&bd), 2,
			       -EINVAL, what);
	}
	bad_finish(_metadata, &bd, false, true);
}

TEST_F(edu, bad_factorial_misaligned)
{
	static const __u64 offsets[] = { 1, 2, 3, 4093, 2 * PAGE - 5 };
	struct bad bd;
	unsigned int i;
	char what[64];

	describe("A FACTORIAL to an offset that is not a multiple of 4 fails SUBMIT with EINVAL and queues nothing");
	BAD_SETUP(&bd);
	for (i = 0; i < ARRAY_SIZE(offsets); i++) {
		struct gpufe_cmds c = { 0 };

		snprintf(what, sizeof(what), "result at %llu",
			 (unsigned long long)offsets[i]);
		emit_fact(&c, 5, 1, offsets[i]);
		expect_refused(_metadata, bd.fd, bd.compute, &c, BAD_BOS(&bd), 2,
			       -EINVAL, what);
	}
	bad_finish(_metadata, &bd, false, true);
}

TEST_F(edu, bad_too_many_chunks)
{
	struct gpufe_buffer s, d;
	struct gpufe_submit_bo bos[2];
	struct gpufe_cmds c = { 0 };
	struct bad bd;
	int i;

	describe("A job whose copies need more than EDU_MAX_JOB_CHUNKS (16) chunks fails SUBMIT with EINVAL and queues nothing: 17 copies of one chunk, one copy of 16 * 4095 + 1 bytes, 16 one-chunk copies and a two-chunk one");
	BAD_SETUP(&bd);
	ASSERT_EQ(0, gpufe_buffer_create(bd.fd, (EDU_MAX_JOB_CHUNKS + 1) * PAGE, &s));
	ASSERT_EQ(0, gpufe_buffer_create(bd.fd, (EDU_MAX_JOB_CHUNKS + 1) * PAGE, &d));
	bos[0] = (struct gpufe_submit_bo){ s.handle, GPUFE_SUBMIT_BO_READ };
	bos[1] = (struct gpufe_submit_bo){ d.handle, GPUFE_SUBMIT_BO_WRITE };

	for (i = 0; i <= EDU_MAX_JOB_CHUNKS; i++)
		emit_copy(&c, 0, i * PAGE, 1, i * PAGE, EDU_CHUNK_MAX);
	expect_refused(_metadata, bd.fd, bd.copy, &c, bos, 2, -EINVAL,
		       "17 copies of one chunk");
	c.size = 0;
	for (i = 0; i <= EDU_MAX_JOB_CHUNKS; i++)
		emit_copy(&c, 0, i * PAGE + 5, 1, i * PAGE + 9, 1);
	expect_refused(_metadata, bd.fd, bd.copy, &c, bos, 2, -EINVAL,
		       "17 copies of one byte");
	c.size = 0;
	emit_copy(&c, 0, 0, 1, 0, EDU_MAX_JOB_CHUNKS * EDU_CHUNK_MAX + 1);
	expect_refused(_metadata, bd.fd, bd.copy, &c, bos, 2, -EINVAL,
		       "one copy of 16 * 4095 + 1 bytes");
	c.size = 0;
	for (i = 0; i < EDU_MAX_JOB_CHUNKS - 1; i++)
		emit_copy(&c, 0, i * PAGE, 1, i * PAGE, EDU_CHUNK_MAX);
	/* Two chunks: across a page of the destination. */
	emit_copy(&c, 0, 16 * PAGE, 1, 16 * PAGE - 8, 16);
	ASSERT_EQ(2, copy_chunks(16 * PAGE, 16 * PAGE - 8, 16));
	expect_refused(_metadata, bd.fd, bd.copy, &c, bos, 2, -EINVAL,
		       "15 one-chunk copies and a two-chunk one");
	bad_finish(_metadata, &bd, true, false);
}

TEST_F(edu, bad_too_many_factorials)
{
	struct gpufe_submit_bo bo;
	struct gpufe_cmds c = { 0 };
	struct bad bd;
	__u32 i;
	int f;

	describe("A job of more than EDU_MAX_JOB_FACTORIALS (64) FACTORIALs fails SUBMIT with EINVAL and queues nothing; one of 64 runs them all");
	BAD_SETUP(&bd);
	bo = (struct gpufe_submit_bo){ bd.b.handle, GPUFE_SUBMIT_BO_WRITE };
	for (i = 0; i <= EDU_MAX_JOB_FACTORIALS; i++)
		emit_fact(&c, i % (EDU_MAX_FACTORIAL_N + 1), 0, 4 * i);
	expect_refused(_metadata, bd.fd, bd.compute, &c, &bo, 1, -EINVAL,
		       "65 FACTORIALs");
	bad_finish(_metadata, &bd, false, true);

	/* 64: each result where it belongs. */
	c.size -= sizeof(struct edu_cmd_factorial);
	f = gpufe_submit_fenced(bd.fd, bd.compute, &c, &bo, 1, -1, NULL);
	ASSERT_LE(0, f);
	EXPECT_EQ(1, fence_done(f, JOB_MS(1)));
	for (i = 0; i < EDU_MAX_JOB_FACTORIALS; i++) {
		__u32 want = fact(i % (EDU_MAX_FACTORIAL_N + 1));

		memcpy(bd.b0 + 4 * i, &want, 4);
	}
	EXPECT_EQ(-1, first_diff(bd.b0, bd.b.map, 2 * PAGE));
}

/* vgem's card node, found with DRM_IOCTL_VERSION; or -ENOENT. */
static int vgem_open(void)
{
	char path[32];
	int i;

	for (i = 0; i < 16; i++) {
		struct drm_version v;
		char name[16] = "";
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&v, 0, sizeof(v));
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (!gpufe_ioctl(fd, DRM_IOCTL_VERSION, &v) && v.name_len == 4 &&
		    !memcmp(name, "vgem", 4))
			return fd;
		close(fd);
	}
	return -ENOENT;
}

/* A vgem buffer of size bytes (4 KiB pages) as a dma-buf: its fd, or -errno. */
static int vgem_dmabuf(int vgem, __u64 size)
{
	struct drm_mode_create_dumb c = {
		.width = 1024, .height = size / 4096, .bpp = 32,
	};
	struct drm_prime_handle p = { .flags = DRM_CLOEXEC | DRM_RDWR, .fd = -1 };
	struct drm_gem_close g = { 0 };
	int ret;

	ret = gpufe_ioctl(vgem, DRM_IOCTL_MODE_CREATE_DUMB, &c);
	if (ret)
		return ret;
	if (c.size != size)
		return -EPROTO;
	p.handle = c.handle;
	ret = gpufe_ioctl(vgem, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);
	/* The dma-buf keeps the buffer. */
	g.handle = c.handle;
	gpufe_ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &g);
	return ret ? ret : p.fd;
}

/*
 * What SUBMIT of an edu job fails with when one of its buffers was
 * imported from another driver: the front-end maps a job's buffers for
 * the device's DMA and has no pages of such a buffer to map.
 */
#define IMPORTED_ERR	(-EOPNOTSUPP)

TEST_F(edu, bad_dmabuf_import)
{
	struct gpufe_bo_import imp = { .fd = -1 };
	struct gpufe_bo_export exp = { .flags = GPUFE_BO_EXPORT_CLOEXEC |
					       GPUFE_BO_EXPORT_RDWR };
	struct gpufe_submit_bo bos[2];
	struct gpufe_cmds c = { 0 };
	struct bad bd;
	int vgem, dmabuf, fd2, f;
	__u32 ctx2;
	void *map;

	describe("A COPY from or to a buffer imported from another driver (vgem), which has no pages for the device's DMA, fails SUBMIT with EOPNOTSUPP and queues nothing; a gpufe buffer shared with another client through a dma-buf copies fine");
	BAD_SETUP(&bd);
	/* gpufe's own dma-buf, imported by another client: the same pages. */
	exp.handle = bd.a.handle;
	ASSERT_EQ(0, gpufe_ioctl(bd.fd, GPUFE_IOCTL_BO_EXPORT, &exp));
	fd2 = gpufe_open();
	ASSERT_LE(0, fd2);
	imp.fd = exp.fd;
	ASSERT_EQ(0, gpufe_ioctl(fd2, GPUFE_IOCTL_BO_IMPORT, &imp));
	close(exp.fd);
	{
		struct gpufe_buffer d2;

		ASSERT_EQ(0, gpufe_create_ctx(fd2, bd.dev, GPUFE_ENGINE_CLASS_COPY,
					      0, &ctx2));
		ASSERT_EQ(0, gpufe_buffer_create(fd2, PAGE, &d2));
		f = submit_copy(fd2, ctx2, imp.handle, 4000, d2.handle, 3, 200);
		ASSERT_LE(0, f);
		EXPECT_EQ(1, fence_done(f, JOB_MS(2)));
		EXPECT_EQ(-1, first_diff(bd.a0 + 4000, (__u8 *)d2.map + 3, 200));
	}
	close(fd2);

	vgem = vgem_open();
	if (vgem < 0) {
		bad_finish(_metadata, &bd, true, false);
		SKIP(return, "no vgem device (load vgem.ko): another driver's buffer is not tried");
	}
	dmabuf = vgem_dmabuf(vgem, PAGE);
	ASSERT_LE(0, dmabuf);
	memset(&imp, 0, sizeof(imp));
	imp.fd = dmabuf;
	ASSERT_EQ(0, gpufe_ioctl(bd.fd, GPUFE_IOCTL_BO_IMPORT, &imp));
	map = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, bd.fd,
		   imp.mmap_offset);
	ASSERT_NE(MAP_FAILED, map);
	memset(map, 0x3c, PAGE);

	bos[0] = (struct gpufe_submit_bo){ imp.handle, GPUFE_SUBMIT_BO_READ };
	bos[1] = (struct gpufe_submit_bo){ bd.b.handle, GPUFE_SUBMIT_BO_WRITE };
	emit_copy(&c, 0, 0, 1, 0, 16);
	expect_refused(_metadata, bd.fd, bd.copy, &c, bos, 2, IMPORTED_ERR,
		       "COPY from vgem's buffer");
	bos[0] = (struct gpufe_submit_bo){ bd.a.handle, GPUFE_SUBMIT_BO_READ };
	bos[1] = (struct gpufe_submit_bo){ imp.handle, GPUFE_SUBMIT_BO_WRITE };
	expect_refused(_metadata, bd.fd, bd.copy, &c, bos, 2, IMPORTED_ERR,
		       "COPY to vgem's buffer");
	c.size = 0;
	emit_fact(&c, 5, 1, 0);
	expect_refused(_metadata, bd.fd, bd.compute, &c, bos, 2, IMPORTED_ERR,
		       "FACTORIAL to vgem's buffer");
	EXPECT_EQ(-1, gpufe_find_not(map, PAGE / 4, 0x3c3c3c3cu));
	munmap(map, PAGE);
	bad_finish(_metadata, &bd, true, true);
	close(dmabuf);
	close(vgem);
}

GPUFE_TEST_MAIN
