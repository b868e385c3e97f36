r"""Shared numpydoc entries of the echo state estimators' parameters and attributes.

A class docstring writes the markers ``%(common_params)s``, ``%(readout_params)s``,
``%(feedback_params)s`` and ``%(common_attrs)s`` where those entries go, and is decorated
with :func:`_esn_doc`, which writes one entry per parameter of the group that the
constructor has, with its type and its default *read from the signature* (so a default can
never be documented wrong), in the group's order.
"""

import inspect
import textwrap

__all__ = ["ESN_PARAMETER_DOCS", "COMMON_PARAMS", "READOUT_PARAMS", "FEEDBACK_PARAMS", "_esn_doc"]

#: name -> (type, description); the default is read from the signature.
ESN_PARAMETER_DOCS = {
    "n_reservoir": ("int", "Number of reservoir units :math:`N`."),
    "spectral_radius": (
        "float",
        "Largest absolute eigenvalue of :math:`W`, set exactly (ARPACK).  Below 1 the reservoir "
        "forgets its initial state; closer to 1 it remembers longer.",
    ),
    "leak_rate": (
        "float in (0, 1]",
        r":math:`a`.  Smaller values slow the reservoir down to match slowly varying "
        "inputs.",
    ),
    "input_scaling": (
        "float or array-like of shape (n_features,)",
        "Scale of the input weights (per feature if an array).  Small: nearly linear, long "
        "memory; large: nonlinear, short memory (see the User Guide's defaults page).",
    ),
    "bias_scaling": ("float", "Scale of the bias column of :math:`W_{in}`."),
    "density": ("float in (0, 1]", "Fraction of non-zero recurrent weights."),
    "topology": (
        "{'random', 'small_world', 'cycle'}",
        "Random graph, Watts–Strogatz small world (``rewiring``), or simple cycle reservoir "
        "(a ring with equal weights; ignores ``density``).",
    ),
    "rewiring": ("float in [0, 1]", "Rewiring probability of ``topology='small_world'``."),
    "distribution": (
        "{'uniform', 'normal'}",
        r"Distribution of the non-zero weights: :math:`\mathcal{U}[-1, 1]` or "
        r":math:`\mathcal{N}(0, 1)`.",
    ),
    "activation": (
        "{'tanh', 'identity', 'logistic', 'relu'}",
        "Activation :math:`f` of the reservoir units.",
    ),
    "include_input": ("bool", "Readout on :math:`[1; h(n); x(n)]` (True) or on :math:`[1; h(n)]`."),
    "washout": (
        "int",
        "Steps at the start of every sequence (and of a series started from zeros) left out "
        "of the readout training and of ``pooling='mean'``: the transient from the zero "
        "initial state.  Predictions are returned for every step.",
    ),
    "pooling": (
        "{'last', 'mean', 'both'}",
        "Many-to-one (a target per sequence): the readout reads the state after the last "
        "step, the mean state after the washout, or both concatenated.",
    ),
    "n_segments": (
        "int",
        "With ``pooling='mean'`` or ``'both'``: the mean is taken over each of ``n_segments`` "
        "consecutive, nearly equal segments of the steps after the washout (``n_segments`` "
        "times as many mean features), which keeps the order of events in a sequence; a "
        "sequence with fewer steps than segments gets one-step segments, some repeated (see "
        "the User Guide).  Ignored with ``pooling='last'`` and for targets per step.",
    ),
    "noise": (
        "float",
        "Standard deviation of Gaussian noise added to the pre-activations while fitting (a "
        "regulariser; never added when predicting).",
    ),
    "initial_state": (
        "{'continue', 'zeros'}",
        "Where a 2-D series starts in ``predict``, ``partial_fit`` and ``generate``: "
        "'continue' carries on from the state reached at the end of the series seen in the "
        "last ``fit``/``partial_fit`` (the test block of ``TimeSeriesSplit`` follows its "
        "training block, so its first predictions are as good as the rest; the fitted "
        "series itself restarts from zeros, so ``predict(X)`` after ``fit(X, y)`` is "
        "in-sample); 'zeros' "
        "restarts from the zero state (all predictions are returned, the first ones carry "
        "the start-up transient).  Collections always start from zeros.",
    ),
    "scaler": (
        "{'standard', 'robust'} or None",
        "Per-feature input standardisation, statistics from the data of the first "
        "``fit``/``partial_fit`` (padding excluded): mean and standard deviation, or median "
        "and interquartile range ('robust').  It is folded into ``input_weights_`` "
        "(:math:`W_{in}` acts on the raw inputs as the drawn weights act on the "
        "standardised ones), so ``input_scaling`` and ``bias_scaling`` mean the same on any "
        "data; None feeds the raw inputs (see the defaults page).  With a scaler, "
        "``input_scaling=0.1, bias_scaling=0.5`` is the place to start.  On a dask array "
        "the 'standard' statistics are computed on the cluster before the reservoir pass; "
        "'robust' raises ``NotImplementedError`` there (see :ref:`scaling`).",
    ),
    "overlap": (
        "'auto' or int",
        "Dask arrays only: steps of the previous chunks of a series that warm up each "
        "chunk's state, so that chunks run in parallel (see :ref:`scaling`).  'auto' "
        "measures how fast this reservoir forgets its initial state on the first steps of "
        "the series (:func:`~sktemporal.reservoir.measure_overlap`), at least ``washout``; "
        "the length used is published as ``overlap_``.",
    ),
    "random_state": (
        "int, RandomState instance or None",
        "Seed of the weights (and of ``noise``).  With an int the unscaled recurrent matrix "
        "and its spectral radius are cached per process (see the User Guide), so clones in "
        "a grid search over ``spectral_radius``, ``leak_rate`` or the scalings do not redraw "
        "and re-diagonalise it.",
    ),
    "alpha": (
        "float",
        r"Ridge penalty :math:`\beta` of the readout (the bias is not penalised); the "
        r"initial regularisation :math:`P = I/\beta` with ``solver='rls'``.",
    ),
    "solver": (
        "{'ridge', 'rls'}",
        "Ridge regression from streamed sums (exact, Cholesky) or recursive least squares "
        "(online, with ``forgetting``).",
    ),
    "forgetting": (
        "float in (0, 1]",
        r"Forgetting factor :math:`\lambda` of ``solver='rls'``: a row seen :math:`k` steps "
        r"ago weighs :math:`\lambda^k`.",
    ),
    "keep_training_state": (
        "bool",
        r"Keep what continuing training needs (the ridge sums :math:`H^\top H`, "
        r":math:`H^\top Y`, an ``N x N`` matrix; or the RLS matrix :math:`P`) in the "
        "model's pickle and deep copies.  In memory it is always kept, so ``partial_fit`` "
        "continues a fitted model; a model unpickled without it can be refitted or used to "
        "predict, and ``partial_fit`` or ``predict(return_std=True)`` on it raises a "
        "``ValueError``.  By default a pickle holds the parameters only.",
    ),
    "feedback": (
        "bool",
        "Feed the previous output back into the reservoir through :math:`W_{fb}` (needs "
        "targets per step).  Fitting uses teacher forcing (the true :math:`y(n-1)`); "
        "``predict`` and ``generate`` feed back the model's own outputs.",
    ),
    "feedback_scaling": ("float", "Scale of :math:`W_{fb}`."),
}

COMMON_PARAMS = ("n_reservoir", "spectral_radius", "leak_rate", "input_scaling", "bias_scaling", "density",
                 "topology", "rewiring", "distribution", "activation", "include_input", "washout", "pooling",
                 "n_segments", "noise", "initial_state", "scaler", "overlap", "random_state")
READOUT_PARAMS = ("alpha", "solver", "forgetting", "keep_training_state")
FEEDBACK_PARAMS = ("feedback", "feedback_scaling")

_COMMON_ATTRS_DOC = r"""
    reservoir_weights_ : scipy.sparse.csr_matrix of shape (n_reservoir, n_reservoir)
        :math:`W`.
    input_weights_ : ndarray of shape (n_reservoir, 1 + `n_features_in_`)
        :math:`W_{in}`, bias column first.
    input_center_, input_scale_ : ndarray of shape (`n_features_in_`,) or None
        Statistics of the input ``scaler`` (None without one).
    last_state_ : ndarray of shape (n_reservoir,) or None
        State after the last step of the last 2-D series seen in ``fit`` or
        ``partial_fit`` (None after a collection).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Only for pandas input."""


def _entry(name, default):
    type_, text = ESN_PARAMETER_DOCS[name]
    head = f"{name} : {type_}, default={default!r}"
    body = textwrap.fill(text, width=88, initial_indent="    ", subsequent_indent="    ",
                         break_on_hyphens=False, break_long_words=False)
    return textwrap.indent(head + "\n" + body, "    ")


def _esn_doc(cls):
    """Class decorator: fill the shared parameter and attribute sections into ``cls.__doc__``.

    Each parameter marker becomes the entries of its group that ``cls.__init__`` takes, with
    the defaults of that signature.
    """
    signature = inspect.signature(cls.__init__).parameters
    for key, names in (("common_params", COMMON_PARAMS), ("readout_params", READOUT_PARAMS),
                       ("feedback_params", FEEDBACK_PARAMS)):
        entries = "\n".join(_entry(name, signature[name].default) for name in names if name in signature)
        cls.__doc__ = cls.__doc__.replace(f"    %({key})s", entries)
    cls.__doc__ = cls.__doc__.replace("    %(common_attrs)s", _COMMON_ATTRS_DOC.strip("\n"))
    return cls
