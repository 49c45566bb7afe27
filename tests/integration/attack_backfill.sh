#!/bin/sh
# tests/integration/attack_backfill.sh — backfill requests are not an
# amplifier (issue 12, attack 7), a request's range is bounded, and an event
# is never sent back to the link it came from. Operators A-D pinned, X
# vouched for by A only (tests/integration/attack.sh); relay A on brokers m
# and m2, relay C on m.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"
. "$(dirname "$0")/attack.sh"

atk_need jq sqlite3 mosquitto_pub mosquitto_sub
t_ok "broker m2 starts" t_mosquitto m2
ATK_LINKS=m2
t_ok "the federation starts: relay A on m and m2, relay C on m" atk_setup
bf() { fed_metric "$2" "ntarelay_backfill_$1"; }     # WHAT R
REQ=ntarelay/v1/$FED_NET/bf/req

# B's chain: 120 observations (about 1.3 KB each), held by both relays.
atk_gen B --kind observation --zone bf.example. --seq 1 --count 120 2>/dev/null
held120() { [ "$(fed_count "$1" "key = x'$Bkey'")" = 120 ]; }
t_ok "both relays hold B's 120 observations" t_wait 30 both held120

# request BODY-KEY FROM TO [REQUESTER]: publish one request on m, its body
# padded with spaces to 120 bytes
request() {
	_body=$(printf '{"key":"%s","from":%d,"to":%d}' "$1" "$2" "$3")
	_body=$(printf '%-120s' "$_body")
	mosquitto_pub -h 127.0.0.1 -p "$m_port" -q 1 -t "$REQ/${4:-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')}" -m "$_body"
}
mosquitto_sub -h 127.0.0.1 -p "$m_port" -q 1 -t "ntarelay/v1/$FED_NET/bf/resp/#" \
	-F '%l' >"$T/resp.len" 2>/dev/null &
t_pid $!

# Guard: a range of BACKFILL_MAX (1000) seqs or more is refused whole.
request "$Bkey" 1 1001
range1() { [ "$(fed_metric "$1" 'ntarelay_backfill_refused_total{reason="range"}')" = 1 ]; }
t_ok "a request for 1,001 seqs is refused on both relays (range)" t_wait 20 both range1
t_is "... and answered by neither" "$(bf sent_bytes_total A)$(bf sent_bytes_total C)" 00
# A request for a key that is not a member's (X's root) is refused too.
request "$Xop" 1 10
keyref() { [ "$(fed_metric "$1" 'ntarelay_backfill_refused_total{reason="key_not_member"}')" = 1 ]; }
t_ok "a request for a non-member's key is refused on both relays (key_not_member)" t_wait 20 both keyref

# Attack 7: ten 120-byte requests for B's chain, each under a made-up
# requester id. Before the fix one relay answered 1.43 MB.
# The link's budget is 4 answers at once plus one per second: the bound
# below is 4 + the whole seconds the ten requests took to handle (at
# least 1), so a slow machine gets the refill it really had, and no more.
t0=$(date +%s%N)
for i in 1 2 3 4 5 6 7 8 9 10; do request "$Bkey" 1 120; done
handled() {
	[ $(( $(bf answered_total "$1") + $(bf refused_total "$1") )) -ge 12 ]
}
t_ok "attack 7: both relays handle the ten requests" t_wait 30 both handled
secs=$(( ($(date +%s%N) - t0 + 999999999) / 1000000000 ))
[ "$secs" -ge 1 ] || secs=1
most=$(( 4 + secs ))
out_bytes() { awk '{ s += $1 } END { print s + 0 }' "$T/resp.len"; }
sent=$(( $(bf sent_bytes_total A) + $(bf sent_bytes_total C) ))
all_in() { [ "$(out_bytes)" -ge "$sent" ]; }
t_ok "... every answer reaches the broker's subscriber" t_wait 20 all_in
out=$(out_bytes)
ans_A=$(bf answered_total A); ans_C=$(bf answered_total C)
echo "# attack 7: $out bytes answered for 1200 bytes of requests (x$((out / 1200))); relay A answered $ans_A, relay C $ans_C of 10; before the fix: 1.43 MB from one relay"
t_ok "... each relay answered at most 4 + $secs (link budget: 4 x 64 KiB at once, 64 KiB/s, for $secs s)" \
	sh -c "[ $ans_A -le $most ] && [ $ans_C -le $most ]"
linkref() { [ "$(fed_metric "$1" 'ntarelay_backfill_refused_total{reason="link_rate"}')" -ge 1 ]; }
t_ok "... and refused the others (link_rate)" both linkref
t_ok "... no answer exceeds 64 KiB: bytes out <= answered x 65536" \
	sh -c "[ $out -le $(( (ans_A + ans_C) * 65536 )) ]"
t_ok "... bytes out <= 2 relays x (4 + $secs) x 64 KiB, whatever the requests" \
	sh -c "[ $out -le $(( 2 * most * 65536 )) ]"

# Guard: an event is not sent back to the link it came from. B's heartbeat
# arrives at relay A on m2; A forwards it on m (C stores it), and never on
# m2: A's publications on m grow by one more than on m2 (A's own events go
# to both).
published() {   # LINK-PORT
	curl -fs "http://127.0.0.1:$A_http/metrics" |
		awk -v n="ntarelay_link_published_total{link=\"mqtt://127.0.0.1:$1\"}" \
		'index($0, n) == 1 { print $NF }'
}
pm=$(published "$m_port"); pm2=$(published "$m2_port")
"$EVGEN" --key "$T/B/relay.key" --origin "$Bop" --net "$FED_NET" --kind heartbeat \
	--lifetime 120 --seq 121 --prev "$(sqlite3 "file:$T/A/store.db?mode=ro" "SELECT hex(id) FROM events WHERE key = x'$Bkey' AND seq = 120" | tr A-F a-f)" \
	--publish "127.0.0.1:$m2_port" 2>"$T/hb"
idH=$(atk_last "$T/hb")
heldH() { [ "$(atk_held C "$idH")" = 1 ]; }
t_ok "B's heartbeat, published on m2, reaches C through A" t_wait 20 heldH
dm=$(( $(published "$m_port") - pm )); dm2=$(( $(published "$m2_port") - pm2 ))
t_is "... A published it on m and not back on m2" "$(( dm - dm2 ))" 1
t_done
