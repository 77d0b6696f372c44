/*
 * lease.c -- the worker's side of the queue: claiming due jobs under a
 * lease, heart-beating, progress, checkpoints and finishing (complete,
 * fail with backoff, hand back).  Every write after the claim names the
 * lease (job, worker, attempt), so a worker whose job was recovered and
 * given to another can no longer touch it.
 */
#include "internal.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* xorshift64*: jitter needs no cryptographic quality. */
static uint64_t
next_rand(jobq *q)
{
	q->rng ^= q->rng >> 12;
	q->rng ^= q->rng << 25;
	q->rng ^= q->rng >> 27;
	return q->rng * 2685821657736338717ULL;
}

int64_t
jobq_backoff_ms(const jobq *cq, int attempt)
{
	jobq *q = (jobq *)cq;   /* only the jitter state changes */
	int64_t d = q->opt.backoff_base_ms, max = q->opt.backoff_max_ms;

	for (int i = 1; i < attempt && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	/* +-20 %, never above the cap. */
	int64_t span = d * 2 / 5;
	if (span > 0)
		d = d - d / 5 + (int64_t)(next_rand(q) % (uint64_t)(span + 1));
	return d > max ? max : d;
}

static void
bind_lease(sqlite3_stmt *st, const struct jobq_lease *l)
{
	sqlite3_bind_text(st, 1, l->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, l->worker, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, l->attempt);
}

/* Claim order: priority desc, then due time, then FIFO. */
struct claim_key {
	int64_t priority, due, seq;
	size_t idx;
};

static int
cmp_claim(const void *a, const void *b)
{
	const struct claim_key *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Builds the JSON array of type names that the claim statement takes. */
static int
type_list(jobq *q, const char *const *types, char **out)
{
	size_t len = 3;
	char *p;

	*out = NULL;
	if (types == NULL)
		return JOBQ_OK;
	for (size_t i = 0; types[i]; i++) {
		if (!jobq_type_valid(types[i]))
			return db_set_error(q, JOBQ_ERR_INVALID, "claim: bad type name");
		len += strlen(types[i]) + 3;
	}
	if ((p = *out = malloc(len)) == NULL)
		return JOBQ_ERR_NOMEM;
	*p++ = '[';
	for (size_t i = 0; types[i]; i++)
		p += sprintf(p, "%s\"%s\"", i ? "," : "", types[i]);
	*p++ = ']';
	*p = '\0';
	return JOBQ_OK;
}

int
jobq_claim(jobq *q, const char *worker, const char *const *types, int max,
    int64_t lease_ms, struct jobq_job **jobs, size_t *n)
{
	sqlite3_stmt *st;
	struct jobq_job *v = NULL, *sorted = NULL;
	struct claim_key *keys = NULL;
	int64_t now = db_now(q);
	char *typelist = NULL;
	size_t cap = 0, cnt = 0;
	int rc, err;

	*jobs = NULL;
	*n = 0;
	if (worker == NULL || max < 1 || lease_ms < 1)
		return db_set_error(q, JOBQ_ERR_INVALID, "claim: bad arguments");
	if ((err = type_list(q, types, &typelist)) != JOBQ_OK)
		return err;
	if ((st = db_stmt(q, ST_CLAIM)) == NULL) {
		free(typelist);
		return JOBQ_ERR_INTERNAL;
	}
	sqlite3_bind_text(st, 1, worker, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, now + lease_ms);
	if (typelist)
		sqlite3_bind_text(st, 4, typelist, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct jobq_job *nv = realloc(v, ncap * sizeof(*v));
			if (nv)
				v = nv;
			struct claim_key *nk = realloc(keys, ncap * sizeof(*keys));
			if (nk)
				keys = nk;
			if (nv == NULL || nk == NULL) {
				err = JOBQ_ERR_NOMEM;
				break;
			}
			cap = ncap;
		}
		if ((err = job_from_row(st, &v[cnt])) != JOBQ_OK)
			break;
		keys[cnt] = (struct claim_key){v[cnt].priority,
		    sqlite3_column_int64(st, 22), sqlite3_column_int64(st, 21), cnt};
		cnt++;
	}
	if (err == JOBQ_OK && rc != SQLITE_DONE)
		err = db_fail(q, "claim");
	/* Resetting the statement is what ends (commits) the claim. */
	if (sqlite3_reset(st) != SQLITE_OK && err == JOBQ_OK)
		err = db_fail(q, "claim");
	free(typelist);
	/* XXX: out of memory after the UPDATE committed leaves the rows it
	 * claimed running until their lease expires; they are not lost. */
	if (err == JOBQ_OK && cnt > 0 && (sorted = malloc(cnt * sizeof(*sorted))) == NULL)
		err = JOBQ_ERR_NOMEM;
	if (err != JOBQ_OK) {
		jobq_jobs_free(v, cnt);
		free(keys);
		return err;
	}
	/* RETURNING gives rows in no set order; hand them out in claim order. */
	if (cnt > 0)
		qsort(keys, cnt, sizeof(*keys), cmp_claim);
	for (size_t i = 0; i < cnt; i++)
		sorted[i] = v[keys[i].idx];
	free(v);
	free(keys);
	*jobs = sorted;
	*n = cnt;
	return JOBQ_OK;
}

int
jobq_heartbeat(jobq *q, const struct jobq_worker *w, int64_t lease_ms,
    char ***cancel)
{
	sqlite3_stmt *st;
	int64_t now = db_now(q);
	char **ids = NULL;
	size_t cnt = 0;
	int err, rc;

	if (cancel)
		*cancel = NULL;
	if ((err = db_begin(q)) != JOBQ_OK)
		return err;
	if ((st = db_stmt(q, ST_WORKER_UPSERT)) == NULL)
		goto fail_internal;
	sqlite3_bind_text(st, 1, w->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, w->host, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, w->pid);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int(st, 5, w->running);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail_db;
	if ((st = db_stmt(q, ST_LEASE_RENEW)) == NULL)
		goto fail_internal;
	sqlite3_bind_text(st, 1, w->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now + lease_ms);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail_db;
	if (cancel != NULL) {
		if ((st = db_stmt(q, ST_CANCEL_IDS)) == NULL)
			goto fail_internal;
		sqlite3_bind_text(st, 1, w->id, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			char **nv = realloc(ids, (cnt + 2) * sizeof(*ids));
			if (nv == NULL)
				break;
			ids = nv;
			if ((ids[cnt] = strdup((const char *)sqlite3_column_text(st, 0))) == NULL)
				break;
			ids[++cnt] = NULL;
		}
		sqlite3_reset(st);
	}
	if ((err = db_commit(q)) != JOBQ_OK) {
		jobq_strv_free(ids);
		return err;
	}
	if (cancel)
		*cancel = ids;
	return JOBQ_OK;
fail_db:
	err = db_fail(q, "heartbeat");
	goto fail;
fail_internal:
	err = JOBQ_ERR_INTERNAL;
fail:
	jobq_strv_free(ids);
	db_rollback(q);
	return err;
}

int
jobq_progress(jobq *q, const struct jobq_lease *l, int percent,
    const char *message, int *cancel_requested)
{
	sqlite3_stmt *st = db_stmt(q, ST_PROGRESS);
	int rc, err = JOBQ_OK;

	if (st == NULL)
		return JOBQ_ERR_INTERNAL;
	if (percent < 0)
		percent = 0;
	if (percent > 100)
		percent = 100;
	bind_lease(st, l);
	sqlite3_bind_int(st, 4, percent);
	if (message)
		sqlite3_bind_text(st, 5, message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, db_now(q));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (cancel_requested)
			*cancel_requested = sqlite3_column_int(st, 0);
		rc = sqlite3_step(st);
	} else if (rc == SQLITE_DONE) {
		err = db_set_error(q, JOBQ_ERR_LOST, "progress: lease lost");
	}
	if (rc != SQLITE_DONE && err == JOBQ_OK)
		err = db_fail(q, "progress");
	sqlite3_reset(st);
	return err;
}

/* One item inside the caller's transaction.  Returns JOBQ_OK (item->rc
 * says whether the lease held) or a database error. */
static int
finish_one(jobq *q, struct jobq_finish *it, int64_t now, int *woke)
{
	sqlite3_stmt *st = db_stmt(q, ST_HELD);
	int64_t seq;
	int attempts, max, cancel, rc;

	if (st == NULL)
		return JOBQ_ERR_INTERNAL;
	bind_lease(st, &it->lease);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		it->rc = JOBQ_ERR_LOST;
		return JOBQ_OK;
	}
	if (rc != SQLITE_ROW)
		return db_fail(q, "finish");
	seq = sqlite3_column_int64(st, 0);
	attempts = sqlite3_column_int(st, 1);
	max = sqlite3_column_int(st, 2);
	cancel = sqlite3_column_int(st, 3);
	sqlite3_reset(st);

	if (it->outcome == JOBQ_DONE) {
		if ((st = db_stmt(q, ST_SUCCEED)) == NULL)
			return JOBQ_ERR_INTERNAL;
		sqlite3_bind_int64(st, 1, seq);
		if (it->text)
			sqlite3_bind_text(st, 2, it->text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now);
		if (it->message)
			sqlite3_bind_text(st, 4, it->message, -1, SQLITE_STATIC);
	} else if (!cancel && (it->outcome == JOBQ_HAND_BACK ||
	    (it->outcome == JOBQ_FAIL_TRANSIENT && attempts < max))) {
		int back = it->outcome == JOBQ_HAND_BACK;
		if ((st = db_stmt(q, ST_REQUEUE)) == NULL)
			return JOBQ_ERR_INTERNAL;
		sqlite3_bind_int64(st, 1, seq);
		sqlite3_bind_int(st, 2, back ? attempts - 1 : attempts);
		if (it->text && !back)
			sqlite3_bind_text(st, 3, it->text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, now);
		sqlite3_bind_int64(st, 5, back ? now : now + jobq_backoff_ms(q, attempts));
		if (it->message)
			sqlite3_bind_text(st, 6, it->message, -1, SQLITE_STATIC);
		*woke |= back;
	} else {
		if ((st = db_stmt(q, ST_END)) == NULL)
			return JOBQ_ERR_INTERNAL;
		sqlite3_bind_int64(st, 1, seq);
		sqlite3_bind_text(st, 2, cancel ? "canceled" : "failed", -1, SQLITE_STATIC);
		if (it->text && it->outcome != JOBQ_HAND_BACK)
			sqlite3_bind_text(st, 3, it->text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, now);
		if (it->message)
			sqlite3_bind_text(st, 5, it->message, -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(q, "finish");
	it->rc = JOBQ_OK;
	return JOBQ_OK;
}

int
jobq_finish_many(jobq *q, struct jobq_finish *items, size_t n)
{
	int64_t now = db_now(q);
	int err, woke = 0;

	if ((err = db_begin(q)) != JOBQ_OK)
		return err;
	for (size_t i = 0; i < n; i++) {
		if ((err = finish_one(q, &items[i], now, &woke)) != JOBQ_OK) {
			db_rollback(q);
			return err;
		}
	}
	if ((err = db_commit(q)) != JOBQ_OK)
		return err;
	if (woke)
		db_wake(q);
	return JOBQ_OK;
}

static int
finish_single(jobq *q, const struct jobq_lease *l, enum jobq_outcome o,
    const char *text)
{
	struct jobq_finish it = {.lease = *l, .outcome = o, .text = text};
	int err = jobq_finish_many(q, &it, 1);

	if (err == JOBQ_OK && it.rc != JOBQ_OK)
		err = db_set_error(q, it.rc, "finish: lease lost");
	return err;
}

int
jobq_complete(jobq *q, const struct jobq_lease *l, const char *result)
{
	return finish_single(q, l, JOBQ_DONE, result);
}

int
jobq_fail(jobq *q, const struct jobq_lease *l, const char *error, int permanent)
{
	return finish_single(q, l, permanent ? JOBQ_FAIL_PERMANENT :
	    JOBQ_FAIL_TRANSIENT, error);
}

int
jobq_hand_back(jobq *q, const struct jobq_lease *l)
{
	return finish_single(q, l, JOBQ_HAND_BACK, NULL);
}

int
jobq_checkpoint_put(jobq *q, const struct jobq_lease *l, const char *key,
    const char *value)
{
	sqlite3_stmt *st = db_stmt(q, ST_CKPT_PUT);
	int rc;

	if (st == NULL)
		return JOBQ_ERR_INTERNAL;
	if (key == NULL || value == NULL)
		return db_set_error(q, JOBQ_ERR_INVALID, "checkpoint: missing key or value");
	bind_lease(st, l);
	sqlite3_bind_text(st, 4, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, db_now(q));
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(q, "checkpoint");
	if (sqlite3_changes(q->db) == 0)
		return db_set_error(q, JOBQ_ERR_LOST, "checkpoint: lease lost");
	return JOBQ_OK;
}

int
jobq_checkpoint_get(jobq *q, const char *id, const char *key, char **value)
{
	sqlite3_stmt *st = db_stmt(q, ST_CKPT_GET);
	int rc, err = JOBQ_OK;

	*value = NULL;
	if (st == NULL)
		return JOBQ_ERR_INTERNAL;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if ((*value = strdup((const char *)sqlite3_column_text(st, 0))) == NULL)
			err = JOBQ_ERR_NOMEM;
	} else if (rc == SQLITE_DONE) {
		err = db_set_error(q, JOBQ_ERR_NOTFOUND, "checkpoint: no such key");
	} else {
		err = db_fail(q, "checkpoint");
	}
	sqlite3_reset(st);
	return err;
}
