"""Between two epochs: keep the best weights, roll back loss spikes, stop, report.

The iterative solvers call :meth:`EpochHooks.epoch_end` after every epoch; everything that
decides what happens next lives in the hooks here, each one idea:

* :class:`BestEpoch` — keeps the parameters (and the optimizer's state) of the best epoch
  so far, by the validation score when a validation set is used, else by the training
  loss of the end-of-epoch weights; training ends on them (Keras'
  ``restore_best_weights``).
* :class:`SpikeGuard` — an epoch whose training loss is not finite, or exceeds both
  :data:`SPIKE_FACTOR` times the lowest loss so far (the loss at the initial weights
  included) and that lowest plus :data:`SPIKE_FLOOR` times the starting loss, is a spike:
  the parameters and the optimizer go back to the best epoch and the learning rate is
  multiplied by :data:`LR_REDUCTION`, at most :data:`MAX_ROLLBACKS` times.
  Then training stops on the best epoch, or raises
  :class:`~sktemporal.exceptions.DivergenceError` if no epoch ever improved on the
  initial weights.
* :class:`Patience` — scikit-learn's MLP rule: stop when the monitored quantity has not
  improved by ``tol`` for ``n_iter_no_change`` epochs (``learning_rate='adaptive'``
  divides the rate by 5 instead, down to 1e-6).
* :class:`Verbose` — the per-epoch line of ``verbose=True``.

A user's callback is any object with ``on_epoch_end(info)`` (``info`` an
:class:`EpochInfo`) that may return True to stop; ``on_fit_begin(info)`` and
``on_fit_end(info)`` are called when present.
"""

import copy
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..exceptions import DivergenceError

__all__ = ["EpochHooks", "EpochInfo", "BestEpoch", "SpikeGuard", "DivergenceRule", "Patience", "Verbose",
           "SPIKE_FACTOR", "SPIKE_FLOOR", "MAX_ROLLBACKS", "LR_REDUCTION", "DIVERGENCE_FACTOR", "advice"]

#: An epoch whose training loss exceeds this multiple of the lowest loss so far is a spike:
#: an ordinary noisy epoch comes back near the best, a doubling means the step was too long
#: for the curvature the weights have reached.
SPIKE_FACTOR = 2.0
#: ... and it must also exceed the lowest by this fraction of the loss at the start of the fit,
#: so that the relative noise of a loss near zero (a classifier that fits its data) is no spike.
SPIKE_FLOOR = 0.1
#: Where nothing can be rolled back (``partial_fit``, the online filters), an epoch whose
#: loss exceeds this multiple of the loss at the initial parameters has diverged.
DIVERGENCE_FACTOR = 10.0
#: Rollbacks allowed in one fit; each multiplies the learning rate by :data:`LR_REDUCTION`.
MAX_ROLLBACKS = 8
LR_REDUCTION = 0.5


def advice(config):
    """What to change when training diverges, for the error message."""
    if config.solver in ("sgd", "adam", "rtrl"):
        return (f"Lower learning_rate_init (now {config.learning_rate_init}), set clip_norm (now "
                f"{config.clip_norm}) to clip exploding gradients, or keep scaler='standard' so "
                "that the inputs and targets are near unit scale.")
    return ("Check the scale of the inputs and targets (keep scaler='standard'), or lower "
            "initial_covariance / raise measurement_noise.")


@dataclass
class EpochInfo:
    """What the hooks see at the end of an epoch (and at the start and end of a fit).

    Attributes
    ----------
    history : History
        The fit's history (``n_iter``, ``loss``, ``loss_curve``, ``best_iter``, ...).
    theta : ndarray
        The flat parameter vector, written in place by the optimizer.
    optimizer : object
        The optimizer (``learning_rate``; its moments).
    config : SolverConfig
    validation_score : float or None
        Score of this epoch on the validation set (higher is better), if one is used.
    elapsed : float
        Seconds this epoch took.
    """

    history: object
    theta: np.ndarray
    optimizer: object
    config: object
    validation_score: float = None
    elapsed: float = 0.0


class BestEpoch:
    """Keep the parameters and optimizer state of the best epoch; restore them at the end.

    The best epoch has the highest validation score when a validation set is used, else
    the lowest training loss (of the end-of-epoch weights, see :func:`fit_stochastic`).
    The weights a fit starts from (the initial ones, or the published ones of a warm
    start) are epoch ``n_iter`` before the first update: a fit that never improves on
    them ends where it started.
    """

    def __init__(self, use_validation):
        self.use_validation = use_validation
        self.theta = self.optimizer = None
        self.value = -np.inf if use_validation else np.inf

    def _value(self, info):
        return info.validation_score if self.use_validation else info.history.loss

    def _better(self, value):
        return value > self.value if self.use_validation else value < self.value

    def _keep(self, info, value, loss):
        h = info.history
        self.value, h.best_iter, h.best_epoch_loss = value, h.n_iter, loss
        self.theta = info.theta.copy()
        self.optimizer = _optimizer_state(info.optimizer)

    def on_fit_begin(self, info):
        start = info.validation_score if self.use_validation else info.history.initial_loss
        if start is not None and np.isfinite(start):
            self._keep(info, start, info.history.initial_loss)

    def on_epoch_end(self, info):
        value = self._value(info)
        if value is not None and self._better(value):
            self._keep(info, value, info.history.loss)

    def restore(self, info):
        """Put the best parameters and optimizer state back (the learning rate stays as it is now)."""
        if self.theta is None:
            return
        info.theta[...] = self.theta
        lr = info.optimizer.learning_rate
        _set_optimizer_state(info.optimizer, self.optimizer)
        info.optimizer.learning_rate = lr

    def on_fit_end(self, info):
        self.restore(info)
        if self.theta is not None and info.history.best_epoch_loss is not None:
            info.history.loss = info.history.best_epoch_loss


class SpikeGuard:
    """Roll back a loss spike to the best epoch and reduce the learning rate (bounded).

    A spike: the epoch's training loss ``L`` is not finite (or the weights are not), or
    ``L > SPIKE_FACTOR · L_min`` and ``L − L_min > SPIKE_FLOOR · L_0`` with ``L_min`` the
    lowest training loss so far and ``L_0`` the loss at the start of the fit.
    """

    def __init__(self, best):
        self.best = best
        self.lowest = np.inf
        self.start_iter = 0
        self.scale = None  # the loss at the start (else the first epoch's): what "large" means

    def on_fit_begin(self, info):
        self.start_iter = info.history.n_iter
        self.scale = info.history.initial_loss
        if self.scale is not None:
            self.lowest = min(self.lowest, self.scale)

    def improved(self, history):
        """Whether an epoch of this fit beat the weights it started from."""
        return history.best_iter is not None and history.best_iter > self.start_iter

    def is_spike(self, info):
        loss = info.history.loss
        if not np.isfinite(loss) or not np.isfinite(info.theta).all():
            return True
        if self.scale is None:
            self.scale = loss
        return loss > SPIKE_FACTOR * self.lowest and loss - self.lowest > SPIKE_FLOOR * self.scale

    def on_epoch_end(self, info):
        """Returns ``'rollback'`` after rolling back, ``'stop'`` when the budget is spent, else None."""
        h = info.history
        if not self.is_spike(info):
            self.lowest = min(self.lowest, h.loss)
            return None
        if self.best.theta is None or h.n_rollbacks >= MAX_ROLLBACKS:
            if self.best.theta is None or not self.improved(h):
                raise DivergenceError(
                    f"The training loss became {h.loss:.4g} at iteration {h.n_iter} (the lowest was "
                    f"{self.lowest:.4g}) and stayed unstable after {h.n_rollbacks} rollback(s) to the "
                    f"best epoch with a halved learning rate each: the optimisation diverged. "
                    f"{advice(info.config)}"
                )
            warnings.warn(
                f"Training stopped at iteration {h.n_iter}: the loss spiked again after "
                f"{h.n_rollbacks} rollbacks with reduced learning rates; the weights of the best "
                f"epoch ({h.best_iter}) are kept.",
                ConvergenceWarning,
                stacklevel=4,
            )
            return "stop"
        h.n_rollbacks += 1
        self.best.restore(info)
        info.optimizer.learning_rate *= LR_REDUCTION
        if info.config.verbose:
            print(f"Iteration {h.n_iter}: loss spike ({h.loss:.6g}); rolled back to epoch {h.best_iter}, "
                  f"learning rate {info.optimizer.learning_rate:.3g}")
        return "rollback"


class DivergenceRule:
    """The rule where no rollback is possible (``partial_fit``, the online filters): raise.

    Non-finite weights, or an epoch loss above :data:`DIVERGENCE_FACTOR` times the loss at
    the initial weights, raise :class:`~sktemporal.exceptions.DivergenceError`.
    """

    def on_epoch_end(self, info):
        h = info.history
        if not np.isfinite(info.theta).all():
            raise DivergenceError(
                f"The weights became non-finite at iteration {h.n_iter}: the optimisation "
                f"diverged. {advice(info.config)}"
            )
        ref = h.reference_loss
        if ref is not None and ref > 0 and h.loss > DIVERGENCE_FACTOR * ref:
            raise DivergenceError(
                f"The training loss grew from {ref:.4g} at the initial weights to {h.loss:.4g} "
                f"at iteration {h.n_iter} (more than {DIVERGENCE_FACTOR:g} times): the "
                f"optimisation diverged. {advice(info.config)}"
            )


class Patience:
    """scikit-learn's MLP no-improvement rule, on the validation score or the training loss."""

    def __init__(self, use_validation):
        self.use_validation = use_validation

    def on_epoch_end(self, info):
        h, config = info.history, info.config
        if self.use_validation:
            score = info.validation_score
            worse = score < h.best_validation_score + config.tol
            h.best_validation_score = max(h.best_validation_score, score)
        else:
            worse = h.loss > h.best_loss - config.tol
            h.best_loss = min(h.best_loss, h.loss)
        h.no_improvement_count = h.no_improvement_count + 1 if worse else 0
        if h.no_improvement_count <= config.n_iter_no_change:
            return False
        what = "Validation score" if self.use_validation else "Training loss"
        msg = (f"{what} did not improve more than tol={config.tol} for "
               f"{config.n_iter_no_change} consecutive epochs.")
        if info.optimizer.trigger_stopping(msg, config.verbose):
            return True
        h.no_improvement_count = 0
        return False


class Verbose:
    """The line ``verbose=True`` prints after each epoch."""

    def on_epoch_end(self, info):
        h = info.history
        val = "" if info.validation_score is None else f", validation score = {info.validation_score:.6f}"
        print(f"Iteration {h.n_iter}, loss = {h.loss:.8f}{val}, {info.elapsed:.3f} s")


class EpochHooks:
    """The built-in hooks in their order, then the user's callbacks.

    Parameters
    ----------
    config : SolverConfig
    use_validation : bool
    callbacks : sequence of objects, default=()
        Each with ``on_epoch_end(info)`` returning True to stop; ``on_fit_begin`` /
        ``on_fit_end`` optional.
    rollback : bool, default=True
        :class:`SpikeGuard` (roll back and reduce the rate) or, where the solver's state
        cannot be rolled back, :class:`DivergenceRule`.
    keep_best : bool, default=True
        Whether training ends on the best epoch (False for ``partial_fit``: one epoch, its
        end weights).
    """

    def __init__(self, config, use_validation, callbacks=(), rollback=True, keep_best=True):
        self.config = config
        self.best = BestEpoch(use_validation) if keep_best else None
        self.guard = SpikeGuard(self.best) if rollback else DivergenceRule()
        self.patience = Patience(use_validation)
        self.callbacks = list(callbacks)
        self.verbose = Verbose() if config.verbose else None

    def begin(self, info):
        for hook in [self.best, self.guard] + self.callbacks:
            if hook is None:
                continue
            if hasattr(hook, "on_fit_begin"):
                hook.on_fit_begin(info)

    def epoch_end(self, info):
        """True when training should stop."""
        if self.verbose is not None:
            self.verbose.on_epoch_end(info)
        action = self.guard.on_epoch_end(info)  # may raise DivergenceError
        if action == "stop":
            return True
        stop = False
        if action is None:
            if self.best is not None:
                self.best.on_epoch_end(info)
            stop = self.patience.on_epoch_end(info)
        for cb in self.callbacks:
            stop = bool(cb.on_epoch_end(info)) or stop
        return stop

    def end(self, info):
        if self.best is not None:
            self.best.on_fit_end(info)
        for cb in self.callbacks:
            if hasattr(cb, "on_fit_end"):
                cb.on_fit_end(info)


def _optimizer_state(opt):
    """A copy of the optimizer's arrays and counters (not of the parameters it updates)."""
    return {k: (v.copy() if isinstance(v, np.ndarray) else copy.copy(v))
            for k, v in vars(opt).items() if k != "params"}


def _set_optimizer_state(opt, state):
    for k, v in state.items():
        setattr(opt, k, v.copy() if isinstance(v, np.ndarray) else v)
