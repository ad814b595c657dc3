#!/usr/bin/env python3
"""Synthetic data for the bundled factorial example (experiments/email-factorial.yaml).

One row per subscriber who got the spring newsletter: subscriber_id, variant (the cell key, levels in
factor order joined by "."), segment (loyal / new), clicked (0/1) and revenue (EUR; empty when the
subscriber did not click, which the definition counts as 0). Seeded, so the committed CSV is
reproducible:

    python3 Scripts/example-data/email_factorial.py   # writes experiments/data/email-factorial.csv

Planted effects on the click rate (percentage points; base 5% for new subscribers, 7% for loyal ones):

    subject = question         +1.5   (a main effect, whatever the image and call to action)
    image = none and cta = learn  +2.0   (only in combination: an image × cta interaction)

Nothing else: image and cta alone do nothing, and the subject does not interact. Revenue is drawn only for
clickers (gamma, mean 40 EUR), so it follows clicks. Cells are equally likely, as the assignment hash
gives them.
"""
import csv
import itertools
import pathlib

import numpy as np

SEED = 20261123
FACTORS = [("subject", ["short", "question"]), ("image", ["photo", "none"]), ("cta", ["buy", "learn"])]
SEGMENTS = [("loyal", 9000, 0.07), ("new", 15000, 0.05)]  # name, subscribers, base click rate


def cells():
    """Cells in standard order: the first factor changes fastest (as strata design lists them)."""
    runs = []
    for levels in itertools.product(*[range(len(l)) for _, l in reversed(FACTORS)]):
        runs.append(tuple(reversed(levels)))
    return runs


def main():
    rng = np.random.default_rng(SEED)
    runs = cells()
    rows = []
    subscriber = 500000
    for name, count, base in SEGMENTS:
        for cell in rng.integers(0, len(runs), size=count):
            subject, image, cta = runs[cell]
            subscriber += int(rng.integers(1, 4))
            rate = base + 0.015 * subject + 0.020 * (image == 1 and cta == 1)
            clicked = int(rng.random() < rate)
            revenue = f"{rng.gamma(2.0, 20.0):.2f}" if clicked else ""
            key = ".".join(FACTORS[f][1][level] for f, level in enumerate(runs[cell]))
            rows.append([f"S{subscriber}", key, name, clicked, revenue])
    rows = [rows[i] for i in rng.permutation(len(rows))]  # arrival order
    out = pathlib.Path(__file__).resolve().parents[2] / "experiments" / "data" / "email-factorial.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["subscriber_id", "variant", "segment", "clicked", "revenue"])
        writer.writerows(rows)
    print(f"wrote {out} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
