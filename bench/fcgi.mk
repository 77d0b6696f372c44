# bench/fcgi.mk: benchmarks of the fcgi component
