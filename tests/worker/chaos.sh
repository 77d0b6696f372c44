#!/usr/bin/env bash
# 50 rounds of SIGKILL at random moments while jobs stream in, each job
# appending a line per run to a side-effect log.  At the end every job
# succeeded, none is stuck or lost, and every extra run of a job is a
# recorded retry (a distinct attempt number, never more runs than attempts).
# The lease is left at 60 s, longer than the test waits: jobs come back
# because a restarted worker sees its predecessor's pid is gone.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/worker/helpers.sh"

ROUNDS=${CHAOS_ROUNDS:-50}
L="$T/side.log"
gen() {
	python3 -c "import random,sys
for i in range(int(sys.argv[1])): print('{\"ms\":%d,\"log\":\"%s\"}' % (random.randint(0, 60), sys.argv[2]))" "$1" "$L"
}
gen 150 >"$T/first.txt"
enq test_sleep @"$T/first.txt" --max-attempts 40 >"$T/acked.txt"
is "$(wc -l <"$T/acked.txt")" 150 "150 jobs enqueued up front"

# A producer keeps enqueuing while workers die.
(
	while [ ! -f "$T/stop" ]; do
		gen 3 >"$T/more.txt"
		enq test_sleep @"$T/more.txt" --max-attempts 40 >>"$T/acked.txt" 2>/dev/null
		sleep 0.1
	done
) &
PRODUCER=$!
track "$PRODUCER"

recovered=0
for r in $(seq 1 "$ROUNDS"); do
	JOBQ_LOG="$T/chaos.log" "$W" --concurrency 3 2>>"$T/chaos.err" &
	pid=$!
	sleep "$(python3 -c 'import random; print(random.uniform(0.05, 0.7))')"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
done
touch "$T/stop"
wait "$PRODUCER"

worker_start final --concurrency 4
t0=$(date +%s)
wait_for 45 sh -c "'$Q' stats --json | python3 -c 'import json,sys; c=json.load(sys.stdin)[\"counts\"]; sys.exit(0 if c[\"queued\"]+c[\"running\"]==0 else 1)'"
drain=$(($(date +%s) - t0))
worker_stop "$WPID"
is "$WRC" 0 "final worker exits 0"
ok "$drain -lt 45" "queue drained in ${drain}s, well before the 60 s lease"

all_jobs >"$T/all.json"
python3 - "$T/all.json" "$L" "$T/acked.txt" >"$T/verdict.txt" <<'PY'
import collections, json, sys
jobs = json.load(open(sys.argv[1]))
runs = collections.defaultdict(list)
for line in open(sys.argv[2]):
    kind, jid, att, _ = line.split()
    if kind == "E":
        runs[jid].append(int(att))
acked = [l.strip() for l in open(sys.argv[3]) if l.strip()]
byid = {j["id"]: j for j in jobs}
print("jobs", len(jobs))
print("acked_missing", sum(1 for a in acked if a not in byid))
print("not_succeeded", sum(1 for j in jobs if j["status"] != "succeeded"))
print("never_ran", sum(1 for j in jobs if not runs.get(j["id"])))
bad = 0
for j in jobs:
    r = runs.get(j["id"], [])
    if len(set(r)) != len(r) or (r and max(r) > j["attempts"]) or len(r) > j["attempts"]:
        bad += 1
print("unrecorded_reruns", bad)
print("reruns", sum(len(r) - 1 for r in runs.values() if len(r) > 1))
print("retried_jobs", sum(1 for j in jobs if j["attempts"] > 1))
PY
cat "$T/verdict.txt" | sed 's/^/# /'
v() { awk -v k="$1" '$1==k{print $2}' "$T/verdict.txt"; }
ok "$(v jobs) -ge 150" "all jobs are in the database ($(v jobs))"
is "$(v acked_missing)" 0 "no acknowledged enqueue is lost"
is "$(v not_succeeded)" 0 "every job succeeded (none stuck, none failed)"
is "$(v never_ran)" 0 "every job ran"
is "$(v unrecorded_reruns)" 0 "every double run is a recorded retry"
ok "$(v retried_jobs) -gt 0" "kills did interrupt jobs ($(v retried_jobs) retried)"
n=$(grep -c 'event=worker_recovered.*jobs=[1-9]' "$T/chaos.log" "$T/final.log" | awk -F: '{s+=$2} END{print s+0}')
ok "$n -gt 0" "restarted workers took back their predecessors' jobs at once ($n times)"
check "no sanitizer report" sh -c "! grep -q 'ERROR: AddressSanitizer\|runtime error' '$T/chaos.err' '$T/final.err'"
done_testing
