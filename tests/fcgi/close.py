# tests/fcgi/close.py -- how jobq-fcgi ends a connection.  A web server
# that is slow to close its end of a finished request must not hold a
# responder thread, or the committer's answering thread, hostage.
#
#   python3 close.py SOCKET METHOD URI [BODY]
# Client A sends the request, reads the answer up to END_REQUEST and then
# keeps its end open for 3 s; meanwhile client B sends the same request.
# Prints JSON: A's status, whether A then saw the responder close (EOF)
# and after how many ms, and how long B waited for its answer.
import json, os, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fcgi_client import connect, read_record, request, send

addr, method, uri = sys.argv[1:4]
body = sys.argv[4].encode() if len(sys.argv) > 4 else b""


a = connect(addr)
a.settimeout(10)
send(a, method, uri, body)
out = b""
while True:
    t, data = read_record(a)
    if t is None or t == 3:
        break
    if t == 6:
        out += data
head = out.partition(b"\r\n\r\n")[0].decode(errors="replace")
status = int(head.split("Status:", 1)[1].split()[0]) if "Status:" in head else 0

# A keeps its end open; does the responder close its end on its own?
closed = {}
def watch():
    t0 = time.monotonic()
    try:
        c = a.recv(1)
    except OSError:
        c = b""
    closed["eof"] = c == b""
    closed["ms"] = round((time.monotonic() - t0) * 1000)
w = threading.Thread(target=watch)
w.start()

t0 = time.monotonic()
b = request(addr, method, uri, body)
b_ms = round((time.monotonic() - t0) * 1000)
w.join(5)
time.sleep(max(0, 3 - (time.monotonic() - t0)))
a.close()
print(json.dumps({"a_status": status, "a_eof": closed.get("eof", False),
                  "a_eof_ms": closed.get("ms", -1), "b_status": b["status"],
                  "b_ms": b_ms}))
