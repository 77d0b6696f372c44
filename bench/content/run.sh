#!/usr/bin/env bash
# bench/content/run.sh -- a 100-product generate_amazon_content job against
# the OpenAI stand-in answering after 200 ms, CONTENT_PARALLELISM=1 and 8
# side by side in one invocation.  Targets (issue 5): parallel wall time
# <= 1.25 x the ideal (ceil(100/8) = 13 rounds x 200 ms = 2.6 s) and >= 6x
# faster than parallelism 1.  Exit 0 when both hold.
#
#   make bench-content        (from the build folder)
#   top_srcdir=... top_builddir=... bash bench/content/run.sh [PRODUCTS] [DELAY_MS]
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
N=${1:-100}
DELAY=${2:-200}
T=$(mktemp -d "${TMPDIR:-/tmp}/jobq-bench-content.XXXXXX")
STUB=
trap '[ -n "$STUB" ] && kill "$STUB" 2>/dev/null; rm -rf "$T"' EXIT
DRIVER="$top_builddir/tests/content/content_driver"
[ -x "$DRIVER" ] || { echo "build $DRIVER first (make check or make bench-content)"; exit 1; }

python3 "$top_srcdir/tests/stubs/openai_stub.py" --port-file "$T/port" \
	--log "$T/stub.log" --delay-ms "$DELAY" &
STUB=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
python3 - "$T/p.json" "$N" <<'PY'
import json, sys
n = int(sys.argv[2])
json.dump({"products": [{"sku": "B-%03d" % i, "title": "Bench product %d" % i,
    "brand": "Acme", "features": ["one", "two"], "keywords": ["bench"]}
    for i in range(n)]}, open(sys.argv[1], "w"))
PY
for k in IMAGE_ROOT PUBLISH_DIR http_proxy https_proxy; do unset "$k"; done
export CONTENT_PROVIDER=openai OPENAI_API_KEY=sk-test-key \
	OPENAI_BASE_URL="http://127.0.0.1:$(cat "$T/port")/v1" OUTPUT_DIR="$T/out"

run() {   # run PARALLELISM -> prints wall ms
	local t0 t1
	t0=$(date +%s%N)
	CONTENT_PARALLELISM=$1 "$DRIVER" "$T/p.json" >"$T/out.$1" 2>&1
	t1=$(date +%s%N)
	grep -q '^RC JOB_OK' "$T/out.$1" || { echo "run with parallelism $1 failed:" >&2; tail -3 "$T/out.$1" >&2; exit 1; }
	echo $(((t1 - t0) / 1000000))
}
run 8 >/dev/null    # warm-up (connection, page cache)
p1=$(run 1)
p8=$(run 8)
ideal=$(( (N + 7) / 8 * DELAY ))
python3 - "$N" "$DELAY" "$p1" "$p8" "$ideal" <<'PY'
import sys
n, delay, p1, p8, ideal = map(int, sys.argv[1:])
print("content workflow, %d products, stand-in delay %d ms" % (n, delay))
print("%-22s %10s %12s" % ("", "wall ms", "products/s"))
print("%-22s %10d %12.1f" % ("CONTENT_PARALLELISM=1", p1, n * 1000.0 / p1))
print("%-22s %10d %12.1f" % ("CONTENT_PARALLELISM=8", p8, n * 1000.0 / p8))
print("ideal parallel (ceil(n/8) x delay): %d ms; parallel / ideal = %.2f (target <= 1.25)" % (ideal, p8 / ideal))
print("speed-up 8 vs 1: %.2fx (target >= 6)" % (p1 / p8))
ok = p8 <= 1.25 * ideal and p1 / p8 >= 6
print("targets:", "met" if ok else "NOT met")
sys.exit(0 if ok else 1)
PY
