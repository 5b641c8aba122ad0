#!/usr/bin/env bash
# Install, with apt-get, the Debian packages of the programs that are not on the PATH:
#
#     tools/system_packages.sh [--optional] PROGRAM:PACKAGE ...
#
# e.g. `dot:graphviz chromium:chromium`. As root, or through sudo when it is there; otherwise
# it says what to install and fails (with --optional: only says it, for what works without).
set -euo pipefail
optional=0
if [ "${1:-}" = --optional ]; then optional=1; shift; fi
missing=()
for pair in "$@"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

give_up() {
  echo "cnncalc setup: $1; install ${missing[*]} yourself (Debian/Ubuntu: sudo apt-get install ${missing[*]})" >&2
  [ "$optional" = 1 ] && exit 0
  exit 1
}
command -v apt-get >/dev/null 2>&1 || give_up "no apt-get on this system"
if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  give_up "not root and no sudo"
fi
echo "installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
{ "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } \
  || give_up "apt-get failed"
