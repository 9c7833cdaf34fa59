// SPDX-License-Identifier: MIT
/*
 * waitmodes: wait for jobs by sleeping, by spinning on the completion
 * page, and by spinning a little then sleeping.
 *
 * Runs one job per wait mode on the first compute engine it finds: a
 * short DELAY, then a FILL of a 4 KiB buffer with a value of its own. It
 * waits for each job with gpuclient_wait_mode(), then checks with
 * gpuclient_ctx_done() that the job is done, without a system call, and
 * from the CPU that the buffer holds the job's value.
 *
 * Build: cc waitmodes.c $(pkg-config --cflags --libs gpuclient)
 * Run:   ./waitmodes       (GPUFE_DEVICE=path to use another node)
 * Exit:  0 if every wait saw its job's data, 1 otherwise.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <gpuclient.h>

#define BUF_SIZE	4096u
#define JOB_DELAY_US	2000u
#define TIMEOUT_NS	(5ull * 1000000000)
/* How long the hybrid wait spins before it sleeps. */
#define SPIN_BUDGET_NS	(100ull * 1000)

static const struct {
	uint32_t mode;
	const char *name;
	uint32_t value;
} modes[] = {
	{ GPUCLIENT_WAIT_SLEEP, "sleep", 0x51ee9000u },
	{ GPUCLIENT_WAIT_SPIN, "spin", 0x5b1a0000u },
	{ GPUCLIENT_WAIT_HYBRID, "hybrid", 0x4b1d0000u },
};

static int failed(const char *what, int ret)
{
	fprintf(stderr, "waitmodes: %s: %s\n", what, strerror(-ret));
	return 1;
}

/* The first compute engine of any device. */
static int find_compute(gpuclient_handle h, uint32_t *device_id,
			uint32_t *instance)
{
	struct gpuclient_device_info *devs;
	uint32_t ndevs, i, j;
	int ret;

	ret = gpuclient_query_devices(h, &devs, &ndevs);
	if (ret)
		return ret;
	for (i = 0, ret = -ENODEV; i < ndevs && ret; i++) {
		struct gpuclient_engine_info *engines;
		uint32_t nengines;

		if (gpuclient_query_engines(h, devs[i].device_id, &engines,
					    &nengines))
			continue;
		for (j = 0; j < nengines; j++) {
			if (engines[j].engine_class ==
			    GPUCLIENT_ENGINE_CLASS_COMPUTE) {
				*device_id = devs[i].device_id;
				*instance = engines[j].engine_instance;
				printf("waitmodes: using %s (device %u), engine %s\n",
				       devs[i].name, devs[i].device_id,
				       engines[j].name);
				ret = 0;
				break;
			}
		}
		gpuclient_free_engines(engines);
	}
	gpuclient_free_devices(devs);
	return ret;
}

/* One job that fills the buffer with @value after a short delay. */
static int run_job(gpuclient_ctx_handle ctx, gpuclient_bo_handle bo,
		   uint32_t value, uint64_t *seqno)
{
	gpuclient_cmdbuf_handle cb;
	uint32_t idx;
	int ret;

	ret = gpuclient_cmdbuf_create(&cb);
	if (ret)
		return ret;
	ret = gpuclient_cmdbuf_add_bo(cb, bo, GPUCLIENT_BO_WRITE, &idx);
	if (!ret)
		ret = gpuclient_cmd_delay_us(cb, JOB_DELAY_US);
	if (!ret)
		ret = gpuclient_cmd_fill(cb, idx, 0, BUF_SIZE, value);
	if (!ret)
		ret = gpuclient_submit(ctx, cb, -1, NULL, seqno);
	gpuclient_cmdbuf_destroy(cb);
	return ret;
}

int main(void)
{
	gpuclient_handle h = NULL;
	gpuclient_ctx_handle ctx = NULL;
	gpuclient_bo_handle bo = NULL;
	struct gpuclient_version v;
	uint32_t device_id, instance, i, w;
	const uint32_t *words;
	uint64_t seqno;
	void *map;
	int ret, status_code = 1;

	ret = gpuclient_open(NULL, &h);
	if (ret)
		return failed("open", ret);
	gpuclient_get_version(h, &v);
	printf("waitmodes: the kernel %s a completion page\n",
	       v.features & GPUCLIENT_FEATURE_COMPLETION_PAGE ?
	       "has" : "has no (spinning sleeps instead)");

	ret = find_compute(h, &device_id, &instance);
	if (ret) {
		failed("no compute engine", ret);
		goto out;
	}
	ret = gpuclient_ctx_create(h, device_id, GPUCLIENT_ENGINE_CLASS_COMPUTE,
				   instance, GPUCLIENT_PRIORITY_NORMAL, &ctx);
	if (!ret)
		ret = gpuclient_bo_create(h, BUF_SIZE, &bo);
	if (!ret)
		ret = gpuclient_bo_map(bo, &map);
	if (ret) {
		failed("context and buffer", ret);
		goto out;
	}
	words = map;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ret = run_job(ctx, bo, modes[i].value, &seqno);
		if (ret) {
			failed("submit", ret);
			goto out;
		}
		ret = gpuclient_wait_mode(ctx, seqno, TIMEOUT_NS, modes[i].mode,
					  SPIN_BUDGET_NS);
		if (ret) {
			failed(modes[i].name, ret);
			goto out;
		}
		ret = gpuclient_ctx_done(ctx, seqno);
		if (ret != 1) {
			fprintf(stderr, "waitmodes: %s: job %" PRIu64 " not done after its wait (%d)\n",
				modes[i].name, seqno, ret);
			goto out;
		}
		for (w = 0; w < BUF_SIZE / 4; w++) {
			if (words[w] != modes[i].value) {
				fprintf(stderr, "waitmodes: FAIL: %s: word %u is 0x%08x, want 0x%08x\n",
					modes[i].name, w, words[w],
					modes[i].value);
				goto out;
			}
		}
		printf("waitmodes: %s wait: job %" PRIu64 " done, its data there\n",
		       modes[i].name, seqno);
	}
	printf("waitmodes: PASS: sleep, spin and hybrid waits each saw their job's data\n");
	status_code = 0;

out:
	gpuclient_bo_destroy(bo);
	gpuclient_ctx_destroy(ctx);
	gpuclient_close(h);
	return status_code;
}
