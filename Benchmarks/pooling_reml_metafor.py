"""Which maximum of the restricted likelihood metafor's REML returns on two-peak sets (docs/analyze.md, "The
REML second peak"), against an independent global maximiser and a numpy prototype of Strata's REML.

Replays `Benchmarks/pooling_reml_bimodal.py`'s draws (its 24 rows, seed 11) and keeps the campaigns whose
restricted score changes sign more than once on its grid (2,134). For each: metafor 3.8.1's `rma(method =
"REML")` (Rscript; control: the default, the fixtures' threshold 1e-14 and maxiter 10,000, and tau2.init 0,
1e-6, 1e-3, 1), the global maximiser (every stationary point from a 20,000-point log grid of tau^2 in [1e-14,
10] and Brent's method on the score, the highest of them and tau^2 = 0), the rule before 2026-12-06 (0 when
the score at 0 is <= 0) and the prototype of `RandomEffectsModel.restrictedMaximumLikelihood` since then
(Fisher scoring from the Hedges start with metafor's step halving, finished by Brent's method, then metafor's
ll0check; Strata's Swift gave the same tau-hat^2 to 1e-12 on all 2,134, checked 2026-12-06 with a throwaway
test). Prints the tallies of docs/analyze.md. About 2 min of R and 10 s of numpy.

  python3 Benchmarks/pooling_reml_metafor.py
Needs numpy, scipy and Rscript with metafor and jsonlite (Debian: r-base-core r-cran-metafor r-cran-jsonlite).
"""
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter

import numpy as np
from scipy.optimize import brentq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pooling_reml_bimodal import GRID, draw, restricted, rows, sign_changes  # noqa: E402

R_PROGRAM = r"""
suppressPackageStartupMessages({ library(metafor); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
cases <- fromJSON(args[1], simplifyVector = FALSE)
fit <- function(yi, vi, control) {
  warned <- FALSE
  f <- withCallingHandlers(tryCatch(rma(yi = yi, vi = vi, method = "REML", control = control),
                                    error = function(e) NULL),
                           warning = function(w) { warned <<- TRUE; invokeRestart("muffleWarning") })
  if (is.null(f)) return(list(tau2 = NULL, ll = NULL, warned = warned))
  list(tau2 = f$tau2, ll = as.numeric(logLik(f)), warned = warned)
}
tight <- list(threshold = 1e-14, maxiter = 10000)
res <- lapply(cases, function(s) {
  yi <- unlist(s$yi); vi <- unlist(s$vi)
  list(he = rma(yi = yi, vi = vi, method = "HE")$tau2, default = fit(yi, vi, list()), fixture = fit(yi, vi, tight),
       init0 = fit(yi, vi, c(tight, tau2.init = 0)), init1e6 = fit(yi, vi, c(tight, tau2.init = 1e-6)),
       init1e3 = fit(yi, vi, c(tight, tau2.init = 1e-3)), init1 = fit(yi, vi, c(tight, tau2.init = 1)))
})
write(toJSON(res, auto_unbox = TRUE, digits = NA, null = "null"), args[2])
"""


def draws(K, tau, kind, C, seed):
    """The campaigns of pooling_reml_bimodal.py's row whose score changes sign more than once on its grid."""
    y, v = draw(K, tau, kind, C, seed)
    changes = sign_changes(np.array([restricted(y, v, t2)[1] > 0 for t2 in GRID]).T)
    return [(y[c], v) for c in np.nonzero(changes > 1)[0]]


def score_information(y, v, t):
    w = 1 / (v + t); S = w.sum(); S2 = (w * w).sum(); S3 = (w ** 3).sum(); mu = (w * y).sum() / S
    trP = S - S2 / S
    return (((w * (y - mu)) ** 2).sum() - trP) / 2, (S2 - 2 * S3 / S + S2 * S2 / (S * S)) / 2


def loglik(y, v, t):
    """metafor's logLik for REML (REMLf = TRUE): with the constants."""
    w = 1 / (v + t); S = w.sum(); mu = (w * y).sum() / S; k = len(y)
    return (-(k - 1) / 2 * np.log(2 * np.pi) + 0.5 * np.log(k)
            - 0.5 * (np.log(v + t).sum() + np.log(S) + (w * (y - mu) ** 2).sum()))


def root(y, v, a, b):
    return brentq(lambda t: score_information(y, v, t)[0], a, b, xtol=1e-300, rtol=1e-15, maxiter=500)


GRID = np.concatenate([[0.0], np.exp(np.linspace(np.log(1e-14), np.log(10.0), 20000))])


def global_maximum(y, v):
    W = 1 / (v[None, :] + GRID[:, None]); S = W.sum(1); mu = (W * y).sum(1) / S
    sc = ((W * (y[None, :] - mu[:, None])) ** 2).sum(1) - S + (W * W).sum(1) / S
    maxima = [0.0] + [root(y, v, GRID[j], GRID[j + 1]) for j in np.nonzero((sc[:-1] > 0) & (sc[1:] <= 0))[0]]
    return max(maxima, key=lambda t: loglik(y, v, t)), sc[0] > 0


def prototype(y, v):
    """RandomEffectsModel.restrictedMaximumLikelihood, written again in numpy."""
    k = len(y)
    at_zero = score_information(y, v, 0.0)[0]
    t = max(0.0, ((y - y.mean()) ** 2).sum() / (k - 1) - v.mean())
    previous = None
    r = None
    for _ in range(10000):
        f, info = score_information(y, v, t)
        if f == 0: r = t; break
        if t == 0 and f < 0: return 0.0
        step = f / info
        while t + step < 0: step /= 2
        if previous is not None and (previous[1] > 0) != (f > 0) and abs(step) < previous[2]:
            r = root(y, v, min(t, previous[0]), max(t, previous[0])); break
        if f < 0 and at_zero <= 0 and t + step <= 1e-10 * v.min(): return 0.0
        if abs(step) <= 1e-6 * t:
            near, width = t, abs(step)
            while True:
                far = max(0.0, near + width if f > 0 else near - width)
                g = score_information(y, v, far)[0]
                if g == 0: r = far; break
                if (g > 0) != (f > 0): r = root(y, v, min(near, far), max(near, far)); break
                if far == 0: return 0.0
                near, width = far, 2 * width
            break
        previous = (t, f, abs(step)); t = t + step
    if r is None: raise SystemExit("the prototype did not converge")
    return 0.0 if r > 0 and loglik(y, v, 0.0) - loglik(y, v, r) > 2.0 ** -13 else r


def main():
    sets = []
    for K, tau, kind, C in rows():
        sets += draws(K, tau, kind, C, 11)
    with tempfile.TemporaryDirectory() as tmp:
        cases, out, program = (os.path.join(tmp, n) for n in ("cases.json", "metafor.json", "fit.R"))
        json.dump([{"yi": list(map(float, y)), "vi": list(map(float, v))} for y, v in sets], open(cases, "w"))
        open(program, "w").write(R_PROGRAM)
        subprocess.run(["Rscript", program, cases, out], check=True)
        metafor = json.load(open(out))
    tally = Counter()
    for (y, v), m in zip(sets, metafor):
        floor = 1e-12 * v.max()
        same = lambda a, b: a is not None and abs(a - b) <= max(1e-8 * abs(b), floor)
        best, positive_at_zero = global_maximum(y, v)
        old = None if positive_at_zero else 0.0
        beaten = old == 0.0 and loglik(y, v, best) > loglik(y, v, 0.0) + 1e-9
        group = "old rule 0, a positive tau^2 higher" if beaten else "the other two-peak sets"
        new = prototype(y, v)
        fixed = m["fixture"]["tau2"]
        for name in ("default", "fixture", "init0", "init1e6", "init1e3", "init1"):
            t = m[name]["tau2"]
            kind = ("no convergence" if t is None else "global maximum" if same(t, best)
                    else "0" if t == 0 else "~0 (< 1e-12)" if t < 1e-12 else "another value")
            tally[(group, "metafor " + name, kind)] += 1
        tally[(group, "new Strata vs metafor (fixture control)",
               "within 1e-8" if same(new, fixed) else "metafor ~0, Strata 0" if new == 0 and fixed < 1e-12
               else "differ")] += 1
        tally[(group, "new Strata vs global maximum", "same" if same(new, best) else "differ")] += 1
        tally[(group, "metafor warned (ll0check)", str(m["fixture"]["warned"]))] += 1
    print(f"{len(sets)} campaigns with more than one sign change of the score")
    for key in sorted(tally): print(f"{tally[key]:5d}  {' | '.join(key)}")


if __name__ == "__main__":
    sys.exit(main())
