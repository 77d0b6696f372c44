/*
 * flatfile.c -- the Amazon inventory flat file of contract section 5:
 * UTF-8, tab-separated, "\n" line ends, 23 columns on every row.  Row 1 is
 * the template header, row 2 human labels, row 3 the attribute names, then
 * one row per product.  Every value goes through text_clean (no tab, CR or
 * LF can survive) and is cut to its limit.  The file is written to a temp
 * file in the same folder, fsync'd and renamed, so it appears whole or not
 * at all.
 */
#include "content/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const flatfile_columns[FLATFILE_COLUMNS] = {
	"feed_product_type", "item_sku", "update_delete", "brand_name",
	"item_name", "product_description", "bullet_point1", "bullet_point2",
	"bullet_point3", "bullet_point4", "bullet_point5", "generic_keywords",
	"standard_price", "quantity", "main_image_url", "other_image_url1",
	"other_image_url2", "other_image_url3", "other_image_url4",
	"other_image_url5", "other_image_url6", "other_image_url7",
	"other_image_url8",
};

static const char *const labels[FLATFILE_COLUMNS] = {
	"Product Type", "Seller SKU", "Update Delete", "Brand Name",
	"Product Name", "Product Description", "Key Product Features",
	"Key Product Features", "Key Product Features", "Key Product Features",
	"Key Product Features", "Search Terms", "Standard Price", "Quantity",
	"Main Image URL", "Other Image URL1", "Other Image URL2",
	"Other Image URL3", "Other Image URL4", "Other Image URL5",
	"Other Image URL6", "Other Image URL7", "Other Image URL8",
};

static const char *const header[] = {
	"TemplateType=fptcustom", "Version=2023.0101",
	"The top 3 rows are for Amazon.com use only. Do not modify or delete the top 3 rows.",
};

/* A cleaned copy of s cut to limit (0: none). */
static char *
cell(const char *s, size_t limit, int chars)
{
	char *c = text_clean(s);

	if (c && limit)
		text_cut(c, limit, chars);
	return c;
}

int
flatfile_row(const struct product *p, const char *default_type,
    char *row[FLATFILE_COLUMNS])
{
	const struct listing *l = &p->listing;
	char qty[32] = "";
	int c = 0, rc = 0;

	if (p->quantity >= 0)
		snprintf(qty, sizeof(qty), "%lld", p->quantity);
	row[c++] = cell(p->product_type ? p->product_type :
	    default_type ? default_type : "", 0, 0);
	row[c++] = cell(p->sku, 0, 0);
	row[c++] = cell("Update", 0, 0);
	row[c++] = cell(p->brand, 0, 0);
	row[c++] = cell(l->item_name, LIMIT_ITEM_NAME, 1);
	row[c++] = cell(l->description, LIMIT_DESCRIPTION, 1);
	for (int i = 0; i < NBULLETS; i++)
		row[c++] = cell(l->bullets[i], LIMIT_BULLET, 1);
	row[c++] = cell(l->keywords, LIMIT_KEYWORDS, 0);
	row[c++] = cell(p->price, 0, 0);
	row[c++] = cell(qty, 0, 0);
	for (size_t i = 0; i < MAX_IMAGES; i++)
		row[c++] = cell(i < p->nimages && p->image_urls[i] ?
		    p->image_urls[i] : "", 0, 0);
	for (int i = 0; i < FLATFILE_COLUMNS; i++)
		rc |= row[i] == NULL;
	if (rc) {
		for (int i = 0; i < FLATFILE_COLUMNS; i++) {
			free(row[i]);
			row[i] = NULL;
		}
		return -1;
	}
	return 0;
}

static void
put_row(FILE *fp, const char *const *cells, size_t n)
{
	for (size_t i = 0; i < FLATFILE_COLUMNS; i++) {
		if (i > 0)
			fputc('\t', fp);
		if (i < n)
			fputs(cells[i], fp);
	}
	fputc('\n', fp);
}

int
flatfile_write(const char *dir, const char *default_type,
    const struct product *p, size_t n, char *err, size_t errsz)
{
	char tmp[4096], dst[4096];
	FILE *fp = NULL;
	int fd = -1, dfd;

	if ((size_t)snprintf(dst, sizeof(dst), "%s/flatfile.txt", dir) >= sizeof(dst)) {
		snprintf(err, errsz, "OUTPUT_DIR is too long");
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s/.flatfile.txt.XXXXXX", dir);
	if ((fd = mkstemp(tmp)) < 0) {
		snprintf(err, errsz, "cannot write the flat file in OUTPUT_DIR: %s",
		    strerror(errno));
		return -1;
	}
	/* 0640: the web server reads flat files through the output folder's
	 * group (setgid), nobody else. */
	if (fchmod(fd, 0640) != 0 || (fp = fdopen(fd, "w")) == NULL) {
		snprintf(err, errsz, "cannot write the flat file: %s",
		    strerror(errno));
		close(fd);
		goto fail;
	}
	put_row(fp, header, 3);
	put_row(fp, labels, FLATFILE_COLUMNS);
	put_row(fp, flatfile_columns, FLATFILE_COLUMNS);
	for (size_t i = 0; i < n; i++) {
		char *row[FLATFILE_COLUMNS];

		if (flatfile_row(&p[i], default_type, row) != 0) {
			snprintf(err, errsz, "out of memory");
			fclose(fp);
			goto fail;
		}
		put_row(fp, (const char *const *)row, FLATFILE_COLUMNS);
		for (int c = 0; c < FLATFILE_COLUMNS; c++)
			free(row[c]);
	}
	if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0) {
		snprintf(err, errsz, "cannot write the flat file: %s",
		    strerror(errno));
		fclose(fp);
		goto fail;
	}
	if (fclose(fp) != 0) {
		snprintf(err, errsz, "cannot write the flat file: %s",
		    strerror(errno));
		goto fail;
	}
	if (rename(tmp, dst) != 0) {
		snprintf(err, errsz, "cannot write the flat file: %s",
		    strerror(errno));
		goto fail;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	unlink(tmp);
	return -1;
}
