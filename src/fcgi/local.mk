# src/fcgi: jobq-fcgi, the FastCGI responder (issue 3).
sbin_PROGRAMS += jobq-fcgi
jobq_fcgi_SOURCES = \
	src/fcgi/fcgi.h src/fcgi/main.c src/fcgi/http.c src/fcgi/routes.c \
	src/fcgi/jobs.c src/fcgi/submit.c src/fcgi/commit.c \
	src/common/cli.c src/common/cli.h
jobq_fcgi_LDADD = $(WORK_LIBS) $(FCGI_LIBS)
EXTRA_DIST += nginx/jobq.conf nginx/jobq-auth.conf \
	apache/jobq-fcgid.conf apache/jobq-proxy-fcgi.conf tests/stack.sh
