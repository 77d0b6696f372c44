/*
 * jobq.h -- the public interface of libjobq, the durable job queue.
 *
 * Every SQL statement of the project lives behind this header (src/queue/),
 * so another storage engine can be put behind the same functions later.
 *
 * Conventions, stated once:
 *  - Functions returning int return JOBQ_OK (0) on success or an enum
 *    jobq_err; on failure nothing was changed in the database (each call is
 *    one transaction) and jobq_errmsg() describes the failure.
 *  - A jobq handle is one database connection: use it from one thread at a
 *    time, and never across fork().  Open one handle per thread or process.
 *  - Strings passed in are borrowed: the library copies what it keeps.
 *  - Every struct jobq_job filled by the library owns its strings; release
 *    it with jobq_job_clear(), arrays with jobq_jobs_free().  Every
 *    *_free/_close/_clear accepts NULL.
 *  - Times are integer milliseconds since the Unix epoch; 0 means "none".
 *  - payload, result, error and checkpoint values are JSON texts.
 */
#ifndef JOBQ_H
#define JOBQ_H

#include <stddef.h>
#include <stdint.h>

struct json_object;
struct printbuf;

#define JOBQ_ID_SIZE 37          /* a UUIDv7 string and its NUL */
#define JOBQ_CURSOR_SIZE 24      /* an opaque list cursor and its NUL */
#define JOBQ_TYPE_MAX 64         /* longest job type name */
#define JOBQ_SCHEMA_VERSION 2    /* schema this build creates and reads */

enum jobq_err {
	JOBQ_OK = 0,
	JOBQ_ERR_NOMEM,          /* out of memory */
	JOBQ_ERR_INVALID,        /* an argument is out of range or malformed */
	JOBQ_ERR_NOTFOUND,       /* no such job */
	JOBQ_ERR_CONFLICT,       /* the job's state does not allow this */
	JOBQ_ERR_LOST,           /* the lease is gone: job recovered or canceled */
	JOBQ_ERR_BUSY,           /* database locked past the busy timeout */
	JOBQ_ERR_FULL,           /* disk (or database) full */
	JOBQ_ERR_CORRUPT,        /* not a jobq database, or damaged */
	JOBQ_ERR_SCHEMA,         /* schema newer than this build understands */
	JOBQ_ERR_IO,             /* cannot open, read or write the file */
	JOBQ_ERR_INTERNAL        /* anything else; see jobq_errmsg() */
};

enum jobq_status {
	JOBQ_QUEUED = 0,
	JOBQ_RUNNING,
	JOBQ_SUCCEEDED,
	JOBQ_FAILED,
	JOBQ_CANCELED,
	JOBQ_NSTATUS
};

enum jobq_sync {
	JOBQ_SYNC_FULL = 0,      /* an accepted job survives power loss */
	JOBQ_SYNC_NORMAL         /* survives process crashes only */
};

typedef struct jobq jobq;

struct jobq_options {
	const char *path;             /* database file; created if missing */
	enum jobq_sync synchronous;
	int busy_timeout_ms;          /* 0: 5000 */
	int default_max_attempts;     /* 0: 3 */
	int64_t backoff_base_ms;      /* 0: 2000 */
	int64_t backoff_max_ms;       /* 0: 600000 */
	int readonly;                 /* open without creating or migrating */
	/* Tests only: a clock to use instead of the real one, and the schema
	 * version to stop migrating at (0: JOBQ_SCHEMA_VERSION). */
	int64_t (*clock)(void *arg);
	void *clock_arg;
	int target_version;
};

struct jobq_job {
	char id[JOBQ_ID_SIZE];
	char *type;
	enum jobq_status status;
	int priority;
	int progress;
	char *progress_message;
	int attempts;
	int max_attempts;
	char *payload;
	char *result;
	char *error;
	char *submitted_by;
	char *worker;
	int64_t created_at, run_at, started_at, finished_at, updated_at;
	int64_t next_attempt_at, lease_until;
	int cancel_requested;
};

/* What to enqueue.  priority: higher runs first; run_at 0: now;
 * max_attempts 0: the handle's default; idempotency_key and submitted_by
 * may be NULL. */
struct jobq_new {
	const char *type;
	const char *payload;
	int priority;
	int64_t run_at;
	int max_attempts;
	const char *idempotency_key;
	const char *submitted_by;
};

struct jobq_enqueued {
	char id[JOBQ_ID_SIZE];
	int replayed;                 /* 1: an earlier job with the same key */
};

/* Who holds a running job: the job, the worker that claimed it, and the
 * attempt number the claim gave it.  Writes with a stale lease fail with
 * JOBQ_ERR_LOST and change nothing. */
struct jobq_lease {
	const char *id;
	const char *worker;
	int attempt;
};

enum jobq_outcome {
	JOBQ_DONE,                    /* succeeded; text is the result */
	JOBQ_FAIL_TRANSIENT,          /* retried with backoff while budget lasts */
	JOBQ_FAIL_PERMANENT,          /* failed at once */
	JOBQ_HAND_BACK                /* back to queued, attempt not counted */
};

struct jobq_finish {
	struct jobq_lease lease;
	enum jobq_outcome outcome;
	const char *text;             /* result or error JSON; may be NULL */
	const char *message;          /* last progress message not yet
	                               * written (rate limits), or NULL */
	int rc;                       /* out: JOBQ_OK or JOBQ_ERR_LOST */
};

struct jobq_filter {
	int status;                   /* enum jobq_status, or -1 for any */
	const char *type;             /* NULL for any */
	int limit;                    /* 1..500; 0: 50 */
	const char *cursor;           /* NULL or "" for the newest */
};

struct jobq_worker {
	const char *id;               /* "host:pid" */
	const char *host;
	int pid;
	int running;
};

/* --- errors and names --------------------------------------------------- */
const char *jobq_strerror(int err);
const char *jobq_errmsg(const jobq *q);
const char *jobq_status_name(enum jobq_status s);
/* Returns the status for a name, or -1 if the name is not a status. */
int jobq_status_parse(const char *name);

/* --- opening ------------------------------------------------------------ */
/* Opens (creating and migrating as needed) the database.  On failure *out
 * is NULL unless the error is from the database itself, in which case *out
 * is a handle whose jobq_errmsg() says why; close it either way. */
int jobq_open(const struct jobq_options *opt, jobq **out);
void jobq_close(jobq *q);
int64_t jobq_now(const jobq *q);
/* Schema version of the open database. */
int jobq_schema_version(jobq *q);
/* Cheap liveness check for health endpoints: JOBQ_ERR_IO if the file was
 * removed or replaced under the open handle, or the error of a one-row
 * read.  JOBQ_OK when the database answers. */
int jobq_ping(jobq *q);
/* Reopens the connection on the same path, never creating the file (a
 * removed database is the operator's to restore).  On failure the old
 * connection is kept, so the handle stays usable. */
int jobq_reopen(jobq *q);
/* Makes the handle refer to the file now at its path: when the file was
 * removed or replaced (a restore from backup), reopens.  Cheap (one
 * stat), meant for every request.  JOBQ_OK, or JOBQ_ERR_IO while the file
 * is missing. */
int jobq_refresh(jobq *q);
/* Copies what the write-ahead log holds back into the database file
 * without waiting for anyone (a passive checkpoint).  SQLite does this
 * by itself only once the log passes 1000 pages, so after a burst of
 * writes up to that many stay in the log, and every reader pays for them
 * (GET /api/jobs/{id} ran 15 % slower).  Writers call it when they fall
 * idle.  JOBQ_OK (also when busy: it is best effort) or an error. */
int jobq_checkpoint(jobq *q);
/* Runs SQLite's integrity check and checks the schema; on failure
 * jobq_errmsg() holds the first problem. */
int jobq_check(jobq *q);
/* Path of the file that enqueuers touch after each commit that makes work
 * due.  Watch it with inotify for IN_ATTRIB.  NULL for an in-memory
 * database. */
const char *jobq_wake_path(const jobq *q);

/* --- producers ---------------------------------------------------------- */
int jobq_enqueue(jobq *q, const struct jobq_new *job,
    struct jobq_enqueued *out);
/* All or nothing, in one transaction: out[i] answers in[i]. */
int jobq_enqueue_many(jobq *q, const struct jobq_new *in, size_t n,
    struct jobq_enqueued *out);

/* --- workers ------------------------------------------------------------ */
/* Claims up to max due jobs for worker, in one statement: higher priority
 * first, then earlier due time, then FIFO.  types: NULL-terminated list of
 * job types to take, or NULL for all.  *jobs is NULL when none is due. */
int jobq_claim(jobq *q, const char *worker, const char *const *types,
    int max, int64_t lease_ms, struct jobq_job **jobs, size_t *n);
/* Renews the lease of every job worker holds and records it as alive.
 * Returns in *cancel (NULL-terminated, free with jobq_strv_free) the ids
 * of its jobs whose cancel was requested. */
int jobq_heartbeat(jobq *q, const struct jobq_worker *w, int64_t lease_ms,
    char ***cancel);
int jobq_progress(jobq *q, const struct jobq_lease *l, int percent,
    const char *message, int *cancel_requested);
/* Finishes n leases in one transaction; each item's rc says if it held.
 * Returns JOBQ_OK when the transaction committed. */
int jobq_finish_many(jobq *q, struct jobq_finish *items, size_t n);
int jobq_complete(jobq *q, const struct jobq_lease *l, const char *result);
int jobq_fail(jobq *q, const struct jobq_lease *l, const char *error,
    int permanent);
int jobq_hand_back(jobq *q, const struct jobq_lease *l);
/* Delay before retry number `attempt` (1-based): base * 2^(attempt-1),
 * capped, with +-20% jitter. */
int64_t jobq_backoff_ms(const jobq *q, int attempt);

int jobq_worker_register(jobq *q, const struct jobq_worker *w);
int jobq_worker_unregister(jobq *q, const char *id);
/* Workers recorded on host, for the caller to check liveness. */
int jobq_workers_on_host(jobq *q, const char *host, struct jobq_worker **ws,
    size_t *n);
void jobq_workers_free(struct jobq_worker *ws, size_t n);
/* The worker is known dead: its running jobs go back to the queue now
 * (the attempt counts; out of budget means failed) and its row goes. */
int jobq_recover_worker(jobq *q, const char *worker, int *recovered);
/* Running jobs whose lease expired go back to the queue (or fail). */
int jobq_recover_expired(jobq *q, int *recovered);
/* Time the earliest queued job is due, or 0 when none is queued. */
int jobq_next_due(jobq *q, int64_t *due);

/* Per-job checkpoints: a job stores finished steps under its own keys so a
 * retried attempt can skip them.  Writing needs the current lease. */
int jobq_checkpoint_put(jobq *q, const struct jobq_lease *l, const char *key,
    const char *value);
/* Returns JOBQ_ERR_NOTFOUND when the key is absent; *value is malloc'd. */
int jobq_checkpoint_get(jobq *q, const char *id, const char *key,
    char **value);

/* --- operators ---------------------------------------------------------- */
int jobq_get(jobq *q, const char *id, struct jobq_job *out);
/* Newest first; next_cursor is "" when there is no further page. */
int jobq_list(jobq *q, const struct jobq_filter *f, struct jobq_job **jobs,
    size_t *n, char next_cursor[JOBQ_CURSOR_SIZE]);
/* Builds the stats object of the contract (counts, total, by_type,
 * oldest_queued_age_seconds, workers).  alive_ms: how recent last_seen must
 * be for a worker to be listed as alive in *alive. */
int jobq_stats(jobq *q, int64_t alive_ms, struct json_object **stats,
    int *alive);
/* A queued job becomes canceled; a running one gets cancel_requested.
 * JOBQ_ERR_CONFLICT if already finished.  out may be NULL. */
int jobq_cancel(jobq *q, const char *id, struct jobq_job *out);
/* A failed or canceled job is queued again with a fresh attempt budget.
 * JOBQ_ERR_CONFLICT otherwise. */
int jobq_retry(jobq *q, const char *id, struct jobq_job *out);
/* Deletes finished jobs that finished more than older_than_ms ago. */
int jobq_prune(jobq *q, int64_t older_than_ms, int *deleted);

/* --- helpers ------------------------------------------------------------ */
void jobq_job_clear(struct jobq_job *j);
void jobq_jobs_free(struct jobq_job *jobs, size_t n);
void jobq_strv_free(char **v);
/* The job object of the contract as JSON text, malloc'd (free() it), its
 * length in *len unless len is NULL; with_bodies 0 leaves out payload and
 * result (list rows).  Stored payload, result and error texts are copied
 * in as they are when they are well-formed JSON (a cheap scan, no parse),
 * else written as strings.  NULL when out of memory. */
char *jobq_job_json_text(const struct jobq_job *j, int with_bodies, size_t *len);
/* The same text appended to json-c's pb (for a list); 0, or -1 when out
 * of memory. */
int jobq_job_json_append(struct printbuf *pb, const struct jobq_job *j,
    int with_bodies);
/* The same as a json-c object, for callers that look inside it. */
struct json_object *jobq_job_json(const struct jobq_job *j, int with_bodies);
/* 1 if s is a well-formed UUID string (any version), else 0. */
int jobq_id_valid(const char *s);
/* 1 if s is a valid job type name ([a-z0-9_], 1..JOBQ_TYPE_MAX). */
int jobq_type_valid(const char *s);

#endif /* JOBQ_H */
