"""Independent prototype: coverage of hierarchical-Bayes segment intervals at a fixed true tau, under a
flat prior on tau ("flat") or a flat prior on tau^2 ("tau2": p(tau) ∝ tau). Grid in tau (trapezoid), bisection
on the mixture CDF; campaigns drawn like `strata simulate pooling` (mean 0.02, standard errors 0.005-0.03).
Research, run by hand; the figure is in docs/analyze.md (Calibration).

  python3 Benchmarks/pooling_prior_prototype.py SEGMENTS TAU CAMPAIGNS SEED flat|tau2
  python3 Benchmarks/pooling_prior_prototype.py 40 0.01 800 1 tau2
"""
import sys, numpy as np
from scipy.special import ndtr
K, tau, campaigns, seed, prior = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rng = np.random.default_rng(seed)
se = 0.005 * 6 ** (np.arange(K) / (K - 1)); v = se * se
grid = np.concatenate([np.linspace(0, 0.06, 1201)[:-1], np.linspace(0.06, 0.6, 541)])  # tau nodes
t2 = grid[:, None] ** 2
covered = np.zeros(K); percamp = []
for c in range(campaigns):
    theta = 0.02 + tau * rng.standard_normal(K); y = theta + se * rng.standard_normal(K)
    w = 1 / (v + t2); W = w.sum(1); mu = (w * y).sum(1) / W
    logL = -0.5 * (np.log(v + t2).sum(1) + np.log(W) + (w * (y - mu[:, None]) ** 2).sum(1))
    if prior == "tau2": logL = logL + np.log(np.maximum(grid, 1e-300))
    p = np.exp(logL - logL.max())
    wt = np.zeros_like(grid); d = np.diff(grid); wt[:-1] += d / 2; wt[1:] += d / 2  # trapezoid in tau
    p = p * wt; p /= p.sum()
    lam = t2 / (t2 + v); m = lam * y + (1 - lam) * mu[:, None]; s = np.sqrt(lam * v + (1 - lam) ** 2 / W[:, None])
    lo = np.full(K, -1.0); hi = np.full(K, 1.0); ql = lo.copy(); qh = hi.copy()
    for target, out in ((0.025, 'l'), (0.975, 'h')):
        a, b = np.full(K, -1.0), np.full(K, 1.0)
        for _ in range(60):
            x = (a + b) / 2
            F = (p[:, None] * ndtr((x - m) / s)).sum(0)
            a = np.where(F < target, x, a); b = np.where(F < target, b, x)
        if out == 'l': ql = (a + b) / 2
        else: qh = (a + b) / 2
    cov = (ql <= theta) & (theta <= qh); covered += cov; percamp.append(cov.mean())
percamp = np.array(percamp)
print(f"K={K} tau={tau} prior={prior} campaigns={campaigns} coverage={percamp.mean():.4f} mcse={percamp.std(ddof=1)/np.sqrt(campaigns):.4f}")
print("by segment (smallest se first):", np.round(covered / campaigns, 3).tolist())
