#!/usr/bin/env bash
# Installs what Strata needs to build on Debian when it is missing: GSL (libgsl-dev) and pkg-config.
set -euo pipefail
if pkg-config --exists gsl 2>/dev/null; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "strata: installing libgsl-dev and pkg-config (GSL is missing)" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libgsl-dev pkg-config >/dev/null
pkg-config --exists gsl
