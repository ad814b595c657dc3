#!/usr/bin/env python3
"""Generates a synthetic member list for `strata assign` benchmarks and demos (gym renewal example).

    python3 Benchmarks/generate_members.py --rows 10000000 --output bench-data/members.csv

Columns: member_id, marketing_opt_in, membership_months, status, checkins_90d, club (quoted, with a
comma). Seeded, so the same --rows and --seed give the same file. Keep generated files in bench-data/
(ignored by git).
"""
import argparse
import os
import random

CLUBS = ['"Berlin, Mitte"', '"Hamburg, Altona"', "Munich", "Cologne", '"Frankfurt, Sachsenhausen"']


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", default="bench-data/members.csv")
    parser.add_argument("--bad-every", type=int, default=0, help="make every Nth row ragged (0 = none)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="") as out:
        out.write("member_id,marketing_opt_in,membership_months,status,checkins_90d,club\n")
        lines = []
        for row in range(args.rows):
            consent = "true" if rng.random() < 0.85 else "false"
            months = rng.randint(0, 60)
            status = "active" if rng.random() < 0.95 else "frozen"
            checkins = min(int(rng.expovariate(1 / 12)), 90)
            club = CLUBS[row % len(CLUBS)]
            if args.bad_every and row % args.bad_every == args.bad_every - 1:
                lines.append(f"M{row:08d},{consent},{months}\n")
            else:
                lines.append(f"M{row:08d},{consent},{months},{status},{checkins},{club}\n")
            if len(lines) == 100000:
                out.writelines(lines)
                lines = []
        out.writelines(lines)


if __name__ == "__main__":
    main()
