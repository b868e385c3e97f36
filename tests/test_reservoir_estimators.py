"""ESNRegressor, ESNClassifier and Reservoir: tasks, layouts, streaming, determinism."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline

from sktemporal.datasets import (
    mackey_glass,
    make_sequence_classification,
    memory_task,
    narma,
)
from sktemporal.metrics import memory_capacity, nrmse
from sktemporal.reservoir import ESNClassifier, ESNRegressor, Reservoir


@pytest.fixture(scope="module")
def mg():
    return mackey_glass(6000, random_state=0)


@pytest.fixture(scope="module")
def ragged():
    rs = np.random.RandomState(0)
    X = [rs.randn(t, 3) for t in (7, 15, 3, 15, 11)]
    y_seq = np.array([x[:, 0].sum() for x in X])
    y_step = [np.cumsum(x[:, 1]) for x in X]
    return X, y_seq, y_step


# ----------------------------------------------------------------------------------
# tasks (fixed seeds; the targets of the issue)
# ----------------------------------------------------------------------------------
def test_mackey_glass_one_step(mg):
    X, y = mg
    esn = ESNRegressor(n_reservoir=1000, leak_rate=0.3, alpha=1e-8, washout=100, random_state=0)
    esn.fit(X[:2000], y[:2000])
    assert nrmse(y[2000:2500], esn.predict(X[2000:2500])) < 2e-3


def test_mackey_glass_free_run(mg):
    X, y = mg
    esn = ESNRegressor(n_reservoir=1000, leak_rate=0.3, spectral_radius=1.1, input_scaling=0.5,
                       bias_scaling=0.2, alpha=1e-9, washout=100, random_state=0)
    esn.fit(X[:5000], y[:5000])
    generated = esn.generate(300)  # continues from the end of the training series
    # generated[0] predicts the step after the last training input, i.e. y[4999]
    assert np.abs(generated - y[4999:5299]).max() < 0.1 * y.std()
    # the same run from an explicit warm-up
    warm = esn.set_params(initial_state="zeros").generate(300, warmup=X[4000:5000])
    assert np.abs(warm - y[4999:5299]).max() < 0.1 * y.std()


def test_narma10():
    X, y = narma(3000, random_state=0)
    esn = ESNRegressor(n_reservoir=200, spectral_radius=0.95, input_scaling=0.5, alpha=1e-8,
                       washout=100, random_state=0)
    esn.fit(X[:2000], y[:2000])
    assert nrmse(y[2000:], esn.predict(X[2000:])) < 0.25


def test_memory_capacity():
    X, y = memory_task(3000, max_delay=80, random_state=0)
    capacities = []
    for scaling in (1.0, 0.1, 0.01):
        esn = ESNRegressor(n_reservoir=50, input_scaling=scaling, bias_scaling=0.0, alpha=1e-10,
                           include_input=False, washout=100, random_state=0)
        esn.fit(X[:2000], y[:2000])
        capacities.append(memory_capacity(y[2000:], esn.predict(X[2000:])))
    assert all(0 < mc <= 50 for mc in capacities)
    assert capacities[0] < capacities[1] < capacities[2]  # more linear, longer memory


def test_sequence_classification():
    X, y = make_sequence_classification(300, n_classes=3, n_features=2, random_state=0)
    clf = ESNClassifier(n_reservoir=200, pooling="mean", alpha=1e-2, random_state=0)
    clf.fit(X[:200], y[:200])
    assert clf.score(X[200:], y[200:]) > 0.9
    proba = clf.predict_proba(X[200:])
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X[200:]))


# ----------------------------------------------------------------------------------
# series: where predict starts
# ----------------------------------------------------------------------------------
def test_continue_equals_one_long_run(mg):
    X, y = mg
    esn = ESNRegressor(n_reservoir=100, washout=50, random_state=0).fit(X[:1000], y[:1000])
    continued = esn.predict(X[1000:1200])
    whole = esn.set_params(initial_state="zeros").predict(X[:1200])
    np.testing.assert_allclose(continued, whole[1000:], rtol=1e-10, atol=1e-12)
    fresh = esn.predict(X[1000:1200])  # from zeros: every prediction returned, finite
    assert np.isfinite(fresh).all() and fresh.shape == (200,)
    assert not np.allclose(fresh[:5], whole[1000:1005])


def test_time_series_split_scores(mg):
    X, y = mg[0][:1500], mg[1][:1500]
    cv = TimeSeriesSplit(n_splits=3, test_size=100)
    esn = ESNRegressor(n_reservoir=200, leak_rate=0.3, washout=100, random_state=0)
    cont = cross_val_score(esn, X, y, cv=cv)
    zeros = cross_val_score(esn.set_params(initial_state="zeros"), X, y, cv=cv)
    # continuing from the training block gives the score of the model in use; a restart
    # from zeros adds a start-up transient to every test block
    assert cont.min() > 0.999
    assert (zeros < cont).all()


def test_partial_fit_in_pieces_equals_fit(mg):
    X, y = mg
    whole = ESNRegressor(n_reservoir=100, washout=20, alpha=1e-2, random_state=0).fit(X[:900], y[:900])
    pieces = ESNRegressor(n_reservoir=100, washout=20, alpha=1e-2, random_state=0)
    for start in range(0, 900, 300):
        pieces.partial_fit(X[start:start + 300], y[start:start + 300])
    np.testing.assert_allclose(pieces.coef_, whole.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(pieces.predict(X[900:1000]), whole.predict(X[900:1000]), atol=1e-10)


def test_rls_solver(mg):
    X, y = mg
    # the same least-squares problem (RLS also penalises the bias, by alpha, negligibly)
    ridge = ESNRegressor(n_reservoir=50, alpha=1e-3, bias_scaling=1.0, random_state=0).fit(X[:1000], y[:1000])
    rls = ESNRegressor(n_reservoir=50, alpha=1e-3, bias_scaling=1.0, solver="rls",
                       random_state=0).fit(X[:1000], y[:1000])
    np.testing.assert_allclose(rls.predict(X[1000:1200]), ridge.predict(X[1000:1200]), atol=1e-4)
    online = ESNRegressor(n_reservoir=50, alpha=1e-6, solver="rls", forgetting=0.999, random_state=0)
    for start in range(0, 1000, 250):
        online.partial_fit(X[start:start + 250], y[start:start + 250])
    assert nrmse(y[1000:1200], online.predict(X[1000:1200])) < 0.05


def test_feedback_teacher_forcing_and_pattern_generation():
    t = np.arange(1200)
    y = np.sin(2 * np.pi * t / 40)
    X = np.zeros((1200, 1))  # no input: the pattern lives in the feedback loop
    esn = ESNRegressor(n_reservoir=100, feedback=True, feedback_scaling=1.0, spectral_radius=0.8,
                       bias_scaling=1.0, alpha=1e-8, washout=100, random_state=0).fit(X[:1000], y[:1000])
    assert esn.feedback_weights_.shape == (100, 1)
    generated = esn.generate(201)  # generated[0] is the output at the last training step
    np.testing.assert_allclose(generated, y[999:1200], atol=1e-2)
    # with a zero input, predict runs the same loop (started from the last true target)
    np.testing.assert_allclose(esn.predict(X[1000:1200]), y[1000:1200], atol=1e-2)


def test_refit_without_feedback_drops_feedback_weights():
    rs = np.random.RandomState(0)
    X, y = rs.randn(60, 2), rs.randn(60)
    esn = ESNRegressor(n_reservoir=20, feedback=True, random_state=0).fit(X, y)
    assert esn.feedback_weights_.shape == (20, 1)
    esn.set_params(feedback=False).fit(X, y)
    assert esn.feedback_weights_ is None  # no stale W_fb from the previous fit


# ----------------------------------------------------------------------------------
# collections
# ----------------------------------------------------------------------------------
def test_batched_collection_equals_one_by_one(ragged):
    X, y_seq, y_step = ragged
    for y, pooling in ((y_seq, "both"), (y_step, "last")):
        esn = ESNRegressor(n_reservoir=40, pooling=pooling, washout=2, random_state=0).fit(X, y)
        batched = esn.predict(X)
        one_by_one = [esn.predict([x])[0] for x in X]
        np.testing.assert_allclose(np.concatenate([np.atleast_1d(b) for b in batched]),
                                   np.concatenate([np.atleast_1d(o) for o in one_by_one]), atol=1e-12)


def test_ragged_layouts(ragged):
    X, y_seq, y_step = ragged
    esn = ESNRegressor(n_reservoir=40, random_state=0).fit(X, y_step)
    pred = esn.predict(X)
    assert isinstance(pred, list) and [p.shape for p in pred] == [(len(x),) for x in X]
    padded = np.full((5, 15, 3), np.nan)
    for i, x in enumerate(X):
        padded[i, :len(x)] = x
    pred3d = esn.predict(padded)
    assert pred3d.shape == (5, 15)
    for i, x in enumerate(X):
        np.testing.assert_allclose(pred3d[i, :len(x)], pred[i], atol=1e-12)
        assert np.isnan(pred3d[i, len(x):]).all()
    # padded steps never enter the readout: a 3-D fit equals the list fit
    np.testing.assert_allclose(ESNRegressor(n_reservoir=40, random_state=0).fit(
        padded, np.array([np.r_[y, np.full(15 - len(y), np.nan)] for y in y_step])[:, :, None]).coef_,
        esn.coef_)


def test_many_to_one_pooling(ragged):
    X, y_seq, _ = ragged
    shapes = {}
    for pooling in ("last", "mean", "both"):
        esn = ESNRegressor(n_reservoir=40, pooling=pooling, random_state=0).fit(X, y_seq)
        shapes[pooling] = esn.coef_.shape[1]
        assert esn.predict(X).shape == (5,)
        assert esn.last_state_ is None
    assert shapes == {"last": 43, "mean": 43, "both": 86}
    with pytest.raises(ValueError, match="one target per sequence"):
        esn.predict(X[0])


def test_classifier_per_step_labels_on_a_series():
    rs = np.random.RandomState(0)
    X = rs.randn(600, 2)
    y = np.where(X[:, 0] + 0.5 * np.r_[0, X[:-1, 1]] > 0, "up", "down")  # needs one step of memory
    clf = ESNClassifier(n_reservoir=100, spectral_radius=0.9, density=0.1, input_scaling=1.0, bias_scaling=1.0,
                        alpha=1e-6, random_state=0).fit(X[:500], y[:500])
    assert clf.classes_.tolist() == ["down", "up"]
    assert clf.score(X[500:], y[500:]) > 0.95
    assert clf.decision_function(X[500:]).shape == (100,)
    assert clf.predict_proba(X[500:]).shape == (100, 2)


def test_classifier_partial_fit_needs_classes():
    X, y = make_sequence_classification(60, n_classes=3, random_state=0)
    clf = ESNClassifier(n_reservoir=30, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:30], y[:30], classes=[0, 1, 2]).partial_fit(X[30:], y[30:])
    full = clone(clf).fit(X, y)
    np.testing.assert_allclose(clf.coef_, full.coef_, rtol=1e-6, atol=1e-9)


# ----------------------------------------------------------------------------------
# the transformer
# ----------------------------------------------------------------------------------
def test_reservoir_pipeline_equals_esn(mg):
    X, y = mg[0][:800], mg[1][:800]
    params = dict(n_reservoir=60, leak_rate=0.5, random_state=0)
    pipe = make_pipeline(Reservoir(include_input=True, **params), Ridge(alpha=1e-3)).fit(X, y)
    esn = ESNRegressor(alpha=1e-3, initial_state="zeros", **params).fit(X, y)
    np.testing.assert_allclose(pipe.predict(X), esn.predict(X), atol=1e-8)


def test_reservoir_collection_features_and_names(ragged):
    X, _, _ = ragged
    res = Reservoir(n_reservoir=20, pooling="both", include_input=True, random_state=0).fit(X)
    features = res.transform(X)
    assert features.shape == (5, 46)
    names = res.get_feature_names_out()
    assert names[0] == "last_reservoir0" and names[20] == "mean_reservoir0" and names[40] == "last_x0"
    per_step = res.set_params(pooling=None).transform(X)
    assert [s.shape for s in per_step] == [(len(x), 23) for x in X]
    np.testing.assert_allclose(per_step[1][-1, :20], features[1, :20])  # last state


def test_reservoir_continue_mode(mg):
    X = mg[0][:300]
    res = Reservoir(n_reservoir=30, initial_state="continue", random_state=0).fit(X[:200])
    whole = Reservoir(n_reservoir=30, random_state=0).fit_transform(X)
    np.testing.assert_allclose(res.transform(X[200:]), whole[200:], atol=1e-12)


# ----------------------------------------------------------------------------------
# determinism, pickling, precision, topologies
# ----------------------------------------------------------------------------------
@pytest.mark.parametrize("Est", [ESNRegressor, ESNClassifier])
def test_same_seed_same_predictions_and_pickle(Est, ragged):
    X, y_seq, _ = ragged
    y = y_seq if Est is ESNRegressor else (y_seq > 0).astype(int)
    a = Est(n_reservoir=40, noise=0.01, random_state=3).fit(X, y)
    b = Est(n_reservoir=40, noise=0.01, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    restored = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(restored.predict(X), a.predict(X))
    c = Est(n_reservoir=40, noise=0.01, random_state=4).fit(X, y)
    assert not np.array_equal(c.coef_, a.coef_)


def test_float32_end_to_end(mg):
    X, y = (a.astype(np.float32) for a in mg)
    esn = ESNRegressor(n_reservoir=100, washout=50, random_state=0).fit(X[:1000], y[:1000])
    assert esn.coef_.dtype == esn.input_weights_.dtype == esn.reservoir_weights_.dtype == np.float32
    pred = esn.predict(X[1000:1200])
    assert pred.dtype == np.float32
    ref = ESNRegressor(n_reservoir=100, washout=50, random_state=0).fit(
        X[:1000].astype(float), y[:1000].astype(float))
    np.testing.assert_allclose(pred, ref.predict(X[1000:1200].astype(float)), atol=1e-3)
    assert Reservoir(n_reservoir=20, random_state=0).fit_transform(X[:50]).dtype == np.float32


def test_float32_sums_deterministic_cloned_pickled_and_streamed(mg, float32_rows):
    """alpha=10 absorbs the float32 rounding: float32 block sums, the same model twice, after clone, pickle,
    and (to float32 rounding) from two partial_fit calls; the float64 fit agrees to float32 precision."""
    X, y = (a[:2000].astype(np.float32) for a in mg)
    params = dict(n_reservoir=100, washout=50, alpha=10.0, random_state=0)
    esn = ESNRegressor(**params).fit(X[:1500], y[:1500])
    assert sum(float32_rows) == 1450
    again = clone(esn).fit(X[:1500], y[:1500])
    np.testing.assert_array_equal(again.coef_, esn.coef_)
    pred = esn.predict(X[1500:])
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(esn)).predict(X[1500:]), pred)
    streamed = ESNRegressor(**params).partial_fit(X[:700], y[:700]).partial_fit(X[700:1500], y[700:1500])
    np.testing.assert_allclose(streamed.predict(X[1500:]), pred, rtol=0, atol=1e-4)
    ref = ESNRegressor(**params).fit(X[:1500].astype(float), y[:1500].astype(float))
    np.testing.assert_allclose(pred, ref.predict(X[1500:].astype(float)), rtol=0, atol=1e-4)


def test_float32_small_penalty_sums_in_float64(mg, float32_rows):
    """alpha=1e-8 is below the float32 error of the sums: float64 sums of the float32 states."""
    X, y = (a[:1500].astype(np.float32) for a in mg)
    esn = ESNRegressor(n_reservoir=100, washout=50, alpha=1e-8, random_state=0).fit(X, y)
    assert not float32_rows and esn.coef_.dtype == np.float32


def test_float32_classifier_of_pooled_states(float32_rows):
    X, y = make_sequence_classification(60, n_classes=2, min_length=10, max_length=20, random_state=0)
    X32 = [x.astype(np.float32) for x in X]
    clf = ESNClassifier(n_reservoir=50, alpha=1.0, random_state=0).fit(X32, y)
    assert sum(float32_rows) == 60
    ref = ESNClassifier(n_reservoir=50, alpha=1.0, random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.decision_function(X32), ref.decision_function(X), rtol=0, atol=1e-4)


@pytest.mark.parametrize("topology", ["random", "small_world", "cycle"])
@pytest.mark.parametrize("distribution", ["uniform", "normal"])
def test_topologies_learn(mg, topology, distribution):
    X, y = mg
    esn = ESNRegressor(n_reservoir=100, topology=topology, distribution=distribution, leak_rate=0.3,
                       washout=100, alpha=1e-8, random_state=0).fit(X[:1000], y[:1000])
    assert nrmse(y[1000:1300], esn.predict(X[1000:1300])) < 0.05


# ----------------------------------------------------------------------------------
# errors
# ----------------------------------------------------------------------------------
@pytest.mark.parametrize("params, match", [
    ({"leak_rate": 0}, r"'leak_rate' parameter of ESNRegressor must be a float in the range \(0.0, 1.0\]. Got 0"),
    ({"density": 1.5}, "density"),
    ({"topology": "ring"}, r"'topology' parameter of ESNRegressor must be a str among .*'cycle'.*Got 'ring'"),
    ({"solver": "sgd"}, "solver"),
    ({"input_scaling": [1.0, 2.0]}, "input_scaling has 2 values but X has 1 features"),
    ({"pooling": "max"}, "pooling"),
    ({"n_reservoir": 0}, "n_reservoir"),
])
def test_bad_parameters(mg, params, match):
    with pytest.raises(ValueError, match=match):
        ESNRegressor(**params).fit(mg[0][:50], mg[1][:50])


def test_washout_longer_than_a_sequence(ragged):
    X, y_seq, _ = ragged
    with pytest.raises(ValueError, match=r"X\[2\] has 3 time step\(s\); at least 4 .*washout=3"):
        ESNRegressor(n_reservoir=20, washout=3, pooling="mean").fit(X, y_seq)
    ESNRegressor(n_reservoir=20, washout=3, pooling="last").fit(X, y_seq)  # the last state needs no washout


def test_feedback_needs_per_step_targets(ragged):
    X, y_seq, _ = ragged
    with pytest.raises(ValueError, match="needs a target per step"):
        ESNRegressor(n_reservoir=20, feedback=True).fit(X, y_seq)


def test_generate_errors(ragged, mg):
    X, _, y_step = ragged
    esn = ESNRegressor(n_reservoir=20, random_state=0).fit(X, y_step)
    with pytest.raises(ValueError, match="n_outputs == n_features"):
        esn.generate(5)
    esn = ESNRegressor(n_reservoir=20, random_state=0).fit([x[:, :1] for x in X], y_step)
    with pytest.raises(ValueError, match="pass warmup"):
        esn.generate(5)
    with pytest.raises(ValueError, match=r"'n_steps' parameter of ESNRegressor.generate "
                       r"must be an int in the range \[1, inf\)"):
        esn.generate(0, warmup=mg[0][:10])
    assert esn.generate(4, warmup=mg[0][:10]).shape == (4,)


# ----------------------------------------------------------------------------------
# defaults and the input scaler
# ----------------------------------------------------------------------------------
def test_defaults_improve_narma10():
    """ESNRegressor(200) at its defaults: NARMA10 test NRMSE 0.246 (0.257 with the old defaults)."""
    X, y = narma(4000, random_state=0)
    esn = ESNRegressor(200, random_state=0).fit(X[:2000], y[:2000])
    assert nrmse(y[2000:], esn.predict(X[2000:])) < 0.25


@pytest.mark.parametrize("scaler", ["standard", "robust"])
def test_scaler_is_standardising_by_hand(scaler):
    """The scaler folded into W_in gives the states of the drawn weights on standardised inputs."""
    from sklearn.preprocessing import RobustScaler, StandardScaler

    rs = np.random.RandomState(0)
    X = rs.randn(300, 3) * [1.0, 50.0, 0.01] + [5.0, -3.0, 100.0]
    y = X @ [0.1, 0.002, 10.0] + rs.randn(300) * 0.1
    by_hand = (StandardScaler() if scaler == "standard" else RobustScaler()).fit(X)
    params = {"n_reservoir": 40, "include_input": False, "random_state": 0}
    inside = ESNRegressor(scaler=scaler, **params).fit(X, y)
    outside = ESNRegressor(**params).fit(by_hand.transform(X), y)
    np.testing.assert_allclose(inside.input_center_, by_hand.center_ if scaler == "robust" else by_hand.mean_)
    np.testing.assert_allclose(inside.predict(X[:50]), outside.predict(by_hand.transform(X[:50])), rtol=1e-9, atol=1e-9)
    # any scale of the data gives the same model
    again = ESNRegressor(scaler=scaler, **params).fit(X * 1e3, y)
    np.testing.assert_allclose(again.predict(X[:50] * 1e3), inside.predict(X[:50]), rtol=1e-7, atol=1e-9)
    with pytest.raises(ValueError, match="'scaler' parameter"):
        ESNRegressor(scaler="minmax").fit(X, y)
