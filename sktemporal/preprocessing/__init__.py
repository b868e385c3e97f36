"""Delay-line memories and per-step transformers for time series and collections."""

from ._delay import DelayEmbedding, GammaMemory
from ._stepwise import StepwiseTransformer

__all__ = ["DelayEmbedding", "GammaMemory", "StepwiseTransformer"]
