// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host unit tests of the completion routing core, common/gpufe_route.c.
 * Built under ASan and UBSan by "make check"; every slot array and output
 * array is allocated to its exact size so that an out-of-bounds access
 * fails the run.
 *
 * Copyright (c) 2026 The gpufe authors
 */

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpufe_route.h"

/* --- harness --------------------------------------------------------- */

static int test_failed;

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
			goto out;					\
		}							\
	} while (0)

#define CHECK_INT(a, op, b)						\
	do {								\
		unsigned long long check_a_ = (a);			\
		unsigned long long check_b_ = (b);			\
		if (!(check_a_ op check_b_)) {				\
			test_fail("check failed: %s %s %s (%llu vs %llu)", \
				  #a, #op, #b, check_a_, check_b_);	\
			goto out;					\
		}							\
	} while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Marks the entries of an output array a scan must not touch. */
#define UNTOUCHED 0xdeadbeefU

/* A slot array over a "completion page" of n seqnos, all sized exactly. */
struct page {
	unsigned int n;
	u64 *seqno;
	struct gpufe_route_slot *slots;
};

static struct page *page_new(unsigned int n)
{
	struct page *pg = malloc(sizeof(*pg));
	unsigned int i;

	if (!pg)
		abort();
	pg->n = n;
	pg->seqno = calloc(n ? n : 1, sizeof(*pg->seqno));
	pg->slots = malloc((n ? n : 1) * sizeof(*pg->slots));
	if (!pg->seqno || !pg->slots)
		abort();
	for (i = 0; i < n; i++) {
		pg->slots[i].seqno = &pg->seqno[i];
		pg->slots[i].seen = 0;
	}
	return pg;
}

static void page_free(struct page *pg)
{
	free(pg->seqno);
	free(pg->slots);
	free(pg);
}

/* The writer's side: results first, then the seqno with release. */
static void page_write(struct page *pg, unsigned int i, u64 seqno)
{
	__atomic_store_n(&pg->seqno[i], seqno, __ATOMIC_RELEASE);
}

static unsigned int *out_new(unsigned int max)
{
	unsigned int *out = malloc((max ? max : 1) * sizeof(*out));
	unsigned int i;

	if (!out)
		abort();
	for (i = 0; i < max; i++)
		out[i] = UNTOUCHED;
	return out;
}

/* Deterministic PRNG: xorshift64 with a fixed seed. */
static u64 xorshift64(u64 *state)
{
	u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/* --- tests ----------------------------------------------------------- */

static void none_moved(void)
{
	struct page *pg = page_new(8);
	unsigned int *out = out_new(8);
	unsigned int i;

	for (i = 0; i < 8; i++) {
		page_write(pg, i, 5);
		pg->slots[i].seen = 5;
	}
	CHECK_INT(gpufe_route_scan(pg->slots, 8, GPUFE_ROUTE_NO_HINT, out, 8),
		  ==, 0);
	CHECK_INT(gpufe_route_scan(pg->slots, 8, 3, out, 8), ==, 0);
	for (i = 0; i < 8; i++) {
		CHECK_INT(out[i], ==, UNTOUCHED);
		CHECK_INT(pg->slots[i].seen, ==, 5);
	}
out:
	free(out);
	page_free(pg);
}

static void one_moved(void)
{
	struct page *pg = page_new(8);
	unsigned int *out = out_new(8);
	unsigned int i;

	page_write(pg, 6, 3);
	CHECK_INT(gpufe_route_scan(pg->slots, 8, GPUFE_ROUTE_NO_HINT, out, 8),
		  ==, 1);
	CHECK_INT(out[0], ==, 6);
	CHECK_INT(out[1], ==, UNTOUCHED);
	for (i = 0; i < 8; i++)
		CHECK_INT(pg->slots[i].seen, ==, i == 6 ? 3 : 0);
	/* Delivered once: the same value is not delivered again. */
	CHECK_INT(gpufe_route_scan(pg->slots, 8, GPUFE_ROUTE_NO_HINT, out, 8),
		  ==, 0);
out:
	free(out);
	page_free(pg);
}

static void several_moved_in_order(void)
{
	static const unsigned int moved[] = { 0, 3, 4, 9, 15 };
	struct page *pg = page_new(16);
	unsigned int *out = out_new(16);
	unsigned int i;

	/* Written in reverse; reported in slot order. */
	for (i = ARRAY_SIZE(moved); i-- > 0;)
		page_write(pg, moved[i], 10 + i);
	CHECK_INT(gpufe_route_scan(pg->slots, 16, GPUFE_ROUTE_NO_HINT, out, 16),
		  ==, ARRAY_SIZE(moved));
	for (i = 0; i < ARRAY_SIZE(moved); i++) {
		CHECK_INT(out[i], ==, moved[i]);
		CHECK_INT(pg->slots[moved[i]].seen, ==, 10 + i);
	}
	CHECK_INT(out[5], ==, UNTOUCHED);
out:
	free(out);
	page_free(pg);
}

static void hint_first(void)
{
	struct page *pg = page_new(16);
	unsigned int *out = out_new(16);

	page_write(pg, 2, 1);
	page_write(pg, 5, 1);
	page_write(pg, 9, 1);
	CHECK_INT(gpufe_route_scan(pg->slots, 16, 5, out, 16), ==, 3);
	CHECK_INT(out[0], ==, 5);
	CHECK_INT(out[1], ==, 2);
	CHECK_INT(out[2], ==, 9);
	CHECK_INT(out[3], ==, UNTOUCHED);
	CHECK_INT(pg->slots[5].seen, ==, 1);
out:
	free(out);
	page_free(pg);
}

static void hint_not_trusted(void)
{
	struct page *pg = page_new(16);
	unsigned int *out = out_new(16);

	page_write(pg, 2, 7);
	page_write(pg, 9, 8);
	/* Slot 5 is where the interrupt points, but it did not move. */
	CHECK_INT(gpufe_route_scan(pg->slots, 16, 5, out, 16), ==, 2);
	CHECK_INT(out[0], ==, 2);
	CHECK_INT(out[1], ==, 9);
	CHECK_INT(out[2], ==, UNTOUCHED);
	CHECK_INT(pg->slots[5].seen, ==, 0);
	CHECK_INT(pg->slots[2].seen, ==, 7);
	CHECK_INT(pg->slots[9].seen, ==, 8);

	/* A hint alone, to a slot that did not move, delivers nothing. */
	CHECK_INT(gpufe_route_scan(pg->slots, 16, 5, out, 16), ==, 0);
	CHECK(!gpufe_route_check_hint(pg->slots, 16, 5));
	CHECK_INT(pg->slots[5].seen, ==, 0);
out:
	free(out);
	page_free(pg);
}

static void hint_out_of_range(void)
{
	static const unsigned int hints[] = {
		8, 9, 1000, GPUFE_ROUTE_NO_HINT - 1, GPUFE_ROUTE_NO_HINT,
	};
	struct page *pg = page_new(8);
	unsigned int *out = out_new(8);
	unsigned int h;

	for (h = 0; h < ARRAY_SIZE(hints); h++) {
		page_write(pg, 1, h + 1);
		page_write(pg, 7, h + 1);
		CHECK(!gpufe_route_check_hint(pg->slots, 8, hints[h]));
		CHECK_INT(gpufe_route_scan(pg->slots, 8, hints[h], out, 8),
			  ==, 2);
		CHECK_INT(out[0], ==, 1);
		CHECK_INT(out[1], ==, 7);
		CHECK_INT(out[2], ==, UNTOUCHED);
		CHECK_INT(pg->slots[1].seen, ==, h + 1);
	}
	/* No slots at all: any hint is out of range. */
	CHECK_INT(gpufe_route_scan(pg->slots, 0, 0, out, 8), ==, 0);
	CHECK(!gpufe_route_check_hint(pg->slots, 0, 0));
out:
	free(out);
	page_free(pg);
}

static void check_hint(void)
{
	struct page *pg = page_new(4);

	page_write(pg, 2, 4);
	page_write(pg, 3, 9);
	CHECK(!gpufe_route_check_hint(pg->slots, 4, 1));
	CHECK(gpufe_route_check_hint(pg->slots, 4, 2));
	CHECK_INT(pg->slots[2].seen, ==, 4);
	/* Only the hinted slot is read. */
	CHECK_INT(pg->slots[3].seen, ==, 0);
	CHECK(!gpufe_route_check_hint(pg->slots, 4, 2));
	page_write(pg, 2, 3);
	CHECK(!gpufe_route_check_hint(pg->slots, 4, 2));
	CHECK_INT(pg->slots[2].seen, ==, 4);
	page_write(pg, 2, 5);
	CHECK(gpufe_route_check_hint(pg->slots, 4, 2));
	CHECK_INT(pg->slots[2].seen, ==, 5);
out:
	page_free(pg);
}

static void max_smaller_than_count(void)
{
	static const unsigned int moved[] = { 1, 4, 6, 10, 13 };
	static const unsigned int first[] = { 10, 1 };
	static const unsigned int second[] = { 4, 6 };
	struct page *pg = page_new(16);
	unsigned int *out = out_new(2);
	unsigned int delivered[16] = { 0 };
	unsigned int i, got;

	for (i = 0; i < 5; i++)
		page_write(pg, moved[i], 100 + moved[i]);

	/* The hint counts against max, and comes first. */
	CHECK_INT(gpufe_route_scan(pg->slots, 16, 10, out, 2), ==, 2);
	for (i = 0; i < 2; i++)
		CHECK_INT(out[i], ==, first[i]);
	/* What was not recorded keeps its old seen. */
	CHECK_INT(pg->slots[4].seen, ==, 0);
	CHECK_INT(pg->slots[13].seen, ==, 0);

	CHECK_INT(gpufe_route_scan(pg->slots, 16, 10, out, 2), ==, 2);
	for (i = 0; i < 2; i++)
		CHECK_INT(out[i], ==, second[i]);
	CHECK_INT(gpufe_route_scan(pg->slots, 16, 10, out, 2), ==, 1);
	CHECK_INT(out[0], ==, 13);
	CHECK_INT(gpufe_route_scan(pg->slots, 16, 10, out, 2), ==, 0);

	/* A moved hint alone fills max 1; the other waits its turn. */
	page_write(pg, 2, 1);
	page_write(pg, 12, 1);
	CHECK_INT(gpufe_route_scan(pg->slots, 16, 12, out, 1), ==, 1);
	CHECK_INT(out[0], ==, 12);
	CHECK_INT(pg->slots[2].seen, ==, 0);
	CHECK_INT(gpufe_route_scan(pg->slots, 16, 12, out, 1), ==, 1);
	CHECK_INT(out[0], ==, 2);
	CHECK_INT(pg->slots[2].seen, ==, 1);

	/* max 0 records nothing and consumes nothing. */
	for (i = 0; i < 5; i++)
		page_write(pg, moved[i], 200);
	CHECK_INT(gpufe_route_scan(pg->slots, 16, 4, out, 0), ==, 0);
	for (i = 0; i < 5; i++)
		CHECK_INT(pg->slots[moved[i]].seen, ==, 100 + moved[i]);

	/* max 1, rescanning until a short scan: each exactly once. */
	do {
		got = gpufe_route_scan(pg->slots, 16, GPUFE_ROUTE_NO_HINT,
				       out, 1);
		if (got)
			delivered[out[0]]++;
	} while (got == 1);
	for (i = 0; i < 16; i++)
		CHECK_INT(delivered[i], ==, pg->seqno[i] == 200 ? 1 : 0);
	for (i = 0; i < 5; i++)
		CHECK_INT(pg->slots[moved[i]].seen, ==, 200);
out:
	free(out);
	page_free(pg);
}

static void wide_compare(void)
{
	struct page *pg = page_new(3);
	unsigned int *out = out_new(3);

	/* Above 2^32: a 32-bit compare would miss these. */
	pg->slots[0].seen = 0xffffffffULL;
	page_write(pg, 0, 0x100000000ULL);
	pg->slots[1].seen = 0x100000005ULL;
	page_write(pg, 1, 0x200000001ULL);
	/* Across 2^63: a signed compare would miss this one. */
	pg->slots[2].seen = 0x7fffffffffffffffULL;
	page_write(pg, 2, 0x8000000000000000ULL);
	CHECK_INT(gpufe_route_scan(pg->slots, 3, GPUFE_ROUTE_NO_HINT, out, 3),
		  ==, 3);
	CHECK_INT(pg->slots[0].seen, ==, 0x100000000ULL);
	CHECK_INT(pg->slots[1].seen, ==, 0x200000001ULL);
	CHECK_INT(pg->slots[2].seen, ==, 0x8000000000000000ULL);

	/* Lower by 2^32 in the high half only: backwards, not delivered. */
	page_write(pg, 1, 0x100000001ULL);
	CHECK_INT(gpufe_route_scan(pg->slots, 3, GPUFE_ROUTE_NO_HINT, out, 3),
		  ==, 0);
out:
	free(out);
	page_free(pg);
}

static void backwards_never_delivered(void)
{
	struct page *pg = page_new(4);
	unsigned int *out = out_new(4);
	u64 v;

	page_write(pg, 1, 50);
	CHECK_INT(gpufe_route_scan(pg->slots, 4, 1, out, 4), ==, 1);
	CHECK_INT(pg->slots[1].seen, ==, 50);

	/* A buggy writer goes back, or rewrites the same value. */
	for (v = 0; v <= 50; v++) {
		page_write(pg, 1, v);
		CHECK_INT(gpufe_route_scan(pg->slots, 4, 1, out, 4), ==, 0);
		CHECK_INT(gpufe_route_scan(pg->slots, 4, GPUFE_ROUTE_NO_HINT,
					   out, 4), ==, 0);
		CHECK(!gpufe_route_check_hint(pg->slots, 4, 1));
		CHECK_INT(pg->slots[1].seen, ==, 50);
	}
	/* Past the last value delivered it counts again, once. */
	page_write(pg, 1, 51);
	CHECK_INT(gpufe_route_scan(pg->slots, 4, GPUFE_ROUTE_NO_HINT, out, 4),
		  ==, 1);
	CHECK_INT(out[0], ==, 1);
	CHECK_INT(pg->slots[1].seen, ==, 51);
out:
	free(out);
	page_free(pg);
}

#define RANDOM_SLOTS	64
#define RANDOM_ROUNDS	10000

/*
 * Random advances, random hints (in and out of range), random max: over
 * all rounds every slot is delivered exactly as often as it advanced, the
 * hint comes first only when it moved, the rest come in slot order, and
 * nothing is recorded twice.
 */
static void random_exactly_once(void)
{
	struct page *pg = page_new(RANDOM_SLOTS);
	unsigned int *out = out_new(RANDOM_SLOTS);
	unsigned int expected[RANDOM_SLOTS] = { 0 };
	unsigned int delivered[RANDOM_SLOTS] = { 0 };
	unsigned int total_moved = 0;
	u64 rng = 0x9e3779b97f4a7c15ULL;
	unsigned int round, i;

	for (round = 0; round < RANDOM_ROUNDS; round++) {
		bool moved[RANDOM_SLOTS] = { false };
		unsigned int hint, max, got, left = 0;
		u64 r;

		for (i = 0; i < RANDOM_SLOTS; i++) {
			r = xorshift64(&rng);
			if (r % 4)
				continue;
			/* One or several jobs finished since the last scan. */
			page_write(pg, i, pg->seqno[i] + 1 + (r >> 8) % 3);
			moved[i] = true;
			expected[i]++;
			left++;
		}
		total_moved += left;
		r = xorshift64(&rng);
		hint = r % 4 ? (unsigned int)(r >> 8) % (RANDOM_SLOTS + 8)
			     : GPUFE_ROUTE_NO_HINT;
		max = 1 + (unsigned int)(r >> 32) % RANDOM_SLOTS;

		do {
			bool hint_moved = hint < RANDOM_SLOTS && moved[hint];

			got = gpufe_route_scan(pg->slots, RANDOM_SLOTS, hint,
					       out, max);
			CHECK_INT(got, <=, max);
			CHECK_INT(got, <=, left);
			for (i = 0; i < got; i++) {
				unsigned int s = out[i];

				CHECK_INT(s, <, RANDOM_SLOTS);
				CHECK(moved[s]);
				CHECK_INT(pg->slots[s].seen, ==, pg->seqno[s]);
				/* The hint first if it moved, never otherwise. */
				if (hint_moved)
					CHECK_INT(s == hint, ==, i == 0);
				else
					CHECK(s != hint);
				/* The others in slot order. */
				if (i > 0 && !(hint_moved && i == 1))
					CHECK_INT(s, >, out[i - 1]);
				moved[s] = false;
				delivered[s]++;
			}
			/* Nothing left behind below the last slot recorded. */
			if (got && !(hint_moved && got == 1))
				for (i = 0; i < out[got - 1]; i++)
					CHECK(!moved[i]);
			left -= got;
		} while (got == max);
		CHECK_INT(left, ==, 0);
	}
	for (i = 0; i < RANDOM_SLOTS; i++) {
		CHECK_INT(delivered[i], ==, expected[i]);
		CHECK_INT(pg->slots[i].seen, ==, pg->seqno[i]);
	}
	/* The run exercised what it claims to. */
	CHECK_INT(total_moved, >, RANDOM_ROUNDS * RANDOM_SLOTS / 8);
out:
	free(out);
	page_free(pg);
}

#define CONC_SLOTS		64
#define CONC_WRITERS		4
#define CONC_SEQNOS		4096
#define CONC_ROUNDS		64

/*
 * One "GPU" thread per CONC_SLOTS / CONC_WRITERS slots finishes jobs
 * 1..CONC_SEQNOS on each: it writes the job's result, then stores the
 * seqno with release. Each result has its own word, written once, so
 * the reader's check is exact: for every delivered slot, the result of
 * the job it read must be there.
 */
struct conc {
	struct page *pg;
	u64 *result;		/* [slot][seqno], CONC_SEQNOS + 1 per slot */
	int writers_done;	/* atomic */
};

struct conc_writer {
	struct conc *conc;
	unsigned int first;
};

static u64 conc_result(unsigned int slot, u64 seqno)
{
	return seqno ^ ((u64)slot << 48) ^ 0x5a5a000000000000ULL;
}

static void *conc_write(void *arg)
{
	struct conc_writer *w = arg;
	struct conc *c = w->conc;
	unsigned int per = CONC_SLOTS / CONC_WRITERS;
	unsigned int i, s;
	u64 seqno;

	for (seqno = 1; seqno <= CONC_SEQNOS; seqno++) {
		for (i = 0; i < per; i++) {
			s = w->first + i;
			c->result[s * (CONC_SEQNOS + 1) + seqno] =
				conc_result(s, seqno);
			__atomic_store_n(&c->pg->seqno[s], seqno,
					 __ATOMIC_RELEASE);
		}
		/* Let the reader in, even on one CPU. */
		if (seqno % 64 == 0)
			sched_yield();
	}
	__atomic_fetch_add(&c->writers_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One run of the writers against a scanning reader; the caller repeats it. */
static void conc_round(double deadline, unsigned long long *scans,
		       unsigned long long *deliveries)
{
	struct conc c = { .pg = page_new(CONC_SLOTS) };
	struct conc_writer w[CONC_WRITERS];
	pthread_t tid[CONC_WRITERS];
	unsigned int *out = out_new(CONC_SLOTS);
	unsigned int started = 0, i, got, hint = 0;
	bool done = false;

	c.result = calloc((size_t)CONC_SLOTS * (CONC_SEQNOS + 1),
			  sizeof(*c.result));
	CHECK(c.result);
	for (started = 0; started < CONC_WRITERS; started++) {
		w[started].conc = &c;
		w[started].first = started * (CONC_SLOTS / CONC_WRITERS);
		if (pthread_create(&tid[started], NULL, conc_write,
				   &w[started]))
			break;
	}
	CHECK_INT(started, ==, CONC_WRITERS);

	/* Scan until the writers are done, then once more to drain. */
	while (!done) {
		u64 before[CONC_SLOTS];

		done = __atomic_load_n(&c.writers_done, __ATOMIC_ACQUIRE) ==
		       CONC_WRITERS;
		for (i = 0; i < CONC_SLOTS; i++)
			before[i] = c.pg->slots[i].seen;
		got = gpufe_route_scan(c.pg->slots, CONC_SLOTS, hint, out,
				       CONC_SLOTS);
		(*scans)++;
		*deliveries += got;
		for (i = 0; i < got; i++) {
			unsigned int s = out[i];
			u64 seen = c.pg->slots[s].seen;

			/* Also: no index recorded twice in one scan. */
			CHECK_INT(seen, >, before[s]);
			CHECK_INT(seen, <=, CONC_SEQNOS);
			CHECK_INT(c.result[s * (CONC_SEQNOS + 1) + seen], ==,
				  conc_result(s, seen));
			before[s] = seen;
		}
		/* Nothing that was not recorded changed. */
		for (i = 0; i < CONC_SLOTS; i++)
			CHECK_INT(c.pg->slots[i].seen, ==, before[i]);
		hint = (hint + 7) % (CONC_SLOTS + 4);
		if (!got)
			sched_yield();
		if (!done && now() > deadline) {
			test_fail("writers still running at the deadline");
			goto out;
		}
	}
	/* The final seen values are the last ones written. */
	for (i = 0; i < CONC_SLOTS; i++)
		CHECK_INT(c.pg->slots[i].seen, ==, CONC_SEQNOS);
	CHECK_INT(gpufe_route_scan(c.pg->slots, CONC_SLOTS, GPUFE_ROUTE_NO_HINT,
				   out, CONC_SLOTS), ==, 0);
out:
	while (started > 0)
		pthread_join(tid[--started], NULL);
	free(c.result);
	free(out);
	page_free(c.pg);
}

/*
 * Races are found by chance: run several rounds, as many as fit in about
 * half a second, at least one.
 */
static void concurrent_acquire(void)
{
	unsigned long long scans = 0, deliveries = 0;
	double start = now();
	unsigned int round;

	for (round = 0; round < CONC_ROUNDS && !test_failed; round++) {
		if (round && now() - start > 0.5)
			break;
		conc_round(start + 1.5, &scans, &deliveries);
	}
	printf("# concurrent: %u rounds, %llu scans, %llu deliveries\n", round,
	       scans, deliveries);
	/* The reader saw the writers at work, not only their end result. */
	if (!test_failed && deliveries <= (unsigned long long)round * CONC_SLOTS)
		test_fail("no interleaving: %llu deliveries in %u rounds",
			  deliveries, round);
}

/* --- runner ---------------------------------------------------------- */

struct test {
	const char *name;
	const char *desc;
	void (*fn)(void);
};

#define TEST(tname, tdesc) { .name = #tname, .desc = tdesc, .fn = tname }

static const struct test tests[] = {
	TEST(none_moved, "no slot moved: nothing recorded, seen unchanged"),
	TEST(one_moved, "one slot moved: exactly it, seen updated, once"),
	TEST(several_moved_in_order, "several moved: all, in slot order"),
	TEST(hint_first, "a hint whose slot moved comes first"),
	TEST(hint_not_trusted, "a hint to an unmoved slot delivers nothing"),
	TEST(hint_out_of_range, "an out-of-range hint is ignored"),
	TEST(check_hint, "the fast path reads and trusts only a moved hint"),
	TEST(max_smaller_than_count, "a full output: the rest come next, none twice"),
	TEST(wide_compare, "sequence numbers compare as unsigned 64-bit"),
	TEST(backwards_never_delivered, "a slot going back is not delivered"),
	TEST(random_exactly_once, "random advances: each delivered once"),
	TEST(concurrent_acquire, "writer threads: results visible with seqno"),
};

int main(void)
{
	unsigned int i, n = ARRAY_SIZE(tests);
	unsigned int passed = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("1..%u\n", n);
	for (i = 0; i < n; i++) {
		test_failed = 0;
		tests[i].fn();
		if (test_failed) {
			failed++;
			printf("not ok %u - %s # %s\n", i + 1, tests[i].name,
			       tests[i].desc);
		} else {
			passed++;
			printf("ok %u - %s # %s\n", i + 1, tests[i].name,
			       tests[i].desc);
		}
	}
	printf("common: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
