"""Parity of the Elman layers with torch.nn.RNN: same weights, same outputs, same gradients."""

from functools import partial

import numpy as np
import pytest

from sktemporal.neural_network._cells import CELLS
from sktemporal.neural_network._layers import RecurrentLayer

torch = pytest.importorskip("torch")


def copy_from_torch(rnn, layer_index, direction, views, prefix):
    """Our U = W_ihᵀ, W = W_hhᵀ, b = b_ih + b_hh."""
    sfx = f"_l{layer_index}" + ("_reverse" if direction else "")
    views[prefix + "U"][...] = getattr(rnn, "weight_ih" + sfx).detach().numpy().T
    views[prefix + "W"][...] = getattr(rnn, "weight_hh" + sfx).detach().numpy().T
    views[prefix + "b"][...] = (getattr(rnn, "bias_ih" + sfx) + getattr(rnn, "bias_hh" + sfx)).detach().numpy()


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_stacked_elman_matches_torch_rnn(bidirectional, nonlinearity):
    torch.manual_seed(0)
    n_in, H, n_layers = 3, 5, 2
    lengths = np.array([7, 5, 2])
    B, T = len(lengths), int(lengths.max())
    rnn = torch.nn.RNN(n_in, H, num_layers=n_layers, nonlinearity=nonlinearity,
                       bidirectional=bidirectional, batch_first=True).double()
    rng = np.random.RandomState(0)
    X = rng.normal(size=(B, T, n_in))
    X[np.arange(T)[None, :] >= lengths[:, None]] = 0
    R = rng.normal(size=(B, T, H * (2 if bidirectional else 1)))  # loss = Σ out ⊙ R on valid steps
    R[np.arange(T)[None, :] >= lengths[:, None]] = 0

    # torch, ragged through pack_padded_sequence
    Xt = torch.tensor(X, requires_grad=True)
    packed = torch.nn.utils.rnn.pack_padded_sequence(Xt, torch.tensor(lengths), batch_first=True)
    out_t, _ = rnn(packed)
    out_t, _ = torch.nn.utils.rnn.pad_packed_sequence(out_t, batch_first=True, total_length=T)
    (out_t * torch.tensor(R)).sum().backward()

    # ours: the same stack of layers, time-major, sorted by length (already sorted here)
    factory = partial(CELLS["elman"], activation=nonlinearity)
    layers, width = [], n_in
    for i in range(n_layers):
        layers.append(RecurrentLayer(factory, width, H, bidirectional, prefix=f"l{i}."))
        width = layers[-1].n_out
    from sktemporal.neural_network._params import ParameterLayout

    layout = ParameterLayout([s for layer in layers for s in layer.param_shapes()])
    theta, grad = layout.zeros(), layout.zeros()
    views, grads = layout.views(theta), layout.views(grad)
    for i, layer in enumerate(layers):
        for d, name in enumerate(layer.names):
            copy_from_torch(rnn, i, d, views, name)
    A = np.ascontiguousarray(X.transpose(1, 0, 2))
    sizes = (lengths[None, :] > np.arange(T)[:, None]).sum(1)
    caches, inputs = [], []
    for layer in layers:
        inputs.append(A)
        state0 = np.zeros((B, layer.state_size))
        A, _, cache = layer.forward(views, A, sizes, lengths, state0)
        caches.append(cache)
    np.testing.assert_allclose(A.transpose(1, 0, 2), out_t.detach().numpy(), rtol=1e-10, atol=1e-12)

    d = np.ascontiguousarray(R.transpose(1, 0, 2))
    for i in range(n_layers - 1, -1, -1):
        d = layers[i].backward(views, grads, d, caches[i], lengths, need_dx=True)
    np.testing.assert_allclose(d.transpose(1, 0, 2), Xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    for i, layer in enumerate(layers):
        for direction, name in enumerate(layer.names):
            sfx = f"_l{i}" + ("_reverse" if direction else "")
            np.testing.assert_allclose(grads[name + "U"], getattr(rnn, "weight_ih" + sfx).grad.numpy().T,
                                       rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(grads[name + "W"], getattr(rnn, "weight_hh" + sfx).grad.numpy().T,
                                       rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(grads[name + "b"], getattr(rnn, "bias_ih" + sfx).grad.numpy(),
                                       rtol=1e-9, atol=1e-12)
