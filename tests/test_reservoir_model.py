"""The reservoir model object (reservoir/_model.py): what the in-memory fit and the dask tasks drive."""

import numpy as np
import pytest

from sktemporal.datasets import make_sequence_classification, narma
from sktemporal.reservoir import ESNClassifier, ESNRegressor
from sktemporal.reservoir._model import ReservoirModel
from sktemporal.reservoir._readout import RidgeReadout
from sktemporal.utils import check_sequences, check_targets


def _empty_like(readout):
    D, n_outputs = readout.C.shape
    return RidgeReadout(D, n_outputs, readout.alpha, n_extra=D - readout.n_main)


def test_a_model_built_from_a_fitted_estimator_reproduces_its_fit():
    """Fresh sums streamed by the model of the published weights give the published readout and end state."""
    X, y = narma(600, random_state=0)
    est = ESNRegressor(30, washout=20, include_input=True, random_state=0).fit(X, y)
    model = ReservoirModel(est, _empty_like(est._readout))
    batch = check_sequences(X)
    model.accumulate(batch, check_targets(y, batch).values, continuing=False, washout=est.washout)
    coef, intercept = model.solve(model.readout, None, batch.dtype)
    np.testing.assert_array_equal(coef, est.coef_)
    np.testing.assert_array_equal(intercept, est.intercept_)
    assert model.readout.n == est._readout.n == 600 - 20
    np.testing.assert_array_equal(model.end.state, est.last_state_)
    np.testing.assert_array_equal(model.end.target, est._last_target)


def test_a_collection_ends_nowhere():
    """Pooled rows of a collection: one row per sequence, no series end kept."""
    X, y = make_sequence_classification(40, n_classes=2, random_state=0)
    est = ESNClassifier(20, random_state=0).fit(X, y)
    model = ReservoirModel(est, _empty_like(est._readout))
    model.end = "stale"
    batch = check_sequences(X)
    targets = check_targets(y, batch, task="classification")
    model.accumulate(batch, est._encode_targets(targets, first=False), continuing=False, washout=0)
    assert model.end is None and model.readout.n == 40
    np.testing.assert_array_equal(model.solve(model.readout, None, np.float64)[0], est.coef_)
    assert est.last_state_ is None


@pytest.mark.parametrize("layout", ["series", "collection"])
def test_dask_fit_tasks_receive_the_model_not_the_estimator(layout):
    """The chunk tasks' graph references the model's module, never an estimator's, and holds no sums."""
    da = pytest.importorskip("dask.array")
    cloudpickle = pytest.importorskip("cloudpickle")
    from sktemporal.reservoir._dask import align_y, check_dask_X, chunk_sums, setup_model

    if layout == "series":
        X, y = narma(1000, random_state=0)
        Xd = da.from_array(X, chunks=250)
    else:
        X, y = make_sequence_classification(40, n_classes=2, random_state=0)
        X = np.stack([x[:20] for x in X])
        Xd = da.from_array(X, chunks=(10, 20, X.shape[2]))
    est = ESNRegressor(20, random_state=0)
    Xd = check_dask_X(Xd)
    yd = align_y(np.asarray(y, dtype=float), Xd)
    model, readout_args, _ = setup_model(est, Xd, yd, True, None)
    results = chunk_sums(model, Xd, yd, readout_args, False, 50)
    blob = cloudpickle.dumps({key: value for r in results for key, value in dict(r.dask).items()})
    assert b"sktemporal.reservoir._model" in blob
    assert b"sktemporal.reservoir._esn" not in blob  # no ESNRegressor (module _esn) travels
    shipped = model.shipped()
    assert shipped.readout is None and shipped.noise_rng is None and model.readout is not None
