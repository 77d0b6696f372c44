/*
 * priv.c -- dropping root (see priv.h).
 */
#include "common/priv.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

int
priv_drop(const char *user, char *err, size_t errsz)
{
	struct passwd *pw;

	if (user == NULL || *user == '\0') {
		if (geteuid() == 0)
			log_event(LOG_LVL_WARN, "running_as_root",
			    "hint=\"start with --user NAME (or User= in systemd)"
			    " so jobs and requests do not run as root\"");
		return 0;
	}
	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errsz, "--user %.64s: no such user", user);
		return -1;
	}
	if (geteuid() != 0) {
		if (geteuid() == pw->pw_uid)
			return 0;
		snprintf(err, errsz, "--user %.64s: only root can switch users", user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errsz, "--user %.64s: refusing to run as root", user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		snprintf(err, errsz, "--user %.64s: %s", user, strerror(errno));
		return -1;
	}
	/* setuid from root is for good; make sure of it. */
	if (setuid(0) == 0 || geteuid() == 0) {
		snprintf(err, errsz, "--user %.64s: root could be regained", user);
		return -1;
	}
	return 0;
}
