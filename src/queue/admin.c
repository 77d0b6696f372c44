/*
 * admin.c -- operators' and supervisors' writes: cancel, retry, prune,
 * recovery of jobs whose worker died or stopped heart-beating, and the
 * workers table.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRUNE_BATCH 1000

/* Reads the job back after a change, when the caller wants it. */
static int
reread(jobq *q, const char *id, struct jobq_job *out)
{
	return out ? jobq_get(q, id, out) : JOBQ_OK;
}

/* Runs an UPDATE/DELETE with the given text and int64 parameters. */
static int
exec_bound(jobq *q, const char *sql, const char *what, const char *text,
    int64_t a, int64_t b)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(q, what);
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, a);
	sqlite3_bind_int64(st, 3, b);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? JOBQ_OK : db_fail(q, what);
}

/* Reads a job's status inside a transaction: *status is -1 if absent. */
static int
status_of(jobq *q, const char *id, int *status)
{
	sqlite3_stmt *st = db_stmt(q, ST_STATUS_OF);
	int rc, err = JOBQ_OK;

	if (st == NULL)
		return JOBQ_ERR_INTERNAL;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*status = jobq_status_parse((const char *)sqlite3_column_text(st, 1));
	else if (rc == SQLITE_DONE)
		*status = -1;
	else
		err = db_fail(q, "read job");
	sqlite3_reset(st);
	if (err == JOBQ_OK && *status == -1)
		err = db_set_error(q, JOBQ_ERR_NOTFOUND, "no job %s", id);
	return err;
}

int
jobq_cancel(jobq *q, const char *id, struct jobq_job *out)
{
	int err, s = -1;

	if ((err = db_begin(q)) != JOBQ_OK)
		return err;
	if ((err = status_of(q, id, &s)) != JOBQ_OK) {
		/* err says why */
	} else if (s == JOBQ_QUEUED) {
		err = exec_bound(q, "UPDATE jobs SET status = 'canceled',"
		    " finished_at = ?2, updated_at = ?2, next_attempt_at = NULL"
		    " WHERE id = ?1", "cancel", id, db_now(q), 0);
	} else if (s == JOBQ_RUNNING) {
		err = exec_bound(q, "UPDATE jobs SET cancel_requested = 1,"
		    " updated_at = ?2 WHERE id = ?1", "cancel", id, db_now(q), 0);
	} else {
		err = db_set_error(q, JOBQ_ERR_CONFLICT, "job %s is already %s",
		    id, jobq_status_name(s));
	}
	if (err != JOBQ_OK) {
		db_rollback(q);
		return err;
	}
	if ((err = db_commit(q)) != JOBQ_OK)
		return err;
	/* A running job's worker learns of the cancel at once. */
	if (s == JOBQ_RUNNING)
		db_wake(q);
	return reread(q, id, out);
}

int
jobq_retry(jobq *q, const char *id, struct jobq_job *out)
{
	int err, s = -1;

	if ((err = db_begin(q)) != JOBQ_OK)
		return err;
	if ((err = status_of(q, id, &s)) != JOBQ_OK) {
		/* err says why */
	} else if (s == JOBQ_FAILED || s == JOBQ_CANCELED) {
		/* Checkpoints stay: finished steps are not redone. */
		err = exec_bound(q, "UPDATE jobs SET status = 'queued',"
		    " attempts = 0, error = NULL, result = NULL, progress = 0,"
		    " progress_message = NULL, cancel_requested = 0,"
		    " finished_at = NULL, next_attempt_at = NULL, lease_until = NULL,"
		    " due_at = ?2, updated_at = ?2 WHERE id = ?1", "retry", id,
		    db_now(q), 0);
	} else {
		err = db_set_error(q, JOBQ_ERR_CONFLICT,
		    "job %s is %s; only failed or canceled jobs can be retried",
		    id, jobq_status_name(s));
	}
	if (err != JOBQ_OK) {
		db_rollback(q);
		return err;
	}
	if ((err = db_commit(q)) != JOBQ_OK)
		return err;
	db_wake(q);
	return reread(q, id, out);
}

int
jobq_prune(jobq *q, int64_t older_than_ms, int *deleted)
{
	int64_t cutoff = db_now(q) - older_than_ms;
	int err, changes;

	*deleted = 0;
	if (older_than_ms < 0)
		return db_set_error(q, JOBQ_ERR_INVALID, "prune: negative age");
	/* Small batches keep each write lock short. */
	do {
		if ((err = db_begin(q)) != JOBQ_OK)
			return err;
		err = exec_bound(q, "DELETE FROM jobs WHERE seq IN (SELECT seq"
		    " FROM jobs WHERE status IN ('succeeded', 'failed', 'canceled')"
		    " AND finished_at < ?2 LIMIT ?3)", "prune", NULL, cutoff,
		    PRUNE_BATCH);
		changes = sqlite3_changes(q->db);
		if (err != JOBQ_OK) {
			db_rollback(q);
			return err;
		}
		if ((err = db_commit(q)) != JOBQ_OK)
			return err;
		*deleted += changes;
	} while (changes == PRUNE_BATCH);
	return JOBQ_OK;
}

/* Requeues (or fails, when out of budget; or cancels, when asked) every
 * running job the selection names.  sel binds ?1 text and ?2 now. */
static int
recover(jobq *q, const char *sel, const char *text, const char *why,
    int *recovered)
{
	sqlite3_stmt *st;
	struct { int64_t seq; int attempts, max, cancel; } *v = NULL;
	size_t cnt = 0;
	int64_t now = db_now(q);
	int err, rc;

	*recovered = 0;
	if ((err = db_begin(q)) != JOBQ_OK)
		return err;
	if (sqlite3_prepare_v2(q->db, sel, -1, &st, NULL) != SQLITE_OK) {
		err = db_fail(q, "recover");
		goto out;
	}
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		void *nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (nv == NULL) {
			err = JOBQ_ERR_NOMEM;
			break;
		}
		v = nv;
		v[cnt].seq = sqlite3_column_int64(st, 0);
		v[cnt].attempts = sqlite3_column_int(st, 1);
		v[cnt].max = sqlite3_column_int(st, 2);
		v[cnt].cancel = sqlite3_column_int(st, 3);
		cnt++;
	}
	if (err == JOBQ_OK && rc != SQLITE_DONE)
		err = db_fail(q, "recover");
	sqlite3_finalize(st);
	for (size_t i = 0; i < cnt && err == JOBQ_OK; i++) {
		char error[256];
		snprintf(error, sizeof(error),
		    "{\"code\":\"worker_lost\",\"message\":\"%s during attempt %d of %d\"}",
		    why, v[i].attempts, v[i].max);
		if (!v[i].cancel && v[i].attempts < v[i].max) {
			st = db_stmt(q, ST_REQUEUE);
			if (st == NULL) {
				err = JOBQ_ERR_INTERNAL;
				break;
			}
			sqlite3_bind_int64(st, 1, v[i].seq);
			sqlite3_bind_int(st, 2, v[i].attempts);
			sqlite3_bind_text(st, 3, error, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(st, 4, now);
			sqlite3_bind_int64(st, 5, now);
		} else {
			if ((st = db_stmt(q, ST_END)) == NULL) {
				err = JOBQ_ERR_INTERNAL;
				break;
			}
			sqlite3_bind_int64(st, 1, v[i].seq);
			sqlite3_bind_text(st, 2, v[i].cancel ? "canceled" : "failed", -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(st, 3, error, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(st, 4, now);
		}
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			err = db_fail(q, "recover");
	}
out:
	free(v);
	if (err != JOBQ_OK) {
		db_rollback(q);
		return err;
	}
	if ((err = db_commit(q)) != JOBQ_OK)
		return err;
	*recovered = (int)cnt;
	if (cnt > 0)
		db_wake(q);
	return JOBQ_OK;
}

int
jobq_recover_expired(jobq *q, int *recovered)
{
	return recover(q, "SELECT seq, attempts, max_attempts, cancel_requested"
	    " FROM jobs WHERE status = 'running' AND lease_until < ?2",
	    NULL, "lease expired (worker stopped heart-beating)", recovered);
}

int
jobq_recover_worker(jobq *q, const char *worker, int *recovered)
{
	int err = recover(q, "SELECT seq, attempts, max_attempts,"
	    " cancel_requested FROM jobs WHERE status = 'running'"
	    " AND worker = ?1 AND ?2 IS NOT NULL", worker,
	    "worker process died", recovered);

	if (err == JOBQ_OK)
		err = jobq_worker_unregister(q, worker);
	return err;
}

int
jobq_worker_register(jobq *q, const struct jobq_worker *w)
{
	return jobq_heartbeat(q, w, 1, NULL);
}

int
jobq_worker_unregister(jobq *q, const char *id)
{
	return exec_bound(q, "DELETE FROM workers WHERE id = ?1", "unregister",
	    id, 0, 0);
}

int
jobq_workers_on_host(jobq *q, const char *host, struct jobq_worker **ws,
    size_t *n)
{
	sqlite3_stmt *st;
	struct jobq_worker *v = NULL;
	size_t cnt = 0;
	int rc, err = JOBQ_OK;

	*ws = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(q->db, "SELECT id, host, pid, running FROM workers"
	    " WHERE host = ?1", -1, &st, NULL) != SQLITE_OK)
		return db_fail(q, "workers");
	sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct jobq_worker *nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (nv == NULL) {
			err = JOBQ_ERR_NOMEM;
			break;
		}
		v = nv;
		v[cnt].id = strdup((const char *)sqlite3_column_text(st, 0));
		v[cnt].host = strdup((const char *)sqlite3_column_text(st, 1));
		v[cnt].pid = sqlite3_column_int(st, 2);
		v[cnt].running = sqlite3_column_int(st, 3);
		cnt++;
		if (v[cnt - 1].id == NULL || v[cnt - 1].host == NULL) {
			err = JOBQ_ERR_NOMEM;
			break;
		}
	}
	if (err == JOBQ_OK && rc != SQLITE_DONE)
		err = db_fail(q, "workers");
	sqlite3_finalize(st);
	if (err != JOBQ_OK) {
		jobq_workers_free(v, cnt);
		return err;
	}
	*ws = v;
	*n = cnt;
	return JOBQ_OK;
}

void
jobq_workers_free(struct jobq_worker *ws, size_t n)
{
	if (ws == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free((char *)ws[i].id);
		free((char *)ws[i].host);
	}
	free(ws);
}
