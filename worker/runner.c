/*
 * runner.c -- jobq-runner, a job process: a long-lived child of jobq-worker
 * (forked and exec'd, so it starts with a clean address space) that runs one
 * job at a time.  It receives a job frame, validates the payload, calls the
 * job type's run() and answers with a result frame; progress and
 * checkpoints travel as frames too, so a runner never opens the database
 * and a runner that crashes, leaks or hangs is simply killed and replaced
 * by the supervisor.  Only this program links the job types (the content
 * workflow, libcurl and its TLS stack); the supervisor stays small.
 *
 *   jobq-runner FD PARENT_PID     (started by jobq-worker only; the
 *                                  configuration comes from the environment)
 *
 * SIGTERM sets a stop flag that the job sees as the return value of its
 * progress callback (cancel, shutdown); SIGINT is ignored so a terminal's
 * Ctrl-C reaches only the supervisor, which decides.
 */
#include <json-c/json.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "jobq.h"

#include "common/clock.h"
#include "common/config.h"
#include "common/log.h"
#include "jobtypes.h"
#include "worker/proto.h"

#define PROGRESS_EVERY_MS 20

struct runner {
	int fd;
	struct inbuf in;
	const struct config *cfg;
	/* progress not yet sent (rate limit) */
	int pend_pct;
	char *pend_msg;
	int pend;
	int64_t last_sent;
};

static volatile sig_atomic_t stop_flag, hup_flag;

static void
on_term(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* The supervisor forwards SIGHUP: reopen the log before the next job. */
static void
on_hup(int sig)
{
	(void)sig;
	hup_flag = 1;
}

/* Replaces every occurrence of a configured secret in s (in place) with
 * asterisks, so a job that echoes a key in an error cannot leak it into
 * the database or the logs. */
static void
worker_redact(const struct config *cfg, char *s)
{
	static const enum cfg_key keys[] = {CFG_OPENAI_API_KEY,
	    CFG_AWS_SECRET_ACCESS_KEY, CFG_AWS_ACCESS_KEY_ID};

	if (s == NULL)
		return;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *secret = config_str(cfg, keys[i]);
		size_t n;
		char *p;

		if (secret == NULL || (n = strlen(secret)) < 4)
			continue;
		while ((p = strstr(s, secret)) != NULL)
			memset(p, '*', n);
	}
}

static void
send_progress(struct runner *r)
{
	int32_t pct = r->pend_pct;
	const char *m = r->pend_msg ? r->pend_msg : "";

	worker_redact(r->cfg, r->pend_msg);
	proto_send(r->fd, P_PROGRESS, &pct, sizeof(pct), m, strlen(m), NULL, 0);
	r->pend = 0;
	r->last_sent = clock_mono_ms();
}

static int
cb_progress(struct job_ctx *ctx, int percent, const char *message)
{
	struct runner *r = ctx->impl;

	r->pend_pct = percent;
	free(r->pend_msg);
	r->pend_msg = message ? strdup(message) : NULL;
	r->pend = 1;
	if (clock_mono_ms() - r->last_sent >= PROGRESS_EVERY_MS)
		send_progress(r);
	return stop_flag != 0;
}

/* Sends a request and waits for its answer frame. */
static int
ask(struct runner *r, uint8_t kind, const char *a, size_t alen,
    const char *b, size_t blen, struct frame *f)
{
	if (proto_send(r->fd, kind, a, alen, b, blen, NULL, 0) < 0)
		return -1;
	if (proto_recv(r->fd, &r->in, f) != 1)
		_exit(0);   /* the supervisor is gone: nothing to report to */
	return 0;
}

static int
cb_ckpt_get(struct job_ctx *ctx, const char *key, char **value)
{
	struct runner *r = ctx->impl;
	struct frame f;
	int rc = -1;

	*value = NULL;
	if (ask(r, P_CKPT_GET, key, strlen(key), NULL, 0, &f) < 0)
		return -1;
	if (f.kind == P_CKPT_VALUE && f.len >= 1 && f.body[0] == 0) {
		if ((*value = strdup(f.body + 1)) != NULL)
			rc = 0;
	}
	free(f.body);
	return rc;
}

static int
cb_ckpt_put(struct job_ctx *ctx, const char *key, const char *value)
{
	struct runner *r = ctx->impl;
	struct frame f;
	int rc;

	if (ask(r, P_CKPT_PUT, key, strlen(key) + 1, value, strlen(value), &f) < 0)
		return -1;
	rc = (f.kind == P_CKPT_ACK && f.len >= 1 && f.body[0] == 0) ? 0 : -1;
	free(f.body);
	return rc;
}

static void
send_result(struct runner *r, enum job_rc rc, json_object *out)
{
	uint8_t b = (uint8_t)rc;
	const char *text = out ? json_object_to_json_string_ext(out,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : "null";
	char *copy = strdup(text);

	if (r->pend)
		send_progress(r);
	if (copy)
		worker_redact(r->cfg, copy);
	proto_send(r->fd, P_RESULT, &b, 1, copy ? copy : "null",
	    strlen(copy ? copy : "null"), NULL, 0);
	free(copy);
}

/* Runs one job frame: "id\0type\0attempt\0payload". */
static void
run_job(struct runner *r, struct frame *f)
{
	const char *id = f->body, *type, *att, *payload_text;
	const char *end = f->body + f->len;
	json_object *payload = NULL, *out = NULL, *details = NULL;
	const struct job_type *t;
	enum job_rc rc;

	type = id + strlen(id) + 1;
	att = type < end ? type + strlen(type) + 1 : end;
	payload_text = att < end ? att + strlen(att) + 1 : end;
	if (payload_text >= end) {
		out = job_error("internal", "malformed job frame");
		send_result(r, JOB_PERMANENT, out);
		goto done;
	}
	if ((t = jobtype_find(type)) == NULL) {
		out = job_error("unknown_type", "this worker has no such job type");
		send_result(r, JOB_PERMANENT, out);
		goto done;
	}
	payload = json_tokener_parse(payload_text);
	details = json_object_new_array();
	if (payload == NULL || (t->validate && details &&
	    t->validate(payload, r->cfg, details) != 0)) {
		out = job_error("invalid_payload", payload == NULL ?
		    "payload is not JSON" : "payload failed validation");
		if (payload != NULL && details != NULL) {
			json_object_object_add(out, "details", details);
			details = NULL;
		}
		send_result(r, JOB_PERMANENT, out);
		goto done;
	}
	struct job_ctx ctx = {
		.cfg = r->cfg,
		.job_id = id,
		.attempt = atoi(att),
		.payload = payload,
		.progress = cb_progress,
		.checkpoint_get = cb_ckpt_get,
		.checkpoint_put = cb_ckpt_put,
		.impl = r,
	};
	rc = t->run(&ctx, &out);
	if (rc != JOB_OK && out == NULL)
		out = job_error("job_failed", "the job failed without saying why");
	send_result(r, rc, out);
done:
	json_object_put(payload);
	json_object_put(out);
	json_object_put(details);
}

/* Caps the address space (not under AddressSanitizer, whose shadow
 * mappings need terabytes of it; the supervisor's RSS watch enforces the
 * cap there, and everywhere as well). */
static void
cap_memory(long long mb)
{
#if defined(__SANITIZE_ADDRESS__)
	(void)mb;
#else
	long long pages = 0;
	FILE *f;

	if (mb <= 0 || (f = fopen("/proc/self/statm", "r")) == NULL)
		return;
	if (fscanf(f, "%lld", &pages) != 1)
		pages = 0;
	fclose(f);
	rlim_t lim = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) +
	    (rlim_t)mb * 1024 * 1024;
	struct rlimit rl = {lim, lim};
	setrlimit(RLIMIT_AS, &rl);
#endif
}

/* The READY frame: the job types this runner knows, comma separated. */
static int
send_ready(int fd)
{
	char list[2048];
	size_t o = 0;

	list[0] = '\0';
	for (const struct job_type *const *t = jobtype_all(); *t; t++)
		if (o < sizeof(list) - JOBQ_TYPE_MAX - 2)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
			    o ? "," : "", (*t)->name);
	return proto_send(fd, P_READY, list, o, NULL, 0, NULL, 0);
}

int
main(int argc, char **argv)
{
	struct config cfg = {0};
	struct runner r = {0};
	struct sigaction sa;
	sigset_t none;
	struct frame f;
	char err[CONFIG_ERR_SIZE];
	int fd;

	if (argc != 3 || (fd = atoi(argv[1])) < 3) {
		fprintf(stderr, "jobq-runner: started by jobq-worker only\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Die with the supervisor, so a SIGKILLed worker leaves no job
	 * running behind the back of the one that recovers its jobs. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != (pid_t)atol(argv[2]))
		return 0;
	if (config_load(&cfg, NULL, err, sizeof(err)) < 0 ||
	    config_validate(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "jobq-runner: %s\n", err);
		return 2;
	}
	log_open(config_str(&cfg, CFG_LOG), "jobq-runner");
	r.fd = fd;
	r.cfg = &cfg;
	cap_memory(config_int(&cfg, CFG_JOB_MEMORY_MB));
	if (send_ready(fd) < 0)
		return 0;
	for (;;) {
		int rc = proto_recv(fd, &r.in, &f);
		if (rc != 1)
			break;
		if (hup_flag) {
			hup_flag = 0;
			log_reopen();
		}
		if (f.kind == P_JOB) {
			stop_flag = 0;
			r.last_sent = 0;
			r.pend = 0;
			run_job(&r, &f);
		}
		free(f.body);
	}
	/* Nothing to flush or free for: the supervisor closed the socket. */
	_exit(0);
}
