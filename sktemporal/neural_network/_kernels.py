r"""What every recurrent cell shares: the cell protocol, BPTT's sum over time, and the batch kernels.

One idea: how a recurrence over a padded, length-sorted batch is run forward and
differentiated backward.  The cells (:mod:`._cell_elman`, :mod:`._cell_lstm`,
:mod:`._cell_gru`) implement their own equations on top of what is here; their plain,
one-sequence versions are in :mod:`._reference`.

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

Backpropagation through time
----------------------------
This is the one place where the sum over time is written out; the training loop
(``_training.py``: which chunks of steps) and the gradient of a minibatch
(``_gradients.py``: the sum over sequences) refer to it.  A cell is a recurrence

.. math::

    s(t) = F\big(s(t-1), x(t); \theta\big), \qquad t = 1, \dots, T,
    \qquad s(0) = s_0 \text{ (given)},

with the loss a sum over steps of what the output at each step costs,
:math:`L = \sum_t \ell_t(s(t))`.  Every step uses the same :math:`\theta`, so its
gradient is a sum over the steps of the local derivatives, each weighted by the error
:math:`\delta s(t) = \partial L / \partial s(t)` that reaches the state at that step:

.. math::

    \delta s(T) &= \frac{\partial \ell_T}{\partial s(T)}, \qquad
    \delta s(t) = \frac{\partial \ell_t}{\partial s(t)}
      + \Big(\frac{\partial F}{\partial s}\Big|_{t+1}\Big)^{\!\top} \delta s(t+1), \\
    \frac{\partial L}{\partial \theta} &= \sum_{t=1}^{T}
      \Big(\frac{\partial F}{\partial \theta}\Big|_{t}\Big)^{\!\top} \delta s(t), \qquad
    \frac{\partial L}{\partial x(t)} = \Big(\frac{\partial F}{\partial x}\Big|_{t}\Big)^{\!\top} \delta s(t).

For the affine pre-activation :math:`z(t) = x(t) W_x + s(t-1) W_h + b` that every cell
here applies first, with :math:`\delta z(t) = \partial L / \partial z(t)` (the
cell's own equations give it from :math:`\delta s(t)`), the sum becomes three products:

.. math::

    \frac{\partial L}{\partial W_x} = \sum_t x(t)^\top \delta z(t), \qquad
    \frac{\partial L}{\partial W_h} = \sum_t s(t-1)^\top \delta z(t), \qquad
    \frac{\partial L}{\partial b} = \sum_t \delta z(t),

a sum over steps *and* over the rows of the batch, so over all steps at once it is one
GEMM on the ``(T·B, ·)`` stacks (the Elman and Jordan cells), or one ``β = 1`` gemm per
step into the same accumulator (the gated cells, whose step-``t`` operands are already in
cache).  Only :math:`\delta s(t)` must be computed step by step, backwards, because it
depends on :math:`\delta s(t+1)`.

*Truncated BPTT* (``bptt_steps=k``) applies this to each chunk of ``k`` steps with
:math:`s_0` the state the previous chunk ended in, taken as a constant: no error flows
into :math:`s_0`, which is why ``backward`` has no ``∂L/∂state0``.  *Padded steps* have
:math:`\partial \ell_t / \partial s(t) = 0` and no successor, so their errors are exactly
zero and they add nothing to any sum.  A minibatch's gradient is the sum of these
per-sequence sums (``_gradients.py`` deals the sequences to processes on that sum).

Gated cells: feature-major segments
-----------------------------------
Inside the LSTM and GRU cells the batch is held feature-major: a step's gates are a
contiguous ``(G·H, w)`` block and a state is an ``(H, w)`` block, so every per-step ufunc
runs over one contiguous array (a ``(w, H)`` column slice of a ``(w, 4H)`` row-major
block costs twice as much for these sizes).  The steps are cut into segments of fixed
width ``w`` (:func:`_segments`): all of a segment's columns are computed at every step,
and a new, narrower segment starts when fewer than ¾ of them are still running (ragged
batches).  Columns of sequences that have ended hold finite values computed from zero
inputs; they never reach an output (masked), a final state (taken at each sequence's
last step) or a gradient (their errors are exactly zero).

Per segment, ``Z[k] = [x(t); 1; h(t−1)]`` stacks a step's input, a constant row and the
previous state, so that ``∂L/∂[W_x; b; W_h] += Z[k] δ(t)ᵀ`` is a single BLAS gemm with
``β = 1`` per step, and the input projection of all steps is one batched product
``[W_x; b]ᵀ Z[:, :n_in+1]``.

GEMM convention
---------------
``gemm(α, a, b, β, c, trans_a, trans_b, overwrite_c)`` is scipy's BLAS:
``c ← α op(a) op(b) + β c`` on Fortran-ordered arrays.  A C-contiguous matrix M *is* the
Fortran matrix Mᵀ, so ``C += A @ B`` on C-contiguous arrays is
``gemm(1, Bᵀ, Aᵀ, 1, Cᵀ, 0, 0, 1)`` on transposed views: in place, no copy, no temporary
(``β = 1``).  The hot loops call it positionally (cheaper argument parsing) on views made
once per segment; :data:`GEMM` picks the routine of a dtype.

Gate orders
-----------
The gated parameters store the gates side by side in a *storage* order (the Keras /
PyTorch one, what users convert to and from); a forward pass may compute them in another
order, and a backward pass keeps its errors in the order its products need.  Every
permutation is derived from the gate names with :func:`_permutation`, never written as
bare indices.
"""

import numpy as np
from scipy.linalg.blas import dgemm, sgemm

from ..utils._blas import one_blas_thread

__all__ = ["GEMM", "glorot_uniform", "mlp_init_bound", "orthogonal", "final_state", "lengths_from_sizes"]

#: The BLAS ``gemm`` of each floating dtype (see "GEMM convention" above).
GEMM = {np.dtype(np.float64): dgemm, np.dtype(np.float32): sgemm}


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
    # a small QR gains nothing from BLAS threads and, on a busy machine, can wait for them:
    # 0.4-0.7 s instead of 1 ms measured here (a fit's whole first epoch, H = 64)
    with one_blas_thread():
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
