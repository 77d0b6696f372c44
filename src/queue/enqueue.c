/*
 * enqueue.c -- adding jobs: checks, idempotency keys, one transaction per
 * call (however many jobs it holds), then a wake-up for idle workers.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include "common/uuid.h"

#define IDEM_WINDOW_MS (24LL * 3600 * 1000)
#define KEY_MAX 255
#define PRIORITY_LIMIT 1000000

/* Checks one job before any write; returns JOBQ_OK or JOBQ_ERR_INVALID. */
static int
check_new(jobq *q, const struct jobq_new *n)
{
	if (!jobq_type_valid(n->type))
		return db_set_error(q, JOBQ_ERR_INVALID,
		    "type: expected 1-%d of [a-z0-9_]", JOBQ_TYPE_MAX);
	if (n->priority < -PRIORITY_LIMIT || n->priority > PRIORITY_LIMIT)
		return db_set_error(q, JOBQ_ERR_INVALID,
		    "priority: expected -%d..%d", PRIORITY_LIMIT, PRIORITY_LIMIT);
	if (n->max_attempts < 0 || n->max_attempts > 1000)
		return db_set_error(q, JOBQ_ERR_INVALID,
		    "max_attempts: expected 1..1000");
	if (n->run_at < 0)
		return db_set_error(q, JOBQ_ERR_INVALID, "run_at: negative");
	if (n->idempotency_key != NULL &&
	    (*n->idempotency_key == '\0' || strlen(n->idempotency_key) > KEY_MAX))
		return db_set_error(q, JOBQ_ERR_INVALID,
		    "idempotency key: expected 1-%d bytes", KEY_MAX);
	if (n->submitted_by != NULL && strlen(n->submitted_by) > KEY_MAX)
		return db_set_error(q, JOBQ_ERR_INVALID,
		    "submitted_by: longer than %d bytes", KEY_MAX);
	if (n->payload == NULL)
		return db_set_error(q, JOBQ_ERR_INVALID, "payload: missing");
	/* The payload must be exactly one JSON object, nothing after it: a
	 * scan, no parse (the responder has already parsed it once). */
	size_t len = strlen(n->payload), i = strspn(n->payload, " \t\r\n");
	if (i >= len || n->payload[i] != '{' || !json_text_valid(n->payload, len))
		return db_set_error(q, JOBQ_ERR_INVALID,
		    "payload: not a single JSON object");
	return JOBQ_OK;
}

/* Inside the caller's transaction.  Answers an idempotent replay with the
 * first job, else inserts. */
static int
insert_one(jobq *q, const struct jobq_new *n, int64_t now,
    struct jobq_enqueued *out)
{
	sqlite3_stmt *st;
	int rc;

	out->replayed = 0;
	if (n->idempotency_key != NULL) {
		if ((st = db_stmt(q, ST_IDEM_FIND)) == NULL)
			return JOBQ_ERR_INTERNAL;
		sqlite3_bind_text(st, 1, n->type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, n->idempotency_key, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			int64_t created = sqlite3_column_int64(st, 1);
			int64_t seq = sqlite3_column_int64(st, 2);

			if (created > now - IDEM_WINDOW_MS) {
				snprintf(out->id, sizeof(out->id), "%s",
				    (const char *)sqlite3_column_text(st, 0));
				out->replayed = 1;
				sqlite3_reset(st);
				return JOBQ_OK;
			}
			sqlite3_reset(st);
			/* The old key expired: free it for the new job. */
			if ((st = db_stmt(q, ST_IDEM_CLEAR)) == NULL)
				return JOBQ_ERR_INTERNAL;
			sqlite3_bind_int64(st, 1, seq);
			if (sqlite3_step(st) != SQLITE_DONE)
				return db_fail(q, "enqueue");
		} else if (rc != SQLITE_DONE) {
			return db_fail(q, "enqueue");
		}
	}
	if (uuid_v7(now, out->id) < 0)
		return db_set_error(q, JOBQ_ERR_INTERNAL, "enqueue: no random bytes");
	if ((st = db_stmt(q, ST_INSERT)) == NULL)
		return JOBQ_ERR_INTERNAL;
	sqlite3_bind_text(st, 1, out->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, n->type, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, n->priority);
	sqlite3_bind_text(st, 4, n->payload, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, n->max_attempts > 0 ? n->max_attempts :
	    q->opt.default_max_attempts);
	if (n->submitted_by)
		sqlite3_bind_text(st, 6, n->submitted_by, -1, SQLITE_STATIC);
	if (n->idempotency_key)
		sqlite3_bind_text(st, 7, n->idempotency_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, now);
	sqlite3_bind_int64(st, 9, n->run_at > 0 ? n->run_at : now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(q, "enqueue");
	return JOBQ_OK;
}

int
jobq_enqueue_many(jobq *q, const struct jobq_new *in, size_t n,
    struct jobq_enqueued *out)
{
	int64_t now = db_now(q);
	int err, inserted = 0;

	for (size_t i = 0; i < n; i++)
		if ((err = check_new(q, &in[i])) != JOBQ_OK)
			return err;
	if ((err = db_begin(q)) != JOBQ_OK)
		return err;
	for (size_t i = 0; i < n; i++) {
		if ((err = insert_one(q, &in[i], now, &out[i])) != JOBQ_OK) {
			db_rollback(q);
			return err;
		}
		inserted |= !out[i].replayed;
	}
	if ((err = db_commit(q)) != JOBQ_OK)
		return err;
	if (inserted)
		db_wake(q);
	return JOBQ_OK;
}

int
jobq_enqueue(jobq *q, const struct jobq_new *job, struct jobq_enqueued *out)
{
	return jobq_enqueue_many(q, job, 1, out);
}
