#!/usr/bin/env bash
# The installed spawn-fcgi example starts a working responder: the socket
# is 0660 with the socket group, the responder runs as the unprivileged
# user, answers GET /api/health over FastCGI, and stops on SIGTERM to the
# pid in the pid file.
. "$top_srcdir/tests/lib.sh"
command -v spawn-fcgi >/dev/null || skip_all "spawn-fcgi missing"
[ "$(id -u)" -eq 0 ] || skip_all "spawn-fcgi drops privileges only when started as root"
id nobody >/dev/null 2>&1 && getent group www-data >/dev/null || skip_all "needs users nobody and www-data"

check "make install DESTDIR" make -s -C "$top_builddir" install DESTDIR="$T/d"
ex=$(find "$T/d" -name spawn-fcgi.example | head -1)
ok "-n '$ex'" "the example is installed"
# Where the unprivileged user may run the program and write the database.
mkdir -p "$T/bin" "$T/db" "$T/run"
cp "$top_builddir/jobq-fcgi" "$T/bin/"
chmod 0755 "$T/bin" "$T/bin/jobq-fcgi" "$T/run"
chown nobody "$T/db"
printf 'JOBQ_DB=%s/db/jobs.db\nJOBQ_LOG=%s/run/fcgi.log\n' "$T" "$T" >"$T/jobq.env"
chmod 0644 "$T/jobq.env"
: >"$T/run/fcgi.log"
chown nobody "$T/run/fcgi.log"

JOBQ_FCGI="$T/bin/jobq-fcgi" JOBQ_CONFIG="$T/jobq.env" JOBQ_SOCKET="$T/run/fcgi.sock" \
	JOBQ_PIDFILE="$T/run/fcgi.pid" JOBQ_USER=nobody JOBQ_GROUP="$(id -gn nobody)" \
	JOBQ_SOCKET_GROUP=www-data JOBQ_THREADS=2 sh "$ex" >"$T/spawn.out" 2>&1
is "$?" 0 "the example starts the responder"
pid=$(cat "$T/run/fcgi.pid" 2>/dev/null)
[ -n "$pid" ] && track "$pid"
ok "-n '$pid' -a -d '/proc/$pid'" "the pid file names a running process"
is "$(stat -c '%a %G' "$T/run/fcgi.sock" 2>/dev/null)" "660 www-data" "socket 0660, group www-data"
is "$(ps -o user= -p "$pid" 2>/dev/null | tr -d ' ')" nobody "the responder runs as the unprivileged user"

# GET /api/health over the socket with a minimal FastCGI client.
out=$(python3 - "$T/run/fcgi.sock" <<'PY'
import socket, struct, sys
def rec(t, body, rid=1):
    return struct.pack("!BBHHBx", 1, t, rid, len(body), 0) + body
def nv(k, v):
    k, v = k.encode(), v.encode()
    return bytes([len(k), len(v)]) + k + v
params = b"".join(nv(k, v) for k, v in [("REQUEST_METHOD", "GET"), ("REQUEST_URI", "/api/health"),
    ("SCRIPT_NAME", "/api/health"), ("PATH_INFO", ""), ("QUERY_STRING", ""),
    ("SERVER_PROTOCOL", "HTTP/1.1"), ("CONTENT_LENGTH", "0")])
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(rec(1, struct.pack("!HB5x", 1, 0)) + rec(4, params) + rec(4, b"") + rec(5, b""))
data = b""
while True:
    c = s.recv(65536)
    if not c:
        break
    data += c
out, i = b"", 0
while i + 8 <= len(data):
    _, t, _, n, p = struct.unpack("!BBHHB", data[i:i + 7])
    if t == 6:
        out += data[i + 8:i + 8 + n]
    i += 8 + n + p
print(out.decode(errors="replace"))
PY
)
check "GET /api/health answers 200" sh -c "printf '%s' '$out' | grep -qi '^status: 200'"
check "... with the database ok" sh -c "printf '%s' '$out' | grep -q '\"db\":\"ok\"'"
kill -TERM "$pid" 2>/dev/null
wait_for 10 sh -c "! test -d /proc/$pid"
ok "! -d /proc/$pid" "SIGTERM to the pid file's process stops it"
done_testing
