# bench/content.mk: the content workflow, 100 products against the OpenAI
# stand-in answering after 200 ms, CONTENT_PARALLELISM=1 vs 8.
EXTRA_DIST += bench/content/run.sh
bench-content: tests/content/content_driver
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	$(SHELL) $(top_srcdir)/bench/content/run.sh
.PHONY: bench-content
