# tests/fcgi/direct.sh -- jobq-fcgi on its own, spoken to over raw
# FastCGI (tests/fcgi/fcgi_client.py): SIGTERM with every thread idle in
# accept, SIGTERM during a streamed request, --listen forms, socket mode
# and group, usage errors, Content-Length absent or lying, REMOTE_USER
# trust, and /api/health when the database cannot be read.
. "$top_srcdir/tests/lib.sh"
FCGI="$top_builddir/jobq-fcgi"
CLIENT="$top_srcdir/tests/fcgi/fcgi_client.py"
export JOBQ_DB="$T/db/jobs.db" JOBQ_LOG="$T/fcgi.log"
# Sync runs write flat files and images: keep them in the test folder.
export OUTPUT_DIR="$T/output" PUBLISH_DIR="$T/publish" IMAGE_ROOT="$T/images"
mkdir -p "$T/db"

# start_fcgi ARGS...: starts the responder in the background, sets PID.
start_fcgi() {
	"$FCGI" "$@" 2>>"$T/fcgi.err" &
	PID=$!
	track "$PID"
}
fc() { python3 "$CLIENT" "$@"; }

# --- SIGTERM with 8 threads idle in FCGX_Accept_r ------------------------
start_fcgi --listen "$T/a.sock" --threads 8
wait_for 20 test -S "$T/a.sock"
out=$(fc "$T/a.sock" GET /api/health)
is "$(jget "$out" 'j["status"]')" 200 "health over raw FastCGI"
sleep 0.3
is "$(ls /proc/$PID/task | wc -l)" 11 "8 request threads + committer + answerer + main"
t0=$(date +%s%N)
kill -TERM "$PID"
wait "$PID"
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$rc" 0 "SIGTERM with idle threads: exit status 0"
ok "$ms -lt 5000" "SIGTERM with 8 idle threads: exited in ${ms} ms (< 5000)"
ok "! -e $T/a.sock" "the unix socket is removed on exit"

# --- SIGINT too, and on a TCP listener -----------------------------------
port=$(free_port)
start_fcgi --listen "127.0.0.1:$port" --threads 4
wait_for 20 fc "127.0.0.1:$port" GET /api/health
out=$(fc "127.0.0.1:$port" GET /api/health)
is "$(jget "$out" 'j["status"]')" 200 "--listen 127.0.0.1:PORT serves"
ok "-n \"$(ss -ltnH "sport = :$port" | grep "127.0.0.1:$port")\"" "bound to 127.0.0.1 only"
t0=$(date +%s%N)
kill -INT "$PID"
wait "$PID"
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ok "$rc -eq 0 -a $ms -lt 5000" "SIGINT: exit 0 in ${ms} ms"
port=$(free_port)
start_fcgi --listen ":$port" --threads 2
wait_for 20 fc "127.0.0.1:$port" GET /api/health
ok "-n \"$(ss -ltnH "sport = :$port" | grep "127.0.0.1:$port")\"" "--listen :PORT binds loopback, not every interface"
kill -TERM "$PID"; wait "$PID"

# --- a request in flight finishes after SIGTERM ------------------------------
JOBQ_TEST_JOBS=1 JOBQ_TEST_PROGRESS_DELAY_MS=250 start_fcgi --listen "$T/b.sock" --threads 4
wait_for 20 test -S "$T/b.sock"
out=$(python3 - "$T/b.sock" "$PID" "$CLIENT" <<'PY'
import json, os, signal, sys, time
sys.path.insert(0, os.path.dirname(sys.argv[3]))
import fcgi_client
sock, pid = sys.argv[1], int(sys.argv[2])
body = json.dumps({"products": [{"sku": "S%d" % i, "title": "t", "brand": "b"} for i in range(3)]}).encode()
state = {"sent": None}
def on_line(buf):
    if state["sent"] is None and buf.count(b"PROGRESS") >= 1:
        os.kill(pid, signal.SIGTERM)
        state["sent"] = time.monotonic()
r = fcgi_client.request(sock, "POST", "/api/run/content", body, on_line=on_line)
lines = r["body"].splitlines()
# a new connection after the signal is refused
try:
    fcgi_client.request(sock, "GET", "/api/health")
    refused = False
except OSError:
    refused = True
print(json.dumps({"status": r["status"], "last": lines[-1][:4] if lines else "",
                  "signalled": state["sent"] is not None,
                  "ran_after_signal_ms": round((time.monotonic() - state["sent"]) * 1000) if state["sent"] else 0,
                  "refused": refused}))
PY
)
echo "# $out"
is "$(jget "$out" '[j["status"], j["signalled"], j["last"]]')" '[200, true, "DONE"]' \
	"SIGTERM during a sync stream: the stream still ends with DONE"
ok "$(jget "$out" 'j["ran_after_signal_ms"]') -ge 500" "the request kept running after the signal"
is "$(jget "$out" 'j["refused"]')" true "no new connection is accepted once stopping"
wait "$PID"
is "$?" 0 "and the responder exits 0 after it"

# --- socket mode and group ------------------------------------------------------
start_fcgi --listen "$T/c.sock" --threads 1
wait_for 20 test -S "$T/c.sock"
is "$(stat -c %a "$T/c.sock")" 660 "socket mode 0660 by default"
kill -TERM "$PID"; wait "$PID"
grp=$(id -gn)
[ "$(id -u)" -eq 0 ] && grp=www-data
start_fcgi --listen "$T/d.sock" --threads 1 --socket-mode 0600 --socket-group "$grp"
wait_for 20 test -S "$T/d.sock"
is "$(stat -c '%a %G' "$T/d.sock")" "600 $grp" "--socket-mode and --socket-group"
# a second responder on the same live socket refuses to start
"$FCGI" --listen "$T/d.sock" --threads 1 </dev/null >/dev/null 2>&1
is "$?" 1 "a socket in use by a live responder: exit 1"
kill -TERM "$PID"; wait "$PID"

# --- usage errors exit 2 ---------------------------------------------------------------
for args in "--threads 0 --listen $T/e.sock" "--threads x --listen $T/e.sock" \
	"--listen 127.0.0.1:99999" "--listen nohost" "--socket-mode 999 --listen $T/e.sock" \
	"--bogus" "--listen"; do
	# shellcheck disable=SC2086
	"$FCGI" $args </dev/null >/dev/null 2>"$T/usage.err"
	is "$?" 2 "usage error exits 2: $args"
done
"$FCGI" </dev/null >/dev/null 2>"$T/usage.err"
is "$?" 2 "fd 0 not a socket and no --listen: exit 2"
ok "-n \"$(grep -- --listen "$T/usage.err")\"" "the message says what to do"
JOBQ_MAX_BODY_BYTES=abc "$FCGI" --listen "$T/e.sock" </dev/null >/dev/null 2>"$T/usage.err"
is "$?" 2 "bad configuration value exits 2"
ok "-n \"$(grep JOBQ_MAX_BODY_BYTES "$T/usage.err")\"" "the message names the key"

# --- bodies: Content-Length absent or lying ------------------------------------------
JOBQ_MAX_BODY_BYTES=100000 start_fcgi --listen "$T/f.sock" --threads 2
wait_for 20 test -S "$T/f.sock"
before=$(jobqctl --json stats | jget "$(cat)" 'j["total"]' 2>/dev/null || true)
python3 -c 'import json; print(json.dumps({"type":"noop","payload":{"s":"x"*150000}}))' >"$T/big"
printf '{"type":"noop","payload":{}}' >"$T/small"
out=$(fc "$T/f.sock" POST /api/jobs --body "$T/big" --cl none)
is "$(jget "$out" '[j["status"], json.loads(j["body"])["error"]["code"]]')" '[413, "body_too_large"]' \
	"no Content-Length, body over the limit: 413"
out=$(fc "$T/f.sock" POST /api/jobs --body "$T/big" --cl 30)
is "$(jget "$out" 'j["status"]')" 413 "Content-Length says 30, body is 150 kB: 413"
out=$(fc "$T/f.sock" POST /api/jobs --body "$T/small" --cl 999999999)
is "$(jget "$out" 'j["status"]')" 413 "Content-Length over the limit: 413 at once"
out=$(fc "$T/f.sock" POST /api/jobs --body "$T/small" --cl none)
is "$(jget "$out" 'j["status"]')" 202 "no Content-Length, small body: accepted"
out=$(fc "$T/f.sock" POST /api/jobs --body "$T/small" --cl 12abc)
is "$(jget "$out" 'j["status"]')" 400 "malformed Content-Length: 400"
is "$(jobqctl --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')" 1 \
	"only the accepted job was written"
# REMOTE_USER is not trusted by default
out=$(fc "$T/f.sock" POST /api/jobs --body "$T/small" --param REMOTE_USER=mallory)
id=$(jget "$(jget "$out" 'j["body"]')" 'j["job_id"]')
out=$(fc "$T/f.sock" GET "/api/jobs/$id")
is "$(jget "$(jget "$out" 'j["body"]')" 'j["submitted_by"]')" null "REMOTE_USER ignored without JOBQ_TRUST_REMOTE_USER"
kill -TERM "$PID"; wait "$PID"
JOBQ_TRUST_REMOTE_USER=true start_fcgi --listen "$T/g.sock" --threads 2
wait_for 20 test -S "$T/g.sock"
out=$(fc "$T/g.sock" POST /api/jobs --body "$T/small" --param REMOTE_USER=alice)
id=$(jget "$(jget "$out" 'j["body"]')" 'j["job_id"]')
out=$(fc "$T/g.sock" GET "/api/jobs/$id")
is "$(jget "$(jget "$out" 'j["body"]')" 'j["submitted_by"]')" alice "REMOTE_USER recorded with JOBQ_TRUST_REMOTE_USER=true"

# --- a web server slow to close its end holds no thread -------------------------------
# libfcgi's lingering close waits up to 2 s for the server to close first;
# once a request was read to its end the responder closes at once, so with
# one request thread (and the committer's one answering thread) a second
# client is answered while the first still holds its connection open.
ASYNC_JOBS_ENABLED=true ASYNC_JOB_TYPES=generate_amazon_content start_fcgi --listen "$T/h.sock" --threads 1
wait_for 20 test -S "$T/h.sock"
CLOSE="$top_srcdir/tests/fcgi/close.py"
out=$(python3 "$CLOSE" "$T/h.sock" GET /api/health)
is "$(jget "$out" '[j["a_status"], j["a_eof"], j["b_status"]]')" '[200, true, 200]' "GET: the held request was answered and closed"
ok "$(jget "$out" 'j["b_ms"]') -lt 1000" "GET: the next client waited $(jget "$out" 'j["b_ms"]') ms (< 1000) for the one thread"
out=$(python3 "$CLOSE" "$T/h.sock" POST /api/run/content '{"products":[{"sku":"C-1","title":"Mug","brand":"Acme"}]}')
is "$(jget "$out" '[j["a_status"], j["a_eof"], j["b_status"]]')" '[202, true, 202]' "async POST: the held request was answered and closed"
ok "$(jget "$out" 'j["b_ms"]') -lt 1000" "async POST: the next answer waited $(jget "$out" 'j["b_ms"]') ms (< 1000) for the answering thread"
# A body left unread (413 before reading it) keeps the lingering close, so
# the answer is not lost to a reset.
out=$(fc "$T/h.sock" POST /api/jobs --body "$T/big" --cl 999999999)
is "$(jget "$out" '[j["status"], json.loads(j["body"])["error"]["code"]]')" '[413, "body_too_large"]' \
	"an unread body still gets its whole answer"
# --- the committer folds the write-ahead log back when idle ----------------------------
# SQLite checkpoints only once the log holds 1000 pages; readers pay for
# what stays in it.  100 ms after the last commit, the database file
# itself (copied without its log) holds every job.
for i in $(seq 20); do fc "$T/h.sock" POST /api/jobs --body "$T/small" >/dev/null; done
sleep 0.5
total=$(jobqctl --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
is "$(db_alone "$JOBQ_DB" "select count(*) from jobs")" "$total" "idle for 100 ms after 20 enqueues: the database file alone holds all $total jobs"
kill -TERM "$PID"; wait "$PID"

# --- health: 503 when the database cannot be read ------------------------------------
# Checkpoint everything into the file, overwrite every page but the first
# (header and schema) with garbage, then commit from another connection so
# the responder's connections drop their caches and read the file again.
out=$(fc "$T/g.sock" GET /api/health)
is "$(jget "$out" 'j["status"]')" 200 "health 200 before the damage"
python3 - "$JOBQ_DB" <<'PY'
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
pages = os.path.getsize(sys.argv[1]) // 4096
with open(sys.argv[1], "r+b") as f:
    f.seek(4096)
    f.write(os.urandom(4096 * (pages - 1)))
    f.flush()
    os.fsync(f.fileno())
c.execute("CREATE TABLE x_damage(a)")
PY
out=$(fc "$T/g.sock" GET /api/health)
is "$(jget "$out" '[j["status"], json.loads(j["body"])["status"], json.loads(j["body"])["error"]["code"]]')" \
	'[503, "unavailable", "unavailable"]' "health 503 when the database cannot be read"
out=$(fc "$T/g.sock" GET /api/jobs)
is "$(jget "$out" '[j["status"], json.loads(j["body"])["error"]["code"]]')" '[500, "internal"]' \
	"a damaged database is a 500 on other reads"
ok "-z \"$(jget "$out" 'j["body"]' | grep -iE 'sqlite|/tmp|malformed')\"" "the 500 leaks no path or SQLite message"
kill -TERM "$PID"; wait "$PID"
is "$?" 0 "clean exit"
if grep -E 'ERROR: AddressSanitizer|runtime error:' "$T/fcgi.err" "$T/fcgi.log" >/dev/null 2>&1; then
	ok "1 -eq 0" "no sanitizer report"
	head -30 "$T/fcgi.err" | sed 's/^/#   /'
fi
done_testing
