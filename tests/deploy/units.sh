#!/usr/bin/env bash
# The systemd units as installed: systemd-analyze verify accepts them with
# no warning (pointed at the installed binaries in a DESTDIR), they carry
# the hardening the issue asks for, and systemd-analyze security rates them.
. "$top_srcdir/tests/lib.sh"
command -v systemd-analyze >/dev/null || skip_all "systemd-analyze missing (package systemd)"

d="$T/dest"
check "make install DESTDIR" make -s -C "$top_builddir" install DESTDIR="$d"
units=$(find "$d" -path '*/systemd/system/*' -type f | sort)
is "$(echo "$units" | sed 's|.*/||' | tr '\n' ' ')" \
	"jobq-fcgi.service jobq-fcgi.socket jobq-worker.service " "three units installed"

# verify needs the programs the units name: point them into the DESTDIR.
mkdir -p "$T/units"
for u in $units; do
	sed "s|^ExecStart=|ExecStart=$d|" "$u" >"$T/units/${u##*/}"
done
out=$(cd "$T/units" && systemd-analyze verify "$T"/units/jobq-* 2>&1)
rc=$?
is "$rc:$out" "0:" "systemd-analyze verify: no error, no warning"

# The same check must fail on a broken unit (so the test can fail).
sed 's/^NoNewPrivileges=/NoNewPrivilegez=/' "$T/units/jobq-worker.service" >"$T/bad.service"
cp "$T/units/jobq-fcgi.socket" "$T/units/jobq-fcgi.service" "$T/"
out=$(systemd-analyze verify "$T/bad.service" 2>&1)
ok "-n \"\$out\"" "verify reports a misspelt key"

sock="$T/units/jobq-fcgi.socket"
fcgi="$T/units/jobq-fcgi.service"
worker="$T/units/jobq-worker.service"
has() { grep -qx "$2" "$1"; }
check "socket mode 0660" has "$sock" "SocketMode=0660"
check "socket group www-data" has "$sock" "SocketGroup=www-data"
check "responder gets the socket on fd 0" has "$fcgi" "StandardInput=socket"
check "responder logs to the journal" has "$fcgi" "StandardOutput=journal"
check "worker restarts on failure" has "$worker" "Restart=on-failure"
check "worker: SIGTERM to the supervisor only" has "$worker" "KillMode=mixed"
check "worker reload sends SIGHUP to the main process" has "$worker" 'ExecReload=/bin/kill -HUP $MAINPID'
grace=$(sed -n 's/^JOBQ_SHUTDOWN_GRACE=//p' "$top_srcdir/deploy/jobq.env")
stop=$(sed -n 's/^TimeoutStopSec=//p' "$worker")
ok "$stop -gt $grace" "worker stop timeout ($stop s) exceeds the shutdown grace ($grace s)"
for u in "$fcgi" "$worker"; do
	n=${u##*/}
	for line in NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes ProtectHome=yes \
		"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" User=jobq UMask=0007; do
		check "$n: $line" has "$u" "$line"
	done
	check "$n: ReadWritePaths is the state folder" grep -q '^ReadWritePaths=/.*/lib/jobq$' "$u"
	check "$n: EnvironmentFile under sysconfdir" grep -q '^EnvironmentFile=/.*/jobq/jobq.env$' "$u"
	score=$(systemd-analyze security --offline=yes "$u" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	check "$n: systemd-analyze security exposure ${score:-?} below 4.0" \
		python3 -c "import sys; sys.exit(0 if float('${score:-10}') < 4.0 else 1)"
done

# tmpfiles.d: the state folder is setgid and group-writable; it parses.
tmp=$(find "$d" -path '*/tmpfiles.d/jobq.conf')
check "tmpfiles: state folder 2770 jobq:jobq" grep -Eq '^d +/.*/lib/jobq +2770 +jobq +jobq' "$tmp"
sed "s/ jobq / $(id -un) /; s/ jobq / $(id -gn) /" "$tmp" | sed "s| /| $T/root/|" >"$T/tmpfiles.conf"
check "systemd-tmpfiles accepts it" systemd-tmpfiles --create "$T/tmpfiles.conf"
ok "\"\$(stat -c %a \"\$(find '$T/root' -name jobq -path '*lib/jobq')\")\" = 2770" \
	"systemd-tmpfiles makes the state folder 2770"
done_testing
