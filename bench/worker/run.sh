#!/usr/bin/env bash
# bench/worker/run.sh -- jobq-worker against plainjob, side by side in one
# run (see docs/BENCHMARKS.md, "Worker"):
#   1. no-op jobs/s by one worker, N enqueued in advance, at
#      synchronous=normal and full, three rounds each (median shown);
#   2. pickup latency enqueue -> running on an idle worker over 1,000 jobs;
#   3. RSS of an idle worker.
# Use a build without sanitizers:  ./configure && make bench-worker
# BENCH_JOBS=N changes N (default 50000).  plainjob and better-sqlite3@12
# are installed with npm into bench/worker/node_modules on first use.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
B=$top_builddir
HERE=$top_srcdir/bench/worker
N=${BENCH_JOBS:-50000}
D=$(mktemp -d "${TMPDIR:-/tmp}/jobq-bench-worker.XXXXXX")
trap 'rm -rf "$D"' EXIT

if grep -q 'fsanitize=address' "$B/Makefile" 2>/dev/null; then
	echo "warning: this build uses AddressSanitizer; figures will be low" >&2
fi
if [ ! -d "$HERE/node_modules/plainjob" ] || [ ! -d "$HERE/node_modules/better-sqlite3" ]; then
	echo "installing plainjob + better-sqlite3@12 into $HERE/node_modules ..." >&2
	(cd "$HERE" && npm install --no-audit --no-fund --silent >&2)
fi

python3 -c "
import json
for i in range($N): print(json.dumps({'i': i, 'pad': 'x' * 180}, separators=(',', ':')))" >"$D/payloads.txt"

jobq_round() { # SYNC -> jobs/s
	local db="$D/jobq-$1.db" t0 t1 done
	rm -f "$db" "$db"-*
	JOBQ_DB="$db" JOBQ_SYNCHRONOUS=$1 "$B/jobqctl" enqueue noop @"$D/payloads.txt" >/dev/null
	t0=$(date +%s%N)
	JOBQ_DB="$db" JOBQ_SYNCHRONOUS=$1 JOBQ_LOG="$D/worker.log" "$B/jobq-worker" --once
	t1=$(date +%s%N)
	done=$(JOBQ_DB="$db" "$B/jobqctl" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"]["succeeded"])')
	[ "$done" = "$N" ] || { echo "jobq: only $done of $N succeeded" >&2; exit 1; }
	python3 -c "print(round($N / (($t1 - $t0) / 1e9)))"
}

plainjob_round() { # SYNC -> jobs/s
	local db="$D/plainjob-$1.db"
	rm -f "$db" "$db"-*
	node "$HERE/plainjob.mjs" "$db" "$N" "$1" | awk '{print $5}'
}

median() { tr ' ' '\n' | sort -n | sed -n 2p; }

echo "== no-op jobs processed by one worker, $N enqueued in advance (jobs/s, median of 3)"
printf '%-8s %12s %12s %8s   %s\n' sync plainjob jobq-worker ratio "rounds (plainjob | jobq)"
for sync in normal full; do
	p="" j=""
	for r in 1 2 3; do
		p="$p $(plainjob_round $sync)"
		j="$j $(jobq_round $sync)"
	done
	pm=$(echo $p | median)
	jm=$(echo $j | median)
	printf '%-8s %12s %12s %7.2fx   %s |%s\n' "$sync" "$pm" "$jm" \
		"$(python3 -c "print($jm / $pm)")" "$p" "$j"
done

echo
echo "== pickup latency, idle worker, 1000 jobs one at a time (JOBQ_SYNCHRONOUS=full)"
db="$D/pickup.db"
JOBQ_DB="$db" "$B/jobqctl" migrate >/dev/null
JOBQ_DB="$db" JOBQ_TEST_JOBS=1 JOBQ_LOG="$D/pickup-worker.log" "$B/jobq-worker" &
wpid=$!
sleep 0.5
"$B/bench/worker/pickup" "$db" "$D/pickup.log" 1000

echo
echo "== idle worker memory (concurrency 1, after 2 s idle)"
sleep 2
rss() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
pss() { awk '/^Pss:/{print $2}' "/proc/$1/smaps_rollup" 2>/dev/null; }
kids=$(cat "/proc/$wpid/task/$wpid/children")
printf 'supervisor  pid %-7s RSS %6s kB  PSS %6s kB\n' "$wpid" "$(rss $wpid)" "$(pss $wpid)"
for k in $kids; do
	printf 'runner      pid %-7s RSS %6s kB  PSS %6s kB\n' "$k" "$(rss "$k")" "$(pss "$k")"
done
kill -TERM "$wpid"
wait "$wpid"
