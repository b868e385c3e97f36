"""Benchmark datasets for temporal models, in the package's data layout."""

from ._collections import adding_problem, copy_task, make_sequence_classification
from ._generators import lorenz, mackey_glass, memory_task, narma

__all__ = [
    "adding_problem",
    "copy_task",
    "lorenz",
    "mackey_glass",
    "make_sequence_classification",
    "memory_task",
    "narma",
]
