#!/bin/sh
# tests/integration/storedamage.sh — a damaged store is found at start and
# refused with a message naming the file and what to do; --rebuild-store
# moves it aside (kept, renamed with a timestamp) and starts with an empty
# store that the broker's retained messages fill again, and never lets the
# relay's key sign again under seq numbers it used (an equivocation):
#   1. random bytes: not SQLite at all; the key's chain head is lost with
#      it, so the rebuild is refused until the relay has a new key;
#   2. a broken page (quick_check finds it): the rebuild reads the chain
#      head back and the new store continues the chain.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

for o in A B; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
Aop=$(fed_keyid "$T/A/root.pub")
t_ok "broker starts" t_mosquitto m
t_ok "relay B starts" fed_relay B m
"$EVGEN" --key "$T/A/root.key" --net "$FED_NET" --kind assessment --zone lost.example. \
	--publish "127.0.0.1:$m_port" >/dev/null 2>&1
heldA() { [ "$(fed_count B "origin = x'$Aop' AND kind = 1")" -ge 1 ]; }
t_ok "B holds A's (retained) assessment" t_wait 20 heldA
fed_stop_relay B
store=$T/B/store.db

# start B in the foreground: its exit status and its log
start_b() { "$NTARELAYD" -c "$T/B/ntarelay.conf" "$@" 2>>"$T/B/relay.log"; }

# 1. random bytes
rm -f "$store-wal" "$store-shm"
head -c 200000 /dev/urandom >"$store"
sum=$(sha256sum <"$store")
t_fail "a store of random bytes: the relay does not start" 1 start_b
t_ok "the refusal names the file and the damage" \
	grep -q "store: $store is damaged: file is not a database" "$T/B/relay.log"
t_ok "the refusal says what to do (--rebuild-store)" \
	grep -q "start once with --rebuild-store" "$T/B/relay.log"
t_fail "--rebuild-store with the key that signed into it: refused" 1 start_b --rebuild-store
t_ok "the refusal says why (equivocation) and what to do (a new key)" \
	grep -q "cannot be read back from it.*equivocation.*new key" "$T/B/relay.log"
t_is "the damaged file is left where it was" "$(sha256sum <"$store")" "$sum"

# a new relay key for B (docs/OPERATIONS.md 11.3), certified by B's root
sleep 1   # the certificate must be newer than the damaged file's last write
"$NTACTL" keygen --name B-relay2 --out "$T/B/relay2" >/dev/null
"$NTACTL" cert --net "$FED_NET" --root "$T/B/root.key" --subject "$T/B/relay2.pub" \
	--days 30 >"$T/B/cert2"
sed -i "s|^key .*|key $T/B/relay2.key|; s|^cert .*|cert $T/B/cert2|" "$T/B/ntarelay.conf"
: >"$T/B/relay.log"
# in the background, as fed_start_relay does, with --rebuild-store
start_rebuild() {
	"$NTARELAYD" -c "$T/B/ntarelay.conf" --rebuild-store 2>>"$T/B/relay.log" &
	B_pid=$!
	t_pid "$B_pid"
	t_wait 10 curl -fs "http://127.0.0.1:$B_http/healthz"
}
t_ok "with a new key, --rebuild-store starts the relay" start_rebuild
aside=$(ls "$store".damaged-* 2>/dev/null | head -n 1)
t_ok "the damaged file is kept aside, renamed with a timestamp ($aside)" \
	sh -c "echo '$aside' | grep -q 'store.db.damaged-[0-9]\{8\}T[0-9]\{6\}Z$'"
t_is "... unchanged" "$(sha256sum <"$aside")" "$sum"
t_ok "the rebuild is logged" grep -q "store: rebuilding: .*kept as $aside" "$T/B/relay.log"
t_ok "the new store is filled again from the broker (A's retained assessment)" \
	t_wait 20 heldA
fed_stop_relay B

# 2. a broken page: quick_check finds it; the chain head is read back
key2=$(fed_keyid "$T/B/relay2.pub")
head2=$(sqlite3 "$store" "SELECT head_seq FROM chains WHERE key = x'$key2'")
t_ok "B's new key has a chain (head $head2)" test "${head2:-0}" -ge 1
page=$(sqlite3 "$store" "SELECT rootpage FROM sqlite_schema WHERE name = 'events_received'")
psize=$(sqlite3 "$store" "PRAGMA page_size")
rm -f "$store-wal" "$store-shm"
head -c "$psize" /dev/urandom | dd of="$store" bs="$psize" seek=$((page - 1)) \
	conv=notrunc 2>/dev/null
: >"$T/B/relay.log"
t_fail "a store with a broken page: the relay does not start" 1 start_b
t_ok "the refusal names the file and quick_check's finding" \
	grep -q "store: $store is damaged: quick_check: " "$T/B/relay.log"
t_ok "--rebuild-store starts the relay" start_rebuild
t_ok "the key's chain head is read back from the damaged store" \
	grep -q "continues its chain after seq $head2, read back" "$T/B/relay.log"
next() { [ "$(fed_count B "key = x'$key2'")" -ge 1 ]; }
t_ok "B signs again (a heartbeat)" t_wait 10 next
t_is "... after its old head: no seq is used twice" \
	"$(fed_count B "key = x'$key2' AND seq <= $head2")" 0
t_done
