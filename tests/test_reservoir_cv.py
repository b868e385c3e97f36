"""ESNRegressorCV and ESNClassifierCV: the same choice as GridSearchCV, from one reservoir pass."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    StratifiedKFold,
    TimeSeriesSplit,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sktemporal.datasets import make_sequence_classification, narma
from sktemporal.reservoir import (
    ESNClassifier,
    ESNClassifierCV,
    ESNRegressor,
    ESNRegressorCV,
    _esn_cv,
)
from sktemporal.reservoir._esn_cv import DEFAULT_ALPHAS
from sktemporal.reservoir._model import ReservoirModel

#: a fixed reservoir: these tests check the choice of the penalty (the search: test_esn_cv_search.py)
FIXED = dict(spectral_radius=0.97, leak_rate=1.0, input_scaling=0.7, n_segments=1)


def _reg_cv(*args, **kwargs):
    return ESNRegressorCV(*args, **{**FIXED, **kwargs})


def _clf_cv(*args, **kwargs):
    return ESNClassifierCV(*args, **{**FIXED, **kwargs})

ALPHAS = list(DEFAULT_ALPHAS)


@pytest.fixture(scope="module")
def series():
    return narma(1500, random_state=0)


def _grid(est, cv, **kw):
    return GridSearchCV(est, {"alpha": ALPHAS}, cv=cv, **kw)


def _assert_same_search(cv_est, grid):
    """Same alpha and best score (1e-6 relative); every alpha's mean score to 1e-4.

    The sums are added in another order than a fold-by-fold fit adds them; at the
    smallest penalties (1e-10, ill-conditioned normal equations) that rounding shows
    in the sixth digit of a score.
    """
    assert cv_est.alpha_ == grid.best_params_["alpha"]
    np.testing.assert_allclose(cv_est.best_score_, grid.best_score_, rtol=1e-6)
    np.testing.assert_allclose(cv_est.alpha_results_["mean_test_score"],
                               grid.cv_results_["mean_test_score"], rtol=1e-4, atol=1e-9)
    ranks = cv_est.alpha_results_["rank_test_score"]
    np.testing.assert_array_equal(ranks[ranks == 1],
                                  grid.cv_results_["rank_test_score"][grid.cv_results_["rank_test_score"] == 1])


@pytest.mark.parametrize("params", [
    {"washout": 20},
    {"washout": 0, "include_input": False, "leak_rate": 0.5},
    {"washout": 10, "input_scaling": 0.3, "bias_scaling": 0.1},
])
def test_series_time_series_split_equals_grid_search(series, params):
    """On one series under TimeSeriesSplit(5), ESNRegressorCV makes GridSearchCV's choice from one pass.

    The fold fits of GridSearchCV start from zeros on each training prefix and predict the
    test block continuing from its end; the single pass gives the same states, and the
    prefix sums of the streamed blocks the same normal equations.
    """
    X, y = series
    est = _reg_cv(60, random_state=0, scaler=None, **params).fit(X, y)
    assert est.single_pass_ and est.n_splits_ == 5
    grid = _grid(ESNRegressor(60, random_state=0, scaler=None, **params), TimeSeriesSplit(5)).fit(X, y)
    _assert_same_search(est, grid)
    # the published model is the plain estimator refitted on everything with alpha_
    ref = ESNRegressor(60, random_state=0, scaler=None, alpha=est.alpha_, **params).fit(X, y)
    np.testing.assert_allclose(est.predict(X[:300]), ref.predict(X[:300]), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(est.last_state_, ref.last_state_)


@pytest.mark.parametrize("kind", ["series", "collection"])
def test_folds_with_fewer_rows_than_features_are_solved_in_the_dual(series, kind, monkeypatch):
    """Small data keeps its training rows (a fold with fewer rows than features is solved in
    the dual): the scores and the choice of the sums-only pass, to rounding."""
    import sktemporal.reservoir._esn_cv as esn_cv
    from sktemporal.reservoir._cv_folds import keeps_training_rows

    if kind == "series":
        X, y = series[0][:300], series[1][:300]
        est = _reg_cv(200, random_state=0)  # 300 rows, 201 features: folds of 50-250 rows
    else:
        X, y = make_sequence_classification(40, random_state=0)
        est = _clf_cv(50, random_state=0)  # 32 rows per training fold
    assert keeps_training_rows(len(X), 201 if kind == "series" else 52)
    used = []
    original = esn_cv.dual_path
    monkeypatch.setattr(esn_cv, "dual_path", lambda *a: used.append(1) or original(*a))
    dual = clone(est).fit(X, y)
    assert used
    monkeypatch.setattr(esn_cv, "keeps_training_rows", lambda n_rows, n_features: False)
    primal = clone(est).fit(X, y)
    assert dual.alpha_ == primal.alpha_
    # (the smallest penalties are ill-conditioned in both forms: their scores differ in the sixth digit)
    np.testing.assert_allclose(dual.alpha_results_["mean_test_score"], primal.alpha_results_["mean_test_score"],
                               rtol=1e-4, atol=1e-9)
    np.testing.assert_allclose(dual.coef_, primal.coef_, rtol=1e-6, atol=1e-8)
    assert not keeps_training_rows(2 * 201, 201) and not keeps_training_rows(None, 201)


def test_the_reservoir_runs_once(series, monkeypatch):
    """The single pass drives the reservoir over the data once, whatever the number of alphas and folds."""
    X, y = series
    calls = []
    original = ReservoirModel.states  # every state loop of the estimators runs through it

    def counting(self, batch, **kw):
        calls.append(batch.lengths.sum())
        return original(self, batch, **kw)

    monkeypatch.setattr(ReservoirModel, "states", counting)
    _reg_cv(40, random_state=0).fit(X, y)
    assert calls == [len(X)]


def test_scoring_and_fallback_splitters(series):
    """A scorer name, and splitters that are not expanding windows (computed fold by fold)."""
    X, y = series
    est = _reg_cv(40, random_state=0, scaler=None, scoring="neg_mean_absolute_error").fit(X, y)
    grid = _grid(ESNRegressor(40, random_state=0, scaler=None), TimeSeriesSplit(5),
                 scoring="neg_mean_absolute_error").fit(X, y)
    _assert_same_search(est, grid)
    for cv in (KFold(4), TimeSeriesSplit(4, gap=10), TimeSeriesSplit(4, max_train_size=500)):
        est = _reg_cv(40, random_state=0, cv=cv).fit(X, y)
        assert not est.single_pass_
        _assert_same_search(est, _grid(ESNRegressor(40, random_state=0), cv).fit(X, y))


def test_noise_and_zero_start_fall_back(series):
    X, y = series
    for params in ({"noise": 1e-3}, {"initial_state": "zeros"}):
        est = _reg_cv(30, random_state=0, alphas=[1e-6, 1e-2], **params).fit(X[:600], y[:600])
        assert not est.single_pass_
        grid = GridSearchCV(ESNRegressor(30, random_state=0, **params), {"alpha": [1e-6, 1e-2]},
                            cv=TimeSeriesSplit(5)).fit(X[:600], y[:600])
        _assert_same_search(est, grid)


def test_collections_many_to_one_and_many_to_many():
    """Collections: per-sequence sums grouped by fold membership, any splitter."""
    X, y = make_sequence_classification(90, n_classes=3, random_state=0)
    clf = _clf_cv(40, pooling="mean", random_state=0).fit(X, y)
    assert clf.single_pass_
    _assert_same_search(clf, _grid(ESNClassifier(40, pooling="mean", random_state=0), StratifiedKFold(5)).fit(X, y))
    clf = _clf_cv(40, pooling="both", random_state=0, scoring="neg_log_loss").fit(X, y)
    grid = _grid(ESNClassifier(40, pooling="both", random_state=0), StratifiedKFold(5),
                 scoring="neg_log_loss").fit(X, y)
    _assert_same_search(clf, grid)
    rs = np.random.RandomState(0)
    Xl = [rs.randn(t, 2) for t in rs.randint(8, 25, 30)]
    yl = [np.cumsum(x[:, 0]) * 0.1 for x in Xl]
    reg = _reg_cv(30, washout=3, random_state=0, cv=KFold(3)).fit(Xl, yl)
    assert reg.single_pass_
    _assert_same_search(reg, _grid(ESNRegressor(30, washout=3, random_state=0), KFold(3)).fit(Xl, yl))
    assert isinstance(reg.predict(Xl[:2]), list)


def test_one_fold_per_sequence():
    """Many folds (a membership pattern per sequence): the same search as GridSearchCV."""
    rs = np.random.RandomState(1)
    Xl = [rs.randn(t, 2) for t in rs.randint(8, 15, 42)]
    yl = [np.cumsum(x[:, 0]) * 0.1 for x in Xl]
    reg = _reg_cv(20, washout=2, random_state=0, cv=KFold(42), scoring="neg_mean_squared_error")
    reg.fit(Xl, yl)
    assert reg.single_pass_ and reg.n_splits_ == 42
    grid = _grid(ESNRegressor(20, washout=2, random_state=0), KFold(42), scoring="neg_mean_squared_error")
    _assert_same_search(reg, grid.fit(Xl, yl))
    patterns, block = reg._blocks(list(KFold(42).split(np.zeros(42))), 42)
    assert patterns.shape == (42, 42)
    assert np.array_equal((patterns[block] == 2).argmax(axis=0), np.arange(42))


def test_classifier_on_a_series_with_labels_per_step():
    rs = np.random.RandomState(0)
    X = rs.randn(600, 1)
    y = (np.convolve(X[:, 0], np.ones(3), mode="full")[:600] > 0).astype(int)
    clf = _clf_cv(30, random_state=0, scaler=None).fit(X, y)
    grid = _grid(ESNClassifier(30, random_state=0, scaler=None), TimeSeriesSplit(5)).fit(X, y)
    _assert_same_search(clf, grid)
    assert clf.score(X, y) > 0.9


def test_inside_an_outer_search_and_a_pipeline(series):
    """The CV estimator slots into a Pipeline inside GridSearchCV over the reservoir's parameters."""
    X, y = series
    pipe = make_pipeline(StandardScaler(), _reg_cv(40, random_state=0))
    search = GridSearchCV(pipe, {"esnregressorcv__spectral_radius": [0.5, 0.9],
                                 "esnregressorcv__leak_rate": [0.5, 1.0]},
                          cv=TimeSeriesSplit(3)).fit(X[:900], y[:900])
    assert search.best_estimator_[-1].alpha_ in DEFAULT_ALPHAS
    assert np.isfinite(search.score(X[900:], y[900:]))


def test_bad_parameters(series):
    X, y = series
    for params, match in (({"alphas": []}, "alphas must be"), ({"alphas": [-1.0]}, "alphas must be"),
                          ({"cv": 1}, r"The 'cv' parameter of ESNRegressorCV must be an int in the range \[2, inf\)"),
                          ({"scoring": 3}, r"The 'scoring' parameter of ESNRegressorCV must be .* Got 3 instead")):
        with pytest.raises(ValueError, match=match):
            _reg_cv(20, **params).fit(X[:100], y[:100])
    with pytest.raises(ValueError, match="shortest training fold"):
        _reg_cv(20, washout=50).fit(X[:200], y[:200])
    with pytest.raises(ValueError, match="n_samples=4"):
        _reg_cv(20).fit(X[:4], y[:4])
    assert not hasattr(ESNRegressorCV(), "partial_fit")
    assert sorted(_esn_cv.__all__) == ["ESNClassifierCV", "ESNRegressorCV"]


@pytest.mark.parametrize("scoring", ["r2", "neg_mean_squared_error", "neg_root_mean_squared_error",
                                     "neg_mean_absolute_error"])
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_fold_scores_from_chunk_sums_equal_scikit_learn_metrics(scoring, n_outputs):
    """The fold-score formulas (sums per chunk, merged) equal scikit-learn's metrics on the
    concatenated rows, for several readouts at once, uneven chunks, an offset target (Chan's
    merge of the spreads) and a constant output (r2_score's 1-or-0 rule)."""
    from sklearn.metrics import get_scorer

    from sktemporal.reservoir._cv_scores import error_sums, reduced_score

    rng = np.random.RandomState(0)
    Y = 1000.0 + rng.normal(size=(97, n_outputs))
    if n_outputs > 1:
        Y[:, 1] = 7.0  # constant: r2 1 if predicted exactly, else 0
    P = Y[:, None, :] + rng.normal(scale=[[0.1], [1.0], [0.0]], size=(97, 3, n_outputs))
    P[:, 0, 1:2] = 7.5 if n_outputs > 1 else P[:, 0, 1:2]
    cuts = [0, 5, 6, 40, 97]
    reports = [error_sums(P[a:b], Y[a:b]) for a, b in zip(cuts[:-1], cuts[1:])]
    got = reduced_score("errors", scoring, reports)
    metric = get_scorer(scoring)._score_func
    sign = get_scorer(scoring)._sign
    expected = [sign * metric(Y, P[:, j]) for j in range(3)]
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("initial_state", ["continue", "zeros"])  # one pass over the folds / a fit per fold
def test_float32_sums_follow_the_smallest_penalty_of_the_grid(series, float32_rows, initial_state):
    """Float32 block sums only when the smallest penalty absorbs their error (the grid's order is
    irrelevant); the choice and the predictions follow the float64 fit."""
    X, y = series
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    kw = dict(cv=TimeSeriesSplit(3), initial_state=initial_state, random_state=0)
    small = _reg_cv(30, alphas=[10.0, 1e-8], **kw).fit(X32, y32)
    assert not float32_rows
    large = _reg_cv(30, alphas=[100.0, 10.0], **kw).fit(X32, y32)
    assert sum(float32_rows) >= X.shape[0]  # the folds' sums (per fold: again) and the final fit
    for est in (small, large):
        ref = _reg_cv(30, alphas=est.alphas, **kw).fit(X, y)
        assert est.alpha_ == ref.alpha_
        np.testing.assert_allclose(est.predict(X32), ref.predict(X), rtol=0, atol=1e-4)


def test_float32_classifier_cv(float32_rows):
    X, y = make_sequence_classification(60, n_classes=2, min_length=10, max_length=20, random_state=0)
    X32 = [x.astype(np.float32) for x in X]
    clf = _clf_cv(30, alphas=[1.0, 10.0], cv=3, random_state=0).fit(X32, y)
    assert float32_rows
    ref = _clf_cv(30, alphas=[1.0, 10.0], cv=3, random_state=0).fit(X, y)
    assert clf.alpha_ == ref.alpha_
    np.testing.assert_allclose(clf.decision_function(X32), ref.decision_function(X), rtol=0, atol=1e-4)
