/*
 * generate.c -- running the providers over the products that still need
 * a listing: template in a loop; openai as one chat completion per
 * product, CONTENT_PARALLELISM in flight (fetch.c), each product
 * checkpointed as soon as its answer is in.
 */
#include "content/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/log.h"

struct provider_job {
	struct run *r;
	struct product *p;
	struct listing fallback;      /* template output, the repair source */
	char *body;
};

static enum job_rc
generate_template(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct product *p = &r->p[i];

		if (p->have_listing)
			continue;
		if (template_listing(p, &p->listing) != 0) {
			run_fail(r, JOB_TRANSIENT, "internal", "out of memory");
			return r->rc;
		}
		p->have_listing = 1;
		run_checkpoint(r, p);
		if (run_generated(r, p))
			return r->rc;
	}
	return JOB_OK;
}

static enum fetch_verdict
on_answer(struct fetch *f, void *arg)
{
	struct provider_job *j = f->user;
	struct run *r = arg;
	struct product *p = j->p;
	char why[160];
	int repaired;

	if (f->status == 401 || f->status == 403) {
		run_fail(r, JOB_PERMANENT, "provider_auth",
		    "the provider refused the request with HTTP %ld; check "
		    "OPENAI_API_KEY", f->status);
		return FETCH_ABORT;
	}
	if (f->gave_up) {
		if (f->status == 0)
			run_fail(r, JOB_TRANSIENT, "provider_unavailable",
			    "product %s: the provider could not be reached after "
			    "%d tries: %s", p->sku, f->tries, f->errbuf);
		else if (f->status >= 200 && f->status < 300)
			run_fail(r, JOB_TRANSIENT, "provider_bad_response",
			    "product %s: the provider's answer was unusable "
			    "after %d tries", p->sku, f->tries);
		else
			run_fail(r, JOB_TRANSIENT, "provider_unavailable",
			    "product %s: the provider answered HTTP %ld after "
			    "%d tries%s", p->sku, f->status, f->tries,
			    f->retry_after_ms > r->http.retry_after_max_ms ?
			    " (Retry-After too long)" : "");
		return FETCH_ABORT;
	}
	if (f->status < 200 || f->status >= 300) {
		run_fail(r, JOB_PERMANENT, "provider_error",
		    "product %s: the provider answered HTTP %ld; check "
		    "OPENAI_BASE_URL and OPENAI_MODEL", p->sku, f->status);
		return FETCH_ABORT;
	}
	repaired = openai_parse(f->resp ? f->resp : "", f->resp_len,
	    &j->fallback, &p->listing, &p->prompt_tokens,
	    &p->completion_tokens, why, sizeof(why));
	if (repaired < 0) {
		char q[200];
		log_event(LOG_LVL_WARN, "content_bad_answer", "sku=%s try=%d reason=%s",
		    p->sku, f->tries, log_quote(why, q, sizeof(q)));
		return FETCH_RETRY;
	}
	if (repaired > 0)
		log_event(LOG_LVL_INFO, "content_repaired", "sku=%s fields=%d",
		    p->sku, repaired);
	p->have_listing = 1;
	run_checkpoint(r, p);
	return run_generated(r, p) ? FETCH_ABORT : FETCH_DONE;
}

/* "Authorization: Bearer KEY" for the request headers; the caller wipes
 * and frees it. */
static char *
auth_header(const char *key)
{
	char *h;

	if (asprintf(&h, "Authorization: Bearer %s", key) < 0)
		return NULL;
	return h;
}

static enum job_rc
generate_openai(struct run *r)
{
	const char *key = config_str(r->cfg, CFG_OPENAI_API_KEY);
	const char *base = config_str(r->cfg, CFG_OPENAI_BASE_URL);
	const char *model = config_str(r->cfg, CFG_OPENAI_MODEL);
	struct provider_job *jobs = NULL;
	struct fetch *f = NULL;
	struct curl_slist *hl = NULL, *t;
	char *auth = NULL, *url = NULL;
	size_t n = 0, blen;

	for (size_t i = 0; i < r->n; i++)
		n += !r->p[i].have_listing;
	if (n == 0)
		return JOB_OK;
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	jobs = calloc(n, sizeof(*jobs));
	f = calloc(n, sizeof(*f));
	auth = auth_header(key);
	if (asprintf(&url, "%.*s/chat/completions", (int)blen, base) < 0)
		url = NULL;
	if (jobs == NULL || f == NULL || auth == NULL || url == NULL ||
	    (t = curl_slist_append(hl, "Content-Type: application/json")) == NULL ||
	    (hl = t, t = curl_slist_append(hl, "Expect:")) == NULL ||
	    (hl = t, t = curl_slist_append(hl, auth)) == NULL) {
		run_fail(r, JOB_TRANSIENT, "internal", "out of memory");
		goto out;
	}
	hl = t;
	for (size_t i = 0, k = 0; i < r->n; i++) {
		struct product *p = &r->p[i];

		if (p->have_listing)
			continue;
		jobs[k].r = r;
		jobs[k].p = p;
		if (template_listing(p, &jobs[k].fallback) != 0 ||
		    (jobs[k].body = openai_request_body(p, model)) == NULL) {
			run_fail(r, JOB_TRANSIENT, "internal", "out of memory");
			goto out;
		}
		f[k].method = "POST";
		f[k].url = url;
		f[k].headers = hl;
		f[k].body = jobs[k].body;
		f[k].body_len = strlen(jobs[k].body);
		f[k].user = &jobs[k];
		k++;
	}
	if (fetch_all(f, n, &r->http, on_answer, r) == -2)
		run_fail(r, JOB_TRANSIENT, "internal", "the HTTP client failed to start");
out:
	for (size_t k = 0; jobs && f && k < n; k++) {
		fetch_reset(&f[k]);
		listing_free(&jobs[k].fallback);
		free(jobs[k].body);
	}
	curl_slist_free_all(hl);
	if (auth) {
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	free(url);
	free(jobs);
	free(f);
	return r->rc;
}

enum job_rc
generate_all(struct run *r)
{
	return r->openai ? generate_openai(r) : generate_template(r);
}
