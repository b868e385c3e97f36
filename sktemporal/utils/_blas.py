"""BLAS threading for the step-by-step loops."""

import threading
from contextlib import contextmanager

import threadpoolctl
from threadpoolctl import ThreadpoolController

__all__ = ["one_blas_thread"]

_lock = threading.Lock()
_controller = None
_limiter = None  # the limit in force while _users > 0; it knows the original thread counts
_users = 0
_first = None  # the thread that set the limit

# threadpoolctl >= 3.8 lets one thread at a time set OpenBLAS's (process-wide) thread
# count; the calls of the other threads are silently ignored until it gives control up
# (its public ``OpenBLASController.clear_controlling_thread``; absent before 3.8).
_clear_control = getattr(getattr(threadpoolctl, "OpenBLASController", None), "clear_controlling_thread", None)


def _give_up_control(force=False):
    """Let any thread set OpenBLAS's count again (``force``: also when another thread holds it)."""
    if _clear_control is not None:
        _clear_control(force=force)


@contextmanager
def one_blas_thread():
    """Context manager limiting BLAS to one thread for a step-by-step loop.

    The loops of the recurrent models issue small products (a minibatch of states times a
    weight matrix) one after another; a multi-threaded BLAS spends more on waking and
    synchronising its threads than on the product.  Measured on a 2-core machine: an
    ``RNNClassifier`` fit 26 times slower and an ``ESNRegressor`` fit 28 times slower with the
    default threads.  scikit-learn's KMeans limits its iterations the same way.  Large
    one-off products (e.g. a reservoir readout's ``HᵀH``) should stay outside.

    Safe under concurrent and nested use.  A BLAS thread count is a setting of the whole
    process, so the limit is reference counted: the first caller to enter sets it, the
    last to leave restores the counts found by the first (two fits in two threads used to
    restore each other's limit and leave the process at one thread).  While any caller is
    inside, every thread of the process runs BLAS on one thread.  (threadpoolctl lets one
    thread at a time set OpenBLAS's count: the last caller to leave releases the control
    the first one took, restores the counts, and releases its own.  Inside a
    ``threadpool_limits`` block of *another* thread the limit is not applied.)

    Examples
    --------
    >>> from threadpoolctl import threadpool_info
    >>> from sktemporal.utils._blas import one_blas_thread
    >>> before = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    >>> with one_blas_thread():
    ...     inside = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    >>> all(n == 1 for n in inside)
    True
    >>> [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"] == before
    True
    """
    global _controller, _limiter, _users, _first
    with _lock:
        if _users == 0:
            if _controller is None:
                # inspecting the loaded libraries costs milliseconds: do it once per process
                _controller = ThreadpoolController()
            _limiter = _controller.limit(limits=1, user_api="blas")
            _first = threading.current_thread()
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                limiter, first, _limiter, _first = _limiter, _first, None, None
                if first is not threading.current_thread():
                    # the first caller may hold the control, and this thread's restore
                    # would be ignored: release it on the first caller's behalf
                    _give_up_control(force=True)
                limiter.restore_original_limits()
                _give_up_control()  # the control this thread took to restore (if it holds it)
