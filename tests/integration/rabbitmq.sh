#!/bin/sh
# tests/integration/rabbitmq.sh — a clustered broker (issue 16): three
# RabbitMQ nodes with the MQTT plugin, clustered, on 127.0.0.1, ports chosen
# at run time; three relays link to two nodes each:
#   A: n1 n2    B: n1 n2    C: n2 n3
# (each link its own client id: RabbitMQ tracks MQTT client ids cluster-wide,
# and two links with one id would displace each other).
# A burst of observations of a staff key is published to n2, and n2 is
# killed with kill -9 mid-burst; the publisher sends what was not
# acknowledged whole to n1 again (the same signed bytes). Then every event
# must be in every store exactly once, nothing invalid stored; n2 comes
# back, the relays' links to it come back, and still nothing is twice.
# What RabbitMQ 3.x's MQTT plugin does with what the protocol uses (MQTT v5,
# retained messages, QoS 1, persistent sessions) is checked and printed:
# docs/OPERATIONS.md 6.6 says what it means for an operator.
#
# The nodes are this test's own processes (no system service): their own
# node names, Erlang cookie (HOME=$T/rmqhome), epmd (ERL_EPMD_PORT, started
# here), data and logs under $T; stopped by PID.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"
t0=$(date +%s)
phase() { echo "# +$(( $(date +%s) - t0 )) s: $*"; }

RMQBIN=/usr/lib/rabbitmq/bin
# RabbitMQ is a test dependency (scripts/bootstrap installs it): missing,
# the test fails rather than skips.
for tool in "$RMQBIN/rabbitmq-server" "$RMQBIN/rabbitmqctl" epmd mosquitto_pub \
    mosquitto_sub sqlite3 curl timeout; do
	command -v "$tool" >/dev/null ||
		{ echo "Bail out! $tool missing (scripts/bootstrap: rabbitmq-server, mosquitto-clients)"; exit 1; }
done

# setup NAME CMD...: a step the rest needs; bail out when it fails
setup() { _f=$_t_failed; t_ok "$@"; [ "$_t_failed" = "$_f" ] || { echo "Bail out! $1"; exit 1; }; }
listening() { grep -q ":$(printf '%04X' "$1") 00000000:0000 0A" /proc/net/tcp; }

# ------------------------------------------------------------ the nodes
mkdir -p "$T/rmqhome"
export HOME="$T/rmqhome"
od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$HOME/.erlang.cookie"
chmod 400 "$HOME/.erlang.cookie"
ERL_EPMD_PORT=$(t_port)
export ERL_EPMD_PORT
epmd -port "$ERL_EPMD_PORT" -address 127.0.0.1 2>"$T/epmd.log" &
epmd_pid=$!
t_pid "$epmd_pid"
setup "epmd listens on its port" t_wait 10 listening "$ERL_EPMD_PORT"
echo '[rabbitmq_mqtt].' >"$T/enabled_plugins"

node() { echo "rmq$1-$$@localhost"; }
ctl() { _c=$1; shift; timeout 60 "$RMQBIN/rabbitmqctl" -q -n "$(node "$_c")" "$@"; }

# node_start N: start node N (on the ports chosen below, the same after a
# restart); writes the PID of its beam.smp to $T/nN/beam.pid
for n in 1 2 3; do
	eval "n${n}_port=$(t_port) n${n}_amqp=$(t_port) n${n}_dist=$(t_port)"
	mkdir -p "$T/n$n"
	cat >"$T/n$n/rabbitmq.conf" <<EOF
# node $n, written by tests/integration/rabbitmq.sh
listeners.tcp.default = 127.0.0.1:$(eval echo "\$n${n}_amqp")
mqtt.listeners.tcp.default = 127.0.0.1:$(eval echo "\$n${n}_port")
mqtt.allow_anonymous = true
mqtt.default_user = guest
mqtt.default_pass = guest
mqtt.vhost = /
mqtt.exchange = amq.topic
mqtt.prefetch = 100
loopback_users.guest = false
log.file.level = info
EOF
done
node_start() {
	_s=$1
	env RABBITMQ_NODENAME="$(node "$_s")" \
	    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
	    RABBITMQ_NODE_PORT="$(eval echo "\$n${_s}_amqp")" \
	    RABBITMQ_DIST_PORT="$(eval echo "\$n${_s}_dist")" \
	    RABBITMQ_MNESIA_BASE="$T/n$_s/mnesia" RABBITMQ_LOG_BASE="$T/n$_s/log" \
	    RABBITMQ_CONFIG_FILE="$T/n$_s/rabbitmq.conf" \
	    RABBITMQ_ENABLED_PLUGINS_FILE="$T/enabled_plugins" \
	    RABBITMQ_PID_FILE="$T/n$_s/pid" \
	    "$RMQBIN/rabbitmq-server" >>"$T/n$_s/out" 2>&1 </dev/null &
	echo "$!" >"$T/n$_s/sh.pid"
	# the MQTT listener opens last; a node's boot takes about 10 s here
	t_wait 90 listening "$(eval echo "\$n${_s}_port")"
	# rabbitmq-server execs beam.smp: its PID, for the trap and kill -9
	_p=$(ctl "$_s" eval 'os:getpid().' | tr -d '"')
	echo "$_p" >"$T/n$_s/beam.pid"
	[ -n "$_p" ] && kill -0 "$_p" || return 1
	ctl "$_s" await_startup --timeout 60 >/dev/null 2>&1
}
# node_pids N: register node N's PIDs (node_start may run in a subshell)
node_pids() {
	for _f in sh beam; do
		[ -s "$T/n$1/$_f.pid" ] && t_pid "$(cat "$T/n$1/$_f.pid")"
	done
	eval "n${1}_pid=$(cat "$T/n$1/beam.pid" 2>/dev/null)"
}
join() { ctl "$1" stop_app && ctl "$1" join_cluster "$(node 1)" && ctl "$1" start_app; }

node_start 1 & s1=$!; node_start 2 & s2=$!; node_start 3 & s3=$!
wait $s1; r1=$?; wait $s2; r2=$?; wait $s3; r3=$?
for n in 1 2 3; do node_pids "$n"; done
setup "node 1 starts" test "$r1" = 0
setup "node 2 starts" test "$r2" = 0
setup "node 3 starts" test "$r3" = 0
echo "# RabbitMQ $(ctl 1 eval 'rabbit_misc:version().' | tr -d '"'), Erlang/OTP $(ctl 1 eval 'erlang:system_info(otp_release).' | tr -d '"')"
phase "the nodes are up"
# One node at a time, and once more after a reset if it fails: two nodes
# joining the same seed at once can collide on its schema (a CI run of
# 2026-12-06 saw node 3's join fail while node 2's succeeded); what
# rabbitmqctl said is printed as TAP comments.
join_retry() {
	join "$1" >"$T/join$1" 2>&1 && return 0
	sed 's/^/# join '"$1"': /' "$T/join$1"
	{ ctl "$1" stop_app; ctl "$1" reset; } >/dev/null 2>&1
	join "$1" >"$T/join$1" 2>&1 && return 0
	sed 's/^/# join '"$1"' again: /' "$T/join$1"
	return 1
}
join_retry 2; r2=$?
join_retry 3; r3=$?
setup "node 2 joins node 1's cluster (rabbitmqctl join_cluster)" test "$r2" = 0
setup "node 3 joins node 1's cluster" test "$r3" = 0
running() { [ "$(ctl 1 eval 'length(rabbit_nodes:all_running()).')" = 3 ]; }
setup "the cluster runs 3 nodes" t_wait 60 running
mqtt_up() { for n in 1 2 3; do listening "$(eval echo "\$n${n}_port")" || return 1; done; }
setup "each node's MQTT listener is up" t_wait 30 mqtt_up

# ------------------------------------------------------------ MQTT, as is
pub() { timeout 10 mosquitto_pub -h 127.0.0.1 -q 1 "$@"; }
sub1() { timeout 10 mosquitto_sub -h 127.0.0.1 -C 1 -W 2 -q 1 -V mqttv311 "$@"; }
t_fail "an MQTT v5 CONNECT is closed unanswered (no v5 in RabbitMQ 3.x)" 7 \
	pub -p "$n1_port" -V mqttv5 -t probe/v5 -m x
t_ok "an MQTT 3.1.1 QoS 1 publish is acknowledged" pub -p "$n1_port" -V mqttv311 -t probe/q1 -m x
pub -p "$n1_port" -V mqttv311 -r -t probe/ret/a -m retained1 >/dev/null 2>&1
t_is "a retained message: delivered to an exact-topic subscription on its node" \
	"$(sub1 -p "$n1_port" -t probe/ret/a 2>/dev/null)" retained1
got=$(sub1 -p "$n1_port" -t 'probe/ret/#' 2>/dev/null)
echo "# a retained message to a wildcard subscription on its node: '${got:-nothing}'"
got=$(sub1 -p "$n3_port" -t probe/ret/a 2>/dev/null)
echo "# a retained message to an exact-topic subscription on another node: '${got:-nothing}'"

phase "the cluster is up"
# ------------------------------------------------------------ federation
for o in A B C D; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
FED_OPERATORS="A B C"      # D is not a member: nobody pins it
FED_EXTRA="zone_events_per_operator 100000"
FED_CLIENT_IDS=1
export FED_EXTRA FED_CLIENT_IDS
# RabbitMQ 3.x delivers a retained message only to a subscription without
# wildcards, and a relay subscribes to ntarelay/v1/NET/#: a relay does not
# receive the certificates of relays that started before it. So each trust
# database holds the members' relay certificates from the start (what an
# operator does with `ntactl trust import`, docs/OPERATIONS.md 6.6).
for r in A B C; do
	for o in $FED_OPERATORS; do
		"$NTACTL" trust --db "$T/$r/trust.db" --net "$FED_NET" pin "$T/$o/root.pub" >/dev/null
	done
	cat "$T/A/cert" "$T/B/cert" "$T/C/cert" |
		"$NTACTL" trust --db "$T/$r/trust.db" --net "$FED_NET" import - >/dev/null ||
		{ echo "Bail out! trust import"; exit 1; }
done
setup "relay A starts (links n1 n2)" fed_relay A n1 n2
setup "relay B starts (links n1 n2)" fed_relay B n1 n2
setup "relay C starts (links n2 n3)" fed_relay C n2 n3
RELAYS="A B C"
healthy() { [ "$(curl -s "http://127.0.0.1:$(eval echo "\$${1}_http")/healthz")" = ok ]; }
all_healthy() { for r in $RELAYS; do healthy "$r" || return 1; done; }
setup "every relay has both links up" t_wait 60 all_healthy
t_ok "the relays fell back to MQTT 3.1.1 (logged)" \
	grep -q 'without answering MQTT v5, trying 3.1.1' "$T/A/relay.log"
t_ok "... and connected with it" grep -q 'connected (MQTT 3.1.1' "$T/A/relay.log"

# A's staff key: its certificate on the trust topic, retained, on n1.
"$NTACTL" keygen --name A-staff --out "$T/A/staff" >/dev/null &&
"$NTACTL" cert --net "$FED_NET" --root "$T/A/root.key" --subject "$T/A/staff.pub" \
	--days 30 >"$T/A/staff.cert" || { echo "Bail out! staff key"; exit 1; }
Aop=$(fed_keyid "$T/A/root.pub"); Akey=$(fed_keyid "$T/A/staff.pub")
pub -p "$n1_port" -V mqttv311 -r \
	-t "ntarelay/v1/$FED_NET/trust/$Aop/$("$NTACTL" id "$T/A/staff.cert")" -f "$T/A/staff.cert"
knows_staff() {
	for r in $RELAYS; do
		"$NTACTL" trust --db "$T/$r/trust.db" why "$T/A/staff.pub" | grep -qi cert || return 1
	done
}
setup "every relay learns the staff key (retained publish, live)" t_wait 30 knows_staff

# ------------------------------------------------------------ the burst
N=${RMQ_BURST:-2000}
export EVGEN_MQTT=3.1.1
"$EVGEN" --key "$T/A/staff.key" --origin "$Aop" --net "$FED_NET" --kind observation \
	--zone burst.example. --count "$N" --seq 1 --topics >"$T/burst" 2>"$T/burst.last" ||
	{ echo "Bail out! evgen"; exit 1; }
# to n2 until it is killed, then what was not acknowledged whole to n1
publish() {
	timeout 60 "$EVGEN" --replay "$T/burst" --publish "127.0.0.1:$n2_port" 2>/dev/null ||
	until timeout 60 "$EVGEN" --replay "$T/burst" --publish "127.0.0.1:$n1_port" 2>/dev/null; do
		sleep 0.5
	done
}
phase "the burst"
publish & gen=$!
t_pid "$gen"
t_wait 60 sh -c "[ \"\$(sqlite3 'file:$T/A/store.db?mode=ro' \"SELECT count(*) FROM events WHERE zone = 'burst.example.'\")\" -gt $((N / 10)) ]"
kill -KILL "$n2_pid"
before=$(fed_count C "zone = 'burst.example.'")
wait "$gen"
t_ok "node 2 killed with kill -9 mid-burst (C had stored $before of $N)" test "$before" -lt "$N"
burst_done() { [ "$(fed_count "$1" "key = x'$Akey' AND zone = 'burst.example.'")" = "$N" ]; }
for r in $RELAYS; do
	t_ok "$r has all $N burst events after the node died" t_wait 60 burst_done "$r"
done
for r in $RELAYS; do
	t_is "no event twice in $r's store" "$(sqlite3 "file:$T/$r/store.db?mode=ro" \
		'SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT key, seq FROM events)) FROM events')" 0
done
degraded() { curl -s "http://127.0.0.1:$(eval echo "\$${1}_http")/healthz" | grep -q degraded; }
t_ok "C says degraded (its link to n2 is down)" t_wait 20 degraded C

phase "the burst is in every store"
# ------------------------------------------------------------ nothing invalid
now=$(date +%s)
topic="ntarelay/v1/$FED_NET/obs/bad.example./$Aop"
g="$EVGEN --key $T/A/staff.key --origin $Aop --kind observation --zone bad.example. --prev $(printf '%064d' 0 | tr 0 a)"
$g --net "$FED_NET" --seq 900001 2>/dev/null |
	sed "s|\"sig\":\"[^\"]*\"|\"sig\":\"$(head -c 64 /dev/urandom | base64 -w0)\"|" >"$T/j1"
$g --net othernet --seq 900002 2>/dev/null >"$T/j2"
"$EVGEN" --key "$T/D/relay.key" --origin "$Aop" --net "$FED_NET" --kind observation \
	--zone bad.example. --seq 1 --prev "$(printf '%064d' 0 | tr 0 a)" 2>/dev/null >"$T/j3"
$g --net "$FED_NET" --seq 900004 --ts $((now - 7200)) --lifetime 3600 2>/dev/null >"$T/j4"
for j in 1 2 3 4; do pub -p "$n1_port" -V mqttv311 -t "$topic" -f "$T/j$j"; done
# a good event after them: once it is stored, the bad ones were seen
"$EVGEN" --key "$T/A/staff.key" --origin "$Aop" --net "$FED_NET" --kind observation \
	--zone burst.example. --count 1 --seq $((N + 1)) --prev "$(sed -n 's/^last [0-9]* //p' "$T/burst.last")" \
	--publish "127.0.0.1:$n3_port" 2>"$T/after.last"
after() { [ "$(fed_count "$1" "key = x'$Akey' AND seq = $((N + 1))")" = 1 ]; }
for r in $RELAYS; do t_ok "$r stores the event after the invalid ones" t_wait 30 after "$r"; done
for r in $RELAYS; do
	t_is "no invalid event in $r's store" "$(fed_count "$r" "zone = 'bad.example.'")" 0
done
rejected=0
for r in $RELAYS; do
	for why in bad_signature wrong_net unknown_key expired; do
		rejected=$((rejected + $(fed_metric "$r" "ntarelay_events_rejected_total{reason=\"$why\"}")))
	done
done
t_ok "the invalid events were refused and counted ($rejected)" test "$rejected" -ge 4

# ------------------------------------------------------------ n2 comes back
phase "node 2 restarts"
rm -f "$T/n2/sh.pid" "$T/n2/beam.pid"
setup "node 2 restarts (same name, ports and data)" node_start 2
node_pids 2
setup "the cluster runs 3 nodes again" t_wait 60 running
t_ok "every relay has both links up again" t_wait 60 all_healthy
resumed() { grep -c 'session resumed' "$T/$1/relay.log"; }
for r in $RELAYS; do
	echo "# $r: $(resumed "$r") links resumed a session, $(grep -c 'session new' "$T/$r/relay.log") began a new one"
done
# a last event through n2: it reaches all, and still nothing twice
"$EVGEN" --key "$T/A/staff.key" --origin "$Aop" --net "$FED_NET" --kind observation \
	--zone burst.example. --count 1 --seq $((N + 2)) \
	--prev "$(sed -n 's/^last [0-9]* //p' "$T/after.last")" \
	--publish "127.0.0.1:$n2_port" 2>/dev/null
last() { [ "$(fed_count "$1" "key = x'$Akey' AND seq = $((N + 2))")" = 1 ]; }
for r in $RELAYS; do t_ok "$r stores an event published to the restarted node 2" t_wait 30 last "$r"; done
for r in $RELAYS; do
	t_is "$r holds the staff key's chain 1..$((N + 2)) once" \
		"$(fed_count "$r" "key = x'$Akey'")" $((N + 2))
	t_is "no event twice in $r's store, after node 2's return" "$(sqlite3 "file:$T/$r/store.db?mode=ro" \
		'SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT key, seq FROM events)) FROM events')" 0
done
phase "done"
t_done
