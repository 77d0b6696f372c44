/*
 * checkpoint.c -- a product's finished steps as the JSON stored with
 * ctx->checkpoint_put("product:SKU", ...): its listing and token usage once
 * generated, and its image URLs once published.  A retried or recovered
 * job restores these and does not ask the provider or the publisher again.
 */
#include "content/internal.h"

#include <stdlib.h>
#include <string.h>

#define CHECKPOINT_VERSION 1

char *
checkpoint_encode(const struct product *p)
{
	json_object *o = json_object_new_object(), *l, *b, *u, *a;
	char *out;

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "v", json_object_new_int(CHECKPOINT_VERSION));
	if (p->have_listing) {
		l = json_object_new_object();
		b = json_object_new_array();
		json_object_object_add(l, "item_name",
		    json_object_new_string(p->listing.item_name));
		for (int i = 0; i < NBULLETS; i++)
			json_object_array_add(b,
			    json_object_new_string(p->listing.bullets[i]));
		json_object_object_add(l, "bullets", b);
		json_object_object_add(l, "description",
		    json_object_new_string(p->listing.description));
		json_object_object_add(l, "keywords",
		    json_object_new_string(p->listing.keywords));
		json_object_object_add(o, "listing", l);
		u = json_object_new_object();
		json_object_object_add(u, "prompt_tokens",
		    json_object_new_int64(p->prompt_tokens));
		json_object_object_add(u, "completion_tokens",
		    json_object_new_int64(p->completion_tokens));
		json_object_object_add(o, "usage", u);
	}
	if (p->have_images) {
		a = json_object_new_array();
		for (size_t i = 0; i < p->nimages; i++)
			json_object_array_add(a, json_object_new_string(p->image_urls[i]));
		json_object_object_add(o, "image_urls", a);
		json_object_object_add(o, "published", json_object_new_int(p->published));
		json_object_object_add(o, "reused", json_object_new_int(p->reused));
	}
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}

static const char *
str_member(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static long long
int_member(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_int64(v);
}

/* Reads the listing of a checkpoint into l (cleaned and cut again, so a
 * hand-edited checkpoint cannot break the flat file).  Returns 0 or -1. */
static int
decode_listing(json_object *o, struct listing *l)
{
	json_object *lo, *b;
	struct listing raw = {0};
	const char *s;

	if (!json_object_object_get_ex(o, "listing", &lo) ||
	    !json_object_object_get_ex(lo, "bullets", &b) ||
	    !json_object_is_type(b, json_type_array) ||
	    json_object_array_length(b) != NBULLETS)
		return -1;
	if ((s = str_member(lo, "item_name")) == NULL || s[0] == '\0')
		return -1;
	raw.item_name = (char *)s;
	for (int i = 0; i < NBULLETS; i++) {
		json_object *e = json_object_array_get_idx(b, i);
		if (!json_object_is_type(e, json_type_string))
			return -1;
		raw.bullets[i] = (char *)json_object_get_string(e);
	}
	if ((raw.description = (char *)str_member(lo, "description")) == NULL ||
	    (raw.keywords = (char *)str_member(lo, "keywords")) == NULL)
		return -1;
	memset(l, 0, sizeof(*l));
	if ((l->item_name = text_clean(raw.item_name)) == NULL)
		goto fail;
	text_cut(l->item_name, LIMIT_ITEM_NAME, 1);
	for (int i = 0; i < NBULLETS; i++) {
		if ((l->bullets[i] = text_clean(raw.bullets[i])) == NULL)
			goto fail;
		text_cut(l->bullets[i], LIMIT_BULLET, 1);
	}
	if ((l->description = text_clean(raw.description)) == NULL ||
	    (l->keywords = text_clean(raw.keywords)) == NULL)
		goto fail;
	text_cut(l->description, LIMIT_DESCRIPTION, 1);
	text_cut(l->keywords, LIMIT_KEYWORDS, 0);
	return 0;
fail:
	listing_free(l);
	return -1;
}

int
checkpoint_decode(struct product *p, const char *value)
{
	json_object *o = json_tokener_parse(value), *a = NULL, *u = NULL;
	struct listing l;
	char *urls[MAX_IMAGES] = {0};
	int have_listing = 0, have_images = 0, rc = -1;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    int_member(o, "v") != CHECKPOINT_VERSION)
		goto out;
	if (json_object_object_get_ex(o, "listing", NULL)) {
		if (decode_listing(o, &l) != 0)
			goto out;
		have_listing = 1;
	}
	if (json_object_object_get_ex(o, "image_urls", &a)) {
		if (!json_object_is_type(a, json_type_array) ||
		    json_object_array_length(a) != p->nimages)
			goto out;
		for (size_t i = 0; i < p->nimages; i++) {
			json_object *e = json_object_array_get_idx(a, i);
			if (!json_object_is_type(e, json_type_string) ||
			    (urls[i] = text_clean(json_object_get_string(e))) == NULL)
				goto out;
		}
		have_images = 1;
	}
	if (have_listing) {
		listing_free(&p->listing);
		p->listing = l;
		have_listing = 0;     /* now owned by p */
		p->have_listing = 1;
		json_object_object_get_ex(o, "usage", &u);
		p->prompt_tokens = int_member(u, "prompt_tokens");
		p->completion_tokens = int_member(u, "completion_tokens");
	}
	if (have_images) {
		for (size_t i = 0; i < p->nimages; i++) {
			free(p->image_urls[i]);
			p->image_urls[i] = urls[i];
			urls[i] = NULL;
		}
		p->have_images = 1;
		p->published = (int)int_member(o, "published");
		p->reused = (int)int_member(o, "reused");
	}
	rc = 0;
out:
	if (have_listing)
		listing_free(&l);
	for (size_t i = 0; i < MAX_IMAGES; i++)
		free(urls[i]);
	json_object_put(o);
	return rc;
}
