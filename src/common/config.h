/*
 * config.h -- the configuration keys of the contract (section 2), read from
 * a KEY=value file, then the environment (which wins), then flags (which
 * win over both).  One table describes every key: name, default, type and
 * range; adding a key is one enum value and one table row.
 */
#ifndef JOBQ_CONFIG_H
#define JOBQ_CONFIG_H

#include <stddef.h>

enum cfg_key {
	CFG_DB,
	CFG_SYNCHRONOUS,
	CFG_BUSY_TIMEOUT_MS,
	CFG_ASYNC_JOBS_ENABLED,
	CFG_ASYNC_JOB_TYPES,
	CFG_CONCURRENCY,
	CFG_POLL_INTERVAL_MS,
	CFG_MAX_ATTEMPTS,
	CFG_BACKOFF_BASE_MS,
	CFG_BACKOFF_MAX_MS,
	CFG_LEASE_SECONDS,
	CFG_JOB_TIMEOUT,
	CFG_JOB_MEMORY_MB,
	CFG_SHUTDOWN_GRACE,
	CFG_MAX_BODY_BYTES,
	CFG_TRUST_REMOTE_USER,
	CFG_LOG,
	CFG_CONTENT_PROVIDER,
	CFG_OPENAI_API_KEY,
	CFG_OPENAI_BASE_URL,
	CFG_OPENAI_MODEL,
	CFG_CONTENT_PARALLELISM,
	CFG_IMAGE_ROOT,
	CFG_IMAGE_PUBLISHER,
	CFG_PUBLISH_DIR,
	CFG_PUBLIC_BASE_URL,
	CFG_S3_ENDPOINT,
	CFG_S3_BUCKET,
	CFG_S3_REGION,
	CFG_S3_PUBLIC_BASE_URL,
	CFG_AWS_ACCESS_KEY_ID,
	CFG_AWS_SECRET_ACCESS_KEY,
	CFG_OUTPUT_DIR,
	CFG_NKEYS
};

struct config {
	char *val[CFG_NKEYS];         /* NULL: not set, the default applies */
	int secret_file_readable;     /* a secret sits in a world-readable file */
};

#define CONFIG_ERR_SIZE 256

/* Reads file (NULL: none), then the environment.  Returns 0, or -1 with a
 * one-line message naming the bad key or line in err. */
int config_load(struct config *c, const char *file, char *err, size_t errsz);
/* Sets a key from a flag.  Returns 0, or -1 with a message in err. */
int config_set(struct config *c, enum cfg_key k, const char *value,
    char *err, size_t errsz);
/* Checks every set value against its type and range.  Returns 0 or -1. */
int config_validate(const struct config *c, char *err, size_t errsz);
void config_free(struct config *c);

/* Values, or the default; config_str may return NULL for keys without a
 * default.  Valid only after config_validate() succeeded. */
const char *config_str(const struct config *c, enum cfg_key k);
long long config_int(const struct config *c, enum cfg_key k);
int config_bool(const struct config *c, enum cfg_key k);
const char *config_name(enum cfg_key k);
/* Returns the key named name, or -1. */
int config_lookup(const char *name);
/* 1 if the value is a secret that must never be logged or stored. */
int config_is_secret(enum cfg_key k);
/* 1 if item appears in the comma list (spaces around items ignored). */
int config_list_has(const char *list, const char *item);

#endif
