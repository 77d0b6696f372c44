/*
 * finish.c -- outcomes of finished attempts, written in batches: one
 * transaction (jobq_finish_many) for every outcome gathered since the last
 * write, and one log line per job once its outcome is committed.
 */
#include "worker/worker.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"

void
finish_add(struct worker *w, const struct jobq_job *j, enum jobq_outcome o,
    const char *text, const char *message, int64_t run_ms, const char *label)
{
	struct pending *p;

	if (w->ndone == w->done_cap) {
		size_t ncap = w->done_cap ? w->done_cap * 2 : 64;
		struct pending *nd = realloc(w->done, ncap * sizeof(*nd));
		if (nd == NULL) {
			/* The lease runs out and the job is recovered. */
			log_event(LOG_LVL_ERROR, "out_of_memory", "job=%s", j->id);
			return;
		}
		w->done = nd;
		w->done_cap = ncap;
	}
	if (w->ndone == 0)
		w->oldest_done_mono = clock_mono_ms();
	p = &w->done[w->ndone++];
	memcpy(p->id, j->id, sizeof(p->id));
	p->type = strdup(j->type ? j->type : "");
	p->attempt = j->attempts;
	p->outcome = o;
	p->text = text ? strdup(text) : NULL;
	p->message = message ? strdup(message) : NULL;
	p->run_ms = run_ms;
	p->label = label;
}

/* "code: message" of an error object, for the log line. */
static void
error_summary(const char *text, char *out, size_t size)
{
	json_object *o = text ? json_tokener_parse(text) : NULL, *c, *m;

	out[0] = '\0';
	if (o && json_object_is_type(o, json_type_object)) {
		const char *code = json_object_object_get_ex(o, "code", &c) ?
		    json_object_get_string(c) : "error";
		const char *msg = json_object_object_get_ex(o, "message", &m) ?
		    json_object_get_string(m) : "";
		snprintf(out, size, "%s: %s", code, msg);
	} else if (text) {
		snprintf(out, size, "%s", text);
	}
	json_object_put(o);
}

int
finish_flush(struct worker *w)
{
	struct jobq_finish *items;
	int err;

	if (w->ndone == 0)
		return 0;
	if ((items = calloc(w->ndone, sizeof(*items))) == NULL)
		return -1;
	for (size_t i = 0; i < w->ndone; i++) {
		items[i].lease = (struct jobq_lease){w->done[i].id, w->id,
		    w->done[i].attempt};
		items[i].outcome = w->done[i].outcome;
		items[i].text = w->done[i].text;
		items[i].message = w->done[i].message;
	}
	if ((err = jobq_finish_many(w->q, items, w->ndone)) != JOBQ_OK) {
		char m[256];
		log_event(LOG_LVL_WARN, "finish_failed", "jobs=%zu error=%s",
		    w->ndone, log_quote(jobq_errmsg(w->q), m, sizeof(m)));
		free(items);
		return -1;   /* kept; written on the next try */
	}
	for (size_t i = 0; i < w->ndone; i++) {
		struct pending *p = &w->done[i];
		char sum[300], q[400];

		/* A retry is queued with a delay: the next claim finds out when
		 * it is due (jobq_next_due) and sets the timer. */
		if (p->outcome == JOBQ_FAIL_TRANSIENT && !w->stopping)
			w->want_claim = 1;

		if (items[i].rc != JOBQ_OK) {
			log_event(LOG_LVL_WARN, "job_lease_lost", "job=%s type=%s"
			    " attempt=%d duration_ms=%lld outcome=discarded"
			    " error=\"lease lost: the job was recovered or canceled\"",
			    p->id, p->type, p->attempt, (long long)p->run_ms);
		} else if (p->outcome == JOBQ_DONE || p->outcome == JOBQ_HAND_BACK) {
			log_event(LOG_LVL_INFO, "job_finished", "job=%s type=%s"
			    " attempt=%d duration_ms=%lld outcome=%s", p->id, p->type,
			    p->attempt, (long long)p->run_ms, p->label);
		} else {
			error_summary(p->text, sum, sizeof(sum));
			log_event(LOG_LVL_WARN, "job_finished", "job=%s type=%s"
			    " attempt=%d duration_ms=%lld outcome=%s error=%s", p->id,
			    p->type, p->attempt, (long long)p->run_ms, p->label,
			    log_quote(sum, q, sizeof(q)));
		}
		free(p->type);
		free(p->text);
		free(p->message);
	}
	w->processed += w->ndone;
	w->ndone = 0;
	free(items);
	return 0;
}

void
finish_free(struct worker *w)
{
	for (size_t i = 0; i < w->ndone; i++) {
		free(w->done[i].type);
		free(w->done[i].text);
		free(w->done[i].message);
	}
	free(w->done);
	w->done = NULL;
	w->ndone = w->done_cap = 0;
}
