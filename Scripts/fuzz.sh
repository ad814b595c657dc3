#!/usr/bin/env bash
# Fuzzes one parser with libFuzzer + AddressSanitizer for a number of seconds.
#
#   Scripts/fuzz.sh csv|rule|yaml SECONDS
#
#   csv   the CSV scanner and the readers built on it (analyze data, assign input)
#   rule  the rule language (segment, eligibility and consent rules)
#   yaml  the experiment loader (YAML, every field's validation)
#
# Builds in .build-fuzz/ (never touching the normal build), starts from the seeds in Fuzz/corpus/TARGET,
# keeps what it learns in .build-fuzz/corpus/TARGET, and writes any crashing input to
# .build-fuzz/findings/TARGET-*. Exit status 0: no finding in SECONDS. Run long sessions in the
# background with `nice -n 10`; record clean runs in docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  csv) product=CSVScannerFuzz ;;
  rule) product=RuleParserFuzz ;;
  yaml) product=ExperimentLoaderFuzz ;;
  *) echo "usage: Scripts/fuzz.sh csv|rule|yaml SECONDS" >&2; exit 64 ;;
esac
seconds="${2:-}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: Scripts/fuzz.sh csv|rule|yaml SECONDS (SECONDS a whole number ≥ 1)" >&2
  exit 64
fi

bash Scripts/ensure-deps.sh >/dev/null

# libFuzzer and ASan runtimes: the Swift toolchain's own clang resource directory has them; a toolchain
# without them gets clang's runtime from Debian (libclang-rt-<version>-dev), linked from its directory.
swift_bin="$(dirname "$(readlink -f "$(command -v swift)")")"
linker_flags=()
if ! ls "$swift_bin"/../lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 \
  && ! ls "$swift_bin"/../lib/swift/clang/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  runtime="$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null | tail -1 || true)"
  if [ -z "$runtime" ]; then
    echo "fuzz.sh: installing clang's sanitizer runtime (libclang-rt-dev) from Debian" >&2
    sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    package="$(apt-cache search --names-only '^libclang-rt-[0-9]+-dev$' | awk '{print $1}' | sort -V | tail -1)"
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${package:-libclang-rt-14-dev}"
    runtime="$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a | tail -1)"
  fi
  linker_flags=(-Xlinker -L"$(dirname "$runtime")")
fi

STRATA_FUZZ=1 swift build --build-path .build-fuzz -c debug --product "$product" \
  -Xswiftc -sanitize=fuzzer,address "${linker_flags[@]}" 2>&1 | grep -E "error|warning: unre|Compiling|Build" | tail -5

corpus=".build-fuzz/corpus/$1"
findings=".build-fuzz/findings"
mkdir -p "$corpus" "$findings"
echo "fuzz.sh: $product for $seconds s (corpus $corpus, seeds Fuzz/corpus/$1)" >&2
ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" ".build-fuzz/debug/$product" "$corpus" "Fuzz/corpus/$1" \
  -max_total_time="$seconds" -rss_limit_mb=3072 -timeout=20 -print_final_stats=1 \
  -artifact_prefix="$findings/$1-"
