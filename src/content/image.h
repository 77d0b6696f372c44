/*
 * image.h -- product images read safely from under IMAGE_ROOT, and the
 * publishers that make them public: local (a copy in PUBLISH_DIR) and s3
 * (a path-style PUT signed with AWS SigV4).  Published names are the
 * SHA-256 of the content, so an image already published is recognised and
 * not uploaded again.
 */
#ifndef JOBQ_CONTENT_IMAGE_H
#define JOBQ_CONTENT_IMAGE_H

#include "content/fetch.h"
#include "content/internal.h"

struct config;

/* Reads img->path under root (an absolute, resolved folder): refuses
 * paths that leave root (through "..", an absolute path or a symlink),
 * anything but a regular file, files over 10 MB and content that is not
 * JPEG, PNG, GIF or TIFF.  Fills img's sha256, mime, ext and size and, if
 * data is not NULL, sets *data to the malloc'd content.  Returns 0, or -1
 * with the reason in err (a phrase naming no absolute path). */
int image_load(const char *root, struct image *img, unsigned char **data,
    char *err, size_t errsz);
/* The type of buf by content: "image/jpeg" etc., or NULL. */
const char *image_sniff(const unsigned char *buf, size_t len, const char **ext);

struct publisher {
	int s3;
	const char *dir, *base_url;                   /* local */
	const char *endpoint, *bucket, *region, *public_base;  /* s3 */
	char *userpwd;                                /* "KEY:SECRET" */
	char sigv4[128];
	const struct fetch_opts *opts;
};

/* Checks the publisher's configuration.  Returns 0, or -1 with a message
 * naming the missing or bad key in err. */
int publish_init(struct publisher *pub, const struct config *cfg,
    const struct fetch_opts *opts, char *err, size_t errsz);
void publish_free(struct publisher *pub);
/* Publishes the images of p (under root), setting p->image_urls,
 * p->published and p->reused.  Returns JOB_OK, or JOB_TRANSIENT /
 * JOB_PERMANENT with the error code in *code and the reason in err. */
enum job_rc publish_product(struct publisher *pub, const char *root,
    struct product *p, const char **code, char *err, size_t errsz);

#endif
