#!/bin/bash
# completion.sh BINDIR SRC: the bash completion of vzctl and vzlist through
# bash-completion's own machinery: the completion file is sourced, COMP_WORDS,
# COMP_CWORD, COMP_LINE and COMP_POINT are set as bash sets them, and the
# function `complete -p` names is called; COMPREPLY must hold what the tools'
# tables and a configuration directory of this test's own (VZ_CONFDIR) say.
set -u
bindir=$1 src=$2
bash_completion=/usr/share/bash-completion/bash_completion
[ -r "$bash_completion" ] ||
    { echo "FAIL: bash-completion is not installed (scripts/install-deps.sh)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The configuration directory: CTs 101 and 102, 101 named web1 with a veth
# eth0 and an address, a sample, and two templates in TEMPLATE's cache.
export VZ_CONFDIR=$tmp/vz
mkdir -p "$VZ_CONFDIR/conf" "$VZ_CONFDIR/names" "$tmp/template/cache" "$tmp/net/br0/bridge" \
    "$tmp/net/vmbr1/bridge" "$tmp/net/eth9"
printf 'TEMPLATE="%s"\n' "$tmp/template" >"$VZ_CONFDIR/vz.conf"
cat >"$VZ_CONFDIR/conf/101.conf" <<'CONF'
NAME="web1"
IP_ADDRESS="198.51.100.7 198.51.100.8"
NETIF="ifname=eth0,mac=00:18:51:0A:0B:0C,host_ifname=veth101.0;ifname=eth1,bridge=br0"
CONF
echo 'HOSTNAME="b"' >"$VZ_CONFDIR/conf/102.conf"
ln -s ../conf/101.conf "$VZ_CONFDIR/names/web1"
touch "$VZ_CONFDIR/conf/ve-small.conf-sample" "$tmp/template/cache/debian-12-x86_64.tar.zst" \
    "$tmp/template/cache/busybox-minimal.tar.gz"

export PATH=$bindir:$PATH
# shellcheck disable=SC1090
. "$bash_completion"
# shellcheck disable=SC1091
. "$src/completion/vzctl"
# shellcheck disable=SC1091
. "$src/completion/vzlist"
# shellcheck disable=SC2034 # the completion function reads it
_vzctl_sys_class_net=$tmp/net

fails=0 checked=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# complete WORD... : completes the last word (may be "") as bash would, with
# the function `complete -p` names for the command; the candidates are left
# sorted in $reply, one a line.
complete_words() {
    local spec function
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    spec=$(complete -p "$1") || { fail "no completion for $1"; return; }
    function=$(sed -nE 's/.*-F ([^ ]+).*/\1/p' <<<"$spec")
    "$function" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    reply=$(printf '%s\n' "${COMPREPLY[@]}" | sort)
}

# expect_exactly "EXPECTED WORDS" WORD...: the candidates are those words.
expect_exactly() {
    local expected=$1
    shift
    checked=$((checked + 1))
    complete_words "$@"
    local want
    want=$(tr ' ' '\n' <<<"$expected" | sort)
    [ "$reply" = "$want" ] || fail "'$*': got [${reply//$'\n'/ }], expected [$expected]"
}

# expect_has "WORDS" [-not "WORDS"] WORD...: the candidates include (and exclude) these.
expect_has() {
    local has=$1 not=""
    shift
    if [ "$1" = -not ]; then
        not=$2
        shift 2
    fi
    checked=$((checked + 1))
    complete_words "$@"
    local w
    for w in $has; do
        grep -qxF -- "$w" <<<"$reply" || fail "'$*': $w missing from [${reply//$'\n'/ }]"
    done
    for w in $not; do
        grep -qxF -- "$w" <<<"$reply" && fail "'$*': $w offered in [${reply//$'\n'/ }]"
    done
}

# vzctl: commands, flags, CTIDs and names.
expect_has "create destroy delete start stop set exec enter snapshot-list chkpnt template" vzctl ""
expect_exactly "start status stop" vzctl st
expect_has "--verbose --quiet --skiplock --help -v" vzctl -
expect_exactly "start" vzctl --quiet star
expect_exactly "101 102 web1" vzctl start ""
expect_exactly "101 102 web1" vzctl --verbose enter ""
expect_exactly "list gc" vzctl template ""
# Options per command, from vzctl's tables.
expect_exactly "--wait --force --skip-remount --skip-fsck" vzctl start 101 --
expect_exactly "--fast --skip-umount" vzctl stop web1 -
expect_has "--ostemplate --config --layout --ipadd --hostname" -not "--ram --save" vzctl create 103 --
expect_has "--save --ram --swap --ipadd --ip --netif_add --onboot --diskspace --kmemsize --userpasswd" \
    -not "--wait" vzctl set 101 --
expect_exactly "--onboot" vzctl set 101 --onb
expect_exactly "" vzctl exec 101 --
# Values whose set is known.
expect_exactly "yes no" vzctl set 101 --onboot ""
expect_exactly "yes" vzctl set 101 --save --disabled y
expect_exactly "simfs overlay lvm" vzctl create 103 --layout ""
expect_exactly "restart ignore" vzctl set 101 --setmode ""
expect_exactly "disabled stateless stateful full" vzctl set 101 --netfilter ""
expect_exactly "busybox-minimal debian-12-x86_64" vzctl create 103 --ostemplate ""
expect_exactly "debian-12-x86_64" vzctl create 103 --hostname a --ostemplate de
expect_exactly "small" vzctl create 103 --config ""
expect_exactly "eth0,,,,br0 eth0,,,,vmbr1" vzctl set 101 --netif_add eth0,,,,
expect_exactly "eth0,,,,vmbr1" vzctl set 101 --netif_add eth0,,,,v
expect_exactly "" vzctl set 101 --netif_add eth
expect_exactly "all eth0 eth1" vzctl set 101 --netif_del ""
expect_exactly "eth0 eth1" vzctl set web1 --save --ifname ""
expect_exactly "all 198.51.100.7 198.51.100.8" vzctl set 101 --ipdel ""
expect_exactly "" vzctl set 102 --hostname ""

# vzlist: options, fields of -o (a comma list) and -s (with "-"), CTIDs.
expect_has "-a --all -o --output -s --sort -H -j -L" vzlist -
expect_exactly "101 102 web1" vzlist -a ""
expect_has "ctid hostname numproc physpages kmemsize.l" vzlist -o ""
expect_exactly "ctid,hostname" vzlist -o ctid,hostn
expect_exactly "-numproc -numproc.m -numproc.b -numproc.l -numproc.f" vzlist -H -s -numpr
expect_exactly "numproc numproc.m numproc.b numproc.l numproc.f" vzlist --sort numpr
expect_exactly "web1" vzlist -N ""

# A name is offered as it is, never expanded: a $(...) in a file name is
# not run (compgen -W would run it).
cd "$tmp" || exit 1
# shellcheck disable=SC2016 # the literal text is the point
evil='$(date>ran)'
ln -s ../conf/102.conf "$VZ_CONFDIR/names/$evil"
expect_has "$evil 101" vzctl start ""
expect_has "$evil 101" vzlist ""
checked=$((checked + 1))
[ ! -e "$tmp/ran" ] || fail "a \$(...) in a container name ran during completion"
rm "$VZ_CONFDIR/names/$evil"

# VZ_CONFDIR is honoured: another directory, other CTIDs.
mkdir -p "$tmp/other/conf"
touch "$tmp/other/conf/555.conf"
VZ_CONFDIR=$tmp/other expect_exactly "555" vzctl start ""
VZ_CONFDIR=$tmp/other expect_exactly "555" vzlist ""

if [ $fails -gt 0 ]; then
    echo "$fails of $checked completion checks failed"
    exit 1
fi
echo "ok: $checked completion checks"
