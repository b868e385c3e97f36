"""The gated cells against plain step-by-step numpy references (no torch needed).

``_reference_cells`` runs one sequence one step at a time with the textbook equations; the
cells of the package run a length-sorted, padded batch with fused, reordered gates, width
segments and in-place BLAS.  Both must give the same outputs, final states, parameter
gradients and input gradients on ragged batches, from a non-zero initial state.
"""

import numpy as np
import pytest

from sktemporal.neural_network._cells import CELLS
from sktemporal.neural_network._params import ParameterLayout

from _reference_cells import (
    gru_sequence,
    gru_sequence_backward,
    lstm_sequence,
    lstm_sequence_backward,
)

LENGTHS = [9, 7, 7, 4, 3, 1]  # decreasing: several width segments, one length-1 sequence
N_IN, H = 3, 5


def _setup(kind, dtype, seed=0):
    rng = np.random.RandomState(seed)
    cell = CELLS[kind](N_IN, H)
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
    d_out = rng.normal(size=(T, B, H)).astype(dtype) * (np.arange(T)[:, None] < lengths[None, :])[:, :, None]
    return cell, layout, theta, p, X, sizes, lengths, state0, d_out


def _reference(kind, p, X, lengths, state0, d_out):
    """Per-sequence references: outputs, final states, summed gradients, input gradients."""
    p = {k: v.astype(np.float64) for k, v in p.items()}
    T, B = X.shape[:2]
    out = np.zeros((T, B, H))
    state = np.zeros_like(state0, dtype=np.float64)
    grads = {k: np.zeros_like(v) for k, v in p.items()}
    dX = np.zeros(X.shape)
    for b, L in enumerate(lengths):
        x = X[:L, b].astype(np.float64)
        if kind == "lstm":
            hs, (h, c), caches = lstm_sequence(p, x, state0[b, :H].astype(np.float64), state0[b, H:].astype(np.float64))
            state[b] = np.concatenate([h, c])
            g, dx = lstm_sequence_backward(p, caches, d_out[:L, b].astype(np.float64))
        else:
            hs, h, caches = gru_sequence(p, x, state0[b].astype(np.float64))
            state[b] = h
            g, dx = gru_sequence_backward(p, caches, d_out[:L, b].astype(np.float64))
        out[:L, b] = hs
        dX[:L, b] = dx
        for k in grads:
            grads[k] += g[k]
    return out, state, grads, dX


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-11), (np.float32, 2e-4)])
def test_forward_and_gradients_equal_the_reference(kind, dtype, rtol):
    """Outputs (zero on padded steps), final states, ∂L/∂θ and ∂L/∂X equal the reference."""
    cell, layout, theta, p, X, sizes, lengths, state0, d_out = _setup(kind, np.dtype(dtype))
    out, state, cache = cell.forward(p, X, sizes, state0)
    grad = layout.zeros(theta.dtype)
    dX = cell.backward(p, layout.views(grad), d_out, cache, need_dx=True)
    ref_out, ref_state, ref_grads, ref_dX = _reference(kind, p, X, lengths, state0, d_out)
    assert out.dtype == dtype and grad.dtype == dtype and dX.dtype == dtype
    atol = rtol
    np.testing.assert_allclose(out, ref_out, rtol=rtol, atol=atol)
    np.testing.assert_allclose(state, ref_state, rtol=rtol, atol=atol)
    for name, g in layout.views(grad).items():
        np.testing.assert_allclose(g, ref_grads[name], rtol=rtol, atol=atol * 10, err_msg=name)
    np.testing.assert_allclose(dX, ref_dX, rtol=rtol, atol=atol)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_the_reference_gradient_is_the_derivative(kind):
    """The oracle itself: its backward pass against central finite differences of its forward pass."""
    rng = np.random.RandomState(1)
    cell = CELLS[kind](2, 3)
    layout = ParameterLayout(cell.param_shapes())
    theta = rng.normal(scale=0.5, size=layout.size)
    X = rng.normal(size=(5, 2))
    state0 = rng.normal(scale=0.5, size=cell.state_size)
    W = rng.normal(size=(5, 3))  # L = Σ_t W[t] · h(t)

    def run(theta, X):
        p = layout.views(theta)
        if kind == "lstm":
            hs, _, caches = lstm_sequence(p, X, state0[:3], state0[3:])
        else:
            hs, _, caches = gru_sequence(p, X, state0)
        return float((W * hs).sum()), p, caches

    _, p, caches = run(theta, X)
    backward = lstm_sequence_backward if kind == "lstm" else gru_sequence_backward
    grads, dX = backward(p, caches, W)
    grad = np.concatenate([grads[name].ravel() for name in layout.slices])
    eps = 1e-6
    fd = np.array([(run(theta + eps * e, X)[0] - run(theta - eps * e, X)[0]) / (2 * eps)
                   for e in np.eye(layout.size)])
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)
    fd_x = np.array([(run(theta, X + eps * e.reshape(X.shape))[0] - run(theta, X - eps * e.reshape(X.shape))[0])
                     / (2 * eps) for e in np.eye(X.size)]).reshape(X.shape)
    np.testing.assert_allclose(dX, fd_x, rtol=1e-6, atol=1e-8)
