#!/bin/sh
# tests/integration/reload.sh — SIGHUP applies `watch` and the probe_*
# keys to a running relay (relay/fed/watch.c, watch_reload()): a zone
# added is probed and observed, a zone removed is probed no more, a new
# probe_interval reschedules, a new trust anchor makes a new probe, one
# that cannot be read is refused with the probe kept running; each change
# is logged once, and a
# key a reload cannot apply is still named ("KEY changed: restart needed").
# Zones come from the signed hierarchy NSD serves (testbed.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"
. "$top_srcdir/tests/integration/testbed.sh"

for tool in nsd ldns-keygen ldns-signzone jq; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool missing"; exit 0; }
done
t_ok "build the signed hierarchy" tb_build
t_ok "start NSD" tb_nsd nsd
fed_operator A || { echo "Bail out! keys"; exit 1; }
t_ok "broker starts" t_mosquitto m

# One probe round at the start, then none for an hour: what happens next
# comes from the reloads.
probe_conf() {
	printf 'probe_forward 127.0.0.1@%s\nprobe_trust_anchor %s\n' "$nsd_port" \
		"${1:-$TB/root.ds}"
}
FED_LOG_LEVEL=debug
FED_EXTRA="watch good
$(probe_conf)
probe_interval 3600"
export FED_EXTRA FED_LOG_LEVEL
t_ok "relay A starts, watching good. every hour" fed_relay A m
unset FED_EXTRA
base=$(grep -v '^watch \|^probe_' "$T/A/ntarelay.conf")

obs_count() { fed_count A "kind = 0 AND zone = '$1'"; }
has_obs() { [ "$(obs_count "$1")" -ge "$2" ]; }
t_ok "A observes good." t_wait 30 has_obs good. 1
t_is "... and nothing of zskroll." "$(obs_count zskroll.)" 0

# rounds ZONE: probe rounds of ZONE logged after the last reload
mark() { wc -l <"$T/A/relay.log" >"$T/mark"; }
since() { tail -n +"$(($(cat "$T/mark") + 1))" "$T/A/relay.log"; }
rounds() { since | grep -c "watch $1: probing"; }
has_rounds() { [ "$(rounds "$1")" -ge "$2" ]; }
hup() {
	mark
	kill -HUP "$A_pid"
	t_wait 10 sh -c "tail -n +$(($(cat "$T/mark") + 1)) '$T/A/relay.log' | grep -q 'reloaded'"
}

# 1. watch: good. out, zskroll. in; probe_interval 3600 -> 1; and a key a
# reload cannot apply.
{ printf '%s\n' "$base"; echo "watch zskroll."; probe_conf
  echo "probe_interval 1"; echo "heartbeat_interval 30"; } >"$T/A/ntarelay.conf"
t_ok "SIGHUP: A reloads" hup
t_ok "the watch change is logged once" \
	sh -c "[ \$(grep -c 'reload: watch: added zskroll., removed good. (1 zones)' '$T/A/relay.log') = 1 ]"
t_ok "the interval change is logged" \
	grep -q 'reload: probe_interval: 1 s (was 3600 s)' "$T/A/relay.log"
t_ok "watch and probe_interval are not named as needing a restart" \
	sh -c "! grep -Eq 'reload: (watch|probe_[a-z_]*) changed: restart needed' '$T/A/relay.log'"
t_ok "heartbeat_interval is: restart needed" \
	grep -q 'reload: heartbeat_interval changed: restart needed' "$T/A/relay.log"
t_ok "the added zone is observed (store)" t_wait 30 has_obs zskroll. 1
api() { curl -fs "http://127.0.0.1:$A_http/v1/events?kind=observation&zone=$1"; }
t_is "... and served by the API, bogus" \
	"$(api zskroll. | jq -r '.events[0].envelope.payload' | base64 -d | jq -r .state)" bogus
# At one round a second, three rounds of zskroll. span two intervals: a
# zone still watched would have had a round in them too.
t_ok "the new interval applies: three rounds of zskroll." t_wait 30 has_rounds zskroll. 3
t_is "the removed zone is probed no more" "$(rounds good.)" 0
t_is "and signs no new observation" "$(obs_count good.)" 1
t_ok "/metrics: the removed zone's probe state is gone" \
	sh -c "! curl -fs 'http://127.0.0.1:$A_http/metrics' | grep -q 'ntarelay_probe_state{zone=\"good.\"'"
t_ok "/metrics: the added zone's is there, bogus" \
	sh -c "curl -fs 'http://127.0.0.1:$A_http/metrics' | grep -q 'ntarelay_probe_state{zone=\"zskroll.\",state=\"bogus\"} 1'"

# 2. A trust anchor that cannot be read: refused, the probe keeps going.
{ printf '%s\n' "$base"; echo "watch zskroll."; probe_conf "$T/none.ds"
  echo "probe_interval 1"; echo "heartbeat_interval 30"; } >"$T/A/ntarelay.conf"
t_ok "SIGHUP with a missing probe_trust_anchor: A reloads" hup
t_ok "the probe's error is logged" sh -c \
	"grep -q 'reload: probe: trust anchor $T/none.ds: No such file or directory (the probe keeps its running settings)' '$T/A/relay.log'"
t_ok "... and not announced as applied" \
	sh -c "! grep -q 'reload: probe_trust_anchor: $T/none.ds' '$T/A/relay.log'"
t_ok "the running probe goes on" t_wait 30 has_rounds zskroll. 2
t_ok "A stays healthy" curl -fs "http://127.0.0.1:$A_http/healthz"

# 3. A trust anchor that can be read (a copy): a new probe takes over.
cp "$TB/root.ds" "$T/copy.ds"
{ printf '%s\n' "$base"; echo "watch zskroll."; probe_conf "$T/copy.ds"
  echo "probe_interval 1"; echo "heartbeat_interval 30"; } >"$T/A/ntarelay.conf"
t_ok "SIGHUP with a new probe_trust_anchor: A reloads" hup
t_ok "the change is logged" \
	grep -q "reload: probe_trust_anchor: $T/copy.ds (was $TB/root.ds)" "$T/A/relay.log"
t_ok "the new probe probes" t_wait 30 has_rounds zskroll. 2

# 4. good. back with a name: added, probed, observed again.
{ printf '%s\n' "$base"; echo "watch zskroll."; echo "watch good www"
  probe_conf "$T/copy.ds"; echo "probe_interval 1"; echo "heartbeat_interval 30"; } >"$T/A/ntarelay.conf"
t_ok "SIGHUP: good. is watched again" hup
t_ok "the addition is logged" grep -q 'reload: watch: added good. (2 zones)' "$T/A/relay.log"
t_ok "good. is probed again" t_wait 30 has_rounds good. 1
t_ok "and observed again" t_wait 30 has_obs good. 2
t_ok "no reload named watch or a probe key as needing a restart" \
	sh -c "! grep -Eq 'reload: (watch|probe_[a-z_]*) changed: restart needed' '$T/A/relay.log'"
fed_stop_relay A
t_done
