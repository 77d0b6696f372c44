# bench: benchmarks (never run by make check); each component has a part.
include bench/queue.mk
include bench/fcgi.mk
include bench/worker.mk
include bench/content.mk
