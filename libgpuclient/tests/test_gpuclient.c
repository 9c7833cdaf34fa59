// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/*
 * Host unit tests for libgpuclient, against the fake kernel in
 * fake_kernel.c: the device handle and discovery here, the data path in
 * test_datapath.c, the completion page in test_completion.c, partitions in
 * test_partition.c, the scheduler's additions in test_sched.c, the edu
 * command builders in test_edu.c. Run with no argument for every test, or
 * with test names to run only those.
 *
 * After each test the runner closes the handles and frees the lists the
 * test left in the t_* variables (and the d_*, c_*, p_*, s_* and e_* ones
 * of test_datapath.c, test_completion.c, test_partition.c, test_sched.c
 * and test_edu.c),
 * then fails the test if a fake descriptor is still open (a descriptor
 * leak), a buffer or completion page mapping is left (a mapping leak),
 * the library ever read
 * the device blocking, or it ever sent a request the fake kernel rejected
 * with -EINVAL (a malformed request; tests that mean to provoke one clear
 * fk.einval).
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gpuclient_priv.h"
#include "fake_kernel.h"
#include "harness.h"
#include "tests.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

int test_failed;

/* Owned by the runner: closed and freed after every test. */
static gpuclient_handle t_h, t_h2;
static struct gpuclient_device_info *t_devs;
static struct gpuclient_engine_info *t_engines;

/* What an untouched output parameter still holds. */
static char sentinel_obj;
#define SENTINEL_HANDLE		((gpuclient_handle)(void *)&sentinel_obj)
#define SENTINEL_DEVS		((void *)&sentinel_obj)
#define SENTINEL_ENGINES	((void *)&sentinel_obj)
#define SENTINEL_COUNT		0xdeadbeefu

/* gpuclient.h promises at most 8 probe-and-fetch rounds. */
#define DOCUMENTED_ATTEMPTS	8
_Static_assert(GPUCLIENT_QUERY_ATTEMPTS == DOCUMENTED_ATTEMPTS,
	       "gpuclient.h documents the number of attempts");

/* State for the after_probe hooks. */
static int hook_budget;		/* how many more times to act; <0: forever */
static uint32_t hook_next_id;

static int count_open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!dir)
		return -1;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

static int open_fake(gpuclient_handle *h)
{
	return gpuclient_open(FAKE_PATH, h);
}

static int hook_take(void)
{
	if (hook_budget == 0)
		return 0;
	if (hook_budget > 0)
		hook_budget--;
	return 1;
}

static void hook_add_device(const struct gpufe_query *q)
{
	(void)q;
	if (hook_take())
		fake_add_swgpu(hook_next_id++, "hotplugged");
}

static void hook_remove_device(const struct gpufe_query *q)
{
	(void)q;
	if (hook_take())
		fake_remove_device(hook_next_id);
}

static void hook_add_engine(const struct gpufe_query *q)
{
	if (hook_take())
		fake_add_engine(&fk.devices[0], GPUFE_ENGINE_CLASS_COPY, 1,
				"copy1");
	(void)q;
}

/* --- open, close, version ------------------------------------------- */

static void open_missing_path(void)
{
	gpuclient_handle h = SENTINEL_HANDLE;
	int fds = count_open_fds();

	CHECK_INT(gpuclient_open("/nonexistent/gpufe-missing", &h), ==,
		  -ENOENT);
	CHECK(h == SENTINEL_HANDLE);
	CHECK_INT(count_open_fds(), ==, fds);
}

static void open_flags(void)
{
	int fd, fdflags;

	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_STR(fk.last_open_path, FAKE_PATH);
	CHECK_INT(fk.last_open_flags & O_ACCMODE, ==, O_RDWR);
	CHECK(fk.last_open_flags & O_CLOEXEC);
	/* gpuclient_read_events() must never block in read(). */
	CHECK(fk.last_open_flags & O_NONBLOCK);

	fd = gpuclient_get_fd(t_h);
	CHECK(fake_fd_is_open(fd));
	fdflags = fcntl(fd, F_GETFD);
	CHECK_INT(fdflags, >=, 0);
	CHECK(fdflags & FD_CLOEXEC);
}

static void open_default_path(void)
{
	int ret;

	CHECK_INT(unsetenv(GPUCLIENT_DEVICE_ENV), ==, 0);
	ret = gpuclient_open(NULL, &t_h);
	CHECK_STR(fk.last_open_path, "/dev/gpufe");
	/* This host has no gpufe; if it does, opening it is fine too. */
	CHECK(ret == 0 || ret == -ENOENT || ret == -EACCES);

	CHECK_INT(setenv(GPUCLIENT_DEVICE_ENV, "", 1), ==, 0);
	gpuclient_close(t_h);
	t_h = NULL;
	ret = gpuclient_open(NULL, &t_h);
	CHECK_STR(fk.last_open_path, "/dev/gpufe");
	CHECK(ret == 0 || ret == -ENOENT || ret == -EACCES);
}

static void open_env_path(void)
{
	CHECK_INT(setenv(GPUCLIENT_DEVICE_ENV, FAKE_PATH, 1), ==, 0);
	CHECK_INT(gpuclient_open(NULL, &t_h), ==, 0);
	CHECK_STR(fk.last_open_path, FAKE_PATH);
	CHECK(fake_fd_is_open(gpuclient_get_fd(t_h)));
}

static void open_path_beats_env(void)
{
	CHECK_INT(setenv(GPUCLIENT_DEVICE_ENV, "/nonexistent/other", 1), ==, 0);
	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_STR(fk.last_open_path, FAKE_PATH);
}

static void open_version_mismatch(void)
{
	gpuclient_handle h = SENTINEL_HANDLE;

	fk.version.major = GPUFE_VERSION_MAJOR + 1;
	CHECK_INT(open_fake(&h), ==, -EPROTONOSUPPORT);
	CHECK(h == SENTINEL_HANDLE);
	CHECK_INT(fk.num_fds, ==, 0);

	fk.version.major = GPUFE_VERSION_MAJOR - 1;
	CHECK_INT(open_fake(&h), ==, -EPROTONOSUPPORT);
	CHECK(h == SENTINEL_HANDLE);
	CHECK_INT(fk.num_fds, ==, 0);
	CHECK_INT(fk.ioctl_calls, ==, 2);
}

static void open_newer_minor(void)
{
	struct gpuclient_version v;

	fk.version.minor = GPUFE_VERSION_MINOR + 9;
	fk.version.patch = 3;
	fk.version.features |= 1ULL << 40;
	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_INT(gpuclient_get_version(t_h, &v), ==, 0);
	CHECK_INT(v.major, ==, GPUFE_VERSION_MAJOR);
	CHECK_INT(v.minor, ==, GPUFE_VERSION_MINOR + 9);
	CHECK_INT(v.patch, ==, 3);
	CHECK(v.features == (GPUFE_FEATURE_DISCOVERY | (1ULL << 40)));
}

static void open_not_gpufe(void)
{
	gpuclient_handle h = SENTINEL_HANDLE;
	int fds = count_open_fds();

	CHECK_INT(gpuclient_open("/dev/null", &h), ==, -ENOTTY);
	CHECK(h == SENTINEL_HANDLE);
	CHECK_INT(count_open_fds(), ==, fds);
}

static void open_version_eintr(void)
{
	fake_inject(EINTR);
	fake_inject(EINTR);
	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_INT(fk.ioctl_calls, ==, 3);
}

static void open_version_error(void)
{
	gpuclient_handle h = SENTINEL_HANDLE;

	fake_inject(EIO);
	CHECK_INT(open_fake(&h), ==, -EIO);
	CHECK(h == SENTINEL_HANDLE);
	CHECK_INT(fk.num_fds, ==, 0);
	CHECK_INT(fk.ioctl_calls, ==, 1);
}

static void get_version(void)
{
	struct gpuclient_version v;

	memset(&v, 0xa5, sizeof(v));
	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_INT(gpuclient_get_version(t_h, &v), ==, 0);
	CHECK_INT(v.major, ==, 1);
	CHECK_INT(v.minor, ==, 0);
	CHECK_INT(v.patch, ==, 0);
	CHECK(v.features == GPUFE_FEATURE_DISCOVERY);
	/* Read once, at open. */
	CHECK_INT(fk.ioctl_calls, ==, 1);
}

static void get_fd(void)
{
	int fd;

	CHECK_INT(open_fake(&t_h), ==, 0);
	fd = gpuclient_get_fd(t_h);
	CHECK_INT(fd, >=, 0);
	CHECK(fake_fd_is_open(fd));
	CHECK_INT(gpuclient_get_fd(t_h), ==, fd);
}

static void close_null(void)
{
	gpuclient_close(NULL);
	gpuclient_free_devices(NULL);
	gpuclient_free_engines(NULL);
	CHECK_INT(fk.num_fds, ==, 0);
}

static void close_releases_fd(void)
{
	int fd;

	CHECK_INT(open_fake(&t_h), ==, 0);
	fd = gpuclient_get_fd(t_h);
	CHECK_INT(fk.num_fds, ==, 1);
	gpuclient_close(t_h);
	t_h = NULL;
	CHECK_INT(fk.num_fds, ==, 0);
	CHECK_INT(fcntl(fd, F_GETFD), ==, -1);
}

static void two_handles(void)
{
	uint32_t n2 = 0;

	fake_add_swgpu(1, "swgpu0");
	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_INT(open_fake(&t_h2), ==, 0);
	CHECK_INT(gpuclient_get_fd(t_h), !=, gpuclient_get_fd(t_h2));
	gpuclient_close(t_h);
	t_h = NULL;
	CHECK_INT(gpuclient_query_devices(t_h2, &t_devs, &n2), ==, 0);
	CHECK_INT(n2, ==, 1);
}

static void bad_args(void)
{
	struct gpuclient_device_info *devs = SENTINEL_DEVS;
	struct gpuclient_engine_info *engines = SENTINEL_ENGINES;
	struct gpuclient_version v;
	uint32_t count = SENTINEL_COUNT;
	unsigned int calls;

	CHECK_INT(gpuclient_open(FAKE_PATH, NULL), ==, -EINVAL);
	CHECK_INT(fk.num_fds, ==, 0);
	CHECK_INT(gpuclient_get_fd(NULL), ==, -EINVAL);
	CHECK_INT(gpuclient_get_version(NULL, &v), ==, -EINVAL);

	CHECK_INT(open_fake(&t_h), ==, 0);
	calls = fk.ioctl_calls;
	CHECK_INT(gpuclient_get_version(t_h, NULL), ==, -EINVAL);
	CHECK_INT(gpuclient_query_devices(NULL, &devs, &count), ==, -EINVAL);
	CHECK_INT(gpuclient_query_devices(t_h, NULL, &count), ==, -EINVAL);
	CHECK_INT(gpuclient_query_devices(t_h, &devs, NULL), ==, -EINVAL);
	CHECK_INT(gpuclient_query_engines(NULL, 1, &engines, &count), ==,
		  -EINVAL);
	CHECK_INT(gpuclient_query_engines(t_h, 1, NULL, &count), ==, -EINVAL);
	CHECK_INT(gpuclient_query_engines(t_h, 1, &engines, NULL), ==,
		  -EINVAL);
	CHECK(devs == SENTINEL_DEVS);
	CHECK(engines == SENTINEL_ENGINES);
	CHECK_INT(count, ==, SENTINEL_COUNT);
	CHECK_INT(fk.ioctl_calls, ==, calls);
}

/* --- the ioctl helper ------------------------------------------------ */

static void ioctl_helper(void)
{
	struct gpufe_version kv;
	int fd;

	CHECK_INT(open_fake(&t_h), ==, 0);
	fd = gpuclient_get_fd(t_h);

	fk.ioctl_calls = 0;
	fake_inject(EINTR);
	fake_inject(EINTR);
	fake_inject(EINTR);
	memset(&kv, 0, sizeof(kv));
	CHECK_INT(gpuclient_ioctl(fd, GPUFE_IOCTL_VERSION, &kv), ==, 0);
	CHECK_INT(fk.ioctl_calls, ==, 4);
	CHECK_INT(kv.major, ==, GPUFE_VERSION_MAJOR);

	fk.ioctl_calls = 0;
	fake_inject(EAGAIN);
	CHECK_INT(gpuclient_ioctl(fd, GPUFE_IOCTL_VERSION, &kv), ==, -EAGAIN);
	CHECK_INT(fk.ioctl_calls, ==, 1);

	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_ioctl(fd, _IO(GPUFE_IOCTL_BASE, 0x7f), NULL), ==,
		  -ENOTTY);
	CHECK_INT(fk.ioctl_calls, ==, 1);

	/* Real system calls, not the fake. */
	CHECK_INT(gpuclient_ioctl(-1, GPUFE_IOCTL_VERSION, &kv), ==, -EBADF);
}

/* --- device discovery ------------------------------------------------ */

static void query_devices_none(void)
{
	uint32_t count = SENTINEL_COUNT;

	t_devs = SENTINEL_DEVS;
	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_INT(gpuclient_query_devices(t_h, &t_devs, &count), ==, 0);
	CHECK_INT(count, ==, 0);
	CHECK(t_devs == NULL);
	CHECK_INT(fk.probes, ==, 1);
	CHECK_INT(fk.fetches, ==, 1);
}

static void query_devices_one(void)
{
	uint32_t count = 0;

	fake_add_swgpu(1, "swgpu0");
	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_INT(gpuclient_query_devices(t_h, &t_devs, &count), ==, 0);
	CHECK_INT(count, ==, 1);
	CHECK(t_devs != NULL);
	CHECK_INT(t_devs[0].device_id, ==, 1);
	CHECK_INT(t_devs[0].num_engines, ==, 4);
	CHECK(t_devs[0].mem_size == 256ULL << 20);
	CHECK_STR(t_devs[0].name, "swgpu0");
	CHECK_STR(t_devs[0].backend, "swgpu");
	CHECK_INT(fk.probes, ==, 1);
	CHECK_INT(fk.fetches, ==, 1);
	CHECK_INT(fk.enospc, ==, 0);
}

static void query_devices_several(void)
{
	static const struct {
		uint32_t id;
		const char *name, *backend;
		uint64_t mem;
	} want[] = {
		{ 1, "swgpu0", "swgpu", 256ULL << 20 },
		{ 2, "swgpu1", "swgpu", 1ULL << 30 },
		{ 7, "edu0", "edu", 0 },
		{ 0x80000001u, "vgpu0", "vgpu", 0xfffffffffffff000ULL },
	};
	uint32_t count = 0, i;

	/* Added out of order; the kernel reports them by ascending id. */
	for (i = ARRAY_SIZE(want); i-- > 0;)
		CHECK(fake_add_device(want[i].id, want[i].name,
				      want[i].backend, want[i].mem));
	fake_add_engine(&fk.devices[2], GPUFE_ENGINE_CLASS_COMPUTE, 0,
			"compute0");

	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_INT(gpuclient_query_devices(t_h, &t_devs, &count), ==, 0);
	CHECK_INT(count, ==, 4);
	for (i = 0; i < count; i++) {
		CHECK_INT(t_devs[i].device_id, ==, want[i].id);
		CHECK_STR(t_devs[i].name, want[i].name);
		CHECK_STR(t_devs[i].backend, want[i].backend);
		CHECK(t_devs[i].mem_size == want[i].mem);
		CHECK_INT(t_devs[i].num_engines, ==, want[i].id == 7 ? 1 : 0);
	}
}

static void query_devices_grew(void)
{
	uint32_t count = 0;

	fake_add_swgpu(1, "swgpu0");
	fk.after_probe = hook_add_device;
	hook_budget = 1;
	hook_next_id = 2;

	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_INT(gpuclient_query_devices(t_h, &t_devs, &count), ==, 0);
	CHECK_INT(count, ==, 2);
	CHECK_INT(t_devs[0].device_id, ==, 1);
	CHECK_INT(t_devs[1].device_id, ==, 2);
	CHECK_STR(t_devs[1].name, "hotplugged");
	CHECK_INT(fk.enospc, ==, 1);
	CHECK_INT(fk.probes, ==, 2);
	CHECK_INT(fk.fetches, ==, 1);
}

static void query_devices_shrank(void)
{
	uint32_t count = 0;

	fake_add_swgpu(1, "swgpu0");
	fake_add_swgpu(2, "swgpu1");
	fk.after_probe = hook_remove_device;
	hook_budget = 1;
	hook_next_id = 1;

	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_INT(gpuclient_query_devices(t_h, &t_devs, &count), ==, 0);
	CHECK_INT(count, ==, 1);
	CHECK_INT(t_devs[0].device_id, ==, 2);
	CHECK_STR(t_devs[0].name, "swgpu1");
	CHECK_INT(fk.enospc, ==, 0);
	CHECK_INT(fk.probes, ==, 1);
}

static void query_devices_last_attempt(void)
{
	uint32_t count = 0;

	/* Grows after each of the first 7 probes: the 8th round succeeds. */
	fk.after_probe = hook_add_device;
	hook_budget = DOCUMENTED_ATTEMPTS - 1;
	hook_next_id = 1;

	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_INT(gpuclient_query_devices(t_h, &t_devs, &count), ==, 0);
	CHECK_INT(count, ==, DOCUMENTED_ATTEMPTS - 1);
	CHECK_INT(fk.enospc, ==, DOCUMENTED_ATTEMPTS - 1);
	CHECK_INT(fk.probes, ==, DOCUMENTED_ATTEMPTS);
}

static void query_devices_keeps_growing(void)
{
	uint32_t count = SENTINEL_COUNT;

	fake_add_swgpu(1, "swgpu0");
	fk.after_probe = hook_add_device;
	hook_budget = -1;
	hook_next_id = 2;

	t_devs = SENTINEL_DEVS;
	CHECK_INT(open_fake(&t_h), ==, 0);
	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_query_devices(t_h, &t_devs, &count), ==, -EAGAIN);
	CHECK(t_devs == SENTINEL_DEVS);
	t_devs = NULL;
	CHECK_INT(count, ==, SENTINEL_COUNT);
	CHECK_INT(fk.probes, ==, DOCUMENTED_ATTEMPTS);
	CHECK_INT(fk.enospc, ==, DOCUMENTED_ATTEMPTS);
	CHECK_INT(fk.fetches, ==, 0);
	CHECK_INT(fk.ioctl_calls, ==, 2 * DOCUMENTED_ATTEMPTS);
}

static void query_eintr_retried(void)
{
	uint32_t count = 0;

	fake_add_swgpu(1, "swgpu0");
	CHECK_INT(open_fake(&t_h), ==, 0);
	fk.ioctl_calls = 0;
	fake_inject(EINTR);	/* the probe, interrupted */
	fake_inject(0);		/* the probe again */
	fake_inject(EINTR);	/* the fetch, interrupted */
	fake_inject(EINTR);	/* and again */
	CHECK_INT(gpuclient_query_devices(t_h, &t_devs, &count), ==, 0);
	CHECK_INT(count, ==, 1);
	CHECK_INT(t_devs[0].device_id, ==, 1);
	CHECK_INT(fk.ioctl_calls, ==, 5);
	CHECK_INT(fk.probes, ==, 1);
	CHECK_INT(fk.fetches, ==, 1);
}

static void query_eagain_not_retried(void)
{
	struct gpuclient_device_info *devs = SENTINEL_DEVS;
	uint32_t count = SENTINEL_COUNT;

	fake_add_swgpu(1, "swgpu0");
	CHECK_INT(open_fake(&t_h), ==, 0);

	fk.ioctl_calls = 0;
	fake_inject(EAGAIN);
	CHECK_INT(gpuclient_query_devices(t_h, &devs, &count), ==, -EAGAIN);
	CHECK_INT(fk.ioctl_calls, ==, 1);

	/* On the fetch, too; the probe's buffer must not leak. */
	fk.ioctl_calls = 0;
	fake_inject(0);
	fake_inject(EAGAIN);
	CHECK_INT(gpuclient_query_devices(t_h, &devs, &count), ==, -EAGAIN);
	CHECK_INT(fk.ioctl_calls, ==, 2);
	CHECK(devs == SENTINEL_DEVS);
	CHECK_INT(count, ==, SENTINEL_COUNT);
}

static void query_error_propagates(void)
{
	struct gpuclient_device_info *devs = SENTINEL_DEVS;
	uint32_t count = SENTINEL_COUNT;

	fake_add_swgpu(1, "swgpu0");
	CHECK_INT(open_fake(&t_h), ==, 0);

	fake_inject(ENODEV);
	CHECK_INT(gpuclient_query_devices(t_h, &devs, &count), ==, -ENODEV);
	fake_inject(0);
	fake_inject(EFAULT);
	CHECK_INT(gpuclient_query_devices(t_h, &devs, &count), ==, -EFAULT);
	fake_inject(ENOMEM);
	CHECK_INT(gpuclient_query_devices(t_h, &devs, &count), ==, -ENOMEM);
	CHECK(devs == SENTINEL_DEVS);
	CHECK_INT(count, ==, SENTINEL_COUNT);
}

static void query_no_discovery(void)
{
	struct gpuclient_device_info *devs = SENTINEL_DEVS;
	struct gpuclient_engine_info *engines = SENTINEL_ENGINES;
	uint32_t count = SENTINEL_COUNT;

	fake_add_swgpu(1, "swgpu0");
	fk.version.features = 0;
	CHECK_INT(open_fake(&t_h), ==, 0);
	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_query_devices(t_h, &devs, &count), ==,
		  -EOPNOTSUPP);
	CHECK_INT(gpuclient_query_engines(t_h, 1, &engines, &count), ==,
		  -EOPNOTSUPP);
	CHECK_INT(fk.ioctl_calls, ==, 0);
	CHECK(devs == SENTINEL_DEVS);
	CHECK(engines == SENTINEL_ENGINES);
	CHECK_INT(count, ==, SENTINEL_COUNT);
}

static void query_newer_kernel_entries(void)
{
	uint32_t count = 0;

	/* A later kernel's entries are larger: read them by entry_size. */
	fake_add_swgpu(1, "swgpu0");
	fake_add_swgpu(2, "swgpu1");
	fk.entry_extra = 24;
	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_INT(gpuclient_query_devices(t_h, &t_devs, &count), ==, 0);
	CHECK_INT(count, ==, 2);
	CHECK_INT(t_devs[1].device_id, ==, 2);
	CHECK_STR(t_devs[1].name, "swgpu1");
	CHECK_STR(t_devs[1].backend, "swgpu");
	CHECK_INT(gpuclient_query_engines(t_h, 2, &t_engines, &count), ==, 0);
	CHECK_INT(count, ==, 4);
	CHECK_INT(t_engines[3].engine_class, ==, GPUCLIENT_ENGINE_CLASS_VIDEO);
	CHECK_STR(t_engines[3].name, "video0");
}

static void query_malformed_answer(void)
{
	struct gpuclient_device_info *devs = SENTINEL_DEVS;
	struct gpuclient_engine_info *engines = SENTINEL_ENGINES;
	uint32_t count = SENTINEL_COUNT;

	fake_add_swgpu(1, "swgpu0");
	CHECK_INT(open_fake(&t_h), ==, 0);

	/* More entries claimed than bytes written: would read past the end. */
	fk.corrupt_count = 1;
	CHECK_INT(gpuclient_query_devices(t_h, &devs, &count), ==, -EPROTO);
	CHECK_INT(gpuclient_query_engines(t_h, 1, &engines, &count), ==,
		  -EPROTO);
	/* Fewer: the entries do not have the size this library knows. */
	fk.corrupt_count = -1;
	CHECK_INT(gpuclient_query_devices(t_h, &devs, &count), ==, -EPROTO);
	CHECK_INT(gpuclient_query_engines(t_h, 1, &engines, &count), ==,
		  -EPROTO);
	/* The engines of another device. */
	fk.corrupt_count = 0;
	fk.corrupt_device_id = 2;
	CHECK_INT(gpuclient_query_engines(t_h, 1, &engines, &count), ==,
		  -EPROTO);
	/* Entries smaller than this library's uAPI header says. */
	fk.corrupt_device_id = 0;
	fk.entry_extra = -8;
	CHECK_INT(gpuclient_query_devices(t_h, &devs, &count), ==, -EPROTO);
	CHECK_INT(gpuclient_query_engines(t_h, 1, &engines, &count), ==,
		  -EPROTO);
	CHECK(devs == SENTINEL_DEVS);
	CHECK(engines == SENTINEL_ENGINES);
	CHECK_INT(count, ==, SENTINEL_COUNT);
}

/* --- engine discovery ------------------------------------------------ */

static void query_engines(void)
{
	static const struct {
		uint32_t engine_class, engine_instance;
		const char *name, *class_name;
	} want[] = {
		{ GPUCLIENT_ENGINE_CLASS_COMPUTE, 0, "compute0", "compute" },
		{ GPUCLIENT_ENGINE_CLASS_COMPUTE, 1, "compute1", "compute" },
		{ GPUCLIENT_ENGINE_CLASS_COPY, 0, "copy0", "copy" },
		{ GPUCLIENT_ENGINE_CLASS_VIDEO, 0, "video0", "video" },
	};
	const char *class_name;
	uint32_t count = 0, i;

	fake_add_swgpu(1, "swgpu0");
	fake_add_swgpu(5, "swgpu1");
	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_INT(gpuclient_query_engines(t_h, 5, &t_engines, &count), ==, 0);
	CHECK_INT(count, ==, 4);
	for (i = 0; i < count; i++) {
		CHECK_INT(t_engines[i].engine_class, ==, want[i].engine_class);
		CHECK_INT(t_engines[i].engine_instance, ==,
			  want[i].engine_instance);
		CHECK_STR(t_engines[i].name, want[i].name);
		class_name =
			gpuclient_engine_class_name(t_engines[i].engine_class);
		CHECK_STR(class_name, want[i].class_name);
	}
	CHECK_INT(fk.probes, ==, 1);
	CHECK_INT(fk.fetches, ==, 1);
}

static void query_engines_none(void)
{
	uint32_t count = SENTINEL_COUNT;

	fake_add_device(3, "masked", "swgpu", 0);
	t_engines = SENTINEL_ENGINES;
	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_INT(gpuclient_query_engines(t_h, 3, &t_engines, &count), ==, 0);
	CHECK_INT(count, ==, 0);
	CHECK(t_engines == NULL);
}

static void query_engines_unknown_device(void)
{
	struct gpuclient_engine_info *engines = SENTINEL_ENGINES;
	uint32_t count = SENTINEL_COUNT;

	fake_add_swgpu(1, "swgpu0");
	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_INT(gpuclient_query_engines(t_h, 2, &engines, &count), ==,
		  -ENODEV);
	CHECK_INT(gpuclient_query_engines(t_h, 0, &engines, &count), ==,
		  -ENODEV);
	CHECK_INT(gpuclient_query_engines(t_h, UINT32_MAX, &engines, &count),
		  ==, -ENODEV);
	CHECK(engines == SENTINEL_ENGINES);
	CHECK_INT(count, ==, SENTINEL_COUNT);
}

static void query_engines_unplugged(void)
{
	struct gpuclient_engine_info *engines = SENTINEL_ENGINES;
	uint32_t count = SENTINEL_COUNT;

	fake_add_swgpu(1, "swgpu0");
	fk.after_probe = hook_remove_device;
	hook_budget = 1;
	hook_next_id = 1;

	CHECK_INT(open_fake(&t_h), ==, 0);
	fk.ioctl_calls = 0;
	CHECK_INT(gpuclient_query_engines(t_h, 1, &engines, &count), ==,
		  -ENODEV);
	CHECK_INT(fk.ioctl_calls, ==, 2);
	CHECK_INT(fk.probes, ==, 1);
	CHECK(engines == SENTINEL_ENGINES);
	CHECK_INT(count, ==, SENTINEL_COUNT);
}

static void query_engines_grew(void)
{
	uint32_t count = 0;

	fake_add_swgpu(1, "swgpu0");
	fk.after_probe = hook_add_engine;
	hook_budget = 1;

	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_INT(gpuclient_query_engines(t_h, 1, &t_engines, &count), ==, 0);
	CHECK_INT(count, ==, 5);
	CHECK_STR(t_engines[4].name, "copy1");
	CHECK_INT(t_engines[4].engine_instance, ==, 1);
	CHECK_INT(fk.enospc, ==, 1);
	CHECK_INT(fk.probes, ==, 2);
}

static void names_nul_terminated(void)
{
	static const char long_name[] =
		"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn";
	static const char full_backend[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	static const char full_engine[] = "eeeeeeeeeeeeeeee";
	struct fake_device *dev;
	uint32_t count = 0;

	_Static_assert(sizeof(full_backend) - 1 == GPUFE_NAME_LEN,
		       "fills the field");
	_Static_assert(sizeof(full_engine) - 1 == GPUFE_ENGINE_NAME_LEN,
		       "fills the field");

	dev = fake_add_device(1, long_name, full_backend, 0);
	CHECK(dev);
	fake_add_engine(dev, GPUFE_ENGINE_CLASS_VIDEO, 0, full_engine);
	/* The fake really wrote no NUL. */
	CHECK(memchr(dev->name, 0, sizeof(dev->name)) == NULL);
	CHECK(memchr(dev->backend, 0, sizeof(dev->backend)) == NULL);
	CHECK(memchr(dev->engines[0].name, 0,
		     sizeof(dev->engines[0].name)) == NULL);

	CHECK_INT(open_fake(&t_h), ==, 0);
	CHECK_INT(gpuclient_query_devices(t_h, &t_devs, &count), ==, 0);
	CHECK_INT(count, ==, 1);
	CHECK_INT(strnlen(t_devs[0].name, sizeof(t_devs[0].name)), ==,
		  GPUCLIENT_NAME_LEN - 1);
	CHECK_INT(strnlen(t_devs[0].backend, sizeof(t_devs[0].backend)), ==,
		  GPUCLIENT_NAME_LEN - 1);
	CHECK(!strncmp(t_devs[0].name, long_name, GPUCLIENT_NAME_LEN - 1));
	CHECK(!strncmp(t_devs[0].backend, full_backend,
		       GPUCLIENT_NAME_LEN - 1));

	CHECK_INT(gpuclient_query_engines(t_h, 1, &t_engines, &count), ==, 0);
	CHECK_INT(count, ==, 1);
	CHECK_INT(strnlen(t_engines[0].name, sizeof(t_engines[0].name)), ==,
		  GPUCLIENT_ENGINE_NAME_LEN - 1);
	CHECK(!strncmp(t_engines[0].name, full_engine,
		       GPUCLIENT_ENGINE_NAME_LEN - 1));
}

static void engine_class_name(void)
{
	CHECK_STR(gpuclient_engine_class_name(GPUCLIENT_ENGINE_CLASS_COMPUTE),
		  "compute");
	CHECK_STR(gpuclient_engine_class_name(GPUCLIENT_ENGINE_CLASS_COPY),
		  "copy");
	CHECK_STR(gpuclient_engine_class_name(GPUCLIENT_ENGINE_CLASS_VIDEO),
		  "video");
	CHECK_STR(gpuclient_engine_class_name(3), "unknown");
	CHECK_STR(gpuclient_engine_class_name(0xffff), "unknown");
	CHECK_STR(gpuclient_engine_class_name(UINT32_MAX), "unknown");
}

static const struct test tests[] = {
	TEST(open_missing_path, "opening a missing node fails with -ENOENT"),
	TEST(open_flags, "the node is opened O_RDWR | O_CLOEXEC | O_NONBLOCK"),
	TEST(open_default_path, "NULL path opens /dev/gpufe"),
	TEST(open_env_path, "NULL path honours $GPUFE_DEVICE"),
	TEST(open_path_beats_env, "an explicit path wins over $GPUFE_DEVICE"),
	TEST(open_version_mismatch, "another major version is refused"),
	TEST(open_newer_minor, "a newer minor version is accepted"),
	TEST(open_not_gpufe, "a node that is not gpufe fails with -ENOTTY"),
	TEST(open_version_eintr, "EINTR on the version ioctl is retried"),
	TEST(open_version_error, "a version ioctl error fails the open"),
	TEST(get_version, "the version is reported as the kernel gave it"),
	TEST(get_fd, "the handle's descriptor is the one opened"),
	TEST(close_null, "closing or freeing NULL does nothing"),
	TEST(close_releases_fd, "closing a handle closes its descriptor"),
	TEST(two_handles, "two handles are independent"),
	TEST(bad_args, "NULL arguments fail with -EINVAL, no ioctl"),
	TEST(ioctl_helper, "EINTR retried, EAGAIN and errors returned"),
	TEST(query_devices_none, "no device: count 0, NULL list"),
	TEST(query_devices_one, "one device, every field"),
	TEST(query_devices_several, "several devices, by ascending id"),
	TEST(query_devices_grew, "a device added after the probe: retried"),
	TEST(query_devices_shrank, "a device removed after the probe"),
	TEST(query_devices_last_attempt, "succeeds on the last attempt"),
	TEST(query_devices_keeps_growing, "bounded retries, then -EAGAIN"),
	TEST(query_eintr_retried, "EINTR on probe and fetch is retried"),
	TEST(query_eagain_not_retried, "EAGAIN is returned, not retried"),
	TEST(query_error_propagates, "kernel errors reach the caller"),
	TEST(query_no_discovery, "no discovery feature: -EOPNOTSUPP"),
	TEST(query_newer_kernel_entries, "a later kernel's larger entries are read by entry_size"),
	TEST(query_malformed_answer, "a malformed answer gives -EPROTO"),
	TEST(query_engines, "engines of one device, every field"),
	TEST(query_engines_none, "no usable engine: count 0, NULL list"),
	TEST(query_engines_unknown_device, "unknown device: -ENODEV"),
	TEST(query_engines_unplugged, "device gone after the probe: -ENODEV"),
	TEST(query_engines_grew, "an engine added after the probe: retried"),
	TEST(names_nul_terminated, "full-width names come back terminated"),
	TEST(engine_class_name, "engine class names, unknown included"),
};

static void test_cleanup(void)
{
	edu_cleanup();
	sched_cleanup();
	partition_cleanup();
	completion_cleanup();
	datapath_cleanup();
	gpuclient_close(t_h);
	gpuclient_close(t_h2);
	gpuclient_free_devices(t_devs);
	gpuclient_free_engines(t_engines);
	t_h = t_h2 = NULL;
	t_devs = NULL;
	t_engines = NULL;
	unsetenv(GPUCLIENT_DEVICE_ENV);
	unsetenv(GPUCLIENT_FD_ENV);
}

/* Test names are printed and selected in igt's lowercase-dash form. */
static const char *dashed(const char *name)
{
	static char buf[64];
	size_t i;

	for (i = 0; name[i] && i < sizeof(buf) - 1; i++)
		buf[i] = name[i] == '_' ? '-' : name[i];
	buf[i] = '\0';
	return buf;
}

/* Run one test in a fresh fake kernel; returns 1 if it passed. */
static int run_test(const struct test *t, unsigned int n)
{
	unsigned int leaked;

	fake_reset();
	unsetenv(GPUCLIENT_DEVICE_ENV);
	unsetenv(GPUCLIENT_FD_ENV);
	hook_budget = 0;
	hook_next_id = 0;
	test_failed = 0;

	printf("# %s: %s\n", dashed(t->name), t->desc);
	fflush(stdout);
	t->fn();
	/* Release what the test keeps; the fake fds must all go. */
	t_devs = t_devs == SENTINEL_DEVS ? NULL : t_devs;
	t_engines = t_engines == SENTINEL_ENGINES ? NULL : t_engines;
	test_cleanup();

	leaked = fake_close_leftovers();
	if (leaked && !test_failed)
		test_fail("%u gpufe descriptor(s) leaked", leaked);
	if (fk.einval && !test_failed)
		test_fail("the library sent %u malformed request(s)", fk.einval);
	if (fk.num_maps && !test_failed)
		test_fail("%u buffer or completion page mapping(s) leaked",
			  fk.num_maps);
	if (fk.blocking_reads && !test_failed)
		test_fail("the library read a blocking descriptor %u time(s)",
			  fk.blocking_reads);

	fflush(stderr);
	printf("%s %u - %s\n", test_failed ? "not ok" : "ok", n,
	       dashed(t->name));
	return !test_failed;
}

static int selected(const char *name, int argc, char **argv)
{
	int i;

	if (argc < 2)
		return 1;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], dashed(name)))
			return 1;
	return 0;
}

/* The tables, in the order they run. */
static const struct {
	const struct test *tests;
	const unsigned int *count;
} suites[] = {
	{ tests, NULL },
	{ datapath_tests, &num_datapath_tests },
	{ completion_tests, &num_completion_tests },
	{ partition_tests, &num_partition_tests },
	{ sched_tests, &num_sched_tests },
	{ edu_tests, &num_edu_tests },
};

static unsigned int suite_count(unsigned int s)
{
	return suites[s].count ? *suites[s].count : ARRAY_SIZE(tests);
}

int main(int argc, char **argv)
{
	unsigned int s, i, n = 0, passed = 0, failed = 0;

	for (s = 0; s < ARRAY_SIZE(suites); s++)
		for (i = 0; i < suite_count(s); i++)
			n += selected(suites[s].tests[i].name, argc, argv);
	printf("TAP version 13\n1..%u\n", n);

	n = 0;
	for (s = 0; s < ARRAY_SIZE(suites); s++) {
		for (i = 0; i < suite_count(s); i++) {
			const struct test *t = &suites[s].tests[i];

			if (!selected(t->name, argc, argv))
				continue;
			if (run_test(t, ++n))
				passed++;
			else
				failed++;
		}
	}

	printf("libgpuclient: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
