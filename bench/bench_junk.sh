#!/bin/sh
# bench/bench_junk.sh — what a junk trust flood costs a relay (issue 12,
# attack 6), each figure beside its bound or the same figure without the
# flood, measured in the same run on this machine.
#
# One relay B on brokers a and c; operators A and B pinned, X vouched for
# by A only (known, not a member). X publishes BENCH_JUNK (10,000) vouches
# for fresh roots on broker a, as fast as the broker takes them; while they
# arrive, a member's observation is published on a, and its delivery is
# timed as relay B forwards it to broker c. The same observation is timed
# without a flood first.
#
#   1. member event delivery a -> B -> c during the flood (goal < 1000 ms),
#      beside the same delivery without a flood;
#   2. relay CPU time spent on the flood, per junk event, and how the link's
#      junk budget split it: verified (kept aside) and dropped unverified;
#   3. the trust database and the trust index rebuilds: unchanged.
#
# Usage: bench/bench_junk.sh (from the build directory or with
# top_srcdir/top_builddir set); `make bench` runs it.
. "$(dirname "$0")/lib.sh"
N=${BENCH_JUNK:-10000}

for o in A B; do fed_operator "$o" >/dev/null; done
mkdir -p "$T/X"
"$NTACTL" keygen --root --name X-root --out "$T/X/root" >/dev/null
"$NTACTL" vouch --net "$FED_NET" --root "$T/A/root.key" --subject "$T/X/root.pub" >"$T/X/vouch"
t_mosquitto a >/dev/null
t_mosquitto c >/dev/null
Aop=$(fed_keyid "$T/A/root.pub")
mkdir -p "$T/B"
for o in A B; do
	"$NTACTL" trust --db "$T/B/trust.db" --net "$FED_NET" pin "$T/$o/root.pub" >/dev/null
done
cat "$T/X/vouch" "$T/A/cert" >"$T/B/trust.in"
"$NTACTL" trust --db "$T/B/trust.db" import "$T/B/trust.in" >/dev/null
FED_LOG_LEVEL=warn fed_relay B a c >/dev/null

"$EVGEN" --key "$T/X/root.key" --net "$FED_NET" --kind vouch --seq 1 --count "$N" \
	--topics >"$T/junk" 2>/dev/null

# deliver SEQ ZONE: publish one of A's observations on a; print the ms until
# it arrives on c through relay B
deliver() {
	mosquitto_sub -h 127.0.0.1 -p "$c_port" -q 1 -t "ntarelay/v1/$FED_NET/obs/$2/#" \
		-F '%U' -C 1 -W 60 >"$T/arrival.$1" 2>/dev/null &
	_sub=$!
	t_pid "$_sub"
	sleep 0.3
	"$EVGEN" --key "$T/A/relay.key" --origin "$Aop" --net "$FED_NET" --kind observation \
		--zone "$2" --seq "$1" --prev "$(printf '%064d' "$1")" --log "$T/sent.$1" \
		--publish "127.0.0.1:$a_port" 2>/dev/null
	wait "$_sub"
	awk 'NR == FNR { s = $1; next } { printf "%.1f\n", ($1 - s) * 1000 }' \
		"$T/sent.$1" "$T/arrival.$1"
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$B_pid/stat"; }

quiet=$(deliver 10 quiet.example.)
rebuilds=$(fed_metric B ntarelay_trust_rebuilds_total)
tevents=$(sqlite3 "file:$T/B/trust.db?mode=ro" "SELECT count(*) FROM events")
cpu0=$(cpu_ticks)
t0=$(date +%s%N)
"$EVGEN" --replay "$T/junk" --publish "127.0.0.1:$a_port" &
flood=$!
t_pid "$flood"
started() { [ $(( $(fed_metric B ntarelay_trust_pooled_total) + $(fed_metric B ntarelay_link_junk_dropped_total) )) -ge $((N / 10)) ]; }
t_wait 60 started
during=$(deliver 20 flood.example.)
wait "$flood"
all_seen() { [ $(( $(fed_metric B ntarelay_trust_pooled_total) + $(fed_metric B ntarelay_link_junk_dropped_total) )) -ge "$N" ]; }
t_wait 300 all_seen || echo "bench_junk: the relay did not see all $N junk events" >&2
t1=$(date +%s%N)
cpu1=$(cpu_ticks)
hz=$(getconf CLK_TCK)
verified=$(fed_metric B ntarelay_trust_pooled_total)
dropped=$(fed_metric B ntarelay_link_junk_dropped_total)

printf '\n%-66s %12s\n' "figure" "value"
printf '%-66s %12s\n' "member event a->B->c without a flood, ms" "$quiet"
printf '%-66s %12s\n' "member event a->B->c during $N junk trust events, ms (goal < 1000)" "$during"
awk -v t="$(( (t1 - t0) / 1000000 ))" -v n="$N" 'BEGIN { printf "%-66s %12d\n", "flood published and disposed of, ms", t }'
awk -v c="$((cpu1 - cpu0))" -v hz="$hz" -v n="$N" 'BEGIN {
	printf "%-66s %12.0f\n", "relay CPU for the flood, ms", c * 1000 / hz
	printf "%-66s %12.1f\n", "relay CPU per junk event, us", c * 1e6 / hz / n }'
printf '%-66s %12s\n' "junk verified within the link's budget (kept aside)" "$verified"
printf '%-66s %12s\n' "junk dropped unverified (over the budget)" "$dropped"
printf '%-66s %12s\n' "trust index rebuilds during the flood (bound 0)" "$(( $(fed_metric B ntarelay_trust_rebuilds_total) - rebuilds ))"
printf '%-66s %12s\n' "trust database growth, events (bound 0)" "$(( $(sqlite3 "file:$T/B/trust.db?mode=ro" "SELECT count(*) FROM events") - tevents ))"
echo "bench: junk_member_delivery_ms=$during"
echo "bench: quiet_member_delivery_ms=$quiet"
