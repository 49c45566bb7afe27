#!/bin/sh
# tests/integration/cli.sh — ntactl against one real relay: the relay
# options before or after the command name, assess refused for a zone no
# operator observed (and --force), what assess says it assesses, event id
# prefixes for withdraw and events show, quorum --json.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

fed_operator A || { echo "Bail out! keys"; exit 1; }
t_ok "broker x starts" t_mosquitto x
t_ok "relay A starts" fed_relay A x
C=$T/A/ntarelay.conf

"$NTACTL" assess nosuch.example -c "$C" --verdict unknown >"$T/out" 2>"$T/err"; rc=$?
t_is "assess of a zone nobody observed: exit 2" "$rc" 2
t_ok "... says why" grep -q "no observation of nosuch.example. by any operator: a typo? (--force" "$T/err"
t_ok "... and nothing was signed" sh -c "[ ! -s '$T/out' ]"
t_ok "assess --force (options before the command)" sh -c \
	"'$NTACTL' -c '$C' assess nosuch.example --verdict unknown --force >'$T/out' 2>'$T/err'"
t_ok "... the first line is the event id's" grep -Eq '^assessment [0-9a-f]{64} signed by the relay and published$' "$T/out"
t_ok "... standard error says what is assessed" grep -q "^assessing nosuch.example.: no open incident (the zone is clear)" "$T/err"
id=$(awk 'NR == 1 { print $2 }' "$T/out")
short=$(echo "$id" | cut -c1-10)
t_ok "events show PREFIX -c: the envelope, its id checked" sh -c \
	"'$NTACTL' events show $short -c '$C' --json | '$NTACTL' id - | grep -qx '$id'"
t_ok "events --kind assessment shows the id's first 16 digits" sh -c \
	"'$NTACTL' --config '$C' events --kind assessment | grep -q ' $(echo "$id" | cut -c1-16)\$'"
t_fail "withdraw with 7 digits: refused" 2 "$NTACTL" withdraw "$(echo "$id" | cut -c1-7)" -c "$C"
t_ok "withdraw PREFIX" sh -c "'$NTACTL' withdraw $short -c '$C' >'$T/wd'"
wid=$(awk 'NR == 1 { print $2 }' "$T/wd")
t_ok "... withdrew that event" sh -c "'$NTACTL' events show $wid -c '$C' | grep -q '\"target\":\"$id\"'"
"$NTACTL" quorum nosuch.example --json -c "$C" >"$T/q"; rc=$?
t_is "quorum --json on a clear zone: exit 1" "$rc" 1
t_ok "... prints JSON" jq -e '.nta_recommended == false and .state == "clear" and .zone == "nosuch.example."' "$T/q"
t_ok "ntactl --json status: JSON" sh -c "'$NTACTL' --json -c '$C' status | jq -e .zones >/dev/null"
t_done
