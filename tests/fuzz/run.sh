#!/bin/sh
# tests/fuzz/run.sh — build and run the libFuzzer target for a bounded time.
#
# usage: tests/fuzz/run.sh [SECONDS]        (default 60)
#
# Run from the top of the source tree, or with $top_srcdir set (make check
# sets it). Builds tests/fuzz/fuzz_open.c with clang directly, not through
# configure, seeds a fresh corpus from tests/fuzz/corpus and the protocol
# test vectors, and fuzzes for SECONDS. The committed corpus is never
# written to.
#
# Output is TAP, one test: "1..1" then "ok 1 - ..." or "not ok 1 - ...";
# everything else is a "#" comment. On a crash, leak or timeout the input
# that caused it is kept in $FUZZ_ARTIFACTS (default ./fuzz-artifacts) and
# the script exits 1. Without a clang that can link libFuzzer the test is
# skipped (exit 0) unless FUZZ_REQUIRED=1.
#
# Environment:
#   top_srcdir      source tree (default: . if it holds proto/, else from $0)
#   FUZZ_BUILDDIR   where the binary is built (default: a temporary dir)
#   FUZZ_ARTIFACTS  where crash files are kept (default: ./fuzz-artifacts)
#   FUZZ_CC         compiler (default: clang)
#   FUZZ_FLAGS      extra libFuzzer flags, e.g. "-jobs=2" or "-dict=FILE"
#   FUZZ_REQUIRED   1: a missing clang/libFuzzer is a failure, not a skip

set -u

secs=${1:-60}
case $secs in
''|*[!0-9]*)
	echo "usage: $0 [SECONDS]" >&2
	exit 2 ;;
esac
[ "$secs" -gt 0 ] || { echo "$0: SECONDS must be above 0" >&2; exit 2; }

if [ -z "${top_srcdir:-}" ]; then
	if [ -f proto/envelope.c ]; then
		top_srcdir=.
	else
		top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
	fi
fi
if [ ! -f "$top_srcdir/proto/envelope.c" ]; then
	echo "$0: $top_srcdir is not the ntarelay source tree" >&2
	exit 2
fi

cc=${FUZZ_CC:-clang}
artifacts=${FUZZ_ARTIFACTS:-$PWD/fuzz-artifacts}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ntarelay-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "${FUZZ_BUILDDIR:-}" ]; then
	builddir=$FUZZ_BUILDDIR
	mkdir -p "$builddir" || exit 2
else
	builddir=$tmp/build
	mkdir -p "$builddir"
fi
corpus=$tmp/corpus
work=$tmp/artifacts
log=$tmp/fuzz.log
mkdir -p "$corpus" "$work"

# Print a file as TAP comments.
comment() { sed 's/^/# /' "$1"; }

result() { # result ok|not_ok DESCRIPTION
	echo "1..1"
	if [ "$1" = ok ]; then
		echo "ok 1 - $2"
	else
		echo "not ok 1 - $2"
	fi
}

# ---------------------------------------------------------------- build
if ! command -v "$cc" >/dev/null 2>&1 ||
    ! pkgflags=$(pkg-config --cflags --libs libsodium nettle jansson 2>/dev/null); then
	if [ "${FUZZ_REQUIRED:-0}" = 1 ]; then
		result not_ok "fuzz_open: $cc or pkg-config (libsodium, nettle, jansson) not found"
		exit 1
	fi
	result ok "fuzz_open # SKIP $cc or pkg-config (libsodium, nettle, jansson) not found"
	exit 0
fi
# shellcheck disable=SC2086
if ! "$cc" -g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=all -I"$top_srcdir" \
    "$top_srcdir"/proto/*.c "$top_srcdir/tests/fuzz/fuzz_open.c" \
    $pkgflags -o "$builddir/fuzz_open" >"$tmp/build.log" 2>&1; then
	comment "$tmp/build.log"
	# A clang without compiler-rt's libFuzzer is an absent tool, not a bug.
	if grep -Eq 'libclang_rt\.(fuzzer|asan)|unsupported option.*fuzzer' \
	    "$tmp/build.log" && [ "${FUZZ_REQUIRED:-0}" != 1 ]; then
		result ok "fuzz_open # SKIP $cc cannot link libFuzzer (install libclang-rt-dev)"
		exit 0
	fi
	result not_ok "fuzz_open did not build"
	exit 1
fi

# ---------------------------------------------------------------- seeds
nseeds=0
for f in "$top_srcdir"/tests/fuzz/corpus/*; do
	[ -f "$f" ] || continue
	cp "$f" "$corpus/seed-$(basename "$f")"
	nseeds=$((nseeds + 1))
done
for f in "$top_srcdir"/tests/vectors/cases/*/envelope.json; do
	[ -f "$f" ] || continue
	cp "$f" "$corpus/vector-$(basename "$(dirname "$f")").json"
	nseeds=$((nseeds + 1))
done
echo "# fuzz_open: $nseeds seed inputs, $secs s"

# ---------------------------------------------------------------- run
: "${ASAN_OPTIONS:=detect_leaks=1:abort_on_error=0}"
: "${UBSAN_OPTIONS:=print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS UBSAN_OPTIONS

start=$(date +%s)
# shellcheck disable=SC2086
"$builddir/fuzz_open" -max_total_time="$secs" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/" \
    ${FUZZ_FLAGS:-} "$corpus" >"$log" 2>&1
rc=$?
end=$(date +%s)
elapsed=$((end - start))

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ -z "$execs" ]; then
	execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
fi
execs=${execs:-unknown}

crashes=
for f in "$work"/*; do
	[ -f "$f" ] && crashes="$crashes $f"
done

if [ "$rc" -eq 0 ] && [ -z "$crashes" ]; then
	grep -E '^(stat::|Done |INFO: .*(seed|corpus))' "$log" | sed 's/^/# /'
	result ok "fuzz_open ran $elapsed s, $execs execs, no crash"
	exit 0
fi

# Failure: show the report and keep the inputs.
# From the first report line (sanitizer, invariant, signal), or the tail.
first=$(grep -nE 'ERROR: |runtime error:|invariant failed|deadly signal|out-of-memory|timeout' \
    "$log" | head -n 1 | cut -d: -f1)
if [ -n "$first" ]; then
	sed -n "${first},\$p" "$log" | head -n 60 | sed 's/^/# /'
else
	tail -n 60 "$log" | sed 's/^/# /'
fi
kept=
if [ -n "$crashes" ]; then
	mkdir -p "$artifacts"
	for f in $crashes; do
		cp "$f" "$artifacts/" && kept="$kept $artifacts/$(basename "$f")"
	done
	if [ -n "${FUZZ_BUILDDIR:-}" ]; then
		echo "# reproduce: $builddir/fuzz_open$kept"
	else
		echo "# reproduce: FUZZ_BUILDDIR=DIR $0 1 (to keep the binary), then DIR/fuzz_open$kept"
	fi
fi
result not_ok "fuzz_open failed after $elapsed s, $execs execs (exit $rc);${kept:- no crash file written}"
exit 1
