"""Order of the examples in the gallery: a reading order, not the alphabet."""

import os

ORDER = [
    "plot_mackey_glass_esn_generation.py",
    "plot_forecast_past_the_end.py",
    "plot_delay_embedding_any_regressor.py",
    "plot_pandas_datetimeindex.py",
    "plot_narma10_comparison.py",
    "plot_reservoir_sklearn_readout.py",
    "plot_variable_length_classification.py",
    "plot_bidirectional_labelling.py",
    "plot_adding_problem_lstm_vs_elman.py",
    "plot_esn_grid_search.py",
    "plot_esn_cv_pipeline.py",
    "plot_multistep_forecast.py",
    "plot_online_learning.py",
    "plot_torch_keras_weights.py",
]


class ReadingOrder:
    """``within_subsection_order`` key: listed examples first, in ``ORDER``; others after, by name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = os.path.basename(filename)
        return (ORDER.index(name), "") if name in ORDER else (len(ORDER), name)

    def __repr__(self):
        return f"<{type(self).__name__}>"
