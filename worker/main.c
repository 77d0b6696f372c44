/*
 * main.c -- jobq-worker: the supervisor.  It owns the only database handle
 * of the worker, claims due jobs, hands each to a long-lived job process
 * (a runner, see runner.c) from a table of JOBQ_CONCURRENCY slots, renews
 * leases, relays cancels, and writes outcomes in batches.  One poll() loop
 * waits on the runners' sockets, the wake file's inotify watch, a signalfd
 * and the earliest timer (heartbeat, next delayed job, fallback poll,
 * progress, timeouts).  See docs/worker.md.
 */
#include "worker/worker.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/log.h"
#include "common/priv.h"

#define MAX_BATCH 256            /* jobs per claim and per finish write */
#define PREFETCH_BUDGET_US 10000 /* claim ahead what runners finish in this */
#define PREFETCH_BELOW_US 5000   /* only for jobs shorter than this */
#define FLUSH_AFTER_MS 20        /* oldest unwritten outcome waits at most this */
#define RECOVER_EVERY_MS 10000  /* at most; half the lease when shorter */

static const char synopsis[] = "[--concurrency N] [--poll-interval MS]"
    " [--types a,b] [--once]";

/* Builds the list of types to claim: --types (each must be one the runners
 * know), or every type they know, so a job of a type this build does not
 * know waits for a worker that does instead of failing here. */
static const char **
claim_types(const char *known, const char *list)
{
	size_t n = 0, cap = 2;
	const char **v;
	char *copy, *save = NULL;

	for (const char *p = known; *p; p++)
		cap += *p == ',';
	if (list)
		for (const char *p = list; *p; p++)
			cap += *p == ',';
	if ((v = calloc(cap + 1, sizeof(*v))) == NULL ||
	    (copy = strdup(list ? list : known)) == NULL)
		cli_die(1, "out of memory");
	for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		if (!config_list_has(known, t))
			cli_die(2, "--types: unknown job type \"%s\" (known: %s)", t, known);
		v[n++] = t;   /* copy is kept for the life of the process */
	}
	if (n == 0)
		cli_die(2, "--types: no job type given");
	return v;
}

/* The jobq-runner program: $JOBQ_RUNNER, else beside this program (a build
 * tree), else where make install put it. */
static const char *
runner_path(void)
{
	static char path[4096];
	const char *env = getenv("JOBQ_RUNNER");
	ssize_t n;

	if (env && *env)
		return env;
	if ((n = readlink("/proc/self/exe", path, sizeof(path) - 32)) > 0) {
		path[n] = '\0';
		char *slash = strrchr(path, '/');
		if (slash) {
			strcpy(slash + 1, "jobq-runner");
			if (access(path, X_OK) == 0)
				return path;
		}
	}
	return JOBQ_RUNNER_PATH;
}

/* The runners' environment: ours, with every configuration value this
 * process settled on (file, environment, flags) set explicitly. */
static char **
runner_env(const struct config *cfg)
{
	extern char **environ;
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	if ((env = calloc(n + CFG_NKEYS + 1, sizeof(*env))) == NULL)
		cli_die(1, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		char name[128];
		if (eq && (size_t)(eq - environ[i]) < sizeof(name)) {
			memcpy(name, environ[i], (size_t)(eq - environ[i]));
			name[eq - environ[i]] = '\0';
			if (config_lookup(name) >= 0)
				continue;
		}
		env[k++] = environ[i];
	}
	for (int key = 0; key < CFG_NKEYS; key++) {
		const char *v = cfg->val[key];
		if (v == NULL)
			continue;
		size_t len = strlen(config_name(key)) + strlen(v) + 2;
		if ((env[k] = malloc(len)) == NULL)
			cli_die(1, "out of memory");
		snprintf(env[k++], len, "%s=%s", config_name(key), v);
	}
	return env;
}

static int
count_state(struct worker *w, enum slot_state st)
{
	int n = 0;

	for (int i = 0; i < w->concurrency; i++)
		n += w->slots[i].state == st;
	return n;
}

/* How many claimed jobs to keep waiting locally: none for jobs of a few
 * milliseconds or more (a claimed job shows as running), up to a batch for
 * tiny jobs, where claiming one at a time would cost a transaction each. */
static size_t
prefetch(struct worker *w)
{
	if (w->avg_run_ms <= 0 || w->avg_run_ms * 1000 >= PREFETCH_BELOW_US)
		return 0;
	double n = PREFETCH_BUDGET_US * w->concurrency / (w->avg_run_ms * 1000 + 1);
	return n > MAX_BATCH ? MAX_BATCH : (size_t)n;
}

static void
try_claim(struct worker *w)
{
	size_t have = w->nlocal - w->local_head;
	size_t free_slots = (size_t)(count_state(w, SLOT_IDLE) +
	    count_state(w, SLOT_STARTING));
	size_t ahead = prefetch(w), room = free_slots + ahead;
	struct jobq_job *jobs = NULL;
	size_t n = 0;
	int err;

	/* Refill in batches: with prefetch, only once half of it is used. */
	if (room <= have || (ahead > 0 && have > free_slots + ahead / 2))
		return;
	room -= have;
	if (room > MAX_BATCH)
		room = MAX_BATCH;
	err = jobq_claim(w->fq, w->id, w->types, (int)room, w->lease_ms, &jobs, &n);
	if (err != JOBQ_OK) {
		char m[256];
		log_event(LOG_LVL_WARN, "claim_failed", "error=%s",
		    log_quote(jobq_errmsg(w->fq), m, sizeof(m)));
		w->want_claim = 0;
		w->next_poll_mono = clock_mono_ms() + 200;
		return;
	}
	if (n > 0) {
		/* Compact, then append. */
		if (w->local_head > 0) {
			memmove(w->local, w->local + w->local_head, have * sizeof(*w->local));
			w->nlocal = have;
			w->local_head = 0;
		}
		if (w->nlocal + n > w->local_cap) {
			size_t ncap = w->nlocal + n + MAX_BATCH;
			struct jobq_job *nl = realloc(w->local, ncap * sizeof(*nl));
			if (nl == NULL) {
				/* Not lost: the lease expires and they come back. */
				jobq_jobs_free(jobs, n);
				return;
			}
			w->local = nl;
			w->local_cap = ncap;
		}
		memcpy(w->local + w->nlocal, jobs, n * sizeof(*jobs));
		w->nlocal += n;
		free(jobs);   /* the strings moved into w->local */
	}
	if (n < room) {
		int64_t due = 0;
		w->want_claim = 0;
		w->due_at = 0;
		if (jobq_next_due(w->fq, &due) == JOBQ_OK && due > clock_ms())
			w->due_at = due;
	}
}

/* Hands claimed jobs to idle runners: one each, or for tiny jobs (when
 * prefetching) a share of up to SLOT_BATCH, which the runner works through
 * without a round trip to the supervisor between jobs. */
static void
dispatch(struct worker *w)
{
	int idle = count_state(w, SLOT_IDLE);

	for (int i = 0; i < w->concurrency && idle > 0; i++) {
		struct slot *s = &w->slots[i];
		size_t avail;
		int k = 0;

		/* Skip jobs canceled while they waited here. */
		while (w->local_head < w->nlocal && w->local[w->local_head].id[0] == '\0')
			jobq_job_clear(&w->local[w->local_head++]);
		if ((avail = w->nlocal - w->local_head) == 0)
			break;
		if (s->state != SLOT_IDLE)
			continue;
		size_t share = prefetch(w) > 0 ? (avail + (size_t)idle - 1) / (size_t)idle : 1;
		if (share > SLOT_BATCH)
			share = SLOT_BATCH;
		struct jobq_job tmp[SLOT_BATCH];
		while ((size_t)k < share && w->local_head < w->nlocal) {
			struct jobq_job *j = &w->local[w->local_head++];
			if (j->id[0] == '\0') {
				jobq_job_clear(j);
				continue;
			}
			tmp[k++] = *j;
			memset(j, 0, sizeof(*j));
		}
		idle--;
		if (k > 0 && slot_dispatch(w, s, tmp, k) < 0) {
			/* Its death is reaped and the jobs finished then. */
		}
	}
	if (w->local_head == w->nlocal)
		w->local_head = w->nlocal = 0;
}

static void
heartbeat(struct worker *w)
{
	struct jobq_worker me = {w->id, w->host, (int)getpid(),
	    count_state(w, SLOT_BUSY)};
	char **cancel = NULL;
	jobq *bad = NULL;
	int err;

	/* Follow the database file if it was replaced (a restore) or removed:
	 * never claim from, or write into, a file nobody else sees. */
	if (jobq_refresh(w->q) != JOBQ_OK)
		bad = w->q;
	else if (w->fq != w->q && jobq_refresh(w->fq) != JOBQ_OK)
		bad = w->fq;
	if (bad != NULL) {
		char m[256];
		log_event(LOG_LVL_ERROR, "db_unavailable", "error=%s",
		    log_quote(jobq_errmsg(bad), m, sizeof(m)));
		return;
	}
	/* Idle: fold the write-ahead log back into the database file, which
	 * SQLite leaves to the next 1000 pages of writes, so that readers
	 * (the responder) stop paying for the frames in it. */
	if (me.running == 0 && w->nlocal == 0 && w->ndone == 0)
		(void)jobq_checkpoint(w->q);
	err = jobq_heartbeat(w->fq, &me, w->lease_ms, &cancel);
	if (err != JOBQ_OK) {
		char m[256];
		log_event(LOG_LVL_WARN, "heartbeat_failed", "error=%s",
		    log_quote(jobq_errmsg(w->fq), m, sizeof(m)));
		return;
	}
	for (size_t c = 0; cancel && cancel[c]; c++) {
		for (int i = 0; i < w->concurrency; i++) {
			struct slot *s = &w->slots[i];
			if (s->state == SLOT_BUSY && strcmp(SLOT_JOB(s)->id, cancel[c]) == 0) {
				SLOT_JOB(s)->cancel_requested = 1;
				slot_stop(w, s, KILL_CANCEL);
			}
		}
		for (size_t k = w->local_head; k < w->nlocal; k++) {
			struct jobq_job *j = &w->local[k];
			if (j->id[0] && strcmp(j->id, cancel[c]) == 0) {
				finish_add(w, j, JOBQ_FAIL_PERMANENT,
				    "{\"code\":\"canceled\",\"message\":\"canceled before it started\"}",
				    NULL, 0, "canceled");
				/* Leave an empty id so dispatch skips it. */
				j->id[0] = '\0';
			}
		}
	}
	jobq_strv_free(cancel);
}

/* Hands back every claimed job no runner has started. */
static void
hand_back_local(struct worker *w)
{
	for (size_t k = w->local_head; k < w->nlocal; k++) {
		if (w->local[k].id[0])
			finish_add(w, &w->local[k], JOBQ_HAND_BACK, NULL, NULL, 0, "handed_back");
		jobq_job_clear(&w->local[k]);
	}
	w->local_head = w->nlocal = 0;
}

static void
begin_stop(struct worker *w, const char *why)
{
	if (w->stopping)
		return;
	w->stopping = 1;
	w->want_claim = 0;
	w->stop_deadline_mono = clock_mono_ms() + w->grace_ms;
	log_event(LOG_LVL_INFO, "worker_stopping", "reason=%s running=%d"
	    " grace_s=%lld", why, count_state(w, SLOT_BUSY),
	    (long long)(w->grace_ms / 1000));
	hand_back_local(w);
	/* Idle runners exit when their socket closes. */
	for (int i = 0; i < w->concurrency; i++) {
		struct slot *s = &w->slots[i];
		if ((s->state == SLOT_IDLE || s->state == SLOT_STARTING) && s->fd >= 0) {
			close(s->fd);
			s->fd = -1;
		}
	}
}

static void
read_signals(struct worker *w)
{
	struct signalfd_siginfo si;

	while (read(w->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
			begin_stop(w, "SIGTERM");
			break;
		case SIGINT:
			begin_stop(w, "SIGINT");
			break;
		case SIGHUP:
			if (log_reopen() == 0)
				log_event(LOG_LVL_INFO, "log_reopened", NULL);
			/* Jobs log too: their runners reopen before the next job. */
			for (int i = 0; i < w->concurrency; i++)
				if (w->slots[i].pid > 0)
					kill(w->slots[i].pid, SIGHUP);
			break;
		case SIGCHLD:
			w->child_exited = 1;   /* reaped at the top of the loop */
			break;
		default:
			break;
		}
	}
}

static void
setup(struct worker *w, const struct config *cfg)
{
	sigset_t set;
	struct sigaction sa;

	w->cfg = cfg;
	w->concurrency = (int)config_int(cfg, CFG_CONCURRENCY);
	w->poll_ms = config_int(cfg, CFG_POLL_INTERVAL_MS);
	w->lease_ms = config_int(cfg, CFG_LEASE_SECONDS) * 1000;
	w->timeout_ms = config_int(cfg, CFG_JOB_TIMEOUT) * 1000;
	w->grace_ms = config_int(cfg, CFG_SHUTDOWN_GRACE) * 1000;
	w->memory_mb = config_int(cfg, CFG_JOB_MEMORY_MB);
	/* Often enough that a cancel is seen within a second or so, and at
	 * least three times per lease. */
	w->hb_every_ms = w->lease_ms / 3 < 1000 ? w->lease_ms / 3 : 1000;
	if (w->hb_every_ms < 100)
		w->hb_every_ms = 100;
	w->runner_path = runner_path();
	if (access(w->runner_path, X_OK) != 0)
		cli_die(1, "cannot run the job process program %s: %s",
		    w->runner_path, strerror(errno));
	w->runner_env = runner_env(cfg);
	if (gethostname(w->host, sizeof(w->host) - 1) < 0)
		snprintf(w->host, sizeof(w->host), "localhost");
	snprintf(w->id, sizeof(w->id), "%s:%d", w->host, (int)getpid());

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if ((w->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		cli_die(1, "signalfd: %s", strerror(errno));

	w->q = cli_open_queue(cfg);
	w->fq = w->q;
	if (strcmp(config_str(cfg, CFG_SYNCHRONOUS), "full") == 0) {
		/* Claims, heartbeats, progress and recovery go through a second
		 * connection at synchronous=normal: no fsync on the pickup path.
		 * Outcomes and checkpoints stay on the durable one, whose next
		 * commit syncs the WAL with everything before it.  A power loss
		 * can undo only bookkeeping (a job then runs again), never an
		 * accepted job (enqueues are the responder's commits). */
		struct jobq_options o;
		cli_queue_options(cfg, &o);
		o.synchronous = JOBQ_SYNC_NORMAL;
		if (jobq_open(&o, &w->fq) != JOBQ_OK) {
			jobq_close(w->fq);
			w->fq = w->q;
		}
	}
	if ((w->wake_fd = wake_open(jobq_wake_path(w->q))) < 0)
		log_event(LOG_LVL_WARN, "wake_unavailable", "path=%s fallback_poll_ms=%lld",
		    jobq_wake_path(w->q), (long long)w->poll_ms);
	if ((w->slots = calloc((size_t)w->concurrency, sizeof(*w->slots))) == NULL)
		cli_die(1, "out of memory");
	for (int i = 0; i < w->concurrency; i++) {
		w->slots[i].idx = i;
		w->slots[i].fd = -1;
	}
}

/* Milliseconds poll() may sleep. */
static int
poll_timeout(struct worker *w, int64_t now, int64_t tick_next)
{
	int64_t next = tick_next;

	if (w->want_claim && count_state(w, SLOT_IDLE) > 0)
		return 0;
	if (!w->stopping) {
		if (w->next_poll_mono < next)
			next = w->next_poll_mono;
		if (w->due_at) {
			int64_t d = now + (w->due_at - clock_ms());
			if (d < next)
				next = d;
		}
		if (w->respawn_after_mono && w->respawn_after_mono < next)
			next = w->respawn_after_mono;
		if (w->next_recover_mono < next)
			next = w->next_recover_mono;
	} else if (w->stop_deadline_mono < next) {
		next = w->stop_deadline_mono;
	}
	if (w->next_hb_mono < next)
		next = w->next_hb_mono;
	if (w->ndone > 0 && w->oldest_done_mono + FLUSH_AFTER_MS < next)
		next = w->oldest_done_mono + FLUSH_AFTER_MS;
	if (next <= now)
		return 0;
	return next - now > 60000 ? 60000 : (int)(next - now);
}

static void
spawn_missing(struct worker *w, int64_t now)
{
	int failed = 0;

	if (w->respawn_after_mono && now < w->respawn_after_mono)
		return;
	w->respawn_after_mono = 0;
	for (int i = 0; i < w->concurrency; i++) {
		struct slot *s = &w->slots[i];
		if (s->state != SLOT_EMPTY)
			continue;
		if (slot_spawn(w, s) < 0) {
			log_event(LOG_LVL_ERROR, "runner_spawn_failed", "error=%s",
			    strerror(errno));
			failed = 1;
		}
	}
	if (failed)
		w->respawn_after_mono = now + 1000;
}

/* Starts the runners and waits for the first to say which job types it
 * knows.  Exits 1 if none starts. */
static void
start_runners(struct worker *w)
{
	int64_t deadline = clock_mono_ms() + 30000;
	struct pollfd *pfd = calloc((size_t)w->concurrency, sizeof(*pfd));

	if (pfd == NULL)
		cli_die(1, "out of memory");
	spawn_missing(w, clock_mono_ms());
	while (w->known == NULL && clock_mono_ms() < deadline) {
		int alive = 0;
		for (int i = 0; i < w->concurrency; i++) {
			pfd[i] = (struct pollfd){.fd = w->slots[i].fd, .events = POLLIN};
			alive += w->slots[i].fd >= 0;
		}
		if (alive == 0)
			break;
		poll(pfd, (nfds_t)w->concurrency, 100);
		for (int i = 0; i < w->concurrency; i++)
			if (pfd[i].revents && w->slots[i].fd == pfd[i].fd)
				slot_read(w, &w->slots[i]);
	}
	free(pfd);
	if (w->known == NULL)
		cli_die(1, "job processes (%s) did not start", w->runner_path);
	w->types = claim_types(w->known, w->types_flag);
}

static int
run(struct worker *w)
{
	struct pollfd *pfd = calloc((size_t)w->concurrency + 2, sizeof(*pfd));
	int64_t now = clock_mono_ms();

	if (pfd == NULL)
		cli_die(1, "out of memory");
	w->want_claim = 1;
	w->next_hb_mono = now + w->hb_every_ms;
	w->next_poll_mono = now + w->poll_ms;
	w->recover_every_ms = w->lease_ms / 2 < RECOVER_EVERY_MS ? w->lease_ms / 2 :
	    RECOVER_EVERY_MS;
	if (w->recover_every_ms < 500)
		w->recover_every_ms = 500;
	w->next_recover_mono = now + w->recover_every_ms;
	for (;;) {
		int64_t tick_next;
		int nfd = 0, busy;

		now = clock_mono_ms();
		if (w->child_exited) {
			w->child_exited = 0;
			slot_reap(w);
		}
		if (!w->stopping)
			spawn_missing(w, now);
		dispatch(w);
		if (w->want_claim && !w->stopping) {
			try_claim(w);
			dispatch(w);
		}
		tick_next = slot_tick(w, now);
		busy = count_state(w, SLOT_BUSY);
		if (w->ndone > 0 && (w->ndone >= MAX_BATCH || w->nlocal == 0 ||
		    w->stopping || now - w->oldest_done_mono >= FLUSH_AFTER_MS))
			finish_flush(w);
		if (w->once && !w->stopping && !w->want_claim && busy == 0 &&
		    w->nlocal == 0 && count_state(w, SLOT_STARTING) == 0)
			begin_stop(w, "once_done");
		if (w->stopping) {
			if (busy > 0 && now >= w->stop_deadline_mono) {
				for (int i = 0; i < w->concurrency; i++)
					slot_stop(w, &w->slots[i], KILL_SHUTDOWN);
				continue;
			}
			if (busy == 0 && (w->ndone == 0 ||
			    now >= w->stop_deadline_mono + 10000))
				break;   /* (unwritten outcomes: retried below) */
		}
		if (now >= w->next_hb_mono) {
			heartbeat(w);
			w->next_hb_mono = now + w->hb_every_ms;
		}
		if (!w->stopping && now >= w->next_recover_mono) {
			recover_run(w, 0);
			w->next_recover_mono = now + w->recover_every_ms;
		}
		if (!w->stopping && now >= w->next_poll_mono) {
			w->want_claim = 1;
			w->next_poll_mono = now + w->poll_ms;
		}
		if (w->due_at && clock_ms() >= w->due_at) {
			w->want_claim = 1;
			w->due_at = 0;
		}

		pfd[nfd++] = (struct pollfd){.fd = w->sig_fd, .events = POLLIN};
		pfd[nfd++] = (struct pollfd){.fd = w->wake_fd, .events = POLLIN};
		for (int i = 0; i < w->concurrency; i++)
			pfd[nfd++] = (struct pollfd){.fd = w->slots[i].fd, .events = POLLIN};
		int timeout = poll_timeout(w, now, tick_next);
		if (w->stopping && busy == 0 && w->ndone > 0)
			timeout = 100;   /* retrying a refused write */
		if (poll(pfd, (nfds_t)nfd, timeout) < 0 && errno != EINTR) {
			log_event(LOG_LVL_ERROR, "poll_failed", "error=%s", strerror(errno));
			break;
		}
		if (pfd[0].revents)
			read_signals(w);
		if (pfd[1].revents && wake_drain(w->wake_fd, jobq_wake_path(w->q)) &&
		    !w->stopping) {
			w->want_claim = 1;
			w->next_poll_mono = clock_mono_ms() + w->poll_ms;
		}
		for (int i = 0; i < w->concurrency; i++) {
			struct slot *s = &w->slots[i];
			if (pfd[2 + i].revents && s->fd == pfd[2 + i].fd) {
				slot_read(w, s);
				if (s->state != SLOT_BUSY && !w->stopping)
					w->want_claim = 1;
			}
		}
	}
	free(pfd);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct worker w;
	struct config cfg = {0};
	const char *types = NULL, *user = NULL;
	char err[256];
	int once = 0;
	const struct cli_opt opts[] = {
		{"--concurrency", CFG_CONCURRENCY, NULL, NULL, "N", "jobs run at once"},
		{"--poll-interval", CFG_POLL_INTERVAL_MS, NULL, NULL, "MS",
		    "fallback poll interval"},
		{"--types", -1, &types, NULL, "a,b", "only claim these job types"},
		{"--once", -1, NULL, &once, NULL, "run what is due now, then exit"},
		{"--db", CFG_DB, NULL, NULL, "FILE", "database file"},
		{"--user", -1, &user, NULL, "NAME", "drop root to this user after opening the log"},
		{NULL, 0, NULL, NULL, NULL, NULL},
	};

	if (cli_parse(argc, argv, synopsis, opts, &cfg) > 0)
		cli_die(2, "unexpected argument %s (try --help)", argv[1]);
	if (log_open(config_str(&cfg, CFG_LOG), "jobq-worker") < 0)
		fprintf(stderr, "%s: cannot open log %s; logging to stderr\n",
		    cli_prog, config_str(&cfg, CFG_LOG));
	/* Before the database is opened and any job runs. */
	if (priv_drop(user, err, sizeof(err)) < 0)
		cli_die(2, "%s", err);
	w.once = once;
	w.types_flag = types;
	setup(&w, &cfg);
	start_runners(&w);
	{
		struct jobq_worker me = {w.id, w.host, (int)getpid(), 0};
		char m[256];
		if (jobq_worker_register(w.q, &me) != JOBQ_OK)
			log_event(LOG_LVL_WARN, "register_failed", "error=%s",
			    log_quote(jobq_errmsg(w.q), m, sizeof(m)));
	}
	char tq[512], dq[1024];
	{
		size_t o = 0;
		tq[0] = '\0';
		for (size_t i = 0; w.types[i] && o < sizeof(tq) - 1; i++)
			o += (size_t)snprintf(tq + o, sizeof(tq) - o, "%s%s", i ? "," : "",
			    w.types[i]);
	}
	log_event(LOG_LVL_INFO, "worker_started", "worker=%s concurrency=%d"
	    " types=%s db=%s lease_s=%lld timeout_s=%lld memory_mb=%lld"
	    " poll_ms=%lld once=%d", w.id, w.concurrency, tq,
	    log_quote(config_str(&cfg, CFG_DB), dq, sizeof(dq)),
	    (long long)(w.lease_ms / 1000), (long long)(w.timeout_ms / 1000),
	    w.memory_mb, (long long)w.poll_ms, w.once);
	recover_run(&w, 1);
	run(&w);
	for (int tries = 0; w.ndone > 0 && tries < 50; tries++)
		if (finish_flush(&w) < 0)
			usleep(100000);
	/* Runners whose socket closed exit on their own; collect them. */
	for (int i = 0; i < w.concurrency; i++)
		if (w.slots[i].fd >= 0)
			close(w.slots[i].fd);
	while (waitpid(-1, NULL, 0) > 0)
		;
	jobq_worker_unregister(w.q, w.id);
	log_event(LOG_LVL_INFO, "worker_stopped", "worker=%s processed=%lu",
	    w.id, w.processed);
	if (w.fq != w.q)
		jobq_close(w.fq);
	jobq_close(w.q);
	finish_free(&w);
	free(w.slots);
	free(w.local);
	free(w.types);
	free(w.known);
	config_free(&cfg);
	log_close();
	return 0;
}
