/*
 * submit.c -- creating work: POST /api/jobs for any registered type, and
 * POST /api/run/content, which enqueues when ASYNC_JOBS_ENABLED lists the
 * type, and otherwise runs the very registry function the worker runs,
 * streaming its progress as text lines.
 */
#include "fcgi/fcgi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "jobtypes.h"

#define CONTENT_TYPE "generate_amazon_content"
#define KEY_MAX 255

/* Checks the Idempotency-Key header: 1-255 visible ASCII characters.
 * Returns 0 with *key NULL or set, or -1 after answering 422. */
static int
idempotency_key(struct req *r, const char **key)
{
	const char *k = req_param(r, "HTTP_IDEMPOTENCY_KEY");
	size_t n;

	*key = NULL;
	if (k == NULL)
		return 0;
	n = strlen(k);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)k[i] < 0x20 || (unsigned char)k[i] > 0x7e)
			n = 0;
	if (n == 0 || n > KEY_MAX) {
		json_object *d = json_object_new_array();
		job_detail(d, "Idempotency-Key", "expected 1-255 visible ASCII characters");
		http_error(r, 422, "invalid_payload", "invalid Idempotency-Key header",
		    d, NULL);
		return -1;
	}
	*key = k;
	return 0;
}

static const char *
submitter(const struct req *r)
{
	const char *u = req_param(r, "REMOTE_USER");

	if (!r->srv->trust_remote_user || u == NULL || *u == '\0' ||
	    strlen(u) > KEY_MAX)
		return NULL;
	return u;
}

/* Runs the type's validate; answers 422 with every detail on failure.
 * prefix names where the payload sits in the body ("" or "payload."). */
static int
validate(struct req *r, const struct job_type *t, json_object *payload,
    const char *prefix)
{
	json_object *d = json_object_new_array();
	size_t n;

	if (t->validate(payload, &r->srv->cfg, d) == 0 &&
	    json_object_array_length(d) == 0) {
		json_object_put(d);
		return 0;
	}
	n = json_object_array_length(d);
	if (n == 0)
		job_detail(d, prefix[0] ? "payload" : "", "invalid payload");
	if (prefix[0]) {
		for (size_t i = 0; i < n; i++) {
			json_object *item = json_object_array_get_idx(d, i), *f;
			char buf[512];
			if (json_object_object_get_ex(item, "field", &f)) {
				const char *s = json_object_get_string(f);
				snprintf(buf, sizeof(buf), "%s%s", s && *s ? prefix : "payload",
				    s ? s : "");
				json_object_object_add(item, "field", json_object_new_string(buf));
			}
		}
	}
	http_error(r, 422, "invalid_payload", "the payload is invalid", d, NULL);
	return -1;
}

void
submit_answer(struct req *r, int rc, const struct jobq_enqueued *out)
{
	char extra[160], url[64];
	json_object *o;

	if (rc != JOBQ_OK) {
		http_jobq_error(r, rc, "enqueue");
		return;
	}
	snprintf(extra, sizeof(extra), "Location: /api/jobs/%s\r\n%s", out->id,
	    out->replayed ? "Idempotent-Replayed: true\r\n" : "");
	snprintf(url, sizeof(url), "/api/jobs/%s", out->id);
	o = json_object_new_object();
	json_object_object_add(o, "job_id", json_object_new_string(out->id));
	json_object_object_add(o, "status", json_object_new_string("queued"));
	json_object_object_add(o, "status_url", json_object_new_string(url));
	http_json(r, 202, o, extra);
}

/* Hands the job and the request to the group committer, which answers
 * after the commit; this thread goes back to accepting. */
static void
enqueue(struct req *r, struct jobq_new *n)
{
	if (committer_submit(r->srv->committer, n, r->fr) < 0) {
		http_error(r, 500, "internal", "out of memory", NULL, NULL);
		return;
	}
	r->handed_off = 1;
	r->status = 202;
}

static const char *
payload_text(json_object *payload)
{
	size_t len;
	return http_json_text(payload, &len);
}

void
h_submit(struct req *r)
{
	json_object *body, *v, *payload = NULL, *d;
	struct jobq_new n = {0};
	const struct job_type *t = NULL;

	if ((body = req_json_body(r)) == NULL)
		return;
	d = json_object_new_array();
	if (!json_object_object_get_ex(body, "type", &v) ||
	    !json_object_is_type(v, json_type_string))
		job_detail(d, "type", "expected a job type name");
	else if ((t = jobtype_find(json_object_get_string(v))) == NULL)
		job_detail(d, "type", "unknown job type");
	else
		n.type = t->name;
	if (!json_object_object_get_ex(body, "payload", &payload) ||
	    !json_object_is_type(payload, json_type_object)) {
		job_detail(d, "payload", "expected an object");
		payload = NULL;
	}
	if (json_object_object_get_ex(body, "priority", &v)) {
		int64_t p = json_object_get_int64(v);
		if (!json_object_is_type(v, json_type_int) ||
		    p < -1000000 || p > 1000000)
			job_detail(d, "priority", "expected an integer from -1000000 to 1000000");
		else
			n.priority = (int)p;
	}
	if (json_object_object_get_ex(body, "run_at", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_string) ||
		    clock_parse_rfc3339(json_object_get_string(v), &n.run_at) < 0)
			job_detail(d, "run_at", "expected an RFC 3339 time");
	}
	if (json_object_object_get_ex(body, "max_attempts", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		int64_t m = json_object_get_int64(v);
		if (!json_object_is_type(v, json_type_int) || m < 1 || m > 1000)
			job_detail(d, "max_attempts", "expected an integer from 1 to 1000");
		else
			n.max_attempts = (int)m;
	}
	if (json_object_array_length(d) > 0) {
		http_error(r, 422, "invalid_payload", "the request is invalid", d, NULL);
		json_object_put(body);
		return;
	}
	json_object_put(d);
	if (validate(r, t, payload, "payload.") < 0 ||
	    idempotency_key(r, &n.idempotency_key) < 0) {
		json_object_put(body);
		return;
	}
	n.payload = payload_text(payload);
	n.submitted_by = submitter(r);
	enqueue(r, &n);
	json_object_put(body);
}

/* --- the sync stream ------------------------------------------------------ */

struct stream {
	struct req *r;
	int gone;                     /* the client went away */
};

/* Writes one line (CR and LF in text become spaces) and flushes it. */
static int
stream_line(struct req *r, const char *tag, const char *text)
{
	FCGX_Stream *out = r->fr->out;

	FCGX_PutS(tag, out);
	FCGX_PutChar(' ', out);
	for (const char *p = text; *p; p++)
		FCGX_PutChar(*p == '\n' || *p == '\r' ? ' ' : *p, out);
	FCGX_PutChar('\n', out);
	return FCGX_FFlush(out) < 0 || FCGX_GetError(out) != 0 ? -1 : 0;
}

static int
stream_progress(struct job_ctx *ctx, int percent, const char *message)
{
	struct stream *s = ctx->impl;
	char line[1024];

	if (s->gone)
		return 1;
	snprintf(line, sizeof(line), "%d %s", percent, message ? message : "");
	if (stream_line(s->r, "PROGRESS", line) < 0) {
		/* Nobody reads the answer: stop the work. */
		s->gone = 1;
		return 1;
	}
	if (s->r->srv->test_progress_delay_ms > 0) {
		int ms = s->r->srv->test_progress_delay_ms;
		struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
	}
	return 0;
}

static void
run_sync(struct req *r, const struct job_type *t, json_object *payload)
{
	struct stream s = {.r = r};
	struct job_ctx ctx = {
		.cfg = &r->srv->cfg, .job_id = NULL, .attempt = 1,
		.payload = payload, .progress = stream_progress,
		.checkpoint_get = NULL, .checkpoint_put = NULL, .impl = &s,
	};
	json_object *out = NULL;
	enum job_rc rc;
	int64_t t0 = clock_mono_ms();
	size_t len;

	http_head(r, 200, "text/plain; charset=utf-8", "X-Accel-Buffering: no\r\n");
	r->streaming = 1;
	FCGX_FFlush(r->fr->out);
	rc = t->run(&ctx, &out);
	if (out == NULL)
		out = job_error("internal", "the job returned no result");
	stream_line(r, rc == JOB_OK ? "DONE" : "FAILED", http_json_text(out, &len));
	log_event(LOG_LVL_INFO, "sync_run", "type=%s rc=%d ms=%lld client_gone=%d",
	    t->name, (int)rc, (long long)(clock_mono_ms() - t0), s.gone);
	json_object_put(out);
}

void
h_run_content(struct req *r)
{
	const struct job_type *t = jobtype_find(CONTENT_TYPE);
	json_object *body;
	struct jobq_new n = {.type = CONTENT_TYPE};

	if (t == NULL) {
		http_error(r, 500, "internal", "job type missing", NULL, NULL);
		return;
	}
	if ((body = req_json_body(r)) == NULL)
		return;
	if (validate(r, t, body, "") < 0) {
		json_object_put(body);
		return;
	}
	if (r->srv->async_enabled &&
	    config_list_has(r->srv->async_types, CONTENT_TYPE)) {
		if (idempotency_key(r, &n.idempotency_key) == 0) {
			n.payload = payload_text(body);
			n.submitted_by = submitter(r);
			enqueue(r, &n);
		}
	} else {
		run_sync(r, t, body);
	}
	json_object_put(body);
}
