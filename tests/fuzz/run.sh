#!/bin/sh
# tests/fuzz/run.sh — build the libFuzzer targets and run each for a bounded
# time.
#
# usage: tests/fuzz/run.sh [SECONDS [TARGET...]]     (default 60, all)
#
# SECONDS is the total, split evenly across the targets (at least 5 s
# each); with FUZZ_PER_TARGET=1 it is the time of each target instead
# (make fuzz: 600 s each). Targets (tests/fuzz/TARGET.c, each says what it
# covers in its header):
#   fuzz_open        envelope and payload parsing, validators, acceptance
#   fuzz_config      ntarelay.conf: the relay's reader and ntactl's
#   fuzz_http        the HTTP server: libmicrohttpd, router, params, routes
#   fuzz_trustdb     trust database import (signed payloads) and readers
#   fuzz_mattermost  slash command forms, Mattermost and page formatters
#
# Run from the top of the source tree, or with $top_srcdir set (make check
# sets it). Builds with clang directly, not through configure; each source
# is compiled once and shared between the targets. Each target starts from
# a fresh copy of tests/fuzz/corpus/TARGET (fuzz_open also from the
# protocol test vectors); the committed corpus is never written to.
#
# Output is TAP, one test per target: "ok N - TARGET: R runs, no crash" or
# "not ok N - ..."; everything else is a "#" comment (libFuzzer's final
# cov:/ft:/corp: line among them). On a crash, leak or timeout the input
# that caused it is kept in $FUZZ_ARTIFACTS (default ./fuzz-artifacts) and
# the script exits 1. A timeout is one input running over 30 s of wall
# time (generous: a loaded machine must not turn a slow run into a
# failure; real hangs still fail). Without a clang that can link
# libFuzzer every test is skipped (exit 0) unless FUZZ_REQUIRED=1.
#
# Environment:
#   top_srcdir      source tree (default: . if it holds proto/, else from $0)
#   FUZZ_BUILDDIR   where the binaries are built (default: a temporary dir)
#   FUZZ_ARTIFACTS  where crash files are kept (default: ./fuzz-artifacts)
#   FUZZ_CORPUS     keep each target's final corpus in FUZZ_CORPUS/TARGET
#   FUZZ_CC         compiler (default: clang)
#   FUZZ_FLAGS      extra libFuzzer flags, e.g. "-jobs=2" or "-dict=FILE"
#   FUZZ_PER_TARGET 1: SECONDS is per target, not the total
#   FUZZ_REQUIRED   1: a missing clang/libFuzzer is a failure, not a skip

set -u

all="fuzz_open fuzz_config fuzz_http fuzz_trustdb fuzz_mattermost"
secs=${1:-60}
case $secs in
''|*[!0-9]*)
	echo "usage: $0 [SECONDS [TARGET...]]" >&2
	exit 2 ;;
esac
[ "$secs" -gt 0 ] || { echo "$0: SECONDS must be above 0" >&2; exit 2; }
[ $# -gt 0 ] && shift
targets=${*:-$all}
for t in $targets; do
	case " $all " in
	*" $t "*) ;;
	*) echo "$0: unknown target $t (one of: $all)" >&2; exit 2 ;;
	esac
done
ntargets=$(echo $targets | wc -w)
if [ "${FUZZ_PER_TARGET:-0}" = 1 ]; then
	each=$secs
else
	each=$((secs / ntargets))
	[ "$each" -ge 5 ] || each=5
fi

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
top=$(cd "$top_srcdir" && pwd)

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
mkdir -p "$builddir/obj"

# Print a file as TAP comments.
comment() { sed 's/^/# /' "$1"; }

n=0
status=0
echo "1..$ntargets"

# Every target, as a test: ok / not ok / skip.
result() { # result ok|not_ok|skip TARGET TEXT
	n=$((n + 1))
	case $1 in
	ok) echo "ok $n - $2: $3" ;;
	skip) echo "ok $n - $2 # SKIP $3" ;;
	*) echo "not ok $n - $2: $3"; status=1 ;;
	esac
}

# The sources of each target (beside tests/fuzz/TARGET.c) and the
# pkg-config packages it links.
proto_src=$(cd "$top" && echo proto/*.c)
sources() {
	case $1 in
	fuzz_open) echo "$proto_src" ;;
	fuzz_config) echo "relay/core/config_keys.c relay/core/config_read.c" \
	    "relay/core/config_value.c relay/core/config_lists.c" \
	    "relay/core/config_check.c relay/core/secretfile.c relay/core/log.c" \
	    "lib/conf.c lib/conf_client.c $proto_src" ;;
	fuzz_http) echo "relay/http/http.c relay/http/router.c relay/http/routes.c" \
	    "relay/http/respond.c relay/http/params.c relay/http/form.c" \
	    "relay/http/stream.c" \
	    "relay/core/loop.c relay/core/metrics.c lib/buf.c relay/core/log.c" \
	    "$proto_src" ;;
	fuzz_trustdb) echo "$(cd "$top" && echo trustdb/*.c) $proto_src" ;;
	fuzz_mattermost) echo "relay/http/form.c relay/notify/mattermost.c" \
	    "relay/notify/mattermost_md.c relay/notify/mattermost_post.c" \
	    "relay/notify/mattermost_slash.c relay/core/metrics.c lib/buf.c" \
	    "relay/http/page.c relay/http/timeline.c relay/http/markup.c" \
	    "lib/incident_text.c lib/opname.c $proto_src" ;;
	esac
}
packages() {
	case $1 in
	fuzz_http) echo "libsodium nettle jansson libmicrohttpd" ;;
	fuzz_trustdb) echo "libsodium nettle jansson sqlite3" ;;
	*) echo "libsodium nettle jansson" ;;
	esac
}

cflags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"

# Compile src once into the shared object directory; prints the object.
compile() { # compile SRC PKGFLAGS
	o=$builddir/obj/$(echo "$1" | tr '/' '_' | sed 's/\.c$/.o/')
	if [ ! -f "$o" ] || [ "$top/$1" -nt "$o" ]; then
		# shellcheck disable=SC2086
		"$cc" $cflags -I"$top" -c "$top/$1" $2 -o "$o" \
		    >>"$tmp/build.log" 2>&1 || return 1
	fi
	echo "$o"
}

# Build target t; 0, or 1 (not built, reason in $why; $skip=1 for an
# absent tool).
build() { # build TARGET
	skip=0
	if ! command -v "$cc" >/dev/null 2>&1; then
		why="$cc not found"; skip=1; return 1
	fi
	# shellcheck disable=SC2046
	if ! pkgflags=$(pkg-config --cflags --libs $(packages "$1") 2>/dev/null); then
		why="pkg-config: $(packages "$1") not all found"; skip=1; return 1
	fi
	: >"$tmp/build.log"
	objs=
	for s in $(sources "$1") "tests/fuzz/$1.c"; do
		o=$(compile "$s" "$pkgflags") || { why="$s did not compile"; break; }
		objs="$objs $o"
		why=
	done
	# shellcheck disable=SC2086
	if [ -z "$why" ] && "$cc" $cflags $objs $pkgflags -lpthread \
	    -o "$builddir/$1" >>"$tmp/build.log" 2>&1; then
		return 0
	fi
	comment "$tmp/build.log"
	# A clang without compiler-rt's libFuzzer is an absent tool, not a bug.
	if grep -Eq 'libclang_rt\.(fuzzer|asan)|unsupported option.*fuzzer' \
	    "$tmp/build.log"; then
		why="$cc cannot link libFuzzer (install libclang-rt-dev)"; skip=1
	else
		why="${why:-did not link}"
	fi
	return 1
}

# The seeds of target t into the directory $2.
seed() { # seed TARGET DIR
	for f in "$top/tests/fuzz/corpus/$1"/*; do
		[ -f "$f" ] && cp "$f" "$2/seed-$(basename "$f")"
	done
	if [ "$1" = fuzz_open ]; then
		for f in "$top"/tests/vectors/cases/*/envelope.json; do
			[ -f "$f" ] && cp "$f" "$2/vector-$(basename "$(dirname "$f")").json"
		done
	fi
	ls "$2" | wc -l
}

: "${ASAN_OPTIONS:=detect_leaks=1:abort_on_error=0}"
: "${UBSAN_OPTIONS:=print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS UBSAN_OPTIONS

for t in $targets; do
	if ! build "$t"; then
		if [ "$skip" = 1 ] && [ "${FUZZ_REQUIRED:-0}" != 1 ]; then
			result skip "$t" "$why"
		else
			result not_ok "$t" "not built: $why"
		fi
		continue
	fi
	corpus=$tmp/corpus-$t
	work=$tmp/artifacts-$t
	log=$tmp/$t.log
	mkdir -p "$corpus" "$work"
	nseeds=$(seed "$t" "$corpus")
	echo "# $t: $nseeds seed inputs, $each s"

	start=$(date +%s)
	# shellcheck disable=SC2086
	"$builddir/$t" -max_total_time="$each" -timeout=30 \
	    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/" \
	    ${FUZZ_FLAGS:-} "$corpus" >"$log" 2>&1
	rc=$?
	elapsed=$(($(date +%s) - start))

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	[ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
	execs=${execs:-unknown}
	crashes=
	for f in "$work"/*; do
		[ -f "$f" ] && crashes="$crashes $f"
	done
	if [ -n "${FUZZ_CORPUS:-}" ]; then
		mkdir -p "$FUZZ_CORPUS/$t" && cp "$corpus"/* "$FUZZ_CORPUS/$t/" 2>/dev/null
	fi

	if [ "$rc" -eq 0 ] && [ -z "$crashes" ]; then
		# libFuzzer's last status line: cov, ft, corp
		grep -E '^#[0-9]+' "$log" | tail -n 1 | sed 's/^/# /'
		grep -E '^(stat::|Done )' "$log" | sed 's/^/# /'
		echo "# $t: corpus $(ls "$corpus" | wc -l) inputs"
		result ok "$t" "$execs runs, no crash ($elapsed s)"
		continue
	fi

	# Failure: show the report and keep the inputs.
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
			cp "$f" "$artifacts/$t-$(basename "$f")" &&
			    kept="$kept $artifacts/$t-$(basename "$f")"
		done
		if [ -n "${FUZZ_BUILDDIR:-}" ]; then
			echo "# reproduce: $builddir/$t$kept"
		else
			echo "# reproduce: FUZZ_BUILDDIR=DIR $0 5 $t (to keep the binary), then DIR/$t$kept"
		fi
	fi
	result not_ok "$t" "failed after $elapsed s, $execs runs (exit $rc);${kept:- no crash file written}"
done
exit $status
