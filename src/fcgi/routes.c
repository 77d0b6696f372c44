/*
 * routes.c -- the route table of the API (contract section 3) and the
 * dispatcher: a path matches a pattern segment by segment, "{id}" matches
 * only a well-formed job id (so a malformed id is a plain 404), and a path
 * that matches with another method gets 405 and Allow.
 */
#include "fcgi/fcgi.h"

#include <stdio.h>
#include <string.h>

struct route {
	const char *method;
	const char *pattern;
	void (*handler)(struct req *r);
};

static const struct route routes[] = {
	{"POST", "/api/run/content", h_run_content},
	{"POST", "/api/jobs", h_submit},
	{"GET", "/api/jobs", h_list},
	{"GET", "/api/jobs/stats", h_stats},
	{"GET", "/api/jobs/{id}", h_get},
	{"POST", "/api/jobs/{id}/cancel", h_cancel},
	{"POST", "/api/jobs/{id}/retry", h_retry},
	{"GET", "/api/health", h_health},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* Returns 1 if path matches pattern, copying the {id} segment into id. */
static int
match(const char *pattern, const char *path, char id[JOBQ_ID_SIZE])
{
	while (*pattern && *path) {
		if (strncmp(pattern, "{id}", 4) == 0) {
			size_t n = strcspn(path, "/");
			char seg[JOBQ_ID_SIZE];

			if (n == 0 || n >= sizeof(seg))
				return 0;
			memcpy(seg, path, n);
			seg[n] = '\0';
			if (!jobq_id_valid(seg))
				return 0;
			memcpy(id, seg, n + 1);
			pattern += 4;
			path += n;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
}

route_fn
routes_find(const char *method, const char *path, char id[JOBQ_ID_SIZE],
    char *allow, size_t allowsz)
{
	char seg[JOBQ_ID_SIZE] = "";

	allow[0] = '\0';
	for (size_t i = 0; i < NROUTES; i++) {
		if (!match(routes[i].pattern, path, seg))
			continue;
		if (strcmp(routes[i].method, method) == 0) {
			memcpy(id, seg, JOBQ_ID_SIZE);
			return routes[i].handler;
		}
		if (strstr(allow, routes[i].method) == NULL) {
			size_t n = strlen(allow);
			snprintf(allow + n, allowsz - n, "%s%s", n ? ", " : "",
			    routes[i].method);
		}
	}
	return NULL;
}

void
routes_dispatch(struct req *r)
{
	char allow[64], extra[96];
	route_fn fn = routes_find(r->method, r->path, r->id, allow, sizeof(allow));

	if (fn != NULL) {
		fn(r);
		return;
	}
	if (allow[0] == '\0') {
		http_error(r, 404, "not_found", "no such resource", NULL, NULL);
		return;
	}
	snprintf(extra, sizeof(extra), "Allow: %s\r\n", allow);
	http_error(r, 405, "method_not_allowed", "method not allowed here", NULL,
	    extra);
}
