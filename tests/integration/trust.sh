#!/bin/sh
# tests/integration/trust.sh — ntactl cert/vouch/revoke and ntactl trust as
# operators use them: pins, vouches, certificates, revocation, the audit
# commands and their exit codes, and a damaged or locked database.
. "$(dirname "$0")/lib.sh"

NTACTL="$top_builddir/client/ntactl"
DB="$T/trust.db"

for c in cert vouch revoke trust; do
	t_ok "ntactl $c --help" "$NTACTL" "$c" --help
done

# Three operators (a, b pinned; c vouched by both), relay keys for c.
for o in a b c d; do
	"$NTACTL" keygen --name "$o-root" --out "$T/$o" --root >/dev/null
done
"$NTACTL" keygen --name c-relay1 --out "$T/crel1" >/dev/null
"$NTACTL" keygen --name c-relay2 --out "$T/crel2" >/dev/null
id_of() { cut -d' ' -f2 "$1" | base64 -d | sha256sum | cut -d' ' -f1; }
c_id=$(id_of "$T/c.pub")

t_ok "pin a with zones" "$NTACTL" trust --db "$DB" --net example pin "$T/a.pub" --zones com
t_ok "pin b" "$NTACTL" trust --db "$DB" pin "$T/b.pub"
t_fail "pin a malformed .pub: exit 2" 2 sh -c "printf 'ntarelay-ed25519 AAAA x\n' >'$T/short.pub'; '$NTACTL' trust --db '$DB' pin '$T/short.pub'"
t_fail "a second --net is refused" 2 "$NTACTL" trust --db "$DB" --net other list
t_fail "vouch without a net: exit 2" 2 "$NTACTL" vouch --root "$T/a.key" --subject "$T/c.pub"
t_fail "vouch with a relay key as root: exit 2" 2 "$NTACTL" vouch --root "$T/crel1.key" --subject "$T/c.pub" --net example

t_ok "a vouches for c" sh -c "'$NTACTL' vouch --root '$T/a.key' --subject '$T/c.pub' --zones de,nl --db '$DB' >'$T/v-ac'"
t_ok "b vouches for c" sh -c "'$NTACTL' vouch --root '$T/b.key' --subject '$T/c.pub' --zones de --net example >'$T/v-bc'"
t_is "chain file after the first signature" "$(cut -d' ' -f1 "$T/a.key.chain")" 1
t_is "chain file holds the event id" "$(cut -d' ' -f2 "$T/a.key.chain")" "$("$NTACTL" id "$T/v-ac")"
t_ok "c certifies two relay keys" sh -c "'$NTACTL' cert --root '$T/c.key' --subject '$T/crel1.pub' --days 30 --net example >'$T/cert1' && '$NTACTL' cert --root '$T/c.key' --subject '$T/crel2.pub' --net example >'$T/cert2'"
t_is "c's chain advanced to 2" "$(cut -d' ' -f1 "$T/c.key.chain")" 2
payload_of() { grep -o '"payload":"[^"]*"' "$1" | cut -d'"' -f4 | base64 -d; }
t_ok "second cert links to the first" sh -c "grep -q '\"prev\":\"$("$NTACTL" id "$T/cert1")\"' <<EOF2
$(payload_of "$T/cert2")
EOF2"
t_fail "cert --days 200 refused" 2 "$NTACTL" cert --root "$T/c.key" --subject "$T/crel1.pub" --days 200 --net example

# Import: the cert before the vouch that introduces c is refused, and
# leaves the database as it was (all or nothing).
cp "$DB" "$T/before.db"
t_fail "cert by an unknown root: exit 1" 1 "$NTACTL" trust --db "$DB" import "$T/cert1"
t_fail "batch with an unknown signer first: exit 1" 1 sh -c "cat '$T/cert1' '$T/v-ac' | '$NTACTL' trust --db '$DB' import -"
t_is "refused imports leave the database as it was" "$("$NTACTL" trust --db "$DB" export | wc -l | tr -d ' ')" 0
t_ok "import vouches and certs" sh -c "cat '$T/v-ac' '$T/v-bc' '$T/cert1' '$T/cert2' | '$NTACTL' trust --db '$DB' import -"
t_is "import again: duplicates only" "$(cat "$T/v-ac" | "$NTACTL" trust --db "$DB" import -)" "imported 0, already present 1"
# a tampered envelope: flip one character in the signature
sed 's/"sig":"A/"sig":"B/; t; s/"sig":"./"sig":"A/' "$T/v-ac" >"$T/bad"
t_fail "bad signature: exit 1" 1 "$NTACTL" trust --db "$DB" import "$T/bad"
t_fail "not an envelope: exit 1" 1 sh -c "echo garbage | '$NTACTL' trust --db '$DB' import -"

t_ok "list" "$NTACTL" trust --db "$DB" list
t_ok "list --json" sh -c "'$NTACTL' trust --db '$DB' list --json | grep -q '\"threshold\": 2'"
t_is "check relay key: operator c" "$("$NTACTL" trust --db "$DB" check "$T/crel1.pub")" "$c_id"
t_ok "check by key id" "$NTACTL" trust --db "$DB" check "$(id_of "$T/crel2.pub")"
t_ok "check pinned root" "$NTACTL" trust --db "$DB" check "$T/a.pub"
t_fail "check unknown key: exit 1" 1 "$NTACTL" trust --db "$DB" check "$T/d.pub"
t_fail "check with V=3: exit 1" 1 "$NTACTL" trust --db "$DB" --threshold 3 check "$T/crel1.pub"
t_fail "check after the cert expired: exit 1" 1 "$NTACTL" trust --db "$DB" --now $(( $(date +%s) + 31 * 86400 )) check "$T/crel1.pub"
t_fail "check of a malformed KEY: exit 2" 2 "$NTACTL" trust --db "$DB" check "$T/short.pub"
t_ok "why names the vouchers and the cert" sh -c "'$NTACTL' trust --db '$DB' why '$T/crel1.pub' >'$T/why' && grep -q 'vouched by .* ~a-root?' '$T/why' && grep -q 'vouched by .* ~b-root?' '$T/why' && grep -q 'certified by root .* ~c-root?' '$T/why' && grep -q 'may speak for zones de.' '$T/why'"
t_ok "why --json" sh -c "'$NTACTL' trust --db '$DB' why --json '$T/crel1.pub' | grep -q '\"status\": \"member\"'"

# Revocation: relay 1 revokes itself; c's root revokes relay 2.
t_ok "relay revokes itself" sh -c "'$NTACTL' revoke --key '$T/crel1.key' --origin '$T/c.pub' --net example >'$T/rev1'"
t_fail "relay key without --origin: exit 2" 2 "$NTACTL" revoke --key "$T/crel2.key" --net example
t_ok "root revokes relay 2" sh -c "'$NTACTL' revoke --key '$T/c.key' --subject '$T/crel2.pub' --note retired --db '$DB' >'$T/rev2'"
t_ok "import revocations" sh -c "cat '$T/rev1' '$T/rev2' | '$NTACTL' trust --db '$DB' import -"
t_fail "revoked relay 1: exit 1" 1 "$NTACTL" trust --db "$DB" check "$T/crel1.pub"
t_is "revoked relay 2 says why" "$("$NTACTL" trust --db "$DB" check "$T/crel2.pub")" "revoked: the key was revoked"
t_ok "why shows the revocation" sh -c "'$NTACTL' trust --db '$DB' why '$T/crel2.pub' | grep -q 'revoked by .* ~c-root? since'"

# Unvouch: a withdraws; c drops below V.
t_ok "a withdraws its vouch" sh -c "'$NTACTL' vouch --withdraw --root '$T/a.key' --subject '$c_id' --net example | '$NTACTL' trust --db '$DB' import -"
t_is "c is unvouched" "$("$NTACTL" trust --db "$DB" check "$T/c.pub")" "unvouched: its operator is not a member, and a pinned member withdrew its vouch"

# Export into a fresh database reproduces it.
t_ok "export | import into a new db" sh -c "'$NTACTL' trust --db '$DB' export >'$T/all' && '$NTACTL' trust --db '$T/copy.db' pin '$T/a.pub' --zones com && '$NTACTL' trust --db '$T/copy.db' pin '$T/b.pub' && '$NTACTL' trust --db '$T/copy.db' import '$T/all'"
t_is "the copy agrees" "$("$NTACTL" trust --db "$T/copy.db" list)" "$("$NTACTL" trust --db "$DB" list)"

t_ok "unpin b" "$NTACTL" trust --db "$DB" unpin "$T/b.pub"
t_fail "unpin b again: exit 1" 1 "$NTACTL" trust --db "$DB" unpin "$T/b.pub"
t_fail "missing database: exit 2" 2 "$NTACTL" trust --db "$T/none.db" list

# A damaged database file: a clear error, and the file is left alone.
head -c 8192 /dev/urandom >"$T/garbage.db"
sum=$(sha256sum <"$T/garbage.db")
t_fail "garbage database: exit 2" 2 "$NTACTL" trust --db "$T/garbage.db" list
"$NTACTL" trust --db "$T/garbage.db" list 2>"$T/err"
t_ok "garbage database: clear error" grep -q "damaged or not a trust database" "$T/err"
t_fail "pin into a garbage database: exit 2" 2 "$NTACTL" trust --db "$T/garbage.db" pin "$T/a.pub"
t_is "garbage database unchanged" "$(sha256sum <"$T/garbage.db")" "$sum"

# A database locked by another process: a clear error, nothing changes.
if command -v sqlite3 >/dev/null 2>&1; then
	mkfifo "$T/lockctl"
	( { echo 'BEGIN EXCLUSIVE;'; echo "INSERT INTO meta VALUES ('lock', 'held');"; echo ".print locked"; cat "$T/lockctl"; } | sqlite3 "$DB" >"$T/lockout" ) &
	t_pid $!
	exec 9>"$T/lockctl"
	i=0; while [ "$(cat "$T/lockout" 2>/dev/null)" != locked ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	before=$("$NTACTL" trust --db "$DB" export | wc -l | tr -d ' ')
	t_fail "pin into a locked database: exit 2" 2 "$NTACTL" trust --db "$DB" pin "$T/d.pub"
	"$NTACTL" trust --db "$DB" pin "$T/d.pub" 2>"$T/err"
	t_ok "locked database: clear error" grep -q "locked by another process" "$T/err"
	t_fail "import into a locked database: exit 2" 2 "$NTACTL" trust --db "$DB" import "$T/rev1"
	t_ok "reading a locked database still works (WAL)" "$NTACTL" trust --db "$DB" check "$T/a.pub"
	echo 'ROLLBACK;' >&9
	exec 9>&-
	wait
	t_fail "after the lock: d was not pinned" 1 "$NTACTL" trust --db "$DB" check "$T/d.pub"
	t_is "after the lock: nothing imported" "$("$NTACTL" trust --db "$DB" export | wc -l | tr -d ' ')" "$before"
fi

# Two processes at once: a writer importing while a reader checks.
( for i in 1 2 3 4 5 6 7 8; do
	"$NTACTL" keygen --name "x$i" --out "$T/x$i" >/dev/null &&
	"$NTACTL" cert --root "$T/a.key" --subject "$T/x$i.pub" --db "$DB" |
	"$NTACTL" trust --db "$DB" import - >/dev/null || echo fail
done ) >"$T/writer" 2>&1 &
wpid=$!
t_pid $wpid
fails=0
for i in $(seq 1 30); do
	"$NTACTL" trust --db "$DB" check "$T/a.pub" >/dev/null 2>&1 || fails=$((fails + 1))
done
wait $wpid
t_is "reader never failed while a writer imported" "$fails" 0
t_is "writer never failed" "$(cat "$T/writer")" ""

t_done
