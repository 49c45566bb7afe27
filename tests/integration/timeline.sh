#!/bin/sh
# tests/integration/timeline.sh — GET /v1/zones/{zone}/timeline.svg and
# the same picture in the public page: an incident (B and C observe a
# failure and recommend an NTA, B with a note full of markup, D's
# vantage point cannot reach the zone's servers) drawn as an SVG by the
# relay: well-formed XML, viewBox-scaled, no script, every string
# escaped, one lane per operator, marks told apart by shape and letter
# as well as colour; then Chromium at 390 px wide renders it (pixels of
# the decision band and of the bogus marks), and the page embeds it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

command -v jq >/dev/null || { echo "1..0 # SKIP jq missing"; exit 0; }

for o in A B C D; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
op() { fed_keyid "$T/$1/root.pub"; }
seq_B=100 seq_C=100 seq_D=100
prev_B=$(printf '%064d' 0 | tr 0 a) prev_C=$prev_B prev_D=$prev_B
t_ok "broker starts" t_mosquitto m
FED_EXTRA="status_page yes"
t_ok "relay A starts with status_page yes" fed_relay A m
unset FED_EXTRA
BASE="http://127.0.0.1:$A_http"
Z=tl.example.

gen() {
	_o=$1 _k=$2 _z=$3
	shift 3
	eval "_seq=\${seq_$_o:-1} _prev=\${prev_$_o:-}"
	"$EVGEN" --key "$T/$_o/root.key" --origin "$(op "$_o")" --net "$FED_NET" \
		--kind "$_k" --zone "$_z" --seq "$_seq" ${_prev:+--prev "$_prev"} \
		--publish "127.0.0.1:$m_port" "$@" 2>"$T/gen.err" >/dev/null || return 1
	_last=$(sed -n 's/^last //p' "$T/gen.err")
	eval "seq_$_o=$(( ${_last% *} + 1 )) prev_$_o=${_last#* }"
}

code=$(curl -s -o "$T/empty.svg" -D "$T/empty.head" -w '%{http_code}' "$BASE/v1/zones/$Z/timeline.svg")
t_is "a zone without events has a timeline too (200)" "$code" 200
t_ok "... saying no operator has an event" grep -q 'no operator has a current event' "$T/empty.svg"
t_ok "... well-formed" xmllint --noout "$T/empty.svg"

now=$(date +%s)
t_ok "D's vantage point cannot reach the zone (25 min ago)" gen D observation $Z --state indeterminate --ts $((now - 1500))
t_ok "B observes $Z failing (20 min ago)" gen B observation $Z --ts $((now - 1200))
t_ok "C observes the same failure (15 min ago)" gen C observation $Z --ts $((now - 900))
t_ok "B recommends an NTA, with markup in its note (10 min ago)" gen B assessment $Z --ts $((now - 600)) \
	--note '<script>alert("x")</script> & </svg><b>'"'"'q'"'"
t_ok "C too (8 min ago)" gen C assessment $Z --ts $((now - 480))
nta() { [ "$(curl -fs "$BASE/v1/zones/$Z" | jq -r .state)" = nta_recommended ]; }
t_ok "the quorum recommends an NTA for $Z" t_wait 30 nta
# the band is drawn from the stored decision, signed in the same evaluation
# but stored at the end of the relay's turn: waited for, not raced
band() { curl -fs "$BASE/v1/zones/$Z/timeline.svg" | grep -q '<title>NTA recommended from '; }
t_wait 10 band

code=$(curl -s -o "$T/tl.svg" -D "$T/tl.head" -w '%{http_code}' "$BASE/v1/zones/TL.example/timeline.svg")
t_is "GET /v1/zones/TL.example/timeline.svg answers 200 (the name normalised)" "$code" 200
t_ok "as image/svg+xml" grep -qi '^Content-Type: image/svg+xml' "$T/tl.head"
t_ok "well-formed XML (xmllint)" xmllint --noout "$T/tl.svg"
t_ok "well-formed XML (python3 xml.etree)" python3 -c "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])" "$T/tl.svg"
t_ok "an <svg> scaled by its viewBox, no fixed size" sh -c \
	"grep -q '<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 400 [0-9]*\"' '$T/tl.svg' && ! grep -q '<svg[^>]* width=' '$T/tl.svg'"
t_ok "no script, no external reference" sh -c "! grep -Eqi '<script|href=|url\\(' '$T/tl.svg'"
t_ok "the note's markup is escaped" grep -q '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;/svg&gt;&lt;b&gt;&#39;q&#39;' "$T/tl.svg"
t_is "one lane per operator with an event (B, C, D)" "$(grep -o '>operator <tspan' "$T/tl.svg" | wc -l)" 3
for o in B C D; do
	t_ok "... $o's lane names it" grep -q ">operator <tspan class=\"tl-id\">$(op $o | cut -c1-12)…<" "$T/tl.svg"
done
t_ok "bogus: a red square marked B" grep -q 'height="14" fill="#c62828" stroke="#fff" stroke-width="1"/><text[^>]*>B</text>' "$T/tl.svg"
t_ok "unreachable: a grey triangle marked ?" grep -q '<polygon points="[0-9, ]*" fill="#616161" stroke="#fff" stroke-width="1"/><text[^>]*>?</text>' "$T/tl.svg"
t_ok "an assessment recommending an NTA: an orange diamond marked N" grep -q 'fill="#ef6c00" stroke="#fff" stroke-width="1"/><text[^>]*>N</text>' "$T/tl.svg"
t_ok "each mark says what it is in words (title)" grep -q '<title>bogus at [0-9-]* [0-9:]* UTC' "$T/tl.svg"
t_ok "the decision band: NTA recommended" grep -q '<title>NTA recommended from ' "$T/tl.svg"
t_ok "... and a line down at the change" grep -q 'class="tl-chg"' "$T/tl.svg"
t_ok "a legend in words" grep -q '>unreachable</text>' "$T/tl.svg"
code=$(curl -s -o "$T/bad.json" -w '%{http_code}' "$BASE/v1/zones/a..b/timeline.svg")
t_is "a bad zone name: 400" "$code" 400
t_is "... bad_zone" "$(jq -r .error "$T/bad.json")" bad_zone
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/v1/zones/a/b/timeline.svg")
t_is "... a / in it: 400" "$code" 400

curl -fs "$BASE/" >"$T/page.html"
t_ok "the page embeds the timeline" grep -q '<h3>The incident over time</h3><div class="tl"><svg xmlns="http://www.w3.org/2000/svg" viewBox=' "$T/page.html"
t_ok "... escaped there too" sh -c "! grep -q '</svg><b>' '$T/page.html'"
t_ok "tables wrap whole words (only ids may break)" grep -q 'td,th{overflow-wrap:break-word;word-break:normal}' "$T/page.html"
t_ok "... and stacks on a phone" grep -q '.ops thead{display:none}' "$T/page.html"

# --- headless Chromium, 390 px wide --------------------------------------------
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
		--no-first-run --disable-extensions --hide-scrollbars \
		--user-data-dir="$T/chrome" "$@" 2>>"$T/chrome.log"
}
PNGCOUNT="$(dirname "$0")/pngcount.py"
chrome --screenshot="$T/tl.png" --window-size=390,700 "file://$T/tl.svg" >/dev/null
t_ok "Chromium renders the SVG at 390 px" test -s "$T/tl.png"
python3 "$PNGCOUNT" "$T/tl.png" EF6C00 C62828 616161 >"$T/counts" 2>&1
t_is "a 390 x 700 screenshot" "$(sed -n 1p "$T/counts")" 390x700
t_ok "the NTA marks and the decision band are drawn ($(sed -n 2p "$T/counts") orange pixels)" test "$(sed -n 2p "$T/counts")" -gt 200
t_ok "the bogus marks are drawn ($(sed -n 3p "$T/counts") red pixels)" test "$(sed -n 3p "$T/counts")" -gt 100
t_ok "the unreachable mark is drawn ($(sed -n 4p "$T/counts") grey pixels)" test "$(sed -n 4p "$T/counts")" -gt 20
chrome --screenshot="$T/page.png" --window-size=390,2400 "$BASE/" >/dev/null
python3 "$PNGCOUNT" "$T/page.png" C62828 >"$T/pcounts" 2>&1
t_ok "in the page at 390 px the bogus marks show ($(sed -n 2p "$T/pcounts") red pixels)" test "$(sed -n 2p "$T/pcounts")" -gt 100
chrome --dump-dom "$BASE/" >"$T/dom.html"
t_ok "the DOM holds the inline SVG" grep -q '<div class="tl"><svg' "$T/dom.html"
t_ok "... and no script ran or was injected" sh -c "! grep -qi '<script' '$T/dom.html'"
t_done
