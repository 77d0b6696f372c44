#!/usr/bin/env bash
# images.sh -- image checks and publishing: local and s3 (against the
# stand-in, which verifies the SigV4 signature, x-amz-content-sha256 and
# the body), reuse of images already published, and path attacks ("../",
# absolute, a symlink out of the root, a script renamed .jpg, a 20 MB
# file): each refused clearly with nothing uploaded.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/content/lib.sh"

R="$T/root"
mkdir -p "$R/mug" "$T/outside" "$R/sub"
cp "$EXAMPLES/images/mug/front.jpg" "$EXAMPLES/images/mug/side.png" "$R/mug/"
cp "$EXAMPLES/images/lamp/main.jpg" "$T/outside/secret.jpg"
ln -s ../mug/front.jpg "$R/sub/same.jpg"              # inside: allowed
ln -s "$T/outside/secret.jpg" "$R/escape.jpg"          # out of the root
ln -s "$T/outside" "$R/outdir"                         # a folder out of it
printf '#!/bin/sh\necho pwned\n' >"$R/script.jpg"
{ head -c 4 "$R/mug/front.jpg"; head -c $((20 * 1024 * 1024)) /dev/zero; } >"$R/big.jpg"
mkdir "$R/folder.jpg"
export IMAGE_ROOT="$R" PUBLISH_DIR="$T/pub" PUBLIC_BASE_URL="https://cdn.test/img/"

# Local publishing.
payload "$T/good.json" 2 mug/front.jpg mug/side.png sub/same.jpg
run_content "$T/good.json" --job-id local1
is "$RC" JOB_OK "local: images published"
is "$(jget "$OUT" 'j["images_published"]')" 2 "two distinct images copied"
is "$(jget "$OUT" 'j["images_reused"]')" 4 "the same content again (symlink inside the root, second product) is reused"
is "$(ls "$T/pub" | wc -l)" 2 "PUBLISH_DIR holds two files, no temp files"
sha=$(sha256sum "$R/mug/front.jpg" | cut -d' ' -f1)
is "$(jget "$OUT" 'j["items"][0]["image_urls"][0]')" "https://cdn.test/img/$sha.jpg" "URL under PUBLIC_BASE_URL, named by content"
cmp -s "$R/mug/front.jpg" "$T/pub/$sha.jpg"; ok "$? -eq 0" "the copy is the image"
is "$(sed -n 4p "$OUTPUT_DIR/local1/flatfile.txt" | cut -f15)" "https://cdn.test/img/$sha.jpg" "main_image_url in the flat file"
run_content "$T/good.json" --job-id local2
is "$(jget "$OUT" '[j["images_published"], j["images_reused"]]')" "[0, 6]" "another job with the same images uploads nothing"

# Attacks: refused before anything is published, naming product and image.
attack() {   # attack PATH WANT-RC WANT-TEXT NAME
	rm -rf "$T/pub"
	python3 - "$T/attack.json" "$1" <<'PY'
import json, sys
json.dump({"products": [
    {"sku": "OK-1", "title": "Fine", "brand": "Acme", "images": ["mug/front.jpg"]},
    {"sku": "BAD-2", "title": "Evil", "brand": "Acme", "images": [sys.argv[2]]}]},
    open(sys.argv[1], "w"))
PY
	run_content "$T/attack.json"
	is "$RC" "$2" "$4: $2"
	printf '%s' "$OUT" | grep -q -- "$3"; ok "$? -eq 0" "$4: says \"$3\""
	ok "$(ls -A "$T/pub" 2>/dev/null | wc -l) -eq 0" "$4: nothing published"
}
attack "../outside/secret.jpg" INVALID "products\[1\].images\[0\]" "../ path"
attack "mug/../../outside/secret.jpg" INVALID "may not contain '..'" "nested ../"
attack "$T/outside/secret.jpg" INVALID "not absolute" "absolute path"
attack "escape.jpg" JOB_PERMANENT 'BAD-2: image \\"escape.jpg\\" leaves IMAGE_ROOT' "symlink out of the root"
attack "outdir/secret.jpg" JOB_PERMANENT "leaves IMAGE_ROOT" "symlinked folder out of the root"
attack "script.jpg" JOB_PERMANENT "is not a JPEG, PNG, GIF or TIFF image" "a script renamed .jpg"
attack "big.jpg" JOB_PERMANENT "over the 10 MB limit" "a 20 MB file"
attack "missing.jpg" JOB_PERMANENT "does not exist" "a missing file"
attack "folder.jpg" JOB_PERMANENT "not a regular file" "a folder"
is "$(jget "$OUT" 'j["code"]')" invalid_image "error code invalid_image"

# A payload that skipped the submission check cannot crash the run.
python3 -c 'import json; json.dump({"products":[{"title":"no sku"},{"sku":"A","title":"T","brand":"B","images":["/etc/passwd"]}]}, open("'"$T/unchecked.json"'","w"))'
CONTENT_TEST_NO_VALIDATE=1 run_content "$T/unchecked.json"
is "$RC" JOB_PERMANENT "an unchecked bad payload: permanent, no crash"
is "$(jget "$OUT" 'j["code"]')" invalid_payload "code invalid_payload"

# Configuration errors name the key.
env -u IMAGE_ROOT "$DRIVER" "$T/good.json" >"$T/o" 2>&1
grep -q 'IMAGE_ROOT is not set' "$T/o"; ok "$? -eq 0" "images without IMAGE_ROOT: the error names IMAGE_ROOT"
env -u PUBLISH_DIR "$DRIVER" "$T/good.json" >"$T/o" 2>&1
grep -q 'PUBLISH_DIR is not set' "$T/o"; ok "$? -eq 0" "local publishing without PUBLISH_DIR: named"
grep -q '^RC JOB_PERMANENT' "$T/o"; ok "$? -eq 0" "configuration errors are permanent"

# S3: signed path-style PUTs, verified by the stand-in.
L="$T/s3.log"
start_stub s3 "$L" --region eu-test-1 --access-key AKIDSTUB --secret stub-secret-key
export IMAGE_PUBLISHER=s3 S3_ENDPOINT="$STUB_URL" S3_BUCKET=test-bucket S3_REGION=eu-test-1 \
	AWS_ACCESS_KEY_ID=AKIDSTUB AWS_SECRET_ACCESS_KEY=stub-secret-key \
	S3_PUBLIC_BASE_URL=https://img.test.example
run_content "$T/good.json"
is "$RC" JOB_OK "s3: images published"
is "$(count "$L" 'r["problems"]')" 0 "stand-in verified every signature (region, service s3), x-amz-content-sha256 and body"
is "$(count "$L" 'r["method"] == "PUT"')" 2 "two PUTs (distinct content)"
is "$(count "$L" 'r["method"] == "PUT" and r["content_type"] == "image/png"')" 1 "content type from the file's content"
is "$(jget "$OUT" '[j["images_published"], j["images_reused"]]')" "[2, 4]" "published vs reused"
is "$(jget "$OUT" 'j["items"][0]["image_urls"][1]')" "https://img.test.example/$(sha256sum "$R/mug/side.png" | cut -d' ' -f1).png" "URL under S3_PUBLIC_BASE_URL"
run_content "$T/good.json"
is "$(jget "$OUT" '[j["images_published"], j["images_reused"]]')" "[0, 6]" "s3: a rerun uploads nothing"
is "$(count "$L" 'r["method"] == "PUT"')" 2 "still two PUTs in all"
ok "$(cat "$T/driver.out" "$T/driver.err" | grep -c stub-secret-key) -eq 0" "the secret never appears"
: >"$L"
run_content "$T/attack.json"
is "$RC" JOB_PERMANENT "s3: a bad image refuses the job"
is "$(count "$L" True)" 0 "s3: nothing was sent at all"
AWS_SECRET_ACCESS_KEY=wrong-secret run_content "$T/good.json"
# The objects exist now, so HEAD first... with a bad signature both fail.
is "$RC" JOB_PERMANENT "s3: a wrong secret (403): permanent"
is "$(jget "$OUT" 'j["code"]')" publish_refused "code publish_refused"
jget "$OUT" 'j["message"]' | grep -q AWS_SECRET_ACCESS_KEY; ok "$? -eq 0" "the message points at the credentials"
ok "$(cat "$T/driver.out" "$T/driver.err" | grep -c wrong-secret) -eq 0" "without showing the secret"
stop_stub "$STUB_PID"
start_stub s3 "$L" --mode 500 --fail-times 1
export S3_ENDPOINT="$STUB_URL"
run_content "$T/good.json"
is "$RC" JOB_OK "s3: a 500 is retried"
stop_stub "$STUB_PID"
start_stub s3 "$L" --mode 500
export S3_ENDPOINT="$STUB_URL"
run_content "$T/good.json"
is "$RC" JOB_TRANSIENT "s3: 500 every time: transient"
is "$(jget "$OUT" 'j["code"]')" publish_failed "code publish_failed"
stop_stub "$STUB_PID"
env -u S3_BUCKET "$DRIVER" "$T/good.json" >"$T/o" 2>&1
grep -q 'S3_BUCKET is not set' "$T/o"; ok "$? -eq 0" "s3 without S3_BUCKET: named"
S3_ENDPOINT=ftp://127.0.0.1/ "$DRIVER" "$T/good.json" >"$T/o" 2>&1
grep -q 'S3_ENDPOINT must be an http:// or https:// URL' "$T/o"; ok "$? -eq 0" "s3 with an ftp:// endpoint: named"
done_testing
