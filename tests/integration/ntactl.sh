#!/bin/sh
# tests/integration/ntactl.sh — ntactl keygen/sign/verify/id/inspect as an
# operator uses them, including tampering with every byte of an envelope.
. "$(dirname "$0")/lib.sh"

NTACTL="$top_builddir/client/ntactl"
V="$top_srcdir/tests/vectors"

t_ok "ntactl --version" "$NTACTL" --version
t_fail "unknown command exits 2" 2 "$NTACTL" frobnicate
for c in keygen sign verify id inspect; do
	t_ok "ntactl $c --help" "$NTACTL" "$c" --help
done

t_ok "keygen root" "$NTACTL" keygen --name alice-root --out "$T/root" --root
t_ok "keygen relay" "$NTACTL" keygen --name alice-relay --out "$T/relay"
t_is "secret key mode 0600" "$(stat -c %a "$T/relay.key")" 600
t_is ".pub is one line" "$(wc -l <"$T/relay.pub" | tr -d ' ')" 1
t_ok ".pub format" grep -Eq '^ntarelay-ed25519 [A-Za-z0-9+/]{43}= alice-relay$' "$T/relay.pub"
t_fail "keygen refuses to overwrite" 2 "$NTACTL" keygen --name x --out "$T/relay"
t_fail "keygen rejects a bad name" 2 "$NTACTL" keygen --name 'a b' --out "$T/bad"

# key id = SHA-256 of the raw 32-byte key: recompute with base64 + sha256sum
relay_id=$(cut -d' ' -f2 "$T/relay.pub" | base64 -d | sha256sum | cut -d' ' -f1)
root_id=$(cut -d' ' -f2 "$T/root.pub" | base64 -d | sha256sum | cut -d' ' -f1)
now=$(date +%s)
cat >"$T/asm.json" <<EOF2
{"v":1,"net":"example","kind":"assessment","origin":"$root_id","key":"$relay_id","seq":1,"prev":null,"ts":$now,"exp":$((now + 3600)),"refs":[],"zone":"de.","verdict":"accident","recommend_nta":true,"lifetime":21600,"note":"signer bug"}
EOF2
t_ok "sign an assessment" sh -c "'$NTACTL' sign --key '$T/relay.key' '$T/asm.json' >'$T/asm.env'"
t_ok "verify it" "$NTACTL" verify --pub "$T/relay.pub" "$T/asm.env"
out=$("$NTACTL" verify --pub "$T/relay.pub" "$T/asm.env")
id=$("$NTACTL" id "$T/asm.env")
t_is "verify prints id and kind" "$out" "$id assessment"
t_ok "verify --json" sh -c "'$NTACTL' verify --json --pub '$T/relay.pub' '$T/asm.env' | grep -q '\"valid\":true'"
t_ok "verify reads standard input" sh -c "'$NTACTL' verify --pub '$T/relay.pub' - <'$T/asm.env'"
t_fail "verify with another key: exit 1" 1 "$NTACTL" verify --pub "$T/root.pub" "$T/asm.env"
t_fail "verify with a missing .pub: exit 2" 2 "$NTACTL" verify --pub "$T/none.pub" "$T/asm.env"
t_ok "inspect --pub" sh -c "'$NTACTL' inspect --pub '$T/relay.pub' '$T/asm.env' | grep -q 'valid (signed by alice-relay)'"

# The payload bytes are kept exactly as read (trailing newline included).
t_is "payload kept verbatim" \
	"$(grep -o '"payload":"[^"]*"' "$T/asm.env" | cut -d'"' -f4 | base64 -d | sha256sum)" \
	"$(sha256sum <"$T/asm.json")"

# Event id = SHA-256 of PAE, recomputed independently of the library.
type=application/vnd.ntarelay.assessment.v1+json
plen=$(wc -c <"$T/asm.json" | tr -d ' ')
want=$({ printf 'DSSEv1 %d %s %d ' ${#type} "$type" "$plen"; cat "$T/asm.json"; } | sha256sum | cut -d' ' -f1)
t_is "event id is SHA-256(PAE) (sha256sum)" "$id" "$want"
dsse=$(printf 'DSSEv1 29 http://example.com/HelloWorld 11 hello world' | sha256sum | cut -d' ' -f1)
t_is "DSSE PAE example vector id" "$("$NTACTL" id "$V/cases/013-dsse-pae-example/envelope.json")" "$dsse"

# Tampering: change every byte of the envelope in turn; verify must never
# accept different signed content. (Bytes where a change leaves the signed
# content identical do not exist in ntactl's compact output, except the
# base64 padding bits, which the library checks.)
len=$(wc -c <"$T/asm.env" | tr -d ' ')
accepted=0
i=0
while [ $i -lt $((len - 1)) ]; do
	# flip the low bit of byte i (skip the final newline)
	perl -e 'open F,"<",$ARGV[0]; binmode F; local $/; $d=<F>; substr($d,$ARGV[1],1)=chr(ord(substr($d,$ARGV[1],1))^1); print $d' "$T/asm.env" $i >"$T/t.env"
	if "$NTACTL" verify --pub "$T/relay.pub" "$T/t.env" >/dev/null 2>&1; then
		if [ "$("$NTACTL" id "$T/t.env")" != "$id" ]; then
			accepted=$((accepted + 1))
			echo "# byte $i: tampered envelope verified" >&2
		fi
	fi
	i=$((i + 1))
done
t_is "tampering with any of $len bytes fails verification" "$accepted" 0

# Validation before signing.
sed 's/"accident"/"maybe"/' "$T/asm.json" >"$T/bad.json"
t_fail "sign refuses an invalid payload: exit 1" 1 "$NTACTL" sign --key "$T/relay.key" "$T/bad.json"
t_ok "sign --raw signs it anyway" sh -c "'$NTACTL' sign --raw --key '$T/relay.key' '$T/bad.json' >'$T/bad.env'"
t_ok "verify --raw accepts the signature" "$NTACTL" verify --raw --pub "$T/relay.pub" "$T/bad.env"
t_fail "verify without --raw rejects the payload" 1 "$NTACTL" verify --pub "$T/relay.pub" "$T/bad.env"
printf 'hello' >"$T/hello.txt"
t_ok "sign --raw --type any bytes" sh -c "'$NTACTL' sign --raw --type text/plain --key '$T/relay.key' '$T/hello.txt' >'$T/hello.env'"
t_ok "verify --raw of it" "$NTACTL" verify --raw --pub "$T/relay.pub" "$T/hello.env"

# Secret key permissions, as ssh.
chmod 0644 "$T/relay.key"
t_fail "a group/world-readable secret key is refused" 2 "$NTACTL" sign --key "$T/relay.key" "$T/asm.json"
"$NTACTL" sign --key "$T/relay.key" "$T/asm.json" 2>"$T/err" >/dev/null
t_ok "the refusal says why" grep -q 'too open' "$T/err"
chmod 0600 "$T/relay.key"
t_ok "no secret in the error output" sh -c "! grep -q \"\$(cut -d' ' -f2 '$T/relay.key')\" '$T/err'"

# Malformed inputs: clear errors, right exit codes.
printf 'garbage' >"$T/garbage"
t_fail "id of garbage: exit 1" 1 "$NTACTL" id "$T/garbage"
t_fail "verify of garbage: exit 1" 1 "$NTACTL" verify --pub "$T/relay.pub" "$T/garbage"
printf 'ntarelay-ed25519 AAAA x\n' >"$T/short.pub"
t_fail "a .pub with a short key: exit 2" 2 "$NTACTL" verify --pub "$T/short.pub" "$T/asm.env"

# Every vector, through the CLI: valid ones verify, envelope errors fail.
for d in "$V"/cases/*/; do
	want=$(sed -n 's/^result //p' "$d/expect")
	case $want in accept|seq_gap) ;; *) continue ;; esac
	grep -q '^raw yes' "$d/expect" && raw=--raw || raw=
	keyid=$(grep -o '"keyid":"[0-9a-f]*"' "$d/envelope.json" | cut -d'"' -f4)
	pub=
	for p in "$V"/keys/*.pub; do
		[ "$(cut -d' ' -f2 "$p" | base64 -d | sha256sum | cut -d' ' -f1)" = "$keyid" ] && pub=$p
	done
	t_ok "vector $(basename "$d") verifies with ntactl" "$NTACTL" verify $raw --pub "$pub" "$d/envelope.json"
done

# The relay options, before or after the command name; the configuration
# looked for is named; event id prefixes (resolved by listing, against a
# stand-in relay: a static GET /v1/events).
ver=$(sed -n 's/^AC_INIT(\[ntarelay\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
t_ok "ntactl -V prints the version" sh -c "'$NTACTL' -V | grep -q ' $ver,'"
cat >"$T/relay.conf" <<EOF2
store $T/none/store.db
http_listen 127.0.0.1:$(t_port)
trustdb $T/none/trust.db
EOF2
for order in "-c $T/relay.conf status" "status -c $T/relay.conf" "--config=$T/relay.conf status"; do
	# shellcheck disable=SC2086
	"$NTACTL" $order >/dev/null 2>"$T/err"; rc=$?
	t_is "ntactl $order: exit 2, the relay unreachable" "$rc" 2
	t_ok "... names the configuration" grep -q "the relay of .*relay.conf" "$T/err"
done
if [ ! -e /etc/ntarelay/ntarelay.conf ]; then
	"$NTACTL" status >/dev/null 2>"$T/err"
	t_ok "status with no option names the configuration looked for" \
		grep -q "/etc/ntarelay/ntarelay.conf" "$T/err"
	"$NTACTL" assess de. --verdict accident >/dev/null 2>"$T/err"
	t_ok "assess with no option too" grep -q "looked for /etc/ntarelay/ntarelay.conf" "$T/err"
fi
t_fail "relay options before a command that takes none: exit 2" 2 "$NTACTL" --json keygen --name x --out "$T/x"
t_fail "an unknown option before the command: exit 2" 2 "$NTACTL" --bogus status
t_fail "assess --relay: submissions need the control socket" 2 "$NTACTL" --relay http://127.0.0.1:1 assess de. --verdict accident

mkdir -p "$T/www/v1"
cat >"$T/www/v1/events" <<EOF2
{"count":3,"events":[
{"id":"0123456789abcdef00000000000000000000000000000000000000000000000a","kind":"assessment","origin":"$root_id","seq":1,"zone":"de.","received_at":1790000000},
{"id":"0123456789abcdef00000000000000000000000000000000000000000000000b","kind":"assessment","origin":"$root_id","seq":2,"zone":"de.","received_at":1790000001},
{"id":"fedcba98765432100000000000000000000000000000000000000000000000cc","kind":"observation","origin":"$root_id","seq":3,"zone":"de.","received_at":1790000002}]}
EOF2
www=$(t_port)
(cd "$T/www" && exec python3 -m http.server --bind 127.0.0.1 "$www" >/dev/null 2>"$T/www.log") &
t_pid $!
t_ok "a stand-in relay answers" t_wait 10 curl -fs "http://127.0.0.1:$www/v1/events"
R="--relay http://127.0.0.1:$www"
# shellcheck disable=SC2086
t_ok "events: ids shown 16 hex digits long" sh -c "'$NTACTL' events $R | grep -q ' fedcba9876543210\$'"
# shellcheck disable=SC2086
t_ok "events --full-ids: in full" sh -c "'$NTACTL' $R events --full-ids | grep -q ' fedcba98765432100000000000000000000000000000000000000000000000cc\$'"
# shellcheck disable=SC2086
"$NTACTL" events show 0123456789ab $R >/dev/null 2>"$T/err"; rc=$?
t_is "an ambiguous id prefix: exit 2" "$rc" 2
t_ok "... naming the candidates" sh -c "grep -q '0123456789abcdef0*a\$' '$T/err' && grep -q '0123456789abcdef0*b\$' '$T/err'"
# shellcheck disable=SC2086
t_fail "a prefix of 7 digits is refused" 2 "$NTACTL" events show fedcba9 $R
# shellcheck disable=SC2086
t_fail "a prefix nothing starts with: exit 1" 1 "$NTACTL" events show 99999999 $R
# shellcheck disable=SC2086
"$NTACTL" events show FEDCBA98 $R >/dev/null 2>&1
t_ok "a unique prefix is resolved: the whole id is asked for" grep -q "GET /v1/events/fedcba98765432100000000000000000000000000000000000000000000000cc " "$T/www.log"

t_done
