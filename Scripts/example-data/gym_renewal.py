#!/usr/bin/env python3
"""Synthetic data for the bundled example: the gym renewal reminder campaign (experiments/gym-renewal.yaml).

One row per member who received a reminder: member_id, variant, segment, renewed (0/1), visits_30d
(a count; empty when the gym's door scanner lost the member), unsubscribed (0/1). Seeded, so the
committed CSV is reproducible:

    python3 Scripts/example-data/gym_renewal.py            # writes experiments/data/gym-renewal.csv

Planted effects on the renewal rate (percentage points over the standard reminder):

    segment   members  base   social  discount
    high       6,000   45%     +0.0    +2.0
    medium    14,000   22%     +4.0    +3.0
    low       16,000   11%     +3.5    +1.0
    dormant    9,000    4%     +0.0    +0.5

So the social reminder works for occasional visitors, not for regulars or dormant members (a segment
difference a pooled number would hide), and the discount helps a little everywhere. Visits rise slightly
with the social reminder; unsubscribes rise a little with the discount (the guardrail). A handful of bad
rows are planted too: a duplicated member, a misspelt variant and an unreadable visit count.
"""
import csv
import pathlib

import numpy as np

SEED = 20261122
SEGMENTS = [  # name, members, renewal base, visits mean, lift social, lift discount
    ("high", 6000, 0.45, 9.0, 0.000, 0.020),
    ("medium", 14000, 0.22, 4.0, 0.040, 0.030),
    ("low", 16000, 0.11, 1.5, 0.035, 0.010),
    ("dormant", 9000, 0.04, 0.3, 0.000, 0.005),
]
VARIANTS = ["standard", "social", "discount"]


def main():
    rng = np.random.default_rng(SEED)
    rows = []
    member = 100000
    for name, members, base, visits, lift_social, lift_discount in SEGMENTS:
        variants = rng.integers(0, 3, size=members)  # equal weights, like the assignment hash
        for v in variants:
            member += int(rng.integers(1, 4))
            rate = base + (lift_social if v == 1 else lift_discount if v == 2 else 0.0)
            renewed = int(rng.random() < rate)
            mean_visits = visits * (1.12 if v == 1 else 1.0) * (1.6 if renewed else 1.0)
            visit_count = "" if rng.random() < 0.01 else str(int(rng.poisson(mean_visits)))
            unsubscribed = int(rng.random() < (0.012 + (0.006 if v == 2 else 0.0)))
            rows.append([f"M{member}", VARIANTS[v], name, renewed, visit_count, unsubscribed])
    order = rng.permutation(len(rows))  # arrival order, not grouped by segment
    rows = [rows[i] for i in order]
    # Planted problems, as a real export has them.
    rows.insert(1200, list(rows[1000]))  # a member exported twice
    rows.insert(25000, ["M999999", "socail", "medium", 0, "3", 0])  # misspelt variant
    rows.insert(31000, ["M999998", "standard", "low", 1, "n/a", 0])  # unreadable visit count
    out = pathlib.Path(__file__).resolve().parents[2] / "experiments" / "data" / "gym-renewal.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["member_id", "variant", "segment", "renewed", "visits_30d", "unsubscribed"])
        writer.writerows(rows)
    print(f"wrote {out} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
