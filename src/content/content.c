/*
 * content.c -- PLACEHOLDER until the content workflow lands (issue 5):
 * checks that products is a non-empty array and reports progress per
 * product.  Replaced by the real workflow.
 */
#include "content/content.h"

#include <stdio.h>

int
content_validate(json_object *payload, const struct config *cfg,
    json_object *details)
{
	json_object *p;

	(void)cfg;
	if (!json_object_object_get_ex(payload, "products", &p) ||
	    !json_object_is_type(p, json_type_array) ||
	    json_object_array_length(p) == 0) {
		job_detail(details, "products", "expected an array of 1-500 products");
		return -1;
	}
	return 0;
}

enum job_rc
content_run(struct job_ctx *ctx, json_object **out)
{
	json_object *p;
	size_t n;
	char msg[64];

	json_object_object_get_ex(ctx->payload, "products", &p);
	n = json_object_array_length(p);
	for (size_t i = 0; i < n; i++) {
		snprintf(msg, sizeof(msg), "Generated content %zu/%zu", i + 1, n);
		if (ctx->progress(ctx, (int)((i + 1) * 100 / n), msg)) {
			*out = job_error("canceled", "canceled");
			return JOB_CANCELED;
		}
	}
	*out = json_object_new_object();
	json_object_object_add(*out, "products", json_object_new_int((int)n));
	return JOB_OK;
}
