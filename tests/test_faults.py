# --- echo state networks ---
import pickle as _esn_pickle

import numpy as _esn_np
import pytest as _esn_pytest

from sktemporal.datasets import narma as _esn_narma
from sktemporal.exceptions import DivergenceError as _EsnDivergenceError
from sktemporal.reservoir import ESNRegressor as _ESNRegressor
from sktemporal.reservoir import ESNRegressorCV as _ESNRegressorCV
from sktemporal.reservoir import Reservoir as _Reservoir
from sktemporal.reservoir import _readout as _esn_readout
from sktemporal.reservoir import _reservoir as _esn_reservoir_module


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
