r"""Echo state networks on dask arrays: computed chunk by chunk where the data lives.

Two layouts, as in memory:

* a 2-D **series** ``(n_timesteps, n_features)`` chunked along time.  The state at the
  start of chunk :math:`i` depends on every earlier step, but only through a memory that
  decays like :math:`q^k`, :math:`q = 1 - a(1 - \rho)` (leak rate :math:`a`, spectral
  radius :math:`\rho`): each chunk starts from the zero state ``overlap`` steps before
  its first step, on the tail of the previous chunk(s) (the ``map_overlap`` idea), so all
  chunks run in parallel.  The warm-up steps enter no sum and no output.  The first
  chunk(s), whose warm-up would reach the start of the series, run from the true start
  (zeros with the ``washout``, or the state continued from the previous call): exact.
* a 3-D **collection** ``(n_sequences, n_timesteps, n_features)`` chunked along
  sequences: sequences are independent, every chunk is exact.

Fitting (``solver='ridge'``): the estimator builds the :class:`~._model.ReservoirModel` on
the client; each chunk's task receives it (without its sums) and fills a
:class:`~._readout.RidgeReadout` with its sums :math:`H^\top H`, :math:`H^\top Y`
(worker memory: one ``N x N`` matrix plus the chunk), the readouts are merged on the
cluster by a tree reduction (fan-in ``SPLIT_EVERY``), and the client receives one
``N x N`` readout, solves it and the estimator publishes the model.
``solver='rls'`` is sequential by nature: chunks are brought to the client one at a
time and fed to ``partial_fit`` in order (exact; client memory: one chunk).

Nothing here imports dask at module level: the package never imports dask unless the
user hands it a dask array.
"""

from __future__ import annotations

import copy
import math
from typing import NamedTuple

import numpy as np

from ..utils import validate_sequences
from ..utils._dask import is_dask_array
from ..utils._fit_checks import check_n_outputs, check_y_given
from ..utils._scaling import guard_scale
from ._forgetting import measure_overlap
from ._readout import RidgeReadout
from ._states import final_state

__all__ = ["ChunkPlan", "align_y", "apply_dask", "auto_overlap", "check_dask_X", "chunk_inputs", "chunk_overlap",
           "chunk_sums", "delayed_blocks", "fit_dask", "fit_reservoir_dask", "probe", "series_overlap",
           "setup_model", "tree_sum"]

SPLIT_EVERY = 8  # fan-in of the tree reduction of the readout sums
MAX_PIECES, PIECE_OVERLAPS, MIN_PIECE = 32, 8, 256  # pieces of a chunk run as one batch
_DECAY_TOL = 1e-12  # state memory left after the 'auto' overlap


def auto_overlap(leak_rate, spectral_radius, washout=0, tol=_DECAY_TOL):
    r"""The linear bound on the warm-up after which the reservoir has forgotten its initial state.

    ``overlap='auto'`` no longer uses it: it measures the forgetting on the data
    (:func:`~sktemporal.reservoir.measure_overlap`), which also works above
    :math:`\rho = 1`.

    The difference between two runs of the same reservoir from different states
    shrinks at each step by about :math:`q = 1 - a(1 - \rho)` (leak rate :math:`a`,
    spectral radius :math:`\rho`; a ``tanh`` unit's slope is at most 1, so saturated
    units forget faster), hence the overlap

    .. math::

        k = \max\Big(\text{washout},\ \Big\lceil \frac{\ln \text{tol}}{\ln q} \Big\rceil\Big).

    Parameters
    ----------
    leak_rate : float in (0, 1]
    spectral_radius : float, below 1
        For :math:`\rho \geq 1` no decay is guaranteed: pass an explicit ``overlap``.
    washout : int, default=0
    tol : float, default=1e-12
        Fraction of the initial state difference left after the warm-up.

    Returns
    -------
    overlap : int

    Examples
    --------
    >>> from sktemporal.reservoir import auto_overlap
    >>> auto_overlap(leak_rate=0.3, spectral_radius=0.9)
    908
    >>> auto_overlap(leak_rate=1.0, spectral_radius=0.9, washout=1000)
    1000
    """
    q = 1.0 - float(leak_rate) * (1.0 - float(spectral_radius))
    if q >= 1.0:
        raise ValueError(
            f"overlap='auto' needs a reservoir that forgets: 1 - leak_rate * (1 - spectral_radius) "
            f"= {q:.3g} is not below 1 (spectral_radius={spectral_radius!r}). Pass overlap=<int>, "
            "a number of steps after which the states of two runs agree (check it on a sample)."
        )
    k = 1 if q <= 0.0 else math.ceil(math.log(tol) / math.log(q))
    return max(int(washout), k)


def chunk_overlap(est, X=None, y=None):
    """The warm-up of each chunk of the series ``X``: ``overlap``, the fitted ``overlap_``, or measured.

    ``'auto'`` reuses the length measured at the fit (``overlap_``) and measures it on the
    first steps of ``X`` otherwise (:func:`~._forgetting.measure_overlap`).
    """
    if est.overlap != "auto":
        return int(est.overlap)
    k = getattr(est, "overlap_", None)
    return int(k) if k is not None else measure_overlap(est, X, y)


# ----------------------------------------------------------------------------------
# layout of the dask inputs
# ----------------------------------------------------------------------------------
def check_dask_X(X):
    if X.ndim not in (2, 3):
        raise ValueError(
            f"X is a {X.ndim}-D dask array; expected a 2-D series (n_timesteps, n_features) "
            "chunked along time, or a 3-D collection (n_sequences, n_timesteps, n_features) "
            "chunked along sequences."
        )
    if any(math.isnan(c) for c in X.chunks[0]):
        raise ValueError("X has chunks of unknown size; call X.compute_chunk_sizes() first.")
    if X.dtype.kind not in "biuf":
        raise TypeError(f"X must hold numbers; got a dask array of dtype {X.dtype}.")
    # one chunk across everything but the first axis (time of a series, sequences of a collection)
    return X.rechunk({i: -1 for i in range(1, X.ndim)})


def align_y(y, X):
    """``y`` as a dask array chunked like the first axis of ``X``."""
    import dask.array as da

    if not is_dask_array(y):
        y = np.asarray(y)
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"X and y have different lengths: X has {X.shape[0]} "
            + ("time steps" if X.ndim == 2 else "sequences") + f", y has {y.shape[0]}."
        )
    chunks = (X.chunks[0],) + tuple((s,) for s in y.shape[1:])
    return da.from_array(y, chunks=chunks) if not is_dask_array(y) else y.rechunk(chunks)


def delayed_blocks(A):
    """Delayed blocks of ``A`` along its first axis."""
    return list(A.to_delayed().reshape(-1))


def chunk_inputs(X, est):
    """Each chunk of ``X`` as ``(delayed pieces, warm-up length, starts the series)``.

    A chunk of a series comes with the ``overlap`` steps of ``est`` before it
    (:func:`_warm_parts`), whose outputs the caller drops; only the first chunk starts
    the series (and may continue a fitted state).  A chunk of a collection is exact on
    its own.
    """
    xb = delayed_blocks(X)
    if X.ndim == 3:
        return [([block], 0, False) for block in xb]
    k = chunk_overlap(est, X)
    starts = np.concatenate([[0], np.cumsum(X.chunks[0])]).astype(int)
    out = []
    for i in range(len(xb)):
        parts, begin = _warm_parts(xb, starts, i, k)
        out.append((parts, int(starts[i] - begin), begin == 0))
    return out


def _warm_parts(blocks, starts, i, k):
    """The steps ``[max(0, s_i - k), s_i + len_i)`` of a series as delayed pieces, and their start."""
    begin = max(0, starts[i] - k)
    parts = []
    for j in range(i + 1):
        if starts[j + 1] <= begin:
            continue
        a = max(begin - starts[j], 0)
        parts.append(blocks[j][a:] if a else blocks[j])
    return parts, begin


# ----------------------------------------------------------------------------------
# per-chunk work (runs on the workers)
# ----------------------------------------------------------------------------------
def _worker_copy(est, keep_state):
    """A shallow copy to run one chunk: no readout, and no carried state unless asked."""
    w = copy.copy(est)
    w._readout = None
    if not keep_state:
        w.last_state_ = None
    return w


class ChunkPlan(NamedTuple):
    """How one chunk of a dask fit runs, apart from its data."""

    series: bool  #: a chunk of a series (else of a collection: exact on its own)
    continuing: bool  #: the chunk starts the series and continues the fitted one
    skip: int  #: leading steps of each sequence left out of the sums (warm-up and washout)
    seed: int  #: of the chunk's state noise
    want_end: bool  #: the last chunk of a series: the end of the series is kept
    overlap: int = 0  #: the warm-up of the pieces of a series chunk


def _fit_block(model, readout_args, x_parts, y_parts, plan):
    """Readout sums of one chunk, on a worker: ``model`` (a :class:`~._model.ReservoirModel`) fills a new readout.

    ``plan``: a :class:`ChunkPlan`.  Returns ``(readout, end, input_max)``: the chunk's
    sums, the end of the series (a :class:`~._model.SeriesEnd`, last chunk only, else
    None) and the largest absolute input (the yardstick of divergence).
    """
    m = model.for_chunk(RidgeReadout(*readout_args), plan.seed)
    x, y = np.concatenate(x_parts), np.concatenate(y_parts)
    batch, Y = m.chunk(x, y)
    bounds = _pieces(x.shape[0], plan.skip, plan.overlap) if plan.series else None
    if bounds is not None and len(bounds) > 2:
        _fit_pieces(m, x, y, bounds, plan)
    else:
        if not plan.series:
            m.check_washout(batch)
        m.accumulate(batch, Y, continuing=plan.continuing, washout=plan.skip)
    return m.readout, (m.end if plan.want_end else None), float(np.abs(batch.values).max(initial=0.0))


def _pieces(n_steps, skip, overlap):
    """Cut the counted steps ``[skip, n_steps)`` of a series chunk into pieces run side by side.

    The state loop costs about as much per step for a batch of 16-32 sequences as for 6-12
    single-sequence steps (one CSR product over the batch, the Python overhead shared), so
    a chunk runs faster as a batch of pieces, each warmed up on ``overlap`` steps like a
    chunk.  Pieces hold at least ``PIECE_OVERLAPS * overlap`` steps (the warm-ups cost at
    most 1/8 more steps), at most ``MAX_PIECES`` of them; a single piece when the chunk is
    too short.  Returns the piece boundaries (local step indices).
    """
    n = min(MAX_PIECES, (n_steps - skip) // max(PIECE_OVERLAPS * overlap, MIN_PIECE))
    if n < 3:  # the first and last pieces run on their own: fewer than 3 gains nothing
        return np.array([skip, n_steps])
    return np.linspace(skip, n_steps, n + 1).astype(int)


def _fit_pieces(model, x, y, bounds, plan):
    """A chunk as pieces: the first with the chunk's start, the others cold on ``plan.overlap`` steps."""
    def accumulate(xs, ys, continuing, washout):
        batch, Y = model.chunk(xs, ys)
        model.accumulate(batch, Y, continuing=continuing, washout=washout)

    k = plan.overlap
    # the first piece starts like the chunk (from step 0, the continued state, the washout)
    accumulate(x[:bounds[1]], y[:bounds[1]], plan.continuing, plan.skip)
    middle = range(1, len(bounds) - 1 - bool(plan.want_end))
    accumulate([x[bounds[j] - k:bounds[j + 1]] for j in middle],
               [y[bounds[j] - k:bounds[j + 1]] for j in middle], False, k)
    if plan.want_end:  # the last piece alone, for the state at the end of the series
        accumulate(x[bounds[-2] - k:], y[bounds[-2] - k:], False, k)


def _merge(*results):
    """Sum the readouts of consecutive chunks; keep the end state of the last one, the largest input."""
    readout = RidgeReadout.sum(r[0] for r in results)
    end = next((r[1] for r in reversed(results) if r[1] is not None), None)
    return readout, end, max(r[2] for r in results)


def tree_sum(results):
    import dask

    merge = dask.delayed(_merge, pure=True)
    while len(results) > 1:
        results = [merge(*results[i:i + SPLIT_EVERY]) for i in range(0, len(results), SPLIT_EVERY)]
    return results[0]


# ----------------------------------------------------------------------------------
# fit
# ----------------------------------------------------------------------------------
def input_statistics_dask(X, scaler):
    """Per-feature ``(center, scale)`` of the ``scaler`` from every chunk of ``X``, reduced on the cluster.

    ``'standard'``: mean and standard deviation over the valid steps (NaN padding of a
    collection excluded), as :func:`~._reservoir.input_statistics` computes them in
    memory.  ``'robust'`` needs exact quantiles, which dask has no reduction for: it
    raises ``NotImplementedError``.
    """
    import dask
    import dask.array as da


    if scaler == "robust":
        raise NotImplementedError(
            "scaler='robust' is not available for dask arrays: its median and interquartile "
            "range need exact quantiles, which dask does not reduce chunk by chunk. Use "
            "scaler='standard' (mean and standard deviation, computed on the cluster), or "
            "scaler=None with inputs scaled beforehand."
        )
    axes = tuple(range(X.ndim - 1))
    values = X.astype(np.float64)
    center, scale = dask.compute(da.nanmean(values, axis=axes), da.nanstd(values, axis=axes))
    return center, guard_scale(center, scale)


def setup_model(work, X, y, first, classes, alpha=None):
    """Client side: validate a small head of the data; the estimator builds the model to train.

    On a first fit the weights are drawn, with the ``scaler`` statistics computed on the
    cluster from every chunk (one pass over the data before the reservoir pass);
    ``alpha``: the readout's penalty (default ``work.alpha``).  A ``partial_fit``
    continues a copy of the fitted model.  Returns the
    :class:`~._model.ReservoirModel`, the arguments of each chunk's empty readout and
    the data's dtype.
    """
    import dask
    import dask.array as da

    head = 2 if X.ndim == 2 else 1
    X_head, y_head = dask.compute(X[:head], y[:head])
    if work._task == "classification" and first and classes is None:
        labels = y.ravel()
        if labels.dtype.kind == "f":
            labels = labels[~da.isnan(labels)]
        classes = da.unique(labels).compute()
    batch, targets, Y = work._prepare(X_head, y_head, first, classes)
    if first:
        if X.ndim == 2 and work.washout >= X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} time step(s); at least {work.washout + 1} are needed "
                             f"(required by washout={work.washout}).")
        statistics = None if work.scaler is None else input_statistics_dask(X, work.scaler)
        model = work._init_model(batch, targets, Y, work.alpha if alpha is None else alpha, statistics)
    else:
        check_n_outputs(Y.shape[-1], work.n_outputs_)
        model = work._continued_model()
    r = model.readout
    # the float32 sums' guard needs the rows of all the chunks, which no chunk sees (at most
    # one per step or sequence: padded steps counted, an upper bound)
    rows = r.n + (X.shape[0] * X.shape[1] if X.ndim == 3 and model.per_step else X.shape[0])
    # a chunk's task builds its own empty readout of this shape (sent: 6 numbers, not N x N zeros)
    readout_args = (r.C.shape[0], r.C.shape[1], r.alpha, r.C.shape[0] - r.n_main, r.float32_alpha, rows)
    return model, readout_args, batch.dtype


def series_overlap(work, X, y):
    """The warm-up of the chunks of the series ``X`` (see :func:`chunk_overlap`), published as ``overlap_``.

    ``work`` is the shadow being fitted: the measured length is published with it.
    """
    k = work.overlap_ = chunk_overlap(work, X, y)
    return k


def chunk_sums(model, X, y, readout_args, continuing, overlap):
    """One delayed ``(RidgeReadout, end, input_max)`` per chunk of ``X``, in order: the chunk's own sums.

    ``end`` is the :class:`~._model.SeriesEnd` after the last step of a series (last chunk
    only), else None; ``input_max`` the largest absolute input of the chunk.  Chunks of
    a series are warmed up on ``overlap`` steps; the ``washout`` applies to the first
    steps of the series (none when ``continuing``) and to every sequence of a collection.
    The sums are per chunk: a caller that needs them per block (cross-validation folds
    of a series) rechunks ``X`` at the block boundaries and merges them in order.

    Parameters
    ----------
    model : ReservoirModel
        The model being trained (its noise generator draws one seed per chunk); the
        workers receive it without its sums.
    X, y : dask arrays aligned on the first axis (``check_dask_X``, ``align_y``)
    readout_args : tuple
        ``RidgeReadout`` arguments ``(n_features, n_outputs, alpha, n_extra, float32_alpha,
        float32_rows)``.
    continuing : bool
        The series continues from ``model.start``.
    overlap : int
        The warm-up of each chunk of a series (:func:`series_overlap`); ignored for a collection.

    Returns
    -------
    results : list of dask.delayed.Delayed
    """
    import dask

    seeds = model.noise_rng.randint(np.iinfo(np.int32).max, size=X.numblocks[0])
    shipped = dask.delayed(model.shipped(), pure=True)
    xb, yb = delayed_blocks(X), delayed_blocks(y)
    fit_block = dask.delayed(_fit_block, pure=True)
    if X.ndim == 3:
        return [fit_block(shipped, readout_args, [xb[i]], [yb[i]],
                          ChunkPlan(False, False, model.washout, int(seeds[i]), False))
                for i in range(len(xb))]
    starts = np.concatenate([[0], np.cumsum(X.chunks[0])]).astype(int)
    washout = 0 if continuing else model.washout
    results = []
    for i in range(len(xb)):
        xp, begin = _warm_parts(xb, starts, i, overlap)
        yp, _ = _warm_parts(yb, starts, i, overlap)
        plan = ChunkPlan(True, continuing and begin == 0, int(max(int(starts[i]), washout) - begin),
                         int(seeds[i]), i == len(xb) - 1, int(overlap))
        results.append(fit_block(shipped, readout_args, xp, yp, plan))
    return results


def fit_dask(work, X, y, *, incremental, classes=None):
    """``fit``/``partial_fit`` of an echo state estimator on a dask array (see the module).

    ``work`` is the shadow of the estimator (``_BaseESN._fit`` checked the parameters
    and publishes ``work`` when this returns): it builds the model the chunks train and
    publishes from it, so a failure anywhere leaves the estimator as it was.
    """
    check_y_given(work, y)
    X = check_dask_X(X)
    y = align_y(y, X)
    if work.solver == "rls":
        return _remember_dask_series(_stream_on_client(work, X, y, incremental, classes), X)
    first = not incremental or not hasattr(work, "coef_")
    model, readout_args, dtype = setup_model(work, X, y, first, classes)
    series = X.ndim == 2
    continuing = series and not first and work.initial_state == "continue" and model.start is not None
    results = chunk_sums(model, X, y, readout_args, continuing, series_overlap(work, X, y) if series else 0)
    readout, model.end, input_max = tree_sum(results).compute()
    model.readout = readout if first else model.readout.merge(readout)
    model.check_growth(model.readout, np.array([input_max]))
    work._publish_model(model, *model.solve(model.readout, None, dtype))
    return _remember_dask_series(work, X)


def _remember_dask_series(work, X):
    """The fitted series of a dask fit is known by the array's name (dask's token of its data).

    ``predict``/``transform`` on that same dask array then restart from zeros, as the
    in-memory path does on the fitted series (see :mod:`~sktemporal.utils._continuation`).
    """
    work._fitted_series = ("dask", X.name) if X.ndim == 2 else None
    return work


def _stream_on_client(work, X, y, incremental, classes):
    """``solver='rls'``: the chunks in order through the in-memory fit on the client (exact)."""
    import dask

    if classes is None and work._task == "classification" and not (incremental and hasattr(work, "classes_")):
        import dask.array as da

        classes = da.unique(y.ravel()).compute()
    initial_state = work.initial_state
    work.initial_state = "continue"  # chunk i + 1 of a series follows chunk i (work is a shadow)
    first_continues = X.ndim == 2 and incremental and initial_state == "continue"
    kwargs = {"classes": classes} if work._task == "classification" else {}
    first = not incremental or not hasattr(work, "coef_")
    # the scaler's statistics come from every chunk, not from the first one
    statistics = None if not first or work.scaler is None else input_statistics_dask(X, work.scaler)
    for i, (xb, yb) in enumerate(zip(delayed_blocks(X), delayed_blocks(y))):
        xb, yb = dask.compute(xb, yb)
        if i == 0 and incremental and not first_continues:
            work.last_state_ = None  # the series starts from zeros, as in memory
        # the first chunk of a fit starts a new model; every later chunk continues it
        work._fit_into(xb, yb, incremental=incremental or i > 0, statistics=statistics, **kwargs)
    work.initial_state = initial_state
    return work


def fit_reservoir_dask(work, X):
    """``Reservoir.fit`` on a dask array, on the shadow ``work``.

    The weights are drawn on the client from a head of the data (the ``scaler``
    statistics computed on the cluster from every chunk); with
    ``initial_state='continue'`` the end state of a series is the state reached from
    zeros over its last ``overlap`` steps.
    """
    X = check_dask_X(X)
    statistics = None if work.scaler is None else input_statistics_dask(X, work.scaler)
    if X.ndim == 2 and work.initial_state == "continue":
        if work.overlap == "auto":  # the weights first (drawn from a head), then the measured length
            work._fit_into(np.asarray(X[:1].compute()), statistics)
            work.overlap_ = chunk_overlap(work, X)
            from ._reservoir import check_state_growth, input_drive  # (it imports this module)

            tail = np.asarray(X[max(0, X.shape[0] - work.overlap_):].compute())
            batch, _ = validate_sequences(work, tail, reset=False)
            h = final_state(work._states(batch, continuing=False))
            check_state_growth(work, float(np.abs(h).max()), input_drive(work.input_weights_, batch.values))
            work.last_state_ = h
        else:
            work._fit_into(np.asarray(X[max(0, X.shape[0] - chunk_overlap(work)):].compute()), statistics)
    else:
        work._fit_into(np.asarray(X[:1].compute()), statistics)
    return _remember_dask_series(work, X)


# ----------------------------------------------------------------------------------
# predict / transform
# ----------------------------------------------------------------------------------
def probe(est, X, method):
    """``est.<method>`` on one zero step shaped like ``X``, on the client, before any task runs.

    Fails early if ``est`` is not fitted or ``X`` has the wrong features or layout, and
    gives the output's trailing shape and dtype.
    """
    shape = (1, X.shape[1]) if X.ndim == 2 else (1,) + X.shape[1:]
    return getattr(_worker_copy(est, keep_state=False), method)(np.zeros(shape, dtype=X.dtype))


def _apply_block(est, method, x_parts, *, keep_state, skip):
    w = _worker_copy(est, keep_state=keep_state)
    return getattr(w, method)(np.concatenate(x_parts))[skip:]


def apply_dask(est, X, method):
    """``est.<method>(X)`` as a dask array, one task per chunk (series chunks warmed up).

    Parameters
    ----------
    est : fitted ESNRegressor, ESNClassifier or Reservoir
    X : dask array, 2-D series or 3-D collection
    method : str
        ``'predict'``, ``'predict_proba'``, ``'decision_function'`` or ``'transform'``.

    Returns
    -------
    out : dask array
        Rows aligned with the first axis of ``X``.
    """
    import dask
    import dask.array as da

    X = check_dask_X(X)
    sample = probe(est, X, method)
    trailing, dtype = sample.shape[1:], sample.dtype
    shipped = dask.delayed(_worker_copy(est, keep_state=True), pure=True)
    apply_block = dask.delayed(_apply_block, pure=True)
    # the fitted series itself restarts from zeros, as in memory
    refitted = X.ndim == 2 and getattr(est, "_fitted_series", None) == ("dask", X.name)
    out = []
    for i, (parts, skip, first) in enumerate(chunk_inputs(X, est)):
        task = apply_block(shipped, method, parts, keep_state=first and not refitted, skip=skip)
        out.append(da.from_delayed(task, shape=(X.chunks[0][i],) + trailing, dtype=dtype))
    return da.concatenate(out, axis=0)
