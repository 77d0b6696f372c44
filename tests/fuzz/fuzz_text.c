/*
 * fuzz_text.c -- the UTF-8 sanitiser and the word-boundary cutter: the
 * result is valid UTF-8 without control characters, and a cut never
 * leaves it over the limit or inside a sequence.
 */
#include <stdlib.h>
#include <string.h>

#include "content/internal.h"
#include "tests/fuzz/fuzz.h"

/* 1 if s is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
static int
valid_utf8(const unsigned char *s)
{
	while (*s) {
		int n = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1 : (*s & 0xf0) == 0xe0 ? 2 :
		    (*s & 0xf8) == 0xf0 ? 3 : -1;
		if (n < 0 || (n == 1 && *s < 0xc2) || (n == 3 && *s > 0xf4))
			return 0;
		unsigned cp = n == 0 ? *s : *s & (0x3f >> n);
		for (int i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		s += n + 1;
	}
	return 1;
}

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
		if (!valid_utf8((const unsigned char *)clean))
			abort();
		for (const char *p = clean; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				abort();
		text_cut(clean, max, chars);
		if (!text_fits(clean, max, chars) || !valid_utf8((const unsigned char *)clean))
			abort();
		free(clean);
	}
	free(in);
	return 0;
}
