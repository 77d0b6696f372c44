#!/usr/bin/env bash
# jobqctl: every subcommand, --json and tables, exit codes 0/1/2, and the
# guarantee that a batch enqueue is all or nothing.
. "$top_srcdir/tests/lib.sh"
export JOBQ_DB="$T/jobs.db"
ctl() { "$top_builddir/jobqctl" "$@"; }
count() { ctl --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }

out=$(ctl --help); is "$?" 0 "--help exits 0"
ok "\"\$(echo \"\$out\" | grep -c enqueue)\" -ge 1" "--help lists the commands"
is "$(ctl --version)" "jobqctl (jobq) $(sed -n 's/^AC_INIT(\[jobq\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")" "--version"
ctl >/dev/null 2>&1; is "$?" 2 "no command: exit 2"
ctl frobnicate >/dev/null 2>&1; is "$?" 2 "unknown command: exit 2"
ctl --bogus list >/dev/null 2>&1; is "$?" 2 "unknown option: exit 2"
msg=$(JOBQ_MAX_ATTEMPTS=0 ctl list 2>&1); is "$?" 2 "bad configuration value: exit 2"
ok "\"\$(echo \"\$msg\" | grep -c JOBQ_MAX_ATTEMPTS)\" -eq 1" "the message names the key"
printf 'JOBQ_SYNCRONOUS=full\n' >"$T/bad.conf"
msg=$(ctl --config "$T/bad.conf" list 2>&1); is "$?" 2 "unknown key in --config: exit 2"
ok "\"\$(echo \"\$msg\" | grep -c JOBQ_SYNCRONOUS)\" -eq 1" "the message names the unknown key"
printf 'JOBQ_DB=%s\n' "$T/other.db" >"$T/good.conf"
env -u JOBQ_DB "$top_builddir/jobqctl" --config "$T/good.conf" migrate >/dev/null
ok "-f '$T/other.db'" "--config sets keys"
JOBQ_DB= "$top_builddir/jobqctl" --config "$T/good.conf" migrate >/dev/null
ok "! -f '$T/jobs.db'" "an empty environment variable counts as unset"
JOBQ_DB="$T/env.db" "$top_builddir/jobqctl" --config "$T/good.conf" migrate >/dev/null
ok "-f '$T/env.db'" "the environment wins over --config"
JOBQ_DB="$T/env.db" "$top_builddir/jobqctl" --config "$T/good.conf" --db "$T/flag.db" migrate >/dev/null
ok "-f '$T/flag.db'" "a flag wins over the environment"
msg=$(JOBQ_DB="$T/missing/dir/jobs.db" ctl list 2>&1); is "$?" 1 "unopenable database: exit 1"
ok "\"\$(echo \"\$msg\" | grep -c 'missing/dir')\" -eq 1" "the message names the database"

is "$(ctl migrate)" "schema version 2" "migrate creates the schema"
is "$(ctl --json migrate)" '{"schema_version":2}' "migrate --json"
out=$(ctl check); is "$?" 0 "check passes on a sound database"

id=$(ctl enqueue noop '{"n":1}'); is "$?" 0 "enqueue exits 0"
ok "\"\$(echo \"$id\" | grep -cE '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$')\" -eq 1" "enqueue prints a UUIDv7"
ctl enqueue nosuchtype '{}' >/dev/null 2>&1; is "$?" 2 "unknown job type: exit 2"
ctl enqueue noop '{"n":' >/dev/null 2>&1; is "$?" 2 "invalid JSON: exit 2"
ctl enqueue noop '[1]' >/dev/null 2>&1; is "$?" 2 "non-object payload: exit 2"
ctl enqueue --run-at yesterday noop '{}' >/dev/null 2>&1; is "$?" 2 "bad --run-at: exit 2"
is "$(count)" 1 "refused payloads wrote nothing"

printf '{"n":1}\n{"n":2}\n\n{"n":3}\n' >"$T/batch.jsonl"
n=$(ctl enqueue noop @"$T/batch.jsonl" | wc -l); is "$n" 3 "a file enqueues one job per line, printing one id each"
printf '{"n":1}\n{"n":2}\nnot json\n' >"$T/bad.jsonl"
ctl enqueue noop @"$T/bad.jsonl" >/dev/null 2>&1; is "$?" 2 "a file with one bad line is refused"
is "$(count)" 4 "and none of its lines were enqueued"
n=$(printf '{"a":1}\n{"a":2}\n' | ctl enqueue noop - | wc -l); is "$n" 2 "stdin enqueues too"
k1=$(ctl enqueue --idempotency-key order-7 noop '{}'); k2=$(ctl enqueue --idempotency-key order-7 noop '{}')
is "$k1" "$k2" "the same idempotency key gives the same job"
ctl enqueue --priority 5 --max-attempts 7 --run-at 2030-01-01T00:00:00Z noop '{}' >/dev/null
j=$(ctl --json list --limit 1)
is "$(jget "$j" 'j["jobs"][0]["priority"]')" 5 "--priority stored"
is "$(jget "$j" 'j["jobs"][0]["max_attempts"]')" 7 "--max-attempts stored"
is "$(jget "$j" 'j["jobs"][0]["run_at"]')" "2030-01-01T00:00:00.000Z" "--run-at stored"

out=$(ctl show "$id"); is "$?" 0 "show exits 0"
ok "\"\$(echo \"\$out\" | grep -cE '^status +queued$')\" -eq 1" "show prints aligned key/value rows"
j=$(ctl --json show "$id")
is "$(jget "$j" 'j["payload"]["n"]')" 1 "show --json gives the job object with its payload"
ctl show 01a222c5-d1a3-7c34-9360-66a318144050 >/dev/null 2>&1; is "$?" 1 "show of an unknown id: exit 1"
ctl show ../etc/passwd >/dev/null 2>&1; is "$?" 2 "show of a malformed id: exit 2"

out=$(ctl list --status queued --limit 2)
is "$(echo "$out" | wc -l)" 4 "list: a header, two rows and the next cursor"
hdr=$(echo "$out" | head -1); row=$(echo "$out" | sed -n 2p)
is "$(awk -v h="$hdr" 'BEGIN{print index(h,"STATUS")}')" "$(awk -v r="$row" 'BEGIN{print index(r,"queued")}')" "list columns are aligned"
j=$(ctl --json list --limit 2); c=$(jget "$j" 'j["next_cursor"]')
j2=$(ctl --json list --limit 2 --cursor "$c")
ok "\"$(jget "$j2" 'j["jobs"][0]["id"]')\" != \"$(jget "$j" 'j["jobs"][1]["id"]')\"" "--cursor gives the next page"
ctl list --status bogus >/dev/null 2>&1; is "$?" 2 "unknown status: exit 2"
ctl list --limit 501 >/dev/null 2>&1; is "$?" 2 "limit above 500: exit 2"
ctl list --cursor "1; DROP TABLE jobs" >/dev/null 2>&1; is "$?" 2 "malformed cursor: exit 2"

out=$(ctl stats); ok "\"\$(echo \"\$out\" | grep -c '^(all)')\" -eq 1" "stats prints a table with a total row"
is "$(jget "$(ctl --json stats)" 'j["counts"]["queued"]')" "$(count)" "stats --json counts"

is "$(ctl cancel "$id")" "$id canceled" "cancel a queued job"
msg=$(ctl cancel "$id" 2>&1); is "$?" 1 "cancel of a finished job: exit 1"
ok "\"\$(echo \"\$msg\" | grep -c 'already canceled')\" -eq 1" "with a clear message"
is "$(ctl retry "$id")" "$id queued" "retry a canceled job"
ctl retry "$id" >/dev/null 2>&1; is "$?" 1 "retry of a queued job: exit 1"

ctl cancel "$id" >/dev/null
ctl prune >/dev/null 2>&1; is "$?" 2 "prune without --older-than: exit 2"
ctl prune --older-than 3x >/dev/null 2>&1; is "$?" 2 "prune with a bad duration: exit 2"
is "$(ctl prune --older-than 1d)" "deleted 0 finished jobs" "prune keeps young jobs"
sleep 0.01
is "$(ctl --json prune --older-than 0s)" '{"deleted":1}' "prune deletes finished jobs"

head -c 8192 /dev/urandom >"$T/junk.db"
JOBQ_DB="$T/junk.db" ctl check >/dev/null 2>&1; is "$?" 1 "check on a file that is not a database: exit 1"
done_testing
