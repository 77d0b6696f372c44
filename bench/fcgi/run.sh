#!/usr/bin/env bash
# bench/fcgi/run.sh -- jobq-fcgi against a minimal libfcgi hello-world
# responder behind the same nginx (the shipped nginx/jobq.conf for jobq),
# measured with wrk in the same run:
#   GET  /api/jobs/{id}              vs GET  /hello/
#   POST /api/run/content (async:    vs POST /hello/
#        202 after a durable commit at JOBQ_SYNCHRONOUS=full)
# and jobq-fcgi's peak RSS during each.  Targets (issue 3): GET >= 0.8x,
# POST >= 0.4x, RSS <= 16 MB.
#
#   make bench-fcgi      (from a build without sanitizers)
#   BENCH_SECONDS=10 BENCH_CONNS=32 BENCH_THREADS=8 BENCH_ROUNDS=3 bench/fcgi/run.sh
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNS:-32}
threads=${BENCH_THREADS:-8}
rounds=${BENCH_ROUNDS:-3}
only=${BENCH_ONLY:-}          # get or post: run only that pair
command -v wrk >/dev/null || { echo "bench-fcgi: wrk not found (apt-get install wrk)"; exit 1; }
T=$(mktemp -d /tmp/jobq-bench.XXXXXX)
chmod 0755 "$T"
pids=""
cleanup() {
	for p in $pids; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.3
	# libfcgi's own SIGTERM handler keeps the hello-world alive.
	for p in $pids; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

export JOBQ_DB="$T/db/jobs.db" JOBQ_LOG="$T/fcgi.log" JOBQ_SYNCHRONOUS=full
export ASYNC_JOBS_ENABLED=true ASYNC_JOB_TYPES=generate_amazon_content
mkdir -p "$T/db" "$T/nginx/tmp"
group=
user=
if [ "$(id -u)" -eq 0 ]; then
	group="--socket-group www-data"
	user="user www-data www-data;"
	chown -R www-data:www-data "$T/nginx/tmp"
fi
# shellcheck disable=SC2086
"$top_builddir/jobq-fcgi" --listen "$T/jobq.sock" --threads "$threads" $group 2>>"$T/fcgi.log" &
fpid=$!
pids="$pids $fpid"
"$top_builddir/bench/fcgi/hello" "$T/hello.sock" "$threads" &
pids="$pids $!"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cp /etc/nginx/fastcgi_params "$T/nginx/"
sed "s|@SOCKET@|$T/jobq.sock|g" "$top_srcdir/nginx/jobq.conf" >"$T/nginx/jobq.conf"
cat >"$T/nginx/nginx.conf" <<NGINX
$user
worker_processes 1;
daemon off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $T/nginx/tmp/body;
    fastcgi_temp_path $T/nginx/tmp/fastcgi;
    server {
        listen 127.0.0.1:$port;
        include $T/nginx/jobq.conf;
        location /hello/ {
            include fastcgi_params;
            fastcgi_pass unix:$T/hello.sock;
        }
    }
}
NGINX
for i in $(seq 100); do [ -S "$T/jobq.sock" ] && [ -S "$T/hello.sock" ] && break; sleep 0.05; done
nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log" &
pids="$pids $!"
base="http://127.0.0.1:$port"
for i in $(seq 100); do curl -fs -o /dev/null "$base/api/health" && break; sleep 0.05; done
id=$(curl -s -XPOST -H 'Content-Type: application/json' --data-binary @<(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$top_srcdir/bench/fcgi/post.lua") "$base/api/run/content" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])')
# BENCH_PREFILL=N: N more jobs in the database before the first round.
if [ "${BENCH_PREFILL:-0}" -gt 0 ]; then
	sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$top_srcdir/bench/fcgi/post.lua" >"$T/one"
	for i in $(seq "$BENCH_PREFILL"); do cat "$T/one"; done >"$T/prefill"
	"$top_builddir/jobqctl" enqueue generate_amazon_content @"$T/prefill" >/dev/null
fi

# run NAME URL [lua]: prints requests/s, non-2xx answers and jobq-fcgi's
# peak RSS (kB) during the run.
run() {
	local out rps maxrss=0 r wpid
	if [ -n "${3:-}" ]; then
		wrk -t2 -c"$conns" -d"${secs}s" -s "$3" "$2" >"$T/wrk.out" 2>&1 &
	else
		wrk -t2 -c"$conns" -d"${secs}s" "$2" >"$T/wrk.out" 2>&1 &
	fi
	wpid=$!
	while kill -0 "$wpid" 2>/dev/null; do
		r=$(awk '/^VmRSS/ {print $2}' "/proc/$fpid/status" 2>/dev/null)
		[ -n "$r" ] && [ "$r" -gt "$maxrss" ] && maxrss=$r
		sleep 0.5
	done
	wait "$wpid"
	rps=$(awk '/^Requests\/sec/ {print $2}' "$T/wrk.out")
	non2xx=$(awk '/Non-2xx/ {print $NF}' "$T/wrk.out")
	echo "${rps:-0} ${non2xx:-0} $maxrss"
}

echo "jobq-fcgi vs libfcgi hello-world behind one nginx: wrk -t2 -c$conns -d${secs}s, --threads $threads, $(nproc) cores, $rounds rounds"
# Rounds alternate hello and jobq so that a slow spell of a shared machine
# hits both; the ratio reported is the median of the rounds' ratios.
: >"$T/results"
for i in $(seq "$rounds"); do
	if [ "$only" != post ]; then
		read -r hg _ _ < <(run hello-get "$base/hello/")
		read -r jg jg_bad peak < <(run jobq-get "$base/api/jobs/$id")
		echo "get $i $hg $jg $jg_bad $peak" >>"$T/results"
	fi
	if [ "$only" != get ]; then
		read -r hp _ _ < <(run hello-post "$base/hello/" "$top_srcdir/bench/fcgi/post.lua")
		read -r jp jp_bad peak < <(run jobq-post "$base/api/run/content" "$top_srcdir/bench/fcgi/post.lua")
		echo "post $i $hp $jp $jp_bad $peak" >>"$T/results"
	fi
done
rss_now=$(awk '/^VmRSS/ {print $2}' "/proc/$fpid/status")
jobs=$("$top_builddir/jobqctl" --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
python3 - "$T/results" "$rss_now" "$jobs" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
rss, jobs = int(sys.argv[2]), int(sys.argv[3])
names = {"get": ("GET /api/jobs/{id}", 0.8), "post": ("POST /api/run/content (async, full)", 0.4)}
print("%-36s %5s %12s %12s %7s" % ("", "round", "hello req/s", "jobq req/s", "ratio"))
for kind, rnd, h, j, bad, peak in rows:
    print("%-36s %5s %12.0f %12.0f %6.2fx  non-2xx %s, peak RSS %.1f MB"
          % (names[kind][0], rnd, float(h), float(j), float(j) / float(h), bad, int(peak) / 1024))
print("median of the rounds:")
for kind, (name, target) in names.items():
    r = [float(j) / float(h) for k, _, h, j, _, _ in rows if k == kind]
    if r:
        m = statistics.median(r)
        print("%-36s %6.2fx  target >= %.1fx %s" % (name, m, target, "ok" if m >= target else "MISSED"))
print("jobq-fcgi RSS after all runs: %.1f MB (target <= 16 MB %s); jobs in the database: %d"
      % (rss / 1024, "ok" if rss <= 16384 else "MISSED", jobs))
PY
