/*
 * content.h -- the generate_amazon_content workflow (contract section 5):
 * one function run by both the sync stream and the worker.  See
 * docs/content.md for the behaviour in full.
 *
 * content_validate: the submission checks; needs no file access (the
 * responder may not be able to read IMAGE_ROOT).  Appends one
 * {"field","message"} to details per problem; returns 0 if valid, -1 if
 * not.  cfg may be NULL.
 *
 * content_run: generates, publishes, writes $OUTPUT_DIR/{job_id}/
 * flatfile.txt and sets *out to the result (JOB_OK) or to an error object
 * {"code","message"} (any other rc); *out is owned by the caller.  With
 * ctx->job_id NULL (the sync stream) the output folder is named by a fresh
 * UUIDv7.  Uses ctx->checkpoint_get/put when not NULL ("product:SKU") and
 * stops with JOB_CANCELED when ctx->progress returns nonzero.
 * Thread-safe: no global state besides libcurl's one-time init.
 */
#ifndef JOBQ_CONTENT_H
#define JOBQ_CONTENT_H

#include "jobtypes.h"

int content_validate(json_object *payload, const struct config *cfg,
    json_object *details);
enum job_rc content_run(struct job_ctx *ctx, json_object **out);

#endif
