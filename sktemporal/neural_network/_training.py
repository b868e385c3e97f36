"""The one training loop: minibatches, truncated BPTT, L2, clipping, early stopping, logging.

Backpropagation through time is the network's ``forward``/``backward`` over a chunk of
steps; this module decides which chunks.  With ``bptt_steps=None`` a chunk is the whole
sequence (epochwise BPTT).  With ``bptt_steps=k`` each minibatch is cut into chunks of
``k`` steps; the state at the end of a chunk is the initial state of the next one, but
the gradient stops at the chunk boundary, and the optimizer steps after every chunk:

.. math::

    \\frac{\\partial L_{[t_0, t_0+k)}}{\\partial \\theta}
    = \\sum_{t=t_0}^{t_0+k-1} \\frac{\\partial L_{[t_0, t_0+k)}}{\\partial z(t)}\\,
      \\frac{\\partial z(t)}{\\partial \\theta}.

Solvers 'sgd' and 'adam' follow :class:`sklearn.neural_network.MLPRegressor`'s loop
(``loss_curve_``, ``n_iter_no_change``, ``tol``, ``early_stopping``, adaptive learning
rate, ``ConvergenceWarning``); 'lbfgs' minimises the loss over all data with
:func:`scipy.optimize.minimize`.
"""

import copy
import time
import warnings
from dataclasses import dataclass, field, fields

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

from ..exceptions import DivergenceError
from ._gradients import GradientSplit, chunk_gradients, loss_and_gradient
from ._optimizers import make_optimizer

__all__ = ["SolverConfig", "History", "TrainingData", "fit_stochastic", "fit_lbfgs",
           "loss_and_gradient", "time_major", "DIVERGENCE_FACTOR"]

#: An epoch whose mean training loss exceeds this multiple of the loss at the initial
#: parameters (the first minibatch, before any update) has diverged.  Training that works
#: never comes near it: the loss falls from its start, and Adam's early spikes stay
#: within a factor of 2–3 of it.
DIVERGENCE_FACTOR = 10.0


@dataclass(frozen=True)
class SolverConfig:
    """The training hyperparameters of one fit, frozen: the loops never see an estimator.

    The field names are the estimators' parameter names (those of
    :class:`sklearn.neural_network.MLPRegressor` plus ``clip_norm``, ``n_jobs`` and the
    online solvers' noise terms); ``batch_size`` is resolved to a number of sequences
    (or rows).  Build one with :meth:`from_params`.
    """

    solver: str = "adam"
    alpha: float = 0.0
    batch_size: int = 32
    max_iter: int = 200
    tol: float = 1e-4
    n_iter_no_change: int = 10
    shuffle: bool = True
    verbose: bool = False
    clip_norm: float = None
    learning_rate: str = "constant"
    learning_rate_init: float = 1e-3
    power_t: float = 0.5
    momentum: float = 0.9
    nesterovs_momentum: bool = True
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8
    max_fun: int = 15000
    n_jobs: int = None
    process_noise: float = 1e-4
    measurement_noise: float = 1.0
    initial_covariance: float = 10.0

    @classmethod
    def from_params(cls, params, **overrides):
        """The fields found in ``params`` (an estimator's ``get_params()``), then ``overrides``."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in params.items() if k in names}
        values.update(overrides)
        return cls(**values)


@dataclass
class History:
    """What training has done so far: the loops update it, the estimator publishes it.

    ``optimizer`` (the stochastic solvers' moments) and ``online_state`` (RTRL
    sensitivities, the EKF covariance) are kept to continue training with
    ``partial_fit`` or ``warm_start``; :meth:`copy` makes the independent copy a new
    fit works on, so that an interrupted fit leaves the published history untouched.
    """

    n_iter: int = 0
    t: int = 0
    loss: float = None
    loss_curve: list = field(default_factory=list)
    best_loss: float = np.inf
    no_improvement_count: int = 0
    validation_scores: list = None
    best_validation_score: float = None
    best_params: np.ndarray = None
    reference_loss: float = None
    optimizer: object = None
    online_state: object = None

    def copy(self):
        return copy.deepcopy(self)


def time_major(values, lengths, idx):
    """Sequences ``idx`` as the cells take them: ``(order, L, X, active)``.

    ``order`` is ``idx`` sorted by decreasing length (stable), ``L`` their lengths, ``X``
    the ``(T, B, n_features)`` time-major inputs (``T = L.max()``) and ``active[t, b]``
    whether step ``t`` of sequence ``b`` exists (``sizes = active.sum(axis=1)``).
    """
    order = idx[np.argsort(-lengths[idx], kind="stable")]
    L = lengths[order]
    T = int(L.max())
    X = np.ascontiguousarray(values[order, :T].transpose(1, 0, 2))
    return order, L, X, np.arange(T)[:, None] < L[None, :]


class TrainingData:
    """Padded sequences and encoded targets, served as length-sorted time-major chunks.

    Parameters
    ----------
    values : ndarray of shape (n_sequences, max_length, n_features)
    lengths : ndarray of shape (n_sequences,)
    targets : ndarray
        ``(n_sequences, max_length, n_outputs)`` if ``per_step`` else ``(n_sequences, n_outputs)``.
    per_step : bool
    bptt_steps : int or None
        Chunk length for truncated BPTT (None: whole sequences).
    """

    def __init__(self, values, lengths, targets, per_step, bptt_steps=None):
        self.values, self.lengths, self.targets = values, np.asarray(lengths), targets
        self.per_step, self.bptt_steps = per_step, bptt_steps
        self.n_sequences = len(lengths)
        self.n_rows = int(lengths.sum()) if per_step else self.n_sequences

    def minibatches(self, batch_size, rng=None):
        """Index arrays of the minibatches (shuffled when ``rng`` is given)."""
        idx = rng.permutation(self.n_sequences) if rng is not None else np.arange(self.n_sequences)
        return [idx[i: i + batch_size] for i in range(0, self.n_sequences, batch_size)]

    def chunks(self, idx):
        """Yield ``(X, sizes, lengths, Y, mask, n_rows)`` per chunk of the minibatch ``idx``.

        ``X`` is time-major and sorted by decreasing length; ``mask`` marks the targets
        that count in this chunk (valid steps, or sequences ending inside the chunk).
        """
        order, L, X, active = time_major(self.values, self.lengths, idx)
        T = len(X)
        sizes = active.sum(axis=1)
        if self.per_step:
            Y = np.ascontiguousarray(self.targets[order, :T].transpose(1, 0, 2))
            M = active.astype(X.dtype)
        else:
            Y = self.targets[order]
        k = self.bptt_steps or T
        for t0 in range(0, T, k):
            t1 = min(t0 + k, T)
            Lc = np.clip(L - t0, 0, t1 - t0)
            if self.per_step:
                Yc, Mc = Y[t0:t1], M[t0:t1]
                n = int(Lc.sum())
            else:
                Mc = ((L > t0) & (L <= t1)).astype(X.dtype)
                Yc, n = Y, int(Mc.sum())
            yield X[t0:t1], sizes[t0:t1], Lc, Yc, Mc, n


def _regularize(theta, grad, loss, n, alpha, weight_mask):
    """Per-row mean loss and gradient with sklearn's L2 term ½α‖W‖² / n."""
    grad /= n
    if alpha:
        w = theta * weight_mask
        grad += (alpha / n) * w
        loss += 0.5 * alpha * float(np.vdot(w, w))
    return loss / n


def _advice(config):
    if config.solver in ("sgd", "adam", "rtrl"):
        return (f"Lower learning_rate_init (now {config.learning_rate_init}), set clip_norm (now "
                f"{config.clip_norm}) to clip exploding gradients, or keep scaler='standard' so "
                "that the inputs and targets are near unit scale.")
    return ("Check the scale of the inputs and targets (keep scaler='standard'), or lower "
            "initial_covariance / raise measurement_noise.")


def check_finite_loss(loss, history, config):
    """Raise :class:`~sktemporal.exceptions.DivergenceError` on a NaN or infinite loss."""
    if not np.isfinite(loss):
        raise DivergenceError(
            f"The training loss became {loss} at iteration {history.n_iter + 1}: the "
            f"optimisation diverged. {_advice(config)}"
        )


def _check_divergence(history, config, theta):
    """The divergence rule, after every epoch: finite weights, loss within DIVERGENCE_FACTOR of its start."""
    if not np.isfinite(theta).all():
        raise DivergenceError(
            f"The weights became non-finite at iteration {history.n_iter}: the optimisation "
            f"diverged. {_advice(config)}"
        )
    ref = history.reference_loss
    if ref is not None and ref > 0 and history.loss > DIVERGENCE_FACTOR * ref:
        raise DivergenceError(
            f"The training loss grew from {ref:.4g} at the initial weights to {history.loss:.4g} "
            f"at iteration {history.n_iter} (more than {DIVERGENCE_FACTOR:g} times): the "
            f"optimisation diverged. {_advice(config)}"
        )


def _clip(grad, clip_norm):
    if clip_norm is not None:
        norm = float(np.sqrt(np.vdot(grad, grad)))
        if norm > clip_norm:
            grad *= clip_norm / norm


def _update_no_improvement_count(history, config, validation, theta):
    """sklearn's MLP rule, on the validation score or on the training loss."""
    if validation is not None:
        score = validation(theta)
        history.validation_scores.append(score)
        if score < history.best_validation_score + config.tol:
            history.no_improvement_count += 1
        else:
            history.no_improvement_count = 0
        if score > history.best_validation_score:
            history.best_validation_score = score
            history.best_params = theta.copy()
    else:
        if history.loss_curve[-1] > history.best_loss - config.tol:
            history.no_improvement_count += 1
        else:
            history.no_improvement_count = 0
        if history.loss_curve[-1] < history.best_loss:
            history.best_loss = history.loss_curve[-1]


def end_epoch(history, config, opt, total, rows, validation, theta, tic, incremental):
    """Epoch bookkeeping shared by every iterative solver; True when training should stop.

    Records ``n_iter``, ``t``, ``loss`` and ``loss_curve`` in ``history``, stops a
    diverging fit (:data:`DIVERGENCE_FACTOR`), applies sklearn's MLP no-improvement rule
    (on the validation score when ``validation`` is given), lets the optimizer adapt its
    learning rate, prints the verbose line and warns at ``max_iter``.
    """
    history.n_iter += 1
    history.t += rows
    history.loss = total / max(rows, 1)
    history.loss_curve.append(history.loss)
    if history.reference_loss is None:  # solvers without a loss at the initial weights
        history.reference_loss = history.loss
    _check_divergence(history, config, theta)
    _update_no_improvement_count(history, config, validation, theta)
    opt.iteration_ends(history.t)
    if config.verbose:
        val = f", validation score = {history.validation_scores[-1]:.6f}" if validation is not None else ""
        print(f"Iteration {history.n_iter}, loss = {history.loss:.8f}{val}, {time.perf_counter() - tic:.3f} s")
    if history.no_improvement_count > config.n_iter_no_change:
        what = "Validation score" if validation is not None else "Training loss"
        msg = (f"{what} did not improve more than tol={config.tol} for "
               f"{config.n_iter_no_change} consecutive epochs.")
        if opt.trigger_stopping(msg, config.verbose):
            return True
        history.no_improvement_count = 0
    if incremental:
        return True
    if history.n_iter == config.max_iter:
        warnings.warn(
            f"{'Stochastic Optimizer' if config.solver in ('sgd', 'adam') else config.solver}: Maximum "
            f"iterations ({config.max_iter}) reached and the optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return False


def fit_stochastic(config, net, theta, data, loss_name, history, rng, validation=None, incremental=False):
    """Train ``theta`` in place with SGD or Adam, sklearn-MLP style; update ``history``.

    ``validation`` is None or a callable ``validation(theta)`` returning the current
    validation score (higher is better); it turns on early stopping, and ``theta`` ends
    at the best parameters seen.  ``rng`` shuffles the minibatches (``config.shuffle``).
    The optimizer in ``history.optimizer`` is continued when ``incremental``.  Any
    exception, KeyboardInterrupt included, propagates: the caller discards ``theta`` and
    ``history``.
    """
    if not incremental or history.optimizer is None:
        history.optimizer = make_optimizer(config, theta)
    opt = history.optimizer
    opt.params = theta
    weight_mask = net.layout.weight_mask().astype(theta.dtype)
    grad = np.zeros_like(theta)
    max_iter = 1 if incremental else config.max_iter
    with GradientSplit(config.n_jobs, net, data, loss_name, theta.dtype) as split:
        for _ in range(max_iter):
            tic = time.perf_counter()
            total, rows = 0.0, 0
            for idx in data.minibatches(config.batch_size, rng if config.shuffle else None):
                for loss, n in chunk_gradients(net, theta, grad, loss_name, data, idx, split):
                    if n == 0:
                        continue
                    loss = _regularize(theta, grad, loss, n, config.alpha, weight_mask)
                    check_finite_loss(loss, history, config)
                    if history.reference_loss is None:
                        history.reference_loss = loss  # at the initial weights: nothing updated yet
                    _clip(grad, config.clip_norm)
                    opt.update(grad)
                    total += loss * n
                    rows += n
            if end_epoch(history, config, opt, total, rows, validation, theta, tic, incremental):
                break
    if validation is not None and history.best_params is not None:
        theta[...] = history.best_params
    return history


def fit_lbfgs(config, net, theta, data, loss_name, history):
    """Minimise the regularised mean loss over all data with L-BFGS-B, in place; update ``history``."""
    weight_mask = net.layout.weight_mask().astype(theta.dtype)
    grad = np.zeros_like(theta)
    total_grad = np.zeros(theta.shape, dtype=np.float64)
    batches = data.minibatches(config.batch_size)

    def objective(x):
        theta[...] = x
        total_grad[...] = 0
        total, rows = 0.0, 0
        for idx in batches:
            for loss, n in chunk_gradients(net, theta, grad, loss_name, data, idx, split):
                if n:
                    total += loss
                    rows += n
                    np.add(total_grad, grad, out=total_grad)
        rows = max(rows, 1)
        w = theta * weight_mask
        total += 0.5 * config.alpha * float(np.vdot(w, w))
        return total / rows, (total_grad + config.alpha * w) / rows

    with GradientSplit(config.n_jobs, net, data, loss_name, theta.dtype) as split:
        res = scipy.optimize.minimize(
            objective, theta.astype(np.float64), method="L-BFGS-B", jac=True,
            options={"maxfun": config.max_fun, "maxiter": config.max_iter, "gtol": config.tol},
        )
    theta[...] = res.x
    check_finite_loss(res.fun, history, config)
    if not np.isfinite(theta).all():
        raise DivergenceError(f"L-BFGS ended at non-finite weights. {_advice(config)}")
    if res.status != 0:
        warnings.warn(
            f"lbfgs failed to converge after {res.nit} iteration(s) (status={res.status}): "
            f"{res.message}. Increase max_iter / max_fun or scale the data.",
            ConvergenceWarning,
            stacklevel=2,
        )
    history.n_iter = res.nit
    history.loss = float(res.fun)
    history.loss_curve = [history.loss]
    history.t = data.n_rows * max(res.nit, 1)
    return history
