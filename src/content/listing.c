/*
 * listing.c -- the listing text of one product (struct listing): freeing
 * and copying it.  The strings are owned by the listing.
 */
#include "content/internal.h"

#include <stdlib.h>
#include <string.h>

void
listing_free(struct listing *l)
{
	if (l == NULL)
		return;
	free(l->item_name);
	for (int i = 0; i < NBULLETS; i++)
		free(l->bullets[i]);
	free(l->description);
	free(l->keywords);
	memset(l, 0, sizeof(*l));
}

static int
dup_into(char **dst, const char *src)
{
	*dst = strdup(src ? src : "");
	return *dst ? 0 : -1;
}

int
listing_copy(struct listing *dst, const struct listing *src)
{
	int rc = 0;

	memset(dst, 0, sizeof(*dst));
	rc |= dup_into(&dst->item_name, src->item_name);
	for (int i = 0; i < NBULLETS; i++)
		rc |= dup_into(&dst->bullets[i], src->bullets[i]);
	rc |= dup_into(&dst->description, src->description);
	rc |= dup_into(&dst->keywords, src->keywords);
	if (rc)
		listing_free(dst);
	return rc ? -1 : 0;
}
