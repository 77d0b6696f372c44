#!/usr/bin/env bash
# A provider that accepts the connection and then stalls: the attempt is
# stopped by its timeout (JOBQ_JOB_TIMEOUT here), counted, retried with
# backoff and finally failed with a clear error, while the same worker
# keeps running other jobs.
. "$top_srcdir/tests/lib.sh"
python3 "$top_srcdir/tests/reliability/stall_server.py" "$T/port" "$T/conns" &
track $!
wait_for 10 test -s "$T/port"
export JOBQ_DB="$T/jobs.db" OUTPUT_DIR="$T/out" CONTENT_PROVIDER=openai
export OPENAI_API_KEY=sk-test-stall OPENAI_BASE_URL="http://127.0.0.1:$(cat "$T/port")/v1"
export JOBQ_JOB_TIMEOUT=3 JOBQ_MAX_ATTEMPTS=2 JOBQ_BACKOFF_BASE_MS=200 JOBQ_BACKOFF_MAX_MS=400
ctl() { "$top_builddir/jobqctl" "$@"; }
ctl migrate >/dev/null
"$top_builddir/jobq-worker" --concurrency 2 >"$T/worker.log" 2>&1 &
w=$!
track "$w"
stuck=$(ctl enqueue generate_amazon_content '{"products":[{"sku":"HANG-1","title":"Mug","brand":"Acme"}]}')
wait_for 10 test -s "$T/conns"
ok "$? -eq 0" "the provider got the request"
sleep 0.5
t0=$(date +%s%N)
quick=$(ctl enqueue noop '{}')
st() { ctl --json show "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'; }
has_status() { [ "$(st "$1")" = "$2" ]; }
wait_for 5 has_status "$quick" succeeded
ok "$? -eq 0" "another job runs on the same worker while the provider hangs"
ms=$((($(date +%s%N) - t0) / 1000000))
ok "$ms -lt 2500" "and finishes promptly (${ms} ms)"
wait_for 30 has_status "$stuck" failed
ok "$? -eq 0" "the hung job ends failed once its attempts are spent"
j=$(ctl --json show "$stuck")
is "$(jget "$j" 'j["attempts"]')" 2 "after both attempts"
ok "\"\$(jget '$j' 'j[\"error\"][\"message\"]' | grep -ci 'time')\" -ge 1" "with an error that says it timed out: $(jget "$j" 'j["error"]')"
ok "\"\$(wc -l <'$T/conns')\" -ge 2" "the retry reached the provider again"
ok "\"\$(grep -c sk-test-stall '$T/worker.log')\" -eq 0" "the API key is not in the worker's log"
kill -TERM "$w"
wait "$w"
is "$?" 0 "the worker still stops cleanly"
done_testing
