"""Independent check (numpy/scipy, not Strata's code) of `strata simulate pooling`'s best_segment scores:
per campaign, true effects N(0.02, tau^2), standard errors 0.005-0.03 evenly on the log scale, REML tau^2
and BLUPs; the named segment is the one with the largest BLUP, as `analyze` names it. Since 2026-12-05
`analyze` names none when the largest BLUP is tied (docs/analyze.md, "When no segment stands out": every
fit with tau-hat^2 = 0, where each BLUP is mu-hat exactly): such campaigns are left out of the named
segment's scores and counted in "none named" (`--first-on-tie` scores the first segment there instead, the
rule before 2026-12-05). Scored for the named segment: the raw interval, the BLUP interval, the raw interval
Bonferroni-adjusted for the K segments (z at 1 - alpha/(2K)), Morris's (K >= 4) or the hierarchical-Bayes
one (K = 3) at the plan's level and at 1 - alpha/K (what `analyze` quotes for it since 2026-12-05: Morris's
centre +- z(1 - alpha/(2K)) s, the posterior's alpha/(2K) and 1 - alpha/(2K) quantiles), with the mean
width of the latter over the raw adjusted one's; "unconditional" is the raw adjusted interval's score over
every campaign with a campaign naming none counted as covered (no interval claimed: 1 - P(named and
missed), the false-coverage-statement view of Benjamini & Yekutieli 2005), with the bound alpha / P(named)
that Bonferroni gives for the miss rate given a segment is named. numpy's generator, not GSL's: the figures
agree with Strata's within Monte Carlo error, not digit for digit. Monte Carlo SEs are binomial (or the SE
of the mean) over the campaigns scored.

REML here (written from the documented rule, not from Strata's code): tau-hat^2 = 0 when the restricted
score at 0 is <= 0, else the score's root, bracketed by doubling and found by 200 bisection steps (the
script used 200 Fisher-scoring steps from Benchmarks/pooling_ebci_candidates.py until 2026-12-05, which
jumps between 0 and a positive value on about 0.3% of sets; the tie rule needs tau-hat^2 = 0 exactly).
BLUP_k = lambda_k y_k + (1 - lambda_k) mu-hat, lambda_k = tau^2 / (tau^2 + v_k), so tau-hat^2 = 0 gives
every BLUP mu-hat bit for bit; the tie is exact equality of the largest BLUPs (checked: it happens exactly
when tau-hat^2 = 0). Morris's interval from Benchmarks/pooling_ebci_candidates.py (`intervals("morris")`).
The hierarchical-Bayes interval (flat prior on tau, docs/analyze.md "Calibration"): p(tau | y) proportional
to the restricted likelihood L_R(tau^2), each segment's posterior the mixture over tau of N(m_k(tau),
s_k(tau)^2), m_k the BLUP at tau and s_k^2 = lambda_k v_k + (1 - lambda_k)^2 / sum w; here the trapezoidal
rule on a grid of log tau (step 0.02 from 1e-7 to 10), the mass below (tau ~ 0) and above (L_R falls as
tau^-(K-1), so the tail holds L_R(T^2) T for K = 3; its component is N(y_k, v_k)) lumped onto the two ends,
and the quantiles by 60 bisection steps; computed for the named segment only.

  python3 Benchmarks/pooling_selected_check.py SEGMENTS TAUS CAMPAIGNS SEED [--first-on-tie]
  python3 Benchmarks/pooling_selected_check.py 12 0.005 20000 3
Run with Python 3.11.7, numpy 2.4.6, scipy 1.17.1 (2026-12-05; figures in docs/analyze.md, "The segment
`analyze` names", and Tests/StrataStatsTests/PoolingCalibrationTests.swift).
"""
import sys

import numpy as np
from scipy.special import ndtr
from scipy.stats import norm

sys.path.insert(0, __import__("os").path.dirname(__file__))
from pooling_ebci_candidates import ALPHA, Z, intervals  # noqa: E402


def score(y, v, t2):
    """2 x the restricted score at tau^2 = t2, per row: sum w^2 (y - mu)^2 - sum w + sum w^2 / sum w."""
    w = 1 / (v + t2[:, None])
    W = w.sum(1)
    mu = (w * y).sum(1) / W
    return ((w * (y - mu[:, None])) ** 2).sum(1) - W + (w * w).sum(1) / W


def reml(y, v, steps=200):
    n = len(y)
    positive = score(y, v, np.zeros(n)) > 0
    hi = np.full(n, v.max())
    for _ in range(2000):
        up = positive & (score(y, v, hi) > 0)
        if not up.any():
            break
        hi = np.where(up, 2 * hi, hi)
    else:
        raise SystemExit("could not bracket the REML score")
    lo = np.zeros(n)
    for _ in range(steps):
        mid = (lo + hi) / 2
        above = score(y, v, mid) > 0
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    t2 = np.where(positive, (lo + hi) / 2, 0.0)
    w = 1 / (v + t2[:, None])
    W = w.sum(1)
    return (w * y).sum(1) / W, t2, W


def hierarchical_bayes(y, v, pick, levels, batch=200):
    """Per campaign (row), the named segment's posterior quantiles at each level; returns {level: (lo, hi)}."""
    C, K = y.shape
    assert K == 3, "the tail lump assumes L_R falls as tau^-2"
    u = np.arange(np.log(1e-7), np.log(10.0) + 1e-9, 0.02)
    tau = np.exp(u)
    t2 = np.concatenate([[0.0], tau**2, [np.inf]])
    out = {level: (np.empty(C), np.empty(C)) for level in levels}
    for start in range(0, C, batch):
        yb, pb = y[start:start + batch], pick[start:start + batch]
        n = len(yb)
        w = 1 / (v[None, None, :] + t2[None, :-1, None])
        W = w.sum(2)
        mu = (w * yb[:, None, :]).sum(2) / W
        logL = -0.5 * (np.log(v[None, None, :] + t2[None, :-1, None]).sum(2) + np.log(W)
                       + (w * (yb[:, None, :] - mu[:, :, None]) ** 2).sum(2))
        lw = np.empty((n, len(t2)))
        lw[:, 0] = logL[:, 0] + u[0]  # [0, tau_min): L_R about constant, times tau_min
        lw[:, 1:-1] = logL[:, 1:] + u[None, :] + np.log(0.02)  # flat on tau: tau du per node
        lw[:, 1] += np.log(0.5)
        lw[:, -2] += np.log(0.5)  # trapezoid ends
        lw[:, -1] = logL[:, -1] + u[-1]  # (tau_max, inf): L_R(T^2) T
        p = np.exp(lw - lw.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        rows = np.arange(n)
        yk, vk = yb[rows, pb], v[pb]
        lam = t2[None, 1:-1] / (t2[None, 1:-1] + vk[:, None])
        m = np.empty((n, len(t2)))
        s = np.empty((n, len(t2)))
        m[:, 0], s[:, 0] = mu[:, 0], np.sqrt(1 / W[:, 0])
        m[:, 1:-1] = lam * yk[:, None] + (1 - lam) * mu[:, 1:]
        s[:, 1:-1] = np.sqrt(lam * vk[:, None] + (1 - lam) ** 2 / W[:, 1:])
        m[:, -1], s[:, -1] = yk, np.sqrt(vk)
        for level in levels:
            for i, target in enumerate(((1 - level) / 2, (1 + level) / 2)):
                lo, hi = (m - 12 * s).min(1), (m + 12 * s).max(1)
                for _ in range(60):
                    x = (lo + hi) / 2
                    F = (p * ndtr((x[:, None] - m) / s)).sum(1)
                    lo, hi = np.where(F < target, x, lo), np.where(F < target, hi, x)
                out[level][i][start:start + n] = (lo + hi) / 2
    return out


def pct(hit):
    p, n = hit.mean(), len(hit)
    return f"{100 * p:6.2f} ± {100 * np.sqrt(p * (1 - p) / n):.2f}"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    first_on_tie = "--first-on-tie" in sys.argv
    K = int(args[0])
    taus = [float(t) for t in args[1].split(",")]
    C = int(args[2])
    seed = int(args[3])
    se = 0.005 * (0.03 / 0.005) ** (np.arange(K) / (K - 1))
    v = se * se
    z_adjusted = norm.isf(ALPHA / (2 * K))
    for tau in taus:
        rng = np.random.default_rng(seed)
        theta = 0.02 + tau * rng.standard_normal((C, K))
        y = theta + se * rng.standard_normal((C, K))
        mu, t2, W = reml(y, v)
        lam = t2[:, None] / (t2[:, None] + v)
        centre = lam * y + (1 - lam) * mu[:, None]
        half = Z * np.sqrt(lam * v + (1 - lam) ** 2 / W[:, None])
        pick = centre.argmax(1)
        top = centre[np.arange(C), pick]
        tied = (centre == top[:, None]).sum(1) > 1
        if not np.array_equal(tied, t2 == 0):
            raise SystemExit(f"ties in {tied.sum()} campaigns, tau-hat^2 = 0 in {(t2 == 0).sum()}")
        named = np.ones(C, bool) if first_on_tie else ~tied
        rows = np.flatnonzero(named)
        p, truth = pick[rows], theta[rows, pick[rows]]
        raw = y[rows, p]
        raw_adjusted = np.abs(raw - truth) <= z_adjusted * se[p]
        scores = {
            "raw": np.abs(raw - truth) <= Z * se[p],
            "blup": np.abs(centre[rows, p] - truth) <= half[rows, p],
            "raw_bonferroni": raw_adjusted,
        }
        if K >= 4:
            mlo, mhi = intervals("morris", y, v, K)
            mcentre, mhalf = (mlo + mhi)[rows, p] / 2, (mhi - mlo)[rows, p] / 2
            scores["morris"] = np.abs(mcentre - truth) <= mhalf
            scores["morris_adjusted"] = np.abs(mcentre - truth) <= mhalf * z_adjusted / Z
            ratio = mhalf / Z / se[p]
        elif K == 3:
            level, adjusted = 1 - ALPHA, 1 - ALPHA / K
            hb = hierarchical_bayes(y[rows], v, p, (level, adjusted))
            scores["hierarchical_bayes"] = (hb[level][0] <= truth) & (truth <= hb[level][1])
            scores["hierarchical_bayes_adjusted"] = (hb[adjusted][0] <= truth) & (truth <= hb[adjusted][1])
            ratio = (hb[adjusted][1] - hb[adjusted][0]) / (2 * z_adjusted * se[p])
        line = f"K={K} tau={tau:<7} campaigns={C} seed={seed} | none named {100 * (1 - named.mean()):5.2f}% ({C - len(rows)})"
        for name, hit in scores.items():
            line += f" | {name} {pct(hit)}"
        if K >= 3:
            line += f" | width {list(scores)[-1]} / raw_bonferroni {ratio.mean():.4f} ± {ratio.std(ddof=1) / np.sqrt(len(rows)):.4f}"
        missed = np.zeros(C, bool)
        missed[rows] = ~raw_adjusted
        share = named.mean()
        line += f" | unconditional raw_bonferroni {pct(~missed)}, bound given named ≥ {100 * (1 - ALPHA / share):.2f}"
        for name, error in (("raw", raw - truth), ("BLUP", centre[rows, p] - truth)):
            line += f" | error {name} {100 * error.mean():+.3f} ± {100 * error.std(ddof=1) / np.sqrt(len(rows)):.3f} pp"
        print(line, flush=True)


if __name__ == "__main__":
    main()
