"""Per-sequence features of the reservoir: segment means (``n_segments``), their names and widths."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sktemporal.datasets import make_sequence_classification
from sktemporal.reservoir import ESNClassifier, ESNClassifierCV, ESNRegressor, ESNRegressorCV, Reservoir
from sktemporal.reservoir._pooling import segment_bounds


@pytest.fixture(scope="module")
def ragged():
    rs = np.random.RandomState(0)
    # lengths below, at and above the number of segments (4), and with a washout of 2
    X = [rs.randn(t, 2) for t in (3, 4, 5, 6, 9, 17, 30)]
    y = np.array([x[:, 0].sum() for x in X])
    return X, y


def reference_segment_means(F, washout, k):
    """The documented rule, step by step.

    ``s_j = w + floor(j n / k)``, ``e_j = max(w + floor((j+1) n / k), s_j + 1)``.
    """
    n = len(F) - washout
    rows = []
    for j in range(k):
        s = washout + (j * n) // k
        e = max(washout + ((j + 1) * n) // k, s + 1)
        rows.append(F[s:e].mean(axis=0))
    return np.array(rows)


@pytest.mark.parametrize("washout", [0, 2])
def test_segment_means_equal_a_numpy_reference(ragged, washout):
    X, _ = ragged
    k, N = 4, 12
    res = Reservoir(n_reservoir=N, n_segments=k, washout=washout, include_input=True, random_state=0).fit(X)
    features = res.transform(X)
    assert features.shape == (len(X), k * (N + 2))
    states = clone(res).set_params(pooling=None).fit(X).transform(X)
    for i in range(len(X)):
        expected = reference_segment_means(states[i], washout, k)  # [h, x] per step
        got_h = features[i, :k * N].reshape(k, N)
        got_x = features[i, k * N:].reshape(k, 2)
        np.testing.assert_allclose(np.hstack([got_h, got_x]), expected, rtol=1e-12, atol=1e-13)


def test_segment_bounds_tile_or_repeat():
    starts, ends = segment_bounds(np.array([10, 12, 3, 1]), 0, 4)
    np.testing.assert_array_equal(starts[0], [0, 2, 5, 7])  # lengths 2, 3, 2, 3: a tiling
    np.testing.assert_array_equal(ends[0], [2, 5, 7, 10])
    np.testing.assert_array_equal(np.diff(starts[1]), [3, 3, 3])
    np.testing.assert_array_equal(starts[2], [0, 0, 1, 2])  # 3 steps, 4 segments: one step repeated
    np.testing.assert_array_equal(ends[2] - starts[2], [1, 1, 1, 1])
    np.testing.assert_array_equal(starts[3], [0, 0, 0, 0])  # a single step fills every segment
    starts, ends = segment_bounds(np.array([10]), 4, 3)  # the washout is skipped
    np.testing.assert_array_equal(starts[0], [4, 6, 8])
    np.testing.assert_array_equal(ends[0], [6, 8, 10])


def test_one_segment_is_the_mean_and_a_constant_sequence_repeats_it(ragged):
    X, _ = ragged
    plain = Reservoir(n_reservoir=10, random_state=0).fit(X)
    np.testing.assert_array_equal(plain.transform(X), clone(plain).set_params(n_segments=1).fit(X).transform(X))
    # the mean of the segment means, weighted by their lengths, is the whole mean
    split = clone(plain).set_params(n_segments=3).fit(X).transform(X).reshape(len(X), 3, 10)
    for i, x in enumerate(X[2:], start=2):  # every sequence with at least 3 steps: a tiling
        starts, ends = segment_bounds(np.array([len(x)]), 0, 3)
        weights = (ends - starts)[0] / len(x)
        np.testing.assert_allclose(weights @ split[i], plain.transform(X)[i], rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("pooling, include_input, width", [
    ("mean", False, 3 * 8), ("both", False, 8 + 3 * 8), ("both", True, (8 + 3 * 8) + (2 + 3 * 2)),
    ("last", True, 8 + 2),  # ignored without a mean
])
def test_widths_and_names(ragged, pooling, include_input, width):
    X, _ = ragged
    res = Reservoir(n_reservoir=8, pooling=pooling, n_segments=3, include_input=include_input,
                    random_state=0).fit(X)
    features = res.transform(X)
    names = res.get_feature_names_out()
    assert features.shape == (len(X), width) and names.shape == (width,)
    assert len(set(names)) == width
    if pooling != "last":
        first = 8 if pooling == "both" else 0
        assert names[first] == "mean_seg0_reservoir0" and names[first + 8] == "mean_seg1_reservoir0"
        assert names[first + 3 * 8 - 1] == "mean_seg2_reservoir7"
    if include_input:
        assert names[-1] == ("last_x1" if pooling == "last" else "mean_seg2_x1")
    # a 3-D collection, float32 kept; a series stays per step whatever n_segments
    C = np.random.RandomState(1).randn(5, 7, 2).astype(np.float32)
    assert res.fit(C).transform(C).shape == (5, width) and res.transform(C).dtype == np.float32
    assert res.fit(C[0]).transform(C[0]).shape == (7, 8 + (2 if include_input else 0))


def test_estimators_read_the_segment_means(ragged):
    """A per-sequence ESN regressor is a ridge on the transformer's segment means."""
    X, y = ragged
    params = dict(n_reservoir=15, n_segments=4, washout=2, include_input=True, random_state=0)
    esn = ESNRegressor(alpha=1e-2, **params).fit(X, y)
    features = Reservoir(**params).fit(X).transform(X)
    assert esn.coef_.shape == (1, features.shape[1])
    ridge = Ridge(alpha=1e-2).fit(features, y)
    np.testing.assert_allclose(esn.predict(X), ridge.predict(features), rtol=1e-6, atol=1e-8)


def test_classifier_partial_fit_pickle_and_clone():
    X, y = make_sequence_classification(60, n_classes=3, min_length=2, max_length=30, random_state=0)
    clf = ESNClassifier(n_reservoir=30, n_segments=5, alpha=1e-2, random_state=0).fit(X, y)
    assert clf.coef_.shape == (3, 5 * (30 + X[0].shape[1]))
    streamed = clone(clf).partial_fit(X[:25], y[:25], classes=np.unique(y)).partial_fit(X[25:], y[25:])
    np.testing.assert_allclose(streamed.coef_, clf.coef_, rtol=1e-6, atol=1e-9)
    back = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))
    assert clone(clf).get_params()["n_segments"] == 5


def test_cv_classes_search_alpha_on_segment_means():
    """The one-pass CV of the CV classes scores the same features as a grid over the plain ESN."""
    X, y = make_sequence_classification(60, n_classes=3, random_state=0)
    fixed = dict(spectral_radius=0.97, leak_rate=1.0, input_scaling=0.7)
    alphas = [1e-6, 1e-3, 1.0]
    clf = ESNClassifierCV(30, n_segments=3, alphas=alphas, random_state=0, **fixed).fit(X, y)
    grid = GridSearchCV(ESNClassifier(30, n_segments=3, random_state=0), {"alpha": alphas},
                        cv=StratifiedKFold(5)).fit(X, y)
    assert clf.alpha_ == grid.best_params_["alpha"]
    np.testing.assert_allclose(clf.best_score_, grid.best_score_, rtol=1e-6)
    assert clf.coef_.shape == (3, 3 * (30 + X[0].shape[1]))
    y_reg = np.array([x[:, 0].mean() for x in X])
    reg = ESNRegressorCV(30, n_segments=2, alphas=alphas, random_state=0, **fixed).fit(X, y_reg)
    assert reg.predict(X).shape == (60,)


@pytest.mark.parametrize("value, error", [(0, ValueError), (2.5, ValueError), ("4", ValueError)])
def test_n_segments_is_validated(ragged, value, error):
    X, y = ragged
    for est in (Reservoir(n_segments=value), ESNRegressor(n_segments=value)):
        with pytest.raises(error, match="n_segments"):
            est.fit(X, y)


def test_dask_collection_fits_as_in_memory():
    da = pytest.importorskip("dask.array")
    X, y = make_sequence_classification(40, n_classes=2, n_features=2, min_length=12, max_length=12,
                                        random_state=0)
    X = np.asarray(X)
    params = dict(n_reservoir=20, n_segments=3, washout=2, random_state=0)
    ref = ESNClassifier(**params).fit(X, y)
    est = ESNClassifier(**params).fit(da.from_array(X, chunks=(15, 12, 2)), da.from_array(y, 15))
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-7, atol=1e-9)
    res = Reservoir(**params).fit(X)
    np.testing.assert_allclose(res.transform(da.from_array(X, chunks=(15, 12, 2))).compute(), res.transform(X),
                               atol=1e-12)


def test_cv_search_over_n_segments():
    X, y = make_sequence_classification(60, n_classes=3, random_state=0)
    fixed = dict(spectral_radius=0.97, leak_rate=1.0, input_scaling=0.7, alphas=[1e-4, 1e-1])
    clf = ESNClassifierCV(20, n_segments=[1, 3], random_state=0, **fixed).fit(X, y)
    res = clf.cv_results_
    assert res["param_n_segments"].tolist() == [1, 3]
    assert res["params"][clf.best_index_]["n_segments"] == clf.n_segments_
    # the chosen candidate's model: the fixed fit with its number of segments
    alone = ESNClassifierCV(20, n_segments=clf.n_segments_, random_state=0, **fixed).fit(X, y)
    np.testing.assert_allclose(clf.coef_, alone.coef_, rtol=1e-10, atol=1e-12)
    # a series has per-step rows: one candidate, whatever the list
    series = np.random.RandomState(0).randn(300, 1)
    reg = ESNRegressorCV(20, n_segments=[2, 4], random_state=0, **fixed).fit(series, series[:, 0])
    assert reg.cv_results_["param_n_segments"].tolist() == [2] and reg.n_segments_ == 2
    for value in ([0, 4], [1.5], []):
        with pytest.raises(ValueError, match="n_segments"):
            ESNClassifierCV(20, n_segments=value, **fixed).fit(X, y)
