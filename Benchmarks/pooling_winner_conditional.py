"""Selection-aware intervals for the segment `analyze` names as the best (issue 18): an independent prototype
in numpy/scipy, written from Andrews, Kitagawa & McCloskey, "Inference on Winners" (QJE 2024), not from
Strata's code.

Model: per-segment estimates y_k ~ N(theta_k, v_k), independent, v_k known. The named segment j is the one
with the largest shrunken (BLUP) estimate after fitting the random-effects model by REML (mu-hat and tau-hat^2
refitted from all K estimates); when the largest BLUP is tied (every BLUP equals mu-hat exactly when tau-hat^2
= 0) no segment is named, as `analyze` names none since 2026-12-05 (docs/analyze.md, "When no segment stands
out"), and the campaign is left out of the scores; `--first-on-tie` names the first segment there instead,
the rule before (`BestChoice.segment` then kept the first of equal estimates), which the table measured on
2026-12-05 16:40-17:08 UTC used. Conditioning on the others (y_-j) and on j being
named, y_j follows N(theta_j, v_j) truncated to the set S of values t for which the rule, refitted with
y_j = t, still names j. S is found numerically: a scan of t over a grid, each sign change refined by
bisection (REML refitted at every point), then
- conditional: the equal-tailed interval {theta : alpha/2 <= F_S(y_j; theta) <= 1 - alpha/2}, F_S the CDF of
  N(theta, v_j) truncated to S (F_S falls as theta rises), and the median-unbiased estimate F_S = 1/2;
- hybrid: the projection interval y_j +- c sigma_j, c = z(1 - beta/(2K)) (Bonferroni at beta = alpha/10), and
  inside it the conditional interval at level (alpha - beta)/(1 - beta) with S cut to
  [theta - c sigma_j, theta + c sigma_j] (the law of y_j given also that theta lies in the projection set);
- quoted: what `analyze` quotes from four segments, Morris's (1983) interval at 1 - alpha/K (centre +-
  z(1 - alpha/(2K)) s_j), written here from the formulas in docs/analyze.md;
- raw Bonferroni: y_j +- z(1 - alpha/(2K)) sigma_j.
Tail probabilities in log space (scipy.special.log_ndtr), never 1 - Phi.

  python3 Benchmarks/pooling_winner_conditional.py simulate CAMPAIGNS SEED [K,...] [TAU,...] [equal,unequal] [--first-on-tie]
  python3 Benchmarks/pooling_winner_conditional.py simulate 4000 11
Under the tie rule the coverage columns are over the campaigns that name a segment, and the last column is the
share that names none (with --first-on-tie: the share naming the first segment). Run with Python 3.11.7,
numpy 2.4.6, scipy 1.17.1.
  python3 Benchmarks/pooling_winner_conditional.py checkgrid CAMPAIGNS SEED   (coarse grid against a 10x finer one)
"""
import sys
import time

import numpy as np
from scipy.optimize import brentq
from scipy.special import log_ndtr, logsumexp, ndtr
from scipy.stats import norm

ALPHA = 0.05
BETA = ALPHA / 10
MEAN = 0.02
FIRST_ON_TIE = "--first-on-tie" in sys.argv


# ---------------------------------------------------------------- REML and the selection rule (batched)


def restricted_score(Y, V, t2):
    """2 x the REML score at tau^2 = t2 per row (Viechtbauer 2005, eq. 11): sum w^2 (y - mu)^2 - sum w + sum w^2 / sum w."""
    W = 1.0 / (V + t2[:, None])
    s1 = W.sum(1)
    mu = (W * Y).sum(1) / s1
    W2 = W * W
    return (W2 * (Y - mu[:, None]) ** 2).sum(1) - s1 + W2.sum(1) / s1


def reml(Y, V, iterations=64):
    """tau-hat^2 per row: 0 when the score at 0 is <= 0, else the root bracketed by doubling, by bisection."""
    N, K = Y.shape
    out = np.zeros(N)
    positive = restricted_score(Y, V, np.zeros(N)) > 0
    if not positive.any():
        return out
    Yp, Vp = Y[positive], V[positive]
    w = 1.0 / Vp
    sw = w.sum(1)
    m = (w * Yp).sum(1) / sw
    q = (w * (Yp - m[:, None]) ** 2).sum(1)
    dl = np.maximum(0.0, (q - (K - 1)) / (sw - (w * w).sum(1) / sw))
    lo = np.zeros(len(Yp))
    hi = np.maximum(2 * dl, Vp.max(1))
    for _ in range(2000):
        up = restricted_score(Yp, Vp, hi) > 0
        if not up.any():
            break
        lo[up] = hi[up]
        hi[up] *= 2
    else:
        raise RuntimeError("REML score not bracketed")
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        up = restricted_score(Yp, Vp, mid) > 0
        lo = np.where(up, mid, lo)
        hi = np.where(up, hi, mid)
    out[positive] = 0.5 * (lo + hi)
    return out


def named(Y, V):
    """Index of the largest BLUP per row (lambda y + (1 - lambda) mu, lambda = t2/(t2 + v)); -1 when it is tied
    (exact equality: every BLUP is mu-hat when t2 = 0), or the first of equals with --first-on-tie."""
    t2 = reml(Y, V)
    W = 1.0 / (V + t2[:, None])
    mu = (W * Y).sum(1) / W.sum(1)
    lam = t2[:, None] / (t2[:, None] + V)
    blup = lam * Y + (1 - lam) * mu[:, None]
    j = blup.argmax(1)
    if not FIRST_ON_TIE:
        tied = (blup == blup[np.arange(len(j)), j][:, None]).sum(1) > 1
        j = np.where(tied, -1, j)
    return j, t2


def selection_sets(y, v, j, points=200, span=20.0, refine=48):
    """For each campaign c, the set of t with rule(y_c with y_c[j_c] = t) = j_c, as a list of (a, b) intervals.

    y, v: (C, K); j: (C,). Grid: `points` values of t evenly over [min others - span s, max others + span s]
    (s the largest standard error of the campaign); each change of the rule's answer between neighbours is
    refined by `refine` bisection steps. Below the grid the segment must not be named and above it must be
    (checked: a RuntimeError otherwise).
    """
    C, K = y.shape
    rows = np.arange(C)
    others = y.copy()
    others[rows, j] = np.nan
    s = np.sqrt(v.max(1))
    sigma = np.sqrt(v[rows, j])
    lo_t = np.nanmin(others, 1) - span * s
    hi_t = np.nanmax(others, 1) + span * s
    near_lo = np.nanmin(others, 1) - 3 * s
    near_hi = np.nanmax(others, 1) + 3 * s
    u = np.linspace(0, 1, points)[None, :]
    # Where tau-hat^2 = 0 (every BLUP equal: the first segment named), an interval of t that can be narrower
    # than the grid's step: the REML score at 0 is a quadratic in t (mu-hat is linear in it), so its roots
    # are found exactly and put in the grid, just inside and outside each, with t = y_j itself.
    extra = np.repeat(y[rows, j][:, None], 5, 1)
    for c in range(C):
        ts = np.array([-1.0, 0.0, 1.0]) * sigma[c] + y[c, j[c]]
        Y = np.repeat(y[c][None, :], 3, 0)
        Y[:, j[c]] = ts
        f = restricted_score(Y, np.repeat(v[c][None, :], 3, 0), np.zeros(3))
        coef = np.polyfit(ts - y[c, j[c]], f, 2)
        disc = coef[1] ** 2 - 4 * coef[0] * coef[2]
        if coef[0] > 0 and disc > 0:
            roots = y[c, j[c]] + (-coef[1] + np.array([-1.0, 1.0]) * np.sqrt(disc)) / (2 * coef[0])
            d = 1e-7 * sigma[c]
            extra[c, 1:] = [roots[0] - d, roots[0] + d, roots[1] - d, roots[1] + d]
    grid = np.sort(np.concatenate([lo_t[:, None] + (hi_t - lo_t)[:, None] * u,
                                   near_lo[:, None] + (near_hi - near_lo)[:, None] * u, extra], 1), 1)
    points = grid.shape[1]

    def rule(campaigns, t):
        Y = y[campaigns].copy()
        Y[np.arange(len(campaigns)), j[campaigns]] = t
        return named(Y, v[campaigns])[0] == j[campaigns]

    camp = np.repeat(rows, points)
    sel = rule(camp, grid.ravel()).reshape(C, points)
    if sel[:, 0].any() or not sel[:, -1].all():
        raise RuntimeError("selection set reaches beyond the scanned range")
    change_c, change_g = np.nonzero(sel[:, 1:] != sel[:, :-1])
    a = grid[change_c, change_g]
    b = grid[change_c, change_g + 1]
    a_sel = sel[change_c, change_g]
    for _ in range(refine):
        mid = 0.5 * (a + b)
        same = rule(change_c, mid) == a_sel
        a = np.where(same, mid, a)
        b = np.where(same, b, mid)
    edges = 0.5 * (a + b)
    sets = [[] for _ in range(C)]
    starts = {}
    for c, e, was in zip(change_c, edges, a_sel):
        if not was:
            starts[c] = e
        else:
            sets[c].append((starts.pop(c), e))
    for c in range(C):
        sets[c].append((starts.pop(c), np.inf))
        x = y[c, j[c]]
        if not any(a <= x <= b for a, b in sets[c]):
            raise RuntimeError(f"the observed estimate {x} is outside its selection set {sets[c]}")
    return sets


# ---------------------------------------------------------------- truncated normal in log space


def log_mass(a, b, theta, sigma):
    """log P(a <= Y <= b) for Y ~ N(theta, sigma^2), a < b (either may be infinite); -inf when empty."""
    if not a < b:
        return -np.inf
    za, zb = (a - theta) / sigma, (b - theta) / sigma
    if za > 0:  # upper tail: Q(za) - Q(zb)
        big, small = log_ndtr(-za), log_ndtr(-zb)
    elif zb < 0:  # lower tail: Phi(zb) - Phi(za)
        big, small = log_ndtr(zb), log_ndtr(za)
    else:  # straddles the mean: no tiny tail to lose
        return np.log(ndtr(zb) - ndtr(za))
    if small == -np.inf:
        return big
    return big + np.log1p(-np.exp(small - big))


def log_cdf_pair(x, intervals, theta, sigma):
    """(log F, log (1 - F)) at x of N(theta, sigma^2) truncated to the union of `intervals`."""
    below = [log_mass(a, min(b, x), theta, sigma) for a, b in intervals if a < x]
    above = [log_mass(max(a, x), b, theta, sigma) for a, b in intervals if b > x]
    lb = logsumexp(below) if below else -np.inf
    la = logsumexp(above) if above else -np.inf
    total = np.logaddexp(lb, la)
    return lb - total, la - total


def solve_theta(x, sigma, p, intervals_at, lo=None, hi=None):
    """The theta with F(x; theta) = p (F falls as theta rises), F from `intervals_at(theta)`.

    Solved on log F - log p (p <= 1/2) or log(1 - F) - log(1 - p), so tails keep their digits. Without a
    bracket, one is found by stepping out from x by sigma, doubling (at most 60 times).
    """

    def g(theta):
        lf, l1f = log_cdf_pair(x, intervals_at(theta), theta, sigma)
        return lf - np.log(p) if p <= 0.5 else np.log1p(-p) - l1f

    if lo is None:
        step = sigma
        lo = x - step
        while g(lo) <= 0:
            step *= 2
            lo = x - step
            if step > 2.0**60 * sigma:
                raise RuntimeError("no lower bracket")
    if hi is None:
        step = sigma
        hi = x + step
        while g(hi) >= 0:
            step *= 2
            hi = x + step
            if step > 2.0**60 * sigma:
                raise RuntimeError("no upper bracket")
    return brentq(g, lo, hi, xtol=1e-14 * sigma, rtol=1e-15, maxiter=500)


def conditional(x, sigma, S, alpha=ALPHA):
    """Equal-tailed conditional interval and median-unbiased estimate of theta given x in S."""
    at = lambda theta: S  # noqa: E731
    return (solve_theta(x, sigma, 1 - alpha / 2, at), solve_theta(x, sigma, alpha / 2, at),
            solve_theta(x, sigma, 0.5, at))


def hybrid(x, sigma, S, K, alpha=ALPHA, beta=BETA):
    """AKM's hybrid interval: conditional at (alpha - beta)/(1 - beta) given also theta in x +- c sigma."""
    c = norm.isf(beta / (2 * K))
    level = (alpha - beta) / (1 - beta)

    def at(theta):
        w_lo, w_hi = theta - c * sigma, theta + c * sigma
        return [(max(a, w_lo), min(b, w_hi)) for a, b in S if max(a, w_lo) < min(b, w_hi)]

    lo_end, hi_end = x - c * sigma, x + c * sigma
    # F^H(x; x - c sigma) = 1 and F^H(x; x + c sigma) = 0: the roots lie strictly inside.
    eps = 1e-12 * sigma
    return (solve_theta(x, sigma, 1 - level / 2, at, lo_end + eps, hi_end - eps),
            solve_theta(x, sigma, level / 2, at, lo_end + eps, hi_end - eps),
            solve_theta(x, sigma, 0.5, at, lo_end + eps, hi_end - eps))


# ---------------------------------------------------------------- Morris's interval (what analyze quotes)


def morris_adjusted(y, v, j, alpha=ALPHA):
    """Morris's interval for segment j at 1 - alpha/K: theta-hat_j +- z(1 - alpha/(2K)) s_j (K >= 4)."""
    K = len(y)

    def excess(A):
        W = 1 / (v + A)
        mu = (W * y).sum() / W.sum()
        return (W * (y - mu) ** 2).sum() - (K - 1)

    if excess(0.0) <= 0:
        A = 0.0
    else:
        hi = v.max()
        while excess(hi) > 0:
            hi *= 2
        A = brentq(excess, 0.0, hi, xtol=1e-300, rtol=1e-14)
    W = 1 / (v + A)
    mu = (W * y).sum() / W.sum()
    B = (K - 3) / (K - 1) * v[j] / (v[j] + A)
    centre = y[j] - B * (y[j] - mu)
    s2 = v[j] * (1 - (K - 1) / K * B) + 2 / (K - 3) * B * B * (y[j] - mu) ** 2
    half = norm.isf(alpha / (2 * K)) * np.sqrt(s2)
    return centre - half, centre + half


# ---------------------------------------------------------------- the simulation


def standard_errors(K, kind):
    if kind == "equal":
        return np.full(K, 0.01)
    return 0.005 * (0.03 / 0.005) ** (np.arange(K) / (K - 1))


def simulate(K, tau, kind, campaigns, seed, chunk=250):
    rng = np.random.default_rng(seed)
    se = standard_errors(K, kind)
    theta = MEAN + tau * rng.standard_normal((campaigns, K))
    y = theta + se * rng.standard_normal((campaigns, K))
    v = np.broadcast_to(se * se, y.shape).copy()
    j, t2 = named(y, v)
    none_named = float((j < 0).mean())
    keep = j >= 0
    theta, y, v, j, t2 = theta[keep], y[keep], v[keep], j[keep], t2[keep]
    campaigns = len(j)
    rows = np.arange(campaigns)
    methods = ("quoted", "raw_bonferroni", "conditional", "hybrid")
    lo = {m: np.empty(campaigns) for m in methods}
    hi = {m: np.empty(campaigns) for m in methods}
    median = np.empty(campaigns)
    pieces = np.empty(campaigns, int)
    z_bonf = norm.isf(ALPHA / (2 * K))
    for start in range(0, campaigns, chunk):
        block = slice(start, min(start + chunk, campaigns))
        sets = selection_sets(y[block], v[block], j[block])
        for offset, S in enumerate(sets):
            c = start + offset
            x, sigma = y[c, j[c]], se[j[c]]
            pieces[c] = len(S)
            lo["quoted"][c], hi["quoted"][c] = morris_adjusted(y[c], se * se, j[c])
            lo["raw_bonferroni"][c], hi["raw_bonferroni"][c] = x - z_bonf * sigma, x + z_bonf * sigma
            lo["conditional"][c], hi["conditional"][c], median[c] = conditional(x, sigma, S)
            lo["hybrid"][c], hi["hybrid"][c], _ = hybrid(x, sigma, S, K)
    truth = theta[rows, j]
    result = {"K": K, "tau": tau, "se": kind, "campaigns": campaigns, "seed": seed,
              "tau_hat_zero": float((t2 == 0).mean()), "first_named": float((j == 0).mean()), "none_named": none_named,
              "half_lines": float((pieces == 1).mean()), "max_pieces": int(pieces.max())}
    for m in methods:
        hit = (lo[m] <= truth) & (truth <= hi[m])
        p = hit.mean()
        width = hi[m] - lo[m]
        result[m] = (100 * p, 100 * np.sqrt(p * (1 - p) / campaigns), np.median(width), np.quantile(width, 0.9))
    ratio = (hi["hybrid"] - lo["hybrid"]) / (hi["quoted"] - lo["quoted"])
    result["hybrid_over_quoted"] = (float(np.median(ratio)), float((ratio < 1).mean()))
    result["bias"] = (float(np.median(y[rows, j] - truth)), float((median - truth).mean()),
                      float(np.median(median - truth)))
    return result


def print_row(r):
    cells = [f"{r['K']}", f"{r['tau']}", r["se"]]
    for m in ("quoted", "raw_bonferroni", "conditional", "hybrid"):
        cov, mc, med, p90 = r[m]
        cells.append(f"{cov:.2f} ± {mc:.2f} / {100 * med:.2f} / {100 * p90:.2f}")
    cells.append(f"{r['hybrid_over_quoted'][0]:.3f} ({100 * r['hybrid_over_quoted'][1]:.0f}%)")
    cells.append(f"{100 * r['bias'][0]:+.2f} / {100 * r['bias'][2]:+.2f}")
    cells.append(f"{100 * r['half_lines']:.1f}% (max {r['max_pieces']})")
    cells.append(f"{100 * r['first_named']:.0f}%" if FIRST_ON_TIE else f"{100 * r['none_named']:.1f}% ({r['campaigns']} named)")
    print("| " + " | ".join(cells) + " |", flush=True)


def main():
    sys.argv = [a for a in sys.argv if a != "--first-on-tie"]
    mode = sys.argv[1]
    if mode == "simulate":
        campaigns, seed = int(sys.argv[2]), int(sys.argv[3])
        Ks = [int(k) for k in sys.argv[4].split(",")] if len(sys.argv) > 4 else [4, 12, 30]
        taus = [float(t) for t in sys.argv[5].split(",")] if len(sys.argv) > 5 else [0.0, 0.005, 0.02]
        kinds = sys.argv[6].split(",") if len(sys.argv) > 6 else ["equal", "unequal"]
        for kind in kinds:
            for K in Ks:
                for tau in taus:
                    started = time.process_time()
                    r = simulate(K, tau, kind, campaigns, seed)
                    print_row(r)
                    print(f"  ({time.process_time() - started:.0f} s CPU)", file=sys.stderr, flush=True)
    elif mode == "checkgrid":
        campaigns, seed = int(sys.argv[2]), int(sys.argv[3])
        worst = 0.0
        for kind in ("equal", "unequal"):
            for K in (4, 12, 30):
                for tau in (0.0, 0.005, 0.02):
                    rng = np.random.default_rng(seed)
                    se = standard_errors(K, kind)
                    theta = MEAN + tau * rng.standard_normal((campaigns, K))
                    y = theta + se * rng.standard_normal((campaigns, K))
                    v = np.broadcast_to(se * se, y.shape).copy()
                    j, _ = named(y, v)
                    keep = j >= 0
                    y, v, j = y[keep], v[keep], j[keep]
                    coarse = selection_sets(y, v, j)
                    fine = selection_sets(y, v, j, points=2000)
                    for c, (a, b) in enumerate(zip(coarse, fine)):
                        if len(a) != len(b):
                            print(f"differs: K={K} tau={tau} {kind} campaign {c}: {a} vs {b}")
                            continue
                        for (a0, a1), (b0, b1) in zip(a, b):
                            worst = max(worst, abs(a0 - b0) / se[j[c]])
                    pieces = [len(s) for s in fine]
                    print(f"K={K} tau={tau} {kind}: pieces {np.bincount(pieces).tolist()}", flush=True)
        print(f"largest boundary difference coarse vs fine: {worst:.2e} standard errors")


if __name__ == "__main__":
    main()
