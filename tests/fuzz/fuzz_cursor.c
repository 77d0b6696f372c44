/*
 * fuzz_cursor.c -- list filters from untrusted query strings: the cursor,
 * the type and the status, against an in-memory queue.
 */
#include <stdlib.h>
#include <string.h>

#include "jobq.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static jobq *q;
	struct jobq_filter f = {.status = -1, .limit = 5};
	struct jobq_job *jobs;
	char *s, next[JOBQ_CURSOR_SIZE];
	size_t n;

	if (q == NULL) {
		struct jobq_options o = {.path = ":memory:", .synchronous = JOBQ_SYNC_NORMAL};
		struct jobq_new j = {.type = "noop", .payload = "{}"};
		struct jobq_enqueued e;
		if (jobq_open(&o, &q) != JOBQ_OK)
			abort();
		for (int i = 0; i < 12; i++)
			jobq_enqueue(q, &j, &e);
	}
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	/* The first byte picks which field the rest goes to. */
	const char *rest = size ? s + 1 : s;
	switch (size ? data[0] % 3 : 0) {
	case 0:
		f.cursor = rest;
		break;
	case 1:
		f.type = rest;
		break;
	default:
		f.status = jobq_status_parse(rest);
		break;
	}
	if (jobq_list(q, &f, &jobs, &n, next) == JOBQ_OK) {
		if (n > 5)
			abort();
		jobq_jobs_free(jobs, n);
	}
	free(s);
	return 0;
}
