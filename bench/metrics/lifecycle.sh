# shellcheck shell=bash
# start, stop: one container a side, started and stopped ROUNDS times,
# interleaved. start = from the start command until `true` runs inside;
# stop alternates graceful and fast every two rounds.

LIFE_VZ=7000
LIFE_LXC=vzb-life

# Each side with a routed address, as a provider's VPS has one: vzkit's
# venet (and the distribution's files written at every start), LXC's veth in
# router mode.
life_define() {
    [ -n "${LIFE_DEFINED:-}" ] && return 0
    vz_create $LIFE_VZ busybox-minimal || die "vzctl create $LIFE_VZ failed"
    "$VZCTL" --quiet set $LIFE_VZ --ipadd 198.51.100.70 --hostname life.example.com \
        --nameserver 198.51.100.53 --save >/dev/null || die "vzctl set $LIFE_VZ failed"
    lxc_define $LIFE_LXC "$(busybox_archive)" || die "cannot define LXC container $LIFE_LXC"
    lxc_route $LIFE_LXC 203.0.113.70
    LIFE_DEFINED=1
}

life_ct() { if [ "$1" = vz ]; then echo $LIFE_VZ; else echo $LIFE_LXC; fi; }

# Leaves a side stopped whatever happened, so the next round starts clean.
life_ensure_stopped() {
    local ct
    ct=$(life_ct "$1")
    if "$1"_running "$ct"; then
        if [ "$1" = vz ]; then vz_stop "$ct" --fast; else lxc_stop "$ct" -k; fi
    fi >/dev/null 2>&1
}

life_round() {
    local r=$1 side t ct mode
    mode=graceful
    (((r / 2) % 2)) && mode=fast
    for side in $(sides_in_round "$r"); do
        ct=$(life_ct "$side")
        if time_us t "${side}_start_ready" "$ct"; then
            sample_ms "start.$side" "$t"
        else
            fail_run "start.$side" "round $r: start of $ct"
        fi
    done
    # A stop must not race the boot: both finish booting first.
    for side in vz lxc; do "${side}_wait_booted" "$(life_ct "$side")" >/dev/null 2>&1; done
    for side in $(sides_in_round "$r"); do
        ct=$(life_ct "$side")
        local args=()
        if [ $mode = fast ]; then
            if [ "$side" = vz ]; then args=(--fast); else args=(-k); fi
        fi
        if time_us t "${side}_stop" "$ct" "${args[@]}" && ! "${side}_running" "$ct"; then
            sample_ms "stop.$mode.$side" "$t"
        else
            fail_run "stop.$mode.$side" "round $r: $mode stop of $ct"
        fi
        life_ensure_stopped "$side"
    done
}

metric_lifecycle() {
    local r
    life_define
    log "start/stop: $LIFECYCLE_ROUNDS interleaved rounds"
    for ((r = 0; r < LIFECYCLE_ROUNDS; r++)); do life_round $r; done
    if selected start; then
        row "start with a routed IP (until \`true\` runs inside)" ms start.vz LXC start.lxc "≤ 1/3 of LXC" \
            "$(fail_note start)"
    fi
    if selected stop; then
        row "stop, graceful (busybox init halts in ~2 s)" ms stop.graceful.vz LXC stop.graceful.lxc "" \
            "$(fail_note stop.graceful)"
        row "stop, fast (kill)" ms stop.fast.vz LXC stop.fast.lxc "≤ 1/2 of LXC" \
            "$(fail_note stop.fast)"
    fi
}

# exec: `true` in a running container, EXEC_RUNS times, interleaved.
metric_exec() {
    local r side t
    life_define
    log "exec: $EXEC_RUNS interleaved runs"
    for side in vz lxc; do
        { "${side}_start_ready" "$(life_ct "$side")" && "${side}_wait_booted" "$(life_ct "$side")"; } ||
            die "exec: cannot start the $side container"
    done >/dev/null 2>&1
    for ((r = 0; r < EXEC_RUNS; r++)); do
        for side in $(sides_in_round "$r"); do
            if time_us t "${side}_exec" "$(life_ct "$side")"; then
                sample_ms "exec.$side" "$t"
            else
                fail_run "exec.$side" "run $r"
            fi
        done
    done
    for side in vz lxc; do life_ensure_stopped "$side"; done
    row "exec \`true\` in a running CT" ms exec.vz LXC exec.lxc "≤ 1/2 of LXC" \
        "$(fail_note exec)"
}
