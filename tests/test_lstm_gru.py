"""LSTM and GRU: cells (gradients, torch parity), estimators, weight conversion, learning."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sktemporal.datasets import adding_problem
from sktemporal.neural_network import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNRegressor,
    from_keras,
    from_torch,
    to_keras,
    to_torch,
)
from sktemporal.neural_network._cells import CELLS
from sktemporal.neural_network._kernels import _Flush, _segments
from sktemporal.neural_network._layers import DenseStack, Network, RecurrentLayer
from sktemporal.neural_network._params import ParameterLayout
from sktemporal.neural_network._training import TrainingData

from _helpers import check_gradient, make_problem

GATED = ["lstm", "gru"]


def time_major(X, lengths):
    """Sort a batch-first batch by decreasing length; time-major inputs and sizes."""
    order = np.argsort(-lengths, kind="stable")
    L = lengths[order]
    T = int(L.max())
    A = np.ascontiguousarray(X[order, :T].transpose(1, 0, 2))
    return A, (L[None, :] > np.arange(T)[:, None]).sum(1), L, order


def rel_err(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300)


# ----------------------------------------------------------------------- gradients
@pytest.mark.parametrize("cell", GATED)
@pytest.mark.parametrize("per_step", [True, False])
def test_gradient_ragged(cell, per_step):
    rng = np.random.RandomState(0)
    X, L, Y = make_problem(rng, [7, 3, 4, 1, 6, 2], per_step=per_step)  # several segments
    net = Network(3, [(CELLS[cell], 4)], DenseStack([], 2), per_step=per_step)
    check_gradient(net, TrainingData(X, L, Y, per_step), "squared_error", rng)


@pytest.mark.parametrize("cell", GATED)
@pytest.mark.parametrize("per_step", [True, False])
def test_gradient_bidirectional_stacked(cell, per_step):
    rng = np.random.RandomState(1)
    X, L, Y = make_problem(rng, [6, 2, 4], per_step=per_step)
    net = Network(3, [(CELLS[cell], 4), (CELLS[cell], 3)], DenseStack([], 2), per_step=per_step, bidirectional=True)
    check_gradient(net, TrainingData(X, L, Y, per_step), "squared_error", rng)


@pytest.mark.parametrize("cell", GATED)
@pytest.mark.parametrize("per_step", [True, False])
def test_gradient_truncated_carries_state(cell, per_step):
    rng = np.random.RandomState(2)
    X, L, Y = make_problem(rng, [9, 7, 3], per_step=per_step)
    net = Network(3, [(CELLS[cell], 4), (CELLS[cell], 3)], DenseStack([], 2), per_step=per_step)
    check_gradient(net, TrainingData(X, L, Y, per_step, bptt_steps=4), "squared_error", rng, truncated=True)


@pytest.mark.parametrize("cell", GATED)
def test_gradient_classification_head(cell):
    rng = np.random.RandomState(3)
    X, L, Y = make_problem(rng, [5, 4, 2], n_out=3, per_step=False, classify=True)
    net = Network(3, [(CELLS[cell], 4)], DenseStack([], 3, out_activation="softmax"), per_step=False)
    check_gradient(net, TrainingData(X, L, Y, False), "log_loss", rng)


def test_lstm_forget_bias_starts_at_one():
    cell = CELLS["lstm"](2, 3)
    layout = ParameterLayout(cell.param_shapes())
    p = layout.views(layout.zeros())
    cell.initialize(p, np.random.RandomState(0))
    np.testing.assert_array_equal(p["b"], [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    assert p["W_x"].shape == (2, 12) and p["W_h"].shape == (3, 12)


def test_segments_shrink_with_the_batch():
    assert _segments([4, 4, 4]) == [(0, 3, 4)]
    assert _segments([8, 8, 7, 5, 2, 2, 0, 0]) == [(0, 3, 8), (3, 4, 5), (4, 6, 2)]
    assert _segments([0, 0]) == []


@pytest.mark.parametrize("cell", GATED)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ragged_batch_equals_sequences_alone(cell, dtype):
    """Padding, segments and batch company change nothing (outputs, final states)."""
    rng = np.random.RandomState(4)
    lengths = np.array([9, 1, 5, 9, 3, 7, 2, 4])
    X = rng.normal(size=(len(lengths), 9, 3)).astype(dtype)
    X[np.arange(9)[None, :] >= lengths[:, None]] = 0
    c = CELLS[cell](3, 5)
    layout = ParameterLayout(c.param_shapes())
    theta = layout.zeros(dtype)
    p = layout.views(theta)
    c.initialize(p, rng)
    A, sizes, L, order = time_major(X, lengths)
    state0 = rng.normal(size=(len(L), c.state_size)).astype(dtype)
    out, state, _ = c.forward(p, A, sizes, state0)
    assert out.dtype == state.dtype == dtype
    tol = 1e-12 if dtype == np.float64 else 1e-5
    for j in range(len(L)):
        T = L[j]
        alone, s, _ = c.forward(p, A[:T, j: j + 1], np.ones(T, int), state0[j: j + 1])
        np.testing.assert_allclose(out[:T, j], alone[:, 0], rtol=tol, atol=tol)
        np.testing.assert_array_equal(out[T:, j], 0)
        np.testing.assert_allclose(state[j], s[0], rtol=tol, atol=tol)


def test_flush_zeroes_only_tiny_float32_values():
    x = np.array([1e-39, -1e-33, 3e-31, -1e-20, 5e-16, -2.5, 7.0, 0.0], dtype=np.float32)
    y = x.copy()
    _Flush(x.dtype)(y)
    np.testing.assert_array_equal(y[:2], 0)
    np.testing.assert_array_equal(y[4:], x[4:])  # unchanged, bit for bit
    assert np.all(np.abs(y[2:4].astype(float) - x[2:4]) <= 2.0**-99)
    z = x.astype(np.float64)
    _Flush(z.dtype)(z)  # inactive in float64
    np.testing.assert_array_equal(z, x.astype(np.float64))


# ------------------------------------------------------------------ torch parity
def _torch_to_views(module, layers, views, cell):
    for k, layer in enumerate(layers):
        for d, prefix in enumerate(layer.names):
            sfx = f"_l{k}" + ("_reverse" if d else "")
            get = lambda name, sfx=sfx: getattr(module, name + sfx).detach().numpy()  # noqa: E731
            views[prefix + "W_x"][...] = get("weight_ih").T
            views[prefix + "W_h"][...] = get("weight_hh").T
            if cell == "lstm":
                views[prefix + "b"][...] = get("bias_ih") + get("bias_hh")
            else:
                views[prefix + "b_x"][...] = get("bias_ih")
                views[prefix + "b_h"][...] = get("bias_hh")


@pytest.mark.parametrize("cell", GATED)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_stacked_layers_match_torch(cell, bidirectional):
    """Outputs, final states, input and weight gradients equal torch's (float64, packed ragged batch)."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    n_in, H, n_layers = 3, 5, 2
    lengths = np.array([4, 9, 1, 7, 9, 2])
    B, T = len(lengths), int(lengths.max())
    module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](
        n_in, H, num_layers=n_layers, bidirectional=bidirectional, batch_first=True, dtype=torch.float64
    )
    rng = np.random.RandomState(0)
    X = rng.normal(size=(B, T, n_in))
    X[np.arange(T)[None, :] >= lengths[:, None]] = 0
    R = rng.normal(size=(B, T, H * (1 + bidirectional)))  # loss = Σ out ⊙ R (+ Σ h_n ⊙ S)
    R[np.arange(T)[None, :] >= lengths[:, None]] = 0
    S = rng.normal(size=(n_layers * (1 + bidirectional), B, H))

    Xt = torch.tensor(X, requires_grad=True)
    packed = torch.nn.utils.rnn.pack_padded_sequence(Xt, torch.tensor(lengths), batch_first=True,
                                                     enforce_sorted=False)
    out_t, hidden = module(packed)
    out_t, _ = torch.nn.utils.rnn.pad_packed_sequence(out_t, batch_first=True, total_length=T)
    h_n = hidden[0] if cell == "lstm" else hidden
    ((out_t * torch.tensor(R)).sum() + (h_n * torch.tensor(S)).sum()).backward()

    layers, width = [], n_in
    for k in range(n_layers):
        layers.append(RecurrentLayer(CELLS[cell], width, H, bidirectional, prefix=f"l{k}."))
        width = layers[-1].n_out
    layout = ParameterLayout([s for layer in layers for s in layer.param_shapes()])
    theta, grad = layout.zeros(), layout.zeros()
    views, grads = layout.views(theta), layout.views(grad)
    _torch_to_views(module, layers, views, cell)

    A, sizes, L, order = time_major(X, lengths)
    caches, states = [], []
    for layer in layers:
        A, s, cache = layer.forward(views, A, sizes, L, np.zeros((B, layer.state_size)))
        caches.append(cache)
        states.append(s)
    assert rel_err(A.transpose(1, 0, 2), out_t.detach().numpy()[order]) < 1e-9
    h_ours = np.stack([s[:, j * (s.shape[1] // (1 + bidirectional)):][:, :H]
                       for s in states for j in range(1 + bidirectional)])
    assert rel_err(h_ours, h_n.detach().numpy()[:, order]) < 1e-9

    # the gradient of Σ h_n ⊙ S enters through the final states: add it at each last step
    d = np.ascontiguousarray(R[order].transpose(1, 0, 2))
    d_states = []
    for k in range(n_layers):
        d_k = np.zeros((T, B, H * (1 + bidirectional)))
        d_k[L - 1, np.arange(B), :H] += S[k * (1 + bidirectional)][order]
        if bidirectional:
            d_k[0, :, H:] += S[2 * k + 1][order]
        d_states.append(d_k)
    d = d + d_states[-1]
    for k in range(n_layers - 1, -1, -1):
        d = layers[k].backward(views, grads, d, caches[k], L, need_dx=True)
        if k:
            d = d + d_states[k - 1]
    assert rel_err(d.transpose(1, 0, 2), Xt.grad.numpy()[order]) < 1e-9
    for k, layer in enumerate(layers):
        for direction, prefix in enumerate(layer.names):
            sfx = f"_l{k}" + ("_reverse" if direction else "")
            tg = lambda name, sfx=sfx: getattr(module, name + sfx).grad.numpy()  # noqa: E731
            assert rel_err(grads[prefix + "W_x"], tg("weight_ih").T) < 1e-9
            assert rel_err(grads[prefix + "W_h"], tg("weight_hh").T) < 1e-9
            if cell == "lstm":
                assert rel_err(grads[prefix + "b"], tg("bias_ih")) < 1e-9
                assert rel_err(grads[prefix + "b"], tg("bias_hh")) < 1e-9
            else:
                assert rel_err(grads[prefix + "b_x"], tg("bias_ih")) < 1e-9
                assert rel_err(grads[prefix + "b_h"], tg("bias_hh")) < 1e-9


@pytest.mark.parametrize("Estimator", [LSTMRegressor, GRURegressor])
@pytest.mark.parametrize("per_step", [False, True])
def test_to_torch_reproduces_predictions(Estimator, per_step):
    torch = pytest.importorskip("torch")
    rng = np.random.RandomState(5)
    X = [rng.normal(size=(n, 2)) for n in (6, 3, 8, 5)]
    y = [x[:, 0].cumsum() for x in X] if per_step else np.array([x[:, 0].sum() for x in X])
    model = Estimator((4, 4), bidirectional=True, pooling="last", patch_size=None, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    rnn_state, linear_state = to_torch(model)
    module = {LSTMRegressor: torch.nn.LSTM, GRURegressor: torch.nn.GRU}[Estimator](
        2, 4, num_layers=2, bidirectional=True, batch_first=True, dtype=torch.float64)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in rnn_state.items()})
    linear = torch.nn.Linear(8, 1, dtype=torch.float64)
    linear.load_state_dict({k: torch.from_numpy(v) for k, v in linear_state.items()})
    with torch.no_grad():
        for x, pred in zip(X, model.predict(X) if per_step else model.predict(X)[:, None]):
            out, hidden = module(torch.from_numpy(x)[None])
            if per_step:
                expected = linear(out)[0, :, 0].numpy()
            else:
                h_n = hidden[0] if Estimator is LSTMRegressor else hidden
                expected = linear(torch.cat([h_n[-2], h_n[-1]], dim=1))[0].numpy()
            np.testing.assert_allclose(pred, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("Estimator", [LSTMClassifier, GRUClassifier])
def test_from_torch_round_trip(Estimator):
    torch = pytest.importorskip("torch")
    torch.manual_seed(1)
    rng = np.random.RandomState(6)
    X = rng.normal(size=(12, 5, 3))
    y = rng.randint(3, size=12)
    model = Estimator((6,), bidirectional=False, pooling="last", patch_size=None, max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    module = {LSTMClassifier: torch.nn.LSTM, GRUClassifier: torch.nn.GRU}[Estimator](
        3, 6, batch_first=True, dtype=torch.float64)
    linear = torch.nn.Linear(6, 3, dtype=torch.float64)
    assert from_torch(model, module, linear) is model
    with torch.no_grad():
        out, _ = module(torch.from_numpy(X))
        proba = torch.softmax(linear(out[:, -1]), dim=1).numpy()
    np.testing.assert_allclose(model.predict_proba(X), proba, rtol=1e-10)
    rnn_state, linear_state = to_torch(model)
    for k, v in module.state_dict().items():
        if k == "bias_ih_l0" and Estimator is LSTMClassifier:  # LSTM biases come back summed
            v = v + module.bias_hh_l0
        elif k == "bias_hh_l0" and Estimator is LSTMClassifier:
            v = torch.zeros_like(v)
        np.testing.assert_allclose(rnn_state[k], v.detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(linear_state["weight"], linear.weight.detach().numpy(), rtol=1e-15)
    with pytest.raises(ValueError, match="Shape mismatch"):
        from_torch(model, {k: v[:, :2] if v.ndim == 2 else v for k, v in rnn_state.items()})


def test_conversion_errors():
    X = np.random.RandomState(0).normal(size=(10, 4, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LSTMRegressor((3,), bidirectional=False, max_iter=1, random_state=0).fit(X, X[:, 0, 0])
        rnn = RNNRegressor((3,), max_iter=1, random_state=0).fit(X, X[:, 0, 0])
    with pytest.raises(TypeError, match="not an LSTM or GRU"):
        to_torch(rnn)
    state, _ = to_torch(model)
    state["weight_ih_l1"] = state["weight_ih_l0"]
    with pytest.raises(ValueError, match="entries the estimator lacks"):
        from_torch(model, state)
    with pytest.raises(ValueError, match="Expected 5 arrays"):
        from_keras(model, to_keras(model)[:-1])


@pytest.mark.parametrize("Estimator", [LSTMRegressor, GRURegressor])
def test_keras_layout_round_trip(Estimator):
    rng = np.random.RandomState(7)
    X = rng.normal(size=(10, 5, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = Estimator((4, 3), bidirectional=True, max_iter=2, random_state=0,
                          scaler=None).fit(X, X[:, -1, 0])
    weights = to_keras(model)
    assert len(weights) == 3 * 4 + 2
    views = model._net.layout.views(model.params_)
    if Estimator is LSTMRegressor:  # Keras' own layout
        np.testing.assert_array_equal(weights[0], views["rnn0.fwd.W_x"])
        assert weights[2].shape == (16,)
    else:  # Keras GRU: gates z, r, n; bias = [b_x; b_h]
        H = 4
        np.testing.assert_array_equal(weights[0][:, :H], views["rnn0.fwd.W_x"][:, H: 2 * H])
        np.testing.assert_array_equal(weights[1][:, H: 2 * H], views["rnn0.fwd.W_h"][:, :H])
        np.testing.assert_array_equal(weights[2][1, 2 * H:], views["rnn0.fwd.b_h"][2 * H:])
        assert weights[2].shape == (2, 12)
    before = model.predict(X)
    params = model.params_.copy()
    model.params_[:] = 0
    from_keras(model, weights)
    np.testing.assert_array_equal(model.params_, params)
    np.testing.assert_array_equal(model.predict(X), before)


@pytest.mark.parametrize("Estimator", [LSTMRegressor, GRURegressor])
def test_exported_weights_fold_the_internal_scaling(Estimator):
    """to_keras/from_keras with scaler='standard': the exported weights act on raw data."""
    rng = np.random.RandomState(7)
    X = 50 + 10 * rng.normal(size=(10, 5, 2))
    y = 1e3 * X[:, -1, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = Estimator((4,), max_iter=3, random_state=0).fit(X, y)
        raw = Estimator((4,), max_iter=1, random_state=1, scaler=None).fit(X, y)
    from_keras(raw, to_keras(model))
    np.testing.assert_allclose(raw.predict(X), model.predict(X), rtol=1e-9)


# ----------------------------------------------------------------------- estimators
@pytest.mark.parametrize("Estimator", [LSTMRegressor, GRURegressor])
def test_determinism_and_pickle(Estimator):
    rng = np.random.RandomState(8)
    X = [rng.normal(size=(n, 2)) for n in rng.randint(3, 12, size=20)]
    y = [x[:, 0].cumsum() for x in X]
    kwargs = dict(hidden_layer_sizes=(6,), max_iter=5, random_state=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = Estimator(**kwargs).fit(X, y)
        b = Estimator(**kwargs).fit(X, y)
    pa, pb = a.predict(X), b.predict(X)
    for u, v in zip(pa, pb):
        np.testing.assert_array_equal(u, v)
    c = pickle.loads(pickle.dumps(a))
    for u, v in zip(pa, c.predict(X)):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("Estimator", [LSTMRegressor, GRURegressor])
def test_float32_stays_float32(Estimator):
    rng = np.random.RandomState(9)
    X = rng.normal(size=(16, 6, 2)).astype(np.float32)
    y = X[:, :, 0].sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = Estimator((5,), max_iter=3, random_state=0).fit(X, y)
    assert model.params_.dtype == np.float32
    assert model.predict(X).dtype == np.float32


@pytest.mark.parametrize("Estimator", [LSTMRegressor, GRURegressor])
def test_single_series_with_truncated_bptt(Estimator):
    """y(t) = x(t − 3): a memory across chunk boundaries, learned with state carried over."""
    rng = np.random.RandomState(10)
    x = rng.uniform(-1, 1, size=(1500, 1))
    y = np.roll(x[:, 0], 3)
    y[:3] = 0
    model = Estimator((12,), bptt_steps=8, learning_rate_init=0.02, max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x[:1200], y[:1200])
    assert model.predict(x).shape == (1500,)
    assert model.score(x[1200:], y[1200:]) > 0.9


@pytest.mark.parametrize("Estimator", [LSTMClassifier, GRUClassifier])
def test_classifier_remembers_first_step(Estimator):
    rng = np.random.RandomState(11)
    X = [rng.normal(size=(n, 1)) for n in rng.randint(5, 20, size=240)]
    for x in X:
        x[0, 0] += np.sign(x[0, 0])  # |x(0)| > 1: a clear sign to remember
    y = np.array(["pos" if x[0, 0] > 0 else "neg" for x in X])
    clf = Estimator((8,), learning_rate_init=0.01, batch_size=16, max_iter=60, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X[:180], y[:180])
    assert clf.score(X[180:], y[180:]) > 0.9
    assert clf.predict_proba(X[180:]).shape == (60, 2)
    assert set(clf.classes_) == {"neg", "pos"}


def test_parameters_are_shared_between_lstm_and_gru():
    """Same parameters; the defaults differ only in the LSTM's longer epoch budget (the study)."""
    lstm, gru = LSTMRegressor().get_params(), GRURegressor().get_params()
    assert lstm.keys() == gru.keys() and "cell" not in lstm
    differ = {k for k in lstm if lstm[k] != gru[k]}
    assert differ == {"max_iter", "n_iter_no_change"}
    assert (lstm["max_iter"], lstm["n_iter_no_change"]) == (600, 60)
    assert LSTMClassifier().get_params() == lstm
    assert LSTMRegressor(max_iter=5, alpha=0.5).get_params() == {**lstm, "max_iter": 5, "alpha": 0.5}
    assert repr(LSTMRegressor(max_iter=600)) == "LSTMRegressor()"  # the default is the signature's


def test_lstm_solves_adding_problem_where_elman_fails():
    """The vanishing-gradient lesson: T = 50, the same size and budget for both networks.

    Predicting the mean gives MSE 1/6 ≈ 0.167; the LSTM goes below 0.01 in 30 epochs,
    the Elman network stays near the baseline (≈ 5 s on one core).
    """
    X, y = adding_problem(1500, seq_length=50, random_state=0)
    # the plain architecture (last state, one direction, one step per input) shows the lesson
    budget = dict(hidden_layer_sizes=(16,), learning_rate_init=0.01, batch_size=32, max_iter=30,
                  n_iter_no_change=30, random_state=0, bidirectional=False, pooling="last", patch_size=None)
    mse = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for Estimator in (LSTMRegressor, RNNRegressor):
            model = Estimator(**budget).fit(X[:1000], y[:1000])
            mse[Estimator] = np.mean((model.predict(X[1000:]) - y[1000:]) ** 2)
    assert mse[LSTMRegressor] < 0.01
    assert mse[RNNRegressor] > 0.1
