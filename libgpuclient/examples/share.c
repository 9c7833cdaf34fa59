// SPDX-License-Identifier: MIT
/*
 * share: pass a buffer from one GPU to another as a dma-buf.
 *
 * Two device handles stand for two processes. The first fills a buffer on
 * a copy engine of one device (after a delay, so the job is still running
 * when the second one starts) and exports the buffer as a dma-buf. The
 * second imports it and copies it, on a copy engine of another device,
 * into a buffer of its own. It does not wait for the fill: the copy waits
 * for it through the shared buffer's implicit fences. The copy must hold
 * the filled pattern.
 *
 * With a single device, both jobs run on it; the buffer still crosses
 * between the two handles as a dma-buf.
 *
 * Build: cc share.c $(pkg-config --cflags --libs gpuclient)
 * Run:   ./share           (GPUFE_DEVICE=path to use another node)
 * Exit:  0 if the copy holds what the fill wrote, 1 otherwise.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gpuclient.h>

#define BUF_SIZE	(256u << 10)
#define PATTERN		0x5a5aa5a5u
#define FILL_DELAY_US	20000u
#define TIMEOUT_NS	(5ull * 1000000000)

struct engine {
	uint32_t device_id;
	uint32_t instance;
	char name[64];
};

static int failed(const char *what, int ret)
{
	fprintf(stderr, "share: %s: %s\n", what, strerror(-ret));
	return 1;
}

/*
 * The copy engines of the first two devices that have one; with a single
 * such device, it is used twice.
 */
static int find_copy_engines(gpuclient_handle h, struct engine e[2])
{
	struct gpuclient_device_info *devs;
	uint32_t ndevs, i, j, found = 0;
	int ret;

	ret = gpuclient_query_devices(h, &devs, &ndevs);
	if (ret)
		return ret;
	for (i = 0; i < ndevs && found < 2; i++) {
		struct gpuclient_engine_info *engines;
		uint32_t nengines;

		if (gpuclient_query_engines(h, devs[i].device_id, &engines,
					    &nengines))
			continue;
		for (j = 0; j < nengines; j++) {
			if (engines[j].engine_class ==
			    GPUCLIENT_ENGINE_CLASS_COPY) {
				e[found].device_id = devs[i].device_id;
				e[found].instance = engines[j].engine_instance;
				snprintf(e[found].name, sizeof(e[found].name),
					 "%s/%s", devs[i].name, engines[j].name);
				found++;
				break;
			}
		}
		gpuclient_free_engines(engines);
	}
	gpuclient_free_devices(devs);
	if (!found)
		return -ENODEV;
	if (found == 1) {
		e[1] = e[0];
		printf("share: one device only: both jobs run on it\n");
	}
	return 0;
}

static int create_ctx(gpuclient_handle h, const struct engine *e,
		      gpuclient_ctx_handle *ctx)
{
	return gpuclient_ctx_create(h, e->device_id, GPUCLIENT_ENGINE_CLASS_COPY,
				    e->instance, GPUCLIENT_PRIORITY_NORMAL, ctx);
}

int main(void)
{
	gpuclient_handle h1 = NULL, h2 = NULL;
	gpuclient_ctx_handle ctx1 = NULL, ctx2 = NULL;
	gpuclient_bo_handle src = NULL, shared = NULL, dst = NULL;
	gpuclient_cmdbuf_handle cb = NULL;
	struct gpuclient_ctx_status st1;
	struct engine e[2];
	uint32_t idx, isrc, idst, i, bad = 0;
	uint64_t fill_seqno, copy_seqno;
	uint32_t *words;
	void *map;
	int fd = -1, ret, status_code = 1;

	ret = gpuclient_open(NULL, &h1);
	if (ret)
		return failed("open", ret);
	ret = gpuclient_open(NULL, &h2);
	if (ret) {
		failed("open", ret);
		goto out;
	}

	ret = find_copy_engines(h1, e);
	if (ret) {
		failed("no copy engine", ret);
		goto out;
	}
	printf("share: filling on %s (device %u), copying on %s (device %u)\n",
	       e[0].name, e[0].device_id, e[1].name, e[1].device_id);

	ret = create_ctx(h1, &e[0], &ctx1);
	if (!ret)
		ret = create_ctx(h2, &e[1], &ctx2);
	if (ret) {
		failed("contexts", ret);
		goto out;
	}

	/* The first handle: fill a buffer, slowly, and export it. */
	ret = gpuclient_bo_create(h1, BUF_SIZE, &src);
	if (!ret)
		ret = gpuclient_cmdbuf_create(&cb);
	if (!ret)
		ret = gpuclient_cmdbuf_add_bo(cb, src, GPUCLIENT_BO_WRITE, &idx);
	if (!ret)
		ret = gpuclient_cmd_delay_us(cb, FILL_DELAY_US);
	if (!ret)
		ret = gpuclient_cmd_fill(cb, idx, 0, BUF_SIZE, PATTERN);
	if (!ret)
		ret = gpuclient_submit(ctx1, cb, -1, NULL, &fill_seqno);
	if (ret) {
		failed("fill job", ret);
		goto out;
	}
	ret = gpuclient_bo_export(src, &fd);
	if (ret) {
		failed("export", ret);
		goto out;
	}
	printf("share: fill job %" PRIu64 " queued, buffer exported as fd %d\n",
	       fill_seqno, fd);

	/* The second handle: import it and copy it, without waiting. */
	ret = gpuclient_bo_import(h2, fd, &shared);
	if (ret) {
		failed("import", ret);
		goto out;
	}
	if (gpuclient_bo_get_size(shared) != gpuclient_bo_get_size(src)) {
		fprintf(stderr, "share: imported %" PRIu64 " bytes, exported %"
			PRIu64 "\n", gpuclient_bo_get_size(shared),
			gpuclient_bo_get_size(src));
		goto out;
	}
	ret = gpuclient_bo_create(h2, BUF_SIZE, &dst);
	if (ret) {
		failed("buffer", ret);
		goto out;
	}
	gpuclient_cmdbuf_reset(cb);
	ret = gpuclient_cmdbuf_add_bo(cb, shared, GPUCLIENT_BO_READ, &isrc);
	if (!ret)
		ret = gpuclient_cmdbuf_add_bo(cb, dst, GPUCLIENT_BO_WRITE, &idst);
	if (!ret)
		ret = gpuclient_cmd_copy(cb, isrc, idst, 0, 0, BUF_SIZE);
	if (!ret)
		ret = gpuclient_submit(ctx2, cb, -1, NULL, &copy_seqno);
	if (ret) {
		failed("copy job", ret);
		goto out;
	}
	ret = gpuclient_wait(ctx2, copy_seqno, TIMEOUT_NS);
	if (ret) {
		failed("waiting for the copy", ret);
		goto out;
	}

	/* The copy waited for the fill: that one must be done too. */
	ret = gpuclient_ctx_status(ctx1, &st1);
	if (ret) {
		failed("status", ret);
		goto out;
	}
	if (st1.completed < fill_seqno || st1.error) {
		fprintf(stderr, "share: FAIL: copy done before the fill it reads (fill completed %" PRIu64 ", error %d)\n",
			st1.completed, st1.error);
		goto out;
	}
	printf("share: copy job %" PRIu64 " done; the fill it depends on is done too\n",
	       copy_seqno);

	ret = gpuclient_bo_map(dst, &map);
	if (ret) {
		failed("map", ret);
		goto out;
	}
	words = map;
	for (i = 0; i < BUF_SIZE / 4; i++)
		if (words[i] != PATTERN && bad++ < 5)
			fprintf(stderr, "share: word %u is 0x%08x, want 0x%08x\n",
				i, words[i], PATTERN);
	if (bad) {
		fprintf(stderr, "share: FAIL: %u of %u words wrong\n", bad,
			BUF_SIZE / 4);
		goto out;
	}
	printf("share: PASS: %u words copied through the dma-buf hold 0x%08x\n",
	       BUF_SIZE / 4, PATTERN);
	status_code = 0;

out:
	if (fd >= 0)
		close(fd);
	gpuclient_cmdbuf_destroy(cb);
	gpuclient_bo_destroy(dst);
	gpuclient_bo_destroy(shared);
	gpuclient_bo_destroy(src);
	gpuclient_ctx_destroy(ctx2);
	gpuclient_ctx_destroy(ctx1);
	gpuclient_close(h2);
	gpuclient_close(h1);
	return status_code;
}
