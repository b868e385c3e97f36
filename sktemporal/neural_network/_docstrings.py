"""Shared numpydoc entries of the trained networks' parameters and attributes.

Each estimator class writes the marker ``%(parameters_and_attributes)s`` in its docstring
where the Parameters and Attributes sections go, and is decorated with
:func:`network_docstring`, which writes the two sections: one entry per constructor
parameter, in signature order, with its type and its default *read from the signature* (so
a default can never be documented wrong), and one entry per attribute.  A class passes its
own text for the parameters whose meaning is particular to it.
"""

import inspect
import textwrap

__all__ = ["PARAMETER_DOCS", "ATTRIBUTE_DOCS", "NETWORK_ATTRIBUTES", "CLASSIFIER_ATTRIBUTES",
           "RECURRENT_ATTRIBUTES", "RECURRENT_CLASSIFIER_ATTRIBUTES", "CLASSIFIER_N_OUTPUTS",
           "network_docstring"]

_MLP = ":class:`sklearn.neural_network.MLPRegressor`"

#: name -> (type, description); the default is read from the signature.
PARAMETER_DOCS = {
    "hidden_layer_sizes": (
        "array-like of shape (n_layers,)",
        "Units of each stacked recurrent layer; ``(64, 32)`` is two layers, the first one's "
        "output sequence being the second one's input.",
    ),
    "bidirectional": (
        "bool or 'auto'",
        "Read every sequence both ways and concatenate the two states (each layer).  Needs "
        "whole sequences (``bptt_steps=None``).  'auto': on for a collection, off for one "
        "2-D series (which keeps truncated BPTT and ``initial_state='continue'``) and for "
        "the Jordan cell and the online solvers; resolved at the first fit.",
    ),
    "pooling": (
        "{'last', 'mean', 'max', 'mean_max'}",
        "What the output layer reads of a sequence with a target per sequence: the state at "
        "its last step (for a bidirectional layer ``[h_fwd(L − 1); h_bwd(0)]``), the mean or "
        "the maximum of the states over its valid steps, or both concatenated; padded steps "
        "never count.  A target per step always reads each step's state.",
    ),
    "patch_size": (
        "int, 'auto' or None",
        "Collections with a target per sequence: feed ``k`` consecutive steps as one input "
        "vector, so that the recurrence runs ``ceil(L / k)`` steps of ``k * n_features`` "
        "values (the last patch of a sequence completed with zeros, the standardized mean).  "
        "'auto': ``k = ceil(max_length / 64)``; None or 1: one step per input.  Ignored for a "
        "target per step and for one series.  See :ref:`long_sequences`.",
    ),
    "bptt_steps": (
        "int, 'auto' or None",
        "Truncation length of backpropagation through time; None backpropagates through whole "
        "sequences.  'auto': on one 2-D series (solvers 'adam' and 'sgd', one direction), "
        "chunks of 32 steps over parallel contiguous streams of the series, as many streams as "
        "leave each about 8 chunks (at most 32), so that an epoch makes many updates (see "
        ":ref:`defaults`); whole sequences on a collection.  With an int, a single series is "
        "cut into ``batch_size`` streams (up to 32 with 'auto') that carry their state from "
        "chunk to chunk.",
    ),
    "clip_norm": (
        "float or None",
        "Rescale each gradient to at most this Euclidean norm; None does not clip.",
    ),
    "scaler": (
        "{'standard', 'robust'} or None",
        "Standardize each input feature (and, for a regressor, each output) inside, with "
        "statistics of the valid steps of the first fit (mean and standard deviation; median "
        "and interquartile range for 'robust'); predictions, ``generate`` and exported weights "
        "are in the user's units.  None trains on the data as given.",
    ),
    "initial_state": (
        "{'continue', 'zeros'}",
        "Where a 2-D series starts in ``predict``, ``score`` and ``generate``: 'continue' "
        "carries on from the state the network reached at the end of the series seen in the "
        "last fit (a ``TimeSeriesSplit`` test block follows its training block), and "
        "``generate(n_steps)`` without a warm-up continues that series — except the fitted "
        "series itself (the same values), which starts from zeros as it did in the fit, so "
        "that ``predict(X)`` after ``fit(X, y)`` gives the in-sample predictions; 'zeros' "
        "restarts from the zero state.  Collections always start from zeros.",
    ),
    "solver": (
        "{'adam', 'sgd', 'lbfgs'}",
        "The weight optimizer of backpropagation through time: 'adam' (Kingma & Ba), 'sgd' "
        "(stochastic gradient descent with momentum), or 'lbfgs' (full-batch quasi-Newton), "
        f"as in {_MLP}.",
    ),
    "alpha": (
        "float",
        "Strength of the L2 penalty on the weights (not the biases), as in MLPRegressor.",
    ),
    "batch_size": (
        "int or 'auto'",
        "Sequences per minibatch of the stochastic solvers.  'auto' on a collection is "
        "``min(n_sequences, clip(n_sequences // 8, 8, 32))``: about eight updates per epoch, "
        "8 sequences per minibatch up to 71 sequences, 32 from 256 on (chosen on the "
        "classification dev suite, see the defaults page); on one series, all its parallel "
        "streams (see ``bptt_steps``) in one minibatch.",
    ),
    "learning_rate": (
        "{'constant', 'invscaling', 'adaptive'}",
        "Learning-rate schedule: 'constant' keeps ``learning_rate_init``; 'invscaling' "
        "(solver='sgd' only) decreases it as ``learning_rate_init / t**power_t`` after epoch "
        "``t``; 'adaptive' (solvers 'sgd' and 'adam') keeps it while the loss (or validation "
        "score) improves and divides it by 5 each time ``n_iter_no_change`` epochs fail to "
        "improve it by ``tol``, stopping below 1e-6.  A rolled-back loss spike halves it in "
        "every schedule.",
    ),
    "learning_rate_init": (
        "float",
        "The initial learning rate: the step size of the weight updates of 'sgd' and 'adam'.",
    ),
    "power_t": (
        "float",
        "Exponent of the 'invscaling' schedule.  Only used with solver='sgd' and "
        "learning_rate='invscaling'.",
    ),
    "max_iter": (
        "int",
        "Maximum number of epochs (passes over the data) of 'sgd' and 'adam', or of "
        "iterations of 'lbfgs'.  Training may stop earlier (``tol``, ``n_iter_no_change``).",
    ),
    "shuffle": (
        "bool",
        "Whether to shuffle the order of the minibatches' sequences every epoch ('sgd' and "
        "'adam').",
    ),
    "random_state": (
        "int, RandomState instance or None",
        "Seeds the weight initialisation, the shuffling and the validation split of "
        "``early_stopping``.  Pass an int for results reproducible across calls.",
    ),
    "tol": (
        "float",
        "Tolerance of the optimization: when the loss (or, with ``early_stopping``, the "
        "validation score) does not improve by at least ``tol`` for ``n_iter_no_change`` "
        "consecutive epochs, training stops (unless learning_rate='adaptive').",
    ),
    "verbose": ("bool", "Print the loss of every epoch."),
    "warm_start": (
        "bool",
        "Reuse the weights of the previous call to fit as the initialisation; otherwise "
        "start from new random weights.",
    ),
    "momentum": (
        "float",
        "Momentum of the gradient-descent update, in [0, 1).  Only used with solver='sgd'.",
    ),
    "nesterovs_momentum": (
        "bool",
        "Whether to use Nesterov's momentum.  Only used with solver='sgd' and momentum > 0.",
    ),
    "early_stopping": (
        "bool or 'auto'",
        "Hold out ``validation_fraction`` of the data and stop when its score has not improved "
        "by ``tol`` for ``n_iter_no_change`` epochs; the weights of the best score are kept.  "
        "The held-out data is the last part of a single series (time order kept, the state "
        "carried into it) or a stratified random subset of a collection's sequences.  'auto': "
        "on when the held-out part has at least 1000 steps of a series, or at least 50 "
        "sequences of a collection and (classifiers) 10 of each class in expectation.  Only "
        "used with 'sgd' and 'adam'.",
    ),
    "validation_fraction": (
        "float",
        "Proportion of the training data held out for ``early_stopping``, in (0, 1).",
    ),
    "beta_1": (
        "float",
        "Exponential decay rate of the first-moment estimates of 'adam', in [0, 1).",
    ),
    "beta_2": (
        "float",
        "Exponential decay rate of the second-moment estimates of 'adam', in [0, 1).",
    ),
    "epsilon": ("float", "Value added to the denominator of 'adam' for numerical stability."),
    "n_iter_no_change": (
        "int",
        "Number of epochs without an improvement of at least ``tol`` after which training "
        "stops ('sgd' and 'adam').",
    ),
    "max_fun": (
        "int",
        "Maximum number of loss-function evaluations of 'lbfgs'.",
    ),
    "n_jobs": (
        "int or None",
        "Processes that share each minibatch's gradient (the solvers 'adam', 'sgd', 'lbfgs'): "
        "the sequences of a minibatch are split between them and the summed gradient is the "
        "serial one up to rounding.  None means 1 unless in a :func:`joblib.parallel_config` "
        "context; -1 means all CPUs.  Worker processes start once (1–2 s of imports) and are "
        "reused by later fits.  Pays off for minibatches of about 16 sequences or more with "
        "long sequences; see :ref:`parallel_training`.",
    ),
}

#: name -> (type, description) of the fitted attributes.
ATTRIBUTE_DOCS = {
    "classes_": ("ndarray of shape (n_classes,)", "The class labels."),
    "params_": (
        "ndarray of shape (n_params,)",
        "All weights and biases in one flat vector (float32 when fitted on float32 data).",
    ),
    "last_state_": (
        "list of ndarray or None",
        "The state of each recurrent layer, shape ``(1, state_size)``, after the last step of "
        "the 2-D series seen in the last fit (where ``initial_state='continue'`` starts); None "
        "after a collection or for a bidirectional network.",
    ),
    "loss_": (
        "float",
        "The training loss of the published weights: those of epoch ``best_iter_`` (their "
        "loss over all training data; with a validation set, the mean loss of that epoch's "
        "updates).",
    ),
    "loss_curve_": (
        "list of float",
        "The mean loss over each epoch's updates, as scikit-learn's MLP records it.",
    ),
    "end_loss_curve_": (
        "list of float or None",
        "The training loss of the weights at the end of each epoch, over all training data: "
        "the loss that picks the best epoch and detects spikes when no validation set is used "
        "(None with one, and for 'lbfgs').",
    ),
    "best_loss_": (
        "float or None",
        "The lowest training loss reached (None with ``early_stopping``).",
    ),
    "best_iter_": (
        "int",
        "The epoch whose weights are published: training ends on its best epoch (by the "
        "validation score, else by ``end_loss_curve_``; 0 would mean the starting weights were "
        "never improved on).  The optimizer's state, kept for ``warm_start`` and "
        "``partial_fit``, is that of the same epoch.",
    ),
    "n_rollbacks_": (
        "int",
        "Loss spikes rolled back in the last fit: an epoch whose loss is not finite, or more "
        "than twice the lowest so far (and above it by a tenth of the starting loss), returns "
        "to the best epoch and halves the learning rate (at most 8 times).",
    ),
    "validation_scores_": (
        "list of float or None",
        "The score on the held-out data at every epoch (None without ``early_stopping``).",
    ),
    "best_validation_score_": (
        "float or None",
        "The best of ``validation_scores_`` (None without ``early_stopping``).",
    ),
    "n_iter_": (
        "int",
        "Number of epochs (iterations of 'lbfgs') run, including those after ``best_iter_`` "
        "and the rolled-back ones.",
    ),
    "t_": ("int", "Number of target rows (steps or sequences) seen by the solver."),
    "n_features_in_": ("int", "Number of features seen during fit."),
    "feature_names_in_": (
        "ndarray of shape (`n_features_in_`,)",
        "Names of the features seen during fit; only when fitted on a pandas DataFrame.",
    ),
    "n_outputs_": ("int", "Number of outputs of the network."),
}

#: ``scaler`` of a network without ``generate`` or exported weights (TDNN, Seq2Seq).
SCALER_DOC = (
    "{'standard', 'robust'} or None",
    "Standardize each input feature (and, for a regressor, each output) inside, with "
    "statistics of the valid steps of the first fit (mean and standard deviation; median and "
    "interquartile range for 'robust'); predictions are in the user's units.  None trains on "
    "the data as given.",
)

CLASSIFIER_N_OUTPUTS = (
    "int",
    "Number of outputs of the network: 1 for two classes (logistic output), else the number "
    "of classes (softmax).",
)

NETWORK_ATTRIBUTES = ["params_", "loss_", "loss_curve_", "end_loss_curve_", "best_loss_", "validation_scores_",
                      "best_validation_score_", "n_iter_", "best_iter_", "n_rollbacks_", "t_", "n_features_in_",
                      "feature_names_in_", "n_outputs_"]
CLASSIFIER_ATTRIBUTES = ["classes_"] + NETWORK_ATTRIBUTES
#: The recurrent networks add the state a series' prediction continues from.
RECURRENT_ATTRIBUTES = NETWORK_ATTRIBUTES[:1] + ["last_state_"] + NETWORK_ATTRIBUTES[1:]
RECURRENT_CLASSIFIER_ATTRIBUTES = ["classes_"] + RECURRENT_ATTRIBUTES


def _entry(name, type_, text, default=inspect.Parameter.empty):
    head = f"{name} : {type_}" + ("" if default is inspect.Parameter.empty else f", default={default!r}")
    body = textwrap.fill(text, width=88, initial_indent="    ", subsequent_indent="    ",
                         break_on_hyphens=False, break_long_words=False)
    return textwrap.indent(head + "\n" + body, "    ")


def network_docstring(parameters=None, attributes=NETWORK_ATTRIBUTES, attribute_docs=None):
    """Class decorator: write the Parameters and Attributes sections of the docstring.

    Parameters
    ----------
    parameters : dict or None, default=None
        ``name -> (type, description)`` replacing or adding to :data:`PARAMETER_DOCS` for
        this class.
    attributes : list of str, default=NETWORK_ATTRIBUTES
        The attributes listed, in order.
    attribute_docs : dict or None, default=None
        ``name -> (type, description)`` replacing or adding to :data:`ATTRIBUTE_DOCS`.
    """
    def decorate(cls):
        docs = {**PARAMETER_DOCS, **(parameters or {})}
        signature = inspect.signature(cls.__init__).parameters
        missing = [name for name in signature if name != "self" and name not in docs]
        if missing:
            raise RuntimeError(f"{cls.__name__}: no documentation for the parameter(s) {missing}")
        params = "\n".join(_entry(name, *docs[name], default=p.default)
                           for name, p in signature.items() if name != "self")
        attr_docs = {**ATTRIBUTE_DOCS, **(attribute_docs or {})}
        attrs = "\n".join(_entry(name, *attr_docs[name]) for name in attributes)
        sections = f"    Parameters\n    ----------\n{params}\n\n    Attributes\n    ----------\n{attrs}"
        cls.__doc__ = cls.__doc__.replace("    %(parameters_and_attributes)s", sections)
        return cls

    return decorate
