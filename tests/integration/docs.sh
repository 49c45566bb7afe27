#!/bin/sh
# tests/integration/docs.sh — the documents say what the code does: the
# vector list of PROTOCOL.md is current, every error name is documented,
# every ntactl command has its man page section, the man pages render
# without warnings.
. "$(dirname "$0")/lib.sh"

NTACTL="$top_builddir/client/ntactl"

t_ok "PROTOCOL.md lists every test vector" "$top_srcdir/scripts/vectors-doc" --check "$top_srcdir"

missing=
for name in $(sed -n 's/.*\[PROTO_E_[A-Z_0-9]*\] = { "\([a-z_]*\)".*/\1/p' "$top_srcdir/proto/error.c"); do
	grep -q "\`$name\`" "$top_srcdir/docs/PROTOCOL.md" || missing="$missing $name"
done
t_is "PROTOCOL.md names every error" "${missing:-none}" none

missing=
for c in $("$NTACTL" --help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p'); do
	grep -q "^\.SS.*$c" "$top_srcdir/docs/man/ntactl.1" || missing="$missing $c"
done
t_is "ntactl(1) documents every command" "${missing:-none}" none

for m in "$top_srcdir"/docs/man/*.[1-8]; do
	if command -v groff >/dev/null 2>&1; then
		t_is "$(basename "$m") renders without warnings" \
			"$(groff -man -ww -z "$m" 2>&1)" ""
	fi
done

# HACKING.md is the map a newcomer follows: every file or directory it
# names (in backquotes) exists, patterns such as nta_drv_NAME.c aside.
missing=""
for p in $(grep -oE '`(relay|lib|client|proto|trustdb|tests|bench|docs|scripts)/[A-Za-z0-9_./*-]+`' \
	"$top_srcdir/docs/HACKING.md" | tr -d '`' | sort -u); do
	case "$p" in *NAME*) continue ;; esac
	# shellcheck disable=SC2086
	ls -d "$top_srcdir"/$p >/dev/null 2>&1 || missing="$missing $p"
done
t_is "HACKING.md names only files that exist" "${missing:-none}" none

t_done
