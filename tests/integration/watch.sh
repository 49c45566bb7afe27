#!/bin/sh
# tests/integration/watch.sh — a relay watching zones served by a local NSD
# signs observations: bogus with a fingerprint for a broken zone, secure for
# a good one, a new one only when what it sees changes, and its peer
# receives them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"
. "$top_srcdir/tests/integration/testbed.sh"

for tool in nsd ldns-keygen ldns-signzone; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool missing"; exit 0; }
done
t_ok "build the signed hierarchy" tb_build
t_ok "start NSD" tb_nsd nsd
for o in A B; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
t_ok "broker starts" t_mosquitto m
FED_EXTRA="watch zskroll.
watch good
probe_forward 127.0.0.1@$nsd_port
probe_trust_anchor $TB/root.ds
probe_interval 1"
export FED_EXTRA
t_ok "relay A starts, watching zskroll. and good." fed_relay A m
FED_EXTRA="watch zskroll.
probe_forward 127.0.0.1@$nsd_port
probe_trust_anchor $TB/root.ds
probe_interval 1"
t_ok "relay B starts, watching zskroll. with its own probe" fed_relay B m
unset FED_EXTRA

obs_count() { fed_count "$1" "kind = 0 AND zone = '$2'"; }
has_obs() { [ "$(obs_count "$1" "$2")" -ge "$3" ]; }
t_ok "A signs an observation of zskroll." t_wait 30 has_obs A zskroll. 1
t_ok "A signs an observation of good." t_wait 30 has_obs A good. 1
api() { curl -fs "http://127.0.0.1:$A_http/v1/events?kind=observation&zone=$1"; }
payload() { api "$1" | jq -r '.events[0].envelope.payload' | base64 -d; }
t_is "zskroll. is bogus" "$(payload zskroll. | jq -r .state)" bogus
t_ok "with a fingerprint" sh -c "payload() { curl -fs 'http://127.0.0.1:$A_http/v1/events?kind=observation&zone=zskroll.' | jq -r '.events[0].envelope.payload' | base64 -d; }; payload | jq -e '.fingerprint | test(\"^[0-9a-f]{64}\$\")'"
t_is "good. is secure" "$(payload good. | jq -r .state)" secure
t_ok "B receives A's observation of zskroll." t_wait 20 has_obs B zskroll. 2
# two relays probing on their own compute one fingerprint
fp_of() { curl -fs "http://127.0.0.1:$B_http/v1/events?kind=observation&zone=zskroll." |
	jq -r --arg k "$1" '.events[] | select(.key == $k) | .envelope.payload' | head -1 |
	base64 -d | jq -r .fingerprint; }
fpA=$(fp_of "$(fed_keyid "$T/A/relay.pub")")
fpB=$(fp_of "$(fed_keyid "$T/B/relay.pub")")
t_ok "A's fingerprint is set" sh -c "echo '$fpA' | grep -Eq '^[0-9a-f]{64}\$'"
t_is "A and B, probing independently, compute the same fingerprint" "$fpB" "$fpA"

# Unchanged: no new observation, however often it probes.
sleep 4
Akey=$(fed_keyid "$T/A/relay.pub")
t_is "no new observation while nothing changes" \
	"$(fed_count A "kind = 0 AND zone = 'zskroll.' AND key = x'$Akey'")" 1

# good. breaks (expired signatures) and is fixed: one observation each.
now=$(date +%s)
tb_sign good $((now - 40 * 86400)) $((now - 10 * 86400))
tb_reload nsd
t_ok "A reports good. bogus after it broke" t_wait 30 has_obs A good. 2
t_is "the new one is bogus" "$(payload good. | jq -r .state)" bogus
tb_sign good $((now - 86400)) $((now + 30 * 86400))
tb_reload nsd
t_ok "A reports good. again when it is fixed" t_wait 30 has_obs A good. 3
t_is "the newest is secure" "$(payload good. | jq -r .state)" secure
t_ok "A logs the changes" grep -q 'watch good.: bogus' "$T/A/relay.log"
t_done
