"""
===================================================================
Learning a stream online: BPTT, truncated BPTT, RTRL and Kalman
===================================================================

A recurrent network that must learn *while* data arrives sees each piece of a stream
once, in order, and is judged on predictions made before it learns from them.  This
example feeds the same stream, chunk by chunk, to one Elman network (8 units) trained
five ways, all through :class:`~sktemporal.RNNRegressor` and ``partial_fit``:

* ``solver='adam'``, full BPTT: one gradient step per chunk, backpropagated through the
  whole chunk;
* ``solver='adam'`` with ``bptt_steps=10`` (truncated BPTT): the chunk is processed 10
  steps at a time, the state carried over, one step per piece;
* ``solver='rtrl'``: real-time recurrent learning (Williams & Zipser, 1989), an exact
  gradient step after *every* time step;
* ``solver='ekf'``: the extended Kalman filter (Singhal & Wu, 1989), a second-order
  update of all weights at every step;
* ``solver='dekf'``: the node-decoupled EKF (Puskorius & Feldkamp, 1991), one covariance
  block per neuron.

The evaluation is *prequential* (test-then-train): every chunk is first predicted by
the current model, scored, and only then learned.  Halfway through, the system that
generates the stream changes, so the learners must also track.
"""

# %%
# The stream
# ----------
# A nonlinear system with memory, driven by white noise :math:`x(t) \\sim \\mathcal U[-1, 1]`:
#
# .. math::
#
#     y(t) = a\\,y(t-1) + b\\,x(t)\\,x(t-1) + c\\,x(t-2),
#
# with :math:`(a, b, c) = (0.5, 0.5, 0.3)` for the first 6,000 steps and
# :math:`(-0.4, 0.8, -0.3)` afterwards.
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sktemporal import RNNRegressor
from sktemporal.metrics import nrmse

# partial_fit makes one pass over each chunk: the convergence
# warning is expected
warnings.filterwarnings("ignore", category=ConvergenceWarning)

n_steps, switch, chunk = 10_000, 6_000, 100
rng = np.random.RandomState(0)
x = rng.uniform(-1, 1, n_steps)
y = np.zeros(n_steps)
for t in range(2, n_steps):
    a, b, c = (0.5, 0.5, 0.3) if t < switch else (-0.4, 0.8, -0.3)
    y[t] = a * y[t - 1] + b * x[t] * x[t - 1] + c * x[t - 2]
X = x[:, None]  # one series: rows are time steps

# %%
# The learners
# ------------
# ``batch_size=1`` keeps the truncated-BPTT learner on one stream (by default a series
# is cut into parallel streams, which makes no sense for a 100-step chunk).  The online
# solvers use their defaults: ``learning_rate_init`` for RTRL's gradient steps;
# ``process_noise``, ``measurement_noise`` and ``initial_covariance`` for the Kalman
# filters (the process noise is what lets the filter keep adapting).
learners = {
    "BPTT (adam)": RNNRegressor(
        (8,), learning_rate_init=0.01, random_state=0
    ),
    "truncated BPTT, k=10 (adam)": RNNRegressor(
        (8,),
        bptt_steps=10,
        batch_size=1,
        learning_rate_init=0.01,
        random_state=0,
    ),
    "RTRL": RNNRegressor(
        (8,), solver="rtrl", learning_rate_init=0.003, random_state=0
    ),
    "EKF": RNNRegressor((8,), solver="ekf", random_state=0),
    "DEKF": RNNRegressor((8,), solver="dekf", random_state=0),
}

# %%
# Test, then train
# ----------------
# ``predict`` on a series continues from the state the network reached at the end of
# the last chunk it learned (``initial_state='continue'``), so each new chunk is
# predicted as it arrives, before it is learned.  The online solvers' ``partial_fit``
# continues from the state, sensitivities and covariance carried over from the previous
# chunk.  Inputs and targets are standardized inside with the statistics of the first
# chunk (``scaler='standard'``).
starts = np.arange(0, n_steps, chunk)
errors, seconds = {}, {}
for name, model in learners.items():
    chunk_errors = []
    start_time = time.perf_counter()
    for s in starts:
        e = s + chunk
        # nothing to predict with before the first chunk has been learned
        if s > 0:
            pred = model.predict(X[s:e])
            chunk_errors.append(nrmse(y[s:e], pred))
        model.partial_fit(X[s:e], y[s:e])
    seconds[name] = time.perf_counter() - start_time
    errors[name] = np.array(chunk_errors)

# the last 1,000 steps of system 1, and of the stream
before = (starts[1:] >= switch - 1000) & (starts[1:] < switch)
end = starts[1:] >= n_steps - 1000
for name in learners:
    print(
        f"{name:28s} prequential NRMSE: before the switch "
        f"{errors[name][before].mean():.3f}, at the end "
        f"{errors[name][end].mean():.3f};  "
        f"wall time {seconds[name]:5.2f} s"
    )

# %%
fig, (ax, ax_time) = plt.subplots(
    2, 1, figsize=(8, 7.5), gridspec_kw={"height_ratios": [2.2, 1]}
)
kernel = np.ones(5) / 5  # running mean over 5 chunks (500 steps)
centres = starts[1:] + chunk / 2
for name, err in errors.items():
    ax.plot(
        centres[2:-2], np.convolve(err, kernel, mode="valid"), label=name
    )
ax.axvline(switch, color="k", lw=0.8, ls="--")
ax.text(switch, ax.get_ylim()[1], " system changes", va="top")
ax.set_xlabel("time step")
ax.set_ylabel("prequential NRMSE (running mean)")
ax.set_yscale("log")
ax.set_title(
    "Error of predictions made before learning each chunk\n"
    "(colours as in the bar chart below)"
)
names = list(seconds)
ax_time.barh(
    names,
    [seconds[n] for n in names],
    color=[f"C{i}" for i in range(len(names))],
)
ax_time.invert_yaxis()
ax_time.set_xlabel("wall time for the whole stream (s)")
fig.tight_layout()

# %%
# Reading the result
# ------------------
# * Per time step, the **EKF** learns the most: its update uses second-order
#   (covariance) information, so it reaches a given error in far fewer steps, and its
#   process noise keeps it adaptive after the switch.  The **DEKF** drops the
#   covariance between neurons: it learns almost as fast as the EKF at first, but
#   settles at a higher error.
# * **RTRL** and **truncated BPTT** take many small gradient steps and end close to each
#   other; **full BPTT**, with one update per chunk, learns the least from one pass —
#   it needs many epochs over stored data, which an online learner does not have.
# * The price is computation per step: RTRL costs :math:`O(H^4)` and the EKF
#   :math:`O(M^2)` for :math:`H` units and :math:`M` weights.  With 8 units all of them are
#   cheap; with 100 units RTRL does ~10⁸ multiply-adds per step and the EKF stores a
#   covariance of ~10⁸ entries, where truncated BPTT's cost only grows as :math:`O(H^2)`.
#   (With so few weights the DEKF's per-neuron loop costs more than the EKF's single
#   matrix update; its saving appears for larger networks.)
#
# See :ref:`online_learning` in the user guide for the equations.
