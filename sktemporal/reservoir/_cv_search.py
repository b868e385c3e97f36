r"""Search over the reservoir of the CV estimators: candidates, successive halving, the choice.

``spectral_radius``, ``leak_rate``, ``input_scaling`` and ``n_segments`` (the pooling of a
sequence) of ``ESNRegressorCV`` / ``ESNClassifierCV`` are each a number (fixed), a list of
candidates or ``'auto'`` (:data:`AUTO_SPACE`); their product is the candidate grid.  Every candidate is one
fixed-reservoir cross-validation (one reservoir pass, every penalty from the same sums,
:mod:`._esn_cv`), all drawn from the same seed, so that the candidates share the
unscaled recurrent matrix (cached per process by :func:`~._weights.init_weights`).

**Successive halving.**  With :math:`C` candidates, rung :math:`r = 0, 1, \dots` uses
the first :math:`n_r = n / 6^{R - r}` units (time steps of a series, a stratified
subset of the sequences of a collection; :math:`R` the number of rungs after the first,
never fewer than :data:`MIN_UNITS` units) and keeps the best
:math:`\max(\lceil C_r / 9 \rceil, 3)` candidates by mean test score; the last rung runs
on all the data.  The 27 candidates of ``'auto'`` are two rungs: all of them on a sixth
of the data, the best 3 on all of it, 30 cross-validations in all.  (A first rung of a
ninth of the data, as with a halving factor of 3, chose reservoirs that tested
far worse on some NARMA10 draws: see the user guide.)

**The choice.**  On one series, the best mean test score of the last rung.  On a
collection, the *one-standard-error rule*: among the candidates
whose mean test score is at least :math:`\bar s_{best} - \mathrm{SE}_{best}`
(:math:`\mathrm{SE} = \mathrm{std}_k(s_k) / \sqrt{K}` over the :math:`K` folds), the one
nearest to the reference reservoir :data:`REFERENCE` (in log distance) wins: a small
sample cannot tell apart scores within their standard error.

**Progress.**  Each rung is a subtask of scikit-learn's callback API (``task_name
'rung'``, reported when the rung's candidates are scored), so ``set_callbacks`` with a
progress display shows a long search advancing.  A callback's request to stop is not
honoured: the choice needs the last rung.
"""

from __future__ import annotations

import itertools
import numbers
from typing import NamedTuple

import numpy as np
from joblib import Parallel, delayed
from sklearn.utils import check_random_state

from ..exceptions import DivergenceError
from ..utils._callbacks import FitTasks, without_callbacks

__all__ = ["AUTO_SPACE", "MIN_UNITS", "REFERENCE", "Evaluation", "SearchResult", "candidate_grid",
           "halving_sizes", "is_series", "one_se_choice", "results_table", "search", "survivors_kept"]

SEARCHED = ("spectral_radius", "leak_rate", "input_scaling", "n_segments")

#: the candidate values of ``'auto'``, per task and parameter: a regressor searches a grid
#: of 27 reservoirs; a classifier keeps the reference reservoir (on small collections the
#: search chose reservoirs that tested worse, see the user guide) and chooses between the
#: whole-sequence mean and 4 segment means (the pooling study of the user guide)
AUTO_SPACE = {
    "regression": {"spectral_radius": (0.8, 0.95, 1.1), "leak_rate": (0.3, 0.6, 1.0),
                   "input_scaling": (0.1, 0.3, 1.0), "n_segments": (1,)},
    "classification": {"spectral_radius": (0.97,), "leak_rate": (1.0,), "input_scaling": (0.7,),
                       "n_segments": (1, 4)},
}

#: the reservoir the one-standard-error rule falls back towards (the plain ESN's defaults)
REFERENCE = {"spectral_radius": 0.97, "leak_rate": 1.0, "input_scaling": 0.7, "n_segments": 1}

#: the fewest units of a rung: time steps of a series, sequences of a collection
MIN_UNITS = {"series": 200, "collection": 150}

ETA = 9  # a ninth of a rung's candidates survive it ...
SHRINK = 6  # ... and each rung has a sixth of the next one's units
FINAL = 3  # (but at least this many reach the last rung)


class Evaluation(NamedTuple):
    """One candidate's cross-validation on one rung."""

    params: dict  #: its reservoir parameters
    scores: np.ndarray  #: (n_splits, n_alphas) test scores
    n_units: int  #: units (steps or sequences) the rung used
    fitted: object  #: the fitted fixed-reservoir estimator (last rung only), else None
    error: str  #: why it failed (a divergence), else ''

    @property
    def mean(self):
        """Mean test score of the best penalty (``-inf`` for a failed candidate)."""
        if self.error:
            return -np.inf
        m = self.scores.mean(axis=0)
        return float(np.nanmax(m)) if np.isfinite(m).any() else -np.inf

    @property
    def best_alpha(self):
        """Index of the best penalty."""
        m = self.scores.mean(axis=0)
        return int(np.nanargmax(m)) if np.isfinite(m).any() else 0


class SearchResult(NamedTuple):
    """What the search publishes."""

    evaluations: list  #: every :class:`Evaluation`, rung by rung
    rungs: list  #: rung index of each evaluation
    best: int  #: index of the chosen evaluation (in the last rung)


# ----------------------------------------------------------------------------------
# the candidates
# ----------------------------------------------------------------------------------
def _values(est, name):
    """The candidate values of one parameter: ``'auto'``, a list, or one fixed value."""
    value = getattr(est, name)
    if isinstance(value, str):
        return list(AUTO_SPACE[est._task][name])
    if name == "n_segments":
        return [int(v) for v in np.atleast_1d(value)]
    if isinstance(value, numbers.Real):
        return [float(value)]
    arr = np.asarray(value, dtype=np.float64)
    if name == "input_scaling" and arr.ndim == 2:
        return [row.copy() for row in arr]  # one per-feature scaling per candidate
    return [float(v) for v in arr.ravel()]


def candidate_grid(est, series=False):
    """The candidates of ``est``: a list of dicts over :data:`SEARCHED`, in grid order.

    A 2-D ``series`` has per-step readout rows, which ``n_segments`` does not change: its
    first value alone is kept.
    """
    values = [_values(est, name) for name in SEARCHED]
    if series:
        values[SEARCHED.index("n_segments")] = values[SEARCHED.index("n_segments")][:1]
    return [dict(zip(SEARCHED, combo)) for combo in itertools.product(*values)]


def survivors_kept(n_candidates):
    """How many of a rung's ``n_candidates`` go on: ``max(ceil(C / ETA), FINAL)``, at most ``C``."""
    return min(n_candidates, max(-(-n_candidates // ETA), FINAL))


def halving_sizes(n_candidates, n_units, min_units):
    """Units of each rung: ``n / SHRINK^R, ..., n / SHRINK, n``, each at least ``min_units``.

    ``R`` is the number of cuts (:func:`survivors_kept`) that bring the candidates down to
    :data:`FINAL`.  Rungs raised to ``min_units`` merge; a rung of more than half the data
    is dropped (it would save little).  One rung (all the data) for :data:`FINAL`
    candidates or fewer, or data too small to cut.
    """
    n_rungs = 0
    c = n_candidates
    while c > FINAL:
        c = survivors_kept(c)
        n_rungs += 1
    sizes = sorted({max(int(np.ceil(n_units / SHRINK ** (n_rungs - r))), min_units) for r in range(n_rungs)})
    return [s for s in sizes if 2 * s <= n_units] + [n_units]


def one_se_choice(evaluations, use_rule=True):
    """Index of the chosen evaluation: the nearest to :data:`REFERENCE` within one SE of the best."""
    means = np.array([e.mean for e in evaluations])
    best = int(np.argmax(means))
    if not use_rule or not np.isfinite(means[best]):
        return best
    fold = evaluations[best].scores[:, evaluations[best].best_alpha]
    se = float(np.std(fold) / np.sqrt(fold.size))
    eligible = np.flatnonzero(means >= means[best] - se)
    return int(min(eligible, key=lambda i: (_distance(evaluations[i].params), -means[i], i)))


def _distance(params):
    """Log distance of a candidate to the reference reservoir."""
    d = 0.0
    for name in SEARCHED:
        v = np.maximum(np.asarray(params[name], dtype=np.float64), 1e-3)
        d += float(np.mean(np.log(v / REFERENCE[name]) ** 2))
    return d


# ----------------------------------------------------------------------------------
# evaluating one candidate (a joblib task)
# ----------------------------------------------------------------------------------
def _fixed(est, params, seed):
    """A copy of ``est`` with the reservoir of ``params`` (a fixed-reservoir estimator)."""
    new = est._shadow()
    for name, value in params.items():
        setattr(new, name, value)
    if seed is not None:
        new.random_state = seed
    return new


def evaluate(est, params, data, seed, keep):
    """The cross-validation of one candidate on ``data`` (an ``(X, y)`` pair): an :class:`Evaluation`."""
    X, y = data
    work = _fixed(est, params, seed)
    work._calibrate_intervals = keep  # the out-of-fold residuals of the intervals: the last rung only
    work._scores_only = not keep  # an early rung needs the scores, not the fitted readout
    try:
        work._fit_fixed(X, y)
    except DivergenceError as exc:
        return Evaluation(params, np.full((1, 1), np.nan), _n_units(X), None, str(exc))
    scores = np.column_stack([work.cv_results_[f"split{k}_test_score"] for k in range(work.n_splits_)]).T
    if keep:
        work.keep_training_state = True  # the readout sums survive the trip back from a worker
    return Evaluation(params, scores, _n_units(X), work if keep else None, "")


def _as_indexable(A):
    """Lists, pandas, dask and sparse objects as given; any other array-like as an ndarray."""
    if (A is None or isinstance(A, (list, tuple, np.ndarray)) or hasattr(A, "iloc") or hasattr(A, "dask")
            or hasattr(A, "toarray")):  # sparse: the fit says it is not supported
        return A
    return np.asarray(A)


def is_series(X):
    """Whether ``X`` is one 2-D series (not a collection), as :func:`~sktemporal.utils.check_sequences` reads it."""
    if isinstance(X, (list, tuple)):
        return not any(np.ndim(x) == 2 for x in X)
    return hasattr(X, "columns") or np.ndim(_as_indexable(X)) == 2


def _min_units(est, series):
    """The fewest units of a rung: :data:`MIN_UNITS`, and on a series enough steps that the
    first training fold of ``TimeSeriesSplit(K)`` (at least ``n / (K + 1)`` steps) outlasts
    the washout."""
    if not series:
        return MIN_UNITS["collection"]
    n_splits = 5 if est.cv is None else int(est.cv)
    return max(MIN_UNITS["series"], (n_splits + 1) * (int(est.washout) + 1))


def _n_units(X):
    return X.shape[0] if hasattr(X, "shape") else len(X)


# ----------------------------------------------------------------------------------
# the subsets of a rung
# ----------------------------------------------------------------------------------
def _take(A, idx):
    """Rows ``idx`` of a list, a pandas object or an array."""
    if isinstance(A, (list, tuple)):
        return [A[i] for i in idx]
    if hasattr(A, "iloc"):
        return A.iloc[idx]
    return A[idx]


def _subset_order(est, X, y, series, rs):
    """The order in which units enter the rungs: time for a series, a shuffle for a collection.

    A classifier's shuffle interleaves the classes (round robin over per-class
    permutations), so every prefix is stratified.
    """
    n = _n_units(X)
    if series:
        return np.arange(n)
    labels = np.asarray(y).ravel() if est._task == "classification" and np.ndim(y) == 1 else None
    if labels is None or labels.size != n:
        return rs.permutation(n)
    # each unit's position within its class, scaled to [0, 1): sorting interleaves the classes
    key = np.empty(n)
    for c in np.unique(labels):
        members = rs.permutation(np.flatnonzero(labels == c))
        key[members] = (np.arange(members.size) + rs.uniform()) / members.size
    return np.argsort(key, kind="stable")


def _rung_data(X, y, order, size, series):
    if size >= order.size:
        return X, y
    if series:
        return X[:size], y[:size]
    idx = np.sort(order[:size])
    return _take(X, idx), _take(y, idx)


# ----------------------------------------------------------------------------------
# the search
# ----------------------------------------------------------------------------------
def search(est, X, y, series):
    """Successive halving over :func:`candidate_grid` (see the module); a :class:`SearchResult`.

    ``est`` is the CV estimator (parameters checked); candidates run in parallel with
    ``est.n_jobs`` through joblib (any backend, e.g. Dask's).
    """
    X, y = _as_indexable(X), _as_indexable(y)
    grid = candidate_grid(est, series)
    seed = None
    if len(grid) > 1 and not isinstance(est.random_state, numbers.Integral):
        # one reservoir for every candidate: a seed drawn once
        seed = int(check_random_state(est.random_state).randint(np.iinfo(np.int32).max))
    n = _n_units(X)
    halving = est.cv is None or isinstance(est.cv, numbers.Integral)
    sizes = halving_sizes(len(grid), n, _min_units(est, series)) if halving else [n]
    order = _subset_order(est, X, y, series, np.random.RandomState(0 if seed is None else seed))
    # what the candidates' fits see (maybe in other processes): no callbacks, and made before
    # the fit's callback context exists, so the chosen fit brings none back
    shipped = without_callbacks(est)
    tasks = FitTasks(est, len(sizes), X, y, subtask="rung")
    tasks.on_fit_begin()
    survivors, evaluations, rungs = grid, [], []
    for r, size in enumerate(sizes):
        last = r == len(sizes) - 1
        data = _rung_data(X, y, order, size, series)
        if len(survivors) == 1:  # nothing to dispatch
            evals = [evaluate(shipped, survivors[0], data, seed, last)]
        else:
            evals = Parallel(n_jobs=est.n_jobs)(delayed(evaluate)(shipped, p, data, seed, last)
                                                for p in survivors)
        evaluations += evals
        rungs += [r] * len(evals)
        tasks.on_subtask_end()
        if last:
            break
        means = np.array([e.mean for e in evals])
        keep = survivors_kept(len(survivors))
        survivors = [evals[i].params for i in np.argsort(-means, kind="stable")[:keep]]
    final = [i for i, rung in enumerate(rungs) if rung == len(sizes) - 1]
    ok = [i for i in final if not evaluations[i].error]
    if not ok:
        raise DivergenceError(
            f"Every reservoir candidate diverged; the first said: {evaluations[final[0]].error}"
        )
    # the rule guards a choice from few sequences; on one series (thousands of steps) the
    # best mean chose as well or better (the user guide's study)
    chosen = one_se_choice([evaluations[i] for i in ok], use_rule=getattr(est, "_one_se_rule", not series))
    tasks.on_fit_end()
    return SearchResult(evaluations, rungs, ok[chosen])


def results_table(result, alphas):
    """``cv_results_``: one row per candidate, at the last rung it reached (``GridSearchCV``'s layout)."""
    last_of = {}
    for i, e in enumerate(result.evaluations):
        last_of[_key(e.params)] = i
    rows = sorted(last_of.values())
    ev = [result.evaluations[i] for i in rows]
    n_splits = max(e.scores.shape[0] for e in ev)
    table = {}
    for name in SEARCHED:
        table[f"param_{name}"] = np.ma.MaskedArray(np.array([_plain(e.params[name]) for e in ev], dtype=object),
                                                    mask=False)
    table["param_alpha"] = np.ma.MaskedArray(np.array([float(alphas[e.best_alpha]) for e in ev]),
                                             mask=[bool(e.error) for e in ev])
    for k in range(n_splits):
        table[f"split{k}_test_score"] = np.array(
            [e.scores[k, e.best_alpha] if not e.error and k < e.scores.shape[0] else np.nan for e in ev])
    means = np.array([e.mean if not e.error else np.nan for e in ev])
    table["mean_test_score"] = means
    table["std_test_score"] = np.array([np.std(e.scores[:, e.best_alpha]) if not e.error else np.nan for e in ev])
    reached = np.array([result.rungs[i] for i in rows])
    table["iter"] = reached
    table["n_resources"] = np.array([e.n_units for e in ev])
    # candidates of later rungs rank first, then by mean score (ties share the rank)
    key = list(zip(-reached, -np.where(np.isnan(means), -np.inf, means)))
    order = sorted(range(len(ev)), key=lambda i: key[i])
    rank = np.empty(len(ev), dtype=np.int32)
    for pos, i in enumerate(order):
        rank[i] = rank[order[pos - 1]] if pos and key[i] == key[order[pos - 1]] else pos + 1
    table["rank_test_score"] = rank
    table["params"] = [{**{name: _plain(e.params[name]) for name in SEARCHED},
                        "alpha": float(alphas[e.best_alpha])} for e in ev]
    return table, rows.index(result.best)


def _key(params):
    return tuple(tuple(np.atleast_1d(params[n]).tolist()) for n in SEARCHED)


def _plain(value):
    return value if isinstance(value, float) else np.asarray(value).tolist()
