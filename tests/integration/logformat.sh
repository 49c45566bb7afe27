#!/bin/sh
# tests/integration/logformat.sh — the relay's log lines as the journal and
# syslog take them (relay/core/log.h), and the journalctl recipes of
# docs/OPERATIONS.md and ntarelayd(8) against them.
#
# 1. The journal. systemd starts a unit with standard error connected to
#    journald and JOURNAL_STREAM=DEVICE:INODE naming that stream. There is
#    no journald in the test (no systemd as PID 1, no /run/systemd/journal
#    socket, so systemd-cat cannot be used): relay A's standard error is a
#    file, and JOURNAL_STREAM names that file (stat -L -c '%d:%i': the
#    device in decimal, as systemd writes it). The test then parses each
#    line as journald does with SyslogLevelPrefix=yes (the default): a
#    leading "<N>" becomes PRIORITY=N and is stripped from MESSAGE. Checked:
#    every line has the prefix and no time stamp; a warning is <4>, an
#    error <3>, a decision <5>; the shutdown (SIGTERM) logs nothing at warn
#    or err; events of a non-member key arriving on two links are logged
#    in one line with their count (and only at debug one by one), while
#    the rejection counter counts every one; and each documented recipe
#    (journalctl -p LEVEL, journalctl -g 'REGEXP', taken from the docs)
#    finds the lines it is documented for.
# 2. A JOURNAL_STREAM that names another file (a relay started from a unit
#    but with standard error redirected) and none at all: the terminal
#    format, "TIME ntarelayd[PID] LEVEL: MESSAGE".
# 3. log_syslog yes: in a private mount namespace (unshare -m, root only;
#    skipped otherwise) /dev/log is a datagram socket the test reads. The
#    lines carry the syslog priority (facility local3 from log_facility,
#    and daemon by default), the program name and pid, and no time stamp
#    of the relay's own.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fed.sh"

for tool in mosquitto mosquitto_pub curl stat; do
	command -v "$tool" >/dev/null 2>&1 || { echo "1..0 # SKIP $tool missing"; exit 0; }
done

for o in A B; do fed_operator "$o" || { echo "Bail out! keys"; exit 1; }; done
t_ok "broker x starts" t_mosquitto x
t_ok "broker y starts" t_mosquitto y

# ----------------------------------------------------------- 1. journal
: >"$T/A/relay.log"
JOURNAL_STREAM=$(stat -L -c '%d:%i' "$T/A/relay.log")
export JOURNAL_STREAM
t_ok "relay A starts, its stderr the 'journal stream' ($JOURNAL_STREAM)" fed_relay A x y
unset JOURNAL_STREAM
# D: known to nobody (created after A's trust database pinned A and B)
fed_operator D || { echo "Bail out! keys"; exit 1; }
Dkey=$(fed_keyid "$T/D/relay.pub")
Dop=$(fed_keyid "$T/D/root.pub")
LOG="$T/A/relay.log"

# a decision: A's staff assess example. through the control socket
curl -s --unix-socket "$T/A/control.sock" -d \
    '{"zone":"example.","verdict":"accident","recommend_nta":true,"lifetime":3600}' \
    http://localhost/v1/submit/assessment >"$T/submit.json"
t_ok "an assessment is signed" grep -q '"id":"[0-9a-f]\{64\}"' "$T/submit.json"
t_ok "A logs the decision" t_wait 20 grep -q '^<5>decision example\.: ' "$LOG"

# a non-member's events: 3 of them, each on both brokers (so each arrives
# twice); unknown_key at step 4 of the ingest pipeline
for s in 1 2 3; do
	"$EVGEN" --key "$T/D/relay.key" --origin "$Dop" --net "$FED_NET" \
	    --kind assessment --zone example. --seq "$s" 2>/dev/null >"$T/d$s"
	for p in "$x_port" "$y_port"; do
		mosquitto_pub -h 127.0.0.1 -p "$p" -q 1 -t "ntarelay/v1/$FED_NET/asm/example./$Dop" \
		    -f "$T/d$s"
	done
done
unknown6() { [ "$(fed_metric A 'ntarelay_events_rejected_total{reason="unknown_key"}')" = 6 ]; }
t_ok "A counts each of the 6 rejections (3 events x 2 links)" t_wait 20 unknown6

# a warning and an error: a reload that changes a key read at start, then
# one that cannot read the file
sed -i 's/^rate_limit .*/rate_limit 99999\nheartbeat_interval 90/' "$T/A/ntarelay.conf"
kill -HUP "$A_pid"
t_ok "a reload that needs a restart: a warning, <4>" t_wait 10 \
	grep -q '^<4>reload: heartbeat_interval changed: restart needed$' "$LOG"
cp "$T/A/ntarelay.conf" "$T/A/ntarelay.conf.good"
echo "no_such_key 1" >>"$T/A/ntarelay.conf"
kill -HUP "$A_pid"
t_ok "a reload of a broken file: an error, <3>" t_wait 10 \
	grep -q "^<3>reload: .*no_such_key.* (keeping the running configuration)$" "$LOG"
cp "$T/A/ntarelay.conf.good" "$T/A/ntarelay.conf"
t_is "no rejection of D's events logged one by one (only at debug)" \
	"$(grep -c "^<[0-6]>reject [0-9a-f]* from .*unknown_key" "$LOG")" 0
t_is "... nor their count yet (the window is a minute)" "$(grep -c '^<.>rejected ' "$LOG")" 0
kill -TERM "$A_pid"
wait "$A_pid"
t_is "A stopped with SIGTERM exits 0" "$?" 0
t_is "at stop, D's rejections in one line with their count" \
	"$(grep -c "^<5>rejected 6 events from non-member $Dkey in the last [0-9]* s: unknown_key: no public key known for keyid ${Dkey%${Dkey#????????????????}}\.\.\.$" "$LOG")" 1
t_is "... and no other line names D's key" "$(grep -c "$Dkey" "$LOG")" 1
t_ok "every line starts with <N>, N a syslog level (3 to 7)" sh -c "! grep -qv '^<[3-7]>' '$LOG'"
t_ok "no line carries a time stamp, an ident or a level name of its own" sh -c \
	"! grep -Eq '^<.>([0-9]{4}-[0-9]{2}-[0-9]{2}T|ntarelayd\\[|(err|warn|notice|info|debug): )' '$LOG'"
t_ok "the start is a notice" grep -q '^<5>started: net ' "$LOG"
t_ok "a link up is info" grep -q '^<6>link mqtt://127\.0\.0\.1:[0-9]*: connected ' "$LOG"
# the shutdown: from SIGTERM on, nothing at warn or above
sed -n '/^<.>Terminated: draining/,$p' "$LOG" >"$T/stop.log"
t_ok "the shutdown: 'Terminated: draining' and 'stopped' are notices" sh -c \
	"grep -q '^<5>Terminated: draining outboxes' '$T/stop.log' && grep -q '^<5>stopped$' '$T/stop.log'"
t_ok "... the links closing are info" grep -q '^<6>link .*: closed (the relay stops)$' "$T/stop.log"
t_ok "... and nothing is logged at warn or err" sh -c "! grep -q '^<[0-4]>' '$T/stop.log'"

# journald's parsing: "<N>MESSAGE" -> PRIORITY=N, MESSAGE (one per line)
sed -n 's/^<\([0-7]\)>\(.*\)$/\1 \2/p' "$LOG" >"$T/journal"
t_is "journald takes every line's prefix" "$(wc -l <"$T/journal")" "$(wc -l <"$LOG")"
cut -d' ' -f2- "$T/journal" >"$T/messages"
# journalctl -p LEVEL: PRIORITY <= LEVEL
level_num() {
	case $1 in
	emerg|0) echo 0;; alert|1) echo 1;; crit|2) echo 2;; err|3) echo 3;;
	warning|4) echo 4;; notice|5) echo 5;; info|6) echo 6;; debug|7) echo 7;;
	*) echo -1;;
	esac
}
awk '$1 <= 4' "$T/journal" >"$T/warning"
t_ok "journalctl -p warning would show the reload's warning and error" sh -c \
	"grep -q 'reload: heartbeat_interval changed' '$T/warning' && grep -q 'reload: .*no_such_key' '$T/warning'"
t_ok "... and not the decision (a notice)" sh -c "! grep -q decision '$T/warning'"

# The documented recipes. Each `journalctl ... -g 'REGEXP'` must find at
# least one message of this run (journalctl -g is PCRE, on MESSAGE only;
# case-insensitive when the pattern has no capital letter, as with grep
# -i); each `journalctl ... -p LEVEL` must name a level journald knows
# and find at least one entry.
for f in "$top_srcdir/docs/OPERATIONS.md" "$top_srcdir/docs/man/ntarelayd.8"; do
	sed 's/\\-/-/g; s/\\(aq/'"'"'/g' "$f" | grep -o "journalctl [^\`]*" >>"$T/recipes"
done
# (a | in a Markdown table is written \|)
grep -o " -g '[^']*'" "$T/recipes" | sed "s/^ -g '//; s/'\$//; s/\\\\|/|/g" | sort -u >"$T/patterns"
grep -o " -p [a-z0-9]*" "$T/recipes" | sed 's/^ -p //' | sort -u >"$T/levels"
t_ok "the docs give -g recipes" test -s "$T/patterns"
t_ok "... and a -p recipe" test -s "$T/levels"
while IFS= read -r pat; do
	case $pat in *[A-Z]*) ci= ;; *) ci=-i ;; esac
	t_ok "recipe journalctl -g '$pat' finds its lines" grep -Eq $ci -- "$pat" "$T/messages"
	t_ok "... not on the raw stderr lines' prefix: a '^' recipe needs journald" sh -c \
		"case '$pat' in ^*) ! grep -Eq $ci -- '$pat' '$LOG';; *) :;; esac"
done <"$T/patterns"
while IFS= read -r lvl; do
	t_ok "recipe journalctl -p $lvl: a level journald knows" [ "$(level_num "$lvl")" -ge 0 ]
	t_ok "... that finds entries" sh -c "[ -n \"\$(awk -v max=$(level_num "$lvl") '\$1 <= max' '$T/journal')\" ]"
done <"$T/levels"

# --------------------------------------------------------- 2. terminal
STAMP='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z ntarelayd\[[0-9]+\] (err|warn|notice|info|debug): '
: >"$T/other"
start_plain() {   # LOGFILE: start relay A again, stderr to LOGFILE
	"$NTARELAYD" -c "$T/A/ntarelay.conf" 2>>"$1" &
	A_pid=$!
	t_pid "$A_pid"
	t_wait 10 curl -fs "http://127.0.0.1:$A_http/healthz"
}
JOURNAL_STREAM=$(stat -L -c '%d:%i' "$T/other")
export JOURNAL_STREAM
t_ok "relay A starts with JOURNAL_STREAM naming another file" start_plain "$T/plain1.log"
unset JOURNAL_STREAM
fed_stop_relay A
t_ok "... its lines have the terminal format (time, ident, level)" sh -c \
	"grep -q . '$T/plain1.log' && ! grep -Evq '$STAMP' '$T/plain1.log'"
t_ok "... the start among them" grep -Eq "${STAMP}started: net " "$T/plain1.log"
t_ok "... and nothing went to the other file" sh -c "! test -s '$T/other'"
JOURNAL_STREAM="not:a:number"
export JOURNAL_STREAM
t_ok "relay A starts with a malformed JOURNAL_STREAM" start_plain "$T/plain2.log"
unset JOURNAL_STREAM
fed_stop_relay A
t_ok "... its lines have the terminal format" sh -c \
	"grep -q . '$T/plain2.log' && ! grep -Evq '$STAMP' '$T/plain2.log'"
t_ok "relay A starts without JOURNAL_STREAM" start_plain "$T/plain3.log"
fed_stop_relay A
t_ok "... its lines have the terminal format" sh -c \
	"grep -q . '$T/plain3.log' && ! grep -Evq '$STAMP' '$T/plain3.log'"
t_ok "... the shutdown at notice and info only" sh -c \
	"grep -Eq '${STAMP}stopped\$' '$T/plain3.log' && ! grep -Eq ' (err|warn): ' '$T/plain3.log'"

# ----------------------------------------------------------- 3. syslog
# syslog_run FACILITY-LINE OUT: relay A with log_syslog yes in a private
# mount namespace whose /dev/log is read into OUT; started, then stopped.
cat >"$T/ns.sh" <<'EOF2'
set -e
T=$1 out=$2 conf=$3 relay=$4 http=$5
mkdir -p "$T/olddev"
mount --bind /dev "$T/olddev"
mount -t tmpfs tmpfs /dev
for n in null zero urandom random; do
	touch "/dev/$n"
	mount --bind "$T/olddev/$n" "/dev/$n"
done
umount -l "$T/olddev"
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open(sys.argv[1], "w").close()
while True:
    d = s.recv(65536)
    with open(sys.argv[1], "ab") as f:
        f.write(d.rstrip(b"\0\n") + b"\n")
' "$out" &
py=$!
n=0; while [ ! -e "$out" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
rp=
trap 'kill $rp $py 2>/dev/null' EXIT
trap 'exit 1' TERM INT
"$relay" -c "$conf" 2>"$out.stderr" &
rp=$!
# up (or given up on after 10 s), then stopped
n=0; while ! curl -fs "http://127.0.0.1:$http/healthz" >/dev/null 2>&1 && [ $n -lt 100 ]; do
	sleep 0.1; n=$((n + 1))
done
kill -TERM "$rp"
wait "$rp" || true
rp=
n=0; while ! grep -q 'stopped$' "$out" && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
EOF2
syslog_run() {
	cp "$T/A/ntarelay.conf.good" "$T/A/syslog.conf"
	printf 'log_syslog yes\n%s' "$1" >>"$T/A/syslog.conf"
	timeout 60 unshare -m sh "$T/ns.sh" "$T" "$2" "$T/A/syslog.conf" "$NTARELAYD" "$A_http"
}
if command -v python3 >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1 &&
    unshare -m true 2>/dev/null; then
	t_ok "relay A logs to syslog (log_facility local3) and stops" syslog_run "log_facility local3
" "$T/sys3"
	cat "$T/sys3" >"$T/.out"
	t_ok "... the start: notice of local3 (<157>), program name and pid" \
		grep -Eq '^<157>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} ntarelayd\[[0-9]+\]: started: net ' "$T/sys3"
	t_ok "... a link up: info of local3 (<158>)" grep -Eq '^<158>.* ntarelayd\[[0-9]+\]: link .*: connected ' "$T/sys3"
	t_ok "... stopped: notice (<157>)" grep -Eq '^<157>.* ntarelayd\[[0-9]+\]: stopped$' "$T/sys3"
	t_ok "... every line of local3 (152 + level 3..7)" sh -c "! grep -Evq '^<15[5-9]>' '$T/sys3'"
	t_ok "... no time stamp or level name of the relay's own" sh -c \
		"! grep -Eq ': ([0-9]{4}-[0-9]{2}-[0-9]{2}T|(err|warn|notice|info|debug): )' '$T/sys3'"
	t_ok "... and nothing on standard error" sh -c "! test -s '$T/sys3.stderr'"
	t_ok "relay A logs to syslog with the default facility and stops" syslog_run "" "$T/sysd"
	t_ok "... daemon: the start is <29>, a link up <30>" sh -c \
		"grep -Eq '^<29>.* ntarelayd\\[[0-9]+\\]: started: ' '$T/sysd' && grep -Eq '^<30>.*: link .*: connected ' '$T/sysd'"
else
	echo "# syslog part skipped: needs root, unshare -m, python3 and timeout"
fi

t_done
