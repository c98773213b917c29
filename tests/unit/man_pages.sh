#!/bin/bash
# man_pages.sh BINDIR MANDIR SRC: the man pages agree with the tools and
# render cleanly. For every tool, each option its --help prints appears in
# its page, and each vzctl command; every key of etc/vz.conf is in vz.conf(5)
# and every key of the parameter table in ctid.conf(5); every page renders
# with no groff or man warning (docs/manpages.md).
set -u
bindir=$1 mandir=$2 src=$3
fails=0 checked=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# A page as plain text, one long line per paragraph: no hyphenation, no
# breaks inside an option.
text_of() { groff -man -Tutf8 -P-cbou -rLL=2000n -rHY=0 "$1" 2>/dev/null; }

# Every word that looks like an option in a help text: "-x", "--name" after a
# blank, bracket, comma, bar, slash or parenthesis.
options_in() {
    grep -oE '(^|[][[:space:],|/(])--?[A-Za-z0-9][A-Za-z0-9_-]*' | sed -E 's/^[^-]+//' | sort -u
}

# tool, then how it prints its usage
tools=(
    "vzctl --help" "vzlist --help" "vzps --help" "vzpid -h" "vzkillall --help" "vztop -h"
    "vzubc -h" "vzcalc -h" "vzmemcheck -h" "vzsplit -h" "vzcfgvalidate -h" "vzquota -h"
    "vzmigrate --help"
)
for entry in "${tools[@]}"; do
    read -r tool help_option <<<"$entry"
    page=$mandir/$tool.8
    [ -f "$page" ] || { fail "$tool: no page $page"; continue; }
    help=$("$bindir/$tool" "$help_option" 2>&1)
    [ -n "$help" ] || { fail "$tool $help_option printed nothing"; continue; }
    text=$(text_of "$page")
    mapfile -t options < <(options_in <<<"$help")
    [ ${#options[@]} -gt 0 ] || fail "$tool: no option found in its --help"
    for option in "${options[@]}"; do
        checked=$((checked + 1))
        grep -qE -- "(^|[^A-Za-z0-9_-])$option([^A-Za-z0-9_-]|$)" <<<"$text" ||
            fail "$tool: $option is in --help but not in $tool(8)"
    done
done

# vzctl's commands: the words before <ctid> of each "vzctl ..." line of its
# help, "destroy | delete" both.
vzctl_text=$(text_of "$mandir/vzctl.8")
mapfile -t commands < <("$bindir/vzctl" --help | sed -n 's/^vzctl \([a-z][a-z0-9 |-]*\).*/\1/p' |
    tr '|' '\n' | awk '{ print $1 }' | sort -u)
[ ${#commands[@]} -ge 30 ] || fail "only ${#commands[@]} commands found in vzctl --help"
for command in "${commands[@]}"; do
    checked=$((checked + 1))
    grep -qE -- "(^|[^A-Za-z0-9_-])$command([^A-Za-z0-9_-]|$)" <<<"$vzctl_text" ||
        fail "vzctl: command $command is not in vzctl(8)"
done

# vz.conf(5): every key of the shipped vz.conf, commented ones too.
vzconf_text=$(text_of "$mandir/vz.conf.5")
mapfile -t keys < <(sed -nE 's/^#?([A-Z][A-Z0-9_]*)=.*/\1/p' "$src/etc/vz.conf" | sort -u)
[ ${#keys[@]} -ge 15 ] || fail "only ${#keys[@]} keys found in etc/vz.conf"
for key in "${keys[@]}"; do
    checked=$((checked + 1))
    grep -qw -- "$key" <<<"$vzconf_text" || fail "vz.conf: $key is not in vz.conf(5)"
done

# ctid.conf(5): every key of the parameter table.
ctid_text=$(text_of "$mandir/ctid.conf.5")
mapfile -t keys < <("$bindir/vzctl" --vzkit-describe | awk -F '\t' '$1 == "key" { print $2 }')
[ ${#keys[@]} -ge 40 ] || fail "only ${#keys[@]} keys in vzctl --vzkit-describe"
for key in "${keys[@]}"; do
    checked=$((checked + 1))
    grep -qw -- "$key" <<<"$ctid_text" || fail "ctid.conf: $key is not in ctid.conf(5)"
done

# The generator refuses a page that leaves an option of its tool undocumented
# (a new one without help, which @options cannot describe either).
checked=$((checked + 1))
tmp=$(mktemp -d)
{ cat "$mandir/vzpid.describe"; printf 'option\t\tZ\tnew-option\t0\t\t\n'; } >"$tmp/describe"
if bash "$src/man/mangen.sh" "$src/man/vzpid.8.in" "$tmp/describe" /dev/null "$tmp/vzpid.8" \
    2>"$tmp/err"; then
    fail "mangen.sh rendered vzpid.8 with an undocumented option"
elif ! grep -q -- "--new-option is not documented" "$tmp/err" || [ -e "$tmp/vzpid.8" ]; then
    fail "mangen.sh: $(cat "$tmp/err")"
fi
rm -rf "$tmp"

# Every page renders without a warning, through groff and through man.
pages=("$mandir"/*.[578])
[ ${#pages[@]} -eq 16 ] || fail "${#pages[@]} pages in $mandir, 16 expected"
for page in "${pages[@]}"; do
    checked=$((checked + 1))
    warnings=$(groff -ww -z -man "$page" 2>&1)
    [ -z "$warnings" ] || fail "$(basename "$page"): groff: $warnings"
    warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
    [ -z "$warnings" ] || fail "$(basename "$page"): man: $warnings"
done

if [ $fails -gt 0 ]; then
    echo "$fails of $checked checks failed"
    exit 1
fi
echo "ok: $checked checks over ${#pages[@]} man pages"
