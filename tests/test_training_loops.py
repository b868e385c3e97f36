"""The training loops on their own: a network, data, a frozen config and a history, no estimator."""

from functools import partial

import numpy as np
import pytest

from sktemporal.exceptions import DivergenceError
from sktemporal.neural_network._cells import CELLS
from sktemporal.neural_network._epochs import LR_REDUCTION, MAX_ROLLBACKS
from sktemporal.neural_network._layers import DenseStack, Network
from sktemporal.neural_network._online import fit_online
from sktemporal.neural_network._training import (
    DIVERGENCE_FACTOR,
    History,
    SolverConfig,
    TrainingData,
    TrainingProblem,
    fit_lbfgs,
    fit_stochastic,
    training_loss,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _problem(n=24, T=12, seed=0):
    """Sequences whose per-step target is a running mean of the input: learnable by an Elman layer."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n, T, 1))
    Y = np.cumsum(X, axis=1) / np.arange(1, T + 1)[None, :, None]
    net = Network(1, [(partial(CELLS["elman"], activation="tanh"), 6)], DenseStack([], 1), per_step=True)
    theta = net.layout.zeros(np.float64)
    net.initialize(theta, np.random.RandomState(seed))
    return net, theta, TrainingData(X, np.full(n, T), Y, per_step=True)


def test_fit_stochastic_records_the_history_and_learns():
    net, theta, data = _problem()
    start = theta.copy()
    config = SolverConfig(max_iter=40, batch_size=8, learning_rate_init=0.02)
    history = fit_stochastic(config, TrainingProblem(net, data, "squared_error"), theta, History(),
                             np.random.RandomState(0))
    assert history.n_iter == len(history.loss_curve) == 40
    assert history.t == 40 * data.n_rows
    assert history.loss_curve[-1] < 0.2 * history.loss_curve[0]
    assert history.reference_loss > history.loss_curve[-1]
    assert history.optimizer is not None and not np.array_equal(theta, start)


def test_fit_stochastic_continues_its_optimizer_when_incremental():
    net, theta, data = _problem()
    config = SolverConfig(batch_size=8, shuffle=False)
    problem = TrainingProblem(net, data, "squared_error")
    history = fit_stochastic(config, problem, theta, History(), None, incremental=True)
    assert history.n_iter == 1 and history.optimizer.t == 3  # three minibatches, one update each
    fit_stochastic(config, problem, theta, history, None, incremental=True)
    assert history.n_iter == 2 and history.optimizer.t == 6


def test_no_improvement_stops_like_sklearns_mlp():
    net, theta, data = _problem()
    config = SolverConfig(max_iter=500, batch_size=24, tol=10.0, n_iter_no_change=3)
    history = fit_stochastic(config, TrainingProblem(net, data, "squared_error"), theta, History(), None)
    assert history.n_iter == 5  # the first epoch sets best_loss; then 4 epochs > 3 without a gain of 10


def test_early_stopping_ends_at_the_best_validation_score():
    net, theta, data = _problem()
    scores = iter([-1.0, 0.1, 0.5, 0.3, 0.2, 0.2, 0.1, 0.0])  # epoch 0 (the initial weights), then 1-7
    seen = []

    def validation(current):
        seen.append(current.copy())
        return next(scores)

    history = History(validation_scores=[], best_validation_score=-np.inf)
    config = SolverConfig(max_iter=7, batch_size=24, n_iter_no_change=10)
    fit_stochastic(config, TrainingProblem(net, data, "squared_error"), theta, history, None, validation)
    assert history.validation_scores == [0.1, 0.5, 0.3, 0.2, 0.2, 0.1, 0.0]
    assert history.best_validation_score == 0.5
    np.testing.assert_array_equal(theta, seen[2])
    assert history.best_iter == 2


def test_a_loss_spike_is_rolled_back_with_a_lower_rate():
    """SGD at rate 50 blows up in its first epoch; the loop rolls back and halves the rate until it learns."""
    net, theta, data = _problem()
    config = SolverConfig(solver="sgd", max_iter=20, batch_size=8, learning_rate_init=50.0, momentum=0.9)
    history = fit_stochastic(config, TrainingProblem(net, data, "squared_error"), theta, History(), None)
    assert 1 <= history.n_rollbacks <= MAX_ROLLBACKS
    assert history.optimizer.learning_rate == 50.0 * LR_REDUCTION ** history.n_rollbacks
    assert np.isfinite(theta).all() and history.loss <= history.initial_loss
    assert history.loss == min([x for x in history.end_losses if np.isfinite(x)] + [history.initial_loss])


def test_a_divergence_no_rollback_can_cure_raises():
    net, theta, data = _problem()
    config = SolverConfig(solver="sgd", max_iter=50, batch_size=8, learning_rate_init=1e9, momentum=0.9)
    with pytest.raises(DivergenceError, match="learning_rate_init"):
        fit_stochastic(config, TrainingProblem(net, data, "squared_error"), theta, History(), None)


def test_partial_fit_keeps_the_rule_relative_to_the_initial_loss():
    """One epoch of partial_fit has nothing to roll back to: the old rule raises."""
    net, theta, data = _problem()
    history = History(reference_loss=1e-6)  # a loss far below any epoch's: the rule fires
    with pytest.raises(DivergenceError, match=f"more than {DIVERGENCE_FACTOR:g} times"):
        fit_stochastic(SolverConfig(max_iter=1, batch_size=24), TrainingProblem(net, data, "squared_error"), theta,
                       history, None, incremental=True)


def test_training_ends_on_the_best_epoch_by_the_end_of_epoch_loss():
    """A rate too large to settle: the losses of the end-of-epoch weights go up and down; the best is kept."""
    net, theta, data = _problem()
    config = SolverConfig(max_iter=30, batch_size=4, learning_rate_init=0.05, n_iter_no_change=100)
    history = fit_stochastic(config, TrainingProblem(net, data, "squared_error"), theta, History(),
                             np.random.RandomState(0))
    assert len(history.end_losses) == len(history.loss_curve) == history.n_iter
    best = int(np.argmin(history.end_losses)) + 1
    assert history.best_iter == best and history.loss == history.end_losses[best - 1]
    assert training_loss(net, theta, data, "squared_error", 0.0, net.layout.weight_mask()) == pytest.approx(
        history.loss)


def test_fit_lbfgs_fills_the_history():
    net, theta, data = _problem()
    history = fit_lbfgs(SolverConfig(solver="lbfgs", max_iter=50, batch_size=24),
                        TrainingProblem(net, data, "squared_error"), theta, History())
    assert 0 < history.n_iter <= 50 and history.loss_curve == [history.loss]
    assert history.loss < 0.01


@pytest.mark.parametrize("solver", ["rtrl", "ekf", "dekf"])
def test_fit_online_keeps_its_state_in_the_history(solver):
    net, theta, data = _problem(n=4)
    config = SolverConfig(solver=solver, max_iter=2, learning_rate_init=0.01)
    history = fit_online(config, TrainingProblem(net, data, "squared_error"), theta, History(), incremental=False)
    assert history.n_iter == 2 and history.online_state is not None
    assert np.isfinite(theta).all()


def test_the_config_takes_an_estimators_parameters():
    config = SolverConfig.from_params({"solver": "sgd", "alpha": 0.5, "hidden_layer_sizes": (3,)},
                                      batch_size=7)
    assert (config.solver, config.alpha, config.batch_size) == ("sgd", 0.5, 7)
    with pytest.raises(AttributeError):
        config.alpha = 1.0  # frozen: a loop cannot change the estimator's settings


def test_adam_adaptive_schedule_divides_the_rate_at_a_plateau():
    from sktemporal.neural_network import GRURegressor

    X = np.random.RandomState(0).normal(size=(16, 5, 1))
    y = X[:, -1, 0]
    common = dict(hidden_layer_sizes=(3,), tol=1e9, n_iter_no_change=1, max_iter=40, random_state=0)
    constant = GRURegressor(**common).fit(X, y)
    adaptive = GRURegressor(learning_rate="adaptive", **common).fit(X, y)
    assert constant.n_iter_ <= 3  # every epoch is "no improvement" with this tol
    assert adaptive.n_iter_ > constant.n_iter_
    rate = adaptive._history.optimizer.learning_rate
    assert rate < adaptive.learning_rate_init / 5 ** 3


def test_auto_batch_size_gives_a_small_collection_about_eight_updates_per_epoch():
    from sktemporal.neural_network import GRUClassifier, RNNRegressor
    from sktemporal.neural_network._arrange import auto_batch_size

    assert [auto_batch_size(n) for n in (3, 20, 36, 71, 72, 100, 255, 256, 5000)] == [3, 8, 8, 8, 9, 12, 31, 32, 32]
    rng = np.random.RandomState(0)
    X = rng.normal(size=(36, 10, 1))
    y = (X[:, :3, 0].sum(axis=1) > 0).astype(int)
    common = dict(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    auto, eight, old = (GRUClassifier(batch_size=b, **common).fit(X, y) for b in ("auto", 8, 32))
    # the rule is what the fit uses: five minibatches (8, 8, 8, 8, 4) per epoch, not two
    np.testing.assert_array_equal(auto.params_, eight.params_)
    assert not np.array_equal(auto.params_, old.params_)
    assert auto.t_ == eight.t_ == 3 * 36
    # the 15 streams of one 4000-step series stay one minibatch, as before (a collection: 8)
    streams = TrainingData(np.zeros((15, 1, 1)), np.ones(15, int), None, per_step=True)
    assert RNNRegressor()._batch_size(streams, series=True) == 15
    assert RNNRegressor()._batch_size(streams) == 8
