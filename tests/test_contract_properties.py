"""Property-based tests of the data contract, through the estimators' fit and predict.

Hypothesis draws the user's data: one 2-D series (numpy or pandas), a 3-D collection, a
ragged list or a NaN-padded 3-D collection; lengths, feature counts and dtypes
(float32/float64/int64); a target per step or per sequence, with or without an output
axis.  Two small, fast regressors fit and predict it, and the result must be the documented
one: ``predict`` returns the layout of the ``y`` given to fit (list in, list out, same
lengths; NaN at padded steps; float32 stays float32, anything else is float64), the same
values whatever the layout of the same sequences at predict time.  A corrupted case must
fail with a ``ValueError``/``TypeError`` that names the argument, never another error.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sktemporal import ESNRegressor, RNNRegressor

ESTIMATORS = {
    "ESNRegressor": ESNRegressor(10, random_state=0),
    "RNNRegressor": RNNRegressor((4,), max_iter=2, random_state=0),
}
SETTINGS = settings(
    max_examples=25, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
LAYOUTS = ("series", "pandas", "array", "list", "padded")


class Case:
    """One drawn data set: the sequences, their targets, and both in the user's layout."""

    def __init__(self, layout, dtype, seqs, ys, per_step, squeeze):
        self.layout, self.dtype, self.seqs, self.ys = layout, dtype, seqs, ys
        self.per_step, self.squeeze = per_step, squeeze
        self.lengths = [len(s) for s in seqs]
        self.X = self.x_in(layout)
        self.y = self._y_in()

    def __repr__(self):  # what hypothesis prints for a failing example
        shape = getattr(self.y, "shape", None) or [np.shape(v) for v in self.y]
        return (f"Case(layout={self.layout!r}, dtype={self.dtype!r}, lengths={self.lengths}, "
                f"n_features={self.seqs[0].shape[1]}, per_step={self.per_step}, y shape={shape})")

    def x_in(self, layout):
        seqs = [s.astype(self.dtype) for s in self.seqs]
        if layout == "series":
            return seqs[0]
        if layout == "pandas":
            return pd.DataFrame(seqs[0], columns=[f"f{j}" for j in range(seqs[0].shape[1])])
        if layout == "array":
            return np.stack(seqs)
        if layout == "list":
            return seqs
        return _pad(seqs)

    def _y_in(self):
        if self.layout in ("series", "pandas"):
            y = self.ys[0]
            return pd.Series(y) if self.layout == "pandas" and y.ndim == 1 else y
        if not self.per_step:
            return np.array(self.ys)
        if self.layout == "list":
            return self.ys
        return _pad(self.ys) if self.layout == "padded" else np.stack(self.ys)

    @property
    def out_dtype(self):
        return np.float32 if self.dtype == "float32" else np.float64


def _pad(arrays):
    arrays = [a if a.ndim > 1 else a[:, None] for a in arrays]
    out = np.full((len(arrays), max(map(len, arrays))) + arrays[0].shape[1:], np.nan)
    for i, a in enumerate(arrays):
        out[i, : len(a)] = a
    return out.astype(arrays[0].dtype if arrays[0].dtype.kind == "f" else np.float64)


@st.composite
def cases(draw, layouts=LAYOUTS):
    layout = draw(st.sampled_from(layouts))
    dtype = draw(st.sampled_from(["float32", "float64", "int64"]))
    if layout == "padded" and dtype == "int64":
        dtype = "float64"  # NaN padding needs a float array
    n_features = draw(st.integers(1, 3))
    if layout in ("series", "pandas"):
        lengths = [draw(st.integers(2, 30))]
    elif layout == "array":
        lengths = [draw(st.integers(1, 10))] * draw(st.integers(1, 4))
    else:
        lengths = draw(st.lists(st.integers(1, 10), min_size=1, max_size=4))
    rng = np.random.RandomState(draw(st.integers(0, 2**16)))
    seqs = [rng.normal(scale=3, size=(T, n_features)) for T in lengths]
    if dtype == "int64":
        seqs = [np.round(s) for s in seqs]
    per_step = layout in ("series", "pandas") or draw(st.booleans())
    # a 3-D per-step regression target keeps its output axis; the others may drop it
    squeeze = draw(st.booleans()) and not (per_step and layout in ("array", "padded"))
    n_outputs = 1 if squeeze else draw(st.integers(1, 2))
    if per_step:
        ys = [rng.normal(size=(T, n_outputs)) for T in lengths]
    else:
        ys = list(rng.normal(size=(len(lengths), n_outputs)))
    if squeeze:
        ys = [y[..., 0] for y in ys]
    return Case(layout, dtype, seqs, ys, per_step, squeeze)


def _fit(name, case):
    est = clone(ESTIMATORS[name])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(case.X, case.y)


def _check_valid_steps(pred, expected_shape, case, i):
    assert pred.shape == expected_shape
    assert np.isfinite(pred[: case.lengths[i]]).all()


@pytest.mark.parametrize("name", ESTIMATORS)
@SETTINGS
@given(case=cases())
def test_predict_returns_the_layout_of_y(name, case):
    est = _fit(name, case)
    assert est.n_features_in_ == case.seqs[0].shape[1]
    pred = est.predict(case.X)
    if case.layout == "list" and case.per_step:
        assert isinstance(pred, list) and len(pred) == len(case.seqs)
        for i, (p, y) in enumerate(zip(pred, case.ys)):
            assert p.dtype == case.out_dtype
            _check_valid_steps(p, y.shape, case, i)
        return
    assert isinstance(pred, np.ndarray) and pred.dtype == case.out_dtype
    assert pred.shape == np.shape(case.y)
    if not case.per_step or case.layout in ("series", "pandas"):
        assert np.isfinite(pred).all()
        return
    for i, T in enumerate(case.lengths):  # padded steps of a 3-D output hold NaN, never a value
        assert np.isfinite(pred[i, :T]).all()
        assert np.isnan(pred[i, T:]).all()


@pytest.mark.parametrize("name", ESTIMATORS)
@SETTINGS
@given(case=cases(layouts=("array", "list", "padded")))
def test_same_predictions_in_every_collection_layout(name, case):
    """A collection predicted as a ragged list or as a NaN-padded array gives the same values."""
    est = _fit(name, case)
    as_list = est.predict(case.x_in("list"))
    as_array = est.predict(case.x_in("padded"))
    rtol = 1e-5 if case.dtype == "float32" else 1e-10
    if not case.per_step:
        np.testing.assert_allclose(as_list, as_array, rtol=rtol, atol=rtol)
        return
    for i, T in enumerate(case.lengths):
        np.testing.assert_allclose(np.asarray(as_list[i])[:T], as_array[i][:T], rtol=rtol, atol=rtol)


CORRUPTIONS = (
    "y_too_short", "nan_inside_X", "inf_in_y", "X_1d", "X_4d", "more_features_at_predict",
    "string_y", "complex_y", "collection_as_2d",
)


def _corrupt(case, how):
    """(X, y, X_predict or None) with one fault; the fault is in fit unless X_predict is set."""
    X, y = case.X, case.y
    if how == "y_too_short":
        return X, y[:-1], None
    if how == "nan_inside_X":
        seqs = [s.astype(np.float64) for s in case.seqs]
        seqs[0][0, 0] = np.nan
        return (Case(case.layout, "float64", seqs, case.ys, case.per_step, case.squeeze).X,
                y, None)
    if how == "inf_in_y":
        ys = [np.array(v, dtype=np.float64) for v in case.ys]
        ys[0].flat[0] = np.inf
        return X, Case(case.layout, case.dtype, case.seqs, ys, case.per_step, case.squeeze).y, None
    if how == "X_1d":
        return np.asarray(case.seqs[0])[:, 0], y, None
    if how == "X_4d":
        return np.stack([case.seqs[0]])[None], y, None
    if how == "more_features_at_predict":
        seqs = [np.hstack([s, s[:, :1]]) for s in case.seqs]
        return X, y, Case(case.layout, case.dtype, seqs, case.ys, case.per_step, case.squeeze).X
    if how == "string_y":
        return X, _map_y(case, lambda v: np.full(np.shape(v), "a")), None
    if how == "complex_y":
        return X, _map_y(case, lambda v: np.asarray(v) * (1 + 1j)), None
    # the tslearn habit: a univariate collection passed 2-D (n_sequences, n_timesteps), with
    # its per-step targets (n_sequences, n_timesteps, 1)
    n, T = len(case.seqs), max(case.lengths)
    return np.ones((n, T)), np.ones((n, T, 1)), None


def _map_y(case, f):
    if isinstance(case.y, list):
        return [f(v) for v in case.y]
    return f(np.asarray(case.y))


@pytest.mark.parametrize("how", CORRUPTIONS)
@pytest.mark.parametrize("name", ESTIMATORS)
@settings(SETTINGS, max_examples=10)
@given(case=cases())
def test_bad_input_gets_a_clean_error_naming_the_argument(name, how, case):
    X, y, X_predict = _corrupt(case, how)
    est = clone(ESTIMATORS[name])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if X_predict is None:
            with pytest.raises((ValueError, TypeError)) as info:
                est.fit(X, y)
            assert not hasattr(est, "n_outputs_")  # nothing half-fitted left behind
        else:
            est.fit(X, y)
            with pytest.raises((ValueError, TypeError)) as info:
                est.predict(X_predict)
    message = str(info.value)
    assert type(info.value).__module__ not in ("numpy", "numpy.linalg")
    if case.layout == "pandas" and how == "more_features_at_predict":
        # scikit-learn's own message for DataFrame columns, which its common checks expect
        assert message.startswith("The feature names should match those that were passed during fit")
    else:
        assert "X" in message or "y" in message, message
    if how == "collection_as_2d":
        assert "2-D X is always ONE series" in message
