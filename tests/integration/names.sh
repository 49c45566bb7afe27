#!/bin/sh
# tests/integration/names.sh — operators by local name (issue 15, item 6):
# `ntactl trust pin --name` and `ntactl trust name`; a relay key pinned as
# an operator root is refused, and so is a local name another pin holds;
# a pin without a name shows its self-declared name only as the hint
# ~NAME?. Then a real relay (broker, relay A with a webhook to the stand-in
# Mattermost receiver and the page on) whose trust database names B
# "isp-b" and leaves C unnamed: ntactl status and peers, GET /v1/peers,
# GET /v1/zones/{zone}, the page and the Mattermost decision message show
# "isp-b", and C's id with "~C-root?".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

command -v jq >/dev/null || { echo "1..0 # SKIP jq missing"; exit 0; }
MMRECV="$top_builddir/tests/tools/mmrecv"

for o in A B C; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
op() { fed_keyid "$T/$1/root.pub"; }
short() { op "$1" | cut -c1-16; }
seq_B=100 seq_C=100
prev_B=$(printf '%064d' 0 | tr 0 a) prev_C=$prev_B
DB="$T/A/trust.db"
trust() { "$NTACTL" trust --db "$DB" "$@"; }

# --- the trust database: names, refusals ---------------------------------
t_ok "pin A --name isp-a" trust --net "$FED_NET" pin "$T/A/root.pub" --name isp-a
t_ok "pin B (no name yet)" trust pin "$T/B/root.pub"
t_ok "pin C without a name" sh -c "'$NTACTL' trust --db '$DB' pin '$T/C/root.pub' >'$T/pinC'"
t_ok "... shows the self-declared name as a hint" grep -q "^pinned operator $(op C) ~C-root? (no local name" "$T/pinC"
t_ok "trust name B isp-b (an existing pin gets a name)" trust name "$T/B/root.pub" isp-b
t_ok "import B's relay key certificate" trust import "$T/B/cert"
t_fail "B's relay key pinned as a root: refused, exit 1" 1 trust pin "$T/B/relay.pub" --name isp-x
trust pin "$T/B/relay.pub" 2>"$T/err" >/dev/null
relay_b=$(fed_keyid "$T/B/relay.pub" | cut -c1-16)
t_ok "... with a message naming the operator" grep -q "trust pin: $relay_b is operator isp-b's relay key (certified by its root $(short B) from .* to .*), not an operator root: pin isp-b's root key instead" "$T/err"
t_fail "... and it is not pinned" 1 sh -c "'$NTACTL' trust --db '$DB' list | grep -q '^operator $(fed_keyid "$T/B/relay.pub")'"
t_ok "... and says how to override it after an out-of-band check (--force)" grep -q "pin it with --force" "$T/err"
# Any root may certify any key (a hostile one, an operator's real root):
# --force pins it anyway, in a database of its own here.
F() { "$NTACTL" trust --db "$T/force.db" --net "$FED_NET" "$@"; }
F pin "$T/B/root.pub" >/dev/null && F import "$T/B/cert" >/dev/null
t_fail "a certified key, in another database: refused without --force" 1 F pin "$T/B/relay.pub"
t_ok "... pinned with --force" F pin "$T/B/relay.pub" --force
t_ok "... and listed as an operator there" sh -c "'$NTACTL' trust --db '$T/force.db' list | grep -q '^operator $(fed_keyid "$T/B/relay.pub")'"
t_fail "a second pin under a taken name: refused, exit 1" 1 trust pin "$T/C/root.pub" --name isp-b
trust pin "$T/C/root.pub" --name isp-b 2>"$T/err" >/dev/null
t_ok "... naming the holder" grep -q "local name 'isp-b' is taken: operator $(op B) holds it" "$T/err"
t_fail "trust name to a taken name: exit 1" 1 trust name "$T/C/root.pub" isp-a
t_fail "a bad name: exit 2" 2 trust pin "$T/C/root.pub" --name Bad_Name
t_fail "a name that reads as an id: exit 2" 2 trust name "$T/C/root.pub" deadbeef
t_fail "naming an operator not pinned: exit 1" 1 trust name "$T/A/relay.pub" isp-z
t_ok "list shows local names and the hint" sh -c "'$NTACTL' trust --db '$DB' list >'$T/list' &&
	grep -q '^operator $(op B) isp-b: member' '$T/list' &&
	grep -q '^operator $(op C) ~C-root?: member' '$T/list'"
t_is "list --json: local_name" "$(trust list --json | jq -r ".operators[] | select(.id == \"$(op B)\") | .local_name")" isp-b
t_ok "re-pinning B --name isp-b2 renames it" trust pin "$T/B/root.pub" --name isp-b2
t_ok "... and back" trust name "$T/B/root.pub" isp-b

# --- a relay whose database names B --------------------------------------
t_ok "broker starts" t_mosquitto m
mm_port=$(t_port)
"$MMRECV" --port "$mm_port" --log "$T/mm.log" 2>>"$T/mm.err" &
t_pid "$!"
t_ok "the webhook receiver starts" t_wait 10 curl -fs "http://127.0.0.1:$mm_port/_ctl/count"
FED_EXTRA="status_page yes
mattermost_webhook http://127.0.0.1:$mm_port/hooks/names
mattermost_kinds assessment
mattermost_rate 6000"
t_ok "relay A starts (trust database with names)" fed_relay A m
unset FED_EXTRA
API="http://127.0.0.1:$A_http"

t_ok "B observes names.example. failing" fed_gen B observation names.example.
t_ok "C observes the same failure" fed_gen C observation names.example.
t_ok "B assesses it an accident" fed_gen B assessment names.example.
t_ok "C too" fed_gen C assessment names.example.
nta() { [ "$(curl -fs "$API/v1/zones/names.example." | jq -r .state)" = nta_recommended ]; }
t_ok "the quorum recommends an NTA for names.example." t_wait 30 nta

# /v1/zones/{zone}: names beside the ids, and the list of names
curl -fs "$API/v1/zones/names.example." >"$T/zone.json"
vote_name() { jq -r ".operators[] | select(.vote == \"$(op "$1")\") | .$2" "$T/zone.json"; }
t_is "zone: B's vote has local_name isp-b" "$(vote_name B local_name)" isp-b
t_is "zone: ... and declared_name B-root" "$(vote_name B declared_name)" B-root
t_is "zone: C's vote has no local_name" "$(vote_name C local_name)" null
t_is "zone: C's declared_name" "$(vote_name C declared_name)" C-root
t_is "zone: operator_names names B" "$(jq -r ".operator_names[] | select(.operator == \"$(op B)\") | .local_name" "$T/zone.json")" isp-b
t_ok "zone: the document keeps the golden contract" sh "$top_srcdir/tests/golden/shape.sh" "$T/zone.json"

# /v1/peers
curl -fs "$API/v1/peers" >"$T/peers.json"
peer() { jq -r ".peers[] | select(.operator == \"$(op "$1")\") | .$2" "$T/peers.json"; }
t_is "peers: A's local_name" "$(peer A local_name)" isp-a
t_is "peers: B's local_name" "$(peer B local_name)" isp-b
t_is "peers: C's local_name is null" "$(peer C local_name)" null
t_is "peers: C's declared_name" "$(peer C declared_name)" C-root
t_is "peers: name (self-declared) unchanged" "$(peer B name)" B-root

# ntactl
R="--relay $API"
t_ok "ntactl status ZONE names B" sh -c "'$NTACTL' status names.example. $R >'$T/status' && grep -q '^  isp-b  ' '$T/status'"
t_ok "... and C by id with the hint" grep -q "^  $(short C) ~C-root?  " "$T/status"
t_ok "... --full-ids: the name and the id" sh -c "'$NTACTL' status names.example. $R --full-ids | grep -q '^  isp-b ($(op B))  '"
t_ok "ntactl peers: NAME column" sh -c "'$NTACTL' peers $R >'$T/peers' &&
	grep -q '^$(short B)  isp-b ' '$T/peers' && grep -q '^$(short C)  ~C-root? ' '$T/peers'"
t_ok "... VOTE column by name" grep -q "^$(short B)  isp-b  *isp-b " "$T/peers"
t_ok "ntactl events: the ORIGIN column by name" sh -c "'$NTACTL' events --zone names.example. $R >'$T/events' &&
	grep -q '  isp-b  ' '$T/events'"
t_ok "... C by id and the hint" grep -q "  $(short C) ~C-root?  " "$T/events"
t_is "/v1/events: origin_local_name beside origin" \
	"$(curl -fs "$API/v1/events?zone=names.example." | jq -r --arg op "$(op B)" '[.events[] | select(.origin == $op)][0].origin_local_name')" isp-b

# the page
curl -fs "$API/" >"$T/page.html"
t_ok "page: B by local name, id in the title" grep -q "<code title=\"$(op B)\">isp-b</code>" "$T/page.html"
t_ok "page: C by id and the marked hint" grep -q "<code title=\"$(op C)\">$(op C | cut -c1-12)…</code> <span class=\"hint\" title=\"self-declared, not checked\">~C-root?</span>" "$T/page.html"

# Mattermost: the decision message lists the operators by name
decmsg() { jq -c 'select(.status == 200 and (.body.props.ntarelay_key | startswith("webhook|dec:names.example.:"))) | .body' "$T/mm.log" 2>/dev/null; }
has_ops() { decmsg | jq -r '.attachments[0].fields[]? | select(.title == "Operators") | .value' | grep -q '`isp-b`'; }
t_ok "Mattermost: the decision names B isp-b" t_wait 20 has_ops
t_ok "Mattermost: C by id and the hint ~C-root?" sh -c "jq -c 'select(.status == 200) | .body' '$T/mm.log' |
	jq -r '.attachments[0].fields[]? | select(.title == \"Operators\") | .value' | grep -q '\`$(op C | cut -c1-12)\` ~C-root?'"
evtext() { jq -r 'select(.status == 200) | .body.text' "$T/mm.log" 2>/dev/null | grep -q "$1"; }
t_ok "Mattermost: B's assessment is by isp-b" t_wait 20 evtext '^:memo: \*\*Assessment\*\* of `names.example.` by `isp-b`: '
t_ok "Mattermost: C's by id and the hint" evtext "^:memo: \*\*Assessment\*\* of \`names.example.\` by \`$(op C | cut -c1-12)\` ~C-root?: "

t_done
