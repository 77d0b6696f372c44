/*
 * fetch.h -- HTTP requests run in parallel with curl multi: at most
 * `parallel` in flight, connect and total timeouts, no redirects, http and
 * https only, and retries with exponential backoff of network errors, 408,
 * 429 and 5xx, honouring Retry-After up to a bound.
 *
 * Ownership: the caller owns the struct fetch array and everything it
 * points to; fetch_all fills status, body and error fields, which
 * fetch_reset frees.
 */
#ifndef JOBQ_CONTENT_FETCH_H
#define JOBQ_CONTENT_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

struct fetch_opts {
	int parallel;                 /* requests in flight at once */
	long connect_timeout_ms;
	long total_timeout_ms;        /* per request attempt */
	int max_tries;                /* attempts per request, >= 1 */
	long backoff_base_ms;         /* base x 2^(try-1), capped */
	long backoff_max_ms;
	long retry_after_max_ms;      /* a longer Retry-After gives up */
	/* Called about every tick_ms while requests are pending (NULL:
	 * never); nonzero stops everything as FETCH_ABORT does.  Lets a
	 * slow provider not delay noticing a cancel. */
	int (*tick)(void *tick_arg);
	void *tick_arg;
	long tick_ms;
};

struct fetch {
	/* Request, set by the caller. */
	const char *method;           /* "GET", "POST", "PUT", "HEAD" */
	const char *url;
	struct curl_slist *headers;
	const char *body;             /* POST/PUT body, may be NULL */
	size_t body_len;
	const char *sigv4;            /* CURLOPT_AWS_SIGV4, or NULL */
	const char *userpwd;          /* with sigv4: "KEY:SECRET" */
	void *user;                   /* for the callback */

	/* Outcome of the last attempt. */
	long status;                  /* HTTP status, 0 if none */
	CURLcode cerr;                /* CURLE_OK when an answer came */
	char errbuf[CURL_ERROR_SIZE];
	char *resp;                   /* body, NUL-terminated */
	size_t resp_len;
	long retry_after_ms;          /* from Retry-After, -1 if none */
	int tries;                    /* attempts made */
	int gave_up;                  /* retries exhausted or bounded */

	/* Runner state. */
	int64_t not_before;           /* monotonic ms */
	int state;
	size_t resp_cap;
};

enum fetch_verdict {
	FETCH_DONE,                   /* accept the outcome */
	FETCH_RETRY,                  /* try again with backoff, if tries left */
	FETCH_ABORT                   /* stop everything: fetch_all returns -1 */
};

/* Called once per finished request: when an answer came that is not
 * retried (2xx, other 4xx), or a retryable failure after the last try
 * (f->gave_up set).  May be called again if it answered FETCH_RETRY. */
typedef enum fetch_verdict (*fetch_done_fn)(struct fetch *f, void *arg);

/* Runs the n requests.  Returns 0 when every callback answered
 * FETCH_DONE, -1 when one answered FETCH_ABORT (in-flight requests are
 * dropped), -2 on a curl setup failure. */
int fetch_all(struct fetch *f, size_t n, const struct fetch_opts *o,
    fetch_done_fn done, void *arg);
/* 1 if the outcome of f is worth retrying (network error, 408, 429, 5xx). */
int fetch_retryable(const struct fetch *f);
/* Frees the response of f and clears its outcome. */
void fetch_reset(struct fetch *f);
/* Initialises libcurl once per process (thread-safe). */
void fetch_global_init(void);

#endif
