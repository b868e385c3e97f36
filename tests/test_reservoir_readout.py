"""Streaming readouts: ridge from chunked sums and recursive least squares."""

import numpy as np
import pytest
from scipy.linalg import LinAlgWarning
from sklearn.linear_model import Ridge

from sktemporal.reservoir._readout import RidgeReadout, RLSReadout


def _data(n=500, d=20, k=2, seed=0):
    rs = np.random.RandomState(seed)
    Z = rs.randn(n, d) + 0.5  # a non-zero mean, so the unpenalised bias matters
    Y = Z @ rs.randn(d, k) + 3.0 + 0.1 * rs.randn(n, k)
    return Z, Y


@pytest.mark.parametrize("alpha", [1e-6, 10.0])
def test_ridge_matches_sklearn_with_unpenalised_intercept(alpha):
    Z, Y = _data()
    readout = RidgeReadout(20, 2, alpha)
    for start in range(0, 500, 64):  # streamed in chunks
        readout.partial_fit(Z[start:start + 64], Y[start:start + 64])
    coef, intercept = readout.solve()
    ref = Ridge(alpha=alpha).fit(Z, Y)
    np.testing.assert_allclose(coef, ref.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(intercept, ref.intercept_, rtol=1e-8)


@pytest.mark.parametrize("alpha", [1e-6, 0.1])
def test_column_parts_block_solve_and_restoration(alpha):
    Z, Y = _data(d=30)
    readout = RidgeReadout(30, 2, alpha, n_extra=5)
    readout.partial_fit([Z[:200, :25], Z[:200, 25:]], Y[:200])  # column parts, no concatenation
    readout.solve()
    readout.partial_fit([Z[200:, :25], Z[200:, 25:]], Y[200:])  # sums survive the in-place solve
    coef, intercept = readout.solve()
    ref = Ridge(alpha=alpha).fit(Z, Y)
    np.testing.assert_allclose(coef, ref.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(intercept, ref.intercept_, rtol=1e-8)
    np.testing.assert_allclose(readout.G, Z[:, :25].T @ Z[:, :25], rtol=1e-12)
    np.testing.assert_allclose(readout.G_me, Z[:, :25].T @ Z[:, 25:], rtol=1e-12)


def test_ridge_falls_back_when_not_positive_definite():
    rs = np.random.RandomState(0)
    Z = rs.randn(50, 3)
    Z = np.hstack([Z, Z[:, :1]])  # collinear column
    Y = Z[:, :1] * 2 + 1
    readout = RidgeReadout(4, 1, 0.0).partial_fit(Z, Y)
    with pytest.warns(LinAlgWarning, match="not positive definite"):
        coef, intercept = readout.solve()
    np.testing.assert_allclose(Z @ coef.T + intercept, Y, atol=1e-8)
    np.testing.assert_allclose(readout.G, Z.T @ Z)  # sums untouched by the failed factorisation


def test_ridge_without_rows():
    with pytest.raises(ValueError, match="no rows"):
        RidgeReadout(3, 1, 1.0).solve()


def test_rls_without_forgetting_is_ridge():
    Z, Y = _data(n=300)
    rls = RLSReadout(20, 2, alpha=1e-3)
    rls.partial_fit(Z[:100], Y[:100]).partial_fit(Z[100:], Y[100:])
    coef, intercept = rls.solve()
    # RLS penalises the bias too: compare with ridge on [1, z] penalising everything
    A = np.hstack([np.ones((300, 1)), Z])
    W = np.linalg.solve(A.T @ A + 1e-3 * np.eye(21), A.T @ Y)
    np.testing.assert_allclose(coef, W[1:].T, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(intercept, W[0], rtol=1e-7)


def test_rls_block_update_equals_row_by_row_with_forgetting():
    Z, Y = _data(n=120, d=5, k=1)
    lam = 0.97
    block = RLSReadout(5, 1, alpha=0.1, forgetting=lam).partial_fit(Z, Y)
    assert block.block < 256
    # classic single-row RLS
    P, w = np.eye(6) / 0.1, np.zeros((6, 1))
    for z, y in zip(np.hstack([np.ones((120, 1)), Z]), Y):
        k = P @ z / (lam + z @ P @ z)
        w += np.outer(k, y - z @ w)
        P = (P - np.outer(k, z @ P)) / lam
    coef, intercept = block.solve()
    np.testing.assert_allclose(coef, w[1:].T, rtol=1e-8)
    np.testing.assert_allclose(intercept, w[0], rtol=1e-8)


def test_rls_forgetting_tracks_a_change():
    rs = np.random.RandomState(0)
    Z = rs.randn(2000, 3)
    Y = np.where(np.arange(2000)[:, None] < 1000, Z @ [[1.0], [0], [0]], Z @ [[0], [0], [1.0]])
    coef, _ = RLSReadout(3, 1, alpha=1.0, forgetting=0.95).partial_fit(Z, Y).solve()
    np.testing.assert_allclose(coef, [[0, 0, 1]], atol=1e-6)
    coef1, _ = RLSReadout(3, 1, alpha=1.0, forgetting=1.0).partial_fit(Z, Y).solve()
    assert abs(coef1[0, 0] - 0.5) < 0.1  # no forgetting: an average of both regimes


def test_rls_needs_positive_alpha():
    with pytest.raises(ValueError, match="alpha > 0"):
        RLSReadout(3, 1, alpha=0.0)


def test_solve_path_and_merge_equal_separate_fits():
    """One eigendecomposition gives every alpha's Cholesky solution; merged sums equal sums of all rows."""
    rs = np.random.RandomState(0)
    H, E, Y = np.tanh(rs.randn(300, 20)), rs.randn(300, 2), rs.randn(300, 2)
    whole = RidgeReadout(22, 2, 1e-3, n_extra=2).partial_fit([H, E], Y)
    first = RidgeReadout(22, 2, 1e-3, n_extra=2).partial_fit([H[:100], E[:100]], Y[:100])
    rest = RidgeReadout(22, 2, 1e-3, n_extra=2).partial_fit([H[100:], E[100:]], Y[100:])
    merged = first.copy().merge(rest)
    assert merged.n == 300 and first.n == 100  # copy() keeps the original untouched
    alphas = [1e-6, 1e-3, 1.0, 100.0]
    for alpha, (coef, intercept) in zip(alphas, merged.solve_path(alphas)):
        ref_coef, ref_intercept = whole.solve(alpha)
        np.testing.assert_allclose(coef, ref_coef, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(intercept, ref_intercept, rtol=1e-8, atol=1e-10)
    assert whole.nonfinite() is None
    whole.G[0, 0] = np.inf
    assert whole.nonfinite() == "states"


@pytest.mark.parametrize("D", [1, 2, 33, 70])
def test_shifted_solves_equal_direct_solves(D):
    """One tridiagonal reduction serves every shift (blocks of reflectors across a block edge at 33 and 70);
    a shift that leaves the matrix singular is left to the caller (None)."""
    from sktemporal.reservoir._readout import shifted_solves

    rng = np.random.RandomState(D)
    H = rng.randn(3 * D, D)
    A, B = H.T @ H, rng.randn(D, 2)
    alphas = [1e-6, 1e-2, 1.0, 100.0]
    for alpha, W in zip(alphas, shifted_solves(A.copy(), B, alphas)):
        np.testing.assert_allclose(W, np.linalg.solve(A + alpha * np.eye(D), B), rtol=1e-8, atol=1e-10)
    singular = np.outer(np.ones(D), np.ones(D)) if D > 1 else np.zeros((1, 1))
    out = shifted_solves(singular.copy(), np.ones((D, 1)), [0.0, 1.0])
    assert out[0] is None
    np.testing.assert_allclose((singular + np.eye(D)) @ out[1], np.ones((D, 1)), atol=1e-10)
