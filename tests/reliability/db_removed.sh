#!/usr/bin/env bash
# The database removed, then replaced by garbage, under a running responder:
# clear 503 answers (never a 202 written into the void, never a crash), and
# service back as soon as the file is restored from a backup.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/stack.sh"
ASYNC_JOBS_ENABLED=true stack_nginx_start || { ok "1 -eq 0" "stack starts"; done_testing; exit 1; }
code() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }
post() { code -H 'Content-Type: application/json' --data-binary '{"type":"noop","payload":{}}' "$BASE_URL/api/jobs"; }
is "$(post)" 202 "a job is accepted"
id=$(jget "$(cat "$T/body")" 'j["job_id"]')
sqlite3 "$JOBQ_DB" ".backup '$T/backup.db'"
ok "-s '$T/backup.db'" "a backup is taken while running (sqlite3 .backup)"

rm -f "$JOBQ_DB" "$JOBQ_DB-wal" "$JOBQ_DB-shm"
is "$(code "$BASE_URL/api/health")" 503 "health answers 503 once the file is gone"
is "$(post)" 503 "an enqueue answers 503, not a 202 into a deleted file"
is "$(jget "$(cat "$T/body")" 'j["error"]["code"]')" unavailable "with the unavailable error"
is "$(code "$BASE_URL/api/jobs/$id")" 503 "reads answer 503 too"
ok "! -e '$JOBQ_DB'" "no empty database was created in its place"
ok "-n \"\$(stack_fcgi_pid)\"" "the responder is still running"

head -c 65536 /dev/urandom >"$JOBQ_DB"
chown www-data:www-data "$JOBQ_DB" 2>/dev/null
is "$(code "$BASE_URL/api/health")" 503 "a garbage file in its place: still 503"
is "$(post)" 503 "and no enqueue"

cp "$T/backup.db" "$JOBQ_DB.tmp" && mv "$JOBQ_DB.tmp" "$JOBQ_DB"
chown www-data:www-data "$JOBQ_DB" 2>/dev/null
chmod 0660 "$JOBQ_DB"
is "$(code "$BASE_URL/api/health")" 200 "restored from the backup: health 200"
is "$(code "$BASE_URL/api/jobs/$id")" 200 "the job from before is readable again"
is "$(post)" 202 "enqueues work again"
new=$(jget "$(cat "$T/body")" 'j["job_id"]')
out=$("$top_builddir/jobqctl" show "$new" 2>&1)
is "$?" 0 "the new job is in the restored file"
grep -q 'event=db_unavailable' "$STACK_LOG"
ok "$? -eq 0" "the responder logged why it answered 503"
stack_stop
done_testing
