#!/usr/bin/env bash
# Installs what Strata needs to build on Debian when it is missing: GSL (libgsl-dev) and pkg-config. Every
# check prints what failed and what to run (Scripts/lib/deps.sh). Components that only some jobs need get
# their own sibling script built the same way (see the comment at the top of Scripts/lib/deps.sh).
set -euo pipefail
source "$(dirname "$0")/lib/deps.sh"
deps_ensure "GSL (libgsl-dev)" "pkg-config --exists gsl" libgsl-dev pkg-config
