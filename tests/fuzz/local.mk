# tests/fuzz: libFuzzer targets, one per parser of untrusted input.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="config time"]
#       builds each target with clang -fsanitize=fuzzer,address,undefined
#       and runs it from its seed corpus; a crash is kept under
#       fuzz-crashes/TARGET/ in the build folder: copy it into
#       tests/fuzz/regress/TARGET/ and make check replays it for ever.
#
# A target X is tests/fuzz/fuzz_X.c (defining LLVMFuzzerTestOneInput) with
# seeds in tests/fuzz/corpus/X/.  To add one: a line in FUZZ_TARGETS, a
# replay program below, its corpus.
FUZZ_TARGETS = config time cursor payload text openai route jobtext
FUZZ_SECONDS = 60
# Everything a target may call, compiled once more with coverage.
FUZZ_SRCS = $(filter %.c,$(libjobq_a_SOURCES) $(libjobqwork_a_SOURCES)) \
	$(FUZZ_FCGI_SRCS)
# The responder without its main(): routes, HTTP helpers, handlers.
FUZZ_FCGI_SRCS = src/fcgi/http.c src/fcgi/routes.c src/fcgi/jobs.c \
	src/fcgi/submit.c src/fcgi/commit.c src/common/cli.c

fuzz:
	@FUZZ_TARGETS='$(FUZZ_TARGETS)' FUZZ_SECONDS='$(FUZZ_SECONDS)' \
	FUZZ_SRCS='$(FUZZ_SRCS)' srcdir='$(abs_top_srcdir)' \
	FUZZ_CFLAGS='-include $(abs_top_builddir)/autoconf.h -I$(abs_top_srcdir)/src -I$(abs_top_srcdir) -I$(abs_top_builddir) $(SQLITE_CFLAGS) $(JSONC_CFLAGS) $(CURL_CFLAGS) $(FCGI_CFLAGS)' \
	FUZZ_LIBS='$(SQLITE_LIBS) $(JSONC_LIBS) $(CURL_LIBS) $(FCGI_LIBS) -lm -pthread' \
	$(SHELL) $(abs_top_srcdir)/tests/fuzz/run.sh
.PHONY: fuzz

REPLAY_SRCS = tests/fuzz/replay.c tests/fuzz/fuzz.h
check_PROGRAMS += tests/fuzz/replay_config tests/fuzz/replay_time tests/fuzz/replay_cursor
tests_fuzz_replay_config_SOURCES = tests/fuzz/fuzz_config.c $(REPLAY_SRCS)
tests_fuzz_replay_config_LDADD = $(JOBQ_LIBS)
tests_fuzz_replay_time_SOURCES = tests/fuzz/fuzz_time.c $(REPLAY_SRCS)
tests_fuzz_replay_time_LDADD = $(JOBQ_LIBS)
tests_fuzz_replay_cursor_SOURCES = tests/fuzz/fuzz_cursor.c $(REPLAY_SRCS)
tests_fuzz_replay_cursor_LDADD = $(JOBQ_LIBS)

check_PROGRAMS += tests/fuzz/replay_payload tests/fuzz/replay_text tests/fuzz/replay_openai
tests_fuzz_replay_payload_SOURCES = tests/fuzz/fuzz_payload.c $(REPLAY_SRCS)
tests_fuzz_replay_payload_LDADD = $(WORK_LIBS)
tests_fuzz_replay_text_SOURCES = tests/fuzz/fuzz_text.c $(REPLAY_SRCS)
tests_fuzz_replay_text_LDADD = $(WORK_LIBS)
tests_fuzz_replay_openai_SOURCES = tests/fuzz/fuzz_openai.c $(REPLAY_SRCS)
tests_fuzz_replay_openai_LDADD = $(WORK_LIBS)

check_PROGRAMS += tests/fuzz/replay_jobtext
tests_fuzz_replay_jobtext_SOURCES = tests/fuzz/fuzz_jobtext.c $(REPLAY_SRCS)
tests_fuzz_replay_jobtext_LDADD = $(JOBQ_LIBS)

check_PROGRAMS += tests/fuzz/replay_route
tests_fuzz_replay_route_SOURCES = tests/fuzz/fuzz_route.c $(REPLAY_SRCS) $(FUZZ_FCGI_SRCS)
tests_fuzz_replay_route_LDADD = $(WORK_LIBS) $(FCGI_LIBS)

TESTS += tests/fuzz/replay.sh
EXTRA_DIST += tests/fuzz/replay.sh tests/fuzz/run.sh tests/fuzz/corpus tests/fuzz/regress
