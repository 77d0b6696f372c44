# tests/worker/helpers.sh -- sourced by the worker tests after tests/lib.sh:
# starting workers in the background and reading jobs back with jobqctl.
export JOBQ_DB="${JOBQ_DB:-$T/jobs.db}"
export JOBQ_TEST_JOBS=1
W="$top_builddir/jobq-worker"
Q="$top_builddir/jobqctl"
WPID=

# worker_start LOGNAME [args...]: starts a worker, its log in $T/LOGNAME.log;
# sets WPID.
worker_start() {
	local name=$1
	shift
	JOBQ_LOG="$T/$name.log" "$W" "$@" 2>>"$T/$name.err" &
	WPID=$!
	track "$WPID"
	# Started once it logged worker_started.
	wait_for 20 grep -q "event=worker_started" "$T/$name.log"
}

# worker_stop PID [SECONDS]: SIGTERM, wait (SIGKILL after SECONDS, default
# 10); sets WRC to the exit status and WSECS to the seconds it took.
worker_stop() {
	local pid=$1 limit=${2:-10} t0
	t0=$(date +%s%N)
	kill -TERM "$pid" 2>/dev/null
	wait_gone "$pid" "$limit" || kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	WRC=$?
	WSECS=$((($(date +%s%N) - t0) / 1000000000))
}

# wait_gone PID SECONDS: until the process exited (a zombie counts as gone).
wait_gone() {
	local pid=$1 i=0
	while kill -0 "$pid" 2>/dev/null && ! grep -qs '^[0-9]* (.*) Z' "/proc/$pid/stat"; do
		i=$((i + 1))
		[ "$i" -ge $(($2 * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}

enq() { "$Q" enqueue "$@"; }

# job ID: the job object as JSON.
job() { "$Q" show "$1" --json; }

# jf ID EXPR: a field of job ID, e.g. jf "$id" 'j["status"]'.
jf() { jget "$(job "$1")" "$2"; }

# wait_status ID STATUS SECONDS
wait_status() { wait_for "$3" sh -c "'$Q' show '$1' --json | grep -q '\"status\":\"$2\"'"; }

# all_jobs: every job as one JSON list (oldest first).
all_jobs() {
	python3 - "$Q" <<'PY'
import json, subprocess, sys
q = sys.argv[1]
out, cursor = [], None
while True:
    cmd = [q, "list", "--json", "--limit", "500"] + (["--cursor", cursor] if cursor else [])
    page = json.loads(subprocess.check_output(cmd))
    out += page["jobs"]
    cursor = page.get("next_cursor")
    if not cursor:
        break
print(json.dumps(out[::-1]))
PY
}

# counts: "queued running succeeded failed canceled"
counts() {
	jget "$("$Q" stats --json)" '" ".join(str(j["counts"][k]) for k in ("queued","running","succeeded","failed","canceled"))'
}
