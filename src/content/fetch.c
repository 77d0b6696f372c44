/*
 * fetch.c -- the curl multi runner (see fetch.h).  One easy handle per
 * attempt; connections are kept and reused by the multi handle.  Endpoints
 * come only from the caller (configuration): no redirects are followed,
 * only http and https are spoken, and proxies from the environment are
 * ignored.
 */
#include "content/fetch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/clock.h"

#define MAX_RESPONSE (8L * 1024 * 1024)

enum { ST_WAITING, ST_RUNNING, ST_DONE };

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
fetch_global_init(void)
{
	pthread_once(&curl_once, curl_init_once);
}

void
fetch_reset(struct fetch *f)
{
	free(f->resp);
	f->resp = NULL;
	f->resp_len = f->resp_cap = 0;
	f->status = 0;
	f->cerr = CURLE_OK;
	f->errbuf[0] = '\0';
	f->retry_after_ms = -1;
}

int
fetch_retryable(const struct fetch *f)
{
	if (f->cerr != CURLE_OK)
		return 1;
	return f->status == 408 || f->status == 429 || f->status >= 500;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch *f = arg;
	size_t n = size * nmemb;

	if (f->resp_len + n + 1 > (size_t)MAX_RESPONSE)
		return 0;             /* fails the transfer: too large */
	if (f->resp_len + n + 1 > f->resp_cap) {
		size_t cap = (f->resp_len + n + 1) * 2;
		char *t = realloc(f->resp, cap);
		if (t == NULL)
			return 0;
		f->resp = t;
		f->resp_cap = cap;
	}
	memcpy(f->resp + f->resp_len, data, n);
	f->resp_len += n;
	f->resp[f->resp_len] = '\0';
	return n;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch *f = arg;
	size_t n = size * nmemb;
	char val[128];

	if (n > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
		size_t len = n - 12;
		char *s = val, *end;
		long secs;

		if (len >= sizeof(val))
			len = sizeof(val) - 1;
		memcpy(val, data + 12, len);
		val[len] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		s[strcspn(s, "\r\n")] = '\0';
		secs = strtol(s, &end, 10);
		if (end != s && *end == '\0' && secs >= 0) {
			f->retry_after_ms = secs > 86400 ? 86400000L : secs * 1000;
		} else {
			time_t t = curl_getdate(s, NULL);
			int64_t now = clock_ms();
			if (t != -1)
				f->retry_after_ms = (int64_t)t * 1000 > now ?
				    (long)((int64_t)t * 1000 - now) : 0;
		}
	}
	return n;
}

static CURL *
start(CURLM *m, struct fetch *f, const struct fetch_opts *o)
{
	CURL *e = curl_easy_init();
	CURLcode rc = CURLE_OK;

	if (e == NULL)
		return NULL;
	fetch_reset(f);
	rc |= curl_easy_setopt(e, CURLOPT_URL, f->url);
	rc |= curl_easy_setopt(e, CURLOPT_PRIVATE, f);
	rc |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	rc |= curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	rc |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	rc |= curl_easy_setopt(e, CURLOPT_PROXY, "");
	rc |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	rc |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->total_timeout_ms);
	rc |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	rc |= curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
	rc |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	rc |= curl_easy_setopt(e, CURLOPT_HEADERDATA, f);
	rc |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, f->errbuf);
	rc |= curl_easy_setopt(e, CURLOPT_USERAGENT, "jobq/" PACKAGE_VERSION);
	rc |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->headers);
	if (strcmp(f->method, "HEAD") == 0) {
		rc |= curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (strcmp(f->method, "GET") != 0) {
		/* POSTFIELDS (not an upload callback) so that SigV4 can hash
		 * the payload; the method is set explicitly for PUT. */
		rc |= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)f->body_len);
		rc |= curl_easy_setopt(e, CURLOPT_POSTFIELDS, f->body ? f->body : "");
		if (strcmp(f->method, "POST") != 0)
			rc |= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, f->method);
	}
	if (f->sigv4) {
		rc |= curl_easy_setopt(e, CURLOPT_AWS_SIGV4, f->sigv4);
		rc |= curl_easy_setopt(e, CURLOPT_USERPWD, f->userpwd);
	}
	if (rc != CURLE_OK || curl_multi_add_handle(m, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		return NULL;
	}
	f->state = ST_RUNNING;
	return e;
}

static long
backoff_ms(const struct fetch_opts *o, int tries)
{
	long d = o->backoff_base_ms;
	static __thread unsigned seed;

	for (int i = 1; i < tries && d < o->backoff_max_ms; i++)
		d *= 2;
	if (d > o->backoff_max_ms)
		d = o->backoff_max_ms;
	/* +-20 % jitter so parallel retries do not arrive together. */
	if (seed == 0)
		seed = (unsigned)clock_mono_ms() | 1u;
	seed = seed * 1103515245u + 12345u;
	return d * 8 / 10 + (long)((seed >> 8) % (unsigned)(d * 4 / 10 + 1));
}

/* What to do with a finished attempt: 1 to schedule another, 0 to hand
 * it to the callback. */
static int
schedule_retry(struct fetch *f, const struct fetch_opts *o, int64_t now)
{
	long delay;

	if (f->tries >= o->max_tries) {
		f->gave_up = 1;
		return 0;
	}
	if (f->retry_after_ms >= 0) {
		if (f->retry_after_ms > o->retry_after_max_ms) {
			f->gave_up = 1;
			return 0;
		}
		delay = f->retry_after_ms;
	} else {
		delay = backoff_ms(o, f->tries);
	}
	f->not_before = now + delay;
	f->state = ST_WAITING;
	return 1;
}

int
fetch_all(struct fetch *f, size_t n, const struct fetch_opts *o,
    fetch_done_fn done, void *arg)
{
	CURLM *m;
	CURL **eh;                    /* the handle of each running request */
	size_t remaining = n;
	int running = 0, rc = 0;

	fetch_global_init();
	if ((eh = calloc(n ? n : 1, sizeof(*eh))) == NULL)
		return -2;
	if ((m = curl_multi_init()) == NULL) {
		free(eh);
		return -2;
	}
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)o->parallel);
	for (size_t i = 0; i < n; i++) {
		f[i].state = ST_WAITING;
		f[i].not_before = 0;
		f[i].tries = 0;
		f[i].gave_up = 0;
		f[i].retry_after_ms = -1;
	}
	int64_t next_tick = clock_mono_ms() + o->tick_ms;

	while (remaining > 0) {
		int64_t now = clock_mono_ms(), wake = now + 1000;

		if (o->tick && now >= next_tick) {
			next_tick = now + o->tick_ms;
			if (o->tick(o->tick_arg) != 0) {
				rc = -1;
				goto out;
			}
		}
		struct CURLMsg *msg;
		int still, q;

		for (size_t i = 0; i < n && running < o->parallel; i++) {
			if (f[i].state != ST_WAITING)
				continue;
			if (f[i].not_before > now) {
				if (f[i].not_before < wake)
					wake = f[i].not_before;
				continue;
			}
			if ((eh[i] = start(m, &f[i], o)) == NULL) {
				rc = -2;
				goto out;
			}
			running++;
		}
		curl_multi_perform(m, &still);
		while ((msg = curl_multi_info_read(m, &q)) != NULL) {
			struct fetch *d;
			enum fetch_verdict v;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&d);
			d->cerr = msg->data.result;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
			    &d->status);
			if (d->cerr != CURLE_OK && d->errbuf[0] == '\0')
				snprintf(d->errbuf, sizeof(d->errbuf), "%s",
				    curl_easy_strerror(d->cerr));
			curl_multi_remove_handle(m, msg->easy_handle);
			curl_easy_cleanup(msg->easy_handle);
			eh[d - f] = NULL;
			running--;
			d->tries++;
			now = clock_mono_ms();
			if (fetch_retryable(d) && schedule_retry(d, o, now))
				continue;
			v = done(d, arg);
			if (v == FETCH_RETRY) {
				d->retry_after_ms = -1;
				if (schedule_retry(d, o, now))
					continue;
				v = done(d, arg);   /* gave_up is now set */
			}
			if (v == FETCH_ABORT) {
				rc = -1;
				goto out;
			}
			d->state = ST_DONE;
			remaining--;
		}
		if (remaining == 0)
			break;
		/* Sleep until a transfer has news, or a waiting request may
		 * start in a free slot (at once if one is due already). */
		now = clock_mono_ms();
		wake = now + 1000;
		if (o->tick && next_tick < wake)
			wake = next_tick;
		for (size_t i = 0; running < o->parallel && i < n; i++)
			if (f[i].state == ST_WAITING && f[i].not_before < wake)
				wake = f[i].not_before;
		if (wake > now)
			curl_multi_poll(m, NULL, 0, (int)(wake - now), NULL);
	}
out:
	/* Drop whatever is still in flight. */
	for (size_t i = 0; i < n; i++) {
		if (eh[i] == NULL)
			continue;
		curl_multi_remove_handle(m, eh[i]);
		curl_easy_cleanup(eh[i]);
		f[i].state = ST_WAITING;
	}
	curl_multi_cleanup(m);
	free(eh);
	return rc;
}
