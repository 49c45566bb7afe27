#!/bin/sh
# tests/integration/resolver.sh — from the federation's decision to a real
# resolver's NTA and back: Unbound validates zskroll. (part of the zone
# signed by an unpublished key) served by NSD and fails; three operators'
# relays observe it and their staff assess it; on nta_recommended,
# `ntactl nta sync --driver unbound` adds the NTA and the name answers;
# when the assessments are withdrawn it removes it and validation fails
# again; when the zone is fixed it validates, with the AD flag.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"
. "$top_srcdir/tests/integration/testbed.sh"

for tool in nsd unbound unbound-control ldns-keygen ldns-signzone dig jq sqlite3; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool missing"; exit 0; }
done
t_ok "build the signed hierarchy" tb_build
t_ok "start NSD" tb_nsd nsd
t_ok "start a validating Unbound" tb_unbound ub nsd
t_is "www.good. validates through Unbound" "$(tb_dig "$ub_port" www.good.)" "NOERROR ad"
t_is "www.zskroll. fails to validate: SERVFAIL" "$(tb_dig "$ub_port" www.zskroll.)" "SERVFAIL noad"

for o in A B C; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
t_ok "broker starts" t_mosquitto m
FED_EXTRA="watch zskroll.
probe_forward 127.0.0.1@$nsd_port
probe_trust_anchor $TB/root.ds
probe_interval 1
resolve_after 5"
export FED_EXTRA
for r in A B C; do t_ok "relay $r starts" fed_relay "$r" m; done
unset FED_EXTRA

state_is() { [ "$(curl -fs "http://127.0.0.1:$(eval echo "\$${1}_http")/v1/zones/zskroll." | jq -r .state)" = "$2" ]; }
all_state() { for r in A B C; do state_is "$r" "$1" || return 1; done; }
t_ok "every relay observes the failure" t_wait 40 all_state observed

ids=""
for r in A B C; do
	id=$("$NTACTL" assess zskroll. -c "$T/$r/ntarelay.conf" --verdict accident \
		--nta --lifetime 2h | awk 'NR == 1 { print $2 }')
	ids="$ids $r:$id"
done
t_ok "three operators assess: nta_recommended on every relay" t_wait 30 all_state nta_recommended

ST=$T/nta-state.json
sync() {
	"$NTACTL" nta sync --driver unbound --control-config "$ub_conf" \
		--relay "http://127.0.0.1:$A_http" --state "$ST" "$@" >"$T/sync.out" 2>"$T/sync.err"
}
t_ok "ntactl nta sync --driver unbound: exit 0" sync
t_is "Unbound holds the NTA" "$(unbound-control -c "$ub_conf" list_insecure)" "zskroll."
t_ok "the state file records it" grep -q '"zskroll."' "$ST"
t_is "www.zskroll. answers (without AD, under the NTA)" "$(tb_dig "$ub_port" www.zskroll.)" "NOERROR noad"
t_is "www.good. still validates" "$(tb_dig "$ub_port" www.good.)" "NOERROR ad"
t_ok "a second pass changes nothing: exit 0" sync
t_is "still one NTA" "$(unbound-control -c "$ub_conf" list_insecure | wc -l)" 1

for r in A B; do
	id=$(echo "$ids" | tr ' ' '\n' | sed -n "s/^$r://p")
	t_ok "$r withdraws its assessment" "$NTACTL" withdraw "$id" -c "$T/$r/ntarelay.conf"
done
t_ok "the quorum dissolves on every relay" t_wait 30 all_state observed
t_ok "nta sync removes the NTA" sync
t_is "Unbound holds no NTA" "$(unbound-control -c "$ub_conf" list_insecure)" ""
servfail() { [ "$(tb_dig "$ub_port" www.zskroll.)" = "SERVFAIL noad" ]; }
t_ok "www.zskroll. fails again: SERVFAIL" t_wait 15 servfail

# the zone operator fixes the zone: signed by its published keys only
t_ok "fix zskroll." sh -c "ldns-signzone -i $((tb_now - 86400)) -e $((tb_now + 30 * 86400)) -f '$TB/signed/zskroll.zone' '$TB/zskroll.zone' $(echo "$tb_keys_zskroll" | cut -d' ' -f1,2) >/dev/null"
tb_reload nsd
ad() { [ "$(tb_dig "$ub_port" www.zskroll.)" = "NOERROR ad" ]; }
t_ok "www.zskroll. validates again, with the AD flag" t_wait 40 ad
t_ok "the relays see it resolved" t_wait 30 all_state resolved
t_ok "nta sync stays in step: exit 0" sync
t_is "and adds nothing" "$(unbound-control -c "$ub_conf" list_insecure)" ""
t_done
