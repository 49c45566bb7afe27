#!/bin/sh
# tests/integration/probe.sh — `ntactl observe` (lib/probe.c) against a
# local signed hierarchy served by NSD (testbed.sh): the validation state,
# the evidence from the +cd view and the failure fingerprint, for a good
# zone, three real-world breakages, a live incident and an attacker's view;
# configured names (--name) and the SOA serial of each authoritative server.
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

# observe NAME ZONE [PORT [OPTION...]]: $T/NAME.json, exit status in
# $T/NAME.rc; PORT "" for NSD's
observe() {
	_on=$1 _oz=$2 _op=${3:-$nsd_port}
	shift 2
	[ $# -gt 0 ] && shift
	"$NTACTL" observe --server "127.0.0.1@$_op" \
	    --trust-anchor "$TB/root.ds" --json "$@" "$_oz" >"$T/$_on.json" 2>"$T/$_on.err"
	echo $? >"$T/$_on.rc"
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

# zskroll.: data signed by an unpublished ZSK that shares its key tag with
# the published one (the .de failure of May 2026)
observe zsk1 zskroll
observe zsk2 zskroll
t_is "zskroll.: exit 1" "$(rc zsk1)" 1
t_is "zskroll.: state bogus" "$(j zsk1 .state)" bogus
t_ok "zskroll.: the validator's reason says the signature failed" \
    sh -c "jq -r .reason '$T/zsk1.json' | grep -Eqi 'signature|crypto|bogus'"
t_is "zskroll.: every RRSIG's key tag is a published key's tag" \
    "$(j zsk1 '[.evidence.rrsigs[].tag] - .evidence.dnskey_tags | length')" 0
t_is "zskroll.: the DNSKEY set holds the KSK and one ZSK (of that tag)" \
    "$(j zsk1 '[.evidence.dnskey_tags[]] | length')" 2
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

# Configured names (--name): partial.'s apex is sound, the signature over
# www.partial. A is broken.
observe pnone partial
t_is "partial. without names: secure" "$(j pnone .state)" secure
t_is "partial. without names: exit 0" "$(rc pnone)" 0
observe pmail partial "" --name mail
t_is "partial. --name mail: secure" "$(j pmail .state)" secure
observe pwww partial "" --name mail --name www.partial.
t_is "partial. --name mail --name www.partial.: exit 1" "$(rc pwww)" 1
t_is "... bogus" "$(j pwww .state)" bogus
t_is "... qname/qtype the failing name" "$(j pwww '"\(.qname) \(.qtype)"')" "www.partial. A"
t_is "... rcode SERVFAIL" "$(j pwww .rcode)" 2
t_ok "... the validator's reason names it" grep -q 'www.partial. A' "$T/pwww.json"
t_is "... rrsigs: the signature over www.partial. A only" \
    "$(j pwww '[.evidence.rrsigs[] | "\(.owner) \(.type)"] | join(",")')" "www.partial. A"
t_is "... its key tag is in the DNSKEY set (a bad signature, not a missing key)" \
    "$(j pwww '(.evidence.rrsigs[0].tag as $t | .evidence.dnskey_tags | index($t)) != null')" true
t_is "... fingerprint as §9 defines it" "$(j pwww .fingerprint)" "$(fp_of pwww)"
observe pwww2 partial "" --name www --name mail
t_is "the names in another order and spelling: the same fingerprint" \
    "$(j pwww2 .fingerprint)" "$(j pwww .fingerprint)"
t_is "... qname still the failing name" "$(j pwww2 .qname)" "www.partial."
observe zskn zskroll "" --name mail
t_is "an apex failure comes first: zskroll. --name mail, qname the apex" \
    "$(j zskn '"\(.qname) \(.qtype)"')" "zskroll. SOA"
t_is "... and the fingerprint over the apex signatures, as without names" \
    "$(j zskn .fingerprint)" "$(j zsk1 .fingerprint)"

# --name errors: exit 2 with a message naming the name
t_fail "--name outside the zone: exit 2" 2 \
    "$NTACTL" observe --server "127.0.0.1@$nsd_port" --name www.good. partial
t_ok "... says why" sh -c "'$NTACTL' observe --name www.good. partial 2>&1 | grep -q \"'www.good.': not the zone nor a name below it\""
t_fail "--name with an empty label: exit 2" 2 "$NTACTL" observe --name 'a..b' partial
t_ok "... says why" sh -c "'$NTACTL' observe --name a..b partial 2>&1 | grep -q 'empty label'"
t_fail "--name with a bad character: exit 2" 2 "$NTACTL" observe --name 'w w' partial
t_fail "--name twice the same name: exit 2" 2 \
    "$NTACTL" observe --name www --name WWW.partial. partial
t_ok "... says so" sh -c "'$NTACTL' observe --name www --name www.partial. partial 2>&1 | grep -q 'www.partial. given twice'"
t_fail "nine --name: exit 2" 2 "$NTACTL" observe --name a --name b --name c \
    --name d --name e --name f --name g --name h --name i partial
t_ok "... at most 8" sh -c "'$NTACTL' observe --name a --name b --name c --name d --name e --name f --name g --name h --name i partial 2>&1 | grep -q 'at most 8'"
t_ok "--help documents --name" sh -c "'$NTACTL' observe --help | grep -q -- '--name NAME'"

# The SOA serial of each authoritative server: every NSD here serves on one
# port, so the probe asks the NS names' addresses at the --server port.
t_is "good.: soa_serials lists its one server" \
    "$(j good '[.evidence.soa_serials[] | "\(.server) \(.serial)"] | join(",")')" "ns.good. 1"
now=$(date +%s)
cp "$TB/good.zone" "$TB/good.zone1"
sed 's/ 1 3600 900 604800 300$/ 7 3600 900 604800 300/' "$TB/good.zone1" >"$TB/good.zone"
tb_sign good $((now - tb_day)) $((now + 30 * tb_day))
tb_reload nsd
t_ok "good.: a new serial (7) shows in soa_serials" \
    t_wait 10 sh -c "'$NTACTL' observe --server 127.0.0.1@$nsd_port --trust-anchor '$TB/root.ds' --json good >'$T/good7.json'; jq -e '.evidence.soa_serials == [{\"server\": \"ns.good.\", \"serial\": 7}]' '$T/good7.json'"
cp "$TB/good.zone1" "$TB/good.zone"
tb_sign good $((now - tb_day)) $((now + 30 * tb_day))
tb_reload nsd

# deadns.: ns.deadns. (127.0.0.1) and ns2.deadns. (127.0.0.1 and 127.0.0.2,
# where only a recorder listens, which never answers)
if command -v python3 >/dev/null 2>&1; then
	python3 - "$nsd_port" "$T/dead.log" <<'EOF' &
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.2", int(sys.argv[1])))
out = open(sys.argv[2], "a")
out.write("ready\n"); out.flush()
while True:
    d, _ = s.recvfrom(4096)
    i, labels = 12, []
    while d[i]:
        labels.append(d[i + 1:i + 1 + d[i]].decode()); i += 1 + d[i]
    out.write("%s. %d rd=%d\n" % (".".join(labels), struct.unpack("!H", d[i + 1:i + 3])[0],
        (struct.unpack("!H", d[2:4])[0] >> 8) & 1)); out.flush()
EOF
	t_pid $!
	t_wait 5 grep -q ready "$T/dead.log"
fi
t0=$(date +%s%N)
observe dead deadns
ms=$((($(date +%s%N) - t0) / 1000000))
echo "# deadns. probe round with a dead server: $ms ms"
t_is "deadns.: secure" "$(j dead .state)" secure
t_is "deadns.: the live servers in server order, NAME/ADDR for a name of two addresses" \
    "$(j dead '[.evidence.soa_serials[] | "\(.server) \(.serial)"] | join(",")')" \
    "ns.deadns. 1,ns2.deadns./127.0.0.1 1"
t_ok "deadns.: the dead server held the observation back about 5 s, not more" \
    test "$ms" -ge 4500 -a "$ms" -lt 9000
if [ -f "$T/dead.log" ]; then
	t_is "deadns.: the dead server was asked for the SOA, without recursion, 3 times" \
	    "$(grep -c '^deadns\. 6 rd=0$' "$T/dead.log")" 3
	t_is "deadns.: and for nothing else" "$(grep -vc '^deadns\. 6 rd=0$\|^ready$' "$T/dead.log")" 0
else
	t_ok "deadns.: the dead server's queries # SKIP no python3" true
fi
for i in 1 2 3 4 5; do
	t0=$(date +%s%N)
	observe round good
	echo "# good. probe round, SOA phase included: $((($(date +%s%N) - t0) / 1000000)) ms"
done

# The fields pass the protocol's own checks (schema, §9 fingerprint): sign
# them as an observation payload.
"$NTACTL" keygen --name probe --out "$T/k" >/dev/null 2>&1
kid=$(cut -d' ' -f2 "$T/k.pub" | base64 -d | sha256sum | cut -d' ' -f1)
for n in good zsk1 atk pwww dead; do
	jq -c --argjson now "$(date +%s)" --arg k "$kid" \
	    '{v:1,net:"test",kind:"observation",origin:$k,key:$k,seq:1,prev:null,ts:$now,exp:($now+600),refs:[]} + .' \
	    "$T/$n.json" >"$T/$n.payload"
	t_ok "ntactl sign accepts the $n observation" "$NTACTL" sign --key "$T/k.key" "$T/$n.payload"
done

# The readable summary
t_ok "summary names the state and the RRSIG window" sh -c \
    "'$NTACTL' observe --server 127.0.0.1@$nsd_port --trust-anchor '$TB/root.ds' expired | grep -q '^state  *bogus' && '$NTACTL' observe --server 127.0.0.1@$nsd_port --trust-anchor '$TB/root.ds' expired | grep -q '(expired)'"

# A relay's own probe (relay/fed/watch.c): `watch ZONE NAME...` reaches the
# probe, and the end of an SOA phase wakes it with nothing else to do (A
# watches deadns. alone, whose dead server answers nothing).
if command -v mosquitto >/dev/null 2>&1 && command -v curl >/dev/null 2>&1; then
	. "$top_srcdir/tests/integration/fed.sh"
	for o in A B; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
	t_ok "broker starts" t_mosquitto m
	FED_EXTRA="watch deadns.
probe_forward 127.0.0.1@$nsd_port
probe_trust_anchor $TB/root.ds
probe_interval 1"
	export FED_EXTRA
	t_ok "relay A starts, watching deadns." fed_relay A m
	FED_EXTRA="watch partial. www mail.partial.
probe_forward 127.0.0.1@$nsd_port
probe_trust_anchor $TB/root.ds
probe_interval 1"
	t_ok "relay B starts, watching partial. www mail.partial." fed_relay B m
	unset FED_EXTRA
	obs() { curl -fs "http://127.0.0.1:$1/v1/events?kind=observation&zone=$2" |
		jq -r '.events[0].envelope.payload // empty' | base64 -d; }
	t_ok "A signs an observation of deadns." t_wait 20 sh -c \
	    "curl -fs 'http://127.0.0.1:$A_http/v1/events?kind=observation&zone=deadns.' | jq -e '.events | length > 0'"
	obs "$A_http" deadns. >"$T/rA.json"
	t_is "A: deadns. secure, the two live servers' serials" \
	    "$(jq -r '"\(.state) " + ([.evidence.soa_serials[] | "\(.server) \(.serial)"] | join(","))' "$T/rA.json")" \
	    "secure ns.deadns. 1,ns2.deadns./127.0.0.1 1"
	t_ok "B signs an observation of partial." t_wait 20 sh -c \
	    "curl -fs 'http://127.0.0.1:$B_http/v1/events?kind=observation&zone=partial.' | jq -e '.events | length > 0'"
	obs "$B_http" partial. >"$T/rB.json"
	t_is "B: partial. bogus at its configured name www" \
	    "$(jq -r '"\(.state) \(.qname) \(.qtype)"' "$T/rB.json")" "bogus www.partial. A"
	t_is "B's fingerprint is ntactl observe's for the same names" \
	    "$(jq -r .fingerprint "$T/rB.json")" "$(j pwww .fingerprint)"
	t_ok "B logs it" grep -q 'watch partial.: bogus' "$T/B/relay.log"
else
	t_ok "a relay's probe with names # SKIP mosquitto or curl missing" true
fi

t_done
