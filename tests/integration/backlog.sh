#!/bin/sh
# tests/integration/backlog.sh — a relay that comes back to a backlog its
# broker queued in its persistent session signs no decision until it has
# drained it (relay/fed/catchup.h: the loop saturated, or signatures waiting
# for the workers), then decides each zone once.
#
#   1. B holds A's certificate and stops; its session (clean start off)
#      stays on broker m, which queues for B what is published meanwhile.
#   2. N events of A's relay key, spread over Z zones, go through m.
#   3. B starts and drains them. It logs that it drains; it holds each of
#      A's events once; every decision it signs comes after the last of
#      A's events in its store (none signed from part of the backlog); and
#      it signs one decision per zone, not one each time a zone's events
#      trickle in.
# Before the fix B counted itself caught up a second after its link came
# up, whatever was still queued, and decided while it drained.
# A's relay does not run: its events come from evgen, signed with A's key.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

for c in mosquitto_sub mosquitto_pub sqlite3; do
	command -v "$c" >/dev/null || { echo "1..0 # SKIP $c missing"; exit 0; }
done
N=20000
Z=50      # 400 events a zone: under the per-operator quota (512)
for o in A B; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
t_mosquitto m || { echo "Bail out! broker m"; exit 1; }
Aop=$(fed_keyid "$T/A/root.pub")
Akey=$(fed_keyid "$T/A/relay.pub")
Bkey=$(fed_keyid "$T/B/relay.pub")
mkdir -p "$T/B"
for o in A B; do
	"$NTACTL" trust --db "$T/B/trust.db" --net "$FED_NET" pin "$T/$o/root.pub" >/dev/null
done
"$NTACTL" trust --db "$T/B/trust.db" import "$T/A/cert" >/dev/null
fed_relay B m || { echo "Bail out! relay B"; exit 1; }
has_cert() { [ "$(fed_count B 'kind = 6')" -ge 1 ]; }
t_ok "B holds A's certificate" t_wait 10 has_cert
fed_stop_relay B

"$EVGEN" --key "$T/A/relay.key" --origin "$Aop" --net "$FED_NET" --kind observation \
	--zone backlog.example. --zones "$Z" --count "$N" --seq 1000 --prev "$(printf '%064d' 0)" \
	--lifetime 3600 --publish "127.0.0.1:$m_port" 2>/dev/null
t_is "A's $N events published through m while B was away" "$?" 0

held() { [ "$(fed_count B "key = x'$Akey'")" -ge "$N" ]; }
decided() { [ "$(fed_count B "kind = 9 AND key = x'$Bkey'")" -ge "$Z" ]; }
fed_start_relay B || { echo "Bail out! relay B did not restart"; exit 1; }
t_ok "B holds A's $N events" t_wait 60 held
t_ok "B decides the $Z zones" t_wait 120 decided
t_ok "B logged that it drained the queue before deciding" \
	grep -q 'catch-up: draining what the brokers queued' "$T/B/relay.log"
t_is "... each of A's events once" \
	"$(fed_count B "key = x'$Akey'") $(sqlite3 "file:$T/B/store.db?mode=ro" "SELECT count(DISTINCT id) FROM events WHERE key = x'$Akey'")" \
	"$N $N"
last=$(sqlite3 "file:$T/B/store.db?mode=ro" "SELECT max(rowid) FROM events WHERE key = x'$Akey'")
early=$(fed_count B "kind = 9 AND key = x'$Bkey' AND rowid < $last")
t_is "no decision signed before the last of A's events was stored" "$early" 0
sleep 1   # a second decision, were one coming, would be signed by now
t_is "one decision per zone ($Z zones)" \
	"$(sqlite3 "file:$T/B/store.db?mode=ro" "SELECT count(*) || ' ' || count(DISTINCT zone) FROM events WHERE kind = 9 AND key = x'$Bkey'")" \
	"$Z $Z"
t_done
