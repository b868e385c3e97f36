r"""Linear readouts trained from streamed rows: ridge regression and recursive least squares.

Both fit :math:`y = W z + b` on readout rows :math:`z = [h; x]` delivered chunk by chunk,
so the ``T x N`` matrix of states never has to exist.  Sums are kept in float64
whatever the precision of the states; only the fitted weights follow the data's dtype.
Float32 rows may be summed in float32 blocks where the penalty absorbs their rounding
(:mod:`._float32_sums`).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.linalg import LinAlgWarning, eigh, get_lapack_funcs

from ._float32_sums import FLOAT32_BLOCK, float32_suffices

__all__ = ["RLSReadout", "RidgeReadout", "dual_path", "shifted_solves"]

def _as_parts(Z, keep_float32=False):
    """Readout rows given as one array or as column parts ``[H, X]`` (never concatenated).

    Float64 parts, or float32 parts when ``keep_float32`` and every part is float32.
    """
    parts = [np.asarray(p) for p in (Z if isinstance(Z, (list, tuple)) else [Z])]
    single = keep_float32 and all(p.dtype == np.float32 for p in parts)
    dtype = np.float32 if single else np.float64
    return [np.ascontiguousarray(p, dtype=dtype) for p in parts]


def shifted_solves(A, B, alphas):
    r"""Solutions of :math:`(A + \alpha I) W = B` for several shifts :math:`\alpha` of a symmetric ``A``.

    One Householder reduction to tridiagonal form, :math:`A = Q T Q^\top` (LAPACK
    ``sytrd``, a sixth of the time of an eigendecomposition at 200 features), serves every
    shift:

    .. math::

        W(\alpha) = Q\, (T + \alpha I)^{-1} Q^\top B,

    with one :math:`O(D)` factorization of the tridiagonal :math:`T + \alpha I` per
    shift.  :math:`Q = H_1 \cdots H_{D-1}` is applied by LAPACK's ``ormqr`` on the
    reflectors ``sytrd`` leaves below the subdiagonal (what ``ormtr`` does).

    Parameters
    ----------
    A : ndarray of shape (D, D)
        Symmetric; overwritten.
    B : ndarray of shape (D, k)
    alphas : sequence of float

    Returns
    -------
    list
        One ``(D, k)`` solution per shift, or None where :math:`A + \alpha I` is not
        numerically positive definite (a pivot of its :math:`L D L^\top` factorization at
        or below :math:`D \epsilon \lVert T \rVert`): the caller solves those otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.reservoir._readout import shifted_solves
    >>> A = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]])
    >>> B = np.ones((3, 1))
    >>> W = shifted_solves(A.copy(), B, [0.5])[0]
    >>> bool(np.allclose((A + 0.5 * np.eye(3)) @ W, B))
    True
    """
    D = A.shape[0]
    B = np.array(B, dtype=np.float64)
    eps = D * np.finfo(np.float64).eps
    if D == 1:  # nothing to reduce (and LAPACK's pttrf wants a non-empty off-diagonal)
        a = float(A[0, 0])
        return [B / (a + alpha) if a + alpha > eps * max(abs(a), 1.0) else None for alpha in map(float, alphas)]
    sytrd, ormqr, pttrf, pttrs = get_lapack_funcs(("sytrd", "ormqr", "pttrf", "pttrs"), (A,))
    c, d, e, tau, _ = sytrd(A, lower=1, lwork=32 * D, overwrite_a=1)
    # H_i's vector below the subdiagonal of column i: a QR factorization's storage of rows 1..D-1
    V = c[1:, :D - 1]
    k = B.shape[1]

    def apply(trans, C):  # rows 1..D-1 of C times Q^T ('T') or Q ('N'); row 0 is untouched
        C[1:], info = ormqr("L", trans, V, tau, C[1:], lwork=max(1, 32 * C.shape[1]), overwrite_c=0)[:2]
        return C

    G = apply("T", B)
    floor = eps * max(np.abs(d).max() + 2 * np.abs(e).max(), 1.0)
    Z = np.zeros((D, len(alphas) * k))  # the columns of unsolved shifts stay zero
    solved = []
    for j, alpha in enumerate(alphas):
        pivots, sub, info = pttrf(d + float(alpha), e)
        ok = info == 0 and pivots.min() > floor
        if ok:
            Z[:, j * k:(j + 1) * k] = pttrs(pivots, sub, G)[0]
        solved.append(ok)
    Z = apply("N", Z)
    return [Z[:, j * k:(j + 1) * k] if ok else None for j, ok in enumerate(solved)]


def dual_path(parts, Y, alphas):
    r"""Ridge weights for several penalties from the rows, when they are fewer than the features.

    With the rows centred by their means, :math:`Z_c` (``m x D``, :math:`m < D`), and
    the centred targets :math:`Y_c`, the push-through identity gives the weights of
    :meth:`RidgeReadout.solve_path` from an ``m x m`` matrix instead of a ``D x D`` one:

    .. math::

        W(\alpha) = (Z_c^\top Z_c + \alpha I)^{-1} Z_c^\top Y_c
                   = Z_c^\top (Z_c Z_c^\top + \alpha I)^{-1} Y_c,
        \qquad b = \bar y - W^\top \bar z,

    one tridiagonal reduction of :math:`Z_c Z_c^\top` (:func:`shifted_solves`) serving
    every penalty.

    Parameters
    ----------
    parts : list of ndarray
        The rows as column parts (``[H]`` or ``[H, X]``), ``m`` rows in all.
    Y : ndarray of shape (m, n_outputs)
    alphas : sequence of float

    Returns
    -------
    list
        ``(coef, intercept)`` per penalty, shaped as :meth:`RidgeReadout.solve`'s, or None
        where :math:`Z_c Z_c^\top + \alpha I` is not numerically positive definite.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.RandomState(0)
    >>> Z, Y = rng.rand(5, 8), rng.rand(5, 1)
    >>> coef, intercept = dual_path([Z], Y, [0.1])[0]
    >>> primal = RidgeReadout(8, 1, alpha=0.1).partial_fit(Z, Y).solve()
    >>> bool(np.allclose(coef, primal[0]) and np.allclose(intercept, primal[1]))
    True
    """
    Z = np.hstack([np.asarray(p, dtype=np.float64) for p in parts])
    Y = np.asarray(Y, dtype=np.float64)
    mz, my = Z.mean(axis=0), Y.mean(axis=0)
    Z -= mz
    out = []
    for S in shifted_solves(Z @ Z.T, Y - my, alphas):
        if S is None:
            out.append(None)
        else:
            W = Z.T @ S
            out.append((W.T, my - mz @ W))
    return out


class RidgeReadout:
    r"""Ridge regression from streamed sums, bias not penalised.

    Accumulates :math:`G = \sum z z^\top`, :math:`C = \sum z y^\top`,
    :math:`\sum z`, :math:`\sum y` and the row count :math:`n`; :meth:`solve` returns

    .. math::

        W^\top = (G - n \bar z \bar z^\top + \alpha I)^{-1} (C - n \bar z \bar y^\top),
        \qquad b = \bar y - W \bar z,

    which is ridge regression on :math:`[1; z]` with an unpenalised bias, solved on
    the centred Gram matrix (far better conditioned than the raw one) by Cholesky.

    The rows come as column parts: the states ``H`` (``n_main`` columns) and optionally
    small extra columns ``E`` (the inputs), so ``[H, E]`` is never built.  ``G`` is kept
    as blocks :math:`H^\top H` (``N x N``, one GEMM per chunk), :math:`H^\top E` and
    :math:`E^\top E`, and solved by block
    Cholesky (Schur complement of the small block).  The factorisation of the big block
    runs in place on its upper triangle while the lower triangle keeps the raw sums,
    which are restored afterwards: memory is one ``N x N`` float64 matrix (two while rows
    are added: the GEMM's scratch output), and more rows can be added after a solve
    (``partial_fit``).  If the matrix is not positive definite
    (``alpha=0`` with collinear rows), the solve falls back to a pseudo-inverse by
    symmetric eigendecomposition, with a ``LinAlgWarning``.

    Parameters
    ----------
    n_features, n_outputs : int
    alpha : float
    n_extra : int, default=0
        Width of the extra column part (the last ``n_extra`` features).
    float32_alpha : float or None, default=None
        The smallest penalty these sums will be solved with (``alpha`` if None): the
        float32 sums' guard (:mod:`._float32_sums`).
    float32_rows : int or None, default=None
        How many rows the sums will hold when solved (if None: those added so far and
        in the current call): the guard's ``n``.
    """

    # sums saved before the sum of squared targets was kept have none: they still fit and
    # continue, without the predictive standard deviation
    sum_yy = None
    float32_alpha = float32_rows = None  # (sums saved before the float32 guard)

    def __init__(self, n_features, n_outputs, alpha, n_extra=0, float32_alpha=None, float32_rows=None):
        self.alpha = float(alpha)
        self.float32_alpha = None if float32_alpha is None else float(float32_alpha)
        self.float32_rows = float32_rows
        self.n_main = n_features - n_extra
        self.G = np.zeros((self.n_main, self.n_main))
        self.G_me = np.zeros((self.n_main, n_extra))
        self.G_ee = np.zeros((n_extra, n_extra))
        self.C = np.zeros((n_features, n_outputs))
        self.sum_z = np.zeros(n_features)
        self.sum_y = np.zeros(n_outputs)
        self.sum_yy = np.zeros(n_outputs)  # sum of squared targets: the residuals' variance
        self.n = 0
        self._tmp = None  # scratch N x N product, freed by solve()

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_tmp"] = None
        return state

    # The sums are the sufficient statistics of the ridge fit: sums over disjoint sets of
    # rows add up (``merge``), so chunks, sequences or folds can be summed separately
    # and combined (prefix sums over the blocks of a time-series split, per-worker sums
    # reduced into one).
    def copy(self):
        """A deep copy of the sums (the scratch buffer is not copied)."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__getstate__())
        for name in ("G", "G_me", "G_ee", "C", "sum_z", "sum_y"):
            setattr(new, name, getattr(self, name).copy())
        new.sum_yy = None if self.sum_yy is None else self.sum_yy.copy()
        return new

    @staticmethod
    def sum(readouts):
        """A new readout holding the sums of all ``readouts`` (disjoint rows); they are left unchanged.

        Parameters
        ----------
        readouts : iterable of RidgeReadout
            At least one, all of the same shapes.

        Returns
        -------
        total : RidgeReadout
        """
        readouts = iter(readouts)
        total = next(readouts).copy()
        for other in readouts:
            total.merge(other)
        return total

    def merge(self, other):
        """Add the sums of ``other`` (rows disjoint from this one's) into this one, in place.

        Parameters
        ----------
        other : RidgeReadout
            Same ``n_features``, ``n_outputs`` and ``n_extra``.

        Returns
        -------
        self : RidgeReadout

        Examples
        --------
        >>> import numpy as np
        >>> rng = np.random.RandomState(0)
        >>> Z, Y = rng.rand(10, 3), rng.rand(10, 1)
        >>> a = RidgeReadout(3, 1, alpha=1e-3).partial_fit(Z[:4], Y[:4])
        >>> b = RidgeReadout(3, 1, alpha=1e-3).partial_fit(Z[4:], Y[4:])
        >>> whole = RidgeReadout(3, 1, alpha=1e-3).partial_fit(Z, Y)
        >>> np.allclose(a.merge(b).solve()[0], whole.solve()[0])
        True
        """
        if other.G.shape != self.G.shape or other.C.shape != self.C.shape:
            raise ValueError(
                f"cannot merge readout sums of shapes {other.C.shape} into {self.C.shape}."
            )
        for name in ("G", "G_me", "G_ee", "C", "sum_z", "sum_y"):
            getattr(self, name).__iadd__(getattr(other, name))
        self.sum_yy = None if self.sum_yy is None or other.sum_yy is None else self.sum_yy + other.sum_yy
        self.n += other.n
        return self

    def nonfinite(self):
        """Which sums are not finite: ``'states'`` (the N x N block), ``'inputs'``, ``'targets'`` or None.

        The diagonal of a Gram block is a sum of squares, so one infinite or NaN row
        anywhere makes it non-finite: checking the diagonals is enough and costs O(D).
        """
        if not (np.isfinite(self.G.diagonal()).all() and np.isfinite(self.sum_z[:self.n_main]).all()):
            return "states"
        if not (np.isfinite(self.G_ee.diagonal()).all() and np.isfinite(self.sum_z[self.n_main:]).all()):
            return "inputs"
        if not np.isfinite(self.C).all() or not np.isfinite(self.sum_y).all():
            return "targets"
        return None

    def partial_fit(self, Z, Y):
        """Add rows ``Z`` (``(n, D)``, or column parts ``[H, E]``) with targets ``Y`` ``(n, n_outputs)``.

        Float32 rows (every part float32) are summed in float32 blocks of at most
        :data:`FLOAT32_BLOCK` rows, each block added into the float64 sums, when that
        keeps the error below the penalty (:mod:`._float32_sums`); in float64 otherwise.
        """
        parts = _as_parts(Z, keep_float32=True)
        H = parts[0]
        if H.shape[0] == 0:
            return self
        if H.dtype == np.float32 and not self._float32_suffices(parts):
            parts = [p.astype(np.float64) for p in parts]
            H = parts[0]
        E = np.hstack(parts[1:]) if len(parts) > 1 else np.zeros((H.shape[0], 0), dtype=H.dtype)
        Y = np.asarray(Y, dtype=np.float64)
        # float32 rows in blocks of FLOAT32_BLOCK (the error of a float32 sum grows with
        # its length); float64 rows in one block
        step = FLOAT32_BLOCK if H.dtype == np.float32 else max(H.shape[0], 1)
        for s in range(0, H.shape[0], step):
            rows = slice(s, s + step)
            self._add_block(H[rows], E[rows], Y[rows])
        return self

    def _add_block(self, H, E, Y):
        """Add rows ``[H, E]`` with targets ``Y`` (float64): the products over ``H`` in ``H``'s
        precision, added into the float64 sums; those with ``E`` and ``Y`` in float64."""
        # G += H.T @ H through a reused scratch matrix: numpy's GEMM (SYRK for a product
        # with its own transpose) ran at twice the speed of scipy's BLAS wrapper
        # accumulating in place (beta=1)
        if self._tmp is None or self._tmp.dtype != H.dtype:
            self._tmp = np.empty(self.G.shape, dtype=H.dtype)
        np.dot(H.T, H, out=self._tmp)
        self.G += self._tmp
        m, k = self.n_main, Y.shape[1]
        Y1 = np.empty((Y.shape[0], k + 1), dtype=H.dtype)
        Y1[:, :k], Y1[:, k] = Y, 1.0
        HY1 = H.T @ Y1  # sum z y^T and sum z in one pass over H
        self.C[:m] += HY1[:, :k]
        self.sum_z[:m] += HY1[:, k]
        if E.shape[1]:
            self.G_me += H.T @ E
            E = E.astype(np.float64, copy=False)
            self.G_ee += E.T @ E
            self.C[m:] += E.T @ Y
            self.sum_z[m:] += E.sum(axis=0)
        self.sum_y += Y.sum(axis=0)
        if self.sum_yy is not None:
            self.sum_yy += np.einsum("ij,ij->j", Y, Y)
        self.n += Y.shape[0]

    _float32_suffices = float32_suffices

    def solve(self, alpha=None):
        """Readout weights from the sums.

        Parameters
        ----------
        alpha : float or None, default=None
            Ridge penalty of this solve (default: the ``alpha`` given at construction).
            The sums do not depend on it, so one set of sums serves a whole grid of
            penalties (``ESNRegressorCV``).

        Returns
        -------
        coef : ndarray of shape (n_outputs, D)
        intercept : ndarray of shape (n_outputs,)
        """
        if self.n == 0:
            raise ValueError("The readout has seen no rows (all steps were in the washout).")
        self._tmp = None
        alpha = self.alpha if alpha is None else float(alpha)
        G, n, m = self.G, self.n, self.n_main
        mz, my = self.sum_z / n, self.sum_y / n
        B = self.C - n * np.outer(mz, my)
        A_me = self.G_me - n * np.outer(mz[:m], mz[m:])
        A_ee = self.G_ee - n * np.outer(mz[m:], mz[m:])
        A_ee[np.diag_indices(A_ee.shape[0])] += alpha
        diag = G.diagonal().copy()
        # centred, regularised matrix on the upper triangle only (the lower keeps the sums)
        for i in range(m):
            G[i, i:] -= (n * mz[i]) * mz[i:m]
        G[np.diag_indices(m)] += alpha
        potrf, trtrs = get_lapack_funcs(("potrf", "trtrs"), (G,))
        # G.T is the Fortran view of G: its lower triangle is G's upper triangle
        L, info = potrf(G.T, lower=1, overwrite_a=1, clean=0)
        W = None
        if info == 0:
            W = self._block_solve(L, A_me, A_ee, B, potrf, trtrs)
        self._restore(diag)
        if W is None:
            W = self._pinv_solve(B, mz, alpha)
        return W.T, my - mz @ W

    def solve_path(self, alphas):
        r"""Readout weights for several penalties from one tridiagonal reduction.

        The centred matrix (all ``D`` features, the inputs' block included) is reduced
        once to :math:`A = Q T Q^\top` (``shifted_solves``); the weights for a penalty
        :math:`\alpha` are then :math:`Q (T + \alpha I)^{-1} Q^\top B`, one tridiagonal
        solve each: the same solution as :meth:`solve` up to rounding, at a fraction of
        the cost of one Cholesky per penalty.  A penalty for which the matrix is not
        numerically positive definite goes through :meth:`solve` (pseudo-inverse with a
        warning).

        Parameters
        ----------
        alphas : sequence of float

        Yields
        ------
        coef : ndarray of shape (n_outputs, D)
        intercept : ndarray of shape (n_outputs,)
        """
        if self.n == 0:
            raise ValueError("The readout has seen no rows (all steps were in the washout).")
        n = self.n
        mz, my = self.sum_z / n, self.sum_y / n
        A = self._centred_matrix(mz)
        for alpha, W in zip(alphas, shifted_solves(A, self.C - n * np.outer(mz, my), alphas)):
            if W is None:
                yield self.solve(alpha)
            else:
                yield W.T, my - mz @ W

    def predictive(self, alpha=None):
        r"""What the predictive standard deviation needs: ``(L_inv, mean_z, noise_var)``.

        The ridge weights are the posterior mean of the Bayesian linear model
        :math:`y = b + w^\top z + \varepsilon`, :math:`\varepsilon \sim N(0, \sigma^2)`,
        with the prior :math:`w \sim N(0, \sigma^2 / \alpha\, I)` and a flat prior on
        the bias.  With the centred matrix :math:`A = \sum (z - \bar z)(z - \bar z)^\top +
        \alpha I = L L^\top`, the predictive variance at a row :math:`z` is

        .. math::

            \sigma^2 \big(1 + 1/n + \lVert L^{-1} (z - \bar z) \rVert^2\big).

        The noise variance :math:`\sigma^2` (per output) is the residual sum of squares
        over the residual degrees of freedom, both from the sums alone:
        :math:`\mathrm{RSS} = S_{yy} - w^\top B - \alpha \lVert w \rVert^2` (:math:`S_{yy}`
        the centred sum of squared targets, :math:`B` the centred cross sums; from
        :math:`\sum (y - \hat y)^2 = S_{yy} - 2 w^\top B + w^\top (A - \alpha I) w`
        and :math:`A w = B`), and :math:`n - 1 - \operatorname{tr}\big((A - \alpha I)
        A^{-1}\big) = n - 1 - D + \alpha \lVert L^{-1} \rVert_F^2`.

        Parameters
        ----------
        alpha : float or None, default=None
            The penalty (default: the one given at construction).

        Returns
        -------
        L_inv : ndarray of shape (D, D)
            Inverse of the lower Cholesky factor of :math:`A`.
        mean_z : ndarray of shape (D,)
        noise_var : ndarray of shape (n_outputs,)
        """
        if self.n == 0:
            raise ValueError("The readout has seen no rows (all steps were in the washout).")
        if self.sum_yy is None:
            raise ValueError(
                "These readout sums were saved by a version that did not keep the sum of "
                "squared targets, which the noise variance needs; refit the model."
            )
        alpha = self.alpha if alpha is None else float(alpha)
        n = self.n
        mz, my = self.sum_z / n, self.sum_y / n
        D = self.C.shape[0]
        A = self._centred_matrix(mz)
        A[np.diag_indices(D)] += alpha
        potrf, trtri = get_lapack_funcs(("potrf", "trtri"), (A,))
        L, info = potrf(A, lower=1, clean=1, overwrite_a=1)
        if info != 0:
            raise ValueError(
                f"The ridge readout matrix is not positive definite (alpha={alpha:g}): the "
                "predictive standard deviation needs alpha > 0 large enough for the states."
            )
        L_inv, info = trtri(L, lower=1)
        B = self.C - n * np.outer(mz, my)
        W = L_inv.T @ (L_inv @ B)
        rss = (self.sum_yy - n * my**2) - np.einsum("ij,ij->j", W, B) - alpha * np.einsum("ij,ij->j", W, W)
        dof = n - 1 - D + alpha * float(np.einsum("ij,ij->", L_inv, L_inv))
        noise_var = np.maximum(rss, 0.0) / max(dof, 1.0)
        return L_inv, mz, noise_var

    def _centred_matrix(self, mz):
        """The whole centred Gram matrix ``(D, D)`` (all features, a new array), from the blocks."""
        m, D = self.n_main, self.C.shape[0]
        A = np.empty((D, D))
        A[:m, :m] = self.G
        A[:m, m:] = self.G_me
        A[m:, :m] = self.G_me.T
        A[m:, m:] = self.G_ee
        A -= self.n * np.outer(mz, mz)
        return A

    def _block_solve(self, L, A_me, A_ee, B, potrf, trtrs):
        r"""Solve with :math:`A = \begin{pmatrix} L & 0 \\ V^\top & L_s \end{pmatrix}
        \begin{pmatrix} L^\top & V \\ 0 & L_s^\top \end{pmatrix}`,
        :math:`V = L^{-1} A_{me}`, :math:`L_s L_s^\top = A_{ee} - V^\top V`."""
        m = self.n_main
        z1, info = trtrs(L, B[:m], lower=1)
        if A_ee.shape[0] == 0:
            W, info2 = trtrs(L, z1, lower=1, trans=1)
            return W if info == info2 == 0 else None
        V, info2 = trtrs(L, A_me, lower=1)
        Ls, info3 = potrf(A_ee - V.T @ V, lower=1, clean=1)
        if info or info2 or info3:
            return None
        z2, _ = trtrs(Ls, B[m:] - V.T @ z1, lower=1)
        w2, _ = trtrs(Ls, z2, lower=1, trans=1)
        w1, _ = trtrs(L, z1 - V @ w2, lower=1, trans=1)
        return np.vstack([w1, w2])

    def _restore(self, diag):
        G = self.G
        for i in range(G.shape[0] - 1):
            G[i, i + 1:] = G[i + 1:, i]
        G[np.diag_indices(G.shape[0])] = diag

    def _pinv_solve(self, B, mz, alpha):
        warnings.warn(
            "The ridge readout matrix is not positive definite (alpha="
            f"{alpha:g} is too small for collinear states); solved by "
            "pseudo-inverse instead. Increase alpha.",
            LinAlgWarning,
            stacklevel=2,
        )
        A = np.block([[self.G, self.G_me], [self.G_me.T, self.G_ee]]) - self.n * np.outer(mz, mz)
        A[np.diag_indices(A.shape[0])] += alpha
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
                "solver='rls' needs alpha > 0 (the initial inverse correlation is "
                f"I / alpha); got alpha={alpha!r}."
            )
        self.forgetting = float(forgetting)
        self.P = np.eye(n_features + 1) / float(alpha)
        self.W = np.zeros((n_features + 1, n_outputs))  # row 0: bias
        if self.forgetting < 1.0:
            self.block = int(max(1, min(256, math.log(1e-3) / math.log(self.forgetting))))
        else:
            self.block = 256

    def copy(self):
        """A deep copy (``P`` and the weights copied)."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.P, new.W = self.P.copy(), self.W.copy()
        return new

    def nonfinite(self):
        """``'weights'`` when ``P`` or the weights are not finite, else None."""
        return None if np.isfinite(self.W).all() and np.isfinite(self.P.diagonal()).all() else "weights"

    def partial_fit(self, Z, Y):
        """Absorb rows ``Z`` (``(n, D)`` or column parts ``[H, X]``) with targets ``Y``, in time order."""
        Z = np.concatenate(_as_parts(Z), axis=1)
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

    def solve(self):
        """Current weights: ``coef`` ``(n_outputs, D)`` and ``intercept`` ``(n_outputs,)``."""
        return self.W[1:].T.copy(), self.W[0].copy()
