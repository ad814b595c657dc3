# Shared helpers for the ensure-*.sh scripts: check for a component, install its Debian packages when it
# is missing (as root, or through sudo with DEBIAN_FRONTEND kept), check again, and say what failed and
# what to run when something does not work. Source it; do not run it.
#
# A sibling script for another component (PostgreSQL, Chromium, Python packages, ...) looks like this:
#
#   #!/usr/bin/env bash
#   # Installs PostgreSQL 15 for the tests that start a throwaway cluster.
#   set -euo pipefail
#   source "$(dirname "$0")/lib/deps.sh"
#   deps_ensure "PostgreSQL 15 server" "test -x /usr/lib/postgresql/15/bin/initdb" postgresql
#
# and Scripts/test.sh (or Scripts/main.sh) calls it after Scripts/ensure-deps.sh. `deps_run_root CMD...`
# runs any other command as root the same way (e.g. a pip install into a system location).

# Runs a command as root: directly when already root, else through sudo with DEBIAN_FRONTEND kept (sudo
# resets the environment, so it is passed explicitly through env).
deps_run_root() {
  if [ "$(id -u)" -eq 0 ]; then
    env DEBIAN_FRONTEND=noninteractive "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo env DEBIAN_FRONTEND=noninteractive "$@"
  else
    echo "strata: need root to run: $*" >&2
    echo "strata: run this script as root, or install sudo" >&2
    return 1
  fi
}

deps_apt_updated=""

# Installs Debian packages with apt-get (one `apt-get update` per script run). On failure, prints the
# command that failed and the one to run by hand, and returns 1.
deps_apt_install() {
  if [ -z "$deps_apt_updated" ]; then
    if ! deps_run_root apt-get update -qq; then
      echo "strata: 'apt-get update' failed (see above); check the network or the apt sources, then run:" >&2
      echo "  sudo apt-get update && sudo apt-get install -y $*" >&2
      return 1
    fi
    deps_apt_updated=1
  fi
  if ! deps_run_root apt-get install -y -qq "$@" >/dev/null; then
    echo "strata: 'apt-get install -y $*' failed (see above); run it by hand:" >&2
    echo "  sudo apt-get install -y $*" >&2
    return 1
  fi
}

# deps_ensure NAME CHECK PACKAGE...
#   Runs the shell command CHECK; if it fails, installs the Debian PACKAGEs and runs CHECK again. Exits
#   the calling script with status 1 and a message naming NAME, CHECK and what to run when the component
#   is still missing.
deps_ensure() {
  local name=$1 check=$2
  shift 2
  if bash -c "$check" >/dev/null 2>&1; then
    return 0
  fi
  echo "strata: installing $* ($name is missing: '$check' failed)" >&2
  deps_apt_install "$@" || exit 1
  if ! bash -c "$check" >/dev/null 2>&1; then
    echo "strata: $name is still missing after installing $*: '$check' fails." >&2
    echo "strata: install it by hand (sudo apt-get install -y $*) and check with: $check" >&2
    exit 1
  fi
}
