"""TDNNRegressor / TDNNClassifier: memory, layouts, parity with sklearn's MLP, learning tasks."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline

from sktemporal import DelayEmbedding, GammaMemory, TDNNClassifier, TDNNRegressor
from sktemporal.datasets import narma
from sktemporal.metrics import nrmse
from sktemporal.utils import validate_sequences

from _helpers import check_gradient


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def training_rows(est, X, y):
    """The rows the solver of a fitted ``est`` trains on, as TrainingData."""
    batch, targets = validate_sequences(est, X, y, reset=False, task=est._task)
    Y = est._encode_targets(targets, first=False)
    data, _ = est._arrange(batch, est._inputs(batch), Y, targets, incremental=False, bptt_steps=None)
    return data


def long_memory_task(n, seed):
    """``y(t)``: a squashed mean of the input over lags 10..30 -- nothing in the last 5 steps."""
    rng = np.random.RandomState(seed)
    u = rng.uniform(-1, 1, n + 40)
    mean21 = np.convolve(u, np.ones(21) / 21)[: len(u)]  # mean of u over lags 0..20
    y = np.tanh(4 * mean21[np.arange(40, n + 40) - 10])
    return u[40:, None], y


# ----------------------------------------------------------------------------------
# the network: gradients and parity with sklearn's MLP
# ----------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
@pytest.mark.parametrize("memory", ["tapped", "gamma"])
def test_gradient_of_the_tdnn_on_its_training_rows(activation, memory):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(12, 2))
    y = rng.normal(size=(12, 2))
    est = TDNNRegressor((4, 3), memory=memory, delays=[0, 2], order=2, activation=activation,
                        max_iter=1).fit(X, y)
    data = training_rows(est, X, y)
    assert data.values.shape == (12, 1, 2 * est.n_taps_)
    check_gradient(est._net, data, "squared_error", rng)


@pytest.mark.parametrize("n_classes, loss", [(3, "log_loss"), (2, "binary_log_loss")])
def test_gradient_classifier_many_to_one_ragged(n_classes, loss):
    rng = np.random.RandomState(1)
    X = [rng.normal(size=(T, 2)) for T in (4, 1, 6, 3, 5, 2)]
    y = np.arange(6) % n_classes
    est = TDNNClassifier((4,), delays=2, activation="tanh", max_iter=1).fit(X, y)
    data = training_rows(est, X, y)
    assert data.values.shape == (6, 1, 6) and not data.per_step
    check_gradient(est._net, data, loss, rng)


def test_identical_to_sklearn_mlp_on_delay_embedding():
    """Same init, same batches, same Adam: the engine is sklearn's MLP on embedded rows.

    (With ``scaler=None``: sklearn's MLP sees the data as given.)
    """
    X, y = narma(300, random_state=0)
    ours = TDNNRegressor((10,), delays=5, max_iter=15, shuffle=False, random_state=0, alpha=1e-4,
                         scaler=None).fit(X, y)
    mlp = MLPRegressor(hidden_layer_sizes=(10,), max_iter=15, shuffle=False, random_state=0)
    theirs = make_pipeline(DelayEmbedding(delays=5), mlp).fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, mlp.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-8, atol=1e-12)


def test_memory_is_the_delay_line_and_gamma_transformers():
    rng = np.random.RandomState(2)
    X = rng.normal(size=(30, 2))
    batch, _ = validate_sequences(TDNNRegressor(), X, reset=True)
    for est, ref in [
        (TDNNRegressor(delays=3, stride=2, fill=0.5), DelayEmbedding(delays=3, stride=2, fill=0.5)),
        (TDNNRegressor(delays=[1, 4]), DelayEmbedding(delays=[1, 4])),
        (TDNNRegressor(memory="gamma", order=3, mu=0.3), GammaMemory(order=3, mu=0.3)),
    ]:
        est._validate_hyperparameters()
        np.testing.assert_array_equal(est._inputs(batch)[0], ref.fit_transform(X))


# ----------------------------------------------------------------------------------
# learning
# ----------------------------------------------------------------------------------
def test_narma10_beats_ridge_on_the_same_taps():
    X, y = narma(4000, random_state=0)
    train, test = slice(0, 2000), slice(2000, None)
    model = TDNNRegressor((50,), delays=19, learning_rate_init=0.003, batch_size=64,
                          max_iter=200, tol=1e-7, random_state=0).fit(X[train], y[train])
    ridge = make_pipeline(DelayEmbedding(delays=19), Ridge(alpha=1e-6)).fit(X[train], y[train])
    # predict on the whole series: test steps get their true history
    score = nrmse(y[test], model.predict(X)[test])
    baseline = nrmse(y[test], ridge.predict(X)[test])
    assert model.n_taps_ == 20
    assert score < 0.35
    assert baseline > 0.37
    assert score < baseline - 0.05


def test_gamma_memory_reaches_further_than_taps_of_the_same_order():
    X, y = long_memory_task(3000, seed=0)
    train, test = slice(0, 2000), slice(2000, None)
    common = dict(hidden_layer_sizes=(20,), solver="lbfgs", max_iter=300, random_state=0)
    tapped = TDNNRegressor(memory="tapped", delays=4, **common).fit(X[train], y[train])
    gamma = TDNNRegressor(memory="gamma", order=4, mu=0.2, **common).fit(X[train], y[train])
    assert tapped.n_taps_ == gamma.n_taps_ == 5
    tapped_score = nrmse(y[test], tapped.predict(X)[test])
    gamma_score = nrmse(y[test], gamma.predict(X)[test])
    assert tapped_score > 0.9  # lags 0..4 say nothing about lags 10..30
    assert gamma_score < 0.6


def test_many_to_one_reads_the_window_at_each_last_step():
    rng = np.random.RandomState(3)
    X = [rng.uniform(-1, 1, size=(rng.randint(4, 20), 1)) for _ in range(300)]
    y = np.array([x[-1, 0] * x[-3, 0] for x in X])  # product of the last and third-last step
    model = TDNNRegressor((16,), delays=2, solver="lbfgs", max_iter=400, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.95
    short = TDNNRegressor((16,), delays=1, solver="lbfgs", max_iter=400, random_state=0).fit(X, y)
    assert short.score(X, y) < 0.5  # the third-last step is outside that window


def test_series_classifier_per_step():
    rng = np.random.RandomState(4)
    X = rng.normal(size=(600, 1))
    y = np.where(X[:, 0] * np.roll(X[:, 0], 3) > 0, "same", "flip")
    clf = TDNNClassifier((16,), delays=3, solver="lbfgs", random_state=0).fit(X, y)
    assert clf.predict(X).shape == (600,) and set(clf.classes_) == {"flip", "same"}
    proba = clf.predict_proba(X)
    assert proba.shape == (600, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    assert clf.score(X[3:], y[3:]) > 0.9


# ----------------------------------------------------------------------------------
# layouts
# ----------------------------------------------------------------------------------
def test_rows_are_independent_once_embedded_ragged_and_padded():
    rng = np.random.RandomState(5)
    Xl = [rng.normal(size=(T, 2)) for T in (9, 4, 13, 1)]
    yl = [x[:, 0] - 0.5 * np.roll(x[:, 1], 1) for x in Xl]
    model = TDNNRegressor((8,), delays=2, solver="lbfgs", max_iter=50, random_state=0).fit(Xl, yl)
    pred = model.predict(Xl)
    assert [p.shape for p in pred] == [(9,), (4,), (13,), (1,)]
    # every sequence alone (as a series) gets the same predictions: the memory never
    # crosses from one sequence to another, and padding never enters
    for x, p in zip(Xl, pred):
        np.testing.assert_allclose(model.predict(x), p, rtol=1e-12)
    Xp = np.full((4, 13, 2), np.nan)
    for i, x in enumerate(Xl):
        Xp[i, : len(x)] = x
    out = model.predict(Xp)
    assert out.shape == (4, 13) and np.isnan(out[1, 4:]).all()
    np.testing.assert_allclose(out[2], pred[2], rtol=1e-12)


def test_per_step_collection_trains_on_every_valid_step():
    rng = np.random.RandomState(6)
    X = rng.normal(size=(5, 7, 1))
    X[1, 4:] = np.nan
    Y = np.cumsum(np.nan_to_num(X), axis=1)
    model = TDNNRegressor((4,), delays=1, max_iter=3, random_state=0).fit(X, Y)
    assert model.t_ == 3 * (5 * 7 - 3)
    assert model.predict(X).shape == (5, 7, 1)


def test_early_stopping_validates_on_the_end_of_the_series():
    X, y = narma(500, random_state=1)
    model = TDNNRegressor((8,), delays=9, early_stopping=True, validation_fraction=0.2,
                          max_iter=5, n_iter_no_change=100, random_state=0).fit(X, y)
    assert len(model.validation_scores_) == model.n_iter_ == 5
    assert model.t_ == 5 * 400  # trained on the first 80 % of the rows only
    # the score is that of the last 100 steps, predicted with their true history
    best = model.best_validation_score_
    from sklearn.metrics import r2_score

    assert r2_score(y[400:], model.predict(X)[400:]) == pytest.approx(best)


def test_float32_determinism_and_pickle():
    X, y = narma(300, random_state=2)
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    model = TDNNRegressor((6,), memory="gamma", order=3, max_iter=5, random_state=0).fit(X32, y32)
    assert model.params_.dtype == np.float32 and model.predict(X32).dtype == np.float32
    again = TDNNRegressor((6,), memory="gamma", order=3, max_iter=5, random_state=0).fit(X32, y32)
    np.testing.assert_array_equal(model.predict(X32), again.predict(X32))
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X32), model.predict(X32))


def test_partial_fit_continues_and_warm_start_checks_the_memory():
    X, y = narma(200, random_state=3)
    model = TDNNRegressor((6,), delays=4, random_state=0)
    for _ in range(3):
        model.partial_fit(X, y)
    assert model.n_iter_ == 3 and len(model.loss_curve_) == 3
    model.set_params(warm_start=True, delays=6, max_iter=2)
    with pytest.raises(ValueError, match="shape changed"):
        model.fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"memory": "laguerre"}, r"'memory' parameter of TDNNRegressor must be a str among .*'gamma'.*Got 'laguerre'"),
        ({"delays": -1}, "delays"),
        ({"delays": [2, 2]}, "repeat"),
        ({"memory": "gamma", "mu": 2.5}, r"'mu' parameter of TDNNRegressor.*Got 2.5.*stable only"),
        ({"memory": "gamma", "order": -1}, r"'order' parameter of TDNNRegressor.*Got -1"),
        ({"fill": np.nan}, r"'fill' parameter of TDNNRegressor.*Got nan"),
        ({"activation": "softplus"}, r"'activation' parameter of TDNNRegressor.*Got 'softplus'"),
        ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes"),
    ],
)
def test_bad_hyperparameters(params, match):
    X, y = narma(50, random_state=0)
    with pytest.raises(ValueError, match=match):
        TDNNRegressor(**params).fit(X, y)
