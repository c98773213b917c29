#!/bin/bash
# mangen.sh SOURCE DESCRIBE FIELDS OUTPUT: renders one man page from its
# roff source in man/ and what its tool says of itself (the tool's
# --vzkit-describe output, vzkit/cli/describe.h; FIELDS: vzlist -L, or
# /dev/null). Option spellings, the per-command options of vzctl, set's
# options, the keys of ctid.conf(5) and the exit codes come from the tools'
# tables, the prose from the source, so a page cannot drift from its tool: an
# option or command of the tool that the page neither documents nor hides
# fails the build (docs/manpages.md lists the directives).
set -euo pipefail

if [ $# -ne 4 ]; then
  echo "usage: mangen.sh SOURCE DESCRIBE FIELDS OUTPUT" >&2
  exit 2
fi
source_file=$1 describe_file=$2 fields_file=$3 output=$4

awk -F '\t' -v source_name="$(basename "$source_file")" -f "$(dirname "$0")/mangen.awk" \
  "$describe_file" "$fields_file" "$source_file" >"$output.tmp" ||
  { rm -f "$output.tmp"; exit 1; }
mv "$output.tmp" "$output"
