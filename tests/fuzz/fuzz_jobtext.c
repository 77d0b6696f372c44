/*
 * fuzz_jobtext.c -- the job object of an answer, made from stored texts
 * (payload, result, error, progress message) of any content: it must
 * always be JSON, and a text that json_text_valid() lets through to be
 * copied as it is must itself parse.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "jobq.h"
#include "queue/internal.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* One tokener for every run (never freed: the process ends). */
	static json_tokener *tok;
	struct jobq_job j = {.id = "0190f3a8-0000-7000-8000-000000000001"};
	char *s, *text;
	size_t len;

	if (tok == NULL && (tok = json_tokener_new_ex(JSON_TEXT_DEPTH + 8)) == NULL)
		return 0;
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);
	j.type = (char *)"noop";
	j.payload = j.result = j.error = j.progress_message = s;
	if ((text = jobq_job_json_text(&j, 1, NULL)) != NULL) {
		json_object *o;
		json_tokener_reset(tok);
		o = json_tokener_parse_ex(tok, text, -1);
		if (o == NULL || !json_object_is_type(o, json_type_object))
			abort();
		json_object_put(o);
		free(text);
	}
	if (json_text_valid(s, len)) {
		json_object *o;
		json_tokener_reset(tok);
		/* With the NUL, so that a number at the end is complete. */
		o = json_tokener_parse_ex(tok, s, (int)len + 1);
		if (json_tokener_get_error(tok) != json_tokener_success)
			abort();
		json_object_put(o);
	}
	free(s);
	return 0;
}
