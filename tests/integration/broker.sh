#!/bin/sh
# tests/integration/broker.sh — `ntactl broker acl | passwd` (docs/OPERATIONS.md
# 6.4) against a real Mosquitto started with the files they print: each
# member's account publishes under its own operator id and relay key, and
# not under another operator's; --self and --admin write everything; a
# wrong password is refused; the passwords kept in --passwords DIR are
# taken again on the next run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

for o in A B C; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
DB=$T/trust.db
for o in A B C; do
	"$NTACTL" trust --db "$DB" --net "$FED_NET" pin "$T/$o/root.pub" >/dev/null &&
	"$NTACTL" trust --db "$DB" import "$T/$o/cert" >/dev/null ||
		{ echo "Bail out! trust db"; exit 1; }
done
Aop=$(fed_keyid "$T/A/root.pub"); Bop=$(fed_keyid "$T/B/root.pub")
Bkey=$(fed_keyid "$T/B/relay.pub"); Ckey=$(fed_keyid "$T/C/relay.pub")
P=ntarelay/v1/$FED_NET

t_ok "ntactl broker --help" "$NTACTL" broker --help
t_ok "broker acl (--self by id prefix, --admin)" sh -c \
	"'$NTACTL' broker acl --db '$DB' --self $(echo "$Aop" | cut -c1-10) --admin admin >'$T/acl'"
t_ok "B reads the federation" grep -qx "topic read $P/#" "$T/acl"
t_ok "B writes its observations" grep -qx "topic write $P/obs/+/$Bop" "$T/acl"
t_ok "B writes its relay key's decisions" grep -qx "topic write $P/decision/+/$Bkey" "$T/acl"
t_is "A (--self) and admin write everything" "$(grep -cx "topic readwrite $P/#" "$T/acl")" 2
t_is "three members, one admin" "$(grep -c '^user ' "$T/acl")" 4
t_ok "broker acl --json names C's relay key" sh -c \
	"'$NTACTL' broker acl --db '$DB' --json | jq -e '.[] | select(.user == \"C-root\") | .keys == [\"$Ckey\"]' >/dev/null"
cat >"$T/ntarelay.conf" <<EOF2
store $T/store.db
http_listen 127.0.0.1:1
trustdb $DB
EOF2
t_ok "-c ntarelay.conf before the command: its trustdb, the same lines" sh -c \
	"'$NTACTL' -c '$T/ntarelay.conf' broker acl --self A-root --admin admin | cmp -s - '$T/acl'"
t_fail "--relay is refused" 2 "$NTACTL" broker acl --db "$DB" --relay http://127.0.0.1:1
t_fail "an unknown --self is refused" 2 "$NTACTL" broker acl --db "$DB" --self nobody
t_fail "passwd without --passwords" 2 "$NTACTL" broker passwd --db "$DB"
t_ok "broker passwd" sh -c "'$NTACTL' broker passwd --db '$DB' --passwords '$T/pw' --admin admin >'$T/passwd'"
t_is "one hashed line per account" "$(grep -Ec '^[A-Za-z0-9._-]+:\$7\$' "$T/passwd")" 4
t_is "the passwords are kept, mode 0600" "$(stat -c %a "$T/pw/B-root")" 600
t_ok "... as B's link_credentials line" grep -Eq '^B-root:[A-Za-z0-9_-]{20,}$' "$T/pw/B-root"
cp "$T/pw/B-root" "$T/B-root.first"
t_ok "broker passwd again" sh -c "'$NTACTL' broker passwd --db '$DB' --passwords '$T/pw' --admin admin >'$T/passwd2'"
t_ok "... takes the kept passwords" cmp -s "$T/pw/B-root" "$T/B-root.first"
t_is "... the same accounts" "$(cut -d: -f1 "$T/passwd2" | tr '\n' ' ')" "$(cut -d: -f1 "$T/passwd" | tr '\n' ' ')"

port=$(t_port)
cat >"$T/mosquitto.conf" <<EOF2
listener $port 127.0.0.1
allow_anonymous false
password_file $T/passwd
acl_file $T/acl
persistence false
user root
log_dest file $T/mosquitto.log
log_type all
EOF2
mosquitto -c "$T/mosquitto.conf" 2>/dev/null &
t_pid $!
t_ok "mosquitto starts with the generated files" t_wait 10 sh -c \
	"grep -q ':$(printf '%04X' "$port") 00000000:0000 0A' /proc/net/tcp"
pw() { cut -d: -f2- "$T/pw/$1"; }
mosquitto_sub -h 127.0.0.1 -p "$port" -u admin -P "$(pw admin)" -V mqttv5 -q 1 \
	-t "$P/#" -v >"$T/sub" 2>/dev/null &
t_pid $!
t_ok "admin subscribes" t_wait 10 grep -q "Received SUBSCRIBE" "$T/mosquitto.log"
# pub USER TOPIC MESSAGE [PASSWORD]: MQTT v5, QoS 1; stderr in $T/pub.err
pub() {
	mosquitto_pub -h 127.0.0.1 -p "$port" -V mqttv5 -q 1 -u "$1" \
		-P "${4:-$(pw "$1")}" -t "$2" -m "$3" 2>"$T/pub.err"
}
t_ok "B publishes an observation under its own id" pub B-root "$P/obs/x./$Bop" own-obs
t_ok "... accepted" sh -c "! grep -q 'Not authorized' '$T/pub.err'"
t_ok "B publishes its relay's heartbeat" pub B-root "$P/hb/$Bop/$Bkey" own-hb
t_ok "... accepted" sh -c "! grep -q 'Not authorized' '$T/pub.err'"
pub B-root "$P/obs/x./$Aop" forged-obs
t_ok "B publishing under A's id: not authorized" grep -q 'Not authorized' "$T/pub.err"
pub B-root "$P/decision/x./$Ckey" forged-decision
t_ok "B publishing under C's relay key: not authorized" grep -q 'Not authorized' "$T/pub.err"
pub B-root "$P/eqv/$Aop/$Ckey/1" forged-eqv
t_ok "B publishing on eqv/: not authorized" grep -q 'Not authorized' "$T/pub.err"
t_ok "A (--self) publishes under another operator's id" pub A-root "$P/obs/x./$Bop" self-forwards
t_ok "... accepted" sh -c "! grep -q 'Not authorized' '$T/pub.err'"
pub B-root "$P/obs/x./$Bop" wrong-password not-the-password; rc=$?
t_ok "a wrong password is refused" sh -c "[ $rc -ne 0 ] && grep -q 'Not authorized\|not authorised' '$T/pub.err'"
t_ok "the subscriber got B's own events and A's" t_wait 10 sh -c \
	"grep -q own-obs '$T/sub' && grep -q own-hb '$T/sub' && grep -q self-forwards '$T/sub'"
t_ok "... and none of the refused ones" sh -c "! grep -q 'forged\|wrong-password' '$T/sub'"
t_done
