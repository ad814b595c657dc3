#!/usr/bin/env bash
# Makes sure libFuzzer's runtime (libclang_rt.fuzzer, with AddressSanitizer's) is there for Scripts/fuzz.sh
# and prints the directory that holds it. The Swift toolchain's own clang resource directory usually
# has it; otherwise it comes from Debian's clang runtime package (libclang-rt-<version>-dev, the newest
# the archive offers), linked from its directory.
set -euo pipefail
source "$(dirname "$0")/lib/deps.sh"

swift_bin="$(dirname "$(readlink -f "$(command -v swift)")")"
for candidate in "$swift_bin"/../lib/clang/*/lib/linux "$swift_bin"/../lib/swift/clang/lib/linux; do
  if [ -f "$candidate/libclang_rt.fuzzer-x86_64.a" ] && [ -f "$candidate/libclang_rt.asan-x86_64.a" ]; then
    readlink -f "$candidate"
    exit 0
  fi
done

check='ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a'
if ! bash -c "$check" >/dev/null 2>&1; then
  package="$(apt-cache search --names-only '^libclang-rt-[0-9]+-dev$' 2>/dev/null | awk '{print $1}' | sort -V | tail -1)"
  deps_ensure "clang's libFuzzer runtime" "$check" "${package:-libclang-rt-14-dev}"
fi
dirname "$(bash -c "$check" 2>/dev/null | sort -V | tail -1)"
