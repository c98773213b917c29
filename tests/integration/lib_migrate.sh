# shellcheck shell=bash disable=SC2034  # variables are read by the tests that source this
# vzmigrate's two hosts on one machine (t_migrate.sh here, tests/vm/t_migrate_online.sh in
# the VM). Source it after lib.sh's it_setup, then call mig_setup.
#
# The source is this instance (lib.sh's VZ_CONFDIR) run in a network namespace
# of the test's, MIG_SRC_NS (src COMMAND...). The destination is a second
# instance with its own VZ_CONFDIR, private, root, dump and lock directories
# below $IT_ROOT/dst, in a network namespace MIG_DST_NS, a private mount
# namespace and a cgroup namespace of its own (mig_dst_host.sh: its containers'
# groups are below MIG_CGROUP, so that the same CTID on both sides never shares
# a group), where an sshd listens on 203.0.113.2 with a throwaway host key and
# the one client key this setup makes (dst COMMAND... runs there directly).
# The two namespaces are joined by a veth pair, the source at 203.0.113.1.
# Nothing of the host's ssh (~/.ssh, /etc/ssh's keys, its sshd) is used.

MIG_SRC_NS=vzmig-src-$$
MIG_DST_NS=vzmig-dst-$$
MIG_CGROUP=vzmig-dst-$$
MIG_DST_IP=203.0.113.2
MIG_DIR=""
MIG_DST_CONF=""
MIG_DST_CTIDS=""
# More VAR=value words for the destination's environment (set before mig_setup).
MIG_DST_ENV=${MIG_DST_ENV:-}

# src COMMAND...: at the source (its network namespace).
src() { nsenter --net="/run/netns/$MIG_SRC_NS" -- "$@"; }
# dst COMMAND...: on the destination host, as its sshd's sessions run.
# shellcheck disable=SC2086 # MIG_DST_ENV: words
dst() {
    nsenter -t "$(cat "$MIG_DIR/host.pid")" -m -n -C -- \
        env VZ_CONFDIR="$MIG_DST_CONF" PATH="$VZKIT_BUILD/bin:/usr/sbin:/usr/bin:/sbin:/bin" $MIG_DST_ENV "$@"
}
# migrate ARG...: vzmigrate at the source, through the test's ssh options.
migrate() {
    src env PATH="$VZKIT_BUILD/bin:$PATH" "$VZKIT_BUILD/bin/vzmigrate" --ssh "$MIG_SSH" "$@"
}
# Registers a CTID that may end up at the destination, for mig_teardown.
mig_dst_ct() { MIG_DST_CTIDS="$MIG_DST_CTIDS $1"; }
# shellcheck disable=SC2086 # options, split at blanks as vzmigrate --ssh does
ssh_answers() { src ssh $MIG_SSH -o BatchMode=yes "root@$MIG_DST_IP" true; }

mig_setup() {
    if ! command -v rsync >/dev/null || [ ! -x /usr/sbin/sshd ]; then
        fail "rsync and openssh-server are needed (scripts/install-deps.sh)"
        exit 1
    fi
    MIG_DIR=$IT_ROOT/dst
    MIG_DST_CONF=$MIG_DIR/etc
    mkdir -p "$MIG_DST_CONF/conf" "$MIG_DIR/vz/template/cache" "$MIG_DIR/vz/private" "$MIG_DIR/vz/root"
    cp "$VZKIT_SRC"/etc/conf/* "$MIG_DST_CONF/conf/"
    cp -r "$VZKIT_SRC/dists" "$MIG_DST_CONF/dists"
    ln -s "$TEMPLATE_CACHE/busybox-minimal.tar.gz" "$MIG_DIR/vz/template/cache/"
    sed -e "s|$IT_ROOT/|$MIG_DIR/|" "$VZ_CONFDIR/vz.conf" > "$MIG_DST_CONF/vz.conf"
    # No proxy ARP entries: the containers' addresses are reached over their
    # own host's routes only.
    sed -i 's/^NEIGHBOUR_DEVS=.*/NEIGHBOUR_DEVS="list:"/' "$VZ_CONFDIR/vz.conf" "$MIG_DST_CONF/vz.conf"

    if ! ip netns add "$MIG_SRC_NS" || ! ip netns add "$MIG_DST_NS"; then
        fail "unable to create the namespaces"
        exit 1
    fi
    ip -n "$MIG_SRC_NS" link set lo up
    ip -n "$MIG_DST_NS" link set lo up
    ip -n "$MIG_SRC_NS" link add mig0 type veth peer name mig1 netns "$MIG_DST_NS"
    ip -n "$MIG_SRC_NS" addr add 203.0.113.1/24 dev mig0
    ip -n "$MIG_DST_NS" addr add "$MIG_DST_IP/24" dev mig1
    ip -n "$MIG_SRC_NS" link set mig0 up
    ip -n "$MIG_DST_NS" link set mig1 up

    ssh-keygen -q -t ed25519 -N '' -C vzmig-host -f "$MIG_DIR/host_key" >/dev/null
    ssh-keygen -q -t ed25519 -N '' -C vzmig-client -f "$MIG_DIR/client_key" >/dev/null
    cp "$MIG_DIR/client_key.pub" "$MIG_DIR/authorized_keys"
    echo "$MIG_DST_IP $(cut -d' ' -f1-2 "$MIG_DIR/host_key.pub")" > "$MIG_DIR/known_hosts"
    cat > "$MIG_DIR/sshd_config" <<EOF
ListenAddress $MIG_DST_IP
HostKey $MIG_DIR/host_key
PidFile none
AuthorizedKeysFile $MIG_DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
SetEnv VZ_CONFDIR=$MIG_DST_CONF PATH=$VZKIT_BUILD/bin:/usr/sbin:/usr/bin:/sbin:/bin $MIG_DST_ENV
EOF
    MIG_SSH="-F /dev/null -i $MIG_DIR/client_key -o UserKnownHostsFile=$MIG_DIR/known_hosts -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes"
    nsenter --net="/run/netns/$MIG_DST_NS" unshare --mount --propagation private -- \
        bash "$VZKIT_SRC/tests/integration/mig_dst_host.sh" "$MIG_DIR" "$MIG_CGROUP" \
        </dev/null >>"$MIG_DIR/host.log" 2>&1 &
    trap 'mig_teardown; it_teardown' EXIT
    wait_until 20 ssh_answers ||
        { fail "the destination's sshd does not answer: $(cat "$MIG_DIR/host.log" "$MIG_DIR/sshd.log" 2>/dev/null)"; exit 1; }
}

mig_teardown() {
    local pid ct mnt
    # The source's containers stop in their network namespace, before it goes.
    for ct in $IT_CTIDS; do src "$VZCTL" --quiet stop "$ct" --fast >/dev/null 2>&1; done
    pid=$(cat "$MIG_DIR/host.pid" 2>/dev/null)
    if [ -n "$pid" ]; then
        for ct in $MIG_DST_CTIDS; do
            dst "$VZCTL" --quiet stop "$ct" --fast >/dev/null 2>&1
            dst "$VZCTL" --quiet umount "$ct" >/dev/null 2>&1
            dst "$VZCTL" --quiet destroy "$ct" >/dev/null 2>&1
        done
        kill "$pid" 2>/dev/null
        wait_until 5 not kill -0 "$pid"
    fi
    # What the destination host still runs (sessions of a failed test) is in
    # its groups: killed, then the groups removed.
    local procs
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        procs=$(while read -r mnt _; do
            [ -d "$mnt/$MIG_CGROUP" ] && find "$mnt/$MIG_CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null
        done < "$MIG_DIR/cgroup-mounts" 2>/dev/null | sort -u)
        [ -n "$procs" ] || break
        # shellcheck disable=SC2086 # one pid a word
        kill -9 $procs 2>/dev/null
        sleep 0.2
    done
    while read -r mnt _; do
        [ -d "$mnt/$MIG_CGROUP" ] && find "$mnt/$MIG_CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null
    done < "$MIG_DIR/cgroup-mounts" 2>/dev/null
    ip netns del "$MIG_SRC_NS" 2>/dev/null
    ip netns del "$MIG_DST_NS" 2>/dev/null
}
