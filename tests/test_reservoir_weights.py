"""Reservoir weights: topologies, density, exact spectral radius, determinism."""

import numpy as np
import pytest
import scipy.sparse as sp

from sktemporal.reservoir._weights import (
    _sample_cells,
    clear_weights_cache,
    feedback_matrix,
    init_weights,
    input_matrix,
    recurrent_matrix,
    spectral_radius,
    weights_cache_info,
)


def _dense_radius(W):
    return np.abs(np.linalg.eigvals(W.toarray())).max()


@pytest.mark.parametrize("n", [50, 600])  # dense solver, then ARPACK
@pytest.mark.parametrize("distribution", ["uniform", "normal"])
def test_random_topology_exact_radius_and_density(n, distribution):
    W, rho = recurrent_matrix(n, spectral_radius=0.8, density=0.05, distribution=distribution,
                              random_state=np.random.RandomState(0))
    assert sp.isspmatrix_csr(W)
    assert W.nnz == round(0.05 * n * n)
    assert rho > 0
    # exact with the dense solver; ARPACK_TOL (1e-3) keeps ARPACK's within 1e-4 (3e-6 measured)
    np.testing.assert_allclose(_dense_radius(W), 0.8, rtol=1e-9 if n <= 400 else 1e-4)


def test_arpack_finds_the_largest_eigenvalue_not_just_a_large_one():
    # with one wanted eigenvalue and ARPACK's default subspace, scipy's eigs converges to a
    # smaller eigenvalue on this matrix (the rim of the circular law is crowded)
    rng = np.random.RandomState(1)
    W = sp.random(1000, 1000, density=0.1, random_state=rng, format="csr",
                  data_rvs=rng.standard_normal)
    np.testing.assert_allclose(spectral_radius(W), _dense_radius(W), rtol=1e-4)


def test_spectral_radius_is_deterministic_and_uses_no_randomness():
    rs = np.random.RandomState(3)
    W, _ = recurrent_matrix(800, density=0.02, random_state=rs)
    state = rs.get_state()[1].copy()
    assert spectral_radius(W) == spectral_radius(W)
    np.testing.assert_array_equal(rs.get_state()[1], state)


def test_small_world_is_a_rewired_ring_lattice():
    n, density = 200, 0.04  # k = 8 incoming edges per unit
    W0, _ = recurrent_matrix(n, density=density, topology="small_world", rewiring=0.0,
                             random_state=np.random.RandomState(0))
    assert (np.diff(W0.indptr) == 8).all()
    ring = (W0.indices.reshape(n, 8) - np.arange(n)[:, None]) % n
    assert set(ring.ravel()) == {1, 2, 3, 4, n - 1, n - 2, n - 3, n - 4}
    W, _ = recurrent_matrix(n, density=density, topology="small_world", rewiring=0.3,
                            random_state=np.random.RandomState(0))
    assert (np.diff(W.indptr) == 8).all()  # no duplicates merged away
    assert (W.diagonal() == 0).all()
    moved = 1 - (abs(W0).multiply(abs(W)) > 0).sum() / W.nnz  # edges not on the lattice
    assert 0.15 < moved < 0.45
    np.testing.assert_allclose(_dense_radius(W), 0.97, rtol=1e-9)  # the default radius


def test_cycle_reservoir():
    W, _rho = recurrent_matrix(10, spectral_radius=0.7, topology="cycle", random_state=None)
    dense = W.toarray()
    assert (dense[(np.arange(10) + 1) % 10, np.arange(10)] == 0.7).all()
    assert W.nnz == 10
    np.testing.assert_allclose(_dense_radius(W), 0.7)


def test_nilpotent_reservoir_is_refused():
    with pytest.raises(ValueError, match="spectral radius 0"):
        recurrent_matrix(20, density=0.0025, random_state=np.random.RandomState(0))


def test_sampling_without_a_full_permutation():
    rs = np.random.RandomState(0)
    cells = _sample_cells(rs, 10**10, 1000)
    assert len(np.unique(cells)) == 1000 and cells.max() < 10**10


def test_large_sparse_reservoir_is_practical():
    W, _ = recurrent_matrix(10000, density=0.001, random_state=np.random.RandomState(0))
    assert W.nnz == 100000 and W.shape == (10000, 10000)


def test_input_and_feedback_weights():
    rs = np.random.RandomState(0)
    W_in = input_matrix(100, 3, input_scaling=[0.1, 1.0, 2.0], bias_scaling=0.5, random_state=rs)
    assert W_in.shape == (100, 4)
    np.testing.assert_array_less(np.abs(W_in).max(axis=0), [0.5, 0.1, 1.0, 2.0] + np.finfo(float).eps)
    assert np.abs(W_in[:, 3]).max() > 1.5
    W_fb = feedback_matrix(100, 2, feedback_scaling=0.1, random_state=rs)
    assert W_fb.shape == (100, 2) and np.abs(W_fb).max() <= 0.1


# ----------------------------------------------------------------------------------
# the per-process cache of the unscaled recurrent matrix
# ----------------------------------------------------------------------------------
def _params(**kw):
    base = {"n_reservoir": 500, "spectral_radius": 0.9, "density": 0.05, "topology": "random", "rewiring": 0.1,
                "distribution": "uniform", "input_scaling": 1.0, "bias_scaling": 1.0}
    base.update(kw)
    return base


def test_cache_reuses_the_draw_and_gives_identical_weights():
    """An integer seed draws and diagonalises W once; the weights equal an uncached draw exactly."""
    clear_weights_cache()
    w1, _ = init_weights(_params(), 3, 1, 7)
    w2, rs2 = init_weights(_params(spectral_radius=0.5, input_scaling=0.3), 3, 1, 7)
    info = weights_cache_info()
    assert info["hits"] == 1 and info["misses"] == 1 and info["entries"] == 1
    np.testing.assert_allclose(w2.W.toarray() * 0.9, w1.W.toarray() * 0.5, rtol=1e-12)
    # the same weights as without the cache (a RandomState instance is never cached)
    w3, rs3 = init_weights(_params(spectral_radius=0.5, input_scaling=0.3), 3, 1, np.random.RandomState(7))
    np.testing.assert_array_equal(w2.W.toarray(), w3.W.toarray())
    np.testing.assert_array_equal(w2.W_in, w3.W_in)  # the generator was left where a draw leaves it
    assert rs2.randint(1 << 30) == rs3.randint(1 << 30)
    assert weights_cache_info()["entries"] == 1


def test_cache_is_keyed_by_everything_the_draw_depends_on():
    clear_weights_cache()
    base, _ = init_weights(_params(), 1, 1, 0)
    for change in ({"density": 0.04}, {"n_reservoir": 400}, {"distribution": "normal"},
                   {"topology": "small_world"}):
        other, _ = init_weights(_params(**change), 1, 1, 0)
        assert other.W.shape != base.W.shape or other.W.nnz != base.W.nnz or \
            not np.array_equal(other.W.data, base.W.data)
    init_weights(_params(), 1, 1, 1)  # another seed
    init_weights(_params(), 1, 1, None)  # never cached
    info = weights_cache_info()
    assert info["misses"] == 6 and info["hits"] == 0 and info["entries"] == 6


def test_cached_arrays_are_never_handed_out():
    """Callers own what they get: mutating it cannot corrupt the next estimator's reservoir."""
    clear_weights_cache()
    w1, _ = init_weights(_params(), 1, 1, 3)
    w1.W.data[:] = 0.0
    w1.W.indices[:] = 0
    w2, _ = init_weights(_params(), 1, 1, 3)
    assert weights_cache_info()["hits"] == 1
    w3, _ = init_weights(_params(), 1, 1, np.random.RandomState(3))
    np.testing.assert_array_equal(w2.W.toarray(), w3.W.toarray())


def test_cache_is_bounded(monkeypatch):
    from sktemporal.reservoir import _weights

    clear_weights_cache()
    monkeypatch.setattr(_weights, "CACHE_MAX_ENTRIES", 3)
    for seed in range(5):
        init_weights(_params(n_reservoir=50), 1, 1, seed)
    assert weights_cache_info()["entries"] == 3
    init_weights(_params(n_reservoir=50), 1, 1, 4)  # the most recent stayed
    assert weights_cache_info()["hits"] == 1
    monkeypatch.setattr(_weights, "CACHE_MAX_BYTES", 1000)
    init_weights(_params(n_reservoir=50), 1, 1, 9)  # larger than the byte bound: not kept
    init_weights(_params(n_reservoir=50), 1, 1, 9)
    assert weights_cache_info()["hits"] == 1


def test_recurrent_matrix_defaults_are_the_estimators():
    import inspect

    from sktemporal.reservoir import ESNRegressor

    defaults = {k: v.default for k, v in inspect.signature(recurrent_matrix).parameters.items()
                if v.default is not inspect.Parameter.empty}
    esn = ESNRegressor().get_params()
    shared = set(defaults) & set(esn)
    assert {"spectral_radius", "density", "topology", "rewiring", "distribution"} <= shared
    assert {k: defaults[k] for k in shared - {"random_state"}} == {k: esn[k] for k in shared - {"random_state"}}
