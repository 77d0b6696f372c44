/*
 * fuzz_text.c -- the UTF-8 sanitiser and the word-boundary cutter: the
 * result is valid UTF-8 without control characters, and a cut never
 * leaves it over the limit or inside a sequence.
 */
#include <stdlib.h>
#include <string.h>

#include "content/internal.h"
#include "tests/fuzz/fuzz.h"
#include "tests/utf8.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *clean;
	size_t max;
	int chars;

	if (size < 2)
		return 0;
	max = data[0];
	chars = data[1] & 1;
	if ((in = malloc(size - 1)) == NULL)
		return 0;
	memcpy(in, data + 2, size - 2);
	in[size - 2] = '\0';
	if ((clean = text_clean(in)) != NULL) {
		if (!valid_utf8(clean))
			abort();
		for (const char *p = clean; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				abort();
		text_cut(clean, max, chars);
		if (!text_fits(clean, max, chars) || !valid_utf8(clean))
			abort();
		free(clean);
	}
	free(in);
	return 0;
}
