# tests/fcgi/suite.sh -- the API suite every web-server stack runs (nginx,
# Apache mod_fcgid, Apache mod_proxy_fcgi): each function checks one area
# against $BASE_URL and the database $JOBQ_DB.  Sourced after lib.sh and
# stack.sh; the helpers below speak HTTP with curl.

DRIVE="$top_builddir/tests/fcgi/jobq_drive"
CT='Content-Type: application/json'

# req METHOD PATH [curl args]: sets ST (status), BODY and HDRS (lower-case names).
req() {
	local m=$1 p=$2
	shift 2
	ST=$(curl -s --path-as-is -o "$T/body" -D "$T/hdrs" -w '%{http_code}' -X "$m" "$@" "$BASE_URL$p")
	BODY=$(cat "$T/body")
	HDRS=$(tr -d '\r' <"$T/hdrs" | sed 's/^\([^:]*\):/\L\1:/')
}
# hdr NAME: the value of a response header of the last req (name lower-case).
hdr() { printf '%s\n' "$HDRS" | sed -n "s/^$1: *//p" | head -1; }
post() { local p=$1 d=$2; shift 2; req POST "$p" -H "$CT" --data-binary "$d" "$@"; }
errcode() { jget "$BODY" 'j["error"]["code"]' 2>/dev/null; }
db_total() { jobqctl --json stats 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
alive() {
	local s
	s=$(curl -s -o /dev/null -w '%{http_code}' "$BASE_URL/api/health")
	[ "$s" = 200 ]
}

NOOP='{"type":"noop","payload":{"n":1}}'
PRODUCT='{"sku":"MUG-001","title":"Stoneware mug","brand":"Acme","features":["11 oz"]}'
CONTENT="{\"marketplace\":\"US\",\"product_type\":\"home\",\"products\":[$PRODUCT]}"

suite_endpoints() {
	local id id2 loc
	req GET /api/health
	is "$ST" 200 "$STACK_KIND: health 200"
	is "$(jget "$BODY" '[j["status"],j["db"],type(j["schema_version"]).__name__,type(j["workers_alive"]).__name__]')" \
		'["ok", "ok", "int", "int"]' "$STACK_KIND: health shape"
	is "$(hdr cache-control)" no-store "$STACK_KIND: Cache-Control: no-store"
	is "$(hdr x-content-type-options)" nosniff "$STACK_KIND: nosniff"
	is "$(hdr content-type)" "application/json; charset=utf-8" "$STACK_KIND: JSON content type"

	post /api/jobs "$NOOP"
	is "$ST" 202 "$STACK_KIND: POST /api/jobs 202"
	id=$(jget "$BODY" 'j["job_id"]')
	is "$(hdr location)" "/api/jobs/$id" "$STACK_KIND: Location names the job"
	is "$(jget "$BODY" '[j["status"],j["status_url"]]')" "[\"queued\", \"/api/jobs/$id\"]" \
		"$STACK_KIND: 202 body shape"
	req GET "/api/jobs/$id"
	is "$ST" 200 "$STACK_KIND: GET job 200"
	is "$(jget "$BODY" '[j["id"],j["type"],j["status"],j["payload"],j["attempts"],j["cancel_requested"],j["submitted_by"]]')" \
		"[\"$id\", \"noop\", \"queued\", {\"n\": 1}, 0, false, null]" "$STACK_KIND: job object"
	is "$(jget "$BODY" 'sorted(j.keys())')" '["attempts", "cancel_requested", "created_at", "error", "finished_at", "id", "max_attempts", "next_attempt_at", "payload", "priority", "progress", "progress_message", "result", "run_at", "run_ms", "started_at", "status", "submitted_by", "type", "updated_at", "wait_ms", "worker"]' \
		"$STACK_KIND: job object has every contract field"

	post /api/jobs '{"type":"noop","payload":{},"priority":7,"run_at":"2030-01-02T03:04:05.678Z","max_attempts":9,"extra":"ignored"}'
	is "$ST" 202 "$STACK_KIND: POST with priority, run_at, max_attempts"
	id2=$(jget "$BODY" 'j["job_id"]')
	req GET "/api/jobs/$id2"
	is "$(jget "$BODY" '[j["priority"],j["run_at"],j["max_attempts"]]')" \
		'[7, "2030-01-02T03:04:05.678Z", 9]' "$STACK_KIND: options stored"
	post /api/jobs '{"type":"noop","payload":{},"run_at":"2030-01-02T05:04:05+02:00"}'
	req GET "/api/jobs/$(jget "$BODY" 'j["job_id"]')"
	is "$(jget "$BODY" 'j["run_at"]')" "2030-01-02T03:04:05.000Z" "$STACK_KIND: run_at offset converted to UTC"

	# Idempotency-Key: the same key answers the first job.
	post /api/jobs "$NOOP" -H "Idempotency-Key: key-$STACK_KIND-1"
	id=$(jget "$BODY" 'j["job_id"]')
	is "$ST:$(hdr idempotent-replayed)" "202:" "$STACK_KIND: first keyed POST is not a replay"
	post /api/jobs '{"type":"noop","payload":{"n":2}}' -H "Idempotency-Key: key-$STACK_KIND-1"
	is "$ST:$(jget "$BODY" 'j["job_id"]'):$(hdr idempotent-replayed)" "202:$id:true" \
		"$STACK_KIND: same key replays the first job with Idempotent-Replayed"
	is "$(hdr location)" "/api/jobs/$id" "$STACK_KIND: replay Location"
	post /api/run/content "$CONTENT" -H "Idempotency-Key: key-$STACK_KIND-1"
	ok "'$(jget "$BODY" 'j.get("job_id")')' != '$id' -a '$ST' = 202" \
		"$STACK_KIND: same key, other type: a new job"

	# Async /api/run/content (this stack runs with ASYNC_JOBS_ENABLED=true).
	post /api/run/content "$CONTENT"
	is "$ST" 202 "$STACK_KIND: async run/content 202"
	id=$(jget "$BODY" 'j["job_id"]')
	is "$(hdr location)" "/api/jobs/$id" "$STACK_KIND: async Location"
	req GET "/api/jobs/$id"
	is "$(jget "$BODY" '[j["type"],j["payload"]["products"][0]["sku"]]')" \
		'["generate_amazon_content", "MUG-001"]' "$STACK_KIND: async job stored with its payload"
}

suite_list() {
	local ids=() i seen pages=0 cur="" n
	for i in 1 2 3 4 5; do
		post /api/jobs "{\"type\":\"test_sleep\",\"payload\":{\"ms\":1,\"i\":$i}}"
		ids+=("$(jget "$BODY" 'j["job_id"]')")
	done
	req GET "/api/jobs?type=test_sleep&limit=2"
	is "$ST" 200 "$STACK_KIND: list 200"
	is "$(jget "$BODY" '[len(j["jobs"]), j["next_cursor"] is not None, "payload" in j["jobs"][0]]')" \
		'[2, true, false]' "$STACK_KIND: first page of 2 with a cursor, no payload in rows"
	is "$(jget "$BODY" 'j["jobs"][0]["id"]')" "${ids[4]}" "$STACK_KIND: newest first"
	seen=""
	while :; do
		req GET "/api/jobs?type=test_sleep&limit=2${cur:+&cursor=$cur}"
		[ "$ST" = 200 ] || break
		seen="$seen $(jget "$BODY" '" ".join(x["id"] for x in j["jobs"])')"
		cur=$(jget "$BODY" 'j["next_cursor"] or ""')
		pages=$((pages + 1))
		[ -z "$cur" ] && break
		[ "$pages" -gt 10 ] && break
	done
	is "$pages" 3 "$STACK_KIND: 5 jobs in 3 pages of 2"
	is "$(echo $seen)" "${ids[4]} ${ids[3]} ${ids[2]} ${ids[1]} ${ids[0]}" \
		"$STACK_KIND: pages hold each job once, newest first"
	req GET "/api/jobs?status=queued&type=test_sleep&limit=500"
	n=$(jget "$BODY" 'len([x for x in j["jobs"] if x["status"]=="queued"])')
	is "$n:$(jget "$BODY" 'len(j["jobs"])')" "5:5" "$STACK_KIND: status and type filters"
	req GET "/api/jobs?status=failed&type=test_sleep"
	is "$(jget "$BODY" 'len(j["jobs"])'):$(jget "$BODY" 'j["next_cursor"]')" "0:null" \
		"$STACK_KIND: empty filter result, next_cursor null"
	req GET "/api/jobs"
	ok "$(jget "$BODY" 'len(j["jobs"])') -ge 5" "$STACK_KIND: list without filters"
	for bad in "limit=0:limit" "limit=501:limit" "limit=abc:limit" "status=bogus:status" \
		"cursor=abc:cursor" "cursor=-5:cursor" "type=Bad%20Type:type"; do
		req GET "/api/jobs?${bad%%:*}"
		is "$ST:$(errcode):$(jget "$BODY" 'j["error"]["details"][0]["field"]')" \
			"422:invalid_payload:${bad##*:}" "$STACK_KIND: ?${bad%%:*} is 422 naming ${bad##*:}"
	done

	req GET /api/jobs/stats
	is "$ST" 200 "$STACK_KIND: stats 200"
	is "$(jget "$BODY" '[sorted(j["counts"].keys()), j["total"]==sum(j["counts"].values()), j["by_type"]["test_sleep"]["queued"]>=5, isinstance(j["workers"],list), "oldest_queued_age_seconds" in j]')" \
		'[["canceled", "failed", "queued", "running", "succeeded"], true, true, true, true]' \
		"$STACK_KIND: stats shape"
	is "$(jget "$BODY" 'j["total"]')" "$(db_total)" "$STACK_KIND: stats total matches jobqctl"
}

suite_transitions() {
	local id id2
	post /api/jobs '{"type":"noop","payload":{"cancel":true}}'
	id=$(jget "$BODY" 'j["job_id"]')
	req POST "/api/jobs/$id/retry"
	is "$ST:$(errcode)" "409:conflict" "$STACK_KIND: retry of a queued job is 409"
	req POST "/api/jobs/$id/cancel"
	is "$ST:$(jget "$BODY" 'j["status"]')" "200:canceled" "$STACK_KIND: cancel a queued job"
	req POST "/api/jobs/$id/cancel"
	is "$ST:$(errcode)" "409:conflict" "$STACK_KIND: cancel again is 409"
	req GET "/api/jobs?status=canceled&limit=500"
	ok "\"$(jget "$BODY" '[x["id"] for x in j["jobs"]]' | grep -c "$id")\" = 1" \
		"$STACK_KIND: status=canceled lists it"
	req POST "/api/jobs/$id/retry"
	is "$ST:$(jget "$BODY" '[j["status"],j["attempts"]]')" '200:["queued", 0]' \
		"$STACK_KIND: retry a canceled job: queued again"
	req POST "/api/jobs/00000000-0000-7000-8000-000000000000/cancel"
	is "$ST:$(errcode)" "404:not_found" "$STACK_KIND: cancel of an unknown job is 404"

	# Through the library as a worker would: running, then failed.
	post /api/jobs '{"type":"test_fail","payload":{},"priority":999999}'
	id=$(jget "$BODY" 'j["job_id"]')
	id2=$("$DRIVE" "$JOBQ_DB" claim test_fail)
	is "$id2" "$id" "$STACK_KIND: the job is claimed"
	req GET "/api/jobs/$id"
	is "$(jget "$BODY" '[j["status"],j["attempts"],j["worker"]]')" '["running", 1, "drive:1"]' \
		"$STACK_KIND: running shows worker and attempt"
	req POST "/api/jobs/$id/cancel"
	is "$ST:$(jget "$BODY" '[j["status"],j["cancel_requested"]]')" '200:["running", true]' \
		"$STACK_KIND: cancel of a running job asks the worker"
	post /api/jobs '{"type":"test_fail","payload":{},"priority":999999}'
	id=$(jget "$BODY" 'j["job_id"]')
	"$DRIVE" "$JOBQ_DB" fail test_fail >/dev/null
	req GET "/api/jobs/$id"
	is "$(jget "$BODY" '[j["status"],j["error"]["code"]]')" '["failed", "test"]' "$STACK_KIND: failed job with its error"
	req POST "/api/jobs/$id/retry"
	is "$ST:$(jget "$BODY" '[j["status"],j["attempts"],j["error"]]')" '200:["queued", 0, null]' \
		"$STACK_KIND: retry a failed job: fresh budget"

	# The real worker, when it is built: queued -> succeeded.
	if [ -x "$top_builddir/jobq-worker" ]; then
		post /api/jobs '{"type":"noop","payload":{"worker":true},"priority":1000000}'
		id=$(jget "$BODY" 'j["job_id"]')
		"$top_builddir/jobq-worker" --once --types noop >"$T/worker.out" 2>&1
		req GET "/api/jobs/$id"
		is "$(jget "$BODY" '[j["status"],j["attempts"],j["progress"]]')" '["succeeded", 1, 100]' \
			"$STACK_KIND: jobq-worker --once runs it: succeeded" ||
			sed 's/^/#   /' "$T/worker.out" | tail -5
		req POST "/api/jobs/$id/cancel"
		is "$ST:$(errcode)" "409:conflict" "$STACK_KIND: cancel of a succeeded job is 409"
	fi
}

suite_errors() {
	req GET /api/nope
	is "$ST:$(errcode)" "404:not_found" "$STACK_KIND: unknown route 404"
	is "$(hdr content-type)" "application/json; charset=utf-8" "$STACK_KIND: 404 is JSON"
	req GET /api/jobs/not-a-uuid
	is "$ST:$(errcode)" "404:not_found" "$STACK_KIND: malformed id 404"
	req GET /api/jobs/00000000-0000-7000-8000-000000000000
	is "$ST:$(errcode)" "404:not_found" "$STACK_KIND: unknown id 404"
	req POST /api/health
	is "$ST:$(errcode):$(hdr allow)" "405:method_not_allowed:GET" "$STACK_KIND: POST /api/health 405 Allow: GET"
	req GET /api/run/content
	is "$ST:$(hdr allow)" "405:POST" "$STACK_KIND: GET /api/run/content 405 Allow: POST"
	req PUT /api/jobs
	is "$ST:$(hdr allow)" "405:POST, GET" "$STACK_KIND: PUT /api/jobs 405 Allow: POST, GET"
	req DELETE /api/jobs/00000000-0000-7000-8000-000000000000
	is "$ST:$(hdr allow)" "405:GET" "$STACK_KIND: DELETE a job 405"
	req GET /api/jobs/00000000-0000-7000-8000-000000000000/cancel
	is "$ST:$(hdr allow)" "405:POST" "$STACK_KIND: GET cancel 405 Allow: POST"
	req POST /api/jobs -H 'Content-Type: text/plain' --data-binary '{"type":"noop","payload":{}}'
	is "$ST:$(errcode)" "415:unsupported_media_type" "$STACK_KIND: text/plain is 415"
	req POST /api/jobs -H 'Content-Type: application/json; charset=utf-8' --data-binary '{"type":"noop","payload":{}}'
	is "$ST" 202 "$STACK_KIND: application/json with charset accepted"
	post /api/jobs '{"type":"noop",'
	is "$ST:$(errcode)" "400:invalid_json" "$STACK_KIND: malformed JSON 400"
	post /api/jobs '{"type":"nope","payload":[],"priority":"high","run_at":"soon","max_attempts":0}'
	is "$ST:$(errcode)" "422:invalid_payload" "$STACK_KIND: invalid fields 422"
	is "$(jget "$BODY" '[d["field"] for d in j["error"]["details"]]')" \
		'["type", "payload", "priority", "run_at", "max_attempts"]' "$STACK_KIND: 422 names each bad field"
	post /api/run/content '{"products":[]}'
	is "$ST:$(errcode):$(jget "$BODY" 'j["error"]["details"][0]["field"]')" "422:invalid_payload:products" \
		"$STACK_KIND: run/content without products 422 names products"
	post /api/jobs '{"type":"generate_amazon_content","payload":{"products":[]}}'
	is "$ST:$(jget "$BODY" 'j["error"]["details"][0]["field"]')" "422:payload.products" \
		"$STACK_KIND: /api/jobs prefixes payload fields with payload."
}

# The database locked past its busy timeout (JOBQ_BUSY_TIMEOUT_MS=500 in
# this stack): 503 + Retry-After, and nothing written.
suite_locked() {
	local before
	before=$(db_total)
	python3 - "$JOBQ_DB" "$T/locked" <<'PY' &
import sqlite3, sys, time, os
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(3)
c.execute("ROLLBACK")
PY
	local lp=$!
	wait_for 10 test -f "$T/locked"
	post /api/jobs "$NOOP"
	is "$ST:$(errcode):$(hdr retry-after)" "503:unavailable:1" "$STACK_KIND: locked database: 503 + Retry-After"
	req GET /api/health
	is "$ST" 200 "$STACK_KIND: reads still work while a writer holds the lock"
	wait "$lp"
	is "$(db_total)" "$before" "$STACK_KIND: nothing written while locked"
	post /api/jobs "$NOOP"
	is "$ST" 202 "$STACK_KIND: writes work again after the lock"
}

# The bad-input table: each case gets its 4xx, the database is unchanged
# and the responder still answers.  Columns: expected status, method,
# path, body file (or -), content type, name.  Bodies are built by
# tests/fcgi/badinput.py into $T/bad/.
suite_badinput() {
	local before after pid0 pid1 n=0 exp m p f ct name hdrs extra
	python3 "$top_srcdir/tests/fcgi/badinput.py" "$T/bad" || { ok "1 -eq 0" "badinput.py"; return; }
	before=$(db_total)
	pid0=$(stack_fcgi_pid)
	while IFS='|' read -r exp m p f ct extra name; do
		case "$exp" in ''|'#'*) continue ;; esac
		n=$((n + 1))
		hdrs=()
		[ "$ct" != - ] && hdrs+=(-H "Content-Type: $ct")
		[ "$extra" != - ] && hdrs+=(-H "$(printf '%b' "$extra")")
		if [ "$f" = - ]; then
			req "$m" "$p" "${hdrs[@]}"
		else
			req "$m" "$p" "${hdrs[@]}" --data-binary "@$T/bad/$f"
		fi
		after=$(db_total)
		# "~S": the web server may answer S itself (its own page, not JSON);
		# "4xx": any client error.
		local want=${exp#\~} got=$ST
		[ "$want" = 4xx ] && case "$ST" in 4??) got=4xx ;; esac
		if [ "$got" = "$want" ] && [ "$after" = "$before" ] && alive; then
			ok "1 -eq 1" "$STACK_KIND: bad input: $name -> $exp, nothing written"
		else
			ok "1 -eq 0" "$STACK_KIND: bad input: $name -> $exp, nothing written"
			echo "#   got $ST (rows $before -> $after): $(head -c 300 "$T/body")"
			before=$after
		fi
		# JSON error bodies from the responder (not the web server's own 413).
		if [ "$got" = "$want" ] && { [ "$exp" = "$want" ] || [ -n "$(hdr x-content-type-options)" ]; } &&
			! jget "$BODY" 'j["error"]["code"]' >/dev/null 2>&1; then
			ok "1 -eq 0" "$STACK_KIND: bad input: $name answers a JSON error"
			echo "#   body: $(head -c 200 "$T/body")"
		fi
	done <"$top_srcdir/tests/fcgi/badinput.txt"
	ok "$n -ge 30" "$STACK_KIND: bad-input table has at least 30 cases ($n)"
	pid1=$(stack_fcgi_pid)
	is "$pid1" "$pid0" "$STACK_KIND: the same responder process answered every bad input"
	if [ -n "$(grep -E 'ERROR: AddressSanitizer|runtime error' "$STACK_LOG" "$STACK_DIR"/apache/error.log 2>/dev/null | head -1)" ]; then
		ok "1 -eq 0" "$STACK_KIND: no sanitizer report"
	fi
	# SQL metacharacters and odd text are stored verbatim.
	post /api/jobs "$(cat "$T/bad/sqlmeta")"
	is "$ST" 202 "$STACK_KIND: payload with SQL metacharacters accepted"
	req GET "/api/jobs/$(jget "$BODY" 'j["job_id"]')"
	is "$(jget "$BODY" 'j["payload"]["q"]')" "$(python3 -c 'import json; print(json.load(open("'"$T/bad/sqlmeta"'"))["payload"]["q"])')" \
		"$STACK_KIND: SQL metacharacters stored verbatim"
	# A path with CR LF cannot inject a header.
	req GET "/api/jobs/x%0d%0aSet-Cookie:%20injected=1"
	is "$ST:$(hdr set-cookie)" "404:" "$STACK_KIND: CRLF in the path: 404, no injected header"
}

# The sync stream (ASYNC_JOBS_ENABLED off): progress lines reach the
# client while the job still runs.  The stack runs with JOBQ_TEST_JOBS=1
# and JOBQ_TEST_PROGRESS_DELAY_MS=150, so generate_amazon_content's own
# progress lines are 150 ms apart; a buffering proxy would deliver them
# all at once at the end.
suite_stream() {
	local out
	out=$(python3 "$top_srcdir/tests/fcgi/stream.py" "$BASE_URL/api/run/content" 5)
	echo "# line arrival (ms): $(jget "$out" 'j["times_ms"]')"
	is "$(jget "$out" 'j["status"]')" 200 "$STACK_KIND: sync run 200"
	is "$(jget "$out" '[j["headers"][0], j["headers"][2]]')" '["text/plain; charset=utf-8", "no-store"]' \
		"$STACK_KIND: sync run content type and Cache-Control"
	# nginx consumes X-Accel-* headers; Apache passes them on.
	[ "$STACK_KIND" = nginx ] || is "$(jget "$out" 'j["headers"][1]')" no \
		"$STACK_KIND: X-Accel-Buffering: no"
	is "$(jget "$out" 'j["last"].split(" ")[0]')" DONE "$STACK_KIND: the stream ends with DONE"
	is "$(jget "$out" 'json.loads(j["last"].split(" ",1)[1])["products"]')" 5 \
		"$STACK_KIND: DONE carries the result JSON"
	ok "$(jget "$out" 'sum(1 for l in j["lines"] if l.startswith("PROGRESS "))') -ge 5" \
		"$STACK_KIND: a progress line per product"
	ok "$(jget "$out" 'int(j["first_progress_before_end_ms"])') -ge 900" \
		"$STACK_KIND: the first progress line arrived >= 0.9 s before the end (streamed, not buffered)"
	ok "$(jget "$out" 'int(j["spread_ms"])') -ge 900" \
		"$STACK_KIND: progress lines arrived spread over time"
	post /api/run/content '{"products":[]}'
	is "$ST:$(errcode)" "422:invalid_payload" "$STACK_KIND: sync run validates first (422)"
	is "$(db_total)" 0 "$STACK_KIND: the sync run wrote no job"
}

# suite_run_stack KIND: the whole suite on one kind of stack (nginx, fcgid,
# proxy): a sync stack for the stream, then an async stack for the rest.
suite_run_stack() {
	local start="stack_$1_start"
	export JOBQ_TEST_JOBS=1
	JOBQ_TEST_PROGRESS_DELAY_MS=150 $start || { ok "1 -eq 0" "$1 stack starts"; done_testing; exit 1; }
	suite_stream
	stack_stop
	is "$?" 0 "$STACK_KIND: responder stopped within 5 s"
	ASYNC_JOBS_ENABLED=true JOBQ_BUSY_TIMEOUT_MS=500 $start || { ok "1 -eq 0" "$1 stack restarts"; done_testing; exit 1; }
	suite_endpoints
	suite_list
	suite_transitions
	suite_errors
	suite_badinput
	suite_locked
	stack_stop
	is "$?" 0 "$STACK_KIND: responder stopped within 5 s"
	if grep -E 'ERROR: AddressSanitizer|runtime error:' "$STACK_LOG" "$STACK_DIR"/apache/error.log >/dev/null 2>&1; then
		ok "1 -eq 0" "$STACK_KIND: no sanitizer report in the logs"
		stack_logs
	fi
}
