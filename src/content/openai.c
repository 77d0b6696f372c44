/*
 * openai.c -- the request and the answer of the openai provider: one chat
 * completion per product, asking for a JSON object with the listing
 * fields.  The answer is parsed strictly (the whole body must be one JSON
 * value, the model's content one JSON object); a field that is missing, of
 * the wrong type or over its limit is taken from the template output.
 */
#include "content/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char system_prompt[] =
    "You write Amazon product listings. Answer with one JSON object and "
    "nothing else: {\"item_name\": string (at most 200 characters), "
    "\"bullet_points\": array of exactly 5 strings (each at most 500 "
    "characters), \"product_description\": string (at most 2000 "
    "characters), \"generic_keywords\": string of space-separated search "
    "terms (at most 250 bytes, not repeating the brand)}. Use only facts "
    "from the product data; no prices, no promotional claims, no HTML.";

static json_object *
str_array(const char *const *s, size_t n)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < n; i++)
		json_object_array_add(a, json_object_new_string(s[i]));
	return a;
}

char *
openai_request_body(const struct product *p, const char *model)
{
	json_object *prod = json_object_new_object(), *req, *msgs, *m, *rf;
	char *out = NULL;

	if (prod == NULL)
		return NULL;
	json_object_object_add(prod, "marketplace",
	    json_object_new_string(p->marketplace));
	json_object_object_add(prod, "sku", json_object_new_string(p->sku));
	json_object_object_add(prod, "title", json_object_new_string(p->title));
	json_object_object_add(prod, "brand", json_object_new_string(p->brand));
	if (p->product_type)
		json_object_object_add(prod, "product_type",
		    json_object_new_string(p->product_type));
	json_object_object_add(prod, "features",
	    str_array(p->features, p->nfeatures));
	if (p->description)
		json_object_object_add(prod, "description",
		    json_object_new_string(p->description));
	json_object_object_add(prod, "keywords",
	    str_array(p->keywords, p->nkeywords));

	req = json_object_new_object();
	msgs = json_object_new_array();
	rf = json_object_new_object();
	if (req == NULL || msgs == NULL || rf == NULL) {
		json_object_put(req);
		json_object_put(msgs);
		json_object_put(rf);
		json_object_put(prod);
		return NULL;
	}
	json_object_object_add(req, "model", json_object_new_string(model));
	json_object_object_add(rf, "type", json_object_new_string("json_object"));
	json_object_object_add(req, "response_format", rf);
	json_object_object_add(req, "temperature", json_object_new_double(0.4));
	m = json_object_new_object();
	json_object_object_add(m, "role", json_object_new_string("system"));
	json_object_object_add(m, "content", json_object_new_string(system_prompt));
	json_object_array_add(msgs, m);
	m = json_object_new_object();
	json_object_object_add(m, "role", json_object_new_string("user"));
	json_object_object_add(m, "content", json_object_new_string(
	    json_object_to_json_string_ext(prod, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE)));
	json_object_array_add(msgs, m);
	json_object_object_add(req, "messages", msgs);
	out = strdup(json_object_to_json_string_ext(req,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(req);
	json_object_put(prod);
	return out;
}

/* Parses all of s (len bytes) as one JSON value, or NULL. */
static json_object *
parse_strict(const char *s, size_t len)
{
	struct json_tokener *tok;
	json_object *o;
	size_t used;

	if (len == 0 || len > 16 * 1024 * 1024)
		return NULL;
	tok = json_tokener_new();
	if (tok == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, s, (int)len);
	used = tok->char_offset;
	if (o != NULL && json_tokener_get_error(tok) == json_tokener_success) {
		/* Only white space may follow the value. */
		while (used < len && strchr(" \t\r\n", s[used]) && s[used] != '\0')
			used++;
		if (used != len) {
			json_object_put(o);
			o = NULL;
		}
	} else {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* The model's value for one field, cleaned, if it is a non-empty string
 * within the limit; otherwise a copy of the fallback.  Counts repairs. */
static char *
field(json_object *o, const char *key, const char *fallback, size_t limit,
    int chars, int *repaired)
{
	char *c;

	if (o != NULL && json_object_is_type(o, json_type_string) &&
	    (c = text_clean(json_object_get_string(o))) != NULL) {
		if (c[0] != '\0' && text_fits(c, limit, chars))
			return c;
		free(c);
	}
	(void)key;
	(*repaired)++;
	return strdup(fallback);
}

static json_object *
member(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static long long
usage_int(json_object *usage, const char *key)
{
	json_object *v;

	if (usage && json_object_object_get_ex(usage, key, &v) &&
	    json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0)
		return json_object_get_int64(v);
	return 0;
}

int
openai_parse(const char *body, size_t len, const struct listing *fallback,
    struct listing *l, long long *prompt_tokens, long long *completion_tokens,
    char *err, size_t errsz)
{
	json_object *env, *v, *msg = NULL, *content = NULL, *answer = NULL;
	json_object *bullets = NULL, *usage = NULL;
	int repaired = 0, rc = -1;

	memset(l, 0, sizeof(*l));
	env = parse_strict(body, len);
	if (env == NULL || !json_object_is_type(env, json_type_object)) {
		snprintf(err, errsz, "the answer is not JSON");
		goto out;
	}
	if (!json_object_object_get_ex(env, "choices", &v) ||
	    !json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) < 1 ||
	    !json_object_object_get_ex(json_object_array_get_idx(v, 0),
	    "message", &msg) ||
	    !json_object_object_get_ex(msg, "content", &content) ||
	    !json_object_is_type(content, json_type_string)) {
		snprintf(err, errsz, "the answer has no choices[0].message.content");
		goto out;
	}
	answer = parse_strict(json_object_get_string(content),
	    (size_t)json_object_get_string_len(content));
	if (answer == NULL || !json_object_is_type(answer, json_type_object)) {
		snprintf(err, errsz, "the model's content is not a JSON object");
		goto out;
	}
	l->item_name = field(member(answer, "item_name"), "item_name", fallback->item_name,
	    LIMIT_ITEM_NAME, 1, &repaired);
	if (!json_object_object_get_ex(answer, "bullet_points", &bullets) ||
	    !json_object_is_type(bullets, json_type_array))
		bullets = NULL;
	for (size_t i = 0; i < NBULLETS; i++) {
		json_object *b = NULL;
		if (bullets && i < json_object_array_length(bullets))
			b = json_object_array_get_idx(bullets, i);
		/* A model may give fewer bullets than the template has. */
		if (b == NULL && fallback->bullets[i][0] == '\0')
			l->bullets[i] = strdup("");
		else
			l->bullets[i] = field(b, "bullet_points", fallback->bullets[i],
			    LIMIT_BULLET, 1, &repaired);
	}
	l->description = field(member(answer, "product_description"), "product_description", fallback->description,
	    LIMIT_DESCRIPTION, 1, &repaired);
	l->keywords = field(member(answer, "generic_keywords"), "generic_keywords", fallback->keywords,
	    LIMIT_KEYWORDS, 0, &repaired);
	if (l->item_name == NULL || l->description == NULL || l->keywords == NULL) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < NBULLETS; i++)
		if (l->bullets[i] == NULL) {
			snprintf(err, errsz, "out of memory");
			goto out;
		}
	json_object_object_get_ex(env, "usage", &usage);
	*prompt_tokens += usage_int(usage, "prompt_tokens");
	*completion_tokens += usage_int(usage, "completion_tokens");
	rc = repaired;
out:
	if (rc < 0)
		listing_free(l);
	json_object_put(answer);
	json_object_put(env);
	return rc;
}
