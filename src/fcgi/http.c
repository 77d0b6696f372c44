/*
 * http.c -- the HTTP side of a FastCGI request: parameters, the body (read
 * with a hard limit), strict JSON parsing, and answers with the headers
 * every API response carries.
 */
#include "fcgi/fcgi.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"

#define JSON_DEPTH 64
#define TEXT_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

void
req_reset(struct req *r)
{
	free(r->body);
	r->body = NULL;
	r->body_len = 0;
	r->method = NULL;
	r->path[0] = '\0';
	r->query = "";
	r->id[0] = '\0';
	r->status = 0;
	r->streaming = 0;
	r->handed_off = 0;
}

void
req_finish(FCGX_Request *fr)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);

	/* libfcgi ends a connection with a lingering close: shutdown, then
	 * wait for the web server to close its end while reading whatever
	 * request data is left, so that unread data cannot turn into a reset
	 * that loses the answer.  That wait costs two system calls and a
	 * sleep per request, and the committer's answering thread would pay
	 * it for every request in turn.  Once this request's stdin has been
	 * read to its end nothing can be left, and a plain close is safe.
	 * A request without a body has only the empty stdin record, which
	 * the server sends together with the parameters. */
	if (fr->in != NULL && !FCGX_HasSeenEOF(fr->in) &&
	    (cl == NULL || *cl == '\0' || strcmp(cl, "0") == 0))
		(void)FCGX_GetChar(fr->in);
	if (fr->in != NULL && FCGX_HasSeenEOF(fr->in))
		FCGX_Detach(fr);
	else
		FCGX_Attach(fr);
	FCGX_Finish_r(fr);
}

const char *
req_param(const struct req *r, const char *name)
{
	return FCGX_GetParam(name, r->fr->envp);
}

void
http_head(struct req *r, int status, const char *ctype, const char *extra)
{
	char head[1024];
	int n;

	r->status = status;
	n = snprintf(head, sizeof(head),
	    "Status: %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "%s\r\n", status, status_text(status), ctype, extra ? extra : "");
	if (n > 0 && (size_t)n < sizeof(head))
		FCGX_PutStr(head, n, r->fr->out);
}

const char *
http_json_text(json_object *o, size_t *len)
{
	return json_object_to_json_string_length(o, TEXT_FLAGS, len);
}

/* The head and a JSON text ending in a newline. */
static void
send_json(struct req *r, int status, const char *text, size_t len,
    const char *extra)
{
	http_head(r, status, "application/json; charset=utf-8", extra);
	FCGX_PutStr(text, (int)len, r->fr->out);
	FCGX_PutChar('\n', r->fr->out);
}

void
http_json(struct req *r, int status, json_object *body, const char *extra)
{
	size_t len = 0;
	const char *text;

	if (body == NULL) {
		http_error(r, 500, "internal", "out of memory", NULL, NULL);
		return;
	}
	text = http_json_text(body, &len);
	send_json(r, status, text, len, extra);
	json_object_put(body);
}

void
http_json_raw(struct req *r, int status, char *text, size_t len,
    const char *extra)
{
	if (text == NULL) {
		http_error(r, 500, "internal", "out of memory", NULL, NULL);
		return;
	}
	send_json(r, status, text, len, extra);
	free(text);
}

void
http_error(struct req *r, int status, const char *code, const char *message,
    json_object *details, const char *extra)
{
	json_object *o = json_object_new_object(), *e = json_object_new_object();

	json_object_object_add(e, "code", json_object_new_string(code));
	json_object_object_add(e, "message", json_object_new_string(message));
	if (details)
		json_object_object_add(e, "details", details);
	json_object_object_add(o, "error", e);
	http_json(r, status, o, extra);
}

void
http_jobq_error(struct req *r, int err, const char *what)
{
	char buf[256];

	switch (err) {
	case JOBQ_ERR_NOTFOUND:
		http_error(r, 404, "not_found", "no such job", NULL, NULL);
		return;
	case JOBQ_ERR_CONFLICT:
		snprintf(buf, sizeof(buf), "%s: the job's status does not allow it", what);
		http_error(r, 409, "conflict", buf, NULL, NULL);
		return;
	case JOBQ_ERR_BUSY:
		http_error(r, 503, "unavailable", "the database is busy; retry shortly",
		    NULL, "Retry-After: 1\r\n");
		return;
	case JOBQ_ERR_FULL:
		http_error(r, 503, "unavailable", "the database is full",
		    NULL, "Retry-After: 60\r\n");
		return;
	case JOBQ_ERR_IO:
		/* Missing, unreadable or unwritable: the operator's to fix, and
		 * the service is back once they have. */
		log_event(LOG_LVL_ERROR, "db_unavailable", "what=%s msg=%s", what,
		    log_quote(r->q ? jobq_errmsg(r->q) : "", buf, sizeof(buf)));
		http_error(r, 503, "unavailable", "the database cannot be reached",
		    NULL, "Retry-After: 5\r\n");
		return;
	default:
		/* The library's message may name files or SQL: log it only. */
		log_event(LOG_LVL_ERROR, "db_error", "what=%s err=%s msg=%s", what,
		    jobq_strerror(err),
		    log_quote(r->q ? jobq_errmsg(r->q) : "", buf, sizeof(buf)));
		http_error(r, 500, "internal", "internal error", NULL, NULL);
	}
}

int
req_read_body(struct req *r)
{
	const char *cl = req_param(r, "CONTENT_LENGTH");
	size_t max = r->srv->max_body, cap, len = 0;
	char *buf;

	if (cl && *cl) {
		char *end;
		unsigned long long v = strtoull(cl, &end, 10);
		if (*end != '\0' || !isdigit((unsigned char)*cl)) {
			http_error(r, 400, "invalid_request", "malformed Content-Length",
			    NULL, NULL);
			return -1;
		}
		if (v > max)
			goto too_large;
	}
	/* Never trust Content-Length: read at most max + 1 bytes. */
	cap = 4096;
	if ((buf = malloc(cap + 1)) == NULL)
		goto nomem;
	for (;;) {
		int want, got;

		if (len == cap) {
			char *nb;
			if (cap > max)
				break;
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				free(buf);
				goto nomem;
			}
			buf = nb;
		}
		want = (int)(cap - len);
		got = FCGX_GetStr(buf + len, want, r->fr->in);
		if (got <= 0)
			break;
		len += (size_t)got;
		if (len > max)
			break;
	}
	if (len > max) {
		free(buf);
		goto too_large;
	}
	if (FCGX_GetError(r->fr->in) != 0) {
		free(buf);
		http_error(r, 400, "invalid_request", "the request body broke off",
		    NULL, NULL);
		return -1;
	}
	buf[len] = '\0';
	r->body = buf;
	r->body_len = len;
	return 0;
too_large:
	{
		char msg[96];
		snprintf(msg, sizeof(msg), "the body is larger than %zu bytes", max);
		http_error(r, 413, "body_too_large", msg, NULL, NULL);
	}
	return -1;
nomem:
	http_error(r, 500, "internal", "out of memory", NULL, NULL);
	return -1;
}

int
req_is_json(const struct req *r)
{
	const char *ct = req_param(r, "CONTENT_TYPE");
	size_t n = strlen("application/json");

	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, "application/json", n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/* 1 if s is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF).  json-c's own check lets overlong
 * forms and surrogates through. */
static int
utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i], n, cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1; cp = c & 0x1f; min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2; cp = c & 0x0f; min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3; cp = c & 0x07; min = 0x10000;
		} else {
			return 0;
		}
		if (len - i <= n)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* Counts the members of every object in o. */
static size_t
count_members(json_object *o)
{
	size_t n = 0;

	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v) {
			(void)k;
			n += 1 + count_members(v);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		size_t len = json_object_array_length(o);
		for (size_t i = 0; i < len; i++)
			n += count_members(json_object_array_get_idx(o, i));
	}
	return n;
}

/* Counts the name separators of valid JSON text: each ':' outside a
 * string starts one object member.  json-c keeps only the last of
 * duplicate keys, so fewer parsed members than separators means a
 * duplicate key. */
static size_t
count_separators(const char *s, size_t len)
{
	size_t n = 0;
	int in_str = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == ':') {
			n++;
		}
	}
	return n;
}

json_object *
req_json_body(struct req *r)
{
	json_tokener *tok;
	json_object *o;
	enum json_tokener_error jerr;
	size_t end;
	char msg[160];

	if (!req_is_json(r)) {
		http_error(r, 415, "unsupported_media_type",
		    "send Content-Type: application/json", NULL, NULL);
		return NULL;
	}
	if (req_read_body(r) < 0)
		return NULL;
	if (memchr(r->body, '\0', r->body_len) != NULL) {
		http_error(r, 400, "invalid_json", "the body holds a NUL byte",
		    NULL, NULL);
		return NULL;
	}
	if (!utf8_valid((const unsigned char *)r->body, r->body_len)) {
		http_error(r, 400, "invalid_json", "the body is not valid UTF-8",
		    NULL, NULL);
		return NULL;
	}
	if ((tok = json_tokener_new_ex(JSON_DEPTH)) == NULL) {
		http_error(r, 500, "internal", "out of memory", NULL, NULL);
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, r->body, (int)r->body_len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (o == NULL || jerr != json_tokener_success) {
		if (jerr == json_tokener_continue)
			snprintf(msg, sizeof(msg), "the JSON text ends too early");
		else
			snprintf(msg, sizeof(msg), "malformed JSON at byte %zu: %s",
			    end, json_tokener_error_desc(jerr));
		json_object_put(o);
		http_error(r, 400, "invalid_json", msg, NULL, NULL);
		return NULL;
	}
	for (; end < r->body_len; end++)
		if (!strchr(" \t\r\n", r->body[end])) {
			json_object_put(o);
			http_error(r, 400, "invalid_json",
			    "text after the JSON value", NULL, NULL);
			return NULL;
		}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		http_error(r, 400, "invalid_json", "the body must be a JSON object",
		    NULL, NULL);
		return NULL;
	}
	if (count_members(o) != count_separators(r->body, r->body_len)) {
		json_object_put(o);
		http_error(r, 400, "invalid_json", "duplicate key in an object",
		    NULL, NULL);
		return NULL;
	}
	return o;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
req_query(const struct req *r, const char *name, char *buf, size_t size)
{
	size_t nlen = strlen(name);

	for (const char *p = r->query; *p; ) {
		const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);

		if ((size_t)(end - p) > nlen && strncmp(p, name, nlen) == 0 &&
		    p[nlen] == '=') {
			size_t o = 0;
			for (const char *s = p + nlen + 1; s < end; s++) {
				int c = (unsigned char)*s;
				if (c == '+') {
					c = ' ';
				} else if (c == '%') {
					int h, l;
					if (end - s < 3 || (h = hexval(s[1])) < 0 ||
					    (l = hexval(s[2])) < 0)
						return -1;
					c = h * 16 + l;
					s += 2;
				}
				if (c == 0 || o + 1 >= size)
					return -1;
				buf[o++] = (char)c;
			}
			buf[o] = '\0';
			return 1;
		}
		p = amp ? amp + 1 : end;
	}
	return 0;
}
