#!/usr/bin/env bash
# tests/ci.sh -- the whole test suite from a clean clone on Debian 12:
# installs the packages it needs, builds with AddressSanitizer and UBSan
# and warnings as errors, runs every unit and integration test (make check),
# and ends with the line "N passed, N failed".
#
#   JOBQ_SKIP_APT=1        do not run apt-get (packages already there)
#   JOBQ_NO_SAN=1          build without sanitizers
#   JOBQ_FUZZ_SECONDS=N    run each fuzz target N seconds (default 60; 0: skip)
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

if [ -z "${JOBQ_SKIP_APT:-}" ]; then
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	pkgs=$(grep -v '^#' tests/packages.txt)
	# A machine may already have Node.js from elsewhere (NodeSource), whose
	# nodejs package conflicts with Debian's npm: keep the one it has.
	if command -v node >/dev/null && command -v npm >/dev/null; then
		pkgs=$(echo "$pkgs" | grep -vx -e nodejs -e npm)
	fi
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		$pkgs >/dev/null
fi

san="--enable-asan --enable-ubsan"
[ -n "${JOBQ_NO_SAN:-}" ] && san=
autoreconf -fi >/dev/null 2>&1
rm -rf build-ci
mkdir build-ci
cd build-ci
"$top/configure" -q --enable-werror $san
make -j2 >build.log 2>&1 || { tail -50 build.log; echo "0 passed, 1 failed"; exit 1; }
# From here on every outcome is counted, none aborts the script.
set +e
rc=0
make -j2 check || rc=$?
log=test-suite.log
if [ ! -f "$log" ]; then
	echo "0 passed, 1 failed"
	exit 1
fi
# Show the end of the log of each test that failed.
for t in $(sed -n 's/^\(FAIL\|ERROR\): \([^ ]*\).*$/\2/p' "$log" | sort -u); do
	echo "=== $t ==="
	tail -40 "${t%.sh}.log" 2>/dev/null
done
summary() { n=$(sed -n "s/^# $1: *\([0-9]*\)$/\1/p" "$log" | head -1); echo "${n:-0}"; }
pass=$(( $(summary PASS) + $(summary XFAIL) ))
fail=$(( $(summary FAIL) + $(summary ERROR) + $(summary XPASS) ))
skip=$(summary SKIP)
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi

# Fuzzing: each parser of untrusted input for a set time; a target that
# finds a crash counts as a failed test.
if [ "${JOBQ_FUZZ_SECONDS:-60}" -gt 0 ] && command -v clang >/dev/null; then
	make fuzz FUZZ_SECONDS="${JOBQ_FUZZ_SECONDS:-60}" >fuzz.log 2>&1
	grep '^fuzz_' fuzz.log
	fp=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' fuzz.log | tail -1)
	ff=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' fuzz.log | tail -1)
	if [ -z "$fp" ]; then tail -20 fuzz.log; fp=0; ff=1; fi
	pass=$((pass + fp))
	fail=$((fail + ff))
fi
# The last line is exactly "N passed, N failed"; skipped tests (none is
# expected here) are reported just before it.
echo "${skip:-0} skipped"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
