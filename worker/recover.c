/*
 * recover.c -- taking back the jobs of workers that died: at once for a
 * worker on this host whose process is gone, after the lease for the rest.
 */
#include "worker/worker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"

/* 1 if no live process has this pid (gone, or a zombie nobody reaped).
 * XXX: a reused pid looks alive; its jobs then come back after the lease.
 * A worker in another pid namespace on the same host name looks dead only
 * if its pid is free here: give containers distinct host names. */
static int
pid_dead(int pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	int dead = 0;

	if (pid <= 0)
		return 0;
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) != NULL &&
	    (p[2] == 'Z' || p[2] == 'X'))
		dead = 1;
	fclose(f);
	return dead;
}

void
recover_run(struct worker *w, int at_start)
{
	struct jobq_worker *ws = NULL;
	size_t n = 0;
	int got, err;
	char m[256];

	if ((err = jobq_workers_on_host(w->fq, w->host, &ws, &n)) == JOBQ_OK) {
		for (size_t i = 0; i < n; i++) {
			if (strcmp(ws[i].id, w->id) == 0 || !pid_dead(ws[i].pid))
				continue;
			if ((err = jobq_recover_worker(w->fq, ws[i].id, &got)) != JOBQ_OK) {
				log_event(LOG_LVL_WARN, "recover_failed", "worker=%s error=%s",
				    ws[i].id, log_quote(jobq_errmsg(w->fq), m, sizeof(m)));
				continue;
			}
			log_event(got ? LOG_LVL_WARN : LOG_LVL_INFO, "worker_recovered",
			    "worker=%s jobs=%d reason=%s", ws[i].id, got,
			    "\"process gone\"");
			if (got)
				w->want_claim = 1;
		}
		jobq_workers_free(ws, n);
	} else {
		log_event(LOG_LVL_WARN, "recover_failed", "error=%s",
		    log_quote(jobq_errmsg(w->fq), m, sizeof(m)));
	}
	if ((err = jobq_recover_expired(w->fq, &got)) != JOBQ_OK) {
		log_event(LOG_LVL_WARN, "recover_failed", "error=%s",
		    log_quote(jobq_errmsg(w->fq), m, sizeof(m)));
	} else if (got) {
		log_event(LOG_LVL_WARN, "leases_recovered", "jobs=%d", got);
		w->want_claim = 1;
	}
	(void)at_start;
}
