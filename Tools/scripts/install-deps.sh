#!/usr/bin/env bash
# Installs the Debian packages SANNKit builds against, only when one is missing:
# OpenBLAS and libxsmm (matrix products), GLPK and GMP (the Theory package), pkg-config; and numpy,
# onnx and onnxruntime (pip) for the tests that read model files and exported ONNX models.
set -euo pipefail
packages=(libopenblas-dev libxsmm-dev libglpk-dev libgmp-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update
  $sudo apt-get install -y "${missing[@]}"
fi
# numpy, for the test that reads model files with Tools/scripts/sannkit_model.py (never a
# runtime dependency of SANNKit).
if command -v python3 > /dev/null && ! python3 -c "import numpy" 2> /dev/null; then
  echo "installing: numpy (pip)"
  python3 -m pip install --quiet numpy
fi
# onnx and onnxruntime, for the test that checks `sann export --format onnx` against `sann predict`
# and `sann explain` (test-only, like numpy).
if command -v python3 > /dev/null && ! python3 -c "import onnx, onnxruntime" 2> /dev/null; then
  echo "installing: onnx onnxruntime (pip)"
  python3 -m pip install --quiet onnx onnxruntime
fi
