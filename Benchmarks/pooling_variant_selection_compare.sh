#!/usr/bin/env bash
# The variant is chosen too (docs/analyze.md, Calibration): `strata simulate pooling --variants V` against
# the independent numpy check Benchmarks/pooling_variant_selection_check.py, the same experiment in two
# implementations (V treatments sharing one control over K segments, true effects N(0.02, tau^2), the first
# treatment ahead by LEAD pooled standard errors; analyze's two choices, the variant by Holm-credible pooled
# estimates and then its segment with the largest BLUP, none when that is tied; the named segment's raw
# interval and, from four segments, Morris's, adjusted for the K segments only and for the V x K pairs).
# Different random streams, so the figures must agree within Monte Carlo error: the last column is the
# largest |Strata - numpy| over the row's figures in combined standard errors (sqrt(se1^2 + se2^2); for a
# share, Strata's SE taken at numpy's p over Strata's campaigns, so a run with no miss still has one).
# CAMPAIGNS (default 5000) per Strata row, NUMPY_CAMPAIGNS (default 10000) per numpy row, seed 5 for both;
# SETTINGS (default "3x2 7x2 15x2 7x4 15x4 15x12") the V x K pairs, at tau 0 and 0.01 and lead 0 and 2.
# Run by hand:  bash Benchmarks/pooling_variant_selection_compare.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
strata=${STRATA:-.build/debug/strata}
out=${1:-/tmp/strata-pooling-variants}
settings=${SETTINGS:-3x2 7x2 15x2 7x4 15x4 15x12}
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
SHARES = {"leader", "none", "raw@K", "raw@VK", "morris@K", "morris@VK"}
def numpy_row(setting, tau, lead):
    for line in (out / f"numpy_{setting}_lead{lead}.txt").read_text().splitlines():
        if float(re.search(r"tau=(\S+)", line).group(1)) != float(tau):
            continue
        number = r"([-+0-9.]+) ± ([0-9.]+)"
        row = {"leader": re.search(r"variant 0 chosen\s+" + number, line).groups(),
               "none": re.search(r"none named\s+" + number, line).groups(),
               "width": re.search(r"\| width " + number, line).groups(),
               "error_raw": re.search(r"error raw " + number, line).groups(),
               "error_shrunken": re.search(r"error BLUP " + number, line).groups()}
        for name, value, se in re.findall(r"\| (\S+@\S+)\s+" + number, line):
            row[name] = (value, se)
        scale = {"width": 1}
        row = {k: (float(a) / scale.get(k, 100), float(b) / scale.get(k, 100)) for k, (a, b) in row.items()}
        row["named"] = int(re.search(r"\((\d+) named\)", line).group(1))
        row["differ"] = int(re.search(r"rules differ (\d+)", line).group(1))
        return row
    raise SystemExit(f"no numpy row for {setting} tau {tau} lead {lead}")
def strata_row(setting, tau, lead):
    r = json.loads((out / f"strata_{setting}_tau{tau}_lead{lead}.json").read_text())
    b = r["best_segment"]
    pair = lambda o, k: (o[k], o[k + "_mc_se"])
    row = {"leader": pair(r, "leader_chosen_share"), "none": pair(b, "none_named_share"),
           "raw@K": pair(b, "coverage_raw_adjusted_segments_only"), "raw@VK": pair(b, "coverage_raw_adjusted"),
           "width": pair(b, "width_quoted_over_raw_adjusted"), "error_raw": pair(b, "error_raw"),
           "error_shrunken": pair(b, "error_shrunken")}
    if b["quoted_interval"] == "morris_adjusted":
        row["morris@K"] = pair(b, "coverage_quoted_segments_only")
        row["morris@VK"] = pair(b, "coverage_quoted")
    return row, r["campaigns"], b["campaigns_named"]
def cell(s, n, key, scale=100, digits=2):
    if key not in s and key not in n:
        return "n/a"
    f = lambda x: f"{scale * x:.{digits}f}" if key != "error_raw" and key != "error_shrunken" else f"{scale * x:+.{digits}f}"
    return f"{f(s[key][0])} ± {scale * s[key][1]:.{digits}f} / {f(n[key][0])} ± {scale * n[key][1]:.{digits}f}"
keys = ["leader", "none", "raw@K", "raw@VK", "morris@K", "morris@VK", "width", "error_raw", "error_shrunken"]
print("| V × K | τ | lead | first variant chosen | none named | raw at 1 − α/K | raw at 1 − α/(V·K) | Morris at 1 − α/K | **Morris at 1 − α/(V·K)** | width / raw | error raw (pp) | error BLUP (pp) | largest gap (SE) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
worst, differ = 0.0, 0
for setting in sys.argv[2:]:
    v, k = setting.split("x")
    for lead in ("0", "2"):
        for tau in ("0", "0.01"):
            s, campaigns, named = strata_row(setting, tau, lead)
            n = numpy_row(setting, tau, lead)
            differ += n["differ"]
            gaps = []
            for key in keys:
                if key not in s:
                    continue
                if key in SHARES:
                    over = campaigns if key in ("leader", "none") else named
                    p = n[key][0]
                    se_s = math.sqrt(p * (1 - p) / max(over, 1))
                else:
                    se_s = s[key][1]
                combined = math.hypot(se_s, n[key][1])
                gaps.append(abs(s[key][0] - n[key][0]) / combined if combined > 0 else (0.0 if s[key][0] == n[key][0] else math.inf))
            worst = max(worst, max(gaps))
            cells = [cell(s, n, key) if key != "width" else cell(s, n, key, 1, 3) for key in keys]
            print(f"| {v} × {k} | {tau} | {lead} | " + " | ".join(cells) + f" | {max(gaps):.2f} |")
print(f"\nLargest gap over all rows: {worst:.2f} combined standard errors (Strata / numpy in each cell, % ± MC SE;"
      f" width and errors ± their SE). numpy campaigns where the documented variant rule and the largest"
      f" pooled estimate differ: {differ}.")
PY
