// SPDX-License-Identifier: MIT
/*
 * fill: fill a buffer on a copy engine and check it from the CPU.
 *
 * Creates a 1 MiB buffer, submits one job with two FILL commands (the whole
 * buffer, then a range in the middle) to a context on the first copy engine
 * it finds, waits for the job, and checks every word through a CPU mapping.
 *
 * Build: cc fill.c $(pkg-config --cflags --libs gpuclient)
 * Run:   ./fill            (GPUFE_DEVICE=path to use another node)
 * Exit:  0 if the buffer holds what the job wrote, 1 otherwise.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <gpuclient.h>

#define BUF_SIZE	(1u << 20)
#define BACKGROUND	0xcafef00du
#define PATCH		0x12345678u
#define PATCH_OFFSET	4096u
#define PATCH_LENGTH	8192u
#define TIMEOUT_NS	(5ull * 1000000000)

static int failed(const char *what, int ret)
{
	fprintf(stderr, "fill: %s: %s\n", what, strerror(-ret));
	return 1;
}

/*
 * The first engine of @engine_class on any device: 0, -ENOENT if no
 * device this client sees has one (a partition's client sees only its
 * partition's engines), or the error listing the devices.
 */
static int find_engine(gpuclient_handle h, uint32_t engine_class,
		       uint32_t *device_id, uint32_t *instance)
{
	struct gpuclient_device_info *devs;
	uint32_t ndevs, i, j;
	int ret;

	ret = gpuclient_query_devices(h, &devs, &ndevs);
	if (ret)
		return ret;
	for (i = 0, ret = -ENOENT; i < ndevs && ret; i++) {
		struct gpuclient_engine_info *engines;
		uint32_t nengines;

		if (gpuclient_query_engines(h, devs[i].device_id, &engines,
					    &nengines))
			continue;
		for (j = 0; j < nengines; j++) {
			if (engines[j].engine_class == engine_class) {
				*device_id = devs[i].device_id;
				*instance = engines[j].engine_instance;
				printf("fill: using %s (device %u), engine %s\n",
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

int main(void)
{
	gpuclient_handle h = NULL;
	gpuclient_ctx_handle ctx = NULL;
	gpuclient_bo_handle bo = NULL;
	gpuclient_cmdbuf_handle cb = NULL;
	struct gpuclient_ctx_status status;
	uint32_t device_id, instance, idx, i, bad = 0;
	uint64_t seqno;
	uint32_t *words;
	void *map;
	int ret, status_code = 1;

	ret = gpuclient_open(NULL, &h);
	if (ret)
		return failed("open", ret);

	ret = find_engine(h, GPUCLIENT_ENGINE_CLASS_COPY, &device_id, &instance);
	if (ret == -ENOENT) {
		fprintf(stderr,
			"fill: no copy engine on any device this process can use\n");
		goto out;
	}
	if (ret) {
		failed("listing the engines", ret);
		goto out;
	}

	ret = gpuclient_ctx_create(h, device_id, GPUCLIENT_ENGINE_CLASS_COPY,
				   instance, GPUCLIENT_PRIORITY_NORMAL, &ctx);
	if (ret) {
		failed("context", ret);
		goto out;
	}
	ret = gpuclient_bo_create(h, BUF_SIZE, &bo);
	if (ret) {
		failed("buffer", ret);
		goto out;
	}

	/* One job: the whole buffer, then a patch in the middle. */
	ret = gpuclient_cmdbuf_create(&cb);
	if (!ret)
		ret = gpuclient_cmdbuf_add_bo(cb, bo, GPUCLIENT_BO_WRITE, &idx);
	if (!ret)
		ret = gpuclient_cmd_fill(cb, idx, 0, BUF_SIZE, BACKGROUND);
	if (!ret)
		ret = gpuclient_cmd_fill(cb, idx, PATCH_OFFSET, PATCH_LENGTH,
					 PATCH);
	if (ret) {
		failed("building the job", ret);
		goto out;
	}

	ret = gpuclient_submit(ctx, cb, -1, NULL, &seqno);
	if (ret) {
		failed("submit", ret);
		goto out;
	}
	ret = gpuclient_wait(ctx, seqno, TIMEOUT_NS);
	if (ret) {
		failed("wait", ret);
		goto out;
	}
	ret = gpuclient_ctx_status(ctx, &status);
	if (ret) {
		failed("status", ret);
		goto out;
	}
	if (status.completed < seqno || status.error) {
		fprintf(stderr, "fill: job %" PRIu64 ": completed %" PRIu64
			", error %d\n", seqno, status.completed, status.error);
		goto out;
	}
	printf("fill: job %" PRIu64 " completed without error\n", seqno);

	ret = gpuclient_bo_map(bo, &map);
	if (ret) {
		failed("map", ret);
		goto out;
	}
	words = map;
	for (i = 0; i < BUF_SIZE / 4; i++) {
		uint32_t off = i * 4;
		uint32_t want = off >= PATCH_OFFSET &&
				off < PATCH_OFFSET + PATCH_LENGTH ?
				PATCH : BACKGROUND;

		if (words[i] != want && bad++ < 5)
			fprintf(stderr, "fill: word at 0x%x is 0x%08x, want 0x%08x\n",
				off, words[i], want);
	}
	if (bad) {
		fprintf(stderr, "fill: FAIL: %u of %u words wrong\n", bad,
			BUF_SIZE / 4);
		goto out;
	}
	printf("fill: PASS: %u words checked: 0x%08x, and 0x%08x in [0x%x, 0x%x)\n",
	       BUF_SIZE / 4, BACKGROUND, PATCH, PATCH_OFFSET,
	       PATCH_OFFSET + PATCH_LENGTH);
	status_code = 0;

out:
	gpuclient_cmdbuf_destroy(cb);
	gpuclient_bo_destroy(bo);
	gpuclient_ctx_destroy(ctx);
	gpuclient_close(h);
	return status_code;
}
