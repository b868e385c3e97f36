"""TDNNRegressor and TDNNClassifier: focused time-lagged feedforward networks.

A static multilayer perceptron made temporal by a short-term memory at its input (the
"focused" time-lagged feedforward network of Principe et al.): a tapped delay line or a
gamma memory runs along each sequence, and the MLP maps the memory's taps at every step to
the output.  The memory has no trainable parameter, so once the taps are built the rows
are independent: training is sklearn's MLP training on the embedded rows, through the
package's shared network, optimizers and training loop.
"""

import numpy as np

from ..preprocessing._taps import MEMORY_HINTS, TapMemory
from ..utils._param_validation import NON_NEGATIVE_INT, POSITIVE_INT, Interval, Real, StrOptions
from ._auto import resolve_delays
from ._base import NETWORK_CONSTRAINTS, BaseSequenceNetwork
from ._docstrings import CLASSIFIER_N_OUTPUTS, NETWORK_ATTRIBUTES, SCALER_DOC, network_docstring
from ._layers import DenseStack, Network
from ._task_mixins import SequenceClassifierMixin, SequenceRegressorMixin
from ._training import TrainingData

__all__ = ["TDNNRegressor", "TDNNClassifier"]

_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")
_MEMORIES = ("tapped", "gamma")


class _Rows(TrainingData):
    """Training rows, each a length-1 sequence, served without sorting or masking.

    Once embedded, the rows of a TDNN are independent: a minibatch is just ``batch_size``
    rows, as in sklearn's MLP, and every row counts (no padding), so the per-minibatch
    work of the general :meth:`TrainingData.chunks` (length sort, transposes, masks) is
    skipped.
    """

    def __init__(self, rows, targets, per_step):
        super().__init__(rows[:, None], np.ones(len(rows), dtype=np.intp),
                         targets[:, None] if per_step else targets, per_step)
        self._rows, self._targets = rows, targets

    def chunks(self, idx):
        B = len(idx)
        Y = self._targets[idx]
        # time-major (1, B, ...): one step of B sequences; mask None: every row counts
        X = self._rows[idx][None]
        yield X, np.array([B]), self.lengths[:B], Y[None] if self.per_step else Y, None, B


def _as_rows(data):
    """The training data with every target row as its own length-1 sequence.

    Per step: each valid step of each sequence; per sequence: each sequence's last step
    (the memory's window ending there).
    """
    values, lengths = data.values, data.lengths
    if data.per_step:
        if values.shape[0] == 1:
            rows, targets = values[0, : lengths[0]], data.targets[0, : lengths[0]]
        else:
            mask = np.arange(values.shape[1])[None, :] < lengths[:, None]
            rows, targets = values[mask], data.targets[mask]
    else:
        rows, targets = values[np.arange(len(lengths)), lengths - 1], data.targets
    return _Rows(np.ascontiguousarray(rows), np.ascontiguousarray(targets), data.per_step)


class _BaseTDNN(BaseSequenceNetwork):
    # no recurrence: the rows are independent once embedded, nothing to backpropagate
    # through time (read by the shared base)
    bptt_steps = None
    _recurrent = False

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        memory="tapped",
        delays="auto",
        stride=1,
        order=5,
        mu=0.5,
        fill="edge",
        activation="relu",
        clip_norm=None,
        scaler="standard",
        solver="adam",
        alpha=0.1,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=1000,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=100,
        max_fun=15000,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.memory = memory
        self.delays = delays
        self.stride = stride
        self.order = order
        self.mu = mu
        self.fill = fill
        self.activation = activation
        self.clip_norm = clip_norm
        self.scaler = scaler
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun

    _parameter_constraints = {
        **{k: v for k, v in NETWORK_CONSTRAINTS.items()
           if k not in ("bidirectional", "bptt_steps", "n_jobs", "initial_state", "pooling", "patch_size")},
        "memory": [StrOptions(set(_MEMORIES))],
        "delays": [NON_NEGATIVE_INT, "array-like", StrOptions({"auto"})],  # a list's lags are checked by TapMemory
        "stride": [POSITIVE_INT],
        "order": [NON_NEGATIVE_INT],
        "mu": [Interval(Real, 0, 2, closed="neither")],
        "fill": [StrOptions({"edge"}), Interval(Real, None, None, closed="neither")],
        "activation": [StrOptions(set(_ACTIVATIONS))],
    }

    _parameter_hints = MEMORY_HINTS

    # ------------------------------------------------------------------ memory
    def _validate_hyperparameters(self):
        super()._validate_hyperparameters()
        if self.memory == "tapped" and isinstance(self.delays, str):  # 'auto': from the first fit's data
            return
        self._set_memory(self.delays, self.stride)

    def _set_memory(self, delays, stride):
        memory = TapMemory.from_params(self.memory, delays=delays, stride=stride, order=self.order,
                                       mu=self.mu, fill=self.fill)
        self.lags_ = memory.lags  # None for a gamma memory
        self._memory_spec = memory.state  # plain data: the fitted state's format is unchanged

    def _resolve_auto(self, raw, targets):
        super()._resolve_auto(raw, targets)
        if self.memory == "tapped" and isinstance(self.delays, str):
            self._set_memory(*resolve_delays(self.delays, self.stride, raw.kind, targets.per_step,
                                             raw.max_length))

    @property
    def n_taps_(self):
        """Memory taps per input feature (the network sees ``n_features_in_ * n_taps_`` inputs)."""
        return TapMemory.from_state(self._memory_spec).n_taps

    def _inputs(self, batch):
        """The memory's taps at every step: ``(n_sequences, max_length, n_features * n_taps_)``."""
        scaler = getattr(self, "_input_scaler", None)
        # the batch is already scaled; a number fill is in the user's units
        return TapMemory.from_state(self._memory_spec).taps(batch, None if scaler is None else scaler.transform)

    # ----------------------------------------------------------------- network
    def _build_network(self, n_in, n_out, per_step, out_activation):
        return Network(n_in, [], DenseStack(self._hidden_sizes(), n_out, self.activation, out_activation),
                       per_step=per_step)

    def _arrange(self, batch, inputs, Y, targets, incremental, bptt_steps):
        data, validation = super()._arrange(batch, inputs, Y, targets, incremental, bptt_steps)
        return _as_rows(data), validation

    def _batch_size(self, data, bptt_steps=None, series=False):
        # rows, not sequences: sklearn's MLP sizes; L-BFGS sees all rows at once
        if self.solver == "lbfgs":
            return data.n_sequences
        if self.batch_size == "auto":
            return min(200, data.n_sequences)
        return min(self.batch_size, data.n_sequences)


_TDNN_PARAMETERS = {
    "hidden_layer_sizes": (
        "array-like of shape (n_layers,)",
        "Units of each hidden layer of the MLP after the memory.",
    ),
    "memory": (
        "{'tapped', 'gamma'}",
        "Short-term memory at the input: a tapped delay line (the lags given by ``delays`` and "
        "``stride``) or a gamma memory (``order`` and ``mu``).",
    ),
    "delays": (
        "int, list of int or 'auto'",
        "Tapped memory only.  An int ``k`` gives the ``k + 1`` lags ``0, stride, ..., "
        "k*stride``; a list gives the lags themselves (see "
        ":class:`~sktemporal.preprocessing.DelayEmbedding`).  'auto': 10 on one series or "
        "with a target per step; on a collection with a target per sequence, lags that cover "
        "the whole of the longest sequence (at most 64, the stride raised to fit), so that "
        "the network sees the sequence's shape.",
    ),
    "stride": ("int", "Tapped memory only: spacing of the lags of an int ``delays``."),
    "order": ("int", "Gamma memory only: number of taps ``K`` after the input (``K + 1`` per feature)."),
    "mu": (
        "float",
        "Gamma memory only: the memory parameter in ``(0, 2)``; memory depth about "
        "``order / mu`` steps; ``mu=1`` is the tapped delay line of ``order`` lags.",
    ),
    "fill": (
        "'edge' or float",
        "The value each sequence is taken to have had before its first step (the only place "
        "the memory is padded): ``'edge'`` repeats the first step.",
    ),
    "activation": (
        "{'identity', 'logistic', 'tanh', 'relu'}",
        "Activation of the hidden layers.",
    ),
    "clip_norm": (
        "float or None",
        "Rescale each minibatch gradient to at most this Euclidean norm; None does not clip.",
    ),
    "solver": (
        "{'adam', 'sgd', 'lbfgs'}",
        "As in :class:`sklearn.neural_network.MLPRegressor`; 'lbfgs' uses all rows at once.",
    ),
    "batch_size": (
        "int or 'auto'",
        "Rows (valid steps, or sequences for a target per sequence) per minibatch; "
        "``min(200, n_rows)`` for 'auto'.",
    ),
    "shuffle": ("bool", "Whether to shuffle the rows every epoch ('sgd' and 'adam')."),
    "scaler": SCALER_DOC,
    "early_stopping": (
        "bool",
        "Hold out ``validation_fraction`` of the data and stop when its score has not improved "
        "by ``tol`` for ``n_iter_no_change`` epochs; the weights of the best score are kept.  "
        "The held-out data is the last part of a single series (its memory filled from the "
        "true history before it) or a random subset of a collection's sequences.  Only used "
        "with 'sgd' and 'adam'.",
    ),
}
_TDNN_ATTRIBUTES = ["lags_", "n_taps_"] + NETWORK_ATTRIBUTES
_TDNN_ATTRIBUTE_DOCS = {
    "lags_": ("ndarray of shape (n_taps,) or None", "The lags of the tapped memory (None for a gamma memory)."),
    "n_taps_": ("int", "Memory taps per input feature."),
    "params_": ("ndarray of shape (n_params,)", "All weights and biases of the MLP in one flat vector."),
    "t_": ("int", "Number of target rows seen by the solver."),
}


@network_docstring(_TDNN_PARAMETERS, _TDNN_ATTRIBUTES, _TDNN_ATTRIBUTE_DOCS)
class TDNNRegressor(SequenceRegressorMixin, _BaseTDNN):
    __doc__ = r"""Time-lagged feedforward network regressor (focused TDNN, tapped or gamma memory).

    A short-term memory turns the input :math:`u(t)` of every step into taps
    :math:`\tilde x(t)`, and a multilayer perceptron maps them to the output:

    .. math::

        \tilde x(t) = \big(u(t - d_0), \dots, u(t - d_{m-1})\big)
        \quad\text{(tapped)},\qquad
        \tilde x_k(t) = (1 - \mu)\,\tilde x_k(t-1) + \mu\,\tilde x_{k-1}(t-1),\
        \tilde x_0(t) = u(t) \quad\text{(gamma)},

    .. math::

        h_1 = f(\tilde x(t)\,W_1 + b_1),\ \dots,\ h_L = f(h_{L-1} W_L + b_L),\qquad
        \hat y(t) = h_L V + c.

    The memory runs along each sequence with its true history (padding only before a
    sequence's first step, see ``fill``).  A target per step is predicted at every step;
    a target per sequence of a collection from the memory at the sequence's last step.
    The memory has no trainable parameter, so the network is trained like
    :class:`sklearn.neural_network.MLPRegressor` on the embedded rows (shuffled
    minibatches of ``batch_size`` rows): ``TDNNRegressor(delays=k)`` on a series learns
    what ``Pipeline(DelayEmbedding(delays=k), MLPRegressor())`` learns, in the
    package's sequence layouts (collections, ragged, many-to-one, early stopping on the
    end of a series).

    Read more in the :ref:`User Guide <tdnn>`.

    %(parameters_and_attributes)s

    See Also
    --------
    sktemporal.preprocessing.DelayEmbedding : The tapped delay line as a transformer.
    sktemporal.preprocessing.GammaMemory : The gamma memory as a transformer.
    RNNRegressor : A recurrent network, whose memory is learned.

    Examples
    --------
    >>> from sktemporal.datasets import narma
    >>> from sktemporal.metrics import nrmse
    >>> from sktemporal.neural_network import TDNNRegressor
    >>> X, y = narma(1200, random_state=0)
    >>> model = TDNNRegressor((32,), delays=20, learning_rate_init=0.01,
    ...                       max_iter=100, random_state=0).fit(X[:1000], y[:1000])
    >>> pred = model.predict(X)[1000:]        # the test steps, with their true history
    >>> bool(nrmse(y[1000:], pred) < 0.5)
    True
    """


@network_docstring(_TDNN_PARAMETERS, ["classes_"] + _TDNN_ATTRIBUTES,
                   {**_TDNN_ATTRIBUTE_DOCS, "n_outputs_": CLASSIFIER_N_OUTPUTS})
class TDNNClassifier(SequenceClassifierMixin, _BaseTDNN):
    __doc__ = r"""Time-lagged feedforward network classifier (focused TDNN, tapped or gamma memory).

    The memory of :class:`TDNNRegressor` followed by an MLP classifier: a label per step
    (predicted from the memory at that step) or per sequence of a collection (from the
    memory at the sequence's last step); logistic output for two classes, softmax for
    more, log-loss, as :class:`sklearn.neural_network.MLPClassifier`.

    Read more in the :ref:`User Guide <tdnn>`.

    %(parameters_and_attributes)s

    See Also
    --------
    TDNNRegressor : The regressor, with the formulas.

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.neural_network import TDNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(500, 1))
    >>> y = (X[:, 0] * np.roll(X[:, 0], 3) > 0).astype(int)  # same sign as 3 steps back?
    >>> clf = TDNNClassifier((16,), delays=3, solver="lbfgs", max_iter=500,
    ...                      random_state=0).fit(X, y)
    >>> clf.predict_proba(X).shape
    (500, 2)
    >>> bool(clf.score(X, y) > 0.95)
    True
    """
