# --- trained networks (RNN, LSTM, GRU, TDNN, Seq2Seq) ---
import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import TimeSeriesSplit, cross_val_score

from sktemporal import LSTMRegressor, RNNClassifier, RNNRegressor, TDNNRegressor
from sktemporal.exceptions import DivergenceError
from sktemporal.neural_network import _online, _optimizers, _training


def _series(n=120, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1, 1, size=(n, 1))
    y = np.convolve(x[:, 0], [0.5, 0.3, 0.2])[:n]
    return x, y


def _quiet_fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


@pytest.mark.parametrize("solver, lr", [("sgd", 10.0), ("adam", 10.0), ("adam", 1e6)])
def test_a_diverging_network_fit_is_an_error_not_a_model(solver, lr):
    """LSTM with sgd at lr=10 used to reach a loss of 1e30 and be returned without a word."""
    X, y = _series(300)
    model = _quiet_fit(LSTMRegressor((8,), max_iter=5, random_state=0), X, y)
    before = model.predict(X)
    with pytest.raises(DivergenceError, match="learning_rate_init"):
        _quiet_fit(model.set_params(solver=solver, learning_rate_init=lr, max_iter=30), X, y)
    np.testing.assert_array_equal(model.predict(X), before)  # the previous model, intact


def _interrupt_after(monkeypatch, module, name, n_calls):
    original = getattr(module, name)
    calls = {"n": 0}

    def wrapped(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > n_calls:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs", "rtrl", "ekf", "dekf"])
def test_ctrl_c_propagates_and_leaves_the_previous_model(monkeypatch, solver):
    """One interrupt policy for every solver: KeyboardInterrupt propagates, nothing is half-published."""
    X, y = _series()
    model = _quiet_fit(RNNRegressor((4,), solver=solver, max_iter=3, random_state=0), X, y)
    before = model.predict(X)
    state = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(model).items()}
    if solver in ("rtrl", "ekf", "dekf"):
        _interrupt_after(monkeypatch, _online, "_step", 50)
    else:
        _interrupt_after(monkeypatch, _training, "chunk_gradients", 2)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)
    assert set(vars(model)) == set(state)
    np.testing.assert_array_equal(model.params_, state["params_"])
    assert model.loss_curve_ == state["loss_curve_"] and model.n_iter_ == state["n_iter_"]
    np.testing.assert_array_equal(model.predict(X), before)
    fresh = RNNRegressor((4,), solver=solver, max_iter=3, random_state=0)
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(X, y)
    assert not hasattr(fresh, "params_") and not hasattr(fresh, "n_features_in_")


def test_ctrl_c_during_partial_fit_keeps_the_optimizer_state(monkeypatch):
    X, y = _series()
    model = RNNRegressor((4,), random_state=0).partial_fit(X, y)
    reference = RNNRegressor((4,), random_state=0).partial_fit(X, y).partial_fit(X, y)
    _interrupt_after(monkeypatch, _optimizers.AdamOptimizer, "update", 2)  # mid-epoch
    with pytest.raises(KeyboardInterrupt):
        model.partial_fit(X, y)
    monkeypatch.undo()
    model.partial_fit(X, y)  # the retried call counts once: same as two clean calls
    np.testing.assert_array_equal(model.params_, reference.params_)
    assert model.loss_curve_ == reference.loss_curve_


def test_cross_val_score_stops_on_one_ctrl_c(monkeypatch):
    """sklearn's cross-validation catches Exception, not KeyboardInterrupt: one Ctrl-C ends it."""
    X, y = _series(200)
    _interrupt_after(monkeypatch, _training, "chunk_gradients", 40)
    with pytest.raises(KeyboardInterrupt):
        cross_val_score(RNNRegressor((4,), max_iter=50, random_state=0), X, y, cv=TimeSeriesSplit(3))


def test_ekf_fit_pickles_to_the_size_of_its_parameters():
    """An EKF-trained 40-unit RNN pickled its M x M covariance (26.6 MB)."""
    X, y = _series(60)
    model = _quiet_fit(RNNRegressor((40,), solver="ekf", max_iter=1, random_state=0), X, y)
    size = len(pickle.dumps(model))
    assert size < 20 * model.params_.nbytes + 100_000, size
    # a partial_fit keeps the filter to continue it (documented): the covariance is there
    stream = RNNRegressor((40,), solver="ekf", random_state=0).partial_fit(X, y)
    assert len(pickle.dumps(stream)) > stream.params_.size ** 2 * 8


def test_unscaled_data_is_learned_by_default():
    """Targets near 1e4 and inputs near 1e-3: the internal scaling makes the defaults work."""
    X, y = _series(400)
    Xs, ys = 1e-3 * X + 5e-3, 1e4 * y + 2e4
    model = TDNNRegressor(delays=3, random_state=0).fit(Xs[:300], ys[:300])
    assert model.score(Xs[300:], ys[300:]) > 0.9


def test_a_classifier_stops_with_a_clear_error_when_it_diverges():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 8, 1))
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    with pytest.raises(DivergenceError, match="diverged"):
        _quiet_fit(RNNClassifier((8,), solver="sgd", learning_rate_init=1e4, momentum=0.99,
                                 max_iter=20, random_state=0), X, y)
