#!/usr/bin/env bash
# deploy/quickstart.sh -- jobq running on this machine in one command.
#
# On a fresh Debian 12 (as root, or a user who may sudo), from a clone:
#
#   deploy/quickstart.sh          install packages, build, start nginx +
#                                 jobq-fcgi + jobq-worker on 127.0.0.1, submit
#                                 the sample products, follow the job
#   deploy/quickstart.sh status   what runs, and the queue's counts
#   deploy/quickstart.sh stop     stop everything it started
#
# Everything it makes lives in one folder (default .jobq-local/ in the
# clone): the build, jobq.env, the database, flat files, published images,
# nginx's files and the logs.  Delete it to start over.
#
# Environment:
#   JOBQ_PORT=8080        port on 127.0.0.1 (unset: 8080, or the next free one)
#   JOBQ_LOCAL_DIR=DIR    the state folder (default: <clone>/.jobq-local)
#   JOBQ_SKIP_APT=1       do not install Debian packages (the ones it needs
#                         from tests/packages.txt; see QUICKSTART_PACKAGES)
#   JOBQ_BUILDDIR=DIR     use the programs already built in DIR (no build)
#   JOBQ_PAYLOAD=FILE     the job to submit (default examples/products.json)
#   JOBQ_WAIT=300         seconds to follow the job before giving up
# Configuration keys (CONTENT_PROVIDER, OPENAI_API_KEY, JOBQ_CONCURRENCY, ...)
# set in the environment reach the programs, except the paths, the port
# and ASYNC_JOBS_ENABLED, which this script owns.
set -eu
set -o pipefail

src=$(cd -P "$(dirname "$0")/.." && pwd -P)
state=${JOBQ_LOCAL_DIR:-$src/.jobq-local}
mkdir -p "$state"
state=$(cd "$state" && pwd)
# Nothing in it belongs in git.
[ -f "$state/.gitignore" ] || echo '*' >"$state/.gitignore"
run="$state/run"
logs="$state/log"
cmd=${1:-start}

say() { printf '%s\n' "$*"; }
die() { printf 'quickstart: %s\n' "$*" >&2; exit 1; }

# --- stopping ---------------------------------------------------------------

# pid_alive NAME: the pid recorded for NAME if that process still runs the
# program it was started as.
pid_alive() {
	local f="$run/$1.pid" pid
	[ -f "$f" ] || return 1
	pid=$(cat "$f")
	[ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$1" || return 1
	echo "$pid"
}

# stop_one NAME SECONDS: SIGTERM, wait, then SIGKILL whatever is left of
# the session the process leads (a worker's job children, nginx's workers).
stop_one() {
	local name=$1 limit=$2 pid i=0
	if pid=$(pid_alive "$name"); then
		kill -TERM "$pid" 2>/dev/null || true
		while [ -d "/proc/$pid" ] && [ "$i" -lt $((limit * 10)) ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if [ -d "/proc/$pid" ]; then
			say "  $name did not stop within $limit s: killing it"
			kill -KILL "$pid" 2>/dev/null || true
		fi
		pkill -KILL -s "$pid" 2>/dev/null || true
		say "  stopped $name (pid $pid)"
	fi
	rm -f "$run/$name.pid"
}

stop_all() {
	local grace
	grace=$(sed -n 's/^JOBQ_SHUTDOWN_GRACE=//p' "$state/jobq.env" 2>/dev/null || true)
	stop_one nginx 10
	stop_one jobq-fcgi 10
	stop_one jobq-worker $(( ${grace:-30} + 5 ))
	rm -f "$run/fcgi.sock"
}

case "$cmd" in
stop)
	say "Stopping jobq in $state"
	stop_all
	exit 0
	;;
status)
	for n in nginx jobq-fcgi jobq-worker; do
		if pid=$(pid_alive "$n"); then say "$n: running (pid $pid)"; else say "$n: stopped"; fi
	done
	if [ -f "$state/env.sh" ]; then
		. "$state/env.sh"
		say "URL: $BASE"
		"$JOBQCTL" --config "$state/jobq.env" stats || true
	fi
	exit 0
	;;
start) ;;
-h|--help|help)
	sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
	exit 0
	;;
*)
	die "unknown command '$cmd' (start, status, stop)"
	;;
esac

# --- 1. Debian packages -------------------------------------------------------
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
# What building and running needs: a subset of tests/packages.txt (the
# test suite's list, which also holds Apache, clang, a browser ...;
# tests/deploy/quickstart.sh checks it stays a subset).
QUICKSTART_PACKAGES="build-essential autoconf automake libtool pkg-config libfcgi-dev
	libsqlite3-dev libjson-c-dev libcurl4-openssl-dev sqlite3 curl python3 nginx-light procps"
if [ -z "${JOBQ_SKIP_APT:-}" ]; then
	pkgs=$(echo $QUICKSTART_PACKAGES)
	# shellcheck disable=SC2086
	missing=$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' $pkgs 2>&1 |
		awk '$1 != "installed" {print $NF}' || true)
	if [ -n "$missing" ]; then
		say "==> Installing Debian packages: $missing"
		$SUDO apt-get update -qq
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
			$pkgs >/dev/null
	fi
fi

# --- 2. build -------------------------------------------------------------------
if [ -n "${JOBQ_BUILDDIR:-}" ]; then
	build=$(cd "$JOBQ_BUILDDIR" && pwd)
else
	build="$state/build"
	say "==> Building in $build (log: $state/build.log)"
	mkdir -p "$build"
	{
		[ -x "$src/configure" ] || (cd "$src" && autoreconf -fi)
		[ -f "$build/config.status" ] || (cd "$build" && "$src/configure" -q)
		make -C "$build" -j"$(nproc)"
	} >"$state/build.log" 2>&1 || { tail -30 "$state/build.log"; die "the build failed (see $state/build.log)"; }
fi
for p in jobq-fcgi jobq-worker jobqctl; do
	[ -x "$build/$p" ] || die "$build/$p is missing"
done
JOBQCTL="$build/jobqctl"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || die "nginx is not installed"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- 3. configuration -------------------------------------------------------------
stop_all >/dev/null
port_free() {
	python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1])))' "$1" 2>/dev/null
}
if [ -n "${JOBQ_PORT:-}" ]; then
	port=$JOBQ_PORT
	port_free "$port" || die "port $port on 127.0.0.1 is taken (choose another: JOBQ_PORT=...)"
else
	port=8080
	while ! port_free "$port"; do
		port=$((port + 1))
		[ "$port" -lt 8180 ] || die "no free port in 8080-8179 (set JOBQ_PORT)"
	done
fi
BASE="http://127.0.0.1:$port"
mkdir -p "$run" "$logs" "$state/db" "$state/output" "$state/public" "$state/nginx/tmp"

# jobq.env: the shipped file (every key documented) with local values.
set_key() { sed -i "s|^$1=.*|$1=$2|" "$state/jobq.env"; }
cp "$src/deploy/jobq.env" "$state/jobq.env"
chmod 0600 "$state/jobq.env"
set_key JOBQ_DB "$state/db/jobs.db"
set_key ASYNC_JOBS_ENABLED true
set_key CONTENT_PROVIDER "${CONTENT_PROVIDER:-template}"
set_key IMAGE_ROOT "$src/examples/images"
set_key IMAGE_PUBLISHER local
set_key PUBLISH_DIR "$state/public"
set_key PUBLIC_BASE_URL "$BASE/images"
set_key OUTPUT_DIR "$state/output"
set_key JOBQ_LOG stderr
# The paths and the flag above are this script's; an exported JOBQ_DB (as
# in the README's CLI example) must not send the programs elsewhere.
unset JOBQ_DB ASYNC_JOBS_ENABLED IMAGE_ROOT IMAGE_PUBLISHER PUBLISH_DIR \
	PUBLIC_BASE_URL OUTPUT_DIR JOBQ_LOG
cat >"$state/env.sh" <<EOF
# Written by deploy/quickstart.sh: . $state/env.sh
BASE=$BASE
JOBQCTL=$JOBQCTL
EOF

"$JOBQCTL" --config "$state/jobq.env" migrate >/dev/null

# --- 4. start -----------------------------------------------------------------------
# start NAME COMMAND...: in its own session (it outlives this script and
# the terminal), output appended to log/NAME.log, pid in run/NAME.pid.
start() {
	local name=$1
	shift
	setsid "$@" </dev/null >>"$logs/$name.log" 2>&1 &
	echo $! >"$run/$name.pid"
}
say "==> Starting jobq-worker, jobq-fcgi and nginx on $BASE"
start jobq-worker "$build/jobq-worker" --config "$state/jobq.env"
start jobq-fcgi "$build/jobq-fcgi" --config "$state/jobq.env" --listen "$run/fcgi.sock" --threads 4
i=0
until [ -S "$run/fcgi.sock" ]; do
	i=$((i + 1))
	[ "$i" -lt 200 ] || { tail -20 "$logs/jobq-fcgi.log"; die "jobq-fcgi did not create its socket"; }
	pid_alive jobq-fcgi >/dev/null || { tail -20 "$logs/jobq-fcgi.log"; die "jobq-fcgi exited"; }
	sleep 0.05
done

# nginx: the shipped snippet (nginx/jobq.conf) inside a minimal server,
# plus the published images, the flat files and the status panel.
d="$state/nginx"
cp /etc/nginx/fastcgi_params /etc/nginx/mime.types "$d/"
sed -e "s|@SOCKET@|$run/fcgi.sock|g" "$src/nginx/jobq.conf" >"$d/jobq.conf"
user=
[ "$(id -u)" -eq 0 ] && user="user $(id -un) $(id -gn);   # workers must reach the socket and files in $state"
# The status panel (www/) at /jobs/ and the flat files at /jobs/files/, as
# nginx/jobq-panel.conf lays them out (without its login: loopback only).
panel="location = / { return 302 /jobs/; }"
if [ -f "$src/www/index.html" ]; then
	panel="$panel
        location ^~ /jobs/ { alias $src/www/; index index.html; }"
fi
cat >"$d/nginx.conf" <<EOF
# Written by deploy/quickstart.sh.
$user
worker_processes 1;
pid $run/nginx.pid;
error_log $logs/nginx-error.log warn;
events { worker_connections 256; }
http {
    include mime.types;
    access_log $logs/nginx-access.log;
    client_body_temp_path $d/tmp/body;
    fastcgi_temp_path $d/tmp/fastcgi;
    proxy_temp_path $d/tmp/proxy;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        server_name localhost;
        include $d/jobq.conf;
        location ^~ /images/ { alias $state/public/; }
        location ^~ /jobs/files/ { alias $state/output/; charset utf-8; }
        $panel
    }
}
EOF
"$NGINX" -t -q -p "$d" -c "$d/nginx.conf" -e "$logs/nginx-error.log" 2>>"$logs/nginx-error.log" ||
	{ tail -5 "$logs/nginx-error.log"; die "nginx rejected $d/nginx.conf"; }
# nginx daemonizes itself (its own session) and writes run/nginx.pid.
"$NGINX" -p "$d" -c "$d/nginx.conf" -e "$logs/nginx-error.log" 2>>"$logs/nginx-error.log" ||
	{ tail -5 "$logs/nginx-error.log"; die "nginx did not start"; }
i=0
until curl -fsS -o /dev/null "$BASE/api/health" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 300 ] || { tail -5 "$logs"/*.log; die "$BASE/api/health does not answer"; }
	sleep 0.1
done

# --- 5. submit the sample products and follow the job -----------------------------------
payload=${JOBQ_PAYLOAD:-$src/examples/products.json}
say "==> POST $BASE/api/run/content  ($payload)"
answer=$(curl -sS -X POST -H 'Content-Type: application/json' --data-binary "@$payload" \
	-w '\n%{http_code}' "$BASE/api/run/content")
code=${answer##*$'\n'}
body=${answer%$'\n'*}
[ "$code" = 202 ] || die "expected 202, got $code: $body"
id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["job_id"])' "$body")
say "    202 Accepted: job $id"
say "==> GET $BASE/api/jobs/$id"

# One line per change of status, progress or message.
show='import json,sys
j=json.loads(sys.argv[1])
print("%s\t%s\t%s" % (j["status"], j.get("progress") or 0, j.get("progress_message") or ""))'
last= status=queued
deadline=$(( $(date +%s) + ${JOBQ_WAIT:-300} ))
while :; do
	job=$(curl -fsS "$BASE/api/jobs/$id") || die "GET /api/jobs/$id failed"
	line=$(python3 -c "$show" "$job")
	if [ "$line" != "$last" ]; then
		IFS=$'\t' read -r status progress message <<<"$line"
		printf '    [%3s%%] %-9s %s\n' "$progress" "$status" "$message"
		last=$line
	fi
	case "$status" in succeeded|failed|canceled) break ;; esac
	[ "$(date +%s)" -lt "$deadline" ] || die "job $id is still $status after ${JOBQ_WAIT:-300} s (logs: $logs)"
	sleep 0.2
done

if [ "$status" != succeeded ]; then
	say "Job $id $status:"
	python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["error"], indent=2))' "$job"
	say "Logs: $logs   Stop: $0 stop"
	exit 1
fi

python3 - "$job" "$state" "$BASE" <<'PY'
import json, os, sys
j, state, base = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
r = j["result"]
print("Job %s succeeded: %d products, %d images published (%d reused), provider %s, %d ms."
      % (j["id"], r["products"], r["images_published"], r["images_reused"],
         r["provider"], r["duration_ms"]))
print("  flat file:  %s" % os.path.join(state, "output", r["flatfile"]))
print("              %s/jobs/files/%s" % (base, r["flatfile"]))
print("  images:     %s/" % os.path.join(state, "public"))
for it in r["items"]:
    for u in it["image_urls"]:
        print("              %s  (%s)" % (u, it["sku"]))
PY
cat <<EOF

jobq is running on $BASE (loopback only):
  status panel  $BASE/jobs/
  API           curl $BASE/api/jobs/stats     (docs/responder.md)
  CLI           $JOBQCTL --config $state/jobq.env list
  logs          $logs/
  stop          $0 stop
EOF
