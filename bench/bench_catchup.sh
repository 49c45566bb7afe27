#!/bin/sh
# bench/bench_catchup.sh — how fast a relay that was away catches up, and how
# long after a broker returns a relay holds what was published through it,
# each beside its ceiling measured in the same run on this machine.
#
#   1. catch-up: relay B is stopped (its persistent session stays on broker
#      m), BENCH_CATCHUP_EVENTS events from operator A flow through m, then
#      B starts: events/s from B's start to the last event accepted (the
#      start itself, opening the store and the trust database, included),
#      beside raw Ed25519 verify/s on one core (bench/bench_proto).
#      Target (issue 16): >= 5,000 events/s after 100,000. B signs no
#      decision while it drains the backlog (relay/fed/catchup.h); then it
#      decides each zone (here one per event, the worst case): reported
#      apart, the time from B's start until every zone is decided and the
#      rate of decisions after the catch-up.
#   2. a link returns: broker m is stopped (SIGTERM: it saves its sessions)
#      and started again on
#      its port; one event is published as soon as it accepts connections.
#      Reported: broker up -> B's link up (the reconnect backoff, capped at
#      5 s: relay/fed/link.c; B's /healthz polled every 100 ms), and B's
#      link up -> the event in B's store, over BENCH_RETURN_ROUNDS rounds.
#      Target: < 1 s after the reconnect. The broker holds one retained
#      message per zone; the resumed session does not get them again
#      (relay/fed/link.c, on_connect), so the event is not queued behind N
#      duplicates.
#
# Usage: bench/bench_catchup.sh (from the build directory or with
# top_srcdir/top_builddir set). Environment: BENCH_CATCHUP_EVENTS (100000),
# BENCH_RETURN_ROUNDS (5). Run by `make bench-catchup` and `make bench`.
# Each round's event has a seq of its own range (500000 + 100 i).
. "$(dirname "$0")/lib.sh"
N=${BENCH_CATCHUP_EVENTS:-100000}
ROUNDS=${BENCH_RETURN_ROUNDS:-5}


for o in A B; do fed_operator "$o" >/dev/null || fail "keys"; done
t_mosquitto m >/dev/null 2>&1 || fail "the broker"
Aop=$(fed_keyid "$T/A/root.pub")
raw_verify=$(raw_verify_rate)

# Each event in a zone of its own, as bench_federation does: one zone would
# hit the per-operator zone quota (zone_events_per_operator).
"$EVGEN" --key "$T/A/relay.key" --origin "$Aop" --net "$FED_NET" --kind observation \
	--zone catchup.example. --vary-zone --count "$N" --seq 1000 --prev "$(printf '%064d' 0)" \
	--lifetime 3600 --topics >"$T/msgs" 2>/dev/null || fail "evgen"

mkdir -p "$T/B"
for o in A B; do
	"$NTACTL" trust --db "$T/B/trust.db" --net "$FED_NET" pin "$T/$o/root.pub" >/dev/null
done
"$NTACTL" trust --db "$T/B/trust.db" import "$T/A/cert" >/dev/null
FED_LOG_LEVEL=notice fed_relay B m >/dev/null || fail "relay B"
has_certs() { [ "$(fed_count B 'kind = 6')" -ge 1 ]; }
t_wait 10 has_certs || fail "B has no certificate"
fed_stop_relay B    # its session (clean start off) keeps B's queue on m

t0=$(now_ns)
# the broker queues them for B (max_queued_messages 200000, lib.sh)
"$EVGEN" --replay "$T/msgs" --publish "127.0.0.1:$m_port" || fail "publishing"
t1=$(now_ns)
echo "bench_catchup: $N events published while B was away in $(ms_between "$t0" "$t1") ms"

# Counted in B's store (read-only, on the (key, seq) index: a few ms), not
# by GET /metrics: once B decides, /metrics lists the state of each zone in
# incident (some 43 MB at 100,000 zones), and polling it would measure the
# scrapes. A's events are the catch-up; B's own events are its decisions
# (one per zone: each event is in a zone of its own) and its heartbeats.
Akey=$(fed_keyid "$T/A/relay.pub")
Bkey=$(fed_keyid "$T/B/relay.pub")
key_count() {
	sqlite3 "file:$T/B/store.db?mode=ro" "SELECT count(*) FROM events WHERE key = X'$1'" 2>/dev/null || echo 0
}
all_in() { [ "$(key_count "$Akey")" -ge "$N" ]; }
decided() { [ "$(key_count "$Bkey")" -ge "$((own0 + N))" ]; }
own0=$(key_count "$Bkey")
t0=$(now_ns)
fed_start_relay B || fail "relay B did not restart"
t_wait 900 all_in || fail "B holds only $(key_count "$Akey") of $N"
t1=$(now_ns)
catchup=$(awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / ((b - a) / 1e9) }')
stored=$(fed_count B "kind = 0 AND zone LIKE '%catchup.example.'")
[ "$stored" -eq "$N" ] || fail "B stored $stored of $N"
# then B decides each of the N zones (it signed nothing while it drained
# the backlog: relay/fed/catchup.h), a slice at a time (relay/quorum)
t_wait 900 decided || fail "B decided only $(( $(key_count "$Bkey") - own0 )) of $N zones"
t2=$(now_ns)
decide_s=$(awk -v a="$t0" -v b="$t2" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
decide_rate=$(awk -v n="$N" -v a="$t1" -v b="$t2" 'BEGIN { printf "%.0f", n / ((b - a) / 1e9) }')

# 2. a link returns
# B's only link is up when /healthz answers 200 (the store writes, B caught
# up). Not GET /metrics: after this catch-up it lists the state of each of
# the N zones in incident (ntarelay_zone_state, six series a zone: some
# 43 MB at 100,000), and a poll that waited seconds for each answer
# measured the scrapes rather than the link (a median of 12 to 13 s at
# 100,000 while the relay's log said "up again" 1 to 6 s after the broker).
link_up() { curl -fs "http://127.0.0.1:$B_http/healthz" >/dev/null; }
link_down() { ! link_up; }
: >"$T/return"
for i in $(seq 1 "$ROUNDS"); do
	kill -TERM "$m_pid"; wait "$m_pid" 2>/dev/null
	t_wait 10 link_down
	sleep 1
	t_mosquitto m "$m_port" >/dev/null 2>&1 || fail "the broker did not restart"
	tb=$(now_ns)
	"$EVGEN" --key "$T/A/relay.key" --origin "$Aop" --net "$FED_NET" --kind observation \
		--zone "ret$i.example." --count 1 --seq $((500000 + 100 * i)) --prev "$(printf '%064d' 0)" \
		--publish "127.0.0.1:$m_port" >/dev/null 2>&1 || fail "publishing after the return"
	t_wait 30 link_up || fail "the link did not return"
	tu=$(now_ns)
	has_it() { [ "$(fed_count B "kind = 0 AND zone = 'ret$i.example.'")" -ge 1 ]; }
	t_wait 30 has_it || fail "round $i: the event did not arrive"
	ts=$(now_ns)
	echo "$(ms_between "$tb" "$tu") $(ms_between "$tu" "$ts")" >>"$T/return"
done
# link_up is polled every 100 ms (t_wait): up -> stored is bounded below by 0
stats() {
	sort -n | awk '{ v[NR] = $1 } END { printf "%s %s", v[int(NR * 0.5 + 0.5)], v[NR] }'
}
up=$(cut -d' ' -f1 "$T/return" | stats)
st=$(cut -d' ' -f2 "$T/return" | stats)

printf '\n%-52s %12s\n' "figure" "value"
printf '%-52s %12s\n' "raw Ed25519 verify/s (one core)" "$raw_verify"
printf '%-52s %12s\n' "catch-up events/s after $N (target >= 5000)" "$catchup"
printf '%-52s %12s\n' "start -> all $N zones decided, s" "$decide_s"
printf '%-52s %12s\n' "decisions/s after the catch-up" "$decide_rate"
printf '%-52s %12s\n' "broker up -> link up ms, median / max ($ROUNDS)" "${up% *} / ${up#* }"
printf '%-52s %12s\n' "link up -> event stored ms, median / max (< 1000)" "${st% *} / ${st#* }"
echo "bench: raw_verify_per_s=$raw_verify"
echo "bench: catchup_per_s=$catchup"
echo "bench: catchup_decided_s=$decide_s"
echo "bench: catchup_decisions_per_s=$decide_rate"
echo "bench: return_link_up_ms_p50=${up% *}"
echo "bench: return_link_up_ms_max=${up#* }"
echo "bench: return_stored_ms_p50=${st% *}"
echo "bench: return_stored_ms_max=${st#* }"
