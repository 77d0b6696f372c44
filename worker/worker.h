/*
 * worker.h -- jobq-worker's internals: the supervisor's state, its table
 * of runner slots (one long-lived job process each), and the parts that
 * live in their own files (runners, wake-up, recovery, finishing).
 */
#ifndef JOBQ_WORKER_H
#define JOBQ_WORKER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "jobq.h"
#include "worker/proto.h"

struct config;

#define SLOT_BATCH 32             /* most jobs handed to one runner at once */
#define SLOT_JOB(s) (&(s)->batch[(s)->cur])

enum slot_state {
	SLOT_EMPTY = 0,    /* no process (not started, or died and not yet replaced) */
	SLOT_STARTING,     /* forked, waiting for its READY frame */
	SLOT_IDLE,         /* waiting for a job */
	SLOT_BUSY          /* running job */
};

/* Why the supervisor is stopping a busy runner. */
enum kill_reason {
	KILL_NONE = 0,
	KILL_CANCEL,       /* cancel requested: SIGTERM, then SIGKILL */
	KILL_TIMEOUT,      /* JOBQ_JOB_TIMEOUT passed */
	KILL_MEMORY,       /* over JOBQ_JOB_MEMORY_MB */
	KILL_SHUTDOWN      /* grace over: the job is handed back */
};

struct slot {
	int idx;
	enum slot_state state;
	pid_t pid;
	int fd;
	struct inbuf in;
	long long base_rss_kb;       /* resident size when it became ready */
	unsigned jobs_run;
	/* The jobs handed to it: batch[cur] runs, later ones wait in its
	 * socket (tiny jobs only; see try_dispatch), earlier ones are done. */
	struct jobq_job batch[SLOT_BATCH];
	int nbatch, cur;
	int64_t started_mono, started_us, deadline_mono;
	enum kill_reason kill;
	int64_t kill_at_mono;        /* when to escalate SIGTERM to SIGKILL */
	/* progress reported but not yet written (rate limit) */
	int prog_pct;
	char *prog_msg;
	int prog_dirty;
	int64_t prog_written_mono;
};

/* A finished attempt waiting for the next batched write. */
struct pending {
	char id[JOBQ_ID_SIZE];
	char *type;
	int attempt;
	enum jobq_outcome outcome;
	char *text;
	char *message;               /* last progress message, or NULL */
	int64_t run_ms;
	const char *label;           /* outcome for the log line */
};

struct worker {
	const struct config *cfg;
	jobq *q;                     /* durable: outcomes, checkpoints */
	jobq *fq;                    /* fast: claims, heartbeats, progress */
	char id[300];                /* "host:pid" */
	char host[256];
	const char *runner_path;     /* the jobq-runner program */
	char **runner_env;           /* its environment: ours + the config */
	char *known;                 /* types the runners know, "a,b" */
	const char *types_flag;      /* --types, or NULL */
	const char **types;          /* NULL-terminated claimable types */
	int concurrency;
	int once;
	int64_t lease_ms, poll_ms, timeout_ms, grace_ms;
	long long memory_mb;
	int64_t hb_every_ms, recover_every_ms;

	struct slot *slots;
	int wake_fd, sig_fd;
	/* claimed jobs not yet given to a runner (short-job prefetch) */
	struct jobq_job *local;
	size_t nlocal, local_head, local_cap;
	/* finished attempts not yet written */
	struct pending *done;
	size_t ndone, done_cap;
	int64_t oldest_done_mono;
	double avg_run_ms;           /* running mean of recent job durations */

	int want_claim;
	int64_t due_at;              /* wall ms of the next delayed job, 0: none */
	int64_t next_poll_mono, next_hb_mono, next_recover_mono, next_rss_mono;
	int64_t respawn_after_mono;
	int stopping;
	int child_exited;            /* SIGCHLD seen since the last reap */
	int64_t stop_deadline_mono;
	unsigned long processed;
};

/* slot.c: the runner table */
/* Starts a runner in slot s.  Returns 0, or -1 if fork failed. */
int slot_spawn(struct worker *w, struct slot *s);
/* Sends jobs[0..n) to s's runner, which runs them in order; the slot owns
 * their strings from now on.  Returns 0, or -1 if the runner is gone (the
 * reaper then finishes them). */
int slot_dispatch(struct worker *w, struct slot *s, struct jobq_job *jobs,
    int n);
/* Reads and handles what s's runner sent.  Returns 0, or -1 at EOF. */
int slot_read(struct worker *w, struct slot *s);
/* Reaps exited runners and finishes the jobs they held. */
void slot_reap(struct worker *w);
/* Enforces timeouts, memory caps and kill escalation; writes due
 * progress.  Returns the earliest monotonic time it needs to run again. */
int64_t slot_tick(struct worker *w, int64_t now);
void slot_stop(struct worker *w, struct slot *s, enum kill_reason why);
long long slot_rss_kb(pid_t pid);

/* finish.c: batched outcomes */
/* message: the job's last progress message not yet written, or NULL. */
void finish_add(struct worker *w, const struct jobq_job *j, enum jobq_outcome o,
    const char *text, const char *message, int64_t run_ms, const char *label);
/* Writes the batch.  Returns 0, or -1 if the database refused (kept). */
int finish_flush(struct worker *w);
void finish_free(struct worker *w);

/* wake.c: inotify on the wake file */
int wake_open(const char *wake_path);
/* Drains the inotify fd; returns 1 if the wake file changed. */
int wake_drain(int fd, const char *wake_path);

/* recover.c */
/* Recovers the jobs of dead workers recorded on this host, then expired
 * leases anywhere. */
void recover_run(struct worker *w, int at_start);

#endif
