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


@pytest.mark.parametrize("m", [1, 5, 21, 40])
def test_dual_path_equals_the_primal_solves(m):
    """Fewer rows than features: the m x m dual gives the weights and bias of the D x D sums."""
    from sktemporal.reservoir._readout import dual_path

    rng = np.random.RandomState(m)
    H, E, Y = np.tanh(rng.randn(m, 40)), rng.randn(m, 2), rng.randn(m, 3)
    sums = RidgeReadout(42, 3, 1.0, n_extra=2).partial_fit([H, E], Y)
    alphas = [1e-4, 1e-2, 1.0, 100.0]
    for alpha, (coef, intercept) in zip(alphas, dual_path([H, E], Y, alphas)):
        ref_coef, ref_intercept = sums.solve(alpha)
        np.testing.assert_allclose(coef, ref_coef, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(intercept, ref_intercept, rtol=1e-7, atol=1e-9)
    # one row: its centred Gram matrix is zero, singular without a penalty (left to the caller)
    assert m > 1 or dual_path([H, E], Y, [0.0])[0] is None


# ----------------------------------------------------------------------------------
# float32 rows: float32 block sums when the penalty absorbs their error, else float64
# ----------------------------------------------------------------------------------
def _float32_rows(n=5000, d=40, seed=0):
    rs = np.random.RandomState(seed)
    H = np.tanh(rs.randn(n, d)).astype(np.float32)
    E = rs.rand(n, 2).astype(np.float32)
    Y = H[:, :3].astype(np.float64) @ rs.randn(3, 2) + 0.1 * rs.randn(n, 2)
    return H, E, Y


def _exact(H, E, Y, alpha):
    return RidgeReadout(42, 2, alpha, n_extra=2).partial_fit([H.astype(float), E.astype(float)], Y)


def test_float32_block_sums_at_a_large_penalty():
    """eps32 * ||Z||^2 <= alpha: float32 blocks (a float32 scratch), within float32 rounding of the exact sums."""
    H, E, Y = _float32_rows()
    alpha = 1.0  # eps32 * ||Z||^2 is about 0.01 here
    readout = RidgeReadout(42, 2, alpha, n_extra=2).partial_fit([H, E], Y)
    assert readout._tmp.dtype == np.float32
    exact = _exact(H, E, Y, alpha)
    assert not np.array_equal(readout.G, exact.G)  # float32 products, not float64
    for name in ("G", "G_me", "G_ee", "C", "sum_z", "sum_y", "sum_yy"):
        got, ref = getattr(readout, name), getattr(exact, name)
        assert np.linalg.norm(got - ref) <= 1e-6 * np.linalg.norm(ref), name
    assert readout.n == exact.n == 5000
    np.testing.assert_allclose(readout.solve()[0], exact.solve()[0], rtol=1e-4, atol=1e-6)


def test_float32_rows_at_a_small_penalty_are_summed_exactly_in_float64():
    """Below the float32 error the rows go to float64: the same sums as the float64 rows, bit for bit."""
    H, E, Y = _float32_rows()
    readout = RidgeReadout(42, 2, 1e-6, n_extra=2).partial_fit([H, E], Y)
    exact = _exact(H, E, Y, 1e-6)
    for name in ("G", "G_me", "G_ee", "C", "sum_z"):
        np.testing.assert_array_equal(getattr(readout, name), getattr(exact, name))


@pytest.mark.parametrize("attribute, value", [("float32_rows", 10**7), ("float32_alpha", 1e-6)])
def test_float32_guard_counts_all_the_rows_and_the_smallest_penalty(attribute, value):
    """The rows the sums will hold, and the smallest penalty they serve, can forbid float32 for a chunk."""
    H, E, Y = _float32_rows()
    readout = RidgeReadout(42, 2, 1.0, n_extra=2)
    setattr(readout, attribute, value)
    readout.partial_fit([H[:500], E[:500]], Y[:500])  # 500 rows, at the scale of 10^7 (or alpha 1e-6)
    exact = _exact(H[:500], E[:500], Y[:500], 1.0)
    np.testing.assert_array_equal(readout.G, exact.G)


def test_float32_guard_bounds_the_error_however_the_rows_are_chunked():
    """Chunks and merged readouts told the total rows sum in float32 exactly as far as one readout would."""
    H, E, Y = _float32_rows()
    whole = RidgeReadout(42, 2, 1.0, n_extra=2).partial_fit([H, E], Y)
    parts = [RidgeReadout(42, 2, 1.0, n_extra=2, float32_rows=5000).partial_fit([H[s:s + 1000], E[s:s + 1000]],
                                                                               Y[s:s + 1000])
             for s in range(0, 5000, 1000)]
    merged = RidgeReadout.sum(parts)
    exact = _exact(H, E, Y, 1.0)
    for r in (whole, merged):
        assert not np.array_equal(r.G, exact.G)
        assert np.linalg.norm(r.G - exact.G) <= 1e-6 * np.linalg.norm(exact.G)


def test_float32_non_finite_rows_take_the_float64_path():
    H, E, Y = _float32_rows(n=100)
    H[3, 5] = np.inf
    readout = RidgeReadout(42, 2, 1e6, n_extra=2).partial_fit([H, E], Y)
    assert readout._tmp.dtype == np.float64
    assert readout.nonfinite() == "states"


def test_float32_and_float64_rows_in_one_readout_and_pickle():
    """Mixed precisions add up; the float32 scratch is not pickled; sums saved before the guard still load."""
    import pickle

    H, E, Y = _float32_rows()
    readout = RidgeReadout(42, 2, 1.0, n_extra=2).partial_fit([H[:2500], E[:2500]], Y[:2500])
    readout.partial_fit([H[2500:].astype(float), E[2500:].astype(float)], Y[2500:])
    restored = pickle.loads(pickle.dumps(readout))
    assert restored._tmp is None
    np.testing.assert_array_equal(restored.solve()[0], readout.solve()[0])
    exact = _exact(H, E, Y, 1.0)
    np.testing.assert_allclose(readout.solve()[0], exact.solve()[0], rtol=1e-4, atol=1e-6)
    for name in ("float32_alpha", "float32_rows"):  # an older pickle's state
        del restored.__dict__[name]
    restored.partial_fit([H[:10], E[:10]], Y[:10])
    assert restored.n == 5010
