/*
 * pickup.c -- pickup latency of an idle jobq-worker: enqueues one job at a
 * time (test_sleep with ms 0, which appends "S id attempt t_us" to a log
 * as the first thing it does in the job process), waits for that line with
 * inotify, then pauses a few milliseconds so the worker is idle again.
 * Prints p50/p90/p99/max of commit -> job running, and of call -> running.
 *
 *   pickup DB LOGFILE [N]       (the worker runs with JOBQ_TEST_JOBS=1)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "jobq.h"

static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Returns the t_us of the line for id, or -1 when it is not there yet. */
static int64_t
find_start(const char *log, const char *id)
{
	char line[256], lid[64];
	long long t;
	int att;
	FILE *f = fopen(log, "r");
	int64_t found = -1;

	if (f == NULL)
		return -1;
	if (fseek(f, -4096, SEEK_END) != 0)
		rewind(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "S %63s %d %lld", lid, &att, &t) == 3 &&
		    strcmp(lid, id) == 0)
			found = t;
	fclose(f);
	return found;
}

static void
report(const char *what, int64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp64);
	printf("%-22s p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n",
	    what, v[n / 2] / 1000.0, v[n * 9 / 10] / 1000.0,
	    v[n * 99 / 100] / 1000.0, v[n - 1] / 1000.0);
}

int
main(int argc, char **argv)
{
	struct jobq_options o = {0};
	struct jobq_enqueued e;
	char payload[512];
	int n = argc > 3 ? atoi(argv[3]) : 1000, in;
	int64_t *commit, *call;
	jobq *q;

	if (argc < 3 || n < 1) {
		fprintf(stderr, "usage: pickup DB LOGFILE [N]\n");
		return 2;
	}
	o.path = argv[1];
	o.synchronous = getenv("JOBQ_SYNCHRONOUS") &&
	    strcmp(getenv("JOBQ_SYNCHRONOUS"), "normal") == 0 ?
	    JOBQ_SYNC_NORMAL : JOBQ_SYNC_FULL;
	if (jobq_open(&o, &q) != JOBQ_OK) {
		fprintf(stderr, "pickup: cannot open %s\n", argv[1]);
		return 1;
	}
	close(open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0644));
	if ((in = inotify_init1(IN_CLOEXEC)) < 0 ||
	    inotify_add_watch(in, argv[2], IN_MODIFY) < 0) {
		perror("inotify");
		return 1;
	}
	commit = calloc((size_t)n, sizeof(*commit));
	call = calloc((size_t)n, sizeof(*call));
	if (commit == NULL || call == NULL)
		return 1;
	snprintf(payload, sizeof(payload), "{\"ms\":0,\"log\":\"%s\"}", argv[2]);
	srand(1);
	for (int i = 0; i < n; i++) {
		struct jobq_new j = {.type = "test_sleep", .payload = payload};
		int64_t t_call, t_commit, t_start;
		char ev[4096];

		usleep(3000 + (useconds_t)(rand() % 5000));  /* idle again */
		t_call = mono_us();
		if (jobq_enqueue(q, &j, &e) != JOBQ_OK) {
			fprintf(stderr, "pickup: enqueue: %s\n", jobq_errmsg(q));
			return 1;
		}
		t_commit = mono_us();
		while ((t_start = find_start(argv[2], e.id)) < 0) {
			if (read(in, ev, sizeof(ev)) < 0 && errno != EINTR) {
				perror("read");
				return 1;
			}
		}
		call[i] = t_start - t_call;
		commit[i] = t_start - t_commit;
	}
	printf("jobs %d (one at a time, idle worker)\n", n);
	report("enqueue commit -> run", commit, n);
	report("enqueue call -> run", call, n);
	free(commit);
	free(call);
	jobq_close(q);
	return 0;
}
