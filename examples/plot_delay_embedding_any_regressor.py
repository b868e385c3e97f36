"""
===================================================================
A short-term memory for any scikit-learn regressor
===================================================================

A feedforward regressor — ridge regression, nearest neighbours, a random forest — maps
one row to one prediction and has no idea that the rows are consecutive time steps.
Put a short-term memory in front of it and it becomes a model of a dynamical system:
:class:`~sktemporal.DelayEmbedding` (the tapped delay line of a time-delay neural
network) turns row ``t`` into ``u(t), u(t-1), …, u(t-k)``, and
:class:`~sktemporal.GammaMemory` (de Vries & Principe, 1992) reaches further back with
the same number of taps by replacing each unit delay with a leaky integrator.

Both are ordinary scikit-learn transformers that keep the row count, so they sit in a
:class:`~sklearn.pipeline.Pipeline`, and the memory is a hyperparameter that
:class:`~sklearn.model_selection.GridSearchCV` can tune with
:class:`~sklearn.model_selection.TimeSeriesSplit` — each fold trains on the past and
tests on the block that follows it.

The task is NARMA10 system identification: predict the output of the nonlinear system

.. math::

    y(t+1) = 0.3\\,y(t) + 0.05\\,y(t) \\sum_{i=0}^{9} y(t-i) + 1.5\\,u(t-9)\\,u(t) + 0.1

from its random input :math:`u` alone.  A model must remember ten steps of input and
combine them nonlinearly.
"""

# %%
# Data and cross-validation
# -------------------------
# ``X`` is the input series ``u`` (shape ``(2000, 1)``, rows are time steps) and ``y`` the
# system's output.  Scores are normalised RMSE (RMSE / std of the target, so predicting
# the mean scores 1); ``neg_nrmse_scorer`` is its scikit-learn scorer (higher is better).
import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import Ridge
from sklearn.model_selection import (
    GridSearchCV,
    TimeSeriesSplit,
    cross_val_score,
)
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures

from sktemporal import DelayEmbedding, GammaMemory
from sktemporal.datasets import narma
from sktemporal.metrics import neg_nrmse_scorer

X, y = narma(2000, random_state=0)
cv = TimeSeriesSplit(n_splits=5)

regressors = {
    "Ridge": Ridge(alpha=1e-3),
    "quadratic + Ridge": make_pipeline(
        PolynomialFeatures(2), Ridge(alpha=1e-3)
    ),
    "k nearest neighbours": KNeighborsRegressor(n_neighbors=10),
    "random forest": RandomForestRegressor(
        n_estimators=50, min_samples_leaf=3, random_state=0
    ),
}

# %%
# The same regressors with and without a memory
# ---------------------------------------------
# ``DelayEmbedding(delays=10)`` gives each row the lags 0…10 of the input.  The first
# ten rows reach back before the start of the series; they are padded with the first
# value (``fill='edge'``) so that ``X`` and ``y`` keep the same length.
memories = {
    "no memory": None,
    "delay line, 11 taps": DelayEmbedding(delays=10),
}
scores = {}
for name, regressor in regressors.items():
    for memory_name, memory in memories.items():
        model = (
            regressor
            if memory is None
            else make_pipeline(memory, regressor)
        )
        nrmse = -cross_val_score(
            model, X, y, cv=cv, scoring=neg_nrmse_scorer
        )
        scores[name, memory_name] = nrmse
        print(
            f"{name:22s} {memory_name:20s} "
            f"NRMSE {nrmse.mean():.3f} ± {nrmse.std():.3f}"
        )

# %%
fig, ax = plt.subplots(figsize=(8, 4))
names = list(regressors)
x = np.arange(len(names))
for k, memory_name in enumerate(memories):
    means = [scores[n, memory_name].mean() for n in names]
    stds = [scores[n, memory_name].std() for n in names]
    ax.bar(
        x + (k - 0.5) * 0.38,
        means,
        0.38,
        yerr=stds,
        capsize=3,
        label=memory_name,
    )
ax.set_xticks(x, names)
ax.set_ylabel("NRMSE (5 TimeSeriesSplit folds)")
ax.set_title(
    "NARMA10: any regressor, with and without a tapped delay line"
)
ax.axhline(1.0, color="k", lw=0.6, ls=":")
ax.legend()
fig.tight_layout()

# %%
# Without a memory every model is close to predicting the mean (NRMSE near 1): the
# current input says little about the output.  With eleven taps it drops to about 0.4–0.6,
# and the models that can form the product :math:`u(t-9)\,u(t)` — the quadratic
# features, the random forest — do best.
#
# The gamma memory: depth for the same number of taps
# ---------------------------------------------------
# With five taps a delay line sees five steps back, too few for NARMA10.  The gamma
# memory's taps are leaky integrators; tap ``k`` is centred ``k / mu`` steps back, so
# ``mu`` trades resolution for depth (``mu=1`` *is* the delay line).  ``mu`` is tuned
# like any hyperparameter of a pipeline.
search = GridSearchCV(
    make_pipeline(
        GammaMemory(order=5),
        RandomForestRegressor(
            n_estimators=50, min_samples_leaf=3, random_state=0
        ),
    ),
    {"gammamemory__mu": [0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0]},
    cv=cv,
    scoring=neg_nrmse_scorer,
).fit(X, y)
mus = np.array(search.cv_results_["param_gammamemory__mu"], dtype=float)
mean = -search.cv_results_["mean_test_score"]
std = search.cv_results_["std_test_score"]
for mu, m, s in zip(mus, mean, std):
    print(
        f"GammaMemory(order=5, mu={mu:.1f}) + random forest: "
        f"NRMSE {m:.3f} ± {s:.3f}"
    )
print("best:", search.best_params_)

# %%
fig, ax = plt.subplots(figsize=(6, 3.8))
ax.errorbar(
    mus,
    mean,
    yerr=std,
    marker="o",
    capsize=3,
    label="gamma memory, 6 taps",
)
ax.axhline(
    scores["random forest", "delay line, 11 taps"].mean(),
    color="C1",
    ls="--",
    label="delay line, 11 taps",
)
ax.set_xlabel("mu  (1 = plain delay line; memory depth = order / mu)")
ax.set_ylabel("NRMSE")
ax.set_title("Random forest on NARMA10: gamma memory")
ax.legend()
fig.tight_layout()

# %%
# The curve has its minimum near ``mu = 0.5``, a memory depth of ``5 / 0.5 = 10`` steps —
# the order of the system.  It does not reach the 11-tap delay line: NARMA10 needs the
# exact value ``u(t-9)``, which the smoothed gamma taps only approximate.  The gamma
# memory shines when the relevant past is long and smooth rather than one precise lag.
#
# Where next: the same memories feed a trained MLP in
# :class:`~sktemporal.TDNNRegressor` (``memory='tapped'`` or ``'gamma'``), compared with
# recurrent models in :ref:`sphx_glr_auto_examples_plot_narma10_comparison.py`.
