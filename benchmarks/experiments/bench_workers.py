"""Epoch time of n_jobs=2 with the package's worker protocol against a loky-based one.

The loky variant (``benchmarks/experiments/_loky_split.py``) has the same numerics and the same shared
memory; only the transport differs: a loky task per chunk instead of a one-byte request on
a pipe.  Shapes as in ``anchors/bench_lstm.py`` (256 sequences, batch 32, many-to-one, Adam); a third
number is ``bptt_steps`` (truncated BPTT: one request per chunk of that many steps).
Each measurement runs in a fresh subprocess; rounds alternate the variants.

    flock /tmp/cpu.lock python benchmarks/experiments/bench_workers.py [--repeats 3] [--rounds 2]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# the LSTM contender and its data come from the anchor comparison, so both measure the same fit
ANCHORS = os.path.join(os.path.dirname(HERE), "anchors")
VARIANTS = ("serial", "pipes", "loky")


def sktemporal_epoch(H, T, dtype, n_jobs, bptt):
    """bench_lstm's sktemporal contender, with ``bptt_steps`` (truncated BPTT: one round per chunk)."""
    import warnings

    from bench_lstm import BATCH, EPOCHS_PER_SAMPLE, LR, make_data
    from sklearn.exceptions import ConvergenceWarning

    from sktemporal.neural_network import LSTMRegressor

    X, y = make_data(T, dtype)
    model = LSTMRegressor((H,), batch_size=BATCH, learning_rate_init=LR, max_iter=EPOCHS_PER_SAMPLE,
                          n_iter_no_change=10**6, warm_start=True, shuffle=True, random_state=0,
                          n_jobs=n_jobs, bptt_steps=bptt)

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)

    return run


def worker(variant, H, T, dtype, repeats, bptt=None):
    sys.path[:0] = [HERE, ANCHORS]
    from bench_lstm import epochs

    if variant == "loky":
        import _loky_split

        from sktemporal.neural_network import _training

        _training.GradientSplit = _loky_split.LokySplit
    run = sktemporal_epoch(H, T, dtype, None if variant == "serial" else 2, bptt)
    print(json.dumps(epochs(run, repeats)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--shapes", nargs="+", default=["64,50", "128,200"],
                        help="H,T or H,T,bptt_steps")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        variant, shape, dtype = args.worker
        H, T, *bptt = (int(v) for v in shape.split(","))
        worker(variant, H, T, dtype, args.repeats, *bptt)
        return
    results = {}
    for _ in range(args.rounds):
        for shape in args.shapes:
            for variant in VARIANTS:
                out = subprocess.run([sys.executable, __file__, "--repeats", str(args.repeats),
                                      "--worker", variant, shape, args.dtype],
                                     capture_output=True, text=True, check=True)
                results.setdefault((shape, variant), []).extend(json.loads(out.stdout.splitlines()[-1]))
    print(f"{'H,T[,bptt]':>11} {'variant':>8} {'best s/epoch':>13} {'median':>8} {'vs pipes':>9}")
    for shape in args.shapes:
        pipes = min(results[(shape, "pipes")])
        for variant in VARIANTS:
            t = results[(shape, variant)]
            print(f"{shape:>11} {variant:>8} {min(t):13.4f} {statistics.median(t):8.4f} {min(t) / pipes:9.2f}")


if __name__ == "__main__":
    main()
