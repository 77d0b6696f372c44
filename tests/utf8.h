/*
 * utf8.h -- one strict UTF-8 check for the tests (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), shared by the content
 * tests and the fuzz targets that assert on sanitised text.
 */
#ifndef JOBQ_TESTS_UTF8_H
#define JOBQ_TESTS_UTF8_H

/* 1 if the NUL-terminated str is valid UTF-8, else 0. */
__attribute__((unused)) static int
valid_utf8(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		int n = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1 : (*s & 0xf0) == 0xe0 ? 2 :
		    (*s & 0xf8) == 0xf0 ? 3 : -1;
		if (n < 0 || (n == 1 && *s < 0xc2) || (n == 3 && *s > 0xf4))
			return 0;
		unsigned cp = n == 0 ? *s : *s & (0x3fu >> n);
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

#endif
