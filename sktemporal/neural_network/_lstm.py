"""LSTMRegressor and LSTMClassifier: long short-term memory networks."""

from ._base import SequenceClassifierMixin, SequenceRegressorMixin
from ._gated import BaseGatedRNN

__all__ = ["LSTMRegressor", "LSTMClassifier"]


class LSTMRegressor(SequenceRegressorMixin, BaseGatedRNN):
    """Long short-term memory regressor trained by (truncated) backpropagation through time.

    Each recurrent layer is an LSTM (Hochreiter & Schmidhuber, 1997, with forget gate):

    .. math::

        [i, f, g, o] &= [\\sigma, \\sigma, \\tanh, \\sigma]\\big(x(t) W_x + h(t-1) W_h + b\\big) \\\\
        C(t) &= f \\odot C(t-1) + i \\odot g, \\qquad h(t) = o \\odot \\tanh C(t)

    and ``ŷ = h_L V + c`` is read at every step (a target per step) or at each sequence's
    last step (a target per sequence).  The additive cell-state path lets errors flow
    over long lags where an Elman network's vanish.  Weights use the Keras layout (gate
    order i, f, g, o; ``W_x`` is ``(n_in, 4H)``) and convert to and from PyTorch and
    Keras with :func:`to_torch` / :func:`from_torch` / :func:`to_keras` /
    :func:`from_keras`; the forget-gate bias starts at 1.  See :ref:`lstm_gru`.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32,)
        Units of each stacked LSTM layer; ``(64, 32)`` is two layers, the first one's
        output sequence being the second one's input.
    bidirectional : bool, default=False
        Read every sequence both ways and concatenate the two states (each layer).
    bptt_steps : int, 'auto' or None, default='auto'
        Truncation length of BPTT; None backpropagates through whole sequences.  'auto':
        on one 2-D series (solvers 'adam' and 'sgd', one direction), chunks of 32 steps
        over parallel contiguous streams of the series, as many streams as leave each
        about 8 chunks (at most 32), so that an epoch makes many updates (see
        :ref:`defaults`); whole sequences on a collection.  With an int, a single series
        is cut into ``batch_size`` streams (up to 32 with 'auto') that carry their state
        from chunk to chunk.
    clip_norm : float or None, default=None
        Rescale each gradient to at most this Euclidean norm.
    scaler : {'standard', 'robust'} or None, default='standard'
        Standardize each input feature (and each output) inside, with statistics
        of the valid steps of the first fit (mean and standard deviation; median and
        interquartile range for 'robust'); predictions, ``generate`` and exported weights are in the user's units.  None
        trains on the data as given.
    initial_state : {'continue', 'zeros'}, default='continue'
        Where a 2-D series starts in ``predict``, ``score`` and ``generate``: 'continue'
        carries on from the state the network reached at the end of the series seen in
        the last fit (a ``TimeSeriesSplit`` test block follows its training block);
        'zeros' restarts from the zero state.  Collections always start from zeros.
    solver : {'adam', 'sgd', 'lbfgs'}, default='adam'
        Backpropagation through time with Adam, SGD, or full-batch L-BFGS.
    alpha : float, default=1e-2
        L2 penalty on the weights (not the biases), as in MLPRegressor.
    batch_size : int or 'auto', default='auto'
        Sequences per minibatch (``min(32, n_sequences)`` for 'auto').
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Schedule for 'sgd'.
    learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose, warm_start, momentum, nesterovs_momentum, early_stopping, validation_fraction, beta_1, beta_2, epsilon, n_iter_no_change, max_fun
        As in :class:`sklearn.neural_network.MLPRegressor`.  With ``early_stopping`` the
        validation data is the last ``validation_fraction`` of a single series (time order
        kept) or a random subset of a collection's sequences.
    n_jobs : int or None, default=None
        Processes that share each minibatch's gradient (the BPTT solvers 'adam', 'sgd',
        'lbfgs'): the sequences of a minibatch are split between them and the
        summed gradient is the serial one up to rounding.  None means 1 unless in a
        :func:`joblib.parallel_config` context; -1 means all CPUs.  Worker processes start
        once (1–2 s of imports) and are reused by later fits.  Pays off for minibatches of
        about 16 sequences or more with long sequences; see :ref:`parallel_training`.

    Attributes
    ----------
    params_ : ndarray
        All weights and biases in one flat vector (float32 when fitted on float32 data).
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

    See Also
    --------
    GRURegressor : the gated recurrent unit, fewer parameters per unit.
    RNNRegressor : the Elman network.

    Examples
    --------
    >>> from sktemporal.datasets import adding_problem
    >>> from sktemporal.neural_network import LSTMRegressor
    >>> X, y = adding_problem(200, seq_length=10, random_state=0)
    >>> model = LSTMRegressor((8,), learning_rate_init=0.01, max_iter=50, random_state=0)
    >>> model.fit(X, y).predict(X[:3]).shape
    (3,)
    >>> model.score(X, y) > 0.5
    True
    """

    _cell = "lstm"


class LSTMClassifier(SequenceClassifierMixin, BaseGatedRNN):
    """Long short-term memory classifier trained by (truncated) backpropagation through time.

    Labels per sequence (read at each sequence's last step) or per step; a logistic output
    for two classes, softmax for more, log-loss.  Cell, parameters and attributes as in
    :class:`LSTMRegressor`, plus ``classes_``.

    Parameters
    ----------
    hidden_layer_sizes, bidirectional, bptt_steps, clip_norm, scaler, initial_state, solver, alpha, batch_size, learning_rate, learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose, warm_start, momentum, nesterovs_momentum, early_stopping, validation_fraction, beta_1, beta_2, epsilon, n_iter_no_change, max_fun, n_jobs
        As in :class:`LSTMRegressor`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    params_, loss_, loss_curve_, best_loss_, validation_scores_, best_validation_score_, n_iter_, t_, n_features_in_, feature_names_in_, n_outputs_
        As in :class:`LSTMRegressor`; ``n_outputs_`` is 1 for two classes (logistic output), else
        the number of classes (softmax).

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.neural_network import LSTMClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = [rng.normal(size=(rng.randint(5, 15), 1)) for _ in range(60)]
    >>> y = np.array([int(x[0, 0] > 0) for x in X])   # remember the first step
    >>> clf = LSTMClassifier((8,), solver="lbfgs", max_iter=100, random_state=0).fit(X, y)
    >>> clf.predict_proba(X).shape
    (60, 2)
    """

    _cell = "lstm"
