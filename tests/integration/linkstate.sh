#!/bin/sh
# tests/integration/linkstate.sh — links say what is wrong (issue 15):
# a relay with links to two brokers; one broker stops: ONE warning naming
# the link, the cause ("refused") and the next retry, however many retries
# follow; /healthz says "degraded" naming it; ntarelay_link_up is 0 for it.
# The broker comes back on its port: "up again", ok, 1. Both stop: 503
# with the links. Then the other causes, each logged once: a wrong CA and
# a certificate for another name (TLS verification), a wrong password
# (authorisation), a name that does not resolve (DNS).
# relay/fed/link_state.h has the log contract.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

for o in A B C D E; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
t_ok "broker x starts" t_mosquitto x
t_ok "broker y starts" t_mosquitto y
# A knows B's relay key (B's events through x, below)
mkdir -p "$T/A"
for o in A B C D E; do
	"$NTACTL" trust --db "$T/A/trust.db" --net "$FED_NET" pin "$T/$o/root.pub" >/dev/null
done
"$NTACTL" trust --db "$T/A/trust.db" import "$T/B/cert" >/dev/null
FED_LOG_LEVEL=debug
t_ok "relay A starts (links x and y)" fed_relay A x y
unset FED_LOG_LEVEL
xurl="mqtt://127.0.0.1:$x_port"
yurl="mqtt://127.0.0.1:$y_port"
log="$T/A/relay.log"

healthz() { curl -s "http://127.0.0.1:$A_http/healthz"; }
code() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$A_http/healthz"; }
up_metric() { fed_metric A "ntarelay_link_up{link=\"$1\"}"; }
# lines at warning for url ($1) containing $2
warnings() { grep -F " warn: link $1: " "$log" | grep -cF "$2"; }
# failed connection attempts seen (debug) for url $1
attempts() { grep -F " debug: link $1: attempt failed: refused " "$log" | grep -c .; }
all_ok() { [ "$(healthz)" = ok ]; }

t_ok "both links up: /healthz says ok" t_wait 20 all_ok
t_is "ntarelay_link_up for x" "$(up_metric "$xurl")" 1
t_is "ntarelay_link_up for y" "$(up_metric "$yurl")" 1
t_is "no link warning yet" "$(grep -c ' warn: link ' "$log")" 0

# Retained messages on x (observations are retained): A reads them once.
Bop=$(fed_keyid "$T/B/root.pub")
obs() { fed_metric A 'ntarelay_events_accepted_total{kind="observation"}'; }
pub_x() {
	"$EVGEN" --key "$T/B/relay.key" --origin "$Bop" --net "$FED_NET" --kind observation \
		--zone "$1" --count "$2" --seq "$3" --prev "$(printf '%064d' 0)" $4 \
		--publish "127.0.0.1:$x_port" >/dev/null 2>&1
}
rcv_x() { fed_metric A "ntarelay_link_received_total{link=\"$xurl\"}"; }
t_ok "B publishes 20 observations, retained, through x" pub_x ret.example. 20 100 --vary-zone
has_obs() { [ "$(obs)" -ge "$1" ]; }
t_ok "A accepts the 20" t_wait 20 has_obs 20
rcv0=$(rcv_x)

kill "$x_pid"; wait "$x_pid" 2>/dev/null
down_x() { [ "$(warnings "$xurl" 'down: refused')" -ge 1 ]; }
t_ok "x stops: A warns that its link is down, refused" t_wait 30 down_x
t_ok "the line names the next retry, in UTC and in seconds" sh -c \
	"grep -F ' warn: link $xurl: down: refused (' '$log' |
	 grep -Eq 'next retry at 20[0-9-]+T[0-9:]+Z \\(in [0-9]+ s\\)'"
degraded() { healthz | head -n 1 | grep -qx 'degraded: 1 of 2 links down'; }
t_ok "/healthz: degraded, 1 of 2 links down" t_wait 10 degraded
t_is "/healthz answers 200" "$(code)" 200
healthz >"$T/hz.degraded"
t_ok "/healthz names x, down, refused, with its next retry" grep -Eq \
	"^$xurl: down since [0-9TZ:-]+: refused \\(Connection refused\\); next retry at [0-9TZ:-]+ \\(in [0-9]+ s\\)\$" \
	"$T/hz.degraded"
t_ok "/healthz lists y as up" grep -q "^$yurl: up since " "$T/hz.degraded"
t_is "ntarelay_link_up for x: 0" "$(up_metric "$xurl")" 0
t_is "ntarelay_link_up for y: 1" "$(up_metric "$yurl")" 1

# Several more attempts fail the same way: still one line.
n0=$(attempts "$xurl")
retried() { [ "$(attempts "$xurl")" -ge $((n0 + 3)) ]; }
t_ok "A keeps retrying x (3 more attempts, backoff capped)" t_wait 60 retried
t_is "still exactly one warning for x" "$(grep -cF " warn: link $xurl: " "$log")" 1
t_is "no warning for y" "$(grep -cF " warn: link $yurl: " "$log")" 0

t_ok "x restarts on the same port" t_mosquitto x "$x_port"
up_again() { grep -F " notice: link $xurl: up again after " "$log" | grep -q 'refused'; }
t_ok "A logs that x is up again (naming the outage's cause)" t_wait 30 up_again
t_ok "/healthz: ok again" t_wait 10 all_ok
t_is "ntarelay_link_up for x: 1 again" "$(up_metric "$xurl")" 1
# The session was resumed: x does not send its 20 retained messages again
# (they would come before anything new: retain handling "new only"). One
# new event is the only message received since; it comes after any
# retained one would.
t_ok "B publishes one more observation through x" pub_x new.example. 1 200 ""
t_ok "A accepts it" t_wait 20 has_obs 21
t_is "x sent A only the new event after the reconnect, no retained copy again" \
	"$(( $(rcv_x) - rcv0 ))" 1

kill "$x_pid" "$y_pid"; wait "$x_pid" "$y_pid" 2>/dev/null
none() { [ "$(code)" = 503 ]; }
t_ok "both brokers stop: /healthz answers 503" t_wait 30 none
both() { [ "$(warnings "$yurl" 'down: refused')" = 1 ] && [ "$(warnings "$xurl" 'down: refused')" = 2 ]; }
t_ok "one more warning for each link" t_wait 30 both
healthz >"$T/hz.none"
t_ok "the 503 says unhealthy, no link connected" \
	grep -q '"error":"unhealthy","message":"no link connected"' "$T/hz.none"
t_ok "the 503 lists both links, down, refused, with their next retry" sh -c \
	"jq -e '[.links[] | select(.state == \"down\" and .cause == \"refused\" and
	 (.next_retry | test(\"Z\$\")) and .retry_in >= 0)] | length == 2' '$T/hz.none'"

# ------------------------------------------------ TLS, passwords, DNS
fed_pki && fed_pki_ca other "another CA" && fed_pki_cert named DNS:broker.invalid
t_ok "a test CA, another CA, server certificates" test -s "$T/pki/named.crt"
port=$(t_port)
mosquitto_passwd -b -c "$T/pki/passwd" relay-c secret-c >/dev/null 2>&1
t_ok "a broker with TLS and passwords starts" \
	fed_tls_broker mosquitto "$port" server "$T/pki/passwd"
turl="mqtts://127.0.0.1:$port"
# a broker whose certificate (from the right CA) names another host
nport=$(t_port)
t_ok "a TLS broker with a certificate for broker.invalid starts" \
	fed_tls_broker named "$nport" named
nurl="mqtts://127.0.0.1:$nport"
printf 'relay-c:secret-c\n' >"$T/B/credentials"
printf 'relay-c:wrong-password\n' >"$T/C/credentials"
chmod 600 "$T/B/credentials" "$T/C/credentials"

FED_NOWAIT=1 FED_LOG_LEVEL=debug
FED_EXTRA="link $turl
link_cafile $T/pki/other.crt
link_credentials $T/B/credentials"
fed_relay B
FED_EXTRA="link $turl
link_cafile $T/pki/ca.crt
link_credentials $T/C/credentials"
fed_relay C
FED_EXTRA="link mqtt://no-such-host.invalid:1883"
fed_relay D
FED_EXTRA="link $nurl
link_cafile $T/pki/ca.crt"
fed_relay E
unset FED_NOWAIT FED_LOG_LEVEL FED_EXTRA

# $1 relay, $2 url, $3 text: one warning for the link, containing $3,
# after at least 3 failed attempts (debug)
once() {
	[ "$(grep -cF " debug: link $2: attempt failed: " "$T/$1/relay.log")" -ge 3 ] &&
	[ "$(grep -cF " warn: link $2: " "$T/$1/relay.log")" = 1 ] &&
	grep -F " warn: link $2: " "$T/$1/relay.log" | grep -qF "$3"
}
t_ok "wrong CA: one warning, cause TLS verification, over several attempts" \
	t_wait 60 once B "$turl" 'down: TLS verification (TLS: '
t_ok "the TLS warning says the certificate did not verify" sh -c \
	"grep -F ' warn: link $turl: ' '$T/B/relay.log' | grep -q 'certificate verify failed'"
t_ok "name mismatch: one warning, cause TLS verification" \
	t_wait 60 once E "$nurl" 'down: TLS verification (TLS: host name verification failed'
t_ok "wrong password: one warning, cause authorisation, over several attempts" \
	t_wait 60 once C "$turl" 'down: authorisation (connection refused: '
t_ok "the password is not in the log" sh -c "! grep -q wrong-password '$T/C/relay.log'"
t_ok "a name that does not resolve: one warning, cause DNS" \
	t_wait 60 once D "mqtt://no-such-host.invalid:1883" 'down: DNS (cannot resolve no-such-host.invalid'
t_is "B's /healthz: 503" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$B_http/healthz")" 503
t_ok "B's /healthz names the cause" sh -c \
	"curl -s 'http://127.0.0.1:$B_http/healthz' | jq -e '.links[0].cause == \"TLS verification\"'"
t_done
