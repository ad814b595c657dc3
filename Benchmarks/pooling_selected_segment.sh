#!/usr/bin/env bash
# Honest selection (docs/analyze.md, Calibration, "The segment analyze names"): for 2, 3, 4, 6, 12 and 40
# segments and true tau 0, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.04, `strata simulate pooling
# --calibrated`, seed 7: what `analyze` quotes for every segment (coverage_quoted: the raw interval
# Bonferroni-adjusted for 2 with two segments, hierarchical Bayes with three, Morris's from four) and for the
# segment it names (best_segment: the largest shrunken estimate per campaign; best_segment.coverage_quoted is
# the calibrated interval at 1 - alpha/K since 2026-12-05, best_segment.coverage_calibrated the one at the
# plan's level quoted before, width_quoted_over_raw_adjusted its width over the raw adjusted one's).
# Since 2026-12-05 a campaign whose largest shrunken estimate is tied (every one with tau^2-hat = 0) names no
# segment, as analyze names none, and is left out of best_segment.*: the last column is their share.
# One JSON file per row, then the table. CAMPAIGNS (default 5000) sets the campaigns per row, CAMPAIGNS3
# (default 2000) those of the three-segment rows, which take minutes each in a debug build (the
# hierarchical-Bayes interval); SEGMENTS (default "2 3 4 6 12 40") which segment counts to run.
# Run by hand:  bash Benchmarks/pooling_selected_segment.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
strata=${STRATA:-.build/debug/strata}
out=${1:-/tmp/strata-pooling-selected}
segment_counts=${SEGMENTS:-2 3 4 6 12 40}
mkdir -p "$out"
for segments in $segment_counts; do
  campaigns=${CAMPAIGNS:-5000}
  [ "$segments" = 3 ] && campaigns=${CAMPAIGNS3:-2000}
  for tau in 0 0.0025 0.005 0.0075 0.01 0.015 0.02 0.04; do
    file="$out/segments${segments}_tau${tau}.json"
    [ -s "$file" ] && continue
    nice -n 10 "$strata" simulate pooling --segments "$segments" --tau "$tau" --campaigns "$campaigns" --seed 7 \
      --calibrated --json > "$file.tmp"
    mv "$file.tmp" "$file"
  done
done
python3 - "$out" $segment_counts <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
counts = [int(k) for k in sys.argv[2:]]
def pct(x, se): return f"{100 * x:.2f} ± {100 * se:.2f}" if x is not None else "n/a"
print("| segments | true τ | campaigns | every segment: calibrated (2: raw, Bonferroni) | named: BLUP | named: raw, Bonferroni over K | named: calibrated (quoted until 2026-12-05) | **named: calibrated at 1 − α/K (quoted)** | width / raw Bonferroni | mean error raw / shrunken (pp) | none named |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for segments in counts:
    for tau in ("0", "0.0025", "0.005", "0.0075", "0.01", "0.015", "0.02", "0.04"):
        r = json.loads((out / f"segments{segments}_tau{tau}.json").read_text())
        b = r["best_segment"]
        print(f"| {segments} | {tau} | {r['campaigns']} | {pct(r['coverage_quoted'], r['coverage_quoted_mc_se'])} | "
              f"{pct(b['coverage_shrunken'], b['coverage_shrunken_mc_se'])} | "
              f"{pct(b['coverage_raw_adjusted'], b['coverage_raw_adjusted_mc_se'])} | "
              f"{pct(b['coverage_calibrated'], b['coverage_calibrated_mc_se'])} | "
              f"**{pct(b['coverage_quoted'], b['coverage_quoted_mc_se'])}** (`{b['quoted_interval']}`) | "
              f"{b['width_quoted_over_raw_adjusted']:.3f} | "
              f"{100 * b['error_raw']:+.2f} / {100 * b['error_shrunken']:+.2f} | "
              f"{100 * b.get('none_named_share', 0):.1f}% |")
PY
