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
runtime="$(bash Scripts/ensure-fuzz-deps.sh)"
swift_bin="$(dirname "$(readlink -f "$(command -v swift)")")"
linker_flags=()
case "$runtime" in
  "$(readlink -f "$swift_bin/..")"/*) ;;  # the toolchain's own runtime: the driver finds it
  *) linker_flags=(-Xlinker -L"$runtime") ;;
esac

mkdir -p .build-fuzz
echo "fuzz.sh: building $product with -sanitize=fuzzer,address (log: .build-fuzz/build.log)" >&2
if ! STRATA_FUZZ=1 swift build --build-path .build-fuzz -c debug --product "$product" \
  -Xswiftc -sanitize=fuzzer,address "${linker_flags[@]}" >.build-fuzz/build.log 2>&1; then
  grep -E "error" .build-fuzz/build.log | head -20 >&2
  echo "fuzz.sh: the build failed; see .build-fuzz/build.log" >&2
  exit 1
fi

corpus=".build-fuzz/corpus/$1"
findings=".build-fuzz/findings"
mkdir -p "$corpus" "$findings"
echo "fuzz.sh: $product for $seconds s (corpus $corpus, seeds Fuzz/corpus/$1)" >&2
ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" ".build-fuzz/debug/$product" "$corpus" "Fuzz/corpus/$1" \
  -max_total_time="$seconds" -rss_limit_mb=3072 -timeout=20 -print_final_stats=1 \
  -artifact_prefix="$findings/$1-"
