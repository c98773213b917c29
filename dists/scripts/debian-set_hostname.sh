# shellcheck shell=sh
# SET_HOSTNAME for Debian and Ubuntu: the short name in /etc/hostname (as
# Debian's installer writes it), the full one in /etc/hosts.
[ -n "${HOSTNM:-}" ] || exit 0
echo "${HOSTNM%%.*}" | write_file /etc/hostname
set_hosts_entry "$HOSTNM" "${IP_ADDR:-}"
set_uts_hostname "${HOSTNM%%.*}"
exit 0
