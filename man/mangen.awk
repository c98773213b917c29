# mangen.awk: the renderer of man/mangen.sh (which says what it does), run as
#   awk -F '\t' -v source_name=PAGE.in -f mangen.awk DESCRIBE FIELDS SOURCE
# The directives are listed in docs/manpages.md.
function esc(s,   out) {
  gsub(/\\/, "\\e", s)
  gsub(/-/, "\\-", s)
  return s
}
# A table's help ("show the pid column") as a sentence.
function sentence(s) {
  s = toupper(substr(s, 1, 1)) substr(s, 2)
  if (s !~ /\.$/)
    s = s "."
  # A line starting with a dot or a quote would be a request.
  return (s ~ /^[.\047]/ ? "\\&" : "") esc(s)
}
# A value name: its <placeholders> in italics, the rest (literal words:
# yes|no) in bold; a bare upper-case name (SIG, CTIDS) is a placeholder.
function value(s) {
  if (s ~ /^[A-Z_]+$/)
    return "\\fI" esc(s) "\\fR"
  s = esc(s)
  gsub(/</, "\\fI", s)
  gsub(/>/, "\\fB", s)
  return "\\fB" s "\\fR"
}
function die(msg) {
  printf "%s: %s\n", source_name, msg > "/dev/stderr"
  failed = 1
  exit 1
}
function opt_key(scope, name) { return scope SUBSEP name }
# A tool whose parser takes "-name" (vzubc) lists its short names (up to
# single_dash characters) with one dash, as its usage does.
function spelled(k, with_value,   names, n, i, s, dash) {
  s = ""
  if (oshort[k] != "")
    s = "\\fB\\-" esc(oshort[k]) "\\fR"
  n = split(olong[k], names, ",")
  for (i = 1; i <= n; i++) {
    if (names[i] == "")
      continue
    dash = length(names[i]) <= single_dash ? "\\-" : "\\-\\-"
    s = s (s == "" ? "" : ", ") "\\fB\\%" dash esc(names[i]) "\\fR"
  }
  if (with_value && oarg[k] == "1")
    s = s " " value(ovalue[k] == "" ? "value" : ovalue[k])
  return s
}
function emit_option(k) {
  print ".TP"
  print spelled(k, 1)
  documented[k] = 1
}
# Several rows that are one option (vzubc's -w and --watch) under one header,
# the value named once, after the last.
function emit_options(list, scope,   names, n, i, k, s, seen) {
  n = split(list, names, ",")
  s = ""
  for (i = 1; i <= n; i++) {
    k = find_option(scope, names[i])
    if (k in seen)
      continue
    seen[k] = 1
    s = s (s != "" ? ", " : "") spelled(k, i == n)
    documented[k] = 1
  }
  print ".TP"
  print s
}
# An option by a long name or its short letter, in a scope.
function find_option(scope, name,   i, k, names, n, j) {
  for (i = 1; i <= nopts; i++) {
    k = order[i]
    if (oscope[k] != scope)
      continue
    if (oshort[k] == name)
      return k
    n = split(olong[k], names, ",")
    for (j = 1; j <= n; j++)
      if (names[j] == name)
        return k
  }
  die("no option " name " in scope \"" scope "\" of the tool")
}
function scope_of(word) { return (word == "" || word == "-") ? "" : word }
function usage_roff(u,   words, n, i, w, out) {
  n = split(u, words, " ")
  out = ""
  for (i = 1; i <= n; i++) {
    w = words[i]
    if (i == 1 || w ~ /^\[?-/ || w == "|")
      w = "\\fB" esc(w) "\\fR"
    else
      w = esc(w)
    gsub(/</, "\\fI", w); gsub(/>/, "\\fR", w)
    out = out (i > 1 ? " " : "") w
  }
  return out
}

FILENAME == ARGV[1] {
  if ($1 == "option") {
    k = opt_key($2, ($4 != "" ? $4 : $3))
    order[++nopts] = k
    oscope[k] = $2; oshort[k] = $3; olong[k] = $4; oarg[k] = $5; ovalue[k] = $6; ohelp[k] = $7
  } else if ($1 == "command") {
    corder[++ncmds] = $2; cusage[$2] = $3
  } else if ($1 == "key") {
    korder[++nkeys] = $2; kaliases[$2] = $3; koptions[$2] = $4; ktraits[$2] = $5
    khelp[$2] = $6; knot[$2] = $7
  } else if ($1 == "exit") {
    ecode[++nexits] = $2; ename[nexits] = $3; emsg[nexits] = $4
  }
  next
}
FILENAME == ARGV[2] {
  split($0, f, " ")
  if (f[1] != "") { fname[++nfields] = f[1]; fheader[nfields] = f[2] }
  next
}
/^@/ {
  n = split(substr($0, 2), w, " ")
  d = w[1]
  if (d == "options") {
    sc = scope_of(w[2])
    for (i = 1; i <= nopts; i++) {
      k = order[i]
      if (oscope[k] != sc || ohelp[k] == "")
        continue
      emit_option(k)
      print sentence(ohelp[k])
    }
  } else if (d == "opt") {
    emit_options(w[2], scope_of(w[3]))
  } else if (d == "hide") {
    m = split(w[2], names, ",")
    for (j = 1; j <= m; j++)
      documented[find_option(scope_of(w[3]), names[j])] = 1
  } else if (d == "single-dash-upto") {
    single_dash = w[2] + 0
  } else if (d == "cmd") {
    if (!(w[2] in cusage))
      die("no command " w[2] " in the tool")
    u = cusage[w[2]]
    # "@cmd set set <ctid> [parameters]": a usage for a command whose row has none.
    if (n > 2) {
      u = w[3]
      for (j = 4; j <= n; j++)
        u = u " " w[j]
    }
    print ".TP"
    print usage_roff(u != "" ? u : w[2])
    cdone[w[2]] = 1
    covered = covered " " u " "
  } else if (d == "keys") {
    for (i = 1; i <= nkeys; i++) {
      key = korder[i]
      print ".TP"
      print "\\fB" esc(key) "\\fR"
      if (khelp[key] != "")
        print sentence(khelp[key])
      if (koptions[key] != "") {
        m = split(koptions[key], names, ",")
        s = ""
        for (j = 1; j <= m; j++)
          s = s (j > 1 ? ", " : "") "\\fB\\%\\-\\-" esc(names[j]) "\\fR"
        print "Set by " s "."
      }
      if (kaliases[key] != "")
        print "Also read under its older name " esc(kaliases[key]) "."
      t = ktraits[key]
      if (t ~ /transient/) print "Handed to the container and never saved."
      if (t ~ /stopped-only/) print "Refused while the container runs."
      if (t ~ /restart/) print "A running container gets it at its next start (\\fB\\-\\-setmode restart\\fR)."
      else if (t ~ /live/) print "Applied to a running container at once."
      if (t ~ /module/) print "Needs the vzkit module for its full effect."
      if (knot[key] != "") print "No effect on Linux: " esc(knot[key]) "."
    }
  } else if (d == "exitcodes") {
    for (i = 1; i <= nexits; i++) {
      print ".TP"
      print "\\fB" ecode[i] "\\fR " esc(ename[i])
      print sentence(emsg[i])
    }
  } else if (d == "fields") {
    if (nfields == 0)
      die("@fields without a field list")
    print ".PD 0"
    for (i = 1; i <= nfields; i++) {
      print ".TP 20"
      print "\\fB" esc(fname[i]) "\\fR"
      print "column " esc(fheader[i])
    }
    print ".PD"
  } else if (d == "complete") {
    for (i = 1; i <= nopts; i++)
      if (!(order[i] in documented))
        die("option " (olong[order[i]] != "" ? "--" olong[order[i]] : "-" oshort[order[i]]) \
            (oscope[order[i]] != "" ? " of " oscope[order[i]] : "") " is not documented")
    for (i = 1; i <= ncmds; i++) {
      c = corder[i]
      if (!(c in cdone) && index(covered, " " c " ") == 0)
        die("command " c " is not documented")
    }
  } else if (d !~ /^#/) {
    die("unknown directive @" d)
  }
  next
}
{ print }
END { if (failed) exit 1 }
