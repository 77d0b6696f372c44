/*
 * slot.c -- the supervisor's table of runners: starting them, handing them
 * jobs, reading what they report, enforcing the timeout and the memory cap,
 * and finishing the job of a runner that died without reporting.
 */
#include "worker/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/log.h"
#include "jobtypes.h"

#define PROGRESS_WRITE_MS 250    /* at most four progress writes a second */
#define CANCEL_KILL_MS 2000      /* SIGTERM, then SIGKILL this much later */
#define RSS_EVERY_MS 100

long long
slot_rss_kb(pid_t pid)
{
	char path[64];
	long long size = 0, rss = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fscanf(f, "%lld %lld", &size, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss < 0 ? -1 : rss * (sysconf(_SC_PAGESIZE) / 1024);
}

int
slot_spawn(struct worker *w, struct slot *s)
{
	char fdarg[16], ppid[24];
	char *argv[] = {"jobq-runner", fdarg, ppid, NULL};
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	/* The runner gets its end as fd 3 (or wherever it already is). */
	snprintf(fdarg, sizeof(fdarg), "3");
	snprintf(ppid, sizeof(ppid), "%d", (int)getpid());
	if ((pid = fork()) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		/* Only async-signal-safe calls between fork and exec.  Every
		 * other descriptor of the supervisor is close-on-exec. */
		if (sv[1] == 3)
			fcntl(3, F_SETFD, 0);
		else if (dup2(sv[1], 3) < 0)
			_exit(127);
		execve(w->runner_path, argv, w->runner_env);
		_exit(127);
	}
	close(sv[1]);
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	s->pid = pid;
	s->fd = sv[0];
	s->state = SLOT_STARTING;
	s->kill = KILL_NONE;
	s->jobs_run = 0;
	s->in.len = 0;
	return 0;
}

/* The job batch[cur] starts now (in order, right after the one before). */
static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
job_begins(struct worker *w, struct slot *s, int64_t now)
{
	s->started_mono = now;
	s->started_us = mono_us();
	s->deadline_mono = now + w->timeout_ms;
	s->prog_dirty = 0;
	s->prog_written_mono = 0;
}

int
slot_dispatch(struct worker *w, struct slot *s, struct jobq_job *jobs, int n)
{
	size_t need = 0, len = 0;
	char *buf;
	int rc = 0;

	s->state = SLOT_BUSY;
	s->kill = KILL_NONE;
	s->nbatch = n;
	s->cur = 0;
	job_begins(w, s, clock_mono_ms());
	for (int i = 0; i < n; i++) {
		s->batch[i] = jobs[i];
		memset(&jobs[i], 0, sizeof(jobs[i]));
		need += 8 + JOBQ_ID_SIZE + strlen(s->batch[i].type) + 16 +
		    (s->batch[i].payload ? strlen(s->batch[i].payload) : 2) + 1;
	}
	if ((buf = malloc(need)) == NULL)
		return -1;
	for (int i = 0; i < n; i++) {
		struct jobq_job *j = &s->batch[i];
		const char *payload = j->payload ? j->payload : "{}";

		/* A batch of tiny jobs logs only their outcomes. */
		if (n == 1)
			log_event(LOG_LVL_INFO, "job_started", "job=%s type=%s"
			    " attempt=%d runner=%d wait_ms=%lld", j->id, j->type,
			    j->attempts, (int)s->pid, (long long)(j->started_at -
			    (j->run_at > j->created_at ? j->run_at : j->created_at)));
		/* One frame: id \0 type \0 attempt \0 payload. */
		len += proto_frame(buf + len, need - len, P_JOB, j->id, j->type,
		    j->attempts, payload);
	}
	if (proto_write(s->fd, buf, len) < 0)
		rc = -1;
	free(buf);
	return rc;
}

/* Maps a runner's answer to the queue's outcome. */
static enum jobq_outcome
outcome_of(struct slot *s, enum job_rc rc, const char **label)
{
	switch (rc) {
	case JOB_OK:
		*label = "succeeded";
		return JOBQ_DONE;
	case JOB_TRANSIENT:
		*label = SLOT_JOB(s)->attempts < SLOT_JOB(s)->max_attempts ? "retry" : "failed";
		return JOBQ_FAIL_TRANSIENT;
	case JOB_CANCELED:
		if (SLOT_JOB(s)->cancel_requested) {
			*label = "canceled";
			return JOBQ_FAIL_PERMANENT;
		}
		/* Stopped by a SIGTERM nobody asked for as a cancel (the
		 * service manager signalling the whole group): give it back. */
		*label = "handed_back";
		return JOBQ_HAND_BACK;
	case JOB_PERMANENT:
	default:
		*label = "failed";
		return JOBQ_FAIL_PERMANENT;
	}
}

static void
write_progress(struct worker *w, struct slot *s, int64_t now)
{
	struct jobq_lease l = {SLOT_JOB(s)->id, w->id, SLOT_JOB(s)->attempts};
	int cancel = 0, err;

	s->prog_dirty = 0;
	s->prog_written_mono = now;
	err = jobq_progress(w->fq, &l, s->prog_pct, s->prog_msg, &cancel);
	if (err == JOBQ_ERR_LOST) {
		log_event(LOG_LVL_WARN, "job_lease_lost", "job=%s type=%s"
		    " attempt=%d", SLOT_JOB(s)->id, SLOT_JOB(s)->type, SLOT_JOB(s)->attempts);
		slot_stop(w, s, KILL_CANCEL);
	} else if (err != JOBQ_OK) {
		char m[256];
		log_event(LOG_LVL_WARN, "progress_failed", "job=%s error=%s",
		    SLOT_JOB(s)->id, log_quote(jobq_errmsg(w->fq), m, sizeof(m)));
	} else if (cancel && s->kill == KILL_NONE) {
		SLOT_JOB(s)->cancel_requested = 1;
		slot_stop(w, s, KILL_CANCEL);
	}
}

static void
reply_ckpt(struct worker *w, struct slot *s, struct frame *f)
{
	struct jobq_lease l = {SLOT_JOB(s)->id, w->id, SLOT_JOB(s)->attempts};
	char *value = NULL;
	uint8_t st;

	if (f->kind == P_CKPT_GET) {
		int err = jobq_checkpoint_get(w->q, SLOT_JOB(s)->id, f->body, &value);
		st = err == JOBQ_OK ? 0 : err == JOBQ_ERR_NOTFOUND ? 1 : 2;
		proto_send(s->fd, P_CKPT_VALUE, &st, 1, value,
		    value ? strlen(value) : 0, NULL, 0);
		free(value);
		return;
	}
	size_t kl = strlen(f->body);
	const char *val = kl < f->len ? f->body + kl + 1 : "";
	st = jobq_checkpoint_put(w->q, &l, f->body, val) == JOBQ_OK ? 0 : 1;
	proto_send(s->fd, P_CKPT_ACK, &st, 1, NULL, 0, NULL, 0);
}

static void
take_result(struct worker *w, struct slot *s, struct frame *f)
{
	const char *label;
	enum job_rc rc = f->len >= 1 ? (enum job_rc)(unsigned char)f->body[0] :
	    JOB_PERMANENT;
	enum jobq_outcome o = outcome_of(s, rc, &label);
	int64_t run = clock_mono_ms() - s->started_mono;
	double us = (double)(mono_us() - s->started_us);

	/* Running mean of job time: decides prefetch and batching. */
	w->avg_run_ms = w->avg_run_ms <= 0 ? us / 1000 : w->avg_run_ms * 0.9 + us / 10000;
	/* The last progress may still wait for its rate-limit slot: it goes
	 * with the outcome, so a finished job shows where it ended. */
	finish_add(w, SLOT_JOB(s), o, f->len > 1 ? f->body + 1 : NULL,
	    s->prog_dirty ? s->prog_msg : NULL, run, label);
	s->prog_dirty = 0;
	jobq_job_clear(SLOT_JOB(s));
	s->jobs_run++;
	if (++s->cur < s->nbatch) {
		/* The runner went straight on to the next job of the batch; a
		 * stop meant for the one that just finished is not for it (if
		 * the signal still reaches it, it stops and is handed back). */
		s->kill = KILL_NONE;
		s->kill_at_mono = 0;
		job_begins(w, s, clock_mono_ms());
		return;
	}
	s->cur = s->nbatch = 0;
	s->state = SLOT_IDLE;
	s->kill = KILL_NONE;
	/* A runner that grew (a leak, a fragmented heap) is replaced rather
	 * than carried into the next job. */
	if (w->memory_mb > 0 && (run >= 50 || s->jobs_run % 32 == 0)) {
		long long rss = slot_rss_kb(s->pid);
		if (rss >= 0 && rss - s->base_rss_kb > w->memory_mb * 1024 / 2) {
			log_event(LOG_LVL_INFO, "runner_recycled", "runner=%d"
			    " rss_kb=%lld", (int)s->pid, rss);
			close(s->fd);
			s->fd = -1;
			s->state = SLOT_EMPTY;   /* exits at EOF; reaped as unknown */
			s->pid = 0;
		}
	}
}

static void
handle(struct worker *w, struct slot *s, struct frame *f)
{
	switch (f->kind) {
	case P_READY:
		if (s->state == SLOT_STARTING) {
			s->state = SLOT_IDLE;
			s->base_rss_kb = slot_rss_kb(s->pid);
			if (w->known == NULL)
				w->known = strdup(f->body);   /* its job types */
		}
		break;
	case P_PROGRESS:
		if (s->state == SLOT_BUSY && f->len >= 4) {
			int32_t pct;
			memcpy(&pct, f->body, 4);
			s->prog_pct = pct;
			free(s->prog_msg);
			s->prog_msg = strdup(f->body + 4);
			s->prog_dirty = 1;
		}
		break;
	case P_CKPT_GET:
	case P_CKPT_PUT:
		if (s->state == SLOT_BUSY)
			reply_ckpt(w, s, f);
		break;
	case P_RESULT:
		if (s->state == SLOT_BUSY)
			take_result(w, s, f);
		break;
	default:
		break;
	}
}

int
slot_read(struct worker *w, struct slot *s)
{
	struct frame f;
	long r;
	int eof = 0;

	if (s->fd < 0)
		return -1;
	for (;;) {
		r = proto_fill(s->fd, &s->in);
		if (r == 0) {
			eof = 1;
			break;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				eof = 1;
			break;
		}
		int more = 0;
		while (s->fd >= 0 && (more = proto_next(&s->in, &f)) == 1) {
			handle(w, s, &f);
			free(f.body);
		}
		if (more < 0 || s->fd < 0) {
			eof = more < 0;
			break;
		}
	}
	if (eof && s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	return eof ? -1 : 0;
}

/* Finishes the job of a runner that died holding it. */
static void
died_busy(struct worker *w, struct slot *s, int status)
{
	char text[512], sig[64] = "";
	const char *label = "retry";
	enum jobq_outcome o = JOBQ_FAIL_TRANSIENT;
	int64_t run = clock_mono_ms() - s->started_mono;

	if (WIFSIGNALED(status))
		snprintf(sig, sizeof(sig), "signal %d (SIG%s)", WTERMSIG(status),
		    sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
	else
		snprintf(sig, sizeof(sig), "exit status %d", WEXITSTATUS(status));
	switch (s->kill) {
	case KILL_CANCEL:
		o = JOBQ_FAIL_PERMANENT;
		label = "canceled";
		snprintf(text, sizeof(text), "{\"code\":\"canceled\",\"message\":"
		    "\"canceled while running; job process stopped by %s\"}", sig);
		break;
	case KILL_TIMEOUT:
		snprintf(text, sizeof(text), "{\"code\":\"timeout\",\"message\":"
		    "\"attempt ran longer than %lld s (JOBQ_JOB_TIMEOUT) and was"
		    " killed\"}", (long long)(w->timeout_ms / 1000));
		break;
	case KILL_MEMORY:
		snprintf(text, sizeof(text), "{\"code\":\"memory_limit\",\"message\":"
		    "\"job used more than %lld MB (JOBQ_JOB_MEMORY_MB) and was"
		    " killed\"}", w->memory_mb);
		break;
	case KILL_SHUTDOWN:
		o = JOBQ_HAND_BACK;
		label = "handed_back";
		text[0] = '\0';
		break;
	case KILL_NONE:
	default:
		snprintf(text, sizeof(text), "{\"code\":\"crashed\",\"message\":"
		    "\"job process died without reporting: %s%s\"}", sig,
		    WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ?
		    "; killed from outside, perhaps by the kernel's OOM killer" : "");
		break;
	}
	if (o == JOBQ_FAIL_TRANSIENT && SLOT_JOB(s)->attempts >= SLOT_JOB(s)->max_attempts)
		label = "failed";
	finish_add(w, SLOT_JOB(s), o, text[0] ? text : NULL,
	    s->prog_dirty ? s->prog_msg : NULL, run, label);
	s->prog_dirty = 0;
	jobq_job_clear(SLOT_JOB(s));
	/* Jobs still waiting in its socket never started. */
	for (int i = s->cur + 1; i < s->nbatch; i++) {
		finish_add(w, &s->batch[i], JOBQ_HAND_BACK, NULL, NULL, 0, "handed_back");
		jobq_job_clear(&s->batch[i]);
	}
	s->cur = s->nbatch = 0;
}

/* Handles the exit of slot s's runner. */
static void
reaped(struct worker *w, struct slot *s, int status)
{
	/* Whatever it said before dying counts (a result, say). */
	while (s->fd >= 0 && slot_read(w, s) == 0)
		;
	if (s->state == SLOT_BUSY) {
		died_busy(w, s, status);
		if (s->kill == KILL_NONE)
			log_event(LOG_LVL_WARN, "runner_died", "runner=%d%s%d",
			    (int)s->pid, WIFSIGNALED(status) ? " signal=" : " status=",
			    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	} else if (!w->stopping) {
		log_event(LOG_LVL_WARN, "runner_died", "runner=%d idle=1",
		    (int)s->pid);
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->pid = 0;
	s->state = SLOT_EMPTY;
	s->kill = KILL_NONE;
	free(s->prog_msg);
	s->prog_msg = NULL;
	s->in.len = 0;
}

void
slot_reap(struct worker *w)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < w->concurrency; i++)
			if (w->slots[i].pid == pid && w->slots[i].state != SLOT_EMPTY) {
				reaped(w, &w->slots[i], status);
				break;
			}
	}
}

void
slot_stop(struct worker *w, struct slot *s, enum kill_reason why)
{
	(void)w;
	if (s->state != SLOT_BUSY || s->pid <= 0)
		return;
	if (s->kill != KILL_NONE && why == KILL_CANCEL)
		return;
	s->kill = why;
	if (why == KILL_CANCEL) {
		log_event(LOG_LVL_INFO, "job_cancel", "job=%s type=%s attempt=%d",
		    SLOT_JOB(s)->id, SLOT_JOB(s)->type, SLOT_JOB(s)->attempts);
		kill(s->pid, SIGTERM);
		s->kill_at_mono = clock_mono_ms() + CANCEL_KILL_MS;
	} else {
		kill(s->pid, SIGKILL);
		s->kill_at_mono = 0;
	}
	if (why == KILL_SHUTDOWN) {
		/* Wait for it here, so what it reported last still counts. */
		int status;
		if (waitpid(s->pid, &status, 0) == s->pid)
			reaped(w, s, status);
	}
}

int64_t
slot_tick(struct worker *w, int64_t now)
{
	int64_t next = INT64_MAX;
	int rss_due = w->memory_mb > 0 && now >= w->next_rss_mono;

	if (rss_due)
		w->next_rss_mono = now + RSS_EVERY_MS;
	for (int i = 0; i < w->concurrency; i++) {
		struct slot *s = &w->slots[i];

		if (s->state != SLOT_BUSY)
			continue;
		if (s->kill == KILL_NONE && now >= s->deadline_mono)
			slot_stop(w, s, KILL_TIMEOUT);
		if (s->kill == KILL_CANCEL && s->kill_at_mono && now >= s->kill_at_mono) {
			kill(s->pid, SIGKILL);
			s->kill_at_mono = 0;
		}
		if (s->kill == KILL_NONE && rss_due) {
			long long rss = slot_rss_kb(s->pid);
			if (rss >= 0 && rss - s->base_rss_kb > w->memory_mb * 1024)
				slot_stop(w, s, KILL_MEMORY);
		}
		if (s->state != SLOT_BUSY)
			continue;
		if (s->prog_dirty && s->kill == KILL_NONE) {
			if (now - s->prog_written_mono >= PROGRESS_WRITE_MS)
				write_progress(w, s, now);
			else if (s->prog_written_mono + PROGRESS_WRITE_MS < next)
				next = s->prog_written_mono + PROGRESS_WRITE_MS;
		}
		if (s->kill == KILL_NONE && s->deadline_mono < next)
			next = s->deadline_mono;
		if (s->kill == KILL_CANCEL && s->kill_at_mono && s->kill_at_mono < next)
			next = s->kill_at_mono;
		if (w->memory_mb > 0 && w->next_rss_mono < next)
			next = w->next_rss_mono;
	}
	return next;
}
