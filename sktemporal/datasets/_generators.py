"""Single-series benchmark generators: Mackey–Glass, NARMA, Lorenz and the memory task.

Every generator returns one series in the package's layout (:ref:`data_contract`): ``X`` of
shape ``(n_timesteps, n_features)`` with rows as time steps and a target ``y`` with one
row per step, aligned so that ``X[t]`` is the input for ``y[t]``.  The result is a
deterministic function of the arguments and ``random_state``.
"""

import numpy as np
from scipy.signal import lfilter
from sklearn.utils import Bunch, check_random_state

from ..utils._param_validation import Integral, Interval, Real, check_params

__all__ = ["mackey_glass", "narma", "lorenz", "memory_task"]


def _range(type_, min_val, max_val, include_boundaries):
    """The :class:`Interval` of ``check_scalar``'s arguments (an absent bound is open)."""
    left = include_boundaries in ("both", "left") and min_val is not None
    right = include_boundaries in ("both", "right") and max_val is not None
    closed = {(True, True): "both", (True, False): "left", (False, True): "right"}.get((left, right), "neither")
    return Interval(type_, min_val, max_val, closed=closed)


def _check_int(value, name, min_val=None, max_val=None, *, caller):
    """``value`` as an int in ``[min_val, max_val]``, or the package's parameter error."""
    check_params({name: [_range(Integral, min_val, max_val, "both")]}, caller, {name: value})
    return int(value)


def _check_float(value, name, min_val=None, max_val=None, include_boundaries="both", *, caller):
    """``value`` as a finite float in the range, or the package's parameter error."""
    check_params({name: [_range(Real, min_val, max_val, include_boundaries)]}, caller, {name: value})
    return float(value)


# ----------------------------------------------------------------------------------
# Mackey–Glass
# ----------------------------------------------------------------------------------
def _mackey_glass_euler(history, n_steps, a, b, n, dt, delay):
    """Euler-integrate the Mackey–Glass equation exactly as the scalar recursion

    ``x[i + 1] = (1 - b dt) x[i] + dt a x[i - delay] / (1 + x[i - delay] ** n)``

    ``history`` holds the ``delay + 1`` values at times ``-delay * dt, ..., 0``.  The
    delayed term of the next ``delay + 1`` steps only needs values that are already
    known, so it is evaluated for a whole block at once, and the remaining recursion is
    linear: one ``lfilter`` call per block instead of one Python iteration per step.
    """
    x = np.empty(delay + 1 + n_steps)
    x[: delay + 1] = history
    decay = 1.0 - b * dt
    end = delay + n_steps  # index of the last value to compute
    k = delay  # index of the last known value
    while k < end:
        stop = min(k + delay + 1, end)  # this block computes x[k + 1 : stop + 1]
        lagged = x[k - delay : stop - delay]
        drive = a * lagged / (1.0 + lagged**n)
        # first-order IIR y[j] = dt * drive[j] + decay * y[j - 1], started from x[k]
        x[k + 1 : stop + 1], _ = lfilter([dt], [1.0, -decay], drive, zi=[decay * x[k]])
        k = stop
    return x


def mackey_glass(
    n_timesteps=1000,
    *,
    tau=17,
    a=0.2,
    b=0.1,
    n=10,
    x0=1.2,
    dt=0.1,
    subsample=10,
    washout=200,
    horizon=1,
    initial_history="random",
    random_state=None,
    return_X_y=True,
):
    r"""Mackey–Glass chaotic time series, set up for ``horizon``-step-ahead prediction.

    The Mackey–Glass delay differential equation (Mackey & Glass, 1977)

    .. math::

        \frac{dx}{dt} = a \frac{x(t - \tau)}{1 + x(t - \tau)^n} - b\,x(t)

    is integrated with the explicit Euler scheme of step ``dt``,

    .. math::

        x_{i+1} = x_i + \mathrm{dt}\left(a \frac{x_{i-d}}{1 + x_{i-d}^n} - b\,x_i\right),
        \qquad d = \tau / \mathrm{dt},

    and every ``subsample``-th value is kept.  The defaults (``tau=17``, ``dt=0.1``, so
    ``d = 170`` Euler steps of delay, ``subsample=10``: one sample per time unit) are
    the discretisation used for echo state networks by Jaeger (2001) and Jaeger & Haas
    (2004); with ``tau=17`` the series is chaotic and stays roughly in ``[0.2, 1.4]``.

    Parameters
    ----------
    n_timesteps : int, default=1000
        Number of returned samples.
    tau : float, default=17
        Delay :math:`\tau`, in time units.  ``tau / dt`` must be a whole number of Euler
        steps.  ``tau > 16.8`` gives chaos; ``tau=30`` is a harder, higher-dimensional
        variant.
    a, b : float, default=0.2, 0.1
        Production and decay rates.
    n : float, default=10
        Exponent of the nonlinearity.
    x0 : float, default=1.2
        Level of the initial history on :math:`[-\tau, 0]`; must be positive.
    dt : float, default=0.1
        Euler step, in time units.
    subsample : int, default=10
        Keep one value every ``subsample`` Euler steps (the sampling period is
        ``subsample * dt`` time units).
    washout : int, default=200
        Number of initial samples (after subsampling) computed and discarded so that the
        returned series starts on the attractor rather than in the transient from the
        initial history.
    horizon : int, default=1
        The target is the series ``horizon`` samples ahead.
    initial_history : {'random', 'constant'}, default='random'
        ``'constant'``: the history is :math:`x(t) = x_0` on :math:`[-\tau, 0]`, the
        classic deterministic set-up (``random_state`` is then ignored).  ``'random'``:
        the ``tau / dt + 1`` history values are drawn i.i.d. from
        :math:`\mathcal{U}[x_0 - 0.2, x_0 + 0.2]` with ``random_state``, so different
        seeds give different trajectories on the same attractor.
    random_state : int, RandomState instance or None, default=None
        Seed of the random initial history.
    return_X_y : bool, default=True
        Return ``(X, y)``; otherwise a :class:`~sklearn.utils.Bunch` with ``data``
        (``X``), ``target`` (``y``), ``time`` (the time of each row of ``X``, in time
        units) and ``DESCR``.

    Returns
    -------
    X : ndarray of shape (n_timesteps, 1)
        The series :math:`x(t_0), \dots, x(t_0 + (n_\text{timesteps} - 1) \Delta)`.
    y : ndarray of shape (n_timesteps,)
        ``y[t] = X[t + horizon, 0]`` (the last ``horizon`` targets are computed beyond
        the end of ``X``), so ``X[t]`` is the input for ``y[t]``.

    References
    ----------
    .. [1] M. C. Mackey and L. Glass, "Oscillation and chaos in physiological control
       systems", Science 197(4300), 287–289, 1977.
    .. [2] H. Jaeger, "The 'echo state' approach to analysing and training recurrent
       neural networks", GMD Report 148, 2001.
    .. [3] H. Jaeger and H. Haas, "Harnessing nonlinearity: predicting chaotic systems
       and saving energy in wireless communication", Science 304(5667), 78–80, 2004.

    Examples
    --------
    >>> from sktemporal.datasets import mackey_glass
    >>> X, y = mackey_glass(500, random_state=0)
    >>> X.shape, y.shape
    ((500, 1), (500,))
    >>> bool((X[1:, 0] == y[:-1]).all())
    True
    >>> bool(0.2 < X.min() and X.max() < 1.4)
    True
    """
    n_timesteps = _check_int(n_timesteps, "n_timesteps", min_val=1, caller="mackey_glass")
    tau = _check_float(tau, "tau", min_val=0, include_boundaries="neither", caller="mackey_glass")
    a = _check_float(a, "a", caller="mackey_glass")
    b = _check_float(b, "b", caller="mackey_glass")
    n = _check_float(n, "n", caller="mackey_glass")
    x0 = _check_float(x0, "x0", min_val=0, include_boundaries="neither", caller="mackey_glass")
    dt = _check_float(dt, "dt", min_val=0, include_boundaries="neither", caller="mackey_glass")
    subsample = _check_int(subsample, "subsample", min_val=1, caller="mackey_glass")
    washout = _check_int(washout, "washout", min_val=0, caller="mackey_glass")
    horizon = _check_int(horizon, "horizon", min_val=0, caller="mackey_glass")
    if initial_history not in ("random", "constant"):
        raise ValueError(
            f"initial_history must be 'random' or 'constant'; got {initial_history!r}."
        )
    delay = int(round(tau / dt))
    if delay < 1 or abs(delay * dt - tau) > 1e-9 * max(tau, 1.0):
        raise ValueError(
            f"tau / dt must be a positive whole number of Euler steps; got tau={tau}, "
            f"dt={dt} (tau / dt = {tau / dt:g})."
        )

    if initial_history == "constant":
        history = np.full(delay + 1, x0)
    else:
        rng = check_random_state(random_state)
        history = rng.uniform(x0 - 0.2, x0 + 0.2, size=delay + 1)
        # keep the history positive for tiny x0 (x ** n of a negative x is not defined)
        np.maximum(history, x0 / 2, out=history)

    n_samples = washout + n_timesteps + horizon
    n_steps = (n_samples - 1) * subsample
    with np.errstate(over="ignore", invalid="ignore"):
        x = _mackey_glass_euler(history, n_steps, a, b, n, dt, delay)
    series = x[delay::subsample][washout:]
    if not np.isfinite(series).all():
        raise ValueError(
            "The Mackey–Glass integration diverged (non-finite values); use a smaller dt "
            f"or other parameters (a={a}, b={b}, n={n}, tau={tau})."
        )
    X = series[:n_timesteps, None].copy()
    y = series[horizon : horizon + n_timesteps].copy()
    if return_X_y:
        return X, y
    period = subsample * dt
    time = (washout + np.arange(n_timesteps)) * period
    return Bunch(
        data=X,
        target=y,
        time=time,
        DESCR=(
            f"Mackey-Glass series (tau={tau:g}, a={a:g}, b={b:g}, n={n:g}), Euler step "
            f"{dt:g}, one sample every {period:g} time units; target {horizon} "
            "sample(s) ahead."
        ),
    )


# ----------------------------------------------------------------------------------
# NARMA
# ----------------------------------------------------------------------------------
# A NARMA trajectory that diverges does so doubly-exponentially (through y(t) * sum y),
# so any large bound catches it within a few steps of the blow-up.
_NARMA_BOUND = 1e6
_NARMA_MAX_TRIES = 10


def _narma_recursion(u, order, alpha, beta, gamma, delta, tanh):
    """Run the NARMA recursion on the input list ``u``; None if it diverges."""
    L = len(u)
    y = [0.0] * (L + 1)
    window = 0.0  # sum of y[t - order + 1 .. t]; zero initial outputs
    squash = np.tanh if tanh else None
    for t in range(order - 1, L):
        yt = y[t]
        v = alpha * yt + beta * yt * window + gamma * u[t - order + 1] * u[t] + delta
        if squash is not None:
            v = float(squash(v))
        elif not abs(v) < _NARMA_BOUND:  # also catches NaN
            return None
        y[t + 1] = v
        window += v - y[t + 1 - order]
    return y


def narma(
    n_timesteps=1000,
    *,
    order=10,
    alpha=0.3,
    beta=0.05,
    gamma=1.5,
    delta=0.1,
    activation=None,
    input_range=(0.0, 0.5),
    washout=0,
    random_state=None,
):
    r"""NARMA system identification task (nonlinear autoregressive moving average).

    An i.i.d. input :math:`u(t) \sim \mathcal{U}[0, 0.5]` drives the order-:math:`n`
    system (Atiya & Parlos, 2000; Jaeger, 2003)

    .. math::

        y(t+1) = \alpha\,y(t) + \beta\,y(t) \sum_{i=0}^{n-1} y(t-i)
                 + \gamma\,u(t-n+1)\,u(t) + \delta

    with :math:`y = 0` before the first output.  The defaults give the standard NARMA10:
    :math:`y(t+1) = 0.3 y(t) + 0.05 y(t) \sum_{i=0}^{9} y(t-i) + 1.5 u(t-9) u(t) + 0.1`.
    Returned pairs are aligned so that ``X[t] = u(t)`` is the input for
    ``y[t] = y(t+1)``, the output computed right after seeing :math:`u(t)`; the
    ``order - 1`` inputs before ``X[0]`` only serve as history and are not returned.

    Higher orders diverge without a saturation: the literature wraps the right-hand
    side in :math:`\tanh` (e.g. NARMA20,
    ``narma(order=20, activation='tanh', delta=0.01)``, Atiya & Parlos, 2000) or uses
    smaller coefficients (NARMA30 of Jaeger, 2003:
    ``narma(order=30, alpha=0.2, beta=0.004, delta=0.001)``).

    Divergence guard: without ``activation``, a trajectory that leaves
    :math:`|y| < 10^6` (or becomes non-finite) is discarded and a new input sequence is
    drawn from the same random generator, so the result stays a deterministic function of
    ``random_state``.  After 10 diverging draws a ``RuntimeError`` suggests
    ``activation='tanh'``.  For NARMA10 with :math:`u \sim \mathcal{U}[0, 0.5]` a redraw
    is rare.

    Parameters
    ----------
    n_timesteps : int, default=1000
        Number of returned steps.
    order : int, default=10
        System order :math:`n` (memory length of the input product and output sum).
    alpha, beta, gamma, delta : float, default=0.3, 0.05, 1.5, 0.1
        Coefficients of the recursion above.
    activation : {None, 'tanh'}, default=None
        ``'tanh'`` applies :math:`\tanh` to the right-hand side (bounded in
        :math:`(-1, 1)`, never diverges).
    input_range : (float, float), default=(0.0, 0.5)
        Bounds of the uniform input distribution.
    washout : int, default=0
        Steps computed and discarded before the returned ones, to skip the transient
        from the zero initial outputs.  ``0`` is the usual definition of the task (the
        model's own washout then covers the transient).
    random_state : int, RandomState instance or None, default=None
        Seed of the input sequence.

    Returns
    -------
    X : ndarray of shape (n_timesteps, 1)
        The input :math:`u(t)`.
    y : ndarray of shape (n_timesteps,)
        The output :math:`y(t+1)`.

    References
    ----------
    .. [1] A. F. Atiya and A. G. Parlos, "New results on recurrent network training:
       unifying the algorithms and accelerating convergence", IEEE Trans. Neural
       Networks 11(3), 697–709, 2000.
    .. [2] H. Jaeger, "Adaptive nonlinear system identification with echo state
       networks", NIPS 15, 2003.

    Examples
    --------
    >>> from sktemporal.datasets import narma
    >>> X, y = narma(2000, random_state=0)
    >>> X.shape, y.shape
    ((2000, 1), (2000,))
    >>> bool(0 <= X.min() and X.max() <= 0.5 and 0 < y.min() and y.max() < 1.5)
    True
    """
    n_timesteps = _check_int(n_timesteps, "n_timesteps", min_val=1, caller="narma")
    order = _check_int(order, "order", min_val=1, caller="narma")
    alpha = _check_float(alpha, "alpha", caller="narma")
    beta = _check_float(beta, "beta", caller="narma")
    gamma = _check_float(gamma, "gamma", caller="narma")
    delta = _check_float(delta, "delta", caller="narma")
    washout = _check_int(washout, "washout", min_val=0, caller="narma")
    if activation not in (None, "tanh"):
        raise ValueError(f"activation must be None or 'tanh'; got {activation!r}.")
    try:
        low, high = (float(v) for v in input_range)
    except (TypeError, ValueError):
        raise ValueError(
            f"input_range must be a pair of numbers (low, high); got {input_range!r}."
        ) from None
    if not low <= high:
        raise ValueError(f"input_range must satisfy low <= high; got {input_range!r}.")

    rng = check_random_state(random_state)
    length = order - 1 + washout + n_timesteps
    for _ in range(_NARMA_MAX_TRIES):
        u = rng.uniform(low, high, size=length)
        y = _narma_recursion(u.tolist(), order, alpha, beta, gamma, delta, activation)
        if y is not None:
            break
    else:
        raise RuntimeError(
            f"The NARMA{order} recursion diverged (|y| >= {_NARMA_BOUND:g}) for "
            f"{_NARMA_MAX_TRIES} input draws in a row; use activation='tanh' (as in the "
            "literature for high orders), smaller coefficients, a narrower input_range "
            "or fewer time steps."
        )
    X = u[length - n_timesteps :, None].copy()
    y = np.asarray(y[length + 1 - n_timesteps :])
    return X, y


# ----------------------------------------------------------------------------------
# Lorenz
# ----------------------------------------------------------------------------------
def _lorenz_rk4(state, n_steps, every, dt, sigma, rho, beta):
    """Classic RK4 on Python floats, keeping every ``every``-th state (incl. the first)."""
    x, y, z = (float(v) for v in state)
    out = np.empty((n_steps // every + 1, 3))
    out[0] = x, y, z
    h2 = dt / 2.0
    h6 = dt / 6.0
    row = 1
    for i in range(1, n_steps + 1):
        k1x = sigma * (y - x)
        k1y = x * (rho - z) - y
        k1z = x * y - beta * z
        xa, ya, za = x + h2 * k1x, y + h2 * k1y, z + h2 * k1z
        k2x = sigma * (ya - xa)
        k2y = xa * (rho - za) - ya
        k2z = xa * ya - beta * za
        xa, ya, za = x + h2 * k2x, y + h2 * k2y, z + h2 * k2z
        k3x = sigma * (ya - xa)
        k3y = xa * (rho - za) - ya
        k3z = xa * ya - beta * za
        xa, ya, za = x + dt * k3x, y + dt * k3y, z + dt * k3z
        k4x = sigma * (ya - xa)
        k4y = xa * (rho - za) - ya
        k4z = xa * ya - beta * za
        x += h6 * (k1x + 2.0 * (k2x + k3x) + k4x)
        y += h6 * (k1y + 2.0 * (k2y + k3y) + k4y)
        z += h6 * (k1z + 2.0 * (k2z + k3z) + k4z)
        if i % every == 0:
            out[row] = x, y, z
            row += 1
    return out


def lorenz(
    n_timesteps=1000,
    *,
    dt=0.01,
    sigma=10.0,
    rho=28.0,
    beta=8.0 / 3.0,
    x0=None,
    subsample=1,
    washout=1000,
    horizon=1,
    random_state=None,
    return_X_y=True,
):
    r"""Lorenz-63 chaotic system, set up for ``horizon``-step-ahead prediction.

    The Lorenz (1963) system

    .. math::

        \dot x = \sigma (y - x), \qquad
        \dot y = x (\rho - z) - y, \qquad
        \dot z = x y - \beta z

    is integrated with the classic fourth-order Runge–Kutta scheme of step ``dt`` and
    every ``subsample``-th state is kept.  The defaults (:math:`\sigma = 10`,
    :math:`\rho = 28`, :math:`\beta = 8/3`) are the chaotic regime; the coordinates are
    unscaled (roughly :math:`|x| < 20`, :math:`|y| < 30`, :math:`0 < z < 50`), so scale
    them (e.g. ``StandardScaler``) before a model with saturating units.

    Parameters
    ----------
    n_timesteps : int, default=1000
        Number of returned states.
    dt : float, default=0.01
        Runge–Kutta step, in time units.
    sigma, rho, beta : float, default=10, 28, 8/3
        System parameters.
    x0 : array-like of shape (3,) or None, default=None
        Initial state.  ``None`` draws it with ``random_state`` from
        :math:`\mathcal{U}[-15, 15] \times \mathcal{U}[-15, 15] \times \mathcal{U}[10, 40]`;
        when given, ``random_state`` is ignored.
    subsample : int, default=1
        Keep one state every ``subsample`` Runge–Kutta steps.
    washout : int, default=1000
        Number of initial samples (after subsampling) computed and discarded so that the
        returned trajectory starts on the attractor.
    horizon : int, default=1
        The target is the state ``horizon`` samples ahead.
    random_state : int, RandomState instance or None, default=None
        Seed of the random initial state.
    return_X_y : bool, default=True
        Return ``(X, y)``; otherwise a :class:`~sklearn.utils.Bunch` with ``data``,
        ``target``, ``time`` (the time of each row of ``X``) and ``DESCR``.

    Returns
    -------
    X : ndarray of shape (n_timesteps, 3)
        The states :math:`(x, y, z)`.
    y : ndarray of shape (n_timesteps, 3)
        ``y[t] = X[t + horizon]``: the next state(s), one output per coordinate.  Take a
        column (``y[:, 0]``) for a single-output task.

    References
    ----------
    .. [1] E. N. Lorenz, "Deterministic nonperiodic flow", Journal of the Atmospheric
       Sciences 20(2), 130–141, 1963.

    Examples
    --------
    >>> from sktemporal.datasets import lorenz
    >>> X, y = lorenz(300, random_state=0)
    >>> X.shape, y.shape
    ((300, 3), (300, 3))
    >>> bool((X[1:] == y[:-1]).all())
    True
    """
    n_timesteps = _check_int(n_timesteps, "n_timesteps", min_val=1, caller="lorenz")
    dt = _check_float(dt, "dt", min_val=0, include_boundaries="neither", caller="lorenz")
    sigma = _check_float(sigma, "sigma", caller="lorenz")
    rho = _check_float(rho, "rho", caller="lorenz")
    beta = _check_float(beta, "beta", caller="lorenz")
    subsample = _check_int(subsample, "subsample", min_val=1, caller="lorenz")
    washout = _check_int(washout, "washout", min_val=0, caller="lorenz")
    horizon = _check_int(horizon, "horizon", min_val=0, caller="lorenz")
    if x0 is None:
        rng = check_random_state(random_state)
        state = rng.uniform([-15.0, -15.0, 10.0], [15.0, 15.0, 40.0])
    else:
        state = np.asarray(x0, dtype=float)
        if state.shape != (3,) or not np.isfinite(state).all():
            raise ValueError(
                f"x0 must be 3 finite numbers (x, y, z) or None; got {x0!r}."
            )

    n_samples = washout + n_timesteps + horizon
    states = _lorenz_rk4(state, (n_samples - 1) * subsample, subsample, dt, sigma, rho, beta)
    states = states[washout:]
    if not np.isfinite(states).all():
        raise ValueError(
            f"The Lorenz integration diverged (non-finite values); use a smaller dt (got {dt})."
        )
    X = states[:n_timesteps].copy()
    y = states[horizon : horizon + n_timesteps].copy()
    if return_X_y:
        return X, y
    period = subsample * dt
    return Bunch(
        data=X,
        target=y,
        time=(washout + np.arange(n_timesteps)) * period,
        DESCR=(
            f"Lorenz-63 trajectory (sigma={sigma:g}, rho={rho:g}, beta={beta:g}), RK4 step "
            f"{dt:g}, one state every {period:g} time units; target {horizon} sample(s) ahead."
        ),
    )


# ----------------------------------------------------------------------------------
# memory task
# ----------------------------------------------------------------------------------
def memory_task(n_timesteps=1000, *, max_delay=20, distribution="uniform", random_state=None):
    r"""Delayed-recall task for measuring short-term memory capacity (Jaeger, 2001).

    An i.i.d. input :math:`u(t)` is to be reproduced with every delay
    :math:`k = 1, \dots, K`:

    .. math::

        y_k(t) = u(t - k), \qquad k = 1, \dots, K = \text{max\_delay}.

    Score the predictions with :func:`sktemporal.metrics.memory_capacity`, the sum over
    :math:`k` of the squared correlation between :math:`y_k` and its prediction.

    Before the start of the series the input is taken as 0, so ``y[t, k - 1] = 0`` for
    ``t < k``: discard the first ``max_delay`` steps (or more: the model's washout)
    before fitting and scoring.

    Parameters
    ----------
    n_timesteps : int, default=1000
        Number of time steps.
    max_delay : int, default=20
        Largest delay :math:`K`; one target column per delay.
    distribution : {'uniform', 'normal'}, default='uniform'
        Input distribution: :math:`\mathcal{U}[-0.5, 0.5]` or :math:`\mathcal{N}(0, 1)`.
    random_state : int, RandomState instance or None, default=None
        Seed of the input.

    Returns
    -------
    X : ndarray of shape (n_timesteps, 1)
        The input :math:`u(t)`.
    y : ndarray of shape (n_timesteps, max_delay)
        ``y[t, k - 1] = u(t - k)`` (0 for ``t < k``).

    References
    ----------
    .. [1] H. Jaeger, "Short term memory in echo state networks", GMD Report 152, 2001.

    Examples
    --------
    >>> from sktemporal.datasets import memory_task
    >>> X, y = memory_task(100, max_delay=5, random_state=0)
    >>> X.shape, y.shape
    ((100, 1), (100, 5))
    >>> bool((y[3:, 2] == X[:-3, 0]).all())
    True
    """
    n_timesteps = _check_int(n_timesteps, "n_timesteps", min_val=1, caller="memory_task")
    max_delay = _check_int(max_delay, "max_delay", min_val=1, caller="memory_task")
    rng = check_random_state(random_state)
    if distribution == "uniform":
        u = rng.uniform(-0.5, 0.5, size=n_timesteps)
    elif distribution == "normal":
        u = rng.standard_normal(n_timesteps)
    else:
        raise ValueError(
            f"distribution must be 'uniform' or 'normal'; got {distribution!r}."
        )
    y = np.zeros((n_timesteps, max_delay))
    for k in range(1, min(max_delay, n_timesteps - 1) + 1):
        y[k:, k - 1] = u[:-k]
    return u[:, None], y
