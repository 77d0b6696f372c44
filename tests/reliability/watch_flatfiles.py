#!/usr/bin/env python3
"""watch_flatfiles.py OUTPUT_DIR PRODUCTS STOP_FILE: reads every
*/flatfile.txt under OUTPUT_DIR as fast as it can until STOP_FILE exists,
and reports any it ever saw incomplete (not 3 + PRODUCTS lines of 23
tab-separated cells, each ending in a newline)."""
import glob
import os
import sys
import time

out, products, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3]
reads = bad = 0
while not os.path.exists(stop):
    for path in glob.glob(os.path.join(out, "*", "flatfile.txt")):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            continue
        reads += 1
        lines = data.split(b"\n")
        if (not data.endswith(b"\n") or len(lines) != products + 4
                or any(len(l.split(b"\t")) != 23 for l in lines[2:-1])):
            bad += 1
            print("partial: %s (%d bytes)" % (path, len(data)), flush=True)
    time.sleep(0.001)
print("reads=%d partial=%d" % (reads, bad))
