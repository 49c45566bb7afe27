#!/bin/sh
# tests/integration/page.sh — the public incident page (GET / with
# `status_page yes`): plain HTML from the relay, escaped, refreshing itself,
# first with no incident, then with a zone the quorum recommends an NTA
# for; then in headless Chromium (Debian's chromium) at a phone's size: a
# screenshot, and the DOM shows the zone and its state.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

command -v jq >/dev/null || { echo "1..0 # SKIP jq missing"; exit 0; }

for o in A B C; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
op() { fed_keyid "$T/$1/root.pub"; }
# The root keys sign with evgen here; their key_cert took seq 1 of the
# root's chain: start above it (a gap, which the relay accepts).
seq_B=100 seq_C=100
prev_B=$(printf '%064d' 0 | tr 0 a) prev_C=$(printf '%064d' 0 | tr 0 a)
t_ok "broker starts" t_mosquitto m
FED_EXTRA="status_page yes"
t_ok "relay A starts with status_page yes" fed_relay A m
unset FED_EXTRA
URL="http://127.0.0.1:$A_http/"

code=$(curl -s -o "$T/page0.html" -D "$T/page0.head" -w '%{http_code}' "$URL")
if [ "$code" = 404 ]; then
	echo "ok 3 - # SKIP GET / is not wired into the HTTP API yet"
	echo "1..3"
	exit 0
fi
t_is "GET / answers 200" "$code" 200
t_ok "as HTML" grep -qi '^Content-Type: text/html' "$T/page0.head"
t_ok "with Refresh: 30" grep -qi '^Refresh: 30' "$T/page0.head"
t_ok "never cached" grep -qi '^Cache-Control: no-store' "$T/page0.head"
t_ok "an HTML5 document" grep -q '^<!DOCTYPE html>' "$T/page0.html"
t_ok "readable on a phone (viewport)" grep -q '<meta name="viewport" content="width=device-width, initial-scale=1">' "$T/page0.html"
t_ok "refreshing itself every 30 s" grep -q '<meta http-equiv="refresh" content="30">' "$T/page0.html"
t_ok "no JavaScript" sh -c "! grep -qi '<script' '$T/page0.html'"
t_ok "says there is no incident" grep -q '<h2>No incident</h2>' "$T/page0.html"
t_ok "names the federation" grep -q "<strong>$FED_NET</strong> federation" "$T/page0.html"
t_ok "needs no token (the relay's other paths may)" sh -c "curl -fs '$URL' >/dev/null"

t_ok "B observes page.example. failing" fed_gen B observation page.example.
t_ok "C observes the same failure" fed_gen C observation page.example.
t_ok "B assesses it an accident (a note with markup)" fed_gen B assessment page.example. \
	--note '<script>alert("x")</script> & <b>bold</b>'
t_ok "C too" fed_gen C assessment page.example.
nta() { [ "$(curl -fs "http://127.0.0.1:$A_http/v1/zones/page.example." | jq -r .state)" = nta_recommended ]; }
t_ok "the quorum recommends an NTA for page.example." t_wait 30 nta

curl -fs "$URL" >"$T/page1.html"
t_ok "the zone has its section" grep -q '<article id="zone-page.example."' "$T/page1.html"
t_ok "with its state" grep -q '<span class="badge" style="background:#EF6C00">NTA recommended</span>' "$T/page1.html"
t_ok "the NTAs in place, with start and end" grep -q '<h2>Negative Trust Anchors recommended</h2><table>' "$T/page1.html"
t_ok "... in UTC, machine-readable" grep -q '<time datetime="[0-9-]*T[0-9:]*Z">' "$T/page1.html"
t_ok "the operators that count" grep -q "<h3>Operators that count</h3>" "$T/page1.html"
t_ok "... B among them" grep -q "title=\"$(op B)\"" "$T/page1.html"
t_ok "... and C" grep -q "title=\"$(op C)\"" "$T/page1.html"
t_ok "the zone operator's statement (none yet)" grep -q "The zone operator's statement</h3><p class=\"muted\">None yet." "$T/page1.html"
t_ok "the timeline" grep -q '<ol class="timeline"><li>' "$T/page1.html"
dec=$(curl -fs "http://127.0.0.1:$A_http/v1/zones/page.example." | jq -r .decision_event)
t_ok "a link to the signed decision" grep -q "<a href=\"/v1/events/$dec\"" "$T/page1.html"
bid=$(curl -fs "http://127.0.0.1:$A_http/v1/events?zone=page.example.&kind=assessment" |
	jq -r --arg o "$(op B)" '.events[] | select(.origin == $o) | .id' | head -1)
t_ok "a link to B's signed assessment" grep -q "<a href=\"/v1/events/$bid\"" "$T/page1.html"
t_ok "the linked envelope can be fetched" sh -c "curl -fs 'http://127.0.0.1:$A_http/v1/events/$bid' >'$T/linked.json'"
t_ok "... and verified by anyone with B's public key" "$NTACTL" verify --pub "$T/B/root.pub" "$T/linked.json"
t_ok "no JavaScript, even from an event's note" sh -c "! grep -qi '<script' '$T/page1.html'"
t_ok "the note's markup is escaped" grep -q '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;' "$T/page1.html"

# --- headless Chromium, at a phone's size ------------------------------------
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "ok $((_t_n + 1)) - # SKIP chromium missing (scripts/bootstrap installs it)"
	_t_n=$((_t_n + 1))
	t_done
	exit $?
fi
mkdir -p "$T/home"
chrome() {
	HOME="$T/home" timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--no-first-run --disable-extensions --user-data-dir="$T/chrome" "$@" 2>>"$T/chrome.log"
}
chrome --screenshot="$T/page.png" --window-size=412,915 "$URL" >/dev/null
t_ok "Chromium takes a screenshot" test -s "$T/page.png"
t_is "a PNG" "$(od -An -c -j1 -N3 "$T/page.png" | tr -d ' ')" PNG
t_is "412 x 915, a phone's screen" "$(od -An -tu1 -j16 -N8 "$T/page.png" | awk '{print $3*256+$4 "x" $7*256+$8}')" 412x915
t_ok "not a blank page ($(wc -c <"$T/page.png") bytes)" test "$(wc -c <"$T/page.png")" -gt 10000
chrome --dump-dom "$URL" >"$T/dom.html"
t_ok "the DOM shows the zone" grep -q '<code>page.example.</code>' "$T/dom.html"
t_ok "... and its state" grep -q '>NTA recommended</span>' "$T/dom.html"
t_ok "... and no script ran or was injected" sh -c "! grep -qi '<script' '$T/dom.html'"
t_done
