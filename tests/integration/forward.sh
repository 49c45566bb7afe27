#!/bin/sh
# tests/integration/forward.sh — forward suppression (relay/fed/forward.h,
# the forward_delay key). Brokers m, y and z; origin O publishes on m.
#
#   1. B (forward_delay 0) and C (forward_delay 60000) are both on m and y:
#      B forwards at once to y; C, which holds its forward to y for 30 s or
#      more, gets B's copy from y, cancels its own and acknowledges its
#      outbox row: y carries the event once, C counts it in
#      ntarelay_forwards_suppressed_total, every store holds it once.
#   2. D (forward_delay 2000) is the only relay on z: no copy comes back
#      from z, so D forwards there after its delay.
#   3. D restarted with forward_delay 60000: an event it holds for z goes
#      at SIGTERM (the drain sends the held forwards at once).
#   4. The same, but D is killed (SIGKILL) holding it: the outbox row is
#      still there, and D's next start sends it to z.
# No timing threshold: each condition is waited for (t_wait); a 60 s
# delay only makes "held" last beyond what the test waits for.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

for c in mosquitto_sub mosquitto_pub sqlite3; do
	command -v "$c" >/dev/null || { echo "1..0 # SKIP $c missing"; exit 0; }
done
for o in O B C D; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
for b in m y z; do t_mosquitto "$b" || { echo "Bail out! broker $b"; exit 1; }; done

# a subscriber on broker NAME writing "topic payload" lines to $T/NAME.sub;
# ready once it got the retained marker (a topic no relay reads)
sub() {
	_p=$(eval echo "\$${1}_port")
	mosquitto_pub -h 127.0.0.1 -p "$_p" -q 1 -r -t "fwdtest/ready" -m ready || return 1
	mosquitto_sub -h 127.0.0.1 -p "$_p" -q 1 -v -t "ntarelay/v1/$FED_NET/#" \
		-t fwdtest/ready >"$T/$1.sub" 2>/dev/null &
	t_pid "$!"
	t_wait 10 grep -q '^fwdtest/ready' "$T/$1.sub"
}
# copies of the observations of ZONE that broker NAME delivered
copies() { grep -c "^ntarelay/v1/$FED_NET/obs/$2/" "$T/$1.sub"; }
has() { [ "$(copies "$1" "$2")" -ge 1 ]; }
# the id of O's last event (fed_gen)
last() { echo "$prev_O"; }
stored() { [ "$(fed_count "$1" "id = x'$2'")" = 1 ]; }
# whether relay R's outbox for broker NAME has the event ID (1 or 0)
queued() {
	sqlite3 "file:$T/$1/store.db?mode=ro" "SELECT count(*) FROM outbox o
		JOIN links l ON l.id = o.link JOIN events e ON e.rowid = o.event
		WHERE l.url = 'mqtt://127.0.0.1:$(eval echo "\$${2}_port")' AND e.id = x'$3'"
}
queued_is() { [ "$(queued "$1" "$2" "$3")" = "$4" ]; }
suppressed() { fed_metric "$1" ntarelay_forwards_suppressed_total; }
suppressed_above() { [ "$(suppressed "$1")" -gt "$2" ]; }

t_ok "subscriber on y" sub y
t_ok "subscriber on z" sub z
FED_EXTRA="forward_delay 0"
t_ok "relay B starts (m, y; forward_delay 0)" fed_relay B m y
FED_EXTRA="forward_delay 60000"
t_ok "relay C starts (m, y; forward_delay 60000)" fed_relay C m y
FED_EXTRA="forward_delay 2000"
t_ok "relay D starts (m, z; forward_delay 2000)" fed_relay D m z
unset FED_EXTRA
up() { [ "$(fed_metric "$1" ntarelay_link_up)" = 2 ]; }
for r in B C D; do t_ok "$r's links are up" t_wait 20 up "$r"; done

# --- 1. a copy from y cancels C's forward to y ----------------------------
s0=$(suppressed C)
t_ok "O publishes an observation of one.example. on m" fed_gen O observation one.example.
id1=$(last)
for r in B C D; do t_ok "$r stores it" t_wait 20 stored "$r" "$id1"; done
t_ok "B's copy reaches y" t_wait 20 has y one.example.
t_ok "C suppresses its forward (the counter goes up)" t_wait 20 suppressed_above C "$s0"
t_ok "... and acknowledges its outbox row for y" t_wait 20 queued_is C y "$id1" 0
t_is "y carried the event once" "$(copies y one.example.)" 1
for r in B C D; do t_is "$r holds it once" "$(fed_count "$r" "id = x'$id1'")" 1; done
t_ok "the counter is documented with its link label" sh -c \
	"curl -fs http://127.0.0.1:$C_http/metrics | grep -q '^ntarelay_forwards_suppressed_total{link=\"mqtt://127.0.0.1:$y_port\"}'"

# --- 2. no copy comes back: D forwards after its delay --------------------
t_ok "O publishes an observation of two.example." fed_gen O observation two.example.
id2=$(last)
t_ok "D stores it" t_wait 20 stored D "$id2"
t_ok "D forwards it to z after its delay" t_wait 20 has z two.example.
t_ok "... its outbox row for z goes (PUBACK)" t_wait 20 queued_is D z "$id2" 0
t_is "z carried it once" "$(copies z two.example.)" 1

# --- 3. SIGTERM sends what is held -----------------------------------------
fed_stop_relay D
FED_EXTRA="forward_delay 60000"
t_ok "D restarts with forward_delay 60000" fed_relay D m z
unset FED_EXTRA
t_ok "D's links are up" t_wait 20 up D
t_ok "O publishes an observation of three.example." fed_gen O observation three.example.
id3=$(last)
t_ok "D stores it" t_wait 20 stored D "$id3"
t_ok "... and holds it for z (its outbox row)" queued_is D z "$id3" 1
kill -TERM "$D_pid"
t_ok "SIGTERM: the held forward reaches z" t_wait 20 has z three.example.
t_ok "D exits" t_wait 20 sh -c "! kill -0 $D_pid"
wait "$D_pid" 2>/dev/null
t_is "z carried it once" "$(copies z three.example.)" 1

# --- 4. SIGKILL while holding: the outbox resends at the next start ---------
t_ok "D starts again" fed_start_relay D
t_ok "D's links are up" t_wait 20 up D
t_ok "O publishes an observation of four.example." fed_gen O observation four.example.
id4=$(last)
t_ok "D stores it" t_wait 20 stored D "$id4"
t_ok "... and holds it for z" queued_is D z "$id4" 1
fed_stop_relay D KILL
t_is "z has not seen it" "$(copies z four.example.)" 0
t_ok "D starts again after SIGKILL" fed_start_relay D
t_ok "its outbox sends the held forward to z" t_wait 20 has z four.example.
t_ok "... acknowledged" t_wait 20 queued_is D z "$id4" 0
t_is "z carried it once" "$(copies z four.example.)" 1
for r in B C D; do
	t_is "$r holds every event once" "$(fed_count "$r" "id IN (x'$id1', x'$id2', x'$id3', x'$id4')")" 4
done
t_done
