#!/bin/sh
# tests/integration/feedzone.sh — `ntactl nta sync --driver feedzone`: the
# relay's NTAs as an NTA feed zone (draft-muks-dns-nta-feed-zones-00)
# served by NSD, transferred as a resolver implementing the draft would.
#
# Two operators' relays probe zskroll. (the signed hierarchy of
# testbed.sh, served by NSD) and gossip over a broker; both assess it an
# accident and recommend an NTA: relay A decides nta_recommended. ntactl
# writes the feed zone feed.test. from A's GET /v1/zones; a second NSD
# serves it, zone transfers allowed only with a TSIG key (provide-xfr),
# reloaded by ntactl (--reload-cmd nsd-control). Checked through
# `dig AXFR -y hmac-sha256:...`: the SOA, one NTA RR per NTA (owner
# ZONE.feed.test., TYPE65280 in RFC 3597 syntax, RDATA = the name in wire
# form + a 64-bit expiry), every expiry at most 7 days away and the one
# ntactl applied; the serial moves on a change and only then; a transfer
# without TSIG is refused; a relay silent longer than --stale-after
# empties the feed (serial bumped).
. "$(dirname "$0")/lib.sh"

NTACTL="${NTACTL:-$top_builddir/client/ntactl}"

for tool in nsd nsd-control ldns-keygen ldns-signzone dig jq curl mosquitto \
    sqlite3 od; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool not installed"
		exit 0
	fi
done
if [ ! -x "$top_builddir/relay/ntarelayd" ]; then
	echo "1..0 # SKIP ntarelayd not built"
	exit 0
fi

. "$top_srcdir/tests/integration/testbed.sh"
. "$top_srcdir/tests/integration/fed.sh"

FEED=feed.test.
FD="$T/feed"
TSIG_NAME=feedkey
TSIG_SECRET=$(head -c 32 /dev/urandom | base64)
mkdir -p "$FD"

# ---------------------------------------------------------------- helpers

# The feed's NSD: serves $FD/feed.zone, transfers only with the TSIG key,
# a control socket for nsd-control.
feed_nsd() {
	feed_port=$(t_port)
	cat >"$FD/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1
    port: $feed_port
    do-ip6: no
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "$FD"
    database: ""
    zonelistfile: "$FD/nsd.zonelist"
    xfrdfile: "$FD/nsd.xfrd.state"
    xfrdir: "$FD"
    pidfile: "$FD/nsd.pid"
    logfile: "$FD/nsd.log"
remote-control:
    control-enable: yes
    control-interface: "$FD/nsd.ctl"
key:
    name: "$TSIG_NAME"
    algorithm: hmac-sha256
    secret: "$TSIG_SECRET"
zone:
    name: "$FEED"
    zonefile: "feed.zone"
    provide-xfr: 127.0.0.1 $TSIG_NAME
EOF
	nsd -d -c "$FD/nsd.conf" &
	feed_pid=$!
	t_pid "$feed_pid"
	t_wait 10 sh -c "kill -0 $feed_pid && nsd-control -c '$FD/nsd.conf' status"
}

# axfr [ARGS]: the feed's transfer, one record a line (comments dropped)
axfr() {
	dig +time=2 +tries=1 -p "$feed_port" @127.0.0.1 "$FEED" AXFR "$@" 2>&1 |
	    grep -v '^;' | grep -v '^$'
}
axfr_tsig() { axfr -y "hmac-sha256:$TSIG_NAME:$TSIG_SECRET"; }
# serial: the feed's SOA serial, from the signed transfer
serial() { axfr_tsig | awk '$4 == "SOA" { print $7; exit }'; }
# ntas: the NTA RRs of the transfer: "OWNER TYPE HEX" a line
ntas() { axfr_tsig | awk '$4 ~ /^TYPE/ { print $1, $4, $7 }' | sort -u; }

# fsync ARGS: one pass of ntactl with the feedzone driver against relay A,
# NSD reloaded with the built-in nsd-control (or $FCMD, a command line);
# $T/out (JSON), $T/err, $T/rc
fsync() {
	if [ -n "${FCMD:-}" ]; then
		set -- --reload-cmd "$FCMD" "$@"
	else
		set -- --reload-cmd nsd-control --control-config "$FD/nsd.conf" "$@"
	fi
	"$NTACTL" nta sync --driver feedzone --feed-zone "$FEED" \
	    --feed-file "$FD/feed.zone" --relay "http://127.0.0.1:$A_http" \
	    --state "$T/feed.json" --stale-after 4s --json "$@" \
	    >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
}
rc() { cat "$T/rc"; }
js() { jq -r "$1" "$T/out" 2>/dev/null; }

# hex2dec HEX: an unsigned number of up to 16 hex digits, in decimal
hex2dec() { [ -n "$1" ] && printf "%d\n" "0x$1"; }

# ---------------------------------------------------------------- setup

t_ok "build the signed hierarchy" tb_build
t_ok "start NSD (the hierarchy)" tb_nsd nsd
for o in A B; do fed_operator "$o" >/dev/null 2>&1; done
t_ok "broker starts" t_mosquitto m
FED_EXTRA="watch zskroll.
probe_forward 127.0.0.1@$nsd_port
probe_trust_anchor $TB/root.ds
probe_interval 1"
export FED_EXTRA
t_ok "relay A starts" fed_relay A m
t_ok "relay B starts" fed_relay B m
unset FED_EXTRA
zstate() { curl -fs "http://127.0.0.1:$A_http/v1/zones" | jq -r '[.zones[] | select(.zone == "zskroll.") | .state][0] // "clear"'; }
zstate_is() { [ "$(zstate)" = "$1" ]; }
t_ok "A sees zskroll. fail (observed)" t_wait 40 zstate_is observed
# submit RELAY KIND JSON: signed by that relay's operator; the event id
submit() {
	curl -s --unix-socket "$T/$1/control.sock" -d "$3" \
	    "http://localhost/v1/submit/$2" | jq -r '.id // empty'
}
assess='{"zone":"zskroll.","verdict":"accident","recommend_nta":true,"lifetime":3600}'
idA=$(submit A assessment "$assess")
idB=$(submit B assessment "$assess")
t_ok "both operators' assessments are signed" sh -c "echo '$idA$idB' | grep -Eq '^[0-9a-f]{128}\$'"
t_ok "nta_recommended on A" t_wait 30 zstate_is nta_recommended

# ---------------------------------------------------------------- the feed

# The first pass writes the file before NSD has it: NSD starts on it.
fsync
t_is "first pass: zskroll. added (the reload fails: NSD is not up yet)" \
    "$(js '[.actions[] | "\(.action) \(.zone)"] | join(",")')" "add zskroll."
t_ok "... the feed file is written" grep -q '^zskroll\.feed\.test\. 60 IN TYPE65280 ' "$FD/feed.zone"
t_is "... the failed reload is an error (exit 2)" "$(rc)" 2
t_ok "... which says the command" grep -q "nsd-control -c $FD/nsd.conf reload $FEED" "$T/err"
t_is "... the state file follows the file written" "$(jq -r '[.ntas[] | .zone] | join(",")' "$T/feed.json")" "zskroll."
t_ok "the feed's NSD starts on it" feed_nsd
until1=$(js '.actions[0].until')

t_is "AXFR with TSIG: one NTA RR, owner zskroll.feed.test., TYPE65280, 17 octets" \
    "$(ntas | awk '{ print $1, $2 }')" "zskroll.feed.test. TYPE65280"
hex=$(ntas | awk '{ print tolower($3) }')
t_is "... RDATA: DOMAIN is zskroll. in wire form" "$(echo "$hex" | cut -c1-18)" "077a736b726f6c6c00"
t_is "... RDATA is 17 octets (9 + 8)" "$(axfr_tsig | awk '$4 ~ /^TYPE/ { print $6 }')" 17
exp1=$(hex2dec "$(echo "$hex" | cut -c19-34)")
t_is "... EXPIRY is the end ntactl applied" "$exp1" "$until1"
now=$(date +%s)
t_ok "... EXPIRY is in the future, at most 7 days away" \
    test "$exp1" -gt "$now" -a "$exp1" -le $((now + 604800))
t_ok "... at most the recommended hour" test "$exp1" -le $((now + 3600))
t_is "the SOA opens and closes the transfer" "$(axfr_tsig | awk '$4 == "SOA"' | wc -l)" 2
s1=$(serial)
t_ok "the serial is a number" sh -c "echo '$s1' | grep -Eq '^[0-9]+\$'"

t_is "AXFR without TSIG is refused" "$(axfr | grep -c 'IN[[:space:]]SOA')" 0
t_ok "... dig says the transfer failed" sh -c "dig +time=2 +tries=1 -p $feed_port @127.0.0.1 $FEED AXFR 2>&1 | grep -qi 'transfer failed'"
t_is "AXFR with a wrong TSIG secret is refused" \
    "$(dig +time=2 +tries=1 -p "$feed_port" @127.0.0.1 "$FEED" AXFR -y "hmac-sha256:$TSIG_NAME:$(head -c 32 /dev/urandom | base64)" 2>&1 | grep -c 'IN[[:space:]]SOA')" 0

# No change: the file and the serial stay.
cp "$FD/feed.zone" "$T/feed.before"
fsync
t_is "a pass with nothing to do: exit 0, no action" "$(rc) $(js '.actions | length')" "0 0"
t_is "... nothing written" "$(js '.commit | length')" 0
t_ok "... the file is unchanged" cmp -s "$FD/feed.zone" "$T/feed.before"
t_is "... the serial stays" "$(serial)" "$s1"

# A change: B withdraws, the quorum is gone, the NTA is removed.
submit B withdraw "{\"target\":\"$idB\"}" >/dev/null
t_ok "B withdraws: no recommendation on A" t_wait 30 sh -c "! curl -fs http://127.0.0.1:$A_http/v1/zones | jq -e '.zones[] | select(.zone == \"zskroll.\" and .state == \"nta_recommended\")' >/dev/null"
fsync
t_is "the pass removes zskroll. (exit 0), NSD reloaded" \
    "$(rc) $(js '[.actions[] | "\(.action) \(.zone)"] | join(",")') $(js '.commit[1]')" \
    "0 remove zskroll. nsd-control -c $FD/nsd.conf reload $FEED"
t_ok "the feed has no NTA RR" t_wait 10 sh -c "! dig -p $feed_port @127.0.0.1 $FEED AXFR -y 'hmac-sha256:$TSIG_NAME:$TSIG_SECRET' | grep -q TYPE65280"
s2=$(serial)
t_ok "the serial increased ($s1 -> $s2)" test "$s2" -gt "$s1"

# Recommended again, then the relay goes silent: the feed is emptied.
idB=$(submit B assessment "$assess")
t_ok "B assesses again: nta_recommended on A" t_wait 30 zstate_is nta_recommended
cp "$FD/feed.zone" "$T/feed.before"
fsync --dry-run
t_is "--dry-run: would add, would write and reload" \
    "$(rc) $(js '[.actions[] | .action] | join(",")') $(js '.commit | length')" "0 add 2"
t_ok "... the file is unchanged" cmp -s "$FD/feed.zone" "$T/feed.before"
FCMD="nsd-control -c $FD/nsd.conf reload $FEED" fsync
t_is "the pass adds zskroll. again (a --reload-cmd command line)" \
    "$(rc) $(js '[.actions[] | .action] | join(",")') $(js '.commit[1]')" \
    "0 add nsd-control -c $FD/nsd.conf reload $FEED"
t_ok "the feed has it" t_wait 10 sh -c "dig -p $feed_port @127.0.0.1 $FEED AXFR -y 'hmac-sha256:$TSIG_NAME:$TSIG_SECRET' | grep -q '^zskroll.feed.test.*TYPE65280'"
s3=$(serial)
t_ok "the serial increased ($s2 -> $s3)" test "$s3" -gt "$s2"
fed_stop_relay A
fsync
t_is "relay A down, silent less than --stale-after: exit 2, nothing removed" \
    "$(rc) $(js '.actions | length')" "2 0"
t_is "... the feed keeps the NTA" "$(ntas | awk '{ print $1 }')" "zskroll.feed.test."
sleep 5
fsync
t_is "silent longer than --stale-after: exit 2, zskroll. removed" \
    "$(rc) $(js '[.actions[] | "\(.action) \(.zone)"] | join(",")')" "2 remove zskroll."
t_ok "... said: every NTA of ours removed" grep -q 'silent longer than --stale-after: every NTA of ours removed' "$T/err"
t_ok "the feed is empty" t_wait 10 sh -c "! dig -p $feed_port @127.0.0.1 $FEED AXFR -y 'hmac-sha256:$TSIG_NAME:$TSIG_SECRET' | grep -q TYPE65280"
s4=$(serial)
t_ok "the serial increased ($s3 -> $s4)" test "$s4" -gt "$s3"
t_is "the state file records no NTA" "$(jq -r '.ntas | length' "$T/feed.json")" 0

# Usage: the feed options belong to the feedzone driver.
t_fail "--feed-zone with another driver: exit 2" 2 "$NTACTL" nta sync \
    --driver unbound --feed-zone "$FEED" --state "$T/x.json"
t_fail "--driver feedzone without --feed-file: exit 2" 2 "$NTACTL" nta sync \
    --driver feedzone --feed-zone "$FEED" --state "$T/x.json"
t_fail "--feed-type 12 (a code in use): exit 2" 2 "$NTACTL" nta sync \
    --driver feedzone --feed-zone "$FEED" --feed-file "$T/x.zone" --feed-type 12 \
    --state "$T/x.json"
printf 'x. 60 IN A 127.0.0.1\n' >"$T/notours.zone"
"$NTACTL" nta sync --driver feedzone --feed-zone "$FEED" --feed-file "$T/notours.zone" \
    --relay "http://127.0.0.1:$B_http" --state "$T/x.json" >/dev/null 2>"$T/err"
t_is "a file ntactl did not write is never replaced (exit 2)" "$? $(cat "$T/notours.zone")" \
    "2 x. 60 IN A 127.0.0.1"
t_ok "... and says why" grep -q 'not an NTA feed zone written by ntactl' "$T/err"

t_done
