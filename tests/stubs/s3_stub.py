#!/usr/bin/env python3
"""s3_stub.py -- a loopback stand-in for S3 path-style PUT and HEAD
(/BUCKET/KEY), for the content tests.

It verifies the AWS Signature V4 of every request in full with the known
secret (credential scope REGION/s3/aws4_request, signed headers, the
signature itself), that x-amz-content-sha256 is the hash of the body, and
that Content-Type matches the image's content.  A request that fails a
check gets 403 with the reason.  Objects are kept in memory (HEAD answers
200 for stored keys, else 404).  Every request is one JSON line in --log.
--mode 500 / 403 makes the first --fail-times PUTs (-1: all) fail.
Python 3 standard library only.
"""
import argparse
import hashlib
import hmac
import json
import os
import sys
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--bucket", default="test-bucket")
ap.add_argument("--region", default="eu-test-1")
ap.add_argument("--access-key", default="AKIDSTUB")
ap.add_argument("--secret", default="stub-secret-key")
ap.add_argument("--mode", default="ok")
ap.add_argument("--fail-times", type=int, default=-1)
args = ap.parse_args()

lock = threading.Lock()
objects = {}
puts = [0]

MAGIC = [(b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"),
         (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"),
         (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff")]


def sniff(body):
    for m, t in MAGIC:
        if body.startswith(m):
            return t
    return None


def hm(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def check_sigv4(h, method, path, payload_hash):
    problems = []
    auth = h.get("Authorization", "")
    m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                 r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$", auth)
    if not m:
        return ["Authorization is not SigV4: %r" % auth[:80]]
    key, date, region, service, signed, sig = m.groups()
    if key != args.access_key:
        problems.append("access key %s" % key)
    if region != args.region:
        problems.append("region %s" % region)
    if service != "s3":
        problems.append("service %s" % service)
    amzdate = h.get("x-amz-date", "")
    if not amzdate.startswith(date):
        problems.append("x-amz-date %r" % amzdate)
    names = signed.split(";")
    for need in ("host", "x-amz-date", "x-amz-content-sha256"):
        if need not in names:
            problems.append("%s not signed" % need)
    canon_headers = "".join("%s:%s\n" % (n, " ".join((h.get(n) or "").split())) for n in names)
    url = urllib.parse.urlsplit(path)
    creq = "\n".join([method, url.path, url.query, canon_headers, signed, payload_hash])
    scope = "%s/%s/%s/aws4_request" % (date, region, service)
    sts = "\n".join(["AWS4-HMAC-SHA256", amzdate, scope,
                     hashlib.sha256(creq.encode()).hexdigest()])
    k = hm(("AWS4" + args.secret).encode(), date)
    k = hm(k, region)
    k = hm(k, service)
    k = hm(k, "aws4_request")
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    if want != sig:
        problems.append("signature mismatch")
    return problems


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True   # headers and body go out at once

    def log_message(self, *a):
        pass

    def answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_one(self, method):
        n = int(self.headers.get("Content-Length", "0") or "0")
        body = self.rfile.read(n) if n else b""
        problems = []
        sha = hashlib.sha256(body).hexdigest()
        claimed = self.headers.get("x-amz-content-sha256", "")
        if claimed != sha:
            problems.append("x-amz-content-sha256 %r is not the body's hash" % claimed)
        problems += check_sigv4(self.headers, method, self.path, claimed)
        parts = self.path.split("/", 2)
        key = parts[2] if len(parts) == 3 else ""
        if len(parts) != 3 or parts[1] != args.bucket:
            problems.append("path %s is not /%s/KEY" % (self.path, args.bucket))
        ctype = self.headers.get("Content-Type")
        if method == "PUT":
            if sniff(body) is None:
                problems.append("body is not an image")
            elif ctype != sniff(body):
                problems.append("Content-Type %r for a %s" % (ctype, sniff(body)))
        with lock:
            with open(args.log, "a") as f:
                f.write(json.dumps({"t": time.time(), "method": method, "key": key,
                                    "size": len(body), "content_type": ctype,
                                    "problems": problems}) + "\n")
            if problems:
                return self.answer(403, json.dumps(problems).encode())
            if method == "HEAD":
                return self.answer(200 if key in objects else 404)
            puts[0] += 1
            failing = args.fail_times < 0 or puts[0] <= args.fail_times
            if args.mode in ("500", "403") and failing:
                return self.answer(int(args.mode), b"<Error/>")
            objects[key] = body
            return self.answer(200)

    def do_PUT(self):
        self.handle_one("PUT")

    def do_HEAD(self):
        self.handle_one("HEAD")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gave up (timeout, abort) is part of the tests.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


srv = Server(("127.0.0.1", 0), Handler)
tmp = args.port_file + ".tmp"
with open(tmp, "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(tmp, args.port_file)
srv.serve_forever()
