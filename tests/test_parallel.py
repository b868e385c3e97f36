"""n_jobs: minibatches split across worker processes train as the serial loop does."""

import gc
import glob
import os
import pickle
import signal
import sys
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sktemporal._parallel import _split, _workers
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
        assert _workers.POOL.idle
        for w in _workers.POOL.idle:
            w.process.kill()
            w.process.wait()
        est.fit(X, y)  # a dead idle worker is discarded and a new one started
    assert np.isfinite(est.loss_curve_).all()

    worker = _workers.POOL.acquire(1)[0]
    worker.step()  # no setup: the worker answers with its traceback
    with pytest.raises(RuntimeError, match=f"worker process {worker.pid} failed"):
        worker.receive(5.0)
    _workers.POOL.release([worker])  # not reused after a failure
    assert worker not in _workers.POOL.idle
    assert worker.process.poll() is not None


def test_fallback_without_posix(monkeypatch):
    monkeypatch.setattr(_split.os, "name", "nt")
    X, y = np.random.RandomState(0).normal(size=(8, 5, 1)), np.zeros(8)
    with pytest.warns(RuntimeWarning, match="needs a POSIX system"):
        LSTMRegressor((2,), max_iter=1, n_jobs=2).partial_fit(X, y)


def test_no_worker_can_start(monkeypatch):
    monkeypatch.setattr(_workers.sys, "executable", "/nonexistent/python")
    monkeypatch.setattr(_workers.POOL, "idle", [])
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(8, 5, 1)), rng.normal(size=8)
    with pytest.warns(RuntimeWarning, match="Could not start worker processes"):
        split = LSTMRegressor((2,), max_iter=1, n_jobs=2, random_state=0).partial_fit(X, y)
    serial = LSTMRegressor((2,), max_iter=1, random_state=0).partial_fit(X, y)
    np.testing.assert_allclose(split.params_, serial.params_)


# --- bounded waits, shared memory, interrupts

def record_workers(monkeypatch):
    """The workers the fits of this test take from the pool, in order."""
    taken, acquire = [], _workers.POOL.acquire

    def recording(n):
        workers = acquire(n)
        taken.extend(workers)
        return workers

    monkeypatch.setattr(_workers.POOL, "acquire", recording)
    return taken


def on_own_chunk(monkeypatch, action, call):
    """Run ``action()`` as the calling process starts its own share of its ``call``-th chunk
    (the workers have just been asked for theirs)."""
    original, calls = _gradients.loss_and_gradient, []

    def hooked(*args):
        calls.append(None)
        if len(calls) == call:
            action()
        return original(*args)

    monkeypatch.setattr(_gradients, "loss_and_gradient", hooked)


def small_problem():
    rng = np.random.RandomState(4)
    return ragged(rng, n=16), rng.normal(size=16)


def assert_split_fit_matches_serial(X, y):
    serial, split = fit_both(LSTMRegressor((3,), batch_size=8, max_iter=2, random_state=0), X, y)
    np.testing.assert_allclose(split.loss_curve_, serial.loss_curve_, rtol=1e-9)


def shm_files():
    return set(glob.glob("/dev/shm/sktemporal-*"))


@pytest.mark.parametrize("fault, seen", [(signal.SIGSTOP, r"did not answer within [\d.]+ s .*: it was stopped"),
                                         (signal.SIGKILL, "exited \\(killed by signal SIGKILL\\)")])
def test_a_worker_stalled_or_killed_mid_fit_stops_it(monkeypatch, fault, seen):
    """The wait is bounded: the fit raises a RuntimeError naming the worker, which is killed."""
    monkeypatch.setattr(_workers, "REPLY_TIMEOUT_FLOOR", 1.0)
    taken = record_workers(monkeypatch)
    on_own_chunk(monkeypatch, lambda: os.kill(taken[0].pid, fault), call=2)
    X, y = small_problem()
    with pytest.raises(RuntimeError, match=seen) as excinfo:
        LSTMRegressor((3,), batch_size=8, max_iter=2, random_state=0, n_jobs=2).fit(X, y)
    assert f"worker process {taken[0].pid} " in str(excinfo.value)
    assert taken[0].process.poll() is not None  # killed, not left stopped
    assert taken[0] not in _workers.POOL.idle
    monkeypatch.undo()
    assert_split_fit_matches_serial(X, y)  # the next fit starts a new worker


def test_an_idle_worker_that_stopped_answering_leaves_the_fit_to_one_process(monkeypatch):
    X, y = small_problem()
    assert_split_fit_matches_serial(X, y)  # leaves an idle worker
    stopped = _workers.POOL.idle[0]
    os.kill(stopped.pid, signal.SIGSTOP)
    monkeypatch.setattr(_workers, "SETUP_TIMEOUT", 1.0)
    monkeypatch.setattr(_workers.POOL, "idle", [stopped])
    with pytest.warns(RuntimeWarning, match=f"Could not start worker processes.*{stopped.pid} did not answer"):
        split = LSTMRegressor((3,), batch_size=8, max_iter=1, random_state=0, n_jobs=2).partial_fit(X, y)
    serial = LSTMRegressor((3,), batch_size=8, max_iter=1, random_state=0).partial_fit(X, y)
    np.testing.assert_allclose(split.params_, serial.params_)
    assert stopped.process.poll() is not None


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_an_interrupt_mid_chunk_leaves_no_worker_or_memory_behind(monkeypatch, solver):
    """KeyboardInterrupt propagates; the worker busy with its share is killed, not reused;
    the shared memory goes with the last reference to it; nothing is ever in /dev/shm."""
    before = shm_files()
    taken = record_workers(monkeypatch)

    def interrupt():
        assert taken[0].pending == 1  # the worker is computing its share
        raise KeyboardInterrupt

    on_own_chunk(monkeypatch, interrupt, call=3)
    X, y = small_problem()
    with pytest.raises(KeyboardInterrupt) as excinfo:
        LSTMRegressor((3,), solver=solver, batch_size=8, max_iter=5, random_state=0, n_jobs=2).fit(X, y)
    del excinfo
    gc.collect()
    assert taken[0].process.poll() is not None
    assert taken[0] not in _workers.POOL.idle
    assert shm_files() <= before
    if os.path.exists("/proc/self/maps"):
        with open("/proc/self/maps") as f:
            assert "sktemporal" not in f.read()
    monkeypatch.undo()
    assert_split_fit_matches_serial(X, y)


def test_shared_arrays_have_no_name():
    shared = _workers.SharedArrays([("a", (3, 2), np.float32), ("b", (5,), np.int64), ("empty", (0, 4), float)])
    try:
        assert os.fstat(shared.fd).st_nlink == 0  # in no directory, /dev/shm included
        shared.arrays["a"][:] = 2.5
        shared.arrays["b"][:] = np.arange(5)
        other = _workers.SharedArrays.attach(os.dup(shared.fd), shared.spec)  # as a worker maps it
        np.testing.assert_array_equal(other["a"], np.full((3, 2), 2.5, dtype=np.float32))
        np.testing.assert_array_equal(other["b"], np.arange(5))
        assert other["empty"].shape == (0, 4)
        other["b"][0] = 7
        assert shared.arrays["b"][0] == 7
        assert all(a.ctypes.data % 64 == 0 for a in shared.arrays.values() if a.size)
    finally:
        shared.close()



def _fit_in_forked_child(queue):
    X, y = small_problem()
    model = LSTMRegressor((3,), batch_size=8, max_iter=2, random_state=0, n_jobs=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        queue.put((list(model.fit(X, y).loss_curve_), [w.pid for w in _workers.POOL.idle]))


@pytest.mark.skipif(sys.platform != "linux", reason="fork start method")
def test_a_forked_child_does_not_use_its_parents_workers():
    """After a fork the pool's idle workers belong to the parent; the child starts its own."""
    import multiprocessing

    X, y = small_problem()
    assert_split_fit_matches_serial(X, y)  # an idle worker in the pool
    idle = list(_workers.POOL.idle)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_fit_in_forked_child, args=(queue,))
    child.start()
    curve, child_workers = queue.get(timeout=120)
    child.join(30)
    serial = LSTMRegressor((3,), batch_size=8, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        np.testing.assert_allclose(curve, serial.fit(X, y).loss_curve_, rtol=1e-9)
    assert child_workers and not set(child_workers) & {w.pid for w in idle}
    assert all(w.alive() for w in idle) and _workers.POOL.idle == idle
    assert_split_fit_matches_serial(X, y)  # and the parent's workers still answer it
