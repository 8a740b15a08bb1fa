# The filter Doxygen runs over each public header (FILTER_PATTERNS in docs/Doxyfile):
#   awk -f docs/header_comments.awk HEADER
# The headers document their declarations with plain // comments, which Doxygen does
# not read; this prints the header with those comments in Doxygen's syntax, line for
# line so that warnings keep their line numbers. The files themselves are unchanged.
#   - "#pragma once" becomes "//! \file", so the comment block under it describes the
#     file;
#   - any other comment on lines of its own becomes "///", documenting what follows,
#     except section rulers ("// ---- views ----"), which stay plain comments;
#   - a comment after a member or enumerator ("int x;  // ...") becomes "///<";
#   - in comment text outside double quotes, a "<" that opens something like an HTML
#     tag ("ex::<op>_backward", "operator()<T>()") is escaped; Doxygen prints quoted
#     text ("<fn>: ...") as it is.

# Escapes "<name>" outside double quotes; `inquote` carries over between the lines of
# one comment block, since a quoted message may wrap.
function escape_tags(text,    out, i, c, rest) {
  out = ""
  for (i = 1; i <= length(text); i++) {
    c = substr(text, i, 1)
    if (c == "\"") inquote = !inquote
    if (c == "<" && !inquote) {
      rest = substr(text, i)
      if (match(rest, /^<[A-Za-z_][A-Za-z0-9_]*>/)) c = "\\<"
    }
    out = out c
  }
  return out
}

NR == 1 && $0 == "#pragma once" { print "//! \\file"; in_header = 1; next }

/^[ \t]*\/\/ ---- .* ----[ \t]*$/ { print; next }

match($0, /^[ \t]*\/\/([^\/!]|$)/) {
  indent = substr($0, 1, index($0, "//") - 1)
  text = substr($0, index($0, "//") + 2)
  print indent (in_header ? "//!" : "///") escape_tags(text)
  next
}

{
  in_header = 0
  inquote = 0
  if (match($0, /[;,][ \t]*\/\/[^\/!<]/)) {
    at = RSTART + RLENGTH - 3  # the first "/" of the comment
    $0 = substr($0, 1, at - 1) "///<" substr($0, at + 2)
  }
  print
}
