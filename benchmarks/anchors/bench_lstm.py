"""Epoch time of LSTMRegressor / GRURegressor against torch.nn.LSTM / GRU + Adam and skorch, in one run.

Same shapes (256 sequences of T steps, input size 1, many-to-one, batch 32), same dtype,
same optimizer (Adam, lr 1e-3), every library at its default thread count.  Prints a table
of ratios (below 1: sktemporal is faster).

The computation is the plain one on both sides: the network's options that change the
work are pinned to a many-to-one, one-direction recurrence read at its last step
(``PLAIN``: no input scaling, no validation split, no clipping, no patches, no pooling).
Two rows of ours: ``fit`` (what a user's fit costs: it also evaluates the training
objective at the end-of-epoch weights, once per epoch and once before the first, to keep
the best epoch) and ``partial_fit`` (``ours plain``: one epoch of updates and nothing
else, as torch's loop).

    flock /tmp/cpu.lock python benchmarks/anchors/bench_lstm.py [--cell lstm gru] [--repeats 5] [--rounds 3]
        [--quick] [--dtype float32] [--shapes 64,50 128,200] [--only sktemporal torch1]

Each measurement runs in a fresh subprocess: torch's OpenMP threads and numpy's OpenBLAS
threads busy-wait after their work, and in one process they slow each other down (an
epoch of either becomes 2-10x slower).  A measurement is one warm-up call and
``--repeats`` timed samples; ``--rounds`` rounds alternate the contenders so that all of
them meet the same background load.  A sample is the mean epoch time of one call that
trains 3 epochs: ``fit`` with ``warm_start=True`` (or three ``partial_fit`` calls) for
sktemporal, ``partial_fit(epochs=3)`` for skorch (``train_split=None``: no validation pass, the same
work as the others), a plain loop for torch.  The table shows the median sample and, in
parentheses, the best one (the least disturbed run); the ratios are of the medians.
"""

import argparse
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

SHAPES = [(64, 50), (128, 50), (64, 200), (128, 200)]
DTYPES = ["float64", "float32"]
N_SEQ, BATCH, N_IN, LR = 256, 32, 1, 1e-3
CELLS = ["lstm", "gru"]
#: the options of the networks that change the work, pinned to the plain computation
PLAIN = {"scaler": None, "bidirectional": False, "pooling": "last", "patch_size": None,
         "clip_norm": None, "early_stopping": False}


def make_data(T, dtype):
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(N_SEQ, T, N_IN)).astype(dtype)
    y = X[:, -10:, 0].sum(axis=1).astype(dtype)
    return X, y


EPOCHS_PER_SAMPLE = 3


def epochs(run, repeats):
    """Seconds per epoch: ``repeats`` samples, each the mean over one call that trains
    ``EPOCHS_PER_SAMPLE`` epochs (after a warm-up call)."""
    run()
    times = []
    for _ in range(repeats):
        tic = time.perf_counter()
        run()
        times.append((time.perf_counter() - tic) / EPOCHS_PER_SAMPLE)
    return times


# ------------------------------------------------------------------ the contenders
def _model(cell, H, n_jobs=None):
    from sktemporal.neural_network import GRURegressor, LSTMRegressor

    Est = {"lstm": LSTMRegressor, "gru": GRURegressor}[cell]
    return Est((H,), batch_size=BATCH, learning_rate_init=LR, max_iter=EPOCHS_PER_SAMPLE,
               n_iter_no_change=10**6, warm_start=True, shuffle=True, random_state=0,
               n_jobs=n_jobs, **PLAIN)


def sktemporal_epoch(cell, H, T, dtype, n_jobs=None):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    X, y = make_data(T, dtype)
    # warm_start: every call continues training for EPOCHS_PER_SAMPLE epochs, as one fit would
    model = _model(cell, H, n_jobs)

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)

    return run


def sktemporal2_epoch(cell, H, T, dtype):
    """n_jobs=2: each minibatch's sequences split over two processes (the machine's two cores)."""
    return sktemporal_epoch(cell, H, T, dtype, n_jobs=2)


def sktemporal_plain_epoch(cell, H, T, dtype):
    """``partial_fit``: one epoch of minibatch updates per call, no end-of-epoch evaluation."""
    X, y = make_data(T, dtype)
    model = _model(cell, H)

    def run():
        for _ in range(EPOCHS_PER_SAMPLE):
            model.partial_fit(X, y)

    return run


def _torch_net(cell, H, dtype):
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](N_IN, H, batch_first=True)
            self.out = torch.nn.Linear(H, 1)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.out(out[:, -1])

    return Net().to(getattr(torch, dtype))


def torch_epoch(cell, H, T, dtype):
    import torch

    X, y = make_data(T, dtype)
    net = _torch_net(cell, H, dtype)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y[:, None])

    def run():
        for _ in range(EPOCHS_PER_SAMPLE):
            perm = torch.randperm(N_SEQ)
            for i in range(0, N_SEQ, BATCH):
                idx = perm[i: i + BATCH]
                opt.zero_grad()
                loss = torch.nn.functional.mse_loss(net(Xt[idx]), yt[idx])
                loss.backward()
                opt.step()

    return run


def torch1_epoch(cell, H, T, dtype):
    """torch on one thread: the per-core comparison (sktemporal trains with one BLAS thread)."""
    import torch

    torch.set_num_threads(1)
    return torch_epoch(cell, H, T, dtype)


def skorch_epoch(cell, H, T, dtype):
    import torch
    from skorch import NeuralNetRegressor

    X, y = make_data(T, dtype)
    net = NeuralNetRegressor(
        _torch_net(cell, H, dtype), criterion=torch.nn.MSELoss, optimizer=torch.optim.Adam, lr=LR,
        batch_size=BATCH, max_epochs=1, train_split=None, iterator_train__shuffle=True, verbose=0,
    )
    return lambda: net.partial_fit(X, y[:, None], epochs=EPOCHS_PER_SAMPLE)


CONTENDERS = {"sktemporal": sktemporal_epoch, "sktemporal_plain": sktemporal_plain_epoch,
              "sktemporal2": sktemporal2_epoch, "torch": torch_epoch, "torch1": torch1_epoch,
              "skorch": skorch_epoch}


def worker(name, cell, H, T, dtype, repeats):
    """Run in a subprocess: print the epoch times as JSON."""
    times = epochs(CONTENDERS[name](cell, H, T, dtype), repeats)
    print(json.dumps(times))


def measure(name, cell, H, T, dtype, repeats):
    out = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--worker", name, cell, str(H), str(T), dtype,
         str(repeats)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def versions():
    import scipy
    import torch

    import sktemporal

    found = [f"python {platform.python_version()}", f"numpy {np.__version__}", f"scipy {scipy.__version__}",
             f"torch {torch.__version__} ({torch.get_num_threads()} threads)", f"sktemporal {sktemporal.__version__}"]
    try:
        import skorch

        found.append(f"skorch {skorch.__version__}")
    except ImportError:
        pass
    return ", ".join(found)


OURS = {"sktemporal": "ours", "sktemporal_plain": "ours plain", "sktemporal2": "ours n_jobs=2"}


def main(repeats=5, shapes=SHAPES, dtypes=DTYPES, contenders=tuple(CONTENDERS), rounds=3, cells=("lstm",)):
    try:
        import skorch  # noqa: F401
    except ImportError:
        contenders = [c for c in contenders if c != "skorch"]
    ours = [c for c in contenders if c in OURS]
    ratios = [(f"{OURS[o]}/{a}", o, a, False) for o in ours for a in ("torch", "torch1") if a in contenders]
    ratios += [(f"skorch/{OURS[o]}", o, "skorch", True) for o in ours if "skorch" in contenders]
    print(f"versions: {versions()}", flush=True)
    print(f"{'cell':>4} {'dtype':>8} {'H':>4} {'T':>4} " + " ".join(f"{c + ' ms':>14}" for c in contenders)
          + "".join(f" {name:>22}" for name, *_ in ratios), flush=True)
    rows = []
    for cell, dtype, (H, T) in itertools.product(cells, dtypes, shapes):
        res = {c: [] for c in contenders}
        for _ in range(rounds):
            for c in contenders:
                res[c] += measure(c, cell, H, T, dtype, repeats)
        best = {c: min(t) for c, t in res.items()}
        med = {c: statistics.median(t) for c, t in res.items()}
        rows.append((cell, dtype, H, T, best, med))
        line = f"{cell:>4} {dtype:>8} {H:>4} {T:>4} " + " ".join(
            f"{1e3 * med[c]:>6.0f} ({1e3 * best[c]:>5.0f})" for c in contenders)
        for _, o, a, inverse in ratios:
            line += f" {(med[a] / med[o] if inverse else med[o] / med[a]):>22.2f}"
        print(line, flush=True)
    return rows


def run(quick=False):
    """Rows for ``benchmarks/run.py``: (benchmark, case, quantity, ours, anchor name, anchor)."""
    import torch  # noqa: F401  (the anchor: ImportError skips this benchmark)

    rows = main(repeats=3, shapes=SHAPES[:1], rounds=1) if quick else main()
    out = []
    for cell, dtype, H, T, _, med in rows:
        for ours, case in (("sktemporal", ""), ("sktemporal_plain", ", partial_fit"),
                           ("sktemporal2", ", n_jobs=2")):
            for anchor, label in (("torch", "torch.nn.LSTM + Adam"), ("torch1", "torch.nn.LSTM + Adam, 1 thread"),
                                  ("skorch", "skorch NeuralNetRegressor")):
                if anchor in med and ours in med:
                    out.append((f"{cell.upper()} epoch (median)", f"H={H} T={T} {dtype}{case}", "seconds",
                                med[ours], label.replace("LSTM", cell.upper()), med[anchor]))
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one shape, 3 repeats")
    parser.add_argument("--only", nargs="+", choices=list(CONTENDERS))
    parser.add_argument("--dtype", nargs="+", choices=DTYPES, default=DTYPES)
    parser.add_argument("--shapes", nargs="+", help="H,T pairs, e.g. 64,50 128,200")
    parser.add_argument("--cell", nargs="+", choices=CELLS, default=["lstm"])
    parser.add_argument("--worker", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        name, cell, H, T, dtype, repeats = args.worker
        worker(name, cell, int(H), int(T), dtype, int(repeats))
    else:
        shapes = [tuple(int(v) for v in s.split(",")) for s in args.shapes] if args.shapes else SHAPES
        if args.quick:
            shapes, args.repeats, args.rounds = shapes[:1], 3, 1
        main(args.repeats, shapes, args.dtype, args.only or tuple(CONTENDERS), args.rounds, args.cell)
