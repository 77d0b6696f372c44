/*
 * query.c -- reads: one job, a page of jobs (keyset cursor, newest first),
 * the stats object, and when the next queued job is due.
 */
#include "internal.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"

#define LIST_MAX 500
#define LIST_DEFAULT 50

int
jobq_get(jobq *q, const char *id, struct jobq_job *out)
{
	sqlite3_stmt *st = db_stmt(q, ST_GET);
	int rc, err;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return JOBQ_ERR_INTERNAL;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		err = job_from_row(st, out);
	else if (rc == SQLITE_DONE)
		err = db_set_error(q, JOBQ_ERR_NOTFOUND, "no job %s", id);
	else
		err = db_fail(q, "get");
	sqlite3_reset(st);
	return err;
}

/* The cursor is the last row's sequence number in decimal: opaque to
 * clients, checked strictly here. */
static int
parse_cursor(const char *c, int64_t *seq)
{
	char *end;

	if (c == NULL || *c == '\0') {
		*seq = INT64_MAX;
		return 0;
	}
	if (strlen(c) > 19 || *c < '1' || *c > '9')
		return -1;
	for (const char *p = c; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	errno = 0;
	long long v = strtoll(c, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return -1;
	*seq = v;
	return 0;
}

int
jobq_list(jobq *q, const struct jobq_filter *f, struct jobq_job **jobs,
    size_t *n, char next_cursor[JOBQ_CURSOR_SIZE])
{
	sqlite3_stmt *st;
	struct jobq_job *v;
	int64_t after, last = 0;
	int limit = f->limit ? f->limit : LIST_DEFAULT, rc, err = JOBQ_OK;
	size_t cnt = 0;
	enum stmt_id id;

	*jobs = NULL;
	*n = 0;
	/* Parse first: the caller may pass the previous page's next_cursor
	 * buffer as both the cursor and the place for the next one. */
	if (parse_cursor(f->cursor, &after) < 0)
		return db_set_error(q, JOBQ_ERR_INVALID, "cursor: malformed");
	next_cursor[0] = '\0';
	if (limit < 1 || limit > LIST_MAX)
		return db_set_error(q, JOBQ_ERR_INVALID, "limit: expected 1..%d", LIST_MAX);
	if (f->status >= JOBQ_NSTATUS || f->status < -1)
		return db_set_error(q, JOBQ_ERR_INVALID, "status: unknown");
	if (f->type != NULL && !jobq_type_valid(f->type))
		return db_set_error(q, JOBQ_ERR_INVALID, "type: malformed");
	id = f->status >= 0 ? (f->type ? ST_LIST_BOTH : ST_LIST_STATUS) :
	    (f->type ? ST_LIST_TYPE : ST_LIST_ALL);
	if ((st = db_stmt(q, id)) == NULL)
		return JOBQ_ERR_INTERNAL;
	if ((v = calloc((size_t)limit, sizeof(*v))) == NULL)
		return JOBQ_ERR_NOMEM;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, limit + 1);
	if (f->status >= 0)
		sqlite3_bind_text(st, 3, jobq_status_name(f->status), -1, SQLITE_STATIC);
	if (f->type)
		sqlite3_bind_text(st, 4, f->type, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == (size_t)limit) {
			/* One row more than asked: there is a next page. */
			snprintf(next_cursor, JOBQ_CURSOR_SIZE, "%lld", (long long)last);
			rc = SQLITE_DONE;
			break;
		}
		if ((err = job_from_row(st, &v[cnt])) != JOBQ_OK)
			break;
		last = sqlite3_column_int64(st, 21);
		cnt++;
	}
	if (err == JOBQ_OK && rc != SQLITE_DONE)
		err = db_fail(q, "list");
	sqlite3_reset(st);
	if (err != JOBQ_OK) {
		jobq_jobs_free(v, cnt);
		next_cursor[0] = '\0';
		return err;
	}
	*jobs = v;
	*n = cnt;
	return JOBQ_OK;
}

int
jobq_next_due(jobq *q, int64_t *due)
{
	sqlite3_stmt *st = db_stmt(q, ST_NEXT_DUE);
	int rc;

	*due = 0;
	if (st == NULL)
		return JOBQ_ERR_INTERNAL;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*due = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? JOBQ_OK : db_fail(q, "next due");
}

/* Runs sql and hands each row to fn; the read sees one snapshot because
 * the caller holds a read transaction. */
static int
each_row(jobq *q, const char *sql, int64_t arg,
    void (*fn)(sqlite3_stmt *, void *), void *ctx)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(q, "stats");
	sqlite3_bind_int64(st, 1, arg);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(st, ctx);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? JOBQ_OK : db_fail(q, "stats");
}

struct stats_ctx {
	json_object *counts, *by_type, *workers;
	int64_t total, oldest, now, alive_ms;
	int alive;
};

static void
row_count(sqlite3_stmt *st, void *arg)
{
	struct stats_ctx *c = arg;
	int64_t n = sqlite3_column_int64(st, 1);

	json_object_object_add(c->counts,
	    (const char *)sqlite3_column_text(st, 0), json_object_new_int64(n));
	c->total += n;
}

static void
row_type(sqlite3_stmt *st, void *arg)
{
	struct stats_ctx *c = arg;
	const char *type = (const char *)sqlite3_column_text(st, 0);
	json_object *t;

	if (!json_object_object_get_ex(c->by_type, type, &t)) {
		t = json_object_new_object();
		json_object_object_add(c->by_type, type, t);
	}
	json_object_object_add(t, (const char *)sqlite3_column_text(st, 1),
	    json_object_new_int64(sqlite3_column_int64(st, 2)));
}

static void
row_oldest(sqlite3_stmt *st, void *arg)
{
	struct stats_ctx *c = arg;

	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		c->oldest = sqlite3_column_int64(st, 0);
}

static void
row_worker(sqlite3_stmt *st, void *arg)
{
	struct stats_ctx *c = arg;
	json_object *w = json_object_new_object();
	char buf[CLOCK_RFC3339_SIZE];
	int64_t seen = sqlite3_column_int64(st, 4);

	json_object_object_add(w, "id",
	    json_object_new_string((const char *)sqlite3_column_text(st, 0)));
	json_object_object_add(w, "host",
	    json_object_new_string((const char *)sqlite3_column_text(st, 1)));
	json_object_object_add(w, "pid", json_object_new_int(sqlite3_column_int(st, 2)));
	json_object_object_add(w, "started_at", json_object_new_string(
	    clock_rfc3339(sqlite3_column_int64(st, 3), buf)));
	json_object_object_add(w, "last_seen",
	    json_object_new_string(clock_rfc3339(seen, buf)));
	json_object_object_add(w, "running",
	    json_object_new_int(sqlite3_column_int(st, 5)));
	json_object_object_add(w, "alive",
	    json_object_new_boolean(seen >= c->now - c->alive_ms));
	json_object_array_add(c->workers, w);
	c->alive += seen >= c->now - c->alive_ms;
}

int
jobq_stats(jobq *q, int64_t alive_ms, json_object **stats, int *alive)
{
	static const char *const names[] = {"queued", "running", "succeeded",
	    "failed", "canceled"};
	struct stats_ctx c = {0};
	int err;

	*stats = NULL;
	c.now = db_now(q);
	c.alive_ms = alive_ms;
	c.oldest = -1;
	c.counts = json_object_new_object();
	c.by_type = json_object_new_object();
	c.workers = json_object_new_array();
	if (c.counts == NULL || c.by_type == NULL || c.workers == NULL) {
		err = JOBQ_ERR_NOMEM;
		goto fail;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		json_object_object_add(c.counts, names[i], json_object_new_int(0));
	/* One snapshot for all four reads. */
	if ((err = db_exec(q, "BEGIN")) != JOBQ_OK)
		goto fail;
	/* XXX: the two GROUP BYs walk an index of every job; prune keeps the
	 * table to the retention window. */
	if ((err = each_row(q, "SELECT status, count(*) FROM jobs"
	    " GROUP BY status", 0, row_count, &c)) != JOBQ_OK ||
	    (err = each_row(q, "SELECT type, status, count(*) FROM jobs"
	    " GROUP BY type, status", 0, row_type, &c)) != JOBQ_OK ||
	    (err = each_row(q, "SELECT min(due_at) FROM jobs"
	    " WHERE status = 'queued' AND due_at <= ?1", c.now, row_oldest,
	    &c)) != JOBQ_OK ||
	    (err = each_row(q, "SELECT id, host, pid, started_at, last_seen,"
	    " running FROM workers ORDER BY id", 0, row_worker, &c)) != JOBQ_OK) {
		db_rollback(q);
		goto fail;
	}
	db_rollback(q);
	if ((*stats = json_object_new_object()) == NULL) {
		err = JOBQ_ERR_NOMEM;
		goto fail;
	}
	json_object_object_add(*stats, "counts", c.counts);
	json_object_object_add(*stats, "total", json_object_new_int64(c.total));
	json_object_object_add(*stats, "by_type", c.by_type);
	if (c.oldest < 0) {
		json_object_object_add(*stats, "oldest_queued_age_seconds", NULL);
	} else {
		/* Milliseconds as seconds, printed exactly ("0.028", not
		 * "0.028000000000000001"). */
		int64_t age = c.now - c.oldest;
		char text[32];
		snprintf(text, sizeof(text), "%lld.%03lld", (long long)(age / 1000),
		    (long long)(age % 1000));
		json_object_object_add(*stats, "oldest_queued_age_seconds",
		    json_object_new_double_s((double)age / 1000.0, text));
	}
	json_object_object_add(*stats, "workers", c.workers);
	if (alive)
		*alive = c.alive;
	return JOBQ_OK;
fail:
	json_object_put(c.counts);
	json_object_put(c.by_type);
	json_object_put(c.workers);
	return err;
}
