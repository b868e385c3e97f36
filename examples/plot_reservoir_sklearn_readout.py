"""
===============================================
A reservoir with any scikit-learn readout
===============================================

:class:`~sktemporal.reservoir.Reservoir` is the untrained part of an echo state
network as a transformer: it turns a series into one row of reservoir states per time
step, or a collection of sequences into one row of pooled states per sequence.  Any
scikit-learn model can then read those states.  With a ridge readout this is the model
of :class:`~sktemporal.reservoir.ESNRegressor`; other readouts bring what the ESN's
own readout does not have — here a regularisation strength chosen by
:class:`~sklearn.linear_model.RidgeCV`, and class probabilities fitted by maximum likelihood in
:class:`~sklearn.linear_model.LogisticRegression`.
"""

# %%
# A series: NARMA10 with a ridge readout chosen by RidgeCV
# --------------------------------------------------------
# ``initial_state="continue"`` lets the transformer continue from the state reached
# at the end of the training series, as the ESN estimators do, so that each
# ``TimeSeriesSplit`` test block starts warm.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.model_selection import (
    StratifiedKFold,
    TimeSeriesSplit,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sktemporal.datasets import make_sequence_classification, narma
from sktemporal.metrics import neg_nrmse_scorer
from sktemporal.preprocessing import StepwiseTransformer
from sktemporal.reservoir import ESNClassifier, ESNRegressor, Reservoir

X, y = narma(2000, random_state=0)
res = {
    "n_reservoir": 200,
    "spectral_radius": 0.9,
    "input_scaling": 0.5,
    "random_state": 0,
}
cv = TimeSeriesSplit(n_splits=4)

readout = make_pipeline(
    Reservoir(**res, include_input=True, initial_state="continue"),
    RidgeCV(alphas=np.logspace(-8, 0, 9)),
)
esn = ESNRegressor(**res, washout=100)
series_scores = {
    "ESNRegressor": -cross_val_score(
        esn, X, y, cv=cv, scoring=neg_nrmse_scorer
    ),
    "Reservoir + RidgeCV": -cross_val_score(
        readout, X, y, cv=cv, scoring=neg_nrmse_scorer
    ),
}
for name, s in series_scores.items():
    print(f"{name:>20}: NRMSE {s.mean():.3f}")

# %%
# A collection: ragged sequences with a logistic readout
# ------------------------------------------------------
# ``pooling="mean"`` gives one row per sequence (the mean state); the states are
# standardised before the logistic regression.
Xc, yc = make_sequence_classification(240, n_classes=3, random_state=0)
scale = StepwiseTransformer(StandardScaler())
logistic = make_pipeline(
    scale,
    Reservoir(n_reservoir=200, pooling="mean", random_state=0),
    StandardScaler(),
    LogisticRegression(max_iter=1000),
)
esn_clf = make_pipeline(
    scale, ESNClassifier(200, pooling="mean", random_state=0)
)
folds = StratifiedKFold(3, shuffle=True, random_state=0)
coll_scores = {}
for name, model in [
    ("ESNClassifier", esn_clf),
    ("Reservoir + Logistic", logistic),
]:
    acc = cross_val_score(model, Xc, yc, cv=folds)
    coll_scores[name] = -cross_val_score(
        model, Xc, yc, cv=folds, scoring="neg_log_loss"
    )
    print(
        f"{name:>20}: accuracy {acc.mean():.3f}, "
        f"log loss {coll_scores[name].mean():.3f}"
    )

# %%
# Both classify these sequences without error, but only the logistic readout gives
# probabilities worth using: ``LogisticRegression`` fits them by maximum likelihood,
# while ``ESNClassifier.predict_proba`` is a softmax of least-squares scores, which
# orders the classes correctly but stays far from 0 and 1 (a high log loss).
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.6))
for ax, scores, label in [
    (ax1, series_scores, "NARMA10: NRMSE per fold\n(lower is better)"),
    (
        ax2,
        coll_scores,
        "3 classes: log loss per fold\n(lower is better)",
    ),
]:
    names = list(scores)
    ax.boxplot([scores[n] for n in names])
    ax.set_xticks([1, 2], [n.replace(" + ", "\n+ ") for n in names])
    ax.set_ylabel(label)
fig.tight_layout()
