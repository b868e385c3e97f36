"""Coverage of ``ESNRegressor.generate(return_std=True)`` per horizon band.

Prints the table of ``docs/user_guide/reservoir.rst`` (section "Intervals that widen with
the horizon").  Mackey-Glass observed with noise of standard deviation 0.05
(``mackey_glass(7001, random_state=seed)``), one step ahead, 1000 units,
``washout=100, initial_state='zeros'``: fit on steps 0-2999, ``calibrate_generate`` on
3000-4999 (50 steps ahead, 500 origins), then from every 4th step t of 5300-6950 warm up
on the 300 steps before t and generate 50 steps; a value is covered when it lies within
``y_gen ± 1.645 y_std`` (nominal 90 %).  Nothing is timed.

Usage: ``python benchmarks/studies/study_generate_intervals.py [leak_rate] [seed]`` (defaults 1.0, 0).
"""

import sys

import numpy as np

from sktemporal import ESNRegressor
from sktemporal.datasets import mackey_glass

BANDS = [(1, 1), (2, 5), (6, 10), (11, 20), (21, 35), (36, 50)]


def main(leak=1.0, seed=0, horizon=50, window=300, stride=4):
    S, _ = mackey_glass(7001, random_state=seed)
    S = S + np.random.RandomState(seed).normal(0, 0.05, S.shape)  # the observed series
    X, y = S[:-1], S[1:]
    # the reservoir defaults the published coverage was measured with (density 0.1, radius 0.9)
    esn = ESNRegressor(n_reservoir=1000, leak_rate=leak, washout=100, initial_state="zeros",
                       density=0.1, spectral_radius=0.9, input_scaling=1.0, bias_scaling=0.5, alpha=1e-4,
                       random_state=seed).fit(X[:3000], y[:3000])
    esn.calibrate_generate(X[3000:5000], y[3000:5000], n_steps=horizon)
    inside, stds, errors = [], [], []
    for t in range(5000 + window, 7000 - horizon + 1, stride):
        y_gen, y_std = esn.generate(horizon, warmup=X[t - window:t], return_std=True)
        e = y_gen[:, 0] - y[t - 1:t - 1 + horizon, 0]  # y_gen[0] predicts y[t - 1]
        inside.append(np.abs(e) <= 1.645 * y_std[:, 0])
        stds.append(y_std[:, 0])
        errors.append(e)
    inside, stds, errors = map(np.array, (inside, stds, errors))
    print(f"leak_rate={leak} seed={seed}: {len(inside)} test origins, calibrated on "
          f"{esn.generate_n_origins_}")
    for lo, hi in BANDS:
        k = slice(lo - 1, hi)
        print(f"  {lo:2d}-{hi:2d} steps ahead: coverage {inside[:, k].mean():.3f}, mean std "
              f"{stds[:, k].mean():.3f}, test RMSE {np.sqrt(np.mean(errors[:, k] ** 2)):.3f}")


if __name__ == "__main__":
    main(*(float(a) if i == 0 else int(a) for i, a in enumerate(sys.argv[1:3])))
