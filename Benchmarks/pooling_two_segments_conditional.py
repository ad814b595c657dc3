"""Two segments: which coverage figure for the segment `analyze` names, and whether a selection-aware interval
would hold 95% given that one is named (issue 18). Independent of Strata's code (numpy/scipy), written from the
rules in docs/analyze.md.

Campaigns as `strata simulate pooling --segments 2` draws them: true effects N(0.02, tau^2), standard errors
0.005 and 0.03, y_k ~ N(theta_k, v_k). REML tau-hat^2 is 0 exactly when the restricted score at 0 is <= 0,
which for two segments is (y_1 - y_2)^2 <= v_1 + v_2 (the score at 0 is w_1 w_2 d^2 / (w_1 + w_2) - 1 times a
positive factor, w = 1/v, d = y_1 - y_2); then both BLUPs equal mu-hat and `analyze` names no segment.
Otherwise the larger BLUP is the larger raw estimate (mu-hat lies between them and each BLUP moves part of the
way from mu-hat to its y_k). So segment j is named iff y_j > y_o + sqrt(v_1 + v_2), o the other segment:
given y_o, the selection set for y_j is the half-line S = (y_o + sqrt(v_1 + v_2), inf). The script checks this
against a REML refit (bisection on the score) on the first 2,000 campaigns of each row.

Intervals for the named segment j (sigma_j its standard error), at a 95% plan:
  quoted        raw interval adjusted for the 2 segments (what `analyze` quotes): y_j +- z(1 - alpha/4) sigma_j;
  raw           y_j +- z(1 - alpha/2) sigma_j;
  raw_K+1       y_j +- z(1 - alpha/6) sigma_j (Bonferroni over 3, an ad-hoc widening for comparison);
  conditional   given y_o and j named, y_j ~ N(theta_j, v_j) truncated to S: the equal-tailed interval
                {theta : alpha/2 <= F_S(y_j; theta) <= 1 - alpha/2} (F_S falls as theta rises; Andrews,
                Kitagawa & McCloskey, "Inference on Winners", QJE 2024, conditional on the selection event);
  hybrid        their hybrid: inside the projection interval y_j +- z(1 - beta/4) sigma_j (beta = alpha/10) the
                conditional interval at level (alpha - beta)/(1 - beta) with S cut to theta +- z(1 - beta/4) sigma_j.
Scored: coverage of theta_j given a segment is named (the figure docs/analyze.md quotes), "unconditional"
1 - P(named and missed) (a campaign naming none makes no claim: the false-coverage-statement rate of Benjamini &
Yekutieli 2005, which Bonferroni over the K segments keeps <= alpha), and widths over the quoted interval's
(mean, median, 90th percentile). Monte Carlo SEs binomial over the campaigns scored.

  python3 Benchmarks/pooling_two_segments_conditional.py TAUS CAMPAIGNS SEED
  python3 Benchmarks/pooling_two_segments_conditional.py 0,0.005,0.01,0.02 20000 3
"""
import sys

import numpy as np
from scipy.special import log_ndtr, ndtr
from scipy.stats import norm

ALPHA = 0.05
BETA = ALPHA / 10
K = 2
SE = np.array([0.005, 0.03])
V = SE * SE


def reml_positive(y):
    """Whether REML tau-hat^2 > 0: the restricted score at 0 is > 0 (checked against the closed form)."""
    w = 1 / V
    W = w.sum()
    mu = (y * w).sum(1) / W
    return ((w * (y - mu[:, None])) ** 2).sum(1) - W + (w * w).sum() / W > 0


def bisect(f, lo, hi, steps=200):
    """The root of f, decreasing in theta, in [lo, hi] per row (f(lo) > 0 > f(hi) assumed)."""
    for _ in range(steps):
        mid = (lo + hi) / 2
        above = f(mid) > 0
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    return (lo + hi) / 2


def conditional(y, s, c, level):
    """Equal-tailed interval of theta from y ~ N(theta, s^2) truncated to (c, inf); log 1 - F in log space."""
    a = 1 - level

    def log_upper(theta):  # log(1 - F) = log Q((y - theta)/s) - log Q((c - theta)/s)
        return log_ndtr((theta - y) / s) - log_ndtr((theta - c) / s)

    lo = bisect(lambda t: np.log(a / 2) - log_upper(t), c - 1e4 * s, y + 10 * s)  # 1 - F = alpha/2
    hi = bisect(lambda t: np.log(1 - a / 2) - log_upper(t), c - 1e4 * s, y + 10 * s)  # 1 - F = 1 - alpha/2
    return lo, hi


def hybrid(y, s, c):
    cb = norm.isf(BETA / (2 * K))
    a = (ALPHA - BETA) / (1 - BETA)
    p_lo, p_hi = y - cb * s, y + cb * s

    def F(theta):
        lower = np.maximum(c, theta - cb * s)
        top, bottom = ndtr((y - theta) / s) - ndtr((lower - theta) / s), ndtr(cb) - ndtr((lower - theta) / s)
        return top / bottom

    # F falls as theta rises; a bound beyond the projection interval is cut to it.
    lo = np.where(F(p_lo) <= 1 - a / 2, p_lo, bisect(lambda t: F(t) - (1 - a / 2), p_lo, p_hi))
    hi = np.where(F(p_hi) >= a / 2, p_hi, bisect(lambda t: F(t) - a / 2, p_lo, p_hi))
    return lo, hi


def pct(hit):
    p, n = hit.mean(), len(hit)
    return f"{100 * p:6.2f} ± {100 * np.sqrt(p * (1 - p) / n):.2f}"


def main():
    taus = [float(t) for t in sys.argv[1].split(",")]
    C, seed = int(sys.argv[2]), int(sys.argv[3])
    sd = np.sqrt(V.sum())
    for tau in taus:
        rng = np.random.default_rng(seed)
        theta = 0.02 + tau * rng.standard_normal((C, K))
        y = theta + SE * rng.standard_normal((C, K))
        named = np.abs(y[:, 0] - y[:, 1]) > sd
        check = slice(0, min(C, 2000))
        if not np.array_equal(named[check], reml_positive(y[check])):
            raise SystemExit("the closed-form rule disagrees with REML")
        rows = np.flatnonzero(named)
        j = y[rows].argmax(1)
        o = 1 - j
        yj, yo, s, truth = y[rows, j], y[rows, o], SE[j], theta[rows, j]
        c = yo + sd
        intervals = {}
        for name, z in (("quoted", norm.isf(ALPHA / (2 * K))), ("raw", norm.isf(ALPHA / 2)),
                        ("raw_K+1", norm.isf(ALPHA / (2 * (K + 1))))):
            intervals[name] = (yj - z * s, yj + z * s)
        intervals["conditional"] = conditional(yj, s, c, 1 - ALPHA)
        intervals["hybrid"] = hybrid(yj, s, c)
        quoted_width = intervals["quoted"][1] - intervals["quoted"][0]
        line = f"K=2 tau={tau:<6} campaigns={C} seed={seed} | none named {100 * (1 - named.mean()):5.2f}%"
        for name, (lo, hi) in intervals.items():
            hit = (lo <= truth) & (truth <= hi)
            missed = np.zeros(C, bool)
            missed[rows] = ~hit
            ratio = (hi - lo) / quoted_width
            line += (f"\n  {name:12} given named {pct(hit)} | unconditional {pct(~missed)} | width / quoted mean"
                     f" {ratio.mean():.3f}, median {np.median(ratio):.3f}, 90th pct {np.quantile(ratio, 0.9):.3f}")
        line += f"\n  Bonferroni bound: unconditional >= {100 * (1 - ALPHA):.0f}, given named >= {100 * (1 - ALPHA / named.mean()):.2f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
