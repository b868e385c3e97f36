"""The reservoir search of ESNRegressorCV / ESNClassifierCV: candidates, halving, the choice, joblib."""

import warnings

import numpy as np
import pytest
from sklearn.utils.estimator_checks import check_estimator

from sktemporal._testing import XFAIL_CHECKS
from sktemporal.datasets import make_sequence_classification, narma
from sktemporal.reservoir import ESNClassifierCV, ESNRegressorCV
from sktemporal.reservoir._cv_search import (
    AUTO_SPACE,
    REFERENCE,
    Evaluation,
    halving_sizes,
    one_se_choice,
    survivors_kept,
)


@pytest.fixture(scope="module")
def series():
    X, y = narma(1400, random_state=0)
    return X[:1000], y[:1000], X[1000:], y[1000:]


@pytest.fixture(scope="module")
def searched(series):
    X, y, _, _ = series
    return ESNRegressorCV(30, washout=20, random_state=0).fit(X, y)


def test_auto_searches_the_documented_grid(searched):
    res = searched.cv_results_
    assert searched.get_params()["spectral_radius"] == "auto"
    assert len(res["params"]) == 3 * 3 * 3
    for name, values in AUTO_SPACE["regression"].items():
        assert set(res[f"param_{name}"].tolist()) == set(values)
    best = searched.best_index_
    assert res["params"][best] == {"spectral_radius": searched.spectral_radius_,
                                   "leak_rate": searched.leak_rate_,
                                   "input_scaling": searched.input_scaling_, "n_segments": 1,
                                   "alpha": searched.alpha_}
    assert res["iter"][best] == res["iter"].max()
    assert res["n_resources"][best] == 1000
    np.testing.assert_allclose(res["mean_test_score"][best], searched.best_score_)
    # the per-penalty table of the chosen reservoir
    assert len(searched.alpha_results_["mean_test_score"]) == 13
    np.testing.assert_allclose(np.max(searched.alpha_results_["mean_test_score"]), searched.best_score_)


def test_halving_schedule(searched):
    assert halving_sizes(27, 2000, 200) == [334, 2000]  # all 27 on a sixth, the best 3 on all
    assert halving_sizes(27, 1000, 200) == [200, 1000]  # 1000 / 6 = 167 steps, raised to the floor
    assert halving_sizes(27, 300, 200) == [300]  # a rung of 200 of 300 steps would save little
    assert halving_sizes(27, 100, 200) == [100]
    assert halving_sizes(243, 20000, 200) == [556, 3334, 20000]  # 243 -> 27 -> 3
    assert halving_sizes(243, 3000, 200) == [200, 500, 3000]
    assert halving_sizes(3, 5000, 200) == [5000] and halving_sizes(1, 5000, 200) == [5000]
    assert [survivors_kept(c) for c in (1, 3, 4, 27, 243)] == [1, 3, 3, 3, 27]
    it = searched.cv_results_["iter"]
    # 27 candidates on 200 steps, the best 3 on all 1000
    assert np.sum(it == 0) == 24 and np.sum(it == 1) == 3
    ranks = searched.cv_results_["rank_test_score"]
    assert ranks[it == 1].max() < ranks[it == 0].min()  # the last rung ranks first


def test_halving_factor_three_is_the_former_schedule(monkeypatch):
    """ETA = SHRINK = 3 (the schedule study's '3/3/3'): 27 on a ninth, 9 on a third, 3 on all."""
    import sktemporal.reservoir._cv_search as search_module

    monkeypatch.setattr(search_module, "ETA", 3)
    monkeypatch.setattr(search_module, "SHRINK", 3)
    assert halving_sizes(27, 2000, 200) == [223, 667, 2000]
    assert [survivors_kept(c) for c in (27, 9)] == [9, 3]


def test_the_first_rung_outlasts_the_washout(series):
    """A rung's first training fold of TimeSeriesSplit(5) is longer than the washout: at least 6 x 51 steps."""
    X, y, _, _ = series
    est = ESNRegressorCV(20, washout=50, leak_rate=[0.5, 1.0], spectral_radius=[0.8, 1.1], input_scaling=[0.1, 0.3],
                         random_state=0).fit(X, y)
    assert sorted(set(est.cv_results_["n_resources"].tolist())) == [306, 1000]


def test_the_chosen_model_is_the_fixed_fit_of_its_reservoir(series, searched):
    X, y, X_test, _ = series
    fixed = ESNRegressorCV(30, washout=20, random_state=0, spectral_radius=searched.spectral_radius_,
                           leak_rate=searched.leak_rate_, input_scaling=searched.input_scaling_).fit(X, y)
    assert fixed.alpha_ == searched.alpha_
    np.testing.assert_array_equal(fixed.coef_, searched.coef_)
    np.testing.assert_array_equal(fixed.predict(X_test), searched.predict(X_test))
    np.testing.assert_array_equal(fixed.generate(20), searched.generate(20))
    assert len(fixed.cv_results_["params"]) == 1 and fixed.best_index_ == 0


def test_the_states_run_with_the_chosen_leak_rate(series):
    X, y, X_test, _ = series
    listed = ESNRegressorCV(30, leak_rate=[0.3], spectral_radius=0.9, input_scaling=0.5, random_state=0).fit(X, y)
    fixed = ESNRegressorCV(30, leak_rate=0.3, spectral_radius=0.9, input_scaling=0.5, random_state=0).fit(X, y)
    assert listed.leak_rate_ == 0.3 and listed.get_params()["leak_rate"] == [0.3]
    np.testing.assert_array_equal(listed.predict(X_test), fixed.predict(X_test))
    np.testing.assert_array_equal(listed.generate(10), fixed.generate(10))


def _evaluation(params, fold_scores):
    return Evaluation(params, np.asarray(fold_scores, dtype=float)[:, None], 100, None, "")


def test_one_standard_error_rule_prefers_the_reference():
    near = dict(REFERENCE)
    far = {"spectral_radius": 0.5, "leak_rate": 0.2, "input_scaling": 3.0, "n_segments": 4}
    # far is best by 0.01, within one standard error (0.02 / sqrt(4)) of itself: near wins
    evals = [_evaluation(far, [0.81, 0.79, 0.83, 0.77]), _evaluation(near, [0.80, 0.78, 0.82, 0.76])]
    assert one_se_choice(evals) == 1
    assert one_se_choice(evals, use_rule=False) == 0
    # far better by more than a standard error: far wins
    evals[1] = _evaluation(near, [0.60, 0.58, 0.62, 0.56])
    assert one_se_choice(evals) == 0
    # the whole-sequence mean is the reference pooling
    segments = {**REFERENCE, "n_segments": 4}
    assert one_se_choice([_evaluation(segments, [0.81, 0.79, 0.83, 0.77]),
                          _evaluation(near, [0.80, 0.78, 0.82, 0.76])]) == 1


def test_candidate_lists_per_feature_rows_and_bad_values(series):
    X, y, _, _ = series
    X2 = np.column_stack([X, np.roll(X, 1)])
    est = ESNRegressorCV(20, input_scaling=[[0.5, 1.0], [0.2, 0.2]], leak_rate=1.0, spectral_radius=0.9,
                         random_state=0).fit(X2[:400], y[:400])
    assert isinstance(est.input_scaling_, np.ndarray) and est.input_scaling_.shape == (2,)
    assert len(est.cv_results_["params"]) == 2
    for params, match in (({"leak_rate": [0.5, 2.0]}, "leak_rate must be a number, 'auto' or a non-empty 1-D"),
                          ({"spectral_radius": []}, "spectral_radius must be"),
                          ({"input_scaling": [[[1.0]]]}, "input_scaling must be")):
        with pytest.raises(ValueError, match=match):
            ESNRegressorCV(20, **params).fit(X[:200], y[:200])
    with pytest.raises(ValueError, match="The 'spectral_radius' parameter of ESNRegressorCV"):
        ESNRegressorCV(20, spectral_radius="big").fit(X[:200], y[:200])


def test_classifier_auto_is_the_reference_and_lists_search():
    X, y = make_sequence_classification(90, n_classes=3, random_state=0)
    clf = ESNClassifierCV(30, random_state=0).fit(X, y)
    assert (clf.spectral_radius_, clf.leak_rate_, clf.input_scaling_) == (0.97, 1.0, 0.7)
    assert clf.cv_results_["param_n_segments"].tolist() == [1, 4] and clf.n_segments_ in (1, 4)
    assert clf.coef_.shape[1] == clf.n_segments_ * (30 + X[0].shape[1])
    clf = ESNClassifierCV(30, leak_rate=[0.3, 1.0], input_scaling=[0.3, 1.0], n_segments=1,
                          random_state=0).fit(X, y)
    assert len(clf.cv_results_["params"]) == 4 and set(clf.cv_results_["iter"]) == {0}  # too few to halve
    assert clf.leak_rate_ in (0.3, 1.0)


def test_n_jobs_gives_the_serial_search(series):
    X, y, X_test, _ = series
    params = dict(n_reservoir=20, spectral_radius=[0.8, 1.1], leak_rate=[0.5, 1.0], input_scaling=0.3,
                  random_state=0)
    serial = ESNRegressorCV(**params).fit(X, y)
    parallel = ESNRegressorCV(**params, n_jobs=2).fit(X, y)
    _same_search(serial, parallel)
    np.testing.assert_array_equal(parallel.predict(X_test), serial.predict(X_test))


def _same_search(a, b):
    assert a.best_index_ == b.best_index_ and a.alpha_ == b.alpha_
    assert (a.spectral_radius_, a.leak_rate_, a.input_scaling_) == (b.spectral_radius_, b.leak_rate_,
                                                                     b.input_scaling_)
    np.testing.assert_allclose(b.cv_results_["mean_test_score"], a.cv_results_["mean_test_score"],
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(b.best_score_, a.best_score_, rtol=0, atol=1e-12)


def test_the_search_under_joblibs_dask_backend(series):
    """The candidates dispatched to a 2-worker cluster: the serial result, scores to 1e-12."""
    distributed = pytest.importorskip("distributed")
    import joblib

    X, y, X_test, _ = series
    serial = ESNRegressorCV(30, washout=20, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "Port 8787 is already in use"
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address=None, worker_dashboard_address=None)
    with cluster, distributed.Client(cluster):
        with joblib.parallel_backend("dask"):
            remote = ESNRegressorCV(30, washout=20, random_state=0).fit(X, y)
    _same_search(serial, remote)
    np.testing.assert_allclose(remote.predict(X_test), serial.predict(X_test), rtol=0, atol=1e-12)


@pytest.mark.parametrize("cls", [ESNRegressorCV, ESNClassifierCV])
def test_check_estimator_at_the_defaults(cls):
    """scikit-learn's checks on the estimator exactly as constructed by a user (the search included)."""
    check_estimator(cls(random_state=0), expected_failed_checks=XFAIL_CHECKS.get(cls.__name__, {}))
