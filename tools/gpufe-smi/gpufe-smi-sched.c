// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/*
 * gpufe-smi's scheduler subcommands: "sched" ("sched list") and "sched
 * policy", as the comment at the top of gpufe-smi.c describes them.
 *
 * A GPU's scheduling is in sysfs, not in the uAPI: its directory,
 * /sys/class/gpufe/gpu<ID>/ with the id GPUFE_QUERY_DEVICES reports, holds
 * its policy (sched_policy, which root writes to switch) and its counters
 * (hangs, resets, bans). The GPUs themselves, their ids and names, come
 * through libgpuclient as "list" shows them, from the device node that -d,
 * $GPUFE_FD or $GPUFE_DEVICE name; the kernel must report
 * GPUCLIENT_FEATURE_SCHED (1.4). $GPUFE_SYSFS (SMI_SYSFS_ENV), when set
 * and not empty, stands for the sysfs mount point /sys, as $GPUFE_DEVICE
 * stands for the node: the host tests give a tree of their own. Like the
 * library's variables it is ignored in setuid and setgid programs.
 *
 * Everything is read before anything is printed: no half-printed table.
 */

#define _GNU_SOURCE	/* secure_getenv() */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpufe-smi.h"

/* The policies the kernel knows, as sched_policy spells them. */
static const char *const smi_policies[] = {
	"best-effort", "equal-share", "fixed-share",
};

/* "best-effort, equal-share or fixed-share", for messages. */
#define SMI_POLICY_LIST	"best-effort, equal-share or fixed-share"

/* The longest attribute this reads, with its newline and the NUL. */
#define SMI_ATTR_LEN	64

/* One GPU's scheduling, as sysfs shows it. */
struct smi_sched {
	struct gpuclient_device_info info;
	int gone;	/* its directory went: unplugged meanwhile */
	char policy[SMI_ATTR_LEN];
	uint64_t hangs;
	uint64_t resets;
	uint64_t bans;
};

/* The sysfs mount point: $GPUFE_SYSFS, else /sys. */
static const char *sysfs_root(void)
{
	const char *env = secure_getenv(SMI_SYSFS_ENV);

	return env && *env ? env : SMI_SYSFS_DEFAULT;
}

/*
 * The path of GPU @id's directory, or of its attribute @attr if not NULL,
 * into @buf: 0, or -ENAMETOOLONG.
 */
static int gpu_path(char *buf, size_t size, uint32_t id, const char *attr)
{
	int n = snprintf(buf, size, "%s/class/gpufe/gpu%" PRIu32 "%s%s",
			 sysfs_root(), id, attr ? "/" : "", attr ? attr : "");

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/*
 * Read the attribute at @path into @buf, without its trailing newline: 0,
 * or -errno (-EOVERFLOW for one that does not fit).
 */
static int read_attr(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* sysfs hands an attribute over whole, in one read. */
	n = read(fd, buf, size);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	if ((size_t)n == size)
		return -EOVERFLOW;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* A counter: decimal digits, nothing else. 0, or -1 if malformed. */
static int parse_counter(const char *str, uint64_t *out)
{
	uint64_t n = 0, digit;
	const char *p;

	if (!*str)
		return -1;
	for (p = str; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		digit = (uint64_t)(*p - '0');
		if (n > (UINT64_MAX - digit) / 10)
			return -1;
		n = n * 10 + digit;
	}
	*out = n;
	return 0;
}

/* One attribute of @s's GPU; 0, or the status to exit with. */
static int read_gpu_attr(struct smi_sched *s, const char *attr, char *buf,
			 size_t size)
{
	char path[512], dir[512];
	struct stat st;
	int ret;

	ret = gpu_path(path, sizeof(path), s->info.device_id, attr);
	if (!ret)
		ret = read_attr(path, buf, size);
	if (!ret)
		return SMI_EXIT_OK;
	/* The directory went with its GPU: unplugged since the list. */
	if (ret == -ENOENT &&
	    !gpu_path(dir, sizeof(dir), s->info.device_id, NULL) &&
	    stat(dir, &st) && errno == ENOENT) {
		s->gone = 1;
		return SMI_EXIT_OK;
	}
	fprintf(stderr, PROG ": %s: %s\n", path,
		ret == -EOVERFLOW ? "value too long" : strerror(-ret));
	return SMI_EXIT_FAIL;
}

/* @s's policy and counters; 0, or the status to exit with. */
static int read_sched(struct smi_sched *s)
{
	static const char *const counters[] = { "hangs", "resets", "bans" };
	uint64_t *values[] = { &s->hangs, &s->resets, &s->bans };
	char buf[SMI_ATTR_LEN], path[512];
	unsigned int i;
	int ret;

	ret = read_gpu_attr(s, "sched_policy", s->policy, sizeof(s->policy));
	for (i = 0; !ret && !s->gone && i < ARRAY_SIZE(counters); i++) {
		ret = read_gpu_attr(s, counters[i], buf, sizeof(buf));
		if (ret || s->gone)
			break;
		if (parse_counter(buf, values[i])) {
			gpu_path(path, sizeof(path), s->info.device_id,
				 counters[i]);
			fprintf(stderr, PROG ": %s: not a number\n", path);
			ret = SMI_EXIT_FAIL;
		}
	}
	return ret;
}

/*
 * The GPUs @h sees and their scheduling into *@out (*@n of them, freed by
 * the caller): 0, or the status to exit with.
 */
static int read_all(const char *path, gpuclient_handle h,
		    struct smi_sched **out, uint32_t *n)
{
	struct gpuclient_device_info *devs;
	struct smi_sched *s = NULL;
	uint32_t count, i;
	int ret;

	ret = gpuclient_query_devices(h, &devs, &count);
	if (ret) {
		fprintf(stderr, PROG ": %s: cannot list devices: %s\n",
			device_path(path), strerror(-ret));
		return SMI_EXIT_FAIL;
	}
	if (count) {
		s = calloc(count, sizeof(*s));
		if (!s) {
			gpuclient_free_devices(devs);
			fprintf(stderr, PROG ": %s\n", strerror(ENOMEM));
			return SMI_EXIT_FAIL;
		}
	}
	for (i = 0; i < count && !ret; i++) {
		s[i].info = devs[i];
		ret = read_sched(&s[i]);
	}
	gpuclient_free_devices(devs);
	if (ret) {
		free(s);
		return ret;
	}
	*out = s;
	*n = count;
	return SMI_EXIT_OK;
}

static void print_sched_table(const struct smi_sched *s, uint32_t n)
{
	int w_id = 3, w_name = 4, w_policy = 6, w_hangs = 5, w_resets = 6;
	char id[16], name[GPUCLIENT_NAME_LEN], policy[SMI_ATTR_LEN];
	char hangs[24], resets[24], bans[24];
	uint32_t i;
	int pass;

	if (!n) {
		printf("No devices.\n");
		return;
	}

	/* Measure, then print. */
	for (pass = 0; pass < 2; pass++) {
		if (pass)
			printf("%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w_id,
			       "DEV", w_name, "NAME", w_policy, "POLICY",
			       w_hangs, "HANGS", w_resets, "RESETS", "BANS");
		for (i = 0; i < n; i++) {
			snprintf(id, sizeof(id), "%" PRIu32,
				 s[i].info.device_id);
			printable(name, s[i].info.name, sizeof(name));
			if (s[i].gone) {
				snprintf(policy, sizeof(policy),
					 "(unplugged)");
				snprintf(hangs, sizeof(hangs), "-");
				snprintf(resets, sizeof(resets), "-");
				snprintf(bans, sizeof(bans), "-");
			} else {
				printable(policy, s[i].policy, sizeof(policy));
				snprintf(hangs, sizeof(hangs), "%" PRIu64,
					 s[i].hangs);
				snprintf(resets, sizeof(resets), "%" PRIu64,
					 s[i].resets);
				snprintf(bans, sizeof(bans), "%" PRIu64,
					 s[i].bans);
			}
			if (!pass) {
				w_id = max_int(w_id, (int)strlen(id));
				w_name = max_int(w_name, (int)strlen(name));
				w_policy = max_int(w_policy,
						   (int)strlen(policy));
				w_hangs = max_int(w_hangs, (int)strlen(hangs));
				w_resets = max_int(w_resets,
						   (int)strlen(resets));
				continue;
			}
			printf("%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w_id, id,
			       w_name, name, w_policy, policy, w_hangs, hangs,
			       w_resets, resets, bans);
		}
	}
}

static void print_sched_json(const struct smi_sched *s, uint32_t n)
{
	uint32_t i;

	printf("{\n  \"devices\": [");
	for (i = 0; i < n; i++) {
		printf("%s\n    {\"id\": %" PRIu32 ", \"name\": ",
		       i ? "," : "", s[i].info.device_id);
		json_string(s[i].info.name);
		if (s[i].gone) {
			printf(", \"policy\": null, \"hangs\": null"
			       ", \"resets\": null, \"bans\": null}");
			continue;
		}
		printf(", \"policy\": ");
		json_string(s[i].policy);
		printf(", \"hangs\": %" PRIu64 ", \"resets\": %" PRIu64
		       ", \"bans\": %" PRIu64 "}", s[i].hangs, s[i].resets,
		       s[i].bans);
	}
	printf("%s]\n}\n", n ? "\n  " : "");
}

/* Does the kernel schedule? 0, or the status to exit with. */
static int need_sched(const char *path, gpuclient_handle h)
{
	return smi_need_feature(path, h, GPUCLIENT_FEATURE_SCHED, "scheduler",
				"scheduling needs 1.4");
}

static int cmd_sched_list(const char *cmd, int argc, char **argv,
			  struct smi_opts *o)
{
	const struct option *longopts = common_longopts;
	struct smi_sched *s = NULL;
	gpuclient_handle h;
	uint32_t n = 0;
	int c, ret;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":d:jh", longopts, NULL)) != -1) {
		ret = smi_common_opt(c, cmd, argv, longopts, o);
		if (ret != SMI_GO_ON)
			return ret;
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'",
				   argv[optind]);

	ret = smi_open(o->path, &h);
	if (ret)
		return ret;
	ret = need_sched(o->path, h);
	if (!ret)
		ret = read_all(o->path, h, &s, &n);
	gpuclient_close(h);
	if (ret)
		return ret;

	if (o->json)
		print_sched_json(s, n);
	else
		print_sched_table(s, n);
	free(s);
	return SMI_EXIT_OK;
}

/* Write @value, a line, to the attribute at @path: 0, or -errno. */
static int write_attr(const char *path, const char *value)
{
	char line[SMI_ATTR_LEN];
	size_t len;
	ssize_t n;
	int fd, err = 0;

	len = (size_t)snprintf(line, sizeof(line), "%s\n", value);
	if (len >= sizeof(line))
		return -EINVAL;
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* sysfs takes an attribute whole, in one write. */
	n = write(fd, line, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static int cmd_sched_policy(int argc, char **argv, struct smi_opts *o)
{
	static const char cmd[] = "sched policy";
	const struct option *longopts = common_longopts;
	struct gpuclient_device_info dev;
	char path[512], name[GPUCLIENT_NAME_LEN];
	const char *policy;
	gpuclient_handle h;
	unsigned int i;
	int c, ret;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":d:jh", longopts, NULL)) != -1) {
		ret = smi_common_opt(c, cmd, argv, longopts, o);
		if (ret != SMI_GO_ON)
			return ret;
	}
	if (optind == argc)
		return usage_error(cmd, "%s", "missing GPU and policy");
	if (optind + 1 == argc)
		return usage_error(cmd, "missing policy (%s)",
				   SMI_POLICY_LIST);
	policy = argv[optind + 1];
	for (i = 0; i < ARRAY_SIZE(smi_policies); i++)
		if (!strcmp(policy, smi_policies[i]))
			break;
	if (i == ARRAY_SIZE(smi_policies))
		return usage_error(cmd, "invalid policy '%s' (%s)", policy,
				   SMI_POLICY_LIST);
	if (optind + 2 < argc)
		return usage_error(cmd, "unexpected argument '%s'",
				   argv[optind + 2]);

	ret = smi_open(o->path, &h);
	if (ret)
		return ret;
	ret = need_sched(o->path, h);
	if (!ret)
		ret = find_gpu(o->path, h, argv[optind], &dev);
	gpuclient_close(h);
	if (ret)
		return ret;

	printable(name, dev.name, sizeof(name));
	ret = gpu_path(path, sizeof(path), dev.device_id, "sched_policy");
	if (!ret)
		ret = write_attr(path, policy);
	if (ret) {
		fprintf(stderr, PROG ": %s: %s: cannot write %s: %s%s\n", cmd,
			name, path, strerror(-ret),
			ret == -EACCES || ret == -EPERM ? " (root only)" : "");
		return SMI_EXIT_FAIL;
	}
	return SMI_EXIT_OK;
}

int cmd_sched(int argc, char **argv, struct smi_opts *o)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	/* No subcommand, or options only: "list". */
	if (!sub || sub[0] == '-')
		return cmd_sched_list("sched", argc, argv, o);
	if (!strcmp(sub, "list"))
		return cmd_sched_list("sched list", argc - 1, argv + 1, o);
	if (!strcmp(sub, "policy"))
		return cmd_sched_policy(argc - 1, argv + 1, o);
	return usage_error("sched", "unknown subcommand '%s' (list or policy)",
			   sub);
}
