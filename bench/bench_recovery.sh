#!/bin/sh
# bench/bench_recovery.sh — how long a resolver keeps an NTA after the zone
# is fixed, beside resolve_after, measured in this run on this machine.
#
# Two operators' relays (M = 2) probe zskroll. (tests/integration/
# testbed.sh: part of the zone signed by an unpublished key) from NSD every
# second; both assess it an accident; `ntactl nta watch --driver unbound
# --interval 1` puts the NTA on a real Unbound. Then the zone is fixed, and
# the bench measures, from the moment NSD serves the fixed zone:
#   - fix -> resolved at relay A (its decision log line);
#   - fix -> the NTA gone from Unbound (unbound-control list_insecure,
#     polled every 50 ms).
# The floor is resolve_after itself (the relay holds the NTA for that long
# by design: phase recovering); what lies above it is the probe interval,
# the vantage points' runs starting at their first secure probe, and the
# watch's interval.
#
# Usage: bench/bench_recovery.sh (from the build directory, or with
# top_srcdir/top_builddir set). Environment: BENCH_RESOLVE_AFTER (10).
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/integration/testbed.sh"
RA=${BENCH_RESOLVE_AFTER:-10}

for tool in nsd unbound unbound-control ldns-keygen ldns-signzone jq mosquitto; do
	command -v "$tool" >/dev/null || fail "$tool is missing"
done
tb_build || fail "the signed hierarchy"
ldns-signzone -i $((tb_now - 86400)) -e $((tb_now + 30 * 86400)) -f "$TB/zskroll.fixed" \
	"$TB/zskroll.zone" $(echo "$tb_keys_zskroll" | cut -d' ' -f1,2) >/dev/null || fail "signing"
tb_nsd nsd || fail "NSD"
tb_unbound ub nsd || fail "Unbound"
for o in A B; do fed_operator "$o" >/dev/null || fail "keys"; done
t_mosquitto m >/dev/null 2>&1 || fail "the broker"
FED_EXTRA="watch zskroll.
probe_forward 127.0.0.1@$nsd_port
probe_trust_anchor $TB/root.ds
probe_interval 1
resolve_after $RA"
export FED_EXTRA
FED_LOG_LEVEL=notice
for r in A B; do fed_relay "$r" m >/dev/null || fail "relay $r"; done
state() { [ "$(curl -fs "http://127.0.0.1:$A_http/v1/zones/zskroll." | jq -r .state)" = "$1" ]; }
t_wait 40 state observed || fail "the failure is not observed"
for r in A B; do
	"$NTACTL" assess zskroll. -c "$T/$r/ntarelay.conf" --verdict accident --nta \
		--lifetime 1h >/dev/null || fail "ntactl assess"
done
t_wait 20 state nta_recommended || fail "no quorum"
"$NTACTL" nta watch --driver unbound --control-config "$ub_conf" \
	--relay "http://127.0.0.1:$A_http" --state "$T/nta.json" --interval 1 2>"$T/nta.log" &
t_pid $!
has_nta() { unbound-control -c "$ub_conf" list_insecure | grep -qx zskroll.; }
t_wait 20 has_nta || fail "nta watch did not add the NTA"
sleep 2

cp "$TB/zskroll.fixed" "$TB/signed/zskroll.zone"
tb_reload nsd
t0=$(date +%s%N)
while has_nta; do
	sleep 0.05
	[ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt $((RA + 120)) ] || fail "the NTA was never removed"
done
t1=$(date +%s%N)
t_wait 10 grep -q 'decision zskroll.: nta_recommended -> resolved' "$T/A/relay.log" ||
	fail "no resolved decision at A"
ts=$(grep 'decision zskroll.: nta_recommended -> resolved' "$T/A/relay.log" | head -1 | cut -d' ' -f1)
tr=$(date -d "$ts" +%s%N)
echo "bench_recovery: a fixed zone, probe_interval 1 s, nta watch --interval 1 s:"
echo "  fix -> resolved at relay A:        $(awk -v a="$t0" -v b="$tr" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s"
echo "  fix -> NTA removed from Unbound:   $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s"
echo "  floor (resolve_after, the hold):   $RA s"
exit 0
