/*
 * cli.c -- the shared command line (see cli.h).
 */
#include "common/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

const char *cli_prog = "jobq";

void
cli_die(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void
usage(const char *synopsis, const struct cli_opt *opts)
{
	printf("usage: %s %s\n\noptions:\n", cli_prog, synopsis);
	printf("  %-28s %s\n", "--config FILE", "read KEY=value settings (the environment wins)");
	for (const struct cli_opt *o = opts; o && o->name; o++) {
		char left[64];
		snprintf(left, sizeof(left), "%s%s%s", o->name, o->arg ? " " : "",
		    o->arg ? o->arg : "");
		if (o->key >= 0)
			printf("  %-28s %s (%s)\n", left, o->help, config_name(o->key));
		else
			printf("  %-28s %s\n", left, o->help);
	}
	printf("  %-28s %s\n  %-28s %s\n", "--help", "show this help",
	    "--version", "show the version");
	printf("\nConfiguration keys are read from the environment; see the README.\n");
}

int
cli_parse(int argc, char **argv, const char *synopsis,
    const struct cli_opt *opts, struct config *cfg)
{
	const char *config_file = NULL, *p;
	struct { int key; const char *v; } sets[64];
	int nsets = 0, nrest = 0, dashdash = 0;
	char err[CONFIG_ERR_SIZE];

	if (argv[0] && (p = strrchr(argv[0], '/')) != NULL)
		cli_prog = p + 1;
	else if (argv[0])
		cli_prog = argv[0];
	for (int i = 1; i < argc; i++) {
		char *a = argv[i], *val = NULL;
		const struct cli_opt *o = NULL;
		size_t len;

		if (dashdash || a[0] != '-' || strcmp(a, "-") == 0) {
			argv[1 + nrest++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dashdash = 1;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(synopsis, opts);
			exit(0);
		}
		if (strcmp(a, "--version") == 0) {
			printf("%s (jobq) %s\n", cli_prog, PACKAGE_VERSION);
			exit(0);
		}
		len = (p = strchr(a, '=')) ? (size_t)(p - a) : strlen(a);
		if (p)
			val = (char *)p + 1;
		if (strncmp(a, "--config", len) == 0 && len == 8) {
			if (!val && (val = i + 1 < argc ? argv[++i] : NULL) == NULL)
				cli_die(2, "--config needs a file");
			config_file = val;
			continue;
		}
		for (const struct cli_opt *c = opts; c && c->name; c++)
			if (strlen(c->name) == len && strncmp(c->name, a, len) == 0)
				o = c;
		if (o == NULL)
			cli_die(2, "unknown option %.*s (try --help)", (int)len, a);
		if (o->key < 0 && o->value == NULL) {
			if (val)
				cli_die(2, "%s takes no value", o->name);
			*o->flag = 1;
			continue;
		}
		if (!val && (val = i + 1 < argc ? argv[++i] : NULL) == NULL)
			cli_die(2, "%s needs a value", o->name);
		if (o->key < 0) {
			*o->value = val;
		} else if (nsets < (int)(sizeof(sets) / sizeof(sets[0]))) {
			sets[nsets].key = o->key;
			sets[nsets++].v = val;
		}
	}
	argv[1 + nrest] = NULL;
	if (config_load(cfg, config_file, err, sizeof(err)) < 0)
		cli_die(2, "%s", err);
	for (int i = 0; i < nsets; i++)
		if (config_set(cfg, sets[i].key, sets[i].v, err, sizeof(err)) < 0)
			cli_die(2, "%s", err);
	if (config_validate(cfg, err, sizeof(err)) < 0)
		cli_die(2, "%s", err);
	if (cfg->secret_file_readable)
		fprintf(stderr, "%s: warning: %s holds a secret and is readable by"
		    " every user; chmod o-r it\n", cli_prog, config_file);
	return nrest;
}

void
cli_queue_options(const struct config *cfg, struct jobq_options *o)
{
	memset(o, 0, sizeof(*o));
	o->path = config_str(cfg, CFG_DB);
	o->synchronous = strcmp(config_str(cfg, CFG_SYNCHRONOUS), "normal") == 0 ?
	    JOBQ_SYNC_NORMAL : JOBQ_SYNC_FULL;
	o->busy_timeout_ms = (int)config_int(cfg, CFG_BUSY_TIMEOUT_MS);
	o->default_max_attempts = (int)config_int(cfg, CFG_MAX_ATTEMPTS);
	o->backoff_base_ms = config_int(cfg, CFG_BACKOFF_BASE_MS);
	o->backoff_max_ms = config_int(cfg, CFG_BACKOFF_MAX_MS);
}

jobq *
cli_open_queue(const struct config *cfg)
{
	struct jobq_options o;
	jobq *q;
	int err;

	cli_queue_options(cfg, &o);
	if ((err = jobq_open(&o, &q)) != JOBQ_OK) {
		const char *m = q ? jobq_errmsg(q) : jobq_strerror(err);
		fprintf(stderr, "%s: %s: %s\n", cli_prog, o.path, m);
		jobq_close(q);
		exit(1);
	}
	return q;
}
