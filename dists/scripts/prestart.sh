# shellcheck shell=sh
# PRE_START: runs inside the container just before its init. On a stock
# kernel the container has no CAP_AUDIT_CONTROL, so pam_loginuid cannot set
# the login uid; as "required" it would refuse every login (ssh, su -l).
# It becomes optional, as OpenVZ arranged for its own upstream mode.
[ "${VZ_KERNEL:-}" = yes ] && exit 0
for f in /etc/pam.d/*; do
    { [ -f "$f" ] && [ ! -L "$f" ]; } || continue
    grep -q '^session[[:space:]]\{1,\}required[[:space:]]\{1,\}pam_loginuid\.so' "$f" || continue
    sed 's/^session\([[:space:]]\{1,\}\)required\([[:space:]]\{1,\}pam_loginuid\.so\)/session\1optional\2/' \
        "$f" | write_file "$f"
done
exit 0
