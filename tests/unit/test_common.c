/*
 * test_common.c -- the helpers every program uses: RFC 3339 and duration
 * parsing, UUIDv7 ids, configuration layering and validation, log quoting.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/log.h"
#include "common/priv.h"
#include "common/uuid.h"
#include "jobq.h"
#include "tests/tap.h"

static void
test_clock(void)
{
	char buf[CLOCK_RFC3339_SIZE];
	int64_t ms;

	is_str(clock_rfc3339(0, buf), "1970-01-01T00:00:00.000Z", "epoch formats");
	is_str(clock_rfc3339(1795878245123LL, buf), "2026-11-28T15:04:05.123Z",
	    "a time with milliseconds formats");
	is_str(clock_rfc3339(-1, buf), "1969-12-31T23:59:59.999Z", "before the epoch formats");
	is_str(clock_rfc3339(951782400000LL, buf), "2000-02-29T00:00:00.000Z", "a leap day formats");
	/* The arithmetic formatter agrees with gmtime_r from year 1 to 9999. */
	{
		uint64_t x = 0x9e3779b97f4a7c15ULL;
		int bad = 0;
		for (int i = 0; i < 200000 && !bad; i++) {
			char want[64];
			struct tm tm;
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			int64_t v = -62135596800000LL + (int64_t)(x % 315537897600000ULL);
			time_t secs = (time_t)(v / 1000);
			int frac = (int)(v % 1000);
			if (frac < 0) {
				frac += 1000;
				secs--;
			}
			gmtime_r(&secs, &tm);
			snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
			    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			    tm.tm_min, tm.tm_sec, frac);
			if (strcmp(clock_rfc3339(v, buf), want) != 0) {
				diag("%lld: got %s, want %s", (long long)v, buf, want);
				bad = 1;
			}
		}
		ok(!bad, "200,000 random times from year 1 to 9999 format as gmtime_r does");
	}
	ok(clock_parse_rfc3339("2026-11-28T15:04:05.123Z", &ms) == 0 &&
	    ms == 1795878245123LL, "RFC 3339 with Z parses");
	ok(clock_parse_rfc3339("2026-11-28T16:04:05.123+01:00", &ms) == 0 &&
	    ms == 1795878245123LL, "an offset is applied");
	ok(clock_parse_rfc3339("2026-11-28T15:04:05Z", &ms) == 0 &&
	    ms == 1795878245000LL, "no fraction parses");
	const char *bad[] = {"", "2026-11-28", "2026-13-01T00:00:00Z",
	    "2026-02-30T00:00:00Z", "2026-11-28T25:00:00Z", "2026-11-28T15:04:05",
	    "2026-11-28T15:04:05Zjunk", "1969-12-31T23:59:59Z", "2025-02-29T00:00:00Z",
	    "2026-11-28T15:04:05.Z"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(clock_parse_rfc3339(bad[i], &ms) < 0, "refuses \"%s\"", bad[i]);
	ok(clock_parse_duration("30d", &ms) == 0 && ms == 30LL * 86400000, "30d");
	ok(clock_parse_duration("90", &ms) == 0 && ms == 90000, "bare seconds");
	ok(clock_parse_duration("250ms", &ms) == 0 && ms == 250, "milliseconds");
	ok(clock_parse_duration("12x", &ms) < 0, "unknown unit refused");
	ok(clock_parse_duration("-1d", &ms) < 0, "negative refused");
	ok(clock_parse_duration("99999999999999999999d", &ms) < 0, "overflow refused");
}

static void
test_uuid(void)
{
	char a[37], b[37];

	ok(uuid_v7(1795878245123LL, a) == 0 && uuid_valid(a), "UUIDv7 is well formed");
	ok(a[14] == '7', "version nibble is 7");
	ok(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b', "RFC variant");
	uuid_v7(1795878245124LL, b);
	ok(strcmp(a, b) < 0, "later ids sort later");
	ok(!uuid_valid("01a222c5-d1a3-7c34-9360-66a31814405"), "short id refused");
	ok(!uuid_valid("01a222c5-d1a3-7c34-9360-66a3181440ZZ"), "non-hex refused");
	ok(!uuid_valid("../../../etc/passwd"), "path refused");
}

static void
test_config(void)
{
	struct config c = {0};
	char err[CONFIG_ERR_SIZE], path[] = "/tmp/jobq-cfg-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fprintf(f, "# comment\nJOBQ_CONCURRENCY=3\nJOBQ_POLL_INTERVAL_MS = 250\n"
	    "export JOBQ_LOG=\"/tmp/x.log\"\n\nOPENAI_API_KEY=sk-secret\n");
	fclose(f);
	chmod(path, 0644);
	setenv("JOBQ_POLL_INTERVAL_MS", "125", 1);
	ok(config_load(&c, path, err, sizeof(err)) == 0, "config file loads");
	is_int(config_int(&c, CFG_CONCURRENCY), 3, "file value applies");
	is_int(config_int(&c, CFG_POLL_INTERVAL_MS), 125, "environment wins over the file");
	is_str(config_str(&c, CFG_LOG), "/tmp/x.log", "quotes stripped, export accepted");
	ok(c.secret_file_readable, "a world-readable file with a secret is flagged");
	ok(config_set(&c, CFG_CONCURRENCY, "7", err, sizeof(err)) == 0 &&
	    config_int(&c, CFG_CONCURRENCY) == 7, "a flag wins over both");
	is_int(config_int(&c, CFG_MAX_ATTEMPTS), 3, "defaults apply");
	is_str(config_str(&c, CFG_SYNCHRONOUS), "full", "synchronous defaults to full");
	ok(!config_bool(&c, CFG_ASYNC_JOBS_ENABLED), "async is off by default");
	ok(config_set(&c, CFG_CONCURRENCY, "0", err, sizeof(err)) < 0 &&
	    strstr(err, "JOBQ_CONCURRENCY") != NULL, "out of range names the key");
	ok(config_set(&c, CFG_SYNCHRONOUS, "sometimes", err, sizeof(err)) < 0 &&
	    strstr(err, "JOBQ_SYNCHRONOUS") != NULL, "bad enum names the key");
	ok(config_set(&c, CFG_ASYNC_JOBS_ENABLED, "maybe", err, sizeof(err)) < 0,
	    "bad boolean refused");
	config_free(&c);
	unsetenv("JOBQ_POLL_INTERVAL_MS");

	f = fopen(path, "w");
	fprintf(f, "JOBQ_CONCURENCY=3\n");
	fclose(f);
	ok(config_load(&c, path, err, sizeof(err)) < 0 && strstr(err, "JOBQ_CONCURENCY"),
	    "an unknown key in the file is named");
	config_free(&c);
	f = fopen(path, "w");
	fprintf(f, "just words\n");
	fclose(f);
	ok(config_load(&c, path, err, sizeof(err)) < 0 && strstr(err, ":1:"),
	    "a line without = is refused with its number");
	config_free(&c);
	unlink(path);
	ok(config_list_has("a, generate_amazon_content ,b", "generate_amazon_content"),
	    "comma lists match with spaces");
	ok(!config_list_has("generate_amazon_content_x", "generate_amazon_content"),
	    "comma lists match whole items");
	ok(config_is_secret(CFG_OPENAI_API_KEY) && config_is_secret(CFG_AWS_SECRET_ACCESS_KEY),
	    "secrets are marked");
}

static void
test_log_quote(void)
{
	char buf[64];

	is_str(log_quote("plain", buf, sizeof(buf)), "plain", "plain values stay bare");
	is_str(log_quote("two words", buf, sizeof(buf)), "\"two words\"", "spaces quoted");
	is_str(log_quote("a\"b\nc", buf, sizeof(buf)), "\"a\\\"b\\nc\"", "quote and newline escaped");
	is_str(log_quote("k=v", buf, sizeof(buf)), "\"k=v\"", "= quoted");
	log_quote("a very long value that will not fit in the buffer at all, no", buf, 16);
	ok(strlen(buf) < 16 && buf[strlen(buf) - 1] == '"', "cut values stay quoted");
}

static void
test_priv(void)
{
	char err[256];
	pid_t pid;
	int st;

	ok(priv_drop("no-such-user-jobq", err, sizeof(err)) < 0 && strstr(err, "no such user"),
	    "an unknown --user is refused: %s", err);
	if (geteuid() != 0) {
		ok(1, "# SKIP not root: cannot test dropping privileges");
		return;
	}
	ok(priv_drop("root", err, sizeof(err)) < 0 && strstr(err, "refusing"),
	    "--user root is refused");
	if ((pid = fork()) == 0) {
		char e[256];
		if (priv_drop("nobody", e, sizeof(e)) < 0)
			_exit(2);
		_exit(geteuid() != 0 && getuid() != 0 && getegid() != 0 && setuid(0) < 0 ? 0 : 3);
	}
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "--user nobody drops root for good");
}

int
main(void)
{
	test_priv();
	test_clock();
	test_uuid();
	test_config();
	test_log_quote();
	return done_testing();
}
