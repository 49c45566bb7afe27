#!/bin/sh
# tests/integration/quorum.sh — the quorum engine end to end, on a real
# federation: three operators' relays probe zskroll. (part of the zone
# signed by an unpublished key, the .de failure of May 2026) from NSD; one
# of them is first served the attacker's copy (another DNSKEY set) by a
# second NSD. Assessments go in through ntactl and each relay's control
# socket; every relay must reach the same decision.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"
. "$top_srcdir/tests/integration/testbed.sh"

for tool in nsd ldns-keygen ldns-signzone jq sqlite3; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool missing"; exit 0; }
done
t_ok "build the signed hierarchy" tb_build
t_ok "start the real NSD" tb_nsd nsd
t_ok "start the attacker's NSD" tb_nsd atk "$TB/attack"
for o in A B C; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
t_ok "broker starts" t_mosquitto m

relay_conf() {
	FED_EXTRA="watch zskroll.
probe_forward 127.0.0.1@$1
probe_trust_anchor $TB/root.ds
probe_interval 1
resolve_after 5"
	export FED_EXTRA
}
relay_conf "$nsd_port"
t_ok "relay A starts, probing the real servers" fed_relay A m
t_ok "relay B starts, probing the real servers" fed_relay B m
relay_conf "$atk_port"
t_ok "relay C starts, served the attacker's copy" fed_relay C m
unset FED_EXTRA

# a person following the decisions as they change
"$NTACTL" watch --relay "http://127.0.0.1:$A_http" --interval 1 >"$T/watch.out" 2>"$T/watch.err" &
watch_pid=$!
t_pid "$watch_pid"
"$NTACTL" watch --relay "http://127.0.0.1:$A_http" --json --interval 1 >"$T/watch.json" 2>/dev/null &
t_pid $!

zone_json() { curl -fs "http://127.0.0.1:$(eval echo "\$${1}_http")/v1/zones/zskroll."; }
state_of() { zone_json "$1" | jq -r .state; }
state_is() { [ "$(state_of "$1")" = "$2" ]; }
all_state() { for r in A B C; do state_is "$r" "$1" || return 1; done; }
keys_seen() { sqlite3 "file:$T/$1/store.db?mode=ro" "SELECT count(DISTINCT key) FROM events WHERE kind = 0 AND zone = 'zskroll.'"; }
all_keys() { for r in A B C; do [ "$(keys_seen "$r")" -ge 3 ] || return 1; done; }
t_ok "every relay holds the three vantage points' observations" t_wait 40 all_keys

# 1. Two vantage points see one failure, the third another one: that is
# inconsistent evidence, however many operators say accident.
t_ok "inconsistent_evidence on every relay" t_wait 20 all_state inconsistent_evidence
t_is "two fingerprints" "$(zone_json A | jq '.fingerprints | length')" 2
assess_as() { _who=$1; shift; "$NTACTL" assess zskroll. -c "$T/$_who/ntarelay.conf" "$@"; }
idA=$(assess_as A --verdict accident --nta --lifetime 1h --note "signer fault" | awk 'NR == 1 { print $2 }')
idB=$(assess_as B --verdict likely_accident --nta --lifetime 2h | awk 'NR == 1 { print $2 }')
idC=$(assess_as C --verdict accident --nta --lifetime 1h | awk 'NR == 1 { print $2 }')
t_ok "A's assessment is signed by its relay" sh -c "echo '$idA' | grep -Eq '^[0-9a-f]{64}\$'"
t_ok "B's and C's too" sh -c "echo '$idB$idC' | grep -Eq '^[0-9a-f]{128}\$'"
rec3() { for r in A B C; do [ "$(zone_json "$r" | jq .recommending)" = 3 ] || return 1; done; }
t_ok "every relay counts three recommendations" t_wait 20 rec3
t_ok "still inconsistent_evidence on every relay" all_state inconsistent_evidence
"$NTACTL" quorum zskroll. -c "$T/A/ntarelay.conf" >/dev/null; rc=$?
t_is "ntactl quorum: exit 1 (no NTA)" "$rc" 1
t_ok "the reason names a possible attack" sh -c "curl -fs http://127.0.0.1:$A_http/v1/zones/zskroll. | jq -r .reason | grep -q 'on-path attack'"
t_ok "A published its decision, and B holds it" t_wait 20 sh -c \
	"[ \$(sqlite3 'file:$T/B/store.db?mode=ro' \"SELECT count(*) FROM events WHERE kind = 9 AND zone = 'zskroll.' AND key = x'$(fed_keyid "$T/A/relay.pub")'\") -ge 1 ]"
t_ok "GET /v1/zones lists zskroll." sh -c "curl -fs http://127.0.0.1:$A_http/v1/zones | jq -e '.zones[] | select(.zone == \"zskroll.\")' >/dev/null"
t_ok "ntactl status shows it" sh -c "'$NTACTL' status --relay http://127.0.0.1:$A_http | grep -q 'zskroll. *inconsistent_evidence'"

# 2. The relay refuses what the protocol refuses, with the reason.
out=$("$NTACTL" assess zskroll. -c "$T/A/ntarelay.conf" --verdict accident --nta \
	--note "$(printf 'bidi \342\200\256 override')" 2>&1); rc=$?
t_is "a note with a bidi override: refused, exit 1" "$rc" 1
t_ok "... with the protocol's reason" sh -c "echo '$out' | grep -q 'bad_string\|field_value\|string'"
sock=$T/A/control.sock
code=$(curl -s -o "$T/refused.json" -w '%{http_code}' --unix-socket "$sock" \
	-d '{"zone":"zskroll.","verdict":"accident","recommend_nta":true,"lifetime":3600,"origin":"00"}' \
	http://localhost/v1/submit/assessment)
t_is "a body that sets the header: 400" "$code" 400
t_is "... field_value" "$(jq -r .error "$T/refused.json")" field_value
code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$sock" -d '{' \
	http://localhost/v1/submit/assessment)
t_is "a body that is not JSON: 400" "$code" 400
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' \
	"http://127.0.0.1:$A_http/v1/submit/assessment")
t_is "no submissions on the TCP API: 404" "$code" 404
"$NTACTL" withdraw "$idB" -c "$T/A/ntarelay.conf" >/dev/null 2>"$T/wd.err"; rc=$?
t_is "withdrawing another operator's event: refused, exit 1" "$rc" 1
t_ok "... not_own_event" grep -q not_own_event "$T/wd.err"
t_ok "the refusals are counted" sh -c "[ \$(curl -fs http://127.0.0.1:$A_http/metrics | awk '/^ntarelay_submissions_refused_total/ { print \$2 }') -ge 3 ]"

# 3. C's relay is no longer fooled: one failure everywhere, quorum.
fed_stop_relay C
relay_conf "$nsd_port"
sed -i "s/^probe_forward .*/probe_forward 127.0.0.1@$nsd_port/" "$T/C/ntarelay.conf"
unset FED_EXTRA
t_ok "relay C restarts, probing the real servers" fed_start_relay C
t_ok "nta_recommended on every relay" t_wait 30 all_state nta_recommended
t_is "GET /metrics: zskroll. nta_recommended (ntarelay_zone_state)" \
	"$(fed_metric B 'ntarelay_zone_state{zone="zskroll.",state="nta_recommended"}')" 1
t_is "... and in no other state" "$(fed_metric B 'ntarelay_zone_state{zone="zskroll.",')" 1
t_is "... bogus per B's own probe (ntarelay_probe_state)" \
	"$(fed_metric B 'ntarelay_probe_state{zone="zskroll.",state="bogus"}')" 1
t_is "one fingerprint" "$(zone_json B | jq '.fingerprints | length')" 1
t_is "three operators count" "$(zone_json B | jq '[.operators[] | select(.roles | index("recommends"))] | length')" 3
t_is "lifetime: the minimum of the recommendations" "$(zone_json B | jq .lifetime)" 3600
# The API contract as a test: GET /v1/zones/{zone} has the golden
# document's shape (tests/golden/zone.json; ntactl reads the same file in
# tests/unit/test_golden.c). NTARELAY_GOLDEN_WRITE=1 rewrites the golden
# document from this relay, for a deliberate change of the contract.
zone_json B >"$T/zone.json"
if [ "${NTARELAY_GOLDEN_WRITE:-0}" = 1 ]; then
	jq -S . "$T/zone.json" >"$top_srcdir/tests/golden/zone.json"
fi
t_ok "GET /v1/zones/{zone} has the golden document's shape" \
	sh "$top_srcdir/tests/golden/shape.sh" "$T/zone.json"
t_ok "nta_until within the lifetime" sh -c "zone_json() { :; }; j=\$(curl -fs http://127.0.0.1:$B_http/v1/zones/zskroll.); n=\$(date +%s); u=\$(echo \"\$j\" | jq .nta_until); [ \$u -gt \$n ] && [ \$u -le \$((n + 3600)) ]"
t_ok "ntactl quorum -c A: exit 0" "$NTACTL" quorum zskroll. -c "$T/A/ntarelay.conf"
t_ok "ntactl quorum --relay C: exit 0" "$NTACTL" quorum zskroll. --relay "http://127.0.0.1:$C_http" -q
t_ok "ntactl status ZONE shows the audit trail" sh -c "'$NTACTL' status zskroll. -c '$T/A/ntarelay.conf' | grep -q '^operators:'"
"$NTACTL" quorum no-such-zone. -c "$T/A/ntarelay.conf" >/dev/null; rc=$?
t_is "ntactl quorum on a clear zone: exit 1" "$rc" 1
"$NTACTL" quorum zskroll. --relay "http://127.0.0.1:1" >/dev/null 2>&1; rc=$?
t_is "ntactl quorum with the relay unreachable: exit 2" "$rc" 2

# 4. A veto backed by C's own view of other data: C is now served a copy
# of zskroll. that validates (signed by its published keys only) while A
# and B still see the failure, and C suspects an attack. An attack claim
# beside a view of the same failure the others see would veto nothing
# (docs/PROTOCOL.md §15.6).
idC2=$(assess_as C --verdict likely_attack --lifetime 1h | awk 'NR == 1 { print $2 }')
t_ok "an attack claim from a vantage point that sees the same failure: no veto" \
	sh -c "sleep 2; [ \"\$(curl -fs http://127.0.0.1:$A_http/v1/zones/zskroll. | jq -r .state)\" = nta_recommended ]"
mkdir -p "$TB/fixed"
cp "$TB"/signed/*.zone "$TB/fixed/"
t_ok "a copy of zskroll. that validates" sh -c \
	"ldns-signzone -i $((tb_now - 86400)) -e $((tb_now + 30 * 86400)) -f '$TB/fixed/zskroll.zone' '$TB/zskroll.zone' $(echo "$tb_keys_zskroll" | cut -d' ' -f1,2) >/dev/null"
t_ok "start the NSD serving it" tb_nsd fix "$TB/fixed"
fed_stop_relay C
sed -i "s/^probe_forward .*/probe_forward 127.0.0.1@$fix_port/" "$T/C/ntarelay.conf"
t_ok "relay C restarts, served the copy that validates" fed_start_relay C
c_secure() { zone_json A | jq -e --arg k "$(fed_keyid "$T/C/relay.pub")" '.operators[].events[] | select(.key == $k and .kind == "observation" and .state == "secure")' >/dev/null; }
t_ok "A holds C's secure view" t_wait 30 c_secure
t_ok "vetoed on every relay" t_wait 20 all_state vetoed
t_is "GET /metrics: zskroll. vetoed, not nta_recommended" \
	"$(fed_metric A 'ntarelay_zone_state{zone="zskroll.",state="vetoed"}') $(fed_metric A 'ntarelay_zone_state{zone="zskroll.",state="nta_recommended"}')" "1 0"
t_is "the veto names C's assessment" "$(zone_json A | jq -r .veto.event)" "$idC2"
idC=$(assess_as C --verdict accident --nta --lifetime 1h | awk 'NR == 1 { print $2 }')
t_ok "C's newer assessment lifts it: nta_recommended again" t_wait 20 all_state nta_recommended

# 5. Withdrawals drop votes (Q = max(2, ceil(3/3)) = 2).
t_ok "A withdraws its assessment" "$NTACTL" withdraw "$idA" -c "$T/A/ntarelay.conf"
rec2() { for r in A B C; do [ "$(zone_json "$r" | jq .recommending)" = 2 ] || return 1; done; }
t_ok "two recommendations left everywhere" t_wait 20 rec2
t_ok "still nta_recommended (quorum 2)" all_state nta_recommended
t_ok "B withdraws its assessment" "$NTACTL" withdraw "$idB" -c "$T/B/ntarelay.conf"
t_ok "observed on every relay" t_wait 20 all_state observed
t_ok "the withdrawn events are listed as not counted" sh -c "curl -fs http://127.0.0.1:$C_http/v1/zones/zskroll. | jq -e '.not_counted[] | select(.id == \"$idA\" and .withdrawn)' >/dev/null"

# An assessment recommending an NTA for longer than an assessment event
# lives (6 h): the event expires in 6 h, peers accept it, the relay signs
# it again before then (relay/quorum/renew.c).
idL=$(assess_as A --verdict accident --nta --lifetime 2d | awk 'NR == 1 { print $2 }')
heldL() { [ "$(fed_count B "id = x'$idL'")" = 1 ]; }
t_ok "a 2-day recommendation reaches the peers" t_wait 20 heldL
t_is "its event expires within 6 h" "$(sqlite3 "file:$T/B/store.db?mode=ro" "SELECT exp - ts FROM events WHERE id = x'$idL'")" 21600
t_ok "A withdraws it" "$NTACTL" withdraw "$idL" -c "$T/A/ntarelay.conf"
"$NTACTL" withdraw "$(printf '%064d' 7)" -c "$T/A/ntarelay.conf" >/dev/null 2>"$T/wd2.err"; rc=$?
t_is "withdrawing an event nobody holds: refused, exit 1" "$rc" 1
t_ok "... unknown_event" grep -q unknown_event "$T/wd2.err"

# 6. The zone is fixed: sustained validation from M operators resolves it.
idB=$(assess_as B --verdict accident --nta --lifetime 1h | awk 'NR == 1 { print $2 }')
t_ok "quorum again before the fix" t_wait 20 all_state nta_recommended

# A revoked key stops counting at once (docs/RATIONALE.md §7): C's operator revokes
# its relay's key; the revocation travels on the trust topic; C's
# assessment and observation no longer count anywhere, and B's assessment
# alone is not a quorum.
Cop=$(fed_keyid "$T/C/root.pub")
"$NTACTL" revoke --key "$T/C/root.key" --subject "$T/C/relay.pub" --net "$FED_NET" \
	--note "relay key retired" >"$T/revokeC" || echo "revoke failed" >&2
mosquitto_pub -h 127.0.0.1 -p "$m_port" -q 1 -r \
	-t "ntarelay/v1/$FED_NET/trust/$Cop/$("$NTACTL" id "$T/revokeC")" -f "$T/revokeC"
t_ok "after C's relay key is revoked: observed on every relay" t_wait 20 all_state observed
t_ok "C's events are listed as not counted" sh -c "curl -fs http://127.0.0.1:$A_http/v1/zones/zskroll. | jq -e --arg id '$idC' '.not_counted[] | select(.id == \$id and (.counts | not))' >/dev/null"
idA=$(assess_as A --verdict accident --nta --lifetime 1h | awk 'NR == 1 { print $2 }')
t_ok "A assesses again: quorum with A and B" t_wait 20 all_state nta_recommended
t_ok "fix zskroll. (signed by its published keys only)" sh -c \
	"ldns-signzone -i $((tb_now - 86400)) -e $((tb_now + 30 * 86400)) -f '$TB/signed/zskroll.zone' '$TB/zskroll.zone' $(echo "$tb_keys_zskroll" | cut -d' ' -f1,2) >/dev/null"
tb_reload nsd
t_ok "resolved on every relay" t_wait 60 all_state resolved
t_ok "the history shows the way there" t_wait 10 sh -c "curl -fs http://127.0.0.1:$A_http/v1/zones/zskroll. | jq -e '[.history[].state] | index(\"nta_recommended\") and index(\"resolved\")' >/dev/null"
"$NTACTL" quorum zskroll. -c "$T/A/ntarelay.conf" >/dev/null; rc=$?
t_is "ntactl quorum after the fix: exit 1" "$rc" 1

# 7. A restart publishes nothing that did not change.
n1=$(fed_count A "kind = 9 AND key = x'$(fed_keyid "$T/A/relay.pub")'")
fed_stop_relay A
t_ok "relay A restarts" fed_start_relay A
sleep 3
t_is "still resolved after the restart" "$(state_of A)" resolved
t_is "no new decision event for an unchanged decision" \
	"$(fed_count A "kind = 9 AND key = x'$(fed_keyid "$T/A/relay.pub")'")" "$n1"
for st in inconsistent_evidence nta_recommended vetoed observed resolved; do
	t_ok "ntactl watch showed $st" grep -q "zskroll\. *$st" "$T/watch.out"
done
t_ok "ntactl watch --json: one object per decision" sh -c "jq -s -e 'map(select(.state == \"vetoed\" and (.event | length) == 64)) | length == 1' '$T/watch.json' >/dev/null"
kill "$watch_pid"; wait "$watch_pid" 2>/dev/null
t_ok "decisions are logged" grep -q 'decision zskroll.: .* -> nta_recommended' "$T/A/relay.log"
t_done
