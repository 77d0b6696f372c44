# tests/fcgi/apache_proxy.sh -- the responder's API suite behind Apache mod_proxy_fcgi + spawn-fcgi (apache/jobq-proxy-fcgi.conf):
# the sync stream, every endpoint, errors, pagination, state changes, the
# bad-input table and a locked database.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/stack.sh"
. "$top_srcdir/tests/fcgi/suite.sh"
suite_run_stack apache_proxy
done_testing
