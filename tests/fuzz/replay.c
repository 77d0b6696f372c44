/*
 * replay.c -- runs a fuzz target over files (the seed corpus and the
 * regression inputs of past crashes), one TAP line per file.  A crash or a
 * sanitizer report fails the test.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

static int n;

static void
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;

	if (f == NULL || fstat(fileno(f), &st) < 0) {
		printf("not ok %d - cannot read %s\n", ++n, path);
		if (f)
			fclose(f);
		return;
	}
	buf = malloc((size_t)st.st_size + 1);
	size_t got = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, got);
	free(buf);
	printf("ok %d - %s\n", ++n, path);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		struct dirent *e;

		if (d == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			char path[4096];
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			run_file(path);
		}
		closedir(d);
	}
	printf("1..%d\n", n);
	return n == 0;
}
