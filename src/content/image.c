/*
 * image.c -- reading a product image from under IMAGE_ROOT without ever
 * leaving it, and recognising images by their content.
 *
 * The path is resolved with realpath() and must stay under the resolved
 * root; the file is then opened with O_NOFOLLOW and, where /proc is
 * mounted, the opened descriptor's own path is compared with the resolved
 * one, so a symlink swapped in between the two steps is caught too.
 */
#include "content/image.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *
image_sniff(const unsigned char *b, size_t len, const char **ext)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *mime, *ext;
	} types[] = {
		{"\xff\xd8\xff", 3, "image/jpeg", "jpg"},
		{"\x89PNG\r\n\x1a\n", 8, "image/png", "png"},
		{"GIF87a", 6, "image/gif", "gif"},
		{"GIF89a", 6, "image/gif", "gif"},
		{"II*\0", 4, "image/tiff", "tif"},
		{"MM\0*", 4, "image/tiff", "tif"},
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (len >= types[i].len &&
		    memcmp(b, types[i].magic, types[i].len) == 0) {
			if (ext)
				*ext = types[i].ext;
			return types[i].mime;
		}
	}
	return NULL;
}

static int
under(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (n == 1 && root[0] == '/')
		return path[0] == '/';
	return strncmp(path, root, n) == 0 && path[n] == '/';
}

int
image_load(const char *root, struct image *img, unsigned char **data,
    char *err, size_t errsz)
{
	char *full = NULL, resolved[PATH_MAX], proc[64], actual[PATH_MAX];
	unsigned char *buf = NULL;
	struct stat st;
	int fd = -1, rc = -1;
	ssize_t got;
	size_t off = 0;

	if (data)
		*data = NULL;
	if (img->path[0] == '/') {
		snprintf(err, errsz, "is an absolute path; paths are relative to IMAGE_ROOT");
		goto out;
	}
	if (asprintf(&full, "%s/%s", root, img->path) < 0) {
		full = NULL;
		snprintf(err, errsz, "cannot be read: out of memory");
		goto out;
	}
	if (realpath(full, resolved) == NULL) {
		snprintf(err, errsz, "%s", errno == ENOENT ? "does not exist" :
		    errno == EACCES ? "cannot be read (permission denied)" :
		    "cannot be resolved");
		goto out;
	}
	if (!under(resolved, root)) {
		snprintf(err, errsz, "leaves IMAGE_ROOT (through '..' or a symlink)");
		goto out;
	}
	fd = open(resolved, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errsz, "cannot be opened: %s", strerror(errno));
		goto out;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	got = readlink(proc, actual, sizeof(actual) - 1);
	if (got >= 0) {
		actual[got] = '\0';
		if (strcmp(actual, resolved) != 0) {
			snprintf(err, errsz, "changed while it was opened");
			goto out;
		}
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "is not a regular file");
		goto out;
	}
	if (st.st_size > MAX_IMAGE_BYTES) {
		snprintf(err, errsz, "is %lld bytes, over the 10 MB limit",
		    (long long)st.st_size);
		goto out;
	}
	if (st.st_size == 0) {
		snprintf(err, errsz, "is empty, not an image");
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size)) == NULL) {
		snprintf(err, errsz, "cannot be read: out of memory");
		goto out;
	}
	while (off < (size_t)st.st_size) {
		got = read(fd, buf + off, (size_t)st.st_size - off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			snprintf(err, errsz, "cannot be read: %s",
			    got < 0 ? strerror(errno) : "it shrank");
			goto out;
		}
		off += (size_t)got;
	}
	img->mime = image_sniff(buf, off, &img->ext);
	if (img->mime == NULL) {
		snprintf(err, errsz, "is not a JPEG, PNG, GIF or TIFF image");
		goto out;
	}
	img->size = (long)off;
	sha256_hex(buf, off, img->sha256);
	if (data) {
		*data = buf;
		buf = NULL;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(full);
	return rc;
}
