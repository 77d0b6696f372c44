/*
 * internal.h -- what the files of the queue library share: the handle, the
 * cached statements, transactions and error mapping.  Nothing outside
 * src/queue/ includes this.
 */
#ifndef JOBQ_INTERNAL_H
#define JOBQ_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

#include "jobq.h"

/* Columns read into a struct jobq_job, in job_from_row()'s order. */
#define JOB_COLS "id,type,status,priority,progress,progress_message," \
	"attempts,max_attempts,payload,result,error,submitted_by,worker," \
	"created_at,run_at,started_at,finished_at,updated_at," \
	"next_attempt_at,lease_until,cancel_requested"

enum stmt_id {
	ST_IDEM_FIND, ST_IDEM_CLEAR, ST_INSERT,
	ST_CLAIM, ST_WORKER_UPSERT, ST_LEASE_RENEW, ST_CANCEL_IDS,
	ST_PROGRESS, ST_HELD, ST_SUCCEED, ST_REQUEUE, ST_END,
	ST_CKPT_PUT, ST_CKPT_GET,
	ST_GET, ST_STATUS_OF,
	ST_LIST_ALL, ST_LIST_STATUS, ST_LIST_TYPE, ST_LIST_BOTH,
	ST_NEXT_DUE,
	ST_COUNT
};

struct jobq {
	sqlite3 *db;
	char *path;
	char *wake_path;
	struct jobq_options opt;
	sqlite3_stmt *stmt[ST_COUNT];
	uint64_t rng;
	char errmsg[512];
};

/* Returns the cached statement, reset and unbound, or NULL (errmsg set). */
sqlite3_stmt *db_stmt(jobq *q, enum stmt_id id);
/* Maps the connection's last SQLite error to a jobq error, recording a
 * message prefixed with what; returns the error. */
int db_fail(jobq *q, const char *what);
int db_set_error(jobq *q, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* BEGIN IMMEDIATE: takes the write lock now, waiting up to the busy
 * timeout, so the transaction never fails half-way on a lock upgrade. */
int db_begin(jobq *q);
int db_commit(jobq *q);
void db_rollback(jobq *q);
int db_exec(jobq *q, const char *sql);
/* Tells idle workers that work may be due (touches the wake file). */
void db_wake(jobq *q);

int schema_migrate(jobq *q);
/* Reads the schema version into *version; JOBQ_ERR_SCHEMA if it is newer
 * than this build. */
int schema_version_ok(jobq *q, int *version);

/* Fills j from the current row of a statement selecting JOB_COLS first.
 * Returns JOBQ_OK or JOBQ_ERR_NOMEM. */
int job_from_row(sqlite3_stmt *st, struct jobq_job *j);
int64_t db_now(const jobq *q);
/* 1 if s[0..len) is exactly one well-formed JSON text (RFC 8259, nested
 * at most JSON_TEXT_DEPTH deep), so it may be copied into an answer as it
 * is. */
#define JSON_TEXT_DEPTH 256
int json_text_valid(const char *s, size_t len);

#endif
