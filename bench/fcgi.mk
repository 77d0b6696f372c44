# bench/fcgi.mk: jobq-fcgi against a libfcgi hello-world behind one nginx
# (wrk); build without sanitizers, then: make bench-fcgi
noinst_PROGRAMS += bench/fcgi/hello
bench_fcgi_hello_SOURCES = bench/fcgi/hello.c
bench_fcgi_hello_LDADD = $(FCGI_LIBS)
EXTRA_DIST += bench/fcgi/run.sh bench/fcgi/post.lua

bench-fcgi: jobq-fcgi jobqctl bench/fcgi/hello
	top_srcdir=$(abs_top_srcdir) top_builddir=$(abs_top_builddir) $(SHELL) $(top_srcdir)/bench/fcgi/run.sh
.PHONY: bench-fcgi
