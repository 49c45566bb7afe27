#!/bin/sh
# bench/bench_push.sh — from a decision to the resolver (issue 17, Push):
# the time between relay A signing a decision for zskroll. (its decision
# log line, millisecond timestamps) and `unbound-control list_insecure`
# showing the change, with `ntactl nta watch --driver unbound` following
# A's GET /v1/decisions/stream (its poll interval an hour: only the stream
# can bring it). Goal: under 1 s.
#
# A real federation: NSD serves the signed test hierarchy (zskroll. fails
# validation), relays A and B probe it, a validating Unbound forwards to
# NSD. Each of BENCH_ROUNDS rounds (10): B assesses zskroll. an accident
# (with A's assessment, the quorum: nta_recommended), the time until
# Unbound has the NTA; B withdraws it (the decision lifted), the time
# until Unbound has no NTA. list_insecure is polled every 10 ms (each
# poll is an unbound-control run: its own cost, a few ms, is part of the
# figure). Prints p50 and p99 of each, beside the 1 s goal.
#
# Usage: bench/bench_push.sh (from the build directory, or with
# top_srcdir/top_builddir set). Environment: BENCH_ROUNDS (10).
. "$(dirname "$0")/lib.sh"
N=${BENCH_ROUNDS:-10}

for tool in nsd unbound unbound-control ldns-keygen ldns-signzone jq curl \
    mosquitto sqlite3; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "bench_push: skipped ($tool not installed)"; exit 0; }
done
. "$top_srcdir/tests/integration/testbed.sh"

# nearest-rank percentile: the value at rank ceil(N * p / 100) (with 10
# samples, p99 is the largest)
pct() { sort -n | awk -v p="$1" '{ v[NR] = $1 } END { i = int((NR * p + 99) / 100); if (i < 1) i = 1; if (i > NR) i = NR; printf "%d", v[i] }'; }
die() { echo "bench_push: $*"; exit 1; }

tb_build >/dev/null 2>&1 || die "cannot build the signed hierarchy"
tb_nsd nsd >/dev/null 2>&1 || die "NSD did not start"
tb_unbound ub nsd >/dev/null 2>&1 || die "unbound did not start"
UBC="unbound-control -c $TB/ub/unbound.conf"
for o in A B; do fed_operator "$o" >/dev/null || die "keys"; done
t_mosquitto m >/dev/null || die "mosquitto did not start"
FED_EXTRA="watch zskroll.
probe_forward 127.0.0.1@$nsd_port
probe_trust_anchor $TB/root.ds
probe_interval 1"
export FED_EXTRA
fed_relay A m >/dev/null || die "relay A did not start"
fed_relay B m >/dev/null || die "relay B did not start"
unset FED_EXTRA

zstate() { curl -fs "http://127.0.0.1:$A_http/v1/zones" | jq -r '[.zones[] | select(.zone == "zskroll.") | .state][0] // "clear"'; }
observed() { [ "$(zstate)" = observed ]; }
t_wait 60 observed || die "relay A does not see zskroll. fail"
submit() {
	curl -s --unix-socket "$T/$1/control.sock" -d "$3" \
	    "http://localhost/v1/submit/$2" | jq -r '.id // empty'
}
assess='{"zone":"zskroll.","verdict":"accident","recommend_nta":true,"lifetime":3600}'
[ -n "$(submit A assessment "$assess")" ] || die "A cannot assess"

"$NTACTL" nta watch --driver unbound --control-config "$TB/ub/unbound.conf" \
    --relay "http://127.0.0.1:$A_http" --state "$T/watch.json" --interval 1h \
    2>"$T/watch.log" &
t_pid "$!"
connected() { grep -q 'decision stream connected' "$T/watch.log"; }
t_wait 10 connected || die "nta watch did not connect to the stream"

# has: 0 when unbound lists zskroll. as insecure
has() { $UBC list_insecure 2>/dev/null | grep -qx zskroll.; }
# until_ms COND: poll COND every 10 ms (at most 60 s); the time it held, ms
until_ms() {
	_i=0
	while [ $_i -lt 6000 ]; do
		if "$@"; then date +%s%3N; return 0; fi
		sleep 0.01
		_i=$((_i + 1))
	done
	return 1
}
hasnt() { ! has; }
# decided_ms N PATTERN: the time (ms) of the N-th decision line of A's log
# matching PATTERN
decided_ms() {
	_ts=$(grep "decision zskroll\.: .*$2" "$T/A/relay.log" | sed -n "${1}p" | cut -d' ' -f1)
	[ -n "$_ts" ] && date -d "$_ts" +%s%3N
}

: >"$T/add"
: >"$T/remove"
r=1
while [ "$r" -le "$N" ]; do
	id=$(submit B assessment "$assess")
	[ -n "$id" ] || die "round $r: B cannot assess"
	t1=$(until_ms has) || die "round $r: no NTA within 60 s"
	d1=$(decided_ms "$r" '-> nta_recommended') || die "round $r: no decision line"
	echo $((t1 - d1)) >>"$T/add"
	sleep 1
	submit B withdraw "{\"target\":\"$id\"}" >/dev/null
	t2=$(until_ms hasnt) || die "round $r: the NTA stayed 60 s"
	d2=$(decided_ms "$r" 'nta_recommended -> ') || die "round $r: no decision line"
	echo $((t2 - d2)) >>"$T/remove"
	sleep 1
	r=$((r + 1))
done
echo "bench_push: decision (relay A's log line) -> unbound-control list_insecure, $N rounds, nta watch on the stream (poll every 1 h):"
echo "  NTA added:   p50 $(pct 50 <"$T/add") ms, p99 $(pct 99 <"$T/add") ms; goal: under 1000 ms"
echo "  NTA removed: p50 $(pct 50 <"$T/remove") ms, p99 $(pct 99 <"$T/remove") ms; goal: under 1000 ms"
echo "  (list_insecure polled every 10 ms; each sample: $(tr '\n' ' ' <"$T/add"))"
exit 0
