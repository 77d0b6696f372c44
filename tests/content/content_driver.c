/*
 * content_driver.c -- runs the content workflow once, outside the queue,
 * the way the worker does: payload from a file, configuration from the
 * environment, checkpoints persisted to a JSON file (rewritten atomically
 * on every put, so a kill -9 at any moment leaves it whole), progress
 * printed as "PROGRESS pct message" lines.  Prints "RC <name>" and the
 * result or error JSON on stdout.  Used by the tests and the benchmark.
 *
 *   content_driver PAYLOAD.json [--job-id ID] [--checkpoints FILE]
 *       [--cancel-at PERCENT] [--cancel-after-ms MS]
 *
 * Test-only HTTP limits (not configuration keys): CONTENT_TEST_TIMEOUT_MS,
 * CONTENT_TEST_TRIES, CONTENT_TEST_BACKOFF_MS, CONTENT_TEST_RETRY_AFTER_MAX_MS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/config.h"
#include "content/fetch.h"
#include "content/internal.h"

struct driver {
	const char *ckpt_file;
	json_object *ckpts;
	int cancel_at;
	long cancel_after_ms;
	struct timespec t0;
};

static int
progress(struct job_ctx *ctx, int percent, const char *message)
{
	struct driver *d = ctx->impl;

	struct timespec now;

	printf("PROGRESS %d %s\n", percent, message);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (d->cancel_after_ms >= 0 && (now.tv_sec - d->t0.tv_sec) * 1000 +
	    (now.tv_nsec - d->t0.tv_nsec) / 1000000 >= d->cancel_after_ms)
		return 1;
	return d->cancel_at >= 0 && percent >= d->cancel_at;
}

static int
ckpt_get(struct job_ctx *ctx, const char *key, char **value)
{
	struct driver *d = ctx->impl;
	json_object *v;

	if (!json_object_object_get_ex(d->ckpts, key, &v))
		return -1;
	*value = strdup(json_object_get_string(v));
	return *value ? 0 : -1;
}

static int
ckpt_put(struct job_ctx *ctx, const char *key, const char *value)
{
	struct driver *d = ctx->impl;
	char tmp[4096];
	FILE *fp;

	json_object_object_add(d->ckpts, key, json_object_new_string(value));
	snprintf(tmp, sizeof(tmp), "%s.tmp", d->ckpt_file);
	if ((fp = fopen(tmp, "w")) == NULL)
		return -1;
	fputs(json_object_to_json_string_ext(d->ckpts, JSON_C_TO_STRING_PLAIN), fp);
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	return rename(tmp, d->ckpt_file);
}

static long
env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 10) : def;
}

int
main(int argc, char **argv)
{
	static const char *const names[] = {"JOB_OK", "JOB_TRANSIENT",
	    "JOB_PERMANENT", "JOB_CANCELED"};
	struct config cfg = {0};
	struct driver d = {NULL, NULL, -1, -1, {0, 0}};
	struct job_ctx ctx = {0};
	struct fetch_opts o;
	json_object *payload, *out = NULL, *details;
	char err[CONFIG_ERR_SIZE];
	enum job_rc rc;

	if (argc < 2) {
		fprintf(stderr, "usage: content_driver PAYLOAD [--job-id ID] "
		    "[--checkpoints FILE] [--cancel-at PCT]\n");
		return 2;
	}
	if (config_load(&cfg, NULL, err, sizeof(err)) != 0 ||
	    config_validate(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "content_driver: %s\n", err);
		return 2;
	}
	if ((payload = json_object_from_file(argv[1])) == NULL) {
		fprintf(stderr, "content_driver: cannot parse %s\n", argv[1]);
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--job-id") == 0)
			ctx.job_id = argv[i + 1];
		else if (strcmp(argv[i], "--checkpoints") == 0)
			d.ckpt_file = argv[i + 1];
		else if (strcmp(argv[i], "--cancel-at") == 0)
			d.cancel_at = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--cancel-after-ms") == 0)
			d.cancel_after_ms = atol(argv[i + 1]);
	}
	details = json_object_new_array();
	if (getenv("CONTENT_TEST_NO_VALIDATE") == NULL &&
	    content_validate(payload, &cfg, details) != 0) {
		printf("INVALID %s\n", json_object_to_json_string(details));
		fflush(stdout);
		json_object_put(details);
		json_object_put(payload);
		config_free(&cfg);
		return 3;
	}
	json_object_put(details);
	if (d.ckpt_file) {
		d.ckpts = json_object_from_file(d.ckpt_file);
		if (d.ckpts == NULL)
			d.ckpts = json_object_new_object();
		ctx.checkpoint_get = ckpt_get;
		ctx.checkpoint_put = ckpt_put;
	}
	ctx.cfg = &cfg;
	ctx.attempt = 1;
	ctx.payload = payload;
	ctx.progress = progress;
	ctx.impl = &d;
	content_default_http(&o);
	o.total_timeout_ms = env_long("CONTENT_TEST_TIMEOUT_MS", o.total_timeout_ms);
	o.max_tries = (int)env_long("CONTENT_TEST_TRIES", o.max_tries);
	o.backoff_base_ms = env_long("CONTENT_TEST_BACKOFF_MS", o.backoff_base_ms);
	o.retry_after_max_ms = env_long("CONTENT_TEST_RETRY_AFTER_MAX_MS",
	    o.retry_after_max_ms);
	clock_gettime(CLOCK_MONOTONIC, &d.t0);
	rc = content_run_with(&ctx, &o, &out);
	printf("RC %s\n%s\n", names[rc], out ? json_object_to_json_string_ext(out,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : "null");
	json_object_put(out);
	json_object_put(payload);
	json_object_put(d.ckpts);
	config_free(&cfg);
	return 0;
}
