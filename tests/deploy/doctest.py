#!/usr/bin/env python3
"""doctest.py -- runs or checks every command of the ```sh blocks of the
given Markdown files (the rules are in docs/operations.md, "Commands in
these docs are tested").  Called by tests/deploy/doctest.sh, which starts
the live stack and the sandbox and passes them in the environment:

  DOC_SANDBOX   root that /etc/jobq, /var/lib/jobq, ... move into
  DOC_DESTDIR   a DESTDIR holding `make install` in the Debian layout
  DOC_BASE      the live stack's URL
  DOC_WORK      the working folder (payloads.jsonl, examples/)
  DOC_NEWJOB    a command printing the id of a fresh queued job
  DOC_TAP_START TAP number to continue from; the count of results and
                failures is written to DOC_TAP_OUT as "N FAILED"
  top_srcdir, top_builddir

Prints TAP lines, one per command.
"""
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

SRC = os.environ["top_srcdir"]
BUILD = os.environ["top_builddir"]
SANDBOX = os.environ["DOC_SANDBOX"]
DESTDIR = os.environ["DOC_DESTDIR"]
BASE = os.environ["DOC_BASE"]
WORK = os.environ["DOC_WORK"]
NEWJOB = os.environ["DOC_NEWJOB"]

OURS = ("jobqctl", "jobq-fcgi", "jobq-worker")
# Paths a command may touch for real: they move into the sandbox.
SANDBOXED = ("/etc/jobq", "/var/lib/jobq", "/var/backups/jobq", "/var/log/jobq", "/run/jobq")
# Paths `make install` must have put there (checked in DOC_DESTDIR).
INSTALLED = ("/usr/share/doc/jobq", "/etc/jobq", "/usr/lib/systemd/system/jobq",
             "/usr/lib/tmpfiles.d/jobq", "/usr/lib/sysusers.d/jobq", "/usr/share/jobq",
             "/etc/logrotate.d/jobq", "/usr/sbin/jobq", "/usr/bin/jobqctl")
# Programs that are run; everything else is only checked.
RUN = set(OURS) | {"curl", "sqlite3", "deploy/quickstart.sh", "mkdir", "ls", "cat",
                   "test", "stat", "cmp", "du", "echo", "python3", "grep", "wc", "head", "tail"}
# A job id: a UUID, or one cut short as "0193f0c2-...".
UUID = re.compile(r"\b[0-9a-f]{8}-(?:[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\.\.\.)")
OPS = {"|", "||", "&&", ";", "&"}

tap_n = int(os.environ.get("DOC_TAP_START", "0"))
failed = 0
help_cache = {}


def tap(good, name, detail=""):
    global tap_n, failed
    tap_n += 1
    print("%s %d - %s" % ("ok" if good else "not ok", tap_n, name))
    if not good:
        failed += 1
        for line in detail.strip().splitlines()[:25]:
            print("#   " + line)
    sys.stdout.flush()


def commands(path):
    """Yields (line number, block number, command) of the ```sh blocks."""
    fence = None
    block = 0
    pending, start = "", 0
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            m = re.match(r"^\s*(```+)\s*([\w-]*)", line)
            if m and fence is None:
                fence = (m.group(1), m.group(2))
                block += 1
                continue
            if m and fence is not None and line.strip() == fence[0]:
                fence = None
                continue
            if fence is None or fence[1] not in ("sh", "bash", "shell"):
                continue
            text = line.strip()
            if not pending:
                start = n
            if text.endswith("\\"):
                pending += text[:-1] + " "
                continue
            text = (pending + text).strip()
            pending = ""
            if text and not text.startswith("#"):
                yield start, block, text


INLINE = re.compile(r"`((?:sudo )?(?:jobqctl|jobq-worker|jobq-fcgi|make|systemctl|journalctl|"
                    r"spawn-fcgi|sqlite3|deploy/\S+|tests/\S+\.sh)(?: [^`]*)?)`")


def inline_commands(path):
    """Yields (line number, command) of inline code that starts with one of
    our programs or a tool the guide uses (outside fenced blocks): these
    are checked, never run."""
    fence = None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = re.match(r"^\s*(```+)", line)
            if m:
                fence = None if fence else m.group(1)
                continue
            if fence:
                continue
            for m in INLINE.finditer(line):
                yield n, m.group(1)


def strip_comment(cmd):
    """Removes a trailing '# ...' outside quotes; returns (command, comment)."""
    quote = None
    for i, c in enumerate(cmd):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or cmd[i - 1].isspace()):
            return cmd[:i].rstrip(), cmd[i + 1:].strip()
    return cmd, ""


def sandbox_paths(cmd):
    for p in SANDBOXED:
        cmd = re.sub(r"(?<![\w./-])" + re.escape(p) + r"(?=[/\s'\";|]|$)", SANDBOX + p, cmd)
    return cmd


def substitute(cmd, job_id):
    cmd = re.sub(r"^BASE=\S+$", "BASE=" + BASE, cmd)
    cmd = re.sub(r"https?://(127\.0\.0\.1:8080|localhost)(?![\w.:])", BASE, cmd)
    if job_id:
        cmd = UUID.sub(job_id, cmd)
        cmd = re.sub(r"\bID\b", job_id, cmd)
    cmd = re.sub(r"(?<![\w./-])/usr/s?bin/(jobqctl|jobq-fcgi|jobq-worker)\b", BUILD + r"/\1", cmd)
    # curl fails on an HTTP error (4xx, 5xx): a renamed route breaks the test.
    cmd = re.sub(r"(^|[;&|]\s*)curl ", r"\1curl --fail-with-body ", cmd)
    # sudo is dropped: the test runs everything as its own user.
    cmd = re.sub(r"(^|[;&|]\s*)sudo(\s+-[EH])*(\s+-u\s+\S+)?(\s+-[EH])*\s+", r"\1", cmd)
    return sandbox_paths(cmd)


def words(cmd):
    try:
        lex = shlex.shlex(cmd, posix=True, punctuation_chars=";&|")
        lex.whitespace_split = True
        return list(lex)
    except ValueError:
        return cmd.split()


def simple_commands(ws):
    """Splits words at | ; && || and drops sudo, env assignments, timeout."""
    cur = []
    for w in ws + [";"]:
        if w in OPS:
            if cur:
                yield cur
            cur = []
        else:
            cur.append(w)


def program(sc):
    i = 0
    while i < len(sc):
        w = sc[i]
        if w == "sudo":
            i += 1
            while i < len(sc) and sc[i].startswith("-"):
                i += 2 if sc[i] in ("-u", "-g") else 1
            continue
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", w) or w == "env":
            i += 1
            continue
        if w == "timeout":
            i += 2
            continue
        return sc[i:]
    return []


def help_of(prog):
    if prog not in help_cache:
        if prog == "configure":
            exe = [os.path.join(SRC, "configure"), "--help"]
        elif prog == "deploy/quickstart.sh":
            exe = ["bash", os.path.join(SRC, "deploy/quickstart.sh"), "--help"]
        else:
            exe = [os.path.join(BUILD, prog), "--help"]
        r = subprocess.run(exe, capture_output=True, text=True)
        help_cache[prog] = r.stdout + r.stderr
    return help_cache[prog]


def check_flags(prog, args):
    """Every --flag (and, for jobqctl, the subcommand) is in prog --help."""
    bad = []
    h = help_of(prog)
    for a in args:
        if a.startswith("--"):
            flag = a.split("=", 1)[0]
            if not re.search(re.escape(flag) + r"(?![\w-])", h):
                bad.append(flag)
    if prog == "jobqctl":
        sub = [a for a in args if not a.startswith("-")]
        # skip the values of options that take one
        it = iter(args)
        sub = []
        for a in it:
            if a.startswith("--") and "=" not in a and a not in ("--json", "--help", "--version"):
                next(it, None)
            elif not a.startswith("-"):
                sub.append(a)
        if sub and not re.search(r"^  %s\b" % re.escape(sub[0]), h, re.M):
            bad.append("subcommand " + sub[0])
    if prog == "deploy/quickstart.sh":
        sub = [a for a in args if not a.startswith("-")]
        if sub and sub[0] not in ("start", "stop", "status"):
            bad.append("subcommand " + sub[0])
    return bad


def installed_paths(ws):
    """Paths under INSTALLED named by the command, missing from the install."""
    missing = []
    for w in ws:
        for part in [w] + w.split("=")[1:]:
            for p in INSTALLED:
                if part == p or part.startswith(p + "/") or (part.startswith(p) and not p.endswith("jobq") and "/" not in part[len(p):]):
                    if part.startswith(("/usr/sbin/", "/usr/bin/")):
                        ok = os.access(os.path.join(BUILD, os.path.basename(part)), os.X_OK)
                    else:
                        ok = os.path.exists(DESTDIR + part)
                    if not ok:
                        missing.append(part)
                    break
    return missing


def check(cmd, inline=False):
    """Checks a command that cannot run here (inline: a mention in the
    text, where a file of the source tree need only exist); returns problems."""
    problems = []
    ws = words(cmd)
    packages = open(os.path.join(SRC, "tests/packages.txt")).read().split()
    for sc in simple_commands(ws):
        p = program(sc)
        if not p:
            continue
        prog, args = p[0], p[1:]
        base = os.path.basename(prog)
        if prog == "./configure":
            prog = "configure"
            problems += ["configure: unknown " + f for f in check_flags("configure", args)]
        elif "/" in prog and not prog.startswith("/") and inline:
            if not os.path.exists(os.path.join(SRC, prog)):
                problems.append("%s is not a file of the source tree" % prog)
        elif "/" in prog and not prog.startswith("/"):
            if not os.access(os.path.join(SRC, prog), os.X_OK):
                problems.append("%s is not an executable file of the source tree" % prog)
        elif prog.startswith("/"):
            if not (os.path.exists(prog) or os.path.exists(DESTDIR + prog)):
                problems.append("%s does not exist" % prog)
        elif not shutil.which(prog, path=os.environ["PATH"] + ":/usr/sbin:/sbin"):
            problems.append("program %s not found" % prog)
        if base in OURS:
            problems += ["%s: unknown %s" % (base, f) for f in check_flags(base, args)]
        if prog == "deploy/quickstart.sh":
            problems += ["quickstart.sh: unknown " + f for f in check_flags(prog, args)]
        if prog == "make":
            targets = [a for a in args if not a.startswith("-") and "=" not in a] or ["all"]
            rules = open(os.path.join(BUILD, "Makefile")).read()
            for t in targets:
                # The target has a rule (make -n would run the recursive
                # makes, and check-TESTS would run the tests).
                if not re.search(r"^(\S+ )*%s( \S+)*\s*:" % re.escape(t), rules, re.M):
                    problems.append("make %s: no such target" % t)
        if prog in ("apt-get", "apt") and "install" in args:
            for a in args:
                if not a.startswith("-") and a != "install" and a not in packages:
                    problems.append("package %s is not in tests/packages.txt (so untested)" % a)
        if prog == "systemctl":
            for a in args:
                unit = a if "." in a else a + ".service"
                if a.startswith("jobq") and not os.path.exists(os.path.join(SRC, "deploy/systemd", unit + ".in")):
                    problems.append("no unit %s in deploy/systemd/" % a)
        # our programs behind a wrapper (spawn-fcgi -- jobq-fcgi ...)
        for i, a in enumerate(args):
            if os.path.basename(a) in OURS:
                problems += ["%s: unknown %s" % (a, f) for f in check_flags(os.path.basename(a), args[i + 1:])]
                break
    problems += ["%s is not installed by make install" % m for m in installed_paths(ws)]
    return problems


def runnable(cmd):
    """A command runs if every program is in RUN and it names no absolute
    path outside the sandbox (other than our installed files, programs and /dev/null)."""
    if re.match(r"^(export\s+)?[A-Za-z_]\w*=\S*$", cmd):
        return True
    ws = words(cmd)
    for sc in simple_commands(ws):
        p = program(sc)
        if not p:
            return False
        prog = p[0]
        if prog.startswith(BUILD + "/"):
            prog = os.path.basename(prog)
        if prog not in RUN:
            return False
    for w in ws:
        for part in [w] + w.split("=")[1:] + w.split("@")[1:]:
            if part.startswith("/") and not part.startswith((SANDBOX, BUILD, SRC, WORK, "/dev/null")):
                return False
    return True


def run(cmd, env, expect):
    """Runs one command; returns (good, detail)."""
    m = re.match(r"^(export\s+)?([A-Za-z_]\w*)=(\S*)$", cmd)
    if m:
        env[m.group(2)] = os.path.expandvars(m.group(3).strip("'\""))
        return True, ""
    p = program(words(cmd))
    daemon = p and os.path.basename(p[0]) in ("jobq-fcgi", "jobq-worker") and \
        "--once" not in p and "--help" not in p and "--version" not in p
    proc = subprocess.Popen(["bash", "-c", cmd], env=env, cwd=WORK, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=3 if daemon else 120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
        if daemon:
            return True, out
        return False, out + "\n(timed out)"
    rc = proc.returncode
    if rc != expect:
        return False, "%s\n(exit %d, expected %d)" % (out, rc, expect)
    return True, out


def main():
    env = dict(os.environ)
    env["BASE"] = BASE
    for doc in sys.argv[1:]:
        rel = os.path.relpath(doc, SRC)
        job_block, job_id = None, None
        for line, block, text in commands(doc):
            cmd, comment = strip_comment(text)
            if not cmd:
                continue
            m = re.search(r"\bexits (\d+)", comment)
            expect = int(m.group(1)) if m else 0
            if job_block != block and (re.search(r"\bID\b", cmd) or UUID.search(cmd)):
                job_id = subprocess.run(["bash", "-c", NEWJOB], capture_output=True, text=True,
                                        env=env).stdout.strip()
                job_block = block
            real = substitute(cmd, job_id if job_block == block else None)
            name = "%s:%d: %s" % (rel, line, cmd if len(cmd) < 90 else cmd[:87] + "...")
            if runnable(real):
                good, detail = run(real, env, expect)
                bad = installed_paths(words(cmd))
                if bad:
                    good, detail = False, detail + "\nnot installed: " + " ".join(bad)
                tap(good, "runs " + name, "$ " + real + "\n" + detail)
            else:
                problems = check(cmd)
                tap(not problems, "checks " + name, "\n".join(problems))
        for line, cmd in inline_commands(doc):
            if cmd.endswith("...") or "`" in cmd:
                continue
            problems = check(cmd, inline=True)
            tap(not problems, "checks %s:%d: `%s`" % (rel, line, cmd), "\n".join(problems))
    with open(os.environ["DOC_TAP_OUT"], "w") as f:
        f.write("%d %d\n" % (tap_n, failed))


if __name__ == "__main__":
    main()
