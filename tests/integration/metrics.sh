#!/bin/sh
# tests/integration/metrics.sh — GET /metrics of a running relay is what
# docs/API.md §7 says: every family it exposes is documented there (with
# its type) and in docs/OPERATIONS.md §10.2, every documented family is
# exposed, every metric name in relay/ is documented; and the values are
# right: the build, the quorum engine's and the probe's states per zone,
# the probe's rounds and durations, the certificate's and the vouch's
# ends. Then the example alert rules (docs/ntarelay-alerts.yml) run over
# this very scrape (promtool test rules): the alerts that must fire do,
# with the labels the relay exposes.
#
# One relay on the local signed hierarchy of tests/integration/testbed.sh
# watches zskroll. (bogus) and good. (secure); its operator A holds a
# vouch of operator B for 10 days, its certificate lasts 30 days.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"
. "$top_srcdir/tests/integration/testbed.sh"

for tool in nsd ldns-keygen ldns-signzone curl awk; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool missing"; exit 0; }
done
t_ok "build the signed hierarchy" tb_build
t_ok "start NSD" tb_nsd nsd
for o in A B; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
db=$T/A/trust.db
"$NTACTL" trust --db "$db" --net "$FED_NET" pin "$T/A/root.pub" >/dev/null &&
	"$NTACTL" trust --db "$db" --net "$FED_NET" pin "$T/B/root.pub" >/dev/null ||
	{ echo "Bail out! pins"; exit 1; }
t_ok "B vouches for A for 10 days" sh -c "'$NTACTL' vouch --root '$T/B/root.key' \
	--subject '$T/A/root.pub' --days 10 --net '$FED_NET' >'$T/vouch'"
t_ok "A's trust database holds the vouch" "$NTACTL" trust --db "$db" import "$T/vouch"
t_ok "broker starts" t_mosquitto m
FED_EXTRA="watch zskroll.
watch good.
probe_forward 127.0.0.1@$nsd_port
probe_trust_anchor $TB/root.ds
probe_interval 1"
t_ok "relay A starts, watching zskroll. and good." fed_relay A m
unset FED_EXTRA

M=$T/metrics
scrape() { curl -fs "http://127.0.0.1:$A_http/metrics" >"$M"; }
has() { grep -qxF "$1" "$M"; }
settled() {
	scrape && has 'ntarelay_probe_state{zone="zskroll.",state="bogus"} 1' &&
		has 'ntarelay_probe_state{zone="good.",state="secure"} 1' &&
		has 'ntarelay_zone_state{zone="zskroll.",state="observed"} 1'
}
t_ok "the probe and the engine have judged both zones" t_wait 40 settled
scrape

# --- the documents name every family, and only families that exist
api=$top_srcdir/docs/API.md
ops=$top_srcdir/docs/OPERATIONS.md
sed -n '/^## 7\. `GET \/metrics`/,/^## 8\./p' "$api" >"$T/api7"
sed -n '/^### 10\.2 /,/^### 10\.3 /p' "$ops" >"$T/ops102"
awk '$1 == "#" && $2 == "TYPE" { print $3, $4 }' "$M" | sort -u >"$T/families"
t_ok "the scrape has families" test -s "$T/families"
missing=
while read -r name type; do
	grep -q "^| \`$name\` | $type |" "$T/api7" || missing="$missing $name($type)"
done <"$T/families"
t_is "API.md §7 lists every exposed family with its type" "${missing:-none}" none
missing=
while read -r name type; do
	grep -q "\`$name\`\|\`$name{" "$T/ops102" || missing="$missing $name"
done <"$T/families"
t_is "OPERATIONS.md §10.2 names every exposed family" "${missing:-none}" none
extra=
for name in $(sed -n 's/^| `\(ntarelay_[a-z_]*\)` |.*/\1/p' "$T/api7"); do
	grep -q "^$name " "$T/families" || extra="$extra $name"
done
t_is "API.md §7 lists no family the relay does not expose" "${extra:-none}" none
# every name in the relay's sources (ntarelay_key is a Mattermost post's
# property, not a metric; a histogram's samples add _bucket, _sum, _count)
missing=
for name in $(grep -rhoE 'ntarelay_[a-z_]+' "$top_srcdir/relay" | sort -u); do
	case "$name" in ntarelay_key) continue ;; esac
	base=$(echo "$name" | sed -E 's/_(bucket|sum|count)$//')
	grep -q "^| \`$base\` |" "$T/api7" || missing="$missing $name"
done
t_is "API.md §7 lists every metric name in relay/" "${missing:-none}" none
# every sample belongs to a family with HELP and TYPE
orphans=$(awk '/^#/ { next } { n = $1; sub(/\{.*/, "", n); print n }' "$M" | sort -u |
	while read -r n; do
		b=$(echo "$n" | sed -E 's/_(bucket|sum|count)$//')
		grep -q "^# HELP $n \|^# HELP $b " "$M" || echo "$n"
	done | tr '\n' ' ')
t_is "every sample has its family's HELP" "${orphans:-none}" none

# --- the values
version=$("$NTARELAYD" -v | sed -n 's/.*) \([^,]*\),.*/\1/p')
t_ok "build_info: version $version, protocol v1" has "ntarelay_build_info{version=\"$version\",protocol=\"v1\"} 1"
t_is "zone_state: one series per state for zskroll." \
	"$(grep -c '^ntarelay_zone_state{zone="zskroll\.",' "$M")" 6
t_ok "zskroll. is not nta_recommended" has 'ntarelay_zone_state{zone="zskroll.",state="nta_recommended"} 0'
t_ok "good. (watched, validating) is clear" has 'ntarelay_zone_state{zone="good.",state="clear"} 1'
t_ok "good. is not bogus per the probe" has 'ntarelay_probe_state{zone="good.",state="bogus"} 0'
t_is "probe_state: one series per observation state" \
	"$(grep -c '^ntarelay_probe_state{zone="zskroll\.",' "$M")" 4
val() { awk -v n="$1" '$1 == n { print $2 }' "$M"; }
rounds=$(val ntarelay_probe_rounds_total)
t_ok "probe rounds counted ($rounds)" test "${rounds:-0}" -ge 2
t_is "the duration histogram counts every round" "$(val ntarelay_probe_duration_seconds_count)" "$rounds"
t_is "... its +Inf bucket too" "$(val 'ntarelay_probe_duration_seconds_bucket{le="+Inf"}')" "$rounds"
t_ok "... its buckets are cumulative" sh -c "grep '^ntarelay_probe_duration_seconds_bucket' '$M' |
	awk '{ if (\$2 < p) exit 1; p = \$2 }'"
cert=$(val ntarelay_cert_expiry_seconds)
t_ok "cert_expiry_seconds: within the certificate's 30 days ($cert)" \
	test "${cert:-0}" -gt $((29 * 86400)) -a "${cert:-0}" -le $((30 * 86400))
Bop=$(fed_keyid "$T/B/root.pub" | cut -c1-16)
vouch=$(val "ntarelay_vouch_expiry_seconds{operator=\"$Bop\"}")
t_ok "vouch_expiry_seconds{operator=B}: within the vouch's 10 days ($vouch)" \
	test "${vouch:-0}" -gt $((9 * 86400)) -a "${vouch:-0}" -le $((10 * 86400))
t_is "no other vouch" "$(grep -c '^ntarelay_vouch_expiry_seconds{' "$M")" 1

# --- the example alert rules over this scrape
if ! command -v promtool >/dev/null 2>&1; then
	echo "ok $((_t_n + 1)) # SKIP promtool missing"; _t_n=$((_t_n + 1))
	t_done; exit $?
fi
# the rules without their annotations (the test names labels only)
awk '/^ *annotations:/ { skip = index($0, "a"); next }
	skip && (match($0, /[^ ]/) > skip) { next } { skip = 0; print }' \
	"$top_srcdir/docs/ntarelay-alerts.yml" >"$T/rules.yml"
{
	echo "rule_files: [rules.yml]"
	echo "evaluation_interval: 1m"
	echo "tests:"
	echo "  - interval: 1m"
	echo "    input_series:"
	awk '/^#/ || NF != 2 { next } {
		n = $1; l = ""
		if (i = index(n, "{")) { l = "," substr(n, i + 1); sub(/\}$/, "", l); n = substr(n, 1, i - 1) }
		printf "      - series: '\''%s{job=\"ntarelay\",instance=\"a\"%s}'\''\n", n, l
		printf "        values: '\''%sx10'\''\n", $2 }' "$M"
	echo "    alert_rule_test:"
	for a in NtarelayNTARecommended NtarelayCertExpiring NtarelayNoLinkUp NtarelayStoreNotWritable; do
		printf '      - eval_time: 10m\n        alertname: %s\n        exp_alerts: []\n' "$a"
	done
	cat <<EOF2
      - eval_time: 10m
        alertname: NtarelayZoneBogus
        exp_alerts:
          - exp_labels: {severity: ticket, job: ntarelay, instance: a, zone: zskroll., state: bogus}
      - eval_time: 10m
        alertname: NtarelayVouchExpiring
        exp_alerts:
          - exp_labels: {severity: ticket, job: ntarelay, instance: a, operator: "$Bop"}
EOF2
} >"$T/live.test.yml"
t_ok "over this scrape: the bogus zone and the ending vouch alert, nothing else asked does" \
	promtool test rules "$T/live.test.yml"
t_done
