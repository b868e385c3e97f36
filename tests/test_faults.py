"""Reproductions of the faults found by a reliability sweep, each asserting the new behaviour.

One section per area of the sweep; every test builds its own data and models.
"""

import glob
import os
import pickle
import pickle as _esn_pickle
import re
import signal
import subprocess
import sys
import threading
import time
import warnings
from contextlib import contextmanager

import numpy as _esn_np
import numpy as np
import pytest
import pytest as _esn_pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline
from threadpoolctl import ThreadpoolController, threadpool_info

from sktemporal import (
    DelayEmbedding,
    ESNClassifier,
    ESNRegressor,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
    TDNNRegressor,
)
from sktemporal._parallel import _workers
from sktemporal.datasets import narma as _esn_narma
from sktemporal.exceptions import DivergenceError
from sktemporal.exceptions import DivergenceError as _EsnDivergenceError
from sktemporal.forecasting import recursive_forecast
from sktemporal.neural_network import (
    _gradients,
    _online,
    _optimizers,
    _training,
)
from sktemporal.reservoir import ESNRegressor as _ESNRegressor
from sktemporal.reservoir import ESNRegressorCV as _ESNRegressorCV
from sktemporal.reservoir import Reservoir as _Reservoir
from sktemporal.reservoir import _readout as _esn_readout
from sktemporal.reservoir import _reservoir as _esn_reservoir_module
from sktemporal.utils import _blas


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


@pytest.mark.parametrize("solver, lr", [("sgd", 10.0), ("adam", 10.0)])
def test_a_spiking_network_fit_rolls_back_and_learns(solver, lr):
    """LSTM with sgd at lr=10 used to reach a loss of 1e30 and be returned without a word; then to raise.

    Now each spike is rolled back to the best epoch with the rate halved, and the fit ends
    on weights no worse than those it started from.
    """
    X, y = _net_series(300)
    model = _quiet_fit(LSTMRegressor((8,), solver=solver, learning_rate_init=lr, max_iter=30, random_state=0), X, y)
    assert model.n_rollbacks_ >= 1
    assert np.isfinite(model.predict(X)).all()
    finite = [x for x in model.end_loss_curve_ if np.isfinite(x)]
    assert model.loss_ <= min(finite)  # the best epoch's (or the initial weights', if none beat them)


@pytest.mark.parametrize("solver, lr", [("sgd", 1e9), ("adam", 1e6)])
def test_a_diverging_network_fit_is_an_error_not_a_model(solver, lr):
    """A rate no halving can cure: a DivergenceError that says what to change; the old model stays."""
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


# --- worker processes and BLAS threads ---
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
from sktemporal._parallel import _workers
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
    for _ in range(600):  # it sees the end of its socket (after its current chunk, if any)
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


# --- echo state networks ---
def _esn_data(n=800, seed=0):
    return _esn_narma(n, random_state=seed)


def _esn_state(est):
    """Every fitted attribute of an estimator, as comparable copies."""
    out = {}
    for k, v in vars(est).items():
        if k.endswith("_") or k.startswith("_"):
            out[k] = v.toarray() if hasattr(v, "toarray") else v
    return out


def _esn_assert_same(before, est):
    after = _esn_state(est)
    assert set(after) == set(before)
    for k, v in before.items():
        w = after[k]
        if isinstance(v, _esn_np.ndarray):
            _esn_np.testing.assert_array_equal(w, v, err_msg=k)
        elif k == "_readout" and v is not None:
            _esn_np.testing.assert_array_equal(w.solve()[0], v.solve()[0])
            assert w.n == v.n
        elif k != "_noise_rng":
            assert w is v or w == v, k


def _esn_interrupt_after(monkeypatch, owner, name, n_calls):
    """Make ``owner.name`` raise KeyboardInterrupt after its first ``n_calls`` calls ran."""
    original = getattr(owner, name)
    calls = {"n": 0}

    def wrapped(*args, **kwargs):
        result = original(*args, **kwargs)  # the work is done (sums updated), then Ctrl-C
        calls["n"] += 1
        if calls["n"] > n_calls:
            raise KeyboardInterrupt
        return result

    monkeypatch.setattr(owner, name, wrapped)


@_esn_pytest.mark.parametrize("params, scale", [
    ({"activation": "relu", "spectral_radius": 5.0}, 1.0),
    ({"activation": "identity", "spectral_radius": 1.5}, 1.0),
    ({"scaler": None}, 1e154),
])
def test_esn_states_that_blow_up_are_a_divergence_error(params, scale):
    """Exploding states (relu sr 5, identity sr 1.5) and huge inputs used to give coef_ all NaN silently."""
    X, y = _esn_data()
    est = _ESNRegressor(50, random_state=0).fit(X, y)
    before = _esn_state(est)
    with _esn_pytest.raises(_EsnDivergenceError, match="spectral_radius|scaler"):
        est.set_params(**params).fit(X * scale, y)
    _esn_assert_same(before, est)  # the previous model, intact
    with _esn_pytest.raises(_EsnDivergenceError):
        _ESNRegressorCV(30, random_state=0, **params).fit(X * scale, y)
    if scale == 1.0:  # saturated tanh states are finite: only an unbounded reservoir diverges
        with _esn_pytest.raises(_EsnDivergenceError):
            _Reservoir(30, random_state=0, initial_state="continue", **params).fit(X * scale)


def test_esn_interrupted_refit_leaves_the_previous_model(monkeypatch):
    """Ctrl-C during a refit used to leave new reservoir weights with the old readout."""
    X, y = _esn_data()
    est = _ESNRegressor(50, random_state=0).fit(X[:400], y[:400])
    before, pred = _esn_state(est), est.predict(X[400:])
    _esn_interrupt_after(monkeypatch, _esn_readout.RidgeReadout, "partial_fit", 0)
    with _esn_pytest.raises(KeyboardInterrupt):
        est.set_params(random_state=1, n_reservoir=60).fit(X[400:], y[400:])
    with _esn_pytest.raises(KeyboardInterrupt):  # a new feature count
        est.fit(_esn_np.hstack([X, X]), y)
    monkeypatch.undo()
    _esn_assert_same(before, est)
    _esn_np.testing.assert_array_equal(est.set_params(random_state=0, n_reservoir=50).predict(X[400:]), pred)


def test_esn_interrupted_partial_fit_counts_once_when_retried(monkeypatch):
    """A chunk interrupted after its sums were added, then retried, used to be counted twice."""
    X, y = _esn_data(1200)
    ref = _ESNRegressor(50, random_state=0).partial_fit(X[:400], y[:400])
    ref.partial_fit(X[400:800], y[400:800]).partial_fit(X[800:], y[800:])
    est = _ESNRegressor(50, random_state=0).partial_fit(X[:400], y[:400])
    est.partial_fit(X[400:800], y[400:800])
    _esn_interrupt_after(monkeypatch, _esn_readout.RidgeReadout, "partial_fit", 0)
    with _esn_pytest.raises(KeyboardInterrupt):
        est.partial_fit(X[800:], y[800:])
    monkeypatch.undo()
    est.partial_fit(X[800:], y[800:])  # the retry
    assert est._readout.n == ref._readout.n == 1200
    _esn_np.testing.assert_array_equal(est.coef_, ref.coef_)
    _esn_np.testing.assert_array_equal(est.predict(X[:50]), ref.predict(X[:50]))


def test_esn_interrupted_rls_partial_fit_counts_once(monkeypatch):
    X, y = _esn_data(900)
    ref = _ESNRegressor(40, solver="rls", alpha=1e-2, random_state=0)
    for part in (slice(0, 300), slice(300, 600), slice(600, 900)):
        ref.partial_fit(X[part], y[part])
    est = _ESNRegressor(40, solver="rls", alpha=1e-2, random_state=0)
    est.partial_fit(X[:300], y[:300]).partial_fit(X[300:600], y[300:600])
    _esn_interrupt_after(monkeypatch, _esn_readout.RLSReadout, "_update", 1)
    with _esn_pytest.raises(KeyboardInterrupt):
        est.partial_fit(X[600:], y[600:])
    monkeypatch.undo()
    est.partial_fit(X[600:], y[600:])
    _esn_np.testing.assert_array_equal(est.coef_, ref.coef_)


def test_esn_cv_and_reservoir_fits_are_all_or_nothing(monkeypatch):
    X, y = _esn_data()
    cv = _ESNRegressorCV(30, random_state=0).fit(X[:400], y[:400])
    res = _Reservoir(30, random_state=0, initial_state="continue").fit(X[:400])
    before_cv, before_res = _esn_state(cv), _esn_state(res)
    _esn_interrupt_after(monkeypatch, _esn_readout.RidgeReadout, "merge", 3)
    with _esn_pytest.raises(KeyboardInterrupt):
        cv.set_params(n_reservoir=40).fit(X, y)
    monkeypatch.setattr(_esn_reservoir_module, "final_state", lambda segments: (_ for _ in ()).throw(KeyboardInterrupt))
    with _esn_pytest.raises(KeyboardInterrupt):
        res.set_params(random_state=3).fit(_esn_np.hstack([X, X]))
    monkeypatch.undo()
    _esn_assert_same(before_cv, cv)
    _esn_assert_same(before_res, res)


def test_esn_pickle_is_the_size_of_its_parameters():
    """The pickle used to hold the N x N readout sums (203 MB at 5,000 units)."""
    X, y = _esn_data(1200)
    est = _ESNRegressor(500, density=0.02, random_state=0).fit(X[:800], y[:800])
    params = (est.coef_.nbytes + est.input_weights_.nbytes + est.reservoir_weights_.data.nbytes
              + est.reservoir_weights_.indices.nbytes + est.reservoir_weights_.indptr.nbytes)
    small = _esn_pickle.dumps(est)
    assert len(small) < 2 * params + 20_000 < 500 * 500 * 8  # far below the sums
    loaded = _esn_pickle.loads(small)
    _esn_np.testing.assert_array_equal(loaded.predict(X[800:]), est.predict(X[800:]))
    with _esn_pytest.raises(ValueError, match="keep_training_state=True"):
        loaded.partial_fit(X[800:], y[800:])
    loaded.fit(X[:800], y[:800])  # a refit is fine
    # asked for: the sums travel with the model and partial_fit continues exactly
    est.set_params(keep_training_state=True)
    big = _esn_pickle.dumps(est)
    assert len(big) > 500 * 500 * 8
    resumed = _esn_pickle.loads(big).partial_fit(X[800:], y[800:])
    _esn_np.testing.assert_array_equal(resumed.coef_, est.partial_fit(X[800:], y[800:]).coef_)


def test_esn_on_inputs_far_from_unit_scale_warns_of_saturation():
    """Inputs in the thousands saturate every tanh unit: a SaturationWarning that names the fix,
    the model kept; none on NARMA10's own scale, none with scaler='standard' on the same data."""
    from sktemporal.exceptions import SaturationWarning

    X, y = _esn_narma(600, random_state=0)
    with _esn_pytest.warns(SaturationWarning, match=r"100 of the 100 reservoir units .*scaler='standard'"):
        est = _ESNRegressor(random_state=0).fit(X * 1000 + 500, y)
    assert est.coef_.shape == (1, 101)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SaturationWarning)
        _ESNRegressor(random_state=0).fit(X, y)
        _ESNRegressor(random_state=0, scaler="standard").fit(X * 1000 + 500, y)
    with _esn_pytest.warns(SaturationWarning, match=r"scaler='standard' is on: lower input_scaling"):
        _ESNRegressor(random_state=0, scaler="standard", input_scaling=1000.0).fit(X, y)
