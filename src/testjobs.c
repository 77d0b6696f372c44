/*
 * testjobs.c -- job types for testing the worker (see testjobs.h).
 *   test_sleep  {"ms":N,"log":path?,"cooperative":bool?}
 *               sleeps N ms; with log, appends "S id attempt t_us" when it
 *               starts and "E id attempt t_us" when it ends (one write each,
 *               O_APPEND, so lines of concurrent jobs never mix; t_us is
 *               CLOCK_MONOTONIC); reports progress and obeys cancel unless
 *               cooperative is false (then only a signal stops it)
 *   test_fail   {"permanent":bool}   fails every attempt
 *   test_crash  {}                   kills its own process (SIGKILL)
 *   test_alloc  {"mb":N,"hold_ms":M} touches N MB in 1 MB steps, holds it
 *   test_secret {}                   fails with an error that quotes
 *               OPENAI_API_KEY (the worker must redact it)
 *   test_ckpt   {}                   first attempt stores a checkpoint and
 *               fails; a later attempt finds it and succeeds with it
 */
#include "testjobs.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/config.h"

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

static void
mark(struct job_ctx *ctx, const char *path, char what)
{
	struct timespec ts;
	char line[128];
	int fd, n;

	if (path == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = snprintf(line, sizeof(line), "%c %s %d %lld\n", what,
	    ctx->job_id ? ctx->job_id : "-", ctx->attempt,
	    (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return;
	if (write(fd, line, (size_t)n) != n) {
		/* the test sees the missing line */
	}
	close(fd);
}

static enum job_rc
sleep_run(struct job_ctx *ctx, json_object **out)
{
	int64_t ms = get_int(ctx->payload, "ms", 1000), step = 50;
	json_object *v;
	const char *log = json_object_object_get_ex(ctx->payload, "log", &v) ?
	    json_object_get_string(v) : NULL;
	int coop = !json_object_object_get_ex(ctx->payload, "cooperative", &v) ||
	    json_object_get_boolean(v);
	char msg[64];

	mark(ctx, log, 'S');
	for (int64_t done = 0; done < ms; done += step) {
		int64_t d = step < ms - done ? step : ms - done;
		struct timespec ts = {(time_t)(d / 1000), (long)(d % 1000) * 1000000L};
		while (nanosleep(&ts, &ts) != 0 && !coop)
			;
		if (!coop)
			continue;
		snprintf(msg, sizeof(msg), "slept %lld of %lld ms",
		    (long long)(done + d), (long long)ms);
		if (ctx->progress(ctx, (int)((done + d) * 100 / (ms ? ms : 1)), msg)) {
			*out = job_error("canceled", "stopped on request");
			return JOB_CANCELED;
		}
	}
	mark(ctx, log, 'E');
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
	int64_t mb = get_int(ctx->payload, "mb", 1);
	int64_t hold = get_int(ctx->payload, "hold_ms", 0);
	char **chunks = calloc((size_t)(mb > 0 ? mb : 1), sizeof(*chunks));
	int64_t got = 0;
	enum job_rc rc = JOB_OK;

	for (; chunks && got < mb; got++) {
		if ((chunks[got] = malloc(1 << 20)) == NULL)
			break;
		memset(chunks[got], 1, 1 << 20);
	}
	if (chunks == NULL || got < mb) {
		*out = job_error("out_of_memory", "allocation refused by the memory cap");
		rc = JOB_TRANSIENT;
	} else {
		struct timespec ts = {(time_t)(hold / 1000), (long)(hold % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		*out = json_object_new_object();
		json_object_object_add(*out, "mb", json_object_new_int64(mb));
	}
	for (int64_t i = 0; chunks && i < got; i++)
		free(chunks[i]);
	free(chunks);
	return rc;
}

static enum job_rc
secret_run(struct job_ctx *ctx, json_object **out)
{
	const char *key = config_str(ctx->cfg, CFG_OPENAI_API_KEY);
	char msg[256];

	snprintf(msg, sizeof(msg), "provider refused key %s", key ? key : "(none)");
	*out = job_error("test_secret", msg);
	return JOB_PERMANENT;
}

static enum job_rc
ckpt_run(struct job_ctx *ctx, json_object **out)
{
	char *value = NULL, buf[32];

	if (ctx->checkpoint_get == NULL || ctx->checkpoint_put == NULL) {
		*out = job_error("test_ckpt", "no checkpoints here");
		return JOB_PERMANENT;
	}
	if (ctx->checkpoint_get(ctx, "step", &value) == 0) {
		*out = json_object_new_object();
		json_object_object_add(*out, "resumed_from", json_object_new_string(value));
		free(value);
		return JOB_OK;
	}
	snprintf(buf, sizeof(buf), "attempt %d", ctx->attempt);
	if (ctx->checkpoint_put(ctx, "step", buf) != 0) {
		*out = job_error("test_ckpt", "checkpoint refused");
		return JOB_PERMANENT;
	}
	*out = job_error("test_ckpt", "stored a checkpoint, failing once");
	return JOB_TRANSIENT;
}

static const struct job_type test_types[] = {
	{"test_sleep", accept_any, sleep_run, 1},
	{"test_fail", accept_any, fail_run, 1},
	{"test_crash", accept_any, crash_run, 1},
	{"test_alloc", accept_any, alloc_run, 1},
	{"test_secret", accept_any, secret_run, 1},
	{"test_ckpt", accept_any, ckpt_run, 1},
};

#define NTEST (sizeof(test_types) / sizeof(test_types[0]))

const struct job_type *const *
testjobs_all(const struct job_type *const *production)
{
	static const struct job_type *all[24];

	if (all[0] == NULL) {
		size_t n = 0;
		for (; production[n] && n < 16; n++)
			all[n] = production[n];
		for (size_t i = 0; i < NTEST; i++)
			all[n + i] = &test_types[i];
	}
	return all;
}
