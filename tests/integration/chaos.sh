#!/bin/sh
# tests/integration/chaos.sh — a seeded run of faults while events flow
# (issue 16, "Chaos"), then the federation's invariants.
#
# The federation: five operators' relays and three Mosquitto brokers on
# 127.0.0.1, ports chosen at run time:
#   A: x y    B: y z    C: z x    D: x (through a TCP proxy, px) and y
#   E: y z, its clock 4 minutes ahead (libfaketime, FAKETIME=+4m, the
#      monotonic clock not faked)
# Events flow for CHAOS_SECONDS (default 60; `make chaos`: 600):
#   - two operators' staff keys (A's and B's) publish bogus observations
#     of zones chaos0. .. chaos3. in batches of 10 to broker x (evgen
#     signs a batch once into a file, then publishes that file until the
#     broker acknowledged all of it: a batch cut by a fault is sent again
#     as the same bytes, never signed anew);
#   - the relays sign assessments of those zones (`ntactl assess` on their
#     control sockets), and their own heartbeats (every 10 s) and decisions;
#   - invalid messages are published to the brokers: a forged signature,
#     another federation's event (wrong_net), a non-member's key
#     (unknown_key), an expired and a future event, malformed JSON.
# Meanwhile the faults of a schedule that CHAOS_SEED (default: random,
# always printed) decides — which daemon, when, for how long; printed
# before the run — with overlaps between different daemons:
#   - relay_kill9 R: kill -9 of relay R, restarted later;
#   - broker_kill9 b: kill -9 of broker y or z, restarted on its port
#     (Mosquitto saves its persistent sessions every second: what it held
#     only in memory is lost, and the relays must make up for it);
#   - broker_flap b: broker x, y or z stopped (SIGTERM) and restarted on
#     its port. x only ever gets this fault: it is where the staff keys
#     publish, and a broker killed with -9 may lose a message it had
#     acknowledged before any relay received it (Mosquitto does not sync
#     per message), which no relay could recover;
#   - link_cut D-x: the proxy between relay D and broker x killed with -9
#     (both TCP connections drop, the broker and the relay stay up) and
#     started again on its port. No iptables, no namespaces, no root.
#
# The clock. docs/PROTOCOL.md §10 (acceptance): an event is `future` when
# ts > now + skew (clock_skew, default 300 s, §10.5) and `expired` when
# exp <= now; the past is bounded by exp, not by the skew (§10.4). E's
# clock, 240 s ahead, is WITHIN the default tolerance: the others accept
# its events (dated 240 s ahead), so the invariants below apply to E's
# events as to everyone's. What the design makes of E's skew: E judges
# expiry by its own clock, and a heartbeat lives 180 s (< 240 s), so E
# refuses every other relay's heartbeat as `expired` (counted), stores
# none, and fills those seqs of their chains as known (an expired event
# settles its gap). The test shows exactly that: E holds no heartbeat of
# another relay, and E's set of events is everyone's minus those.
#
# After the faults stop, every daemon is up again; each staff key then
# publishes one more event and each relay signs one more assessment, so
# that any event lost at the tail of a chain becomes a gap (PROTOCOL.md
# §10.3, seq_gap) that the relays fill by backfill (§12.1: asked 1.5 s
# after the gap, at start, and every 10 minutes for every recorded gap).
# The relays converge within that bound: the test waits for the condition
# below with a cap of CHAOS_SETTLE seconds (default 660: the 10-minute
# backfill scan and a heartbeat), checking every 2 s, not a fixed sleep.
# Then:
#   - every event of every chain any relay holds (live for another
#     minute), each staff key's chain 1..N complete, and every assessment
#     a relay acknowledged to `ntactl assess` (its id) is in every store,
#     exactly once (by event id; E: minus other relays' heartbeats);
#   - no invalid event is stored, every stored event's signer is a known
#     member key, a seeded sample of stored envelopes verifies
#     (`ntactl verify`), and the rejections are counted by reason;
#   - no relay saw an equivocation (faults must not fork a chain);
#   - every relay reaches the same decision for each zone (state and the
#     number of recommendations), with a cap of 120 s (decisions follow
#     each accepted event).
# On failure, what differs is printed (which relay misses which events).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

for tool in mosquitto mosquitto_pub sqlite3 jq curl awk timeout; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool missing"; exit 0; }
done
FAKELIB=
for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 \
    /usr/local/lib/faketime/libfaketime.so.1; do
	[ -f "$f" ] && { FAKELIB=$f; break; }
done
[ -n "$FAKELIB" ] || { echo "1..0 # SKIP libfaketime missing (scripts/bootstrap: faketime)"; exit 0; }
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 missing (the link-cut proxy)"; exit 0; }

DUR=${CHAOS_SECONDS:-60}
SEED=${CHAOS_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
SETTLE=${CHAOS_SETTLE:-660}
NVERIFY=${CHAOS_VERIFY:-100}
echo "# CHAOS_SEED=$SEED CHAOS_SECONDS=$DUR (reproduce: CHAOS_SEED=$SEED CHAOS_SECONDS=$DUR)"
RELAYS="A B C D E"
ZONES="chaos0. chaos1. chaos2. chaos3."

# ------------------------------------------------------------ the schedule
# One line per fault: START DOWN-SECONDS KIND TARGET. A daemon gets one
# fault at a time; faults of different daemons may overlap. The last ends
# 3 s before the run does.
awk -v seed="$SEED" -v dur="$DUR" 'BEGIN {
	srand(seed); t = 3
	split("A B C D E", R, " "); split("y z", K, " "); split("x y z", F, " ")
	for (;;) {
		down = 2 + int(rand() * 7)
		if (t + down > dur - 3) break
		r = rand()
		if (r < 0.35)      { kind = "relay_kill9";  tgt = R[1 + int(rand() * 5)] }
		else if (r < 0.55) { kind = "broker_kill9"; tgt = K[1 + int(rand() * 2)] }
		else if (r < 0.8)  { kind = "broker_flap";  tgt = F[1 + int(rand() * 3)] }
		else               { kind = "link_cut";     tgt = "px" }
		if (busy[tgt] < t) {
			printf "%d %d %s %s\n", t, down, kind, tgt
			busy[tgt] = t + down + 1
		}
		t += 1 + int(rand() * 4)
	}
}' >"$T/schedule"
nfaults=$(wc -l <"$T/schedule")
echo "# schedule ($nfaults faults; START DOWN KIND TARGET):"
sed 's/^/#   /' "$T/schedule"
# the executor's events: TIME down|up KIND TARGET, in time order
awk '{ print $1, "down", $3, $4; print $1 + $2, "up", $3, $4 }' "$T/schedule" |
	sort -s -n -k1,1 >"$T/actions"

# ------------------------------------------------------------ federation
for o in A B C D E F; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
FED_OPERATORS="A B C D E"      # F is not a member: nobody pins it
FED_EXTRA="zone_events_per_operator 100000
heartbeat_interval 10"
export FED_EXTRA

# setup NAME CMD...: a step the rest needs; bail out when it fails
setup() { _f=$_t_failed; t_ok "$@"; [ "$_t_failed" = "$_f" ] || { echo "Bail out! $1"; exit 1; }; }
setup "broker x starts" t_mosquitto x
setup "broker y starts" t_mosquitto y
setup "broker z starts" t_mosquitto z

cat >"$T/proxy.py" <<'EOF'
# a TCP proxy 127.0.0.1:LISTEN -> 127.0.0.1:TARGET (chaos.sh: a link to cut)
import socket, sys, threading
lp, tp = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", lp))
s.listen(16)
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for c in (a, b):
        try:
            c.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
while True:
    c, _ = s.accept()
    try:
        u = socket.create_connection(("127.0.0.1", tp))
    except OSError:
        c.close()
        continue
    threading.Thread(target=pipe, args=(c, u), daemon=True).start()
    threading.Thread(target=pipe, args=(u, c), daemon=True).start()
EOF
listening() { grep -q ":$(printf '%04X' "$1") 00000000:0000 0A" /proc/net/tcp; }
start_proxy() {
	python3 "$T/proxy.py" "$px_port" "$x_port" 2>>"$T/proxy.log" &
	px_pid=$!
	t_pid "$px_pid"
	t_wait 10 listening "$px_port"
}
px_port=$(t_port)
setup "the proxy for D's link to x starts" start_proxy

E_WRAP="env LD_PRELOAD=$FAKELIB FAKETIME=+4m FAKETIME_DONT_FAKE_MONOTONIC=1"
start_relay() {
	if [ "$1" = E ]; then FED_WRAP=$E_WRAP; else FED_WRAP=; fi
	if [ -n "${2:-}" ]; then shift; fed_relay E "$@"; else fed_start_relay "$1"; fi
	_rc=$?
	FED_WRAP=
	return $_rc
}
setup "relay A starts (links x y)" fed_relay A x y
setup "relay B starts (links y z)" fed_relay B y z
setup "relay C starts (links z x)" fed_relay C z x
setup "relay D starts (links px y)" fed_relay D px y
setup "relay E starts, its clock 4 min ahead (links y z)" start_relay E y z

now_s() { date +%s; }
eclock() {
	k=$(fed_keyid "$T/E/relay.pub")
	ts=$(sqlite3 "file:$T/E/store.db?mode=ro" "SELECT max(ts) FROM events WHERE key = x'$k'")
	[ -n "$ts" ] && [ "$ts" -ge $(( $(now_s) + 200 )) ] && [ "$ts" -le $(( $(now_s) + 280 )) ]
}
setup "E's own events are dated 4 min ahead of the real clock" t_wait 30 eclock

# The staff keys: certificates on the trust topic (retained on x).
for o in A B; do
	"$NTACTL" keygen --name "$o-staff" --out "$T/$o/staff" >/dev/null &&
	"$NTACTL" cert --net "$FED_NET" --root "$T/$o/root.key" --subject "$T/$o/staff.pub" \
		--days 30 >"$T/$o/staff.cert" || { echo "Bail out! staff key"; exit 1; }
	op=$(fed_keyid "$T/$o/root.pub")
	mosquitto_pub -h 127.0.0.1 -p "$x_port" -q 1 -r \
		-t "ntarelay/v1/$FED_NET/trust/$op/$("$NTACTL" id "$T/$o/staff.cert")" -f "$T/$o/staff.cert"
done
knows_staff() {
	for r in $RELAYS; do for o in A B; do
		"$NTACTL" trust --db "$T/$r/trust.db" why "$T/$o/staff.pub" | grep -qi cert || return 1
	done; done
}
setup "every relay learns the staff keys" t_wait 30 knows_staff
healthy() { curl -fs "http://127.0.0.1:$(eval echo "\$${1}_http")/healthz" >/dev/null; }
all_healthy() { for r in $RELAYS; do healthy "$r" || return 1; done; }
setup "every relay is healthy (caught up)" t_wait 150 all_healthy

# key id -> public key file, for every key that may sign a stored event
: >"$T/keys"
for o in A B C D E; do
	echo "$(fed_keyid "$T/$o/relay.pub") $T/$o/relay.pub" >>"$T/keys"
	echo "$(fed_keyid "$T/$o/root.pub") $T/$o/root.pub" >>"$T/keys"
done
for o in A B; do echo "$(fed_keyid "$T/$o/staff.pub") $T/$o/staff.pub" >>"$T/keys"; done
Ekey=$(fed_keyid "$T/E/relay.pub")
cut -d' ' -f1 "$T/keys" | sort -u >"$T/keys.sorted"

# ------------------------------------------------------------ the load
STOP=$T/stop
# staff_batch O N: sign N observations of staff key O (after its last
# published one) into a file, and publish that file to broker x until
# it is acknowledged whole. $T/O.state: "SEQ ID" of the last published.
staff_batch() {
	_o=$1; _n=$2
	read -r _seq _prev <"$T/$_o.state"
	_z=chaos$(( (_seq / 10) % 4 )).
	if [ "$_prev" = - ]; then _pa=; else _pa="--prev $_prev"; fi
	# shellcheck disable=SC2086
	"$EVGEN" --key "$T/$_o/staff.key" --origin "$(fed_keyid "$T/$_o/root.pub")" \
		--net "$FED_NET" --kind observation --zone "$_z" --count "$_n" \
		--seq $((_seq + 1)) $_pa --topics >"$T/$_o.batch" 2>"$T/$_o.last" || return 1
	until timeout 30 "$EVGEN" --replay "$T/$_o.batch" --publish "127.0.0.1:$x_port" \
	    2>/dev/null; do
		sleep 0.3
	done
	sed -n 's/^last //p' "$T/$_o.last" >"$T/$_o.state"
}
staff_loop() {
	while [ ! -e "$STOP" ]; do
		staff_batch "$1" 10 || return 1
		sleep 0.3
	done
}
for o in A B; do echo "0 -" >"$T/$o.state"; done

# the assessments: relay, zone and verdict from the seed
awk -v seed="$SEED" 'BEGIN {
	srand(seed + 1)
	split("A B C D E", R, " "); split("accident likely_accident unknown", V, " ")
	for (i = 0; i < 100000; i++) {
		v = V[1 + int(rand() * 3)]
		printf "%s chaos%d. %s%s\n", R[1 + int(rand() * 5)], int(rand() * 4), v,
		    v == "unknown" ? "" : " --nta"
	}
}' >"$T/assess.plan"
assess_loop() {
	while read -r r z v nta; do
		[ -e "$STOP" ] && break
		# shellcheck disable=SC2086
		if timeout 20 "$NTACTL" assess "$z" -c "$T/$r/ntarelay.conf" --verdict "$v" $nta \
		    --lifetime 1h --force </dev/null >"$T/assess.out" 2>>"$T/assess.err"; then
			awk 'NR == 1 { print $2 }' "$T/assess.out" >>"$T/acked"
		fi
		sleep 0.5
	done <"$T/assess.plan"
}

# the invalid messages, each to the first broker up in a seeded order
Aop=$(fed_keyid "$T/A/root.pub"); Fop=$(fed_keyid "$T/F/root.pub")
Astaff=$(fed_keyid "$T/A/staff.pub"); Fkey=$(fed_keyid "$T/F/relay.pub")
JUNK_PREV=$(printf '%064d' 0 | tr 0 a)
junk_topic="ntarelay/v1/$FED_NET/obs/chaos9./$Aop"
inject_one() {
	_i=$1; _port=$2; _now=$(now_s)
	_g="$EVGEN --key $T/A/staff.key --origin $Aop --kind observation --zone chaos9. --prev $JUNK_PREV"
	case $(( _i % 6 )) in
	0) _why=bad_signature
	   $_g --net "$FED_NET" --seq $((900000 + _i)) 2>/dev/null |
		sed "s|\"sig\":\"[^\"]*\"|\"sig\":\"$(head -c 64 /dev/urandom | base64 -w0)\"|" ;;
	1) _why=wrong_net;     $_g --net othernet --seq $((900000 + _i)) 2>/dev/null ;;
	2) _why=unknown_key
	   "$EVGEN" --key "$T/F/relay.key" --origin "$Aop" --net "$FED_NET" \
		--kind observation --zone chaos9. --seq $((_i + 1)) --prev "$JUNK_PREV" 2>/dev/null ;;
	3) _why=expired
	   $_g --net "$FED_NET" --seq $((900000 + _i)) --ts $((_now - 7200)) --lifetime 3600 2>/dev/null ;;
	4) _why=future
	   $_g --net "$FED_NET" --seq $((900000 + _i)) --ts $((_now + 3600)) 2>/dev/null ;;
	5) _why=malformed_json; printf '{"payload":' ;;
	esac >"$T/junk"
	timeout 10 mosquitto_pub -h 127.0.0.1 -p "$_port" -q 1 -t "$junk_topic" -f "$T/junk" \
		2>/dev/null || return 1
	echo "$_why" >>"$T/injected"
}
inject_loop() {
	_i=0
	while [ ! -e "$STOP" ]; do
		for b in $(echo "x y z" | awk -v s="$SEED" -v i="$_i" '{ srand(s + i); for (k = 3; k > 1; k--) { j = 1 + int(rand() * k); t = $k; $k = $j; $j = t } print }'); do
			inject_one "$_i" "$(eval echo "\$${b}_port")" && break
		done
		_i=$((_i + 1))
		sleep 1
	done
}

staff_loop A & sA=$!; t_pid "$sA"
staff_loop B & sB=$!; t_pid "$sB"
assess_loop & al=$!; t_pid "$al"
inject_loop & il=$!; t_pid "$il"

# ------------------------------------------------------------ the faults
start=$(now_s)
fault_ok=0
exec 3<"$T/actions"
while read -r at what kind tgt <&3; do
	d=$(( start + at - $(now_s) ))
	[ "$d" -gt 0 ] && sleep "$d"
	echo "# t=$(( $(now_s) - start )) $what $kind $tgt"
	case "$what $kind" in
	"down relay_kill9")  fed_stop_relay "$tgt" KILL ;;
	"up relay_kill9")    FED_NOWAIT=1; start_relay "$tgt" </dev/null; unset FED_NOWAIT
			     t_ok "t=$at relay $tgt restarted after kill -9" kill -0 "$(eval echo "\$${tgt}_pid")" ;;
	"down broker_kill9") p=$(eval echo "\$${tgt}_pid"); kill -KILL "$p"; wait "$p" 2>/dev/null ;;
	"down broker_flap")  p=$(eval echo "\$${tgt}_pid"); kill -TERM "$p"; wait "$p" 2>/dev/null ;;
	"up broker_"*)       t_ok "t=$at broker $tgt back on its port after $kind" \
				t_mosquitto "$tgt" "$(eval echo "\$${tgt}_port")" ;;
	"down link_cut")     kill -KILL "$px_pid"; wait "$px_pid" 2>/dev/null ;;
	"up link_cut")       t_ok "t=$at D's link to x restored after the cut" start_proxy ;;
	esac
done
exec 3<&-
d=$(( start + DUR - $(now_s) ))
[ "$d" -gt 0 ] && sleep "$d"
touch "$STOP"
for p in $sA $sB $al $il; do wait "$p"; done
t_ok "the load stopped after ${DUR}s" test -e "$STOP"

# ------------------------------------------------------------ settle
# Every daemon is up again (the schedule restored each one).
alive() { for r in $RELAYS; do kill -0 "$(eval echo "\$${r}_pid")" || return 1; done; }
t_ok "every relay is running" alive
t_ok "every relay is healthy again" t_wait 300 all_healthy
# the tails: one more event per staff key, one more assessment per relay
for o in A B; do staff_batch "$o" 1; done
settle_assess() {
	"$NTACTL" assess settle. -c "$T/$1/ntarelay.conf" --verdict accident --nta \
		--lifetime 1h --force >"$T/assess.out" &&
	awk 'NR == 1 { print $2 }' "$T/assess.out" >>"$T/acked"
}
for r in $RELAYS; do
	t_ok "relay $r signs an assessment after the faults" settle_assess "$r"
done
sort -u "$T/acked" >"$T/acked.sorted"
ZONES="$ZONES settle."

# set R: "KEY SEQ ID" of every event of R live until $lim (a minute from
# the check: the same limit for every store); E does not hold other
# relays' heartbeats (see the header).
set_of() {
	sqlite3 "file:$T/$1/store.db?mode=ro" \
		"SELECT lower(hex(key)), seq, lower(hex(id)) FROM events
		 WHERE exp IS NULL OR exp > $lim" 2>/dev/null | tr '|' ' ' | sort
}
expected_for() {
	if [ "$1" = E ]; then
		awk -v e="$Ekey" -v hb="$T/hb.list" 'BEGIN { while ((getline l < hb) > 0) h[l] = 1 }
			!(($1 " " $2) in h) || $1 == e' "$T/union"
	else cat "$T/union"; fi
}
converged() {
	lim=$(( $(now_s) + 60 ))
	for r in $RELAYS; do set_of "$r" >"$T/set.$r"; done
	sort -u "$T"/set.? >"$T/union"
	# heartbeats, by key and seq, from the stores that hold them
	for r in A B C D; do
		sqlite3 "file:$T/$r/store.db?mode=ro" \
			"SELECT lower(hex(key)), seq FROM events WHERE kind = 8" | tr '|' ' '
	done | sort -u >"$T/hb.list"
	for o in A B; do
		k=$(fed_keyid "$T/$o/staff.pub"); n=$(cut -d' ' -f1 "$T/$o.state")
		for r in $RELAYS; do
			[ "$(fed_count "$r" "key = x'$k' AND seq BETWEEN 1 AND $n")" = "$n" ] || return 1
		done
	done
	for r in $RELAYS; do
		expected_for "$r" | cmp -s - "$T/set.$r" || return 1
		cut -d' ' -f3 "$T/set.$r" | sort | comm -23 "$T/acked.sorted" - | grep -q . && return 1
	done
	return 0
}
chaos_wait() {
	_end=$(( $(now_s) + $1 )); shift
	until "$@"; do
		[ "$(now_s)" -ge "$_end" ] && return 1
		sleep 2
	done
}
t0=$(now_s)
chaos_wait "$SETTLE" converged; rc=$?
echo "# settled in $(( $(now_s) - t0 )) s (cap $SETTLE s)"
if [ "$rc" != 0 ]; then
	for r in $RELAYS; do
		expected_for "$r" | comm -23 - "$T/set.$r" >"$T/missing.$r"
		comm -13 "$T/union" "$T/set.$r" >"$T/extra.$r"
		cut -d' ' -f3 "$T/set.$r" | sort | comm -23 "$T/acked.sorted" - >"$T/lost.$r"
		echo "# relay $r misses $(wc -l <"$T/lost.$r") acknowledged assessments: $(head -n 5 "$T/lost.$r" | tr '\n' ' ')"
		echo "# relay $r misses $(wc -l <"$T/missing.$r") events (KEY SEQ ID):"
		head -n 10 "$T/missing.$r" | sed 's/^/#   /'
		for o in A B; do
			k=$(fed_keyid "$T/$o/staff.pub"); n=$(cut -d' ' -f1 "$T/$o.state")
			echo "#   staff $o: $(fed_count "$r" "key = x'$k' AND seq BETWEEN 1 AND $n") of $n"
		done
		echo "#   gaps: $(sqlite3 "file:$T/$r/store.db?mode=ro" "SELECT group_concat(substr(lower(hex(key)),1,8) || ':' || lo || '-' || hi, ' ') FROM gaps")"
	done
	grep -h 'backfill' "$T"/?/relay.log | tail -n 20 | sed 's/^/#   /'
fi
t_ok "every event is in every store (E: minus others' heartbeats), after the faults" test "$rc" = 0
for o in A B; do
	k=$(fed_keyid "$T/$o/staff.pub"); n=$(cut -d' ' -f1 "$T/$o.state")
	for r in $RELAYS; do
		t_is "staff $o's chain 1..$n complete in $r's store" \
			"$(fed_count "$r" "key = x'$k' AND seq BETWEEN 1 AND $n")" "$n"
	done
done
nacked=$(wc -l <"$T/acked.sorted")
for r in $RELAYS; do
	t_is "the $nacked assessments the relays acknowledged (ntactl assess) are in $r's store" \
		"$(cut -d' ' -f3 "$T/set.$r" | sort | comm -23 "$T/acked.sorted" - | wc -l)" 0
done
for r in $RELAYS; do
	t_is "no event twice in $r's store" "$(sqlite3 "file:$T/$r/store.db?mode=ro" \
		"SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT key, seq FROM events)) FROM events")" 0
done

# ------------------------------------------------------------ the clock
for r in A B C D; do
	t_is "E holds no heartbeat of $r (expired by E's clock)" \
		"$(fed_count E "kind = 8 AND key = x'$(fed_keyid "$T/$r/relay.pub")'")" 0
	t_ok "$r holds E's heartbeats (within the skew)" \
		sh -c "[ \"\$(sqlite3 'file:$T/$r/store.db?mode=ro' \"SELECT count(*) FROM events WHERE kind = 8 AND key = x'$Ekey'\")\" -ge 1 ]"
done
t_ok "E counts the refused heartbeats as expired" \
	sh -c "[ \"\$(curl -fs http://127.0.0.1:$E_http/metrics | awk '/^ntarelay_events_rejected_total\\{reason=\"expired\"\\}/ {print \$NF}')\" -ge 1 ]"

# ------------------------------------------------------------ nothing invalid
ninj=$(wc -l <"$T/injected" 2>/dev/null || echo 0)
t_ok "invalid messages were published during the run ($ninj)" test "$ninj" -ge 1
for r in $RELAYS; do
	t_is "no invalid event in $r's store" \
		"$(fed_count "$r" "(key = x'$Astaff' AND seq >= 900000) OR key = x'$Fkey' OR zone = 'chaos9.'")" 0
	sqlite3 "file:$T/$r/store.db?mode=ro" "SELECT DISTINCT lower(hex(key)) FROM events" >"$T/signers.$r"
	t_is "every signer in $r's store is a member key" \
		"$(sort -u "$T/signers.$r" | comm -13 "$T/keys.sorted" - | tr '\n' ' ')" ""
done
for why in $(sort -u "$T/injected"); do
	echo "# injected $why: $(grep -c "^$why\$" "$T/injected")"
	sum=0
	for r in $RELAYS; do
		n=$(fed_metric "$r" "ntarelay_events_rejected_total{reason=\"$why\"}")
		sum=$((sum + n))
	done
	t_ok "injected $why messages were refused and counted ($sum)" test "$sum" -ge 1
done
verify_sample() {
	# a seeded sample of each store's envelopes, each verified against
	# its signer's public key
	for r in $RELAYS; do
		sqlite3 "file:$T/$r/store.db?mode=ro" \
			"SELECT rowid, lower(hex(key)) FROM events ORDER BY (rowid * 2654435761 + $SEED) % 4294967311 LIMIT $NVERIFY" |
		while IFS='|' read -r row k; do
			pub=$(awk -v k="$k" '$1 == k { print $2 }' "$T/keys")
			[ -n "$pub" ] || { echo "$r: rowid $row: unknown signer $k"; exit 1; }
			sqlite3 "file:$T/$r/store.db?mode=ro" "SELECT envelope FROM events WHERE rowid = $row" |
				"$NTACTL" verify --pub "$pub" - >/dev/null ||
				{ echo "$r: rowid $row does not verify"; exit 1; }
		done || return 1
	done
}
t_ok "a sample of $NVERIFY stored envelopes per relay verifies (ntactl verify)" verify_sample

# ------------------------------------------------------------ no forks
for r in $RELAYS; do
	t_is "$r saw no equivocation" "$(fed_metric "$r" ntarelay_equivocations_total)$(sqlite3 "file:$T/$r/store.db?mode=ro" 'SELECT count(*) FROM equivocations')" 00
done

# ------------------------------------------------------------ decisions
decision() {
	curl -fs "http://127.0.0.1:$(eval echo "\$${1}_http")/v1/zones/$2" |
		jq -r '"\(.state) \(.recommending)"'
}
agree() {
	for z in $ZONES; do
		want=$(decision A "$z") || return 1
		for r in B C D E; do [ "$(decision "$r" "$z")" = "$want" ] || return 1; done
	done
}
t_ok "every relay reaches the same decision for each zone" t_wait 120 agree
for z in $ZONES; do
	echo "# $z: $(for r in $RELAYS; do printf '%s=%s; ' "$r" "$(decision "$r" "$z")"; done)"
done
nasm=$nacked
nstaff=$(( $(cut -d' ' -f1 "$T/A.state") + $(cut -d' ' -f1 "$T/B.state") ))
echo "# summary: seed $SEED, ${DUR}s, $nfaults faults, $nstaff staff events, $nasm assessments, $ninj invalid messages, $(wc -l <"$T/union") live events per store"
t_done
