"""Epoch time of LSTMRegressor against torch.nn.LSTM + Adam and skorch, measured in one run.

Same shapes (256 sequences of T steps, input size 1, many-to-one, batch 32), same dtype,
same optimizer (Adam, lr 1e-3), every library at its default thread count.  Prints a table
of ratios (below 1: sktemporal is faster).

    flock /tmp/cpu.lock python benchmarks/anchors/bench_lstm.py [--repeats 5] [--rounds 3] [--quick]

Each measurement runs in a fresh subprocess: torch's OpenMP threads and numpy's OpenBLAS
threads busy-wait after their work, and in one process they slow each other down (an
epoch of either becomes 2-10x slower).  A measurement is one warm-up call and
``--repeats`` timed samples; ``--rounds`` rounds alternate the contenders so that all of
them meet the same background load.  A sample is the mean epoch time of one call that
trains 3 epochs: ``fit`` with ``warm_start=True`` for sktemporal,
``partial_fit(epochs=3)`` for skorch (``train_split=None``: no validation pass, the same
work as the others), a plain loop for torch.  The table shows the best sample (the timeit
convention: the least disturbed run) and, in parentheses, the median.
"""

import argparse
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
def sktemporal_epoch(H, T, dtype, n_jobs=None):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from sktemporal.neural_network import LSTMRegressor

    X, y = make_data(T, dtype)
    # warm_start: every call continues training for EPOCHS_PER_SAMPLE epochs, as one fit would
    model = LSTMRegressor((H,), batch_size=BATCH, learning_rate_init=LR, max_iter=EPOCHS_PER_SAMPLE,
                          n_iter_no_change=10**6, warm_start=True, shuffle=True, random_state=0,
                          n_jobs=n_jobs)

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)

    return run


def sktemporal2_epoch(H, T, dtype):
    """n_jobs=2: each minibatch's sequences split over two processes (the machine's two cores)."""
    return sktemporal_epoch(H, T, dtype, n_jobs=2)


def _torch_net(H, dtype):
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(N_IN, H, batch_first=True)
            self.out = torch.nn.Linear(H, 1)

        def forward(self, x):
            _, (h_n, _) = self.lstm(x)
            return self.out(h_n[-1])

    return Net().to(getattr(torch, dtype))


def torch_epoch(H, T, dtype):
    import torch

    X, y = make_data(T, dtype)
    net = _torch_net(H, dtype)
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


def torch1_epoch(H, T, dtype):
    """torch on one thread: the per-core comparison (sktemporal trains with one BLAS thread)."""
    import torch

    torch.set_num_threads(1)
    return torch_epoch(H, T, dtype)


def skorch_epoch(H, T, dtype):
    import torch
    from skorch import NeuralNetRegressor

    X, y = make_data(T, dtype)
    net = NeuralNetRegressor(
        _torch_net(H, dtype), criterion=torch.nn.MSELoss, optimizer=torch.optim.Adam, lr=LR,
        batch_size=BATCH, max_epochs=1, train_split=None, iterator_train__shuffle=True, verbose=0,
    )
    return lambda: net.partial_fit(X, y[:, None], epochs=EPOCHS_PER_SAMPLE)


CONTENDERS = {"sktemporal": sktemporal_epoch, "sktemporal2": sktemporal2_epoch, "torch": torch_epoch,
              "torch1": torch1_epoch, "skorch": skorch_epoch}


def worker(name, H, T, dtype, repeats):
    """Run in a subprocess: print the epoch times as JSON."""
    times = epochs(CONTENDERS[name](H, T, dtype), repeats)
    print(json.dumps(times))


def measure(name, H, T, dtype, repeats):
    out = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--worker", name, str(H), str(T), dtype, str(repeats)],
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


OURS = {"sktemporal": "ours", "sktemporal2": "ours n_jobs=2"}


def main(repeats=5, shapes=SHAPES, dtypes=DTYPES, contenders=("sktemporal", "sktemporal2", "torch", "torch1", "skorch"),
         rounds=3):
    try:
        import skorch  # noqa: F401
    except ImportError:
        contenders = [c for c in contenders if c != "skorch"]
    ours = [c for c in contenders if c in OURS]
    ratios = [(f"{OURS[o]}/{a}", o, a, False) for o in ours for a in ("torch", "torch1") if a in contenders]
    ratios += [(f"skorch/{OURS[o]}", o, "skorch", True) for o in ours if "skorch" in contenders]
    print(f"versions: {versions()}", flush=True)
    print(f"{'dtype':>8} {'H':>4} {'T':>4} " + " ".join(f"{c + ' ms':>14}" for c in contenders)
          + "".join(f" {name:>22}" for name, *_ in ratios), flush=True)
    rows = []
    for dtype in dtypes:
        for H, T in shapes:
            res = {c: [] for c in contenders}
            for _ in range(rounds):
                for c in contenders:
                    res[c] += measure(c, H, T, dtype, repeats)
            best = {c: min(t) for c, t in res.items()}
            med = {c: statistics.median(t) for c, t in res.items()}
            rows.append((dtype, H, T, best, med))
            line = f"{dtype:>8} {H:>4} {T:>4} " + " ".join(
                f"{1e3 * best[c]:>6.0f} ({1e3 * med[c]:>5.0f})" for c in contenders)
            for _, o, a, inverse in ratios:
                line += f" {(best[a] / best[o] if inverse else best[o] / best[a]):>22.2f}"
            print(line, flush=True)
    return rows


def run(quick=False):
    """Rows for ``benchmarks/run.py``: (benchmark, case, quantity, ours, anchor name, anchor)."""
    import torch  # noqa: F401  (the anchor: ImportError skips this benchmark)

    rows = main(repeats=3, shapes=SHAPES[:1], rounds=1) if quick else main()
    out = []
    for dtype, H, T, best, _ in rows:
        for ours, case in (("sktemporal", ""), ("sktemporal2", ", n_jobs=2")):
            for anchor, label in (("torch", "torch.nn.LSTM + Adam"), ("torch1", "torch.nn.LSTM + Adam, 1 thread"),
                                  ("skorch", "skorch NeuralNetRegressor")):
                if anchor in best and ours in best:
                    out.append(("LSTM epoch (best)", f"H={H} T={T} {dtype}{case}", "seconds", best[ours], label,
                                best[anchor]))
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one shape, 3 repeats")
    parser.add_argument("--only", nargs="+", choices=list(CONTENDERS))
    parser.add_argument("--dtype", nargs="+", choices=DTYPES, default=DTYPES)
    parser.add_argument("--shapes", nargs="+", help="H,T pairs, e.g. 64,50 128,200")
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        name, H, T, dtype, repeats = args.worker
        worker(name, int(H), int(T), dtype, int(repeats))
    else:
        shapes = [tuple(int(v) for v in s.split(",")) for s in args.shapes] if args.shapes else SHAPES
        if args.quick:
            shapes, args.repeats, args.rounds = shapes[:1], 3, 1
        main(args.repeats, shapes, args.dtype, args.only or tuple(CONTENDERS), args.rounds)
