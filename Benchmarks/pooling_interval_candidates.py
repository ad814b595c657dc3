"""Independent prototype (numpy/scipy, not Strata's code): coverage of candidate segment intervals at a fixed
true tau, on campaigns drawn like `strata simulate pooling` (true effects N(0.02, tau^2), standard errors
0.005-0.03 evenly on the log scale). Research, run by hand; the figures are in docs/analyze.md (Calibration).

Every candidate is a mixture over tau of the conditional normal posteriors of the segment effects
(N(m_k(tau), s_k(tau)^2): the BLUP mean, and its variance including that of mu-hat(tau)), with weights:
  hbA        hierarchical Bayes, p(tau) ∝ tau^A on tau >= 0 (A = 0: flat on tau, what `analyze` uses;
             A = 1: flat on tau^2), posterior ∝ p(tau) L_R(tau^2) (mu integrated out under a flat prior);
  eb         all weight on the REML tau (the BLUP interval, tau-hat plugged in as if known);
  spikeP_S   P(tau = 0) = P, else half-Cauchy(S) (a point mass at "no spread").
The posterior is discretised on a grid in log tau (step 0.08, 1e-4 to 0.3; below 1e-4 one node at tau = 0),
intervals are the 2.5% / 97.5% mixture quantiles by bisection (36 halvings). Coverage is the share of a
campaign's segments covered, averaged over campaigns; the Monte Carlo SE is over campaigns.

  python3 Benchmarks/pooling_interval_candidates.py SEGMENTS TAUS CAMPAIGNS SEED METHODS [--by-segment]
  python3 Benchmarks/pooling_interval_candidates.py 12 0,0.005,0.01 4000 11 hb-0.5,hb0,hb0.5,hb1,eb
"""
import sys
import time

import numpy as np
from scipy.special import ndtr

K = int(sys.argv[1])
taus = [float(x) for x in sys.argv[2].split(",")]
C = int(sys.argv[3])
seed = int(sys.argv[4])
methods = sys.argv[5].split(",")
by_segment = "--by-segment" in sys.argv
B = 100  # campaigns per batch
du = 0.08
U = np.arange(np.log(1e-4), np.log(0.3), du)
TAU = np.exp(U)
t2 = np.concatenate([[0.0], TAU**2])
tmin = TAU[0] * np.exp(-du / 2)  # the tau = 0 node stands for [0, tmin)
se = 0.005 * 6 ** (np.arange(K) / (K - 1))
v = se * se


def nodes(y):
    """Restricted log-likelihood, conditional means and SDs of every segment at every node."""
    w = 1 / (v[None, None, :] + t2[None, :, None])
    W = w.sum(2)
    mu = (w * y[:, None, :]).sum(2) / W
    logL = -0.5 * (np.log(v[None, None, :] + t2[None, :, None]).sum(2) + np.log(W)
                   + (w * (y[:, None, :] - mu[:, :, None]) ** 2).sum(2))
    lam = t2[None, :, None] / (t2[None, :, None] + v[None, None, :])
    m = lam * y[:, None, :] + (1 - lam) * mu[:, :, None]
    s = np.sqrt(lam * v[None, None, :] + (1 - lam) ** 2 / W[:, :, None])
    return logL, m, s


def quantile(p, m, s, target, iterations=36):
    lo = (m - 10 * s).min(1)
    hi = (m + 10 * s).max(1)
    for _ in range(iterations):
        x = (lo + hi) / 2
        F = (p[:, :, None] * ndtr((x[:, None, :] - m) / s)).sum(1)
        lo = np.where(F < target, x, lo)
        hi = np.where(F < target, hi, x)
    return (lo + hi) / 2


def normalised(lw):
    p = np.exp(lw - lw.max(1, keepdims=True))
    return p / p.sum(1, keepdims=True)


def weights(method, logL):
    lw = logL.copy()
    if method.startswith("hb"):
        a = float(method[2:])
        lw[:, 1:] += (a + 1) * U[None, :] + np.log(du)  # tau^a per unit of tau = tau^(a+1) per unit of log tau
        lw[:, 0] += (a + 1) * np.log(tmin) - np.log(a + 1)  # integral of tau^a over [0, tmin)
        return normalised(lw)
    if method.startswith("spike"):
        p0, s0 = (float(x) for x in method[5:].split("_"))
        density = lambda t: 2 / (np.pi * s0 * (1 + (t / s0) ** 2))
        lw[:, 1:] += np.log((1 - p0) * TAU * density(TAU) * du)[None, :]
        lw[:, 0] += np.log(p0 + (1 - p0) * density(0) * tmin)
        return normalised(lw)
    if method == "eb":
        p = np.zeros_like(logL)
        p[np.arange(len(p)), logL.argmax(1)] = 1
        return p
    raise SystemExit(f"unknown method {method}")


for tau in taus:
    rng = np.random.default_rng(seed)
    covered = {name: [] for name in methods}
    started = time.time()
    for _ in range(C // B):
        theta = 0.02 + tau * rng.standard_normal((B, K))
        y = theta + se * rng.standard_normal((B, K))
        logL, m, s = nodes(y)
        for name in methods:
            p = weights(name, logL)
            lo, hi = quantile(p, m, s, 0.025), quantile(p, m, s, 0.975)
            covered[name].append((lo <= theta) & (theta <= hi))
    line = f"K={K} tau={tau:<7} campaigns={C} seed={seed} ({time.time() - started:.0f} s)"
    for name in methods:
        hits = np.concatenate(covered[name])
        per_campaign = hits.mean(1)
        line += f" | {name} {100 * per_campaign.mean():6.2f} ± {100 * per_campaign.std(ddof=1) / np.sqrt(C):.2f}"
    print(line, flush=True)
    if by_segment:
        for name in methods:
            hits = np.concatenate(covered[name])
            print(f"  {name} by segment (smallest SE first):", np.round(100 * hits.mean(0), 1).tolist())
