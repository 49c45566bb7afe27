#!/bin/sh
# tests/integration/record.sh — the portable incident record on a real
# federation: three operators' relays probe zskroll. (signed by an
# unpublished key) from NSD and reach nta_recommended on the operators'
# assessments. `ntactl incident export` writes the record from relay A;
# `ntactl incident verify` checks it offline against the operators'
# pinned roots: it passes as exported, and fails, naming what, when an
# event's signature is flipped, when a decision's payload is altered, when
# an operator's root is not pinned, and when a key_cert is missing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"
. "$top_srcdir/tests/integration/testbed.sh"

for tool in nsd ldns-keygen ldns-signzone jq curl mosquitto; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool missing"; exit 0; }
done
t_ok "build the signed hierarchy" tb_build
t_ok "start NSD" tb_nsd nsd
for o in A B C; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
"$NTACTL" keygen --name D-root --out "$T/D.root" --root >/dev/null
t_ok "broker starts" t_mosquitto m
FED_EXTRA="watch zskroll.
probe_forward 127.0.0.1@$nsd_port
probe_trust_anchor $TB/root.ds
probe_interval 1
resolve_after 5"
export FED_EXTRA
for r in A B C; do t_ok "relay $r starts" fed_relay "$r" m; done
unset FED_EXTRA
A=http://127.0.0.1:$A_http
state() { [ "$(curl -fs "$A/v1/zones/zskroll." | jq -r .state)" = "$1" ]; }
t_ok "the failure is observed" t_wait 40 state observed
for r in A B C; do
	"$NTACTL" assess zskroll. -c "$T/$r/ntarelay.conf" --verdict accident \
		--nta --lifetime 1h --note "signer fault ($r)" >/dev/null
done
t_ok "nta_recommended" t_wait 30 state nta_recommended
t_ok "A signed its decision" t_wait 10 sh -c \
	"curl -fs '$A/v1/zones/zskroll.' | jq -e '.history[-1].state == \"nta_recommended\"' >/dev/null"

B=$T/bundle.json
t_ok "ntactl incident export -c A" "$NTACTL" incident export zskroll. -c "$T/A/ntarelay.conf" -o "$B"
t_is "... its format" "$(jq -r '.format + " " + (.version | tostring)' "$B")" "ntarelay-incident-record 1"
t_is "... the incident of A's last decision" "$(jq -r .incident "$B")" \
	"$(curl -fs "$A/v1/zones/zskroll." | jq -r '[.history[] | select(.incident)][-1].incident')"
t_ok "... holds observations, assessments and decisions" jq -e \
	'[.events[].kind] | (index("observation") != null) and (index("assessment") != null) and (index("decision") != null)' "$B"
t_ok "... and the three relay keys' key_certs" jq -e \
	'[.trust[] | select(.kind == "key_cert")] | length >= 3' "$B"
t_ok "export --relay URL gives the same incident" sh -c \
	"'$NTACTL' incident --relay '$A' export zskroll. | jq -e --arg i \"\$(jq -r .incident '$B')\" '.incident == \$i' >/dev/null"
pins="--pin $T/A/root.pub --pin $T/B/root.pub --pin $T/C/root.pub"
# shellcheck disable=SC2086
"$NTACTL" incident verify "$B" $pins >"$T/v.out" 2>"$T/v.err"; rc=$?
t_is "verify with the three pins: exit 0" "$rc" 0
t_ok "... says verified" grep -qx verified "$T/v.out"
t_ok "... prints the timeline" grep -q 'assessment *accident, recommends an NTA' "$T/v.out"
t_ok "... and the decision" grep -q '^decision: nta_recommended' "$T/v.out"
# shellcheck disable=SC2086
t_ok "--json: verified true, no problem" sh -c \
	"'$NTACTL' incident verify '$B' $pins --json | jq -e '.verified and (.problems | length == 0) and (.events | all(.ok))' >/dev/null"

# 1. a flipped byte in an assessment's signature
aid=$(jq -r '[.events[] | select(.kind == "assessment")][0].id' "$B")
jq --arg id "$aid" '(.events[] | select(.id == $id) | .envelope.signatures[0].sig) |=
	(if startswith("A") then "B" + .[1:] else "A" + .[1:] end)' "$B" >"$T/sig.json"
# shellcheck disable=SC2086
"$NTACTL" incident verify "$T/sig.json" $pins >"$T/v1.out" 2>"$T/v1.err"; rc=$?
t_is "a flipped signature: exit 1" "$rc" 1
t_ok "... naming the event" grep -q "event $aid (assessment) does not verify" "$T/v1.err"
t_ok "... NOT VERIFIED" grep -qx "NOT VERIFIED" "$T/v1.out"

# 2. a decision's payload altered (its state)
did=$(jq -r '[.events[] | select(.kind == "decision")][-1].id' "$B")
jq --arg id "$did" '(.events[] | select(.id == $id) | .envelope.payload) |=
	(@base64d | sub("nta_recommended"; "vetoed") | @base64)' "$B" >"$T/field.json"
# shellcheck disable=SC2086
"$NTACTL" incident verify "$T/field.json" $pins >/dev/null 2>"$T/v2.err"; rc=$?
t_is "a decision's field changed: exit 1" "$rc" 1
t_ok "... naming the decision" grep -q "event $did (decision) does not verify" "$T/v2.err"

# 3. not the right pins
"$NTACTL" incident verify "$B" --pin "$T/A/root.pub" --pin "$T/B/root.pub" >/dev/null 2>"$T/v3.err"; rc=$?
t_is "C's root not pinned: exit 1" "$rc" 1
t_ok "... C's key_cert does not verify" grep -q "trust event .* (key_cert) does not verify" "$T/v3.err"
t_ok "... nor C's events" grep -q "$(fed_keyid "$T/C/relay.pub"), which no pinned root certifies" "$T/v3.err"
"$NTACTL" incident verify "$B" --pin "$T/D.root.pub" >/dev/null 2>&1; rc=$?
t_is "only a stranger's root pinned: exit 1" "$rc" 1

# 4. a key_cert missing
ck=$(fed_keyid "$T/C/relay.pub")
jq --arg k "$ck" '.trust |= map(select((.envelope.payload | @base64d | fromjson | .subject) != $k))' \
	"$B" >"$T/nocert.json"
t_is "the record without C's relay key_cert" \
	"$(jq '.trust | length' "$T/nocert.json")" "$(( $(jq '.trust | length' "$B") - 1 ))"
# shellcheck disable=SC2086
"$NTACTL" incident verify "$T/nocert.json" $pins >/dev/null 2>"$T/v4.err"; rc=$?
t_is "a missing key_cert: exit 1" "$rc" 1
t_ok "... says which key and why" grep -q "signed by key $ck, which no pinned root certifies in this record (its key_cert is missing" "$T/v4.err"

# 5. usage and I/O
t_fail "no --pin: exit 2" 2 "$NTACTL" incident verify "$B"
t_fail "no such file: exit 2" 2 "$NTACTL" incident verify "$T/none.json" --pin "$T/A/root.pub"
t_fail "not a record: exit 2" 2 "$NTACTL" incident verify "$T/A/cert" --pin "$T/A/root.pub"
t_fail "export of a zone with no incident: exit 1" 1 "$NTACTL" incident export example. -c "$T/A/ntarelay.conf"
t_done
