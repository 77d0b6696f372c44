/*
 * content.h -- the generate_amazon_content workflow (contract section 5):
 * one function run by both the sync stream and the worker.
 */
#ifndef JOBQ_CONTENT_H
#define JOBQ_CONTENT_H

#include "jobtypes.h"

int content_validate(json_object *payload, const struct config *cfg,
    json_object *details);
enum job_rc content_run(struct job_ctx *ctx, json_object **out);

#endif
