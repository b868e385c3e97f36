"""Plain numpy LSTM and GRU: one sequence, one step at a time, no tricks.

The oracle of the gated cells when torch is absent.  Every quantity is a 1-D vector of one
sequence at one step; gates are split in the storage order of the parameters (LSTM: i, f,
g, o; GRU: r, z, n), sigmoids are ``1 / (1 + exp(−x))``, and the backward pass is the chain
rule written out step by step.  Nothing here is fast, shared with the package, or clever.
"""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# ------------------------------------------------------------------------------ LSTM
def lstm_step(p, x, h_prev, c_prev):
    """One LSTM step; returns ``h, c`` and what the backward step needs."""
    a = x @ p["W_x"] + h_prev @ p["W_h"] + p["b"]
    a_i, a_f, a_g, a_o = np.split(a, 4)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev, i, f, g, o, c)


def lstm_step_backward(p, grads, dh, dc, cache):
    """Backward through one step: add to ``grads``; return ``dx, dh_prev, dc_prev``."""
    x, h_prev, c_prev, i, f, g, o, c = cache
    tanh_c = np.tanh(c)
    do = dh * tanh_c
    dc = dc + dh * o * (1.0 - tanh_c**2)
    di, df, dg = dc * g, dc * c_prev, dc * i
    dc_prev = dc * f
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)])
    grads["W_x"] += np.outer(x, da)
    grads["W_h"] += np.outer(h_prev, da)
    grads["b"] += da
    return p["W_x"] @ da, p["W_h"] @ da, dc_prev


def lstm_sequence(p, X, h0, c0):
    """Run one sequence ``X`` (T, n_in); return ``H`` (T, H), the final ``(h, c)`` and the caches."""
    h, c, outs, caches = h0, c0, [], []
    for x in X:
        h, c, cache = lstm_step(p, x, h, c)
        outs.append(h)
        caches.append(cache)
    return np.array(outs).reshape(len(X), len(h0)), (h, c), caches


def lstm_sequence_backward(p, caches, d_out):
    """BPTT through one sequence given ``d_out = ∂L/∂h(t)`` (T, H); returns grads and ``dX``."""
    grads = {k: np.zeros_like(v) for k, v in p.items()}
    H = d_out.shape[1]
    dh_next, dc_next = np.zeros(H), np.zeros(H)
    dX = []
    for t in range(len(caches) - 1, -1, -1):
        dx, dh_next, dc_next = lstm_step_backward(p, grads, d_out[t] + dh_next, dc_next, caches[t])
        dX.append(dx)
    return grads, np.array(dX[::-1]).reshape(len(caches), -1)


# ------------------------------------------------------------------------------- GRU
def gru_step(p, x, h_prev):
    """One GRU step (PyTorch's formulation, reset after the recurrent product)."""
    gi = x @ p["W_x"] + p["b_x"]
    gh = h_prev @ p["W_h"] + p["b_h"]
    gi_r, gi_z, gi_n = np.split(gi, 3)
    gh_r, gh_z, gh_n = np.split(gh, 3)
    r = sigmoid(gi_r + gh_r)
    z = sigmoid(gi_z + gh_z)
    n = np.tanh(gi_n + r * gh_n)
    h = (1 - z) * n + z * h_prev
    return h, (x, h_prev, r, z, n, gh_n)


def gru_step_backward(p, grads, dh, cache):
    """Backward through one step: add to ``grads``; return ``dx, dh_prev``."""
    x, h_prev, r, z, n, gh_n = cache
    dn = dh * (1 - z)
    dz = dh * (h_prev - n)
    dh_prev = dh * z
    dn_pre = dn * (1 - n**2)
    dr = dn_pre * gh_n
    dr_pre = dr * r * (1 - r)
    dz_pre = dz * z * (1 - z)
    dgi = np.concatenate([dr_pre, dz_pre, dn_pre])
    dgh = np.concatenate([dr_pre, dz_pre, dn_pre * r])
    grads["W_x"] += np.outer(x, dgi)
    grads["b_x"] += dgi
    grads["W_h"] += np.outer(h_prev, dgh)
    grads["b_h"] += dgh
    return p["W_x"] @ dgi, dh_prev + p["W_h"] @ dgh


def gru_sequence(p, X, h0):
    """Run one sequence; return ``H`` (T, H), the final ``h`` and the caches."""
    h, outs, caches = h0, [], []
    for x in X:
        h, cache = gru_step(p, x, h)
        outs.append(h)
        caches.append(cache)
    return np.array(outs).reshape(len(X), len(h0)), h, caches


def gru_sequence_backward(p, caches, d_out):
    """BPTT through one sequence given ``d_out = ∂L/∂h(t)``; returns grads and ``dX``."""
    grads = {k: np.zeros_like(v) for k, v in p.items()}
    dh_next = np.zeros(d_out.shape[1])
    dX = []
    for t in range(len(caches) - 1, -1, -1):
        dx, dh_next = gru_step_backward(p, grads, d_out[t] + dh_next, caches[t])
        dX.append(dx)
    return grads, np.array(dX[::-1]).reshape(len(caches), -1)
