// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/*
 * Host unit tests for libgpuclient's partitions (interface 1.3): creating,
 * revoking and listing them, opening clients through a descriptor, by id
 * and through $GPUFE_FD, and the configuration register, read and mapped,
 * against the fake kernel in fake_kernel.c as a 1.3 one with two swgpu
 * devices (compute0, compute1, copy0, video0 each). test_gpuclient.c runs
 * them after the completion tests; partition_cleanup() releases what a
 * test left in the p_* variables.
 *
 * The usual partition is device 1's compute1 and copy0 (mask 0x6): its
 * clients see them as compute0 and copy0.
 */

#define _GNU_SOURCE	/* F_DUPFD_CLOEXEC */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gpuclient_priv.h"
#include "fake_kernel.h"
#include "harness.h"
#include "tests.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define MASK_COMPUTE1_COPY0	0x6ULL
#define QUOTA			(1ULL << 20)

/* Owned by the runner: released after every test. */
static gpuclient_handle p_h, p_h2, p_h3;
static int p_fds[8];
static unsigned int p_num_fds;
static struct gpuclient_partition_info *p_list;
static struct gpuclient_device_info *p_devs;
static struct gpuclient_engine_info *p_engines;
static const struct gpufe_config_reg *p_map;
static gpuclient_bo_handle p_bo;

/* What an untouched output parameter still holds. */
static char sentinel_obj;
#define SENTINEL_HANDLE	((gpuclient_handle)(void *)&sentinel_obj)
#define SENTINEL_LIST	((void *)&sentinel_obj)
#define SENTINEL_MAP	((const struct gpufe_config_reg *)(void *)&sentinel_obj)
#define SENTINEL_U32	0xdeadbeefu
#define SENTINEL_FD	(-12345)

void partition_cleanup(void)
{
	gpuclient_bo_destroy(p_bo);
	gpuclient_close(p_h);
	gpuclient_close(p_h2);
	gpuclient_close(p_h3);
	while (p_num_fds)
		close(p_fds[--p_num_fds]);
	gpuclient_free_partitions(p_list == SENTINEL_LIST ? NULL : p_list);
	gpuclient_free_devices(p_devs);
	gpuclient_free_engines(p_engines);
	if (p_map != SENTINEL_MAP)
		gpuclient_config_reg_unmap(p_map);
	p_bo = NULL;
	p_h = p_h2 = p_h3 = NULL;
	p_list = NULL;
	p_devs = NULL;
	p_engines = NULL;
	p_map = NULL;
	unsetenv(GPUCLIENT_FD_ENV);
}

/* Keep @fd until the test ends; returns it. */
static int keep_fd(int fd)
{
	if (fd >= 0 && p_num_fds < ARRAY_SIZE(p_fds))
		p_fds[p_num_fds++] = fd;
	return fd;
}

/* A 1.3 kernel with two swgpu devices; p_h an administrator's handle. */
static int setup(void)
{
	fake_set_partitions();
	if (!fake_add_swgpu(1, "swgpu0") || !fake_add_swgpu(2, "swgpu1"))
		return -ENOMEM;
	return gpuclient_open(FAKE_PATH, &p_h);
}

static struct gpuclient_partition_params usual_params(void)
{
	struct gpuclient_partition_params p = {
		.device_id = 1,
		.engine_mask = MASK_COMPUTE1_COPY0,
		.mem_quota = QUOTA,
		.weight = 100,
		.max_clients = 4,
	};

	return p;
}

/* The usual partition, its first client kept: its descriptor. */
static int usual_partition(uint32_t *id)
{
	struct gpuclient_partition_params params = usual_params();
	int fd, ret;

	ret = gpuclient_partition_create(p_h, &params, id, &fd);
	return ret ? ret : keep_fd(fd);
}

static const struct fake_client *fclient(gpuclient_handle h)
{
	return fake_client(gpuclient_get_fd(h));
}

static int has_fl(int fd, int flag)
{
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && (fl & flag);
}

/* --- creation -------------------------------------------------------- */

static void create_basic(void)
{
	const struct fake_partition *fp;
	uint32_t id = SENTINEL_U32;
	int fd = SENTINEL_FD, fdflags;

	CHECK_INT(setup(), ==, 0);
	{
		struct gpuclient_partition_params params = usual_params();

		CHECK_INT(gpuclient_partition_create(p_h, &params, &id, &fd),
			  ==, 0);
	}
	keep_fd(fd);
	CHECK_INT(id, ==, 1);
	CHECK(fake_fd_is_open(fd));
	CHECK(fd != gpuclient_get_fd(p_h));
	fdflags = fcntl(fd, F_GETFD);
	CHECK_INT(fdflags, >=, 0);
	CHECK(fdflags & FD_CLOEXEC);

	/* Every field reached the kernel as given. */
	CHECK_INT(fk.partition_creates, ==, 1);
	CHECK_INT(fk.last_partition_create.device_id, ==, 1);
	CHECK_INT(fk.last_partition_create.flags, ==, 0);
	CHECK(fk.last_partition_create.engine_mask == MASK_COMPUTE1_COPY0);
	CHECK(fk.last_partition_create.mem_quota == QUOTA);
	CHECK_INT(fk.last_partition_create.weight, ==, 100);
	CHECK_INT(fk.last_partition_create.max_clients, ==, 4);
	CHECK_INT(fk.last_partition_create.node_uid, ==, 0);
	CHECK_INT(fk.last_partition_create.node_gid, ==, 0);
	CHECK_INT(fk.last_partition_create.node_mode, ==, 0);
	CHECK_INT(fk.last_partition_create.engine_timeout_ms, ==, 0);

	fp = fake_partition(id);
	CHECK(fp && !fp->ended);
	CHECK(fake_client(fd)->part == fp);
	CHECK_INT(fake_partition_clients(fp), ==, 1);
}

static void create_persistent(void)
{
	struct gpuclient_partition_params params = usual_params();
	const struct fake_partition *fp;
	uint32_t id = 0;
	unsigned int fds;

	CHECK_INT(setup(), ==, 0);
	params.flags = GPUCLIENT_PARTITION_PERSISTENT;
	params.node_uid = 1000;
	params.node_gid = 100;
	params.node_mode = 0660;
	fds = fk.num_fds;
	/* No descriptor wanted: the library closes the first client. */
	CHECK_INT(gpuclient_partition_create(p_h, &params, &id, NULL), ==, 0);
	CHECK_INT(fk.num_fds, ==, fds);
	CHECK_INT(fk.last_partition_create.flags, ==,
		  GPUFE_PARTITION_PERSISTENT);
	CHECK_INT(fk.last_partition_create.node_uid, ==, 1000);
	CHECK_INT(fk.last_partition_create.node_gid, ==, 100);
	CHECK_INT(fk.last_partition_create.node_mode, ==, 0660);

	/* It outlives its clients. */
	fp = fake_partition(id);
	CHECK(fp && !fp->ended);
	CHECK_INT(fake_partition_clients(fp), ==, 0);

	/* The id is optional too. */
	CHECK_INT(gpuclient_partition_create(p_h, &params, NULL, NULL), ==, 0);
	CHECK(fake_partition(id + 1) != NULL);
}

static void create_ends_with_last_client(void)
{
	uint32_t id = 0;
	int fd;

	CHECK_INT(setup(), ==, 0);
	fd = usual_partition(&id);
	CHECK_INT(fd, >=, 0);
	CHECK(fake_partition(id) != NULL);
	CHECK_INT(gpuclient_open_fd(fd, &p_h2), ==, 0);
	/* The creator's descriptor goes; the client opened through it stays. */
	close(p_fds[--p_num_fds]);
	CHECK(fake_partition(id) && !fake_partition(id)->ended);
	gpuclient_close(p_h2);
	p_h2 = NULL;
	CHECK(fake_partition(id) == NULL);
}

static void create_bad_args(void)
{
	struct gpuclient_partition_params params = usual_params();
	uint32_t id = SENTINEL_U32;
	int fd = SENTINEL_FD;
	unsigned int calls;

	CHECK_INT(setup(), ==, 0);
	calls = fk.ioctl_calls;
	CHECK_INT(gpuclient_partition_create(NULL, &params, &id, &fd), ==,
		  -EINVAL);
	CHECK_INT(gpuclient_partition_create(p_h, NULL, &id, &fd), ==,
		  -EINVAL);
	params.flags = 0x2;
	CHECK_INT(gpuclient_partition_create(p_h, &params, &id, &fd), ==,
		  -EINVAL);
	params.flags = 0x80000000u | GPUCLIENT_PARTITION_PERSISTENT;
	CHECK_INT(gpuclient_partition_create(p_h, &params, &id, &fd), ==,
		  -EINVAL);
	/* Its only client closed at once: the partition would end. */
	params.flags = 0;
	CHECK_INT(gpuclient_partition_create(p_h, &params, &id, NULL), ==,
		  -EINVAL);
	CHECK_INT(fk.ioctl_calls, ==, calls);
	CHECK_INT(id, ==, SENTINEL_U32);
	CHECK_INT(fd, ==, SENTINEL_FD);
}

/* One field wrong, everything else valid: what the kernel answers. */
static void create_kernel_errors(void)
{
	static const struct {
		const char *what;
		uint32_t device_id, flags, weight, node_uid, node_mode;
		uint64_t engine_mask;
		int ret;
	} cases[] = {
		{ "mask 0", 1, 0, 100, 0, 0, 0, -EINVAL },
		{ "mask beyond", 1, 0, 100, 0, 0, 0x10, -EINVAL },
		{ "weight 0", 1, 0, 0, 0, 0, 0x6, -EINVAL },
		{ "weight max+1", 1, 0, GPUCLIENT_PARTITION_MAX_WEIGHT + 1, 0,
		  0, 0x6, -EINVAL },
		{ "node without persistent", 1, 0, 100, 1000, 0, 0x6,
		  -EINVAL },
		{ "mode beyond 0777", 1, GPUCLIENT_PARTITION_PERSISTENT, 100,
		  0, 01777, 0x6, -EINVAL },
		{ "device 0", 0, 0, 100, 0, 0, 0x6, -ENODEV },
		{ "device unknown", 3, 0, 100, 0, 0, 0x6, -ENODEV },
	};
	uint32_t id = SENTINEL_U32;
	int fd = SENTINEL_FD;
	unsigned int i;

	CHECK_INT(setup(), ==, 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct gpuclient_partition_params params = {
			.device_id = cases[i].device_id,
			.flags = cases[i].flags,
			.engine_mask = cases[i].engine_mask,
			.weight = cases[i].weight,
			.node_uid = cases[i].node_uid,
			.node_mode = cases[i].node_mode,
		};
		int ret = gpuclient_partition_create(p_h, &params, &id, &fd);

		if (ret != cases[i].ret) {
			test_fail("%s: %d, want %d", cases[i].what, ret,
				  cases[i].ret);
			return;
		}
	}
	CHECK_INT(id, ==, SENTINEL_U32);
	CHECK_INT(fd, ==, SENTINEL_FD);
	CHECK_INT(fk.partition_creates, ==, 0);
	CHECK_INT(fk.num_fds, ==, 1);
	fk.einval = 0;		/* provoked */
}

static void create_denied(void)
{
	struct gpuclient_partition_params params = usual_params();
	uint32_t id = SENTINEL_U32;
	int fd = SENTINEL_FD;

	CHECK_INT(setup(), ==, 0);
	fk.not_admin = 1;
	CHECK_INT(gpuclient_partition_create(p_h, &params, &id, &fd), ==,
		  -EPERM);
	fk.not_admin = 0;

	/* A partition's client cannot make partitions. */
	CHECK_INT(keep_fd(fake_partition_add(1, 0x1, 0)), >=, 0);
	CHECK_INT(gpuclient_open_fd(p_fds[0], &p_h2), ==, 0);
	CHECK_INT(gpuclient_partition_create(p_h2, &params, &id, &fd), ==,
		  -EPERM);

	/* No id left. */
	fk.max_partitions = 1;
	CHECK_INT(gpuclient_partition_create(p_h, &params, &id, &fd), ==,
		  -ENOSPC);
	fk.max_partitions = FAKE_MAX_PARTITIONS;

	/* Other kernel errors come through unchanged. */
	fake_inject(EMFILE);
	CHECK_INT(gpuclient_partition_create(p_h, &params, &id, &fd), ==,
		  -EMFILE);
	fake_inject(EINTR);
	CHECK_INT(gpuclient_partition_create(p_h, &params, &id, &fd), ==, 0);
	keep_fd(fd);
	CHECK_INT(id, ==, 2);
}

/* Every 1.3 call on a 1.2 kernel: -EOPNOTSUPP, and no ioctl. */
static void old_kernel(void)
{
	struct gpuclient_partition_params params = usual_params();
	struct gpuclient_partition_info *list = SENTINEL_LIST;
	struct gpuclient_config_reg reg;
	gpuclient_handle h = SENTINEL_HANDLE;
	uint32_t n = SENTINEL_U32, id = SENTINEL_U32;
	int fd = SENTINEL_FD;
	unsigned int calls;

	fake_set_completion_page();
	CHECK(fake_add_swgpu(1, "swgpu0"));
	CHECK_INT(gpuclient_open(FAKE_PATH, &p_h), ==, 0);
	calls = fk.ioctl_calls;
	memset(&reg, 0xa5, sizeof(reg));
	CHECK_INT(gpuclient_partition_create(p_h, &params, &id, &fd), ==,
		  -EOPNOTSUPP);
	CHECK_INT(gpuclient_partition_revoke(p_h, 1), ==, -EOPNOTSUPP);
	CHECK_INT(gpuclient_open_partition(p_h, 1, &h), ==, -EOPNOTSUPP);
	CHECK_INT(gpuclient_query_partitions(p_h, &list, &n), ==,
		  -EOPNOTSUPP);
	CHECK_INT(gpuclient_config_reg(p_h, 1, &reg), ==, -EOPNOTSUPP);
	CHECK_INT(gpuclient_config_reg_map(p_h, &p_map), ==, -EOPNOTSUPP);
	CHECK_INT(fk.ioctl_calls, ==, calls);
	CHECK(h == SENTINEL_HANDLE);
	CHECK(list == SENTINEL_LIST);
	CHECK(p_map == NULL);
	CHECK_INT(n, ==, SENTINEL_U32);
	CHECK_INT(id, ==, SENTINEL_U32);
	CHECK_INT(fd, ==, SENTINEL_FD);
	CHECK_INT(reg.partition_id, ==, 0xa5a5a5a5u);
}

/* --- revocation ------------------------------------------------------ */

static void revoke_basic(void)
{
	struct gpuclient_partition_params params = usual_params();
	uint32_t id = 0, n = 0;

	CHECK_INT(setup(), ==, 0);
	params.flags = GPUCLIENT_PARTITION_PERSISTENT;
	CHECK_INT(gpuclient_partition_create(p_h, &params, &id, NULL), ==, 0);
	CHECK_INT(gpuclient_partition_revoke(p_h, id), ==, 0);
	CHECK(fake_partition(id) == NULL);
	CHECK_INT(gpuclient_query_partitions(p_h, &p_list, &n), ==, 0);
	CHECK_INT(n, ==, 0);
	CHECK(p_list == NULL);
	/* Gone: a second revoke names nothing. */
	CHECK_INT(gpuclient_partition_revoke(p_h, id), ==, -ENOENT);
}

static void revoke_errors(void)
{
	uint32_t id = 0;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(usual_partition(&id), >=, 0);
	CHECK_INT(gpuclient_partition_revoke(NULL, id), ==, -EINVAL);
	CHECK_INT(gpuclient_partition_revoke(p_h, 0), ==, -ENOENT);
	CHECK_INT(gpuclient_partition_revoke(p_h, id + 1), ==, -ENOENT);
	CHECK_INT(gpuclient_partition_revoke(p_h, UINT32_MAX), ==, -ENOENT);
	fk.not_admin = 1;
	CHECK_INT(gpuclient_partition_revoke(p_h, id), ==, -EPERM);
	fk.not_admin = 0;
	/* Not from inside, not even its own. */
	CHECK_INT(gpuclient_open_fd(p_fds[0], &p_h2), ==, 0);
	CHECK_INT(gpuclient_partition_revoke(p_h2, id), ==, -EPERM);
	CHECK(!fake_partition(id)->ended);
}

/* Revoked under its clients: they get -ENODEV, the page says so. */
static void revoke_live_clients(void)
{
	struct gpuclient_device_info *devs = SENTINEL_LIST;
	gpuclient_handle h = SENTINEL_HANDLE;
	uint32_t id = 0, n = SENTINEL_U32;
	uint32_t flags;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(usual_partition(&id), >=, 0);
	CHECK_INT(gpuclient_open_fd(p_fds[0], &p_h2), ==, 0);
	CHECK_INT(gpuclient_config_reg_map(p_h2, &p_map), ==, 0);
	flags = __atomic_load_n(&p_map->flags, __ATOMIC_ACQUIRE);
	CHECK(!(flags & GPUCLIENT_CONFIG_REG_REVOKED));

	CHECK_INT(gpuclient_partition_revoke(p_h, id), ==, 0);
	flags = __atomic_load_n(&p_map->flags, __ATOMIC_ACQUIRE);
	CHECK(flags & GPUCLIENT_CONFIG_REG_REVOKED);
	CHECK_INT(gpuclient_query_devices(p_h2, &devs, &n), ==, -ENODEV);
	CHECK_INT(gpuclient_bo_create(p_h2, 4096, &p_bo), ==, -ENODEV);
	CHECK_INT(gpuclient_open_partition(p_h2, 0, &h), ==, -ENODEV);
	CHECK_INT(gpuclient_open_fd(p_fds[0], &h), ==, -ENODEV);
	CHECK(devs == SENTINEL_LIST);
	CHECK(h == SENTINEL_HANDLE);
	CHECK(p_bo == NULL);
	/* The admin's view: no such partition any more. */
	CHECK_INT(gpuclient_open_partition(p_h, id, &h), ==, -ENOENT);
	CHECK_INT(gpuclient_query_partitions(p_h, &p_list, &n), ==, 0);
	CHECK_INT(n, ==, 0);
}

/* --- clients through a descriptor ------------------------------------ */

static void open_fd_partition(void)
{
	static const char *const want[] = { "compute0", "copy0" };
	const struct fake_client *c;
	gpuclient_ctx_handle ctx = NULL;
	uint32_t id = 0, n = 0, i;
	int fd, fdflags;

	CHECK_INT(setup(), ==, 0);
	fd = usual_partition(&id);
	CHECK_INT(fd, >=, 0);
	CHECK_INT(gpuclient_open_fd(fd, &p_h2), ==, 0);

	/* A new client of the partition, on a descriptor of its own. */
	CHECK_INT(fk.partition_opens, ==, 1);
	c = fclient(p_h2);
	CHECK(c != NULL);
	CHECK(c != fake_client(fd));
	CHECK(c->part == fake_partition(id));
	CHECK_INT(fake_partition_clients(fake_partition(id)), ==, 2);
	fdflags = fcntl(gpuclient_get_fd(p_h2), F_GETFD);
	CHECK_INT(fdflags, >=, 0);
	CHECK(fdflags & FD_CLOEXEC);
	CHECK(has_fl(gpuclient_get_fd(p_h2), O_NONBLOCK));
	/* The caller's descriptor is left as it was. */
	CHECK(fake_fd_is_open(fd));
	CHECK(!has_fl(fd, O_NONBLOCK));

	/* It sees its device alone, and its engines densely numbered. */
	CHECK_INT(gpuclient_query_devices(p_h2, &p_devs, &n), ==, 0);
	CHECK_INT(n, ==, 1);
	CHECK_INT(p_devs[0].device_id, ==, 1);
	CHECK_INT(p_devs[0].num_engines, ==, 2);
	CHECK_INT(gpuclient_query_engines(p_h2, 1, &p_engines, &n), ==, 0);
	CHECK_INT(n, ==, ARRAY_SIZE(want));
	for (i = 0; i < n; i++) {
		CHECK_STR(p_engines[i].name, want[i]);
		CHECK_INT(p_engines[i].engine_instance, ==, 0);
	}
	CHECK_INT(gpuclient_query_engines(p_h2, 2, &p_engines, &n), ==,
		  -ENODEV);

	/* Contexts in its numbering: its compute0 is there, compute1 not. */
	CHECK_INT(gpuclient_ctx_create(p_h2, 1, GPUCLIENT_ENGINE_CLASS_COMPUTE,
				       0, GPUCLIENT_PRIORITY_NORMAL, &ctx),
		  ==, 0);
	gpuclient_ctx_destroy(ctx);
	ctx = NULL;
	CHECK_INT(gpuclient_ctx_create(p_h2, 1, GPUCLIENT_ENGINE_CLASS_COMPUTE,
				       1, GPUCLIENT_PRIORITY_NORMAL, &ctx),
		  ==, -ENOENT);
	CHECK_INT(gpuclient_ctx_create(p_h2, 1, GPUCLIENT_ENGINE_CLASS_VIDEO,
				       0, GPUCLIENT_PRIORITY_NORMAL, &ctx),
		  ==, -ENOENT);
	CHECK(ctx == NULL);
}

static void open_fd_outlives_fd(void)
{
	uint32_t id = 0;
	int fd;

	CHECK_INT(setup(), ==, 0);
	fd = usual_partition(&id);
	CHECK_INT(gpuclient_open_fd(fd, &p_h2), ==, 0);
	close(p_fds[--p_num_fds]);
	CHECK(!fake_fd_is_open(fd));
	CHECK_INT(gpuclient_bo_create(p_h2, 4096, &p_bo), ==, 0);
	CHECK(fake_partition(id) && !fake_partition(id)->ended);
}

static void open_fd_plain(void)
{
	unsigned int opens;
	int fd;

	CHECK_INT(setup(), ==, 0);
	fd = keep_fd(open(FAKE_PATH, O_RDWR | O_CLOEXEC));
	CHECK_INT(fd, >=, 0);
	opens = fk.partition_opens;
	CHECK_INT(gpuclient_open_fd(fd, &p_h2), ==, 0);
	/* PARTITION_OPEN answered -EINVAL: a duplicate, the same client. */
	CHECK_INT(fk.einval, ==, 1);
	fk.einval = 0;
	CHECK_INT(fk.partition_opens, ==, opens);
	CHECK(gpuclient_get_fd(p_h2) != fd);
	CHECK(fclient(p_h2) == fake_client(fd));
	CHECK(fcntl(gpuclient_get_fd(p_h2), F_GETFD) & FD_CLOEXEC);
	/* A buffer made through the handle is the descriptor's client's. */
	CHECK_INT(gpuclient_bo_create(p_h2, 4096, &p_bo), ==, 0);
	CHECK(fake_bo(fd, gpuclient_bo_get_handle(p_bo)) != NULL);
	/* The shared file is non-blocking now, as documented. */
	CHECK(has_fl(fd, O_NONBLOCK));

	/* Closing the handle leaves the caller's descriptor open. */
	gpuclient_bo_destroy(p_bo);
	p_bo = NULL;
	gpuclient_close(p_h2);
	p_h2 = NULL;
	CHECK(fake_fd_is_open(fd));
	CHECK(fake_client(fd) != NULL);
}

static void open_fd_old_kernel(void)
{
	unsigned int calls;
	int fd;

	fake_set_completion_page();
	CHECK(fake_add_swgpu(1, "swgpu0"));
	fd = keep_fd(open(FAKE_PATH, O_RDWR | O_CLOEXEC | O_NONBLOCK));
	CHECK_INT(fd, >=, 0);
	calls = fk.ioctl_calls;
	CHECK_INT(gpuclient_open_fd(fd, &p_h), ==, 0);
	/* VERSION only: a 1.2 kernel is never sent PARTITION_OPEN. */
	CHECK_INT(fk.ioctl_calls, ==, calls + 1);
	CHECK(fclient(p_h) == fake_client(fd));
}

static void open_fd_errors(void)
{
	gpuclient_handle h = SENTINEL_HANDLE;
	unsigned int fds;
	uint32_t id = 0;
	int fd, devnull;

	CHECK_INT(setup(), ==, 0);
	fd = usual_partition(&id);
	CHECK_INT(fd, >=, 0);
	fds = fk.num_fds;

	CHECK_INT(gpuclient_open_fd(fd, NULL), ==, -EINVAL);
	CHECK_INT(gpuclient_open_fd(-1, &h), ==, -EBADF);
	CHECK_INT(gpuclient_open_fd(INT32_MIN, &h), ==, -EBADF);
	CHECK_INT(gpuclient_open_fd(1000, &h), ==, -EBADF);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK_INT(devnull, >=, 0);
	CHECK_INT(gpuclient_open_fd(devnull, &h), ==, -ENOTTY);
	close(devnull);

	fk.version.major = GPUFE_VERSION_MAJOR + 1;
	CHECK_INT(gpuclient_open_fd(fd, &h), ==, -EPROTONOSUPPORT);
	fk.version.major = GPUFE_VERSION_MAJOR;

	/* The new client's descriptor cannot be made non-blocking. */
	fk.fcntl_cmd = F_SETFL;
	fk.fcntl_error = EIO;
	CHECK_INT(gpuclient_open_fd(fd, &h), ==, -EIO);
	/* No duplicate left for a plain descriptor either. */
	fk.fcntl_cmd = F_DUPFD_CLOEXEC;
	fk.fcntl_error = EMFILE;
	CHECK_INT(gpuclient_open_fd(gpuclient_get_fd(p_h), &h), ==, -EMFILE);
	fk.einval = 0;		/* the plain descriptor's PARTITION_OPEN */

	fake_inject(0);		/* VERSION */
	fake_inject(EMFILE);	/* PARTITION_OPEN */
	CHECK_INT(gpuclient_open_fd(fd, &h), ==, -EMFILE);

	CHECK(h == SENTINEL_HANDLE);
	CHECK_INT(fk.num_fds, ==, fds);
	CHECK_INT(fake_partition_clients(fake_partition(id)), ==, 1);
}

static void open_fd_max_clients(void)
{
	struct gpuclient_partition_params params = usual_params();
	gpuclient_handle h = SENTINEL_HANDLE;
	uint32_t id = 0;
	int fd;

	CHECK_INT(setup(), ==, 0);
	params.max_clients = 2;
	CHECK_INT(gpuclient_partition_create(p_h, &params, &id, &fd), ==, 0);
	keep_fd(fd);
	/* The creator's descriptor is the first of the two. */
	CHECK_INT(gpuclient_open_fd(fd, &p_h2), ==, 0);
	CHECK_INT(gpuclient_open_fd(fd, &h), ==, -EUSERS);
	CHECK_INT(gpuclient_open_partition(p_h2, 0, &h), ==, -EUSERS);
	CHECK(h == SENTINEL_HANDLE);
	gpuclient_close(p_h2);
	p_h2 = NULL;
	CHECK_INT(gpuclient_open_fd(fd, &p_h2), ==, 0);
}

/* --- $GPUFE_FD -------------------------------------------------------- */

static void env_fd(void)
{
	char num[16];
	uint32_t id = 0;
	int fd;

	CHECK_INT(setup(), ==, 0);
	fd = usual_partition(&id);
	snprintf(num, sizeof(num), "%d", fd);
	CHECK_INT(setenv(GPUCLIENT_FD_ENV, num, 1), ==, 0);
	/* It wins over $GPUFE_DEVICE: the partition is not left behind. */
	CHECK_INT(setenv(GPUCLIENT_DEVICE_ENV, "/nonexistent/other", 1), ==, 0);
	fk.last_open_path[0] = '\0';
	CHECK_INT(gpuclient_open(NULL, &p_h2), ==, 0);
	CHECK_STR(fk.last_open_path, "");
	CHECK(fclient(p_h2)->part == fake_partition(id));
	CHECK(fclient(p_h2) != fake_client(fd));
	CHECK(has_fl(gpuclient_get_fd(p_h2), O_NONBLOCK));
	/* Each open is a client of its own. */
	CHECK_INT(gpuclient_open(NULL, &p_h3), ==, 0);
	CHECK(fclient(p_h3) != fclient(p_h2));
	CHECK_INT(fake_partition_clients(fake_partition(id)), ==, 3);
}

static void env_fd_invalid(void)
{
	static const char *const bad[] = {
		"", "x", "-1", "+3", " 3", "3 ", "3x", "0x3", "2147483648",
		"99999999999999999999",
	};
	gpuclient_handle h = SENTINEL_HANDLE;
	unsigned int i, calls;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(setenv(GPUCLIENT_DEVICE_ENV, FAKE_PATH, 1), ==, 0);
	calls = fk.ioctl_calls;
	fk.last_open_path[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret;

		CHECK_INT(setenv(GPUCLIENT_FD_ENV, bad[i], 1), ==, 0);
		ret = gpuclient_open(NULL, &h);
		if (ret != -EINVAL) {
			test_fail("GPUFE_FD='%s': %d, want -EINVAL", bad[i],
				  ret);
			return;
		}
	}
	/* A number, but no descriptor there. */
	CHECK_INT(setenv(GPUCLIENT_FD_ENV, "1000", 1), ==, 0);
	CHECK_INT(gpuclient_open(NULL, &h), ==, -EBADF);
	/* Never a fallback to a node. */
	CHECK_STR(fk.last_open_path, "");
	CHECK_INT(fk.ioctl_calls, ==, calls);
	CHECK(h == SENTINEL_HANDLE);
}

static void env_fd_path_wins(void)
{
	CHECK_INT(setup(), ==, 0);
	CHECK_INT(setenv(GPUCLIENT_FD_ENV, "x", 1), ==, 0);
	CHECK_INT(gpuclient_open(FAKE_PATH, &p_h2), ==, 0);
	CHECK_STR(fk.last_open_path, FAKE_PATH);
	CHECK(fclient(p_h2)->part == NULL);
}

static void env_fd_plain(void)
{
	char num[16];

	CHECK_INT(setup(), ==, 0);
	snprintf(num, sizeof(num), "%d", gpuclient_get_fd(p_h));
	CHECK_INT(setenv(GPUCLIENT_FD_ENV, num, 1), ==, 0);
	CHECK_INT(gpuclient_open(NULL, &p_h2), ==, 0);
	CHECK(fclient(p_h2) == fclient(p_h));
	CHECK(gpuclient_get_fd(p_h2) != gpuclient_get_fd(p_h));
	fk.einval = 0;		/* the plain descriptor's PARTITION_OPEN */
}

/* --- clients by id --------------------------------------------------- */

static void open_partition_admin(void)
{
	struct gpuclient_partition_params params = usual_params();
	uint32_t id = 0;

	CHECK_INT(setup(), ==, 0);
	params.flags = GPUCLIENT_PARTITION_PERSISTENT;
	CHECK_INT(gpuclient_partition_create(p_h, &params, &id, NULL), ==, 0);
	CHECK_INT(gpuclient_open_partition(p_h, id, &p_h2), ==, 0);
	CHECK(fclient(p_h2)->part == fake_partition(id));
	CHECK(fcntl(gpuclient_get_fd(p_h2), F_GETFD) & FD_CLOEXEC);
	CHECK(has_fl(gpuclient_get_fd(p_h2), O_NONBLOCK));
	/* Independent of the handle it was opened through. */
	gpuclient_close(p_h);
	p_h = NULL;
	CHECK_INT(gpuclient_bo_create(p_h2, 4096, &p_bo), ==, 0);

	/* From inside: its own partition, by 0 or by id. */
	CHECK_INT(gpuclient_open_partition(p_h2, 0, &p_h3), ==, 0);
	CHECK(fclient(p_h3)->part == fake_partition(id));
	gpuclient_close(p_h3);
	p_h3 = NULL;
	CHECK_INT(gpuclient_open_partition(p_h2, id, &p_h3), ==, 0);
	CHECK_INT(fake_partition_clients(fake_partition(id)), ==, 2);
}

static void open_partition_errors(void)
{
	struct gpuclient_partition_params params = usual_params();
	gpuclient_handle h = SENTINEL_HANDLE;
	uint32_t id = 0, other = 0;

	CHECK_INT(setup(), ==, 0);
	params.flags = GPUCLIENT_PARTITION_PERSISTENT;
	CHECK_INT(gpuclient_partition_create(p_h, &params, &id, NULL), ==, 0);
	CHECK_INT(gpuclient_partition_create(p_h, &params, &other, NULL), ==,
		  0);

	CHECK_INT(gpuclient_open_partition(NULL, id, &h), ==, -EINVAL);
	CHECK_INT(gpuclient_open_partition(p_h, id, NULL), ==, -EINVAL);
	CHECK_INT(gpuclient_open_partition(p_h, 0, &h), ==, -EINVAL);
	fk.einval = 0;		/* provoked: 0 from outside a partition */
	CHECK_INT(gpuclient_open_partition(p_h, other + 1, &h), ==, -ENOENT);
	fk.not_admin = 1;
	CHECK_INT(gpuclient_open_partition(p_h, id, &h), ==, -EPERM);
	fk.not_admin = 0;
	/* From inside one partition, not another. */
	CHECK_INT(gpuclient_open_partition(p_h, id, &p_h2), ==, 0);
	CHECK_INT(gpuclient_open_partition(p_h2, other, &h), ==, -EPERM);
	CHECK(h == SENTINEL_HANDLE);
	CHECK_INT(fk.num_fds, ==, 2);
}

/* --- the list ---------------------------------------------------------- */

static void add_partition_hook(const struct gpufe_query *q)
{
	if (q->query == GPUFE_QUERY_PARTITIONS && fk.partition_creates < 2)
		keep_fd(fake_partition_add(2, 0x1, 0));
}

static void query_partitions(void)
{
	struct gpuclient_partition_params params = usual_params();
	uint32_t id1 = 0, id2 = 0, n = 0;
	int fd;

	CHECK_INT(setup(), ==, 0);
	fd = usual_partition(&id1);
	CHECK_INT(fd, >=, 0);
	params.device_id = 2;
	params.flags = GPUCLIENT_PARTITION_PERSISTENT;
	params.engine_mask = 0x9;	/* compute0, video0 */
	params.mem_quota = 0;
	params.weight = GPUCLIENT_PARTITION_MAX_WEIGHT;
	params.max_clients = 0;
	CHECK_INT(gpuclient_partition_create(p_h, &params, &id2, NULL), ==, 0);
	CHECK_INT(gpuclient_open_fd(fd, &p_h2), ==, 0);
	CHECK_INT(gpuclient_bo_create(p_h2, 8192, &p_bo), ==, 0);

	CHECK_INT(gpuclient_query_partitions(p_h, &p_list, &n), ==, 0);
	CHECK_INT(n, ==, 2);
	CHECK_INT(p_list[0].partition_id, ==, id1);
	CHECK_INT(p_list[0].device_id, ==, 1);
	CHECK(p_list[0].engine_mask == MASK_COMPUTE1_COPY0);
	CHECK(p_list[0].mem_quota == QUOTA);
	CHECK(p_list[0].mem_used == 8192);
	CHECK_INT(p_list[0].weight, ==, 100);
	CHECK_INT(p_list[0].flags, ==, 0);
	CHECK_INT(p_list[0].max_clients, ==, 4);
	CHECK_INT(p_list[0].num_clients, ==, 2);
	CHECK_INT(p_list[1].partition_id, ==, id2);
	CHECK_INT(p_list[1].device_id, ==, 2);
	CHECK(p_list[1].engine_mask == 0x9);
	CHECK(p_list[1].mem_quota == 0);
	CHECK(p_list[1].mem_used == 0);
	CHECK_INT(p_list[1].weight, ==, GPUCLIENT_PARTITION_MAX_WEIGHT);
	CHECK_INT(p_list[1].flags, ==, GPUCLIENT_PARTITION_PERSISTENT);
	CHECK_INT(p_list[1].max_clients, ==, 0);
	CHECK_INT(p_list[1].num_clients, ==, 0);
	gpuclient_free_partitions(p_list);
	p_list = NULL;

	/* From inside: its own, its mask in its own numbering. */
	CHECK_INT(gpuclient_query_partitions(p_h2, &p_list, &n), ==, 0);
	CHECK_INT(n, ==, 1);
	CHECK_INT(p_list[0].partition_id, ==, id1);
	CHECK(p_list[0].engine_mask == 0x3);
	CHECK(p_list[0].mem_used == 8192);
}

static void query_partitions_grew(void)
{
	uint32_t n = 0;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(usual_partition(NULL), >=, 0);
	fk.after_probe = add_partition_hook;
	CHECK_INT(gpuclient_query_partitions(p_h, &p_list, &n), ==, 0);
	fk.after_probe = NULL;
	CHECK_INT(n, ==, 2);
	CHECK_INT(fk.enospc, ==, 1);
	CHECK_INT(p_list[1].device_id, ==, 2);
}

static void query_partitions_bad(void)
{
	struct gpuclient_partition_info *list = SENTINEL_LIST;
	uint32_t n = SENTINEL_U32;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(usual_partition(NULL), >=, 0);
	CHECK_INT(gpuclient_query_partitions(NULL, &list, &n), ==, -EINVAL);
	CHECK_INT(gpuclient_query_partitions(p_h, NULL, &n), ==, -EINVAL);
	CHECK_INT(gpuclient_query_partitions(p_h, &list, NULL), ==, -EINVAL);
	fk.corrupt_count = 1;
	CHECK_INT(gpuclient_query_partitions(p_h, &list, &n), ==, -EPROTO);
	fk.corrupt_count = -1;
	CHECK_INT(gpuclient_query_partitions(p_h, &list, &n), ==, -EPROTO);
	fk.corrupt_count = 0;
	fk.entry_extra = -8;
	CHECK_INT(gpuclient_query_partitions(p_h, &list, &n), ==, -EPROTO);
	fake_inject(EFAULT);
	fk.entry_extra = 0;
	CHECK_INT(gpuclient_query_partitions(p_h, &list, &n), ==, -EFAULT);
	CHECK(list == SENTINEL_LIST);
	CHECK_INT(n, ==, SENTINEL_U32);

	/* A later kernel's larger entries are read by their entry size. */
	fk.entry_extra = 16;
	CHECK_INT(gpuclient_query_partitions(p_h, &p_list, &n), ==, 0);
	CHECK_INT(n, ==, 1);
	CHECK(p_list[0].engine_mask == MASK_COMPUTE1_COPY0);
}

/* --- the register ------------------------------------------------------ */

static void config_reg_whole_device(void)
{
	struct gpuclient_config_reg reg;

	CHECK_INT(setup(), ==, 0);
	memset(&reg, 0xa5, sizeof(reg));
	CHECK_INT(gpuclient_config_reg(p_h, 2, &reg), ==, 0);
	CHECK_INT(reg.partition_id, ==, 0);
	CHECK_INT(reg.device_id, ==, 2);
	CHECK(reg.engine_mask == 0xf);
	CHECK_INT(reg.engines[GPUCLIENT_ENGINE_CLASS_COMPUTE], ==, 2);
	CHECK_INT(reg.engines[GPUCLIENT_ENGINE_CLASS_COPY], ==, 1);
	CHECK_INT(reg.engines[GPUCLIENT_ENGINE_CLASS_VIDEO], ==, 1);
	CHECK_INT(reg.engines[3], ==, 0);
	CHECK(reg.mem_quota == 0);
	CHECK_INT(reg.weight, ==, 0);
	CHECK_INT(reg.flags, ==, 0);
	CHECK_INT(reg.max_clients, ==, 0);
}

static void config_reg_partition(void)
{
	struct gpuclient_partition_params params = usual_params();
	struct gpuclient_config_reg reg;
	uint32_t id = 0;

	CHECK_INT(setup(), ==, 0);
	params.flags = GPUCLIENT_PARTITION_PERSISTENT;
	CHECK_INT(gpuclient_partition_create(p_h, &params, &id, NULL), ==, 0);
	CHECK_INT(gpuclient_open_partition(p_h, id, &p_h2), ==, 0);
	memset(&reg, 0xa5, sizeof(reg));
	CHECK_INT(gpuclient_config_reg(p_h2, 1, &reg), ==, 0);
	CHECK_INT(reg.partition_id, ==, id);
	CHECK_INT(reg.device_id, ==, 1);
	CHECK(reg.engine_mask == 0x3);
	CHECK_INT(reg.engines[GPUCLIENT_ENGINE_CLASS_COMPUTE], ==, 1);
	CHECK_INT(reg.engines[GPUCLIENT_ENGINE_CLASS_COPY], ==, 1);
	CHECK_INT(reg.engines[GPUCLIENT_ENGINE_CLASS_VIDEO], ==, 0);
	CHECK_INT(reg.engines[3], ==, 0);
	CHECK(reg.mem_quota == QUOTA);
	CHECK_INT(reg.weight, ==, 100);
	CHECK_INT(reg.flags, ==, GPUCLIENT_CONFIG_REG_DENSE |
				 GPUCLIENT_CONFIG_REG_PERSISTENT);
	CHECK_INT(reg.max_clients, ==, 4);
	/* Another device does not exist for it. */
	CHECK_INT(gpuclient_config_reg(p_h2, 2, &reg), ==, -ENODEV);
	CHECK_INT(reg.partition_id, ==, id);
}

static void config_reg_bad(void)
{
	static const struct {
		int corrupt;
		int ret;
	} cases[] = {
		{ 1, -EPROTO },			/* magic */
		{ 2, -EPROTONOSUPPORT },	/* version */
		{ 3, -EPROTO },			/* size below version 1's */
		{ 4, -EPROTO },			/* counts and mask disagree */
		{ 5, -EPROTO },			/* another device's */
		{ 6, -EPROTO },			/* no engine */
		{ 7, -EPROTO },			/* an unknown flag */
		{ 8, -EPROTO },			/* pad */
		{ 9, -EPROTO },			/* whole device, weight 1 */
		{ 10, -EPROTO },		/* dense, not the low bits */
		{ 11, -EPROTO },		/* size beyond the answer */
	};
	struct gpuclient_config_reg reg;
	unsigned int i;

	CHECK_INT(setup(), ==, 0);
	memset(&reg, 0xa5, sizeof(reg));
	CHECK_INT(gpuclient_config_reg(NULL, 1, &reg), ==, -EINVAL);
	CHECK_INT(gpuclient_config_reg(p_h, 1, NULL), ==, -EINVAL);
	CHECK_INT(gpuclient_config_reg(p_h, 0, &reg), ==, -ENODEV);
	CHECK_INT(gpuclient_config_reg(p_h, 3, &reg), ==, -ENODEV);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int ret;

		fk.corrupt_config_reg = cases[i].corrupt;
		ret = gpuclient_config_reg(p_h, 1, &reg);
		if (ret != cases[i].ret) {
			test_fail("corruption %d: %d, want %d",
				  cases[i].corrupt, ret, cases[i].ret);
			return;
		}
	}
	CHECK_INT(reg.partition_id, ==, 0xa5a5a5a5u);
	CHECK_INT(reg.device_id, ==, 0xa5a5a5a5u);
}

static void config_reg_map(void)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	const struct gpufe_config_reg *reg;
	uint32_t id = 0;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(usual_partition(&id), >=, 0);
	CHECK_INT(gpuclient_open_fd(p_fds[0], &p_h2), ==, 0);
	CHECK_INT(gpuclient_config_reg_map(p_h2, &p_map), ==, 0);
	reg = p_map;
	CHECK_INT(fk.num_maps, ==, 1);
	CHECK_INT(fk.maps[0].len, ==, page);
	CHECK_INT(reg->magic, ==, GPUFE_CONFIG_REG_MAGIC);
	CHECK_INT(reg->partition_id, ==, id);
	CHECK_INT(reg->device_id, ==, 1);
	CHECK(reg->engine_mask == 0x3);
	CHECK_INT(reg->flags, ==, GPUFE_CONFIG_REG_DENSE);
	/* Read-only, for good. */
	CHECK_INT(mprotect((void *)reg, page, PROT_READ | PROT_WRITE), ==, -1);
	/* It outlives the handle. */
	gpuclient_close(p_h2);
	p_h2 = NULL;
	CHECK_INT(reg->partition_id, ==, id);
	gpuclient_config_reg_unmap(reg);
	p_map = NULL;
	CHECK_INT(fk.num_maps, ==, 0);
	gpuclient_config_reg_unmap(NULL);
}

static void config_reg_map_bad(void)
{
	const struct gpufe_config_reg *reg = SENTINEL_MAP;
	struct fake_partition *fp;
	uint32_t id = 0;

	CHECK_INT(setup(), ==, 0);
	CHECK_INT(usual_partition(&id), >=, 0);
	CHECK_INT(gpuclient_open_fd(p_fds[0], &p_h2), ==, 0);
	CHECK_INT(gpuclient_config_reg_map(NULL, &reg), ==, -EINVAL);
	CHECK_INT(gpuclient_config_reg_map(p_h2, NULL), ==, -EINVAL);
	/* A client without partition has no register page. */
	CHECK_INT(gpuclient_config_reg_map(p_h, &reg), ==, -ENODEV);

	/* A page that does not hold a valid register is not handed out. */
	fp = fake_partition(id);
	fp->reg_page->version = GPUFE_CONFIG_REG_VERSION + 1;
	CHECK_INT(gpuclient_config_reg_map(p_h2, &reg), ==, -EPROTONOSUPPORT);
	fp->reg_page->version = GPUFE_CONFIG_REG_VERSION;
	fp->reg_page->engines[1] = 7;
	CHECK_INT(gpuclient_config_reg_map(p_h2, &reg), ==, -EPROTO);
	fp->reg_page->engines[1] = 1;
	fp->reg_page->pad = 1;
	CHECK_INT(gpuclient_config_reg_map(p_h2, &reg), ==, -EPROTO);
	fp->reg_page->pad = 0;
	fp->reg_page->magic = 0;
	CHECK_INT(gpuclient_config_reg_map(p_h2, &reg), ==, -EPROTO);
	fp->reg_page->magic = GPUFE_CONFIG_REG_MAGIC;
	CHECK_INT(fk.num_maps, ==, 0);

	/* Once the partition ended, mmap() fails. */
	CHECK_INT(gpuclient_partition_revoke(p_h, id), ==, 0);
	CHECK_INT(gpuclient_config_reg_map(p_h2, &reg), ==, -ENODEV);
	CHECK(reg == SENTINEL_MAP);
}

const struct test partition_tests[] = {
	TEST(create_basic, "a partition is made as asked, its first client returned close-on-exec"),
	TEST(create_persistent, "a persistent one with node fields; NULL fd and id"),
	TEST(create_ends_with_last_client, "a non-persistent one ends with its last client"),
	TEST(create_bad_args, "NULL, unknown flags, no fd for a mortal one: -EINVAL, no ioctl"),
	TEST(create_kernel_errors, "each invalid field: the kernel's error, outputs untouched"),
	TEST(create_denied, "no admin, from a partition, no id left, other errors"),
	TEST(old_kernel, "a 1.2 kernel: every partition call -EOPNOTSUPP, no ioctl"),
	TEST(revoke_basic, "a revoked partition is gone"),
	TEST(revoke_errors, "NULL, unknown ids, no admin, from inside"),
	TEST(revoke_live_clients, "its clients get -ENODEV, its page says revoked"),
	TEST(open_fd_partition, "a partition's fd: a new client seeing the partition only"),
	TEST(open_fd_outlives_fd, "the client outlives the descriptor it came from"),
	TEST(open_fd_plain, "a plain client's fd: a close-on-exec duplicate"),
	TEST(open_fd_old_kernel, "a 1.2 kernel: a duplicate, no PARTITION_OPEN"),
	TEST(open_fd_errors, "bad descriptors and failures: errors, nothing leaked"),
	TEST(open_fd_max_clients, "the partition's client limit: -EUSERS"),
	TEST(env_fd, "$GPUFE_FD opens a client of its partition, before $GPUFE_DEVICE"),
	TEST(env_fd_invalid, "a malformed or closed $GPUFE_FD is an error, no fallback"),
	TEST(env_fd_path_wins, "an explicit path wins over $GPUFE_FD"),
	TEST(env_fd_plain, "$GPUFE_FD naming a plain client: a duplicate"),
	TEST(open_partition_admin, "an admin opens a client by id; a client its own"),
	TEST(open_partition_errors, "NULL, id 0, unknown, no admin, another's"),
	TEST(query_partitions, "every field, by id; a client sees its own, densely"),
	TEST(query_partitions_grew, "a partition added after the probe: retried"),
	TEST(query_partitions_bad, "NULL arguments and malformed answers"),
	TEST(config_reg_whole_device, "a client without partition: the whole device"),
	TEST(config_reg_partition, "a partition's client: its emulated register"),
	TEST(config_reg_bad, "bad arguments and malformed registers"),
	TEST(config_reg_map, "the page is mapped read-only, one page, and unmapped"),
	TEST(config_reg_map_bad, "no page without partition; a bad page is refused"),
};

const unsigned int num_partition_tests = ARRAY_SIZE(partition_tests);
