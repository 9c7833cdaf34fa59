// SPDX-License-Identifier: MIT
/*
 * gpufe-bench: figures of merit for gpufe, each a ratio to a floor
 * measured in the same run, so that they mean something under emulation.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <gpufe.h>
#include <gpufe_swgpu.h>

#define REPEATS		5
#define NULL_IOCTLS	100000
#define BATCH_JOBS	10000

static int gpufe_fd;

static void die(const char *what)
{
	fprintf(stderr, "gpufe-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* The floor: the cheapest ioctl there is, VERSION. ns per call. */
static double null_ioctl_ns(void)
{
	struct gpufe_version v;
	uint64_t t0 = now_ns();
	int i;

	for (i = 0; i < NULL_IOCTLS; i++)
		if (ioctl(gpufe_fd, GPUFE_IOCTL_VERSION, &v))
			die("VERSION");
	return (double)(now_ns() - t0) / NULL_IOCTLS;
}

static uint32_t first_device(void)
{
	struct {
		struct gpufe_query_devices hdr;
		struct gpufe_device_info dev[64];
	} res;
	struct gpufe_query q = {
		.query = GPUFE_QUERY_DEVICES,
		.size = sizeof(res),
		.data = (uintptr_t)&res,
	};

	if (ioctl(gpufe_fd, GPUFE_IOCTL_QUERY, &q))
		die("QUERY");
	if (!res.hdr.num_devices) {
		fprintf(stderr, "gpufe-bench: no device\n");
		exit(1);
	}
	return res.dev[0].device_id;
}

static void wait_seqno(uint32_t ctx, uint64_t seqno)
{
	struct gpufe_wait w = {
		.ctx_id = ctx,
		.seqno = seqno,
		.timeout_ns = now_ns() + 60ull * 1000000000ull,
	};
	int ret;

	do {
		ret = ioctl(gpufe_fd, GPUFE_IOCTL_WAIT, &w);
	} while (ret && errno == EINTR);
	if (ret)
		die("WAIT");
}

/* Per-job cost of BATCH_JOBS NOPs submitted back to back, last waited. */
static double batched_job_ns(uint32_t ctx)
{
	struct swgpu_cmd_nop nop = { .opcode = SWGPU_CMD_NOP };
	struct gpufe_submit s = {
		.ctx_id = ctx,
		.cmds = (uintptr_t)&nop,
		.cmds_size = sizeof(nop),
	};
	uint64_t t0 = now_ns();
	int i;

	for (i = 0; i < BATCH_JOBS; i++)
		if (ioctl(gpufe_fd, GPUFE_IOCTL_SUBMIT, &s))
			die("SUBMIT");
	wait_seqno(ctx, s.seqno);
	return (double)(now_ns() - t0) / BATCH_JOBS;
}

int main(void)
{
	struct gpufe_ctx_create cc = {
		.engine_class = GPUFE_ENGINE_CLASS_COPY,
	};
	double null_ns[REPEATS], job_ns[REPEATS];
	int i;

	gpufe_fd = open(GPUFE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (gpufe_fd < 0)
		die(GPUFE_DEVICE_PATH);
	cc.device_id = first_device();
	if (ioctl(gpufe_fd, GPUFE_IOCTL_CTX_CREATE, &cc))
		die("CTX_CREATE");

	/* Warm up both paths once, then alternate the measurements. */
	null_ioctl_ns();
	batched_job_ns(cc.ctx_id);
	for (i = 0; i < REPEATS; i++) {
		null_ns[i] = null_ioctl_ns();
		job_ns[i] = batched_job_ns(cc.ctx_id);
	}

	printf("batched_job_vs_null_ioctl: %.2f\n",
	       median(job_ns, REPEATS) / median(null_ns, REPEATS));
	close(gpufe_fd);
	return 0;
}
