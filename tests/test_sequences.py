"""The data contract: every layout in, the same layout out, and a clear error for every bad input."""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator

from sktemporal.utils import check_sequences, check_targets, restore_layout, validate_sequences


class Dummy(BaseEstimator):
    pass


# ------------------------------------------------------------------- layouts
def test_series_2d():
    X = np.arange(12.0).reshape(6, 2)
    batch = check_sequences(X)
    assert batch.kind == "series" and batch.values.shape == (1, 6, 2)
    assert batch.lengths.tolist() == [6]
    t = check_targets(np.arange(6.0), batch)
    assert t.per_step and t.squeeze and t.values.shape == (1, 6, 1)
    out = restore_layout(t.values, batch, per_step=True, squeeze=True)
    np.testing.assert_array_equal(out, np.arange(6.0))


def test_collection_3d_per_sequence_and_per_step():
    X = np.random.RandomState(0).normal(size=(4, 5, 3))
    batch = check_sequences(X)
    assert batch.kind == "array" and not batch.ragged
    t = check_targets(np.arange(4.0), batch)
    assert not t.per_step and t.values.shape == (4, 1)
    t2 = check_targets(np.zeros((4, 2)), batch)
    assert not t2.per_step and t2.n_outputs == 2 and not t2.squeeze
    t3 = check_targets(np.zeros((4, 5, 2)), batch)
    assert t3.per_step and t3.values.shape == (4, 5, 2)
    labels = check_targets(np.zeros((4, 5), dtype=int), batch, task="classification")
    assert labels.per_step and labels.squeeze


def test_nan_padded_collection():
    X = np.random.RandomState(1).normal(size=(3, 6, 2))
    X[0, 4:] = np.nan
    X[2, 1:] = np.nan
    batch = check_sequences(X)
    assert batch.lengths.tolist() == [4, 6, 1]
    assert np.isfinite(batch.values).all() and (batch.values[0, 4:] == 0).all()
    y = np.random.RandomState(2).normal(size=(3, 6, 1))
    y[~batch.mask] = np.nan  # padded targets may hold NaN
    t = check_targets(y, batch)
    assert np.isfinite(t.values).all()
    out = restore_layout(t.values, batch, per_step=True, squeeze=True)
    assert np.isnan(out[0, 4:]).all() and np.isfinite(out[0, :4]).all()


def test_ragged_list_roundtrip_and_flat():
    rng = np.random.RandomState(3)
    X = [rng.normal(size=(n, 2)) for n in (3, 7, 5)]
    batch = check_sequences(X)
    assert batch.kind == "list" and batch.lengths.tolist() == [3, 7, 5]
    flat = batch.flat()
    assert flat.shape == (15, 2)
    np.testing.assert_array_equal(batch.unflat(flat), batch.values)
    y = [x[:, 0] for x in X]
    t = check_targets(y, batch)
    out = restore_layout(t.values, batch, per_step=True, squeeze=True)
    assert isinstance(out, list)
    for a, b in zip(out, y):
        np.testing.assert_array_equal(a, b)
    sub = batch.take([2, 0])
    assert sub.lengths.tolist() == [5, 3] and sub.max_length == 5


def test_float32_kept_and_ints_become_float64():
    X32 = np.ones((4, 2), dtype=np.float32)
    assert check_sequences(X32).dtype == np.float32
    assert check_targets(np.ones(4), check_sequences(X32)).values.dtype == np.float32
    assert check_sequences(np.ones((4, 2), dtype=int)).dtype == np.float64
    assert check_sequences([np.ones((3, 1), np.float32), np.ones((2, 1), np.float32)]).dtype == np.float32
    assert check_sequences([np.ones((3, 1), np.float32), np.ones((2, 1))]).dtype == np.float64


def test_pandas_series_input_and_feature_names():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"temp": np.arange(5.0), "wind": np.ones(5)})
    est = Dummy()
    batch, targets = validate_sequences(est, df, pd.Series(np.arange(5.0)), reset=True)
    assert batch.kind == "series" and est.n_features_in_ == 2
    assert list(est.feature_names_in_) == ["temp", "wind"]
    with pytest.raises(ValueError, match="feature names should match"):
        validate_sequences(est, df[["wind", "temp"]], reset=False)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        validate_sequences(est, df.to_numpy(), reset=False)
    assert any("does not have valid feature names" in str(x.message) for x in w)


# ---------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    "X, exc, match",
    [
        (np.array([[1.0, np.nan], [2.0, 3.0]]), ValueError, "NaN at time step 0, feature 1"),
        (np.array([[1.0, np.inf]]), ValueError, "infinity"),
        (np.array([[[1.0], [np.nan], [2.0]]]), ValueError, "NaN inside sequence 0 at time step 1"),
        (np.array([[[1.0], [np.inf]]]), ValueError, "infinity at sequence 0, time step 1"),
        ([np.ones((2, 1)), np.array([[1.0], [np.nan]])], ValueError, r"X\[1\] contains NaN"),
        ([np.ones((2, 1)), np.ones((0, 1))], ValueError, r"X\[1\] is an empty sequence"),
        (np.full((2, 3, 1), np.nan), ValueError, r"X\[0\] is empty"),
        (np.zeros((0, 3)), ValueError, "0 sample"),
        (np.zeros((0, 4, 2)), ValueError, "at least one sequence"),
        (np.zeros(5), ValueError, "got a 1-D array of shape \\(5,\\)"),
        (np.zeros((2, 2, 2, 2)), ValueError, "got a 4-D array"),
        ([np.ones(3), np.ones(4)], ValueError, "could not be read as an array|1-D"),
        ([np.ones((3, 1)), np.ones((3,))], ValueError, r"X\[1\] is 1-D"),
        ([np.ones((3, 1)), np.ones((3, 2))], ValueError, "same number of features"),
        (np.array([["a", "b"], ["c", "d"]]), (TypeError, ValueError), "X must contain numbers|could not convert"),
        (np.array([[1 + 2j]]), ValueError, "Complex data not supported"),
        (None, ValueError, "X is None"),
    ],
)
def test_bad_X(X, exc, match):
    with pytest.raises(exc, match=match):
        check_sequences(X)


def test_object_array_with_non_number_is_a_type_error():
    X = np.ones((3, 2)).astype(object)
    X[0, 0] = {"a": 1}
    with pytest.raises(TypeError, match="argument must be a string.* number"):
        check_sequences(X)


def test_sparse_is_refused():
    sp = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match="sparse"):
        check_sequences(sp.csr_matrix(np.eye(3)))


def test_shorter_than_washout():
    message = r"X\[1\] has 3 time step\(s\); at least 5 are needed \(required by washout=5\)"
    with pytest.raises(ValueError, match=message):
        check_sequences([np.ones((6, 1)), np.ones((3, 1))], min_length=5, min_length_reason="washout=5")
    with pytest.raises(ValueError, match="3-D of shape"):
        check_sequences(np.ones((4, 1)), min_length=10, min_length_reason="washout=10")


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.ones((5, 2)), np.ones(4), "y has 4 entries but X is one series of 5 time steps"),
        (np.ones((5, 20)), np.ones(7), "3-D of shape"),
        (np.ones((3, 4, 1)), np.ones(2), "y has 2 entries but X holds 3 sequences"),
        (np.ones((3, 4, 1)), np.ones((3, 2, 1)), "per-step targets must cover every step"),
        ([np.ones((3, 1)), np.ones((2, 1))], [np.ones(3), np.ones(3)], r"y\[1\] has 3 time steps but X\[1\] has 2"),
        ([np.ones((3, 1)), np.ones((2, 1))], [np.ones(3)], "y has 1 entries but X holds 2 sequences"),
        (np.ones((3, 1)), np.array([1.0, np.nan, 2.0]), "y contains NaN"),
        (np.ones((3, 1)), np.array(["a", "b", "c"]), "y must be numeric"),
        (np.ones((3, 1)), None, "y is None"),
    ],
)
def test_bad_y_regression(X, y, match):
    batch = check_sequences(X)
    with pytest.raises(ValueError, match=match):
        check_targets(y, batch)


def test_bad_y_classification():
    batch = check_sequences(np.ones((4, 1)))
    with pytest.raises(ValueError, match="Unknown label type"):
        check_targets(np.array([0.1, 0.2, 0.3, 0.4]), batch, task="classification")
    with pytest.raises(ValueError, match="multi-output classification is not supported"):
        check_targets(np.zeros((1, 4, 2)), check_sequences(np.ones((1, 4, 1))), task="classification")


def test_feature_count_change_between_fit_and_predict():
    est = Dummy()
    validate_sequences(est, np.ones((5, 3)), reset=True)
    with pytest.raises(ValueError, match="X has 2 features, but Dummy is expecting 3 features as input"):
        validate_sequences(est, np.ones((5, 2)), reset=False)
    with pytest.raises(ValueError, match="X has 1 features"):
        validate_sequences(est, [np.ones((4, 1))], reset=False)


def test_unknown_labels_at_partial_fit():
    from sktemporal.neural_network import RNNClassifier

    clf = RNNClassifier((3,), random_state=0)
    X = np.random.RandomState(0).normal(size=(6, 4, 1))
    clf.partial_fit(X, np.array([0, 1, 0, 1, 0, 1]), classes=[0, 1])
    with pytest.raises(ValueError, match=r"labels not seen in the first fit: \[2\]"):
        clf.partial_fit(X, np.array([0, 1, 2, 1, 0, 1]))
