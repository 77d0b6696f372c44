#!/usr/bin/env bash
# provider.sh -- the openai provider against the loopback stand-in: what
# it sends (checked by the stand-in), parallelism, and how each failure
# ends: delay, timeout, 429 + Retry-After, 500, 401, a missing key,
# truncated and non-JSON answers, garbage fields repaired.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/content/lib.sh"

export CONTENT_PROVIDER=openai OPENAI_API_KEY=sk-test-key CONTENT_PARALLELISM=2
P="$T/p3.json"
payload "$P" 3
L="$T/oai.log"

# ok: every request passes the stand-in's checks.
start_stub openai "$L" --delay-ms 300
export OPENAI_BASE_URL="$STUB_URL/v1"
payload "$T/p4.json" 4
run_content "$T/p4.json" --job-id ok-job
is "$RC" JOB_OK "good answers: the job succeeds"
is "$(count "$L" 'r["problems"]')" 0 "stand-in found nothing wrong (Bearer, model, response_format, sku in the user message)"
is "$(count "$L" True)" 4 "one request per product"
is "$(jget "$OUT" 'j["provider"]')" openai "result names the provider"
is "$(jget "$OUT" 'j["usage"]')" '{"prompt_tokens": 400, "completion_tokens": 200}' "usage summed over products"
is "$(jget "$OUT" 'j["items"][0]["item_name"]')" "Acme Test product 1 (SKU-1)" "item name from the model"
is "$(jget "$OUT" 'j["flatfile"]')" "ok-job/flatfile.txt" "flat file under the job id"
is "$(wc -l <"$OUTPUT_DIR/ok-job/flatfile.txt")" 7 "flat file: 3 header rows + 4 products"
is "$(count "$L" 'r["inflight"] > 2')" 0 "never more than CONTENT_PARALLELISM=2 requests in flight"
ok "$(count "$L" 'r["inflight"] == 2') -ge 1" "requests do run in parallel"
grep -q 'Generated content 4/4' "$T/progress"; ok "$? -eq 0" "progress: Generated content 4/4"
is "$(tail -1 "$T/progress")" "PROGRESS 100 Wrote flat file" "progress ends at 100"
is "$(cat "$T/driver.out" "$T/driver.err" | grep -c sk-test-key)" 0 "the API key is in neither the result nor the log"
stop_stub "$STUB_PID"

# A wrong model is noticed by the stand-in (400): permanent, not retried.
start_stub openai "$L" --model other-model
export OPENAI_BASE_URL="$STUB_URL/v1"
run_content "$P"
is "$RC" JOB_PERMANENT "HTTP 400 (wrong model): permanent"
is "$(jget "$OUT" 'j["code"]')" provider_error "code provider_error"
ok "$(count "$L" True) -le 3" "not retried"
stop_stub "$STUB_PID"

# Redirects are never followed (endpoints come only from configuration).
start_stub openai "$L" --mode redirect
export OPENAI_BASE_URL="$STUB_URL/v1"
run_content "$P"
is "$RC" JOB_PERMANENT "a 307 redirect: permanent, not followed"
is "$(count "$L" '"redirected" in r["path"]')" 0 "the redirect target got no request"
stop_stub "$STUB_PID"

# A delay within the timeout is just slow; past it, the request is retried.
start_stub openai "$L" --mode delay --fail-times 1 --fail-delay-ms 3000
export OPENAI_BASE_URL="$STUB_URL/v1"
CONTENT_TEST_TIMEOUT_MS=1000 run_content "$P"
is "$RC" JOB_OK "a request past the total timeout is retried and succeeds"
is "$(count "$L" 'r["attempt"] == 2')" 3 "each product asked twice"
stop_stub "$STUB_PID"
start_stub openai "$L" --mode delay --fail-delay-ms 3000
export OPENAI_BASE_URL="$STUB_URL/v1"
CONTENT_TEST_TIMEOUT_MS=700 CONTENT_TEST_TRIES=2 run_content "$P"
is "$RC" JOB_TRANSIENT "always too slow: transient failure (the queue retries later)"
is "$(jget "$OUT" 'j["code"]')" provider_unavailable "code provider_unavailable"
ok "$(count "$L" 'r["attempt"] > 2') -eq 0" "no more than CONTENT_TEST_TRIES=2 attempts per product"
stop_stub "$STUB_PID"

# 429 with Retry-After: waits as told, then succeeds.
start_stub openai "$L" --mode 429 --fail-times 1 --retry-after 1
export OPENAI_BASE_URL="$STUB_URL/v1"
run_content "$P"
is "$RC" JOB_OK "429 + Retry-After: 1 then success"
gap=$(python3 -c 'import json,sys
t={}
for l in open(sys.argv[1]):
    r=json.loads(l); t.setdefault(r["sku"],[]).append(r["t"])
print(min(v[1]-v[0] for v in t.values()) >= 0.95)' "$L")
is "$gap" True "the retry came no sooner than Retry-After said"
stop_stub "$STUB_PID"
start_stub openai "$L" --mode 429 --retry-after 600
export OPENAI_BASE_URL="$STUB_URL/v1"
run_content "$P"
is "$RC" JOB_TRANSIENT "429 with a Retry-After past the bound: transient at once"
ok "$(count "$L" 'r["attempt"] > 1') -eq 0" "no retry inside the job"
jget "$OUT" 'j["message"]' | grep -q 'Retry-After'; ok "$? -eq 0" "the message says why"
stop_stub "$STUB_PID"

# 500: retried with backoff; for good it is transient.
start_stub openai "$L" --mode 500 --fail-times 2
export OPENAI_BASE_URL="$STUB_URL/v1"
run_content "$P"
is "$RC" JOB_OK "500 twice then success"
is "$(count "$L" 'r["attempt"] == 3')" 3 "third attempt of each product succeeded"
stop_stub "$STUB_PID"
start_stub openai "$L" --mode 500
export OPENAI_BASE_URL="$STUB_URL/v1"
n0=$(find "$OUTPUT_DIR" -name 'flatfile*' | wc -l)
run_content "$P"
is "$RC" JOB_TRANSIENT "500 every time: transient"
is "$(jget "$OUT" 'j["code"]')" provider_unavailable "code provider_unavailable"
ok "$(count "$L" 'r["attempt"] > 3') -eq 0" "at most CONTENT_TEST_TRIES attempts"
is "$(find "$OUTPUT_DIR" -name 'flatfile*' | wc -l)" "$n0" "no flat file (nor temp file) from a failed job"
stop_stub "$STUB_PID"

# 401 and a wrong key: permanent at once, no retries.
start_stub openai "$L" --mode 401
export OPENAI_BASE_URL="$STUB_URL/v1"
run_content "$P"
is "$RC" JOB_PERMANENT "401: permanent"
is "$(jget "$OUT" 'j["code"]')" provider_auth "code provider_auth"
ok "$(count "$L" 'r["attempt"] > 1') -eq 0" "401 is never retried"
jget "$OUT" 'j["message"]' | grep -q OPENAI_API_KEY; ok "$? -eq 0" "the message names OPENAI_API_KEY"
stop_stub "$STUB_PID"
start_stub openai "$L" --key the-right-key
export OPENAI_BASE_URL="$STUB_URL/v1"
run_content "$P"
is "$RC" JOB_PERMANENT "a wrong key (stand-in answers 401): permanent"
is "$(cat "$T/driver.out" "$T/driver.err" | grep -c sk-test-key)" 0 "the key is not echoed in the error or the log"
stop_stub "$STUB_PID"
start_stub openai "$L"
export OPENAI_BASE_URL="$STUB_URL/v1"
OPENAI_API_KEY= run_content "$P"
is "$RC" JOB_PERMANENT "no OPENAI_API_KEY: permanent"
jget "$OUT" 'j["message"]' | grep -q OPENAI_API_KEY; ok "$? -eq 0" "the message names OPENAI_API_KEY"
is "$(count "$L" True)" 0 "and nothing was sent"

# Truncated, non-JSON and non-object answers.
stop_stub "$STUB_PID"
start_stub openai "$L" --mode truncated --fail-times 1
export OPENAI_BASE_URL="$STUB_URL/v1"
run_content "$P"
is "$RC" JOB_OK "a truncated answer is retried"
stop_stub "$STUB_PID"
start_stub openai "$L" --mode truncated
export OPENAI_BASE_URL="$STUB_URL/v1"
run_content "$P"
is "$RC" JOB_TRANSIENT "always truncated: transient"
stop_stub "$STUB_PID"
start_stub openai "$L" --mode nonjson
export OPENAI_BASE_URL="$STUB_URL/v1"
run_content "$P"
is "$RC" JOB_TRANSIENT "non-JSON answers: transient"
is "$(jget "$OUT" 'j["code"]')" provider_bad_response "code provider_bad_response"
ok "$(count "$L" 'r["attempt"] > 3') -eq 0" "tried at most CONTENT_TEST_TRIES times"
stop_stub "$STUB_PID"
start_stub openai "$L" --mode badcontent --fail-times 1
export OPENAI_BASE_URL="$STUB_URL/v1"
run_content "$P"
is "$RC" JOB_OK "content that is not a JSON object is asked again"
stop_stub "$STUB_PID"

# Garbage fields: repaired from the template provider's output.
start_stub openai "$L" --mode garbage
export OPENAI_BASE_URL="$STUB_URL/v1"
run_content "$P" --job-id garbage
is "$RC" JOB_OK "garbage fields: the job succeeds"
is "$(jget "$OUT" 'j["items"][0]["item_name"]')" "Acme Test product 1, feature one of 1, feature two" "the 500-character item name was replaced by the template's"
row=$(sed -n 4p "$OUTPUT_DIR/garbage/flatfile.txt")
is "$(printf '%s' "$row" | awk -F'\t' '{print NF}')" 23 "row of 23 columns"
is "$(printf '%s' "$row" | cut -f8)" "ok bullet" "a good bullet of the model is kept"
is "$(printf '%s' "$row" | cut -f7)" "Feature one of 1" "a bad bullet is repaired"
is "$(printf '%s' "$row" | cut -f12)" "test product 1" "missing keywords repaired"
stop_stub "$STUB_PID"

# Nothing listening: transient.
CONTENT_TEST_TRIES=2 OPENAI_BASE_URL="http://127.0.0.1:$(free_port)/v1" run_content "$P"
is "$RC" JOB_TRANSIENT "provider unreachable: transient"
done_testing
