/*
 * priv.h -- least privilege for the daemons: `--user NAME` drops root to
 * that user (uid, primary group, supplementary groups) before any job or
 * request is served, and running as root without it draws a warning.
 */
#ifndef JOBQ_PRIV_H
#define JOBQ_PRIV_H

#include <stddef.h>

/* user NULL: only warns (via log_event) if running as root.  Otherwise,
 * when running as root, switches to user for good and verifies root cannot
 * be regained; when not root, succeeds only if already that user.
 * Returns 0, or -1 with a one-line reason in err. */
int priv_drop(const char *user, char *err, size_t errsz);

#endif
