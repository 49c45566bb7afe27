#!/bin/sh
# tests/integration/mattermost.sh — Mattermost notifications from a real
# relay: events published on its broker by members (and by a stranger),
# a stand-in Mattermost server (tests/tools/mmrecv) that records every
# request and answers 200, 429, 500, 404 or not at all, as the test says.
#
# Webhook mode: formats field by field; a message per first-seen verified
# event of the selected kinds and per decision change, none for a forged
# event; a burst of 429s, then every message delivered once and in order;
# the receiver down, then the queue drains; a restart with a non-empty
# queue loses nothing; a hung request times out and is retried; a refusal
# (404) is dropped, not retried; the webhook URL never reaches the log.
# Bot mode (REST API v4): one root post per incident, the rest as replies
# in its thread, the root post edited in place as the decision changes.
# The slash command: a wrong or missing token gets 401 and nothing else.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"
FED_LOG_LEVEL=debug
# The root keys sign with evgen here; their key_cert took seq 1 of the
# root's chain: start above it (a gap, which the relay accepts).
seq_A=100 seq_B=100 seq_C=100
prev_A=$(printf '%064d' 0 | tr 0 a) prev_B=$prev_A prev_C=$prev_A

MMRECV="$top_builddir/tests/tools/mmrecv"
command -v jq >/dev/null || { echo "1..0 # SKIP jq missing"; exit 0; }

for o in A B C D; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
FED_OPERATORS="A B C"   # D is a stranger: nobody pins it
op() { fed_keyid "$T/$1/root.pub"; }

t_ok "broker starts" t_mosquitto m

# mm_start NAME PORT [TOKEN]: a recording receiver; NAME_pid is set
mm_start() {
	"$MMRECV" --port "$2" --log "$T/$1.log" ${3:+--token "$3"} 2>>"$T/$1.err" &
	eval "${1}_pid=$!"
	t_pid "$!"
	t_wait 10 curl -fs "http://127.0.0.1:$2/_ctl/count"
}
mm_port=$(t_port)
t_ok "the webhook receiver starts" mm_start mm "$mm_port"
# mode STATUS [COUNT [RETRY_AFTER]]
mode() { curl -fs "http://127.0.0.1:$mm_port/_ctl/mode?status=$1${2:+&count=$2}${3:+&retry_after=$3}" >/dev/null; }

HOOK="http://127.0.0.1:$mm_port/hooks/hooksecret4f9a0c2e7b1d"
FED_EXTRA="mattermost_webhook $HOOK
mattermost_rate 6000
mattermost_username ntarelay-test
mattermost_icon_url https://relay-a.example.net/icon.png
public_url https://relay-a.example.net/
mattermost_kinds assessment,zone_statement,withdraw
quorum 3
quorum_evidence 2"
t_ok "relay A starts with a webhook (quorum 3, quorum_evidence 2)" fed_relay A m
unset FED_EXTRA
ntarelayd_t() { "$NTARELAYD" -c "$T/A/ntarelay.conf" -t; }
t_ok "ntarelayd -t accepts the mattermost keys" ntarelayd_t

# gen OPERATOR KIND ZONE COUNT [evgen options]: events signed with the
# operator's root key, continuing its chain, published on the broker
gen() {
	_o=$1 _k=$2 _z=$3 _n=$4
	shift 4
	eval "_seq=\${seq_$_o:-1} _prev=\${prev_$_o:-}"
	"$EVGEN" --key "$T/$_o/root.key" --origin "$(op "$_o")" --net "$FED_NET" \
		--kind "$_k" --zone "$_z" --count "$_n" --seq "$_seq" \
		${_prev:+--prev "$_prev"} --publish "127.0.0.1:$m_port" "$@" \
		2>"$T/gen.err" >/dev/null || return 1
	_last=$(sed -n 's/^last //p' "$T/gen.err")
	eval "seq_$_o=$(( ${_last% *} + 1 )) prev_$_o=${_last#* }"
}
# ids ZONE: ids of A's stored assessments of ZONE, in chain order
ids() { curl -fs "http://127.0.0.1:$A_http/v1/events?zone=$1&kind=assessment&limit=1000" |
	jq -r '.events | sort_by(.origin, .seq) | .[].id'; }
# delivered [LOG]: the keys of the messages answered 200, in order
delivered() { jq -r 'select(.status == 200 or .status == 201) | .body.props.ntarelay_key' "$T/${1:-mm}.log"; }
requests() { jq -s 'length' "$T/${1:-mm}.log"; }
expected() { for i in $(ids "$1"); do echo "webhook|ev:$i"; done; }
in_order() { [ "$(delivered | grep -F -x -f "$T/want")" = "$(cat "$T/want")" ]; }
once_each() { [ -z "$(delivered | grep -F -x -f "$T/want" | sort | uniq -d)" ] &&
	[ "$(delivered | grep -F -x -f "$T/want" | sort -u | wc -l)" = "$(wc -l <"$T/want")" ]; }
all_delivered() { [ "$(delivered | grep -F -x -f "$T/want" | sort -u | wc -l)" = "$1" ]; }
metric() { fed_metric A "$1"; }
# has FILTER [FILE]: some JSON line of FILE (or stdin) matches (jq 1.6's -e
# looks at the last line only); jq sees $ENV for variables
has() { [ -n "$(jq -c "select($1)" ${2:+"$2"} 2>/dev/null | head -n 1)" ]; }

# --- one assessment: one message, field by field ---------------------------
t_ok "C's assessment is published" gen C assessment one.example. 1 --note 'signer bug: `@channel` <b>'
t_ok "A stores it" t_wait 20 sh -c "[ -n \"\$(curl -fs 'http://127.0.0.1:$A_http/v1/events?zone=one.example.&kind=assessment' | jq -r '.events[0].id // empty')\" ]"
id1=$(ids one.example.)
echo "webhook|ev:$id1" >"$T/want"
t_ok "the webhook receives one message for it" t_wait 20 all_delivered 1
msg() { jq -c --arg k "webhook|ev:$id1" 'select(.body.props.ntarelay_key == $k)' "$T/mm.log" | head -1; }
m=$(msg)
t_is "POST" "$(printf "%s\n" "$m" | jq -r .method)" POST
t_is "to the hook's path" "$(printf "%s\n" "$m" | jq -r .path)" /hooks/hooksecret4f9a0c2e7b1d
t_is "Content-Type: application/json" "$(printf "%s\n" "$m" | jq -r .content_type)" application/json
t_is "no Expect: 100-continue" "$(printf "%s\n" "$m" | jq -r '.expect // "none"')" none
ua_ok() { printf "%s\n" "$m" | has '.user_agent | startswith("ntarelay/")'; }
t_ok "User-Agent names ntarelay" ua_ok
t_is "only members Mattermost documents for webhooks" \
	"$(printf "%s\n" "$m" | jq -c '.body | keys - ["text","channel","username","icon_url","icon_emoji","attachments","type","props","priority"]')" '[]'
t_is "text" "$(printf "%s\n" "$m" | jq -r .body.text)" ":memo: **Assessment** of \`one.example.\` by \`$(op C | cut -c1-12)\` ~C-root?: accident, recommends an NTA for 1 h"
t_is "username" "$(printf "%s\n" "$m" | jq -r .body.username)" ntarelay-test
t_is "icon_url" "$(printf "%s\n" "$m" | jq -r .body.icon_url)" https://relay-a.example.net/icon.png
t_is "no channel override" "$(printf "%s\n" "$m" | jq -r '.body | has("channel")')" false
t_is "one attachment" "$(printf "%s\n" "$m" | jq '.body.attachments | length')" 1
t_is "attachment members as documented" \
	"$(printf "%s\n" "$m" | jq -c '.body.attachments[0] | keys - ["fallback","color","pretext","author_name","author_link","author_icon","title","title_link","text","fields","image_url","thumb_url","footer","footer_icon","ts"]')" '[]'
t_is "fallback" "$(printf "%s\n" "$m" | jq -r '.body.attachments[0].fallback')" "Assessment of one.example. by $(op C | cut -c1-12)"
t_is "colour" "$(printf "%s\n" "$m" | jq -r '.body.attachments[0].color')" "#EF6C00"
t_is "title" "$(printf "%s\n" "$m" | jq -r '.body.attachments[0].title')" "Assessment of one.example."
t_is "title_link: the signed envelope under public_url" "$(printf "%s\n" "$m" | jq -r '.body.attachments[0].title_link')" \
	"https://relay-a.example.net/v1/events/$id1"
t_is "fields: title, value, short" "$(printf "%s\n" "$m" | jq -c '[.body.attachments[0].fields[] | keys] | unique')" '[["short","title","value"]]'
t_is "field titles" "$(printf "%s\n" "$m" | jq -c '[.body.attachments[0].fields[].title]')" \
	'["Operator","Verdict","Recommends an NTA","Note","Event","Signed"]'
t_is "the note is shown as code, defused" "$(printf "%s\n" "$m" | jq -r '.body.attachments[0].fields[] | select(.title == "Note") | .value')" \
	"\`signer bug: '@channel' <b>\`"
t_is "ts is the event's" "$(printf "%s\n" "$m" | jq '.body.attachments[0].ts | type')" '"number"'
t_is "props.ntarelay_key" "$(printf "%s\n" "$m" | jq -r '.body.props.ntarelay_key')" "webhook|ev:$id1"
t_is "the receiver answered 200 ok" "$(printf "%s\n" "$m" | jq -r .status)" 200
t_ok "sent counter" t_wait 5 sh -c "[ \"\$(curl -fs http://127.0.0.1:$A_http/metrics | awk '/^ntarelay_notify_sent_total/ {print \$NF}')\" -ge 1 ]"

# --- nothing for a forged event or a stranger's ----------------------------
before=$(requests)
"$EVGEN" --key "$T/D/root.key" --origin "$(op D)" --net "$FED_NET" --kind assessment \
	--zone one.example. --publish "127.0.0.1:$m_port" 2>/dev/null >/dev/null
sig=$(head -c 64 /dev/urandom | base64 -w0)
"$EVGEN" --key "$T/C/root.key" --origin "$(op C)" --net "$FED_NET" --kind assessment \
	--zone one.example. --seq 90000 --prev "$prev_C" 2>/dev/null |
	sed "s|\"sig\":\"[^\"]*\"|\"sig\":\"$sig\"|" |
	mosquitto_pub -h 127.0.0.1 -p "$m_port" -q 1 -t "ntarelay/v1/$FED_NET/asm/one.example./$(op C)" -s
rejected() { [ "$(metric "ntarelay_events_rejected_total{reason=\"$1\"}")" -ge 1 ]; }
t_ok "A rejects the stranger's assessment" t_wait 20 rejected unknown_key
t_ok "A rejects the forged signature" t_wait 20 rejected bad_signature
sleep 1
t_is "no message for either" "$(requests)" "$before"

# --- a decision change: the quorum forms ------------------------------------
t_ok "B observes a failure of quorum.example." gen B observation quorum.example. 1
t_ok "C observes the same failure" gen C observation quorum.example. 1
t_ok "B assesses it an accident, recommending an NTA" gen B assessment quorum.example. 1
t_ok "C too" gen C assessment quorum.example. 1
t_ok "A too: three, the quorum" gen A assessment quorum.example. 1
state() { curl -fs "http://127.0.0.1:$A_http/v1/zones/$1" | jq -r .state; }
t_ok "A's decision for quorum.example. is nta_recommended" t_wait 20 sh -c \
	"[ \"\$(curl -fs http://127.0.0.1:$A_http/v1/zones/quorum.example. | jq -r .state)\" = nta_recommended ]"
decmsg() { jq -c 'select(.status == 200 and (.body.props.ntarelay_key | startswith("webhook|dec:quorum.example.:"))) | .body' "$T/mm.log"; }
has_nta_msg() { decmsg | has '.attachments[0].title == "quorum.example. — NTA recommended"'; }
t_ok "a message for the decision change" t_wait 20 has_nta_msg
d=$(decmsg | jq -c 'select(.attachments[0].title == "quorum.example. — NTA recommended")' | head -1)
dec=$(curl -fs "http://127.0.0.1:$A_http/v1/zones/quorum.example." | jq -r .decision_event)
dec_text() { printf "%s\n" "$d" | jq -r .text | grep -q '^:rotating_light: `quorum.example.`: \*\*NTA recommended\*\* (was: '; }
t_ok "its text names the new and the old state" dec_text
t_is "its colour" "$(printf "%s\n" "$d" | jq -r '.attachments[0].color')" "#EF6C00"
t_is "its link: the signed decision" "$(printf "%s\n" "$d" | jq -r '.attachments[0].title_link')" \
	"https://relay-a.example.net/v1/events/$dec"
t_is "its fields" "$(printf "%s\n" "$d" | jq -c '[.attachments[0].fields[].title]')" \
	'["State","Since","Quorum","NTA until","NTA lifetime","Evidence (failure fingerprints)","Operators"]'
# quorum 3 and quorum_evidence 2 differ: printing one in the other's place
# shows here
t_is "the quorum (3) and the evidence needed (2), each in its place" \
	"$(printf "%s\n" "$d" | jq -r '.attachments[0].fields[] | select(.title == "Quorum") | .value')" \
	"3 operators recommend an NTA (quorum 3); 2 observe one failure (2 needed)"
dec_counts() { printf "%s\n" "$d" | jq -r .text | grep -q ' — 3 operators recommend an NTA (quorum 3); 2 observe one failure (2 needed); NTA until '; }
t_ok "... in its text too" dec_counts
dec_ops() { printf "%s\n" "$d" | jq -r '.attachments[0].fields[] | select(.title == "Operators") | .value' >"$T/ops" &&
	grep -q "$(op B | cut -c1-12)" "$T/ops" && grep -q "$(op C | cut -c1-12)" "$T/ops"; }
t_ok "the operators that count are listed" dec_ops
dec_card() { printf "%s\n" "$d" | jq -r .props.card | grep -q 'Operators that count'; }
t_ok "props.card tells the zone in detail" dec_card
t_is "one message per decision change, not per re-evaluation" \
	"$(jq -r 'select(.status == 200) | .body.props.ntarelay_key' "$T/mm.log" | grep '|dec:' | sort | uniq -d)" ""

# --- a burst of 429s, then every message once and in order -------------------
t_ok "the receiver answers the next 5 requests 429, Retry-After 1" mode 429 5 1
t_ok "C publishes 10 assessments" gen C assessment burst.example. 10
t_ok "A stores the 10" t_wait 20 sh -c "[ \"\$(curl -fs 'http://127.0.0.1:$A_http/v1/events?zone=burst.example.&kind=assessment' | jq '.count')\" = 10 ]"
expected burst.example. >"$T/want"
t_ok "all 10 delivered" t_wait 60 all_delivered 10
t_ok "each exactly once" once_each
t_ok "in the order they were stored" in_order
t_is "the receiver answered 429 five times" "$(jq -s '[.[] | select(.status == 429)] | length' "$T/mm.log")" 5
gap=$(jq -s '[.[] | select(.status == 429 or .status == 200) | {s: .status, t}] | . as $a |
	[range(1; length) | select($a[. - 1].s == 429) | $a[.].t - $a[. - 1].t] | min' "$T/mm.log")
t_ok "Retry-After honoured (${gap} ms between a 429 and the next attempt)" test "$gap" -ge 900
t_ok "retries counted" sh -c "[ \"\$(curl -fs http://127.0.0.1:$A_http/metrics | awk '/^ntarelay_notify_retried_total/ {print \$NF}')\" -ge 5 ]"

# --- the receiver down for a while, then the queue drains -------------------
kill "$mm_pid"; wait "$mm_pid" 2>/dev/null
t_ok "C publishes 5 assessments while the receiver is down" gen C assessment down.example. 5
depth() { [ "$(metric ntarelay_notify_queue_depth)" -ge "$1" ]; }
t_ok "they wait in the queue" t_wait 20 depth 5
t_ok "A retries (connection refused)" t_wait 20 sh -c "grep -q 'mattermost webhook: POST (webhook): .*retried in' '$T/A/relay.log'"
sleep 3
t_ok "the receiver is back on its port" mm_start mm "$mm_port"
expected down.example. >"$T/want"
t_ok "the queue drains: all 5 delivered" t_wait 60 all_delivered 5
t_ok "once each" once_each
t_ok "in order" in_order
t_ok "queue depth back to 0" t_wait 10 sh -c "[ \"\$(curl -fs http://127.0.0.1:$A_http/metrics | awk '/^ntarelay_notify_queue_depth/ {print \$NF}')\" = 0 ]"

# --- a restart with a non-empty queue loses nothing --------------------------
t_ok "the receiver answers 500 until told otherwise" mode 500
t_ok "C publishes 5 assessments" gen C assessment restart.example. 5
t_ok "they wait in the queue" t_wait 20 depth 5
t_ok "relay A stops" fed_stop_relay A
t_ok "the receiver answers 200 again" mode ok
t_ok "relay A restarts" fed_start_relay A
expected restart.example. >"$T/want"
t_ok "after the restart all 5 are delivered" t_wait 60 all_delivered 5
t_ok "once each" once_each
t_ok "in order" in_order

# --- a request that hangs times out and is retried ---------------------------
t_ok "the receiver holds the next request without answering" mode hang 1
t_ok "C publishes an assessment" gen C assessment hang.example. 1
expected hang.example. >"$T/want"
t_ok "delivered after the timeout and a retry" t_wait 60 all_delivered 1
t_is "two requests: one hung, one answered" \
	"$(jq -r --arg k "$(cat "$T/want")" 'select(.body.props.ntarelay_key == $k) | .status' "$T/mm.log" | tr '\n' ' ')" "0 200 "

# --- a refusal (404) is dropped and logged, not retried ----------------------
dropped0=$(metric ntarelay_notify_dropped_total)
t_ok "the receiver refuses the next request with 404" mode 404 1
t_ok "C publishes two assessments" gen C assessment drop.example. 2
expected drop.example. >"$T/want"
t_ok "the second is delivered" t_wait 30 all_delivered 1
t_is "the first was tried once, and dropped" \
	"$(jq -r --arg k "$(head -1 "$T/want")" 'select(.body.props.ntarelay_key == $k) | .status' "$T/mm.log" | tr '\n' ' ')" "404 "
t_is "dropped counted" "$(metric ntarelay_notify_dropped_total)" "$((dropped0 + 1))"
t_ok "the drop is logged" grep -q 'mattermost webhook: POST (webhook): HTTP 404 .*dropped' "$T/A/relay.log"

# --- a full queue drops its oldest; the rate limit spaces the messages -------
t_ok "relay A stops" fed_stop_relay A
printf 'mattermost_queue_max 10\n' >>"$T/A/ntarelay.conf"
sed -i 's/^mattermost_rate .*/mattermost_rate 60/' "$T/A/ntarelay.conf"
t_ok "the receiver answers 500 until told otherwise" mode 500
t_ok "relay A restarts with mattermost_queue_max 10, mattermost_rate 60" fed_start_relay A
dropped0=$(metric ntarelay_notify_dropped_total)
t_ok "C publishes 15 assessments" gen C assessment full.example. 15
t_ok "A stores the 15" t_wait 20 sh -c "[ \"\$(curl -fs 'http://127.0.0.1:$A_http/v1/events?zone=full.example.&kind=assessment' | jq '.count')\" = 15 ]"
t_ok "the queue holds 10" t_wait 10 sh -c "[ \"\$(curl -fs http://127.0.0.1:$A_http/metrics | awk '/^ntarelay_notify_queue_depth/ {print \$NF}')\" = 10 ]"
# what A queued for full.example., in order (its debug log): the 15
# events and the decision changes they caused
queued_full() { expected full.example. >"$T/full.ev"
	sed -n 's/.*debug: mattermost: queued \(webhook|.*\)$/\1/p' "$T/A/relay.log" |
	grep -F -f "$T/full.ev" -e 'webhook|dec:full.example.:'; }
nq=$(queued_full | wc -l)
t_ok "A queued the 15 events (and $((nq - 15)) decision changes)" test "$nq" -ge 15
t_is "the $((nq - 10)) oldest dropped, counted" "$(metric ntarelay_notify_dropped_total)" "$((dropped0 + nq - 10))"
t_ok "... and logged" grep -q 'mattermost: queue full (mattermost_queue_max 10): dropped the oldest message' "$T/A/relay.log"
t_ok "the receiver answers 200 again" mode ok
queued_full | tail -n 10 >"$T/want"
t_ok "the 10 newest are delivered" t_wait 60 all_delivered 10
t_ok "once each" once_each
t_ok "in order" in_order
queued_full | head -n "$((nq - 10))" >"$T/old"
t_is "the oldest never are" "$(delivered | grep -c -F -x -f "$T/old")" 0
sleep 11   # the bucket fills up again (10 messages)
t_ok "C publishes 9 assessments" gen C assessment rate.example. 9
expected rate.example. >"$T/want"
t_ok "the 9 are delivered at once (with a decision change: the burst of 10)" t_wait 10 all_delivered 9
t_ok "C publishes 6 more" gen C assessment rate.example. 6
expected rate.example. >"$T/want"
t_ok "all 15 delivered" t_wait 60 all_delivered 15
t_ok "in order" in_order
# times of the deliveries, in ms: 10 at once (the burst), then one a second
dtimes() { jq -r --slurpfile w "$T/want.json" 'select(.status == 200 and ([.body.props.ntarelay_key] | inside($w[0]))) | .t' "$T/mm.log"; }
jq -R . "$T/want" | jq -s . >"$T/want.json"
span=$(dtimes | sed -n '10p;15p' | tr '\n' ' ' | awk '{print $2 - $1}')
t_ok "the last 5 are spaced by the rate limit (${span} ms after the 10th)" test "$span" -ge 4500

t_ok "the webhook's secret never reaches the log" sh -c "! grep -q hooksecret '$T/A/relay.log'"

# --- the slash command --------------------------------------------------------
slash_token=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
printf '%s\n' "$slash_token" >"$T/slash.token"
chmod 600 "$T/slash.token"
mm2_port=$(t_port)
bot_token=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
printf '%s\n' "$bot_token" >"$T/bot.token"
chmod 600 "$T/bot.token"
t_ok "the bot API receiver starts" mm_start bot "$mm2_port" "$bot_token"
FED_EXTRA="mattermost_url http://127.0.0.1:$mm2_port
mattermost_token_file $T/bot.token
mattermost_channel abcdefghijkmnopqrstuvwxyz1
mattermost_slash_token_file $T/slash.token
mattermost_rate 6000"
t_ok "relay B starts in bot mode with a slash command" fed_relay B m
unset FED_EXTRA
ntarelayd_tB() { "$NTARELAYD" -c "$T/B/ntarelay.conf" -t; }
t_ok "ntarelayd -t accepts the token files" ntarelayd_tB
chmod 644 "$T/bot.token"
t_fail "ntarelayd -t refuses a token file others can read" 1 ntarelayd_tB
cp "$T/.out" "$T/check.out"
t_ok "... naming the key and the rule" grep -q "mattermost_token_file: $T/bot.token: permissions 0644 are too open" "$T/check.out"
t_ok "... never the token" sh -c "! grep -qF -- '$bot_token' '$T/check.out'"
chmod 640 "$T/bot.token"
slash() { curl -s -o "$T/slash.out" -w '%{http_code}' -H 'Content-Type: application/x-www-form-urlencoded' \
	--data "$1" "http://127.0.0.1:$B_http/v1/mattermost/slash"; }
form="team_id=t1&team_domain=ops&channel_id=abcdefghijkmnopqrstuvwxyz1&channel_name=dns&user_id=u1&user_name=jo&command=%2Fnta&response_url=http%3A%2F%2F127.0.0.1%3A1%2Fx&trigger_id=x"
if [ "$(slash "token=x&$form&text=help")" = 404 ] && grep -q 'no slash command here\|no such path' "$T/slash.out"; then
	echo "ok - # SKIP the slash command is not wired into the HTTP API yet"
	_t_n=$((_t_n + 1))
else
	t_is "a wrong token: 401" "$(slash "token=wrong&$form&text=status")" 401
	t_is "... and nothing else" "$(jq -c . "$T/slash.out")" '{"error":"unauthorized","message":"missing or wrong token"}'
	t_is "no token: 401" "$(slash "$form&text=status")" 401
	t_is "the token twice: 401" "$(slash "token=$slash_token&token=x&$form&text=status")" 401
	t_is "not a form: 415" "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data '{}' "http://127.0.0.1:$B_http/v1/mattermost/slash")" 415
	t_is "the right token: 200" "$(slash "token=$slash_token&$form&text=status")" 200
	t_is "ephemeral by default" "$(jq -r .response_type "$T/slash.out")" ephemeral
	t_ok "a markdown table of the zones in incident" grep -q '| Zone | State |' "$T/slash.out"
	t_ok "quorum.example. in it" grep -q 'quorum.example.' "$T/slash.out"
	t_is "status ZONE --public: 200" "$(slash "token=$slash_token&$form&text=status+quorum.example+--public")" 200
	t_is "... in_channel" "$(jq -r .response_type "$T/slash.out")" in_channel
	t_ok "... the zone in detail" sh -c "jq -r .text '$T/slash.out' | grep -q '^#### .* \`quorum.example.\` — '"
	t_is "peers: 200" "$(slash "token=$slash_token&$form&text=peers")" 200
	t_ok "... a table of operators" sh -c "jq -r .text '$T/slash.out' | grep -q '$(op B | cut -c1-12)'"
	t_is "help" "$(slash "token=$slash_token&$form&text=help" && jq -r .response_type "$T/slash.out")" 200ephemeral
	t_is "a bad zone name is answered, not an error" "$(slash "token=$slash_token&$form&text=status+bad..zone")" 200
	t_ok "refusals counted" sh -c "[ \"\$(curl -fs http://127.0.0.1:$B_http/metrics | awk '/^ntarelay_slash_requests_total\\{result=\"unauthorized\"\\}/ {print \$NF}')\" -ge 3 ]"
	t_ok "the slash token never reaches the log" sh -c "! grep -qF -- '$slash_token' '$T/B/relay.log'"
fi

# --- bot mode: one thread per incident, the root post edited in place ---------
t_ok "C assesses bot.example." gen C assessment bot.example. 1
posts() { jq -c 'select(.path == "/api/v4/posts" and .method == "POST" and .status == 201)' "$T/bot.log"; }
bot_root() { has '.method == "POST" and .status == 201 and (.body.root_id // "") == "" and (.body.message | test("Incident `bot.example.`"))' "$T/bot.log"; }
bot_reply() { has '.method == "POST" and .status == 201 and (.body.root_id // "") != "" and (.body.message | test("Assessment.* of `bot.example.`"))' "$T/bot.log"; }
t_ok "B creates a root post for the incident" t_wait 20 bot_root
t_ok "... and replies in its thread" t_wait 20 bot_reply
rootid=$(sqlite3 "file:$T/B/store.db?mode=ro" "SELECT post_id FROM notify_incidents WHERE zone = 'bot.example.'")
t_ok "B remembers the root post's id in its store" test -n "$rootid"
t_is "the reply is in the root's thread" \
	"$(jq -r 'select(.method == "POST" and .status == 201 and (.body.message | test("Assessment.* of `bot.example.`"))) | .body.root_id' "$T/bot.log" | head -1)" "$rootid"
t_is "every request carries the bot token" \
	"$(jq -r '.authorization' "$T/bot.log" | sort -u)" "Bearer $bot_token"
t_is "posts go to the configured channel" "$(jq -r '.body.channel_id // empty' "$T/bot.log" | sort -u)" abcdefghijkmnopqrstuvwxyz1
t_is "post bodies as REST API v4 documents them" \
	"$(jq -c 'select(.method == "POST") | .body | keys - ["channel_id","message","root_id","file_ids","props","metadata"]' "$T/bot.log" | sort -u)" '[]'
t_ok "C's second assessment is another reply in the thread" gen C assessment bot.example. 1
t_ok "... delivered" t_wait 20 sh -c "[ \"\$(jq -s --arg r '$rootid' '[.[] | select(.body.root_id == \$r and .status == 201)] | length' '$T/bot.log')\" -ge 2 ]"
t_ok "B observes bot.example. failing" gen B observation bot.example. 1
t_ok "C observes the same" gen C observation bot.example. 1
t_ok "B assesses it an accident too" gen B assessment bot.example. 1
export rootid
bot_put() { has '.method == "PUT" and .path == "/api/v4/posts/" + $ENV.rootid and .status == 200' "$T/bot.log"; }
t_ok "the decision changes: B edits the root post in place" t_wait 30 bot_put
bot_put_nta() { has '.method == "PUT" and .path == "/api/v4/posts/" + $ENV.rootid and .status == 200 and (.body.message | contains("— NTA recommended"))' "$T/bot.log"; }
t_ok "... up to NTA recommended" t_wait 30 bot_put_nta
put=$(jq -c --arg p "/api/v4/posts/$rootid" 'select(.method == "PUT" and .path == $p and .status == 200) | .body' "$T/bot.log" | tail -1)
t_is "the edit names the post" "$(printf "%s\n" "$put" | jq -r .id)" "$rootid"
t_is "the edit has only id, message, props" "$(printf "%s\n" "$put" | jq -c 'keys')" '["id","message","props"]'
put_state() { printf "%s\n" "$put" | jq -r .message | grep -q 'Incident `bot.example.` — NTA recommended'; }
t_ok "the edited root post tells the new state" put_state
bot_change() { has '.body.root_id == $ENV.rootid and (.body.message | contains("(was: "))' "$T/bot.log"; }
t_ok "the decision change is also told in the thread" t_wait 20 bot_change
t_is "one root post for the incident" "$(jq -s '[.[] | select(.method == "POST" and (.body.root_id // "") == "" and (.body.message | test("Incident `bot.example.`")))] | length' "$T/bot.log")" 1
# someone deleted the root post: the next edit gets 404, and B makes a new one
t_ok "B's queue is empty" t_wait 30 sh -c "[ \"\$(curl -fs http://127.0.0.1:$B_http/metrics | awk '/^ntarelay_notify_queue_depth/ {print \$NF}')\" = 0 ]"
t_ok "the bot API answers the next request 404 (the root post is gone)" \
	curl -fs "http://127.0.0.1:$mm2_port/_ctl/mode?status=404&count=1"
t_ok "A observes bot.example. failing too: the decision changes" gen A observation bot.example. 1
new_root() { [ "$(sqlite3 "file:$T/B/store.db?mode=ro" "SELECT post_id FROM notify_incidents WHERE zone = 'bot.example.'")" != "$rootid" ]; }
t_ok "B makes a new root post for the incident" t_wait 30 new_root
newid=$(sqlite3 "file:$T/B/store.db?mode=ro" "SELECT post_id FROM notify_incidents WHERE zone = 'bot.example.'")
t_ok "... after the edit got 404" grep -q "incident [0-9]*: its root post is gone: a new one is made" "$T/B/relay.log"
export newid
reply_new() { has '.body.root_id == $ENV.newid and (.body.message | contains("(updated)"))' "$T/bot.log"; }
t_ok "the decision change goes to the new thread" t_wait 20 reply_new
t_ok "the bot token never reaches the log" sh -c "! grep -qF -- '$bot_token' '$T/B/relay.log'"

t_done
