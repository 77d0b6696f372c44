# src/content: the generate_amazon_content workflow and the job-type registry.
noinst_LIBRARIES += libjobqwork.a
libjobqwork_a_SOURCES = \
	src/jobtypes.c src/jobtypes.h src/testjobs.c src/testjobs.h \
	src/content/content.h src/content/internal.h src/content/run.h \
	src/content/payload.c src/content/text.c src/content/template.c \
	src/content/openai.c src/content/checkpoint.c src/content/sha256.c \
	src/content/fetch.c src/content/fetch.h \
	src/content/image.c src/content/image.h src/content/publish.c \
	src/content/flatfile.c src/content/generate.c src/content/workflow.c
WORK_LIBS = libjobqwork.a $(JOBQ_LIBS) $(CURL_LIBS)
