"""How often the REML rule "tau-hat^2 = 0 when the restricted score at 0 is <= 0" is not the maximum of the
restricted likelihood (docs/analyze.md, "Two-piece selection sets"): per campaign (true effects
N(0.02, tau^2), standard errors all 0.01 or 0.005-0.03 evenly on the log scale, numpy's generator, seed 11),
the restricted log-likelihood and its score on tau^2 in {0} and 600 log-spaced values in [1e-10, 1]; counted:
the score at 0 is <= 0 (the rule gives 0) while a positive tau^2 of the grid has a higher likelihood (by
more than 1e-9), and the score changes sign more than once on the grid (the likelihood has more than one
stationary point, so a root of the score need not be its maximum).

  python3 Benchmarks/pooling_reml_bimodal.py
"""
import sys

import numpy as np

# tau^2 = 0 and 600 log-spaced values in [1e-10, 1].
GRID = np.concatenate([[0.0], np.exp(np.linspace(np.log(1e-10), np.log(1.0), 600))])


def rows():
    """The table's rows: (K, tau, kind, campaigns); `pooling_reml_metafor.py` replays them."""
    for K in (2, 3, 4, 6, 12, 30):
        for tau in (0.0, 0.005, 0.02):
            for kind in ("unequal", "equal"):
                if kind == "equal" and K not in (4, 12): continue
                yield K, tau, kind, 40000 if K < 30 else 10000


def draw(K, tau, kind, C, seed):
    """C campaigns of K estimates (C x K) and their sampling variances (K)."""
    rng = np.random.default_rng(seed)
    se = np.full(K, 0.01) if kind == "equal" else 0.005 * 6 ** (np.arange(K) / (K - 1))
    v = se * se
    theta = 0.02 + tau * rng.standard_normal((C, K))
    y = theta + se * rng.standard_normal((C, K))
    return y, v


def restricted(y, v, t2):
    """Per campaign, the restricted log-likelihood (without its constants) and twice its score at tau^2 = t2."""
    W = 1 / (v + t2); S = W.sum(); mu = (y * W).sum(1) / S
    r = y - mu[:, None]
    ll = -0.5 * (np.log(v + t2).sum() + np.log(S) + (W * r * r).sum(1))
    sc = ((W * r) ** 2).sum(1) - S + (W * W).sum() / S
    return ll, sc


def sign_changes(sc_sign):
    """Per campaign, how often the score's sign changes along GRID (sc_sign: campaigns x GRID)."""
    return (np.diff(sc_sign.astype(int), axis=1) != 0).sum(1)


def run(K, tau, kind, C, seed):
    y, v = draw(K, tau, kind, C, seed)
    best = np.full(C, -np.inf); arg = np.zeros(C); ll0 = None
    sc_sign = []
    for t2 in GRID:
        ll, sc = restricted(y, v, t2)
        sc_sign.append(sc > 0)
        if ll0 is None: ll0 = ll
        up = ll > best; best = np.where(up, ll, best); arg = np.where(up, t2, arg)
    sc_sign = np.array(sc_sign).T
    zero_rule = ~sc_sign[:, 0]
    wrong = zero_rule & (best > ll0 + 1e-9)
    changes = sign_changes(sc_sign)
    print(f"K={K} tau={tau} {kind} C={C}: score(0)<=0 in {100*zero_rule.mean():.2f}%; of all campaigns, score(0)<=0 but a positive tau2 has higher restricted likelihood: {100*wrong.mean():.3f}% ({wrong.sum()}); score with >1 sign change: {100*(changes>1).mean():.3f}%")


if __name__ == "__main__":
    for K, tau, kind, C in rows():
        run(K, tau, kind, C, 11)
