# shellcheck shell=sh
# SET_HOSTNAME for Slackware: rc.M reads the full name from /etc/HOSTNAME.
[ -n "${HOSTNM:-}" ] || exit 0
echo "$HOSTNM" | write_file /etc/HOSTNAME
set_hosts_entry "$HOSTNM" "${IP_ADDR:-}"
set_uts_hostname "$HOSTNM"
exit 0
