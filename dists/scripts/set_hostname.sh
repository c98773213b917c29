# shellcheck shell=sh
# SET_HOSTNAME, generic: /etc/hostname holds the full name, /etc/hosts maps
# it to the container's first address.
[ -n "${HOSTNM:-}" ] || exit 0
echo "$HOSTNM" | write_file /etc/hostname
set_hosts_entry "$HOSTNM" "${IP_ADDR:-}"
set_uts_hostname "$HOSTNM"
exit 0
