"""initial_state='continue': a new block continues the fitted series; the fitted series itself starts from zeros."""

import numpy as np
import pytest

from sktemporal.datasets import narma
from sktemporal.neural_network import GRURegressor, LSTMRegressor, RNNRegressor
from sktemporal.reservoir import ESNRegressor, ESNRegressorCV, Reservoir

SMALL = {RNNRegressor: {"hidden_layer_sizes": (6,), "max_iter": 5},
         LSTMRegressor: {"hidden_layer_sizes": (6,), "max_iter": 5},
         GRURegressor: {"hidden_layer_sizes": (6,), "max_iter": 5},
         ESNRegressor: {"n_reservoir": 30}, ESNRegressorCV: {"n_reservoir": 30}}


@pytest.mark.parametrize("Est", list(SMALL), ids=lambda e: e.__name__)
def test_fitted_series_gives_in_sample_predictions(Est):
    # one rule for both families (utils._continuation)
    X, y = narma(300, random_state=0)
    model = Est(**SMALL[Est], random_state=0).fit(X[:200], y[:200])
    in_sample = model.predict(X[:200])
    from_zeros = model.set_params(initial_state="zeros").predict(X[:200])
    np.testing.assert_array_equal(in_sample, from_zeros)
    # the next block continues from the state at the end of the fitted series
    model.set_params(initial_state="continue")
    continued = model.predict(X[200:])
    assert not np.allclose(continued, model.set_params(initial_state="zeros").predict(X[200:]))
    whole = model.predict(X)
    np.testing.assert_allclose(continued, whole[200:], rtol=1e-10, atol=1e-12)


def test_a_changed_copy_of_the_series_continues():
    X, y = narma(300, random_state=0)
    model = RNNRegressor((6,), max_iter=5, random_state=0).fit(X[:200], y[:200])
    other = X[:200].copy()
    other[0, 0] += 1e-3  # not the fitted series: it follows it in time
    zeros = model.set_params(initial_state="zeros").predict(other)
    assert not np.allclose(model.set_params(initial_state="continue").predict(other), zeros)


def test_the_reservoir_transform_of_the_fitted_series_starts_from_zeros():
    X, _ = narma(300, random_state=0)
    res = Reservoir(n_reservoir=20, initial_state="continue", random_state=0).fit(X[:200])
    zeros = Reservoir(n_reservoir=20, initial_state="zeros", random_state=0).fit(X[:200])
    np.testing.assert_array_equal(res.transform(X[:200]), zeros.transform(X[:200]))
    np.testing.assert_allclose(res.transform(X[200:]), zeros.transform(X)[200:], rtol=1e-10, atol=1e-12)


def test_partial_fit_chunks_with_equal_values_still_follow_each_other():
    # a periodic signal cut at its period: the second chunk holds the first one's values,
    # yet it follows it in time
    X = np.tile(np.sin(np.linspace(0, 2 * np.pi, 50, endpoint=False)), 4)[:, None]
    y = np.roll(X[:, 0], -1)
    whole = ESNRegressor(n_reservoir=20, random_state=0).fit(X[:100], y[:100])
    chunked = ESNRegressor(n_reservoir=20, random_state=0).partial_fit(X[:50], y[:50]).partial_fit(X[50:100], y[50:100])
    np.testing.assert_allclose(chunked.coef_, whole.coef_, rtol=1e-6, atol=1e-9)
