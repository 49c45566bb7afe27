#!/bin/sh
# bench/bench_flood.sh — what a member's flood of one zone costs the
# zone's evaluation (issue 12, attack 3), beside the same figure for a zone
# nobody floods, measured in the same run on this machine.
#
# One relay A on one broker; operators A-D pinned. In calm.example. A, B
# and C observe a failure and A and C recommend an NTA. In flood.example.
# the same, and D certifies 128 keys and publishes 64 live observations
# from each (8,192), as the attack of issue 12 did; the relay refuses what
# is over D's quota. Then GET /v1/zones/{zone}, which evaluates the zone
# for the request, is loaded over keep-alive connections (bench/httpload)
# for each zone: requests/s and latency, flooded beside calm (the bound:
# the flood must not make a zone's evaluation cost more than a few keys
# and words). ntarelay 0.1 answered the flooded zone in about 0.12 s.
#
# Usage: bench/bench_flood.sh (from the build directory or with
# top_srcdir/top_builddir set); `make bench` runs it. Environment:
# BENCH_SECONDS (3), BENCH_CONNECTIONS (4).
. "$(dirname "$0")/lib.sh"
SECS=${BENCH_SECONDS:-3}
CONNS=${BENCH_CONNECTIONS:-4}
LOAD="$top_builddir/bench/httpload"

for o in A B C D; do fed_operator "$o" >/dev/null; done
t_mosquitto m >/dev/null
FED_LOG_LEVEL=notice
fed_relay A m >/dev/null || { echo "bench_flood: relay A did not start"; exit 1; }
opid() { fed_keyid "$T/$1/root.pub"; }
pubtrust() {
	mosquitto_pub -h 127.0.0.1 -p "$m_port" -q 1 -r \
		-t "ntarelay/v1/$FED_NET/trust/$2/$("$NTACTL" id "$1")" -f "$1"
}
# K WHO NAME: a key of WHO's, certified and announced; its files $T/WHO/NAME.*
key() {
	"$NTACTL" keygen --name "$(echo "$2" | tr / _)" --out "$T/$1/$2" >/dev/null &&
	"$NTACTL" cert --net "$FED_NET" --root "$T/$1/root.key" --subject "$T/$1/$2.pub" \
		--days 30 >"$T/$1/$2.cert" && pubtrust "$T/$1/$2.cert" "$(opid "$1")"
}
for o in A B C; do key "$o" staff || exit 1; done
mkdir -p "$T/D/k"
i=0
while [ $i -lt 128 ]; do key D "k/$i" || exit 1; i=$((i + 1)); done
known() { "$NTACTL" trust --db "$T/A/trust.db" why "$T/D/k/127.pub" | grep -qi cert; }
t_wait 30 known || { echo "bench_flood: relay A does not know D's keys"; exit 1; }
# gen WHO KEYFILE ZONE ARGS..: events of one key, a fresh chain
gen() {
	_who=$1 _k=$2 _z=$3; shift 3
	"$EVGEN" --key "$_k" --origin "$(opid "$_who")" --net "$FED_NET" --zone "$_z" \
		--lifetime 3000 "$@" --publish "127.0.0.1:$m_port" >/dev/null
}
for o in A B C; do
	gen "$o" "$T/$o/staff.key" calm.example. --kind observation --seq 1 --count 1 \
		2>"$T/$o/obs.last"
	set -- $(cat "$T/$o/obs.last")
	gen "$o" "$T/$o/staff.key" flood.example. --kind observation --seq 2 --prev "$3" \
		--count 1 2>/dev/null
done
# the assessments need their own chains: new keys of A and C
for o in A C; do key "$o" asm || exit 1; done
t_wait 30 sh -c "'$NTACTL' trust --db '$T/A/trust.db' why '$T/C/asm.pub' | grep -qi cert"
for o in A C; do
	gen "$o" "$T/$o/asm.key" calm.example. --kind assessment --seq 1 --count 1 2>"$T/$o/asm.last"
	set -- $(cat "$T/$o/asm.last")
	gen "$o" "$T/$o/asm.key" flood.example. --kind assessment --seq 2 --prev "$3" \
		--count 1 2>/dev/null
done
state() { curl -fs "http://127.0.0.1:$A_http/v1/zones/$1" | jq -r .state; }
t_wait 30 sh -c "[ \"\$(curl -fs http://127.0.0.1:$A_http/v1/zones/flood.example. | jq -r .state)\" = nta_recommended ]" ||
	echo "bench_flood: flood.example. is $(state flood.example.) before the flood"
i=0
while [ $i -lt 128 ]; do
	pids=
	for k in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
		gen D "$T/D/k/$((i + k)).key" flood.example. --kind observation \
			--count 64 2>/dev/null &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086
	wait $pids
	i=$((i + 16))
done
settled() { [ "$(fed_metric A 'ntarelay_events_rejected_total{reason="quota"}')" -ge 7000 ]; }
t_wait 60 settled
refused=$(fed_metric A 'ntarelay_events_rejected_total{reason="quota"}')
held=$(sqlite3 "file:$T/A/store.db?mode=ro" "SELECT count(*) FROM events WHERE zone = 'flood.example.' AND origin = x'$(opid D)'")
calm=$("$LOAD" -c "$CONNS" -d "$SECS" "http://127.0.0.1:$A_http/v1/zones/calm.example.")
flood=$("$LOAD" -c "$CONNS" -d "$SECS" "http://127.0.0.1:$A_http/v1/zones/flood.example.")
field() { echo "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }
echo "bench_flood: D published 8192 observations of flood.example. from 128 keys;"
echo "  relay A refused $refused (quota) and holds $held of D's events in the zone"
echo "  the zone's state after the flood: $(state flood.example.) (every operator's view and words are in the evaluation)"
echo "bench_flood: GET /v1/zones/{zone} (evaluated for the request), $CONNS connections, ${SECS} s:"
echo "  flooded: rps $(field "$flood" rps), p50 $(field "$flood" p50_us) us, p99 $(field "$flood" p99_us) us"
echo "  calm:    rps $(field "$calm" rps), p50 $(field "$calm" p50_us) us, p99 $(field "$calm" p99_us) us (the bound)"
echo "  ntarelay 0.1: about 120000 us per request for the flooded zone"
exit 0
