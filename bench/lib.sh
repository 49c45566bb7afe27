# bench/lib.sh — what every benchmark in bench/ starts with; sourced as
#   . "$(dirname "$0")/lib.sh"
# It finds the source and build directories (make sets top_srcdir and
# top_builddir; run by hand, the source tree is the script's parent and
# the build directory the current one), sources the test harness
# (tests/integration/lib.sh: $T, t_pid, t_port, t_mosquitto, and the EXIT
# trap that stops every daemon by PID) and the federation helpers
# (tests/integration/fed.sh), and defines:
#   fail TEXT             print "<bench>: TEXT" on stderr and exit 1
#   now_ns                monotonic enough wall time, in ns
#   ms_between A B        B - A (ns) in whole ms
#   per_s N A B           N events over B - A (ns), per second
#   raw_verify_rate       one core's raw Ed25519 verify/s (bench/bench_proto,
#                         2 s): the ceiling most figures are compared with
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$(pwd)}"
export top_srcdir top_builddir
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fed.sh"

BENCH_NAME=$(basename "$0" .sh)
fail() { echo "$BENCH_NAME: $*" >&2; exit 1; }
now_ns() { date +%s%N; }
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) / 1e6 }'; }
per_s() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / ((b - a) / 1e9) }'; }
raw_verify_rate() {
	BENCH_SECONDS=2 "$top_builddir/bench/bench_proto" | sed -n 's/^bench: raw_verify_per_s=//p'
}
