#!/usr/bin/env bash
# The seed's test checklist, end to end: curl -> nginx (the shipped
# nginx/jobq.conf) -> jobq-fcgi -> SQLite -> jobq-worker.
#   sync mode unchanged with the flag off; async answers 202 with an id;
#   queued -> running -> succeeded; progress visible while running; the
#   content job succeeds and writes its flat file; retries until max
#   attempts; kill -9 the worker mid-job, restart, the job requeues and
#   succeeds; FIFO order; bad payload and missing settings fail cleanly,
#   once, with a clear error; list/stats/cancel; instant pickup.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/stack.sh"
export JOBQ_TEST_JOBS=1
command -v nginx >/dev/null || skip_all "nginx not installed"

# http METHOD PATH [BODY]: sets CODE and BODY.
http() {
	local out
	out=$(curl -s -o "$T/body" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
		${3:+--data-binary "$3"} "$BASE_URL$2")
	CODE=$out
	BODY=$(cat "$T/body")
}
get_job() { http GET "/api/jobs/$1"; }
field() { get_job "$1"; jget "$BODY" "$2"; }
wait_field() { # ID EXPR WANT SECONDS
	local i=0
	while [ "$(field "$1" "$2")" != "$3" ]; do
		i=$((i + 1))
		[ "$i" -ge $(($4 * 10)) ] && return 1
		sleep 0.1
	done
}
PRODUCT='{"marketplace":"US","product_type":"home","products":[{"sku":"MUG-001","title":"Stoneware mug","brand":"Acme","features":["11 oz","dishwasher safe"],"keywords":["coffee mug"],"price":"12.99","quantity":10}]}'

# --- sync mode unchanged with the flag off ------------------------------------
ASYNC_JOBS_ENABLED=false stack_nginx_start || { echo "not ok 1 - stack"; exit 1; }
. "$top_srcdir/tests/worker/helpers.sh"
curl -s -D "$T/h" -o "$T/sync" -H 'Content-Type: application/json' --data-binary "$PRODUCT" "$BASE_URL/api/run/content"
check "flag off: /api/run/content answers 200" grep -q "^HTTP/1.1 200" "$T/h"
check "as a text/plain stream" grep -qi "^content-type: text/plain" "$T/h"
check "ending in DONE {result}" sh -c "tail -1 '$T/sync' | grep -q '^DONE {'"
is "$(counts)" "0 0 0 0 0" "flag off: nothing was queued"
stack_stop

# --- async: 202 with an id, queued until a worker runs it ---------------------
ASYNC_JOBS_ENABLED=true stack_nginx_start || { echo "not ok - stack"; exit 1; }
http POST /api/run/content "$PRODUCT"
is "$CODE" 202 "flag on: /api/run/content answers 202"
cid=$(jget "$BODY" 'j["job_id"]')
is "$(jget "$BODY" 'j["status"]')" queued "with status queued"
ok "$(jget "$BODY" 'j["status_url"]') = /api/jobs/$cid" "and its status URL"
sleep 0.5
is "$(field "$cid" 'j["status"]')" queued "no worker: the job waits, queued"

# FIFO: five jobs submitted while no worker runs.
L="$T/fifo.log"
: >"$T/fifo.ids"
for i in 1 2 3 4 5; do
	http POST /api/jobs "{\"type\":\"test_sleep\",\"payload\":{\"ms\":0,\"log\":\"$L\"}}"
	jget "$BODY" 'j["job_id"]' >>"$T/fifo.ids"
done
worker_start w1 --poll-interval 30000
wait_field "$cid" 'j["status"]' succeeded 30
is "$(field "$cid" 'j["status"]')" succeeded "the worker ran the content job"
ff=$(field "$cid" 'j["result"]["flatfile"]')
check "and its flat file exists" test -s "$OUTPUT_DIR/$ff"
wait_for 10 sh -c "[ \$(grep -c '^E ' '$L') -eq 5 ]"
is "$(awk '$1=="S"{print $2}' "$L" | tr '\n' ' ')" "$(tr '\n' ' ' <"$T/fifo.ids")" "jobs ran in submission order (FIFO)"

# --- queued -> running -> succeeded, progress while running -------------------
http POST /api/jobs '{"type":"test_sleep","payload":{"ms":2500}}'
is "$CODE" 202 "POST /api/jobs answers 202"
id=$(jget "$BODY" 'j["job_id"]')
seen=""
prog=0
for i in $(seq 1 100); do
	get_job "$id"
	s=$(jget "$BODY" 'j["status"]')
	case " $seen " in *" $s "*) ;; *) seen="$seen $s" ;; esac
	p=$(jget "$BODY" 'j["progress"]')
	[ "$s" = running ] && [ "$p" -gt 0 ] && [ "$p" -lt 100 ] && prog=$p
	[ "$s" = succeeded ] && break
	sleep 0.1
done
ok "'$seen' = ' running succeeded' -o '$seen' = ' queued running succeeded'" "states seen through the API:$seen"
ok "$prog -gt 0" "progress visible through the API while running ($prog%)"
w=$(field "$id" 'j["wait_ms"]')
ok "$w -lt 500" "idle worker started it at once (wait_ms=$w, poll interval 30 s)"

# --- retries until max attempts ---------------------------------------------
http POST /api/jobs '{"type":"test_fail","payload":{},"max_attempts":3}'
fid=$(jget "$BODY" 'j["job_id"]')
worker_stop "$WPID"
JOBQ_BACKOFF_BASE_MS=100 worker_start w2
wait_field "$fid" 'j["status"]' failed 20
is "$(field "$fid" 'j["attempts"]')" 3 "failing job retried until max_attempts (3), then failed"
is "$(field "$fid" 'j["error"]["message"]')" "failure on attempt 3" "with the last error"

# --- kill -9 mid-job, restart: requeued and succeeds ---------------------------
http POST /api/jobs '{"type":"test_sleep","payload":{"ms":1500}}'
kid=$(jget "$BODY" 'j["job_id"]')
wait_field "$kid" 'j["status"]' running 10
kill -KILL "$WPID"
wait "$WPID" 2>/dev/null
is "$(field "$kid" 'j["status"]')" running "killed worker: the job shows running"
worker_start w3
wait_field "$kid" 'j["status"]' succeeded 20
is "$(field "$kid" 'j["status"]')" succeeded "restarted worker: the job requeued and succeeded"
is "$(field "$kid" 'j["attempts"]')" 2 "the lost run counts as an attempt"

# --- stats and list show the worker and the jobs -----------------------------
http GET /api/jobs/stats
is "$CODE" 200 "stats answers 200"
is "$(jget "$BODY" 'len([w for w in j["workers"] if w["pid"] == '"$WPID"'])')" 1 "stats lists the running worker"
http GET "/api/jobs?status=succeeded&limit=500"
ok "$(jget "$BODY" 'len(j["jobs"])') -ge 8" "list shows the succeeded jobs"

# --- cancel of a running job through the API --------------------------------
http POST /api/jobs '{"type":"test_sleep","payload":{"ms":60000}}'
xid=$(jget "$BODY" 'j["job_id"]')
wait_field "$xid" 'j["status"]' running 10
t0=$(date +%s%N)
http POST "/api/jobs/$xid/cancel"
is "$CODE" 200 "cancel answers 200"
wait_field "$xid" 'j["status"]' canceled 10
dt=$((($(date +%s%N) - t0) / 1000000))
is "$(field "$xid" 'j["status"]')" canceled "running job canceled"
ok "$dt -lt 5000" "within 5 s ($dt ms)"

# --- bad payload: refused at the door; missing settings: fail once -------------
http POST /api/run/content '{"products":[{"sku":"bad sku!","brand":"x"}]}'
is "$CODE" 422 "bad payload answers 422"
ok "'$(jget "$BODY" 'j["error"]["code"]')' = invalid_payload" "with invalid_payload details"
worker_stop "$WPID"
CONTENT_PROVIDER=openai worker_start w4
http POST /api/run/content "$PRODUCT"
nid=$(jget "$BODY" 'j["job_id"]')
wait_field "$nid" 'j["status"]' failed 20
is "$(field "$nid" 'j["attempts"]')" 1 "missing OPENAI_API_KEY: failed once, no retries"
check "with an error naming the setting" sh -c "curl -s '$BASE_URL/api/jobs/$nid' | grep -q OPENAI_API_KEY"
worker_stop "$WPID"
is "$WRC" 0 "worker stops cleanly"
check "no sanitizer report" sh -c "! grep -q 'AddressSanitizer\|runtime error' $T/*.err"
stack_stop
done_testing
