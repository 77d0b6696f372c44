# tests/stack.sh -- start and stop a whole jobq web stack for end-to-end
# tests, using the shipped configuration files (nginx/, apache/) with paths
# and ports templated in.  Source it after tests/lib.sh:
#
#   . "$top_srcdir/tests/lib.sh"
#   . "$top_srcdir/tests/stack.sh"
#   ASYNC_JOBS_ENABLED=true stack_nginx_start || exit 1
#   curl -s "$BASE_URL/api/health"
#   stack_stop
#
# Interface (kept stable; other tests rely on it):
#   stack_nginx_start          jobq-fcgi on a unix socket + nginx (nginx/jobq.conf)
#   stack_apache_fcgid_start   Apache + mod_fcgid spawning jobq-fcgi (apache/jobq-fcgid.conf)
#   stack_apache_proxy_start   spawn-fcgi + jobq-fcgi + Apache mod_proxy_fcgi
#                              (apache/jobq-proxy-fcgi.conf)
#   stack_stop                 stops the web server and the responder (SIGTERM;
#                              returns 1 if the responder needed more than 5 s)
#   stack_fcgi_pid             prints the pid of a running responder (for mod_fcgid:
#                              the first process it spawned), or nothing
#   stack_logs                 prints the tails of every log (on failure)
# Each *_start returns 0 once GET /api/health answers 200 (within 30 s),
# else prints the logs and returns 1.  Only one stack per test at a time.
#
# Exported after a start:
#   BASE_URL      http://127.0.0.1:PORT
#   JOBQ_DB       the database file (default $T/stack/db/jobs.db; set it
#                 before the start to use another)
#   STACK_DIR     the stack's folder ($T/stack)
#   STACK_SOCKET  the responder's unix socket (nginx and proxy stacks)
#   STACK_KIND    nginx | fcgid | proxy
#   STACK_LOG     the responder's log file (JOBQ_LOG)
#
# Configuration: contract keys (JOBQ_*, ASYNC_*, CONTENT_*, OPENAI_*,
# IMAGE_*, PUBLISH_DIR, PUBLIC_BASE_URL, S3_*, AWS_*, OUTPUT_DIR) set in
# the environment at start reach the responder, under mod_fcgid too
# (written as FcgidInitialEnv).  Defaults set here: OUTPUT_DIR,
# IMAGE_ROOT, PUBLISH_DIR under $STACK_DIR.  STACK_THREADS (default 4) sets
# --threads of a responder the stack starts itself.  STACK_HTPASSWD=FILE
# (nginx only) puts nginx/jobq-auth.conf in front; then STACK_AUTH=user:pw
# is what the start uses to see the stack answer.
#
# Run as root (CI), nginx workers, Apache children and the responder under
# Apache run as www-data, as in production: sockets are 0660 group
# www-data and the database folder belongs to www-data.

STACK_DIR=
STACK_KIND=
STACK_SERVER_PID=
STACK_FCGI_PID=

_stack_bin() {
	# The responder, where www-data can run it (the build tree may sit
	# under a folder only root may enter).
	local src="$top_builddir/jobq-fcgi"
	if [ "$(id -u)" -eq 0 ] && ! runuser -u www-data -- test -x "$src" 2>/dev/null; then
		mkdir -p "$STACK_DIR/bin"
		cp "$src" "$STACK_DIR/bin/jobq-fcgi"
		chmod 0755 "$STACK_DIR/bin" "$STACK_DIR/bin/jobq-fcgi"
		echo "$STACK_DIR/bin/jobq-fcgi"
	else
		echo "$src"
	fi
}

_stack_prepare() {
	STACK_KIND=$1
	STACK_DIR="$T/stack"
	mkdir -p "$STACK_DIR"
	chmod 0755 "$STACK_DIR"
	: "${JOBQ_DB:=$STACK_DIR/db/jobs.db}"
	export JOBQ_DB
	mkdir -p "$(dirname "$JOBQ_DB")"
	: "${OUTPUT_DIR:=$STACK_DIR/output}"
	: "${IMAGE_ROOT:=$STACK_DIR/images}"
	: "${PUBLISH_DIR:=$STACK_DIR/publish}"
	: "${PUBLIC_BASE_URL:=http://127.0.0.1/images}"
	export OUTPUT_DIR IMAGE_ROOT PUBLISH_DIR PUBLIC_BASE_URL
	mkdir -p "$OUTPUT_DIR" "$IMAGE_ROOT" "$PUBLISH_DIR"
	STACK_LOG="$STACK_DIR/fcgi.log"
	STACK_SOCKET="$STACK_DIR/fcgi.sock"
	STACK_PORT=$(free_port)
	BASE_URL="http://127.0.0.1:$STACK_PORT"
	export BASE_URL STACK_DIR STACK_SOCKET STACK_KIND STACK_LOG
	# The database exists before any responder starts, so its owner is
	# known; then www-data (the responder under Apache) may write it.
	"$top_builddir/jobqctl" migrate >/dev/null 2>&1 || echo "# jobqctl migrate failed for $JOBQ_DB"
	if [ "$(id -u)" -eq 0 ]; then
		chown -R www-data:www-data "$(dirname "$JOBQ_DB")" "$OUTPUT_DIR" \
			"$PUBLISH_DIR" 2>/dev/null
		chmod 2775 "$(dirname "$JOBQ_DB")"
		# Job folders (0750) and flat files (0640) take this group.
		chmod 2770 "$OUTPUT_DIR"
	fi
}

# The contract keys set in the environment, as NAME=value lines.
_stack_env() {
	env | grep -E '^(JOBQ_[A-Z_]*|ASYNC_JOBS_ENABLED|ASYNC_JOB_TYPES|CONTENT_[A-Z_]*|OPENAI_[A-Z_]*|IMAGE_[A-Z_]*|PUBLISH_DIR|PUBLIC_BASE_URL|S3_[A-Z_]*|AWS_[A-Z_]*|OUTPUT_DIR|ASAN_OPTIONS|UBSAN_OPTIONS)=' |
		grep -v '^JOBQ_DB=' || true
}

_stack_wait_up() {
	if wait_for 30 curl -fsS -o /dev/null ${STACK_AUTH:+-u "$STACK_AUTH"} "$BASE_URL/api/health"; then
		return 0
	fi
	echo "# stack $STACK_KIND did not come up"
	stack_logs
	return 1
}

stack_logs() {
	local f
	for f in "$STACK_LOG" "$STACK_DIR"/nginx/error.log "$STACK_DIR"/apache/error.log; do
		[ -f "$f" ] || continue
		echo "# --- $f"
		tail -30 "$f" | sed 's/^/#   /'
	done
}

# Starts jobq-fcgi on $STACK_SOCKET in the background (nginx stack).
_stack_fcgi_start() {
	local bin group=
	bin=$(_stack_bin)
	[ "$(id -u)" -eq 0 ] && group="--socket-group www-data"
	# shellcheck disable=SC2086
	JOBQ_LOG="$STACK_LOG" "$bin" --listen "$STACK_SOCKET" \
		--threads "${STACK_THREADS:-4}" $group 2>>"$STACK_LOG" &
	STACK_FCGI_PID=$!
	track "$STACK_FCGI_PID"
	wait_for 20 test -S "$STACK_SOCKET" || { stack_logs; return 1; }
}

stack_nginx_start() {
	local d user=
	_stack_prepare nginx
	d="$STACK_DIR/nginx"
	mkdir -p "$d/tmp"
	cp /etc/nginx/fastcgi_params "$d/fastcgi_params"
	sed -e "s|@SOCKET@|$STACK_SOCKET|g" "$top_srcdir/nginx/jobq.conf" >"$d/jobq.conf"
	: >"$d/extra.conf"
	if [ -n "${STACK_HTPASSWD:-}" ]; then
		sed -e "s|@HTPASSWD@|$STACK_HTPASSWD|g" "$top_srcdir/nginx/jobq-auth.conf" >"$d/extra.conf"
	fi
	if [ "$(id -u)" -eq 0 ]; then
		user="user www-data www-data;"
		chown -R www-data:www-data "$d/tmp"
	fi
	cat >"$d/nginx.conf" <<NGINX
$user
worker_processes 2;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $d/tmp/body;
    fastcgi_temp_path $d/tmp/fastcgi;
    proxy_temp_path $d/tmp/proxy;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    server {
        listen 127.0.0.1:$STACK_PORT;
        server_name localhost;
        include $d/extra.conf;
        include $d/jobq.conf;
    }
}
NGINX
	_stack_fcgi_start || return 1
	nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" &
	STACK_SERVER_PID=$!
	track "$STACK_SERVER_PID"
	_stack_wait_up
}

_stack_apache_conf() {
	local d=$1 port=$2 m=/usr/lib/apache2/modules
	mkdir -p "$d/run" "$d/fcgid"
	cat <<APACHE
ServerRoot $d
ServerName localhost
Listen 127.0.0.1:$port
PidFile $d/httpd.pid
ErrorLog $d/error.log
LogLevel warn
DefaultRuntimeDir $d/run
Mutex file:$d/run default
LoadModule mpm_event_module $m/mod_mpm_event.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule alias_module $m/mod_alias.so
StartServers 1
ServerLimit 2
ThreadsPerChild 32
MaxRequestWorkers 64
APACHE
	if [ "$(id -u)" -eq 0 ]; then
		echo "User www-data"
		echo "Group www-data"
		chown -R www-data:www-data "$d/run" "$d/fcgid"
	fi
}

stack_apache_fcgid_start() {
	local d bin
	_stack_prepare fcgid
	d="$STACK_DIR/apache"
	mkdir -p "$d"
	bin=$(_stack_bin)
	sed -e "s|@SBINDIR@|$(dirname "$bin")|g" -e "s|@DB@|$JOBQ_DB|g" \
		"$top_srcdir/apache/jobq-fcgid.conf" >"$d/jobq-fcgid.conf"
	{
		_stack_apache_conf "$d" "$STACK_PORT"
		echo "LoadModule fcgid_module /usr/lib/apache2/modules/mod_fcgid.so"
		echo "FcgidIPCDir $d/fcgid"
		echo "FcgidProcessTableFile $d/fcgid/shm"
		echo "FcgidInitialEnv JOBQ_LOG \"$STACK_LOG\""
		_stack_env | grep -v '^JOBQ_LOG=' | while IFS='=' read -r k v; do
			printf 'FcgidInitialEnv %s "%s"\n' "$k" "$v"
		done
		echo "Include $d/jobq-fcgid.conf"
	} >"$d/httpd.conf"
	: >"$STACK_LOG"
	[ "$(id -u)" -eq 0 ] && chown www-data "$STACK_LOG"
	apache2 -f "$d/httpd.conf" -DFOREGROUND &
	STACK_SERVER_PID=$!
	track "$STACK_SERVER_PID"
	_stack_wait_up
}

stack_apache_proxy_start() {
	local d bin ugid=
	_stack_prepare proxy
	d="$STACK_DIR/apache"
	mkdir -p "$d"
	bin=$(_stack_bin)
	sed -e "s|@SOCKET@|$STACK_SOCKET|g" \
		"$top_srcdir/apache/jobq-proxy-fcgi.conf" >"$d/jobq-proxy-fcgi.conf"
	{
		_stack_apache_conf "$d" "$STACK_PORT"
		echo "LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so"
		echo "LoadModule proxy_fcgi_module /usr/lib/apache2/modules/mod_proxy_fcgi.so"
		echo "Include $d/jobq-proxy-fcgi.conf"
	} >"$d/httpd.conf"
	: >"$STACK_LOG"
	if [ "$(id -u)" -eq 0 ]; then
		ugid="-u www-data -g www-data -U www-data -G www-data"
		chown www-data "$STACK_LOG"
	fi
	# -n: spawn-fcgi execs the responder itself, so $! is its pid.
	# shellcheck disable=SC2086
	JOBQ_LOG="$STACK_LOG" spawn-fcgi -n -s "$STACK_SOCKET" -M 0660 $ugid -- \
		"$bin" --threads "${STACK_THREADS:-4}" 2>>"$STACK_LOG" &
	STACK_FCGI_PID=$!
	track "$STACK_FCGI_PID"
	wait_for 20 test -S "$STACK_SOCKET" || { stack_logs; return 1; }
	apache2 -f "$d/httpd.conf" -DFOREGROUND &
	STACK_SERVER_PID=$!
	track "$STACK_SERVER_PID"
	_stack_wait_up
}

stack_fcgi_pid() {
	if [ -n "$STACK_FCGI_PID" ] && kill -0 "$STACK_FCGI_PID" 2>/dev/null; then
		echo "$STACK_FCGI_PID"
	elif [ "$STACK_KIND" = fcgid ]; then
		# Other tests may run mod_fcgid stacks at the same time: take the
		# oldest responder whose environment names this stack.
		pgrep -f "^$STACK_DIR/bin/jobq-fcgi|^$top_builddir/jobq-fcgi" 2>/dev/null |
			while read -r p; do
				# Only a process whose parent is this stack's Apache tree.
				if grep -qs "$STACK_DIR" "/proc/$p/environ" 2>/dev/null; then echo "$p"; fi
			done | head -1
	fi
}

# Waits up to $2 seconds for pid $1 to exit; returns 1 if it is still there.
_stack_wait_gone() {
	local i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -ge $(($2 * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}

stack_stop() {
	local rc=0
	if [ -n "$STACK_SERVER_PID" ]; then
		kill -TERM "$STACK_SERVER_PID" 2>/dev/null
		_stack_wait_gone "$STACK_SERVER_PID" 10 || kill -KILL "$STACK_SERVER_PID" 2>/dev/null
		wait "$STACK_SERVER_PID" 2>/dev/null
	fi
	if [ -n "$STACK_FCGI_PID" ]; then
		kill -TERM "$STACK_FCGI_PID" 2>/dev/null
		if ! _stack_wait_gone "$STACK_FCGI_PID" 5; then
			rc=1
			kill -KILL "$STACK_FCGI_PID" 2>/dev/null
		fi
		wait "$STACK_FCGI_PID" 2>/dev/null
	fi
	STACK_SERVER_PID=
	STACK_FCGI_PID=
	return $rc
}
