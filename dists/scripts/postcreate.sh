# shellcheck shell=sh
# POST_CREATE: runs on the host right after create, with VE_ROOT pointing at
# the new private area (OpenVZ's convention). Nothing runs in that tree yet,
# but it came from a template: a path with a symlink in it is left alone so
# that the host's own files are never written.
[ -n "${VE_ROOT:-}" ] && [ -d "$VE_ROOT" ] || exit 1

# True when every component of VE_ROOT/$1 below VE_ROOT is not a symlink.
no_symlink() {
    path=$VE_ROOT
    rest=$1
    while [ -n "$rest" ]; do
        part=${rest%%/*}
        [ "$part" = "$rest" ] && rest= || rest=${rest#*/}
        [ -n "$part" ] || continue
        path="$path/$part"
        [ -L "$path" ] && return 1
    done
    return 0
}

# An empty root password in a template means anybody could log in.
for f in etc/passwd etc/shadow; do
    { no_symlink "$f" && [ -f "$VE_ROOT/$f" ]; } || continue
    if grep -q '^root::' "$VE_ROOT/$f"; then
        sed 's/^root::/root:!:/' "$VE_ROOT/$f" >"$VE_ROOT/$f.vzctl.$$" &&
            chmod "$(stat -c %a "$VE_ROOT/$f")" "$VE_ROOT/$f.vzctl.$$" &&
            mv -f "$VE_ROOT/$f.vzctl.$$" "$VE_ROOT/$f"
    fi
done
if no_symlink etc/hosts && [ -d "$VE_ROOT/etc" ]; then
    grep -qw 127.0.0.1 "$VE_ROOT/etc/hosts" 2>/dev/null ||
        echo '127.0.0.1 localhost' >>"$VE_ROOT/etc/hosts"
    grep -q '^::1' "$VE_ROOT/etc/hosts" 2>/dev/null ||
        echo '::1 localhost ip6-localhost ip6-loopback' >>"$VE_ROOT/etc/hosts"
fi
# Some network scripts complain without one.
if no_symlink etc/resolv.conf && [ -d "$VE_ROOT/etc" ] && [ ! -e "$VE_ROOT/etc/resolv.conf" ]; then
    : >"$VE_ROOT/etc/resolv.conf"
fi
exit 0
