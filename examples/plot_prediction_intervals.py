"""
=====================================================
Prediction intervals: the ESN readout and conformal
=====================================================

How sure is a forecast?  Two ways to put an interval around the one-step predictions
of a noisy series:

* the echo state network's own readout:
  ``predict(X, return_std=True)`` reads the ridge readout as a Bayesian linear model
  (noise variance from the training residuals);
* conformal prediction with `MAPIE <https://mapie.readthedocs.io>`_ (EnbPI), around
  any regressor, on windows built once from the series so that resampling rows never
  cuts a recurrent state.

Both are asked for nominal 90 % intervals; the test values they contain are counted.
Then further ahead: intervals around a trajectory the ESN generates on its own
outputs, ``generate(n_steps, return_std=True)``, which widen with the horizon.
"""

# %%
# A noisy series, one step ahead
# ------------------------------
# Mackey–Glass observed with noise of standard deviation 0.05; the target is the
# next observation.
import matplotlib.pyplot as plt
import numpy as np
from mapie.regression import TimeSeriesRegressor
from mapie.subsample import BlockBootstrap
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sktemporal.datasets import mackey_glass
from sktemporal.preprocessing import DelayEmbedding
from sktemporal.reservoir import ESNRegressor

rng = np.random.RandomState(0)
series, _ = mackey_glass(2301, random_state=0)
series = series + rng.normal(0, 0.05, series.shape)
X, y = series[:-1], series[1:, 0]
train, test = slice(20, 1300), slice(1300, None)

# %%
# Intervals from the readout
# --------------------------
# 1.645 standard deviations each side of the prediction: a nominal 90 % interval.
esn = ESNRegressor(n_reservoir=200, random_state=0)
esn = esn.fit(X[train], y[train])
pred, std = esn.predict(X[test], return_std=True)
esn_low, esn_high = pred - 1.645 * std, pred + 1.645 * std

# %%
# Conformal intervals (EnbPI) on windows
# --------------------------------------
# Row ``t`` of the lags is ``x[t], ..., x[t - 19]``; reversed, it is the window that
# ends at ``t``, and the ESN reads each window as one sequence.
lags = DelayEmbedding(delays=19).fit_transform(X)
model = make_pipeline(
    FunctionTransformer(lambda Z: Z[:, ::-1, None]),
    ESNRegressor(n_reservoir=100, washout=5, random_state=0),
)
cv = BlockBootstrap(
    n_resamplings=20, length=50, overlapping=True, random_state=0
)
mapie = TimeSeriesRegressor(
    model, method="enbpi", cv=cv, agg_function="mean"
).fit(lags[train], y[train])
_, bounds = mapie.predict(
    lags[test], confidence_level=0.9, ensemble=True
)
cp_low, cp_high = bounds[:, 0, 0], bounds[:, 1, 0]

for name, low, high in [
    ("ESN readout", esn_low, esn_high),
    ("EnbPI (MAPIE)", cp_low, cp_high),
]:
    inside = np.mean((low <= y[test]) & (y[test] <= high))
    print(
        f"{name:>13}: coverage {inside:.1%}, "
        f"mean width {np.mean(high - low):.3f}"
    )

# %%
# Plot
# ----
# 200 test steps; the dots are the noisy observations to be predicted.
t = np.arange(1300, 1500)
k = slice(0, 200)
fig, ax = plt.subplots(figsize=(8, 4))
ax.fill_between(
    t, esn_low[k], esn_high[k], alpha=0.3, label="ESN readout"
)
ax.plot(t, cp_low[k], color="C1", lw=1.5, label="EnbPI (MAPIE)")
ax.plot(t, cp_high[k], color="C1", lw=1.5)
ax.plot(t, y[test][k], ".", color="k", ms=3, label="observed")
ax.set_xlabel("time step")
ax.set_ylabel("x(t + 1)")
ax.set_title("Nominal 90 % intervals, one step ahead")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
fig.tight_layout()

# %%
# Both cover close to 90 % with about the same width, 2 × 1.645 × 0.05 = 0.16 for
# the noise alone plus the models' own error.  The readout's interval costs one
# extra pass (no refits) and widens where the reservoir state is unlike the
# training states; the conformal one needs 20 refits but assumes nothing about the
# model, so it serves any regressor of the package (an LSTM on the same windows).
# The user guide explains both: :ref:`reservoir` and :ref:`forecasting`.

# %%
# Further ahead: intervals of a generated trajectory
# --------------------------------------------------
# Run on its own outputs, the network's error grows with the horizon.
# :meth:`~sktemporal.reservoir.ESNRegressor.calibrate_generate` measures by how much:
# from 500 steps of held-out data (the start of the test block, which continues the
# fitted series) it runs the network closed-loop from every step and keeps the RMS
# error at each horizon.  ``generate(..., return_std=True)`` then adds the variance
# the closed loop gained by horizon *k* to the readout's one-step variance.  The rest
# of the test block scores it: from every 5th step, warm up on the series so far and
# generate 50 steps.
horizon = 50
esn.calibrate_generate(X[1300:1800], y[1300:1800], n_steps=horizon)
inside, runs = [], {}
for t in range(1800, len(y) - horizon + 2, 5):
    warmup = X[1300:t]  # the series so far
    y_gen, y_std = esn.generate(horizon, warmup=warmup, return_std=True)
    truth = y[t - 1:t - 1 + horizon]  # y_gen[0] predicts y[t - 1]
    inside.append(np.abs(truth - y_gen) <= 1.645 * y_std)
    runs[t] = y_gen, y_std
inside = np.array(inside)
for lo, hi in [(1, 1), (2, 10), (11, 25), (26, 50)]:
    band = inside[:, lo - 1:hi].mean()
    print(f"{lo:>2}-{hi:<2} steps ahead: coverage {band:.1%}")

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
t0 = 2000
y_gen, y_std = runs[t0]
steps = np.arange(t0 - 1, t0 - 1 + horizon)
low, high = y_gen - 1.645 * y_std, y_gen + 1.645 * y_std
ax1.fill_between(steps, low, high, alpha=0.3, label="nominal 90 %")
ax1.plot(steps, y_gen, label="generated")
seen = np.arange(t0 - 30, t0 - 1 + horizon)
ax1.plot(seen, y[seen], ".", color="k", ms=3, label="observed")
ax1.axvline(t0 - 1.5, color="0.6", lw=1)
ax1.set_xlabel("time step")
ax1.set_title("One generated trajectory")
ax1.legend(loc="lower left", frameon=False)
k = np.arange(1, horizon + 1)
ax2.plot(k, inside.mean(axis=0), "o-", ms=3)
ax2.axhline(0.9, color="0.6", lw=1)
ax2.set_ylim(0.7, 1.0)
ax2.set_xlabel("steps ahead")
ax2.set_ylabel("coverage")
ax2.set_title(f"Coverage over {len(inside)} test origins")
fig.tight_layout()

# %%
# The band starts at the readout's one-step interval and widens as the closed loop
# compounds its errors; coverage stays within a few points of 90 % at every horizon
# because the width was measured on data like the test data (500 held-out steps are
# a small sample of the long-range errors: the user guide reports a larger study).
# It is an empirical rule: it holds while the series keeps behaving as in the
# held-out block, and it assumes Gaussian errors.
