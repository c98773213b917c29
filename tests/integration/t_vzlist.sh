#!/bin/bash
# vzlist against a running and a stopped container: which CTs each mode lists,
# OpenVZ's exact columns, -1, sorting, filters, JSON with live figures from the
# cgroup, limits from the config, and the error exits.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
RUN=2201
STOP=2202
it_ct $RUN
it_ct $STOP

expect_rc 0 "create $RUN" -- "$VZCTL" create $RUN --ostemplate busybox-minimal \
    --hostname ct$RUN.example.test --name list$RUN --description "running one"
expect_rc 0 "create $STOP" -- "$VZCTL" create $STOP --ostemplate busybox-minimal \
    --hostname ct$STOP.example.test --ipadd "10.22.0.2 10.22.0.3"
expect_rc 0 "start $RUN" -- "$VZCTL" start $RUN
wait_running $RUN || fail "CT $RUN did not come up"

HEADER='      CTID      NPROC STATUS    IP_ADDR         HOSTNAME'

# Default: running CTs only, OpenVZ's header and widths.
expect_rc 0 "vzlist" -- "$VZLIST"
assert_eq "$(echo "$OUT" | head -n 1)" "$HEADER" "default header line"
assert_eq "$(echo "$OUT" | wc -l)" "2" "default lists only the running CT"
ROW=$(echo "$OUT" | sed -n 2p)
assert_eq "$(echo "$ROW" | awk '{print $1, $3, $4, $5}')" "$RUN running - ct$RUN.example.test" \
    "running CT's row"
assert_eq "${ROW:0:10}" "      $RUN" "CTID right-aligned in 10 columns"

# -a and -S.
expect_rc 0 "vzlist -a" -- "$VZLIST" -a
assert_eq "$(echo "$OUT" | awk 'NR > 1 {print $1 "=" $3}' | tr '\n' ' ')" \
    "$RUN=running $STOP=stopped " "-a lists both with their status"
# Not the last column: only the first address, as OpenVZ shows it.
assert_eq "$(echo "$OUT" | awk -v ct=$STOP '$1 == ct {print $4}')" "10.22.0.2" \
    "ip column shows the first address"
expect_rc 0 "vzlist -S" -- "$VZLIST" -S -H
assert_eq "$(echo "$OUT" | awk '{print $1 "=" $3}')" "$STOP=stopped" "-S lists only the stopped CT"
expect_rc 0 "vzlist -a -o ctid,ip" -- "$VZLIST" -a -H -o ctid,ip
assert_contains "$OUT" "      $STOP 10.22.0.2 10.22.0.3" "last column ip shows every address"

# Exact lines of text columns (%10s, %-32s, last column unpadded).
expect_rc 0 "vzlist -a -H -o text fields" -- "$VZLIST" -a -H -o ctid,hostname,name,description,ostemplate
EXPECT=$(printf '%10s %-32s %-32s %-32s %s\n%10s %-32s %-32s %-32s %s' \
    $RUN ct$RUN.example.test list$RUN "running one" busybox-minimal \
    $STOP ct$STOP.example.test - - busybox-minimal)
assert_eq "$OUT" "$EXPECT" "-H -o ctid,hostname,name,description,ostemplate lines"

# -1, -s, -n, filters, names on the command line.
expect_rc 0 "vzlist -1" -- "$VZLIST" -1
assert_eq "$OUT" "      $RUN" "-1 prints the running CTID only"
expect_rc 0 "vzlist -1 -a -s -ctid" -- "$VZLIST" -1 -a -s -ctid
assert_eq "$(xargs <<< "$OUT")" "$STOP $RUN" "-s -ctid sorts in reverse"
expect_rc 0 "vzlist -1 -a -s hostname" -- "$VZLIST" -1 -a -s hostname
assert_eq "$(xargs <<< "$OUT")" "$RUN $STOP" "-s hostname sorts by hostname"
expect_rc 0 "vzlist -n" -- "$VZLIST" -n -H
assert_eq "$(echo "$OUT" | awk '{print $1}')" "list$RUN" "-n shows the name"
expect_rc 0 "vzlist -a -h" -- "$VZLIST" -1 -a -h "ct$STOP.*"
assert_eq "$OUT" "      $STOP" "-h filters on the hostname"
expect_rc 0 "vzlist -a -d" -- "$VZLIST" -1 -a -d "running*"
assert_eq "$OUT" "      $RUN" "-d filters on the description"
expect_rc 0 "vzlist by name" -- "$VZLIST" -1 list$RUN
assert_eq "$OUT" "      $RUN" "a CT named on the command line"
expect_rc 0 "vzlist stopped CTID" -- "$VZLIST" -1 $STOP
assert_eq "$OUT" "      $STOP" "a stopped CT named on the command line is listed without -a"

# JSON: valid, every field, numproc.held = the processes in the CT's cgroup.
expect_rc 0 "vzlist -j" -- "$VZLIST" -j -a
assert_true "-j output parses as JSON" -- with_input "$OUT" python3 -m json.tool
PROCS="$(ct_cgroup $RUN pids)/cgroup.procs"
HELD=""; WANT=""
held_is_procs() {
    HELD=$("$VZLIST" -j $RUN | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["numproc"]["held"])')
    WANT=$(wc -l < "$PROCS")
    [ "$HELD" = "$WANT" ]
}
wait_until 2 held_is_procs # the CT's own services may still be settling
assert_eq "$HELD" "$WANT" "numproc.held = lines of $PROCS"
JSON_CHECK='
import json, sys
cts = {ct["ctid"]: ct for ct in json.load(sys.stdin)}
run, stop = cts['$RUN'], cts['$STOP']
assert run["status"] == "running" and stop["status"] == "stopped", "status"
assert run["hostname"] == "ct'$RUN'.example.test" and run["name"] == "list'$RUN'", "text"
assert stop["name"] is None and stop["ip"] == ["10.22.0.2", "10.22.0.3"], "null and ip array"
assert run["physpages"]["held"] > 0 and run["physpages"]["limit"] == 65536, "physpages"
assert stop["numproc"]["held"] == 0 and stop["numproc"]["failcnt"] == 0, "0 for a stopped CT, as OpenVZ"
assert run["onboot"] is False and run["cpuunits"] == 1000 and run["cpulimit"] == 0, "types"
assert run["kmemsize"]["barrier"] == 0 and run["kmemsize"]["limit"] == 0, "a UBC the config lacks is 0"
assert run["layout"] == "simfs" and run["origin_sample"] == "vswap-256m", "layout, origin_sample"
assert run["netfilter"] == "stateless" and run["vswap"] is True, "netfilter, vswap"
assert run["cpus"] == 0 and run["ioprio"] == 0 and run["bootorder"] is None, "unset numbers"
print("ok")'
assert_eq "$(echo "$OUT" | python3 -c "$JSON_CHECK" 2>&1)" "ok" "-j fields and types"
expect_rc 0 "vzlist -j -o" -- "$VZLIST" -j -o ctid,numproc $RUN
assert_eq "$(echo "$OUT" | python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)[0]))')" \
    "['ctid', 'numproc']" "-j -o prints only the fields asked for"
expect_rc 1 "-j refuses a suffixed UBC field" -- "$VZLIST" -j -o numproc.l

# Limits come from the config.
expect_rc 0 "set --numproc 100 --save" -- "$VZCTL" set $RUN --numproc 100 --save
expect_rc 0 "vzlist -o numproc.l" -- "$VZLIST" -H -o numproc.b,numproc.l $RUN
assert_eq "$OUT" "       100        100" "numproc barrier and limit from the config"
expect_rc 0 "vzlist -o numproc.l header" -- "$VZLIST" -o numproc.l $RUN
assert_eq "$(echo "$OUT" | head -n 1)" "   NPROC.L" "suffixed header"

# OpenVZ's number formats: unlimited is LONG_MAX, a UBC the config lacks is
# 0, an unset CPU limit is 0 next to a set weight; libvirt's own calls.
expect_rc 0 "set --privvmpages unlimited --save" -- "$VZCTL" set $RUN --privvmpages unlimited --save
expect_rc 0 "vzlist --no-header -oprivvmpages.b,privvmpages.l <name>" -- \
    "$VZLIST" --no-header -oprivvmpages.b,privvmpages.l list$RUN
assert_eq "$OUT" "9223372036854775807 9223372036854775807" "unlimited prints as LONG_MAX"
expect_rc 0 "vzlist -o kmemsize.b,kmemsize.l,cpulimit,cpuunits" -- \
    "$VZLIST" -H -o kmemsize.b,kmemsize.l,cpulimit,cpuunits $STOP
assert_eq "$OUT" "         0          0       0    1000" "absent UBC and unset cpulimit show 0"
expect_rc 0 "vzlist <CT> -ostatus -H" -- "$VZLIST" $RUN -ostatus -H
assert_eq "$OUT" "running" "status alone, no trailing blanks (libvirt compares it)"
expect_rc 0 "vzlist -a -ovpsid,status -H" -- "$VZLIST" -a -ovpsid,status -H
assert_eq "$OUT" "$(printf '%10s running\n%10s stopped' $RUN $STOP)" "libvirt's listing"

# The fields OpenVZ 4.11 lists beyond the first ones, and -L's format.
expect_rc 0 "vzlist -L" -- "$VZLIST" -L
for f in nameserver searchdomain mount_opts origin_sample cpus ioprio iolimit iopslimit bootorder \
    layout features vswap disabled vm_overcommit netfilter capability; do
    assert_contains "$OUT" "$(printf '%-15s ' $f)" "-L lists $f"
done
assert_eq "$(echo "$OUT" | head -n 1)" "$(printf '%-15s %-15s' ctid CTID)" "-L: %-15s %-15s"
expect_rc 0 "set --bootorder/--features/--capability --save" -- "$VZCTL" set $STOP --bootorder 7 \
    --features ppp:on --capability net_admin:on --nameserver 192.0.2.53 --save
expect_rc 0 "vzlist new fields" -- "$VZLIST" -H -o bootorder,features,nameserver,capability $STOP
assert_eq "$OUT" "         7 ppp:on          192.0.2.53      net_admin:on" "new fields' columns"
expect_rc 0 "vzlist header of new fields" -- "$VZLIST" -o layout,vswap,disabled,vm_overcommit $STOP
assert_eq "$(echo "$OUT" | head -n 1)" "LAYOUT VSWAP DISABL VM_OVC" "new fields' headers"

# The init script's idiom: vzlist -aH -octid -s-bootorder, the highest first.
expect_rc 0 "vzlist -aH -octid -s-bootorder" -- "$VZLIST" -aH -octid -s-bootorder
assert_eq "$(xargs <<< "$OUT")" "$STOP $RUN" "-s-bootorder: BOOTORDER 7 before unset"
expect_rc 0 "set --bootorder 9 --save" -- "$VZCTL" set $RUN --bootorder 9 --save
expect_rc 0 "vzlist -aH -octid -s bootorder" -- "$VZLIST" -aH -octid -s bootorder
assert_eq "$(xargs <<< "$OUT")" "$STOP $RUN" "-s bootorder: ascending"
expect_rc 0 "vzlist -aH -octid -s-bootorder again" -- "$VZLIST" -aH -octid -s-bootorder
assert_eq "$(xargs <<< "$OUT")" "$RUN $STOP" "-s-bootorder: 9 before 7"

# Errors.
expect_rc 1 "unknown field" -- "$VZLIST" -o ctid,bogus
assert_contains "$OUT" "Unknown field: bogus" "unknown field message"
expect_rc 1 "unknown CTID" -- "$VZLIST" 2299
assert_contains "$OUT" "Container(s) not found" "unknown CTID message"
expect_rc 1 "bad option" -- "$VZLIST" --bogus
assert_contains "$OUT" "Usage:" "bad option prints the usage"

# No CTs at all: the header only (or [] in JSON), exit 0.
expect_rc 0 "stop $RUN" -- "$VZCTL" stop $RUN
expect_rc 0 "vzlist with nothing running" -- "$VZLIST"
assert_eq "$OUT" "$HEADER" "only the header when nothing runs"
expect_rc 0 "vzlist -j with nothing running" -- "$VZLIST" -j
assert_eq "$OUT" "[]" "empty JSON array when nothing runs"
