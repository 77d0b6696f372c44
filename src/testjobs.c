/*
 * testjobs.c -- job types for testing the worker (see testjobs.h).
 *   test_sleep  {"ms":N}             sleeps, reporting progress; obeys cancel
 *   test_fail   {"permanent":bool}   fails every attempt
 *   test_crash  {}                   kills its own process (SIGKILL)
 *   test_alloc  {"mb":N}             touches N MB of memory, then succeeds
 */
#include "testjobs.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int
accept_any(json_object *payload, const struct config *cfg, json_object *details)
{
	(void)cfg;
	if (!json_object_is_type(payload, json_type_object)) {
		job_detail(details, "payload", "expected an object");
		return -1;
	}
	return 0;
}

static int64_t
get_int(json_object *o, const char *key, int64_t def)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : def;
}

static enum job_rc
sleep_run(struct job_ctx *ctx, json_object **out)
{
	int64_t ms = get_int(ctx->payload, "ms", 1000), step = 50;
	char msg[64];

	for (int64_t done = 0; done < ms; done += step) {
		struct timespec ts = {0, (long)(step < ms - done ? step : ms - done) * 1000000L};
		nanosleep(&ts, NULL);
		snprintf(msg, sizeof(msg), "slept %lld of %lld ms",
		    (long long)(done + step), (long long)ms);
		if (ctx->progress(ctx, (int)((done + step) * 100 / ms), msg)) {
			*out = job_error("canceled", "stopped on request");
			return JOB_CANCELED;
		}
	}
	*out = json_object_new_object();
	json_object_object_add(*out, "slept_ms", json_object_new_int64(ms));
	return JOB_OK;
}

static enum job_rc
fail_run(struct job_ctx *ctx, json_object **out)
{
	json_object *v;
	int permanent = json_object_object_get_ex(ctx->payload, "permanent", &v) &&
	    json_object_get_boolean(v);
	char msg[64];

	snprintf(msg, sizeof(msg), "failure on attempt %d", ctx->attempt);
	*out = job_error("test_failure", msg);
	return permanent ? JOB_PERMANENT : JOB_TRANSIENT;
}

static enum job_rc
crash_run(struct job_ctx *ctx, json_object **out)
{
	(void)ctx;
	*out = NULL;
	raise(SIGKILL);
	return JOB_TRANSIENT;
}

static enum job_rc
alloc_run(struct job_ctx *ctx, json_object **out)
{
	size_t mb = (size_t)get_int(ctx->payload, "mb", 1);
	char *p = malloc(mb << 20);

	if (p == NULL) {
		*out = job_error("out_of_memory", "allocation refused");
		return JOB_TRANSIENT;
	}
	memset(p, 1, mb << 20);
	free(p);
	*out = json_object_new_object();
	return JOB_OK;
}

static const struct job_type test_types[] = {
	{"test_sleep", accept_any, sleep_run, 1},
	{"test_fail", accept_any, fail_run, 1},
	{"test_crash", accept_any, crash_run, 1},
	{"test_alloc", accept_any, alloc_run, 1},
};

#define NTEST (sizeof(test_types) / sizeof(test_types[0]))

const struct job_type *const *
testjobs_all(const struct job_type *const *production)
{
	static const struct job_type *all[16];

	if (all[0] == NULL) {
		size_t n = 0;
		for (; production[n] && n < 8; n++)
			all[n] = production[n];
		for (size_t i = 0; i < NTEST; i++)
			all[n + i] = &test_types[i];
	}
	return all;
}
