#!/usr/bin/env python3
"""openai_stub.py -- a loopback stand-in for an OpenAI-compatible
POST /chat/completions endpoint, for the content tests and benchmark.

It checks what it receives (Bearer key, model, response_format, the JSON
shape of the messages, the sku in the user message) and answers 400 when
something is wrong.  Each request is appended as one JSON line to --log.
The answer is chosen by --mode for the first --fail-times attempts of
each sku (-1: every attempt), then a good answer:

  ok          a good answer (after --delay-ms)
  429         429 with Retry-After: --retry-after (if given)
  500         500
  401         401
  truncated   200 whose body is cut short (Content-Length says more)
  nonjson     200 with an HTML body
  badcontent  200 envelope whose message content is not JSON
  garbage     200 with fields of the wrong type, missing or over limits
  delay       sleeps --fail-delay-ms on the failing attempts only (then ok)
  redirect    307 to this server's /redirected/chat/completions

--delay-ms delays every answer.  The port is written to --port-file once
the server listens.  Python 3 standard library only.
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--key", default="sk-test-key")
ap.add_argument("--model", default="gpt-4o-mini")
ap.add_argument("--mode", default="ok")
ap.add_argument("--fail-times", type=int, default=-1)
ap.add_argument("--retry-after", default=None)
ap.add_argument("--delay-ms", type=int, default=0)
ap.add_argument("--fail-delay-ms", type=int, default=0)
args = ap.parse_args()

lock = threading.Lock()
attempts = {}
inflight = [0]


def good_content(prod):
    sku = prod.get("sku", "")
    return {
        "item_name": "%s %s (%s)" % (prod.get("brand", ""), prod.get("title", ""), sku),
        "bullet_points": ["Model bullet %d for %s" % (i + 1, sku) for i in range(5)],
        "product_description": "Model description of %s." % prod.get("title", ""),
        "generic_keywords": "model keywords " + sku.lower(),
    }


def garbage_content(prod):
    return {
        "item_name": "x" * 500,                       # over 200: repaired
        "bullet_points": [42, "ok bullet", "", None], # wrong types: repaired
        "product_description": {"not": "a string"},   # repaired
        # generic_keywords missing: repaired
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True   # headers and body go out at once

    def log_message(self, *a):
        pass

    def send(self, status, body, headers=None, length=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(length if length is not None else len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        problems = []
        sku = None
        prod = {}
        if not self.path.endswith("/chat/completions"):
            problems.append("path " + self.path)
        if self.headers.get("Authorization") != "Bearer " + args.key:
            problems.append("bad Authorization header")
        try:
            req = json.loads(raw)
        except ValueError:
            req = {}
            problems.append("body is not JSON")
        if req.get("model") != args.model:
            problems.append("model %r" % req.get("model"))
        if req.get("response_format") != {"type": "json_object"}:
            problems.append("response_format %r" % req.get("response_format"))
        msgs = req.get("messages")
        if not isinstance(msgs, list) or not all(
                isinstance(m, dict) and isinstance(m.get("content"), str) and
                m.get("role") in ("system", "user") for m in msgs):
            problems.append("messages shape")
        else:
            users = [m["content"] for m in msgs if m["role"] == "user"]
            if len(users) != 1:
                problems.append("want one user message")
            else:
                try:
                    prod = json.loads(users[0])
                    sku = prod.get("sku")
                except ValueError:
                    problems.append("user message is not the product JSON")
                if not sku or sku not in users[0]:
                    problems.append("no sku in the user message")
        with lock:
            attempts[sku] = attempts.get(sku, 0) + 1
            attempt = attempts[sku]
            inflight[0] += 1
            with open(args.log, "a") as f:
                f.write(json.dumps({"t": time.time(), "sku": sku, "attempt": attempt,
                                    "path": self.path,
                                    "inflight": inflight[0], "problems": problems}) + "\n")
        try:
            self.answer(prod, sku, attempt, problems)
        finally:
            with lock:
                inflight[0] -= 1

    def answer(self, prod, sku, attempt, problems):
        failing = args.fail_times < 0 or attempt <= args.fail_times
        if args.delay_ms:
            time.sleep(args.delay_ms / 1000.0)
        if "bad Authorization header" in problems:
            return self.send(401, json.dumps({"error": {"message": "Incorrect API key provided"}}))
        if problems:
            return self.send(400, json.dumps({"error": {"message": "; ".join(problems)}}))
        mode = args.mode if failing else "ok"
        if mode == "delay":
            time.sleep(args.fail_delay_ms / 1000.0)
            mode = "ok"
        if mode == "429":
            h = {"Retry-After": args.retry_after} if args.retry_after is not None else {}
            return self.send(429, '{"error":{"message":"rate limited"}}', h)
        if mode == "redirect":
            port = self.server.server_address[1]
            return self.send(307, "{}", {"Location": "http://127.0.0.1:%d/redirected/chat/completions" % port})
        if mode == "500":
            return self.send(500, '{"error":{"message":"boom"}}')
        if mode == "401":
            return self.send(401, '{"error":{"message":"Incorrect API key"}}')
        if mode == "truncated":
            self.close_connection = True
            return self.send(200, '{"choices":[{"mess', length=400)
        if mode == "nonjson":
            return self.send(200, "<html><body>Bad gateway</body></html>")
        content = garbage_content(prod) if mode == "garbage" else good_content(prod)
        text = json.dumps(content)
        if mode == "badcontent":
            text = "Sure! Here is your listing: " + text
        body = {"id": "chatcmpl-stub", "object": "chat.completion", "model": args.model,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 50,
                          "total_tokens": 150}}
        return self.send(200, json.dumps(body))


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gave up (timeout, abort) is part of the tests.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)
    request_queue_size = 128


srv = Server(("127.0.0.1", 0), Handler)
tmp = args.port_file + ".tmp"
with open(tmp, "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(tmp, args.port_file)
try:
    srv.serve_forever()
except KeyboardInterrupt:
    sys.exit(0)
