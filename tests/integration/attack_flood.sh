#!/bin/sh
# tests/integration/attack_flood.sh — a non-member cannot spend a member's
# rate bucket nor grow the trust database (issue 12, attacks 5 and 6).
# Two relays and one Mosquitto; operators A-D pinned, X vouched for by A
# only (tests/integration/attack.sh); rate_limit 2, rate_burst 10.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"
. "$(dirname "$0")/attack.sh"

atk_need jq sqlite3 mosquitto_pub
FED_RATE_LIMIT=2 FED_RATE_BURST=10
t_ok "the federation starts: A-D pinned, X known, rate_limit 2, rate_burst 10" atk_setup
unset FED_RATE_LIMIT FED_RATE_BURST
metric_ge() { [ "$(fed_metric "$3" "$1")" -ge "$2" ]; }   # NAME N R
trust_events() { sqlite3 "file:$T/$1/trust.db?mode=ro" "SELECT count(*) FROM events"; }

# Attack 5: X signs 50 key_revokes for origin B, dated 50 minutes ahead.
# Before the fix each took a token from B's bucket before anything was
# checked, and B's genuine assessment was refused rate_limited.
"$EVGEN" --key "$T/X/root.key" --origin "$Bop" --net "$FED_NET" --kind key_revoke \
	--seq 1 --count 50 --ts $(( $(date +%s) + 3000 )) \
	--publish "127.0.0.1:$m_port" 2>/dev/null
refused50() { metric_ge 'ntarelay_events_rejected_total{reason="origin_mismatch"}' 50 "$1"; }
t_ok "attack 5: both relays refuse X's 50 key_revokes for B (origin_mismatch)" t_wait 20 both refused50
atk_gen B --kind assessment --zone drain.example. --seq 1 2>"$T/asmB"
idB=$(atk_last "$T/asmB")
heldB() { [ "$(atk_held "$1" "$idB")" = 1 ]; }
t_ok "... B's genuine assessment is accepted on both relays" t_wait 20 both heldB
t_is "... nothing was refused rate_limited" \
	"$(atk_rejected A rate_limited)$(atk_rejected C rate_limited)" 00

# Attack 6, first the legitimate path: W, vouched for by A only, vouches
# for Y. Not imported (W is no member), but kept aside; when B's vouch
# makes W a member, the relays import it.
mkdir -p "$T/W" "$T/Y"
"$NTACTL" keygen --root --name W-root --out "$T/W/root" >/dev/null
"$NTACTL" keygen --root --name Y-root --out "$T/Y/root" >/dev/null
Wop=$(fed_keyid "$T/W/root.pub")
pubtrust() {   # FILE ORIGIN
	mosquitto_pub -h 127.0.0.1 -p "$m_port" -q 1 -r \
		-t "ntarelay/v1/$FED_NET/trust/$2/$("$NTACTL" id "$1")" -f "$1"
}
"$NTACTL" vouch --net "$FED_NET" --root "$T/A/root.key" --subject "$T/W/root.pub" >"$T/vouchAW"
pubtrust "$T/vouchAW" "$Aop"
W_known() { sqlite3 "file:$T/$1/trust.db?mode=ro" "SELECT 1 FROM keys WHERE id = '$Wop'" | grep -q 1; }
t_ok "A's vouch for W reaches both trust databases" t_wait 20 both W_known
"$NTACTL" vouch --net "$FED_NET" --root "$T/W/root.key" --subject "$T/Y/root.pub" >"$T/vouchWY"
pubtrust "$T/vouchWY" "$Wop"
pooled() { metric_ge ntarelay_trust_pooled_total 1 "$1"; }
t_ok "W's vouch for Y is kept aside on both relays" t_wait 20 both pooled
byW() { sqlite3 "file:$T/$1/trust.db?mode=ro" "SELECT count(*) FROM events WHERE origin = '$Wop'"; }
t_is "... not imported" "$(byW A)$(byW C)" 00
"$NTACTL" vouch --net "$FED_NET" --root "$T/B/root.key" --subject "$T/W/root.pub" >"$T/vouchBW"
pubtrust "$T/vouchBW" "$Bop"
imported() { [ "$(byW "$1")" = 1 ]; }
t_ok "once B's vouch makes W a member, both relays import W's vouch for Y" t_wait 20 both imported
pool_empty() { [ "$(fed_metric "$1" ntarelay_trust_pool_size)" = 0 ]; }
t_ok "... and the pool is empty" t_wait 20 both pool_empty

# Attack 6: X vouches for 2,000 fresh roots. Before the fix each was
# imported (X's key is known), each import rebuilt the index, and each
# fresh root could sign more.
rebuildsA=$(fed_metric A ntarelay_trust_rebuilds_total)
rebuildsC=$(fed_metric C ntarelay_trust_rebuilds_total)
eventsA=$(trust_events A); eventsC=$(trust_events C)
pooledA=$(fed_metric A ntarelay_trust_pooled_total)
pooledC=$(fed_metric C ntarelay_trust_pooled_total)
"$EVGEN" --key "$T/X/root.key" --net "$FED_NET" --kind vouch --seq 1 --count 2000 \
	--publish "127.0.0.1:$m_port" 2>/dev/null
seen2000() {
	_p=$(eval echo "\$pooled$1")
	[ $(( $(fed_metric "$1" ntarelay_trust_pooled_total) - _p +
		$(fed_metric "$1" ntarelay_link_junk_dropped_total) )) -ge 2000 ]
}
t_ok "attack 6: both relays dispose of X's 2,000 vouches (kept aside or dropped as junk)" \
	t_wait 60 both seen2000
t_is "... their trust databases did not grow" "$(trust_events A) $(trust_events C)" "$eventsA $eventsC"
t_is "... and their trust indexes were not rebuilt" \
	"$(fed_metric A ntarelay_trust_rebuilds_total) $(fed_metric C ntarelay_trust_rebuilds_total)" \
	"$rebuildsA $rebuildsC"
junk() { metric_ge ntarelay_link_junk_dropped_total 1 "$1"; }
t_ok "... over the link's budget, X's events were dropped unverified" both junk
bounded() { [ "$(fed_metric "$1" ntarelay_trust_pool_size)" -le 1024 ]; }
t_ok "... the pool holds at most 1,024" both bounded
t_is "... none is stored" "$(fed_count A "key = x'$Xop'")$(fed_count C "key = x'$Xop'")" 00
atk_gen B --kind observation --zone after.example. --seq 2 --prev "$idB" 2>"$T/obsB"
idO=$(atk_last "$T/obsB")
heldO() { [ "$(atk_held "$1" "$idO")" = 1 ]; }
t_ok "a member's event after the flood is accepted on both relays" t_wait 20 both heldO
t_done
