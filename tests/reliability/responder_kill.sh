#!/usr/bin/env bash
# Crash consistency of the responder: 30 rounds of SIGKILL at random moments
# under a 32-client enqueue load through nginx. Every id answered with 202
# must be in the database afterwards, readable through the API, and
# `jobqctl check` must report a sound database.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/stack.sh"
ROUNDS=${ROUNDS:-30}
STACK_THREADS=8 stack_nginx_start || { ok "1 -eq 0" "stack starts"; done_testing; exit 1; }
ids="$T/ids.txt"
: >"$ids"
python3 "$top_srcdir/tests/reliability/load.py" "$BASE_URL" "$ids" "$T/stop" 32 300 >"$T/load.out" 2>&1 &
load=$!
track "$load"
killed=0
for round in $(seq 1 "$ROUNDS"); do
	sleep "0.$((RANDOM % 5 + 1))$((RANDOM % 10))"
	pid=$(stack_fcgi_pid)
	if [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; then
		killed=$((killed + 1))
		wait "$pid" 2>/dev/null
	fi
	# The responder comes back on the same socket, as systemd would start it.
	_stack_fcgi_start >/dev/null 2>&1 || break
done
sleep 0.5
touch "$T/stop"
wait "$load"
echo "# $(cat "$T/load.out")"
is "$killed" "$ROUNDS" "the responder was killed $ROUNDS times under load"
accepted=$(wc -l <"$ids")
ok "$accepted -gt $((ROUNDS * 10))" "the load got jobs accepted between kills ($accepted)"
res=$(python3 "$top_srcdir/tests/reliability/dbcheck.py" "$JOBQ_DB" "$ids")
echo "# $res"
is "${res##*missing=}" 0 "every id answered 202 is in the database"
dups=$(sort "$ids" | uniq -d | wc -l)
is "$dups" 0 "no id was answered twice"
sample=$(shuf -n 20 "$ids" 2>/dev/null || head -20 "$ids")
bad=0
for id in $sample; do
	code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE_URL/api/jobs/$id")
	[ "$code" = 200 ] || bad=$((bad + 1))
done
is "$bad" 0 "a sample of accepted jobs reads back through the API"
out=$("$top_builddir/jobqctl" check 2>&1)
is "$?" 0 "jobqctl check reports a sound database ($out)"
stack_stop
done_testing
