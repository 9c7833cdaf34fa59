// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/*
 * gpufe-smi's partition subcommands: "partition create", "list", "revoke"
 * and "run", as the comment at the top of gpufe-smi.c describes them.
 * The command line is checked whole before the device is opened; what it
 * names (a device, its engines) is then looked up through libgpuclient,
 * as a client without partition sees them.
 */

#define _GNU_SOURCE	/* setgroups() */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gpufe-smi.h"

/* parse_part_opt(): not an option of the partition makers. */
#define SMI_NOT_OURS		(-2)

/* The most engines a partition can name: the bits of its mask. */
#define SMI_MAX_ENGINES		64
/* A partition's engines, "compute0,copy1,...", with the NUL. */
#define SMI_ENGINES_LEN		(SMI_MAX_ENGINES * GPUCLIENT_ENGINE_NAME_LEN)

/* What "partition create" and "partition run" are told. */
struct smi_part_args {
	const char *gpu;
	char *engine_list;	/* a copy, cut up: @engines point into it */
	const char *engines[SMI_MAX_ENGINES];
	unsigned int num_engines;
	uint64_t quota;
	uint32_t weight;
	uint32_t max_clients;
	uint32_t engine_timeout_ms;	/* 0: the kernel's default */
	int persistent;
	uint32_t owner, group;
	int has_mode;
	uint32_t mode;
	int has_user, has_user_gid;
	uint32_t user_uid, user_gid;
};

/* Long-only options. */
enum {
	OPT_GPU = 256,
	OPT_ENGINES,
	OPT_QUOTA,
	OPT_WEIGHT,
	OPT_MAX_CLIENTS,
	OPT_PERSISTENT,
	OPT_OWNER,
	OPT_GROUP,
	OPT_MODE,
	OPT_USER,
	OPT_ENGINE_TIMEOUT,
};

/* Bytes, or KiB, MiB, GiB with a K, M, G suffix: 0, or -1 if malformed. */
static int parse_size(const char *str, uint64_t *out)
{
	uint64_t n = 0, digit;
	unsigned int shift = 0;
	const char *p;

	for (p = str; *p >= '0' && *p <= '9'; p++) {
		digit = (uint64_t)(*p - '0');
		if (n > (UINT64_MAX - digit) / 10)
			return -1;
		n = n * 10 + digit;
	}
	if (p == str)
		return -1;
	switch (*p) {
	case '\0':
		break;
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	default:
		return -1;
	}
	if (*p && p[1])
		return -1;
	if (n > UINT64_MAX >> shift)
		return -1;
	*out = n << shift;
	return 0;
}

/* UID or UID:GID, decimal. */
static int parse_user(const char *str, struct smi_part_args *a)
{
	const char *colon = strchr(str, ':');
	char uid[16];

	if (!colon)
		return parse_u32(str, &a->user_uid);
	if ((size_t)(colon - str) >= sizeof(uid))
		return -1;
	memcpy(uid, str, (size_t)(colon - str));
	uid[colon - str] = '\0';
	if (parse_u32(uid, &a->user_uid) ||
	    parse_u32(colon + 1, &a->user_gid))
		return -1;
	a->has_user_gid = 1;
	return 0;
}

/* Cut --engines into names: checked for form only, not against a GPU. */
static int parse_engines(const char *cmd, const char *list,
			 struct smi_part_args *a)
{
	char *name, *next;
	unsigned int i;

	free(a->engine_list);
	a->num_engines = 0;
	a->engine_list = strdup(list);
	if (!a->engine_list) {
		fprintf(stderr, PROG ": %s\n", strerror(ENOMEM));
		return SMI_EXIT_FAIL;
	}

	for (name = a->engine_list; name; name = next) {
		next = strchr(name, ',');
		if (next)
			*next++ = '\0';
		if (!*name)
			return usage_error(cmd, "empty engine name in '%s'",
					   list);
		if (strlen(name) >= GPUCLIENT_ENGINE_NAME_LEN)
			return usage_error(cmd, "engine name '%s' too long",
					   name);
		for (i = 0; i < a->num_engines; i++)
			if (!strcmp(a->engines[i], name))
				return usage_error(cmd,
						   "engine '%s' given twice",
						   name);
		if (a->num_engines == SMI_MAX_ENGINES)
			return usage_error(cmd,
					   "more engines than a partition can have in '%s'",
					   list);
		a->engines[a->num_engines++] = name;
	}
	return SMI_GO_ON;
}

/*
 * An option of "partition create" or "partition run": SMI_GO_ON, or the
 * status to exit with. @cmd names the command in messages.
 */
static int parse_part_opt(const char *cmd, int c, struct smi_part_args *a)
{
	switch (c) {
	case OPT_GPU:
		a->gpu = optarg;
		return SMI_GO_ON;
	case OPT_ENGINES:
		return parse_engines(cmd, optarg, a);
	case OPT_QUOTA:
		if (parse_size(optarg, &a->quota))
			return usage_error(cmd,
					   "invalid size '%s' (bytes, or with a K, M or G suffix)",
					   optarg);
		return SMI_GO_ON;
	case OPT_WEIGHT:
		if (parse_u32(optarg, &a->weight) || !a->weight ||
		    a->weight > GPUCLIENT_PARTITION_MAX_WEIGHT)
			return usage_error(cmd,
					   "invalid weight '%s' (1 to 1000)",
					   optarg);
		return SMI_GO_ON;
	case OPT_ENGINE_TIMEOUT:
		if (parse_uint(optarg, 10, GPUCLIENT_ENGINE_TIMEOUT_MAX_MS,
			       &a->engine_timeout_ms))
			return usage_error(cmd,
					   "invalid engine timeout '%s' (1 to %u ms, 0 for the default)",
					   optarg, (unsigned int)
					   GPUCLIENT_ENGINE_TIMEOUT_MAX_MS);
		return SMI_GO_ON;
	case OPT_MAX_CLIENTS:
		if (parse_u32(optarg, &a->max_clients))
			return usage_error(cmd,
					   "invalid client limit '%s' (a number, 0 for none)",
					   optarg);
		return SMI_GO_ON;
	case OPT_PERSISTENT:
		a->persistent = 1;
		return SMI_GO_ON;
	case OPT_OWNER:
		if (parse_u32(optarg, &a->owner))
			return usage_error(cmd,
					   "invalid owner '%s' (a numeric uid)",
					   optarg);
		return SMI_GO_ON;
	case OPT_GROUP:
		if (parse_u32(optarg, &a->group))
			return usage_error(cmd,
					   "invalid group '%s' (a numeric gid)",
					   optarg);
		return SMI_GO_ON;
	case OPT_MODE:
		a->has_mode = 1;
		if (parse_uint(optarg, 8, 0777, &a->mode))
			return usage_error(cmd,
					   "invalid mode '%s' (octal, at most 0777)",
					   optarg);
		return SMI_GO_ON;
	case OPT_USER:
		a->has_user = 1;
		if (parse_user(optarg, a))
			return usage_error(cmd,
					   "invalid user '%s' (UID or UID:GID, numeric)",
					   optarg);
		return SMI_GO_ON;
	default:
		return SMI_NOT_OURS;
	}
}

/* The arguments every partition maker needs. */
static int check_part_args(const char *cmd, const struct smi_part_args *a)
{
	if (!a->gpu)
		return usage_error(cmd, "%s is required", "--gpu");
	if (!a->num_engines)
		return usage_error(cmd, "%s is required", "--engines");
	return SMI_GO_ON;
}

/* Does the kernel have partitions? 0, or the status to exit with. */
static int need_partitions(const char *path, gpuclient_handle h)
{
	return smi_need_feature(path, h, GPUCLIENT_FEATURE_PARTITIONS,
				"partitions", "partitions need 1.3");
}

/* The engine mask of --engines on @dev: 0, or the status to exit with. */
static int resolve_engines(gpuclient_handle h,
			   const struct gpuclient_device_info *dev,
			   const struct smi_part_args *a, uint64_t *mask)
{
	struct gpuclient_engine_info *engines;
	char name[GPUCLIENT_NAME_LEN];
	uint32_t n, i;
	unsigned int j;
	int ret;

	printable(name, dev->name, sizeof(name));
	ret = gpuclient_query_engines(h, dev->device_id, &engines, &n);
	if (ret) {
		fprintf(stderr, PROG ": %s: cannot list engines: %s\n", name,
			strerror(-ret));
		return SMI_EXIT_FAIL;
	}

	*mask = 0;
	for (j = 0; j < a->num_engines; j++) {
		for (i = 0; i < n; i++)
			if (!strcmp(engines[i].name, a->engines[j]))
				break;
		if (i == n) {
			fprintf(stderr, PROG ": %s has no engine '%s'; it has",
				name, a->engines[j]);
			for (i = 0; i < n; i++) {
				char ename[GPUCLIENT_ENGINE_NAME_LEN];

				printable(ename, engines[i].name, sizeof(ename));
				fprintf(stderr, " %s", ename);
			}
			fprintf(stderr, "%s\n", n ? "" : " none");
			ret = SMI_EXIT_FAIL;
			break;
		}
		if (i >= SMI_MAX_ENGINES) {
			fprintf(stderr,
				PROG ": %s: engine '%s' is beyond the first %u, which are all a partition can have\n",
				name, a->engines[j], SMI_MAX_ENGINES);
			ret = SMI_EXIT_FAIL;
			break;
		}
		*mask |= 1ULL << i;
	}
	gpuclient_free_engines(engines);
	return ret;
}

/*
 * Open the device and make the partition @a describes: 0 with its id and
 * first client's descriptor, or the status to exit with.
 */
static int make_partition(const char *cmd, const struct smi_opts *o,
			  const struct smi_part_args *a, uint32_t *id, int *fd)
{
	struct gpuclient_partition_params2 params = { 0 };
	struct gpuclient_device_info dev;
	char name[GPUCLIENT_NAME_LEN];
	gpuclient_handle h;
	int ret;

	ret = smi_open(o->path, &h);
	if (ret)
		return ret;
	ret = need_partitions(o->path, h);
	/* The library would say -EOPNOTSUPP; say why. */
	if (!ret && a->engine_timeout_ms)
		ret = smi_need_feature(o->path, h, GPUCLIENT_FEATURE_SCHED,
				       "scheduler",
				       "--engine-timeout-ms needs 1.4");
	if (!ret)
		ret = find_gpu(o->path, h, a->gpu, &dev);
	if (!ret)
		ret = resolve_engines(h, &dev, a, &params.engine_mask);
	if (ret)
		goto out_close;

	params.device_id = dev.device_id;
	params.mem_quota = a->quota;
	params.weight = a->weight;
	params.max_clients = a->max_clients;
	params.engine_timeout_ms = a->engine_timeout_ms;
	if (a->persistent) {
		params.flags = GPUCLIENT_PARTITION_PERSISTENT;
		params.node_uid = a->owner;
		params.node_gid = a->group;
		params.node_mode = a->has_mode ? a->mode : SMI_DEFAULT_MODE;
	}
	ret = gpuclient_partition_create2(h, &params, id, fd);
	if (ret) {
		printable(name, dev.name, sizeof(name));
		fprintf(stderr, PROG ": %s: cannot create a partition of %s: %s\n",
			cmd, name, strerror(-ret));
		ret = SMI_EXIT_FAIL;
	}
out_close:
	gpuclient_close(h);
	return ret;
}

static const struct option part_longopts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ "gpu", required_argument, NULL, OPT_GPU },
	{ "engines", required_argument, NULL, OPT_ENGINES },
	{ "quota", required_argument, NULL, OPT_QUOTA },
	{ "weight", required_argument, NULL, OPT_WEIGHT },
	{ "max-clients", required_argument, NULL, OPT_MAX_CLIENTS },
	{ "persistent", no_argument, NULL, OPT_PERSISTENT },
	{ "owner", required_argument, NULL, OPT_OWNER },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "user", required_argument, NULL, OPT_USER },
	{ "engine-timeout-ms", required_argument, NULL, OPT_ENGINE_TIMEOUT },
	{ NULL, 0, NULL, 0 },
};

/* Only these of part_longopts are options of "partition run". */
static int run_takes(int c)
{
	return c == OPT_GPU || c == OPT_ENGINES || c == OPT_QUOTA ||
	       c == OPT_WEIGHT || c == OPT_USER || c == OPT_ENGINE_TIMEOUT;
}

/* An option of the other partition maker's: the usage error. */
static int other_makers_option(const char *cmd, int c, const char *other)
{
	const struct option *opt;

	for (opt = part_longopts; opt->name && opt->val != c; opt++)
		;
	return usage_error(cmd, "option '--%s' is for 'partition %s' only",
			   opt->name ? opt->name : "?", other);
}

static int cmd_partition_create(int argc, char **argv, struct smi_opts *o)
{
	static const char cmd[] = "partition create";
	struct smi_part_args a = { .weight = SMI_DEFAULT_WEIGHT };
	char node[64];
	uint32_t id;
	int c, ret = SMI_GO_ON;

	optind = 0;
	while (ret == SMI_GO_ON &&
	       (c = getopt_long(argc, argv, ":d:jh", part_longopts,
				NULL)) != -1) {
		if (c == OPT_USER)
			ret = other_makers_option(cmd, c, "run");
		else
			ret = parse_part_opt(cmd, c, &a);
		if (ret == SMI_NOT_OURS)
			ret = smi_common_opt(c, cmd, argv, part_longopts, o);
	}
	if (ret == SMI_GO_ON && optind < argc)
		ret = usage_error(cmd, "unexpected argument '%s'",
				  argv[optind]);
	if (ret == SMI_GO_ON)
		ret = check_part_args(cmd, &a);
	if (ret == SMI_GO_ON && !a.persistent)
		ret = usage_error(cmd, "%s",
				  "without --persistent the partition would end as " PROG " exits; add --persistent, or use 'partition run'");
	if (ret != SMI_GO_ON)
		goto out;

	ret = make_partition(cmd, o, &a, &id, NULL);
	if (ret)
		goto out;

	snprintf(node, sizeof(node), GPUCLIENT_PARTITION_NODE_PATH,
		 (unsigned int)id);
	if (o->json) {
		printf("{\"id\": %" PRIu32 ", \"node\": ", id);
		json_string(node);
		printf("}\n");
	} else {
		printf("%" PRIu32 " %s\n", id, node);
	}
out:
	free(a.engine_list);
	return ret;
}

/* One engine's name, by its bit in a mask of @d's engines. */
static void engine_name(char *buf, size_t size, const struct smi_device *d,
			unsigned int bit)
{
	if (d && !d->gone && bit < d->num_engines)
		printable(buf, d->engines[bit].name, size);
	else
		snprintf(buf, size, "bit%u", bit);
}

/* "compute1,copy0": the engines of a mask, by name. */
static void engine_names(char *buf, size_t size, const struct smi_device *d,
			 uint64_t mask)
{
	char name[GPUCLIENT_ENGINE_NAME_LEN];
	size_t len = 0;
	unsigned int bit;

	buf[0] = '\0';
	for (bit = 0; bit < SMI_MAX_ENGINES; bit++) {
		if (!(mask & (1ULL << bit)))
			continue;
		engine_name(name, sizeof(name), d, bit);
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					len ? "," : "", name);
		if (len >= size)
			break;
	}
}

static const struct smi_device *find_device(const struct smi_state *s,
					    uint32_t id)
{
	uint32_t i;

	for (i = 0; i < s->num_devs; i++)
		if (s->devs[i].info.device_id == id)
			return &s->devs[i];
	return NULL;
}

static void print_partitions_table(const struct smi_state *s,
				   const struct gpuclient_partition_info *p,
				   uint32_t n)
{
	int w_id = 2, w_dev = 6, w_eng = 7, w_weight = 6, w_quota = 5;
	int w_used = 4, w_clients = 7;
	char buf[SMI_ENGINES_LEN];
	uint32_t i;
	int pass;

	if (!n) {
		printf("No partitions.\n");
		return;
	}

	/* Measure, then print. */
	for (pass = 0; pass < 2; pass++) {
		if (pass)
			printf("%-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n",
			       w_id, "ID", w_dev, "DEVICE", w_eng, "ENGINES",
			       w_weight, "WEIGHT", w_quota, "QUOTA", w_used,
			       "USED", w_clients, "CLIENTS", "PERSISTENT");
		for (i = 0; i < n; i++) {
			const struct smi_device *d = find_device(s,
							p[i].device_id);
			char id[16], dev[GPUCLIENT_NAME_LEN], weight[16];
			char quota[32], used[32], clients[32];
			int len;

			snprintf(id, sizeof(id), "%" PRIu32, p[i].partition_id);
			if (d)
				printable(dev, d->info.name, sizeof(dev));
			else
				snprintf(dev, sizeof(dev), "?");
			engine_names(buf, sizeof(buf), d, p[i].engine_mask);
			snprintf(weight, sizeof(weight), "%" PRIu32,
				 p[i].weight);
			format_size(quota, sizeof(quota), p[i].mem_quota);
			if (p[i].mem_used)
				format_size(used, sizeof(used), p[i].mem_used);
			else
				snprintf(used, sizeof(used), "0 B");
			len = snprintf(clients, sizeof(clients), "%" PRIu32 "/",
				       p[i].num_clients);
			if (p[i].max_clients)
				snprintf(clients + len, sizeof(clients) - len,
					 "%" PRIu32, p[i].max_clients);
			else
				snprintf(clients + len, sizeof(clients) - len,
					 "-");

			if (!pass) {
				w_id = max_int(w_id, (int)strlen(id));
				w_dev = max_int(w_dev, (int)strlen(dev));
				w_eng = max_int(w_eng, (int)strlen(buf));
				w_weight = max_int(w_weight, (int)strlen(weight));
				w_quota = max_int(w_quota, (int)strlen(quota));
				w_used = max_int(w_used, (int)strlen(used));
				w_clients = max_int(w_clients,
						    (int)strlen(clients));
				continue;
			}
			printf("%-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n",
			       w_id, id, w_dev, dev, w_eng, buf, w_weight,
			       weight, w_quota, quota, w_used, used, w_clients,
			       clients,
			       p[i].flags & GPUCLIENT_PARTITION_PERSISTENT ?
			       "yes" : "no");
		}
	}
}

static void print_partitions_json(const struct smi_state *s,
				  const struct gpuclient_partition_info *p,
				  uint32_t n)
{
	char name[GPUCLIENT_ENGINE_NAME_LEN];
	unsigned int bit, k;
	uint32_t i;

	printf("{\n  \"partitions\": [");
	for (i = 0; i < n; i++) {
		const struct smi_device *d = find_device(s, p[i].device_id);

		printf("%s\n    {\"id\": %" PRIu32 ", \"device_id\": %" PRIu32
		       ", \"device\": ", i ? "," : "", p[i].partition_id,
		       p[i].device_id);
		if (d)
			json_string(d->info.name);
		else
			printf("null");
		printf(", \"engines\": [");
		for (bit = 0, k = 0; bit < SMI_MAX_ENGINES; bit++) {
			if (!(p[i].engine_mask & (1ULL << bit)))
				continue;
			engine_name(name, sizeof(name), d, bit);
			printf("%s", k++ ? ", " : "");
			json_string(name);
		}
		printf("], \"engine_mask\": %" PRIu64 ", \"weight\": %" PRIu32
		       ", \"quota\": %" PRIu64 ", \"memory_used\": %" PRIu64
		       ", \"clients\": %" PRIu32 ", \"max_clients\": %" PRIu32
		       ", \"persistent\": %s}", p[i].engine_mask, p[i].weight,
		       p[i].mem_quota, p[i].mem_used, p[i].num_clients,
		       p[i].max_clients,
		       p[i].flags & GPUCLIENT_PARTITION_PERSISTENT ?
		       "true" : "false");
	}
	printf("%s]\n}\n", n ? "\n  " : "");
}

static int cmd_partition_list(int argc, char **argv, struct smi_opts *o)
{
	static const char cmd[] = "partition list";
	const struct option *longopts = common_longopts;
	struct gpuclient_partition_info *parts;
	struct smi_state s;
	gpuclient_handle h;
	uint32_t n;
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
	ret = need_partitions(o->path, h);
	if (ret) {
		gpuclient_close(h);
		return ret;
	}
	/* The devices and their engines first, to name the partitions'. */
	ret = smi_state_init(&s, h);
	if (ret) {
		gpuclient_close(h);
		fprintf(stderr, PROG ": %s: cannot list devices: %s\n",
			device_path(o->path), strerror(-ret));
		return SMI_EXIT_FAIL;
	}
	ret = gpuclient_query_partitions(h, &parts, &n);
	gpuclient_close(h);
	if (ret) {
		smi_state_fini(&s);
		fprintf(stderr, PROG ": %s: cannot list partitions: %s\n",
			device_path(o->path), strerror(-ret));
		return SMI_EXIT_FAIL;
	}

	if (o->json)
		print_partitions_json(&s, parts, n);
	else
		print_partitions_table(&s, parts, n);
	gpuclient_free_partitions(parts);
	smi_state_fini(&s);
	return SMI_EXIT_OK;
}

static int cmd_partition_revoke(int argc, char **argv, struct smi_opts *o)
{
	static const char cmd[] = "partition revoke";
	const struct option *longopts = common_longopts;
	gpuclient_handle h;
	uint32_t id;
	int c, ret;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":d:jh", longopts, NULL)) != -1) {
		ret = smi_common_opt(c, cmd, argv, longopts, o);
		if (ret != SMI_GO_ON)
			return ret;
	}
	if (optind == argc)
		return usage_error(cmd, "%s", "missing partition id");
	if (parse_u32(argv[optind], &id) || !id)
		return usage_error(cmd, "invalid partition id '%s'",
				   argv[optind]);
	if (optind + 1 < argc)
		return usage_error(cmd, "unexpected argument '%s'",
				   argv[optind + 1]);

	ret = smi_open(o->path, &h);
	if (ret)
		return ret;
	ret = need_partitions(o->path, h);
	if (!ret) {
		ret = gpuclient_partition_revoke(h, id);
		if (ret == -ENOENT)
			fprintf(stderr, PROG ": %s: no partition %" PRIu32 "\n",
				cmd, id);
		else if (ret)
			fprintf(stderr, PROG ": %s: partition %" PRIu32 ": %s\n",
				cmd, id, strerror(-ret));
		ret = ret ? SMI_EXIT_FAIL : SMI_EXIT_OK;
	}
	gpuclient_close(h);
	return ret;
}

/* setgroups(0), setgid(), setuid(), in that order: 0, or the exit status. */
static int drop_privileges(uint32_t uid, uint32_t gid)
{
	if (setgroups(0, NULL)) {
		fprintf(stderr, PROG ": cannot drop the supplementary groups: %s\n",
			strerror(errno));
		return SMI_EXIT_FAIL;
	}
	if (setgid((gid_t)gid)) {
		fprintf(stderr, PROG ": cannot set the group id to %" PRIu32
			": %s\n", gid, strerror(errno));
		return SMI_EXIT_FAIL;
	}
	if (setuid((uid_t)uid)) {
		fprintf(stderr, PROG ": cannot set the user id to %" PRIu32
			": %s\n", uid, strerror(errno));
		return SMI_EXIT_FAIL;
	}
	if (getuid() != (uid_t)uid || geteuid() != (uid_t)uid ||
	    getgid() != (gid_t)gid || getegid() != (gid_t)gid) {
		fprintf(stderr, PROG ": the user and group ids are not %" PRIu32
			":%" PRIu32 " after the change\n", uid, gid);
		return SMI_EXIT_FAIL;
	}
	return SMI_EXIT_OK;
}

static int cmd_partition_run(int argc, char **argv, struct smi_opts *o)
{
	static const char cmd[] = "partition run";
	struct smi_part_args a = { .weight = SMI_DEFAULT_WEIGHT };
	const struct passwd *pw;
	char num[16];
	uint32_t id;
	int c, fd, err, ret = SMI_GO_ON;

	/* "+": the options end at PROGRAM, whose own follow it. */
	optind = 0;
	while (ret == SMI_GO_ON &&
	       (c = getopt_long(argc, argv, "+:d:jh", part_longopts,
				NULL)) != -1) {
		if (c >= OPT_GPU && !run_takes(c))
			ret = other_makers_option(cmd, c, "create");
		else
			ret = parse_part_opt(cmd, c, &a);
		if (ret == SMI_NOT_OURS)
			ret = smi_common_opt(c, cmd, argv, part_longopts, o);
	}
	if (ret == SMI_GO_ON)
		ret = check_part_args(cmd, &a);
	if (ret == SMI_GO_ON && optind == argc)
		ret = usage_error(cmd, "%s", "missing program to run");
	if (ret != SMI_GO_ON)
		goto out;

	/* Who to become, before anything is made. */
	if (a.has_user && !a.has_user_gid) {
		errno = 0;
		pw = getpwuid((uid_t)a.user_uid);
		if (!pw) {
			fprintf(stderr, PROG ": %s: user %" PRIu32
				" has no passwd entry to take a group from; "
				"give --user UID:GID\n", cmd, a.user_uid);
			ret = SMI_EXIT_FAIL;
			goto out;
		}
		a.user_gid = (uint32_t)pw->pw_gid;
	}

	ret = make_partition(cmd, o, &a, &id, &fd);
	if (ret)
		goto out;

	/* The descriptor goes to PROGRAM, named in $GPUFE_FD. */
	snprintf(num, sizeof(num), "%d", fd);
	if (fcntl(fd, F_SETFD, 0) || setenv(GPUCLIENT_FD_ENV, num, 1)) {
		fprintf(stderr, PROG ": %s: cannot pass the partition on: %s\n",
			cmd, strerror(errno));
		close(fd);
		ret = SMI_EXIT_FAIL;
		goto out;
	}
	if (a.has_user) {
		ret = drop_privileges(a.user_uid, a.user_gid);
		if (ret) {
			close(fd);
			goto out;
		}
	}

	fflush(stdout);
	execvp(argv[optind], &argv[optind]);
	err = errno;
	fprintf(stderr, PROG ": %s: %s\n", argv[optind], strerror(err));
	close(fd);
	ret = err == ENOENT ? SMI_EXIT_NOT_FOUND : SMI_EXIT_CANNOT_RUN;
out:
	free(a.engine_list);
	return ret;
}

int cmd_partition(int argc, char **argv, struct smi_opts *o)
{
	const char *sub;

	if (argc < 2)
		return usage_error("partition", "%s",
				   "missing subcommand (create, list, revoke or run)");
	sub = argv[1];
	if (!strcmp(sub, "create"))
		return cmd_partition_create(argc - 1, argv + 1, o);
	if (!strcmp(sub, "list"))
		return cmd_partition_list(argc - 1, argv + 1, o);
	if (!strcmp(sub, "revoke"))
		return cmd_partition_revoke(argc - 1, argv + 1, o);
	if (!strcmp(sub, "run"))
		return cmd_partition_run(argc - 1, argv + 1, o);
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		usage(stdout);
		return SMI_EXIT_OK;
	}
	return usage_error("partition", "unknown subcommand '%s'", sub);
}
