# tests/integration/lib.sh — TAP helpers and cleanup for integration tests.
#
# Source it, then call `t_ok NAME CMD...`, `t_fail NAME CMD...` (the command
# must fail), `t_is NAME GOT WANT`, and `t_done` at the end. Every daemon a
# test starts must be registered with `t_pid PID`: the EXIT trap stops it by
# PID (never by name) and removes the scratch directory $T.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir

T=$(mktemp -d "${TMPDIR:-/tmp}/ntarelay-test.XXXXXX")
_t_n=0
_t_failed=0
_t_pids=""

t_pid() { _t_pids="$_t_pids $1"; }

_t_cleanup() {
	for p in $_t_pids; do
		kill "$p" 2>/dev/null
	done
	for p in $_t_pids; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap _t_cleanup EXIT
trap 'exit 130' INT TERM

_t_report() {
	_t_n=$((_t_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $_t_n - $2"
	else
		echo "not ok $_t_n - $2"
		_t_failed=$((_t_failed + 1))
		if [ -s "$T/.out" ]; then sed 's/^/# /' "$T/.out" | head -n 20; fi
	fi
}

# t_ok NAME CMD... : CMD must exit 0.
t_ok() {
	name=$1; shift
	"$@" >"$T/.out" 2>&1
	_t_report $? "$name"
}

# t_fail NAME CODE CMD... : CMD must exit with CODE.
t_fail() {
	name=$1; code=$2; shift 2
	"$@" >"$T/.out" 2>&1
	rc=$?
	[ "$rc" = "$code" ] || echo "exit status $rc, expected $code" >>"$T/.out"
	[ "$rc" = "$code" ]
	_t_report $? "$name"
}

# t_is NAME GOT WANT
t_is() {
	if [ "$2" = "$3" ]; then : >"$T/.out"; _t_report 0 "$1"
	else printf 'got:  %s\nwant: %s\n' "$2" "$3" >"$T/.out"; _t_report 1 "$1"; fi
}

t_done() {
	echo "1..$_t_n"
	[ "$_t_failed" = 0 ]
}
