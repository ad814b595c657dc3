"""Independent check (numpy/scipy, not Strata's code) of `strata simulate pooling`'s best_segment scores:
per campaign, true effects N(0.02, tau^2), standard errors 0.005-0.03 evenly on the log scale, REML tau^2
and BLUPs (Benchmarks/pooling_ebci_candidates.py's `reml` and `intervals`); the selected segment is the
largest BLUP, as `analyze` names it. Scored for that segment: the raw interval, the BLUP interval, the raw
interval Bonferroni-adjusted for the K segments (z at 1 - alpha/(2K)), Morris's (K >= 4) at the plan's level
and at 1 - alpha/K (what `analyze` quotes for it since 2026-12-05: centre +- z(1 - alpha/(2K)) s), with the
mean width of the latter over the raw adjusted one's. numpy's
generator, not GSL's: the figures agree with Strata's within Monte Carlo error, not digit for digit.

  python3 Benchmarks/pooling_selected_check.py SEGMENTS TAUS CAMPAIGNS SEED
  python3 Benchmarks/pooling_selected_check.py 2 0,0.01,0.02 5000 3
"""
import sys

import numpy as np
from scipy.stats import norm

sys.path.insert(0, __import__("os").path.dirname(__file__))
from pooling_ebci_candidates import ALPHA, Z, intervals  # noqa: E402


def main():
    K = int(sys.argv[1])
    taus = [float(t) for t in sys.argv[2].split(",")]
    C = int(sys.argv[3])
    seed = int(sys.argv[4])
    se = 0.005 * (0.03 / 0.005) ** (np.arange(K) / (K - 1))
    v = se * se
    z_adjusted = norm.isf(ALPHA / (2 * K))
    for tau in taus:
        rng = np.random.default_rng(seed)
        theta = 0.02 + tau * rng.standard_normal((C, K))
        y = theta + se * rng.standard_normal((C, K))
        lo, hi = intervals("blup", y, v, K)
        centre = (lo + hi) / 2
        pick = centre.argmax(1)
        rows = np.arange(C)
        truth = theta[rows, pick]
        scores = {
            "raw": np.abs(y[rows, pick] - truth) <= Z * se[pick],
            "blup": (lo[rows, pick] <= truth) & (truth <= hi[rows, pick]),
            "raw_bonferroni": np.abs(y[rows, pick] - truth) <= z_adjusted * se[pick],
        }
        if K >= 4:
            mlo, mhi = intervals("morris", y, v, K)
            scores["morris"] = (mlo[rows, pick] <= truth) & (truth <= mhi[rows, pick])
            mcentre, mhalf = (mlo + mhi) / 2, (mhi - mlo) / 2 * z_adjusted / Z
            scores["morris_adjusted"] = np.abs(mcentre[rows, pick] - truth) <= mhalf[rows, pick]
            ratio = mhalf[rows, pick] / (z_adjusted * se[pick])
        line = f"K={K} tau={tau:<7} campaigns={C} seed={seed}"
        for name, hit in scores.items():
            p = hit.mean()
            line += f" | {name} {100 * p:6.2f} ± {100 * np.sqrt(p * (1 - p) / C):.2f}"
        if K >= 4:
            line += f" | width morris_adjusted / raw_bonferroni {ratio.mean():.3f} ± {ratio.std(ddof=1) / np.sqrt(C):.3f}"
        line += f" | error raw {100 * (y[rows, pick] - truth).mean():+.2f} pp, BLUP {100 * (centre[rows, pick] - truth).mean():+.2f} pp"
        print(line, flush=True)


if __name__ == "__main__":
    main()
