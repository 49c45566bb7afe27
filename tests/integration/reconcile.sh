#!/bin/sh
# tests/integration/reconcile.sh — two relays with stores that differ by a
# few events find the difference from the heads, not from every retained
# message (relay/fed/link.h link_heads_only, docs/PROTOCOL.md 12.2).
#
#   1. Relays B and C on broker m hold N events of A's relay key, one zone
#      each; each relay's decision on each zone is retained on m (2 N
#      retained messages).
#   2. C stops and comes back with a new MQTT session (another client id:
#      as if m had lost its session), after 20 more events of A's key and
#      A's heartbeat (retained: the head) went through m to B.
#   3. C, whose store is intact, takes only the heads and the trust events
#      of m's retained messages: it sees the gap from A's heartbeat and
#      backfills the 20 events from B. It holds every event once, and it
#      received far fewer messages than m holds retained.
#   4. D, a new relay (empty store), takes every retained message: the
#      control that shows they are there.
# A's relay does not run: its events come from evgen, signed with A's key.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

for c in mosquitto_sub mosquitto_pub sqlite3; do
	command -v "$c" >/dev/null || { echo "1..0 # SKIP $c missing"; exit 0; }
done
N=300
for o in A B C D; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
t_mosquitto m || { echo "Bail out! broker m"; exit 1; }
Aop=$(fed_keyid "$T/A/root.pub")
Akey=$(fed_keyid "$T/A/relay.pub")
for r in B C D; do
	for o in A B C D; do
		"$NTACTL" trust --db "$T/$r/trust.db" --net "$FED_NET" pin "$T/$o/root.pub" >/dev/null
	done
	"$NTACTL" trust --db "$T/$r/trust.db" import "$T/A/cert" >/dev/null
done
export FED_CLIENT_IDS=1
for r in B C; do fed_relay "$r" m || { echo "Bail out! relay $r"; exit 1; }; done

gen() { "$EVGEN" --key "$T/A/relay.key" --origin "$Aop" --net "$FED_NET" --lifetime 3600 \
	--publish "127.0.0.1:$m_port" "$@"; }
held() { [ "$(fed_count "$1" "key = x'$Akey'")" -ge "$2" ]; }
decisions() { [ "$(fed_count "$1" "kind = 9")" -ge "$2" ]; }
gen --kind observation --zone rec.example. --vary-zone --count "$N" --seq 1 2>"$T/last1"
t_ok "B holds A's $N events" t_wait 60 held B "$N"
t_ok "C holds them too" t_wait 60 held C "$N"
t_ok "B holds both relays' decisions on the $N zones" t_wait 60 decisions B $((2 * N))

fed_stop_relay C
sed -i 's/^link_client_id C-m$/link_client_id C-m-again/' "$T/C/ntarelay.conf"
t_ok "C comes back with another client id (a new session)" grep -q '^link_client_id C-m-again$' "$T/C/ntarelay.conf"
gen --kind observation --zone missed.example. --vary-zone --count 20 --seq $((N + 1)) \
	--prev "$(sed -n 's/^last [0-9]* //p' "$T/last1")" 2>"$T/last2"
gen --kind heartbeat --lifetime 180 --seq $((N + 21)) --prev "$(sed -n 's/^last [0-9]* //p' "$T/last2")" 2>/dev/null
t_ok "B holds the 20 events C missed, and A's heartbeat" t_wait 30 held B $((N + 21))

recv0=$(fed_metric C ntarelay_link_received_total)
fed_start_relay C
t_ok "C says it takes only the heads and trust events of the retained messages" \
	t_wait 10 grep -q 'retained messages: the heads and trust events only' "$T/C/relay.log"
t_ok "C backfills what it missed: it holds all $((N + 21)) of A's events" t_wait 60 held C $((N + 21))
t_is "... each once" "$(sqlite3 "file:$T/C/store.db?mode=ro" "SELECT count(*) - count(DISTINCT id) FROM events")" 0
recv=$(( $(fed_metric C ntarelay_link_received_total) - recv0 ))
echo "# C received $recv MQTT messages after its return; m holds about $((2 * N)) retained decisions"
t_ok "C received fewer messages than m holds retained decisions ($recv < $N)" [ "$recv" -lt "$N" ]

# the control: a new relay takes every retained message
fed_relay D m || { echo "Bail out! relay D"; exit 1; }
t_ok "D, with a new store, takes every retained message" t_wait 10 grep -q 'retained messages: all' "$T/D/relay.log"
t_ok "... and receives the retained decisions ($((2 * N)) or more messages)" \
	t_wait 60 sh -c "[ \"\$(curl -fs http://127.0.0.1:$D_http/metrics | awk 'index(\$0, \"ntarelay_link_received_total\") == 1 { s += \$NF } END { print s + 0 }')\" -ge $((2 * N)) ]"
t_done
