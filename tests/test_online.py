"""Online solvers for Elman networks: RTRL, EKF and node-decoupled EKF."""

import warnings
from functools import partial

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sktemporal.neural_network import RNNClassifier, RNNRegressor
from sktemporal.neural_network._cells import CELLS
from sktemporal.neural_network._layers import DenseStack, Network
from sktemporal.neural_network._online import rtrl_gradient
from sktemporal.neural_network._training import TrainingData, loss_and_gradient


def stream(n=1200, seed=0):
    """y(t) = 0.5 y(t−1) + 0.5 x(t) x(t−1) + 0.3 x(t−2): needs memory and a nonlinearity."""
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1, 1, n)
    y = np.zeros(n)
    for t in range(n):
        y[t] = 0.5 * (y[t - 1] if t else 0) + 0.5 * x[t] * (x[t - 1] if t else 0) + 0.3 * (x[t - 2] if t > 1 else 0)
    return x[:, None], y


@pytest.mark.parametrize("activation", ["tanh", "logistic"])
@pytest.mark.parametrize("loss, out_act, n_out", [("squared_error", "identity", 2), ("log_loss", "softmax", 3)])
def test_rtrl_gradient_equals_bptt_gradient(activation, loss, out_act, n_out):
    rng = np.random.RandomState(0)
    T, n_in = 12, 2
    net = Network(n_in, [(partial(CELLS["elman"], activation=activation), 5)],
                  DenseStack([], n_out, out_activation=out_act), per_step=True)
    theta = net.layout.zeros()
    net.initialize(theta, rng)
    theta += 0.1 * rng.normal(size=theta.shape)
    X = rng.normal(size=(T, n_in))
    Y = np.eye(n_out)[rng.randint(n_out, size=T)] if loss == "log_loss" else rng.normal(size=(T, n_out))
    loss_rtrl, grad_rtrl = rtrl_gradient(net, theta, X, Y, loss)
    data = TrainingData(X[None], np.array([T]), Y[None], per_step=True)
    grad_bptt = np.zeros_like(theta)
    (chunk,) = list(data.chunks(np.array([0])))
    loss_bptt, _, _ = loss_and_gradient(net, theta, grad_bptt, loss, chunk, None)
    assert abs(loss_rtrl - loss_bptt) < 1e-10 * max(1, abs(loss_bptt))
    np.testing.assert_allclose(grad_rtrl, grad_bptt, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("solver", ["rtrl", "ekf", "dekf"])
def test_partial_fit_chunks_equal_one_pass(solver):
    X, y = stream(300)
    # scaler=None: partial_fit takes its statistics from the first chunk, fit from all data
    params = dict(hidden_layer_sizes=(4,), solver=solver, learning_rate_init=0.01, random_state=0,
                  scaler=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        whole = RNNRegressor(max_iter=1, **params).fit(X, y)
    chunked = RNNRegressor(**params)
    for start in range(0, 300, 70):  # 70 does not divide 300: a short last chunk
        chunked.partial_fit(X[start: start + 70], y[start: start + 70])
    np.testing.assert_allclose(chunked.params_, whole.params_, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("solver, lr, threshold", [("rtrl", 0.01, 0.7), ("ekf", 0.0, 0.95), ("dekf", 0.0, 0.9)])
def test_online_solvers_learn_the_stream(solver, lr, threshold):
    X, y = stream(2000)
    # scaler=None: the learning rates below are tuned for the raw stream (|y| ~ 0.3)
    model = RNNRegressor((8,), solver=solver, learning_rate_init=lr or 1e-3, max_iter=3, random_state=0,
                         scaler=None, initial_covariance=100.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X[:1500], y[:1500])
    assert model.score(X[1500:], y[1500:]) > threshold


def test_ekf_needs_fewer_passes_than_sgd():
    X, y = stream(900)
    target = 0.9

    def passes_to_reach(solver, lr, budget=30):
        model = RNNRegressor((6,), solver=solver, learning_rate_init=lr, random_state=0, shuffle=False,
                             batch_size=1 if solver == "sgd" else "auto", initial_covariance=100.0)
        Xs, ys = (X[:600], y[:600])
        for n in range(1, budget + 1):
            if solver == "sgd":
                # sgd over truncated-BPTT chunks of the stream, one pass per call
                model.set_params(bptt_steps=10)
            model.partial_fit(Xs, ys)
            if model.score(X[600:], y[600:]) > target:
                return n
        return budget + 1

    ekf = passes_to_reach("ekf", 1e-3)
    sgd = passes_to_reach("sgd", 0.05)
    assert ekf <= 3
    assert ekf < sgd


def test_online_classifier_and_collections():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(200, 6, 1))
    y = (X[:, 0, 0] > 0).astype(int)  # remember the first step of each sequence
    # X is standard normal already; scaler=None keeps this test about the solver
    clf = RNNClassifier((6,), solver="dekf", max_iter=3, random_state=0, scaler=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X[:150], y[:150])
    assert clf.score(X[150:], y[150:]) > 0.9


def test_too_large_for_the_solver_is_a_clear_error():
    X, y = stream(50)
    with pytest.raises(ValueError, match="more than the limit .* use fewer hidden units"):
        RNNRegressor((400,), solver="rtrl").fit(X, y)
    with pytest.raises(ValueError, match="one unidirectional Elman layer"):
        RNNRegressor((4, 4), solver="ekf").fit(X, y)
    with pytest.raises(ValueError, match="bptt_steps and early_stopping"):
        RNNRegressor((4,), solver="rtrl", bptt_steps=5).fit(X, y)
