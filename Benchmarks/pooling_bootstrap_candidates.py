"""Independent prototype (numpy/scipy, not Strata's code): coverage of parametric-bootstrap intervals for the
shrunken segment effects (EBLUP), on the same campaigns as Benchmarks/pooling_interval_candidates.py and
pooling_ebci_candidates.py (true effects N(0.02, tau^2), standard errors 0.005-0.03 evenly on the log scale;
the same generator, seed and batch size, so the same draws; the bootstrap has its own generator, seeded from
the campaign seed, so it does not shift them). Research, run by hand; the figures are in docs/analyze.md
(Calibration). Measured with Python 3.11.7, numpy 2.4.6, scipy 1.17.1.

The model is the one `analyze` fits: REML tau^2 (truncated at 0; the score's root), mu-hat the precision-weighted
mean, the BLUP theta_k = lam_k y_k + (1 - lam_k) mu-hat, lam_k = A / (A + v_k), A = tau-hat^2, and its
plug-in standard deviation s_k(A) = sqrt(lam_k v_k + (1 - lam_k)^2 / sum W), W_k = 1 / (v_k + A) (what the
BLUP interval uses; it includes mu-hat's variance, so it is positive even at A = 0).

Parametric bootstrap of the prediction error (Chatterjee, Lahiri & Li, Ann. Statist. 2008; Hall & Maiti,
JRSS-B 2006): draw theta*_k = mu-hat + sqrt(A) z_k, y*_k = theta*_k + sqrt(v_k) e_k, refit the model on y*
(REML again, truncated at 0), and record per segment H*_k = (theta*_k - theta-hat*_k) / s_k(A*) and
E*_k = theta*_k - theta-hat*_k, BOOT draws per campaign. Candidates:
  pbt      the bootstrap-t interval of CLL: [theta_k + q*_.025 s_k(A), theta_k + q*_.975 s_k(A)], q* the
           quantiles of H*_k. CLL studentise by the leading term g1 = lam_k v_k alone, which is 0 when A-hat = 0
           (in the data or in a bootstrap world, 36-60% of campaigns near tau = 0 here) and leaves the pivot
           undefined; s_k(A) adds mu-hat's variance, positive at A = 0. That is how tau-hat^2 = 0 is handled:
           no floor, no special case. (The bootstrap world then has tau = 0, every theta*_k = mu-hat.)
  pbsym    Hall & Maiti's calibration of the BLUP interval theta_k +- z s_k(A): the normal quantile is replaced
           by the 95% quantile of |H*_k|, the nominal level at which the interval covers 95% in the bootstrap
           world (one level of bootstrap; their double bootstrap corrects that level once more: pbdouble).
  pberr    percentile interval of the unstudentised error: [theta_k + E*_.025, theta_k + E*_.975].
  pbdouble Hall & Maiti's double bootstrap applied to pbsym: for each first-level world b, BOOT2 second-level
           draws from (mu*_b, A*_b) give that world's calibrated quantile q_b(beta) of |H**| for each nominal
           beta on a grid; beta-hat is the level at which the first-level worlds are covered 95% of the time on
           average (theta*_b within theta-hat*_b +- q_b(beta) s_k(A*_b)), and the interval is
           theta_k +- q*(beta-hat) s_k(A), q* the beta-hat quantile of |H*_k|. Costs BOOT * BOOT2 refits per
           campaign: run on fewer campaigns.
  pbadj    pbt with Li & Lahiri's (2010) adjusted REML in place of REML, in the data and in every bootstrap refit:
           A-hat maximises A L_R(A), so it is never 0 (their answer to CLL's A-hat = 0 problem); centre and s_k
           are then the BLUP's at that A-hat (not the product's BLUP).
  pboracle pbt with the bootstrap drawn from the true mu = 0.02 and tau instead of the fitted ones: a check of
           the code (the pivot's quantiles are then exact up to bootstrap noise, so it must cover about 95%).
  morris   Morris (1983), as `analyze` quotes it (pooling_ebci_candidates.py's definition, imported).
  blup     the REML BLUP interval theta_k +- z s_k(A), for reference.
Coverage is the share of a campaign's segments covered, averaged over campaigns; the Monte Carlo SE is over
campaigns. --select also scores the selected segment alone: in each campaign the segment with the largest
BLUP (what `analyze` names as the best segment), and whether each interval covers that segment's true effect.

  python3 Benchmarks/pooling_bootstrap_candidates.py SEGMENTS TAUS CAMPAIGNS SEED METHODS [--boot N]
      [--boot2 N] [--select]
  python3 Benchmarks/pooling_bootstrap_candidates.py 12 0,0.005,0.01 4000 11 pbt,pbsym,pberr,morris,blup --boot 400
"""
import os
import sys
import time

import numpy as np
from scipy.stats import norm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pooling_ebci_candidates as ebci  # noqa: E402  (Morris's interval, same definition as its table)

Z = norm.ppf(0.975)


def restricted_loglik(y, v, t2):
    w = 1 / (v + t2[:, None])
    W = w.sum(1)
    mu = (w * y).sum(1) / W
    return -0.5 * (np.log(v + t2[:, None]).sum(1) + np.log(W) + (w * (y - mu[:, None]) ** 2).sum(1))


def reml_score(y, v, t2):
    """d/d tau^2 of the restricted log-likelihood (it falls as tau^2 grows past its root)."""
    w = 1 / (v + t2[:, None])
    W = w.sum(1)
    mu = (w * y).sum(1) / W
    return 0.5 * ((w * (y - mu[:, None])) ** 2).sum(1) - 0.5 * (W - (w * w).sum(1) / W)


def reml(y, v, halvings=64):
    """REML tau^2, truncated at 0, for each row of y (independent data sets), the way `analyze` finds it:
    0 when the score at 0 is <= 0, else the score's root, bracketed by doubling from max(2 DL, max v) and found
    here by bisection (64 halvings of the bracket; `analyze` uses Brent's method). Plain Fisher scoring, tried
    first, jumped between 0 and a positive value for ever on about 0.3% of 12-segment sets and crept at a rate
    near 1 on others. Returns mu-hat, A, sum of weights."""
    n = len(y)
    w = 1 / v
    mu_fe = (w * y).sum(1) / w.sum()
    q = (w * (y - mu_fe[:, None]) ** 2).sum(1)
    dl = np.maximum(0, (q - (len(v) - 1)) / (w.sum() - (w * w).sum() / w.sum()))
    positive = reml_score(y, v, np.zeros(n)) > 0
    hi = np.maximum(2 * dl, v.max())
    for _ in range(2000):
        up = positive & (reml_score(y, v, hi) > 0)
        if not up.any():
            break
        hi = np.where(up, 2 * hi, hi)
    else:
        raise SystemExit("could not bracket the REML score")
    lo = np.zeros(n)
    for _ in range(halvings):
        mid = (lo + hi) / 2
        above = reml_score(y, v, mid) > 0
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    t2 = np.where(positive, (lo + hi) / 2, 0.0)
    w = 1 / (v + t2[:, None])
    W = w.sum(1)
    mu = (w * y).sum(1) / W
    return mu, t2, W


def adjusted_reml(y, v, halvings=64):
    """Li & Lahiri's (2010) adjusted REML: the A > 0 maximising A L_R(A), the root of 1/A + score(A) (+infinity
    at A = 0+, negative for large A when K > 3), by bisection in log A; never 0."""
    n = len(y)
    f = lambda A: 1 / A + reml_score(y, v, A)
    lo = np.full(n, np.log(1e-10 * v.mean()))
    assert (f(np.exp(lo)) > 0).all()
    hi = np.full(n, np.log(v.max()))
    for _ in range(200):
        up = f(np.exp(hi)) > 0
        if not up.any():
            break
        hi = np.where(up, hi + np.log(2), hi)
    else:
        raise SystemExit("could not bracket the adjusted REML score")
    for _ in range(halvings):
        mid = (lo + hi) / 2
        above = f(np.exp(mid)) > 0
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    t2 = np.exp((lo + hi) / 2)
    w = 1 / (v + t2[:, None])
    W = w.sum(1)
    return (w * y).sum(1) / W, t2, W


ESTIMATOR = {"reml": reml, "adjusted": adjusted_reml}


def blup(y, v, estimator="reml"):
    mu, A, W = ESTIMATOR[estimator](y, v)
    lam = A[:, None] / (A[:, None] + v)
    center = lam * y + (1 - lam) * mu[:, None]
    s = np.sqrt(lam * v + (1 - lam) ** 2 / W[:, None])
    return center, s, mu, A


def bootstrap(mu, A, v, boot, rng, estimator="reml"):
    """BOOT worlds per row of (mu, A): true effects, H* and E*, each (rows, boot, K); and each world's (mu*, A*)."""
    n, K = len(mu), len(v)
    theta = mu[:, None, None] + np.sqrt(A)[:, None, None] * rng.standard_normal((n, boot, K))
    y = theta + np.sqrt(v) * rng.standard_normal((n, boot, K))
    center, s, mu_b, A_b = blup(y.reshape(n * boot, K), v, estimator)
    center, s = center.reshape(n, boot, K), s.reshape(n, boot, K)
    err = theta - center
    return err / s, err, mu_b.reshape(n, boot), A_b.reshape(n, boot), theta, center, s


BETAS = np.linspace(0.90, 0.999, 45)  # nominal levels the double bootstrap chooses among


def double_level(mu_b, A_b, theta_b, center_b, s_b, v, boot2, rng):
    """Hall & Maiti's calibrated level per campaign and segment (shape (rows, K)): for each first-level world,
    the |H**| quantiles at every level in BETAS, then the level whose intervals cover the worlds' true effects
    95% of the time on average (linear interpolation between grid levels, clipped to the grid)."""
    n, boot, K = theta_b.shape
    covered = np.zeros((n, K, len(BETAS)))
    for j in range(boot):  # one first-level world per campaign at a time (memory)
        H2 = bootstrap(mu_b[:, j], A_b[:, j], v, boot2, rng)[0]
        q = np.quantile(np.abs(H2), BETAS, axis=1)  # (levels, n, K)
        miss = np.abs(theta_b[:, j] - center_b[:, j]) / s_b[:, j]  # (n, K)
        covered += (miss[None] <= q).transpose(1, 2, 0)
    rate = covered / boot  # increasing in beta (up to noise): make it so, then invert
    rate = np.maximum.accumulate(rate, axis=2)
    beta = np.empty((n, K))
    for i in range(n):
        for k in range(K):
            beta[i, k] = np.interp(0.95, rate[i, k] + 1e-12 * np.arange(len(BETAS)), BETAS)
    return beta


def main():
    K = int(sys.argv[1])
    taus = [float(x) for x in sys.argv[2].split(",")]
    C = int(sys.argv[3])
    seed = int(sys.argv[4])
    methods = sys.argv[5].split(",")
    opts = sys.argv[6:]
    boot = int(opts[opts.index("--boot") + 1]) if "--boot" in opts else 400
    boot2 = int(opts[opts.index("--boot2") + 1]) if "--boot2" in opts else 50
    select = "--select" in opts
    B = 100  # campaigns per batch, as in pooling_interval_candidates.py (same draws)
    se = 0.005 * 6 ** (np.arange(K) / (K - 1))
    v = se * se
    for tau in taus:
        rng = np.random.default_rng(seed)
        rng_boot = np.random.default_rng([seed, 2008])
        covered = {name: [] for name in methods}
        chosen = {name: [] for name in methods}
        widths = {name: [] for name in methods}
        zero = []
        started = time.time()
        for _ in range(max(1, C // B)):
            n = min(B, C)
            theta = 0.02 + tau * rng.standard_normal((B, K))
            y = theta + se * rng.standard_normal((B, K))
            theta, y = theta[:n], y[:n]
            center, s, mu, A = blup(y, v)
            zero.append(A == 0)
            need_boot = any(m.startswith("pb") for m in methods)
            if need_boot:
                H, E, mu_b, A_b, theta_b, center_b, s_b = bootstrap(mu, A, v, boot, rng_boot)
            if "pboracle" in methods:
                H_true = bootstrap(np.full(n, 0.02), np.full(n, tau * tau), v, boot, rng_boot)[0]
            if "pbadj" in methods:
                center_a, s_a, mu_a, A_a = blup(y, v, "adjusted")
                H_a = bootstrap(mu_a, A_a, v, boot, rng_boot, "adjusted")[0]
            best = center.argmax(1)
            for name in methods:
                if name == "blup":
                    lo, hi = center - Z * s, center + Z * s
                elif name == "morris":
                    lo, hi = ebci.intervals("morris", y, v, K)
                elif name == "pbt":
                    q = np.quantile(H, [0.025, 0.975], axis=1)
                    lo, hi = center + q[0] * s, center + q[1] * s
                elif name == "pboracle":
                    q = np.quantile(H_true, [0.025, 0.975], axis=1)
                    lo, hi = center + q[0] * s, center + q[1] * s
                elif name == "pbadj":
                    q = np.quantile(H_a, [0.025, 0.975], axis=1)
                    lo, hi = center_a + q[0] * s_a, center_a + q[1] * s_a
                elif name == "pbsym":
                    q = np.quantile(np.abs(H), 0.95, axis=1)
                    lo, hi = center - q * s, center + q * s
                elif name == "pberr":
                    q = np.quantile(E, [0.025, 0.975], axis=1)
                    lo, hi = center + q[0], center + q[1]
                elif name == "pbdouble":
                    beta = double_level(mu_b, A_b, theta_b, center_b, s_b, v, boot2, rng_boot)
                    absH = np.sort(np.abs(H), axis=1)  # (n, boot, K)
                    idx = np.clip(np.ceil(beta * boot).astype(int) - 1, 0, boot - 1)
                    q = np.take_along_axis(absH, idx[:, None, :], axis=1)[:, 0, :]
                    lo, hi = center - q * s, center + q * s
                else:
                    raise SystemExit(f"unknown method {name}")
                hit = (lo <= theta) & (theta <= hi)
                covered[name].append(hit)
                widths[name].append((hi - lo) / (2 * Z * se))
                chosen[name].append(hit[np.arange(n), best])
        line = (f"K={K} tau={tau:<7} campaigns={C} seed={seed} boot={boot} "
                f"A=0 {100 * np.concatenate(zero).mean():.1f}% ({time.time() - started:.0f} s)")
        for name in methods:
            per_campaign = np.concatenate(covered[name]).mean(1)
            width = np.concatenate(widths[name]).mean()
            line += (f" | {name} {100 * per_campaign.mean():6.2f} ± {100 * per_campaign.std(ddof=1) / np.sqrt(C):.2f}"
                     f" (w {width:.2f})")
        print(line, flush=True)
        if select:
            line = "  selected segment (largest BLUP):"
            for name in methods:
                hits = np.concatenate(chosen[name]).astype(float)
                line += f" | {name} {100 * hits.mean():6.2f} ± {100 * hits.std(ddof=1) / np.sqrt(len(hits)):.2f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
