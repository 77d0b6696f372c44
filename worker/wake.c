/*
 * wake.c -- instant pickup: enqueuers touch the wake file next to the
 * database after each commit that makes work due (jobq_wake_path()); the
 * worker watches the folder with inotify and claims as soon as it changes.
 * Watching the folder, not the file, survives the file being replaced.
 */
#include "worker/worker.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

int
wake_open(const char *wake_path)
{
	char *copy = wake_path ? strdup(wake_path) : NULL;
	int fd;

	if (copy == NULL)
		return -1;        /* no wake file: the poll interval serves */
	if ((fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) >= 0 &&
	    inotify_add_watch(fd, dirname(copy), IN_ATTRIB | IN_CLOSE_WRITE |
	    IN_CREATE | IN_MOVED_TO) < 0) {
		close(fd);
		fd = -1;
	}
	free(copy);
	return fd;
}

int
wake_drain(int fd, const char *wake_path)
{
	const char *base = strrchr(wake_path, '/');
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int hit = 0;
	ssize_t n;

	base = base ? base + 1 : wake_path;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				hit = 1;
			else if (ev->len > 0 && strcmp(ev->name, base) == 0)
				hit = 1;
			p += sizeof(*ev) + ev->len;
		}
	}
	return hit;
}
