"""RNNRegressor and RNNClassifier: Elman and Jordan networks trained by backpropagation through time."""

from functools import partial

import numpy as np

from ..utils._param_validation import NON_NEGATIVE_REAL, Hidden, StrOptions
from ._base import NETWORK_CONSTRAINTS, BaseSequenceNetwork, SequenceClassifierMixin, SequenceRegressorMixin
from ._cells import CELLS
from ._layers import Network
from ._online import ONLINE_SOLVERS
from ._training import TrainingData

__all__ = ["RNNRegressor", "RNNClassifier"]

_ACTIVATIONS = ("tanh", "relu", "logistic", "identity")


class _BaseRNN(BaseSequenceNetwork):
    def __init__(
        self,
        hidden_layer_sizes=(32,),
        *,
        cell="elman",
        activation="tanh",
        teacher_forcing=True,
        bidirectional=False,
        bptt_steps=None,
        clip_norm=None,
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
        n_jobs=None,
        process_noise=1e-4,
        measurement_noise=1.0,
        initial_covariance=100.0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.cell = cell
        self.activation = activation
        self.teacher_forcing = teacher_forcing
        self.bidirectional = bidirectional
        self.bptt_steps = bptt_steps
        self.clip_norm = clip_norm
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
        if self.cell == "jordan" and (len(self._hidden_sizes()) != 1 or self.bidirectional):
            raise ValueError(
                "cell='jordan' feeds the output back to one hidden layer: it needs a single "
                f"hidden layer and bidirectional=False; got hidden_layer_sizes="
                f"{self.hidden_layer_sizes!r}, bidirectional={self.bidirectional}."
            )

        if self.solver in ONLINE_SOLVERS:
            if self.cell != "elman" or len(self._hidden_sizes()) != 1 or self.bidirectional:
                raise ValueError(
                    f"solver={self.solver!r} trains one unidirectional Elman layer; got cell="
                    f"{self.cell!r}, hidden_layer_sizes={self.hidden_layer_sizes!r}, "
                    f"bidirectional={self.bidirectional}."
                )
            if self.bptt_steps is not None or self.early_stopping:
                raise ValueError(
                    f"solver={self.solver!r} updates the weights at every step: bptt_steps and "
                    "early_stopping belong to the BPTT solvers; leave them at None / False."
                )

    def _build_network(self, n_in, n_out, per_step, out_activation):
        if self.cell == "jordan":
            factory = partial(CELLS["jordan"], n_out=n_out, activation=self.activation,
                              out_activation=out_activation)
            return Network(n_in, [(factory, self._hidden_sizes()[0])], [], n_out,
                           per_step=per_step, out_activation=out_activation, readout=False)
        factory = partial(CELLS[self.cell], activation=self.activation)
        return Network(
            n_in, [(factory, h) for h in self._hidden_sizes()], [], n_out,
            per_step=per_step, bidirectional=self.bidirectional, out_activation=out_activation,
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
        return Network(self._net.recurrent[0].cells[0].n_in + n_out, [], [self._hidden_sizes()[0]], n_out,
                       per_step=True, activation=self.activation, out_activation=out_activation)

    def _training_data(self, values, lengths, Y, per_step):
        if not self._teacher_forced(per_step):
            return super()._training_data(values, lengths, Y, per_step)
        # y(t−1), the known target, as an extra input; y(−1) = 0 as the closed loop starts
        previous = np.zeros_like(Y)
        previous[:, 1:] = Y[:, :-1]
        return TrainingData(np.concatenate([values, previous.astype(values.dtype)], axis=2),
                            lengths, Y, per_step, self.bptt_steps)


class RNNRegressor(SequenceRegressorMixin, _BaseRNN):
    """Elman recurrent network regressor trained by (truncated) backpropagation through time.

    .. math::

        h_l(t) = f\\big(h_{l-1}(t)\\,U_l + h_l(t-1)\\,W_l + b_l\\big),\\qquad
        \\hat y = h_L V + c

    with ``h_0(t) = x(t)``, one recurrent layer per entry of ``hidden_layer_sizes``, and
    ``ŷ`` read at every step (a target per step) or at each sequence's last step (a target
    per sequence).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32,)
        Units of each stacked recurrent layer; ``(64, 32)`` is two layers.
    cell : {'elman', 'jordan'}, default='elman'
        'elman': the hidden state is fed back (as above).  'jordan': the network's output
        is fed back to its single hidden layer,
        ``h(t) = f(x(t) U + ŷ(t−1) W_y + b)``, ``ŷ(t) = g(h(t) V + c)``.
    activation : {'tanh', 'relu', 'logistic', 'identity'}, default='tanh'
        Nonlinearity of the recurrent layers.
    teacher_forcing : bool, default=True
        Jordan networks with a target per step only: train with the known target
        ``y(t−1)`` in place of the fed-back output (open loop, no recurrence during
        training); ``predict`` always runs closed loop on the model's own outputs.  False
        trains closed loop by BPTT through the output feedback.
    bidirectional : bool, default=False
        Read every sequence both ways and concatenate the two states (each layer).
    bptt_steps : int or None, default=None
        Truncation length of BPTT; None backpropagates through whole sequences.  A single
        2-D series is cut into parallel contiguous streams (``batch_size`` of them, or up
        to 32 with 'auto') that carry their state from chunk to chunk.
    clip_norm : float or None, default=None
        Rescale each gradient to at most this Euclidean norm.
    solver : {'adam', 'sgd', 'lbfgs', 'rtrl', 'ekf', 'dekf'}, default='adam'
        'adam', 'sgd', 'lbfgs': backpropagation through time.  'rtrl' (real-time recurrent
        learning, an SGD step after every time step), 'ekf' (global extended Kalman
        filter) and 'dekf' (node-decoupled EKF) learn online, one unidirectional Elman
        layer only; see :ref:`the user guide <online_learning>` for their cost.
    alpha : float, default=1e-4
        L2 penalty on the weights (not the biases), as in MLPRegressor.
    batch_size : int or 'auto', default='auto'
        Sequences per minibatch (``min(32, n_sequences)`` for 'auto').
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Schedule for 'sgd'.
    process_noise, measurement_noise, initial_covariance : float, default=1e-4, 1.0, 100.0
        EKF / DEKF only: the process noise ``Q = q I`` added to the weight covariance every
        step, the measurement noise ``R = r I``, and the initial covariance ``P0 = p I``.
    learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose, warm_start, momentum, nesterovs_momentum, early_stopping, validation_fraction, beta_1, beta_2, epsilon, n_iter_no_change, max_fun
        As in :class:`sklearn.neural_network.MLPRegressor`.  With ``early_stopping`` the
        validation data is the last ``validation_fraction`` of a single series (time order
        kept) or a random subset of a collection's sequences.
    n_jobs : int or None, default=None
        Processes that share each minibatch's gradient (the BPTT solvers 'adam', 'sgd',
        'lbfgs'; the online solvers run in one process): the sequences of a minibatch are split between them and the
        summed gradient is the serial one up to rounding.  None means 1 unless in a
        :func:`joblib.parallel_config` context; -1 means all CPUs.  Worker processes start
        once (1–2 s of imports) and are reused by later fits.  Pays off for minibatches of
        about 16 sequences or more with long sequences; see :ref:`parallel_training`.

    Attributes
    ----------
    params_ : ndarray
        All weights and biases in one flat vector.
    loss_ : float
    loss_curve_ : list of float
    best_loss_ : float or None
    validation_scores_ : list of float or None
    best_validation_score_ : float or None
    n_iter_ : int
    t_ : int
        Number of target rows (steps or sequences) seen by the solver.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a pandas DataFrame.
    n_outputs_ : int

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


class RNNClassifier(SequenceClassifierMixin, _BaseRNN):
    """Elman recurrent network classifier trained by (truncated) backpropagation through time.

    Labels per sequence (read at each sequence's last step) or per step; a logistic output
    for two classes, softmax for more, log-loss.  Parameters and attributes as in
    :class:`RNNRegressor`, plus ``classes_``.

    Parameters
    ----------
    hidden_layer_sizes, cell, activation, teacher_forcing, bidirectional, bptt_steps, clip_norm, solver, alpha, batch_size, learning_rate, learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose, warm_start, momentum, nesterovs_momentum, early_stopping, validation_fraction, beta_1, beta_2, epsilon, n_iter_no_change, max_fun, n_jobs, process_noise, measurement_noise, initial_covariance
        As in :class:`RNNRegressor`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    params_, loss_, loss_curve_, best_loss_, validation_scores_, best_validation_score_, n_iter_, t_, n_features_in_, feature_names_in_, n_outputs_
        As in :class:`RNNRegressor`; ``n_outputs_`` is 1 for two classes (logistic output),
        else the number of classes (softmax).

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
