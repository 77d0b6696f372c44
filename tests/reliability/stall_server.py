#!/usr/bin/env python3
"""stall_server.py PORT_FILE LOG_FILE: listens on a free loopback port
(written to PORT_FILE), accepts every connection, reads what comes, and
never answers: a provider or S3 endpoint that hangs. Appends one line per
connection to LOG_FILE."""
import socket
import sys
import threading

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(64)
open(sys.argv[1], "w").write("%d\n" % srv.getsockname()[1])
log = open(sys.argv[2], "a", buffering=1)


def hold(conn):
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass


while True:
    conn, _ = srv.accept()
    log.write("connection\n")
    threading.Thread(target=hold, args=(conn,), daemon=True).start()
