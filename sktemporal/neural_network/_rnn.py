"""RNNRegressor and RNNClassifier: Elman and Jordan networks trained by backpropagation through time."""

from functools import partial

import numpy as np

from ..utils._param_validation import NON_NEGATIVE_REAL, Hidden, StrOptions
from ._base import NETWORK_CONSTRAINTS, BaseSequenceNetwork
from ._cells import CELLS
from ._docstrings import (
    CLASSIFIER_N_OUTPUTS,
    PARAMETER_DOCS,
    RECURRENT_ATTRIBUTES,
    RECURRENT_CLASSIFIER_ATTRIBUTES,
    network_docstring,
)
from ._layers import DenseStack, Network
from ._online import ONLINE_SOLVERS
from ._task_mixins import SequenceClassifierMixin, SequenceRegressorMixin
from ._training import TrainingData

__all__ = ["RNNRegressor", "RNNClassifier"]

_ACTIVATIONS = ("tanh", "relu", "logistic", "identity")

_RNN_PARAMETERS = {
    "cell": (
        "{'elman', 'jordan'}",
        "'elman': the hidden state is fed back (as above).  'jordan': the network's output is "
        "fed back to its single hidden layer, ``h(t) = f(x(t) U + ŷ(t−1) W_y + b)``, "
        "``ŷ(t) = g(h(t) V + c)``.",
    ),
    "activation": (
        "{'tanh', 'relu', 'logistic', 'identity'}",
        "Nonlinearity of the recurrent layers.",
    ),
    "teacher_forcing": (
        "bool",
        "Jordan networks with a target per step only: train with the known target ``y(t−1)`` "
        "in place of the fed-back output (open loop, no recurrence during training); "
        "``predict`` always runs closed loop on the model's own outputs.  False trains closed "
        "loop by BPTT through the output feedback.",
    ),
    "solver": (
        "{'adam', 'sgd', 'lbfgs', 'rtrl', 'ekf', 'dekf'}",
        "'adam', 'sgd', 'lbfgs': backpropagation through time, as in "
        ":class:`sklearn.neural_network.MLPRegressor`.  'rtrl' (real-time recurrent learning, "
        "an SGD step after every time step), 'ekf' (global extended Kalman filter) and 'dekf' "
        "(node-decoupled EKF) learn online, one unidirectional Elman layer only; see "
        ":ref:`the user guide <online_learning>` for their cost.",
    ),
    "learning_rate_init": (
        "float",
        "The initial learning rate: the step size of the weight updates of 'sgd', 'adam' and "
        "'rtrl'.",
    ),
    "n_jobs": (
        "int or None",
        PARAMETER_DOCS["n_jobs"][1] + "  The online solvers run in one process.",
    ),
    "process_noise": (
        "float",
        "'ekf' and 'dekf' only: the process noise ``Q = q I`` added to the weight covariance "
        "after every update.",
    ),
    "measurement_noise": (
        "float",
        "'ekf' and 'dekf' only: the measurement noise ``R = r I`` of the outputs.",
    ),
    "initial_covariance": (
        "float",
        "'ekf' and 'dekf' only: the initial weight covariance ``P0 = p I``.",
    ),
}


class _BaseRNN(BaseSequenceNetwork):
    def __init__(
        self,
        hidden_layer_sizes=(32,),
        *,
        cell="elman",
        activation="tanh",
        teacher_forcing=True,
        bidirectional="auto",
        pooling="mean_max",
        patch_size="auto",
        bptt_steps="auto",
        clip_norm=None,
        scaler="standard",
        initial_state="continue",
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=600,
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
        n_iter_no_change=30,
        max_fun=15000,
        n_jobs=None,
        process_noise=1e-4,
        measurement_noise=1.0,
        initial_covariance=10.0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.cell = cell
        self.activation = activation
        self.teacher_forcing = teacher_forcing
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.patch_size = patch_size
        self.bptt_steps = bptt_steps
        self.clip_norm = clip_norm
        self.scaler = scaler
        self.initial_state = initial_state
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
        self.n_jobs = n_jobs
        self.process_noise = process_noise
        self.measurement_noise = measurement_noise
        self.initial_covariance = initial_covariance

    _parameter_constraints = {
        **NETWORK_CONSTRAINTS,
        # 'lstm' and 'gru' pass the table to get the message that names the right class
        "cell": [StrOptions({"elman", "jordan"}), Hidden(StrOptions({"lstm", "gru"}))],
        "activation": [StrOptions(set(_ACTIVATIONS))],
        "teacher_forcing": ["boolean"],
        "solver": [StrOptions({"adam", "sgd", "lbfgs", *ONLINE_SOLVERS})],
        "process_noise": [NON_NEGATIVE_REAL],
        "measurement_noise": [NON_NEGATIVE_REAL],
        "initial_covariance": [NON_NEGATIVE_REAL],
    }

    def _validate_hyperparameters(self):
        super()._validate_hyperparameters()
        if self.cell in ("lstm", "gru"):
            raise ValueError(
                f"cell must be 'elman' or 'jordan'; got {self.cell!r}. For LSTM/GRU use "
                "LSTMRegressor/GRURegressor (or the classifiers)."
            )
        if self.cell == "jordan" and (len(self._hidden_sizes()) != 1 or self.bidirectional is True):
            raise ValueError(
                "cell='jordan' feeds the output back to one hidden layer: it needs a single "
                f"hidden layer and bidirectional=False; got hidden_layer_sizes="
                f"{self.hidden_layer_sizes!r}, bidirectional={self.bidirectional}."
            )

        if self.solver in ONLINE_SOLVERS:
            if self.cell != "elman" or len(self._hidden_sizes()) != 1 or self.bidirectional is True:
                raise ValueError(
                    f"solver={self.solver!r} trains one unidirectional Elman layer; got cell="
                    f"{self.cell!r}, hidden_layer_sizes={self.hidden_layer_sizes!r}, "
                    f"bidirectional={self.bidirectional}."
                )
            if self.bptt_steps not in (None, "auto") or self.early_stopping is True:
                raise ValueError(
                    f"solver={self.solver!r} updates the weights at every step: bptt_steps and "
                    "early_stopping belong to the BPTT solvers; leave them at None / False."
                )

    def _resolve_auto(self, raw, targets):
        super()._resolve_auto(raw, targets)
        if self.cell == "jordan" or self.solver in ONLINE_SOLVERS:
            self._bidir = False  # 'auto': the output fed back, or the online updates, run forward

    def _build_network(self, n_in, n_out, per_step, out_activation):
        if self.cell == "jordan":
            factory = partial(CELLS["jordan"], n_out=n_out, activation=self.activation,
                              out_activation=out_activation)
            return Network(n_in, [(factory, self._hidden_sizes()[0])], None, per_step=per_step)
        factory = partial(CELLS[self.cell], activation=self.activation)
        return Network(
            n_in, [(factory, h) for h in self._hidden_sizes()], DenseStack([], n_out, out_activation=out_activation),
            per_step=per_step, bidirectional=self._bidirectional,
            # the online solvers' sensitivities follow the last state only
            pooling="last" if self.solver in ONLINE_SOLVERS else self.pooling,
        )

    def _teacher_forced(self, per_step):
        return self.cell == "jordan" and self.teacher_forcing and per_step

    def _training_network(self, n_out, per_step, out_activation):
        """With teacher forcing a Jordan network is a dense network on ``[x(t); y(t−1)]``.

        Its parameters have exactly the flat layout of the Jordan cell (see
        :class:`~sktemporal.neural_network._cells.JordanCell`), so both networks share
        ``params_``: trained open loop, run closed loop.
        """
        if not self._teacher_forced(per_step):
            return self._net
        dense = DenseStack([self._hidden_sizes()[0]], n_out, self.activation, out_activation)
        return Network(self._net.recurrent[0].cells[0].n_in + n_out, [], dense, per_step=True)

    def _training_data(self, values, lengths, Y, per_step, bptt_steps):
        if not self._teacher_forced(per_step):
            return super()._training_data(values, lengths, Y, per_step, bptt_steps)
        # y(t−1), the known target, as an extra input; y(−1) = 0 as the closed loop starts
        previous = np.zeros_like(Y)
        previous[:, 1:] = Y[:, :-1]
        return TrainingData(np.concatenate([values, previous.astype(values.dtype)], axis=2),
                            lengths, Y, per_step, bptt_steps)


@network_docstring(_RNN_PARAMETERS, RECURRENT_ATTRIBUTES)
class RNNRegressor(SequenceRegressorMixin, _BaseRNN):
    """Elman recurrent network regressor trained by (truncated) backpropagation through time.

    .. math::

        h_l(t) = f\\big(h_{l-1}(t)\\,U_l + h_l(t-1)\\,W_l + b_l\\big),\\qquad
        \\hat y = h_L V + c

    with ``h_0(t) = x(t)``, one recurrent layer per entry of ``hidden_layer_sizes``, and
    ``ŷ`` read at every step (a target per step) or at each sequence's last step (a target
    per sequence).

    %(parameters_and_attributes)s

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.neural_network import RNNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(size=(64, 10, 1))
    >>> y = X[:, :, 0].sum(axis=1)          # one target per sequence
    >>> model = RNNRegressor((8,), solver="lbfgs", max_iter=200, random_state=0).fit(X, y)
    >>> model.predict(X).shape
    (64,)
    >>> round(model.score(X, y), 2) > 0.9
    True
    """


@network_docstring(_RNN_PARAMETERS, RECURRENT_CLASSIFIER_ATTRIBUTES, {"n_outputs_": CLASSIFIER_N_OUTPUTS})
class RNNClassifier(SequenceClassifierMixin, _BaseRNN):
    """Elman recurrent network classifier trained by (truncated) backpropagation through time.

    Labels per sequence (read at each sequence's last step) or per step; a logistic output
    for two classes, softmax for more, log-loss.  The network as in
    :class:`RNNRegressor`.

    %(parameters_and_attributes)s

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.neural_network import RNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = [rng.normal(size=(rng.randint(5, 15), 1)) for _ in range(60)]
    >>> y = np.array([int(x[0, 0] > 0) for x in X])   # remember the first step
    >>> clf = RNNClassifier((8,), solver="lbfgs", max_iter=300, random_state=0).fit(X, y)
    >>> clf.predict_proba(X).shape
    (60, 2)
    """
