#!/usr/bin/env python3
"""Adds a quoted `note` column with line ends inside it (CRM and survey exports' multi-line comments) to a unit-level
CSV, for `strata analyze` on data whose chunk cuts fall inside quotes (docs/performance.md, "Quoted line ends across
a cut").

    python3 Benchmarks/quoted_notes_data.py IN.csv OUT.csv [--fraction 0.01] [--seed 17]

Each row gets a note: with probability FRACTION a quoted one of 1 to 3 lines (a doubled quote and a comma in some),
else a short unquoted one. The other columns are copied as they are; the same arguments give the same bytes.
"""
import argparse
import random

NOTES = [
    '"Called twice.\nLeft a voicemail."',
    '"Asked about pricing, then ""the annual plan"".\nFollow up in May.\nNo answer since."',
    '"Survey: 4/5\n"',
    '"line one\nline two, with a comma"',
    '"Complaint: ""slow app""\nRefund offered"',
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("out")
    parser.add_argument("--fraction", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rows = quoted = 0
    with open(args.source, "rb") as source, open(args.out, "wb", buffering=1 << 22) as out:
        header = source.readline().rstrip(b"\r\n")
        out.write(header + b",note\n")
        for line in source:
            line = line.rstrip(b"\r\n")
            if rng.random() < args.fraction:
                note = NOTES[rng.randrange(len(NOTES))].encode()
                quoted += 1
            else:
                note = b"ok"
            out.write(line + b"," + note + b"\n")
            rows += 1
    print(f"wrote {args.out}: {rows} rows, {quoted} with a quoted multi-line note")


if __name__ == "__main__":
    main()
