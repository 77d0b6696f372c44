/*
 * test_flatfile.c -- the flat file of contract section 5: 23 columns in
 * order on every row, the three header rows, limits held under random
 * multibyte input, no tab/CR/LF in values, and the written file parses
 * back to exactly the rows generated; written atomically.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "content/internal.h"
#include "tests/tap.h"
#include "tests/utf8.h"

static uint32_t rng = 987654321;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static const char *const pieces[] = {
	"Mug", "stoneware", "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	"\xf0\x9f\x98\x80", "\t", "\r\n", "\xff", "\xd0\x9a\xd1\x80\xd1\x83\xd0\xb6\xd0\xba\xd0\xb0",
	"dishwasher-safe", ",", "x",
};

/* Random text of about words words (a pool the caller frees). */
static char *
rtext(size_t words, char **pool, size_t *npool)
{
	size_t cap = words * 24 + 2, len = 0;
	char *s = malloc(cap);

	for (size_t i = 0; i < words; i++) {
		const char *p = pieces[rnd() % (sizeof(pieces) / sizeof(pieces[0]))];
		memcpy(s + len, p, strlen(p));
		len += strlen(p);
		s[len++] = ' ';
	}
	s[len] = '\0';
	pool[(*npool)++] = s;
	return s;
}


static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Splits s at sep in place; returns the number of fields. */
static size_t
split(char *s, char sep, char **out, size_t max)
{
	size_t n = 0;

	out[n++] = s;
	for (; *s; s++) {
		if (*s == sep) {
			*s = '\0';
			if (n < max)
				out[n] = s + 1;
			n++;
		}
	}
	return n;
}

static int
files_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	if (d)
		closedir(d);
	return n;
}

#define NP 60

int
main(void)
{
	static struct product p[NP];
	static char skus[NP][16];
	char *pool[NP * 50], dir[] = "/tmp/jobq-flatfile-XXXXXX", path[256], err[256];
	size_t npool = 0;
	char *text, *lines[NP + 10], *cells[64];
	size_t nlines;
	int bad_cols = 0, bad_limits = 0, bad_ctl = 0, bad_utf8 = 0, bad_back = 0;
	int bad_update = 0;

	ok(mkdtemp(dir) != NULL, "temp folder");
	for (size_t i = 0; i < NP; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		snprintf(skus[i], sizeof(skus[i]), "SKU-%03zu", i);
		p[i].sku = skus[i];
		p[i].title = rtext(1 + rnd() % 80, pool, &npool);
		p[i].brand = rtext(1 + rnd() % 3, pool, &npool);
		p[i].product_type = i % 2 ? rtext(1, pool, &npool) : NULL;
		p[i].description = i % 3 ? rtext(rnd() % 900, pool, &npool) : NULL;
		p[i].nfeatures = rnd() % (MAX_FEATURES + 1);
		for (size_t f = 0; f < p[i].nfeatures; f++)
			p[i].features[f] = rtext(1 + rnd() % 150, pool, &npool);
		p[i].nkeywords = rnd() % 30;
		for (size_t k = 0; k < p[i].nkeywords; k++)
			p[i].keywords[k] = rtext(1 + rnd() % 4, pool, &npool);
		p[i].quantity = i % 4 ? (long long)i : -1;
		snprintf(p[i].price, sizeof(p[i].price), "%zu.99", i);
		p[i].nimages = rnd() % (MAX_IMAGES + 1);
		for (size_t j = 0; j < p[i].nimages; j++)
			if (asprintf(&p[i].image_urls[j],
			    "https://cdn.example/%zu/%zu\t.jpg", i, j) < 0)
				p[i].image_urls[j] = NULL;
		if (template_listing(&p[i], &p[i].listing) != 0)
			bad_back++;
		if (i == 0) {
			/* A listing far over every limit must be cut anyway. */
			free(p[i].listing.item_name);
			p[i].listing.item_name = strdup(rtext(900, pool, &npool));
			free(p[i].listing.keywords);
			p[i].listing.keywords = strdup(rtext(400, pool, &npool));
		}
		p[i].have_listing = 1;
	}
	/* The template provider alone stays within every limit, and is
	 * deterministic. */
	int bad_tmpl = 0, bad_det = 0;
	for (size_t i = 1; i < NP; i++) {
		struct listing again;
		const struct listing *l = &p[i].listing;

		bad_tmpl += !text_fits(l->item_name, LIMIT_ITEM_NAME, 1) ||
		    !text_fits(l->description, LIMIT_DESCRIPTION, 1) ||
		    !text_fits(l->keywords, LIMIT_KEYWORDS, 0) || l->item_name[0] == '\0';
		for (int b = 0; b < NBULLETS; b++)
			bad_tmpl += !text_fits(l->bullets[b], LIMIT_BULLET, 1) ||
			    strpbrk(l->bullets[b], "\t\r\n") != NULL;
		if (template_listing(&p[i], &again) != 0) {
			bad_det++;
			continue;
		}
		bad_det += strcmp(again.item_name, l->item_name) != 0 ||
		    strcmp(again.description, l->description) != 0 ||
		    strcmp(again.keywords, l->keywords) != 0 ||
		    strcmp(again.bullets[4], l->bullets[4]) != 0;
		listing_free(&again);
	}
	is_int(bad_tmpl, 0, "template listings of random products are within every limit");
	is_int(bad_det, 0, "the template provider is deterministic");
	ok(flatfile_write(dir, "home", p, NP, err, sizeof(err)) == 0,
	    "flat file written (%s)", err);
	is_int(files_in(dir), 1, "only flatfile.txt is left in the folder");
	snprintf(path, sizeof(path), "%s/flatfile.txt", dir);
	text = slurp(path);
	ok(text != NULL && strchr(text, '\r') == NULL, "file read back, no CR");
	ok(text && strlen(text) > 0 && text[strlen(text) - 1] == '\n', "ends with a newline");
	ok(text && valid_utf8(text), "the whole file is valid UTF-8");
	text[strlen(text) - 1] = '\0';
	nlines = split(text, '\n', lines, NP + 10);
	is_int(nlines, NP + 3, "three header rows and one row per product");
	for (size_t l = 0; l < nlines && l < NP + 3; l++) {
		char *row[FLATFILE_COLUMNS];
		size_t nc = split(lines[l], '\t', cells, 64);

		if (nc != FLATFILE_COLUMNS) {
			bad_cols++;
			continue;
		}
		if (l == 0) {
			ok(strncmp(cells[0], "TemplateType=fptcustom", 22) == 0,
			    "row 1 starts with TemplateType=fptcustom");
			continue;
		}
		if (l == 1) {
			is_str(cells[1], "Seller SKU", "row 2 holds the labels");
			continue;
		}
		if (l == 2) {
			int same = 1;
			for (size_t c = 0; c < FLATFILE_COLUMNS; c++)
				same &= strcmp(cells[c], flatfile_columns[c]) == 0;
			ok(same, "row 3 holds the 23 attribute names in order");
			is_str(cells[0], "feed_product_type", "first column");
			is_str(cells[22], "other_image_url8", "last column");
			continue;
		}
		const struct product *q = &p[l - 3];
		bad_update += strcmp(cells[2], "Update") != 0 || strcmp(cells[1], q->sku) != 0;
		bad_limits += !text_fits(cells[4], LIMIT_ITEM_NAME, 1) ||
		    !text_fits(cells[5], LIMIT_DESCRIPTION, 1) ||
		    !text_fits(cells[11], LIMIT_KEYWORDS, 0);
		for (int b = 6; b <= 10; b++)
			bad_limits += !text_fits(cells[b], LIMIT_BULLET, 1);
		for (size_t c = 0; c < FLATFILE_COLUMNS; c++) {
			bad_ctl += strpbrk(cells[c], "\r\t") != NULL;
			bad_utf8 += !valid_utf8(cells[c]);
		}
		/* Parses back to what was generated. */
		if (flatfile_row(q, "home", row) != 0) {
			bad_back++;
			continue;
		}
		for (size_t c = 0; c < FLATFILE_COLUMNS; c++) {
			bad_back += strcmp(row[c], cells[c]) != 0;
			free(row[c]);
		}
		if (q->product_type == NULL)
			bad_back += strcmp(cells[0], "home") != 0;
		if (q->nimages > 0)
			bad_back += strncmp(cells[14], "https://cdn.example/", 20) != 0;
	}
	is_int(bad_cols, 0, "every row has exactly 23 columns");
	is_int(bad_update, 0, "every product row: its sku and Update");
	is_int(bad_limits, 0, "every value within Amazon's limits");
	is_int(bad_ctl, 0, "no tab or CR inside any value");
	is_int(bad_utf8, 0, "every value valid UTF-8");
	is_int(bad_back, 0, "the file parses back to the generated rows");

	/* Atomic: a folder that cannot be written leaves nothing. */
	ok(flatfile_write("/nonexistent-jobq-dir", "home", p, 1, err, sizeof(err)) != 0,
	    "writing into a missing folder fails: %s", err);
	ok(access("/nonexistent-jobq-dir/flatfile.txt", F_OK) != 0, "and leaves no file");

	unlink(path);
	rmdir(dir);
	free(text);
	for (size_t i = 0; i < NP; i++) {
		listing_free(&p[i].listing);
		for (size_t j = 0; j < p[i].nimages; j++)
			free(p[i].image_urls[j]);
	}
	for (size_t i = 0; i < npool; i++)
		free(pool[i]);
	return done_testing();
}
