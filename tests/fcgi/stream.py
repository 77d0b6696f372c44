# tests/fcgi/stream.py URL N -- posts a generate_amazon_content payload of
# N products to the sync endpoint and reports, as JSON, the status, some
# headers, every line and when each line arrived.
import http.client, json, sys, time, urllib.parse

url = urllib.parse.urlsplit(sys.argv[1])
n = int(sys.argv[2])
body = json.dumps({"marketplace": "US", "products": [
    {"sku": "SKU-%d" % i, "title": "Mug %d" % i, "brand": "Acme"} for i in range(n)]})
c = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
t0 = time.monotonic()
c.request("POST", url.path, body, {"Content-Type": "application/json"})
r = c.getresponse()
lines, times = [], []
while True:
    line = r.readline()
    if not line:
        break
    times.append((time.monotonic() - t0) * 1000)
    lines.append(line.decode().rstrip("\n"))
progress = [t for l, t in zip(lines, times) if l.startswith("PROGRESS ")]
print(json.dumps({
    "status": r.status,
    "headers": [r.getheader("Content-Type"), r.getheader("X-Accel-Buffering"),
                r.getheader("Cache-Control")],
    "lines": lines,
    "times_ms": [round(t) for t in times],
    "last": lines[-1] if lines else "",
    "first_progress_before_end_ms": (times[-1] - progress[0]) if progress else -1,
    "spread_ms": (progress[-1] - progress[0]) if progress else -1,
}))
