/*
 * fuzz_openai.c -- the parser of an OpenAI-compatible provider's answer
 * (untrusted: anything may come back).  Whatever it accepts must be within
 * Amazon's limits after repair.
 */
#include <stdlib.h>
#include <string.h>

#include "content/internal.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct listing fallback;
	static int ready;
	struct listing l;
	long long pt = 0, ct = 0;
	char err[256];

	if (!ready) {
		struct product p = {.sku = "MUG-001", .title = "Stoneware mug",
		    .brand = "Acme", .quantity = -1};
		if (template_listing(&p, &fallback) != 0)
			abort();
		ready = 1;
	}
	memset(&l, 0, sizeof(l));
	if (openai_parse((const char *)data, size, &fallback, &l, &pt, &ct, err,
	    sizeof(err)) >= 0) {
		if (!text_fits(l.item_name, 200, 1) || !text_fits(l.description, 2000, 1) ||
		    !text_fits(l.keywords, 250, 0))
			abort();
		for (int b = 0; b < NBULLETS; b++)
			if (l.bullets[b] == NULL || !text_fits(l.bullets[b], 500, 1))
				abort();
	}
	listing_free(&l);
	return 0;
}
