/*
 * fuzz_route.c -- what the responder makes of a request line: the method
 * and path against the route table (ids included), and the query string's
 * list parameters.  Input: "METHOD\nPATH\nQUERY".
 */
#include <stdlib.h>
#include <string.h>

#include "fcgi/fcgi.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const params[] = {"status", "type", "limit", "cursor", "x"};
	char *s = malloc(size + 1), *method, *path, *query, allow[64], id[JOBQ_ID_SIZE];
	struct req r;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	method = s;
	path = strchr(method, '\n');
	path = path ? (*path = '\0', path + 1) : (char *)"";
	query = strchr(path, '\n');
	query = query ? (*query = '\0', query + 1) : (char *)"";
	route_fn fn = routes_find(method, path, id, allow, sizeof(allow));
	if (fn != NULL && strstr(path, "/api/jobs/") == path && strlen(path) > 10 &&
	    path[10] != 's' && !jobq_id_valid(id))
		abort();        /* an id route matched without a valid id */
	if (fn == NULL && strlen(allow) >= sizeof(allow))
		abort();
	memset(&r, 0, sizeof(r));
	r.query = query;
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		char buf[80];
		int rc = req_query(&r, params[i], buf, sizeof(buf));
		if (rc == 1 && strlen(buf) >= sizeof(buf))
			abort();
	}
	free(s);
	return 0;
}
