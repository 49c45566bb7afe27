#!/bin/sh
# tests/integration/startcheck.sh — `ntarelayd -t` runs the checks the
# start runs (relay/core/startcheck.c): for each broken configuration, -t
# exits 1 naming the problem, and a real start fails with the same
# message; a good configuration passes -t and starts. --help, --version.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

t_ok "ntarelayd --help: exit 0" "$NTARELAYD" --help
t_ok "... the usage on stdout" sh -c "'$NTARELAYD' --help 2>/dev/null | grep -q '^usage: ntarelayd'"
t_is "ntarelayd --version" "$("$NTARELAYD" --version 2>/dev/null | head -1 | cut -d' ' -f1-2)" \
	"ntarelayd (ntarelay)"
t_ok "... the same as -v" sh -c "[ \"\$('$NTARELAYD' --version)\" = \"\$('$NTARELAYD' -v)\" ]"
t_ok "ntactl --version" "$NTACTL" --version
t_fail "an unknown option: exit 2" 2 "$NTARELAYD" --no-such-option

for o in A B; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
# A's trust database pins A only; B's root is pinned nowhere.
"$NTACTL" trust --db "$T/A/trust.db" --net "$FED_NET" pin "$T/A/root.pub" >/dev/null ||
	{ echo "Bail out! pin"; exit 1; }
t_ok "broker starts" t_mosquitto m
http=$(t_port)

# conf FILE [LINE...]: A's configuration, then the lines (a later line
# of a key replaces nothing: give each key once, through the variables)
conf() {
	_f=$1; shift
	{
		echo "net ${NET:-$FED_NET}"
		echo "key ${KEY:-$T/A/relay.key}"
		echo "cert ${CERT:-$T/A/cert}"
		echo "trustdb ${TDB:-$T/A/trust.db}"
		echo "store ${STORE:-$T/A/store.db}"
		echo "link mqtt://127.0.0.1:$m_port"
		echo "http_listen 127.0.0.1:$http"
		for _l in "$@"; do echo "$_l"; done
	} >"$_f"
}

# refused NAME CONF TEXT [WRAPPER...]: -t exits 1 naming TEXT; the start
# exits 1 with the very message -t printed.
refused() {
	_n=$1 _c=$2 _x=$3; shift 3
	t_fail "$_n: ntarelayd -t exits 1" 1 "$@" "$NTARELAYD" -c "$_c" -t
	cp "$T/.out" "$T/t.out"
	t_ok "$_n: -t names it" grep -qF -- "$_x" "$T/t.out"
	t_fail "$_n: the start fails" 1 timeout 30 "$@" "$NTARELAYD" -c "$_c"
	cp "$T/.out" "$T/start.out"
	_msg=$(sed -n 's/^ntarelayd: //p' "$T/t.out" | head -1)
	t_ok "$_n: ... with the message -t printed" grep -qF -- "$_msg" "$T/start.out"
	t_ok "$_n: the start made no store" test ! -e "${STORE:-$T/A/store.db}"
}

# the net differs from the trust database's
NET=othernet conf "$T/net.conf"
refused "net othernet, trust database of $FED_NET" "$T/net.conf" \
	"$T/net.conf:1: net: 'othernet', but the trust database $T/A/trust.db belongs to federation '$FED_NET'"

# B's certificate: its root is not pinned
mkdir -p "$T/nb"
KEY=$T/B/relay.key CERT=$T/B/cert STORE=$T/nb/store.db conf "$T/unpinned.conf"
STORE=$T/nb/store.db refused "a certificate whose root is not pinned" "$T/unpinned.conf" \
	"$T/unpinned.conf:3: cert: $T/B/cert:"
t_ok "... asking whether the root is pinned" grep -q "is the operator's root pinned in $T/A/trust.db" "$T/t.out"

# A's certificate for another key (B's relay key)
KEY=$T/B/relay.key conf "$T/other.conf"
refused "a certificate of another key" "$T/other.conf" \
	"$T/other.conf:3: cert: $T/A/cert: certifies another key than $T/B/relay.key"

# an expired certificate: signed 40 days ago for 30 days
if command -v faketime >/dev/null 2>&1; then
	faketime -f -40d "$NTACTL" cert --net "$FED_NET" --root "$T/A/root.key" \
		--subject "$T/A/relay.pub" --days 30 >"$T/A/expired.cert"
	CERT=$T/A/expired.cert conf "$T/expired.conf"
	refused "an expired certificate" "$T/expired.conf" \
		"$T/expired.conf:3: cert: $T/A/expired.cert: expired: renew it (ntactl cert)"
else
	t_ok "# SKIP an expired certificate: faketime missing" true
fi

# the relay key readable by others
cp "$T/A/relay.key" "$T/A/open.key"
chmod 644 "$T/A/open.key"
KEY=$T/A/open.key conf "$T/keymode.conf"
refused "a key of mode 0644" "$T/keymode.conf" "$T/keymode.conf:2: key:"
t_ok "... naming the mode" grep -q "0644" "$T/t.out"

# a token file others can read
printf 'abcdefghijklmnopqrstuvwxyz012345\n' >"$T/A/http.token"
chmod 644 "$T/A/http.token"
conf "$T/token.conf" "http_token_file $T/A/http.token"
refused "an HTTP token of mode 0644" "$T/token.conf" \
	"$T/token.conf:8: http_token_file: $T/A/http.token: permissions 0644 are too open"

# a bad Mattermost URL
conf "$T/mm.conf" "mattermost_url ftp://mm.example/" "mattermost_token_file $T/A/http.token" \
	"mattermost_channel abcdefghijkmnopqrstuvwxyz1"
refused "a mattermost_url that is not http(s)" "$T/mm.conf" \
	"$T/mm.conf:8: mattermost_url: expected an http:// or https:// URL"

# the control socket's directory does not exist
conf "$T/ctl.conf" "control_socket $T/nodir/control.sock"
refused "a control socket in a missing directory" "$T/ctl.conf" \
	"$T/ctl.conf:8: control_socket: directory $T/nodir: No such file or directory"

# the store's directory is not writable by the relay's user. Root may
# write anywhere: then the relay runs as nobody, over copies it owns.
mkdir -p "$T/ro/store"
if [ "$(id -u)" = 0 ]; then
	nob_u=$(id -u nobody) nob_g=$(id -g nobody)
	chmod 711 "$T"
	cp "$T/A/relay.key" "$T/A/cert" "$T/ro/"
	"$NTACTL" trust --db "$T/ro/trust.db" --net "$FED_NET" pin "$T/A/root.pub" >/dev/null
	chown -R "$nob_u:$nob_g" "$T/ro"
	set -- setpriv --reuid="$nob_u" --regid="$nob_g" --clear-groups
else
	cp "$T/A/relay.key" "$T/A/cert" "$T/ro/"
	cp "$T/A/trust.db" "$T/ro/"
	set --
fi
chmod 555 "$T/ro/store"
KEY=$T/ro/relay.key CERT=$T/ro/cert TDB=$T/ro/trust.db STORE=$T/ro/store/store.db \
	conf "$T/ro.conf" "control_socket $T/ro/control.sock"
chmod 644 "$T/ro.conf"
STORE=$T/ro/store/store.db refused "a store directory the relay cannot write" "$T/ro.conf" \
	"$T/ro.conf:5: store: directory $T/ro/store: not writable by this user" "$@"
# ... and once writable, the same user passes -t
chmod 755 "$T/ro/store"
t_ok "the same, writable: -t passes" "$@" "$NTARELAYD" -c "$T/ro.conf" -t
set --

# a file where the store's directory should be
: >"$T/afile"
STORE=$T/afile/store.db conf "$T/notdir.conf"
STORE=$T/afile/store.db refused "a file where the store's directory should be" "$T/notdir.conf" \
	"$T/notdir.conf:5: store: $T/afile: not a directory"

# the good configuration: -t passes and the relay starts
conf "$T/A/ntarelay.conf"
t_ok "the good configuration: -t exits 0" "$NTARELAYD" -c "$T/A/ntarelay.conf" -t
cp "$T/.out" "$T/t.out"
t_ok "... saying so" grep -q "configuration OK" "$T/t.out"
t_ok "... and made no store" test ! -e "$T/A/store.db"
t_ok "... and the relay starts" fed_start_relay A "$http"
t_ok "-t passes while it runs" "$NTARELAYD" -c "$T/A/ntarelay.conf" -t
fed_stop_relay A
t_done
