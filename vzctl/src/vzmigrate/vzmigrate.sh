#!/bin/bash
# vzmigrate [options] DEST CTID: moves a container to another vzkit host over
# OpenSSH and rsync, offline (stop, copy, start there) or online (copy while it
# runs, checkpoint, final copy, restore there). A script, as OpenVZ's: it holds
# no container logic of its own, every change to a container is a vzctl
# command on one side or the other (docs/checkpoint.md, "vzmigrate").
# OpenVZ's options and exit codes; vzmigrate(8).
set -u
export LC_ALL=C
umask 077

# --- OpenVZ's exit codes (vzctl 4.11.1 bin/vzmigrate.in) -----------------------
readonly MIG_ERR_USAGE=1 MIG_ERR_VPS_IS_STOPPED=2 MIG_ERR_CANT_CONNECT=4 MIG_ERR_COPY=6
readonly MIG_ERR_START_VPS=7 MIG_ERR_STOP_SOURCE=8 MIG_ERR_EXISTS=9 MIG_ERR_NOEXIST=10
readonly MIG_ERR_IP_IN_USE=12 MIG_ERR_OVZ_NOT_RUNNING=14 MIG_ERR_UNSUP_LAYOUT=16
readonly MIG_ERR_CANT_READ_REMOTE_CONFIG=19 MIG_ERR_LOCKED=20

# --- the option table: short|long names|takes a value|value name|help ----------
# --help, --vzkit-describe (man page) and the parser below all read it.
OPTIONS=(
    "|online,live|0||live migration: the container keeps running, its processes are checkpointed and restored at DEST"
    "r|remove-area|1|yes\\|no|remove the container at the source after a successful migration (yes, the default; no keeps its private area and renames its config to <CTID>.conf.migrated)"
    "|keep-dst|0||keep the private area copied to DEST when the migration fails (a new attempt copies only what changed)"
    "|ssh|1|<options>|more options for ssh, split at blanks (never the host name)"
    "|rsync|1|<options>|more options for rsync, split at blanks"
    "v||0||verbose: say each step (twice: also rsync's file list and vzctl's verbose output)"
    "h|help,usage|0||print the usage"
)

usage() {
    local row short longs value vname help spelled
    echo "Usage: vzmigrate [option ...] <destination> <CTID>"
    echo "Moves container CTID to the vzkit host <destination> over ssh (as root, by public key) and rsync."
    echo "Options:"
    for row in "${OPTIONS[@]}"; do
        IFS='|' read -r short longs value vname help <<<"${row//\\|/$'\x01'}"
        spelled=""
        [ -n "$short" ] && spelled="-$short"
        [ -n "$longs" ] && spelled="$spelled${spelled:+, }--${longs//,/, --}"
        [ "$value" = 1 ] && spelled="$spelled ${vname//$'\x01'/|}"
        printf '  %s\n      %s\n' "$spelled" "$help"
    done
    echo "Exit codes: 0 done; 1 bad usage; 2 live migration of a stopped CT; 4 cannot connect;"
    echo "6 copy failed or no space at <destination>; 7 start/restore at <destination> failed;"
    echo "8 stop/checkpoint at the source failed; 9 CTID taken at <destination>; 10 no such CT;"
    echo "12 an IP address in use at <destination>; 14 vzkit, rsync, criu or the module missing at"
    echo "<destination>; 16 storage layout not supported; 19 cannot read <destination>'s vz.conf; 20 CT locked."
}

describe() {
    local row short longs value vname help
    for row in "${OPTIONS[@]}"; do
        IFS='|' read -r short longs value vname help <<<"${row//\\|/$'\x01'}"
        printf 'option\t\t%s\t%s\t%s\t%s\t%s\n' "$short" "$longs" "$value" "${vname//$'\x01'/|}" "$help"
    done
}

bad_usage() {
    echo "vzmigrate: $*" >&2
    echo "For command line syntax, see vzmigrate --help" >&2
    exit $MIG_ERR_USAGE
}

verbose=0
log() { echo "$*"; }
debug() { [ "$verbose" -gt 0 ] && echo "   $*"; return 0; }
error() { echo "Error: $*" >&2; }

# --- the command line -----------------------------------------------------------
[ "$#" = 1 ] && [ "$1" = --vzkit-describe ] && { describe; exit 0; }
[ "$#" = 0 ] && { usage; exit $MIG_ERR_USAGE; }
shortopts="" longopts=""
for row in "${OPTIONS[@]}"; do
    IFS='|' read -r short longs value _ <<<"$row"
    colon=""
    [ "$value" = 1 ] && colon=":"
    [ -n "$short" ] && shortopts="$shortopts$short$colon"
    for long in ${longs//,/ }; do longopts="$longopts${longopts:+,}$long$colon"; done
done
parsed=$(getopt -n vzmigrate -o "$shortopts" --long "$longopts" -- "$@") || bad_usage "bad option"
eval set -- "$parsed"
online=0 remove_area=1 keep_dst=0 ssh_extra="" rsync_extra=""
while true; do
    case $1 in
    --online | --live) online=1 ;;
    -r | --remove-area)
        case $2 in yes) remove_area=1 ;; no) remove_area=0 ;; *) bad_usage "bad argument for $1: $2 (yes or no)" ;; esac
        shift ;;
    --keep-dst) keep_dst=1 ;;
    --ssh) ssh_extra="$ssh_extra $2"; shift ;;
    --rsync) rsync_extra="$rsync_extra $2"; shift ;;
    -v) verbose=$((verbose + 1)) ;;
    -h | --help | --usage) usage; exit 0 ;;
    --) shift; break ;;
    esac
    shift
done
[ "$#" -lt 2 ] && bad_usage "not enough parameters"
[ "$#" -gt 2 ] && bad_usage "too many parameters: $*"
DEST=$1 CT=$2
case $DEST in '' | -* | *[!A-Za-z0-9.:_%-]*) bad_usage "bad destination address: $DEST" ;; esac

# --- the tools ------------------------------------------------------------------
# The user's ssh options first: ssh takes the first value it is given for an
# option, so theirs win over these defaults.
# One ssh connection for every command and copy (OpenVZ's --ssh-mux, always):
# each new connection costs a key exchange, and four of them fall in the
# online migration's freeze. The master goes when vzmigrate exits.
MUX_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vzmigrate.XXXXXX") || exit $MIG_ERR_USAGE
# shellcheck disable=SC2206 # split at blanks, as OpenVZ's --ssh
SSH=(ssh $ssh_extra -o BatchMode=yes -o ConnectTimeout=15 -o ServerAliveInterval=10 -o ServerAliveCountMax=3
    -o ControlMaster=auto -o "ControlPath=$MUX_DIR/ssh" -o ControlPersist=60)
RSH="${SSH[*]}"
# shellcheck disable=SC2317 # run by the EXIT trap
mux_close() {
    [ -S "$MUX_DIR/ssh" ] && "${SSH[@]}" -O exit "root@$DEST" >/dev/null 2>&1
    rm -rf "$MUX_DIR"
}
trap mux_close EXIT
# -x: nothing mounted below a private area is copied; --numeric-ids: the
# container's uids are not the hosts' user names; --timeout: a peer that
# stops reading (ssh's keep-alives only catch one that is gone) fails the
# copy after 5 minutes instead of hanging (--rsync can give another).
# shellcheck disable=SC2206
RSYNC=(rsync -aHAXx --numeric-ids --timeout=300 -e "$RSH" $rsync_extra)
VZCTL=(vzctl --skiplock)
if [ "$verbose" -gt 1 ]; then
    RSYNC+=(-v) VZCTL+=(--verbose)
else
    VZCTL+=(--quiet)
fi
# rsync's and scp's way to write an IPv6 address
RHOST=$DEST
case $DEST in *:*) RHOST="[$DEST]" ;; esac

# quote WORD...: the words as one line the remote shell splits back into them.
quote() {
    local word out=""
    for word; do out="$out '${word//\'/\'\\\'\'}'"; done
    printf '%s' "$out"
}
# remote COMMAND ARG...: runs at DEST, each word as given.
remote() { "${SSH[@]}" "root@$DEST" "$(quote "$@")"; }
# remote_sh SCRIPT [ARG...]: a POSIX sh script at DEST, with its arguments in $1...
remote_sh() {
    local script=$1
    shift
    "${SSH[@]}" "root@$DEST" "sh -c $(quote "$script") vzmigrate$(quote "$@")"
}
now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# conf_value FILE KEY: KEY's value in a vz.conf-style file, quotes
# stripped, $VEID expanded; its first assignment counts, as in vzctl (which
# warns that a later one is a duplicate and ignores it). The file is read,
# never sourced (a config holds text its container's customer chose, such as
# DESCRIPTION).
# shellcheck disable=SC2016 # an awk program: its $ are awk's
CONF_AWK='
!found && $0 ~ "^[ \t]*" key "=" {
    v = substr($0, index($0, "=") + 1)
    sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v)
    if (v ~ /^".*"$/ || v ~ /^'\''.*'\''$/) v = substr(v, 2, length(v) - 2)
    gsub(/\$\{VEID\}|\$VEID/, veid, v)
    value = v; found = 1
}
END { if (found) print value }'
conf_value() { awk -v key="$2" -v veid="$CT" "$CONF_AWK" "$1" 2>/dev/null; }

# --- the container at the source ---------------------------------------------------
CONFDIR=${VZ_CONFDIR:-/etc/vz}
VZCONF=$CONFDIR/vz.conf
[ -r "$VZCONF" ] || { error "Can't read global config file $VZCONF"; exit $MIG_ERR_NOEXIST; }
case $CT in
*[!0-9]* | '')
    id=$(vzlist -H -o ctid -- "$CT" 2>/dev/null | tr -d ' ')
    [ -n "$id" ] || { error "CT $CT doesn't exist"; exit $MIG_ERR_NOEXIST; }
    CT=$id ;;
esac
CTCONF=$CONFDIR/conf/$CT.conf
[ -f "$CTCONF" ] || { error "CT $CT doesn't exist"; exit $MIG_ERR_NOEXIST; }
setting() { # KEY DEFAULT: the container's value (its config over vz.conf)
    local v
    v=$(conf_value "$CTCONF" "$1")
    [ -n "$v" ] || v=$(conf_value "$VZCONF" "$1")
    printf '%s' "${v:-$2}"
}
LOCKDIR=$(setting LOCKDIR /vz/lock)
DUMPDIR=$(setting DUMPDIR /vz/dump)
LAYOUT=$(setting VE_LAYOUT simfs)
PRIVATE=$(vzlist -H -o private "$CT" 2>/dev/null | sed 's/^ *//; s/ *$//')
NAME=$(setting NAME "")
IPS=$(vzlist -H -o ip "$CT" 2>/dev/null)
if [ -z "$PRIVATE" ] || [ ! -d "$PRIVATE" ]; then error "CT $CT has no private area"; exit $MIG_ERR_NOEXIST; fi

# The CT's lock, as vzctl takes it (link() of "<pid>\n<status>"): no other
# vzctl command runs on the container meanwhile; vzmigrate's own run --skiplock.
LOCK=$LOCKDIR/$CT.lck
locked=0
lock_ct() {
    local tmp=$LOCKDIR/.$CT.lck.vzmigrate.$$ pid
    mkdir -p "$LOCKDIR" && printf '%s\nmigrating\n' "$$" >"$tmp" || return 1
    if ! ln "$tmp" "$LOCK" 2>/dev/null; then
        pid=$(head -n 1 "$LOCK" 2>/dev/null)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            rm -f "$tmp"
            error "CT $CT already locked by PID $pid"
            return 1
        fi
        rm -f "$LOCK" # stale: its owner is dead
        ln "$tmp" "$LOCK" 2>/dev/null || { rm -f "$tmp"; error "Can't lock CT $CT"; return 1; }
    fi
    rm -f "$tmp"
    locked=1
}
unlock_ct() {
    [ "$locked" = 1 ] && [ "$(head -n 1 "$LOCK" 2>/dev/null)" = "$$" ] && rm -f "$LOCK"
    locked=0
}
lock_ct || exit $MIG_ERR_LOCKED

# --- undoing: what was done, so that a failure can put it back ------------------------
dst_touched=0   # anything made at DEST (config, private area, dump)
dst_may_run=0   # a start, mount or restore was asked of DEST, and may have been done
src_changed=""  # "stopped", "umounted" or "dumped": the source's state to put back
R_PRIVATE="" R_ROOT="" R_DUMP="" R_CONFDIR="" R_DUMPDIR=""
L_DUMP=$DUMPDIR/Dump.$CT

undo_dst() {
    [ "$dst_touched" = 1 ] || return 0
    if [ "$dst_may_run" = 1 ]; then
        # Its ssh may have failed, not the command: make sure it is not running
        # there before it runs here again. ssh's own failures are 255.
        remote vzctl --quiet stop "$CT" --fast </dev/null >/dev/null 2>&1
        if [ $? = 255 ]; then
            error "$DEST does not answer: CT $CT may run there, so it is not started here again"
            [ "$src_changed" = dumped ] && error "Its dump is kept in $L_DUMP"
            src_changed=""
            return 0
        fi
        remote vzctl --quiet umount "$CT" </dev/null >/dev/null 2>&1
    fi
    # An lvm container's volume goes with it (vzctl destroy removes it).
    [ "$LAYOUT" = lvm ] && remote vzctl --quiet destroy "$CT" </dev/null >/dev/null 2>&1
    debug "Removing what was copied to $DEST"
    # shellcheck disable=SC2016 # expanded by the remote shell
    remote_sh '
        ct=$1 confdir=$2 private=$3 root=$4 dump=$5 keep=$6
        for sfx in conf start stop mount umount premount postumount; do
            rm -f "$confdir/conf/$ct.$sfx"
        done
        for l in "$confdir"/names/*; do
            [ -L "$l" ] && [ "$(readlink "$l")" = "$confdir/conf/$ct.conf" ] && rm -f "$l"
        done
        [ -n "$dump" ] && rm -rf "$dump"
        [ "$keep" = 1 ] || rm -rf "$private"
        rmdir "$root" 2>/dev/null
        exit 0' "$CT" "$R_CONFDIR" "$R_PRIVATE" "$R_ROOT" "$R_DUMP" "$keep_dst" ||
        error "Unable to clean up $DEST: remove $R_CONFDIR/conf/$CT.conf and $R_PRIVATE there"
    dst_touched=0
}
undo_src() {
    case $src_changed in
    stopped) debug "Starting the container again"; "${VZCTL[@]}" start "$CT" ;;
    umounted) debug "Mounting the container again"; "${VZCTL[@]}" mount "$CT" ;;
    dumped)
        debug "Restoring the container at the source"
        "${VZCTL[@]}" restore "$CT" --dumpfile "$L_DUMP" ||
            error "The container could not be restored at the source: its dump is kept in $L_DUMP (vzctl restore $CT)"
        ;;
    esac
    src_changed=""
}
# fail CODE MESSAGE: DEST first (on one kernel both copies must not exist at
# once), then the source back as it was.
fail() {
    trap - INT TERM HUP
    error "$2"
    undo_dst
    undo_src
    unlock_ct
    exit "$1"
}
trap 'fail $MIG_ERR_USAGE "interrupted"' INT TERM HUP

# --- checks: nothing is changed on either side before they pass ------------------------
read -r _ _ exist mounted state suspended _ <<<"$("${VZCTL[@]}" status "$CT" 2>/dev/null)"
[ "$exist" = exist ] || fail $MIG_ERR_NOEXIST "CT $CT doesn't exist"
[ "${suspended:-}" = suspended ] &&
    fail $MIG_ERR_STOP_SOURCE "CT $CT is suspended (frozen or checkpointed): resume or restore it first"
[ "$online" = 1 ] && [ "$state" != running ] &&
    fail $MIG_ERR_VPS_IS_STOPPED "Can't perform live migration of a stopped container"
case $LAYOUT in
simfs) ;;
lvm)
    # The volume goes as a block device (sync_volume); its snapshots would
    # not, and a migration must not lose them silently.
    out=$("${VZCTL[@]}" snapshot-list "$CT" -H </dev/null 2>&1) ||
        fail $MIG_ERR_COPY "Can't list CT $CT's snapshots: $out"
    snaps=$(grep -c . <<<"$out")
    [ "$snaps" = 0 ] ||
        fail $MIG_ERR_UNSUP_LAYOUT "CT $CT has $snaps snapshot(s), which vzmigrate does not move: delete them first (vzctl snapshot-delete)"
    out=$("${VZCTL[@]}" volume "$CT" </dev/null 2>"$MUX_DIR/err")
    read -r L_DEV L_SIZE L_USED _ <<<"$out"
    [ -b "${L_DEV:-}" ] ||
        fail $MIG_ERR_COPY "Can't get CT $CT's volume: $(tail -n 1 "$MUX_DIR/err") ${out:-(vzctl volume $CT printed nothing)}"
    [ "$keep_dst" = 1 ] && log "--keep-dst: an lvm container's volume at $DEST is removed all the same on failure"
    keep_dst=0
    ;;
*) fail $MIG_ERR_UNSUP_LAYOUT "CT $CT has the $LAYOUT layout: vzmigrate moves simfs and lvm containers only" ;;
esac
what="migration"
[ "$online" = 1 ] && what="live migration"
log "Starting $what of CT $CT to $DEST"

debug "Checking the connection"
remote true </dev/null ||
    fail $MIG_ERR_CANT_CONNECT "Can't connect to $DEST as root with a public key (ssh -o BatchMode=yes)"
debug "Checking for vzkit at $DEST"
remote vzctl --vzkit-describe </dev/null >/dev/null 2>&1 ||
    fail $MIG_ERR_OVZ_NOT_RUNNING "vzkit's vzctl is not installed on $DEST"
remote_sh 'command -v rsync' </dev/null >/dev/null 2>&1 ||
    fail $MIG_ERR_OVZ_NOT_RUNNING "rsync is not installed on $DEST"
if [ "$online" = 1 ]; then
    command -v criu >/dev/null || fail $MIG_ERR_OVZ_NOT_RUNNING "criu is not installed here"
    remote_sh 'command -v criu' </dev/null >/dev/null 2>&1 ||
        fail $MIG_ERR_OVZ_NOT_RUNNING "criu is not installed on $DEST"
fi
if [ -d /sys/module/vzkit ]; then
    remote test -d /sys/module/vzkit </dev/null ||
        fail $MIG_ERR_OVZ_NOT_RUNNING "The vzkit module is not loaded on $DEST (modprobe vzkit there)"
fi
read -r _ _ dst_exist _ <<<"$(remote vzctl --quiet status "$CT" </dev/null 2>/dev/null)"
[ "$dst_exist" = deleted ] || [ "$dst_exist" = exist ] ||
    fail $MIG_ERR_CANT_READ_REMOTE_CONFIG "Can't get the status of CT $CT on $DEST"
[ "$dst_exist" = exist ] && fail $MIG_ERR_EXISTS "CT $CT already exists on $DEST"

debug "Reading $DEST's vz.conf"
# shellcheck disable=SC2016 # expanded by the remote shell
remote_conf=$(remote_sh '
    confdir=${VZ_CONFDIR:-/etc/vz}
    [ -r "$confdir/vz.conf" ] || exit 1
    echo "CONFDIR=$confdir"
    for key in VE_PRIVATE VE_ROOT DUMPDIR; do
        printf "%s=" "$key"; awk -v key="$key" -v veid="$1" "$2" "$confdir/vz.conf"
    done' "$CT" "$CONF_AWK" </dev/null) ||
    fail $MIG_ERR_CANT_READ_REMOTE_CONFIG "Can't read vzkit's vz.conf on $DEST"
while IFS='=' read -r key value; do
    case $key in
    CONFDIR) R_CONFDIR=$value ;;
    VE_PRIVATE) R_PRIVATE=$value ;;
    VE_ROOT) R_ROOT=$value ;;
    DUMPDIR) R_DUMPDIR=${value:-/vz/dump} ;;
    esac
done <<<"$remote_conf"
for value in "$R_CONFDIR" "$R_PRIVATE" "$R_ROOT" "${R_DUMPDIR:-}"; do
    case $value in /*) ;; *) fail $MIG_ERR_CANT_READ_REMOTE_CONFIG "No VE_PRIVATE, VE_ROOT or DUMPDIR in $DEST's vz.conf" ;; esac
done
[ "$R_PRIVATE" != "$PRIVATE" ] && log "Remote private area: $R_PRIVATE"
# status says "deleted" for a config without its private area: never overwrite it.
# shellcheck disable=SC2016 # expanded by the remote shell
remote_sh '[ ! -e "$1" ] && [ ! -L "$1" ]' "$R_CONFDIR/conf/$CT.conf" </dev/null ||
    fail $MIG_ERR_EXISTS "$R_CONFDIR/conf/$CT.conf already exists on $DEST"
# A private area there that no config owns: left by a failed run with
# --keep-dst, which reuses it (rsync makes it the source's); never a symlink.
# shellcheck disable=SC2016 # expanded by the remote shell
remote_sh '[ ! -L "$1" ] && { [ ! -e "$1" ] || { [ "$2" = 1 ] && [ -d "$1" ]; }; }' "$R_PRIVATE" "$keep_dst" \
    </dev/null || fail $MIG_ERR_EXISTS "$R_PRIVATE already exists on $DEST (--keep-dst reuses a directory)"

if [ -n "${IPS// /}" ] && [ "$IPS" != "-" ]; then
    debug "Checking the addresses on $DEST: $IPS"
    used=$(remote vzlist -a -H -o ip </dev/null 2>/dev/null | tr ' ' '\n')
    for ip in $IPS; do
        grep -qxF -- "${ip%%/*}" <<<"$used" && fail $MIG_ERR_IP_IN_USE "IP address $ip is already in use on $DEST"
    done
fi

# (An lvm container's space is checked in DEST's thin pool as its volume is made.)
if [ "$LAYOUT" = simfs ]; then
    need_kb=$(du -skx "$PRIVATE" 2>/dev/null | cut -f1)
    # shellcheck disable=SC2016 # expanded by the remote shell
    free_kb=$(remote_sh 'd=$1; while [ ! -d "$d" ]; do d=$(dirname "$d"); done; df -Pk "$d" | awk "NR == 2 { print \$4 }"' \
        "$R_PRIVATE" </dev/null)
    case $free_kb in '' | *[!0-9]*) fail $MIG_ERR_COPY "Can't get the free space on $DEST" ;; esac
    # A tenth more (and 1 MiB) for directories and what the container writes meanwhile.
    [ "$free_kb" -ge $((need_kb + need_kb / 10 + 1024)) ] ||
        fail $MIG_ERR_COPY "Not enough space on $DEST: ${need_kb} KiB needed, ${free_kb} KiB free below $(dirname "$R_PRIVATE")"
fi

# --- the config and the empty private area at DEST ------------------------------------
log "Preparing remote node"
dst_touched=1
remote mkdir -p "$R_CONFDIR/conf" "$(dirname "$R_PRIVATE")" </dev/null ||
    fail $MIG_ERR_COPY "Can't make $R_CONFDIR/conf on $DEST"
scripts=()
for sfx in start stop mount umount premount postumount; do
    [ -f "$CONFDIR/conf/$CT.$sfx" ] && scripts+=("$CONFDIR/conf/$CT.$sfx")
done
"${RSYNC[@]}" --no-D -- "$CTCONF" "${scripts[@]}" "root@$RHOST:$R_CONFDIR/conf/" </dev/null ||
    fail $MIG_ERR_COPY "Failed to copy the config file"
remote vzctl --quiet set "$CT" --private "$R_PRIVATE" --root "$R_ROOT" --save </dev/null ||
    fail $MIG_ERR_COPY "Failed to set the private area and root on $DEST"
if [ -n "$NAME" ]; then
    remote vzctl --quiet set "$CT" --applyconfig_map name --save </dev/null ||
        fail $MIG_ERR_COPY "Failed to register the name $NAME on $DEST"
fi
if [ "$LAYOUT" = lvm ]; then
    debug "Making a volume of $L_SIZE bytes on $DEST ($L_USED used here)"
    out=$(remote vzctl --quiet volume "$CT" --create "$L_SIZE" --used "$L_USED" </dev/null 2>"$MUX_DIR/err")
    read -r R_DEV _ <<<"$out"
    case $R_DEV in
    /dev/*) ;;
    *) fail $MIG_ERR_COPY "Failed to make CT $CT's volume on $DEST: $(tail -n 1 "$MUX_DIR/err")" ;;
    esac
fi

# sync_private [RSYNC-OPTION...]: the private area to DEST. rsync copies a
# symlink as a symlink and never follows one, on either side (no -L, -K);
# 24 (files vanished while the container runs) is expected while it runs.
sync_private() {
    "${RSYNC[@]}" --delete "$@" -- "$PRIVATE/" "root@$RHOST:$R_PRIVATE/" </dev/null
    local rc=$?
    [ "$rc" = 0 ] || { [ "$rc" = 24 ] && [ "$src_changed" = "" ]; }
}

# sync_volume: an lvm container's volume to DEST's, device to device. rsync's
# delta transfer sends only the blocks that differ there, and writes only
# those (--inplace): the source's unused blocks match the new thin volume's
# zeros and take nothing from DEST's pool; a second pass after the checkpoint
# sends what the container changed during the first. --ignore-times: rsync's
# quick check (same size and time) would skip a device whose contents differ.
# shellcheck disable=SC2206
RSYNC_DEV=(rsync --copy-devices --write-devices --inplace --no-whole-file --ignore-times --timeout=300
    -e "$RSH" $rsync_extra)
sync_volume() {
    [ "$verbose" -gt 0 ] || { "${RSYNC_DEV[@]}" -- "$L_DEV" "root@$RHOST:$R_DEV" </dev/null; return; }
    # -v: how much was sent and how much matched what DEST had.
    "${RSYNC_DEV[@]}" --stats -- "$L_DEV" "root@$RHOST:$R_DEV" </dev/null |
        sed -n 's/^\(Literal\|Matched\) data: /   \1 data: /p'
    return "${PIPESTATUS[0]}"
}
# copy_area [RSYNC-OPTION...]: what makes the container's files at DEST.
copy_area() {
    if [ "$LAYOUT" = lvm ]; then sync_volume; else sync_private "$@"; fi
}

if [ "$online" = 0 ]; then
    # --- offline: stop, copy, start there ---------------------------------------------
    if [ "$state" = running ]; then
        log "Stopping container"
        "${VZCTL[@]}" stop "$CT" </dev/null || fail $MIG_ERR_STOP_SOURCE "Failed to stop the container"
        src_changed=stopped
    elif [ "$mounted" = mounted ]; then
        log "Unmounting container"
        "${VZCTL[@]}" umount "$CT" </dev/null || fail $MIG_ERR_STOP_SOURCE "Failed to unmount the container"
        src_changed=umounted
    fi
    log "Syncing private"
    copy_area --sparse || fail $MIG_ERR_COPY "Failed to sync the container's private area"
    dst_may_run=1
    if [ "$state" = running ]; then
        log "Starting container"
        remote vzctl --quiet start "$CT" </dev/null || fail $MIG_ERR_START_VPS "Failed to start the container on $DEST"
    elif [ "$mounted" = mounted ]; then
        log "Mounting container"
        remote vzctl --quiet mount "$CT" </dev/null || fail $MIG_ERR_START_VPS "Failed to mount the container on $DEST"
    fi
else
    # --- online: copy while it runs, checkpoint, copy what changed and the dump, restore --
    log "Syncing private (while the container runs)"
    t=$(now)
    copy_area --sparse || fail $MIG_ERR_COPY "Failed to sync the container's private area"
    debug "first pass: $(seconds_since "$t") s"
    [ -e "$L_DUMP" ] && fail $MIG_ERR_STOP_SOURCE "$L_DUMP exists: a checkpoint of CT $CT is in the way"
    log "Live migrating container..."
    t_suspend=$(now)
    # One chkpnt: freeze, dump, kill. The container is then down here with its
    # dump (status "suspended"), never running on two hosts at once; until
    # DEST runs it, "vzctl restore" here brings it back. A failed chkpnt leaves
    # it running here (docs/checkpoint.md).
    "${VZCTL[@]}" chkpnt "$CT" --dumpfile "$L_DUMP" </dev/null ||
        fail $MIG_ERR_STOP_SOURCE "Failed to checkpoint the container"
    src_changed=dumped
    t_dumped=$(now)
    debug "Syncing private (2nd pass)"
    # --checksum: a file the first pass read while the container ran may hold
    # what the container swapped in under it; this pass, with the container
    # gone, compares contents, not sizes and times (docs/checkpoint.md).
    copy_area --checksum || fail $MIG_ERR_COPY "Failed to sync the container's private area"
    t_synced=$(now)
    debug "Copying the dump"
    R_DUMP=$R_DUMPDIR/Dump.$CT
    # shellcheck disable=SC2016 # expanded by the remote shell
    remote_sh 'mkdir -p "$1" && [ ! -e "$2" ]' "$R_DUMPDIR" "$R_DUMP" </dev/null ||
        { R_DUMP=""; fail $MIG_ERR_COPY "$R_DUMPDIR/Dump.$CT exists on $DEST, or $R_DUMPDIR cannot be made"; }
    "${RSYNC[@]}" -- "$L_DUMP/" "root@$RHOST:$R_DUMP/" </dev/null || fail $MIG_ERR_COPY "Failed to copy the dump"
    t_copied=$(now)
    debug "Restoring the container on $DEST"
    dst_may_run=1
    remote vzctl --quiet restore "$CT" --dumpfile "$R_DUMP" </dev/null ||
        fail $MIG_ERR_START_VPS "Failed to restore the container on $DEST"
    R_DUMP="" # restore removed it
    freeze=$(seconds_since "$t_suspend")
    if [ "$verbose" -gt 0 ]; then
        printf '  %20s: %6.2f\n' "Checkpoint" "$(awk -v a="$t_suspend" -v b="$t_dumped" 'BEGIN { print b - a }')" \
            "Second rsync" "$(awk -v a="$t_dumped" -v b="$t_synced" 'BEGIN { print b - a }')" \
            "Copy dump" "$(awk -v a="$t_synced" -v b="$t_copied" 'BEGIN { print b - a }')" \
            "Restore" "$(awk -v a="$t_copied" -v b="$(now)" 'BEGIN { print b - a }')"
    fi
    log "Freeze time: $freeze s (checkpoint here to running on $DEST)"
fi

# --- done at DEST: the source goes ----------------------------------------------------
trap - INT TERM HUP
dst_touched=0
log "Cleaning up"
[ "$src_changed" = dumped ] && rm -rf -- "$L_DUMP"
src_changed=""
if [ "$remove_area" = 1 ]; then
    debug "Destroying container"
    "${VZCTL[@]}" destroy "$CT" </dev/null || error "Failed to destroy CT $CT here (vzctl destroy $CT)"
else
    # As OpenVZ: the private area stays, the config moves aside, so that
    # the container exists on one host only and can be migrated back by hand.
    mv -f -- "$CTCONF" "$CTCONF.migrated"
fi
unlock_ct
exit 0
