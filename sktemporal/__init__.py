"""sktemporal: temporal neural networks for scikit-learn."""

from . import datasets, metrics
from .neural_network import RNNClassifier, RNNRegressor, TDNNClassifier, TDNNRegressor
from .preprocessing import DelayEmbedding, GammaMemory, StepwiseTransformer

__version__ = "0.1.0.dev0"

__all__ = [
    "DelayEmbedding",
    "GammaMemory",
    "RNNClassifier",
    "RNNRegressor",
    "StepwiseTransformer",
    "TDNNClassifier",
    "TDNNRegressor",
]
