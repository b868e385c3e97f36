"""Coverage of the one-step-ahead intervals of ``ESNRegressorCV`` and ``ESNRegressor``.

Prints the table of ``docs/user_guide/reservoir.rst`` (section "Prediction intervals from
the readout").  Two observed series, Gaussian noise of 0.05 x the series' standard
deviation added to the observed values (inputs and targets alike):

* Mackey-Glass, ``mackey_glass(5001, random_state=seed)`` observed, ``X[t]`` the
  observation at ``t``, ``y[t]`` the one at ``t + 1``;
* NARMA10, ``narma(5000, random_state=seed)``, its input and its output each observed.

Fitted on steps 0-2999, scored on 3000-4999.  For each size {100, 300, 1000} and penalty
{1e-8, 1e-4, 1}: the share of the 2000 test targets inside the nominal 90 % interval of

* ``ESNRegressorCV(alphas=[p]).predict_interval(X, coverage=0.9)`` (reservoir searched,
  ``'auto'``),
* that model's ``predict(X, return_std=True)`` as ``pred ± 1.645 std``,
* ``ESNRegressor(alpha=p).predict(X, return_std=True)`` likewise, with whether it warned
  (``CalibrationWarning``) and its readout's effective degrees of freedom per row.

``df`` as the first argument runs the scan behind the warning's threshold instead: the
plain ``ESNRegressor(alpha=p).predict(return_std=True)`` with 300 and 1000 units fitted on
the first 800, 1200, 1600, 2000 or 3000 steps (penalties 1e-8, 1e-6, 1e-4), scored on the
same 2000 steps, against the effective degrees of freedom per training row of its readout.

Nothing is timed.  Usage: ``python benchmarks/studies/study_esn_intervals.py [df] [seed]``
(default seed 0; the model seed is the data seed).
"""

import sys
import warnings

import numpy as np

from sktemporal import ESNRegressor, ESNRegressorCV
from sktemporal.datasets import mackey_glass, narma
from sktemporal.exceptions import CalibrationWarning
from sktemporal.reservoir._esn_intervals import effective_df

Z90 = 1.6448536269514722  # the standard normal's 95 % quantile
SIZES = (100, 300, 1000)
PENALTIES = (1e-8, 1e-4, 1.0)
N_FIT, N_TEST = 3000, 2000


def observed(task, seed):
    """``(X, y)`` of ``N_FIT + N_TEST`` steps, observed with noise of 0.05 x each series' std."""
    rng = np.random.RandomState(seed)
    if task == "Mackey-Glass":
        S, _ = mackey_glass(N_FIT + N_TEST + 1, random_state=seed)
        S = S + rng.normal(0, 0.05 * S.std(), S.shape)
        return S[:-1], S[1:, 0]
    u, y = narma(N_FIT + N_TEST, random_state=seed)
    u = u + rng.normal(0, 0.05 * u.std(), u.shape)
    y = y + rng.normal(0, 0.05 * y.std(), y.shape)
    return u, y


def covered(y, lower, upper):
    return float(np.mean((lower <= y) & (y <= upper)))


def cell(X, y, n_units, alpha, seed):
    """Coverages of one cell: CV interval, CV std, plain std, whether the plain one warned, its df/n."""
    X_fit, y_fit, X_test, y_test = X[:N_FIT], y[:N_FIT], X[N_FIT:], y[N_FIT:]
    cv = ESNRegressorCV(n_reservoir=n_units, alphas=[alpha], random_state=seed).fit(X_fit, y_fit)
    lower, upper = cv.predict_interval(X_test, coverage=0.9)
    pred, std = cv.predict(X_test, return_std=True)
    cv_std = covered(y_test, pred - Z90 * std, pred + Z90 * std)
    plain = ESNRegressor(n_reservoir=n_units, alpha=alpha, random_state=seed).fit(X_fit, y_fit)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", CalibrationWarning)
        pred, std = plain.predict(X_test, return_std=True)
    warned = any(issubclass(w.category, CalibrationWarning) for w in seen)
    L_inv, _, _ = plain._readout.predictive(alpha)
    df_per_row = effective_df(L_inv, alpha) / plain._readout.n
    return (covered(y_test, lower, upper), cv_std, covered(y_test, pred - Z90 * std, pred + Z90 * std),
            warned, df_per_row)


def main(seed=0):
    print(f"seed {seed}: nominal 90 %, {N_FIT} steps fitted, the next {N_TEST} scored")
    print("task          units  alpha   CV interval  CV std  plain std  plain warns  df/n")
    for task in ("Mackey-Glass", "NARMA10"):
        X, y = observed(task, seed)
        for n_units in SIZES:
            for alpha in PENALTIES:
                ci, cs, ps, warned, dfn = cell(X, y, n_units, alpha, seed)
                print(f"{task:13s} {n_units:5d}  {alpha:5.0e}  {ci:10.1%}  {cs:6.1%}  {ps:9.1%}  "
                      f"{'yes' if warned else 'no':>11s}  {dfn:4.2f}", flush=True)


def df_scan(seed=0):
    print(f"seed {seed}: plain ESNRegressor, nominal 90 %, steps {N_FIT}-{N_FIT + N_TEST - 1} scored")
    print("task          units  rows  alpha   coverage  df/n  warns")
    for task in ("Mackey-Glass", "NARMA10"):
        X, y = observed(task, seed)
        for n_units in (300, 1000):
            for n_rows in (800, 1200, 1600, 2000, 3000):
                for alpha in (1e-8, 1e-6, 1e-4):
                    esn = ESNRegressor(n_reservoir=n_units, alpha=alpha, random_state=seed)
                    esn.fit(X[:n_rows], y[:n_rows])
                    with warnings.catch_warnings(record=True) as seen:
                        warnings.simplefilter("always", CalibrationWarning)
                        pred, std = esn.predict(X[N_FIT:], return_std=True)
                    L_inv, _, _ = esn._readout.predictive(alpha)
                    dfn = effective_df(L_inv, alpha) / esn._readout.n
                    cov = covered(y[N_FIT:], pred - Z90 * std, pred + Z90 * std)
                    print(f"{task:13s} {n_units:5d}  {n_rows:4d}  {alpha:5.0e}  {cov:8.1%}  {dfn:4.2f}  "
                          f"{'yes' if seen else 'no'}", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "df":
        df_scan(*(int(a) for a in args[1:2]))
    else:
        main(*(int(a) for a in args[:1]))
