// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/*
 * gpufe-smi: the gpufe administration tool, in the spirit of nvidia-smi.
 *
 *   gpufe-smi [-d PATH] [-j] [list]
 *   gpufe-smi [-d PATH] [-j] partition create --gpu GPU --engines LIST
 *             --persistent [--quota SIZE] [--weight N] [--max-clients N]
 *             [--engine-timeout-ms N] [--owner UID] [--group GID]
 *             [--mode OCTAL]
 *   gpufe-smi [-d PATH] [-j] partition list
 *   gpufe-smi [-d PATH] partition revoke ID
 *   gpufe-smi [-d PATH] partition run --gpu GPU --engines LIST
 *             [--quota SIZE] [--weight N] [--engine-timeout-ms N]
 *             [--user UID[:GID]] [--] PROGRAM [ARG]...
 *   gpufe-smi [-d PATH] [-j] sched [list]
 *   gpufe-smi [-d PATH] sched policy GPU POLICY
 *
 * "list" (the default) prints the interface version and a table of the
 * devices and their engines; -j prints the same as JSON.
 *
 * "partition create" makes a persistent partition of a device and prints
 * its id and its device node ("3 /dev/gpufe-part3"; with -j a JSON
 * object). It refuses to make one without --persistent: such a partition
 * lives only while a descriptor of one of its clients is open, and the
 * only one would be gpufe-smi's, so it would end as gpufe-smi exits;
 * "partition run" is the way to use one. The node belongs to --owner and
 * --group (default 0) with the permission bits --mode (default 0600).
 * "partition list" prints the partitions (-j: as JSON), "partition revoke"
 * ends one.
 *
 * "partition run" creates a partition that is not persistent, leaves its
 * descriptor open across exec with its number in $GPUFE_FD (which
 * libgpuclient's gpuclient_open() honours, so that an unmodified program
 * uses the partition), drops privileges to --user if given
 * (setgroups(0), setgid(), setuid(), each checked; without a GID, the
 * user's group from the passwd database) and executes PROGRAM, searched
 * in $PATH, in place of gpufe-smi. The partition lives as long as PROGRAM
 * and the processes that inherit the descriptor. PROGRAM's exit status is
 * the command's; a signal that kills PROGRAM kills the command (a shell
 * reports 128 + the signal number).
 *
 * GPU is a device's name (swgpu0) or its id, as "list" shows them; a name
 * is looked up first. LIST is a comma-separated list of engine names as
 * "list" shows them to a client without partition (compute1,copy0): bit i
 * of the partition's engine mask is the i-th engine of that list, by class
 * then instance. SIZE is bytes, or KiB, MiB or GiB with a K, M or G suffix.
 * N, UID and GID are decimal; --weight is 1 to 1000 (default 100); a
 * --max-clients of 0, the default, is no limit, and so is a --quota of 0.
 * --engine-timeout-ms (kernel 1.4) is how long a job of the partition may
 * run on its engine before the kernel takes it for hung and resets the
 * engine, 1 to 600000; 0, the default, leaves it to the kernel's
 * engine_timeout_ms parameter.
 *
 * "sched" (or "sched list") prints, for each GPU, its scheduling policy
 * and how many jobs hung, engine resets and context bans it counted, from
 * /sys/class/gpufe/gpu<ID>/ (sched_policy, hangs, resets, bans); -j prints
 * the same as JSON. "sched policy GPU POLICY" switches the GPU's policy
 * (root only: it writes sched_policy): POLICY is best-effort,
 * equal-share or fixed-share. Both need a kernel that schedules (1.4).
 * $GPUFE_SYSFS, if set and not empty, stands for /sys (for tests; ignored
 * in setuid programs). gpufe-smi-sched.c has the details.
 *
 * Everything goes through libgpuclient, but for the scheduling policies
 * and counters, which are in sysfs. Exit status: 0 on success; 1 on a
 * runtime error (the node, the kernel, the system, a device or engine
 * that does not exist); 2 on a usage error (an unknown command or
 * option, an argument missing or malformed); each with a message on
 * stderr. "partition run" exits with PROGRAM's status, or as env(1) does
 * when PROGRAM cannot be run: 127 if it was not found, 126 if it was
 * found but could not be executed.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpufe-smi.h"

/* The options of every command; all that list and revoke have. */
const struct option common_longopts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void try_help(void)
{
	fprintf(stderr, "Try '" PROG " --help' for more information.\n");
}

void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " [OPTION]... [COMMAND]\n"
		"Show the gpufe devices and their engines, partition them, and\n"
		"show and set how they schedule.\n"
		"\n"
		"Commands:\n"
		"  list               the interface version, the devices and\n"
		"                     their engines (the default)\n"
		"  partition create --gpu GPU --engines LIST --persistent\n"
		"                   [--quota SIZE] [--weight N] [--max-clients N]\n"
		"                   [--engine-timeout-ms N] [--owner UID]\n"
		"                   [--group GID] [--mode OCTAL]\n"
		"                     make a persistent partition; print its id\n"
		"                     and its device node\n"
		"  partition list     the partitions\n"
		"  partition revoke ID\n"
		"                     end a partition\n"
		"  partition run --gpu GPU --engines LIST [--quota SIZE]\n"
		"                [--weight N] [--engine-timeout-ms N]\n"
		"                [--user UID[:GID]] [--] PROGRAM [ARG]...\n"
		"                     run PROGRAM in a new partition, its\n"
		"                     descriptor in $" GPUCLIENT_FD_ENV "\n"
		"  sched [list]       each GPU's scheduling policy and its counts\n"
		"                     of hung jobs, engine resets and bans\n"
		"  sched policy GPU POLICY\n"
		"                     switch a GPU's policy (root): best-effort,\n"
		"                     equal-share or fixed-share\n"
		"\n"
		"Options:\n"
		"  -d, --device=PATH  the gpufe device node (default: a client of\n"
		"                     the partition $" GPUCLIENT_FD_ENV " names if set,\n"
		"                     else $" GPUCLIENT_DEVICE_ENV " or "
		GPUCLIENT_DEFAULT_PATH ")\n"
		"  -j, --json         print JSON instead of a table\n"
		"  -h, --help         show this help and exit\n"
		"\n"
		"GPU is a device's name or id. LIST is engine names as 'list' shows\n"
		"them, comma-separated (compute1,copy0). SIZE is bytes, or KiB, MiB,\n"
		"GiB with a K, M, G suffix. --weight is 1 to %u (default %u); a\n"
		"--quota or --max-clients of 0 (the default) is no limit; --mode\n"
		"defaults to %04o. --engine-timeout-ms is how long a job may run\n"
		"on its engine before it counts as hung, 1 to %u; 0 (the default)\n"
		"is the kernel's engine_timeout_ms. $" SMI_SYSFS_ENV " stands for "
		SMI_SYSFS_DEFAULT ".\n"
		"\n"
		"Exit status: 0 on success, 1 on a runtime error, 2 on a bad command\n"
		"line; 'partition run': PROGRAM's, or 126 if it cannot be run, 127\n"
		"if it is not found.\n",
		GPUCLIENT_PARTITION_MAX_WEIGHT, SMI_DEFAULT_WEIGHT,
		SMI_DEFAULT_MODE, (unsigned int)GPUCLIENT_ENGINE_TIMEOUT_MAX_MS);
}

/* A usage error: the message, the hint, the status. */
int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	try_help();
	return SMI_EXIT_USAGE;
}

/*
 * What getopt_long() found that is not an option of @cmd ('?') or lacks
 * its argument (':'), with @longopts the options it knew. opterr is 0:
 * the messages are ours. GNU getopt sets optopt to 0 for an unknown long
 * option, to the option's value for one that lacks its argument or has
 * one it does not take, and to the character for an unknown short one;
 * an element holding a long option, or ending in a short option that
 * lacks its argument, is always argv[optind - 1].
 */
static int bad_option(const char *cmd, char *const *argv, int c,
		      const struct option *longopts)
{
	const char *arg = argv[optind - 1];
	int is_long = !strncmp(arg, "--", 2);
	char name[64];

	if (is_long)
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="),
			 arg);
	else
		snprintf(name, sizeof(name), "-%c", optopt);

	if (c == ':')
		return usage_error(cmd, "option '%s' needs an argument", name);
	if (!optopt)
		return usage_error(cmd, "unknown option '%s'", name);
	for (; longopts->name; longopts++)
		if (longopts->val == optopt && longopts->has_arg == no_argument)
			return usage_error(cmd, "option '%s' takes no argument",
					   name);
	snprintf(name, sizeof(name), "-%c", optopt);
	return usage_error(cmd, "unknown option '%s'", name);
}

/* The options of every command; SMI_GO_ON, or the status to exit with. */
int smi_common_opt(int c, const char *cmd, char *const *argv,
		   const struct option *longopts, struct smi_opts *o)
{
	switch (c) {
	case 'd':
		o->path = optarg;
		return SMI_GO_ON;
	case 'j':
		o->json = 1;
		return SMI_GO_ON;
	case 'h':
		usage(stdout);
		return SMI_EXIT_OK;
	default:
		return bad_option(cmd, argv, c, longopts);
	}
}

/* What gpuclient_open() will use, for messages only. */
const char *device_path(const char *path)
{
	static char buf[64];
	const char *env;

	if (path)
		return path;
	env = getenv(GPUCLIENT_FD_ENV);
	if (env) {
		snprintf(buf, sizeof(buf), GPUCLIENT_FD_ENV "=%.40s", env);
		return buf;
	}
	env = getenv(GPUCLIENT_DEVICE_ENV);
	return env && *env ? env : GPUCLIENT_DEFAULT_PATH;
}

/* Open the device, saying why not: 0, or the status to exit with. */
int smi_open(const char *path, gpuclient_handle *h)
{
	int ret = gpuclient_open(path, h);
	const char *why = "";

	if (!ret)
		return SMI_EXIT_OK;
	if (ret == -EPROTONOSUPPORT)
		why = " (incompatible gpufe interface version)";
	else if (!path && getenv(GPUCLIENT_FD_ENV) && ret == -EINVAL)
		why = " (not a descriptor number)";
	else if (!path && getenv(GPUCLIENT_FD_ENV) && ret == -EBADF)
		why = " (no such open descriptor)";
	fprintf(stderr, PROG ": %s: %s%s\n", device_path(path), strerror(-ret),
		why);
	return SMI_EXIT_FAIL;
}

/*
 * Does the kernel have @feature (a GPUCLIENT_FEATURE_* bit)? 0, or the
 * status to exit with, having said that it has no @what and @needs.
 */
int smi_need_feature(const char *path, gpuclient_handle h, uint64_t feature,
		     const char *what, const char *needs)
{
	struct gpuclient_version v;
	int ret = gpuclient_get_version(h, &v);

	if (ret) {
		fprintf(stderr, PROG ": %s: %s\n", device_path(path),
			strerror(-ret));
		return SMI_EXIT_FAIL;
	}
	if (!(v.features & feature)) {
		fprintf(stderr,
			PROG ": %s: the kernel has no %s (gpufe %" PRIu32
			".%" PRIu32 ".%" PRIu32 ", %s)\n", device_path(path),
			what, v.major, v.minor, v.patch, needs);
		return SMI_EXIT_FAIL;
	}
	return SMI_EXIT_OK;
}

/*
 * A number in @base (at most 10), digits only, at most @max: 0 on
 * success, -1 if not.
 */
int parse_uint(const char *str, unsigned int base, uint32_t max,
	       uint32_t *out)
{
	uint64_t n = 0;
	const char *p;

	if (!*str)
		return -1;
	for (p = str; *p; p++) {
		if (*p < '0' || *p >= '0' + (int)base)
			return -1;
		n = n * base + (uint64_t)(*p - '0');
		if (n > max)
			return -1;
	}
	*out = (uint32_t)n;
	return 0;
}

/* A decimal number of 32 bits, digits only: 0 on success, -1 if not. */
int parse_u32(const char *str, uint32_t *out)
{
	return parse_uint(str, 10, UINT32_MAX, out);
}

/* The device GPU names, by name, else by id: 0, or the exit status. */
int find_gpu(const char *path, gpuclient_handle h, const char *gpu,
	     struct gpuclient_device_info *out)
{
	struct gpuclient_device_info *devs;
	uint32_t n, i, id;
	int ret, found = -1;

	ret = gpuclient_query_devices(h, &devs, &n);
	if (ret) {
		fprintf(stderr, PROG ": %s: cannot list devices: %s\n",
			device_path(path), strerror(-ret));
		return SMI_EXIT_FAIL;
	}
	for (i = 0; i < n && found < 0; i++)
		if (!strcmp(devs[i].name, gpu))
			found = (int)i;
	if (found < 0 && !parse_u32(gpu, &id))
		for (i = 0; i < n && found < 0; i++)
			if (devs[i].device_id == id)
				found = (int)i;
	if (found >= 0)
		*out = devs[found];
	gpuclient_free_devices(devs);
	if (found < 0) {
		fprintf(stderr, PROG ": no device '%s' (see '" PROG " list')\n",
			gpu);
		return SMI_EXIT_FAIL;
	}
	return SMI_EXIT_OK;
}

void smi_state_fini(struct smi_state *s)
{
	uint32_t i;

	for (i = 0; i < s->num_devs; i++)
		gpuclient_free_engines(s->devs[i].engines);
	free(s->devs);
	s->devs = NULL;
	s->num_devs = 0;
}

/* Read everything before printing anything: no half-printed table. */
int smi_state_init(struct smi_state *s, gpuclient_handle h)
{
	struct gpuclient_device_info *list;
	uint32_t count, i;
	int ret;

	memset(s, 0, sizeof(*s));

	ret = gpuclient_get_version(h, &s->version);
	if (ret)
		return ret;

	ret = gpuclient_query_devices(h, &list, &count);
	if (ret)
		return ret;

	if (count) {
		s->devs = calloc(count, sizeof(*s->devs));
		if (!s->devs) {
			gpuclient_free_devices(list);
			return -ENOMEM;
		}
	}
	s->num_devs = count;

	for (i = 0; i < count; i++) {
		struct smi_device *d = &s->devs[i];

		d->info = list[i];
		ret = gpuclient_query_engines(h, d->info.device_id,
					      &d->engines, &d->num_engines);
		if (ret == -ENODEV) {
			d->gone = 1;
			ret = 0;
		}
		if (ret)
			break;
	}

	gpuclient_free_devices(list);
	if (ret)
		smi_state_fini(s);
	return ret;
}

/* "256 MiB", "1.5 GiB", "-" for none. */
void format_size(char *buf, size_t size, uint64_t bytes)
{
	static const char *const units[] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	unsigned int u = 0;

	if (!bytes) {
		snprintf(buf, size, "-");
		return;
	}
	while (u + 1 < ARRAY_SIZE(units) &&
	       bytes >> (10 * (u + 1)))
		u++;

	if (!(bytes & ((1ULL << (10 * u)) - 1)))
		snprintf(buf, size, "%" PRIu64 " %s", bytes >> (10 * u),
			 units[u]);
	else
		snprintf(buf, size, "%.1f %s",
			 (double)bytes / (double)(1ULL << (10 * u)), units[u]);
}

/* Names come from the kernel: keep control characters off the terminal. */
void printable(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; src[i] && i < size - 1; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

int max_int(int a, int b)
{
	return a > b ? a : b;
}

static void print_table(const struct smi_state *s)
{
	int w_id = 3, w_name = 4, w_backend = 7, w_mem = 6;
	char buf[64];
	uint32_t i, j;

	printf("gpufe %" PRIu32 ".%" PRIu32 ".%" PRIu32 " (features 0x%" PRIx64
	       ")\n", s->version.major, s->version.minor, s->version.patch,
	       s->version.features);

	if (!s->num_devs) {
		printf("No devices.\n");
		return;
	}

	for (i = 0; i < s->num_devs; i++) {
		const struct gpuclient_device_info *d = &s->devs[i].info;

		w_id = max_int(w_id, snprintf(buf, sizeof(buf), "%" PRIu32,
					      d->device_id));
		w_name = max_int(w_name, (int)strlen(d->name));
		w_backend = max_int(w_backend, (int)strlen(d->backend));
		format_size(buf, sizeof(buf), d->mem_size);
		w_mem = max_int(w_mem, (int)strlen(buf));
	}

	printf("%-*s  %-*s  %-*s  %-*s  %s\n", w_id, "DEV", w_name, "NAME",
	       w_backend, "BACKEND", w_mem, "MEMORY", "ENGINES");

	for (i = 0; i < s->num_devs; i++) {
		const struct smi_device *d = &s->devs[i];
		char name[GPUCLIENT_NAME_LEN], backend[GPUCLIENT_NAME_LEN];

		printable(name, d->info.name, sizeof(name));
		printable(backend, d->info.backend, sizeof(backend));
		format_size(buf, sizeof(buf), d->info.mem_size);
		printf("%-*" PRIu32 "  %-*s  %-*s  %-*s ", w_id,
		       d->info.device_id, w_name, name, w_backend, backend,
		       w_mem, buf);

		if (d->gone)
			printf(" (unplugged)");
		else if (!d->num_engines)
			printf(" -");
		for (j = 0; j < d->num_engines; j++) {
			char ename[GPUCLIENT_ENGINE_NAME_LEN];

			printable(ename, d->engines[j].name, sizeof(ename));
			printf(" %s", ename);
		}
		printf("\n");
	}
}

/* A JSON string; bytes outside printable ASCII are \u-escaped. */
void json_string(const char *str)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)str; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void print_json(const struct smi_state *s)
{
	uint32_t i, j;

	printf("{\n  \"version\": {\"major\": %" PRIu32 ", \"minor\": %" PRIu32
	       ", \"patch\": %" PRIu32 ", \"features\": %" PRIu64 "},\n",
	       s->version.major, s->version.minor, s->version.patch,
	       s->version.features);
	printf("  \"devices\": [");

	for (i = 0; i < s->num_devs; i++) {
		const struct smi_device *d = &s->devs[i];

		printf("%s\n    {\"id\": %" PRIu32 ", \"name\": ",
		       i ? "," : "", d->info.device_id);
		json_string(d->info.name);
		printf(", \"backend\": ");
		json_string(d->info.backend);
		printf(", \"memory\": %" PRIu64 ", \"engines\": ",
		       d->info.mem_size);

		if (d->gone) {
			printf("null}");
			continue;
		}
		printf("[");
		for (j = 0; j < d->num_engines; j++) {
			const struct gpuclient_engine_info *e = &d->engines[j];
			const char *cls;

			cls = gpuclient_engine_class_name(e->engine_class);
			printf("%s\n      {\"name\": ", j ? "," : "");
			json_string(e->name);
			printf(", \"class\": ");
			json_string(cls);
			printf(", \"instance\": %" PRIu32 "}",
			       e->engine_instance);
		}
		printf("%s]}", d->num_engines ? "\n    " : "");
	}

	printf("%s]\n}\n", s->num_devs ? "\n  " : "");
}

static int cmd_list(int argc, char **argv, struct smi_opts *o)
{
	const struct option *longopts = common_longopts;
	struct smi_state s;
	gpuclient_handle h;
	int c, ret;

	optind = 0;
	while (argc &&
	       (c = getopt_long(argc, argv, ":d:jh", longopts, NULL)) != -1) {
		ret = smi_common_opt(c, NULL, argv, longopts, o);
		if (ret != SMI_GO_ON)
			return ret;
	}
	if (argc && optind < argc)
		return usage_error(NULL, "unexpected argument '%s'",
				   argv[optind]);

	ret = smi_open(o->path, &h);
	if (ret)
		return ret;

	ret = smi_state_init(&s, h);
	gpuclient_close(h);
	if (ret) {
		fprintf(stderr, PROG ": %s: cannot list devices: %s\n",
			device_path(o->path), strerror(-ret));
		return SMI_EXIT_FAIL;
	}

	if (o->json)
		print_json(&s);
	else
		print_table(&s);
	smi_state_fini(&s);
	return SMI_EXIT_OK;
}

/* Output that did not reach stdout (a full disk, a closed pipe) fails. */
static int smi_exit(int status)
{
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, PROG ": write error: %s\n", strerror(errno));
		return SMI_EXIT_FAIL;
	}
	return status;
}

int main(int argc, char **argv)
{
	const struct option *longopts = common_longopts;
	struct smi_opts o = { NULL, 0 };
	const char *cmd;
	int c, ret;

	opterr = 0;
	/* "+": the options before the command; each command parses its own. */
	while ((c = getopt_long(argc, argv, "+:d:jh", longopts, NULL)) != -1) {
		ret = smi_common_opt(c, NULL, argv, longopts, &o);
		if (ret != SMI_GO_ON)
			return smi_exit(ret);
	}

	/* No command: "list", with nothing more to parse. */
	if (optind == argc)
		return smi_exit(cmd_list(0, NULL, &o));
	cmd = argv[optind];
	if (!strcmp(cmd, "list"))
		ret = cmd_list(argc - optind, argv + optind, &o);
	else if (!strcmp(cmd, "partition"))
		ret = cmd_partition(argc - optind, argv + optind, &o);
	else if (!strcmp(cmd, "sched"))
		ret = cmd_sched(argc - optind, argv + optind, &o);
	else
		ret = usage_error(NULL, "unknown command '%s'", cmd);

	return smi_exit(ret);
}
