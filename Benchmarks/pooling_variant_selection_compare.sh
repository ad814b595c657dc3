#!/usr/bin/env bash
# The variant is chosen too (docs/analyze.md, Calibration): `strata simulate pooling --variants V` against
# the independent numpy check Benchmarks/pooling_variant_selection_check.py, the same experiment in two
# implementations (V treatments sharing one control over K segments, true effects N(0.02, tau^2), the first
# treatment ahead by LEAD pooled standard errors; analyze's two choices; the named segment's raw interval
# and, from four segments, Morris's, adjusted for the K segments only and for the V x K pairs).
# Different random streams, so the coverages must agree within Monte Carlo error: the last column is the
# largest |Strata - numpy| over the row's coverages in combined standard errors (sqrt(se1^2 + se2^2)).
# CAMPAIGNS (default 5000) per Strata row, NUMPY_CAMPAIGNS (default 10000) per numpy row, seed 5 for both;
# SETTINGS (default "3x2 7x2 7x4 15x4") the V x K pairs, at tau 0 and 0.01 and lead 0 and 2.
# Run by hand:  bash Benchmarks/pooling_variant_selection_compare.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
strata=${STRATA:-.build/debug/strata}
out=${1:-/tmp/strata-pooling-variants}
settings=${SETTINGS:-3x2 7x2 7x4 15x4}
campaigns=${CAMPAIGNS:-5000}
numpy_campaigns=${NUMPY_CAMPAIGNS:-10000}
mkdir -p "$out"
for setting in $settings; do
  variants=${setting%x*}
  segments=${setting#*x}
  for lead in 0 2; do
    file="$out/numpy_${setting}_lead${lead}.txt"
    if [ ! -s "$file" ]; then
      nice -n 10 python3 Benchmarks/pooling_variant_selection_check.py "$variants" "$segments" 0,0.01 "$lead" \
        "$numpy_campaigns" 5 > "$file.tmp"
      mv "$file.tmp" "$file"
    fi
    for tau in 0 0.01; do
      file="$out/strata_${setting}_tau${tau}_lead${lead}.json"
      [ -s "$file" ] && continue
      nice -n 10 "$strata" simulate pooling --variants "$variants" --segments "$segments" --tau "$tau" \
        --lead "$lead" --campaigns "$campaigns" --seed 5 --calibrated --json > "$file.tmp"
      mv "$file.tmp" "$file"
    done
  done
done
python3 - "$out" $settings <<'PY'
import json, math, pathlib, re, sys
out = pathlib.Path(sys.argv[1])
def numpy_row(setting, tau, lead):
    for line in (out / f"numpy_{setting}_lead{lead}.txt").read_text().splitlines():
        if float(re.search(r"tau=(\S+)", line).group(1)) != float(tau):
            continue
        row = {"leader": (float(re.search(r"variant 0 chosen\s+(\S+)%", line).group(1)) / 100, None)}
        for name, value, se in re.findall(r"\| (\S+@\S+)\s+(\S+) ± (\S+)", line):
            row[name] = (float(value) / 100, float(se) / 100)
        campaigns = int(re.search(r"campaigns=(\d+)", line).group(1))
        p = row["leader"][0]
        row["leader"] = (p, math.sqrt(p * (1 - p) / campaigns))
        return row
    raise SystemExit(f"no numpy row for {setting} tau {tau} lead {lead}")
def strata_row(setting, tau, lead):
    r = json.loads((out / f"strata_{setting}_tau{tau}_lead{lead}.json").read_text())
    b = r["best_segment"]
    row = {"leader": (r["leader_chosen_share"], r["leader_chosen_share_mc_se"]),
           "raw@K": (b["coverage_raw_adjusted_segments_only"], b["coverage_raw_adjusted_segments_only_mc_se"]),
           "raw@VK": (b["coverage_raw_adjusted"], b["coverage_raw_adjusted_mc_se"])}
    if b["quoted_interval"] == "morris_adjusted":
        row["morris@K"] = (b["coverage_quoted_segments_only"], b["coverage_quoted_segments_only_mc_se"])
        row["morris@VK"] = (b["coverage_quoted"], b["coverage_quoted_mc_se"])
    return row, r["campaigns"]
def cell(s, n, key):
    if key not in s and key not in n:
        return "n/a"
    return f"{100 * s[key][0]:.2f} ± {100 * s[key][1]:.2f} / {100 * n[key][0]:.2f} ± {100 * n[key][1]:.2f}"
keys = ["leader", "raw@K", "raw@VK", "morris@K", "morris@VK"]
print("| V × K | τ | lead | Strata campaigns | first variant chosen | raw at 1 − α/K | raw at 1 − α/(V·K) | Morris at 1 − α/K | **Morris at 1 − α/(V·K)** | largest gap (combined SE) |")
print("|---|---|---|---|---|---|---|---|---|---|")
worst = 0.0
for setting in sys.argv[2:]:
    v, k = setting.split("x")
    for lead in ("0", "2"):
        for tau in ("0", "0.01"):
            s, campaigns = strata_row(setting, tau, lead)
            n = numpy_row(setting, tau, lead)
            gaps = [abs(s[key][0] - n[key][0]) / math.hypot(s[key][1], n[key][1]) for key in keys if key in s]
            worst = max(worst, max(gaps))
            print(f"| {v} × {k} | {tau} | {lead} | {campaigns} | " + " | ".join(cell(s, n, key) for key in keys)
                  + f" | {max(gaps):.2f} |")
print(f"\nLargest gap over all rows: {worst:.2f} combined standard errors (Strata / numpy in each cell, % ± MC SE).")
PY
