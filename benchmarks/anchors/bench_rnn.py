"""Epoch time of RNNRegressor (Elman) against torch.nn.RNN + Adam, measured in one run.

Same shapes, same dtype, same optimizer, the plain many-to-one recurrence on both sides
(``bench_lstm.PLAIN``: the options of the defaults that change the work pinned off),
torch at its default thread count.
Prints a table of ratios (sktemporal / torch; below 1 means sktemporal is faster).

    flock /tmp/cpu.lock python benchmarks/anchors/bench_rnn.py [--repeats 5]
"""

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np

from sktemporal.neural_network import RNNRegressor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_lstm import PLAIN  # noqa: E402

SHAPES = [(64, 50), (128, 50), (64, 200), (128, 200)]
N_SEQ, BATCH, N_IN = 256, 32, 1


def best_of(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        tic = time.perf_counter()
        fn()
        times.append(time.perf_counter() - tic)
    return min(times)


def sktemporal_epoch(X, y, H, dtype):
    # the plain many-to-one recurrence torch runs (PLAIN: one direction, last state, no
    # patches, no input scaling, no validation split, no clipping)
    model = RNNRegressor((H,), batch_size=BATCH, shuffle=True, random_state=0, **PLAIN)
    Xc, yc = X.astype(dtype), y.astype(dtype)
    model.partial_fit(Xc, yc)
    return lambda: model.partial_fit(Xc, yc)


def torch_epoch(X, y, H, dtype):
    import torch

    tdtype = torch.float64 if dtype == np.float64 else torch.float32

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = torch.nn.RNN(N_IN, H, batch_first=True)
            self.out = torch.nn.Linear(H, 1)

        def forward(self, x):
            h, _ = self.rnn(x)
            return self.out(h[:, -1])

    net = Net().to(tdtype)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    Xt, yt = torch.tensor(X, dtype=tdtype), torch.tensor(y[:, None], dtype=tdtype)

    def epoch():
        perm = torch.randperm(len(Xt))
        for i in range(0, len(Xt), BATCH):
            idx = perm[i: i + BATCH]
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(net(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()

    return epoch


def main(repeats=5, shapes=SHAPES):
    import torch

    rng = np.random.RandomState(0)
    print(f"machine: {platform.machine()}, {__import__('os').cpu_count()} cores; numpy {np.__version__}, "
          f"torch {torch.__version__} ({torch.get_num_threads()} threads)")
    print(f"{'H':>4} {'T':>4} {'dtype':>8} {'sktemporal s':>13} {'torch s':>9} {'ratio':>6}")
    rows = []
    for H, T in shapes:
        X = rng.uniform(-1, 1, size=(N_SEQ, T, N_IN))
        y = X[:, -10:, 0].sum(axis=1)
        for dtype in (np.float64, np.float32):
            ours = best_of(sktemporal_epoch(X, y, H, dtype), repeats)
            theirs = best_of(torch_epoch(X, y, H, dtype), repeats)
            rows.append((H, T, np.dtype(dtype).name, ours, theirs, ours / theirs))
            print(f"{H:>4} {T:>4} {np.dtype(dtype).name:>8} {ours:>13.4f} {theirs:>9.4f} {ours / theirs:>6.2f}",
                  flush=True)
    return rows


def run(quick=False):
    """Rows for ``benchmarks/run.py``: (benchmark, case, quantity, ours, anchor name, anchor)."""
    import torch  # noqa: F401  (the anchor: ImportError skips this benchmark)

    rows = main(repeats=2, shapes=SHAPES[:1]) if quick else main()
    return [("RNN (Elman) epoch", f"H={H} T={T} {dtype}", "seconds", ours, "torch.nn.RNN + Adam", theirs)
            for H, T, dtype, ours, theirs, _ in rows]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    main(parser.parse_args().repeats)
