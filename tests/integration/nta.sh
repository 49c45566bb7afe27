#!/bin/sh
# tests/integration/nta.sh — `ntactl nta sync | watch | list` against real
# resolvers on 127.0.0.1: a validating unbound (and named, pdns_recursor,
# kresd when installed) in front of the signed test hierarchy served by NSD
# (testbed.sh), the relay's GET /v1/zones answered by a small HTTP server
# (tests/tools/ntahttpd.pl) from fixture files the test writes.
#
# Rules covered (ntactl(1), NTA SYNC): add + flush when recommended, the
# zone answers without AD; remove + flush when the decision goes (SERVFAIL
# again); a reload that dropped the NTAs is drift, re-added; a foreign NTA
# is reported and never removed (exit 1); relay down or a malformed answer
# changes nothing (exit 2) except removing NTAs whose recorded until passed;
# lifetime capped at 7 days and by --max-lifetime; never the root; renewal;
# the state file; the exec driver's environment; --dry-run; watch; a held
# recommendation (phase recovering) keeps the NTA; a relay that has not
# caught up (syncing) changes nothing; and end to end, the same through a
# real two-relay federation's GET /v1/zones.
. "$(dirname "$0")/lib.sh"

NTACTL="${NTACTL:-$top_builddir/client/ntactl}"

for tool in nsd unbound unbound-control ldns-keygen ldns-signzone dig jq perl; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool not installed"
		exit 0
	fi
done

. "$top_srcdir/tests/integration/testbed.sh"

# ---------------------------------------------------------------- helpers

# A relay's GET /v1/zones, served from $T/relay/body.
relay_port=$(t_port)
mkdir -p "$T/relay"
relay_start() {
	perl "$top_srcdir/tests/tools/ntahttpd.pl" "$relay_port" "$T/relay" &
	relay_pid=$!
	t_pid "$relay_pid"
	t_wait 10 sh -c "grep -q ':$(printf '%04X' "$relay_port") 00000000:0000 0A' /proc/net/tcp && kill -0 $relay_pid"
}
relay_stop() {
	kill "$relay_pid" 2>/dev/null
	wait "$relay_pid" 2>/dev/null
}
RELAY="http://127.0.0.1:$relay_port"
OPID=$(printf '%064d' 0 | tr 0 a)

# rec ZONE [LIFETIME [LEFT]]: a nta_recommended decision (nta_until = now + LEFT)
rec() {
	_n=$(date +%s)
	# the answer's "now" is this one: a second ticking in between must not
	# shorten the lifetime the drivers are given
	[ -f "$T/rec.now" ] || echo "$_n" >"$T/rec.now"
	printf '{"zone":"%s","state":"nta_recommended","since":%s,"changed":%s,"lifetime":%s,"nta_until":%s,"fingerprints":["%s"],"veto":null,"recommending":3,"observing":4,"quorum":3,"reason":"3 of 3 operators recommend an NTA","future_member":{"x":1}}' \
	    "$1" "$_n" "$_n" "${2:-86400}" "$((_n + ${3:-${2:-86400}}))" "$(printf '%064d' 0 | tr 0 5)"
}
# other ZONE STATE: a decision that is not a recommendation
other() {
	_n=$(date +%s)
	printf '{"zone":"%s","state":"%s","since":%s,"changed":%s,"lifetime":null,"nta_until":null,"fingerprints":[{"fingerprint":"%s","operators":2}],"veto":{"origin":"%s","event":"%s","reason":"x"},"recommending":0,"observing":2,"quorum":3,"reason":"-"}' \
	    "$1" "$2" "$_n" "$_n" "$(printf '%064d' 0 | tr 0 6)" "$OPID" "$OPID"
}
# answer DECISION...: the relay's answer becomes these decisions
answer() {
	_z=""
	for _d in "$@"; do _z="$_z${_z:+,}$_d"; done
	_now=$(cat "$T/rec.now" 2>/dev/null || date +%s)
	rm -f "$T/rec.now"
	printf '{"now":%s,"relay":"%s","count":%s,"zones":[%s]}\n' \
	    "$_now" "$OPID" "$#" "$_z" >"$T/relay/body.tmp"
	mv "$T/relay/body.tmp" "$T/relay/body"
}
# raw TEXT: the relay answers exactly TEXT
raw() { printf '%s' "$1" >"$T/relay/body.tmp"; mv "$T/relay/body.tmp" "$T/relay/body"; }

# dq PORT NAME: "STATUS ad|noad" of a query through a resolver
dq() { tb_dig "$@"; }

# unbound, validating, forwarding everything to NSD (testbed.sh)
ub_start() { tb_unbound ub nsd; }
UBC="unbound-control -c $TB/ub/unbound.conf"
ub_ntas() { $UBC list_insecure | sort | tr '\n' ' ' | sed 's/ $//'; }

ST="$T/state.json"
# sync ARGS...: one pass with the unbound driver; stdout $T/out, stderr
# $T/err, exit status $T/rc (and returned)
sync_ub() {
	"$NTACTL" nta sync --driver unbound --control-config "$TB/ub/unbound.conf" \
	    --relay "$RELAY" --state "$ST" "$@" >"$T/out" 2>"$T/err"
	_rc=$?
	echo "$_rc" >"$T/rc"
	return "$_rc"
}
rc() { cat "$T/rc"; }
js() { jq -r "$1" "$T/out" 2>/dev/null; }
stj() { jq -r "$1" "$ST" 2>/dev/null; }

# ---------------------------------------------------------------- setup

t_ok "build the signed hierarchy" tb_build
t_ok "start NSD" tb_nsd nsd
t_ok "start unbound" ub_start
t_ok "start the relay stand-in" relay_start
t_is "through unbound, www.good. is secure" "$(dq "$ub_port" www.good.)" "NOERROR ad"
t_is "through unbound, www.expired. fails" "$(dq "$ub_port" www.expired.)" "SERVFAIL noad"

# ---------------------------------------------------------------- usage

t_ok "ntactl nta --help" "$NTACTL" nta --help
t_ok "ntactl nta sync --help" "$NTACTL" nta sync --help
t_fail "sync without --driver: exit 2" 2 "$NTACTL" nta sync --relay "$RELAY" --state "$ST"
t_fail "sync with an unknown driver: exit 2" 2 "$NTACTL" nta sync --driver nsd --state "$ST"
t_fail "an option of another driver: exit 2" 2 "$NTACTL" nta sync --driver unbound --rndc /bin/true --state "$ST"
t_fail "--interval is for watch: exit 2" 2 "$NTACTL" nta sync --driver unbound --interval 5 --state "$ST"
t_fail "--max-lifetime over 7 days: exit 2" 2 "$NTACTL" nta sync --driver unbound --max-lifetime 8d --state "$ST"
t_fail "exec without --exec: exit 2" 2 "$NTACTL" nta sync --driver exec --state "$ST"
t_fail "knot without --control-socket: exit 2" 2 "$NTACTL" nta sync --driver knot --state "$ST"
t_fail "unknown subcommand: exit 2" 2 "$NTACTL" nta frob
t_fail "a relay URL that is not http(s): exit 2" 2 "$NTACTL" nta sync --driver unbound --relay "file://$T/x" --state "$ST"
printf 'secret\n' >"$T/open-token"
chmod 644 "$T/open-token"
t_fail "a token file others may read: exit 2" 2 "$NTACTL" nta sync --driver unbound --token-file "$T/open-token" --relay "$RELAY" --state "$ST"
t_fail "watch with a bad --interval: exit 2" 2 "$NTACTL" nta watch --driver unbound --interval 0 --state "$ST"

# ---------------------------------------------------------------- add

answer "$(rec expired.)" "$(other zskroll. observed)"
sync_ub --dry-run
t_is "dry run: exit 0" "$(rc)" 0
t_ok "dry run: prints the driver commands" grep -q "would add expired. for 86400 s" "$T/out"
t_ok "dry run: ... insecure_add then flush_zone" sh -c "grep -q 'unbound-control -c $TB/ub/unbound.conf insecure_add expired.' '$T/out' && grep -q 'flush_zone expired.' '$T/out'"
t_ok "dry run: no state file written" test ! -e "$ST"
t_ok "dry run: no lock file either" test ! -e "$ST.lock"
t_is "dry run: unbound unchanged" "$(ub_ntas)" ""
sync_ub --dry-run --json
t_is "dry run --json: one add" "$(js '[.actions[] | "\(.action) \(.zone) \(.lifetime)"] | join(",")')" "add expired. 86400"
t_is "dry run --json: says so" "$(js .dry_run)" true
t_ok "dry run --json: still nothing written" test ! -e "$ST"

sync_ub
t_is "recommended: exit 0" "$(rc)" 0
t_is "unbound has the NTA" "$(ub_ntas)" "expired."
t_is "www.expired. answers, without AD" "$(dq "$ub_port" www.expired.)" "NOERROR noad"
t_is "www.good. still validated" "$(dq "$ub_port" www.good.)" "NOERROR ad"
t_is "zskroll. (observed only) still fails" "$(dq "$ub_port" www.zskroll.)" "SERVFAIL noad"
t_is "state file records it" "$(stj '[.ntas[] | "\(.zone) \(.driver) \(.lifetime)"] | join(",")')" "expired. unbound 86400"
t_is "state file mode 0644" "$(stat -c %a "$ST")" 644
now=$(date +%s)
t_ok "recorded until = now + lifetime" test "$(stj '.ntas[0].until')" -ge $((now + 86400 - 5)) -a "$(stj '.ntas[0].until')" -le $((now + 86400))
t_ok "the relay was asked GET /v1/zones" grep -q '^GET /v1/zones auth=-$' "$T/relay/requests"
t_ok "nta list shows it" sh -c "'$NTACTL' nta list --state '$ST' | grep -q '^expired\. *unbound'"
t_is "nta list --json" "$("$NTACTL" nta list --state "$ST" --json | jq -r '.ntas[0].zone')" expired.

sync_ub --json
t_is "in step: exit 0" "$(rc)" 0
t_is "in step: no action, no drift" "$(js '(.actions | length) + (.drift | length)')" 0

# ---------------------------------------------------------------- renew

# The decision now ends in 1000 s: the record follows (unbound's NTAs have
# no lifetime, so no command is needed).
answer "$(rec expired. 86400 1000)"
sync_ub --json
t_is "decision ends earlier: renew" "$(js '[.actions[] | "\(.action) \(.zone) \(.lifetime)"] | join(",")')" "renew expired. 1000"
t_is "renew on unbound runs no command" "$(js '.actions[0].commands | length')" 0
t_is "recorded lifetime follows the decision" "$(stj '.ntas[0].lifetime')" 1000
# Less than half of the lifetime left while the quorum holds: renewed.
jq '.ntas[0].until = (now | floor) + 400' "$ST" >"$ST.x" && mv "$ST.x" "$ST"
answer "$(rec expired. 86400)"
sync_ub --json
t_is "less than half left: renew to the decision's end" "$(js '[.actions[] | "\(.action) \(.lifetime)"] | join(",")')" "renew 86400"
t_is "NTA still there" "$(ub_ntas)" "expired."

# ---------------------------------------------------------------- drift

# unbound reload drops run-time NTAs: the next pass puts ours back.
$UBC reload >/dev/null
t_is "reload dropped the NTA" "$(ub_ntas)" ""
sync_ub --json
t_is "after reload: exit 0 (drift fixed)" "$(rc)" 0
t_is "after reload: drift reported" "$(js '[.drift[] | "\(.kind) \(.zone) \(.fixed)"] | join(",")')" "missing expired. true"
t_is "after reload: re-added" "$(js '[.actions[] | "\(.action) \(.zone)"] | join(",")')" "add expired."
t_is "after reload: unbound has it" "$(ub_ntas)" "expired."
t_is "after reload: www.expired. answers" "$(dq "$ub_port" www.expired.)" "NOERROR noad"

# A foreign NTA (added by hand): reported, never removed.
$UBC insecure_add zskroll. >/dev/null
sync_ub
t_is "foreign NTA: exit 1" "$(rc)" 1
t_ok "foreign NTA: reported as drift" grep -q '^drift: zskroll\.: present, not recommended, not ours: left alone' "$T/out"
t_is "foreign NTA: left alone" "$(ub_ntas)" "expired. zskroll."
t_is "foreign NTA: not recorded" "$(stj '[.ntas[].zone] | join(",")')" "expired."
answer "$(rec expired.)" "$(rec zskroll.)"
sync_ub --json
t_is "foreign NTA on a recommended zone: exit 1" "$(rc)" 1
t_is "... reported foreign_recommended" "$(js '[.drift[] | "\(.kind) \(.zone) \(.fixed)"] | join(",")')" "foreign_recommended zskroll. false"
t_is "... still not recorded (never ours)" "$(stj '[.ntas[].zone] | join(",")')" "expired."
answer "$(rec expired.)"
sync_ub
t_is "not recommended again: the foreign NTA stays" "$(ub_ntas)" "expired. zskroll."
$UBC insecure_remove zskroll. >/dev/null
$UBC flush_zone zskroll. >/dev/null
sync_ub
t_is "without the foreign NTA: exit 0" "$(rc)" 0

# ---------------------------------------------------------------- relay down, malformed

cp "$ST" "$T/state.before"
relay_stop
answer "$(other expired. resolved)"   # would remove it, if anyone asked
sync_ub
t_is "relay down: exit 2" "$(rc)" 2
t_ok "relay down: says so" grep -q 'relay unreachable: .*; no NTA added or removed' "$T/err"
t_is "relay down: the NTA stays" "$(ub_ntas)" "expired."
t_ok "relay down: state file unchanged" cmp -s "$ST" "$T/state.before"
t_ok "restart the relay stand-in" relay_start

# Malformed answers: each would remove expired. if it were believed.
n=$(date +%s)
bad=0
for body in \
    'not json' \
    '[]' \
    '{"now":'"$n"',"zones":{}}' \
    '{"zones":[]}' \
    '{"now":-5,"zones":[]}' \
    '{"now":'"$n"',"count":3,"zones":[]}' \
    '{"now":'"$n"',"relay":"xyz","zones":[]}' \
    '{"now":'"$n"',"zones":[{"zone":"Expired.","state":"resolved"}]}' \
    '{"now":'"$n"',"zones":[{"zone":"expired","state":"resolved"}]}' \
    '{"now":'"$n"',"zones":[{"zone":"expired.","state":7}]}' \
    '{"now":'"$n"',"zones":[{"zone":"expired.","state":"Resolved!"}]}' \
    '{"now":'"$n"',"zones":[{"zone":"expired.","state":"nta_recommended"}]}' \
    '{"now":'"$n"',"zones":[{"zone":"expired.","state":"nta_recommended","lifetime":-1,"nta_until":'"$((n + 60))"'}]}' \
    '{"now":'"$n"',"zones":[{"zone":"expired.","state":"resolved","lifetime":60,"nta_until":'"$((n + 60))"'}]}' \
    '{"now":'"$n"',"zones":[{"zone":"good.","state":"resolved"},{"zone":"good.","state":"observed"}]}' \
    '{"now":'"$n"',"zones":[{"zone":"good.","state":"observed","fingerprints":["abc"]}]}' \
    '{"now":'"$n"',"zones":[{"zone":"good.","state":"observed","fingerprints":[{"fingerprint":"abc"}]}]}' \
    '{"now":'"$n"',"zones":[{"zone":"good.","state":"observed","since":"yesterday"}]}' \
    '{"now":'"$n"',"zones":[5]}'; do
	raw "$body"
	sync_ub
	if [ "$(rc)" != 2 ] || ! grep -q 'relay answer malformed: .*; no NTA added or removed' "$T/err" ||
	    [ "$(ub_ntas)" != "expired." ] || ! cmp -s "$ST" "$T/state.before"; then
		bad=$((bad + 1))
		echo "# accepted or acted on: $body (exit $(rc))" >&2
	fi
done
t_is "19 malformed answers: each exit 2, nothing changed" "$bad" 0
echo 500 >"$T/relay/status"
raw '{"error":"internal","message":"database locked"}'
sync_ub
t_is "relay answers 500: exit 2" "$(rc)" 2
t_ok "... with its message" grep -q 'relay refused: .*500: internal: database locked; no NTA added or removed' "$T/err"
echo 401 >"$T/relay/status"
sync_ub
t_ok "relay answers 401: names --token-file" grep -q 'token-file' "$T/err"
rm -f "$T/relay/status"
t_is "after all that, the NTA and record are unchanged" "$(ub_ntas) $(stj '[.ntas[].zone] | join(",")')" "expired. expired."

# The bearer token reaches the relay.
printf 'tok-123\n' >"$T/token"
chmod 600 "$T/token"
answer "$(rec expired.)"
sync_ub --token-file "$T/token"
t_ok "--token-file: Authorization: Bearer sent" grep -q '^GET /v1/zones auth=Bearer tok-123$' "$T/relay/requests"

# ---------------------------------------------------------------- remove

answer "$(other expired. resolved)"
sync_ub --json
t_is "decision resolved: exit 0" "$(rc)" 0
t_is "... removed" "$(js '[.actions[] | "\(.action) \(.zone)"] | join(",")')" "remove expired."
t_ok "... insecure_remove then flush_zone" sh -c "jq -e '.actions[0].commands | (.[0] | endswith(\"insecure_remove expired.\")) and (.[1] | endswith(\"flush_zone expired.\"))' '$T/out'"
t_is "... unbound has no NTA" "$(ub_ntas)" ""
t_is "... www.expired. fails again" "$(dq "$ub_port" www.expired.)" "SERVFAIL noad"
t_is "... record gone" "$(stj '.ntas | length')" 0

answer "$(rec expired.)"
sync_ub
answer
sync_ub --json
t_is "zone no longer listed (clear): removed" "$(js '[.actions[] | "\(.action) \(.zone)"] | join(",")')" "remove expired."
t_is "... unbound has no NTA" "$(ub_ntas)" ""

# Until passed, relay down: removed all the same (not a relay decision).
answer "$(rec expired.)"
sync_ub
jq '.ntas[0].until = (now | floor) - 10' "$ST" >"$ST.x" && mv "$ST.x" "$ST"
relay_stop
sync_ub --json
t_is "until passed, relay down: exit 2 (relay)" "$(rc)" 2
t_is "... the NTA is removed" "$(js '[.actions[] | "\(.action) \(.zone)"] | join(",")')" "remove expired."
t_ok "... saying why" sh -c "jq -e '.actions[0].reason | test(\"lifetime ended\")' '$T/out'"
t_is "... unbound has no NTA" "$(ub_ntas)" ""
t_is "... record gone" "$(stj '.ntas | length')" 0
t_ok "restart the relay stand-in" relay_start
# Until passed but the quorum holds: renewed rather than dropped.
sync_ub
jq '.ntas[0].until = (now | floor) - 10' "$ST" >"$ST.x" && mv "$ST.x" "$ST"
sync_ub --json
t_is "until passed, still recommended: renewed" "$(js '[.actions[] | "\(.action) \(.zone) \(.lifetime)"] | join(",")')" "renew expired. 86400"
t_is "... NTA kept" "$(ub_ntas)" "expired."

# ---------------------------------------------------------------- limits

answer
sync_ub
answer "$(rec expired. 2592000)"
sync_ub --json
t_is "30-day decision: added for 7 days" "$(js '[.actions[] | "\(.action) \(.lifetime)"] | join(",")')" "add 604800"
t_is "... recorded lifetime capped at 7 days" "$(stj '.ntas[0].lifetime')" 604800
answer "$(rec expired. 86400)"
sync_ub --json --max-lifetime 1h
t_is "--max-lifetime 1h caps it" "$(stj '.ntas[0].lifetime')" 3600
answer "$(rec expired. 86400 300)"
sync_ub --json
t_is "nta_until in 300 s caps it" "$(stj '.ntas[0].lifetime')" 300
answer "$(rec expired. 86400 -5)"
sync_ub --json
t_is "nta_until passed: removed" "$(js '[.actions[] | "\(.action) \(.zone)"] | join(",")')" "remove expired."

answer "$(rec .)" "$(rec good.)"
sync_ub --json
t_is "root recommended: exit 1" "$(rc)" 1
t_is "... refused, reported" "$(js '[.drift[] | "\(.kind) \(.zone)"] | join(",")')" "refused ."
t_is "... only good. added" "$(ub_ntas)" "good."
t_is "... root never recorded" "$(stj '[.ntas[].zone] | join(",")')" "good."
t_is "... good. loses AD under its NTA" "$(dq "$ub_port" www.good.)" "NOERROR noad"

# Another driver's records in the same file are kept as they are.
jq '.ntas += [{"zone":"other.","driver":"bind","added_at":1,"until":2,"lifetime":1}]' "$ST" >"$ST.x" && mv "$ST.x" "$ST"
answer
sync_ub --json
t_is "good. removed; the bind record kept" "$(stj '[.ntas[] | "\(.zone) \(.driver)"] | join(",")')" "other. bind"
t_is "... unbound has no NTA" "$(ub_ntas)" ""

# A lifetime of 0: nothing to add.
answer "$(rec expired. 0)"
sync_ub --json
t_is "lifetime 0: exit 0, nothing added" "$(rc) $(js '.actions | length') $(ub_ntas)" "0 0 "

# Two passes never interleave: the second waits for the state lock.
if command -v flock >/dev/null 2>&1; then
	answer "$(rec expired.)"
	flock "$ST.lock" sleep 2 &
	lock_pid=$!
	t_pid "$lock_pid"
	sleep 0.3
	t0=$(date +%s%N)
	sync_ub
	t1=$(date +%s%N)
	t_ok "a pass waits while another holds the state lock" test $(( (t1 - t0) / 1000000 )) -ge 1000
	t_is "... and then does its work" "$(rc) $(ub_ntas)" "0 expired."
	wait "$lock_pid"
	answer
	sync_ub
fi

# A damaged state file: nothing changes.
answer "$(rec expired.)"
echo '{"version":1,"ntas":[{"zone":"EXPIRED"}]}' >"$ST"
sync_ub
t_is "malformed state file: exit 2" "$(rc)" 2
t_ok "... says so" grep -q 'state file: .*malformed' "$T/err"
t_is "... nothing added" "$(ub_ntas)" ""
rm -f "$ST"

# ---------------------------------------------------------------- exec

cat >"$T/exec.sh" <<EOF
#!/bin/sh
echo "\$NTA_ACTION|\${NTA_ZONE-unset}|\${NTA_LIFETIME-unset}|\${NTA_UNTIL-unset}|\${NTA_RELAY-unset}|\${NTA_REASON-unset}|\${NTA_NOTE-unset}" >>"$T/exec.log"
case "\$NTA_ACTION" in
list) cat "$T/exec.list" 2>/dev/null ;;
add) if [ -e "$T/exec.fail" ]; then echo "resolver says no" >&2; exit 3; fi
     grep -qx "\$NTA_ZONE" "$T/exec.list" 2>/dev/null || echo "\$NTA_ZONE" >>"$T/exec.list" ;;
remove) grep -vx "\$NTA_ZONE" "$T/exec.list" >"$T/exec.list.x"; mv "$T/exec.list.x" "$T/exec.list" ;;
esac
EOF
chmod +x "$T/exec.sh"
printf '# managed elsewhere\nhand.example\n' >"$T/exec.list"
sync_exec() {
	NTA_ZONE=leak "$NTACTL" nta sync --driver exec --exec "$T/exec.sh" \
	    --relay "$RELAY" --state "$T/exec.json" "$@" >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
}
answer "$(rec expired. 7200)"
sync_exec --json
now=$(date +%s)
t_is "exec: a foreign name from list is drift: exit 1" "$(rc)" 1
t_is "exec: list runs with NTA_ACTION=list and no other NTA_ variable" "$(sed -n 1p "$T/exec.log")" "list|unset|unset|unset|$RELAY|unset|unset"
line=$(grep '^add|' "$T/exec.log")
t_is "exec: add gets NTA_ZONE, NTA_LIFETIME, NTA_RELAY, NTA_REASON" "$(echo "$line" | cut -d'|' -f1,2,3,5,6)" \
    "add|expired.|7200|$RELAY|3 of 3 operators recommend an NTA"
u=$(echo "$line" | cut -d'|' -f4)
t_ok "exec: NTA_UNTIL = now + lifetime" test "$u" -ge $((now + 7200 - 5)) -a "$u" -le $((now + 7200))
t_is "exec: NTA_NOTE, the short note: its end and the relay's URL" \
    "$(echo "$line" | cut -d'|' -f7 | sed 's/until [0-9TZ:-]*/until T/')" "ntarelay until T $RELAY"
t_is "exec: the program's list has it" "$(grep -c '^expired\.$' "$T/exec.list")" 1
t_is "exec: hand.example reported, not touched" "$(js '[.drift[] | "\(.kind) \(.zone)"] | join(",")'):$(grep -c '^hand.example$' "$T/exec.list")" "foreign hand.example.:1"
answer
: >"$T/exec.log"
sync_exec
t_is "exec: remove gets NTA_ACTION=remove NTA_ZONE" "$(grep '^remove' "$T/exec.log" | cut -d'|' -f1,2,3)" "remove|expired.|unset"
t_is "exec: gone from its list" "$(grep -c '^expired\.$' "$T/exec.list")" 0
touch "$T/exec.fail"
answer "$(rec expired.)"
sync_exec
t_is "exec: a failing add: exit 2" "$(rc)" 2
t_ok "exec: ... its output and exit status shown" grep -q 'failed: exit status 3: resolver says no' "$T/err"
t_is "exec: ... not recorded" "$(jq -r '.ntas | length' "$T/exec.json")" 0
rm -f "$T/exec.fail"

# ---------------------------------------------------------------- watch

answer "$(rec expired.)"
rm -f "$ST"
"$NTACTL" nta watch --driver unbound --control-config "$TB/ub/unbound.conf" \
    --relay "$RELAY" --state "$ST" --interval 1 2>"$T/watch.log" &
watch_pid=$!
t_pid "$watch_pid"
t_ok "watch: adds the NTA" t_wait 10 sh -c "$UBC list_insecure | grep -qx expired."
t_ok "watch: logs the action with a timestamp" t_wait 5 grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z nta watch: add expired\. for 86400 s' "$T/watch.log"
relay_stop
t_ok "watch: relay down is logged" t_wait 10 grep -q 'relay unreachable: .*; no NTA added or removed' "$T/watch.log"
t_ok "watch: keeps running" kill -0 "$watch_pid"
t_ok "restart the relay stand-in" relay_start
answer "$(other expired. resolved)"
t_ok "watch: retries and removes the NTA" t_wait 10 sh -c "! $UBC list_insecure | grep -qx expired."
t_is "watch: the relay error is said once" "$(grep -c 'relay unreachable' "$T/watch.log")" 1
kill -TERM "$watch_pid"
wait "$watch_pid"
t_is "watch: SIGTERM ends it with exit 0" "$?" 0
t_ok "watch: says it stopped" grep -q 'stopped by SIGTERM' "$T/watch.log"

# ------------------------------------------------- recovering, syncing

# The recommendation is held while the zone validates again (phase
# recovering): that is still nta_recommended, and the NTA stays. A relay
# that has not caught up with its peers (503, "syncing": true) is like an
# unreachable one: exit 2, nothing added or removed on its account.
# recovering ZONE: a held recommendation, the zone validating again
recovering() {
	rec "$1" | sed 's/"state":"nta_recommended",/"state":"nta_recommended","phase":"recovering","recovery":{"validating":2,"needed":2,"elapsed":40,"window":900,"still_failing":0},"incident":{"id":"a1b2c3d4e5f60718","opened":1,"closed":null,"outcome":"open","lead":null,"fingerprints":[],"held_since":1,"recovering_since":1,"relapses":0},/'
}
syncing_body() {
	printf '{"syncing":true,"error":"syncing","message":"syncing: not caught up with its peers yet (2 member keys missing recent history; at most 90 s more)","behind":2,"until":%s,"now":%s,"relay":"%s","count":0,"zones":[]}\n' \
	    "$(( $(date +%s) + 90 ))" "$(date +%s)" "$OPID"
}
answer "$(rec expired.)"
rm -f "$ST"
t_ok "recovering: the NTA is added while failing" sync_ub
t_is "recovering: unbound has it" "$(ub_ntas)" "expired."
answer "$(recovering expired.)"
t_ok "recovering: a pass while the recommendation is held: exit 0" sync_ub --json
t_is "recovering: nothing removed" "$(js '[.actions[] | select(.action == "remove")] | length')" 0
t_is "recovering: unbound still has it" "$(ub_ntas)" "expired."
raw "$(recovering expired.)"
"$NTACTL" quorum expired. --relay "$RELAY" >"$T/q.out" 2>&1
t_is "recovering: ntactl quorum exits 0" "$?" 0
t_ok "recovering: ... and says so" grep -q '^expired\. nta_recommended lifetime [0-9]* until .* recovering$' "$T/q.out"
syncing_body >"$T/relay/body"
echo 503 >"$T/relay/status"
t_fail "syncing: nta sync: exit 2" 2 sync_ub
t_ok "syncing: ... not caught up, nothing added or removed" grep -q 'relay not caught up with its peers yet (syncing): .*answered 503; no NTA added or removed' "$T/err"
t_is "syncing: unbound still has the NTA" "$(ub_ntas)" "expired."
t_is "syncing: the state file still records it" "$(stj '[.ntas[] | .zone] | join(",")')" "expired."
"$NTACTL" quorum expired. --relay "$RELAY" >"$T/q.out" 2>&1
t_is "syncing: ntactl quorum: exit 2" "$?" 2
t_ok "syncing: ... not caught up" grep -q 'quorum: expired\.: not caught up' "$T/q.out"
"$NTACTL" status --relay "$RELAY" >"$T/q.out" 2>&1
t_is "syncing: ntactl status: exit 2" "$?" 2
t_ok "syncing: ... not caught up, never \"no zone in incident\"" sh -c "grep -q 'not caught up' '$T/q.out' && ! grep -q 'no zone in incident' '$T/q.out'"
rm -f "$T/relay/status"
syncing_body >"$T/relay/body"
t_fail "syncing in a 200 answer: nta sync: exit 2 all the same" 2 sync_ub
t_is "syncing in a 200 answer: unbound still has the NTA" "$(ub_ntas)" "expired."
echo 503 >"$T/relay/status"
"$NTACTL" nta watch --driver unbound --control-config "$TB/ub/unbound.conf" \
    --relay "$RELAY" --state "$ST" --interval 1 2>"$T/swatch.log" &
swatch_pid=$!
t_pid "$swatch_pid"
t_ok "syncing: nta watch says the relay is not caught up" t_wait 10 grep -q 'error: relay not caught up with its peers yet (syncing)' "$T/swatch.log"
sleep 2
t_ok "syncing: nta watch keeps going" kill -0 "$swatch_pid"
t_is "syncing: ... and says it once" "$(grep -c 'not caught up' "$T/swatch.log")" 1
t_is "syncing: ... and removes nothing" "$(ub_ntas)" "expired."
rm -f "$T/relay/status"
answer "$(recovering expired.)"
t_ok "caught up, recovering: nta watch is in step again" t_wait 10 grep -q 'in step again' "$T/swatch.log"
t_is "caught up, recovering: the NTA stays" "$(ub_ntas)" "expired."
answer "$(other expired. resolved)"
t_ok "resolved: nta watch removes the NTA" t_wait 10 sh -c "! $UBC list_insecure | grep -qx expired."
t_wait 10 grep -q ' remove expired\.' "$T/swatch.log"   # its log line may follow the removal
t_is "resolved: one add, no other remove than after resolved" "$(grep -c ' remove expired\.' "$T/swatch.log")" 1
kill -TERM "$swatch_pid"
wait "$swatch_pid"

# ---------------------------------------------------------------- a real relay

# End to end: two operators' relays probe zskroll. from NSD and gossip over
# a broker; both assess it an accident and recommend an NTA; the relay's own
# GET /v1/zones drives unbound. A withdrawal ends the quorum: the NTA goes.
if command -v mosquitto >/dev/null 2>&1 && command -v sqlite3 >/dev/null 2>&1 &&
    [ -x "$top_builddir/relay/ntarelayd" ]; then
	. "$top_srcdir/tests/integration/fed.sh"
	for o in A B; do fed_operator "$o" >/dev/null 2>&1; done
	t_ok "e2e: broker starts" t_mosquitto m
	FED_EXTRA="watch zskroll.
probe_forward 127.0.0.1@$nsd_port
probe_trust_anchor $TB/root.ds
probe_interval 1"
	export FED_EXTRA
	t_ok "e2e: relay A starts" fed_relay A m
	t_ok "e2e: relay B starts" fed_relay B m
	unset FED_EXTRA
	zstate() { curl -fs "http://127.0.0.1:$A_http/v1/zones" | jq -r '[.zones[] | select(.zone == "zskroll.") | .state][0] // "clear"'; }
	zstate_is() { [ "$(zstate)" = "$1" ]; }
	t_ok "e2e: A sees zskroll. fail (observed)" t_wait 40 zstate_is observed
	# submit RELAY KIND JSON: through the relay's control socket, which
	# signs it as its operator; prints the event id
	submit() {
		curl -s --unix-socket "$T/$1/control.sock" -d "$3" \
		    "http://localhost/v1/submit/$2" | jq -r '.id // empty'
	}
	idA=$(submit A assessment '{"zone":"zskroll.","verdict":"accident","recommend_nta":true,"lifetime":3600}')
	idB=$(submit B assessment '{"zone":"zskroll.","verdict":"accident","recommend_nta":true,"lifetime":3600}')
	t_ok "e2e: both operators' assessments are signed" sh -c "echo '$idA$idB' | grep -Eq '^[0-9a-f]{128}\$'"
	t_ok "e2e: both operators assess: nta_recommended on A" t_wait 30 zstate_is nta_recommended
	E2E="$T/e2e.json"
	"$NTACTL" nta sync --driver unbound --control-config "$TB/ub/unbound.conf" \
	    --relay "http://127.0.0.1:$A_http" --state "$E2E" --json >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
	t_is "e2e: sync against the relay's /v1/zones: exit 0" "$(rc)" 0
	t_is "e2e: zskroll. added" "$(js '[.actions[] | "\(.action) \(.zone)"] | join(",")')" "add zskroll."
	t_ok "e2e: for at most the recommended hour" test "$(js '.actions[0].lifetime')" -le 3600 -a "$(js '.actions[0].lifetime')" -gt 3000
	t_is "e2e: unbound has it" "$(ub_ntas)" "zskroll."
	t_is "e2e: www.zskroll. answers, without AD" "$(dq "$ub_port" www.zskroll.)" "NOERROR noad"
	submit B withdraw "{\"target\":\"$idB\"}" >/dev/null
	t_ok "e2e: B withdraws: the quorum is gone on A" t_wait 30 sh -c "! curl -fs http://127.0.0.1:$A_http/v1/zones | jq -e '.zones[] | select(.zone == \"zskroll.\" and .state == \"nta_recommended\")' >/dev/null"
	"$NTACTL" nta sync --driver unbound --control-config "$TB/ub/unbound.conf" \
	    --relay "http://127.0.0.1:$A_http" --state "$E2E" --json >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
	t_is "e2e: sync removes it (exit 0)" "$(rc) $(js '[.actions[] | "\(.action) \(.zone)"] | join(",")')" "0 remove zskroll."
	t_is "e2e: www.zskroll. fails again" "$(dq "$ub_port" www.zskroll.)" "SERVFAIL noad"
else
	t_ok "e2e against a real relay # SKIP mosquitto, sqlite3 or ntarelayd missing" true
fi

# ---------------------------------------------------------------- other resolvers

# The other drivers against the real resolvers, when they are installed
# (scripts/bootstrap installs them). Each resolver validates with the test
# root's DS and forwards everything to NSD.
ds4=$(awk '$0 !~ /^;/ && NF >= 4 { print $(NF-3), $(NF-2), $(NF-1), $NF }' "$TB/root.ds")

# sync_drv DRIVER STATE ARGS...: one pass; $T/out, $T/err, $T/rc
sync_drv() {
	_drv=$1 _st=$2
	shift 2
	"$NTACTL" nta sync --driver "$_drv" --relay "$RELAY" --state "$_st" "$@" \
	    >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
}

# ---- BIND (named + rndc)
if command -v named >/dev/null 2>&1 && command -v rndc >/dev/null 2>&1 &&
    command -v rndc-confgen >/dev/null 2>&1; then
	mkdir -p "$T/bind"
	bind_port=$(t_port)
	bind_ctl=$(t_port)
	rndc-confgen -a -c "$T/bind/rndc.key" -k ntactl >/dev/null 2>&1
	# shellcheck disable=SC2086
	set -- $ds4
	cat >"$T/bind/named.conf" <<EOF
include "$T/bind/rndc.key";
options {
    directory "$T/bind";
    pid-file "$T/bind/named.pid";
    listen-on port $bind_port { 127.0.0.1; };
    listen-on-v6 { none; };
    query-source address 127.0.0.1;
    recursion yes;
    allow-query { 127.0.0.0/8; };
    forward only;
    forwarders { 127.0.0.1 port $nsd_port; };
    dnssec-validation yes;
    servfail-ttl 0;
    max-cache-ttl 30;
    max-ncache-ttl 5;
    nta-recheck 2;
};
trust-anchors { . static-ds $1 $2 $3 "$4"; };
controls { inet 127.0.0.1 port $bind_ctl allow { 127.0.0.1; } keys { ntactl; }; };
EOF
	cat >"$T/bind/rndc.conf" <<EOF
include "$T/bind/rndc.key";
options { default-server 127.0.0.1; default-port $bind_ctl; default-key ntactl; };
EOF
	named -g -c "$T/bind/named.conf" >"$T/bind/named.log" 2>&1 &
	bind_pid=$!
	t_pid "$bind_pid"
	RNDC="rndc -c $T/bind/rndc.conf"
	t_ok "bind: named starts" t_wait 15 sh -c "kill -0 $bind_pid && $RNDC status"
	bind_ntas() { $RNDC nta -dump | grep -v ': expired' | sed 's|/.*||' | sort | tr '\n' ' ' | sed 's/ $//'; }
	t_is "bind: www.expired. fails" "$(dq "$bind_port" www.expired.)" "SERVFAIL noad"
	answer "$(rec expired. 7200)"
	sync_drv bind "$T/bind.json" --control-config "$T/bind/rndc.conf" --json
	t_is "bind: recommended: exit 0" "$(rc)" 0
	t_is "bind: rndc nta -lifetime 7200s, BIND's recheck kept (no -force)" \
	    "$(js '.actions[0].commands[0]')" \
	    "rndc -c $T/bind/rndc.conf nta -lifetime 7200s expired."
	t_is "bind: named has the NTA" "$(bind_ntas)" "expired"
	# rndc nta -dump: "expired/_default: expiry 05-Dec-2026 10:45:00.000"
	bexp=$(date -d "$($RNDC nta -dump | sed -n 's|^expired/[^:]*: expiry ||p' | head -1 | sed 's/\.[0-9]*$//; s/-/ /g')" +%s 2>/dev/null)
	t_ok "bind: rndc nta -dump shows the decision's end (now + 7200 s)" \
	    test "${bexp:-0}" -ge $(( $(date +%s) + 7200 - 60 )) -a "${bexp:-0}" -le $(( $(date +%s) + 7200 + 5 ))
	t_is "bind: www.expired. answers, without AD" "$(dq "$bind_port" www.expired.)" "NOERROR noad"
	# less than half the lifetime left: BIND's NTA ends by itself, so the
	# renewal is issued to named again
	jq '.ntas[0].until = (now | floor) + 100' "$T/bind.json" >"$T/bind.x" && mv "$T/bind.x" "$T/bind.json"
	sync_drv bind "$T/bind.json" --control-config "$T/bind/rndc.conf" --json
	t_is "bind: renewal re-issues rndc nta" "$(js '[.actions[] | "\(.action) \(.commands | length)"] | join(",")')" "renew 1"
	$RNDC nta -lifetime 3600 zskroll. >/dev/null
	sync_drv bind "$T/bind.json" --control-config "$T/bind/rndc.conf" --json
	t_is "bind: a foreign NTA: exit 1, reported" "$(rc) $(js '[.drift[] | "\(.kind) \(.zone)"] | join(",")')" "1 foreign zskroll."
	answer "$(other expired. resolved)"
	sync_drv bind "$T/bind.json" --control-config "$T/bind/rndc.conf" --json
	t_is "bind: decision resolved: rndc nta -remove" "$(js '.actions[0].commands[0]')" \
	    "rndc -c $T/bind/rndc.conf nta -remove expired."
	t_is "bind: ours removed, the foreign one left" "$(bind_ntas)" "zskroll"
	t_is "bind: www.expired. fails again" "$(dq "$bind_port" www.expired.)" "SERVFAIL noad"
	# BIND's recheck (nta-recheck 2s here): an NTA on a zone that
	# validates is lifted by named; while the recommendation is only held
	# (phase recovering) ntactl does not put it back. (The foreign NTA
	# goes first: named's recheck would lift it too, as zskroll.'s DNSKEY
	# RRset validates.)
	$RNDC nta -remove zskroll. >/dev/null
	answer "$(rec good. 7200)"
	sync_drv bind "$T/bind2.json" --control-config "$T/bind/rndc.conf" --json
	t_is "bind: good. recommended: rndc nta without -force" "$(rc) $(js '.actions[0].commands[0]')" \
	    "0 rndc -c $T/bind/rndc.conf nta -lifetime 7200s good."
	t_ok "bind: named lifts it once good. validates (its recheck)" \
	    t_wait 20 sh -c "! $RNDC nta -dump | grep -v ': expired' | grep -q '^good/'"
	answer "$(recovering good.)"
	sync_drv bind "$T/bind2.json" --control-config "$T/bind/rndc.conf" --json
	t_is "bind: held (recovering): not put back, exit 0" "$(rc) $(js '.actions | length')" "0 0"
	t_is "bind: ... named has no NTA on good." "$(bind_ntas)" ""
	answer "$(other good. resolved)"
	sync_drv bind "$T/bind2.json" --control-config "$T/bind/rndc.conf" --json
	t_is "bind: resolved: the record is forgotten" "$(rc) $(js '[.actions[] | .action] | join(",")')" "0 forget"
	# --no-recheck: -force, named holds the NTA to its end
	answer "$(rec good. 7200)"
	sync_drv bind "$T/bind3.json" --control-config "$T/bind/rndc.conf" --no-recheck --json
	t_is "bind --no-recheck: rndc nta -lifetime 7200s -force" "$(js '.actions[0].commands[0]')" \
	    "rndc -c $T/bind/rndc.conf nta -lifetime 7200s -force good."
	sleep 5
	t_is "bind --no-recheck: named keeps it although good. validates" "$(bind_ntas)" "good"
	answer "$(other good. resolved)"
	sync_drv bind "$T/bind3.json" --control-config "$T/bind/rndc.conf" --no-recheck --json
	t_is "bind --no-recheck: removed when the decision goes" "$(bind_ntas)" ""
	t_fail "--no-recheck with another driver: exit 2" 2 "$NTACTL" nta sync \
	    --driver unbound --no-recheck --relay "$RELAY" --state "$T/x.json"
	answer "$(rec expired.)"
	sync_drv bind "$T/bind.json" --control-config "$T/bind/rndc.conf" --rndc /nonexistent/rndc
	t_is "bind: a control program that cannot run: exit 2" "$(rc)" 2
	t_ok "bind: ... says which and why" grep -q '/nonexistent/rndc' "$T/err"
else
	t_ok "bind driver against named # SKIP named/rndc not installed" true
fi

# ---- PowerDNS Recursor (rec_control)
if command -v pdns_recursor >/dev/null 2>&1 && command -v rec_control >/dev/null 2>&1; then
	mkdir -p "$T/pdns"
	pdns_port=$(t_port)
	printf "clearTA('.')\naddTA('.', \"%s\")\n" "$ds4" >"$T/pdns/recursor.lua"
	cat >"$T/pdns/recursor.conf" <<EOF
local-address=127.0.0.1
local-port=$pdns_port
forward-zones-recurse=.=127.0.0.1:$nsd_port
dnssec=validate
lua-config-file=$T/pdns/recursor.lua
socket-dir=$T/pdns
daemon=no
dont-query=
query-local-address=127.0.0.1
security-poll-suffix=
max-cache-ttl=30
max-negative-ttl=5
threads=1
EOF
	pdns_recursor --config-dir="$T/pdns" >"$T/pdns/log" 2>&1 &
	pdns_pid=$!
	t_pid "$pdns_pid"
	RECC="rec_control --socket-dir=$T/pdns"
	t_ok "powerdns: pdns_recursor starts" t_wait 15 sh -c "kill -0 $pdns_pid && $RECC ping"
	pdns_ntas() { $RECC get-ntas | sed 1d | cut -f1 | sort | tr '\n' ' ' | sed 's/ $//'; }
	t_is "powerdns: www.expired. fails" "$(dq "$pdns_port" www.expired.)" "SERVFAIL noad"
	answer "$(rec expired. | sed 's/"state":"nta_recommended",/&"incident":{"id":"a1b2c3d4e5f60718","opened":1},/')"
	sync_drv powerdns "$T/pdns.json" --socket-dir "$T/pdns" --json \
	    --public-url "https://relay.example.net/"
	t_is "powerdns: recommended: exit 0" "$(rc)" 0
	t_is "powerdns: rec_control add-nta, its reason: the incident, the end, the public URL" \
	    "$(js '.actions[0].commands[0]' | sed 's/until [0-9TZ:-]*/until T/')" \
	    "rec_control --socket-dir=$T/pdns add-nta expired. 'ntarelay incident a1b2c3d4e5f60718 until T https://relay.example.net'"
	t_is "powerdns: the recursor keeps that reason" \
	    "$($RECC get-ntas | awk -F'\t' '$1 == "expired" { print $2 }' | sed 's/until [0-9TZ:-]*/until T/')" \
	    "ntarelay incident a1b2c3d4e5f60718 until T https://relay.example.net"
	t_is "powerdns: the recursor has it" "$(pdns_ntas)" "expired"
	t_is "powerdns: www.expired. answers, without AD" "$(dq "$pdns_port" www.expired.)" "NOERROR noad"
	$RECC add-nta zskroll. by-hand >/dev/null
	answer "$(other expired. resolved)"
	sync_drv powerdns "$T/pdns.json" --socket-dir "$T/pdns" --json
	t_is "powerdns: decision resolved: clear-nta, foreign reported (exit 1)" \
	    "$(rc) $(js '[.actions[] | .commands[0]] | join(",")') $(js '[.drift[] | "\(.kind) \(.zone)"] | join(",")')" \
	    "1 rec_control --socket-dir=$T/pdns clear-nta expired. foreign zskroll."
	t_is "powerdns: ours removed, the foreign one left" "$(pdns_ntas)" "zskroll"
	t_is "powerdns: www.expired. fails again" "$(dq "$pdns_port" www.expired.)" "SERVFAIL noad"
else
	t_ok "powerdns driver against pdns_recursor # SKIP not installed" true
fi

# ---- Knot Resolver (kresd control socket)
if command -v kresd >/dev/null 2>&1; then
	mkdir -p "$T/kres"
	kres_port=$(t_port)
	grep -v '^;' "$TB/root.ds" >"$T/kres/root.ds"
	cat >"$T/kres/config" <<EOF
net.listen('127.0.0.1', $kres_port, { kind = 'dns' })
trust_anchors.remove('.')
trust_anchors.add_file('$T/kres/root.ds', true)
policy.add(policy.all(policy.FORWARD({'127.0.0.1@$nsd_port'})))
cache.size = 10 * MB
EOF
	kresd -n -c "$T/kres/config" "$T/kres" >"$T/kres/log" 2>&1 &
	kres_pid=$!
	t_pid "$kres_pid"
	KSOCK="$T/kres/control/$kres_pid"
	t_ok "knot: kresd starts" t_wait 15 sh -c "kill -0 $kres_pid && test -S '$KSOCK' && dig +short -p $kres_port @127.0.0.1 www.good. A | grep -q ."
	# kcmd LUA: one command on the control socket, its answer on stdout
	kcmd() {
		perl -MIO::Socket::UNIX -e '
		    my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "$!\n";
		    print $s "__binary\n"; read($s, my $p, 2);
		    print $s "$ARGV[1]\n"; read($s, my $l, 4);
		    read($s, my $b, unpack("N", $l)); print $b' "$KSOCK" "$1"
	}
	knot_ntas() { kcmd "return table.concat(trust_anchors.insecure, ' ')"; }
	kcmd "trust_anchors.set_insecure({'zskroll.'})" >/dev/null
	t_is "knot: www.expired. fails" "$(dq "$kres_port" www.expired.)" "SERVFAIL noad"
	answer "$(rec expired.)"
	sync_drv knot "$T/knot.json" --control-socket "$KSOCK" --json
	t_is "knot: recommended, a foreign NTA present: exit 1" "$(rc)" 1
	t_is "knot: the full list is sent, the foreign name kept" "$(js '.actions[0].commands[0]')" \
	    "kresd $KSOCK: trust_anchors.set_insecure({'zskroll.', 'expired.'}); cache.clear('expired.')"
	t_is "knot: kresd has both" "$(knot_ntas)" "zskroll. expired."
	t_is "knot: www.expired. answers, without AD" "$(dq "$kres_port" www.expired.)" "NOERROR noad"
	answer "$(other expired. vetoed)"
	sync_drv knot "$T/knot.json" --control-socket "$KSOCK" --json
	t_is "knot: vetoed: removed, the foreign name kept" "$(knot_ntas)" "zskroll."
	t_is "knot: www.expired. fails again" "$(dq "$kres_port" www.expired.)" "SERVFAIL noad"
	sync_drv knot "$T/knot.json" --control-socket "$T/kres/none"
	t_is "knot: no control socket: exit 2" "$(rc)" 2
else
	t_ok "knot driver against kresd # SKIP not installed" true
fi

t_done
