"""Peak resident memory of the calling process and of its worker with n_jobs=2 on a ~160 MB dataset.

    python benchmarks/experiments/rss_workers.py [serial]

Fits an ``LSTMRegressor((8,), n_jobs=2, max_iter=1)`` on 2000 float64 sequences of 1000
steps and 10 features (160 MB), then prints the peak RSS (``VmHWM``) of this process and
of the worker process (which stays idle in the pool after the fit), and the worker's
proportional set size (shared pages divided among the processes mapping them).
"""

import time
import warnings

import numpy as np


def status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # MB
    return float("nan")


def workers():
    try:  # the pool's home since the worker runtime has its own subpackage
        from sktemporal._parallel import _workers as module
    except ImportError:
        try:  # before, in utils
            from sktemporal.utils import _workers as module
        except ImportError:
            from sktemporal.neural_network import _gradients as module
    pool = getattr(module, "POOL", None) or module._POOL
    return [w.process.pid for w in pool.idle]


def main(n_jobs=2):
    from sklearn.exceptions import ConvergenceWarning

    from sktemporal.neural_network import LSTMRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(2000, 1000, 10))
    y = X[:, -5:, 0].sum(axis=1)
    print(f"data: X {X.nbytes / 2**20:.0f} MB; before fit: RSS {status('self', 'VmRSS'):.0f} MB")
    tic = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        LSTMRegressor((8,), batch_size=200, max_iter=1, random_state=0, n_jobs=n_jobs).fit(X, y)
    print(f"fit (n_jobs={n_jobs}): {time.perf_counter() - tic:.1f} s")
    print(f"parent peak RSS {status('self', 'VmHWM'):.0f} MB")
    for pid in workers():
        with open(f"/proc/{pid}/smaps_rollup") as f:
            pss = next(int(line.split()[1]) for line in f if line.startswith("Pss:")) / 1024
        print(f"worker {pid}: peak RSS {status(pid, 'VmHWM'):.0f} MB, RSS now {status(pid, 'VmRSS'):.0f} MB, "
              f"PSS now {pss:.0f} MB")


if __name__ == "__main__":
    import sys

    main(None if sys.argv[1:] == ["serial"] else 2)
