# tests/content/lib.sh -- helpers of the content workflow tests: start the
# loopback stand-ins, run the workflow through content_driver, read its
# outcome.  Sourced after tests/lib.sh.
DRIVER="$top_builddir/tests/content/content_driver"
STUBS="$top_srcdir/tests/stubs"
EXAMPLES="$top_srcdir/examples"

# No setting of the developer's environment leaks into a test.
for k in CONTENT_PROVIDER OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL \
	CONTENT_PARALLELISM IMAGE_ROOT IMAGE_PUBLISHER PUBLISH_DIR PUBLIC_BASE_URL \
	S3_ENDPOINT S3_BUCKET S3_REGION S3_PUBLIC_BASE_URL AWS_ACCESS_KEY_ID \
	AWS_SECRET_ACCESS_KEY OUTPUT_DIR JOBQ_LOG http_proxy https_proxy \
	HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy; do
	unset "$k"
done
export OUTPUT_DIR="$T/output"

export CONTENT_TEST_BACKOFF_MS=50 CONTENT_TEST_TIMEOUT_MS=5000 CONTENT_TEST_TRIES=3
STUB_N=0

# start_stub openai|s3 LOG [args...]: starts a stand-in; sets STUB_PID
# and STUB_URL (http://127.0.0.1:PORT).
start_stub() {
	local kind=$1 log=$2
	shift 2
	STUB_N=$((STUB_N + 1))
	local pf="$T/stub.$STUB_N.port"
	: >"$log"
	python3 "$STUBS/${kind}_stub.py" --port-file "$pf" --log "$log" "$@" &
	STUB_PID=$!
	track "$STUB_PID"
	if ! wait_for 10 test -s "$pf"; then
		echo "# stand-in $kind did not start"
		return 1
	fi
	STUB_URL="http://127.0.0.1:$(cat "$pf")"
}

stop_stub() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# run_content PAYLOAD [driver args...]: runs the workflow; sets RC (the
# job_rc name, or INVALID), OUT (result or error JSON) and keeps the
# progress lines in $T/progress.
run_content() {
	"$DRIVER" "$@" >"$T/driver.out" 2>"$T/driver.err"
	RC=$(sed -n 's/^RC //p; s/^\(INVALID\) .*/\1/p' "$T/driver.out")
	OUT=$(sed -n '/^RC /{n;p}; s/^INVALID //p' "$T/driver.out")
	grep '^PROGRESS ' "$T/driver.out" >"$T/progress" || :
	if [ -z "$RC" ]; then
		echo "# driver said nothing:"; sed 's/^/#   /' "$T/driver.err" | head -20
	fi
}

# count LOG PYTHON-CONDITION: lines of a stand-in's JSON log matching r.
count() {
	python3 -c 'import json,sys
n=0
for line in open(sys.argv[1]):
    r=json.loads(line)
    if eval(sys.argv[2]): n+=1
print(n)' "$1" "$2"
}

# payload FILE N [images...]: N products SKU-1..N (with the images, if
# given, on every product).
payload() {
	python3 - "$@" <<'PY'
import json, sys
f, n, imgs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
prods = [{"sku": "SKU-%d" % i, "title": "Test product %d" % i, "brand": "Acme",
          "features": ["feature one of %d" % i, "feature two"],
          "keywords": ["test", "product %d" % i], "images": imgs,
          "price": "%d.50" % i, "quantity": i} for i in range(1, n + 1)]
json.dump({"marketplace": "US", "product_type": "home", "products": prods}, open(f, "w"))
PY
}
