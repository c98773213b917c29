#!/bin/bash
# tests/lint/shellcheck.sh SRC: every shell script of the tree is clean for
# the linter, with the settings of SRC/.shellcheckrc. A script is a *.sh file,
# a file whose #! line names sh or bash, or a file that starts with a
# "# shellcheck shell=" directive (the sourced files and the scripts vzctl
# feeds to a container's shell, which have no #! line).
set -u
src=${1:?usage: shellcheck.sh SRC}
command -v shellcheck >/dev/null ||
    { echo "FAIL: shellcheck is not installed (scripts/install-deps.sh)"; exit 1; }
cd "$src" || exit 1
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    mapfile -t files < <(git ls-files --cached --others --exclude-standard)
else
    mapfile -t files < <(find . \( -name .git -o -name 'build*' \) -prune -o -type f -print | sed 's|^\./||')
fi
scripts=()
for f in "${files[@]}"; do
    [ -f "$f" ] || continue # deleted in the work tree, not yet in the index
    case $f in *.sh) scripts+=("$f"); continue ;; esac
    first=
    read -r first < "$f" 2>/dev/null
    case $first in
        '#!'*/sh | '#!'*/bash | '#!'*/sh\ * | '#!'*/bash\ * | '#!'*' bash' | '# shellcheck shell='*)
            scripts+=("$f") ;;
    esac
done
[ ${#scripts[@]} -gt 0 ] || { echo "FAIL: no shell scripts found under $src"; exit 1; }
if shellcheck "${scripts[@]}"; then
    echo "ok: ${#scripts[@]} shell scripts are shellcheck-clean"
else
    echo "FAIL: shellcheck found problems (above)"
    exit 1
fi
