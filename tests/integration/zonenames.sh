#!/bin/sh
# tests/integration/zonenames.sh — zone names from URLs, forms and
# submissions follow one rule on a running relay (docs/API.md §3.1): upper
# case and a missing final dot are canonicalised; a NUL or any byte not
# valid in a zone name gets 400 naming the problem. A NUL never ends the
# name early: /v1/zones/lim.example.%00x must not answer for lim.example.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

command -v jq >/dev/null || { echo "1..0 # SKIP jq missing"; exit 0; }

fed_operator A || { echo "Bail out! keys"; exit 1; }
t_ok "broker starts" t_mosquitto m
token=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
printf '%s\n' "$token" >"$T/slash.token"
chmod 600 "$T/slash.token"
FED_EXTRA="mattermost_slash_token_file $T/slash.token"
t_ok "relay A starts (control socket, slash command)" fed_relay A m
unset FED_EXTRA
api="http://127.0.0.1:$A_http"
sock="$T/A/control.sock"

# submit KIND JSON: through the control socket; the status code
submit() {
	curl -s -o "$T/submit.out" -w '%{http_code}' --unix-socket "$sock" \
		-H 'Content-Type: application/json' --data "$2" "http://localhost/v1/submit/$1"
}
# get PATH: the status code, the body in $T/get.out
get() { curl -s -o "$T/get.out" -w '%{http_code}' "$api$1"; }
slash() {
	curl -s -o "$T/slash.out" -w '%{http_code}' -H \
		'Content-Type: application/x-www-form-urlencoded' --data "token=$token&$1" \
		"$api/v1/mattermost/slash"
}

t_is "a submission for LIM.Example is signed (201)" "$(submit assessment \
	'{"zone":"LIM.Example","verdict":"accident","recommend_nta":true,"lifetime":3600}')" 201
t_is "... for the canonical name" "$(jq -r .zone "$T/submit.out")" lim.example.
t_is "... and stored under it" "$(fed_count A "kind = 1 AND zone = 'lim.example.'")" 1
t_is "a submission for a name with a non-ASCII byte: 400" "$(submit assessment \
	'{"zone":"l\u00e9.example.","verdict":"accident","recommend_nta":true,"lifetime":3600}')" 400
t_ok "... bad_zone, naming the problem" sh -c "jq -r '.error + \": \" + .message' '$T/submit.out' |
	grep -q '^bad_zone: .*label characters must be a-z 0-9 - _'"
t_is "a submission with a NUL in the name: 400" "$(submit assessment \
	'{"zone":"lim.example.\u0000x","verdict":"accident","recommend_nta":true,"lifetime":3600}')" 400
t_is "a submission path with a NUL: 400" "$(submit 'assessment%00x' \
	'{"zone":"lim.example.","verdict":"accident","recommend_nta":true,"lifetime":3600}')" 400
t_ok "... naming it" grep -q 'NUL byte' "$T/submit.out"
t_is "nothing more was signed" "$(fed_count A "kind = 1")" 1

observed() { [ "$(get /v1/zones/lim.example.)" = 200 ] &&
	[ "$(jq -r .state "$T/get.out")" != clear ]; }
t_ok "GET /v1/zones/lim.example. shows the incident" t_wait 20 observed
state=$(jq -r .state "$T/get.out")
t_is "GET /v1/zones/LIM.Example: the same zone" "$(get /v1/zones/LIM.Example) \
$(jq -r '.zone + " " + .state' "$T/get.out")" "200 lim.example. $state"
t_is "GET /v1/zones/lim.example.%00x: 400" "$(get /v1/zones/lim.example.%00x)" 400
t_is "... bad_zone, naming the NUL" "$(jq -r '.error + ": " + .message' "$T/get.out")" \
	"bad_zone: 'lim.example.%00...' is not a domain name (NUL byte in the name)"
t_is "GET /v1/zones/l%C3%A9.example.: 400 bad_zone" "$(get /v1/zones/l%C3%A9.example.) \
$(jq -r .error "$T/get.out")" "400 bad_zone"
t_is "GET /v1/events?zone=lim.example.%00x: 400" \
	"$(get '/v1/events?zone=lim.example.%00x') $(jq -r .error "$T/get.out")" "400 bad_request"
t_is "GET /v1/events?zone=LIM.Example: A's assessment" \
	"$(get '/v1/events?zone=LIM.Example&kind=assessment') $(jq -r .count "$T/get.out")" "200 1"

t_is "/nta status LIM.Example answers for lim.example." "$(slash 'text=status+LIM.Example')" 200
t_ok "... in its text" sh -c "jq -r .text '$T/slash.out' | grep -q 'lim.example.'"
t_is "/nta status lim.example.%00x: 400" "$(slash 'text=status+lim.example.%00x')" 400
t_ok "... naming the NUL" sh -c "jq -r .message '$T/slash.out' | grep -q 'NUL byte'"
t_done
