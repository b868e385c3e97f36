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
from typing import NamedTuple

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

from .._parallel._split import GradientSplit
from ..exceptions import DivergenceError
from ._epochs import DIVERGENCE_FACTOR, EpochHooks, EpochInfo, advice
from ._gradients import NetworkGradient, chunk_gradients, loss_and_gradient
from ._loss import LOSSES
from ._optimizers import make_optimizer

__all__ = ["SolverConfig", "History", "TrainingData", "TrainingProblem", "fit_stochastic", "fit_lbfgs", "training_loss",
           "loss_and_gradient", "time_major", "DIVERGENCE_FACTOR"]

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

    ``loss_curve`` holds the mean loss over each epoch's updates (scikit-learn's MLP
    ``loss_curve_``); ``end_losses`` the training loss of the weights at the end of each
    epoch (:func:`training_loss`, when no validation set decides), ``initial_loss`` that
    loss at the weights the fit started from; ``loss`` the monitored loss of the current
    epoch and, after the fit, of the weights kept; ``best_iter`` the epoch of those weights
    and ``best_epoch_loss`` their loss; ``n_rollbacks`` the loss spikes rolled back.

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
    reference_loss: float = None
    initial_loss: float = None
    end_losses: list = field(default_factory=list)
    best_iter: int = None
    best_epoch_loss: float = None
    n_rollbacks: int = 0
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


class TrainingProblem(NamedTuple):
    """What a fit minimises: the loss ``loss_name`` of ``net`` on ``data`` (the L2 term is the config's).

    The first argument after the config of :func:`fit_stochastic`, :func:`fit_lbfgs` and
    :func:`~._online.fit_online`; the parameters ``θ`` it is minimised over come next.
    """

    net: object  # a Network (or the Seq2Seq EncoderDecoder)
    data: TrainingData
    loss_name: str


def _regularize(theta, grad, loss, n, alpha, weight_mask):
    """Per-row mean loss and gradient with sklearn's L2 term ½α‖W‖² / n."""
    grad /= n
    if alpha:
        w = theta * weight_mask
        grad += (alpha / n) * w
        loss += 0.5 * alpha * float(np.vdot(w, w))
    return loss / n


def check_finite_loss(loss, history, config):
    """Raise :class:`~sktemporal.exceptions.DivergenceError` on a NaN or infinite loss."""
    if not np.isfinite(loss):
        raise DivergenceError(
            f"The training loss became {loss} at iteration {history.n_iter + 1}: the "
            f"optimisation diverged. {advice(config)}"
        )


def _clip(grad, clip_norm):
    if clip_norm is not None:
        norm = float(np.sqrt(np.vdot(grad, grad)))
        if norm > clip_norm:
            grad *= clip_norm / norm


def training_loss(net, theta, data, loss_name, alpha, weight_mask):
    """The training objective at ``theta``: what the minibatch updates minimise, over all data.

    ``(Σ_chunks L_c + m · ½α‖W‖²) / n_rows`` with ``m`` the number of chunks that hold a
    target — the row-weighted mean of the per-update losses of :func:`_regularize`, but
    with every chunk at the same weights.  A forward pass only (state carried from chunk
    to chunk as in training); NaN or inf propagate.
    """
    total, rows, updates = 0.0, 0, 0
    for idx in data.minibatches(max(1, data.n_sequences)):
        state = None
        for chunk in data.chunks(idx):
            X, sizes, lengths, Y, mask, n = chunk
            out, state, _ = net.forward(theta, X, sizes, lengths, state)
            if n:
                total += LOSSES[loss_name](out, Y, mask)[0]
                rows += n
                updates += 1
    net.release()
    if alpha:
        w = theta * weight_mask
        total += updates * 0.5 * alpha * float(np.vdot(w, w))
    return total / max(rows, 1)


def _record_epoch(history, running, loss, rows):
    """``running`` (the mean over the epoch's updates) goes to ``loss_curve``; ``loss`` is the monitored one."""
    history.n_iter += 1
    history.t += rows
    history.loss = loss
    history.loss_curve.append(running)


def _warn_max_iter(history, config):
    if history.n_iter == config.max_iter:
        warnings.warn(
            f"{'Stochastic Optimizer' if config.solver in ('sgd', 'adam') else config.solver}: Maximum "
            f"iterations ({config.max_iter}) reached and the optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=3,
        )


def _minibatch_epoch(info, net, grad, data, loss_name, rng, split, weight_mask):
    """One pass of minibatch updates; ``(summed loss, rows, finite)``, stopping at a non-finite loss.

    ``info`` (:class:`~._epochs.EpochInfo`) gives the configuration, the parameters ``θ``
    (updated in place), the optimizer and the history.
    """
    config, theta, opt, history = info.config, info.theta, info.optimizer, info.history
    total, rows = 0.0, 0
    for idx in data.minibatches(config.batch_size, rng if config.shuffle else None):
        for loss, n in chunk_gradients(net, theta, grad, loss_name, data, idx, split):
            if n == 0:
                continue
            loss = _regularize(theta, grad, loss, n, config.alpha, weight_mask)
            if not np.isfinite(loss):
                return total, rows, False
            if history.reference_loss is None:
                history.reference_loss = loss  # at the initial weights: nothing updated yet
            _clip(grad, config.clip_norm)
            opt.update(grad)
            total += loss * n
            rows += n
    return total, rows, True


def fit_stochastic(config, problem, theta, history, rng, validation=None, incremental=False, callbacks=()):
    """Train ``theta`` in place with SGD or Adam; update ``history``; end on the best epoch.

    Each epoch is sklearn's MLP epoch (shuffled minibatches, an update per chunk; its mean
    loss goes to ``loss_curve``).  After it, the monitored loss is the training objective
    at the end-of-epoch weights (:func:`training_loss`, one forward pass) — not the mean
    over the minibatches, which mixes the weights of the whole epoch and so cannot say
    which weights were best — or, when ``validation`` (a callable ``validation(theta)``
    returning a score, higher is better) is given, that mean, the validation score
    deciding.  The hooks of
    :mod:`._epochs` then keep the best epoch, roll back loss spikes with a reduced
    learning rate, and stop; ``theta`` and the optimizer end at the best epoch.

    ``incremental`` (``partial_fit``) runs one epoch and keeps its end weights; a diverging
    loss there raises (:class:`~._epochs.DivergenceRule`), nothing to roll back to.  Any
    exception, KeyboardInterrupt included, propagates: the caller discards ``theta`` and
    ``history``.
    """
    net, data, loss_name = problem
    if not incremental or history.optimizer is None:
        history.optimizer = make_optimizer(config, theta)
    opt = history.optimizer
    opt.params = theta
    weight_mask = net.layout.weight_mask().astype(theta.dtype)
    grad = np.zeros_like(theta)
    use_validation = validation is not None
    hooks = EpochHooks(config, use_validation, callbacks, rollback=not incremental, keep_best=not incremental)
    info = EpochInfo(history, theta, opt, config)
    with GradientSplit(config.n_jobs, NetworkGradient(net, loss_name), data, theta) as split:
        if not incremental:  # epoch 0: the weights this fit starts from
            if use_validation:
                info.validation_score = validation(theta)
            else:
                history.initial_loss = training_loss(net, theta, data, loss_name, config.alpha, weight_mask)
        hooks.begin(info)
        for _ in range(1 if incremental else config.max_iter):
            tic = time.perf_counter()
            total, rows, finite = _minibatch_epoch(info, net, grad, data, loss_name, rng, split, weight_mask)
            running = total / max(rows, 1) if finite else np.inf
            if incremental:
                check_finite_loss(running, history, config)
            if incremental or use_validation or not finite:
                loss = running
            else:
                loss = training_loss(net, theta, data, loss_name, config.alpha, weight_mask)
                history.end_losses.append(loss)
            _record_epoch(history, running, loss, rows)
            info.validation_score = None
            if use_validation and np.isfinite(loss) and np.isfinite(theta).all():
                info.validation_score = validation(theta)
                history.validation_scores.append(info.validation_score)
            info.elapsed = time.perf_counter() - tic
            if hooks.epoch_end(info):
                break
            opt.iteration_ends(history.t)
        if not incremental:
            _warn_max_iter(history, config)
            hooks.end(info)
    return history


def end_epoch(history, config, opt, total, rows, theta, tic, hooks):
    """Epoch bookkeeping of the online solvers (the loss is the running mean of the pass)."""
    _record_epoch(history, total / max(rows, 1), total / max(rows, 1), rows)
    info = EpochInfo(history, theta, opt, config, elapsed=time.perf_counter() - tic)
    stop = hooks.epoch_end(info)
    opt.iteration_ends(history.t)
    return stop


def fit_lbfgs(config, problem, theta, history):
    """Minimise the regularised mean loss over all data with L-BFGS-B, in place; update ``history``.

    ``theta`` ends at the lowest objective value evaluated (L-BFGS-B's final iterate is
    that point unless its last line search was cut short by ``max_fun``).
    """
    net, data, loss_name = problem
    weight_mask = net.layout.weight_mask().astype(theta.dtype)
    grad = np.zeros_like(theta)
    total_grad = np.zeros(theta.shape, dtype=np.float64)
    batches = data.minibatches(config.batch_size)
    best = {"f": np.inf, "x": None}

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
        f = total / rows
        if f < best["f"]:
            best["f"], best["x"] = f, np.array(x, copy=True)
        return f, (total_grad + config.alpha * w) / rows

    with GradientSplit(config.n_jobs, NetworkGradient(net, loss_name), data, theta) as split:
        res = scipy.optimize.minimize(
            objective, theta.astype(np.float64), method="L-BFGS-B", jac=True,
            options={"maxfun": config.max_fun, "maxiter": config.max_iter, "gtol": config.tol},
        )
    fun = float(res.fun)
    if best["x"] is not None and best["f"] < fun:
        res.x, fun = best["x"], best["f"]
    theta[...] = res.x
    check_finite_loss(fun, history, config)
    if not np.isfinite(theta).all():
        raise DivergenceError(f"L-BFGS ended at non-finite weights. {advice(config)}")
    if res.status != 0:
        warnings.warn(
            f"lbfgs failed to converge after {res.nit} iteration(s) (status={res.status}): "
            f"{res.message}. Increase max_iter / max_fun or scale the data.",
            ConvergenceWarning,
            stacklevel=2,
        )
    history.n_iter = history.best_iter = res.nit
    history.loss = history.best_epoch_loss = fun
    history.loss_curve = [history.loss]
    history.t = data.n_rows * max(res.nit, 1)
    return history
