/*
 * test_queue.c -- the queue library against a real SQLite file: ordering,
 * concurrent claims from several processes, leases, retries and backoff,
 * cancel/retry/idempotency/prune, migrations, injected faults (locked
 * database, full disk, corrupt file) and the query plans.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "jobq.h"
#include "queue/internal.h"
#include "tests/tap.h"

static char dir[] = "/tmp/jobq-queue-XXXXXX";
static int64_t fake_now = 1795878245000LL;

static int64_t
fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

static void
db_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

/* Opens a fresh database (name must be new) on the fake clock. */
static jobq *
open_db(const char *name, int real_clock)
{
	struct jobq_options o = {0};
	char path[256];
	jobq *q;

	db_path(path, sizeof(path), name);
	o.path = path;
	o.synchronous = JOBQ_SYNC_NORMAL;
	o.clock = real_clock ? NULL : fake_clock;
	o.backoff_base_ms = 1000;
	o.backoff_max_ms = 10000;
	if (jobq_open(&o, &q) != JOBQ_OK) {
		printf("Bail out! cannot open %s: %s\n", path, jobq_errmsg(q));
		exit(1);
	}
	return q;
}

static jobq *
open_fake(const char *name)
{
	return open_db(name, 0);
}

static void
add(jobq *q, const char *type, int priority, int64_t run_at, char id[JOBQ_ID_SIZE])
{
	struct jobq_new n = {.type = type, .payload = "{}", .priority = priority,
	    .run_at = run_at};
	struct jobq_enqueued e;
	int err = jobq_enqueue(q, &n, &e);

	if (err != JOBQ_OK)
		printf("# enqueue: %s\n", jobq_errmsg(q));
	if (id)
		memcpy(id, e.id, JOBQ_ID_SIZE);
}

/* Claims one job for worker; returns 1 and fills j, or 0 when none. */
static int
claim1(jobq *q, const char *worker, struct jobq_job *j)
{
	struct jobq_job *v;
	size_t n;

	if (jobq_claim(q, worker, NULL, 1, 30000, &v, &n) != JOBQ_OK || n == 0) {
		free(v);
		return 0;
	}
	*j = v[0];
	free(v);
	return 1;
}

static struct jobq_lease
lease_of(const struct jobq_job *j)
{
	return (struct jobq_lease){j->id, j->worker, j->attempts};
}

static int
status_of(jobq *q, const char *id)
{
	struct jobq_job j;
	int s;

	if (jobq_get(q, id, &j) != JOBQ_OK)
		return -1;
	s = j.status;
	jobq_job_clear(&j);
	return s;
}

static void
test_ordering(void)
{
	jobq *q = open_fake("order.db");
	char a[JOBQ_ID_SIZE], b[JOBQ_ID_SIZE], c[JOBQ_ID_SIZE], d[JOBQ_ID_SIZE];
	char hi[JOBQ_ID_SIZE], lo[JOBQ_ID_SIZE], later[JOBQ_ID_SIZE];
	struct jobq_job j;

	is_int(jobq_schema_version(q), JOBQ_SCHEMA_VERSION, "a new database gets the current schema");
	add(q, "noop", 0, 0, a);
	add(q, "noop", 0, 0, b);
	add(q, "noop", 0, 0, c);
	add(q, "noop", 0, 0, d);
	const char *want[] = {a, b, c, d};
	int fifo = 1;
	for (int i = 0; i < 4; i++) {
		if (!claim1(q, "w:1", &j) || strcmp(j.id, want[i]) != 0)
			fifo = 0;
		jobq_job_clear(&j);
	}
	ok(fifo, "FIFO within one priority (same millisecond)");

	add(q, "noop", -5, 0, lo);
	add(q, "noop", 0, 0, a);
	add(q, "noop", 10, 0, hi);
	claim1(q, "w:1", &j);
	is_str(j.id, hi, "highest priority first");
	jobq_job_clear(&j);
	claim1(q, "w:1", &j);
	is_str(j.id, a, "then the default priority");
	jobq_job_clear(&j);
	claim1(q, "w:1", &j);
	is_str(j.id, lo, "negative priority last");
	jobq_job_clear(&j);

	add(q, "noop", 100, fake_now + 60000, later);
	ok(!claim1(q, "w:1", &j), "a job whose run_at is in the future is not claimed");
	int64_t due;
	jobq_next_due(q, &due);
	is_int(due, fake_now + 60000, "next_due reports when it will be due");
	fake_now += 60000;
	ok(claim1(q, "w:1", &j) && strcmp(j.id, later) == 0, "claimed once run_at has come");
	ok(j.status == JOBQ_RUNNING && j.attempts == 1 && strcmp(j.worker, "w:1") == 0,
	    "claim marks it running, counts the attempt, names the worker");
	jobq_job_clear(&j);

	/* Batch claims keep claim order. */
	add(q, "noop", 1, 0, a);
	add(q, "noop", 3, 0, b);
	add(q, "noop", 2, 0, c);
	struct jobq_job *v;
	size_t n;
	ok(jobq_claim(q, "w:1", NULL, 10, 1000, &v, &n) == JOBQ_OK && n == 3 &&
	    strcmp(v[0].id, b) == 0 && strcmp(v[1].id, c) == 0 && strcmp(v[2].id, a) == 0,
	    "a batch claim returns jobs in priority order");
	jobq_jobs_free(v, n);

	/* Type filter. */
	add(q, "alpha", 0, 0, a);
	add(q, "beta", 0, 0, b);
	const char *types[] = {"beta", NULL};
	ok(jobq_claim(q, "w:1", types, 10, 1000, &v, &n) == JOBQ_OK && n == 1 &&
	    strcmp(v[0].id, b) == 0, "claim honours the type filter");
	jobq_jobs_free(v, n);
	const char *badtypes[] = {"x'); DROP TABLE jobs;--", NULL};
	ok(jobq_claim(q, "w:1", badtypes, 10, 1000, &v, &n) == JOBQ_ERR_INVALID,
	    "a malformed type name is refused");
	jobq_close(q);
}

/* 4 processes claim from 10,000 jobs at once; each writes what it got. */
static void
test_concurrent_claims(void)
{
	enum { NJOBS = 10000, NPROC = 4 };
	jobq *q = open_db("conc.db", 1);
	struct jobq_new *v = calloc(NJOBS, sizeof(*v));
	struct jobq_enqueued *e = calloc(NJOBS, sizeof(*e));
	char path[256], out[256];
	pid_t pids[NPROC];

	for (int i = 0; i < NJOBS; i++)
		v[i] = (struct jobq_new){.type = "noop", .payload = "{}"};
	ok(jobq_enqueue_many(q, v, NJOBS, e) == JOBQ_OK, "10,000 jobs enqueued in one transaction");
	jobq_close(q);
	db_path(path, sizeof(path), "conc.db");
	/* A barrier: every claimer waits until all are forked, so they really
	 * race instead of the first one draining the queue alone. */
	int gate[2];
	if (pipe(gate) != 0) {
		ok(0, "pipe");
		return;
	}
	for (int p = 0; p < NPROC; p++) {
		if ((pids[p] = fork()) == 0) {
			char c;
			close(gate[1]);
			struct jobq_options o = {.path = path, .synchronous = JOBQ_SYNC_NORMAL,
			    .busy_timeout_ms = 10000};
			char worker[32];
			FILE *f;
			jobq *cq;
			int busy = 0;

			snprintf(worker, sizeof(worker), "w:%d", p);
			snprintf(out, sizeof(out), "%s/claimed.%d", dir, p);
			f = fopen(out, "w");
			if (jobq_open(&o, &cq) != JOBQ_OK)
				_exit(3);
			if (read(gate[0], &c, 1) < 0)
				_exit(8);
			int64_t started = clock_mono_ms();
			for (;;) {
				struct jobq_job *jobs;
				size_t n;
				int err = jobq_claim(cq, worker, NULL, 8, 60000, &jobs, &n);
				if (err == JOBQ_ERR_BUSY) {
					busy++;
					continue;
				}
				if (err != JOBQ_OK)
					_exit(4);
				if (n == 0)
					break;
				struct jobq_finish fin[8];
				for (size_t i = 0; i < n; i++) {
					fprintf(f, "%s\n", jobs[i].id);
					fin[i] = (struct jobq_finish){.lease = lease_of(&jobs[i]),
					    .outcome = JOBQ_DONE, .text = "{}"};
				}
				if (jobq_finish_many(cq, fin, n) != JOBQ_OK)
					_exit(5);
				for (size_t i = 0; i < n; i++)
					if (fin[i].rc != JOBQ_OK)
						_exit(6);
				jobq_jobs_free(jobs, n);
			}
			fclose(f);
			jobq_close(cq);
			snprintf(out, sizeof(out), "%s/span.%d", dir, p);
			if ((f = fopen(out, "w")) != NULL) {
				fprintf(f, "%lld %lld\n", (long long)started,
				    (long long)clock_mono_ms());
				fclose(f);
			}
			_exit(busy ? 7 : 0);
		}
	}
	/* Open the gate: EOF wakes every claimer at once. */
	close(gate[0]);
	close(gate[1]);
	int all_ok = 1;
	for (int p = 0; p < NPROC; p++) {
		int st;
		waitpid(pids[p], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			diag("claimer %d ended with status %d", p, st);
			all_ok = 0;
		}
	}
	ok(all_ok, "4 claimers finished without a busy error surfacing");

	/* Every id exactly once. */
	char (*seen)[JOBQ_ID_SIZE] = calloc(NJOBS + 100, JOBQ_ID_SIZE);
	int total = 0, per[NPROC] = {0};
	for (int p = 0; p < NPROC; p++) {
		char line[64];
		snprintf(out, sizeof(out), "%s/claimed.%d", dir, p);
		FILE *f = fopen(out, "r");
		while (f && fgets(line, sizeof(line), f) && total < NJOBS + 100) {
			line[strcspn(line, "\n")] = '\0';
			memcpy(seen[total++], line, JOBQ_ID_SIZE);
			per[p]++;
		}
		if (f)
			fclose(f);
	}
	is_int(total, NJOBS, "10,000 claims in all");
	qsort(seen, (size_t)total, JOBQ_ID_SIZE, (int (*)(const void *, const void *))strcmp);
	int dups = 0;
	for (int i = 1; i < total; i++)
		dups += strcmp(seen[i - 1], seen[i]) == 0;
	is_int(dups, 0, "no job claimed twice");
	/* How the lock is shared is SQLite's busy handler's business (it is
	 * not fair: one claimer may win every window); that the four really
	 * raced is what matters: every one started before any finished. */
	long long last_start = 0, first_end = INT64_MAX;
	for (int p = 0; p < NPROC; p++) {
		long long a = 0, b = 0;
		snprintf(out, sizeof(out), "%s/span.%d", dir, p);
		FILE *f = fopen(out, "r");
		if (f == NULL || fscanf(f, "%lld %lld", &a, &b) != 2)
			a = INT64_MAX, b = 0;
		if (f)
			fclose(f);
		if (a > last_start)
			last_start = a;
		if (b < first_end)
			first_end = b;
	}
	ok(last_start <= first_end, "the 4 claimers ran at the same time (claims %d/%d/%d/%d)",
	    per[0], per[1], per[2], per[3]);
	free(seen);

	q = open_fake("conc.db");
	json_object *s, *counts, *c;
	jobq_stats(q, 1000, &s, NULL);
	json_object_object_get_ex(s, "counts", &counts);
	json_object_object_get_ex(counts, "succeeded", &c);
	is_int(json_object_get_int(c), NJOBS, "all 10,000 succeeded");
	json_object_object_get_ex(counts, "queued", &c);
	is_int(json_object_get_int(c), 0, "none left queued");
	json_object_put(s);
	jobq_close(q);
	free(v);
	free(e);
}

static void
test_leases(void)
{
	jobq *q = open_fake("lease.db");
	char id[JOBQ_ID_SIZE];
	struct jobq_job j, j2;
	struct jobq_worker w = {"w:1", "host", 1, 1};
	int n, cancel = -1;

	add(q, "noop", 0, 0, id);
	struct jobq_job *v;
	size_t cnt;
	jobq_claim(q, "w:1", NULL, 1, 10000, &v, &cnt);
	j = v[0];
	free(v);
	fake_now += 9000;
	jobq_recover_expired(q, &n);
	is_int(n, 0, "a lease not yet expired is left alone");
	ok(jobq_heartbeat(q, &w, 10000, NULL) == JOBQ_OK, "heartbeat renews the lease");
	fake_now += 9000;
	jobq_recover_expired(q, &n);
	is_int(n, 0, "renewed lease survives past the original expiry");
	ok(jobq_progress(q, &(struct jobq_lease){j.id, "w:1", 1}, 40, "step 2/5", &cancel) == JOBQ_OK &&
	    cancel == 0, "progress with the lease is recorded");
	jobq_get(q, id, &j2);
	ok(j2.progress == 40 && strcmp(j2.progress_message, "step 2/5") == 0,
	    "progress and message readable");
	jobq_job_clear(&j2);

	fake_now += 11000;
	jobq_recover_expired(q, &n);
	is_int(n, 1, "an expired lease is recovered");
	is_int(status_of(q, id), JOBQ_QUEUED, "the recovered job is queued again");
	jobq_job_clear(&j2);
	ok(claim1(q, "w:2", &j2) && strcmp(j2.id, id) == 0 && j2.attempts == 2,
	    "another worker claims it; the lost attempt counted");
	struct jobq_lease stale = lease_of(&j);
	is_int(jobq_complete(q, &stale, "{}"), JOBQ_ERR_LOST, "the old worker's completion is refused");
	is_int(jobq_progress(q, &stale, 50, "x", NULL), JOBQ_ERR_LOST, "the old worker's progress is refused");
	is_int(jobq_checkpoint_put(q, &stale, "k", "1"), JOBQ_ERR_LOST, "the old worker's checkpoint is refused");
	struct jobq_lease cur = lease_of(&j2);
	ok(jobq_checkpoint_put(q, &cur, "product:A", "{\"ok\":1}") == JOBQ_OK,
	    "checkpoint with the current lease");
	char *val;
	ok(jobq_checkpoint_get(q, id, "product:A", &val) == JOBQ_OK &&
	    strcmp(val, "{\"ok\":1}") == 0, "checkpoint reads back");
	free(val);
	is_int(jobq_checkpoint_get(q, id, "product:B", &val), JOBQ_ERR_NOTFOUND, "absent checkpoint");
	struct jobq_finish fin = {.lease = cur, .outcome = JOBQ_DONE,
	    .text = "{\"n\":1}", .message = "Wrote flat file"};
	ok(jobq_finish_many(q, &fin, 1) == JOBQ_OK && fin.rc == JOBQ_OK,
	    "the new holder completes");
	jobq_job_clear(&j2);
	jobq_get(q, id, &j2);
	ok(j2.status == JOBQ_SUCCEEDED && j2.progress == 100 && strcmp(j2.result, "{\"n\":1}") == 0,
	    "succeeded with its result");
	is_str(j2.progress_message, "Wrote flat file",
	    "the last progress message travels with the outcome");
	jobq_job_clear(&j2);
	jobq_job_clear(&j);

	/* A dead worker's jobs come back at once. */
	add(q, "noop", 0, 0, id);
	claim1(q, "host:999", &j);
	jobq_heartbeat(q, &(struct jobq_worker){"host:999", "host", 999, 1}, 60000, NULL);
	struct jobq_worker *ws;
	size_t nw;
	jobq_workers_on_host(q, "host", &ws, &nw);
	int found = 0;
	for (size_t i = 0; i < nw; i++)
		found |= strcmp(ws[i].id, "host:999") == 0 && ws[i].pid == 999;
	ok(found, "the workers table records host and pid");
	jobq_workers_free(ws, nw);
	jobq_recover_worker(q, "host:999", &n);
	is_int(n, 1, "a dead worker's job is recovered without waiting for the lease");
	is_int(status_of(q, id), JOBQ_QUEUED, "and is queued");
	jobq_workers_on_host(q, "host", &ws, &nw);
	found = 0;
	for (size_t i = 0; i < nw; i++)
		found |= strcmp(ws[i].id, "host:999") == 0;
	ok(!found, "the dead worker's row is gone");
	jobq_workers_free(ws, nw);
	jobq_job_clear(&j);
	jobq_close(q);
}

static void
test_retries(void)
{
	jobq *q = open_fake("retry.db");
	struct jobq_new nj = {.type = "noop", .payload = "{}", .max_attempts = 3};
	struct jobq_enqueued e;
	struct jobq_job j;

	jobq_enqueue(q, &nj, &e);
	int64_t prev_delay = 0, grows = 1;
	for (int attempt = 1; attempt <= 3; attempt++) {
		if (!claim1(q, "w:1", &j)) {
			ok(0, "attempt %d claimable", attempt);
			break;
		}
		char err[64];
		snprintf(err, sizeof(err), "{\"code\":\"x\",\"message\":\"boom %d\"}", attempt);
		struct jobq_lease l = lease_of(&j);
		jobq_fail(q, &l, err, 0);
		jobq_job_clear(&j);
		jobq_get(q, e.id, &j);
		if (attempt < 3) {
			int64_t delay = j.next_attempt_at - fake_now;
			ok(j.status == JOBQ_QUEUED && j.next_attempt_at > fake_now,
			    "attempt %d failed transiently: queued with next_attempt_at", attempt);
			if (delay <= prev_delay)
				grows = 0;
			prev_delay = delay;
			struct jobq_job early;
			ok(!claim1(q, "w:1", &early), "not claimable before its backoff");
			fake_now = j.next_attempt_at;
		} else {
			ok(j.status == JOBQ_FAILED && strstr(j.error, "boom 3") != NULL &&
			    j.attempts == 3, "failed for good after max_attempts, with the last error");
		}
		jobq_job_clear(&j);
	}
	ok(grows, "the retry delay grew between attempts");

	int in_range = 1, capped = 1;
	for (int a = 1; a <= 12; a++) {
		int64_t d = jobq_backoff_ms(q, a), ideal = 1000LL << (a - 1);
		if (ideal > 10000)
			ideal = 10000;
		if (d < ideal * 8 / 10 || d > ideal * 12 / 10)
			in_range = 0;
		if (d > 10000)
			capped = 0;
	}
	ok(in_range, "backoff is base*2^(n-1) within +-20%%");
	ok(capped, "backoff never exceeds the cap");
	int64_t first = jobq_backoff_ms(q, 3);
	int varies = 0;
	for (int i = 0; i < 20; i++)
		varies |= jobq_backoff_ms(q, 3) != first;
	ok(varies, "backoff has jitter");

	jobq_enqueue(q, &nj, &e);
	claim1(q, "w:1", &j);
	struct jobq_lease l = lease_of(&j);
	jobq_fail(q, &l, "{\"code\":\"bad\",\"message\":\"no\"}", 1);
	jobq_job_clear(&j);
	is_int(status_of(q, e.id), JOBQ_FAILED, "a permanent failure fails at once");

	jobq_enqueue(q, &nj, &e);
	claim1(q, "w:1", &j);
	l = lease_of(&j);
	ok(jobq_hand_back(q, &l) == JOBQ_OK, "hand back");
	jobq_job_clear(&j);
	jobq_get(q, e.id, &j);
	ok(j.status == JOBQ_QUEUED && j.attempts == 0, "hand-back does not count the attempt");
	jobq_job_clear(&j);
	jobq_close(q);
}

static void
test_admin(void)
{
	jobq *q = open_fake("admin.db");
	char id[JOBQ_ID_SIZE];
	struct jobq_job j;
	struct jobq_worker w = {"w:1", "h", 1, 1};
	char **cancel;

	add(q, "noop", 0, 0, id);
	ok(jobq_cancel(q, id, &j) == JOBQ_OK && j.status == JOBQ_CANCELED && j.finished_at > 0,
	    "a queued job cancels at once");
	jobq_job_clear(&j);
	is_int(jobq_cancel(q, id, NULL), JOBQ_ERR_CONFLICT, "canceling a finished job is a conflict");
	is_int(jobq_cancel(q, "01a222c5-d1a3-7c34-9360-66a318144050", NULL), JOBQ_ERR_NOTFOUND,
	    "canceling an unknown job: not found");
	ok(jobq_retry(q, id, &j) == JOBQ_OK && j.status == JOBQ_QUEUED && j.attempts == 0,
	    "a canceled job can be retried");
	jobq_job_clear(&j);
	is_int(jobq_retry(q, id, NULL), JOBQ_ERR_CONFLICT, "retrying a queued job is a conflict");

	claim1(q, "w:1", &j);
	ok(jobq_cancel(q, id, NULL) == JOBQ_OK && status_of(q, id) == JOBQ_RUNNING,
	    "canceling a running job leaves it running for now");
	ok(jobq_heartbeat(q, &w, 30000, &cancel) == JOBQ_OK && cancel && cancel[0] &&
	    strcmp(cancel[0], id) == 0 && cancel[1] == NULL,
	    "the worker's heartbeat learns of the cancel");
	jobq_strv_free(cancel);
	struct jobq_lease l = lease_of(&j);
	jobq_fail(q, &l, "{\"code\":\"canceled\",\"message\":\"stopped\"}", 0);
	is_int(status_of(q, id), JOBQ_CANCELED, "the stopped job ends canceled, not retried");
	jobq_job_clear(&j);

	/* Idempotency keys. */
	struct jobq_new n = {.type = "noop", .payload = "{\"a\":1}", .idempotency_key = "key-1"};
	struct jobq_enqueued e1, e2, e3, e4;
	jobq_enqueue(q, &n, &e1);
	jobq_enqueue(q, &n, &e2);
	ok(!e1.replayed && e2.replayed && strcmp(e1.id, e2.id) == 0,
	    "the same key and type answer with the first job");
	n.type = "other";
	jobq_enqueue(q, &n, &e3);
	ok(!e3.replayed && strcmp(e3.id, e1.id) != 0, "the same key under another type is a new job");
	n.type = "noop";
	fake_now += 25LL * 3600 * 1000;
	jobq_enqueue(q, &n, &e4);
	ok(!e4.replayed && strcmp(e4.id, e1.id) != 0, "after 24 h the key makes a new job");

	jobq_close(q);

	/* Prune: A finished 4 h ago, B 1 h ago, C still queued. */
	q = open_fake("prune.db");
	char a[JOBQ_ID_SIZE], b[JOBQ_ID_SIZE], c[JOBQ_ID_SIZE];
	int deleted;
	add(q, "noop", 0, 0, a);
	claim1(q, "w:1", &j);
	l = lease_of(&j);
	jobq_complete(q, &l, "{}");
	jobq_job_clear(&j);
	fake_now += 3 * 3600 * 1000;
	add(q, "noop", 0, 0, b);
	jobq_cancel(q, b, NULL);
	add(q, "noop", 0, 0, c);
	fake_now += 3600 * 1000;
	ok(jobq_prune(q, 2LL * 3600 * 1000, &deleted) == JOBQ_OK && deleted == 1 &&
	    status_of(q, a) == -1 && status_of(q, b) == JOBQ_CANCELED,
	    "prune deletes finished jobs older than the cutoff, keeps younger ones");
	ok(jobq_prune(q, 1000, &deleted) == JOBQ_OK && deleted == 1 && status_of(q, b) == -1,
	    "a shorter age prunes the younger one too");
	is_int(status_of(q, c), JOBQ_QUEUED, "prune never deletes unfinished jobs");
	jobq_close(q);
}

static void
test_list_and_stats(void)
{
	jobq *q = open_fake("list.db");
	struct jobq_filter f = {.status = -1, .limit = 50};
	struct jobq_job *v;
	size_t n, total = 0;
	char cur[JOBQ_CURSOR_SIZE], first[JOBQ_ID_SIZE] = "", last[JOBQ_ID_SIZE];
	int pages = 0, newest_first = 1;

	static char ins[120][JOBQ_ID_SIZE];
	for (int i = 0; i < 120; i++) {
		add(q, i % 3 ? "noop" : "other", 0, 0, ins[i]);
		memcpy(last, ins[i], JOBQ_ID_SIZE);
	}
	struct jobq_job j;
	for (int i = 0; i < 5; i++) {
		claim1(q, "w:1", &j);
		jobq_job_clear(&j);
	}
	do {
		ok(jobq_list(q, &f, &v, &n, cur) == JOBQ_OK, "list page %d", pages + 1);
		for (size_t i = 0; i < n; i++) {
			/* Row k of the listing is the k-th newest insert. */
			if (total + i >= 120 || strcmp(v[i].id, ins[119 - total - i]) != 0)
				newest_first = 0;
			if (!*first)
				memcpy(first, v[i].id, JOBQ_ID_SIZE);
		}
		total += n;
		pages++;
		jobq_jobs_free(v, n);
		f.cursor = cur;
	} while (*cur && pages < 10);
	is_int(total, 120, "pagination visits every job once");
	is_int(pages, 3, "50 + 50 + 20");
	ok(newest_first, "newest first across pages");
	is_str(first, last, "the first row is the newest job");

	struct jobq_filter fs = {.status = JOBQ_RUNNING};
	jobq_list(q, &fs, &v, &n, cur);
	ok(n == 5 && *cur == '\0', "status filter");
	jobq_jobs_free(v, n);
	struct jobq_filter ft = {.status = -1, .type = "other", .limit = 500};
	jobq_list(q, &ft, &v, &n, cur);
	is_int(n, 40, "type filter");
	jobq_jobs_free(v, n);
	struct jobq_filter fb = {.status = JOBQ_QUEUED, .type = "other", .limit = 500};
	jobq_list(q, &fb, &v, &n, cur);
	ok(n > 0 && n <= 40, "status and type together");
	jobq_jobs_free(v, n);
	struct jobq_filter bad = {.status = -1, .cursor = "12abc"};
	is_int(jobq_list(q, &bad, &v, &n, cur), JOBQ_ERR_INVALID, "a malformed cursor is refused");
	bad.cursor = "99999999999999999999";
	is_int(jobq_list(q, &bad, &v, &n, cur), JOBQ_ERR_INVALID, "an overlong cursor is refused");
	struct jobq_filter big = {.status = -1, .limit = 501};
	is_int(jobq_list(q, &big, &v, &n, cur), JOBQ_ERR_INVALID, "limit above 500 is refused");

	json_object *s, *x, *y;
	int alive = -1;
	jobq_heartbeat(q, &(struct jobq_worker){"h:1", "h", 1, 5}, 1000, NULL);
	ok(jobq_stats(q, 60000, &s, &alive) == JOBQ_OK, "stats");
	json_object_object_get_ex(s, "counts", &x);
	json_object_object_get_ex(x, "running", &y);
	is_int(json_object_get_int(y), 5, "stats count running jobs");
	json_object_object_get_ex(s, "total", &x);
	is_int(json_object_get_int(x), 120, "stats total");
	json_object_object_get_ex(s, "by_type", &x);
	ok(json_object_object_get_ex(x, "other", &y) && json_object_object_get_ex(y, "queued", &y),
	    "stats by type and status");
	json_object_object_get_ex(s, "workers", &x);
	ok(json_object_array_length(x) == 1 && alive == 1, "stats list the live worker");
	ok(json_object_object_get_ex(s, "oldest_queued_age_seconds", &x) && x != NULL,
	    "oldest queued age present while jobs wait");
	fake_now += 1234;
	json_object_put(s);
	jobq_stats(q, 60000, &s, &alive);
	json_object_object_get_ex(s, "oldest_queued_age_seconds", &x);
	is_str(json_object_to_json_string(x), "1.234", "the age prints as exact seconds with milliseconds");
	json_object_put(s);

	jobq_get(q, last, &j);
	json_object *o = jobq_job_json(&j, 1);
	const char *keys[] = {"id", "type", "status", "priority", "progress", "progress_message",
	    "attempts", "max_attempts", "payload", "result", "error", "submitted_by", "worker",
	    "created_at", "run_at", "started_at", "finished_at", "updated_at", "next_attempt_at",
	    "wait_ms", "run_ms", "cancel_requested"};
	int all = 1;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		all &= json_object_object_get_ex(o, keys[i], NULL);
	ok(all, "the job object has every contract field");
	json_object_object_get_ex(o, "created_at", &x);
	ok(strlen(json_object_get_string(x)) == 24 && json_object_get_string(x)[23] == 'Z',
	    "times are RFC 3339 UTC with milliseconds");
	json_object_put(o);
	jobq_job_clear(&j);
	jobq_close(q);
}

/* json_text_valid (which decides whether a stored text is copied into an
 * answer as it is) against a table, and against json-c's strict parser
 * on every entry; the job text always parses, whatever is stored. */
static void
test_json_text(void)
{
	static const char *const good[] = {
		"{}", "[]", " {} ", "1", "-0", "0.5", "-1.25e+10", "1E-3", "\"\"",
		"true", "false", "null", "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\"",
		"{\"a\":[1,2.5e-3,-0,true,false,null,\"x\"],\"b\":{\"c\":{}}}",
		"[ 1 , [ ] , { \"k\" : \"v\" } ]\n", "\"caf\xc3\xa9\"",
	};
	static const char *const bad[] = {
		"", "   ", "{", "}", "[", "{\"a\"}", "{\"a\":}", "[1,]", "{,}", "{\"a\":1,}",
		"01", "1.", ".5", "-", "1e", "1e+", "+1", "\"\x01\"", "\"\\q\"", "\"\\u12G4\"",
		"\"abc", "tru", "nulls", "{} {}", "[1 2]", "{\"a\" 1}", "{1:2}", "'x'",
		"[\"a\",]", "NaN", "Infinity", "{\"a\":1}x", "\"\\u00e\"",
	};
	json_tokener *tok = json_tokener_new_ex(300);
	int agree = 1;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(json_text_valid(good[i], strlen(good[i])), "well-formed: %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!json_text_valid(bad[i], strlen(bad[i])), "not well-formed: %s", bad[i]);
	/* What is copied into an answer must parse elsewhere too.  (json-c
	 * also takes "1.", NaN and Infinity, which RFC 8259 does not.) */
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		size_t len = strlen(good[i]), end;
		json_object *o;
		/* With the NUL, so that a number at the end is complete. */
		json_tokener_reset(tok);
		o = json_tokener_parse_ex(tok, good[i], (int)len + 1);
		end = json_tokener_get_parse_end(tok);
		if (json_tokener_get_error(tok) != json_tokener_success ||
		    (end < len && strspn(good[i] + end, " \t\r\n") != len - end)) {
			diag("json-c refuses [%s]", good[i]);
			agree = 0;
		}
		json_object_put(o);
	}
	ok(agree, "json-c's strict parser takes every well-formed entry");
	json_tokener_free(tok);

	/* Depth: 256 nested arrays are copied, 257 are not. */
	char deep[600];
	memset(deep, '[', 257);
	memset(deep + 257, ']', 257);
	ok(!json_text_valid(deep, 514), "257 levels are refused");
	ok(json_text_valid(deep + 1, 512), "256 levels are accepted");

	/* Whatever is stored, the job text is JSON; well-formed bodies come
	 * back as they are, others as strings. */
	struct jobq_job j = {.id = "0190f3a8-0000-7000-8000-000000000001",
	    .status = JOBQ_FAILED, .attempts = 1, .max_attempts = 3};
	j.type = (char *)"noop";
	j.payload = (char *)"{ \"a\" : [1, 2] }";
	j.result = (char *)"not json";
	j.error = (char *)"{\"code\":\"x\",\"message\":\"tab\\there \\\"q\\\"\"}";
	j.progress_message = (char *)"line\nbreak \"quoted\" \x01 back\\slash";
	j.created_at = j.run_at = j.updated_at = 1795878245123LL;
	size_t len = 0;
	char *text = jobq_job_json_text(&j, 1, &len);
	json_object *o = text ? json_tokener_parse(text) : NULL, *x;
	ok(o != NULL && len == strlen(text), "the job text parses");
	ok(text && strstr(text, "\"payload\":{ \"a\" : [1, 2] }") != NULL,
	    "a well-formed payload is copied as it is");
	json_object_object_get_ex(o, "result", &x);
	is_str(json_object_get_string(x), "not json", "a stored text that is not JSON comes back as a string");
	ok(json_object_is_type(x, json_type_string), "... of type string");
	json_object_object_get_ex(o, "progress_message", &x);
	is_str(json_object_get_string(x), j.progress_message, "control characters, quotes and backslashes round-trip");
	json_object_object_get_ex(o, "error", &x);
	ok(json_object_is_type(x, json_type_object), "a well-formed error is an object");
	json_object_object_get_ex(o, "created_at", &x);
	is_str(json_object_get_string(x), "2026-11-28T15:04:05.123Z", "times in RFC 3339");
	json_object_object_get_ex(o, "started_at", &x);
	ok(x == NULL, "unset times are null");
	json_object_put(o);
	free(text);
	text = jobq_job_json_text(&j, 0, NULL);
	ok(text && strstr(text, "\"payload\"") == NULL && strstr(text, "\"result\"") == NULL &&
	    strstr(text, "\"error\"") != NULL, "list rows leave out payload and result");
	free(text);
}

static void
test_bad_input(void)
{
	jobq *q = open_fake("bad.db");
	struct jobq_enqueued e;
	struct jobq_new n = {.type = "noop", .payload = "{}"};

	n.payload = "{\"a\":1} trailing";
	is_int(jobq_enqueue(q, &n, &e), JOBQ_ERR_INVALID, "payload with trailing bytes refused");
	n.payload = "[1,2]";
	is_int(jobq_enqueue(q, &n, &e), JOBQ_ERR_INVALID, "non-object payload refused");
	n.payload = "{}";
	n.type = "Bad Type";
	is_int(jobq_enqueue(q, &n, &e), JOBQ_ERR_INVALID, "bad type name refused");
	n.type = "noop";
	n.priority = 2000000;
	is_int(jobq_enqueue(q, &n, &e), JOBQ_ERR_INVALID, "priority out of range refused");
	n.priority = 0;
	n.payload = "{\"sql\":\"'); DROP TABLE jobs; --\"}";
	ok(jobq_enqueue(q, &n, &e) == JOBQ_OK, "SQL metacharacters are just data");
	struct jobq_job j;
	jobq_get(q, e.id, &j);
	is_str(j.payload, n.payload, "stored verbatim");
	jobq_job_clear(&j);
	struct jobq_new many[2] = {{.type = "noop", .payload = "{}"}, {.type = "noop", .payload = "nope"}};
	struct jobq_enqueued out[2];
	struct jobq_filter f = {.status = -1, .limit = 500};
	struct jobq_job *v;
	size_t before, after;
	char cur[JOBQ_CURSOR_SIZE];
	jobq_list(q, &f, &v, &before, cur);
	jobq_jobs_free(v, before);
	is_int(jobq_enqueue_many(q, many, 2, out), JOBQ_ERR_INVALID, "a batch with one bad job is refused");
	jobq_list(q, &f, &v, &after, cur);
	jobq_jobs_free(v, after);
	is_int(after, before, "and nothing of it was written");
	jobq_close(q);
}

static void
test_migrations(void)
{
	struct jobq_options o = {0};
	char path[256];
	jobq *q;
	struct jobq_enqueued e;
	struct jobq_new n = {.type = "noop", .payload = "{\"kept\":true}"};

	db_path(path, sizeof(path), "migrate.db");
	o.path = path;
	o.target_version = 1;
	ok(jobq_open(&o, &q) == JOBQ_OK && jobq_schema_version(q) == 1, "a version 1 database");
	ok(jobq_enqueue(q, &n, &e) == JOBQ_OK, "holding a job");
	jobq_close(q);
	o.target_version = 0;
	ok(jobq_open(&o, &q) == JOBQ_OK, "reopened by this build");
	is_int(jobq_schema_version(q), JOBQ_SCHEMA_VERSION, "migrated to the current version");
	struct jobq_job j;
	ok(jobq_get(q, e.id, &j) == JOBQ_OK && strcmp(j.payload, n.payload) == 0,
	    "the job survived the migration");
	jobq_job_clear(&j);
	ok(jobq_check(q) == JOBQ_OK, "the migrated database checks out");
	jobq_close(q);

	sqlite3 *db;
	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
	sqlite3_close(db);
	int err = jobq_open(&o, &q);
	ok(err == JOBQ_ERR_SCHEMA && strstr(jobq_errmsg(q), "newer") != NULL,
	    "a database from a newer version is refused: %s", jobq_errmsg(q));
	jobq_close(q);

	db_path(path, sizeof(path), "foreign.db");
	sqlite3_open(path, &db);
	sqlite3_exec(db, "CREATE TABLE mine (x)", NULL, NULL, NULL);
	sqlite3_close(db);
	err = jobq_open(&o, &q);
	ok(err == JOBQ_ERR_CORRUPT && strstr(jobq_errmsg(q), "not a jobq database"),
	    "another application's database is not adopted");
	jobq_close(q);
}

static void
test_faults(void)
{
	struct jobq_options o = {0};
	char path[256];
	jobq *q;
	sqlite3 *db;
	struct jobq_enqueued e;
	struct jobq_new n = {.type = "noop", .payload = "{}"};

	/* Locked past the busy timeout. */
	db_path(path, sizeof(path), "locked.db");
	o.path = path;
	o.busy_timeout_ms = 200;
	jobq_open(&o, &q);
	sqlite3_open(path, &db);
	sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	int err = jobq_enqueue(q, &n, &e);
	ok(err == JOBQ_ERR_BUSY && strstr(jobq_errmsg(q), "locked"),
	    "a write lock held past the busy timeout gives BUSY: %s", jobq_errmsg(q));
	struct jobq_job *v;
	size_t cnt;
	is_int(jobq_claim(q, "w:1", NULL, 1, 1000, &v, &cnt), JOBQ_ERR_BUSY, "claim gives BUSY too");
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	ok(jobq_enqueue(q, &n, &e) == JOBQ_OK, "writes work again once the lock is gone");
	jobq_close(q);

	/* A full database (page cap) and a full disk (file size limit). */
	db_path(path, sizeof(path), "full.db");
	o.busy_timeout_ms = 0;
	jobq_open(&o, &q);
	for (int i = 0; i < 20; i++)
		jobq_enqueue(q, &n, &e);
	jobq_close(q);
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl;
		struct stat st;
		char big[200000];
		jobq *cq;

		signal(SIGXFSZ, SIG_IGN);
		stat(path, &st);
		if (jobq_open(&o, &cq) != JOBQ_OK)
			_exit(10);
		rl.rlim_cur = rl.rlim_max = (rlim_t)st.st_size + 8192;
		setrlimit(RLIMIT_FSIZE, &rl);
		memset(big, 'x', sizeof(big));
		memcpy(big, "{\"b\":\"", 6);
		memcpy(big + sizeof(big) - 3, "\"}", 3);
		struct jobq_new bn = {.type = "noop", .payload = big};
		int r = jobq_enqueue(cq, &bn, &e);
		printf("# disk-full enqueue: %s (%s)\n", jobq_strerror(r), jobq_errmsg(cq));
		fflush(stdout);
		jobq_close(cq);
		_exit(r == JOBQ_ERR_FULL || r == JOBQ_ERR_IO ? 0 : 11);
	}
	int st;
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a write past the file size limit fails with FULL/IO, no crash");
	ok(jobq_open(&o, &q) == JOBQ_OK && jobq_check(q) == JOBQ_OK,
	    "after the failed write the database is sound");
	struct jobq_filter f = {.status = -1, .limit = 500};
	char cur[JOBQ_CURSOR_SIZE];
	jobq_list(q, &f, &v, &cnt, cur);
	is_int(cnt, 20, "earlier jobs intact, the failed one absent");
	jobq_jobs_free(v, cnt);
	sqlite3_exec(q->db, "PRAGMA max_page_count = 1", NULL, NULL, NULL);
	static char huge[300000];
	memset(huge, 'y', sizeof(huge) - 1);
	memcpy(huge, "{\"h\":\"", 6);
	memcpy(huge + sizeof(huge) - 3, "\"}", 3);
	struct jobq_new hn = {.type = "noop", .payload = huge};
	err = jobq_enqueue(q, &hn, &e);
	ok(err == JOBQ_ERR_FULL, "a database at its page cap gives FULL: %s", jobq_errmsg(q));
	jobq_close(q);

	/* A corrupt file. */
	db_path(path, sizeof(path), "garbage.db");
	int fd = open(path, O_WRONLY | O_CREAT, 0600);
	char junk[8192];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7 + 3);
	if (write(fd, junk, sizeof(junk)) < 0)
		diag("write failed");
	close(fd);
	err = jobq_open(&o, &q);
	ok(err == JOBQ_ERR_CORRUPT, "a file that is not a database gives CORRUPT: %s", jobq_errmsg(q));
	jobq_close(q);

	/* Damage inside a valid database: the check reports it. */
	db_path(path, sizeof(path), "damaged.db");
	jobq_open(&o, &q);
	for (int i = 0; i < 300; i++)
		jobq_enqueue(q, &n, &e);
	sqlite3_exec(q->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	jobq_close(q);
	fd = open(path, O_WRONLY);
	struct stat sb;
	fstat(fd, &sb);
	if (pwrite(fd, junk, 4096, sb.st_size / 2 / 4096 * 4096) < 0)
		diag("pwrite failed");
	close(fd);
	err = jobq_open(&o, &q);
	if (err == JOBQ_OK)
		err = jobq_check(q);
	ok(err == JOBQ_ERR_CORRUPT, "a damaged page is reported as CORRUPT: %s", jobq_errmsg(q));
	jobq_close(q);
}

/* A database removed under an open handle, then restored. */
static void
test_removed(void)
{
	char path[256], backup[300], cmd[1024];
	jobq *q = open_db("removed.db", 1);
	struct jobq_enqueued e;
	struct jobq_new n = {.type = "noop", .payload = "{}"};
	struct jobq_job j;

	jobq_enqueue(q, &n, &e);
	is_int(jobq_ping(q), JOBQ_OK, "ping answers on a sound database");
	db_path(path, sizeof(path), "removed.db");
	snprintf(backup, sizeof(backup), "%s.bak", path);
	sqlite3_exec(q->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "cp %s %s", path, backup);
	if (system(cmd) != 0)
		diag("backup failed");
	unlink(path);
	char wal[300];
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(wal);
	int err = jobq_ping(q);
	ok(err == JOBQ_ERR_IO && strstr(jobq_errmsg(q), "removed"),
	    "ping notices the file was removed: %s", jobq_errmsg(q));
	err = jobq_reopen(q);
	ok(err == JOBQ_ERR_IO && access(path, F_OK) != 0,
	    "reopen does not create an empty database in its place");
	ok(jobq_ping(q) != JOBQ_OK, "the handle still answers (with an error)");
	if (rename(backup, path) != 0)
		diag("restore failed");
	ok(jobq_reopen(q) == JOBQ_OK && jobq_ping(q) == JOBQ_OK, "once restored, reopen brings it back");
	ok(jobq_get(q, e.id, &j) == JOBQ_OK, "and the restored job is there");
	jobq_job_clear(&j);
	jobq_close(q);
}

/* Jobs in the database file itself, read without its write-ahead log:
 * the file is copied alone and opened read-only. */
static int
jobs_in_main_file(const char *path)
{
	char copy[300], cmd[1024];
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = -1;

	snprintf(copy, sizeof(copy), "%s.alone", path);
	snprintf(cmd, sizeof(cmd), "cp %s %s && rm -f %s-wal %s-shm", path, copy, copy, copy);
	if (system(cmd) != 0)
		return -1;
	if (sqlite3_open_v2(copy, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM jobs", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	unlink(copy);
	return n;
}

/* A burst of writes stays in the write-ahead log until it holds 1000
 * pages; jobq_checkpoint folds it back into the file. */
static void
test_checkpoint(void)
{
	char path[256];
	jobq *q = open_db("ckpt.db", 1);
	struct jobq_new n = {.type = "noop", .payload = "{}"};
	struct jobq_enqueued e;

	db_path(path, sizeof(path), "ckpt.db");
	sqlite3_exec(q->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	for (int i = 0; i < 40; i++)
		jobq_enqueue(q, &n, &e);
	ok(jobs_in_main_file(path) < 40, "after 40 enqueues the file alone lacks some (%d): they are in the log",
	    jobs_in_main_file(path));
	is_int(jobq_checkpoint(q), JOBQ_OK, "checkpoint");
	is_int(jobs_in_main_file(path), 40, "after a checkpoint the file alone holds all 40");
	jobq_close(q);
}

/* An in-memory database: no file of any kind appears in the folder. */
static void
test_memory(void)
{
	struct jobq_options o = {.path = ":memory:", .synchronous = JOBQ_SYNC_NORMAL};
	struct jobq_new n = {.type = "noop", .payload = "{}"};
	struct jobq_enqueued e;
	char cwd[512];
	jobq *q;

	if (getcwd(cwd, sizeof(cwd)) == NULL || chdir(dir) != 0) {
		ok(0, "chdir to the test folder");
		return;
	}
	ok(jobq_open(&o, &q) == JOBQ_OK && jobq_enqueue(q, &n, &e) == JOBQ_OK,
	    "an in-memory queue works");
	ok(jobq_wake_path(q) == NULL, "it has no wake file");
	jobq_close(q);
	ok(access(":memory:", F_OK) != 0 && access(":memory:-wake", F_OK) != 0,
	    "and leaves no file behind");
	if (chdir(cwd) != 0)
		diag("chdir back failed");
}

/* The SQL of a cached statement, planned: no full scan of jobs. */
static int
plan_ok(jobq *q, enum stmt_id id, const char *name)
{
	sqlite3_stmt *st = db_stmt(q, id), *ex;
	char sql[2048];
	int good = 1;

	snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", sqlite3_sql(st));
	if (sqlite3_prepare_v2(q->db, sql, -1, &ex, NULL) != SQLITE_OK)
		return 0;
	while (sqlite3_step(ex) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(ex, 3);
		printf("#   %s: %s\n", name, d);
		if (strncmp(d, "SCAN jobs", 9) == 0 && strstr(d, "USING INDEX") == NULL &&
		    strstr(d, "COVERING INDEX") == NULL)
			good = 0;
		if (strstr(d, "USE TEMP B-TREE FOR ORDER BY"))
			good = 0;
	}
	sqlite3_finalize(ex);
	return good;
}

static void
test_plans(void)
{
	jobq *q = open_fake("plans.db");

	ok(plan_ok(q, ST_CLAIM, "claim"), "claim uses an index, no sort");
	ok(plan_ok(q, ST_GET, "get"), "get by id uses an index");
	ok(plan_ok(q, ST_LIST_STATUS, "list by status"), "list by status uses an index, no sort");
	ok(plan_ok(q, ST_LIST_TYPE, "list by type"), "list by type uses an index, no sort");
	ok(plan_ok(q, ST_LIST_ALL, "list"), "list uses the primary key, no sort");
	ok(plan_ok(q, ST_LEASE_RENEW, "heartbeat"), "heartbeat uses an index");
	jobq_close(q);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_ordering();
	test_leases();
	test_retries();
	test_admin();
	test_list_and_stats();
	test_bad_input();
	test_json_text();
	test_migrations();
	test_faults();
	test_removed();
	test_checkpoint();
	test_memory();
	test_plans();
	test_concurrent_claims();
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (tap_failed == 0 && system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
