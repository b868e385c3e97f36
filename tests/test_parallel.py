"""n_jobs: minibatches split across worker processes train as the serial loop does."""

import os
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sktemporal.neural_network import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
    _gradients,
)

pytestmark = pytest.mark.skipif(os.name != "posix", reason="worker processes need a POSIX system")


def ragged(rng, n=24, low=4, high=13, n_features=2):
    return [rng.normal(size=(rng.randint(low, high), n_features)) for _ in range(n)]


def fit_both(est, X, y):
    """Loss curves and parameters of the serial and the 2-process fit."""
    out = []
    for n_jobs in (None, 2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = clone(est).set_params(n_jobs=n_jobs).fit(X, y)
        out.append(model)
    return out


CASES = {
    "lstm many-to-one ragged": lambda rng: (
        LSTMRegressor((6,), batch_size=8, max_iter=4, random_state=0), ragged(rng), rng.normal(size=24)),
    "gru per step, stacked": lambda rng: (
        GRURegressor((5, 4), batch_size=8, max_iter=3, random_state=0), ragged(rng),
        None),
    "lstm bidirectional classifier": lambda rng: (
        LSTMClassifier((4,), bidirectional=True, batch_size=12, max_iter=3, random_state=0), ragged(rng),
        rng.randint(0, 3, size=24)),
    "gru classifier lbfgs": lambda rng: (
        GRUClassifier((4,), solver="lbfgs", batch_size=8, max_iter=5, random_state=0), ragged(rng),
        rng.randint(0, 2, size=24)),
    "elman truncated bptt, series": lambda rng: (
        RNNRegressor((5,), bptt_steps=7, batch_size=6, max_iter=3, random_state=0),
        rng.normal(size=(200, 1)), None),
    "lstm truncated bptt, ragged (parts with different chunk counts)": lambda rng: (
        LSTMRegressor((5,), bptt_steps=3, batch_size=8, max_iter=3, random_state=0), ragged(rng, low=2, high=15),
        None),
    "gru truncated bptt, many-to-one ragged": lambda rng: (
        GRURegressor((5,), bptt_steps=4, batch_size=8, max_iter=3, random_state=0), ragged(rng, low=2, high=15),
        rng.normal(size=24)),
    "jordan teacher forcing sgd": lambda rng: (
        RNNRegressor((5,), cell="jordan", solver="sgd", batch_size=8, max_iter=3, random_state=0),
        ragged(rng, n_features=1), None),
    "elman classifier per step": lambda rng: (
        RNNClassifier((5,), batch_size=8, max_iter=3, random_state=0), ragged(rng), "labels"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_two_processes_follow_the_serial_trajectory(case):
    rng = np.random.RandomState(0)
    est, X, y = CASES[case](rng)
    if y is None:  # a target per step
        y = [np.tanh(x[:, :1]).ravel() + 0.1 * np.cumsum(x[:, 0]) for x in X] if isinstance(X, list) \
            else np.sin(np.cumsum(X[:, 0]) / 10)
    elif isinstance(y, str):
        y = [(x[:, 0] > 0).astype(int) for x in X]
    serial, split = fit_both(est, X, y)
    np.testing.assert_allclose(split.loss_curve_, serial.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(split.params_, serial.params_, rtol=1e-7, atol=1e-10)
    X_new = X[:5] if isinstance(X, list) else X
    for a, b in zip(split.predict(X_new), serial.predict(X_new)):  # ragged predictions per step
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)


def test_float32_and_more_jobs_than_sequences():
    rng = np.random.RandomState(1)
    X = rng.uniform(-1, 1, size=(5, 12, 1)).astype(np.float32)
    y = X[:, -3:, 0].sum(axis=1)
    serial, split = fit_both(LSTMRegressor((4,), max_iter=3, random_state=0), X, y)
    assert split.params_.dtype == np.float32
    np.testing.assert_allclose(split.loss_curve_, serial.loss_curve_, rtol=1e-5)
    # more processes asked for than there are sequences in a minibatch: parts are never empty
    model = LSTMRegressor((4,), batch_size=2, max_iter=2, random_state=0, n_jobs=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert np.isfinite(model.loss_curve_).all()


def test_partial_fit_warm_start_and_pickle():
    rng = np.random.RandomState(2)
    X, y = ragged(rng, n=16), rng.normal(size=16)
    a = GRURegressor((4,), batch_size=8, random_state=0, n_jobs=2)
    b = GRURegressor((4,), batch_size=8, random_state=0)
    for _ in range(3):
        a.partial_fit(X, y)
        b.partial_fit(X, y)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-9)
    restored = pickle.loads(pickle.dumps(a))  # no handle on the workers is kept
    np.testing.assert_allclose(restored.predict(X), a.predict(X))


@pytest.mark.parametrize("n_jobs", [0, 1.5, True, "2"])
def test_invalid_n_jobs(n_jobs):
    X, y = np.zeros((3, 5, 1)), np.zeros(3)
    with pytest.raises(ValueError, match=r"The 'n_jobs' parameter of LSTMRegressor must be an int in the range "
                                         r"\(-inf, -1\], an int in the range \[1, inf\) or None. "
                                         r"Got .* -1 means all CPUs"):
        LSTMRegressor((2,), n_jobs=n_jobs).fit(X, y)


def test_a_dead_worker_is_reported_and_replaced():
    rng = np.random.RandomState(3)
    X, y = ragged(rng, n=16), rng.normal(size=16)
    est = LSTMRegressor((3,), batch_size=16, max_iter=2, random_state=0, n_jobs=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)  # leaves an idle worker in the pool
        assert _gradients._POOL.idle
        for w in _gradients._POOL.idle:
            w.process.kill()
            w.process.wait()
        est.fit(X, y)  # a dead idle worker is discarded and a new one started
    assert np.isfinite(est.loss_curve_).all()

    worker = _gradients._POOL.acquire(1)[0]
    worker.request()  # no setup: the worker answers with its traceback
    with pytest.raises(RuntimeError, match="worker process failed"):
        worker.receive()
    _gradients._POOL.release([worker])  # not reused after a failure
    assert worker not in _gradients._POOL.idle
    assert worker.process.poll() is not None


def test_fallback_without_posix(monkeypatch):
    monkeypatch.setattr(_gradients.os, "name", "nt")
    X, y = np.random.RandomState(0).normal(size=(8, 5, 1)), np.zeros(8)
    with pytest.warns(RuntimeWarning, match="needs a POSIX system"):
        LSTMRegressor((2,), max_iter=1, n_jobs=2).partial_fit(X, y)


def test_no_worker_can_start(monkeypatch):
    monkeypatch.setattr(_gradients.sys, "executable", "/nonexistent/python")
    monkeypatch.setattr(_gradients._POOL, "idle", [])
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(8, 5, 1)), rng.normal(size=8)
    with pytest.warns(RuntimeWarning, match="Could not start worker processes"):
        split = LSTMRegressor((2,), max_iter=1, n_jobs=2, random_state=0).partial_fit(X, y)
    serial = LSTMRegressor((2,), max_iter=1, random_state=0).partial_fit(X, y)
    np.testing.assert_allclose(split.params_, serial.params_)
