"""
=============================================
Forecasting past the end of a series
=============================================

The one thing a forecaster needs: given the series observed up to *now*, the values
that come *next*, for which there is no ``X`` yet.  A one-step-ahead model does it by
running on its own predictions:

* a recurrent model (here an echo state network) reads the observed series to warm up
  its state, then :meth:`~sktemporal.reservoir.ESNRegressor.generate` feeds each
  output back as the next input;
* any other one-step model of a series (here lags + ridge regression) is run by
  :func:`~sktemporal.forecasting.recursive_forecast`, which predicts, appends the
  prediction to the history and repeats.

Both are fitted on the **whole** observed series, ``y[t] = X[t + 1]``, so the last
observation is used.  Here the "future" is known (the series is simulated), so the
forecasts can be scored; in use it would not be.
"""

# %%
# The observed series and the future
# ----------------------------------
# 1,500 observed values of Mackey–Glass, and the 150 that follow them.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline

from sktemporal.datasets import mackey_glass
from sktemporal.forecasting import recursive_forecast
from sktemporal.preprocessing import DelayEmbedding
from sktemporal.reservoir import ESNRegressor

series, _ = mackey_glass(1650, random_state=0)  # (1650, 1)
# the future is never seen below, only used to score the forecasts
observed, future = series[:1500], series[1500:, 0]
horizon = len(future)

# one-step-ahead pairs from the observed series: X[t] -> X[t + 1]
X, y = observed[:-1], observed[1:, 0]

# %%
# Fit on everything observed
# --------------------------
# a noise-free series: a tiny ridge penalty (the default, 1e-3, suits noisy data)
esn = ESNRegressor(
    n_reservoir=300,
    leak_rate=0.3,
    alpha=1e-8,
    washout=100,
    random_state=0,
).fit(X, y)
lags = make_pipeline(DelayEmbedding(delays=20), Ridge(alpha=1e-6)).fit(
    X, y
)

# %%
# Forecast the next 150 steps
# ---------------------------
# ``warmup=observed``: the network reads the whole observed series (so its state is
# the state at "now"); its output after the last observation is the first forecast.
# ``recursive_forecast`` dispatches to ``generate`` for models that have it, so the
# same call serves both.
esn_forecast = esn.generate(horizon, warmup=observed)
lags_forecast = recursive_forecast(lags, observed, horizon)


def steps_within(forecast, tol=0.1):
    """Steps until the forecast leaves truth +- tol std."""
    off = np.abs(forecast - future) > tol * series.std()
    return int(np.argmax(off)) if off.any() else len(future)


for name, fc in [
    ("ESN generate", esn_forecast),
    ("lags + ridge", lags_forecast),
]:
    print(f"{name:>13}: within 0.1 std for {steps_within(fc):3d} steps")

# %%
# Plot
# ----
t_obs = np.arange(1300, 1500)
t_fut = np.arange(1500, 1500 + horizon)
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(t_obs, observed[1300:, 0], color="0.3", label="observed")
ax.plot(t_fut, esn_forecast, lw=3, label="ESN generate")
ax.plot(t_fut, lags_forecast, lw=2, ls="--", label="lags + ridge")
ax.plot(t_fut, future, color="k", ls=":", lw=1.5, label="what happened")
ax.axvline(1500, color="0.6", lw=1)
ax.set_xlabel("time step")
ax.set_ylabel("x(t)")
ax.set_title("Forecast from the end of the observed series")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
fig.tight_layout()

# %%
# The lags + ridge model is linear: an excellent one-step predictor here (NRMSE
# about 0.01), but it cannot reproduce the nonlinear dynamics, and once its own
# outputs are its inputs it leaves the trajectory within a handful of steps.  The
# echo state network has learned the dynamics well enough to stay on the trajectory
# for almost the whole horizon.  For forecasts with
# a separate model per horizon, see
# :ref:`sphx_glr_auto_examples_plot_multistep_forecast.py`; to save the fitted model
# for tomorrow's forecast, pickle it (``joblib.dump(esn, "esn.joblib")``).
