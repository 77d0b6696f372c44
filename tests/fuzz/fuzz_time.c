/*
 * fuzz_time.c -- RFC 3339 times (run_at, --run-at) and durations
 * (prune --older-than): parse, and a parsed time must format and parse
 * back to itself.
 */
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), buf[CLOCK_RFC3339_SIZE];
	int64_t ms, again;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (clock_parse_rfc3339(s, &ms) == 0) {
		clock_rfc3339(ms, buf);
		if (ms < 253402300800000LL &&
		    (clock_parse_rfc3339(buf, &again) != 0 || again != ms))
			abort();
	}
	(void)clock_parse_duration(s, &ms);
	free(s);
	return 0;
}
