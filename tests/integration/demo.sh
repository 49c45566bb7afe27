#!/bin/sh
# tests/integration/demo.sh — the demo federation (scripts/demo, `make
# demo`) plays both timelines to the end: the incident handled (NTA on
# quorum, held through the recovery phase, removed after sustained
# validation) and the on-path variant (no
# NTA, and why). CI runs it with the rest of the suite.
. "$(dirname "$0")/lib.sh"

for tool in nsd unbound unbound-control ldns-keygen ldns-signzone dig jq mosquitto sqlite3; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool missing"; exit 0; }
done
[ -x "$top_builddir/tests/tools/mmrecv" ] || { echo "1..0 # SKIP mmrecv not built"; exit 0; }

sh "$top_srcdir/scripts/demo" >"$T/demo.out" 2>&1; rc=$?
sed 's/^/# /' "$T/demo.out"
t_is "make demo: exit 0" "$rc" 0
for step in "two ZSKs share key tag" "de. is healthy: .*NOERROR, AD" \
    "SIGNER BUG" "www.de.: SERVFAIL" "one fingerprint" \
    "QUORUM: nta_recommended on every relay" "added the NTA for de." \
    "www.de. through isp-b's resolver: NOERROR 192.0.2.80" \
    "RECOVERING on isp-b: still nta_recommended, validating again: [0-9] of 2 operators, [0-9]* s of 15 s" \
    "ntactl nta sync during the recovery keeps the NTA" \
    "RESOLVED on every relay" "removed the NTA" \
    "www.de. through isp-b's resolver: NOERROR, AD" \
    "NTA recommended" "END: incident handled"; do
	t_ok "demo: $step" grep -q "$step" "$T/demo.out"
done

ATTACK=1 sh "$top_srcdir/scripts/demo" >"$T/attack.out" 2>&1; rc=$?
sed 's/^/# /' "$T/attack.out"
t_is "make demo ATTACK=1: exit 0" "$rc" 0
for step in "ON-PATH ATTACK" "inconsistent_evidence -- vantage points see 2 different failures" \
    "no NTA: www.de. through isp-b's resolver: SERVFAIL" \
    "END: under attack the federation refused the NTA"; do
	t_ok "demo ATTACK=1: $step" grep -q "$step" "$T/attack.out"
done
t_done
