"""Evidence maximization (MacKay, as sklearn's BayesianRidge) of the ESN ridge penalty, vs ESNRegressorCV.

The table "Why the penalty is not chosen by the evidence" in docs/user_guide/reservoir.rst
comes from this script (about a minute)::

    python benchmarks/studies/study_evidence_alpha.py
"""
import numpy as np
from scipy.linalg import eigh

from sktemporal import ESNRegressor, ESNRegressorCV
from sktemporal.datasets import mackey_glass, narma


def evidence_alpha(readout, n_iter=300, tol=1e-10):
    """MacKay fixed point on the centred sums: alpha = lambda_w / lambda_noise (one output)."""
    n = readout.n
    mz, my = readout.sum_z / n, readout.sum_y / n
    A = readout._centred_matrix(mz)
    w, V = eigh(A)
    w = np.clip(w, 0, None)
    q = (V.T @ (readout.C - n * np.outer(mz, my)))[:, 0]  # V^T B
    syy = float(readout.sum_yy[0] - n * my[0] ** 2)
    a_w, lam = 1.0, 1.0 / max(syy / n, 1e-300)  # sklearn's init: lambda = 1 / var(y)
    for it in range(n_iter):
        d = w + a_w / lam
        c = q / d                       # coefficients in the eigenbasis
        rss = syy - 2 * c @ q + c @ (w * c)
        gamma = float(np.sum(lam * w / (a_w + lam * w)))
        a_new = gamma / float(c @ c)
        lam_new = (n - gamma) / max(rss, 1e-300)
        if not (np.isfinite(a_new) and np.isfinite(lam_new) and rss > 0):
            print(f"   evidence iteration broke down at iteration {it}: rss={rss:.3g} (rounding of the sums), "
                  f"last alpha {a_w / lam:.3g}")
            break
        done = abs(a_new / lam_new - a_w / lam) <= tol * (a_w / lam)
        a_w, lam = a_new, lam_new
        if done:
            break
    return a_w / lam, gamma


def study(name, X, y, ntr, **kw):
    # the reservoir defaults the published table was measured with (density 0.1, radius 0.9)
    kw = {"density": 0.1, "spectral_radius": 0.9, "input_scaling": 1.0, "bias_scaling": 0.5, **kw}
    Xtr, ytr, Xte, yte = X[:ntr], y[:ntr], X[ntr:], y[ntr:]
    plain = ESNRegressor(alpha=1e-4, random_state=0, **kw).fit(Xtr, ytr)
    a_ev, gamma = evidence_alpha(plain._readout)
    ev = ESNRegressor(alpha=a_ev, random_state=0, **kw).fit(Xtr, ytr)
    cv = ESNRegressorCV(random_state=0, **kw).fit(Xtr, ytr)
    s_ev, s_cv = ev.score(Xte, yte), cv.score(Xte, yte)
    print(f"{name}: evidence alpha {a_ev:.3g} (gamma {gamma:.0f} of {plain.coef_.shape[1]}), test R2 {s_ev:.5f} | "
          f"CV alpha_ {cv.alpha_:.3g}, test R2 {s_cv:.5f}")


if __name__ == "__main__":
    X, y = narma(4000, random_state=0)
    study("NARMA10 200u", X, y, 2000, n_reservoir=200)
    X, y = mackey_glass(4000, random_state=0)
    study("MG noise-free 200u lr.3", X, y, 2000, n_reservoir=200, leak_rate=0.3, washout=100)
    S, _ = mackey_glass(4001, random_state=0)
    S = S + np.random.RandomState(0).normal(0, 0.05, S.shape)
    study("MG noisy .05 200u", S[:-1], S[1:, 0], 2000, n_reservoir=200)
    study("MG noisy .05 1000u", S[:-1], S[1:, 0], 2000, n_reservoir=1000)
