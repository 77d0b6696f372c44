#!/usr/bin/env bash
# --user on both daemons: started as root they drop to the named user
# before serving; without it they warn; an unknown user is refused (2).
. "$top_srcdir/tests/lib.sh"
[ "$(id -u)" -eq 0 ] || skip_all "needs root to drop privileges"
d="$T/priv"
mkdir -p "$d"
chmod 0777 "$d"
# Binaries where an unprivileged user can run them.
bin="$T/bin"
mkdir -p "$bin"
cp "$top_builddir/jobq-worker" "$top_builddir/jobq-fcgi" "$bin/"
runner=$(find "$top_builddir" -maxdepth 2 -name jobq-runner -type f -perm -u+x | head -1)
cp "$runner" "$bin/"
chmod 0755 "$bin" "$bin"/*
export JOBQ_DB="$d/jobs.db"
"$top_builddir/jobqctl" migrate >/dev/null
# As deployed: a setgid folder whose group both daemons' users share.
chown nobody:www-data "$JOBQ_DB" "$d"
chmod 2770 "$d"

JOBQ_LOG="$d/worker.log" JOBQ_RUNNER="$bin/jobq-runner" "$bin/jobq-worker" --user nobody &
w=$!
track "$w"
wait_for 10 grep -q worker_started "$d/worker.log"
is "$(ps -o user= -p "$w" | tr -d ' ')" nobody "jobq-worker --user nobody runs as nobody"
runners=$(pgrep -P "$w" | head -1)
is "$(ps -o user= -p "$runners" | tr -d ' ')" nobody "and so do its job processes"
id=$("$top_builddir/jobqctl" enqueue noop '{}')
ok_done() { "$top_builddir/jobqctl" show "$id" | grep -qE '^status +succeeded$'; }
wait_for 10 ok_done
ok "$? -eq 0" "and runs jobs"
kill -TERM "$w"; wait "$w"

sock="$d/fcgi.sock"
JOBQ_LOG="$d/fcgi.log" "$bin/jobq-fcgi" --listen "$sock" --socket-group www-data --user www-data &
f=$!
track "$f"
wait_for 10 test -S "$sock"
is "$(ps -o user= -p "$f" | tr -d ' ')" www-data "jobq-fcgi --user www-data runs as www-data"
is "$(stat -c '%a %G' "$sock")" "660 www-data" "its socket is 0660, group www-data"
kill -TERM "$f"; wait "$f"

JOBQ_LOG="$d/root.log" "$bin/jobq-fcgi" --listen "$d/root.sock" &
f=$!
track "$f"
wait_for 10 test -S "$d/root.sock"
kill -TERM "$f"; wait "$f"
grep -q 'event=running_as_root' "$d/root.log"
ok "$? -eq 0" "running as root without --user draws a warning"
msg=$("$bin/jobq-worker" --user no-such-user-jobq 2>&1)
is "$?" 2 "an unknown --user is a usage error"
ok "\"\$(echo \"\$msg\" | grep -c no-such-user-jobq)\" -eq 1" "naming the user"
done_testing
