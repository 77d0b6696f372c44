#!/usr/bin/env bash
# Disk full while the flat file is written: the attempt fails transiently
# (queued again with its error), no partial flatfile.txt or temp file is
# left, and the retry succeeds once there is room.
. "$top_srcdir/tests/lib.sh"
mnt="$T/small"
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=2m,mode=0777 tmpfs "$mnt" 2>/dev/null; then
	skip_all "cannot mount a tmpfs here (needs root)"
fi
trap 'umount -l "$mnt" 2>/dev/null; cleanup' EXIT
export JOBQ_DB="$T/jobs.db" OUTPUT_DIR="$mnt/out" CONTENT_PROVIDER=template
export JOBQ_MAX_ATTEMPTS=5 JOBQ_BACKOFF_BASE_MS=1500 JOBQ_BACKOFF_MAX_MS=1500
mkdir -p "$OUTPUT_DIR"
ctl() { "$top_builddir/jobqctl" "$@"; }
python3 - >"$T/payload.json" <<'PY'
import json
print(json.dumps({"products": [{"sku": "SKU-%03d" % i, "title": "Mug %d" % i, "brand": "Acme",
    "description": "A sturdy mug. " * 60} for i in range(100)]}))
PY
dd if=/dev/zero of="$mnt/filler" bs=64k >/dev/null 2>&1
dd if=/dev/zero of="$mnt/filler2" bs=512 >/dev/null 2>&1
id=$(ctl enqueue generate_amazon_content @"$T/payload.json")
"$top_builddir/jobq-worker" >"$T/worker.log" 2>&1 &
w=$!
track "$w"
attempted() { [ "$(jget "$(ctl --json show "$id")" 'j["attempts"]')" -ge 1 ] && [ "$(jget "$(ctl --json show "$id")" 'j["status"]')" != running ]; }
wait_for 30 attempted
j=$(ctl --json show "$id")
is "$(jget "$j" 'j["status"]')" queued "a full disk fails the attempt transiently: queued again"
ok "\"$(jget "$j" 'j["next_attempt_at"]')\" != None" "with a next attempt scheduled"
msg=$(jget "$j" 'j["error"]["message"]')
ok "\"\$(echo \"\$msg\" | grep -ci 'space')\" -ge 1" "the error says the disk is full: $msg"
ok "! -e '$OUTPUT_DIR/$id/flatfile.txt'" "no flatfile.txt was left"
is "$(find "$OUTPUT_DIR" -type f | wc -l)" 0 "and no temp file either"
rm -f "$mnt/filler" "$mnt/filler2"
done_ok() { [ "$(jget "$(ctl --json show "$id")" 'j["status"]')" = succeeded ]; }
wait_for 30 done_ok
ok "$? -eq 0" "with room again the retry succeeds"
is "$(wc -l <"$OUTPUT_DIR/$id/flatfile.txt")" 103 "and its flat file is whole"
is "$(stat -c %a "$OUTPUT_DIR/$id")" 750 "the job's output folder is 0750"
is "$(stat -c %a "$OUTPUT_DIR/$id/flatfile.txt")" 640 "the flat file is 0640"
kill -TERM "$w"
wait "$w"
done_testing
