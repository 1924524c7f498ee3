#!/usr/bin/env bash
# Installs, from Debian's apt repositories, every Debian 12 package that the
# build and the test suite need -- only the ones that are missing.
#
# Usage: scripts/install-deps.sh        (as root, or as a user with sudo)
#
# To add a dependency, add its Debian package name to PACKAGES below.
set -euo pipefail

PACKAGES=(
  build-essential     # g++, make, libc headers
  cmake
  ninja-build
  pkg-config
  clang               # clang 14: the fuzz build
  libclang-rt-14-dev  # libFuzzer and the sanitizer runtimes for clang
  llvm                # llvm-symbolizer: symbolized stack traces in sanitizer/fuzzer reports
  clang-format
  libssl-dev          # OpenSSL (HMAC)
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  libcli11-dev
  libfmt-dev
  nlohmann-json3-dev
  libspdlog-dev
  git
  # The real daemon, its API and drivers
  libasio-dev         # standalone asio: the daemon's event loop, UDP, timers
  libcpp-httplib-dev  # HTTP for the JSON-RPC API (a compiled library: pkg-config cpp-httplib)
  libtomlplusplus-dev # daemon configuration files
  prometheus-cpp-dev  # /metrics
  libsystemd-dev      # sd_notify readiness and watchdog
  libnbd-dev          # statefile and metadata on an NBD export
  libnbd-bin
  libvirt-dev         # the libvirt VM driver (tested on the test:/// driver)
  qemu-system-x86     # QEMU micro-VMs
  qemu-utils          # qemu-nbd, qemu-img
  nbd-server
  busybox-static      # the micro-VM's initramfs
  cpio                # packs the micro-VM initramfs
  linux-image-cloud-amd64  # the micro-VM's kernel
  iproute2            # network namespaces for the integration tests
  nftables            # packet loss and partitions inside namespaces
)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: dpkg-query/apt-get not found; this script supports Debian 12 only" >&2
  exit 1
fi

is_installed() {
  local status
  status="$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)"
  [[ "$status" == "installed" ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! is_installed "$pkg"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run this script as root (or install sudo) to install them" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"

still_missing=()
for pkg in "${missing[@]}"; do
  if ! is_installed "$pkg"; then
    still_missing+=("$pkg")
  fi
done
if ((${#still_missing[@]} != 0)); then
  echo "install-deps: failed to install: ${still_missing[*]}" >&2
  exit 1
fi
echo "install-deps: installed: ${missing[*]}"
