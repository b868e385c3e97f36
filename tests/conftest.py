"""Test-session settings."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _single_threaded_blas():
    """One BLAS thread: the tests use small matrices, for which a shared 2-core machine's
    multi-threaded BLAS is 10-100x slower than a single thread (measured)."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture
def float32_rows(monkeypatch):
    """The list of row counts the ridge readouts summed in float32 blocks (in this process)."""
    from sktemporal.reservoir._readout import RidgeReadout

    counted = []
    add = RidgeReadout._add_block

    def counting(readout, H, E, Y):
        if H.dtype == np.float32:
            counted.append(H.shape[0])
        return add(readout, H, E, Y)

    monkeypatch.setattr(RidgeReadout, "_add_block", counting)
    return counted
