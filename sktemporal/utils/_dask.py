"""Dask detection without importing dask.

Importing sktemporal never imports dask: every test here looks in ``sys.modules``
first.  If dask was never imported, no object can be a dask array and no code can be
running inside a dask worker.
"""

from __future__ import annotations

import sys

__all__ = ["is_dask_array", "dask_worker_threads"]


def is_dask_array(X):
    """Whether ``X`` is a ``dask.array.Array`` (False, and no import, when dask is not loaded).

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.utils._dask import is_dask_array
    >>> is_dask_array(np.zeros(3))
    False
    """
    module = sys.modules.get("dask.array")
    return module is not None and isinstance(X, module.Array)


def dask_worker_threads():
    """Threads of the dask worker running the caller, or None outside a dask worker task."""
    if "distributed" not in sys.modules:
        return None
    from distributed import get_worker

    try:
        worker = get_worker()
    except ValueError:  # not in a worker's task
        return None
    return int(getattr(worker, "state", worker).nthreads)
