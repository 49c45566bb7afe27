# tests/integration/attack.sh — the federation of the attack tests (issue
# 12), to source after lib.sh and fed.sh:
#
#   operators A, B, C and D, pinned by every relay; X, vouched for by A
#   only: known (its root key is in every trust database), not a member.
#   Two relays, A's and C's, on one broker m (ATK_LINKS: more brokers for
#   relay A).
#   B and D run no relay: their relay keys sign events here, with evgen.
#   A and C sign here with a staff key each (their relays sign their own
#   chains). D also holds an old key, certified and then revoked.
#
#   atk_setup            keys, trust databases, broker, both relays; sets
#                        Aop Bop Cop Dop Xop (operators), Astaff Bkey Cstaff
#                        Dkey Dold (keys), Arelay Crelay (relay keys)
#   atk_gen WHO [ARG..]  evgen with WHO's signing key (A: A's staff key, X:
#                        X's root, Dold: D's revoked key, else WHO's relay
#                        key) and origin, publishing on m unless ARG says
#                        otherwise
#   atk_veto ZONE        A and C observe one failure of ZONE and recommend
#                        an NTA; B sees the zone validate and suspects an
#                        attack (its backed veto): vetoed on both relays
#   atk_state R ZONE     the decision state of ZONE on relay R
#   atk_rejected R WHY   relay R's count of rejections for reason WHY
#   atk_held R ID        1 when relay R stores event ID, else 0
#   atk_need TOOL...     skip the whole test (TAP) when a tool is missing
#   both CMD [ARG..]     CMD ARG.. A and CMD ARG.. C must both succeed

ATK_ZONE=victim.example.

# atk_key WHO: the secret key file WHO signs with here
atk_key() {
	case $1 in
	A|C) echo "$T/$1/staff.key" ;;
	X) echo "$T/X/root.key" ;;
	Dold) echo "$T/D/old.key" ;;
	*) echo "$T/$1/relay.key" ;;
	esac
}

atk_setup() {
	for o in A B C D; do fed_operator "$o" || return 1; done
	# X: known through A's vouch, not a member (V = 2)
	mkdir -p "$T/X"
	"$NTACTL" keygen --root --name X-root --out "$T/X/root" >/dev/null &&
	"$NTACTL" vouch --net "$FED_NET" --root "$T/A/root.key" \
		--subject "$T/X/root.pub" >"$T/X/vouch" || return 1
	for o in A C; do
		"$NTACTL" keygen --name "$o-staff" --out "$T/$o/staff" >/dev/null &&
		"$NTACTL" cert --net "$FED_NET" --root "$T/$o/root.key" \
			--subject "$T/$o/staff.pub" --days 30 >"$T/$o/staff.cert" || return 1
	done
	"$NTACTL" keygen --name D-old --out "$T/D/old" >/dev/null &&
	"$NTACTL" cert --net "$FED_NET" --root "$T/D/root.key" \
		--subject "$T/D/old.pub" --days 30 >"$T/D/old.cert" &&
	"$NTACTL" revoke --net "$FED_NET" --key "$T/D/root.key" \
		--subject "$T/D/old.pub" >"$T/D/old.revoke" || return 1
	Aop=$(fed_keyid "$T/A/root.pub"); Bop=$(fed_keyid "$T/B/root.pub")
	Cop=$(fed_keyid "$T/C/root.pub"); Dop=$(fed_keyid "$T/D/root.pub")
	Xop=$(fed_keyid "$T/X/root.pub")
	Astaff=$(fed_keyid "$T/A/staff.pub"); Cstaff=$(fed_keyid "$T/C/staff.pub")
	Bkey=$(fed_keyid "$T/B/relay.pub"); Dkey=$(fed_keyid "$T/D/relay.pub")
	Dold=$(fed_keyid "$T/D/old.pub")
	Arelay=$(fed_keyid "$T/A/relay.pub"); Crelay=$(fed_keyid "$T/C/relay.pub")
	t_mosquitto m || return 1
	for r in A C; do
		mkdir -p "$T/$r"
		for o in A B C D; do
			"$NTACTL" trust --db "$T/$r/trust.db" --net "$FED_NET" pin \
				"$T/$o/root.pub" >/dev/null || return 1
		done
		cat "$T/X/vouch" "$T/A/staff.cert" "$T/C/staff.cert" "$T/B/cert" \
			"$T/D/cert" "$T/D/old.cert" "$T/D/old.revoke" >"$T/$r/trust.in"
		"$NTACTL" trust --db "$T/$r/trust.db" import "$T/$r/trust.in" \
			>/dev/null || return 1
	done
	fed_relay A m ${ATK_LINKS:-} && fed_relay C m
}

atk_origin() {
	case $1 in
	Dold) echo "$Dop" ;;
	*) eval echo "\$${1}op" ;;
	esac
}

atk_gen() {
	_who=$1; shift
	"$EVGEN" --key "$(atk_key "$_who")" --origin "$(atk_origin "$_who")" \
		--net "$FED_NET" --publish "127.0.0.1:$m_port" "$@"
}

atk_state() {
	curl -fs "http://127.0.0.1:$(eval echo "\$${1}_http")/v1/zones/$2" | jq -r .state
}

atk_rejected() {
	fed_metric "$1" "ntarelay_events_rejected_total{reason=\"$2\"}"
}

atk_held() {
	fed_count "$1" "id = x'$2'"
}

# the last event id evgen wrote to stderr ("last SEQ ID") in file $1
atk_last() {
	sed -n 's/^last [0-9]* //p' "$1"
}

atk_veto() {
	for who in A C; do
		atk_gen "$who" --kind observation --zone "$1" --seq 1 2>"$T/obs.$who" ||
			return 1
	done
	# B is served other data: the zone validates where A and C see the
	# failure, which is what backs an attack claim (PROTOCOL.md §15.6)
	atk_gen B --kind observation --state secure --zone "$1" --seq 1 \
		2>"$T/obs.B" || return 1
	for who in A C; do
		atk_gen "$who" --kind assessment --zone "$1" --seq 2 \
			--prev "$(atk_last "$T/obs.$who")" 2>"$T/asm.$who" || return 1
	done
	atk_gen B --kind assessment --verdict likely_attack --zone "$1" --seq 2 \
		--prev "$(atk_last "$T/obs.B")" 2>"$T/asm.B" || return 1
	for r in A C; do
		t_wait 20 atk_state_is "$r" "$1" vetoed || return 1
	done
}

atk_state_is() {
	[ "$(atk_state "$1" "$2")" = "$3" ]
}

atk_need() {
	for _tool in "$@"; do
		command -v "$_tool" >/dev/null ||
			{ echo "1..0 # SKIP $_tool missing"; exit 0; }
	done
}

both() {
	"$@" A && "$@" C
}
