# src/content: the generate_amazon_content workflow and the job-type registry.
noinst_LIBRARIES += libjobqwork.a
libjobqwork_a_SOURCES = \
	src/jobtypes.c src/jobtypes.h src/testjobs.c src/testjobs.h \
	src/content/content.c src/content/content.h
WORK_LIBS = libjobqwork.a $(JOBQ_LIBS) $(CURL_LIBS)
