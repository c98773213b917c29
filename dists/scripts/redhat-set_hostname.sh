# shellcheck shell=sh
# SET_HOSTNAME for the RHEL family: /etc/hostname (systemd releases), and
# HOSTNAME in /etc/sysconfig/network where older releases read it.
[ -n "${HOSTNM:-}" ] || exit 0
echo "$HOSTNM" | write_file /etc/hostname
if [ -f /etc/sysconfig/network ]; then
    put_param /etc/sysconfig/network HOSTNAME "$HOSTNM"
fi
set_hosts_entry "$HOSTNM" "${IP_ADDR:-}"
set_uts_hostname "$HOSTNM"
exit 0
