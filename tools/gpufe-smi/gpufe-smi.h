/* SPDX-License-Identifier: MIT */
/*
 * What gpufe-smi's files share: gpufe-smi.c (the options, the messages,
 * the device list, main()), gpufe-smi-partition.c (the partition
 * subcommands) and gpufe-smi-sched.c (the scheduler subcommands).
 * gpufe-smi.c says what the tool does.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef GPUFE_SMI_H
#define GPUFE_SMI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gpuclient.h>

#define PROG "gpufe-smi"
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit statuses. */
#define SMI_EXIT_OK		0
#define SMI_EXIT_FAIL		1	/* a runtime error */
#define SMI_EXIT_USAGE		2	/* a bad command line */
#define SMI_EXIT_CANNOT_RUN	126	/* run: PROGRAM not executable */
#define SMI_EXIT_NOT_FOUND	127	/* run: PROGRAM not found */

/* smi_common_opt(): the option was handled, parse on. */
#define SMI_GO_ON		(-1)

/*
 * The sysfs mount point "sched" reads and writes GPUs' attributes under,
 * and the environment variable that stands for it (for tests).
 */
#define SMI_SYSFS_DEFAULT	"/sys"
#define SMI_SYSFS_ENV		"GPUFE_SYSFS"

/* The defaults of "partition create" and "partition run". */
#define SMI_DEFAULT_WEIGHT	100
#define SMI_DEFAULT_MODE	0600

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

/* The options every command takes. */
struct smi_opts {
	const char *path;
	int json;
};

/* gpufe-smi.c */
extern const struct option common_longopts[];
void usage(FILE *f);
__attribute__((format(printf, 2, 3)))
int usage_error(const char *cmd, const char *fmt, ...);
int smi_common_opt(int c, const char *cmd, char *const *argv,
		   const struct option *longopts, struct smi_opts *o);
const char *device_path(const char *path);
int smi_open(const char *path, gpuclient_handle *h);
int smi_need_feature(const char *path, gpuclient_handle h, uint64_t feature,
		     const char *what, const char *needs);
int parse_uint(const char *str, unsigned int base, uint32_t max,
	       uint32_t *out);
int parse_u32(const char *str, uint32_t *out);
int find_gpu(const char *path, gpuclient_handle h, const char *gpu,
	     struct gpuclient_device_info *out);
int smi_state_init(struct smi_state *s, gpuclient_handle h);
void smi_state_fini(struct smi_state *s);
void format_size(char *buf, size_t size, uint64_t bytes);
void printable(char *dst, const char *src, size_t size);
int max_int(int a, int b);
void json_string(const char *str);

/* gpufe-smi-partition.c */
int cmd_partition(int argc, char **argv, struct smi_opts *o);

/* gpufe-smi-sched.c */
int cmd_sched(int argc, char **argv, struct smi_opts *o);

#endif /* GPUFE_SMI_H */
