"""
=======================================================
pandas: a daily series with a DatetimeIndex and gaps
=======================================================

sktemporal reads a :class:`pandas.DataFrame` wherever it reads a 2-D array: rows are
time steps, the column names are kept (``feature_names_in_``) and the delay-line
transformers name their outputs after them.  One thing pandas users must know:

**Delay lags count rows, not time.**  ``DelayEmbedding(delays=[7])`` reads the row 7
positions back.  When days are missing from the index, that row is *not* a week ago,
and nothing warns you.  Put the series on a regular grid first, with
:meth:`pandas.DataFrame.asfreq`, and fill (or model) the holes.
"""

# %%
# A daily series with missing days
# --------------------------------
# Three years of a daily load driven by temperature, with a weekly pattern; 40 days
# are missing (a logger was down).
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import make_pipeline

from sktemporal.preprocessing import DelayEmbedding

rng = np.random.RandomState(0)
days = pd.date_range("2021-01-01", "2023-12-31", freq="D")
doy = days.dayofyear.to_numpy()
temp = (
    12
    - 9 * np.cos(2 * np.pi * doy / 365.25)
    + rng.normal(0, 2, len(days))
)
weekly = np.where(days.dayofweek.to_numpy() >= 5, -8.0, 2.0)
load = (
    100
    + 1.5 * np.abs(temp - 15)
    + weekly
    + rng.normal(0, 1.5, len(days))
)
full = pd.DataFrame({"temp": temp, "load": load}, index=days)
df = full.drop(
    full.sample(40, random_state=0).index
)  # the data as recorded
print(df.index.to_series().diff().value_counts().head(3))

# %%
# What a lag of 7 rows really is
# ------------------------------
# The dates of the rows that ``delays=[7]`` reads, against the dates a week earlier:
lag7_dates = df.index[:-7]
week_before = df.index[7:] - pd.Timedelta(days=7)
share = np.mean(lag7_dates == week_before)
print(f"lag 7 is 7 days back in {share:.0%} of rows")

# %%
# Put the series on a daily grid
# ------------------------------
# ``asfreq("D")`` inserts a row of NaN for every missing day; interpolate over time
# (or drop the affected rows after embedding).  Now a row is a day.
daily = df.asfreq("D").interpolate(method="time")
print(len(df), "rows recorded ->", len(daily), "days")

# %%
# Next-day load from the past week, in a pipeline
# -----------------------------------------------
# The target of day ``t`` is the load of day ``t + 1``; the inputs are the temperature
# and load of days ``t, t-1, ..., t-7``.  ``set_output(transform="pandas")`` names
# the columns after the DataFrame's.
X = daily.iloc[:-1]
y = daily["load"].shift(-1).iloc[:-1]
lags = DelayEmbedding(delays=7).set_output(transform="pandas")
print(list(lags.fit_transform(X).columns[:3]), "...")

split = X.index.get_loc(pd.Timestamp("2023-07-01"))
model = make_pipeline(DelayEmbedding(delays=7), Ridge(alpha=1.0))
model.fit(X.iloc[:split], y.iloc[:split])
pred = pd.Series(
    model.predict(X)[split:],
    index=X.index[split:] + pd.Timedelta(days=1),
)
truth = daily["load"].iloc[split + 1 :]
print(f"test MAE: {mean_absolute_error(truth, pred):.2f}")

# %%
# The last two months, predicted one day ahead:
fig, ax = plt.subplots(figsize=(8, 3.8))
last = truth.index >= pd.Timestamp("2023-11-01")
ax.plot(truth.index[last], truth[last], color="0.3", label="load")
ax.plot(
    pred.index[last],
    pred[last],
    lw=2,
    ls="--",
    label="next-day prediction",
)
ax.set_xlabel("date")
ax.set_ylabel("load")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
fig.autofmt_xdate()
fig.tight_layout()

# %%
# The weekday pattern is what the 7 daily lags are for; with the gaps left in, those
# lags would mix weekdays.  Missing days in a *collection* of sequences are the same
# story: resample each sequence to a regular step before building the list.
