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
_owner = None  # the thread that set the limit, if it took control of OpenBLAS for it

# threadpoolctl >= 3.8 lets one thread at a time set OpenBLAS's (process-wide) thread
# count; the calls of the other threads are silently ignored until it gives control up.
_OpenBLAS = getattr(threadpoolctl, "OpenBLASController", None)


def _controlling_thread():
    """The thread that controls OpenBLAS's thread count (None: any thread may take control)."""
    state = getattr(_OpenBLAS, "_SHARED_STATE", None)
    thread = getattr(state, "controlling_thread", None)
    return thread if thread is not None and thread.is_alive() else None


def _give_up_control(force=False):
    clear = getattr(_OpenBLAS, "clear_controlling_thread", None)
    if clear is not None:
        clear(force=force)


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
    thread at a time set OpenBLAS's count: the first caller takes that control and gives
    it up when the last one leaves, also when the last one is another thread.  Inside a
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
    global _controller, _limiter, _users, _owner
    with _lock:
        if _users == 0:
            if _controller is None:
                # inspecting the loaded libraries costs milliseconds: do it once per process
                _controller = ThreadpoolController()
            free = _controlling_thread() is None
            _limiter = _controller.limit(limits=1, user_api="blas")
            _owner = threading.current_thread() if free and _controlling_thread() is not None else None
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                limiter, owner, _limiter, _owner = _limiter, _owner, None, None
                if owner is not None and _controlling_thread() is owner:
                    _give_up_control(force=True)  # the owner may be another thread (or gone)
                limiter.restore_original_limits()
                if owner is not None:
                    _give_up_control()
