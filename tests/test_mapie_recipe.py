"""Conformal intervals for sktemporal regressors through MAPIE (the recipe of the forecasting guide)."""

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sktemporal import ESNRegressor
from sktemporal.datasets import mackey_glass
from sktemporal.preprocessing import DelayEmbedding

regression = pytest.importorskip("mapie.regression")
subsample = pytest.importorskip("mapie.subsample")


def _to_windows(Z):
    # DelayEmbedding's row t is x[t], x[t-1], ..., x[t-k]: reverse it into a window, oldest first
    return np.asarray(Z)[:, ::-1, None]


def test_enbpi_on_windows_covers_the_nominal_level():
    """EnbPI over windows built once from the whole series: each row carries its own past,
    so MAPIE's block bootstrap over rows resamples whole windows and never cuts a state.
    Nominal 90 % intervals cover 85–95 % of 1000 noisy one-step test values."""
    rng = np.random.RandomState(0)
    s, _ = mackey_glass(2301, random_state=0)
    s = s + rng.normal(0, 0.05, s.shape)
    X, y = s[:-1], s[1:, 0]
    lags = DelayEmbedding(delays=19).fit_transform(X)
    model = make_pipeline(FunctionTransformer(_to_windows),
                          ESNRegressor(n_reservoir=100, washout=5, random_state=0))
    cv = subsample.BlockBootstrap(n_resamplings=20, length=50, overlapping=True, random_state=0)
    mapie = regression.TimeSeriesRegressor(model, method="enbpi", cv=cv, agg_function="mean")
    mapie.fit(lags[20:1300], y[20:1300])
    pred, bounds = mapie.predict(lags[1300:], confidence_level=0.9, ensemble=True)
    low, high = bounds[:, 0, 0], bounds[:, 1, 0]
    assert pred.shape == (1000,) and (high > low).all()
    coverage = np.mean((y[1300:] >= low) & (y[1300:] <= high))
    assert 0.85 <= coverage <= 0.95
    # as wide as the noise requires: 2 x 1.645 x 0.05 = 0.16, plus the model's error
    assert 0.16 < np.mean(high - low) < 0.25
