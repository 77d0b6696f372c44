#!/usr/bin/env bash
# The README's quick start (deploy/quickstart.sh) end to end, on the
# programs of this build: it starts nginx + jobq-fcgi + jobq-worker on a
# free loopback port, submits examples/products.json, and the job must
# succeed with its flat file and images on disk and served over HTTP; then
# "stop" must leave nothing running, and a second run on the same folder
# must work again.
. "$top_srcdir/tests/lib.sh"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || skip_all "nginx missing"

qs="$top_srcdir/deploy/quickstart.sh"
export JOBQ_SKIP_APT=1 JOBQ_BUILDDIR="$top_builddir" JOBQ_LOCAL_DIR="$T/local"
export JOBQ_PORT
JOBQ_PORT=$(free_port)
BASE="http://127.0.0.1:$JOBQ_PORT"
# Whatever happens, stop what the quick start started.
trap 'bash "$qs" stop >/dev/null 2>&1; cleanup' EXIT

# The packages it installs are among those the test suite installs.
want=$(sed -n '/^QUICKSTART_PACKAGES="/,/"$/p' "$qs" | sed 's/QUICKSTART_PACKAGES=//; s/"//g' | tr -s ' \t\n' '\n' | grep .)
extra=$(echo "$want" | grep -vxF -f <(grep -v '^#' "$top_srcdir/tests/packages.txt") | tr '\n' ' ')
ok "-n \"\$want\" -a -z '$extra'" "its packages are in tests/packages.txt (extra: $extra)"

bash "$qs" >"$T/out" 2>&1
rc=$?
sed 's/^/#   /' "$T/out"
is "$rc" 0 "quickstart.sh exits 0"
id=$(sed -n 's/^    202 Accepted: job \([0-9a-f-]*\)$/\1/p' "$T/out")
ok "-n '$id'" "it printed the job id"
check "it printed progress lines" grep -qE '^    \[ *[0-9]+%\] (queued|running|succeeded) ' "$T/out"
check "it reports success" grep -q "^Job $id succeeded: 3 products" "$T/out"

job=$(curl -fsS "$BASE/api/jobs/$id")
is "$(jget "$job" 'j["status"]')" succeeded "GET /api/jobs/{id}: succeeded"
ff="$T/local/output/$id/flatfile.txt"
check "the printed flat file path is there" grep -q "^  flat file:  $ff\$" "$T/out"
ok "-f '$ff'" "flat file exists"
is "$(wc -l <"$ff" | tr -d ' ')" 6 "flat file: 3 header rows + 3 products"
check "flat file starts with TemplateType=fptcustom" grep -q '^TemplateType=fptcustom' "$ff"
curl -fsS "$BASE/jobs/files/$id/flatfile.txt" >"$T/ff.http"
check "the flat file URL serves the same file" cmp "$ff" "$T/ff.http"
n_img=$(find "$T/local/public" -type f | wc -l)
is "$n_img" 4 "4 images published"
url=$(grep -o "$BASE/images/[0-9a-f]*\.jpg" "$T/out" | head -1)
ok "-n '$url'" "an image URL was printed"
is "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$url")" "200 image/jpeg" "the image URL serves it"
if [ -f "$top_srcdir/www/index.html" ]; then
	is "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$BASE/jobs/")" "200 text/html" "the status panel is served at /jobs/"
fi
check "status shows all three running" sh -c "bash '$qs' status | grep -c ': running' | grep -qx 3"
check "the printed CLI command works" sh -c "'$top_builddir/jobqctl' --config '$T/local/jobq.env' list | grep -q '$id'"

pids=$(cat "$T/local/run/"*.pid 2>/dev/null | tr '\n' ' ')
ok "\"\$(echo $pids | wc -w)\" -eq 3" "three pid files ($pids)"
check "quickstart.sh stop" bash "$qs" stop
left=
for p in $pids; do
	[ -d "/proc/$p" ] && left="$left $p"
	s=$(pgrep -s "$p" 2>/dev/null | tr '\n' ' ')
	[ -n "$s" ] && left="$left $s"
done
is "$left" "" "nothing it started is left running"
ok "! -e '$T/local/run/fcgi.sock'" "the socket is gone"
check "the port is closed" sh -c "! curl -s -o /dev/null '$BASE/api/health'"

# Again on the same folder: the database and outputs are kept.
bash "$qs" >"$T/out2" 2>&1
is "$?" 0 "a second run on the same folder succeeds"
is "$(find "$T/local/output" -name flatfile.txt | wc -l | tr -d ' ')" 2 "both flat files kept"
check "second run reuses the published images" grep -q "(4 reused)" "$T/out2"
check "stop again" bash "$qs" stop
done_testing
