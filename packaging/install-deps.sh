#!/usr/bin/env bash
# Installs every Debian 12 package Roadsight needs to build, test and run. Idempotent.
set -euo pipefail
pkgs=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libopenblas0-pthread          # LibTorch 1.13 (CPU); OpenBLAS instead of reference BLAS
  python3-torch python3-torchvision          # independent references for the MSDA and ResNet parity tests
  libjpeg62-turbo-dev
  libvulkan-dev glslc mesa-vulkan-drivers vulkan-tools vulkan-validationlayers
  libglm-dev libimgui-dev
  qt6-base-dev qt6-base-dev-tools libgl-dev
  libgtest-dev libgmock-dev
  clang-14 libclang-rt-14-dev                 # libFuzzer targets
  xvfb xauth
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
