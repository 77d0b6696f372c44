/*
 * cli.h -- the command line shared by jobq-fcgi, jobq-worker and jobqctl:
 * --config FILE, --help, --version, flags that set configuration keys and
 * flags of the program's own; exit 2 with a one-line message on misuse.
 */
#ifndef JOBQ_CLI_H
#define JOBQ_CLI_H

#include "common/config.h"
#include "jobq.h"

struct cli_opt {
	const char *name;        /* "--concurrency" */
	int key;                 /* the cfg_key it sets, or -1 */
	const char **value;      /* key == -1: where the value goes */
	int *flag;               /* key == -1 and value NULL: set to 1, no value */
	const char *arg;         /* name of the value in --help ("N") */
	const char *help;
};

/* Parses argv.  Options may appear anywhere ("--x V" or "--x=V"); other
 * words are moved, in order, to the front of argv + 1, and their count is
 * returned.  Loads the configuration (file, environment, flags) into cfg
 * and validates it.  Prints usage and exits 0 on --help, prints the
 * version and exits 0 on --version, exits 2 on any error. */
int cli_parse(int argc, char **argv, const char *synopsis,
    const struct cli_opt *opts, struct config *cfg);
/* Prints "prog: message" to stderr and exits with status. */
void cli_die(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
/* Fills queue options from the configuration. */
void cli_queue_options(const struct config *cfg, struct jobq_options *o);
/* Opens the queue or exits 1 with a message naming the database. */
jobq *cli_open_queue(const struct config *cfg);
/* The program's name, as set by cli_parse. */
extern const char *cli_prog;

#endif
