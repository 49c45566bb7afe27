# tests/integration/fed.sh — a local federation for integration tests:
# operators (root key, relay key, certificate), brokers and relays, all on
# 127.0.0.1 with ports chosen at run time. Source after lib.sh.
#
#   fed_operator A            keys $T/A/root.* $T/A/relay.* and $T/A/cert
#   fed_relay A LINK...       config $T/A/ntarelay.conf, trustdb pins every
#                             operator made so far, starts ntarelayd;
#                             sets A_http, A_pid; LINK is a broker name
#                             (FED_EXTRA: more config lines; FED_RATE_LIMIT,
#                             FED_RATE_BURST: default 100000 each; FED_STORE:
#                             the store's path, default $T/A/store.db;
#                             FED_WRAP: a command that execs the relay,
#                             e.g. "prlimit --fsize=N: --"; FED_CLIENT_IDS=1:
#                             each link its own link_client_id A-LINK, for
#                             brokers of one cluster, where a client id is
#                             unique cluster-wide)
#   fed_stop_relay A [SIG]    stop it (default TERM), by PID
#   fed_count A SQL-WHERE     events in A's store matching the condition
#   fed_metric A NAME         a counter from A's /metrics (sum over labels
#                             matching NAME exactly as given, e.g.
#                             'ntarelay_events_rejected_total{reason="expired"}')

NTACTL="$top_builddir/client/ntactl"
NTARELAYD="$top_builddir/relay/ntarelayd"
EVGEN="$top_builddir/tests/tools/evgen"
FED_NET=${FED_NET:-testnet}
FED_OPERATORS=""

fed_operator() {
	mkdir -p "$T/$1"
	"$NTACTL" keygen --name "$1-root" --out "$T/$1/root" --root >/dev/null &&
	"$NTACTL" keygen --name "$1-relay" --out "$T/$1/relay" >/dev/null &&
	"$NTACTL" cert --net "$FED_NET" --root "$T/$1/root.key" \
		--subject "$T/$1/relay.pub" --days 30 >"$T/$1/cert" || return 1
	FED_OPERATORS="$FED_OPERATORS $1"
}

# key id of a .pub file
fed_keyid() {
	cut -d' ' -f2 "$1" | base64 -d | sha256sum | cut -d' ' -f1
}

fed_relay() {
	_r=$1; shift
	_http=$(t_port)
	{
		echo "# relay $_r, written by tests/integration/fed.sh"
		echo "net $FED_NET"
		echo "key $T/$_r/relay.key"
		echo "cert $T/$_r/cert"
		echo "trustdb $T/$_r/trust.db"
		echo "store ${FED_STORE:-$T/$_r/store.db}"
		for _b in "$@"; do
			eval "echo link mqtt://127.0.0.1:\$${_b}_port"
			[ -n "${FED_CLIENT_IDS:-}" ] && echo "link_client_id $_r-$_b"
		done
		echo "http_listen 127.0.0.1:$_http"
		echo "log_level ${FED_LOG_LEVEL:-info}"
		echo "rate_limit ${FED_RATE_LIMIT:-100000}"
		echo "rate_burst ${FED_RATE_BURST:-100000}"
		[ -n "${FED_EXTRA:-}" ] && printf '%s\n' "$FED_EXTRA"
	} >"$T/$_r/ntarelay.conf"
	if [ ! -f "$T/$_r/trust.db" ]; then
		for _o in $FED_OPERATORS; do
			"$NTACTL" trust --db "$T/$_r/trust.db" --net "$FED_NET" pin \
				"$T/$_o/root.pub" >/dev/null || return 1
		done
	fi
	fed_start_relay "$_r" "$_http"
}

fed_start_relay() {
	_r=$1
	_http=${2:-$(eval echo "\$${1}_http")}
	${FED_WRAP:-} "$NTARELAYD" -c "$T/$_r/ntarelay.conf" 2>>"$T/$_r/relay.log" &
	_pid=$!
	t_pid "$_pid"
	eval "${_r}_http=$_http ${_r}_pid=$_pid"
	[ -n "${FED_NOWAIT:-}" ] && return 0
	t_wait 10 curl -fs "http://127.0.0.1:$_http/healthz"
}

fed_stop_relay() {
	_pid=$(eval echo "\$${1}_pid")
	kill "-${2:-TERM}" "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	return 0
}

fed_count() {
	sqlite3 "file:$T/$1/store.db?mode=ro" "SELECT count(*) FROM events WHERE $2" 2>/dev/null
}

fed_metric() {
	_http=$(eval echo "\$${1}_http")
	curl -fs "http://127.0.0.1:$_http/metrics" |
		awk -v n="$2" 'index($0, n) == 1 { s += $NF } END { print s + 0 }'
}
