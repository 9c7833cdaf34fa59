// SPDX-License-Identifier: GPL-2.0
/*
 * gpufe_core: the device node, VERSION, QUERY, the ioctl dispatcher,
 * debugfs's object counters and back-end hot-unplug.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gpufe_test.h"

#define QUERY_IOWR(size) \
	_IOC(_IOC_READ | _IOC_WRITE, GPUFE_IOCTL_BASE, 0x01, (size))
#define VERSION_IOR(size) _IOC(_IOC_READ, GPUFE_IOCTL_BASE, 0x00, (size))

struct swgpu_config {
	unsigned int num_gpus;
	unsigned int num_compute, num_copy, num_video;
	unsigned long long mem_size;
};

static int swgpu_config_read(struct swgpu_config *c)
{
	long long v[5];
	static const char *const names[] = {
		"num_gpus", "num_compute", "num_copy", "num_video", "mem_mib",
	};
	char path[256];
	unsigned int i;

	for (i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), SWGPU_PARAMS "/%s", names[i]);
		v[i] = gpufe_read_ull(path);
		if (v[i] < 0)
			return (int)v[i];
	}
	c->num_gpus = v[0];
	c->num_compute = v[1];
	c->num_copy = v[2];
	c->num_video = v[3];
	c->mem_size = (unsigned long long)v[4] << 20;
	return 0;
}

static int query(int fd, __u32 what, __u32 device_id, void *buf, __u32 *size)
{
	struct gpufe_query q = {
		.query = what,
		.device_id = device_id,
		.size = *size,
		.data = (uintptr_t)buf,
	};
	int ret = gpufe_ioctl(fd, GPUFE_IOCTL_QUERY, &q);

	if (!ret)
		*size = q.size;
	return ret;
}

/*
 * Fetch a whole query result into a malloc()ed buffer; 0 or -errno. The
 * result may grow between the size probe and the fetch (a back-end loaded
 * meanwhile): the kernel then says ENOSPC and the protocol is to ask again.
 */
static int query_alloc(int fd, __u32 what, __u32 device_id, void **out)
{
	unsigned int tries;
	int ret = -ENOSPC;

	for (tries = 0; tries < 1000 && ret == -ENOSPC; tries++) {
		__u32 size = 0;
		void *buf;

		ret = query(fd, what, device_id, NULL, &size);
		if (ret)
			return ret;
		buf = calloc(1, size);
		if (!buf)
			return -ENOMEM;
		ret = query(fd, what, device_id, buf, &size);
		if (!ret)
			*out = buf;
		else
			free(buf);
	}
	return ret;
}

/* Count the devices of the swgpu back-end; store the first id in *first. */
static int swgpu_devices(int fd, __u32 *first)
{
	struct gpufe_query_devices *devs;
	unsigned int i, n = 0;
	int ret;

	ret = query_alloc(fd, GPUFE_QUERY_DEVICES, 0, (void **)&devs);
	if (ret)
		return ret;
	for (i = 0; i < devs->num_devices; i++) {
		if (strcmp(devs->devices[i].backend, "swgpu"))
			continue;
		if (!n++ && first)
			*first = devs->devices[i].device_id;
	}
	free(devs);
	return n;
}

static int swgpu_ensure_loaded(void)
{
	if (gpufe_module_loaded(SWGPU_MODULE))
		return 0;
	return gpufe_module_load(SWGPU_MODULE, "");
}

FIXTURE(core) {
	int fd;
	struct swgpu_config cfg;
	__u32 dev;	/* the first swgpu device */
};

FIXTURE_SETUP(core)
{
	char path[PATH_MAX];

	self->fd = -1;
	if (access(GPUFE_DEV, F_OK))
		SKIP(return, GPUFE_DEV " is absent: gpufe.ko not loaded");
	if (!gpufe_module_loaded(SWGPU_MODULE) &&
	    gpufe_module_path(SWGPU_MODULE, path, sizeof(path)))
		SKIP(return, "the swgpu back-end is not installed");
	ASSERT_EQ(0, swgpu_ensure_loaded());
	ASSERT_EQ(0, swgpu_config_read(&self->cfg));
	self->fd = gpufe_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ((int)self->cfg.num_gpus, swgpu_devices(self->fd, &self->dev));
}

FIXTURE_TEARDOWN(core)
{
	if (self->fd >= 0)
		close(self->fd);
	/* A subtest that failed half-way must not leave the back-end out. */
	swgpu_ensure_loaded();
}

TEST_F(core, basic_version)
{
	struct gpufe_version v;

	describe("VERSION reports the uAPI version this test was built against and only known feature bits");
	memset(&v, 0xa5, sizeof(v));
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_VERSION, &v));
	EXPECT_EQ(GPUFE_VERSION_MAJOR, v.major);
	EXPECT_EQ(GPUFE_VERSION_MINOR, v.minor);
	EXPECT_EQ(GPUFE_VERSION_PATCH, v.patch);
	EXPECT_EQ(0, v.pad);
	EXPECT_NE(0, v.features & GPUFE_FEATURE_DISCOVERY);
	EXPECT_NE(0, v.features & GPUFE_FEATURE_DATAPATH);
	EXPECT_NE(0, v.features & GPUFE_FEATURE_COMPLETION_PAGE);
	EXPECT_EQ(0, v.features &
		  ~(GPUFE_FEATURE_DISCOVERY | GPUFE_FEATURE_DATAPATH |
		    GPUFE_FEATURE_COMPLETION_PAGE | GPUFE_FEATURE_PARTITIONS |
		    GPUFE_FEATURE_SCHED));
}

TEST_F(core, basic_query)
{
	static const char *const class_names[] = { "compute", "copy", "video" };
	struct gpufe_query_devices *devs;
	unsigned int i, j, seen = 0;

	describe("QUERY lists every swgpu GPU with the engines its module parameters ask for, densely numbered");
	ASSERT_EQ(0, query_alloc(self->fd, GPUFE_QUERY_DEVICES, 0, (void **)&devs));
	EXPECT_EQ(sizeof(devs->devices[0]), devs->entry_size);
	for (i = 0; i < devs->num_devices; i++) {
		const struct gpufe_device_info *d = &devs->devices[i];
		unsigned int per_class[3] = { 0 };
		struct gpufe_query_engines *engs;
		char want[GPUFE_NAME_LEN];

		ASSERT_NE(0, d->device_id);
		if (i)
			ASSERT_LT(devs->devices[i - 1].device_id, d->device_id);
		if (strcmp(d->backend, "swgpu"))
			continue;
		snprintf(want, sizeof(want), "swgpu%u", seen++);
		EXPECT_STREQ(want, d->name);
		EXPECT_EQ(self->cfg.mem_size, d->mem_size);
		EXPECT_EQ(self->cfg.num_compute + self->cfg.num_copy +
			  self->cfg.num_video, d->num_engines);

		ASSERT_EQ(0, query_alloc(self->fd, GPUFE_QUERY_ENGINES,
					 d->device_id, (void **)&engs));
		EXPECT_EQ(d->device_id, engs->device_id);
		EXPECT_EQ(sizeof(engs->engines[0]), engs->entry_size);
		EXPECT_EQ(0, engs->pad);
		ASSERT_EQ(d->num_engines, engs->num_engines);
		for (j = 0; j < engs->num_engines; j++) {
			const struct gpufe_engine_info *e = &engs->engines[j];
			char name[GPUFE_ENGINE_NAME_LEN];

			ASSERT_LT(e->engine_class, 3);
			if (j)
				ASSERT_LE(engs->engines[j - 1].engine_class,
					  e->engine_class);
			EXPECT_EQ(per_class[e->engine_class], e->engine_instance);
			snprintf(name, sizeof(name), "%s%u",
				 class_names[e->engine_class], e->engine_instance);
			EXPECT_STREQ(name, e->name);
			EXPECT_EQ(0, e->pad);
			per_class[e->engine_class]++;
		}
		EXPECT_EQ(self->cfg.num_compute, per_class[GPUFE_ENGINE_CLASS_COMPUTE]);
		EXPECT_EQ(self->cfg.num_copy, per_class[GPUFE_ENGINE_CLASS_COPY]);
		EXPECT_EQ(self->cfg.num_video, per_class[GPUFE_ENGINE_CLASS_VIDEO]);
		free(engs);
	}
	EXPECT_EQ(self->cfg.num_gpus, seen);
	free(devs);
}

TEST_F(core, query_size_probe)
{
	struct gpufe_query q = { .query = GPUFE_QUERY_DEVICES };
	struct gpufe_query_devices *devs;
	__u32 size = 0;

	describe("QUERY with size 0 reports exactly the size the result needs and writes nothing else");
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_QUERY, &q));
	ASSERT_EQ(0, query_alloc(self->fd, GPUFE_QUERY_DEVICES, 0, (void **)&devs));
	EXPECT_EQ(sizeof(*devs) + devs->num_devices * sizeof(devs->devices[0]),
		  q.size);
	EXPECT_EQ(0, q.data);
	EXPECT_EQ(GPUFE_QUERY_DEVICES, q.query);
	free(devs);

	ASSERT_EQ(0, query(self->fd, GPUFE_QUERY_ENGINES, self->dev, NULL, &size));
	EXPECT_EQ(sizeof(struct gpufe_query_engines) +
		  (self->cfg.num_compute + self->cfg.num_copy + self->cfg.num_video) *
		  sizeof(struct gpufe_engine_info), size);
}

TEST_F(core, query_larger_buffer)
{
	unsigned char buf[4096];
	__u32 needed = 0, size = sizeof(buf);
	unsigned int i;

	describe("QUERY into a buffer larger than needed writes only the result and returns its size");
	ASSERT_EQ(0, query(self->fd, GPUFE_QUERY_ENGINES, self->dev, NULL, &needed));
	ASSERT_LT(needed, sizeof(buf));
	memset(buf, 0xa5, sizeof(buf));
	ASSERT_EQ(0, query(self->fd, GPUFE_QUERY_ENGINES, self->dev, buf, &size));
	EXPECT_EQ(needed, size);
	for (i = needed; i < sizeof(buf); i++)
		ASSERT_EQ(0xa5, buf[i]);
}

TEST_F(core, compat_struct_sizes)
{
	struct {
		struct gpufe_query q;
		__u64 future[2];
	} big = { .q = { .query = GPUFE_QUERY_DEVICES } };
	struct {
		struct gpufe_version v;
		__u64 future;
	} bigv;

	describe("A newer user space's larger structs work when their tail is zero; output tails are cleared");
	ASSERT_EQ(0, gpufe_ioctl(self->fd, QUERY_IOWR(sizeof(big)), &big));
	EXPECT_NE(0, big.q.size);
	EXPECT_EQ(0, big.future[0]);
	EXPECT_EQ(0, big.future[1]);

	memset(&bigv, 0xa5, sizeof(bigv));
	ASSERT_EQ(0, gpufe_ioctl(self->fd, VERSION_IOR(sizeof(bigv)), &bigv));
	EXPECT_EQ(GPUFE_VERSION_MAJOR, bigv.v.major);
	EXPECT_EQ(0, bigv.future);
}

TEST_F(core, bad_ioctl_nr)
{
	struct gpufe_version v;

	describe("Unknown ioctl numbers and another driver's ioctl type fail with ENOTTY");
	EXPECT_EQ(-ENOTTY, gpufe_ioctl(self->fd,
				       _IOR(GPUFE_IOCTL_BASE, 0x3f, struct gpufe_version), &v));
	EXPECT_EQ(-ENOTTY, gpufe_ioctl(self->fd,
				       _IOR(GPUFE_IOCTL_BASE, 0xff, struct gpufe_version), &v));
	EXPECT_EQ(-ENOTTY, gpufe_ioctl(self->fd,
				       _IOR(GPUFE_IOCTL_BASE + 1, 0x00, struct gpufe_version), &v));
}

TEST_F(core, bad_ioctl_dir)
{
	struct gpufe_query q = { .query = GPUFE_QUERY_DEVICES };
	struct gpufe_version v;

	describe("A known ioctl number with the wrong direction bits fails with ENOTTY");
	EXPECT_EQ(-ENOTTY, gpufe_ioctl(self->fd,
				       _IOWR(GPUFE_IOCTL_BASE, 0x00, struct gpufe_version), &v));
	EXPECT_EQ(-ENOTTY, gpufe_ioctl(self->fd,
				       _IOR(GPUFE_IOCTL_BASE, 0x01, struct gpufe_query), &q));
	EXPECT_EQ(-ENOTTY, gpufe_ioctl(self->fd,
				       _IOW(GPUFE_IOCTL_BASE, 0x01, struct gpufe_query), &q));
	EXPECT_EQ(-ENOTTY, gpufe_ioctl(self->fd,
				       _IO(GPUFE_IOCTL_BASE, 0x01), NULL));
}

TEST_F(core, bad_ioctl_size)
{
	struct gpufe_query q = { .query = GPUFE_QUERY_DEVICES };
	struct gpufe_version v;

	describe("An argument smaller than the ioctl's first version fails with EINVAL and writes nothing");
	memset(&v, 0xa5, sizeof(v));
	EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, VERSION_IOR(8), &v));
	EXPECT_EQ(0xa5a5, v.major);
	EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd,
				       QUERY_IOWR(sizeof(q) - 8), &q));
	EXPECT_EQ(0, q.size);
}

TEST_F(core, bad_ioctl_tail)
{
	struct {
		struct gpufe_query q;
		__u64 future;
	} big = { .q = { .query = GPUFE_QUERY_DEVICES }, .future = 1 };

	describe("A larger argument whose unknown tail is not zero fails with E2BIG and writes nothing");
	EXPECT_EQ(-E2BIG, gpufe_ioctl(self->fd, QUERY_IOWR(sizeof(big)), &big));
	EXPECT_EQ(0, big.q.size);
}

TEST_F(core, bad_version_pointer)
{
	describe("VERSION into an unmapped argument fails with EFAULT");
	EXPECT_EQ(-EFAULT, gpufe_ioctl(self->fd, GPUFE_IOCTL_VERSION, NULL));
}

TEST_F(core, bad_query)
{
	struct gpufe_query q = { .query = GPUFE_QUERY_PARTITIONS + 1 };

	describe("An unknown query type fails with EINVAL");
	EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, GPUFE_IOCTL_QUERY, &q));
	q.query = ~0u;
	EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, GPUFE_IOCTL_QUERY, &q));
	EXPECT_EQ(0, q.size);
}

TEST_F(core, bad_flags)
{
	unsigned int bit;

	describe("Every flags bit of QUERY is reserved and fails with EINVAL");
	for (bit = 0; bit < 32; bit++) {
		struct gpufe_query q = {
			.query = GPUFE_QUERY_DEVICES,
			.flags = 1u << bit,
		};

		EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, GPUFE_IOCTL_QUERY, &q));
		EXPECT_EQ(0, q.size);
	}
}

TEST_F(core, bad_device_id)
{
	struct gpufe_query q = {
		.query = GPUFE_QUERY_DEVICES,
		.device_id = self->dev,
	};

	describe("QUERY_DEVICES with a non-zero device_id fails with EINVAL");
	EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, GPUFE_IOCTL_QUERY, &q));
	EXPECT_EQ(0, q.size);
}

TEST_F(core, bad_probe_data)
{
	char buf[64];
	struct gpufe_query q = {
		.query = GPUFE_QUERY_DEVICES,
		.data = (uintptr_t)buf,
	};

	describe("A size probe (size 0) with a non-zero data pointer fails with EINVAL");
	EXPECT_EQ(-EINVAL, gpufe_ioctl(self->fd, GPUFE_IOCTL_QUERY, &q));
	EXPECT_EQ(0, q.size);
}

TEST_F(core, bad_size)
{
	unsigned char buf[4096];
	struct gpufe_query q = {
		.query = GPUFE_QUERY_DEVICES,
		.data = (uintptr_t)buf,
	};
	__u32 needed = 0;
	unsigned int i;

	describe("QUERY into a buffer one byte too small fails with ENOSPC and writes nothing");
	ASSERT_EQ(0, query(self->fd, GPUFE_QUERY_DEVICES, 0, NULL, &needed));
	q.size = needed - 1;
	memset(buf, 0xa5, sizeof(buf));
	EXPECT_EQ(-ENOSPC, gpufe_ioctl(self->fd, GPUFE_IOCTL_QUERY, &q));
	EXPECT_EQ(needed - 1, q.size);
	for (i = 0; i < sizeof(buf); i++)
		ASSERT_EQ(0xa5, buf[i]);
}

TEST_F(core, bad_data)
{
	__u32 needed = 0, size;
	void *page;

	describe("QUERY into an unmapped data pointer fails with EFAULT");
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, munmap(page, 4096));
	ASSERT_EQ(0, query(self->fd, GPUFE_QUERY_DEVICES, 0, NULL, &needed));
	size = needed;
	EXPECT_EQ(-EFAULT, query(self->fd, GPUFE_QUERY_DEVICES, 0, page, &size));

	page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	EXPECT_EQ(-EFAULT, query(self->fd, GPUFE_QUERY_DEVICES, 0, page, &size));
	munmap(page, 4096);
}

TEST_F(core, bad_engines_device)
{
	static const __u32 bad_ids[] = { 0, 1000000, ~0u };
	unsigned int i;

	describe("QUERY_ENGINES on device id 0 or an id no device has fails with ENODEV");
	for (i = 0; i < 3; i++) {
		struct gpufe_query q = {
			.query = GPUFE_QUERY_ENGINES,
			.device_id = bad_ids[i],
		};

		EXPECT_EQ(-ENODEV, gpufe_ioctl(self->fd, GPUFE_IOCTL_QUERY, &q));
		EXPECT_EQ(0, q.size);
	}
}

#define MANY_OPENS 512

TEST_F(core, many_opens)
{
	static int fds[MANY_OPENS];
	long long before = gpufe_counter("clients");
	unsigned int i;

	describe("512 clients open at once each work, and closing them frees every client");
	ASSERT_LE(0, before);
	for (i = 0; i < MANY_OPENS; i++) {
		struct gpufe_version v;

		fds[i] = gpufe_open();
		ASSERT_LE(0, fds[i]);
		ASSERT_EQ(0, gpufe_ioctl(fds[i], GPUFE_IOCTL_VERSION, &v));
		ASSERT_EQ((int)self->cfg.num_gpus, swgpu_devices(fds[i], NULL));
	}
	EXPECT_EQ(before + MANY_OPENS, gpufe_counter("clients"));
	for (i = 0; i < MANY_OPENS; i++)
		close(fds[i]);
	EXPECT_EQ(before, gpufe_counter("clients"));
}

TEST_F(core, object_counters)
{
	long long bos = gpufe_counter("bos"), ctxs = gpufe_counter("contexts");
	struct gpufe_bo_create b1 = { .size = 4096 }, b2 = { .size = 4096 };
	struct gpufe_ctx_create c1 = { .device_id = self->dev };
	struct gpufe_ctx_create c2 = { .device_id = self->dev };
	struct gpufe_ctx_destroy d = { 0 };
	struct gpufe_bo_destroy bd = { 0 };
	int fd2;

	describe("debugfs gpufe/counters' bos and contexts count the buffer objects and contexts alive over every file, back down as they are destroyed and their files closed");
	ASSERT_LE(0, bos) {
		TH_LOG("debugfs gpufe/counters has no bos");
	}
	ASSERT_LE(0, ctxs) {
		TH_LOG("debugfs gpufe/counters has no contexts");
	}
	fd2 = gpufe_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_CREATE, &b1));
	ASSERT_EQ(0, gpufe_ioctl(fd2, GPUFE_IOCTL_BO_CREATE, &b2));
	EXPECT_EQ(bos + 2, gpufe_counter("bos"));
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_CTX_CREATE, &c1));
	ASSERT_EQ(0, gpufe_ioctl(fd2, GPUFE_IOCTL_CTX_CREATE, &c2));
	EXPECT_EQ(ctxs + 2, gpufe_counter("contexts"));

	bd.handle = b1.handle;
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_BO_DESTROY, &bd));
	EXPECT_EQ(bos + 1, gpufe_counter("bos"));
	/* A context is freed by a work item after its handle went. */
	d.ctx_id = c1.ctx_id;
	ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_CTX_DESTROY, &d));
	EXPECT_EQ(ctxs + 1, gpufe_counter_at_most("contexts", ctxs + 1));

	ASSERT_EQ(0, close(fd2));
	EXPECT_EQ(bos, gpufe_counter_at_most("bos", bos));
	EXPECT_EQ(ctxs, gpufe_counter_at_most("contexts", ctxs));
}

TEST_F(core, unload_backend_with_open_fd)
{
	struct gpufe_version v;
	__u32 size = 0;

	describe("Unloading swgpu while a client holds device ids: the ids fail with ENODEV, nothing leaks");
	ASSERT_EQ(0, query(self->fd, GPUFE_QUERY_ENGINES, self->dev, NULL, &size));
	ASSERT_EQ(0, gpufe_module_unload(SWGPU_MODULE));

	size = 0;
	EXPECT_EQ(-ENODEV, query(self->fd, GPUFE_QUERY_ENGINES, self->dev,
				 NULL, &size));
	EXPECT_EQ(0, swgpu_devices(self->fd, NULL));
	EXPECT_EQ(0, gpufe_counter("devices"));
	EXPECT_EQ(0, gpufe_counter("device_objects"));
	EXPECT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_VERSION, &v));

	ASSERT_EQ(0, gpufe_module_load(SWGPU_MODULE, ""));
	EXPECT_EQ(-ENODEV, query(self->fd, GPUFE_QUERY_ENGINES, self->dev,
				 NULL, &size));
	EXPECT_EQ((int)self->cfg.num_gpus, swgpu_devices(self->fd, NULL));
}

TEST_F_TIMEOUT(core, unload_backend_with_jobs, 60)
{
	struct gpufe_submit s = { .flags = GPUFE_SUBMIT_OUT_FENCE };
	struct gpufe_ctx_destroy d = { 0 };
	struct gpufe_ctx_status st;
	struct gpufe_cmds c = { 0 };
	struct gpufe_event ev;
	int fences[4], err, i;
	__u64 seqno = 0;
	__u32 ctx;

	describe("Unloading swgpu with jobs running and queued: every fence signals, the context is lost, SUBMIT says ENODEV");
	ASSERT_EQ(0, gpufe_create_ctx(self->fd, self->dev,
				      GPUFE_ENGINE_CLASS_COMPUTE, 0, &ctx));
	d.ctx_id = ctx;
	gpufe_emit_delay(&c, SWGPU_MAX_DELAY_US);
	s.ctx_id = ctx;
	s.cmds = (uintptr_t)c.buf;
	s.cmds_size = c.size;
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_SUBMIT, &s));
		fences[i] = s.out_fence_fd;
	}

	ASSERT_EQ(0, gpufe_module_unload(SWGPU_MODULE));

	/* Ended, not run to the end: the one running and those queued. */
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(POLLIN, gpufe_poll_fd(fences[i], POLLIN, 0));
		EXPECT_EQ(-ENODEV, gpufe_fence_status(fences[i], NULL, &err));
		close(fences[i]);
	}
	ASSERT_EQ(0, gpufe_get_status(self->fd, ctx, &st));
	EXPECT_EQ(GPUFE_CTX_STATE_LOST, st.state);
	EXPECT_EQ(4, st.completed);
	EXPECT_EQ(-ENODEV, st.error);
	EXPECT_EQ(0, gpufe_sync(self->fd, ctx, 4));

	c.size = 0;
	gpufe_emit_nop(&c);
	EXPECT_EQ(-ENODEV, gpufe_submit_cmds(self->fd, ctx, &c, NULL, 0, &seqno));
	ASSERT_EQ(0, gpufe_get_status(self->fd, ctx, &st));
	EXPECT_EQ(4, st.submitted);

	/*
	 * The context still holds the unplugged device until it goes: its
	 * handle, and its completion event, which is read here.
	 */
	EXPECT_EQ(0, gpufe_counter("devices"));
	EXPECT_EQ(1, gpufe_counter("device_objects"));
	EXPECT_EQ(0, gpufe_ioctl(self->fd, GPUFE_IOCTL_CTX_DESTROY, &d));
	ASSERT_EQ(0, gpufe_set_nonblock(self->fd));
	EXPECT_EQ(sizeof(ev), read(self->fd, &ev, sizeof(ev)));
	EXPECT_EQ(ctx, ev.ctx_id);
	EXPECT_EQ(4, ev.seqno);
	EXPECT_EQ(-ENODEV, ev.error);
	for (i = 0; i < 50 && gpufe_counter("device_objects"); i++)
		usleep(100000);
	EXPECT_EQ(0, gpufe_counter("device_objects"));
	ASSERT_EQ(0, gpufe_module_load(SWGPU_MODULE, ""));
}

TEST_F(core, reload_backend)
{
	__u32 first = 0, prev = self->dev;
	unsigned int i;

	describe("Reloading swgpu brings its GPUs back under new ids, with the same names and engines");
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, gpufe_module_unload(SWGPU_MODULE));
		ASSERT_EQ(0, gpufe_module_load(SWGPU_MODULE, ""));
		ASSERT_EQ((int)self->cfg.num_gpus, swgpu_devices(self->fd, &first));
		EXPECT_GT(first, prev);
		EXPECT_EQ(self->cfg.num_gpus, gpufe_counter("device_objects"));
		prev = first;
	}
}

TEST_F_TIMEOUT(core, unload_backend_under_query, 120)
{
	pid_t child;
	int status, i;

	describe("Queries racing with swgpu unload and reload only ever succeed or fail with ENODEV");
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		/* Never outlive a parent that failed an assertion. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			__u32 id = 0, size = 0;
			int n = swgpu_devices(self->fd, &id);

			if (n < 0)
				_exit(10);
			if (!n)
				continue;
			n = query(self->fd, GPUFE_QUERY_ENGINES, id, NULL, &size);
			if (n && n != -ENODEV)
				_exit(11);
		}
	}
	for (i = 0; i < 20; i++) {
		int unload = gpufe_module_unload(SWGPU_MODULE);
		int load = gpufe_module_load(SWGPU_MODULE, "");

		EXPECT_EQ(0, unload);
		EXPECT_EQ(0, load);
		if (unload || load)
			break;
	}
	EXPECT_EQ(0, waitpid(child, &status, WNOHANG)) {
		TH_LOG("the querying child exited early with %d",
		       WEXITSTATUS(status));
	}
	kill(child, SIGKILL);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ((int)self->cfg.num_gpus, gpufe_counter("device_objects"));
}

TEST_F(core, bad_swgpu_params)
{
	static const char *const bad[] = {
		"num_gpus=0", "num_gpus=17",
		"num_compute=17", "num_copy=17", "num_video=17",
		"num_compute=0 num_copy=0 num_video=0",
		"mem_mib=1048577",
	};
	unsigned int i;

	describe("swgpu refuses out-of-range module parameters with EINVAL and registers nothing");
	ASSERT_EQ(0, gpufe_module_unload(SWGPU_MODULE));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, gpufe_module_load(SWGPU_MODULE, bad[i])) {
			TH_LOG("parameters: %s", bad[i]);
		}
		EXPECT_EQ(0, gpufe_counter("device_objects"));
		EXPECT_FALSE(gpufe_module_loaded(SWGPU_MODULE));
	}
	ASSERT_EQ(0, gpufe_module_load(SWGPU_MODULE, ""));
}

GPUFE_TEST_MAIN
