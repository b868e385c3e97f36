"""The GRU cell: the fast batched forward and backward pass of the gated recurrent unit.

One idea: PyTorch's GRU equations (:func:`._reference.gru_step`, its oracle) over a
feature-major, length-segmented batch, σ computed through ``tanh`` on pre-halved weights,
the per-step products as in-place BLAS gemms (the layout and conventions are in
:mod:`._kernels`).
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

__all__ = ["GRUCell", "GRU_STORAGE_ORDER", "GRU_INPUT_GRAD_ORDER"]

#: GRU parameters: ``W_x``, ``W_h``, ``b_x``, ``b_h`` hold [r | z | n] (PyTorch's order); the
#: forward pass computes them in the same order.
GRU_STORAGE_ORDER = ("r", "z", "n")
#: GRU backward: the input-projection gradient is gathered with the candidate first, so that the
#: errors [δn̂, δr̂, δẑ, δn̂ ⊙ r] give the input projection's errors as the first three blocks and
#: the recurrent projection's (in storage order r, z, n) as the last three.
GRU_INPUT_GRAD_ORDER = ("n", "r", "z")


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
    one product.  These are the equations of :func:`._reference.gru_step` and
    :func:`._reference.gru_step_backward`, which the tests compare this cell with on
    ragged batches, forward and backward.

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
        W_recT, gemm = W_rec.T, GEMM[X.dtype]
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
            # per-gate views of all steps, made once: the loop only indexes them by step
            GhT, h1T, h_all = Gh.transpose(0, 2, 1), Z.transpose(0, 2, 1)[:, :, h_row:], Z[:, h_row: h_row + H]
            rz_i, rz_h, gh_n = Gi[:, : 2 * H], Gh[:, : 2 * H], Gh[:, 2 * H:]
            r_all, z_all, n_all = Gi[:, :H], Gi[:, H: 2 * H], Gi[:, 2 * H:]
            half = dt.type(0.5)
            for k in range(L):
                gemm(1.0, h1T[k], W_recT, 0.0, GhT[k], 0, 0, 1)  # gh = W_rec [h(t−1); 1]
                rz = rz_i[k]
                rz += rz_h[k]
                np.tanh(rz, out=rz)
                rz *= half
                rz += half  # r, z
                n_t = n_all[k]
                n_t += np.multiply(r_all[k], gh_n[k], out=tmp)
                np.tanh(n_t, out=n_t)  # n = tanh(x W_x^n + b_x^n + r ⊙ (h W_h^n + b_h^n))
                np.subtract(h_all[k], n_t, out=tmp)
                tmp *= z_all[k]
                np.add(n_t, tmp, out=h_all[k + 1])  # h(t) = n + z ⊙ (h(t−1) − n)
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
        gemm = GEMM[dtype]
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
