/*
 * fuzz_payload.c -- the submission check of generate_amazon_content and,
 * for payloads it accepts, the template provider and the flat-file row:
 * no row cell may hold a tab, CR or LF, or break Amazon's limits.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "content/content.h"
#include "content/internal.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct config cfg;
	json_tokener *tok = json_tokener_new_ex(64);
	json_object *o, *details;

	if (tok == NULL)
		return 0;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	json_tokener_free(tok);
	if (o == NULL)
		return 0;
	details = json_object_new_array();
	if (json_object_is_type(o, json_type_object) &&
	    content_validate(o, &cfg, details) == 0) {
		size_t n = payload_count(o);
		struct product *p = calloc(n ? n : 1, sizeof(*p));
		payload_products(o, p, n);
		for (size_t i = 0; i < n; i++) {
			char *row[FLATFILE_COLUMNS];
			if (template_listing(&p[i], &p[i].listing) != 0)
				continue;
			p[i].have_listing = 1;
			if (flatfile_row(&p[i], "home", row) != 0)
				continue;
			for (int c = 0; c < FLATFILE_COLUMNS; c++) {
				if (row[c] == NULL || strpbrk(row[c], "\t\r\n") != NULL)
					abort();
				free(row[c]);
			}
			if (!text_fits(p[i].listing.item_name, 200, 1) ||
			    !text_fits(p[i].listing.description, 2000, 1) ||
			    !text_fits(p[i].listing.keywords, 250, 0))
				abort();
			for (int b = 0; b < NBULLETS; b++)
				if (!text_fits(p[i].listing.bullets[b], 500, 1))
					abort();
			listing_free(&p[i].listing);
		}
		free(p);
	} else if (json_object_array_length(details) == 0 &&
	    json_object_is_type(o, json_type_object)) {
		abort();        /* refused without naming a field */
	}
	json_object_put(details);
	json_object_put(o);
	return 0;
}
