"""Independent prototype (numpy/scipy, not Strata's code): coverage of empirical-Bayes confidence intervals
(EBCIs) for the shrunken segment effects, on the same campaigns as Benchmarks/pooling_interval_candidates.py
(true effects N(0.02, tau^2), standard errors 0.005-0.03 evenly on the log scale; the same generator, seed
and batch size, so the same draws). Research, run by hand; the figures are in docs/analyze.md (Calibration).

Candidates (v_i = sigma_i^2, the segment's own variance; mu-hat the weighted mean with weights omega_i):
  akp1, akpw   robust EBCI of Armstrong, Kolesar & Plagborg-Moller (Econometrica 2022), second moment only
               (kappa = infinity): theta_i = mu + w_i (y_i - mu), w_i = mu2 / (mu2 + v_i),
               interval theta_i +- cva(v_i / mu2) w_i sigma_i. mu2 is the moment estimate
               sum omega_i ((y_i - mu)^2 - v_i) / sum omega_i with the paper's finite-sample floor
               ("posterior mean truncation"): at least 2 sum omega_i^2 v_i^2 / (sum omega_i sum omega_i v_i).
               akp1: omega_i = 1 (the ebci package's default); akpw: omega_i = 1 / v_i (precision weights).
  akpkw        the same with the kurtosis constraint: kappa = mu4 / mu2^2 from the moment estimate
               sum omega ((y - mu)^4 - 6 v (y - mu)^2 + 3 v^2) / sum omega, floored at
               1 + 32 sum omega^2 v^4 / (sum omega sum omega v^2) / mu2^2; cva(m2, kappa) from the linear
               programme over the distribution of the squared normalised bias (a grid of support points),
               tabulated once on a grid of (log m2, log kappa) and interpolated. Precision weights.
  akpk3w       the same with kappa fixed at 3 (the kurtosis of a normal distribution of effects).
  akpreml      robust cva (kappa = infinity) around the BLUP with REML tau^2 (what `analyze` fits), tau^2
               floored as akpw's mu2.
  paramw       parametric EBCI (the normal-prior interval with mu2 plugged in): theta_i +- z sqrt(w_i) sigma_i,
               mu2 as akpw.
  morris       Morris (1983) with his corrections for estimating mu and A = tau^2 (unequal variances, r = 1
               regression parameter): A-hat = max(0, sum W (k/(k-1) (y - mu)^2 - v) / sum W), W = 1/(v + A-hat),
               mu = sum W y / sum W, iterated to a fixed point; B_i = (k-3)/(k-1) v_i/(v_i + A-hat);
               theta_i = y_i - B_i (y_i - mu); s_i^2 = v_i (1 - (k-1)/k B_i) + 2/(k-3) B_i^2 (y_i - mu)^2;
               interval theta_i +- z s_i.
  adm          Morris & Tang's (Statistical Science 2011) adjustment for density maximisation, the Gaussian case of
               Rgbp (Tak, Kelly & Morris, JSS 2017): flat prior on A = tau^2, A-hat the mode of A L_R(A) (the
               posterior density of alpha = log A, positive by construction), n = -d2/dalpha2 of log(A L_R(A)) there;
               each shrinkage B_i = v_i/(v_i + A) gets the Beta(n/(1-B-hat_i), n/B-hat_i) whose logit density has
               that mode and curvature; theta_i = (1 - B-hat_i) y_i + B-hat_i mu-hat, s_i^2 =
               v_i (1 - (1 - h_i) B-hat_i) + Var(B_i) (y_i - mu-hat)^2, h_i = W_i / sum W the leverage;
               interval theta_i +- z s_i (normal; Rgbp matches a skew-normal's three moments instead).
  blup         the REML BLUP interval (tau-hat plugged in, with mu-hat's variance), for reference.
  NAME@C       (the moment-based ones) the floor under mu2 multiplied by C: how much the floor, a choice,
               sets the coverage where the spread is small.

cva(m2, infinity) is computed from its definition: the largest average non-coverage
rho(m2, chi) = sup over distributions of t = b^2 with E t = m2 of E r(t, chi), r(t, chi) = P(|Z + sqrt t| > chi),
which is the concave majorant of r(., chi) at m2: r(m2, chi) when m2 >= t0(chi), else
r(0, chi) + m2 (r(t0, chi) - r(0, chi)) / t0, t0 the tangency point from the origin; cva solves
rho(m2, cva) = alpha. Tabulated on a grid of cva (cva - z log-spaced from 1e-9 to 2e5) and interpolated;
self_check() compares it with the linear programme and, for kappa = 1, with scipy's noncentral chi-square.
The tables are cached in /tmp/pooling_ebci_cva_tables_v3.npz (the kappa one takes minutes to build).
The flat-prior column of the docs' table comes from pooling_interval_candidates.py (hb0), same campaigns.

  python3 Benchmarks/pooling_ebci_candidates.py SEGMENTS TAUS CAMPAIGNS SEED METHODS
  python3 Benchmarks/pooling_ebci_candidates.py 12 0,0.005,0.01 4000 11 akp1,akpw,paramw,morris,blup
"""
import sys
import time

import numpy as np
from scipy.optimize import brentq, linprog
from scipy.special import ndtr
from scipy.stats import norm

ALPHA = 0.05
Z = norm.ppf(1 - ALPHA / 2)


def r(t, chi):
    """P(|Z + sqrt(t)| > chi): non-coverage at squared normalised bias t."""
    s = np.sqrt(t)
    return ndtr(-s - chi) + ndtr(s - chi)


def r1(t, chi):
    """d r / d t."""
    s = np.sqrt(t)
    if s < 1e-6:
        return chi * norm.pdf(chi)
    return (norm.pdf(s - chi) - norm.pdf(s + chi)) / (2 * s)


def t0(chi):
    """Tangency point of the line from (0, r(0)) to the graph of r(., chi); 0 when r is concave (chi^2 <= 3)."""
    if chi * chi <= 3:
        return 0.0
    f = lambda t: r(t, chi) - r(0, chi) - t * r1(t, chi)
    lo, hi = chi * chi - 3, 2 * chi * chi
    while f(hi) < 0:
        lo, hi = hi, 2 * hi
    return brentq(f, max(lo, 1e-12), hi, xtol=1e-14, rtol=1e-14)


def rho_inf(m2, chi):
    t = t0(chi)
    if m2 >= t:
        return r(m2, chi)
    return r(0, chi) + m2 * (r(t, chi) - r(0, chi)) / t


def cva_inf(m2):
    """Critical value with the second moment of the normalised bias bounded by m2 (kappa = infinity)."""
    if m2 == 0:
        return Z
    lo = Z
    hi = Z + np.sqrt(m2) + 1
    while rho_inf(m2, hi) > ALPHA:
        hi *= 2
    return brentq(lambda c: rho_inf(m2, c) - ALPHA, lo, hi, xtol=1e-13, rtol=1e-13)


def rho_kappa(m2, kappa, chi, points=1500):
    """Largest E r(t, chi) over distributions of t >= 0 with E t = m2, E t^2 <= kappa m2^2 (a grid LP)."""
    top = max(t0(chi), m2) * 1.02 + 1e-9  # past max(t0, m2), r lies below its tangent: no mass goes there
    xs = np.unique(np.concatenate([[m2], np.linspace(0, top, points)]))
    u = xs / top  # the constraints in units of top, so the LP is well scaled at any m2
    bound = {} if np.isinf(kappa) else dict(A_ub=(u * u)[None, :], b_ub=[kappa * (m2 / top) ** 2])
    res = linprog(-r(xs, chi), A_eq=np.vstack([np.ones_like(u), u]), b_eq=[1, m2 / top], bounds=(0, None),
                  method="highs", **bound)
    if res.status != 0:
        raise SystemExit(f"LP failed: m2={m2} kappa={kappa} chi={chi}: {res.message}")
    return -res.fun


def cva_kappa(m2, kappa):
    if m2 == 0:
        return Z
    lo = Z  # cva(m2, kappa) >= cva(m2, 1) >= z
    hi = cva_inf(m2) + 1e-9
    if rho_kappa(m2, kappa, hi) < ALPHA - 1e-7:
        return brentq(lambda c: rho_kappa(m2, kappa, c) - ALPHA, lo, hi, xtol=1e-7)
    return hi


_tab_inf = None
CACHE = "/tmp/pooling_ebci_cva_tables_v3.npz"  # the tables take minutes; cached between runs (same grids)


def load_cache(name):
    try:
        with np.load(CACHE) as f:
            return f[name] if name in f else None
    except (OSError, ValueError):
        return None


def save_cache(name, table):
    try:
        with np.load(CACHE) as f:
            tables = dict(f)
    except (OSError, ValueError):
        tables = {}
    tables[name] = table
    np.savez(CACHE, **tables)


def inf_table():
    """(log m2, log cva) pairs, parametrised by chi: for each chi, rho(m2, chi) = alpha is linear in m2
    below t0(chi), m2 = (alpha - r(0)) t0 / (r(t0) - r(0)) (one root-find per chi instead of a nested one);
    that m2 is always below t0 here, checked."""
    chis = Z + np.exp(np.linspace(np.log(1e-9), np.log(2e5), 4001))
    m2s = []
    for chi in chis:
        t = t0(chi)
        m2 = (ALPHA - r(0, chi)) * t / (r(t, chi) - r(0, chi))
        assert 0 < m2 < t, (chi, m2, t)
        m2s.append(m2)
    return np.log(m2s), np.log(chis - Z)


def cva_inf_vec(m2):
    """log(cva - z) interpolated linearly in log m2: cva - z is about proportional to m2 near 0 and grows like
    sqrt(m2 / alpha) far out, so the curve is nearly straight at both ends."""
    global _tab_inf
    if _tab_inf is None:
        _tab_inf = load_cache("inf")
        if _tab_inf is None:
            _tab_inf = np.array(inf_table())
            save_cache("inf", _tab_inf)
    u = np.log(np.maximum(m2, 1e-300))
    assert u.max() <= _tab_inf[0][-1], "m2 beyond the table"
    return np.where(u < _tab_inf[0][0], Z, Z + np.exp(np.interp(u, _tab_inf[0], _tab_inf[1])))


KAPPA_LOG_M2 = np.linspace(np.log(1e-3), np.log(1e4), 29)
LOG_KAPPA = np.linspace(0, np.log(1e4), 17)
_tab_kappa = None


def cva_kappa_vec(m2, kappa):
    """log cva, bilinear interpolation in (log m2, log kappa); kappa = infinity beyond the grid's last kappa,
    the kappa = infinity value outside the m2 grid (there the kurtosis bound does not bind much)."""
    global _tab_kappa
    if _tab_kappa is None:
        _tab_kappa = load_cache("kappa")
        if _tab_kappa is None or _tab_kappa.shape != (len(KAPPA_LOG_M2), len(LOG_KAPPA)):
            started = time.time()
            _tab_kappa = np.log([[cva_kappa(np.exp(u), np.exp(k)) for k in LOG_KAPPA] for u in KAPPA_LOG_M2])
            print(f"  cva(m2, kappa) table: {_tab_kappa.size} values in {time.time() - started:.0f} s", flush=True)
            save_cache("kappa", _tab_kappa)
    u = np.log(np.maximum(m2, 1e-300))
    k = np.clip(np.log(kappa), 0, LOG_KAPPA[-1])
    i = np.clip(np.searchsorted(KAPPA_LOG_M2, u) - 1, 0, len(KAPPA_LOG_M2) - 2)
    j = np.clip(np.searchsorted(LOG_KAPPA, k) - 1, 0, len(LOG_KAPPA) - 2)
    fu = np.clip((u - KAPPA_LOG_M2[i]) / (KAPPA_LOG_M2[i + 1] - KAPPA_LOG_M2[i]), 0, 1)
    fk = (k - LOG_KAPPA[j]) / (LOG_KAPPA[j + 1] - LOG_KAPPA[j])
    T = _tab_kappa
    out = np.exp((1 - fu) * (1 - fk) * T[i, j] + fu * (1 - fk) * T[i + 1, j] + (1 - fu) * fk * T[i, j + 1]
                 + fu * fk * T[i + 1, j + 1])
    outside = (u < KAPPA_LOG_M2[0]) | (u > KAPPA_LOG_M2[-1])
    return np.where(outside, cva_inf_vec(m2), out)


def moments(y, v, omega, floor_scale=1.0):
    """AKP moment estimates with the finite-sample floors; mu-hat the omega-weighted mean."""
    W = omega.sum()
    mu = (omega * y).sum(1) / W
    e = y - mu[:, None]
    mu2 = (omega * (e * e - v)).sum(1) / W
    mu2 = np.maximum(mu2, floor_scale * 2 * (omega**2 * v**2).sum() / (W * (omega * v).sum()))
    mu4 = (omega * (e**4 - 6 * v * e * e + 3 * v * v)).sum(1) / W
    kappa = np.maximum(mu4 / mu2**2, 1 + 32 * (omega**2 * v**4).sum() / (W * (omega * v**2).sum()) / mu2**2)
    return mu, mu2, kappa


def reml(y, v, iterations=200):
    """REML tau^2 by Fisher scoring (vectorised over campaigns), truncated at 0."""
    t2 = np.maximum((y.var(1, ddof=1) - v.mean()), 0)
    for _ in range(iterations):
        w = 1 / (v + t2[:, None])
        W = w.sum(1)
        mu = (w * y).sum(1) / W
        e = y - mu[:, None]
        # score and information of the restricted likelihood in tau^2
        score = 0.5 * ((w * e) ** 2).sum(1) - 0.5 * (w.sum(1) - (w * w).sum(1) / W)
        trPP = (w * w).sum(1) - 2 * (w**3).sum(1) / W + ((w * w).sum(1) / W) ** 2
        step = score / (0.5 * trPP)
        t2 = np.maximum(t2 + step, 0)
    w = 1 / (v + t2[:, None])
    W = w.sum(1)
    mu = (w * y).sum(1) / W
    return mu, t2, W


def intervals(method, y, v, K):
    se = np.sqrt(v)
    method, _, scale = method.partition("@")  # akpw@0.25: the mu2 floor times 0.25
    if method in ("akp1", "akpw", "akpkw", "akpk3w", "paramw"):
        omega = np.ones(K) if method == "akp1" else 1 / v
        mu, mu2, kappa = moments(y, v, omega, float(scale or 1))
        w = mu2[:, None] / (mu2[:, None] + v)
        center = mu[:, None] + w * (y - mu[:, None])
        if method == "paramw":
            half = Z * np.sqrt(w) * se
        elif method in ("akpkw", "akpk3w"):
            kappa = np.full_like(kappa, 3.0) if method == "akpk3w" else kappa
            half = cva_kappa_vec(v / mu2[:, None], np.broadcast_to(kappa[:, None], y.shape)) * w * se
        else:
            half = cva_inf_vec(v / mu2[:, None]) * w * se
        return center - half, center + half
    if method in ("akpreml", "blup"):
        mu, t2, W = reml(y, v)
        if method == "akpreml":
            floor = 2 / (1 / v).sum()  # akpw's floor: 2 sum omega^2 v^2 / (sum omega sum omega v), omega = 1/v
            t2 = np.maximum(t2, floor)
            w = t2[:, None] / (t2[:, None] + v)
            center = mu[:, None] + w * (y - mu[:, None])
            half = cva_inf_vec(v / t2[:, None]) * w * se
            return center - half, center + half
        lam = t2[:, None] / (t2[:, None] + v)
        center = lam * y + (1 - lam) * mu[:, None]
        half = Z * np.sqrt(lam * v + (1 - lam) ** 2 / W[:, None])
        return center - half, center + half
    if method == "adm":
        def adjusted(alpha):  # log(A L_R(A)) at A = exp(alpha), per campaign
            A = np.exp(alpha)[:, None]
            w = 1 / (v + A)
            W = w.sum(1)
            mu = (w * y).sum(1) / W
            return alpha - 0.5 * (np.log(v + A).sum(1) + np.log(W) + (w * (y - mu[:, None]) ** 2).sum(1))
        grid = np.arange(np.log(1e-10), np.log(1.0), 0.05)
        values = np.stack([adjusted(np.full(len(y), a)) for a in grid], 1)
        alpha = grid[values.argmax(1)]
        h = 1e-3
        for _ in range(60):  # Newton on the derivative, by central differences
            f0, fp, fm = adjusted(alpha), adjusted(alpha + h), adjusted(alpha - h)
            d1, d2 = (fp - fm) / (2 * h), (fp - 2 * f0 + fm) / (h * h)
            step = np.clip(-d1 / np.where(d2 < 0, d2, -1.0), -0.5, 0.5)
            alpha = alpha + step
            if np.max(np.abs(step)) < 1e-10:
                break
        f0, fp, fm = adjusted(alpha), adjusted(alpha + h), adjusted(alpha - h)
        info = -(fp - 2 * f0 + fm) / (h * h)
        A = np.exp(alpha)[:, None]
        w = 1 / (v + A)
        W = w.sum(1)[:, None]
        mu = (w * y).sum(1)[:, None] / W
        Bh = v / (v + A)
        a1, a0 = info[:, None] / (1 - Bh), info[:, None] / Bh
        varB = Bh * (1 - Bh) / (a0 + a1 + 1)
        center = (1 - Bh) * y + Bh * mu
        s = np.sqrt(v * (1 - (1 - w / W) * Bh) + varB * (y - mu) ** 2)
        return center - Z * s, center + Z * s
    if method == "morris":
        A = np.maximum(y.var(1, ddof=1) - v.mean(), 0)
        for _ in range(500):
            Wt = 1 / (v + A[:, None])
            mu = (Wt * y).sum(1) / Wt.sum(1)
            A_new = np.maximum((Wt * (K / (K - 1) * (y - mu[:, None]) ** 2 - v)).sum(1) / Wt.sum(1), 0)
            if np.max(np.abs(A_new - A)) < 1e-16:
                A = A_new
                break
            A = A_new
        Wt = 1 / (v + A[:, None])
        mu = (Wt * y).sum(1) / Wt.sum(1)
        B = (K - 3) / (K - 1) * v / (v + A[:, None])
        e = y - mu[:, None]
        center = y - B * e
        s = np.sqrt(v * (1 - (K - 1) / K * B) + 2 / (K - 3) * B * B * e * e)
        return center - Z * s, center + Z * s
    raise SystemExit(f"unknown method {method}")


def self_check():
    """cva by two routes. (1) kappa = infinity: the closed-form concave majorant against the grid LP with an
    unbinding kurtosis bound. (2) kappa = 1 (every segment's normalised bias exactly sqrt m2): the LP's cva
    against the 1 - alpha quantile of |N(sqrt m2, 1)|, sqrt of scipy's ncx2.ppf(1 - alpha, 1, m2). (With
    kappa = infinity cva is never that quantile for m2 > 0: the least favourable distribution puts mass
    m2 / t0 at t0 > m2.)"""
    from scipy.stats import ncx2
    for m2 in (0.3, 4.0, 25.0):
        c = cva_inf(m2)
        assert abs(rho_kappa(m2, np.inf, c, points=6000) - ALPHA) < 1e-5, (m2, c)
        ref = np.sqrt(ncx2.ppf(1 - ALPHA, 1, m2))
        c1 = cva_kappa(m2, 1.0)
        assert abs(c1 - ref) < 1e-5 * ref, (m2, c1, ref)
    assert abs(cva_inf(1e-12) - Z) < 1e-5
    grid_err = max(abs(cva_inf_vec(np.array([m]))[0] / cva_inf(m) - 1) for m in (0.0123, 0.77, 3.3, 47.0, 2e3))
    assert grid_err < 1e-5, grid_err
    print("  cva(m2, inf):", {m: round(cva_inf(m), 4) for m in (0.1, 1.0, 4.0, 25.0, 100.0)}, flush=True)


if __name__ == "__main__":
    K = int(sys.argv[1])
    taus = [float(x) for x in sys.argv[2].split(",")]
    C = int(sys.argv[3])
    seed = int(sys.argv[4])
    methods = sys.argv[5].split(",")
    self_check()
    B = 100  # campaigns per batch, as in pooling_interval_candidates.py (same draws)
    se = 0.005 * 6 ** (np.arange(K) / (K - 1))
    v = se * se
    for tau in taus:
        rng = np.random.default_rng(seed)
        covered = {name: [] for name in methods}
        widths = {name: [] for name in methods}
        started = time.time()
        for _ in range(C // B):
            theta = 0.02 + tau * rng.standard_normal((B, K))
            y = theta + se * rng.standard_normal((B, K))
            for name in methods:
                lo, hi = intervals(name, y, v, K)
                covered[name].append((lo <= theta) & (theta <= hi))
                widths[name].append((hi - lo) / (2 * Z * se))
        line = f"K={K} tau={tau:<7} campaigns={C} seed={seed} ({time.time() - started:.0f} s)"
        for name in methods:
            per_campaign = np.concatenate(covered[name]).mean(1)
            width = np.concatenate(widths[name]).mean()
            line += (f" | {name} {100 * per_campaign.mean():6.2f} ± {100 * per_campaign.std(ddof=1) / np.sqrt(C):.2f}"
                     f" (w {width:.2f})")
        print(line, flush=True)
