/*
 * workflow.c -- generate_amazon_content (contract section 5), the one
 * code path of the sync stream and the worker: check the configuration,
 * restore finished products from checkpoints, check every image, generate
 * the listings, publish the images, write the flat file, build the result.
 * Each product is checkpointed as each step of it finishes, so a retried
 * or recovered job repeats neither provider requests nor uploads.
 */
#include "content/run.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/log.h"
#include "common/uuid.h"
#include "content/image.h"

/* Share of the progress bar of each phase (the rest is the flat file). */
#define PCT_GENERATE 80
#define PCT_PUBLISH  15
/* Quiet time after which the last progress is reported again. */
#define PROGRESS_REPEAT_MS 2000

void
content_default_http(struct fetch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->parallel = 4;
	o->connect_timeout_ms = 10000;
	o->total_timeout_ms = 120000;
	o->max_tries = 4;
	o->backoff_base_ms = 1000;
	o->backoff_max_ms = 30000;
	o->retry_after_max_ms = 120000;
}

void
run_fail(struct run *r, enum job_rc rc, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (r->rc != JOB_OK)
		return;
	r->rc = rc;
	r->code = code;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
}

int
run_progress(struct run *r, int percent, const char *msg)
{
	r->last_report = clock_mono_ms();
	r->last_percent = percent;
	if (msg != r->last_msg)
		snprintf(r->last_msg, sizeof(r->last_msg), "%s", msg);
	if (r->ctx->progress == NULL || r->ctx->progress(r->ctx, percent, msg) == 0)
		return 0;
	run_fail(r, JOB_CANCELED, "canceled", "stopped on request");
	return 1;
}

/* While requests are slow, repeats the last progress every few seconds:
 * that is how a cancel (or a stopping worker) is noticed. */
static int
run_tick(void *arg)
{
	struct run *r = arg;

	if (clock_mono_ms() - r->last_report < PROGRESS_REPEAT_MS)
		return 0;
	return run_progress(r, r->last_percent, r->last_msg);
}

void
run_checkpoint(struct run *r, const struct product *p)
{
	char key[64], *v;

	if (r->ctx->checkpoint_put == NULL)
		return;
	snprintf(key, sizeof(key), "product:%s", p->sku);
	if ((v = checkpoint_encode(p)) == NULL ||
	    r->ctx->checkpoint_put(r->ctx, key, v) != 0)
		/* Not fatal: a retry would only redo this product. */
		log_event(LOG_LVL_WARN, "content_checkpoint_failed", "sku=%s", p->sku);
	free(v);
}

int
run_generated(struct run *r, const struct product *p)
{
	char msg[64];

	(void)p;
	r->generated++;
	snprintf(msg, sizeof(msg), "Generated content %zu/%zu", r->generated, r->n);
	return run_progress(r, (int)(r->generated * PCT_GENERATE / r->n), msg);
}

static void
restore(struct run *r)
{
	char key[64], *v;

	if (r->ctx->checkpoint_get == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		snprintf(key, sizeof(key), "product:%s", r->p[i].sku);
		v = NULL;
		if (r->ctx->checkpoint_get(r->ctx, key, &v) == 0 && v != NULL &&
		    checkpoint_decode(&r->p[i], v) != 0)
			log_event(LOG_LVL_WARN, "content_checkpoint_ignored",
			    "sku=%s", r->p[i].sku);
		free(v);
		r->generated += r->p[i].have_listing;
		r->published += r->p[i].have_images;
	}
}

/* Configuration the run needs; fills root (resolved IMAGE_ROOT) when any
 * product has images.  Returns 0, or -1 after run_fail. */
static int
check_config(struct run *r, struct publisher *pub, char root[PATH_MAX],
    int *has_images)
{
	const char *prov = config_str(r->cfg, CFG_CONTENT_PROVIDER), *v;
	char err[256];

	*has_images = 0;
	r->openai = prov != NULL && strcmp(prov, "openai") == 0;
	if (r->openai) {
		v = config_str(r->cfg, CFG_OPENAI_API_KEY);
		if (v == NULL || v[0] == '\0') {
			run_fail(r, JOB_PERMANENT, "config", "OPENAI_API_KEY is not "
			    "set (needed with CONTENT_PROVIDER=openai)");
			return -1;
		}
		v = config_str(r->cfg, CFG_OPENAI_BASE_URL);
		if (v == NULL || (strncmp(v, "http://", 7) != 0 &&
		    strncmp(v, "https://", 8) != 0)) {
			run_fail(r, JOB_PERMANENT, "config",
			    "OPENAI_BASE_URL must be an http:// or https:// URL");
			return -1;
		}
	}
	for (size_t i = 0; i < r->n; i++)
		*has_images |= r->p[i].nimages > 0 && !r->p[i].have_images;
	if (!*has_images)
		return 0;
	v = config_str(r->cfg, CFG_IMAGE_ROOT);
	if (v == NULL || v[0] == '\0') {
		run_fail(r, JOB_PERMANENT, "config",
		    "IMAGE_ROOT is not set (needed for product images)");
		return -1;
	}
	if (realpath(v, root) == NULL) {
		run_fail(r, JOB_PERMANENT, "config",
		    "IMAGE_ROOT cannot be opened: %s", strerror(errno));
		return -1;
	}
	if (publish_init(pub, r->cfg, &r->http, err, sizeof(err)) != 0) {
		run_fail(r, JOB_PERMANENT, "config", "%s", err);
		return -1;
	}
	return 0;
}

/* Refuses the job before any provider request or upload when an image is
 * missing, outside IMAGE_ROOT, not an image or too large. */
static int
check_images(struct run *r, const char *root)
{
	char why[256];

	for (size_t i = 0; i < r->n; i++) {
		struct product *p = &r->p[i];

		for (size_t j = 0; !p->have_images && j < p->nimages; j++) {
			if (image_load(root, &p->images[j], NULL, why, sizeof(why)) != 0) {
				run_fail(r, JOB_PERMANENT, "invalid_image",
				    "product %s: image \"%s\" %s", p->sku,
				    p->images[j].path, why);
				return -1;
			}
		}
	}
	return 0;
}

static int
publish_all(struct run *r, struct publisher *pub, const char *root)
{
	char err[512], msg[64];

	for (size_t i = 0; i < r->n; i++) {
		struct product *p = &r->p[i];
		enum job_rc rc;

		if (p->have_images)
			continue;
		if (p->nimages > 0) {
			const char *code = "publish_failed";
			rc = publish_product(pub, root, p, &code, err, sizeof(err));
			if (rc != JOB_OK) {
				run_fail(r, rc, code, "%s", err);
				return -1;
			}
		}
		p->have_images = 1;
		run_checkpoint(r, p);
		r->published++;
		snprintf(msg, sizeof(msg), "Published images %zu/%zu", r->published,
		    r->n);
		if (run_progress(r, PCT_GENERATE + (int)(r->published *
		    PCT_PUBLISH / r->n), msg))
			return -1;
	}
	return 0;
}

/* mkdir -p of path, mode 0750: job output is for the worker and the web
 * server's group (a setgid OUTPUT_DIR passes its group down).  Returns 0
 * or -1 with errno. */
static int
mkdirs(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return errno = ENAMETOOLONG, -1;
	memcpy(buf, path, n + 1);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0750) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(buf, 0750) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int
write_output(struct run *r, const char *job_id)
{
	const char *out = config_str(r->cfg, CFG_OUTPUT_DIR);
	json_object *t;
	const char *type = NULL;
	char dir[PATH_MAX], err[512];

	if (out == NULL || out[0] == '\0') {
		run_fail(r, JOB_PERMANENT, "config", "OUTPUT_DIR is not set");
		return -1;
	}

	if (json_object_object_get_ex(r->ctx->payload, "product_type", &t) &&
	    json_object_is_type(t, json_type_string))
		type = json_object_get_string(t);
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", out, job_id) >= sizeof(dir)) {
		run_fail(r, JOB_PERMANENT, "config", "OUTPUT_DIR is too long");
		return -1;
	}
	if (mkdirs(dir) != 0) {
		run_fail(r, JOB_TRANSIENT, "output_failed",
		    "cannot create the job's folder in OUTPUT_DIR: %s",
		    strerror(errno));
		return -1;
	}
	if (flatfile_write(dir, type, r->p, r->n, err, sizeof(err)) != 0) {
		run_fail(r, JOB_TRANSIENT, "output_failed", "%s", err);
		return -1;
	}
	return run_progress(r, 100, "Wrote flat file") ? -1 : 0;
}

static json_object *
result(struct run *r, const char *job_id, int64_t t0)
{
	json_object *o = json_object_new_object(), *u, *items, *urls, *it;
	long long pt = 0, ct = 0, pub = 0, reuse = 0;
	char path[64];

	if (o == NULL)
		return NULL;
	items = json_object_new_array();
	for (size_t i = 0; i < r->n; i++) {
		const struct product *p = &r->p[i];

		pt += p->prompt_tokens;
		ct += p->completion_tokens;
		pub += p->published;
		reuse += p->reused;
		it = json_object_new_object();
		json_object_object_add(it, "sku", json_object_new_string(p->sku));
		json_object_object_add(it, "item_name",
		    json_object_new_string(p->listing.item_name));
		urls = json_object_new_array();
		for (size_t j = 0; j < p->nimages; j++)
			json_object_array_add(urls,
			    json_object_new_string(p->image_urls[j]));
		json_object_object_add(it, "image_urls", urls);
		json_object_array_add(items, it);
	}
	snprintf(path, sizeof(path), "%s/flatfile.txt", job_id);
	json_object_object_add(o, "flatfile", json_object_new_string(path));
	json_object_object_add(o, "products", json_object_new_int64((int64_t)r->n));
	json_object_object_add(o, "images_published", json_object_new_int64(pub));
	json_object_object_add(o, "images_reused", json_object_new_int64(reuse));
	json_object_object_add(o, "provider",
	    json_object_new_string(r->openai ? "openai" : "template"));
	u = json_object_new_object();
	json_object_object_add(u, "prompt_tokens", json_object_new_int64(pt));
	json_object_object_add(u, "completion_tokens", json_object_new_int64(ct));
	json_object_object_add(o, "usage", u);
	json_object_object_add(o, "duration_ms",
	    json_object_new_int64(clock_mono_ms() - t0));
	json_object_object_add(o, "items", items);
	return o;
}

static int
check_payload(struct run *r)
{
	json_object *details = json_object_new_array(), *d, *f, *m;

	if (details == NULL) {
		run_fail(r, JOB_TRANSIENT, "internal", "out of memory");
		return -1;
	}
	if (content_validate(r->ctx->payload, r->cfg, details) != 0) {
		d = json_object_array_get_idx(details, 0);
		if (d && json_object_object_get_ex(d, "field", &f) &&
		    json_object_object_get_ex(d, "message", &m))
			run_fail(r, JOB_PERMANENT, "invalid_payload", "%s: %s",
			    json_object_get_string(f), json_object_get_string(m));
		else
			run_fail(r, JOB_PERMANENT, "invalid_payload", "invalid payload");
	}
	json_object_put(details);
	return r->rc == JOB_OK ? 0 : -1;
}

enum job_rc
content_run_with(struct job_ctx *ctx, const struct fetch_opts *o,
    json_object **out)
{
	struct run r;
	struct publisher pub;
	char root[PATH_MAX], fresh[37], msg[96];
	const char *job_id = ctx->job_id;
	int64_t t0 = clock_mono_ms();
	int has_images = 0;

	memset(&r, 0, sizeof(r));
	memset(&pub, 0, sizeof(pub));
	*out = NULL;
	r.ctx = ctx;
	r.cfg = ctx->cfg;
	r.http = *o;
	r.http.tick = run_tick;
	r.http.tick_arg = &r;
	r.http.tick_ms = 500;
	r.last_report = t0;
	r.http.parallel = (int)config_int(ctx->cfg, CFG_CONTENT_PARALLELISM);
	if (r.http.parallel < 1)
		r.http.parallel = 1;
	/* Callers validate at submission; checking again here means a
	 * payload that skipped that can never crash the run. */
	if (check_payload(&r) != 0)
		goto out;
	r.n = payload_count(ctx->payload);
	if ((r.p = calloc(r.n, sizeof(*r.p))) == NULL) {
		run_fail(&r, JOB_TRANSIENT, "internal", "out of memory");
		goto out;
	}
	payload_products(ctx->payload, r.p, r.n);
	if (job_id == NULL) {
		/* The sync stream has no job: its output folder gets a fresh
		 * id of the same form. */
		if (uuid_v7(clock_ms(), fresh) != 0) {
			run_fail(&r, JOB_TRANSIENT, "internal", "no random numbers");
			goto out;
		}
		job_id = fresh;
	}
	/* The id names the output folder: it may not leave OUTPUT_DIR. */
	if (job_id[0] == '\0' || job_id[0] == '.' || strlen(job_id) > 64 ||
	    strspn(job_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") != strlen(job_id)) {
		run_fail(&r, JOB_PERMANENT, "internal", "the job id cannot name a folder");
		goto out;
	}
	restore(&r);
	if (check_config(&r, &pub, root, &has_images) != 0)
		goto out;
	snprintf(msg, sizeof(msg), "Starting: %zu products, %zu already generated",
	    r.n, r.generated);
	if (run_progress(&r, (int)(r.generated * PCT_GENERATE / r.n), msg))
		goto out;
	if (has_images && check_images(&r, root) != 0)
		goto out;
	if (generate_all(&r) != JOB_OK)
		goto out;
	if (publish_all(&r, &pub, root) != 0)
		goto out;
	if (write_output(&r, job_id) != 0)
		goto out;
	if ((*out = result(&r, job_id, t0)) == NULL)
		run_fail(&r, JOB_TRANSIENT, "internal", "out of memory");
out:
	if (r.rc != JOB_OK) {
		char q[600];
		log_event(LOG_LVL_WARN, "content_failed", "job=%s code=%s message=%s",
		    job_id ? job_id : "-", r.code,
		    log_quote(r.msg, q, sizeof(q)));
		json_object_put(*out);
		*out = job_error(r.code, r.msg);
	}
	for (size_t i = 0; r.p && i < r.n; i++) {
		listing_free(&r.p[i].listing);
		for (size_t j = 0; j < MAX_IMAGES; j++)
			free(r.p[i].image_urls[j]);
	}
	free(r.p);
	publish_free(&pub);
	return r.rc;
}

enum job_rc
content_run(struct job_ctx *ctx, json_object **out)
{
	struct fetch_opts o;

	content_default_http(&o);
	return content_run_with(ctx, &o, out);
}
