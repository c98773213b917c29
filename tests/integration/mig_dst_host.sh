#!/usr/bin/env bash
# mig_dst_host.sh DIR CGROUP: the destination "host" of vzmigrate's tests
# (lib_migrate.sh starts it inside the destination's network namespace and a
# private mount namespace). It moves itself into the cgroup CGROUP of every
# hierarchy and enters a cgroup namespace there, so that the containers this
# host starts live in CGROUP/vz/<CTID>, not in the source's vz/<CTID>: on one
# kernel the two copies of a container must not share a group. Then it mounts
# the hierarchies again as this namespace sees them, a tmpfs on /run (sshd's
# privilege separation directory, never the host's), and becomes the sshd of
# DIR/sshd_config, its pid in DIR/host.pid.
set -eu
dir=$1 cg=$2

# Every cgroup mount below /sys/fs/cgroup: mount point, type, super options.
cgroup_mounts() {
    awk '{ for (i = 7; $i != "-"; i++); if (($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") && $5 ~ "^/sys/fs/cgroup")
           print $5, $(i + 1), $(i + 3) }' /proc/self/mountinfo
}

if [ "${3:-}" != inside ]; then
    cgroup_mounts > "$dir/cgroup-mounts"
    while read -r mnt type _; do
        mkdir -p "$mnt/$cg"
        if [ "$type" = cgroup2 ]; then
            # The controllers the host has, for this host's groups below.
            read -r -a controllers < "$mnt/cgroup.controllers"
            for c in "${controllers[@]}"; do
                echo "+$c" > "$mnt/cgroup.subtree_control" 2>/dev/null || true
            done
        elif [ -f "$mnt/cpuset.cpus" ]; then
            cat "$mnt/cpuset.cpus" > "$mnt/$cg/cpuset.cpus"
            cat "$mnt/cpuset.mems" > "$mnt/$cg/cpuset.mems"
        fi
        echo $$ > "$mnt/$cg/cgroup.procs"
    done < "$dir/cgroup-mounts"
    exec unshare --cgroup -- bash "$0" "$dir" "$cg" inside
fi

# Inside the cgroup namespace: sysfs of this network namespace (as `ip netns
# exec` mounts it), and the same cgroup hierarchies, rooted at CGROUP.
umount -R -l /sys
mount -t sysfs sysfs /sys
if grep -q ' cgroup2 ' "$dir/cgroup-mounts" && ! grep -q ' cgroup ' "$dir/cgroup-mounts"; then
    mount -t cgroup2 cgroup2 /sys/fs/cgroup
    # No process in the namespace's root group: its controllers can then be
    # handed down to vz/ (cgroup v2's rule for internal processes).
    mkdir -p /sys/fs/cgroup/init
    echo $$ > /sys/fs/cgroup/init/cgroup.procs
else
    mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
    while read -r mnt type opts; do
        mkdir -p "$mnt"
        # nsdelegate is the initial namespace's alone.
        opts=$(tr ',' '\n' <<<"$opts" | grep -vxE 'rw|nsdelegate' | paste -sd, -)
        mount -t "$type" ${opts:+-o "$opts"} "$type" "$mnt"
    done < "$dir/cgroup-mounts"
fi
mount -t tmpfs -o mode=755 run /run
# A home of its own for root: this host's ~/.bashrc (which bash reads for every
# command sshd runs) and ~/.ssh are not the destination's.
mount -t tmpfs -o mode=700 roothome /root
mkdir -m 755 /run/sshd
echo $$ > "$dir/host.pid"
exec /usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>> "$dir/sshd.log"
