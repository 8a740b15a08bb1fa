#!/usr/bin/env python3
"""Fails when a ```cpp block of a Markdown page is not an excerpt of the given sources.

usage: check_doc_snippets.py PAGE.md SOURCE.cpp...

A block matches when its non-blank lines, stripped of surrounding whitespace, appear as
consecutive non-blank lines of one source (indentation and blank lines may differ, so a
block can be dedented). The sources are compiled and run by CTest, so a page whose blocks
all match shows only code that builds and does what the page says.
"""
import re
import sys


def lines_of(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


def contains(haystack, needle):
    n = len(needle)
    return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    page, sources = argv[1], argv[2:]
    with open(page, encoding="utf-8") as f:
        blocks = re.findall(r"^```cpp\n(.*?)^```", f.read(), flags=re.M | re.S)
    source_lines = {}
    for path in sources:
        with open(path, encoding="utf-8") as f:
            source_lines[path] = lines_of(f.read())
    if not blocks:
        print(f"{page}: no ```cpp blocks (wrong page?)", file=sys.stderr)
        return 1
    stale = [b for b in blocks if not any(contains(s, lines_of(b)) for s in source_lines.values())]
    for block in stale:
        first = lines_of(block)[0] if lines_of(block) else "(empty block)"
        print(f"{page}: a cpp block starting `{first}` is not an excerpt of {', '.join(sources)}",
              file=sys.stderr)
    print(f"{page}: {len(blocks) - len(stale)} of {len(blocks)} cpp blocks match the sources")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
