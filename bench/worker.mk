# bench/worker.mk: benchmarks of the worker component (never run by make
# check): throughput against plainjob, pickup latency, idle memory.
noinst_PROGRAMS += bench/worker/pickup
bench_worker_pickup_SOURCES = bench/worker/pickup.c
bench_worker_pickup_LDADD = $(JOBQ_LIBS)
EXTRA_DIST += bench/worker/run.sh bench/worker/plainjob.mjs \
	bench/worker/package.json

bench-worker: jobq-worker jobqctl bench/worker/pickup
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(top_srcdir)/bench/worker/run.sh
.PHONY: bench-worker
