/*
 * uuid.h -- UUIDv7 job ids (RFC 9562): 48 bits of Unix milliseconds, then
 * random bits, so ids sort roughly by creation time.
 */
#ifndef JOBQ_UUID_H
#define JOBQ_UUID_H

#include <stdint.h>

/* Writes a 36-character id and NUL into out.  Returns 0, or -1 when the
 * kernel's random source fails. */
int uuid_v7(int64_t ms, char out[37]);
/* 1 if s is 8-4-4-4-12 lower- or upper-case hex, else 0. */
int uuid_valid(const char *s);

#endif
