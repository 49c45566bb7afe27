#!/bin/sh
# tests/integration/memcheck.sh — the relays of a small federation under
# valgrind --leak-check=full: two operators, relay A on broker a, relay B
# on brokers a and b, relay C on broker b (B forwards between them). While
# they run: heartbeats and certificates cross, a trust event teaches every
# relay a new key, events of several kinds are gossiped and backfilled
# through B, a broker restarts, the HTTP API and the control socket are
# asked, and relay C is reloaded (SIGHUP). Then each relay is stopped with
# SIGTERM and its valgrind report must say "definitely lost: 0",
# "indirectly lost: 0" (or "no leaks are possible") and "ERROR SUMMARY: 0
# errors" (invalid reads and writes, uses of uninitialised values).
# Memory still reachable at exit (libraries' caches: OpenSSL, libunbound,
# mosquitto, sqlite) is not counted, nor "possibly lost", which valgrind
# reports for pointers into the middle of blocks that those libraries keep.
#
# Not in make check (a few minutes: valgrind runs the relay ~20-50 times
# slower); run by `make check-valgrind`, or alone:
#   make check TESTS=tests/integration/memcheck.sh
# Skipped (exit 77 as TAP "1..0 # SKIP") when valgrind is not installed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

if ! command -v valgrind >/dev/null 2>&1; then
	echo "1..0 # SKIP valgrind not installed"
	exit 0
fi

for o in A B C; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
FED_OPERATORS="A B C"
# valgrind: the relays start slowly; fed_relay's own wait is 10 s.
FED_NOWAIT=1
FED_LOG_LEVEL=debug
FED_WRAP="valgrind --leak-check=full --show-leak-kinds=definite,indirect \
--errors-for-leak-kinds=definite,indirect --track-origins=no --num-callers=30 \
--log-file=$T/vg.%p"
export FED_WRAP FED_NOWAIT FED_LOG_LEVEL

healthy() { curl -fs "http://127.0.0.1:$1/healthz"; }

t_ok "broker a starts" t_mosquitto a
t_ok "broker b starts" t_mosquitto b
t_ok "relay A starts under valgrind (link a)" fed_relay A a
t_ok "relay B starts under valgrind (links a b)" fed_relay B a b
t_ok "relay C starts under valgrind (link b)" fed_relay C b
t_ok "relay A answers /healthz" t_wait 120 healthy "$A_http"
t_ok "relay B answers /healthz" t_wait 120 healthy "$B_http"
t_ok "relay C answers /healthz" t_wait 120 healthy "$C_http"

"$NTACTL" keygen --name A-staff --out "$T/A/staff" >/dev/null &&
"$NTACTL" cert --net "$FED_NET" --root "$T/A/root.key" --subject "$T/A/staff.pub" \
	--days 30 >"$T/A/staff.cert" || { echo "Bail out! staff key"; exit 1; }
Arelay=$(fed_keyid "$T/A/relay.pub")
Akey=$(fed_keyid "$T/A/staff.pub"); Aop=$(fed_keyid "$T/A/root.pub")
in_store() { [ "$(fed_count "$1" "id = x'$2'")" = 1 ]; }

t_ok "C learns A's heartbeat through B" t_wait 120 sh -c \
	"[ \"\$(sqlite3 'file:$T/C/store.db?mode=ro' \"SELECT count(*) FROM events WHERE key = x'$Arelay' AND kind = 8\")\" -ge 1 ]"

# A trust event: every relay imports A's staff key.
mosquitto_pub -h 127.0.0.1 -p "$a_port" -q 1 -r \
	-t "ntarelay/v1/$FED_NET/trust/$Aop/$("$NTACTL" id "$T/A/staff.cert")" -f "$T/A/staff.cert"
t_ok "C learns A's staff key through B" t_wait 120 sh -c \
	"'$NTACTL' trust --db '$T/C/trust.db' why '$T/A/staff.pub' | grep -qi cert"

# Events of several kinds, on broker a; they reach C through B.
prev=$(printf '%064d' 0 | tr 0 a)
seq=100
for kind in assessment observation heartbeat observation; do
	"$EVGEN" --key "$T/A/staff.key" --origin "$Aop" --net "$FED_NET" --kind "$kind" \
		--zone example. --count 3 --seq "$seq" --prev "$prev" \
		--publish "127.0.0.1:$a_port" 2>"$T/gen" >/dev/null
	prev=$(sed -n 's/^last [0-9]* //p' "$T/gen")
	seq=$((seq + 3))
done
t_ok "the last of 12 events reaches C" t_wait 120 in_store C "$prev"

# Broker b goes away; C catches up after it is back.
kill "$b_pid"; wait "$b_pid" 2>/dev/null
"$EVGEN" --key "$T/A/staff.key" --origin "$Aop" --net "$FED_NET" --kind observation \
	--zone example. --count 5 --seq "$seq" --prev "$prev" \
	--publish "127.0.0.1:$a_port" 2>"$T/gen" >/dev/null
last=$(sed -n 's/^last [0-9]* //p' "$T/gen")
t_ok "B stores events while b is down" t_wait 120 in_store B "$last"
t_ok "broker b restarts on its port" t_mosquitto b "$b_port"
t_ok "after the restart C has them" t_wait 180 in_store C "$last"

# The HTTP API, good and bad requests.
api() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$B_http$1"; }
t_is "GET /v1/events" "$(api '/v1/events?zone=example.&limit=5')" 200
t_is "GET /v1/events with a bad kind" "$(api '/v1/events?kind=nope')" 400
t_is "GET /v1/peers" "$(api /v1/peers)" 200
t_is "GET /v1/zones" "$(api /v1/zones)" 200
t_is "GET /v1/zones/example." "$(api /v1/zones/example.)" 200
t_is "GET /v1/events/{id}" "$(api "/v1/events/$last")" 200
t_is "GET /metrics" "$(api /metrics)" 200
t_is "GET /nowhere" "$(api /nowhere)" 404
# The control socket (ntactl status reads it).
t_ok "ntactl status through B's control socket" "$NTACTL" status -c "$T/B/ntarelay.conf"

# A reload.
kill -HUP "$C_pid"
t_ok "C still healthy after SIGHUP" t_wait 60 healthy "$C_http"

# Stop every relay; each valgrind report must show no leak and no error.
for r in A B C; do
	pid=$(eval echo "\$${r}_pid")
	fed_stop_relay "$r"
	f=$(ls "$T"/vg.* 2>/dev/null | while read -r v; do
		grep -q "ntarelayd -c $T/$r/ntarelay.conf" "$v" && echo "$v"; done | head -n 1)
	if [ -z "$f" ]; then
		t_ok "relay $r: valgrind report found" false
		continue
	fi
	sed -n '/HEAP SUMMARY/,$p' "$f" | sed 's/^/# /'
	noleak() {
		grep -q 'All heap blocks were freed -- no leaks are possible' "$1" ||
		{ grep -q 'definitely lost: 0 bytes in 0 blocks' "$1" &&
		  grep -q 'indirectly lost: 0 bytes in 0 blocks' "$1"; }
	}
	t_ok "relay $r (pid $pid): no leak (definitely/indirectly lost: 0)" noleak "$f"
	t_ok "relay $r: ERROR SUMMARY: 0 errors" grep -q 'ERROR SUMMARY: 0 errors' "$f"
done
t_done
