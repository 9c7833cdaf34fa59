// SPDX-License-Identifier: GPL-2.0
/*
 * gpufe_bo: buffer objects: BO_CREATE, BO_DESTROY, mmap(), per-file
 * handles, the per-client and per-user memory limits, and debugfs's count
 * of buffer objects.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <grp.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gpufe_test.h"

#define BO_CREATE_IOWR(size) \
	_IOC(_IOC_READ | _IOC_WRITE, GPUFE_IOCTL_BASE, 0x02, (size))

/*
 * The client_mem_mib the memory-limit subtests set while they run, where
 * the parameter is writable: small, so that they are quick and leave the
 * VM's memory alone (buffers are pinned).
 */
#define TEST_MEM_MIB	16

FIXTURE(bo) {
	int fd;
	size_t page;
	long long saved_mem_mib;	/* client_mem_mib to restore, or -1 */
	struct gpufe_saved_params params;	/* others to restore */
};

FIXTURE_SETUP(bo)
{
	const char *missing = NULL;
	int ret;

	self->fd = -1;
	self->saved_mem_mib = -1;
	self->page = sysconf(_SC_PAGESIZE);
	ret = gpufe_fixture_open(&self->fd, NULL, 0, NULL, &missing);
	if (ret > 0)
		SKIP(return, "%s", missing);
	ASSERT_EQ(0, ret);
}

/*
 * In the parent of the subtest's process, so that the parameters go back
 * even when the subtest died of a signal; its file went with it.
 */
FIXTURE_TEARDOWN_PARENT(bo)
{
	if (self->saved_mem_mib >= 0)
		gpufe_write_ull(GPUFE_PARAMS "/client_mem_mib", self->saved_mem_mib);
	gpufe_params_restore(&self->params);
}

static int bo_create(int fd, __u64 size, struct gpufe_bo_create *c)
{
	memset(c, 0, sizeof(*c));
	c->size = size;
	return gpufe_ioctl(fd, GPUFE_IOCTL_BO_CREATE, c);
}

static void *bo_mmap(int fd, __u64 offset, size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
}

/* errno of a mmap() that must fail, or 0 if it succeeded (and is undone). */
static int mmap_errno(int fd, __u64 offset, size_t len)
{
	void *p = bo_mmap(fd, offset, len);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

static void fill_pattern(void *p, size_t size, __u32 seed)
{
	__u32 *w = p;
	size_t i;

	for (i = 0; i < size / 4; i++)
		w[i] = seed ^ (__u32)(i * 2654435761u);
}

/* Index of the first word that breaks the pattern, or -1. */
static long check_pattern(const void *p, size_t size, __u32 seed)
{
	const __u32 *w = p;
	size_t i;

	for (i = 0; i < size / 4; i++)
		if (w[i] != (seed ^ (__u32)(i * 2654435761u)))
			return i;
	return -1;
}

TEST_F(bo, basic_create_mmap)
{
	struct gpufe_bo_create c;
	const size_t size = 16 * self->page;
	void *p, *q;

	describe("A new buffer maps zero-filled; data written through one mapping survives munmap and a new mmap");
	ASSERT_EQ(0, bo_create(self->fd, size, &c));
	EXPECT_NE(0, c.handle);
	EXPECT_EQ(size, c.size);
	EXPECT_EQ(0, c.flags);
	EXPECT_EQ(0, c.mmap_offset % self->page);

	p = bo_mmap(self->fd, c.mmap_offset, size);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(-1, gpufe_find_not(p, size / 4, 0));
	fill_pattern(p, size, 0x1234);
	ASSERT_EQ(0, munmap(p, size));

	p = bo_mmap(self->fd, c.mmap_offset, size);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, check_pattern(p, size, 0x1234));

	/* Two mappings at once share the memory. */
	q = bo_mmap(self->fd, c.mmap_offset, size);
	ASSERT_NE(MAP_FAILED, q);
	((__u32 *)q)[size / 4 - 1] = 0xfeedf00d;
	EXPECT_EQ(0xfeedf00d, ((__u32 *)p)[size / 4 - 1]);
	munmap(q, size);
	munmap(p, size);
	EXPECT_EQ(0, gpufe_destroy_bo(self->fd, c.handle));
}

#define MANY_BOS 16

TEST_F(bo, basic_many)
{
	struct gpufe_bo_create c[MANY_BOS];
	void *p[MANY_BOS];
	unsigned int i, j;

	describe("Buffers get distinct non-zero handles and disjoint mmap ranges over separate memory");
	for (i = 0; i < MANY_BOS; i++) {
		ASSERT_EQ(0, bo_create(self->fd, (i % 4 + 1) * self->page, &c[i]));
		ASSERT_NE(0, c[i].handle);
		for (j = 0; j < i; j++) {
			ASSERT_NE(c[j].handle, c[i].handle);
			ASSERT_TRUE(c[i].mmap_offset >= c[j].mmap_offset + c[j].size ||
				    c[j].mmap_offset >= c[i].mmap_offset + c[i].size);
		}
	}
	for (i = 0; i < MANY_BOS; i++) {
		p[i] = bo_mmap(self->fd, c[i].mmap_offset, c[i].size);
		ASSERT_NE(MAP_FAILED, p[i]);
		fill_pattern(p[i], c[i].size, i);
	}
	for (i = 0; i < MANY_BOS; i++) {
		EXPECT_EQ(-1, check_pattern(p[i], c[i].size, i)) {
			TH_LOG("buffer %u", i);
		}
		munmap(p[i], c[i].size);
		EXPECT_EQ(0, gpufe_destroy_bo(self->fd, c[i].handle));
	}
}

TEST_F(bo, create_size_rounding)
{
	const __u64 page = self->page;
	const __u64 sizes[][2] = {
		{ 1, page }, { page - 1, page }, { page, page },
		{ page + 1, 2 * page }, { 3 * page - 4, 3 * page },
	};
	unsigned int i;

	describe("BO_CREATE rounds the size up to whole pages and reports the rounded size, all of it mappable");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct gpufe_bo_create c;
		void *p;

		ASSERT_EQ(0, bo_create(self->fd, sizes[i][0], &c));
		EXPECT_EQ(sizes[i][1], c.size) {
			TH_LOG("asked for %llu bytes", (unsigned long long)sizes[i][0]);
		}
		p = bo_mmap(self->fd, c.mmap_offset, c.size);
		ASSERT_NE(MAP_FAILED, p);
		EXPECT_EQ(-1, gpufe_find_not(p, c.size / 4, 0));
		munmap(p, c.size);
		EXPECT_EQ(0, gpufe_destroy_bo(self->fd, c.handle));
	}
}

TEST_F(bo, mmap_partial)
{
	struct gpufe_bo_create c;
	const size_t size = 4 * self->page;
	void *p, *q;

	describe("mmap() at a page offset into a buffer maps the buffer from there on");
	ASSERT_EQ(0, bo_create(self->fd, size, &c));
	p = bo_mmap(self->fd, c.mmap_offset, size);
	ASSERT_NE(MAP_FAILED, p);
	fill_pattern(p, size, 0x9876);

	/* Pages 1 and 2 of 4, then the last page alone. */
	q = bo_mmap(self->fd, c.mmap_offset + self->page, 2 * self->page);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0, memcmp((char *)p + self->page, q, 2 * self->page));
	((__u32 *)q)[0] = 0x600d;
	EXPECT_EQ(0x600d, ((__u32 *)p)[self->page / 4]);
	munmap(q, 2 * self->page);
	q = bo_mmap(self->fd, c.mmap_offset + 3 * self->page, self->page);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0, memcmp((char *)p + 3 * self->page, q, self->page));
	munmap(q, self->page);
	munmap(p, size);
	EXPECT_EQ(0, gpufe_destroy_bo(self->fd, c.handle));
}

TEST_F(bo, destroy)
{
	struct gpufe_bo_create c;

	describe("BO_DESTROY drops the handle: a second destroy fails with ENOENT and its offset no longer maps");
	ASSERT_EQ(0, bo_create(self->fd, self->page, &c));
	ASSERT_EQ(0, gpufe_destroy_bo(self->fd, c.handle));
	EXPECT_EQ(-ENOENT, gpufe_destroy_bo(self->fd, c.handle));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, c.mmap_offset, self->page));
}

TEST_F(bo, mmap_keeps_bo_alive)
{
	struct gpufe_bo_create c;
	const size_t size = 4 * self->page;
	void *p;

	describe("A mapping outlives BO_DESTROY: the memory stays readable and writable until munmap");
	ASSERT_EQ(0, bo_create(self->fd, size, &c));
	p = bo_mmap(self->fd, c.mmap_offset, size);
	ASSERT_NE(MAP_FAILED, p);
	fill_pattern(p, size, 0xabcd);
	ASSERT_EQ(0, gpufe_destroy_bo(self->fd, c.handle));

	EXPECT_EQ(-1, check_pattern(p, size, 0xabcd));
	fill_pattern(p, size, 0x4321);
	EXPECT_EQ(-1, check_pattern(p, size, 0x4321));
	/* The handle is gone, and with it the right to map the buffer again. */
	EXPECT_EQ(-ENOENT, gpufe_destroy_bo(self->fd, c.handle));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, c.mmap_offset, size));
	EXPECT_EQ(0, munmap(p, size));
}

TEST_F(bo, handles_are_per_fd)
{
	struct gpufe_bo_create c;
	struct gpufe_bo_export e;
	int fd2, status;
	pid_t child;
	void *p;

	describe("Another open file, in this or another process, cannot destroy, export or map this file's buffer");
	ASSERT_EQ(0, bo_create(self->fd, self->page, &c));
	p = bo_mmap(self->fd, c.mmap_offset, self->page);
	ASSERT_NE(MAP_FAILED, p);
	fill_pattern(p, self->page, 0x77);

	/* fd2 has no buffer at all, so no handle can name one of its own. */
	fd2 = gpufe_open();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-ENOENT, gpufe_destroy_bo(fd2, c.handle));
	memset(&e, 0, sizeof(e));
	e.handle = c.handle;
	e.flags = GPUFE_BO_EXPORT_CLOEXEC;
	EXPECT_EQ(-ENOENT, gpufe_ioctl(fd2, GPUFE_IOCTL_BO_EXPORT, &e));
	EXPECT_EQ(EINVAL, mmap_errno(fd2, c.mmap_offset, self->page));
	close(fd2);

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		int fd = gpufe_open();

		if (fd < 0)
			_exit(10);
		if (gpufe_destroy_bo(fd, c.handle) != -ENOENT)
			_exit(11);
		if (mmap_errno(fd, c.mmap_offset, self->page) != EINVAL)
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("the child's check %d failed", WEXITSTATUS(status) - 10);
	}

	/* The owner's buffer is untouched. */
	EXPECT_EQ(-1, check_pattern(p, self->page, 0x77));
	munmap(p, self->page);
	EXPECT_EQ(0, gpufe_destroy_bo(self->fd, c.handle));
}

TEST_F(bo, compat_create_larger)
{
	struct {
		struct gpufe_bo_create c;
		__u64 future[2];
	} big = { .c = { .size = 1 } };

	describe("A newer user space's larger BO_CREATE works when its tail is zero, and the tail stays zero");
	ASSERT_EQ(0, gpufe_ioctl(self->fd, BO_CREATE_IOWR(sizeof(big)), &big));
	EXPECT_EQ(self->page, big.c.size);
	EXPECT_NE(0, big.c.handle);
	EXPECT_EQ(0, big.future[0]);
	EXPECT_EQ(0, big.future[1]);
	EXPECT_EQ(0, gpufe_destroy_bo(self->fd, big.c.handle));
}

TEST_F(bo, bad_create_tail)
{
	struct {
		struct gpufe_bo_create c;
		__u64 future;
	} big = { .c = { .size = 1 }, .future = 1 };

	describe("A larger BO_CREATE whose unknown tail is not zero fails with E2BIG and creates nothing");
	EXPECT_EQ(-E2BIG, gpufe_ioctl(self->fd, BO_CREATE_IOWR(sizeof(big)), &big));
	EXPECT_EQ(1, big.c.size);
	EXPECT_EQ(0, big.c.handle);
}

TEST_F(bo, bad_flags)
{
	unsigned int bit;

	describe("Every flags bit of BO_CREATE is reserved and fails with EINVAL, creating nothing");
	for (bit = 0; bit < 32; bit++) {
		struct gpufe_bo_create c = { .size = 1, .flags = 1u << bit };

		EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_CREATE, &c)) {
			TH_LOG("flags bit %u", bit);
		}
		EXPECT_EQ(0, c.handle);
		EXPECT_EQ(1, c.size);
	}
}

TEST_F(bo, bad_size_zero)
{
	struct gpufe_bo_create c = { .size = 0 };

	describe("BO_CREATE of size 0 fails with EINVAL");
	EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_CREATE, &c));
	EXPECT_EQ(0, c.handle);
}

TEST_F(bo, bad_size_huge)
{
	long long max_mib = gpufe_read_ull(GPUFE_PARAMS "/max_bo_mib");
	const __u64 sizes[] = {
		1ULL << 40,
		~0ULL,				/* wraps to 0 if rounded first */
		~0ULL - self->page + 2,		/* rounds to exactly 2^64 */
		1ULL << 63,
	};
	unsigned int i;

	describe("BO_CREATE above max_bo_mib fails with E2BIG, also where page rounding would wrap around");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct gpufe_bo_create c = { .size = sizes[i] };

		EXPECT_EQ(-E2BIG, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_CREATE, &c)) {
			TH_LOG("size %#llx", (unsigned long long)sizes[i]);
		}
		EXPECT_EQ(0, c.handle);
	}
	if (max_mib > 0) {
		struct gpufe_bo_create c = { .size = ((__u64)max_mib << 20) + 1 };

		EXPECT_EQ(-E2BIG, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_CREATE, &c));
		EXPECT_EQ(0, c.handle);
	}
}

TEST_F(bo, bad_destroy_handle)
{
	struct gpufe_bo_create c;
	const __u32 handles[] = { 0, ~0u, 0x7fffffff };
	unsigned int i;

	describe("BO_DESTROY of a handle the file does not have fails with ENOENT and leaves others alone");
	ASSERT_EQ(0, bo_create(self->fd, self->page, &c));
	for (i = 0; i < ARRAY_SIZE(handles); i++) {
		if (handles[i] == c.handle)
			continue;
		EXPECT_EQ(-ENOENT, gpufe_destroy_bo(self->fd, handles[i])) {
			TH_LOG("handle %#x", handles[i]);
		}
	}
	EXPECT_EQ(-ENOENT, gpufe_destroy_bo(self->fd, c.handle + 1));
	EXPECT_EQ(0, gpufe_destroy_bo(self->fd, c.handle));
}

TEST_F(bo, bad_destroy_handle_zero)
{
	struct gpufe_bo_create c1, c2;

	describe("BO_DESTROY of handle 0 fails with ENOENT and no later buffer gets handle 0");
	ASSERT_EQ(0, bo_create(self->fd, self->page, &c1));
	EXPECT_EQ(-ENOENT, gpufe_destroy_bo(self->fd, 0));
	ASSERT_EQ(0, bo_create(self->fd, self->page, &c2));
	EXPECT_NE(0, c2.handle);
	EXPECT_NE(0, c2.mmap_offset);
	EXPECT_EQ(-ENOENT, gpufe_destroy_bo(self->fd, 0));
	EXPECT_EQ(0, gpufe_destroy_bo(self->fd, c2.handle));
	EXPECT_EQ(0, gpufe_destroy_bo(self->fd, c1.handle));
}

TEST_F(bo, bad_destroy_pad)
{
	struct gpufe_bo_create c;
	struct gpufe_bo_destroy d = { .pad = 1 };

	describe("BO_DESTROY with a non-zero pad fails with EINVAL and keeps the buffer");
	ASSERT_EQ(0, bo_create(self->fd, self->page, &c));
	d.handle = c.handle;
	EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_DESTROY, &d));
	d.pad = 0x80000000u;
	EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_DESTROY, &d));
	EXPECT_EQ(0, mmap_errno(self->fd, c.mmap_offset, self->page));
	EXPECT_EQ(0, gpufe_destroy_bo(self->fd, c.handle));
}

TEST_F(bo, bad_mmap_offset)
{
	struct gpufe_bo_create c;
	const size_t size = 2 * self->page;

	describe("mmap() at an offset that names no buffer of this file fails with EINVAL");
	ASSERT_EQ(0, bo_create(self->fd, size, &c));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, c.mmap_offset + size, self->page));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, c.mmap_offset + (1ULL << 40),
				     self->page));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, 1ULL << 44, self->page));
	EXPECT_EQ(0, gpufe_destroy_bo(self->fd, c.handle));
}

TEST_F(bo, bad_mmap_private)
{
	struct gpufe_bo_create c;
	const size_t size = 2 * self->page;
	void *p;

	describe("A private (copy-on-write) mmap() of a buffer fails with EINVAL: buffers are shared memory");
	ASSERT_EQ(0, bo_create(self->fd, size, &c));
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd,
		 c.mmap_offset);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, self->fd, c.mmap_offset);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, gpufe_destroy_bo(self->fd, c.handle));
}

TEST_F(bo, bad_mmap_length)
{
	struct gpufe_bo_create c;
	const size_t size = 2 * self->page;

	describe("mmap() reaching past the end of the buffer, from its start or from inside it, fails with EINVAL");
	ASSERT_EQ(0, bo_create(self->fd, size, &c));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, c.mmap_offset, size + self->page));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, c.mmap_offset, 64 * size));
	EXPECT_EQ(EINVAL, mmap_errno(self->fd, c.mmap_offset + self->page, size));
	EXPECT_EQ(0, mmap_errno(self->fd, c.mmap_offset, size));
	EXPECT_EQ(0, gpufe_destroy_bo(self->fd, c.handle));
}

/* --- the per-client memory limit ------------------------------------------ */

struct mem_limit {
	__u64 limit;	/* client_mem_mib in bytes */
	__u64 chunk;	/* the largest buffer to create at once */
	__u32 *handles;
	unsigned int n;
};

/*
 * Set the limit to TEST_MEM_MIB if the parameter is writable, and read the
 * limits; NULL, or why the memory-limit tests cannot run. The tests create
 * limit bytes of buffers: refuse where the machine could not back them.
 */
static const char *mem_limit_init(FIXTURE_DATA(bo) *self, struct mem_limit *m)
{
	const char *param = GPUFE_PARAMS "/client_mem_mib";
	long long limit_mib = gpufe_read_ull(param);
	long long max_mib = gpufe_read_ull(GPUFE_PARAMS "/max_bo_mib");
	long long avail_kib = -1;
	char line[128];
	FILE *f;

	if (limit_mib < 0)
		return "no /sys/module/gpufe/parameters/client_mem_mib";
	if (limit_mib != TEST_MEM_MIB && !gpufe_write_ull(param, TEST_MEM_MIB)) {
		self->saved_mem_mib = limit_mib;
		limit_mib = gpufe_read_ull(param);
		if (limit_mib != TEST_MEM_MIB)
			return "client_mem_mib does not read back as written";
	}
	if (!limit_mib)
		return "client_mem_mib is 0";
	f = fopen("/proc/meminfo", "re");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemAvailable: %lld kB", &avail_kib) == 1)
				break;
		fclose(f);
	}
	if (avail_kib >= 0 && limit_mib * 1024 > avail_kib / 2)
		return "client_mem_mib exceeds half of MemAvailable";
	m->limit = (__u64)limit_mib << 20;
	m->chunk = m->limit;
	if (max_mib > 0 && ((__u64)max_mib << 20) < m->chunk)
		m->chunk = (__u64)max_mib << 20;
	m->handles = calloc(m->limit / m->chunk + 2, sizeof(*m->handles));
	m->n = 0;
	return m->handles ? NULL : "out of memory";
}

/* Create buffers on fd that add up to exactly the limit; 0 or -errno. */
static int mem_limit_fill(int fd, struct mem_limit *m)
{
	__u64 total = 0;

	while (total < m->limit) {
		__u64 size = m->limit - total < m->chunk ?
			     m->limit - total : m->chunk;
		struct gpufe_bo_create c;
		int ret = bo_create(fd, size, &c);

		if (ret)
			return ret;
		m->handles[m->n++] = c.handle;
		total += c.size;
	}
	return 0;
}

TEST_F_TIMEOUT(bo, mem_limit, 120)
{
	struct gpufe_bo_create c;
	struct mem_limit m;
	const char *why = mem_limit_init(self, &m);

	describe("Buffers add up to exactly client_mem_mib; one more page fails with EDQUOT");
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, mem_limit_fill(self->fd, &m));
	EXPECT_EQ(-EDQUOT, bo_create(self->fd, self->page, &c));
	EXPECT_EQ(-EDQUOT, bo_create(self->fd, 1, &c));
	EXPECT_EQ(0, c.handle);
	free(m.handles);
}

TEST_F_TIMEOUT(bo, mem_limit_release, 120)
{
	struct gpufe_bo_create c;
	struct mem_limit m;
	const char *why = mem_limit_init(self, &m);

	describe("Destroying a buffer at the memory limit returns its memory: creating works again, then not");
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, mem_limit_fill(self->fd, &m));
	ASSERT_EQ(-EDQUOT, bo_create(self->fd, self->page, &c));
	ASSERT_EQ(0, gpufe_destroy_bo(self->fd, m.handles[0]));
	ASSERT_EQ(0, bo_create(self->fd, m.chunk, &c));
	EXPECT_EQ(-EDQUOT, bo_create(self->fd, self->page, &c));
	free(m.handles);
}

TEST_F_TIMEOUT(bo, mem_limit_mapping, 120)
{
	struct gpufe_bo_create c;
	struct mem_limit m;
	const char *why = mem_limit_init(self, &m);
	void *p;

	describe("A mapped buffer still counts against the limit after BO_DESTROY, and stops counting at munmap");
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, bo_create(self->fd, self->page, &c));
	p = bo_mmap(self->fd, c.mmap_offset, self->page);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, gpufe_destroy_bo(self->fd, c.handle));

	/* Fill the rest: the limit minus the mapped page. */
	m.limit -= self->page;
	ASSERT_EQ(0, mem_limit_fill(self->fd, &m));
	EXPECT_EQ(-EDQUOT, bo_create(self->fd, self->page, &c));
	ASSERT_EQ(0, munmap(p, self->page));
	EXPECT_EQ(0, bo_create(self->fd, self->page, &c));
	EXPECT_EQ(-EDQUOT, bo_create(self->fd, self->page, &c));
	free(m.handles);
}

TEST_F_TIMEOUT(bo, mem_limit_per_client, 120)
{
	struct gpufe_bo_create c;
	struct mem_limit m;
	const char *why = mem_limit_init(self, &m);
	int fd2;

	describe("One client at its memory limit does not stop another from creating buffers");
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, mem_limit_fill(self->fd, &m));
	ASSERT_EQ(-EDQUOT, bo_create(self->fd, self->page, &c));
	fd2 = gpufe_open();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, bo_create(fd2, self->page, &c));
	EXPECT_EQ(0, gpufe_destroy_bo(fd2, c.handle));
	close(fd2);
	free(m.handles);
}

/* --- the per-user memory limit -------------------------------------------- */

/* user_mem_mib while the per-user subtest runs, and what it spreads it over. */
#define USER_MEM_MIB	12
#define USER_FILES	3
/* Its user: no one else's, so that nothing else is charged to it. */
#define USER_UID	65534

/*
 * In a child, as USER_UID (so as the real uid that opens the files):
 * fill user_mem_mib over USER_FILES files, then check a fresh one. Checks
 * with EXPECT (the harness's metadata is shared with the child) and exits
 * at the first that a later one depends on.
 */
static void user_limit_child(struct __test_metadata *_metadata, size_t page)
{
	const __u64 per_file = ((__u64)USER_MEM_MIB << 20) / USER_FILES;
	struct gpufe_bo_create c[USER_FILES], more;
	int fd[USER_FILES + 1], i;

	EXPECT_EQ(0, setgroups(0, NULL)) _exit(1);
	EXPECT_EQ(0, setgid(USER_UID)) _exit(1);
	EXPECT_EQ(0, setuid(USER_UID)) _exit(1);
	for (i = 0; i <= USER_FILES; i++) {
		fd[i] = gpufe_open();
		EXPECT_LE(0, fd[i]) _exit(1);
	}
	for (i = 0; i < USER_FILES; i++)
		EXPECT_EQ(0, bo_create(fd[i], per_file, &c[i])) {
			TH_LOG("file %d of %d", i + 1, USER_FILES);
			_exit(1);
		}

	/* At the limit: every file of the user is refused, a fresh one too. */
	EXPECT_EQ(-EDQUOT, bo_create(fd[USER_FILES], page, &more));
	EXPECT_EQ(0, more.handle);
	EXPECT_EQ(-EDQUOT, bo_create(fd[USER_FILES], 1, &more));
	EXPECT_EQ(-EDQUOT, bo_create(fd[0], page, &more));

	/* Memory freed on one file is room for another, exactly. */
	EXPECT_EQ(0, gpufe_destroy_bo(fd[1], c[1].handle)) _exit(1);
	EXPECT_EQ(0, bo_create(fd[USER_FILES], per_file, &more));
	EXPECT_EQ(-EDQUOT, bo_create(fd[USER_FILES], page, &more));
	/* A file closed gives back all of its memory. */
	EXPECT_EQ(0, close(fd[0]));
	EXPECT_EQ(0, bo_create(fd[2], per_file, &more));
	EXPECT_EQ(-EDQUOT, bo_create(fd[2], page, &more));
	for (i = 1; i <= USER_FILES; i++)
		close(fd[i]);
}

TEST_F_TIMEOUT(bo, user_mem_limit, 120)
{
	long long client_mib = gpufe_read_ull(GPUFE_PARAMS "/client_mem_mib");
	long long bos = gpufe_counter("bos");
	int status;
	pid_t child;

	describe("The files one user opens share user_mem_mib: filled over three files, BO_CREATE fails with EDQUOT on each and on a fourth, until one of them frees memory");
	ASSERT_EQ(0, gpufe_param_set(&self->params, "user_mem_mib",
				     USER_MEM_MIB)) {
		TH_LOG("cannot set " GPUFE_PARAMS "/user_mem_mib");
	}
	/* Each file stays well under its own limit. */
	if (client_mib >= 0 && client_mib < USER_MEM_MIB)
		ASSERT_EQ(0, gpufe_param_set(&self->params, "client_mem_mib",
					     USER_MEM_MIB));

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		user_limit_child(_metadata, self->page);
		_exit(0);
	}
	ASSERT_EQ(0, gpufe_waitpid_timeout(child, &status, GPUFE_TIMEOUT_MS));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	/* The child's files are closed: its buffers are gone. */
	EXPECT_LE(0, bos) {
		TH_LOG("debugfs gpufe/counters has no bos");
	}
	if (bos >= 0)
		EXPECT_EQ(bos, gpufe_counter_at_most("bos", bos));
}

/* --- debugfs's count of buffer objects ------------------------------------ */

TEST_F(bo, bos_counter)
{
	struct gpufe_bo_create c;
	struct gpufe_bo_export e = { .flags = GPUFE_BO_EXPORT_CLOEXEC };
	struct gpufe_bo_import imp = { 0 };
	long long bos = gpufe_counter("bos");
	void *p;

	describe("debugfs gpufe/counters' bos counts buffer objects alive: one per BO_CREATE, none for importing its dma-buf again, kept by a mapping, back when the last holder goes");
	ASSERT_LE(0, bos) {
		TH_LOG("debugfs gpufe/counters has no bos");
	}
	ASSERT_EQ(0, bo_create(self->fd, self->page, &c));
	EXPECT_EQ(bos + 1, gpufe_counter("bos"));
	e.handle = c.handle;
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_EXPORT, &e));
	imp.fd = e.fd;
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_IMPORT, &imp));
	EXPECT_EQ(c.handle, imp.handle);
	EXPECT_EQ(bos + 1, gpufe_counter("bos"));
	p = bo_mmap(self->fd, c.mmap_offset, self->page);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, gpufe_destroy_bo(self->fd, c.handle));
	ASSERT_EQ(0, close(e.fd));
	/* The mapping holds it. */
	EXPECT_EQ(bos + 1, gpufe_counter("bos"));
	ASSERT_EQ(0, munmap(p, self->page));
	EXPECT_EQ(bos, gpufe_counter_at_most("bos", bos));
}

GPUFE_TEST_MAIN
