# shellcheck shell=sh
# SET_DNS: /etc/resolv.conf gets the search line and the nameservers vzctl
# passes (already resolved when the config says inherit); what is not given
# stays as it was. A symlink (systemd-resolved's stub) becomes a file.
cfg=/etc/resolv.conf
[ -n "${NAMESERVER:-}${SEARCHDOMAIN:-}" ] || exit 0
{
    [ -f "$cfg" ] && awk -v ns="${NAMESERVER:-}" -v sd="${SEARCHDOMAIN:-}" '
        ns != "" && $1 == "nameserver" { next }
        sd != "" && ($1 == "search" || $1 == "domain") { next }
        { print }
    ' "$cfg"
    [ -n "${SEARCHDOMAIN:-}" ] && echo "search $SEARCHDOMAIN"
    for ns in ${NAMESERVER:-}; do echo "nameserver $ns"; done
} | write_file "$cfg" 644
exit 0
