#!/usr/bin/env bash
# resume.sh -- checkpoints and the rest of a run: a job killed (SIGKILL)
# mid-way and run again does not ask the provider again for the products
# it finished; a finished job run again asks nothing; cancel stops it;
# the quick start of the README (examples/, template provider) works, in
# the sync stream too (no job id: a fresh UUIDv7 names the output).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/content/lib.sh"

export CONTENT_PROVIDER=openai OPENAI_API_KEY=sk-test-key CONTENT_PARALLELISM=2
L="$T/oai.log"
C="$T/ckpt.json"
payload "$T/p.json" 12
start_stub openai "$L" --delay-ms 400
export OPENAI_BASE_URL="$STUB_URL/v1"

"$DRIVER" "$T/p.json" --job-id resume --checkpoints "$C" >"$T/first.out" 2>&1 &
pid=$!
track "$pid"
finished() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$C" 2>/dev/null || echo 0; }
four_done() { [ "$(finished)" -ge 4 ]; }
wait_for 30 four_done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
ok "$(finished) -ge 4" "the killed run had checkpointed $(finished) products"
grep -q '^RC ' "$T/first.out"; ok "$? -ne 0" "and was killed before it finished"
done_skus=$(python3 -c 'import json,sys; print(" ".join(k.split(":",1)[1] for k in json.load(open(sys.argv[1]))))' "$C")
sleep 0.6    # requests of the killed run still in the stand-in
before=$(wc -l <"$L")
run_content "$T/p.json" --job-id resume --checkpoints "$C"
is "$RC" JOB_OK "the rerun finishes the job"
is "$(jget "$OUT" 'j["products"]')" 12 "with all 12 products"
again=$(tail -n +$((before + 1)) "$L" | python3 -c 'import json,sys
done=set(sys.argv[1].split())
print(sum(1 for l in sys.stdin if json.loads(l)["sku"] in done))' "$done_skus")
is "$again" 0 "the stand-in saw no second request for a finished SKU ($done_skus)"
is "$(tail -n +$((before + 1)) "$L" | wc -l)" $((12 - $(echo "$done_skus" | wc -w))) "exactly one request per unfinished SKU"
is "$(jget "$OUT" 'j["usage"]["prompt_tokens"]')" 1200 "usage counts restored products too"
is "$(wc -l <"$OUTPUT_DIR/resume/flatfile.txt")" 15 "flat file of 12 products"
grep -q "Starting: 12 products, $(echo "$done_skus" | wc -w) already generated" "$T/progress"
ok "$? -eq 0" "progress says what was restored"

before=$(wc -l <"$L")
run_content "$T/p.json" --job-id resume --checkpoints "$C"
is "$RC" JOB_OK "a finished job run again succeeds"
is "$(wc -l <"$L")" "$before" "without a single provider request"

# A corrupt checkpoint is ignored, not fatal: that product is redone.
python3 - "$C" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["product:SKU-1"] = "{not json"
json.dump(c, open(sys.argv[1], "w"))
PY
run_content "$T/p.json" --job-id resume --checkpoints "$C"
is "$RC" JOB_OK "a corrupt checkpoint is ignored"
is "$(wc -l <"$L")" "$((before + 1))" "and only that product is asked again"
stop_stub "$STUB_PID"

# Cancel while the provider is slow: noticed within seconds, not after
# the answers (10 s) come.
start_stub openai "$L" --delay-ms 10000
export OPENAI_BASE_URL="$STUB_URL/v1"
t0=$(date +%s%N)
CONTENT_TEST_TIMEOUT_MS=30000 run_content "$T/p.json" --job-id slow --cancel-after-ms 1000
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$RC" JOB_CANCELED "cancel during slow provider requests"
ok "$ms -lt 6000" "stopped after $ms ms (the answers take 10 s)"
ok "$(grep -c 'PROGRESS 0 Starting' "$T/progress") -ge 2" "the last progress was repeated while waiting"
stop_stub "$STUB_PID"

export CONTENT_PROVIDER=template

# A job id is a folder name: one that could leave OUTPUT_DIR is refused.
run_content "$T/p.json" --job-id ../escape
is "$RC" JOB_PERMANENT "a job id with ../ is refused"
ok "! -e $T/escape" "nothing written outside OUTPUT_DIR"

# Cancel: the progress callback says stop.
run_content "$T/p.json" --job-id canceled --cancel-at 30
is "$RC" JOB_CANCELED "progress callback asks to stop: canceled"
is "$(jget "$OUT" 'j["code"]')" canceled "error code canceled"
ok "! -e $OUTPUT_DIR/canceled/flatfile.txt" "no flat file"

# Quick start: the examples with the template provider, sync stream.
export IMAGE_ROOT="$EXAMPLES/images" PUBLISH_DIR="$T/pub" PUBLIC_BASE_URL=http://localhost/img
run_content "$EXAMPLES/products.json"
is "$RC" JOB_OK "examples/products.json with the template provider"
is "$(jget "$OUT" '[j["products"], j["images_published"], j["images_reused"], j["provider"]]')" \
	'[3, 4, 0, "template"]' "3 products, 4 images published"
ff=$(jget "$OUT" 'j["flatfile"]')
ok "$(expr "$ff" : '[0-9a-f]\{8\}-[0-9a-f]\{4\}-7[0-9a-f]\{3\}-[89ab][0-9a-f]\{3\}-[0-9a-f]\{12\}/flatfile.txt$') -gt 0" "sync stream: output under a fresh UUIDv7 ($ff)"
is "$(awk -F'\t' '{print NF}' "$OUTPUT_DIR/$ff" | sort -u)" 23 "every row has 23 columns"
is "$(sed -n 3p "$OUTPUT_DIR/$ff" | cut -f1-5)" "$(printf 'feed_product_type\titem_sku\tupdate_delete\tbrand_name\titem_name')" "row 3: attribute names"
is "$(sed -n 4p "$OUTPUT_DIR/$ff" | cut -f1-5)" "$(printf 'kitchen\tMUG-001\tUpdate\tAcme\tAcme Stoneware coffee mug, 11 oz capacity, Dishwasher and microwave safe')" "first product row"
is "$(sed -n 5p "$OUTPUT_DIR/$ff" | cut -f1,11)" "$(printf 'home\tHeight 45 cm; Assembly in under a minute')" "payload product_type as default; extra features share bullet 5"
first=$(cat "$T/progress" | cut -d' ' -f2 | head -1)
sorted=$(cut -d' ' -f2 "$T/progress" | sort -n | tr '\n' ' ')
is "$(cut -d' ' -f2 "$T/progress" | tr '\n' ' ')" "$sorted" "progress percent never goes back"
run_content "$EXAMPLES/products.json"
is "$(jget "$OUT" '[j["images_published"], j["images_reused"]]')" "[0, 4]" "run again: all images reused"
done_testing
