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
#   fed_pki                   a test CA ($T/pki/ca.*) and a server
#                             certificate for 127.0.0.1 ($T/pki/server.*)
#   fed_pki_ca NAME CN        another self-signed CA, $T/pki/NAME.*
#   fed_pki_cert NAME SAN     a certificate from the test CA for SAN (e.g.
#                             DNS:host), $T/pki/NAME.*
#   fed_tls_broker NAME PORT CERT [PASSWD]
#                             a broker with TLS on PORT (certificate
#                             $T/pki/CERT.*), passwords from the file PASSWD
#                             (anonymous without); sets NAME_pid
#   fed_gen OPERATOR KIND ZONE [evgen options]
#                             one event signed with the operator's root
#                             key, continuing its chain (seq_OPERATOR,
#                             prev_OPERATOR), published on broker m

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

# Test certificates, each command's output in $T/pki/log.
fed_pki_ca() {
	mkdir -p "$T/pki"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=$2" -keyout "$T/pki/$1.key" -out "$T/pki/$1.crt" \
		>>"$T/pki/log" 2>&1
}

fed_pki_cert() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/CN=${2#*:}" -keyout "$T/pki/$1.key" -out "$T/pki/$1.csr" \
		>>"$T/pki/log" 2>&1 &&
	printf 'subjectAltName=%s\n' "$2" >"$T/pki/$1.ext" &&
	openssl x509 -req -in "$T/pki/$1.csr" -CA "$T/pki/ca.crt" \
		-CAkey "$T/pki/ca.key" -CAcreateserial -days 2 \
		-extfile "$T/pki/$1.ext" -out "$T/pki/$1.crt" >>"$T/pki/log" 2>&1
}

fed_pki() {
	fed_pki_ca ca "ntarelay test CA" && fed_pki_cert server IP:127.0.0.1
}

fed_tls_broker() {
	_name=$1 _port=$2 _cert=$3 _passwd=${4:-}
	{
		echo "listener $_port 127.0.0.1"
		echo "cafile $T/pki/ca.crt"
		echo "certfile $T/pki/$_cert.crt"
		echo "keyfile $T/pki/$_cert.key"
		echo "tls_version tlsv1.2"
		if [ -n "$_passwd" ]; then
			echo "allow_anonymous false"
			echo "password_file $_passwd"
		else
			echo "allow_anonymous true"
		fi
		echo "persistence false"
		echo "user root"
		echo "log_dest file $T/pki/$_name.log"
	} >"$T/pki/$_name.conf"
	mosquitto -c "$T/pki/$_name.conf" &
	_pid=$!
	t_pid "$_pid"
	eval "${_name}_pid=$_pid"
	t_wait 10 sh -c "grep -q ':$(printf '%04X' "$_port") 00000000:0000 0A' /proc/net/tcp && kill -0 $_pid"
}

fed_gen() {
	_o=$1 _k=$2 _z=$3
	shift 3
	eval "_seq=\${seq_$_o:-1} _prev=\${prev_$_o:-}"
	"$EVGEN" --key "$T/$_o/root.key" --origin "$(fed_keyid "$T/$_o/root.pub")" \
		--net "$FED_NET" --kind "$_k" --zone "$_z" --seq "$_seq" \
		${_prev:+--prev "$_prev"} --publish "127.0.0.1:$m_port" "$@" \
		2>"$T/gen.err" >/dev/null || return 1
	_last=$(sed -n 's/^last //p' "$T/gen.err")
	eval "seq_$_o=$(( ${_last% *} + 1 )) prev_$_o=${_last#* }"
}
