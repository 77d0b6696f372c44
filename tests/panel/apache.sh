#!/usr/bin/env bash
# tests/panel/apache.sh -- apache/jobq-panel.conf next to the shipped
# apache/jobq-proxy-fcgi.conf: Apache (mod_proxy_fcgi) in front of the real
# jobq-fcgi on loopback serves the panel at /jobs/ and OUTPUT_DIR at
# /jobs/files/, all behind one Basic-auth login, with the panel's CSP and
# nosniff headers; then headless Chromium loads the panel through it
# (when node, npm and Chromium are there; panel.sh tests the panel itself).
. "$top_srcdir/tests/lib.sh"

APACHE=$(command -v apache2 || echo /usr/sbin/apache2)
[ -x "$APACHE" ] || skip_all "apache2 is not installed"
M=/usr/lib/apache2/modules
for m in proxy proxy_fcgi alias auth_basic authn_core authn_file authz_core authz_user dir mime headers mpm_event; do
	[ -f "$M/mod_$m.so" ] || skip_all "Apache module $m is missing"
done
command -v htpasswd >/dev/null 2>&1 || skip_all "htpasswd (apache2-utils) is missing"

. "$top_srcdir/tests/panel/stack-panel.sh"
panel_backend_start || { done_testing; exit 1; }
D="$T/apache"
mkdir -p "$D/run"
htpasswd -bcB "$D/htpasswd" "${AUTH%%:*}" "${AUTH#*:}" 2>/dev/null
chmod 0644 "$D/htpasswd"
sed -e "s|@SOCKET@|$SOCK|g" "$top_srcdir/apache/jobq-proxy-fcgi.conf" >"$D/jobq-proxy-fcgi.conf"
sed -e "s|@WWWDIR@|$WWWDIR|g" -e "s|@OUTPUT_DIR@|$OUTDIR|g" -e "s|@HTPASSWD@|$D/htpasswd|g" \
	"$top_srcdir/apache/jobq-panel.conf" >"$D/jobq-panel.conf"
PORT=$(free_port)
{
	echo "ServerRoot $D"
	echo "ServerName localhost"
	echo "Listen 127.0.0.1:$PORT"
	echo "PidFile $D/httpd.pid"
	echo "ErrorLog $D/error.log"
	echo "LogLevel warn"
	echo "DefaultRuntimeDir $D/run"
	echo "Mutex file:$D/run default"
	for m in mpm_event authz_core authz_user authn_core authn_file auth_basic alias dir mime headers proxy proxy_fcgi; do
		echo "LoadModule ${m}_module $M/mod_$m.so"
	done
	echo "TypesConfig /etc/mime.types"
	echo "StartServers 1"
	echo "ServerLimit 1"
	echo "ThreadsPerChild 16"
	echo "MaxRequestWorkers 16"
	if [ "$(id -u)" -eq 0 ]; then
		echo "User www-data"
		echo "Group www-data"
	fi
	echo "Include $D/jobq-proxy-fcgi.conf"
	echo "Include $D/jobq-panel.conf"
} >"$D/httpd.conf"
[ "$(id -u)" -eq 0 ] && chown -R www-data:www-data "$D/run"
check "apache2 -t accepts the panel snippet" "$APACHE" -f "$D/httpd.conf" -t
"$APACHE" -f "$D/httpd.conf" -DFOREGROUND &
track $!
BASE="http://127.0.0.1:$PORT"
if ! wait_for 20 curl -s -o /dev/null "$BASE/jobs/"; then
	echo "# Apache did not answer"; tail -20 "$D/error.log" | sed 's/^/#   /'
	done_testing; exit 1
fi

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
is "$(code "$BASE/jobs/")" 401 "/jobs/ needs auth"
is "$(code "$BASE/api/jobs/stats")" 401 "/api/ needs the same auth"
is "$(code -u wrong:creds "$BASE/api/jobs/stats")" 401 "a wrong password is refused"
is "$(code -u "$AUTH" "$BASE/api/jobs/stats")" 200 "the API answers with the login"
is "$(code -u "$AUTH" "$BASE/jobs/")" 200 "the panel answers with the login"
is "$(code -u "$AUTH" "$BASE/jobs")" 301 "/jobs redirects to /jobs/"
curl -s -D "$T/h" -o "$T/got" -u "$AUTH" "$BASE/jobs/"
ok "\"$(grep -c 'jobq-panel' "$T/got")\" -ge 1" "/jobs/ is the panel's index.html"
curl -s -D "$T/h" -o /dev/null -u "$AUTH" "$BASE/jobs/jobq-panel.js"
ok "\"$(grep -ci '^content-security-policy: default-src .self.;' "$T/h")\" = 1" "CSP default-src 'self' on the panel"
ok "\"$(grep -ci '^x-content-type-options: nosniff' "$T/h")\" = 1" "nosniff on the panel"
ok "\"$(grep -ci '^content-type: text/javascript' "$T/h")\" = 1" "the module is served as JavaScript"

mkdir -p "$OUTDIR/probe"
printf 'a\tb\n' >"$OUTDIR/probe/flatfile.txt"
echo secret >"$T/outside.txt"
chmod -R a+rX "$OUTDIR"
is "$(code "$BASE/jobs/files/probe/flatfile.txt")" 401 "flat files need auth"
curl -s -D "$T/h" -o "$T/got" -u "$AUTH" "$BASE/jobs/files/probe/flatfile.txt"
is "$(cat "$T/got")" "$(printf 'a\tb')" "a flat file downloads with the login"
ok "\"$(grep -ci '^content-disposition: attachment' "$T/h")\" = 1" "flat files are attachments"
ok "\"$(grep -ci '^content-type: text/plain' "$T/h")\" = 1" "flat files are text/plain"
ok "\"$(grep -ci '^x-content-type-options: nosniff' "$T/h")\" = 1" "nosniff on flat files"
for u in "/jobs/files/../outside.txt" "/jobs/files/%2e%2e/outside.txt" "/jobs/files/..%2foutside.txt" \
	"/jobs/files/probe/../../outside.txt"; do
	c=$(curl -s -o "$T/got" -w '%{http_code}' -u "$AUTH" --path-as-is "$BASE$u")
	n=$(grep -c secret "$T/got")
	ok "$c != 200 -a $n = 0" "no way out of OUTPUT_DIR: $u ($c)"
done
c=$(code -u "$AUTH" "$BASE/jobs/files/")
ok "$c = 403 -o $c = 404" "no listing of OUTPUT_DIR ($c)"

# The panel in the browser, through Apache.
NODE_DIR="$top_builddir/tests/panel/npm"
if [ -x /usr/bin/chromium ] && [ -f "$NODE_DIR/node_modules/playwright-core/package.json" ]; then
	id=$(curl -s -u "$AUTH" -H 'Content-Type: application/json' \
		-d '{"type":"test_sleep","payload":{"ms":300}}' "$BASE/api/jobs")
	id=$(jget "$id" 'j["job_id"]')
	PANEL_BASE="$BASE" PANEL_USER="${AUTH%%:*}" PANEL_PASS="${AUTH#*:}" PANEL_NODE_DIR="$NODE_DIR" \
		PANEL_ART="$top_builddir/tests/panel/artifacts" PANEL_JOB="$id" \
		timeout 60 node "$top_srcdir/tests/panel/smoke.mjs" >"$T/node.out" 2>&1
	rc=$?
	panel_tap "$T/node.out" "Apache: "
	is "$rc" 0 "the browser smoke test ran to its end"
else
	echo "# browser part skipped: Chromium or playwright-core (installed by panel.sh) not there"
fi
[ "$TAP_FAILED" -gt 0 ] && tail -20 "$D/error.log" | sed 's/^/#   /'
done_testing
