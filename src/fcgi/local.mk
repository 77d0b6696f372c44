# src/fcgi: jobq-fcgi, the FastCGI responder (issue 3).
sbin_PROGRAMS += jobq-fcgi
jobq_fcgi_SOURCES = \
	src/fcgi/fcgi.h src/fcgi/main.c src/fcgi/http.c src/fcgi/routes.c \
	src/fcgi/jobs.c src/fcgi/submit.c src/fcgi/commit.c \
	src/common/cli.c src/common/cli.h
jobq_fcgi_LDADD = $(WORK_LIBS) $(FCGI_LIBS)
EXTRA_DIST += nginx/jobq.conf nginx/jobq-auth.conf \
	apache/jobq-fcgid.conf apache/jobq-proxy-fcgi.conf tests/stack.sh

# Tests: the API suite behind each web server, the responder on its own
# (signals, sockets, raw FastCGI), and a bounded load test.
check_PROGRAMS += tests/fcgi/jobq_drive
tests_fcgi_jobq_drive_SOURCES = tests/fcgi/jobq_drive.c
tests_fcgi_jobq_drive_LDADD = $(JOBQ_LIBS)
FCGI_TESTS = tests/fcgi/direct.sh tests/fcgi/nginx.sh tests/fcgi/apache_fcgid.sh \
	tests/fcgi/apache_proxy.sh tests/fcgi/load.sh
TESTS += $(FCGI_TESTS)
EXTRA_DIST += $(FCGI_TESTS) tests/fcgi/suite.sh tests/fcgi/badinput.py \
	tests/fcgi/badinput.txt tests/fcgi/stream.py tests/fcgi/fcgi_client.py tests/fcgi/close.py tests/fcgi/load.py
