"""Recurrent cells: forward and backward passes over a padded, length-sorted batch.

The cell protocol
-----------------
Inputs are time-major, ``X`` of shape ``(T, B, n_in)``, with the ``B`` sequences sorted
by decreasing length.  ``sizes[t]`` is the number of sequences still running at step
``t`` (non-increasing in ``t``), so the active rows at every step are the prefix
``[:sizes[t]]`` — the packed-sequence trick: padded steps cost nothing and contribute
nothing.  A cell provides

``param_shapes()``
    ``[(name, shape), ...]`` of its trainable arrays.
``initialize(p, rng)``
    Fill the views ``p`` (dict name -> array) with initial values.
``state_size``
    Width of the state carried between truncated-BPTT chunks.
``forward(p, X, sizes, state0) -> (out, state, cache)``
    ``out`` is ``(T, B, n_hidden)`` with zeros on padded steps; ``state`` is the
    ``(B, state_size)`` state after each sequence's last step (``state0`` for empty ones).
``backward(p, g, d_out, cache, need_dx=True) -> dX``
    Given ``d_out = ∂L/∂out`` (zeros on padded steps) write the parameter gradients into
    the views ``g`` and return ``∂L/∂X`` (or None).  The gradient is not propagated into
    ``state0``: chunks of truncated BPTT are cut there by definition.

All weight gradients are gathered after the backward loop with one GEMM over all steps;
only the recurrence itself runs step by step.
"""

import numpy as np

from ._activations import ACTIVATIONS, DERIVATIVES

__all__ = ["ElmanCell", "JordanCell", "LSTMCell", "GRUCell", "glorot_uniform", "orthogonal", "final_state", "CELLS"]


def glorot_uniform(rng, shape, dtype):
    """Glorot/Xavier uniform: U(±√(6 / (fan_in + fan_out)))."""
    bound = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-bound, bound, size=shape).astype(dtype, copy=False)


def orthogonal(rng, shape, dtype):
    """A (semi-)orthogonal matrix: the usual initialisation of recurrent weights."""
    a = rng.standard_normal((max(shape), min(shape)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    if shape[0] < shape[1]:
        q = q.T
    return q[: shape[0], : shape[1]].astype(dtype, copy=False)


def final_state(out, lengths, state0):
    """Row ``i`` of ``out`` at its last valid step ``lengths[i] − 1`` (``state0`` if empty)."""
    state = state0.copy()
    running = lengths > 0
    rows = np.flatnonzero(running)
    state[rows] = out[lengths[rows] - 1, rows]
    return state


def lengths_from_sizes(sizes, batch_size):
    """Inverse of ``sizes[t] = #{i : lengths[i] > t}`` for a length-sorted batch."""
    return np.searchsorted(-np.asarray(sizes), -np.arange(batch_size), side="left")


class ElmanCell:
    """Elman (simple recurrent) cell.

    .. math::

        h(t) = f\\big(x(t)\\,U + h(t-1)\\,W + b\\big)

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
            n = sizes[t]
            if n == 0:
                out[t:] = 0
                break
            z = out[t, :n]
            z += np.dot(prev[:n], W, out=tmp[:n])
            f(z)
            out[t, n:] = 0
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
            n = sizes[t]
            if n == 0:
                continue
            d = dz[t, :n]
            d += carry[:n]
            deriv(out[t, :n], d)
            if t > 0:
                np.dot(d, W_T, out=carry[:n])
        # ∂L/∂W = Σ_t h(t−1)ᵀ δ(t), ∂L/∂U = Σ_t x(t)ᵀ δ(t): one GEMM each over all steps
        dz2 = dz.reshape(T * B, H)
        np.dot(state0.T, dz[0], out=g["W"])
        if T > 1:
            g["W"] += np.dot(out[:-1].reshape(-1, H).T, dz[1:].reshape(-1, H))
        np.dot(X.reshape(T * B, -1).T, dz2, out=g["U"])
        np.sum(dz2, axis=0, out=g["b"])
        if not need_dx:
            return None
        return np.dot(dz2, p["U"].T).reshape(T, B, -1)


def _gates(W, order, scale):
    """Copy of ``W`` (gates stacked along the last axis) with its gate blocks reordered and scaled."""
    k = len(order)
    blocks = W.reshape(W.shape[:-1] + (k, W.shape[-1] // k))
    out = blocks[..., order, :] * np.asarray(scale, dtype=W.dtype)[:, None]
    return out.reshape(W.shape)


class _Flush:
    """Flush values below ``tiny`` to zero: ``x ← (x + c) − c`` with ``c = tiny · 2^(mantissa + 1)``.

    Backpropagated errors shrink geometrically along a long sequence and, in float32,
    end in the subnormal range where every arithmetic operation is many times slower.
    Adding and subtracting ``c`` rounds ``x`` to a multiple of ``ulp(c) = 2·tiny`` —
    values below ``tiny`` become exactly zero, values above ``c`` are not changed at
    all, and values in between are rounded at the absolute level ``tiny``, far below
    anything that can reach the parameters (float32: ``tiny ≈ 1e-30``).
    Two in-place ufunc calls, no comparison and no mask.
    """

    def __init__(self, dtype):
        finfo = np.finfo(dtype)
        # float32: 2^-100 (2^26 above the smallest normal number); float64: never needed
        self.active = finfo.bits == 32
        self.c = dtype.type(2.0 ** (-100 + finfo.nmant + 1))

    def __call__(self, x):
        if self.active:
            x += self.c
            x -= self.c


class LSTMCell:
    """Long short-term memory cell (Hochreiter & Schmidhuber, 1997, with forget gate).

    .. math::

        i(t) &= \\sigma\\big(x(t) W_x^{i} + h(t-1) W_h^{i} + b^{i}\\big)  && \\text{input gate} \\\\
        f(t) &= \\sigma\\big(x(t) W_x^{f} + h(t-1) W_h^{f} + b^{f}\\big)  && \\text{forget gate} \\\\
        g(t) &= \\tanh\\big(x(t) W_x^{g} + h(t-1) W_h^{g} + b^{g}\\big)   && \\text{candidate } \\tilde C \\\\
        o(t) &= \\sigma\\big(x(t) W_x^{o} + h(t-1) W_h^{o} + b^{o}\\big)  && \\text{output gate} \\\\
        C(t) &= f(t) \\odot C(t-1) + i(t) \\odot g(t) \\\\
        h(t) &= o(t) \\odot \\tanh C(t)

    Parameters are stored as Keras does: ``W_x`` of shape ``(n_in, 4H)``, ``W_h`` of
    shape ``(H, 4H)`` and one bias ``b`` of shape ``(4H,)``, the gates side by side in
    the order i, f, g, o (PyTorch's ``weight_ih_l0`` is ``W_x.T`` and its two biases sum
    to ``b``).  The carried state is ``[h; C]`` (``state_size = 2H``).

    Backward, with ``δh(t) = ∂L/∂h(t)`` (from the output and from step ``t+1``) and
    ``δC(t) = δh(t) ⊙ o ⊙ (1 − tanh²C(t)) + δC(t+1) ⊙ f(t+1)``, the gradients of the gate
    pre-activations are ``δi = δC ⊙ g ⊙ i(1−i)``, ``δf = δC ⊙ C(t−1) ⊙ f(1−f)``,
    ``δg = δC ⊙ i ⊙ (1−g²)``, ``δo = δh ⊙ tanh C ⊙ o(1−o)``, and
    ``δh(t−1) += [δi δf δg δo] W_hᵀ``.

    Parameters
    ----------
    n_in, n_hidden : int
        Input and hidden widths.
    unit_forget_bias : bool, default=True
        Initialise the forget-gate bias to 1 (Jozefowicz et al., 2015; Keras' default),
        so the cell starts by remembering.
    """

    # σ(z) = ½ tanh(z/2) + ½: the forward pass keeps the gates in the order i, f, o, g
    # with the σ-columns of the weights prescaled by ½, so that one tanh covers all four
    # gates and one affine fix-up turns the first 3H columns into σ.
    _FWD = [0, 1, 3, 2]
    _SCALE = [0.5, 0.5, 0.5, 1.0]

    def __init__(self, n_in, n_hidden, unit_forget_bias=True):
        self.n_in = n_in
        self.n_hidden = n_hidden
        self.unit_forget_bias = unit_forget_bias
        self.state_size = 2 * n_hidden

    def param_shapes(self):
        H = self.n_hidden
        return [("W_x", (self.n_in, 4 * H)), ("W_h", (H, 4 * H)), ("b", (4 * H,))]

    def initialize(self, p, rng):
        H = self.n_hidden
        p["W_x"][...] = glorot_uniform(rng, p["W_x"].shape, p["W_x"].dtype)
        p["W_h"][...] = orthogonal(rng, p["W_h"].shape, p["W_h"].dtype)
        p["b"][...] = 0
        if self.unit_forget_bias:
            p["b"][H: 2 * H] = 1

    def forward(self, p, X, sizes, state0):
        T, B, _ = X.shape
        H = self.n_hidden
        W_h = _gates(p["W_h"], self._FWD, self._SCALE)
        # input projection of all steps in one GEMM: A[t] = x(t) W_x + b (gates i, f, o, g)
        A = np.dot(X.reshape(T * B, -1), _gates(p["W_x"], self._FWD, self._SCALE))
        A += _gates(p["b"], self._FWD, self._SCALE)
        A = A.reshape(T, B, 4 * H)
        out = np.zeros((T, B, H), dtype=X.dtype)  # h(t), zero on padded steps
        C = np.zeros((T, B, H), dtype=X.dtype)  # C(t)
        tanh_C = np.zeros((T, B, H), dtype=X.dtype)
        tmp = np.empty((B, 4 * H), dtype=X.dtype)
        h, c = state0[:, :H], state0[:, H:]
        for t, n in enumerate(np.asarray(sizes).tolist()):
            if n == 0:
                break
            a = A[t, :n]
            a += np.dot(h[:n], W_h, out=tmp[:n])
            np.tanh(a, out=a)
            sig = a[:, : 3 * H]
            sig *= 0.5
            sig += 0.5  # a = [i, f, o, g]
            i, f, o, g = a[:, :H], a[:, H: 2 * H], a[:, 2 * H: 3 * H], a[:, 3 * H:]
            c_t, ig = C[t, :n], tmp[:n, :H]
            np.multiply(f, c[:n], out=c_t)
            c_t += np.multiply(i, g, out=ig)  # C(t) = f ⊙ C(t−1) + i ⊙ g
            np.tanh(c_t, out=tanh_C[t, :n])
            np.multiply(o, tanh_C[t, :n], out=out[t, :n])  # h(t) = o ⊙ tanh C(t)
            h, c = out[t], C[t]
        lengths = lengths_from_sizes(sizes, B)
        state = np.concatenate(
            [final_state(out, lengths, state0[:, :H]), final_state(C, lengths, state0[:, H:])], axis=1
        )
        return out, state, (X, A, C, tanh_C, out, sizes, state0)

    def backward(self, p, g, d_out, cache, need_dx=True):
        X, A, C, tanh_C, out, sizes, state0 = cache
        T, B, H = out.shape
        dtype = out.dtype
        i, f, o, gg = (A[:, :, k * H: (k + 1) * H] for k in range(4))  # forward order i, f, o, g
        # factors that depend on the forward pass only, for all steps at once:
        # P[:, :, 0:3] multiplies δC into [δi, δf, δg], P[:, :, 3] multiplies δh into δo,
        # K = o ⊙ (1 − tanh²C) carries δh into δC.
        P = np.empty((T, B, 4, H), dtype=dtype)
        tmp = np.empty((T, B, H), dtype=dtype)
        np.subtract(1, i, out=tmp)
        tmp *= i
        np.multiply(tmp, gg, out=P[:, :, 0])  # g ⊙ i(1−i)
        np.subtract(1, f, out=tmp)
        tmp *= f
        np.multiply(tmp[0], state0[:, H:], out=P[0, :, 1])
        np.multiply(tmp[1:], C[:-1], out=P[1:, :, 1])  # C(t−1) ⊙ f(1−f)
        np.multiply(gg, gg, out=tmp)
        np.subtract(1, tmp, out=tmp)
        np.multiply(tmp, i, out=P[:, :, 2])  # i ⊙ (1−g²)
        np.subtract(1, o, out=tmp)
        tmp *= o
        np.multiply(tmp, tanh_C, out=P[:, :, 3])  # tanh C ⊙ o(1−o)
        K = np.multiply(tanh_C, tanh_C, out=tmp)
        np.subtract(1, K, out=K)
        K *= o

        dZ = np.zeros((T, B, 4, H), dtype=dtype)  # ∂L/∂(gate pre-activations), order i, f, g, o
        dh_all = d_out.copy()  # becomes δh(t): the recurrence adds into row t − 1
        dC = np.zeros((B, H), dtype=dtype)
        buf = np.empty((B, H), dtype=dtype)
        W_hT = p["W_h"].T
        flush = _Flush(dtype)
        sizes_list = np.asarray(sizes).tolist()
        for t in range(T - 1, -1, -1):
            n = sizes_list[t]
            if n == 0:
                continue
            dh, dc, z = dh_all[t, :n], dC[:n], dZ[t, :n]
            dc += np.multiply(dh, K[t, :n], out=buf[:n])
            np.multiply(dc[:, None, :], P[t, :n, :3], out=z[:, :3])
            np.multiply(dh, P[t, :n, 3], out=z[:, 3])
            if t > 0:
                dc *= f[t, :n]  # δC(t−1) gets δC(t) ⊙ f(t)
                dh_prev = dh_all[t - 1, :n]
                dh_prev += np.dot(z.reshape(n, 4 * H), W_hT, out=buf[:n])
                flush(dc)
                flush(dh_prev)
        # weight gradients: one GEMM each over all steps
        dZ2 = dZ.reshape(T * B, 4 * H)
        np.dot(state0[:, :H].T, dZ2[:B], out=g["W_h"])
        if T > 1:
            g["W_h"] += np.dot(out[:-1].reshape(-1, H).T, dZ2[B:])
        np.dot(X.reshape(T * B, -1).T, dZ2, out=g["W_x"])
        np.sum(dZ2, axis=0, out=g["b"])
        if not need_dx:
            return None
        return np.dot(dZ2, p["W_x"].T).reshape(T, B, -1)


class GRUCell:
    """Gated recurrent unit (Cho et al., 2014) in PyTorch's formulation.

    .. math::

        r(t) &= \\sigma\\big(x(t) W_x^{r} + b_x^{r} + h(t-1) W_h^{r} + b_h^{r}\\big)  && \\text{reset gate} \\\\
        z(t) &= \\sigma\\big(x(t) W_x^{z} + b_x^{z} + h(t-1) W_h^{z} + b_h^{z}\\big)  && \\text{update gate} \\\\
        n(t) &= \\tanh\\big(x(t) W_x^{n} + b_x^{n} + r(t) \\odot (h(t-1) W_h^{n} + b_h^{n})\\big) \\\\
        h(t) &= (1 - z(t)) \\odot n(t) + z(t) \\odot h(t-1)

    The reset gate acts on the recurrent projection *after* the matrix product (as in
    PyTorch and cuDNN, Keras' ``reset_after=True``), which is why the input and the
    recurrent projections keep separate biases.  Stored as ``W_x (n_in, 3H)``,
    ``W_h (H, 3H)``, ``b_x (3H,)``, ``b_h (3H,)`` with the gates in PyTorch's order
    r, z, n (PyTorch's ``weight_ih_l0`` is ``W_x.T``, ``bias_ih_l0`` is ``b_x``).

    Backward, with ``δh = ∂L/∂h(t)``: ``δn̂ = δh ⊙ (1−z) ⊙ (1−n²)`` (pre-activation of n),
    ``δẑ = δh ⊙ (h(t−1) − n) ⊙ z(1−z)``, ``δr̂ = δn̂ ⊙ (h(t−1) W_h^n + b_h^n) ⊙ r(1−r)``;
    the input projection receives ``[δr̂, δẑ, δn̂]``, the recurrent one
    ``[δr̂, δẑ, δn̂ ⊙ r]``, and ``δh(t−1) += δh ⊙ z + [δr̂, δẑ, δn̂ ⊙ r] W_hᵀ``.

    Parameters
    ----------
    n_in, n_hidden : int
        Input and hidden widths.
    """

    _SCALE = [0.5, 0.5, 1.0]  # σ-columns (r, z) prescaled by ½: σ(x) = ½ tanh(x/2) + ½

    def __init__(self, n_in, n_hidden):
        self.n_in = n_in
        self.n_hidden = n_hidden
        self.state_size = n_hidden

    def param_shapes(self):
        H = self.n_hidden
        return [("W_x", (self.n_in, 3 * H)), ("W_h", (H, 3 * H)), ("b_x", (3 * H,)), ("b_h", (3 * H,))]

    def initialize(self, p, rng):
        p["W_x"][...] = glorot_uniform(rng, p["W_x"].shape, p["W_x"].dtype)
        p["W_h"][...] = orthogonal(rng, p["W_h"].shape, p["W_h"].dtype)
        p["b_x"][...] = 0
        p["b_h"][...] = 0

    def forward(self, p, X, sizes, state0):
        T, B, _ = X.shape
        H = self.n_hidden
        order = [0, 1, 2]
        W_h = _gates(p["W_h"], order, self._SCALE)
        b_h = _gates(p["b_h"], order, self._SCALE)
        # input projection of all steps in one GEMM: Gi[t] = x(t) W_x + b_x (gates r, z, n)
        Gi = np.dot(X.reshape(T * B, -1), _gates(p["W_x"], order, self._SCALE))
        Gi += _gates(p["b_x"], order, self._SCALE)
        Gi = Gi.reshape(T, B, 3 * H)
        Gh = np.zeros((T, B, 3 * H), dtype=X.dtype)  # h(t−1) W_h + b_h, kept for backward
        out = np.zeros((T, B, H), dtype=X.dtype)
        tmp = np.empty((B, H), dtype=X.dtype)
        h = state0
        for t, n in enumerate(np.asarray(sizes).tolist()):
            if n == 0:
                break
            gi, gh = Gi[t, :n], Gh[t, :n]
            np.dot(h[:n], W_h, out=gh)
            gh += b_h
            rz = gi[:, : 2 * H]
            rz += gh[:, : 2 * H]
            np.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5  # [r, z]
            r, z, n_t = gi[:, :H], gi[:, H: 2 * H], gi[:, 2 * H:]
            n_t += np.multiply(r, gh[:, 2 * H:], out=tmp[:n])
            np.tanh(n_t, out=n_t)  # n = tanh(x W_x^n + b_x^n + r ⊙ (h W_h^n + b_h^n))
            d = np.subtract(h[:n], n_t, out=tmp[:n])
            d *= z
            np.add(n_t, d, out=out[t, :n])  # h(t) = n + z ⊙ (h(t−1) − n)
            h = out[t]
        lengths = lengths_from_sizes(sizes, B)
        return out, final_state(out, lengths, state0), (X, Gi, Gh, out, sizes, state0)

    def backward(self, p, g, d_out, cache, need_dx=True):
        X, Gi, Gh, out, sizes, state0 = cache
        T, B, H = out.shape
        dtype = out.dtype
        r, z, n_ = Gi[:, :, :H], Gi[:, :, H: 2 * H], Gi[:, :, 2 * H:]
        hn = Gh[:, :, 2 * H:]
        # factors that depend on the forward pass only, for all steps at once:
        # δh multiplies P[:, :, 0] into δn̂ and P[:, :, 1] into δẑ; δn̂ multiplies
        # Q[:, :, 0] into δr̂ and Q[:, :, 1] = r into the recurrent n-gradient.
        P = np.empty((T, B, 2, H), dtype=dtype)
        Q = np.empty((T, B, 2, H), dtype=dtype)
        tmp = np.empty((T, B, H), dtype=dtype)
        np.multiply(n_, n_, out=tmp)
        np.subtract(1, tmp, out=tmp)
        np.subtract(1, z, out=P[:, :, 0])
        P[:, :, 0] *= tmp  # (1 − z)(1 − n²)
        np.subtract(state0, n_[0], out=P[0, :, 1])
        np.subtract(out[:-1], n_[1:], out=P[1:, :, 1])
        np.subtract(1, z, out=tmp)
        tmp *= z
        P[:, :, 1] *= tmp  # (h(t−1) − n) z(1 − z)
        np.subtract(1, r, out=tmp)
        tmp *= r
        np.multiply(tmp, hn, out=Q[:, :, 0])  # (h W_h^n + b_h^n) r(1 − r)
        Q[:, :, 1] = r

        # pre-activation gradients in the order [n̂ (input side), r̂, ẑ, n̂ ⊙ r (recurrent side)]:
        # [:3] is the input projection's (gates n, r, z), [1:] the recurrent one's (r, z, n)
        dG = np.zeros((T, B, 4, H), dtype=dtype)
        dh_all = d_out.copy()
        buf = np.empty((B, H), dtype=dtype)
        W_hT = p["W_h"].T
        flush = _Flush(dtype)
        sizes_list = np.asarray(sizes).tolist()
        for t in range(T - 1, -1, -1):
            n = sizes_list[t]
            if n == 0:
                continue
            dh, d = dh_all[t, :n], dG[t, :n]
            np.multiply(dh[:, None, :], P[t, :n], out=d[:, 0::2])  # δn̂, δẑ
            np.multiply(d[:, 0:1], Q[t, :n], out=d[:, 1::2])  # δr̂, δn̂ ⊙ r
            if t > 0:
                dh_prev = dh_all[t - 1, :n]
                dh_prev += np.multiply(dh, z[t, :n], out=buf[:n])
                dh_prev += np.dot(d[:, 1:].reshape(n, 3 * H), W_hT, out=buf[:n])
                flush(dh_prev)
        dG2 = dG.reshape(T * B, 4 * H)
        dGh = dG2[:, H:]  # r, z, n: the order of W_h
        np.dot(state0.T, dGh[:B], out=g["W_h"])
        if T > 1:
            g["W_h"] += np.dot(out[:-1].reshape(-1, H).T, dGh[B:])
        np.sum(dGh, axis=0, out=g["b_h"])
        dGi = dG2[:, : 3 * H]  # n, r, z
        gW = np.dot(X.reshape(T * B, -1).T, dGi)
        g["W_x"][:, : 2 * H] = gW[:, H:]
        g["W_x"][:, 2 * H:] = gW[:, :H]
        gb = dGi.sum(axis=0)
        g["b_x"][: 2 * H] = gb[H:]
        g["b_x"][2 * H:] = gb[:H]
        if not need_dx:
            return None
        W_x = p["W_x"]
        return np.dot(dGi, np.concatenate([W_x[:, 2 * H:], W_x[:, : 2 * H]], axis=1).T).reshape(T, B, -1)


class JordanCell:
    """Jordan cell: the hidden layer sees the network's previous *output*.

    .. math::

        h(t) = f\\big(x(t)\\,U + \\hat y(t-1)\\,W_y + b\\big),\\qquad
        \\hat y(t) = g\\big(h(t)\\,V + c\\big)

    The cell holds its own output layer ``(V, c)`` and output activation ``g``, so its
    output sequence *is* the network's prediction ``ŷ`` and its carried state is ``ŷ``;
    it is used without a dense output layer after it (``Network(..., readout=False)``).
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
            bound = np.sqrt((2.0 if act == "logistic" else 6.0) / (n_a + n_b))
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
            n = sizes[t]
            if n == 0:
                break
            h = hidden[t, :n]
            h += np.dot(prev[:n], p["W_y"])
            f(h)
            y = out[t, :n]
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
            n = sizes[t]
            if n == 0:
                continue
            d = dzo[t, :n]
            d += _output_jacobian_T(self.out_activation, out[t, :n], carry[:n])
            dh = dz[t, :n]
            np.dot(d, V_T, out=dh)
            deriv(hidden[t, :n], dh)
            if t > 0:
                np.dot(dh, Wy_T, out=carry[:n])
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


CELLS = {"elman": ElmanCell, "lstm": LSTMCell, "gru": GRUCell, "jordan": JordanCell}
