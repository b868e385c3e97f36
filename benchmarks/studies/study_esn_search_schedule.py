"""The pruning schedule and the choice rule of the self-tuning ESNRegressorCV, on NARMA10.

Each setting is ``ETA/SHRINK/FINAL[/norule]``: a rung keeps ``max(ceil(C / ETA), FINAL)``
of its ``C`` candidates and has ``1 / SHRINK`` of the next rung's steps
(``sktemporal.reservoir._cv_search``); ``norule`` chooses the best mean of the last rung
instead of the one-standard-error rule.  ``3/3/3/rule`` is the schedule before this
study (27 candidates on a ninth of the series, 9 on a third, 3 on all of it); ``9/6/3``
the one adopted (27 on a sixth, 3 on all of it; no rule on a series).

NARMA10 as the dev suite reads it (``benchmarks/anchors/dev_classify.py --narma``: both
alignments, fit on steps 0-1999, NRMSE on 2200-3999), 200 units, the search at its
defaults otherwise.  The settings were compared on data seeds 5-9 x model seeds 3-5 (the
default here); the dev suite's seeds 0-4 x 0-2 only report the one adopted::

    python benchmarks/studies/study_esn_search_schedule.py [--settings 3/3/3/rule,9/6/3] \\
        [--data-seeds 5,6,7,8,9] [--model-seeds 3,4,5]
"""

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

from threadpoolctl import threadpool_limits

import sktemporal.reservoir._cv_search as search_module
from sktemporal.metrics import nrmse
from sktemporal.reservoir import ESNRegressorCV

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "anchors"))
from dev_classify import N_FIT, SCORED, narma_pair  # noqa: E402

SETTINGS = ["3/3/3/rule", "3/3/3", "9/9/3/rule", "9/6/3/rule", "9/5/3/rule", "9/4/3/rule",
            "9/6/2/rule", "9/6/4/rule", "9/6/3"]


def apply(setting):
    """Set the schedule constants of the search; return whether the rule is on."""
    eta, shrink, final, *rule = setting.split("/")
    search_module.ETA, search_module.SHRINK, search_module.FINAL = int(eta), int(shrink), int(final)
    return bool(rule) and rule[0] == "rule"


def run(setting, data_seeds, model_seeds):
    """NRMSE and fit seconds of every (alignment, data seed, model seed) under ``setting``."""
    rule = apply(setting)
    rows = []
    for alignment in ("package", "other"):
        for ds in data_seeds:
            X, y = narma_pair(ds, alignment)
            for ms in model_seeds:
                est = ESNRegressorCV(n_reservoir=200, random_state=ms)
                est._one_se_rule = rule
                tic = time.perf_counter()
                est.fit(X[:N_FIT], y[:N_FIT])
                fit_s = time.perf_counter() - tic
                pred = est.predict(X[N_FIT:SCORED.stop])
                rows.append((alignment, float(nrmse(y[SCORED], pred[SCORED.start - N_FIT:])), fit_s))
    return rows


def main(settings, data_seeds, model_seeds):
    warnings.simplefilter("ignore")
    saved = (search_module.ETA, search_module.SHRINK, search_module.FINAL)
    print("| setting | package median | package max | package > 0.25 | other median | other max "
          "| other > 0.25 | median fit s |")
    print("|---|---|---|---|---|---|---|---|")
    try:
        with threadpool_limits(1):
            for setting in settings:
                rows = run(setting, data_seeds, model_seeds)
                cells = []
                for alignment in ("package", "other"):
                    v = [r[1] for r in rows if r[0] == alignment]
                    cells += [f"{statistics.median(v):.3f}", f"{max(v):.3f}", f"{sum(x > 0.25 for x in v)}/{len(v)}"]
                print(f"| {setting} | " + " | ".join(cells)
                      + f" | {statistics.median(r[2] for r in rows):.2f} |", flush=True)
    finally:
        search_module.ETA, search_module.SHRINK, search_module.FINAL = saved


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", default=",".join(SETTINGS))
    parser.add_argument("--data-seeds", default="5,6,7,8,9")
    parser.add_argument("--model-seeds", default="3,4,5")
    args = parser.parse_args()
    main(args.settings.split(","), [int(s) for s in args.data_seeds.split(",")],
         [int(s) for s in args.model_seeds.split(",")])
