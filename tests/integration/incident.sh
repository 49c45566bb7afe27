#!/bin/sh
# tests/integration/incident.sh — incidents with memory, as resolvers and
# people see them, on a real federation: three operators' relays (A, B, C)
# probe zskroll. (part of the zone signed by an unpublished key, the .de
# failure of May 2026) from NSD every second, resolve_after 8; C's vantage
# point has an NSD of its own. A real Unbound follows relay A through
# `ntactl nta watch --driver unbound`; relay A posts to a stand-in
# Mattermost (tests/tools/mmrecv) in bot and webhook mode and serves the
# public page.
#
#  1. Unreachable is not failure: C's vantage point gets no answer (its NSD
#     is not there): no incident while the others validate, and once the
#     zone fails, C is "unreachable" (API, ntactl status, the page), never
#     among the failures.
#  2. A relay that joins late with an empty store (D, after A's assessment
#     was withdrawn): syncing (503, `ntactl quorum` exit 2 "not caught
#     up") until it holds its peers' history; then it agrees, and it never
#     signed nta_recommended.
#  3. A flapping zone under `ntactl nta watch`: fixed, broken, fixed,
#     broken, each for less than resolve_after: the recommendation holds
#     (phase recovering, relapses); a partial fix (C still served the broken
#     copy) is not a fix; fixed for good: resolved. The NTA is added once
#     and removed once, after `resolved`.
#  4. A new incident after a resolved one (the same failure again): the old
#     assessments do not count until new ones arrive; another incident id;
#     another Mattermost thread.
# No timing is asserted: every wait is for a condition (t_wait).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"
. "$top_srcdir/tests/integration/testbed.sh"

for tool in nsd unbound unbound-control ldns-keygen ldns-signzone dig jq sqlite3 mosquitto curl; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool missing"; exit 0; }
done
MMRECV="$top_builddir/tests/tools/mmrecv"
[ -x "$MMRECV" ] || { echo "1..0 # SKIP mmrecv not built"; exit 0; }

# ------------------------------------------------------------------ setup
t_ok "build the signed hierarchy" tb_build
# zskroll. as built is the broken copy; the fixed one is signed by its
# published keys only
cp "$TB/signed/zskroll.zone" "$TB/zskroll.broken"
t_ok "a fixed copy of zskroll." sh -c "ldns-signzone -i $((tb_now - 86400)) -e $((tb_now + 30 * 86400)) -f '$TB/zskroll.fixed' '$TB/zskroll.zone' $(echo "$tb_keys_zskroll" | cut -d' ' -f1,2) >/dev/null"
mkdir -p "$TB/c"
cp "$TB"/signed/*.zone "$TB/c/"
# serve NSD COPY: that NSD serves the fixed or the broken zskroll.
serve() {
	_dir=$TB/signed
	[ "$1" = nsdc ] && _dir=$TB/c
	cp "$TB/zskroll.$2" "$_dir/zskroll.zone.new" && mv "$_dir/zskroll.zone.new" "$_dir/zskroll.zone"
	eval "_p=\${${1}_pid:-}"
	[ -z "$_p" ] || tb_reload "$1"
}
serve nsd fixed
serve nsdc broken
t_ok "start NSD (A's and B's vantage points)" tb_nsd nsd
nsdc_port=$(t_port)
t_ok "start a validating Unbound" tb_unbound ub nsd

for o in A B C D; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
op() { fed_keyid "$T/$1/root.pub"; }
t_ok "broker m starts" t_mosquitto m
t_ok "broker m2 starts" t_mosquitto m2
mm_port=$(t_port)
bot_token=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
printf '%s\n' "$bot_token" >"$T/bot.token"
chmod 600 "$T/bot.token"
"$MMRECV" --port "$mm_port" --log "$T/mm.log" --token "$bot_token" 2>>"$T/mm.err" &
t_pid $!
t_ok "the Mattermost stand-in starts" t_wait 10 curl -fs "http://127.0.0.1:$mm_port/_ctl/count"

# conf PORT [ZONE]: a relay probing ZONE (zskroll.) through the NSD on PORT
conf() {
	FED_EXTRA="watch ${2:-zskroll.}
probe_forward 127.0.0.1@$1
probe_trust_anchor $TB/root.ds
probe_interval 1
resolve_after 8
heartbeat_interval 10
sync_wait 60"
	export FED_EXTRA
}
conf "$nsd_port"
FED_EXTRA="$FED_EXTRA
status_page yes
mattermost_webhook http://127.0.0.1:$mm_port/hooks/incident
mattermost_url http://127.0.0.1:$mm_port
mattermost_token_file $T/bot.token
mattermost_channel abcdefghijkmnopqrstuvwxyz1
mattermost_rate 6000"
t_ok "relay A starts (page, Mattermost)" fed_relay A m m2
conf "$nsd_port"
t_ok "relay B starts" fed_relay B m m2
conf "$nsdc_port"
t_ok "relay C starts, its NSD not there yet" fed_relay C m m2
unset FED_EXTRA

http_of() { eval echo "\$${1}_http"; }
zj() { curl -fs "http://127.0.0.1:$(http_of "$1")/v1/zones/zskroll."; }
jz() { zj "$1" | jq -r "$2"; }
is() { [ "$(jz "$1" "$2")" = "$3" ]; }
all_is() { for _r in A B C; do is "$_r" "$1" "$2" || return 1; done; }
# assess WHO: an accident, recommending an NTA; output in $T/assess.WHO
assess() {
	"$NTACTL" assess zskroll. -c "$T/$1/ntarelay.conf" --verdict accident --nta \
		--lifetime 1h >"$T/assess.$1" 2>&1
}
first_id() { awk '/^assessment / { print $2; exit }' "$T/assess.$1"; }
"$NTACTL" watch --relay "http://127.0.0.1:$A_http" --interval 1 >"$T/watch.out" 2>&1 &
t_pid $!

# ------------------------------------------- 1. unreachable is not failure
t_ok "A holds every vantage point's view" t_wait 30 is A '.operators | length' 3
t_ok "C's vantage point is unreachable: counted as such" t_wait 20 is A .unreachable 1
t_is "... the zone is clear" "$(jz A .state)" clear
t_is "... no incident opened" "$(jz A '[.incident, (.incidents | length)] | tostring')" '[null,0]'
t_is "... nothing fails" "$(jz A .failing)" 0
t_is "... C's role is unreachable" "$(zj A | jq -r --arg c "$(op C)" '.operators[] | select(.vote == $c) | .roles | join(",")')" unreachable
t_is "... and /v1/zones lists nothing" "$(curl -fs "http://127.0.0.1:$A_http/v1/zones" | jq .count)" 0
"$NTACTL" status zskroll. --relay "http://127.0.0.1:$A_http" >"$T/status0" 2>&1
t_ok "ntactl status: unreachable from C, not a failure" grep -q "^unreachable:  from $(op C | cut -c1-16) ~C-root? (no answer to judge: not a failure)" "$T/status0"

t_ok "the zone breaks (A's and B's NSD)" serve nsd broken
t_ok "an incident opens on A: observed" t_wait 20 is A .state observed
I0=$(jz A .incident.id)
t_ok "... named by a 16-digit id" sh -c "echo '$I0' | grep -Eq '^[0-9a-f]{16}\$'"
t_ok "... two operators fail, C is still unreachable" t_wait 10 is A '[.failing, .unreachable] | tostring' '[2,1]'
t_is "... C is not among the failures" "$(zj A | jq --arg c "$(op C)" '[.operators[] | select(.vote == $c) | .roles[] | select(. == "observes")] | length')" 0
curl -fs "http://127.0.0.1:$A_http/" >"$T/page1.html"
t_ok "the page names the incident" grep -q "<code class=\"incident\">$I0</code>" "$T/page1.html"
t_ok "the page shows C unreachable" grep -q "unreachable from <code title=\"$(op C)\">" "$T/page1.html"
"$NTACTL" status zskroll. --relay "http://127.0.0.1:$A_http" >"$T/status1" 2>&1
t_ok "ntactl status names the incident" grep -q "^incident:     $I0, opened " "$T/status1"
t_ok "... and C as unreachable" grep -q "^unreachable:  from $(op C | cut -c1-16) " "$T/status1"
"$NTACTL" status --relay "http://127.0.0.1:$A_http" >"$T/status1t" 2>&1
t_ok "ntactl status (all zones): one unreachable, the incident" grep -Eq "^zskroll\. +observed +- .* +1 $I0 " "$T/status1t"

t_ok "C's NSD starts (serving the broken copy)" tb_nsd nsdc "$TB/c" "$nsdc_port"
t_ok "C fails too: three operators observe one failure" t_wait 20 is A '[.failing, .unreachable, .observing] | tostring' '[3,0,3]'
t_is "... the same incident" "$(jz A .incident.id)" "$I0"

# ---------------------------------------------- 2. a relay joining late
t_ok "A assesses" assess A
t_ok "... and ntactl assess keeps its first line" grep -Eq '^assessment [0-9a-f]{64} signed by the relay and published$' "$T/assess.A"
t_ok "... then says what was judged: the incident" grep -q "^judged: incident $I0 " "$T/assess.A"
t_ok "... the failure" grep -q "^judged: failure $(jz A .incident.lead)" "$T/assess.A"
t_ok "... and the failing observations referenced" grep -Eq '^judged: [2-9] failing observations referenced$' "$T/assess.A"
idA1=$(first_id A)
t_ok "B assesses" assess B
t_ok "nta_recommended on every relay" t_wait 20 all_is .state nta_recommended
t_ok "A withdraws its assessment" "$NTACTL" withdraw "$idA1" -c "$T/A/ntarelay.conf"
t_ok "observed again on every relay" t_wait 20 all_is .state observed
sleep 2   # the brokers keep the retained withdrawal (autosave_interval 1)
kill "$m2_pid"; wait "$m2_pid" 2>/dev/null
# D probes another zone: what it decides for zskroll. comes from its peers
conf "$nsd_port" good.
FED_EXTRA="$FED_EXTRA
status_page yes"
FED_NOWAIT=1 fed_relay D m2
unset FED_EXTRA
# D starts with an empty store and its broker away: it must say so
code() { curl -s -o "$T/$2" -w '%{http_code}' "http://127.0.0.1:$D_http$1"; }
t_ok "D answers while its broker is away" t_wait 10 sh -c "curl -s -o /dev/null http://127.0.0.1:$D_http/healthz"
t_is "D's /healthz: 503" "$(code /healthz hz)" 503
t_ok "... syncing" grep -q '"message":"syncing: not caught up with its peers yet' "$T/hz"
t_is "D's /v1/zones: 503" "$(code /v1/zones zones)" 503
t_is "... syncing, and no zone to act on" "$(jq -c '[.syncing, .error, .count, .zones]' "$T/zones")" '[true,"syncing",0,[]]'
t_is "D's /v1/zones/zskroll.: 503" "$(code /v1/zones/zskroll. zone)" 503
curl -s "http://127.0.0.1:$D_http/" >"$T/pageD.html"
t_ok "D's page: catching up" grep -q '<h2>Catching up</h2>' "$T/pageD.html"
t_ok "... never \"no incident\"" sh -c "! grep -q 'No incident' '$T/pageD.html'"
"$NTACTL" quorum zskroll. --relay "http://127.0.0.1:$D_http" >"$T/quorumD" 2>&1
t_is "ntactl quorum against D: exit 2" "$?" 2
t_ok "... not caught up" grep -q 'quorum: zskroll\.: not caught up' "$T/quorumD"
t_ok "broker m2 is back, with its retained messages" t_mosquitto m2 "$m2_port"
t_ok "D catches up" t_wait 40 curl -fs "http://127.0.0.1:$D_http/healthz"
t_ok "... and agrees with the others: observed" t_wait 20 is D .state observed
t_is "... one recommendation counts (A's was withdrawn)" "$(jz D .recommending)" 1
t_ok "... A's assessment is withdrawn on D too" sh -c "zj() { curl -fs http://127.0.0.1:$D_http/v1/zones/zskroll.; }; zj | jq -e --arg id '$idA1' '.not_counted[] | select(.id == \$id and .withdrawn)' >/dev/null"
t_is "D never signed nta_recommended" "$(jz D '[.history[] | select(.state == "nta_recommended")] | length')" 0
t_ok "D logged that it caught up" grep -q 'caught up: ' "$T/D/relay.log"
fed_stop_relay D

# ----------------------------------------- 3. a flapping zone, nta watch
ST=$T/nta-state.json
"$NTACTL" nta watch --driver unbound --control-config "$ub_conf" \
	--relay "http://127.0.0.1:$A_http" --state "$ST" --interval 1 2>"$T/nta.log" &
t_pid $!
# every change of Unbound's NTAs, as a resolver operator would see them
( prev=""; while :; do
	cur=$(unbound-control -c "$ub_conf" list_insecure 2>/dev/null | tr '\n' ' ')
	[ "$cur" = "$prev" ] || { echo "ntas: $cur"; prev=$cur; }
	sleep 0.2
done ) >"$T/ntas.log" 2>&1 &
t_pid $!
t_ok "C assesses: a quorum again (B and C)" assess C
t_ok "nta_recommended on every relay" t_wait 20 all_is .state nta_recommended
t_ok "nta watch adds the NTA" t_wait 15 sh -c "unbound-control -c '$ub_conf' list_insecure | grep -qx zskroll."
noad() { [ "$(tb_dig "$ub_port" www.zskroll.)" = "NOERROR noad" ]; }
t_ok "the zone answers under the NTA" t_wait 15 noad
I1=$(jz A .incident.id)
t_is "the same incident all along" "$I1" "$I0"
both() { serve nsd "$1" && serve nsdc "$1"; }
for k in 1 2; do
	t_ok "flap $k: fixed" both fixed
	t_ok "flap $k: recovering, the recommendation holds" t_wait 15 is A .phase recovering
	t_ok "flap $k: validating again, with progress" sh -c "zj() { curl -fs http://127.0.0.1:$A_http/v1/zones/zskroll.; }; zj | jq -e '.recovery.window == 8 and .recovery.needed == 2' >/dev/null"
	t_ok "flap $k: broken again, before resolve_after" both broken
	t_ok "flap $k: a relapse: failing again, still nta_recommended" t_wait 15 is A '[.state, .phase, .incident.relapses] | tostring' "[\"nta_recommended\",\"failing\",$k]"
done
t_ok "a partial fix: A's and B's NSD fixed, C's still broken" serve nsd fixed
t_ok "recovering, C still sees the failure" t_wait 15 is A '[.phase, .recovery.still_failing] | tostring' '["recovering",1]'
t_ok "A and B have validated for the whole window" t_wait 20 is A '.recovery.elapsed == .recovery.window' true
t_is "... and it is not resolved: a partial fix is not a fix" "$(jz A '[.state, .phase] | tostring')" '["nta_recommended","recovering"]'
t_is "... the NTA stays" "$(unbound-control -c "$ub_conf" list_insecure)" zskroll.
t_ok "C's NSD is fixed too" serve nsdc fixed
t_ok "resolved on every relay" t_wait 20 all_is .state resolved
t_ok "nta watch removes the NTA" t_wait 15 sh -c "! unbound-control -c '$ub_conf' list_insecure | grep -qx zskroll."
t_ok "... and logs it" t_wait 10 grep -q ' nta watch: remove zskroll\.' "$T/nta.log"
t_is "the NTA was added once" "$(grep -c ' nta watch: add zskroll\.' "$T/nta.log")" 1
t_is "... and removed once" "$(grep -c ' nta watch: remove zskroll\.' "$T/nta.log")" 1
t_ok "... after resolved" grep -q ' nta watch: remove zskroll\.: no longer recommended: state resolved$' "$T/nta.log"
ntas_changed() { [ "$(wc -l <"$T/ntas.log")" -ge 2 ]; }
t_ok "Unbound's NTAs changed ..." t_wait 5 ntas_changed
t_is "... twice: added, then removed" "$(cat "$T/ntas.log")" "ntas: zskroll. 
ntas: "
t_is "the incident closed as resolved, after 2 relapses" \
	"$(zj A | jq -c --arg i "$I1" '.incidents[] | select(.id == $i) | [.outcome, .relapses]')" '["resolved",2]'
# the incident's decisions, state/phase, repeats (other fingerprints, the
# same phase) folded
hist() { zj A | jq -r --arg i "$I1" '[.history[] | select(.incident == $i) | .state + "/" + (.phase // "-")] | reduce .[] as $x ([]; if length > 0 and .[-1] == $x then . else . + [$x] end) | join(" ")'; }
hist >"$T/hist"
t_ok "the history shows the recovery and the relapses" grep -q 'nta_recommended/failing nta_recommended/recovering nta_recommended/failing nta_recommended/recovering nta_recommended/failing nta_recommended/recovering resolved/-$' "$T/hist"
t_ok "ntactl watch showed the recovery, naming the incident" t_wait 10 grep -Eq "zskroll\. +nta_recommended +recovering +incident $I1 " "$T/watch.out"
# the watch prints what its stream brings: asynchronous, so waited for
t_ok "... and the end" t_wait 10 grep -Eq "zskroll\. +resolved +- +incident $I1 " "$T/watch.out"

# ------------------------------------- 4. a new incident after a resolved one
# D starts again, with an empty store, after the resolution: it has no
# memory of the incident, only what its peers send (the old assessments
# are still live); it must not bind them to the next failure either
rm -f "$T/D/store.db" "$T/D/store.db-wal" "$T/D/store.db-shm"
conf "$nsd_port" good.
FED_EXTRA="$FED_EXTRA
status_page yes"
t_ok "D starts again with an empty store, after the resolution" fed_relay D m2
unset FED_EXTRA
dviews() { [ "$(sqlite3 "file:$T/D/store.db?mode=ro" "SELECT count(*) FROM views WHERE zone = 'zskroll.'")" -ge 3 ]; }
t_ok "... it holds the vantage points' views" t_wait 30 dviews
t_ok "the same failure comes back" both broken
t_ok "a new incident opens: observed" t_wait 20 sh -c "zj() { curl -fs http://127.0.0.1:$A_http/v1/zones/zskroll.; }; zj | jq -e --arg i '$I1' '.state == \"observed\" and .incident.id != \$i' >/dev/null"
I2=$(jz A .incident.id)
t_ok "... with another id" sh -c "[ '$I2' != '$I1' ] && echo '$I2' | grep -Eq '^[0-9a-f]{16}\$'"
t_is "... about the same failure" "$(jz A '.incidents[0].lead == .incidents[1].lead')" true
t_is "the old assessments do not count: none recommends" "$(jz A .recommending)" 0
for w in B C; do
	t_is "... $w's is listed as not bound" "$(zj A | jq -r --arg id "$(first_id "$w")" '.not_counted[] | select(.id == $id) | [.bound, .counts] | tostring')" '[false,true]'
done
sleep 2
t_is "... and still observed (nothing recommended on stale words)" "$(jz A '[.state, .recommending] | tostring')" '["observed",0]'
t_is "no decision of the new incident recommended an NTA" "$(zj A | jq --arg i "$I2" '[.history[] | select(.incident == $i and .state == "nta_recommended")] | length')" 0
t_ok "D, without the memory of the resolution, sees the failure" t_wait 20 is D .state observed
t_is "... and no old assessment counts there either (the views show the recovery)" "$(jz D '[.state, .recommending] | tostring')" '["observed",0]'
t_is "... D never signed nta_recommended" "$(jz D '[.history[] | select(.state == "nta_recommended")] | length')" 0
fed_stop_relay D
t_ok "A assesses again" assess A
t_ok "... judging the new incident" grep -q "^judged: incident $I2 " "$T/assess.A"
t_ok "B assesses again" assess B
t_ok "nta_recommended for the new incident" t_wait 20 is A '[.state, .incident.id] | tostring' "[\"nta_recommended\",\"$I2\"]"

# --------------------------------------- Mattermost: a thread per incident
t_ok "A's bot posts a root post per incident" t_wait 20 sh -c "[ \$(jq -c 'select(.status == 201 and .method == \"POST\" and (.body.root_id // \"\") == \"\" and (.body.message | test(\"Incident .zskroll.\")))' '$T/mm.log' | wc -l) = 2 ]"
post_of() { sqlite3 "file:$T/A/store.db?mode=ro" "SELECT post_id FROM notify_incidents WHERE ref = '$1'"; }
R1=$(post_of "$I1") R2=$(post_of "$I2")
t_ok "each incident has its thread" sh -c "[ -n '$R1' ] && [ -n '$R2' ] && [ '$R1' != '$R2' ]"
# edits POST_ID: the messages of the edits of that root post, in order
edits() { jq -r --arg p "/api/v4/posts/$1" 'select(.method == "PUT" and .path == $p and .status == 200) | .body.message' "$T/mm.log"; }
edits "$R1" >"$T/edits1"
t_ok "the first root post names its incident" grep -q "^Incident \`$I1\`, opened " "$T/edits1"
t_ok "... was edited in place through the recovery" grep -q 'validating again: 2 of 2 operators, [0-9]* s of 8 s' "$T/edits1"
# last POST_ID: the message of its last edit
last_edit() { jq -rs --arg p "/api/v4/posts/$1" '[.[] | select(.method == "PUT" and .path == $p and .status == 200)] | last | .body.message' "$T/mm.log"; }
resolved_edit() { last_edit "$R1" | grep -q 'Incident `zskroll.` — Resolved'; }
t_ok "... its last edit: resolved, the thread closed" t_wait 10 resolved_edit
new_root() { edits "$R2" | grep -q "^Incident \`$I2\`, opened "; }
t_ok "the second root post names the new incident" t_wait 20 new_root
t_ok "the thread tells the recovery" sh -c "jq -r --arg r '$R1' 'select(.body.root_id == \$r) | .body.message' '$T/mm.log' | grep -q 'recovering (was: failing) — validating again: '"
t_ok "... and the relapses" sh -c "jq -r --arg r '$R1' 'select(.body.root_id == \$r) | .body.message' '$T/mm.log' | grep -q 'relapse: the failure is back while recovering'"
t_ok "the new incident's decisions go to its own thread" t_wait 20 sh -c "jq -r --arg r '$R2' 'select(.body.root_id == \$r) | .body.message' '$T/mm.log' | grep -q 'NTA recommended.* · incident \`$I2\`'"
t_is "... never to the first one" "$(jq -r --arg r "$R1" 'select(.body.root_id == $r) | .body.message' "$T/mm.log" | grep -c "$I2")" 0
t_ok "webhook messages about decisions" sh -c "[ \$(jq -r 'select(.path == \"/hooks/incident\" and (.body.props.ntarelay_key | startswith(\"webhook|dec:\"))) | .body.text' '$T/mm.log' | wc -l) -ge 5 ]"
t_is "... every one names its incident" \
	"$(jq -r 'select(.path == "/hooks/incident" and (.body.props.ntarelay_key | startswith("webhook|dec:"))) | .body.text' "$T/mm.log" | grep -vc 'incident `[0-9a-f]\{16\}`')" 0
t_ok "... an assessment's message names the incident it came in" sh -c "jq -r 'select(.path == \"/hooks/incident\" and (.body.props.ntarelay_key | startswith(\"webhook|ev:\"))) | .body.text' '$T/mm.log' | grep -q 'Assessment.* · incident \`$I1\`'"
# the operators of the decision messages that name an unreachable vantage
# point: C's line there says unreachable, nothing else (C has no local
# name on A: its id and the hint of its self-declared name)
jq -r '.body.attachments[]? | select(any(.fields[]?; .title == "Unreachable")) | .fields[] | select(.title == "Operators") | .value' \
	"$T/mm.log" | grep "$(op C | cut -c1-12)" | sed 's/ — .*//' >"$T/unreach.ops"
t_ok "while C was unreachable, the messages said so" test -s "$T/unreach.ops"
t_is "... and never counted C among the failures" "$(sort -u "$T/unreach.ops")" "- \`$(op C | cut -c1-12)\` ~C-root? unreachable"
t_ok "... the text too" sh -c "jq -r 'select(.path == \"/hooks/incident\") | .body.text' '$T/mm.log' | grep -q 'unreachable from \`$(op C | cut -c1-12)\` ~C-root? (no answer to judge: not a failure)'"
t_done
