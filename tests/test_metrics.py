"""Tests of sktemporal.metrics: nrmse and memory_capacity in every target layout."""

import numpy as np
import pytest
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.linear_model import Ridge
from sklearn.metrics import make_scorer
from sklearn.model_selection import KFold, TimeSeriesSplit, cross_val_score

from sktemporal.datasets import memory_task
from sktemporal.metrics import memory_capacity, neg_nrmse_scorer, nrmse


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    y = rng.normal(3.0, 2.0, size=(200, 2))
    return y, y + rng.normal(0, 0.5, size=y.shape)


# ----------------------------------------------------------------------------------
# nrmse
# ----------------------------------------------------------------------------------
def test_nrmse_perfect_and_mean_predictions():
    y = np.random.RandomState(0).normal(5.0, 3.0, size=100)
    assert nrmse(y, y) == 0.0
    assert nrmse(y, np.full_like(y, y.mean())) == pytest.approx(1.0, abs=1e-12)
    assert nrmse(y, np.full_like(y, y.mean() + y.std())) == pytest.approx(np.sqrt(2))


@pytest.mark.parametrize("normalization", ["std", "range", "mean", "iqr"])
def test_nrmse_normalizations(data, normalization):
    y, p = data
    rmse = np.sqrt(((y - p) ** 2).mean(axis=0))
    scale = {
        "std": y.std(axis=0),
        "range": np.ptp(y, axis=0),
        "mean": np.abs(y.mean(axis=0)),
        "iqr": np.subtract(*np.percentile(y, [75, 25], axis=0)),
    }[normalization]
    raw = nrmse(y, p, normalization=normalization, multioutput="raw_values")
    np.testing.assert_allclose(raw, rmse / scale, rtol=1e-12)
    assert nrmse(y, p, normalization=normalization) == pytest.approx(raw.mean())
    weighted = nrmse(y, p, normalization=normalization, multioutput=[3, 1])
    assert weighted == pytest.approx((3 * raw[0] + raw[1]) / 4)


def test_nrmse_sample_weight_equals_repetition(data):
    y, p = data
    w = np.arange(len(y)) % 3  # 0, 1 and 2 copies of each row
    rows = np.repeat(np.arange(len(y)), w)
    for normalization in ("std", "range", "mean"):
        np.testing.assert_allclose(
            nrmse(y, p, sample_weight=w, normalization=normalization, multioutput="raw_values"),
            nrmse(y[rows], p[rows], normalization=normalization, multioutput="raw_values"),
            rtol=1e-12,
        )


def test_nrmse_1d_and_column_vectors_agree(data):
    y, p = data
    assert nrmse(y[:, 0], p[:, [0]]) == pytest.approx(nrmse(y[:, [0]], p[:, 0]))


def _ragged(seed=0):
    rng = np.random.RandomState(seed)
    lengths = [5, 9, 3]
    true = [rng.normal(size=(n, 2)) for n in lengths]
    pred = [t + rng.normal(0, 0.3, size=t.shape) for t in true]
    return true, pred


def test_nrmse_on_sequence_layouts():
    true, pred = _ragged()
    flat = nrmse(np.concatenate(true), np.concatenate(pred), multioutput="raw_values")
    np.testing.assert_allclose(nrmse(true, pred, multioutput="raw_values"), flat)
    # NaN-padded 3-D y_true; whatever y_pred holds on padded steps is ignored
    T = max(len(t) for t in true)
    true3 = np.full((3, T, 2), np.nan)
    pred3 = np.full((3, T, 2), 1e6)
    for i, (t, p) in enumerate(zip(true, pred)):
        true3[i, : len(t)] = t
        pred3[i, : len(p)] = p
    np.testing.assert_allclose(nrmse(true3, pred3, multioutput="raw_values"), flat)
    pred3_nan = np.where(np.isnan(true3), np.nan, pred3)
    np.testing.assert_allclose(nrmse(true3, pred3_nan, multioutput="raw_values"), flat)
    # mixed: list predictions for a 3-D y_true and a 3-D y_pred for a list y_true
    np.testing.assert_allclose(nrmse(true3, pred, multioutput="raw_values"), flat)
    np.testing.assert_allclose(nrmse(true, pred3, multioutput="raw_values"), flat)
    # univariate per-step lists (T_i,)
    u_true = [t[:, 0] for t in true]
    u_pred = [p[:, 0] for p in pred]
    assert nrmse(u_true, u_pred) == pytest.approx(flat[0])


def test_nrmse_sequence_weights_apply_to_every_step():
    true, pred = _ragged()
    w = np.array([2, 0, 1])
    rows_true = [true[0], true[0], true[2]]
    rows_pred = [pred[0], pred[0], pred[2]]
    assert nrmse(true, pred, sample_weight=w) == pytest.approx(nrmse(rows_true, rows_pred))
    with pytest.raises(ValueError, match=r"3 sequences"):
        nrmse(true, pred, sample_weight=np.ones(17))


@pytest.mark.parametrize(
    "y_true, y_pred, match",
    [
        (np.zeros((5, 2)), np.zeros((5, 3)), r"\(5, 2\).*\(5, 3\)"),
        (np.zeros(5), np.zeros(4), r"\(5,\).*\(4,\)"),
        (np.zeros((2, 4, 1)), np.zeros((2, 5, 1)), r"\(2, 4, 1\).*\(2, 5, 1\)"),
        (
            [np.zeros(3), np.zeros(2)],
            [np.zeros(3), np.zeros(4)],
            r"y_true\[1\].*\(2, 1\).*\(4, 1\)",
        ),
        ([np.zeros(3)], [np.zeros(3), np.zeros(3)], "1 sequences but y_pred holds 2"),
        (np.arange(4.0), np.array([0, np.nan, 1, 2]), "y_pred contains NaN"),
        (np.array([0, np.nan, 1, 2]), np.arange(4.0), "y_true contains NaN"),
        (np.array([[[0.0], [np.nan], [1.0]]]), np.zeros((1, 3, 1)), "NaN inside sequence 0"),
        (np.zeros((0,)), np.zeros((0,)), "empty"),
    ],
)
def test_nrmse_input_errors(y_true, y_pred, match):
    with pytest.raises(ValueError, match=match):
        nrmse(y_true, y_pred)


def test_nrmse_bad_options(data):
    y, p = data
    with pytest.raises(ValueError, match="normalization"):
        nrmse(y, p, normalization="max")
    with pytest.raises(ValueError, match="multioutput"):
        nrmse(y, p, multioutput="variance_weighted")
    with pytest.raises(ValueError, match="2 outputs"):
        nrmse(y, p, multioutput=[1, 2, 3])
    with pytest.raises(ValueError, match="sample_weight"):
        nrmse(y, p, sample_weight=-np.ones(len(y)))


def test_nrmse_constant_target():
    y = np.full(10, 2.0)
    assert nrmse(y, y) == 0.0
    with pytest.warns(UndefinedMetricWarning):
        assert nrmse(y, y + 1) == np.inf


def test_nrmse_as_scorer_in_cross_val_score():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.normal(0, 0.1, size=120)
    model = Ridge(alpha=1e-3)
    cv = KFold(4)
    scores = cross_val_score(model, X, y, cv=cv, scoring=neg_nrmse_scorer)
    expected = [
        -nrmse(y[te], model.fit(X[tr], y[tr]).predict(X[te])) for tr, te in cv.split(X)
    ]
    np.testing.assert_allclose(scores, expected)
    assert (scores < 0).all() and (scores > -0.2).all()
    range_scorer = make_scorer(nrmse, greater_is_better=False, normalization="range")
    range_scores = cross_val_score(model, X, y, cv=TimeSeriesSplit(3), scoring=range_scorer)
    assert (range_scores < 0).all() and (range_scores > scores.min()).all()


# ----------------------------------------------------------------------------------
# memory capacity
# ----------------------------------------------------------------------------------
def test_memory_capacity_perfect_zero_and_random():
    K = 10
    _, y = memory_task(3000, max_delay=K, random_state=0)
    y = y[K:]
    assert memory_capacity(y, y) == pytest.approx(K)
    assert memory_capacity(y, np.zeros_like(y)) == 0.0
    assert memory_capacity(y, np.full_like(y, 0.3)) == 0.0
    unrelated = np.random.RandomState(1).normal(size=y.shape)
    assert 0 <= memory_capacity(y, unrelated) < 0.05  # expectation K / n = 0.003


def test_memory_capacity_is_squared_correlation():
    K = 5
    _, y = memory_task(20000, max_delay=K, random_state=0)
    y = y[K:]
    rng = np.random.RandomState(2)
    # equal signal and noise variances: rho^2 = 1/2 for each delay
    noisy = 3.0 * (y + rng.uniform(-0.5, 0.5, size=y.shape)) - 1.0
    per_delay = memory_capacity(y, noisy, return_per_delay=True)
    assert per_delay.shape == (K,)
    np.testing.assert_allclose(per_delay, 0.5, atol=0.02)
    assert memory_capacity(y, noisy) == pytest.approx(per_delay.sum())
    expected = [np.corrcoef(y[:, k], noisy[:, k])[0, 1] ** 2 for k in range(K)]
    np.testing.assert_allclose(per_delay, expected, rtol=1e-10)
    # sign does not matter: anti-correlation is memory too
    assert memory_capacity(y, -noisy) == pytest.approx(per_delay.sum())


def test_memory_capacity_errors():
    with pytest.raises(ValueError, match=r"\(10, 3\).*\(10, 2\)"):
        memory_capacity(np.zeros((10, 3)), np.zeros((10, 2)))
    with pytest.raises(ValueError, match="at least 2 samples"):
        memory_capacity(np.ones((1, 3)), np.ones((1, 3)))
