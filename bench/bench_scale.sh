#!/bin/sh
# bench/bench_scale.sh — a federation of BENCH_RELAYS (50) relays of as many
# operators and BENCH_BROKERS (relays / 5: 10) Mosquitto brokers on
# 127.0.0.1, each relay linked to two brokers, and what one event costs it:
#
#   1. convergence: BENCH_EVENTS (40) zone statements submitted one at a
#      time, each on the control socket of another relay; for each, the
#      time from the submission until the event is in all the stores,
#      p50 and p99 (goal: p99 < 1 s), beside the time until it is in the
#      first store but the submitter's (one hop: relay -> broker -> relay,
#      the floor of convergence) and in the submitter's own store.
#      Percentiles by nearest rank: under 100 events, p99 is the maximum.
#   2. MQTT messages per event per link: the relays' link counters
#      (ntarelay_link_received_total, ntarelay_link_published_total), summed
#      over all relays for the events of the run, divided by events x
#      links, beside its lower bound (1: every link hears every event
#      once); and how many of the copies were dropped as duplicates by id
#      before verification (ntarelay_events_duplicate_total). Every relay
#      forwards a new event once to its other link; without forward_delay
#      (FED_EXTRA="forward_delay 0") a broker gets it from each of its
#      relays that heard it elsewhere first, and hands each copy to its
#      other relays: about (relays per broker - 1) / 2 copies per link (4.5
#      with 10 relays per broker), not 1. With it (the default, 100 ms), a
#      relay holds a forward and drops it when the broker hands it a copy
#      first (ntarelay_forwards_suppressed_total): about one copy per
#      broker, a little under 1 per link (docs/OPERATIONS.md 6.7).
#   3. resident memory (VmRSS, /proc/PID/status) per relay after the run:
#      min, median, max; and per broker.
#
# Topology (a partial mesh whose broker graph is complete): relay i is
# linked to broker b1 = i mod B and broker b2 = (b1 + 1 + (i div B) mod
# (B - 1)) mod B. With 50 relays and 10 brokers the first ten relays make a
# ring of brokers (b, b+1), the next ten the chords (b, b+2), then (b, b+3),
# (b, b+4) and (b, b+5): every pair of brokers shares a relay (the 45 pairs;
# the five (b, b+5) pairs twice), each broker serves 10 relays, and an
# event goes from any relay to any other in at most two relay hops
# (relay -> broker -> relay -> broker -> relay).
#
# Membership as tests/integration/fed.sh makes it: each operator has its own
# root key and relay key (certified by the root), and every relay's trust
# database pins every operator's root (one database made once, with every
# relay certificate imported, then copied to each relay).
#
# How store arrival is measured: one Python process keeps a read-only SQLite
# connection to each relay's store (WAL: readers never block the relay) and
# looks the event id up in every store that does not have it yet, round
# after round, 2 ms apart; a relay commits an event before it forwards it.
# The resolution (the time between two looks at one store) is printed.
#
# Usage: bench/bench_scale.sh   (from the build directory or with
# top_srcdir/top_builddir set; `make bench-scale`). Environment:
# BENCH_RELAYS (50), BENCH_BROKERS (relays / 5, at least 3), BENCH_EVENTS
# (40), BENCH_TIMEOUT (30: seconds one event may take to reach every
# store), FED_EXTRA (configuration lines for every relay, e.g.
# "forward_delay 0"). Needs python3 (with its sqlite3 module), mosquitto, curl,
# sqlite3. Exit status 1 when an event did not reach every store.
. "$(dirname "$0")/lib.sh"
NR=${BENCH_RELAYS:-50}
NB=${BENCH_BROKERS:-$((NR / 5))}
[ "$NB" -ge 3 ] || NB=3
NE=${BENCH_EVENTS:-40}
TMO=${BENCH_TIMEOUT:-30}
LINKS=$((2 * NR))

command -v python3 >/dev/null && python3 -c 'import sqlite3' 2>/dev/null ||
	{ echo "bench_scale: python3 with sqlite3 missing" >&2; exit 1; }
now_s() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }
relays() { i=0; while [ "$i" -lt "$NR" ]; do echo "r$i"; i=$((i + 1)); done; }
pid_of() { eval echo "\$${1}_pid"; }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
# min median max of the numbers on stdin
mmm() { sort -n | awk '{ v[NR] = $1 } END { printf "%s %s %s", v[1], v[int((NR + 1) / 2)], v[NR] }'; }
# every relay's /metrics in $T/metrics/RELAY (a relay that does not answer
# in three tries is an error: a missing relay would skew the sums)
metrics_all() {
	mkdir -p "$T/metrics"
	for r in $(relays); do
		n=0
		until curl -fs --max-time 10 -o "$T/metrics/$r" \
			"http://127.0.0.1:$(eval echo "\$${r}_http")/metrics"; do
			n=$((n + 1))
			[ "$n" -lt 3 ] || { echo "bench_scale: no metrics from $r" >&2; return 1; }
			sleep 0.5
		done
	done
}
# sum of a metric over every relay, from what metrics_all fetched
sum_metric() {
	cat "$T"/metrics/r* | awk -v n="$1" 'index($0, n) == 1 { s += $NF } END { printf "%d\n", s }'
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
t_setup=$(now_s)
echo "bench_scale: $NR relays, $NB brokers, $NE events; $(nproc) cores, load $load0"

# operators, and one trust database that every relay starts from
for r in $(relays); do
	fed_operator "$r" || { echo "bench_scale: keys of $r" >&2; exit 1; }
done
mkdir -p "$T/trust"
for r in $(relays); do
	"$NTACTL" trust --db "$T/trust/trust.db" --net "$FED_NET" pin "$T/$r/root.pub" >/dev/null ||
		{ echo "bench_scale: pin $r" >&2; exit 1; }
	cat "$T/$r/cert"
done >"$T/trust/certs"
"$NTACTL" trust --db "$T/trust/trust.db" import "$T/trust/certs" >/dev/null ||
	{ echo "bench_scale: importing the certificates" >&2; exit 1; }
echo "bench_scale: keys and trust database made in $(since "$t_setup") s" >&2

b=0
while [ "$b" -lt "$NB" ]; do
	t_mosquitto "b$b" || { echo "bench_scale: broker b$b did not start" >&2; exit 1; }
	b=$((b + 1))
done
i=0
while [ "$i" -lt "$NR" ]; do
	b1=$((i % NB))
	b2=$(( (b1 + 1 + (i / NB) % (NB - 1)) % NB ))
	echo "r$i b$b1 b$b2" >>"$T/topology"
	cp "$T/trust/trust.db" "$T/r$i/trust.db"
	FED_NOWAIT=1 FED_LOG_LEVEL=warn fed_relay "r$i" "b$b1" "b$b2"
	i=$((i + 1))
done
# started all at once, then each must answer
for r in $(relays); do
	t_wait 60 curl -fs "http://127.0.0.1:$(eval echo "\$${r}_http")/healthz" ||
		{ echo "bench_scale: relay $r did not start ($(tail -n 3 "$T/$r/relay.log"))" >&2; exit 1; }
done
links_up() { metrics_all 2>/dev/null && [ "$(sum_metric ntarelay_link_up)" -ge "$LINKS" ]; }
t_wait 120 links_up || { echo "bench_scale: only $(sum_metric ntarelay_link_up) of $LINKS links up" >&2; exit 1; }
echo "bench_scale: keys, brokers and relays started in $(since "$t_setup") s" >&2
# ready when every relay holds a heartbeat of every relay (each publishes
# one at start): each has heard all the others, and all certificates work
heard_all() {
	for r in $(relays); do
		[ "$(sqlite3 "file:$T/$r/store.db?mode=ro" 'SELECT count(DISTINCT key) FROM events WHERE kind = 8' 2>/dev/null)" \
			-ge "$NR" ] 2>/dev/null || return 1
	done
}
t_wait 120 heard_all || echo "bench_scale: not every relay heard every heartbeat in 120 s (measuring anyway)" >&2
sleep 1
rss_start=$(for r in $(relays); do rss_kib "$(pid_of "$r")"; done | mmm)
echo "bench_scale: set up in $(since "$t_setup") s; relays' RSS at start (KiB, min median max): $rss_start"

# counters before
snap() {
	metrics_all || exit 1
	echo "$(sum_metric ntarelay_link_received_total) $(sum_metric ntarelay_link_published_total)" \
		"$(sum_metric ntarelay_events_duplicate_total) $(sum_metric ntarelay_events_accepted_total)" \
		"$(sum_metric ntarelay_own_events_total)"
}
before=$(snap) || exit 1
row0=$(sqlite3 "file:$T/r0/store.db?mode=ro" 'SELECT coalesce(max(rowid), 0) FROM events')
cpu0=$(for r in $(relays); do awk '{ print $14 + $15 }' "/proc/$(pid_of "$r")/stat"; done |
	awk '{ s += $1 } END { print s }')
t_run=$(now_s)

# the events, one at a time
for r in $(relays); do echo "$T/$r"; done >"$T/dirs"
python3 - "$T/dirs" "$NE" "$TMO" >"$T/lat" 2>"$T/lat.err" <<'EOF'
import socket, sqlite3, sys, time, json
dirs = [l.strip() for l in open(sys.argv[1]) if l.strip()]
nevents, timeout = int(sys.argv[2]), float(sys.argv[3])
dbs = [sqlite3.connect("file:%s/store.db?mode=ro" % d, uri=True) for d in dirs]
n = len(dirs)

def submit(d, body):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(d + "/control.sock")
    s.sendall(("POST /v1/submit/zone_statement HTTP/1.1\r\nHost: localhost\r\n"
               "Content-Type: application/json\r\nContent-Length: %d\r\n"
               "Connection: close\r\n\r\n%s" % (len(body), body)).encode())
    data = b""
    while True:
        c = s.recv(65536)
        if not c:
            break
        data += c
    s.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    if b" 201 " not in head.split(b"\r\n")[0]:
        raise SystemExit("submission refused: %r" % data[:300])
    # the body may be chunked: the JSON object is between the first { and the last }
    return json.loads(rest[rest.index(b"{"):rest.rindex(b"}") + 1])["id"]

looks = 0
look_time = 0.0
for k in range(nevents):
    src = (k * 17) % n
    body = json.dumps({"zone": "s%d.scale.example." % k, "status": "investigating",
                       "note": "bench_scale event %d" % k, "expires_in": 3600})
    t0 = time.perf_counter()
    eid = bytes.fromhex(submit(dirs[src], body))
    t_sub = time.perf_counter()
    arrived = [None] * n
    left = set(range(n))
    while left and time.perf_counter() - t0 < timeout:
        r0 = time.perf_counter()
        for j in list(left):
            if dbs[j].execute("SELECT 1 FROM events WHERE id = ?", (eid,)).fetchone():
                arrived[j] = time.perf_counter() - t0
                left.discard(j)
        looks += 1
        look_time += time.perf_counter() - r0
        if left:
            time.sleep(0.002)
    others = [a for j, a in enumerate(arrived) if j != src and a is not None]
    ms = lambda v: "%.1f" % (v * 1000) if v is not None else "-"
    # k src submit_ms own_ms first_other_ms all_ms stores_reached
    print(k, src, ms(t_sub - t0), ms(arrived[src]), ms(min(others) if others else None),
          ms(max(arrived) if not left else None), n - len(left), eid.hex(), flush=True)
    time.sleep(0.3)   # one at a time: the last copies of this one die down
# a round's length plus the sleep between rounds: the time between two looks at one store
print("resolution_ms %.1f" % ((look_time / max(looks, 1) + 0.002) * 1000), file=sys.stderr)
EOF
prc=$?
sleep 2
t_end=$(now_s)
after=$(snap) || exit 1
cpu1=$(for r in $(relays); do awk '{ print $14 + $15 }' "/proc/$(pid_of "$r")/stat"; done |
	awk '{ s += $1 } END { print s }')
load1=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$prc" != 0 ]; then
	echo "bench_scale: the measurement failed:" >&2
	cat "$T/lat.err" >&2
	exit 1
fi

# every store holds every event once (the id is unique in a store: a
# second copy can only be a second row under another id, which it cannot
# be; counted anyway)
ids=$(awk '{ printf "%sx'"'"'%s'"'"'", (NR > 1 ? "," : ""), $8 }' "$T/lat")
incomplete=0
for r in $(relays); do
	c=$(fed_count "$r" "id IN ($ids)")
	[ "$c" = "$NE" ] || { echo "bench_scale: $r holds $c of the $NE events" >&2; incomplete=$((incomplete + 1)); }
done
events=$(sqlite3 "file:$T/r0/store.db?mode=ro" "SELECT count(*) FROM events WHERE rowid > $row0")
kinds=$(sqlite3 "file:$T/r0/store.db?mode=ro" "SELECT kind, count(*) FROM events WHERE rowid > $row0 GROUP BY kind" |
	awk -F'|' '{ printf "%s%s kind %s", (NR > 1 ? ", " : ""), $2, $1 }')

set -- $before; rx0=$1 tx0=$2 dup0=$3 acc0=$4 own0=$5
set -- $after; rx1=$1 tx1=$2 dup1=$3 acc1=$4 own1=$5
rx=$((rx1 - rx0)) tx=$((tx1 - tx0)) dup=$((dup1 - dup0))
# accepted from links: accepted minus the relays' own events
acc=$((acc1 - acc0 - (own1 - own0)))
other=$((rx - acc - dup))
pct() { sort -n | awk -v p="$1" '{ v[NR] = $1 } END { i = int(NR * p + 0.999999); if (i < 1) i = 1; print (NR ? v[i] : "n/a") }'; }
conv50=$(awk '$6 != "-" { print $6 }' "$T/lat" | pct 0.5)
conv99=$(awk '$6 != "-" { print $6 }' "$T/lat" | pct 0.99)
hop50=$(awk '$5 != "-" { print $5 }' "$T/lat" | pct 0.5)
hop99=$(awk '$5 != "-" { print $5 }' "$T/lat" | pct 0.99)
own50=$(awk '$4 != "-" { print $4 }' "$T/lat" | pct 0.5)
sub50=$(awk '{ print $3 }' "$T/lat" | pct 0.5)
nconv=$(awk '$6 != "-"' "$T/lat" | wc -l)
res=$(sed -n 's/^resolution_ms //p' "$T/lat.err")
per_link=$(awk -v r="$rx" -v e="$events" -v l="$LINKS" 'BEGIN { printf "%.2f", e ? r / (e * l) : 0 }')
pub_ev=$(awk -v t="$tx" -v e="$events" 'BEGIN { printf "%.1f", e ? t / e : 0 }')
dup_pct=$(awk -v d="$dup" -v r="$rx" 'BEGIN { printf "%.1f", r ? 100 * d / r : 0 }')
cpu_pct=$(awk -v a="$cpu0" -v b="$cpu1" -v s="$t_run" -v e="$t_end" -v hz="$(getconf CLK_TCK)" \
	'BEGIN { printf "%.0f", 100 * (b - a) / hz / (e - s) }')
rss=$(for r in $(relays); do rss_kib "$(pid_of "$r")"; done | mmm)
brss=$(b=0; while [ "$b" -lt "$NB" ]; do rss_kib "$(pid_of "b$b")"; b=$((b + 1)); done | mmm)

printf '\n%-58s %14s\n' "figure" "value"
printf '%-58s %14s\n' "events converged (in all $NR stores) / submitted" "$nconv / $NE"
printf '%-58s %14s\n' "convergence p50 ms (submission -> all $NR stores)" "$conv50"
printf '%-58s %14s\n' "convergence p99 ms (goal < 1000)" "$conv99"
printf '%-58s %14s\n' "  floor: one hop p50 ms (-> first other store)" "$hop50"
printf '%-58s %14s\n' "  floor: one hop p99 ms" "$hop99"
printf '%-58s %14s\n' "  submitter's own store p50 ms (201 answer: $sub50)" "$own50"
printf '%-58s %14s\n' "  arrival measured by: store polling, resolution ms" "$res"
printf '%-58s %14s\n' "MQTT messages received per event per link (bound 1)" "$per_link"
printf '%-58s %14s\n' "  ($rx received, $events events [$kinds], $LINKS links)" ""
printf '%-58s %14s\n' "MQTT messages published per event (all relays)" "$pub_ev"
printf '%-58s %14s\n' "copies dropped as duplicates, % of received" "$dup_pct"
printf '%-58s %14s\n' "  (received = $acc accepted + $dup duplicates + $other other)" ""
printf '%-58s %14s\n' "relays holding all $NE events exactly once" "$((NR - incomplete)) / $NR"
printf '%-58s %14s\n' "relay RSS KiB after the run: min median max" "$rss"
printf '%-58s %14s\n' "broker RSS KiB after the run: min median max" "$brss"
printf '%-58s %14s\n' "relays' CPU during the run, % of one core (all $NR)" "$cpu_pct"
printf '%-58s %14s\n' "load average before / after" "$load0 / $load1"
echo "bench: relays=$NR brokers=$NB events=$NE"
echo "bench: convergence_p50_ms=$conv50"
echo "bench: convergence_p99_ms=$conv99"
echo "bench: one_hop_p50_ms=$hop50"
echo "bench: one_hop_p99_ms=$hop99"
echo "bench: resolution_ms=$res"
echo "bench: messages_per_event_per_link=$per_link"
echo "bench: published_per_event=$pub_ev"
echo "bench: duplicates_dropped=$dup"
echo "bench: rss_kib_min_median_max=$(echo "$rss" | tr ' ' ,)"
[ "$incomplete" = 0 ] && [ "$nconv" = "$NE" ]
