# tests/fcgi/load.sh -- a bounded load test through nginx: 32 clients
# mixing POST /api/jobs and GETs for 20 s.  Passes when no answer is 5xx,
# every job answered 202 is in the database, and the responder's memory
# stays flat over the second half of the run.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/stack.sh"
# Under AddressSanitizer: keep its quarantine of freed memory small, so
# RSS shows the responder's own memory rather than the sanitizer's hoard,
# and let LeakSanitizer check for unreachable blocks when it exits.
export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=8:malloc_context_size=4:detect_leaks=1"
STACK_THREADS=8 stack_nginx_start || { ok "1 -eq 0" "stack starts"; done_testing; exit 1; }
out=$(python3 "$top_srcdir/tests/fcgi/load.py" "$BASE_URL" "${LOAD_SECONDS:-20}" 32 "$STACK_FCGI_PID" "$T/ids")
echo "# $(jget "$out" '{k: v for k, v in j.items() if k != "rss_kb"}')"
echo "# rss kB: $(jget "$out" 'j["rss_kb"]')"
ok "$(jget "$out" 'j["requests"]') -gt 1000" "load ran ($(jget "$out" 'j["requests"]') requests)"
is "$(jget "$out" 'sum(v for k, v in j["statuses"].items() if k.startswith("5"))')" 0 "no 5xx answer"
is "$(jget "$out" 'sorted(j["statuses"].keys())')" '["200", "202"]' "only 200 and 202 answers"
is "$(jget "$out" 'j["nerrors"]')" 0 "no connection errors"
"$top_builddir/tests/fcgi/jobq_drive" "$JOBQ_DB" ids | sort >"$T/db_ids"
missing=$(comm -23 "$T/ids" "$T/db_ids" | grep -c .)
is "$missing" 0 "every job answered 202 is in the database ($(grep -c . "$T/ids") jobs)"
# Memory: SQLite's page caches (2 MB per connection) and malloc arenas
# fill during the first half; after that RSS must level off.  The median
# of the last quarter may exceed the median of the second quarter by 30 %
# + 8 MB at most (a leak of 1 kB per request breaks that); leaks proper
# are LeakSanitizer's job at exit (sanitizer builds).
is "$(jget "$out" '(lambda r: "flat" if len(r) >= 8 and sorted(r[-len(r)//4:])[len(r)//8] <= sorted(r[len(r)//4:len(r)//2])[len(r)//8] * 1.30 + 8192 else r)(j["rss_kb"])')" \
	flat "responder RSS levels off over the second half of the run"
alive_pid=$(stack_fcgi_pid)
ok "-n \"$alive_pid\"" "the responder survived"
stack_stop
is "$?" 0 "the responder stops within 5 s after the load"
if grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$STACK_LOG" >/dev/null 2>&1; then
	ok "1 -eq 0" "no sanitizer or leak report"
	grep -A12 -E 'ERROR: (AddressSanitizer|LeakSanitizer)' "$STACK_LOG" | head -30 | sed 's/^/#   /'
fi
done_testing
