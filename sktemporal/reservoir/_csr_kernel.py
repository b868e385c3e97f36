"""scipy's CSR products ``out += W @ x`` into a preallocated array: the package's one private-API module.

``scipy.sparse._sparsetools.csr_matvec`` / ``csr_matvecs`` add ``W @ x`` into ``out``
with no checks and no allocation.  They are private to scipy, so they are read here and
nowhere else (``tests/test_private_apis.py`` enforces it), pinned against ``W @ x`` by
``tests/test_sparse_kernel.py``, and when a scipy release moves them both names are
``None`` and the state loop (``reservoir/_states.py``) uses the public ``out += W @ x``
instead.  Why they are worth it, measured (``docs/development.rst``, "Layers"): the
whole state loop is 5–9 % faster with them (1000 units at 10 % and 5000 units at 1 %,
10,000 steps).

Signatures (scipy's): ``csr_matvec(n_row, n_col, indptr, indices, data, x, out)`` and
``csr_matvecs(n_row, n_col, n_vecs, indptr, indices, data, x, out)``, ``x`` and ``out``
1-D views of C-ordered ``(n, n_vecs)`` blocks of the matrix's dtype.
"""

try:
    from scipy.sparse import _sparsetools

    csr_matvec = _sparsetools.csr_matvec
    csr_matvecs = _sparsetools.csr_matvecs
except (ImportError, AttributeError):  # pragma: no cover - a scipy without them
    csr_matvec = csr_matvecs = None

__all__ = ["csr_matvec", "csr_matvecs"]
