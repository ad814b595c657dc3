#!/usr/bin/env python3
"""Checks the C baseline against `strata assign` on small random member files with awkward CSV.

    python3 Benchmarks/assign_c/edge_cases.py --strata .build/release/strata --c bench-data/assign_c [--files 300]

Each file has quoted fields (commas, doubled quotes, line ends inside quotes), CRLF and bare CR, blank lines,
malformed quoting, ragged rows, empty cells, ids that start like a formula, numbers in odd forms
(1e1, 03, -0, 2.5, +3, 1.) and booleans in odd case, with or without a byte order mark and a final line
end. Both programs must write the same bytes and report bad rows on the same lines (the first 20; the
messages' wording differs). Seeded, so a failure names the seed that reproduces it.
"""
import argparse
import os
import random
import re
import subprocess
import sys
import tempfile

HEADER = ["member_id", "marketing_opt_in", "membership_months", "status", "checkins_90d", "club"]


def cell(rng, kind):
    choices = {
        "member_id": ["M1", "M-2", "=cmd", "+1", "-3", "@x", "'q", "a,b", 'a"b', "é", "M\x01", "id with space", ""],
        "marketing_opt_in": ["true", "TRUE", "True", "false", "1", "0", "yes", "", "tru"],
        "membership_months": ["3", "2", "03", "3.0", "2.9999", "1e1", "-0", "+3", "3.", "x", "", "99999999999999999"],
        "status": ["active", "Active", "frozen", "active ", "", "act,ive"],
        "checkins_90d": ["24", "23", "8", "7", "7.99", "24e0", "2.4E1", "-1", "", "n/a", "0008"],
        "club": ["Munich", "Berlin, Mitte", 'say "hi"', "line\nbreak", ""],
    }[kind]
    typical = {"member_id": "M", "marketing_opt_in": "true", "membership_months": str(rng.randrange(0, 40)),
               "status": "active", "checkins_90d": str(rng.randrange(0, 40)), "club": "Munich"}[kind]
    value = typical if rng.random() < 0.6 else rng.choice(choices)
    if kind == "member_id" and value and rng.random() < 0.5:
        value += str(rng.randrange(100000))
    return value


def encode(value, rng):
    if any(c in value for c in ',"\n\r') or rng.random() < 0.1:
        return '"' + value.replace('"', '""') + '"'
    return value


def make_file(rng, rows):
    newline = "\r\n" if rng.random() < 0.3 else "\n"
    lines = [",".join(HEADER)]
    for _ in range(rows):
        roll = rng.random()
        if roll < 0.03:
            lines.append("")
            continue
        fields = [encode(cell(rng, kind), rng) for kind in HEADER]
        if roll < 0.06:
            fields = fields[: rng.randrange(1, len(fields))]
        elif roll < 0.08:
            fields[rng.randrange(len(fields))] = 'ab"c'
        elif roll < 0.10:
            fields[rng.randrange(len(fields))] = '"ab"c'
        elif roll < 0.11:
            fields[rng.randrange(len(fields))] = "a\rb"
        lines.append(",".join(fields))
    text = newline.join(lines)
    if rng.random() < 0.7:
        text += newline
    if rng.random() < 0.05:
        text += '"never closed,1'
    data = text.encode("utf-8")
    if rng.random() < 0.2:
        data = b"\xef\xbb\xbf" + data
    return data


def bad_lines(stderr):
    return [int(m.group(1)) for m in re.finditer(r"bad row: [^\n]*?:(\d+): ", stderr)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--strata", required=True)
    parser.add_argument("--c", required=True)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    experiment = os.path.join(os.path.dirname(__file__), "..", "..", "experiments", "gym-renewal.yaml")
    failures = 0
    with tempfile.TemporaryDirectory() as directory:
        for number in range(args.files):
            seed = args.seed * 100000 + number
            rng = random.Random(seed)
            path = os.path.join(directory, "in.csv")
            with open(path, "wb") as out:
                out.write(make_file(rng, rng.randrange(1, 200)))
            strata_out, c_out = os.path.join(directory, "s.csv"), os.path.join(directory, "c.csv")
            s = subprocess.run(
                [args.strata, "assign", "--experiment", experiment, "--input", path, "--output", strata_out],
                capture_output=True, text=True)
            c = subprocess.run([args.c, path, c_out], capture_output=True, text=True)
            problem = None
            if s.returncode != c.returncode:
                problem = f"exit {s.returncode} vs {c.returncode}: {s.stderr.strip()} | {c.stderr.strip()}"
            elif s.returncode == 0:
                if open(strata_out, "rb").read() != open(c_out, "rb").read():
                    problem = "outputs differ"
                elif bad_lines(s.stderr) != bad_lines(c.stderr):
                    problem = f"bad rows on lines {bad_lines(s.stderr)} vs {bad_lines(c.stderr)}"
            if problem:
                failures += 1
                print(f"seed {seed}: {problem}")
                if failures >= 5:
                    break
    print(f"{args.files} files: {'all identical' if failures == 0 else f'{failures} differ'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
