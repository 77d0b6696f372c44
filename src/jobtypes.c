/*
 * jobtypes.c -- the job type table and the built-in "noop" type.
 */
#include "jobtypes.h"

#include <stdlib.h>
#include <string.h>

#include "content/content.h"
#include "testjobs.h"

static enum job_rc
noop_run(struct job_ctx *ctx, json_object **out)
{
	(void)ctx;
	*out = json_object_new_object();
	return JOB_OK;
}

static int
noop_validate(json_object *payload, const struct config *cfg,
    json_object *details)
{
	(void)payload;
	(void)cfg;
	(void)details;
	return 0;
}

static const struct job_type noop_type = {
	.name = "noop", .validate = noop_validate, .run = noop_run,
};

static const struct job_type content_type = {
	.name = "generate_amazon_content",
	.validate = content_validate,
	.run = content_run,
};

static const struct job_type *const production[] = {
	&content_type, &noop_type, NULL,
};

static int
test_jobs_enabled(void)
{
	const char *v = getenv("JOBQ_TEST_JOBS");
	return v != NULL && strcmp(v, "1") == 0;
}

const struct job_type *const *
jobtype_all(void)
{
	return test_jobs_enabled() ? testjobs_all(production) : production;
}

const struct job_type *
jobtype_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (const struct job_type *const *t = jobtype_all(); *t; t++)
		if (strcmp((*t)->name, name) == 0)
			return *t;
	return NULL;
}

json_object *
job_error(const char *code, const char *message)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "code", json_object_new_string(code));
	json_object_object_add(o, "message", json_object_new_string(message));
	return o;
}

void
job_detail(json_object *details, const char *field, const char *message)
{
	json_object *d = json_object_new_object();

	if (d == NULL)
		return;
	json_object_object_add(d, "field", json_object_new_string(field));
	json_object_object_add(d, "message", json_object_new_string(message));
	json_object_array_add(details, d);
}
