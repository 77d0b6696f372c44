#!/usr/bin/env bash
# Isolation: concurrency 4 runs 4 jobs at once and never 5; a job over its
# memory cap, over its timeout, or crashing fails alone (with a clear error)
# while the others finish and the worker lives on; a running job is
# canceled within 5 s, cooperative or not.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/worker/helpers.sh"

# --- concurrency 4: never 5 -------------------------------------------------
L="$T/conc.log"
ids=""
for i in $(seq 1 12); do
	ids="$ids $(enq test_sleep "{\"ms\":700,\"log\":\"$L\"}")"
done
worker_start conc --concurrency 4 --once
wait "$WPID"
is "$?" 0 "--once exits 0 after the due jobs"
peak=$(sort -k4 -n "$L" | awk '$1=="S"{n++} $1=="E"{n--} n>max{max=n} END{print max+0}')
is "$peak" 4 "concurrency 4: at most 4 jobs at once, and 4 were reached"
is "$(grep -c '^E ' "$L")" 12 "all 12 jobs ran to the end"
is "$(counts)" "0 0 12 0 0" "all 12 succeeded"

# --- memory cap, timeout and crash fail alone -------------------------------
export JOBQ_JOB_MEMORY_MB=64 JOBQ_JOB_TIMEOUT=2
L2="$T/iso.log"
hog=$(enq test_alloc '{"mb":400,"hold_ms":3000}' --max-attempts 1)
slow=$(enq test_sleep '{"ms":20000,"cooperative":false}' --max-attempts 1)
crash=$(enq test_crash '{}' --max-attempts 1)
good=""
for i in 1 2 3 4 5 6; do good="$good $(enq test_sleep "{\"ms\":300,\"log\":\"$L2\"}")"; done
worker_start iso --concurrency 4
wait_status "$hog" failed 30
wait_status "$slow" failed 30
wait_status "$crash" failed 30
for id in $good; do wait_status "$id" succeeded 30; done
err=$(jf "$hog" 'j["error"]["code"]')
ok "'$err' = memory_limit -o '$err' = out_of_memory" "memory hog fails with a memory error ($err)"
check "memory error names the cap" sh -c "'$Q' show $hog --json | grep -Eq 'JOBQ_JOB_MEMORY_MB|memory cap'"
is "$(jf "$slow" 'j["error"]["code"]')" timeout "job over JOBQ_JOB_TIMEOUT fails with timeout"
runms=$(jf "$slow" 'j["run_ms"]')
ok "$runms -ge 1900 -a $runms -lt 8000" "timeout stopped it after about 2 s (run_ms=$runms)"
is "$(jf "$crash" 'j["error"]["code"]')" crashed "crashing job fails as crashed"
check "crash error names the signal" sh -c "'$Q' show $crash --json | grep -q 'SIGKILL'"
n=0; for id in $good; do [ "$(jf "$id" 'j["status"]')" = succeeded ] && n=$((n + 1)); done
is "$n" 6 "the six jobs beside them all succeeded"
ok "-d /proc/$WPID" "worker still running"
check "worker logged the deaths" grep -q "event=job_finished job=$hog" "$T/iso.log"

# --- cancel of a running job within 5 s ---------------------------------------
for coop in true false; do
	id=$(enq test_sleep "{\"ms\":60000,\"cooperative\":$coop}")
	wait_status "$id" running 10
	sleep 0.3
	t0=$(date +%s%N)
	"$Q" cancel "$id" >/dev/null
	wait_status "$id" canceled 10
	dt=$((($(date +%s%N) - t0) / 1000000))
	is "$(jf "$id" 'j["status"]')" canceled "cancel of a running job (cooperative=$coop)"
	ok "$dt -lt 5000" "stopped within 5 s (${dt} ms, cooperative=$coop)"
done
# The worker still takes work after all that.
id=$(enq noop '{}')
wait_status "$id" succeeded 10
is "$(jf "$id" 'j["status"]')" succeeded "worker still runs jobs afterwards"
worker_stop "$WPID"
is "$WRC" 0 "SIGTERM: worker exits 0"
done_testing
