"""Independent check (numpy/scipy, not Strata's code): the segment `analyze` names is chosen twice, first the
variant (the best of V treatments by its pooled effect), then that variant's best segment (largest BLUP).
An interval adjusted for the K segments of one variant does not account for the first choice; one adjusted
for all V x K variant-segment pairs does (the union bound over every pair).

Per campaign: V treatments sharing one control, K segments with standard errors 0.005-0.03 of the
difference (evenly on the log scale; half of the variance from the treatment arm, half from the control
arm, whose noise every treatment shares), true effects N(mu_v, tau^2) per segment with mu_v = 0.02 for
every treatment, or one treatment ahead by LEAD pooled standard errors. The variant is the largest
inverse-variance pooled estimate; the segment the largest BLUP of that variant (REML, as
Benchmarks/pooling_ebci_candidates.py), none when it is tied (left out of the scores). Scored for the named segment: the raw interval and Morris's (K >= 4)
at 1 - alpha/K and at 1 - alpha/(V K).

  python3 Benchmarks/pooling_variant_selection_check.py V K TAUS LEAD CAMPAIGNS SEED
  python3 Benchmarks/pooling_variant_selection_check.py 7 2 0,0.01 0 20000 5
"""
import sys

import numpy as np
from scipy.stats import norm

sys.path.insert(0, __import__("os").path.dirname(__file__))
from pooling_ebci_candidates import ALPHA, Z, intervals  # noqa: E402


def main():
    V, K = int(sys.argv[1]), int(sys.argv[2])
    taus = [float(t) for t in sys.argv[3].split(",")]
    lead, C, seed = float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    se = 0.005 * (0.03 / 0.005) ** (np.arange(K) / (K - 1))
    v = se * se
    pooled_se = 1 / np.sqrt((1 / v).sum())
    z = {"K": norm.isf(ALPHA / (2 * K)), "VK": norm.isf(ALPHA / (2 * V * K))}
    for tau in taus:
        rng = np.random.default_rng(seed)
        mu = np.full(V, 0.02)
        mu[0] += lead * pooled_se
        theta = mu[None, :, None] + tau * rng.standard_normal((C, V, K))
        half = se / np.sqrt(2)
        control = half * rng.standard_normal((C, 1, K))
        y = theta + half * rng.standard_normal((C, V, K)) - control
        pooled = (y / v).sum(2) / (1 / v).sum()
        variant = pooled.argmax(1)
        rows = np.arange(C)
        yv, tv = y[rows, variant], theta[rows, variant]
        lo, hi = intervals("blup", yv, v, K)
        mid = (lo + hi) / 2
        pick = mid.argmax(1)
        # A campaign whose largest BLUP is tied (every one with tau^2-hat = 0, all BLUPs the pooled mean) names
        # no segment, as `analyze` names none since 2026-12-05: left out of the scores (ties to 1e-12 relative,
        # as numpy's BLUPs need not be bit-equal).
        top = mid[rows, pick]
        named = (np.abs(mid - top[:, None]) <= 1e-12 * np.abs(top)[:, None]).sum(1) == 1
        lo, hi, yv, tv, pick = lo[named], hi[named], yv[named], tv[named], pick[named]
        rows = np.arange(named.sum())
        truth, raw = tv[rows, pick], yv[rows, pick]
        scores = {f"raw@{n}": np.abs(raw - truth) <= zz * se[pick] for n, zz in z.items()}
        if K >= 4:
            mlo, mhi = intervals("morris", y[np.arange(C), variant][named], v, K)
            centre, s = (mlo + mhi)[rows, pick] / 2, (mhi - mlo)[rows, pick] / (2 * Z)
            for n, zz in z.items():
                scores[f"morris@{n}"] = np.abs(centre - truth) <= zz * s
        line = f"V={V} K={K} tau={tau:<6} lead={lead} campaigns={C} seed={seed} | variant 0 chosen {100 * (variant == 0).mean():5.1f}%"
        line += f" | none named {100 * (1 - named.mean()):5.1f}%"
        n = max(1, int(named.sum()))
        for name, hit in scores.items():
            p = hit.mean()
            line += f" | {name} {100 * p:6.2f} ± {100 * np.sqrt(p * (1 - p) / n):.2f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
