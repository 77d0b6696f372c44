/*
 * internal.h -- what the files of the content workflow share: the parsed
 * product, the listing text, Amazon's limits, and the small interfaces of
 * text cutting, providers, the HTTP runner, image checks, publishers and
 * the flat file.  Nothing outside src/content includes this file.
 *
 * Ownership: a struct listing owns its strings (listing_free); a struct
 * product borrows its input strings from the payload, which outlives it.
 */
#ifndef JOBQ_CONTENT_INTERNAL_H
#define JOBQ_CONTENT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "content/content.h"

/* Amazon's limits (contract section 5). */
#define LIMIT_ITEM_NAME    200    /* characters */
#define LIMIT_BULLET       500    /* characters */
#define LIMIT_DESCRIPTION  2000   /* characters */
#define LIMIT_KEYWORDS     250    /* bytes */

#define MAX_PRODUCTS       500
#define MAX_SKU            40
#define MAX_FEATURES       10
#define MAX_IMAGES         9
#define MAX_KEYWORDS       50
#define MAX_IMAGE_BYTES    (10L * 1024 * 1024)
#define NBULLETS           5

/* ---- text.c: sanitising and cutting UTF-8 ---- */

/* A new copy of s with invalid UTF-8 replaced by U+FFFD, every control
 * character (tab, CR, LF, ...) turned into a space, runs of spaces collapsed
 * and the ends trimmed.  NULL s gives "".  Returns NULL only without memory. */
char *text_clean(const char *s);
/* Number of code points of valid UTF-8 s. */
size_t text_chars(const char *s);
/* Cuts s in place to at most max code points (chars=1) or max bytes
 * (chars=0): at the last space that fits when there is one, else at the
 * last whole code point; trailing spaces and ",;:-" are dropped.  s must
 * be valid UTF-8 (text_clean output).  Returns 1 if it cut, else 0. */
int text_cut(char *s, size_t max, int chars);
/* 1 if s is within the limit: max code points (chars=1) or bytes. */
int text_fits(const char *s, size_t max, int chars);

/* ---- the product and its listing ---- */

struct listing {
	char *item_name;
	char *bullets[NBULLETS];      /* "" when unused */
	char *description;
	char *keywords;
};

struct image {
	const char *path;             /* as given, relative to IMAGE_ROOT */
	char sha256[65];              /* hex of the content */
	const char *mime;             /* image/jpeg ... */
	const char *ext;              /* jpg ... */
	long size;
};

struct product {
	size_t index;
	const char *sku, *title, *brand, *product_type, *description;
	const char *marketplace;
	char price[64];               /* "" when absent */
	long long quantity;           /* -1 when absent */
	const char *features[MAX_FEATURES];
	size_t nfeatures;
	const char *keywords[MAX_KEYWORDS];
	size_t nkeywords;
	struct image images[MAX_IMAGES];
	size_t nimages;

	/* Progress of the job, restored from a checkpoint when resuming. */
	struct listing listing;
	int have_listing;
	char *image_urls[MAX_IMAGES];
	int have_images;
	long long prompt_tokens, completion_tokens;
	int published, reused;
};

void listing_free(struct listing *l);
/* Copies src into dst; returns 0 or -1 without memory. */
int listing_copy(struct listing *dst, const struct listing *src);

/* ---- payload.c ---- */

/* Fills products (an array of n = products count, calloc'd by the caller
 * from payload_count) from a payload that content_validate accepted. */
size_t payload_count(json_object *payload);
void payload_products(json_object *payload, struct product *p, size_t n);

/* ---- template.c: the offline provider ---- */

/* Writes the listing for p into l, within every limit.  Returns 0, or -1
 * without memory.  Deterministic: the same product gives the same text. */
int template_listing(const struct product *p, struct listing *l);

/* ---- openai.c: the OpenAI-compatible request and answer ---- */

/* The JSON body of the chat completion request for p (malloc'd). */
char *openai_request_body(const struct product *p, const char *model);
/* Parses an answer body strictly into l, repairing any field that is
 * missing, of the wrong type or over its limit from fallback (the template
 * output), and adds the usage.  Returns the number of repaired fields
 * (>= 0), or -1 with a reason in err when the body or the model's content
 * is not the expected JSON. */
int openai_parse(const char *body, size_t len, const struct listing *fallback,
    struct listing *l, long long *prompt_tokens, long long *completion_tokens,
    char *err, size_t errsz);

/* ---- checkpoint.c: a finished product as JSON ---- */

/* The checkpoint value of p (malloc'd JSON text), or NULL. */
char *checkpoint_encode(const struct product *p);
/* Restores what value says p has finished; returns 0, or -1 if value is
 * not a checkpoint this version wrote (p is then left untouched). */
int checkpoint_decode(struct product *p, const char *value);

/* ---- sha256.c ---- */
void sha256_hex(const void *data, size_t len, char out[65]);

/* ---- flatfile.c ---- */
#define FLATFILE_COLUMNS 23
/* The attribute names of row 3, in order. */
extern const char *const flatfile_columns[FLATFILE_COLUMNS];
/* Writes the flat file of products to dir/flatfile.txt atomically (a temp
 * file in dir, fsync, rename, fsync of dir).  Returns 0, or -1 with a
 * message in err; on failure nothing is left behind. */
int flatfile_write(const char *dir, const char *default_type,
    const struct product *p, size_t n, char *err, size_t errsz);
/* Fills row (FLATFILE_COLUMNS cells, malloc'd, sanitised) for p. */
int flatfile_row(const struct product *p, const char *default_type,
    char *row[FLATFILE_COLUMNS]);

/* ---- workflow.c ---- */
struct fetch_opts;
/* The default HTTP limits of the providers and publishers. */
void content_default_http(struct fetch_opts *o);
/* content_run with explicit HTTP limits (tests use short timeouts);
 * o->parallel is replaced by CONTENT_PARALLELISM. */
enum job_rc content_run_with(struct job_ctx *ctx, const struct fetch_opts *o,
    json_object **out);

#endif
