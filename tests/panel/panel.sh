#!/usr/bin/env bash
# tests/panel/panel.sh -- the job status panel (www/) in a real browser
# against the real stack: nginx with the shipped jobq.conf, jobq-auth.conf
# and jobq-panel.conf, jobq-fcgi and jobq-worker over one SQLite file, all
# on loopback.  Headless Chromium is driven by playwright-core (installed
# at test time from npm into the build folder, version pinned in
# tests/panel/package.json).  Screenshots land in
# $top_builddir/tests/panel/artifacts/.
#
# Skips only when node/npm or /usr/bin/chromium is not installed.
. "$top_srcdir/tests/lib.sh"

CHROMIUM=${JOBQ_CHROMIUM:-/usr/bin/chromium}
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
	skip_all "node and npm are not installed (Debian: nodejs npm)"
[ -x "$CHROMIUM" ] || skip_all "$CHROMIUM is not installed (Debian: chromium)"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || skip_all "nginx is not installed"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# playwright-core, pinned, into the build folder (never into the sources).
NODE_DIR="$top_builddir/tests/panel/npm"
ART="$top_builddir/tests/panel/artifacts"

mkdir -p "$NODE_DIR" "$ART"
rm -f "$ART"/*.png
if ! cmp -s "$top_srcdir/tests/panel/package.json" "$NODE_DIR/package.json" ||
	[ ! -f "$NODE_DIR/node_modules/playwright-core/package.json" ]; then
	cp "$top_srcdir/tests/panel/package.json" "$NODE_DIR/package.json"
	# npm needs a writable cache; CI may run without a usable HOME.
	[ -n "${HOME:-}" ] && [ -w "$HOME" ] || export npm_config_cache="$NODE_DIR/.npm-cache"
	(cd "$NODE_DIR" && npm install --no-save --no-audit --no-fund --prefer-offline --loglevel=error) >"$T/npm.log" 2>&1
fi
check "playwright-core installed from npm" test -f "$NODE_DIR/node_modules/playwright-core/package.json"
[ "$TAP_FAILED" -eq 0 ] || { sed 's/^/#   /' "$T/npm.log" | tail -20; done_testing; exit 1; }

. "$top_srcdir/tests/panel/stack-panel.sh"
panel_stack_start || { done_testing; exit 1; }

# --- the web server side: auth, headers, flat-file location -------------
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
is "$(code "$BASE/jobs/")" 401 "/jobs/ needs the API's auth"
is "$(code "$BASE/api/jobs/stats")" 401 "the API needs the same auth"
is "$(code -u "$AUTH" "$BASE/jobs/")" 200 "/jobs/ with credentials"
is "$(code -u "$AUTH" "$BASE/jobs")" 301 "/jobs redirects to /jobs/"
curl -s -D "$T/h" -o /dev/null -u "$AUTH" "$BASE/jobs/jobq-panel.js"
ok "\"$(grep -ci '^content-security-policy: default-src .self.;' "$T/h")\" = 1" "CSP default-src 'self' on the panel"
ok "\"$(grep -ci '^x-content-type-options: nosniff' "$T/h")\" = 1" "nosniff on the panel"
ok "\"$(grep -ci '^content-type: application/javascript' "$T/h")\" = 1" "the module is served as JavaScript"
mkdir -p "$OUTDIR/probe"
printf 'a\tb\n' >"$OUTDIR/probe/flatfile.txt"
echo secret >"$T/outside.txt"
is "$(code "$BASE/jobs/files/probe/flatfile.txt")" 401 "flat files need auth"
is "$(code -u wrong:creds "$BASE/jobs/files/probe/flatfile.txt")" 401 "flat files refuse a wrong password"
curl -s -D "$T/h" -o "$T/got" -u "$AUTH" "$BASE/jobs/files/probe/flatfile.txt"
is "$(cat "$T/got")" "$(printf 'a\tb')" "a flat file downloads with auth"
ok "\"$(grep -ci '^content-disposition: attachment' "$T/h")\" = 1" "flat files are attachments"
ok "\"$(grep -ci '^x-content-type-options: nosniff' "$T/h")\" = 1" "nosniff on flat files"
for u in "/jobs/files/../outside.txt" "/jobs/files/%2e%2e/outside.txt" "/jobs/files/..%2foutside.txt" \
	"/jobs/files/../../$(basename "$T")/outside.txt" "/jobs/files/probe/../../outside.txt"; do
	c=$(curl -s -o "$T/got" -w '%{http_code}' -u "$AUTH" --path-as-is "$BASE$u")
	n=$(grep -c secret "$T/got")
	ok "$c != 200 -a $n = 0" "no way out of OUTPUT_DIR: $u ($c)"
done
is "$(code -u "$AUTH" "$BASE/jobs/files/")" 403 "no listing of OUTPUT_DIR"

# Product images for the content job: two small real PNGs.
mkdir -p "$IMGROOT/mug"
python3 - "$IMGROOT/mug" <<'PY'
import struct, sys, zlib
def png(path, rgb):
    w = h = 64
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
png(sys.argv[1] + "/front.png", (200, 80, 40))
png(sys.argv[1] + "/side.png", (40, 120, 200))
PY

# --- the browser ---------------------------------------------------------
export PANEL_BASE="$BASE" PANEL_USER="${AUTH%%:*}" PANEL_PASS="${AUTH#*:}" PANEL_ART="$ART"
export PANEL_CHROMIUM="$CHROMIUM" PANEL_OUTDIR="$OUTDIR"
export PANEL_NODE_DIR="$NODE_DIR"
# The script prints "PASS name" / "FAIL name" / "# note" lines.
(cd "$NODE_DIR" && timeout 150 node "$top_srcdir/tests/panel/panel.mjs") >"$T/node.out" 2>&1
rc=$?
panel_tap "$T/node.out"
is "$rc" 0 "the browser script ran to its end"
ok "\"$(ls "$ART"/*.png 2>/dev/null | wc -l)\" -ge 5" "screenshots saved in tests/panel/artifacts"
if [ "$TAP_FAILED" -gt 0 ]; then
	echo "# nginx error log:"; tail -20 "$T/nginx-error.log" | sed 's/^/#   /'
	echo "# worker log:"; tail -20 "$T/worker.log" | sed 's/^/#   /'
	echo "# responder log:"; tail -20 "$T/fcgi.log" | sed 's/^/#   /'
fi
done_testing
