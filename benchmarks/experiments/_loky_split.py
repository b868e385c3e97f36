"""A loky-based GradientSplit, for the measurement in bench_workers.py only (not used by the package).

Same numerics and the same shared memory as the package's split (θ, the gradients, the
data in one anonymous memory file); the only difference is the transport: one loky task
per chunk and worker (``submit`` + ``result``) instead of a one-byte request on a pipe.
Linux only (the workers open the parent's memory file through ``/proc/<pid>/fd``).
"""

import mmap
import os
import pickle

import numpy as np
from joblib.externals.loky import get_reusable_executor

from sktemporal._parallel._split import _deal

_CACHE = {}
_THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _attach(path, spec):
    fd = os.open(path, os.O_RDWR)
    try:
        buf = mmap.mmap(fd, 0)
    finally:
        os.close(fd)
    return {name: np.frombuffer(buf, dtype=dt, count=int(np.prod(shape)), offset=off).reshape(shape)
            for name, off, shape, dt in spec}


def _task(key, setup, k, part):
    """Runs in a loky worker: the next chunk of this worker's part."""
    global _CACHE
    if _CACHE.get("key") != key:
        path, spec, blob = setup
        gradient, data = pickle.loads(blob)
        arrays = _attach(path, spec)
        data.values, data.targets = arrays["values"], arrays["targets"]
        _CACHE = {"key": key, "gradient": gradient, "data": data, "theta": arrays["theta"],
                  "grads": arrays["grads"], "chunks": None, "chunk": None, "state": None}
    c = _CACHE
    if part is not None:
        c["chunks"], c["state"] = iter(c["data"].chunks(part)), None
        c["chunk"] = next(c["chunks"], None)
    grad = c["grads"][k - 1]
    loss, n, c["state"] = c["gradient"](c["theta"], grad, c["chunk"], c["state"])
    c["chunk"] = next(c["chunks"], None)
    return float(loss), int(n), c["chunk"] is None


class LokySplit:
    """The package's ``GradientSplit`` interface: ``(n_jobs, gradient, data, theta)``."""

    def __init__(self, n_jobs, gradient, data, theta):
        n = min(n_jobs, data.n_sequences)
        self.gradient, self.data = gradient, data
        self.executor = get_reusable_executor(max_workers=n - 1, env=dict.fromkeys(_THREADS, "1"))
        self.workers = list(range(1, n))
        size, dtype = theta.size, theta.dtype
        items = [("theta", (size,), dtype), ("grads", (n - 1, size), dtype),
                 ("values", data.values.shape, data.values.dtype), ("targets", data.targets.shape, data.targets.dtype)]
        spec, off = [], 0
        for name, shape, dt in items:
            spec.append((name, off, shape, np.dtype(dt).str))
            off += -(-int(np.prod(shape)) * np.dtype(dt).itemsize // 64) * 64
        self.fd = os.memfd_create("sktemporal-bench")
        os.ftruncate(self.fd, off)
        self.map = mmap.mmap(self.fd, off)
        self.arrays = {name: np.frombuffer(self.map, dtype=dt, count=int(np.prod(shape)), offset=o).reshape(shape)
                       for name, o, shape, dt in spec}
        self.arrays["values"][...] = data.values
        self.arrays["targets"][...] = data.targets
        values, targets = data.values, data.targets
        data.values = data.targets = None
        try:
            blob = pickle.dumps((gradient, data))
        finally:
            data.values, data.targets = values, targets
        self.key = os.urandom(8).hex()
        self.setup = (f"/proc/{os.getpid()}/fd/{self.fd}", spec, blob)
        self._theta, self._grads = self.arrays["theta"], self.arrays["grads"]
        self.sent = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.arrays = self._theta = self._grads = None
        os.close(self.fd)

    def chunk_gradients(self, theta, grad, idx):
        data = self.data
        parts = _deal(np.asarray(idx), data.lengths, 1 + len(self.workers))
        running = [(k, part) for k, part in zip(self.workers, parts[1:]) if len(part)]
        started = set()
        own = iter(data.chunks(parts[0]))
        chunk, state = next(own, None), None
        while chunk is not None:
            np.copyto(self._theta, theta)
            futures = []
            for k, part in running:
                first = k not in started
                futures.append((k, self.executor.submit(_task, self.key, None if self.sent else self.setup, k,
                                                        part if first else None)))
                started.add(k)
            self.sent = True
            loss, n, state = self.gradient(theta, grad, chunk, state)
            chunk = next(own, None)
            still = []
            for (k, part), (_, fut) in zip(running, futures):
                w_loss, w_n, last = fut.result()
                if not last:
                    still.append((k, part))
                if w_n:
                    if n:
                        grad += self._grads[k - 1]
                    else:
                        grad[...] = self._grads[k - 1]
                    loss += w_loss
                    n += w_n
            running = still
            yield loss, n
