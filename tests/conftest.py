"""Test-session settings."""

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _single_threaded_blas():
    """One BLAS thread: the tests use small matrices, for which a shared 2-core machine's
    multi-threaded BLAS is 10-100x slower than a single thread (measured)."""
    with threadpool_limits(limits=1):
        yield
