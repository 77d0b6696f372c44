# bench/content.mk: benchmarks of the content component
