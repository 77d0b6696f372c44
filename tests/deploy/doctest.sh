#!/usr/bin/env bash
# Docs that cannot rot: every command of the ```sh blocks of README.md and
# docs/*.md is run against a live stack in a sandbox, or checked when it
# needs a real server (rules: docs/operations.md, "Commands in these docs
# are tested"; the work is done by doctest.py).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/stack.sh"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || skip_all "nginx missing"

# make install in the Debian layout, into a DESTDIR (programs excluded:
# the build tree's are used).
mkdir -p "$T/build"
check "configure (Debian layout)" sh -c "cd '$T/build' && '$top_srcdir/configure' -q --prefix=/usr --sysconfdir=/etc --localstatedir=/var"
check "make install-data DESTDIR" make -s -C "$T/build" install-data DESTDIR="$T/inst"

# The sandbox: /etc/jobq/jobq.env (the shipped file) and /var/lib/jobq.
S="$T/sandbox"
mkdir -p "$S/etc/jobq" "$S/var/lib/jobq/output" "$S/var/lib/jobq/public" "$S/var/log/jobq" "$S/run/jobq"
export JOBQ_DB="$S/var/lib/jobq/jobs.db" OUTPUT_DIR="$S/var/lib/jobq/output" \
	PUBLISH_DIR="$S/var/lib/jobq/public" IMAGE_ROOT="$top_srcdir/examples/images" \
	ASYNC_JOBS_ENABLED=true JOBQ_SHUTDOWN_GRACE=5
sed -e "s|/var/lib/jobq|$S/var/lib/jobq|g" -e "s|^IMAGE_ROOT=.*|IMAGE_ROOT=$IMAGE_ROOT|" \
	-e "s|^ASYNC_JOBS_ENABLED=.*|ASYNC_JOBS_ENABLED=true|" \
	"$top_srcdir/deploy/jobq.env" >"$S/etc/jobq/jobq.env"

# The live stack: nginx (shipped snippet) + jobq-fcgi + a worker.
stack_nginx_start || { echo "not ok - the stack did not start"; exit 1; }
jobq-worker --poll-interval 200 >>"$T/worker.log" 2>&1 &
track $!

# The working folder the commands run in.
W="$T/work"
mkdir -p "$W"
ln -s "$top_srcdir/examples" "$W/examples"
ln -s "$top_srcdir/deploy" "$W/deploy"
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))' \
	"$top_srcdir/examples/products.json" >"$W/payloads.jsonl"
# The README's quick start runs on its own port and folder.
export JOBQ_SKIP_APT=1 JOBQ_BUILDDIR="$top_builddir" JOBQ_LOCAL_DIR="$T/quickstart"
JOBQ_PORT=$(free_port)
export JOBQ_PORT
trap 'bash "$top_srcdir/deploy/quickstart.sh" stop >/dev/null 2>&1; stack_stop; cleanup' EXIT

docs=("$top_srcdir/README.md" "$top_srcdir"/docs/*.md)
DOC_SANDBOX="$S" DOC_DESTDIR="$T/inst" DOC_BASE="$BASE_URL" DOC_WORK="$W" \
DOC_NEWJOB="jobqctl --db '$JOBQ_DB' enqueue noop '{}' --run-at 2099-01-01T00:00:00Z" \
DOC_TAP_START=$TAP_N DOC_TAP_OUT="$T/tap" \
	python3 "$top_srcdir/tests/deploy/doctest.py" "${docs[@]}" | tee "$T/doc.tap"
rc=${PIPESTATUS[0]}
TAP_N=$((TAP_N + $(grep -cE '^(ok|not ok) ' "$T/doc.tap")))
TAP_FAILED=$((TAP_FAILED + $(grep -c '^not ok ' "$T/doc.tap")))
is "$rc" 0 "doctest.py ran to the end"
ok "$TAP_N -gt 20" "the docs hold more than 20 commands (found $TAP_N checks)"

# The doctest must be able to fail: a renamed flag, route, unit and file
# in a copy of this guide.
sed -e 's/jobqctl list --status failed/jobqctl list --state failed/' \
	-e 's|curl -s "$BASE/api/jobs/stats"|curl -s "$BASE/api/jobz/stats"|' \
	-e 's/enable --now jobq-worker.service/enable --now jobq-workers.service/' \
	-e 's|examples/nginx/jobq.conf /etc/nginx|examples/nginx/jobq-main.conf /etc/nginx|' \
	"$top_srcdir/docs/operations.md" >"$T/bad.md"
rm -rf "$S/var/backups"   # VACUUM INTO wants a new file
DOC_SANDBOX="$S" DOC_DESTDIR="$T/inst" DOC_BASE="$BASE_URL" DOC_WORK="$W" \
	DOC_NEWJOB="jobqctl --db '$JOBQ_DB' enqueue noop '{}' --run-at 2099-01-01T00:00:00Z" \
	DOC_TAP_OUT="$T/tap2" python3 "$top_srcdir/tests/deploy/doctest.py" "$T/bad.md" >"$T/bad.out" 2>&1
for what in "--state failed" "api/jobz/stats" "jobq-workers.service" "jobq-main.conf"; do
	check "the doctest fails on: $what" grep -q -e "^not ok .*$what" "$T/bad.out"
done
is "$(grep -c '^not ok' "$T/bad.out")" 4 "... and on nothing else"

# Relative links between the documents point at files that exist.
check "every relative Markdown link points at a file" \
	python3 "$top_srcdir/tests/deploy/doclinks.py" "${docs[@]}"
mkdir -p "$T/links/docs"
sed 's|(docs/operations.md)|(docs/operation.md)|' "$top_srcdir/README.md" >"$T/links/README.md"
python3 "$top_srcdir/tests/deploy/doclinks.py" "$T/links/README.md" >"$T/links.out" 2>&1
ok "$? -eq 1 -a -n \"\$(grep -F 'docs/operation.md' '$T/links.out')\"" "the link check fails on a renamed document"
done_testing
