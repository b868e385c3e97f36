"""Held-out check of the Forecaster: real series it was never tuned on, against the same anchors.

The dev suite (``benchmarks/anchors/dev_forecast.py``: airline, lynx, shampoo, Nile, US
consumption) chose the Forecaster's defaults.  These other series bundled with statsmodels
and sktime were not looked at before the defaults were fixed; they are only measured here,
exactly as the dev suite measures (raw series, last h values held out, MASE with season m,
AutoETS / Theta / seasonal naive at the dev suite's settings), at the given seeds:

* sunspots (statsmodels; annual 1700–2008; m = 11, h = 22),
* CO2 at Mauna Loa (statsmodels; weekly, resampled to monthly means, 1958–2001; m = 12, h = 24),
* US real GDP (statsmodels macrodata; quarterly 1959–2009; m = 4, h = 8),
* Longley total employment (sktime; annual 1947–1962; m = 1, h = 4).

    flock /tmp/cpu.lock python benchmarks/studies/study_forecast_heldout.py [--seeds 0,1,2,3,4]
"""

import argparse
import pathlib
import sys
import warnings

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "anchors"))
import dev_forecast as dev  # noqa: E402

import _devsuite as suite  # noqa: E402

SERIES = {"sunspots": (11, 22), "co2": (12, 24), "gdp": (4, 8), "longley": (1, 4)}


def load(name):
    import statsmodels.api as sm

    if name == "sunspots":
        return sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(float)
    if name == "co2":
        data = sm.datasets.co2.load_pandas().data["co2"]
        return data.resample("MS").mean().interpolate().to_numpy(float)
    if name == "gdp":
        return sm.datasets.macrodata.load_pandas().data["realgdp"].to_numpy(float)
    from sktime.datasets import load_longley

    return load_longley()[0].to_numpy(float)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0")
    args = parser.parse_args(argv)
    seeds = suite.seeds(args.seeds)
    dev.SERIES.update(SERIES)
    dev.load = load
    print(suite.timing_lines(), flush=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = dev.run(["Forecaster"] + dev.ANCHORS, list(SERIES), seeds, {})
    print("\n" + dev.table(rows))
    print("\n" + dev.interval_table(rows))


if __name__ == "__main__":
    suite.use_checkout()
    main()
