"""Benchmark datasets for temporal models, in the package's data layout: generators and real data."""

from ._collections import adding_problem, copy_task, make_sequence_classification
from ._generators import lorenz, mackey_glass, memory_task, narma
from ._real import load_airline, load_gunpoint

__all__ = [
    "adding_problem",
    "copy_task",
    "load_airline",
    "load_gunpoint",
    "lorenz",
    "mackey_glass",
    "make_sequence_classification",
    "memory_task",
    "narma",
]
