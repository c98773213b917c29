# shellcheck shell=sh
# SET_HOSTNAME for SUSE: /etc/hostname, and /etc/HOSTNAME where it exists.
[ -n "${HOSTNM:-}" ] || exit 0
echo "$HOSTNM" | write_file /etc/hostname
if [ -f /etc/HOSTNAME ] && [ ! -L /etc/HOSTNAME ]; then
    echo "$HOSTNM" | write_file /etc/HOSTNAME
fi
set_hosts_entry "$HOSTNM" "${IP_ADDR:-}"
set_uts_hostname "$HOSTNM"
exit 0
