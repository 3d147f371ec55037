#!/usr/bin/env bash
# Installs the Debian packages SANNKit builds against, only when one is missing:
# OpenBLAS (matrix products), GLPK and GMP (the Theory package), pkg-config.
set -euo pipefail
packages=(libopenblas-dev libglpk-dev libgmp-dev pkg-config)
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
