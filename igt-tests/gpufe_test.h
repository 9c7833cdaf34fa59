/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the igt-tests binaries. Include after
 * kselftest_harness.h, once per binary.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef _GPUFE_TEST_H_
#define _GPUFE_TEST_H_

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <gpufe.h>

#define GPUFE_DEV		"/dev/gpufe"
#define GPUFE_DEBUGFS		"/sys/kernel/debug/gpufe"
#define SWGPU_MODULE		"gpufe_swgpu"
#define SWGPU_PARAMS		"/sys/module/gpufe_swgpu/parameters"

/*
 * describe() - the one-line description of a subtest, printed as a TAP
 * diagnostic when it runs.
 */
#define describe(text)	ksft_print_msg("%s: %s\n", _metadata->name, text)

/* ioctl() returning 0 or -errno, retried on EINTR like libdrm's drmIoctl. */
static inline int gpufe_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && errno == EINTR);
	return ret == -1 ? -errno : 0;
}

static inline int gpufe_open(void)
{
	return open(GPUFE_DEV, O_RDWR | O_CLOEXEC);
}

/* Read one unsigned integer from a file; -errno on failure. */
static inline long long gpufe_read_ull(const char *path)
{
	unsigned long long v;
	FILE *f = fopen(path, "re");
	int n;

	if (!f)
		return -errno;
	n = fscanf(f, "%llu", &v);
	fclose(f);
	return n == 1 ? (long long)v : -EINVAL;
}

/* One "name value" line of debugfs gpufe/counters; -errno on failure. */
static inline long long gpufe_counter(const char *name)
{
	char key[64];
	long long v;
	FILE *f = fopen(GPUFE_DEBUGFS "/counters", "re");
	long long ret = -ENOENT;

	if (!f)
		return -errno;
	while (fscanf(f, "%63s %lld", key, &v) == 2) {
		if (!strcmp(key, name)) {
			ret = v;
			break;
		}
	}
	fclose(f);
	return ret;
}

static inline int gpufe_module_loaded(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	return access(path, F_OK) == 0;
}

/* The path of a module of the running kernel, found in modules.dep. */
static inline int gpufe_module_path(const char *name, char *path, size_t size)
{
	struct utsname u;
	char dep[512], line[1024], want[128];
	FILE *f;
	int ret = -ENOENT;

	if (uname(&u))
		return -errno;
	snprintf(dep, sizeof(dep), "/lib/modules/%s/modules.dep", u.release);
	snprintf(want, sizeof(want), "/%s.ko:", name);
	f = fopen(dep, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strstr(line, want);

		if (!colon)
			continue;
		colon[strlen(want) - 1] = '\0';
		if (line[0] == '/')
			snprintf(path, size, "%s", line);
		else
			snprintf(path, size, "/lib/modules/%s/%s", u.release,
				 line);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/* Load a module with parameters through finit_module(); 0 or -errno. */
static inline int gpufe_module_load(const char *name, const char *params)
{
	char path[PATH_MAX];
	int fd, ret;

	ret = gpufe_module_path(name, path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* Unload a module; 0 or -errno. */
static inline int gpufe_module_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/*
 * Run the subtests under igt-style names: the harness names a subtest
 * after its C identifier (basic_version); igt and this project's docs name
 * it basic-version.
 */
static inline void gpufe_test_dashify_names(void)
{
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	for (f = __fixture_list; f; f = f->next) {
		for (t = f->tests; t; t = t->next) {
			char *name = strdup(t->name);
			char *p;

			if (!name)
				continue;
			for (p = name; *p; p++)
				if (*p == '_')
					*p = '-';
			t->name = name;
		}
	}
}

#define GPUFE_TEST_MAIN						\
	int main(int argc, char **argv)				\
	{							\
		gpufe_test_dashify_names();			\
		return test_harness_run(argc, argv);		\
	}

#endif /* _GPUFE_TEST_H_ */
