# worker: jobq-worker, the daemon that runs jobs (issue 4).  The supervisor
# links only libjobq; jobq-runner, the job process it forks and execs, links
# the job types (content workflow, curl).
sbin_PROGRAMS += jobq-worker
jobq_worker_SOURCES = \
	worker/main.c worker/worker.h \
	worker/slot.c worker/finish.c \
	worker/wake.c worker/recover.c \
	worker/proto.c worker/proto.h \
	src/common/cli.c src/common/cli.h
jobq_worker_CPPFLAGS = $(AM_CPPFLAGS) \
	-DJOBQ_RUNNER_PATH='"$(pkglibexecdir)/jobq-runner"'
jobq_worker_LDADD = $(JOBQ_LIBS)

pkglibexec_PROGRAMS = jobq-runner
jobq_runner_SOURCES = worker/runner.c worker/proto.c worker/proto.h
jobq_runner_LDADD = $(WORK_LIBS)

# Tests: shell tests driving the real worker, jobqctl, and (e2e) nginx +
# jobq-fcgi from tests/stack.sh.
TESTS += tests/worker/basics.sh tests/worker/isolation.sh \
	tests/worker/shutdown.sh tests/worker/chaos.sh tests/worker/e2e.sh
EXTRA_DIST += tests/worker/helpers.sh tests/worker/basics.sh \
	tests/worker/isolation.sh tests/worker/shutdown.sh \
	tests/worker/chaos.sh tests/worker/e2e.sh
