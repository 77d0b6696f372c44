#!/usr/bin/env bash
# Disk full during an enqueue: the database sits on a small tmpfs that is
# filled to the last byte. POST /api/jobs must answer 503 unavailable with
# Retry-After, write nothing, leave the database sound, and work again as
# soon as space is freed.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/stack.sh"
mnt="$T/small"
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=4m,mode=0777 tmpfs "$mnt" 2>/dev/null; then
	skip_all "cannot mount a tmpfs here (needs root)"
fi
trap 'stack_stop >/dev/null 2>&1; umount -l "$mnt" 2>/dev/null; cleanup' EXIT
export JOBQ_DB="$mnt/db/jobs.db"
stack_nginx_start || { ok "1 -eq 0" "stack starts"; done_testing; exit 1; }
post() {
	curl -s -o "$T/body" -D "$T/head" -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary @"$1" "$BASE_URL/api/jobs"
}
total() { "$top_builddir/jobqctl" --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
python3 -c 'import json; print(json.dumps({"type":"noop","payload":{"pad":"x"*200000}}))' >"$T/big.json"
is "$(post "$T/big.json")" 202 "an enqueue works while there is room"
before=$(total)
# Fill every remaining byte.
dd if=/dev/zero of="$mnt/filler" bs=64k >/dev/null 2>&1
dd if=/dev/zero of="$mnt/filler2" bs=512 >/dev/null 2>&1
code=$(post "$T/big.json")
is "$code" 503 "a full disk answers 503"
is "$(jget "$(cat "$T/body")" 'j["error"]["code"]')" unavailable "with the unavailable error code"
ok "\"\$(grep -ci '^Retry-After:' '$T/head')\" -eq 1" "and Retry-After"
rm -f "$mnt/filler" "$mnt/filler2"
is "$(total)" "$before" "nothing was written by the failed enqueue"
out=$("$top_builddir/jobqctl" check 2>&1)
is "$?" 0 "the database is sound after the full disk ($out)"
is "$(post "$T/big.json")" 202 "with space freed, enqueues work again"
is "$(curl -s -o /dev/null -w '%{http_code}' "$BASE_URL/api/health")" 200 "health is ok again"
stack_stop
done_testing
