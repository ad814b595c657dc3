#!/usr/bin/env python3
"""Magnitude sweep: `strata analyze --json` on bundled experiments whose continuous values are scaled by 2^k.

Scaling a column by a power of two is exact (until its values reach the subnormal range), so an exact
method gives every statistic of degree d in that column scaled by exactly 2^(d*k) and every invariant
(p-values, chances to win, I², Q, shrinkage, ...) unchanged. For each case the script runs k = 0 and
the probes k = 1, 2, 3 to learn each number's degree d (0, ±1, ±2: the ratio of the probes to k = 0;
numbers that do not scale as a power of two, such as planned sample sizes against an absolute MDE, are
"unscaled" and left out; numbers that scale to within 1e-9 but not exactly, the calibrated intervals and chances
to win of the partial pooling, are held to 1e-9), then for every k compares the output with ldexp(value at k = 0, d*k), or from k = 12 on with
ldexp(value at k = 64, d*(k - 64)): values from 2^20 on are summed about a shift (ColumnMoments), the same
arithmetic at every large k but not the one of k = 0:

  ok        every number is exactly the scaled k = 0 number (null where that is beyond the double range,
            with the metric's note);
  differs   a number is finite but not the exact scaled value (the ulps lost are shown);
  null      a number became null (NaN or infinity in the computation) although its exact value is
            representable;
  error     analyze failed (its message is shown) or a note about a numerical failure appeared;
  noted     numbers differ from the exact ones by no more than the significant digits a warning says they keep
            ("... their squared deviations are subnormal doubles, so its numbers keep about 13 significant digits");
  refused   numbers are null with a note or warning saying why and what to do ("... give the values in a
            smaller unit"): a clear error where the magnitude is beyond what the computation represents,
            not counted as a problem.

Values whose scaled input is itself inexact (subnormal inputs) are only checked for NaN, null and errors; inputs
with values beyond the double range (k near 1023) are other data (the reader drops those rows) and are not compared.
Entries of result lists are matched by what they describe (metric, segment, treatment), not by position, and the
counts of what was tested (the corrected family's size, the arms compared) may drop where a metric is refused.

  python3 Scripts/magnitude_sweep.py [--strata .build/debug/strata] [--quick] [--k -500,500] [--case NAME]

--quick runs the subset CI runs (a handful of k near 2^±500 and the edges). Exit status 1 when any
statistic breaks.
"""

import argparse
import csv
import json
import math
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name, definition, data, columns scaled together, what the case covers
CASES = [
    ("gym-revenue", "experiments/gym-renewal.yaml", "experiments/data/gym-renewal.csv", ["revenue"],
     "continuous guardrail: Welch, inverse-variance pooling, post-stratification, Q/I², partial pooling, "
     "Bayesian summaries, sequential looks"),
    ("city-spend", "experiments/city-delivery.yaml", "experiments/data/city-delivery.csv", ["spend"],
     "8 segments: partial pooling (Morris / calibrated intervals), Bayesian summaries with a prior"),
    ("basket-revenue", "experiments/basket-bundle.yaml", "experiments/data/basket-bundle.csv",
     ["revenue", "revenue_before"], "CUPED (continuous) and a ratio metric with a ratio covariate"),
    ("basket-orders", "experiments/basket-bundle.yaml", "experiments/data/basket-bundle.csv",
     ["orders", "orders_before"], "a ratio metric's denominator (degree -1)"),
    ("basket-numerator", "experiments/basket-bundle.yaml", "experiments/data/basket-bundle.csv", ["revenue"],
     "a ratio's numerator and CUPED's value scaled apart from their denominator and covariates"),
    ("basket-denominator", "experiments/basket-bundle.yaml", "experiments/data/basket-bundle.csv", ["orders"],
     "a ratio's denominator scaled apart from its numerator and covariate (degree -1)"),
    ("basket-covariate", "experiments/basket-bundle.yaml", "experiments/data/basket-bundle.csv",
     ["revenue_before"], "CUPED's covariate (and a ratio covariate's numerator) scaled apart: theta of degree -1"),
    ("basket-all", "experiments/basket-bundle.yaml", "experiments/data/basket-bundle.csv",
     ["revenue", "orders", "revenue_before", "orders_before"],
     "a ratio's numerator and denominator scaled together (its numbers do not change), with its covariate"),
    ("basket-apart", "experiments/basket-bundle.yaml", "experiments/data/basket-bundle.csv",
     ["revenue", "orders:-1"],
     "a ratio's numerator scaled by 2^k and its denominator by 2^-k (the ratio of degree 2, its variance 4)"),
    ("lin-spend", "Tests/StrataAnalysisTests/Fixtures/lin_analyze/lin-renewal.yaml",
     "Tests/StrataAnalysisTests/Fixtures/lin_analyze/lin-renewal.csv", ["spend", "spend_before"],
     "Lin's regression (HC3, two covariates), post-stratified"),
    ("lin-covariate", "Tests/StrataAnalysisTests/Fixtures/lin_analyze/lin-renewal.yaml",
     "Tests/StrataAnalysisTests/Fixtures/lin_analyze/lin-renewal.csv", ["spend_before"],
     "Lin's regression with one covariate scaled apart (its slope of degree -1)"),
    ("factorial-revenue", "experiments/email-factorial.yaml", "experiments/data/email-factorial.csv", ["revenue"],
     "2x2x2 factorial regression (HC1), ANOVA"),
]

FULL_K = sorted(set(list(range(-1040, 1021, 40)) + [-1074, -1060, -1050, -1030, -1022, -1000, -980, -700, -515, -510, -505,
                                                       -520, -500, 500, 505, 510, 900, 1000, 1010, 1016, 1023]))
# CI's subset (python3 Scripts/magnitude_sweep.py --quick, about 30 s): the exact range, and beyond it the clear
# refusals (k = -520: squared deviations subnormal; -600, -1040: the spread lost; 505 and up: beyond the largest
# double). The cases added for ratio, CUPED and Lin with columns apart run two exact k and two refusals each.
QUICK_K = [-500, -300, -120, 120, 300, 480]
QUICK_K_APART = [-500, 480]
QUICK_APART = {"basket-numerator", "basket-denominator", "basket-covariate", "basket-all", "basket-apart", "lin-covariate"}
QUICK_REFUSED = {"gym-revenue": [-1040, -520, 505, 1000], "city-spend": [-1040, -520, 505],
                 "factorial-revenue": [-1040, 1000], "basket-revenue": [-600, 600], "basket-orders": [-520, 600],
                 "lin-spend": [-520, 600], "basket-numerator": [-600, 600], "basket-denominator": [-600, 600],
                 "basket-covariate": [-520, 600], "basket-all": [-600, 600], "basket-apart": [-300, 300],
                 "lin-covariate": [-600, 600]}
PROBES = [1, 2, 3]
HIGH_REFERENCE = 64
# Numbers from a computation that is not exactly scale-invariant (the grid of the τ posterior behind the
# calibrated intervals and chances to win starts at a scale-dependent point) are held to this relative tolerance.
APPROX = 1e-9
REFUSAL = ("give the values in a", "give the numerator in a", "give the covariate in a")
FAILURE_WORDS = ("numerical failure", "nan result", "overflow", "beyond what", "not finite", "infinite")


def scale_csv(src, dst, columns, k):
    """Writes src with columns scaled by 2^k; returns "exact", "subnormal" (some scaled values lost digits) or
    "overflow" (some are beyond the double range: written as 1e309, which the reader drops as out of range)."""
    exact = True
    overflow = False
    with open(src, newline="") as f, open(dst, "w", newline="") as g:
        reader = csv.reader(f)
        writer = csv.writer(g, lineterminator="\n")
        header = next(reader)
        writer.writerow(header)
        # "name" is scaled by 2^k, "name:-1" by 2^-k (a ratio's numerator and denominator moved apart).
        index = [(header.index(c.split(":")[0]), int(c.split(":")[1]) if ":" in c else 1) for c in columns]
        for row in reader:
            for i, sign in index:
                if i < len(row) and row[i] != "":
                    x = float(row[i])
                    try:
                        y = math.ldexp(x, sign * k)
                    except OverflowError:
                        y = math.copysign(math.inf, x)
                    if not math.isfinite(y):
                        overflow = True
                    elif math.ldexp(y, -sign * k) != x:
                        exact = False
                    row[i] = repr(y) if math.isfinite(y) else ("1e309" if y > 0 else "-1e309")
            writer.writerow(row)
    return "overflow" if overflow else "exact" if exact else "subnormal"


def run(strata, definition, data):
    proc = subprocess.run(
        [strata, "analyze", "--experiment", definition, "--data", data, "--json", "--no-look-log"],
        cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        return None, proc.stderr.strip() or proc.stdout.strip()
    return json.loads(proc.stdout), None


IDENTITY_KEYS = ("metric", "segment", "treatment", "variant", "scope", "family")
# Counts of what was tested, which drop when a metric is refused (its comparisons leave the corrected family):
# with a refusal they are not counted as problems.
REFUSAL_COUNTS = (".corrections.size", ".decision.arms_compared")
SKIP_KEYS = {"timestamp", "fingerprint", "bytes", "file", "files", "log_file"}


def leaves(x, path=""):
    if isinstance(x, dict):
        for key, value in x.items():
            if key in SKIP_KEYS:
                continue
            yield from leaves(value, f"{path}.{key}")
    elif isinstance(x, list):
        # Entries of a list of results are named by what they describe (metric, segment, treatment, ...), not by
        # position: a metric refused at some k drops its entries from lists such as heterogeneity[] and pooled[],
        # and the entries after it must still be compared with their own k = 0 values.
        seen = {}
        for i, value in enumerate(x):
            label = str(i)
            if isinstance(value, dict):
                named = "|".join(f"{key}={value[key]}" for key in IDENTITY_KEYS if key in value)
                if named:
                    seen[named] = seen.get(named, 0) + 1
                    label = named if seen[named] == 1 else f"{named}#{seen[named]}"
            yield from leaves(value, f"{path}[{label}]")
    else:
        yield path, x


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def degree(v0, probes):
    """(d, exact): probe_k == ldexp(v0, d*k) for every probe (exact), or within APPROX of it; None otherwise."""
    if any(p is None or not is_number(p) for p in probes):
        return None
    if v0 == 0:
        return (0, True) if all(p == 0 for p in probes) else None
    for d in (0, 1, -1, 2, -2, 3, -3, 4, -4):
        if all(p == math.ldexp(v0, d * k) for k, p in zip(PROBES, probes)):
            return d, True
    for d in (0, 1, -1, 2, -2, 3, -3, 4, -4):
        if all(close(p, math.ldexp(v0, d * k)) for k, p in zip(PROBES, probes)):
            return d, False
    return None


def close(a, b):
    return abs(a - b) <= APPROX * max(abs(a), abs(b))


def ulps(a, b):
    if a == b:
        return 0
    return abs(a - b) / math.ulp(max(abs(a), abs(b)))


def failure_notes(out):
    found = []
    for path, v in leaves(out):
        if isinstance(v, str) and any(w in v.lower() for w in FAILURE_WORDS):
            found.append(f"{path}: {v[:160]}")
    return found


def sweep_case(strata, case, ks, tmp, verbose):
    name, definition, data, columns, _ = case
    outputs = {}

    def output(k):
        if k not in outputs:
            dst = os.path.join(tmp, f"{name}.{k}.csv")
            exact = scale_csv(os.path.join(ROOT, data), dst, columns, k)
            out, err = run(strata, definition, dst)
            outputs[k] = (out, err, exact)
        return outputs[k]

    base, err, _ = output(0)
    if err:
        raise SystemExit(f"{name}: k = 0 failed: {err}")
    base_leaves = dict(leaves(base))
    probe_leaves = [dict(leaves(output(k)[0])) for k in PROBES]
    degrees = {}
    for path, v0 in base_leaves.items():
        if is_number(v0):
            degrees[path] = degree(v0, [p.get(path) for p in probe_leaves])
    # Values from 2^20 on are summed about a shift (ColumnMoments.shiftThreshold), which is scale-invariant
    # among large values but not the same arithmetic as k = 0: from k = 12 on, k = 64 is the reference.
    high_leaves = dict(leaves(output(HIGH_REFERENCE)[0]))
    # A column scaled by 2^-k ("name:-1") is summed about a shift from k = -12 down: there k = -64 is the reference.
    apart = any(":-1" in c for c in columns)
    low_leaves = dict(leaves(output(-HIGH_REFERENCE)[0])) if apart else None
    rows = []
    for k in ks:
        out, err, status = output(k)
        exact = status == "exact"
        problems = []
        if status == "overflow":
            # Other data: the reader drops the rows whose value is beyond the double range, saying so.
            rows.append((k, status, problems))
            continue
        if err:
            problems.append(("error", err.splitlines()[0][:200]))
        else:
            notes = [n for n in failure_notes(out) if n not in failure_notes(base)]
            problems += [("error", n) for n in notes[:3]]
            got = dict(leaves(out))
            reference, shift = (high_leaves, k - HIGH_REFERENCE) if k >= 12 else (
                (low_leaves, k + HIGH_REFERENCE) if apart and k <= -12 else (base_leaves, k))
            for path, v0 in reference.items():
                if degrees.get(path) is None or not is_number(v0):
                    continue
                d, exact_degree = degrees[path]
                v = got.get(path)  # a number whose object became null is missing
                try:
                    expected = math.ldexp(v0, d * shift)
                except OverflowError:
                    expected = None
                if expected is not None and (expected == 0 and v0 != 0 or abs(expected) < 2.0 ** -1022):
                    expected_exact = False
                else:
                    expected_exact = True
                if v is None:
                    if expected is not None and expected_exact:
                        problems.append(("null", path))
                    continue
                if expected is None:
                    problems.append(("differs", f"{path} = {v!r}, exact value beyond the double range"))
                    continue
                if not exact_degree:
                    if exact and expected_exact and not close(v, expected):
                        problems.append(("differs", f"{path}: {v!r} vs {expected!r} (beyond {APPROX:g} relative)"))
                    continue
                if exact and expected_exact and v != expected:
                    problems.append(("differs", f"{path}: {v!r} vs {expected!r} ({ulps(v, expected):.3g} ulps)",
                                     abs(v - expected) / max(abs(v), abs(expected))))
        # Numbers refused with a reason ("... give the values in a smaller/larger unit", naming the metric's rows or
        # warnings) are a clear error, not a silent null: they are counted as refused, not as problems.
        refusals = [] if err else [v for _, v in leaves(out) if isinstance(v, str) and any(r in v for r in REFUSAL)]
        # Numbers given with a warning of the digits they keep ("... keep about 13 significant digits"): a difference
        # within those digits is the precision stated, not a problem.
        digits = [] if err else [int(m.group(1)) for _, v in leaves(out) if isinstance(v, str)
                                 for m in [re.search(r"keep about (\d+) significant digits", v)] if m]
        if digits:
            fewest = min(digits)
            stated = [p for p in problems if p[0] == "differs" and len(p) > 2 and p[2] <= 10.0 ** (1 - fewest)]
            problems = [p for p in problems if p not in stated]
            if stated:
                problems.append(("noted", f"{len(stated)} numbers within the {fewest} digits stated"))
        if refusals:
            nulls = [p for p in problems
                     if p[0] == "null" or p[0] == "differs" and p[1].split(":")[0] in REFUSAL_COUNTS]
            problems = [p for p in problems if p not in nulls]
            if nulls:
                problems.append(("refused", f"{len(nulls)} numbers null: {refusals[0][:220]}"))
        rows.append((k, status, problems))
        if verbose:
            print(f"  {name} k={k}: {len(problems)} problems", file=sys.stderr)
    unscaled = sorted(p for p, d in degrees.items() if d is None)
    return rows, unscaled


def summarise(path):
    """A path without indices, for grouping ("results[].p_value")."""
    import re
    return re.sub(r"\[[^\]]*\]", "[]", path.split(":")[0].split(" = ")[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strata", default=os.path.join(ROOT, ".build/debug/strata"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--k", help="comma-separated exponents")
    parser.add_argument("--case", action="append")
    parser.add_argument("--details", action="store_true", help="every problem, not the first few per k")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    ks = [int(x) for x in args.k.split(",")] if args.k else (QUICK_K if args.quick else FULL_K)
    cases = [c for c in CASES if not args.case or c[0] in args.case]
    broken = 0
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            if args.quick:
                base_ks = ks if args.k else [-240, 240] if case[0] == "basket-apart" else (
                    QUICK_K_APART if case[0] in QUICK_APART else ks)
                case_ks = sorted(base_ks + QUICK_REFUSED.get(case[0], []))
            else:
                case_ks = ks
            rows, unscaled = sweep_case(args.strata, case, case_ks, tmp, args.verbose)
            print(f"== {case[0]}: {case[4]} (columns {', '.join(case[3])})")
            if unscaled and args.details:
                print(f"   not homogeneous in the scale (left out): {', '.join(sorted(set(map(summarise, unscaled))))}")
            for k, status, problems in rows:
                if status == "overflow":
                    print(f"   k = {k:5d}: input beyond the double range (values written as 1e309; the reader drops "
                          "those rows as out of range): not compared")
                    continue
                inexact = "" if status == "exact" else " (input inexact: subnormal)"
                if not problems:
                    print(f"   k = {k:5d}: ok{inexact}")
                    continue
                if all(p[0] in ("refused", "noted") for p in problems):
                    kinds = sorted({p[0] for p in problems}, reverse=True)
                    print(f"   k = {k:5d}: {'+'.join(kinds)}{inexact}: {'; '.join(p[1] for p in problems)}")
                    continue
                broken += 1
                kinds = {}
                for kind, what, *_ in problems:
                    kinds.setdefault(kind, set()).add(summarise(what) if kind != "error" else what)
                text = "; ".join(f"{kind} {len(v)}: {', '.join(sorted(v)[: (None if args.details else 4)])}"
                                 for kind, v in sorted(kinds.items()))
                print(f"   k = {k:5d}: {len(problems)} numbers{inexact}: {text}")
    print(f"{broken} case x k combinations with problems")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
