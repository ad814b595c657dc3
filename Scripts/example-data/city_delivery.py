#!/usr/bin/env python3
"""Synthetic data for the many-segment example: free delivery on the next order, by city
(experiments/city-delivery.yaml).

One row per customer who got the offer's e-mail: customer_id, variant (control / free_delivery), segment
(the customer's city, seven cities and "elsewhere"), reordered (0/1: ordered again within 14 days) and
spend (EUR in those 14 days; empty for a customer who did not order, which the definition counts as 0).
Seeded, standard library only, so the committed CSV is reproducible:

    python3 Scripts/example-data/city_delivery.py   # writes experiments/data/city-delivery.csv

Eight segments of very different sizes (8,000 customers in Paris, 1,000 in Nantes) with a real spread of
planted effects on the reorder rate, in percentage points:

    paris +2.0   lyon +3.5   marseille +1.0   toulouse +2.5
    lille +4.5   bordeaux 0.0   nantes +3.0   elsewhere +1.5

(mean +2.25, standard deviation of the eight 1.4 pp), so the small cities' raw estimates scatter far more
than their true effects do, and the partially pooled (shrunken) ones pull them back toward the mean.
Baskets are smaller with free delivery (-5% per order), so spend gains less than orders do.
"""
import csv
import pathlib
import random

SEED = 20261205
# name, customers, reorder rate under control, planted lift (absolute)
SEGMENTS = [
    ("paris", 8000, 0.22, 0.020),
    ("lyon", 4500, 0.20, 0.035),
    ("marseille", 3600, 0.18, 0.010),
    ("toulouse", 2800, 0.21, 0.025),
    ("lille", 2000, 0.19, 0.045),
    ("bordeaux", 1500, 0.20, 0.000),
    ("nantes", 1000, 0.23, 0.030),
    ("elsewhere", 6000, 0.16, 0.015),
]


def main():
    rng = random.Random(SEED)
    rows = []
    customer = 700000
    for name, count, base, lift in SEGMENTS:
        for _ in range(count):
            customer += rng.randint(1, 5)
            variant = "free_delivery" if rng.random() < 0.5 else "control"
            treated = variant == "free_delivery"
            reordered = rng.random() < base + (lift if treated else 0)
            spend = ""
            if reordered:
                orders = 1 + (rng.random() < 0.25)
                basket = 0.95 if treated else 1.0
                spend = f"{sum(rng.gammavariate(3.0, 12.0) for _ in range(orders)) * basket:.2f}"
            rows.append([f"C{customer}", variant, name, int(reordered), spend])
    rng.shuffle(rows)  # arrival order
    out = pathlib.Path(__file__).resolve().parents[2] / "experiments" / "data" / "city-delivery.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["customer_id", "variant", "segment", "reordered", "spend"])
        writer.writerows(rows)
    print(f"wrote {out} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
