# tests/deploy/doclinks.py -- relative links of Markdown files must point
# at files that exist (beside the document, with any #anchor dropped).
#
#   python3 doclinks.py FILE.md...
# Prints each broken link as FILE: TARGET and exits 1 if there is one.
import os, re, sys

bad = 0
for f in sys.argv[1:]:
    text = open(f, encoding="utf-8").read()
    # Links inside code spans and blocks are examples, not links.
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    for m in re.finditer(r"\]\(([^)\s]+)\)", text):
        target = m.group(1)
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue
        path = os.path.join(os.path.dirname(f), target.split("#")[0])
        if not os.path.exists(path):
            print("%s: %s" % (f, target))
            bad = 1
sys.exit(bad)
