"""initial_state='continue': a new block continues the fitted series; the fitted series itself starts from zeros."""

import numpy as np
import pytest

from sktemporal.datasets import narma
from sktemporal.neural_network import GRURegressor, LSTMRegressor, RNNRegressor


@pytest.mark.parametrize("Est", [RNNRegressor, LSTMRegressor, GRURegressor])
def test_fitted_series_gives_in_sample_predictions(Est):
    X, y = narma(300, random_state=0)
    model = Est((6,), max_iter=5, random_state=0).fit(X[:200], y[:200])
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
