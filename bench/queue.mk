# bench/queue.mk: library claim+complete benchmark
