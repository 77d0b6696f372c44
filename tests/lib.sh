# tests/lib.sh -- sourced by the shell tests: a private temp folder removed
# on exit, free loopback ports, TAP output, waiting helpers.
#
#   . "$top_srcdir/tests/lib.sh"
#   ok "$((1+1)) -eq 2" "arithmetic"      # test(1) expression
#   check "name" command args...          # ok if the command succeeds
#   done_testing
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
T=$(mktemp -d "${TMPDIR:-/tmp}/jobq-test.XXXXXX")
chmod 0755 "$T"
TAP_N=0
TAP_FAILED=0
CLEANUP_PIDS=""
# Sanitizer builds: report and fail, but let servers print what they found.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export PATH="$top_builddir:$PATH"

cleanup() {
	for p in $CLEANUP_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	sleep 0.2
	for p in $CLEANUP_PIDS; do
		kill -KILL "$p" 2>/dev/null
	done
	if [ -n "${KEEP_TEST_DIR:-}" ] || [ "$TAP_FAILED" -gt 0 ]; then
		echo "# test folder kept: $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Remembers a pid to kill on exit.
track() { CLEANUP_PIDS="$CLEANUP_PIDS $*"; }

ok() {
	TAP_N=$((TAP_N + 1))
	if eval "[ $1 ]"; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

check() {
	local name=$1
	shift
	TAP_N=$((TAP_N + 1))
	if "$@" >"$T/check.out" 2>&1; then
		echo "ok $TAP_N - $name"
	else
		echo "not ok $TAP_N - $name"
		sed 's/^/#   /' "$T/check.out" | head -20
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

# is GOT WANT NAME
is() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $TAP_N - $3"
	else
		echo "not ok $TAP_N - $3"
		echo "#   got:  $1" | head -c 2000; echo
		echo "#   want: $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

# db_alone DB SQL: the first value SQL selects from a copy of the database
# file without its write-ahead log, i.e. what checkpoints have put in the
# file itself.
db_alone() {
	cp "$1" "$T/alone.db" && rm -f "$T/alone.db-wal" "$T/alone.db-shm"
	python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' \
		"$T/alone.db" "$2"
}

# A free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_for SECONDS COMMAND...: retries the command every 50 ms.
wait_for() {
	local limit=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge $((limit * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}

# jget JSON EXPR: evaluates a Python expression on the parsed JSON as "j".
jget() {
	python3 -c 'import json,sys; j=json.loads(sys.argv[1]); v=eval(sys.argv[2]); print(json.dumps(v) if isinstance(v,(dict,list,bool)) or v is None else v)' "$1" "$2"
}
