#!/usr/bin/env python3
"""dbcheck.py DB IDS_FILE: how many of the ids are missing from the jobs
table, read through SQLite's own reader (read-only, a test's-eye view)."""
import sqlite3
import sys

db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
ids = [line.strip() for line in open(sys.argv[2]) if line.strip()]
missing = 0
for i in range(0, len(ids), 500):
    chunk = ids[i:i + 500]
    q = "SELECT count(*) FROM jobs WHERE id IN (%s)" % ",".join("?" * len(chunk))
    missing += len(chunk) - db.execute(q, chunk).fetchone()[0]
print("ids=%d missing=%d" % (len(ids), missing))
