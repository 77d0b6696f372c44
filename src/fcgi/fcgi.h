/*
 * fcgi.h -- internals of jobq-fcgi, the FastCGI responder: the per-request
 * state, the HTTP helpers (http.c), the route table (routes.c), the
 * handlers (jobs.c, submit.c) and the group committer (commit.c).
 *
 * Ownership: a struct req belongs to one request thread and is reset for
 * every request; the body it holds is freed by req_reset().  The server
 * struct is filled once by main() and read-only afterwards.
 */
#ifndef JOBQ_FCGI_H
#define JOBQ_FCGI_H

#include <fcgiapp.h>
#include <json-c/json.h>
#include <stddef.h>

#include "common/config.h"
#include "jobq.h"

struct committer;

struct server {
	struct config cfg;
	struct committer *committer;
	size_t max_body;              /* JOBQ_MAX_BODY_BYTES */
	int trust_remote_user;
	int async_enabled;
	const char *async_types;
	int64_t alive_ms;             /* a worker seen this recently is alive */
	int test_progress_delay_ms;   /* tests only: sleep after each line */
};

struct req {
	FCGX_Request *fr;
	const struct server *srv;
	jobq *q;                      /* this thread's connection */
	const char *method;
	char path[256];               /* REQUEST_URI without the query */
	const char *query;            /* QUERY_STRING, never NULL */
	char id[JOBQ_ID_SIZE];        /* the {id} of the route, if any */
	char *body;                   /* NUL-terminated; NULL until read */
	size_t body_len;
	int status;                   /* status answered, for the log */
	int streaming;                /* headers of a stream were sent */
	int handed_off;               /* fr now belongs to the committer */
};

/* --- http.c -------------------------------------------------------------- */
void req_reset(struct req *r);
/* Finishes the request, closing its connection at once when the request
 * was read to its end (instead of libfcgi's lingering close). */
void req_finish(FCGX_Request *fr);
const char *req_param(const struct req *r, const char *name);
/* Reads the body, at most max_body bytes whatever Content-Length says.
 * Returns 0, or -1 after answering 413 (or 400 when the stream broke). */
int req_read_body(struct req *r);
/* 1 if the Content-Type is application/json (parameters allowed). */
int req_is_json(const struct req *r);
/* Parses the body as one JSON object (strict, depth-limited, UTF-8
 * checked, duplicate keys refused).  Returns the object, or NULL after
 * answering 400/415/413. */
json_object *req_json_body(struct req *r);
/* Copies the decoded value of query parameter name into buf.  Returns 1
 * if present, 0 if absent, -1 if too long or malformed. */
int req_query(const struct req *r, const char *name, char *buf, size_t size);

/* Sends the head: status, content type, the API headers, and extra
 * (already "\r\n"-terminated header lines, or NULL). */
void http_head(struct req *r, int status, const char *ctype,
    const char *extra);
/* Sends a complete JSON answer; consumes body. */
void http_json(struct req *r, int status, json_object *body,
    const char *extra);
/* Sends a complete answer whose JSON text is already made; consumes text
 * (malloc'd; NULL answers 500 out of memory). */
void http_json_raw(struct req *r, int status, char *text, size_t len,
    const char *extra);
/* Sends {"error":{"code","message"[,"details"]}}; consumes details. */
void http_error(struct req *r, int status, const char *code,
    const char *message, json_object *details, const char *extra);
/* Answers a library error: 404, 409, 422, 503 + Retry-After or 500. */
void http_jobq_error(struct req *r, int err, const char *what);
/* json-c serialisation used for every answer. */
const char *http_json_text(json_object *o, size_t *len);

/* --- routes.c ------------------------------------------------------------ */
void routes_dispatch(struct req *r);
typedef void (*route_fn)(struct req *r);
/* The handler for method and path (copying the {id} segment into id), or
 * NULL with the methods the path accepts in allow ("" when none: 404). */
route_fn routes_find(const char *method, const char *path,
    char id[JOBQ_ID_SIZE], char *allow, size_t allowsz);

/* --- handlers ------------------------------------------------------------ */
void h_run_content(struct req *r);
void h_submit(struct req *r);
void h_list(struct req *r);
void h_stats(struct req *r);
void h_get(struct req *r);
void h_cancel(struct req *r);
void h_retry(struct req *r);
void h_health(struct req *r);

/* --- commit.c: group commit ----------------------------------------------- */
/* Starts the committer thread with its own connection.  Returns NULL and
 * logs why on failure. */
struct committer *committer_start(const struct server *srv);
/* Hands job (copied) and the request fr (taken over) to the committer,
 * which answers fr through submit_answer() once the transaction holding
 * the job committed or failed, then finishes and frees it.  Waits while
 * too many are pending.  Returns 0, or -1 (out of memory: fr untouched). */
int committer_submit(struct committer *c, const struct jobq_new *job,
    FCGX_Request *fr);
/* Commits and answers what is waiting and stops the thread; frees c when
 * release is set (not while request threads may still submit). */
void committer_stop(struct committer *c, int release);
/* submit.c: the answer to an enqueue, 202 or the library's error. */
void submit_answer(struct req *r, int rc, const struct jobq_enqueued *out);

#endif
