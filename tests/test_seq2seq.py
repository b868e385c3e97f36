"""Seq2SeqRegressor and the forecasting helpers."""

import warnings
from functools import partial

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.model_selection import TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline

from sktemporal import DelayEmbedding, RNNRegressor, Seq2SeqRegressor, TDNNRegressor
from sktemporal.datasets import mackey_glass
from sktemporal.forecasting import make_horizon_targets, make_windows, recursive_forecast
from sktemporal.neural_network._cells import CELLS
from sktemporal.neural_network._seq2seq import DecoderFeedback, EncoderDecoder, _Seq2SeqData

from _helpers import check_gradient


@pytest.mark.parametrize("cell", ["elman", "lstm", "gru"])
@pytest.mark.parametrize("per_step", [False, True])
def test_encoder_decoder_gradient(cell, per_step):
    rng = np.random.RandomState(0)
    H, k, n_in = 3, 2, 2
    lengths = np.array([5, 3, 4])
    X = rng.normal(size=(3, 5, n_in))
    X[np.arange(5)[None, :] >= lengths[:, None]] = 0
    Y = rng.normal(size=(3, 5, H * k) if per_step else (3, H * k))
    factory = CELLS[cell] if cell != "elman" else partial(CELLS[cell], activation="tanh")
    net = EncoderDecoder(factory, n_in, (4, 3), k, H, per_step=per_step, bidirectional=not per_step)
    data = _Seq2SeqData(X, lengths, Y, per_step, None, DecoderFeedback(H, k, teacher_forcing=1.0))
    check_gradient(net, data, "squared_error", rng)


def test_windows_collection_forecast_and_layouts():
    s = np.sin(0.2 * np.arange(600))[:, None]
    X, Y = make_windows(s, window=20, horizon=5)
    model = Seq2SeqRegressor((16,), cell="gru", solver="lbfgs", max_iter=100, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X[:400], Y[:400])
    assert model.horizon_ == 5
    assert model.predict(X[400:]).shape == (len(X) - 400, 5)
    assert model.score(X[400:], Y[400:]) > 0.99
    # two outputs per step: (n, H, 2)
    s2 = np.hstack([s, np.cos(0.2 * np.arange(600))[:, None]])
    X2, Y2 = make_windows(s2, window=10, horizon=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model2 = Seq2SeqRegressor((8,), cell="lstm", solver="lbfgs", max_iter=30, random_state=0).fit(X2, Y2)
    assert model2.predict(X2[:4]).shape == (4, 3, 2)


def test_scheduled_sampling_and_series_mode_with_timeseriessplit():
    s = np.sin(0.2 * np.arange(700))[:, None]
    X, Y = make_horizon_targets(s, horizon=4)
    model = Seq2SeqRegressor((12,), cell="gru", bptt_steps=25, teacher_forcing=0.5, max_iter=20,
                             learning_rate_init=0.01, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(model, X, Y, cv=TimeSeriesSplit(3))
    assert scores.min() > 0.9
    assert model.fit(X, Y).predict(X).shape == Y.shape


def test_seq2seq_errors():
    X = np.zeros((5, 4, 1))
    with pytest.raises(ValueError, match="y must be"):
        Seq2SeqRegressor().fit(X, np.zeros(5))
    with pytest.raises(ValueError, match=r"'teacher_forcing' parameter of Seq2SeqRegressor must "
                       r"be a float in the range \[0.0, 1.0\]. Got 2"):
        Seq2SeqRegressor(teacher_forcing=2).fit(X, np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"'cell' parameter of Seq2SeqRegressor must "
                       r"be a str among .*'lstm'.*Got 'jordan'"):
        Seq2SeqRegressor(cell="jordan").fit(X, np.zeros((5, 2)))
    assert not hasattr(Seq2SeqRegressor(), "generate")


def test_make_windows_never_leaks_the_future():
    series = np.arange(30.0)[:, None]
    X, Y = make_windows(series, window=4, horizon=3, stride=2)
    assert (Y.min(axis=1) > X[:, :, 0].max(axis=1)).all()  # targets strictly after the window
    np.testing.assert_array_equal(Y[:, 0], X[:, -1, 0] + 1)
    assert X[-1, -1, 0] + 3 <= 29
    Xh, Yh = make_horizon_targets(series, horizon=3)
    assert len(Xh) == 27 and (Yh[:, 0] == Xh[:, 0] + 1).all() and (Yh[:, 2] == Xh[:, 0] + 3).all()
    with pytest.raises(ValueError, match="too short"):
        make_windows(series[:5], window=4, horizon=3)
    with pytest.raises(ValueError, match=r"'window' parameter of make_windows must be "
                       r"an int in the range \[1, inf\). Got 0"):
        make_windows(series, window=0)
    with pytest.raises(ValueError, match="one 2-D series"):
        make_windows(np.zeros((2, 5, 1)), window=2)


def test_recursive_forecast_with_pipeline_tdnn_and_generate():
    X, _ = mackey_glass(1200, random_state=0)
    train, y_train = X[:999], X[1:1000, 0]
    future = X[1000:1020, 0]
    pipe = make_pipeline(DelayEmbedding(delays=20), Ridge(alpha=1e-8)).fit(train, y_train)
    error = np.abs(future - recursive_forecast(pipe, X[:1000], 20))
    assert error.max() < 0.15  # the series spans ~[0.4, 1.3]
    assert error.mean() < np.abs(future - X[999, 0]).mean() / 3  # far better than persistence
    tdnn = TDNNRegressor((16,), delays=8, solver="lbfgs", max_iter=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tdnn.fit(train, y_train)
    assert recursive_forecast(tdnn, X[:1000], 20).shape == (20,)
    rnn = RNNRegressor((8,), solver="lbfgs", max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        rnn.fit(train, y_train)
    np.testing.assert_allclose(recursive_forecast(rnn, X[:1000], 5), rnn.generate(5, warmup=X[:1000]))
    two = make_pipeline(DelayEmbedding(delays=2), Ridge()).fit(train, np.hstack([train, train]))
    with pytest.raises(ValueError, match="must predict 1 value"):
        recursive_forecast(two, X[:100], 3)


def test_sktime_make_reduction_wraps_an_sktemporal_regressor():
    sktime = pytest.importorskip("sktime")
    from sktime.forecasting.compose import make_reduction

    pd = pytest.importorskip("pandas")
    X, _ = mackey_glass(400, random_state=0)
    y = pd.Series(X[:, 0])
    forecaster = make_reduction(TDNNRegressor((8,), delays=0, solver="lbfgs", max_iter=100, random_state=0),
                                window_length=10, strategy="recursive")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecaster.fit(y[:380])
        pred = forecaster.predict(fh=np.arange(1, 11))
    assert len(pred) == 10 and np.abs(X[380:390, 0] - np.asarray(pred)).max() < 0.25
    assert sktime.__version__


def test_skforecast_recursive_forecaster_wraps_an_sktemporal_regressor():
    skforecast = pytest.importorskip("skforecast")
    pd = pytest.importorskip("pandas")
    try:
        from skforecast.recursive import ForecasterRecursive
    except ImportError:  # older skforecast
        from skforecast.ForecasterAutoreg import ForecasterAutoreg as ForecasterRecursive
    X, _ = mackey_glass(400, random_state=0)
    y = pd.Series(X[:, 0])
    # the estimator is the first argument ('regressor' before skforecast 0.25, 'estimator' since)
    forecaster = ForecasterRecursive(TDNNRegressor((8,), delays=0, solver="lbfgs", max_iter=100, random_state=0),
                                     lags=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecaster.fit(y=y[:380])
        pred = forecaster.predict(steps=10)
    assert len(pred) == 10 and np.abs(X[380:390, 0] - np.asarray(pred)).max() < 0.25
    assert skforecast.__version__
