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

Only the recurrence runs step by step: the input projection and ``∂L/∂X`` are products
over all steps at once; the weight gradients are too for the Elman and Jordan cells, while
the gated cells accumulate them per step with one in-place BLAS ``gemm`` (see the note
above :class:`LSTMCell` for why).
"""

import numpy as np
from scipy.linalg.blas import dgemm, sgemm

from ..utils._activations import ACTIVATIONS, DERIVATIVES

__all__ = ["ElmanCell", "JordanCell", "LSTMCell", "GRUCell", "glorot_uniform", "orthogonal", "final_state", "CELLS"]


def glorot_uniform(rng, shape, dtype):
    """Glorot/Xavier uniform: U(±√(6 / (fan_in + fan_out)))."""
    bound = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-bound, bound, size=shape).astype(dtype, copy=False)


def mlp_init_bound(fan_in, fan_out, activation):
    """scikit-learn's MLP initialisation bound: √(6 / (fan_in + fan_out)), factor 2 for logistic."""
    return np.sqrt((2.0 if activation == "logistic" else 6.0) / (fan_in + fan_out))


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


# ----------------------------------------------------------------------------------
# Gated cells (LSTM, GRU)
#
# Inside these cells the batch is held feature-major: a step's gates are a contiguous
# (G·H, w) block and a state is an (H, w) block, so every per-step ufunc runs over
# one contiguous array (a (w, H) column slice of a (w, 4H) row-major block costs twice
# as much for these sizes).  The steps are cut into segments of fixed width w: all of a
# segment's columns are computed at every step, and a new, narrower segment starts
# when fewer than ¾ of them are still running (ragged batches).  Columns of sequences
# that have ended hold finite values computed from zero inputs; they never reach an
# output (masked), a final state (taken at each sequence's last step) or a gradient
# (their errors are exactly zero).
#
# Per segment, Z[k] = [x(t); 1; h(t−1)] stacks a step's input, a constant row and the
# previous state, so that ∂L/∂[W_x; b; W_h] += Z[k] δ(t)ᵀ is a single BLAS gemm with
# β = 1 per step, and the input projection of all steps is one batched product
# ``[W_x; b]ᵀ Z[:, :n_in+1]``.
# ----------------------------------------------------------------------------------
#
# ``gemm(α, a, b, β, c, trans_a, trans_b, overwrite_c)`` is scipy's BLAS:
# ``c ← α op(a) op(b) + β c`` on Fortran-ordered arrays.  A C-contiguous matrix M *is* the
# Fortran matrix Mᵀ, so ``C += A @ B`` on C-contiguous arrays is
# ``gemm(1, Bᵀ, Aᵀ, 1, Cᵀ, 0, 0, 1)`` on transposed views: in place, no copy, no temporary
# (β = 1).  The hot loops call it positionally (cheaper argument parsing) on views made
# once per segment.
# ----------------------------------------------------------------------------------
_GEMM = {np.dtype(np.float64): dgemm, np.dtype(np.float32): sgemm}

# ----------------------------------------------------------------------------------
# Gate orders.  The parameters store the gates side by side in a *storage* order (the
# Keras / PyTorch one, what users convert to and from); the forward pass may compute them
# in another order, and the backward pass keeps its errors in the order its products need.
# Every permutation below is derived from the names, never written as bare indices.
# ----------------------------------------------------------------------------------
#: LSTM parameters: ``W_x``, ``W_h``, ``b`` hold the gates [i | f | g | o] (Keras; PyTorch's order).
LSTM_STORAGE_ORDER = ("i", "f", "g", "o")
#: LSTM forward pass: the three sigmoid gates first, so one affine fix-up turns their tanh into σ.
LSTM_COMPUTE_ORDER = ("i", "f", "o", "g")
#: GRU parameters: ``W_x``, ``W_h``, ``b_x``, ``b_h`` hold [r | z | n] (PyTorch's order); the
#: forward pass computes them in the same order.
GRU_STORAGE_ORDER = ("r", "z", "n")
#: GRU backward: the input-projection gradient is gathered with the candidate first, so that the
#: errors [δn̂, δr̂, δẑ, δn̂ ⊙ r] give the input projection's errors as the first three blocks and
#: the recurrent projection's (in storage order r, z, n) as the last three.
GRU_INPUT_GRAD_ORDER = ("n", "r", "z")


def _permutation(source, target):
    """Indices ``perm`` such that ``[source[k] for k in perm] == list(target)``."""
    return [source.index(gate) for gate in target]


def _sigmoid_scale(order):
    """Per-gate factor of the pre-activations: ½ for σ gates (σ(x) = ½ tanh(x/2) + ½), 1 for tanh."""
    return [1.0 if gate in ("g", "n") else 0.5 for gate in order]


def _gates(W, order, scale=None):
    """Copy of ``W`` (gates side by side along the last axis), gate blocks reordered and scaled.

    Block ``k`` of the result is block ``order[k]`` of ``W`` times ``scale[k]``.
    """
    k = len(order)
    blocks = W.reshape(W.shape[:-1] + (k, W.shape[-1] // k))
    out = blocks[..., order, :]
    if scale is not None:
        out *= np.asarray(scale, dtype=W.dtype)[:, None]
    return out.reshape(W.shape)


def _segments(sizes, shrink=0.75):
    """``[(t0, t1, w), ...]``: runs of steps computed at width ``w`` (active rows ``[:w]``)."""
    segments, t0 = [], 0
    w = sizes[0] if len(sizes) else 0
    T = len(sizes)
    for t, n_active in enumerate(sizes):
        if n_active == 0:
            T = t
            break
        if n_active <= shrink * w:
            segments.append((t0, t, w))
            t0, w = t, n_active
    if w and T > t0:
        segments.append((t0, T, w))
    return segments


class _Flush:
    """Flush tiny float32 values to zero in place: ``x ← (x + c) − c`` with ``c = 2⁻⁷⁶``.

    Backpropagated errors shrink geometrically along a long sequence and, in float32,
    end in the subnormal range (below 1.2e-38), where arithmetic is many times slower on
    CPUs that handle subnormal operands in microcode.  Adding and
    subtracting ``c`` rounds ``x`` to a multiple of ``ulp(c) = 2⁻⁹⁹ ≈ 1.6e-30``: values
    below ``2⁻¹⁰⁰`` become exactly zero, values above ``2²⁵ c ≈ 4.4e-16`` (where ``c`` is
    less than half an ulp of ``x``) pass unchanged, bit for bit, and values in between move
    by at most 1.6e-30 — nothing next to any error that can move a
    parameter.  Two in-place ufunc calls, no comparison, no mask; the backward loops call
    it every fourth step on the carried errors.  Float64 needs no guard (its subnormals
    start at 2.2e-308).
    """

    def __init__(self, dtype):
        finfo = np.finfo(dtype)
        self.active = finfo.bits == 32
        self.c = dtype.type(2.0 ** (-100 + finfo.nmant + 1))

    def __call__(self, x):
        if self.active:
            x += self.c
            x -= self.c


def _gated_output(segments, rows, T, B, H, sizes, dtype):
    """The ``(T, B, H)`` output: a view of the feature-major states, zero on padded steps.

    ``rows(seg)`` is the ``(L, H, w)`` block of ``h(t0..t1−1)`` of a segment.
    """
    sizes = np.asarray(sizes)
    if len(segments) == 1 and segments[0][2] == B and segments[0][1] == T:
        out = rows(segments[0])
    else:
        out = np.zeros((T, H, B), dtype=dtype)
        for seg in segments:
            t0, t1, w = seg[:3]
            out[t0:t1, :, :w] = rows(seg)
    if T and sizes.min() < B:
        out *= (np.arange(B)[None, :] < sizes[:, None])[:, None, :]
    return out.transpose(0, 2, 1)


def _gather_final(state, segments, lengths, blocks):
    """Write each sequence's state at its last step into ``state`` (rows of ``(B, ·)``).

    ``blocks(seg)`` returns the segment's ``(L + 1, S, w)`` feature-major states,
    block ``k`` holding the state after step ``t0 + k − 1``.
    """
    for seg in segments:
        t0, t1 = seg[:2]
        rows = np.flatnonzero((lengths > t0) & (lengths <= t1))
        if rows.size:
            state[rows] = blocks(seg)[lengths[rows] - t0, :, rows]
    return state


def _block_steps(L, bytes_per_step, budget=1 << 20):
    """Steps per block of backward factors: the block stays in cache (≈ 1 MiB) until used."""
    return int(min(L, max(4, budget // bytes_per_step)))


def _lstm_factors(A, C_prev, tanh_C, P, K, S):
    """LSTM backward factors of a block of ``b`` steps (written into ``P[:b]``, ``K[:b]``).

    ``A`` holds the gates in :data:`LSTM_COMPUTE_ORDER` ``[i, f, o, g]``, ``C_prev`` is
    ``C(t−1)``.  ``P[:, k]`` is the factor of the error of gate ``LSTM_STORAGE_ORDER[k]``
    (``[i, f, g]`` from ``δC``, ``o`` from ``δh``), ``K`` the factor of ``δh`` in ``δC``.
    """
    b, H = A.shape[0], A.shape[1] // 4
    P, K, S = P[:b], K[:b], S[:b]
    i, o, g = A[:, :H], A[:, 2 * H: 3 * H], A[:, 3 * H:]
    sig = A[:, : 3 * H]
    np.subtract(1, sig, out=S)
    S *= sig  # σ' = σ(1 − σ) of i, f, o
    np.multiply(S[:, :H], g, out=P[:, 0])  # g ⊙ i(1−i)
    np.multiply(S[:, H: 2 * H], C_prev, out=P[:, 1])  # C(t−1) ⊙ f(1−f)
    np.multiply(S[:, 2 * H:], tanh_C, out=P[:, 3])  # tanh C ⊙ o(1−o)
    tmp = S[:, :H]
    np.multiply(g, g, out=tmp)
    np.subtract(1, tmp, out=tmp)
    np.multiply(tmp, i, out=P[:, 2])  # i ⊙ (1−g²)
    np.multiply(tanh_C, tanh_C, out=K)
    np.subtract(1, K, out=K)
    K *= o  # o ⊙ (1 − tanh²C)


def _gru_factors(Gi, Gh, h_prev, P, Q, S):
    """GRU backward factors of a block of ``b`` steps (written into ``P[:b]``, ``Q[:b]``).

    ``Gi`` holds the gates ``[r, z, n]`` (:data:`GRU_STORAGE_ORDER`), ``Gh[:, 2H:]`` is
    ``h(t−1) W_h^n + b_h^n``.
    """
    b, H = Gi.shape[0], Gi.shape[1] // 3
    P, Q, S = P[:b], Q[:b], S[:b]
    r, z, n = Gi[:, :H], Gi[:, H: 2 * H], Gi[:, 2 * H:]
    rz = Gi[:, : 2 * H]
    np.subtract(1, rz, out=S)
    S *= rz  # σ' of r, z
    np.multiply(S[:, :H], Gh[:, 2 * H:], out=Q[:, 0])  # (h W_h^n + b_h^n) ⊙ r(1 − r)
    Q[:, 1] = r
    np.subtract(h_prev, n, out=P[:, 1])
    P[:, 1] *= S[:, H:]  # (h(t−1) − n) ⊙ z(1 − z)
    tmp = S[:, :H]
    np.multiply(n, n, out=tmp)
    np.subtract(1, tmp, out=tmp)
    np.subtract(1, z, out=P[:, 0])
    P[:, 0] *= tmp  # (1 − z)(1 − n²)

class _Workspace:
    """Scratch arrays reused from one minibatch to the next.

    A minibatch's buffers take megabytes, and glibc hands large freed blocks back to the
    system: every fresh buffer then costs a page fault per 4 KiB.  That made an epoch 1.6×
    slower (float32, H = 64, T = 50: 8600 page faults per epoch).  The backward pass
    returns the forward pass's buffers and its own scratch here when it is done with them
    (all but ``Z``, of which the ``(T, B, H)`` output is a view).
    """

    def __init__(self):
        self.free = {}

    def empty(self, shape, dtype):
        stack = self.free.get((shape, dtype))
        return stack.pop() if stack else np.empty(shape, dtype=dtype)

    def give(self, *arrays):
        if len(self.free) > 64:  # many shapes (ragged segments): start over
            self.free.clear()
        for a in arrays:
            stack = self.free.setdefault((a.shape, a.dtype), [])
            if len(stack) < 4:
                stack.append(a)


class _GatedCell:
    """Workspace handling shared by the gated cells (not pickled, freed by ``release``)."""

    @property
    def _ws(self):
        ws = self.__dict__.get("_workspace")
        if ws is None:
            ws = self._workspace = _Workspace()
        return ws

    def release(self):
        """Free the reused scratch arrays (after training)."""
        self.__dict__.pop("_workspace", None)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_workspace", None)
        return state


class LSTMCell(_GatedCell):
    """Long short-term memory cell (Hochreiter & Schmidhuber, 1997, with forget gate).

    .. math::

        i(t) &= \\sigma\\big(x(t) W_x^{i} + h(t-1) W_h^{i} + b^{i}\\big)  && \\text{input gate} \\\\
        f(t) &= \\sigma\\big(x(t) W_x^{f} + h(t-1) W_h^{f} + b^{f}\\big)  && \\text{forget gate} \\\\
        g(t) &= \\tanh\\big(x(t) W_x^{g} + h(t-1) W_h^{g} + b^{g}\\big)   && \\text{candidate } \\tilde C(t) \\\\
        o(t) &= \\sigma\\big(x(t) W_x^{o} + h(t-1) W_h^{o} + b^{o}\\big)  && \\text{output gate} \\\\
        C(t) &= f(t) \\odot C(t-1) + i(t) \\odot g(t) \\\\
        h(t) &= o(t) \\odot \\tanh C(t)

    Parameters are stored as Keras stores them: ``W_x`` of shape ``(n_in, 4H)``,
    ``W_h`` of shape ``(H, 4H)`` and one bias ``b`` of shape ``(4H,)``, the gates side
    by side in the order i, f, g, o.  (PyTorch's ``weight_ih_l0`` is ``W_x.T``, its
    ``weight_hh_l0`` is ``W_h.T`` and its two biases sum to ``b``.)  The state carried
    between truncated-BPTT chunks is ``[h; C]``, ``state_size = 2H``.

    Backward, with ``δh(t) = ∂L/∂h(t)`` (from the output and from step ``t + 1``) and
    ``δC(t) = δh(t) ⊙ o ⊙ (1 − tanh²C(t)) + δC(t+1) ⊙ f(t+1)``, the gate
    pre-activations receive ``δi = δC ⊙ g ⊙ i(1−i)``, ``δf = δC ⊙ C(t−1) ⊙ f(1−f)``,
    ``δg = δC ⊙ i ⊙ (1−g²)``, ``δo = δh ⊙ tanh C ⊙ o(1−o)``, and
    ``δh(t−1) += [δi δf δg δo] W_hᵀ``.

    Inside, the forward pass holds the gate pre-activations in :data:`LSTM_COMPUTE_ORDER`
    (i, f, o, g: the σ gates first); the backward errors ``δ`` are in the storage order
    :data:`LSTM_STORAGE_ORDER` (i, f, g, o), the order of the rows of ``W_hᵀ`` they meet.

    Parameters
    ----------
    n_in, n_hidden : int
        Input and hidden widths.
    unit_forget_bias : bool, default=True
        Initialise the forget-gate bias to 1 (Jozefowicz et al., 2015; Keras'
        default), so that the cell starts by remembering.
    """

    # σ(z) = ½ tanh(z/2) + ½: the forward pass orders the gates i, f, o, g
    # (LSTM_COMPUTE_ORDER) and halves the σ-rows of the weights, so one tanh covers all
    # four gates and one affine fix-up of the first 3H rows turns them into σ.
    _STORAGE_TO_COMPUTE = _permutation(LSTM_STORAGE_ORDER, LSTM_COMPUTE_ORDER)
    _COMPUTE_SCALE = _sigmoid_scale(LSTM_COMPUTE_ORDER)

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
        T, B, n_in = X.shape
        H = self.n_hidden
        h_row = n_in + 1  # Z[k] = [x(t); 1; h(t−1)]: h(t−1) in rows h_row:
        gemm = _GEMM[X.dtype]
        sizes = np.asarray(sizes).tolist()
        order, scale = self._STORAGE_TO_COMPUTE, self._COMPUTE_SCALE
        W_in = _gates(np.vstack([p["W_x"], p["b"]]), order, scale).T.copy()  # (4H, n_in + 1)
        W_rec = _gates(p["W_h"], order, scale).T.copy()  # (4H, H)
        W_recT = W_rec.T
        segments, ws, dt = [], self._ws, X.dtype
        h, c = state0[:, :H].T, state0[:, H:].T  # (H, B) views
        for t0, t1, w in _segments(sizes):
            L = t1 - t0
            Z = np.empty((L + 1, h_row + H, w), dtype=dt)  # not reused: the output is a view of it
            Z[:L, :n_in] = X[t0:t1, :w].transpose(0, 2, 1)
            Z[:, n_in] = 1
            Z[0, h_row:] = h[:, :w]
            C = ws.empty((L + 1, H, w), dt)
            C[0] = c[:, :w]
            A = np.matmul(W_in, Z[:L, :h_row], out=ws.empty((L, 4 * H, w), dt))  # x(t) W_x + b, gates i, f, o, g
            tanh_C = ws.empty((L, H, w), dt)
            tmp = ws.empty((H, w), dt)
            At, Zt = A.transpose(0, 2, 1), Z.transpose(0, 2, 1)
            for k in range(L):
                a = A[k]
                gemm(1.0, Zt[k, :, h_row:], W_recT, 1.0, At[k], 0, 0, 1)  # a += W_rec h(t−1)
                np.tanh(a, out=a)
                sig = a[: 3 * H]
                sig *= 0.5
                sig += 0.5
                i, f, o, g = a[:H], a[H: 2 * H], a[2 * H: 3 * H], a[3 * H:]
                c_t = C[k + 1]
                np.multiply(f, C[k], out=c_t)
                c_t += np.multiply(i, g, out=tmp)  # C(t) = f ⊙ C(t−1) + i ⊙ g
                np.tanh(c_t, out=tanh_C[k])
                np.multiply(o, tanh_C[k], out=Z[k + 1, h_row:])  # h(t) = o ⊙ tanh C(t)
            h, c = Z[L, h_row:], C[L]
            segments.append((t0, t1, w, Z, A, C, tanh_C))
            ws.give(tmp)
        lengths = lengths_from_sizes(sizes, B)
        state = state0.copy()
        _gather_final(state[:, :H], segments, lengths, lambda s: s[3][:, h_row:])
        _gather_final(state[:, H:], segments, lengths, lambda s: s[5])
        out = _gated_output(segments, lambda s: s[3][1:, h_row:], T, B, H, sizes, X.dtype)
        return out, state, (segments, X.shape, sizes)

    def backward(self, p, g, d_out, cache, need_dx=True):
        segments, (T, B, n_in), sizes = cache
        H = self.n_hidden
        h_row = n_in + 1
        dtype = d_out.dtype
        gemm = _GEMM[dtype]
        flush = _Flush(dtype)
        W_h = p["W_h"]  # (H, 4H), gates i, f, g, o: the order of the errors δ below
        W_hT = W_h.T
        grad = np.zeros((h_row + H, 4 * H), dtype=dtype)  # [∂W_x; ∂b; ∂W_h]
        gradT = grad.T
        dX = np.zeros((T, n_in, B), dtype=dtype) if need_dx else None
        carry, ws = None, self._ws
        for t0, t1, w, Z, A, C, tanh_C in reversed(segments):
            L = t1 - t0
            f = A[:, H: 2 * H]
            dh_all = ws.empty((L, H, w), dtype)  # becomes δh(t)
            np.copyto(dh_all, d_out[t0:t1, :w].transpose(0, 2, 1))
            dC = np.zeros((H, w), dtype=dtype)
            if carry is not None:  # errors flowing in from the next (narrower) segment
                dh_all[L - 1, :, : carry[0].shape[1]] += carry[0]
                dC[:, : carry[1].shape[1]] = carry[1]
            delta = ws.empty((L if need_dx else 1, 4, H, w), dtype)  # δ(t) (all for ∂X)
            deltaT = delta.reshape(len(delta), 4 * H, w).transpose(0, 2, 1)
            dhT, Zt = dh_all.transpose(0, 2, 1), Z.transpose(0, 2, 1)
            buf = ws.empty((H, w), dtype)
            n_blk = _block_steps(L, 6 * H * w * dtype.itemsize)
            P = ws.empty((n_blk, 4, H, w), dtype)
            K = ws.empty((n_blk, H, w), dtype)
            S = ws.empty((n_blk, 3 * H, w), dtype)
            for k1 in range(L, 0, -n_blk):
                k0 = max(0, k1 - n_blk)
                # factors that only depend on the forward pass, for a block of steps at once:
                # δ[i, f, g] = δC ⊙ P[:, :3], δo = δh ⊙ P[:, 3]; δh adds δh ⊙ K to δC
                _lstm_factors(A[k0:k1], C[k0:k1], tanh_C[k0:k1], P, K, S)
                for k in range(k1 - 1, k0 - 1, -1):
                    j, kk = k - k0, (k if need_dx else 0)
                    dh, d = dh_all[k], delta[kk]
                    dC += np.multiply(dh, K[j], out=buf)
                    np.multiply(dC, P[j, :3], out=d[:3])
                    np.multiply(dh, P[j, 3], out=d[3])
                    gemm(1.0, deltaT[kk], Zt[k], 1.0, gradT, 1, 0, 1)  # ∂[W_x; b; W_h] += Z[k] δᵀ
                    dC *= f[k]  # δC(t−1) receives δC(t) ⊙ f(t)
                    if k:
                        gemm(1.0, deltaT[kk], W_hT, 1.0, dhT[k - 1], 0, 0, 1)  # δh(t−1) += W_h δ
                        if not k % 4:
                            flush(dC)
                            flush(dh_all[k - 1])
                    elif t0:
                        carry = (np.dot(W_h, d.reshape(4 * H, w)), dC.copy())
            if need_dx:
                dX[t0:t1, :, :w] = np.matmul(p["W_x"], delta.reshape(L, 4 * H, w))
            ws.give(A, C, tanh_C, dh_all, delta, buf, P, K, S)
        g["W_x"][...] = grad[:n_in]
        g["b"][...] = grad[n_in]
        g["W_h"][...] = grad[h_row:]
        return dX.transpose(0, 2, 1) if need_dx else None


class GRUCell(_GatedCell):
    """Gated recurrent unit (Cho et al., 2014) in PyTorch's formulation.

    .. math::

        r(t) &= \\sigma\\big(x(t) W_x^{r} + b_x^{r} + h(t-1) W_h^{r} + b_h^{r}\\big)  && \\text{reset gate} \\\\
        z(t) &= \\sigma\\big(x(t) W_x^{z} + b_x^{z} + h(t-1) W_h^{z} + b_h^{z}\\big)  && \\text{update gate} \\\\
        n(t) &= \\tanh\\big(x(t) W_x^{n} + b_x^{n} + r(t) \\odot (h(t-1) W_h^{n} + b_h^{n})\\big)
             && \\text{candidate} \\\\
        h(t) &= (1 - z(t)) \\odot n(t) + z(t) \\odot h(t-1)

    The reset gate acts on the recurrent projection *after* the matrix product (PyTorch,
    cuDNN, Keras' ``reset_after=True``), which is why the input and the recurrent
    projections keep separate biases.  Stored as ``W_x (n_in, 3H)``, ``W_h (H, 3H)``,
    ``b_x (3H,)``, ``b_h (3H,)``, gates in PyTorch's order r, z, n (PyTorch's
    ``weight_ih_l0`` is ``W_x.T``, ``bias_ih_l0`` is ``b_x``, ``bias_hh_l0`` is ``b_h``).

    Backward, with ``δh = ∂L/∂h(t)``: ``δn̂ = δh ⊙ (1−z) ⊙ (1−n²)`` (pre-activation of
    n), ``δẑ = δh ⊙ (h(t−1) − n) ⊙ z(1−z)``,
    ``δr̂ = δn̂ ⊙ (h(t−1) W_h^n + b_h^n) ⊙ r(1−r)``; the input projection receives
    ``[δr̂, δẑ, δn̂]``, the recurrent one ``[δr̂, δẑ, δn̂ ⊙ r]``, and
    ``δh(t−1) += δh ⊙ z + [δr̂, δẑ, δn̂ ⊙ r] W_hᵀ``.

    The forward pass keeps the storage order :data:`GRU_STORAGE_ORDER` (r, z, n); the
    backward pass stacks the errors as ``[δn̂, δr̂, δẑ, δn̂ ⊙ r]``, whose first three blocks
    are the input projection's errors in :data:`GRU_INPUT_GRAD_ORDER` (n, r, z) and last
    three the recurrent projection's in storage order, so each projection's gradient is
    one product.

    Parameters
    ----------
    n_in, n_hidden : int
        Input and hidden widths.
    """

    # the forward pass keeps the storage order; σ-rows (r, z) halved: σ(x) = ½ tanh(x/2) + ½
    _COMPUTE_SCALE = _sigmoid_scale(GRU_STORAGE_ORDER)

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
        T, B, n_in = X.shape
        H = self.n_hidden
        h_row = n_in + 1  # Z[k] = [x(t); 1; h(t−1); 1]: [h(t−1); 1] in rows h_row:
        sizes = np.asarray(sizes).tolist()
        same = _permutation(GRU_STORAGE_ORDER, GRU_STORAGE_ORDER)
        W_in = _gates(np.vstack([p["W_x"], p["b_x"]]), same, self._COMPUTE_SCALE).T.copy()  # (3H, n_in + 1)
        W_rec = _gates(np.vstack([p["W_h"], p["b_h"]]), same, self._COMPUTE_SCALE).T.copy()  # (3H, H + 1)
        segments, ws, dt = [], self._ws, X.dtype
        h = state0.T
        for t0, t1, w in _segments(sizes):
            L = t1 - t0
            Z = np.empty((L + 1, h_row + H + 1, w), dtype=dt)  # not reused: the output is a view of it
            Z[:L, :n_in] = X[t0:t1, :w].transpose(0, 2, 1)
            Z[:, n_in] = 1
            Z[:, h_row + H] = 1
            Z[0, h_row: h_row + H] = h[:, :w]
            Gi = np.matmul(W_in, Z[:L, :h_row], out=ws.empty((L, 3 * H, w), dt))  # x W_x + b_x, gates r, z, n
            Gh = ws.empty((L, 3 * H, w), dt)  # h(t−1) W_h + b_h, kept for backward
            tmp = ws.empty((H, w), dt)
            for k in range(L):
                gi, gh = Gi[k], Gh[k]
                np.dot(W_rec, Z[k, h_row:], out=gh)
                rz = gi[: 2 * H]
                rz += gh[: 2 * H]
                np.tanh(rz, out=rz)
                rz *= 0.5
                rz += 0.5  # r, z
                r_t, z_t, n_t = gi[:H], gi[H: 2 * H], gi[2 * H:]
                n_t += np.multiply(r_t, gh[2 * H:], out=tmp)
                np.tanh(n_t, out=n_t)  # n = tanh(x W_x^n + b_x^n + r ⊙ (h W_h^n + b_h^n))
                np.subtract(Z[k, h_row: h_row + H], n_t, out=tmp)
                tmp *= z_t
                np.add(n_t, tmp, out=Z[k + 1, h_row: h_row + H])  # h(t) = n + z ⊙ (h(t−1) − n)
            h = Z[L, h_row: h_row + H]
            segments.append((t0, t1, w, Z, Gi, Gh))
            ws.give(tmp)
        lengths = lengths_from_sizes(sizes, B)
        state = _gather_final(state0.copy(), segments, lengths, lambda s: s[3][:, h_row: h_row + H])
        out = _gated_output(segments, lambda s: s[3][1:, h_row: h_row + H], T, B, H, sizes, X.dtype)
        return out, state, (segments, X.shape, sizes)

    def backward(self, p, g, d_out, cache, need_dx=True):
        segments, (T, B, n_in), sizes = cache
        H = self.n_hidden
        h_row = n_in + 1
        dtype = d_out.dtype
        gemm = _GEMM[dtype]
        flush = _Flush(dtype)
        W_h = p["W_h"]  # (H, 3H), gates r, z, n
        W_hT = W_h.T
        grad_in = np.zeros((h_row, 3 * H), dtype=dtype)  # [∂W_x; ∂b_x], gates n, r, z
        grad_rec = np.zeros((H + 1, 3 * H), dtype=dtype)  # [∂W_h; ∂b_h], gates r, z, n
        grad_inT, grad_recT = grad_in.T, grad_rec.T
        dX = np.zeros((T, n_in, B), dtype=dtype) if need_dx else None
        W_x = p["W_x"]
        W_x_nrz = _gates(W_x, _permutation(GRU_STORAGE_ORDER, GRU_INPUT_GRAD_ORDER))
        carry, ws = None, self._ws
        for t0, t1, w, Z, Gi, Gh in reversed(segments):
            L = t1 - t0
            update_gate = Gi[:, H: 2 * H]
            dh_all = ws.empty((L, H, w), dtype)  # becomes δh(t)
            np.copyto(dh_all, d_out[t0:t1, :w].transpose(0, 2, 1))
            if carry is not None:  # errors flowing in from the next (narrower) segment
                dh_all[L - 1, :, : carry.shape[1]] += carry
            # errors in the order [δn̂, δr̂, δẑ, δn̂ ⊙ r]: [:3] feed the input projection
            # (gates n, r, z), [1:] the recurrent one (gates r, z, n)
            delta = ws.empty((L if need_dx else 1, 4, H, w), dtype)  # δ(t) (all for ∂X)
            n_delta = len(delta)
            d_inT = delta[:, :3].reshape(n_delta, 3 * H, w).transpose(0, 2, 1)
            d_recT = delta[:, 1:].reshape(n_delta, 3 * H, w).transpose(0, 2, 1)
            dhT, Zt = dh_all.transpose(0, 2, 1), Z.transpose(0, 2, 1)
            buf = ws.empty((H, w), dtype)
            n_blk = _block_steps(L, 7 * H * w * dtype.itemsize)
            P = ws.empty((n_blk, 2, H, w), dtype)
            Q = ws.empty((n_blk, 2, H, w), dtype)
            S = ws.empty((n_blk, 2 * H, w), dtype)
            for k1 in range(L, 0, -n_blk):
                k0 = max(0, k1 - n_blk)
                # factors that only depend on the forward pass, for a block of steps at once:
                # [δn̂, δẑ] = δh ⊙ P, [δr̂, δn̂ ⊙ r] = δn̂ ⊙ Q
                _gru_factors(Gi[k0:k1], Gh[k0:k1], Z[k0:k1, h_row: h_row + H], P, Q, S)
                for k in range(k1 - 1, k0 - 1, -1):
                    j, kk = k - k0, (k if need_dx else 0)
                    dh, d = dh_all[k], delta[kk]
                    np.multiply(dh, P[j], out=d[0::2])  # δn̂, δẑ
                    np.multiply(d[0], Q[j], out=d[1::2])  # δr̂, δn̂ ⊙ r
                    gemm(1.0, d_inT[kk], Zt[k, :, :h_row], 1.0, grad_inT, 1, 0, 1)  # ∂[W_x; b_x] += [x; 1] δᵀ
                    gemm(1.0, d_recT[kk], Zt[k, :, h_row:], 1.0, grad_recT, 1, 0, 1)  # ∂[W_h; b_h] += [h; 1] δᵀ
                    if k:
                        dh_prev = dh_all[k - 1]
                        dh_prev += np.multiply(dh, update_gate[k], out=buf)
                        gemm(1.0, d_recT[kk], W_hT, 1.0, dhT[k - 1], 0, 0, 1)  # δh(t−1) += δh ⊙ z + W_h δ
                        if not k % 4:
                            flush(dh_prev)
                    elif t0:
                        carry = np.multiply(dh, update_gate[k]) + np.dot(W_h, d[1:].reshape(3 * H, w))
            if need_dx:
                dX[t0:t1, :, :w] = np.matmul(W_x_nrz, delta[:, :3].reshape(L, 3 * H, w))
            ws.give(Gi, Gh, dh_all, delta, buf, P, Q, S)
        grad_in = _gates(grad_in, _permutation(GRU_INPUT_GRAD_ORDER, GRU_STORAGE_ORDER))  # gates r, z, n
        g["W_x"][...] = grad_in[:n_in]
        g["b_x"][...] = grad_in[n_in]
        g["W_h"][...] = grad_rec[:H]
        g["b_h"][...] = grad_rec[H]
        return dX.transpose(0, 2, 1) if need_dx else None


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


CELLS = {"elman": ElmanCell, "lstm": LSTMCell, "gru": GRUCell, "jordan": JordanCell}
