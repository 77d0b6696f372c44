# tests/fcgi/nginx.sh -- the responder's API suite behind nginx (fastcgi_pass to a unix socket, nginx/jobq.conf):
# the sync stream, every endpoint, errors, pagination, state changes, the
# bad-input table and a locked database.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/stack.sh"
. "$top_srcdir/tests/fcgi/suite.sh"
suite_run_stack nginx
done_testing
