"""The Elman and Jordan cells: a simple recurrence whose whole step is one affine map and a nonlinearity.

One idea: recurrences light enough that only the carried error runs step by step;
the input projection, all weight gradients and ``∂L/∂X`` are GEMMs over all steps at
once (the sums of "Backpropagation through time" in :mod:`._kernels`).  The plain
one-sequence versions they are tested against are :func:`._reference.elman_step` and
:func:`._reference.jordan_step`.
"""

import numpy as np

from ..utils._activations import ACTIVATIONS, DERIVATIVES
from ._kernels import final_state, glorot_uniform, lengths_from_sizes, mlp_init_bound, orthogonal

__all__ = ["ElmanCell", "JordanCell"]


class ElmanCell:
    """Elman (simple recurrent) cell.

    .. math::

        h(t) = f\\big(a(t)\\big), \\qquad a(t) = x(t)\\,U + h(t-1)\\,W + b

    Backward (the sum over time of "Backpropagation through time" in :mod:`._kernels`),
    with ``δh(t) = ∂L/∂out(t) + δa(t+1) Wᵀ`` the error reaching ``h(t)`` from the
    output and from the next step:

    .. math::

        \\delta a(t) &= f'\\big(a(t)\\big) \\odot \\delta h(t), \\\\
        \\frac{\\partial L}{\\partial U} &= \\sum_t x(t)^\\top \\delta a(t), \\quad
        \\frac{\\partial L}{\\partial W} = \\sum_t h(t-1)^\\top \\delta a(t), \\quad
        \\frac{\\partial L}{\\partial b} = \\sum_t \\delta a(t), \\quad
        \\frac{\\partial L}{\\partial x(t)} = \\delta a(t)\\, U^\\top.

    Only ``δa(t)`` runs step by step (``f'`` is written from ``h = f(a)``, in place); the
    three sums and ``∂L/∂X`` are GEMMs over all steps at once.  The plain one-sequence
    version, which the tests compare this cell with, is :func:`._reference.elman_step`
    and :func:`._reference.elman_step_backward`.

    Parameters
    ----------
    n_in, n_hidden : int
        Input and state widths.
    activation : {'tanh', 'relu', 'logistic', 'identity'}, default='tanh'
        The nonlinearity ``f``.
    """

    def __init__(self, n_in, n_hidden, activation="tanh"):
        self.n_in = n_in
        self.n_hidden = n_hidden
        self.activation = activation
        self.state_size = n_hidden

    def param_shapes(self):
        H = self.n_hidden
        return [("U", (self.n_in, H)), ("W", (H, H)), ("b", (H,))]

    def initialize(self, p, rng):
        p["U"][...] = glorot_uniform(rng, p["U"].shape, p["U"].dtype)
        p["W"][...] = orthogonal(rng, p["W"].shape, p["W"].dtype)
        p["b"][...] = 0

    def forward(self, p, X, sizes, state0):
        T, B, _ = X.shape
        H = self.n_hidden
        f = ACTIVATIONS[self.activation]
        # the input projection of all steps in one GEMM; out[t] becomes h(t) in place
        out = np.dot(X.reshape(T * B, -1), p["U"]).reshape(T, B, H)
        out += p["b"]
        W = p["W"]
        tmp = np.empty((B, H), dtype=out.dtype)
        prev = state0
        for t in range(T):
            n_active = sizes[t]
            if n_active == 0:
                out[t:] = 0
                break
            z = out[t, :n_active]
            z += np.dot(prev[:n_active], W, out=tmp[:n_active])
            f(z)
            out[t, n_active:] = 0
            prev = out[t]
        lengths = lengths_from_sizes(sizes, B)
        return out, final_state(out, lengths, state0), (X, out, sizes, state0)

    def backward(self, p, g, d_out, cache, need_dx=True):
        X, out, sizes, state0 = cache
        T, B, H = out.shape
        deriv = DERIVATIVES[self.activation]
        W_T = p["W"].T
        dz = d_out.copy()  # becomes ∂L/∂z(t), zero on padded steps
        carry = np.zeros((B, H), dtype=out.dtype)  # ∂L/∂h(t) through the recurrence
        for t in range(T - 1, -1, -1):
            n_active = sizes[t]
            if n_active == 0:
                continue
            d = dz[t, :n_active]
            d += carry[:n_active]
            deriv(out[t, :n_active], d)
            if t > 0:
                np.dot(d, W_T, out=carry[:n_active])
        # ∂L/∂W = Σ_t h(t−1)ᵀ δ(t) (state0 at t = 0), ∂L/∂U = Σ_t x(t)ᵀ δ(t): GEMMs over all steps
        dz2 = dz.reshape(T * B, H)
        np.dot(state0.T, dz[0], out=g["W"])
        if T > 1:
            g["W"] += np.dot(out[:-1].reshape(-1, H).T, dz[1:].reshape(-1, H))
        np.dot(X.reshape(T * B, -1).T, dz2, out=g["U"])
        np.sum(dz2, axis=0, out=g["b"])
        if not need_dx:
            return None
        return np.dot(dz2, p["U"].T).reshape(T, B, -1)


class JordanCell:
    """Jordan cell: the hidden layer sees the network's previous *output*.

    .. math::

        h(t) = f\\big(x(t)\\,U + \\hat y(t-1)\\,W_y + b\\big),\\qquad
        \\hat y(t) = g\\big(h(t)\\,V + c\\big)

    Its reference, the same equations on one sequence, is :func:`._reference.jordan_step`
    and :func:`._reference.jordan_step_backward`.

    The cell holds its own output layer ``(V, c)`` and output activation ``g``, so its
    output sequence *is* the network's prediction ``ŷ`` and its carried state is ``ŷ``;
    it is used without a dense output layer after it (``Network(..., dense=None)``).
    Like an output layer, its ``backward`` receives ``∂L/∂z_out`` (the gradient with
    respect to the pre-activation ``h V + c``, which the canonical losses give directly).

    The parameters are stored in the order ``U, W_y, b, V, c``: the same flat layout as a
    dense network ``[x(t); y(t−1)] → H → n_out``, which is what a Jordan network is during
    teacher-forced training, when ``y(t−1)`` is the known target.

    Parameters
    ----------
    n_in, n_hidden : int
    n_out : int
        Width of the output fed back.
    activation : str, default='tanh'
        Hidden nonlinearity ``f``.
    out_activation : {'identity', 'logistic', 'softmax'}, default='identity'
        Output nonlinearity ``g``.
    """

    def __init__(self, n_in, n_hidden, n_out, activation="tanh", out_activation="identity"):
        self.n_in, self.n_hidden, self.n_out = n_in, n_hidden, n_out
        self.activation, self.out_activation = activation, out_activation
        self.state_size = n_out

    def param_shapes(self):
        H, K = self.n_hidden, self.n_out
        return [("U", (self.n_in, H)), ("W_y", (K, H)), ("b", (H,)), ("V", (H, K)), ("c", (K,))]

    def initialize(self, p, rng):
        # sklearn's MLP initialisation of the equivalent dense network [x; y] -> H -> K
        fan_in = self.n_in + self.n_out
        for names, n_a, n_b, act in ((("U", "W_y", "b"), fan_in, self.n_hidden, self.activation),
                                     (("V", "c"), self.n_hidden, self.n_out, self.out_activation)):
            bound = mlp_init_bound(n_a, n_b, act)
            for name in names:
                p[name][...] = rng.uniform(-bound, bound, p[name].shape)

    def forward(self, p, X, sizes, state0):
        T, B, _ = X.shape
        f, g = ACTIVATIONS[self.activation], ACTIVATIONS[self.out_activation]
        hidden = np.dot(X.reshape(T * B, -1), p["U"]).reshape(T, B, -1)
        hidden += p["b"]
        out = np.zeros((T, B, self.n_out), dtype=X.dtype)
        prev = state0
        for t in range(T):
            n_active = sizes[t]
            if n_active == 0:
                break
            h = hidden[t, :n_active]
            h += np.dot(prev[:n_active], p["W_y"])
            f(h)
            y = out[t, :n_active]
            np.dot(h, p["V"], out=y)
            y += p["c"]
            g(y)
            prev = out[t]
        lengths = lengths_from_sizes(sizes, B)
        return out, final_state(out, lengths, state0), (X, hidden, out, sizes, state0)

    def backward(self, p, g, d_out, cache, need_dx=True):
        X, hidden, out, sizes, state0 = cache
        T, B, H = hidden.shape
        deriv = DERIVATIVES[self.activation]
        dzo = d_out.copy()  # ∂L/∂z_out(t), completed with what flows back through ŷ(t)
        dz = np.zeros_like(hidden)  # ∂L/∂z_hidden(t)
        carry = np.zeros((B, self.n_out), dtype=out.dtype)  # ∂L/∂ŷ(t) from step t+1
        V_T, Wy_T = p["V"].T, p["W_y"].T
        for t in range(T - 1, -1, -1):
            n_active = sizes[t]
            if n_active == 0:
                continue
            d = dzo[t, :n_active]
            d += _output_jacobian_T(self.out_activation, out[t, :n_active], carry[:n_active])
            dh = dz[t, :n_active]
            np.dot(d, V_T, out=dh)
            deriv(hidden[t, :n_active], dh)
            if t > 0:
                np.dot(dh, Wy_T, out=carry[:n_active])
        prev = np.concatenate([state0[None], out[:-1]])
        dz2, dzo2 = dz.reshape(T * B, H), dzo.reshape(T * B, -1)
        np.dot(X.reshape(T * B, -1).T, dz2, out=g["U"])
        np.dot(prev.reshape(T * B, -1).T, dz2, out=g["W_y"])
        np.sum(dz2, axis=0, out=g["b"])
        np.dot(hidden.reshape(T * B, H).T, dzo2, out=g["V"])
        np.sum(dzo2, axis=0, out=g["c"])
        return np.dot(dz2, p["U"].T).reshape(T, B, -1) if need_dx else None


def _output_jacobian_T(out_activation, y, d):
    """``Jᵀ d`` for the output activation's Jacobian ``J = ∂ŷ/∂z`` written from ``ŷ``."""
    if out_activation == "identity":
        return d
    if out_activation == "logistic":
        return d * y * (1 - y)
    # softmax: J = diag(ŷ) − ŷ ŷᵀ
    return y * (d - (d * y).sum(axis=1, keepdims=True))
