#!/bin/sh
# tests/integration/alerts.sh — docs/ntarelay-alerts.yml is a valid
# Prometheus rule file (`promtool check rules`) and its alerts fire when,
# and only when, docs/ntarelay-alerts.test.yml says (`promtool test rules`:
# a wrong expression fails here). promtool comes with Debian's prometheus
# package (scripts/bootstrap); without it the test is skipped (TAP
# "1..0 # SKIP", automake's exit 77), and only then.
. "$(dirname "$0")/lib.sh"

if ! command -v promtool >/dev/null 2>&1; then
	echo "1..0 # SKIP promtool missing (Debian package prometheus)"
	exit 0
fi

t_ok "promtool check rules docs/ntarelay-alerts.yml" \
	promtool check rules "$top_srcdir/docs/ntarelay-alerts.yml"
t_ok "promtool test rules docs/ntarelay-alerts.test.yml" \
	promtool test rules "$top_srcdir/docs/ntarelay-alerts.test.yml"

# The unit tests can fail: with the NTA alert's state changed, they do.
cp "$top_srcdir/docs/ntarelay-alerts.test.yml" "$T/"
sed 's/state="nta_recommended"} == 1/state="observed"} == 1/' \
	"$top_srcdir/docs/ntarelay-alerts.yml" >"$T/ntarelay-alerts.yml"
t_fail "a wrong NTA expression fails the unit tests" 1 \
	promtool test rules "$T/ntarelay-alerts.test.yml"
t_done
