"""Tests for sktemporal.preprocessing: DelayEmbedding, GammaMemory, StepwiseTransformer."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.decomposition import PCA
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, PolynomialFeatures, StandardScaler

from sktemporal import DelayEmbedding, GammaMemory, StepwiseTransformer
from sktemporal.datasets import mackey_glass
from sktemporal.metrics import neg_nrmse_scorer, nrmse
from sktemporal.utils import validate_sequences


def ramp(T=10, F=2):
    """Feature f at step t is 100 * f + t: every value tells where it came from."""
    return np.arange(T, dtype=float)[:, None] + 100.0 * np.arange(F)[None, :]


def ragged(dtype=float):
    rng = np.random.RandomState(0)
    return [rng.normal(size=(T, 2)).astype(dtype) for T in (7, 3, 12)]


def nan_padded(seqs):
    X = np.full((len(seqs), max(len(s) for s in seqs), seqs[0].shape[1]), np.nan)
    for i, s in enumerate(seqs):
        X[i, : len(s)] = s
    return X


def delay_loop(X, lags, fill):
    """Reference delay line for one 2-D series, column f * n_lags + j = X[t - lags[j], f]."""
    T, F = X.shape
    out = np.empty((T, F * len(lags)))
    for t in range(T):
        for f in range(F):
            for j, lag in enumerate(lags):
                if t - lag >= 0:
                    out[t, f * len(lags) + j] = X[t - lag, f]
                else:
                    out[t, f * len(lags) + j] = X[0, f] if fill == "edge" else fill
    return out


def gamma_loop(X, order, mu, fill):
    """Direct implementation of the gamma recursion, one step at a time."""
    T, F = X.shape
    start = X[0] if fill == "edge" else np.full(F, fill)
    taps = np.empty((T, order + 1, F))
    prev = np.tile(start, (order + 1, 1))  # taps at n = -1: steady state of the history
    for n in range(T):
        taps[n, 0] = X[n]
        for k in range(1, order + 1):
            taps[n, k] = (1 - mu) * prev[k] + mu * prev[k - 1]
        prev = taps[n]
    return taps.transpose(0, 2, 1).reshape(T, F * (order + 1))


# ----------------------------------------------------------------------------------
# DelayEmbedding
# ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "params, lags",
    [
        ({"delays": 3}, [0, 1, 2, 3]),
        ({"delays": 2, "stride": 3}, [0, 3, 6]),
        ({"delays": [0, 2, 5]}, [0, 2, 5]),
        ({"delays": [4, 1]}, [4, 1]),
        ({"delays": 0}, [0]),
    ],
)
def test_delay_lags_on_ramp(params, lags):
    X = ramp(12, 2)
    emb = DelayEmbedding(**params).fit(X)
    assert_array_equal(emb.lags_, lags)
    Xt = emb.transform(X)
    assert Xt.shape == (12, 2 * len(lags))
    assert_array_equal(Xt, delay_loop(X, lags, "edge"))
    # past the start every column is the ramp shifted by its lag
    n = len(lags)
    for f in range(2):
        for j, lag in enumerate(lags):
            assert_array_equal(Xt[lag:, f * n + j], X[: 12 - lag, f])


@pytest.mark.parametrize("fill", ["edge", -1.0, 0, np.nan])
def test_delay_fill_modes(fill):
    X = ramp(6, 1) + 5.0
    Xt = DelayEmbedding(delays=2, fill=fill).fit_transform(X)
    expected_first = {"edge": 5.0}.get(fill, fill)
    assert_array_equal(Xt[:, 0], X[:, 0])
    assert_array_equal(Xt[0, 1:], [expected_first] * 2)
    assert_array_equal(Xt[1, 1:], [5.0, expected_first])
    assert_array_equal(Xt[2:], delay_loop(X, [0, 1, 2], "edge")[2:])


def test_delay_keeps_row_count_and_names():
    X = ramp(4, 2)
    emb = DelayEmbedding(delays=2).fit(X)
    assert emb.transform(X).shape[0] == 4
    assert emb.transform(X[:1]).shape == (1, 6)
    assert emb.get_feature_names_out().tolist() == [
        "x0_lag0", "x0_lag1", "x0_lag2", "x1_lag0", "x1_lag1", "x1_lag2",
    ]
    assert DelayEmbedding(delays=1, stride=2).fit(X).get_feature_names_out().tolist() == [
        "x0_lag0", "x0_lag2", "x1_lag0", "x1_lag2",
    ]
    assert emb.get_feature_names_out(["a", "b"])[3] == "b_lag0"
    with pytest.raises(ValueError, match="input_features"):
        emb.get_feature_names_out(["a"])


def test_delay_pandas_names_and_set_output():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame({"temp": np.arange(5.0), "rain": np.arange(5.0) * 10}, index=list("abcde"))
    emb = DelayEmbedding(delays=1).set_output(transform="pandas")
    Xt = emb.fit_transform(X)
    assert isinstance(Xt, pd.DataFrame)
    assert list(Xt.columns) == ["temp_lag0", "temp_lag1", "rain_lag0", "rain_lag1"]
    assert list(Xt.index) == list("abcde")
    assert_array_equal(Xt["rain_lag1"], [0.0, 0.0, 10.0, 20.0, 30.0])
    assert_array_equal(emb.feature_names_in_, ["temp", "rain"])
    gamma = GammaMemory(order=1).set_output(transform="pandas").fit(X)
    assert list(gamma.transform(X).columns) == [
        "temp_gamma0", "temp_gamma1", "rain_gamma0", "rain_gamma1",
    ]


def test_delay_windows_shape_and_content():
    X = ramp(8, 2)
    W = DelayEmbedding(delays=3, output="windows").fit_transform(X)
    assert W.shape == (8, 4, 2)
    # window t holds rows t-3 .. t, oldest first, the current step last
    for t in range(8):
        expected = X[np.maximum(np.arange(t - 3, t + 1), 0)]
        assert_array_equal(W[t], expected)
    assert_array_equal(W[:, -1], X)  # predicting y[t] from the window ending at t
    # a list of lags: the window holds exactly those lags, oldest first
    W = DelayEmbedding(delays=[0, 4, 2], output="windows", fill=-1.0).fit_transform(X)
    assert W.shape == (8, 3, 2)
    assert_array_equal(W[6, :, 0], [2.0, 4.0, 6.0])
    assert_array_equal(W[1, :, 0], [-1.0, -1.0, 1.0])
    # the flat mode holds the same values
    flat = DelayEmbedding(delays=3).fit_transform(X)
    W = DelayEmbedding(delays=3, output="windows").fit_transform(X)
    assert_array_equal(flat[:, :4], W[:, ::-1, 0])
    emb = DelayEmbedding(delays=3, output="windows").fit(X)
    assert emb.get_feature_names_out().tolist() == ["x0", "x1"]


def test_windows_mode_refuses_collections_and_dataframe_output():
    with pytest.raises(ValueError, match="output='windows' turns ONE series"):
        DelayEmbedding(output="windows").fit(np.zeros((2, 5, 1)))
    emb = DelayEmbedding(output="windows").fit(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="output='windows' turns ONE series"):
        emb.transform(ragged())
    emb.set_output(transform="pandas")
    with pytest.raises(ValueError, match="3-D array of windows.*set_output"):
        emb.transform(np.zeros((5, 2)))


@pytest.mark.parametrize(
    "make", [lambda: DelayEmbedding(delays=[0, 1, 3]), lambda: GammaMemory(order=3, mu=0.4)]
)
def test_collections_embedded_per_sequence(make):
    seqs = ragged()
    series_out = [make().fit(s).transform(s) for s in seqs]
    # ragged list -> list, each sequence as if alone (no leakage across sequences)
    out = make().fit_transform(seqs)
    assert isinstance(out, list) and len(out) == 3
    for o, expected in zip(out, series_out):
        assert_allclose(o, expected, rtol=1e-12, atol=1e-12)
    # NaN-padded 3-D -> 3-D, padded steps stay NaN
    out = make().fit_transform(nan_padded(seqs))
    width = series_out[0].shape[1]
    assert out.shape == (3, 12, width)
    for i, expected in enumerate(series_out):
        assert_allclose(out[i, : len(expected)], expected, rtol=1e-12, atol=1e-12)
        assert np.isnan(out[i, len(expected):]).all()
    # regular 3-D -> 3-D
    X3 = np.stack([s[:3] for s in seqs])
    out = make().fit_transform(X3)
    assert out.shape == (3, 3, width)
    for i in range(3):
        assert_allclose(out[i], make().fit_transform(X3[i]), rtol=1e-12, atol=1e-12)


def test_collection_output_refuses_dataframe_output():
    pytest.importorskip("pandas")
    for est in (DelayEmbedding(), GammaMemory(), StepwiseTransformer(StandardScaler())):
        est.set_output(transform="pandas")
        with pytest.raises(ValueError, match="collection of sequences"):
            est.fit_transform(ragged())


def test_the_refusal_survives_clone_pickle_and_a_pipeline():
    """The container chosen with set_output is the package's own record, carried by clone and pickle."""
    import pickle

    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline

    pd = pytest.importorskip("pandas")
    from sktemporal import Reservoir

    for est in (DelayEmbedding(), GammaMemory(), StepwiseTransformer(StandardScaler()),
                Reservoir(n_reservoir=5, pooling=None, random_state=0)):
        for configured in (clone(est.set_output(transform="pandas")),
                           pickle.loads(pickle.dumps(est)),
                           make_pipeline(clone(est).set_output(transform="default")).set_output(transform="pandas")):
            assert isinstance(configured.fit_transform(ramp(6, 2)), pd.DataFrame)
            with pytest.raises(ValueError, match="cannot be held in a pandas DataFrame"):
                configured.fit_transform(ragged())
        est.set_output(transform="default")
        assert isinstance(clone(est).fit_transform(ragged()), list)


def test_dtype_preserved():
    for est in (DelayEmbedding(2), GammaMemory(order=2), StepwiseTransformer(StandardScaler())):
        assert est.fit_transform(ramp(5, 2).astype(np.float32)).dtype == np.float32
        assert all(x.dtype == np.float32 for x in est.fit_transform(ragged(np.float32)))
        assert est.fit_transform(ramp(5, 2).astype(int)).dtype == np.float64


def test_feature_count_checked_at_transform():
    emb = DelayEmbedding().fit(ramp(5, 2))
    with pytest.raises(ValueError, match="X has 3 features, but DelayEmbedding is expecting 2"):
        emb.transform(ramp(5, 3))


# ----------------------------------------------------------------------------------
# GammaMemory
# ----------------------------------------------------------------------------------
@pytest.mark.parametrize("fill", ["edge", 0.0, 2.5])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gamma_mu_one_equals_delay_line(fill, dtype):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(30, 3)).astype(dtype)
    gamma = GammaMemory(order=6, mu=1.0, fill=fill).fit_transform(X)
    delay = DelayEmbedding(delays=6, fill=fill).fit_transform(X)
    assert gamma.dtype == delay.dtype == dtype
    assert_array_equal(gamma, delay)
    seqs = [s.astype(dtype) for s in ragged()]
    for g, d in zip(
        GammaMemory(order=4, mu=1, fill=fill).fit_transform(seqs),
        DelayEmbedding(delays=4, fill=fill).fit_transform(seqs),
    ):
        assert_array_equal(g, d)


@pytest.mark.parametrize("mu", [0.05, 0.3, 0.8, 1.0, 1.6])
@pytest.mark.parametrize("fill", ["edge", 0.0, -1.5])
def test_gamma_matches_direct_recursion(mu, fill):
    rng = np.random.RandomState(2)
    X = rng.normal(size=(40, 2))
    out = GammaMemory(order=4, mu=mu, fill=fill).fit_transform(X)
    assert out.shape == (40, 2 * 5)
    assert_allclose(out, gamma_loop(X, 4, mu, fill), rtol=1e-10, atol=1e-12)


def test_gamma_memory_depth_grows_as_mu_shrinks():
    # the impulse response of tap K has unit sum and mean delay K / mu (memory depth)
    X = np.zeros((400, 1))
    X[0] = 1.0
    steps = np.arange(400)
    for mu, depth in [(1.0, 4), (0.5, 8), (0.25, 16), (1.5, 4 / 1.5)]:
        h = GammaMemory(order=4, mu=mu, fill=0.0).fit_transform(X)[:, 4]
        assert_allclose(h.sum(), 1.0)
        assert_allclose(steps @ h, depth)
    # the DC gain of every tap is 1: a constant series passes unchanged through all taps
    const = GammaMemory(order=5, mu=0.3, fill="edge").fit_transform(np.full((10, 2), 3.0))
    assert_allclose(const, 3.0)


def test_gamma_order_zero_is_identity():
    X = ramp(6, 2)
    assert_array_equal(GammaMemory(order=0).fit_transform(X), X)


# ----------------------------------------------------------------------------------
# StepwiseTransformer
# ----------------------------------------------------------------------------------
def test_stepwise_on_list_padded_and_3d():
    seqs = ragged()
    reference = StandardScaler().fit(np.concatenate(seqs))
    out = StepwiseTransformer(StandardScaler()).fit_transform(seqs)
    assert isinstance(out, list)
    for o, s in zip(out, seqs):
        assert_allclose(o, reference.transform(s))
    step = StepwiseTransformer(StandardScaler()).fit(nan_padded(seqs))
    assert step.n_features_in_ == 2
    assert isinstance(step.transformer_, StandardScaler)
    assert_allclose(step.transformer_.mean_, reference.mean_)  # padding never fitted
    out = step.transform(nan_padded(seqs))
    assert out.shape == (3, 12, 2)
    for i, s in enumerate(seqs):
        assert_allclose(out[i, : len(s)], reference.transform(s))
        assert np.isnan(out[i, len(s):]).all()
    X3 = np.stack([s[:3] for s in seqs])
    out = StepwiseTransformer(MinMaxScaler()).fit_transform(X3)
    assert out.shape == X3.shape
    assert out.min() == 0 and out.max() == 1
    # a 2-D series stays 2-D and equals the inner transformer
    assert_allclose(StepwiseTransformer(StandardScaler()).fit_transform(seqs[2]),
                    StandardScaler().fit_transform(seqs[2]))


def test_stepwise_clones_changes_width_and_inverts():
    seqs = ragged()
    inner = PCA(n_components=1)
    step = StepwiseTransformer(inner).fit(seqs)
    assert step.transformer_ is not inner and not hasattr(inner, "components_")
    out = step.transform(seqs)
    assert [o.shape for o in out] == [(7, 1), (3, 1), (12, 1)]
    assert step.get_feature_names_out().tolist() == ["pca0"]
    scaler = StepwiseTransformer(StandardScaler()).fit(nan_padded(seqs))
    back = scaler.inverse_transform(scaler.transform(nan_padded(seqs)))
    assert_allclose(back, nan_padded(seqs))
    assert not hasattr(StepwiseTransformer(PolynomialFeatures()), "inverse_transform")


def test_stepwise_feature_names():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame({"temp": [1.0, 2.0, 4.0], "rain": [0.0, 1.0, 0.0]})
    step = StepwiseTransformer(StandardScaler()).set_output(transform="pandas")
    Xt = step.fit_transform(X)
    assert list(Xt.columns) == ["temp", "rain"]
    assert_allclose(Xt.to_numpy(), StandardScaler().fit_transform(X))
    assert_array_equal(step.feature_names_in_, ["temp", "rain"])
    assert step.get_feature_names_out().tolist() == ["temp", "rain"]


def test_pipeline_on_ragged_collections():
    # scale the steps of a ragged collection, then embed each sequence
    seqs = ragged()
    pipe = Pipeline(
        [("scale", StepwiseTransformer(StandardScaler())), ("lags", DelayEmbedding(delays=2))]
    )
    out = pipe.fit_transform(seqs)
    scaled = StepwiseTransformer(StandardScaler()).fit_transform(seqs)
    for o, s in zip(out, scaled):
        assert_allclose(o, DelayEmbedding(delays=2).fit_transform(s))
    out3 = pipe.fit(nan_padded(seqs)).transform(nan_padded(seqs))
    assert out3.shape == (3, 12, 6)


class LastStepRidge(RegressorMixin, BaseEstimator):
    """A minimal many-to-one sequence model: Ridge on the last valid step of each sequence."""

    def fit(self, X, y):
        batch, targets = validate_sequences(self, X, y, reset=True)
        self.ridge_ = Ridge(alpha=1e-6).fit(self._last(batch), targets.flat()[:, 0])
        return self

    def predict(self, X):
        batch, _ = validate_sequences(self, X, reset=False)
        return self.ridge_.predict(self._last(batch))

    @staticmethod
    def _last(batch):
        return batch.values[np.arange(batch.n_sequences), batch.lengths - 1]


@pytest.mark.parametrize("layout", ["list", "nan_padded"])
def test_pipeline_scaling_into_a_sequence_model(layout):
    seqs = [s * 10 + 3 for s in ragged()] * 2
    X = seqs if layout == "list" else nan_padded(seqs)
    y = np.array([s[-1, 0] - 2 * s[-1, 1] for s in seqs])
    pipe = Pipeline([("scale", StepwiseTransformer(StandardScaler())), ("model", LastStepRidge())])
    assert_allclose(pipe.fit(X, y).predict(X), y, rtol=1e-4)
    scale = pipe.named_steps["scale"].transformer_
    assert_allclose(scale.mean_, np.concatenate(seqs).mean(axis=0))


def test_windows_feed_a_sequence_model():
    X = np.random.RandomState(3).normal(size=(30, 1))
    y = 2 * X[:, 0]  # the current step must be the last step of its window
    pipe = Pipeline(
        [("win", DelayEmbedding(delays=4, output="windows")), ("model", LastStepRidge())]
    )
    pred = pipe.fit(X, y).predict(X)
    assert pred.shape == (30,)
    assert_allclose(pred, y, atol=1e-6)


# ----------------------------------------------------------------------------------
# bad parameters
# ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "est, match",
    [
        (DelayEmbedding(delays=-1),
            r"'delays' parameter of DelayEmbedding must be "
            r"an int in the range \[0, inf\).*Got -1"),
        (DelayEmbedding(delays=[0, -2]), "delays must hold non-negative lags"),
        (DelayEmbedding(delays=[]), "delays given as a list must be a non-empty"),
        (DelayEmbedding(delays=[1, 1]), "delays must not repeat a lag"),
        (DelayEmbedding(delays=2.5), r"'delays' parameter of DelayEmbedding.*Got 2.5 instead.*lags 0, stride"),
        (DelayEmbedding(delays=[0, 1.5]), "delays given as a list"),
        (DelayEmbedding(stride=0),
            r"'stride' parameter of DelayEmbedding must be an "
            r"int in the range \[1, inf\). Got 0.*spacing"),
        (DelayEmbedding(delays=[0, 1], stride=2), r"stride spaces the lags.*delays=\[0, 2\]"),
        (DelayEmbedding(fill="zero"),
            r"'fill' parameter of DelayEmbedding must be a str among "
            r"\{'edge'\}, a float .* or numpy.nan. Got 'zero'"),
        (DelayEmbedding(fill=np.inf), r"'fill' parameter of DelayEmbedding.*Got inf"),
        (DelayEmbedding(output="cube"),
            r"'output' parameter of DelayEmbedding must "
            r"be a str among .*'windows'.*Got 'cube'"),
        (GammaMemory(mu=0),
            r"'mu' parameter of GammaMemory must be a float in the range "
            r"\(0.0, 2.0\). Got 0 .*stable only for 0 < mu < 2"),
        (GammaMemory(mu=2.0), r"'mu' parameter of GammaMemory.*Got 2.0 .*stable only for 0 < mu < 2"),
        (GammaMemory(mu=-0.5), r"'mu' parameter of GammaMemory.*Got -0.5"),
        (GammaMemory(mu="fast"), r"'mu' parameter of GammaMemory.*Got 'fast'"),
        (GammaMemory(order=-1), r"'order' parameter of GammaMemory must be an int in the range \[0, inf\). Got -1"),
        (GammaMemory(order=2.0), r"'order' parameter of GammaMemory.*Got 2.0"),
        (GammaMemory(fill=np.nan), "fill=nan, which would make every gamma tap NaN"),
        (GammaMemory(fill="first"),
            r"'fill' parameter of GammaMemory must be a str "
            r"among \{'edge'\} or a float.*Got 'first'"),
    ],
)
def test_bad_parameters(est, match):
    with pytest.raises(ValueError, match=match):
        est.fit(ramp(5, 1))


def test_stepwise_bad_transformer():
    with pytest.raises(TypeError, match=r"'transformer' parameter of StepwiseTransformer must be an object "
                                        r"implementing 'fit' and 'transform'. Got 'scaler'"):
        StepwiseTransformer("scaler").fit(ramp(5, 1))
    with pytest.raises(TypeError, match="'transformer' parameter of StepwiseTransformer"):
        StepwiseTransformer(Ridge()).fit(ramp(5, 1))


# ----------------------------------------------------------------------------------
# the foundation's "Done when" task
# ----------------------------------------------------------------------------------
def test_mackey_glass_one_step_ahead_grid_search():
    X, y = mackey_glass(2000, random_state=0)  # y[t] = X[t + 1]
    n_train = 1500
    pipe = Pipeline([("lags", DelayEmbedding(delays=10)), ("ridge", Ridge())])
    search = GridSearchCV(
        pipe,
        {"lags__delays": [2, 5, 10, 30], "ridge__alpha": [1e-6, 1e-3, 1.0]},
        cv=TimeSeriesSplit(5),
        scoring=neg_nrmse_scorer,
    )
    search.fit(X[:n_train], y[:n_train])
    assert search.best_params_["lags__delays"] > 2
    # One-step-ahead prediction of the test stretch: the lags of row t only look back in
    # X (all known at time t), so predicting on the whole series and scoring the test
    # rows uses no future values, and the first test rows see their true history
    # instead of the start padding.
    pred = search.predict(X)[n_train:]
    score = nrmse(y[n_train:], pred)
    assert score < 0.01, score
    # the persistence forecast (y[t] = x[t]) is far worse: the lags do the work
    assert nrmse(y[n_train:], X[n_train:, 0]) > 10 * score
