"""The state loop against a plain per-sequence, per-step reference implementation."""

import numpy as np
import pytest
import scipy.sparse as sp

from sktemporal.reservoir._states import (
    ACTIVATIONS,
    OutputFeedback,
    Readout,
    RecurrentProduct,
    Update,
    leaky_update,
    run_autonomous,
    run_states,
    use_dense,
)

ACT = {"tanh": np.tanh, "identity": lambda x: x, "relu": lambda x: np.maximum(x, 0),
       "logistic": lambda x: 1 / (1 + np.exp(-x))}


def reference(x, W, W_in, leak, act="tanh", h0=None, W_fb=None, coef=None, intercept=None, y0=None):
    """h~(n) = f(W_in [1; x(n)] + W h(n-1) + W_fb y(n-1)); h(n) = (1-a) h(n-1) + a h~(n)."""
    W = W.toarray() if sp.issparse(W) else W
    h = np.zeros(W.shape[0]) if h0 is None else h0.copy()
    y = y0
    out = []
    for xt in x:
        pre = W_in @ np.concatenate([[1.0], xt]) + W @ h
        if W_fb is not None:
            pre = pre + W_fb @ y
        h = (1 - leak) * h + leak * ACT[act](pre)
        out.append(h)
        if W_fb is not None:
            y = coef @ np.concatenate([h, xt]) + intercept
    return np.array(out)


def _weights(n=30, f=2, density=0.2, seed=0):
    rs = np.random.RandomState(seed)
    W = sp.random(n, n, density=density, random_state=rs, format="csr")
    W.data -= 0.5
    return W, rs.uniform(-1, 1, (n, 1 + f))


def _collect(segments, n_seq, T, n):
    states = np.full((n_seq, T, n), np.nan)
    for seg in segments:
        states[seg.columns, seg.t0:seg.t1] = seg.states.transpose(2, 0, 1)
    return states


@pytest.mark.parametrize("act", sorted(ACTIVATIONS))
@pytest.mark.parametrize("density", [0.05, 0.5])  # sparse and dense products
def test_ragged_batch_matches_reference(act, density):
    W, W_in = _weights(density=density)
    rs = np.random.RandomState(1)
    lengths = np.array([5, 12, 1, 12, 7])
    values = np.zeros((5, 12, 2))
    for i, t in enumerate(lengths):
        values[i, :t] = rs.randn(t, 2)
    product = RecurrentProduct(W, np.float64)
    segs = run_states(values, lengths, Update(W_in, product, 0.4, act), max_elements=30 * 5 * 3)
    states = _collect(segs, 5, 12, 30)
    for i, t in enumerate(lengths):
        np.testing.assert_allclose(states[i, :t], reference(values[i, :t], W, W_in, 0.4, act), atol=1e-12)
        assert np.isnan(states[i, t:]).all()  # padded steps are never computed


def test_dense_and_sparse_products_agree():
    W, _ = _weights(density=0.3)
    h = np.random.RandomState(0).randn(30, 4)
    for ncol in (1, 4):
        hc = np.ascontiguousarray(h[:, :ncol])
        expected = W @ hc + 1.0
        for dense in (False, True):
            p = RecurrentProduct(W, np.float64)
            p.dense = dense
            if dense:
                p.matrix, p._tmp = W.toarray(), {}
            else:
                p.matrix = W
                p.args = (30, 30, W.indptr, W.indices, W.data)
            out = np.ones((30, ncol))
            np.testing.assert_allclose(p(hc, out), expected)


def test_dense_rule():
    assert not use_dense(5000, 0.01)
    assert not use_dense(1000, 0.1)
    assert use_dense(500, 0.2)
    assert not use_dense(3000, 0.2)  # 72 MB: a dense product leaves the cache
    assert use_dense(3000, 0.5)


def test_initial_state_and_segments_join():
    W, W_in = _weights()
    x = np.random.RandomState(2).randn(40, 2)
    h0 = np.random.RandomState(3).randn(30)
    product = RecurrentProduct(W, np.float64)
    segs = run_states(x[None], np.array([40]), Update(W_in, product, 1.0, "tanh"), h0=h0[None],
                      max_elements=30 * 7)
    seen = []
    states = _collect((seen.append(s.t0) or s for s in segs), 1, 40, 30)[0]
    assert seen == [0, 7, 14, 21, 28, 35]  # 40 steps in segments of 7
    np.testing.assert_allclose(states, reference(x, W, W_in, 1.0, h0=h0), atol=1e-12)


def test_float32_stays_float32():
    W, W_in = _weights()
    x = np.random.RandomState(2).randn(1, 20, 2).astype(np.float32)
    product = RecurrentProduct(W, np.float32)
    segs = run_states(x, np.array([20]), Update(W_in.astype(np.float32), product, 0.5, "tanh"))
    dtypes = []
    states = _collect((dtypes.append(s.states.dtype) or s for s in segs), 1, 20, 30)[0]
    assert dtypes == [np.float32]
    np.testing.assert_allclose(states, reference(x[0].astype(float), W, W_in, 0.5), atol=1e-5)


def test_output_feedback_matches_reference():
    W, W_in = _weights()
    rs = np.random.RandomState(4)
    W_fb = rs.uniform(-1, 1, (30, 1))
    coef = rs.uniform(-0.5, 0.5, (1, 32))
    intercept = np.array([0.1])
    x = rs.randn(15, 2)
    fb = OutputFeedback(W_fb, coef[:, :30], coef[:, 30:], intercept, y0=np.array([[0.3]]))
    product = RecurrentProduct(W, np.float64)
    segs = run_states(x[None], np.array([15]), Update(W_in, product, 0.7, "tanh"), feedback=fb,
                      max_elements=30 * 4)
    expected = reference(x, W, W_in, 0.7, W_fb=W_fb, coef=coef, intercept=intercept, y0=np.array([0.3]))
    np.testing.assert_allclose(_collect(segs, 1, 15, 30)[0], expected, atol=1e-12)


def test_autonomous_run_feeds_outputs_back_as_inputs():
    W, W_in = _weights(f=1)
    rs = np.random.RandomState(5)
    coef = rs.uniform(-0.5, 0.5, (1, 31))
    intercept = np.array([0.05])
    h = rs.uniform(-0.5, 0.5, 30)
    x = np.array([0.2])
    out = run_autonomous(Update(W_in, RecurrentProduct(W, np.float64), 0.5, "tanh"),
                         Readout(coef, intercept, True), h=h, x=x, n_steps=6, outputs_as_inputs=True)
    # reference: y_k = W_out [1; h; x], then x <- y_k and the reservoir advances
    hh, xx, expected = h.copy(), x.copy(), []
    Wd = W.toarray()
    for _ in range(6):
        y = coef @ np.concatenate([hh, xx]) + intercept
        expected.append(y)
        xx = y
        hh = 0.5 * hh + 0.5 * np.tanh(W_in @ np.concatenate([[1.0], xx]) + Wd @ hh)
    np.testing.assert_allclose(out, np.array(expected), atol=1e-12)


def test_noise_is_reproducible_and_changes_states():
    W, W_in = _weights()
    x = np.random.RandomState(2).randn(1, 20, 2)

    def run(noise, seed):
        segs = run_states(x, np.array([20]), Update(W_in, RecurrentProduct(W, np.float64), 1.0, "tanh"),
                          noise=noise, noise_rng=np.random.RandomState(seed))
        return _collect(segs, 1, 20, 30)

    np.testing.assert_array_equal(run(0.1, 0), run(0.1, 0))
    assert not np.allclose(run(0.1, 0), run(0.0, 0))


def test_leaky_update_formula():
    pre, h = np.array([[0.3], [-2.0]]), np.array([[0.5], [0.1]])
    out = leaky_update(pre.copy(), h, 0.25, ACTIVATIONS["tanh"])
    np.testing.assert_allclose(out, 0.75 * h + 0.25 * np.tanh(pre))


def test_autonomous_runs_from_several_starts_equal_single_runs():
    """Rows of a 2-D ``h`` and ``x`` run together exactly as one run per row (inputs fed back, or held with W_fb)."""
    W, W_in = _weights(f=1)
    rs = np.random.RandomState(6)
    coef, intercept = rs.uniform(-0.5, 0.5, (1, 31)), np.array([0.05])
    h, x = rs.uniform(-0.5, 0.5, (4, 30)), rs.uniform(-1, 1, (4, 1))
    for outputs_as_inputs, W_fb in ((True, None), (False, rs.uniform(-0.5, 0.5, (30, 1)))):
        kwargs = dict(n_steps=7, outputs_as_inputs=outputs_as_inputs, W_fb=W_fb)
        update, readout = Update(W_in, RecurrentProduct(W, np.float64), 0.5, "tanh"), Readout(coef, intercept, True)
        together = run_autonomous(update, readout, h=h, x=x, **kwargs)
        assert together.shape == (7, 4, 1)
        for j in range(4):
            alone = run_autonomous(update, readout, h=h[j], x=x[j], **kwargs)
            np.testing.assert_allclose(together[:, j], alone, rtol=1e-12, atol=1e-14)
