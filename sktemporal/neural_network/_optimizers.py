"""Stochastic optimizers acting in place on one flat parameter vector.

The update rules and learning-rate schedules are those of
:class:`sklearn.neural_network.MLPRegressor` (SGD with momentum / Nesterov momentum and
'constant' | 'invscaling' | 'adaptive' schedules; Adam), rewritten for a single vector so
that no per-layer lists are kept and updates work in preallocated buffers (Nesterov's
look-ahead adds one temporary).
"""

import numpy as np

__all__ = ["SGDOptimizer", "AdamOptimizer", "make_optimizer", "reduce_or_stop"]


def reduce_or_stop(optimizer, msg, verbose):
    """At a plateau: stop, or with the 'adaptive' schedule divide the rate by 5, down to 1e-6.

    scikit-learn's MLP applies 'adaptive' to SGD only; here it applies to Adam as well
    (ReduceLROnPlateau with factor 1/5).  Returns True to stop.
    """
    if getattr(optimizer, "lr_schedule", "constant") != "adaptive":  # (Adam pickled before 0.1)
        if verbose:
            print(msg + " Stopping.")
        return True
    if optimizer.learning_rate <= 1e-6:
        if verbose:
            print(msg + " Learning rate too small. Stopping.")
        return True
    optimizer.learning_rate /= 5.0
    if verbose:
        print(msg + " Setting learning rate to %f" % optimizer.learning_rate)
    return False


class SGDOptimizer:
    """SGD with momentum: ``v ← μ v − η g``; ``θ ← θ + v`` (Nesterov: ``θ ← θ + μ v − η g``)."""

    def __init__(self, params, learning_rate_init=0.1, lr_schedule="constant",
                 momentum=0.9, nesterov=True, power_t=0.5):
        self.params = params
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.lr_schedule = lr_schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocity = np.zeros_like(params)
        self._step = np.empty_like(params)

    def update(self, grad):
        v = self.velocity
        v *= self.momentum
        np.multiply(grad, -self.learning_rate, out=self._step)
        v += self._step
        if self.nesterov:
            self._step += self.momentum * v
            self.params += self._step
        else:
            self.params += v

    def iteration_ends(self, time_step):
        if self.lr_schedule == "invscaling":
            self.learning_rate = float(self.learning_rate_init) / (time_step + 1) ** self.power_t

    def trigger_stopping(self, msg, verbose):
        return reduce_or_stop(self, msg, verbose)


class AdamOptimizer:
    """Adam (Kingma & Ba): bias-corrected first and second moment estimates.

    ``learning_rate`` starts at ``learning_rate_init``; the training loop lowers it when it
    rolls back a loss spike.
    """

    def __init__(self, params, learning_rate_init=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 lr_schedule="constant"):
        self.params = params
        self.lr_schedule = lr_schedule
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.m = np.zeros_like(params)
        self.v = np.zeros_like(params)
        self._tmp = np.empty_like(params)

    def update(self, grad):
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        self.m *= b1
        np.multiply(grad, 1 - b1, out=self._tmp)
        self.m += self._tmp
        self.v *= b2
        np.multiply(grad, grad, out=self._tmp)
        self._tmp *= 1 - b2
        self.v += self._tmp
        lr = self.learning_rate * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        np.sqrt(self.v, out=self._tmp)
        self._tmp += self.epsilon
        np.divide(self.m, self._tmp, out=self._tmp)
        self._tmp *= lr
        self.params -= self._tmp

    def iteration_ends(self, time_step):
        pass

    def trigger_stopping(self, msg, verbose):
        return reduce_or_stop(self, msg, verbose)


def make_optimizer(config, params, solver=None):
    """The optimizer named by ``solver`` (default ``config.solver``), configured from a :class:`SolverConfig`."""
    if (solver or config.solver) == "sgd":
        return SGDOptimizer(params, config.learning_rate_init, config.learning_rate, config.momentum,
                            config.nesterovs_momentum, config.power_t)
    # 'invscaling' is SGD's schedule; Adam reads 'adaptive' only
    schedule = "adaptive" if config.learning_rate == "adaptive" else "constant"
    return AdamOptimizer(params, config.learning_rate_init, config.beta_1, config.beta_2, config.epsilon, schedule)
