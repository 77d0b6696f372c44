/*
 * payload.c -- the submission checks of a generate_amazon_content payload
 * (contract section 5) and its reading into struct product.  The checks
 * need no file access: the responder may run as a user who cannot read
 * IMAGE_ROOT, so whether an image exists, stays inside the root and is an
 * image is checked when the job runs (image.c).
 */
#include "content/internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A string member: 1 if present and a string without NUL bytes. */
static int
get_str(json_object *o, const char *key, json_object **v)
{
	return json_object_object_get_ex(o, key, v) && *v != NULL &&
	    json_object_is_type(*v, json_type_string);
}

static int
has_nul(json_object *s)
{
	return strlen(json_object_get_string(s)) !=
	    (size_t)json_object_get_string_len(s);
}

static int
blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return 0;
	return 1;
}

static void
detail(json_object *details, size_t i, const char *field, const char *msg)
{
	char name[96];

	snprintf(name, sizeof(name), "products[%zu].%s", i, field);
	job_detail(details, name, msg);
}

static int
sku_ok(const char *s, size_t len)
{
	if (len < 1 || len > MAX_SKU)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* Why an image path is refused before any file is touched, or NULL. */
static const char *
image_path_problem(const char *s, size_t len)
{
	const char *p = s;

	if (len == 0)
		return "must be a non-empty path relative to IMAGE_ROOT";
	if (len > 1024)
		return "is longer than 1024 bytes";
	if (strlen(s) != len)
		return "contains a NUL byte";
	if (s[0] == '/')
		return "must be relative to IMAGE_ROOT, not absolute";
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "may not contain '..'";
		p += n;
		if (*p == '/')
			p++;
	}
	if (s[len - 1] == '/')
		return "must name a file, not a folder";
	return NULL;
}

static int
price_ok(json_object *v)
{
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int64(v) >= 0 &&
		    json_object_get_int64(v) <= 999999999;
	if (json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);
		return isfinite(d) && d >= 0 && d <= 999999999;
	}
	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v), *dot;
		size_t n = strspn(s, "0123456789");
		if (n < 1 || n > 9)
			return 0;
		dot = s + n;
		if (*dot == '\0')
			return 1;
		return *dot == '.' && strspn(dot + 1, "0123456789") >= 1 &&
		    strspn(dot + 1, "0123456789") <= 2 &&
		    dot[1 + strspn(dot + 1, "0123456789")] == '\0';
	}
	return 0;
}

/* Checks an optional array of strings of at most max items. */
static int
check_strings(json_object *prod, const char *key, size_t max, int paths,
    size_t i, json_object *details)
{
	json_object *a;
	char field[64], msg[96];
	int bad = 0;

	if (!json_object_object_get_ex(prod, key, &a) || a == NULL)
		return 0;
	if (!json_object_is_type(a, json_type_array)) {
		detail(details, i, key, "must be an array of strings");
		return 1;
	}
	if (json_object_array_length(a) > max) {
		snprintf(msg, sizeof(msg), "at most %zu items", max);
		detail(details, i, key, msg);
		return 1;
	}
	for (size_t j = 0; j < json_object_array_length(a); j++) {
		json_object *s = json_object_array_get_idx(a, j);
		const char *why = NULL;

		snprintf(field, sizeof(field), "%s[%zu]", key, j);
		if (!json_object_is_type(s, json_type_string))
			why = "must be a string";
		else if (paths)
			why = image_path_problem(json_object_get_string(s),
			    (size_t)json_object_get_string_len(s));
		else if (has_nul(s))
			why = "contains a NUL byte";
		if (why) {
			detail(details, i, field, why);
			bad = 1;
		}
	}
	return bad;
}

static int
check_product(json_object *prod, size_t i, json_object *skus,
    json_object *details)
{
	json_object *v;
	int bad = 0;
	static const char *const text[] = {"title", "brand"};
	static const char *const optional[] = {"product_type", "description"};

	if (!json_object_is_type(prod, json_type_object)) {
		char name[48];
		snprintf(name, sizeof(name), "products[%zu]", i);
		job_detail(details, name, "must be an object");
		return 1;
	}
	if (!get_str(prod, "sku", &v)) {
		detail(details, i, "sku", "required: 1-40 of A-Z a-z 0-9 . _ -");
		bad = 1;
	} else if (!sku_ok(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v))) {
		detail(details, i, "sku", "must be 1-40 of A-Z a-z 0-9 . _ -");
		bad = 1;
	} else if (json_object_object_get_ex(skus, json_object_get_string(v), NULL)) {
		detail(details, i, "sku", "duplicate sku in this job");
		bad = 1;
	} else {
		json_object_object_add(skus, json_object_get_string(v), NULL);
	}
	for (size_t k = 0; k < 2; k++) {
		if (!get_str(prod, text[k], &v) || has_nul(v) ||
		    blank(json_object_get_string(v))) {
			detail(details, i, text[k], "required: a non-empty string");
			bad = 1;
		}
	}
	for (size_t k = 0; k < 2; k++) {
		if (json_object_object_get_ex(prod, optional[k], &v) && v != NULL &&
		    (!json_object_is_type(v, json_type_string) || has_nul(v))) {
			detail(details, i, optional[k], "must be a string");
			bad = 1;
		}
	}
	bad |= check_strings(prod, "features", MAX_FEATURES, 0, i, details);
	bad |= check_strings(prod, "keywords", MAX_KEYWORDS, 0, i, details);
	bad |= check_strings(prod, "images", MAX_IMAGES, 1, i, details);
	if (json_object_object_get_ex(prod, "price", &v) && v != NULL &&
	    !price_ok(v)) {
		detail(details, i, "price",
		    "must be a non-negative amount like \"12.99\"");
		bad = 1;
	}
	if (json_object_object_get_ex(prod, "quantity", &v) && v != NULL &&
	    (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0 ||
	    json_object_get_int64(v) > 999999999)) {
		detail(details, i, "quantity", "must be an integer 0-999999999");
		bad = 1;
	}
	return bad;
}

int
content_validate(json_object *payload, const struct config *cfg,
    json_object *details)
{
	json_object *p, *v, *skus;
	size_t n;
	int bad = 0;

	(void)cfg;
	if (!json_object_is_type(payload, json_type_object)) {
		job_detail(details, "payload", "must be a JSON object");
		return -1;
	}
	static const char *const top[] = {"marketplace", "product_type"};
	for (size_t k = 0; k < 2; k++) {
		if (json_object_object_get_ex(payload, top[k], &v) && v != NULL &&
		    (!json_object_is_type(v, json_type_string) || has_nul(v))) {
			job_detail(details, top[k], "must be a string");
			bad = 1;
		}
	}
	if (!json_object_object_get_ex(payload, "products", &p) ||
	    !json_object_is_type(p, json_type_array) ||
	    (n = json_object_array_length(p)) < 1 || n > MAX_PRODUCTS) {
		job_detail(details, "products", "required: an array of 1-500 products");
		return -1;
	}
	skus = json_object_new_object();
	if (skus == NULL) {
		job_detail(details, "products", "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		bad |= check_product(json_object_array_get_idx(p, i), i, skus,
		    details);
	json_object_put(skus);
	return bad ? -1 : 0;
}

size_t
payload_count(json_object *payload)
{
	json_object *p;

	if (!json_object_object_get_ex(payload, "products", &p) ||
	    !json_object_is_type(p, json_type_array))
		return 0;
	return json_object_array_length(p);
}

static const char *
opt_str(json_object *o, const char *key)
{
	json_object *v;

	return get_str(o, key, &v) ? json_object_get_string(v) : NULL;
}

static size_t
str_list(json_object *o, const char *key, const char **out, size_t max)
{
	json_object *a;
	size_t n = 0;

	if (!json_object_object_get_ex(o, key, &a) ||
	    !json_object_is_type(a, json_type_array))
		return 0;
	for (size_t j = 0; j < json_object_array_length(a) && n < max; j++) {
		json_object *s = json_object_array_get_idx(a, j);
		if (json_object_is_type(s, json_type_string))
			out[n++] = json_object_get_string(s);
	}
	return n;
}

void
payload_products(json_object *payload, struct product *p, size_t n)
{
	json_object *arr, *v;
	const char *type = opt_str(payload, "product_type");
	const char *market = opt_str(payload, "marketplace");
	const char *paths[MAX_IMAGES];

	json_object_object_get_ex(payload, "products", &arr);
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(arr, i);

		memset(&p[i], 0, sizeof(p[i]));
		p[i].index = i;
		p[i].sku = opt_str(o, "sku");
		p[i].title = opt_str(o, "title");
		p[i].brand = opt_str(o, "brand");
		p[i].product_type = opt_str(o, "product_type");
		if (p[i].product_type == NULL)
			p[i].product_type = type;
		p[i].marketplace = market ? market : "US";
		p[i].description = opt_str(o, "description");
		p[i].nfeatures = str_list(o, "features", p[i].features, MAX_FEATURES);
		p[i].nkeywords = str_list(o, "keywords", p[i].keywords, MAX_KEYWORDS);
		p[i].nimages = str_list(o, "images", paths, MAX_IMAGES);
		for (size_t j = 0; j < p[i].nimages; j++)
			p[i].images[j].path = paths[j];
		p[i].quantity = -1;
		if (json_object_object_get_ex(o, "quantity", &v) &&
		    json_object_is_type(v, json_type_int))
			p[i].quantity = json_object_get_int64(v);
		if (json_object_object_get_ex(o, "price", &v) && v != NULL) {
			if (json_object_is_type(v, json_type_string))
				snprintf(p[i].price, sizeof(p[i].price), "%s",
				    json_object_get_string(v));
			else if (json_object_is_type(v, json_type_int))
				snprintf(p[i].price, sizeof(p[i].price), "%lld",
				    (long long)json_object_get_int64(v));
			else if (json_object_is_type(v, json_type_double))
				snprintf(p[i].price, sizeof(p[i].price), "%.2f",
				    json_object_get_double(v));
		}
	}
}
