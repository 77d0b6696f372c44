# tests/fcgi/apache_fcgid.sh -- the responder's API suite behind Apache with mod_fcgid spawning the responder (apache/jobq-fcgid.conf):
# the sync stream, every endpoint, errors, pagination, state changes, the
# bad-input table and a locked database.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/stack.sh"
. "$top_srcdir/tests/fcgi/suite.sh"
suite_run_stack apache_fcgid
done_testing
