/*
 * json.c -- a well-formedness scan of JSON texts (RFC 8259), with no
 * allocation.  The library stores payloads, results and errors as JSON
 * text; payloads are checked with this when they come in, and stored
 * texts that pass are copied into answers as they are.
 */
#include "internal.h"

#include <ctype.h>
#include <string.h>

/* Skips JSON whitespace. */
static size_t
ws(const char *s, size_t i, size_t len)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Scans the string starting at s[i] == '"'; the index after it, or 0. */
static size_t
scan_string(const char *s, size_t i, size_t len)
{
	for (i++; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"')
			return i + 1;
		if (c < 0x20)
			return 0;
		if (c != '\\')
			continue;
		if (++i >= len)
			return 0;
		if (s[i] == 'u') {
			for (int k = 0; k < 4; k++)
				if (++i >= len || !isxdigit((unsigned char)s[i]))
					return 0;
		} else if (strchr("\"\\/bfnrt", s[i]) == NULL || s[i] == '\0') {
			return 0;
		}
	}
	return 0;
}

/* Scans the number starting at s[i]; the index after it, or 0. */
static size_t
scan_number(const char *s, size_t i, size_t len)
{
	if (i < len && s[i] == '-')
		i++;
	if (i < len && s[i] == '0')
		i++;
	else if (i < len && s[i] >= '1' && s[i] <= '9')
		while (i < len && is_digit(s[i]))
			i++;
	else
		return 0;
	if (i < len && s[i] == '.') {
		if (++i >= len || !is_digit(s[i]))
			return 0;
		while (i < len && is_digit(s[i]))
			i++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= len || !is_digit(s[i]))
			return 0;
		while (i < len && is_digit(s[i]))
			i++;
	}
	return i;
}

int
json_text_valid(const char *s, size_t len)
{
	char stack[JSON_TEXT_DEPTH];
	int depth = 0;
	size_t i = ws(s, 0, len), e;

	for (;;) {
		/* A value at s[i]. */
		if (i >= len)
			return 0;
		switch (s[i]) {
		case '{':
		case '[':
			if (depth == JSON_TEXT_DEPTH)
				return 0;
			stack[depth++] = s[i];
			i = ws(s, i + 1, len);
			if (i < len && s[i] == (stack[depth - 1] == '{' ? '}' : ']')) {
				depth--;
				i++;
				break;
			}
			if (stack[depth - 1] == '[')
				continue;
			goto key;
		case '"':
			if ((i = scan_string(s, i, len)) == 0)
				return 0;
			break;
		case 't':
		case 'f':
		case 'n': {
			const char *lit = s[i] == 't' ? "true" : s[i] == 'f' ? "false" : "null";
			size_t n = strlen(lit);
			if (len - i < n || memcmp(s + i, lit, n) != 0)
				return 0;
			i += n;
			break;
		}
		default:
			if ((i = scan_number(s, i, len)) == 0)
				return 0;
		}
		/* After a value: the end, or what its container allows. */
		for (;;) {
			i = ws(s, i, len);
			if (depth == 0)
				return i == len;
			if (i >= len)
				return 0;
			if (s[i] == ',') {
				i = ws(s, i + 1, len);
				if (stack[depth - 1] == '[')
					break;
				goto key;
			}
			if (s[i] != (stack[depth - 1] == '{' ? '}' : ']'))
				return 0;
			depth--;
			i++;
		}
		continue;
key:
		/* "key": then the member's value. */
		if (i >= len || s[i] != '"' || (e = scan_string(s, i, len)) == 0)
			return 0;
		i = ws(s, e, len);
		if (i >= len || s[i] != ':')
			return 0;
		i = ws(s, i + 1, len);
	}
}
