#!/bin/sh
# tests/integration/flood.sh — the quorum engine under attack by members
# (issue "no single key moves a decision", docs/SECURITY.md): a member that
# floods a zone cannot push another member's veto out of the evaluation,
# and the equivocation flag holds for every operator caught, however many.
# Two relays and one Mosquitto on loopback; operators A-D pinned.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

for tool in jq sqlite3 mosquitto_pub; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool missing"; exit 0; }
done
for o in A B C D; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
t_ok "broker starts" t_mosquitto m
FED_EXTRA="quorum 2"
export FED_EXTRA
t_ok "relay A starts" fed_relay A m
t_ok "relay B starts" fed_relay B m
unset FED_EXTRA

opid() { fed_keyid "$T/$1/root.pub"; }
# pubtrust FILE ORIGIN: a trust envelope on its retained topic
pubtrust() {
	mosquitto_pub -h 127.0.0.1 -p "$m_port" -q 1 -r \
		-t "ntarelay/v1/$FED_NET/trust/$2/$("$NTACTL" id "$1")" -f "$1"
}
# staff O: a key of O's, certified by O's root, that no relay signs with
staff() {
	rm -f "$T/$1/staff.key" "$T/$1/staff.pub"
	"$NTACTL" keygen --name "$1-staff" --out "$T/$1/staff" >/dev/null &&
	"$NTACTL" cert --net "$FED_NET" --root "$T/$1/root.key" \
		--subject "$T/$1/staff.pub" --days 30 >"$T/$1/staff.cert" &&
	pubtrust "$T/$1/staff.cert" "$(opid "$1")"
}
for o in A B C D; do staff "$o" || { echo "Bail out! staff keys"; exit 1; }; done
# B's key id in the upper half, so that D's flood keys can sort below it
# (an evaluation that read a bounded number of rows in key order would
# lose B's events first)
while [ "$(fed_keyid "$T/B/staff.pub" | cut -c1)" \< 8 ]; do
	staff B || { echo "Bail out! staff key"; exit 1; }
done
knows() { for r in A B; do "$NTACTL" trust --db "$T/$r/trust.db" why "$T/$1/staff.pub" | grep -qi cert || return 1; done; }
for o in A B C D; do t_ok "both relays know $o's staff key" t_wait 20 knows "$o"; done

# say O SEQ KIND ZONE [evgen options]: one event of O's staff key, the
# next of its chain (SEQ; two events with one SEQ are an equivocation)
say() {
	_o=$1 _seq=$2 _kind=$3 _zone=$4; shift 4
	_prev=
	[ -f "$T/$_o/chain.$((_seq - 1))" ] && _prev="--prev $(cat "$T/$_o/chain.$((_seq - 1))")"
	# shellcheck disable=SC2086
	"$EVGEN" --key "$T/$_o/staff.key" --origin "$(opid "$_o")" --net "$FED_NET" \
		--kind "$_kind" --zone "$_zone" --seq "$_seq" $_prev --lifetime 3000 "$@" \
		--publish "127.0.0.1:$m_port" 2>"$T/$_o/say.err" >/dev/null
	sed -n 's/^last [0-9]* //p' "$T/$_o/say.err" >"$T/$_o/chain.$_seq"
}
zj() { curl -fs "http://127.0.0.1:$(eval echo "\$${1}_http")/v1/zones/$2"; }
state_is() { [ "$(zj "$1" "$2" | jq -r .state)" = "$3" ]; }
both() { state_is A "$1" "$2" && state_is B "$1" "$2"; }

# --- 1. A flood does not push a veto out --------------------------------
# A and C see one failure and recommend an NTA; B validates the zone (it
# is served other data) and claims an attack: a backed veto.
Z=flood.example.
say A 1 observation $Z; say C 1 observation $Z
say B 1 observation $Z --state secure
say A 2 assessment $Z; say C 2 assessment $Z
say B 2 assessment $Z --verdict attack
t_ok "B's backed veto: vetoed on both relays" t_wait 20 both $Z vetoed
veto=$(zj A $Z | jq -r .veto.event)

# D certifies 128 keys whose ids sort below B's and floods the zone from
# all of them: 8,192 live observations of the failure A and C see.
mkdir -p "$T/D/flood"
i=0
Bstaff=$(fed_keyid "$T/B/staff.pub")
while [ $i -lt 128 ]; do
	# ids that sort below B's key
	rm -f "$T/D/flood/k$i.key" "$T/D/flood/k$i.pub"
	"$NTACTL" keygen --name "d$i" --out "$T/D/flood/k$i" >/dev/null || break
	[ "$(fed_keyid "$T/D/flood/k$i.pub")" \< "$Bstaff" ] || continue
	"$NTACTL" cert --net "$FED_NET" --root "$T/D/root.key" \
		--subject "$T/D/flood/k$i.pub" --days 30 >"$T/D/flood/k$i.cert" || break
	pubtrust "$T/D/flood/k$i.cert" "$(opid D)"
	i=$((i + 1))
done
t_is "D certified 128 keys" "$i" 128
knows_last() { "$NTACTL" trust --db "$T/B/trust.db" why "$T/D/flood/k127.pub" | grep -qi cert; }
t_ok "the relays know them" t_wait 30 knows_last
i=0
while [ $i -lt 128 ]; do
	pids=
	for k in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
		"$EVGEN" --key "$T/D/flood/k$((i + k)).key" --origin "$(opid D)" \
			--net "$FED_NET" --kind observation --zone $Z --count 64 \
			--lifetime 3000 --publish "127.0.0.1:$m_port" >/dev/null 2>&1 &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086
	wait $pids   # these publishers only: the daemons run on
	i=$((i + 16))
done
quota() { [ "$(fed_metric "$1" 'ntarelay_events_rejected_total{reason="quota"}')" -ge 7000 ]; }
t_ok "relay A refuses what is over D's quota (counted as quota)" t_wait 60 quota A
t_ok "relay B too" t_wait 60 quota B
Dop=$(opid D)
t_ok "D observes the zone with at most 8 keys (zone_keys_per_operator)" sh -c \
	"[ \$(sqlite3 'file:$T/A/store.db?mode=ro' \"SELECT count(*) FROM views WHERE zone = '$Z' AND origin = x'$Dop'\") -le 8 ]"
t_ok "D holds at most 512 live events in the zone (zone_events_per_operator)" sh -c \
	"[ \$(sqlite3 'file:$T/B/store.db?mode=ro' \"SELECT count(*) FROM events WHERE zone = '$Z' AND origin = x'$Dop'\") -le 512 ]"
t_ok "after the flood: still vetoed on both relays" both $Z vetoed
t_is "the veto is still B's assessment" "$(zj B $Z | jq -r .veto.event)" "$veto"
t_is "B's vote is in the evaluation" "$(zj B $Z | jq --arg b "$(opid B)" '[.operators[] | select(.vote == $b and (.roles | index("vetoes")))] | length')" 1
t_ok "the refusals are logged with the reason" grep -q 'quota: the origin already' "$T/A/relay.log"

# --- 2. The equivocation flag holds for every operator caught ------------
# 70 more members, each caught equivocating (two events, one seq); then C
# equivocates too, on a zone where its vote makes the quorum: it stops
# counting at once (the flag re-evaluates its zones), however many
# operators were flagged before.
F=flag.example.
say A 3 observation $F; say C 3 observation $F
say A 4 assessment $F; say C 4 assessment $F
t_ok "flag.example.: nta_recommended (A and C)" t_wait 20 both $F nta_recommended
mkdir -p "$T/junk"
i=0
while [ $i -lt 70 ]; do
	"$NTACTL" keygen --name "j$i" --out "$T/junk/j$i" --root >/dev/null || break
	for r in A B; do
		"$NTACTL" trust --db "$T/$r/trust.db" --net "$FED_NET" pin "$T/junk/j$i.pub" >/dev/null
	done
	i=$((i + 1))
done
kill -HUP "$A_pid" "$B_pid"
t_ok "the relays reload the 70 pins" t_wait 10 sh -c "[ \$(grep -c reloaded '$T/A/relay.log') -ge 1 ] && [ \$(grep -c reloaded '$T/B/relay.log') -ge 1 ]"
i=0
while [ $i -lt 70 ]; do
	j=$(fed_keyid "$T/junk/j$i.pub")
	for n in one two; do
		"$EVGEN" --key "$T/junk/j$i.key" --origin "$j" --net "$FED_NET" \
			--kind observation --zone junk.example. --seq 1 --note "$n" \
			--publish "127.0.0.1:$m_port" >/dev/null 2>&1
	done
	i=$((i + 1))
done
flagged() { [ "$(curl -fs "http://127.0.0.1:$(eval echo "\$${1}_http")/v1/peers" | jq '[.peers[].keys[] | select(.flags | index("equivocation"))] | length')" -ge "$2" ]; }
t_ok "70 operators flagged on A" t_wait 30 flagged A 70
t_ok "... and on B" t_wait 30 flagged B 70
t_ok "flag.example. still nta_recommended" both $F nta_recommended
# C is caught with a key of its it has not used before (its chain is the
# newest the relay holds): the flag is the operator's
"$NTACTL" keygen --name C-staff2 --out "$T/C/staff2" >/dev/null &&
"$NTACTL" cert --net "$FED_NET" --root "$T/C/root.key" --subject "$T/C/staff2.pub" \
	--days 30 >"$T/C/staff2.cert" && pubtrust "$T/C/staff2.cert" "$(opid C)"
knows2() { for r in A B; do "$NTACTL" trust --db "$T/$r/trust.db" why "$T/C/staff2.pub" | grep -qi cert || return 1; done; }
t_ok "the relays know C's second key" t_wait 20 knows2
for n in first second; do
	"$EVGEN" --key "$T/C/staff2.key" --origin "$(opid C)" --net "$FED_NET" \
		--kind observation --zone $F --seq 1 --note "$n" \
		--publish "127.0.0.1:$m_port" >/dev/null 2>&1
done
t_ok "C, the 71st caught, is flagged" t_wait 20 flagged A 71
t_ok "flag.example. leaves nta_recommended at once on both relays" t_wait 10 both $F observed
t_ok "C's assessment is listed as not counted" sh -c \
	"curl -fs http://127.0.0.1:$A_http/v1/zones/$F | jq -e --arg c '$(opid C)' '.not_counted[] | select(.origin == \$c and .kind == \"assessment\" and (.counts | not))' >/dev/null"

t_done
