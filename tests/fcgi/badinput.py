# tests/fcgi/badinput.py DIR -- writes the request bodies of the bad-input
# table (tests/fcgi/badinput.txt) into DIR, one file per case.
import json, os, sys

d = sys.argv[1]
os.makedirs(d, exist_ok=True)

def w(name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def job(payload, **kw):
    o = {"type": "noop", "payload": payload}
    o.update(kw)
    return json.dumps(o)

prod = {"sku": "MUG-001", "title": "Mug", "brand": "Acme"}
def content(**kw):
    p = dict(prod); p.update(kw)
    return json.dumps({"marketplace": "US", "products": [p]})

w("truncated", '{"type":"noop","payload":{"a":[1,2')
w("deep_arrays", '{"type":"noop","payload":{"x":' + "[" * 10000 + "]" * 10000 + "}}")
w("deep_objects", '{"type":"noop","payload":' + '{"a":' * 10000 + "1" + "}" * 10000 + "}")
w("big5m", job({"s": "x" * (5 * 1024 * 1024)}))
w("big1500k", job({"s": "x" * (1500 * 1024)}))
w("bad_utf8", b'{"type":"noop","payload":{"s":"caf\xc3\x28"}}')
w("overlong_utf8", b'{"type":"noop","payload":{"s":"\xc0\xaf"}}')
w("lone_surrogate_bytes", b'{"type":"noop","payload":{"s":"\xed\xa0\x80"}}')
w("nul_byte", b'{"type":"noop","payload":{"s":"a\x00b"}}')
w("nul_outside", b'{"type":"noop","payload":{}}\x00')
w("dup_top", '{"type":"noop","type":"noop","payload":{}}')
w("dup_nested", '{"type":"noop","payload":{"a":1,"b":{"c":1,"c":2}}}')
w("huge_int", '{"type":"noop","payload":{},"priority":99999999999999999999999}')
w("huge_float", '{"type":"noop","payload":{},"priority":1e400}')
w("prio_range", job({}, priority=2000001))
w("prio_string", job({}, priority="5"))
w("prio_float", job({}, priority=1.5))
w("attempts_zero", job({}, max_attempts=0))
w("attempts_huge", job({}, max_attempts=100000))
w("run_at_words", job({}, run_at="tomorrow"))
w("run_at_range", job({}, run_at="2026-13-45T25:61:00Z"))
w("type_unknown", json.dumps({"type": "no_such_type", "payload": {}}))
w("type_traversal", json.dumps({"type": "../../etc/passwd", "payload": {}}))
w("type_sql", json.dumps({"type": "noop'; DROP TABLE jobs;--", "payload": {}}))
w("type_number", json.dumps({"type": 5, "payload": {}}))
w("payload_array", json.dumps({"type": "noop", "payload": [1, 2]}))
w("payload_missing", json.dumps({"type": "noop"}))
w("body_array", "[1,2,3]")
w("body_string", '"just a string"')
w("empty", "")
w("trailing", job({}) + " x")
w("two_values", job({}) + job({}))
w("single_quotes", "{'type':'noop','payload':{}}")
w("comment", '{"type":"noop", /* c */ "payload":{}}')
w("noop", job({}))
w("products_empty", json.dumps({"products": []}))
w("products_string", json.dumps({"products": "MUG-001"}))
w("products_501", json.dumps({"products": [dict(prod, sku="S%d" % i) for i in range(501)]}))
w("image_traversal", content(images=["../../etc/passwd"]))
w("image_absolute", content(images=["/etc/passwd"]))
w("sku_sql", content(sku="MUG'; DROP TABLE jobs;--"))
w("sku_long", content(sku="A" * 41))
w("sku_dup", json.dumps({"products": [prod, prod]}))
w("title_missing", json.dumps({"products": [{"sku": "A1", "brand": "b"}]}))
w("sqlmeta", job({"q": "'; DROP TABLE jobs; -- \" \\ % _ \u00e9 \u0000 end"}))
