/*
 * main.c -- jobq-fcgi: the FastCGI responder.  Finds its listening socket
 * (fd 0 when spawned by spawn-fcgi, mod_fcgid or systemd; otherwise
 * --listen), opens one database connection per request thread, serves
 * until SIGTERM/SIGINT, then stops accepting, lets requests in flight
 * finish and exits within 5 seconds.
 *
 * Shutdown, the libfcgi way round: a thread blocked in FCGX_Accept_r only
 * returns when accept() fails, and libfcgi's OS_Read/OS_Write refuse to
 * work once FCGX_ShutdownPending() was called, which would break requests
 * in flight.  So the main thread (the only one taking SIGTERM, through
 * sigwait) shuts down a listen socket it created itself and interrupts the
 * threads that sit idle in accept with SIGUSR2 (installed without
 * SA_RESTART; requests are accepted with FCGI_FAIL_ACCEPT_ON_INTR), again
 * and again until each has left.  An inherited fd 0 is never shut down:
 * it may be shared with a sibling process or kept by systemd.
 */
#include "fcgi/fcgi.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <malloc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/priv.h"

#define SHUTDOWN_MS 4500
#define THREADS_DEFAULT 8
#define THREADS_MAX 256

enum thread_state { T_BUSY, T_ACCEPTING, T_DONE };

struct worker {
	pthread_t thread;
	jobq *q;
	int listen_fd;
	enum thread_state state;
	struct server *srv;
};

static pthread_mutex_t state_mu = PTHREAD_MUTEX_INITIALIZER;
static int stopping;

static void
on_wake(int sig)
{
	(void)sig;
}

/* Copies REQUEST_URI up to the query into r->path; 0, or -1 if too long. */
static int
req_path(struct req *r)
{
	const char *uri = req_param(r, "REQUEST_URI");
	size_t n;

	if (uri == NULL || *uri == '\0')
		uri = req_param(r, "DOCUMENT_URI");
	if (uri == NULL)
		uri = "";
	n = strcspn(uri, "?#");
	if (n >= sizeof(r->path))
		return -1;
	memcpy(r->path, uri, n);
	r->path[n] = '\0';
	return 0;
}

static void
serve(struct req *r)
{
	const char *q = req_param(r, "QUERY_STRING");
	int64_t t0 = clock_mono_ms();

	r->method = req_param(r, "REQUEST_METHOD");
	if (r->method == NULL)
		r->method = "";
	r->query = q ? q : "";
	if (req_path(r) < 0)
		http_error(r, 404, "not_found", "no such resource", NULL, NULL);
	else if (jobq_refresh(r->q) != JOBQ_OK)
		/* The database file was removed: answer 503 until it is back. */
		http_jobq_error(r, JOBQ_ERR_IO, "open");
	else
		routes_dispatch(r);
	if (r->status >= 500) {
		char p[128];
		log_event(LOG_LVL_WARN, "request", "method=%.16s path=%s status=%d ms=%lld",
		    r->method, log_quote(r->path, p, sizeof(p)), r->status,
		    (long long)(clock_mono_ms() - t0));
	}
}

/* A fresh request on the listen socket; exits when out of memory. */
static FCGX_Request *
new_request(int fd)
{
	FCGX_Request *fr = malloc(sizeof(*fr));

	if (fr == NULL)
		cli_die(1, "out of memory");
	FCGX_InitRequest(fr, fd, FCGI_FAIL_ACCEPT_ON_INTR);
	return fr;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	FCGX_Request *fr = new_request(w->listen_fd);
	struct req r = {.srv = w->srv, .q = w->q, .query = ""};

	for (;;) {
		int rc, stop;

		pthread_mutex_lock(&state_mu);
		if (stopping) {
			pthread_mutex_unlock(&state_mu);
			break;
		}
		w->state = T_ACCEPTING;
		pthread_mutex_unlock(&state_mu);
		rc = FCGX_Accept_r(fr);
		pthread_mutex_lock(&state_mu);
		w->state = T_BUSY;
		stop = stopping;
		pthread_mutex_unlock(&state_mu);
		if (rc < 0) {
			if (stop)
				break;
			/* EINTR from another signal, or a transient accept
			 * failure: do not spin. */
			struct timespec ts = {0, 10 * 1000000L};
			nanosleep(&ts, NULL);
			continue;
		}
		r.fr = fr;
		serve(&r);
		if (r.handed_off)
			fr = new_request(w->listen_fd);   /* the committer answers */
		else
			req_finish(fr);
		req_reset(&r);
	}
	FCGX_Free(fr, 1);
	free(fr);
	pthread_mutex_lock(&state_mu);
	w->state = T_DONE;
	pthread_mutex_unlock(&state_mu);
	return NULL;
}

static int
listen_unix(const char *path, const char *mode_s, const char *group)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	unsigned long mode = 0660;
	char *end;
	mode_t old;
	int fd;

	if (mode_s) {
		mode = strtoul(mode_s, &end, 8);
		if (*mode_s == '\0' || *end != '\0' || mode > 0777)
			cli_die(2, "--socket-mode: expected octal permissions such as 0660");
	}
	if (strlen(path) >= sizeof(sa.sun_path))
		cli_die(2, "--listen: socket path longer than %zu bytes",
		    sizeof(sa.sun_path) - 1);
	strcpy(sa.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		cli_die(1, "socket: %s", strerror(errno));
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			cli_die(1, "%s exists and is not a socket", path);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			cli_die(1, "%s: another responder is listening there", path);
		close(fd);
		unlink(path);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			cli_die(1, "socket: %s", strerror(errno));
	}
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		cli_die(1, "bind %s: %s", path, strerror(errno));
	umask(old);
	if (group) {
		struct group *g = getgrnam(group);
		gid_t gid;
		if (g)
			gid = g->gr_gid;
		else if ((gid = (gid_t)strtoul(group, &end, 10)), *end != '\0' || !*group)
			cli_die(2, "--socket-group: no group %s", group);
		if (chown(path, (uid_t)-1, gid) < 0)
			cli_die(1, "chown %s: %s", path, strerror(errno));
	}
	if (chmod(path, (mode_t)mode) < 0)
		cli_die(1, "chmod %s: %s", path, strerror(errno));
	if (listen(fd, 1024) < 0)
		cli_die(1, "listen %s: %s", path, strerror(errno));
	return fd;
}

/* "127.0.0.1:9000", "[::1]:9000", ":9000" or "9000" (loopback), or an
 * explicit "0.0.0.0:9000".  Numeric addresses only: no DNS. */
static int
listen_tcp(const char *spec)
{
	char host[64] = "127.0.0.1", port[16];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE}, *ai;
	int fd, one = 1, rc;

	if (colon == NULL) {
		snprintf(port, sizeof(port), "%s", spec);
	} else {
		size_t hl = (size_t)(colon - spec);
		const char *h = spec;
		if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
			h++;
			hl -= 2;
		}
		if (hl >= sizeof(host))
			cli_die(2, "--listen: address too long");
		if (hl > 0) {
			memcpy(host, h, hl);
			host[hl] = '\0';
		}
		if (strcmp(host, "localhost") == 0)
			strcpy(host, "127.0.0.1");
		snprintf(port, sizeof(port), "%s", colon + 1);
	}
	if (port[0] == '\0' || strspn(port, "0123456789") != strlen(port) ||
	    atoi(port) < 1 || atoi(port) > 65535)
		cli_die(2, "--listen: expected /path/to.sock or ADDRESS:PORT, got %s", spec);
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0)
		cli_die(2, "--listen %s: %s", spec, gai_strerror(rc));
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		cli_die(1, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		cli_die(1, "bind %s: %s", spec, strerror(errno));
	freeaddrinfo(ai);
	if (listen(fd, 1024) < 0)
		cli_die(1, "listen %s: %s", spec, strerror(errno));
	return fd;
}

/* 1 if fd 0 is a listening socket handed over by a process manager. */
static int
fd0_is_listener(void)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v;
}

/* Stops accepting and waits for the request threads; returns 0 if all
 * left in time, -1 if some request was still running at the deadline. */
static int
stop_threads(struct worker *w, int n, int own_fd, int fd)
{
	int64_t deadline = clock_mono_ms() + SHUTDOWN_MS;

	pthread_mutex_lock(&state_mu);
	stopping = 1;
	pthread_mutex_unlock(&state_mu);
	if (own_fd)
		shutdown(fd, SHUT_RDWR);
	for (;;) {
		int left = 0;

		pthread_mutex_lock(&state_mu);
		for (int i = 0; i < n; i++) {
			if (w[i].state == T_ACCEPTING)
				pthread_kill(w[i].thread, SIGUSR2);
			left += w[i].state != T_DONE;
		}
		pthread_mutex_unlock(&state_mu);
		if (left == 0)
			return 0;
		if (clock_mono_ms() > deadline)
			return -1;
		struct timespec ts = {0, 20 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

int
main(int argc, char **argv)
{
	static struct server srv;
	const char *listen_spec = NULL, *threads_s = NULL, *mode_s = NULL,
	    *group = NULL, *user = NULL;
	char perr[256];
	const struct cli_opt opts[] = {
		{"--listen", -1, &listen_spec, NULL, "ADDR",
		    "unix socket path or ADDRESS:PORT (default: fd 0 when it is a listening socket)"},
		{"--threads", -1, &threads_s, NULL, "N", "request threads (default 8)"},
		{"--socket-mode", -1, &mode_s, NULL, "MODE", "unix socket permissions (default 0660)"},
		{"--socket-group", -1, &group, NULL, "GROUP", "group of the unix socket (e.g. www-data)"},
		{"--db", CFG_DB, NULL, NULL, "FILE", "database file"},
		{"--user", -1, &user, NULL, "NAME", "drop root to this user once the socket is open"},
		{NULL, 0, NULL, NULL, NULL, NULL},
	};
	struct worker *w;
	struct jobq_options qo;
	int nthreads = THREADS_DEFAULT, fd, own_fd = 0, sig, rc = 0;
	sigset_t set;
	struct sigaction sa;
	char *end;

	/* Every request thread would get its own malloc arena (up to 8 per
	 * core); two keep RSS small at no measurable cost here. */
	mallopt(M_ARENA_MAX, 2);
	if (cli_parse(argc, argv, "[--listen ADDR] [--threads N] [options]",
	    opts, &srv.cfg) > 0)
		cli_die(2, "unexpected argument %s (try --help)", argv[1]);
	if (threads_s) {
		long v = strtol(threads_s, &end, 10);
		if (*threads_s == '\0' || *end != '\0' || v < 1 || v > THREADS_MAX)
			cli_die(2, "--threads: expected 1 to %d", THREADS_MAX);
		nthreads = (int)v;
	}
	log_open(config_str(&srv.cfg, CFG_LOG), "jobq-fcgi");
	if (listen_spec != NULL) {
		if (listen_spec[0] == '/' || listen_spec[0] == '.')
			fd = listen_unix(listen_spec, mode_s, group);
		else
			fd = listen_tcp(listen_spec);
		own_fd = 1;
	} else if (fd0_is_listener()) {
		fd = 0;
	} else {
		cli_die(2, "fd 0 is not a listening socket: give --listen /path.sock"
		    " or --listen 127.0.0.1:PORT");
	}

	/* The socket is bound (it may need root for its place and group);
	 * nothing else does. */
	if (priv_drop(user, perr, sizeof(perr)) < 0)
		cli_die(2, "%s", perr);

	srv.max_body = (size_t)config_int(&srv.cfg, CFG_MAX_BODY_BYTES);
	srv.trust_remote_user = config_bool(&srv.cfg, CFG_TRUST_REMOTE_USER);
	srv.async_enabled = config_bool(&srv.cfg, CFG_ASYNC_JOBS_ENABLED);
	srv.async_types = config_str(&srv.cfg, CFG_ASYNC_JOB_TYPES);
	srv.alive_ms = config_int(&srv.cfg, CFG_LEASE_SECONDS) * 1000;
	if (getenv("JOBQ_TEST_JOBS") && strcmp(getenv("JOBQ_TEST_JOBS"), "1") == 0 &&
	    getenv("JOBQ_TEST_PROGRESS_DELAY_MS"))
		srv.test_progress_delay_ms = atoi(getenv("JOBQ_TEST_PROGRESS_DELAY_MS"));

	/* The committer opens first: it creates and migrates the database. */
	if ((srv.committer = committer_start(&srv)) == NULL) {
		fprintf(stderr, "%s: cannot open the database %s (see the log)\n",
		    cli_prog, config_str(&srv.cfg, CFG_DB));
		return 1;
	}
	if ((w = calloc((size_t)nthreads, sizeof(*w))) == NULL)
		cli_die(1, "out of memory");
	cli_queue_options(&srv.cfg, &qo);
	for (int i = 0; i < nthreads; i++) {
		int err = jobq_open(&qo, &w[i].q);
		if (err != JOBQ_OK) {
			fprintf(stderr, "%s: %s: %s\n", cli_prog, qo.path,
			    w[i].q ? jobq_errmsg(w[i].q) : jobq_strerror(err));
			return 1;
		}
		w[i].listen_fd = fd;
		w[i].srv = &srv;
		w[i].state = T_BUSY;
	}

	if (FCGX_Init() != 0)
		cli_die(1, "FCGX_Init failed");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_wake;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);          /* no SA_RESTART: EINTR */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0)
			cli_die(1, "cannot start thread %d", i);
	log_event(LOG_LVL_INFO, "started", "threads=%d listen=%s pid=%d", nthreads,
	    listen_spec ? listen_spec : "fd0", (int)getpid());

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			log_reopen();
			continue;
		}
		break;
	}
	log_event(LOG_LVL_INFO, "stopping", "signal=%d", sig);
	if (stop_threads(w, nthreads, own_fd, fd) < 0) {
		/* A request outlived the grace period (a long sync stream):
		 * commit and answer what waits, and leave anyway.
		 * XXX: that sync stream is cut without its DONE/FAILED line;
		 * its client sees the connection end. */
		log_event(LOG_LVL_WARN, "stop_forced", "grace_ms=%d", SHUTDOWN_MS);
		committer_stop(srv.committer, 0);
		FCGX_ShutdownPending();
		rc = 1;
	} else {
		for (int i = 0; i < nthreads; i++) {
			pthread_join(w[i].thread, NULL);
			jobq_close(w[i].q);
		}
		committer_stop(srv.committer, 1);
	}
	if (own_fd && listen_spec[0] != '/' && listen_spec[0] != '.')
		close(fd);
	else if (own_fd) {
		close(fd);
		unlink(listen_spec);
	}
	if (rc == 0)
		free(w);
	log_event(LOG_LVL_INFO, "stopped", "clean=%d", rc == 0);
	config_free(&srv.cfg);
	log_close();
	return rc;
}
