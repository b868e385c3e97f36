"""The (decoupled) extended Kalman filter update against its textbook formulas."""

from functools import partial

import numpy as np
import pytest

from sktemporal.exceptions import DivergenceError
from sktemporal.neural_network._cells import CELLS
from sktemporal.neural_network._layers import DenseStack, Network
from sktemporal.neural_network._online import OnlineState, _kalman_update


def _state(solver, n_in=2, H=3, n_out=2, seed=0):
    rng = np.random.RandomState(seed)
    net = Network(n_in, [(partial(CELLS["elman"], activation="tanh"), H)], DenseStack([], n_out), per_step=True)
    state = OnlineState(solver, net, np.float64)
    state.reset_covariance(solver, 1.0, np.float64)
    # a generic SPD covariance (blocks for DEKF)
    def spd(m):
        A = rng.normal(size=(m, m))
        return A @ A.T / m + np.eye(m)
    state.P = spd(state.M) if solver == "ekf" else [spd(len(g)) for g in state.groups]
    theta = rng.normal(size=state.M)
    C = rng.normal(size=(n_out, state.M))
    error = rng.normal(size=n_out)
    return state, theta, C, error


@pytest.mark.parametrize("solver", ["ekf", "dekf"])
def test_kalman_update_is_the_textbook_update_and_keeps_P_symmetric(solver):
    """K = P Cᵀ (R + C P Cᵀ)⁻¹, w += K e, P ← P − K C P + Q (per block for DEKF, with
    A = R + Σ_g C_g P_g C_gᵀ); the result's covariance is exactly symmetric."""
    state, theta, C, error = _state(solver)
    r, q = 0.5, 1e-3
    if solver == "ekf":
        blocks, Ps = [np.arange(state.M)], [state.P.copy()]
    else:
        blocks, Ps = state.groups, [P.copy() for P in state.P]
    A = r * np.eye(C.shape[0]) + sum(C[:, g] @ P @ C[:, g].T for g, P in zip(blocks, Ps))
    expected_theta = theta.copy()
    expected_P = []
    for g, P in zip(blocks, Ps):
        K = P @ C[:, g].T @ np.linalg.inv(A)
        expected_theta[g] += K @ error
        expected_P.append(P - K @ C[:, g] @ P + q * np.eye(len(g)))
    _kalman_update(state, theta, C, error, solver, measurement_noise=r, process_noise=q)
    np.testing.assert_allclose(theta, expected_theta, rtol=1e-12, atol=1e-12)
    got = [state.P] if solver == "ekf" else state.P
    for P, P_ref in zip(got, expected_P):
        np.testing.assert_allclose(P, P_ref, rtol=1e-11, atol=1e-12)
        assert np.array_equal(P, P.T)


def test_neuron_groups_partition_the_weights():
    """DEKF's blocks: the weights entering each hidden unit, then each output unit; every weight once."""
    state, *_ = _state("dekf", n_in=2, H=3, n_out=2)
    flat = np.concatenate(state.groups)
    assert sorted(flat.tolist()) == list(range(state.M))
    assert [len(g) for g in state.groups] == [2 + 3 + 1] * 3 + [3 + 1] * 2


@pytest.mark.parametrize("solver", ["ekf", "dekf"])
@pytest.mark.parametrize("fault", ["nan", "indefinite"])
def test_a_diverged_filter_raises_divergence_error(solver, fault):
    """A non-finite or indefinite innovation covariance is the filter diverging: the package's
    DivergenceError with what to change, not a raw LAPACK error; nothing is updated."""
    state, theta, C, error = _state(solver)
    if fault == "nan":
        C[0, 0] = np.nan
    else:
        state.P = -np.eye(state.M) if solver == "ekf" else [-np.eye(len(g)) for g in state.groups]
    before = theta.copy()
    with pytest.raises(DivergenceError, match=r"Kalman filter diverged.*initial_covariance"):
        _kalman_update(state, theta, C, error, solver, measurement_noise=0.1, process_noise=0.0)
    np.testing.assert_array_equal(theta, before)
