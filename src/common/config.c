/*
 * config.c -- the key table and the file/environment/flag layering.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#ifndef JOBQ_LOCALSTATEDIR
#define JOBQ_LOCALSTATEDIR "/var"
#endif

enum cfg_type { T_STR, T_INT, T_BOOL, T_ENUM };

static const struct cfg_entry {
	const char *name;
	const char *def;
	enum cfg_type type;
	long long min, max;
	const char *choices;          /* T_ENUM: "a|b" */
	int secret;
} keys[CFG_NKEYS] = {
	[CFG_DB] = {"JOBQ_DB", JOBQ_LOCALSTATEDIR "/lib/jobq/jobs.db", T_STR},
	[CFG_SYNCHRONOUS] = {"JOBQ_SYNCHRONOUS", "full", T_ENUM, .choices = "full|normal"},
	[CFG_BUSY_TIMEOUT_MS] = {"JOBQ_BUSY_TIMEOUT_MS", "5000", T_INT, 1, 600000},
	[CFG_ASYNC_JOBS_ENABLED] = {"ASYNC_JOBS_ENABLED", "false", T_BOOL},
	[CFG_ASYNC_JOB_TYPES] = {"ASYNC_JOB_TYPES", "generate_amazon_content", T_STR},
	[CFG_CONCURRENCY] = {"JOBQ_CONCURRENCY", "1", T_INT, 1, 256},
	[CFG_POLL_INTERVAL_MS] = {"JOBQ_POLL_INTERVAL_MS", "1000", T_INT, 1, 3600000},
	[CFG_MAX_ATTEMPTS] = {"JOBQ_MAX_ATTEMPTS", "3", T_INT, 1, 1000},
	[CFG_BACKOFF_BASE_MS] = {"JOBQ_BACKOFF_BASE_MS", "2000", T_INT, 1, 86400000},
	[CFG_BACKOFF_MAX_MS] = {"JOBQ_BACKOFF_MAX_MS", "600000", T_INT, 1, 604800000},
	[CFG_LEASE_SECONDS] = {"JOBQ_LEASE_SECONDS", "60", T_INT, 1, 86400},
	[CFG_JOB_TIMEOUT] = {"JOBQ_JOB_TIMEOUT", "3600", T_INT, 1, 604800},
	[CFG_JOB_MEMORY_MB] = {"JOBQ_JOB_MEMORY_MB", "1024", T_INT, 0, 1048576},
	[CFG_SHUTDOWN_GRACE] = {"JOBQ_SHUTDOWN_GRACE", "30", T_INT, 0, 86400},
	[CFG_MAX_BODY_BYTES] = {"JOBQ_MAX_BODY_BYTES", "1048576", T_INT, 1, 1073741824},
	[CFG_TRUST_REMOTE_USER] = {"JOBQ_TRUST_REMOTE_USER", "false", T_BOOL},
	[CFG_LOG] = {"JOBQ_LOG", "stderr", T_STR},
	[CFG_CONTENT_PROVIDER] = {"CONTENT_PROVIDER", "template", T_ENUM, .choices = "template|openai"},
	[CFG_OPENAI_API_KEY] = {"OPENAI_API_KEY", NULL, T_STR, .secret = 1},
	[CFG_OPENAI_BASE_URL] = {"OPENAI_BASE_URL", "https://api.openai.com/v1", T_STR},
	[CFG_OPENAI_MODEL] = {"OPENAI_MODEL", "gpt-4o-mini", T_STR},
	[CFG_CONTENT_PARALLELISM] = {"CONTENT_PARALLELISM", "4", T_INT, 1, 64},
	[CFG_IMAGE_ROOT] = {"IMAGE_ROOT", NULL, T_STR},
	[CFG_IMAGE_PUBLISHER] = {"IMAGE_PUBLISHER", "local", T_ENUM, .choices = "local|s3"},
	[CFG_PUBLISH_DIR] = {"PUBLISH_DIR", NULL, T_STR},
	[CFG_PUBLIC_BASE_URL] = {"PUBLIC_BASE_URL", NULL, T_STR},
	[CFG_S3_ENDPOINT] = {"S3_ENDPOINT", NULL, T_STR},
	[CFG_S3_BUCKET] = {"S3_BUCKET", NULL, T_STR},
	[CFG_S3_REGION] = {"S3_REGION", NULL, T_STR},
	[CFG_S3_PUBLIC_BASE_URL] = {"S3_PUBLIC_BASE_URL", NULL, T_STR},
	[CFG_AWS_ACCESS_KEY_ID] = {"AWS_ACCESS_KEY_ID", NULL, T_STR},
	[CFG_AWS_SECRET_ACCESS_KEY] = {"AWS_SECRET_ACCESS_KEY", NULL, T_STR, .secret = 1},
	[CFG_OUTPUT_DIR] = {"OUTPUT_DIR", JOBQ_LOCALSTATEDIR "/lib/jobq/output", T_STR},
};

const char *
config_name(enum cfg_key k)
{
	return keys[k].name;
}

int
config_is_secret(enum cfg_key k)
{
	return keys[k].secret;
}

int
config_lookup(const char *name)
{
	for (int k = 0; k < CFG_NKEYS; k++)
		if (strcmp(keys[k].name, name) == 0)
			return k;
	return -1;
}

static int
parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"1", "true", "yes", "on"};
	static const char *const no[] = {"0", "false", "no", "off"};

	if (s == NULL)
		return -1;
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

static int
parse_int(const char *s, long long min, long long max, long long *out)
{
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
choice_ok(const char *choices, const char *v)
{
	size_t n = strlen(v);

	for (const char *p = choices; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, v, n) == 0)
			return 1;
		p += len + (bar != NULL);
	}
	return 0;
}

/* Checks one value; on failure writes a message naming the key. */
static int
check_value(enum cfg_key k, const char *v, char *err, size_t errsz)
{
	const struct cfg_entry *e = &keys[k];
	long long i;
	int b;

	switch (e->type) {
	case T_INT:
		if (parse_int(v, e->min, e->max, &i) < 0) {
			snprintf(err, errsz, "%s: expected an integer from %lld to %lld",
			    e->name, e->min, e->max);
			return -1;
		}
		break;
	case T_BOOL:
		if (parse_bool(v, &b) < 0) {
			snprintf(err, errsz, "%s: expected true or false", e->name);
			return -1;
		}
		break;
	case T_ENUM:
		if (!choice_ok(e->choices, v)) {
			snprintf(err, errsz, "%s: expected one of %s", e->name, e->choices);
			return -1;
		}
		break;
	case T_STR:
		break;
	}
	return 0;
}

int
config_set(struct config *c, enum cfg_key k, const char *value, char *err,
    size_t errsz)
{
	if (check_value(k, value, err, errsz) < 0)
		return -1;
	char *dup = strdup(value);
	if (dup == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	free(c->val[k]);
	c->val[k] = dup;
	return 0;
}

static char *
trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static int
load_file(struct config *c, const char *file, char *err, size_t errsz)
{
	FILE *f = fopen(file, "re");
	char line[8192];
	int lineno = 0, rc = -1, has_secret = 0;
	struct stat st;

	if (f == NULL) {
		snprintf(err, errsz, "--config %s: %s", file, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errsz, "%s:%d: line too long", file, lineno);
			goto out;
		}
		char *s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if (strncmp(s, "export ", 7) == 0)
			s = trim(s + 7);
		char *eq = strchr(s, '=');
		if (eq == NULL) {
			snprintf(err, errsz, "%s:%d: expected KEY=value", file, lineno);
			goto out;
		}
		*eq = '\0';
		char *name = trim(s), *v = trim(eq + 1);
		size_t vn = strlen(v);
		if (vn >= 2 && (v[0] == '"' || v[0] == '\'') && v[vn - 1] == v[0]) {
			v[vn - 1] = '\0';
			v++;
		}
		int k = config_lookup(name);
		if (k < 0) {
			snprintf(err, errsz, "%s:%d: unknown key %.64s", file, lineno, name);
			goto out;
		}
		if (config_set(c, (enum cfg_key)k, v, err, errsz) < 0)
			goto out;
		if (keys[k].secret && *v != '\0')
			has_secret = 1;
	}
	if (ferror(f)) {
		snprintf(err, errsz, "--config %s: read error", file);
		goto out;
	}
	if (has_secret && fstat(fileno(f), &st) == 0 && (st.st_mode & S_IROTH))
		c->secret_file_readable = 1;
	rc = 0;
out:
	fclose(f);
	return rc;
}

int
config_load(struct config *c, const char *file, char *err, size_t errsz)
{
	if (file != NULL && load_file(c, file, err, errsz) < 0)
		return -1;
	for (int k = 0; k < CFG_NKEYS; k++) {
		const char *v = getenv(keys[k].name);
		/* An empty variable counts as unset, as in systemd files. */
		if (v != NULL && *v != '\0' && config_set(c, (enum cfg_key)k, v, err, errsz) < 0)
			return -1;
	}
	return 0;
}

int
config_validate(const struct config *c, char *err, size_t errsz)
{
	for (int k = 0; k < CFG_NKEYS; k++)
		if (c->val[k] != NULL &&
		    check_value((enum cfg_key)k, c->val[k], err, errsz) < 0)
			return -1;
	if (config_int(c, CFG_BACKOFF_MAX_MS) < config_int(c, CFG_BACKOFF_BASE_MS)) {
		snprintf(err, errsz, "JOBQ_BACKOFF_MAX_MS: must not be below JOBQ_BACKOFF_BASE_MS");
		return -1;
	}
	return 0;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (int k = 0; k < CFG_NKEYS; k++) {
		free(c->val[k]);
		c->val[k] = NULL;
	}
}

const char *
config_str(const struct config *c, enum cfg_key k)
{
	const char *v = c->val[k] ? c->val[k] : keys[k].def;
	return (v != NULL && *v == '\0' && keys[k].def == NULL) ? NULL : v;
}

long long
config_int(const struct config *c, enum cfg_key k)
{
	long long v = 0;

	if (parse_int(config_str(c, k), keys[k].min, keys[k].max, &v) < 0)
		parse_int(keys[k].def, keys[k].min, keys[k].max, &v);
	return v;
}

int
config_bool(const struct config *c, enum cfg_key k)
{
	int b = 0;

	if (parse_bool(config_str(c, k), &b) < 0)
		parse_bool(keys[k].def, &b);
	return b;
}

int
config_list_has(const char *list, const char *item)
{
	size_t n = strlen(item);

	if (list == NULL)
		return 0;
	for (const char *p = list; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *end = p;
		while (*end && *end != ',')
			end++;
		const char *last = end;
		while (last > p && last[-1] == ' ')
			last--;
		if ((size_t)(last - p) == n && n > 0 && strncmp(p, item, n) == 0)
			return 1;
		p = end;
	}
	return 0;
}
