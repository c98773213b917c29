# shellcheck shell=sh
# SET_USERPASS: USERPW="user:password ..."; a user that does not exist yet
# is created with a home directory. Passwords travel on pipes, never on a
# command line. Systems without chpasswd (busybox) get the hash from mkpasswd.

days_since_epoch() { echo $(($(date +%s) / 86400)); }

# For a system with neither useradd nor busybox adduser.
add_user_by_hand() {
    uid=$(awk -F: '$3 >= 1000 && $3 < 60000 && $3 > max { max = $3 } END { print (max ? max + 1 : 1000) }' \
        /etc/passwd)
    echo "$1:x:$uid:$uid::/home/$1:/bin/sh" >>/etc/passwd || return 1
    grep -q "^$1:" /etc/group 2>/dev/null || echo "$1:x:$uid:" >>/etc/group
    grep -q "^$1:" /etc/shadow 2>/dev/null || echo "$1:!:$(days_since_epoch):0:99999:7:::" >>/etc/shadow
    mkdir -p "/home/$1" && chown "$uid:$uid" "/home/$1" && chmod 0750 "/home/$1"
}

add_user() {
    if command -v useradd >/dev/null 2>&1; then
        useradd -m "$1" </dev/null
    elif command -v adduser >/dev/null 2>&1 && adduser 2>&1 </dev/null | grep -q -- '-D'; then
        adduser -D "$1" </dev/null
    else
        add_user_by_hand "$1"
    fi
}

# set_hash USER HASH: the second field of USER's line in /etc/shadow.
set_hash() {
    [ -f /etc/shadow ] || : >>/etc/shadow
    awk -F: -v OFS=: -v u="$1" -v h="$2" -v d="$(days_since_epoch)" '
        $1 == u { $2 = h; $3 = d; found = 1 }
        { print }
        END { if (!found) print u ":" h ":" d ":0:99999:7:::" }
    ' /etc/shadow | write_file /etc/shadow
}

[ -n "${USERPW:-}" ] || exit 0
for pair in $USERPW; do
    user=${pair%%:*}
    pass=${pair#*:}
    { [ -n "$user" ] && [ "$user" != "$pair" ]; } || error "Invalid user:password pair" "$VZ_CHANGEPASS"
    if ! grep -q "^$user:" /etc/passwd; then
        add_user "$user" || error "Unable to create user $user" "$VZ_CHANGEPASS"
    fi
    if command -v chpasswd >/dev/null 2>&1; then
        echo "$pair" | chpasswd || error "Unable to set the password of $user" "$VZ_CHANGEPASS"
    elif command -v mkpasswd >/dev/null 2>&1; then
        { hash=$(echo "$pass" | mkpasswd -m sha512) && [ -n "$hash" ]; } ||
            error "Unable to hash the password of $user" "$VZ_CHANGEPASS"
        set_hash "$user" "$hash"
    else
        error "Neither chpasswd nor mkpasswd in the container" "$VZ_CHANGEPASS"
    fi
done
exit 0
