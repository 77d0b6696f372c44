/*
 * test_payload.c -- the submission checks (one detail per problem, with
 * the field path), and the pure parts of the workflow: the strict parsing
 * and repair of the provider's answer, checkpoint round trips, SHA-256
 * and image sniffing.
 */
#include <stdlib.h>
#include <string.h>

#include "content/internal.h"
#include "content/image.h"
#include "tests/tap.h"

/* Validates json; returns the number of details, and the first field. */
static int
check(const char *json, char *field, size_t fsz)
{
	json_object *p = json_tokener_parse(json), *d = json_object_new_array();
	int rc, n;

	field[0] = '\0';
	rc = content_validate(p, NULL, d);
	n = (int)json_object_array_length(d);
	if (n > 0) {
		json_object *f;
		json_object_object_get_ex(json_object_array_get_idx(d, 0), "field", &f);
		snprintf(field, fsz, "%s", json_object_get_string(f));
	}
	if ((rc == 0) != (n == 0))
		n = -100;             /* the return value must agree */
	json_object_put(p);
	json_object_put(d);
	return n;
}

#define S(lit) (lit), strlen(lit)
#define GOOD "{\"sku\":\"A-1\",\"title\":\"T\",\"brand\":\"B\"}"

static void
refuse(const char *products, const char *want_field, const char *why)
{
	char json[4096], field[128];
	int n;

	snprintf(json, sizeof(json), "{\"products\":[%s]}", products);
	n = check(json, field, sizeof(field));
	ok(n >= 1 && strcmp(field, want_field) == 0, "refused: %s (%s)", why, field);
}

int
main(void)
{
	char field[128], big[40000];
	int n;

	n = check("{\"marketplace\":\"US\",\"product_type\":\"home\",\"products\":["
	    "{\"sku\":\"MUG-001\",\"title\":\"Stoneware mug\",\"brand\":\"Acme\","
	    "\"product_type\":\"kitchen\",\"features\":[\"11 oz\",\"dishwasher safe\"],"
	    "\"description\":\"...\",\"keywords\":[\"coffee mug\"],"
	    "\"images\":[\"mug/front.jpg\",\"mug/side.jpg\"],\"price\":\"12.99\","
	    "\"quantity\":10,\"unknown\":{\"ignored\":true}}]}", field, sizeof(field));
	is_int(n, 0, "the contract's example payload is valid");
	is_int(check(GOOD, field, sizeof(field)), 1, "not an object wrapper: refused");
	is_int(check("[]", field, sizeof(field)), 1, "an array payload is refused");
	is_str(field, "payload", "named payload");
	is_int(check("{\"products\":[]}", field, sizeof(field)), 1, "no products");
	is_str(field, "products", "named products");
	is_int(check("{\"products\":{}}", field, sizeof(field)), 1, "products not an array");

	refuse("{\"title\":\"T\",\"brand\":\"B\"}", "products[0].sku", "sku missing");
	refuse("{\"sku\":\"\",\"title\":\"T\",\"brand\":\"B\"}", "products[0].sku", "empty sku");
	refuse("{\"sku\":\"a b\",\"title\":\"T\",\"brand\":\"B\"}", "products[0].sku", "sku with a space");
	refuse("{\"sku\":\"A\\u0000B\",\"title\":\"T\",\"brand\":\"B\"}", "products[0].sku", "sku with NUL");
	refuse("{\"sku\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"title\":\"T\",\"brand\":\"B\"}",
	    "products[0].sku", "41-character sku");
	refuse(GOOD "," GOOD, "products[1].sku", "duplicate sku");
	refuse("{\"sku\":\"A\",\"brand\":\"B\"}", "products[0].title", "title missing");
	refuse("{\"sku\":\"A\",\"title\":\"  \",\"brand\":\"B\"}", "products[0].title", "blank title");
	refuse("{\"sku\":\"A\",\"title\":\"T\",\"brand\":7}", "products[0].brand", "brand not a string");
	refuse("{\"sku\":\"A\",\"title\":\"T\",\"brand\":\"B\",\"features\":[\"1\",\"2\",\"3\","
	    "\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\"]}", "products[0].features", "11 features");
	refuse("{\"sku\":\"A\",\"title\":\"T\",\"brand\":\"B\",\"features\":[\"ok\",3]}",
	    "products[0].features[1]", "a feature that is not a string");
	refuse("{\"sku\":\"A\",\"title\":\"T\",\"brand\":\"B\",\"images\":[\"1\",\"2\",\"3\","
	    "\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\"]}", "products[0].images", "10 images");
	refuse("{\"sku\":\"A\",\"title\":\"T\",\"brand\":\"B\",\"images\":[\"/etc/passwd\"]}",
	    "products[0].images[0]", "absolute image path");
	refuse("{\"sku\":\"A\",\"title\":\"T\",\"brand\":\"B\",\"images\":[\"a/../../x.jpg\"]}",
	    "products[0].images[0]", "image path with ..");
	refuse("{\"sku\":\"A\",\"title\":\"T\",\"brand\":\"B\",\"images\":[\"..\"]}",
	    "products[0].images[0]", "image path ..");
	refuse("{\"sku\":\"A\",\"title\":\"T\",\"brand\":\"B\",\"images\":[\"\"]}",
	    "products[0].images[0]", "empty image path");
	refuse("{\"sku\":\"A\",\"title\":\"T\",\"brand\":\"B\",\"price\":\"-1\"}",
	    "products[0].price", "negative price");
	refuse("{\"sku\":\"A\",\"title\":\"T\",\"brand\":\"B\",\"price\":\"1.999\"}",
	    "products[0].price", "price with three decimals");
	refuse("{\"sku\":\"A\",\"title\":\"T\",\"brand\":\"B\",\"quantity\":1.5}",
	    "products[0].quantity", "fractional quantity");
	refuse("{\"sku\":\"A\",\"title\":\"T\",\"brand\":\"B\",\"description\":[]}",
	    "products[0].description", "description not a string");
	refuse("7", "products[0]", "a product that is not an object");
	n = check("{\"products\":[" GOOD ",{\"sku\":\"x y\"}]}", field, sizeof(field));
	is_int(n, 3, "one detail per problem (sku, title, brand of products[1])");
	is_int(check("{\"products\":[{\"sku\":\"A\",\"title\":\"T\",\"brand\":\"B\","
	    "\"price\":12.5,\"quantity\":0,\"images\":[\"a/b/c.png\",\"...jpg\"]}]}",
	    field, sizeof(field)), 0, "numeric price, zero quantity, nested paths are fine");

	/* 501 products */
	strcpy(big, "{\"products\":[");
	for (int i = 0; i < 501; i++) {
		char one[80];
		snprintf(one, sizeof(one), "%s{\"sku\":\"S%d\",\"title\":\"T\",\"brand\":\"B\"}",
		    i ? "," : "", i);
		strcat(big, one);
	}
	strcat(big, "]}");
	is_int(check(big, field, sizeof(field)), 1, "501 products are refused");
	*strstr(big, ",{\"sku\":\"S500\"") = '\0';
	strcat(big, "]}");
	is_int(check(big, field, sizeof(field)), 0, "500 products are accepted (%s)", field);

	/* openai_parse: strict, with repair from the fallback. */
	struct product pr = {0};
	struct listing fb, l;
	long long pt = 0, ct = 0;
	char err[160];
	pr.sku = "A";
	pr.title = "Mug";
	pr.brand = "Acme";
	pr.features[0] = "11 oz";
	pr.nfeatures = 1;
	ok(template_listing(&pr, &fb) == 0, "template listing");
	is_str(fb.item_name, "Acme Mug, 11 oz", "template item name: brand, title, feature");
	const char *good = "{\"choices\":[{\"message\":{\"content\":\"{\\\"item_name\\\":\\\"Nice mug\\\","
	    "\\\"bullet_points\\\":[\\\"a\\\",\\\"b\\\",\\\"c\\\",\\\"d\\\",\\\"e\\\"],"
	    "\\\"product_description\\\":\\\"desc\\\",\\\"generic_keywords\\\":\\\"k w\\\"}\"}}],"
	    "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}";
	is_int(openai_parse(good, strlen(good), &fb, &l, &pt, &ct, err, sizeof(err)), 0,
	    "a good answer needs no repair");
	is_str(l.item_name, "Nice mug", "item name from the model");
	is_str(l.bullets[4], "e", "fifth bullet from the model");
	ok(pt == 7 && ct == 3, "usage added");
	listing_free(&l);
	const char *bad = "{\"choices\":[{\"message\":{\"content\":\"{\\\"item_name\\\":5,"
	    "\\\"bullet_points\\\":\\\"no\\\",\\\"generic_keywords\\\":\\\"ok\\\"}\"}}]}";
	n = openai_parse(bad, strlen(bad), &fb, &l, &pt, &ct, err, sizeof(err));
	ok(n >= 3, "wrong types and missing fields are repaired (%d)", n);
	is_str(l.item_name, fb.item_name, "item name repaired from the template");
	is_str(l.description, fb.description, "description repaired from the template");
	is_str(l.keywords, "ok", "a good field is kept");
	ok(pt == 7, "no usage: nothing added");
	listing_free(&l);
	is_int(openai_parse(S("{\"choices\":[]}"), &fb, &l, &pt, &ct, err, sizeof(err)), -1,
	    "no choices: refused (%s)", err);
	is_int(openai_parse(S("{\"choices\":[{\"message\":{\"content\":\"hi\"}}]} x"), &fb, &l,
	    &pt, &ct, err, sizeof(err)), -1, "trailing garbage after the JSON: refused");
	is_int(openai_parse(S("{\"choices\":[{\"message\":{\"content\":\"Sure: {}\"}}]}"), &fb,
	    &l, &pt, &ct, err, sizeof(err)), -1, "content not a JSON object: refused (%s)", err);
	is_int(openai_parse(S("<html>"), &fb, &l, &pt, &ct, err, sizeof(err)), -1,
	    "HTML: refused");
	is_int(openai_parse(S("{\"choi"), &fb, &l, &pt, &ct, err, sizeof(err)), -1,
	    "truncated: refused");

	/* Checkpoints round trip. */
	struct product a = {0}, b = {0};
	char *v;
	a.sku = b.sku = "A";
	a.nimages = b.nimages = 1;
	listing_copy(&a.listing, &fb);
	a.have_listing = a.have_images = 1;
	a.prompt_tokens = 11;
	a.completion_tokens = 5;
	a.image_urls[0] = strdup("https://x/1.jpg");
	a.published = 1;
	v = checkpoint_encode(&a);
	ok(v && checkpoint_decode(&b, v) == 0, "checkpoint decodes");
	ok(b.have_listing && b.have_images && b.prompt_tokens == 11 &&
	    b.published == 1, "listing, usage, images restored");
	is_str(b.listing.item_name, fb.item_name, "item name restored");
	is_str(b.image_urls[0], "https://x/1.jpg", "image url restored");
	ok(checkpoint_decode(&b, "{\"v\":99}") == -1, "another version is ignored");
	ok(checkpoint_decode(&b, "not json") == -1, "garbage is ignored");
	free(v);
	listing_free(&a.listing);
	listing_free(&b.listing);
	free(a.image_urls[0]);
	free(b.image_urls[0]);
	listing_free(&fb);

	/* SHA-256 vectors (FIPS 180-4) and sniffing. */
	char h[65];
	sha256_hex("", 0, h);
	is_str(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 of empty");
	sha256_hex("abc", 3, h);
	is_str(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 of abc");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, h);
	is_str(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "sha256, two blocks");
	const char *ext;
	is_str(image_sniff((const unsigned char *)"\xff\xd8\xff\xe0", 4, &ext), "image/jpeg", "JPEG sniffed");
	is_str(image_sniff((const unsigned char *)"\x89PNG\r\n\x1a\n", 8, &ext), "image/png", "PNG sniffed");
	is_str(image_sniff((const unsigned char *)"GIF89a", 6, &ext), "image/gif", "GIF sniffed");
	is_str(image_sniff((const unsigned char *)"MM\0*", 4, &ext), "image/tiff", "TIFF sniffed");
	ok(image_sniff((const unsigned char *)"#!/bin/sh", 9, &ext) == NULL, "a script is not an image");
	return done_testing();
}
