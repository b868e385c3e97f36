r"""The cells' equations, plainly: one sequence, one step at a time — the oracle of the fast cells.

One idea: each cell's forward step and backward step written as its equations read, on
1-D vectors of one sequence, with nothing fused, reordered or batched.  The fast cells
(:mod:`._cell_elman`, :mod:`._cell_lstm`, :mod:`._cell_gru`) compute the same functions
over padded batches; the tests check them against these, forward and backward.  Nothing
here is used for training.

Every step function has the signature ``step(p, x, state) -> (state, cache)`` and every
backward step ``step_backward(p, grads, d_out, d_state, cache) -> (dx, d_state_prev)``:
it adds the step's parameter gradients into ``grads``, given the error ``d_out`` of the
step's output from the loss and the error ``d_state`` reaching the step's state from
the next step.  :func:`run_sequence` and :func:`bptt` chain them over a sequence — the
sum over time derived in :mod:`._kernels` ("Backpropagation through time"), written
once for every cell.  Parameters are the dicts of named arrays of the cells
(``param_shapes``), gates side by side in their storage order (LSTM i, f, g, o; GRU r, z,
n).
"""

import numpy as np

__all__ = [
    "run_sequence", "bptt", "elman_step", "elman_step_backward", "jordan_step", "jordan_step_backward",
    "lstm_step", "lstm_step_backward", "gru_step", "gru_step_backward",
]


def sigmoid(a):
    """The logistic function σ(a) = 1 / (1 + exp(−a))."""
    return 1.0 / (1.0 + np.exp(-a))


def _activation(name, a):
    if name == "tanh":
        return np.tanh(a)
    if name == "relu":
        return np.maximum(a, 0.0)
    if name == "logistic":
        return sigmoid(a)
    if name == "identity":
        return a
    if name == "softmax":
        e = np.exp(a - a.max())
        return e / e.sum()
    raise ValueError(f"activation must be 'tanh', 'relu', 'logistic', 'identity' or 'softmax'; got {name!r}.")


def _activation_backward(name, a, y, dy):
    """``Jᵀ dy`` for ``y = f(a)`` (``J = ∂y/∂a``)."""
    if name == "tanh":
        return dy * (1.0 - y**2)
    if name == "relu":
        return dy * (a > 0)
    if name == "logistic":
        return dy * y * (1.0 - y)
    if name == "identity":
        return dy
    if name == "softmax":  # J = diag(y) − y yᵀ
        return y * (dy - dy @ y)
    raise ValueError(f"activation must be 'tanh', 'relu', 'logistic', 'identity' or 'softmax'; got {name!r}.")


# --------------------------------------------------------------------------- a sequence
def run_sequence(step, p, X, state0, **options):
    """Run ``step`` along one sequence.

    Parameters
    ----------
    step : callable
        ``step(p, x, state, **options) -> (state, cache)``, e.g. :func:`lstm_step`.
    p : dict of str to ndarray
        The cell's parameters.
    X : ndarray of shape (T, n_in)
        The sequence.
    state0 : tuple of ndarray
        The state before the first step (LSTM: ``(h, C)``; the others: ``(h,)`` or ``(ŷ,)``).
    **options
        Passed to ``step`` (the activations of the Elman and Jordan cells).

    Returns
    -------
    out : ndarray of shape (T, n_out)
        The first component of the state after each step (``h(t)``, or ``ŷ(t)`` for Jordan).
    state : tuple of ndarray
        The state after the last step.
    caches : list
        What :func:`bptt` needs, one entry per step.

    Examples
    --------
    >>> import numpy as np
    >>> p = {"U": np.ones((1, 2)), "W": np.zeros((2, 2)), "b": np.zeros(2)}
    >>> out, (h,), _ = run_sequence(elman_step, p, np.array([[0.0], [1.0]]), (np.zeros(2),))
    >>> out.round(3).tolist()
    [[0.0, 0.0], [0.762, 0.762]]
    """
    state, outs, caches = tuple(state0), [], []
    for x in X:
        state, cache = step(p, x, state, **options)
        outs.append(state[0])
        caches.append(cache)
    return np.array(outs).reshape(len(X), len(state0[0])), state, caches


def bptt(step_backward, p, caches, d_out, **options):
    r"""Backpropagation through time along one sequence.

    .. math::

        \delta s(t) = \frac{\partial \ell_t}{\partial s(t)}
          + \Big(\frac{\partial s(t+1)}{\partial s(t)}\Big)^{\!\top} \delta s(t+1), \qquad
        \frac{\partial L}{\partial \theta}
          = \sum_t \Big(\frac{\partial s(t)}{\partial \theta}\Big)^{\!\top} \delta s(t),

    walked from the last step to the first, each ``step_backward`` adding its term of the
    sum into the gradients.  No error flows into the initial state (truncated BPTT cuts
    there).

    Parameters
    ----------
    step_backward : callable
        ``step_backward(p, grads, d_out_t, d_state, cache, **options) -> (dx, d_state_prev)``,
        e.g. :func:`lstm_step_backward`.
    p : dict of str to ndarray
        The cell's parameters.
    caches : list
        From :func:`run_sequence`.
    d_out : ndarray of shape (T, n_out)
        ``∂L/∂out(t)`` (for Jordan: ``∂L/∂z_out(t)``, the error of the output's pre-activation).
    **options
        Passed to ``step_backward``.

    Returns
    -------
    grads : dict of str to ndarray
        ``∂L/∂θ``, shaped as ``p``.
    dX : ndarray of shape (T, n_in)
        ``∂L/∂x(t)``.

    Examples
    --------
    >>> import numpy as np
    >>> p = {"U": np.ones((1, 1)), "W": np.ones((1, 1)), "b": np.zeros(1)}
    >>> X = np.array([[0.5], [0.5]])
    >>> _, _, caches = run_sequence(elman_step, p, X, (np.zeros(1),), activation="identity")
    >>> grads, dX = bptt(elman_step_backward, p, caches, np.array([[0.0], [1.0]]), activation="identity")
    >>> float(grads["W"][0, 0]), dX.ravel().tolist()  # h(2) = x(1) + x(2): ∂h(2)/∂W = h(1)
    (0.5, [1.0, 1.0])
    """
    grads = {k: np.zeros_like(v, dtype=np.result_type(v, float)) for k, v in p.items()}
    d_state, dX = None, []
    for t in range(len(caches) - 1, -1, -1):
        dx, d_state = step_backward(p, grads, d_out[t], d_state, caches[t], **options)
        dX.append(dx)
    return grads, np.array(dX[::-1]).reshape(len(caches), -1)


# --------------------------------------------------------------------------- Elman
def elman_step(p, x, state, activation="tanh"):
    r"""One Elman step: :math:`h(t) = f\big(x(t)\,U + h(t-1)\,W + b\big)`.

    Parameters
    ----------
    p : dict
        ``U (n_in, H)``, ``W (H, H)``, ``b (H,)``.
    x : ndarray of shape (n_in,)
    state : tuple ``(h(t−1),)``
    activation : str, default='tanh'
        ``f``.

    Returns
    -------
    state : tuple ``(h(t),)``
    cache : tuple
    """
    (h_prev,) = state
    a = x @ p["U"] + h_prev @ p["W"] + p["b"]
    h = _activation(activation, a)
    return (h,), (x, h_prev, a, h)


def elman_step_backward(p, grads, d_out, d_state, cache, activation="tanh"):
    r"""Backward through one Elman step.

    .. math::

        \delta h(t) = \frac{\partial L}{\partial \mathrm{out}(t)} + \delta h_{\text{next}}, \qquad
        \delta a = f'(a) \odot \delta h(t), \\
        \partial U \mathrel{+}= x^\top \delta a, \quad \partial W \mathrel{+}= h(t-1)^\top \delta a, \quad
        \partial b \mathrel{+}= \delta a, \quad
        \delta x = \delta a\, U^\top, \quad \delta h(t-1) = \delta a\, W^\top.
    """
    x, h_prev, a, h = cache
    dh = d_out if d_state is None else d_out + d_state[0]
    da = _activation_backward(activation, a, h, dh)
    grads["U"] += np.outer(x, da)
    grads["W"] += np.outer(h_prev, da)
    grads["b"] += da
    return p["U"] @ da, (p["W"] @ da,)


# --------------------------------------------------------------------------- Jordan
def jordan_step(p, x, state, activation="tanh", out_activation="identity"):
    r"""One Jordan step: the hidden layer sees the previous *output*.

    .. math::

        h(t) = f\big(x(t)\,U + \hat y(t-1)\,W_y + b\big), \qquad
        \hat y(t) = g\big(h(t)\,V + c\big).

    Parameters
    ----------
    p : dict
        ``U (n_in, H)``, ``W_y (n_out, H)``, ``b (H,)``, ``V (H, n_out)``, ``c (n_out,)``.
    x : ndarray of shape (n_in,)
    state : tuple ``(ŷ(t−1),)``
    activation, out_activation : str
        ``f`` and ``g``.

    Returns
    -------
    state : tuple ``(ŷ(t),)``
    cache : tuple
    """
    (y_prev,) = state
    a = x @ p["U"] + y_prev @ p["W_y"] + p["b"]
    h = _activation(activation, a)
    a_out = h @ p["V"] + p["c"]
    y = _activation(out_activation, a_out)
    return (y,), (x, y_prev, a, h, y)


def jordan_step_backward(p, grads, d_out, d_state, cache, activation="tanh", out_activation="identity"):
    r"""Backward through one Jordan step, given ``d_out = ∂L/∂z_out(t)`` (the output's pre-activation).

    .. math::

        \delta z_{\text{out}} = \frac{\partial L}{\partial z_{\text{out}}(t)}
          + J_g^\top\, \delta \hat y_{\text{next}}, \qquad
        \delta a = f'(a) \odot \big(\delta z_{\text{out}} V^\top\big), \\
        \partial V \mathrel{+}= h^\top \delta z_{\text{out}}, \quad
        \partial c \mathrel{+}= \delta z_{\text{out}}, \quad
        \partial U \mathrel{+}= x^\top \delta a, \quad \partial W_y \mathrel{+}= \hat y(t-1)^\top \delta a, \quad
        \partial b \mathrel{+}= \delta a, \\
        \delta x = \delta a\, U^\top, \quad \delta \hat y(t-1) = \delta a\, W_y^\top.
    """
    x, y_prev, a, h, y = cache
    dz_out = d_out
    if d_state is not None:
        dz_out = d_out + _activation_backward(out_activation, None, y, d_state[0])
    grads["V"] += np.outer(h, dz_out)
    grads["c"] += dz_out
    da = _activation_backward(activation, a, h, p["V"] @ dz_out)
    grads["U"] += np.outer(x, da)
    grads["W_y"] += np.outer(y_prev, da)
    grads["b"] += da
    return p["U"] @ da, (p["W_y"] @ da,)


# --------------------------------------------------------------------------- LSTM
def lstm_step(p, x, state):
    r"""One LSTM step (with forget gate; gates stored i, f, g, o).

    .. math::

        i &= \sigma(x W_x^i + h(t-1) W_h^i + b^i), \quad
        f = \sigma(x W_x^f + h(t-1) W_h^f + b^f), \\
        g &= \tanh(x W_x^g + h(t-1) W_h^g + b^g), \quad
        o = \sigma(x W_x^o + h(t-1) W_h^o + b^o), \\
        C(t) &= f \odot C(t-1) + i \odot g, \qquad h(t) = o \odot \tanh C(t).

    Parameters
    ----------
    p : dict
        ``W_x (n_in, 4H)``, ``W_h (H, 4H)``, ``b (4H,)``.
    x : ndarray of shape (n_in,)
    state : tuple ``(h(t−1), C(t−1))``

    Returns
    -------
    state : tuple ``(h(t), C(t))``
    cache : tuple
    """
    h_prev, c_prev = state
    a = x @ p["W_x"] + h_prev @ p["W_h"] + p["b"]
    a_i, a_f, a_g, a_o = np.split(a, 4)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return (h, c), (x, h_prev, c_prev, i, f, g, o, c)


def lstm_step_backward(p, grads, d_out, d_state, cache):
    r"""Backward through one LSTM step.

    With :math:`\delta h = \partial L/\partial \mathrm{out}(t) + \delta h_{\text{next}}`:

    .. math::

        \delta C &= \delta h \odot o \odot (1 - \tanh^2 C(t)) + \delta C_{\text{next}}, \\
        \delta a^i &= \delta C \odot g \odot i(1-i), \quad
        \delta a^f = \delta C \odot C(t-1) \odot f(1-f), \\
        \delta a^g &= \delta C \odot i \odot (1-g^2), \quad
        \delta a^o = \delta h \odot \tanh C(t) \odot o(1-o), \\
        \partial W_x &\mathrel{+}= x^\top \delta a, \quad \partial W_h \mathrel{+}= h(t-1)^\top \delta a, \quad
        \partial b \mathrel{+}= \delta a, \\
        \delta x &= \delta a\, W_x^\top, \quad \delta h(t-1) = \delta a\, W_h^\top, \quad
        \delta C(t-1) = \delta C \odot f.
    """
    x, h_prev, c_prev, i, f, g, o, c = cache
    dh, dc = (d_out, 0.0) if d_state is None else (d_out + d_state[0], d_state[1])
    tanh_c = np.tanh(c)
    dc = dc + dh * o * (1.0 - tanh_c**2)
    da = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g**2),
                         dh * tanh_c * o * (1 - o)])
    grads["W_x"] += np.outer(x, da)
    grads["W_h"] += np.outer(h_prev, da)
    grads["b"] += da
    return p["W_x"] @ da, (p["W_h"] @ da, dc * f)


# --------------------------------------------------------------------------- GRU
def gru_step(p, x, state):
    r"""One GRU step in PyTorch's formulation (reset after the recurrent product; gates r, z, n).

    .. math::

        r &= \sigma(x W_x^r + b_x^r + h(t-1) W_h^r + b_h^r), \quad
        z = \sigma(x W_x^z + b_x^z + h(t-1) W_h^z + b_h^z), \\
        n &= \tanh\big(x W_x^n + b_x^n + r \odot (h(t-1) W_h^n + b_h^n)\big), \qquad
        h(t) = (1 - z) \odot n + z \odot h(t-1).

    Parameters
    ----------
    p : dict
        ``W_x (n_in, 3H)``, ``W_h (H, 3H)``, ``b_x (3H,)``, ``b_h (3H,)``.
    x : ndarray of shape (n_in,)
    state : tuple ``(h(t−1),)``

    Returns
    -------
    state : tuple ``(h(t),)``
    cache : tuple
    """
    (h_prev,) = state
    gi_r, gi_z, gi_n = np.split(x @ p["W_x"] + p["b_x"], 3)
    gh_r, gh_z, gh_n = np.split(h_prev @ p["W_h"] + p["b_h"], 3)
    r = sigmoid(gi_r + gh_r)
    z = sigmoid(gi_z + gh_z)
    n = np.tanh(gi_n + r * gh_n)
    h = (1 - z) * n + z * h_prev
    return (h,), (x, h_prev, r, z, n, gh_n)


def gru_step_backward(p, grads, d_out, d_state, cache):
    r"""Backward through one GRU step.

    With :math:`\delta h = \partial L/\partial \mathrm{out}(t) + \delta h_{\text{next}}` and
    :math:`\hat n_h = h(t-1) W_h^n + b_h^n`:

    .. math::

        \delta \hat n &= \delta h \odot (1-z) \odot (1-n^2), \quad
        \delta \hat z = \delta h \odot (h(t-1) - n) \odot z(1-z), \quad
        \delta \hat r = \delta \hat n \odot \hat n_h \odot r(1-r), \\
        \delta_x &= [\delta \hat r, \delta \hat z, \delta \hat n], \quad
        \delta_h = [\delta \hat r, \delta \hat z, \delta \hat n \odot r], \\
        \partial W_x &\mathrel{+}= x^\top \delta_x, \quad \partial b_x \mathrel{+}= \delta_x, \quad
        \partial W_h \mathrel{+}= h(t-1)^\top \delta_h, \quad \partial b_h \mathrel{+}= \delta_h, \\
        \delta x &= \delta_x W_x^\top, \quad \delta h(t-1) = \delta h \odot z + \delta_h W_h^\top.
    """
    x, h_prev, r, z, n, gh_n = cache
    dh = d_out if d_state is None else d_out + d_state[0]
    dn_pre = dh * (1 - z) * (1 - n**2)
    dz_pre = dh * (h_prev - n) * z * (1 - z)
    dr_pre = dn_pre * gh_n * r * (1 - r)
    d_x = np.concatenate([dr_pre, dz_pre, dn_pre])
    d_h = np.concatenate([dr_pre, dz_pre, dn_pre * r])
    grads["W_x"] += np.outer(x, d_x)
    grads["b_x"] += d_x
    grads["W_h"] += np.outer(h_prev, d_h)
    grads["b_h"] += d_h
    return p["W_x"] @ d_x, (dh * z + p["W_h"] @ d_h,)


#: The reference ``(step, step_backward)`` of each cell name of ``CELLS``.
REFERENCE_STEPS = {
    "elman": (elman_step, elman_step_backward),
    "jordan": (jordan_step, jordan_step_backward),
    "lstm": (lstm_step, lstm_step_backward),
    "gru": (gru_step, gru_step_backward),
}
