/*
 * db.c -- opening the database, the statement cache, transactions, error
 * mapping and the wake file.
 */
#include "internal.h"

#include <pthread.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"

static const char *const stmt_sql[ST_COUNT] = {
	[ST_IDEM_FIND] = "SELECT id, created_at, seq FROM jobs"
	    " WHERE type = ?1 AND idempotency_key = ?2",
	[ST_IDEM_CLEAR] = "UPDATE jobs SET idempotency_key = NULL WHERE seq = ?1",
	[ST_INSERT] = "INSERT INTO jobs (id, type, status, priority, payload,"
	    " max_attempts, submitted_by, idempotency_key, created_at, run_at,"
	    " due_at, updated_at) VALUES (?1, ?2, 'queued', ?3, ?4, ?5, ?6, ?7,"
	    " ?8, ?9, ?9, ?8)",
	[ST_CLAIM] = "UPDATE jobs SET status = 'running', worker = ?1,"
	    " attempts = attempts + 1, started_at = ?2, updated_at = ?2,"
	    " lease_until = ?3, next_attempt_at = NULL, progress = 0,"
	    " progress_message = NULL"
	    " WHERE seq IN (SELECT seq FROM jobs WHERE status = 'queued'"
	    " AND due_at <= ?2 AND (?4 IS NULL OR type IN"
	    " (SELECT value FROM json_each(?4)))"
	    " ORDER BY priority DESC, due_at, seq LIMIT ?5)"
	    " RETURNING " JOB_COLS ", seq, due_at",
	[ST_WORKER_UPSERT] = "INSERT INTO workers (id, host, pid, started_at,"
	    " last_seen, running) VALUES (?1, ?2, ?3, ?4, ?4, ?5)"
	    " ON CONFLICT (id) DO UPDATE SET last_seen = ?4, running = ?5",
	[ST_LEASE_RENEW] = "UPDATE jobs SET lease_until = ?2"
	    " WHERE status = 'running' AND worker = ?1",
	[ST_CANCEL_IDS] = "SELECT id FROM jobs WHERE status = 'running'"
	    " AND worker = ?1 AND cancel_requested = 1",
	[ST_PROGRESS] = "UPDATE jobs SET progress = ?4, progress_message = ?5,"
	    " updated_at = ?6 WHERE id = ?1 AND worker = ?2 AND attempts = ?3"
	    " AND status = 'running' RETURNING cancel_requested",
	[ST_HELD] = "SELECT seq, attempts, max_attempts, cancel_requested"
	    " FROM jobs WHERE id = ?1 AND worker = ?2 AND attempts = ?3"
	    " AND status = 'running'",
	[ST_SUCCEED] = "UPDATE jobs SET status = 'succeeded', result = ?2,"
	    " progress = 100, finished_at = ?3, updated_at = ?3,"
	    " progress_message = coalesce(?4, progress_message),"
	    " lease_until = NULL WHERE seq = ?1",
	/* ?2: attempts after the change; ?3: error; ?4: now; ?5: due time. */
	[ST_REQUEUE] = "UPDATE jobs SET status = 'queued', attempts = ?2,"
	    " error = coalesce(?3, error), updated_at = ?4, due_at = ?5,"
	    " next_attempt_at = CASE WHEN ?5 > ?4 THEN ?5 END,"
	    " progress_message = coalesce(?6, progress_message),"
	    " lease_until = NULL WHERE seq = ?1",
	/* ?2: 'failed' or 'canceled'. */
	[ST_END] = "UPDATE jobs SET status = ?2, error = coalesce(?3, error),"
	    " finished_at = ?4, updated_at = ?4, lease_until = NULL,"
	    " progress_message = coalesce(?5, progress_message),"
	    " next_attempt_at = NULL WHERE seq = ?1",
	[ST_CKPT_PUT] = "INSERT INTO job_checkpoints (job_id, key, value,"
	    " created_at) SELECT ?1, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM jobs"
	    " WHERE id = ?1 AND worker = ?2 AND attempts = ?3"
	    " AND status = 'running')"
	    " ON CONFLICT (job_id, key) DO UPDATE SET value = excluded.value,"
	    " created_at = excluded.created_at",
	[ST_CKPT_GET] = "SELECT value FROM job_checkpoints"
	    " WHERE job_id = ?1 AND key = ?2",
	[ST_GET] = "SELECT " JOB_COLS " FROM jobs WHERE id = ?1",
	[ST_STATUS_OF] = "SELECT seq, status FROM jobs WHERE id = ?1",
	[ST_LIST_ALL] = "SELECT " JOB_COLS ", seq FROM jobs WHERE seq < ?1"
	    " ORDER BY seq DESC LIMIT ?2",
	[ST_LIST_STATUS] = "SELECT " JOB_COLS ", seq FROM jobs"
	    " WHERE status = ?3 AND seq < ?1 ORDER BY seq DESC LIMIT ?2",
	[ST_LIST_TYPE] = "SELECT " JOB_COLS ", seq FROM jobs"
	    " WHERE type = ?4 AND seq < ?1 ORDER BY seq DESC LIMIT ?2",
	[ST_LIST_BOTH] = "SELECT " JOB_COLS ", seq FROM jobs"
	    " WHERE type = ?4 AND status = ?3 AND seq < ?1"
	    " ORDER BY seq DESC LIMIT ?2",
	[ST_NEXT_DUE] = "SELECT min(due_at) FROM jobs WHERE status = 'queued'",
};

static const char *const err_names[] = {
	[JOBQ_OK] = "ok",
	[JOBQ_ERR_NOMEM] = "out of memory",
	[JOBQ_ERR_INVALID] = "invalid argument",
	[JOBQ_ERR_NOTFOUND] = "not found",
	[JOBQ_ERR_CONFLICT] = "conflict with the job's state",
	[JOBQ_ERR_LOST] = "lease lost",
	[JOBQ_ERR_BUSY] = "database is locked",
	[JOBQ_ERR_FULL] = "disk full",
	[JOBQ_ERR_CORRUPT] = "database is damaged or not a jobq database",
	[JOBQ_ERR_SCHEMA] = "database schema is newer than this build",
	[JOBQ_ERR_IO] = "database I/O error",
	[JOBQ_ERR_INTERNAL] = "internal error",
};

const char *
jobq_strerror(int err)
{
	if (err < 0 || err > JOBQ_ERR_INTERNAL)
		return "unknown error";
	return err_names[err];
}

const char *
jobq_errmsg(const jobq *q)
{
	return q == NULL ? "no handle" : q->errmsg;
}

int
db_set_error(jobq *q, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->errmsg, sizeof(q->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

static int
map_sqlite(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return JOBQ_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return JOBQ_ERR_BUSY;
	case SQLITE_FULL:
		return JOBQ_ERR_FULL;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return JOBQ_ERR_CORRUPT;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return JOBQ_ERR_IO;
	case SQLITE_NOMEM:
		return JOBQ_ERR_NOMEM;
	default:
		return JOBQ_ERR_INTERNAL;
	}
}

int
db_fail(jobq *q, const char *what)
{
	int rc = sqlite3_extended_errcode(q->db);
	int err = map_sqlite(rc);

	if (err == JOBQ_OK)
		err = JOBQ_ERR_INTERNAL;
	return db_set_error(q, err, "%s: %s", what, sqlite3_errmsg(q->db));
}

sqlite3_stmt *
db_stmt(jobq *q, enum stmt_id id)
{
	sqlite3_stmt *st = q->stmt[id];

	if (q->db == NULL) {
		db_set_error(q, JOBQ_ERR_IO, "%s is not open", q->path);
		return NULL;
	}
	if (st != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	if (sqlite3_prepare_v3(q->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL) != SQLITE_OK) {
		db_fail(q, "prepare");
		return NULL;
	}
	q->stmt[id] = st;
	return st;
}

/* Runs sql; on failure the message starts with what (or the SQL). */
static int
exec_as(jobq *q, const char *sql, const char *what)
{
	if (q->db == NULL)
		return db_set_error(q, JOBQ_ERR_IO, "%s is not open", q->path);
	if (sqlite3_exec(q->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(q, what ? what : sql);
	return JOBQ_OK;
}

int
db_exec(jobq *q, const char *sql)
{
	return exec_as(q, sql, NULL);
}

int
db_begin(jobq *q)
{
	return db_exec(q, "BEGIN IMMEDIATE");
}

int
db_commit(jobq *q)
{
	int err = db_exec(q, "COMMIT");

	if (err != JOBQ_OK)
		db_rollback(q);
	return err;
}

void
db_rollback(jobq *q)
{
	if (!sqlite3_get_autocommit(q->db))
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
}

int64_t
db_now(const jobq *q)
{
	return q->opt.clock ? q->opt.clock(q->opt.clock_arg) : clock_ms();
}

int64_t
jobq_now(const jobq *q)
{
	return db_now(q);
}

const char *
jobq_wake_path(const jobq *q)
{
	return q->wake_path;
}

void
db_wake(jobq *q)
{
	if (q->wake_path == NULL)
		return;
	if (utimensat(AT_FDCWD, q->wake_path, NULL, 0) == 0 || errno != ENOENT)
		return;
	int fd = open(q->wake_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0660);
	if (fd >= 0) {
		if (fchmod(fd, 0660) < 0) {
			/* Other users then rely on the polling fallback. */
		}
		close(fd);
	}
}

/* Creates the database file 0660 before SQLite does (SQLite gives the WAL
 * and shm files the database file's mode), so a responder and a worker
 * running as different users in one group can share it. */
static void
precreate(const char *path)
{
	int fd;

	/* ":memory:" and "file:" URIs are SQLite's business, not files. */
	if (path[0] == ':' || strncmp(path, "file:", 5) == 0)
		return;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0660);

	if (fd < 0)
		return;
	if (fchmod(fd, 0660) < 0) {
		/* The umask's mode stays; SQLite works either way. */
	}
	close(fd);
}

/* Process-wide SQLite settings, before SQLite initializes itself.  Memory
 * statistics off: with them every allocation of every connection takes
 * one global mutex, which the responder's request threads (one connection
 * each) would all contend for.  Nothing here reads the statistics. */
static void
sqlite_setup(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* Opens q->db on q->path and prepares it: pragmas, then (unless
 * read-only) WAL and migrations.  create 0 refuses a missing file. */
static int
connect_db(jobq *q, int create)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	char pragmas[256];
	int err, flags;

	pthread_once(&once, sqlite_setup);
	flags = SQLITE_OPEN_NOMUTEX | (q->opt.readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0));
	if (!q->opt.readonly && create)
		precreate(q->path);
	if (sqlite3_open_v2(q->path, &q->db, flags, NULL) != SQLITE_OK) {
		err = q->db ? db_fail(q, q->path) :
		    db_set_error(q, JOBQ_ERR_NOMEM, "open: out of memory");
		if (err == JOBQ_ERR_INTERNAL)
			err = JOBQ_ERR_IO;
		return err;
	}
	sqlite3_extended_result_codes(q->db, 1);
	sqlite3_busy_timeout(q->db, q->opt.busy_timeout_ms);
	/* journal_size_limit keeps the WAL from staying huge after a burst. */
	snprintf(pragmas, sizeof(pragmas),
	    "PRAGMA foreign_keys = ON; PRAGMA synchronous = %s;"
	    " PRAGMA journal_size_limit = 67108864;",
	    q->opt.synchronous == JOBQ_SYNC_NORMAL ? "NORMAL" : "FULL");
	if ((err = exec_as(q, pragmas, q->path)) != JOBQ_OK)
		return err;
	if (!q->opt.readonly) {
		if ((err = exec_as(q, "PRAGMA journal_mode = WAL", q->path)) != JOBQ_OK)
			return err;
		if ((err = schema_migrate(q)) != JOBQ_OK)
			return err;
		if (q->wake_path != NULL && access(q->wake_path, F_OK) != 0)
			db_wake(q);
	} else {
		int v;
		if ((err = schema_version_ok(q, &v)) != JOBQ_OK)
			return err;
	}
	return JOBQ_OK;
}

static void
disconnect_db(jobq *q)
{
	for (int i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(q->stmt[i]);
		q->stmt[i] = NULL;
	}
	sqlite3_close(q->db);
	q->db = NULL;
}

int
jobq_open(const struct jobq_options *opt, jobq **out)
{
	jobq *q;

	*out = NULL;
	if (opt == NULL || opt->path == NULL || *opt->path == '\0')
		return JOBQ_ERR_INVALID;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return JOBQ_ERR_NOMEM;
	q->opt = *opt;
	if (q->opt.busy_timeout_ms <= 0)
		q->opt.busy_timeout_ms = 5000;
	if (q->opt.default_max_attempts <= 0)
		q->opt.default_max_attempts = 3;
	if (q->opt.backoff_base_ms <= 0)
		q->opt.backoff_base_ms = 2000;
	if (q->opt.backoff_max_ms <= 0)
		q->opt.backoff_max_ms = 600000;
	if (q->opt.target_version <= 0 || q->opt.target_version > JOBQ_SCHEMA_VERSION)
		q->opt.target_version = JOBQ_SCHEMA_VERSION;
	q->rng = (uint64_t)clock_ms() ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)q;
	q->path = strdup(opt->path);
	size_t n = strlen(opt->path) + sizeof("-wake");
	q->wake_path = malloc(n);
	if (q->path == NULL || q->wake_path == NULL) {
		jobq_close(q);
		return JOBQ_ERR_NOMEM;
	}
	snprintf(q->wake_path, n, "%s-wake", opt->path);
	q->opt.path = q->path;
	/* An in-memory or URI database has no folder for a wake file. */
	if (opt->path[0] == ':' || strncmp(opt->path, "file:", 5) == 0) {
		free(q->wake_path);
		q->wake_path = NULL;
	}
	*out = q;
	return connect_db(q, 1);
}

static int
moved(jobq *q)
{
	int m = 0;

	return sqlite3_file_control(q->db, "main", SQLITE_FCNTL_HAS_MOVED, &m) ==
	    SQLITE_OK && m;
}

int
jobq_refresh(jobq *q)
{
	if (q->db == NULL || !moved(q))
		return JOBQ_OK;
	return jobq_reopen(q);
}

int
jobq_checkpoint(jobq *q)
{
	int rc;

	if (q->db == NULL)
		return db_set_error(q, JOBQ_ERR_IO, "%s is not open", q->path);
	if (q->opt.readonly)
		return JOBQ_OK;
	rc = sqlite3_wal_checkpoint_v2(q->db, "main", SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);
	if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return JOBQ_OK;
	return db_fail(q, "checkpoint");
}

int
jobq_ping(jobq *q)
{
	sqlite3_stmt *st;
	int rc;

	if (q->db == NULL)
		return db_set_error(q, JOBQ_ERR_IO, "%s is not open", q->path);
	/* A file removed or replaced under us would take writes into the
	 * void: SQLite can tell. */
	if (moved(q))
		return db_set_error(q, JOBQ_ERR_IO,
		    "%s was removed or replaced while open", q->path);
	if (sqlite3_prepare_v2(q->db, "SELECT count(*) FROM"
	    " (SELECT 1 FROM jobs LIMIT 1)", -1, &st, NULL) != SQLITE_OK)
		return db_fail(q, "ping");
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? JOBQ_OK : db_fail(q, "ping");
}

int
jobq_reopen(jobq *q)
{
	sqlite3 *old = q->db;
	sqlite3_stmt *old_stmt[ST_COUNT];
	char saved[sizeof(q->errmsg)];
	int err;

	/* The old connection stays until a new one works, so the handle is
	 * never left without one. */
	memcpy(old_stmt, q->stmt, sizeof(old_stmt));
	memset(q->stmt, 0, sizeof(q->stmt));
	q->db = NULL;
	/* Never create: a missing file is for the operator to restore. */
	if ((err = connect_db(q, 0)) != JOBQ_OK) {
		memcpy(saved, q->errmsg, sizeof(saved));
		disconnect_db(q);
		q->db = old;
		memcpy(q->stmt, old_stmt, sizeof(old_stmt));
		memcpy(q->errmsg, saved, sizeof(saved));
		return err;
	}
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(old_stmt[i]);
	sqlite3_close(old);
	return JOBQ_OK;
}

void
jobq_close(jobq *q)
{
	if (q == NULL)
		return;
	disconnect_db(q);
	free(q->path);
	free(q->wake_path);
	free(q);
}

int
jobq_schema_version(jobq *q)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(q->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
jobq_check(jobq *q)
{
	sqlite3_stmt *st;
	int err = JOBQ_OK, rc;

	if (sqlite3_prepare_v2(q->db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
		return db_fail(q, "integrity check");
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		err = db_fail(q, "integrity check");
	} else {
		const char *r = (const char *)sqlite3_column_text(st, 0);
		if (r == NULL || strcmp(r, "ok") != 0)
			err = db_set_error(q, JOBQ_ERR_CORRUPT,
			    "integrity check: %s", r ? r : "no answer");
	}
	sqlite3_finalize(st);
	if (err != JOBQ_OK)
		return err;
	int v = jobq_schema_version(q);
	if (v != JOBQ_SCHEMA_VERSION)
		return db_set_error(q, v > JOBQ_SCHEMA_VERSION ? JOBQ_ERR_SCHEMA :
		    JOBQ_ERR_CORRUPT, "schema version %d, this build expects %d",
		    v, JOBQ_SCHEMA_VERSION);
	if (sqlite3_prepare_v2(q->db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
		return db_fail(q, "foreign key check");
	if (sqlite3_step(st) == SQLITE_ROW)
		err = db_set_error(q, JOBQ_ERR_CORRUPT,
		    "foreign key check: orphaned rows in %s",
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return err;
}
