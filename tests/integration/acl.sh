#!/bin/sh
# tests/integration/acl.sh — a broker whose ACL keeps each operator on its
# own topics (docs/OPERATIONS.md): a relay that forwards another operator's
# events there is refused (MQTT v5 PUBACK 0x87). The refused publications
# leave that link's outbox (they would be refused at every reconnect) and
# are counted; the relay's own events still go through.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

for o in A B; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
Aop=$(fed_keyid "$T/A/root.pub"); Bop=$(fed_keyid "$T/B/root.pub")
t_ok "broker x starts (open)" t_mosquitto x

port=$(t_port)
mkdir -p "$T/y"
mosquitto_passwd -b -c "$T/y/passwd" relay-b secret-b >/dev/null 2>&1
cat >"$T/y/acl" <<EOF2
user relay-b
topic read ntarelay/v1/$FED_NET/#
topic write ntarelay/v1/$FED_NET/hb/$Bop/#
topic write ntarelay/v1/$FED_NET/trust/$Bop/#
EOF2
cat >"$T/y/mosquitto.conf" <<EOF2
listener $port 127.0.0.1
allow_anonymous false
password_file $T/y/passwd
acl_file $T/y/acl
persistence false
user root
log_dest file $T/y/mosquitto.log
EOF2
mosquitto -c "$T/y/mosquitto.conf" 2>/dev/null &
t_pid $!
t_ok "broker y starts (passwords, ACL: B writes only its own topics)" t_wait 10 sh -c \
	"grep -q ':$(printf '%04X' "$port") 00000000:0000 0A' /proc/net/tcp"
printf 'relay-b:secret-b\n' >"$T/B/credentials"
chmod 600 "$T/B/credentials"

t_ok "relay A starts (link x)" fed_relay A x
FED_EXTRA="link mqtt://127.0.0.1:$port
link_credentials $T/B/credentials"
export FED_EXTRA
t_ok "relay B starts (links x and y)" fed_relay B x
unset FED_EXTRA

yurl="mqtt://127.0.0.1:$port"
refused() { [ "$(fed_metric B "ntarelay_link_refused_total{link=\"$yurl\"}")" -ge 1 ]; }
t_ok "y refuses A's events that B forwards, and B counts it" t_wait 30 refused
t_ok "B logs the refusal" grep -q 'broker refused a publication' "$T/B/relay.log"
t_ok "... naming the event (first 16 hex digits) and its topic" grep -Eq \
	"broker refused a publication \\(.*\\); dropped from this link's outbox: event [0-9a-f]{16}\\.\\.\\. on topic ntarelay/v1/$FED_NET/" "$T/B/relay.log"
outbox_y() { [ "$(fed_metric B "ntarelay_link_outbox{link=\"$yurl\"}")" = 0 ]; }
t_ok "the refused events leave y's outbox" t_wait 30 outbox_y
Bkey=$(fed_keyid "$T/B/relay.pub")
mosquitto_sub -h 127.0.0.1 -p "$port" -u relay-b -P secret-b -q 1 \
	-t "ntarelay/v1/$FED_NET/hb/$Bop/#" -C 1 -W 90 >"$T/hb" 2>/dev/null &
sub=$!
t_pid "$sub"
t_ok "B's own heartbeat still reaches y" t_wait 90 test -s "$T/hb"
t_ok "B stored A's events all the same" sh -c "[ \$(sqlite3 'file:$T/B/store.db?mode=ro' \"SELECT count(*) FROM events WHERE origin = x'$Aop'\") -ge 1 ]"
t_done
