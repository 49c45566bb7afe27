#!/bin/sh
# tests/integration/tls.sh — relays over MQTT with TLS and
# username/password: a test CA, a broker that requires both, two relays
# that exchange events through it, and one with a wrong password that is
# kept out.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

for o in A B C; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done

# A CA and a server certificate for 127.0.0.1.
fed_pki
t_ok "a test CA and a server certificate" test -s "$T/pki/server.crt"

port=$(t_port)
mosquitto_passwd -b -c "$T/pki/passwd" relay-a secret-a >/dev/null 2>&1
mosquitto_passwd -b "$T/pki/passwd" relay-b secret-b >/dev/null 2>&1
t_ok "a broker with TLS and passwords starts" \
	fed_tls_broker mosquitto "$port" server "$T/pki/passwd"

for r in A B C; do
	case $r in A) up="relay-a:secret-a" ;; B) up="relay-b:secret-b" ;; C) up="relay-b:wrong" ;; esac
	printf '%s\n' "$up" >"$T/$r/credentials"
	chmod 600 "$T/$r/credentials"
done
for r in A B C; do
	FED_EXTRA="link mqtts://127.0.0.1:$port
link_cafile $T/pki/ca.crt
link_credentials $T/$r/credentials"
	export FED_EXTRA
	[ "$r" = C ] && FED_NOWAIT=1
	fed_relay "$r" >/dev/null
done
unset FED_EXTRA FED_NOWAIT

t_ok "ntarelayd -t accepts an mqtts link with CA and credentials" \
	"$NTARELAYD" -c "$T/A/ntarelay.conf" -t
Akey=$(fed_keyid "$T/A/relay.pub")
hb() { [ "$(fed_count B "key = x'$Akey' AND kind = 8")" -ge 1 ]; }
t_ok "B receives A's heartbeat over TLS" t_wait 20 hb
t_ok "A's link is up" t_wait 10 curl -fs "http://127.0.0.1:$A_http/healthz"
refused() { grep -q 'connection refused' "$T/C/relay.log"; }
t_ok "C, with a wrong password, is refused by the broker" t_wait 20 refused
t_fail "C reports itself unhealthy" 22 curl -fs "http://127.0.0.1:$C_http/healthz"
t_ok "the password is not in C's log" sh -c "! grep -q wrong '$T/C/relay.log'"
chmod 644 "$T/A/credentials"
t_fail "ntarelayd -t refuses a credentials file others can read" 1 \
	"$NTARELAYD" -c "$T/A/ntarelay.conf" -t
t_done
