"""The fast cells against their plain step-by-step references (no torch needed).

``sktemporal.neural_network._reference`` runs one sequence one step at a time with the
textbook equations; the cells run a length-sorted, padded batch with fused, reordered
gates, width segments and in-place BLAS.  Both must give the same outputs, final states,
parameter gradients and input gradients on ragged batches, from a non-zero initial state.
"""

import numpy as np
import pytest

from sktemporal.neural_network._cells import CELLS
from sktemporal.neural_network._params import ParameterLayout
from sktemporal.neural_network._reference import REFERENCE_STEPS, bptt, run_sequence

LENGTHS = [9, 7, 7, 4, 3, 1]  # decreasing: several width segments, one length-1 sequence
N_IN, H, N_OUT = 3, 5, 2

# (cell name, constructor options, options of the reference steps)
CASES = [
    ("lstm", {}, {}),
    ("gru", {}, {}),
    ("elman", {"activation": "tanh"}, {"activation": "tanh"}),
    ("elman", {"activation": "relu"}, {"activation": "relu"}),
    ("jordan", {"n_out": N_OUT}, {}),
    ("jordan", {"n_out": N_OUT, "activation": "logistic", "out_activation": "logistic"},
     {"activation": "logistic", "out_activation": "logistic"}),
    ("jordan", {"n_out": N_OUT, "out_activation": "softmax"}, {"out_activation": "softmax"}),
]
IDS = ["lstm", "gru", "elman-tanh", "elman-relu", "jordan", "jordan-logistic", "jordan-softmax"]


def _split_state(kind, s):
    return (s[:H], s[H:]) if kind == "lstm" else (s,)


def _setup(kind, options, dtype, seed=0):
    rng = np.random.RandomState(seed)
    cell = CELLS[kind](N_IN, H, **options)
    layout = ParameterLayout(cell.param_shapes())
    theta = layout.zeros(dtype)
    p = layout.views(theta)
    cell.initialize(p, rng)
    theta += (0.3 * rng.normal(size=theta.size)).astype(dtype)  # non-trivial biases
    lengths = np.array(LENGTHS)
    T, B = lengths.max(), len(lengths)
    X = np.zeros((T, B, N_IN), dtype=dtype)
    for b, L in enumerate(lengths):
        X[:L, b] = rng.normal(size=(L, N_IN))
    sizes = (lengths[None, :] > np.arange(T)[:, None]).sum(axis=1)
    state0 = (0.5 * rng.normal(size=(B, cell.state_size))).astype(dtype)
    n_out = N_OUT if kind == "jordan" else H
    d_out = rng.normal(size=(T, B, n_out)).astype(dtype) * (np.arange(T)[:, None] < lengths[None, :])[:, :, None]
    return cell, layout, theta, p, X, sizes, lengths, state0, d_out


def _reference(kind, ref_options, p, X, lengths, state0, d_out):
    """Per-sequence references: outputs, final states, summed gradients, input gradients."""
    step, step_backward = REFERENCE_STEPS[kind]
    p = {k: v.astype(np.float64) for k, v in p.items()}
    T, B = X.shape[:2]
    out = np.zeros(d_out.shape)
    state = np.zeros_like(state0, dtype=np.float64)
    grads = {k: np.zeros_like(v) for k, v in p.items()}
    dX = np.zeros(X.shape)
    for b, L in enumerate(lengths):
        s0 = _split_state(kind, state0[b].astype(np.float64))
        hs, s, caches = run_sequence(step, p, X[:L, b].astype(np.float64), s0, **ref_options)
        g, dx = bptt(step_backward, p, caches, d_out[:L, b].astype(np.float64), **ref_options)
        state[b] = np.concatenate(s)
        out[:L, b] = hs
        dX[:L, b] = dx
        for k in grads:
            grads[k] += g[k]
    return out, state, grads, dX


@pytest.mark.parametrize("kind, options, ref_options", CASES, ids=IDS)
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-11), (np.float32, 2e-4)])
def test_forward_and_gradients_equal_the_reference(kind, options, ref_options, dtype, rtol):
    """Outputs (zero on padded steps), final states, ∂L/∂θ and ∂L/∂X equal the reference."""
    cell, layout, theta, p, X, sizes, lengths, state0, d_out = _setup(kind, options, np.dtype(dtype))
    out, state, cache = cell.forward(p, X, sizes, state0)
    grad = layout.zeros(theta.dtype)
    dX = cell.backward(p, layout.views(grad), d_out, cache, need_dx=True)
    ref_out, ref_state, ref_grads, ref_dX = _reference(kind, ref_options, p, X, lengths, state0, d_out)
    assert out.dtype == dtype and grad.dtype == dtype and dX.dtype == dtype
    atol = rtol
    np.testing.assert_allclose(out, ref_out, rtol=rtol, atol=atol)
    np.testing.assert_allclose(state, ref_state, rtol=rtol, atol=atol)
    for name, g in layout.views(grad).items():
        np.testing.assert_allclose(g, ref_grads[name], rtol=rtol, atol=atol * 10, err_msg=name)
    np.testing.assert_allclose(dX, ref_dX, rtol=rtol, atol=atol)


@pytest.mark.parametrize("kind, options, ref_options", CASES, ids=IDS)
def test_the_reference_gradient_is_the_derivative(kind, options, ref_options):
    """The oracle itself: its backward pass against central finite differences of its forward pass."""
    rng = np.random.RandomState(1)
    cell = CELLS[kind](2, 3, **options)
    n_hidden = 3
    layout = ParameterLayout(cell.param_shapes())
    theta = rng.normal(scale=0.5, size=layout.size)
    X = rng.normal(size=(5, 2))
    s = rng.normal(scale=0.5, size=cell.state_size)
    state0 = (s[:n_hidden], s[n_hidden:]) if kind == "lstm" else (s,)
    step, step_backward = REFERENCE_STEPS[kind]
    W = rng.normal(size=(5, N_OUT if kind == "jordan" else n_hidden))

    def loss(theta, X):  # L = Σ_t W[t] · out(t); for Jordan out(t) is the pre-activation z_out(t)
        p = layout.views(theta)
        _, _, caches = run_sequence(step, p, X, state0, **ref_options)
        if kind == "jordan":
            outs = np.array([c[3] @ p["V"] + p["c"] for c in caches])
        else:
            outs = run_sequence(step, p, X, state0, **ref_options)[0]
        return float((W * outs).sum())

    p = layout.views(theta)
    _, _, caches = run_sequence(step, p, X, state0, **ref_options)
    grads, dX = bptt(step_backward, p, caches, W, **ref_options)
    grad = np.concatenate([grads[name].ravel() for name in layout.slices])
    eps = 1e-6
    fd = np.array([(loss(theta + eps * e, X) - loss(theta - eps * e, X)) / (2 * eps) for e in np.eye(layout.size)])
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)
    fd_x = np.array([(loss(theta, X + eps * e.reshape(X.shape)) - loss(theta, X - eps * e.reshape(X.shape)))
                     / (2 * eps) for e in np.eye(X.size)]).reshape(X.shape)
    np.testing.assert_allclose(dX, fd_x, rtol=1e-6, atol=1e-8)
