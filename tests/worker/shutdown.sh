#!/usr/bin/env bash
# Stopping and recovering: SIGTERM during a long job finishes it within the
# grace period, or hands it back (attempt not counted) for the next worker;
# kill -9 mid-job, restart: the job is taken back at once and succeeds; a
# worker that stops heart-beating (SIGSTOP) loses its job after the lease,
# another worker runs it, and the stale worker's late outcome is refused;
# SIGHUP reopens the log file.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/worker/helpers.sh"

# --- SIGTERM: the job finishes within the grace period ---------------------
id=$(enq test_sleep '{"ms":1500}')
worker_start a --poll-interval 50
wait_status "$id" running 10
worker_stop "$WPID" 15
is "$WRC" 0 "SIGTERM with a job running: exit 0"
is "$(jf "$id" 'j["status"]')" succeeded "the running job finished within the grace period"
is "$(jf "$id" 'j["attempts"]')" 1 "in one attempt"
check "stop logged" grep -q "event=worker_stopping reason=SIGTERM running=1" "$T/a.log"
check "worker row removed" sh -c "'$Q' stats --json | python3 -c 'import json,sys; sys.exit(len(json.load(sys.stdin)[\"workers\"]))'"

# --- SIGTERM: grace too short, the job is handed back -----------------------
id=$(enq test_sleep '{"ms":4000,"cooperative":false}')
JOBQ_SHUTDOWN_GRACE=1 worker_start b
wait_status "$id" running 10
worker_stop "$WPID" 10
is "$WRC" 0 "SIGTERM, grace 1 s: exit 0"
ok "$WSECS -le 4" "stopped after the grace period (${WSECS}s)"
is "$(jf "$id" 'j["status"]')" queued "the unfinished job is back in the queue"
is "$(jf "$id" 'j["attempts"]')" 0 "and the interrupted attempt is not counted"
check "hand-back logged" grep -q "event=job_finished job=$id .*outcome=handed_back" "$T/b.log"
worker_start c
wait_status "$id" succeeded 20
is "$(jf "$id" 'j["status"]')" succeeded "the next worker completed it"
is "$(jf "$id" 'j["attempts"]')" 1 "as attempt 1"
worker_stop "$WPID"

# --- kill -9 mid-job, restart: requeued at once and succeeds ----------------
id=$(enq test_sleep '{"ms":1500}')
worker_start d
wait_status "$id" running 10
kill -KILL "$WPID"
wait "$WPID" 2>/dev/null
is "$(jf "$id" 'j["status"]')" running "after kill -9 the job still shows running"
t0=$(date +%s)
worker_start e
wait_status "$id" succeeded 20
is "$(jf "$id" 'j["status"]')" succeeded "a restarted worker took it back and it succeeded"
ok "$(($(date +%s) - t0)) -lt 20" "without waiting for the 60 s lease"
is "$(jf "$id" 'j["attempts"]')" 2 "the lost run is a recorded attempt"
check "recovery logged" grep -q "event=worker_recovered .*jobs=1" "$T/e.log"
worker_stop "$WPID"

# --- heartbeats keep a job longer than its lease ------------------------------
# Lease 1 s, job 3 s, a second worker watching: the job is never taken over.
export JOBQ_LEASE_SECONDS=1
id=$(enq test_sleep '{"ms":3000,"cooperative":false}')
worker_start h1
wait_status "$id" running 10
h1=$WPID
worker_start h2
wait_status "$id" succeeded 20
is "$(jf "$id" 'j["status"]') $(jf "$id" 'j["attempts"]')" "succeeded 1" "a job three times its lease finished in one attempt (heartbeats renewed it)"
is "$(jf "$id" 'j["worker"]')" "$(hostname):$h1" "on the worker that claimed it"
worker_stop "$WPID"
worker_stop "$h1"
unset JOBQ_LEASE_SECONDS

# --- a stalled worker loses its job after the lease -------------------------
# The job writes no progress, so the stalled worker's only writes are its
# heartbeats; a stop that lands inside one (holding SQLite's write lock,
# which stalls every writer, as any stopped SQLite writer does) is retried.
export JOBQ_LEASE_SECONDS=2 JOBQ_SYNCHRONOUS=normal
id=$(enq test_sleep '{"ms":3000,"cooperative":false}')
worker_start f
wait_status "$id" running 10
stalled=$WPID
for try in 1 2 3 4 5; do
	kill -STOP "$stalled"
	JOBQ_BUSY_TIMEOUT_MS=300 "$Q" enqueue noop '{}' >/dev/null 2>&1 && break
	kill -CONT "$stalled"
	sleep 0.1
done
worker_start g
wait_status "$id" succeeded 20
is "$(jf "$id" 'j["status"]')" succeeded "after the lease another worker ran the job"
ok "$(jf "$id" 'j["attempts"]') -eq 2" "as attempt 2"
is "$(jf "$id" 'j["worker"]')" "$(hostname):$WPID" "the second worker holds the result"
kill -CONT "$stalled"
wait_for 10 grep -q "event=job_lease_lost job=$id" "$T/f.log"
check "the stale worker's late outcome was refused" grep -q "event=job_lease_lost job=$id" "$T/f.log"
is "$(jf "$id" 'j["worker"]')" "$(hostname):$WPID" "and changed nothing"
worker_stop "$stalled"
is "$WRC" 0 "stalled worker exits 0 after SIGCONT + SIGTERM"
unset JOBQ_LEASE_SECONDS JOBQ_SYNCHRONOUS

# --- SIGHUP reopens the log --------------------------------------------------
mv "$T/g.log" "$T/g.log.1"
kill -HUP "$WPID"
wait_for 10 test -f "$T/g.log"
id=$(enq noop '{}')
wait_status "$id" succeeded 10
wait_for 5 grep -q "event=job_finished job=$id" "$T/g.log"
check "after SIGHUP the worker writes to the new log file" grep -q "event=job_finished job=$id" "$T/g.log"
check "and says so" grep -q "event=log_reopened" "$T/g.log"
worker_stop "$WPID"
is "$WRC" 0 "exit 0"
done_testing
