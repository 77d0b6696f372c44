/*
 * job.c -- the job record: reading it from a row, freeing it, and the job
 * object of the contract (section 4).
 */
#include "internal.h"

#include <json-c/json.h>
#include <json-c/printbuf.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/uuid.h"

static const char *const status_names[JOBQ_NSTATUS] = {
	"queued", "running", "succeeded", "failed", "canceled",
};

const char *
jobq_status_name(enum jobq_status s)
{
	return (unsigned)s < JOBQ_NSTATUS ? status_names[s] : "unknown";
}

int
jobq_status_parse(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < JOBQ_NSTATUS; i++)
		if (strcmp(name, status_names[i]) == 0)
			return i;
	return -1;
}

int
jobq_id_valid(const char *s)
{
	return uuid_valid(s);
}

int
jobq_type_valid(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
		    s[n] == '_'))
			return 0;
	return n >= 1 && n <= JOBQ_TYPE_MAX;
}

static int
dup_col(sqlite3_stmt *st, int col, char **out)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	*out = NULL;
	if (t == NULL)
		return 0;
	*out = strdup((const char *)t);
	return *out == NULL ? -1 : 0;
}

int
job_from_row(sqlite3_stmt *st, struct jobq_job *j)
{
	const unsigned char *id = sqlite3_column_text(st, 0);
	int bad = 0;

	memset(j, 0, sizeof(*j));
	if (id != NULL)
		snprintf(j->id, sizeof(j->id), "%s", (const char *)id);
	bad |= dup_col(st, 1, &j->type);
	j->status = jobq_status_parse((const char *)sqlite3_column_text(st, 2));
	j->priority = sqlite3_column_int(st, 3);
	j->progress = sqlite3_column_int(st, 4);
	bad |= dup_col(st, 5, &j->progress_message);
	j->attempts = sqlite3_column_int(st, 6);
	j->max_attempts = sqlite3_column_int(st, 7);
	bad |= dup_col(st, 8, &j->payload);
	bad |= dup_col(st, 9, &j->result);
	bad |= dup_col(st, 10, &j->error);
	bad |= dup_col(st, 11, &j->submitted_by);
	bad |= dup_col(st, 12, &j->worker);
	j->created_at = sqlite3_column_int64(st, 13);
	j->run_at = sqlite3_column_int64(st, 14);
	j->started_at = sqlite3_column_int64(st, 15);
	j->finished_at = sqlite3_column_int64(st, 16);
	j->updated_at = sqlite3_column_int64(st, 17);
	j->next_attempt_at = sqlite3_column_int64(st, 18);
	j->lease_until = sqlite3_column_int64(st, 19);
	j->cancel_requested = sqlite3_column_int(st, 20);
	if (bad) {
		jobq_job_clear(j);
		return JOBQ_ERR_NOMEM;
	}
	return JOBQ_OK;
}

void
jobq_job_clear(struct jobq_job *j)
{
	if (j == NULL)
		return;
	free(j->type);
	free(j->progress_message);
	free(j->payload);
	free(j->result);
	free(j->error);
	free(j->submitted_by);
	free(j->worker);
	memset(j, 0, sizeof(*j));
}

void
jobq_jobs_free(struct jobq_job *jobs, size_t n)
{
	if (jobs == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		jobq_job_clear(&jobs[i]);
	free(jobs);
}

void
jobq_strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* The printbuf a job object is appended to; oom once an append failed. */
struct text {
	struct printbuf *pb;
	int start;                    /* where this object begins in pb */
	int oom;
};

static void
put(struct text *t, const char *s, size_t n)
{
	if (!t->oom && printbuf_memappend(t->pb, s, (int)n) < 0)
		t->oom = 1;
}

#define PUT_LIT(t, lit) put((t), (lit), sizeof(lit) - 1)

/* A JSON string, or null for NULL. */
static void
put_string(struct text *t, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run;

	if (s == NULL) {
		PUT_LIT(t, "null");
		return;
	}
	PUT_LIT(t, "\"");
	for (run = s; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = {'\\', 0};
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		put(t, run, (size_t)(s - run));
		put(t, esc, n);
		run = s + 1;
	}
	put(t, run, (size_t)(s - run));
	PUT_LIT(t, "\"");
}

static void
put_int(struct text *t, int64_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	put(t, p, (size_t)(buf + sizeof(buf) - p));
}

/* "key": with the comma before every key but the first. */
static void
put_key(struct text *t, const char *key)
{
	if (printbuf_length(t->pb) > t->start + 1)
		PUT_LIT(t, ",");
	PUT_LIT(t, "\"");
	put(t, key, strlen(key));
	PUT_LIT(t, "\":");
}

static void
put_time(struct text *t, int64_t ms)
{
	char buf[CLOCK_RFC3339_SIZE];

	if (ms > 0)
		put_string(t, clock_rfc3339(ms, buf));
	else
		PUT_LIT(t, "null");
}

/* A stored JSON text goes out as it is; one that is not well-formed (it
 * should never happen) goes out as a string rather than breaking the
 * answer. */
static void
put_body(struct text *t, const char *s)
{
	size_t n;

	if (s != NULL && json_text_valid(s, n = strlen(s)))
		put(t, s, n);
	else
		put_string(t, s);
}

int
jobq_job_json_append(struct printbuf *pb, const struct jobq_job *j,
    int with_bodies)
{
	struct text t = {.pb = pb, .start = printbuf_length(pb)};
	int64_t now = clock_ms(), end;

	PUT_LIT(&t, "{");
	put_key(&t, "id");
	put_string(&t, j->id);
	put_key(&t, "type");
	put_string(&t, j->type);
	put_key(&t, "status");
	put_string(&t, jobq_status_name(j->status));
	put_key(&t, "priority");
	put_int(&t, j->priority);
	put_key(&t, "progress");
	put_int(&t, j->progress);
	put_key(&t, "progress_message");
	put_string(&t, j->progress_message);
	put_key(&t, "attempts");
	put_int(&t, j->attempts);
	put_key(&t, "max_attempts");
	put_int(&t, j->max_attempts);
	if (with_bodies) {
		put_key(&t, "payload");
		put_body(&t, j->payload);
		put_key(&t, "result");
		put_body(&t, j->result);
	}
	put_key(&t, "error");
	put_body(&t, j->error);
	put_key(&t, "submitted_by");
	put_string(&t, j->submitted_by);
	put_key(&t, "worker");
	put_string(&t, j->worker);
	put_key(&t, "created_at");
	put_time(&t, j->created_at);
	put_key(&t, "run_at");
	put_time(&t, j->run_at);
	put_key(&t, "started_at");
	put_time(&t, j->started_at);
	put_key(&t, "finished_at");
	put_time(&t, j->finished_at);
	put_key(&t, "updated_at");
	put_time(&t, j->updated_at);
	put_key(&t, "next_attempt_at");
	put_time(&t, j->status == JOBQ_QUEUED ? j->next_attempt_at : 0);
	/* wait_ms: from due (run_at) to the start of the latest attempt;
	 * run_ms: that attempt's duration, so far when still running. */
	put_key(&t, "wait_ms");
	if (j->started_at > 0)
		put_int(&t, j->started_at > j->run_at ? j->started_at - j->run_at : 0);
	else
		PUT_LIT(&t, "null");
	put_key(&t, "run_ms");
	end = j->status == JOBQ_RUNNING ? now : j->finished_at;
	if (j->started_at > 0 && end > 0)
		put_int(&t, end > j->started_at ? end - j->started_at : 0);
	else
		PUT_LIT(&t, "null");
	put_key(&t, "cancel_requested");
	if (j->cancel_requested)
		PUT_LIT(&t, "true");
	else
		PUT_LIT(&t, "false");
	PUT_LIT(&t, "}");
	return t.oom ? -1 : 0;
}

char *
jobq_job_json_text(const struct jobq_job *j, int with_bodies, size_t *len)
{
	struct printbuf *pb = printbuf_new();
	char *text = NULL;

	if (pb == NULL)
		return NULL;
	if (jobq_job_json_append(pb, j, with_bodies) == 0) {
		text = pb->buf;
		if (len)
			*len = (size_t)printbuf_length(pb);
		pb->buf = NULL;
	}
	printbuf_free(pb);
	return text;
}

json_object *
jobq_job_json(const struct jobq_job *j, int with_bodies)
{
	char *text = jobq_job_json_text(j, with_bodies, NULL);
	json_tokener *tok;
	json_object *o = NULL;

	if (text == NULL)
		return NULL;
	if ((tok = json_tokener_new_ex(JSON_TEXT_DEPTH + 2)) != NULL) {
		o = json_tokener_parse_ex(tok, text, -1);
		json_tokener_free(tok);
	}
	free(text);
	return o;
}
