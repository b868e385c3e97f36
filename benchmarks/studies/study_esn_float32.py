"""Accuracy cost of the float32 readout sums (issue 27): float32 vs float64 input to the ESN.

For each task, size and penalty, on the same reservoir (``random_state=0``):

* ``float64``: float64 input (states and sums in float64);
* ``f32 states``: float32 input, the float32 states' sums computed exactly in float64
  (the state loop's rounding alone; what the package did before the float32 sums);
* ``f32 blocks``: float32 input, every chunk summed in float32 blocks of
  ``FLOAT32_BLOCK`` rows added in float64 (the guard switched off);
* ``package``: float32 input, fitted with that penalty as it is shipped: the guard sums a
  chunk in float32 only when ``eps32 * ||Z_c||^2 * n / n_c <= alpha`` (the share of rows
  it summed in float32 is printed).

The exact sums come from a float64 shadow readout fed the same float32 rows (a wrapper
around ``RidgeReadout.partial_fit``, this script only).  ``alpha / (eps32 tr G)`` puts the
penalty on the scale of the float32 error; "rel. diff. centred G" is the Frobenius
difference of the block sums' centred Gram matrix (the matrix the solve factorises) from
the exact one, relative to it; "rel. diff. C" the same for the cross sums.  Then
``ESNRegressorCV`` (``TimeSeriesSplit(5)``) float32 vs float64 on two grids.

Tasks: Mackey–Glass one step ahead (10,000 steps standardised, as ``bench_esn.py``:
leak 0.3, radius 0.9, input scaling 1, no bias, readout on the states) and NARMA10
(``narma(10000)``, readout on states and input).  Fit on the first 8000 steps (washout
100), NRMSE on test steps 100..1999.  Sizes: 300 and 1000 units at density 0.1, 5000 at
0.01.  About ten minutes at 5000 units; run niced on a shared machine::

    nice -n 10 python benchmarks/studies/study_esn_float32.py [--sizes 300,1000,5000] [--cv-sizes 300,1000]
"""
import argparse

import numpy as np
from sklearn.model_selection import TimeSeriesSplit

from sktemporal import ESNRegressor, ESNRegressorCV
from sktemporal.datasets import mackey_glass, narma
from sktemporal.metrics import nrmse
from sktemporal.reservoir import _readout

ALPHAS = (1e-8, 1e-6, 1e-4, 1e-2, 1.0, 100.0)
CV_GRIDS = ((1e-8, 1e-6, 1e-4), (1.0, 10.0, 100.0))
EPS32 = float(np.finfo(np.float32).eps)
DENSITY = {300: 0.1, 1000: 0.1, 5000: 0.01}
TASKS = {
    "Mackey-Glass": dict(leak_rate=0.3, spectral_radius=0.9, input_scaling=1.0, bias_scaling=0.0,
                         include_input=False),
    "NARMA10": dict(leak_rate=1.0, spectral_radius=0.9, input_scaling=0.5, bias_scaling=0.4,
                    include_input=True),
}


def data(task):
    if task == "Mackey-Glass":
        X, y = mackey_glass(10000, random_state=0)
        mean, std = X.mean(), X.std()
        X, y = (X - mean) / std, (y - mean) / std
    else:
        X, y = narma(10000, random_state=0)
    return X[:8000], y[:8000], X[8000:], y[8000:]


class Shadow:
    """Wraps the readout: float32 rows also go, exactly, into float64 sums; counts the rows summed in float32.

    ``force``: every float32 chunk summed in float32 (the guard off).
    """

    def __init__(self, force=False):
        self.exact, self.rows32 = None, 0
        R = _readout.RidgeReadout
        self.saved = R.partial_fit, R._add_float32, R._float32_suffices
        original, add32, _ = self.saved
        shadow = self

        def partial_fit(readout, Z, Y):
            parts = Z if isinstance(Z, (list, tuple)) else [Z]
            if np.asarray(parts[0]).dtype == np.float32:
                if shadow.exact is None:
                    shadow.exact = R(readout.C.shape[0], readout.C.shape[1], readout.alpha,
                                     n_extra=readout.G_ee.shape[0])
                original(shadow.exact, [np.asarray(p, dtype=np.float64) for p in parts], Y)
            return original(readout, Z, Y)

        def add_float32(readout, H, E, Y):
            shadow.rows32 += H.shape[0]
            return add32(readout, H, E, Y)

        R.partial_fit, R._add_float32 = partial_fit, add_float32
        if force:
            R._float32_suffices = lambda readout, parts: True

    def restore(self):
        R = _readout.RidgeReadout
        R.partial_fit, R._add_float32, R._float32_suffices = self.saved


def score(est, readout, alpha, Xte, yte, dtype):
    est.coef_, est.intercept_ = est._solve(readout, alpha, dtype)
    return nrmse(yte[100:], est.predict(Xte.astype(dtype))[100:])


def sum_errors(block, exact):
    mz = exact.sum_z / exact.n
    centred = exact._centred_matrix(mz)
    dG = np.linalg.norm(block._centred_matrix(block.sum_z / block.n) - centred) / np.linalg.norm(centred)
    dC = np.linalg.norm(block.C - exact.C) / np.linalg.norm(exact.C)
    return dG, dC


def fit32(params, n, Xtr, ytr, force=False):
    shadow = Shadow(force)
    try:
        est = ESNRegressor(n, **params).fit(Xtr.astype(np.float32), ytr.astype(np.float32))
    finally:
        shadow.restore()
    return est, shadow


def run_regressor(task, n):
    Xtr, ytr, Xte, yte = data(task)
    params = dict(TASKS[task], density=DENSITY[n], washout=100, random_state=0, alpha=ALPHAS[0])
    e64 = ESNRegressor(n, **params).fit(Xtr, ytr)
    blocks, shadow = fit32(params, n, Xtr, ytr, force=True)
    dG, dC = sum_errors(blocks._readout, shadow.exact)
    trace = float(np.trace(shadow.exact._centred_matrix(np.zeros(shadow.exact.C.shape[0]))))
    for alpha in ALPHAS:
        s64 = score(e64, e64._readout, alpha, Xte, yte, np.float64)
        s32x = score(blocks, shadow.exact, alpha, Xte, yte, np.float32)
        s32b = score(blocks, blocks._readout, alpha, Xte, yte, np.float32)
        package, counted = fit32(dict(params, alpha=alpha), n, Xtr, ytr)
        s32 = nrmse(yte[100:], package.predict(Xte.astype(np.float32))[100:])
        share = counted.rows32 / package._readout.n
        print(f"| {task} | {n} | {alpha:.0e} | {alpha / (EPS32 * trace):.1e} | {s64:.3e} | {s32x:.3e} | "
              f"{s32b:.3e} | {s32b / s64:.3f} | {dG:.1e} | {dC:.1e} | {s32:.3e} | {s32 / s64:.3f} | "
              f"{share:.0%} |", flush=True)


def run_cv(task, n, alphas):
    Xtr, ytr, Xte, yte = data(task)
    params = dict(TASKS[task], density=DENSITY[n], washout=100, random_state=0, alphas=alphas,
                  cv=TimeSeriesSplit(5))
    out = []
    for dtype in (np.float64, np.float32):
        cv = ESNRegressorCV(n, **params).fit(Xtr.astype(dtype), ytr.astype(dtype))
        out.append((cv.alpha_, nrmse(yte[100:], cv.predict(Xte.astype(dtype))[100:])))
    (a64, s64), (a32, s32) = out
    grid = f"{alphas[0]:.0e}..{alphas[-1]:.0e}"
    print(f"| {task} | {n} | {grid} | {a64:.0e} | {a32:.0e} | {s64:.3e} | {s32:.3e} | {s32 / s64:.3f} |",
          flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="300,1000,5000")
    parser.add_argument("--cv-sizes", default="300,1000")
    args = parser.parse_args()
    print(f"float32 block: {_readout.FLOAT32_BLOCK} rows")
    print("| task | units | alpha | alpha / (eps32 tr G) | NRMSE float64 | f32 states, exact sums | "
          "f32 blocks | ratio f32 blocks / float64 | rel. diff. centred G | rel. diff. C | package "
          "float32 | ratio package / float64 | rows in float32 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for task in TASKS:
        for n in map(int, args.sizes.split(",")):
            run_regressor(task, n)
    print("\nESNRegressorCV, TimeSeriesSplit(5):")
    print("| task | units | alphas | alpha_ float64 | alpha_ float32 | NRMSE float64 | NRMSE float32 | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for task in TASKS:
        for n in map(int, args.cv_sizes.split(",")):
            for alphas in CV_GRIDS:
                run_cv(task, n, alphas)


if __name__ == "__main__":
    main()
