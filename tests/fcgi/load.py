# tests/fcgi/load.py BASE_URL SECONDS CLIENTS PID IDS_FILE -- a bounded
# mixed load: each client keeps one HTTP/1.1 connection and alternates
# POST /api/jobs with GETs of a job, a page of jobs and the stats.  Writes
# every id answered with 202 to IDS_FILE and prints a JSON summary with
# status counts and the responder's RSS (kB) sampled every second.
import http.client, json, random, sys, threading, time, urllib.parse

base = urllib.parse.urlsplit(sys.argv[1])
secs, nclients, pid, ids_file = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
stop = time.monotonic() + secs
lock = threading.Lock()
statuses, ids, errors, rss = {}, [], [], []

def rss_kb():
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def client(n):
    rnd = random.Random(n)
    conn = None
    mine = []
    while time.monotonic() < stop:
        if conn is None:
            conn = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
        k = rnd.random()
        try:
            if k < 0.5 or not mine:
                body = json.dumps({"type": "noop", "payload": {"client": n, "k": k}})
                conn.request("POST", "/api/jobs", body, {"Content-Type": "application/json"})
            elif k < 0.8:
                conn.request("GET", "/api/jobs/" + rnd.choice(mine))
            elif k < 0.95:
                conn.request("GET", "/api/jobs?limit=20")
            else:
                conn.request("GET", "/api/jobs/stats")
            r = conn.getresponse()
            data = r.read()
            if r.status == 202:
                mine.append(json.loads(data)["job_id"])
            with lock:
                statuses[r.status] = statuses.get(r.status, 0) + 1
            if r.getheader("Connection", "").lower() == "close":
                conn.close(); conn = None
        except Exception as e:  # noqa: BLE001 -- counted and reported
            with lock:
                errors.append(repr(e))
            conn = None
    with lock:
        ids.extend(mine)

def sampler():
    while time.monotonic() < stop:
        rss.append(rss_kb())
        time.sleep(1)

threads = [threading.Thread(target=client, args=(i,)) for i in range(nclients)]
threads.append(threading.Thread(target=sampler))
t0 = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.monotonic() - t0
with open(ids_file, "w") as f:
    f.write("\n".join(sorted(ids)) + "\n")
print(json.dumps({"statuses": {str(k): v for k, v in sorted(statuses.items())},
                  "requests": sum(statuses.values()), "seconds": round(elapsed, 1),
                  "errors": errors[:5], "nerrors": len(errors),
                  "accepted": len(ids), "rss_kb": rss}))
