/*
 * clock.h -- wall and monotonic time in milliseconds, RFC 3339 formatting
 * and parsing, and operator durations ("30s", "7d").
 */
#ifndef JOBQ_CLOCK_H
#define JOBQ_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define CLOCK_RFC3339_SIZE 32

int64_t clock_ms(void);          /* wall clock, epoch milliseconds */
int64_t clock_mono_ms(void);     /* monotonic, for intervals */
/* Writes "2026-11-28T15:04:05.123Z"; returns buf. */
char *clock_rfc3339(int64_t ms, char buf[CLOCK_RFC3339_SIZE]);
/* Parses an RFC 3339 time with an offset ("Z" or "+hh:mm") and optional
 * fraction.  Returns 0 and sets *ms, or -1 if malformed or out of range. */
int clock_parse_rfc3339(const char *s, int64_t *ms);
/* Parses "<n>[ms|s|m|h|d|w]" (no unit: seconds).  Returns 0 or -1. */
int clock_parse_duration(const char *s, int64_t *ms);

#endif
