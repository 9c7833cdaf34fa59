// SPDX-License-Identifier: MIT
/*
 * Copyright (c) 2026 The gpufe authors
 */

/**
 * DOC: completion events
 *
 * The kernel queues one &struct gpufe_event per context whose completed
 * sequence number advanced, coalescing later completions into it until it
 * is read. gpuclient_read_events() poll()s the descriptor for up to the
 * caller's timeout, then read()s what is there.
 *
 * The descriptor is non-blocking (see gpuclient_open()): if another thread
 * read the events between the poll() and the read(), the read fails with
 * -EAGAIN and the poll() starts again with what is left of the timeout,
 * which is measured against one CLOCK_MONOTONIC deadline, also across
 * signals.
 */

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "gpuclient_priv.h"

_Static_assert(sizeof(struct gpufe_event) == 24, "struct gpufe_event layout");
_Static_assert(GPUCLIENT_EVENT_COMPLETION == GPUFE_EVENT_COMPLETION,
	       "event types are the uAPI's");

/*
 * What is left of the caller's timeout, for poll(): -1 forever, else
 * milliseconds until @deadline, rounded up.
 */
static int gpuclient_poll_timeout(int timeout_ms, int64_t deadline,
				  int *left_ms)
{
	int64_t now, left;
	int ret;

	if (timeout_ms < 0) {
		*left_ms = -1;
		return 0;
	}
	ret = gpuclient_now_ns(&now);
	if (ret)
		return ret;
	left = deadline > now ? (deadline - now + 999999) / 1000000 : 0;
	*left_ms = left > INT_MAX ? INT_MAX : (int)left;
	return 0;
}

/* Wait until the descriptor is readable; -ETIME when @deadline passes. */
static int gpuclient_event_poll(int fd, int timeout_ms, int64_t deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int left_ms, ret;

		ret = gpuclient_poll_timeout(timeout_ms, deadline, &left_ms);
		if (ret)
			return ret;

		ret = poll(&pfd, 1, left_ms);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (ret == 0)
			return -ETIME;
		if (pfd.revents & POLLNVAL)
			return -EBADF;
		if (!(pfd.revents & POLLIN))
			return -EIO;	/* POLLERR or POLLHUP alone */
		return 0;
	}
}

gpuclient_public int gpuclient_read_events(gpuclient_handle h,
					   struct gpuclient_event *ev,
					   unsigned int max, int timeout_ms)
{
	struct gpufe_event kev[GPUCLIENT_EVENT_BATCH];
	const struct gpufe_event *k;
	int64_t deadline = 0;
	unsigned int n, i;
	size_t off;
	ssize_t len;
	int ret;

	if (!h || !ev || !max)
		return -EINVAL;
	if (!gpuclient_has_datapath(h))
		return -EOPNOTSUPP;

	if (timeout_ms >= 0) {
		ret = gpuclient_now_ns(&deadline);
		if (ret)
			return ret;
		deadline += (int64_t)timeout_ms * 1000000;
	}

	n = max < GPUCLIENT_EVENT_BATCH ? max : GPUCLIENT_EVENT_BATCH;
again:
	for (;;) {
		ret = gpuclient_event_poll(h->fd, timeout_ms, deadline);
		if (ret)
			return ret;

		len = read(h->fd, kev, n * sizeof(kev[0]));
		if (len >= 0)
			break;
		/* EAGAIN: another reader was first; wait for the next event. */
		if (errno != EINTR && errno != EAGAIN)
			return -errno;
	}

	/* Whole events only, at least one: the kernel promises both. */
	if (len == 0 || (size_t)len > n * sizeof(kev[0]))
		return -EPROTO;

	/* Step by each event's length; a later kernel may add types. */
	for (i = 0, off = 0; off < (size_t)len; off += k->length) {
		k = (const struct gpufe_event *)((const char *)kev + off);
		if ((size_t)len - off < 8 || k->length < 8 || k->length % 8 ||
		    k->length > (size_t)len - off)
			return -EPROTO;
		if (k->type != GPUFE_EVENT_COMPLETION)
			continue;
		if (k->length < sizeof(*k))
			return -EPROTO;
		memset(&ev[i], 0, sizeof(ev[i]));
		ev[i].type = k->type;
		ev[i].ctx_id = k->ctx_id;
		ev[i].seqno = k->seqno;
		ev[i].error = k->error;
		i++;
	}
	/* Only events of types this library does not know: wait on. */
	if (!i)
		goto again;
	return (int)i;
}
