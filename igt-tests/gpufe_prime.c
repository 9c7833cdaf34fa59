// SPDX-License-Identifier: GPL-2.0
/*
 * gpufe_prime: dma-buf sharing: BO_EXPORT and BO_IMPORT between gpufe
 * clients and with the kernel's vgem driver, and implicit synchronisation
 * through the shared dma_resv: vgem fences that hold gpufe jobs, gpufe
 * fences that vgem and poll() see, and a dependency that never signals.
 * Also what must hold against a hostile client: read-only handles under
 * races, the lifetimes of buffers, dma-bufs and fences, and the limits
 * (user_mem_mib, max_inflight_jobs) that imports and held jobs count
 * against.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <linux/dma-buf.h>
#include <linux/userfaultfd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <xf86drm.h>
#include <drm/vgem_drm.h>

#include "kselftest_harness.h"
#include "gpufe_test.h"

#define MAX_DEVS	16
#define FILL_VALUE	0xbeadface

FIXTURE(prime) {
	int fd;
	int num_devs;
	__u32 devs[MAX_DEVS];
	__u32 ctx;		/* compute0 of devs[0] */
	int vgem;		/* vgem's card node, or -1 */
	size_t page;
	long long saved_timeout_ms;	/* job_timeout_ms to restore, or -1 */
	struct gpufe_saved_params params;	/* others to restore */
};

/* The card node whose driver is vgem, or -ENOENT. */
static int vgem_open(void)
{
	char path[32];
	int i;

	for (i = 0; i < 16; i++) {
		drmVersionPtr v;
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && !strcmp(v->name, "vgem")) {
			drmFreeVersion(v);
			return fd;
		}
		if (v)
			drmFreeVersion(v);
		close(fd);
	}
	return -ENOENT;
}

FIXTURE_SETUP(prime)
{
	const char *missing = NULL;
	int ret;

	self->fd = -1;
	self->vgem = -1;
	self->saved_timeout_ms = -1;
	self->page = sysconf(_SC_PAGESIZE);
	ret = gpufe_fixture_open(&self->fd, self->devs, MAX_DEVS,
				 &self->num_devs, &missing);
	if (ret > 0)
		SKIP(return, "%s", missing);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &self->ctx));
	self->vgem = vgem_open();
}

/*
 * In the parent of the subtest's process, so that the parameters go back
 * even when the subtest died of a signal. Its files went with it: closing
 * vgem signalled the fences a failed subtest left behind.
 */
FIXTURE_TEARDOWN_PARENT(prime)
{
	if (self->saved_timeout_ms >= 0)
		gpufe_write_ull(GPUFE_PARAMS "/job_timeout_ms", self->saved_timeout_ms);
	gpufe_params_restore(&self->params);
}

#define NO_VGEM "no vgem device: load vgem.ko"

/* --- gpufe helpers -------------------------------------------------------- */

static int export_bo(int fd, __u32 handle, __u32 flags, int *dmabuf)
{
	struct gpufe_bo_export e = { .handle = handle, .flags = flags, .fd = -1 };
	int ret = gpufe_ioctl(fd, GPUFE_IOCTL_BO_EXPORT, &e);

	if (!ret)
		*dmabuf = e.fd;
	return ret;
}

static int import_fd(int fd, int dmabuf, struct gpufe_bo_import *imp)
{
	memset(imp, 0, sizeof(*imp));
	imp->fd = dmabuf;
	return gpufe_ioctl(fd, GPUFE_IOCTL_BO_IMPORT, imp);
}

static void *map_fd(int fd, __u64 offset, size_t size, int prot)
{
	return mmap(NULL, size, prot, MAP_SHARED, fd, offset);
}

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return !fstat(a, &sa) && !fstat(b, &sb) &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* --- vgem helpers --------------------------------------------------------- */

static int vgem_ioctl(int fd, unsigned long req, void *arg)
{
	return drmIoctl(fd, req, arg) ? -errno : 0;
}

struct vgem_bo {
	__u32 handle;
	__u64 size;
	void *map;	/* vgem's own mapping of it */
};

/* A mapped vgem dumb buffer of size bytes (a multiple of 4 KiB). */
static int vgem_bo_create(int vgem, __u64 size, struct vgem_bo *bo)
{
	struct drm_mode_create_dumb c = {
		.width = 1024, .height = size / 4096, .bpp = 32,
	};
	struct drm_mode_map_dumb m = { 0 };
	int ret;

	ret = vgem_ioctl(vgem, DRM_IOCTL_MODE_CREATE_DUMB, &c);
	if (ret)
		return ret;
	bo->handle = c.handle;
	bo->size = c.size;
	m.handle = c.handle;
	ret = vgem_ioctl(vgem, DRM_IOCTL_MODE_MAP_DUMB, &m);
	if (ret)
		return ret;
	bo->map = map_fd(vgem, m.offset, c.size, PROT_READ | PROT_WRITE);
	return bo->map == MAP_FAILED ? -errno : 0;
}

static int vgem_export(int vgem, __u32 handle, int *dmabuf)
{
	return drmPrimeHandleToFD(vgem, handle, DRM_CLOEXEC | DRM_RDWR, dmabuf) ?
	       -errno : 0;
}

static int vgem_fence_attach(int vgem, __u32 handle, bool write, __u32 *fence)
{
	struct drm_vgem_fence_attach a = {
		.handle = handle,
		.flags = write ? VGEM_FENCE_WRITE : 0,
	};
	int ret = vgem_ioctl(vgem, DRM_IOCTL_VGEM_FENCE_ATTACH, &a);

	if (!ret && fence)
		*fence = a.out_fence;
	return ret;
}

static int vgem_fence_signal(int vgem, __u32 fence)
{
	struct drm_vgem_fence_signal s = { .fence = fence };

	return vgem_ioctl(vgem, DRM_IOCTL_VGEM_FENCE_SIGNAL, &s);
}

/* A vgem buffer, filled with value through vgem, and its gpufe import. */
struct shared {
	struct vgem_bo v;
	int dmabuf;
	struct gpufe_bo_import g;
};

static int shared_from_vgem(FIXTURE_DATA(prime) *self, __u64 size,
			    __u32 value, struct shared *s)
{
	size_t i;
	int ret;

	ret = vgem_bo_create(self->vgem, size, &s->v);
	if (ret)
		return ret;
	for (i = 0; i < s->v.size / 4; i++)
		((__u32 *)s->v.map)[i] = value;
	ret = vgem_export(self->vgem, s->v.handle, &s->dmabuf);
	if (ret)
		return ret;
	return import_fd(self->fd, s->dmabuf, &s->g);
}

/* --- gpufe with itself ---------------------------------------------------- */

TEST_F(prime, basic_self_import)
{
	struct gpufe_buffer x;
	struct gpufe_bo_import imp, again;
	__u32 *p;
	int dmabuf;

	describe("A buffer exported and imported on the same file is the same memory, and imports to one handle");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4 * self->page, &x));
	ASSERT_EQ(0, export_bo(self->fd, x.handle,
			       GPUFE_BO_EXPORT_CLOEXEC | GPUFE_BO_EXPORT_RDWR, &dmabuf));
	ASSERT_LE(0, dmabuf);
	ASSERT_EQ(0, import_fd(self->fd, dmabuf, &imp));
	EXPECT_NE(0, imp.handle);
	EXPECT_EQ(x.size, imp.size);
	EXPECT_EQ(0, imp.pad);
	ASSERT_EQ(0, import_fd(self->fd, dmabuf, &again));
	EXPECT_EQ(imp.handle, again.handle);

	p = map_fd(self->fd, imp.mmap_offset, imp.size, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	((__u32 *)x.map)[3] = 0x1234;
	EXPECT_EQ(0x1234, p[3]);
	p[imp.size / 4 - 1] = 0x5678;
	EXPECT_EQ(0x5678, ((__u32 *)x.map)[x.size / 4 - 1]);
	munmap(p, imp.size);
	close(dmabuf);
}

TEST_F(prime, import_other_client)
{
	struct gpufe_buffer x;
	struct gpufe_bo_import imp;
	struct gpufe_submit_bo bo;
	struct gpufe_cmds c = { 0 };
	__u32 ctx2;
	__u64 seqno;
	void *p;
	int fd2, dmabuf;

	describe("Another client imports the dma-buf, fills it with a job, and the exporter sees the data");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 4 * self->page, &x));
	ASSERT_EQ(0, export_bo(self->fd, x.handle, GPUFE_BO_EXPORT_CLOEXEC | GPUFE_BO_EXPORT_RDWR,
			       &dmabuf));
	fd2 = gpufe_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, import_fd(fd2, dmabuf, &imp));
	EXPECT_EQ(x.size, imp.size);
	ASSERT_EQ(0, gpufe_create_ctx(fd2, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx2));
	bo = (struct gpufe_submit_bo){ imp.handle, GPUFE_SUBMIT_BO_WRITE };
	gpufe_emit_fill(&c, 0, 0, imp.size, FILL_VALUE);
	ASSERT_EQ(0, gpufe_submit_cmds(fd2, ctx2, &c, &bo, 1, &seqno));
	ASSERT_EQ(0, gpufe_sync(fd2, ctx2, seqno));
	EXPECT_EQ(-1, gpufe_find_not(x.map, x.size / 4, FILL_VALUE));

	/* The exporter lets go of everything: the importer's buffer stays. */
	close(dmabuf);
	ASSERT_EQ(0, gpufe_buffer_destroy(self->fd, &x));
	close(self->fd);
	self->fd = -1;
	p = map_fd(fd2, imp.mmap_offset, imp.size, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, gpufe_find_not(p, imp.size / 4, FILL_VALUE));
	munmap(p, imp.size);
	close(fd2);
}

TEST_F(prime, export_twice)
{
	struct gpufe_buffer x;
	int a, b;

	describe("Exporting a buffer twice gives two file descriptors of the same dma-buf");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, self->page, &x));
	ASSERT_EQ(0, export_bo(self->fd, x.handle, GPUFE_BO_EXPORT_CLOEXEC, &a));
	ASSERT_EQ(0, export_bo(self->fd, x.handle, GPUFE_BO_EXPORT_CLOEXEC, &b));
	EXPECT_NE(a, b);
	EXPECT_TRUE(same_file(a, b));
	close(a);
	close(b);
}

TEST_F(prime, export_cloexec)
{
	struct gpufe_buffer x;
	int a, b;

	describe("The dma-buf fd is close-on-exec exactly when EXPORT_CLOEXEC is given");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, self->page, &x));
	ASSERT_EQ(0, export_bo(self->fd, x.handle, 0, &a));
	ASSERT_EQ(0, export_bo(self->fd, x.handle, GPUFE_BO_EXPORT_CLOEXEC, &b));
	EXPECT_EQ(0, fcntl(a, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(FD_CLOEXEC, fcntl(b, F_GETFD) & FD_CLOEXEC);
	close(a);
	close(b);
}

TEST_F(prime, dmabuf_mmap)
{
	struct gpufe_buffer x;
	__u32 *p;
	int rw, again;

	describe("A dma-buf exported with EXPORT_RDWR maps writable, sharing the buffer's memory");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 2 * self->page, &x));
	((__u32 *)x.map)[1] = 0xabcdef01;
	ASSERT_EQ(0, export_bo(self->fd, x.handle,
			       GPUFE_BO_EXPORT_CLOEXEC | GPUFE_BO_EXPORT_RDWR, &rw));
	p = map_fd(rw, 0, x.size, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0xabcdef01, p[1]);
	p[2] = 0x10203040;
	EXPECT_EQ(0x10203040, ((__u32 *)x.map)[2]);
	munmap(p, x.size);

	/* Another fd of the same dma-buf maps the same memory. */
	ASSERT_EQ(0, export_bo(self->fd, x.handle,
			       GPUFE_BO_EXPORT_CLOEXEC | GPUFE_BO_EXPORT_RDWR, &again));
	p = map_fd(again, self->page, self->page, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	((__u32 *)x.map)[self->page / 4] = 0x55aa55aa;
	EXPECT_EQ(0x55aa55aa, p[0]);
	munmap(p, self->page);
	close(again);
	close(rw);
}

TEST_F(prime, dmabuf_mmap_readonly)
{
	struct gpufe_buffer x;
	__u32 *p;
	int ro;

	describe("A dma-buf first exported without EXPORT_RDWR maps read-only: a writable mapping fails with EACCES");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, self->page, &x));
	((__u32 *)x.map)[0] = 0x0dd5eed5;
	ASSERT_EQ(0, export_bo(self->fd, x.handle, GPUFE_BO_EXPORT_CLOEXEC, &ro));
	EXPECT_EQ(O_RDONLY, fcntl(ro, F_GETFL) & O_ACCMODE);
	p = map_fd(ro, 0, x.size, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0x0dd5eed5, p[0]);
	munmap(p, x.size);
	EXPECT_EQ(MAP_FAILED, map_fd(ro, 0, x.size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	close(ro);
}

TEST_F(prime, bad_dmabuf_mmap_private)
{
	struct gpufe_buffer x;
	int dmabuf;

	describe("A private (copy-on-write) mmap() of an exported dma-buf fails with EINVAL");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, self->page, &x));
	ASSERT_EQ(0, export_bo(self->fd, x.handle,
			       GPUFE_BO_EXPORT_CLOEXEC | GPUFE_BO_EXPORT_RDWR,
			       &dmabuf));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, x.size, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE, dmabuf, 0));
	EXPECT_EQ(EINVAL, errno);
	close(dmabuf);
}

TEST_F(prime, readonly_import)
{
	struct gpufe_submit_bo write_bo, read_bo;
	struct gpufe_bo_import imp;
	struct gpufe_buffer x;
	struct gpufe_cmds c = { 0 };
	__u64 seqno = 0;
	int ro, again, other;
	__u32 ctx;
	void *p;

	describe("A read-only dma-buf imports as a read-only handle: no writable mmap, no job writing it, no writable export");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, self->page, &x));
	((__u32 *)x.map)[0] = 0x600dcafe;
	ASSERT_EQ(0, export_bo(self->fd, x.handle, GPUFE_BO_EXPORT_CLOEXEC, &ro));

	other = gpufe_open();
	ASSERT_LE(0, other);
	ASSERT_EQ(0, import_fd(other, ro, &imp));
	EXPECT_EQ(MAP_FAILED, map_fd(other, imp.mmap_offset, x.size,
				     PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	p = map_fd(other, imp.mmap_offset, x.size, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0x600dcafe, ((volatile __u32 *)p)[0]);
	/* Nor can the read-only mapping be made writable later. */
	EXPECT_EQ(-1, mprotect(p, x.size, PROT_READ | PROT_WRITE));
	munmap(p, x.size);

	EXPECT_EQ(-EACCES, export_bo(other, imp.handle,
				     GPUFE_BO_EXPORT_CLOEXEC | GPUFE_BO_EXPORT_RDWR,
				     &again));

	ASSERT_EQ(0, gpufe_create_ctx(other, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx));
	gpufe_emit_fill(&c, 0, 0, 4, 0xbad);
	write_bo.handle = imp.handle;
	write_bo.flags = GPUFE_SUBMIT_BO_WRITE;
	EXPECT_EQ(-EACCES, gpufe_submit_cmds(other, ctx, &c, &write_bo, 1,
					     &seqno));
	c.size = 0;
	gpufe_emit_nop(&c);
	read_bo.handle = imp.handle;
	read_bo.flags = GPUFE_SUBMIT_BO_READ;
	EXPECT_EQ(0, gpufe_submit_cmds(other, ctx, &c, &read_bo, 1, &seqno));
	EXPECT_EQ(0, gpufe_sync(other, ctx, seqno));
	EXPECT_EQ(0x600dcafe, ((volatile __u32 *)x.map)[0]);

	close(other);
	close(ro);
}

TEST_F(prime, dmabuf_keeps_bo_alive)
{
	struct gpufe_buffer x;
	struct gpufe_bo_import imp;
	__u32 handle;
	void *p;
	int dmabuf;

	describe("After BO_DESTROY and munmap, the dma-buf still holds the memory: importing it gives the data back");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 2 * self->page, &x));
	memset(x.map, 0x3c, x.size);
	ASSERT_EQ(0, export_bo(self->fd, x.handle, GPUFE_BO_EXPORT_CLOEXEC, &dmabuf));
	handle = x.handle;
	ASSERT_EQ(0, gpufe_buffer_destroy(self->fd, &x));
	EXPECT_EQ(-ENOENT, gpufe_destroy_bo(self->fd, handle));

	ASSERT_EQ(0, import_fd(self->fd, dmabuf, &imp));
	EXPECT_EQ(x.size, imp.size);
	p = map_fd(self->fd, imp.mmap_offset, imp.size, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, gpufe_find_not(p, imp.size / 4, 0x3c3c3c3c));
	munmap(p, imp.size);
	close(dmabuf);
	EXPECT_EQ(0, gpufe_destroy_bo(self->fd, imp.handle));
}

/* --- EXPORT and IMPORT validation ----------------------------------------- */

TEST_F(prime, bad_export_flags)
{
	struct gpufe_buffer x;
	unsigned int bit;

	describe("BO_EXPORT with an unknown flags bit fails with EINVAL and returns no fd");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, self->page, &x));
	for (bit = 2; bit < 32; bit++) {
		struct gpufe_bo_export e = {
			.handle = x.handle,
			.flags = GPUFE_BO_EXPORT_CLOEXEC | (1u << bit),
			.fd = -1,
		};

		EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_EXPORT, &e)) {
			TH_LOG("flags bit %u", bit);
		}
		EXPECT_EQ(-1, e.fd);
	}
}

TEST_F(prime, bad_export_pad)
{
	struct gpufe_buffer x;
	struct gpufe_bo_export e = {
		.flags = GPUFE_BO_EXPORT_CLOEXEC, .fd = -1, .pad = 1,
	};

	describe("BO_EXPORT with a non-zero pad fails with EINVAL");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, self->page, &x));
	e.handle = x.handle;
	EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_EXPORT, &e));
	EXPECT_EQ(-1, e.fd);
}

TEST_F(prime, bad_export_handle)
{
	struct gpufe_bo_create c = { .size = 1 };
	const __u32 handles[] = { 0, ~0u };
	unsigned int i;
	int fd;

	describe("BO_EXPORT of a handle the file does not have fails with ENOENT");
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_CREATE, &c));
	ASSERT_EQ(0, gpufe_destroy_bo(self->fd, c.handle));
	EXPECT_EQ(-ENOENT, export_bo(self->fd, c.handle, GPUFE_BO_EXPORT_CLOEXEC, &fd));
	for (i = 0; i < ARRAY_SIZE(handles); i++) {
		EXPECT_EQ(-ENOENT, export_bo(self->fd, handles[i],
					     GPUFE_BO_EXPORT_CLOEXEC, &fd));
	}
}

TEST_F(prime, bad_export_emfile)
{
	struct gpufe_buffer x;
	struct rlimit old;
	int fd = -1;

	describe("BO_EXPORT with no free file descriptor fails with EMFILE");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, self->page, &x));
	ASSERT_EQ(0, gpufe_exhaust_fds(&old));
	EXPECT_EQ(-EMFILE, export_bo(self->fd, x.handle, GPUFE_BO_EXPORT_CLOEXEC, &fd));
	gpufe_restore_fds(&old);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(0, export_bo(self->fd, x.handle, GPUFE_BO_EXPORT_CLOEXEC, &fd));
	close(fd);
}

TEST_F(prime, bad_import_flags)
{
	struct gpufe_buffer x;
	unsigned int bit;
	int dmabuf;

	describe("BO_IMPORT with any flags bit fails with EINVAL and returns no handle");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, self->page, &x));
	ASSERT_EQ(0, export_bo(self->fd, x.handle, GPUFE_BO_EXPORT_CLOEXEC, &dmabuf));
	for (bit = 0; bit < 32; bit++) {
		struct gpufe_bo_import imp = { .fd = dmabuf, .flags = 1u << bit };

		EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_IMPORT, &imp)) {
			TH_LOG("flags bit %u", bit);
		}
		EXPECT_EQ(0, imp.handle);
	}
	close(dmabuf);
}

TEST_F(prime, bad_import_pad)
{
	struct gpufe_buffer x;
	struct gpufe_bo_import imp = { .pad = 1 };
	int dmabuf;

	describe("BO_IMPORT with a non-zero pad fails with EINVAL");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, self->page, &x));
	ASSERT_EQ(0, export_bo(self->fd, x.handle, GPUFE_BO_EXPORT_CLOEXEC, &dmabuf));
	imp.fd = dmabuf;
	EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_IMPORT, &imp));
	EXPECT_EQ(0, imp.handle);
	close(dmabuf);
}

TEST_F(prime, bad_import_fd_closed)
{
	struct gpufe_bo_import imp;
	int fd;

	describe("BO_IMPORT of an fd that is not open (closed, -1) fails with EBADF");
	fd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-EBADF, import_fd(self->fd, fd, &imp));
	EXPECT_EQ(0, imp.handle);
	EXPECT_EQ(-EBADF, import_fd(self->fd, -1, &imp));
	EXPECT_EQ(-EBADF, import_fd(self->fd, INT_MAX, &imp));
}

TEST_F(prime, bad_import_not_dmabuf)
{
	struct gpufe_submit s = { .ctx_id = self->ctx, .flags = GPUFE_SUBMIT_OUT_FENCE };
	struct gpufe_cmds c = { 0 };
	struct gpufe_bo_import imp;
	int efd;

	describe("BO_IMPORT of an open fd that is not a dma-buf (eventfd, /dev/gpufe, sync_file) fails with EINVAL");
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	EXPECT_EQ(-EINVAL, import_fd(self->fd, efd, &imp));
	EXPECT_EQ(0, imp.handle);
	close(efd);
	EXPECT_EQ(-EINVAL, import_fd(self->fd, self->fd, &imp));

	gpufe_emit_nop(&c);
	s.cmds = (uintptr_t)c.buf;
	s.cmds_size = c.size;
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_SUBMIT, &s));
	EXPECT_EQ(-EINVAL, import_fd(self->fd, s.out_fence_fd, &imp));
	close(s.out_fence_fd);
}

/* --- read-only handles ------------------------------------------------------ */

TEST_F(prime, bad_mmap_private_readonly)
{
	struct gpufe_bo_import imp;
	struct gpufe_buffer x;
	int ro, other, err;
	void *p;

	describe("A private mmap() of a read-only handle fails with EINVAL, though it asks only to read; a shared one still works");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 2 * self->page, &x));
	((__u32 *)x.map)[0] = 0x7ea0c0de;
	ASSERT_EQ(0, export_bo(self->fd, x.handle, GPUFE_BO_EXPORT_CLOEXEC, &ro));
	other = gpufe_open();
	ASSERT_LE(0, other);
	ASSERT_EQ(0, import_fd(other, ro, &imp));

	p = mmap(NULL, x.size, PROT_READ, MAP_PRIVATE, other, imp.mmap_offset);
	err = p == MAP_FAILED ? errno : 0;
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, err);
	if (p != MAP_FAILED)
		munmap(p, x.size);
	p = mmap(NULL, self->page, PROT_READ, MAP_PRIVATE, other,
		 imp.mmap_offset + self->page);
	err = p == MAP_FAILED ? errno : 0;
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, err);
	if (p != MAP_FAILED)
		munmap(p, self->page);

	p = map_fd(other, imp.mmap_offset, x.size, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0x7ea0c0de, ((volatile __u32 *)p)[0]);
	munmap(p, x.size);
	close(other);
	close(ro);
}

/* How long the race runs for, unless the buffer is written first. */
#define REUSE_MS	5000

#define RO_PATTERN	0x5eed0001u
#define ATTACK_VALUE	0xbadbad00u

/*
 * A read-only import on one file, its handle number flipped by one thread
 * between the import and a new writable buffer (handles are reused lowest
 * first), while another thread writes whatever the number names, by
 * SUBMIT and by mmap().
 */
struct reuse_race {
	int fd;			/* the importer */
	int ro;			/* the read-only dma-buf */
	__u32 handle;		/* the import's, and the new buffers' */
	__u64 mmap_offset;
	__u64 size;
	__u32 ctx;		/* on fd, for the writes */
	int stop;
	unsigned long flips, jobs, maps, refused;
	__u64 last_seqno;	/* the last write job queued */
	int flip_err, attack_err;
	const char *flip_what, *attack_what;
};

static void *reuse_flipper(void *arg)
{
	struct reuse_race *r = arg;
	struct gpufe_bo_import imp;
	int ret = 0;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		struct gpufe_bo_create c = { .size = r->size };

		r->flip_what = "BO_DESTROY of the read-only import";
		ret = gpufe_destroy_bo(r->fd, r->handle);
		if (ret)
			break;
		r->flip_what = "BO_CREATE of the writable buffer";
		ret = gpufe_ioctl(r->fd, GPUFE_IOCTL_BO_CREATE, &c);
		if (ret)
			break;
		r->flip_what = "the new buffer did not get the import's handle";
		ret = c.handle == r->handle ? 0 : -EBADSLT;
		if (ret)
			break;
		r->flip_what = "BO_DESTROY of the writable buffer";
		ret = gpufe_destroy_bo(r->fd, c.handle);
		if (ret)
			break;
		r->flip_what = "BO_IMPORT of the read-only dma-buf";
		ret = import_fd(r->fd, r->ro, &imp);
		if (ret)
			break;
		r->flip_what = "the import did not get its handle back";
		ret = imp.handle == r->handle ? 0 : -EBADSLT;
		if (ret)
			break;
		r->flips++;
	}
	r->flip_err = ret;
	return NULL;
}

static void *reuse_attacker(void *arg)
{
	struct reuse_race *r = arg;
	struct gpufe_submit_bo bo = { r->handle, GPUFE_SUBMIT_BO_WRITE };
	struct gpufe_cmds c = { 0 };
	int ret = 0;

	gpufe_emit_fill(&c, 0, 0, r->size, ATTACK_VALUE);
	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		__u64 seqno;
		void *p;

		ret = gpufe_submit_cmds(r->fd, r->ctx, &c, &bo, 1, &seqno);
		if (!ret) {
			r->last_seqno = seqno;
			r->jobs++;
		} else if (ret == -EACCES || ret == -ENOENT) {
			r->refused++;
		} else {
			r->attack_what = "SUBMIT";
			break;
		}
		ret = 0;

		p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 r->fd, r->mmap_offset);
		if (p != MAP_FAILED) {
			*(volatile __u32 *)p = ATTACK_VALUE;
			munmap(p, r->size);
			r->maps++;
		} else if (errno == EACCES || errno == EINVAL) {
			r->refused++;
		} else {
			ret = -errno;
			r->attack_what = "mmap()";
			break;
		}
	}
	r->attack_err = ret;
	return NULL;
}

TEST_F_TIMEOUT(prime, readonly_handle_reuse, 120)
{
	struct gpufe_bo_import imp;
	struct gpufe_buffer x;
	struct reuse_race r = { 0 };
	pthread_t flipper, attacker;
	struct timespec ms = { 0, 1000000 };
	__s64 end;
	long bad;

	describe("A read-only import stays read-only while another thread of its file flips its handle number to a new writable buffer and back: no SUBMIT or mmap() through the number ever writes it");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, self->page, &x));
	for (bad = 0; bad < (long)(x.size / 4); bad++)
		((__u32 *)x.map)[bad] = RO_PATTERN;
	ASSERT_EQ(0, export_bo(self->fd, x.handle, GPUFE_BO_EXPORT_CLOEXEC, &r.ro));
	r.fd = gpufe_open();
	ASSERT_LE(0, r.fd);
	ASSERT_EQ(0, import_fd(r.fd, r.ro, &imp));
	r.handle = imp.handle;
	r.mmap_offset = imp.mmap_offset;
	r.size = imp.size;
	ASSERT_EQ(0, gpufe_create_ctx(r.fd, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &r.ctx));

	ASSERT_EQ(0, pthread_create(&flipper, NULL, reuse_flipper, &r));
	ASSERT_EQ(0, pthread_create(&attacker, NULL, reuse_attacker, &r));
	/* Until the time is up, or the buffer was written. */
	end = gpufe_now_ns() + REUSE_MS * 1000000LL;
	while (gpufe_now_ns() < end &&
	       ((volatile __u32 *)x.map)[0] == RO_PATTERN)
		nanosleep(&ms, NULL);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	pthread_join(flipper, NULL);
	pthread_join(attacker, NULL);

	EXPECT_EQ(0, r.flip_err) {
		TH_LOG("flipper: %s", r.flip_what);
	}
	EXPECT_EQ(0, r.attack_err) {
		TH_LOG("attacker: %s", r.attack_what);
	}
	/* The jobs that were let through have all run. */
	if (r.last_seqno)
		ASSERT_EQ(0, gpufe_sync(r.fd, r.ctx, r.last_seqno));
	bad = gpufe_find_not(x.map, x.size / 4, RO_PATTERN);
	EXPECT_EQ(-1, bad) {
		TH_LOG("the read-only buffer was written: word %ld is %#x, after %lu flips, %lu write jobs and %lu writable mappings let through, %lu refused",
		       bad, ((__u32 *)x.map)[bad], r.flips, r.jobs, r.maps,
		       r.refused);
	}
	/* The race ran: both sides of the number were seen. */
	EXPECT_LT(0, r.flips);
	EXPECT_LT(0, r.refused);
	close(r.fd);
	close(r.ro);
}

/*
 * Exports of one handle, spun by a thread while the test imports a
 * writable dma-buf (drw) to that handle and destroys it again: an export
 * that lands between the import's new handle and the import's caching of
 * drw makes the buffer a read-only dma-buf of its own, kept in won.
 */
struct export_race {
	int fd;
	__u32 handle;
	int drw;
	int won;		/* the read-only dma-buf, once there is one */
	int stop;
	int err;
};

static void *export_spinner(void *arg)
{
	struct export_race *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		struct gpufe_bo_export e = {
			.handle = r->handle, .flags = GPUFE_BO_EXPORT_CLOEXEC,
			.fd = -1,
		};
		int ret = gpufe_ioctl(r->fd, GPUFE_IOCTL_BO_EXPORT, &e);

		if (ret == -ENOENT)
			continue;
		if (ret) {
			r->err = ret;
			break;
		}
		if ((fcntl(e.fd, F_GETFL) & O_ACCMODE) == O_RDONLY &&
		    !same_file(e.fd, r->drw)) {
			__atomic_store_n(&r->won, e.fd, __ATOMIC_RELEASE);
			break;
		}
		close(e.fd);
	}
	return NULL;
}

/* How long the test tries to make a second dma-buf, at most. */
#define EXPORT_RACE_MS	10000

TEST_F_TIMEOUT(prime, readonly_export_writable_dmabuf, 120)
{
	struct gpufe_bo_import imp = { 0 }, r1, w, r2;
	struct export_race r = { .won = -1 };
	struct gpufe_buffer x;
	pthread_t spinner;
	int dro, fd, other, round, err, ret = 0;
	__s64 end;
	void *p;

	describe("BO_EXPORT through a read-only handle fails with EACCES while the buffer's one dma-buf is writable, with or without EXPORT_RDWR; while it is read-only, it is what the export gives");
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, self->page, &x));
	memset(x.map, 0x2b, x.size);
	ASSERT_EQ(0, export_bo(self->fd, x.handle,
			       GPUFE_BO_EXPORT_CLOEXEC | GPUFE_BO_EXPORT_RDWR, &r.drw));
	/* No handle left: the buffer lives on through drw alone. */
	ASSERT_EQ(0, gpufe_destroy_bo(self->fd, x.handle));

	/*
	 * A read-only dma-buf of the buffer too: as the buffer has one
	 * dma-buf while it has handles, only an export between an import of
	 * drw and the import's caching of drw makes one.
	 */
	r.fd = self->fd;
	r.handle = x.handle;	/* the lowest free: what imports get */
	ASSERT_EQ(0, pthread_create(&spinner, NULL, export_spinner, &r));
	end = gpufe_now_ns() + EXPORT_RACE_MS * 1000000LL;
	for (round = 0; gpufe_now_ns() < end &&
	     __atomic_load_n(&r.won, __ATOMIC_ACQUIRE) < 0 && !r.err; round++) {
		ret = import_fd(self->fd, r.drw, &imp);
		if (!ret && imp.handle != x.handle)
			ret = -EBADSLT;
		if (!ret)
			ret = gpufe_destroy_bo(self->fd, imp.handle);
		if (ret)
			break;
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	pthread_join(spinner, NULL);
	ASSERT_EQ(0, r.err);
	ASSERT_EQ(0, ret) {
		TH_LOG("round %d: import of drw to handle %u (got %u), then BO_DESTROY",
		       round, x.handle, imp.handle);
	}
	dro = r.won;
	if (dro < 0) {
		close(r.drw);
		SKIP(return, "no read-only dma-buf of a buffer with a writable one made in %d rounds: the state under test was not reached",
		     round);
	}
	/* Whether the loop's last BO_DESTROY ran or not, no handle is left. */
	gpufe_destroy_bo(self->fd, imp.handle);

	/* A read-only handle exports the buffer's read-only dma-buf. */
	other = gpufe_open();
	ASSERT_LE(0, other);
	ASSERT_EQ(0, import_fd(other, dro, &r1));
	ASSERT_EQ(0, export_bo(other, r1.handle, GPUFE_BO_EXPORT_CLOEXEC, &fd));
	EXPECT_TRUE(same_file(fd, dro));
	close(fd);
	ASSERT_EQ(0, gpufe_destroy_bo(other, r1.handle));

	/* drw's import first: the buffer's one dma-buf is drw. */
	ASSERT_EQ(0, import_fd(self->fd, r.drw, &w));
	ASSERT_EQ(0, export_bo(self->fd, w.handle, GPUFE_BO_EXPORT_CLOEXEC, &fd));
	EXPECT_TRUE(same_file(fd, r.drw));
	close(fd);
	ASSERT_EQ(0, import_fd(other, dro, &r2));
	p = map_fd(other, r2.mmap_offset, r2.size, PROT_READ | PROT_WRITE);
	err = p == MAP_FAILED ? errno : 0;
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EACCES, err);

	fd = -1;
	EXPECT_EQ(-EACCES, export_bo(other, r2.handle, GPUFE_BO_EXPORT_CLOEXEC, &fd)) {
		TH_LOG("the read-only handle exported %s dma-buf",
		       same_file(fd, r.drw) ? "the writable" : "a");
	}
	if (fd >= 0)
		close(fd);
	fd = -1;
	EXPECT_EQ(-EACCES, export_bo(other, r2.handle,
				     GPUFE_BO_EXPORT_CLOEXEC | GPUFE_BO_EXPORT_RDWR,
				     &fd));
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(-1, gpufe_find_not(x.map, x.size / 4, 0x2b2b2b2b));
	close(other);
	close(dro);
	close(r.drw);
}

/* --- buffers, dma-bufs and module lifetimes ---------------------------------- */

/* A debugfs gpufe/clients mem=, once at most want (bounded); or -errno. */
static long long client_mem_read(const void *id)
{
	return gpufe_client_mem(*(const long long *)id);
}

static long long client_mem_at_most(long long id, long long want)
{
	return gpufe_settle_at_most(client_mem_read, &id, want);
}

/* BO_DESTROY of one handle, spun until stopped. */
struct destroy_race {
	int fd;
	__u32 handle;
	int stop;
	int err;
};

static void *destroy_spinner(void *arg)
{
	struct destroy_race *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		int ret = gpufe_destroy_bo(r->fd, r->handle);

		if (ret && ret != -ENOENT) {
			r->err = ret;
			break;
		}
	}
	return NULL;
}

/* How many rounds the race runs for, and for how long at most. */
#define IMPORT_ROUNDS	20000
#define IMPORT_RACE_MS	3000

TEST_F_TIMEOUT(prime, import_destroy_race, 120)
{
	struct destroy_race r = { 0 };
	struct gpufe_bo_import imp;
	long long bos, id, mem;
	pthread_t spinner;
	int round, dmabuf, ret;
	__s64 end;

	describe("BO_IMPORT of a dma-buf that alone holds its buffer, its new handle destroyed at once by another thread, thousands of times: with every handle and fd gone, no buffer and no memory is left");
	bos = gpufe_counter("bos");
	id = gpufe_client_id(self->fd);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, gpufe_client_mem(id));
	r.fd = gpufe_open();
	ASSERT_LE(0, r.fd);

	end = gpufe_now_ns() + IMPORT_RACE_MS * 1000000LL;
	for (round = 0; round < IMPORT_ROUNDS && gpufe_now_ns() < end; round++) {
		struct gpufe_bo_create c = { .size = self->page };

		ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_CREATE, &c));
		ASSERT_EQ(0, export_bo(self->fd, c.handle, GPUFE_BO_EXPORT_CLOEXEC,
				       &dmabuf));
		ASSERT_EQ(0, gpufe_destroy_bo(self->fd, c.handle));
		ASSERT_EQ(0, import_fd(r.fd, dmabuf, &imp));
		if (!round) {
			/* Every import gets this handle: the file has no other. */
			r.handle = imp.handle;
			ASSERT_EQ(0, pthread_create(&spinner, NULL,
						    destroy_spinner, &r));
		}
		ASSERT_EQ(r.handle, imp.handle);
		/* Unless the spinner got it first. */
		ret = gpufe_destroy_bo(r.fd, imp.handle);
		ASSERT_TRUE(!ret || ret == -ENOENT);
		ASSERT_EQ(0, r.err);
		close(dmabuf);
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	pthread_join(spinner, NULL);
	ASSERT_EQ(0, r.err);
	close(r.fd);

	mem = client_mem_at_most(id, 0);
	EXPECT_EQ(0, mem) {
		TH_LOG("%lld bytes of the creator's buffers left after %d rounds (%lld buffers)",
		       mem, round, mem / (long long)self->page);
	}
	EXPECT_LE(0, bos) {
		TH_LOG("debugfs gpufe/counters has no bos");
	}
	if (bos >= 0)
		EXPECT_EQ(bos, gpufe_counter_at_most("bos", bos));
}

TEST_F_TIMEOUT(prime, vgem_fence_releases_module, 60)
{
	struct gpufe_submit_bo bo;
	struct gpufe_cmds c = { 0 };
	struct shared s;
	long long ref, ctxs, bos, now;
	__u64 seqno;
	__u32 ctx;
	int fd2;

	describe("A gpufe job's fence left in a vgem buffer's dma_resv does not keep gpufe.ko referenced once no gpufe file imports the buffer");
	if (self->vgem < 0)
		SKIP(return, NO_VGEM);
	ref = gpufe_module_refcnt();
	ASSERT_LE(0, ref);
	ctxs = gpufe_counter("contexts");
	bos = gpufe_counter("bos");
	ASSERT_EQ(0, vgem_bo_create(self->vgem, 64 * 1024, &s.v));
	ASSERT_EQ(0, vgem_export(self->vgem, s.v.handle, &s.dmabuf));

	fd2 = gpufe_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, import_fd(fd2, s.dmabuf, &s.g));
	ASSERT_EQ(0, gpufe_create_ctx(fd2, self->devs[0],
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx));
	bo = (struct gpufe_submit_bo){ s.g.handle, GPUFE_SUBMIT_BO_WRITE };
	gpufe_emit_fill(&c, 0, 0, s.g.size, FILL_VALUE);
	ASSERT_EQ(0, gpufe_submit_cmds(fd2, ctx, &c, &bo, 1, &seqno));
	ASSERT_EQ(0, gpufe_sync(fd2, ctx, seqno));
	ASSERT_EQ(-1, gpufe_find_not(s.v.map, s.v.size / 4, FILL_VALUE));
	EXPECT_LT(ref, gpufe_module_refcnt());
	ASSERT_EQ(0, gpufe_destroy_bo(fd2, s.g.handle));
	ASSERT_EQ(0, gpufe_destroy_ctx(fd2, ctx));
	ASSERT_EQ(0, close(fd2));

	/* The vgem buffer and its dma-buf live on; gpufe lets go. */
	now = gpufe_refcnt_at_most(ref);
	EXPECT_EQ(ref, now) {
		TH_LOG("gpufe.ko holds %lld references more than before, with a signalled fence of its in the vgem buffer",
		       now - ref);
	}
	EXPECT_LE(0, ctxs) {
		TH_LOG("debugfs gpufe/counters has no contexts");
	}
	if (ctxs >= 0)
		EXPECT_EQ(ctxs, gpufe_counter_at_most("contexts", ctxs));
	if (bos >= 0)
		EXPECT_EQ(bos, gpufe_counter_at_most("bos", bos));
	/* And the vgem buffer is idle for its other users. */
	EXPECT_EQ(POLLOUT, gpufe_poll_fd(s.dmabuf, POLLOUT, 0));
	close(s.dmabuf);
}

/* --- limits ----------------------------------------------------------------- */

/* The user the limit subtests run as: no one else's, so nothing else is charged. */
#define LIMIT_UID	65532

/* Become LIMIT_UID for good (a child, as the kernel charges the real uid). */
static int become_limit_user(void)
{
	if (setgroups(0, NULL) || setgid(LIMIT_UID) || setuid(LIMIT_UID))
		return -errno;
	return 0;
}

#define IMPORT_LIMIT_MIB	2

/*
 * In a child, as LIMIT_UID; d1 and d2 are 1 MiB vgem dma-bufs. Checks
 * with EXPECT (the harness's metadata is shared with the child) and exits
 * at the first that a later one depends on.
 */
static void import_limit_child(struct __test_metadata *_metadata, int d1,
			       int d2)
{
	struct gpufe_bo_create c = { .size = 1 << 20 }, small;
	struct gpufe_bo_import i1, i2, again;
	int a, b, e;

	EXPECT_EQ(0, become_limit_user()) _exit(1);
	a = gpufe_open();
	b = gpufe_open();
	EXPECT_LE(0, a) _exit(1);
	EXPECT_LE(0, b) _exit(1);

	/* 1 MiB made on one file, 1 MiB of vgem's imported on another. */
	EXPECT_EQ(0, gpufe_ioctl(a, GPUFE_IOCTL_BO_CREATE, &c)) _exit(1);
	EXPECT_EQ(0, import_fd(b, d1, &i1)) _exit(1);
	EXPECT_EQ(-EDQUOT, import_fd(b, d2, &i2));
	EXPECT_EQ(0, i2.handle);
	small = (struct gpufe_bo_create){ .size = 4096 };
	EXPECT_EQ(-EDQUOT, gpufe_ioctl(a, GPUFE_IOCTL_BO_CREATE, &small));
	EXPECT_EQ(0, small.handle);
	small = (struct gpufe_bo_create){ .size = 4096 };
	EXPECT_EQ(-EDQUOT, gpufe_ioctl(b, GPUFE_IOCTL_BO_CREATE, &small));

	/* A gpufe dma-buf imported again is memory counted already. */
	EXPECT_EQ(0, export_bo(a, c.handle, GPUFE_BO_EXPORT_CLOEXEC, &e)) _exit(1);
	EXPECT_EQ(0, import_fd(b, e, &again));
	close(e);

	/* The vgem import given back makes room for the other, exactly. */
	EXPECT_EQ(0, gpufe_destroy_bo(b, i1.handle)) _exit(1);
	EXPECT_EQ(0, import_fd(b, d2, &i2));
	small = (struct gpufe_bo_create){ .size = 4096 };
	EXPECT_EQ(-EDQUOT, gpufe_ioctl(a, GPUFE_IOCTL_BO_CREATE, &small));
	close(a);
	close(b);
}

TEST_F_TIMEOUT(prime, vgem_import_user_mem_limit, 60)
{
	struct vgem_bo v1, v2;
	int d1, d2, status;
	pid_t child;

	describe("vgem buffers a user imports count against user_mem_mib with the buffers it creates: past it BO_IMPORT and BO_CREATE fail with EDQUOT; a gpufe dma-buf imported again costs nothing");
	if (self->vgem < 0)
		SKIP(return, NO_VGEM);
	ASSERT_EQ(0, gpufe_param_set(&self->params, "user_mem_mib",
				     IMPORT_LIMIT_MIB)) {
		TH_LOG("cannot set " GPUFE_PARAMS "/user_mem_mib");
	}
	ASSERT_EQ(0, vgem_bo_create(self->vgem, 1 << 20, &v1));
	ASSERT_EQ(0, vgem_bo_create(self->vgem, 1 << 20, &v2));
	ASSERT_EQ(1 << 20, v1.size);
	ASSERT_EQ(0, vgem_export(self->vgem, v1.handle, &d1));
	ASSERT_EQ(0, vgem_export(self->vgem, v2.handle, &d2));

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		import_limit_child(_metadata, d1, d2);
		_exit(0);
	}
	ASSERT_EQ(0, gpufe_waitpid_timeout(child, &status, GPUFE_TIMEOUT_MS));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	close(d1);
	close(d2);
}

#define INFLIGHT_MAX		4
#define INFLIGHT_THREADS	16

/* One thread's SUBMIT of a job held by a vgem fence, on a context of its own. */
struct inflight_thread {
	pthread_t thread;
	int fd;
	__u32 ctx;
	int in_fence;
	const void *cmds;
	__u32 cmds_size;
	pid_t tid;
	int started;		/* tid is set; SUBMIT follows */
	int done;		/* SUBMIT returned */
	int err;		/* 0 or its errno */
	__u64 seqno;
	bool faulted;		/* seen blocked on the command stream's page */
};

static void *inflight_submit(void *arg)
{
	struct inflight_thread *t = arg;
	struct gpufe_submit s = {
		.ctx_id = t->ctx,
		.flags = GPUFE_SUBMIT_IN_FENCE,
		.cmds = (uintptr_t)t->cmds,
		.cmds_size = t->cmds_size,
		.in_fence_fd = t->in_fence,
	};
	int ret;

	t->tid = syscall(SYS_gettid);
	__atomic_store_n(&t->started, 1, __ATOMIC_RELEASE);
	ret = ioctl(t->fd, GPUFE_IOCTL_SUBMIT, &s);	/* not retried on EINTR */
	t->err = ret ? errno : 0;
	t->seqno = s.seqno;
	__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void on_sigusr1(int sig)
{
}

/* The system call a thread of this process is in, -1 if running, or -errno. */
static long thread_syscall(pid_t tid)
{
	char path[64], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return strncmp(buf, "running", 7) ? strtol(buf, NULL, 10) : -1;
}

/* Whether a thread of this process is asleep in ioctl(). */
static bool thread_asleep_in_ioctl(pid_t tid)
{
	return thread_syscall(tid) == SYS_ioctl && gpufe_pid_sleeping(tid) &&
	       thread_syscall(tid) == SYS_ioctl;
}

/*
 * A userfaultfd that reports faults on a page not yet there, with the
 * faulting thread's id: the page the jobs' command streams are on, so that
 * every SUBMIT can be held after its throttle and before it queues.
 * The fd, or -errno where userfaultfd cannot hold the kernel's own
 * accesses (an unprivileged user, a kernel without it).
 */
static int uffd_page(void *page, size_t size)
{
	struct uffdio_api api = {
		.api = UFFD_API, .features = UFFD_FEATURE_THREAD_ID,
	};
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)page, .len = size },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	int fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, UFFDIO_API, &api) || ioctl(fd, UFFDIO_REGISTER, &reg)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Mark the threads whose faults the userfaultfd reported. */
static void uffd_drain(int uffd, struct inflight_thread *t, int n)
{
	struct uffd_msg msg;
	int i;

	while (read(uffd, &msg, sizeof(msg)) == sizeof(msg)) {
		if (msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		for (i = 0; i < n; i++)
			if (t[i].tid == (pid_t)msg.arg.pagefault.feat.ptid)
				t[i].faulted = true;
	}
}

/*
 * Wait, bounded, until every thread is done or asleep in its SUBMIT (and,
 * with a userfaultfd, until each asleep one is known to wait on the page or
 * not), and, when at_least is not 0, until that many SUBMITs succeeded:
 * whether that happened. *ok counts the SUBMITs that succeeded.
 */
static bool inflight_settle(struct inflight_thread *t, int n, int uffd,
			    int at_least, int *ok)
{
	__s64 end = gpufe_now_ns() + GPUFE_TIMEOUT_NS;
	struct timespec ms = { 0, 1000000 };
	int i, running, done;

	for (;;) {
		running = 0;
		done = 0;
		*ok = 0;
		for (i = 0; i < n; i++) {
			if (__atomic_load_n(&t[i].done, __ATOMIC_ACQUIRE)) {
				done++;
				*ok += !t[i].err;
			} else if (!__atomic_load_n(&t[i].started, __ATOMIC_ACQUIRE) ||
				   ((uffd < 0 || !t[i].faulted) &&
				    !thread_asleep_in_ioctl(t[i].tid))) {
				running++;
			}
		}
		/* A thread seen asleep on the page has queued its fault. */
		if (uffd >= 0)
			uffd_drain(uffd, t, n);
		if (!running && (done == n || *ok >= at_least))
			return true;
		if (gpufe_now_ns() > end)
			return false;
		nanosleep(&ms, NULL);
	}
}

TEST_F_TIMEOUT(prime, max_inflight_exact, 60)
{
	struct inflight_thread t[INFLIGHT_THREADS];
	struct dma_buf_export_sync_file sf = { .flags = DMA_BUF_SYNC_READ, .fd = -1 };
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct swgpu_cmd_nop nop = { .opcode = SWGPU_CMD_NOP };
	struct gpufe_ctx_status st;
	__u64 submitted = 0;
	int i, uffd, ok = 0, intr = 0, faulted = 0, err;
	struct vgem_bo v;
	void *page, *src;
	__u32 hold;
	int dmabuf;

	describe("With max_inflight_jobs at 4 and jobs held by a vgem fence, 16 threads SUBMIT at once: exactly 4 get through, the others wait until interrupted (EINTR); the 4 complete once the fence signals");
	if (self->vgem < 0)
		SKIP(return, NO_VGEM);
	ASSERT_EQ(0, gpufe_param_set(&self->params, "max_inflight_jobs",
				     INFLIGHT_MAX));
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));	/* no SA_RESTART */

	/* Every job waits for a vgem write fence, through a sync_file. */
	ASSERT_EQ(0, vgem_bo_create(self->vgem, 64 * 1024, &v));
	ASSERT_EQ(0, vgem_fence_attach(self->vgem, v.handle, true, &hold));
	ASSERT_EQ(0, vgem_export(self->vgem, v.handle, &dmabuf));
	ASSERT_EQ(0, ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &sf));
	ASSERT_EQ(0, gpufe_fence_status(sf.fd, NULL, &err));
	ASSERT_EQ(0, err);

	/*
	 * The command stream on a page that a userfaultfd holds back: each
	 * SUBMIT that got past the throttle waits there until the page is
	 * given, so that the throttle cannot count on the SUBMITs before it
	 * having queued their jobs already.
	 */
	page = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	src = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	ASSERT_NE(MAP_FAILED, src);
	memcpy(src, &nop, sizeof(nop));
	uffd = uffd_page(page, self->page);
	if (uffd < 0) {
		ksft_print_msg("%s: no userfaultfd (%d): the command stream is there from the start\n",
			       _metadata->name, uffd);
		memcpy(page, &nop, sizeof(nop));
	}

	memset(t, 0, sizeof(t));
	for (i = 0; i < INFLIGHT_THREADS; i++) {
		t[i].fd = self->fd;
		t[i].in_fence = sf.fd;
		t[i].cmds = page;
		t[i].cmds_size = sizeof(nop);
		ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->devs[0],
					      GPUFE_ENGINE_CLASS_COMPUTE, 0,
					      &t[i].ctx));
	}
	for (i = 0; i < INFLIGHT_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i].thread, NULL, inflight_submit, &t[i]));

	if (uffd >= 0) {
		struct uffdio_copy copy = {
			.dst = (uintptr_t)page, .src = (uintptr_t)src,
			.len = self->page,
		};

		/* Each SUBMIT held on the page, or asleep before it. */
		ASSERT_TRUE(inflight_settle(t, INFLIGHT_THREADS, uffd, 0, &ok));
		for (i = 0; i < INFLIGHT_THREADS; i++)
			faulted += t[i].faulted;
		EXPECT_EQ(0, ok);
		EXPECT_EQ(INFLIGHT_MAX, faulted) {
			TH_LOG("%d SUBMITs got past max_inflight_jobs to their command stream at once",
			       faulted);
		}
		ASSERT_EQ(0, ioctl(uffd, UFFDIO_COPY, &copy));
	}

	/* Four through; the others asleep, held for good by the fence. */
	EXPECT_TRUE(inflight_settle(t, INFLIGHT_THREADS, -1, INFLIGHT_MAX, &ok));
	EXPECT_EQ(INFLIGHT_MAX, ok);
	for (i = 0; i < INFLIGHT_THREADS; i++) {
		ASSERT_EQ(0, gpufe_get_status(self->fd, t[i].ctx, &st));
		submitted += st.submitted;
	}
	EXPECT_EQ(INFLIGHT_MAX, submitted);

	for (i = 0; i < INFLIGHT_THREADS; i++)
		if (!__atomic_load_n(&t[i].done, __ATOMIC_ACQUIRE))
			syscall(SYS_tgkill, getpid(), t[i].tid, SIGUSR1);
	for (i = 0; i < INFLIGHT_THREADS; i++) {
		pthread_join(t[i].thread, NULL);
		if (t[i].err == EINTR)
			intr++;
		else if (t[i].err)
			TH_LOG("thread %d: SUBMIT failed with errno %d", i, t[i].err);
	}
	EXPECT_EQ(INFLIGHT_THREADS - INFLIGHT_MAX, intr);

	ok = 0;
	ASSERT_EQ(0, vgem_fence_signal(self->vgem, hold));
	for (i = 0; i < INFLIGHT_THREADS; i++) {
		if (t[i].err)
			continue;
		EXPECT_EQ(0, gpufe_sync(self->fd, t[i].ctx, t[i].seqno));
		ASSERT_EQ(0, gpufe_get_status(self->fd, t[i].ctx, &st));
		EXPECT_EQ(0, st.error);
		ok++;
	}
	EXPECT_EQ(INFLIGHT_MAX, ok);
	if (uffd >= 0)
		close(uffd);
	close(sf.fd);
	close(dmabuf);
}

/* --- with vgem ------------------------------------------------------------ */

TEST_F(prime, vgem_import)
{
	struct gpufe_submit_bo bo;
	struct gpufe_cmds c = { 0 };
	struct gpufe_bo_import again;
	struct shared s;
	__u64 seqno;
	void *p;

	describe("A vgem buffer imported into gpufe: a gpufe FILL shows through vgem's mapping and gpufe's");
	if (self->vgem < 0)
		SKIP(return, NO_VGEM);
	ASSERT_EQ(0, shared_from_vgem(self, 64 * 1024, 0x01010101, &s));
	EXPECT_EQ(s.v.size, s.g.size);
	ASSERT_EQ(0, import_fd(self->fd, s.dmabuf, &again));
	EXPECT_EQ(s.g.handle, again.handle);

	/* gpufe's mapping of it is the same memory. */
	p = map_fd(self->fd, s.g.mmap_offset, s.g.size, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, gpufe_find_not(p, s.g.size / 4, 0x01010101));

	bo = (struct gpufe_submit_bo){ s.g.handle, GPUFE_SUBMIT_BO_WRITE };
	gpufe_emit_fill(&c, 0, 4096, s.g.size - 4096, FILL_VALUE);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c, &bo, 1, &seqno));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, seqno));
	EXPECT_EQ(-1, gpufe_find_not(s.v.map, 4096 / 4, 0x01010101));
	EXPECT_EQ(-1, gpufe_find_not((char *)s.v.map + 4096, (s.v.size - 4096) / 4,
				     FILL_VALUE));
	EXPECT_EQ(-1, gpufe_find_not((char *)p + 4096, (s.g.size - 4096) / 4,
				     FILL_VALUE));
	munmap(p, s.g.size);
	close(s.dmabuf);
}

TEST_F(prime, gpufe_to_vgem)
{
	struct gpufe_submit_bo bo;
	struct gpufe_cmds c = { 0 };
	struct gpufe_buffer x;
	__u32 vhandle;
	int dmabuf, back;
	void *p;
	__u64 seqno;

	describe("A gpufe buffer imported into vgem is the same dma-buf, and reads back what a gpufe job wrote");
	if (self->vgem < 0)
		SKIP(return, NO_VGEM);
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, 16 * self->page, &x));
	bo = (struct gpufe_submit_bo){ x.handle, GPUFE_SUBMIT_BO_WRITE };
	gpufe_emit_fill(&c, 0, 0, x.size, FILL_VALUE);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c, &bo, 1, &seqno));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, seqno));

	ASSERT_EQ(0, export_bo(self->fd, x.handle,
			       GPUFE_BO_EXPORT_CLOEXEC | GPUFE_BO_EXPORT_RDWR, &dmabuf));
	ASSERT_EQ(0, drmPrimeFDToHandle(self->vgem, dmabuf, &vhandle));
	/* vgem hands the dma-buf it imported back, not a copy. */
	ASSERT_EQ(0, vgem_export(self->vgem, vhandle, &back));
	EXPECT_TRUE(same_file(dmabuf, back));
	p = map_fd(back, 0, x.size, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, gpufe_find_not(p, x.size / 4, FILL_VALUE));
	munmap(p, x.size);
	close(back);
	close(dmabuf);
}

TEST_F(prime, vgem_fence_blocks_gpufe)
{
	struct gpufe_buffer y;
	struct gpufe_submit_bo bos[2];
	struct gpufe_ctx_status st;
	struct gpufe_cmds c = { 0 };
	struct shared s;
	__u32 fence;
	__u64 seqno;

	describe("A vgem write fence on a shared buffer holds a gpufe job reading it until vgem signals it");
	if (self->vgem < 0)
		SKIP(return, NO_VGEM);
	ASSERT_EQ(0, shared_from_vgem(self, 64 * 1024, 0x7e7e7e7e, &s));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, s.g.size, &y));
	ASSERT_EQ(0, vgem_fence_attach(self->vgem, s.v.handle, true, &fence));

	bos[0] = (struct gpufe_submit_bo){ s.g.handle, GPUFE_SUBMIT_BO_READ };
	bos[1] = (struct gpufe_submit_bo){ y.handle, GPUFE_SUBMIT_BO_WRITE };
	gpufe_emit_copy(&c, 0, 0, 1, 0, s.g.size);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c, bos, 2, &seqno));
	EXPECT_EQ(-ETIME, gpufe_wait_until(self->fd, self->ctx, seqno,
					   gpufe_now_ns() + 50 * 1000000LL));
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx, &st));
	EXPECT_EQ(0, st.completed);
	EXPECT_EQ(-1, gpufe_find_not(y.map, y.size / 4, 0));

	ASSERT_EQ(0, vgem_fence_signal(self->vgem, fence));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, seqno));
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx, &st));
	EXPECT_EQ(0, st.error);
	EXPECT_EQ(-1, gpufe_find_not(y.map, y.size / 4, 0x7e7e7e7e));
	close(s.dmabuf);
}

TEST_F(prime, vgem_read_fence)
{
	struct gpufe_buffer y;
	struct gpufe_submit_bo bos[2];
	struct gpufe_cmds c = { 0 };
	struct shared s;
	__u32 fence;
	__u64 reader, writer;

	describe("A vgem read fence does not hold a gpufe reader of the buffer, but holds a gpufe writer");
	if (self->vgem < 0)
		SKIP(return, NO_VGEM);
	ASSERT_EQ(0, shared_from_vgem(self, 64 * 1024, 0x11223344, &s));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, s.g.size, &y));
	ASSERT_EQ(0, vgem_fence_attach(self->vgem, s.v.handle, false, &fence));

	/* Reader: completes while vgem's fence is still pending. */
	bos[0] = (struct gpufe_submit_bo){ s.g.handle, GPUFE_SUBMIT_BO_READ };
	bos[1] = (struct gpufe_submit_bo){ y.handle, GPUFE_SUBMIT_BO_WRITE };
	gpufe_emit_copy(&c, 0, 0, 1, 0, 4096);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c, bos, 2, &reader));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, reader));
	EXPECT_EQ(-1, gpufe_find_not(y.map, 4096 / 4, 0x11223344));

	/* Writer: held. */
	c.size = 0;
	gpufe_emit_fill(&c, 0, 0, s.g.size, FILL_VALUE);
	bos[0].flags = GPUFE_SUBMIT_BO_WRITE;
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c, bos, 1, &writer));
	EXPECT_EQ(-ETIME, gpufe_wait_until(self->fd, self->ctx, writer,
					   gpufe_now_ns() + 50 * 1000000LL));
	EXPECT_EQ(-1, gpufe_find_not(s.v.map, s.v.size / 4, 0x11223344));
	ASSERT_EQ(0, vgem_fence_signal(self->vgem, fence));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, writer));
	EXPECT_EQ(-1, gpufe_find_not(s.v.map, s.v.size / 4, FILL_VALUE));
	close(s.dmabuf);
}

/*
 * A gpufe job held (deterministically) by a vgem write fence on a vgem
 * buffer A it reads, and that writes (write_b) or only reads a gpufe buffer
 * B: its fence must be in B's dma_resv as a writer, or as a reader, for as
 * long as it is held.
 */
static void held_job_fence_in_resv(struct __test_metadata *_metadata,
				   FIXTURE_DATA(prime) *self, bool write_b)
{
	struct gpufe_submit_bo bos[3];
	struct gpufe_cmds c = { 0 };
	struct gpufe_buffer b, y;
	struct shared s;
	__u32 hold, vb, f;
	__u64 seqno;
	int bfd;

	ASSERT_EQ(0, shared_from_vgem(self, 64 * 1024, 0x0badcafe, &s));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, s.g.size, &b));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, s.g.size, &y));
	ASSERT_EQ(0, export_bo(self->fd, b.handle, GPUFE_BO_EXPORT_CLOEXEC, &bfd));
	ASSERT_EQ(0, drmPrimeFDToHandle(self->vgem, bfd, &vb));
	ASSERT_EQ(0, vgem_fence_attach(self->vgem, s.v.handle, true, &hold));

	bos[0] = (struct gpufe_submit_bo){ s.g.handle, GPUFE_SUBMIT_BO_READ };
	bos[2] = (struct gpufe_submit_bo){ y.handle, GPUFE_SUBMIT_BO_WRITE };
	if (write_b) {
		/* b = a */
		bos[1] = (struct gpufe_submit_bo){ b.handle, GPUFE_SUBMIT_BO_WRITE };
		gpufe_emit_copy(&c, 0, 0, 1, 0, s.g.size);
	} else {
		/* y = a + b */
		bos[1] = (struct gpufe_submit_bo){ b.handle, GPUFE_SUBMIT_BO_READ };
		gpufe_emit_vadd(&c, 0, 0, 1, 0, 2, 0, s.g.size / 4);
	}
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c, bos, 3, &seqno));

	if (write_b) {
		/* A pending writer: neither readers nor writers may proceed. */
		EXPECT_EQ(0, gpufe_poll_fd(bfd, POLLIN, 0));
		EXPECT_EQ(0, gpufe_poll_fd(bfd, POLLOUT, 0));
		EXPECT_EQ(-EBUSY, vgem_fence_attach(self->vgem, vb, false, NULL));
		EXPECT_EQ(-EBUSY, vgem_fence_attach(self->vgem, vb, true, NULL));
	} else {
		/* A pending reader: other readers may proceed, writers not. */
		EXPECT_EQ(POLLIN, gpufe_poll_fd(bfd, POLLIN, 0));
		EXPECT_EQ(0, gpufe_poll_fd(bfd, POLLOUT, 0));
		EXPECT_EQ(-EBUSY, vgem_fence_attach(self->vgem, vb, true, NULL));
		ASSERT_EQ(0, vgem_fence_attach(self->vgem, vb, false, &f));
		EXPECT_EQ(0, vgem_fence_signal(self->vgem, f));
	}

	ASSERT_EQ(0, vgem_fence_signal(self->vgem, hold));
	ASSERT_EQ(0, gpufe_sync(self->fd, self->ctx, seqno));
	if (write_b) {
		EXPECT_EQ(-1, gpufe_find_not(b.map, b.size / 4, 0x0badcafe));
	} else {
		EXPECT_EQ(-1, gpufe_find_not(y.map, y.size / 4, 0x0badcafe));
	}
	EXPECT_EQ(POLLOUT, gpufe_poll_fd(bfd, POLLOUT, GPUFE_TIMEOUT_MS));
	EXPECT_EQ(POLLIN, gpufe_poll_fd(bfd, POLLIN, 0));
	ASSERT_EQ(0, vgem_fence_attach(self->vgem, vb, true, &f));
	EXPECT_EQ(0, vgem_fence_signal(self->vgem, f));
	close(bfd);
	close(s.dmabuf);
}

TEST_F(prime, gpufe_write_fence_in_resv)
{
	describe("A queued gpufe job writing a buffer is its dma-buf's writer: poll() and vgem see it until done");
	if (self->vgem < 0)
		SKIP(return, NO_VGEM);
	held_job_fence_in_resv(_metadata, self, true);
}

TEST_F(prime, gpufe_read_fence_in_resv)
{
	describe("A queued gpufe job reading a buffer is its dma-buf's reader only: writers wait, readers do not");
	if (self->vgem < 0)
		SKIP(return, NO_VGEM);
	held_job_fence_in_resv(_metadata, self, false);
}

/* The job_timeout_ms dependency-timeout sets while it runs, if it may. */
#define TEST_TIMEOUT_MS	1000

/*
 * Set job_timeout_ms to TEST_TIMEOUT_MS if it is writable, for the
 * teardown to restore; the value in force afterwards.
 */
static long long use_test_timeout(FIXTURE_DATA(prime) *self,
				  const char *param, long long timeout_ms)
{
	if (timeout_ms == TEST_TIMEOUT_MS ||
	    gpufe_write_ull(param, TEST_TIMEOUT_MS))
		return timeout_ms;
	self->saved_timeout_ms = timeout_ms;
	return gpufe_read_ull(param);
}

TEST_F_TIMEOUT(prime, dependency_timeout, 60)
{
	const char *param = GPUFE_PARAMS "/job_timeout_ms";
	long long timeout_ms = gpufe_read_ull(param);
	struct gpufe_submit_bo bos[2];
	struct gpufe_ctx_status st;
	struct gpufe_submit s = { .flags = GPUFE_SUBMIT_OUT_FENCE };
	struct gpufe_cmds c = { 0 };
	struct gpufe_event ev;
	struct gpufe_buffer y;
	struct shared sh;
	__u64 ts = 0;
	__s64 t0;
	__u32 hold;
	int err;

	describe("A job whose dependency never signals fails with ETIMEDOUT after job_timeout_ms, and says so everywhere");
	if (self->vgem < 0)
		SKIP(return, NO_VGEM);
	if (timeout_ms < 0)
		SKIP(return, "no /sys/module/gpufe/parameters/job_timeout_ms");
	timeout_ms = use_test_timeout(self, param, timeout_ms);
	if (self->saved_timeout_ms >= 0)
		ASSERT_EQ(TEST_TIMEOUT_MS, timeout_ms);
	/* vgem signals its fences itself after 10 s: stay well inside that. */
	if (timeout_ms > 5000)
		SKIP(return, "job_timeout_ms %lld is above the 5000 this test can wait", timeout_ms);
	ASSERT_EQ(0, shared_from_vgem(self, 64 * 1024, 0x55555555, &sh));
	ASSERT_EQ(0, gpufe_buffer_create(self->fd, sh.g.size, &y));
	ASSERT_EQ(0, vgem_fence_attach(self->vgem, sh.v.handle, true, &hold));
	ASSERT_EQ(0, gpufe_set_nonblock(self->fd));

	bos[0] = (struct gpufe_submit_bo){ sh.g.handle, GPUFE_SUBMIT_BO_READ };
	bos[1] = (struct gpufe_submit_bo){ y.handle, GPUFE_SUBMIT_BO_WRITE };
	gpufe_emit_copy(&c, 0, 0, 1, 0, sh.g.size);
	s.ctx_id = self->ctx;
	s.cmds = (uintptr_t)c.buf;
	s.cmds_size = c.size;
	s.bos = (uintptr_t)bos;
	s.num_bos = 2;
	t0 = gpufe_now_ns();
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_SUBMIT, &s));

	/* Completed, unsuccessfully: WAIT says done, the rest says how. */
	ASSERT_EQ(0, gpufe_wait_until(self->fd, self->ctx, s.seqno,
				      gpufe_now_ns() + timeout_ms * 1000000LL +
				      GPUFE_TIMEOUT_NS / 2));
	ASSERT_EQ(0, gpufe_get_status(self->fd, self->ctx, &st));
	EXPECT_EQ(s.seqno, st.completed);
	EXPECT_EQ(-ETIMEDOUT, st.error);
	EXPECT_EQ(-ETIMEDOUT, gpufe_fence_status(s.out_fence_fd, &ts, &err));
	EXPECT_EQ(0, err);
	EXPECT_LE(t0 + timeout_ms * 1000000LL, (__s64)ts);
	EXPECT_EQ(-1, gpufe_find_not(y.map, y.size / 4, 0));

	ASSERT_EQ(POLLIN, gpufe_poll_fd(self->fd, POLLIN, GPUFE_TIMEOUT_MS));
	ASSERT_EQ(sizeof(ev), read(self->fd, &ev, sizeof(ev)));
	EXPECT_EQ(self->ctx, ev.ctx_id);
	EXPECT_EQ(s.seqno, ev.seqno);
	EXPECT_EQ(-ETIMEDOUT, ev.error);

	/* The context still runs jobs. */
	ASSERT_EQ(0, vgem_fence_signal(self->vgem, hold));
	c.size = 0;
	gpufe_emit_nop(&c);
	ASSERT_EQ(0, gpufe_submit_cmds(self->fd, self->ctx, &c, NULL, 0, &s.seqno));
	EXPECT_EQ(0, gpufe_sync(self->fd, self->ctx, s.seqno));
	close(s.out_fence_fd);
	close(sh.dmabuf);
}

/* Submit a DELAY_US job with an out-fence on the fixture's context. */
static int submit_delay(FIXTURE_DATA(prime) *self, __u32 usecs, int *fence)
{
	struct gpufe_submit s = { .flags = GPUFE_SUBMIT_OUT_FENCE };
	struct gpufe_cmds c = { 0 };
	int ret;

	gpufe_emit_delay(&c, usecs);
	s.ctx_id = self->ctx;
	s.cmds = (uintptr_t)c.buf;
	s.cmds_size = c.size;
	ret = gpufe_ioctl(self->fd, GPUFE_IOCTL_SUBMIT, &s);
	if (!ret)
		*fence = s.out_fence_fd;
	return ret;
}

TEST_F_TIMEOUT(prime, failed_job_signals_in_order, 60)
{
	const char *param = GPUFE_PARAMS "/job_timeout_ms";
	long long timeout_ms = gpufe_read_ull(param);
	struct gpufe_submit s = { .flags = GPUFE_SUBMIT_OUT_FENCE };
	struct gpufe_submit_bo bo;
	struct gpufe_cmds c = { 0 };
	struct shared sh;
	__u64 ts_busy = 0, ts_failed = 0;
	int busy[2], err;
	__u32 hold;

	describe("A job that times out waiting signals only after the jobs ahead of it in its context, which still run");
	if (self->vgem < 0)
		SKIP(return, NO_VGEM);
	if (timeout_ms < 0)
		SKIP(return, "no /sys/module/gpufe/parameters/job_timeout_ms");
	timeout_ms = use_test_timeout(self, param, timeout_ms);
	if (self->saved_timeout_ms >= 0)
		ASSERT_EQ(TEST_TIMEOUT_MS, timeout_ms);
	if (timeout_ms > 1000)
		SKIP(return, "job_timeout_ms %lld is above the 1000 this test needs", timeout_ms);
	ASSERT_EQ(0, shared_from_vgem(self, 64 * 1024, 0x55555555, &sh));
	ASSERT_EQ(0, vgem_fence_attach(self->vgem, sh.v.handle, true, &hold));

	/* Two seconds of work ahead, more than the job's timeout. */
	ASSERT_EQ(0, submit_delay(self, SWGPU_MAX_DELAY_US, &busy[0]));
	ASSERT_EQ(0, submit_delay(self, SWGPU_MAX_DELAY_US, &busy[1]));

	bo = (struct gpufe_submit_bo){ sh.g.handle, GPUFE_SUBMIT_BO_READ };
	gpufe_emit_nop(&c);
	s.ctx_id = self->ctx;
	s.cmds = (uintptr_t)c.buf;
	s.cmds_size = c.size;
	s.bos = (uintptr_t)&bo;
	s.num_bos = 1;
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_SUBMIT, &s));

	/* When the failed job's fence signals, those ahead have signalled. */
	ASSERT_EQ(POLLIN, gpufe_poll_fd(s.out_fence_fd, POLLIN, GPUFE_TIMEOUT_MS));
	EXPECT_EQ(POLLIN, gpufe_poll_fd(busy[1], POLLIN, 0));
	EXPECT_EQ(-ETIMEDOUT, gpufe_fence_status(s.out_fence_fd, &ts_failed, &err));
	EXPECT_EQ(1, gpufe_fence_status(busy[1], &ts_busy, &err));
	EXPECT_LE(ts_busy, ts_failed);

	ASSERT_EQ(0, vgem_fence_signal(self->vgem, hold));
	close(busy[0]);
	close(busy[1]);
	close(s.out_fence_fd);
	close(sh.dmabuf);
}

GPUFE_TEST_MAIN
