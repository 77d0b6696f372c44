/*
 * commit.c -- group commit.  At synchronous=full every commit is an fsync.
 * A request thread that has a valid job hands it over together with the
 * FastCGI request itself and goes back to accepting; one committer thread
 * inserts everything waiting in one transaction (jobq_enqueue_many), then
 * answers each request (202 or the error) and finishes it.  So a 202 is
 * only ever sent after the commit holding its row, and the number of
 * enqueues in flight is not bounded by the number of request threads.
 * One request alone is committed at once: no timer, no added delay.
 * When the requests stop for IDLE_CHECKPOINT_MS after some commits, the
 * committer folds the write-ahead log back into the database file
 * (jobq_checkpoint), so that readers stop paying for it.
 */
#include "fcgi/fcgi.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cli.h"
#include "common/log.h"

#define BATCH_MAX 256
#define PENDING_MAX 1024         /* beyond this, request threads wait */
#define IDLE_CHECKPOINT_MS 100

struct pending {
	struct jobq_new job;          /* strings below are owned */
	char *strings;
	FCGX_Request *fr;             /* owned; answered and freed here */
	struct jobq_enqueued out;
	int rc;
	struct pending *next;
};

struct committer {
	pthread_mutex_t mu;
	pthread_cond_t work;          /* the committer waits for jobs */
	pthread_cond_t space;         /* request threads wait below PENDING_MAX */
	struct pending *head, **tail;
	int count;
	int stop;
	int dirty;                    /* committed since the last checkpoint */
	jobq *q;
	const struct server *srv;
	pthread_t thread;
	/* Answering runs in its own thread, so the next batch commits
	 * (waiting on fsync) while this one's answers are written. */
	pthread_cond_t answers;
	struct pending *ahead, **atail;
	int astop;
	pthread_t athread;
};

/* Commits one batch; on a failure of the whole batch other than a busy or
 * full database, commits the jobs one by one so that one job's problem
 * cannot fail the others. */
static void
commit_batch(struct committer *c, struct pending **v, size_t n)
{
	struct jobq_new in[BATCH_MAX] = {{0}};
	struct jobq_enqueued out[BATCH_MAX];
	int rc;

	for (size_t i = 0; i < n; i++)
		in[i] = v[i]->job;
	/* Never commit into a database file that was removed or replaced. */
	if ((rc = jobq_refresh(c->q)) == JOBQ_OK)
		rc = jobq_enqueue_many(c->q, in, n, out);
	if (rc == JOBQ_OK) {
		for (size_t i = 0; i < n; i++) {
			v[i]->out = out[i];
			v[i]->rc = JOBQ_OK;
		}
	} else if (n > 1 && rc != JOBQ_ERR_BUSY && rc != JOBQ_ERR_FULL &&
	    rc != JOBQ_ERR_IO) {
		for (size_t i = 0; i < n; i++)
			v[i]->rc = jobq_enqueue(c->q, &v[i]->job, &v[i]->out);
	} else {
		for (size_t i = 0; i < n; i++)
			v[i]->rc = rc;
	}
	if (rc != JOBQ_OK)
		log_event(LOG_LVL_WARN, "enqueue_failed", "jobs=%zu err=%s", n,
		    jobq_strerror(rc));
}

/* Answers and finishes one request, then frees it. */
static void
answer(struct committer *c, struct pending *p)
{
	struct req r = {.fr = p->fr, .srv = c->srv, .q = c->q, .query = ""};

	submit_answer(&r, p->rc, &p->out);
	req_finish(p->fr);
	FCGX_Free(p->fr, 1);
	free(p->fr);
	free(p->strings);
	free(p);
}

static void *
answerer_main(void *arg)
{
	struct committer *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		struct pending *p;
		int n = 0;

		while (c->ahead == NULL && !c->astop)
			pthread_cond_wait(&c->answers, &c->mu);
		if (c->ahead == NULL)
			break;
		p = c->ahead;
		c->ahead = NULL;
		c->atail = &c->ahead;
		pthread_mutex_unlock(&c->mu);
		while (p != NULL) {
			struct pending *next = p->next;
			answer(c, p);
			p = next;
			n++;
		}
		pthread_mutex_lock(&c->mu);
		c->count -= n;
		pthread_cond_broadcast(&c->space);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

static void *
committer_main(void *arg)
{
	struct committer *c = arg;
	struct pending *v[BATCH_MAX];

	pthread_mutex_lock(&c->mu);
	for (;;) {
		size_t n = 0;

		while (c->head == NULL && !c->stop) {
			struct timespec ts;
			if (!c->dirty) {
				pthread_cond_wait(&c->work, &c->mu);
				continue;
			}
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_nsec += IDLE_CHECKPOINT_MS * 1000000L;
			ts.tv_sec += ts.tv_nsec / 1000000000L;
			ts.tv_nsec %= 1000000000L;
			if (pthread_cond_timedwait(&c->work, &c->mu, &ts) == ETIMEDOUT &&
			    c->head == NULL && !c->stop) {
				c->dirty = 0;
				pthread_mutex_unlock(&c->mu);
				(void)jobq_checkpoint(c->q);
				pthread_mutex_lock(&c->mu);
			}
		}
		if (c->head == NULL && c->stop)
			break;
		while (c->head != NULL && n < BATCH_MAX) {
			v[n++] = c->head;
			c->head = c->head->next;
		}
		if (c->head == NULL)
			c->tail = &c->head;
		/* Requests keep queueing while this batch commits. */
		pthread_mutex_unlock(&c->mu);
		commit_batch(c, v, n);
		pthread_mutex_lock(&c->mu);
		c->dirty = 1;
		for (size_t i = 0; i < n; i++) {
			v[i]->next = NULL;
			*c->atail = v[i];
			c->atail = &v[i]->next;
		}
		pthread_cond_signal(&c->answers);
	}
	c->astop = 1;
	pthread_cond_signal(&c->answers);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->athread, NULL);
	return NULL;
}

struct committer *
committer_start(const struct server *srv)
{
	struct committer *c = calloc(1, sizeof(*c));
	struct jobq_options o;
	pthread_condattr_t ca;
	int err;

	if (c == NULL)
		return NULL;
	cli_queue_options(&srv->cfg, &o);
	if ((err = jobq_open(&o, &c->q)) != JOBQ_OK) {
		char buf[256];
		log_event(LOG_LVL_ERROR, "db_open_failed", "db=%s err=%s",
		    log_quote(o.path, buf, sizeof(buf)),
		    c->q ? jobq_errmsg(c->q) : jobq_strerror(err));
		jobq_close(c->q);
		free(c);
		return NULL;
	}
	c->srv = srv;
	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->work, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&c->space, NULL);
	pthread_cond_init(&c->answers, NULL);
	c->tail = &c->head;
	c->atail = &c->ahead;
	if (pthread_create(&c->athread, NULL, answerer_main, c) != 0 ||
	    pthread_create(&c->thread, NULL, committer_main, c) != 0) {
		jobq_close(c->q);
		free(c);
		return NULL;
	}
	return c;
}

/* Copies s into *buf (advancing it); NULL stays NULL. */
static const char *
dup_into(char **buf, const char *s)
{
	char *d;
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	d = *buf;
	memcpy(d, s, n);
	*buf += n;
	return d;
}

int
committer_submit(struct committer *c, const struct jobq_new *job,
    FCGX_Request *fr)
{
	struct pending *p = calloc(1, sizeof(*p));
	size_t len = 0;
	char *buf;

	if (p == NULL)
		return -1;
	len += job->type ? strlen(job->type) + 1 : 0;
	len += job->payload ? strlen(job->payload) + 1 : 0;
	len += job->idempotency_key ? strlen(job->idempotency_key) + 1 : 0;
	len += job->submitted_by ? strlen(job->submitted_by) + 1 : 0;
	if ((p->strings = buf = malloc(len + 1)) == NULL) {
		free(p);
		return -1;
	}
	p->job = *job;
	p->job.type = dup_into(&buf, job->type);
	p->job.payload = dup_into(&buf, job->payload);
	p->job.idempotency_key = dup_into(&buf, job->idempotency_key);
	p->job.submitted_by = dup_into(&buf, job->submitted_by);
	p->fr = fr;
	p->rc = JOBQ_ERR_INTERNAL;
	pthread_mutex_lock(&c->mu);
	while (c->count >= PENDING_MAX && !c->stop)
		pthread_cond_wait(&c->space, &c->mu);
	*c->tail = p;
	c->tail = &p->next;
	c->count++;
	pthread_cond_signal(&c->work);
	pthread_mutex_unlock(&c->mu);
	return 0;
}

void
committer_stop(struct committer *c, int release)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_signal(&c->work);
	pthread_cond_broadcast(&c->space);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	if (!release)
		return;
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->work);
	pthread_cond_destroy(&c->space);
	pthread_cond_destroy(&c->answers);
	jobq_close(c->q);
	free(c);
}
