#!/bin/sh
# tests/integration/disclose.sh — the NTA disclosure (GET /v1/ntas, RFC
# 7646 §2) on a real federation: three operators' relays probe zskroll.
# (signed by an unpublished key) from NSD; the three operators assess an
# accident and recommend an NTA. /v1/ntas (no token, though relay A has
# one) lists the zone with the relay's signed decisions as proof, which
# `ntactl verify` accepts against the relay's key; once the
# recommendations are
# withdrawn the NTA is lifted and stays listed with its "until". The
# status page links the document.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"
. "$top_srcdir/tests/integration/testbed.sh"

for tool in nsd ldns-keygen ldns-signzone jq curl mosquitto; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool missing"; exit 0; }
done
t_ok "build the signed hierarchy" tb_build
t_ok "start NSD" tb_nsd nsd
for o in A B C; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
t_ok "broker starts" t_mosquitto m
head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' >"$T/token"
chmod 600 "$T/token"
FED_EXTRA="watch zskroll.
probe_forward 127.0.0.1@$nsd_port
probe_trust_anchor $TB/root.ds
probe_interval 1
resolve_after 5"
for r in A B C; do
	[ "$r" = A ] && FED_EXTRA="$FED_EXTRA
status_page yes
http_token_file $T/token"
	export FED_EXTRA
	t_ok "relay $r starts" fed_relay "$r" m
done
unset FED_EXTRA
A=http://127.0.0.1:$A_http
auth="Authorization: Bearer $(cat "$T/token")"

t_is "/v1/ntas with no incident: 200 without a token" \
	"$(curl -s -o "$T/ntas0.json" -w '%{http_code}' "$A/v1/ntas")" 200
t_is "... no entry" "$(jq .count "$T/ntas0.json")" 0
t_is "... the relay's operator" "$(jq -r .relay "$T/ntas0.json")" "$(fed_keyid "$T/A/root.pub")"
t_is "... a window of 7 days (retention 7 d < 30 d)" \
	"$(jq '.limited_by_retention and (.generated_at - .window_start == 604800)' "$T/ntas0.json")" true
t_is "the zone list still needs the token" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$A/v1/zones")" 401

zstate() { curl -fs -H "$auth" "$A/v1/zones/zskroll." | jq -r .state; }
t_ok "the failure is observed" t_wait 40 sh -c "[ \"\$(curl -fs -H '$auth' $A/v1/zones/zskroll. | jq -r .state)\" = observed ]"
ids=""
for r in A B C; do
	id=$("$NTACTL" assess zskroll. -c "$T/$r/ntarelay.conf" --verdict accident \
		--nta --lifetime 1h --note "signer fault seen by $r" | awk 'NR == 1 { print $2 }')
	ids="$ids $r:$id"
done
t_ok "nta_recommended" t_wait 30 sh -c "[ \"\$(curl -fs -H '$auth' $A/v1/zones/zskroll. | jq -r .state)\" = nta_recommended ]"
listed() { curl -fs "$A/v1/ntas" >"$T/ntas.json" && jq -e "$1" "$T/ntas.json" >/dev/null; }
t_ok "/v1/ntas lists zskroll., active, until null" t_wait 10 listed \
	'.entries[] | select(.zone == "zskroll." and .active and .until == null)'
t_ok "... with from, the incident and the reason" jq -e \
	'.entries[0] | (.from > 0) and (.incident | test("^[0-9a-f]{16}$")) and (.reason | length > 0)' "$T/ntas.json"
t_ok "... the operators' verdicts and notes" jq -e \
	'[.entries[0].assessments[] | select(.verdict == "accident" and (.note | startswith("signer fault")))] | length >= 2' "$T/ntas.json"
t_ok "... proof envelopes (decisions, nta_recommended)" jq -e \
	'.entries[0].proof.envelopes | length >= 1 and (.[0].state == "nta_recommended")' "$T/ntas.json"
jq '.entries[0].proof.envelopes[0].envelope' "$T/ntas.json" >"$T/proof0.json"
t_ok "ntactl verify accepts the proof against relay A's key" \
	"$NTACTL" verify --pub "$T/A/relay.pub" "$T/proof0.json"
t_fail "... and not against another key" 1 "$NTACTL" verify --pub "$T/B/relay.pub" "$T/proof0.json"
t_ok "the proof is A's decision of zskroll." sh -c \
	"'$NTACTL' inspect '$T/proof0.json' | grep -q nta_recommended"
t_is "... the id given is the envelope's" \
	"$("$NTACTL" id "$T/proof0.json")" "$(jq -r '.entries[0].proof.envelopes[0].id' "$T/ntas.json")"
inc=$(jq -r '.entries[0].incident' "$T/ntas.json")

# the page links it
t_ok "the status page links /v1/ntas" sh -c "curl -fs '$A/' | grep -q 'href=\"[^\"]*/v1/ntas\"'"

# lifted: every recommendation withdrawn
for pair in $ids; do
	r=${pair%%:*}; id=${pair#*:}
	"$NTACTL" withdraw "$id" -c "$T/$r/ntarelay.conf" >/dev/null 2>&1
done
t_ok "the NTA is lifted" t_wait 30 sh -c "[ \"\$(curl -fs -H '$auth' $A/v1/zones/zskroll. | jq -r .state)\" != nta_recommended ]"
t_ok "/v1/ntas still lists it, with its until" t_wait 10 listed \
	".entries[] | select(.zone == \"zskroll.\" and .incident == \"$inc\" and (.active | not) and .until >= .from)"
t_ok "... its proof ends with the decision that lifted it" jq -e \
	'.entries[0].proof.envelopes | (.[-1].state != "nta_recommended") and (.[0].state == "nta_recommended")' "$T/ntas.json"
jq '.entries[0].proof.envelopes[-1].envelope' "$T/ntas.json" >"$T/proof1.json"
t_ok "ntactl verify accepts the lifting decision" \
	"$NTACTL" verify --pub "$T/A/relay.pub" "$T/proof1.json"
t_ok "every proof envelope verifies" sh -c "n=\$(jq '.entries[0].proof.envelopes | length' '$T/ntas.json'); i=0; while [ \$i -lt \$n ]; do jq \".entries[0].proof.envelopes[\$i].envelope\" '$T/ntas.json' | '$NTACTL' verify --pub '$T/A/relay.pub' - >/dev/null || exit 1; i=\$((i + 1)); done"
t_is "a query parameter is refused (400)" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$A/v1/ntas?zone=x.")" 400
t_is "POST: 405" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$A/v1/ntas")" 405
t_done
