/*
 * jobs.c -- the read and state-change endpoints: GET /api/jobs (filters,
 * cursor pages), /api/jobs/stats, /api/jobs/{id}, cancel, retry and
 * /api/health.  Every answer comes from this thread's own connection.
 */
#include "fcgi/fcgi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/printbuf.h>

#include "jobtypes.h"

/* Answers 422 invalid_payload naming one query parameter. */
static void
bad_param(struct req *r, const char *field, const char *message)
{
	json_object *d = json_object_new_array();

	job_detail(d, field, message);
	http_error(r, 422, "invalid_payload", "invalid query parameter", d, NULL);
}

void
h_list(struct req *r)
{
	struct jobq_filter f = {.status = -1};
	char status[32], type[JOBQ_TYPE_MAX + 2], limit[16], cursor[64];
	char next[JOBQ_CURSOR_SIZE];
	struct jobq_job *jobs = NULL;
	size_t n = 0;
	int rc, bad;
	struct printbuf *pb;
	char *text;

	if ((rc = req_query(r, "status", status, sizeof(status))) < 0 ||
	    (rc == 1 && (f.status = jobq_status_parse(status)) < 0)) {
		bad_param(r, "status", "expected queued, running, succeeded, failed or canceled");
		return;
	}
	if ((rc = req_query(r, "type", type, sizeof(type))) < 0 ||
	    (rc == 1 && !jobq_type_valid(type))) {
		bad_param(r, "type", "expected a job type name ([a-z0-9_], 1-64)");
		return;
	}
	if (rc == 1)
		f.type = type;
	if ((rc = req_query(r, "limit", limit, sizeof(limit))) != 0) {
		char *end;
		long v = rc < 0 ? 0 : strtol(limit, &end, 10);
		if (rc < 0 || limit[0] < '0' || limit[0] > '9' || *end != '\0' ||
		    v < 1 || v > 500) {
			bad_param(r, "limit", "expected an integer from 1 to 500");
			return;
		}
		f.limit = (int)v;
	}
	if ((rc = req_query(r, "cursor", cursor, sizeof(cursor))) < 0) {
		bad_param(r, "cursor", "malformed cursor");
		return;
	}
	if (rc == 1)
		f.cursor = cursor;
	if ((rc = jobq_list(r->q, &f, &jobs, &n, next)) != JOBQ_OK) {
		if (rc == JOBQ_ERR_INVALID)
			bad_param(r, "cursor", "malformed cursor");
		else
			http_jobq_error(r, rc, "list");
		return;
	}
	/* {"jobs":[...],"next_cursor":...}, the rows written straight in. */
	pb = printbuf_new();
	bad = pb == NULL || printbuf_strappend(pb, "{\"jobs\":[") < 0;
	for (size_t i = 0; i < n && !bad; i++)
		bad = (i > 0 && printbuf_strappend(pb, ",") < 0) ||
		    jobq_job_json_append(pb, &jobs[i], 0) < 0;
	jobq_jobs_free(jobs, n);
	if (!bad) {
		/* The cursor is the library's decimal sequence number. */
		bad = printbuf_strappend(pb, "],\"next_cursor\":") < 0 ||
		    (next[0] ? sprintbuf(pb, "\"%s\"}", next) : printbuf_strappend(pb, "null}")) < 0;
	}
	if (bad) {
		if (pb)
			printbuf_free(pb);
		http_error(r, 500, "internal", "out of memory", NULL, NULL);
		return;
	}
	text = pb->buf;
	pb->buf = NULL;
	http_json_raw(r, 200, text, (size_t)printbuf_length(pb), NULL);
	printbuf_free(pb);
}

void
h_stats(struct req *r)
{
	json_object *stats = NULL;
	int alive = 0, rc;

	if ((rc = jobq_stats(r->q, r->srv->alive_ms, &stats, &alive)) != JOBQ_OK) {
		http_jobq_error(r, rc, "stats");
		return;
	}
	http_json(r, 200, stats, NULL);
}

/* Answers 200 with the job object, and clears j. */
static void
job_answer(struct req *r, struct jobq_job *j)
{
	size_t len = 0;
	char *text = jobq_job_json_text(j, 1, &len);

	jobq_job_clear(j);
	http_json_raw(r, 200, text, len, NULL);
}

void
h_get(struct req *r)
{
	struct jobq_job j;
	int rc;

	if ((rc = jobq_get(r->q, r->id, &j)) != JOBQ_OK) {
		http_jobq_error(r, rc, "get");
		return;
	}
	job_answer(r, &j);
}

static void
change(struct req *r, int (*fn)(jobq *, const char *, struct jobq_job *),
    const char *what)
{
	struct jobq_job j;
	int rc;

	/* These take no body; whatever was sent is ignored. */
	if ((rc = fn(r->q, r->id, &j)) != JOBQ_OK) {
		http_jobq_error(r, rc, what);
		return;
	}
	job_answer(r, &j);
}

void
h_cancel(struct req *r)
{
	change(r, jobq_cancel, "cancel");
}

void
h_retry(struct req *r)
{
	change(r, jobq_retry, "retry");
}

void
h_health(struct req *r)
{
	json_object *stats = NULL, *o;
	int alive = 0, rc, version;

	/* A real read of the tables: a database that cannot be read is 503. */
	rc = jobq_stats(r->q, r->srv->alive_ms, &stats, &alive);
	json_object_put(stats);
	version = rc == JOBQ_OK ? jobq_schema_version(r->q) : -1;
	if (rc != JOBQ_OK || version <= 0) {
		o = json_object_new_object();
		json_object_object_add(o, "status", json_object_new_string("unavailable"));
		json_object_object_add(o, "db", json_object_new_string(
		    rc == JOBQ_ERR_BUSY ? "locked" : "unreadable"));
		json_object *e = json_object_new_object();
		json_object_object_add(e, "code", json_object_new_string("unavailable"));
		json_object_object_add(e, "message", json_object_new_string(
		    "the database cannot be read"));
		json_object_object_add(o, "error", e);
		http_json(r, 503, o, "Retry-After: 5\r\n");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_string("ok"));
	json_object_object_add(o, "db", json_object_new_string("ok"));
	json_object_object_add(o, "schema_version", json_object_new_int(version));
	json_object_object_add(o, "workers_alive", json_object_new_int(alive));
	http_json(r, 200, o, NULL);
}
