"""Run every benchmark whose anchor library is installed and print one table of ratios.

    python benchmarks/anchors/run.py [--quick]          (or: python -m sktemporal benchmark)

Each ``bench_*.py`` module offers ``run(quick) -> rows`` with rows
``(benchmark, case, quantity, sktemporal value, anchor name, anchor value)``; the ratio is
sktemporal / anchor (below 1: sktemporal is faster, smaller, or more accurate for an error).
A module whose anchor is not installed is skipped with the reason.
"""

import argparse
import importlib
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODULES = ["bench_esn", "bench_esn_cv", "bench_lstm", "bench_rnn", "bench_tdnn"]


def versions():
    import numpy
    import scipy
    import sklearn

    import sktemporal

    found = [f"python {platform.python_version()}", f"numpy {numpy.__version__}", f"scipy {scipy.__version__}",
             f"scikit-learn {sklearn.__version__}", f"sktemporal {sktemporal.__version__}"]
    for name in ("torch", "reservoirpy", "skorch", "sktime", "statsmodels", "numba"):
        try:
            found.append(f"{name} {importlib.import_module(name).__version__}")
        except ImportError:
            pass
    return ", ".join(found)


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats")
    parser.add_argument("--only", nargs="+", choices=MODULES, help="run only these modules")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    print(f"machine: {machine()}\nversions: {versions()}\n", flush=True)
    rows, skipped = [], []
    for name in args.only or MODULES:
        tic = time.perf_counter()
        try:
            module = importlib.import_module(name)
            rows += module.run(quick=args.quick)
        except ImportError as exc:
            skipped.append(f"{name}: {exc} (install the bench extra: pip install '.[bench]')")
            continue
        print(f"[{name} done in {time.perf_counter() - tic:.0f} s]", flush=True)
    header = (f"| {'benchmark':<22} | {'case':<42} | {'quantity':<12} | {'sktemporal':>11} | {'anchor':<32} "
              f"| {'anchor value':>12} | {'ratio':>6} |")
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for bench, case, quantity, ours, anchor, theirs in rows:
        ratio = ours / theirs if theirs else float("nan")
        print(f"| {bench:<22} | {case:<42} | {quantity:<12} | {ours:>11.4g} | {anchor:<32} "
              f"| {theirs:>12.4g} | {ratio:>6.2f} |")
    for line in skipped:
        print(f"skipped {line}")
    return rows


if __name__ == "__main__":
    main()
