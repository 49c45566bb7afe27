#!/bin/sh
# bench/bench_quorum.sh — the quorum engine and its API, each figure beside
# its ceiling measured in the same run on this machine.
#
#   1. decision latency: for each of BENCH_ZONES zones, the Q-th
#      assessment is submitted on relay A's control socket; the time until
#      relay B decides nta_recommended (its decision log line, the moment
#      its API answers so) — p50 and p99. Two operators C and D (evgen,
#      straight to the broker) supply the observations and the first
#      assessment. Ceiling: one MQTT QoS 1 hop, publisher to subscriber,
#      on the same broker (mosquitto_pub -> mosquitto_sub), p50.
#   2. GET /v1/zones/{zone}: requests/s with BENCH_ZONES zones in
#      incident, over keep-alive connections (bench/httpload), beside a
#      trivial libmicrohttpd handler run the way the relay runs it
#      (bench/httpd_trivial): the ceiling.
#   3. from the fix to the NTA's removal: C and D, the vantage points,
#      see every zone validate again at once (the fix); the time until B
#      decides resolved for each zone (what `ntactl nta watch` removes the
#      NTA on), p50 and p99, beside resolve_after (BENCH_RESOLVE_AFTER,
#      10 s): the floor, since the recommendation is held until M
#      operators have validated that long.
#
# Usage: bench/bench_quorum.sh (from the build directory, or with
# top_srcdir/top_builddir set). Environment: BENCH_ZONES (100),
# BENCH_SECONDS (5), BENCH_CONNECTIONS (8).
. "$(dirname "$0")/lib.sh"
NZ=${BENCH_ZONES:-100}
SECS=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-8}
LOAD="$top_builddir/bench/httpload"
TRIVIAL="$top_builddir/bench/httpd_trivial"

pct() { sort -n | awk -v p="$1" '{ v[NR] = $1 } END { i = int((NR * p + 99) / 100); if (i < 1) i = 1; if (i > NR) i = NR; printf "%.1f", v[i] }'; }

for o in A B C D; do fed_operator "$o" >/dev/null; done
t_mosquitto m >/dev/null
FED_LOG_LEVEL=notice
RA=${BENCH_RESOLVE_AFTER:-10}
FED_EXTRA="resolve_after $RA"
export FED_EXTRA
# C and D run no relay: A and B learn their relay keys from their certificates
for r in A B; do
	for o in A B C D; do
		"$NTACTL" trust --db "$T/$r/trust.db" --net "$FED_NET" pin "$T/$o/root.pub" >/dev/null
	done
	for o in C D; do "$NTACTL" trust --db "$T/$r/trust.db" import "$T/$o/cert" >/dev/null; done
done
fed_relay A m >/dev/null || { echo "bench_quorum: relay A did not start"; exit 1; }
fed_relay B m >/dev/null || { echo "bench_quorum: relay B did not start"; exit 1; }
Cop=$(fed_keyid "$T/C/root.pub")
Dop=$(fed_keyid "$T/D/root.pub")

# C and D observe every zone (one fingerprint), C recommends an NTA:
# each zone then waits for the second of Q = max(2, ceil(4/3)) = 2.
"$EVGEN" --key "$T/C/relay.key" --origin "$Cop" --net "$FED_NET" --kind observation \
	--zone bench. --vary-zone --count "$NZ" --lifetime 3600 \
	--publish "127.0.0.1:$m_port" 2>"$T/c.last" || exit 1
"$EVGEN" --key "$T/D/relay.key" --origin "$Dop" --net "$FED_NET" --kind observation \
	--zone bench. --vary-zone --count "$NZ" --lifetime 3600 \
	--publish "127.0.0.1:$m_port" 2>"$T/d.last" || exit 1
set -- $(cat "$T/c.last")
"$EVGEN" --key "$T/C/relay.key" --origin "$Cop" --net "$FED_NET" --kind assessment \
	--zone bench. --vary-zone --count "$NZ" --lifetime 3600 --seq $(($2 + 1)) --prev "$3" \
	--publish "127.0.0.1:$m_port" 2>"$T/c.last" || exit 1
ready() { for r in A B; do [ "$(fed_count "$r" "zone LIKE '%.bench.' AND kind IN (0, 1)")" -ge $((3 * NZ)) ] || return 1; done; }
t_wait 60 ready || { echo "bench_quorum: the relays did not receive the setup events"; exit 1; }
sleep 1

# 1. decision latency
: >"$T/sent"
i=0
while [ $i -lt "$NZ" ]; do
	t0=$(date +%s%N)
	curl -s -o /dev/null --unix-socket "$T/A/control.sock" \
		-d "{\"zone\":\"$i.bench.\",\"verdict\":\"accident\",\"recommend_nta\":true,\"lifetime\":3600}" \
		http://localhost/v1/submit/assessment
	echo "$i.bench. $t0" >>"$T/sent"
	i=$((i + 1))
	sleep 0.02
done
decided() { [ "$(grep -c -- '-> nta_recommended' "$T/B/relay.log")" -ge "$NZ" ]; }
t_wait 60 decided || echo "bench_quorum: only $(grep -c -- '-> nta_recommended' "$T/B/relay.log") of $NZ decisions at B"
# "2026-11-28T02:10:37.354Z ntarelayd[1] notice: decision ZONE: X -> nta_recommended"
grep -- '-> nta_recommended' "$T/B/relay.log" | while read -r ts _ _ _ zone _; do
	zone=${zone%:}
	ms=$(date -d "$ts" +%s%3N)
	sent=$(awk -v z="$zone" '$1 == z { print $2 }' "$T/sent")
	[ -n "$sent" ] && awk -v a="$sent" -v b="$ms" 'BEGIN { printf "%.1f\n", b - a / 1e6 }'
done >"$T/lat"
# the ceiling: one QoS 1 hop through the same broker
: >"$T/hop"
j=0
while [ $j -lt 50 ]; do
	mosquitto_sub -h 127.0.0.1 -p "$m_port" -q 1 -t "bench/hop" -C 1 -W 5 >"$T/hop.msg" &
	sp=$!
	sleep 0.05
	t0=$(date +%s%N)
	mosquitto_pub -h 127.0.0.1 -p "$m_port" -q 1 -t bench/hop -m "$t0"
	wait "$sp"
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000 )) | awk '{ printf "%.1f\n", $1 / 1000 }' >>"$T/hop"
	j=$((j + 1))
done
echo "bench_quorum: decision latency, Q-th assessment on A's control socket -> nta_recommended at B:"
echo "  $(wc -l <"$T/lat") decisions: p50 $(pct 50 <"$T/lat") ms, p99 $(pct 99 <"$T/lat") ms"
echo "  ceiling (mosquitto_pub -> mosquitto_sub through the same broker, incl. process start): p50 $(pct 50 <"$T/hop") ms"

# 2. GET /v1/zones/{zone} with NZ zones in incident
incident() { [ "$(curl -fs "http://127.0.0.1:$B_http/v1/zones" | jq .count)" -ge "$NZ" ]; }
t_wait 30 incident || echo "bench_quorum: fewer than $NZ zones in incident at B"
set --
i=0
while [ $i -lt "$NZ" ]; do set -- "$@" "http://127.0.0.1:$B_http/v1/zones/$i.bench."; i=$((i + 1)); done
relay_out=$("$LOAD" -c "$CONNS" -d "$SECS" "$@")
"$TRIVIAL" "$T/trivial.port" &
tp=$!
t_pid "$tp"
t_wait 5 test -s "$T/trivial.port"
triv_out=$("$LOAD" -c "$CONNS" -d "$SECS" "http://127.0.0.1:$(cat "$T/trivial.port")/v1/zones/x.")
kill "$tp"
rps() { echo "$1" | awk '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' k="$2"; }
r1=$(rps "$relay_out" rps) r2=$(rps "$triv_out" rps)
echo "bench_quorum: GET /v1/zones/{zone}, $NZ zones in incident, $CONNS connections, ${SECS} s:"
echo "  relay:   $relay_out"
echo "  trivial: $triv_out"
echo "  relay at $(awk -v a="$r1" -v b="$r2" 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }')% of the trivial handler's requests/s"

# 3. the fix: C and D see every zone validate at once
fix0=$(date +%s%N)
for who in C D; do
	op=$(eval echo "\$${who}op")
	set -- $(cat "$T/$(echo "$who" | tr CD cd).last")
	"$EVGEN" --key "$T/$who/relay.key" --origin "$op" --net "$FED_NET" --kind observation \
		--state secure --zone bench. --vary-zone --count "$NZ" --lifetime 3600 \
		--seq $(($2 + 1)) --prev "$3" --publish "127.0.0.1:$m_port" 2>/dev/null || exit 1
done
resolved() { [ "$(grep -c -- '-> resolved' "$T/B/relay.log")" -ge "$NZ" ]; }
t_wait $((RA + 60)) resolved ||
	echo "bench_quorum: only $(grep -c -- '-> resolved' "$T/B/relay.log") of $NZ zones resolved at B"
held=$(grep -c 'recovering' "$T/B/relay.log")
grep -- '-> resolved' "$T/B/relay.log" | while read -r ts _; do
	ms=$(date -d "$ts" +%s%3N)
	awk -v a="$fix0" -v b="$ms" 'BEGIN { printf "%.1f\n", (b - a / 1e6) / 1000 }'
done >"$T/fix"
echo "bench_quorum: from the fix (C and D validate every zone again) to resolved at B, resolve_after $RA s:"
echo "  $(wc -l <"$T/fix") zones: p50 $(pct 50 <"$T/fix") s, p99 $(pct 99 <"$T/fix") s; floor: resolve_after, $RA s"
echo "  the recommendation was held meanwhile ($held 'recovering' lines in B's log; nta_recommended throughout)"
exit 0
