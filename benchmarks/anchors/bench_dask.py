"""ESNRegressor on a 2,000,000 x 16 series: in memory, one process, against a 2-worker dask cluster.

The series is built chunk by chunk on the workers (a quasi-periodic 16-feature input,
three sines per feature; the target mixes delayed inputs, so it needs the reservoir's
memory) and persisted there before any timing: the data lives on the cluster, as it
would on a real one.  Three fits of ``ESNRegressor(n_reservoir=400, leak_rate=0.3,
washout=100)``:

* ``memory``: the same series generated as numpy arrays in this process and fitted in
  memory, one process (BLAS with its default threads): the anchor;
* ``pull``: the dask arrays pulled into this process (``np.asarray``) and fitted in
  memory, which is what ``fit`` did with a dask array before it learned dask;
* ``dask``: ``fit`` on the dask arrays: per-chunk sums on the workers, one solve here.

Two more modes choose the penalty among 13 (``ESNRegressorCV``, ``TimeSeriesSplit(5)``,
``alpha`` left out of the parameters): ``memory-cv`` fits the numpy arrays in one
process (its single pass keeps the readout rows of the test folds: about
``5/6 x steps x 416`` float64 numbers), ``dask-cv`` the dask arrays on the cluster (block
sums on the workers, the test chunks scored there in a second pass).

Reported: fit seconds, this process's memory growth (peak RSS sampled every 20 ms, minus
the RSS before the fit), the workers' RSS after the fit, test NRMSE on the next 100,000
steps (predicted in memory by each model) and the largest difference between the
predictions of the dask and in-memory models.

Run alone (timings need the machine to themselves)::

    flock /tmp/cpu.lock python benchmarks/anchors/bench_dask.py [--steps 2000000] [--chunk 250000]
        [--modes memory,pull,dask,memory-cv,dask-cv]
"""

import argparse
import os
import platform
import threading
import time

import numpy as np

N_FEATURES = 16
DELAYS = (3, 7, 1)
# bias_scaling pinned to 1.0: the figures in benchmarks/README.md were measured before the
# ESN default moved to 0.5
PARAMS = dict(n_reservoir=400, leak_rate=0.3, spectral_radius=0.9, input_scaling=0.3, density=0.1,
              bias_scaling=1.0, washout=100, alpha=1e-6, random_state=0)


# ----------------------------------------------------------------------------------
# data: a deterministic function of the time index, so any chunk is built on its own
# ----------------------------------------------------------------------------------
def _coefficients():
    rs = np.random.RandomState(0)
    freq = rs.uniform(0.001, 0.05, size=(3, N_FEATURES))
    phase = rs.uniform(0, 2 * np.pi, size=(3, N_FEATURES))
    amp = rs.uniform(0.3, 1.0, size=(3, N_FEATURES))
    return freq, phase, amp


def _inputs(t):
    freq, phase, amp = _coefficients()
    t = t[:, None].astype(np.float64)
    return sum(amp[m] * np.sin(freq[m] * t + phase[m]) for m in range(3))


def make_series(start, n):
    """Steps ``start .. start + n - 1``: X ``(n, 16)`` and y ``(n,)``."""
    t = np.arange(start, start + n)
    X = _inputs(t)
    a, b, c = (_inputs(t - d) for d in DELAYS)
    y = a[:, 0] * b[:, 1] + 0.5 * np.tanh(c[:, 2] + c[:, 3])
    return X, y


def _block_X(block_info=None):
    (start, stop), _ = block_info[None]["array-location"]
    return make_series(start, stop - start)[0]


def _block_y(block_info=None):
    (start, stop), = block_info[None]["array-location"]
    return make_series(start, stop - start)[1]


def dask_series(n, chunk):
    import dask.array as da

    chunks = tuple([chunk] * (n // chunk) + ([n % chunk] if n % chunk else []))
    X = da.map_blocks(_block_X, chunks=(chunks, (N_FEATURES,)), dtype=np.float64)
    y = da.map_blocks(_block_y, chunks=(chunks,), dtype=np.float64)
    return X, y


# ----------------------------------------------------------------------------------
# measurement
# ----------------------------------------------------------------------------------
class PeakRSS:
    """Peak resident memory of this process over a block, sampled every 20 ms."""

    def __init__(self):
        import psutil

        self.process = psutil.Process()

    def __enter__(self):
        self.before = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)
        self.growth_mb = (self.peak - self.before) / 2**20


def _rss_mb():
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def nrmse(y, p):
    return float(np.sqrt(np.mean((y - p) ** 2)) / np.std(y))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2_000_000)
    parser.add_argument("--chunk", type=int, default=250_000)
    parser.add_argument("--test", type=int, default=100_000)
    parser.add_argument("--modes", default="memory,pull,dask")
    args = parser.parse_args()
    modes = args.modes.split(",")

    import dask
    import distributed
    import scipy
    import sklearn
    from distributed import Client, LocalCluster, wait

    import sktemporal
    from sktemporal.reservoir import ESNRegressor, ESNRegressorCV

    cv_params = {k: v for k, v in PARAMS.items() if k != "alpha"}

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"versions: python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"scikit-learn {sklearn.__version__}, dask {dask.__version__}, distributed {distributed.__version__}, "
          f"sktemporal {sktemporal.__version__}")
    print(f"series: {args.steps} x {N_FEATURES}, chunks of {args.chunk}; ESNRegressor({PARAMS})")
    X_test, y_test = make_series(args.steps, args.test)
    results = {}
    models = {}
    for mode, make in (("memory", lambda: ESNRegressor(**PARAMS)), ("memory-cv", lambda: ESNRegressorCV(**cv_params))):
        if mode not in modes:
            continue
        X, y = make_series(0, args.steps)
        with PeakRSS() as mem:
            t0 = time.perf_counter()
            models[mode] = make().fit(X, y)
            results[mode] = (time.perf_counter() - t0, mem)
        del X, y
    if {"pull", "dask", "dask-cv"} & set(modes):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            Xd, yd = dask_series(args.steps, args.chunk)
            Xd, yd = Xd.persist(), yd.persist()
            wait([Xd, yd])
            worker_before = client.run(_rss_mb)
            for mode in ("pull", "dask", "dask-cv"):
                if mode not in modes:
                    continue
                with PeakRSS() as mem:
                    t0 = time.perf_counter()
                    if mode == "pull":
                        models[mode] = ESNRegressor(**PARAMS).fit(np.asarray(Xd), np.asarray(yd))
                    elif mode == "dask":
                        models[mode] = ESNRegressor(**PARAMS).fit(Xd, yd)
                    else:
                        models[mode] = ESNRegressorCV(**cv_params).fit(Xd, yd)
                    results[mode] = (time.perf_counter() - t0, mem)
            worker_after = client.run(_rss_mb)
        print("worker RSS MB before/after the fits: "
              + ", ".join(f"{worker_before[w]:.0f}/{worker_after[w]:.0f}" for w in worker_before))
    preds = {m: est.predict(X_test) for m, est in models.items()}
    print()
    print("| fit | seconds | speed-up vs memory | client memory growth MB | test NRMSE | alpha |")
    print("|---|---|---|---|---|---|")
    for mode in modes:
        seconds, mem = results[mode]
        anchor = "memory-cv" if mode.endswith("cv") else "memory"
        ratio = results[anchor][0] / seconds if anchor in results else float("nan")
        alpha = getattr(models[mode], "alpha_", PARAMS["alpha"])
        print(f"| {mode} | {seconds:.1f} | {ratio:.2f} | {mem.growth_mb:.0f} | {nrmse(y_test, preds[mode]):.3g} "
              f"| {alpha:g} |")
    for a, b in (("dask", "memory"), ("dask-cv", "memory-cv")):
        if a in preds and b in preds:
            gap = np.abs(preds[a] - preds[b]).max()
            print(f"\nmax |prediction {a} - {b}| on the test steps: {gap:.2e}")


if __name__ == "__main__":
    main()
