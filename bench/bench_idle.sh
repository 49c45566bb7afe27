#!/bin/sh
# bench/bench_idle.sh — what an idle relay costs: the system calls one
# ntarelayd makes in BENCH_IDLE_SECONDS (30) with nothing arriving, counted
# by strace -c, beside what a relay that sleeps until its next deadline
# would make (the ceiling: its timers — heartbeat, prune, trust index,
# backfill scan — fire a few times a minute).
#
# Set-up: one broker, one relay linked to it, BENCH_IDLE_EVENTS (10000)
# events of another operator stored first (so that per-turn work that scales
# with the store shows), then BENCH_IDLE_SECONDS of silence, traced.
#
# Usage: bench/bench_idle.sh   (from the build directory or with
# top_srcdir/top_builddir set).
. "$(dirname "$0")/lib.sh"
SECS=${BENCH_IDLE_SECONDS:-30}
N=${BENCH_IDLE_EVENTS:-10000}

command -v strace >/dev/null || { echo "bench_idle: strace missing" >&2; exit 1; }
for o in A B; do fed_operator "$o" >/dev/null; done
t_mosquitto m >/dev/null
Aop=$(fed_keyid "$T/A/root.pub")
for o in A B; do
	"$NTACTL" trust --db "$T/B/trust.db" --net "$FED_NET" pin "$T/$o/root.pub" >/dev/null
done
"$NTACTL" trust --db "$T/B/trust.db" import "$T/A/cert" >/dev/null
FED_LOG_LEVEL=warn fed_relay B m >/dev/null
# subscribed once its own certificate went out through the broker
has_certs() { [ "$(fed_count B 'kind = 6')" -ge 1 ]; }
t_wait 10 has_certs
sleep 1
"$EVGEN" --key "$T/A/relay.key" --origin "$Aop" --net "$FED_NET" --kind observation \
	--zone idle.example. --vary-zone --count "$N" --seq 1000 --prev "$(printf '%064d' 0)" \
	--lifetime 3600 --publish "127.0.0.1:$m_port" 2>/dev/null
accepted() { fed_metric B 'ntarelay_events_accepted_total{kind="observation"}'; }
stored() { [ "$(accepted)" -ge "$N" ]; }
t_wait 300 stored || echo "bench_idle: only $(accepted) of $N events stored" >&2
sleep 5   # let the burst's after-effects (decisions, outboxes) settle

strace -f -c -q -o "$T/strace" -p "$B_pid" &
st=$!
sleep "$SECS"
kill -INT "$st"
wait "$st" 2>/dev/null

# strace -c columns: % time, seconds, usecs/call, calls, [errors], syscall
calls() { awk -v s="$1" '$NF == s { print $4 }' "$T/strace" | head -1; }
printf '\n%-44s %10s\n' "idle relay, $SECS s, $(accepted) events stored" "calls"
total=0
for s in poll epoll_wait epoll_pwait pwrite64 pread64 fdatasync fsync write read sendto recvfrom; do
	c=$(calls "$s"); c=${c:-0}
	total=$((total + c))
	printf '%-44s %10s\n' "$s" "$c"
	echo "bench: idle_${s}=$c"
done
printf '%-44s %10s\n' "(ceiling: a sleeping relay wakes for timers)" "~$((SECS / 10 + 2)) polls"
echo "bench: idle_seconds=$SECS"
cat "$T/strace" >&2
