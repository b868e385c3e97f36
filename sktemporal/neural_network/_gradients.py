"""The gradient of a minibatch, chunk by chunk; serial, or split across processes.

:func:`loss_and_gradient` is backpropagation through time over one chunk (a whole
sequence, or ``bptt_steps`` steps of it): the network's forward pass, the loss, the
backward pass.  :func:`chunk_gradients` runs it over the chunks of a minibatch, carrying
the state from one chunk to the next.  The sum over the steps of a chunk, and why no
error crosses a chunk boundary, are derived once in ``_kernels.py`` ("Backpropagation
through time"); the sum over sequences, which ``n_jobs`` splits across processes, in
``sktemporal/_parallel/_split.py``.  :class:`NetworkGradient` is what that split sends
to its workers: the network and its loss, as one picklable callable.
"""

from ._loss import LOSSES

__all__ = ["NetworkGradient", "chunk_gradients", "loss_and_gradient"]


def loss_and_gradient(net, theta, grad, loss_name, chunk, state):
    """Forward and backward over one chunk: summed loss, rows counted, final state.

    ``grad`` receives the gradient of the summed (unnormalised, unregularised) loss.
    """
    X, sizes, lengths, Y, mask, n = chunk
    out, state, cache = net.forward(theta, X, sizes, lengths, state)
    if n == 0:
        return 0.0, 0, state
    loss, delta = LOSSES[loss_name](out, Y, mask)
    net.backward(theta, grad, delta, cache)
    return loss, n, state


def chunk_gradients(net, theta, grad, loss_name, data, idx, split=None):
    """Yield ``(loss, n)`` for each chunk of the minibatch ``idx``; ``grad`` then holds its gradient.

    ``loss`` is the summed (unnormalised) loss over the ``n`` target rows of the chunk and
    ``grad`` its gradient; chunks with ``n == 0`` leave ``grad`` undefined.  The state is
    carried from chunk to chunk (truncated BPTT).  With a
    :class:`~sktemporal._parallel._split.GradientSplit` (built on a
    :class:`NetworkGradient` of ``net`` and ``loss_name``, and ``data``) the minibatch is
    computed by several processes.
    """
    if split is not None and split.workers:
        yield from split.chunk_gradients(theta, grad, idx)
        return
    state = None
    for chunk in data.chunks(idx):
        loss, n, state = loss_and_gradient(net, theta, grad, loss_name, chunk, state)
        yield loss, n


class NetworkGradient:
    """One chunk's loss and gradient for ``net`` and ``loss_name``: what a split's workers compute.

    Calling it is :func:`loss_and_gradient`; pickled once per fit to each worker of a
    :class:`~sktemporal._parallel._split.GradientSplit` (the network is small: its
    parameters are the shared ``θ``).

    Parameters
    ----------
    net : Network
        The network, with ``forward``, ``backward`` and ``release``.
    loss_name : str
        A key of ``LOSSES``.
    """

    def __init__(self, net, loss_name):
        self.net, self.loss_name = net, loss_name

    def __call__(self, theta, grad, chunk, state):
        """``(loss, n, state)`` of :func:`loss_and_gradient` over ``chunk``; ``grad`` receives the gradient."""
        return loss_and_gradient(self.net, theta, grad, self.loss_name, chunk, state)

    def release(self):
        """Free the network's work buffers (in a worker, once the fit is over)."""
        self.net.release()
