#!/usr/bin/env bash
# Installs the Debian packages graft's notebooks and tests use (Jupyter, Notebook 6, real
# PyTorch, h5py, Fashion-MNIST, Chromium) when missing. As root it installs them; otherwise it prints the
# exact command to run and fails.
set -euo pipefail
packages=(jupyter-core jupyter-client python3-nbclient python3-nbconvert python3-ipykernel
  python3-jupyter-kernel-test python3-torch python3-torchvision python3-h5py python3-numpy
  dataset-fashion-mnist chromium jupyter-notebook)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "graft needs these Debian packages: ${missing[*]}" >&2
  echo "Run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
