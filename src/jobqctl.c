/*
 * jobqctl.c -- the operator's CLI over the queue database: enqueue, show,
 * list, stats, cancel, retry, prune, migrate, check.  JSON with --json,
 * aligned tables otherwise.  Exit: 0 ok, 1 runtime failure, 2 misuse.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/clock.h"
#include "jobq.h"
#include "jobtypes.h"

#define LINE_MAX_BYTES (16 * 1024 * 1024)

static int opt_json;
static const char *opt_status, *opt_type, *opt_limit, *opt_cursor;
static const char *opt_older, *opt_priority, *opt_run_at, *opt_max_attempts;
static const char *opt_key;

static const struct cli_opt opts[] = {
	{"--json", -1, NULL, &opt_json, NULL, "print JSON"},
	{"--status", -1, &opt_status, NULL, "S", "list: only jobs in status S"},
	{"--type", -1, &opt_type, NULL, "T", "list: only jobs of type T"},
	{"--limit", -1, &opt_limit, NULL, "N", "list: at most N jobs (1-500, default 50)"},
	{"--cursor", -1, &opt_cursor, NULL, "C", "list: the page after cursor C"},
	{"--older-than", -1, &opt_older, NULL, "DURATION", "prune: age such as 30d, 12h"},
	{"--priority", -1, &opt_priority, NULL, "N", "enqueue: priority (higher first)"},
	{"--run-at", -1, &opt_run_at, NULL, "TIME", "enqueue: RFC 3339 time to run at"},
	{"--max-attempts", -1, &opt_max_attempts, NULL, "N", "enqueue: attempt budget"},
	{"--idempotency-key", -1, &opt_key, NULL, "K", "enqueue: key making a repeat a no-op"},
	{"--db", CFG_DB, NULL, NULL, "FILE", "database file"},
	{NULL, 0, NULL, NULL, NULL, NULL},
};

static const char synopsis[] = "[options] COMMAND [ARGS]\n\n"
    "commands:\n"
    "  enqueue TYPE JSON|@FILE|-   add a job (a file or stdin: one payload per line)\n"
    "  show ID                     one job\n"
    "  list                        jobs, newest first (--status, --type, --limit)\n"
    "  stats                       counts, by type, workers\n"
    "  cancel ID                   cancel a queued or running job\n"
    "  retry ID                    requeue a failed or canceled job\n"
    "  prune --older-than DURATION delete finished jobs older than DURATION\n"
    "  migrate                     create or upgrade the schema\n"
    "  check                       integrity and schema version";

static void
print_json(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
}

static int
fail_queue(jobq *q, int err)
{
	fprintf(stderr, "%s: %s\n", cli_prog,
	    *jobq_errmsg(q) ? jobq_errmsg(q) : jobq_strerror(err));
	return 1;
}

static long
int_arg(const char *name, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end || v < min || v > max)
		cli_die(2, "%s: expected an integer from %ld to %ld", name, min, max);
	return v;
}

/* --- tables ------------------------------------------------------------- */
#define TCOLS 8
struct table {
	size_t ncols, nrows, cap;
	char *(*cells)[TCOLS];
};

static void
table_row(struct table *t, const char *const *vals)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = realloc(t->cells, t->cap * sizeof(*t->cells));
		if (t->cells == NULL)
			cli_die(1, "out of memory");
	}
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows][c] = strdup(vals[c] ? vals[c] : "-");
	t->nrows++;
}

static void
table_print(struct table *t)
{
	size_t w[TCOLS] = {0};

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++)
			if (strlen(t->cells[r][c]) > w[c])
				w[c] = strlen(t->cells[r][c]);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			if (c + 1 < t->ncols)
				printf("%-*s  ", (int)w[c], t->cells[r][c]);
			else
				printf("%s\n", t->cells[r][c]);
			free(t->cells[r][c]);
		}
	}
	free(t->cells);
}

/* --- commands ----------------------------------------------------------- */
static int
check_payload(const char *type, const char *text, const struct config *cfg,
    const char *where)
{
	const struct job_type *jt = jobtype_find(type);
	json_object *p, *details;
	int bad;

	if ((p = json_tokener_parse(text)) == NULL ||
	    !json_object_is_type(p, json_type_object)) {
		json_object_put(p);
		cli_die(2, "%s: not a JSON object", where);
	}
	details = json_object_new_array();
	bad = jt->validate(p, cfg, details);
	if (bad) {
		json_object *d = json_object_array_get_idx(details, 0), *f, *m;
		json_object_object_get_ex(d, "field", &f);
		json_object_object_get_ex(d, "message", &m);
		fprintf(stderr, "%s: %s: invalid payload: %s: %s\n", cli_prog, where,
		    json_object_get_string(f), json_object_get_string(m));
	}
	json_object_put(details);
	json_object_put(p);
	return bad;
}

static char *
read_all_lines(FILE *f, size_t *nlines, char ***lines)
{
	char *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;

	*lines = NULL;
	while ((len = getline(&line, &cap, f)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (len > LINE_MAX_BYTES)
			cli_die(2, "line %zu: longer than %d bytes", n + 1, LINE_MAX_BYTES);
		*lines = realloc(*lines, (n + 1) * sizeof(**lines));
		if (*lines == NULL || ((*lines)[n] = strdup(line)) == NULL)
			cli_die(1, "out of memory");
		n++;
	}
	free(line);
	*nlines = n;
	return NULL;
}

static int
cmd_enqueue(jobq *q, const struct config *cfg, int argc, char **argv)
{
	struct jobq_new base = {0}, *v;
	struct jobq_enqueued *out;
	char **lines = NULL, *single[1] = {NULL};
	size_t n = 0;
	int bad = 0, err;

	if (argc != 2)
		cli_die(2, "usage: enqueue TYPE JSON|@FILE|-");
	if (!jobq_type_valid(argv[0]) || jobtype_find(argv[0]) == NULL)
		cli_die(2, "unknown job type %.64s", argv[0]);
	base.type = argv[0];
	if (opt_priority)
		base.priority = (int)int_arg("--priority", opt_priority, -1000000, 1000000);
	if (opt_max_attempts)
		base.max_attempts = (int)int_arg("--max-attempts", opt_max_attempts, 1, 1000);
	if (opt_run_at && clock_parse_rfc3339(opt_run_at, &base.run_at) < 0)
		cli_die(2, "--run-at: expected an RFC 3339 time");
	base.idempotency_key = opt_key;
	if (strcmp(argv[1], "-") == 0) {
		read_all_lines(stdin, &n, &lines);
	} else if (argv[1][0] == '@') {
		FILE *f = fopen(argv[1] + 1, "re");
		if (f == NULL)
			cli_die(1, "%s: %s", argv[1] + 1, strerror(errno));
		read_all_lines(f, &n, &lines);
		fclose(f);
	} else {
		single[0] = argv[1];
		n = 1;
	}
	if (n == 0)
		cli_die(2, "no payloads given");
	if (opt_key && n > 1)
		cli_die(2, "--idempotency-key applies to a single job");
	v = calloc(n, sizeof(*v));
	out = calloc(n, sizeof(*out));
	if (v == NULL || out == NULL)
		cli_die(1, "out of memory");
	for (size_t i = 0; i < n; i++) {
		char where[32];
		v[i] = base;
		v[i].payload = lines ? lines[i] : single[0];
		snprintf(where, sizeof(where), lines ? "line %zu" : "payload", i + 1);
		bad |= check_payload(base.type, v[i].payload, cfg, where);
	}
	if (bad)
		exit(2);
	if ((err = jobq_enqueue_many(q, v, n, out)) != JOBQ_OK)
		return fail_queue(q, err);
	if (opt_json) {
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(a, json_object_new_string(out[i].id));
		json_object *o = json_object_new_object();
		json_object_object_add(o, "ids", a);
		print_json(o);
		json_object_put(o);
	} else {
		for (size_t i = 0; i < n; i++)
			puts(out[i].id);
	}
	for (size_t i = 0; lines && i < n; i++)
		free(lines[i]);
	free(lines);
	free(v);
	free(out);
	return 0;
}

static void
print_job(const struct jobq_job *j)
{
	json_object *o = jobq_job_json(j, 1);

	if (opt_json) {
		print_json(o);
	} else {
		struct table t = {.ncols = 2};
		json_object_object_foreach(o, key, val) {
			const char *row[2] = {key, val ? json_object_to_json_string_ext(val,
			    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : "null"};
			if (val && json_object_is_type(val, json_type_string))
				row[1] = json_object_get_string(val);
			table_row(&t, row);
		}
		table_print(&t);
	}
	json_object_put(o);
}

static int
need_id(int argc, char **argv, const char *cmd)
{
	if (argc != 1)
		cli_die(2, "usage: %s ID", cmd);
	if (!jobq_id_valid(argv[0]))
		cli_die(2, "%s: not a job id", cmd);
	return 0;
}

static int
cmd_show(jobq *q, int argc, char **argv)
{
	struct jobq_job j;
	int err;

	need_id(argc, argv, "show");
	if ((err = jobq_get(q, argv[0], &j)) != JOBQ_OK)
		return fail_queue(q, err);
	print_job(&j);
	jobq_job_clear(&j);
	return 0;
}

static int
cmd_change(jobq *q, int argc, char **argv, const char *cmd,
    int (*fn)(jobq *, const char *, struct jobq_job *))
{
	struct jobq_job j;
	int err;

	need_id(argc, argv, cmd);
	if ((err = fn(q, argv[0], &j)) != JOBQ_OK)
		return fail_queue(q, err);
	if (opt_json)
		print_job(&j);
	else
		printf("%s %s\n", j.id, j.cancel_requested && j.status == JOBQ_RUNNING ?
		    "cancel requested" : jobq_status_name(j.status));
	jobq_job_clear(&j);
	return 0;
}

static int
cmd_list(jobq *q, int argc)
{
	struct jobq_filter f = {.status = -1};
	struct jobq_job *jobs;
	char next[JOBQ_CURSOR_SIZE], ts[CLOCK_RFC3339_SIZE], prog[8], att[16];
	size_t n;
	int err;

	if (argc != 0)
		cli_die(2, "usage: list [--status S] [--type T] [--limit N]");
	if (opt_status && (f.status = jobq_status_parse(opt_status)) < 0)
		cli_die(2, "--status: expected queued, running, succeeded, failed or canceled");
	f.type = opt_type;
	if (opt_limit)
		f.limit = (int)int_arg("--limit", opt_limit, 1, 500);
	f.cursor = opt_cursor;
	if ((err = jobq_list(q, &f, &jobs, &n, next)) != JOBQ_OK)
		return err == JOBQ_ERR_INVALID ? (fail_queue(q, err), 2) : fail_queue(q, err);
	if (opt_json) {
		json_object *o = json_object_new_object(), *a = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(a, jobq_job_json(&jobs[i], 0));
		json_object_object_add(o, "jobs", a);
		json_object_object_add(o, "next_cursor", *next ? json_object_new_string(next) : NULL);
		print_json(o);
		json_object_put(o);
	} else {
		struct table t = {.ncols = 7};
		const char *hdr[] = {"ID", "TYPE", "STATUS", "PROGRESS", "ATTEMPTS", "CREATED", "MESSAGE"};
		table_row(&t, hdr);
		for (size_t i = 0; i < n; i++) {
			snprintf(prog, sizeof(prog), "%d%%", jobs[i].progress);
			snprintf(att, sizeof(att), "%d/%d", jobs[i].attempts, jobs[i].max_attempts);
			const char *row[] = {jobs[i].id, jobs[i].type,
			    jobq_status_name(jobs[i].status), prog, att,
			    clock_rfc3339(jobs[i].created_at, ts), jobs[i].progress_message};
			table_row(&t, row);
		}
		table_print(&t);
		if (*next)
			printf("more: --cursor %s\n", next);
	}
	jobq_jobs_free(jobs, n);
	return 0;
}

static int
cmd_stats(jobq *q, const struct config *cfg)
{
	json_object *s, *counts, *by_type, *workers, *age;
	int err, alive;

	if ((err = jobq_stats(q, config_int(cfg, CFG_LEASE_SECONDS) * 1000, &s,
	    &alive)) != JOBQ_OK)
		return fail_queue(q, err);
	if (opt_json) {
		print_json(s);
		json_object_put(s);
		return 0;
	}
	json_object_object_get_ex(s, "counts", &counts);
	json_object_object_get_ex(s, "by_type", &by_type);
	json_object_object_get_ex(s, "workers", &workers);
	json_object_object_get_ex(s, "oldest_queued_age_seconds", &age);
	struct table t = {.ncols = 6};
	const char *hdr[] = {"TYPE", "QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELED"};
	static const char *const st[] = {"queued", "running", "succeeded", "failed", "canceled"};
	char cells[5][24];
	table_row(&t, hdr);
	json_object_object_foreach(by_type, type, per) {
		const char *row[6] = {type};
		for (int i = 0; i < 5; i++) {
			json_object *v;
			snprintf(cells[i], sizeof(cells[i]), "%lld",
			    json_object_object_get_ex(per, st[i], &v) ?
			    (long long)json_object_get_int64(v) : 0LL);
			row[i + 1] = cells[i];
		}
		table_row(&t, row);
	}
	{
		const char *row[6] = {"(all)"};
		for (int i = 0; i < 5; i++) {
			json_object *v;
			json_object_object_get_ex(counts, st[i], &v);
			snprintf(cells[i], sizeof(cells[i]), "%lld", (long long)json_object_get_int64(v));
			row[i + 1] = cells[i];
		}
		table_row(&t, row);
	}
	table_print(&t);
	if (age)
		printf("\noldest queued job due %.1f s ago\n", json_object_get_double(age));
	printf("\nworkers: %zu recorded, %d alive\n", json_object_array_length(workers), alive);
	if (json_object_array_length(workers) > 0) {
		struct table w = {.ncols = 5};
		const char *wh[] = {"ID", "PID", "RUNNING", "LAST SEEN", "ALIVE"};
		table_row(&w, wh);
		for (size_t i = 0; i < json_object_array_length(workers); i++) {
			json_object *x = json_object_array_get_idx(workers, i), *f[5];
			const char *keys[] = {"id", "pid", "running", "last_seen", "alive"};
			const char *row[5];
			for (int k = 0; k < 5; k++) {
				json_object_object_get_ex(x, keys[k], &f[k]);
				row[k] = json_object_get_string(f[k]);
			}
			table_row(&w, row);
		}
		table_print(&w);
	}
	json_object_put(s);
	return 0;
}

static int
cmd_prune(jobq *q, int argc)
{
	int64_t ms;
	int n, err;

	if (argc != 0 || opt_older == NULL)
		cli_die(2, "usage: prune --older-than DURATION");
	if (clock_parse_duration(opt_older, &ms) < 0)
		cli_die(2, "--older-than: expected a duration such as 30d, 12h, 90m");
	if ((err = jobq_prune(q, ms, &n)) != JOBQ_OK)
		return fail_queue(q, err);
	if (opt_json)
		printf("{\"deleted\":%d}\n", n);
	else
		printf("deleted %d finished jobs\n", n);
	return 0;
}

static int
cmd_check(jobq *q)
{
	int err = jobq_check(q), v = jobq_schema_version(q);

	if (opt_json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "ok", json_object_new_boolean(err == JOBQ_OK));
		json_object_object_add(o, "schema_version", json_object_new_int(v));
		json_object_object_add(o, "expected_version", json_object_new_int(JOBQ_SCHEMA_VERSION));
		if (err != JOBQ_OK)
			json_object_object_add(o, "problem", json_object_new_string(jobq_errmsg(q)));
		print_json(o);
		json_object_put(o);
	} else if (err == JOBQ_OK) {
		printf("ok: integrity check passed, schema version %d\n", v);
	} else {
		printf("problem: %s\n", jobq_errmsg(q));
	}
	return err == JOBQ_OK ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct config cfg = {0};
	jobq *q;
	int n, rc;
	const char *cmd;

	n = cli_parse(argc, argv, synopsis, opts, &cfg);
	if (n < 1)
		cli_die(2, "no command given (try --help)");
	cmd = argv[1];
	static const char *const known[] = {"enqueue", "show", "list", "stats",
	    "cancel", "retry", "prune", "migrate", "check", NULL};
	for (rc = 0; known[rc] && strcmp(known[rc], cmd) != 0; rc++)
		;
	if (known[rc] == NULL)
		cli_die(2, "unknown command %.32s (try --help)", cmd);
	q = cli_open_queue(&cfg);
	argc = n - 1;
	argv += 2;
	if (strcmp(cmd, "enqueue") == 0)
		rc = cmd_enqueue(q, &cfg, argc, argv);
	else if (strcmp(cmd, "show") == 0)
		rc = cmd_show(q, argc, argv);
	else if (strcmp(cmd, "list") == 0)
		rc = cmd_list(q, argc);
	else if (strcmp(cmd, "stats") == 0)
		rc = cmd_stats(q, &cfg);
	else if (strcmp(cmd, "cancel") == 0)
		rc = cmd_change(q, argc, argv, "cancel", jobq_cancel);
	else if (strcmp(cmd, "retry") == 0)
		rc = cmd_change(q, argc, argv, "retry", jobq_retry);
	else if (strcmp(cmd, "prune") == 0)
		rc = cmd_prune(q, argc);
	else if (strcmp(cmd, "migrate") == 0) {
		if (opt_json)
			printf("{\"schema_version\":%d}\n", jobq_schema_version(q));
		else
			printf("schema version %d\n", jobq_schema_version(q));
		rc = 0;
	} else
		rc = cmd_check(q);
	jobq_close(q);
	config_free(&cfg);
	return rc;
}
