"""The LSTM cell: the fast batched forward and backward pass of the long short-term memory.

One idea: the LSTM equations (:func:`._reference.lstm_step`, its oracle) over a
feature-major, length-segmented batch with the gates fused into one buffer, σ computed
through one ``tanh`` on pre-halved weights, and the per-step products as in-place BLAS
gemms (the layout and conventions are in :mod:`._kernels`).
"""

import numpy as np

from ._kernels import (
    GEMM,
    _block_steps,
    _Flush,
    _gated_output,
    _GatedCell,
    _gates,
    _gather_final,
    _permutation,
    _segments,
    _sigmoid_scale,
    glorot_uniform,
    lengths_from_sizes,
    orthogonal,
)

__all__ = ["LSTMCell", "LSTM_STORAGE_ORDER", "LSTM_COMPUTE_ORDER"]

#: LSTM parameters: ``W_x``, ``W_h``, ``b`` hold the gates [i | f | g | o] (Keras; PyTorch's order).
LSTM_STORAGE_ORDER = ("i", "f", "g", "o")
#: LSTM forward pass: the three sigmoid gates first, so one affine fix-up turns their tanh into σ.
LSTM_COMPUTE_ORDER = ("i", "f", "o", "g")


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
    These are the equations of :func:`._reference.lstm_step` and
    :func:`._reference.lstm_step_backward`, which the tests compare this cell with on
    ragged batches, forward and backward.

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
        gemm = GEMM[X.dtype]
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
            # per-gate views of all steps, made once: the loop only indexes them by step
            At, h_prevT, h_out = A.transpose(0, 2, 1), Z.transpose(0, 2, 1)[:, :, h_row:], Z[1:, h_row:]
            sig_all, i_all, f_all = A[:, : 3 * H], A[:, :H], A[:, H: 2 * H]
            o_all, g_all = A[:, 2 * H: 3 * H], A[:, 3 * H:]
            half = dt.type(0.5)
            for k in range(L):
                a = A[k]
                gemm(1.0, h_prevT[k], W_recT, 1.0, At[k], 0, 0, 1)  # a += W_rec h(t−1)
                np.tanh(a, out=a)
                sig = sig_all[k]
                sig *= half
                sig += half
                c_t, tanh_c = C[k + 1], tanh_C[k]
                np.multiply(f_all[k], C[k], out=c_t)
                c_t += np.multiply(i_all[k], g_all[k], out=tmp)  # C(t) = f ⊙ C(t−1) + i ⊙ g
                np.tanh(c_t, out=tanh_c)
                np.multiply(o_all[k], tanh_c, out=h_out[k])  # h(t) = o ⊙ tanh C(t)
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
        gemm = GEMM[dtype]
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
