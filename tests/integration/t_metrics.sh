#!/usr/bin/env bash
# vzkit-metrics (docs/metrics.md) against a running container doing work and a
# stopped one: the file passes `promtool check metrics`; its figures agree with
# vzlist -o and with the cgroup's and the host end's own files; node
# exporter's textfile collector, started here on a loopback port over a
# directory of the test's, serves the vzkit_ series; and a hostname a
# customer chose with quotes, backslashes, braces and bytes that are not
# UTF-8 stays inside its label (one sample per CT, the file still parses).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
RUN=2410
STOP=2411
METRICS="$VZKIT_BUILD/bin/vzkit-metrics"
PROMTOOL=$(command -v promtool) || { echo "FAIL: no promtool (scripts/install-deps.sh)"; exit 1; }
EXPORTER=$(command -v prometheus-node-exporter) ||
    { echo "FAIL: no prometheus-node-exporter (scripts/install-deps.sh)"; exit 1; }
TEXTDIR="$IT_ROOT/textfile"
PROM="$TEXTDIR/vzkit.prom"
mkdir -p "$TEXTDIR"
# Never a proxy entry on the host's real interfaces.
sed -i 's/^NEIGHBOUR_DEVS=.*/NEIGHBOUR_DEVS="list:"/' "$VZ_CONFDIR/vz.conf"
EXPORTER_PID=""
stop_exporter() { [ -n "$EXPORTER_PID" ] && kill "$EXPORTER_PID" 2>/dev/null && wait "$EXPORTER_PID" 2>/dev/null; }
trap 'stop_exporter; it_teardown' EXIT

it_ct $RUN
it_ct $STOP
# $'\xff' and $'\xc3(' are not UTF-8; the rest tries to close the label and add a sample.
EVIL=$'evil"} 1 \\x\xff{ctid="9"}\xc3(ok'
expect_rc 0 "create $RUN" -- "$VZCTL" create $RUN --ostemplate busybox-minimal \
    --hostname ct$RUN.example.test --name metrics$RUN --ipadd 198.51.100.41
expect_rc 0 "disk limits for $RUN" -- "$VZCTL" set $RUN --diskspace 1G:2G --diskinodes 10000:20000 --save
expect_rc 0 "create $STOP with a hostile hostname" -- "$VZCTL" create $STOP \
    --ostemplate busybox-minimal --hostname "$EVIL"
expect_rc 0 "start $RUN" -- "$VZCTL" start $RUN
wait_running $RUN || fail "CT $RUN did not come up"
# Work, from a vzctl exec2 left running (stopped with the CT): 8 MiB held in a
# shell variable (memory), then a busy loop (CPU time).
# shellcheck disable=SC2016 # expanded by the container's shell
"$VZCTL" exec2 $RUN 'x=$(head -c 8388608 /dev/zero | tr "\0" a); while :; do :; done' >/dev/null 2>&1 &
MEMFILE="$(ct_cgroup $RUN memory)/memory.usage_in_bytes"
cgroup_v2 && MEMFILE="$(ct_cgroup $RUN memory)/memory.current"
over_8m() { [ "$(cat "$MEMFILE")" -gt 8388608 ]; }
assert_true "the work holds more than 8 MiB" -- wait_until 10 over_8m
assert_true "traffic: the host pings $RUN" -- busybox ping -c 3 -W 2 198.51.100.41
sleep 1

# metric NAME LABELS: the value of the sample NAME{LABELS} in $PROM.
metric() {
    local want=$1
    [ -n "$2" ] && want="$1{$2}"
    awk -v want="$want" '$1 == want { print $2 }' "$PROM"
}

CPUACCT="$(ct_cgroup $RUN cpuacct)/cpuacct.usage"
cgroup_v2 && CPUACCT="$(ct_cgroup $RUN cpu)/cpu.stat"
cpu_seconds() {
    if cgroup_v2; then awk '$1 == "usage_usec" { printf "%.6f\n", $2 / 1e6 }' "$CPUACCT"
    else awk '{ printf "%.9f\n", $1 / 1e9 }' "$CPUACCT"; fi
}
busy() { awk -v s="$(cpu_seconds)" 'BEGIN { exit !(s > 0.5) }'; }
assert_true "the busy loop used half a second of CPU" -- wait_until 10 busy
# venet0's host end, turned round; read on both sides of the scrape, as the
# CPU time: a booting CT still sends packets of its own meanwhile.
HOST_END=/sys/class/net/venet0.$RUN/statistics
host_end() { cat "$HOST_END/$1"; }
NET_BEFORE=$(host_end tx_bytes) NET_RX_BEFORE=$(host_end rx_bytes) NET_PK_BEFORE=$(host_end tx_packets)
CPU_BEFORE=$(cpu_seconds)
START=$(date +%s.%N)
expect_rc 0 "vzkit-metrics writes the file" -- "$METRICS" -o "$PROM"
END=$(date +%s.%N)
CPU_AFTER=$(cpu_seconds)
NET_AFTER=$(host_end tx_bytes) NET_RX_AFTER=$(host_end rx_bytes) NET_PK_AFTER=$(host_end tx_packets)
echo "  vzkit-metrics took $(awk -v a="$START" -v b="$END" 'BEGIN { printf "%.3f", b - a }') s"
assert_eq "$OUT" "" "it prints nothing"
assert_eq "$(stat -c %a "$PROM")" "644" "the file is 0644"
assert_eq "$(find "$TEXTDIR" -name '.*' | wc -l)" "0" "no temporary file is left"
expect_rc 0 "promtool check metrics: the file is clean" -- sh -c "\"$PROMTOOL\" check metrics < \"$PROM\""
assert_eq "$OUT" "" "promtool has no remark"
expect_rc 0 "vzkit-metrics -o - prints the same families" -- "$METRICS" -o -
assert_eq "$(grep -c '^# TYPE' <<< "$OUT")" "$(grep -c '^# TYPE' "$PROM")" "-o - writes the same families"

# State.
assert_eq "$(metric vzkit_ct_up "ctid=\"$RUN\"")" "1" "vzkit_ct_up of the running CT"
assert_eq "$(metric vzkit_ct_up "ctid=\"$STOP\"")" "0" "vzkit_ct_up of the stopped CT"
assert_eq "$(metric vzkit_ct_status "ctid=\"$RUN\",status=\"running\"")" "1" "status running"
assert_eq "$(metric vzkit_ct_status "ctid=\"$STOP\",status=\"stopped\"")" "1" "status stopped"
assert_eq "$(metric vzkit_ct_status "ctid=\"$STOP\",status=\"running\"")" "0" "not running"
MODULE=0; [ -e /proc/bc ] && MODULE=1
assert_eq "$(metric vzkit_module_loaded "")" "$MODULE" "vzkit_module_loaded says whether /proc/bc exists"
assert_contains "$(grep '^vzkit_ct_info{' "$PROM")" \
    "vzkit_ct_info{ctid=\"$RUN\",name=\"metrics$RUN\",hostname=\"ct$RUN.example.test\",ostemplate=\"busybox-minimal\",layout=\"simfs\"} 1" \
    "vzkit_ct_info names the CT"

# Agreement with vzlist -o (the same library; read right after the file).
vzlist_field() { "$VZLIST" -H -a -o "$2" "$1" 2>/dev/null | awk '{ print $1 }'; }
for f in numproc.b numproc.l physpages.b physpages.l kmemsize.b numfile.l; do
    res=${f%.*}
    case ${f#*.} in b) fam=vzkit_ubc_barrier ;; l) fam=vzkit_ubc_limit ;; esac
    assert_eq "$(metric "$fam" "ctid=\"$RUN\",resource=\"$res\"")" "$(vzlist_field $RUN $f)" \
        "$fam{resource=$res} = vzlist -o $f"
    assert_eq "$(metric "$fam" "ctid=\"$STOP\",resource=\"$res\"")" "$(vzlist_field $STOP $f)" \
        "$fam{resource=$res} of the stopped CT = vzlist -o $f"
done
assert_eq "$(metric vzkit_ct_processes "ctid=\"$RUN\"")" "$(vzlist_field $RUN numproc)" \
    "vzkit_ct_processes = vzlist -o numproc"
assert_eq "$(metric vzkit_ubc_held "ctid=\"$RUN\",resource=\"numproc\"")" "$(vzlist_field $RUN numproc)" \
    "vzkit_ubc_held{numproc} = vzlist -o numproc"
assert_eq "$(metric vzkit_ct_processes "ctid=\"$RUN\"")" \
    "$(wc -l < "$(ct_cgroup $RUN pids)/cgroup.procs")" "vzkit_ct_processes = lines of cgroup.procs"
assert_eq "$(metric vzkit_ubc_failcnt_total "ctid=\"$RUN\",resource=\"numproc\"")" \
    "$(vzlist_field $RUN numproc.f)" "vzkit_ubc_failcnt_total{numproc} = vzlist -o numproc.f"
assert_eq "$(metric vzkit_ct_processes "ctid=\"$STOP\"")" "" "no process count for the stopped CT"
assert_eq "$(metric vzkit_ct_cpu_seconds_total "ctid=\"$STOP\"")" "" "no CPU time for the stopped CT"
SWAP=$(vzlist_field $RUN swappages)
if [ "$SWAP" = "-" ]; then
    assert_eq "$(metric vzkit_ct_swap_bytes "ctid=\"$RUN\"")" "" "no swap figure where vzlist has none"
else
    assert_eq "$(metric vzkit_ct_swap_bytes "ctid=\"$RUN\"")" "$((SWAP * 4096))" \
        "vzkit_ct_swap_bytes = vzlist -o swappages pages"
fi
# Disk: the limits from the config as vzlist shows them (KB); this host has no
# quota, so no usage (tests/vm/t_quota.sh has one).
assert_eq "$(metric vzkit_ct_disk_space_soft_limit_bytes "ctid=\"$RUN\"")" \
    "$(($(vzlist_field $RUN diskspace.s) * 1024))" "disk space soft limit = vzlist -o diskspace.s"
assert_eq "$(metric vzkit_ct_disk_space_hard_limit_bytes "ctid=\"$RUN\"")" \
    "$(($(vzlist_field $RUN diskspace.h) * 1024))" "disk space hard limit = vzlist -o diskspace.h"
assert_eq "$(metric vzkit_ct_disk_inodes_hard_limit "ctid=\"$RUN\"")" \
    "$(vzlist_field $RUN diskinodes.h)" "inode hard limit = vzlist -o diskinodes.h"

# Agreement with the cgroup and /proc.
CPU=$(metric vzkit_ct_cpu_seconds_total "ctid=\"$RUN\"")
assert_true "CPU seconds ($CPU) lie between the cgroup's before ($CPU_BEFORE) and after ($CPU_AFTER)" -- \
    awk -v a="$CPU_BEFORE" -v m="$CPU" -v b="$CPU_AFTER" 'BEGIN { exit !(a <= m && m <= b && m > 0.2) }'
MEM=$(metric vzkit_ct_memory_bytes "ctid=\"$RUN\"")
MEM_NOW=$(cat "$MEMFILE")
assert_true "memory bytes ($MEM) within 1 MiB of $MEMFILE ($MEM_NOW) and above the 8 MiB held" -- \
    awk -v m="$MEM" -v f="$MEM_NOW" 'BEGIN { d = m - f; if (d < 0) d = -d; exit !(d < 1048576 && m > 8388608) }'
HOST_UP=$(cut -d' ' -f1 /proc/uptime)
# The CT's init: the process of its group that is pid 1 of its namespace.
INIT=$(while read -r p; do
    [ "$(awk '/^NSpid/ { print $NF }' /proc/"$p"/status 2>/dev/null)" = 1 ] && echo "$p"
done < "$(ct_cgroup $RUN pids)/cgroup.procs")
STARTED=$(awk -v t="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print $20 / t }' /proc/"$INIT"/stat)
UPTIME=$(metric vzkit_ct_uptime_seconds "ctid=\"$RUN\"")
assert_true "uptime ($UPTIME s) = host uptime less init's start ($HOST_UP - $STARTED), within 3 s" -- \
    awk -v u="$UPTIME" -v h="$HOST_UP" -v s="$STARTED" 'BEGIN { d = (h - s) - u; exit !(d >= 0 && d < 3) }'

# Network: venet0's host end, turned round, between its two readings.
between() { awk -v a="$1" -v m="$2" -v b="$3" 'BEGIN { exit !(a <= m && m <= b) }'; }
RX=$(metric vzkit_ct_network_receive_bytes_total "ctid=\"$RUN\",interface=\"venet0\"")
TX=$(metric vzkit_ct_network_transmit_bytes_total "ctid=\"$RUN\",interface=\"venet0\"")
assert_true "CT's received bytes ($RX) = host end's tx_bytes ($NET_BEFORE..$NET_AFTER)" -- \
    between "$NET_BEFORE" "$RX" "$NET_AFTER"
assert_true "CT's sent bytes ($TX) = host end's rx_bytes ($NET_RX_BEFORE..$NET_RX_AFTER)" -- \
    between "$NET_RX_BEFORE" "$TX" "$NET_RX_AFTER"
assert_true "the 3 pings are counted both ways ($RX, $TX)" -- \
    awk -v r="$RX" -v t="$TX" 'BEGIN { exit !(r >= 252 && t >= 252) }'
assert_true "received packets = host end's tx_packets" -- between "$NET_PK_BEFORE" \
    "$(metric vzkit_ct_network_receive_packets_total "ctid=\"$RUN\",interface=\"venet0\"")" "$NET_PK_AFTER"

# The hostile hostname: one sample per CT, and the value read back is the one
# set, escaped, with U+FFFD for each byte that is not UTF-8.
assert_eq "$(grep -c '^vzkit_ct_up{' "$PROM")" "2" "two vzkit_ct_up samples: the hostname added none"
assert_eq "$(grep -c '^vzkit_ct_info{' "$PROM")" "2" "two vzkit_ct_info lines"
WANT='hostname="evil\"} 1 \\x'$'\xef\xbf\xbd''{ctid=\"9\"}'$'\xef\xbf\xbd''(ok"'
assert_contains "$(grep "^vzkit_ct_info{ctid=\"$STOP\"" "$PROM")" "$WANT" "the hostname is escaped in its label"
assert_not_contains "$(cat "$PROM")" 'ctid="9"' "no sample names the CTID the hostname made up"

# Container root names itself (its UTS hostname, /etc/hostname) and its
# processes: none of it reaches the file, which still parses.
# shellcheck disable=SC2016 # expanded by the container's shell
expect_rc 0 "container root sets a hostile hostname inside" -- "$VZCTL" exec2 $RUN \
    'h="pwn\"} 1
vzkit_ct_up{ctid=\"7\"} 1"; hostname "$h"; printf "%s\n" "$h" > /etc/hostname; cp /bin/busybox "/tmp/$h"'
expect_rc 0 "vzkit-metrics after that" -- "$METRICS" -o "$PROM"
expect_rc 0 "the file is still clean for promtool" -- sh -c "\"$PROMTOOL\" check metrics < \"$PROM\""
assert_not_contains "$(cat "$PROM")" "pwn" "nothing the container named itself is in the file"
assert_eq "$(grep -c '^vzkit_ct_up{' "$PROM")" "2" "still one vzkit_ct_up per CT"

# The example dashboard's queries parse: promtool checks them as recording
# rules, Grafana's variables replaced by values.
python3 - "$VZKIT_SRC/metrics/grafana/vzkit.json" > "$IT_ROOT/dashboard-rules.yml" <<'PY'
import json, sys
exprs = []
def walk(node):
    if isinstance(node, dict):
        if isinstance(node.get("expr"), str):
            exprs.append(node["expr"])
        for value in node.values():
            walk(value)
    elif isinstance(node, list):
        for value in node:
            walk(value)
walk(json.load(open(sys.argv[1])))
print("groups:\n- name: dashboard\n  rules:")
for i, e in enumerate(exprs):
    e = e.replace("$__rate_interval", "1m").replace("$instance", ".*").replace("$ctid", ".*")
    print(f"  - record: vzkit_dashboard_{i}\n    expr: {json.dumps(e)}")
PY
assert_true "the dashboard has queries" -- grep -q 'expr:' "$IT_ROOT/dashboard-rules.yml"
expect_rc 0 "promtool check rules: every query of the dashboard parses" -- \
    "$PROMTOOL" check rules "$IT_ROOT/dashboard-rules.yml"

# Node exporter's textfile collector on a loopback port, over the test's directory.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$EXPORTER" --web.listen-address="127.0.0.1:$PORT" --collector.disable-defaults \
    --collector.textfile --collector.textfile.directory="$TEXTDIR" >"$IT_ROOT/exporter.log" 2>&1 &
EXPORTER_PID=$!
scrape() { curl -fsS "http://127.0.0.1:$PORT/metrics" > "$IT_ROOT/scrape"; }
wait_until 10 scrape || fail "node exporter did not answer on 127.0.0.1:$PORT: $(cat "$IT_ROOT/exporter.log")"
SCRAPED=$(cat "$IT_ROOT/scrape")
assert_contains "$SCRAPED" "node_textfile_scrape_error 0" "node exporter read the file without error"
assert_contains "$SCRAPED" "vzkit_ct_up{ctid=\"$RUN\"} 1" "node exporter serves vzkit_ct_up of $RUN"
assert_contains "$SCRAPED" "vzkit_ubc_barrier{ctid=\"$RUN\",resource=\"numproc\"}" \
    "node exporter serves the beancounters"
assert_contains "$SCRAPED" "vzkit_ct_network_receive_bytes_total{ctid=\"$RUN\",interface=\"venet0\"}" \
    "node exporter serves the traffic"
assert_contains "$SCRAPED" "$WANT" "node exporter serves the hostile hostname, escaped, in its label"
assert_eq "$(grep -c '^vzkit_ct_up{' <<< "$SCRAPED")" "2" "node exporter has one vzkit_ct_up per CT"
# A second run replaces the file under the running collector.
expect_rc 0 "vzkit-metrics again, over the file node exporter reads" -- "$METRICS" -o "$PROM"
wait_until 5 scrape
assert_contains "$(cat "$IT_ROOT/scrape")" "node_textfile_scrape_error 0" "still no error after the rename"
stop_exporter
EXPORTER_PID=""
