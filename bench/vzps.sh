#!/usr/bin/env bash
# bench/vzps.sh: how long vzps takes to list every process of the host, next
# to procps's ps on the same host in the same run.
#
#   bench/vzps.sh [-n N] [-p] [-r RUNS] [-b BUILD]
#
#   -n N      first start N idle processes (sleep), so that the figure is the
#             one of a big host; they are killed at the end
#   -p        start them in a new pid namespace: vzps then does for each the
#             work it does for a container's process (NSpid depth, namespace
#             link); without -p they are host processes
#   -r RUNS   timed runs of each command (default 7); runs are interleaved
#   -b BUILD  the build tree holding bin/vzps (default $VZKIT_BUILD, else build)
#
# Pairs compared (same information asked of both):
#   vzps -e                      vs ps -e                      (pid, tty, time, name; vzps adds CTID, VPID)
#   vzps -e -o pid,ctid          vs ps -e -o pid,cgroup        (which container each process is in)
#   vzps -e -f                   vs ps -e -f                   (full format with command lines)
# Prints the median, min and max wall time of each and the ratio of the
# medians (vzps / ps: below 1 means vzps is faster). Needs root.
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME and awk with a decimal point

N=0
NEW_NS=0
RUNS=7
BUILD=${VZKIT_BUILD:-build}
usage() { sed -n '4,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while getopts "n:pr:b:h" opt; do
  case $opt in
    n) N=$OPTARG ;;
    p) NEW_NS=1 ;;
    r) RUNS=$OPTARG ;;
    b) BUILD=$OPTARG ;;
    *) usage ;;
  esac
done
[[ $N =~ ^[0-9]+$ && $RUNS =~ ^[1-9][0-9]*$ ]] || usage
VZPS=$BUILD/bin/vzps
[ -x "$VZPS" ] || { echo "bench/vzps.sh: no $VZPS (build first, or -b BUILD)" >&2; exit 2; }
command -v ps >/dev/null || { echo "bench/vzps.sh: ps (procps) is missing" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench/vzps.sh: needs root" >&2; exit 2; }

SPAWNER=
PIDFILE=$(mktemp /tmp/vzps-bench.XXXXXX)
cleanup() {
  if [ -n "$SPAWNER" ]; then
    # Every sleeper's pid is listed; the spawner goes last.
    xargs -r kill -KILL < "$PIDFILE" 2>/dev/null || true
    kill -KILL "$SPAWNER" 2>/dev/null || true
    wait "$SPAWNER" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The sleepers: children of one spawner that lists their pids (host view) and
# waits; with -p the spawner is pid 1 of its own namespace (killing it ends them
# all) and lists nothing.
spawn() {
  # shellcheck disable=SC2016 # expanded by the spawner's bash
  local script='for ((i = 0; i < N; i++)); do sleep 100000 & echo $! >> "$F"; done; touch "$R"; wait'
  if [ "$NEW_NS" = 1 ]; then
    N=$N F=/dev/null R=$PIDFILE.ready unshare --pid --fork --kill-child bash -c "$script" 2>/dev/null &
  else
    N=$N F=$PIDFILE R=$PIDFILE.ready bash -c "$script" 2>/dev/null &
  fi
  SPAWNER=$!
  local t0=$SECONDS
  until [ -e "$PIDFILE.ready" ]; do
    sleep 0.2
    kill -0 "$SPAWNER" 2>/dev/null || { echo "bench/vzps.sh: the spawner died" >&2; exit 1; }
  done
  rm -f "$PIDFILE.ready"
  echo "started $N sleepers in $((SECONDS - t0)) s"
}

# One timed run: wall seconds (EPOCHREALTIME: no fork of date(1) inside the timing).
time_once() {
  local t0=$EPOCHREALTIME t1
  "$@" > /dev/null
  t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }'
}
stats() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
  printf "%.4f %.4f %.4f\n", m, v[1], v[NR] }'; }

[ "$N" -gt 0 ] && spawn

NAMES=("ps -e" "vzps -e" "ps -e -o pid,cgroup" "vzps -e -o pid,ctid" "ps -e -f" "vzps -e -f")
CMDS=("ps -e" "$VZPS -e" "ps -e -o pid,cgroup" "$VZPS -e -o pid,ctid" "ps -e -f" "$VZPS -e -f")
TIMES=$(mktemp /tmp/vzps-bench-times.XXXXXX)
trap 'cleanup; rm -f "$TIMES"' EXIT
# Warm-up: both read the same /proc, neither keeps a cache of its own.
for c in "${CMDS[@]}"; do $c > /dev/null; done
for ((r = 0; r < RUNS; r++)); do
  # Interleaved, starting at a different pair each run.
  for ((k = 0; k < ${#CMDS[@]}; k++)); do
    i=$(( (k + 2 * r) % ${#CMDS[@]} ))
    # shellcheck disable=SC2086 # split: each entry is a command line
    echo "$i $(time_once ${CMDS[$i]})" >> "$TIMES"
  done
done

PIDS=(/proc/[0-9]*)
PROCS=${#PIDS[@]}
IN_CTS=$("$VZPS" -e -o ctid= | awk '$1 != 0' | wc -l)
echo "host: $(uname -r), $(nproc) CPUs; processes: $PROCS (in containers: $IN_CTS);" \
     "runs: $RUNS each, interleaved; sleepers: $N$([ "$NEW_NS" = 1 ] && echo ' (own pid namespace)')"
printf '%-24s %9s %9s %9s   %s\n' command median_s min_s max_s "ratio (vzps / ps)"
declare -a MED
for i in "${!CMDS[@]}"; do
  read -r med min max < <(awk -v i="$i" '$1 == i { print $2 }' "$TIMES" | stats)
  MED[i]=$med
  ratio=""
  if (( i % 2 == 1 )); then
    ratio=$(awk -v a="$med" -v b="${MED[$((i - 1))]}" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
  fi
  printf '%-24s %9s %9s %9s   %s\n' "${NAMES[$i]}" "$med" "$min" "$max" "$ratio"
done
