"""Epoch time of n_jobs=2 with the package's worker protocol against a loky-based one.

The loky variant (``benchmarks/_loky_split.py``) has the same numerics and the same shared
memory; only the transport differs: a loky task per chunk instead of a one-byte request on
a pipe.  Shapes as in ``bench_lstm.py`` (256 sequences, batch 32, many-to-one, Adam).
Each measurement runs in a fresh subprocess; rounds alternate the variants.

    flock -x /tmp/cpu.lock python benchmarks/bench_workers.py [--repeats 3] [--rounds 2]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VARIANTS = ("serial", "pipes", "loky")


def worker(variant, H, T, dtype, repeats):
    sys.path.insert(0, HERE)
    from bench_lstm import epochs, sktemporal_epoch

    if variant == "loky":
        import _loky_split

        from sktemporal.neural_network import _training

        _training.GradientSplit = _loky_split.LokySplit
    run = sktemporal_epoch(H, T, dtype, n_jobs=None if variant == "serial" else 2)
    print(json.dumps(epochs(run, repeats)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--shapes", nargs="+", default=["64,50", "128,200"])
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        variant, H, T, dtype = args.worker
        worker(variant, int(H), int(T), dtype, args.repeats)
        return
    results = {}
    for _ in range(args.rounds):
        for shape in args.shapes:
            H, T = shape.split(",")
            for variant in VARIANTS:
                out = subprocess.run([sys.executable, __file__, "--repeats", str(args.repeats),
                                      "--worker", variant, H, T, args.dtype],
                                     capture_output=True, text=True, check=True)
                results.setdefault((shape, variant), []).extend(json.loads(out.stdout.splitlines()[-1]))
    print(f"{'H,T':>8} {'variant':>8} {'best s/epoch':>13} {'median':>8} {'vs pipes':>9}")
    for shape in args.shapes:
        pipes = min(results[(shape, "pipes")])
        for variant in VARIANTS:
            t = results[(shape, variant)]
            print(f"{shape:>8} {variant:>8} {min(t):13.4f} {statistics.median(t):8.4f} {min(t) / pipes:9.2f}")


if __name__ == "__main__":
    main()
