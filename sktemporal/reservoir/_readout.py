r"""Linear readouts trained from streamed rows: ridge regression and recursive least squares.

Both fit :math:`y = W z + b` on readout rows :math:`z = [h; x]` delivered chunk by chunk,
so the ``T x N`` matrix of states never has to exist.  Sums are kept in float64
whatever the precision of the states (float32 sums of 10^4 outer products lose the
digits a small ridge penalty relies on); only the fitted weights follow the data's
dtype.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.linalg import LinAlgWarning, eigh, get_lapack_funcs

__all__ = ["RidgeReadout", "RLSReadout"]

# Gram blocks: below this width one GEMM; above, the upper block triangle only.
_BLOCK = 1700


def _block_edges(d):
    n_blocks = max(1, math.ceil(d / _BLOCK)) if d > 2 * 1024 else 1
    size = math.ceil(d / n_blocks)
    return [(i, min(i + size, d)) for i in range(0, d, size)]


def _add_gram(G, Z):
    """``G += Z.T @ Z`` on the upper block triangle of ``G`` (diagonal blocks in full).

    With ``k`` blocks this is ``(k + 1) / 2k`` of the flops of the full product (2/3
    at 5000 units) at GEMM speed; OpenBLAS' SYRK was no faster than the full GEMM.
    """
    edges = _block_edges(G.shape[0])
    for a, (i0, i1) in enumerate(edges):
        Zi = Z[:, i0:i1]
        for j0, j1 in edges[a:]:
            G[i0:i1, j0:j1] += Zi.T @ Z[:, j0:j1]


def _mirror_upper(G):
    """Copy the upper block triangle to the lower one (off-diagonal blocks)."""
    edges = _block_edges(G.shape[0])
    for a, (i0, i1) in enumerate(edges):
        for j0, j1 in edges[a + 1:]:
            G[j0:j1, i0:i1] = G[i0:i1, j0:j1].T


class RidgeReadout:
    r"""Ridge regression from streamed sums, bias not penalised.

    Accumulates :math:`G = \sum z z^\top`, :math:`C = \sum z y^\top`,
    :math:`\sum z`, :math:`\sum y` and the row count :math:`n`; :meth:`solve` returns

    .. math::

        W^\top = (G - n \bar z \bar z^\top + \alpha I)^{-1} (C - n \bar z \bar y^\top),
        \qquad b = \bar y - W \bar z,

    which is ridge regression on :math:`[1; z]` with an unpenalised bias, solved on
    the centred Gram matrix (far better conditioned than the raw one) by Cholesky.

    Memory is one ``D x D`` float64 matrix: the factorisation runs in place on the
    upper triangle while the lower triangle keeps the raw sums, which are restored
    afterwards so that more rows can be added (``partial_fit``).  If the matrix is not
    positive definite (``alpha=0`` with collinear rows), the solve falls back to a
    pseudo-inverse by symmetric eigendecomposition, with a ``LinAlgWarning``.

    Parameters
    ----------
    n_features, n_outputs : int
    alpha : float
    """

    def __init__(self, n_features, n_outputs, alpha):
        self.alpha = float(alpha)
        self.G = np.zeros((n_features, n_features))
        self.C = np.zeros((n_features, n_outputs))
        self.sum_z = np.zeros(n_features)
        self.sum_y = np.zeros(n_outputs)
        self.n = 0

    def partial_fit(self, Z, Y):
        """Add rows ``Z`` of shape ``(n, D)`` with targets ``Y`` of shape ``(n, n_outputs)``."""
        if Z.shape[0] == 0:
            return self
        Z = np.asarray(Z, dtype=np.float64)
        Y = np.asarray(Y, dtype=np.float64)
        _add_gram(self.G, Z)
        self.C += Z.T @ Y
        self.sum_z += Z.sum(axis=0)
        self.sum_y += Y.sum(axis=0)
        self.n += Z.shape[0]
        return self

    def solve(self):
        """Readout weights from the sums.

        Returns
        -------
        coef : ndarray of shape (n_outputs, D)
        intercept : ndarray of shape (n_outputs,)
        """
        if self.n == 0:
            raise ValueError("The readout has seen no rows (all steps were in the washout).")
        G, n = self.G, self.n
        mz, my = self.sum_z / n, self.sum_y / n
        B = self.C - n * np.outer(mz, my)
        _mirror_upper(G)
        d = G.shape[0]
        diag = G.diagonal().copy()
        # centred, regularised matrix on the upper triangle only (rows keep the raw lower part)
        for i in range(d):
            G[i, i:] -= (n * mz[i]) * mz[i:]
        G[np.diag_indices(d)] += self.alpha
        potrf, potrs = get_lapack_funcs(("potrf", "potrs"), (G,))
        # G.T is the Fortran view of G: its lower triangle is G's upper triangle
        factor, info = potrf(G.T, lower=1, overwrite_a=1, clean=0)
        if info == 0:
            W, info = potrs(factor, B, lower=1)
        self._restore(diag)
        if info != 0:
            W = self._pinv_solve(B, mz)
        return W.T, my - mz @ W

    def _restore(self, diag):
        G = self.G
        for i in range(G.shape[0] - 1):
            G[i, i + 1:] = G[i + 1:, i]
        G[np.diag_indices(G.shape[0])] = diag

    def _pinv_solve(self, B, mz):
        warnings.warn(
            "The ridge readout matrix is not positive definite (alpha="
            f"{self.alpha:g} is too small for collinear states); solved by "
            "pseudo-inverse instead. Increase alpha.",
            LinAlgWarning,
        )
        A = self.G - self.n * np.outer(mz, mz)
        A[np.diag_indices(A.shape[0])] += self.alpha
        w, V = eigh(A, overwrite_a=True, check_finite=False)
        keep = w > max(w.max(), 0) * A.shape[0] * np.finfo(float).eps
        return (V[:, keep] / w[keep]) @ (V[:, keep].T @ B)


class RLSReadout:
    r"""Recursive least squares with exponential forgetting, updated block by block.

    After rows :math:`z_1 \dots z_n` (augmented with a constant 1 for the bias) the
    weights minimise

    .. math::

        \sum_{i=1}^{n} \lambda^{n-i} \lVert y_i - W z_i \rVert^2 + \lambda^n \alpha \lVert W \rVert^2,

    with forgetting factor :math:`\lambda` (``forgetting``; 1 = no forgetting) and
    :math:`P = (\sum_i \lambda^{n-i} z_i z_i^\top + \lambda^n \alpha I)^{-1}`
    initialised to :math:`I / \alpha`.  A block of :math:`L` rows with weights
    :math:`\Lambda = \mathrm{diag}(\lambda^{L-1}, \dots, 1)` is absorbed exactly by the
    Woodbury identity, with :math:`Q = \lambda^{-L} P`:

    .. math::

        P \leftarrow Q - Q Z^\top (\Lambda^{-1} + Z Q Z^\top)^{-1} Z Q, \qquad
        W^\top \leftarrow W^\top + P Z^\top \Lambda (Y - Z W^\top),

    the same result as :math:`L` single-row RLS updates, at GEMM speed.  Blocks are
    short enough that :math:`\lambda^{L} \geq 10^{-3}`.

    Parameters
    ----------
    n_features, n_outputs : int
    alpha : float
        Initial regularisation (``P = I / alpha``); must be positive.
    forgetting : float in (0, 1]
    """

    def __init__(self, n_features, n_outputs, alpha, forgetting=1.0):
        if not alpha > 0:
            raise ValueError(
                f"solver='rls' needs alpha > 0 (the initial inverse correlation is I / alpha); got alpha={alpha!r}."
            )
        self.forgetting = float(forgetting)
        self.P = np.eye(n_features + 1) / float(alpha)
        self.W = np.zeros((n_features + 1, n_outputs))  # row 0: bias
        self.n = 0
        if self.forgetting < 1.0:
            self.block = int(max(1, min(256, math.log(1e-3) / math.log(self.forgetting))))
        else:
            self.block = 256

    def partial_fit(self, Z, Y):
        """Absorb rows ``Z`` of shape ``(n, D)`` with targets ``Y`` in time order."""
        Z = np.asarray(Z, dtype=np.float64)
        Y = np.asarray(Y, dtype=np.float64)
        for start in range(0, Z.shape[0], self.block):
            Zb = np.hstack([np.ones((min(self.block, Z.shape[0] - start), 1)), Z[start:start + self.block]])
            self._update(Zb, Y[start:start + self.block])
        return self

    def _update(self, Z, Y):
        lam, L = self.forgetting, Z.shape[0]
        Q = self.P if lam == 1.0 else self.P / lam**L
        K = Q @ Z.T  # (D + 1, L)
        S = Z @ K
        if lam != 1.0:
            S[np.diag_indices(L)] += lam ** -np.arange(L - 1, -1, -1.0)
        else:
            S[np.diag_indices(L)] += 1.0
        # P_new = Q - K S^-1 K^T; S is symmetric positive definite
        M = np.linalg.solve(S, K.T)
        P = Q - K @ M
        P += P.T
        P *= 0.5
        weights = lam ** np.arange(L - 1, -1, -1.0) if lam != 1.0 else None
        E = Y - Z @ self.W
        if weights is not None:
            E *= weights[:, None]
        self.W += P @ (Z.T @ E)
        self.P = P
        self.n += L

    def solve(self):
        """Current weights: ``coef`` ``(n_outputs, D)`` and ``intercept`` ``(n_outputs,)``."""
        return self.W[1:].T.copy(), self.W[0].copy()
