"""The gradient of a minibatch, chunk by chunk; serial, or split across processes.

:func:`loss_and_gradient` is backpropagation through time over one chunk (a whole
sequence, or ``bptt_steps`` steps of it): the network's forward pass, the loss, the
backward pass.  :func:`chunk_gradients` runs it over the chunks of a minibatch, carrying
the state from one chunk to the next.

Data parallelism (``n_jobs``).  A minibatch's gradient is a sum over its sequences,

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

Workers are plain ``python -c`` subprocesses talking over two pipes (no ``fork`` of a
threaded process, no re-import of the user's ``__main__``), limited to one BLAS thread,
kept idle between fits and reused (starting one costs 1–2 s of imports), and
closed at interpreter exit.  POSIX only; elsewhere ``n_jobs`` falls back to one process
with a warning.
"""

import atexit
import mmap
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
from multiprocessing.connection import Connection

import numpy as np

from ..utils._dask import local_n_jobs
from ._loss import LOSSES

__all__ = ["GradientSplit", "chunk_gradients", "loss_and_gradient"]


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


_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                     "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def chunk_gradients(net, theta, grad, loss_name, data, idx, split=None):
    """Yield ``(loss, n)`` for each chunk of the minibatch ``idx``; ``grad`` then holds its gradient.

    ``loss`` is the summed (unnormalised) loss over the ``n`` target rows of the chunk and
    ``grad`` its gradient; chunks with ``n == 0`` leave ``grad`` undefined.  The state is
    carried from chunk to chunk (truncated BPTT).  With a :class:`GradientSplit` the
    minibatch is computed by several processes.
    """
    if split is not None and split.workers:
        yield from split.chunk_gradients(net, theta, grad, loss_name, data, idx)
        return
    state = None
    for chunk in data.chunks(idx):
        loss, n, state = loss_and_gradient(net, theta, grad, loss_name, chunk, state)
        yield loss, n


def _deal(idx, lengths, n_parts):
    """Split ``idx`` into ``n_parts`` parts of equal work: longest first, round robin."""
    order = idx[np.argsort(-lengths[idx], kind="stable")]
    return [order[j::n_parts] for j in range(n_parts)]


class GradientSplit:
    """Worker processes sharing the minibatches of one fit (a context manager).

    ``θ`` and the workers' gradients live in one shared memory map, ``[θ, ∂θ_1, ∂θ_2, …]``:
    before each chunk the calling process copies ``θ`` there and sends each worker a
    short message; a worker replies with its loss and row count once its gradient is
    written.  (Sending ``θ`` and the gradients through the pipes cost 1.5 ms per chunk for
    a 66 000-parameter LSTM, a fifth of the chunk's computation.)

    Parameters
    ----------
    n_jobs : int or None
        Processes in all, the calling one included (None: 1, -1: all CPUs), as resolved
        by :func:`~sktemporal.utils._dask.local_n_jobs` (joblib's rule, counted on this
        machine: inside a dask worker None is one process, -1 the worker's threads).
    net, data, loss_name, dtype
        What the workers need to compute a part's gradient; sent once.
    """

    def __init__(self, n_jobs, net, data, loss_name, dtype):
        n = local_n_jobs(n_jobs)
        n = min(n, max(1, data.n_sequences))
        self.workers, self._shared = [], None
        if n > 1 and os.name != "posix":
            warnings.warn(f"n_jobs={n_jobs} needs a POSIX system; training in one process.", RuntimeWarning)
            n = 1
        if n > 1:
            try:
                self.workers = _POOL.acquire(n - 1)
                size, dtype = net.layout.size, np.dtype(dtype)
                self._shared = _SharedArray((1 + len(self.workers), size), dtype)
                self._theta, self._grads = self._shared.array[0], self._shared.array[1:]
                for k, w in enumerate(self.workers, start=1):
                    w.send(("setup", net, data, loss_name, self._shared.path, dtype.str, size, k))
            except BaseException as exc:
                for w in self.workers:
                    w.pending = -1  # its pipe may hold half a message: not reused
                self.__exit__()
                if not isinstance(exc, OSError):  # OSError: no executable, no /dev/shm space, ...
                    raise
                warnings.warn(f"Could not start worker processes ({exc!r}); training in one process.",
                              RuntimeWarning)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for w in self.workers:
            if w.pending == 0:
                try:
                    w.send(("release",))
                except OSError:
                    w.pending = -1
        _POOL.release(self.workers)
        self.workers = []
        if self._shared is not None:
            self._shared.close()
            self._shared = None

    def chunk_gradients(self, net, theta, grad, loss_name, data, idx):
        parts = _deal(np.asarray(idx), data.lengths, 1 + len(self.workers))
        # part 0 holds the longest sequence, hence the most chunks: one round per chunk of it
        running = []
        for w, w_grad, part in zip(self.workers, self._grads, parts[1:]):
            if len(part):
                w.send(("batch", part))
                running.append((w, w_grad))
        own = iter(data.chunks(parts[0]))
        chunk, state = next(own, None), None
        while chunk is not None:
            np.copyto(self._theta, theta)
            for w, _ in running:  # they start on θ while this process computes its own part
                w.request()
            loss, n, state = loss_and_gradient(net, theta, grad, loss_name, chunk, state)
            chunk = next(own, None)
            still_running = []
            for w, w_grad in running:
                w_loss, w_n, last = w.receive()
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


class _SharedArray:
    """An array in a file mapped by several processes (in ``/dev/shm`` where it exists).

    The file is removed when the calling process closes it; workers that mapped it keep
    their mapping until they drop it.
    """

    def __init__(self, shape, dtype):
        directory = "/dev/shm" if os.path.isdir("/dev/shm") else None
        fd, self.path = tempfile.mkstemp(prefix="sktemporal-", dir=directory)
        try:
            nbytes = max(1, int(np.prod(shape)) * np.dtype(dtype).itemsize)
            os.ftruncate(fd, nbytes)
            self._map = mmap.mmap(fd, nbytes)
        finally:
            os.close(fd)
        self.array = np.frombuffer(self._map, dtype=dtype, count=int(np.prod(shape))).reshape(shape)

    @staticmethod
    def attach(path, shape, dtype):
        with open(path, "r+b") as f:
            buffer = mmap.mmap(f.fileno(), 0)
        return np.frombuffer(buffer, dtype=dtype, count=int(np.prod(shape))).reshape(shape)

    def close(self):
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        self.array = None  # the map closes with the last view on it


# Seconds to poll a pipe before blocking on it.  A process that blocks lets its core go
# idle, and on a virtual machine the next chunk then starts on a cold (or descheduled)
# core: measured, a worker that slept between chunks computed them 25 % slower than one
# that polled.  Workers poll between the chunks of a fit (a parent's optimizer step takes
# microseconds) and block when the fit is over; the parent polls for the workers' replies
# for a short while only, not to steal the core of a worker that is still computing.
_WORKER_SPIN = 0.05
_PARENT_SPIN = 0.005


def _spin(conn, seconds):
    """Poll ``conn`` until it has data or ``seconds`` have passed."""
    if conn.poll():
        return
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        if conn.poll():
            return


class _Worker:
    """One worker subprocess and the two pipes to it."""

    def __init__(self):
        to_child, from_parent = os.pipe()[::-1]
        from_child, to_parent = os.pipe()
        env = dict(os.environ)
        env.update(dict.fromkeys(_THREAD_VARIABLES, "1"))
        # the child imports this very package, also from a source tree that is not installed
        # (its directory goes first, unless the interpreter's path already has it)
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        code = (f"import sys; root = {root!r}; root in sys.path or sys.path.insert(0, root); "
                f"from sktemporal.neural_network._gradients import serve; serve({from_parent}, {to_parent})")
        try:
            self.process = subprocess.Popen([sys.executable, "-c", code], pass_fds=(from_parent, to_parent),
                                            env=env, stdin=subprocess.DEVNULL)
        finally:
            os.close(from_parent)
            os.close(to_parent)
        self.out = Connection(to_child, readable=False)
        self.inp = Connection(from_child, writable=False)
        self.pending = 0  # replies not yet read: a worker is reusable only at 0

    def send(self, message):
        self.out.send(message)

    def request(self):
        """Ask for the gradient of the next chunk at the shared θ."""
        self.out.send_bytes(b"c")
        self.pending += 1

    def receive(self):
        try:
            _spin(self.inp, _PARENT_SPIN)
            reply = self.inp.recv()
        except EOFError:
            self.pending = -1
            raise RuntimeError(f"A training worker process exited (code {self.process.poll()}).") from None
        self.pending -= 1
        if reply[0] == "error":
            self.pending = -1
            raise RuntimeError(f"A training worker process failed:\n{reply[1]}")
        _, loss, n, last = reply
        return loss, n, last

    def alive(self):
        return self.process.poll() is None

    def close(self, timeout=2.0):
        for conn in (self.out, self.inp):
            conn.close()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _Pool:
    """Idle workers, reused from fit to fit (thread-safe: a fit takes workers out)."""

    def __init__(self):
        self.idle = []
        self.lock = threading.Lock()

    def acquire(self, n):
        with self.lock:
            taken, self.idle = self.idle[:n], self.idle[n:]
        for w in [w for w in taken if not w.alive()]:
            taken.remove(w)
            w.close()
        try:
            while len(taken) < n:
                taken.append(_Worker())
        except BaseException:
            for w in taken:
                w.close(timeout=0.5)
            raise
        return taken

    def release(self, workers):
        keep = max(1, (os.cpu_count() or 2) - 1)
        for w in workers:
            if w.pending == 0 and w.alive():
                with self.lock:
                    if len(self.idle) < keep:
                        self.idle.append(w)
                        continue
            w.close(timeout=0.5)  # a worker interrupted mid-chunk is not reused

    def close(self):
        with self.lock:
            workers, self.idle = self.idle, []
        for w in workers:
            w.close()


_POOL = _Pool()
atexit.register(_POOL.close)


def serve(fd_in, fd_out):
    """The worker's loop: compute the gradients of the parts it is sent, until its pipe closes.

    Messages: ``("setup", net, data, loss_name, path, dtype, size, k)`` maps the shared
    ``[θ, ∂θ_1, …]`` and keeps what a fit's chunks need; ``("batch", idx)`` starts a
    minibatch part; ``b"c"`` computes its next chunk at the shared ``θ`` into ``∂θ_k`` and
    replies ``("ok", loss, n, last)`` (or ``("error", traceback)``); ``("release",)`` drops
    the fit's data.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    inp, out = Connection(fd_in, writable=False), Connection(fd_out, readable=False)
    # one BLAS thread: the parent set the threading variables of the environment
    net = data = loss_name = theta = grad = chunks = chunk = state = error = None
    while True:
        kind = None
        try:
            _spin(inp, _WORKER_SPIN)
            message = inp.recv_bytes()
            if message == b"c":
                kind = "chunk"
                if error is not None:
                    raise RuntimeError(error)
                if chunk is None:
                    raise RuntimeError("a chunk was requested but none is left (or no setup)")
                loss, n, state = loss_and_gradient(net, theta, grad, loss_name, chunk, state)
                chunk = next(chunks, None)  # its last chunk says so: no round trip to learn it
                out.send(("ok", float(loss), int(n), chunk is None))
                continue
            message = pickle.loads(message)
            kind = message[0]
            if kind == "batch":
                chunks, state = iter(data.chunks(message[1])), None
                chunk = next(chunks, None)
            elif kind == "setup":
                _, net, data, loss_name, path, dtype, size, k = message
                shared = _SharedArray.attach(path, (k + 1, size), np.dtype(dtype))
                theta, grad = shared[0], shared[k]
                error = None
            elif kind == "release":
                if net is not None:
                    net.release()
                net = data = theta = grad = chunks = chunk = None
        except EOFError:
            return
        except Exception:
            text = traceback.format_exc()
            if kind == "chunk":
                out.send(("error", text))
            else:  # nothing waits for a reply: report it with the next chunk
                error = text
