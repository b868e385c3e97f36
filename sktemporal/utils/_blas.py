"""BLAS threading for the step-by-step loops."""

from threadpoolctl import ThreadpoolController

__all__ = ["one_blas_thread"]

_controller = None


def one_blas_thread():
    """Context manager limiting BLAS to one thread for a step-by-step loop.

    The loops of the recurrent models issue small products (a minibatch of states times a
    weight matrix) one after another; a multi-threaded BLAS spends more on waking and
    synchronising its threads than on the product.  Measured on a 2-core machine: an
    ``RNNClassifier`` fit 26 times slower and an ``ESNRegressor`` fit 28 times slower with the
    default threads.  scikit-learn's KMeans limits its iterations the same way.  Large
    one-off products (e.g. a reservoir readout's ``HᵀH``) should stay outside.
    """
    global _controller
    if _controller is None:
        # inspecting the loaded libraries costs milliseconds: do it once per process
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")
