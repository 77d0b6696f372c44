#!/usr/bin/env bash
# deploy/jobq.env documents every configuration key and is accepted as a
# --config file as shipped.
. "$top_srcdir/tests/lib.sh"
env_file="$top_srcdir/deploy/jobq.env"
for key in $(sed -n 's/^| `\([A-Z0-9_]*\)`.*/\1/p' "$top_srcdir/README.md" 2>/dev/null) \
	JOBQ_DB JOBQ_SYNCHRONOUS ASYNC_JOBS_ENABLED ASYNC_JOB_TYPES JOBQ_CONCURRENCY \
	JOBQ_POLL_INTERVAL_MS JOBQ_MAX_ATTEMPTS JOBQ_BACKOFF_BASE_MS JOBQ_BACKOFF_MAX_MS \
	JOBQ_LEASE_SECONDS JOBQ_JOB_TIMEOUT JOBQ_JOB_MEMORY_MB JOBQ_SHUTDOWN_GRACE \
	JOBQ_MAX_BODY_BYTES JOBQ_TRUST_REMOTE_USER JOBQ_LOG CONTENT_PROVIDER OPENAI_API_KEY \
	OPENAI_BASE_URL OPENAI_MODEL CONTENT_PARALLELISM IMAGE_ROOT IMAGE_PUBLISHER \
	PUBLISH_DIR PUBLIC_BASE_URL S3_ENDPOINT S3_BUCKET S3_REGION S3_PUBLIC_BASE_URL \
	AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY OUTPUT_DIR JOBQ_BUSY_TIMEOUT_MS; do
	ok "\"\$(grep -c '^$key=' '$env_file')\" -eq 1" "jobq.env documents $key"
done
sed "s|^JOBQ_DB=.*|JOBQ_DB=$T/jobs.db|" "$env_file" >"$T/jobq.env"
out=$(env -u JOBQ_DB "$top_builddir/jobqctl" --config "$T/jobq.env" migrate 2>&1)
is "$out" "schema version 2" "the shipped file is a valid --config file"
done_testing
