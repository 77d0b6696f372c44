# bench/queue.mk: claim+complete through libjobq against raw SQLite.
noinst_PROGRAMS += bench/queue/bench_queue
bench_queue_bench_queue_SOURCES = bench/queue/bench_queue.c
bench_queue_bench_queue_LDADD = $(JOBQ_LIBS)

bench-queue: bench/queue/bench_queue
	bench/queue/bench_queue
.PHONY: bench-queue
