"""RNNRegressor / RNNClassifier: layouts, training options, learning tasks, errors."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from sktemporal.datasets import make_sequence_classification, narma
from sktemporal.metrics import nrmse
from sktemporal.neural_network import GRURegressor, LSTMRegressor, RNNClassifier, RNNRegressor


def running_sum_task(rng, n=40, T=12):
    X = rng.uniform(-1, 1, size=(n, T, 1))
    return X, np.cumsum(X[:, :, 0], axis=1)[:, :, None] / 3


def test_series_per_step_with_truncated_bptt_and_timeseriessplit():
    rng = np.random.RandomState(0)
    t = np.arange(600)
    series = np.sin(0.2 * t)[:, None] + 0.01 * rng.normal(size=(600, 1))
    y = np.roll(series[:, 0], -1)
    model = RNNRegressor((8,), bptt_steps=20, max_iter=60, learning_rate_init=0.02, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(model, {"hidden_layer_sizes": [(4,), (8,)]}, cv=TimeSeriesSplit(3)).fit(series, y)
    assert search.best_score_ > 0.9
    pred = search.predict(series)
    assert pred.shape == (600,)


def test_many_to_many_3d_and_list_layouts():
    rng = np.random.RandomState(1)
    X, Y = running_sum_task(rng)
    model = RNNRegressor((8,), solver="lbfgs", max_iter=150, random_state=0).fit(X, Y)
    assert model.predict(X).shape == Y.shape
    assert model.score(X, Y) > 0.95
    Xl = [x[: 5 + i % 7] for i, x in enumerate(X)]
    Yl = [y[: 5 + i % 7, 0] for i, y in enumerate(Y)]
    model.fit(Xl, Yl)
    pred = model.predict(Xl)
    assert isinstance(pred, list) and [p.shape for p in pred] == [y.shape for y in Yl]
    # NaN-padded 3-D in, NaN-padded 3-D out, padded steps NaN
    Xp = np.full((len(Xl), 12, 1), np.nan)
    for i, x in enumerate(Xl):
        Xp[i, : len(x)] = x
    out = model.predict(Xp)
    assert out.shape == (len(Xl), 12)
    assert np.isnan(out[0, 5:]).all() and np.isfinite(out[0, :5]).all()
    np.testing.assert_allclose(out[3, :8], pred[3], rtol=1e-10)


def test_ragged_predictions_do_not_depend_on_batch_company():
    rng = np.random.RandomState(2)
    X = [rng.normal(size=(rng.randint(3, 15), 2)) for _ in range(30)]
    y = np.array([x[:, 0].sum() for x in X])
    model = RNNRegressor((6,), bidirectional=True, solver="lbfgs", max_iter=30, random_state=0).fit(X, y)
    together = model.predict(X)
    alone = np.array([model.predict([x])[0] for x in X])
    np.testing.assert_allclose(together, alone, rtol=1e-10)


def test_remembers_first_step_xor_needs_memory():
    """Label = XOR of the signs of the first two steps, read at the end of a noisy sequence."""
    rng = np.random.RandomState(3)
    n, T = 300, 8
    X = rng.normal(size=(n, T, 1)) * 0.3
    bits = rng.randint(2, size=(n, 2))
    X[:, :2, 0] = 2 * bits - 1
    y = bits[:, 0] ^ bits[:, 1]
    clf = RNNClassifier((12,), solver="lbfgs", max_iter=400, random_state=0).fit(X[:200], y[:200])
    assert clf.score(X[200:], y[200:]) > 0.9


def test_variable_length_classification_dataset():
    X, y = make_sequence_classification(240, n_classes=3, random_state=0)
    clf = RNNClassifier((16,), max_iter=40, learning_rate_init=0.02, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X[:180], y[:180])
    assert clf.score(X[180:], y[180:]) > 0.85
    proba = clf.predict_proba(X[180:])
    np.testing.assert_allclose(proba.sum(axis=1), 1)


def test_gridsearch_ragged_classifier_done_when():
    X, y = make_sequence_classification(90, n_classes=2, min_length=8, max_length=20, random_state=1)
    grid = {"hidden_layer_sizes": [(8,), (16,)], "bidirectional": [False, True]}
    search = GridSearchCV(RNNClassifier(solver="lbfgs", max_iter=40, random_state=0), grid, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_score_ > 0.6


def test_per_step_classifier_labels_layout():
    rng = np.random.RandomState(4)
    X = rng.normal(size=(20, 10, 1))
    y = (np.cumsum(X[:, :, 0], axis=1) > 0).astype(int)  # 2-D labels per step
    clf = RNNClassifier((8,), solver="lbfgs", max_iter=200, random_state=0).fit(X, y)
    assert clf.predict(X).shape == (20, 10)
    assert clf.predict_proba(X).shape == (20, 10, 2)
    assert clf.score(X, y) > 0.9
    labels = np.where(y == 1, "up", "down")
    clf.fit(X, labels)
    assert set(np.unique(clf.predict(X))) <= {"up", "down"}


def test_stacked_network_and_clip_norm_and_sgd():
    rng = np.random.RandomState(5)
    X, Y = running_sum_task(rng)
    model = RNNRegressor((8, 6), solver="sgd", learning_rate_init=0.05, clip_norm=1.0, max_iter=30,
                         random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, Y)
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    assert model.params_.size == model._net.layout.size


def test_early_stopping_uses_last_part_of_series():
    rng = np.random.RandomState(6)
    X = rng.normal(size=(300, 1))
    y = np.convolve(X[:, 0], [0.5, 0.3], mode="full")[:300]
    model = RNNRegressor((6,), bptt_steps=10, early_stopping=True, max_iter=30, n_iter_no_change=3,
                         random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert len(model.validation_scores_) == model.n_iter_
    assert model.best_validation_score_ == max(model.validation_scores_)
    assert model.best_loss_ is None


def test_partial_fit_and_warm_start_continue():
    rng = np.random.RandomState(7)
    X, Y = running_sum_task(rng)
    model = RNNRegressor((6,), random_state=0, learning_rate_init=0.01)
    for _ in range(3):
        model.partial_fit(X, Y)
    assert model.n_iter_ == 3 and len(model.loss_curve_) == 3
    clf = RNNClassifier((6,), random_state=0)
    y = (X[:, -1, 0] > 0).astype(int)
    clf.partial_fit(X, y, classes=[0, 1])
    clf.partial_fit(X, y)
    with pytest.raises(ValueError, match="not seen in the first fit"):
        clf.partial_fit(X, np.full(len(X), 7))
    warm = RNNRegressor((6,), warm_start=True, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warm.fit(X, Y)
        first = warm.params_.copy()
        warm.fit(X, Y)
    assert warm.n_iter_ == 4 and not np.allclose(first, warm.params_)
    assert not hasattr(RNNRegressor(solver="lbfgs"), "partial_fit")


def test_determinism_and_pickle():
    rng = np.random.RandomState(8)
    X = [rng.normal(size=(rng.randint(3, 9), 2)) for _ in range(20)]
    y = rng.randint(3, size=20)
    a = RNNClassifier((5,), bidirectional=True, max_iter=5, random_state=3)
    b = RNNClassifier((5,), bidirectional=True, max_iter=5, random_state=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a.fit(X, y)
        b.fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(a.predict_proba(X), c.predict_proba(X))


def test_float32_stays_float32():
    rng = np.random.RandomState(9)
    X = rng.normal(size=(10, 6, 2)).astype(np.float32)
    y = X.sum(axis=(1, 2))
    model = RNNRegressor((4,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert model.params_.dtype == np.float32
    assert model.predict(X).dtype == np.float32


@pytest.mark.parametrize(
    "params, match",
    [
        ({"solver": "newton"}, r"'solver' parameter of RNNRegressor must be a str among .*'rtrl'.*Got 'newton'"),
        ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes"),
        ({"bptt_steps": 0}, "bptt_steps"),
        ({"bidirectional": True, "bptt_steps": 5}, "bidirectional=True needs whole sequences"),
        ({"cell": "lstm"}, "LSTMRegressor"),
        ({"activation": "softplus"}, r"'activation' parameter of RNNRegressor must be a str among .*Got 'softplus'"),
        ({"clip_norm": -1.0}, "clip_norm"),
    ],
)
def test_bad_hyperparameters(params, match):
    X = np.zeros((10, 1))
    with pytest.raises(ValueError, match=match):
        RNNRegressor(**params).fit(X, np.zeros(10))


def test_divergence_names_the_cause():
    X = np.linspace(0, 1, 50)[:, None]
    y = 1e200 * np.ones(50)
    with pytest.raises(ValueError, match="learning_rate_init"):
        RNNRegressor((4,), max_iter=3, random_state=0).fit(X, y)


def test_univariate_collection_as_2d_error_hint():
    X = np.zeros((5, 20))  # the tslearn habit: 5 sequences of 20 steps, labels per step
    with pytest.raises(ValueError, match="3-D of shape"):
        RNNClassifier().fit(X, np.zeros((5, 20)))


@pytest.mark.parametrize("teacher_forcing", [True, False])
def test_jordan_learns_output_feedback_process(teacher_forcing):
    """y(t) = 0.8 y(t−1) + 0.5 x(t): the output recurrence a Jordan network is made for."""
    rng = np.random.RandomState(10)
    x = rng.uniform(-1, 1, 1000)
    y = np.zeros(1000)
    for t in range(1000):
        y[t] = 0.8 * (y[t - 1] if t else 0.0) + 0.5 * x[t]
    model = RNNRegressor((8,), cell="jordan", teacher_forcing=teacher_forcing, solver="lbfgs",
                         max_iter=200, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x[:700, None], y[:700])
    # predictions run closed loop (own outputs fed back) from a zero state, hence a short transient
    assert model.score(x[700:, None], y[700:]) > 0.97


def test_jordan_classifier_and_bad_configuration():
    rng = np.random.RandomState(11)
    X = rng.normal(size=(30, 8, 1))
    y = (np.cumsum(X[:, :, 0], axis=1) > 0).astype(int)
    clf = RNNClassifier((6,), cell="jordan", solver="lbfgs", max_iter=100, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.predict_proba(X).shape == (30, 8, 2)
    with pytest.raises(ValueError, match="single hidden layer"):
        RNNRegressor((4, 4), cell="jordan").fit(X[0], y[0])


def test_generate_closed_loop_and_its_errors():
    s = np.sin(0.3 * np.arange(500))[:, None]
    model = RNNRegressor((16,), solver="lbfgs", max_iter=200, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(s[:-1], s[1:, 0])
    future = model.generate(50, warmup=s[:400])
    assert future.shape == (50,)
    assert np.abs(future - s[400:450, 0]).max() < 0.1
    # the first generated value is the one-step prediction after the warmup
    np.testing.assert_allclose(future[0], model.predict(s[:400])[-1], rtol=1e-12)
    with pytest.raises(ValueError, match="warmup must be one 2-D series"):
        model.generate(5, warmup=s[None, :10])
    with pytest.raises(ValueError, match=r"'n_steps' parameter of RNNRegressor.generate "
                       r"must be an int in the range \[1, inf\)"):
        model.generate(0, warmup=s[:10])
    two_outputs = RNNRegressor((4,), solver="lbfgs", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        two_outputs.fit(s[:-1], np.hstack([s[1:], s[1:]]))
    with pytest.raises(ValueError, match=r"n_outputs == n_features; this model has 2 output\(s\) for 1 feature\(s\)"):
        two_outputs.generate(5, warmup=s[:10])
    from sktemporal import TDNNRegressor

    assert not hasattr(TDNNRegressor(), "generate")
    assert not hasattr(RNNClassifier(), "generate")


def test_verbose_prints_one_line_per_epoch(capsys):
    rng = np.random.RandomState(12)
    X, Y = running_sum_task(rng, n=10)
    model = RNNRegressor((4,), max_iter=3, verbose=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, Y)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Iteration")]
    assert len(lines) == 3 and "loss = " in lines[0] and lines[0].endswith(" s")


def test_keyboard_interrupt_propagates_and_keeps_the_previous_model(monkeypatch):
    """Ctrl-C stops a fit (and so a search) and leaves the model of the last completed fit."""
    from sktemporal.neural_network import _optimizers

    rng = np.random.RandomState(13)
    X, Y = running_sum_task(rng, n=10)
    model = RNNRegressor((4,), max_iter=5, batch_size=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, Y)
    before, params, curve = model.predict(X), model.params_.copy(), list(model.loss_curve_)
    calls = {"n": 0}
    original = _optimizers.AdamOptimizer.update

    def interrupted(self, grad):
        calls["n"] += 1
        if calls["n"] > 2:
            raise KeyboardInterrupt
        original(self, grad)

    monkeypatch.setattr(_optimizers.AdamOptimizer, "update", interrupted)
    with pytest.raises(KeyboardInterrupt):
        model.set_params(max_iter=50).fit(X, Y)
    np.testing.assert_array_equal(model.predict(X), before)
    np.testing.assert_array_equal(model.params_, params)
    assert model.loss_curve_ == curve
    fresh = RNNRegressor((4,), max_iter=50, batch_size=5, random_state=0)
    calls["n"] = 0
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(X, Y)
    assert not hasattr(fresh, "params_")


@pytest.mark.parametrize("Estimator", [RNNRegressor, LSTMRegressor, GRURegressor])
def test_initial_state_continue_picks_up_where_the_fitted_series_ended(Estimator):
    """A test block that follows its training block starts from the state fit ended in.

    Its predictions are exactly those of running the network on through the series; from
    zeros, the first steps carry a start-up transient.
    """
    X, y = narma(700, random_state=0)
    train, test = slice(0, 500), slice(500, None)
    model = Estimator((8,), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X[train], y[train])
    assert [s.shape for s in model.last_state_] == [(1, model._net.state_sizes[0])]
    warm = model.predict(X[test])
    through = model.set_params(initial_state="zeros").predict(X)[test]
    np.testing.assert_allclose(warm, through, rtol=1e-9, atol=1e-12)
    cold = model.predict(X[test])
    head = slice(0, 10)
    assert nrmse(y[test][head], warm[head]) < nrmse(y[test][head], cold[head])
    # collections always start from zeros
    Xc = np.stack([X[:50], X[50:100]])
    np.testing.assert_array_equal(model.set_params(initial_state="continue").predict(Xc),
                                  model.set_params(initial_state="zeros").predict(Xc))


def test_continue_beats_zeros_across_time_series_split_folds():
    X, y = narma(1500, random_state=1)
    errors = {"continue": [], "zeros": []}
    for train, test in TimeSeriesSplit(3, test_size=100).split(X):
        model = RNNRegressor((16,), max_iter=30, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X[train], y[train])
        for start in errors:
            pred = model.set_params(initial_state=start).predict(X[test])
            errors[start].append(nrmse(y[test][:20], pred[:20]))
    assert np.mean(errors["continue"]) < np.mean(errors["zeros"])


def test_a_single_series_trains_with_many_updates_per_epoch():
    """bptt_steps='auto': truncated streams, not one update per epoch on the whole series."""
    from sktemporal.neural_network import _optimizers
    from sktemporal.neural_network._arrange import auto_truncation

    X, y = narma(2000, random_state=0)
    calls = {"n": 0}
    original = _optimizers.AdamOptimizer.update

    def counting(self, grad):
        calls["n"] += 1
        original(self, grad)

    k, streams = auto_truncation(2000)
    try:
        _optimizers.AdamOptimizer.update = counting
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            RNNRegressor((4,), max_iter=1, random_state=0).fit(X, y)
    finally:
        _optimizers.AdamOptimizer.update = original
    assert calls["n"] == int(np.ceil((2000 // streams + 2000 % streams) / k)) > 1


@pytest.mark.parametrize(
    "model",
    [
        RNNRegressor((8,), solver="lbfgs", max_iter=30, random_state=0),
        RNNRegressor((6, 5), max_iter=3, random_state=0),
        RNNRegressor((8,), cell="jordan", solver="lbfgs", max_iter=30, random_state=0),
        LSTMRegressor((6,), max_iter=3, random_state=0),
        GRURegressor((6,), solver="lbfgs", max_iter=20, random_state=0),
    ],
    ids=["elman", "stacked-adam", "jordan", "lstm", "gru"],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_generate_without_warmup_continues_the_fitted_series(model, dtype):
    """``generate(n)`` is bit for bit ``generate(n, warmup=X_fit)`` of the network started from zeros.

    Both read the fitted series from a zero state with the final weights (fit keeps the
    state and the output after its last step) and then run the same closed loop; the
    first value is the output at the last fitted step, ``predict(X_fit)[-1]``.
    """
    s = np.sin(0.3 * np.arange(300))[:, None].astype(dtype)
    X, y = s[:-1], s[1:, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    continued = model.generate(25)
    assert continued.dtype == dtype and continued.shape == (25,)
    model.set_params(initial_state="zeros")
    np.testing.assert_array_equal(continued, model.generate(25, warmup=X))
    np.testing.assert_array_equal(continued[0], model.predict(X)[-1])
    with pytest.raises(ValueError, match="initial_state='zeros'; pass warmup"):
        model.generate(3)
    model.set_params(initial_state="continue")
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(model)).generate(25), continued)


def test_generate_without_warmup_needs_a_fitted_series():
    rng = np.random.RandomState(0)
    model = RNNRegressor((4,), bidirectional=False, solver="lbfgs", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(rng.randn(5, 20, 1), rng.randn(5, 20, 1))
    with pytest.raises(ValueError, match="last fitted on a collection of sequences; pass warmup"):
        model.generate(3)
    assert model.generate(3, warmup=rng.randn(10, 1)).shape == (3, 1)
    # a model saved before the last output was kept: the same clear error, no AttributeError
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(rng.randn(40, 1), rng.randn(40))
    state = model.__getstate__()
    del state["_last_output"]
    old = object.__new__(RNNRegressor)
    old.__setstate__(state)
    with pytest.raises(ValueError, match="did not keep the last output; pass warmup"):
        old.generate(3)
