# tests: the queue library's unit tests and the harness shared by all tests.
TEST_EXTENSIONS = .sh
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = bash
EXTRA_DIST += tests/lib.sh tests/tap.h tests/utf8.h tests/ci.sh

check_PROGRAMS += tests/unit/test_queue tests/unit/test_common
tests_unit_test_queue_SOURCES = tests/unit/test_queue.c tests/tap.h
tests_unit_test_queue_LDADD = $(JOBQ_LIBS)
tests_unit_test_common_SOURCES = tests/unit/test_common.c tests/tap.h
tests_unit_test_common_LDADD = $(JOBQ_LIBS)
TESTS += tests/unit/test_queue tests/unit/test_common
TESTS += tests/unit/jobqctl.sh
EXTRA_DIST += tests/unit/jobqctl.sh
TESTS += tests/unit/envfile.sh
EXTRA_DIST += tests/unit/envfile.sh deploy/jobq.env
include tests/fuzz/local.mk
include tests/reliability/local.mk
