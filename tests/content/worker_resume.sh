#!/usr/bin/env bash
# worker_resume.sh -- the real jobq-worker: a generate_amazon_content job
# whose worker is killed (SIGKILL, with its job process) mid-way is taken
# back by the next worker, which resumes from the checkpoints in the
# database: the OpenAI stand-in sees no second request for a SKU that was
# finished before the kill.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/content/lib.sh"
[ -x "$top_builddir/jobq-worker" ] || skip_all "jobq-worker not built"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"

export JOBQ_DB="$T/jobs.db" CONTENT_PROVIDER=openai OPENAI_API_KEY=sk-test-key \
	CONTENT_PARALLELISM=2 JOBQ_BACKOFF_BASE_MS=50 JOBQ_BACKOFF_MAX_MS=100
L="$T/oai.log"
start_stub openai "$L" --delay-ms 400
export OPENAI_BASE_URL="$STUB_URL/v1"
ctl() { "$top_builddir/jobqctl" "$@"; }
ctl migrate >/dev/null
payload "$T/p.json" 12
id=$(ctl enqueue generate_amazon_content "$(cat "$T/p.json")")
ok "-n '$id'" "job enqueued"

setsid "$top_builddir/jobq-worker" --concurrency 1 >"$T/w1.log" 2>&1 &
w=$!
track "$w"
ckpts() { sqlite3 "$JOBQ_DB" "SELECT count(*) FROM job_checkpoints WHERE job_id='$id'" 2>/dev/null || echo 0; }
some_done() { [ "$(ckpts)" -ge 4 ]; }
wait_for 30 some_done
ok "$? -eq 0" "the first worker checkpointed $(ckpts) products"
kill -KILL -- "-$w" 2>/dev/null
wait "$w" 2>/dev/null
done_skus=$(sqlite3 "$JOBQ_DB" "SELECT substr(key, 9) FROM job_checkpoints WHERE job_id='$id'")
sleep 0.6    # requests of the killed attempt still arriving
before=$(wc -l <"$L")
is "$(ctl --json show "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" running \
	"the killed worker left the job running"

"$top_builddir/jobq-worker" --concurrency 1 >"$T/w2.log" 2>&1 &
w2=$!
track "$w2"
status() { ctl --json show "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'; }
finished() { [ "$(status)" = succeeded ]; }
wait_for 60 finished
ok "$? -eq 0" "the next worker takes the job back and finishes it"
job=$(ctl --json show "$id")
is "$(jget "$job" 'j["result"]["products"]')" 12 "result has all 12 products"
again=$(tail -n +$((before + 1)) "$L" | python3 -c 'import json,sys
done=set(sys.argv[1].split())
print(sum(1 for l in sys.stdin if json.loads(l)["sku"] in done))' "$done_skus")
is "$again" 0 "no second request for a SKU finished before the kill ($(echo $done_skus))"
is "$(tail -n +$((before + 1)) "$L" | wc -l)" $((12 - $(echo "$done_skus" | wc -w))) "one request per SKU still to do"
is "$(wc -l <"$OUTPUT_DIR/$id/flatfile.txt")" 15 "the flat file has every product"
is "$(grep -c sk-test-key "$T/w1.log" "$T/w2.log" | awk -F: '{s+=$2} END {print s}')" 0 "the key is in no worker log"
kill -TERM "$w2"
wait "$w2"
is "$?" 0 "the worker stops cleanly"
done_testing
