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

import time
import warnings

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

from ._gradients import GradientSplit, chunk_gradients, loss_and_gradient
from ._optimizers import make_optimizer

__all__ = ["TrainingData", "fit_stochastic", "fit_lbfgs", "loss_and_gradient", "time_major"]


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


def _check_finite(loss, est):
    if not np.isfinite(loss):
        raise ValueError(
            f"The training loss became {loss} at iteration {est.n_iter_ + 1}: the "
            f"optimisation diverged. Lower learning_rate_init (now "
            f"{est.learning_rate_init}), set clip_norm (now {est.clip_norm}) to clip "
            "exploding gradients, or scale the inputs and targets (e.g. StandardScaler)."
        )


def _clip(grad, clip_norm):
    if clip_norm is not None:
        norm = float(np.sqrt(np.vdot(grad, grad)))
        if norm > clip_norm:
            grad *= clip_norm / norm


def _update_no_improvement_count(est, validation, theta):
    """sklearn's MLP rule, on the validation score or on the training loss."""
    if validation is not None:
        score = validation()
        est.validation_scores_.append(score)
        if score < est.best_validation_score_ + est.tol:
            est._no_improvement_count += 1
        else:
            est._no_improvement_count = 0
        if score > est.best_validation_score_:
            est.best_validation_score_ = score
            est._best_params = theta.copy()
    else:
        if est.loss_curve_[-1] > est.best_loss_ - est.tol:
            est._no_improvement_count += 1
        else:
            est._no_improvement_count = 0
        if est.loss_curve_[-1] < est.best_loss_:
            est.best_loss_ = est.loss_curve_[-1]


def end_epoch(est, opt, total, rows, validation, theta, tic, incremental):
    """Epoch bookkeeping shared by every iterative solver; True when training should stop.

    Records ``n_iter_``, ``t_``, ``loss_`` and ``loss_curve_``, applies sklearn's MLP
    no-improvement rule (on the validation score when ``validation`` is given), lets the
    optimizer adapt its learning rate, prints the verbose line and warns at ``max_iter``.
    """
    est.n_iter_ += 1
    est.t_ += rows
    est.loss_ = total / max(rows, 1)
    est.loss_curve_.append(est.loss_)
    _update_no_improvement_count(est, validation, theta)
    opt.iteration_ends(est.t_)
    if est.verbose:
        val = f", validation score = {est.validation_scores_[-1]:.6f}" if validation is not None else ""
        print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}{val}, {time.perf_counter() - tic:.3f} s")
    if est._no_improvement_count > est.n_iter_no_change:
        what = "Validation score" if validation is not None else "Training loss"
        msg = (f"{what} did not improve more than tol={est.tol} for "
               f"{est.n_iter_no_change} consecutive epochs.")
        if opt.trigger_stopping(msg, est.verbose):
            return True
        est._no_improvement_count = 0
    if incremental:
        return True
    if est.n_iter_ == est.max_iter:
        warnings.warn(
            f"{'Stochastic Optimizer' if est.solver in ('sgd', 'adam') else est.solver}: Maximum "
            f"iterations ({est.max_iter}) reached and the optimization hasn't converged yet.",
            ConvergenceWarning,
        )
    return False


def fit_stochastic(est, net, theta, data, loss_name, batch_size, validation=None, incremental=False):
    """Train ``theta`` in place with SGD or Adam, sklearn-MLP style.

    ``validation`` is None or a callable returning the current validation score (higher
    is better); it turns on early stopping.
    """
    rng = est._random_state
    if not incremental or not hasattr(est, "_optimizer"):
        est._optimizer = make_optimizer(est, theta)
    opt = est._optimizer
    opt.params = theta
    weight_mask = net.layout.weight_mask().astype(theta.dtype)
    grad = np.zeros_like(theta)
    early_stopping = validation is not None
    max_iter = 1 if incremental else est.max_iter
    try:
        with GradientSplit(getattr(est, "n_jobs", None), net, data, loss_name, theta.dtype) as split:
            for _ in range(max_iter):
                tic = time.perf_counter()
                total, rows = 0.0, 0
                for idx in data.minibatches(batch_size, rng if est.shuffle else None):
                    for loss, n in chunk_gradients(net, theta, grad, loss_name, data, idx, split):
                        if n == 0:
                            continue
                        loss = _regularize(theta, grad, loss, n, est.alpha, weight_mask)
                        _check_finite(loss, est)
                        _clip(grad, est.clip_norm)
                        opt.update(grad)
                        total += loss * n
                        rows += n
                if end_epoch(est, opt, total, rows, validation, theta, tic, incremental):
                    break
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.")
    if early_stopping and getattr(est, "_best_params", None) is not None:
        theta[...] = est._best_params


def fit_lbfgs(est, net, theta, data, loss_name, batch_size):
    """Minimise the regularised mean loss over all data with L-BFGS-B, in place."""
    weight_mask = net.layout.weight_mask().astype(theta.dtype)
    grad = np.zeros_like(theta)
    total_grad = np.zeros(theta.shape, dtype=np.float64)
    batches = data.minibatches(batch_size)

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
        total += 0.5 * est.alpha * float(np.vdot(w, w))
        return total / rows, (total_grad + est.alpha * w) / rows

    with GradientSplit(getattr(est, "n_jobs", None), net, data, loss_name, theta.dtype) as split:
        res = scipy.optimize.minimize(
            objective, theta.astype(np.float64), method="L-BFGS-B", jac=True,
            options={"maxfun": est.max_fun, "maxiter": est.max_iter, "gtol": est.tol},
        )
    theta[...] = res.x
    _check_finite(res.fun, est)
    if res.status != 0:
        warnings.warn(
            f"lbfgs failed to converge after {res.nit} iteration(s) (status={res.status}): "
            f"{res.message}. Increase max_iter / max_fun or scale the data.",
            ConvergenceWarning,
        )
    est.n_iter_ = res.nit
    est.loss_ = float(res.fun)
    est.loss_curve_ = [est.loss_]
    est.t_ = data.n_rows * max(res.nit, 1)
