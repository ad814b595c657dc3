#!/usr/bin/env python3
"""Rewrites a unit-level CSV with every field quoted (`--quoting all`: Python's `csv.QUOTE_ALL`, pandas'
`to_csv(quoting=1)`, warehouse unloads, spreadsheet exports) or every field but numbers quoted (`--quoting nonnumeric`:
`csv.QUOTE_NONNUMERIC`, pandas' `quoting=2`), for `strata analyze` on the same data as the plain file
(docs/performance.md, "Quoted fields at plain speed").

    python3 Benchmarks/quoted_all_data.py IN.csv OUT.csv [--quoting all|nonnumeric] [--rows N]

The header is quoted as well. With `nonnumeric`, a field is left bare when it is a number (Python's `float()` reads
it); every other field, an empty one included (`""`, as `csv.QUOTE_NONNUMERIC` writes an empty string), is quoted.
Quotes inside a field are doubled; fields are otherwise copied byte for byte, so the analysis of OUT is that of IN.
`--rows` stops after that many data rows (for a 1 M-row copy to profile). The input is read as plain CSV: fields with
commas, quotes or line ends inside are not expected (the benchmark files have none).
"""
import argparse
import re

NUMBER = re.compile(rb"^[ ]*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[ ]*$")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("out")
    parser.add_argument("--quoting", choices=["all", "nonnumeric"], default="all")
    parser.add_argument("--rows", type=int, default=None)
    args = parser.parse_args()
    every = args.quoting == "all"

    def quote(field):
        return b'"' + field.replace(b'"', b'""') + b'"'

    def write(field):
        if every or not NUMBER.match(field):
            return quote(field)
        return field

    rows = 0
    with open(args.source, "rb") as source, open(args.out, "wb", buffering=1 << 22) as out:
        header = source.readline().rstrip(b"\r\n")
        out.write(b",".join(quote(name) for name in header.split(b",")) + b"\n")
        for line in source:
            if args.rows is not None and rows >= args.rows:
                break
            fields = line.rstrip(b"\r\n").split(b",")
            out.write(b",".join(write(field) for field in fields) + b"\n")
            rows += 1
    print(f"wrote {args.out}: {rows} rows, quoting {args.quoting}")


if __name__ == "__main__":
    main()
