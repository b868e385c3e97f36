"""Fault injection: each fault found by the reliability sweep, reproduced, with the behaviour now expected."""

import glob
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import ThreadpoolController, threadpool_info

# --- worker processes and BLAS threads ---
from sktemporal.neural_network import (
    LSTMRegressor,
    RNNRegressor,
    _gradients,
)
from sktemporal.utils import _blas, _workers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
posix_only = pytest.mark.skipif(os.name != "posix", reason="worker processes need a POSIX system")


@contextmanager
def _blas_threads_at(n):
    """Start from a known BLAS thread count, with no thread holding threadpoolctl's control."""
    limiter = ThreadpoolController().limit(limits=n, user_api="blas")
    _blas._give_up_control()
    try:
        yield
    finally:
        limiter.restore_original_limits()
        _blas._give_up_control()


def _blas_threads():
    return sorted((lib["filepath"], lib["num_threads"]) for lib in threadpool_info() if lib["user_api"] == "blas")


def _gone(pid):
    """The process has exited (or is a zombie nobody reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False


@posix_only
def test_a_stopped_worker_cannot_hang_a_fit(monkeypatch):
    """Fault: a worker stopped with SIGSTOP made ``fit`` wait forever.  Now the wait is
    bounded (``REPLY_TIMEOUT_FLOOR``, shortened here) and the fit raises a RuntimeError
    that names the worker and says it was stopped; the worker is killed."""
    monkeypatch.setattr(_workers, "REPLY_TIMEOUT_FLOOR", 1.0)
    taken, acquire = [], _workers.POOL.acquire

    def recording(n):
        taken.extend(acquire(n))
        return taken[-n:]

    monkeypatch.setattr(_workers.POOL, "acquire", recording)
    original, calls = _gradients.loss_and_gradient, []

    def stop_the_worker_then_compute(*args):  # the worker has just been asked for its share
        calls.append(None)
        if len(calls) == 2:
            os.kill(taken[0].pid, signal.SIGSTOP)
        return original(*args)

    monkeypatch.setattr(_gradients, "loss_and_gradient", stop_the_worker_then_compute)
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(16, 10, 2)), rng.normal(size=16)
    with pytest.raises(RuntimeError, match="did not answer within .* it was stopped") as excinfo:
        LSTMRegressor((3,), batch_size=8, max_iter=2, random_state=0, n_jobs=2).fit(X, y)
    assert f"worker process {taken[0].pid} " in str(excinfo.value)
    assert taken[0].process.poll() is not None


_KILLED_PARENT = """
import sys, warnings
import numpy as np
from sktemporal.neural_network import LSTMRegressor
from sktemporal.utils import _workers
acquire = _workers.POOL.acquire
def announce(n):
    workers = acquire(n)
    print(" ".join(str(w.pid) for w in workers), flush=True)
    return workers
_workers.POOL.acquire = announce
rng = np.random.RandomState(0)
X, y = rng.normal(size=(64, 200, 4)), rng.normal(size=64)
warnings.simplefilter("ignore")
LSTMRegressor((16,), batch_size=32, max_iter=10**6, n_iter_no_change=10**6, n_jobs=2).fit(X, y)
"""


@posix_only
def test_a_killed_parent_leaves_nothing_behind():
    """Fault: a parent killed during a split fit left a ``/dev/shm/sktemporal-*`` file.
    Now the shared memory never has a name, and the orphaned worker exits."""
    before = set(glob.glob("/dev/shm/sktemporal-*"))
    parent = subprocess.Popen([sys.executable, "-c", _KILLED_PARENT], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert pids, "the fit did not start its worker"
        time.sleep(0.5)  # inside the epochs
        assert parent.poll() is None
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()
    assert set(glob.glob("/dev/shm/sktemporal-*")) <= before
    for _ in range(200):  # it sees the end of its socket (after its current chunk, if any)
        if all(_gone(pid) for pid in pids):
            break
        time.sleep(0.05)
    assert all(_gone(pid) for pid in pids)


@posix_only
def test_workers_get_the_data_through_shared_memory(monkeypatch):
    """Fault: every worker received a pickled copy of the training data.  Now all the
    bytes written to a worker's socket in a fit are a small fraction of the data's size."""
    sent = []

    class Counting(_workers.Connection):
        def _send_bytes(self, buf):
            sent.append(len(buf))
            super()._send_bytes(buf)

    monkeypatch.setattr(_workers, "Connection", Counting)
    monkeypatch.setattr(_workers.POOL, "idle", [])  # a new worker, with a counting connection
    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 500, 8))  # 2 MB
    y = X[:, -3:, 0].sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        split = LSTMRegressor((4,), batch_size=32, max_iter=1, random_state=0, n_jobs=2).fit(X, y)
        serial = LSTMRegressor((4,), batch_size=32, max_iter=1, random_state=0).fit(X, y)
    _workers.POOL.close()  # this test's worker
    assert sent and sum(sent) < X.nbytes / 20
    np.testing.assert_allclose(split.loss_curve_, serial.loss_curve_, rtol=1e-9)


def test_one_blas_thread_interleaved_in_two_threads_restores_the_limit():
    """Fault: A enters (limit 1), B enters (sees 1 as the original), A leaves (restores),
    B leaves (restores 1): the process stayed at one BLAS thread.  Forced interleaving."""
    entered_a, entered_b, left_a = threading.Event(), threading.Event(), threading.Event()
    seen_by_b = []

    def a():
        with _blas.one_blas_thread():
            entered_a.set()
            entered_b.wait(10)
        left_a.set()

    def b():
        entered_a.wait(10)
        with _blas.one_blas_thread():
            entered_b.set()
            left_a.wait(10)
            seen_by_b.extend(_blas_threads())

    with _blas_threads_at(2):
        before = _blas_threads()
        threads = [threading.Thread(target=a), threading.Thread(target=b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert seen_by_b and all(n == 1 for _, n in seen_by_b)  # still limited after A left, B inside
        assert _blas_threads() == before


def test_two_threads_fitting_at_once_leave_the_blas_threads_as_they_were():
    """Fault: two fits in two threads left the process at one BLAS thread."""
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(300, 2)), rng.normal(size=300)
    errors = []
    barrier = threading.Barrier(2)

    def fit():
        try:
            for _ in range(3):
                barrier.wait(30)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    RNNRegressor((4,), max_iter=2, random_state=0).fit(X, y)
        except Exception as exc:  # noqa: BLE001 (re-raised in the main thread)
            errors.append(exc)

    with _blas_threads_at(2):
        before = _blas_threads()
        threads = [threading.Thread(target=fit) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors
        assert _blas_threads() == before
    with _blas.one_blas_thread():  # no fit thread kept control: the calling thread can still limit
        assert all(n == 1 for _, n in _blas_threads())
