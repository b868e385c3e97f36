"""Training ends on its best epoch, and a loss spike is rolled back inside the fit."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sktemporal import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
    TDNNClassifier,
    TDNNRegressor,
)
from sktemporal.datasets import narma


def _fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def _series():
    X, y = narma(300, random_state=0)
    return X, y


def _collection():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 12, 1))
    y = (X[:, :4, 0].sum(axis=1) > 0).astype(int)
    return X, y


CASES = [
    (RNNRegressor, _series, dict(hidden_layer_sizes=(8,))),
    (LSTMRegressor, _series, dict(hidden_layer_sizes=(8,))),
    (GRURegressor, _series, dict(hidden_layer_sizes=(8,))),
    (TDNNRegressor, _series, dict(hidden_layer_sizes=(16,), delays=5)),
    # one minibatch of the 40 sequences: updates that make the losses go up and down, no spike
    (RNNClassifier, _collection, dict(hidden_layer_sizes=(8,), learning_rate_init=0.04, batch_size=40)),
    (LSTMClassifier, _collection, dict(hidden_layer_sizes=(8,), batch_size=40)),
    (GRUClassifier, _collection, dict(hidden_layer_sizes=(8,), batch_size=40)),
    (TDNNClassifier, _collection, dict(hidden_layer_sizes=(16,), delays=11)),
]


@pytest.mark.parametrize("cls, data, params", CASES, ids=[c[0].__name__ for c in CASES])
def test_a_fit_whose_best_epoch_is_k_predicts_what_max_iter_k_predicts(cls, data, params):
    """Keras' restore_best_weights, bit for bit: the published model is the one of epoch best_iter_.

    A learning rate too large to settle makes the end-of-epoch losses go up and down, so
    the best epoch comes before the last one.
    """
    X, y = data()
    common = dict(dict(learning_rate_init=0.05, n_iter_no_change=1000, early_stopping=False, random_state=0), **params)
    long = _fit(cls(max_iter=25, **common), X, y)
    assert long.n_rollbacks_ == 0
    k = long.best_iter_
    assert 1 <= k <= 25 and long.loss_ == long.end_loss_curve_[k - 1] == min(long.end_loss_curve_)
    short = _fit(cls(max_iter=k, **common), X, y)
    np.testing.assert_array_equal(long.params_, short.params_)
    np.testing.assert_array_equal(long.predict(X), short.predict(X))


def test_the_best_epoch_comes_before_the_last_when_the_rate_is_too_large():
    """The property above is not vacuous: here the last epoch is worse than the best."""
    X, y = _series()
    model = _fit(LSTMRegressor((8,), learning_rate_init=0.05, max_iter=25, n_iter_no_change=1000,
                               random_state=0), X, y)
    assert model.best_iter_ < model.n_iter_
    assert model.end_loss_curve_[-1] > model.loss_


def test_warm_start_continues_from_the_published_best_epoch():
    X, y = _series()
    model = _fit(LSTMRegressor((8,), learning_rate_init=0.05, max_iter=25, n_iter_no_change=1000,
                               warm_start=True, random_state=0), X, y)
    published = model.params_.copy()
    first_best = model.loss_
    model.set_params(max_iter=3, learning_rate_init=0.001)
    _fit(model, X, y)
    assert model.n_iter_ == 28
    # the second fit starts from the published weights: it can only end at least as good
    assert model.loss_ <= first_best + 1e-12
    assert not np.array_equal(model.params_, published) or model.best_iter_ == 25


def test_a_spike_at_the_first_epoch_is_handled_inside_the_fit():
    """A rate that blows up the first epoch: rolled back, halved, and the fit learns (no DivergenceError)."""
    X, y = _series()
    model = _fit(LSTMRegressor((8,), learning_rate_init=3.0, max_iter=40, random_state=0), X, y)
    assert model.n_rollbacks_ >= 1 and model.best_iter_ >= 1
    assert np.isfinite(model.predict(X)).all()
    assert model.score(X, y) > 0


def test_partial_fit_publishes_the_end_of_its_epoch():
    X, y = _series()
    model = LSTMRegressor((8,), random_state=0).partial_fit(X, y).partial_fit(X, y)
    assert model.n_iter_ == 2 and model.best_iter_ == 2 and model.n_rollbacks_ == 0
