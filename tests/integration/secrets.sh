#!/bin/sh
# tests/integration/secrets.sh — a running relay cannot be made to dump its
# memory (the relay key, the credentials): the kernel marks it not
# dumpable (PR_SET_DUMPABLE 0: its /proc files belong to root, and its own
# user cannot read its environment or memory) and its core size limit is 0,
# unless core_dumps yes; its secrets are in locked memory (VmLck).
# The relay runs as an unprivileged user (nobody when the test runs as
# root), since root may read any process.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

fed_operator A || { echo "Bail out! keys"; exit 1; }
t_ok "broker starts" t_mosquitto m
mkdir -p "$T/A"
"$NTACTL" trust --db "$T/A/trust.db" --net "$FED_NET" pin "$T/A/root.pub" >/dev/null
if [ "$(id -u)" = 0 ]; then
	user=65534
	chmod 711 "$T"
	chown -R "$user:$user" "$T/A"
	as_user="setpriv --reuid=$user --regid=$user --clear-groups --"
	if ! $as_user test -x "$NTARELAYD"; then
		echo "1..0 # SKIP uid $user cannot run $NTARELAYD (a build under a closed directory)"
		exit 0
	fi
else
	user=$(id -u)
	as_user=
fi

FED_WRAP=$as_user FED_EXTRA="http_token_file $T/A/token"
printf 'token-%s\n' "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$T/A/token"
chmod 600 "$T/A/token"
[ "$user" != "$(id -u)" ] && chown "$user" "$T/A/token"
t_ok "relay A starts as uid $user" fed_relay A m
pid=$A_pid
t_is "it runs as uid $user" "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" "$user"
t_is "not dumpable: the kernel gives its /proc files to root" \
	"$(stat -c %u "/proc/$pid/status")" 0
t_fail "its own user cannot read its environment" 1 $as_user cat "/proc/$pid/environ"
t_is "its core size limit is 0" \
	"$(awk '/^Max core file size/ {print $5 " " $6}' "/proc/$pid/limits")" "0 0"
if ldd "$NTARELAYD" 2>/dev/null | grep -q libasan; then
	# AddressSanitizer turns mlock(2) into a no-op
	echo "ok - # SKIP its secrets are in locked memory: a build with sanitizers"
	_t_n=$((_t_n + 1))
else
	t_ok "its secrets are in locked memory (VmLck > 0)" \
		test "$(awk '/^VmLck:/ {print $2}' "/proc/$pid/status")" -gt 0
fi
fed_stop_relay A

echo "core_dumps yes" >>"$T/A/ntarelay.conf"
t_ok "with core_dumps yes, relay A starts" fed_start_relay A
pid=$A_pid
t_is "dumpable: its /proc files are its user's" "$(stat -c %u "/proc/$pid/status")" "$user"
t_ok "its user can read its environment" $as_user cat "/proc/$pid/environ"
t_done
