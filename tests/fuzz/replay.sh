#!/usr/bin/env bash
# Replays every fuzz target over its seed corpus and every kept crash
# input (tests/fuzz/regress/TARGET), under the build's sanitizers.
. "$top_srcdir/tests/lib.sh"
for bin in "$top_builddir"/tests/fuzz/replay_*; do
	[ -x "$bin" ] || continue
	t=${bin##*/replay_}
	"$bin" "$top_srcdir/tests/fuzz/corpus/$t" "$top_srcdir/tests/fuzz/regress/$t" >"$T/$t.out" 2>&1
	rc=$?
	files=$(grep -c '^ok ' "$T/$t.out")
	if [ "$rc" -ne 0 ]; then
		sed 's/^/#   /' "$T/$t.out" | tail -30
	fi
	ok "$rc -eq 0 -a $files -gt 0" "fuzz_$t replays $files kept inputs cleanly"
done
done_testing
