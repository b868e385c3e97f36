"""Seq2SeqRegressor: an encoder–decoder network that reads a window and emits the next H steps.

The encoder reads the input sequence and summarises it in its final state ``c`` (each
layer's, concatenated across directions); the decoder is conditioned on ``c`` at every step
and on its own previous output (Cho et al., 2014):

.. math::

    c = h^{enc}(T), \\qquad
    s(k) = \\mathrm{cell}\\big([\\hat y(k-1);\\, c],\\ s(k-1)\\big), \\qquad
    \\hat y(k) = s(k)\\,V + b_{out}, \\quad k = 0, \\dots, H-1,

with ``ŷ(−1) = 0`` and ``s(−1) = 0``.  During training the fed-back ``ŷ(k−1)`` is the
true ``y(k−1)`` (teacher forcing) with probability ``teacher_forcing``, else the model's own
closed-loop prediction (scheduled sampling: used as an input, not differentiated through).
Prediction always runs closed loop.
"""

from functools import partial
from typing import NamedTuple

import numpy as np
from sklearn.metrics import r2_score

from ..utils._batch import restore_layout
from ..utils._param_validation import UNIT_INTERVAL, StrOptions
from ._base import NETWORK_CONSTRAINTS, BaseSequenceNetwork
from ._cells import CELLS
from ._docstrings import NETWORK_ATTRIBUTES, SCALER_DOC, network_docstring
from ._layers import DenseStack, Network
from ._params import ParameterLayout
from ._task_mixins import SequenceRegressorMixin
from ._training import TrainingData

__all__ = ["Seq2SeqRegressor"]


class DecoderInputs(NamedTuple):
    """A training chunk's inputs: encoder sequences and the decoder's fed-back values."""

    encoder: np.ndarray  # (T, B, n_in), time-major, length-sorted
    previous: np.ndarray  # (H, B, n_out): what the decoder reads as ŷ(k − 1)


class DecoderFeedback(NamedTuple):
    """How the decoder's fed-back values ŷ(k − 1) are made during training.

    With probability ``teacher_forcing`` the true previous value, otherwise (scheduled
    sampling) the model's own: ``closed_loop(X, sizes, lengths)`` runs the network closed
    loop on a chunk, ``rng`` draws which steps are sampled.
    """

    horizon: int
    n_out: int  # outputs per future step
    teacher_forcing: float
    closed_loop: object = None  # needed only when teacher_forcing < 1
    rng: object = None


class EncoderDecoder:
    """Encoder and decoder networks sharing one flat parameter vector.

    Presents the :class:`~sktemporal.neural_network._layers.Network` interface
    (``layout``, ``initialize``, ``forward``, ``backward``, ``per_step``) so the shared
    training loop trains it unchanged.  Many-to-one (``per_step=False``): one forecast per
    sequence, read from each sequence's final encoder state, output ``(B, H · n_out)``.
    Per step (a single long series): a forecast of the next ``H`` values at every step,
    output ``(T, B, H · n_out)``.
    """

    def __init__(self, factory, n_in, hidden_sizes, n_out, horizon, per_step=False, bidirectional=False,
                 out_activation="identity"):
        self.horizon, self.k, self.per_step = horizon, n_out, per_step
        self.encoder = Network(n_in, [(factory, h) for h in hidden_sizes], None, per_step=per_step,
                               bidirectional=bidirectional, prefix="encoder.")
        self.decoder = Network(n_out + self.encoder.n_out, [(factory, h) for h in hidden_sizes],
                               DenseStack([], n_out, out_activation=out_activation), per_step=True,
                               prefix="decoder.")
        self.layout = ParameterLayout(list(self.encoder.layout.shapes.items())
                                      + list(self.decoder.layout.shapes.items()))
        self._split = self.encoder.layout.size

    def release(self):
        self.encoder.release()
        self.decoder.release()

    def initialize(self, theta, rng):
        self.encoder.initialize(theta[: self._split], rng)
        self.decoder.initialize(theta[self._split:], rng)

    def forward(self, theta, X, sizes, lengths, state=None):
        """Teacher-forced when ``X`` is :class:`DecoderInputs`, closed loop when it is an array.

        The encoder state is not carried between calls (``state`` is ignored): each chunk's
        forecasts are conditioned on that chunk.
        """
        enc_theta, dec_theta = theta[: self._split], theta[self._split:]
        previous = X.previous if isinstance(X, DecoderInputs) else None
        X = X.encoder if isinstance(X, DecoderInputs) else X
        c, _, enc_cache = self.encoder.forward(enc_theta, X, sizes, lengths)
        lead = c.shape[:-1]  # (B,) or (T, B)
        C = c.reshape(-1, c.shape[-1])  # one decoder run per row
        R, H = C.shape[0], self.horizon
        if previous is None:
            out, dec_cache = self._closed_loop(dec_theta, C), None
        else:
            dec_in = np.concatenate([previous, np.broadcast_to(C, (H,) + C.shape)], axis=2)
            out, _, dec_cache = self.decoder.forward(dec_theta, dec_in, np.full(H, R), np.full(R, H))
            out = out.transpose(1, 0, 2)
        return out.reshape(lead + (H * self.k,)), None, (enc_cache, dec_cache, c.shape)

    def _closed_loop(self, dec_theta, C):
        R = C.shape[0]
        one, ones = np.full(1, R, dtype=np.intp), np.ones(R, dtype=np.intp)
        y_prev = np.zeros((1, R, self.k), dtype=C.dtype)
        state, outputs = None, []
        for _ in range(self.horizon):
            inp = np.concatenate([y_prev, C[None]], axis=2)
            y_prev, state, _ = self.decoder.forward(dec_theta, inp, one, ones, state)
            outputs.append(y_prev[0])
        return np.stack(outputs, axis=1)

    def backward(self, theta, grad, delta, cache):
        enc_cache, dec_cache, c_shape = cache
        H = self.horizon
        R = int(np.prod(c_shape[:-1]))
        d_out = np.ascontiguousarray(delta.reshape(R, H, self.k).transpose(1, 0, 2))
        d_in = self.decoder.backward(theta[self._split:], grad[self._split:], d_out, dec_cache, need_dx=True)
        d_c = d_in[:, :, self.k:].sum(axis=0).reshape(c_shape)  # c enters every decoder step
        self.encoder.backward(theta[: self._split], grad[: self._split], d_c, enc_cache)


class _Seq2SeqData(TrainingData):
    """Minibatches whose inputs carry the decoder's fed-back values (teacher forcing or sampled)."""

    def __init__(self, values, lengths, targets, per_step, bptt_steps, feedback):
        super().__init__(values, lengths, targets, per_step, bptt_steps)
        self.horizon, self.k = feedback.horizon, feedback.n_out
        self.teacher_forcing, self.closed_loop, self.rng = feedback.teacher_forcing, feedback.closed_loop, feedback.rng

    def chunks(self, idx):
        for X, sizes, lengths, Y, mask, n in super().chunks(idx):
            R = int(np.prod(Y.shape[:-1]))
            truth = Y.reshape(R, self.horizon, self.k).transpose(1, 0, 2)
            previous = np.zeros_like(truth)
            previous[1:] = truth[:-1]
            if self.teacher_forcing < 1 and self.horizon > 1:
                own = self.closed_loop(X, sizes, lengths).reshape(R, self.horizon, self.k).transpose(1, 0, 2)
                sampled = self.rng.uniform(size=(self.horizon - 1, R, 1)) >= self.teacher_forcing
                previous[1:] = np.where(sampled, own[:-1], previous[1:])
            yield DecoderInputs(X, np.ascontiguousarray(previous)), sizes, lengths, Y, mask, n


_SEQ2SEQ_PARAMETERS = {
    "hidden_layer_sizes": (
        "array-like of shape (n_layers,)",
        "Units of each stacked layer of the encoder and of the decoder.",
    ),
    "cell": ("{'lstm', 'gru', 'elman'}", "The recurrent cell of the encoder and of the decoder."),
    "scaler": SCALER_DOC,
    "bidirectional": ("bool", "Bidirectional encoder (the decoder runs forward)."),
    "teacher_forcing": (
        "float in [0, 1]",
        "Probability of feeding the decoder the true previous value during training (1.0: "
        "full teacher forcing; below 1: scheduled sampling with the model's own closed-loop "
        "predictions, which costs one extra forward pass per minibatch).  Prediction is "
        "always closed loop.",
    ),
    "bptt_steps": (
        "int or None",
        "Truncation length of backpropagation through the encoder along one long series; "
        "windows of a collection are read whole.",
    ),
}
_SEQ2SEQ_ATTRIBUTES = {
    "horizon_": ("int", "Number of future steps predicted (``y.shape[1]``)."),
    "n_outputs_": ("int", "Values predicted per window: ``horizon_`` times the outputs per future step."),
}


@network_docstring(_SEQ2SEQ_PARAMETERS, ["horizon_"] + NETWORK_ATTRIBUTES, _SEQ2SEQ_ATTRIBUTES)
class Seq2SeqRegressor(SequenceRegressorMixin, BaseSequenceNetwork):
    """Encoder–decoder recurrent regressor for multi-step (sequence-to-sequence) forecasting.

    Reads each input window with an encoder (LSTM, GRU or Elman layers) and emits the next
    ``H`` values with a decoder conditioned on the encoder's final state and on its own
    previous output; ``H`` is the horizon of the ``y`` given to :meth:`fit`.  On one long
    series (2-D ``X``) the encoder runs along the series and the decoder forecasts the next
    ``H`` values at every step, so the model fits ``TimeSeriesSplit`` like the other
    estimators.

    .. math::

        c = h^{enc}(T),\\quad s(k) = \\mathrm{cell}([\\hat y(k-1); c], s(k-1)),\\quad
        \\hat y(k) = s(k) V + b.

    %(parameters_and_attributes)s

    Notes
    -----
    ``fit(X, y)`` takes input windows ``X`` (a 3-D collection or a list; see
    :func:`sktemporal.forecasting.make_windows`) with ``y`` of shape ``(n_sequences,
    horizon)`` or ``(n_sequences, horizon, n_outputs)``, or one long series ``X`` (2-D) with
    ``y`` of shape ``(n_timesteps,)``, ``(n_timesteps, horizon)`` or ``(n_timesteps, horizon,
    n_outputs)`` — at every step, the values following it (see
    :func:`sktemporal.forecasting.make_horizon_targets`).  ``predict`` returns the layout of
    that ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal import Seq2SeqRegressor
    >>> from sktemporal.forecasting import make_windows
    >>> series = np.sin(0.2 * np.arange(600))[:, None]
    >>> X, Y = make_windows(series, window=20, horizon=5)
    >>> model = Seq2SeqRegressor((16,), cell="gru", solver="lbfgs", max_iter=100, random_state=0)
    >>> model.fit(X, Y).predict(X[:3]).shape
    (3, 5)
    """

    def __init__(
        self,
        hidden_layer_sizes=(32,),
        *,
        cell="lstm",
        bidirectional=False,
        teacher_forcing=1.0,
        bptt_steps="auto",
        clip_norm=None,
        scaler="standard",
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
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
        n_iter_no_change=10,
        max_fun=15000,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.cell = cell
        self.bidirectional = bidirectional
        self.teacher_forcing = teacher_forcing
        self.bptt_steps = bptt_steps
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

    # generate() feeds outputs back as inputs one step at a time; a seq2seq model already
    # emits a whole horizon, so it is not offered
    _recurrent = False

    _parameter_constraints = {
        **{k: v for k, v in NETWORK_CONSTRAINTS.items()
           if k not in ("n_jobs", "initial_state", "pooling", "patch_size")},
        "bidirectional": ["boolean"],
        "cell": [StrOptions({"lstm", "gru", "elman"})],
        "teacher_forcing": [UNIT_INTERVAL],  # the probability of feeding the true previous value
    }

    def _prepare_targets(self, y, batch, first):
        """``(..., H[, k])`` targets → ``(..., H·k)`` per-sequence or per-step targets."""
        y = np.asarray(y)  # one (H,) or (H, k) forecast per window or step
        series = batch.kind == "series"
        if y.ndim == 0 or y.ndim > 3 or (not series and y.ndim == 1):
            raise ValueError(
                "y must be (n_sequences, horizon[, n_outputs]) for a collection of windows, or "
                "(n_timesteps[, horizon[, n_outputs]]) for one series; got shape "
                f"{y.shape} with a {'series' if series else 'collection'} X."
            )
        horizon = y.shape[1] if y.ndim > 1 else 1
        k = y.shape[2] if y.ndim == 3 else 1
        if first:
            self.horizon_, self._y_ndim = horizon, y.ndim
        elif horizon != self.horizon_:
            raise ValueError(f"y has a horizon of {horizon} steps; {self.horizon_} were seen in the first fit.")
        self._k = k
        return y.reshape(y.shape[0], horizon * k)

    def _build_network(self, n_in, n_out, per_step, out_activation):
        factory = CELLS[self.cell]
        if self.cell == "elman":
            factory = partial(factory, activation="tanh")
        return EncoderDecoder(factory, n_in, self._hidden_sizes(), n_out // self.horizon_, self.horizon_,
                              per_step, self.bidirectional, out_activation)

    def _training_data(self, values, lengths, Y, per_step, bptt_steps):
        def closed_loop(X, sizes, L):
            out, _, _ = self._net.forward(self.params_, X, sizes, L)
            return out

        feedback = DecoderFeedback(self.horizon_, self._k, self.teacher_forcing, closed_loop, self._random_state)
        return _Seq2SeqData(values, lengths, Y, per_step, bptt_steps, feedback)

    def predict(self, X):
        """Predict the ``horizon_`` values following each window (or each step of a series), closed loop.

        Returns
        -------
        y_pred : ndarray
            The layout of the ``y`` given to :meth:`fit`.
        """
        out, batch = self._predict_raw(X)
        out = restore_layout(out, batch, per_step=self._per_step, squeeze=False)
        if self._y_ndim == 3:
            return out.reshape(out.shape[0], self.horizon_, -1)
        return out.reshape(out.shape[0], self.horizon_) if self._y_ndim == 2 else out[:, 0]

    def score(self, X, y, sample_weight=None):
        """R² over all predicted values (every horizon step and output weighted equally).

        Returns
        -------
        score : float
        """
        pred = self.predict(X)
        y = np.asarray(y)
        if y.shape != pred.shape:
            raise ValueError(f"y has shape {y.shape}; the predictions have shape {pred.shape}.")
        n = y.shape[0]
        return r2_score(y.reshape(n, -1), pred.reshape(n, -1), sample_weight=sample_weight)
