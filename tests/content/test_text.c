/*
 * test_text.c -- the UTF-8 cleaner and cutter: control characters and
 * invalid bytes never survive, cuts land on word boundaries and never
 * inside a UTF-8 sequence, under random multibyte input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "content/internal.h"
#include "tests/tap.h"
#include "tests/utf8.h"


static uint32_t rng = 12345;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Random text of words in ASCII, Latin-1, CJK and emoji, with tabs,
 * newlines and stray bytes mixed in. */
static char *
random_text(size_t words)
{
	static const char *const pieces[] = {
		"mug", "Stoneware", "caf\xc3\xa9", "na\xc3\xafve", "\xe6\x97\xa5\xe6\x9c\xac",
		"\xe8\xaa\x9e", "\xf0\x9f\x98\x80", "\xf0\x9f\x8d\xb5", "\xd0\x9a\xd1\x80\xd1\x83\xd0\xb6\xd0\xba\xd0\xb0",
		"\t", "\r\n", "\n", "\xff", "\xc3", "\xe2\x80\xa8", "x", "long-word-without-any-space-at-all",
	};
	size_t cap = words * 40 + 1, len = 0;
	char *s = malloc(cap);

	for (size_t i = 0; i < words; i++) {
		const char *p = pieces[rnd() % (sizeof(pieces) / sizeof(pieces[0]))];
		size_t n = strlen(p);
		memcpy(s + len, p, n);
		len += n;
		if (rnd() % 3)
			s[len++] = ' ';
	}
	s[len] = '\0';
	return s;
}

int
main(void)
{
	char *c;
	char buf[256];

	c = text_clean("  a\tb\r\nc  \x01 d ");
	is_str(c, "a b c d", "controls become single spaces, ends trimmed");
	free(c);
	c = text_clean("bad\xff byte \xc3");
	is_str(c, "bad\xef\xbf\xbd byte \xef\xbf\xbd", "invalid bytes become U+FFFD");
	free(c);
	c = text_clean("over\xc0\xaflong");
	ok(valid_utf8(c) && strstr(c, "\xc0") == NULL, "overlong sequence replaced");
	free(c);
	c = text_clean(NULL);
	is_str(c, "", "NULL cleans to the empty string");
	free(c);

	strcpy(buf, "hello wonderful world");
	ok(text_cut(buf, 14, 1) == 1, "a long text is cut");
	is_str(buf, "hello", "cut at the last word boundary that fits");
	strcpy(buf, "hello wonderful world");
	text_cut(buf, 15, 1);
	is_str(buf, "hello wonderful", "a word ending exactly at the limit is kept");
	strcpy(buf, "hello world");
	ok(text_cut(buf, 11, 1) == 0, "text at the limit is untouched");
	is_str(buf, "hello world", "unchanged");
	strcpy(buf, "hello world again");
	text_cut(buf, 11, 1);
	is_str(buf, "hello world", "a cut just before a space keeps the whole word");
	strcpy(buf, "abc, def");
	text_cut(buf, 6, 1);
	is_str(buf, "abc", "trailing punctuation is dropped");
	strcpy(buf, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");  /* 4 chars, 8 bytes */
	text_cut(buf, 3, 1);
	is_str(buf, "\xc3\xa9\xc3\xa9\xc3\xa9", "no space: cut at a whole character (chars)");
	strcpy(buf, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	text_cut(buf, 5, 0);
	is_str(buf, "\xc3\xa9\xc3\xa9", "no space: cut at a whole character (bytes)");
	strcpy(buf, "\xf0\x9f\x98\x80 \xf0\x9f\x98\x80");
	text_cut(buf, 8, 0);
	is_str(buf, "\xf0\x9f\x98\x80", "emoji: byte limit inside the second one cuts at the space");
	is_int(text_chars("\xe6\x97\xa5\xe6\x9c\xac"), 2, "characters are code points");

	/* Random multibyte text: every cut is valid UTF-8, within the limit,
	 * and a prefix of the cleaned text ending at a word boundary unless
	 * the first word alone is too long. */
	int bad_valid = 0, bad_limit = 0, bad_prefix = 0, bad_boundary = 0, bad_ctl = 0;
	for (int i = 0; i < 3000; i++) {
		char *s = random_text(1 + rnd() % 120), *cl = text_clean(s), *cut;
		size_t max = 1 + rnd() % 300;
		int chars = (int)(rnd() % 2);

		cut = strdup(cl);
		text_cut(cut, max, chars);
		if (!valid_utf8(cut) || !valid_utf8(cl))
			bad_valid++;
		if (!text_fits(cut, max, chars))
			bad_limit++;
		if (strncmp(cl, cut, strlen(cut)) != 0)
			bad_prefix++;
		if (strlen(cut) < strlen(cl)) {
			/* The rest starts at a space (or at punctuation the cut
			 * dropped before one); a cut inside a word only when the
			 * kept text is a single word that alone is too long. */
			const char *rest = cl + strlen(cut);
			if (strchr(" ,;:-", rest[0]) == NULL && strchr(cut, ' ') != NULL)
				bad_boundary++;
		}
		for (const char *p = cut; *p; p++)
			bad_ctl += *p == '\t' || *p == '\r' || *p == '\n';
		free(s);
		free(cl);
		free(cut);
	}
	is_int(bad_valid, 0, "random: every result is valid UTF-8");
	is_int(bad_limit, 0, "random: every cut is within its limit");
	is_int(bad_prefix, 0, "random: every cut is a prefix of the cleaned text");
	is_int(bad_boundary, 0, "random: cuts land on word boundaries");
	is_int(bad_ctl, 0, "random: no tab, CR or LF survives");
	return done_testing();
}
