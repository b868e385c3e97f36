"""Central finite-difference checks of every cell and layer configuration (float64)."""

from functools import partial

import numpy as np
import pytest

from sktemporal.neural_network._cells import CELLS
from sktemporal.neural_network._layers import DenseStack, Network, reverse_padded
from sktemporal.neural_network._training import TrainingData

from _helpers import check_gradient, make_problem


def elman(activation):
    return partial(CELLS["elman"], activation=activation)


@pytest.mark.parametrize("activation", ["tanh", "relu", "logistic", "identity"])
@pytest.mark.parametrize("per_step", [True, False])
def test_elman_gradient_ragged(activation, per_step):
    rng = np.random.RandomState(0)
    X, L, Y = make_problem(rng, [5, 3, 4, 1], per_step=per_step)
    net = Network(3, [(elman(activation), 4)], DenseStack([], 2), per_step=per_step)
    check_gradient(net, TrainingData(X, L, Y, per_step), "squared_error", rng)


@pytest.mark.parametrize("per_step", [True, False])
def test_bidirectional_stacked_gradient(per_step):
    rng = np.random.RandomState(1)
    X, L, Y = make_problem(rng, [6, 2, 4], per_step=per_step)
    net = Network(3, [(elman("tanh"), 4), (elman("tanh"), 3)], DenseStack([], 2), per_step=per_step, bidirectional=True)
    check_gradient(net, TrainingData(X, L, Y, per_step), "squared_error", rng)


@pytest.mark.parametrize("per_step", [True, False])
def test_truncated_gradient_carries_state(per_step):
    rng = np.random.RandomState(2)
    X, L, Y = make_problem(rng, [9, 7, 3], per_step=per_step)
    net = Network(3, [(elman("tanh"), 4), (elman("tanh"), 3)], DenseStack([], 2), per_step=per_step)
    check_gradient(net, TrainingData(X, L, Y, per_step, bptt_steps=4), "squared_error", rng, truncated=True)


@pytest.mark.parametrize("loss, n_out", [("log_loss", 3), ("binary_log_loss", 1)])
def test_classification_losses_gradient(loss, n_out):
    rng = np.random.RandomState(3)
    X, L, Y = make_problem(rng, [5, 4, 2], n_out=n_out, per_step=True, classify=n_out > 1)
    if n_out == 1:
        Y = (Y > 0).astype(float)
    act = {"log_loss": "softmax", "binary_log_loss": "logistic"}[loss]
    net = Network(3, [(elman("tanh"), 4)], DenseStack([3], n_out, "tanh", act), per_step=True)
    check_gradient(net, TrainingData(X, L, Y, True), loss, rng)


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
def test_dense_only_network_gradient(activation):
    rng = np.random.RandomState(4)
    X, L, Y = make_problem(rng, [1, 1, 1, 1, 1], per_step=True)
    net = Network(3, [], DenseStack([5, 4], 2, activation), per_step=True)
    check_gradient(net, TrainingData(X, L, Y, True), "squared_error", rng)


def test_padded_steps_do_not_change_outputs():
    rng = np.random.RandomState(5)
    X, L, Y = make_problem(rng, [6, 3], per_step=True)
    net = Network(3, [(elman("tanh"), 4)], DenseStack([], 2), per_step=True, bidirectional=True)
    theta = net.layout.zeros()
    net.initialize(theta, rng)
    Xt = np.ascontiguousarray(X.transpose(1, 0, 2))
    sizes = (L[None, :] > np.arange(6)[:, None]).sum(1)
    out, _, _ = net.forward(theta, Xt, sizes, L)
    # the short sequence alone, without padding
    alone, _, _ = net.forward(theta, Xt[:3, 1:2], np.ones(3, int), np.array([3]))
    np.testing.assert_allclose(out[:3, 1], alone[:, 0], rtol=1e-12)


def test_reverse_padded_is_an_involution():
    rng = np.random.RandomState(6)
    L = np.array([5, 3, 1])
    A = rng.normal(size=(5, 3, 2)) * (np.arange(5)[:, None] < L[None, :])[..., None]
    R = reverse_padded(A, L)
    np.testing.assert_array_equal(R[:3, 1], A[2::-1, 1])
    np.testing.assert_array_equal(reverse_padded(R, L), A)


@pytest.mark.parametrize("out_activation, loss, n_out", [
    ("identity", "squared_error", 2), ("softmax", "log_loss", 3), ("logistic", "binary_log_loss", 1)])
@pytest.mark.parametrize("per_step", [True, False])
def test_jordan_closed_loop_gradient(out_activation, loss, n_out, per_step):
    from sktemporal.neural_network._cells import JordanCell

    rng = np.random.RandomState(7)
    X, L, Y = make_problem(rng, [6, 4, 1, 5], n_out=n_out, per_step=per_step, classify=n_out > 1)
    if n_out == 1:
        Y = (Y > 0).astype(float)
    cell = partial(JordanCell, n_out=n_out, activation="tanh", out_activation=out_activation)
    net = Network(3, [(cell, 4)], None, per_step=per_step)
    check_gradient(net, TrainingData(X, L, Y, per_step), loss, rng)


def test_jordan_truncated_gradient():
    from sktemporal.neural_network._cells import JordanCell

    rng = np.random.RandomState(8)
    X, L, Y = make_problem(rng, [9, 6], per_step=True)
    cell = partial(JordanCell, n_out=2, activation="logistic")
    net = Network(3, [(cell, 3)], None, per_step=True)
    check_gradient(net, TrainingData(X, L, Y, True, bptt_steps=4), "squared_error", rng, truncated=True)


def test_jordan_layout_equals_teacher_forced_dense_network():
    """Closed loop fed its own outputs == the dense network [x(t); ŷ(t−1)] -> H -> K."""
    from sktemporal.neural_network._cells import JordanCell

    rng = np.random.RandomState(9)
    T, n_in, K = 7, 3, 2
    jordan = Network(n_in, [(partial(JordanCell, n_out=K), 5)], None, per_step=True)
    dense = Network(n_in + K, [], DenseStack([5], K, "tanh"), per_step=True)
    assert jordan.layout.size == dense.layout.size
    theta = jordan.layout.zeros()
    jordan.initialize(theta, rng)
    X = rng.normal(size=(T, 1, n_in))
    out, _, _ = jordan.forward(theta, X, np.ones(T, int), np.array([T]))
    previous = np.concatenate([np.zeros((1, 1, K)), out[:-1]])
    out_dense, _, _ = dense.forward(theta, np.concatenate([X, previous], axis=2), np.ones(T, int), np.array([T]))
    np.testing.assert_allclose(out, out_dense, rtol=1e-12)


@pytest.mark.parametrize("pooling", ["mean", "max", "mean_max", "last"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("cell", ["elman", "lstm", "gru"])
def test_pooled_many_to_one_gradient_ragged(pooling, bidirectional, cell):
    """Pooling over each sequence's valid steps (padded steps never pooled), stacked, both directions."""
    rng = np.random.RandomState(5)
    X, L, Y = make_problem(rng, [6, 1, 4, 3], per_step=False)
    factory = elman("tanh") if cell == "elman" else CELLS[cell]
    net = Network(3, [(factory, 3), (factory, 4)], DenseStack([], 2), per_step=False, bidirectional=bidirectional,
                  pooling=pooling)
    check_gradient(net, TrainingData(X, L, Y, False), "squared_error", rng)


def test_pooling_ignores_padded_steps():
    """Garbage in the padding of a batch changes nothing: mean and max read valid steps only."""
    from sktemporal.neural_network._layers import pool_states

    rng = np.random.RandomState(6)
    A = rng.normal(size=(5, 3, 2))
    lengths = np.array([5, 2, 3])
    rows, _ = pool_states(A, lengths, "mean_max")
    poisoned = A.copy()
    for b, n in enumerate(lengths):
        poisoned[n:, b] = 1e6
    np.testing.assert_array_equal(pool_states(poisoned, lengths, "mean_max")[0], rows)
    np.testing.assert_allclose(rows[1], np.r_[A[:2, 1].mean(axis=0), A[:2, 1].max(axis=0)])
