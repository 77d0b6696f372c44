/*
 * job.c -- the job record: reading it from a row, freeing it, and the job
 * object of the contract (section 4).
 */
#include "internal.h"

#include <json-c/json.h>
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

static json_object *
time_json(int64_t ms)
{
	char buf[CLOCK_RFC3339_SIZE];

	return ms > 0 ? json_object_new_string(clock_rfc3339(ms, buf)) : NULL;
}

static json_object *
str_json(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* Stored JSON texts are emitted as JSON; a text that does not parse (it
 * should never happen) is emitted as a string rather than dropped. */
static json_object *
body_json(const char *text)
{
	json_object *o;

	if (text == NULL)
		return NULL;
	o = json_tokener_parse(text);
	return o ? o : json_object_new_string(text);
}

json_object *
jobq_job_json(const struct jobq_job *j, int with_bodies)
{
	json_object *o = json_object_new_object();
	int64_t now = clock_ms(), end;

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "id", json_object_new_string(j->id));
	json_object_object_add(o, "type", str_json(j->type));
	json_object_object_add(o, "status",
	    json_object_new_string(jobq_status_name(j->status)));
	json_object_object_add(o, "priority", json_object_new_int(j->priority));
	json_object_object_add(o, "progress", json_object_new_int(j->progress));
	json_object_object_add(o, "progress_message", str_json(j->progress_message));
	json_object_object_add(o, "attempts", json_object_new_int(j->attempts));
	json_object_object_add(o, "max_attempts", json_object_new_int(j->max_attempts));
	if (with_bodies) {
		json_object_object_add(o, "payload", body_json(j->payload));
		json_object_object_add(o, "result", body_json(j->result));
	}
	json_object_object_add(o, "error", body_json(j->error));
	json_object_object_add(o, "submitted_by", str_json(j->submitted_by));
	json_object_object_add(o, "worker", str_json(j->worker));
	json_object_object_add(o, "created_at", time_json(j->created_at));
	json_object_object_add(o, "run_at", time_json(j->run_at));
	json_object_object_add(o, "started_at", time_json(j->started_at));
	json_object_object_add(o, "finished_at", time_json(j->finished_at));
	json_object_object_add(o, "updated_at", time_json(j->updated_at));
	json_object_object_add(o, "next_attempt_at",
	    j->status == JOBQ_QUEUED ? time_json(j->next_attempt_at) : NULL);
	/* wait_ms: from due (run_at) to the start of the latest attempt;
	 * run_ms: that attempt's duration, so far when still running. */
	json_object_object_add(o, "wait_ms", j->started_at > 0 ?
	    json_object_new_int64(j->started_at > j->run_at ?
	    j->started_at - j->run_at : 0) : NULL);
	end = j->status == JOBQ_RUNNING ? now : j->finished_at;
	json_object_object_add(o, "run_ms", j->started_at > 0 && end > 0 ?
	    json_object_new_int64(end > j->started_at ? end - j->started_at : 0) :
	    NULL);
	json_object_object_add(o, "cancel_requested",
	    json_object_new_boolean(j->cancel_requested));
	return o;
}
