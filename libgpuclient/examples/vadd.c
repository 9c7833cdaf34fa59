// SPDX-License-Identifier: MIT
/*
 * vadd: add two vectors on a compute engine, learning of the completion
 * from an event.
 *
 * Fills a and b from the CPU, submits dst[i] = a[i] + b[i] to a context on
 * the first compute engine it finds, reads completion events until one
 * reports the job (instead of gpuclient_wait()), and checks dst, including
 * an element whose sum wraps around 2^32.
 *
 * Build: cc vadd.c $(pkg-config --cflags --libs gpuclient)
 * Run:   ./vadd            (GPUFE_DEVICE=path to use another node)
 * Exit:  0 if every sum is right, 1 otherwise.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <gpuclient.h>

#define COUNT		65536u
#define BUF_SIZE	(COUNT * 4u)
#define TIMEOUT_MS	5000

static int failed(const char *what, int ret)
{
	fprintf(stderr, "vadd: %s: %s\n", what, strerror(-ret));
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
				printf("vadd: using %s (device %u), engine %s\n",
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

/* Read events until one says job @seqno of @ctx is done. */
static int wait_for_event(gpuclient_handle h, gpuclient_ctx_handle ctx,
			  uint64_t seqno, int32_t *error)
{
	uint32_t ctx_id = gpuclient_ctx_get_id(ctx);

	for (;;) {
		struct gpuclient_event ev[8];
		int n, i;

		n = gpuclient_read_events(h, ev, 8, TIMEOUT_MS);
		if (n < 0)
			return n;
		for (i = 0; i < n; i++) {
			if (ev[i].type == GPUCLIENT_EVENT_COMPLETION &&
			    ev[i].ctx_id == ctx_id && ev[i].seqno >= seqno) {
				*error = ev[i].error;
				return 0;
			}
		}
	}
}

int main(void)
{
	gpuclient_handle h = NULL;
	gpuclient_ctx_handle ctx = NULL;
	gpuclient_bo_handle a = NULL, b = NULL, dst = NULL;
	gpuclient_cmdbuf_handle cb = NULL;
	uint32_t device_id, instance, ia, ib, id, i, bad = 0;
	uint32_t *va, *vb, *vd;
	void *map;
	uint64_t seqno;
	int32_t error;
	int ret, status_code = 1;

	ret = gpuclient_open(NULL, &h);
	if (ret)
		return failed("open", ret);

	ret = find_engine(h, GPUCLIENT_ENGINE_CLASS_COMPUTE, &device_id,
			  &instance);
	if (ret == -ENOENT) {
		fprintf(stderr,
			"vadd: no compute engine on any device this process can use\n");
		goto out;
	}
	if (ret) {
		failed("listing the engines", ret);
		goto out;
	}
	ret = gpuclient_ctx_create(h, device_id, GPUCLIENT_ENGINE_CLASS_COMPUTE,
				   instance, GPUCLIENT_PRIORITY_NORMAL, &ctx);
	if (ret) {
		failed("context", ret);
		goto out;
	}

	ret = gpuclient_bo_create(h, BUF_SIZE, &a);
	if (!ret)
		ret = gpuclient_bo_create(h, BUF_SIZE, &b);
	if (!ret)
		ret = gpuclient_bo_create(h, BUF_SIZE, &dst);
	if (ret) {
		failed("buffers", ret);
		goto out;
	}

	/* The inputs, written by the CPU. */
	ret = gpuclient_bo_map(a, &map);
	if (ret) {
		failed("map", ret);
		goto out;
	}
	va = map;
	ret = gpuclient_bo_map(b, &map);
	if (ret) {
		failed("map", ret);
		goto out;
	}
	vb = map;
	for (i = 0; i < COUNT; i++) {
		va[i] = i;
		vb[i] = 3 * i + 7;
	}
	va[COUNT - 1] = 0xffffffffu;	/* + 2 wraps to 1 */
	vb[COUNT - 1] = 2;

	ret = gpuclient_cmdbuf_create(&cb);
	if (!ret)
		ret = gpuclient_cmdbuf_add_bo(cb, a, GPUCLIENT_BO_READ, &ia);
	if (!ret)
		ret = gpuclient_cmdbuf_add_bo(cb, b, GPUCLIENT_BO_READ, &ib);
	if (!ret)
		ret = gpuclient_cmdbuf_add_bo(cb, dst, GPUCLIENT_BO_WRITE, &id);
	if (!ret)
		ret = gpuclient_cmd_vadd(cb, ia, ib, id, 0, 0, 0, COUNT);
	if (ret) {
		failed("building the job", ret);
		goto out;
	}

	ret = gpuclient_submit(ctx, cb, -1, NULL, &seqno);
	if (ret) {
		failed("submit", ret);
		goto out;
	}
	ret = wait_for_event(h, ctx, seqno, &error);
	if (ret) {
		failed("waiting for the completion event", ret);
		goto out;
	}
	if (error) {
		failed("the job", error);
		goto out;
	}
	printf("vadd: completion event for job %" PRIu64 ", no error\n", seqno);

	ret = gpuclient_bo_map(dst, &map);
	if (ret) {
		failed("map", ret);
		goto out;
	}
	vd = map;
	for (i = 0; i < COUNT; i++) {
		uint32_t want = va[i] + vb[i];

		if (vd[i] != want && bad++ < 5)
			fprintf(stderr, "vadd: dst[%u] is %u, want %u\n", i,
				vd[i], want);
	}
	if (bad) {
		fprintf(stderr, "vadd: FAIL: %u of %u sums wrong\n", bad, COUNT);
		goto out;
	}
	printf("vadd: PASS: %u sums checked, dst[%u] = 0xffffffff + 2 = %u\n",
	       COUNT, COUNT - 1, vd[COUNT - 1]);
	status_code = 0;

out:
	gpuclient_cmdbuf_destroy(cb);
	gpuclient_bo_destroy(dst);
	gpuclient_bo_destroy(b);
	gpuclient_bo_destroy(a);
	gpuclient_ctx_destroy(ctx);
	gpuclient_close(h);
	return status_code;
}
