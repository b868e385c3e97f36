"""
==========================================================
Cross-validated ESN in a pipeline
==========================================================

The penalty inside, the reservoir outside.

An echo state network has two kinds of hyperparameters.  The **reservoir's**
(spectral radius, leak rate, input scaling) change the states, so every candidate needs
a new run of the reservoir.  The **readout's** ridge penalty ``alpha`` only changes a
linear solve on the same states.  A flat grid search treats both alike and reruns the
reservoir for every penalty and fold.

:class:`~sktemporal.ESNRegressorCV` chooses ``alpha`` by cross-validation the way
:class:`~sklearn.linear_model.RidgeCV` does, from one reservoir pass: on a series under
:class:`~sklearn.model_selection.TimeSeriesSplit` it computes the states once and gets
every fold's normal equations from prefix sums.  Put it in a
:class:`~sklearn.pipeline.Pipeline` inside an outer
:class:`~sklearn.model_selection.GridSearchCV` over the reservoir's parameters and each
candidate costs one fit per outer fold, whatever the number of penalties.
"""

# %%
# The nested search
# -----------------
# The task is NARMA10 (see :ref:`sphx_glr_auto_examples_plot_narma10_comparison.py`).
# The pipeline standardises the input with a scaler fitted on each training fold, then
# runs the cross-validated ESN.  Standardised inputs have unit variance, far more than
# NARMA's raw input, so the input weights are scaled down to match
# (``input_scaling=0.1, bias_scaling=0.5``: the starting point the defaults study gives
# for standardised inputs).  The outer search covers 3 x 2 reservoir settings, each with
# 13 penalties chosen inside.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sktemporal import ESNRegressorCV
from sktemporal.datasets import narma
from sktemporal.metrics import neg_nrmse_scorer, nrmse

X, y = narma(3000, random_state=0)
# the last 1,000 steps are kept for a final test
X_search, y_search = X[:2000], y[:2000]

pipe = make_pipeline(
    StandardScaler(),
    ESNRegressorCV(
        n_reservoir=200,
        input_scaling=0.1,
        bias_scaling=0.5,
        random_state=0,
    ),
)
grid = {
    "esnregressorcv__spectral_radius": [0.6, 0.9, 1.2],
    "esnregressorcv__leak_rate": [0.7, 1.0],
}
search = GridSearchCV(
    pipe, grid, cv=TimeSeriesSplit(n_splits=5), scoring=neg_nrmse_scorer
)
start = time.perf_counter()
search.fit(X_search, y_search)
n_candidates = len(search.cv_results_["params"])
print(
    f"{n_candidates} reservoir settings x 13 penalties x 5 folds in "
    f"{time.perf_counter() - start:.1f} s"
)
best = search.best_estimator_[-1]
print(
    "best reservoir:",
    {k.split("__")[1]: v for k, v in search.best_params_.items()},
    f"alpha_ = {best.alpha_:g},",
    f"outer CV NRMSE {-search.best_score_:.3f}",
)

# %%
# What the inner cross-validation saw
# -----------------------------------
# The refitted best pipeline's ``ESNRegressorCV`` keeps the scores of every penalty on
# its own ``TimeSeriesSplit`` of the 2,000 search steps (``cv_results_``, in
# ``GridSearchCV``'s layout).  Too small a penalty overfits the states, too large a
# one shrinks the readout towards the mean.
alphas = best.cv_results_["param_alpha"].data.astype(float)
mean = best.cv_results_["mean_test_score"]
std = best.cv_results_["std_test_score"]

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(8, 4))
ax0.semilogx(alphas, mean, "o-")
ax0.fill_between(alphas, mean - std, mean + std, alpha=0.2)
ax0.axvline(
    best.alpha_,
    color="k",
    linestyle="--",
    label=f"alpha_ = {best.alpha_:g}",
)
ax0.set_xlabel("alpha (ridge penalty)")
ax0.set_ylabel("R² (inner TimeSeriesSplit, mean ± std)")
ax0.set_ylim(max(mean.min() - 0.05, -0.2), 1.0)
ax0.legend()
ax0.set_title(f"{best.n_splits_} folds, one reservoir pass")

# %%
# The held-out test
# -----------------
# The search refits the best pipeline on all 2,000 search steps.  Predicting the whole
# series and scoring the last 1,000 steps keeps every prediction one step ahead with a
# warm state.
pred = search.predict(X)
test_nrmse = nrmse(y[2000:], pred[2000:])
print(f"test NRMSE of the refitted best pipeline: {test_nrmse:.3f}")
steps = np.arange(2000, 2150)
ax1.plot(steps, y[steps], label="target", color="k")
ax1.plot(steps, pred[steps], label="prediction", linestyle="--")
ax1.set_xlabel("time step")
ax1.set_title("NARMA10, held-out steps")
ax1.legend()
fig.tight_layout()

# %%
# Notes
# -----
# * ``ESNRegressorCV.single_pass_`` says whether the one-pass computation applied; it
#   does for expanding-window splitters on a series and for any splitter on a
#   collection, and otherwise falls back to one fit per fold (the docstring lists the
#   cases).  The choice equals ``GridSearchCV(ESNRegressor(), {"alpha": alphas})``.
# * Clones with the same integer ``random_state`` share one drawn reservoir matrix per
#   process (only its scaling changes across the grid), so the outer search does not
#   recompute eigenvalues either.
