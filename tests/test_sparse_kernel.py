"""The private scipy CSR kernels the reservoir state loop calls, pinned against ``W @ h``.

``reservoir/_csr_kernel.py`` (the package's one private-API module) reads
``scipy.sparse._sparsetools.csr_matvec`` / ``csr_matvecs`` (``out += W @ h`` into a
preallocated array, no checks, no allocation) for ``reservoir/_states.py``.  They are
private: a scipy release that moves or changes them must fail here, not silently in the
reservoirs; and the public fallback the state loop takes without them is tested too.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from sktemporal.reservoir import _csr_kernel, _states
from sktemporal.reservoir._states import RecurrentProduct, use_dense


def _sparse_W(n, density, dtype, seed=0):
    W = sp.random(n, n, density=density, format="csr", random_state=seed, dtype=np.float64)
    W.data -= 0.5
    W = sp.csr_matrix(W, dtype=dtype)
    W.sort_indices()
    return W


def test_the_private_kernels_are_found():
    """This scipy still has them (otherwise the state loop falls back to ``W @ h`` silently)."""
    assert _csr_kernel.csr_matvec is not None and _csr_kernel.csr_matvecs is not None
    assert _states._csr_matvec is _csr_kernel.csr_matvec and _states._csr_matvecs is _csr_kernel.csr_matvecs


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 1e-5)])
@pytest.mark.parametrize("batch", [1, 7])
def test_kernel_adds_W_times_h_in_place(dtype, rtol, batch):
    rng = np.random.RandomState(0)
    n = 300
    W = _sparse_W(n, 0.05, dtype)
    h = rng.normal(size=(n, batch)).astype(dtype)
    start = rng.normal(size=(n, batch)).astype(dtype)
    out = start.copy()
    if batch == 1:
        _states._csr_matvec(n, n, W.indptr, W.indices, W.data, h.reshape(-1), out.reshape(-1))
    else:
        _states._csr_matvecs(n, n, batch, W.indptr, W.indices, W.data, h.reshape(-1), out.reshape(-1))
    assert out.dtype == dtype
    np.testing.assert_allclose(out, start + W.toarray() @ h, rtol=rtol, atol=rtol * 10)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 1e-5)])
@pytest.mark.parametrize("n, density", [(400, 0.02), (60, 0.5)])
@pytest.mark.parametrize("batch", [1, 5])
def test_recurrent_product_equals_W_at_h(dtype, rtol, n, density, batch):
    """Both paths of the state loop's product (sparse kernel, dense GEMM) add ``W @ h``."""
    rng = np.random.RandomState(1)
    W = _sparse_W(n, density, np.float64)
    product = RecurrentProduct(W, dtype)
    assert product.dense == use_dense(n, W.nnz / n**2, np.dtype(dtype).itemsize)
    h = rng.normal(size=(n, batch)).astype(dtype)
    out = np.ones((n, batch), dtype=dtype)
    product(h, out)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, 1 + W.toarray() @ h.astype(np.float64), rtol=rtol, atol=rtol * 10)


def test_both_paths_are_exercised():
    assert not RecurrentProduct(_sparse_W(400, 0.02, np.float64), np.float64).dense
    assert RecurrentProduct(_sparse_W(60, 0.5, np.float64), np.float64).dense


@pytest.mark.parametrize("batch", [1, 5])
def test_public_fallback_equals_the_kernel(monkeypatch, batch):
    """Without the private kernels (a scipy that moved them) the product is ``out += W @ h``."""
    rng = np.random.RandomState(2)
    W = _sparse_W(400, 0.02, np.float64)
    h = rng.normal(size=(400, batch))
    with_kernel = RecurrentProduct(W, np.float64)(h, np.ones((400, batch)))
    monkeypatch.setattr(_states, "_csr_matvec", None)
    monkeypatch.setattr(_states, "_csr_matvecs", None)
    product = RecurrentProduct(W, np.float64)
    assert not product.dense
    np.testing.assert_allclose(product(h, np.ones((400, batch))), with_kernel, rtol=1e-13)
