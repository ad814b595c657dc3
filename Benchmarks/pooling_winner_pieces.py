"""Why the selection set S of `Benchmarks/pooling_winner_conditional.py` sometimes has two pieces under the
tie rule (docs/analyze.md, "A selection-aware interval for the named segment", "Two-piece selection sets").

For one setting of that prototype (same draws: numpy's generator, SEED, CAMPAIGNS), finds the campaigns whose
S has more than one piece and, for each: probes 7 points inside the gap between the pieces with the rule
refitted (which segment is named there, and tau-hat^2), checks tau-hat^2 against an independent maximiser of
the restricted likelihood (a 2,000-point log grid over tau^2 in [1e-12, 1], then bounded Brent), and computes
the conditional and hybrid intervals on S (what the prototype does) and on the piece holding y_j alone.

  python3 Benchmarks/pooling_winner_pieces.py K TAU equal|unequal CAMPAIGNS SEED
  python3 Benchmarks/pooling_winner_pieces.py 4 0.02 unequal 4000 11
"""
import os
import sys
import time
sys.path.insert(0, __import__("os").path.dirname(os.path.abspath(__file__)))
import numpy as np
from scipy.optimize import minimize_scalar
import pooling_winner_conditional as w

def reml_ll(y, v, t2):
    W = 1 / (v + t2); mu = (W * y).sum() / W.sum()
    return -0.5 * (np.log(v + t2).sum() + np.log(W.sum()) + (W * (y - mu) ** 2).sum())

def reml_independent(y, v):
    # maximise the restricted log-likelihood over tau^2 >= 0 on a log grid then bounded Brent
    grid = np.concatenate([[0.0], np.exp(np.linspace(np.log(1e-12), np.log(1.0), 2000))])
    ll = np.array([reml_ll(y, v, t) for t in grid])
    i = ll.argmax()
    if i == 0:
        return 0.0
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    r = minimize_scalar(lambda t: -reml_ll(y, v, t), bounds=(lo, hi), method="bounded", options={"xatol": 1e-18})
    return r.x

def rule_detail(y, v):
    t2 = w.reml(y[None, :], v[None, :])[0]
    W = 1 / (v + t2); mu = (W * y).sum() / W.sum()
    lam = t2 / (t2 + v); blup = lam * y + (1 - lam) * mu
    return t2, blup

K, tau, kind, C, seed = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
rng = np.random.default_rng(seed)
se = w.standard_errors(K, kind)
theta = w.MEAN + tau * rng.standard_normal((C, K))
y = theta + se * rng.standard_normal((C, K))
v = np.broadcast_to(se * se, y.shape).copy()
j, t2 = w.named(y, v)
keep = np.flatnonzero(j >= 0)
started = time.process_time()
sets = []
for s in range(0, len(keep), 250):
    b = keep[s:s + 250]
    sets += w.selection_sets(y[b], v[b], j[b])
two = [i for i, S in enumerate(sets) if len(S) > 1]
print(f"K={K} tau={tau} {kind}: {len(keep)} named, {len(two)} with >1 piece ({time.process_time()-started:.0f} s)")
rows = []
for i in two:
    c = keep[i]; S = sets[i]; jj = j[c]; x = y[c, jj]; sigma = se[jj]
    gap = (S[0][1], S[1][0])
    # probe the gap and just outside it
    probes = np.linspace(gap[0], gap[1], 9)[1:-1]
    info = []
    for t in probes:
        yy = y[c].copy(); yy[jj] = t
        t2p, blup = rule_detail(yy, se * se)
        t2i = reml_independent(yy, se * se)
        info.append((blup.argmax(), t2p, t2i))
    gap_winners = sorted(set(int(a) for a, _, _ in info))
    rel = max(abs(a - b) / max(b, 1e-300) for _, a, b in info if b > 0) if any(b > 0 for _, _, b in info) else 0
    zero_in_gap = any(a == 0 for _, a, _ in info)
    # intervals with the union and with only the piece holding x
    piece = [p for p in S if p[0] <= x <= p[1]]
    cu = w.conditional(x, sigma, S); cp = w.conditional(x, sigma, piece)
    hu = w.hybrid(x, sigma, S, K); hp = w.hybrid(x, sigma, piece, K)
    truth = theta[c, jj]
    rows.append((c, jj, x, S, gap_winners, zero_in_gap, rel, cu, cp, hu, hp, truth))
    print(f"campaign {c}: j={jj} (se {sigma:.4f}) y={np.round(y[c],5).tolist()} x={x:.5f}")
    print(f"   S={[(round(a,5), round(b,5) if np.isfinite(b) else b) for a,b in S]} gap width {(gap[1]-gap[0])/sigma:.3f} sigma_j; x in piece {[k for k,p in enumerate(S) if p[0]<=x<=p[1]]}")
    print(f"   in the gap: named {gap_winners}, tau2=0 at a probe: {zero_in_gap}, REML vs independent max rel diff {rel:.1e}")
    print(f"   conditional union [{cu[0]:.5f}, {cu[1]:.5f}] piece-only [{cp[0]:.5f}, {cp[1]:.5f}]; hybrid union [{hu[0]:.5f}, {hu[1]:.5f}] piece-only [{hp[0]:.5f}, {hp[1]:.5f}]; truth {truth:.5f}")
if rows:
    cov = lambda k: np.mean([r[k][0] <= r[11] <= r[k][1] for r in rows])
    wid = lambda k: np.median([r[k][1] - r[k][0] for r in rows])
    print(f"two-piece campaigns: coverage conditional union {cov(7):.3f} piece {cov(8):.3f}; hybrid union {cov(9):.3f} piece {cov(10):.3f}; median width (pp) cond {100*wid(7):.2f}/{100*wid(8):.2f} hybrid {100*wid(9):.2f}/{100*wid(10):.2f}")
    print("x in first piece:", sum(1 for r in rows if r[3][0][0] <= r[2] <= r[3][0][1]), "of", len(rows))
