r"""The docstring sections of ``ESNRegressorCV`` / ``ESNClassifierCV``: parameters, attributes, notes."""

import inspect

from ._esn import _esn_doc

__all__ = ["cv_doc"]

_CV_PARAMS_DOC = r"""
    alphas : array-like of shape (n_alphas,), default=(1e-10, 1e-9, ..., 10.0, 100.0)
        Ridge penalties to try (13 values, one per decade from 1e-10 to 100).
    cv : int, cross-validation generator, iterable or None, default=None
        How the data are split.  For a 2-D series, None or an int ``k`` means
        ``TimeSeriesSplit(n_splits=k)`` (5 for None); for a collection (the splits
        run over sequences), :func:`~sklearn.model_selection.check_cv`'s default
        (``KFold``, or ``StratifiedKFold`` for a classifier with a label per
        sequence), 5 folds for None.  Any splitter or iterable of
        ``(train, test)`` index arrays is accepted.
    scoring : str, callable or None, default=None
        Score of a fold, higher is better (a scikit-learn scorer name or
        ``scorer(estimator, X, y)``); None is the estimator's ``score``.  Scores are
        computed over the valid steps of the test rows (targets per step) or over the
        test sequences, exactly like ``GridSearchCV`` would score a fold."""

_CV_ATTRS_DOC = r"""
    spectral_radius_, leak_rate_, input_scaling_ : float or ndarray
        The reservoir chosen by the search (the given value when fixed; ``input_scaling_``
        may be a per-feature array).
    n_segments_ : int
        The number of segments of the mean pooling chosen with it.
    alpha_ : float
        The penalty of the best mean test score for that reservoir (the first one on
        ties, like ``GridSearchCV``); the readout ``coef_``, ``intercept_`` is fitted on
        all the data with it.
    best_score_ : float
        Mean test score of ``alpha_`` over the folds.
    cv_results_ : dict of ndarray
        One row per reservoir candidate, at the last rung of the search it reached, in
        ``GridSearchCV``'s layout: ``param_spectral_radius``, ``param_leak_rate``,
        ``param_input_scaling``, ``param_n_segments``, ``param_alpha`` (its best penalty),
        ``split<k>_test_score``, ``mean_test_score``, ``std_test_score``,
        ``rank_test_score`` (the candidates of later rungs first), ``iter`` (its rung),
        ``n_resources`` (steps or sequences it was scored on), ``params``.
    best_index_ : int
        The row of ``cv_results_`` chosen (the one-standard-error rule may prefer a
        row other than rank 1).
    alpha_results_ : dict of ndarray
        The per-penalty table of the chosen reservoir: ``param_alpha``,
        ``split<k>_test_score``, ``mean_test_score``, ``std_test_score``,
        ``rank_test_score``, ``params``.
    n_splits_ : int
        Number of folds.
    single_pass_ : bool
        Whether the reservoir ran once for all folds and penalties (True) or once per
        fold (the fallback, see the Notes)."""

_CV_NOTES_DOC = r"""
    **The reservoir search.**  The candidates are the product of the values of
    ``spectral_radius``, ``leak_rate``, ``input_scaling`` and ``n_segments``; all share
    the weights drawn from one seed.  They are pruned by successive halving (a third survive each rung;
    rungs on the first :math:`n / 3^r` steps of a series or a stratified subset of the
    sequences, at least 200 steps or 150 sequences; the last rung on all the data;
    only with ``cv`` None or an int), and the last rung's winner is chosen by the
    one-standard-error rule: the candidate nearest to ``spectral_radius=0.97,
    leak_rate=1.0, input_scaling=0.7, n_segments=1`` (log distance) whose mean score is within one
    standard error :math:`\mathrm{std}_k(s_k)/\sqrt{K}` of the best.

    **One candidate.**  One reservoir pass serves every fold and penalty when the folds allow it:

    * a 2-D series under an expanding-window splitter (every training set is a prefix
      ``0 .. e - 1`` and its test set follows it, as with ``TimeSeriesSplit`` without
      ``gap`` or ``max_train_size``) with ``initial_state='continue'``: the states of
      the whole series are computed once from zeros; a fold's training rows are a
      prefix (its sums are prefix sums of the streamed blocks) and its test rows carry
      exactly the states that ``initial_state='continue'`` gives after fitting the
      prefix;
    * a collection, with any splitter: every sequence starts from zeros, so its rows
      do not depend on the fold; sums are kept per block of sequences with the same
      fold membership and merged per fold.

    The results then equal ``GridSearchCV(<the plain estimator>, {'alpha': alphas},
    cv=cv)`` (up to the rounding of summing in another order), at the cost of one fit.
    Otherwise (a series under a splitter that is not an expanding window, such as
    ``KFold`` or ``TimeSeriesSplit(gap=...)``; ``initial_state='zeros'``; ``noise``;
    ``feedback``) each fold is fitted on its own (the reservoir runs over its
    training rows once, all penalties are solved from those sums, and each penalty
    predicts the test rows), which equals ``GridSearchCV`` too, and ``single_pass_``
    is False.

    With ``scaler`` set, the single pass standardises with the statistics of all the
    data given to ``fit`` (one reservoir for every fold), where ``GridSearchCV`` would
    take them from each training fold; use ``scaler=None`` with inputs of your own
    scale for exact equality.  While fitting, the readout rows of the test sets (at
    most all ``n_rows x n_reservoir`` states) and one ``N x N`` sum per block are held.

    ``fit`` takes dask arrays (a series chunked along time, a collection chunked
    along sequences) when the single pass applies: the blocks' sums are reduced on the
    cluster and the test chunks scored there, in a second pass over the data (see
    :ref:`scaling`)."""


_SEARCHED_DOC = r"""
    spectral_radius : float, list of float or 'auto', default='auto'
        Largest absolute eigenvalue of :math:`W`: one value (fixed), candidates, or
        ``'auto'``, the candidates of the :ref:`search <esn_cv_search>` (for
        ``ESNRegressorCV`` 0.8, 0.95, 1.1; for ``ESNClassifierCV`` 0.97 alone).
    leak_rate : float in (0, 1], list of float or 'auto', default='auto'
        The leak rate, likewise (``'auto'``: 0.3, 0.6, 1.0 for the regressor, 1.0 for
        the classifier).
    input_scaling : float, array-like or 'auto', default='auto'
        Scale of the input weights, likewise (``'auto'``: 0.1, 0.3, 1.0 for the
        regressor, 0.7 for the classifier).  A 1-D list holds candidates; a fixed
        per-feature scaling is one row of a 2-D array (each row a candidate)."""

_N_SEGMENTS_DOC = r"""
    n_segments : int, list of int or 'auto', default=%(default)r
        With ``pooling='mean'`` or ``'both'`` and a target per sequence: the mean state
        is taken over each of ``n_segments`` consecutive, nearly equal segments of the
        sequence (see :class:`ESNClassifier`); one value (fixed), candidates searched with
        the reservoir, or ``'auto'`` (``ESNClassifierCV``: 1 and 4, the one-standard-error
        rule preferring 1; ``ESNRegressorCV``: 1).  A 2-D series keeps the first
        candidate (its readout rows are per step)."""

_N_JOBS_DOC = r"""
    n_jobs : int or None, default=None
        Reservoir candidates evaluated in parallel through joblib (None: one, unless in a
        :func:`joblib.parallel_config` context, e.g. Dask's)."""


def cv_doc(cls):
    """Fill the shared CV sections, then the ESN sections, into a class docstring.

    The entries of the searched parameters replace the plain estimator's.
    """
    for key, text in (("cv_params", _CV_PARAMS_DOC), ("cv_attrs", _CV_ATTRS_DOC),
                      ("cv_notes", _CV_NOTES_DOC)):
        cls.__doc__ = cls.__doc__.replace(f"    %({key})s", text.strip("\n"))
    cls = _esn_doc(cls)
    doc = cls.__doc__
    start = doc.index("    spectral_radius : float, default=")
    end = doc.index("    bias_scaling : float")
    doc = doc[:start] + _SEARCHED_DOC.strip("\n") + "\n" + doc[end:]
    start = doc.index("    n_segments : int, default=")
    end = doc.index("    noise : float")
    default = inspect.signature(cls.__init__).parameters["n_segments"].default
    doc = doc[:start] + (_N_SEGMENTS_DOC % {"default": default}).strip("\n") + "\n" + doc[end:]
    at = doc.index("    random_state :")
    cls.__doc__ = doc[:at] + _N_JOBS_DOC.strip("\n") + "\n" + doc[at:]
    return cls
