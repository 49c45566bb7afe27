#!/bin/sh
# tests/integration/probe.sh — `ntactl observe` (relay/probe.c) against a
# local signed hierarchy served by NSD (testbed.sh): the validation state,
# the evidence from the +cd view and the failure fingerprint, for a good
# zone, three real-world breakages, a live incident and an attacker's view.
. "$(dirname "$0")/lib.sh"

NTACTL="${NTACTL:-$top_builddir/client/ntactl}"

for tool in nsd ldns-keygen ldns-signzone dig jq sha256sum; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool not installed"
		exit 0
	fi
done

. "$top_srcdir/tests/integration/testbed.sh"

t_ok "build the signed hierarchy" tb_build
t_ok "start NSD" tb_nsd nsd
t_ok "start the attacker's NSD" tb_nsd atk "$TB/attack"

# observe NAME ZONE [PORT]: $T/NAME.json, exit status in $T/NAME.rc
observe() {
	"$NTACTL" observe --server "127.0.0.1@${3:-$nsd_port}" \
	    --trust-anchor "$TB/root.ds" --json "$2" >"$T/$1.json" 2>"$T/$1.err"
	echo $? >"$T/$1.rc"
}
j() { jq -r "$2" "$T/$1.json" 2>/dev/null; }
rc() { cat "$T/$1.rc"; }

# fp_text NAME: the fingerprint recomputed from the JSON as PROTOCOL.md §9
# says, independently of proto/fingerprint.c.
fp_of() {
	{
		echo "ntarelay-fingerprint-v1"
		echo "zone $(j "$1" .zone)"
		echo "dnskey $(j "$1" '.evidence.dnskey_digest // "-"')"
		echo "ds $(j "$1" '.evidence.ds_digest // "-"')"
		j "$1" '.evidence.rrsigs[] | "sig \(.alg) \(.tag) \(.inception) \(.expiration)"' |
		    sort -u | sort -n -k2,2 -k3,3 -k4,4 -k5,5
	} | sha256sum | cut -d' ' -f1
}

t_ok "ntactl observe --help" "$NTACTL" observe --help
t_fail "observe without a zone: exit 2" 2 "$NTACTL" observe
t_fail "observe with a bad trust anchor file: exit 2" 2 \
    "$NTACTL" observe --server "127.0.0.1@$nsd_port" --trust-anchor "$T/none" good

# good.: secure, no fingerprint, evidence complete
observe good good
t_is "good.: exit 0" "$(rc good)" 0
t_is "good.: state secure" "$(j good .state)" secure
t_is "good.: fingerprint null" "$(j good .fingerprint)" null
t_is "good.: qname/qtype the apex SOA" "$(j good '"\(.qname) \(.qtype)"')" "good. SOA"
t_is "good.: no failing RRSIGs" "$(j good '.evidence.rrsigs | length')" 0
t_is "good.: the DS tag is one of the DNSKEY tags" \
    "$(j good '(.evidence.ds_tags[0] as $t | .evidence.dnskey_tags | index($t)) != null')" true
t_is "good.: two DNSKEY tags (KSK, ZSK)" "$(j good '.evidence.dnskey_tags | length')" 2
t_is "good.: SOA serial from the server" "$(j good '.evidence.soa_serials[0].serial')" 1
t_ok "good.: validator is libunbound" sh -c "jq -e '.validator | startswith(\"libunbound \")' '$T/good.json'"

# The DNSKEY digest recomputed from dig +cd output (PROTOCOL.md 6.1:
# canonical RRs, TTL 0, sorted, SHA-256) without ldns.
if command -v python3 >/dev/null 2>&1; then
	dig +cd +noall +answer -p "$nsd_port" @127.0.0.1 good. DNSKEY >"$T/good.dnskey"
	want=$(python3 - "$T/good.dnskey" <<'EOF'
import sys, struct, base64, hashlib
rrs = []
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) < 8 or f[3] != "DNSKEY":
        continue
    owner = b"".join(bytes([len(l)]) + l.lower().encode() for l in f[0].rstrip(".").split(".") if l) + b"\0"
    rdata = struct.pack("!HBB", int(f[4]), int(f[5]), int(f[6])) + base64.b64decode("".join(f[7:]))
    rrs.append(owner + struct.pack("!HHIH", 48, 1, 0, len(rdata)) + rdata)
print(hashlib.sha256(b"".join(sorted(set(rrs)))).hexdigest())
EOF
)
	t_is "good.: dnskey_digest as PROTOCOL.md 6.1 defines it" \
	    "$(j good .evidence.dnskey_digest)" "$want"
else
	t_ok "good.: dnskey_digest check # SKIP no python3" true
fi

# expired.: bogus, the expiry in the evidence
observe exp expired
t_is "expired.: exit 1" "$(rc exp)" 1
t_is "expired.: state bogus" "$(j exp .state)" bogus
t_is "expired.: rcode SERVFAIL" "$(j exp .rcode)" 2
t_ok "expired.: reason says expired" grep -q 'signature expired' "$T/exp.json"
now=$(date +%s)
t_is "expired.: failing RRSIGs all expired" \
    "$(jq -r --argjson now "$now" '(.evidence.rrsigs | length) > 0 and all(.evidence.rrsigs[]; .expiration < $now)' "$T/exp.json")" true
t_is "expired.: expiration about 10 days ago" \
    "$(jq -r --argjson now "$now" '[.evidence.rrsigs[] | select(.owner == "expired." and .type == "SOA") | ($now - .expiration) / 86400 | floor] | .[0]' "$T/exp.json")" 10
t_is "expired.: fingerprint as §9 defines it" "$(j exp .fingerprint)" "$(fp_of exp)"

# rollover.: the zone's KSK is not the one the parent's DS names
observe roll rollover
t_is "rollover.: exit 1" "$(rc roll)" 1
t_is "rollover.: state bogus" "$(j roll .state)" bogus
t_is "rollover.: DS tag not among the DNSKEY tags" \
    "$(j roll '(.evidence.ds_tags[0] as $t | .evidence.dnskey_tags | index($t)) == null')" true
t_ok "rollover.: fingerprint set" sh -c "jq -e '.fingerprint | test(\"^[0-9a-f]{64}\$\")' '$T/roll.json'"

# zskroll.: data signed by an unpublished ZSK
observe zsk1 zskroll
observe zsk2 zskroll
t_is "zskroll.: exit 1" "$(rc zsk1)" 1
t_is "zskroll.: state bogus" "$(j zsk1 .state)" bogus
t_ok "zskroll.: reason names unknown keys" grep -q 'unknown keys' "$T/zsk1.json"
t_is "zskroll.: the failing RRSIG's tag is not in the DNSKEY set" \
    "$(j zsk1 '[.evidence.rrsigs[].tag] - .evidence.dnskey_tags | length > 0')" true
t_ok "zskroll.: fingerprint set" sh -c "jq -e '.fingerprint | test(\"^[0-9a-f]{64}\$\")' '$T/zsk1.json'"
t_is "zskroll.: two probes, one fingerprint" "$(j zsk2 .fingerprint)" "$(j zsk1 .fingerprint)"
t_is "zskroll.: fingerprint as §9 defines it" "$(j zsk1 .fingerprint)" "$(fp_of zsk1)"
t_ok "zskroll. and expired. fingerprints differ" \
    test "$(j zsk1 .fingerprint)" != "$(j exp .fingerprint)"

# The attacker's view of good.: other DNSKEYs, the same DS at the parent.
observe atk good "$atk_port"
t_is "attacker's good.: exit 1" "$(rc atk)" 1
t_is "attacker's good.: state bogus" "$(j atk .state)" bogus
t_ok "attacker's good.: DNSKEY digest differs from the real one" \
    test "$(j atk .evidence.dnskey_digest)" != "$(j good .evidence.dnskey_digest)"
t_is "attacker's good.: DS digest the same as the real one" \
    "$(j atk .evidence.ds_digest)" "$(j good .evidence.ds_digest)"
t_ok "attacker's good.: fingerprint set" sh -c "jq -e '.fingerprint | test(\"^[0-9a-f]{64}\$\")' '$T/atk.json'"

# A live incident on good.: re-signed with an old window, SIGHUP; then the fix.
now=$(date +%s)
tb_sign good $((now - 40 * tb_day)) $((now - 10 * tb_day))
tb_reload nsd
t_ok "incident: good. turns bogus after re-signing" \
    t_wait 10 sh -c "'$NTACTL' observe --server 127.0.0.1@$nsd_port --trust-anchor '$TB/root.ds' --json good >'$T/inc.json'; test \$? = 1 && jq -e '.state == \"bogus\"' '$T/inc.json'"
t_is "incident: the real DNSKEY digest is unchanged" \
    "$(j inc .evidence.dnskey_digest)" "$(j good .evidence.dnskey_digest)"
t_ok "incident: differs from the attacker's fingerprint" \
    test "$(j inc .fingerprint)" != "$(j atk .fingerprint)"
tb_sign good $((now - tb_day)) $((now + 30 * tb_day))
tb_reload nsd
t_ok "incident: good. secure again after the fix" \
    t_wait 10 "$NTACTL" observe --server "127.0.0.1@$nsd_port" --trust-anchor "$TB/root.ds" good

# The fields pass the protocol's own checks (schema, §9 fingerprint): sign
# them as an observation payload.
"$NTACTL" keygen --name probe --out "$T/k" >/dev/null 2>&1
kid=$(cut -d' ' -f2 "$T/k.pub" | base64 -d | sha256sum | cut -d' ' -f1)
for n in good zsk1 atk; do
	jq -c --argjson now "$(date +%s)" --arg k "$kid" \
	    '{v:1,net:"test",kind:"observation",origin:$k,key:$k,seq:1,prev:null,ts:$now,exp:($now+600),refs:[]} + .' \
	    "$T/$n.json" >"$T/$n.payload"
	t_ok "ntactl sign accepts the $n observation" "$NTACTL" sign --key "$T/k.key" "$T/$n.payload"
done

# The readable summary
t_ok "summary names the state and the RRSIG window" sh -c \
    "'$NTACTL' observe --server 127.0.0.1@$nsd_port --trust-anchor '$TB/root.ds' expired | grep -q '^state  *bogus' && '$NTACTL' observe --server 127.0.0.1@$nsd_port --trust-anchor '$TB/root.ds' expired | grep -q '(expired)'"

t_done
