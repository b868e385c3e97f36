"""Worker processes: start them, talk to them, watch them, share memory with them.

The machinery behind ``n_jobs`` of the trained networks, kept apart from the numerics
(``_split.py`` deals the work to the workers and the caller says *what* they compute;
this module is how they run).

* :class:`SharedArrays`: named arrays in one anonymous shared memory file.  The file never
  has a name (Linux: ``memfd_create``; elsewhere a temporary file unlinked the moment it is
  created) and reaches the workers as a file descriptor over their socket, so nothing is
  left in ``/dev/shm`` however the processes end, ``SIGKILL`` included: the memory is
  freed when the last process holding the descriptor or a mapping exits.
* :class:`Worker`: one ``python -c`` subprocess and a Unix socket to it.  Every wait for a
  reply is bounded: a worker that exits is seen at once (end of file on its socket), one
  that does not answer in time (stopped, hung, starved) is killed and reported with a
  :class:`WorkerError` naming its process id and what was seen.
* :data:`POOL`: idle workers kept between fits and reused (starting one costs 1–2 s of
  imports); a worker that did not finish cleanly (interrupted mid-task, failed, timed
  out) is killed, never reused.
* :func:`serve`: the worker's loop, running a *task* object sent by the parent.

A task is any picklable object with ``attach(arrays)`` (receives the dict of shared
arrays), ``step()`` (computes, returns a tuple sent back to the parent), ``release()``,
and any methods the parent calls with :meth:`Worker.call` (no reply).
"""

import atexit
import mmap
import os
import pickle
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from multiprocessing.connection import Connection

import numpy as np

__all__ = ["POOL", "SharedArrays", "Worker", "WorkerError", "WorkerLost", "reply_timeout", "serve"]

# How long the parent waits for a worker's reply to a step: REPLY_TIMEOUT_FACTOR times
# the time the parent took for its own share of the same step, and never less than
# REPLY_TIMEOUT_FLOOR seconds (a worker's share is at most the parent's, but a shared
# machine may deschedule it for a while).  A fresh worker gets SETUP_TIMEOUT seconds to
# map the shared memory and load its task.  Module-level so tests can shorten them.
REPLY_TIMEOUT_FLOOR = 30.0
REPLY_TIMEOUT_FACTOR = 20.0
SETUP_TIMEOUT = 60.0

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")

# Seconds to poll a socket before blocking on it.  A process that blocks lets its core go
# idle, and on a virtual machine the next step then starts on a cold (or descheduled)
# core: measured, a worker that slept between steps computed them 25 % slower than one
# that polled.  Workers poll between the steps of a fit (a parent's optimizer step takes
# microseconds) and block when the fit is over; the parent polls for the workers' replies
# for a short while only, not to steal the core of a worker that is still computing.
_WORKER_SPIN = 0.05
_PARENT_SPIN = 0.005

_ALIGN = 64

# message kinds, first byte of each message to a worker
_STEP, _SETUP, _CALL, _RELEASE = b"c", b"s", b"m", b"r"


def reply_timeout(own_seconds):
    """Seconds to wait for the workers once the parent's own share took ``own_seconds``."""
    return max(REPLY_TIMEOUT_FLOOR, REPLY_TIMEOUT_FACTOR * own_seconds)


class WorkerError(RuntimeError):
    """A worker process failed, exited or did not answer in time (it was killed)."""


class WorkerLost(WorkerError):
    """A worker process exited or did not answer in time (it was killed)."""


# ---------------------------------------------------------------------- shared memory
def _anonymous_file(nbytes):
    """A file descriptor of ``nbytes`` bytes of shared memory with no name in any directory."""
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("sktemporal", os.MFD_CLOEXEC)
    else:
        directory = "/dev/shm" if os.path.isdir("/dev/shm") else None
        fd, path = tempfile.mkstemp(prefix="sktemporal-", dir=directory)
        os.unlink(path)
    try:
        os.ftruncate(fd, nbytes)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _views(buffer, spec):
    arrays = {}
    for name, offset, shape, dtype in spec:
        count = int(np.prod(shape))
        if count == 0:
            arrays[name] = np.empty(shape, dtype=dtype)
        else:
            arrays[name] = np.frombuffer(buffer, dtype=dtype, count=count, offset=offset).reshape(shape)
    return arrays


class SharedArrays:
    """Named arrays in one anonymous shared memory file, handed to workers by descriptor.

    Parameters
    ----------
    items : list of (name, shape, dtype)
        The arrays to allocate (zero-filled), each aligned to 64 bytes.

    Attributes
    ----------
    arrays : dict of str to ndarray
        Views into the shared memory.
    fd : int
        The file's descriptor, to send with :meth:`Worker.setup`.
    spec : list of (name, offset, shape, dtype)
        What :meth:`attach` needs to rebuild the views in another process.

    Examples
    --------
    >>> from sktemporal._parallel._workers import SharedArrays
    >>> shared = SharedArrays([("theta", (3,), "float64")])
    >>> shared.arrays["theta"][:] = 1.0
    >>> SharedArrays.attach(os.dup(shared.fd), shared.spec)["theta"]
    array([1., 1., 1.])
    >>> shared.close()
    """

    def __init__(self, items):
        spec, offset = [], 0
        for name, shape, dtype in items:
            dtype, shape = np.dtype(dtype), tuple(int(s) for s in shape)
            spec.append((name, offset, shape, dtype.str))
            offset += -(-int(np.prod(shape)) * dtype.itemsize // _ALIGN) * _ALIGN
        self.spec, self.nbytes = spec, max(offset, _ALIGN)
        self.fd = _anonymous_file(self.nbytes)
        try:
            self.arrays = _views(mmap.mmap(self.fd, self.nbytes), spec)
        except BaseException:
            os.close(self.fd)
            raise

    @staticmethod
    def attach(fd, spec):
        """Map the file behind ``fd`` (which is closed; the mapping stays) and return its arrays."""
        try:
            buffer = mmap.mmap(fd, 0)
        finally:
            os.close(fd)
        return _views(buffer, spec)

    def close(self):
        """Close the descriptor; the memory is unmapped when the last view on it goes."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        self.arrays = None


# ---------------------------------------------------------------------- the parent's side
def _spin(conn, seconds):
    """Poll ``conn`` until it has data or ``seconds`` have passed; True if it has data."""
    if conn.poll():
        return True
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        if conn.poll():
            return True
    return False


def _process_state(pid):
    """'stopped', 'running', ... as /proc says (Linux), or 'not answering'."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "not answering"
    return {"T": "stopped (SIGSTOP or a debugger)", "t": "stopped by a debugger", "R": "still running",
            "S": "sleeping", "D": "waiting for the disk", "Z": "exited"}.get(state, f"in state {state!r}")


def _how_it_ended(code):
    if code is None:
        return "closed its socket (and was killed)"
    if code < 0:
        try:
            return f"exited (killed by signal {signal.Signals(-code).name})"
        except ValueError:
            return f"exited (killed by signal {-code})"
    return f"exited (exit code {code})"


class Worker:
    """One worker subprocess and the Unix socket to it.

    ``pending`` counts the replies not yet read; a worker is reusable only at 0 (-1:
    broken, never reused).
    """

    def __init__(self):
        parent, child = socket.socketpair()
        env = dict(os.environ)
        env.update(dict.fromkeys(THREAD_VARIABLES, "1"))  # one BLAS thread per worker
        # the child imports this very package, also from a source tree that is not installed
        # (its directory goes first, unless the interpreter's path already has it)
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        code = (f"import sys; root = {root!r}; root in sys.path or sys.path.insert(0, root); "
                f"from sktemporal._parallel._workers import serve; serve({child.fileno()})")
        try:
            self.process = subprocess.Popen([sys.executable, "-c", code], pass_fds=(child.fileno(),),
                                            env=env, stdin=subprocess.DEVNULL)
        except BaseException:
            parent.close()
            raise
        finally:
            child.close()
        self.pid, self.owner = self.process.pid, os.getpid()
        self.sock = parent
        self.conn = Connection(os.dup(parent.fileno()))
        self.pending = 0

    def setup(self, task, fd, spec):
        """Send ``task`` and the shared memory ``fd`` (with its ``spec``); the reply is awaited by :meth:`ready`."""
        self.pending += 1
        self.conn.send_bytes(_SETUP + pickle.dumps((task, spec), protocol=pickle.HIGHEST_PROTOCOL))
        socket.send_fds(self.sock, [b"F"], [fd])

    def ready(self):
        """Wait (at most ``SETUP_TIMEOUT`` seconds) for the worker to have set its task up."""
        self.receive(SETUP_TIMEOUT, "to set up its task")

    def call(self, method, *args):
        """Call ``task.method(*args)`` in the worker (no reply; an error is reported by the next step)."""
        self.conn.send_bytes(_CALL + pickle.dumps((method, args), protocol=pickle.HIGHEST_PROTOCOL))

    def step(self):
        """Ask for the task's next step; :meth:`receive` reads its result."""
        self.pending += 1
        self.conn.send_bytes(_STEP)

    def release(self):
        """Drop the task and its shared memory in the worker (no reply)."""
        self.conn.send_bytes(_RELEASE)

    def receive(self, timeout, what="to compute its share"):
        """The next reply, waiting at most ``timeout`` seconds.

        Raises :class:`WorkerLost` if it exited or did not answer in time,
        :class:`WorkerError` with its traceback if it failed; either way the worker is killed.
        """
        try:
            if not _spin(self.conn, min(_PARENT_SPIN, timeout)) and not self.conn.poll(
                    max(timeout - _PARENT_SPIN, 0)):
                state = _process_state(self.pid)
                self.kill()
                raise WorkerLost(f"Training worker process {self.pid} did not answer within {timeout:.3g} s "
                                 f"{what}: it was {state}. It has been killed.")
            reply = self.conn.recv()
        except (EOFError, OSError):
            try:  # its socket closed: it is exiting, let it say how
                code = self.process.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                code = None
            self.kill()
            raise WorkerLost(f"Training worker process {self.pid} {_how_it_ended(code)} while it had {what}.") from None
        self.pending -= 1
        if reply[0] == "error":
            self.kill()
            raise WorkerError(f"Training worker process {self.pid} failed:\n{reply[1]}")
        return reply[1:]

    def alive(self):
        return self.process.poll() is None

    def kill(self):
        """Kill the worker (it is never reused)."""
        self.pending = -1
        self._close_socket()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def close(self, timeout=2.0):
        """Let an idle worker exit (end of file on its socket), killing it after ``timeout`` seconds."""
        self._close_socket()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def _close_socket(self):
        self.conn.close()
        self.sock.close()


class _Pool:
    """Idle workers, reused from fit to fit (thread-safe: a fit takes workers out)."""

    def __init__(self):
        self.idle = []
        self.lock = threading.Lock()

    def acquire(self, n):
        """``n`` workers: idle ones first, new ones for the rest."""
        with self.lock:
            self._forget_inherited()
            taken, self.idle = self.idle[:n], self.idle[n:]
        for w in [w for w in taken if not w.alive()]:
            taken.remove(w)
            w.kill()
        try:
            while len(taken) < n:
                taken.append(Worker())
        except BaseException:
            for w in taken:
                w.kill()
            raise
        return taken

    def release(self, workers):
        """Keep the workers that finished cleanly (up to one per other CPU), kill the others."""
        keep = max(1, (os.cpu_count() or 2) - 1)
        for w in workers:
            if w.pending == 0 and w.alive():
                with self.lock:
                    if len(self.idle) < keep:
                        self.idle.append(w)
                        continue
                w.close(timeout=0.5)
            else:  # interrupted mid-step, failed or timed out: never reused
                w.kill()

    def _forget_inherited(self):
        """After a ``fork`` the idle workers are the parent's: drop this copy of their sockets."""
        for w in [w for w in self.idle if w.owner != os.getpid()]:
            self.idle.remove(w)
            w._close_socket()

    def close(self):
        with self.lock:
            self._forget_inherited()
            workers, self.idle = self.idle, []
        for w in workers:
            w.close()


POOL = _Pool()
atexit.register(POOL.close)


# ---------------------------------------------------------------------- the worker's side
def serve(fd):
    """The worker's loop: run the task it is sent, step by step, until its socket closes.

    Messages (first byte): ``s`` + pickled ``(task, spec)``, followed by the shared memory's
    descriptor, maps the memory, calls ``task.attach(arrays)`` and replies ``("ready",)``;
    ``m`` + pickled ``(method, args)`` calls a method of the task (no reply); ``c`` replies
    ``("ok", *task.step())``; ``r`` calls ``task.release()`` and drops the task and the
    memory.  A failure replies ``("error", traceback)`` (for a message without a reply:
    with the next step).  The worker exits when the parent's end of the socket closes,
    also when the parent is killed.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    sock = socket.socket(fileno=fd)
    conn = Connection(os.dup(fd))
    task = error = None
    while True:
        try:
            _spin(conn, _WORKER_SPIN)
            message = conn.recv_bytes()
        except (EOFError, OSError):
            return
        kind, reply = message[:1], None
        try:
            if kind == _STEP:
                if error is not None:
                    raise RuntimeError(error)
                if task is None:
                    raise RuntimeError("a step was requested before any setup")
                reply = ("ok", *task.step())
            elif kind == _SETUP:
                task = error = None
                _, fds, _, _ = socket.recv_fds(sock, 1, 1)
                if not fds:
                    raise RuntimeError("no shared memory descriptor came with the setup")
                try:
                    new_task, spec = pickle.loads(message[1:])
                except BaseException:
                    os.close(fds[0])
                    raise
                new_task.attach(SharedArrays.attach(fds[0], spec))
                task, reply, new_task = new_task, ("ready",), None  # only `task` keeps the memory mapped
            elif kind == _CALL:
                method, args = pickle.loads(message[1:])
                getattr(task, method)(*args)
            elif kind == _RELEASE:
                if task is not None:
                    task.release()
                task = error = None
        except Exception:  # noqa: BLE001 (sent to the parent, which raises it)
            text = traceback.format_exc()
            if kind in (_STEP, _SETUP):
                reply = ("error", text)
            else:  # nothing waits for a reply: report it with the next step
                error = text
        if reply is not None:
            try:
                conn.send(reply)
            except OSError:  # the parent is gone
                return
