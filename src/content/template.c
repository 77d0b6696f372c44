/*
 * template.c -- the offline provider: listing text built only from the
 * product's own fields, deterministic (the same product always gives the
 * same text) and within Amazon's limits.  It is also the repair source for
 * fields the openai provider gets wrong.
 */
#include "content/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A growing string; on allocation failure it stays failed (err=1). */
struct sbuf {
	char *s;
	size_t len, cap;
	int err;
};

static void
sb_add(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *t = realloc(b->s, cap);
		if (t == NULL) {
			b->err = 1;
			return;
		}
		b->s = t;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

/* The cleaned, cut text of b (consumes b), or NULL without memory. */
static char *
sb_finish(struct sbuf *b, size_t limit, int chars)
{
	char *out;

	if (b->err) {
		free(b->s);
		return NULL;
	}
	out = text_clean(b->s ? b->s : "");
	free(b->s);
	if (out)
		text_cut(out, limit, chars);
	return out;
}

/* s with its first letter upper-cased (ASCII), cleaned; malloc'd. */
static char *
capitalised(const char *s)
{
	char *c = text_clean(s);

	if (c && c[0] >= 'a' && c[0] <= 'z')
		c[0] = (char)toupper((unsigned char)c[0]);
	return c;
}

static int
starts_with_word(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return n > 0 && strncasecmp(s, prefix, n) == 0 &&
	    (s[n] == '\0' || s[n] == ' ');
}

static char *
make_item_name(const struct product *p)
{
	struct sbuf b = {0};
	char *title = text_clean(p->title), *brand = text_clean(p->brand);

	if (title == NULL || brand == NULL) {
		free(title);
		free(brand);
		return NULL;
	}
	/* Amazon's pattern: brand, product, then the leading features. */
	if (!starts_with_word(title, brand)) {
		sb_add(&b, brand);
		sb_add(&b, " ");
	}
	sb_add(&b, title);
	for (size_t i = 0; i < p->nfeatures && i < 2; i++) {
		sb_add(&b, ", ");
		sb_add(&b, p->features[i]);
	}
	free(title);
	free(brand);
	return sb_finish(&b, LIMIT_ITEM_NAME, 1);
}

static char *
make_bullet(const struct product *p, size_t i)
{
	struct sbuf b = {0};
	char *c;

	if (i < p->nfeatures && (i < NBULLETS - 1 || p->nfeatures == NBULLETS)) {
		c = capitalised(p->features[i]);
		if (c == NULL)
			return NULL;
		text_cut(c, LIMIT_BULLET, 1);
		return c;
	}
	if (i == NBULLETS - 1 && p->nfeatures > NBULLETS) {
		/* More features than bullets: the rest share the last one. */
		for (size_t j = i; j < p->nfeatures; j++) {
			c = capitalised(p->features[j]);
			if (c == NULL) {
				free(b.s);
				return NULL;
			}
			if (j > i)
				sb_add(&b, "; ");
			sb_add(&b, c);
			free(c);
		}
		return sb_finish(&b, LIMIT_BULLET, 1);
	}
	if (i == p->nfeatures) {
		/* One bullet about the brand when features leave room. */
		sb_add(&b, "From ");
		sb_add(&b, p->brand);
		sb_add(&b, ": ");
		sb_add(&b, p->title);
		if (p->product_type) {
			sb_add(&b, " for your ");
			sb_add(&b, p->product_type);
		}
		return sb_finish(&b, LIMIT_BULLET, 1);
	}
	return strdup("");
}

static char *
make_description(const struct product *p)
{
	struct sbuf b = {0};
	char *d = p->description ? text_clean(p->description) : NULL;

	if (d && d[0] != '\0') {
		text_cut(d, LIMIT_DESCRIPTION, 1);
		return d;
	}
	free(d);
	sb_add(&b, "The ");
	sb_add(&b, p->title);
	sb_add(&b, " from ");
	sb_add(&b, p->brand);
	sb_add(&b, ".");
	if (p->nfeatures > 0)
		sb_add(&b, " Features:");
	for (size_t i = 0; i < p->nfeatures; i++) {
		sb_add(&b, i == 0 ? " " : "; ");
		sb_add(&b, p->features[i]);
	}
	if (p->nfeatures > 0)
		sb_add(&b, ".");
	return sb_finish(&b, LIMIT_DESCRIPTION, 1);
}

/* Search terms: the product's keywords, each once, lower-case ASCII,
 * leaving out words already in the brand (Amazon ignores those). */
static char *
make_keywords(const struct product *p)
{
	struct sbuf b = {0};

	for (size_t i = 0; i < p->nkeywords; i++) {
		char *k = text_clean(p->keywords[i]);

		if (k == NULL) {
			free(b.s);
			return NULL;
		}
		for (char *c = k; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)tolower((unsigned char)*c);
		if (k[0] != '\0' && strcasecmp(k, p->brand) != 0) {
			int dup = 0;
			for (size_t j = 0; j < i && !dup; j++)
				dup = strcasecmp(p->keywords[j], p->keywords[i]) == 0;
			if (!dup) {
				if (b.len > 0)
					sb_add(&b, " ");
				sb_add(&b, k);
			}
		}
		free(k);
	}
	return sb_finish(&b, LIMIT_KEYWORDS, 0);
}

int
template_listing(const struct product *p, struct listing *l)
{
	int rc = 0;

	memset(l, 0, sizeof(*l));
	rc |= (l->item_name = make_item_name(p)) == NULL;
	for (size_t i = 0; i < NBULLETS; i++)
		rc |= (l->bullets[i] = make_bullet(p, i)) == NULL;
	rc |= (l->description = make_description(p)) == NULL;
	rc |= (l->keywords = make_keywords(p)) == NULL;
	if (rc) {
		listing_free(l);
		return -1;
	}
	return 0;
}
