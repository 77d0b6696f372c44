/*
 * fuzz_payload.c -- the submission check of generate_amazon_content and,
 * for payloads it accepts, the template provider and the flat-file row:
 * no row cell may hold a tab, CR or LF, or break Amazon's limits.  And
 * the job object made from any stored text is JSON: a text that
 * json_text_valid() lets through as it is must parse.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "content/content.h"
#include "content/internal.h"
#include "jobq.h"
#include "queue/internal.h"
#include "tests/fuzz/fuzz.h"

/* The bytes as payload, result, error and progress message of a job: the
 * job text must parse whatever they are. */
static void
job_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *text;
	struct jobq_job j = {.id = "0190f3a8-0000-7000-8000-000000000001"};
	json_tokener *tok;
	size_t len;

	if (s == NULL)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);
	j.type = (char *)"noop";
	j.payload = j.result = j.error = j.progress_message = s;
	if ((tok = json_tokener_new_ex(300)) == NULL) {
		free(s);
		return;
	}
	if ((text = jobq_job_json_text(&j, 1, NULL)) != NULL) {
		json_object *o = json_tokener_parse_ex(tok, text, -1);
		if (o == NULL)
			abort();
		json_object_put(o);
		free(text);
	}
	if (json_text_valid(s, len)) {
		json_object *o;
		json_tokener_reset(tok);
		o = json_tokener_parse_ex(tok, s, (int)len + 1);
		if (json_tokener_get_error(tok) != json_tokener_success)
			abort();
		json_object_put(o);
	}
	json_tokener_free(tok);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct config cfg;
	json_tokener *tok = json_tokener_new_ex(64);
	json_object *o, *details;

	job_text(data, size);
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
