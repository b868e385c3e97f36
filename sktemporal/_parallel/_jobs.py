"""The number of processes ``n_jobs`` means on this machine (joblib's rule, kept local).

Inside a task sent to a dask worker joblib counts the threads of the whole cluster;
:func:`local_n_jobs` counts this machine (or the worker's threads) instead, so a fit there
starts one process by default, not one per thread of the cluster.
"""

from __future__ import annotations

import sys

from joblib import cpu_count, effective_n_jobs

from ..utils._dask import dask_worker_threads

__all__ = ["local_n_jobs"]


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
    >>> from sktemporal._parallel._jobs import local_n_jobs
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
