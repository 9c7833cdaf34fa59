// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/*
 * gpufe-smi: the gpufe administration tool, in the spirit of nvidia-smi.
 *
 *   gpufe-smi [-d PATH] [-j] [list]
 *
 * "list" (the default) prints the interface version and a table of the
 * devices and their engines; -j prints the same as JSON. Everything goes
 * through libgpuclient. Exit status: 0 on success, 1 on any error, with a
 * message on stderr.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpuclient.h>

#define PROG "gpufe-smi"
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct smi_device {
	struct gpuclient_device_info info;
	struct gpuclient_engine_info *engines;
	uint32_t num_engines;
	int gone;	/* unplugged before its engines could be read */
};

struct smi_state {
	struct gpuclient_version version;
	struct smi_device *devs;
	uint32_t num_devs;
};

static void try_help(void)
{
	fprintf(stderr, "Try '" PROG " --help' for more information.\n");
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " [OPTION]... [COMMAND]\n"
		"Show the gpufe devices and their engines.\n"
		"\n"
		"Commands:\n"
		"  list               the interface version, the devices and\n"
		"                     their engines (the default)\n"
		"\n"
		"Options:\n"
		"  -d, --device=PATH  the gpufe device node (default: $"
		GPUCLIENT_DEVICE_ENV " or " GPUCLIENT_DEFAULT_PATH ")\n"
		"  -j, --json         print JSON instead of a table\n"
		"  -h, --help         show this help and exit\n");
}

/* The node gpuclient_open() will use, for messages only. */
static const char *device_path(const char *path)
{
	if (!path) {
		path = getenv(GPUCLIENT_DEVICE_ENV);
		if (!path || !*path)
			path = GPUCLIENT_DEFAULT_PATH;
	}
	return path;
}

static void smi_state_fini(struct smi_state *s)
{
	uint32_t i;

	for (i = 0; i < s->num_devs; i++)
		gpuclient_free_engines(s->devs[i].engines);
	free(s->devs);
	s->devs = NULL;
	s->num_devs = 0;
}

/* Read everything before printing anything: no half-printed table. */
static int smi_state_init(struct smi_state *s, gpuclient_handle h)
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
static void format_size(char *buf, size_t size, uint64_t bytes)
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
static void printable(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; src[i] && i < size - 1; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

static int max_int(int a, int b)
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
static void json_string(const char *str)
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

static int cmd_list(const char *path, int json)
{
	struct smi_state s;
	gpuclient_handle h;
	int ret;

	ret = gpuclient_open(path, &h);
	if (ret == -EPROTONOSUPPORT) {
		fprintf(stderr,
			PROG ": %s: %s (incompatible gpufe interface version)\n",
			device_path(path), strerror(-ret));
		return 1;
	}
	if (ret) {
		fprintf(stderr, PROG ": %s: %s\n", device_path(path),
			strerror(-ret));
		return 1;
	}

	ret = smi_state_init(&s, h);
	gpuclient_close(h);
	if (ret) {
		fprintf(stderr, PROG ": %s: cannot list devices: %s\n",
			device_path(path), strerror(-ret));
		return 1;
	}

	if (json)
		print_json(&s);
	else
		print_table(&s);
	smi_state_fini(&s);
	return 0;
}

/* Output that did not reach stdout (a full disk, a closed pipe) fails. */
static int smi_exit(int status)
{
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, PROG ": write error: %s\n", strerror(errno));
		return 1;
	}
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	const char *cmd = "list";
	int json = 0;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "d:jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			path = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return smi_exit(0);
		default:
			try_help();
			return 1;
		}
	}

	if (optind < argc)
		cmd = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n",
			argv[optind]);
		try_help();
		return 1;
	}

	if (!strcmp(cmd, "list")) {
		ret = cmd_list(path, json);
	} else {
		fprintf(stderr, PROG ": unknown command '%s'\n", cmd);
		try_help();
		return 1;
	}

	return smi_exit(ret);
}
