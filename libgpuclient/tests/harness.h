/* SPDX-License-Identifier: MIT */
/*
 * A very small test harness: named tests, checks that stop the test on the
 * first failure, TAP-style "ok"/"not ok" lines and a summary.
 *
 * Copyright (c) 2026 The gpufe authors
 */
#ifndef GPUCLIENT_HARNESS_H
#define GPUCLIENT_HARNESS_H

#include <stdio.h>
#include <string.h>

struct test {
	const char *name;
	const char *desc;
	void (*fn)(void);
};

#define TEST(tname, tdesc) { .name = #tname, .desc = tdesc, .fn = tname }

/* Set by a failing check; the runner reads and clears it. */
extern int test_failed;

#define test_fail(...)							\
	do {								\
		fprintf(stderr, "# %s:%d: ", __FILE__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		test_failed = 1;					\
	} while (0)

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			test_fail("check failed: %s", #cond);		\
			return;						\
		}							\
	} while (0)

/* Compare two integers; both are shown on failure. */
#define CHECK_INT(a, op, b)						\
	do {								\
		long long check_a_ = (long long)(a);			\
		long long check_b_ = (long long)(b);			\
		if (!(check_a_ op check_b_)) {				\
			test_fail("check failed: %s %s %s (%lld vs %lld)", \
				  #a, #op, #b, check_a_, check_b_);	\
			return;						\
		}							\
	} while (0)

#define CHECK_STR(a, b)							\
	do {								\
		const char *check_a_ = (a);				\
		const char *check_b_ = (b);				\
		if (strcmp(check_a_, check_b_)) {			\
			test_fail("check failed: %s == %s (\"%s\" vs \"%s\")", \
				  #a, #b, check_a_, check_b_);		\
			return;						\
		}							\
	} while (0)

#endif /* GPUCLIENT_HARNESS_H */
