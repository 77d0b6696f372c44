# tests/reliability: crash consistency and fault injection (issue 8).
TESTS += tests/reliability/responder_kill.sh tests/reliability/disk_full.sh tests/reliability/flatfile_kill.sh tests/reliability/stall.sh tests/reliability/output_full.sh \
	tests/reliability/db_removed.sh tests/reliability/privileges.sh
EXTRA_DIST += tests/reliability/responder_kill.sh tests/reliability/disk_full.sh tests/reliability/load.py \
	tests/reliability/dbcheck.py tests/reliability/flatfile_kill.sh tests/reliability/watch_flatfiles.py tests/reliability/stall.sh tests/reliability/stall_server.py tests/reliability/output_full.sh \
	tests/reliability/db_removed.sh tests/reliability/privileges.sh
