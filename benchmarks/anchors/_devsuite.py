"""What the real-data dev suites share: their options, their output lines and their tables.

``dev_classify.py`` and ``dev_forecast.py`` import this module; it needs nothing beyond the
standard library and numpy, so their argument handling and tables can be tested without sktime.
"""

import ast
import json
import math
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def use_checkout():
    """Import the ``sktemporal`` of this source tree, whatever is installed.

    A script's own folder, not the working directory, leads ``sys.path``; without this a
    checkout beside an editable install of another one would measure the other one.
    """
    for path in (str(HERE), str(ROOT)):
        if path in sys.path:
            sys.path.remove(path)
        sys.path.insert(0, path)


def names(text, known, option):
    """The comma-separated names of ``option``, each checked against ``known``."""
    items = [item.strip() for item in text.split(",") if item.strip()]
    unknown = [item for item in items if item not in known]
    if not items or unknown:
        raise ValueError(f"{option} takes a comma-separated list of {', '.join(known)}; got {text!r}")
    return items


def seeds(text, option="--seeds"):
    """``'0,1,2'`` -> ``[0, 1, 2]``: distinct non-negative integers, in the order given."""
    try:
        values = [int(item) for item in text.split(",")]
    except ValueError:
        values = None
    if not values or min(values) < 0 or len(set(values)) != len(values):
        raise ValueError(f"{option} takes distinct non-negative integers separated by commas "
                         f"(e.g. 0,1,2,3,4); got {text!r}")
    return values


def _top_level_split(text, sep):
    """Split at ``sep`` outside brackets and quotes, so ``hidden_layer_sizes=(64, 32)`` stays whole."""
    parts, depth, quote, start = [], 0, None, 0
    for i, char in enumerate(text):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def _value(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text  # a bare word such as adam or mean


def overrides(items, tunable):
    """Parse ``--params`` items ``'Model:key=value,key=value'`` into ``{model: {key: value}}``.

    Values are Python literals (``0.001``, ``(64,)``, ``None``, ``True``) or bare words (``adam``).
    Only the package's models in ``tunable`` take overrides: the anchors keep their fixed settings.
    """
    out = {}
    for item in items or ():
        model, sep, body = item.partition(":")
        model = model.strip()
        if not sep or model not in tunable:
            raise ValueError(f"--params takes 'Model:key=value,...' with Model one of {', '.join(tunable)}; "
                             f"got {item!r}")
        for pair in _top_level_split(body, ","):
            key, eq, value = pair.partition("=")
            if not eq or not key.strip().isidentifier():
                raise ValueError(f"--params: {pair!r} in {item!r} is not key=value")
            if key.strip() == "random_state":
                raise ValueError(f"--params: {item!r} sets random_state; the model seeds come from --seeds")
            out.setdefault(model, {})[key.strip()] = _value(value.strip())
    return out


def emit(row, path=None):
    """Print one result as a JSON line and append it to ``path`` (several runs can share a file)."""
    line = json.dumps(row, default=str)
    print(line, flush=True)
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")


def error_text(exc):
    return f"{type(exc).__name__}: {exc}"[:200]


def timing_lines():
    """``machine: ...`` and ``versions: ...``, as ``run.py`` prints them, the dev suites' libraries included."""
    import run

    return f"machine: {run.machine()}\nversions: {run.versions()}"


def geometric_mean(values):
    """exp(mean(log v)), or None when a value is missing or not positive."""
    if not values or any(v is None or not v > 0 for v in values):
        return None
    return math.exp(float(np.mean(np.log(values))))


def seed_statistic(values, how):
    """Mean or median over seeds, or None when a seed has no value."""
    if not values or any(v is None for v in values):
        return None
    return float(np.mean(values) if how == "mean" else np.median(values))


def markdown(header, rows):
    """A markdown table: ``header`` a list of column titles, ``rows`` lists of cells (strings)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def cell(value, digits):
    return "-" if value is None else f"{value:.{digits}f}"
