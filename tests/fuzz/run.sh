#!/usr/bin/env bash
# tests/fuzz/run.sh -- `make fuzz`: builds every target with clang and
# libFuzzer under ASan+UBSan and runs each for FUZZ_SECONDS from its seed
# corpus. Prints one line per target with executions and crashes, and
# "N passed, N failed" (a target passes when it found no crash).
set -u
: "${FUZZ_SECONDS:=60}" "${CC_FUZZ:=clang}"
out=fuzz-build
mkdir -p "$out/obj" fuzz-crashes
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
objs=""
for src in $FUZZ_SRCS; do
	o="$out/obj/$(echo "$src" | tr / _).o"
	if [ ! -f "$o" ] || [ "$srcdir/$src" -nt "$o" ]; then
		$CC_FUZZ $flags -fsanitize=fuzzer-no-link $FUZZ_CFLAGS -c "$srcdir/$src" -o "$o" || exit 1
	fi
	objs="$objs $o"
done
# fuzz_one TARGET: builds and runs one target, writes its verdict line.
fuzz_one() {
	local t=$1 bin="$out/fuzz_$1" corpus="$out/corpus-$1" rc execs crashes
	if ! $CC_FUZZ $flags -fsanitize=fuzzer $FUZZ_CFLAGS "$srcdir/tests/fuzz/fuzz_$t.c" \
		$objs $FUZZ_LIBS -o "$bin" >"$out/$t.build.log" 2>&1; then
		echo "fuzz_$t: FAILED to build" >"$out/$t.verdict"
		cat "$out/$t.build.log" >>"$out/$t.verdict"
		return
	fi
	mkdir -p "$corpus" "fuzz-crashes/$t"
	cp -n "$srcdir/tests/fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null
	"$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="fuzz-crashes/$t/" -print_final_stats=1 "$corpus" \
		>"$out/$t.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -1)
	crashes=$(find "fuzz-crashes/$t" -type f | wc -l)
	if [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ]; then
		echo "fuzz_$t: ok, ${execs:-?} executions in ${FUZZ_SECONDS}s" >"$out/$t.verdict"
	else
		{
			echo "fuzz_$t: FAILED (exit $rc), ${execs:-?} executions, crash inputs in fuzz-crashes/$t/"
			grep -m5 -E 'ERROR|SUMMARY' "$out/$t.log"
		} >"$out/$t.verdict"
	fi
}

# Two targets at a time: the machines here have two cores.
running=0
for t in $FUZZ_TARGETS; do
	fuzz_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "${FUZZ_JOBS:-2}" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
pass=0 fail=0
for t in $FUZZ_TARGETS; do
	cat "$out/$t.verdict"
	if grep -q '^fuzz_[a-z_]*: ok' "$out/$t.verdict"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
