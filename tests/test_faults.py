"""Reproductions of the faults found by a reliability sweep, each asserting the new behaviour.

One section per area of the sweep; every test builds its own data and models.
"""

import pickle
import re
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline

from sktemporal import (
    DelayEmbedding,
    ESNClassifier,
    ESNRegressor,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
    TDNNRegressor,
)
from sktemporal.exceptions import DivergenceError
from sktemporal.forecasting import recursive_forecast
from sktemporal.neural_network import _online, _optimizers, _training


# --- messages ---
def _series(T=40, seed=0):
    return np.random.RandomState(seed).normal(size=(T, 2))


def _name(est):
    return type(est).__name__


def _fast_classifiers():
    return [ESNClassifier(10, random_state=0), RNNClassifier((3,), max_iter=2, random_state=0)]


def _fast_regressors():
    return [ESNRegressor(10, random_state=0), RNNRegressor((3,), max_iter=2, random_state=0)]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("est", _fast_regressors(), ids=_name)
def test_complex_y_is_rejected_not_cast_to_real(est):
    """Complex targets used to lose their imaginary part with only a numpy ComplexWarning."""
    est = clone(est)
    X = _series()
    y = np.ones(40) + 1j
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        with pytest.raises(ValueError, match=r"Complex data not supported: y has dtype complex128"):
            est.fit(X, y)
        per_step = [np.ones(5) + 1j, np.ones(7) + 1j]
        with pytest.raises(ValueError, match=r"Complex data not supported: y\[0\]"):
            est.fit([np.ones((5, 2)), np.ones((7, 2))], per_step)
    assert not hasattr(est, "n_outputs_")


@pytest.mark.parametrize("est", _fast_classifiers(), ids=_name)
def test_complex_labels_are_rejected(est):
    est = clone(est)
    with pytest.raises(ValueError, match="Complex data not supported: y.*strings or real numbers"):
        est.fit(_series(), np.arange(40) % 2 + 1j)


@pytest.mark.parametrize("est", _fast_classifiers(), ids=_name)
@pytest.mark.parametrize(
    "labels, error, message",
    [
        (np.array(["a", 1] * 20, dtype=object), TypeError,
         r"y mixes labels of different types \(number: 1, string: 'a'\)"),
        (np.array(["a", None] * 20, dtype=object), TypeError, "y contains None at time step 1"),
        ([None] * 20 + [1] * 20, TypeError, "y contains None at time step 0"),
        (np.array([0.0, np.nan] * 20, dtype=object), ValueError, "y contains NaN at time step 1"),
        (np.array([b"a", "b"] * 20, dtype=object), TypeError, "y mixes labels of different types"),
    ],
    ids=["str-and-int", "None", "None-in-list", "NaN-object", "bytes-and-str"],
)
def test_unorderable_labels_get_a_clear_error(est, labels, error, message):
    """Mixed str/int or None labels used to end in ``TypeError: '<' not supported`` in np.unique."""
    est = clone(est)
    with pytest.raises(error, match=message):
        est.fit(_series(), labels)


@pytest.mark.parametrize("est", _fast_classifiers(), ids=_name)
def test_mixed_labels_per_step_of_a_collection(est):
    est = clone(est)
    X = [np.ones((3, 1)), np.ones((4, 1))]
    y = [np.array([0, 1, 0], dtype=object), np.array(["a", 1, 0, 1], dtype=object)]
    with pytest.raises(TypeError, match="y mixes labels of different types"):
        est.fit(X, y)
    y[1][0] = None
    with pytest.raises(TypeError, match="y contains None at sequence 1, time step 0"):
        est.fit(X, y)
    labels = np.array([[0, 1, 0, 1], [1, 0, None, 1]], dtype=object)
    with pytest.raises(TypeError, match="y contains None at sequence 1, time step 2"):
        est.fit(np.ones((2, 4, 1)), labels)
    with pytest.raises(TypeError, match="y contains None at sequence 2"):
        est.fit(np.ones((3, 4, 1)), np.array([0, 1, None], dtype=object))


@pytest.mark.parametrize("est", _fast_classifiers(), ids=_name)
def test_partial_fit_needs_two_classes(est):
    """``partial_fit(classes=[0])`` used to be accepted silently (network) or blamed the data (ESN)."""
    est = clone(est)
    X, y = _series(), np.zeros(40, dtype=int)
    with pytest.raises(ValueError, match=r"classes=\[0\] holds 1 class; a classifier needs at least 2"):
        est.partial_fit(X, y, classes=[0])
    assert not hasattr(est, "classes_")
    with pytest.raises(TypeError, match="classes mixes labels of different types"):
        est.partial_fit(X, y, classes=np.array([0, "a"], dtype=object))
    with pytest.raises(ValueError, match="classes must be a 1-D list of labels"):
        est.partial_fit(X, y, classes=[[0, 1]])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("est", _fast_classifiers(), ids=_name)
def test_partial_fit_refuses_changed_classes(est):
    """A different ``classes=`` on a later call used to be ignored; sklearn's MLP raises."""
    est = clone(est)
    X, y = _series(), np.arange(40) % 2
    est.partial_fit(X, y, classes=[0, 1])
    est.partial_fit(X, y, classes=[1, 0])  # the same classes, in any order: fine
    est.partial_fit(X, y)
    coef = getattr(est, "coef_", getattr(est, "params_", None)).copy()
    with pytest.raises(ValueError, match=r"`classes=\[0, 1, 2\]` is not the same as on last call to "
                                         r"partial_fit, was: \[0, 1\]"):
        est.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="is not the same as on last call"):
        est.partial_fit(X, y, classes=["0", "1"])
    np.testing.assert_array_equal(est.classes_, [0, 1])
    np.testing.assert_array_equal(getattr(est, "coef_", getattr(est, "params_", None)), coef)


@pytest.mark.parametrize("est", _fast_classifiers(), ids=_name)
def test_labels_of_another_kind_than_classes(est):
    est = clone(est)
    X = _series()
    est.partial_fit(X, np.arange(40) % 2, classes=[0, 1])
    with pytest.raises(ValueError, match=r"y holds string labels \(e.g. 'a'\) but the classifier's "
                                         r"classes are numbers: \[0, 1\]"):
        est.partial_fit(X, np.array(["a", "b"] * 20))
    with pytest.raises(ValueError, match=r"y contains labels not seen in the first fit: \[2\]"):
        est.partial_fit(X, np.arange(40) % 3)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("est", _fast_regressors(), ids=_name)
@pytest.mark.parametrize("n_steps", [True, 2.0, "3", None, 0, -1])
def test_generate_checks_n_steps(est, n_steps):
    """``generate(True)`` used to end in a raw ``TypeError: an integer is required`` (network)."""
    est = clone(est)
    s = np.sin(0.3 * np.arange(60))[:, None]
    est.fit(s[:-1], s[1:, 0])
    with pytest.raises(ValueError, match=rf"The 'n_steps' parameter of {type(est).__name__}.generate must be "
                                         rf"an int in the range \[1, inf\). Got {re.escape(repr(n_steps))} instead\."):
        est.generate(n_steps, warmup=s[:30])
    assert est.generate(np.int64(3), warmup=s[:30]).shape == (3,)


@pytest.mark.parametrize("initial_state", ["zeros", "continue"])
def test_esn_generate_warns_on_a_warmup_within_the_washout(initial_state):
    """A warm-up no longer than the washout used to pass silently."""
    s = np.sin(0.3 * np.arange(200))[:, None]
    esn = ESNRegressor(20, washout=30, initial_state=initial_state, random_state=0)
    esn.fit(s[:-1], s[1:, 0])
    start = "zeros" if initial_state == "zeros" else "the state at the end of the series seen in fit"
    with pytest.warns(UserWarning, match=rf"warmup has 30 time step\(s\) but washout=30: the reservoir "
                                         rf"starts the warm-up from {start}.*at least 31 steps"):
        esn.generate(5, warmup=s[:30])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        esn.generate(5, warmup=s[:31])
        esn.generate(5)  # no warm-up: continues the fitted series, nothing to wash out


@pytest.mark.parametrize(
    "clf",
    [ESNClassifier(10, random_state=0),
     make_pipeline(DelayEmbedding(delays=2), LogisticRegression())],
    ids=["ESNClassifier", "Pipeline"],
)
def test_recursive_forecast_refuses_a_classifier(clf):
    """A classifier's labels used to be fed back as the next inputs."""
    clf = clone(clf)
    s = np.sin(0.3 * np.arange(80))[:, None]
    clf.fit(s[:-1], (s[1:, 0] > 0).astype(int))
    with pytest.raises(TypeError, match=r"estimator must be a regressor.*got (ESNClassifier|Pipeline), "
                                        r"a classifier"):
        recursive_forecast(clf, s[:50], 5)


# --- trained networks (RNN, LSTM, GRU, TDNN, Seq2Seq) ---
def _net_series(n=120, seed=0):
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
    X, y = _net_series(300)
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
    X, y = _net_series()
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
    X, y = _net_series()
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
    X, y = _net_series(200)
    _interrupt_after(monkeypatch, _training, "chunk_gradients", 40)
    with pytest.raises(KeyboardInterrupt):
        cross_val_score(RNNRegressor((4,), max_iter=50, random_state=0), X, y, cv=TimeSeriesSplit(3))


def test_ekf_fit_pickles_to_the_size_of_its_parameters():
    """An EKF-trained 40-unit RNN pickled its M x M covariance (26.6 MB)."""
    X, y = _net_series(60)
    model = _quiet_fit(RNNRegressor((40,), solver="ekf", max_iter=1, random_state=0), X, y)
    size = len(pickle.dumps(model))
    assert size < 20 * model.params_.nbytes + 100_000, size
    # a partial_fit keeps the filter to continue it (documented): the covariance is there
    stream = RNNRegressor((40,), solver="ekf", random_state=0).partial_fit(X, y)
    assert len(pickle.dumps(stream)) > stream.params_.size ** 2 * 8


def test_unscaled_data_is_learned_by_default():
    """Targets near 1e4 and inputs near 1e-3: the internal scaling makes the defaults work."""
    X, y = _net_series(400)
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
