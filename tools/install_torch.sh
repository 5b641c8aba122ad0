#!/usr/bin/env bash
# Install PyTorch (torch, torchvision) into a virtual environment, at the versions of constraints.txt:
# its CPU build from PyTorch's CPU index when that answers (PyPI's Linux wheels carry CUDA,
# gigabytes of it), else from the default index.
#
#     tools/install_torch.sh .venv/bin/python [INDEX_URL]
set -euo pipefail
cd "$(dirname "$0")/.."
python=$1
index=${2:-}
install=("$python" -m pip install -q -c constraints.txt)

answers() {
  "$python" - "$1" <<'PY'
import sys
import urllib.request

try:
    urllib.request.urlopen(sys.argv[1].rstrip("/") + "/torch/", timeout=5)
except Exception:
    sys.exit(1)
PY
}

if [ -n "$index" ] && answers "$index"; then
  echo "installing PyTorch's CPU build from $index"
  if "${install[@]}" --index-url "$index" torch torchvision; then
    exit 0
  fi
  echo "$index did not serve it; installing PyTorch from the default index" >&2
elif [ -n "$index" ]; then
  echo "PyTorch's CPU index ($index) does not answer; installing PyTorch from the default index"
fi
"${install[@]}" torch torchvision
