#!/bin/sh
# bench/bench_reconcile.sh — what two relays with large stores exchange to
# find and fill what they differ by (docs/PROTOCOL.md 12.2), beside the
# size of their stores.
#
# Relays B and C, on broker m, both hold BENCH_RECONCILE_EVENTS events of
# operator A's relay key (one zone each). C stops, and comes back with a
# new MQTT session (another client id: as if its broker had lost its
# session, or the session had expired), so that no queue brings it what
# it missed. Meanwhile BENCH_RECONCILE_MISSED more events of A's key and
# then A's heartbeat (retained, announcing the head) flow through m; B
# takes them. Reported, from C's return until C holds every event:
#   - MQTT messages C received (the retained messages of its new
#     subscription, and the backfill answers);
#   - backfill requests B answered, and the envelope bytes it sent;
#   - the time it took;
# beside the number of events each store holds. What C must learn is
# BENCH_RECONCILE_MISSED events; a transfer of the stores would be
# BENCH_RECONCILE_EVENTS.
#
# Usage: bench/bench_reconcile.sh (from the build directory or with
# top_srcdir/top_builddir set). Environment: BENCH_RECONCILE_EVENTS
# (20000), BENCH_RECONCILE_MISSED (100). Run by `make bench-reconcile`.
. "$(dirname "$0")/lib.sh"
N=${BENCH_RECONCILE_EVENTS:-20000}
K=${BENCH_RECONCILE_MISSED:-100}

for o in A B C; do fed_operator "$o" >/dev/null || fail "keys"; done
t_mosquitto m >/dev/null 2>&1 || fail "the broker"
Aop=$(fed_keyid "$T/A/root.pub")
Akey=$(fed_keyid "$T/A/relay.pub")

# A's relay does not run: B and C know A's certificate from their trust
# databases, and A's events come from evgen, signed with A's relay key.
for r in B C; do
	mkdir -p "$T/$r"
	for o in A B C; do
		"$NTACTL" trust --db "$T/$r/trust.db" --net "$FED_NET" pin "$T/$o/root.pub" >/dev/null
	done
	"$NTACTL" trust --db "$T/$r/trust.db" import "$T/A/cert" >/dev/null
done
FED_CLIENT_IDS=1 FED_LOG_LEVEL=notice fed_relay B m >/dev/null || fail "relay B"
FED_CLIENT_IDS=1 FED_LOG_LEVEL=notice fed_relay C m >/dev/null || fail "relay C"

zero=$(printf '%064d' 0)
"$EVGEN" --key "$T/A/relay.key" --origin "$Aop" --net "$FED_NET" --kind observation \
	--zone rec.example. --vary-zone --count "$N" --seq 1000 --prev "$zero" \
	--lifetime 3600 --publish "127.0.0.1:$m_port" 2>"$T/last1" || fail "publishing"
held() { [ "$(fed_count "$1" "key = x'$Akey'")" -ge "$2" ]; }
t_wait 600 held B "$N" || fail "B holds $(fed_count B "key = x'$Akey'") of $N"
t_wait 600 held C "$N" || fail "C holds $(fed_count C "key = x'$Akey'") of $N"
storeB=$(fed_count B 1)
storeC=$(fed_count C 1)

fed_stop_relay C
sed -i 's/^link_client_id C-m$/link_client_id C-m-new/' "$T/C/ntarelay.conf"
grep -q '^link_client_id C-m-new$' "$T/C/ntarelay.conf" || fail "C's client id"
last=$(sed -n 's/^last [0-9]* //p' "$T/last1")
"$EVGEN" --key "$T/A/relay.key" --origin "$Aop" --net "$FED_NET" --kind observation \
	--zone missed.example. --vary-zone --count "$K" --seq $((1000 + N)) --prev "$last" \
	--lifetime 3600 --publish "127.0.0.1:$m_port" 2>"$T/last2" || fail "publishing"
last=$(sed -n 's/^last [0-9]* //p' "$T/last2")
"$EVGEN" --key "$T/A/relay.key" --origin "$Aop" --net "$FED_NET" --kind heartbeat \
	--seq $((1000 + N + K)) --prev "$last" --lifetime 180 \
	--publish "127.0.0.1:$m_port" 2>/dev/null || fail "the heartbeat"
t_wait 60 held B $((N + K + 1)) || fail "B holds $(fed_count B "key = x'$Akey'") of $((N + K + 1))"

recv0=$(fed_metric C ntarelay_link_received_total)
ans0=$(fed_metric B ntarelay_backfill_answered_total)
bytes0=$(fed_metric B ntarelay_backfill_sent_bytes_total)
t0=$(now_ns)
fed_start_relay C || fail "relay C did not restart"
t_wait 120 held C $((N + K + 1)) || fail "C holds $(fed_count C "key = x'$Akey'") of $((N + K + 1))"
t1=$(now_ns)
sleep 1   # what else arrives after C is complete (nothing should)
recv=$(( $(fed_metric C ntarelay_link_received_total) - recv0 ))
ans=$(( $(fed_metric B ntarelay_backfill_answered_total) - ans0 ))
bytes=$(( $(fed_metric B ntarelay_backfill_sent_bytes_total) - bytes0 ))
dups=$(fed_metric C ntarelay_events_duplicate_total)
env_bytes=$("$EVGEN" --key "$T/A/relay.key" --origin "$Aop" --net "$FED_NET" \
	--kind observation --zone x.example. 2>/dev/null | wc -c)

printf '\n%-52s %12s\n' "figure" "value"
printf '%-52s %12s\n' "events held by B / by C before C left" "$storeB / $storeC"
printf '%-52s %12s\n' "events C missed (A's, and A's heartbeat)" "$((K + 1))"
printf '%-52s %12s\n' "MQTT messages C received after its return" "$recv"
printf '%-52s %12s\n' "backfill requests B answered" "$ans"
printf '%-52s %12s\n' "envelope bytes B sent in answers" "$bytes"
printf '%-52s %12s\n' "  (one envelope is about, bytes)" "$env_bytes"
printf '%-52s %12s\n' "C's return -> C holds every event, ms" "$(ms_between "$t0" "$t1")"
echo "bench: reconcile_store_events=$storeC"
echo "bench: reconcile_missed=$((K + 1))"
echo "bench: reconcile_received=$recv"
echo "bench: reconcile_answers=$ans"
echo "bench: reconcile_answer_bytes=$bytes"
echo "bench: reconcile_ms=$(ms_between "$t0" "$t1")"
echo "bench: reconcile_duplicates_total=$dups"
