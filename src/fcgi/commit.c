/*
 * commit.c -- group commit.  At synchronous=full every commit is an fsync;
 * request threads hand their job to one committer thread, which inserts
 * everything waiting in one transaction (jobq_enqueue_many) and then wakes
 * each request, so a 202 is only ever sent after the commit holding its
 * row.  One request alone is committed at once: no timer, no added delay.
 */
#include "fcgi/fcgi.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/log.h"

#define BATCH_MAX 256

struct pending {
	const struct jobq_new *job;
	struct jobq_enqueued *out;
	int rc;
	int done;
	struct pending *next;
};

struct committer {
	pthread_mutex_t mu;
	pthread_cond_t work;          /* the committer waits for jobs */
	pthread_cond_t done;          /* request threads wait for their commit */
	struct pending *head, **tail;
	int stop;
	jobq *q;
	pthread_t thread;
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
		in[i] = *v[i]->job;
	rc = jobq_enqueue_many(c->q, in, n, out);
	if (rc == JOBQ_OK) {
		for (size_t i = 0; i < n; i++) {
			*v[i]->out = out[i];
			v[i]->rc = JOBQ_OK;
		}
	} else if (n > 1 && rc != JOBQ_ERR_BUSY && rc != JOBQ_ERR_FULL) {
		for (size_t i = 0; i < n; i++)
			v[i]->rc = jobq_enqueue(c->q, v[i]->job, v[i]->out);
	} else {
		for (size_t i = 0; i < n; i++)
			v[i]->rc = rc;
	}
	if (rc != JOBQ_OK)
		log_event(LOG_LVL_WARN, "enqueue_failed", "jobs=%zu err=%s", n,
		    jobq_strerror(rc));
}

static void *
committer_main(void *arg)
{
	struct committer *c = arg;
	struct pending *v[BATCH_MAX];

	pthread_mutex_lock(&c->mu);
	for (;;) {
		size_t n = 0;

		while (c->head == NULL && !c->stop)
			pthread_cond_wait(&c->work, &c->mu);
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
		for (size_t i = 0; i < n; i++)
			v[i]->done = 1;
		pthread_cond_broadcast(&c->done);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

struct committer *
committer_start(const struct config *cfg)
{
	struct committer *c = calloc(1, sizeof(*c));
	struct jobq_options o;
	int err;

	if (c == NULL)
		return NULL;
	cli_queue_options(cfg, &o);
	if ((err = jobq_open(&o, &c->q)) != JOBQ_OK) {
		char buf[256];
		log_event(LOG_LVL_ERROR, "db_open_failed", "db=%s err=%s",
		    log_quote(o.path, buf, sizeof(buf)),
		    c->q ? jobq_errmsg(c->q) : jobq_strerror(err));
		jobq_close(c->q);
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->work, NULL);
	pthread_cond_init(&c->done, NULL);
	c->tail = &c->head;
	if (pthread_create(&c->thread, NULL, committer_main, c) != 0) {
		jobq_close(c->q);
		free(c);
		return NULL;
	}
	return c;
}

int
committer_enqueue(struct committer *c, const struct jobq_new *job,
    struct jobq_enqueued *out)
{
	struct pending p = {.job = job, .out = out, .rc = JOBQ_ERR_INTERNAL};

	pthread_mutex_lock(&c->mu);
	*c->tail = &p;
	c->tail = &p.next;
	pthread_cond_signal(&c->work);
	while (!p.done)
		pthread_cond_wait(&c->done, &c->mu);
	pthread_mutex_unlock(&c->mu);
	return p.rc;
}

void
committer_stop(struct committer *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_signal(&c->work);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->work);
	pthread_cond_destroy(&c->done);
	jobq_close(c->q);
	free(c);
}
