#!/bin/bash
# Concurrent commands: rounds of twenty vzctl and vzlist commands at once over
# ten containers (start, stop, set --save, exec, destroy and create again,
# vzlist). Each finishes done, refused by the container's lock (exit 9), or
# refused in one line for the state another command left (already running,
# not running, no private area ...); none crashes. After each round: every
# config parses and lists, no lock or temp file is left, status matches the
# host, and a setting saved by a single command of the round is there (none
# lost to a stale copy written back by another).
# CONC_ROUNDS rounds (default 3; docs/testing.md has the 20-round run),
# CONC_SEED fixes the random choices.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
it_setup
ROUNDS=${CONC_ROUNDS:-3}
SEED=${CONC_SEED:-$$}
RANDOM=$SEED
echo "seed $SEED, $ROUNDS rounds"
CTS=(2180 2181 2182 2183 2184 2185 2186 2187 2188 2189)
for ct in "${CTS[@]}"; do it_ct "$ct"; done
LOCKDIR=$IT_ROOT/vz/lock

create() { "$VZCTL" --quiet create "$1" --ostemplate busybox-minimal >/dev/null 2>&1; }
for ct in "${CTS[@]}"; do create "$ct" || fail "create $ct"; done
for ct in "${CTS[@]:0:5}"; do "$VZCTL" --quiet start "$ct" >/dev/null 2>&1 || fail "start $ct"; done

# The exits each command may end with besides 0 and 9 (locked): refusals
# for a state another command of the round left.
#   14 no config (destroyed), 31 not running, 32 running, 41 mounted,
#   43 no private area, 44 exists; and for exec2, 137: the command itself
#   killed by a stop --fast of its container (exec2 exits with its status)
declare -A ALLOWED=(
    [start]="14 32 43" [stop]="14" [set]="14" [exec]="14 31 137" [recreate]="14 31 32 41 43 44" [list]=""
)
KEYS=(numproc numfile cpuunits description)

# op N: the Nth command of a round, its record in $R/N: "kind ct rc [key value]".
op() {
    local n=$1 ct=${CTS[$((RANDOM % 10))]} kind rc=0 key value
    local kinds=(start stop set set exec recreate list)
    kind=${kinds[$((RANDOM % ${#kinds[@]}))]}
    case $kind in
    start) "$VZCTL" start "$ct" >"$R/$n.out" 2>"$R/$n.err" || rc=$? ;;
    stop) "$VZCTL" stop "$ct" --fast >"$R/$n.out" 2>"$R/$n.err" || rc=$? ;;
    set)
        key=${KEYS[$((RANDOM % ${#KEYS[@]}))]}
        value=$((100 + n))
        [ "$key" = description ] && value="round$ROUND-op$n"
        "$VZCTL" set "$ct" "--$key" "$value" --save >"$R/$n.out" 2>"$R/$n.err" || rc=$?
        ;;
    exec) "$VZCTL" exec2 "$ct" true >"$R/$n.out" 2>"$R/$n.err" || rc=$? ;;
    recreate)
        # Each step in turn; the first refusal ends the op with its code.
        { "$VZCTL" stop "$ct" --fast && "$VZCTL" destroy "$ct" &&
            "$VZCTL" create "$ct" --ostemplate busybox-minimal; } >"$R/$n.out" 2>"$R/$n.err" || rc=$?
        ;;
    list) "$VZLIST" -a -o ctid,status,numproc,description -H >"$R/$n.out" 2>"$R/$n.err" || rc=$? ;;
    esac
    echo "$kind $ct $rc ${key:-} ${value:-}" >"$R/$n"
}

conf_value() { sed -n "s/^$1=\"\(.*\)\"$/\1/p" "$VZ_CONFDIR/conf/$2.conf"; }
declare -A UPPER=([numproc]=NUMPROC [numfile]=NUMFILE [cpuunits]=CPUUNITS [description]=DESCRIPTION)

for ROUND in $(seq "$ROUNDS"); do
    R=$IT_ROOT/round$ROUND
    mkdir -p "$R"
    pids=()
    for n in $(seq 20); do
        op "$n" &
        pids+=($!)
    done
    wait "${pids[@]}"
    bad=0 locked=0 done_=0 refused=0
    declare -A recreated=() setters=() last=()
    for n in $(seq 20); do
        read -r kind ct rc key value <"$R/$n"
        # Done or partly done: its config is a new one.
        [ "$kind" = recreate ] && [ "$rc" != 9 ] && recreated[$ct]=1
        if [ "$rc" = 0 ]; then
            done_=$((done_ + 1))
            if [ "$kind" = set ]; then
                setters[$ct.$key]=$((${setters[$ct.$key]:-0} + 1))
                last[$ct.$key]=$value
            fi
        elif [ "$rc" = 9 ]; then
            locked=$((locked + 1))
        elif [[ " ${ALLOWED[$kind]} " == *" $rc "* ]] &&
            [ "$(grep -cv '^Warning' "$R/$n.err")" -le 1 ]; then
            refused=$((refused + 1))
        else
            bad=$((bad + 1))
            fail "round $ROUND: $kind $ct: exit $rc: $(head -c 300 "$R/$n.err")"
        fi
    done
    assert_eq "$bad" 0 "round $ROUND: 20 commands: $done_ done, $locked locked, $refused refused for the state"
    # Every container that has a config parses and lists; status tells the truth.
    for ct in "${CTS[@]}"; do
        [ -f "$VZ_CONFDIR/conf/$ct.conf" ] || continue
        st=$("$VZCTL" status "$ct" 2>&1) || fail "round $ROUND: status $ct: $st"
        procs=$(wc -l <"$(ct_cgroup "$ct" pids)/cgroup.procs" 2>/dev/null || echo 0)
        case $st in
        *running*) [ "$procs" -gt 0 ] || fail "round $ROUND: $ct: status says running, its cgroup is empty" ;;
        *down*) [ "$procs" = 0 ] || fail "round $ROUND: $ct: status says down, $procs processes run" ;;
        esac
    done
    expect_rc 0 "round $ROUND: vzlist -a after the round" -- "$VZLIST" -a -H -o ctid
    assert_eq "$(echo "$OUT" | wc -l)" "$(find "$VZ_CONFDIR/conf" -name '21[89]?.conf' | wc -l)" \
        "round $ROUND: vzlist lists every container that has a config"
    # The template mount namespace's pin and lock stay (docs/architecture.md).
    assert_eq "$(find "$LOCKDIR" -mindepth 1 ! -name mnt-template ! -name mnt-template.lock 2>/dev/null)" "" \
        "round $ROUND: no lock file left"
    assert_eq "$(find "$VZ_CONFDIR/conf" -name '.*')" "" "round $ROUND: no temp file left beside the configs"
    # A key saved by one command of the round, on a container no recreate
    # touched, holds that command's value.
    lost=0 checked=0
    for k in "${!setters[@]}"; do
        ct=${k%%.*} key=${k#*.}
        if [ "${setters[$k]}" != 1 ] || [ -n "${recreated[$ct]:-}" ]; then continue; fi
        checked=$((checked + 1))
        got=$(conf_value "${UPPER[$key]}" "$ct")
        want=${last[$k]}
        [ "$got" = "$want" ] || { lost=$((lost + 1)); fail "round $ROUND: $ct $key: '$got', saved '$want'"; }
    done
    assert_eq "$lost" 0 "round $ROUND: no saved setting lost ($checked checked)"
    unset recreated setters last
    # Containers a recreate left destroyed come back for the next round.
    for ct in "${CTS[@]}"; do
        [ -f "$VZ_CONFDIR/conf/$ct.conf" ] || create "$ct" || fail "round $ROUND: create $ct again"
    done
done
