#!/usr/bin/env python3
"""The audience list of the bundled example: gym members whose annual membership ends within 30 days.

One row per member, as a club's CRM exports it: member_id, club, membership_months, status, checkins_90d,
marketing_opt_in. `strata assign --experiment experiments/gym-renewal.yaml --input
experiments/data/gym-members.csv` assigns them to the renewal reminders (experiments/gym-renewal.yaml:
eligible when active for 3 months or more, contacted only with marketing consent, segmented by
check-ins in the last 90 days). Seeded and standard library only, so the committed CSV is reproducible:

    python3 Scripts/example-data/gym_members.py     # writes experiments/data/gym-members.csv

The mix follows the bundled results (experiments/data/gym-renewal.csv): about 10% regulars (24 or more
check-ins in 90 days), 38% in the middle and 52% who rarely come; about 78% opted in to marketing; a few
frozen or cancelled memberships and new members who are not eligible. Two rows are broken, as in a real
export: a member with no id and one exported twice.
"""
import csv
import pathlib
import random

SEED = 20261122
MEMBERS = 2000
CLUBS = ["Riverside", "Old Town", "Harbour", "Northgate"]


def checkins(rng):
    """Check-ins in the last 90 days: regulars, the middle group, and members who rarely come."""
    u = rng.random()
    if u < 0.10:
        return rng.randint(24, 70)
    if u < 0.48:
        return rng.randint(8, 23)
    return rng.randint(0, 7)


def main():
    rng = random.Random(SEED)
    rows = []
    member = 310000
    for _ in range(MEMBERS):
        member += rng.randint(1, 9)
        status = rng.choices(["active", "frozen", "cancelled"], weights=[90, 7, 3])[0]
        months = rng.choice([1, 2] + list(range(3, 61))) if rng.random() < 0.08 else rng.randint(12, 96)
        opt_in = "true" if rng.random() < 0.78 else "false"
        rows.append([f"M{member}", rng.choice(CLUBS), months, status, checkins(rng), opt_in])
    rows.insert(700, ["", "Harbour", 24, "active", 12, "true"])  # no member id
    rows.insert(1500, list(rows[1200]))  # a member exported twice
    out = pathlib.Path(__file__).resolve().parents[2] / "experiments" / "data" / "gym-members.csv"
    with out.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["member_id", "club", "membership_months", "status", "checkins_90d", "marketing_opt_in"])
        writer.writerows(rows)
    print(f"wrote {out} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
