/*
 * text.c -- listing text made safe for the flat file: valid UTF-8, no
 * control characters (so no tab, CR or LF), single spaces; and cut to
 * Amazon's limits at a word boundary, never inside a UTF-8 sequence.
 */
#include "content/internal.h"

#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
			return 0;         /* overlong, surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

char *
text_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	/* Each invalid byte may grow to the 3 bytes of U+FFFD. */
	char *out = malloc(strlen((const char *)p) * 3 + 1), *o = out;
	int space = 1;                /* drop leading spaces */

	if (out == NULL)
		return NULL;
	while (*p) {
		size_t n = utf8_seq(p);

		if (n == 1 && (*p < 0x20 || *p == 0x7f || *p == ' ')) {
			if (!space)
				*o++ = ' ';
			space = 1;
			p++;
			continue;
		}
		/* C1 controls (U+0080-U+009F) and U+2028/2029 break lines too. */
		if ((n == 2 && p[0] == 0xc2 && p[1] < 0xa0) ||
		    (n == 3 && p[0] == 0xe2 && p[1] == 0x80 &&
		    (p[2] == 0xa8 || p[2] == 0xa9))) {
			if (!space)
				*o++ = ' ';
			space = 1;
			p += n;
			continue;
		}
		space = 0;
		if (n == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
			continue;
		}
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	if (o > out && o[-1] == ' ')
		o--;
	*o = '\0';
	return out;
}

size_t
text_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int
text_fits(const char *s, size_t max, int chars)
{
	return (chars ? text_chars(s) : strlen(s)) <= max;
}

int
text_cut(char *s, size_t max, int chars)
{
	size_t i = 0, n = 0, end, space = 0;
	int have_space = 0;

	if (text_fits(s, max, chars))
		return 0;
	/* end: the longest prefix of whole code points within the limit. */
	while (s[i] != '\0') {
		size_t len = 1;

		while ((((unsigned char)s[i + len]) & 0xc0) == 0x80)
			len++;
		if (chars ? n + 1 > max : i + len > max)
			break;
		if (s[i] == ' ') {
			space = i;
			have_space = 1;
		}
		i += len;
		n++;
	}
	end = i;
	/* The next character starting a word means end is a boundary. */
	if (s[end] != ' ' && have_space)
		end = space;
	while (end > 0 && strchr(" ,;:-", s[end - 1]) != NULL)
		end--;
	s[end] = '\0';
	return 1;
}
