/*
 * fuzz_config.c -- the --config file parser: any bytes as a file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/config.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct config c = {0};
	char err[CONFIG_ERR_SIZE];
	FILE *f;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/jobq-fuzz-config.%d", (int)getpid());
	if ((f = fopen(path, "wb")) == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (config_load(&c, path, err, sizeof(err)) == 0 &&
	    config_validate(&c, err, sizeof(err)) == 0) {
		/* Every typed getter must work on whatever was accepted. */
		for (int k = 0; k < CFG_NKEYS; k++) {
			(void)config_str(&c, k);
			(void)config_int(&c, k);
			(void)config_bool(&c, k);
		}
	}
	config_free(&c);
	unlink(path);
	return 0;
}
