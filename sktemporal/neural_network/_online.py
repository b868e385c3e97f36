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
from scipy.linalg import LinAlgError, cho_factor, solve_triangular

from ..exceptions import DivergenceError
from ..utils._activations import ACTIVATIONS, DERIVATIVES
from ._epochs import EpochHooks, EpochInfo
from ._loss import LOSSES
from ._optimizers import make_optimizer
from ._params import ParameterLayout
from ._training import _clip, _warn_max_iter, check_finite_loss, end_epoch

__all__ = ["ONLINE_SOLVERS", "MAX_ENTRIES", "OnlineState", "fit_online", "rtrl_gradient"]

ONLINE_SOLVERS = ("rtrl", "ekf", "dekf")
#: Largest sensitivity / covariance array (entries) an online solver may allocate (160 MB in float64).
MAX_ENTRIES = 20_000_000


class OnlineState:
    """What an online solver carries from one step (and one ``partial_fit`` call) to the next.

    The network's parameters are read through its :class:`ParameterLayout`: ``U``, ``W``,
    ``b`` of the Elman cell, then ``V``, ``c`` of the output layer.  The recurrent ones
    ``θ_rec = (U, W, b)`` are contiguous (``rec``, a slice of the flat vector), and the
    sensitivities ``S = ∂h/∂θ_rec`` have the same layout along their columns
    (``S_views``: ``S_views["U"][k, i, j] = ∂h_k/∂U_ij``).

    Parameters
    ----------
    solver : {'rtrl', 'ekf', 'dekf'}
    net : Network
        One Elman layer and a dense output layer.
    dtype : numpy dtype
    """

    def __init__(self, solver, net, dtype):
        cell = net.recurrent[0].cells[0]
        self.n_in, self.H = cell.n_in, cell.n_hidden
        self.activation = cell.activation
        out = net.dense[-1]
        self.out_activation = out.activation
        self.n_out = out.n_out
        self.layout = net.layout
        # parameter names inside the network's layout
        cell_prefix = net.recurrent[0].names[0]
        self.names = {"U": cell_prefix + "U", "W": cell_prefix + "W", "b": cell_prefix + "b",
                      "V": out.prefix + "V", "c": out.prefix + "c"}
        slices = {k: self.layout.slices[name] for k, name in self.names.items()}
        if not (slices["U"].stop == slices["W"].start and slices["W"].stop == slices["b"].start):
            raise ValueError("the online solvers need U, W, b of the Elman cell side by side in the layout")
        self.rec = slice(slices["U"].start, slices["b"].stop)
        self.P_rec = self.rec.stop - self.rec.start
        self.M = self.layout.size
        H = self.H
        self.groups = _neuron_groups(self.layout, self.names)
        sizes = {"rtrl": H * self.P_rec}
        sizes["ekf"] = sizes["rtrl"] + self.M**2
        sizes["dekf"] = sizes["rtrl"] + sum(len(g) ** 2 for g in self.groups)
        if sizes[solver] > MAX_ENTRIES:
            raise ValueError(
                f"solver={solver!r} needs {sizes[solver]:,} numbers of state for this network "
                f"({H} hidden units, {self.M} weights): more than the limit of {MAX_ENTRIES:,} "
                "(sktemporal.neural_network._online.MAX_ENTRIES). RTRL costs O(H^4) per step and "
                "EKF O(M^2): use fewer hidden units, solver='dekf', or BPTT (solver='adam' with "
                "bptt_steps) for a network of this size."
            )
        # the columns of S in the layout of θ_rec, a row per hidden unit
        self.rec_layout = ParameterLayout([("U", (self.n_in, H)), ("W", (H, H)), ("b", (H,))])
        self.h = np.zeros(H, dtype=dtype)
        self.S = np.zeros((H, self.P_rec), dtype=dtype)
        self.P = None

    def views(self, theta):
        """``U, W, b, V, c`` as views of the flat vector ``theta``."""
        views = self.layout.views(theta)
        return tuple(views[self.names[k]] for k in ("U", "W", "b", "V", "c"))

    def S_views(self, S):
        """The sensitivities ``S`` (``(H, P_rec)``) as ``(H,) + shape`` views per recurrent parameter."""
        return {name: S[:, sl].reshape((self.H,) + self.rec_layout.shapes[name])
                for name, sl in self.rec_layout.slices.items()}

    def reset_sequence(self):
        self.h[...] = 0
        self.S[...] = 0

    def reset_covariance(self, solver, initial_covariance, dtype):
        """``P = initial_covariance · I``: one matrix (EKF) or one block per neuron (DEKF)."""
        if solver == "ekf":
            self.P = initial_covariance * np.eye(self.M, dtype=dtype)
        elif solver == "dekf":
            self.P = [initial_covariance * np.eye(len(g), dtype=dtype) for g in self.groups]


def _neuron_groups(layout, names):
    """Flat indices of the weights entering each hidden unit, then each output unit.

    Hidden unit ``k``: column ``k`` of ``U`` and of ``W``, then ``b[k]``; output unit ``o``:
    column ``o`` of ``V``, then ``c[o]`` (the DEKF blocks).
    """
    index = layout.views(np.arange(layout.size))
    U, W, b, V, c = (index[names[k]] for k in ("U", "W", "b", "V", "c"))
    groups = [np.concatenate([U[:, k], W[:, k], [b[k]]]) for k in range(U.shape[1])]
    groups += [np.concatenate([V[:, o], [c[o]]]) for o in range(V.shape[1])]
    return groups


def _step(state, theta, x):
    """Advance state and sensitivities by one step; return h(t), the output ŷ(t) and ``V``."""
    U, W, b, V, c = state.views(theta)
    h_prev = state.h
    z = x @ U + h_prev @ W + b
    h = ACTIVATIONS[state.activation](z)
    # S(t) = diag f'(z) (Wᵀ S(t−1) + D(t)), D(t) the direct terms ∂z_k/∂θ_rec:
    # ∂z_k/∂U_ik = x_i, ∂z_k/∂W_jk = h_j(t−1), ∂z_k/∂b_k = 1
    S = W.T @ state.S
    direct = state.S_views(S)
    units = np.arange(state.H)
    direct["U"][units, :, units] += x
    direct["W"][units, :, units] += h_prev
    direct["b"][units, units] += 1
    S *= DERIVATIVES[state.activation](h, np.ones_like(h))[:, None]
    state.h, state.S = h, S
    y = ACTIVATIONS[state.out_activation]((h @ V + c)[None, :])[0]
    return h, y, V


def _output_jacobian(state, theta, h, y, V):
    """C = ∂ŷ/∂w (n_out × M) through the output activation, the output layer and S(t)."""
    n_out = y.size
    dz_dw = np.zeros((n_out, state.M), dtype=theta.dtype)
    dz_dw[:, state.rec] = V.T @ state.S
    for o in range(n_out):
        _, _, _, dV, dc = state.views(dz_dw[o])  # ∂z_o/∂V[:, o] = h, ∂z_o/∂c[o] = 1
        dV[:, o] = h
        dc[o] = 1
    if state.out_activation == "identity":
        return dz_dw
    if state.out_activation == "logistic":
        return (y * (1 - y))[:, None] * dz_dw
    return (np.diag(y) - np.outer(y, y)) @ dz_dw  # softmax


def _loss_gradient(state, theta, h, y, V, target, loss_name, grad):
    """Gradient of the step loss into ``grad``; returns the loss (before any update)."""
    loss, delta = LOSSES[loss_name](y[None, :], target[None, :], None)
    delta = delta[0]
    grad[state.rec] = (V @ delta) @ state.S
    _, _, _, dV, dc = state.views(grad)
    np.outer(h, delta, out=dV)
    dc[...] = delta
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


def _kalman_update(state, theta, C, error, solver, measurement_noise, process_noise):
    """One (decoupled) EKF measurement update of the weights ``theta`` and of ``state.P``, in place.

    With ``A = R + Σ_g C_g P_g C_gᵀ = L Lᵀ`` (SPD: a Cholesky factor, no inverse) and
    ``G_g = L⁻¹ (P_g C_gᵀ)ᵀ``, the gain is ``K_g = P_g C_gᵀ A⁻¹ = G_gᵀ L⁻¹``, so

    ``w_g ← w_g + G_gᵀ (L⁻¹ e)`` and ``P_g ← P_g − G_gᵀ G_g + Q``:

    the covariance update is a Gram matrix, symmetric by construction.  EKF is the case of
    one group holding every weight.

    Parameters
    ----------
    state : OnlineState
        Holds ``P``: an ``(M, M)`` array ('ekf') or a list of blocks ('dekf').
    theta : ndarray of shape (M,)
    C : ndarray of shape (n_out, M)
        ``∂ŷ/∂w``.
    error : ndarray of shape (n_out,)
        ``y − ŷ``.
    solver : {'ekf', 'dekf'}
    measurement_noise, process_noise : float
        ``R = measurement_noise · I``, ``Q = process_noise · I``.

    Raises
    ------
    DivergenceError
        When ``R + C P Cᵀ`` is not finite or not positive definite (the filter diverged).
    """
    if solver == "ekf":
        blocks, covariances = [slice(None)], [state.P]
    else:
        blocks, covariances = state.groups, state.P
    PCs = [P @ C[:, g].T for g, P in zip(blocks, covariances)]  # P_g C_gᵀ, (m_g, n_out)
    A = sum(C[:, g] @ PC for g, PC in zip(blocks, PCs))
    A[np.diag_indices_from(A)] += measurement_noise
    try:
        if not np.isfinite(A).all():
            raise LinAlgError("non-finite")
        L, _ = cho_factor(A, lower=True, overwrite_a=True, check_finite=False)
    except LinAlgError:
        raise DivergenceError(
            f"solver={solver!r}: the innovation covariance R + C P Cᵀ became "
            f"{'non-finite' if not np.isfinite(A).all() else 'indefinite'}: the Kalman filter "
            "diverged. Check the scale of the inputs and targets (keep scaler='standard'), or "
            "lower initial_covariance / raise measurement_noise."
        ) from None
    innovation = solve_triangular(L, error, lower=True)
    for g, P, PC in zip(blocks, covariances, PCs):
        G = solve_triangular(L, PC.T, lower=True)  # (n_out, m_g)
        theta[g] += G.T @ innovation
        P -= G.T @ G
        P[np.diag_indices_from(P)] += process_noise


def new_online_state(config, net, dtype):
    """A fresh :class:`OnlineState` for ``config.solver``, with the EKF covariance at its prior."""
    state = OnlineState(config.solver, net, dtype)
    state.reset_covariance(config.solver, config.initial_covariance, dtype)
    return state


def fit_online(config, problem, theta, history, incremental, callbacks=()):
    """Pass(es) over the sequences in order, updating the weights after every target; update ``history``.

    ``history.online_state`` (sensitivities, covariance, the state of a series' stream)
    is continued when ``incremental``; otherwise training starts a new filter.
    ``problem`` is a :class:`~._training.TrainingProblem`.
    """
    net, data, loss_name = problem
    if not incremental or history.online_state is None:
        history.online_state = new_online_state(config, net, theta.dtype)
        history.optimizer = make_optimizer(config, theta, "sgd")
    state, opt = history.online_state, history.optimizer
    opt.params = theta
    weight_mask = net.layout.weight_mask().astype(theta.dtype)
    grad = np.zeros_like(theta)
    max_iter = 1 if incremental else config.max_iter
    # every weight changes at every step: nothing to roll back to mid-filter, but a fit
    # (not a partial_fit) still ends on the epoch with the lowest loss
    hooks = EpochHooks(config, False, callbacks, rollback=False, keep_best=not incremental)
    hooks.begin(EpochInfo(history, theta, opt, config))
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
                    _kalman_update(state, theta, C, target - y, config.solver, config.measurement_noise,
                                   config.process_noise)
                check_finite_loss(loss, history, config)
                total += loss
                rows += 1
        if end_epoch(history, config, opt, total, rows, theta, tic, hooks):
            break
    if not incremental:
        _warn_max_iter(history, config)
        hooks.end(EpochInfo(history, theta, opt, config))
    return history
