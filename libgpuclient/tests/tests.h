/* SPDX-License-Identifier: MIT */
/*
 * The test tables of the unit-test binary, one per feature area.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef GPUCLIENT_TESTS_H
#define GPUCLIENT_TESTS_H

#include <stdint.h>

#include "gpuclient.h"
#include "harness.h"

/* test_datapath.c: buffers, contexts, streams, submit, wait, events */
extern const struct test datapath_tests[];
extern const unsigned int num_datapath_tests;
/* Releases what a data-path test left behind; run after every test. */
void datapath_cleanup(void);
/* Submit a one-NOP job on @ctx: its sequence number, or 0 on failure. */
uint64_t submit_nop(gpuclient_ctx_handle ctx);

/* test_completion.c: the completion page, ctx_done, the wait modes */
extern const struct test completion_tests[];
extern const unsigned int num_completion_tests;
/* Releases what a completion test left behind; run after every test. */
void completion_cleanup(void);

/* test_partition.c: partitions, clients by descriptor and id, registers */
extern const struct test partition_tests[];
extern const unsigned int num_partition_tests;
/* Releases what a partition test left behind; run after every test. */
void partition_cleanup(void);

/* test_sched.c: scheduler status, FAULT and HANG, engine timeouts (1.4) */
extern const struct test sched_tests[];
extern const unsigned int num_sched_tests;
/* Releases what a scheduler test left behind; run after every test. */
void sched_cleanup(void);

/* test_edu.c: the builders of gpufe_edu's commands (1.5) */
extern const struct test edu_tests[];
extern const unsigned int num_edu_tests;
/* Releases what an edu test left behind; run after every test. */
void edu_cleanup(void);

#endif /* GPUCLIENT_TESTS_H */
