# tests/integration/testbed.sh — a local signed DNS hierarchy served by NSD
# (docs: /work/shared/TESTBED.md §2, §3). Source it after lib.sh.
#
#   tb_build             keys and signed zones under $TB (= $T/tb):
#                        fake root "." (trust anchor: $TB/root.ds) with
#                        good.     correctly signed
#                        expired.  signed with a window that ended 10 days ago
#                        rollover. signed with a new KSK, the root keeps the
#                                  old KSK's DS
#                        zskroll.  the apex SOA and www. signed by a ZSK whose
#                                  DNSKEY is not published and whose key
#                                  tag is that of the published ZSK (.de,
#                                  May 2026)
#                        partial.  the apex sound, but one base64 character
#                                  of the RRSIG over www.partial. A flipped
#                                  (mail.partial. A is fine)
#                        deadns.   correctly signed, with a second server
#                                  ns2.deadns. at 127.0.0.1 and 127.0.0.2,
#                                  where no NSD listens (a dead server)
#                        and an attacker's copy of every zone in which good.
#                        and zskroll. are signed with other keys (root and
#                        DS unchanged)
#   tb_nsd NAME [DIR [PORT]]
#                        start NSD for the zones in DIR ($TB/signed, or
#                        $TB/attack for the attacker's copy) on PORT, or a
#                        free port; sets NAME_port, NAME_pid; registered
#                        with t_pid
#   tb_sign ZONE INC EXP sign $TB/ZONE.zone (INC, EXP: epoch seconds) again
#   tb_reload NAME       SIGHUP that NSD (it serves the new files in ~80 ms)
#   tb_unbound NAME NSD  a validating Unbound forwarding to that NSD; sets
#                        NAME_port, NAME_pid, NAME_conf
#   tb_dig PORT NAME     "RCODE ad|noad" of an A query through a resolver
#
# Everything on 127.0.0.1; NSD is started as `nsd -d -c ABS` (an absolute
# path); all its state stays in $TB.

TB="$T/tb"
tb_now=$(date +%s)
tb_day=86400

# _tb_key ZONE [-k]: generate an ECDSAP256SHA256 key in $TB/keys, print
# its base name (without extension, absolute).
_tb_key() {
	( cd "$TB/keys" && ldns-keygen -a ECDSAP256SHA256 $2 "$1" ) | sed "s|^|$TB/keys/|"
}

# _tb_key_clash ZONE: two ZSKs of ZONE that share one key tag, found by a
# birthday search (a few hundred keys, seconds); prints their base names.
# Each key gets a directory of its own: ldns-keygen names files by tag.
_tb_key_clash() {
	_cd=$TB/keys/clash.$1
	_seen=" " _ci=0
	mkdir -p "$_cd" || return 1
	while [ "$_ci" -lt 5000 ]; do
		mkdir "$_cd/$_ci" || return 1
		_kn=$( (cd "$_cd/$_ci" && ldns-keygen -a ECDSAP256SHA256 "$1") ) || return 1
		_t=${_kn##*+}
		case "$_seen" in
		*" $_t="*)
			echo "$(echo "$_seen" | tr ' ' '\n' | sed -n "s/^$_t=//p") $_cd/$_ci/$_kn"
			return 0 ;;
		esac
		_seen="$_seen$_t=$_cd/$_ci/$_kn "
		_ci=$((_ci + 1))
	done
	return 1
}

# _tb_unsigned ZONE: the unsigned zone text of a child zone.
_tb_unsigned() {
	cat <<EOF
\$ORIGIN $1
\$TTL 300
@	IN SOA ns.$1 hostmaster.$1 ${2:-1} 3600 900 604800 300
@	IN NS ns.$1
ns	IN A 127.0.0.1
www	IN A 192.0.2.1
mail	IN A 192.0.2.2
EOF
}

# _tb_signzone OUT IN INC EXP KEY...: ldns-signzone with an explicit window.
_tb_signzone() {
	_so=$1 _si=$2 _sinc=$3 _sexp=$4
	shift 4
	ldns-signzone -i "$_sinc" -e "$_sexp" -f "$_so" "$_si" "$@" >/dev/null
}

# tb_sign ZONE INC EXP: re-sign a simple zone (good, expired, rollover:
# its current keys) into $TB/signed.
tb_sign() {
	_z=$1
	eval "_keys=\$tb_keys_$_z"
	# shellcheck disable=SC2086
	_tb_signzone "$TB/signed/$_z.zone" "$TB/$_z.zone" "$2" "$3" $_keys
}

tb_build() {
	mkdir -p "$TB/keys" "$TB/signed" "$TB/attack" "$TB/run" "$TB/logs" \
	    "$TB/arun" "$TB/alogs" || return 1
	_inc=$((tb_now - tb_day)) _exp=$((tb_now + 30 * tb_day))
	_rootds=""

	# good., expired.: KSK + ZSK; the DS in the root.
	for z in good expired; do
		_k=$(_tb_key "$z." -k) && _zk=$(_tb_key "$z.") || return 1
		eval "tb_keys_$z=\"$_k $_zk\""
		_tb_unsigned "$z." >"$TB/$z.zone"
		_rootds="$_rootds
$(cat "$_k.ds")"
	done
	tb_sign good "$_inc" "$_exp" || return 1
	tb_sign expired $((tb_now - 40 * tb_day)) $((tb_now - 10 * tb_day)) || return 1

	# rollover.: the root has the DS of the old KSK, the zone the new one.
	_old=$(_tb_key rollover. -k) && _k=$(_tb_key rollover. -k) &&
	    _zk=$(_tb_key rollover.) || return 1
	tb_keys_rollover="$_k $_zk"
	_tb_unsigned rollover. >"$TB/rollover.zone"
	tb_sign rollover "$_inc" "$_exp" || return 1
	_rootds="$_rootds
$(cat "$_old.ds")"

	# zskroll.: DNSKEY = KSK + ZSK1; the SOA and www. signed by ZSK2 only
	# (not published), whose key tag is ZSK1's (the .de failure of May
	# 2026: a validator tries the published key of that tag and the
	# signature fails); the rest by ZSK1. Two signings merged by RRSIG.
	_k=$(_tb_key zskroll. -k) && _pair=$(_tb_key_clash zskroll.) || return 1
	_z1=${_pair% *} _z2=${_pair#* }
	tb_keys_zskroll="$_k $_z1 $_z2"
	{ _tb_unsigned zskroll.; cat "$_k.key" "$_z1.key"; } >"$TB/zskroll.zone"
	_tb_signzone "$TB/zskroll.a" "$TB/zskroll.zone" "$_inc" "$_exp" -d "$_k" "$_z1" ||
	    return 1
	_tb_signzone "$TB/zskroll.b" "$TB/zskroll.zone" "$_inc" "$_exp" -d "$_k" "$_z2" ||
	    return 1
	{
		awk '!($4 == "RRSIG" && (($1 == "zskroll." && $5 == "SOA") || ($1 == "www.zskroll." && $5 == "A")))' "$TB/zskroll.a"
		awk '$4 == "RRSIG" && (($1 == "zskroll." && $5 == "SOA") || ($1 == "www.zskroll." && $5 == "A"))' "$TB/zskroll.b"
	} >"$TB/signed/zskroll.zone"
	_rootds="$_rootds
$(cat "$_k.ds")"

	# partial.: signed like good., then the signature over www. A broken
	# (one character of its base64 flipped): the apex validates, one name
	# does not
	_k=$(_tb_key partial. -k) && _zk=$(_tb_key partial.) || return 1
	tb_keys_partial="$_k $_zk"
	_tb_unsigned partial. >"$TB/partial.zone"
	# shellcheck disable=SC2086
	_tb_signzone "$TB/partial.a" "$TB/partial.zone" "$_inc" "$_exp" $tb_keys_partial ||
	    return 1
	awk 'BEGIN { OFS = "\t" }
	    $1 == "www.partial." && $4 == "RRSIG" && $5 == "A" {
		c = substr($NF, 10, 1)
		$NF = substr($NF, 1, 9) (c == "A" ? "B" : "A") substr($NF, 11)
	    }
	    { print }' "$TB/partial.a" >"$TB/signed/partial.zone" || return 1
	_rootds="$_rootds
$(cat "$_k.ds")"

	# deadns.: correctly signed; its second NS name has a second address
	# where nothing answers
	_k=$(_tb_key deadns. -k) && _zk=$(_tb_key deadns.) || return 1
	tb_keys_deadns="$_k $_zk"
	{
		_tb_unsigned deadns.
		printf '@\tIN NS ns2.deadns.\nns2\tIN A 127.0.0.1\nns2\tIN A 127.0.0.2\n'
	} >"$TB/deadns.zone"
	tb_sign deadns "$_inc" "$_exp" || return 1
	_rootds="$_rootds
$(cat "$_k.ds")"

	# the root
	_rk=$(_tb_key . -k) && _rz=$(_tb_key .) || return 1
	tb_keys_root="$_rk $_rz"
	cp "$_rk.ds" "$TB/root.ds"
	{
		cat <<EOF
\$ORIGIN .
\$TTL 300
.	IN SOA ns. hostmaster. 1 3600 900 604800 300
.	IN NS ns.
ns.	IN A 127.0.0.1
EOF
		for z in good expired rollover zskroll partial deadns; do
			printf '%s.\tIN NS ns.%s.\nns.%s.\tIN A 127.0.0.1\n' "$z" "$z" "$z"
		done
		echo "$_rootds" | grep -v '^$'
	} >"$TB/root.zone"
	# shellcheck disable=SC2086
	_tb_signzone "$TB/signed/root.zone" "$TB/root.zone" "$_inc" "$_exp" $tb_keys_root ||
	    return 1

	# The attacker's copy: good. signed with other keys, everything else
	# (the root and its DS for good.) as served by the real servers.
	cp "$TB"/signed/*.zone "$TB/attack/"
	_ak=$(_tb_key good. -k) && _az=$(_tb_key good.) || return 1
	_tb_signzone "$TB/attack/good.zone" "$TB/good.zone" "$_inc" "$_exp" "$_ak" "$_az" ||
	    return 1
	# and zskroll. signed with the attacker's own keys: another DNSKEY
	# set, so another failure fingerprint than the real (broken) zone's
	_ak=$(_tb_key zskroll. -k) && _az=$(_tb_key zskroll.) || return 1
	_tb_unsigned zskroll. >"$TB/zskroll.attack"
	_tb_signzone "$TB/attack/zskroll.zone" "$TB/zskroll.attack" "$_inc" "$_exp" \
	    "$_ak" "$_az"
}

# tb_nsd NAME [DIR [PORT]]
tb_nsd() {
	_name=$1 _dir=${2:-$TB/signed}
	_port=${3:-$(t_port)}
	mkdir -p "$TB/$_name.run" "$TB/$_name.logs"
	cat >"$TB/$_name.conf" <<EOF
server:
    ip-address: 127.0.0.1
    port: $_port
    do-ip6: no
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "$_dir"
    database: ""
    zonelistfile: "$TB/$_name.run/nsd.zonelist"
    xfrdfile: "$TB/$_name.run/nsd.xfrd.state"
    xfrdir: "$TB/$_name.run"
    pidfile: "$TB/$_name.run/nsd.pid"
    logfile: "$TB/$_name.logs/nsd.log"
remote-control:
    control-enable: no
zone:
    name: "."
    zonefile: "root.zone"
EOF
	for z in good expired rollover zskroll partial deadns; do
		printf 'zone:\n    name: "%s."\n    zonefile: "%s.zone"\n' "$z" "$z" \
		    >>"$TB/$_name.conf"
	done
	nsd -d -c "$TB/$_name.conf" &
	_pid=$!
	t_pid "$_pid"
	eval "${_name}_port=$_port ${_name}_pid=$_pid"
	t_wait 10 sh -c "kill -0 $_pid && dig +short +norec +time=1 +tries=1 -p $_port @127.0.0.1 . SOA | grep -q ."
}

# tb_reload NAME: NSD rereads its zone files.
tb_reload() {
	eval "kill -HUP \$${1}_pid"
}

# tb_unbound NAME NSDNAME: a validating Unbound (TESTBED.md §4) forwarding
# everything to that NSD, trusting $TB/root.ds, with remote control on a
# unix socket; sets NAME_port, NAME_pid, NAME_conf; registered with t_pid.
tb_unbound() {
	_name=$1
	_port=$(t_port)
	_dir=$TB/$_name
	_nsdport=$(eval echo "\$${2}_port")
	mkdir -p "$_dir/run"
	cat >"$_dir/unbound.conf" <<EOF
server:
    interface: 127.0.0.1
    port: $_port
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$_dir"
    pidfile: "$_dir/run/unbound.pid"
    use-syslog: no
    logfile: "$_dir/unbound.log"
    num-threads: 1
    access-control: 127.0.0.0/8 allow
    outgoing-interface: 127.0.0.1
    do-not-query-localhost: no
    module-config: "validator iterator"
    trust-anchor-file: "$TB/root.ds"
    val-log-level: 2
    val-bogus-ttl: 5
    trust-anchor-signaling: no
    cache-max-ttl: 30
    cache-max-negative-ttl: 5
forward-zone:
    name: "."
    forward-addr: 127.0.0.1@$_nsdport
remote-control:
    control-enable: yes
    control-interface: $_dir/run/unbound.ctl
EOF
	unbound -d -c "$_dir/unbound.conf" &
	_pid=$!
	t_pid "$_pid"
	eval "${_name}_port=$_port ${_name}_pid=$_pid ${_name}_conf=$_dir/unbound.conf"
	t_wait 10 sh -c "kill -0 $_pid && unbound-control -c '$_dir/unbound.conf' status"
}

# tb_dig PORT NAME: "RCODE ad|noad" of an A query through a resolver.
tb_dig() {
	dig +time=2 +tries=1 -p "$1" @127.0.0.1 "$2" A 2>/dev/null | awk '
	    /status:/ { s = $6; sub(",", "", s) }
	    /^;; flags:/ { f = ($0 ~ / ad[ ;]/) ? "ad" : "noad" }
	    END { print s " " f }'
}
