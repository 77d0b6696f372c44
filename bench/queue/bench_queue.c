/*
 * bench_queue.c -- claim + complete throughput of no-op jobs through
 * libjobq, side by side with a raw SQLite reference loop (one INSERT per
 * transaction to fill it; one UPDATE ... RETURNING claim and one UPDATE
 * complete per job), at synchronous=NORMAL and FULL, in one run.
 *
 *   bench/queue/bench_queue [JOBS_NORMAL [JOBS_FULL [BATCH]]]
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "jobq.h"

static char dir[] = "/tmp/jobq-bench-XXXXXX";
static const char payload[] = "{\"sku\":\"MUG-001\",\"title\":\"Stoneware mug\","
    "\"brand\":\"Acme\",\"features\":[\"11 oz\",\"dishwasher safe\"],"
    "\"description\":\"A sturdy mug for every morning coffee.\","
    "\"price\":\"12.99\",\"quantity\":10,\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxx\"}";

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_queue: %s: %s\n", what, msg);
	exit(1);
}

static void
exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		die(sql, err);
}

/* The reference: the obvious single-statement queue on raw SQLite. */
static double
raw_run(const char *sync, int n)
{
	char path[256], pragma[64];
	sqlite3 *db;
	sqlite3_stmt *ins, *claim, *done;

	snprintf(path, sizeof(path), "%s/raw-%s.db", dir, sync);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("open", sqlite3_errmsg(db));
	exec(db, "PRAGMA journal_mode = WAL");
	snprintf(pragma, sizeof(pragma), "PRAGMA synchronous = %s", sync);
	exec(db, pragma);
	exec(db, "CREATE TABLE jobs (id INTEGER PRIMARY KEY, type TEXT NOT NULL,"
	    " status TEXT NOT NULL, payload TEXT NOT NULL, worker TEXT,"
	    " attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,"
	    " started_at INTEGER, finished_at INTEGER);"
	    "CREATE INDEX jobs_status ON jobs (status, id);");
	sqlite3_prepare_v2(db, "INSERT INTO jobs (type, status, payload, created_at)"
	    " VALUES ('noop', 'queued', ?1, ?2)", -1, &ins, NULL);
	sqlite3_prepare_v2(db, "UPDATE jobs SET status = 'running', worker = 'w',"
	    " attempts = attempts + 1, started_at = ?1 WHERE id = (SELECT id FROM jobs"
	    " WHERE status = 'queued' ORDER BY id LIMIT 1) RETURNING id, payload",
	    -1, &claim, NULL);
	sqlite3_prepare_v2(db, "UPDATE jobs SET status = 'succeeded', finished_at = ?2"
	    " WHERE id = ?1", -1, &done, NULL);
	for (int i = 0; i < n; i++) {
		sqlite3_bind_text(ins, 1, payload, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, clock_ms());
		if (sqlite3_step(ins) != SQLITE_DONE)
			die("insert", sqlite3_errmsg(db));
		sqlite3_reset(ins);
	}
	int64_t t0 = clock_mono_ms();
	int got = 0;
	for (;;) {
		sqlite3_bind_int64(claim, 1, clock_ms());
		if (sqlite3_step(claim) != SQLITE_ROW) {
			sqlite3_reset(claim);
			break;
		}
		int64_t id = sqlite3_column_int64(claim, 0);
		sqlite3_step(claim);
		sqlite3_reset(claim);
		sqlite3_bind_int64(done, 1, id);
		sqlite3_bind_int64(done, 2, clock_ms());
		if (sqlite3_step(done) != SQLITE_DONE)
			die("complete", sqlite3_errmsg(db));
		sqlite3_reset(done);
		got++;
	}
	int64_t ms = clock_mono_ms() - t0;
	if (got != n)
		die("raw", "not every job was processed");
	sqlite3_finalize(ins);
	sqlite3_finalize(claim);
	sqlite3_finalize(done);
	sqlite3_close(db);
	return n * 1000.0 / (double)(ms ? ms : 1);
}

/* The library, as a worker uses it: batched claims and completions. */
static double
lib_run(enum jobq_sync sync, int n, int batch)
{
	struct jobq_options o = {0};
	char path[256];
	jobq *q;
	struct jobq_new *v = calloc((size_t)n, sizeof(*v));
	struct jobq_enqueued *e = calloc((size_t)n, sizeof(*e));
	struct jobq_finish *fin = calloc((size_t)batch, sizeof(*fin));

	snprintf(path, sizeof(path), "%s/lib-%d.db", dir, (int)sync);
	o.path = path;
	o.synchronous = sync;
	if (jobq_open(&o, &q) != JOBQ_OK)
		die("jobq_open", jobq_errmsg(q));
	for (int i = 0; i < n; i++)
		v[i] = (struct jobq_new){.type = "noop", .payload = payload};
	for (int i = 0; i < n; i += 1000)
		if (jobq_enqueue_many(q, v + i, (size_t)(n - i < 1000 ? n - i : 1000), e + i) != JOBQ_OK)
			die("enqueue", jobq_errmsg(q));
	int64_t t0 = clock_mono_ms();
	int got = 0;
	for (;;) {
		struct jobq_job *jobs;
		size_t cnt;
		if (jobq_claim(q, "bench:1", NULL, batch, 60000, &jobs, &cnt) != JOBQ_OK)
			die("claim", jobq_errmsg(q));
		if (cnt == 0)
			break;
		for (size_t i = 0; i < cnt; i++)
			fin[i] = (struct jobq_finish){.lease = {jobs[i].id, jobs[i].worker,
			    jobs[i].attempts}, .outcome = JOBQ_DONE, .text = "{}"};
		if (jobq_finish_many(q, fin, cnt) != JOBQ_OK)
			die("finish", jobq_errmsg(q));
		got += (int)cnt;
		jobq_jobs_free(jobs, cnt);
	}
	int64_t ms = clock_mono_ms() - t0;
	if (got != n)
		die("lib", "not every job was processed");
	jobq_close(q);
	free(v);
	free(e);
	free(fin);
	return n * 1000.0 / (double)(ms ? ms : 1);
}

int
main(int argc, char **argv)
{
	int n_normal = argc > 1 ? atoi(argv[1]) : 20000;
	int n_full = argc > 2 ? atoi(argv[2]) : 3000;
	int batch = argc > 3 ? atoi(argv[3]) : 32;
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		die("mkdtemp", "failed");
	printf("claim+complete of no-op jobs, jobs/s (batch %d), %s\n", batch, dir);
	printf("%-10s %8s %14s %14s %8s\n", "sync", "jobs", "raw sqlite", "libjobq", "ratio");
	double r = raw_run("NORMAL", n_normal), l = lib_run(JOBQ_SYNC_NORMAL, n_normal, batch);
	printf("%-10s %8d %14.0f %14.0f %7.2fx\n", "normal", n_normal, r, l, l / r);
	r = raw_run("FULL", n_full);
	l = lib_run(JOBQ_SYNC_FULL, n_full, batch);
	printf("%-10s %8d %14.0f %14.0f %7.2fx\n", "full", n_full, r, l, l / r);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}
