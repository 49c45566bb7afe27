#!/bin/sh
# tests/integration/ratelimit.sh — a member that floods is held to its
# rate (rate_limit, rate_burst per origin): the excess is refused and
# counted under rate_limited, the rest is stored, and another operator's
# events still get through.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

for o in A B C; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
Aop=$(fed_keyid "$T/A/root.pub"); Cop=$(fed_keyid "$T/C/root.pub")
t_ok "broker starts" t_mosquitto m
# A and C run no relay here: B learns their relay keys from their certificates
mkdir -p "$T/B"
for o in A B C; do
	"$NTACTL" trust --db "$T/B/trust.db" --net "$FED_NET" pin "$T/$o/root.pub" >/dev/null
done
for o in A C; do "$NTACTL" trust --db "$T/B/trust.db" import "$T/$o/cert" >/dev/null; done
FED_RATE_LIMIT=5 FED_RATE_BURST=10
t_ok "relay B starts (rate_limit 5, rate_burst 10)" fed_relay B m
unset FED_RATE_LIMIT FED_RATE_BURST

"$EVGEN" --key "$T/A/relay.key" --origin "$Aop" --net "$FED_NET" --kind observation \
	--zone flood.example. --count 200 --publish "127.0.0.1:$m_port" 2>/dev/null >/dev/null
limited() { [ "$(fed_metric B 'ntarelay_events_rejected_total{reason="rate_limited"}')" -ge 1 ]; }
t_ok "B refuses the excess of A's flood and counts it" t_wait 20 limited
stored=$(fed_count B "kind = 0 AND zone = 'flood.example.'")
t_ok "B stored some of A's events ($stored of 200), not all" sh -c "[ $stored -ge 1 ] && [ $stored -lt 200 ]"
t_ok "B logs the refusal with the reason" grep -q 'rate_limited' "$T/B/relay.log"
"$EVGEN" --key "$T/C/relay.key" --origin "$Cop" --net "$FED_NET" --kind assessment \
	--zone flood.example. --publish "127.0.0.1:$m_port" 2>"$T/genC" >/dev/null
idC=$(sed -n 's/^last [0-9]* //p' "$T/genC")
heldC() { [ "$(fed_count B "id = x'$idC'")" = 1 ]; }
t_ok "C's event gets through during A's flood" t_wait 20 heldC
t_done
