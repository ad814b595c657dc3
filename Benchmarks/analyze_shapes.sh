#!/usr/bin/env bash
# The shapes real files have, against the benchmark's own (issue 17): the same rows as the 5 x 3 segment file
# (`seg-1`..`seg-5`, variants `control`, `v1`, `v2`, LF line ends) with longer names, CRLF line ends or quoted
# strings, each made from that file with sed/awk. Runs are interleaved (every shape once per round, ROUNDS rounds);
# CPU time (user + system) and peak RSS from /usr/bin/time; the summary gives min / median / max CPU, each shape's
# median against the base, and whether its JSON carries the base's results (the names mapped back; the input's
# path and size left out; numbers to 1e-9 relative, as other bytes put the chunks' ends at other rows).
#
#   bash Benchmarks/analyze_shapes.sh [ROWS] [ROUNDS] [STRATA]   # defaults 10000000, 5, a release build
#
# Shapes: variants11 (`treatment-a`, `treatment-b`), segments9 (`segment-1`..), segments21 (`high-engagement-gym-1`..),
# segments41 (`high-engagement-gym-members-renewal-due-1`..), crlf (`\r\n` line ends), quoted (every unit id,
# variant and segment in double quotes, the header's names too, as R's write.csv writes them), digits17 (every
# revenue times 1.1 written with %.17g, `55.407000000000004`, as pandas' to_csv and R write computed floats; its
# numbers differ from the base's by design, so its check is against the same file read through a pipe with no
# temporary copy (TMPDIR=/nonexistent), row by row, where the one-pass row is not used: the same JSON but the input's
# name, byte for byte), exponent (every revenue written with %.6e, `1.841000e+01`, as numpy's savetxt and pandas'
# float_format='%e' write them: the same values as the base's; checked as digits17 is, against its pipe read, and
# against the base's results), spaces (a `city` column the analysis skips inserted after the segment, `New York`,
# `Los Angeles` and `Boston` in turn, unquoted, as CRM and pandas exports write text columns), quoteall (every field
# quoted, numbers and the header too, as Python's csv.QUOTE_ALL and pandas' to_csv(quoting=1) write them) and
# nonnumeric (every field but numbers quoted, empty values as `""`: csv.QUOTE_NONNUMERIC), both made by
# Benchmarks/quoted_all_data.py.
# The files go to bench-data/shapes-ROWS/ (not committed); results are appended to bench-data/analyze-shapes.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-10000000}"
ROUNDS="${2:-5}"
STRATA="${3:-}"
OUT="bench-data/analyze-shapes.txt"
BASE="bench-data/segments-$ROWS-5x3"
DIR="bench-data/shapes-$ROWS"
mkdir -p "$DIR"
if [ ! -f "$BASE.csv" ]; then
  python3 -c "import numpy, pandas" 2>/dev/null || pip install numpy pandas
  python3 Benchmarks/analyze_segments_data.py --rows "$ROWS" --segments 5 --variants 3 --out "$BASE.csv" \
    --experiment "$BASE.yaml"
fi
if [ -z "$STRATA" ]; then
  swift build -c release --product strata
  STRATA=.build/release/strata
fi

# shape name, sed script for the data (empty: see below), sed script for the YAML
make_shape() {
  local shape=$1 data_sed=$2 yaml_sed=$3
  [ -f "$DIR/$shape.csv" ] && [ "$DIR/$shape.csv" -nt "$BASE.csv" ] && return
  sed "$yaml_sed" "$BASE.yaml" > "$DIR/$shape.yaml"
  case "$shape" in
    crlf) sed 's/$/\r/' "$BASE.csv" > "$DIR/$shape.csv.tmp" ;;
    quoted) awk -F, 'BEGIN { OFS = "," } { $1 = "\"" $1 "\""; $2 = "\"" $2 "\""; $3 = "\"" $3 "\""; print }' \
      "$BASE.csv" > "$DIR/$shape.csv.tmp" ;;
    digits17) awk -F, 'BEGIN { OFS = "," } NR > 1 && $5 != "" { $5 = sprintf("%.17g", $5 * 1.1) } { print }' \
      "$BASE.csv" > "$DIR/$shape.csv.tmp" ;;
    exponent) awk -F, 'BEGIN { OFS = "," } NR > 1 && $5 != "" { $5 = sprintf("%.6e", $5) } { print }' \
      "$BASE.csv" > "$DIR/$shape.csv.tmp" ;;
    spaces) awk -F, 'BEGIN { OFS = ","; c[0] = "New York"; c[1] = "Los Angeles"; c[2] = "Boston" }
      NR == 1 { print $1, $2, $3, "city", $4, $5; next } { print $1, $2, $3, c[NR % 3], $4, $5 }' \
      "$BASE.csv" > "$DIR/$shape.csv.tmp" ;;
    quoteall) python3 Benchmarks/quoted_all_data.py "$BASE.csv" "$DIR/$shape.csv.tmp" --quoting all > /dev/null ;;
    nonnumeric) python3 Benchmarks/quoted_all_data.py "$BASE.csv" "$DIR/$shape.csv.tmp" --quoting nonnumeric \
      > /dev/null ;;
    *) sed "$data_sed" "$BASE.csv" > "$DIR/$shape.csv.tmp" ;;
  esac
  mv "$DIR/$shape.csv.tmp" "$DIR/$shape.csv"
}
cp "$BASE.csv" "$DIR/base.csv.tmp" && mv "$DIR/base.csv.tmp" "$DIR/base.csv"
cp "$BASE.yaml" "$DIR/base.yaml"
make_shape variants11 's/^\([^,]*\),v1,/\1,treatment-a,/; s/^\([^,]*\),v2,/\1,treatment-b,/' \
  's/key: v1$/key: treatment-a/; s/key: v2$/key: treatment-b/'
make_shape segments9 's/,seg-\([0-9]*\),/,segment-\1,/' 's/seg-/segment-/g'
make_shape segments21 's/,seg-\([0-9]*\),/,high-engagement-gym-\1,/' 's/seg-/high-engagement-gym-/g'
make_shape segments41 's/,seg-\([0-9]*\),/,high-engagement-gym-members-renewal-due-\1,/' \
  's/seg-/high-engagement-gym-members-renewal-due-/g'
make_shape crlf '' 's/^$//'
make_shape quoted '' 's/^$//'
make_shape digits17 '' 's/^$//'
make_shape exponent '' 's/^$//'
make_shape spaces '' 's/^$//'
make_shape quoteall '' 's/^$//'
make_shape nonnumeric '' 's/^$//'
SHAPES=(base variants11 segments9 segments21 segments41 crlf quoted digits17 exponent spaces quoteall nonnumeric)

samples=$(mktemp)
trap 'rm -f "$samples"' EXIT
echo "== $(date -u +%Y-%m-%dT%H:%MZ) $ROWS rows, $ROUNDS rounds, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)," \
  "$STRATA" | tee -a "$OUT"
for round in $(seq "$ROUNDS"); do
  for shape in "${SHAPES[@]}"; do
    cat "$DIR/$shape.csv" > /dev/null
    /usr/bin/time -f "%U %S %M" -o "$DIR/$shape.time" "$STRATA" analyze --experiment "$DIR/$shape.yaml" \
      --data "$DIR/$shape.csv" --json > "$DIR/$shape.json"
    read -r user system rss < "$DIR/$shape.time"
    echo "$shape $(echo "$user + $system" | bc -l) $rss" >> "$samples"
    echo "round $round $shape cpu $(echo "$user + $system" | bc -l) s"
  done
done
# digits17's and exponent's reference: the same file through a pipe, read row by row (numbers by
# `NumberParser.parse`): without a temporary copy (none can be made in TMPDIR=/nonexistent; its note goes to
# SHAPE-piped.err), as a copy would be read in chunks on the one-pass row.
for shape in digits17 exponent; do
  cat "$DIR/$shape.csv" | TMPDIR=/nonexistent "$STRATA" analyze --experiment "$DIR/$shape.yaml" --data /dev/stdin \
    --json > "$DIR/$shape-piped.json" 2> "$DIR/$shape-piped.err"
  grep -q "no temporary copy" "$DIR/$shape-piped.err" || { echo "$shape: the pipe was not read row by row" >&2; exit 1; }
done
python3 - "$samples" "$DIR" <<'PY' | tee -a "$OUT"
import json, math, re, statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
shapes = list(dict.fromkeys(row[0] for row in rows))
cpu = {s: sorted(float(r[1]) for r in rows if r[0] == s) for s in shapes}
rss = {s: max(int(r[2]) for r in rows if r[0] == s) for s in shapes}
back = {
    "variants11": [(r"\btreatment-b\b", "v2"), (r"\btreatment-a\b", "v1")],
    "segments9": [("segment-", "seg-")], "segments21": [("high-engagement-gym-", "seg-")],
    "segments41": [("high-engagement-gym-members-renewal-due-", "seg-")],
}
def results(shape):
    # The input's own facts (its path and size) differ by design; the names are mapped back to the base's.
    text = open(f"{sys.argv[2]}/{shape}.json").read()
    for new, old in back.get(shape, []):
        text = re.sub(new, old, text)
    return json.loads(text)
def same(a, b, path="$"):
    # Numbers to 1e-9 relative: the files' bytes differ, so their chunks end at other rows and the per-chunk
    # means merge in another order (last bits); counts are compared exactly.
    if isinstance(a, dict) and isinstance(b, dict):
        keys = (set(a) | set(b)) - {"file", "files", "bytes"}
        return all(same(a.get(k), b.get(k), f"{path}.{k}") for k in keys)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y, f"{path}[{i}]") for i, (x, y) in enumerate(zip(a, b)))
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and (
                a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)):
            return True
    elif a == b:
        return True
    print(f"  differs at {path}: {str(a)[:60]} / {str(b)[:60]}", file=sys.stderr)
    return False
base = statistics.median(cpu["base"])
reference = results("base")
def piped_same(shape):
    # Byte for byte but the input's name, which is the pipe's there.
    text = open(f"{sys.argv[2]}/{shape}.json").read().replace(f'"{sys.argv[2]}/{shape}.csv"', '"/dev/stdin"')
    return text == open(f"{sys.argv[2]}/{shape}-piped.json").read()
for s in shapes:
    m = statistics.median(cpu[s])
    if s in ("digits17", "exponent"):
        verdict = "same as piped" if piped_same(s) else "DIFFERS FROM PIPED"
        if s == "exponent":  # its values are the base's too
            verdict += ", same results" if same(reference, results(s)) else ", RESULTS DIFFER"
    else:
        verdict = "same results" if same(reference, results(s)) else "RESULTS DIFFER"
    print(f"{s:>10}  cpu min {cpu[s][0]:6.2f}  median {m:6.2f}  max {cpu[s][-1]:6.2f} s  peak RSS {rss[s] / 1024:5.0f} MB"
          f"  median / base {m / base:5.2f}  {verdict}")
PY
