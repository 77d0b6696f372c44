/*
 * schema.c -- the schema and its migrations.  The version lives in
 * PRAGMA user_version; each migration runs in its own transaction, so a
 * crash mid-way leaves the previous version intact.  Times are integer
 * epoch milliseconds; the indexes follow the claim and list queries.
 */
#include "internal.h"

#include <stdio.h>

static const char *const migrations[JOBQ_SCHEMA_VERSION + 1] = {
	[1] =
	"CREATE TABLE jobs ("
	"  seq INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL UNIQUE,"
	"  type TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN"
	"    ('queued','running','succeeded','failed','canceled')),"
	"  priority INTEGER NOT NULL DEFAULT 0,"
	"  payload TEXT NOT NULL,"
	"  result TEXT,"
	"  error TEXT,"
	"  progress INTEGER NOT NULL DEFAULT 0,"
	"  progress_message TEXT,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  max_attempts INTEGER NOT NULL,"
	"  submitted_by TEXT,"
	"  worker TEXT,"
	"  idempotency_key TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  run_at INTEGER NOT NULL,"
	"  due_at INTEGER NOT NULL,"
	"  started_at INTEGER,"
	"  finished_at INTEGER,"
	"  updated_at INTEGER NOT NULL,"
	"  next_attempt_at INTEGER,"
	"  lease_until INTEGER,"
	"  cancel_requested INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX jobs_claim ON jobs (status, priority DESC, due_at, seq);"
	"CREATE INDEX jobs_status ON jobs (status, seq);"
	"CREATE INDEX jobs_type ON jobs (type, seq);"
	"CREATE INDEX jobs_running ON jobs (worker, lease_until)"
	"  WHERE status = 'running';"
	"CREATE UNIQUE INDEX jobs_idem ON jobs (type, idempotency_key)"
	"  WHERE idempotency_key IS NOT NULL;"
	"CREATE TABLE workers ("
	"  id TEXT PRIMARY KEY,"
	"  host TEXT NOT NULL,"
	"  pid INTEGER NOT NULL,"
	"  started_at INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  running INTEGER NOT NULL DEFAULT 0);",
	/* 2: checkpoints, so a retried job skips the steps it finished. */
	[2] =
	"CREATE TABLE job_checkpoints ("
	"  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (job_id, key)) WITHOUT ROWID;",
};

/* A database at version 0 must be empty: we never adopt another
 * application's file. */
static int
foreign_tables(jobq *q)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(q->db, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name NOT LIKE 'sqlite_%'", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

int
schema_version_ok(jobq *q, int *version)
{
	int v = jobq_schema_version(q);

	if (v < 0)
		return db_fail(q, "read schema version");
	if (v > JOBQ_SCHEMA_VERSION)
		return db_set_error(q, JOBQ_ERR_SCHEMA,
		    "database schema version %d is newer than this build (%d);"
		    " upgrade jobq", v, JOBQ_SCHEMA_VERSION);
	*version = v;
	return JOBQ_OK;
}

int
schema_migrate(jobq *q)
{
	int target = q->opt.target_version, v, err;
	char sql[64];

	if ((err = schema_version_ok(q, &v)) != JOBQ_OK)
		return err;
	while (v < target) {
		if ((err = db_begin(q)) != JOBQ_OK)
			return err;
		/* Another process may have migrated while we waited. */
		v = jobq_schema_version(q);
		if (v < 0) {
			err = db_fail(q, "read schema version");
			goto fail;
		}
		if (v >= target) {
			db_rollback(q);
			break;
		}
		if (v == 0) {
			int n = foreign_tables(q);
			if (n != 0) {
				err = n < 0 ? db_fail(q, "read schema") :
				    db_set_error(q, JOBQ_ERR_CORRUPT,
				    "%s holds tables but is not a jobq database",
				    q->path);
				goto fail;
			}
		}
		if ((err = db_exec(q, migrations[v + 1])) != JOBQ_OK)
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if ((err = db_exec(q, sql)) != JOBQ_OK)
			goto fail;
		if ((err = db_commit(q)) != JOBQ_OK)
			return err;
		v++;
	}
	return JOBQ_OK;
fail:
	db_rollback(q);
	return err;
}
