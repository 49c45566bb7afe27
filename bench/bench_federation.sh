#!/bin/sh
# bench/bench_federation.sh — ntarelayd end to end, each figure beside the
# ceiling it is bounded by, measured in the same run on this machine.
#
#   1. ingest: events/s one relay takes from its broker and stores
#      (MQTT in -> dedupe -> verify -> trust -> acceptance -> store ->
#      forward), beside (a) raw Ed25519 verify/s on one core
#      (bench/bench_proto) and (b) raw Mosquitto QoS 1 delivery/s between
#      two plain clients over the same broker and the same messages.
#      Run twice, with a fresh store: the relay pinned to one core with
#      signatures checked on its loop thread (verify_workers 0; target:
#      >= 80% of (a)), then on every core with one verification worker
#      per core (verify_workers auto; target: more than (a)). Beside each
#      rate, the relay's CPU time per event (all threads; the loop thread).
#   2. latency: publish on broker a -> relay B -> forwarded to broker c
#      (where relay C reads it), at BENCH_RATE events/s: p50 and p99, with
#      forward_delay 100 (the default: each forward held 50 to 100 ms for
#      forward suppression) and with forward_delay 0 (the pipeline alone;
#      target: p99 < 20 ms).
#   3. resident memory of the relay after BENCH_MEMORY_EVENTS stored
#      events (0: skipped; 1000000 for the issue's figure, minutes).
#
# Usage: bench/bench_federation.sh   (from the build directory or with
# top_srcdir/top_builddir set). Environment: BENCH_EVENTS (20000),
# BENCH_RATE (1000), BENCH_LATENCY_EVENTS (1000), BENCH_MEMORY_EVENTS (0),
# BENCH_ONE_CORE (1; 0 skips the one-core run), BENCH_WORKERS (auto:
# verify_workers of the second run), BENCH_ZONES (0: each event in a zone
# of its own, the worst case, a signed decision per event; K: events spread
# over K zones).
. "$(dirname "$0")/lib.sh"
N=${BENCH_EVENTS:-20000}
RATE=${BENCH_RATE:-1000}
NLAT=${BENCH_LATENCY_EVENTS:-1000}
NMEM=${BENCH_MEMORY_EVENTS:-0}
ZONES=${BENCH_ZONES:-0}
zones_opt=--vary-zone
[ "$ZONES" -gt 0 ] && zones_opt="--zones $ZONES"


for o in A B C; do fed_operator "$o" >/dev/null; done
t_mosquitto a >/dev/null
t_mosquitto c >/dev/null
Aop=$(fed_keyid "$T/A/root.pub")

echo "bench_federation: $N events of about $(( $("$EVGEN" --key "$T/A/relay.key" --origin "$Aop" --net "$FED_NET" 2>/dev/null | wc -c) )) bytes"

# (a) raw verify on one core
raw_verify=$(raw_verify_rate)

# The messages, signed once, replayed for both measurements. Each in a zone
# of its own (<i>.bench.example.): in one zone the per-operator quota
# (zone_events_per_operator, 512 live events) would refuse the rest.
"$EVGEN" --key "$T/A/relay.key" --origin "$Aop" --net "$FED_NET" --kind observation \
	--zone bench.example. $zones_opt --count "$N" --seq 1000 --prev "$(printf '%064d' 0)" \
	--topics >"$T/msgs" 2>/dev/null

# (b) Mosquitto QoS 1 delivery between two plain clients
mosquitto_sub -h 127.0.0.1 -p "$a_port" -q 1 -t "ntarelay/v1/$FED_NET/obs/#" -C "$N" >/dev/null &
sub=$!
t_pid "$sub"
sleep 0.5
t0=$(now_ns)
"$EVGEN" --replay "$T/msgs" --publish "127.0.0.1:$a_port"
wait "$sub"
t1=$(now_ns)
raw_mqtt=$(per_s "$N" "$t0" "$t1")

# ingest by one relay (A's relay is not running: B gets A's certificate
# from its own trust database), twice with a fresh store: on one core
# (pinned, signatures checked on the loop thread: verify_workers 0), then
# with every core (verify_workers auto: one worker per core). Beside each
# rate, the relay's CPU time per event: all its threads, and the loop
# thread alone (what bounds the rate once verification is off it).
mkdir -p "$T/B"
for o in A B C; do
	"$NTACTL" trust --db "$T/B/trust.db" --net "$FED_NET" pin "$T/$o/root.pub" >/dev/null
done
"$NTACTL" trust --db "$T/B/trust.db" import "$T/A/cert" >/dev/null
has_certs() { [ "$(fed_count B 'kind = 6')" -ge 1 ]; }
# polled through the relay's own counter: cheaper than a query of the store
obs_accepted() { fed_metric B 'ntarelay_events_accepted_total{kind="observation"}'; }
all_in() { [ "$(obs_accepted)" -ge $((base + $2)) ]; }
ticks() { awk '{ print $14 + $15 }' "$1"; }
ncpu=$(getconf _NPROCESSORS_ONLN)
ingest_run() {   # LABEL WRAP CONFIG; sets ingest, cpu_us, loop_us
	FED_WRAP="$2 ${FED_WRAP:-}" FED_EXTRA=$3 FED_LOG_LEVEL=warn fed_relay B a c >/dev/null
	t_wait 10 has_certs
	base=$(obs_accepted)
	c0=$(ticks "/proc/$B_pid/stat"); l0=$(ticks "/proc/$B_pid/task/$B_pid/stat")
	t0=$(now_ns)
	"$EVGEN" --replay "$T/msgs" --publish "127.0.0.1:$a_port"
	if ! t_wait 600 all_in bench.example. "$N"; then
		echo "bench_federation: $1: the relay stored only $(fed_count B "zone LIKE '%bench.example.'") of $N events" >&2
		exit 1
	fi
	t1=$(now_ns)
	c1=$(ticks "/proc/$B_pid/stat"); l1=$(ticks "/proc/$B_pid/task/$B_pid/stat")
	ingest=$(per_s "$N" "$t0" "$t1")
	hz=$(getconf CLK_TCK)
	cpu_us=$(awk -v a="$c0" -v b="$c1" -v n="$N" -v hz="$hz" 'BEGIN { printf "%.0f", (b - a) * 1e6 / hz / n }')
	loop_us=$(awk -v a="$l0" -v b="$l1" -v n="$N" -v hz="$hz" 'BEGIN { printf "%.0f", (b - a) * 1e6 / hz / n }')
}
if [ "$ncpu" -gt 1 ] && [ "${BENCH_ONE_CORE:-1}" = 1 ] && command -v taskset >/dev/null; then
	ingest_run "one core" "taskset -c 0" "verify_workers 0"
	ingest1=$ingest cpu1=$cpu_us loop1=$loop_us
	kill "$B_pid"; wait "$B_pid" 2>/dev/null
	rm -f "$T/B/store.db" "$T/B/store.db-wal" "$T/B/store.db-shm"
else
	ingest1=n/a cpu1=n/a loop1=n/a
fi
ingest_run "all cores" "" "verify_workers ${BENCH_WORKERS:-auto}"
# disk: the store (and its write-ahead log) per event held
store_bytes=$(cat "$T/B/store.db" "$T/B/store.db-wal" 2>/dev/null | wc -c)
store_n=$(fed_count B "1")
store_per_event=$(awk -v b="$store_bytes" -v n="$store_n" 'BEGIN { printf "%.0f", n ? b / n : 0 }')
lower=$(( raw_verify < raw_mqtt ? raw_verify : raw_mqtt ))

# latency a -> B -> c, twice: B as configured (forward_delay 100, the
# default: a forwarded event is held 50 to 100 ms so that a copy arriving
# from the other link can cancel it; docs/OPERATIONS.md 6.7), then B
# restarted with forward_delay 0: the pipeline itself (target p99 < 20 ms).
latency_run() {   # SEQ; sets p50 p99 nl
	mosquitto_sub -h 127.0.0.1 -p "$lc_port" -q 1 -t "ntarelay/v1/$FED_NET/obs/#" -F '%U %t' -C "$NLAT" >"$T/arrivals" &
	sub=$!
	t_pid "$sub"
	sleep 0.5
	"$EVGEN" --key "$T/A/relay.key" --origin "$Aop" --net "$FED_NET" --kind observation \
		--zone "lat$1.example." --vary-zone --count "$NLAT" --seq "$1" --prev "$(printf '%064d' 0)" \
		--rate "$RATE" --log "$T/sent" --publish "127.0.0.1:$la_port" 2>/dev/null
	t_wait 60 sh -c "! kill -0 $sub"
	lat=$(awk 'NR == FNR { sent[$2] = $1; next } ($2 in sent) { printf "%.3f\n", ($1 - sent[$2]) * 1000 }' \
		"$T/sent" "$T/arrivals" | sort -n | awk '{ v[NR] = $1 } END {
			if (NR == 0) { print "n/a n/a 0"; exit }
			printf "%s %s %d\n", v[int(NR * 0.5 + 0.5)], v[int(NR * 0.99 + 0.5)], NR }')
	p50=${lat%% *}; rest=${lat#* }; p99=${rest%% *}; nl=${lat##* }
}
# Each on a fresh store and two brokers of its own: the ingest runs left
# B with BENCH_EVENTS zones in incident, and brokers a and c with what B
# forwarded (retained), which a fresh B would take in first.
t_mosquitto la >/dev/null
t_mosquitto lc >/dev/null
fresh_relay() {   # CONFIG
	kill "$B_pid"; wait "$B_pid" 2>/dev/null
	rm -f "$T/B/store.db" "$T/B/store.db-wal" "$T/B/store.db-shm"
	FED_EXTRA=$1 FED_LOG_LEVEL=warn fed_relay B la lc >/dev/null
	t_wait 10 has_certs
}
fresh_relay "verify_workers ${BENCH_WORKERS:-auto}"
latency_run 200000
p50d=$p50 p99d=$p99 nld=$nl
fresh_relay "verify_workers ${BENCH_WORKERS:-auto}
forward_delay 0"
latency_run 250000

printf '\n%-48s %12s\n' "figure" "value"
printf '%-48s %12s\n' "raw Ed25519 verify/s (one core)" "$raw_verify"
printf '%-48s %12s\n' "raw Mosquitto QoS 1 delivery/s (plain clients)" "$raw_mqtt"
pct() { awk -v i="$1" -v l="$2" 'BEGIN { if (i == "n/a") print "n/a"; else printf "%.1f%%\n", 100 * i / l }'; }
printf '%-48s %12s\n' "ingest events/s, relay on one core" "$ingest1"
printf '%-48s %12s\n' "  / raw verify on one core (target >= 80%)" "$(pct "$ingest1" "$raw_verify")"
printf '%-48s %12s\n' "  relay CPU us/event (loop thread)" "$cpu1 ($loop1)"
printf '%-48s %12s\n' "ingest events/s, relay on $ncpu cores" "$ingest"
printf '%-48s %12s\n' "  / raw verify on one core (target > 100%)" "$(pct "$ingest" "$raw_verify")"
printf '%-48s %12s\n' "  / lower ceiling (verify, MQTT)" "$(pct "$ingest" "$lower")"
printf '%-48s %12s\n' "  relay CPU us/event (loop thread)" "$cpu_us ($loop_us)"
printf '%-48s %12s\n' "store bytes per event ($store_n events)" "$store_per_event"
printf '%-48s %12s\n' "latency a->B->c p50 ms, forward_delay 100" "$p50d"
printf '%-48s %12s\n' "  p99 ms ($nld events at $RATE/s; bound 100 + pipeline)" "$p99d"
printf '%-48s %12s\n' "latency a->B->c p50 ms, forward_delay 0" "$p50"
printf '%-48s %12s\n' "  p99 ms ($nl events at $RATE/s; target < 20)" "$p99"
echo "bench: raw_verify_per_s=$raw_verify"
echo "bench: raw_mqtt_per_s=$raw_mqtt"
echo "bench: ingest_one_core_per_s=$ingest1"
echo "bench: ingest_one_core_cpu_us=$cpu1"
echo "bench: ingest_per_s=$ingest"
echo "bench: ingest_cpu_us=$cpu_us"
echo "bench: ingest_loop_us=$loop_us"
echo "bench: store_bytes_per_event=$store_per_event"
echo "bench: latency_delayed_p50_ms=$p50d"
echo "bench: latency_delayed_p99_ms=$p99d"
echo "bench: latency_p50_ms=$p50"
echo "bench: latency_p99_ms=$p99"

if [ "$NMEM" -gt 0 ]; then
	"$EVGEN" --key "$T/A/relay.key" --origin "$Aop" --net "$FED_NET" --kind observation \
		--zone mem.example. --count "$NMEM" --seq 300000 --prev "$(printf '%064d' 0)" \
		--lifetime 3600 --topics >"$T/mem" 2>/dev/null
	# in chunks the relay keeps up with: a broker drops QoS 1 messages for
	# a subscriber whose queue is full (max_queued_messages)
	base=$(obs_accepted)
	split -l 50000 "$T/mem" "$T/memchunk."
	done_n=0
	for chunk in "$T"/memchunk.*; do
		"$EVGEN" --replay "$chunk" --publish "127.0.0.1:$la_port"
		done_n=$((done_n + $(wc -l <"$chunk")))
		t_wait 600 all_in mem.example. "$done_n" || break
		rm -f "$chunk"
	done
	rss=$(awk '/VmRSS/ { print $2 }' "/proc/$B_pid/status")
	printf '%-48s %9s KiB\n' "resident memory after $NMEM more events (< 64 MiB)" "$rss"
	echo "bench: rss_kib=$rss"
fi
