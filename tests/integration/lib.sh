# tests/integration/lib.sh — TAP helpers and cleanup for integration tests.
#
# Source it, then call `t_ok NAME CMD...`, `t_fail NAME CMD...` (the command
# must fail), `t_is NAME GOT WANT`, and `t_done` at the end. Every daemon a
# test starts must be registered with `t_pid PID`: the EXIT trap stops it by
# PID (never by name) and removes the scratch directory $T. `t_atexit CMD`
# adds a command the trap runs after the daemons stopped and before $T is
# removed (e.g. unmounting a file system the test mounted in $T).

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir

T=$(mktemp -d "${TMPDIR:-/tmp}/ntarelay-test.XXXXXX")
_t_n=0
_t_failed=0
_t_pids=""

t_pid() { _t_pids="$_t_pids $1"; }
_t_atexit=""
t_atexit() { _t_atexit="$_t_atexit
$*"; }

_t_cleanup() {
	for p in $_t_pids; do
		kill "$p" 2>/dev/null
	done
	for p in $_t_pids; do
		wait "$p" 2>/dev/null
	done
	eval "$_t_atexit"
	if [ -n "${T_KEEP:-}" ]; then echo "# kept $T" >&2; else rm -rf "$T"; fi
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

# t_port: print a TCP port on 127.0.0.1 that nothing listens on now, below
# the kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range,
# 32768-60999 by default), so that no outgoing connection of a parallel
# test can hold it when our daemon binds it.
t_port() {
	while :; do
		p=$(( 10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 22000 ))
		hex=$(printf '%04X' "$p")
		if ! grep -q ":$hex 00000000:0000 0A" /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# t_wait SECONDS CMD...: run CMD every 0.1 s until it succeeds; 1 if it
# never did. A bound for a behaviour, not a timing assertion.
t_wait() {
	_n=$(( $1 * 10 )); shift
	while [ "$_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

# t_mosquitto NAME [PORT]: start a test broker (persistent sessions kept in
# $T/NAME.db across restarts) on 127.0.0.1; sets NAME_port and NAME_pid.
t_mosquitto() {
	_name=$1
	_port=${2:-$(t_port)}
	mkdir -p "$T/$_name.mq"
	cat >"$T/$_name.mq/mosquitto.conf" <<EOF2
listener $_port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $T/$_name.mq/
autosave_interval 1
set_tcp_nodelay true
max_queued_messages 200000
max_inflight_messages 1000
user root
log_dest file $T/$_name.mq/mosquitto.log
EOF2
	mosquitto -c "$T/$_name.mq/mosquitto.conf" &
	_pid=$!
	t_pid "$_pid"
	eval "${_name}_port=$_port ${_name}_pid=$_pid"
	t_wait 10 sh -c "grep -q ':$(printf '%04X' "$_port") 00000000:0000 0A' /proc/net/tcp && kill -0 $_pid"
}
