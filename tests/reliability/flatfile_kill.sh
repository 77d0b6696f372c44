#!/usr/bin/env bash
# SIGKILL of the worker (and its job processes) at random moments while
# generate_amazon_content jobs write their flat files: a reader watching
# the output folder never sees a partial flatfile.txt, and every job ends
# succeeded with a whole file.
. "$top_srcdir/tests/lib.sh"
ROUNDS=${ROUNDS:-20}
PRODUCTS=200
export JOBQ_DB="$T/jobs.db" OUTPUT_DIR="$T/out" CONTENT_PROVIDER=template
export JOBQ_LEASE_SECONDS=30 JOBQ_MAX_ATTEMPTS=100 JOBQ_BACKOFF_BASE_MS=1 JOBQ_BACKOFF_MAX_MS=10
mkdir -p "$OUTPUT_DIR"
python3 - "$PRODUCTS" >"$T/payload.json" <<'PY'
import json, sys
n = int(sys.argv[1])
print(json.dumps({"marketplace": "US", "product_type": "home", "products": [
    {"sku": "SKU-%04d" % i, "title": "Stoneware mug number %d, glazed by hand" % i,
     "brand": "Acme", "features": ["11 oz", "dishwasher safe", "Grüße ☕"],
     "description": "A sturdy mug. " * 40, "keywords": ["coffee mug", "tea cup"],
     "price": "12.99", "quantity": 10} for i in range(n)]}))
PY
python3 "$top_srcdir/tests/reliability/watch_flatfiles.py" "$OUTPUT_DIR" "$PRODUCTS" "$T/stop" >"$T/watch.out" 2>&1 &
watcher=$!
track "$watcher"
kills=0
for round in $(seq 1 "$ROUNDS"); do
	"$top_builddir/jobqctl" enqueue generate_amazon_content @"$T/payload.json" >>"$T/ids" || break
	setsid "$top_builddir/jobq-worker" --concurrency 2 >>"$T/worker.log" 2>&1 &
	w=$!
	# The worker leads its own process group only once setsid has run in
	# the child: a kill of the group before that would miss it (and the
	# wait below would then wait for a daemon).
	for i in $(seq 200); do
		[ "$(ps -o pgid= -p "$w" | tr -d ' ')" = "$w" ] && break
		sleep 0.01
	done
	sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
	# The worker and its job processes share its session: kill them all.
	kill -KILL -- "-$w" 2>/dev/null && kills=$((kills + 1))
	kill -KILL "$w" 2>/dev/null   # never wait for a live worker
	wait "$w" 2>/dev/null
done
is "$kills" "$ROUNDS" "the worker was killed $ROUNDS times mid-work"
# A last worker finishes what is left; it takes its dead predecessors' jobs
# back at once.
"$top_builddir/jobq-worker" --concurrency 2 >>"$T/worker.log" 2>&1 &
w=$!
track "$w"
done_all() {
	[ "$("$top_builddir/jobqctl" --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"]["succeeded"])')" = "$ROUNDS" ]
}
wait_for 120 done_all
ok "$? -eq 0" "every job ended succeeded"
kill -TERM "$w"
wait "$w"
touch "$T/stop"
wait "$watcher"
echo "# $(tail -1 "$T/watch.out")"
partial=$(sed -n 's/.*partial=\([0-9]*\)$/\1/p' "$T/watch.out")
reads=$(sed -n 's/^reads=\([0-9]*\).*/\1/p' "$T/watch.out")
ok "${reads:-0} -gt 0" "the reader saw the flat files while they were written (${reads:-0} reads)"
is "${partial:-x}" 0 "no partial flatfile.txt was ever visible"
whole=0
for id in $(cat "$T/ids"); do
	f="$OUTPUT_DIR/$id/flatfile.txt"
	[ -f "$f" ] && [ "$(wc -l <"$f")" -eq $((PRODUCTS + 3)) ] && whole=$((whole + 1))
done
is "$whole" "$ROUNDS" "each job's flat file is whole"
done_testing
