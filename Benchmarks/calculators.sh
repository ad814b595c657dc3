#!/usr/bin/env bash
# Wall-clock time of `strata calc` on the hardest inputs (Fisher's exact test on huge tables above all).
# usage: Benchmarks/calculators.sh [path/to/strata] [repeats]
# Prints the median of `repeats` runs per command (process start-up included).
set -euo pipefail
STRATA=${1:-.build/release/strata}
REPEATS=${2:-11}

median_ms() {
  local times=()
  for _ in $(seq "$REPEATS"); do
    local start end
    start=$(date +%s%N)
    "$STRATA" "$@" --json > /dev/null
    end=$(date +%s%N)
    times+=($(((end - start) / 1000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

printf '%-72s %10s\n' "command (strata ... --json)" "median ms"
while IFS= read -r line; do
  [[ -z "$line" ]] && continue
  read -r -a args <<< "$line"
  printf '%-72s %10s\n' "${args[*]}" "$(median_ms "${args[@]}")"
done <<'CASES'
--version
calc fisher --table 3,1;1,3
calc fisher --table 500,10;10,500
calc fisher --table 10000000,90000000;10010000,89990000
calc fisher --table 100000000,100000000;100010000,99990000
calc fisher --table 1000000000,1000000000;1000000000,1000100000
calc fisher --table 100000000,0;0,100000000
calc chi2 --table 5000,1000,500,300;1800,1200,600,250;1000,1500,700,400
calc proportions --a 10000000,100000000 --b 10005000,100000000
calc ttest --a 100000000,10.0,3.0 --b 100000000,10.001,3.0
calc msprt --a 5000,3.0,1.5 --b 3000,3.08,1.9 --tau 0.05
CASES
