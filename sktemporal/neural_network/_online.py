"""Online training of an Elman network: real-time recurrent learning and (decoupled) extended Kalman filters.

The network is one Elman layer and a dense output,

.. math::

    z(t) = x(t)\\,U + h(t-1)\\,W + b,\\quad h(t) = f(z(t)),\\quad \\hat y(t) = g(h(t)\\,V + c).

**RTRL** (Williams & Zipser, 1989) carries the sensitivities
:math:`S(t) = \\partial h(t) / \\partial \\theta_{rec}` of the state to the recurrent
parameters :math:`\\theta_{rec} = (U, W, b)` forward in time,

.. math::

    S(t) = \\mathrm{diag}\\,f'(z(t))\\,\\big(W^\\top S(t-1) + D(t)\\big),

where :math:`D(t)` holds the direct terms (:math:`\\partial z_k/\\partial U_{ik} = x_i`,
:math:`\\partial z_k/\\partial W_{jk} = h_j(t-1)`, :math:`\\partial z_k/\\partial b_k = 1`), so
the gradient of the loss at step :math:`t` is available at step :math:`t`:
:math:`\\partial L_t/\\partial \\theta_{rec} = (\\partial L_t/\\partial h(t))\\,S(t)`.  The
weights are updated every step.  Cost per step :math:`O(H^2 P) \\approx O(H^4)`, memory
:math:`H \\times P` for :math:`H` units and :math:`P = (n_{in} + H + 1) H` recurrent parameters.

**EKF** (Singhal & Wu, 1989; Puskorius & Feldkamp, 1994) treats all :math:`M` weights
:math:`w` as the state of a Kalman filter observed through the network output, linearised
every step with :math:`C(t) = \\partial \\hat y(t)/\\partial w` (from the RTRL sensitivities):

.. math::

    A = R + C P C^\\top,\\quad K = P C^\\top A^{-1},\\quad
    w \\leftarrow w + K\\,(y - \\hat y),\\quad P \\leftarrow P - K C P + Q.

Cost per step :math:`O(M^2 n_{out})` on top of RTRL, memory :math:`M^2`.  **DEKF** (node
decoupled) keeps one block :math:`P_g` per neuron (the weights entering that neuron) and
ignores the covariance between blocks: :math:`A = R + \\sum_g C_g P_g C_g^\\top`,
memory :math:`\\sum_g m_g^2`.
"""

import time

import numpy as np

from ._activations import ACTIVATIONS, DERIVATIVES
from ._loss import LOSSES
from ._optimizers import make_optimizer
from ._training import _clip, check_finite_loss, end_epoch

__all__ = ["ONLINE_SOLVERS", "MAX_ENTRIES", "OnlineState", "fit_online", "rtrl_gradient"]

ONLINE_SOLVERS = ("rtrl", "ekf", "dekf")
#: Largest sensitivity / covariance array (entries) an online solver may allocate (160 MB in float64).
MAX_ENTRIES = 20_000_000


class OnlineState:
    """What an online solver carries from one step (and one ``partial_fit`` call) to the next."""

    def __init__(self, solver, net, dtype):
        cell = net.recurrent[0].cells[0]
        self.n_in, self.H = cell.n_in, cell.n_hidden
        self.activation = cell.activation
        self.out_activation = net.dense[-1].activation
        self.n_out = net.dense[-1].n_out
        self.P_rec = (self.n_in + self.H + 1) * self.H
        self.M = net.layout.size
        H = self.H
        sizes = {"rtrl": H * self.P_rec}
        sizes["ekf"] = sizes["rtrl"] + self.M**2
        groups = _neuron_groups(self.n_in, H, net.dense[-1].n_out, self.P_rec)
        sizes["dekf"] = sizes["rtrl"] + sum(len(g) ** 2 for g in groups)
        if sizes[solver] > MAX_ENTRIES:
            raise ValueError(
                f"solver={solver!r} needs {sizes[solver]:,} numbers of state for this network "
                f"({H} hidden units, {self.M} weights): more than the limit of {MAX_ENTRIES:,} "
                "(sktemporal.neural_network._online.MAX_ENTRIES). RTRL costs O(H^4) per step and "
                "EKF O(M^2): use fewer hidden units, solver='dekf', or BPTT (solver='adam' with "
                "bptt_steps) for a network of this size."
            )
        self.h = np.zeros(H, dtype=dtype)
        self.S = np.zeros((H, self.P_rec), dtype=dtype)
        self.groups = groups
        self.P = None
        # column of ∂z_k/∂[U; W] for unit k: [U; W] is ((n_in + H) × H) row-major
        self.direct_cols = np.arange(H)[:, None] + H * np.arange(self.n_in + H)[None, :]
        self.bias_cols = (self.n_in + H) * H + np.arange(H)

    def reset_sequence(self):
        self.h[...] = 0
        self.S[...] = 0


def _neuron_groups(n_in, H, n_out, P_rec):
    """Flat indices of the weights entering each hidden unit, then each output unit."""
    groups = []
    for k in range(H):
        groups.append(np.concatenate([k + H * np.arange(n_in + H), [(n_in + H) * H + k]]))
    for o in range(n_out):
        groups.append(np.concatenate([P_rec + o + n_out * np.arange(H), [P_rec + H * n_out + o]]))
    return groups


def _step(state, theta, x):
    """Advance state and sensitivities by one step; return h(t) and the output ŷ(t)."""
    H, n_in, P_rec = state.H, state.n_in, state.P_rec
    U = theta[: n_in * H].reshape(n_in, H)
    W = theta[n_in * H: (n_in + H) * H].reshape(H, H)
    b = theta[(n_in + H) * H: P_rec]
    h_prev = state.h
    z = x @ U + h_prev @ W + b
    h = ACTIVATIONS[state.activation](z)
    # S(t) = diag f'(z) (Wᵀ S(t−1) + D(t))
    S = W.T @ state.S
    S[np.arange(H)[:, None], state.direct_cols] += np.concatenate([x, h_prev])[None, :]
    S[np.arange(H), state.bias_cols] += 1
    S *= DERIVATIVES[state.activation](h, np.ones_like(h))[:, None]
    state.h, state.S = h, S
    n_out = state.n_out
    V = theta[P_rec: P_rec + H * n_out].reshape(H, n_out)
    c = theta[P_rec + H * n_out:]
    y = ACTIVATIONS[state.out_activation]((h @ V + c)[None, :])[0]
    return h, y, V


def _output_jacobian(state, theta, h, y, V):
    """C = ∂ŷ/∂w (n_out × M) through the output activation, the output layer and S(t)."""
    n_out, H, P_rec = y.size, state.H, state.P_rec
    dz_dw = np.zeros((n_out, state.M), dtype=theta.dtype)
    dz_dw[:, :P_rec] = V.T @ state.S
    for o in range(n_out):
        dz_dw[o, P_rec + o: P_rec + H * n_out: n_out] = h
        dz_dw[o, P_rec + H * n_out + o] = 1
    if state.out_activation == "identity":
        return dz_dw
    if state.out_activation == "logistic":
        return (y * (1 - y))[:, None] * dz_dw
    return (np.diag(y) - np.outer(y, y)) @ dz_dw  # softmax


def _loss_gradient(state, theta, h, y, V, target, loss_name, grad):
    """Gradient of the step loss into ``grad``; returns the loss (before any update)."""
    loss, delta = LOSSES[loss_name](y[None, :], target[None, :], None)
    delta = delta[0]
    P_rec, H, n_out = state.P_rec, state.H, y.size
    grad[:P_rec] = (V @ delta) @ state.S
    grad[P_rec: P_rec + H * n_out] = np.outer(h, delta).ravel()
    grad[P_rec + H * n_out:] = delta
    return loss


def rtrl_gradient(net, theta, X, Y, loss_name="squared_error"):
    """Gradient of the summed loss over one sequence, by RTRL, without any update.

    Equals the BPTT gradient of the same loss (a test of both).  ``X`` is ``(T, n_in)``,
    ``Y`` is ``(T, n_out)``; returns ``(loss, gradient)``.
    """
    state = OnlineState("rtrl", net, theta.dtype)
    total, grad, step_grad = 0.0, np.zeros_like(theta), np.zeros_like(theta)
    for x, target in zip(X, Y):
        h, y, V = _step(state, theta, x)
        total += _loss_gradient(state, theta, h, y, V, target, loss_name, step_grad)
        grad += step_grad
    return total, grad


def _kalman_update(config, state, theta, C, error):
    """One (decoupled) EKF measurement update of the weights ``theta`` in place."""
    R = config.measurement_noise * np.eye(C.shape[0], dtype=theta.dtype)
    if config.solver == "ekf":
        PC = state.P @ C.T
        K = np.linalg.solve(R + C @ PC, PC.T).T
        theta += K @ error
        state.P -= K @ PC.T
        state.P[np.diag_indices_from(state.P)] += config.process_noise
        return
    blocks = [(g, C[:, g]) for g in state.groups]
    PCs = [P @ Cg.T for P, (_, Cg) in zip(state.P, blocks)]
    A = R + sum(Cg @ PC for (_, Cg), PC in zip(blocks, PCs))
    A_inv = np.linalg.inv(A)
    for i, ((g, _), PC) in enumerate(zip(blocks, PCs)):
        K = PC @ A_inv
        theta[g] += K @ error
        state.P[i] -= K @ PC.T
        state.P[i][np.diag_indices_from(state.P[i])] += config.process_noise


def new_online_state(config, net, dtype):
    """A fresh :class:`OnlineState` for ``config.solver``, with the EKF covariance at its prior."""
    state = OnlineState(config.solver, net, dtype)
    M = net.layout.size
    if config.solver == "ekf":
        state.P = config.initial_covariance * np.eye(M, dtype=dtype)
    elif config.solver == "dekf":
        state.P = [config.initial_covariance * np.eye(len(g), dtype=dtype) for g in state.groups]
    return state


def fit_online(config, net, theta, data, loss_name, history, incremental):
    """Pass(es) over the sequences in order, updating the weights after every target; update ``history``.

    ``history.online_state`` (sensitivities, covariance, the state of a series' stream)
    is continued when ``incremental``; otherwise training starts a new filter.
    """
    if not incremental or history.online_state is None:
        history.online_state = new_online_state(config, net, theta.dtype)
        history.optimizer = make_optimizer(config, theta, "sgd")
    state, opt = history.online_state, history.optimizer
    opt.params = theta
    weight_mask = net.layout.weight_mask().astype(theta.dtype)
    grad = np.zeros_like(theta)
    max_iter = 1 if incremental else config.max_iter
    for _ in range(max_iter):
        tic = time.perf_counter()
        total, rows = 0.0, 0
        for i in range(data.n_sequences):
            if not incremental or data.n_sequences > 1:
                state.reset_sequence()  # a new sequence (a series' stream continues across partial_fit)
            L = int(data.lengths[i])
            X = data.values[i, :L]
            for t in range(L):
                h, y, V = _step(state, theta, X[t])
                if data.per_step:
                    target = data.targets[i, t]
                elif t == L - 1:
                    target = data.targets[i]
                else:
                    continue
                if config.solver == "rtrl":
                    loss = _loss_gradient(state, theta, h, y, V, target, loss_name, grad)
                    if config.alpha:
                        grad += config.alpha * theta * weight_mask
                    _clip(grad, config.clip_norm)
                    opt.update(grad)
                else:
                    loss = LOSSES[loss_name](y[None, :], target[None, :], None)[0]
                    C = _output_jacobian(state, theta, h, y, V)
                    _kalman_update(config, state, theta, C, target - y)
                check_finite_loss(loss, history, config)
                total += loss
                rows += 1
        if end_epoch(history, config, opt, total, rows, None, theta, tic, incremental):
            break
    return history
