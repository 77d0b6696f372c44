/*
 * jobq_drive.c -- moves jobs through states through libjobq, for the
 * responder's integration tests (a stand-in worker with no work):
 *   jobq_drive DB claim TYPE        claims one due job, leaves it running
 *   jobq_drive DB fail TYPE         claims one due job and fails it for good
 *   jobq_drive DB ids               prints every job id, one per line
 * Prints the ids it touched; exits 1 when nothing was due or on error.
 */
#include <stdio.h>
#include <string.h>

#include "jobq.h"

static int
claim(jobq *q, const char *type, int fail)
{
	const char *types[] = {type, NULL};
	struct jobq_job *jobs = NULL;
	size_t n = 0;
	int err;

	if ((err = jobq_claim(q, "drive:1", types, 1, 600000, &jobs, &n)) != JOBQ_OK ||
	    n == 0) {
		fprintf(stderr, "claim: %s\n", err ? jobq_errmsg(q) : "nothing due");
		return 1;
	}
	if (fail) {
		struct jobq_lease l = {jobs[0].id, "drive:1", jobs[0].attempts};
		if ((err = jobq_fail(q, &l, "{\"code\":\"test\",\"message\":\"driven\"}", 1))) {
			fprintf(stderr, "fail: %s\n", jobq_errmsg(q));
			jobq_jobs_free(jobs, n);
			return 1;
		}
	}
	printf("%s\n", jobs[0].id);
	jobq_jobs_free(jobs, n);
	return 0;
}

static int
ids(jobq *q)
{
	struct jobq_filter f = {.status = -1, .limit = 500};
	char cursor[JOBQ_CURSOR_SIZE] = "";

	do {
		struct jobq_job *jobs;
		size_t n;
		char next[JOBQ_CURSOR_SIZE];

		f.cursor = cursor;
		if (jobq_list(q, &f, &jobs, &n, next) != JOBQ_OK) {
			fprintf(stderr, "list: %s\n", jobq_errmsg(q));
			return 1;
		}
		for (size_t i = 0; i < n; i++)
			printf("%s\n", jobs[i].id);
		jobq_jobs_free(jobs, n);
		memcpy(cursor, next, sizeof(cursor));
	} while (cursor[0]);
	return 0;
}

int
main(int argc, char **argv)
{
	struct jobq_options o = {0};
	jobq *q = NULL;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: jobq_drive DB claim|fail TYPE | DB ids\n");
		return 2;
	}
	o.path = argv[1];
	if (jobq_open(&o, &q) != JOBQ_OK) {
		fprintf(stderr, "open %s: %s\n", argv[1], q ? jobq_errmsg(q) : "failed");
		jobq_close(q);
		return 1;
	}
	if (strcmp(argv[2], "ids") == 0)
		rc = ids(q);
	else if (argc == 4 && strcmp(argv[2], "claim") == 0)
		rc = claim(q, argv[3], 0);
	else if (argc == 4 && strcmp(argv[2], "fail") == 0)
		rc = claim(q, argv[3], 1);
	else
		rc = 2;
	jobq_close(q);
	return rc;
}
