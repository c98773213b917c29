#!/bin/bash
# vz.service's logic (etc/systemd/vz-service.sh, docs/packaging.md) with real
# containers: ONBOOT ones start in vzlist -s-bootorder order, VE_PARALLEL at a
# time; one that fails is logged and the others start; reload starts only the
# new ONBOOT ones; stop stops every running one, lowest BOOTORDER first,
# remembers them, and the next start brings back those not ONBOOT=no.
# A vzctl shim in PATH logs when each start/stop begins and ends (and holds
# each for 0.5 s so that parallel ones overlap) before running the real one.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
SERVICE="$VZKIT_SRC/etc/systemd/vz-service.sh"
A=2301 B=2302 C=2303 D=2304 E=2305 F=2306
for ct in $A $B $C $D $E $F; do it_ct "$ct"; done

SHIM="$IT_ROOT/shim"
EVENTS="$IT_ROOT/events"
mkdir -p "$SHIM"
ln -s "$VZLIST" "$SHIM/vzlist"
cat > "$SHIM/vzctl" <<EOF
#!/bin/sh
case \$1 in
  start | stop | resume | chkpnt)
    echo "begin \$1 \$2" >> "$EVENTS"; sleep 0.5
    "$VZCTL" "\$@"; rc=\$?
    echo "end \$1 \$2" >> "$EVENTS"; exit \$rc ;;
esac
exec "$VZCTL" "\$@"
EOF
chmod +x "$SHIM/vzctl"
export VZ_SERVICE_STATE="$IT_ROOT/state/running"

# service ACTION: runs the script as vz.service does, its log in $LOG.
service() {
    : > "$EVENTS"
    LOG=$(PATH="$SHIM:$PATH" bash "$SERVICE" "$1" 2>&1)
    SRC=$?
}
# began ACTION: the CTIDs whose ACTION began, in order, on one line.
began() { awk -v a="$1" '$1 == "begin" && $2 == a { print $3 }' "$EVENTS" | tr '\n' ' ' | sed 's/ $//'; }
# most_at_once: the largest number of commands running at the same time.
most_at_once() {
    awk '$1 == "begin" { n++; if (n > m) m = n } $1 == "end" { n-- } END { print m + 0 }' "$EVENTS"
}
running() { ct_status_matches "$1" -q running; }
set_conf() { sed -i "/^$1=/d" "$VZ_CONFDIR/vz.conf"; echo "$1=$2" >> "$VZ_CONFDIR/vz.conf"; }

for ct in $A $B $C $D $E $F; do
    expect_rc 0 "create $ct" -- "$VZCTL" --quiet create "$ct" --ostemplate busybox-minimal
done
"$VZCTL" --quiet set $A --onboot yes --bootorder 30 --save
"$VZCTL" --quiet set $B --onboot yes --bootorder 20 --save
"$VZCTL" --quiet set $C --onboot yes --bootorder 25 --save
"$VZCTL" --quiet set $D --onboot no --bootorder 40 --save
"$VZCTL" --quiet set $E --bootorder 10 --save
# F has no ONBOOT at all (create writes ONBOOT="no").
sed -i '/^ONBOOT=/d' "$VZ_CONFDIR/conf/$F.conf"
# C cannot start: its root's mount point is a file. (Without its private
# area it would not be listed at all, as in OpenVZ.)
rm -rf "${IT_ROOT:?}/vz/root/$C" && touch "$IT_ROOT/vz/root/$C"

# Boot, one at a time: the highest BOOTORDER first; C fails, B still starts.
set_conf VE_PARALLEL 1
service start
assert_eq "$SRC" 0 "start: the service succeeds although a CT failed"
assert_eq "$(began start)" "$A $C $B" "start: ONBOOT CTs in BOOTORDER, highest first"
assert_eq "$(most_at_once)" 1 "start: VE_PARALLEL=1 starts one at a time"
assert_true "start: $A runs" -- running $A
assert_true "start: $B runs after $C failed" -- running $B
assert_contains "$LOG" "CT $C: start failed (exit " "start: the failure is logged with vzctl's exit code"
for ct in $D $E $F; do assert_false "start: $ct (not ONBOOT=yes) stays down" -- running "$ct"; done

# Reload: E became ONBOOT; A and B run and are left alone.
"$VZCTL" --quiet set $E --onboot yes --save
service reload
assert_eq "$SRC" 0 "reload succeeds"
assert_eq "$(began start)" "$C $E" "reload: only the ONBOOT CTs not running are started"
assert_true "reload: $E runs" -- running $E

# Stop, with D (ONBOOT=no) and F (ONBOOT unset) started by hand.
expect_rc 0 "start $D by hand" -- "$VZCTL" --quiet start $D
expect_rc 0 "start $F by hand" -- "$VZCTL" --quiet start $F
service stop
assert_eq "$SRC" 0 "stop succeeds"
# Unset BOOTORDER (F) sorts first, then ascending: the reverse of the boot.
assert_eq "$(began stop)" "$F $E $B $A $D" "stop: lowest BOOTORDER first"
for ct in $A $B $D $E $F; do assert_false "stop: $ct is down" -- running "$ct"; done
assert_eq "$(sort "$VZ_SERVICE_STATE" | tr '\n' ' ')" "$(printf '%s\n' $A $B $D $E $F | sort | tr '\n' ' ')" \
    "stop: the running CTs are remembered"

# Next boot: the ONBOOT ones, and F, which ran at the stop and is not
# ONBOOT=no; D is ONBOOT=no and stays down. Two at a time: the first two
# begin together (in either order), the third only once one has ended.
set_conf VE_PARALLEL 2
service start
assert_eq "$(began start | tr ' ' '\n' | sort | tr '\n' ' ')" "$(printf '%s\n' $A $B $C $E $F | sort | tr '\n' ' ')" \
    "boot after stop: the ONBOOT CTs and F"
assert_eq "$(began start | cut -d' ' -f1-2 | tr ' ' '\n' | sort | tr '\n' ' ')" "$A $C " \
    "boot after stop: the two highest BOOTORDERs first"
assert_eq "$(most_at_once)" 2 "boot after stop: VE_PARALLEL=2 starts two at a time"
for ct in $A $B $E $F; do assert_true "boot after stop: $ct runs" -- running "$ct"; done
assert_false "boot after stop: $D (ONBOOT=no) stays down" -- running $D
assert_false "boot after stop: the list of the last stop is used once" -- test -e "$VZ_SERVICE_STATE"
