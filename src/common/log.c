/*
 * log.c -- the key=value event log shared by all programs.
 */
#include "log.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "clock.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = STDERR_FILENO;
static int log_syslog;
static char *log_path;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

static int
open_file(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
}

int
log_open(const char *dest, const char *ident)
{
	if (dest == NULL || *dest == '\0' || strcmp(dest, "stderr") == 0)
		return 0;
	if (strcmp(dest, "syslog") == 0) {
		openlog(ident, LOG_PID, LOG_DAEMON);
		log_syslog = 1;
		return 0;
	}
	int fd = open_file(dest);
	if (fd < 0)
		return -1;
	free(log_path);
	log_path = strdup(dest);
	log_fd = fd;
	return 0;
}

int
log_reopen(void)
{
	int rc = 0;

	pthread_mutex_lock(&log_lock);
	if (log_path != NULL) {
		int fd = open_file(log_path);
		if (fd < 0) {
			rc = -1;
		} else {
			close(log_fd);
			log_fd = fd;
		}
	}
	pthread_mutex_unlock(&log_lock);
	return rc;
}

void
log_close(void)
{
	if (log_path != NULL && log_fd != STDERR_FILENO)
		close(log_fd);
	free(log_path);
	log_path = NULL;
	log_fd = STDERR_FILENO;
	if (log_syslog)
		closelog();
	log_syslog = 0;
}

const char *
log_quote(const char *s, char *buf, size_t size)
{
	size_t o = 0;
	int needs = (s == NULL || *s == '\0');

	if (s == NULL)
		s = "";
	for (const char *p = s; *p && !needs; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '=' ||
		    *p == '\\' || *p == 0x7f)
			needs = 1;
	if (!needs) {
		snprintf(buf, size, "%s", s);
		return buf;
	}
	if (size < 3) {
		if (size > 0)
			buf[0] = '\0';
		return buf;
	}
	buf[o++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		size_t n;

		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			n = 2;
		} else if (*p == '\n') {
			memcpy(esc, "\\n", 2);
			n = 2;
		} else if (*p < 0x20 || *p == 0x7f) {
			n = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", *p);
		} else {
			esc[0] = (char)*p;
			n = 1;
		}
		if (o + n + 2 > size)
			break;
		memcpy(buf + o, esc, n);
		o += n;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

void
log_event(enum log_level lvl, const char *event, const char *fields, ...)
{
	char line[4096], ts[CLOCK_RFC3339_SIZE];
	int n;

	n = snprintf(line, sizeof(line), "ts=%s level=%s event=%s",
	    clock_rfc3339(clock_ms(), ts), level_names[lvl], event);
	if (fields != NULL && n > 0 && (size_t)n < sizeof(line) - 2) {
		va_list ap;

		line[n++] = ' ';
		va_start(ap, fields);
		int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fields, ap);
		va_end(ap);
		if (m > 0)
			n += m;
	}
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	if (log_syslog) {
		static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
		line[n] = '\0';
		syslog(prio[lvl], "%s", line);
		return;
	}
	line[n++] = '\n';
	pthread_mutex_lock(&log_lock);
	/* One write per line so lines from several processes never mix. */
	if (write(log_fd, line, (size_t)n) < 0) {
		/* Nowhere left to report it. */
	}
	pthread_mutex_unlock(&log_lock);
}
