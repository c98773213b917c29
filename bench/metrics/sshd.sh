# shellcheck shell=bash
# sshd: the seed articles' headline, a Debian container from start until its
# ssh server answers on its address (the "SSH-" banner read over TCP from the
# host). Both sides start the project's Debian template (make
# templates-debian: sysvinit, ifupdown, openssh-server) unpacked from the same
# archive, each with a routed address: vzkit's venet with the distribution's
# files written at start, LXC's veth in router mode. A first start of each,
# not timed, makes the ssh host keys; then SSHD_ROUNDS interleaved rounds,
# each side stopped fast after its sample.

SSHD_VZ=7010
SSHD_LXC=vzb-sshd
SSHD_VZ_IP=198.51.100.71
SSHD_LXC_IP=203.0.113.71

# The banner, from bash's /dev/tcp: no client program the host may lack.
sshd_banner() {
    # shellcheck disable=SC2016 # $1 is the inner shell's
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/22" && head -c 4 <&3' _ "$1" 2>/dev/null | grep -q '^SSH-'
}

sshd_ip() { if [ "$1" = vz ]; then echo $SSHD_VZ_IP; else echo $SSHD_LXC_IP; fi; }
sshd_ct() { if [ "$1" = vz ]; then echo $SSHD_VZ; else echo $SSHD_LXC; fi; }

sshd_start() {
    if [ "$1" = vz ]; then "$VZCTL" --quiet start $SSHD_VZ; else lxc-start -P "$LXC_PATH" -n $SSHD_LXC -d; fi &&
        retry_until 60 sshd_banner "$(sshd_ip "$1")"
}

sshd_stop() {
    if [ "$1" = vz ]; then vz_stop $SSHD_VZ --fast; else lxc_stop $SSHD_LXC -k; fi >/dev/null 2>&1
}

metric_sshd() {
    local r side t
    if ! big_template; then
        row_missing "start → sshd answers, Debian template" ms LXC "" "not measured: $BIG_ERROR"
        return 0
    fi
    vz_template "$BIG_NAME" "$(big_archive gz)"
    vz_create $SSHD_VZ "$BIG_NAME" || die "vzctl create $SSHD_VZ failed"
    "$VZCTL" --quiet set $SSHD_VZ --ipadd $SSHD_VZ_IP --hostname sshd.example.com --save >/dev/null ||
        die "vzctl set $SSHD_VZ failed"
    lxc_define $SSHD_LXC "$(big_archive gz)" || die "cannot define LXC container $SSHD_LXC"
    lxc_route $SSHD_LXC $SSHD_LXC_IP
    for side in vz lxc; do
        sshd_start $side || die "sshd: the $side container's ssh server never answered"
        sshd_stop $side
    done
    log "sshd: $SSHD_ROUNDS interleaved rounds"
    for ((r = 0; r < SSHD_ROUNDS; r++)); do
        for side in $(sides_in_round "$r"); do
            if time_us t sshd_start "$side"; then
                sample_ms "sshd.$side" "$t"
            else
                fail_run "sshd.$side" "round $r: start of $(sshd_ct "$side") until sshd answered"
            fi
            sshd_stop "$side"
        done
    done
    row "start → sshd answers on the CT's IP, Debian template" ms sshd.vz LXC sshd.lxc "≤ LXC" \
        "$(fail_note sshd)"
}
