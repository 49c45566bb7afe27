#!/bin/sh
# tests/integration/push.sh — decisions pushed as they are signed (issue 17):
# GET /v1/decisions/stream (Server-Sent Events, docs/API.md §8a) on a real
# two-relay federation probing zskroll. from NSD, and `ntactl nta watch`
# following it into a real Unbound.
#
# Covered: a stream client (curl -N) gets a reset first, then a decision
# event when the zone's decision changes (its data: the zone's row of GET
# /v1/zones); Last-Event-ID resumes with exactly the events missed (no
# loss, no duplicates); an id older than the buffer gets a reset; the 33rd
# concurrent stream gets 503; nta watch with a poll interval of an hour adds the NTA after a decision
# and removes it when the decision is lifted (only the stream can explain
# it); the relay killed and restarted, nta watch reconnects by itself and
# applies the next decision. No timing thresholds (bench/bench_push.sh).
. "$(dirname "$0")/lib.sh"

for tool in nsd unbound unbound-control ldns-keygen ldns-signzone jq curl \
    mosquitto sqlite3; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "1..0 # SKIP $tool not installed"; exit 0; }
done
. "$top_srcdir/tests/integration/testbed.sh"
. "$top_srcdir/tests/integration/fed.sh"

t_ok "build the signed hierarchy" tb_build
t_ok "start NSD" tb_nsd nsd
t_ok "start unbound" tb_unbound ub nsd
UBC="unbound-control -c $TB/ub/unbound.conf"
for o in A B; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
t_ok "broker starts" t_mosquitto m
FED_EXTRA="watch zskroll.
probe_forward 127.0.0.1@$nsd_port
probe_trust_anchor $TB/root.ds
probe_interval 1"
export FED_EXTRA
t_ok "relay A starts" fed_relay A m
t_ok "relay B starts" fed_relay B m
unset FED_EXTRA

S="http://127.0.0.1:$A_http/v1/decisions/stream"
zstate() { curl -fs "http://127.0.0.1:$A_http/v1/zones" | jq -r '[.zones[] | select(.zone == "zskroll.") | .state][0] // "clear"'; }
zstate_is() { [ "$(zstate)" = "$1" ]; }
is_not() { [ "$(zstate)" != "$1" ]; }
# submit RELAY KIND JSON: through the relay's control socket; the event id
submit() {
	curl -s --unix-socket "$T/$1/control.sock" -d "$3" \
	    "http://localhost/v1/submit/$2" | jq -r '.id // empty'
}
assess() { submit "$1" assessment '{"zone":"zskroll.","verdict":"accident","recommend_nta":true,"lifetime":3600}'; }
# ids FILE [TYPE]: the ids of FILE's events of TYPE (default decision)
ids() { awk -v t="${2:-decision}" '/^id: /{id=$2} /^event: /{ev=$2} /^$/{if (ev == t) print id; ev=""}' "$1"; }
# states FILE: "ZONE STATE" of each decision event's data
states() { sed -n 's/^data: //p' "$1" | jq -r 'select(.zone != null) | "\(.zone) \(.state)"'; }
# stream NAME [CURL ARGS]: a stream client in the background, into $T/NAME
stream() {
	_n=$1; shift
	curl -sN -D "$T/$_n.h" "$@" "$S" >"$T/$_n" 2>/dev/null &
	eval "${_n}_pid=$!"
	t_pid "$!"
}
stop() { kill "$(eval echo "\$${1}_pid")" 2>/dev/null; wait "$(eval echo "\$${1}_pid")" 2>/dev/null; return 0; }

t_ok "A sees zskroll. fail (observed)" t_wait 40 zstate_is observed

# ---------------------------------------------------------------- a stream
stream s1
t_ok "a new stream starts with a reset event" t_wait 10 grep -qx 'event: reset' "$T/s1"
t_ok "it is text/event-stream" grep -qi '^content-type: text/event-stream' "$T/s1.h"
R1=$(ids "$T/s1" reset)
t_ok "the reset has a numeric id" sh -c "echo '$R1' | grep -Eqx '[0-9]+'"
idA=$(assess A)
idB=$(assess B)
t_ok "both operators assess: nta_recommended on A" t_wait 30 zstate_is nta_recommended
has_state() { states "$1" | grep -qx "zskroll. $2"; }
t_ok "the stream brings the decision" t_wait 10 has_state "$T/s1" nta_recommended
t_ok "its data is the zone's row of GET /v1/zones" sh -c "sed -n 's/^data: //p' '$T/s1' | jq -e 'select(.state == \"nta_recommended\") | .zone == \"zskroll.\" and (.lifetime | type) == \"number\" and has(\"decision_event\") and has(\"fingerprints\")' >/dev/null"
first=$(ids "$T/s1" | head -1)
t_is "the first decision's id follows the reset's" "$first" "$((R1 + 1))"
t_is "ids increase by one" "$(ids "$T/s1" | awk 'NR > 1 && $1 != p + 1 { bad = 1 } { p = $1 } END { print bad + 0 }')" 0

# ---------------------------------------------------------------- resume
L=$(ids "$T/s1" | tail -1)
stop s1
stream s3
t_ok "a continuous stream (s3) starts" t_wait 10 grep -qx 'event: reset' "$T/s3"
t_is "... at the last id s1 saw" "$(ids "$T/s3" reset)" "$L"
submit B withdraw "{\"target\":\"$idB\"}" >/dev/null
t_ok "B withdraws: the decision is lifted on A" t_wait 30 is_not nta_recommended
s3_has() { [ -n "$(ids "$T/s3")" ]; }
t_ok "s3 gets the change" t_wait 10 s3_has
sleep 2   # whatever else the withdrawal brings
n3=$(ids "$T/s3" | wc -l)
stream s4 -H "Last-Event-ID: $L"
s4_has() { [ "$(ids "$T/s4" | wc -l)" -ge "$n3" ]; }
t_ok "a stream resumed at s1's last id replays what it missed" t_wait 10 s4_has
t_is "... exactly: no loss, no duplicates" "$(ids "$T/s4" | tr '\n' ' ')" "$(ids "$T/s3" | tr '\n' ' ')"
t_is "... and no reset" "$(ids "$T/s4" reset)" ""
stream s5 -H "Last-Event-ID: 1"
t_ok "an id older than the buffer gets a reset" t_wait 10 grep -qx 'event: reset' "$T/s5"
t_is "... and no replay" "$(ids "$T/s5")" ""
stop s3; stop s4; stop s5

# ---------------------------------------------------------------- the limit
i=0
while [ $i -lt 32 ]; do
	# 16 connections per address at most (relay/http/http.c): spread them
	stream "c$i" --interface "127.0.0.$((2 + i / 11))"
	i=$((i + 1))
done
all_open() { for _i in $(seq 0 31); do grep -qx 'event: reset' "$T/c$_i" || return 1; done; }
t_ok "32 concurrent streams open" t_wait 20 all_open
t_is "the 33rd gets 503" "$(curl -s -m 5 -o "$T/c32" -w '%{http_code}' --interface 127.0.0.9 "$S")" 503
t_is "... saying why" "$(jq -r .error "$T/c32")" "too_many_streams"
for i in $(seq 0 31); do stop "c$i"; done
t_ok "once they close, a stream opens again" t_wait 10 sh -c "curl -s -o /dev/null -m 2 -w '%{http_code}' '$S' | grep -qx 200"

# ---------------------------------------------------------------- nta watch
t_is "unbound has no NTA yet" "$($UBC list_insecure)" ""
W="$T/watch.json"
"$NTACTL" nta watch --driver unbound --control-config "$TB/ub/unbound.conf" \
    --relay "http://127.0.0.1:$A_http" --state "$W" --interval 1h \
    2>"$T/watch.log" &
watch_pid=$!
t_pid "$watch_pid"
t_ok "nta watch connects to the stream" t_wait 10 grep -q 'nta watch: decision stream connected$' "$T/watch.log"
idB=$(assess B)
t_ok "a decision: nta watch adds the NTA (the poll is an hour away)" t_wait 30 sh -c "$UBC list_insecure | grep -qx zskroll."
t_ok "... and logs it" t_wait 10 grep -q 'nta watch: add zskroll\.' "$T/watch.log"
submit B withdraw "{\"target\":\"$idB\"}" >/dev/null
t_ok "the decision lifted: nta watch removes it" t_wait 30 sh -c "! $UBC list_insecure | grep -qx zskroll."
fed_stop_relay A KILL
t_ok "relay A killed: nta watch says the stream is lost, once" t_wait 10 grep -q 'decision stream lost' "$T/watch.log"
t_ok "relay A restarts" fed_start_relay A
t_ok "nta watch reconnects by itself" t_wait 60 grep -q 'decision stream connected again' "$T/watch.log"
t_is "the loss was said once" "$(grep -c 'decision stream lost' "$T/watch.log")" 1
idB=$(assess B)
t_ok "after the restart, the next decision adds the NTA" t_wait 60 sh -c "$UBC list_insecure | grep -qx zskroll."
kill -TERM "$watch_pid"
wait "$watch_pid"
t_is "nta watch: SIGTERM ends it with exit 0" "$?" 0

# ---------------------------------------------------------------- old relay
# a relay without the stream (404): nta watch polls
t_ok "an older relay (404): nta watch falls back to polling" sh -c "
	'$NTACTL' nta watch --driver unbound --control-config '$TB/ub/unbound.conf' \
	    --relay 'http://127.0.0.1:$B_http/nothing' --state '$T/old.json' \
	    --interval 1h 2>'$T/old.log' & p=\$!
	t=0; while [ \$t -lt 50 ] && ! grep -q 'no decision stream' '$T/old.log'; do sleep 0.2; t=\$((t + 1)); done
	kill \$p; wait \$p; grep -q 'no decision stream' '$T/old.log'"

t_done
