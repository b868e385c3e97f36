"""Tests of sktemporal.datasets: determinism, layouts and known properties of each task."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from sktemporal.datasets import (
    adding_problem,
    copy_task,
    lorenz,
    mackey_glass,
    make_sequence_classification,
    memory_task,
    narma,
)
from sktemporal.datasets._generators import _narma_recursion
from sktemporal.utils import check_sequences

GENERATORS = {
    "mackey_glass": lambda rs: mackey_glass(300, washout=50, random_state=rs),
    "narma": lambda rs: narma(300, random_state=rs),
    "lorenz": lambda rs: lorenz(300, washout=10, random_state=rs),
    "memory_task": lambda rs: memory_task(300, max_delay=5, random_state=rs),
    "adding_problem": lambda rs: adding_problem(20, seq_length=10, random_state=rs),
    "copy_task": lambda rs: copy_task(20, seq_length=4, delay=5, random_state=rs),
    "make_sequence_classification": lambda rs: make_sequence_classification(
        20, random_state=rs, return_list=False
    ),
}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_deterministic_given_random_state(name):
    make = GENERATORS[name]
    X1, y1 = make(0)
    X2, y2 = make(np.random.RandomState(0))
    X3, _ = make(1)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3, equal_nan=True)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_outputs_satisfy_the_data_contract(name):
    X, y = GENERATORS[name](0)
    batch = check_sequences(X)
    assert len(X) == len(y)
    if batch.kind == "series":
        assert X.ndim == 2 and y.shape[0] == X.shape[0]
    else:
        assert X.ndim == 3
    assert np.isfinite(y).all()


# ----------------------------------------------------------------------------------
# Mackey–Glass
# ----------------------------------------------------------------------------------
def _mackey_glass_reference(x0, n_steps, tau=17, a=0.2, b=0.1, n=10, dt=0.1):
    """Plain Euler loop with a constant history, straight from the equation."""
    d = int(round(tau / dt))
    x = [x0] * (d + 1)
    for i in range(d, d + n_steps):
        x.append(x[i] + dt * (a * x[i - d] / (1 + x[i - d] ** n) - b * x[i]))
    return np.array(x[d:])


def test_mackey_glass_matches_plain_euler_with_exact_delay():
    X, y = mackey_glass(
        60, washout=0, initial_history="constant", subsample=10, horizon=1, x0=1.2
    )
    ref = _mackey_glass_reference(1.2, 600)
    np.testing.assert_allclose(X[:, 0], ref[:600:10], rtol=0, atol=1e-12)
    np.testing.assert_allclose(y, ref[10::10], rtol=0, atol=1e-12)


def test_mackey_glass_horizon_washout_and_bunch():
    X, y = mackey_glass(100, horizon=3, washout=20, initial_history="constant")
    np.testing.assert_array_equal(y[:-3], X[3:, 0])
    X_late, _ = mackey_glass(95, horizon=3, washout=25, initial_history="constant")
    np.testing.assert_allclose(X_late, X[5:], atol=1e-12)
    bunch = mackey_glass(100, horizon=3, washout=20, initial_history="constant", return_X_y=False)
    np.testing.assert_array_equal(bunch.data, X)
    np.testing.assert_array_equal(bunch.target, y)
    np.testing.assert_allclose(bunch.time[:2], [20.0, 21.0])


def test_mackey_glass_tau17_range_and_chaos():
    X, _ = mackey_glass(3000, random_state=0)
    x = X[:, 0]
    assert 0.2 < x.min() < 0.6 and 1.1 < x.max() < 1.4
    # a limit cycle would repeat a handful of peak heights; chaos spreads them out
    inner = x[1:-1]
    peaks = inner[(inner > x[:-2]) & (inner > x[2:])]
    assert len(peaks) > 50 and peaks.std() > 0.05
    # sensitive dependence on initial conditions: a 1e-9 nudge grows to order one
    a, _ = mackey_glass(3000, initial_history="constant", x0=1.2)
    b, _ = mackey_glass(3000, initial_history="constant", x0=1.2 + 1e-9)
    assert abs(a[:100] - b[:100]).max() < 1e-6
    assert abs(a[-500:] - b[-500:]).max() > 0.1


def test_mackey_glass_constant_history_ignores_random_state():
    a, _ = mackey_glass(50, initial_history="constant", random_state=0)
    b, _ = mackey_glass(50, initial_history="constant", random_state=1)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"tau": 17.05}, "whole number of Euler steps"),
        ({"n_timesteps": 0}, "n_timesteps"),
        ({"x0": -1.0}, "x0"),
        ({"initial_history": "zeros"}, "initial_history"),
    ],
)
def test_mackey_glass_rejects_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mackey_glass(**{"n_timesteps": 10, **kwargs})


# ----------------------------------------------------------------------------------
# NARMA
# ----------------------------------------------------------------------------------
def test_narma10_alignment_follows_the_recursion():
    X, y = narma(500, random_state=0)
    u = X[:, 0]
    t = np.arange(10, 500)
    window = np.array([y[i - 10 : i].sum() for i in t])  # y(t) ... y(t-9) for output y(t+1)
    expected = 0.3 * y[t - 1] + 0.05 * y[t - 1] * window + 1.5 * u[t - 9] * u[t] + 0.1
    np.testing.assert_allclose(y[t], expected, rtol=1e-10)


def test_narma10_is_finite_and_in_its_usual_range():
    X, y = narma(5000, random_state=0)
    assert X.shape == (5000, 1) and y.shape == (5000,)
    assert 0 <= X.min() and X.max() <= 0.5
    assert np.isfinite(y).all()
    assert 0.1 <= y.min() and y.max() < 1.2
    assert 0.2 < y.mean() < 0.6


def test_narma_redraws_a_diverging_input_deterministically():
    # with this seed the first input draw of 10,009 values makes NARMA10 diverge
    rng = np.random.RandomState(7)
    first = rng.uniform(0, 0.5, size=10009)
    assert _narma_recursion(first.tolist(), 10, 0.3, 0.05, 1.5, 0.1, None) is None
    X, y = narma(10000, random_state=7)
    assert np.isfinite(y).all() and y.max() < 2
    np.testing.assert_array_equal(X[:, 0], rng.uniform(0, 0.5, size=10009)[9:])
    X2, y2 = narma(10000, random_state=7)
    np.testing.assert_array_equal(y, y2)


def test_narma_high_order_needs_tanh():
    with pytest.raises(RuntimeError, match="tanh"):
        narma(2000, order=20, random_state=0)
    X, y = narma(2000, order=20, activation="tanh", delta=0.01, random_state=0)
    assert np.isfinite(y).all() and np.abs(y).max() < 1
    _, y30 = narma(2000, order=30, alpha=0.2, beta=0.004, delta=0.001, random_state=0)
    assert np.isfinite(y30).all()


def test_narma_washout_drops_the_transient():
    X, y = narma(100, washout=50, random_state=0)
    X_full, y_full = narma(150, random_state=0)
    np.testing.assert_array_equal(X, X_full[50:])
    np.testing.assert_allclose(y, y_full[50:])


# ----------------------------------------------------------------------------------
# Lorenz
# ----------------------------------------------------------------------------------
def test_lorenz_is_fourth_order_runge_kutta():
    x0 = [1.0, 1.0, 1.0]
    sol = solve_ivp(
        lambda t, s: [10 * (s[1] - s[0]), s[0] * (28 - s[2]) - s[1], s[0] * s[1] - 8 / 3 * s[2]],
        (0, 1.0),
        x0,
        method="DOP853",
        rtol=1e-12,
        atol=1e-12,
    ).y[:, -1]
    errors = []
    for dt in (0.005, 0.0025):
        X, y = lorenz(int(round(1 / dt)), x0=x0, washout=0, dt=dt)
        np.testing.assert_array_equal(y[:-1], X[1:])
        errors.append(np.abs(y[-1] - sol).max())  # y[-1] is the state at t = 1
    assert errors[1] < 1e-6
    assert 8 < errors[0] / errors[1] < 32  # halving dt divides the error by ~2**4


def test_lorenz_attractor_subsample_and_x0():
    X, _ = lorenz(2000, random_state=0)
    assert np.abs(X[:, 0]).max() < 25 and np.abs(X[:, 1]).max() < 35
    assert 0 < X[:, 2].min() and X[:, 2].max() < 55
    assert (X[:, 0] > 5).any() and (X[:, 0] < -5).any()  # visits both wings
    fine, _ = lorenz(50, x0=[1, 2, 3], washout=0)
    coarse, _ = lorenz(5, x0=[1, 2, 3], washout=0, subsample=10, random_state=5)
    np.testing.assert_allclose(coarse, fine[::10], atol=1e-12)
    with pytest.raises(ValueError, match="x0"):
        lorenz(10, x0=[1, 2])


# ----------------------------------------------------------------------------------
# memory task
# ----------------------------------------------------------------------------------
def test_memory_task_delays():
    X, y = memory_task(200, max_delay=7, random_state=0)
    u = X[:, 0]
    assert X.shape == (200, 1) and y.shape == (200, 7)
    assert -0.5 <= u.min() and u.max() <= 0.5
    for k in range(1, 8):
        np.testing.assert_array_equal(y[k:, k - 1], u[:-k])
        np.testing.assert_array_equal(y[:k, k - 1], 0)
    Xn, _ = memory_task(2000, distribution="normal", random_state=0)
    assert Xn.min() < -2 and Xn.max() > 2
    with pytest.raises(ValueError, match="distribution"):
        memory_task(10, distribution="binary")


# ----------------------------------------------------------------------------------
# collections
# ----------------------------------------------------------------------------------
def test_adding_problem_layout_and_baseline():
    X, y = adding_problem(20000, seq_length=30, random_state=0)
    assert X.shape == (20000, 30, 2) and y.shape == (20000,)
    values, markers = X[:, :, 0], X[:, :, 1]
    assert 0 <= values.min() and values.max() <= 1
    np.testing.assert_array_equal(markers[:, :15].sum(axis=1), 1)
    np.testing.assert_array_equal(markers[:, 15:].sum(axis=1), 1)
    np.testing.assert_allclose(y, (values * markers).sum(axis=1))
    # predicting the mean: MSE = Var(U + U') = 1/6
    assert abs(np.mean((y - y.mean()) ** 2) - 1 / 6) < 0.005


def test_copy_task_layout():
    S, D, K = 5, 7, 6
    X, y = copy_task(50, seq_length=S, n_symbols=K, delay=D, random_state=0)
    L = 2 * S + D
    assert X.shape == (50, L, K + 2) and y.shape == (50, L)
    assert y.dtype.kind == "i"
    np.testing.assert_array_equal(X.sum(axis=2), 1)
    codes = X.argmax(axis=2)
    data = codes[:, :S]
    assert data.min() >= 1 and data.max() <= K
    np.testing.assert_array_equal(codes[:, S + D - 1], K + 1)
    np.testing.assert_array_equal(codes[:, S : S + D - 1], 0)
    np.testing.assert_array_equal(codes[:, S + D :], 0)
    np.testing.assert_array_equal(y[:, : S + D], 0)
    np.testing.assert_array_equal(y[:, S + D :], data)


def test_make_sequence_classification_layouts():
    X, y = make_sequence_classification(
        31, n_classes=3, n_features=2, min_length=10, max_length=25, random_state=0
    )
    assert isinstance(X, list) and len(X) == 31 and y.shape == (31,)
    lengths = np.array([len(x) for x in X])
    assert all(x.shape[1] == 2 for x in X)
    assert lengths.min() >= 10 and lengths.max() <= 25 and len(set(lengths)) > 3
    assert np.bincount(y).tolist() == [11, 10, 10]
    X3, y3 = make_sequence_classification(
        31, n_classes=3, n_features=2, min_length=10, max_length=25, random_state=0,
        return_list=False,
    )
    np.testing.assert_array_equal(y3, y)
    batch = check_sequences(X3)
    np.testing.assert_array_equal(batch.lengths, lengths)
    for x, x3 in zip(X, batch.sequences()):
        np.testing.assert_array_equal(x, x3)


def test_make_sequence_classification_needs_temporal_structure():
    X, y = make_sequence_classification(600, random_state=0)
    level = np.array([[x.mean(), x.std()] for x in X])
    dynamics = np.array([[np.corrcoef(x[:-1, 0], x[1:, 0])[0, 1]] for x in X])
    model = LogisticRegression()
    assert cross_val_score(model, level, y, cv=3).mean() < 0.5  # chance is 1/3
    assert cross_val_score(model, dynamics, y, cv=3).mean() > 0.9


@pytest.mark.parametrize(
    "func, kwargs, match",
    [
        (adding_problem, {"seq_length": 1}, "seq_length"),
        (copy_task, {"delay": 0}, "delay"),
        (make_sequence_classification, {"n_classes": 1}, "n_classes"),
        (make_sequence_classification, {"min_length": 9, "max_length": 5}, "min_length"),
        (narma, {"activation": "relu"}, "activation"),
        (narma, {"input_range": (1, 0)}, "input_range"),
    ],
)
def test_collection_generators_reject_bad_parameters(func, kwargs, match):
    with pytest.raises(ValueError, match=match):
        func(10, **kwargs)
