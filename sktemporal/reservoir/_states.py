r"""The reservoir state loop.

The whole module serves one formula, the leaky-integrator echo state update
(:func:`leaky_update`)

.. math::

    \tilde h(n) = f\big(W_{in} [1; x(n)] + W h(n-1) + W_{fb}\, y(n-1)\big), \qquad
    h(n) = (1 - a)\, h(n-1) + a\, \tilde h(n),

run over a whole batch of sequences at once.  Only what must be sequential happens
per step: the input projection :math:`W_{in}[1; x(n)]` of every step of a segment is
one GEMM before the loop, and each step is one sparse (or dense) product with the
``(N, B)`` state matrix, the activation and the leak, all in place.

Layout.  States are held unit-major, ``(N, B)`` with one column per sequence, because
scipy's CSR kernels multiply ``W`` by a C-ordered ``(N, B)`` block.  Sequences are sorted
by decreasing length, so the sequences still running at step ``t`` are always the first
``B_t`` columns; the time axis is cut into *segments* in which ``B_t`` is constant (and
that are short enough to bound memory), and the state matrix is narrowed when
sequences end.  Padded steps are therefore never computed, and a consumer of the
segments never sees one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from ..utils._activations import ACTIVATIONS as _ALL_ACTIVATIONS
from ..utils._blas import one_blas_thread
from ._csr_kernel import csr_matvec as _csr_matvec
from ._csr_kernel import csr_matvecs as _csr_matvecs

__all__ = [
    "ACTIVATIONS",
    "leaky_update",
    "RecurrentProduct",
    "OutputFeedback",
    "Segment",
    "Update",
    "Readout",
    "run_states",
    "run_autonomous",
    "final_state",
    "segment_rows",
    "scatter_rows",
    "pool_segments",
]


# the in-place activations of the trained networks (σ through tanh), minus softmax
ACTIVATIONS = {name: f for name, f in _ALL_ACTIVATIONS.items() if name != "softmax"}


# ----------------------------------------------------------------------------------
# the update formula
# ----------------------------------------------------------------------------------
def leaky_update(pre, h_prev, leak_rate, activation):
    r"""The echo state update, in place: ``pre`` becomes :math:`h(n)`.

    ``pre`` holds :math:`W_{in}[1; x(n)] + W h(n-1) + W_{fb} y(n-1)` on entry;

    .. math::

        \tilde h(n) = f(\text{pre}), \qquad h(n) = (1 - a)\, h(n-1) + a\, \tilde h(n).

    Parameters
    ----------
    pre : ndarray of shape (N, B)
        Pre-activations; overwritten with the new states.
    h_prev : ndarray of shape (N, B)
        States :math:`h(n-1)`.
    leak_rate : float
        :math:`a`; 1 is the plain (non-leaky) echo state network.
    activation : callable
        In-place activation from :data:`ACTIVATIONS`.
    """
    activation(pre)
    if leak_rate != 1.0:
        pre -= h_prev  # h(n-1) + a (h~ - h(n-1)) == (1 - a) h(n-1) + a h~
        pre *= leak_rate
        pre += h_prev
    return pre


# ----------------------------------------------------------------------------------
# W @ h: sparse or dense, whichever is faster
# ----------------------------------------------------------------------------------
def use_dense(n_units, density, itemsize=8):
    """Whether ``W @ h`` is faster with a dense ``W`` than with CSR.

    Measured on the benchmark machine (2 cores, OpenBLAS, BLAS limited to one thread
    in the loop; see ``docs/development.rst``): scipy's CSR kernel costs about the same
    per non-zero whatever the batch width, a dense product is memory-bound for one
    column and compute-bound for many.  Dense wins from a density of about 0.2 as long
    as the dense matrix stays in cache (16 MB: 1400 float64 or 2000 float32 units);
    beyond that only from about 0.5.  The crossover hardly moved with the batch width
    in the measurements, so the width is not an input.
    """
    if density >= 0.5:
        return True
    return density >= 0.2 and n_units * n_units * itemsize <= 16 * 2**20


class RecurrentProduct:
    """``out += W @ h`` for C-ordered ``h`` and ``out`` of shape ``(N, B)``.

    Parameters
    ----------
    W : csr_matrix of shape (N, N)
    dtype : numpy dtype
        float32 or float64; the product runs in this precision (dense or sparse:
        :func:`use_dense`).
    """

    def __init__(self, W, dtype):
        n = W.shape[0]
        density = W.nnz / float(n * n)
        self.dense = use_dense(n, density, np.dtype(dtype).itemsize)
        self.kernel = None
        if self.dense:
            self.matrix = W.toarray().astype(dtype, copy=False)
            self._tmp = {}
        else:
            W = sp.csr_matrix(W, dtype=dtype)
            W.sort_indices()
            self.matrix = W
            self.args = (n, n, W.indptr, W.indices, W.data)
            self.kernel = _csr_matvec

    def __call__(self, h, out):
        if self.dense:
            tmp = self._tmp.get(h.shape)
            if tmp is None:
                tmp = self._tmp[h.shape] = np.empty(h.shape, dtype=h.dtype)
            np.dot(self.matrix, h, out=tmp)
            out += tmp
        elif _csr_matvec is None:  # pragma: no cover
            out += self.matrix @ h
        elif h.shape[1] == 1:
            _csr_matvec(*self.args, h.reshape(-1), out.reshape(-1))
        else:
            n, _, indptr, indices, data = self.args
            _csr_matvecs(n, n, h.shape[1], indptr, indices, data, h.reshape(-1), out.reshape(-1))
        return out


# ----------------------------------------------------------------------------------
# output feedback from the model's own outputs (predict / generate)
# ----------------------------------------------------------------------------------
@dataclass
class OutputFeedback:
    r"""Feedback of the model's own previous output :math:`y(n-1) = W_{out}[1; h(n-1); x(n-1)]`.

    Attributes
    ----------
    W_fb : ndarray of shape (N, n_outputs)
    coef_h : ndarray of shape (n_outputs, N)
        Readout weights on the states.
    coef_x : ndarray of shape (n_outputs, n_features) or None
        Readout weights on the inputs (``include_input``).
    intercept : ndarray of shape (n_outputs,)
    y0 : ndarray of shape (n_sequences, n_outputs)
        :math:`y(-1)`, the output fed back at the first step (zeros, or the last target
        seen in fit when a series is continued).
    """

    W_fb: np.ndarray
    coef_h: np.ndarray
    coef_x: np.ndarray | None
    intercept: np.ndarray
    y0: np.ndarray


# ----------------------------------------------------------------------------------
# the batched loop
# ----------------------------------------------------------------------------------
@dataclass
class Segment:
    """States of the running sequences over the time steps ``t0 .. t1 - 1``.

    Attributes
    ----------
    t0, t1 : int
    columns : ndarray of shape (B,)
        Indices (in the caller's order) of the sequences running in this segment.
    states : ndarray of shape (t1 - t0, N, B)
        ``states[i, :, j]`` is :math:`h(t_0 + i)` of sequence ``columns[j]``.
    n_ending : int
        The last ``n_ending`` columns end at ``t1 - 1`` (their last valid step).
    """

    t0: int
    t1: int
    columns: np.ndarray
    states: np.ndarray
    n_ending: int


class Update(NamedTuple):
    """The update rule of one reservoir: what :func:`leaky_update` needs besides the state.

    ``W_in`` of shape ``(N, 1 + n_inputs)`` (bias column first, in the dtype of the loop),
    ``product`` a :class:`RecurrentProduct` of :math:`W`, the leak rate :math:`a` and the
    name of the activation :math:`f`.
    """

    W_in: np.ndarray
    product: RecurrentProduct
    leak_rate: float
    activation: str


class Readout(NamedTuple):
    """A linear readout ``y = coef [h; x] + intercept`` (``x`` only when ``include_input``)."""

    coef: np.ndarray
    intercept: np.ndarray
    include_input: bool


def _project(x_seg, W_in, out):
    """``W_in [1; x]`` for every step of a segment at once, written into ``out`` ``(L, N, B)``."""
    B, L, F = x_seg.shape
    ones_x = np.empty((L, F + 1, B), dtype=x_seg.dtype)
    ones_x[:, 0] = 1.0  # the bias column joins the product instead of costing a pass
    ones_x[:, 1:] = x_seg.transpose(1, 2, 0)
    if B == 1:  # one GEMM over all steps
        np.matmul(ones_x[:, :, 0], W_in.T, out=out.reshape(L, -1))
    else:  # one small GEMM per step, straight into the unit-major layout
        np.matmul(W_in, ones_x, out=out)
    return out


def run_states(values, lengths, update, *, h0=None, noise=0.0, noise_rng=None, feedback=None,
               max_elements=None):
    """Drive the reservoir with every sequence of a batch; yield the states segment by segment.

    Parameters
    ----------
    values : ndarray of shape (n_sequences, max_length, n_inputs)
        Zero-padded inputs (float32 or float64: the loop runs in this precision).
    lengths : ndarray of shape (n_sequences,)
    update : Update
        The reservoir: input weights (bias column first, same dtype as ``values``), the
        recurrent product, the leak rate and the activation.
    h0 : ndarray of shape (n_sequences, N) or None
        Initial states (default zeros).
    noise : float
        Standard deviation of Gaussian noise added to the pre-activations.
    noise_rng : RandomState
        Generator of that noise.
    feedback : OutputFeedback or None
        Feed the model's own output back at every step (prediction with feedback).
        Teacher forcing needs no per-step work: the caller appends the targets
        :math:`y(n-1)` to the inputs and :math:`W_{fb}` to ``W_in``.
    max_elements : int or None
        Bound on the size of one segment's state array (``L * N * B``), the only memory
        proportional to the sequence length.  Default: 8M elements (64 MB in float64),
        raised to 2048 rows of ``N`` so that the readout's Gram GEMMs stay efficient.

    Yields
    ------
    segment : Segment
        ``segment.states`` lives in a buffer reused by the next segment (fresh 100 MB
        arrays cost page faults every time): consumers read it before asking for the
        next segment, and never modify it.
    """
    W_in, product, leak_rate = update.W_in, update.product, update.leak_rate
    f = ACTIVATIONS[update.activation]
    n_seq = values.shape[0]
    n = W_in.shape[0]
    dtype = values.dtype
    if max_elements is None:
        max_elements = max(2**23, 2048 * n)
    order = np.argsort(-lengths, kind="stable")
    sorted_len = lengths[order]
    h = np.zeros((n, n_seq), dtype=dtype) if h0 is None else np.ascontiguousarray(h0[order].T, dtype=dtype)
    if feedback is not None:
        W_fb = feedback.W_fb.astype(dtype, copy=False)
        coef_h = feedback.coef_h.astype(dtype, copy=False)
        y = np.array(feedback.y0[order].T, dtype=dtype, order="C")  # (n_outputs, B), own buffer
        fb_tmp = np.empty((n, n_seq), dtype=dtype)
    plan = _plan(sorted_len, n, max_elements)
    buffer = np.empty(max((t1 - t) * n * b for t, t1, b in plan), dtype=dtype) if plan else None
    for t, t1, n_run in plan:
        if h.shape[1] != n_run:
            h = np.ascontiguousarray(h[:, :n_run])
            if feedback is not None:
                y = np.ascontiguousarray(y[:, :n_run])
                fb_tmp = np.empty((n, n_run), dtype=dtype)
        cols = order[:n_run]
        x_seg = values[cols, t:t1]
        with one_blas_thread():
            U = _project(x_seg, W_in, buffer[:(t1 - t) * n * n_run].reshape(t1 - t, n, n_run))
            if noise:
                U += (noise * noise_rng.standard_normal(U.shape)).astype(dtype, copy=False)
            if feedback is None:
                h = _loop(U, h, product, leak_rate, f)
            else:
                c = _readout_inputs(x_seg, feedback)  # (L, n_outputs, B)
                for i in range(t1 - t):
                    pre = U[i]
                    product(h, pre)
                    np.dot(W_fb, y, out=fb_tmp)  # + W_fb y(n-1), the model's own output
                    pre += fb_tmp
                    h = leaky_update(pre, h, leak_rate, f)
                    np.matmul(coef_h, h, out=y)  # y is rewritten every step: no allocation
                    y += c[i]
        h = h.copy()  # h lives in the buffer, which the next segment overwrites
        n_ending = int((sorted_len[:n_run] == t1).sum())
        yield Segment(t, t1, cols, U, n_ending)


def _plan(sorted_len, n, max_elements):
    """Segments ``(t0, t1, n_running)``: constant batch width, at most ``max_elements`` states."""
    plan, t = [], 0
    T = int(sorted_len[0]) if sorted_len.size else 0
    while t < T:
        n_run = int((sorted_len > t).sum())  # sequences still running at step t
        step_limit = max(1, max_elements // (n * n_run))
        t1 = min(int(sorted_len[n_run - 1]), t + step_limit)
        plan.append((t, t1, n_run))
        t = t1
    return plan


def _loop(U, h, product, leak_rate, f):
    """The sequential part: ``U[i] <- h(t0 + i)`` in place, for every step of a segment."""
    L, n, B = U.shape
    if B == 1 and product.kernel is not None:
        # one sequence, sparse W: call scipy's CSR kernel directly on 1-D views
        # (scipy's ``W @ h`` spends several microseconds per call on checks)
        kernel, args = product.kernel, product.args
        U1 = U.reshape(L, n)
        h1 = h.reshape(n)
        for i in range(L):
            pre = U1[i]
            kernel(*args, h1, pre)
            h1 = leaky_update(pre, h1, leak_rate, f)
        return h1.reshape(n, 1)
    for i in range(L):
        pre = U[i]
        product(h, pre)
        h = leaky_update(pre, h, leak_rate, f)
    return h


def _readout_inputs(x_seg, feedback):
    """The input part of the readout, ``coef_x x + intercept``, per step: ``(L, n_outputs, B)``."""
    dtype = x_seg.dtype
    if feedback.coef_x is None:
        c = np.zeros(x_seg.shape[:2] + (feedback.intercept.size,), dtype=dtype)
    else:
        c = np.matmul(x_seg, feedback.coef_x.T.astype(dtype, copy=False))
    c += feedback.intercept.astype(dtype, copy=False)
    return np.ascontiguousarray(c.transpose(1, 2, 0))


def run_autonomous(update, readout, *, h, x, n_steps, outputs_as_inputs, W_fb=None):
    r"""Free-running generation: the model's output is fed back, no external input.

    Starting from the state ``h`` reached on the last warm-up input ``x`` (and the
    output ``y`` fed back there), step ``k`` emits :math:`y_k = W_{out}[1; h; x]` and
    then advances the reservoir with :math:`x \leftarrow y_k` (when
    ``outputs_as_inputs``; otherwise the input is held) and :math:`W_{fb} y_k`.
    Several runs from different starts (rows of a 2-D ``h`` and ``x``) advance together,
    one product of the recurrent matrix with all their states per step.

    Parameters
    ----------
    update : Update
        The reservoir (input weights of shape ``(N, 1 + n_inputs)``).
    readout : Readout
        Its readout: ``coef`` of shape ``(n_outputs, N [+ n_inputs])``, ``intercept`` of
        shape ``(n_outputs,)``.
    h : ndarray of shape (N,) or (n_runs, N)
        State after the last warm-up step (of each run).
    x : ndarray of shape (n_inputs,) or (n_runs, n_inputs)
        Last warm-up input (of each run).
    n_steps : int
    outputs_as_inputs : bool
    W_fb : ndarray of shape (N, n_outputs) or None

    Returns
    -------
    outputs : ndarray of shape (n_steps, n_outputs) or (n_steps, n_runs, n_outputs)
    """
    n = update.W_in.shape[0]
    dtype = h.dtype
    runs = h.ndim == 2
    # unit-major columns, one per run, as the state loop keeps them
    h = np.ascontiguousarray(h.reshape(-1, n).T)
    x = np.array(x.reshape(h.shape[1], -1).T, dtype=dtype, order="C")
    out = np.empty((n_steps, h.shape[1], readout.intercept.size), dtype=dtype)
    with one_blas_thread():
        _autonomous_loop(out, update, readout, h, x, W_fb, outputs_as_inputs)
    return out if runs else out[:, 0]


def _autonomous_loop(out, update, readout, h, x, W_fb, outputs_as_inputs):
    n_steps, n = out.shape[0], update.W_in.shape[0]
    bias_in, W_x = update.W_in[:, :1], update.W_in[:, 1:]
    product, leak_rate, f = update.product, update.leak_rate, ACTIVATIONS[update.activation]
    coef_h = readout.coef[:, :n]
    coef_x = readout.coef[:, n:] if readout.include_input else None
    intercept = readout.intercept[:, None]
    if not outputs_as_inputs:
        # the input is held: its readout term and its projection are loop-invariant
        y_x = coef_x @ x if coef_x is not None else None
        pre_x = W_x @ x + bias_in
    for k in range(n_steps):
        yk = coef_h @ h + intercept
        if coef_x is not None:
            yk += (coef_x @ x) if outputs_as_inputs else y_x
        out[k] = yk.T
        if k == n_steps - 1:
            break
        if outputs_as_inputs:
            x = yk
            pre = W_x @ x + bias_in
        else:
            pre = pre_x.copy()  # the update below overwrites pre in place
        product(h, pre)
        if W_fb is not None:
            pre += W_fb @ yk
        h = leaky_update(pre, h, leak_rate, f)


# ----------------------------------------------------------------------------------
# consumers: readout rows and pooled features
# ----------------------------------------------------------------------------------
def final_state(segments):
    """Run the segments of one series to its end; the state after its last step.

    Parameters
    ----------
    segments : iterable of Segment
        The segments of a single sequence (``run_states`` on one series).

    Returns
    -------
    h : ndarray of shape (N,)
        A copy: the segments' buffer is not the caller's to keep.
    """
    *_, last = segments  # the segments are a generator: run it to its end
    return last.states[-1][:, 0].copy()


def segment_rows(segment, washout=0):
    """States of a segment as readout rows ``(n_rows, N)``, time-major, from step ``washout`` on.

    A view (no copy) for a single sequence.

    Returns
    -------
    H : ndarray of shape (n_rows, N)
    start : int
        First time step included (``max(t0, washout)``); rows are ordered by time step,
        then by column of the segment.
    """
    start = max(segment.t0, washout)
    S = segment.states[start - segment.t0:]
    L, n, B = S.shape
    if B == 1:
        return S.reshape(L, n), start
    return S.transpose(0, 2, 1).reshape(L * B, n), start


def scatter_rows(out, segment, rows):
    """Write time-major rows of a segment (as from :func:`segment_rows`) into a padded array.

    Parameters
    ----------
    out : ndarray of shape (n_sequences, max_length, k)
        Written in place at ``out[segment.columns, segment.t0:segment.t1]``.
    segment : Segment
    rows : ndarray of shape ((t1 - t0) * B, k)
        One row per step and column of the segment, ordered by step, then by column.
    """
    L, B = segment.t1 - segment.t0, segment.columns.size
    out[segment.columns, segment.t0:segment.t1] = rows.reshape(L, B, -1).transpose(1, 0, 2)


def pool_segments(segments, n_sequences, n_units, dtype, washout, want_mean):
    """State after the last step, and sum of the states over steps ``>= washout``, per sequence.

    Returns
    -------
    last : ndarray of shape (n_sequences, N)
        State after the last valid step of each sequence.
    sums : ndarray of shape (n_sequences, N), float64, or None
        Sum of the states after the washout (``want_mean``); the caller divides by the
        number of steps summed.
    """
    last = np.zeros((n_sequences, n_units), dtype=dtype)
    sums = np.zeros((n_units, n_sequences), dtype=np.float64) if want_mean else None
    for seg in segments:
        if seg.n_ending:
            ending = seg.columns[-seg.n_ending:]
            last[ending] = seg.states[-1][:, -seg.n_ending:].T
        if want_mean and seg.t1 > washout:
            part = seg.states[max(0, washout - seg.t0):].sum(axis=0, dtype=np.float64)
            sums[:, seg.columns] += part
    return last, (sums.T if want_mean else None)
