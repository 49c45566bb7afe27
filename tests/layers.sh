#!/bin/sh
# tests/layers.sh — the layers of the tree and which may include which
# (docs/HACKING.md "Layers"). A file may include headers of its own layer
# and of lower layers, never of an upper one. Fails, naming the file, the
# line and the header, when a lower layer includes an upper layer's header.
#
#   rank 0  proto/  (the protocol library)
#   rank 1  trustdb/  lib/  (trust database; probe, buffers, durations)
#   rank 2  relay/core/  (loop, clock, log, config, metrics)
#   rank 3  relay/store/  (the only owner of SQL)
#   rank 4  relay/fed/  (links, topics, ingest, own events, backfill)
#   rank 5  relay/quorum/  (the rule, the engine, incidents, their JSON)
#   rank 6  relay/notify/  (notifiers: Mattermost)
#   rank 7  relay/http/  (server, routes, API, control, page, slash)
#   rank 8  relay/main.c relay/relay.h  (start, wire, stop)
#   client/ may include rank 0-1 and client/ only: ntactl shares code with
#   the daemon only through the libraries.
set -u
top=${srcdir:-$(dirname "$0")/..}
cd "$top" || exit 99

rank() {
	case "$1" in
	proto/*) echo 0 ;;
	trustdb/* | lib/*) echo 1 ;;
	relay/core/*) echo 2 ;;
	relay/store/*) echo 3 ;;
	relay/fed/*) echo 4 ;;
	relay/quorum/*) echo 5 ;;
	relay/notify/*) echo 6 ;;
	relay/http/*) echo 7 ;;
	relay/*) echo 8 ;;
	client/*) echo 9 ;;
	*) echo -1 ;;
	esac
}

bad=0
n=0
for f in proto/*.[ch] trustdb/*.[ch] lib/*.[ch] relay/*.[ch] relay/*/*.[ch] client/*.[ch]; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	r=$(rank "$f")
	grep -n '^#include "' "$f" | while IFS= read -r line; do
		ln=${line%%:*}
		h=$(printf '%s\n' "$line" | sed 's/.*#include "\([^"]*\)".*/\1/')
		hr=$(rank "$h")
		[ "$hr" -lt 0 ] && continue # build_config.h, system-ish headers
		if [ "$r" -eq 9 ]; then
			# ntactl: libraries and its own directory only
			if [ "$hr" -ge 2 ] && [ "$hr" -ne 9 ]; then
				echo "layers: $f:$ln: client/ includes the daemon's $h (share it through lib/)"
			fi
		elif [ "$hr" -gt "$r" ]; then
			echo "layers: $f:$ln: includes $h of an upper layer"
		fi
	done
done >"${TMPDIR:-/tmp}/layers.$$"
if [ -s "${TMPDIR:-/tmp}/layers.$$" ]; then
	cat "${TMPDIR:-/tmp}/layers.$$"
	bad=$(wc -l <"${TMPDIR:-/tmp}/layers.$$")
fi
rm -f "${TMPDIR:-/tmp}/layers.$$"
echo "1..1"
if [ "$bad" -eq 0 ]; then
	echo "ok 1 - $n files, no include of an upper layer"
	exit 0
fi
echo "not ok 1 - $bad includes of an upper layer in $n files"
exit 1
