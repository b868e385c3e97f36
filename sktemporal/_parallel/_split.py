"""A minibatch's gradient summed over processes: the calling one and ``n_jobs − 1`` workers.

A minibatch's gradient is a sum over its sequences,

.. math::

    \\frac{\\partial L}{\\partial \\theta}
    = \\sum_{j=1}^{J} \\sum_{s \\in \\text{part}_j} \\frac{\\partial L_s}{\\partial \\theta},

and the sequences are independent until the sum.  With ``n_jobs = J`` the sequences of
each minibatch are dealt to ``J`` parts (longest first, round robin, so the parts have
equal work), the calling process computes part 1 and ``J − 1`` worker processes the
others, each with the whole forward and backward pass of its part.  Processes, not
threads: a recurrent step is a few dozen small numpy calls and they would queue for the
GIL.  The optimizer stays in the calling process; before each chunk (a whole sequence, or
``bptt_steps`` steps of truncated BPTT) the workers receive the current ``θ`` and send
back their summed loss, row count and gradient, so training follows the serial
trajectory up to the rounding of the sum.

What a chunk's gradient is, is not this module's business: the caller passes a picklable
*gradient* object (``neural_network/_gradients.py``: the network and its loss),

* ``gradient(theta, grad, chunk, state)`` returns ``(loss, n, state)``: the summed loss
  over the ``n`` target rows of ``chunk``, its gradient written into ``grad``, and the
  state carried to the next chunk of the same sequences;
* ``gradient.release()`` frees its buffers in a worker once the fit is over;

and the training *data*: ``data.chunks(idx)`` yields the chunks of the sequences ``idx``
in time order, ``data.lengths`` their lengths, ``data.n_sequences`` their count; its
numeric arrays are placed in shared memory.

The processes are managed by ``_workers.py`` (reused between fits, one BLAS thread each,
bounded waits, shared memory without a name).  Once per fit, ``θ``, the workers'
gradients and the training data's arrays are placed in one shared memory file, and each
worker receives a small :class:`_Part` (the gradient object and the data's description,
not its arrays).  POSIX only; elsewhere ``n_jobs`` falls back to one process with a
warning.
"""

import copy
import os
import time
import warnings

import numpy as np

from ._jobs import local_n_jobs
from ._workers import POOL, SharedArrays, WorkerLost, reply_timeout

__all__ = ["GradientSplit"]


def _deal(idx, lengths, n_parts):
    """Split ``idx`` into ``n_parts`` parts of equal work: longest first, round robin."""
    order = idx[np.argsort(-lengths[idx], kind="stable")]
    return [order[j::n_parts] for j in range(n_parts)]


def _shared_fields(data):
    """Names of the data's numeric arrays: placed in shared memory rather than pickled."""
    return [name for name, value in vars(data).items()
            if isinstance(value, np.ndarray) and value.dtype.kind in "biufc"]


class _Part:
    """A worker's task: the gradient of its part of each minibatch, chunk by chunk.

    Sent (pickled) once per fit without the data's arrays, which the worker maps from
    shared memory (:meth:`attach`); the gradient object is small (the network's
    parameters are the shared ``θ``).  ``k`` is the worker's row in the shared gradients
    ``∂θ_1, ∂θ_2, …``.
    """

    def __init__(self, gradient, data, k, fields):
        self.gradient, self.k, self.fields = gradient, k, fields
        self.data = copy.copy(data)
        for name in fields:
            setattr(self.data, name, None)
        self.chunks = self.chunk = self.state = None

    def attach(self, arrays):
        for name in self.fields:
            setattr(self.data, name, arrays["data." + name])
        self.theta, self.grad = arrays["theta"], arrays["grads"][self.k - 1]

    def start(self, idx):
        """Begin the minibatch part ``idx`` (from the initial state)."""
        self.chunks, self.state = iter(self.data.chunks(idx)), None
        self.chunk = next(self.chunks, None)

    def step(self):
        """The next chunk's loss and gradient at the shared ``θ``: ``(loss, n, last)``."""
        if self.chunk is None:
            raise RuntimeError("a chunk was requested but none is left")
        loss, n, self.state = self.gradient(self.theta, self.grad, self.chunk, self.state)
        self.chunk = next(self.chunks, None)  # its last chunk says so: no round trip to learn it
        return float(loss), int(n), self.chunk is None

    def release(self):
        self.gradient.release()


class GradientSplit:
    """Worker processes sharing the minibatches of one fit (a context manager).

    One shared memory file holds ``θ``, the workers' gradients ``∂θ_1, ∂θ_2, …`` and the
    training data's arrays: the data is copied there once per fit and ``data``'s arrays
    are replaced by these shared copies (same values; the private ones can be freed), so
    no worker receives a copy of its own.  Before each chunk the calling process copies
    ``θ`` there and sends each worker a one-byte request; a worker replies with its loss
    and row count once its gradient is written.

    Every wait is bounded (``_workers.py``): a worker that exits is seen at once, one that
    has not answered :func:`~sktemporal._parallel._workers.reply_timeout` seconds after
    the calling process finished its own share (20 times that share's time, at least
    30 s) is killed; either way the fit stops with a ``RuntimeError`` naming the worker's
    process id and what was seen.  Workers that cannot be started or set up (before any
    chunk) leave the fit to one process, with a ``RuntimeWarning``.

    Parameters
    ----------
    n_jobs : int or None
        Processes in all, the calling one included (None: 1, -1: all CPUs), as resolved
        by :func:`~sktemporal._parallel._jobs.local_n_jobs` (joblib's rule, counted on
        this machine: inside a dask worker None is one process, -1 the worker's threads).
    gradient : picklable callable
        ``gradient(theta, grad, chunk, state) -> (loss, n, state)``, with a ``release()``
        method (see the module's docstring); sent to each worker once.
    data : object
        The training data: ``chunks(idx)``, ``lengths``, ``n_sequences``; its numeric
        arrays are moved to shared memory.
    theta : ndarray of shape (n_params,)
        The parameters: their shape and dtype are those of the shared ``θ``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal._parallel._split import GradientSplit
    >>> class Data:  # two sequences, one chunk each
    ...     lengths, n_sequences = np.array([3, 2]), 2
    ...     def chunks(self, idx):
    ...         yield idx
    >>> class SquaredNorm:
    ...     def __call__(self, theta, grad, chunk, state):
    ...         grad[...] = len(chunk) * theta
    ...         return 0.5 * len(chunk) * theta @ theta, len(chunk), state
    ...     def release(self):
    ...         pass
    >>> theta, grad = np.ones(3), np.zeros(3)
    >>> with GradientSplit(None, SquaredNorm(), Data(), theta) as split:  # one process
    ...     [(float(loss), n) for loss, n in split.chunk_gradients(theta, grad, np.array([0, 1]))]
    [(3.0, 2)]
    >>> grad
    array([2., 2., 2.])
    """

    def __init__(self, n_jobs, gradient, data, theta):
        n = local_n_jobs(n_jobs)
        n = min(n, max(1, data.n_sequences))
        self.gradient, self.data = gradient, data
        self.workers, self._shared, self._theta, self._grads = [], None, None, None
        if n > 1 and os.name != "posix":
            warnings.warn(f"n_jobs={n_jobs} needs a POSIX system; training in one process.", RuntimeWarning,
                          stacklevel=2)
            n = 1
        if n > 1:
            try:
                self._start(n - 1, theta.shape, theta.dtype)
            except BaseException as exc:
                self.__exit__()
                if not isinstance(exc, (OSError, WorkerLost)):  # OSError: no executable, no memory, ...
                    raise
                warnings.warn(f"Could not start worker processes ({exc}); training in one process.",
                              RuntimeWarning, stacklevel=2)

    def _start(self, n_workers, shape, dtype):
        data = self.data
        fields = _shared_fields(data)
        self._shared = SharedArrays(
            [("theta", shape, dtype), ("grads", (n_workers, *shape), dtype)]
            + [("data." + name, getattr(data, name).shape, getattr(data, name).dtype) for name in fields])
        arrays = self._shared.arrays
        self._theta, self._grads = arrays["theta"], arrays["grads"]
        self.workers = POOL.acquire(n_workers)
        shared = {name: arrays["data." + name] for name in fields}
        for name, array in shared.items():
            array[...] = getattr(data, name)
        for k, w in enumerate(self.workers, start=1):
            w.setup(_Part(self.gradient, data, k, fields), self._shared.fd, self._shared.spec)
        for w in self.workers:
            w.ready()
        for name, array in shared.items():  # the private copies may go now
            setattr(data, name, array)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        workers, self.workers = self.workers, []
        for w in workers:
            if w.pending == 0:
                try:
                    w.release()
                except OSError:
                    w.kill()
        POOL.release(workers)  # a worker interrupted mid-chunk is killed, not reused
        self._theta = self._grads = None
        if self._shared is not None:
            self._shared.close()
            self._shared = None

    def chunk_gradients(self, theta, grad, idx):
        """Yield ``(loss, n)`` for each chunk of the minibatch ``idx``, summed over the processes.

        ``grad`` then holds the chunk's gradient at ``theta`` (undefined when ``n == 0``),
        as the serial loop over ``data.chunks(idx)`` would give it up to the rounding of
        the sum.  Without workers it is that serial loop.
        """
        if not self.workers:
            state = None
            for chunk in self.data.chunks(idx):
                loss, n, state = self.gradient(theta, grad, chunk, state)
                yield loss, n
            return
        parts = _deal(np.asarray(idx), self.data.lengths, 1 + len(self.workers))
        # part 0 holds the longest sequence, hence the most chunks: one round per chunk of it
        running = []
        for w, w_grad, part in zip(self.workers, self._grads, parts[1:]):
            if len(part):
                w.call("start", part)
                running.append((w, w_grad))
        own = iter(self.data.chunks(parts[0]))
        chunk, state = next(own, None), None
        while chunk is not None:
            np.copyto(self._theta, theta)
            for w, _ in running:  # they start on θ while this process computes its own part
                w.step()
            tic = time.perf_counter()
            loss, n, state = self.gradient(theta, grad, chunk, state)
            own_seconds = time.perf_counter() - tic
            timeout = reply_timeout(own_seconds)
            deadline = time.perf_counter() + timeout
            what = (f"to compute its share of a chunk (the calling process took {own_seconds:.3g} s for its "
                    f"own share; the limit is {timeout:.3g} s)")
            chunk = next(own, None)
            still_running = []
            for w, w_grad in running:
                try:
                    w_loss, w_n, last = w.receive(max(deadline - time.perf_counter(), 0.0), what)
                except WorkerLost as exc:
                    raise WorkerLost(f"{exc} The fit is abandoned: fit again (a new worker is started), or set "
                                     "n_jobs=None to train in one process.") from None
                if not last:
                    still_running.append((w, w_grad))
                if w_n:
                    if n:
                        grad += w_grad
                    else:
                        grad[...] = w_grad
                    loss += w_loss
                    n += w_n
            running = still_running
            yield loss, n
