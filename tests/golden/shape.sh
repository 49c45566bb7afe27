#!/bin/sh
# tests/golden/shape.sh DOC — check the JSON document DOC (a file, or - for
# stdin) against the golden GET /v1/zones/{zone} document
# tests/golden/zone.json (docs/API.md §8). Exit 0 when it keeps the
# contract, 1 (the differences printed) when not, 2 when DOC is not JSON.
#
# The contract, leaf by leaf (tests/golden/shape.jq folds array indices):
#  - a member outside arrays (top level, nested objects) is in both
#    documents: none dropped, none added unannounced;
#  - a member inside an array (events, history, operators) may be missing
#    from DOC (an empty list, an optional member such as "note"), but DOC
#    has no member the golden document does not;
#  - where both carry a value that is not null, the JSON types agree (a
#    member may be null where the golden one is not, and the reverse: the
#    document says which members are nullable).
# The golden document was written by a relay in state nta_recommended
# (tests/integration/quorum.sh; NTARELAY_GOLDEN_WRITE=1 rewrites it), and
# the reader side, ntactl nta, reads the same file (tests/unit/test_golden.c).
set -u
here=$(cd "$(dirname "$0")" && pwd)
doc=${1:--}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/golden.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
jq -r -f "$here/shape.jq" "$here/zone.json" >"$tmp/golden" || exit 2
if [ "$doc" = - ]; then cat >"$tmp/doc.json"; else cp "$doc" "$tmp/doc.json"; fi
jq -r -f "$here/shape.jq" "$tmp/doc.json" >"$tmp/live" || exit 2
awk -F '\t' '
	# container paths that are empty or null stand for everything below them
	FNR == NR { g[$1] = g[$1] " " $2; next }
	{ l[$1] = l[$1] " " $2 }
	function under(p, set,   q) {
		for (q in set) if (index(p, q ".") == 1 && set[q] ~ /(null|array|object)/) return 1
		return 0
	}
	function nonnull(t) { gsub(/ null/, "", t); return t }
	END {
		bad = 0
		for (p in l) if (!(p in g) && !under(p, g)) {
			print "member not in the golden document: " p; bad = 1 }
		for (p in g) if (!(p in l) && p !~ /\[\]/ && !under(p, l)) {
			print "member missing: " p; bad = 1 }
		for (p in l) if (p in g) {
			a = nonnull(g[p]); b = nonnull(l[p])
			if (a != "" && b != "" && a != b) {
				print "type of " p ": golden" a ", here" b; bad = 1 }
		}
		exit bad
	}' "$tmp/golden" "$tmp/live"
