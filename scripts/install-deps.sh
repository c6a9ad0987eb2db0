#!/usr/bin/env bash
# Installs the Debian packages voltpool builds and tests with. Idempotent and fast when nothing is missing:
# apt-get runs (update first, then install -y) only when a package is absent.
set -euo pipefail
packages=(
  g++ cmake ninja-build ccache pkg-config make
  libcli11-dev nlohmann-json3-dev libfmt-dev zlib1g-dev
  coinor-libclp-dev
  libboost1.81-dev libsqlite3-dev libssl-dev libspdlog-dev openssl
  libgtest-dev libgmock-dev libbenchmark-dev
  libpq-dev postgresql
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm (the OCPP schemas and the test peer come from npm): Debian's, unless some node is there already.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
install_npm_side() {
  # js/: ocpp-rpc (official OCPP JSON schemas for code generation; strict OCPP client for the tests).
  local js; js="$(dirname "$0")/../js"
  if [ ! -f "$js/node_modules/ocpp-rpc/lib/schemas/ocpp2_1.json" ]; then
    echo "install-deps: npm ci in js/"
    npm ci --prefix "$js" --no-audit --no-fund --loglevel=error
  fi
}
if [ ${#missing[@]} -eq 0 ]; then
  install_npm_side
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root or install them" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=900 update -qq
apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}"
install_npm_side
