#!/usr/bin/env bash
# ShortestDigits (Sources/StrataReport) against Swift's `Double.description`, byte for byte: the special families,
# random short decimals and RANDOM_COUNT random bit patterns (Benchmarks/ShortestDigitsCheck/main.swift), built
# with -O as a program of its own. 10^8 patterns take about two minutes of CPU.
#
#   bash Benchmarks/shortest_digits_check.sh [RANDOM_COUNT] [SEED]     # defaults 100000000 and 17
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swiftc -O -module-name ShortestDigitsCheck -o "$work/check" Benchmarks/ShortestDigitsCheck/main.swift \
  Sources/StrataReport/ShortestDigits.swift Sources/StrataReport/ShortestDigits+Powers.swift \
  Sources/StrataReport/ShortCopy.swift
"$work/check" "$@"
