/*
 * run.h -- the state of one run of the workflow, shared by workflow.c
 * (configuration, checkpoints, publishing, the flat file, the result) and
 * generate.c (the providers).  Owned by content_run_with; lives for one
 * attempt.
 */
#ifndef JOBQ_CONTENT_RUN_H
#define JOBQ_CONTENT_RUN_H

#include "content/fetch.h"
#include "content/internal.h"

struct run {
	struct job_ctx *ctx;
	const struct config *cfg;
	struct product *p;
	size_t n;
	struct fetch_opts http;
	int openai;
	size_t generated, published;  /* products done, for progress */
	int64_t last_report;          /* monotonic ms of the last progress */
	int last_percent;
	char last_msg[96];

	/* The first failure: rc, code and message of the error object. */
	enum job_rc rc;
	const char *code;
	char msg[512];
};

/* Records the first failure (later ones are dropped). */
void run_fail(struct run *r, enum job_rc rc, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Reports progress; returns nonzero (after recording the cancel) when the
 * job must stop. */
int run_progress(struct run *r, int percent, const char *msg);
/* Stores p's checkpoint if the caller supports checkpoints. */
void run_checkpoint(struct run *r, const struct product *p);
/* Progress of generation: called when product p got its listing. */
int run_generated(struct run *r, const struct product *p);

/* Generates the listing of every product that has none, with the
 * configured provider.  Returns JOB_OK or the recorded failure's rc. */
enum job_rc generate_all(struct run *r);

#endif
