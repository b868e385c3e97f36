"""TapMemory: the one interface through which the TDNN estimators use the delay lines."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sktemporal import DelayEmbedding, GammaMemory, TDNNRegressor
from sktemporal.preprocessing._taps import TapMemory
from sktemporal.utils import check_sequences


def _collection(dtype=float):
    rng = np.random.RandomState(0)
    return [rng.normal(size=(T, 2)).astype(dtype) for T in (7, 3, 12)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("fill", ["edge", 0.5])
@pytest.mark.parametrize("delays, stride", [(3, 1), (2, 3), ([4, 0, 2], 1)])
def test_tapped_taps_are_the_delay_embedding(delays, stride, fill, dtype):
    X = _collection(dtype)
    memory = TapMemory.from_params("tapped", delays=delays, stride=stride, order=5, mu=0.5, fill=fill)
    batch = check_sequences(X)
    taps = memory.taps(batch)
    expected = DelayEmbedding(delays=delays, stride=stride, fill=fill).fit_transform(X)
    assert taps.dtype == dtype and taps.shape[-1] == 2 * memory.n_taps
    for i, length in enumerate(batch.lengths):
        assert_array_equal(taps[i, :length], expected[i])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("fill", ["edge", -1.0])
@pytest.mark.parametrize("order, mu", [(0, 0.5), (3, 0.4), (2, 1.5)])
def test_gamma_taps_are_the_gamma_memory(order, mu, fill, dtype):
    X = _collection(dtype)
    memory = TapMemory.from_params("gamma", delays=5, stride=1, order=order, mu=mu, fill=fill)
    batch = check_sequences(X)
    taps = memory.taps(batch)
    expected = GammaMemory(order=order, mu=mu, fill=fill).fit_transform(X)
    assert taps.dtype == dtype and memory.n_taps == order + 1 and memory.lags is None
    for i, length in enumerate(batch.lengths):
        assert_array_equal(taps[i, :length], expected[i])


def test_one_series_is_one_sequence():
    X = np.arange(6.0).reshape(-1, 1)
    memory = TapMemory.from_params("tapped", delays=2, stride=1, order=5, mu=0.5, fill="edge")
    assert_array_equal(memory.taps(check_sequences(X))[0], DelayEmbedding(delays=2).fit_transform(X))


@pytest.mark.parametrize("kind", ["tapped", "gamma"])
def test_the_state_is_plain_data_and_reads_back(kind):
    memory = TapMemory.from_params(kind, delays=[0, 3], stride=1, order=np.int64(2), mu=np.float32(0.25), fill=1)
    state = memory.state
    assert type(state) is tuple and state[0] == kind and type(state[2]) is float
    if kind == "gamma":
        assert state[1] == (2, 0.25) and type(state[1][0]) is int and type(state[1][1]) is float
    else:
        assert_array_equal(state[1], [0, 3])
    back = TapMemory.from_state(pickle.loads(pickle.dumps(state)))
    batch = check_sequences(_collection())
    assert back.n_taps == memory.n_taps
    assert_array_equal(back.taps(batch), memory.taps(batch))


def test_scale_applies_to_a_number_fill_only():
    """The TDNN scales its inputs before the memory: a number fill is in the raw units, 'edge' is not."""
    batch = check_sequences(np.array([[1.0], [2.0], [3.0]]))

    def scale(past):
        return 10 * past

    number = TapMemory.from_params("tapped", delays=1, stride=1, order=5, mu=0.5, fill=2.0)
    assert_array_equal(number.taps(batch, scale)[0, :, 1], [20.0, 1.0, 2.0])
    assert_array_equal(number.taps(batch)[0, :, 1], [2.0, 1.0, 2.0])
    edge = TapMemory.from_params("tapped", delays=1, stride=1, order=5, mu=0.5, fill="edge")
    assert_array_equal(edge.taps(batch, scale), edge.taps(batch))


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"stride spaces the lags .* use e.g. delays=\[0, 6\], stride=1"):
        TapMemory.from_params("tapped", delays=[0, 2], stride=3, order=5, mu=0.5, fill="edge")
    with pytest.raises(ValueError, match=r"delays must not repeat a lag"):
        TapMemory.from_params("tapped", delays=[1, 1], stride=1, order=5, mu=0.5, fill="edge")
    with pytest.raises(ValueError, match=r"kind must be 'tapped' or 'gamma'; got kind='lstm'"):
        TapMemory("lstm")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("params", [{"delays": 3}, {"memory": "gamma", "order": 2, "mu": 0.7, "fill": 0.0}])
def test_the_tdnn_inputs_are_the_memory_taps(params):
    X = np.cumsum(np.random.RandomState(1).normal(size=(40, 2)), axis=0)
    y = X[:, 0]
    model = TDNNRegressor((3,), solver="lbfgs", max_iter=5, scaler=None, random_state=0, **params).fit(X, y)
    memory = TapMemory.from_state(model._memory_spec)
    assert model.n_taps_ == memory.n_taps
    assert_allclose(model._inputs(check_sequences(X)), memory.taps(check_sequences(X)))
