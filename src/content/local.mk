# src/content: the generate_amazon_content workflow and the job-type registry.
noinst_LIBRARIES += libjobqwork.a
libjobqwork_a_SOURCES = \
	src/jobtypes.c src/jobtypes.h src/testjobs.c src/testjobs.h \
	src/content/content.h src/content/internal.h src/content/run.h \
	src/content/payload.c src/content/text.c src/content/listing.c \
	src/content/template.c \
	src/content/openai.c src/content/checkpoint.c src/content/sha256.c \
	src/content/fetch.c src/content/fetch.h \
	src/content/image.c src/content/image.h src/content/publish.c \
	src/content/flatfile.c src/content/generate.c src/content/workflow.c
WORK_LIBS = libjobqwork.a $(JOBQ_LIBS) $(CURL_LIBS)

# Tests: unit tests of the pure parts, and the workflow driven against the
# loopback stand-ins of tests/stubs (content_driver runs content_run the
# way the worker does, with checkpoints in a file).
CONTENT_TEST_LIBS = $(WORK_LIBS)
check_PROGRAMS += tests/content/test_text tests/content/test_flatfile \
	tests/content/test_payload tests/content/content_driver
tests_content_test_text_SOURCES = tests/content/test_text.c tests/tap.h
tests_content_test_text_LDADD = $(CONTENT_TEST_LIBS)
tests_content_test_flatfile_SOURCES = tests/content/test_flatfile.c tests/tap.h
tests_content_test_flatfile_LDADD = $(CONTENT_TEST_LIBS)
tests_content_test_payload_SOURCES = tests/content/test_payload.c tests/tap.h
tests_content_test_payload_LDADD = $(CONTENT_TEST_LIBS)
tests_content_content_driver_SOURCES = tests/content/content_driver.c
tests_content_content_driver_LDADD = $(CONTENT_TEST_LIBS)
TESTS += tests/content/test_text tests/content/test_flatfile \
	tests/content/test_payload tests/content/provider.sh \
	tests/content/images.sh tests/content/resume.sh \
	tests/content/worker_resume.sh
EXTRA_DIST += tests/stubs/openai_stub.py tests/stubs/s3_stub.py \
	tests/content/lib.sh tests/content/provider.sh tests/content/images.sh \
	tests/content/resume.sh tests/content/worker_resume.sh \
	examples/products.json examples/make_images.py \
	examples/images/mug/front.jpg examples/images/mug/side.png \
	examples/images/lamp/main.jpg examples/images/lamp/detail.png
