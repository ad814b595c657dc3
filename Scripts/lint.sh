#!/usr/bin/env bash
# Formatting check: `swift format lint --strict` with the committed .swift-format over Sources, Tests,
# Benchmarks and Package.swift. Fails (exit 1) on any finding. To fix most findings in place:
#
#   swift format -i -r Sources Tests Benchmarks Package.swift
set -euo pipefail
cd "$(dirname "$0")/.."
swift format lint --strict --configuration .swift-format -r Sources Tests Benchmarks Package.swift
echo "strata: swift format lint --strict: no findings" >&2
