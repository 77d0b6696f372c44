/*
 * jobtypes.h -- the registry of job types, shared by the responder (which
 * validates payloads at submission and runs the sync stream) and the worker
 * (which runs jobs).  Adding a job type is one table entry in jobtypes.c
 * and one file with its validate and run functions.
 *
 * Ownership: run() borrows ctx and ctx->payload; on return *out is a new
 * json_object owned by the caller (the result on JOB_OK, an error object
 * {"code":...,"message":...} otherwise), or NULL.
 */
#ifndef JOBQ_JOBTYPES_H
#define JOBQ_JOBTYPES_H

#include <json-c/json.h>

struct config;

enum job_rc {
	JOB_OK = 0,        /* succeeded; *out is the result */
	JOB_TRANSIENT,     /* failed; worth retrying with backoff */
	JOB_PERMANENT,     /* failed; retrying cannot help */
	JOB_CANCELED       /* stopped because the cancel check said so */
};

struct job_ctx {
	const struct config *cfg;
	const char *job_id;          /* NULL in the sync stream */
	int attempt;                 /* 1-based; 1 in the sync stream */
	json_object *payload;        /* already validated */
	/* Reports progress; returns nonzero when the job should stop
	 * (canceled, or the worker is shutting down). May be rate-limited by
	 * the implementation. */
	int (*progress)(struct job_ctx *ctx, int percent, const char *message);
	/* Checkpoints of finished steps (NULL when unsupported, e.g. in the
	 * sync stream).  get returns 0 and a malloc'd value, or -1 if absent;
	 * put returns 0 or -1. */
	int (*checkpoint_get)(struct job_ctx *ctx, const char *key, char **value);
	int (*checkpoint_put)(struct job_ctx *ctx, const char *key, const char *value);
	void *impl;                  /* the caller's state */
};

struct job_type {
	const char *name;
	/* Checks a payload at submission.  Appends {"field","message"} objects
	 * to details (a json array) for each problem; returns 0 if valid. */
	int (*validate)(json_object *payload, const struct config *cfg,
	    json_object *details);
	enum job_rc (*run)(struct job_ctx *ctx, json_object **out);
	int test_only;               /* registered only with JOBQ_TEST_JOBS=1 */
};

/* Returns the type named name, or NULL if unknown (test-only types are
 * unknown unless the environment has JOBQ_TEST_JOBS=1). */
const struct job_type *jobtype_find(const char *name);
/* The NULL-terminated list of registered types. */
const struct job_type *const *jobtype_all(void);
/* A new {"code":code,"message":message} object. */
json_object *job_error(const char *code, const char *message);
/* Appends {"field":field,"message":message} to details. */
void job_detail(json_object *details, const char *field, const char *message);

#endif
