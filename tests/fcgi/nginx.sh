# tests/fcgi/nginx.sh -- the responder's API suite behind nginx (fastcgi_pass to a unix socket, nginx/jobq.conf):
# the sync stream, every endpoint, errors, pagination, state changes, the
# bad-input table and a locked database.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/stack.sh"
. "$top_srcdir/tests/fcgi/suite.sh"
suite_run_stack nginx

# nginx/jobq-auth.conf in front: only a checked user reaches the API, and
# with JOBQ_TRUST_REMOTE_USER=true its name becomes submitted_by.
printf 'alice:{PLAIN}s3cret\n' >"$T/htpasswd"
chmod 0644 "$T/htpasswd"
STACK_HTPASSWD="$T/htpasswd" STACK_AUTH=alice:s3cret JOBQ_TRUST_REMOTE_USER=true stack_nginx_start ||
	{ ok "1 -eq 0" "auth stack starts"; done_testing; exit 1; }
req POST /api/jobs -H "$CT" --data-binary "$NOOP"
is "$ST" 401 "auth: no credentials, 401 from nginx"
req POST /api/jobs -H "$CT" --data-binary "$NOOP" -u alice:wrong
is "$ST" 401 "auth: wrong password, 401"
req POST /api/jobs -H "$CT" --data-binary "$NOOP" -u alice:s3cret
is "$ST" 202 "auth: alice accepted"
req GET "/api/jobs/$(jget "$BODY" 'j["job_id"]')" -u alice:s3cret
is "$(jget "$BODY" 'j["submitted_by"]')" alice "auth: submitted_by is the checked REMOTE_USER"
stack_stop
done_testing
