/*
 * publish.c -- the image publishers.  local: a copy named by content hash
 * in PUBLISH_DIR (written to a temp file, fsync'd and renamed, so a reader
 * never sees half an image), served under PUBLIC_BASE_URL.  s3: a
 * path-style PUT to S3_ENDPOINT/S3_BUCKET/<sha256>.<ext> signed by libcurl
 * (CURLOPT_AWS_SIGV4 "aws:amz:REGION:s3"), preceded by a HEAD so an object
 * already there is not uploaded again.
 */
#include "content/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"

#define EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static int
need(const struct config *cfg, enum cfg_key k, const char *why,
    const char **out, char *err, size_t errsz)
{
	*out = config_str(cfg, k);
	if (*out == NULL || (*out)[0] == '\0') {
		snprintf(err, errsz, "%s is not set (needed %s)", config_name(k), why);
		return -1;
	}
	return 0;
}

int
publish_init(struct publisher *pub, const struct config *cfg,
    const struct fetch_opts *opts, char *err, size_t errsz)
{
	const char *v, *key, *secret;

	memset(pub, 0, sizeof(*pub));
	pub->opts = opts;
	v = config_str(cfg, CFG_IMAGE_PUBLISHER);
	if (v == NULL || strcmp(v, "local") == 0) {
		if (need(cfg, CFG_PUBLISH_DIR, "to publish images locally",
		    &pub->dir, err, errsz) ||
		    need(cfg, CFG_PUBLIC_BASE_URL, "to publish images locally",
		    &pub->base_url, err, errsz))
			return -1;
		if (pub->dir[0] != '/') {
			snprintf(err, errsz, "PUBLISH_DIR must be an absolute path");
			return -1;
		}
		return 0;
	}
	if (strcmp(v, "s3") != 0) {
		snprintf(err, errsz, "IMAGE_PUBLISHER must be local or s3");
		return -1;
	}
	pub->s3 = 1;
	if (need(cfg, CFG_S3_BUCKET, "with IMAGE_PUBLISHER=s3", &pub->bucket,
	    err, errsz) ||
	    need(cfg, CFG_S3_REGION, "with IMAGE_PUBLISHER=s3", &pub->region,
	    err, errsz) ||
	    need(cfg, CFG_AWS_ACCESS_KEY_ID, "with IMAGE_PUBLISHER=s3", &key,
	    err, errsz) ||
	    need(cfg, CFG_AWS_SECRET_ACCESS_KEY, "with IMAGE_PUBLISHER=s3",
	    &secret, err, errsz))
		return -1;
	if (strspn(pub->bucket, "abcdefghijklmnopqrstuvwxyz0123456789.-") !=
	    strlen(pub->bucket)) {
		snprintf(err, errsz, "S3_BUCKET is not a valid bucket name");
		return -1;
	}
	if (strspn(pub->region, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
	    strlen(pub->region)) {
		snprintf(err, errsz, "S3_REGION is not a valid region name");
		return -1;
	}
	pub->endpoint = config_str(cfg, CFG_S3_ENDPOINT);
	if (pub->endpoint && pub->endpoint[0] &&
	    strncmp(pub->endpoint, "http://", 7) != 0 &&
	    strncmp(pub->endpoint, "https://", 8) != 0) {
		snprintf(err, errsz, "S3_ENDPOINT must be an http:// or https:// URL");
		return -1;
	}
	pub->public_base = config_str(cfg, CFG_S3_PUBLIC_BASE_URL);
	snprintf(pub->sigv4, sizeof(pub->sigv4), "aws:amz:%s:s3", pub->region);
	if (asprintf(&pub->userpwd, "%s:%s", key, secret) < 0) {
		pub->userpwd = NULL;
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	return 0;
}

void
publish_free(struct publisher *pub)
{
	if (pub->userpwd) {
		/* The secret is not left lying in freed memory. */
		memset(pub->userpwd, 0, strlen(pub->userpwd));
		free(pub->userpwd);
		pub->userpwd = NULL;
	}
}

/* base + "/" + name, without a doubled slash; malloc'd. */
static char *
join_url(const char *base, const char *name)
{
	size_t n = strlen(base);
	char *out;

	while (n > 0 && base[n - 1] == '/')
		n--;
	if (asprintf(&out, "%.*s/%s", (int)n, base, name) < 0)
		return NULL;
	return out;
}

/* Copies data into dir/name atomically unless it is already there.
 * Returns 1 if written, 0 if it was there, -1 with err. */
static int
local_put(const char *dir, const char *name, const unsigned char *data,
    size_t len, char *err, size_t errsz)
{
	char tmp[4096], dst[4096];
	struct stat st;
	size_t off = 0;
	int fd, dfd;

	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	if (stat(dst, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len)
		return 0;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errsz, "PUBLISH_DIR cannot be created: %s",
		    strerror(errno));
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
	if ((fd = mkstemp(tmp)) < 0) {
		snprintf(err, errsz, "cannot write in PUBLISH_DIR: %s",
		    strerror(errno));
		return -1;
	}
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errsz, "cannot write in PUBLISH_DIR: %s",
			    w < 0 ? strerror(errno) : "short write");
			goto fail;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		snprintf(err, errsz, "cannot write in PUBLISH_DIR: %s",
		    strerror(errno));
		goto fail;
	}
	close(fd);
	if (rename(tmp, dst) != 0) {
		snprintf(err, errsz, "cannot write in PUBLISH_DIR: %s",
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 1;
fail:
	close(fd);
	unlink(tmp);
	return -1;
}

static enum fetch_verdict
accept_outcome(struct fetch *f, void *arg)
{
	(void)f;
	(void)arg;
	return FETCH_DONE;
}

/* One S3 request; returns its status (0 after a network failure, with
 * the reason in f->errbuf). */
static long
s3_request(struct publisher *pub, struct fetch *f, const char *method,
    const char *url, const struct image *img, const unsigned char *data)
{
	char h1[128], h2[128];
	struct curl_slist *hl = NULL, *t;

	memset(f, 0, sizeof(*f));
	snprintf(h1, sizeof(h1), "x-amz-content-sha256: %s",
	    data ? img->sha256 : EMPTY_SHA256);
	snprintf(h2, sizeof(h2), "Content-Type: %s", img->mime);
	if ((t = curl_slist_append(hl, h1)) == NULL)
		goto oom;
	hl = t;
	if (data) {
		if ((t = curl_slist_append(hl, h2)) == NULL ||
		    (hl = t, t = curl_slist_append(hl, "Expect:")) == NULL)
			goto oom;
		hl = t;
	}
	f->method = method;
	f->url = url;
	f->headers = hl;
	f->body = (const char *)data;
	f->body_len = data ? (size_t)img->size : 0;
	f->sigv4 = pub->sigv4;
	f->userpwd = pub->userpwd;
	if (fetch_all(f, 1, pub->opts, accept_outcome, NULL) != 0) {
		f->status = 0;
		snprintf(f->errbuf, sizeof(f->errbuf), "curl setup failed");
	}
	curl_slist_free_all(hl);
	return f->status;
oom:
	curl_slist_free_all(hl);
	f->status = 0;
	snprintf(f->errbuf, sizeof(f->errbuf), "out of memory");
	return 0;
}

/* Uploads one image unless S3 has it; returns 1 uploaded, 0 reused, or
 * -1 (permanent) / -2 (transient) with err. */
static int
s3_put(struct publisher *pub, const struct image *img,
    const unsigned char *data, const char *name, char **url_out,
    char *err, size_t errsz)
{
	struct fetch f;
	char *url, *path;
	long st;
	int rc;

	if (pub->endpoint && pub->endpoint[0]) {
		url = join_url(pub->endpoint, pub->bucket);
	} else if (asprintf(&url, "https://s3.%s.amazonaws.com/%s",
	    pub->region, pub->bucket) < 0) {
		url = NULL;
	}
	path = url ? join_url(url, name) : NULL;
	free(url);
	if (path == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	st = s3_request(pub, &f, "HEAD", path, img, NULL);
	fetch_reset(&f);
	if (st == 200) {
		rc = 0;
	} else {
		st = s3_request(pub, &f, "PUT", path, img, data);
		if (st >= 200 && st < 300) {
			rc = 1;
		} else if (st == 0 || fetch_retryable(&f)) {
			snprintf(err, errsz, "S3 upload failed (%.180s)",
			    st ? "the server kept failing" : f.errbuf);
			rc = -2;
		} else {
			snprintf(err, errsz, "S3 refused the upload with HTTP %ld%s",
			    st, st == 401 || st == 403 ? " (check AWS_ACCESS_KEY_ID, "
			    "AWS_SECRET_ACCESS_KEY, S3_BUCKET and S3_REGION)" : "");
			rc = -1;
		}
		fetch_reset(&f);
	}
	if (rc >= 0) {
		*url_out = pub->public_base && pub->public_base[0] ?
		    join_url(pub->public_base, name) : strdup(path);
		if (*url_out == NULL) {
			snprintf(err, errsz, "out of memory");
			rc = -1;
		}
	}
	free(path);
	return rc;
}

enum job_rc
publish_product(struct publisher *pub, const char *root, struct product *p,
    const char **code, char *err, size_t errsz)
{
	char why[256], name[80];
	int published = 0, reused = 0;

	for (size_t i = 0; i < p->nimages; i++) {
		struct image *img = &p->images[i];
		unsigned char *data;
		int rc;

		free(p->image_urls[i]);
		p->image_urls[i] = NULL;
		if (image_load(root, img, &data, why, sizeof(why)) != 0) {
			snprintf(err, errsz, "product %s: image \"%s\" %s", p->sku,
			    img->path, why);
			*code = "invalid_image";
			return JOB_PERMANENT;
		}
		snprintf(name, sizeof(name), "%s.%s", img->sha256, img->ext);
		if (pub->s3) {
			rc = s3_put(pub, img, data, name, &p->image_urls[i],
			    why, sizeof(why));
		} else {
			rc = local_put(pub->dir, name, data, (size_t)img->size,
			    why, sizeof(why));
			if (rc >= 0 && (p->image_urls[i] =
			    join_url(pub->base_url, name)) == NULL) {
				snprintf(why, sizeof(why), "out of memory");
				rc = -1;
			}
			if (rc < 0)
				rc = -2;      /* a full disk may pass */
		}
		free(data);
		if (rc < 0) {
			snprintf(err, errsz, "product %s: image \"%s\": %s", p->sku,
			    img->path, why);
			*code = rc == -1 ? "publish_refused" : "publish_failed";
			return rc == -1 ? JOB_PERMANENT : JOB_TRANSIENT;
		}
		if (rc == 1)
			published++;
		else
			reused++;
	}
	p->published = published;
	p->reused = reused;
	p->have_images = 1;
	return JOB_OK;
}
