#!/bin/sh
# tests/integration/attack_author.sh — no single key moves a decision: an
# event's origin is proven by its key before it can flag, count or be
# stored (issue 12, attacks 1 and 2), and the guards of that binding and of
# withdrawals. Two relays and one Mosquitto; operators A-D pinned, X
# vouched for by A only (tests/integration/attack.sh); B's backed attack
# assessment vetoes victim.example., which A and C would otherwise put
# under an NTA.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"
. "$(dirname "$0")/attack.sh"

atk_need jq sqlite3 mosquitto_pub
t_ok "the federation starts: A-D pinned, X known but not a member, two relays" atk_setup
Z=$ATK_ZONE
t_ok "B's backed attack assessment vetoes $Z on both relays" atk_veto "$Z"

vetoed() { atk_state_is "$1" "$Z" vetoed; }
at_least() { [ "$(atk_rejected "$2" "$1")" -ge "$3" ]; }   # WHY R N
rejected_both() { _rw=$1 _rn=$2; both at_least_r; }
at_least_r() { at_least "$_rw" "$1" "$_rn"; }
no_eqv() { [ "$(fed_metric "$1" ntarelay_equivocations_total)" = 0 ]; }
flagged() {   # R OPERATOR: a key of OPERATOR is flagged on relay R
	curl -fs "http://127.0.0.1:$(eval echo "\$${1}_http")/v1/peers" |
		jq -e --arg op "$2" '.peers[] | select(.operator == $op) | .keys[].flags[] | select(. == "equivocation")' >/dev/null
}
not_flagged() { ! flagged "$1" "$_op"; }
recommending() { curl -fs "http://127.0.0.1:$(eval echo "\$${1}_http")/v1/zones/$Z" | jq .recommending; }
two_recommend() { [ "$(recommending "$1")" = 2 ]; }

# Attack 1: X, a known non-member, signs two seq-1 key_revokes with
# origin B: before the fix, B's chain was flagged as equivocating, B
# stopped counting and the zone went to nta_recommended.
atk_gen X --kind key_revoke --origin "$Bop" --seq 1 --note first 2>/dev/null
atk_gen X --kind key_revoke --origin "$Bop" --seq 1 --note second 2>/dev/null
t_ok "attack 1 (trust topic): both relays refuse X's key_revokes for B (origin_mismatch)" \
	t_wait 20 rejected_both origin_mismatch 2
t_ok "... no equivocation is recorded" both no_eqv
_op=$Bop
t_ok "... B is not flagged" both not_flagged
t_ok "... $Z stays vetoed on both relays" both vetoed

# The same envelopes on bf/resp/<relay>/<id> (any peer may write there, and
# the per-operator ACL does not cover it), this time naming C.
for relay in "$Arelay" "$Crelay"; do
	atk_gen X --kind key_revoke --origin "$Cop" --seq 1 --note first --resp "$relay" 2>/dev/null
	atk_gen X --kind key_revoke --origin "$Cop" --seq 1 --note second --resp "$relay" 2>/dev/null
done
t_ok "attack 1 (bf/resp/+/+): both relays refuse them (untrusted_key: no member key)" \
	t_wait 20 rejected_both untrusted_key 2
t_ok "... no equivocation is recorded" both no_eqv
_op=$Cop
t_ok "... C is not flagged" both not_flagged
t_ok "... C's recommendation still counts" both two_recommend
t_ok "... $Z stays vetoed" both vetoed

# Any known key: D's old key, revoked by D, names B; then D itself.
atk_gen Dold --kind key_revoke --origin "$Bop" --seq 1 --note first 2>/dev/null
atk_gen Dold --kind key_revoke --origin "$Bop" --seq 1 --note second 2>/dev/null
t_ok "attack 1 with a revoked key: refused for B (origin_mismatch)" \
	t_wait 20 rejected_both origin_mismatch 4
atk_gen Dold --kind key_revoke --seq 1 --note first 2>/dev/null
atk_gen Dold --kind key_revoke --seq 1 --note second 2>/dev/null
t_ok "... and for its own operator D (revoked_key)" t_wait 20 rejected_both revoked_key 2
t_ok "... no equivocation is recorded" both no_eqv
_op=$Dop
t_ok "... D is not flagged" both not_flagged

# Attack 2: D certifies B's relay key. Before the fix the key became a
# conflict and counted for nobody: B's veto stopped counting and B's later
# events were refused.
"$NTACTL" cert --net "$FED_NET" --root "$T/D/root.key" --subject "$T/B/relay.pub" \
	--days 30 >"$T/D/hijack"
mosquitto_pub -h 127.0.0.1 -p "$m_port" -q 1 -r \
	-t "ntarelay/v1/$FED_NET/trust/$Dop/$("$NTACTL" id "$T/D/hijack")" -f "$T/D/hijack"
conflict() { [ "$(fed_metric "$1" ntarelay_cert_conflicts_total)" -ge 1 ]; }
t_ok "attack 2: both relays store D's certificate of B's key, counted as a conflict" \
	t_wait 20 both conflict
t_ok "... logged as a possible attack by D" grep -q "possible attack by operator $Dop" "$T/A/relay.log"
peer_flag() {
	curl -fs "http://127.0.0.1:$A_http/v1/peers" |
		jq -e --arg k "$Bkey" '.peers[].keys[] | select(.key == $k) | .flags | index("cert_conflict")' >/dev/null
}
t_ok "... shown in /v1/peers (cert_conflict on B's key)" peer_flag
t_ok "... and by ntactl trust why" sh -c \
	"'$NTACTL' trust --db '$T/A/trust.db' why '$T/B/relay.pub' | grep -q 'more than one member root'"
t_ok "... $Z stays vetoed on both relays" both vetoed
veto_by_B() { [ "$(curl -fs "http://127.0.0.1:$(eval echo "\$${1}_http")/v1/zones/$Z" | jq -r .veto.origin)" = "$Bop" ]; }
t_ok "... the veto is B's" both veto_by_B
atk_gen B --kind observation --state secure --zone "$Z" --seq 3 --prev "$(atk_last "$T/asm.B")" 2>"$T/obs3.B"
idB3=$(atk_last "$T/obs3.B")
held3() { [ "$(atk_held "$1" "$idB3")" = 1 ]; }
t_ok "... B's later events are still accepted on both relays" t_wait 20 both held3

# Guard: the key/origin binding. D's relay key (a member's) signs an
# assessment naming B as its origin: refused, stored and forwarded nowhere.
before=$(atk_rejected A origin_mismatch)
"$EVGEN" --key "$T/D/relay.key" --origin "$Bop" --net "$FED_NET" --kind assessment \
	--zone "$Z" --seq 1 --publish "127.0.0.1:$m_port" 2>"$T/forged"
idF=$(atk_last "$T/forged")
t_ok "a forged event (D's key, origin B) is refused on both relays (origin_mismatch)" \
	t_wait 20 rejected_both origin_mismatch $((before + 1))
t_is "... stored by neither relay" "$(atk_held A "$idF")$(atk_held C "$idF")" 00

# Guard: a withdraw of another operator's event, over MQTT. C names B's
# veto (held by both relays).
idB2=$(atk_last "$T/asm.B")
atk_gen C --kind withdraw --target "$idB2" --seq 3 --prev "$(atk_last "$T/asm.C")" 2>"$T/wd.C"
idW=$(atk_last "$T/wd.C")
t_ok "C's withdraw of B's veto is refused on both relays (not_own_event)" \
	t_wait 20 rejected_both not_own_event 1
t_is "... stored by neither relay" "$(atk_held A "$idW")$(atk_held C "$idW")" 00
t_ok "... $Z stays vetoed" both vetoed

# Guard: withdraws match target and origin in the quorum engine. C
# withdraws an event of B's that no relay holds yet (let through: it may
# arrive later); then B's new veto arrives, and it must count.
"$EVGEN" --key "$T/B/relay.key" --origin "$Bop" --net "$FED_NET" --kind assessment \
	--verdict likely_attack --zone "$Z" --seq 4 --prev "$idB3" --note "still an attack" \
	>"$T/B4" 2>"$T/B4.last"
idB4=$(atk_last "$T/B4.last")
atk_gen C --kind withdraw --target "$idB4" --seq 3 --prev "$(atk_last "$T/asm.C")" 2>"$T/wd2.C"
idW2=$(atk_last "$T/wd2.C")
heldW2() { [ "$(atk_held "$1" "$idW2")" = 1 ]; }
t_ok "C's withdraw of an event nobody holds yet is stored (it may arrive later)" t_wait 20 both heldW2
mosquitto_pub -h 127.0.0.1 -p "$m_port" -q 1 -r -t "ntarelay/v1/$FED_NET/asm/$Z/$Bop" -f "$T/B4"
heldB4() { [ "$(atk_held "$1" "$idB4")" = 1 ]; }
t_ok "B's new veto reaches both relays" t_wait 20 both heldB4
veto_is_B4() { [ "$(curl -fs "http://127.0.0.1:$(eval echo "\$${1}_http")/v1/zones/$Z" | jq -r .veto.event)" = "$idB4" ]; }
t_ok "... C's withdraw does not cancel it: vetoed by B's new assessment on both relays" \
	t_wait 20 both veto_is_B4
t_ok "... $Z is vetoed" both vetoed
t_done
