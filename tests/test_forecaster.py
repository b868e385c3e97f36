"""The Forecaster: choice on the data, guards, intervals, input checks, pandas, persistence."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone

from sktemporal import ESNRegressor
from sktemporal.datasets import load_airline
from sktemporal.exceptions import ImplausibleForecastWarning, InvalidParameterError
from sktemporal.forecasting import Forecaster, recursive_forecast
from sktemporal.forecasting._data import SeriesLayout
from sktemporal.forecasting._representation import (
    Representation,
    candidate_representations,
    detect_season,
)
from sktemporal.forecasting._selection import IntervalProfile, origins, validation_horizon

FAST = dict(n_reservoirs=2, n_reservoir=30)


def _mase(y, f, train, m):
    return np.mean(np.abs(y - f)) / np.mean(np.abs(train[m:] - train[:-m]))


@pytest.fixture(scope="module")
def airline():
    return load_airline()


@pytest.fixture(scope="module")
def fitted(airline):
    return Forecaster(random_state=0, **FAST).fit(airline[:-24])


# ----------------------------------------------------------------- representations
@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("difference", ["level", "diff", "seasonal_diff"])
def test_representation_inverse_continues_the_series(log, difference):
    """Forecasting the represented future exactly gives back the future of y."""
    rng = np.random.RandomState(0)
    y = np.exp(np.cumsum(rng.normal(0.01, 0.1, 60))) + 1.0
    rep = Representation(log, difference, season=12)
    z = rep.forward(y)
    assert len(z) == len(y) - rep.lag
    back = rep.inverse(z[-10:], y[:-10])
    np.testing.assert_allclose(back, y[-10:], rtol=1e-10)


def test_candidate_representations_respect_sign_and_length():
    assert all(not r.log for r in candidate_representations(np.array([-1.0, 2.0] * 20), 4))
    short = candidate_representations(np.ones(20) + np.arange(20), 12)
    assert "seasonal_diff" not in {r.difference for r in short}  # needs two seasons
    with pytest.raises(ValueError, match="positive"):
        candidate_representations(np.array([0.0, 1.0, 2.0]), 1, log=True)


def test_detect_season(airline):
    assert detect_season(airline) == 12
    t = np.arange(200)
    assert detect_season(np.sin(2 * np.pi * t / 7) + 0.01 * t) == 7
    assert detect_season(np.random.RandomState(1).normal(size=200).cumsum()) == 1


def test_validation_horizon_and_origins():
    assert validation_horizon(120, 12) == 24
    assert validation_horizon(30, 1) == 4
    assert validation_horizon(8, 12) == 2
    assert origins(100, 10, 3, 8) == [80, 85, 90]
    assert origins(20, 10, 3, 8) == [10]  # the older origins leave too little to train on


def test_interval_profile_widens_and_covers():
    rng = np.random.RandomState(0)
    res = rng.normal(size=(40, 6)) * np.sqrt(np.arange(1, 7))
    prof = IntervalProfile(res)
    w = prof.half_width(12, 0.8)
    assert np.all(np.diff(w) >= 0) and w[-1] > w[5]
    inside = np.abs(res) <= prof.half_width(6, 0.8)
    assert 0.75 <= inside.mean() <= 0.9


# ------------------------------------------------------------------- fit/predict
def test_fit_predict_numpy(fitted, airline):
    f = fitted
    assert f.season_ == 12 and f.horizon_ == 24 and len(f.origins_) == 3
    pred = f.predict(24)
    assert isinstance(pred, np.ndarray) and pred.shape == (24,) and np.all(np.isfinite(pred))
    train, test = airline[:-24], airline[-24:]
    naive = train[-12:][np.arange(24) % 12]
    assert _mase(test, pred, train, 12) < _mase(test, naive, train, 12)


def test_cv_results_table(fitted):
    res = fitted.cv_results_
    n = len(res["candidate"])
    assert n >= 10
    for key in ("model", "representation", "mean_test_score", "rank_test_score", "rejected",
                "chosen", "split0_test_score", "split2_test_score", "output"):
        assert len(res[key]) == n, key
    best = int(np.argmin(res["rank_test_score"]))
    assert res["mean_test_score"][best] == max(res["mean_test_score"])
    assert sum(res["chosen"]) == 2 and len(fitted.chosen_[0]) == 2
    chosen = [c for c, flag in zip(res["candidate"], res["chosen"]) if flag]
    assert sorted(chosen) == sorted(fitted.chosen_[0])
    assert any(c.startswith("esn on") for c in res["candidate"])
    assert "seasonal_naive(12) on level" in res["candidate"]


def test_predict_interval(fitted, airline):
    lo, hi = fitted.predict_interval(24, coverage=0.8)
    pred = fitted.predict(24)
    assert lo.shape == hi.shape == (24,)
    assert np.all(lo < pred) and np.all(pred < hi)
    assert (hi - lo)[-1] >= (hi - lo)[0]
    lo9, hi9 = fitted.predict_interval(24, coverage=0.95)
    assert np.all(hi9 - lo9 >= hi - lo)
    test = airline[-24:]
    assert np.mean((test >= lo) & (test <= hi)) >= 0.5


def test_deterministic_and_clone(airline):
    a = Forecaster(random_state=3, **FAST).fit(airline[:-12]).predict(6)
    b = Forecaster(random_state=3, **FAST).fit(airline[:-12]).predict(6)
    np.testing.assert_array_equal(a, b)
    est = Forecaster(season=12, n_best=1)
    assert clone(est).get_params() == est.get_params()


def test_several_outputs(airline):
    Y = np.column_stack([airline[:-12], np.sqrt(airline[:-12])])
    f = Forecaster(random_state=0, model="linear").fit(Y)
    pred = f.predict(5)
    lo, hi = f.predict_interval(5)
    assert pred.shape == lo.shape == hi.shape == (5, 2)
    assert f.n_outputs_ == 2 and len(f.chosen_) == 2 and set(f.cv_results_["output"]) == {0, 1}
    single = Forecaster(random_state=0, model="linear").fit(np.sqrt(airline[:-12])).predict(5)
    np.testing.assert_allclose(pred[:, 1], single)


def test_exogenous_values_help():
    rng = np.random.RandomState(0)
    x = rng.normal(size=150)
    y = 10 + 3 * x + 0.1 * rng.normal(size=150)
    X = x[:, None]
    f = Forecaster(random_state=0, **FAST).fit(y[:-10], X[:-10])
    with_x = np.mean(np.abs(f.predict(10, X[-10:]) - y[-10:]))
    without = np.mean(np.abs(Forecaster(random_state=0, **FAST).fit(y[:-10]).predict(10) - y[-10:]))
    assert with_x < 0.3 * without
    with pytest.raises(ValueError, match="needs X"):
        f.predict(10)
    with pytest.raises(ValueError, match="future rows"):
        f.predict(10, X[-5:])
    with pytest.raises(ValueError, match="fitted without"):
        Forecaster(model="linear").fit(y).predict(3, X[:3])


def test_update_continues_the_series(airline):
    f = Forecaster(random_state=0, model="linear").fit(airline[:-24])
    chosen = list(f.chosen_[0])
    f.update(airline[-24:-12])
    assert f.chosen_[0] == chosen
    refit = Forecaster(random_state=0, model="linear").fit(airline[:-24])
    before = refit.predict(24)[12:]
    after = f.predict(12)
    assert not np.allclose(before, after)  # it forecasts from the new end
    assert _mase(airline[-12:], after, airline[:-12], 12) < 1.0
    with pytest.raises(ValueError, match="output"):
        f.update(np.ones((3, 2)))


# ----------------------------------------------------------------------- guards
def test_implausible_candidates_are_rejected_in_validation(airline):
    """With a range barely wider than the data, only the naive forecasts stay inside it."""
    f = Forecaster(random_state=0, model="linear", plausible_range=1e-9).fit(airline[:-12])
    res = f.cv_results_
    kept = {c for c, rejected in zip(res["candidate"], res["rejected"]) if not rejected}
    assert {"naive on level", "seasonal_naive(12) on level"} <= kept
    assert sum(res["rejected"]) >= len(res["rejected"]) // 2
    assert set(f.chosen_[0]) <= kept
    assert np.all(np.isinf([s for s, r in zip(res["mean_test_score"], res["rejected"]) if r]))


def test_predict_falls_back_when_a_long_forecast_runs_away(airline):
    f = Forecaster(random_state=0, model="linear", plausible_range=0.2).fit(airline[:-12])
    with pytest.warns(ImplausibleForecastWarning, match="leaves the plausible range"):
        pred = f.predict(240)  # twenty years of a growing series leave the widened range
    lo, hi = airline[:-12].min(), airline[:-12].max()
    assert np.all(pred >= lo - 0.2 * (hi - lo)) and np.all(pred <= hi + 0.2 * (hi - lo))


def test_recursive_paths_warn_on_lynx_like_blowups():
    """A reservoir driven to explode on the differences of a cyclic series warns."""
    t = np.arange(110)
    y = np.log(1000 + 900 * np.sin(2 * np.pi * t / 9.5)) + 0.05 * np.random.RandomState(0).normal(size=110)
    d = np.diff(y)
    esn = ESNRegressor(n_reservoir=50, spectral_radius=1.6, alpha=1e-10, random_state=0)
    esn.fit(d[:-1, None], d[1:])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        out = recursive_forecast(esn, d[:, None], 300)
    implausible = [w for w in seen if issubclass(w.category, ImplausibleForecastWarning)]
    span = d.max() - d.min()
    if np.all(np.isfinite(out)) and out.max() <= d.max() + span and out.min() >= d.min() - span:
        assert not implausible
    else:
        assert implausible and "plausible range" in str(implausible[0].message)


def test_recursive_forecast_warns_for_a_window_model():
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline

    from sktemporal import DelayEmbedding

    s = 1.1 ** np.arange(40)[:, None] / 10  # an explosive autoregression
    model = make_pipeline(DelayEmbedding(delays=1), LinearRegression()).fit(s[:-1], s[1:, 0])
    with pytest.warns(ImplausibleForecastWarning, match="recursive_forecast"):
        recursive_forecast(model, s, 60)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("y, error, match", [
    (np.array([1.0, 2.0, np.nan, 4.0, 5.0, 6.0]), ValueError, "NaN"),
    (np.array([1.0, 2.0, np.inf, 4.0, 5.0, 6.0]), ValueError, "infinite"),
    (np.array(["a", "b", "c", "d", "e", "f"]), TypeError, "numbers"),
    (np.arange(4.0), ValueError, "at least 5"),
    (np.ones((3, 3, 3)), ValueError, "1-D"),
    (None, ValueError, "required"),
])
def test_bad_series(y, error, match):
    with pytest.raises(error, match=match):
        Forecaster().fit(y)


def test_bad_parameters_and_horizon(fitted):
    with pytest.raises(InvalidParameterError, match="horizon"):
        fitted.predict(0)
    with pytest.raises(InvalidParameterError, match="coverage"):
        fitted.predict_interval(3, coverage=1.5)
    with pytest.raises(InvalidParameterError, match="n_best"):
        Forecaster(n_best=0).fit(np.arange(30.0))
    with pytest.raises(ValueError, match="model"):
        Forecaster(model=["esn", "arima"]).fit(np.arange(30.0))
    with pytest.raises(ValueError, match="X"):
        Forecaster().fit(np.arange(30.0), np.ones((29, 1)))


def test_failed_fit_keeps_the_previous_model(fitted, airline):
    f = pickle.loads(pickle.dumps(fitted))
    before = f.predict(5)
    with pytest.raises(ValueError):
        f.fit(np.array([1.0, np.nan] * 10))
    np.testing.assert_array_equal(f.predict(5), before)


@pytest.mark.parametrize("n", [5, 9, 14])
def test_short_series_fit_with_a_warning(n):
    y = 10 + np.sin(np.arange(n))
    with pytest.warns(UserWarning, match="too few"):
        f = Forecaster(random_state=0).fit(y)
    pred = f.predict(3)
    lo, hi = f.predict_interval(3)
    assert pred.shape == (3,) and np.all(np.isfinite(pred)) and np.all(lo <= hi)


# ----------------------------------------------------------------- pandas
def test_pandas_indexes_are_continued(airline):
    pd = pytest.importorskip("pandas")
    period = load_airline(as_frame=True)[:-12]
    stamps = period.to_timestamp()
    no_freq = pd.Series(stamps.to_numpy(), index=pd.DatetimeIndex(list(stamps.index)))
    ranged = pd.Series(period.to_numpy(), index=pd.RangeIndex(5, 5 + 2 * len(period), 2), name="n")
    for y, first in ((period, pd.Period("1960-01", "M")), (stamps, pd.Timestamp("1960-01-01")),
                     (no_freq, pd.Timestamp("1960-01-01")), (ranged, 5 + 2 * len(period))):
        f = Forecaster(random_state=0, model="linear").fit(y)
        pred = f.predict(3)
        lo, hi = f.predict_interval(3)
        assert isinstance(pred, pd.Series) and isinstance(lo, pd.Series) and isinstance(hi, pd.Series)
        assert pred.index[0] == first and len(pred) == 3
        assert pred.index.equals(lo.index) and pred.name == y.name
    frame = pd.DataFrame({"a": period.to_numpy(), "b": np.sqrt(period.to_numpy())}, index=period.index)
    out = Forecaster(random_state=0, model="linear").fit(frame).predict(2)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["a", "b"]
    f = Forecaster(random_state=0, model="linear").fit(period[:-6]).update(period[-6:])
    assert f.predict(1).index[0] == pd.Period("1960-01", "M")


def test_unsupported_index_is_refused():
    pd = pytest.importorskip("pandas")
    y = pd.Series(np.arange(30.0), index=[f"t{i}" for i in range(30)])
    with pytest.raises(TypeError, match="RangeIndex"):
        Forecaster().fit(y)
    assert SeriesLayout(np.arange(3.0)).wrap(np.ones((2, 1))).shape == (2,)


# ------------------------------------------------------------------ persistence
def test_pickle_round_trip(fitted):
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(30), fitted.predict(30))
    for a, b in zip(restored.predict_interval(30), fitted.predict_interval(30)):
        np.testing.assert_array_equal(a, b)


def test_skops_round_trip(fitted):
    sio = pytest.importorskip("skops.io")
    from sktemporal.persistence import trusted_types

    data = sio.dumps(fitted)
    untrusted = set(sio.get_untrusted_types(data=data))
    assert untrusted <= set(trusted_types(Forecaster))
    # (what skops reports untrusted may shrink once another test trusted a type globally)
    assert untrusted <= set(trusted_types(fitted)) <= set(trusted_types(Forecaster))
    restored = sio.loads(data, trusted=trusted_types(Forecaster))
    np.testing.assert_array_equal(restored.predict(12), fitted.predict(12))
