"""Dask: searches on a cluster, and echo state networks fitted on dask arrays chunk by chunk.

One 2-worker LocalCluster (processes, one thread each) serves the whole module; every
test that needs dask skips cleanly without it.
"""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import Ridge
from sklearn.model_selection import (
    GridSearchCV,
    HalvingRandomSearchCV,
    RandomizedSearchCV,
    TimeSeriesSplit,
)
from sklearn.pipeline import make_pipeline

from sktemporal._parallel._jobs import local_n_jobs
from sktemporal.datasets import mackey_glass, make_sequence_classification
from sktemporal.neural_network import (
    GRURegressor,
    LSTMClassifier,
    RNNRegressor,
    TDNNRegressor,
)
from sktemporal.preprocessing import DelayEmbedding, GammaMemory
from sktemporal.reservoir import ESNClassifier, ESNRegressor, Reservoir, auto_overlap, measure_overlap
from sktemporal.reservoir._readout import RidgeReadout
from sktemporal.utils._dask import is_dask_array

from _helpers import modules_loaded_by


# ----------------------------------------------------------------------------------
# without dask
# ----------------------------------------------------------------------------------
def test_importing_sktemporal_never_imports_dask():
    """The package and its estimators import, fit and predict without loading dask."""
    code = (
        "import numpy as np, sktemporal\n"
        "from sktemporal.reservoir import ESNRegressor\n"
        "X = np.random.RandomState(0).rand(50, 2)\n"
        "ESNRegressor(n_reservoir=10, random_state=0).fit(X, X[:, 0]).predict(X)\n"
    )
    assert modules_loaded_by(code, ("dask", "distributed")) == []


def test_local_n_jobs_outside_dask_follows_joblib():
    from joblib import cpu_count

    assert local_n_jobs(None) == 1
    assert local_n_jobs(2) == 2
    assert local_n_jobs(-1) == cpu_count()
    assert not is_dask_array(np.zeros(3))


def test_auto_overlap_from_the_decay_rate():
    q = 1 - 0.3 * (1 - 0.9)
    k = auto_overlap(0.3, 0.9)
    assert q**k <= 1e-12 < q ** (k - 1)
    assert auto_overlap(1.0, 0.5, washout=500) == 500
    with pytest.raises(ValueError, match="spectral_radius=1.0"):
        auto_overlap(0.5, 1.0)


def test_readout_merge_checks_shapes():
    with pytest.raises(ValueError, match=r"cannot merge readout sums of shapes \(4, 1\) into \(3, 1\)"):
        RidgeReadout(3, 1, alpha=1.0).merge(RidgeReadout(4, 1, alpha=1.0))


def test_overlap_parameter_is_checked():
    X, y = mackey_glass(300, random_state=0)
    with pytest.raises(ValueError, match=r"The 'overlap' parameter of ESNRegressor must be .*Got -1 instead"):
        ESNRegressor(overlap=-1).fit(X, y)


# ----------------------------------------------------------------------------------
# the cluster
# ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client():
    pytest.importorskip("dask.array")
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "Port 8787 is already in use"
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address=None, worker_dashboard_address=None)
    with cluster, distributed.Client(cluster) as c:
        yield c


def _probe():
    from joblib import effective_n_jobs

    return effective_n_jobs(None), local_n_jobs(None), local_n_jobs(-1)


def test_networks_use_one_process_per_task_inside_dask_workers(client):
    """joblib counts the whole cluster inside a dask task; the networks' n_jobs counts the worker.

    Under ``parallel_config(backend="dask")`` a task's nested backend is the dask backend,
    so ``effective_n_jobs(None)`` is the cluster's thread count (2 here, 100 on a
    100-thread cluster): a network resolving its ``n_jobs`` that way would start that
    many processes per fit.  ``local_n_jobs`` gives one process, and ``-1`` the worker's
    single thread.
    """
    from joblib import Parallel, delayed, parallel_config

    with parallel_config(backend="dask"):
        out = Parallel(n_jobs=2)(delayed(_probe)() for _ in range(2))
        assert local_n_jobs(None) == 1  # the client, under the dask backend
    assert out == [(2, 1, 1), (2, 1, 1)]


def _series(n=240):
    X, y = mackey_glass(n, random_state=0)
    return X, y


def _collection(n=24):
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(rng.randint(5, 12), 2)) for _ in range(n)]
    return X, np.array([x[:, 0].sum() for x in X])


SEARCHES = {
    "delay line + Ridge, grid": lambda: (
        GridSearchCV(make_pipeline(DelayEmbedding(delays=3), Ridge()),
                     {"delayembedding__delays": [2, 4], "ridge__alpha": [1e-3, 1.0]},
                     cv=TimeSeriesSplit(3)), _series()),
    "gamma memory + Ridge, grid": lambda: (
        GridSearchCV(make_pipeline(GammaMemory(order=3), Ridge()), {"gammamemory__mu": [0.3, 0.8]},
                     cv=TimeSeriesSplit(3)), _series()),
    "ESN, grid": lambda: (
        GridSearchCV(ESNRegressor(n_reservoir=30, random_state=0),
                     {"leak_rate": [0.3, 1.0], "alpha": [1e-6, 1e-2]}, cv=TimeSeriesSplit(3)), _series()),
    "ESN classifier on a collection, grid": lambda: (
        GridSearchCV(ESNClassifier(n_reservoir=30, random_state=0), {"pooling": ["last", "mean"]}, cv=3),
        make_sequence_classification(30, n_classes=2, random_state=0)),
    "TDNN, randomized": lambda: (
        RandomizedSearchCV(TDNNRegressor((4,), delays=2, max_iter=20, random_state=0),
                           {"alpha": [1e-4, 1e-2, 1.0], "learning_rate_init": [1e-3, 1e-2]},
                           n_iter=3, cv=TimeSeriesSplit(2), random_state=0), _series()),
    "Elman RNN, randomized": lambda: (
        RandomizedSearchCV(RNNRegressor((4,), max_iter=3, random_state=0),
                           {"hidden_layer_sizes": [(3,), (5,)], "alpha": [1e-4, 1e-1]},
                           n_iter=2, cv=TimeSeriesSplit(2), random_state=0), _series()),
    "LSTM classifier, halving": lambda: (
        HalvingRandomSearchCV(LSTMClassifier((3,), max_iter=3, random_state=0),
                              {"hidden_layer_sizes": [(2,), (4,)], "alpha": [1e-4, 1e-1]},
                              n_candidates=4, factor=2, min_resources=12, cv=2, random_state=0),
        make_sequence_classification(32, n_classes=2, random_state=0)),
    "GRU many-to-one, halving": lambda: (
        HalvingRandomSearchCV(GRURegressor((3,), max_iter=3, random_state=0),
                              {"alpha": [1e-4, 1e-2, 1.0], "learning_rate_init": [1e-3, 1e-2]},
                              n_candidates=3, factor=3, min_resources=8, cv=2, random_state=0),
        _collection()),
}


@pytest.mark.parametrize("case", list(SEARCHES))
def test_search_on_the_cluster_matches_serial(client, case):
    """joblib's dask backend: the same best_params_ and the same scores as a serial search."""
    from joblib import parallel_config

    search, (X, y) = SEARCHES[case]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        serial = clone(search).fit(X, y)
        with parallel_config(backend="dask"):
            remote = clone(search).set_params(n_jobs=-1).fit(X, y)
    assert remote.best_params_ == serial.best_params_
    np.testing.assert_allclose(remote.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"],
                               rtol=1e-9, atol=1e-12)
    assert remote.best_score_ == pytest.approx(serial.best_score_, rel=1e-9)


# ----------------------------------------------------------------------------------
# echo state networks on dask arrays
# ----------------------------------------------------------------------------------
MG = dict(n_reservoir=100, leak_rate=0.3, spectral_radius=0.9, washout=50, random_state=0)


@pytest.fixture(scope="module")
def mg():
    X, y = mackey_glass(4000, random_state=0)
    return X[:3000], y[:3000], X[3000:], y[3000:]


def test_series_fit_within_1e6_of_in_memory_at_the_default_overlap(client, mg):
    """Chunks of 700 steps warmed up on overlap='auto' (the measured forgetting length):
    predictions of the dask fit within 1e-6 of the in-memory fit, and
    ``predict`` on a dask array returns a dask array with the in-memory values."""
    import dask.array as da

    X, y, X_test, _ = mg
    ref = ESNRegressor(**MG).fit(X, y)
    est = ESNRegressor(**MG).fit(da.from_array(X, chunks=(700, 1)), da.from_array(y, chunks=700))
    np.testing.assert_allclose(est.predict(X_test), ref.predict(X_test), rtol=0, atol=1e-6)
    np.testing.assert_allclose(est.last_state_, ref.last_state_, rtol=0, atol=1e-10)
    pred = est.predict(da.from_array(X_test, chunks=(400, 1)))
    assert is_dask_array(pred) and pred.shape == (1000,)
    np.testing.assert_allclose(pred.compute(), ref.predict(X_test), rtol=0, atol=1e-6)


def test_long_chunks_run_as_pieces_side_by_side(client):
    """A chunk much longer than the overlap is cut into pieces run as one batch (each warmed
    up like a chunk): same bound, 1e-6 of the in-memory fit, exact end state."""
    import dask.array as da

    from sktemporal.reservoir._dask import _pieces

    X, y = mackey_glass(7000, random_state=0)
    params = dict(n_reservoir=60, leak_rate=1.0, spectral_radius=0.5, washout=50, random_state=0)
    assert len(_pieces(3000, 0, auto_overlap(1.0, 0.5))) == 10  # 9 pieces of 333 steps
    ref = ESNRegressor(**params).fit(X[:6000], y[:6000])
    est = ESNRegressor(**params).fit(da.from_array(X[:6000], chunks=(3000, 1)), da.from_array(y[:6000], chunks=3000))
    np.testing.assert_allclose(est.predict(X[6000:]), ref.predict(X[6000:]), rtol=0, atol=1e-6)
    np.testing.assert_allclose(est.last_state_, ref.last_state_, rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def mg_jaeger():
    """Standardized Mackey–Glass: 3000 steps to fit, 1000 held out (Jaeger's reservoir below)."""
    X, y = mackey_glass(4000, random_state=0)
    m, s = X[:3000].mean(), X[:3000].std()
    return (X - m) / s, (y - m) / s


JAEGER = dict(n_reservoir=300, spectral_radius=1.25, leak_rate=0.3, alpha=1e-8, washout=100, random_state=0)


def test_auto_overlap_is_measured_above_spectral_radius_one(client, mg_jaeger):
    """Spectral radius 1.25: no linear bound, but the tanh reservoir forgets; the measured
    overlap lets chunks of 1000 steps run in parallel within 1e-6 of the in-memory fit."""
    import dask.array as da

    X, y = mg_jaeger
    ref = ESNRegressor(**JAEGER).fit(X[:3000], y[:3000])
    est = ESNRegressor(**JAEGER).fit(da.from_array(X[:3000], chunks=(1000, 1)),
                                     da.from_array(y[:3000], chunks=1000))
    assert 100 <= est.overlap_ < 1000  # measured (at least the washout), shorter than a chunk
    assert est.overlap_ == measure_overlap(ref, X[:3000])
    np.testing.assert_allclose(est.predict(X[3000:]), ref.predict(X[3000:]), rtol=0, atol=1e-6)
    np.testing.assert_allclose(est.last_state_, ref.last_state_, rtol=0, atol=1e-9)
    # the chunks still run side by side: one task per chunk, none waiting on another's output
    Xd = da.from_array(X[3000:], chunks=(250, 1))
    pred = est.predict(Xd)
    assert pred.numblocks == (4,)
    np.testing.assert_allclose(pred.compute(), ref.predict(X[3000:]), rtol=0, atol=1e-6)


def test_measured_overlap_follows_the_tolerance_and_bound(mg_jaeger):
    X, y = mg_jaeger
    est = ESNRegressor(**{**JAEGER, "washout": 0}).fit(X[:3000], y[:3000])
    lengths = [measure_overlap(est, X[:3000], tol=tol) for tol in (1e-6, 1e-9, 1e-12)]
    assert lengths == sorted(lengths) and lengths[0] < lengths[-1]
    with pytest.raises(ValueError, match=r"within 200 steps \(max_overlap=200\).*still differ by [0-9.e-]+ relative"):
        measure_overlap(est, X[:3000], max_overlap=200)
    # a series shorter than the bound that is not forgotten within it: every chunk runs from its start
    assert measure_overlap(est, X[:150]) == 150
    # a reservoir that forgets fast gives a short overlap, and the washout is a floor
    fast = ESNRegressor(n_reservoir=50, spectral_radius=0.3, random_state=0, washout=5).fit(X[:500], y[:500])
    assert measure_overlap(fast, X[:500]) < 60
    assert measure_overlap(ESNRegressor(**{**fast.get_params(), "washout": 400}).fit(X[:500], y[:500]),
                           X[:500]) == 400


def test_series_error_decays_with_the_overlap(mg):
    """The difference from the in-memory fit falls with the overlap, as q**overlap does."""
    import dask
    import dask.array as da

    X, y, X_test, _ = mg
    Xd, yd = da.from_array(X, chunks=(500, 1)), da.from_array(y, chunks=500)
    ref = ESNRegressor(**MG).fit(X, y).predict(X_test)
    errors = []
    with dask.config.set(scheduler="synchronous"):
        for overlap in (0, 20, 100, 400):
            est = ESNRegressor(**MG, overlap=overlap).fit(Xd, yd)
            errors.append(np.abs(est.predict(X_test) - ref).max())
    assert errors[0] > 1e-3  # chunks started cold
    assert all(b < a for a, b in zip(errors, errors[1:])), errors
    assert errors[-1] < 1e-6


def test_partial_fit_chunk_after_chunk(client, mg):
    """A series fed in dask pieces (and then a numpy piece) continues exactly: the first
    chunk of each call starts from the state where the previous call ended."""
    import dask.array as da

    X, y, X_test, _ = mg
    ref = ESNRegressor(**MG).fit(X, y)
    est = ESNRegressor(**MG)
    for a, b in ((0, 1200), (1200, 2500)):
        est.partial_fit(da.from_array(X[a:b], chunks=(600, 1)), da.from_array(y[a:b], chunks=600))
    est.partial_fit(X[2500:], y[2500:])
    np.testing.assert_allclose(est.predict(X_test), ref.predict(X_test), rtol=0, atol=1e-6)


def test_series_with_feedback_and_float32(client, mg):
    import dask.array as da

    X, y, X_test, _ = mg
    params = dict(MG, feedback=True, feedback_scaling=0.1)
    ref = ESNRegressor(**params).fit(X, y)
    Xd = da.from_array(X.astype(np.float32), chunks=(1000, 1))
    est = ESNRegressor(**params).fit(Xd, da.from_array(y.astype(np.float32), chunks=1000))
    assert est.coef_.dtype == np.float32
    np.testing.assert_allclose(est.predict(X_test), ref.predict(X_test), rtol=0, atol=1e-3)


def test_series_float32_block_sums_on_the_chunks(client, mg):
    """A penalty that absorbs the float32 rounding: the chunks' float32 block sums (each chunk told
    the rows of the whole series) merge into the in-memory float32 sums, to float32 precision."""
    import dask.array as da

    X, y, X_test, _ = mg
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    params = dict(MG, alpha=10.0, overlap=300)
    ref = ESNRegressor(**params).fit(X32, y32)
    est = ESNRegressor(**params).fit(da.from_array(X32, chunks=(1000, 1)), da.from_array(y32, chunks=1000))
    assert est.coef_.dtype == np.float32 and est._readout.n == ref._readout.n
    for name in ("G", "C", "sum_z"):
        got, want = getattr(est._readout, name), getattr(ref._readout, name)
        assert np.linalg.norm(got - want) <= 1e-6 * np.linalg.norm(want), name
    np.testing.assert_allclose(est.predict(X_test.astype(np.float32)), ref.predict(X_test.astype(np.float32)),
                               rtol=0, atol=1e-5)


def test_float32_chunks_sum_in_float32_blocks(mg, float32_rows):
    """The chunk tasks (run here by dask's synchronous scheduler) take the float32 path when the whole
    series allows it, and the float64 path at a small penalty."""
    dask = pytest.importorskip("dask")
    import dask.array as da

    X, y, _, _ = mg
    X32, y32 = da.from_array(X.astype(np.float32), chunks=(1000, 1)), da.from_array(y.astype(np.float32), chunks=1000)
    with dask.config.set(scheduler="synchronous"):
        ESNRegressor(**MG, alpha=1e-8, overlap=300).fit(X32, y32)
        assert not float32_rows
        ESNRegressor(**MG, alpha=10.0, overlap=300).fit(X32, y32)
    assert sum(float32_rows) == X.shape[0] - MG["washout"]


def test_rls_streams_the_chunks_in_order(client, mg):
    import dask.array as da

    X, y, X_test, _ = mg
    ref = ESNRegressor(**MG, solver="rls", alpha=1e-3).fit(X[:1500], y[:1500])
    est = ESNRegressor(**MG, solver="rls", alpha=1e-3).fit(da.from_array(X[:1500], chunks=(500, 1)), y[:1500])
    np.testing.assert_allclose(est.predict(X_test), ref.predict(X_test), rtol=0, atol=1e-8)
    # with a scaler: its statistics from all the chunks, as in memory, not from the first one
    params = dict(MG, solver="rls", alpha=1e-3, scaler="standard")
    ref = ESNRegressor(**params).fit(X[:1500], y[:1500])
    est = ESNRegressor(**params).fit(da.from_array(X[:1500], chunks=(500, 1)), y[:1500])
    np.testing.assert_allclose(est.input_center_, ref.input_center_, rtol=1e-12)
    # statistics equal up to the rounding of another summation order, which RLS amplifies (8e-8 seen)
    np.testing.assert_allclose(est.predict(X_test), ref.predict(X_test), rtol=0, atol=1e-6)


def test_collections_are_exact(client):
    """Sequences are independent: a collection chunked along sequences fits as in memory."""
    import dask.array as da

    X, y = make_sequence_classification(90, n_classes=3, n_features=3, min_length=15, max_length=15,
                                        random_state=0)
    X = np.asarray(X)
    Xd = da.from_array(X, chunks=(20, 15, 3))
    ref = ESNClassifier(n_reservoir=40, pooling="mean", washout=3, random_state=0).fit(X, y)
    est = ESNClassifier(n_reservoir=40, pooling="mean", washout=3, random_state=0).fit(Xd, da.from_array(y, 20))
    np.testing.assert_array_equal(est.classes_, ref.classes_)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-7, atol=1e-9)
    proba = est.predict_proba(Xd)
    assert is_dask_array(proba) and proba.shape == (90, 3)
    np.testing.assert_allclose(proba.compute(), ref.predict_proba(X), atol=1e-9)
    np.testing.assert_array_equal(est.predict(Xd).compute(), ref.predict(X))

    # a target per step of a collection
    Y = np.cumsum(X[:, :, 0], axis=1)
    ref = ESNRegressor(n_reservoir=40, random_state=0).fit(X, Y)
    est = ESNRegressor(n_reservoir=40, random_state=0).fit(Xd, Y)
    pred = est.predict(Xd)
    assert pred.shape == (90, 15)
    np.testing.assert_allclose(pred.compute(), ref.predict(X), rtol=0, atol=1e-8)


def test_reservoir_transform(client, mg):
    import dask.array as da

    X = mg[0]
    Xd = da.from_array(X, chunks=(1000, 1))
    params = dict(n_reservoir=50, leak_rate=0.3, include_input=True, initial_state="continue", random_state=0)
    ref = Reservoir(**params).fit(X)
    res = Reservoir(**params).fit(Xd)
    np.testing.assert_allclose(res.last_state_, ref.last_state_, atol=1e-10)
    states = res.transform(Xd)
    assert is_dask_array(states) and states.shape == (3000, 51)
    np.testing.assert_allclose(states.compute(), ref.transform(X), atol=1e-10)
    C = np.random.RandomState(0).normal(size=(12, 6, 2))
    pooled = Reservoir(n_reservoir=20, pooling="both", random_state=0).fit(da.from_array(C, chunks=(5, 6, 2)))
    expected = Reservoir(n_reservoir=20, pooling="both", random_state=0).fit(C).transform(C)
    np.testing.assert_allclose(pooled.transform(da.from_array(C, chunks=(5, 6, 2))).compute(), expected, atol=1e-12)


def test_a_failed_fit_leaves_the_model_unchanged(client, mg):
    import dask.array as da

    X, y, X_test, _ = mg
    est = ESNRegressor(**MG).fit(X[:1000], y[:1000])
    before = est.predict(X_test)
    bad = X[1000:2000].copy()
    bad[700] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.partial_fit(da.from_array(bad, chunks=(300, 1)), y[1000:2000])
    np.testing.assert_array_equal(est.predict(X_test), before)


def test_dask_input_errors(client, mg):
    import dask.array as da

    X, y, _, _ = mg
    with pytest.raises(ValueError, match="1-D dask array"):
        ESNRegressor().fit(da.from_array(y, chunks=500), y)
    with pytest.raises(ValueError, match="X has 3000 time steps, y has 2999"):
        ESNRegressor().fit(da.from_array(X, chunks=(500, 1)), y[:-1])
    # a reservoir that does not forget (a tiny drive cannot saturate units of radius 3)
    chaotic = ESNRegressor(n_reservoir=50, spectral_radius=3.0, input_scaling=1e-3, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"does not forget its initial state within 1000 steps.*still differ by "):
        measure_overlap(chaotic, da.from_array(X, chunks=(500, 1)), max_overlap=1000)
    est = ESNRegressor(n_reservoir=10, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features"):
        est.predict(da.from_array(np.hstack([X, X]), chunks=(500, 2)))


def test_standard_scaler_statistics_come_from_every_chunk(client, mg):
    """scaler='standard': mean and standard deviation reduced on the cluster from all the
    chunks (not from the head the client validates), folded into W_in as in memory."""
    import dask.array as da

    X, y, X_test, _ = mg
    X = 3.0 * X + 10.0  # an offset and a scale the scaler must remove
    params = dict(MG, scaler="standard")
    ref = ESNRegressor(**params).fit(X, y)
    est = ESNRegressor(**params).fit(da.from_array(X, chunks=(700, 1)), da.from_array(y, chunks=700))
    np.testing.assert_allclose(est.input_center_, ref.input_center_, rtol=1e-12)
    np.testing.assert_allclose(est.input_scale_, ref.input_scale_, rtol=1e-10)
    np.testing.assert_allclose(est.input_weights_, ref.input_weights_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(est.predict(3.0 * X_test + 10.0), ref.predict(3.0 * X_test + 10.0),
                               rtol=0, atol=1e-6)

    # a NaN-padded collection: the padding is left out of the statistics, as in memory
    rng = np.random.RandomState(0)
    C = np.full((12, 8, 2), np.nan)
    for i, t in enumerate(rng.randint(4, 9, size=12)):
        C[i, :t] = rng.normal(5.0, 2.0, size=(t, 2))
    res = Reservoir(n_reservoir=20, pooling="mean", scaler="standard", random_state=0)
    ref = clone(res).fit(C)
    res.fit(da.from_array(C, chunks=(5, 8, 2)))
    np.testing.assert_allclose(res.input_center_, ref.input_center_, rtol=1e-12)
    np.testing.assert_allclose(res.input_scale_, ref.input_scale_, rtol=1e-10)
    np.testing.assert_allclose(res.transform(da.from_array(C, chunks=(5, 8, 2))).compute(), ref.transform(C),
                               atol=1e-10)


def test_robust_scaler_is_not_available_on_dask_and_changes_nothing(client, mg):
    import dask.array as da

    X, y, X_test, _ = mg
    Xd, yd = da.from_array(X, chunks=(700, 1)), da.from_array(y, chunks=700)
    est = ESNRegressor(**MG, scaler="robust")
    with pytest.raises(NotImplementedError, match="scaler='robust' is not available for dask arrays"):
        est.fit(Xd, yd)
    assert not hasattr(est, "coef_") and not hasattr(est, "reservoir_weights_")
    est.fit(X, y)  # in memory it works; a failed dask refit keeps that model
    before = est.predict(X_test)
    with pytest.raises(NotImplementedError, match="scaler='robust'"):
        est.fit(Xd, yd)
    np.testing.assert_array_equal(est.predict(X_test), before)
    with pytest.raises(NotImplementedError, match="scaler='robust'"):
        Reservoir(scaler="robust").fit(Xd)


def _same_search(a, b, rtol=1e-6):
    """Two fitted CV estimators chose the same penalty with the same scores (to ``rtol``)."""
    assert a.alpha_ == b.alpha_ and a.n_splits_ == b.n_splits_ and b.single_pass_
    np.testing.assert_allclose(b.best_score_, a.best_score_, rtol=rtol)
    np.testing.assert_allclose(b.cv_results_["mean_test_score"], a.cv_results_["mean_test_score"],
                               rtol=rtol, atol=1e-12)
    np.testing.assert_array_equal(b.cv_results_["rank_test_score"], a.cv_results_["rank_test_score"])
    np.testing.assert_allclose(b.alpha_results_["mean_test_score"], a.alpha_results_["mean_test_score"],
                               rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("scoring", [None, "neg_root_mean_squared_error", "neg_mean_absolute_error",
                                     "explained_variance"])
def test_cv_on_a_series_matches_in_memory(client, mg, scoring):
    """ESNRegressorCV on a chunked series (chunks not aligned with the TimeSeriesSplit folds): the
    same alpha_, scores and model as the in-memory fit, for scorers reduced on the cluster and
    for one computed on the client (explained_variance), and predict on dask.  Scores agree to
    1e-5: the sums are added in another order.  The penalties stop at 1e-8: at 1e-10 the
    readout's normal equations are conditioned around 1e10 and the fold scores of any exact
    solver (tridiagonal, eigendecomposition, Cholesky) differ from GridSearchCV's fold-by-fold
    fits by about 1e-4 relative on these data, rounding that says nothing about the cluster."""
    import dask.array as da

    from sktemporal.reservoir import ESNRegressorCV

    X, y, X_test, _ = mg
    params = dict(MG, alphas=[1e-8, 1e-6, 1e-4, 1e-2, 1.0], scoring=scoring)
    ref = ESNRegressorCV(**params).fit(X, y)
    est = ESNRegressorCV(**params).fit(da.from_array(X, chunks=(700, 1)), da.from_array(y, chunks=700))
    _same_search(ref, est, rtol=1e-5)
    np.testing.assert_allclose(est.last_state_, ref.last_state_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(est.predict(X_test), ref.predict(X_test), rtol=0, atol=1e-5)
    pred = est.predict(da.from_array(X_test, chunks=(400, 1)))
    assert is_dask_array(pred)
    np.testing.assert_allclose(pred.compute(), est.predict(X_test), rtol=0, atol=1e-6)


def test_cv_on_collections_matches_in_memory(client):
    """Collections chunked along sequences, folds that cut across the chunks: per-step targets
    with NaN padding under a shuffled KFold (spectral radius 1.1), and a classifier with a label per sequence under
    its default StratifiedKFold (accuracy, and f1_macro scored on the client)."""
    import dask.array as da
    from sklearn.model_selection import KFold

    from sktemporal.reservoir import ESNClassifierCV, ESNRegressorCV

    X, _ = _collection(40)
    L = max(len(x) for x in X)
    pad = np.stack([np.vstack([x, np.full((L - len(x), 2), np.nan)]) for x in X])
    Y = np.cumsum(np.nan_to_num(pad[..., :1]), axis=1)
    # spectral radius above 1: no 'auto' overlap exists, and a collection needs none
    params = dict(n_reservoir=30, washout=2, spectral_radius=1.1, random_state=0,
                  cv=KFold(4, shuffle=True, random_state=0))
    ref = ESNRegressorCV(**params).fit(pad, Y)
    est = ESNRegressorCV(**params).fit(da.from_array(pad, chunks=(7, -1, -1)), da.from_array(Y, chunks=(7, -1, -1)))
    _same_search(ref, est)
    np.testing.assert_allclose(est.predict(pad), ref.predict(pad), rtol=0, atol=1e-8)

    Xc, yc = make_sequence_classification(120, n_classes=3, noise=1.5, random_state=0)
    L = max(len(x) for x in Xc)
    Xc = np.stack([np.vstack([x, np.full((L - len(x), x.shape[1]), np.nan)]) for x in Xc])
    for scoring in (None, "f1_macro"):
        params = dict(n_reservoir=10, random_state=0, scoring=scoring)
        ref = ESNClassifierCV(**params).fit(Xc, yc)
        est = ESNClassifierCV(**params).fit(da.from_array(Xc, chunks=(25, -1, -1)), yc)
        _same_search(ref, est)
        assert len(set(ref.alpha_results_["mean_test_score"])) > 1  # the penalties are told apart
        np.testing.assert_array_equal(est.predict(Xc), ref.predict(Xc))


def test_cv_on_dask_needs_the_single_pass_and_keeps_a_failed_fit_out(client, mg):
    """A series under a splitter that is not an expanding window has no single pass on a
    cluster: a NotImplementedError saying what works, and the fitted model stays intact."""
    import dask.array as da
    from sklearn.model_selection import KFold

    from sktemporal.reservoir import ESNRegressorCV

    X, y, X_test, _ = mg
    Xd, yd = da.from_array(X, chunks=(700, 1)), da.from_array(y, chunks=700)
    cv = ESNRegressorCV(**MG, alphas=[1e-8, 1e-4], cv=3).fit(Xd, yd)
    before = cv.predict(X_test)
    cv.set_params(cv=KFold(3))
    with pytest.raises(NotImplementedError, match=r"expanding-window splitter.*Compute X and y"):
        cv.fit(Xd, yd)
    np.testing.assert_array_equal(cv.predict(X_test), before)
    assert cv.n_splits_ == 3


def test_score_on_dask_is_reduced_on_the_cluster(client, mg):
    """``score`` on dask arrays equals the in-memory score (R² of a series continuing the fit,
    accuracy of a collection), from per-chunk sums; with sample_weight it still works (the
    predictions are gathered)."""
    import dask.array as da

    X, y, X_test, y_test = mg
    est = ESNRegressor(**MG).fit(X, y)
    Xd, yd = da.from_array(X_test, chunks=(300, 1)), da.from_array(y_test, chunks=300)
    np.testing.assert_allclose(est.score(Xd, yd), est.score(X_test, y_test), rtol=1e-9)
    w = np.linspace(0.5, 1.5, len(y_test))
    np.testing.assert_allclose(est.score(Xd, yd, sample_weight=w), est.score(X_test, y_test, sample_weight=w),
                               rtol=1e-9)
    Xc, yc = make_sequence_classification(90, n_classes=3, noise=1.5, random_state=0)
    L = max(len(x) for x in Xc)
    Xc = np.stack([np.vstack([x, np.full((L - len(x), x.shape[1]), np.nan)]) for x in Xc])
    clf = ESNClassifier(n_reservoir=10, random_state=0).fit(Xc[:60], yc[:60])
    expected = clf.score(Xc[60:], yc[60:])
    assert 0 < expected < 1
    assert clf.score(da.from_array(Xc[60:], chunks=(7, -1, -1)), yc[60:]) == expected
