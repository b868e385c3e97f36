"""Echo state networks: sktemporal against reservoirpy (and PyRCN), same tasks, one process.

Tasks (issue 3):

* ``mg1000`` / ``mg5000``: Mackey–Glass (τ=17) 10,000 steps, standardised, one step
  ahead; fit on the first 8000 (washout 100), predict the last 2000; 1000 units at
  density 0.1 and 5000 units at density 0.01.
* ``collection``: 300 ragged sequences of length 7–30 with 12 features
  (``make_sequence_classification``), 3 classes, 500 units; fit on 200 sequences,
  predict 100; readout on the mean state of each sequence.

Both libraries get the same hyperparameters and weight distributions (uniform
:math:`[-1, 1]` for ``W``, dense uniform ``W_in``, uniform bias, leak, spectral radius,
ridge, no input in the readout) and draw their own reservoir; the timed unit is
*construct + fit + predict* (the spectral radius is part of fitting a reservoir).
Each library first runs once untimed (the first large allocations of a process are
slow on a fresh VM: 2 s per GB of page faults were measured here), then ``--repeat``
timed runs alternate between the libraries and the best (minimum) time is reported:
on a shared machine the minimum is the least disturbed measure.  Peak memory is
measured in one further run under ``tracemalloc`` (numpy allocations included).
NRMSE is scored on the test steps after the first 100 (PyRCN restarts its state at
predict; sktemporal and reservoirpy continue from the end of the training series).

A same-weights check hands sktemporal's matrices to reservoirpy: the two predictions
must agree (shown as max |Δ|).  The machine floor of each series task is the bare
per-step loop (scipy's CSR kernel, or a dense GEMV when faster, 10,000 sequential
products) plus one GEMM ``H.T @ H`` of the 7900 training states.

Run alone on a quiet machine::

    flock /tmp/cpu.lock python benchmarks/anchors/bench_esn.py [--tasks mg1000,mg5000,collection]
        [--repeat 3] [--threads 2] [--pyrcn]

``--fresh`` (series tasks) instead times every run in a new process, as a user's first
fit: imports and data excluded, first-call costs (page faults, ARPACK, BLAS start-up)
included, no warm-up; sktemporal on float64 and on float32 input and reservoirpy
alternate, ``--repeat`` runs each, median and range reported.  ``--alpha`` replaces the
ridge penalty (float32 input has its readout sums in float32 only when the penalty
absorbs their rounding, about ``alpha >= 1.2e-7 * trace(H^T H)``: not at the default 1e-8)::

    flock /tmp/cpu.lock python benchmarks/anchors/bench_esn.py --fresh --tasks mg1000,mg5000 [--alpha 10]
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import tracemalloc
import warnings

import numpy as np
import scipy
import scipy.sparse as sp
import sklearn
from threadpoolctl import threadpool_limits

import sktemporal
from sktemporal.datasets import mackey_glass, make_sequence_classification
from sktemporal.metrics import nrmse
from sktemporal.reservoir import ESNClassifier, ESNRegressor
from sktemporal.reservoir._states import _csr_matvec

SERIES = {
    "mg1000": dict(n_reservoir=1000, density=0.1),
    "mg5000": dict(n_reservoir=5000, density=0.01),
}
MG = dict(leak_rate=0.3, spectral_radius=0.9, input_scaling=1.0, bias_scaling=0.0, alpha=1e-8)
COLLECTION = dict(n_reservoir=500, density=0.1, leak_rate=1.0, spectral_radius=0.9,
                  input_scaling=0.3, bias_scaling=0.5, alpha=0.1)


# ----------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------
def series_data():
    X, y = mackey_glass(10000, random_state=0)
    mean, std = X.mean(), X.std()
    X, y = (X - mean) / std, (y - mean) / std
    return X[:8000], y[:8000], X[8000:], y[8000:]


def collection_data():
    X, y = make_sequence_classification(300, n_classes=3, n_features=12, min_length=7,
                                        max_length=30, random_state=0)
    return X[:200], y[:200], X[200:], y[200:]


# ----------------------------------------------------------------------------------
# the three libraries
# ----------------------------------------------------------------------------------
def ours_series(Xtr, ytr, Xte, n_reservoir, density, seed=0, alpha=None):
    params = MG if alpha is None else {**MG, "alpha": alpha}
    esn = ESNRegressor(n_reservoir, density=density, washout=100, include_input=False,
                       random_state=seed, **params)
    return esn.fit(Xtr, ytr).predict(Xte)


def _rpy_nodes(n_reservoir, density, leak_rate, spectral_radius, input_scaling, bias_scaling,
               alpha, seed=0, W=None, Win=None, bias=None):
    from reservoirpy import mat_gen
    from reservoirpy.nodes import Reservoir, Ridge

    uniform = mat_gen.uniform(low=-1.0, high=1.0)
    res = Reservoir(
        n_reservoir, lr=leak_rate, sr=spectral_radius, input_scaling=input_scaling,
        rc_connectivity=density, input_connectivity=1.0,
        W=uniform if W is None else W, Win=uniform if Win is None else Win,
        bias=mat_gen.uniform(low=-bias_scaling, high=bias_scaling) if bias is None and bias_scaling
        else (0.0 if bias is None else bias),
        seed=seed,
    )
    return res, Ridge(ridge=alpha)


def rpy_series(Xtr, ytr, Xte, n_reservoir, density, seed=0, alpha=None, **weights):
    params = MG if alpha is None else {**MG, "alpha": alpha}
    res, ridge = _rpy_nodes(n_reservoir, density, seed=seed, **params, **weights)
    model = res >> ridge
    model.fit(Xtr, ytr[:, None], warmup=100)
    return model.run(Xte)[:, 0]


def pyrcn_series(Xtr, ytr, Xte, n_reservoir, density, seed=0):
    from pyrcn.base.blocks import InputToNode, NodeToNode
    from pyrcn.echo_state_network import ESNRegressor as PyrcnESN
    from pyrcn.linear_model import IncrementalRegression

    esn = PyrcnESN(
        input_to_node=InputToNode(hidden_layer_size=n_reservoir, sparsity=1.0,
                                  input_scaling=MG["input_scaling"], bias_scaling=0.0,
                                  random_state=seed),
        node_to_node=NodeToNode(hidden_layer_size=n_reservoir, sparsity=density,
                                spectral_radius=MG["spectral_radius"], leakage=MG["leak_rate"],
                                random_state=seed),
        regressor=IncrementalRegression(alpha=MG["alpha"]), washout=100, verbose=False,
    )
    return esn.fit(Xtr, ytr).predict(Xte)


def ours_collection(Xtr, ytr, Xte, seed=0):
    clf = ESNClassifier(pooling="mean", include_input=False, random_state=seed, **COLLECTION)
    return clf.fit(Xtr, ytr).predict(Xte)


def rpy_collection(Xtr, ytr, Xte, seed=0):
    res, ridge = _rpy_nodes(seed=seed, **COLLECTION)
    classes = np.unique(ytr)

    def features(X):
        if getattr(res, "initialized", False):
            res.reset()
        return np.array([s.mean(axis=0) for s in res.run(X)])  # each sequence from the reset state

    onehot = (ytr[:, None] == classes[None, :]).astype(float)
    ridge.fit(features(Xtr), onehot)
    return classes[ridge.run(features(Xte)).argmax(axis=1)]


# ----------------------------------------------------------------------------------
# measurement
# ----------------------------------------------------------------------------------
def machine_floor(n_reservoir, density, n_steps=10000, n_train=7900):
    """Bare sequential products (CSR kernel or dense GEMV, the faster) + one Gram GEMM, best of 2."""
    rng = np.random.RandomState(0)
    W = sp.random(n_reservoir, n_reservoir, density=density, random_state=rng, format="csr")
    h = rng.rand(n_reservoir)
    out = np.zeros(n_reservoir)
    Wd = W.toarray() if n_reservoir <= 2000 else None
    H = rng.rand(n_train, n_reservoir)
    G = np.empty((n_reservoir, n_reservoir))
    loop = gemm = np.inf
    for _ in range(2):
        t0 = time.perf_counter()
        for _ in range(n_steps):
            _csr_matvec(n_reservoir, n_reservoir, W.indptr, W.indices, W.data, h, out)
        loop = min(loop, time.perf_counter() - t0)
        if Wd is not None:
            t0 = time.perf_counter()
            for _ in range(n_steps):
                np.dot(Wd, h, out=out)
            loop = min(loop, time.perf_counter() - t0)
        t0 = time.perf_counter()
        np.dot(H.T, H, out=G)
        gemm = min(gemm, time.perf_counter() - t0)
    return loop, gemm


def collection_floor(n_reservoir, density, *collections):
    """Bare batched CSR products over the active sequences of every step (sorted by length), best of 3."""
    from sktemporal.reservoir._states import _csr_matvecs

    rng = np.random.RandomState(0)
    W = sp.random(n_reservoir, n_reservoir, density=density, random_state=rng, format="csr")
    best = np.inf
    for _ in range(3):
        total = 0.0
        for X in collections:
            lengths = np.array([len(x) for x in X])
            for t in range(lengths.max()):
                B = int((lengths > t).sum())
                h = rng.rand(n_reservoir, B)
                out = np.zeros((n_reservoir, B))
                t0 = time.perf_counter()
                _csr_matvecs(n_reservoir, n_reservoir, B, W.indptr, W.indices, W.data, h.ravel(),
                             out.ravel())
                total += time.perf_counter() - t0
        best = min(best, total)
    return best


def same_weights_check(Xtr, ytr, Xte, n_reservoir, density):
    esn = ESNRegressor(n_reservoir, density=density, washout=100, include_input=False,
                       random_state=0, **MG).fit(Xtr, ytr)
    ours = esn.predict(Xte)
    W_in = esn.input_weights_
    theirs = rpy_series(Xtr, ytr, Xte, n_reservoir, density, W=esn.reservoir_weights_,
                        Win=W_in[:, 1:], bias=W_in[:, 0])
    return float(np.abs(ours - theirs).max())


def run_series(task, args, rows):
    Xtr, ytr, Xte, yte = series_data()
    cfg = SERIES[task]
    libs = {"sktemporal": ours_series, "reservoirpy": rpy_series}
    if args.pyrcn:
        libs["PyRCN"] = pyrcn_series
    results = {name: [] for name in libs}
    for fn in libs.values():  # warm-up
        fn(Xtr, ytr, Xte, **cfg)
    for _ in range(args.repeat):  # alternate libraries so machine noise hits all alike
        for name, fn in libs.items():
            t0 = time.perf_counter()
            pred = fn(Xtr, ytr, Xte, **cfg)
            results[name].append((time.perf_counter() - t0, pred))
    summary = {}
    for name, fn in libs.items():
        tracemalloc.start()
        fn(Xtr, ytr, Xte, **cfg)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        t = min(r[0] for r in results[name])
        pred = results[name][-1][1]
        summary[name] = (t, peak, nrmse(yte[100:], pred[100:]))
    loop, gemm = machine_floor(cfg["n_reservoir"], cfg["density"])
    delta = same_weights_check(Xtr, ytr, Xte, **cfg)
    label = f"Mackey-Glass 10k steps, {cfg['n_reservoir']} units, density {cfg['density']}"
    rows.append((label, summary, f"{loop + gemm:.2f} s (loop {loop:.2f} + GEMM {gemm:.2f})",
                 f"{delta:.1e}"))


def run_collection(args, rows):
    Xtr, ytr, Xte, yte = collection_data()
    libs = {"sktemporal": ours_collection, "reservoirpy": rpy_collection}
    results = {name: [] for name in libs}
    for fn in libs.values():  # warm-up
        fn(Xtr, ytr, Xte)
    for _ in range(args.repeat):
        for name, fn in libs.items():
            t0 = time.perf_counter()
            pred = fn(Xtr, ytr, Xte)
            results[name].append((time.perf_counter() - t0, pred))
    summary = {}
    for name, fn in libs.items():
        tracemalloc.start()
        fn(Xtr, ytr, Xte)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        t = min(r[0] for r in results[name])
        summary[name] = (t, peak, float(np.mean(results[name][-1][1] == yte)))
    floor = collection_floor(COLLECTION["n_reservoir"], COLLECTION["density"], Xtr, Xte)
    rows.append(("300 ragged sequences (7–30 steps, 12 features), 500 units, 3 classes",
                 summary, f"{floor:.3f} s (batched CSR products)", ""))


FRESH = (("sktemporal float64", "float64"), ("sktemporal float32", "float32"), ("reservoirpy", "float64"))


def fresh_child(task, lib, dtype, alpha, threads):
    """One timed construct + fit + predict in this (new) process; prints seconds and NRMSE as JSON."""
    Xtr, ytr, Xte, yte = (a.astype(dtype) for a in series_data())
    fn = rpy_series if lib == "reservoirpy" else ours_series
    warnings.simplefilter("ignore")
    with threadpool_limits(threads):
        t0 = time.perf_counter()
        pred = fn(Xtr, ytr, Xte, **SERIES[task], alpha=alpha)
        seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "nrmse": float(nrmse(yte[100:], pred[100:]))}))


def run_fresh(args):
    """Each run in a new process (see the module); a table of medians, ranges and ratios."""
    # the children import the sktemporal this process imported (a checkout, not the installed one)
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(sktemporal.__file__))}
    rows = []
    for task in args.tasks.split(","):
        runs = {name: [] for name, _ in FRESH}
        for _ in range(args.repeat):  # alternate, so machine noise hits all alike
            for name, dtype in FRESH:
                lib = "reservoirpy" if name == "reservoirpy" else "sktemporal"
                cmd = [sys.executable, __file__, "--child", task, lib, dtype, repr(args.alpha), str(args.threads)]
                out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout
                runs[name].append(json.loads(out.strip().splitlines()[-1]))
        rows.append((task, runs))
    print(f"fresh processes, {args.repeat} runs each; alpha {args.alpha:g}; BLAS threads {args.threads}")
    print("| task | run | median s | range s | vs reservoirpy | vs float64 | NRMSE |")
    print("|---|---|---|---|---|---|---|")
    for task, runs in rows:
        med = {name: float(np.median([r["seconds"] for r in rs])) for name, rs in runs.items()}
        for name, rs in runs.items():
            t = [r["seconds"] for r in rs]
            print(f"| {task} | {name} | {med[name]:.2f} | {min(t):.2f}–{max(t):.2f} | "
                  f"{med['reservoirpy'] / med[name]:.2f}× | {med['sktemporal float64'] / med[name]:.2f}× | "
                  f"{rs[-1]['nrmse']:.3e} |")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        task, lib, dtype, alpha, threads = sys.argv[2:7]
        return fresh_child(task, lib, dtype, float(alpha), int(threads))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", default="mg1000,mg5000,collection")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="BLAS threads for both libraries")
    parser.add_argument("--pyrcn", action="store_true", help="also run PyRCN (series tasks; slow)")
    parser.add_argument("--fresh", action="store_true", help="every run in a new process (series tasks)")
    parser.add_argument("--alpha", type=float, default=MG["alpha"], help="ridge penalty (--fresh)")
    args = parser.parse_args()
    import reservoirpy

    versions = (f"Python {platform.python_version()}, numpy {np.__version__}, scipy "
                f"{scipy.__version__}, scikit-learn {sklearn.__version__}, sktemporal "
                f"{sktemporal.__version__}, reservoirpy {reservoirpy.__version__}")
    if args.pyrcn:
        import pyrcn

        versions += f", PyRCN {pyrcn.__version__}"
    print(f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}; {versions}; "
          f"BLAS threads {args.threads}; load average {os.getloadavg()[0]:.1f}")
    if args.fresh:
        return run_fresh(args)
    rows = []
    warnings.simplefilter("ignore")  # reservoirpy warns about its ill-conditioned solve
    with threadpool_limits(args.threads):
        for task in args.tasks.split(","):
            if task == "collection":
                run_collection(args, rows)
            else:
                run_series(task, args, rows)
    others = ["reservoirpy"] + (["PyRCN"] if args.pyrcn else [])
    head = ["task", "sktemporal s", *[f"{o} s" for o in others], *[f"speed-up vs {o}" for o in others],
            "peak MB ours", *[f"peak MB {o}" for o in others], "memory ratio vs reservoirpy",
            "score ours", *[f"score {o}" for o in others], "machine floor", "same weights max |Δ|"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for label, s, floor, delta in rows:
        t0, m0, q0 = s["sktemporal"]
        cells = [label, f"{t0:.2f}"]
        cells += [f"{s[o][0]:.2f}" if o in s else "–" for o in others]
        cells += [f"{s[o][0] / t0:.1f}×" if o in s else "–" for o in others]
        cells += [f"{m0:.0f}"] + [f"{s[o][1]:.0f}" if o in s else "–" for o in others]
        cells += [f"{m0 / s['reservoirpy'][1]:.2f}"]
        fmt = "{:.2e}" if "Mackey" in label else "{:.2f}"
        cells += [fmt.format(q0)] + [fmt.format(s[o][2]) if o in s else "–" for o in others]
        cells += [floor or "–", delta or "–"]
        print("| " + " | ".join(cells) + " |")
    print("score: NRMSE on test steps 100..1999 (series), accuracy (collection).")


def run(quick=False):
    """Rows for ``benchmarks/run.py``: fit+predict time, peak memory and score against reservoirpy."""
    import reservoirpy  # noqa: F401  (the anchor: ImportError skips this benchmark)

    args = argparse.Namespace(repeat=1 if quick else 3, pyrcn=False)
    rows = []
    warnings.simplefilter("ignore")
    with threadpool_limits(2):
        for task in (["mg1000"] if quick else ["mg1000", "mg5000"]):
            run_series(task, args, rows)
        run_collection(args, rows)
    out = []
    for label, s, _, _ in rows:
        (t0, m0, q0), (t1, m1, q1) = s["sktemporal"], s["reservoirpy"]
        short = ("300 ragged sequences, 500 units" if "ragged" in label
                 else label.split(",")[0] + ", " + label.split(",")[1].strip())
        score = "test NRMSE" if "Mackey" in label else "accuracy"
        out += [("ESN fit+predict", short, "seconds", t0, "reservoirpy", t1),
                ("ESN fit+predict", short, "peak MB", m0, "reservoirpy", m1),
                ("ESN accuracy", short, score, q0, "reservoirpy", q1)]
    return out


if __name__ == "__main__":
    main()
