#!/usr/bin/env bash
# Builds the API reference: Doxygen over the public headers of every layer, with
# docs/DESIGN.md as the main page and docs/ops.md as a page (configuration:
# docs/Doxyfile), into build/docs/html. A Doxygen warning fails it.
#
#   tools/docs.sh
#
# The same as `cmake --build build --target docs` (which CI runs), without needing a
# configured build tree. Needs doxygen (tools/setup.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v doxygen >/dev/null || { echo "docs: doxygen not found (apt-get install doxygen, or run tools/setup.sh)" >&2; exit 1; }
mkdir -p build/docs  # doxygen creates only the last level of OUTPUT_DIRECTORY
doxygen docs/Doxyfile
echo "docs: open $PWD/build/docs/html/index.html"
