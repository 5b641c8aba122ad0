#!/usr/bin/env bash
# Install what the picture tests need (tests/picture_tools.py), when missing:
#   Graphviz's dot and headless Chromium (Debian packages graphviz, chromium, fonts-dejavu-core),
#   Mermaid's browser bundle (npm package mermaid, only dist/mermaid.min.js, into .cache/mermaid/).
# matplotlib and Pillow come with the Python test extra: pip install -e '.[test]'.
#
#   bash tools/install_picture_deps.sh          # from the repository root; needs root for apt-get
set -euo pipefail
cd "$(dirname "$0")/.."
MERMAID_VERSION="${MERMAID_VERSION:-11.17.2}"
MERMAID_JS="${CNNCALC_MERMAID_JS:-.cache/mermaid/mermaid.min.js}"

fonts=""  # no program to look for: a name never on the PATH makes system_packages.sh install the package
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || fonts="fc-list-dejavu-missing:fonts-dejavu-core"
chromium="chromium:chromium"
command -v chromium-browser >/dev/null && chromium=""
npm="npm:npm"
[ -s "$MERMAID_JS" ] && npm=""
tools/system_packages.sh dot:graphviz $chromium $fonts $npm

if [ ! -s "$MERMAID_JS" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "mermaid@$MERMAID_VERSION" >/dev/null)
  tar -xzf "$work"/mermaid-*.tgz -C "$work" package/dist/mermaid.min.js
  mkdir -p "$(dirname "$MERMAID_JS")"
  mv "$work/package/dist/mermaid.min.js" "$MERMAID_JS"
fi
