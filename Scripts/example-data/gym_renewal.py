#!/usr/bin/env python3
"""Synthetic data for the bundled example: the gym renewal reminder (experiments/gym-renewal.yaml).

One row per member who received a reminder: member_id, variant, segment, renewed (0/1), revenue (EUR of
the renewal; empty when the member did not renew, which the definition counts as 0). Seeded, so the
committed CSV is reproducible:

    python3 Scripts/example-data/gym_renewal.py        # writes experiments/data/gym-renewal.csv

Planted effects on the 30-day renewal rate (percentage points over the standard notice):

    segment  members   base   progress  social
    high       2,400    80%     +0.0     +1.0     (too few members for the plan's 5 pp: underpowered)
    medium     9,000    64%     +5.0     +3.0
    low       12,000    48%     +2.0     +7.0

So the social reminder works best for members who rarely check in, the progress reminder for the
middle group, and neither does much for regulars, who renew anyway: a segment difference that the
pooled number alone would hide. Revenue follows renewals (membership prices of 360, 480 or 720 EUR).
A few bad rows are planted, as a real export has them: a member exported twice, a misspelt variant and
an unreadable renewal flag.
"""
import csv
import pathlib

import numpy as np

SEED = 20261122
VARIANTS = ["control", "reminder_progress", "reminder_social"]
SEGMENTS = [  # name, members, base renewal rate, lift progress, lift social
    ("high", 2400, 0.80, 0.000, 0.010),
    ("medium", 9000, 0.64, 0.050, 0.030),
    ("low", 12000, 0.48, 0.020, 0.070),
]
PRICES = np.array([360.0, 480.0, 720.0])
PRICE_SHARES = np.array([0.5, 0.35, 0.15])


def main():
    rng = np.random.default_rng(SEED)
    rows = []
    member = 200000
    for name, members, base, lift_progress, lift_social in SEGMENTS:
        for v in rng.integers(0, 3, size=members):  # equal weights, as the assignment hash gives
            member += int(rng.integers(1, 5))
            rate = base + (lift_progress if v == 1 else lift_social if v == 2 else 0.0)
            renewed = int(rng.random() < rate)
            revenue = f"{rng.choice(PRICES, p=PRICE_SHARES):.2f}" if renewed else ""
            rows.append([f"M{member}", VARIANTS[v], name, renewed, revenue])
    rows = [rows[i] for i in rng.permutation(len(rows))]  # arrival order, not grouped by segment
    rows.insert(1200, list(rows[1000]))  # a member exported twice
    rows.insert(15000, ["M999999", "reminder_socail", "medium", "0", ""])  # misspelt variant
    rows.insert(20000, ["M999998", "control", "low", "yes", "480.00"])  # unreadable renewal flag
    out = pathlib.Path(__file__).resolve().parents[2] / "experiments" / "data" / "gym-renewal.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["member_id", "variant", "segment", "renewed", "revenue"])
        writer.writerows(rows)
    print(f"wrote {out} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
