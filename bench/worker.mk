# bench/worker.mk: benchmarks of the worker component
