#!/usr/bin/env python3
"""Writes a synthetic unit-level data file for each example definition in experiments/ that has no data of its
own, so `Benchmarks/compare_outputs.sh` can run `strata analyze` over every bundled example.

    python3 Benchmarks/example_data.py OUT_DIR

For each definition with `variants:` (factorial and discovered-segment examples are left out): 3,000 units,
the variant drawn by weight, the segment uniformly from the definition's segments (or none), binomial metrics
0/1 at 10-40%, continuous ones gamma-distributed, a few values missing. Fixed seed: the files are the same on
every run. Prints one line per file: `definition data`.
"""
import pathlib
import random
import sys

import yaml


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(pathlib.Path("experiments").glob("*.yaml")):
        definition = yaml.safe_load(path.read_text())
        if "variants" not in definition or (path.parent / "data" / f"{path.stem}.csv").exists():
            continue
        rng = random.Random(2026)
        variants = [v["key"] for v in definition["variants"]]
        weights = [v.get("weight", 1) for v in definition["variants"]]
        segments = [s["name"] for s in definition.get("segments") or []]
        metrics = definition.get("metrics") or []
        rows = [",".join([definition["unit"], "variant", "segment"] + [m.get("column", m["name"]) for m in metrics])]
        for unit in range(3000):
            variant = rng.choices(variants, weights)[0]
            segment = rng.choice(segments) if segments else ""
            lift = 0.03 * variants.index(variant)
            cells = []
            for m in metrics:
                if rng.random() < 0.03:
                    cells.append("")
                elif m["kind"] == "binomial":
                    cells.append("1" if rng.random() < 0.1 + 0.3 * (segments.index(segment) % 3 if segments else 0) / 2 + lift else "0")
                else:
                    cells.append(f"{rng.gammavariate(2.0, 15.0) * (1 + lift):.2f}")
            rows.append(",".join([f"U{unit}", variant, segment] + cells))
        data = out / f"{path.stem}.csv"
        data.write_text("\n".join(rows) + "\n")
        print(path, data)


if __name__ == "__main__":
    main()
