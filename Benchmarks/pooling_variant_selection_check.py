"""Independent check (numpy/scipy, not Strata's code): the segment `analyze` names is chosen twice, first the
variant (the best of V treatments by its pooled effect), then that variant's best segment (largest BLUP).
An interval adjusted for the K segments of one variant does not account for the first choice; one adjusted
for all V x K variant-segment pairs does (the union bound over every pair).

Per campaign: V treatments sharing one control, K segments with standard errors 0.005-0.03 of the
difference (evenly on the log scale; half of the variance from the treatment arm, half from the control
arm, whose noise every treatment shares), true effects N(mu_v, tau^2) per segment with mu_v = 0.02 for
every treatment, or one treatment ahead by LEAD pooled standard errors.

The two choices, written from the rules as docs/analyze.md states them ("The decision", "When no segment
stands out"), not from Strata's code:
- the variant: each treatment's inverse-variance pooled estimate over its K segments, its two-sided normal
  p-value, Holm's step-down adjustment over the V (credible when the adjusted p < alpha); the credible one
  with the largest effect in the good direction (higher is better: positive), else the credible one with
  the largest harm, else the largest estimate; ties to the first. `--largest-variant` takes the largest
  pooled estimate alone, the rule of this script until 2026-12-05 (the count of campaigns where the two
  rules differ is printed either way);
- the segment: the largest BLUP of that variant (REML by bisection on the restricted score, tau-hat^2 = 0
  when the score at 0 is <= 0: `reml` of Benchmarks/pooling_selected_check.py); none when the largest BLUP
  is tied, which is exact equality (with tau-hat^2 = 0 every BLUP is mu-hat bit for bit; the script checks
  that the ties are exactly the campaigns with tau-hat^2 = 0). Such campaigns name no segment and are left
  out of the named segment's scores; their share is printed. `--first-on-tie` scores the first segment
  there instead (the rule before 2026-12-05). Until 2026-12-05 this script used 200 Fisher-scoring steps
  for REML (Benchmarks/pooling_ebci_candidates.py), which jump between 0 and a small positive tau-hat^2 on
  a fraction of sets, and a tie tolerance of 1e-12 relative.

Scored for the named segment: the raw interval and Morris's (K >= 4; `intervals("morris")` of
Benchmarks/pooling_ebci_candidates.py, its centre +- z s with z at 1 - alpha/(2K) or 1 - alpha/(2VK)) at
1 - alpha/K and at 1 - alpha/(V K); the quoted interval's width over the raw one at 1 - alpha/(V K) (s / se,
1 for K < 4); the mean error of the raw estimate and of the BLUP. Monte Carlo SEs: binomial over the
campaigns scored (the shares over all campaigns), the SE of the mean for the width and errors.

  python3 Benchmarks/pooling_variant_selection_check.py V K TAUS LEAD CAMPAIGNS SEED [--first-on-tie] [--largest-variant]
  python3 Benchmarks/pooling_variant_selection_check.py 7 2 0,0.01 0 20000 5
Run with Python 3.11.7, numpy 2.4.6, scipy 1.17.1.
"""
import sys

import numpy as np
from scipy.stats import norm

sys.path.insert(0, __import__("os").path.dirname(__file__))
from pooling_ebci_candidates import ALPHA, intervals  # noqa: E402
from pooling_selected_check import reml  # noqa: E402


def holm_credible(p, alpha):
    """Rows of p-values -> credible flags: Holm's adjusted p = running max of (m - i) p_(i), capped at 1."""
    m = p.shape[1]
    order = np.argsort(p, axis=1, kind="stable")
    ranked = np.take_along_axis(p, order, 1) * (m - np.arange(m))[None, :]
    adjusted_sorted = np.minimum(np.maximum.accumulate(ranked, axis=1), 1)
    adjusted = np.empty_like(p)
    np.put_along_axis(adjusted, order, adjusted_sorted, 1)
    return adjusted < alpha


def choose_variant(pooled, pooled_se, alpha):
    """The documented rule: credible and good (largest |effect|), else credible harm (largest), else largest."""
    p = 2 * norm.sf(np.abs(pooled / pooled_se))
    credible = holm_credible(p, alpha)
    good = pooled > 0
    size = np.abs(pooled)
    first = np.where(credible & good, size, -np.inf)
    second = np.where(credible & ~good, size, -np.inf)
    return np.where(np.isfinite(first.max(1)), first.argmax(1),
                    np.where(np.isfinite(second.max(1)), second.argmax(1), pooled.argmax(1)))


def share(hit, n):
    p = hit.mean() if n else float("nan")
    return p, np.sqrt(p * (1 - p) / max(n, 1))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    first_on_tie = "--first-on-tie" in sys.argv
    largest_variant = "--largest-variant" in sys.argv
    V, K = int(args[0]), int(args[1])
    taus = [float(t) for t in args[2].split(",")]
    lead, C, seed = float(args[3]), int(args[4]), int(args[5])
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
        documented = choose_variant(pooled, pooled_se, ALPHA)
        largest = pooled.argmax(1)
        variant = largest if largest_variant else documented
        rows = np.arange(C)
        yv, tv = y[rows, variant], theta[rows, variant]
        m, t2, W = reml(yv, v)
        lam = t2[:, None] / (t2[:, None] + v)
        blup = lam * yv + (1 - lam) * m[:, None]
        pick = blup.argmax(1)
        top = blup[rows, pick]
        tied = (blup == top[:, None]).sum(1) > 1
        if not np.array_equal(tied, t2 == 0):
            raise SystemExit(f"ties in {tied.sum()} campaigns, tau-hat^2 = 0 in {(t2 == 0).sum()}")
        named = np.ones(C, bool) if first_on_tie else ~tied
        keep = np.flatnonzero(named)
        n = len(keep)
        p = pick[keep]
        truth, raw = tv[keep, p], yv[keep, p]
        scores = {f"raw@{name}": np.abs(raw - truth) <= zz * se[p] for name, zz in z.items()}
        width = np.ones(n)
        if K >= 4:
            mlo, mhi = intervals("morris", yv[keep], v, K)
            r = np.arange(n)
            centre, s = (mlo + mhi)[r, p] / 2, (mhi - mlo)[r, p] / (2 * norm.isf(ALPHA / 2))
            for name, zz in z.items():
                scores[f"morris@{name}"] = np.abs(centre - truth) <= zz * s
            width = s / se[p]
        line = f"V={V} K={K} tau={tau:<6} lead={lead} campaigns={C} seed={seed}"
        line += f" | variant 0 chosen {100 * share(variant == 0, C)[0]:5.2f} ± {100 * share(variant == 0, C)[1]:.2f}%"
        line += f" | rules differ {int((documented != largest).sum())}"
        line += f" | none named {100 * share(~named, C)[0]:5.2f} ± {100 * share(~named, C)[1]:.2f}% ({n} named)"
        for name, hit in scores.items():
            value, error = share(hit, n)
            line += f" | {name} {100 * value:6.2f} ± {100 * error:.2f}"
        line += f" | width {width.mean():.4f} ± {width.std(ddof=1) / np.sqrt(n):.4f}"
        for name, error in (("raw", raw - truth), ("BLUP", blup[keep, p] - truth)):
            line += f" | error {name} {100 * error.mean():+.3f} ± {100 * error.std(ddof=1) / np.sqrt(n):.3f} pp"
        print(line, flush=True)


if __name__ == "__main__":
    main()
