/*
 * log.h -- one event per line, key=value: "ts=... level=info event=...".
 * Destinations: stderr (default), syslog, or a file reopened on SIGHUP.
 * Callers never pass secrets; log_quote() makes any value safe to embed.
 */
#ifndef JOBQ_LOG_H
#define JOBQ_LOG_H

#include <stddef.h>

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* dest: NULL/"stderr", "syslog", or a file path (appended to).  Returns 0,
 * or -1 if the file cannot be opened (logging stays on stderr). */
int log_open(const char *dest, const char *ident);
/* Reopens the log file (after rotation); safe to call from the main loop
 * when a SIGHUP flag is seen.  Returns 0 or -1. */
int log_reopen(void);
void log_close(void);
/* Writes "ts=... level=L event=EVENT <fields>" where fields is a printf
 * format of further key=value pairs (may be NULL). */
void log_event(enum log_level lvl, const char *event, const char *fields, ...)
    __attribute__((format(printf, 3, 4)));
/* Quotes s for a key=value line when it needs it (space, quote, '=',
 * control bytes), escaping as JSON does; cuts at size.  Returns buf. */
const char *log_quote(const char *s, char *buf, size_t size);

#endif
