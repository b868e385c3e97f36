"""Where an LSTM training step goes: the BLAS floor against everything else, per time step.

For each shape of ``anchors/bench_lstm.py`` (batch 32, input size 1, H in {64, 128}) and
dtype, on one BLAS thread (what a fit with ``n_jobs=None`` uses):

* ``cell fwd`` / ``cell bwd``: one :class:`~sktemporal.neural_network._cell_lstm.LSTMCell`
  ``forward`` / ``backward`` (``need_dx=False``, as the first layer) over a 50-step batch,
  divided by the steps;
* ``gemm floor``: the three products every step needs whatever the code around them —
  ``h(t−1) W_h`` forward, ``δ W_hᵀ`` backward (both ``(32 × H) @ (H × 4H)``) and the
  weight gradient ``Z δᵀ`` — each timed alone as the cell calls it (scipy's BLAS gemm, in
  place), summed;
* ``other``: the two cell times minus the floor — the elementwise gate arithmetic (one
  numpy call per operation, ~9 forward and ~5 backward per step, plus the backward
  factors in blocks) and the Python around it.

The same three products with two BLAS threads are printed too (``gemm floor, 2
threads``): the floor of a one-process loop that would thread its products.  Best of 5
repeats of each timing; run it alone::

    flock /tmp/cpu.lock python benchmarks/experiments/profile_lstm_step.py [--shapes 64 128]
"""

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from sktemporal.neural_network._cell_lstm import LSTMCell
from sktemporal.neural_network._kernels import GEMM

B, T = 32, 50


def best_of(f, n, repeats=5):
    """Best mean seconds per call of ``f`` over ``repeats`` runs of ``n`` calls."""
    best = np.inf
    for _ in range(repeats):
        tic = time.perf_counter()
        for _ in range(n):
            f()
        best = min(best, (time.perf_counter() - tic) / n)
    return best


def cell_times(H, dtype):
    """Seconds per step of the cell's forward and backward (first layer, no ∂X)."""
    rng = np.random.RandomState(0)
    cell = LSTMCell(1, H)
    p = {name: np.zeros(shape, dtype) for name, shape in cell.param_shapes()}
    g = {name: np.zeros(shape, dtype) for name, shape in cell.param_shapes()}
    cell.initialize(p, rng)
    X = rng.standard_normal((T, B, 1)).astype(dtype)
    sizes, s0 = [B] * T, np.zeros((B, 2 * H), dtype)
    out, _, cache = cell.forward(p, X, sizes, s0)
    d_out = np.zeros_like(out)
    d_out[-1] = out[-1]  # many-to-one: the error enters at the last step

    def both():
        _, _, c = cell.forward(p, X, sizes, s0)
        cell.backward(p, g, d_out, c, need_dx=False)

    fwd = best_of(lambda: cell.forward(p, X, sizes, s0), 20)
    total = best_of(both, 20)
    return fwd / T, (total - fwd) / T


def gemm_floor(H, dtype):
    """Seconds of the three per-step products, called as the cell calls them."""
    rng = np.random.RandomState(0)
    gemm = GEMM[np.dtype(dtype)]
    D = 2 + H  # Z = [x; 1; h]

    def arr(*shape):
        return rng.standard_normal(shape).astype(dtype)

    h, W_rec, a = arr(H, B), arr(4 * H, H), arr(4 * H, B)
    delta, W_h, dh = arr(4 * H, B), arr(H, 4 * H), arr(H, B)
    Z, grad = arr(D, B), np.zeros((D, 4 * H), dtype)
    calls = [
        lambda: gemm(1.0, h.T, W_rec.T, 1.0, a.T, 0, 0, 1),  # a += W_rec h(t−1)
        lambda: gemm(1.0, delta.T, W_h.T, 1.0, dh.T, 0, 0, 1),  # δh(t−1) += W_h δ
        lambda: gemm(1.0, delta.T, Z.T, 1.0, grad.T, 1, 0, 1),  # ∂[W_x; b; W_h] += Z δᵀ
    ]
    return sum(best_of(c, 2000) for c in calls)


def main(shapes, dtypes):
    print("| dtype | H | cell fwd µs/step | cell bwd µs/step | gemm floor µs/step | other µs/step "
          "| floor share | gemm floor, 2 threads µs/step |")
    print("|---|---|---|---|---|---|---|---|")
    for dtype in dtypes:
        for H in shapes:
            with threadpool_limits(1, user_api="blas"):
                fwd, bwd = cell_times(H, dtype)
                floor = gemm_floor(H, dtype)
            with threadpool_limits(2, user_api="blas"):
                floor2 = gemm_floor(H, dtype)
            other = fwd + bwd - floor
            print(f"| {dtype} | {H} | {fwd * 1e6:.1f} | {bwd * 1e6:.1f} | {floor * 1e6:.1f} | {other * 1e6:.1f} "
                  f"| {floor / (fwd + bwd):.0%} | {floor2 * 1e6:.1f} |", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", type=int, default=[64, 128])
    parser.add_argument("--dtype", nargs="+", default=["float32", "float64"])
    args = parser.parse_args()
    main(args.shapes, args.dtype)
