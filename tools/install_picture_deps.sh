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

missing=()
command -v dot >/dev/null || missing+=(graphviz)
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || missing+=(chromium)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -s "$MERMAID_JS" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "mermaid@$MERMAID_VERSION" >/dev/null)
  tar -xzf "$work"/mermaid-*.tgz -C "$work" package/dist/mermaid.min.js
  mkdir -p "$(dirname "$MERMAID_JS")"
  mv "$work/package/dist/mermaid.min.js" "$MERMAID_JS"
fi
