"""The sktime adapter: sktime's own estimator checks, and the same forecasts as the package's."""

import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("sktime")

from sktime.forecasting.base import ForecastingHorizon  # noqa: E402

from sktemporal.datasets import load_airline  # noqa: E402
from sktemporal.exceptions import ImplausibleForecastWarning  # noqa: E402
from sktemporal.forecasting import Forecaster as PackageForecaster  # noqa: E402
from sktemporal.sktime import Forecaster  # noqa: E402

from _helpers import modules_loaded_by  # noqa: E402

FAST = {"n_reservoirs": 2, "n_reservoir": 30, "random_state": 0}


@pytest.fixture(scope="module")
def airline():
    values = load_airline()
    return pd.Series(values, index=pd.period_range("1949-01", periods=len(values), freq="M"))


def test_sktime_check_estimator():
    from sktime.utils.estimator_checks import check_estimator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(Forecaster, raise_exceptions=False, verbose=False)
    failed = {name: str(result)[:300] for name, result in results.items() if result != "PASSED"}
    assert len(results) > 100 and not failed, failed


def test_parameters_mirror_the_package_forecaster():
    assert Forecaster().get_params() == PackageForecaster().get_params()


def test_same_forecasts_as_the_package_forecaster_on_sktime_index(airline):
    y_train = airline[:-12]
    ours = Forecaster(**FAST).fit(y_train, fh=np.arange(1, 13))
    package = PackageForecaster(**FAST).fit(y_train.to_numpy())
    pred = ours.predict()
    assert isinstance(pred, pd.Series) and pred.index.equals(airline.index[-12:])
    np.testing.assert_allclose(pred.to_numpy(), package.predict(12))
    assert ours.forecaster_.chosen_ == package.chosen_


def test_relative_and_absolute_horizons_agree(airline):
    ours = Forecaster(**FAST).fit(airline[:-12])
    relative = ours.predict(fh=[3, 1, 12])
    absolute = ours.predict(fh=ForecastingHorizon(airline.index[[-12, -10, -1]], is_relative=False))
    full = ours.predict(fh=np.arange(1, 13)).to_numpy()
    np.testing.assert_allclose(relative.sort_index().to_numpy(), full[[0, 2, 11]])
    np.testing.assert_allclose(absolute.to_numpy(), full[[0, 2, 11]])


def test_in_sample_horizon_is_refused(airline):
    ours = Forecaster(**FAST).fit(airline[:-12])
    with pytest.raises(Exception, match="in-sample|insample"):
        ours.predict(fh=[-1, 0, 1])


def test_intervals_equal_the_package_intervals(airline):
    y_train = airline[:-12]
    ours = Forecaster(**FAST).fit(y_train, fh=np.arange(1, 13))
    package = PackageForecaster(**FAST).fit(y_train.to_numpy())
    frame = ours.predict_interval(coverage=[0.5, 0.8])
    assert frame.shape == (12, 4)
    for coverage in (0.5, 0.8):
        lower, upper = package.predict_interval(12, coverage=coverage)
        columns = [c for c in frame.columns if c[1] == coverage]
        np.testing.assert_allclose(frame[columns[0]].to_numpy(), lower)
        np.testing.assert_allclose(frame[columns[1]].to_numpy(), upper)
        assert columns[0][2] == "lower" and columns[1][2] == "upper"
    narrow, wide = frame.iloc[:, 1] - frame.iloc[:, 0], frame.iloc[:, 3] - frame.iloc[:, 2]
    assert (wide.to_numpy() > narrow.to_numpy()).all()


def test_update_matches_the_package_update(airline):
    ours = Forecaster(**FAST).fit(airline[:-24], fh=np.arange(1, 7))
    package = PackageForecaster(**FAST).fit(airline[:-24].to_numpy())
    ours.update(airline[-24:-12])  # only the new values
    package.update(airline[-24:-12].to_numpy())
    pred = ours.predict()
    assert pred.index[0] == airline.index[-12]
    np.testing.assert_allclose(pred.to_numpy(), package.predict(6))
    # a repeated update with the whole series only appends what is new
    ours.update(airline[:-6])
    package.update(airline[-12:-6].to_numpy())
    np.testing.assert_allclose(ours.predict().to_numpy(), package.predict(6))


def test_exogenous_values_of_the_forecast_steps():
    index = pd.date_range("2020-01-01", periods=80, freq="D")
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"driver": rng.randn(80)}, index=index)
    y = pd.Series(np.convolve(X["driver"], [0.0, 1.0], mode="full")[:80] + 5, index=index)
    ours = Forecaster(model="linear", random_state=0).fit(y[:70], X=X[:70], fh=np.arange(1, 6))
    pred = ours.predict(X=X[70:])
    package = PackageForecaster(model="linear", random_state=0).fit(
        y[:70].to_numpy(), X[:70].to_numpy())
    np.testing.assert_allclose(pred.to_numpy(), package.predict(5, X[70:75].to_numpy()))
    with pytest.raises(ValueError, match="X must hold the exogenous values"):
        ours.predict(X=X[70:72])


def test_several_outputs(airline):
    y = pd.DataFrame({"a": airline.to_numpy(), "b": airline.to_numpy()[::-1].copy()},
                     index=airline.index)
    ours = Forecaster(model="linear", random_state=0).fit(y[:-6], fh=np.arange(1, 7))
    pred = ours.predict()
    assert list(pred.columns) == ["a", "b"] and pred.shape == (6, 2)
    interval = ours.predict_interval(coverage=0.8)
    assert interval.shape == (6, 4)
    assert (interval[("a", 0.8, "lower")] <= pred["a"]).all()


def test_runaway_forecast_falls_back_with_a_warning(airline):
    y = airline[:-12]
    ours = Forecaster(model="linear", plausible_range=0.2, random_state=0).fit(y)
    with pytest.warns(ImplausibleForecastWarning, match="leaves the plausible range"):
        pred = ours.predict(fh=np.arange(1, 241))  # twenty years of a growing series
    span = y.max() - y.min()
    assert pred.min() >= y.min() - 0.2 * span and pred.max() <= y.max() + 0.2 * span


def test_importing_sktemporal_never_imports_sktime():
    code = (
        "import numpy as np, sktemporal, sktemporal.forecasting\n"
        "from sktemporal.forecasting import Forecaster\n"
        "Forecaster(model='linear').fit(np.sin(np.arange(40.0))).predict(2)\n"
    )
    assert modules_loaded_by(code, ("sktime", "skbase")) == []
