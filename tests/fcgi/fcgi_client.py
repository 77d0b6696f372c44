# tests/fcgi/fcgi_client.py -- a minimal FastCGI client, to talk to
# jobq-fcgi without a web server (raw CONTENT_LENGTH, lies included).
#
#   python3 fcgi_client.py ADDR METHOD URI [--body FILE] [--cl N|none]
#       [--param K=V]... [--lines]
# ADDR: a unix socket path or HOST:PORT.  Prints the JSON
# {"status":n,"headers":{...},"body":"...","line_times_ms":[...]}.
import json, os, socket, struct, sys, time

def nv(k, v):
    out = b""
    for x in (k, v):
        n = len(x)
        out += bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)
    return out + k + v

def record(t, content, rid=1):
    out = b""
    for i in range(0, max(len(content), 1), 65535):
        chunk = content[i:i + 65535]
        out += struct.pack(">BBHHBB", 1, t, rid, len(chunk), 0, 0) + chunk
        if not content:
            break
    return out

def connect(addr):
    if addr.startswith("/"):
        s = socket.socket(socket.AF_UNIX)
        s.connect(addr)
    else:
        host, port = addr.rsplit(":", 1)
        s = socket.create_connection((host, int(port)))
    return s

def send(s, method, uri, body=b"", cl="auto", params=None):
    """Sends one request (parameters, then the body as stdin records)."""
    path, _, query = uri.partition("?")
    p = {"REQUEST_METHOD": method, "REQUEST_URI": uri, "QUERY_STRING": query,
         "SCRIPT_NAME": path, "SERVER_PROTOCOL": "HTTP/1.1"}
    if body:
        p["CONTENT_TYPE"] = "application/json"
    if cl == "auto":
        p["CONTENT_LENGTH"] = str(len(body))
    elif cl != "none":
        p["CONTENT_LENGTH"] = str(cl)
    p.update(params or {})
    pb = b"".join(nv(k.encode(), v.encode()) for k, v in p.items())
    msg = record(1, struct.pack(">HBxxxxx", 1, 0)) + record(4, pb) + record(4, b"")
    try:
        s.sendall(msg)
        for i in range(0, len(body), 65535):
            s.sendall(record(5, body[i:i + 65535]))
        s.sendall(record(5, b""))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the responder answered before reading everything

def read_record(s):
    """One record: (type, content), or (None, b"") at the end."""
    hdr = b""
    while len(hdr) < 8:
        c = s.recv(8 - len(hdr))
        if not c:
            return None, b""
        hdr += c
    _, t, _, n, pad, _ = struct.unpack(">BBHHBB", hdr)
    data = b""
    while len(data) < n + pad:
        c = s.recv(n + pad - len(data))
        if not c:
            break
        data += c
    return t, data[:n]

def request(addr, method, uri, body=b"", cl="auto", params=None, on_line=None):
    s = connect(addr)
    s.settimeout(30)
    t0 = time.monotonic()
    send(s, method, uri, body, cl, params)
    out, buf, times = b"", b"", []
    while True:
        try:
            t, data = read_record(s)
        except ConnectionResetError:
            break
        if t is None or t == 3:
            break
        if t == 6:
            out += data
            while b"\n" in out[len(buf):]:
                # a line finished: note when
                idx = out.index(b"\n", len(buf))
                buf = out[:idx + 1]
                times.append(round((time.monotonic() - t0) * 1000))
                if on_line:
                    on_line(buf)
    s.close()
    head, _, rest = out.partition(b"\r\n\r\n")
    headers = {}
    for line in head.decode(errors="replace").split("\r\n"):
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    status = int(headers.get("status", "200").split()[0]) if head else 0
    return {"status": status, "headers": headers,
            "body": rest.decode(errors="replace"), "line_times_ms": times}

if __name__ == "__main__":
    a = sys.argv[1:]
    addr, method, uri = a[0], a[1], a[2]
    body, cl, params, i = b"", "auto", {}, 3
    while i < len(a):
        if a[i] == "--body":
            body = open(a[i + 1], "rb").read(); i += 2
        elif a[i] == "--cl":
            cl = a[i + 1]; i += 2
        elif a[i] == "--param":
            k, v = a[i + 1].split("=", 1); params[k] = v; i += 2
        else:
            sys.exit("unknown option " + a[i])
    print(json.dumps(request(addr, method, uri, body, cl, params)))
