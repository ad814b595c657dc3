#!/usr/bin/env bash
# Renders every example report in headless Chromium and fails when a reader would be let down:
# axe-core violations (1280 and 390 px), a page wider than a 390 px phone, text cut off at the right edge of
# its box on a phone (a card's value), chart text under 11 px on a phone, a chart (but those that scroll
# sideways by design) with marks or text off-screen at 390 px, a decision headline below the first
# 900 px at 1280 px, a numeric table column not right-aligned or a column of words right-aligned (1280 px), or
# a printed PDF (pdftotext) missing a column header of the results table or with a page ending in a heading,
# caption, table header or introducing paragraph whose content starts the next page, a caption split between
# two pages, text under 7 pt, or a
# page (but the last) less than a third used; a forest plot showing other than exactly one chart (the phone
# chart up to 800 px, the wide one above and in print, or its print blocks); forest plot text off the chart or
# overlapping another text or a mark (measured by Chromium); two labels of one chart (rows, legend entries, an
# axis's ticks) that read the same though they name different things (1280 and 390 px, print); a discovery
# scatter's point on or outside its frame; a discovery k-selection chart's point on or under its x axis; a table that scrolls sideways (its p and flags
# hidden) at any width checked; a word of a table cell on two lines (1,101 and 1,280 px); a card's wrapped words
# not left-aligned or a card's label shown with no value (390-1,100 px); and at 700, 768, 801, 900, 1,024 and 1,101 px (tablets,
# the wide forest plot's smallest, small laptops) chart text under 11 px, a chart not whole on screen or text cut
# off at the right. Run by CI
# (.ci/run) after Scripts/test.sh.
#
#   bash Scripts/check-reports.sh [OUTPUT_DIR]     # screenshots and PDFs land in OUTPUT_DIR
#
# Reports checked: the bundled examples generated afresh (reports/examples' recipe, Scripts/examples.sh: the
# gym, factorial, basket and eight-city examples), the
# segment-discovery report of the gym audience (strata discover --report),
# the gym example at an unplanned look (look 4 of a 3-look plan), the factorial example as a 3-look plan at
# look 2 (14 comparisons in its look log), the service's dashboard page and live report
# (Scripts/lib/service_walkthrough.py), and the report snapshots of the tests (hostile names, a sequential look,
# a small factorial, long segment, variant and metric names), forty segments with 75-character names, and two
# variants with long names alike but for their middle.
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(bash Scripts/ensure-report-deps.sh | tail -1)
bash Scripts/build.sh
STRATA=.build/debug/strata
out=${1:-.build/report-check}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out" "$work/examples" "$work/unplanned"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1795305600}
$STRATA analyze --experiment experiments/gym-renewal.yaml --data experiments/data/gym-renewal.csv \
  --report "$work/examples" --look-log "$work/gym.looks.jsonl" >/dev/null
$STRATA analyze --experiment experiments/email-factorial.yaml --data experiments/data/email-factorial.csv \
  --report "$work/examples" >/dev/null
$STRATA analyze --experiment experiments/basket-bundle.yaml --data experiments/data/basket-bundle.csv \
  --report "$work/examples" --no-look-log >/dev/null
$STRATA analyze --experiment experiments/city-delivery.yaml --data experiments/data/city-delivery.csv \
  --report "$work/examples" --no-look-log >/dev/null
$STRATA analyze --experiment experiments/gym-renewal.yaml --data experiments/data/gym-renewal.csv \
  --report "$work/unplanned" --look 4 --no-look-log >/dev/null
$STRATA discover --input experiments/data/gym-audience.csv --features checkins_90d,tenure_months,classes_90d,spend_90d \
  --from-plan experiments/gym-class-nudge.yaml --k 2..5 --seed 7 --output "$work/gym-class-nudge-segments.yaml" \
  --report "$work/examples" >/dev/null
mv "$work/unplanned/gym-renewal-2026.html" "$work/examples/gym-renewal-2026-unplanned-look.html"
# A look log with many comparisons: the factorial example (7 variants x 2 segments) as a 3-look plan, two looks
# recorded. Printed with one z column per comparison it was wider than the page and Chromium scaled every page
# down (text at 5.3 pt).
mkdir -p "$work/sequential"
sed 's/^  power: 0.8$/&\n  looks: 3\n  fractions: [0.33, 0.67, 1]\n  spending: obf\n  daily_units: 400/' \
  experiments/email-factorial.yaml >"$work/sequential/email-factorial.yaml"
grep -q '^  looks: 3$' "$work/sequential/email-factorial.yaml"
for look in 1 2; do
  $STRATA analyze --experiment "$work/sequential/email-factorial.yaml" --data experiments/data/email-factorial.csv \
    --report "$work/sequential" --look-log "$work/sequential/looks.jsonl" --look $look >/dev/null
done
mv "$work/sequential/email-factorial-2026.html" "$work/examples/email-factorial-2026-sequential.html"
# The service: its dashboard (GET /) and a live report (an interim view), from the walk-through of Scripts/main.sh
# (strata serve on SQLite, loopback).
python3 Scripts/lib/service_walkthrough.py "$STRATA" "$work/service" >/dev/null
cp "$work/service/dashboard.html" "$work/service/gym-renewal-2026.live.html" "$work/examples/"
# Forty segments with 75-character names (30 shown), aggregated cells: the grouped tables, the partial pooling by
# segment and the post-stratified weights as a table of their own (in each variant's row they were 2,300
# characters and, printed, left a page 13% used).
mkdir -p "$work/forty"
python3 - "$work/forty" <<'PY'
import sys
out = sys.argv[1]
names = [f"WWM_Wholesale_Warehouse_region_{i:02d}_returning_customers_with_a_loyalty_card" for i in range(1, 41)]
with open(f"{out}/forty.yaml", "w") as plan:
    plan.write("id: forty-long-names\nname: Forty segments with long names\nunit: unit_id\nvariants:\n"
               "  - key: control\n  - key: v1\n  - key: v2\nsegments:\n")
    plan.writelines(f"  - name: {name}\n    rule: region == \"{i}\"\n" for i, name in enumerate(names))
    plan.write("metrics:\n  - name: converted\n    kind: binomial\n    role: primary\n    missing: zero\n"
               "plan:\n  alpha: 0.05\n  power: 0.8\n  baseline: 0.1\n  mde: 0.02\n")
with open(f"{out}/forty.csv", "w") as data:
    data.write("variant,segment,n,converted_sum\n")
    for i, name in enumerate(names):
        for v, lift in (("control", 0), ("v1", 1), ("v2", 2)):
            n = 1500 + 37 * i
            data.write(f"{v},{name},{n},{n * (8 + i % 5 + lift) // 100}\n")
PY
$STRATA analyze --experiment "$work/forty/forty.yaml" --data "$work/forty/forty.csv" --report "$work/examples" \
  --no-look-log >/dev/null
# Two variants whose 79-character names are alike but for their middle (..._variant_A_... and _B_), two segments,
# a 3-look plan at its first look: every chart that shortens a name (the forest plot's rows, wide and phone, and
# the legends of the boundary and lift charts) drew both variants alike on main (CHART_LABELS_JS).
mkdir -p "$work/alike"
python3 - "$work/alike" <<'PY'
import sys
out = sys.argv[1]
variants = [f"spring_newsletter_subject_line_test_variant_{x}_with_emoji_and_a_long_preheader" for x in "AB"]
segments = ["returning_members", "new_members"]
with open(f"{out}/alike.yaml", "w") as plan:
    plan.write("id: alike-variant-names\nname: Variant names alike but for their middle\nunit: unit_id\n"
               "variants:\n  - key: control\n" + "".join(f"  - key: {v}\n" for v in variants) + "segments:\n")
    plan.writelines(f"  - name: {s}\n    rule: kind == \"{s}\"\n" for s in segments)
    plan.write("metrics:\n  - name: opened\n    kind: binomial\n    role: primary\n    missing: zero\n"
               "plan:\n  alpha: 0.05\n  power: 0.8\n  baseline: 0.2\n  mde: 0.02\n  looks: 3\n"
               "  fractions: [0.33, 0.67, 1]\n  spending: obf\n  daily_units: 400\n")
with open(f"{out}/alike.csv", "w") as data:
    data.write("variant,segment,n,opened_sum\n")
    for i, s in enumerate(segments):
        for v, lift in (("control", 0), (variants[0], 2), (variants[1], 3 + i)):
            n = 2400 + 300 * i
            data.write(f"{v},{s},{n},{n * (20 + lift) // 100}\n")
PY
$STRATA analyze --experiment "$work/alike/alike.yaml" --data "$work/alike/alike.csv" --report "$work/examples" \
  --look-log "$work/alike/looks.jsonl" >/dev/null
cp Tests/StrataReportTests/Snapshots/*.html "$work/examples/"
"$python" Scripts/check_reports.py "$out" "$work"/examples/*.html
