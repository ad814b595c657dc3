#!/usr/bin/env python3
"""The audience of the segment-discovery example (docs/discover.md): 20,000 gym members with pre-treatment
features, as a club's CRM exports them before a campaign.

Columns: member_id, club, checkins_90d, tenure_months, classes_90d, spend_90d, marketing_opt_in. Four kinds of
member are mixed in (regulars who train alone, class-goers, new joiners, lapsing long-timers), so the audience
has real structure for `strata discover` to find; about 3% of spend values are missing (not exported). Seeded and
standard library only, so the committed CSV is reproducible:

    python3 Scripts/example-data/gym_audience.py     # writes experiments/data/gym-audience.csv
"""
import csv
import pathlib
import random

SEED = 20261203
MEMBERS = 20000
CLUBS = ["Riverside", "Old Town", "Harbour", "Northgate"]
# share, check-ins (mean), tenure months (mean), classes (mean), spend EUR (mean)
KINDS = [
    (0.30, 38, 40, 2, 45),   # regulars who train alone
    (0.20, 26, 28, 18, 70),  # class-goers
    (0.25, 12, 3, 4, 25),    # new joiners
    (0.25, 3, 60, 0.5, 8),   # lapsing long-timers
]


def draw(rng, mean):
    return max(0, round(rng.gauss(mean, max(1.0, mean * 0.3))))


def main():
    rng = random.Random(SEED)
    rows = []
    member = 500000
    for _ in range(MEMBERS):
        member += rng.randint(1, 5)
        u, kind = rng.random(), KINDS[-1]
        for candidate in KINDS:
            if u < candidate[0]:
                kind = candidate
                break
            u -= candidate[0]
        _, checkins, tenure, classes, spend = kind
        spend_value = "" if rng.random() < 0.03 else f"{max(0.0, rng.gauss(spend, spend * 0.4)):.2f}"
        rows.append([f"M{member}", rng.choice(CLUBS), draw(rng, checkins), max(1, draw(rng, tenure)),
                     draw(rng, classes), spend_value, "true" if rng.random() < 0.8 else "false"])
    out = pathlib.Path(__file__).resolve().parents[2] / "experiments" / "data" / "gym-audience.csv"
    with out.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["member_id", "club", "checkins_90d", "tenure_months", "classes_90d", "spend_90d",
                         "marketing_opt_in"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} members to {out}")


if __name__ == "__main__":
    main()
