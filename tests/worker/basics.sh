#!/usr/bin/env bash
# The worker's everyday behaviour, driven with jobqctl: command line and
# exit codes, instant pickup (well inside the poll interval), delayed jobs
# on time, retries with backoff until max attempts, FIFO order, progress
# while running, bad payloads and missing settings failing once with a clear
# error, --types and unknown types, checkpoints across attempts, secrets
# kept out of the database and logs, and the key=value log format.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/worker/helpers.sh"

# --- command line -------------------------------------------------------------
"$W" --help >"$T/help.txt" 2>&1
is "$?" 0 "--help exits 0"
check "--help lists the worker's flags" grep -q -- "--concurrency" "$T/help.txt"
"$W" --version >/dev/null 2>&1
is "$?" 0 "--version exits 0"
"$W" --bogus >/dev/null 2>&1
is "$?" 2 "unknown flag exits 2"
"$W" --types nosuch >"$T/err.txt" 2>&1
is "$?" 2 "unknown job type in --types exits 2"
check "and names it" grep -q nosuch "$T/err.txt"
"$W" --concurrency 0 >"$T/err.txt" 2>&1
is "$?" 2 "--concurrency 0 exits 2"
check "naming the key" grep -q JOBQ_CONCURRENCY "$T/err.txt"
"$W" --once >/dev/null 2>&1
is "$?" 0 "--once with nothing due exits 0"

# --- instant pickup: the poll interval is 30 s ---------------------------------
worker_start pick --poll-interval 30000
sleep 0.5
max=0
for i in 1 2 3 4 5; do
	id=$(enq noop '{}')
	wait_status "$id" succeeded 10
	w=$(jf "$id" 'j["wait_ms"]')
	[ "$w" -gt "$max" ] && max=$w
	sleep 0.2
done
ok "$max -lt 500" "idle worker picks up new jobs at once (worst wait ${max} ms, poll 30 s)"
# An idle worker folds the write-ahead log back into the database file at
# its next heartbeat (at most 1 s): the file alone has the outcomes.
sleep 1.5
is "$(db_alone "$JOBQ_DB" "select count(*) from jobs where status = 'succeeded'")" 5 \
	"idle worker: the database file itself holds the 5 outcomes (log checkpointed)"

# --- a delayed job starts on time ---------------------------------------------
at=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc)+d.timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]+"Z")')
id=$(enq noop '{}' --run-at "$at")
sleep 1
is "$(jf "$id" 'j["status"]')" queued "delayed job waits for its time"
wait_status "$id" succeeded 10
late=$(jget "$(job "$id")" '__import__("datetime").datetime.fromisoformat(j["started_at"].replace("Z","+00:00")).timestamp()*1000 - __import__("datetime").datetime.fromisoformat(j["run_at"].replace("Z","+00:00")).timestamp()*1000')
ok "$(printf '%.0f' "$late") -ge 0 -a $(printf '%.0f' "$late") -lt 500" "delayed job started on time (${late} ms after run_at, poll 30 s)"

# --- progress is visible while a job runs -------------------------------------
id=$(enq test_sleep '{"ms":2500}')
wait_status "$id" running 10
sleep 1
p=$(jf "$id" 'j["progress"]')
m=$(jf "$id" 'j["progress_message"]')
ok "$p -gt 0 -a $p -lt 100" "progress visible while running ($p%)"
check "progress message visible while running" sh -c "echo '$m' | grep -q 'slept'"
wait_status "$id" succeeded 10
worker_stop "$WPID"

# --- retries with backoff until max attempts ----------------------------------
export JOBQ_BACKOFF_BASE_MS=400
id=$(enq test_fail '{}' --max-attempts 3)
perm=$(enq test_fail '{"permanent":true}' --max-attempts 3)
worker_start retry --poll-interval 30000
wait_status "$id" failed 20
is "$(jf "$id" 'j["attempts"]')" 3 "transient failure retried until max attempts (3)"
check "error kept" sh -c "'$Q' show $id --json | grep -q 'failure on attempt 3'"
is "$(jf "$perm" 'j["attempts"]')" 1 "permanent failure is not retried"
is "$(grep -c "event=job_finished job=$id .*outcome=retry" "$T/retry.log")" 2 "two retries logged"
python3 - "$T/retry.log" "$id" >"$T/gaps.txt" <<'PY'
import datetime, re, sys
ts = []
for line in open(sys.argv[1]):
    if "event=job_started job=" + sys.argv[2] in line:
        t = re.search(r"ts=(\S+)", line).group(1).replace("Z", "+00:00")
        ts.append(datetime.datetime.fromisoformat(t).timestamp() * 1000)
print(" ".join(str(int(b - a)) for a, b in zip(ts, ts[1:])))
PY
read -r g1 g2 <"$T/gaps.txt"
ok "${g1:-0} -ge 300 -a ${g1:-0} -lt 1500 -a ${g2:-0} -ge 600 -a ${g2:-0} -lt 2500" "backoff doubles: ${g1} ms then ${g2} ms (base 400 ms, +-20 %)"
worker_stop "$WPID"
unset JOBQ_BACKOFF_BASE_MS

# --- FIFO order ---------------------------------------------------------------
L="$T/fifo.log"
: >"$T/fifo.ids"
for i in $(seq 1 10); do enq test_sleep "{\"ms\":0,\"log\":\"$L\"}" >>"$T/fifo.ids"; done
"$W" --once 2>/dev/null
is "$(awk '$1=="S"{print $2}' "$L" | tr '\n' ' ')" "$(tr '\n' ' ' <"$T/fifo.ids")" "jobs run in the order they were enqueued"

# --- bad payload and missing settings fail once, clearly -----------------------
mkdir -p "$T/img/mug" "$T/out" "$T/pub"
printf '\x89PNG\r\n\x1a\n0000000000000000' >"$T/img/mug/front.png"
export IMAGE_ROOT="$T/img" OUTPUT_DIR="$T/out" PUBLISH_DIR="$T/pub" PUBLIC_BASE_URL=http://127.0.0.1/img
prod='{"products":[{"sku":"MUG-1","title":"Mug","brand":"Acme","images":["mug/front.png"]}]}'
gone=$(enq generate_amazon_content "$prod")
rm "$T/img/mug/front.png"
nokey=$(CONTENT_PROVIDER=openai enq generate_amazon_content '{"products":[{"sku":"MUG-2","title":"Mug","brand":"Acme"}]}')
CONTENT_PROVIDER=openai "$W" --once 2>"$T/bad.err"
is "$?" 0 "worker survives bad jobs"
is "$(jf "$gone" 'j["status"]') $(jf "$gone" 'j["attempts"]')" "failed 1" "payload whose image vanished fails once"
check "with an error naming the image" sh -c "'$Q' show $gone --json | grep -q 'front.png'"
is "$(jf "$nokey" 'j["status"]') $(jf "$nokey" 'j["attempts"]')" "failed 1" "missing OPENAI_API_KEY fails once"
check "with an error naming the setting" sh -c "'$Q' show $nokey --json | grep -q 'OPENAI_API_KEY'"
unset IMAGE_ROOT OUTPUT_DIR PUBLISH_DIR PUBLIC_BASE_URL

# --- --types, and types this worker does not know ------------------------------
a=$(enq noop '{}')
b=$(enq test_sleep '{"ms":0}')
"$W" --once --types noop 2>/dev/null
is "$(jf "$a" 'j["status"]')/$(jf "$b" 'j["status"]')" "succeeded/queued" "--types noop runs only noop"
JOBQ_TEST_JOBS=0 "$W" --once 2>/dev/null
is "$(jf "$b" 'j["status"]')" queued "a worker without the type leaves the job queued for one that has it"
"$W" --once 2>/dev/null
is "$(jf "$b" 'j["status"]')" succeeded "a worker with the type runs it"

# --- checkpoints survive into the next attempt ----------------------------------
id=$(JOBQ_BACKOFF_BASE_MS=10 enq test_ckpt '{}')
JOBQ_BACKOFF_BASE_MS=10 worker_start ckpt
wait_status "$id" succeeded 10
is "$(jf "$id" 'j["result"]["resumed_from"]')" "attempt 1" "attempt 2 found attempt 1's checkpoint"
worker_stop "$WPID"

# --- secrets never reach the database or the log --------------------------------
export OPENAI_API_KEY=sk-test-0123456789abcdef
id=$(enq test_secret '{}')
"$W" --once 2>"$T/secret.err"
JOBQ_LOG="$T/secret.log" "$W" --once 2>/dev/null
is "$(jf "$id" 'j["status"]')" failed "job quoting the key failed"
check "the key is not in the job's error" sh -c "! '$Q' show $id --json | grep -q 0123456789abcdef"
check "the key is not in the database file" sh -c "! grep -qa 0123456789abcdef '$JOBQ_DB' '$JOBQ_DB-wal'"
check "the key is not in the log" sh -c "! grep -q 0123456789abcdef '$T/secret.err' $T/*.log"
unset OPENAI_API_KEY

# --- log format: one event per line, key=value -----------------------------------
python3 - "$T"/pick.log "$T"/retry.log "$T"/ckpt.log >"$T/logcheck.txt" <<'PY'
import re, sys
pair = r'[a-z_]+=(?:"(?:[^"\\]|\\.)*"|[^\s"]+)'
line_re = re.compile(r'^ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=(info|warn|error|debug) event=[a-z_]+( ' + pair + r')*$')
bad = finished = 0
for f in sys.argv[1:]:
    for line in open(f):
        line = line.rstrip("\n")
        if not line_re.match(line):
            bad += 1
            print("bad:", line)
        if "event=job_finished" in line:
            finished += 1
            for k in ("job=", "type=", "attempt=", "duration_ms=", "outcome="):
                if " " + k not in line:
                    bad += 1
                    print("missing", k, line)
            if "outcome=retry" in line and " error=" not in line:
                bad += 1
print("bad", bad, "finished", finished)
PY
check "every log line is ts=.. level=.. event=.. key=value" grep -q "^bad 0 finished [1-9]" "$T/logcheck.txt"
done_testing
