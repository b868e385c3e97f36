"""Intervals of the echo state regressors: ``predict(X, return_std=True)``, ``predict_interval``, ``generate``."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.model_selection import KFold, TimeSeriesSplit

from sktemporal import ESNClassifierCV, ESNRegressor, ESNRegressorCV
from sktemporal.datasets import mackey_glass, narma
from sktemporal.exceptions import CalibrationWarning
from sktemporal.reservoir._cv_intervals import calibration_folds
from sktemporal.reservoir._esn_intervals import MAX_DF_PER_ROW, effective_df
from sktemporal.reservoir._readout import RidgeReadout

FIXED = dict(spectral_radius=0.97, leak_rate=1.0, input_scaling=0.7, n_segments=1)  # no reservoir search: fast


def test_readout_predictive_equals_the_dense_bayesian_formulas():
    """Noise variance and predictive variance from the streamed sums equal the textbook dense ones.

    Dense reference: residuals of the fitted ridge (unpenalised bias), degrees of freedom
    ``1 + tr(Zc^T Zc A^-1)``, and the posterior predictive variance with the bias as a
    flat-prior column, ``s2 (1 + [1, z] (Z1^T Z1 + diag(0, alpha I))^-1 [1, z]^T)``.
    """
    rng = np.random.RandomState(0)
    n, m, e, k, alpha = 200, 6, 2, 2, 0.7
    Z = rng.normal(size=(n, m + e)) + 0.3
    Y = Z @ rng.normal(size=(m + e, k)) + 1.5 + 0.2 * rng.normal(size=(n, k))
    readout = RidgeReadout(m + e, k, alpha, n_extra=e)
    readout.partial_fit([Z[:120, :m], Z[:120, m:]], Y[:120])
    readout.merge(RidgeReadout(m + e, k, alpha, n_extra=e).partial_fit([Z[120:, :m], Z[120:, m:]], Y[120:]))
    L_inv, mz, noise_var = readout.predictive()

    Zc = Z - Z.mean(0)
    A = Zc.T @ Zc + alpha * np.eye(m + e)
    W = np.linalg.solve(A, Zc.T @ (Y - Y.mean(0)))
    residuals = Y - (Y.mean(0) + Zc @ W)
    dof = n - 1 - np.trace(np.linalg.solve(A, Zc.T @ Zc))
    np.testing.assert_allclose(noise_var, (residuals**2).sum(0) / dof, rtol=1e-10)
    np.testing.assert_allclose(mz, Z.mean(0), rtol=1e-12)

    Z1 = np.hstack([np.ones((n, 1)), Z])
    P = Z1.T @ Z1 + np.diag(np.r_[0.0, np.full(m + e, alpha)])
    z_new = rng.normal(size=(5, m + e))
    z1 = np.hstack([np.ones((5, 1)), z_new])
    dense = 1 + np.einsum("ij,ij->i", z1, np.linalg.solve(P, z1.T).T)
    U = (z_new - mz) @ L_inv.T
    np.testing.assert_allclose(1 + 1 / n + (U**2).sum(1), dense, rtol=1e-10)


@pytest.mark.parametrize("kind", ["series", "ragged", "pooled"])
def test_return_std_keeps_predictions_and_layout(kind):
    rng = np.random.RandomState(1)
    if kind == "series":
        X = rng.normal(size=(300, 2))
        y = np.c_[np.convolve(X[:, 0], np.ones(3), "same"), X[:, 1] ** 2]
    elif kind == "ragged":
        X = [rng.normal(size=(t, 1)) for t in (60, 45, 70)]
        y = [np.cumsum(x[:, 0]) / 10 for x in X]
    else:
        X = rng.normal(size=(40, 30, 1))
        y = X[:, :, 0].mean(1)
    esn = ESNRegressor(n_reservoir=30, washout=5, random_state=0).fit(X, y)
    pred, std = esn.predict(X, return_std=True)
    if kind == "ragged":
        for p, q, s in zip(pred, esn.predict(X), std):
            np.testing.assert_array_equal(p, q)
            assert s.shape == p.shape and (s > 0).all()
    else:
        np.testing.assert_array_equal(pred, esn.predict(X))
        assert std.shape == pred.shape and (std > 0).all()


@pytest.mark.parametrize("task", ["mackey_glass", "narma10"])
def test_nominal_90_percent_intervals_cover_about_90_percent(task):
    """One-step prediction with observation noise: ``pred ± 1.645 std`` covers 87–93 % of 2000 test steps."""
    rng = np.random.RandomState(0)
    if task == "mackey_glass":
        X, _ = mackey_glass(3501, random_state=0)
        X = X + rng.normal(0, 0.05, X.shape)  # the observed series
        X, y = X[:-1], X[1:, 0]
    else:
        X, y = narma(3500, order=10, random_state=0)
        y = y + rng.normal(0, 0.05, y.shape)
    esn = ESNRegressor(n_reservoir=200, random_state=0).fit(X[:1500], y[:1500])
    with warnings.catch_warnings():
        warnings.simplefilter("error", CalibrationWarning)
        pred, std = esn.predict(X[1500:], return_std=True)
    coverage = np.mean(np.abs(y[1500:] - pred) <= 1.645 * std)
    assert 0.87 <= coverage <= 0.93


def test_return_std_needs_the_ridge_sums():
    X, y = mackey_glass(300, random_state=0)
    with pytest.raises(ValueError, match="solver='rls' keeps no ridge sums"):
        ESNRegressor(n_reservoir=20, solver="rls", random_state=0).fit(X, y).predict(X, return_std=True)
    esn = ESNRegressor(n_reservoir=20, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="keep_training_state=True"):
        pickle.loads(pickle.dumps(esn)).predict(X, return_std=True)
    kept = pickle.loads(pickle.dumps(esn.set_params(keep_training_state=True)))
    np.testing.assert_array_equal(kept.predict(X, return_std=True)[1], esn.predict(X, return_std=True)[1])


def test_cv_estimator_gives_the_std_of_its_chosen_alpha():
    """ESNRegressorCV's sums are the plain fit's sums (one pass), so its std is that of ESNRegressor(alpha=alpha_).

    (Noisy targets: on a noiseless series the residual sum of squares is a difference of
    sums ~1e7 times larger, so its rounding shows at the 1e-5 level.)
    """
    X, y = mackey_glass(800, random_state=0)
    y = y + np.random.RandomState(0).normal(0, 0.01, y.shape)
    cv = ESNRegressorCV(n_reservoir=40, random_state=0).fit(X, y)
    plain = ESNRegressor(n_reservoir=40, alpha=cv.alpha_, random_state=0, spectral_radius=cv.spectral_radius_,
                         leak_rate=cv.leak_rate_, input_scaling=cv.input_scaling_).fit(X, y)
    # rescaled by the out-of-fold calibration, one factor per output
    np.testing.assert_allclose(cv.predict(X, return_std=True)[1],
                               cv.std_scale_[0] * plain.predict(X, return_std=True)[1], rtol=1e-6)
    with pytest.raises(ValueError, match=r"deep-copied without them\): refit\.$"):
        pickle.loads(pickle.dumps(cv)).predict(X, return_std=True)  # the CV classes never save their sums


def test_sums_saved_without_the_squared_targets_still_continue():
    """Readout sums pickled before ``sum_yy`` existed: partial_fit continues, return_std says to refit."""
    X, y = mackey_glass(400, random_state=0)
    esn = ESNRegressor(n_reservoir=20, keep_training_state=True, random_state=0).fit(X[:200], y[:200])
    del esn._readout.__dict__["sum_yy"]  # as an older file holds it
    old = pickle.loads(pickle.dumps(esn))
    old.partial_fit(X[200:], y[200:])
    assert old._readout.sum_yy is None and old._readout.copy().sum_yy is None
    with pytest.raises(ValueError, match="did not keep the sum of squared targets, .*; refit the model"):
        old.predict(X, return_std=True)


def test_return_std_refuses_a_dask_array():
    da = pytest.importorskip("dask.array")
    X, y = mackey_glass(300, random_state=0)
    esn = ESNRegressor(n_reservoir=20, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"return_std=True\) needs X in memory .* got a dask array"):
        esn.predict(da.from_array(X, chunks=100), return_std=True)


# ---------------------------------------------------------------------------------------
# generate(return_std=True): the closed-loop error profile of calibrate_generate
# ---------------------------------------------------------------------------------------
def _noisy_mackey_glass(n, seed=0, noise=0.05):
    """An observed (noisy) Mackey–Glass series as one-step-ahead pairs ``X[t] -> X[t + 1]``."""
    S, _ = mackey_glass(n + 1, random_state=seed)
    S = S + np.random.RandomState(seed).normal(0, noise, S.shape)
    return S[:-1], S[1:]


@pytest.mark.parametrize("model", ["next_step", "feedback"])
def test_calibration_is_the_rms_error_of_generate_runs(model):
    """``generate_rmse_[k - 1]``: RMS over origins t of ``generate(n, warmup=X[:t + 1])[k - 1] - y[t + k - 1]``."""
    if model == "next_step":
        X, y = _noisy_mackey_glass(700)
        esn = ESNRegressor(n_reservoir=40, random_state=0).fit(X[:500], y[:500])  # continues into X[500:]
        X, y, first = X[500:], y[500:], 0
    else:  # a pattern generator on a constant input, started from zeros: the washout is skipped
        t = np.arange(600)
        X, y = np.ones((600, 1)), np.c_[np.sin(t / 8), np.cos(t / 5)]
        esn = ESNRegressor(n_reservoir=40, feedback=True, washout=20, initial_state="zeros",
                           random_state=0).fit(X[:400], y[:400])
        X, y, first = X[400:], y[400:], 20
    n = 6
    esn.calibrate_generate(X, y, n_steps=n, n_origins=None)
    errors = [esn.generate(n, warmup=X[:t + 1]) - y[t:t + n] for t in range(first, len(X) - n + 1)]
    rmse = np.sqrt(np.mean(np.square(errors), axis=0)).reshape(n, -1)
    assert esn.generate_n_origins_ == len(errors)
    np.testing.assert_allclose(esn.generate_rmse_, rmse, rtol=1e-9)


@pytest.mark.parametrize("cls", [ESNRegressor, ESNRegressorCV])
def test_generate_std_starts_at_the_readout_std_and_widens(cls):
    X, y = _noisy_mackey_glass(1500)
    # the reservoir of the plain defaults for both (the CV class would otherwise search one)
    fixed = dict(spectral_radius=0.97, leak_rate=1.0, input_scaling=0.7)
    esn = cls(n_reservoir=100, random_state=0, **fixed).fit(X[:1000], y[:1000]).calibrate_generate(
        X[1000:], y[1000:], 40)
    warmup = X[:1000]
    y_gen, y_std = esn.generate(40, warmup=warmup, return_std=True)
    np.testing.assert_array_equal(y_gen, esn.generate(40, warmup=warmup))
    assert y_std.shape == y_gen.shape == (40, 1)
    # horizon 1: the readout's one-step std at the last warm-up step, as predict gives it
    np.testing.assert_allclose(y_std[0], esn.predict(warmup, return_std=True)[1][-1], rtol=1e-6)
    # then the variance the closed loop added on the held-out series (running maximum)
    e = np.maximum.accumulate(esn.generate_rmse_[:, 0])
    np.testing.assert_allclose(y_std[:, 0] ** 2, y_std[0, 0] ** 2 + e**2 - e[0] ** 2, rtol=1e-5)
    assert (np.diff(y_std[:, 0]) >= 0).all() and y_std[-1, 0] > 1.5 * y_std[0, 0]
    # without warmup: the continuation of the fitted series, same rule from its own start
    g, s = esn.generate(5, return_std=True)
    np.testing.assert_array_equal(g, esn.generate(5))
    np.testing.assert_allclose(s[:, 0] ** 2 - s[0, 0] ** 2, y_std[:5, 0] ** 2 - y_std[0, 0] ** 2, rtol=1e-5)


def test_generate_intervals_cover_about_90_percent_per_horizon():
    """Noisy Mackey–Glass (σ = 0.05): nominal 90 % intervals of generated trajectories, 1..30 steps ahead.

    Calibrated on one held-out block, scored from 150 origins of another (each warmed up
    from zeros on the 200 steps before it).
    """
    X, y = _noisy_mackey_glass(5000)
    esn = ESNRegressor(n_reservoir=200, washout=100, initial_state="zeros", random_state=0)
    esn.fit(X[:2500], y[:2500]).calibrate_generate(X[2500:3500], y[2500:3500], n_steps=30)
    inside = []
    for t in range(3700, 5000 - 30 + 1, 8):
        y_gen, y_std = esn.generate(30, warmup=X[t - 200:t], return_std=True)
        inside.append(np.abs(y_gen - y[t - 1:t + 29]) <= 1.645 * y_std)
    inside = np.array(inside)[..., 0]
    assert 0.85 <= inside[:, :10].mean() <= 0.95
    assert 0.85 <= inside[:, 10:].mean() <= 0.95


def test_generate_std_errors_name_the_fix():
    X, y = _noisy_mackey_glass(700)
    esn = ESNRegressor(n_reservoir=30, washout=10, random_state=0).fit(X[:500], y[:500])
    with pytest.raises(ValueError, match=r"call calibrate_generate\(X_holdout, y_holdout, n_steps\)"):
        esn.generate(5, return_std=True)
    esn.calibrate_generate(X[500:], y[500:], n_steps=10)
    with pytest.raises(ValueError, match="calibrated up to 10 steps ahead only; .* n_steps >= 11"):
        esn.generate(11, return_std=True)
    with pytest.raises(ValueError, match="X has 12 time steps; calibrating 10 steps ahead needs at least 20 "
                                         r"\(the first washout=10 are skipped\)"):
        esn.set_params(initial_state="zeros").calibrate_generate(X[500:512], y[500:512], n_steps=10)
    with pytest.raises(ValueError, match="one held-out 2-D series"):
        esn.calibrate_generate([X[500:600], X[600:]], [y[500:600], y[600:]], n_steps=5)
    with pytest.raises(ValueError, match="n_origins"):
        esn.calibrate_generate(X[500:], y[500:], n_steps=5, n_origins=0)
    assert esn.generate_rmse_.shape == (10, 1)  # the failed calls changed nothing
    # a new readout makes the profile stale: fit and partial_fit drop it
    for refit in (lambda e: e.fit(X[:500], y[:500]), lambda e: e.partial_fit(X[500:600], y[500:600])):
        esn.set_params(initial_state="continue").calibrate_generate(X[500:], y[500:], n_steps=5)
        refit(esn)
        assert not hasattr(esn, "generate_rmse_") and not hasattr(esn, "generate_n_origins_")
    rls = ESNRegressor(n_reservoir=30, solver="rls", random_state=0).fit(X[:500], y[:500])
    rls.calibrate_generate(X[500:], y[500:], n_steps=5)
    with pytest.raises(ValueError, match=r"generate\(return_std=True\) needs the ridge readout's sums, "
                                         "but solver='rls' keeps no ridge sums"):
        rls.generate(5, return_std=True)


def test_generate_std_after_pickling():
    """The profile is saved with the model; the one-step term needs the sums, as ``predict(return_std=True)``."""
    X, y = _noisy_mackey_glass(700)
    esn = ESNRegressor(n_reservoir=30, random_state=0).fit(X[:500], y[:500]).calibrate_generate(X[500:], y[500:], 8)
    expected = esn.generate(8, return_std=True)
    loaded = pickle.loads(pickle.dumps(esn))
    np.testing.assert_array_equal(loaded.generate_rmse_, esn.generate_rmse_)
    np.testing.assert_array_equal(loaded.generate(8), expected[0])
    with pytest.raises(ValueError, match="keep_training_state=True"):
        loaded.generate(8, return_std=True)
    kept = pickle.loads(pickle.dumps(esn.set_params(keep_training_state=True)))
    for got, want in zip(kept.generate(8, return_std=True), expected):
        np.testing.assert_array_equal(got, want)


# ---------------------------------------------------------------------------------------
# the plain regressor's warning: many effective parameters per training row
# ---------------------------------------------------------------------------------------
def _observed(task, n, seed=0):
    """A series observed with noise of 0.05 x its std (inputs and targets alike), one step ahead."""
    rng = np.random.RandomState(seed)
    if task == "mackey_glass":
        S, _ = mackey_glass(n + 1, random_state=seed)
        S = S + rng.normal(0, 0.05 * S.std(), S.shape)
        return S[:-1], S[1:, 0]
    u, y = narma(n, random_state=seed)
    return u + rng.normal(0, 0.05 * u.std(), u.shape), y + rng.normal(0, 0.05 * y.std(), y.shape)


def test_effective_df_is_the_trace_of_the_hat_matrix():
    """``D - alpha ||L^-1||_F^2`` equals ``sum d_i / (d_i + alpha)`` over the centred Gram matrix's eigenvalues."""
    rng = np.random.RandomState(0)
    Z = rng.normal(size=(50, 8)) @ np.diag(np.logspace(-3, 1, 8))
    readout = RidgeReadout(8, 1, 1e-2).partial_fit(Z, rng.normal(size=(50, 1)))
    L_inv, _, _ = readout.predictive()
    d = np.linalg.eigvalsh((Z - Z.mean(0)).T @ (Z - Z.mean(0)))
    np.testing.assert_allclose(effective_df(L_inv, 1e-2), np.sum(d / (d + 1e-2)), rtol=1e-9)


def test_plain_std_warns_when_the_readout_has_many_parameters_per_row():
    """300 units on 350 noisy NARMA10 steps at alpha 1e-8 (df/n ~ 0.85): it warns, and nominal 90 % covers < 87 %.

    With 3000 rows (df/n ~ 0.1) the same reservoir does not warn.
    """
    X, y = _observed("narma10", 4000)
    esn = ESNRegressor(n_reservoir=300, alpha=1e-8, random_state=0).fit(X[:350], y[:350])
    L_inv, _, _ = esn._readout.predictive()
    assert effective_df(L_inv, 1e-8) > MAX_DF_PER_ROW * 350
    match = r"effective parameters for 350 training rows \(df/n = 0\.\d\d > 0\.5\)"
    with pytest.warns(CalibrationWarning, match=match):
        pred, std = esn.predict(X[3000:], return_std=True)
    assert np.mean(np.abs(y[3000:] - pred) <= 1.645 * std) < 0.87
    with warnings.catch_warnings():
        warnings.simplefilter("error", CalibrationWarning)
        esn.predict(X[3000:])  # no std, no warning
        ESNRegressor(n_reservoir=300, alpha=1e-8, random_state=0).fit(X[:3000], y[:3000]).predict(
            X[3000:], return_std=True)
        # generate keeps its own (horizon) calibration and does not warn
        esn.calibrate_generate(X[350:1000], y[350:1000], n_steps=3).generate(3, return_std=True)


# ---------------------------------------------------------------------------------------
# ESNRegressorCV: conformal intervals and the scale of return_std from out-of-fold residuals
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def noisy_mg():
    X, y = _observed("mackey_glass", 2400)
    return X[:1200], y[:1200], X[1200:], y[1200:]


@pytest.fixture(scope="module")
def calibrated(noisy_mg):
    X, y, _, _ = noisy_mg
    return ESNRegressorCV(n_reservoir=60, alphas=[1e-6, 1e-3], random_state=0, **FIXED).fit(X, y)


def test_conformity_scores_are_the_residuals_of_refitted_folds(noisy_mg, calibrated):
    """Last two folds of TimeSeriesSplit(5): ESNRegressor(alpha=alpha_) refitted per prefix predicts the next block."""
    X, y, _, _ = noisy_mg
    splits = list(TimeSeriesSplit(5).split(X))
    np.testing.assert_array_equal(calibration_folds([tr.size for tr, _ in splits]), [3, 4])
    residuals = []
    for train, test in splits[3:]:
        fold = ESNRegressor(n_reservoir=60, alpha=calibrated.alpha_, random_state=0, **FIXED).fit(X[train], y[train])
        residuals.append(y[test] - fold.predict(X[test]))  # continues from the end of the prefix
    expected = np.sort(np.abs(np.concatenate(residuals)))[:, None]
    assert calibrated.conformity_scores_.shape == (2 * 200, 1)
    np.testing.assert_allclose(calibrated.conformity_scores_, expected, rtol=1e-6, atol=1e-9)


def test_std_scale_matches_the_out_of_fold_mean_square(noisy_mg, calibrated):
    """Over the training rows, the mean of the rescaled variance equals the out-of-fold mean squared residual."""
    X, y, _, _ = noisy_mg
    plain = ESNRegressor(n_reservoir=60, alpha=calibrated.alpha_, initial_state="zeros", random_state=0,
                         **FIXED).fit(X, y)
    _, s = plain.predict(X, return_std=True)  # the training rows themselves (from zeros, no washout)
    mse = np.mean(calibrated.conformity_scores_**2)
    np.testing.assert_allclose(np.mean((calibrated.std_scale_[0] * s) ** 2), mse, rtol=1e-6)


def test_predict_interval_is_the_conformal_quantile_around_predict(noisy_mg, calibrated):
    _, _, X_test, _ = noisy_mg
    pred = calibrated.predict(X_test)
    m = calibrated.conformity_scores_.shape[0]
    for coverage in (0.5, 0.9, 0.95):
        lower, upper = calibrated.predict_interval(X_test, coverage=coverage)
        assert lower.shape == upper.shape == pred.shape and lower.dtype == pred.dtype
        q = calibrated.conformity_scores_[int(np.ceil((m + 1) * coverage)) - 1, 0]
        np.testing.assert_allclose(upper - pred, q, rtol=1e-12)
        np.testing.assert_allclose(pred - lower, q, rtol=1e-12)


@pytest.mark.parametrize("kind", ["multi_output", "ragged", "pooled", "float32"])
def test_predict_interval_keeps_the_layout_of_predict(kind):
    rng = np.random.RandomState(1)
    if kind in ("multi_output", "float32"):
        X = rng.normal(size=(600, 2))
        y = np.c_[np.convolve(X[:, 0], np.ones(3), "same"), X[:, 1] ** 2] + 0.1 * rng.normal(size=(600, 2))
        if kind == "float32":
            X, y = X.astype(np.float32), y[:, 0].astype(np.float32)
    elif kind == "ragged":
        X = [rng.normal(size=(t, 1)) for t in rng.randint(40, 70, size=12)]
        y = [np.cumsum(x[:, 0]) / 10 + 0.05 * rng.normal(size=len(x)) for x in X]
    else:
        X = rng.normal(size=(60, 30, 1))
        y = X[:, :, 0].mean(1) + 0.05 * rng.normal(size=60)
    esn = ESNRegressorCV(n_reservoir=30, alphas=[1e-3], washout=5, random_state=0, **FIXED).fit(X, y)
    pred = esn.predict(X)
    lower, upper = esn.predict_interval(X)
    if kind == "ragged":
        # KFold over 12 sequences: every fold calibrates (trained on 9 or 10 sequences)
        assert esn.conformity_scores_.shape == (sum(len(x) for x in X), 1)
        for lo, p, up in zip(lower, pred, upper):
            assert lo.shape == p.shape == up.shape and (lo < p).all() and (p < up).all()
    else:
        assert lower.shape == upper.shape == pred.shape and lower.dtype == upper.dtype == pred.dtype
        assert (lower < pred).all() and (pred < upper).all()
        assert esn.std_scale_.shape == (esn.n_outputs_,)
        assert esn.conformity_scores_.shape[1] == esn.n_outputs_
        if kind == "multi_output":  # one width per output
            width = upper - pred
            np.testing.assert_allclose(width, np.broadcast_to(width[0], width.shape))
            assert width[0, 0] != width[0, 1]


def test_fallback_cross_validation_keeps_the_residuals_of_every_equal_fold(noisy_mg):
    """KFold on a series (no single pass): each fold an ESNRegressor fitted on its rows, all three calibrate."""
    X, y, _, _ = noisy_mg
    X, y = X[:600], y[:600]
    cv = ESNRegressorCV(n_reservoir=30, alphas=[1e-3, 1e-6], cv=KFold(3), random_state=0, **FIXED).fit(X, y)
    assert not cv.single_pass_
    residuals = []
    for train, test in KFold(3).split(X):
        fold = ESNRegressor(n_reservoir=30, alpha=cv.alpha_, random_state=0, **FIXED).fit(X[train], y[train])
        residuals.append(y[test] - fold.predict(X[test]))
    np.testing.assert_allclose(cv.conformity_scores_[:, 0], np.sort(np.abs(np.concatenate(residuals))),
                               rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("task", ["mackey_glass", "narma10"])
def test_cv_intervals_cover_about_90_percent(task):
    """One cell of the study at a fast size: 100 units, alpha 1e-4, the reservoir searched, 3000 / 2000 steps.

    Both the conformal interval and ``pred ± 1.645 std`` cover 87–93 % of the held-out targets.
    """
    X, y = _observed(task, 5000)
    esn = ESNRegressorCV(n_reservoir=100, alphas=[1e-4], random_state=0).fit(X[:3000], y[:3000])
    lower, upper = esn.predict_interval(X[3000:], coverage=0.9)
    assert 0.87 <= np.mean((lower <= y[3000:]) & (y[3000:] <= upper)) <= 0.93
    pred, std = esn.predict(X[3000:], return_std=True)
    assert 0.87 <= np.mean(np.abs(y[3000:] - pred) <= 1.645 * std) <= 0.93


@pytest.mark.parametrize("coverage, error", [
    (0.0, ValueError), (1.0, ValueError), (1.5, ValueError), (-0.1, ValueError), (np.nan, ValueError),
    ("0.9", TypeError), (True, TypeError), (None, TypeError),
])
def test_predict_interval_rejects_a_coverage_outside_the_unit_interval(calibrated, noisy_mg, coverage, error):
    with pytest.raises(error, match=r"coverage must be .*in \(0, 1\).*; got coverage="):
        calibrated.predict_interval(noisy_mg[2], coverage=coverage)


def test_predict_interval_errors_and_warnings(calibrated, noisy_mg):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        ESNRegressorCV(alphas=[1e-3]).predict_interval(noisy_mg[2])
    with pytest.warns(CalibrationWarning, match=r"coverage=0.999 needs at least 999 out-of-fold residuals, "
                                                "but the fit kept 400: the interval is unbounded"):
        lower, upper = calibrated.predict_interval(noisy_mg[2], coverage=0.999)
    assert np.isneginf(lower).all() and np.isposinf(upper).all()
    assert not hasattr(ESNClassifierCV, "predict_interval")


def test_calibration_survives_pickling_and_a_failed_refit(calibrated, noisy_mg):
    X, y, X_test, _ = noisy_mg
    expected = calibrated.predict_interval(X_test)
    loaded = pickle.loads(pickle.dumps(calibrated))
    np.testing.assert_array_equal(loaded.conformity_scores_, calibrated.conformity_scores_)
    np.testing.assert_array_equal(loaded.std_scale_, calibrated.std_scale_)
    for got, want in zip(loaded.predict_interval(X_test), expected):
        np.testing.assert_array_equal(got, want)
    # a fit that fails publishes nothing: the calibration stays that of the last fit
    with pytest.raises(ValueError, match="washout"):
        loaded.set_params(washout=900).fit(X, y)
    for got, want in zip(loaded.predict_interval(X_test), expected):
        np.testing.assert_array_equal(got, want)
    # a new fit replaces it
    refit = loaded.set_params(washout=0).fit(X[:900], y[:900])
    assert refit.conformity_scores_.shape == (2 * 150, 1)


def test_fit_on_a_dask_array_says_it_keeps_no_residuals(noisy_mg, calibrated):
    da = pytest.importorskip("dask.array")
    X, y, X_test, _ = noisy_mg
    est = pickle.loads(pickle.dumps(calibrated))  # calibrated in memory first: a dask refit drops it
    est.fit(da.from_array(X, chunks=400), y)
    assert not hasattr(est, "conformity_scores_") and not hasattr(est, "std_scale_")
    with pytest.raises(ValueError, match=r"predict_interval needs the out-of-fold residuals .* fit on X in memory"):
        est.predict_interval(X_test)
    with pytest.warns(CalibrationWarning, match="kept no out-of-fold residuals"):
        est.predict(X_test, return_std=True)
