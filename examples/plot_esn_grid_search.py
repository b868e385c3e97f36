"""
======================================================================
Tuning an echo state network with GridSearchCV and TimeSeriesSplit
======================================================================

An echo state network has no training loop to tune, but its reservoir has a few
hyperparameters that decide what it can remember.  The two that matter most are

* the **spectral radius** of the recurrent weights: below 1 the reservoir forgets its
  past geometrically; the closer to (or above) 1, the longer inputs echo in the state;
* the **leak rate** :math:`a` of :math:`h(n) = (1 - a) h(n-1) + a
  \\tilde h(n)`: small values slow the reservoir down, for inputs that change slowly.

:class:`~sktemporal.ESNRegressor` is a scikit-learn estimator, so
:class:`~sklearn.model_selection.GridSearchCV` tunes both on one long series, with
:class:`~sklearn.model_selection.TimeSeriesSplit` keeping every validation block after
its training block.  The task is NARMA10 (see
:ref:`sphx_glr_auto_examples_plot_narma10_comparison.py`).
"""

# %%
# The search
# ----------
# A 2-D ``X`` is one series whose rows are time steps, which is exactly what
# ``TimeSeriesSplit`` splits.  Each fold starts the reservoir from zeros on its
# training block (``washout=100`` steps are left out of the readout), and — with the
# default ``initial_state='continue'`` — the validation block continues from the state
# reached at the end of the training block, so no validation step is wasted on a
# start-up transient.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from sktemporal import ESNRegressor
from sktemporal.datasets import narma
from sktemporal.metrics import neg_nrmse_scorer, nrmse

X, y = narma(3000, random_state=0)
X_search, y_search = (
    X[:2000],
    y[:2000],
)  # the last 1,000 steps are kept for a final test

spectral_radii = [0.2, 0.5, 0.8, 0.95, 1.1, 1.3]
leak_rates = [0.1, 0.2, 0.4, 0.7, 1.0]
search = GridSearchCV(
    ESNRegressor(n_reservoir=200, washout=100, random_state=0),
    {"spectral_radius": spectral_radii, "leak_rate": leak_rates},
    cv=TimeSeriesSplit(n_splits=5),
    scoring=neg_nrmse_scorer,
)
start = time.perf_counter()
search.fit(X_search, y_search)
print(
    f"{len(spectral_radii) * len(leak_rates)} settings x 5 folds in "
    f"{time.perf_counter() - start:.1f} s"
)
print(
    "best:", search.best_params_, f"CV NRMSE {-search.best_score_:.3f}"
)

# %%
# The heat map
# ------------
# ``cv_results_`` lists the settings in the order of the (alphabetically sorted)
# parameter grid — here ``leak_rate`` outer, ``spectral_radius`` inner — so the mean
# scores reshape into a table.
cv_nrmse = -search.cv_results_["mean_test_score"].reshape(
    len(leak_rates), len(spectral_radii)
)

fig, ax = plt.subplots(figsize=(7, 4.5))
image = ax.imshow(
    cv_nrmse, cmap="viridis_r", origin="lower", aspect="auto"
)
ax.set_xticks(range(len(spectral_radii)), spectral_radii)
ax.set_yticks(range(len(leak_rates)), leak_rates)
ax.set_xlabel("spectral_radius")
ax.set_ylabel("leak_rate")
for i in range(len(leak_rates)):
    for j in range(len(spectral_radii)):
        value = cv_nrmse[i, j]
        ax.text(
            j,
            i,
            f"{value:.2f}",
            ha="center",
            va="center",
            fontsize=10,
            color="white"
            if value > cv_nrmse.min() + 0.6 * np.ptp(cv_nrmse)
            else "black",
        )
fig.colorbar(image, ax=ax, label="mean CV NRMSE (5 folds)")
ax.set_title("ESN (200 units) on NARMA10")
fig.tight_layout()

# %%
# NARMA10 changes at every step (its input is white noise), so a slow, leaky reservoir
# (small ``leak_rate``, bottom rows) blurs exactly the detail it needs.  It also needs
# ten steps of memory: a small spectral radius (left columns) forgets too fast.  The
# best region is ``leak_rate = 1`` with the spectral radius near 1 — the "edge of
# stability" that is the usual rule of thumb, found here by cross-validation rather
# than assumed.  Other data moves the optimum: run the same search on yours.
#
# The held-out test
# -----------------
# ``GridSearchCV`` refits the best setting on all 2,000 search steps.  Predicting on the
# whole series and scoring the last 1,000 steps keeps every prediction one step ahead
# while starting the test block from a warm state.
pred = search.predict(X)
test_nrmse = nrmse(y[2000:], pred[2000:])
print(f"test NRMSE of the refitted best model: {test_nrmse:.3f}")

# %%
# Notes
# -----
# * The first ``TimeSeriesSplit`` fold trains on only 335 steps (235 after the
#   washout), one reason why the cross-validated errors are higher than the final test
#   error.
# * ``input_scaling``, ``alpha`` (the ridge penalty) and ``n_reservoir`` are tuned the
#   same way; ``RandomizedSearchCV`` covers larger spaces at the same cost.
# * Inside a :class:`~sklearn.pipeline.Pipeline` (e.g. after a
#   :class:`~sklearn.preprocessing.StandardScaler`) use the ``esnregressor__`` prefix.
