/*
 * testjobs.h -- job types that exist to test the worker: sleeping,
 * failing, crashing, leaking.  All are named "test_*" and registered only
 * when the environment has JOBQ_TEST_JOBS=1; production never sees them.
 */
#ifndef JOBQ_TESTJOBS_H
#define JOBQ_TESTJOBS_H

#include "jobtypes.h"

/* Returns a NULL-terminated list of production followed by the test
 * types (a static table; production must not change). */
const struct job_type *const *testjobs_all(const struct job_type *const *production);

#endif
