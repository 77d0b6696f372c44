#!/usr/bin/env python3
"""Bounded enqueue load for the crash-consistency tests.

load.py BASE_URL OUT_FILE STOP_FILE [CLIENTS] [MAX_SECONDS]

CLIENTS threads POST /api/jobs {"type":"noop",...} in a loop over kept
connections until STOP_FILE exists (or MAX_SECONDS pass). Every id answered
with 202 is appended to OUT_FILE (one per line, written before the next
request). Connection errors and 502/503 (the responder being killed) are
counted, not fatal. Prints "accepted=N errors=N status=..." at the end.
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

base, out_path, stop_path = sys.argv[1], sys.argv[2], sys.argv[3]
clients = int(sys.argv[4]) if len(sys.argv) > 4 else 32
max_seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 120
u = urllib.parse.urlparse(base)
lock = threading.Lock()
out = open(out_path, "a", buffering=1)
counts = {"accepted": 0, "errors": 0}
statuses = {}
deadline = time.time() + max_seconds


def client(n):
    conn = None
    i = 0
    while not os.path.exists(stop_path) and time.time() < deadline:
        i += 1
        body = json.dumps({"type": "noop", "payload": {"client": n, "i": i}})
        try:
            if conn is None:
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
            conn.request("POST", "/api/jobs", body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            with lock:
                statuses[r.status] = statuses.get(r.status, 0) + 1
            if r.status == 202:
                job_id = json.loads(data)["job_id"]
                with lock:
                    out.write(job_id + "\n")
                    counts["accepted"] += 1
            else:
                time.sleep(0.01)
        except (OSError, http.client.HTTPException, ValueError, KeyError):
            with lock:
                counts["errors"] += 1
            if conn is not None:
                conn.close()
            conn = None
            time.sleep(0.01)


threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
out.close()
print("accepted=%d errors=%d status=%s" % (counts["accepted"], counts["errors"],
                                            json.dumps(statuses, sort_keys=True)))
