// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Instruction-count driver for gpufe_route_scan(), run by "make bench"
 * under valgrind --tool=callgrind --toggle-collect=gpufe_route_scan, so
 * that only the instructions inside the scan are counted.
 *
 * Usage: route-callgrind SLOTS SCANS
 *
 * Sets up SLOTS pending slots, then SCANS times advances exactly one of
 * them (round-robin, outside the measured function) and scans all SLOTS
 * with no hint and room for all of them, the routing cost of an interrupt
 * that names no context. Fails if a scan reports anything but the one
 * slot that advanced.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <stdio.h>
#include <stdlib.h>

#include "gpufe_route.h"

int main(int argc, char **argv)
{
	struct gpufe_route_slot *slots;
	unsigned int *advanced;
	unsigned long scans, s;
	unsigned int n, i;
	u64 *page;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SLOTS SCANS\n", argv[0]);
		return 2;
	}
	scans = strtoul(argv[2], NULL, 0);
	s = strtoul(argv[1], NULL, 0);
	if (s < 1 || s > 1UL << 20) {
		fprintf(stderr, "%s: SLOTS must be 1..%lu\n", argv[0],
			1UL << 20);
		return 2;
	}
	n = s;

	page = calloc(n, sizeof(*page));
	slots = calloc(n, sizeof(*slots));
	advanced = calloc(n, sizeof(*advanced));
	if (!page || !slots || !advanced) {
		perror("calloc");
		return 1;
	}
	for (i = 0; i < n; i++)
		slots[i].seqno = &page[i];

	for (s = 0; s < scans; s++) {
		unsigned int got;

		i = s % n;
		__atomic_store_n(&page[i], page[i] + 1, __ATOMIC_RELEASE);
		got = gpufe_route_scan(slots, n, GPUFE_ROUTE_NO_HINT, advanced,
				       n);
		if (got != 1 || advanced[0] != i || slots[i].seen != page[i]) {
			fprintf(stderr,
				"%s: scan %lu: got %u (first %u), want slot %u\n",
				argv[0], s, got, got ? advanced[0] : 0, i);
			return 1;
		}
	}

	free(advanced);
	free(slots);
	free(page);
	return 0;
}
