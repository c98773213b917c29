# shellcheck shell=sh
# SET_HOSTNAME for Gentoo: OpenRC's hostname service reads
# /etc/conf.d/hostname; /etc/hostname is kept in step.
[ -n "${HOSTNM:-}" ] || exit 0
put_param /etc/conf.d/hostname hostname "$HOSTNM"
echo "$HOSTNM" | write_file /etc/hostname
set_hosts_entry "$HOSTNM" "${IP_ADDR:-}"
set_uts_hostname "$HOSTNM"
exit 0
