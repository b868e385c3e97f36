"""Dask detection without importing dask, and process counts that stay local.

Importing sktemporal never imports dask: every test here looks in ``sys.modules``
first.  If dask was never imported, no object can be a dask array and no code can be
running inside a dask worker.
"""

from __future__ import annotations

import sys

from joblib import cpu_count, effective_n_jobs

__all__ = ["is_dask_array", "dask_worker_threads", "local_n_jobs"]


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


def _joblib_backend_is_remote():
    """Whether the active joblib backend sends work to a cluster (joblib's dask backend)."""
    if "distributed" not in sys.modules:  # the dask backend needs it
        return False
    from joblib.parallel import get_active_backend

    backend, _ = get_active_backend()
    # by its class name: the class lives in a private joblib module
    return any(cls.__name__ == "DaskDistributedBackend" for cls in type(backend).__mro__)


def local_n_jobs(n_jobs):
    """Number of processes ``n_jobs`` means on this machine.

    scikit-learn's convention (None: one process unless a joblib context says otherwise,
    -1: all CPUs) resolved by :func:`joblib.effective_n_jobs`, except where joblib would
    count a whole cluster:

    * in a dask worker's task (a GridSearchCV fit sent there by joblib's dask backend),
      ``effective_n_jobs(None)`` returns the number of threads of the *whole cluster*
      (the dask backend is the nested backend of every task); here ``None`` means one
      process and ``-1`` the worker's own threads, so a search never starts more
      processes than the workers have threads;
    * under ``parallel_config(backend="dask")`` in the client, the same: ``None`` is one
      process, ``-1`` this machine's CPUs.

    Parameters
    ----------
    n_jobs : int or None

    Returns
    -------
    n : int
        At least 1.

    Examples
    --------
    >>> from sktemporal.utils._dask import local_n_jobs
    >>> local_n_jobs(None), local_n_jobs(1)
    (1, 1)
    """
    threads = dask_worker_threads()
    if threads is None and not _joblib_backend_is_remote():
        return max(1, effective_n_jobs(n_jobs))
    if n_jobs is None:
        return 1
    if n_jobs < 0:
        return max(1, (threads or cpu_count()) + 1 + n_jobs)
    return int(n_jobs)
